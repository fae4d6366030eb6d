// A hiding, zero-knowledge multilinear polynomial commitment over BN254 from a powers-of-tau
// setup (pcs/ptau.h): masked HyperKZG. The protocol, the choice of scheme, the soundness and the
// zero-knowledge (simulator) arguments are in docs/protocol/kzg.md; in short:
//
//  - An MLE f of n variables with evaluations f_0 .. f_{2^n - 1} (index bit k = variable k) is the
//    univariate f(X) = sum_i f_i X^i. Commitment: C = sum_i f_i [tau^i]_1 + rho [beta]_1 with a
//    uniformly random rho: perfectly hiding ([beta]_1 = betaTauG1[0] of the ceremony file).
//  - Claims "f(z) = v" carry v in the clear (EvalClaim::plain) or as a Pedersen commitment
//    P = v U + t H with Hyrax's U and H (pcs/hyrax.h: the same generators zk/cp.h commits values
//    with; EvalClaim::committed).
//  - A batch of (commitment, point, claim) items is one proof. Items are grouped by point (after
//    zero-padding, as in pcs/hyrax_eval.h); each group's polynomials are combined by powers of a
//    challenge gamma into F, masked by a fresh random MLE m (pcs/kzg_mask.h; committed as C_m, with
//    M = m(z) U + t_m H) as G = F + eta m for a challenge eta; the prover reveals G(z), the blind of
//    C_F + eta C_m and the blind of P_F + eta M (all uniform), and proves G(z) by HyperKZG (Gemini
//    folding: Bootle, Chiesa, Hu, Orrù, EUROCRYPT 2022, in the form of Setty's HyperKZG in Nova): commitments to the n - 1 folds, their values
//    at r, -r, r^2 for one challenge r shared by all groups, and three KZG witnesses for all
//    polynomials of the batch together. The verifier checks the fold equations, one MSM for the
//    Pedersen equations, and ONE pairing equation of two pairings for the whole batch.
//  - Proof size per group: n + 1 G1 points and 3 max(n, 1) + 3 scalars; plus 3 G1 per batch.
//
// Failures are Verdicts classified Failure::kOpening (pcs/hyrax_eval.h does the same), with a
// reason naming the group and the check.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "curve/g1.h"
#include "curve/g2.h"
#include "pcs/hyrax_eval.h"
#include "pcs/ptau.h"
#include "transcript/transcript.h"

namespace zkinfer::pcs {

inline constexpr size_t kKzgMaxVars = 30;

// How a batch opening proves its combined polynomial's values at r, -r and r^2
// (docs/protocol/kzg.md section 3, step 7):
//  - kThreeWitnesses: one KZG witness per point, checked with a 2-pair pairing (kzg keys of
//    versions 3 and 4);
//  - kOneWitness: one witness of (B - I) / Z with Z = (X - r)(X + r)(X - r^2), checked with a
//    3-pair pairing over [tau^3]_2 and [tau^2 + tau]_2 (key version 6: two fewer 2^N MSMs for the
//    prover). Its verifier part also holds [tau]_1, [tau^2]_1, [tau^2]_2 and [tau^3]_2.
enum class KzgForm : uint8_t { kThreeWitnesses, kOneWitness };

class KzgParams {
 public:
  // The first 2^max_vars powers of a loaded (and therefore checked) ptau. Throws zkinfer::Error
  // if it holds fewer.
  KzgParams(const Ptau& ptau, size_t max_vars, KzgForm form = KzgForm::kOneWitness);
  // What read_ptau must load for max_vars.
  static PtauOptions ptau_options(size_t max_vars);
  // Reads, checks and keeps the first 2^max_vars powers of FILE.ptau.
  static KzgParams from_ptau_file(const std::string& path, size_t max_vars);
  // INSECURE, for tests and benchmarks only: powers of a KNOWN tau and beta (anyone who knows them
  // can forge openings).
  static KzgParams insecure_from_secrets(const Fr& tau, const Fr& beta, size_t max_vars,
                                         KzgForm form = KzgForm::kOneWitness);
  KzgForm form() const { return form_; }
  // The same SRS proving and verifying in another form (throws zkinfer::Error when a one-witness
  // form is asked of a verifier part that lacks its extra powers).
  KzgParams with_form(KzgForm form) const;
  // What a verifier keeps (a verifying key's SRS block): [1]_1 as the only power, [beta]_1, [1]_2,
  // [tau]_2, and max_vars as stated by the key. A verifier-only KzgParams cannot commit.
  KzgParams verifier_part() const;
  bool has_powers() const { return powers_.size() == (size_t{1} << max_vars_); }

