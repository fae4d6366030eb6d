// The indexed lookup into a committed table and the fractional-sum GKR it runs on (indexed.h).
#include "lookup/indexed.h"

#include <algorithm>
#include <utility>

#include "common/check.h"
#include "lookup/prover.h"
#include "poly/mle.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"

namespace zkinfer::lookup {

using M = sumcheck::Msg<Fr>;

namespace {

size_t log2_ceil(size_t d) {
  size_t k = 0;
  while ((size_t{1} << k) < d) ++k;
  return k;
}

// sum_{x < c} eq(z, x), x's bits little-endian: the MLE of the indicator of [0, c).
Fr prefix_indicator(std::span<const Fr> z, size_t c) {
  if (z.size() < 64 && c >= (size_t{1} << z.size())) return Fr::one();
  Fr result = Fr::zero(), prefix = Fr::one();
  for (size_t b = z.size(); b-- > 0;) {
    if ((c >> b) & 1) {
      result += prefix * (Fr::one() - z[b]);
      prefix *= z[b];
    } else {
      prefix *= Fr::one() - z[b];
    }
  }
  return result;
}

// The MLE of the index column x -> x (its bits little-endian) at z: sum_b 2^b z_b.
Fr index_mle(std::span<const Fr> z) {
  Fr acc = Fr::zero(), pw = Fr::one();
  for (const Fr& zb : z) {
    acc += pw * zb;
    pw += pw;
  }
  return acc;
}

}  // namespace

std::vector<Step> fraction_steps(size_t n, size_t k) {
  auto steps = plan_steps(n, k);
  for (auto& s : steps) s.unit_children = false;
  return steps;
}

void FractionProof::serialize(ByteWriter& w) const {
  sumcheck::write_msg<Fr>(w, root_numerator);
  sumcheck::write_msg<Fr>(w, root_denominator);
  for (const auto& p : steps) p.serialize(w);
}

FractionProof FractionProof::deserialize(ByteReader& r, size_t n, size_t k) {
  if (n > kMaxLogRows || k > kMaxLogRows) r.fail("indexed lookup: unsupported proof shape");
  FractionProof p;
  p.root_numerator = sumcheck::read_msg<Fr>(r);
  p.root_denominator = sumcheck::read_msg<Fr>(r);
  for (const Step& s : fraction_steps(n, k))
    p.steps.push_back(sumcheck::Proof<Fr>::deserialize(r, s.num_vars, kStepDegree - 1, step_num_factors(s)));
  return p;
}

FractionProof prove_fraction_sum(std::vector<Fr> wp, std::vector<Fr> wq, std::vector<Fr> tp, std::vector<Fr> tq,
                                 transcript::Transcript& tr, IndexedLeafClaims* out) {
  ZKINFER_CHECK(wp.size() == wq.size() && tp.size() == tq.size());
  const size_t n = poly::log2_exact(wq.size()), k = poly::log2_exact(tq.size());
  const size_t s = std::min(n, k);
  std::vector<detail::Level<Fr>> w_levels(n + 1), t_levels(k + 1);
  w_levels[n].p = std::move(wp);
  w_levels[n].q = std::move(wq);
  t_levels[k].p = std::move(tp);
  t_levels[k].q = std::move(tq);
  for (size_t l = n; l-- > s;) w_levels[l] = detail::parent_level(w_levels[l + 1]);
  for (size_t l = k; l-- > s;) t_levels[l] = detail::parent_level(t_levels[l + 1]);
  std::vector<detail::Level<Fr>> c_levels(s + 2);
  {
    auto& c = c_levels[s + 1];
    c.p = w_levels[s].p;
    c.p.insert(c.p.end(), t_levels[s].p.begin(), t_levels[s].p.end());
    c.q = w_levels[s].q;
    c.q.insert(c.q.end(), t_levels[s].q.begin(), t_levels[s].q.end());
  }
  for (size_t l = s + 1; l-- > 0;) c_levels[l] = detail::parent_level(c_levels[l + 1]);

  FractionProof proof;
  proof.root_numerator = sumcheck::send_msg<Fr>(c_levels[0].p[0]);
  proof.root_denominator = sumcheck::send_msg<Fr>(c_levels[0].q[0]);
  tr.absorb_many(kLabelRoot, std::vector<M>{proof.root_numerator, proof.root_denominator});

  std::vector<Fr> rho;
  Fr claim_p = c_levels[0].p[0], claim_q = c_levels[0].q[0];
  std::vector<Fr> w_point, t_point;
  Fr w_p, w_q, t_p, t_q;
  for (const Step& step : fraction_steps(n, k)) {
    const size_t l = step.num_vars;
    auto& child = step.tree == Step::Tree::kCombined ? c_levels[l + 1]
                  : step.tree == Step::Tree::kWitness ? w_levels[l + 1]
                                                      : t_levels[l + 1];
    ZKINFER_CHECK(child.size() == (size_t{2} << l) && !child.unit());
    const Fr lambda = tr.challenge<Fr>(kLabelLambda);
    const auto comp = step_composition<Fr>(step, lambda);
    const size_t h = size_t{1} << l;
    std::vector<std::vector<Fr>> factors;
    factors.emplace_back();
    auto split = [h](std::vector<Fr>& v, std::vector<std::vector<Fr>>& f) {
      f.emplace_back(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(h));
      v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(h));
      f.push_back(std::move(v));
    };
    split(child.p, factors);
    split(child.q, factors);
    auto sc = sumcheck::prove_with_eq<Fr>(comp, rho, std::move(factors), tr);
    ZKINFER_CHECK(sc.claim == claim_p + lambda * claim_q);
    proof.steps.push_back(std::move(sc.proof));
    const auto& fe = sc.final_evals;
    const Fr p0 = fe[1], p1 = fe[2], q0 = fe[3], q1 = fe[4];
    rho = std::move(sc.point);
    if (step.draws_mu) {
      const Fr mu = tr.challenge<Fr>(kLabelMu);
      rho.push_back(mu);
      claim_p = p0 + mu * (p1 - p0);
      claim_q = q0 + mu * (q1 - q0);
    } else {
      w_p = p0, w_q = q0, t_p = p1, t_q = q1;
      if (n == s) w_point = rho;
      if (k == s) t_point = rho;
      if (n > s) {
        claim_p = p0, claim_q = q0;
      } else if (k > s) {
        claim_p = p1, claim_q = q1;
      }
    }
  }
  if (n > s) w_point = rho, w_p = claim_p, w_q = claim_q;
  if (k > s) t_point = rho, t_p = claim_p, t_q = claim_q;
  if (out) {
    out->w_point = std::move(w_point);
    out->t_point = std::move(t_point);
    out->w_p = w_p;
    out->w_q = w_q;
    out->t_p = t_p;
    out->t_q = t_q;
  }
  return proof;
}

