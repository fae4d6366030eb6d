// The multilinear commitment scheme the whole-model proof is written against (docs/PROOF.md,
// "Commitments"): commit to a vector of 2^n integers (the evaluations of an n-variable MLE), read
// and absorb a commitment, and open any number of claims f_c(z) = v on any number of commitments
// together. The layers never see a commitment (they produce claims on their advice, layers/claim.h);
// the steps hold the driver's Committed handles without looking inside; the driver (src/proof)
// commits, reads, and opens through this interface only. Hyrax (pcs/hyrax_scheme.h) is the
// transparent implementation; a pairing-based one (KZG family, issue 15) implements the same
// classes and is selected at setup.
//
// An opening runs in two halves, because in zero-knowledge mode the claimed values are hidden
// affine forms (zk/cp.h) that must be bound to Pedersen commitments, and the relations among them
// proven, between the two:
//   front   prove_open / verify_open: whatever reduction the scheme needs (Hyrax: every claim
//           split by its row layout and the short vectors reduced to one point by a sumcheck whose
//           messages go through cp) ending in a few values (cp::Val, linear forms in the messages)
//           that the final openings will prove;
//   binding the caller binds each value (cp::Context::bind_claim, or EvalClaim::plain when the
//           proof is plain), and runs cp's end section;
//   back    ProverOpening::finish / VerifierOpening::finish: the openings of those values, and of
//           cp's pad matrix when the proof hides its messages.
// Messages are written to / read from the proof in this order, and absorbed before every
// challenge that depends on them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "field/bn254.h"
#include "pcs/hyrax_eval.h"
#include "transcript/transcript.h"
#include "zk/cp.h"

namespace zkinfer::pcs {

using field::Fr;

// What a commitment is for: the verifying key's weight commitments (made once at setup, opened by
// every proof) or a proof's own vectors (advice, digits, lookup multiplicities). A scheme may
// shape them differently (Hyrax: balanced rows for the key, wide rows in a proof).
enum class Use { kKey, kProof };

// A public commitment to one MLE.
class Commitment {
 public:
  virtual ~Commitment() = default;
  virtual size_t num_vars() const = 0;
  // How many blinding factors its opening secrets hold (Committed::blinds).
  virtual size_t num_blinds() const = 0;
  // Self-describing, strict bytes (Scheme::read reads them back).
  virtual void serialize(ByteWriter& w) const = 0;
  virtual void absorb_into(transcript::Transcript& tr) const = 0;
  virtual bool equals(const Commitment& other) const = 0;
};
using CommitmentPtr = std::shared_ptr<const Commitment>;

// The prover's side of a commitment: the public part and the opening secrets (blinding factors;
// Scheme::blind_count of them, all zero for a commitment that does not hide).
struct Committed {
  CommitmentPtr commitment;
  std::vector<Fr> blinds;
  // Hyrax only: the committed table as small integers (pcs/small_values.h); prove_open then takes
  // an empty table for it and computes its row combinations from these (a key's weights: no
  // padded Fr copy per proof). Not owned.
  const SmallValues* small = nullptr;
};

// A claim f_com(point) = value on commitment number `com` of an opening's list.
struct OpenClaim {
  size_t com = 0;
  std::vector<Fr> point;  // num_vars(com) coordinates
  cp::Val value;
};

// The prover's opening between its two halves.
class ProverOpening {
 public:
  virtual ~ProverOpening() = default;
  // The values the back half proves, as the prover computes them (plain mode: their values).
  // The zero-knowledge prover takes them from its replay of the verifier instead (same forms).
  virtual std::vector<cp::Val> values() const = 0;
  // The back half: claims[i] binds values()[i]; zk (when the proof hides its messages, after its
  // end section) has its pad matrix opened too.
  virtual void finish(std::span<const ProverClaim> claims, const cp::Context* zk, transcript::Transcript& tr,
                      ByteWriter& w, const RandomFr& random) = 0;
};

// The verifier's opening between its two halves.
class VerifierOpening {
 public:
  virtual ~VerifierOpening() = default;
  virtual std::vector<cp::Val> values() const = 0;
  // `deferred`: the zero-knowledge end section's group equations that zk's verify_finish deferred
  // (zk/cp_defer.h), to be decided here (Hyrax: in the openings' one MSM), or nullptr.
  virtual Verdict finish(std::span<const EvalClaim> claims, const cp::Context* zk, transcript::Transcript& tr,
                         ByteReader& r, cp::DeferredChecks* deferred = nullptr) = 0;
};

class Scheme {
 public:
  virtual ~Scheme() = default;
  virtual std::string_view name() const = 0;

  // ---- commitments ----
  // The number of blinding factors a commitment to 2^num_vars values takes.
  virtual size_t blind_count(size_t num_vars, Use use) const = 0;
  // values.size() is a power of two; blinds.size() == blind_count(log2 size, use).
  virtual Committed commit(std::span<const int64_t> values, Use use, std::vector<Fr> blinds) const = 0;
  // Strict decoding (throws DecodeError): any commitment this scheme serializes.
  virtual CommitmentPtr read(ByteReader& r) const = 0;
  // Whether c is this scheme's commitment of the shape it gives `num_vars` values for `use` (a
  // verifier reads a commitment, then checks it has the shape the model says).
  virtual bool fits(const Commitment& c, size_t num_vars, Use use) const = 0;

  // ---- openings ----
  // The front half. tables[c] holds the 2^n_c values of coms[c]; every commitment has at least
  // one claim. No claims at all: an empty opening (nothing written).
  virtual std::unique_ptr<ProverOpening> prove_open(std::span<const Committed* const> coms,
                                                    std::span<const std::span<const Fr>> tables,
                                                    std::span<const OpenClaim> claims, transcript::Transcript& tr,
                                                    ByteWriter& w) const = 0;
  // The verifier's front half; a rejection leaves *out empty.
  virtual Verdict verify_open(std::span<const Commitment* const> coms, std::span<const OpenClaim> claims,
                              transcript::Transcript& tr, ByteReader& r,
                              std::unique_ptr<VerifierOpening>* out) const = 0;

  // ---- zero knowledge ----
  // The context that pads a proof's messages (zk/cp.h); random set: the prover's.
  virtual std::unique_ptr<cp::Context> zk_context(const RandomFr* random) const = 0;
};

// Claims grouped by commitment, for callers that meet claims in any order: add(c, point, value)
// numbers each distinct commitment once, in first-seen order.
template <class Handle>
class ClaimList {
 public:
  void add(Handle c, std::vector<Fr> point, cp::Val value) {
    auto [it, fresh] = index_.emplace(c, handles_.size());
    if (fresh) handles_.push_back(c);
    claims_.push_back({it->second, std::move(point), std::move(value)});
  }
  const std::vector<Handle>& handles() const { return handles_; }
  const std::vector<OpenClaim>& claims() const { return claims_; }
  bool empty() const { return claims_.empty(); }

 private:
  std::map<Handle, size_t> index_;
  std::vector<Handle> handles_;
  std::vector<OpenClaim> claims_;
};

}  // namespace zkinfer::pcs
