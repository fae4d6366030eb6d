// Tests of the MSM (curve/msm.h) against the naive sum of scalar multiplications: many sizes,
// scalar widths and signs, zeros, identity and repeated bases, every bucket mode / window size /
// batch size / thread count forced through MsmOptions, and msm_small against msm.
#include "curve/msm.h"
#include "curve/msm_forms.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/random.h"
#include "curve/hash_to_curve.h"
#include "test_seed.h"

namespace zkinfer::curve {
namespace {

using ::zkinfer::testing::seed_note;
using ::zkinfer::testing::test_seed;
using Buckets = MsmOptions::Buckets;

const std::vector<G1Affine>& test_bases() {
  static const std::vector<G1Affine> bases = derive_generators("zkinfer/msm-test", 4096);
  return bases;
}

std::vector<G1Affine> bases_prefix(size_t n) {
  const auto& all = test_bases();
  std::vector<G1Affine> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = all[i % all.size()];
  return out;
}

// A uniformly random value of exactly at most `bits` bits (bits <= 253), or uniform in Fr for 254.
Fr random_scalar(TestRng& rng, size_t bits) {
  if (bits >= 254) return Fr::random(rng);
  field::Limbs<4> c{};
  for (size_t i = 0; i < 4; ++i) {
    size_t lo = 64 * i;
    if (lo >= bits) break;
    uint64_t v = rng.next_u64();
    if (bits - lo < 64) v &= (uint64_t{1} << (bits - lo)) - 1;
    c[i] = v;
  }
  return Fr::from_canonical(c);
}

int64_t random_small(TestRng& rng, size_t bits) {
  // Signed, |v| < 2^bits (bits <= 63).
  uint64_t m = rng.next_u64() & ((uint64_t{1} << bits) - 1);
  return (rng.next_u64() & 1) ? -static_cast<int64_t>(m) : static_cast<int64_t>(m);
}

// Naive reference for int64 scalars.
G1 naive_small(std::span<const G1Affine> bases, std::span<const int64_t> v) {
  G1 acc;
  for (size_t i = 0; i < bases.size(); ++i) acc += G1(bases[i]) * v[i];
  return acc;
}

TEST(Msm, EmptyAndTiny) {
  EXPECT_TRUE(msm({}, {}).is_identity());
  EXPECT_TRUE(msm_small({}, {}).is_identity());
  const G1Affine g = G1Affine::generator();
  std::vector<G1Affine> b = {g};
  std::vector<Fr> s = {Fr::from_u64(5)};
  EXPECT_EQ(msm(b, s), G1(g) * int64_t{5});
  s = {Fr::from_i64(-5)};
  EXPECT_EQ(msm(b, s), G1(g) * int64_t{-5});
  s = {Fr::zero()};
  EXPECT_TRUE(msm(b, s).is_identity());
  s = {Fr::from_i64(-1)};
  EXPECT_EQ(msm(b, s), -G1(g));
  std::vector<int64_t> v = {INT64_MIN};
  EXPECT_EQ(msm_small(b, v), G1(g) * INT64_MIN);
  b = {G1Affine::identity()};
  s = {Fr::from_u64(7)};
  EXPECT_TRUE(msm(b, s).is_identity());
}

TEST(Msm, ManySizesFullWidth) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (size_t n : {1, 2, 3, 4, 5, 7, 8, 9, 16, 31, 32, 33, 63, 64, 65, 100, 255, 257, 1000, 3000}) {
    auto bases = bases_prefix(n);
    std::vector<Fr> s(n);
    for (auto& x : s) x = Fr::random(rng);
    ASSERT_EQ(msm(bases, s), msm_naive(bases, s)) << "n = " << n;
  }
}

TEST(Msm, PrecomputedTablesAgree) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto bases = bases_prefix(64);
  bases[5] = G1Affine::identity();
  const std::vector<G1Affine> tables = window_tables(bases);
  ASSERT_EQ(tables.size(), kWindowTable * bases.size());
  for (size_t n : {0, 1, 2, 7, 16, 33, 64}) {  // prefixes of the table serve the first n bases
    std::span<const G1Affine> b = std::span<const G1Affine>(bases).first(n);
    for (size_t bits : {1, 3, 64, 200, 254}) {
      std::vector<Fr> s(n);
      for (auto& x : s) x = random_scalar(rng, bits);
      if (n > 3) s[3] = -s[3];  // a "negative" (large) scalar
      if (n > 2) s[2] = Fr::zero();
      ASSERT_EQ(msm_tables(tables, s), msm_naive(b, s)) << "n = " << n << " bits = " << bits;
    }
  }
}