Verdict verify_fraction_sum(size_t n, size_t k, const FractionProof& proof, transcript::Transcript& tr,
                            IndexedLeafClaims* out) {
  if (n > kMaxLogRows || k > kMaxLogRows) return Verdict::reject("fraction sum: too many rows");
  const size_t s = std::min(n, k);
  const auto steps = fraction_steps(n, k);
  if (proof.steps.size() != steps.size())
    return Verdict::reject("fraction sum: proof has " + std::to_string(proof.steps.size()) + " GKR steps, expected " +
                           std::to_string(steps.size()));
  tr.absorb_many(kLabelRoot, std::vector<M>{proof.root_numerator, proof.root_denominator});
  if (proof.root_numerator != M(Fr::zero())) return Verdict::reject("fraction sum: root numerator is not zero");
  // A committed root denominator is the true product of the committed leaves' denominators
  // (non-zero except with probability (2^n + 2^k)/|F| over alpha, as in verifier.h).
  if (proof.root_denominator.is_public() && proof.root_denominator.value().is_zero())
    return Verdict::reject("fraction sum: root denominator is zero");
  std::vector<Fr> rho;
  M claim_p = proof.root_numerator, claim_q = proof.root_denominator;
  std::vector<Fr> w_point, t_point;
  M w_p, w_q, t_p, t_q;
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    const std::string where = "fraction sum: step " + std::to_string(i) + " (" +
                              (step.tree == Step::Tree::kCombined ? "combined"
                               : step.tree == Step::Tree::kWitness ? "witness"
                                                                   : "table") +
                              " tree, level " + std::to_string(step.num_vars) + ")";
    const Fr lambda = tr.challenge<Fr>(kLabelLambda);
    const auto comp = step_composition<Fr>(step, lambda);
    if (rho.size() != step.num_vars) return Verdict::reject(where + ": internal: eq point size");
    sumcheck::Subclaim<Fr> sub;
    if (Verdict v = sumcheck::verify_with_eq<Fr>(comp, rho, claim_p + lambda * claim_q, proof.steps[i], tr, &sub); !v)
      return v.within(where);
    const auto& fe = sub.final_evals;
    if (fe.size() != 5) return Verdict::reject(where + ": wrong number of final values");
    if (fe[0] != M(poly::eq_eval<Fr>(rho, sub.point))) return Verdict::reject(where + ": eq value is wrong");
    const M p0 = fe[1], p1 = fe[2], q0 = fe[3], q1 = fe[4];
    rho = std::move(sub.point);
    if (step.draws_mu) {
      const Fr mu = tr.challenge<Fr>(kLabelMu);
      rho.push_back(mu);
      claim_p = p0 + mu * (p1 - p0);
      claim_q = q0 + mu * (q1 - q0);
    } else {
      w_p = p0, w_q = q0, t_p = p1, t_q = q1;
      if (n == s) w_point = rho;
      if (k == s) t_point = rho;
      if (n > s) {
        claim_p = p0, claim_q = q0;
      } else if (k > s) {
        claim_p = p1, claim_q = q1;
      }
    }
  }
  if (n > s) w_point = rho, w_p = claim_p, w_q = claim_q;
  if (k > s) t_point = rho, t_p = claim_p, t_q = claim_q;
  out->w_point = std::move(w_point);
  out->t_point = std::move(t_point);
  out->w_p = w_p;
  out->w_q = w_q;
  out->t_p = t_p;
  out->t_q = t_q;
  return Verdict::accept();
}

