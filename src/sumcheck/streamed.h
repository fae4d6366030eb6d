// prove_with_eq (prover.h) with its first rounds streamed: the factor tables are not given but
// computed by a function, block by block, where a round needs them, and only materialized
// (already folded) after the streamed rounds. With R streamed rounds the tables held are 2^R
// times smaller (and the eq weights of the first rounds are factored into two small tables);
// the factors are computed R + 1 times instead of once. The proof, the transcript and the result
// are exactly prove_with_eq's on the full tables (sumcheck_test StreamedRounds*).
//
// Used by the LogUp's fractional-sum GKR (lookup/prover.h) for its lowest steps, whose tables are
// computed from the witness columns: there the memory of a step drops from 1.75 tables of 2^n
// field elements to 1.75 / 2^R (docs: lookup/README.md).
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "common/check.h"
#include "field/concept.h"
#include "poly/mle.h"
#include "poly/parallel.h"
#include "poly/univariate.h"
#include "sumcheck/composition.h"
#include "sumcheck/proof.h"
#include "sumcheck/prover.h"
#include "transcript/transcript.h"

namespace zkinfer::sumcheck {

// fill(begin, end, outs): entries [begin, end) of the factor tables 1..k-1 (each of 2^n entries)
// into outs[0..k-2], end - begin values each. Called concurrently on disjoint ranges; begin and
// end are multiples of the block the caller asks for (a power of two).
template <field::PrimeField F>
using FactorFill = std::function<void(size_t begin, size_t end, F* const* outs)>;

namespace detail {

// Folds v[0, 2^m) with the challenges r[0..m) (round order: r[0] binds the lowest bit), in place:
// v[0] is then the table's value at (r, x) for the block's x.
template <field::PrimeField F>
void fold_block(F* v, size_t m, std::span<const F> r) {
  size_t len = size_t{1} << m;
  for (size_t i = 0; i < r.size(); ++i) {
    len >>= 1;
    const F& c = r[i];
    for (size_t x = 0; x < len; ++x) v[x] = v[2 * x] + c * (v[2 * x + 1] - v[2 * x]);
  }
}

}  // namespace detail

// As prove_with_eq(comp, eq_point, factors, tr) with factors[j] (j >= 1) the 2^n entries that
// `fill` gives; rounds 0..R-1 (R = min(streamed_rounds, n - 1)) read the factors from `fill`.
// streamed_rounds == 0 (or n <= 1) materializes the tables and calls prove_with_eq.
template <field::PrimeField F>
ProverResult<F> prove_with_eq_streamed(const Composition<F>& comp, std::span<const F> eq_point, const FactorFill<F>& fill,
                                       size_t streamed_rounds, transcript::Transcript& tr) {
  const size_t k = comp.num_factors();
  const size_t n = eq_point.size();
  ZKINFER_CHECK(k >= 2);
  const size_t kf = k - 1;
  const size_t R = n >= 1 ? std::min(streamed_rounds, n - 1) : 0;
  // Chunks of pairs (or of output entries) handed to one fill call.
  constexpr size_t kChunk = 1024;
  if (R == 0) {
    std::vector<std::vector<F>> factors(k);
    const size_t size = size_t{1} << n;
    for (size_t j = 1; j < k; ++j) factors[j].resize(size);
    const size_t nc = (size + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) if (poly::go_parallel(size))
    for (size_t c = 0; c < nc; ++c) {
      const size_t b = c * kChunk, e = std::min(size, b + kChunk);
      std::vector<F*> outs(kf);
      for (size_t a = 0; a < kf; ++a) outs[a] = factors[a + 1].data() + b;
      fill(b, e, outs.data());
    }
    return prove_with_eq<F>(comp, eq_point, std::move(factors), tr);
  }
  const size_t d = comp.degree();
  const auto terms = comp.terms();
  const poly::LagrangeBasis<F> basis = poly::lagrange_basis<F>(d);
  const poly::LagrangeBasis<F> basis_q = poly::lagrange_basis<F>(d - 1);

  // As prove_with_eq: the terms with eq removed, over positions 0..k-2 of the other factors.
  detail::KernelShape direct{d - 1, {}, {}, {}}, derived{d - 1, {}, {}, {}};
  for (size_t j = 1; j < k; ++j) direct.active.push_back(j);
  std::vector<std::vector<size_t>> rest_terms;
  for (const auto& t : terms) {
    size_t eq_count = 0;
    std::vector<size_t> rest;
    for (size_t j : t.factors) {
      if (j == 0) {
        ++eq_count;
      } else {
        rest.push_back(j - 1);
      }
    }
    ZKINFER_CHECK(eq_count == 1);
    direct.terms.push_back(rest);
    rest_terms.push_back(std::move(rest));
  }
  for (size_t t = 0; t < d; ++t) {
    direct.points.push_back(t);
    if (t != 1) derived.points.push_back(t);
  }
  derived.active = direct.active;
  derived.terms = direct.terms;
  std::vector<F> coeffs;
  for (const auto& t : terms) coeffs.push_back(t.coeff);

  ProverResult<F> res;
  res.proof.rounds.resize(n);
  res.point.reserve(n);
  std::vector<F> q(d), q_full(d + 1);
  F claim = F::zero();
  F c = F::one();  // prod_{j<i} eq(rho_j, r_j)

  // The round's message from q's values (prove_with_eq's round body after the sums).
  auto finish_round = [&](size_t round) {
    const F rho = eq_point[round];
    for (size_t t = 0; t < d; ++t) q_full[t] = q[t];
    q_full[d] = basis_q.evaluate(q, F::from_u64(d));
    std::vector<F> evals(d + 1);
    for (size_t t = 0; t <= d; ++t) {
      const F x = F::from_u64(t);
      const F eq_t = F::one() - rho - x + (rho + rho) * x;
      evals[t] = c * eq_t * q_full[t];
    }
    if (round == 0) {
      claim = evals[0] + evals[1];
      res.claim = claim;
      absorb_statement(tr, n, comp);
    }
    std::vector<F> sent;
    for (size_t t = 0; t < d; ++t)
      if (t != (rho.is_zero() ? size_t{0} : size_t{1})) sent.push_back(q[t]);
    if (d == 1) sent.clear();
    RoundMessage<F>& msg = res.proof.rounds[round];
    msg.evals = send_msgs<F>(tr, sent);
    const F r = absorb_round(tr, msg);
    claim = basis.evaluate(evals, r);
    c *= F::one() - rho - r + (rho + rho) * r;
    res.point.push_back(r);
  };

  // Streamed rounds: round j reads blocks of 2^(j + 1) entries a pair, folds them with r_0..r_{j-1}
  // and weighs the pair by eq(rho_{>j}, pair) = lo[pair's low bits] hi[its high bits].
  for (size_t round = 0; round < R; ++round) {
    const size_t half = size_t{1} << (n - round - 1);
    const size_t m = round + 1;  // log2 of the entries a pair
    const size_t wv = n - round - 1;
    const size_t lb = std::min<size_t>(wv, 12);
    const std::vector<F> w_lo = poly::eq_table<F>(eq_point.subspan(round + 1, lb));
    const std::vector<F> w_hi = poly::eq_table<F>(eq_point.subspan(round + 1 + lb));
    const size_t lo_mask = (size_t{1} << lb) - 1;
    const std::span<const F> rs(res.point.data(), round);
    std::vector<F> sums(d, F::zero());
    const size_t pairs_per_chunk = std::max<size_t>(1, kChunk >> m);
    const size_t nc = (half + pairs_per_chunk - 1) / pairs_per_chunk;
#pragma omp parallel if (poly::go_parallel(half << m))
    {
      std::vector<F> local(d, F::zero());
      std::vector<std::vector<F>> buf(kf);
      std::vector<F*> outs(kf);
      std::vector<F> vals(kf * d);
#pragma omp for schedule(static)
      for (size_t ch = 0; ch < nc; ++ch) {
        const size_t p0 = ch * pairs_per_chunk, p1 = std::min(half, p0 + pairs_per_chunk);
        const size_t len = (p1 - p0) << m;
        for (size_t a = 0; a < kf; ++a) {
          buf[a].resize(len);
          outs[a] = buf[a].data();
        }
        fill(p0 << m, p1 << m, outs.data());
        for (size_t i = p0; i < p1; ++i) {
          for (size_t a = 0; a < kf; ++a) {
            F* v = buf[a].data() + ((i - p0) << m);
            // Fold the pair's two halves (2^round entries each) to its lo and hi values.
            if (round > 0) {
              detail::fold_block<F>(v, round, rs);
              detail::fold_block<F>(v + (size_t{1} << round), round, rs);
            }
            const F lo = v[0], hi = round > 0 ? v[size_t{1} << round] : v[1];
            F* out = &vals[a * d];
            out[0] = lo;
            if (d >= 2) out[1] = hi;
            const F diff = hi - lo;
            for (size_t t = 2; t < d; ++t) out[t] = out[t - 1] + diff;
          }
          const F wt = w_lo[i & lo_mask] * w_hi[i >> lb];
          for (size_t t = 0; t < d; ++t) {
            F h = F::zero();
            for (size_t ti = 0; ti < rest_terms.size(); ++ti) {
              const auto& fs = rest_terms[ti];
              if (fs.empty()) {
                h += coeffs[ti];
                continue;
              }
              F prod = vals[fs[0] * d + t];
              for (size_t x = 1; x < fs.size(); ++x) prod *= vals[fs[x] * d + t];
              h += coeffs[ti] == F::one() ? prod : coeffs[ti] * prod;
            }
            local[t] += h * wt;
          }
        }
      }
#pragma omp critical
      for (size_t t = 0; t < d; ++t) sums[t] += local[t];
    }
    for (size_t t = 0; t < d; ++t) q[t] = sums[t];
    finish_round(round);
  }

  // The tables bound to r_0..r_{R-1}: 2^(n - R) entries each, from blocks of 2^R.
  const size_t nr = n - R, size = size_t{1} << nr;
  std::vector<std::vector<F>> factors(k);
  for (size_t j = 1; j < k; ++j) factors[j].resize(size);
  {
    const std::span<const F> rs(res.point.data(), R);
    const size_t per_chunk = std::max<size_t>(1, kChunk >> R);
    const size_t nc = (size + per_chunk - 1) / per_chunk;
#pragma omp parallel if (poly::go_parallel(size << R))
    {
      std::vector<std::vector<F>> buf(kf);
      std::vector<F*> outs(kf);
#pragma omp for schedule(static)
      for (size_t ch = 0; ch < nc; ++ch) {
        const size_t x0 = ch * per_chunk, x1 = std::min(size, x0 + per_chunk);
        for (size_t a = 0; a < kf; ++a) {
          buf[a].resize((x1 - x0) << R);
          outs[a] = buf[a].data();
        }
        fill(x0 << R, x1 << R, outs.data());
        for (size_t a = 0; a < kf; ++a)
          for (size_t x = x0; x < x1; ++x) {
            F* v = buf[a].data() + ((x - x0) << R);
            detail::fold_block<F>(v, R, rs);
            factors[a + 1][x] = v[0];
          }
      }
    }
  }

  // The remaining rounds: prove_with_eq's loop from round R on the folded tables.
  auto tabs = detail::make_tables<F>(factors, direct.active, nr);
  std::vector<F> weights = poly::eq_table<F>(eq_point.subspan(R + 1));
  std::vector<F> sums;
  for (size_t round = R; round < n; ++round) {
    const size_t half = size_t{1} << (n - round - 1);
    if (round > R) {
      for (size_t x = 0; x < half; ++x) weights[x] = weights[2 * x] + weights[2 * x + 1];
    }
    const F rho = eq_point[round];
    const bool derive = !(c * rho).is_zero();
    detail::round_sums<F>(derive ? derived : direct, tabs, half, weights.data(), sums, coeffs.data());
    for (size_t t = 0; t < d; ++t) q[t] = sums[t];
    if (derive && d >= 2) q[1] = (claim - c * (F::one() - rho) * q[0]) * (c * rho).inverse();
    finish_round(round);
    tabs.has_pending = true;
    tabs.pending = res.point.back();
  }
  res.final_evals.resize(k);
  res.final_evals[0] = c;
  for (size_t j = 1; j < k; ++j) res.final_evals[j] = detail::final_value(tabs, j, nr);
  res.proof.final_evals = send_msgs<F>(tr, res.final_evals);
  absorb_final<F>(tr, res.proof.final_evals);
  return res;
}

}  // namespace zkinfer::sumcheck
