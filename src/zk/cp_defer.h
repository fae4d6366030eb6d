// Deferring the zero-knowledge end section's group checks into the caller's batch MSM (zk/cp.h).
//
// A verifier's Context::verify_finish ends with five group equations: the three of the proof of
// product (step 2 in cp.h) and the two of the proof of dot product (step 5). Evaluated on their
// own they cost a dozen scalar multiplications and two MSMs, a fixed few milliseconds per proof.
// When its caller hands it a DeferredChecks (verify_finish's `defer`), verify_finish does not
// evaluate them: it multiplies each equation (a sum of terms that must be the identity) by its own
// nonzero weight, drawn (label `cp.defer.weight`) from a copy of the transcript once every term of
// the equation is absorbed (after `cp.prod.z`, after `cp.dot.z`), and appends it here. The
// whole-model verifier with the Hyrax backend then adds them to the batch opening's IpaBatch
// (the collector is passed to pcs::VerifierOpening::finish, pcs/hyrax_scheme.cc; with kzg, to
// the batch's one MSM and pairing check, pcs/kzg_scheme.cc and pcs::verify_batch's `extra`), whose one MSM decides them together with the openings' final checks: a
// false equation makes the sum the identity only when its weight, drawn after its terms and every
// earlier weight are fixed, hits the one cancelling value (probability 1/|F| per random-oracle
// query; the argument of pcs::IpaBatch, docs/PROTOCOL.md section 3). The proof's transcript is not
// changed, so provers and verifiers that defer and those that do not accept the same proofs.
//
// Whoever creates a DeferredChecks must evaluate what it collects (take() into a batch that is
// checked) before it is destroyed; settled() says whether it did. The proof of dot product's
// generator scalars are over the first generators of the Context's Hyrax parameters, which the
// batch must share.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "field/bn254.h"
#include "pcs/hyrax.h"
#include "pcs/ipa.h"

namespace zkinfer::cp {

struct DeferredCheck {
  std::string what;                 // the rejection reason if this equation alone fails
  std::vector<field::Fr> gen_scalars;  // weighted scalars of the first Hyrax generators
  pcs::MsmTerms rest;               // weighted other terms
};

class DeferredChecks {
 public:
  DeferredChecks() = default;
  DeferredChecks(const DeferredChecks&) = delete;
  DeferredChecks& operator=(const DeferredChecks&) = delete;

  void append(DeferredCheck c) { checks_.push_back(std::move(c)); }
  std::span<const DeferredCheck> checks() const { return checks_; }
  // The weighted equations, for the caller's batch; marks them taken.
  std::span<const DeferredCheck> take() {
    taken_ = true;
    return checks_;
  }
  bool settled() const { return checks_.empty() || taken_; }
  // The first equation that does not hold on its own ("" if all hold), against pp's generators:
  // for the rejection reason after the batch failed (one MSM per equation; the failure path only).
  std::string failing(const pcs::HyraxParams& pp) const;

 private:
  std::vector<DeferredCheck> checks_;
  bool taken_ = false;
};

}  // namespace zkinfer::cp
