// Pippenger MSM with signed windows and batch-affine buckets (see msm.h for the method and the
// references).
#include "curve/msm.h"

#include "curve/msm_forms.h"

#include <omp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include "common/check.h"
#include "curve/glv.h"

namespace zkinfer::curve {
namespace {

using field::Limbs;

constexpr unsigned kMaxWindow = 20;
// Below this many buckets a window uses Jacobian buckets: a batch of additions to distinct
// buckets would be too small to amortize the inversion.
constexpr size_t kMinAffineBuckets = 1024;

// Scalars as magnitudes with a sign per point, N limbs each.
template <size_t N>
struct SignedMagnitudes {
  std::vector<Limbs<N>> mag;
  std::vector<uint8_t> neg;
  size_t bits = 0;  // the largest bit length of a magnitude
};

struct Plan {
  unsigned c = 1;        // window bits
  size_t windows = 1;    // W = ceil(bits / c)
  size_t chunks = 1;     // point ranges per window (tasks = windows * chunks)
  bool affine_top = false;
  bool affine_low = false;
  size_t top_buckets = 1;  // 2^(bits - c (W - 1)) for the top window
  size_t low_buckets = 1;  // 2^(c - 1) for the others
};

size_t buckets_for(const Plan& p, size_t window) {
  return window + 1 == p.windows ? p.top_buckets : p.low_buckets;
}
bool affine_for(const Plan& p, size_t window) {
  return window + 1 == p.windows ? p.affine_top : p.affine_low;
}

// A quarter of the buckets: about one addition in eight meets a busy bucket and waits for the next
// batch, and the inversion (about 350 multiplications) is shared by up to 2048 additions. (buckets
// / 16 before: 2^16 full-width scalars took about 9 % longer; BENCHMARKS.md "Issue 15: kzg prove
// speed (session 13)".)
size_t default_batch(size_t buckets) { return std::clamp<size_t>(buckets / 4, 64, 2048); }

// Rough cost, in field multiplications per thread, of a plan (used only to pick c).
double plan_cost(size_t n, size_t bits, unsigned c, int threads, MsmOptions::Buckets mode,
                 Plan* out) {
  Plan p;
  p.c = c;
  p.windows = (bits + c - 1) / c;
  size_t top_bits = bits - c * (p.windows - 1);
  p.top_buckets = p.windows == 1 ? (size_t{1} << top_bits) : (size_t{1} << top_bits);
  p.low_buckets = size_t{1} << (c - 1);
  // Enough tasks for every thread, but chunks of at least a few thousand points.
  size_t want = (static_cast<size_t>(threads) + p.windows - 1) / p.windows;
  p.chunks = std::max<size_t>(1, std::min(want, n / 4096));
  auto affine = [&](size_t nb) {
    if (mode == MsmOptions::Buckets::kJacobian) return false;
    if (mode == MsmOptions::Buckets::kBatchAffine) return true;
    return nb >= kMinAffineBuckets && n / p.chunks >= nb;
  };
  p.affine_top = affine(p.top_buckets);
  p.affine_low = affine(p.low_buckets);
  double total = 0;
  for (size_t j = 0; j < p.windows; ++j) {
    size_t nb = buckets_for(p, j);
    double add = affine_for(p, j) ? 7.5 + 400.0 / static_cast<double>(default_batch(nb)) : 12.0;
    total += static_cast<double>(n) * add + static_cast<double>(p.chunks * nb) * 28.0;
  }
  double parallel = static_cast<double>(std::min<size_t>(threads, p.windows * p.chunks));
  double serial = static_cast<double>(bits) * 9.0 + static_cast<double>(p.windows * p.chunks) * 16;
  if (out) *out = p;
  return total / parallel + serial;
}

Plan make_plan(size_t n, size_t bits, int threads, const MsmOptions& o) {
  Plan best;
  if (o.window_bits != 0) {
    ZKINFER_CHECK(o.window_bits <= kMaxWindow);
    plan_cost(n, bits, std::min<unsigned>(o.window_bits, std::max<size_t>(bits, 1)), threads,
              o.buckets, &best);
    return best;
  }
  double best_cost = 0;
  for (unsigned c = 1; c <= std::min<size_t>(kMaxWindow, bits); ++c) {
    Plan p;
    double cost = plan_cost(n, bits, c, threads, o.buckets, &p);
    if (c == 1 || cost < best_cost) best_cost = cost, best = p;
  }
  return best;
}

// The c-bit window of a magnitude starting at bit s (s < 64 N).
template <size_t N>
inline uint64_t window_of(const Limbs<N>& m, size_t s, unsigned c) {
  size_t limb = s / 64, off = s % 64;
  uint64_t v = m[limb] >> off;
  if (off + c > 64 && limb + 1 < N) v |= m[limb + 1] << (64 - off);
  return v & ((uint64_t{1} << c) - 1);
}

// The shared form's windows: W windows over `bits` bits, the low a = bits - W q of q + 1 bits and
// the others of q = floor(bits / W) bits, so that the top window (q bits; its digits take the
// last carry, up to 2^q) is never much smaller than the others: a tiny top window would send all n
// points into a few buckets, where they collide in every batch. Every window then fits in
// per = 2^q buckets (|digit| <= 2^q for the (q + 1)-bit windows and the top one, 2^(q - 1) for
// the other q-bit ones).
struct SharedLayout {
  size_t windows = 1, q = 1, wide = 0, per = 1;
  size_t size(size_t j) const { return j < wide ? q + 1 : q; }
  size_t offset(size_t j) const { return j * q + std::min(j, wide); }
};
SharedLayout shared_layout(size_t bits, size_t windows) {
  SharedLayout l;
  l.windows = std::clamp<size_t>(windows, 1, bits);
  l.q = bits / l.windows;
  l.wide = bits - l.windows * l.q;
  l.per = size_t{1} << l.q;
  return l;
}

// Signed digits for a SharedLayout, window-major: digits[j * n + i]; digit d means "add sign(d) *
// base to bucket |d| - 1" (the top window keeps its carry).
template <size_t N>
std::vector<int32_t> shared_digits(const SignedMagnitudes<N>& s, const SharedLayout& l, bool parallel) {
  const size_t n = s.mag.size();
  std::vector<int32_t> digits(l.windows * n);
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t ii = 0; ii < static_cast<int64_t>(n); ++ii) {
    const size_t i = static_cast<size_t>(ii);
    int64_t carry = 0;
    for (size_t j = 0; j < l.windows; ++j) {
      const unsigned c = static_cast<unsigned>(l.size(j));
      int64_t d = static_cast<int64_t>(window_of<N>(s.mag[i], l.offset(j), c)) + carry;
      carry = 0;
      if (j + 1 < l.windows && d > (int64_t{1} << (c - 1))) {
        d -= int64_t{1} << c;
        carry = 1;
      }
      digits[j * n + i] = static_cast<int32_t>(s.neg[i] ? -d : d);
    }
  }
  return digits;
}

// Signed digits, window-major: digits[j * n + i]. Digit d means "add sign(d) * base to bucket
// |d| - 1". Windows of p.c bits: a SharedLayout with every window of the same size.
template <size_t N>
std::vector<int32_t> make_digits(const SignedMagnitudes<N>& s, const Plan& p, bool parallel) {
  SharedLayout l;
  l.windows = p.windows;
  l.q = p.c;
  l.per = size_t{1} << p.c;
  return shared_digits<N>(s, l, parallel);
}

// sum_b (b + 1) * bucket_b, from the top: running += bucket_b; total += running.
G1 reduce_jacobian(const std::vector<G1>& buckets) {
  G1 running, total;
  for (size_t b = buckets.size(); b-- > 0;) {
    running += buckets[b];
    total += running;
  }
  return total;
}

G1 accumulate_jacobian(std::span<const G1Affine> bases, const int32_t* digits, size_t nb) {
  std::vector<G1> buckets(nb);
  for (size_t i = 0; i < bases.size(); ++i) {
    int32_t d = digits[i];
    if (d == 0 || bases[i].infinity) continue;
    if (d > 0)
      buckets[static_cast<size_t>(d) - 1] += bases[i];
    else
      buckets[static_cast<size_t>(-d) - 1] += -bases[i];
  }
  return reduce_jacobian(buckets);
}

// a == b for two field elements by their words (Fq's operator== compares the arrays with a
// memcmp call, 6 % of a 2^13-point MSM's time in AffineBuckets::place).
inline bool same(const Fq& a, const Fq& b) {
  static_assert(sizeof(Fq) == 32 && std::is_trivially_copyable_v<Fq>);
  uint64_t x[4], y[4];
  std::memcpy(x, &a, 32);
  std::memcpy(y, &b, 32);
  return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) == 0;
}

