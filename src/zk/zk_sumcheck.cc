// Zero-knowledge sumcheck with committed round polynomials (see zk_sumcheck.h and
// docs/PROTOCOL.md). The round loops mirror sumcheck::prove / sumcheck::prove_with_eq
// (src/sumcheck/prover.h, whose table kernel detail::round_sums is reused as is); only what
// happens to a round message differs: it is turned into coefficients and committed.
#include "zk/zk_sumcheck.h"

#include <bit>
#include <string>

#include "common/check.h"
#include "curve/msm.h"
#include "poly/mle.h"
#include "sumcheck/prover.h"
#include "zk/wire.h"

namespace zkinfer::zk {

namespace {

// A term's factors split into private ones (multiplied by proofs of product) and public ones
// (multiplied as scalars by the verifier).
struct TermPlan {
  std::vector<size_t> priv, pub;
};

std::vector<TermPlan> plan_terms(const Composition& comp, const std::vector<bool>& public_factors) {
  std::vector<TermPlan> plans;
  for (const auto& t : comp.terms()) {
    TermPlan p;
    for (size_t j : t.factors) (public_factors[j] ? p.pub : p.priv).push_back(j);
    plans.push_back(std::move(p));
  }
  return plans;
}

}  // namespace

namespace detail {

void absorb_statement(transcript::Transcript& tr, const Composition& comp, const ZkShape& shape,
                      const pcs::EvalClaim& claim) {
  const size_t num_vars = shape.num_vars;
  const std::vector<bool>& public_factors = shape.public_factors;
  tr.absorb_u64("zk.sumcheck.num_vars", num_vars);
  tr.absorb_u64("zk.sumcheck.mode", static_cast<uint64_t>(shape.mode));
  tr.absorb_u64("zk.sumcheck.degree", comp.degree());
  tr.absorb_u64("zk.sumcheck.num_factors", comp.num_factors());
  std::vector<Fr> coeffs;
  for (const auto& t : comp.terms()) {
    coeffs.push_back(t.coeff);
    std::vector<uint8_t> idx;
    for (size_t j : t.factors)
      for (int b = 0; b < 8; ++b) idx.push_back(static_cast<uint8_t>(j >> (8 * b)));
    tr.absorb_bytes("zk.sumcheck.term", idx);
  }
  tr.absorb_many("zk.sumcheck.coeffs", coeffs);
  std::vector<uint8_t> mask(public_factors.begin(), public_factors.end());
  tr.absorb_bytes("zk.sumcheck.public", mask);
  if (claim.is_committed()) {
    tr.absorb_u64("zk.sumcheck.claim.kind", 1);
    tr.absorb("zk.sumcheck.claim", claim.commitment());
  } else {
    tr.absorb_u64("zk.sumcheck.claim.kind", 0);
    tr.absorb("zk.sumcheck.claim", claim.value());
  }
}

}  // namespace detail

namespace {

// lag[m][k]: the coefficient of X^k in the Lagrange polynomial of node m over nodes 0..d.
std::vector<std::vector<Fr>> lagrange_coefficients(size_t d) {
  std::vector<std::vector<Fr>> lag(d + 1, std::vector<Fr>(d + 1, Fr::zero()));
  for (size_t m = 0; m <= d; ++m) {
    std::vector<Fr> poly{Fr::one()};
    Fr denom = Fr::one();
    for (size_t j = 0; j <= d; ++j) {
      if (j == m) continue;
      // poly *= (X - j)
      std::vector<Fr> next(poly.size() + 1, Fr::zero());
      const Fr fj = Fr::from_u64(j);
      for (size_t k = 0; k < poly.size(); ++k) {
        next[k + 1] += poly[k];
        next[k] -= fj * poly[k];
      }
      poly = std::move(next);
      denom *= Fr::from_u64(m) - fj;
    }
    const Fr inv = denom.inverse();
    for (size_t k = 0; k <= d; ++k) lag[m][k] = poly[k] * inv;
  }
  return lag;
}

Fr horner(std::span<const Fr> coeffs, const Fr& x) {
  Fr acc = Fr::zero();
  for (size_t k = coeffs.size(); k-- > 0;) acc = acc * x + coeffs[k];
  return acc;
}

}  // namespace

namespace detail {

// The public vector a and R = prod_i r_i with e_n = R e_0 + <a, w> (zk_sumcheck.h, step 2),
// zero-padded to gens_len.
std::vector<Fr> consistency_vector(const ZkShape& s, std::span<const Fr> point, Fr* big_r) {
  const size_t d = s.degree;
  std::vector<Fr> a(s.gens_len, Fr::zero());
  Fr suffix = Fr::one();  // prod_{j > i} r_j
  for (size_t i = s.num_vars; i-- > 0;) {
    const Fr r = point[i];
    a[i * d] = suffix * (Fr::one() - r - r);
    Fr pw = r * r;
    for (size_t k = 2; k <= d; ++k) {
      a[i * d + k - 1] = suffix * (pw - r);
      pw *= r;
    }
    suffix *= r;
  }
  *big_r = suffix;
  return a;
}

}  // namespace detail

namespace {

using detail::absorb_statement;
using detail::consistency_vector;

// lambda^0 .. lambda^(n-1).
std::vector<Fr> powers(const Fr& lambda, size_t n) {
  std::vector<Fr> p(n);
  Fr acc = Fr::one();
  for (Fr& x : p) {
    x = acc;
    acc *= lambda;
  }
  return p;
}

// Scales block i (d entries) of a by lambda^-i: the statement about the lambda-weighted
// commitment sum_i lambda^i C_i (zk_sumcheck.h, step 5).
void unweight_blocks(std::vector<Fr>& a, size_t n, size_t d, const Fr& lambda) {
  const Fr inv = lambda.inverse();
  Fr acc = Fr::one();
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < d; ++k) a[i * d + k] *= acc;
    acc *= inv;
  }
}

