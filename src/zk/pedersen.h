// Pedersen commitments over BN254 G1 for the zero-knowledge building blocks (Pedersen, CRYPTO
// 1991; the vector form as in Hyrax, Wahby et al., S&P 2018, section 3):
//     scalar   Com(v; s)        = v U + s H
//     vector   Com(x; s)_offset = sum_i x_i G_{offset + i} + s H
// U and H are exactly the Hyrax value and blinding generators (hashed to the curve from
// pcs::kValueDomain and pcs::kBlindingDomain), so a scalar commitment made here is a committed
// claim that pcs::prove_eval / pcs::prove_batch accept (pcs::EvalClaim::committed). The vector
// generators G_i are hashed from their own domain, kVectorDomain, so nobody knows a discrete-log
// relation among any of G_i, U, H. Hiding is perfect (s uniform), binding is computational
// (discrete logarithm in G1).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "curve/g1.h"
#include "field/bn254.h"
#include "pcs/hyrax.h"
#include "pcs/ipa.h"

namespace zkinfer::zk {

using curve::G1;
using curve::G1Affine;
using field::Fr;
using pcs::RandomFr;

// Domain string of the vector generators (part of the protocol version, like pcs's domains).
inline constexpr std::string_view kVectorDomain = "zkinfer/zk/v1/G";

// An upper bound on 2^max_log_gens a decoder or caller may ask for.
inline constexpr size_t kMaxLogGens = 16;
// The first kTabulatedGens vector generators get fixed-base tables (the round commitments and
// the linear dot-product proof use them; others fall back to a variable-base MSM).
inline constexpr size_t kTabulatedGens = 128;

class PedersenParams {
 public:
  // Derives G_0 .. G_{2^max_log_gens - 1}, H and U.
  explicit PedersenParams(size_t max_log_gens = 8);

  size_t num_gens() const { return g_.size(); }
  std::span<const G1Affine> g() const { return g_; }
  std::span<const G1Affine> g(size_t offset, size_t count) const;  // G_offset .. G_{offset+count-1}
  const G1Affine& h() const { return h_; }
  const G1Affine& u() const { return u_; }
  G1 mul_h(const Fr& k) const { return h_table_.mul(k); }
  G1 mul_u(const Fr& k) const { return u_table_.mul(k); }
  // k G_i by table when i < kTabulatedGens, else by double-and-add.
  G1 mul_g(size_t i, const Fr& k) const;

 private:
  std::vector<G1Affine> g_;
  G1Affine h_, u_;
  pcs::FixedBaseTable h_table_, u_table_;
  std::vector<pcs::FixedBaseTable> g_tables_;  // 4-bit windows for the first kTabulatedGens G_i
};

// A committed scalar as its prover knows it.
struct CommittedScalar {
  Fr value;
  Fr blind;
  G1Affine commitment;
};

G1 commit_scalar(const PedersenParams& params, const Fr& value, const Fr& blind);
// A fresh blind from `random`.
CommittedScalar commit_scalar(const PedersenParams& params, const Fr& value, const RandomFr& random);
// sum_i x_i G_{offset+i} + blind H; offset + x.size() <= num_gens().
G1 commit_vector(const PedersenParams& params, std::span<const Fr> x, size_t offset, const Fr& blind);

}  // namespace zkinfer::zk