  // The verifier's part: u32 max_vars, [1]_1, [beta]_1 (32 bytes each, compressed), [1]_2,
  // [tau]_2 (64 each); in the one-witness form then [tau]_1, [tau^2]_1, [tau^2]_2, [tau^3]_2.
  // Strict: max_vars <= kKzgMaxVars; [1]_1 and [1]_2 the standard generators (those of every
  // snarkjs / Perpetual Powers of Tau file); the other points valid, not the identity, the G2
  // ones in the subgroup.
  void serialize_verifier(ByteWriter& w) const;
  static KzgParams deserialize_verifier(ByteReader& r, KzgForm form);
  // The prover's powers after the verifier part (u64 2^max_vars | 2^63, uncompressed x, y; also
  // read: compressed, count without the bit): read_powers checks the points and [tau]_2 (one randomized
  // pairing check: e(sum r_i P_i, [tau]_2) = e(sum r_i P_(i+1), [1]_2)), throwing DecodeError.
  void serialize_powers(ByteWriter& w) const;
  // cache (optional): a record of powers that passed the pairing check before (proof/key_cache.h
  // keeps one per user, `zkinfer prove`): looked up by powers_digest of the verifier part and the
  // powers' bytes; on a hit the pairing check (two 2^max_vars-point MSMs, most of the load) is
  // skipped, every other check is made; on a miss the powers are checked and, if they pass,
  // recorded. *cached (if non-null) says whether the cache vouched for them.
  class CheckCache {
   public:
    virtual ~CheckCache() = default;
    virtual bool checked(const std::array<uint8_t, 32>& digest) const = 0;
    virtual void record(const std::array<uint8_t, 32>& digest) const = 0;  // never throws
  };
  static KzgParams read_powers(const KzgParams& verifier, ByteReader& r, const CheckCache* cache = nullptr,
                               bool* cached = nullptr);
  // keccak256 of a domain tag, the verifier part's encoding and the powers' encoding as
  // serialize_powers writes it (or as read: the count word and the points' bytes).
  static std::array<uint8_t, 32> powers_digest(const KzgParams& verifier, uint64_t head,
                                               std::span<const uint8_t> points);

  size_t max_vars() const { return max_vars_; }
  std::span<const G1Affine> powers() const { return powers_; }        // [tau^i]_1, 2^max_vars
  std::span<const G1Affine> powers(size_t n) const;                   // the first n
  const G1Affine& g1() const { return g1_; }                          // [1]_1
  const G1Affine& beta_g1() const { return beta_g1_; }                // [beta]_1 (blinding base)
  const G2Affine& g2() const { return g2_; }                          // [1]_2
  const G2Affine& tau_g2() const { return tau_g2_; }                  // [tau]_2
  // The one-witness form's extra powers (the identity in the three-witness form).
  const G1Affine& tau_g1() const { return tau_g1_; }    // [tau]_1
  const G1Affine& tau2_g1() const { return tau2_g1_; }  // [tau^2]_1
  const G2Affine& tau2_g2() const { return tau2_g2_; }  // [tau^2]_2
  const G2Affine& tau3_g2() const { return tau3_g2_; }  // [tau^3]_2
  const G2Affine& tau2_plus_tau_g2() const { return tau2_plus_tau_g2_; }  // [tau^2 + tau]_2
  const G1Affine& u() const { return u_; }  // claim value generator (Hyrax's U)
  const G1Affine& h() const { return h_; }  // claim blinding generator (Hyrax's H)

