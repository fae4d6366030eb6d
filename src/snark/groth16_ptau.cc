// Groth16 keys from a powers-of-tau file (groth16.h, "setup from a powers-of-tau file").
#include <algorithm>
#include <stdexcept>

#include "common/error.h"
#include "curve/g2_msm.h"
#include "poly/ntt.h"
#include "snark/groth16.h"

namespace zkinfer::snark {

using curve::G1;
using curve::G2;

namespace {

G1 to_jac(const G1Affine& p) { return G1(p); }
G2 to_jac(const G2Affine& p) { return G2(p); }
void to_affine(std::span<const G1> in, std::span<G1Affine> out) { G1::batch_to_affine(in, out); }
void to_affine(std::span<const G2> in, std::span<G2Affine> out) { curve::g2_batch_to_affine(in, out); }

// The inverse DFT over a group: out_i = (1/n) sum_j w^(-ij) in_j.
template <class P, class Affine>
std::vector<Affine> group_intt(std::span<const Affine> in) {
  const size_t n = in.size();
  if (n == 0 || (n & (n - 1)) != 0) throw std::invalid_argument("group_intt: size is not a power of two");
  unsigned k = 0;
  while ((size_t{1} << k) < n) ++k;
  std::vector<P> a(n);
  for (size_t i = 0; i < n; ++i) {
    size_t j = 0, x = i;
    for (unsigned b = 0; b < k; ++b, x >>= 1) j = (j << 1) | (x & 1);
    a[j] = to_jac(in[i]);  // bit-reversed order
  }
  const Fr w_inv = poly::root_of_unity(k).inverse();
  std::vector<Fr> tw(std::max<size_t>(n / 2, 1));
  tw[0] = Fr::one();
  for (size_t i = 1; i < tw.size(); ++i) tw[i] = tw[i - 1] * w_inv;
  for (size_t half = 1; half < n; half <<= 1) {
    const size_t stride = n / (2 * half);
#pragma omp parallel for schedule(dynamic, 16)
    for (size_t t = 0; t < n / 2; ++t) {
      const size_t block = t / half, j = t % half;
      const size_t i0 = block * 2 * half + j, i1 = i0 + half;
      const P v = j == 0 ? a[i1] : a[i1] * tw[j * stride];
      a[i1] = a[i0] - v;
      a[i0] = a[i0] + v;
    }
  }
  const Fr n_inv = Fr::from_u64(n).inverse();
#pragma omp parallel for schedule(dynamic, 16)
  for (size_t i = 0; i < n; ++i) a[i] = a[i] * n_inv;
  std::vector<Affine> out(n);
  to_affine(a, out);
  return out;
}

// Column-major view of one matrix: per column, (row, coefficient).
using Columns = std::vector<std::vector<std::pair<uint32_t, Fr>>>;

}  // namespace

std::vector<G1Affine> lagrange_g1(std::span<const G1Affine> powers) { return group_intt<G1, G1Affine>(powers); }
std::vector<G2Affine> lagrange_g2(std::span<const G2Affine> powers) { return group_intt<G2, G2Affine>(powers); }

pcs::PtauOptions groth16_ptau_options(const ConstraintSystem& cs) {
  const size_t n = size_t{1} << groth16_log_domain(cs);
  pcs::PtauOptions o;
  o.g1_powers = std::max<size_t>(2 * n - 1, 2);  // H needs tau^(i+n), i <= n - 2
  o.g2_powers = std::max<size_t>(n, 2);
  o.read_alpha = true;
  o.lagrange_power = groth16_log_domain(cs);  // sections 12-15 when the file is prepared
  return o;
}

Groth16ProvingKey groth16_setup_ptau(const ConstraintSystem& cs, const pcs::Ptau& ptau, const RandomFr& random) {
  Groth16ProvingKey pk;
  pk.shape = r1cs_shape(cs);
  pk.log_domain = groth16_log_domain(cs);
  const size_t n = size_t{1} << pk.log_domain, m = cs.num_constraints(), l = cs.num_public();
  const size_t vars = cs.num_variables();
  const auto need = groth16_ptau_options(cs);
  if (ptau.tau_g1.size() < need.g1_powers || ptau.tau_g2.size() < need.g2_powers || ptau.alpha_tau_g1.size() < n ||
      ptau.beta_tau_g1.size() < n)
    throw Error("groth16 setup: " + ptau.path + " gives " + std::to_string(ptau.tau_g1.size()) + " tauG1, " +
                std::to_string(ptau.tau_g2.size()) + " tauG2, " + std::to_string(ptau.alpha_tau_g1.size()) +
                " alphaTauG1 and " + std::to_string(ptau.beta_tau_g1.size()) + " betaTauG1 powers; the circuit's domain 2^" +
                std::to_string(pk.log_domain) + " needs " + std::to_string(need.g1_powers) + ", " +
                std::to_string(need.g2_powers) + ", " + std::to_string(n) + " and " + std::to_string(n) +
                " (a file of power >= " + std::to_string(pk.log_domain) + ")");
  Fr delta = random();
  for (int tries = 0; delta.is_zero() && tries < 8; ++tries) delta = random();
  if (delta.is_zero()) throw Error("groth16 setup: the randomness source gave zero for delta eight times");
  const Fr delta_inv = delta.inverse();

  // Lagrange bases at tau, alpha * L_i(tau), beta * L_i(tau): a prepared file's (read_ptau checked
  // them to be exactly the inverse DFT of the powers, pcs::verify_ptau_lagrange, so the key is the
  // same either way), else the group inverse NTTs of the powers.
  std::vector<G1Affine> own_g1, own_alpha, own_beta;
  std::vector<G2Affine> own_g2;
  std::span<const G1Affine> lg1, lalpha, lbeta;
  std::span<const G2Affine> lg2;
  if (ptau.lagrange && ptau.lagrange->power == pk.log_domain) {
    lg1 = ptau.lagrange->tau_g1, lalpha = ptau.lagrange->alpha_tau_g1, lbeta = ptau.lagrange->beta_tau_g1;
    lg2 = ptau.lagrange->tau_g2;
    if (lg1.size() != n || lalpha.size() != n || lbeta.size() != n || lg2.size() != n)
      throw Error("groth16 setup: " + ptau.path + ": the Lagrange points are not " + std::to_string(n) + " per section");
  } else {
    lg1 = own_g1 = lagrange_g1(std::span(ptau.tau_g1).first(n));
    lalpha = own_alpha = lagrange_g1(std::span(ptau.alpha_tau_g1).first(n));
    lbeta = own_beta = lagrange_g1(std::span(ptau.beta_tau_g1).first(n));
    lg2 = own_g2 = lagrange_g2(std::span(ptau.tau_g2).first(n));
  }

  Columns ca(vars), cb(vars), cc(vars);
  const auto& cons = cs.constraints();
  for (size_t i = 0; i < m; ++i) {
    for (const auto& [v, k] : cons[i].a.terms) ca[cs.column(v)].emplace_back(static_cast<uint32_t>(i), k);
    for (const auto& [v, k] : cons[i].b.terms) cb[cs.column(v)].emplace_back(static_cast<uint32_t>(i), k);
    for (const auto& [v, k] : cons[i].c.terms) cc[cs.column(v)].emplace_back(static_cast<uint32_t>(i), k);
  }
  for (size_t j = 0; j <= l; ++j) ca[j].emplace_back(static_cast<uint32_t>(m + j), Fr::one());  // input rows

  std::vector<G1> a_q(vars), b1_q(vars), k_q(vars);
  std::vector<G2> b2_q(vars);
#pragma omp parallel for schedule(dynamic, 8)
  for (size_t j = 0; j < vars; ++j) {
    G1 a, b1, kk;
    G2 b2;
    for (const auto& [i, k] : ca[j]) a += G1(lg1[i]) * k, kk += G1(lbeta[i]) * k;
    for (const auto& [i, k] : cb[j]) b1 += G1(lg1[i]) * k, b2 += G2(lg2[i]) * k, kk += G1(lalpha[i]) * k;
    for (const auto& [i, k] : cc[j]) kk += G1(lg1[i]) * k;
    a_q[j] = a, b1_q[j] = b1, b2_q[j] = b2, k_q[j] = kk;
  }
  // IC_j = K_j / gamma with gamma = 1; L_j = K_j / delta.
  std::vector<G1> l_q(vars - l - 1);
#pragma omp parallel for schedule(dynamic, 8)
  for (size_t j = l + 1; j < vars; ++j) l_q[j - l - 1] = k_q[j] * delta_inv;
  std::vector<G1> h_q(n - 1);
#pragma omp parallel for schedule(dynamic, 8)
  for (size_t i = 0; i < n - 1; ++i) h_q[i] = (G1(ptau.tau_g1[i + n]) - ptau.tau_g1[i]) * delta_inv;

  auto affine1 = [](const std::vector<G1>& v) {
    std::vector<G1Affine> out(v.size());
    G1::batch_to_affine(v, out);
    return out;
  };
  pk.vk.alpha = ptau.alpha_tau_g1[0];
  pk.vk.beta = ptau.beta_g2;
  pk.vk.gamma = G2Affine::generator();
  pk.vk.delta = (G2::generator() * delta).to_affine();
  pk.vk.ic = affine1(std::vector<G1>(k_q.begin(), k_q.begin() + static_cast<std::ptrdiff_t>(l + 1)));
  pk.alpha1 = ptau.alpha_tau_g1[0];
  pk.beta1 = ptau.beta_tau_g1[0];
  pk.delta1 = (G1::generator() * delta).to_affine();
  pk.beta2 = ptau.beta_g2;
  pk.delta2 = pk.vk.delta;
  pk.a_query = affine1(a_q);
  pk.b1_query = affine1(b1_q);
  pk.b2_query.resize(vars);
  curve::g2_batch_to_affine(b2_q, pk.b2_query);
  pk.l_query = affine1(l_q);
  pk.h_query = affine1(h_q);
  return pk;
}

}  // namespace zkinfer::snark