// Out of line, so that AffineBuckets::compute can inline its multiplications without the
// inversion's loop.
[[gnu::noinline]] Fq invert(const Fq& a) { return a.inverse(); }

// Batch-affine accumulation of one window over one chunk of points (or, in the shared form, of
// several windows' buckets side by side).
class AffineBuckets {
 public:
  AffineBuckets(size_t nb, size_t batch)
      : bx_(nb), by_(nb), full_(nb, 0), stamp_(nb, 0), batch_(std::max<size_t>(batch, 1)) {
    idx_.reserve(batch_);
    px_.reserve(batch_);
    num_.reserve(batch_);
    den_.reserve(batch_);
    prefix_.resize(batch_);
    pending_.reserve(pending_cap());
  }

  size_t size() const { return bx_.size(); }

  // bucket_b += (px, py). A point whose bucket already has an addition in the pending batch waits
  // in a queue for the next batch (at most one retry, and at most pending_cap() waiting: beyond
  // that it goes to the bucket's Jacobian overflow, so skewed inputs cost a mixed addition each).
  void add(size_t b, const Fq& px, const Fq& py) {
    if (!place(b, px, py)) {
      if (pending_.size() < pending_cap())
        pending_.push_back({b, px, py});
      else
        to_overflow(b, px, py);
    }
    if (idx_.size() == batch_) complete();
  }

  // Everything added so far in the buckets (the batch completed, the queue emptied).
  void flush() {
    while (!idx_.empty() || !pending_.empty()) complete();
  }

  // Bucket b as an affine point, after fold_overflow() (full(b) false: the identity).
  bool full(size_t b) const { return full_[b] != 0; }
  const Fq& x(size_t b) const { return bx_[b]; }
  const Fq& y(size_t b) const { return by_[b]; }

