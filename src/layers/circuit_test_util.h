// Shared helpers for the layer tests that run a verifier as a circuit (docs/protocol/wrap.md
// section 3): the Poseidon field transcripts (native and circuit twin), claims lifted to public
// inputs, a proof's bytes read as witnesses, and the comparison of the circuit's output claims
// with the native verifier's. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "layers/claim.h"
#include "snark/cfr.h"
#include "snark/circuit.h"
#include "snark/poseidon_gadget.h"
#include "transcript/poseidon_transcript.h"
#include "transcript/transcript.h"

namespace zkinfer::layers::testing {

using snark::CFr;

// The native Poseidon field transcript, and its circuit twin (same label: same challenges).
inline transcript::Transcript field_transcript(const char* label = "layers-test") {
  return transcript::Transcript(label, std::make_unique<transcript::PoseidonFieldSponge>());
}
inline transcript::Transcript circuit_transcript(const char* label = "layers-test") {
  return transcript::Transcript(label, std::make_unique<snark::PoseidonCircuitSponge>());
}

// Claims as public inputs of the current system.
inline ClaimT<CFr> lift_claim(const Claim& c) {
  ClaimT<CFr> x;
  for (const Fr& r : c.point) x.point.push_back(CFr::public_input(r));
  x.value = CFr::public_input(c.value.value());
  return x;
}
inline std::vector<ClaimT<CFr>> lift_claims(const std::vector<Claim>& cl) {
  std::vector<ClaimT<CFr>> out;
  for (const auto& c : cl) out.push_back(lift_claim(c));
  return out;
}

// The circuit's claim equals the native one (point and value).
inline void expect_same_claim(const ClaimT<CFr>& got, const Claim& want, const std::string& what = "") {
  SCOPED_TRACE(what);
  ASSERT_EQ(got.point.size(), want.point.size());
  for (size_t i = 0; i < got.point.size(); ++i) EXPECT_EQ(got.point[i].value(), want.point[i]) << "point " << i;
  EXPECT_EQ(got.value.value(), want.value.value());
}
inline void expect_same_claims(const std::vector<ClaimT<CFr>>& got, const std::vector<Claim>& want,
                               const std::string& what = "") {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) expect_same_claim(got[i], want[i], what + " claim " + std::to_string(i));
}

// Runs body (which builds the verifier's circuit over its own transcript and returns its verdict)
// in a fresh constraint system; the system's satisfaction (no false equality recorded, every
// constraint holding). The verdict itself must be "accept": a circuit's shape never depends on the
// values, so a wrong proof must show as an unsatisfied system, not a rejection. *constraints gets
// the system's size when non-null.
inline bool circuit_satisfied(const std::function<Verdict()>& body, size_t* constraints = nullptr) {
  snark::ConstraintSystem cs;
  snark::CircuitScope scope(cs);
  const Verdict v = body();
  EXPECT_TRUE(v.ok()) << v.reason();
  if (constraints) *constraints = cs.num_constraints();
  return v.ok() && cs.is_satisfied() && scope.false_equalities() == 0;
}

// The serialized bytes of a proof.
template <class P>
std::vector<uint8_t> bytes_of(const P& p) {
  ByteWriter w;
  p.serialize(w);
  return w.data();
}

}  // namespace zkinfer::layers::testing
