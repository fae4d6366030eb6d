// Groth16 (Groth, "On the Size of Pairing-based Non-interactive Arguments", EUROCRYPT 2016) over
// BN254 for the rank-1 constraint systems of snark/circuit.h: the wrapping proof's proof system
// (docs/protocol/wrap.md, "Groth16 (groth16 branch)").
//
// QAP. The m constraints <A_i,z> <B_i,z> = <C_i,z> sit at the points w^i (i < m) of the domain
// H = <w> of size n = 2^k >= m + l + 1 (l public inputs; z = (1, public..., witness...)). Rows
// m..m+l are input-consistency rows z_j * 0 = 0 for j = 0..l (A holds z_j, B and C nothing), as
// snarkjs adds them: they make the polynomials u_0..u_l of the public columns linearly independent,
// which Groth16's knowledge soundness needs (otherwise a public input's column could be a
// combination of others). u_j, v_j, w_j interpolate column j of A, B, C over H; Z(X) = X^n - 1.
// The prover computes h = (A B - C) / Z on the coset g H (g = 5, Fr's least non-residue, so
// Z(g w^i) = g^n - 1 != 0), 7 NTTs of size n.
//
// Keys (toxic waste alpha, beta, gamma, delta, tau):
//   vk: [alpha]_1, [beta]_2, [gamma]_2, [delta]_2, IC_j = [(beta u_j + alpha v_j + w_j)(tau) / gamma]_1, j <= l
//   pk: vk, [alpha]_1, [beta]_1, [beta]_2, [delta]_1, [delta]_2, [u_j(tau)]_1, [v_j(tau)]_1,
//       [v_j(tau)]_2 for every column, L_j = [(beta u_j + alpha v_j + w_j)(tau) / delta]_1 for the
//       witness columns, H_i = [tau^i Z(tau) / delta]_1 for i < n - 1.
// Proof (r, s uniformly random: zero knowledge):
//   A = [alpha + sum z_j u_j(tau) + r delta]_1,  B = [beta + sum z_j v_j(tau) + s delta]_2,
//   C = [sum_{witness j} z_j L_j + h(tau) Z(tau)/delta]_1 + s A + r B_1 - r s [delta]_1.
// Verify: e(-A, B) e(alpha, beta) e(IC_0 + sum x_j IC_j, gamma) e(C, delta) = 1 (one multi-pairing).
//
// *** SETUP IS TEST ONLY. *** groth16_setup_insecure draws the toxic waste itself (from a seed or
// from the given randomness) and holds it in memory: whoever runs it can forge proofs. A real
// deployment needs a ceremony: phase 1 from a powers-of-tau file (src/pcs/ptau.h: tauG1, tauG2,
// alphaTauG1, betaTauG1, betaG2, Lagrange-transformed in G1) and a phase-2 contribution for delta
// (see docs/protocol/wrap.md). The key layout below is what such a setup would produce too
// (only the way the points are computed differs), so prove/verify do not change.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "curve/g1.h"
#include "curve/g2.h"
#include "field/bn254.h"
#include "pcs/ptau.h"
#include "snark/circuit.h"