  // Moves the Jacobian overflow into the affine buckets (one shared inversion), then flushes.
  void fold_overflow() {
    flush();
    while (overflowed_) {
      overflowed_ = false;
      std::vector<size_t> which;
      std::vector<G1> pts;
      for (size_t b = 0; b < overflow_.size(); ++b)
        if (!overflow_[b].is_identity()) {
          which.push_back(b);
          pts.push_back(overflow_[b]);
          overflow_[b] = G1::identity();
        }
      std::vector<G1Affine> aff(pts.size());
      G1::batch_to_affine(pts, aff);
      for (size_t k = 0; k < which.size(); ++k)
        if (!aff[k].infinity) add(which[k], aff[k].x, aff[k].y);
      flush();  // distinct buckets: nothing overflows again unless the batch is tiny
    }
  }

  G1 reduce() { return reduce_range(0, bx_.size()); }
  // sum_{lo <= b < hi} (b - lo + 1) bucket_b (flushes first).
  G1 reduce_range(size_t lo, size_t hi) {
    flush();
    G1 running, total;
    for (size_t b = hi; b-- > lo;) {
      if (full_[b]) running += G1Affine{bx_[b], by_[b], false};
      if (!overflow_.empty() && !overflow_[b].is_identity()) running += overflow_[b];
      total += running;
    }
    return total;
  }

 private:
  struct Pending {
    size_t b;
    Fq x, y;
  };
  size_t pending_cap() const { return std::max<size_t>(batch_, 16); }

  void to_overflow(size_t b, const Fq& px, const Fq& py) {
    if (overflow_.empty()) overflow_.resize(bx_.size());  // allocated on first use: usually never
    overflow_[b] += G1Affine{px, py, false};
    overflowed_ = true;
  }

  // Stages bucket_b += (px, py) in the batch (or applies it at once when the bucket is empty or
  // the sum is the identity); false when bucket b already has an addition in the batch.
  [[gnu::flatten]] bool place(size_t b, const Fq& px, const Fq& py) {
    if (stamp_[b] == epoch_) return false;
    if (!full_[b]) {
      bx_[b] = px;
      by_[b] = py;
      full_[b] = 1;
      return true;
    }
    Fq num, den;
    if (same(bx_[b], px)) {
      if (by_[b] != py) {  // bucket + (-bucket)
        full_[b] = 0;
        return true;
      }
      // Doubling: lambda = 3 x^2 / 2 y (y != 0: no 2-torsion).
      Fq x2 = px.square();
      num = x2.doubled() + x2;
      den = py.doubled();
    } else {
      num = py - by_[b];
      den = px - bx_[b];
    }
    stamp_[b] = epoch_;
    idx_.push_back(static_cast<uint32_t>(b));
    px_.push_back(px);
    num_.push_back(num);
    den_.push_back(den);
    return true;
  }

  // Completes the staged batch: one inversion for all denominators, then
  // x3 = lambda^2 - x1 - x2, y3 = lambda (x1 - x3) - y1 (x2 = x1 when doubling).
  [[gnu::flatten]] void compute() {
    const size_t m = idx_.size();
    if (m != 0) {
      Fq acc = Fq::one();
      for (size_t k = 0; k < m; ++k) {
        prefix_[k] = acc;
        acc *= den_[k];
      }
      Fq inv = invert(acc);
      for (size_t k = m; k-- > 0;) {
        Fq dinv = inv * prefix_[k];
        inv *= den_[k];
        const size_t b = idx_[k];
        Fq lambda = num_[k] * dinv;
        Fq x3 = lambda.square() - bx_[b] - px_[k];
        by_[b] = lambda * (bx_[b] - x3) - by_[b];
        bx_[b] = x3;
      }
      idx_.clear();
      px_.clear();
      num_.clear();
      den_.clear();
    }
    ++epoch_;
  }

  // compute(), then the queue's points into the next batch (those that meet a busy bucket again go
  // to the overflow).
  void complete() {
    compute();
    if (pending_.empty()) return;
    retry_.swap(pending_);
    for (const Pending& q : retry_) {
      if (!place(q.b, q.x, q.y)) to_overflow(q.b, q.x, q.y);
      if (idx_.size() == batch_) compute();
    }
    retry_.clear();
  }

  std::vector<Fq> bx_, by_;
  std::vector<uint8_t> full_;
  std::vector<uint32_t> stamp_;
  std::vector<G1> overflow_;  // empty until a point first overflows
  bool overflowed_ = false;
  uint32_t epoch_ = 1;
  size_t batch_;
  std::vector<uint32_t> idx_;
  std::vector<Fq> px_, num_, den_, prefix_;
  std::vector<Pending> pending_, retry_;
};

// Segments per window in reduce_windows_affine (its chains: windows x segments <= 512).
size_t reduce_segments(size_t windows, size_t per) {
  size_t segs = 1;
  while (segs * 2 <= per && windows * segs * 2 <= 512) segs *= 2;
  return segs;
}