// sum_i lambda^i C_i as terms.
pcs::MsmTerms weighted_rounds(std::span<const G1Affine> rounds, const Fr& lambda) {
  pcs::MsmTerms t;
  const auto pw = powers(lambda, rounds.size());
  for (size_t i = 0; i < rounds.size(); ++i) t.add(rounds[i], pw[i]);
  return t;
}

// The prover's side of the round commitments.
struct RoundCommitter {
  const PedersenParams& pp;
  size_t d;
  transcript::Transcript& tr;
  const RandomFr& random;
  std::vector<std::vector<Fr>> lag;
  std::vector<Fr> w;
  std::vector<Fr> blinds;
  std::vector<G1Affine> commitments;
  std::vector<Fr> point;

  RoundCommitter(const PedersenParams& p, size_t degree, transcript::Transcript& t, const RandomFr& r)
      : pp(p), d(degree), tr(t), random(r), lag(lagrange_coefficients(degree)) {}

  // Commits to the round polynomial given by its values at 0..d; returns r_i, sets *next = p_i(r_i).
  Fr commit(std::span<const Fr> evals, Fr* next) {
    const size_t i = commitments.size();
    std::vector<Fr> coeffs(d + 1, Fr::zero());
    for (size_t m = 0; m <= d; ++m)
      for (size_t k = 0; k <= d; ++k) coeffs[k] += evals[m] * lag[m][k];
    // c' = (c_0, c_2, .., c_d): c_1 is implied by the running claim.
    std::vector<Fr> reduced{coeffs[0]};
    reduced.insert(reduced.end(), coeffs.begin() + 2, coeffs.end());
    const Fr s = random();
    const G1Affine c = commit_vector(pp, reduced, i * d, s).to_affine();
    commitments.push_back(c);
    w.insert(w.end(), reduced.begin(), reduced.end());
    blinds.push_back(s);
    tr.absorb("zk.sumcheck.round", c);
    const Fr r = tr.challenge<Fr>("zk.sumcheck.challenge");
    point.push_back(r);
    *next = horner(coeffs, r);
    return r;
  }
};

