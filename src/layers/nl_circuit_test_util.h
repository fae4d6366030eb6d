// Test-only: the non-linear layers' verifiers run as circuits (docs/protocol/wrap.md section 3).
// A case proves a layer over the Poseidon field transcript; the harness verifies it natively, then
// runs the layer's verifier over snark::CFr on the proof's bytes (deserialize_proof<CFr>: one
// witness per message) with the claims lifted to public inputs, and checks: the honest proof
// satisfies the system with the native verifier's output claims (points and values); each kind of
// changed message (evaluation, multiplicity, LogUp root, step round and final values, segment and
// multiplicity values, zero-check rounds and finals) leaves it unsatisfied. Two modes: standalone
// (each layer proves its own lookups) and under one model-wide lookup batch (the session's
// circuit_lookup_verifier; the batch verified as a circuit too).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "layers/rescale.h"
#include "lookup/batch.h"
#include "poly/mle.h"
#include "snark/cfr.h"
#include "snark/poseidon_gadget.h"
#include "transcript/poseidon_transcript.h"
#include "zk/session.h"

namespace zkinfer::layers::testing {

using snark::CFr;

// One layer instance: its output claims, its proof layout for them, a prover (called once per
// proof: a fresh layer prover each time) and the verifier over Fr and over CFr.
struct NlCircuitCase {
  struct Proved {
    NonlinearProof proof;
    std::vector<Claim> in;
    std::vector<AdviceClaim> adv;
    std::vector<LayerAdvice> advice;
    std::shared_ptr<void> keep;  // the prover (its advice backs a model-wide batch until it is proven)
  };
  std::string name;
  std::vector<Claim> claims;
  ProofLayout layout;
  std::function<Proved(transcript::Transcript&)> prove;
  std::function<Verdict(std::span<const Claim>, const NonlinearProof&, transcript::Transcript&, std::vector<Claim>*,
                        std::vector<AdviceClaim>*)>
      verify;
  std::function<Verdict(std::span<const ClaimT<CFr>>, const NonlinearProofT<CFr>&, transcript::Transcript&,
                        std::vector<ClaimT<CFr>>*, std::vector<AdviceClaimT<CFr>>*)>
      verify_circuit;
};

// A case from a prover type P (constructed by make(), with advice() and prove(claims, tr, &in,
// &adv)) and a verifier template instantiated for both field types.
template <class MakeProver, class VerifyAs>
NlCircuitCase nl_case(std::string name, std::vector<Claim> claims, ProofLayout layout, MakeProver make, VerifyAs vf) {
  NlCircuitCase c;
  c.name = std::move(name);
  c.claims = std::move(claims);
  c.layout = std::move(layout);
  const std::vector<Claim> cl = c.claims;
  c.prove = [make, cl](transcript::Transcript& tr) {
    auto p = make();
    NlCircuitCase::Proved r;
    r.advice = p->advice();
    r.proof = p->prove(cl, tr, &r.in, &r.adv);
    r.keep = std::shared_ptr<void>(std::move(p));
    return r;
  };
  c.verify = [vf](std::span<const Claim> cl2, const NonlinearProof& p, transcript::Transcript& tr, std::vector<Claim>* in,
                  std::vector<AdviceClaim>* adv) { return vf(cl2, p, tr, in, adv); };
  c.verify_circuit = [vf](std::span<const ClaimT<CFr>> cl2, const NonlinearProofT<CFr>& p, transcript::Transcript& tr,
                          std::vector<ClaimT<CFr>>* in, std::vector<AdviceClaimT<CFr>>* adv) { return vf(cl2, p, tr, in, adv); };
  return c;
}

inline transcript::Transcript native_transcript() {
  return transcript::Transcript("nl-circuit-test", std::make_unique<transcript::PoseidonFieldSponge>());
}
inline transcript::Transcript circuit_transcript() {
  return transcript::Transcript("nl-circuit-test", std::make_unique<snark::PoseidonCircuitSponge>());
}

inline std::vector<ClaimT<CFr>> lift_claims(std::span<const Claim> cl) {
  std::vector<ClaimT<CFr>> out;
  for (const auto& c : cl) {
    ClaimT<CFr> x;
    for (const Fr& r : c.point) x.point.push_back(CFr::public_input(r));
    x.value = CFr::public_input(c.value.value());
    out.push_back(std::move(x));
  }
  return out;
}

inline void expect_same_claim(const ClaimT<CFr>& got, const Claim& want, const std::string& what) {
  ASSERT_EQ(got.point.size(), want.point.size()) << what;
  for (size_t i = 0; i < got.point.size(); ++i) EXPECT_EQ(got.point[i].value(), want.point[i]) << what << " point " << i;
  EXPECT_EQ(got.value.value(), want.value.value()) << what << " value";
}
inline void expect_same_claims(const std::vector<ClaimT<CFr>>& in, const std::vector<Claim>& want_in,
                               const std::vector<AdviceClaimT<CFr>>& adv, const std::vector<AdviceClaim>& want_adv,
                               const std::string& what) {
  ASSERT_EQ(in.size(), want_in.size()) << what;
  for (size_t i = 0; i < in.size(); ++i) expect_same_claim(in[i], want_in[i], what + ": input claim " + std::to_string(i));
  ASSERT_EQ(adv.size(), want_adv.size()) << what;
  for (size_t i = 0; i < adv.size(); ++i) {
    EXPECT_EQ(adv[i].advice, want_adv[i].advice) << what;
    expect_same_claim(adv[i].claim, want_adv[i].claim, what + ": advice claim " + std::to_string(i));
  }
}

// The proof's messages, one mutator per changed message kind (and per position where cheap):
// each returns a copy of p with one value plus one.
inline std::vector<std::pair<std::string, NonlinearProof>> tampered(const NonlinearProof& p) {
  std::vector<std::pair<std::string, NonlinearProof>> out;
  auto bump = [](cp::Val& v) { v = cp::Val(v.value() + Fr::one()); };
  // Evaluations: the first two, a middle one and the last two (each is one message like the others).
  std::vector<size_t> at;
  for (size_t i : {size_t{0}, size_t{1}, p.evals.size() / 2, p.evals.size() - 2, p.evals.size() - 1})
    if (i < p.evals.size() && std::find(at.begin(), at.end(), i) == at.end()) at.push_back(i);
  for (size_t i : at) {
    NonlinearProof t = p;
    bump(t.evals[i]);
    out.emplace_back("eval " + std::to_string(i), std::move(t));
  }
  for (size_t i = 0; i < p.multiplicities.size(); ++i) {
    NonlinearProof t = p;
    bump(t.multiplicities[i][0]);
    out.emplace_back("multiplicity vector " + std::to_string(i), std::move(t));
  }
  if (!p.lookups.empty()) {
    NonlinearProof t = p;
    bump(t.lookups.gkr.root_numerator);
    out.emplace_back("lookup root numerator", std::move(t));
    t = p;
    bump(t.lookups.gkr.root_denominator);
    out.emplace_back("lookup root denominator", std::move(t));
    for (size_t s = 0; s < p.lookups.gkr.steps.size(); ++s) {
      if (!p.lookups.gkr.steps[s].rounds.empty()) {
        t = p;
        bump(t.lookups.gkr.steps[s].rounds.back().evals[0]);
        out.emplace_back("lookup step " + std::to_string(s) + " round", std::move(t));
      }
      t = p;
      bump(t.lookups.gkr.steps[s].final_evals.back());
      out.emplace_back("lookup step " + std::to_string(s) + " final", std::move(t));
    }
    t = p;
    bump(t.lookups.segment_evals.back());
    out.emplace_back("lookup segment value", std::move(t));
    t = p;
    bump(t.lookups.multiplicity_evals[0]);
    out.emplace_back("lookup multiplicity value", std::move(t));
  }
  for (size_t i = 0; i < p.sumchecks.size(); ++i) {
    for (size_t k = 0; k < p.sumchecks[i].rounds.size(); ++k) {
      if (k != 0 && k + 1 != p.sumchecks[i].rounds.size()) continue;  // the first and last rounds
      NonlinearProof t = p;
      bump(t.sumchecks[i].rounds[k].evals[0]);
      out.emplace_back("sumcheck " + std::to_string(i) + " round " + std::to_string(k), std::move(t));
    }
    for (size_t k = 0; k < p.sumchecks[i].final_evals.size(); ++k) {
      NonlinearProof t = p;
      bump(t.sumchecks[i].final_evals[k]);
      out.emplace_back("sumcheck " + std::to_string(i) + " final " + std::to_string(k), std::move(t));
    }
  }
  return out;
}

struct CircuitOutcome {
  bool accepted = false, satisfied = false;
  size_t constraints = 0;
  std::vector<ClaimT<CFr>> in;
  std::vector<AdviceClaimT<CFr>> adv;
};

// The circuit verifier on proof p's bytes, standalone (no session), in a system of its own.
inline CircuitOutcome run_standalone_circuit(const NlCircuitCase& c, const NonlinearProof& p) {
  snark::ConstraintSystem cs;
  snark::CircuitScope scope(cs);
  transcript::Transcript tr = circuit_transcript();
  ByteWriter w;
  p.serialize(w);
  ByteReader rd(w.data());
  const NonlinearProofT<CFr> cp = deserialize_proof<CFr>(rd, c.layout);
  EXPECT_EQ(rd.remaining(), 0u) << c.name;
  const auto claims = lift_claims(c.claims);
  CircuitOutcome o;
  const Verdict v = c.verify_circuit(claims, cp, tr, &o.in, &o.adv);
  o.accepted = v.ok();
  EXPECT_TRUE(v.ok()) << c.name << ": " << v.reason();  // the circuit's shape never depends on the values
  o.satisfied = cs.is_satisfied() && scope.false_equalities() == 0;
  o.constraints = cs.num_constraints();
  return o;
}

// Standalone: honest proof satisfies and gives the native claims; every tampered message does not.
// Returns the honest circuit's constraint count.
inline size_t check_standalone(const NlCircuitCase& c) {
  SCOPED_TRACE(c.name);
  transcript::Transcript tp = native_transcript();
  const NlCircuitCase::Proved pr = c.prove(tp);
  std::vector<Claim> in;
  std::vector<AdviceClaim> adv;
  {
    transcript::Transcript tv = native_transcript();
    const Verdict v = c.verify(c.claims, pr.proof, tv, &in, &adv);
    EXPECT_TRUE(v.ok()) << v.reason();
    if (!v.ok()) return 0;
  }
  const CircuitOutcome honest = run_standalone_circuit(c, pr.proof);
  EXPECT_TRUE(honest.satisfied) << "honest proof";
  expect_same_claims(honest.in, in, honest.adv, adv, c.name);
  for (const auto& [what, bad] : tampered(pr.proof)) {
    const CircuitOutcome o = run_standalone_circuit(c, bad);
    EXPECT_FALSE(o.satisfied) << "changed " << what;
  }
  return honest.constraints;
}

// Under one model-wide lookup batch: the layers of `cases` proven and verified in order with one
// lookup::BatchProver / BatchVerifier (natively) and BatchVerifier<CFr> (the circuit), then the
// batch. Honest: satisfied, the layers' and the batch's claims equal the native ones; a changed
// layer evaluation, a changed batch segment value, multiplicity value or root: unsatisfied.
// Returns the honest circuit's constraint count.
inline size_t check_batched(const std::vector<NlCircuitCase>& cases) {
  // Prover.
  lookup::BatchProver<Fr> bp;
  transcript::Transcript tp = native_transcript();
  std::vector<NlCircuitCase::Proved> proved;
  {
    const ProofSession session{nullptr, &bp, nullptr};
    tp.set_session(&session);
    for (size_t i = 0; i < cases.size(); ++i) {
      proved.push_back(cases[i].prove(tp));
      EXPECT_TRUE(proved.back().proof.lookups.empty() && proved.back().proof.multiplicities.empty()) << cases[i].name;
      bp.assign_owner(i);
    }
    tp.set_session(nullptr);
  }
  const auto counts = bp.prepare();
  for (const auto& cnt : counts)
    for (uint64_t k : cnt) tp.absorb_u64("test.m", k);
  auto res = bp.prove(tp);
  std::vector<std::vector<uint8_t>> bytes;
  for (const auto& p : proved) {
    ByteWriter w;
    p.proof.serialize(w);
    bytes.push_back(w.data());
  }
  ByteWriter bw;
  res.proof.serialize(bw);
  const std::vector<uint8_t> batch_bytes = bw.data();

  // Native verifier.
  std::vector<std::vector<Claim>> ins(cases.size());
  std::vector<std::vector<AdviceClaim>> advs(cases.size());
  std::vector<lookup::SegmentClaim<Fr>> sc;
  std::vector<lookup::MultiplicityClaim<Fr>> mc;
  {
    lookup::BatchVerifier<Fr> bv;
    transcript::Transcript tv = native_transcript();
    const ProofSession session{nullptr, nullptr, &bv};
    tv.set_session(&session);
    for (size_t i = 0; i < cases.size(); ++i) {
      ByteReader rd(bytes[i]);
      rd.set_session(&session);
      const NonlinearProof back = deserialize_proof(rd, cases[i].layout);
      EXPECT_EQ(rd.remaining(), 0u) << cases[i].name;
      const Verdict v = cases[i].verify(cases[i].claims, back, tv, &ins[i], &advs[i]);
      EXPECT_TRUE(v.ok()) << cases[i].name << ": " << v.reason();
      if (!v.ok()) return 0;
      bv.assign_owner(i, cases[i].name);
    }
    tv.set_session(nullptr);
    for (const auto& cnt : counts)
      for (uint64_t k : cnt) tv.absorb_u64("test.m", k);
    ByteReader rd(batch_bytes);
    const auto bproof = lookup::BatchProof<Fr>::deserialize(rd, bv.shapes());
    const Verdict v = bv.verify(bproof, tv, &sc, &mc);
    EXPECT_TRUE(v.ok()) << v.reason();
    if (!v.ok()) return 0;
  }

  // The circuit, on (possibly changed) bytes. change(layer bytes, batch bytes) edits them.
  struct Out {
    bool satisfied = false;
    size_t constraints = 0, tables = 0;
  };
  auto run = [&](const std::vector<std::vector<uint8_t>>& lb, const std::vector<uint8_t>& bb, bool check) {
    snark::ConstraintSystem cs;
    snark::CircuitScope scope(cs);
    lookup::BatchVerifier<CFr> bvc;
    transcript::Transcript tr = circuit_transcript();
    ProofSession session;
    session.circuit_lookup_verifier = &bvc;
    tr.set_session(&session);
    for (size_t i = 0; i < cases.size(); ++i) {
      ByteReader rd(lb[i]);
      rd.set_session(&session);
      const NonlinearProofT<CFr> back = deserialize_proof<CFr>(rd, cases[i].layout);
      EXPECT_EQ(rd.remaining(), 0u) << cases[i].name;
      EXPECT_TRUE(back.lookups.empty() && back.multiplicities.empty());
      const auto claims = lift_claims(cases[i].claims);
      std::vector<ClaimT<CFr>> in;
      std::vector<AdviceClaimT<CFr>> adv;
      const Verdict v = cases[i].verify_circuit(claims, back, tr, &in, &adv);
      EXPECT_TRUE(v.ok()) << cases[i].name << ": " << v.reason();
      if (check) expect_same_claims(in, ins[i], adv, advs[i], cases[i].name);
      bvc.assign_owner(i, cases[i].name);
    }
    tr.set_session(nullptr);
    for (const auto& cnt : counts)
      for (uint64_t k : cnt) tr.absorb_u64("test.m", k);
    ByteReader rd(bb);
    const auto bproof = lookup::BatchProof<CFr>::deserialize(rd, bvc.shapes());
    std::vector<lookup::SegmentClaim<CFr>> scc;
    std::vector<lookup::MultiplicityClaim<CFr>> mcc;
    const Verdict v = bvc.verify(bproof, tr, &scc, &mcc);
    EXPECT_TRUE(v.ok()) << v.reason();
    if (check) {
      EXPECT_EQ(bvc.num_tables(), mc.size()) << "the circuit batch groups the tables as the native one";
      EXPECT_EQ(scc.size(), sc.size());
      for (size_t j = 0; j < scc.size() && j < sc.size(); ++j) {
        EXPECT_EQ(scc[j].owner, sc[j].owner);
        EXPECT_EQ(scc[j].id, sc[j].id);
        EXPECT_EQ(scc[j].column, sc[j].column);
        expect_same_claim(ClaimT<CFr>{scc[j].point, scc[j].value}, Claim{sc[j].point, sc[j].value}, "segment claim");
      }
      EXPECT_EQ(mcc.size(), mc.size());
      for (size_t j = 0; j < mcc.size() && j < mc.size(); ++j)
        expect_same_claim(ClaimT<CFr>{mcc[j].point, mcc[j].value}, Claim{mc[j].point, mc[j].value}, "multiplicity claim");
    }
    return Out{cs.is_satisfied() && scope.false_equalities() == 0, cs.num_constraints(), bvc.num_tables()};
  };
  const Out honest = run(bytes, batch_bytes, true);
  EXPECT_TRUE(honest.satisfied) << "honest batch";
  // Changed messages: each word is one message (cp::kMessageBytes; plain mode), so a change of its
  // lowest byte changes one message's value.
  auto bump_word = [](std::vector<uint8_t> b, size_t word) {
    const size_t at = word * cp::kMessageBytes;
    EXPECT_LT(at, b.size());
    if (at < b.size()) b[at] ^= 1;
    return b;
  };
  // (The first, a middle and the last layer: each run builds the whole batch's circuit.)
  for (size_t i = 0; i < cases.size(); ++i) {
    if (bytes[i].empty() || (i != 0 && i != cases.size() / 2 && i + 1 != cases.size())) continue;
    auto lb = bytes;
    lb[i] = bump_word(lb[i], 0);
    EXPECT_FALSE(run(lb, batch_bytes, false).satisfied) << "changed first message of " << cases[i].name;
    lb = bytes;
    lb[i] = bump_word(lb[i], lb[i].size() / cp::kMessageBytes - 1);
    EXPECT_FALSE(run(lb, batch_bytes, false).satisfied) << "changed last message of " << cases[i].name;
  }
  const size_t words = batch_bytes.size() / cp::kMessageBytes;
  for (size_t word : {size_t{0}, size_t{1}, size_t{2}, words / 2, words - 1}) {  // roots, a step, ..., a multiplicity value
    EXPECT_FALSE(run(bytes, bump_word(batch_bytes, word), false).satisfied) << "changed batch message " << word;
  }
  return honest.constraints;
}

}  // namespace zkinfer::layers::testing
