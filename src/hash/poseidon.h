// The Poseidon permutation over BN254's Fr (Grassi, Khovratovich, Rechberger, Roy, Schofnegger,
// "Poseidon: A New Hash Function for Zero-Knowledge Proof Systems", USENIX Security 2021), and a
// sponge over it.
//
// Instance: S-box x^5, R_F = 8 full rounds (4 before and 4 after the partial rounds), R_P partial
// rounds by width (t = 3: 57, t = 5: 60; the table below for t = 2..17: the paper's round-number
// rule at 128-bit security with its margins, the values circomlib and the reference's
// poseidonperm_x5_254_t use). Round constants and the MDS matrix are generated here by the
// paper's Grain LFSR procedure (the reference implementation's generate_parameters_grain): for
// field 1 (prime), S-box 0 (x^alpha), n = 254, t, R_F, R_P. The result equals the deployed
// parameters (tests: the reference's permutation vectors for x5_254_3 and x5_254_5).
//
// A round r (0 <= r < R_F + R_P): s[i] += C[r * t + i] for every i; S-box on every cell (full
// rounds: r < 4 or r >= 4 + R_P) or on s[0] only (partial rounds); s = M s, that is
// s'[i] = sum_j M[i][j] s[j] with M[i][j] = 1 / (x_i + y_j) (a Cauchy matrix).
//
// Details of the generation, the sponge's padding rule and the field transcript built on it:
// docs/protocol/wrap.md, "Poseidon and the field transcript".
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "field/bn254.h"

namespace zkinfer::hash {

using field::Fr;

inline constexpr size_t kPoseidonFullRounds = 8;
inline constexpr size_t kPoseidonMinWidth = 2, kPoseidonMaxWidth = 17;

// R_P for width t (2 <= t <= 17), x^5 over a 254-bit field at 128-bit security.
size_t poseidon_partial_rounds(size_t t);

struct PoseidonParams {
  size_t t = 0, full_rounds = 0, partial_rounds = 0;
  std::vector<Fr> round_constants;  // (full_rounds + partial_rounds) * t, round by round
  std::vector<Fr> mds;              // t * t, row-major: mds[i * t + j] = M[i][j]