TEST(Msm, ScalarWidthsAndSigns) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  const size_t n = 300;
  auto bases = bases_prefix(n);
  for (size_t bits : {1, 2, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 128, 200, 253, 254}) {
    std::vector<Fr> s(n), neg(n);
    for (size_t i = 0; i < n; ++i) {
      s[i] = random_scalar(rng, bits);
      neg[i] = (i % 3 == 0) ? -s[i] : s[i];  // mixed signs: small negatives are r - |v|
    }
    ASSERT_EQ(msm(bases, s), msm_naive(bases, s)) << bits << " bits";
    ASSERT_EQ(msm(bases, neg), msm_naive(bases, neg)) << bits << " bits, mixed signs";
  }
  // Scalars near r: (r - 1) / 2 and (r + 1) / 2 straddle the negation threshold.
  Fr half = Fr::from_u64(2).inverse();  // (r + 1) / 2
  std::vector<Fr> edge = {half, half - Fr::one(), half + Fr::one(), -Fr::one(), -Fr::from_u64(2),
                          Fr::one(), Fr::zero()};
  auto eb = bases_prefix(edge.size());
  EXPECT_EQ(msm(eb, edge), msm_naive(eb, edge));
}

TEST(Msm, ZerosIdentitiesAndRepeats) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 2);
  const size_t n = 2000;
  auto bases = bases_prefix(n);
  std::vector<Fr> zeros(n, Fr::zero());
  EXPECT_TRUE(msm(bases, zeros).is_identity());
  // Identity bases scattered among normal ones.
  std::vector<Fr> s(n);
  for (auto& x : s) x = random_scalar(rng, 20);
  auto with_inf = bases;
  for (size_t i = 0; i < n; i += 7) with_inf[i] = G1Affine::identity();
  EXPECT_EQ(msm(with_inf, s), msm_naive(with_inf, s));
  // One base repeated n times; then equal scalars too (every point in one bucket).
  std::vector<G1Affine> same(n, bases[3]);
  EXPECT_EQ(msm(same, s), msm_naive(same, s));
  std::vector<Fr> equal(n, Fr::from_u64(12345));
  EXPECT_EQ(msm(same, equal), G1(bases[3]) * Fr::from_u64(12345 * n));
  // P and -P with equal scalars cancel inside the buckets.
  std::vector<G1Affine> pm(n);
  for (size_t i = 0; i < n; ++i) pm[i] = (i % 2) ? -bases[i / 2] : bases[i / 2];
  std::vector<Fr> pair(n);
  for (size_t i = 0; i < n; i += 2) pair[i] = pair[i + 1] = random_scalar(rng, 12);
  EXPECT_TRUE(msm(pm, pair).is_identity());
}

// The shared batch-affine accumulator (one for every window) on the inputs that hit its special
// cases: identity bases, zero scalars, one base repeated (doubling in a bucket, and a busy bucket
// within a batch), P and -P with equal scalars (cancellation to an empty bucket and refilling),
// scalars 1 and -1, and the automatic window choice with and without GLV, against msm_naive.
TEST(Msm, SharedAffineEdgeCases) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 5);
  for (size_t n : {size_t{1}, size_t{2}, size_t{3}, size_t{50}, size_t{300}, size_t{700}}) {
    SCOPED_TRACE(n);
    const auto bases = bases_prefix(n);
    std::vector<MsmOptions> forms;
    for (auto glv : {MsmOptions::Glv::kOff, MsmOptions::Glv::kOn})
      for (size_t batch : {size_t{0}, size_t{1}, size_t{3}}) {
        MsmOptions o;
        o.glv = glv;
        o.batch_size = batch;
        for (int threads : {1, 2}) {
          o.threads = threads;
          forms.push_back(o);
        }
      }
    auto check = [&](std::span<const G1Affine> b, std::span<const Fr> s, const char* what) {
      const G1 want = msm_naive(b, s);
      for (const MsmOptions& o : forms)
        ASSERT_EQ(msm_form(b, s, MsmForm::kSharedAffine, o), want) << what << ", glv " << (o.glv == MsmOptions::Glv::kOn) << ", batch "
                                      << o.batch_size << ", threads " << o.threads;
    };
    std::vector<Fr> s(n);
    for (auto& x : s) x = Fr::random(rng);
    check(bases, s, "random");
    std::vector<Fr> zeros(n, Fr::zero());
    check(bases, zeros, "zero scalars");
    std::vector<Fr> some_zero = s;
    for (size_t i = 0; i < n; i += 3) some_zero[i] = Fr::zero();
    check(bases, some_zero, "some zero scalars");
    auto with_inf = bases;
    for (size_t i = 0; i < n; i += 2) with_inf[i] = G1Affine::identity();
    check(with_inf, s, "identity bases");
    std::vector<G1Affine> same(n, bases[0]);
    check(same, s, "one base repeated");
    std::vector<Fr> equal(n, s[0]);
    check(same, equal, "one base, equal scalars");
    std::vector<Fr> ones(n);
    for (size_t i = 0; i < n; ++i) ones[i] = (i % 2) ? Fr::one() : -Fr::one();
    check(bases, ones, "scalars 1 and -1");
    std::vector<G1Affine> pm(n);
    for (size_t i = 0; i < n; ++i) pm[i] = (i % 2) ? -bases[i / 2] : bases[i / 2];
    std::vector<Fr> pair(n);
    for (size_t i = 0; i + 1 < n; i += 2) pair[i] = pair[i + 1] = Fr::random(rng);
    if (n % 2) pair[n - 1] = Fr::random(rng);
    check(pm, pair, "P and -P, equal scalars");
    if (n % 2 == 0) EXPECT_TRUE(msm_form(pm, pair, MsmForm::kSharedAffine, forms[0]).is_identity());
  }
}

