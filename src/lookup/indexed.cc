// The indexed lookup into a committed table (indexed.h), on the LogUp's fractional-sum GKR
// (prover.h detail::prove_fractions, verifier.h verify_fractions).
#include "lookup/indexed.h"

#include <algorithm>
#include <utility>

#include "common/check.h"
#include "lookup/prover.h"
#include "lookup/verifier.h"
#include "snark/cfr.h"
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
template <class F>
F prefix_indicator(std::span<const F> z, size_t c) {
  if (z.size() < 64 && c >= (size_t{1} << z.size())) return F::one();
  F result = F::zero(), prefix = F::one();
  for (size_t b = z.size(); b-- > 0;) {
    if ((c >> b) & 1) {
      result += prefix * (F::one() - z[b]);
      prefix *= z[b];
    } else {
      prefix *= F::one() - z[b];
    }
  }
  return result;
}

// The MLE of the index column x -> x (its bits little-endian) at z: sum_b 2^b z_b.
template <class F>
F index_mle(std::span<const F> z) {
  F acc = F::zero(), pw = F::one();
  for (const F& zb : z) {
    acc += pw * zb;
    pw += pw;
  }
  return acc;
}

// The shared GKR (prover.h detail::prove_fractions, verifier.h verify_fractions) takes the
// witness leaves' numerators to be 1 at the step into a witness tree deeper than the table tree
// (plan_steps). Both of this lookup's trees carry numerators, so the deeper tree goes in the
// GKR's table position: the lookup's table T first when n > k, else its witness W first. Then no
// step has unit children, and every numerator and denominator is sent and checked.
bool table_first(size_t n, size_t k) { return n > k; }

// The lookup's claims (not the padding zero-check's): feat at the witness point's node part (its
// first nv coordinates), y at the witness point, X and m at the table point.
template <class F>
void lookup_claims(const IndexedProofT<F>& proof, const std::vector<F>& w_point, const std::vector<F>& t_point, size_t nv,
                   const sumcheck::Msg<F>& m_value, IndexedClaimsT<F>* out) {
  out->feat_point.assign(w_point.begin(), w_point.begin() + static_cast<std::ptrdiff_t>(nv));
  out->y_point = w_point;
  out->x_point = t_point;
  out->m_point = t_point;
  out->feat = proof.feat_eval;
  out->y = proof.y_eval;
  out->x = proof.x_eval;
  out->m = m_value;
}

}  // namespace

size_t IndexedShape::row_vars() const { return log2_ceil(rows); }
size_t IndexedShape::feat_vars() const { return log2_ceil(feats); }
size_t IndexedShape::node_vars() const { return log2_ceil(nodes); }

std::optional<std::string> IndexedShape::invalid() const {
  if (rows == 0 || feats == 0 || nodes == 0) return "empty table or index vector";
  if (rows > (size_t{1} << 24) || feats > (size_t{1} << 24) || nodes > (size_t{1} << 30)) return "too large";
  if (n() > 36 || k() > 30) return "lookup of more than 2^36 rows or table above 2^30 rows";
  return std::nullopt;
}

template <>
void IndexedProofT<Fr>::serialize(ByteWriter& w) const {
  gkr.serialize(w);
  sumcheck::write_msg<Fr>(w, feat_eval);
  sumcheck::write_msg<Fr>(w, y_eval);
  sumcheck::write_msg<Fr>(w, x_eval);
  if (!pad_zero.rounds.empty() || !pad_zero.final_evals.empty()) pad_zero.serialize(w);
}

namespace {
// y's padding zero-check: eq(tau, x) pad_W(x) y(x), degree 3.
template <class F = Fr>
sumcheck::Composition<F> pad_zero_composition() {
  return sumcheck::Composition<F>(3, {sumcheck::Term<F>{F::one(), {0, 1, 2}}});
}
}  // namespace

template <field::PrimeField F>
IndexedProofT<F> IndexedProofT<F>::deserialize(ByteReader& r, const IndexedShape& s) {
  IndexedProofT<F> p;
  p.gkr = table_first(s.n(), s.k()) ? LogupProof<F>::deserialize(r, s.k(), s.n(), 0)
                                    : LogupProof<F>::deserialize(r, s.n(), s.k(), 0);
  p.feat_eval = sumcheck::read_msg<F>(r);
  p.y_eval = sumcheck::read_msg<F>(r);
  p.x_eval = sumcheck::read_msg<F>(r);
  if (s.y_padded()) p.pad_zero = sumcheck::Proof<F>::deserialize(r, s.n(), pad_zero_composition<F>().degree() - 1, 3);
  return p;
}
template IndexedProofT<Fr> IndexedProofT<Fr>::deserialize(ByteReader&, const IndexedShape&);
template IndexedProofT<snark::CFr> IndexedProofT<snark::CFr>::deserialize(ByteReader&, const IndexedShape&);

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
  detail::Level<Fr> w, t;
  std::vector<Fr>&wp = w.p, &wq = w.q, &tp = t.p, &tq = t.q;
  wp.resize(y.size());
  wq.resize(y.size());
  tp.resize(x.size());
  tq.resize(x.size());
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
  IndexedProof proof;
  const bool swap = table_first(s.n(), s.k());
  detail::FractionPoints<Fr> leaf = swap ? detail::prove_fractions<Fr>(std::move(t), std::move(w), tr, detail::Cheats<Fr>{}, &proof.gkr)
                                         : detail::prove_fractions<Fr>(std::move(w), std::move(t), tr, detail::Cheats<Fr>{}, &proof.gkr);
  if (swap) std::swap(leaf.witness, leaf.table);
  std::vector<Fr> feat_point(leaf.witness.begin(), leaf.witness.begin() + static_cast<std::ptrdiff_t>(nv));
  const Fr fe = poly::evaluate_mle<Fr>(feat, feat_point), ye = poly::evaluate_mle<Fr>(y, leaf.witness),
           xe = poly::evaluate_mle<Fr>(x, leaf.table);
  proof.feat_eval = sumcheck::send_msg<Fr>(tr, fe);
  proof.y_eval = sumcheck::send_msg<Fr>(tr, ye);
  proof.x_eval = sumcheck::send_msg<Fr>(tr, xe);
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
  if (out) lookup_claims(proof, leaf.witness, leaf.table, nv, M(poly::evaluate_mle<Fr>(m, leaf.table)), out);
  return proof;
}