// Steps 3-5 for the prover, after the rounds.
ZkProverResult finish(const PedersenParams& pp, const Composition& comp, const ZkShape& shape,
                      const pcs::ProverClaim& claim, RoundCommitter& rc, std::vector<Fr> final_values,
                      transcript::Transcript& tr, const RandomFr& random) {
  const size_t k = comp.num_factors();
  ZkProverResult res;
  res.point = rc.point;
  res.proof.rounds = std::move(rc.commitments);
  res.final_values = std::move(final_values);
  res.final_blinds.assign(k, Fr::zero());
  res.final_commitments.assign(k, std::nullopt);
  std::vector<G1> fin;
  std::vector<size_t> fin_idx;
  for (size_t j = 0; j < k; ++j) {
    if (shape.public_factors[j]) continue;
    res.final_blinds[j] = random();
    fin.push_back(commit_scalar(pp, res.final_values[j], res.final_blinds[j]));
    fin_idx.push_back(j);
  }
  res.proof.finals.resize(fin.size());
  G1::batch_to_affine(fin, res.proof.finals);
  for (size_t m = 0; m < fin_idx.size(); ++m) res.final_commitments[fin_idx[m]] = res.proof.finals[m];
  tr.absorb_many("zk.sumcheck.final", res.proof.finals);

  // Product chains; v = g(r) and its blind t accumulate over the terms.
  Fr v = Fr::zero(), t = Fr::zero();
  const auto plans = plan_terms(comp, shape.public_factors);
  const auto terms = comp.terms();
  for (size_t ti = 0; ti < plans.size(); ++ti) {
    const TermPlan& p = plans[ti];
    Fr pub = terms[ti].coeff;
    for (size_t j : p.pub) pub *= res.final_values[j];
    Fr acc_val = Fr::one(), acc_blind = Fr::zero();
    G1Affine acc_com;
    if (!p.priv.empty()) {
      acc_val = res.final_values[p.priv[0]];
      acc_blind = res.final_blinds[p.priv[0]];
      acc_com = *res.final_commitments[p.priv[0]];
    }
    for (size_t m = 1; m < p.priv.size(); ++m) {
      const size_t j = p.priv[m];
      const Fr val = acc_val * res.final_values[j];
      const Fr blind = random();
      const G1Affine z = commit_scalar(pp, val, blind).to_affine();
      res.proof.products.push_back(z);
      res.proof.product_proofs.push_back(prove_product(
          pp, acc_com, *res.final_commitments[j], z,
          ProductWitness{acc_val, acc_blind, res.final_values[j], res.final_blinds[j], blind}, tr, random));
      acc_val = val;
      acc_blind = blind;
      acc_com = z;
    }
    v += pub * acc_val;
    t += pub * acc_blind;
  }

  // Step 5: <a, w> = v - R claim against Y = V - R C_claim, on the lambda-weighted sum of the
  // round commitments: W = (lambda^i c'_i)_i, a_i scaled by lambda^-i.
  const Fr lambda = pcs::nonzero_challenge(tr, "zk.sumcheck.lambda");
  Fr big_r;
  std::vector<Fr> a = consistency_vector(shape, res.point, &big_r);
  unweight_blocks(a, shape.num_vars, shape.degree, lambda);
  std::vector<Fr> w = std::move(rc.w);
  const auto pw = powers(lambda, shape.num_vars);
  Fr w_blind = Fr::zero();
  for (size_t i = 0; i < shape.num_vars; ++i) {
    for (size_t k = 0; k < shape.degree; ++k) w[i * shape.degree + k] *= pw[i];
    w_blind += pw[i] * rc.blinds[i];
  }
  const Fr y_value = v - big_r * claim.value, y_blind = t - big_r * claim.blind;
  res.proof.mode = shape.mode;
  if (shape.mode == ConsistencyMode::kLinear) {
    const G1Affine cx = weighted_rounds(res.proof.rounds, lambda).evaluate().to_affine();
    const G1Affine y = commit_scalar(pp, y_value, y_blind).to_affine();
    res.proof.dot = prove_dot_product(pp, cx, 0, w, w_blind, a, y, y_blind, tr, random);
  } else {
    const Fr c = pcs::nonzero_challenge(tr, "zk.sumcheck.c");
    w.resize(shape.gens_len, Fr::zero());
    res.proof.ipa = pcs::ipa_prove(pp.g(0, shape.gens_len), pp.h(), pp.u(), c, std::move(w), std::move(a),
                                   w_blind + c * y_blind, tr, random);
  }
  return res;
}

void check_prover_shape(const PedersenParams& pp, const ZkShape& shape) {
  ZKINFER_CHECK(shape.gens_len <= pp.num_gens());
}

}  // namespace

// ---- shape and serialization ----

ZkShape::ZkShape(const Composition& comp, size_t n, std::vector<bool> pub, ConsistencyMode m)
    : num_vars(n), degree(comp.degree()), public_factors(std::move(pub)), mode(m) {
  ZKINFER_CHECK(public_factors.size() == comp.num_factors());
  for (bool b : public_factors) num_private += b ? 0 : 1;
  for (const auto& p : plan_terms(comp, public_factors))
    if (p.priv.size() > 1) num_products += p.priv.size() - 1;
  vector_len = num_vars * degree;
  gens_len = mode == ConsistencyMode::kLinear ? vector_len : std::bit_ceil(std::max<size_t>(vector_len, 1));
}

size_t ZkShape::proof_bytes() const {
  const size_t head = 32 * (num_vars + num_private + num_products) + ProductProof::kBytes * num_products;
  if (mode == ConsistencyMode::kLinear) return head + 32 * (vector_len + 4);
  const size_t ipa_rounds = static_cast<size_t>(std::countr_zero(gens_len));
  return head + 1 + 32 * (2 * ipa_rounds + 3);
}

void ZkSumcheckProof::serialize(ByteWriter& w) const {
  ZKINFER_CHECK(products.size() == product_proofs.size());
  for (const auto& p : rounds) write_point(w, p);
  for (const auto& p : finals) write_point(w, p);
  for (size_t i = 0; i < products.size(); ++i) {
    write_point(w, products[i]);
    product_proofs[i].serialize(w);
  }
  if (mode == ConsistencyMode::kLinear)
    dot.serialize(w);
  else
    ipa.serialize(w);
}