// sum_{b < per} (b + 1) bucket[w per + b] for each of `windows` windows of `acc` (fold_overflow()
// first), with the additions in batch-affine form too: each window's buckets are cut into S
// segments of L = per / S, and the running sums R and totals T of all windows' segments advance in
// lockstep (one batch of R += bucket, then one of T += R, each with one inversion); then a window
// is sum_s T_s + L sum_s s R_s (Jacobian, S terms). About 2 affine additions per bucket instead of
// a mixed and a full Jacobian addition.
void reduce_windows_affine(AffineBuckets& acc, size_t windows, size_t per, G1* out) {
  acc.fold_overflow();
  const size_t segs = reduce_segments(windows, per);
  const size_t len = per / segs;  // per and segs are powers of two
  const size_t chains = windows * segs;
  AffineBuckets red(2 * chains, 2 * chains);  // R_k at k, T_k at chains + k
  for (size_t t = len; t-- > 0;) {
    for (size_t k = 0; k < chains; ++k) {
      const size_t b = (k / segs) * per + (k % segs) * len + t;
      if (acc.full(b)) red.add(k, acc.x(b), acc.y(b));
    }
    red.flush();
    for (size_t k = 0; k < chains; ++k)
      if (red.full(k)) red.add(chains + k, red.x(k), red.y(k));
    red.flush();
  }
  red.fold_overflow();
  for (size_t w = 0; w < windows; ++w) {
    G1 run, sum, tot;
    for (size_t s = segs; s-- > 1;) {  // sum = sum_s s R_s
      const size_t k = w * segs + s;
      if (red.full(k)) run += G1Affine{red.x(k), red.y(k), false};
      sum += run;
    }
    for (size_t d = len; d > 1 && !sum.is_identity(); d /= 2) sum = sum.doubled();
    for (size_t s = 0; s < segs; ++s) {
      const size_t k = chains + w * segs + s;
      if (red.full(k)) tot += G1Affine{red.x(k), red.y(k), false};
    }
    out[w] = tot + sum;
  }
}

// From this many buckets on, accumulate_affine reduces them with reduce_windows_affine.
constexpr size_t kAffineReduceMin = 512;

G1 accumulate_affine(std::span<const G1Affine> bases, const int32_t* digits, size_t nb,
                     size_t batch) {
  AffineBuckets acc(nb, batch);
  for (size_t i = 0; i < bases.size(); ++i) {
    int32_t d = digits[i];
    if (d == 0 || bases[i].infinity) continue;
    if (d > 0)
      acc.add(static_cast<size_t>(d) - 1, bases[i].x, bases[i].y);
    else
      acc.add(static_cast<size_t>(-d) - 1, bases[i].x, -bases[i].y);
  }
  // Many buckets (a power of two here): the running sums in batch-affine form too, about two
  // affine additions per bucket instead of a mixed and a full Jacobian one.
  if (nb >= kAffineReduceMin && std::has_single_bit(nb)) {
    G1 out;
    reduce_windows_affine(acc, 1, nb, &out);
    return out;
  }
  return acc.reduce();
}

// Straus / interleaved fixed windows for a few points: 4-bit digits from the top, one table
// {1..15} * (+-base) per point (in affine, for mixed additions), and one shared doubling chain.
// For n <= kStrausMax this beats Pippenger, whose cost is dominated by the per-window bucket
// reductions (2^(c-1) buckets x 2 additions per window) when there are few points.
constexpr size_t kStrausMax = 48;
// The same for straus_glv (below) against Pippenger over the GLV halves.
constexpr size_t kStrausGlvMax = 48;
// Full-width scalars from kSharedAffineMin to kSharedAffineMax points: GLV and the shared
// batch-affine accumulator (pippenger_shared_affine); the verifier's batch MSMs are a few hundred
// to a few thousand points. Measured (BENCHMARKS.md, "Issue 11/16: verifier speed (session 9)"),
// one thread, fastest of 8: 256 / 400 / 615 / 4096 / 16384 points 3.7 / 4.7 / 6.7 / 38 / 109 ms
// against 4.9 / 7.0 / 9.8 / 49 / 118 ms before (Pippenger without GLV above 256 points).
// Above 2^13 points the per-window Pippenger without GLV is faster since its buckets are reduced in
// batch-affine form too and its batches hold a quarter of the buckets (session 13, one thread, CPU:
// 2^14 / 2^15 points about 98 / 162 ms against 116-119 / 210-220 ms in the shared form; at 2^13
// 62 against 65-70 on one thread but the shared form ahead on two, inside the kzg prover; equal at
// 2^12; BENCHMARKS.md "Issue 15: kzg prove speed (session 13)").
constexpr size_t kSharedAffineMin = 128;
constexpr size_t kSharedAffineMax = size_t{1} << 13;
constexpr size_t kGlvPippengerMax = kSharedAffineMax;

template <size_t N>
G1 straus(std::span<const G1Affine> bases, const SignedMagnitudes<N>& s) {
  const size_t n = bases.size();
  std::vector<G1> jt(n * 15);
  for (size_t i = 0; i < n; ++i) {
    if (bases[i].infinity) continue;  // table stays identity; its digits are skipped below
    const G1Affine p = s.neg[i] ? -bases[i] : bases[i];
    G1* t = &jt[i * 15];
    t[0] = G1(p);
    for (size_t k = 1; k < 15; ++k) t[k] = t[k - 1] + p;
  }
  std::vector<G1Affine> at(jt.size());
  G1::batch_to_affine(jt, at);
  const size_t windows = (s.bits + 3) / 4;
  G1 acc;
  for (size_t w = windows; w-- > 0;) {
    if (!acc.is_identity()) acc = acc.doubled().doubled().doubled().doubled();
    for (size_t i = 0; i < n; ++i) {
      if (bases[i].infinity) continue;
      const unsigned d = static_cast<unsigned>(window_of<N>(s.mag[i], 4 * w, 4));
      if (d) acc += at[i * 15 + d - 1];
    }
  }
  return acc;
}