template <field::PrimeField F>
Verdict verify_indexed_as(const IndexedShape& s, const IndexedProofT<F>& proof, transcript::Transcript& tr,
                          IndexedClaimsT<F>* out) {
  using M = sumcheck::Msg<F>;
  if (auto why = s.invalid()) return Verdict::reject("indexed lookup: " + *why);
  const size_t nv = s.node_vars(), fv = s.feat_vars(), rv = s.row_vars();
  absorb_indexed_shape(tr, s);
  const F beta = tr.challenge<F>(kLabelIndexedBeta);
  const F alpha = tr.challenge<F>(kLabelIndexedAlpha);
  const F beta2 = beta * beta, beta3 = beta2 * beta;
  if (!proof.gkr.witness_evals.empty()) return Verdict::reject("indexed lookup: unexpected witness values in the GKR proof");
  const bool swap = table_first(s.n(), s.k());
  FractionLeafClaims<F> leaf;
  if (Verdict v = verify_fractions<F>(swap ? s.k() : s.n(), swap ? s.n() : s.k(), proof.gkr, tr, &leaf); !v)
    return v.within("indexed lookup");
  // The deeper tree is in the table position, so no step fixed numerators to 1.
  if (leaf.witness_unit) return Verdict::reject("indexed lookup: internal: unit numerators");
  if (swap) {
    std::swap(leaf.witness_point, leaf.table_point);
    std::swap(leaf.witness_p, leaf.table_p);
    std::swap(leaf.witness_q, leaf.table_q);
  }
  tr.absorb_many(kLabelIndexedEvals, std::vector<M>{proof.feat_eval, proof.y_eval, proof.x_eval});
  const std::span<const F> w(leaf.witness_point), t(leaf.table_point);
  const auto w_node = w.subspan(0, nv), w_row = w.subspan(nv, rv);
  const auto t_feat = t.subspan(0, fv), t_row = t.subspan(fv, rv);
  // Witness leaves: numerators [r < N][n < M], denominators alpha - (feat + beta y + beta^2 r).
  const F valid_w = prefix_indicator<F>(w_node, s.nodes) * prefix_indicator<F>(w_row, s.rows);
  if (leaf.witness_p != M(valid_w)) return Verdict::reject("indexed lookup: witness numerators are not the valid rows");
  if (leaf.witness_q != M(alpha) - (proof.feat_eval + proof.y_eval * beta + M(beta2 * index_mle<F>(w_row))))
    return Verdict::reject("indexed lookup: witness denominators do not match the sent index and value evaluations");
  // Table leaves: denominators alpha - (f + beta X + beta^2 r + beta^3 pad).
  const F valid_t = prefix_indicator<F>(t_feat, s.feats) * prefix_indicator<F>(t_row, s.rows);
  const F pub = index_mle<F>(t_feat) + beta2 * index_mle<F>(t_row) + beta3 * (F::one() - valid_t);
  if (leaf.table_q != M(alpha - pub) - proof.x_eval * beta)
    return Verdict::reject("indexed lookup: table denominators do not match the sent table evaluation");
  // y's padding zero-check.
  std::vector<F> pad_point;
  M y_pad{};
  if (s.y_padded()) {
    const auto tau = tr.challenges<F>(kLabelIndexedPadTau, s.n());
    sumcheck::Subclaim<F> sub;
    if (Verdict v = sumcheck::verify_with_eq<F>(pad_zero_composition<F>(), tau, M{}, proof.pad_zero, tr, &sub); !v)
      return v.within("indexed lookup: padding zero-check");
    const auto& fe = sub.final_evals;
    if (fe.size() != 3) return Verdict::reject("indexed lookup: padding zero-check: wrong number of final values");
    if (fe[0] != M(poly::eq_eval<F>(tau, sub.point)))
      return Verdict::reject("indexed lookup: padding zero-check: eq value is wrong");
    const std::span<const F> z(sub.point);
    const F pad = F::one() - prefix_indicator<F>(z.subspan(0, nv), s.nodes) * prefix_indicator<F>(z.subspan(nv, rv), s.rows);
    if (fe[1] != M(pad)) return Verdict::reject("indexed lookup: padding zero-check: padding indicator mismatch");
    pad_point = std::move(sub.point);
    y_pad = fe[2];
  }
  if (out) {
    out->y_pad_point = std::move(pad_point);
    out->y_pad = y_pad;
    lookup_claims(proof, leaf.witness_point, leaf.table_point, nv, -leaf.table_p, out);
  }
  return Verdict::accept();
}

template Verdict verify_indexed_as<Fr>(const IndexedShape&, const IndexedProof&, transcript::Transcript&, IndexedClaims*);
template Verdict verify_indexed_as<snark::CFr>(const IndexedShape&, const IndexedProofT<snark::CFr>&, transcript::Transcript&,
                                               IndexedClaimsT<snark::CFr>*);

Verdict verify_indexed(const IndexedShape& s, const IndexedProof& proof, transcript::Transcript& tr, IndexedClaims* out) {
  return verify_indexed_as<Fr>(s, proof, tr, out);
}

}  // namespace zkinfer::lookup