ZkSumcheckProof ZkSumcheckProof::deserialize(ByteReader& r, const ZkShape& s) {
  ZkSumcheckProof p;
  if (s.num_vars + s.num_private > r.remaining() / 32) r.fail("zk sumcheck proof: truncated");
  for (size_t i = 0; i < s.num_vars; ++i)
    p.rounds.push_back(read_point(r, "zk sumcheck proof: round commitment " + std::to_string(i)));
  for (size_t i = 0; i < s.num_private; ++i)
    p.finals.push_back(read_point(r, "zk sumcheck proof: final commitment " + std::to_string(i)));
  if (s.num_products > r.remaining() / (32 + ProductProof::kBytes)) r.fail("zk sumcheck proof: truncated");
  for (size_t i = 0; i < s.num_products; ++i) {
    p.products.push_back(read_point(r, "zk sumcheck proof: product commitment " + std::to_string(i)));
    p.product_proofs.push_back(ProductProof::deserialize(r));
  }
  p.mode = s.mode;
  if (s.mode == ConsistencyMode::kLinear)
    p.dot = DotProductProof::deserialize(r, s.vector_len);
  else
    p.ipa = pcs::IpaProof::deserialize(r);
  return p;
}

std::vector<uint8_t> ZkSumcheckProof::to_bytes() const {
  ByteWriter w;
  serialize(w);
  return w.take();
}

size_t ZkSumcheckProof::size_bytes() const {
  return 32 * (rounds.size() + finals.size() + products.size()) + ProductProof::kBytes * product_proofs.size() +
         (mode == ConsistencyMode::kLinear ? dot.size_bytes() : ipa.size_bytes());
}

pcs::ProverClaim ZkProverResult::final_claim(size_t j) const {
  if (!final_commitments[j]) return pcs::ProverClaim::plain(final_values[j]);
  return {final_values[j], final_blinds[j], *final_commitments[j]};
}

pcs::EvalClaim ZkSubclaim::final_claim(size_t j, const Fr& public_value) const {
  return final_commitments[j] ? pcs::EvalClaim::committed(*final_commitments[j]) : pcs::EvalClaim::plain(public_value);
}

// ---- provers ----

ZkProverResult prove(const PedersenParams& pp, const Composition& comp, std::vector<std::vector<Fr>> factors,
                     std::vector<bool> public_factors, const pcs::ProverClaim& claim,
                     transcript::Transcript& tr, const RandomFr& random, ConsistencyMode mode) {
  const size_t k = comp.num_factors();
  ZKINFER_CHECK(factors.size() == k && k > 0);
  const size_t n = poly::log2_exact(factors[0].size());
  for (const auto& f : factors) ZKINFER_CHECK(f.size() == factors[0].size());
  const ZkShape shape(comp, n, public_factors, mode);
  check_prover_shape(pp, shape);
  const size_t d = comp.degree();
  const auto terms = comp.terms();
  absorb_statement(tr, comp, shape, claim.public_claim());

  sumcheck::detail::KernelShape all{d, {}, {}, {}}, but_one{d, {}, {}, {}};
  for (size_t j = 0; j < k; ++j) all.active.push_back(j);
  for (const auto& t : terms) all.terms.push_back(t.factors);
  for (size_t t = 0; t <= d; ++t) {
    all.points.push_back(t);
    if (t != 1) but_one.points.push_back(t);
  }
  but_one.active = all.active;
  but_one.terms = all.terms;

  RoundCommitter rc(pp, d, tr, random);
  auto tabs = sumcheck::detail::make_tables<Fr>(factors, all.active, n);
  std::vector<Fr> sums, evals(d + 1);
  Fr running = Fr::zero();
  for (size_t round = 0; round < n; ++round) {
    const size_t half = size_t{1} << (n - round - 1);
    sumcheck::detail::round_sums<Fr>(round == 0 ? all : but_one, tabs, half, nullptr, sums);
    for (size_t t = 0; t <= d; ++t) {
      evals[t] = Fr::zero();
      for (size_t ti = 0; ti < terms.size(); ++ti) evals[t] += terms[ti].coeff * sums[ti * (d + 1) + t];
    }
    if (round > 0) evals[1] = running - evals[0];
    const Fr r = rc.commit(evals, &running);
    tabs.has_pending = true;
    tabs.pending = r;
  }
  std::vector<Fr> finals(k);
  for (size_t j = 0; j < k; ++j) finals[j] = sumcheck::detail::final_value(tabs, j, n);
  return finish(pp, comp, shape, claim, rc, std::move(finals), tr, random);
}