// Width-w NAF of a magnitude below 2^128: digits[i] is 0 or odd in [-(2^(w-1) - 1), 2^(w-1) - 1],
// with sum digits[i] 2^i = m and at most one nonzero digit in any w consecutive positions. Returns
// the length (the highest nonzero position + 1); digits must hold 129 entries.
constexpr unsigned kWnaf = 5;
size_t wnaf(std::array<uint64_t, 2> m, int8_t* digits) {
  constexpr int64_t kFull = int64_t{1} << kWnaf, kHalf = kFull / 2;
  size_t len = 0;
  for (size_t i = 0; i < 129; ++i) digits[i] = 0;
  for (size_t i = 0; m[0] | m[1]; ++i) {
    if (m[0] & 1) {
      int64_t d = static_cast<int64_t>(m[0] & (kFull - 1));
      if (d >= kHalf) d -= kFull;
      digits[i] = static_cast<int8_t>(d);
      // m -= d (m >= |d| when d > 0; m + |d| never overflows 128 bits here: m < 2^127 + 2^w).
      const unsigned __int128 v = (static_cast<unsigned __int128>(m[1]) << 64) | m[0];
      const unsigned __int128 w = d > 0 ? v - static_cast<unsigned __int128>(d) : v + static_cast<unsigned __int128>(-d);
      m = {static_cast<uint64_t>(w), static_cast<uint64_t>(w >> 64)};
      len = i + 1;
    }
    m[0] = (m[0] >> 1) | (m[1] << 63);
    m[1] >>= 1;
  }
  return len;
}

// Straus with the GLV endomorphism for a few full-width scalars: k_i P_i = k1 P_i + k2 phi(P_i)
// with 127-bit halves (curve/glv.h), each half in width-5 NAF over a table of the odd multiples
// P, 3P, .., 15P (phi's table is beta times the x coordinates), one shared chain of <= 128
// doublings. About 2 x 22 mixed additions per point instead of 64 for plain 4-bit windows.
// Bases as Jacobian or affine points (Base = G1 or G1Affine).
template <class Base>
G1 straus_glv(std::span<const Base> bases, std::span<const Fr> scalars) {
  constexpr size_t T = size_t{1} << (kWnaf - 2);  // odd multiples 1, 3, .., 2T - 1
  const size_t n = bases.size();
  std::vector<size_t> live;  // points with a nonzero contribution
  live.reserve(n);
  for (size_t i = 0; i < n; ++i)
    if (!bases[i].is_identity() && !scalars[i].is_zero()) live.push_back(i);
  if (live.empty()) return G1::identity();
  const size_t m = live.size();
  std::vector<G1> jt(m * T);
  for (size_t a = 0; a < m; ++a) {
    G1* t = &jt[a * T];
    t[0] = G1(bases[live[a]]);
    const G1 p2 = t[0].doubled();
    for (size_t k = 1; k < T; ++k) t[k] = t[k - 1] + p2;
  }
  // at[(2 a) T + j] = (2j + 1) P_a, at[(2 a + 1) T + j] = phi of it.
  std::vector<G1Affine> at(2 * jt.size());
  G1::batch_to_affine(jt, std::span<G1Affine>(at).first(jt.size()));
  for (size_t a = m; a-- > 0;)
    for (size_t j = 0; j < T; ++j) {
      const G1Affine e = at[a * T + j];
      at[(2 * a) * T + j] = e;
      at[(2 * a + 1) * T + j] = G1Affine{kGlvBeta * e.x, e.y, false};
    }
  // Digits: two wNAFs per point (k1 on P, k2 on phi(P)), with the signs of k1, k2 folded in.
  std::vector<int8_t> digits(2 * m * 129);
  std::vector<uint8_t> neg(2 * m);
  size_t len = 0;
  for (size_t a = 0; a < m; ++a) {
    const GlvSplit sp = glv_split(scalars[live[a]]);
    len = std::max(len, wnaf(sp.m1, &digits[(2 * a) * 129]));
    len = std::max(len, wnaf(sp.m2, &digits[(2 * a + 1) * 129]));
    neg[2 * a] = sp.neg1;
    neg[2 * a + 1] = sp.neg2;
  }
  G1 acc;
  for (size_t bit = len; bit-- > 0;) {
    if (!acc.is_identity()) acc = acc.doubled();
    for (size_t h = 0; h < 2 * m; ++h) {
      const int d = digits[h * 129 + bit];
      if (d == 0) continue;
      const G1Affine& e = at[h * T + static_cast<size_t>(d > 0 ? d : -d) / 2];
      if ((d < 0) != (neg[h] != 0))
        acc += G1Affine{e.x, -e.y, false};
      else
        acc += e;
    }
  }
  return acc;
}