namespace zkinfer::snark {

using curve::G1Affine;
using curve::G2Affine;

// A source of uniformly random scalars (the prover's r, s; the TEST-ONLY setup's toxic waste).
using RandomFr = std::function<Fr()>;

struct Groth16VerifyingKey {
  G1Affine alpha;
  G2Affine beta, gamma, delta;
  std::vector<G1Affine> ic;  // l + 1 points
  size_t num_public() const { return ic.empty() ? 0 : ic.size() - 1; }
};

// The circuit's shape and a Keccak-256 digest of its constraints (column indices and
// coefficients of A, B, C in order): a proving key is refused for a circuit it was not made for.
struct R1csShape {
  uint64_t num_constraints = 0, num_public = 0, num_witness = 0;
  std::array<uint8_t, 32> digest{};
  friend bool operator==(const R1csShape&, const R1csShape&) = default;
};
R1csShape r1cs_shape(const ConstraintSystem& cs);

struct Groth16ProvingKey {
  Groth16VerifyingKey vk;
  R1csShape shape;
  unsigned log_domain = 0;  // n = 2^log_domain
  G1Affine alpha1, beta1, delta1;
  G2Affine beta2, delta2;
  std::vector<G1Affine> a_query, b1_query;  // one per column of z
  std::vector<G2Affine> b2_query;
  std::vector<G1Affine> l_query;  // one per witness column
  std::vector<G1Affine> h_query;  // n - 1
};

struct Groth16Proof {
  G1Affine a;
  G2Affine b;
  G1Affine c;
  friend bool operator==(const Groth16Proof&, const Groth16Proof&) = default;
};

// The smallest k with 2^k >= constraints + public inputs + 1 (throws zkinfer::Error above 2^28,
// Fr's 2-adicity).
unsigned groth16_log_domain(const ConstraintSystem& cs);

// *** TEST ONLY: the toxic waste is known to the caller (see above). *** The constraint system's
// values are ignored (only its constraints and counts are used). Prints nothing; the CLI or test
// that calls it must say TEST ONLY wherever its keys are written.
Groth16ProvingKey groth16_setup_insecure(const ConstraintSystem& cs, const RandomFr& toxic);
Groth16ProvingKey groth16_setup_insecure(const ConstraintSystem& cs, uint64_t seed);

// Where a proof's time went (seconds; filled when ProveOptions::timings is set): the circuit's
// digest check, the constraint evaluations, the 7 NTTs and h, the four G1 MSMs, the G2 MSM.
struct Groth16ProveTimings {
  double shape = 0, evaluate = 0, ntt = 0, msm_g1 = 0, msm_g2 = 0;
};

// ---- setup from a powers-of-tau file (phase 1 of a ceremony) ----
// Phase 1 (tau, alpha, beta) from `ptau` (read with groth16_ptau_options(cs): its consistency is
// checked by pcs::read_ptau), so nobody who ran this knows tau, alpha or beta if the ceremony had
// one honest contributor. Phase 2 is ONE contribution made here: delta drawn from `random`, gamma
// = 1 ([gamma]_2 the generator, as snarkjs). Whoever runs it knows delta while it runs and could
// forge proofs if they kept it: a single-party phase 2, no better than its runner (multi-party
// phase-2 contributions are not built). The Lagrange basis [L_i(tau)]_1, [alpha L_i(tau)]_1,
// [beta L_i(tau)]_1, [L_i(tau)]_2 of the domain 2^log_domain is the file's own when it is prepared
// (sections 12-15, read because groth16_ptau_options asks for them, and checked by read_ptau to
// be the inverse DFT of the powers: pcs::verify_ptau_lagrange), else computed here by inverse NTTs
// over the group (lagrange_g1 / lagrange_g2: (n/2) log n scalar multiplications each, minutes at
// 2^17); the key is byte for byte the same either way. H_i = ([tau^(i+n)]_1 - [tau^i]_1) / delta.
// zkinfer::Error when the file has too few powers for the circuit.
pcs::PtauOptions groth16_ptau_options(const ConstraintSystem& cs);
Groth16ProvingKey groth16_setup_ptau(const ConstraintSystem& cs, const pcs::Ptau& ptau, const RandomFr& random);

// [L_i(tau)] for the domain of size n = powers.size() (a power of two) from [tau^j], j < n:
// L_i(tau) = (1/n) sum_j w^(-ij) tau^j, by a radix-2 inverse NTT over the group.
std::vector<G1Affine> lagrange_g1(std::span<const G1Affine> powers);
std::vector<G2Affine> lagrange_g2(std::span<const G2Affine> powers);

struct ProveOptions {
  // Refuse (zkinfer::Error naming the first failing constraint and its label) when the
  // assignment does not satisfy the system. Off only in tests that show an unsatisfied
  // assignment's proof is rejected by the verifier.
  bool check_satisfied = true;
  Groth16ProveTimings* timings = nullptr;
};

// A proof for cs's assignment; r and s from `random` (SecureRng in the overload without it).
// zkinfer::Error when pk was made for another circuit (shape or constraints differ) or (by
// default) when the assignment is not satisfying.
Groth16Proof groth16_prove(const Groth16ProvingKey& pk, const ConstraintSystem& cs, const RandomFr& random,
                           const ProveOptions& options = {});
Groth16Proof groth16_prove(const Groth16ProvingKey& pk, const ConstraintSystem& cs);

struct Groth16Result {
  bool ok = false;
  std::string reason;  // empty when ok
  explicit operator bool() const { return ok; }
};

// Checks the public inputs' count, every point (on its curve; B and the key's G2 points in the
// order-r subgroup) and the pairing equation.
Groth16Result groth16_verify(const Groth16VerifyingKey& vk, std::span<const Fr> public_inputs, const Groth16Proof& proof);

// ---- serialization ----
// vk:    "G16V", u32 version (1), u32 l, alpha (32, G1 compressed), beta, gamma, delta (64 each, G2
//        compressed), IC_0..IC_l (32 each); little-endian integers.
// proof: "G16P", u32 version (1), A (32), B (64), C (32): 136 bytes.
// public inputs: 32 bytes each, canonical little endian.
// The decoders reject a wrong magic or version, truncated or trailing bytes, points off the
// curve or (G2) outside the subgroup, non-canonical encodings, with zkinfer::DecodeError
// naming the field.
inline constexpr uint32_t kGroth16FormatVersion = 1;
std::vector<uint8_t> groth16_vk_to_bytes(const Groth16VerifyingKey& vk);
Groth16VerifyingKey groth16_vk_from_bytes(std::span<const uint8_t> in);
std::vector<uint8_t> groth16_proof_to_bytes(const Groth16Proof& proof);
Groth16Proof groth16_proof_from_bytes(std::span<const uint8_t> in);
// Proving key: "G16K", u32 version (1), the shape (u64 constraints, public, witness; the 32-byte
// digest), u32 log_domain, the vk's bytes (u64 length, then as above), alpha1, beta1, delta1 (G1
// uncompressed: 64 bytes, x then y canonical little endian; the identity all zero), beta2, delta2
// (G2 uncompressed: 128 bytes, x.c0, x.c1, y.c0, y.c1), then u64-counted lists a_query, b1_query
// (G1), b2_query (G2), l_query, h_query (G1). Uncompressed so that loading a key of millions of
// points costs no square roots. The decoder checks canonical coordinates, every point on its
// curve and the lists' sizes against the shape; it does not check the G2 points' subgroup (a key
// is the prover's own file, and a wrong key only makes proofs that fail to verify).
std::vector<uint8_t> groth16_pk_to_bytes(const Groth16ProvingKey& pk);
Groth16ProvingKey groth16_pk_from_bytes(std::span<const uint8_t> in);
std::vector<uint8_t> fr_vector_to_bytes(std::span<const Fr> xs);
std::vector<Fr> fr_vector_from_bytes(std::span<const uint8_t> in);

// ---- snarkjs's groth16 JSON (verification_key.json, proof.json, public.json) ----
// Decimal strings; G1 as [x, y, "1"], G2 as [[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]; curve "bn128".
std::string groth16_snarkjs_vk_json(const Groth16VerifyingKey& vk);
std::string groth16_snarkjs_proof_json(const Groth16Proof& proof);
std::string groth16_snarkjs_public_json(std::span<const Fr> public_inputs);

// And back (for proofs and keys made by snarkjs): canonical decimals only (< the field's
// modulus), G1/G2 points in the affine form above (z = "1"; z = "0" the identity), on their
// curves, G2 points in the subgroup. zkinfer::DecodeError naming the field otherwise.
Groth16VerifyingKey groth16_vk_from_snarkjs_json(const std::string& text);
Groth16Proof groth16_proof_from_snarkjs_json(const std::string& text);
std::vector<Fr> groth16_public_from_snarkjs_json(const std::string& text);

// The circuit in circom's .r1cs format (version 1: header, constraints, wire-to-label map; wires
// in z's order, all l public ones as public inputs, none as outputs) and its assignment in the
// .wtns format (version 2), so that snarkjs can set up and prove the same system
// (groth16_snarkjs_test: `snarkjs wtns check`, `groth16 setup`, `groth16 prove`).
std::vector<uint8_t> r1cs_snarkjs_bytes(const ConstraintSystem& cs);
std::vector<uint8_t> wtns_snarkjs_bytes(const ConstraintSystem& cs);

// The canonical value as a decimal string.
std::string to_decimal(const field::Fq& x);
std::string to_decimal(const Fr& x);

}  // namespace zkinfer::snark