  // Why this SRS is not the one of the (loaded and checked) powers-of-tau file p, or nullopt when
  // it is: [1]_1, [1]_2, [beta]_1 = betaTauG1[0] and [tau]_2 = tauG2[1] (one-witness form also
  // [tau]_1, [tau^2]_1 = tauG1[1..2] and [tau^2]_2, [tau^3]_2 = tauG2[2..3]) equal the file's, and the
  // file holds the 2^max_vars powers the key states. A verifier who trusts a ceremony's file checks
  // a key made by someone else with this (`zkinfer verify --srs`): the openings' soundness rests on
  // nobody knowing tau, which only the ceremony vouches for.
  std::optional<std::string> srs_mismatch(const Ptau& p) const;
  // What read_ptau must load for srs_mismatch (three G1 and four G2 powers).
  static PtauOptions srs_check_options();

  // Absorbs what the verifier uses: [1]_1, [beta]_1, [1]_2, [tau]_2, U, H, and in the one-witness
  // form [tau]_1, [tau^2]_1, [tau^2]_2, [tau^3]_2 ("kzg.srs").
  void absorb_into(transcript::Transcript& t) const;

 private:
  KzgParams() = default;
  void set_derived();  // U, H and [tau^2 + tau]_2
  size_t max_vars_ = 0;
  KzgForm form_ = KzgForm::kOneWitness;
  std::vector<G1Affine> powers_;
  G1Affine g1_, beta_g1_, u_, h_, tau_g1_, tau2_g1_;
  G2Affine g2_, tau_g2_, tau2_g2_, tau3_g2_, tau2_plus_tau_g2_;
};

struct KzgCommitment {
  uint32_t num_vars = 0;
  G1Affine point;

  // u32 num_vars, then the compressed point (32 bytes). Strict: num_vars <= kKzgMaxVars, a
  // canonical on-curve point (g1.h), nothing else.
  void serialize(ByteWriter& w) const;
  static KzgCommitment deserialize(ByteReader& r);
  std::vector<uint8_t> to_bytes() const;
  static KzgCommitment from_bytes(std::span<const uint8_t> bytes);  // throws DecodeError
  // Absorbs num_vars and the point ("kzg.commitment"): to_bytes() in a v1 transcript; in a v2 one
  // u32 big-endian num_vars and the point's big-endian word (transcript/transcript.h).
  void absorb_into(transcript::Transcript& t) const;
  friend bool operator==(const KzgCommitment&, const KzgCommitment&) = default;
};

struct KzgBlinds {
  Fr rho;
};
struct KzgCommitted {
  KzgCommitment commitment;
  KzgBlinds blinds;
};

// values.size() must be 2^n with n <= params.max_vars().
KzgCommitment commit_with_blind(const KzgParams& params, std::span<const Fr> values, const Fr& rho);
// Small signed integers (quantized tensors): the same commitment as for Fr::from_i64 of each.
KzgCommitment commit_with_blind(const KzgParams& params, std::span<const int64_t> values, const Fr& rho);
template <class Rng>
KzgCommitted commit(const KzgParams& params, std::span<const Fr> values, Rng& rng) {
  Fr rho = Fr::random(rng);
  return {commit_with_blind(params, values, rho), {rho}};
}
template <class Rng>
KzgCommitted commit(const KzgParams& params, std::span<const int64_t> values, Rng& rng) {
  Fr rho = Fr::random(rng);
  return {commit_with_blind(params, values, rho), {rho}};
}

// P = value U + blind H (the same point as commit_value with HyraxParams).
G1Affine commit_value(const KzgParams& params, const Fr& value, const Fr& blind);
template <class Rng>
ProverClaim commit_claim(const KzgParams& params, const Fr& value, Rng& rng) {
  Fr blind = Fr::random(rng);
  return {value, blind, commit_value(params, value, blind)};
}

// ---- batch openings ----
struct KzgOpeningClaim {  // verifier side
  const KzgCommitment* commitment;
  std::vector<Fr> point;  // commitment->num_vars coordinates
  EvalClaim claim;
};
struct KzgOpeningWitness {  // prover side
  const KzgCommitment* commitment;
  const KzgBlinds* blinds;
  std::span<const Fr> values;  // the 2^num_vars committed evaluations
  std::vector<Fr> point;
  ProverClaim claim;
  KzgOpeningClaim public_claim() const { return {commitment, point, claim.public_claim()}; }
};

// One group: items whose points agree after zero-padding, n = the longest point's length.
struct KzgGroupProof {
  G1Affine mask;        // C_m = [m(tau)]_1 + rho_m [beta]_1
  G1Affine mask_value;  // M = m(z) U + t_m H
  Fr value;             // w = G(z), G = F + eta m
  Fr rho;               // the blind of C_F + eta C_m
  Fr blind;             // the blind of P_F + eta M
  std::vector<G1Affine> folds;           // [G_k(tau)]_1 for k = 1 .. n-1
  std::vector<std::array<Fr, 3>> evals;  // G_k(r), G_k(-r), G_k(r^2) for k = 0 .. max(n,1)-1
};

struct KzgBatchProof {
  std::vector<KzgGroupProof> groups;
  // KZG witnesses of the combined polynomial: at r, -r, r^2 (three-witness form), or the one of
  // (B - I) / Z (one-witness form).
  std::vector<G1Affine> witness;