size_t IndexedShape::row_vars() const { return log2_ceil(rows); }
size_t IndexedShape::feat_vars() const { return log2_ceil(feats); }
size_t IndexedShape::node_vars() const { return log2_ceil(nodes); }

std::optional<std::string> IndexedShape::invalid() const {
  if (rows == 0 || feats == 0 || nodes == 0) return "empty table or index vector";
  if (rows > (size_t{1} << 24) || feats > (size_t{1} << 24) || nodes > (size_t{1} << 30)) return "too large";
  if (n() > 36 || k() > 30) return "lookup of more than 2^36 rows or table above 2^30 rows";
  return std::nullopt;
}

void IndexedProof::serialize(ByteWriter& w) const {
  gkr.serialize(w);
  sumcheck::write_msg<Fr>(w, feat_eval);
  sumcheck::write_msg<Fr>(w, y_eval);
  sumcheck::write_msg<Fr>(w, x_eval);
  if (!pad_zero.rounds.empty() || !pad_zero.final_evals.empty()) pad_zero.serialize(w);
}

namespace {
// y's padding zero-check: eq(tau, x) pad_W(x) y(x), degree 3.
sumcheck::Composition<Fr> pad_zero_composition() {
  return sumcheck::Composition<Fr>(3, {sumcheck::Term<Fr>{Fr::one(), {0, 1, 2}}});
}
}  // namespace

IndexedProof IndexedProof::deserialize(ByteReader& r, const IndexedShape& s) {
  IndexedProof p;
  p.gkr = FractionProof::deserialize(r, s.n(), s.k());
  p.feat_eval = sumcheck::read_msg<Fr>(r);
  p.y_eval = sumcheck::read_msg<Fr>(r);
  p.x_eval = sumcheck::read_msg<Fr>(r);
  if (s.y_padded()) p.pad_zero = sumcheck::Proof<Fr>::deserialize(r, s.n(), pad_zero_composition().degree() - 1, 3);
  return p;
}

std::vector<int64_t> indexed_multiplicities(const IndexedShape& s, const std::vector<int64_t>& feat) {
  if (feat.size() != s.nodes) throw Error("indexed lookup: " + std::to_string(feat.size()) + " indices, expected " + std::to_string(s.nodes));
  const size_t Fp = size_t{1} << s.feat_vars();
  std::vector<int64_t> one_row(Fp, 0);
  for (size_t n = 0; n < feat.size(); ++n) {
    if (feat[n] < 0 || feat[n] >= static_cast<int64_t>(s.feats))
      throw Error("indexed lookup: index " + std::to_string(feat[n]) + " at " + std::to_string(n) + " outside [0, " +
                  std::to_string(s.feats) + ")");
    ++one_row[static_cast<size_t>(feat[n])];
  }
  std::vector<int64_t> m(size_t{1} << s.k(), 0);
  for (size_t r = 0; r < s.rows; ++r) std::copy(one_row.begin(), one_row.end(), m.begin() + static_cast<std::ptrdiff_t>(r * Fp));
  return m;
}

