// Poseidon (hash/poseidon.h) and the field transcript (transcript/poseidon_transcript.h) as
// circuits over Nums: the wrapping proof's Fiat-Shamir replay (docs/protocol/wrap.md, "Poseidon and
// the field transcript").
//
// Cost: each S-box x^5 on a non-constant value is 3 constraints (x^2, x^4, x^5: three products,
// three witnesses); round constants and the MDS matrix are linear, free. One permutation of width t
// on non-constant inputs: 3 * (R_F * t + R_P) constraints (t = 3: 243, t = 5: 300). S-boxes whose
// input is a constant cost nothing (the transcript's first permutations before any witness).
//
// The values are never branched on: a circuit built with dummy values has the same constraints.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "hash/poseidon.h"
#include "snark/cfr.h"
#include "snark/circuit.h"
#include "transcript/transcript.h"

namespace zkinfer::snark {

// x^5.
Num poseidon_sbox(ConstraintSystem& cs, const Num& x);

// The permutation in place; state.size() must be params.t.
void poseidon_permute(ConstraintSystem& cs, const hash::PoseidonParams& params, std::span<Num> state);

// The same permutation in the optimized form (hash::PoseidonOptimized): the same outputs and the
// same constraint count (one S-box per partial round), with sparse partial-round matrices, so the
// linear combinations cost far less to build. The sponge and the transcript use this one.
void poseidon_permute(ConstraintSystem& cs, const hash::PoseidonOptimized& opt, std::span<Num> state);

// Constraints of one permutation on non-constant inputs: 3 * (R_F * t + R_P).
size_t poseidon_permutation_constraints(const hash::PoseidonParams& params);

// The sponge (hash::DuplexSponge's rule) over Nums.
class SpongeGadget : public hash::DuplexSponge<Num> {
 public:
  SpongeGadget(ConstraintSystem& cs, size_t t, const Fr& capacity_init);
};

// circomlib's poseidon(inputs) as a circuit (hash::poseidon_circom_hash's twin).
Num poseidon_circom_hash(ConstraintSystem& cs, std::span<const Num> inputs);

// transcript::PoseidonTranscript's twin: the same operations on Nums give Nums whose values are
// exactly the native challenges. Labels, lengths and u64 values are circuit constants (free).
// A G1 point or an Fq element is absorbed as its limbs (PoseidonTranscript::g1_limbs): the circuit
// that supplies the limbs must itself bind them to the point it uses (127-bit range checks when it
// recomposes them); the transcript only hashes them.
class CircuitTranscript {
 public:
  CircuitTranscript(ConstraintSystem& cs, std::string_view domain, size_t width = 5);

  void absorb(std::string_view label, const Num& x);
  void absorb_many(std::string_view label, std::span<const Num> xs);
  void absorb_many(std::string_view label, const std::vector<Num>& xs) { absorb_many(label, std::span<const Num>(xs)); }
  void absorb_u64(std::string_view label, uint64_t v);
  void absorb_fq_limbs(std::string_view label, const std::array<Num, 2>& limbs);
  void absorb_g1_limbs(std::string_view label, const std::array<Num, 4>& limbs);

  Num challenge(std::string_view label);
  std::vector<Num> challenges(std::string_view label, size_t n);

  // Unlabelled, for messages whose shape the key fixes (PoseidonTranscript::absorb_raw).
  void absorb_raw(std::span<const Num> xs);
  void absorb_raw(const std::vector<Num>& xs) { absorb_raw(std::span<const Num>(xs)); }
  Num squeeze() { return sponge_.squeeze(); }

  size_t permutations() const { return sponge_.permutations(); }

 private:
  SpongeGadget sponge_;
};

// transcript::PoseidonFieldSponge's twin for Transcript's kField encoding over a circuit: built in
// the current CircuitScope's system (zkinfer::Error outside one), it squeezes exactly the native
// sponge's elements when it absorbs the same values.
class PoseidonCircuitSponge : public transcript::CircuitSponge {
 public:
  explicit PoseidonCircuitSponge(size_t width = 5);
  void absorb(const CFr& x) override { sponge_.absorb(x.num()); }
  CFr squeeze() override { return CFr(sponge_.squeeze()); }
  std::unique_ptr<transcript::CircuitSponge> clone() const override {
    return std::make_unique<PoseidonCircuitSponge>(*this);
  }
  size_t permutations() const { return sponge_.permutations(); }

 private:
  SpongeGadget sponge_;
};

}  // namespace zkinfer::snark
