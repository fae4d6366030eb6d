// Test-only: a layer verifier run as a circuit, for layers whose proofs are structs of their own
// (ElementwiseProofT, CompareProofT, DivProofT, ...; docs/protocol/wrap.md section 3). A case proves
// the layer over the Poseidon field transcript and serializes the proof; the harness verifies the
// bytes natively (deserialize<Fr>), then runs the layer's verifier over snark::CFr on the same
// bytes (deserialize<CFr>: one witness per message) with the claims lifted to public inputs, and
// checks: the honest proof satisfies the system (no false equality) with the native verifier's
// output claims (points and values); a change of any one message (each message of a short proof,
// else the first, the last and messages spread over the proof) leaves it unsatisfied. The layer's
// lookups are proven standalone (the layer's own batch, in its proof).
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "layers/nl_circuit_test_util.h"

namespace zkinfer::layers::testing {

// The field type of a range of ClaimT<F>.
template <class Claims>
using claims_field_t = std::remove_cvref_t<decltype(std::declval<Claims>()[0].point[0])>;

// Appends claims (ClaimT<F> or AdviceClaimT<F>) to a flat list of claims.
template <field::PrimeField F>
void flatten_into(std::vector<ClaimT<F>>& flat, const std::vector<ClaimT<F>>& cl) {
  flat.insert(flat.end(), cl.begin(), cl.end());
}
template <field::PrimeField F>
void flatten_into(std::vector<ClaimT<F>>& flat, const std::vector<AdviceClaimT<F>>& cl) {
  for (const auto& a : cl) {
    ClaimT<F> c = a.claim;
    c.point.push_back(F::from_u64(a.advice));  // the advice index is part of what must agree
    flat.push_back(std::move(c));
  }
}

struct ProofCircuitCase {
  std::string name;
  std::vector<Claim> claims;
  // Proves (a fresh prover each call) and returns the serialized proof.
  std::function<std::vector<uint8_t>(transcript::Transcript&)> prove;
  // Reads the proof from r and verifies it; the output claims flattened.
  std::function<Verdict(ByteReader&, std::span<const Claim>, transcript::Transcript&, std::vector<Claim>*)> verify;
  std::function<Verdict(ByteReader&, std::span<const ClaimT<CFr>>, transcript::Transcript&, std::vector<ClaimT<CFr>>*)>
      verify_circuit;
};

// vf: a generic callable (ByteReader&, std::span<const ClaimT<F>>, Transcript&, std::vector<ClaimT<F>>*)
// -> Verdict, instantiated for Fr and CFr.
template <class Prove, class VerifyAs>
ProofCircuitCase proof_case(std::string name, std::vector<Claim> claims, Prove prove, VerifyAs vf) {
  ProofCircuitCase c;
  c.name = std::move(name);
  c.claims = std::move(claims);
  c.prove = prove;
  c.verify = [vf](ByteReader& r, std::span<const Claim> cl, transcript::Transcript& tr, std::vector<Claim>* out) {
    return vf(r, cl, tr, out);
  };
  c.verify_circuit = [vf](ByteReader& r, std::span<const ClaimT<CFr>> cl, transcript::Transcript& tr,
                          std::vector<ClaimT<CFr>>* out) { return vf(r, cl, tr, out); };
  return c;
}

// The proof's bytes with message `word` plus one (a message is cp::kMessageBytes little-endian bytes).
inline std::vector<uint8_t> bump_message(std::vector<uint8_t> b, size_t word) {
  const size_t at = word * cp::kMessageBytes;
  EXPECT_LE(at + cp::kMessageBytes, b.size());
  if (at + cp::kMessageBytes > b.size()) return b;
  auto v = Fr::from_bytes(std::span<const uint8_t>(b.data() + at, cp::kMessageBytes));
  EXPECT_TRUE(v.has_value());
  const auto nb = (*v + Fr::one()).to_bytes();
  std::copy(nb.begin(), nb.end(), b.begin() + static_cast<std::ptrdiff_t>(at));
  return b;
}

struct ProofCircuitOutcome {
  bool satisfied = false;
  size_t constraints = 0;
  std::vector<ClaimT<CFr>> out;
};

inline ProofCircuitOutcome run_proof_circuit(const ProofCircuitCase& c, const std::vector<uint8_t>& bytes) {
  snark::ConstraintSystem cs;
  snark::CircuitScope scope(cs);
  transcript::Transcript tr = circuit_transcript();
  ByteReader rd(bytes);
  const auto claims = lift_claims(c.claims);
  ProofCircuitOutcome o;
  const Verdict v = c.verify_circuit(rd, claims, tr, &o.out);
  EXPECT_EQ(rd.remaining(), 0u) << c.name;
  EXPECT_TRUE(v.ok()) << c.name << ": " << v.reason();  // the circuit's shape never depends on the values
  o.satisfied = v.ok() && cs.is_satisfied() && scope.false_equalities() == 0;
  o.constraints = cs.num_constraints();
  return o;
}

// Honest: satisfied, the native claims; each changed message: unsatisfied. Returns the honest
// circuit's constraint count.
inline size_t check_proof_circuit(const ProofCircuitCase& c, size_t max_changes = 48) {
  SCOPED_TRACE(c.name);
  transcript::Transcript tp = native_transcript();
  const std::vector<uint8_t> bytes = c.prove(tp);
  std::vector<Claim> want;
  {
    transcript::Transcript tv = native_transcript();
    ByteReader rd(bytes);
    const Verdict v = c.verify(rd, c.claims, tv, &want);
    EXPECT_TRUE(v.ok()) << v.reason();
    EXPECT_EQ(rd.remaining(), 0u);
    if (!v.ok()) return 0;
  }
  const ProofCircuitOutcome honest = run_proof_circuit(c, bytes);
  EXPECT_TRUE(honest.satisfied) << "honest proof";
  EXPECT_EQ(honest.out.size(), want.size());
  for (size_t i = 0; i < honest.out.size() && i < want.size(); ++i)
    expect_same_claim(honest.out[i], want[i], c.name + ": output claim " + std::to_string(i));
  const size_t words = bytes.size() / cp::kMessageBytes;
  EXPECT_EQ(words * cp::kMessageBytes, bytes.size());
  std::vector<size_t> change;
  if (words <= max_changes) {
    for (size_t w = 0; w < words; ++w) change.push_back(w);
  } else {
    for (size_t k = 0; k < max_changes; ++k) change.push_back(k * (words - 1) / (max_changes - 1));
  }
  size_t false_claims = 0;
  for (size_t w : change) {
    const ProofCircuitOutcome o = run_proof_circuit(c, bump_message(bytes, w));
    if (!o.satisfied) continue;
    // A message that only passes a value on (an operand evaluation whose claim goes to the next
    // layer) may leave the system satisfied; then an output claim must be false: at the honest
    // run's point (a true claim there) with another value, so that the next layer or the opening
    // rejects it.
    bool same_points = o.out.size() == honest.out.size(), differs = false;
    for (size_t i = 0; same_points && i < o.out.size(); ++i) {
      same_points = o.out[i].point.size() == honest.out[i].point.size();
      for (size_t k = 0; same_points && k < o.out[i].point.size(); ++k)
        same_points = o.out[i].point[k].value() == honest.out[i].point[k].value();
      differs = differs || o.out[i].value.value() != honest.out[i].value.value();
    }
    EXPECT_TRUE(same_points && differs) << "changed message " << w << " of " << words
                                        << ": satisfied, and the output claims are not false claims";
    ++false_claims;
  }
  if (false_claims > 0)
    std::printf("  %s: %zu of %zu changed messages passed on as false output claims\n", c.name.c_str(), false_claims,
                change.size());
  return honest.constraints;
}

}  // namespace zkinfer::layers::testing
