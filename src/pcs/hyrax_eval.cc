// Zero-knowledge Hyrax evaluation proofs, single and batched (Wahby et al., S&P 2018, §6 and
// appendix A). See hyrax_eval.h for the API and docs/protocol/hyrax.md for the protocol.
#include "pcs/hyrax_eval.h"

#include <omp.h>

#include <algorithm>
#include <string>

#include "common/check.h"
#include "poly/mle.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"

namespace zkinfer::pcs {

void EvalClaim::absorb_into(transcript::Transcript& t) const {
  if (committed_) {
    t.absorb_u64("hyrax.claim.kind", 1);
    t.absorb("hyrax.claim", commitment_);
  } else {
    t.absorb_u64("hyrax.claim.kind", 0);
    t.absorb("hyrax.claim", value_);
  }
}

G1Affine commit_value(const HyraxParams& params, const Fr& value, const Fr& blind) {
  return (params.mul_u(value) + params.mul_h(blind)).to_affine();
}

namespace {

// Points are compared as zero-padded vectors: an n-variable MLE is the (n+k)-variable MLE that
// vanishes unless its top k variables are 0.
bool same_padded_point(std::span<const Fr> p, std::span<const Fr> q) {
  const size_t common = std::min(p.size(), q.size());
  for (size_t i = 0; i < common; ++i)
    if (p[i] != q[i]) return false;
  for (size_t i = common; i < p.size(); ++i)
    if (!p[i].is_zero()) return false;
  for (size_t i = common; i < q.size(); ++i)
    if (!q[i].is_zero()) return false;
  return true;
}

// A group shares one opening argument. Its members' commitments may differ in size and log_cols;
// what they share is the COLUMN point z (b_g = |z| column variables): member k with point q_k
// (|q_k| >= n_k: coordinates past n_k are zero-padding variables), layout columns c_k =
// min(log_cols_k, n_k) and prefix length l_k = min(log_cols_k, |q_k|) joins when q_k[0..l_k) and
// z agree as zero-padded vectors. Its row combination is then
//     t_k = w_k^T M_k,  w_k = eq(q_k[c_k..n_k)) * prod_{j >= max(n_k, l_k)} (1 - q_k[j]),
// a row of 2^c_k <= 2^b_g entries (a commitment under a prefix of the generators, i.e. zero-padded
// to 2^b_g), and <pad(t_k), eq(z)> is the member's (padded) evaluation: the coordinates of z past
// l_k are zero, and the padding variables of q_k inside [n_k, l_k) are column variables of z.
// Members at points that differ only in row coordinates (e.g. the digits of one range-checked
// value, whose index is in the high variables) thus share an opening. docs/protocol/hyrax.md.
struct Group {
  std::vector<Fr> z;  // the longest member prefix
  std::vector<size_t> members;
};

size_t prefix_len(const HyraxLayout& l, std::span<const Fr> q) {
  return std::min<size_t>(l.log_cols, q.size());
}

// Groups items by their padded column prefix, in order of first appearance.
std::vector<Group> group_items(std::span<const OpeningClaim> items) {
  std::vector<Group> groups;
  for (size_t k = 0; k < items.size(); ++k) {
    const auto& it = items[k];
    std::span<const Fr> pre = std::span<const Fr>(it.point).first(prefix_len(it.commitment->layout, it.point));
    auto g = std::find_if(groups.begin(), groups.end(),
                          [&](const Group& gr) { return same_padded_point(gr.z, pre); });
    if (g == groups.end()) {
      groups.push_back({std::vector<Fr>(pre.begin(), pre.end()), {k}});
    } else {
      g->members.push_back(k);
      if (pre.size() > g->z.size()) g->z.assign(pre.begin(), pre.end());
    }
  }
  return groups;
}

// Row weights w_k of a member at point q (see Group).
std::vector<Fr> member_row_weights(const HyraxLayout& layout, std::span<const Fr> q) {
  const size_t n = layout.num_vars, c = layout.col_vars();
  ZKINFER_CHECK(q.size() >= n);
  Fr scale = Fr::one();
  for (size_t j = std::max(n, prefix_len(layout, q)); j < q.size(); ++j) scale *= Fr::one() - q[j];
  return poly::eq_table<Fr>(q.subspan(c, n - c), scale);
}

void absorb_item(transcript::Transcript& t, const HyraxCommitment& c, std::span<const Fr> point,
                 const EvalClaim& claim) {
  c.absorb_into(t);
  t.absorb_many("hyrax.point", point);
  claim.absorb_into(t);
}

// Checks that a public item is well formed; empty string if it is.
std::string item_problem(const HyraxParams& params, const OpeningClaim& it) {
  const HyraxLayout& l = it.commitment->layout;
  if (l.num_vars > kMaxNumVars || l.log_cols > kMaxLogCols || l.row_vars() > kMaxRowVars)
    return "commitment layout out of bounds";
  if (it.commitment->rows.size() != l.num_rows())
    return "commitment has " + std::to_string(it.commitment->rows.size()) + " rows, its layout " +
           std::to_string(l.num_rows());
  if (l.col_vars() > params.max_log_cols())
    return "commitment has 2^" + std::to_string(l.col_vars()) +
           " columns, more than the parameters' generators";
  if (it.point.size() != l.num_vars)
    return "point has " + std::to_string(it.point.size()) + " coordinates, the polynomial " +
           std::to_string(l.num_vars) + " variables";
  return {};
}

// The prover's side of one group: combine with gamma, then the opening argument.
DotProof prove_group(const HyraxParams& params, const Group& g, std::span<const OpeningWitness> items,
                     transcript::Transcript& transcript, const DotMask& mask) {
  const size_t b = g.z.size();
  const Fr gamma = g.members.size() > 1 ? transcript.challenge<Fr>("hyrax.batch.gamma") : Fr::one();
  const Fr c = nonzero_challenge(transcript, "hyrax.eval.c");
  std::vector<Fr> t(size_t{1} << b, Fr::zero());
  Fr tau = Fr::zero(), blind = Fr::zero();
  Fr gk = Fr::one();
  for (size_t k : g.members) {
    const OpeningWitness& w = items[k];
    const HyraxLayout& l = w.commitment->layout;
    ZKINFER_CHECK((w.small ? w.small->size() : w.values.size()) == l.size() && w.blinds->rho.size() == l.num_rows());
    ZKINFER_CHECK(l.col_vars() <= b);
    std::vector<Fr> weights = member_row_weights(l, w.point);
    // t_k = weights^T M_k (a short row when the member has fewer columns), scaled by gamma^k.
    const std::vector<Fr> tk = w.small ? combine_rows_small(*w.small, l, weights) : combine_rows(w.values, l, weights);
    for (size_t j = 0; j < tk.size(); ++j) t[j] += gk * tk[j];
    for (size_t i = 0; i < weights.size(); ++i) tau += gk * weights[i] * w.blinds->rho[i];
    blind += gk * w.claim.blind;
    gk *= gamma;
  }
  std::vector<Fr> y = poly::eq_table<Fr>(g.z);
  return dot_prove_masked(params, c, t, y, tau + c * blind, mask, transcript);
}

// Every group's mask (drawn in group order), with the MSMs <d_g, G> run in parallel over groups:
// they do not depend on the transcript, and most groups are small (a few dozen generators).
std::vector<DotMask> group_masks(const HyraxParams& params, const std::vector<Group>& groups,
                                 const RandomFr& random) {
  std::vector<DotMask> masks;
  masks.reserve(groups.size());
  size_t work = 0;
  for (const Group& g : groups) {
    masks.push_back(draw_dot_mask(size_t{1} << g.z.size(), random));
    work += size_t{1} << g.z.size();
  }
  const int64_t m = static_cast<int64_t>(groups.size());
  const bool par = m > 1 && work >= 64 && omp_get_max_threads() > 1;
  // Large single groups use the threads inside their MSM instead.
  // Build the generator tables once, outside the parallel loop.
  size_t small_max = 0;
  bool any_small = false;
  for (const Group& g : groups)
    if ((size_t{1} << g.z.size()) <= kDotTableMax) small_max = std::max(small_max, g.z.size()), any_small = true;
  if (any_small) params.g_tables(small_max);
#pragma omp parallel for schedule(dynamic, 1) if (par)
  for (int64_t i = 0; i < m; ++i)
    compute_dot_mask(params, groups[static_cast<size_t>(i)].z.size(), masks[static_cast<size_t>(i)], par);
  return masks;
}

// The verifier's side of one group: replays its transcript and appends the terms of its check
// (they sum to the identity iff the opening is valid) to out. claims[k] are the members' claims
// (plain values may be the reduced evaluations).
Verdict verify_group(const HyraxParams& params, const Group& g, std::span<const OpeningClaim> items,
                     const DotProof& proof, transcript::Transcript& transcript, PointTerms& out) {
  const size_t b = g.z.size();
  const Fr gamma = g.members.size() > 1 ? transcript.challenge<Fr>("hyrax.batch.gamma") : Fr::one();
  const Fr c = nonzero_challenge(transcript, "hyrax.eval.c");
  PointTerms p;
  Fr plain = Fr::zero();
  Fr gk = Fr::one();
  for (size_t k : g.members) {
    const OpeningClaim& it = items[k];
    std::vector<Fr> weights = member_row_weights(it.commitment->layout, it.point);
    for (size_t i = 0; i < weights.size(); ++i) p.emplace_back(&it.commitment->rows[i], gk * weights[i]);
    if (it.claim.is_committed())
      p.emplace_back(&it.claim.commitment(), c * gk);
    else
      plain += gk * it.claim.value();
    gk *= gamma;
  }
  p.emplace_back(&params.u(), c * plain);
  std::vector<Fr> y = poly::eq_table<Fr>(g.z);
  return dot_verify_terms(params, params.g(b), c, y, p, proof, transcript, out);
}

// Checks the collected groups' equations: one MSM over all of them, each scaled by a weight from a
// copy of the transcript (drawn after everything was absorbed). On failure, the groups are checked
// one by one so that the reason names the first failing opening.
Verdict check_groups(const std::vector<PointTerms>& checks, const transcript::Transcript& transcript,
                     const std::string& what) {
  transcript::Transcript wt = transcript;
  MsmAccumulator acc;
  for (size_t i = 0; i < checks.size(); ++i)
    acc.add_all(checks[i], i == 0 ? Fr::one() : wt.challenge<Fr>("hyrax.batch.check_weight"));
  if (acc.evaluate().is_identity()) return Verdict::accept();
  for (size_t i = 0; i < checks.size(); ++i) {
    MsmAccumulator one;
    one.add_all(checks[i], Fr::one());
    if (!one.evaluate().is_identity())
      return Verdict::reject(what + std::to_string(i) +
                             ": final check e P + D = <z, G> + <z, y> U' + z2 H fails");
  }
  return Verdict::reject(what + "s: the combined final check fails");
}

// eq(z zero-padded to |rho| coordinates, rho).
Fr eq_padded(std::span<const Fr> z, std::span<const Fr> rho) {
  Fr e = poly::eq_eval<Fr>(z, rho.first(z.size()));
  for (size_t j = z.size(); j < rho.size(); ++j) e *= Fr::one() - rho[j];
  return e;
}

// The reducing sumcheck's shape: factors 2k = eq(z_k, x), 2k + 1 = f_k(x); terms beta^k f_2k f_2k+1.
sumcheck::Composition<Fr> reduction_composition(size_t m, const Fr& beta) {
  std::vector<sumcheck::Term<Fr>> terms;
  Fr bk = Fr::one();
  for (size_t k = 0; k < m; ++k) {
    terms.push_back({bk, {2 * k, 2 * k + 1}});
    bk *= beta;
  }
  return sumcheck::Composition<Fr>(2 * m, std::move(terms));
}

Fr read_fr(ByteReader& r, const char* what) {
  auto x = Fr::from_bytes(r.bytes(Fr::kBytes));
  if (!x) r.fail(std::string("hyrax batch proof: ") + what + " is not a canonical scalar");
  return *x;
}

}  // namespace

// ---- single opening ----

DotProof prove_eval(const HyraxParams& params, const HyraxCommitment& commitment,
                    const HyraxBlinds& blinds, std::span<const Fr> values,
                    std::span<const Fr> point, const ProverClaim& claim,
                    transcript::Transcript& transcript, const RandomFr& random) {
  ZKINFER_CHECK(point.size() == commitment.layout.num_vars);
  OpeningWitness w{&commitment, &blinds, values, std::vector<Fr>(point.begin(), point.end()), claim};
  absorb_item(transcript, commitment, point, claim.public_claim());
  Group g{std::vector<Fr>(point.begin(), point.begin() + prefix_len(commitment.layout, point)), {0}};
  std::vector<DotMask> masks = group_masks(params, {g}, random);
  return prove_group(params, g, std::span<const OpeningWitness>(&w, 1), transcript, masks[0]);
}

Verdict verify_eval(const HyraxParams& params, const HyraxCommitment& commitment,
                    std::span<const Fr> point, const EvalClaim& claim, const DotProof& proof,
                    transcript::Transcript& transcript) {
  OpeningClaim it{&commitment, std::vector<Fr>(point.begin(), point.end()), claim};
  if (std::string why = item_problem(params, it); !why.empty())
    return Verdict::reject("hyrax eval: " + why);
  absorb_item(transcript, commitment, point, claim);
  Group g{std::vector<Fr>(point.begin(), point.begin() + prefix_len(commitment.layout, point)), {0}};
  std::vector<PointTerms> checks(1);
  Verdict v = verify_group(params, g, std::span<const OpeningClaim>(&it, 1), proof, transcript, checks[0]);
  if (!v) return v.within("hyrax eval");
  return check_groups(checks, transcript, "hyrax eval: opening ");
}

// ---- batches ----

void HyraxBatchProof::serialize(ByteWriter& w) const {
  w.u8(static_cast<uint8_t>(mode));
  w.u64(reduction.rounds.size());
  for (const auto& m : reduction.rounds) {
    ZKINFER_CHECK(m.evals.size() == 2);  // p(0), p(2) (sumcheck/proof.h)
    for (const auto& x : m.evals) w.bytes(x.value().to_bytes());
  }
  w.u64(reduction.final_evals.size());
  for (const auto& x : reduction.final_evals) w.bytes(x.value().to_bytes());
  w.u64(openings.size());
  for (const DotProof& p : openings) p.serialize(w);
}

size_t HyraxBatchProof::size_bytes() const {
  size_t n = 1 + 8 + 2 * 32 * reduction.rounds.size() + 8 + 32 * reduction.final_evals.size() + 8;
  for (const DotProof& p : openings) n += p.size_bytes();
  return n;
}

HyraxBatchProof HyraxBatchProof::deserialize(ByteReader& r) {
  HyraxBatchProof p;
  const uint8_t mode = r.u8();
  if (mode > 1) r.fail("hyrax batch proof: unknown mode " + std::to_string(mode));
  p.mode = static_cast<BatchMode>(mode);
  const uint64_t nr = r.count(2 * Fr::kBytes, kMaxNumVars);
  p.reduction.rounds.resize(nr);
  for (auto& m : p.reduction.rounds)
    for (int i = 0; i < 2; ++i) m.evals.push_back(cp::Val(read_fr(r, "round polynomial value")));
  const uint64_t ne = r.count(Fr::kBytes);
  p.reduction.final_evals.reserve(ne);
  for (uint64_t i = 0; i < ne; ++i) p.reduction.final_evals.push_back(cp::Val(read_fr(r, "reduced evaluation")));
  const uint64_t no = r.count(32 + 8 + 2 * 32);  // the smallest argument: D, |z| = 1, z, z2
  p.openings.reserve(no);
  for (uint64_t i = 0; i < no; ++i) p.openings.push_back(DotProof::deserialize(r));
  return p;
}

std::vector<uint8_t> HyraxBatchProof::to_bytes() const {
  ByteWriter w;
  serialize(w);
  return w.take();
}

HyraxBatchProof HyraxBatchProof::from_bytes(std::span<const uint8_t> bytes) {
  ByteReader r(bytes, "hyrax batch proof");
  HyraxBatchProof p = deserialize(r);
  r.expect_end();
  return p;
}

HyraxBatchProof prove_batch(const HyraxParams& params, std::span<const OpeningWitness> items,
                            transcript::Transcript& transcript, const RandomFr& random,
                            const BatchOptions& options) {
  std::vector<OpeningClaim> pub;
  pub.reserve(items.size());
  for (const OpeningWitness& w : items) {
    ZKINFER_CHECK(w.commitment && w.blinds && w.point.size() == w.commitment->layout.num_vars);
    pub.push_back(w.public_claim());
  }
  transcript.absorb_u64("hyrax.batch.items", items.size());
  for (const OpeningClaim& it : pub) absorb_item(transcript, *it.commitment, it.point, it.claim);

  std::vector<Group> groups = group_items(pub);
  const bool all_plain = std::none_of(items.begin(), items.end(),
                                      [](const OpeningWitness& w) { return w.claim.commitment.has_value(); });
  const bool one_b = std::all_of(pub.begin(), pub.end(), [&](const OpeningClaim& it) {
    return it.commitment->layout.log_cols == pub[0].commitment->layout.log_cols;
  });
  HyraxBatchProof proof;
  proof.mode = options.allow_reduced && all_plain && one_b && groups.size() > 1 ? BatchMode::kReduced
                                                                                : BatchMode::kPerPoint;
  transcript.absorb_u64("hyrax.batch.mode", static_cast<uint64_t>(proof.mode));

  if (proof.mode == BatchMode::kPerPoint) {
    std::vector<DotMask> masks = group_masks(params, groups, random);
    for (size_t i = 0; i < groups.size(); ++i)
      proof.openings.push_back(prove_group(params, groups[i], items, transcript, masks[i]));
    return proof;
  }

  size_t n = 0;
  for (const OpeningClaim& it : pub) n = std::max<size_t>(n, it.point.size());
  const Fr beta = transcript.challenge<Fr>("hyrax.batch.beta");
  const size_t m = items.size();
  std::vector<std::vector<Fr>> factors(2 * m);
  for (size_t k = 0; k < m; ++k) {
    std::vector<Fr> z(items[k].point);
    z.resize(n, Fr::zero());
    factors[2 * k] = poly::eq_table<Fr>(z);
    factors[2 * k + 1].assign(size_t{1} << n, Fr::zero());
    if (items[k].small) {
      const auto t = padded_fr(*items[k].small);
      std::copy(t.begin(), t.end(), factors[2 * k + 1].begin());
    } else {
      std::copy(items[k].values.begin(), items[k].values.end(), factors[2 * k + 1].begin());
    }
  }
  // The reduction is a plain sumcheck (public data only): its messages are sent in the clear
  // whatever the transcript's session (zk/session.h).
  const ProofSession* const session = transcript.session();
  transcript.set_session(nullptr);
  sumcheck::ProverResult<Fr> res =
      sumcheck::prove<Fr>(reduction_composition(m, beta), std::move(factors), transcript);
  transcript.set_session(session);
  proof.reduction = std::move(res.proof);
  // One group: every item at rho, with the reduced evaluations as plain claims.
  std::vector<OpeningWitness> at_rho(items.begin(), items.end());
  // Every member at the full point rho (its padding variables weigh its rows); all share log_cols.
  Group g{std::vector<Fr>(res.point.begin(), res.point.begin() + prefix_len(pub[0].commitment->layout, res.point)), {}};
  for (size_t k = 0; k < m; ++k) {
    at_rho[k].point = res.point;
    at_rho[k].claim = ProverClaim::plain(res.final_evals[2 * k + 1]);
    g.members.push_back(k);
  }
  std::vector<DotMask> masks = group_masks(params, {g}, random);
  proof.openings.push_back(prove_group(params, g, at_rho, transcript, masks[0]));
  return proof;
}

Verdict verify_batch(const HyraxParams& params, std::span<const OpeningClaim> items,
                     const HyraxBatchProof& proof, transcript::Transcript& transcript) {
  auto reject = [](const std::string& why) { return Verdict::reject("hyrax batch: " + why); };
  if (items.empty()) return reject("no items");
  for (size_t k = 0; k < items.size(); ++k) {
    ZKINFER_CHECK(items[k].commitment != nullptr);
    if (std::string why = item_problem(params, items[k]); !why.empty())
      return reject("item " + std::to_string(k) + ": " + why);
  }
  transcript.absorb_u64("hyrax.batch.items", items.size());
  for (const OpeningClaim& it : items) absorb_item(transcript, *it.commitment, it.point, it.claim);
  std::vector<Group> groups = group_items(items);
  transcript.absorb_u64("hyrax.batch.mode", static_cast<uint64_t>(proof.mode));

  if (proof.mode == BatchMode::kPerPoint) {
    if (!proof.reduction.rounds.empty() || !proof.reduction.final_evals.empty())
      return reject("per-point proof carries reduction messages");
    if (proof.openings.size() != groups.size())
      return reject("proof has " + std::to_string(proof.openings.size()) + " openings, expected " +
                    std::to_string(groups.size()) + " (one per distinct point)");
    std::vector<PointTerms> checks(groups.size());
    for (size_t i = 0; i < groups.size(); ++i) {
      Verdict v = verify_group(params, groups[i], items, proof.openings[i], transcript, checks[i]);
      if (!v) return v.within("hyrax batch: opening " + std::to_string(i));
    }
    return check_groups(checks, transcript, "hyrax batch: opening ");
  }

  // kReduced.
  for (const OpeningClaim& it : items) {
    if (it.claim.is_committed()) return reject("reduced mode with a committed claim");
    if (it.commitment->layout.log_cols != items[0].commitment->layout.log_cols)
      return reject("reduced mode with commitments of different log_cols");
  }
  size_t n = 0;
  for (const OpeningClaim& it : items) n = std::max<size_t>(n, it.point.size());
  if (proof.openings.size() != 1)
    return reject("reduced proof has " + std::to_string(proof.openings.size()) + " openings, expected 1");
  const Fr beta = transcript.challenge<Fr>("hyrax.batch.beta");
  const size_t m = items.size();
  Fr claim = Fr::zero(), bk = Fr::one();
  for (const OpeningClaim& it : items) {
    claim += bk * it.claim.value();
    bk *= beta;
  }
  // The reduction is a plain sumcheck: its messages were read in the clear (deserialize) and every
  // value it checks is public.
  sumcheck::Subclaim<Fr> sub;
  Verdict sv = sumcheck::verify<Fr>(reduction_composition(m, beta), n, claim, proof.reduction,
                                    transcript, &sub);
  if (!sv) return sv.within("hyrax batch: reduction");
  // The eq factors are public: check the prover's values for them.
  for (size_t k = 0; k < m; ++k)
    if (sub.final_evals[2 * k] != eq_padded(items[k].point, sub.point))
      return reject("reduction: final value of eq(z_" + std::to_string(k) + ", rho) is wrong");
  std::vector<OpeningClaim> at_rho(items.begin(), items.end());
  Group g{std::vector<Fr>(sub.point.begin(), sub.point.begin() + prefix_len(items[0].commitment->layout, sub.point)), {}};
  for (size_t k = 0; k < m; ++k) {
    at_rho[k].point = sub.point;
    at_rho[k].claim = EvalClaim::plain(sub.final_evals[2 * k + 1].value());
    g.members.push_back(k);
  }
  std::vector<PointTerms> checks(1);
  Verdict v = verify_group(params, g, at_rho, proof.openings[0], transcript, checks[0]);
  if (!v) return v.within("hyrax batch: reduced opening");
  return check_groups(checks, transcript, "hyrax batch: reduced opening ");
}

}  // namespace zkinfer::pcs
