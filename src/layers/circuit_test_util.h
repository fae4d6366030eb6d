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
#include "layers/nl_circuit_test_util.h"
#include "snark/cfr.h"
#include "snark/circuit.h"
#include "snark/poseidon_gadget.h"
#include "transcript/poseidon_transcript.h"
#include "transcript/transcript.h"

namespace zkinfer::layers::ctest {

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

// For a layer whose proof P has a NonlinearProof part `nl` (pools, reductions): the variants of
// nl's messages changed one at a time (nl_circuit_test_util.h's tampered(), its evaluations
// sampled down to a few positions), each as a whole proof.
template <class P>
std::vector<std::pair<std::string, P>> tampered_nl(const P& proof, NonlinearProof P::*part = &P::nl,
                                                   const std::string& what = "nl") {
  std::vector<std::pair<std::string, P>> out;
  const auto all = testing::tampered(proof.*part);
  size_t evals = 0;
  for (const auto& [name, t] : all) evals += name.rfind("eval ", 0) == 0;
  const size_t step = evals > 6 ? evals / 6 : 1;
  size_t ei = 0;
  for (const auto& [name, t] : all) {
    if (name.rfind("eval ", 0) == 0 && (ei++ % step) != 0) continue;
    P b = proof;
    b.*part = t;
    out.emplace_back(what + " " + name, std::move(b));
  }
  return out;
}

// A layer verifier with input and advice claims run as a circuit on a proof's bytes: the honest
// proof (with the native verifier's claims want_in / want_adv) must satisfy the system with equal
// output claims; a changed claim value (when claim_checked) and each proof in `bad` must not. deser(ByteReader&) reads
// the circuit's proof; verify(claims, proof, tr, &in, &adv) is the layer's verify_*_as<CFr>.
// Returns the honest system's constraint count.
template <class P, class Deser, class Verify>
size_t check_layer_circuit(const std::vector<Claim>& claims, const P& proof, const std::vector<Claim>& want_in,
                           const std::vector<AdviceClaim>& want_adv, Deser deser, Verify verify,
                           const std::vector<std::pair<std::string, P>>& bad, bool claim_checked = true) {
  auto run = [&](const P& p, const std::vector<Claim>& cl, bool check, size_t* n) {
    const auto bytes = bytes_of(p);
    return circuit_satisfied(
        [&] {
          auto tr = circuit_transcript();
          const auto lc = lift_claims(cl);
          ByteReader r(bytes);
          const auto cp = deser(r);
          EXPECT_EQ(r.remaining(), 0u);
          std::vector<ClaimT<CFr>> in;
          std::vector<AdviceClaimT<CFr>> adv;
          const Verdict v = verify(lc, cp, tr, &in, &adv);
          if (v.ok() && check) {
            expect_same_claims(in, want_in, "input");
            EXPECT_EQ(adv.size(), want_adv.size());
            for (size_t i = 0; i < adv.size() && i < want_adv.size(); ++i) {
              EXPECT_EQ(adv[i].advice, want_adv[i].advice);
              expect_same_claim(adv[i].claim, want_adv[i].claim, "advice claim " + std::to_string(i));
            }
          }
          return v;
        },
        n);
  };
  size_t n = 0;
  EXPECT_TRUE(run(proof, claims, true, &n)) << "honest proof";
  if (claim_checked) {  // (a layer that passes the value on, e.g. a plain sum, checks nothing here)
    auto b = claims;
    b.back().value += Fr::one();
    EXPECT_FALSE(run(proof, b, false, nullptr)) << "changed claim value";
  }
  for (const auto& [what, b] : bad) EXPECT_FALSE(run(b, claims, false, nullptr)) << "changed " << what;
  return n;
}

}  // namespace zkinfer::layers::ctest
