// Matrix-product layer (matmul.h; docs/protocol/layers.md, section 2).
#include "layers/matmul.h"

#include <algorithm>
#include <utility>

#include "common/check.h"
#include "layers/contract.h"
#include "poly/mle.h"
#include "snark/cfr.h"
#include "sumcheck/prover.h"
#include "sumcheck/verifier.h"
#include "zk/session.h"

namespace zkinfer::layers {

namespace {

constexpr std::string_view kLabelNumClaims = "layers.matmul.num_claims";
constexpr std::string_view kLabelClaims = "layers.matmul.claims";
constexpr std::string_view kLabelBias = "layers.matmul.bias_values";
constexpr std::string_view kLabelGamma = "layers.matmul.gamma";

std::vector<size_t> with(std::vector<size_t> dims, std::initializer_list<size_t> tail) {
  dims.insert(dims.end(), tail);
  return dims;
}

// A claim point on Y split into (r_y: n's variables, r_x: m's, r_b: the batch's).
template <class F>
struct YPointT {
  std::vector<F> ry, rx, rb;
};
using YPoint = YPointT<Fr>;

template <class F>
YPointT<F> split_y(const MatmulShape& s, std::span<const F> point) {
  const size_t ln = ceil_log2(s.n), lm = ceil_log2(s.m);
  YPointT<F> p;
  p.ry.assign(point.begin(), point.begin() + ln);
  p.rx.assign(point.begin() + ln, point.begin() + ln + lm);
  p.rb.assign(point.begin() + ln + lm, point.end());
  return p;
}

// For each block (padded batch index) of Y, the operand's block with batch dims `own` (each
// batch[i] or 1): its index along dim i is Y's, or 0 where it is broadcast (own[i] == 1), padded
// indices included (a broadcast operand's table is constant along the dims it lacks).
std::vector<size_t> block_map(const std::vector<size_t>& batch, const std::vector<size_t>& own) {
  size_t pb = 1;
  for (size_t d : batch) pb *= next_pow2(d);
  std::vector<size_t> map(pb);
  for (size_t yb = 0; yb < pb; ++yb) {
    size_t rem = yb, at = 0, scale = 1;
    for (size_t i = batch.size(); i-- > 0;) {
      const size_t pd = next_pow2(batch[i]);
      if (own[i] != 1) at += (rem % pd) * scale;
      rem /= pd;
      scale *= next_pow2(own[i]);
    }
    map[yb] = at;
  }
  return map;
}

// The operand's batch variables out of Y's (r_b restricted to the dims the operand has).
template <class F>
std::vector<F> own_batch_point(const std::vector<size_t>& batch, const std::vector<size_t>& own, const std::vector<F>& rb) {
  if (own == batch || batch.empty()) return rb;
  auto parts = split_point(PaddedShape(batch), rb);
  for (size_t i = 0; i < batch.size(); ++i)
    if (own[i] == 1) parts[i].clear();
  return join_point(PaddedShape(own), parts);
}

// Y's blocks of the contraction tables from the operand's own blocks (at.size() == pb * pk).
void spread(const std::vector<Fr>& own_tables, const std::vector<size_t>& map, size_t pk, std::vector<Fr>& out) {
  for (size_t yb = 0; yb < map.size(); ++yb)
    std::copy(own_tables.begin() + static_cast<std::ptrdiff_t>(map[yb] * pk),
              own_tables.begin() + static_cast<std::ptrdiff_t>((map[yb] + 1) * pk), out.begin() + static_cast<std::ptrdiff_t>(yb * pk));
}

// The point on c for a claim at y, and the MLE of the broadcast indicator at y (the product of
// sum_{i < d} eq(r, i) over the dims along which c is broadcast).
template <class F>
std::pair<std::vector<F>, F> bias_point(const MatmulShape& s, const YPointT<F>& y) {
  std::vector<F> pt;
  F ind = F::one();
  if (s.bias_cols) {
    pt.insert(pt.end(), y.ry.begin(), y.ry.end());
  } else {
    ind *= eq_prefix_sum(y.ry, s.n);
  }
  if (s.bias_rows) {
    pt.insert(pt.end(), y.rx.begin(), y.rx.end());
  } else {
    ind *= eq_prefix_sum(y.rx, s.m);
  }
  if (s.bias_batch) {
    pt.insert(pt.end(), y.rb.begin(), y.rb.end());
  } else if (!s.batch.empty()) {
    const PaddedShape bs(s.batch);
    const auto parts = split_point(bs, y.rb);
    for (size_t i = 0; i < parts.size(); ++i) ind *= eq_prefix_sum(parts[i], s.batch[i]);
  }
  return {std::move(pt), ind};
}

// sum_t gamma^t [eq_t] A_t B_t; factors per claim: (eq over the batch,) A_t, B_t.
template <class F>
sumcheck::Composition<F> composition(size_t num_claims, bool has_batch, const F& gamma) {
  const size_t per = has_batch ? 3 : 2;
  std::vector<sumcheck::Term<F>> terms;
  F c = F::one();
  for (size_t t = 0; t < num_claims; ++t) {
    std::vector<size_t> f;
    for (size_t j = 0; j < per; ++j) f.push_back(per * t + j);
    terms.push_back({c, std::move(f)});
    c *= gamma;
  }
  return sumcheck::Composition<F>(per * num_claims, std::move(terms));
}

template <class F>
void absorb_claims(transcript::Transcript& tr, std::span<const ClaimT<F>> claims) {
  tr.absorb_u64(kLabelNumClaims, claims.size());
  std::vector<sumcheck::Msg<F>> values;
  for (const auto& c : claims) {  // each claim's point, then its value
    values.insert(values.end(), c.point.begin(), c.point.end());
    if (!zk_of(tr)) values.push_back(c.value);  // zero knowledge: claim values are derived, never absorbed
  }
  tr.absorb_many(kLabelClaims, values);
}

// The claims on A, B (and c) from the sumcheck's point (r_z, r_b*) and final values.
template <class F>
void output_claims(const MatmulShape& s, std::span<const ClaimT<F>> y_claims, const std::vector<F>& sc_point,
                   std::span<const sumcheck::Msg<F>> finals, std::span<const sumcheck::Msg<F>> bias_values,
                   MatmulClaimsT<F>* out) {
  const size_t lk = ceil_log2(s.k);
  const bool has_batch = s.batch_vars() > 0;
  const size_t per = has_batch ? 3 : 2;
  const std::vector<F> rz(sc_point.begin(), sc_point.begin() + lk);
  const std::vector<F> rb_y(sc_point.begin() + lk, sc_point.end());
  const std::vector<F> rba = own_batch_point(s.batch, s.a_batch_dims(), rb_y);
  const std::vector<F> rbb = own_batch_point(s.batch, s.b_batch_dims(), rb_y);
  auto cat = [](std::initializer_list<const std::vector<F>*> parts) {
    std::vector<F> v;
    for (const auto* p : parts) v.insert(v.end(), p->begin(), p->end());
    return v;
  };
  out->a.clear();
  out->b.clear();
  out->bias.clear();
  for (size_t t = 0; t < y_claims.size(); ++t) {
    const YPointT<F> y = split_y<F>(s, y_claims[t].point);
    const sumcheck::Msg<F> a_val = finals[per * t + per - 2];
    const sumcheck::Msg<F> b_val = finals[per * t + per - 1];
    out->a.push_back({s.trans_a ? cat({&y.rx, &rz, &rba}) : cat({&rz, &y.rx, &rba}), a_val});
    out->b.push_back({s.trans_b ? cat({&rz, &y.ry, &rbb}) : cat({&y.ry, &rz, &rbb}), b_val});
    if (s.bias) out->bias.push_back({bias_point(s, y).first, bias_values[t]});
  }
}

}  // namespace

std::optional<std::string> MatmulShape::invalid() const {
  if (auto e = PaddedShape::invalid(with(batch, {m, k, n}))) return "matmul: " + *e;
  if (auto e = PaddedShape::invalid(with(batch, {m, n}))) return "matmul: " + *e;
  for (const auto* own : {&a_batch, &b_batch})
    if (!own->empty() && own->size() != batch.size()) return std::string("matmul: an operand's batch rank differs from the output's");
  const auto ab = a_batch_dims(), bb = b_batch_dims();
  for (size_t i = 0; i < batch.size(); ++i) {
    if ((ab[i] != batch[i] && ab[i] != 1) || (bb[i] != batch[i] && bb[i] != 1))
      return "matmul: an operand's batch dim " + std::to_string(i) + " is neither the output's nor 1";
    if (batch[i] > 1 && ab[i] != batch[i] && bb[i] != batch[i])
      return "matmul: both operands are broadcast along batch dim " + std::to_string(i);
  }
  return std::nullopt;
}

PaddedShape MatmulShape::a_shape() const { return PaddedShape(with(a_batch_dims(), trans_a ? std::initializer_list<size_t>{k, m} : std::initializer_list<size_t>{m, k})); }
PaddedShape MatmulShape::b_shape() const { return PaddedShape(with(b_batch_dims(), trans_b ? std::initializer_list<size_t>{n, k} : std::initializer_list<size_t>{k, n})); }
PaddedShape MatmulShape::y_shape() const { return PaddedShape(with(batch, {m, n})); }
PaddedShape MatmulShape::bias_shape() const {
  ZKINFER_CHECK(bias);
  return PaddedShape(with(bias_batch ? batch : std::vector<size_t>{}, {bias_rows ? m : 1, bias_cols ? n : 1}));
}
size_t MatmulShape::batch_vars() const {
  size_t v = 0;
  for (size_t d : batch) v += ceil_log2(d);
  return v;
}

template <>
void MatmulProofT<Fr>::serialize(ByteWriter& w) const {
  for (const auto& v : bias_values) cp::write(w, v);
  sumcheck.serialize(w);
}

template <field::PrimeField F>
MatmulProofT<F> MatmulProofT<F>::deserialize(ByteReader& r, const MatmulShape& shape, size_t num_claims) {
  MatmulProofT<F> p;
  if (shape.bias) {
    for (size_t i = 0; i < num_claims; ++i) p.bias_values.push_back(sumcheck::read_msg<F>(r));
  }
  const bool has_batch = shape.batch_vars() > 0;
  p.sumcheck = sumcheck::Proof<F>::deserialize(r, ceil_log2(shape.k) + shape.batch_vars(),
                                               has_batch && num_claims > 0 ? 3 : 2,
                                               (has_batch ? 3 : 2) * num_claims);
  return p;
}
template MatmulProofT<Fr> MatmulProofT<Fr>::deserialize(ByteReader&, const MatmulShape&, size_t);
template MatmulProofT<snark::CFr> MatmulProofT<snark::CFr>::deserialize(ByteReader&, const MatmulShape&, size_t);

namespace {

// The prover with the tables A_t = A~(., r_x^t, .) and B_t = B~(., ., r_y^t) (each over (z, b),
// index b pk + z) built by fill(y, ex, ey, at, bt).
template <class Fill>
MatmulProof prove_impl(const MatmulShape& s, std::span<const Fr> bias, std::span<const Claim> y_claims,
                       transcript::Transcript& tr, MatmulClaims* out, Fill&& fill) {
  ZKINFER_CHECK(!s.invalid() && !y_claims.empty());
  const PaddedShape ys = s.y_shape();
  const size_t num_claims = y_claims.size();
  const size_t lk = ceil_log2(s.k), lb = s.batch_vars();
  const size_t pk = next_pow2(s.k), pb = size_t{1} << lb;
  const bool has_batch = lb > 0;

  absorb_claims<Fr>(tr, y_claims);
  MatmulProof proof;
  std::vector<YPoint> ys_pts;
  for (const auto& c : y_claims) {
    ZKINFER_CHECK(c.point.size() == ys.num_vars());
    ys_pts.push_back(split_y<Fr>(s, c.point));
  }
  if (s.bias) {
    ZKINFER_CHECK(bias.size() == s.bias_shape().size());
    for (const auto& y : ys_pts) proof.bias_values.push_back(cp::send(tr, poly::evaluate_mle<Fr>(bias, bias_point(s, y).first)));
    tr.absorb_many(kLabelBias, proof.bias_values);
  }
  const Fr gamma = tr.challenge<Fr>(kLabelGamma);

  std::vector<std::vector<Fr>> factors;
  factors.reserve((has_batch ? 3 : 2) * num_claims);
  for (const auto& y : ys_pts) {
    if (has_batch) {
      const auto eb = poly::eq_table<Fr>(y.rb);
      std::vector<Fr> e(pb * pk);
      for (size_t bi = 0; bi < pb; ++bi)
        for (size_t z = 0; z < pk; ++z) e[bi * pk + z] = eb[bi];
      factors.push_back(std::move(e));
    }
    const auto ex = poly::eq_table<Fr>(y.rx);
    const auto ey = poly::eq_table<Fr>(y.ry);
    std::vector<Fr> at(pb * pk, Fr::zero()), bt(pb * pk, Fr::zero());
    fill(ex, ey, at, bt);
    factors.push_back(std::move(at));
    factors.push_back(std::move(bt));
  }
  const auto comp = composition(num_claims, has_batch, gamma);
  auto res = sumcheck::prove(comp, std::move(factors), tr);
  ZKINFER_CHECK(res.point.size() == lk + lb);
  proof.sumcheck = std::move(res.proof);
  if (out)
    output_claims<Fr>(s, y_claims, res.point, std::span<const cp::Val>(proof.sumcheck.final_evals),
                      std::span<const cp::Val>(proof.bias_values), out);
  return proof;
}

}  // namespace

MatmulProof prove_matmul(const MatmulShape& s, std::span<const Fr> a, std::span<const Fr> b, std::span<const Fr> bias,
                         std::span<const Claim> y_claims, transcript::Transcript& tr, MatmulClaims* out) {
  ZKINFER_CHECK(!s.invalid());
  ZKINFER_CHECK(a.size() == s.a_shape().size() && b.size() == s.b_shape().size());
  const size_t pm = next_pow2(s.m), pk = next_pow2(s.k), pn = next_pow2(s.n);
  const size_t pb = size_t{1} << s.batch_vars();
  if (s.broadcast()) {
    // Each operand's tables over its own blocks, then spread over Y's (block_map).
    const auto ab = s.a_batch_dims(), bb = s.b_batch_dims();
    const auto amap = block_map(s.batch, ab), bmap = block_map(s.batch, bb);
    const size_t pba = PaddedShape(with(ab, {1})).size(), pbb = PaddedShape(with(bb, {1})).size();
    return prove_impl(s, bias, y_claims, tr, out,
                      [&](const std::vector<Fr>& ex, const std::vector<Fr>& ey, std::vector<Fr>& at,
                          std::vector<Fr>& bt) {
                        std::vector<Fr> ao(pba * pk, Fr::zero()), bo(pbb * pk, Fr::zero());
                        if (s.trans_a) {
                          detail::contract_last(a, pba, pk, s.k, pm, s.m, ex, ao);
                        } else {
                          detail::contract_middle(a, pba, pm, s.m, pk, s.k, ex, ao);
                        }
                        if (s.trans_b) {
                          detail::contract_middle(b, pbb, pn, s.n, pk, s.k, ey, bo);
                        } else {
                          detail::contract_last(b, pbb, pk, s.k, pn, s.n, ey, bo);
                        }
                        spread(ao, amap, pk, at);
                        spread(bo, bmap, pk, bt);
                      });
  }
  return prove_impl(s, bias, y_claims, tr, out,
                    [&](const std::vector<Fr>& ex, const std::vector<Fr>& ey, std::vector<Fr>& at,
                        std::vector<Fr>& bt) {
                      if (s.trans_a) {
                        detail::contract_last(a, pb, pk, s.k, pm, s.m, ex, at);
                      } else {
                        detail::contract_middle(a, pb, pm, s.m, pk, s.k, ex, at);
                      }
                      if (s.trans_b) {
                        detail::contract_middle(b, pb, pn, s.n, pk, s.k, ey, bt);
                      } else {
                        detail::contract_last(b, pb, pk, s.k, pn, s.n, ey, bt);
                      }
                    });
}

MatmulProof prove_matmul(const MatmulShape& s, std::span<const int64_t> a, std::span<const int64_t> b,
                         std::span<const Fr> bias, std::span<const Claim> y_claims, transcript::Transcript& tr,
                         MatmulClaims* out) {
  ZKINFER_CHECK(!s.invalid());
  ZKINFER_CHECK(a.size() == s.a_shape().unpadded_size() && b.size() == s.b_shape().unpadded_size());
  const size_t pk = next_pow2(s.k);
  // Unpadded batch index -> padded batch index, over an operand's own batch dims.
  auto padded_batches = [](const std::vector<size_t>& dims) {
    size_t nb = 1;
    for (size_t d : dims) nb *= d;
    std::vector<size_t> pbatch(nb);
    for (size_t ub = 0; ub < nb; ++ub) {
      size_t rem = ub, at = 0, scale = 1;
      for (size_t i = dims.size(); i-- > 0;) {
        at += (rem % dims[i]) * scale;
        rem /= dims[i];
        scale *= next_pow2(dims[i]);
      }
      pbatch[ub] = at;
    }
    return pbatch;
  };
  const size_t mk = s.m * s.k, kn = s.k * s.n;
  auto fill_a = [&](const std::vector<size_t>& pbatch, const std::vector<Fr>& ex, Fr* base) {
    for (size_t ub = 0; ub < pbatch.size(); ++ub) {
      Fr* ao = base + pbatch[ub] * pk;
      if (s.trans_a) {
        detail::contract_last_i64(a.data() + ub * mk, s.k, s.m, ex, ao);
      } else {
        detail::contract_middle_i64(a.data() + ub * mk, s.m, s.k, ex, ao);
      }
    }
  };
  auto fill_b = [&](const std::vector<size_t>& pbatch, const std::vector<Fr>& ey, Fr* base) {
    for (size_t ub = 0; ub < pbatch.size(); ++ub) {
      Fr* bo = base + pbatch[ub] * pk;
      if (s.trans_b) {
        detail::contract_middle_i64(b.data() + ub * kn, s.n, s.k, ey, bo);
      } else {
        detail::contract_last_i64(b.data() + ub * kn, s.k, s.n, ey, bo);
      }
    }
  };
  if (s.broadcast()) {
    const auto ab = s.a_batch_dims(), bb = s.b_batch_dims();
    const auto apb = padded_batches(ab), bpb = padded_batches(bb);
    const auto amap = block_map(s.batch, ab), bmap = block_map(s.batch, bb);
    const size_t pba = PaddedShape(with(ab, {1})).size(), pbb = PaddedShape(with(bb, {1})).size();
    return prove_impl(s, bias, y_claims, tr, out,
                      [&](const std::vector<Fr>& ex, const std::vector<Fr>& ey, std::vector<Fr>& at,
                          std::vector<Fr>& bt) {
                        std::vector<Fr> ao(pba * pk, Fr::zero()), bo(pbb * pk, Fr::zero());
                        fill_a(apb, ex, ao.data());
                        fill_b(bpb, ey, bo.data());
                        spread(ao, amap, pk, at);
                        spread(bo, bmap, pk, bt);
                      });
  }
  const auto pbatch = padded_batches(s.batch);
  return prove_impl(s, bias, y_claims, tr, out,
                    [&](const std::vector<Fr>& ex, const std::vector<Fr>& ey, std::vector<Fr>& at,
                        std::vector<Fr>& bt) {
                      fill_a(pbatch, ex, at.data());
                      fill_b(pbatch, ey, bt.data());
                    });
}

template <field::PrimeField F>
Verdict verify_matmul_as(const MatmulShape& s, std::span<const ClaimT<F>> y_claims, const MatmulProofT<F>& proof,
                         transcript::Transcript& tr, MatmulClaimsT<F>* out) {
  if (auto e = s.invalid()) return Verdict::reject(*e);
  if (y_claims.empty()) return Verdict::reject("matmul: no claims on the output");
  const size_t num_claims = y_claims.size();
  const size_t y_vars = s.y_shape().num_vars();
  for (const auto& c : y_claims)
    if (c.point.size() != y_vars) return Verdict::reject("matmul: output claim point has the wrong length");
  if (proof.bias_values.size() != (s.bias ? num_claims : 0))
    return Verdict::reject("matmul: wrong number of bias values");
  const size_t lk = ceil_log2(s.k), lb = s.batch_vars();
  const bool has_batch = lb > 0;

  absorb_claims<F>(tr, y_claims);
  if (s.bias) tr.absorb_many(kLabelBias, proof.bias_values);
  const F gamma = tr.challenge<F>(kLabelGamma);

  std::vector<YPointT<F>> ys_pts;
  sumcheck::Msg<F> claim{};
  F c = F::one();
  for (size_t t = 0; t < num_claims; ++t) {
    ys_pts.push_back(split_y<F>(s, y_claims[t].point));
    sumcheck::Msg<F> v = y_claims[t].value;
    if (s.bias) v -= proof.bias_values[t] * bias_point(s, ys_pts.back()).second;
    claim += c * v;
    c *= gamma;
  }
  const auto comp = composition<F>(num_claims, has_batch, gamma);
  sumcheck::Subclaim<F> sub;
  Verdict v = sumcheck::verify(comp, lk + lb, claim, proof.sumcheck, tr, &sub);
  if (!v.ok()) return v.within("matmul");
  if (has_batch) {
    const std::span<const F> rb(sub.point.data() + lk, lb);
    for (size_t t = 0; t < num_claims; ++t)
      if (sub.final_evals[3 * t] != poly::eq_eval<F>(ys_pts[t].rb, rb))
        return Verdict::reject("matmul: batch eq value of claim " + std::to_string(t) + " is wrong");
  }
  if (out)
    output_claims<F>(s, y_claims, sub.point, std::span<const sumcheck::Msg<F>>(sub.final_evals),
                     std::span<const sumcheck::Msg<F>>(proof.bias_values), out);
  return Verdict::accept();
}

template Verdict verify_matmul_as<Fr>(const MatmulShape&, std::span<const Claim>, const MatmulProof&,
                                      transcript::Transcript&, MatmulClaims*);
template Verdict verify_matmul_as<snark::CFr>(const MatmulShape&, std::span<const ClaimT<snark::CFr>>,
                                              const MatmulProofT<snark::CFr>&, transcript::Transcript&,
                                              MatmulClaimsT<snark::CFr>*);

Verdict verify_matmul(const MatmulShape& s, std::span<const Claim> y_claims, const MatmulProof& proof,
                      transcript::Transcript& tr, MatmulClaims* out) {
  return verify_matmul_as<Fr>(s, y_claims, proof, tr, out);
}

}  // namespace zkinfer::layers