namespace {

void absorb_indexed_shape(transcript::Transcript& tr, const IndexedShape& s) {
  ByteWriter w;
  w.u64(s.rows);
  w.u64(s.feats);
  w.u64(s.nodes);
  tr.absorb_bytes(kLabelIndexedShape, w.data());
}

}  // namespace

IndexedProof prove_indexed(const IndexedShape& s, const std::vector<Fr>& feat, const std::vector<Fr>& y,
                           const std::vector<Fr>& x, const std::vector<Fr>& m, transcript::Transcript& tr,
                           IndexedClaims* out, const IndexedCheats& cheats) {
  const size_t nv = s.node_vars(), fv = s.feat_vars();
  const size_t Mp = size_t{1} << nv, Fp = size_t{1} << fv;
  ZKINFER_CHECK(feat.size() == Mp && y.size() == (size_t{1} << s.n()) && x.size() == (size_t{1} << s.k()) &&
                m.size() == x.size());
  absorb_indexed_shape(tr, s);
  const Fr beta = tr.challenge<Fr>(kLabelIndexedBeta);
  const Fr alpha = tr.challenge<Fr>(kLabelIndexedAlpha);
  const Fr beta2 = beta * beta, beta3 = beta2 * beta;
  std::vector<Fr> wp(y.size()), wq(y.size()), tp(x.size()), tq(x.size());
  for (size_t i = 0; i < y.size(); ++i) {
    const size_t r = i >> nv, n = i & (Mp - 1);
    wp[i] = r < s.rows && n < s.nodes ? Fr::one() : Fr::zero();
    wq[i] = alpha - (feat[n] + beta * y[i] + beta2 * Fr::from_u64(r));
  }
  for (size_t j = 0; j < x.size(); ++j) {
    const size_t r = j >> fv, f = j & (Fp - 1);
    const bool pad = !(r < s.rows && f < s.feats);
    tp[j] = -m[j];
    tq[j] = alpha - (Fr::from_u64(f) + beta * x[j] + beta2 * Fr::from_u64(r) +
                     (pad && !cheats.drop_padding_tag ? beta3 : Fr::zero()));
  }
  IndexedLeafClaims leaf;
  IndexedProof proof;
  proof.gkr = prove_fraction_sum(std::move(wp), std::move(wq), std::move(tp), std::move(tq), tr, &leaf);
  std::vector<Fr> feat_point(leaf.w_point.begin(), leaf.w_point.begin() + static_cast<std::ptrdiff_t>(nv));
  const Fr fe = poly::evaluate_mle<Fr>(feat, feat_point), ye = poly::evaluate_mle<Fr>(y, leaf.w_point),
           xe = poly::evaluate_mle<Fr>(x, leaf.t_point);
  proof.feat_eval = sumcheck::send_msg<Fr>(fe);
  proof.y_eval = sumcheck::send_msg<Fr>(ye);
  proof.x_eval = sumcheck::send_msg<Fr>(xe);
  tr.absorb_many(kLabelIndexedEvals, std::vector<M>{proof.feat_eval, proof.y_eval, proof.x_eval});
  std::vector<Fr> pad_point;
  if (s.y_padded()) {
    const auto tau = tr.challenges<Fr>(kLabelIndexedPadTau, s.n());
    std::vector<Fr> pad(y.size());
    for (size_t i = 0; i < y.size(); ++i) {
      const size_t r = i >> nv, n = i & (Mp - 1);
      pad[i] = r < s.rows && n < s.nodes ? Fr::zero() : Fr::one();
    }
    std::vector<std::vector<Fr>> factors;
    factors.emplace_back();
    factors.push_back(std::move(pad));
    factors.push_back(y);
    auto sc = sumcheck::prove_with_eq<Fr>(pad_zero_composition(), tau, std::move(factors), tr);
    proof.pad_zero = std::move(sc.proof);
    pad_point = std::move(sc.point);
    if (out) {
      out->y_pad_point = pad_point;
      out->y_pad = proof.pad_zero.final_evals[2];
    }
  }
  if (out) {
    out->feat_point = std::move(feat_point);
    out->y_point = leaf.w_point;
    out->x_point = leaf.t_point;
    out->m_point = leaf.t_point;
    out->feat = proof.feat_eval;
    out->y = proof.y_eval;
    out->x = proof.x_eval;
    out->m = M(poly::evaluate_mle<Fr>(m, leaf.t_point));
  }
  return proof;
}

