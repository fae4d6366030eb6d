// A field-native Fiat-Shamir transcript over the Poseidon sponge (hash/poseidon.h), for the
// wrapping proof (docs/protocol/wrap.md, "Poseidon and the field transcript"): challenges are
// sponge outputs, Fr elements as they are (no bytes, no reduction), so that a circuit replays the
// transcript with a few hundred constraints per permutation (snark/poseidon_gadget.h:
// CircuitTranscript, its twin). Not used by any key yet: it is what a future key version selects.
//
// The sponge: width t (kPoseidonTranscriptWidth = 5 unless chosen: rate 4), capacity started at
// poseidon_label("zkinfer-poseidon-transcript-v1/t=<t>"); construction absorbs L(domain).
// L(s) = hash::poseidon_label(s): any bytes as one field element (31-byte big-endian chunks
// hashed with their byte length). Each operation absorbs these elements, in order:
//   absorb(l, x)           L(l), x
//   absorb_many(l, xs)     L(l), len(xs), xs...
//   absorb_u64(l, v)       L(l), v
//   absorb_fq(l, x)        L(l), lo(x), hi(x)       (x = lo + 2^127 hi, both < 2^127)
//   absorb_g1(l, P)        L(l), lo(x), hi(x), lo(y), hi(y)   (the identity: four zeros; (0, 0)
//                          is not on the curve, the EVM's encoding of the identity)
//   challenge(l)           L(l), then one squeeze
//   challenges(l, n)       L(l), n, then n squeezes
//   absorb_raw(xs)         xs...        (no label, no length)
//   squeeze()              one squeeze  (no label)
// The last two are for messages whose number and order the verifying key fixes (a sumcheck
// round's evaluations, then its challenge): there labels and lengths add nothing to the
// encoding's injectivity, since the verifier's schedule of operations is the same for every
// proof, and dropping them halves the circuit's cost per round (docs/protocol/wrap.md).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "curve/g1.h"
#include "field/bn254.h"
#include "hash/poseidon.h"
#include "transcript/transcript.h"

namespace zkinfer::transcript {

using field::Fq;
using field::Fr;

inline constexpr std::string_view kPoseidonProtocolVersion = "zkinfer-poseidon-transcript-v1";
inline constexpr size_t kPoseidonTranscriptWidth = 5;

class PoseidonTranscript {
 public:
  explicit PoseidonTranscript(std::string_view domain, size_t width = kPoseidonTranscriptWidth);

  void absorb(std::string_view label, const Fr& x);
  void absorb_many(std::string_view label, std::span<const Fr> xs);
  void absorb_many(std::string_view label, const std::vector<Fr>& xs) { absorb_many(label, std::span<const Fr>(xs)); }
  void absorb_u64(std::string_view label, uint64_t v);
  void absorb_fq(std::string_view label, const Fq& x);
  void absorb_g1(std::string_view label, const curve::G1Affine& p);

  Fr challenge(std::string_view label);
  std::vector<Fr> challenges(std::string_view label, size_t n);

  void absorb_raw(std::span<const Fr> xs);
  void absorb_raw(const std::vector<Fr>& xs) { absorb_raw(std::span<const Fr>(xs)); }
  Fr squeeze() { return sponge_.squeeze(); }

  size_t width() const { return sponge_.width(); }
  size_t permutations() const { return sponge_.permutations(); }

  // L(label), kept after the first use.
  static Fr label(std::string_view label);
  // The capacity's initial value for width t.
  static Fr initial_capacity(size_t width);
  // x = lo + 2^127 * hi.
  static std::array<Fr, 2> fq_limbs(const Fq& x);
  // (lo(x), hi(x), lo(y), hi(y)); zeros for the identity.
  static std::array<Fr, 4> g1_limbs(const curve::G1Affine& p);

 private:
  hash::PoseidonSponge sponge_;
};

// Poseidon as the sponge of Transcript's kField encoding (transcript.h: Transcript(domain,
// std::make_unique<PoseidonFieldSponge>())): hash::PoseidonSponge of width t (default 5) with the
// capacity started at L("zkinfer-transcript-field-v1/poseidon/t=<t>"). Its circuit twin is
// snark::PoseidonCircuitSponge (snark/poseidon_gadget.h).
class PoseidonFieldSponge : public FieldSponge {
 public:
  explicit PoseidonFieldSponge(size_t width = kPoseidonTranscriptWidth)
      : sponge_(width, field_sponge_capacity(width)) {}
  void absorb(const Fr& x) override { sponge_.absorb(x); }
  Fr squeeze() override { return sponge_.squeeze(); }
  std::unique_ptr<FieldSponge> clone() const override { return std::make_unique<PoseidonFieldSponge>(*this); }
  size_t permutations() const { return sponge_.permutations(); }

  static Fr field_sponge_capacity(size_t width);

 private:
  hash::PoseidonSponge sponge_;
};

}  // namespace zkinfer::transcript