ZkProverResult prove_with_eq(const PedersenParams& pp, const Composition& comp, std::span<const Fr> eq_point,
                             std::vector<std::vector<Fr>> factors, const pcs::ProverClaim& claim,
                             transcript::Transcript& tr, const RandomFr& random, ConsistencyMode mode) {
  const size_t k = comp.num_factors();
  const size_t n = eq_point.size();
  ZKINFER_CHECK(factors.size() == k && k > 0 && factors[0].empty());
  for (size_t j = 1; j < k; ++j) ZKINFER_CHECK(factors[j].size() == (size_t{1} << n));
  std::vector<bool> pub(k, false);
  pub[0] = true;
  const ZkShape shape(comp, n, pub, mode);
  check_prover_shape(pp, shape);
  const size_t d = comp.degree();
  const auto terms = comp.terms();
  const poly::LagrangeBasis<Fr> basis_q(d - 1);
  absorb_statement(tr, comp, shape, claim.public_claim());

  sumcheck::detail::KernelShape direct{d - 1, {}, {}, {}}, derived{d - 1, {}, {}, {}};
  for (size_t j = 1; j < k; ++j) direct.active.push_back(j);
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
    direct.terms.push_back(std::move(rest));
  }
  for (size_t t = 0; t < d; ++t) {
    direct.points.push_back(t);
    if (t != 1) derived.points.push_back(t);
  }
  derived.active = direct.active;
  derived.terms = direct.terms;

  RoundCommitter rc(pp, d, tr, random);
  auto tabs = sumcheck::detail::make_tables<Fr>(factors, direct.active, n);
  std::vector<Fr> weights = n >= 1 ? poly::eq_table<Fr>(eq_point.subspan(1)) : std::vector<Fr>{};
  std::vector<Fr> sums, q(d), q_full(d + 1), evals(d + 1);
  Fr running = Fr::zero();
  Fr c = Fr::one();
  for (size_t round = 0; round < n; ++round) {
    const size_t half = size_t{1} << (n - round - 1);
    if (round > 0)
      for (size_t x = 0; x < half; ++x) weights[x] = weights[2 * x] + weights[2 * x + 1];
    const Fr rho = eq_point[round];
    const bool derive = round > 0 && !(c * rho).is_zero();
    sumcheck::detail::round_sums<Fr>(derive ? derived : direct, tabs, half, weights.data(), sums);
    for (size_t t = 0; t < d; ++t) {
      q[t] = Fr::zero();
      for (size_t ti = 0; ti < terms.size(); ++ti) q[t] += terms[ti].coeff * sums[ti * d + t];
    }
    if (derive && d >= 2) q[1] = (running - c * (Fr::one() - rho) * q[0]) * (c * rho).inverse();
    for (size_t t = 0; t < d; ++t) q_full[t] = q[t];
    q_full[d] = basis_q.evaluate(q, Fr::from_u64(d));
    for (size_t t = 0; t <= d; ++t) {
      const Fr x = Fr::from_u64(t);
      evals[t] = c * (Fr::one() - rho - x + (rho + rho) * x) * q_full[t];
    }
    const Fr r = rc.commit(evals, &running);
    c *= Fr::one() - rho - r + (rho + rho) * r;
    tabs.has_pending = true;
    tabs.pending = r;
  }
  std::vector<Fr> finals(k);
  finals[0] = c;
  for (size_t j = 1; j < k; ++j) finals[j] = sumcheck::detail::final_value(tabs, j, n);
  return finish(pp, comp, shape, claim, rc, std::move(finals), tr, random);
}

// ---- verifier ----

namespace {

// Y = V - R C_claim as a linear combination (verifier and simulator), with V assembled from the
// chains' last commitments and the public factors' values.
pcs::MsmTerms y_terms(const PedersenParams& pp, const Composition& comp, const ZkShape& shape,
                      const pcs::EvalClaim& claim, const ZkSumcheckProof& proof,
                      std::span<const Fr> public_values, const Fr& big_r) {
  pcs::MsmTerms p;
  Fr u_scalar = Fr::zero();
  if (claim.is_committed())
    p.add(claim.commitment(), -big_r);
  else
    u_scalar -= big_r * claim.value();
  const auto plans = plan_terms(comp, shape.public_factors);
  const auto terms = comp.terms();
  std::vector<size_t> final_pos(comp.num_factors(), 0);
  for (size_t j = 0, pos = 0; j < comp.num_factors(); ++j)
    if (!shape.public_factors[j]) final_pos[j] = pos++;
  size_t prod = 0;
  for (size_t ti = 0; ti < plans.size(); ++ti) {
    const TermPlan& pl = plans[ti];
    Fr pub = terms[ti].coeff;
    for (size_t j : pl.pub) pub *= public_values[j];
    if (pl.priv.empty()) {
      u_scalar += pub;
    } else if (pl.priv.size() == 1) {
      p.add(proof.finals[final_pos[pl.priv[0]]], pub);
    } else {
      prod += pl.priv.size() - 1;
      p.add(proof.products[prod - 1], pub);
    }
  }
  p.add(pp.u(), u_scalar);
  return p;
}

}  // namespace