// The shared form's session-11 paths against msm_naive: balanced windows for every forced window
// count (c = 2..16 over full-width and GLV-half scalars, so the top window is as small as 1 bit
// before balancing), the (window, point) work split between 2 and 3 threads at any unit (a
// thread's share starting and ending inside a window), the queue of points that meet a busy bucket
// (batches of 2 to 64 over skewed digits: all scalars equal, few distinct bases), the Jacobian
// overflow folded back before the batch-affine reduction, and scalars of a few bits (one window).
TEST(Msm, SharedAffineWindowsSplitsAndQueues) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 11);
  for (size_t n : {size_t{1}, size_t{5}, size_t{37}, size_t{300}}) {
    SCOPED_TRACE(n);
    const auto bases = bases_prefix(n);
    std::vector<Fr> s(n);
    for (auto& x : s) x = Fr::random(rng);
    std::vector<G1Affine> few(n);
    for (size_t i = 0; i < n; ++i) few[i] = (i % 3 == 2) ? -bases[i % 2] : bases[i % 2];
    std::vector<Fr> equal(n, s[0]);
    std::vector<Fr> small(n);
    for (auto& x : small) x = random_scalar(rng, 5);
    const std::vector<std::pair<std::span<const G1Affine>, std::span<const Fr>>> inputs = {
        {bases, s}, {few, s}, {bases, equal}, {few, equal}, {bases, small}};
    for (size_t k = 0; k < inputs.size(); ++k) {
      const G1 want = msm_naive(inputs[k].first, inputs[k].second);
      for (unsigned c : {2u, 3u, 5u, 7u, 10u, 11u, 12u, 13u, 16u}) {
        for (int threads : {1, 2, 3}) {
          for (size_t batch : {size_t{0}, size_t{2}, size_t{64}}) {
            if ((c < 7 || n > 100) && batch == 2) continue;  // an inversion per two additions: slow
            if (n > 100 && threads == 3 && batch != 0) continue;
            for (auto glv : {MsmOptions::Glv::kOff, MsmOptions::Glv::kOn}) {
              MsmOptions o;
              o.window_bits = c;
              o.threads = threads;
              o.batch_size = batch;
              o.glv = glv;
              ASSERT_EQ(msm_form(inputs[k].first, inputs[k].second, MsmForm::kSharedAffine, o), want)
                  << "input " << k << ", c = " << c << ", threads = " << threads << ", batch = " << batch
                  << ", glv = " << (glv == MsmOptions::Glv::kOn);
            }
          }
        }
      }
      MsmOptions autom;  // the automatic window count, 1 to 3 threads
      for (int threads : {1, 2, 3}) {
        autom.threads = threads;
        ASSERT_EQ(msm_form(inputs[k].first, inputs[k].second, MsmForm::kSharedAffine, autom), want)
            << "input " << k << ", automatic, threads = " << threads;
      }
    }
  }
}