  // u64 groups; per group: mask, mask_value (32 bytes each), value, rho, blind (32 each),
  // u64 folds and the points, u64 evals and 3 scalars each; then the form's 3 or 1 witnesses. Strict.
  void serialize(ByteWriter& w) const;
  static KzgBatchProof deserialize(ByteReader& r, KzgForm form);
  size_t size_bytes() const;
  std::vector<uint8_t> to_bytes() const;
  static KzgBatchProof from_bytes(std::span<const uint8_t> bytes, KzgForm form);  // throws DecodeError
};

// Absorbs the setup, every item (commitment, point, claim; in a v2 transcript the items' commitments
// and claims, then each group's point and members once), then the proof's messages in order
// (docs/protocol/kzg.md §3). `random` supplies the masks and blinds (SecureRng in production).
KzgBatchProof prove_batch(const KzgParams& params, std::span<const KzgOpeningWitness> items,
                          transcript::Transcript& transcript, const RandomFr& random);
// The statement part of both (what they absorb before the first challenge, "kzg.gamma").
void absorb_batch_statement(const KzgParams& params, std::span<const KzgOpeningClaim> items,
                            transcript::Transcript& transcript);
Verdict verify_batch(const KzgParams& params, std::span<const KzgOpeningClaim> items,
                     const KzgBatchProof& proof, transcript::Transcript& transcript);
// verify_batch that also decides `extra`, a sum of terms that must be the identity whose every
// term the transcript has absorbed (the zero-knowledge end section's deferred checks, each already
// weighted: zk/cp_defer.h), in the batch's one MSM and pairing check: the Pedersen equations and
// extra, weighted by challenges drawn from a copy of the transcript after the whole proof, join
// the pairing's G1 input (docs/protocol/kzg.md section 4, "One MSM"). The proof's transcript is
// unchanged. The rejection reason names the failing part (found on the failure path only);
// "the deferred checks fail" when only extra does.
Verdict verify_batch(const KzgParams& params, std::span<const KzgOpeningClaim> items,
                     const KzgBatchProof& proof, transcript::Transcript& transcript, const MsmTerms& extra);

}  // namespace zkinfer::pcs