Verdict verify(const PedersenParams& pp, const Composition& comp, size_t num_vars,
               std::vector<bool> public_factors, const pcs::EvalClaim& claim, const ZkSumcheckProof& proof,
               const PublicEvaluator& public_eval, transcript::Transcript& tr, ZkSubclaim* out,
               ConsistencyMode mode) {
  if (public_factors.size() != comp.num_factors())
    return Verdict::reject("zk sumcheck: public-factor mask has " + std::to_string(public_factors.size()) +
                           " entries, expected " + std::to_string(comp.num_factors()));
  if (num_vars > 64) return Verdict::reject("zk sumcheck: too many variables");
  const ZkShape shape(comp, num_vars, std::move(public_factors), mode);
  if (shape.gens_len > pp.num_gens())
    return Verdict::reject("zk sumcheck: needs " + std::to_string(shape.gens_len) + " generators, parameters have " +
                           std::to_string(pp.num_gens()));
  if (proof.rounds.size() != num_vars)
    return Verdict::reject("zk sumcheck: " + std::to_string(proof.rounds.size()) + " round commitments, expected " +
                           std::to_string(num_vars));
  if (proof.finals.size() != shape.num_private)
    return Verdict::reject("zk sumcheck: " + std::to_string(proof.finals.size()) + " final commitments, expected " +
                           std::to_string(shape.num_private));
  if (proof.products.size() != shape.num_products || proof.product_proofs.size() != shape.num_products)
    return Verdict::reject("zk sumcheck: wrong number of product commitments or proofs");

  if (proof.mode != mode) return Verdict::reject("zk sumcheck: proof is for another consistency mode");
  absorb_statement(tr, comp, shape, claim);
  std::vector<Fr> point;
  for (const auto& c : proof.rounds) {
    tr.absorb("zk.sumcheck.round", c);
    point.push_back(tr.challenge<Fr>("zk.sumcheck.challenge"));
  }
  tr.absorb_many("zk.sumcheck.final", proof.finals);
  const size_t k = comp.num_factors();
  std::vector<Fr> public_values(k, Fr::zero());
  std::vector<std::optional<G1Affine>> final_commitments(k);
  for (size_t j = 0, pos = 0; j < k; ++j) {
    if (shape.public_factors[j])
      public_values[j] = public_eval(j, point);
    else
      final_commitments[j] = proof.finals[pos++];
  }
  const auto plans = plan_terms(comp, shape.public_factors);
  size_t prod = 0;
  for (size_t ti = 0; ti < plans.size(); ++ti) {
    const TermPlan& pl = plans[ti];
    if (pl.priv.empty()) continue;
    G1Affine acc = *final_commitments[pl.priv[0]];
    for (size_t m = 1; m < pl.priv.size(); ++m, ++prod) {
      const G1Affine& z = proof.products[prod];
      Verdict v = verify_product(pp, acc, *final_commitments[pl.priv[m]], z, proof.product_proofs[prod], tr);
      if (!v) return v.within("zk sumcheck: term " + std::to_string(ti) + ": product " + std::to_string(m));
      acc = z;
    }
  }
  const Fr lambda = pcs::nonzero_challenge(tr, "zk.sumcheck.lambda");
  Fr big_r;
  std::vector<Fr> a = consistency_vector(shape, point, &big_r);
  unweight_blocks(a, num_vars, shape.degree, lambda);
  pcs::MsmTerms y = y_terms(pp, comp, shape, claim, proof, public_values, big_r);
  pcs::MsmTerms cx = weighted_rounds(proof.rounds, lambda);
  Verdict v = Verdict::accept();
  if (mode == ConsistencyMode::kLinear) {
    v = verify_dot_product(pp, cx.evaluate().to_affine(), 0, a, y.evaluate().to_affine(), proof.dot, tr);
  } else {
    const Fr c = pcs::nonzero_challenge(tr, "zk.sumcheck.c");
    for (Fr& x : y.scalars) x *= c;
    for (size_t i = 0; i < cx.points.size(); ++i) y.add(cx.points[i], cx.scalars[i]);
    v = pcs::ipa_verify(pp.g(0, shape.gens_len), pp.h(), pp.u(), c, a, std::move(y), proof.ipa, tr);
  }
  if (!v) return v.within("zk sumcheck: round consistency");
  if (out) {
    out->point = std::move(point);
    out->final_commitments = std::move(final_commitments);
  }
  return Verdict::accept();
}