// Every path forced: bucket modes, window sizes, tiny batches (many collisions), threads.
TEST(Msm, ForcedOptionsAgree) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 3);
  const size_t n = 700;
  auto bases = bases_prefix(n);
  // A few repeated and negated bases to hit doubling and cancellation in affine buckets.
  for (size_t i = 0; i < 50; ++i) bases[n - 1 - i] = (i % 2) ? bases[i] : -bases[i];
  bases[100] = G1Affine::identity();
  for (size_t bits : {4, 16, 40, 254}) {
    std::vector<Fr> s(n);
    for (auto& x : s) x = random_scalar(rng, bits);
    for (size_t i = 0; i < 50; ++i) s[n - 1 - i] = s[i];  // same digits as the partner base
    const G1 want = msm_naive(bases, s);
    for (int mode_i = 0; mode_i < 3; ++mode_i) {
      const bool shared = mode_i == 2;  // msm_form(kSharedAffine); the others via MsmOptions
      const Buckets mode = mode_i == 0 ? Buckets::kJacobian : Buckets::kBatchAffine;
      for (unsigned c : {1u, 2u, 3u, 5u, 8u, 11u, 13u}) {
        for (size_t batch : {size_t{1}, size_t{2}, size_t{7}, size_t{0}}) {
          if (mode == Buckets::kJacobian && !shared && batch != 0) continue;
          if (bits > 40 && c < 5) continue;            // hundreds of windows: slow, no new path
          if (bits > 16 && batch != 0 && batch < 7) continue;  // an inversion per addition
          for (int threads : {1, 3}) {
            MsmOptions o;
            o.window_bits = c;
            o.buckets = mode;
            o.batch_size = batch;
            o.threads = threads;
            const MsmForm form = shared ? MsmForm::kSharedAffine : MsmForm::kPerWindow;
            ASSERT_EQ(msm_form(bases, s, form, o), want) << bits << " bits, c = " << c << ", batch = " << batch
                                                         << ", mode = " << mode_i << ", threads = " << threads;
            if (shared && bits > 128) {  // over the GLV halves too
              o.glv = MsmOptions::Glv::kOn;
              ASSERT_EQ(msm_form(bases, s, form, o), want) << bits << " bits, GLV, c = " << c << ", batch = " << batch
                                                           << ", threads = " << threads;
            }
          }
        }
      }
    }
  }
}

// Larger inputs on the automatic paths (batch-affine windows), against a forced Jacobian run.
TEST(Msm, LargeAutomaticAgreesWithJacobian) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 4);
  const size_t n = 1 << 14;
  auto bases = bases_prefix(n);
  MsmOptions jac;
  jac.buckets = Buckets::kJacobian;
  jac.window_bits = 8;
  for (size_t bits : {16, 254}) {
    std::vector<Fr> s(n);
    for (auto& x : s) x = random_scalar(rng, bits);
    MsmOptions aff;
    aff.buckets = Buckets::kBatchAffine;
    aff.window_bits = 12;
    const G1 want = msm(bases, s, jac);
    EXPECT_EQ(msm(bases, s), want) << bits;
    EXPECT_EQ(msm(bases, s, aff), want) << bits;
  }
}

// The per-window batch-affine form with many buckets, whose buckets are reduced in batch-affine
// form too (reduce_windows_affine from 512 buckets on), against the naive sum: window sizes around
// that threshold, scalar widths at and around multiples of the window (a top window of 1 bit or a
// full one), zero scalars, identity, repeated and negated bases, all scalars equal (every point in
// one bucket: the queue and the Jacobian overflow), and batch sizes from 1 to more than the buckets.
TEST(Msm, PerWindowAffineReduction) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 6);
  const size_t n = 1500;
  auto bases = bases_prefix(n);
  for (size_t i = 0; i < 40; ++i) bases[n - 1 - i] = (i % 2) ? bases[i] : -bases[i];
  bases[7] = G1Affine::identity();
  for (unsigned c : {9u, 10u, 11u, 13u, 14u}) {
    for (size_t bits : {size_t{c} - 1, size_t{c}, size_t{c} + 1, size_t{2} * c, size_t{2} * c + 1, size_t{254}}) {
      for (int shape = 0; shape < 3; ++shape) {
        std::vector<Fr> s(n);
        for (auto& x : s) x = random_scalar(rng, bits);
        for (size_t i = 0; i < 40; ++i) s[n - 1 - i] = s[i];  // same digits as the partner base
        for (size_t i = 100; i < 200; ++i) s[i] = Fr::zero();
        if (shape == 1) std::fill(s.begin(), s.end(), s[0]);   // one bucket per window
        if (shape == 2) for (size_t i = 0; i < n; ++i) s[i] = s[i % 3];  // three buckets
        const G1 want = msm_naive(bases, s);
        for (size_t batch : {size_t{0}, size_t{1}, size_t{7}, size_t{5000}}) {
          if (bits > 40 && batch == 1) continue;  // an inversion per addition: slow, no new path
          for (int threads : {1, 2}) {
            MsmOptions o;
            o.window_bits = c;
            o.buckets = Buckets::kBatchAffine;
            o.batch_size = batch;
            o.threads = threads;
            o.glv = MsmOptions::Glv::kOff;
            ASSERT_EQ(msm_form(bases, s, MsmForm::kPerWindow, o), want)
                << "c = " << c << ", bits = " << bits << ", shape = " << shape << ", batch = " << batch
                << ", threads = " << threads;
          }
        }
        // The automatic choice over the same input.
        ASSERT_EQ(msm(bases, s), want) << "c = " << c << ", bits = " << bits << ", shape = " << shape;
      }
    }
  }
}