Verdict verify_indexed(const IndexedShape& s, const IndexedProof& proof, transcript::Transcript& tr, IndexedClaims* out) {
  if (auto why = s.invalid()) return Verdict::reject("indexed lookup: " + *why);
  const size_t nv = s.node_vars(), fv = s.feat_vars(), rv = s.row_vars();
  absorb_indexed_shape(tr, s);
  const Fr beta = tr.challenge<Fr>(kLabelIndexedBeta);
  const Fr alpha = tr.challenge<Fr>(kLabelIndexedAlpha);
  const Fr beta2 = beta * beta, beta3 = beta2 * beta;
  IndexedLeafClaims leaf;
  if (Verdict v = verify_fraction_sum(s.n(), s.k(), proof.gkr, tr, &leaf); !v) return v.within("indexed lookup");
  tr.absorb_many(kLabelIndexedEvals, std::vector<M>{proof.feat_eval, proof.y_eval, proof.x_eval});
  const std::span<const Fr> w(leaf.w_point), t(leaf.t_point);
  const auto w_node = w.subspan(0, nv), w_row = w.subspan(nv, rv);
  const auto t_feat = t.subspan(0, fv), t_row = t.subspan(fv, rv);
  // Witness leaves: numerators [r < N][n < M], denominators alpha - (feat + beta y + beta^2 r).
  const Fr valid_w = prefix_indicator(w_node, s.nodes) * prefix_indicator(w_row, s.rows);
  if (leaf.w_p != M(valid_w)) return Verdict::reject("indexed lookup: witness numerators are not the valid rows");
  if (leaf.w_q != M(alpha) - (proof.feat_eval + proof.y_eval * beta + M(beta2 * index_mle(w_row))))
    return Verdict::reject("indexed lookup: witness denominators do not match the sent index and value evaluations");
  // Table leaves: denominators alpha - (f + beta X + beta^2 r + beta^3 pad).
  const Fr valid_t = prefix_indicator(t_feat, s.feats) * prefix_indicator(t_row, s.rows);
  const Fr pub = index_mle(t_feat) + beta2 * index_mle(t_row) + beta3 * (Fr::one() - valid_t);
  if (leaf.t_q != M(alpha - pub) - proof.x_eval * beta)
    return Verdict::reject("indexed lookup: table denominators do not match the sent table evaluation");
  // y's padding zero-check.
  std::vector<Fr> pad_point;
  M y_pad;
  if (s.y_padded()) {
    const auto tau = tr.challenges<Fr>(kLabelIndexedPadTau, s.n());
    sumcheck::Subclaim<Fr> sub;
    if (Verdict v = sumcheck::verify_with_eq<Fr>(pad_zero_composition(), tau, M(Fr::zero()), proof.pad_zero, tr, &sub); !v)
      return v.within("indexed lookup: padding zero-check");
    const auto& fe = sub.final_evals;
    if (fe.size() != 3) return Verdict::reject("indexed lookup: padding zero-check: wrong number of final values");
    if (fe[0] != M(poly::eq_eval<Fr>(tau, sub.point)))
      return Verdict::reject("indexed lookup: padding zero-check: eq value is wrong");
    const std::span<const Fr> z(sub.point);
    const Fr pad = Fr::one() - prefix_indicator(z.subspan(0, nv), s.nodes) * prefix_indicator(z.subspan(nv, rv), s.rows);
    if (fe[1] != M(pad)) return Verdict::reject("indexed lookup: padding zero-check: padding indicator mismatch");
    pad_point = std::move(sub.point);
    y_pad = fe[2];
  }
  if (out) {
    out->y_pad_point = std::move(pad_point);
    out->y_pad = y_pad;
    out->feat_point.assign(w_node.begin(), w_node.end());
    out->y_point = leaf.w_point;
    out->x_point = leaf.t_point;
    out->m_point = leaf.t_point;
    out->feat = proof.feat_eval;
    out->y = proof.y_eval;
    out->x = proof.x_eval;
    out->m = -leaf.t_p;
  }
  return Verdict::accept();
}

}  // namespace zkinfer::lookup