Verdict verify_with_eq(const PedersenParams& pp, const Composition& comp, std::span<const Fr> eq_point,
                       const pcs::EvalClaim& claim, const ZkSumcheckProof& proof, transcript::Transcript& tr,
                       ZkSubclaim* out, ConsistencyMode mode) {
  std::vector<bool> pub(comp.num_factors(), false);
  pub[0] = true;
  std::vector<Fr> rho(eq_point.begin(), eq_point.end());
  auto eval = [&rho](size_t, std::span<const Fr> point) { return poly::eq_eval<Fr>(rho, point); };
  return verify(pp, comp, eq_point.size(), std::move(pub), claim, proof, eval, tr, out, mode);
}

// ---- simulator ----

ZkSumcheckProof simulate(const PedersenParams& pp, const Composition& comp, size_t num_vars,
                         std::vector<bool> public_factors, const pcs::EvalClaim& claim,
                         const PublicEvaluator& public_eval, const RandomFr& random, ConsistencyMode mode,
                         ZkChallenges* challenges) {
  ZkChallenges ch;
  const ZkShape shape(comp, num_vars, std::move(public_factors), mode);
  ZKINFER_CHECK(shape.gens_len <= pp.num_gens());
  auto uniform_point = [&] { return pp.mul_h(random()).to_affine(); };
  auto nonzero = [&] {
    for (;;) {
      Fr x = random();
      if (!x.is_zero()) return x;
    }
  };
  ZkSumcheckProof proof;
  std::vector<Fr> point;
  for (size_t i = 0; i < num_vars; ++i) {
    proof.rounds.push_back(uniform_point());  // a hiding commitment is a uniform point
    point.push_back(random());
    ch.r.push_back(point.back());
  }
  const size_t k = comp.num_factors();
  std::vector<Fr> public_values(k, Fr::zero());
  std::vector<G1Affine> fin(k);
  for (size_t j = 0; j < k; ++j) {
    if (shape.public_factors[j]) {
      public_values[j] = public_eval(j, point);
    } else {
      fin[j] = uniform_point();
      proof.finals.push_back(fin[j]);
    }
  }
  for (const auto& pl : plan_terms(comp, shape.public_factors)) {
    if (pl.priv.empty()) continue;
    G1Affine acc = fin[pl.priv[0]];
    for (size_t m = 1; m < pl.priv.size(); ++m) {
      const G1Affine z = uniform_point();
      proof.products.push_back(z);
      ch.product_e.push_back(random());
      proof.product_proofs.push_back(simulate_product(pp, acc, fin[pl.priv[m]], z, ch.product_e.back(), random));
      acc = z;
    }
  }
  proof.mode = mode;
  const Fr lambda = nonzero();
  ch.lambda = lambda;
  Fr big_r;
  std::vector<Fr> a = consistency_vector(shape, point, &big_r);
  unweight_blocks(a, num_vars, shape.degree, lambda);
  const G1 y = y_terms(pp, comp, shape, claim, proof, public_values, big_r).evaluate();
  const G1 cx = weighted_rounds(proof.rounds, lambda).evaluate();
  if (mode == ConsistencyMode::kLinear) {
    // Proof-of-dot-prod, simulated from its two verification equations.
    const Fr e = random();
    ch.e = e;
    if (challenges) *challenges = ch;
    DotProductProof& d = proof.dot;
    d.z.resize(shape.vector_len);
    for (Fr& z : d.z) z = random();
    d.zd = random();
    d.zb = random();
    Fr za = Fr::zero();
    for (size_t i = 0; i < d.z.size(); ++i) za += d.z[i] * a[i];
    d.delta = (commit_vector(pp, d.z, 0, d.zd) - cx * e).to_affine();
    d.beta = (commit_scalar(pp, za, d.zb) - y * e).to_affine();
    return proof;
  }
  // The inner-product argument on P = sum_i C_i + c Y: L_j, R_j are uniform (fresh blinds); the
  // last sigma protocol is simulated from its verification equation z1 (g + y U') + z2 H = e P' + A.
  const Fr c = nonzero();
  ch.c = c;
  G1 p_folded = cx + y * c;
  const size_t rounds = static_cast<size_t>(std::countr_zero(shape.gens_len));
  std::vector<Fr> x(rounds);
  for (size_t j = 0; j < rounds; ++j) {
    proof.ipa.l.push_back(uniform_point());
    proof.ipa.r.push_back(uniform_point());
    x[j] = nonzero();
    p_folded += G1(proof.ipa.l[j]) * x[j].square() + G1(proof.ipa.r[j]) * x[j].inverse().square();
  }
  const std::vector<Fr> s = pcs::ipa_fold_weights(x);
  Fr y_final = Fr::zero();
  for (size_t i = 0; i < s.size(); ++i) y_final += s[i] * a[i];
  const G1 g_final = curve::msm(pp.g(0, shape.gens_len), s);
  const Fr e = nonzero();
  ch.ipa_x = x;
  ch.e = e;
  if (challenges) *challenges = ch;
  proof.ipa.z1 = random();
  proof.ipa.z2 = random();
  proof.ipa.a = ((g_final + pp.mul_u(y_final * c)) * proof.ipa.z1 + pp.mul_h(proof.ipa.z2) - p_folded * e).to_affine();
  return proof;
}