// Sizes around the automatic switch from the shared form to the per-window one (2^13 points) and
// above, full-width scalars, against a forced Jacobian run (itself checked against the naive sum
// above) and, for a prefix, against the naive sum.
TEST(Msm, AutomaticAroundTheFormSwitch) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 7);
  MsmOptions jac;
  jac.buckets = Buckets::kJacobian;
  jac.window_bits = 8;
  for (size_t n : {size_t{4096}, size_t{8191}, size_t{8192}, size_t{8193}, size_t{16384}}) {
    auto bases = bases_prefix(n);  // repeats the 4096 test bases beyond 4096
    std::vector<Fr> s(n);
    for (auto& x : s) x = random_scalar(rng, 254);
    for (size_t i = 0; i < n; i += 97) s[i] = Fr::zero();
    EXPECT_EQ(msm(bases, s), msm(bases, s, jac)) << n;
  }
  const size_t n = 300;
  auto bases = bases_prefix(n);
  std::vector<Fr> s(n);
  for (auto& x : s) x = random_scalar(rng, 254);
  EXPECT_EQ(msm(bases, s, jac), msm_naive(bases, s));
}

TEST(MsmSmall, MatchesMsmAndNaive) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 5);
  for (size_t n : {1, 2, 3, 10, 100, 1000, 4096}) {
    auto bases = bases_prefix(n);
    for (size_t bits : {1, 7, 8, 15, 16, 17, 24, 31, 32, 33, 48, 63}) {
      std::vector<int64_t> v(n);
      std::vector<Fr> f(n);
      for (size_t i = 0; i < n; ++i) {
        v[i] = random_small(rng, bits);
        if (i % 11 == 5) v[i] = 0;
        f[i] = Fr::from_i64(v[i]);
      }
      const G1 got = msm_small(bases, v);
      ASSERT_EQ(got, msm(bases, f)) << "n = " << n << ", bits = " << bits;
      if (n <= 100) {
        ASSERT_EQ(got, naive_small(bases, v)) << "n = " << n << ", bits = " << bits;
      }
    }
  }
  // Extremes and forced one-window / batch-affine paths.
  std::vector<int64_t> ext = {INT64_MIN, INT64_MAX, -1, 1, 0, INT64_MIN + 1, 65535, -65535, 65536};
  auto eb = bases_prefix(ext.size());
  EXPECT_EQ(msm_small(eb, ext), naive_small(eb, ext));
  const size_t n = 3000;
  auto bases = bases_prefix(n);
  std::vector<int64_t> v(n);
  for (auto& x : v) x = random_small(rng, 16);
  const G1 want = naive_small(bases, v);
  for (unsigned c : {0u, 8u, 16u, 17u}) {
    for (Buckets mode : {Buckets::kAuto, Buckets::kBatchAffine, Buckets::kJacobian}) {
      MsmOptions o;
      o.window_bits = c;
      o.buckets = mode;
      ASSERT_EQ(msm_small(bases, v, o), want) << "c = " << c;
    }
  }
  // All scalars equal and all bases equal.
  std::vector<int64_t> same_v(n, -77);
  std::vector<G1Affine> same_b(n, bases[0]);
  EXPECT_EQ(msm_small(same_b, same_v), G1(bases[0]) * (-77 * static_cast<int64_t>(n)));
}

}  // namespace
}  // namespace zkinfer::curve