template <size_t N>
G1 pippenger(std::span<const G1Affine> bases, const SignedMagnitudes<N>& s, const MsmOptions& o) {
  const size_t n = bases.size();
  if (n == 0 || s.bits == 0) return G1::identity();
  if (o.window_bits == 0 && n <= kStrausMax && s.bits > 32) return straus<N>(bases, s);
  const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  const Plan p = make_plan(n, s.bits, threads, o);
  const bool parallel = threads > 1 && n * p.windows >= 4096;
  const std::vector<int32_t> digits = make_digits(s, p, parallel);

  const size_t tasks = p.windows * p.chunks;
  const size_t chunk_len = (n + p.chunks - 1) / p.chunks;
  std::vector<G1> partial(tasks);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (parallel)
  for (int64_t t = 0; t < static_cast<int64_t>(tasks); ++t) {
    const size_t j = static_cast<size_t>(t) / p.chunks;
    const size_t k = static_cast<size_t>(t) % p.chunks;
    const size_t lo = std::min(n, k * chunk_len);
    const size_t hi = std::min(n, lo + chunk_len);
    const size_t nb = buckets_for(p, j);
    auto part = bases.subspan(lo, hi - lo);
    const int32_t* d = digits.data() + j * n + lo;
    if (affine_for(p, j)) {
      size_t batch = o.batch_size ? o.batch_size : default_batch(nb);
      partial[static_cast<size_t>(t)] = accumulate_affine(part, d, nb, batch);
    } else {
      partial[static_cast<size_t>(t)] = accumulate_jacobian(part, d, nb);
    }
  }

  // Horner over the windows, top first.
  G1 acc;
  for (size_t j = p.windows; j-- > 0;) {
    for (unsigned i = 0; i < p.c && !acc.is_identity(); ++i) acc = acc.doubled();
    for (size_t k = 0; k < p.chunks; ++k) acc += partial[j * p.chunks + k];
  }
  return acc;
}

size_t shared_batch(size_t buckets) { return std::clamp<size_t>(buckets / 4, 32, 1024); }

// Rough cost per thread of the shared batch-affine form with W windows on `groups` threads, in
// units of one (point, window) addition (an affine addition and its bookkeeping), fitted to
// callgrind instruction counts (BENCHMARKS.md "Issue 11: the shared MSM, session 11"): an
// inversion ~70 units, shared by a batch; a bucket ~2.4 units in the reduction, plus its two
// inversions per step. Each thread reduces the buckets of the windows its share touches (one more
// window than W / groups when the share starts or ends inside a window).
double shared_affine_cost(size_t n, const SharedLayout& l, size_t groups) {
  const double w = static_cast<double>(l.windows), g = static_cast<double>(groups);
  const size_t touched = std::min(l.windows, (l.windows + groups - 1) / groups + (l.windows % groups == 0 ? 0 : 1));
  const size_t buckets = touched * l.per;
  const double batch = static_cast<double>(shared_batch(buckets));
  const double steps = static_cast<double>(l.per / reduce_segments(touched, l.per));
  return static_cast<double>(n) * w / g * (1.0 + 70.0 / batch) + static_cast<double>(buckets) * 2.4 + steps * 140.0;
}

// Pippenger with every window's buckets in one batch-affine accumulator per thread (AffineBuckets
// over the windows' buckets side by side), the points taken point-major (a point's W digits go to
// W different windows, so they never meet a busy bucket among themselves): batches of a few
// hundred additions share one inversion whatever the window size, which pays from a few hundred
// points on, where each window alone has too few buckets for a batch. The windows are balanced
// (SharedLayout). The W n (window, point) additions are split evenly between the threads,
// window-major (a thread's share may start or end inside a window: both threads then hold buckets
// for that window, and their sums are added); the buckets are reduced in batch-affine form too
// (reduce_windows_affine). MsmOptions::window_bits = c forces W = ceil(bits / c).
template <size_t N>
G1 pippenger_shared_affine(std::span<const G1Affine> bases, const SignedMagnitudes<N>& s, const MsmOptions& o) {
  const size_t n = bases.size();
  if (n == 0 || s.bits == 0) return G1::identity();
  const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  const size_t max_groups = static_cast<size_t>(std::max(threads, 1));
  auto groups_for = [&](size_t windows) {
    return threads > 1 && n * windows >= 2048 ? std::min(max_groups, windows) : size_t{1};
  };
  SharedLayout l;
  if (o.window_bits != 0) {
    l = shared_layout(s.bits, (s.bits + o.window_bits - 1) / o.window_bits);
  } else {
    double best = 0;
    for (size_t w = (s.bits + 15) / 16; w <= s.bits; ++w) {  // at most 2^16 buckets per window
      const SharedLayout cand = shared_layout(s.bits, w);
      const double cost = shared_affine_cost(n, cand, groups_for(cand.windows));
      if (w == (s.bits + 15) / 16 || cost < best) best = cost, l = cand;
      if (cand.q == 1) break;
    }
  }
  const size_t per = l.per;
  const size_t groups = groups_for(l.windows);
  const std::vector<int32_t> digits = shared_digits(s, l, groups > 1 && n >= 4096);
  const size_t units = l.windows * n;  // (window j, point i) is unit j n + i
  std::vector<std::vector<G1>> partial(groups);
#pragma omp parallel for schedule(static, 1) num_threads(static_cast<int>(groups)) if (groups > 1)
  for (int64_t gi = 0; gi < static_cast<int64_t>(groups); ++gi) {
    const size_t g = static_cast<size_t>(gi);
    const size_t u0 = units * g / groups, u1 = units * (g + 1) / groups;
    if (u0 == u1) continue;
    const size_t j0 = u0 / n, j1 = (u1 - 1) / n + 1;  // windows [j0, j1) touched
    const size_t total = (j1 - j0) * per;
    AffineBuckets acc(total, o.batch_size ? o.batch_size : shared_batch(total));
    for (size_t i = 0; i < n; ++i) {
      if (bases[i].infinity) continue;
      const Fq& x = bases[i].x;
      const Fq ny = -bases[i].y;
      for (size_t j = j0; j < j1; ++j) {
        const size_t u = j * n + i;
        if (u < u0 || u >= u1) continue;
        const int32_t d = digits[u];
        if (d == 0) continue;
        const size_t off = (j - j0) * per;
        if (d > 0)
          acc.add(off + static_cast<size_t>(d) - 1, x, bases[i].y);
        else
          acc.add(off + static_cast<size_t>(-d) - 1, x, ny);
      }
    }
    partial[g].assign(l.windows, G1::identity());
    reduce_windows_affine(acc, j1 - j0, per, partial[g].data() + j0);
  }
  // Horner over the windows, top first: window j sits at bit offset(j), size(j) bits below j + 1.
  G1 acc;
  for (size_t j = l.windows; j-- > 0;) {
    if (j + 1 < l.windows)
      for (size_t i = 0; i < l.size(j) && !acc.is_identity(); ++i) acc = acc.doubled();
    for (const std::vector<G1>& part : partial)
      if (!part.empty()) acc += part[j];
  }
  return acc;
}