  size_t rounds() const { return full_rounds + partial_rounds; }
  bool is_full_round(size_t r) const {
    return r < full_rounds / 2 || r >= full_rounds / 2 + partial_rounds;
  }
  const Fr& rc(size_t round, size_t i) const { return round_constants[round * t + i]; }
  const Fr& m(size_t i, size_t j) const { return mds[i * t + j]; }
};

// Generates the parameters with the Grain LFSR (any t >= 2, R_F even). Deterministic.
PoseidonParams generate_poseidon_params(size_t t, size_t full_rounds, size_t partial_rounds);

// The standard instance of width t (2..17): generated once per width and kept.
const PoseidonParams& poseidon_params(size_t t);

// The permutation, in place; state.size() must be params.t.
void poseidon_permute(const PoseidonParams& params, std::span<Fr> state);

// The same permutation in the paper's optimized form (its efficient-implementation appendix), derived here from the plain
// parameters; every output equals the plain form's. With h = R_F / 2:
//  - partial rounds add a constant to s[0] only: each one's constants on s[1..] are pushed forward
//    through M (M (y + c') = M y + M c') into the next round's, ending in round h + R_P (a full one);
//  - each partial round's matrix N (M, times what the round after it left) is split N = N'' N'
//    with N' = diag(1, N^) (N^: N without its first row and column) and the sparse
//    N'' = [[n00, n_row N^-1], [n_col, I]]; N' commutes with the round's S-box and constant (both
//    on s[0] only), so it moves into the previous round's matrix; the first partial round's N'
//    ends in round h - 1's matrix (m_pre).
// A partial round then costs 2t - 1 multiplications for its matrix instead of t^2.
struct PoseidonOptimized {
  size_t t = 0, full_rounds = 0, partial_rounds = 0;
  std::vector<Fr> full_constants;  // full_rounds * t: the full rounds' constants, in order
  std::vector<Fr> m;               // t * t: the full rounds' matrix
  std::vector<Fr> m_pre;           // t * t: round h - 1's matrix
  std::vector<Fr> partial_constants;  // partial_rounds: added to s[0]
  // partial_rounds * (2t - 1): per round a, w[1..t-1], v[1..t-1]:
  //   s0' = a s0 + sum_j w_j s_j;  s_i' = v_i s0 + s_i (i >= 1).
  std::vector<Fr> sparse;
};
PoseidonOptimized optimize_poseidon(const PoseidonParams& params);
const PoseidonOptimized& poseidon_optimized(size_t t);
void poseidon_permute_optimized(const PoseidonOptimized& opt, std::span<Fr> state);

// circomlib's poseidon(inputs) (1 to 16 inputs): width t = n + 1, state (0, inputs...), permuted
// once, output state[0]. For cross-checks and for hashing public values the way circom does.
Fr poseidon_circom_hash(std::span<const Fr> inputs);

// A duplex sponge of width t over elements E (Fr natively; the circuit's Num in
// snark/poseidon_gadget.h, so that both follow one rule): capacity s[0], rate s[1..t-1], started
// with s[0] = capacity_init (the domain) and the rest 0. Elements are added into the rate in order;
// a full rate block is permuted only when another element comes (or a squeeze). Before each
// permutation a tag is added to the capacity that says why it runs:
//   0            a full block, and more input follows;
//   1 + k        the end of an absorbing phase whose last block holds k elements (0 <= k <= rate);
//   rate + 2     a squeeze that has used up the rate since the last permutation.
// Squeezes read s[1], s[2], ... in order. An absorb after squeezes starts a new block at s[1]
// (adding into the rate that was read). The permutation inputs thus determine the sequence of
// absorbs and squeezes and every absorbed value (docs/protocol/wrap.md).
template <class E>
class DuplexSponge {
 public:
  using Permute = std::function<void(std::span<E>)>;
  DuplexSponge(size_t t, const E& capacity_init, Permute permute)
      : state_(t, E(Fr::zero())), permute_(std::move(permute)) {
    state_[0] = capacity_init;
  }

  void absorb(const E& x) {
    if (squeezing_) {
      squeezing_ = false;
      pos_ = 0;
    }
    if (pos_ == rate()) {
      permute(0);
      pos_ = 0;
    }
    state_[1 + pos_++] += x;
  }

  E squeeze() {
    if (!squeezing_) {
      permute(1 + pos_);
      squeezing_ = true;
      pos_ = 0;
    } else if (pos_ == rate()) {
      permute(rate() + 2);
      pos_ = 0;
    }
    return state_[1 + pos_++];
  }

  size_t width() const { return state_.size(); }
  size_t rate() const { return state_.size() - 1; }
  // Permutations run so far (benchmarks and the circuit twin's tests).
  size_t permutations() const { return permutations_; }
  const std::vector<E>& state() const { return state_; }

 private:
  void permute(uint64_t tag) {
    state_[0] += E(Fr::from_u64(tag));
    permute_(std::span<E>(state_));
    ++permutations_;
  }
  std::vector<E> state_;
  Permute permute_;
  bool squeezing_ = false;
  size_t pos_ = 0;  // absorbing: elements in the current block; squeezing: outputs read
  size_t permutations_ = 0;
};

// The native sponge: the standard Poseidon instance of width t.
class PoseidonSponge : public DuplexSponge<Fr> {
 public:
  PoseidonSponge(size_t t, const Fr& capacity_init)
      : DuplexSponge<Fr>(t, capacity_init,
                         [o = &poseidon_optimized(t)](std::span<Fr> s) { poseidon_permute_optimized(*o, s); }) {}
};

// Bytes packed into field elements: 31-byte chunks, each read as a big-endian integer (the last
// one shorter). The empty string gives no chunk.
std::vector<Fr> pack_bytes_31(std::string_view bytes);

// A label (any bytes) as one field element: the width-3 sponge with capacity_init =
// pack_bytes_31("zkinfer-poseidon-label")[0] absorbing (byte length, chunks...) and squeezing once.
Fr poseidon_label(std::string_view label);

}  // namespace zkinfer::hash
