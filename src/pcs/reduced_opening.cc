#include "pcs/reduced_opening.h"

#include <omp.h>

#include <algorithm>
#include <string>

#include "common/check.h"
#include "poly/mle.h"
#include "poly/parallel.h"

namespace zkinfer::pcs {

namespace {

// Lagrange weights of the degree-2 polynomial through (0, p0), (1, p1), (2, p2) at r.
template <field::PrimeField F>
std::array<F, 3> lagrange3(const F& r) {
  const F one = F::one(), two = F::from_u64(2);
  const Fr inv2 = Fr::from_u64(2).inverse();
  return {(r - one) * (r - two) * F(inv2), -(r * (r - two)), r * (r - one) * F(inv2)};
}

// The combined claim sum_i beta^i v_i, and per commitment the table of E_c = sum beta^i eq(z_i, .)
// (when want_tables), or its value at rho (verifier).
struct Weighted {
  cp::Val claim;
  std::vector<std::vector<Fr>> e_tables;
};

template <class Claim>
std::string claims_problem(std::span<const size_t> num_vars, std::span<const Claim> claims) {
  if (num_vars.empty()) return "no commitments";
  std::vector<bool> seen(num_vars.size(), false);
  for (size_t i = 0; i < claims.size(); ++i) {
    const auto& c = claims[i];
    if (c.com >= num_vars.size()) return "claim " + std::to_string(i) + " on an unknown commitment";
    if (c.point.size() != num_vars[c.com]) return "claim " + std::to_string(i) + ": point size differs from the commitment";
    seen[c.com] = true;
  }
  for (size_t c = 0; c < seen.size(); ++c)
    if (!seen[c]) return "commitment " + std::to_string(c) + " has no claim";
  return {};
}

}  // namespace

Reduced prove_reduction(std::span<const std::span<const Fr>> tables, std::span<const ReductionClaim> claims,
                        transcript::Transcript& tr, ByteWriter& w) {
  const size_t K = tables.size();
  std::vector<size_t> nv(K);
  size_t N = 0;
  for (size_t c = 0; c < K; ++c) {
    ZKINFER_CHECK(std::has_single_bit(tables[c].size()));
    nv[c] = static_cast<size_t>(std::countr_zero(tables[c].size()));
    N = std::max(N, nv[c]);
  }
  {
    const std::string why = claims_problem<ReductionClaim>(nv, claims);
    ZKINFER_CHECK(why.empty() && "bad reduction claims");
  }
  tr.absorb_u64("open.reduce.n", N);
  const Fr beta = tr.challenge<Fr>("open.reduce.beta");
  // Per commitment: E_c's table (built full size, then folded between two buffers) and f_c
  // (read from the caller's table in the first round, then folded between two buffers of half and
  // a quarter of its size): no allocation after the first two rounds, no copy of the tables.
  struct State {
    std::vector<Fr> ebuf[2], fbuf[2];
    const Fr* e = nullptr;
    const Fr* f = nullptr;
    size_t len = 0;  // current table length
    int e_at = 0, f_at = -1;  // which buffer holds the current table (-1: the caller's)
  };
  std::vector<State> st(K);
  Fr bi = Fr::one();
  for (const auto& cl : claims) {
    State& s = st[cl.com];
    if (s.ebuf[0].empty()) {
      s.ebuf[0] = poly::eq_table<Fr>(cl.point, bi);
    } else {
      const std::vector<Fr> t = poly::eq_table<Fr>(cl.point, bi);
      Fr* ec = s.ebuf[0].data();
#pragma omp parallel for schedule(static) if (poly::go_parallel(t.size()))
      for (size_t i = 0; i < t.size(); ++i) ec[i] += t[i];
    }
    bi *= beta;
  }
  for (size_t c = 0; c < K; ++c) {
    st[c].e = st[c].ebuf[0].data();
    st[c].f = tables[c].data();
    st[c].len = tables[c].size();
  }
  // finished[c]: E_c f_c after all of c's variables are bound, times prod (1 - r_j)^2 since.
  std::vector<Fr> finished(K, Fr::zero());
  std::vector<bool> done(K, false);
  for (size_t c = 0; c < K; ++c)
    if (nv[c] == 0) done[c] = true, finished[c] = st[c].e[0] * st[c].f[0];
  Reduced out;
  for (size_t j = 0; j < N; ++j) {
    Fr p0 = Fr::zero(), p2 = Fr::zero();
    for (size_t c = 0; c < K; ++c) {
      if (done[c]) {
        p0 += finished[c];
        p2 += finished[c];
        continue;
      }
      const size_t half = st[c].len / 2;
      const Fr* E = st[c].e;
      const Fr* F = st[c].f;
      Fr s0 = Fr::zero(), s2 = Fr::zero();
#pragma omp parallel if (poly::go_parallel(half))
      {
        Fr l0 = Fr::zero(), l2 = Fr::zero();
#pragma omp for schedule(static) nowait
        for (size_t i = 0; i < half; ++i) {
          const Fr e0 = E[2 * i], e1 = E[2 * i + 1], f0 = F[2 * i], f1 = F[2 * i + 1];
          l0 += e0 * f0;
          l2 += (e1 + e1 - e0) * (f1 + f1 - f0);
        }
#pragma omp critical
        {
          s0 += l0;
          s2 += l2;
        }
      }
      p0 += s0;
      p2 += s2;
    }
    const cp::Val m0 = cp::send(tr, p0), m2 = cp::send(tr, p2);
    tr.absorb("open.reduce.p0", m0);
    cp::write(w, m0);
    tr.absorb("open.reduce.p2", m2);
    cp::write(w, m2);
    const Fr r = tr.challenge<Fr>("open.reduce.r");
    out.rho.push_back(r);
    const Fr one_r2 = (Fr::one() - r) * (Fr::one() - r);
    for (size_t c = 0; c < K; ++c) {
      if (done[c]) {
        finished[c] *= one_r2;
        continue;
      }
      State& s = st[c];
      const size_t half = s.len / 2;
      // The other buffer (out of place: folding in place races between threads).
      const int ed = 1 - s.e_at, fd = s.f_at == 0 ? 1 : 0;
      if (s.ebuf[ed].size() < half) s.ebuf[ed].resize(half);
      if (s.fbuf[fd].size() < half) s.fbuf[fd].resize(half);
      const Fr* E0 = s.e;
      const Fr* F0 = s.f;
      Fr* E1 = s.ebuf[ed].data();
      Fr* F1 = s.fbuf[fd].data();
#pragma omp parallel for schedule(static) if (poly::go_parallel(half))
      for (size_t i = 0; i < half; ++i) {
        E1[i] = E0[2 * i] + r * (E0[2 * i + 1] - E0[2 * i]);
        F1[i] = F0[2 * i] + r * (F0[2 * i + 1] - F0[2 * i]);
      }
      s.e = E1, s.f = F1, s.e_at = ed, s.f_at = fd, s.len = half;
      if (half == 1) done[c] = true, finished[c] = E1[0] * F1[0];
    }
  }
  out.evals.reserve(K);
  for (size_t c = 0; c < K; ++c) {
    const cp::Val v = cp::send(tr, st[c].f[0]);
    tr.absorb("open.reduce.eval", v);
    cp::write(w, v);
    out.evals.push_back(v);
  }
  return out;
}

template <field::PrimeField F>
Verdict verify_reduction_as(std::span<const size_t> num_vars, std::span<const ReductionClaimT<F>> claims,
                            transcript::Transcript& tr, ByteReader& r, ReducedT<F>* out) {
  using M = sumcheck::Msg<F>;
  if (std::string why = claims_problem<ReductionClaimT<F>>(num_vars, claims); !why.empty())
    return Verdict::reject("opening reduction: " + why);
  const size_t K = num_vars.size();
  size_t N = 0;
  for (size_t n : num_vars) N = std::max(N, n);
  if (N > kMaxNumVars) return Verdict::reject("opening reduction: too many variables");
  tr.absorb_u64("open.reduce.n", N);
  const F beta = tr.challenge<F>("open.reduce.beta");
  M claim = M(Fr::zero());
  F bi = F::one();
  std::vector<F> betas;
  betas.reserve(claims.size());
  for (const auto& cl : claims) {
    claim += cl.value * bi;
    betas.push_back(bi);
    bi *= beta;
  }
  ReducedT<F> res;
  for (size_t j = 0; j < N; ++j) {
    const M m0 = sumcheck::read_msg<F>(r);
    tr.absorb("open.reduce.p0", m0);
    const M m2 = sumcheck::read_msg<F>(r);
    tr.absorb("open.reduce.p2", m2);
    const M m1 = claim - m0;
    const F x = tr.challenge<F>("open.reduce.r");
    res.rho.push_back(x);
    const auto l = lagrange3<F>(x);
    claim = m0 * l[0] + m1 * l[1] + m2 * l[2];
  }
  res.evals.reserve(K);
  for (size_t c = 0; c < K; ++c) {
    const M v = sumcheck::read_msg<F>(r);
    tr.absorb("open.reduce.eval", v);
    res.evals.push_back(v);
  }
  // The last claim against the evaluations: sum_c E_c(rho_c) prod_{j >= n_c} (1 - rho_j)^2 F_c.
  std::vector<F> weight(K, F::zero());
  for (size_t i = 0; i < claims.size(); ++i) {
    const auto& cl = claims[i];
    weight[cl.com] += betas[i] * poly::eq_eval<F>(cl.point, std::span<const F>(res.rho).first(cl.point.size()));
  }
  M expected = M(Fr::zero());
  for (size_t c = 0; c < K; ++c) {
    F wc = weight[c];
    for (size_t j = num_vars[c]; j < N; ++j) wc *= (F::one() - res.rho[j]) * (F::one() - res.rho[j]);
    expected += res.evals[c] * wc;
  }
  if (claim != expected) return Verdict::reject("opening reduction: the final claim does not match the evaluations");
  if (out) *out = std::move(res);
  return Verdict::accept();
}
template Verdict verify_reduction_as<Fr>(std::span<const size_t>, std::span<const ReductionClaim>, transcript::Transcript&,
                                         ByteReader&, Reduced*);
template Verdict verify_reduction_as<snark::CFr>(std::span<const size_t>, std::span<const ReductionClaimT<snark::CFr>>,
                                                 transcript::Transcript&, ByteReader&, ReducedT<snark::CFr>*);

Verdict verify_reduction(std::span<const size_t> num_vars, std::span<const ReductionClaim> claims,
                         transcript::Transcript& tr, ByteReader& r, Reduced* out) {
  return verify_reduction_as<Fr>(num_vars, claims, tr, r, out);
}

cp::Val OpenGroup::value(std::span<const cp::Val> evals) const {
  cp::Val v = cp::Val(Fr::zero());
  for (size_t k = 0; k < members.size(); ++k) v += evals[members[k]] * value_coef[k];
  return v;
}

std::vector<OpenGroup> group_at_point(std::span<const HyraxLayout> layouts, std::span<const Fr> rho,
                                      transcript::Transcript& tr) {
  size_t B = 0;
  for (const auto& l : layouts) B = std::max(B, l.col_vars());
  // Members whose scale s_c vanishes get a group of their own width (keyed by it).
  std::vector<OpenGroup> groups;
  auto group_for = [&](size_t width) -> OpenGroup& {
    for (auto& g : groups)
      if (g.width == width) return g;
    OpenGroup g;
    g.point.assign(rho.begin(), rho.end());
    g.width = width;
    groups.push_back(std::move(g));
    return groups.back();
  };
  std::vector<Fr> scale(layouts.size());
  for (size_t c = 0; c < layouts.size(); ++c) {
    const size_t b = layouts[c].col_vars();
    ZKINFER_CHECK(layouts[c].num_vars <= rho.size());
    Fr s = Fr::one();
    for (size_t j = b; j < B; ++j) s *= Fr::one() - rho[j];
    OpenGroup& g = group_for(s.is_zero() ? b : B);
    scale[c] = s.is_zero() ? Fr::one() : s;
    g.members.push_back(c);
  }
  // Groups in order of width, largest first (deterministic on both sides).
  std::stable_sort(groups.begin(), groups.end(), [](const OpenGroup& a, const OpenGroup& b) { return a.width > b.width; });
  for (auto& g : groups) {
    const Fr gamma = g.members.size() > 1 ? tr.challenge<Fr>("open.gamma") : Fr::one();
    Fr gk = Fr::one();
    for (size_t c : g.members) {
      g.row_coef.push_back(gk);
      g.value_coef.push_back(gk * scale[c]);
      gk *= gamma;
    }
  }
  return groups;
}

OpenGroup single_group(const HyraxLayout& layout, std::span<const Fr> point) {
  OpenGroup g;
  g.point = split_point(layout, point).col;
  g.width = layout.col_vars();
  g.members = {0};
  g.row_coef = {Fr::one()};
  g.value_coef = {Fr::one()};
  return g;
}

SplitPoint split_point(const HyraxLayout& layout, std::span<const Fr> point) {
  ZKINFER_CHECK(point.size() == layout.num_vars);
  const size_t b = layout.col_vars();
  return {std::vector<Fr>(point.begin(), point.begin() + static_cast<std::ptrdiff_t>(b)),
          std::vector<Fr>(point.begin() + static_cast<std::ptrdiff_t>(b), point.end())};
}

RowCombo row_combo(const HyraxLayout& layout, std::span<const Fr> table, const HyraxBlinds& blinds,
                   std::span<const Fr> row_point) {
  ZKINFER_CHECK(table.size() == layout.size() && blinds.rho.size() == layout.num_rows() &&
                row_point.size() == layout.row_vars());
  const std::vector<Fr> wts = poly::eq_table<Fr>(row_point);
  RowCombo out;
  out.t = combine_rows(table, layout, wts);
  out.tau = Fr::zero();
  for (size_t i = 0; i < wts.size(); ++i) out.tau += wts[i] * blinds.rho[i];
  return out;
}

RowCombo row_combo(const HyraxLayout& layout, const SmallValues& table, const HyraxBlinds& blinds,
                   std::span<const Fr> row_point) {
  ZKINFER_CHECK(table.size() == layout.size() && blinds.rho.size() == layout.num_rows() &&
                row_point.size() == layout.row_vars());
  const std::vector<Fr> wts = poly::eq_table<Fr>(row_point);
  RowCombo out;
  out.t = combine_rows_small(table, layout, wts);
  out.tau = Fr::zero();
  for (size_t i = 0; i < wts.size(); ++i) out.tau += wts[i] * blinds.rho[i];
  return out;
}

IpaProof prove_group_opening(const HyraxParams& params, const OpenGroup& g, std::span<const RowCombo> combos,
                             const ProverClaim& claim, transcript::Transcript& tr, const RandomFr& random) {
  claim.public_claim().absorb_into(tr);
  const Fr e = nonzero_challenge(tr, "open.e");
  std::vector<Fr> a(size_t{1} << g.width, Fr::zero());
  Fr tau = Fr::zero();
  for (size_t k = 0; k < g.members.size(); ++k) {
    const RowCombo& rc = combos[g.members[k]];
    ZKINFER_CHECK(rc.t.size() <= a.size());
    const Fr gk = g.row_coef[k];
    for (size_t i = 0; i < rc.t.size(); ++i) a[i] += gk * rc.t[i];
    tau += gk * rc.tau;
  }
  std::vector<Fr> y = poly::eq_table<Fr>(std::span<const Fr>(g.point).first(g.width));
  return ipa_prove(params.g(g.width), params.h(), params.u(), e, std::move(a), std::move(y), tau + e * claim.blind, tr,
                   random);
}

Verdict verify_group_opening(const HyraxParams& params, const OpenGroup& g, std::span<const RowTerm> terms,
                             const EvalClaim& claim, const IpaProof& proof, transcript::Transcript& tr,
                             IpaBatch* batch) {
  if (g.width > params.max_log_cols() || g.width > g.point.size())
    return Verdict::reject("opening: wider than the parameters' generators");
  claim.absorb_into(tr);
  const Fr e = nonzero_challenge(tr, "open.e");
  MsmTerms p;
  for (size_t k = 0; k < g.members.size(); ++k) {
    const RowTerm& rt = terms[g.members[k]];
    const HyraxLayout& l = rt.c->layout;
    if (l.col_vars() > g.width || rt.row_point.size() != l.row_vars() || rt.c->rows.size() != l.num_rows())
      return Verdict::reject("opening: commitment layout does not fit the group");
    const std::vector<Fr> wts = poly::eq_table<Fr>(rt.row_point);
    for (size_t i = 0; i < wts.size(); ++i) p.add(rt.c->rows[i], g.row_coef[k] * wts[i]);
  }
  if (claim.is_committed())
    p.add(claim.commitment(), e);
  else
    p.add(params.u(), e * claim.value());
  std::vector<Fr> y = poly::eq_table<Fr>(std::span<const Fr>(g.point).first(g.width));
  return ipa_verify(params.g(g.width), params.h(), params.u(), e, y, std::move(p), proof, tr, batch);
}

namespace {
HyraxLayout vector_layout(size_t b) {
  HyraxLayout l;
  l.num_vars = static_cast<uint32_t>(b);
  l.log_cols = static_cast<uint32_t>(b);
  return l;
}
}  // namespace

ReducedFront prove_reduced_front(std::span<const HyraxLayout> layouts, std::span<const std::span<const Fr>> tables,
                                 std::span<const HyraxBlinds* const> blinds, std::span<const ReductionClaim> claims,
                                 transcript::Transcript& tr, ByteWriter& w, std::span<const SmallValues* const> small) {
  ZKINFER_CHECK(small.empty() || small.size() == layouts.size());
  ReducedFront out;
  std::vector<ReductionClaim> col_claims;
  std::vector<HyraxLayout> vec_layouts;
  out.combos.resize(claims.size());
  std::vector<SplitPoint> parts(claims.size());
  for (size_t i = 0; i < claims.size(); ++i) {
    ZKINFER_CHECK(claims[i].com < layouts.size());
    parts[i] = split_point(layouts[claims[i].com], claims[i].point);
  }
  // The row combinations: the only work proportional to the committed sizes.
#pragma omp parallel for schedule(dynamic, 1) if (claims.size() > 1)
  for (size_t i = 0; i < claims.size(); ++i) {
    const size_t c = claims[i].com;
    out.combos[i] = !small.empty() && small[c] ? row_combo(layouts[c], *small[c], *blinds[c], parts[i].row)
                                               : row_combo(layouts[c], tables[c], *blinds[c], parts[i].row);
  }
  std::vector<std::span<const Fr>> vecs;
  for (size_t i = 0; i < claims.size(); ++i) {
    vecs.push_back(out.combos[i].t);
    vec_layouts.push_back(vector_layout(parts[i].col.size()));
    col_claims.push_back({i, std::move(parts[i].col), claims[i].value});
  }
  out.red = prove_reduction(vecs, col_claims, tr, w);
  out.groups = group_at_point(vec_layouts, out.red.rho, tr);
  return out;
}

Verdict verify_reduced_front(std::span<const HyraxCommitment* const> coms, std::span<const ReductionClaim> claims,
                             transcript::Transcript& tr, ByteReader& r, ReducedFront* out) {
  ReducedFront res;
  std::vector<ReductionClaim> col_claims;
  std::vector<HyraxLayout> vec_layouts;
  std::vector<size_t> nv;
  for (size_t i = 0; i < claims.size(); ++i) {
    if (claims[i].com >= coms.size()) return Verdict::reject("opening: claim on an unknown commitment");
    const HyraxLayout& l = coms[claims[i].com]->layout;
    if (claims[i].point.size() != l.num_vars) return Verdict::reject("opening: point size differs from the commitment");
    SplitPoint sp = split_point(l, claims[i].point);
    res.terms.push_back({coms[claims[i].com], std::move(sp.row)});
    nv.push_back(sp.col.size());
    vec_layouts.push_back(vector_layout(sp.col.size()));
    col_claims.push_back({i, std::move(sp.col), claims[i].value});
  }
  if (Verdict v = verify_reduction(nv, col_claims, tr, r, &res.red); !v) return v;
  res.groups = group_at_point(vec_layouts, res.red.rho, tr);
  if (out) *out = std::move(res);
  return Verdict::accept();
}

}  // namespace zkinfer::pcs