template <size_t N>
G1 pippenger_any(std::span<const G1Affine> bases, const SignedMagnitudes<N>& s, MsmForm form, const MsmOptions& o) {
  if (form == MsmForm::kSharedAffine) return pippenger_shared_affine<N>(bases, s, o);
  return pippenger<N>(bases, s, o);
}

}  // namespace

G1 msm(std::span<const G1Affine> bases, std::span<const Fr> scalars, const MsmOptions& options) {
  return msm_form(bases, scalars, MsmForm::kAuto, options);
}

G1 msm_form(std::span<const G1Affine> bases, std::span<const Fr> scalars, MsmForm form, const MsmOptions& options) {
  ZKINFER_CHECK(bases.size() == scalars.size());
  const size_t n = scalars.size();
  // Magnitudes: k, or r - k with the base negated when k > (r - 1) / 2.
  static constexpr Limbs<4> kHalf = [] {
    Limbs<4> h = Fr::kModulus;  // (r - 1) / 2: r is odd, so r >> 1
    for (size_t i = 0; i < 4; ++i) h[i] = (h[i] >> 1) | (i + 1 < 4 ? h[i + 1] << 63 : 0);
    return h;
  }();
  SignedMagnitudes<4> s;
  s.mag.resize(n);
  s.neg.resize(n);
  size_t bits = 0;
  const bool parallel = n >= 4096;
#pragma omp parallel for schedule(static) reduction(max : bits) if (parallel)
  for (int64_t ii = 0; ii < static_cast<int64_t>(n); ++ii) {
    const size_t i = static_cast<size_t>(ii);
    Limbs<4> k = scalars[i].to_canonical();
    if (!field::geq(kHalf, k)) {
      Limbs<4> m = Fr::kModulus;
      field::sub_in_place(m, k);
      k = m;
      s.neg[i] = 1;
    }
    s.mag[i] = k;
    bits = std::max(bits, field::bit_length(k));
  }
  s.bits = bits;
  // GLV (curve/glv.h) when some scalar is wider than its halves would be; never for short
  // scalars, whose windows are few anyway.
  // Automatically up to kGlvPippengerMax points (beyond, the per-window batch-affine Pippenger
  // without GLV, as for the prover's large MSMs), and with the shared batch-affine accumulator from
  // kSharedAffineMin points on (see the constants).
  const bool glv = options.glv == MsmOptions::Glv::kOn ||
                   (options.glv == MsmOptions::Glv::kAuto && bits > 128 && n <= kGlvPippengerMax);
  if (form == MsmForm::kAuto && options.buckets == MsmOptions::Buckets::kAuto && options.window_bits == 0 &&
      options.batch_size == 0 && glv && n >= kSharedAffineMin && n <= kSharedAffineMax)
    form = MsmForm::kSharedAffine;
  if (!glv || n == 0) return pippenger_any<4>(bases, s, form, options);
  if (options.window_bits == 0 && n <= kStrausGlvMax && form != MsmForm::kSharedAffine)
    return straus_glv<G1Affine>(bases, scalars);
  // Pippenger over 2n points with half-length scalars: k_i P_i = k1 P_i + k2 phi(P_i).
  SignedMagnitudes<2> g;
  g.mag.resize(2 * n);
  g.neg.resize(2 * n);
  std::vector<G1Affine> gb(2 * n);
  size_t gbits = 0;
#pragma omp parallel for schedule(static) reduction(max : gbits) if (parallel)
  for (int64_t ii = 0; ii < static_cast<int64_t>(n); ++ii) {
    const size_t i = static_cast<size_t>(ii);
    const GlvSplit sp = glv_split(scalars[i]);
    gb[2 * i] = bases[i];
    gb[2 * i + 1] = endo(bases[i]);
    g.mag[2 * i] = sp.m1;
    g.mag[2 * i + 1] = sp.m2;
    g.neg[2 * i] = sp.neg1;
    g.neg[2 * i + 1] = sp.neg2;
    gbits = std::max({gbits, field::bit_length(sp.m1), field::bit_length(sp.m2)});
  }
  g.bits = gbits;
  return pippenger_any<2>(gb, g, form, options);
}