Verdict check_with_challenges(const PedersenParams& pp, const Composition& comp, size_t num_vars,
                              std::vector<bool> public_factors, const pcs::EvalClaim& claim,
                              const ZkSumcheckProof& proof, const PublicEvaluator& public_eval,
                              const ZkChallenges& ch, ConsistencyMode mode) {
  const ZkShape shape(comp, num_vars, std::move(public_factors), mode);
  if (shape.gens_len > pp.num_gens() || proof.rounds.size() != num_vars || ch.r.size() != num_vars ||
      proof.finals.size() != shape.num_private || proof.products.size() != shape.num_products ||
      proof.product_proofs.size() != shape.num_products || ch.product_e.size() != shape.num_products)
    return Verdict::reject("zk sumcheck (given challenges): wrong shape");
  const size_t k = comp.num_factors();
  std::vector<Fr> public_values(k, Fr::zero());
  std::vector<G1Affine> fin(k);
  for (size_t j = 0, pos = 0; j < k; ++j) {
    if (shape.public_factors[j])
      public_values[j] = public_eval(j, ch.r);
    else
      fin[j] = proof.finals[pos++];
  }
  size_t prod = 0;
  for (const auto& pl : plan_terms(comp, shape.public_factors)) {
    if (pl.priv.empty()) continue;
    G1Affine acc = fin[pl.priv[0]];
    for (size_t m = 1; m < pl.priv.size(); ++m, ++prod) {
      if (!product_holds(pp, acc, fin[pl.priv[m]], proof.products[prod], proof.product_proofs[prod], ch.product_e[prod]))
        return Verdict::reject("zk sumcheck (given challenges): product " + std::to_string(prod));
      acc = proof.products[prod];
    }
  }
  Fr big_r;
  std::vector<Fr> a = consistency_vector(shape, ch.r, &big_r);
  unweight_blocks(a, num_vars, shape.degree, ch.lambda);
  const G1 y = y_terms(pp, comp, shape, claim, proof, public_values, big_r).evaluate();
  const G1 w = weighted_rounds(proof.rounds, ch.lambda).evaluate();
  if (mode == ConsistencyMode::kLinear) {
    const DotProductProof& d = proof.dot;
    if (d.z.size() != shape.vector_len) return Verdict::reject("zk sumcheck (given challenges): dot length");
    Fr za = Fr::zero();
    for (size_t i = 0; i < d.z.size(); ++i) za += d.z[i] * a[i];
    if (w * ch.e + d.delta != commit_vector(pp, d.z, 0, d.zd) || y * ch.e + d.beta != commit_scalar(pp, za, d.zb))
      return Verdict::reject("zk sumcheck (given challenges): dot product");
    return Verdict::accept();
  }
  // The IPA's single final equation z1 (g + y_final c U) + z2 H = e P' + A.
  const size_t rounds = static_cast<size_t>(std::countr_zero(shape.gens_len));
  if (proof.ipa.l.size() != rounds || proof.ipa.r.size() != rounds || ch.ipa_x.size() != rounds)
    return Verdict::reject("zk sumcheck (given challenges): ipa rounds");
  G1 p = w + y * ch.c;
  for (size_t j = 0; j < rounds; ++j)
    p += G1(proof.ipa.l[j]) * ch.ipa_x[j].square() + G1(proof.ipa.r[j]) * ch.ipa_x[j].inverse().square();
  const std::vector<Fr> s = pcs::ipa_fold_weights(ch.ipa_x);
  Fr y_final = Fr::zero();
  for (size_t i = 0; i < s.size(); ++i) y_final += s[i] * a[i];
  const G1 g_final = curve::msm(pp.g(0, shape.gens_len), s);
  if ((g_final + pp.mul_u(y_final * ch.c)) * proof.ipa.z1 + pp.mul_h(proof.ipa.z2) != p * ch.e + proof.ipa.a)
    return Verdict::reject("zk sumcheck (given challenges): ipa final equation");
  return Verdict::accept();
}

}  // namespace zkinfer::zk