G1 msm_small(std::span<const G1Affine> bases, std::span<const int64_t> scalars,
             const MsmOptions& options) {
  ZKINFER_CHECK(bases.size() == scalars.size());
  const size_t n = scalars.size();
  SignedMagnitudes<1> s;
  s.mag.resize(n);
  s.neg.resize(n);
  size_t bits = 0;
  const bool parallel = n >= 1 << 14;
#pragma omp parallel for schedule(static) reduction(max : bits) if (parallel)
  for (int64_t ii = 0; ii < static_cast<int64_t>(n); ++ii) {
    const size_t i = static_cast<size_t>(ii);
    const int64_t v = scalars[i];
    // |v| as unsigned (well defined for INT64_MIN).
    const uint64_t m = v < 0 ? ~static_cast<uint64_t>(v) + 1 : static_cast<uint64_t>(v);
    s.mag[i] = Limbs<1>{m};
    s.neg[i] = v < 0;
    bits = std::max(bits, m ? static_cast<size_t>(64 - __builtin_clzll(m)) : size_t{0});
  }
  s.bits = bits;
  return pippenger<1>(bases, s, options);
}

std::vector<G1Affine> window_tables(std::span<const G1Affine> bases) {
  constexpr size_t T = kWindowTable;
  const size_t n = bases.size();
  std::vector<G1> jt(n * T);
  for (size_t i = 0; i < n; ++i) {
    if (bases[i].infinity) continue;
    G1* t = &jt[i * T];
    t[0] = G1(bases[i]);
    for (size_t k = 1; k < T; ++k) t[k] = t[k - 1] + bases[i];
  }
  std::vector<G1Affine> out(jt.size());
  G1::batch_to_affine(jt, out);
  return out;
}

G1 msm_tables(std::span<const G1Affine> tables, std::span<const Fr> scalars) {
  constexpr size_t T = kWindowTable;  // digits in [-T, T], window c = log2(T) + 1 bits
  constexpr unsigned c = 6;
  static_assert(T == (size_t{1} << (c - 1)));
  const size_t n = scalars.size();
  ZKINFER_CHECK(tables.size() >= T * n);
  static constexpr Limbs<4> kHalf = [] {
    Limbs<4> h = Fr::kModulus;
    for (size_t i = 0; i < 4; ++i) h[i] = (h[i] >> 1) | (i + 1 < 4 ? h[i + 1] << 63 : 0);
    return h;
  }();
  // Magnitudes below r/2 (253 bits) with a sign, recoded into signed digits, window-major.
  std::vector<Limbs<4>> mag(n);
  std::vector<uint8_t> neg(n, 0);
  size_t bits = 0;
  for (size_t i = 0; i < n; ++i) {
    Limbs<4> k = scalars[i].to_canonical();
    if (!field::geq(kHalf, k)) {  // use r - k and the negated base
      Limbs<4> m = Fr::kModulus;
      field::sub_in_place(m, k);
      k = m;
      neg[i] = 1;
    }
    mag[i] = k;
    bits = std::max(bits, field::bit_length(k));
  }
  if (bits == 0) return G1::identity();
  const size_t windows = bits / c + 1;  // room for the last carry
  std::vector<int8_t> digits(windows * n);
  for (size_t i = 0; i < n; ++i) {
    int carry = 0;
    for (size_t w = 0; w < windows; ++w) {
      int d = (c * w < 256 ? static_cast<int>(window_of<4>(mag[i], c * w, c)) : 0) + carry;
      carry = 0;
      if (d > static_cast<int>(T)) {
        d -= 2 * static_cast<int>(T);
        carry = 1;
      }
      digits[w * n + i] = static_cast<int8_t>(neg[i] ? -d : d);
    }
  }
  G1 acc;
  for (size_t w = windows; w-- > 0;) {
    if (!acc.is_identity())
      for (unsigned b = 0; b < c; ++b) acc = acc.doubled();
    for (size_t i = 0; i < n; ++i) {
      const int d = digits[w * n + i];
      if (d == 0) continue;
      const G1Affine& t = tables[T * i + static_cast<size_t>(d > 0 ? d : -d) - 1];
      if (t.infinity) continue;
      if (d > 0)
        acc += t;
      else
        acc += -t;
    }
  }
  return acc;
}

G1 mul_glv(const G1& p, const Fr& k) { return straus_glv<G1>(std::span<const G1>(&p, 1), std::span<const Fr>(&k, 1)); }

G1 msm_naive(std::span<const G1Affine> bases, std::span<const Fr> scalars) {
  ZKINFER_CHECK(bases.size() == scalars.size());
  G1 acc;
  // Plain 4-bit windows over the canonical scalar (G1::mul_limbs), independent of the GLV paths.
  for (size_t i = 0; i < bases.size(); ++i) acc += G1(bases[i]).mul_limbs(scalars[i].to_canonical());
  return acc;
}

}  // namespace zkinfer::curve
