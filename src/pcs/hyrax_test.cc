// Tests of the Hyrax matrix commitment (pcs/hyrax.h): generators, commitments against a naive
// reference, the int64 fast path, hiding, serialization, and the plain opening with tampering.
#include "pcs/hyrax.h"

#include <gtest/gtest.h>

#include "curve/hash_to_curve.h"
#include "curve/msm.h"
#include "pcs/hyrax_generators.h"
#include "poly/mle.h"
#include "test_seed.h"

namespace zkinfer::pcs {
namespace {

using testing::seed_note;
using testing::test_seed;

const HyraxParams& params() {
  static const HyraxParams p(7);
  return p;
}

std::vector<Fr> random_values(TestRng& rng, size_t n) {
  std::vector<Fr> v(n);
  for (Fr& x : v) x = Fr::random(rng);
  return v;
}

std::vector<int64_t> random_small(TestRng& rng, size_t n, int bits) {
  std::vector<int64_t> v(n);
  const int64_t mod = int64_t{1} << bits;
  for (int64_t& x : v) x = static_cast<int64_t>(rng.next_u64() % static_cast<uint64_t>(2 * mod)) - mod;
  return v;
}

std::vector<Fr> to_fr(std::span<const int64_t> v) {
  std::vector<Fr> out;
  for (int64_t x : v) out.push_back(Fr::from_i64(x));
  return out;
}

TEST(HyraxParams, GeneratorsArePrefixesAndDistinct) {
  HyraxParams small(3);
  for (size_t j = 0; j < 8; ++j) EXPECT_EQ(small.g()[j], params().g()[j]);
  EXPECT_EQ(small.h(), params().h());
  EXPECT_EQ(small.u(), params().u());
  EXPECT_FALSE(params().h() == params().u());
  for (const G1Affine& g : params().g()) {
    EXPECT_FALSE(g.is_identity());
    EXPECT_FALSE(g == params().h());
    EXPECT_FALSE(g == params().u());
  }
  EXPECT_FALSE(params().g()[0] == params().g()[1]);
}

// The tabled generators, H and U (pcs/hyrax_generators.h) are hash-to-curve's, and HyraxParams
// beyond the table continues with the hashed ones.
TEST(Hyrax, GeneratorTableMatchesHashToCurve) {
  const auto want = curve::derive_generators(kGeneratorDomain, 2 * kTabledGenerators);
  const auto tab = tabled_generators(kTabledGenerators);
  ASSERT_EQ(tab.size(), kTabledGenerators);
  for (size_t i = 0; i < kTabledGenerators; ++i) {
    EXPECT_EQ(tab[i], want[i]) << i;
    EXPECT_TRUE(tab[i].is_on_curve()) << i;
  }
  EXPECT_EQ(tabled_generators(5).size(), 5u);
  EXPECT_EQ(tabled_generators(3 * kTabledGenerators).size(), kTabledGenerators);
  EXPECT_EQ(tabled_h(), curve::hash_to_curve(kBlindingDomain, {}));
  EXPECT_EQ(tabled_u(), curve::hash_to_curve(kValueDomain, {}));
  for (size_t lc : {size_t{0}, size_t{3}, size_t{8}, size_t{9}}) {
    const HyraxParams p(lc);
    ASSERT_EQ(p.g().size(), size_t{1} << lc);
    for (size_t i = 0; i < p.g().size(); ++i) ASSERT_EQ(p.g()[i], want[i]) << lc << " " << i;
    EXPECT_EQ(p.h(), tabled_h());
    EXPECT_EQ(p.u(), tabled_u());
  }
}

TEST(HyraxParams, FixedBaseTablesMatchScalarMultiplication) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  std::vector<Fr> ks = {Fr::zero(), Fr::one(), -Fr::one(), Fr::from_u64(255), Fr::from_u64(256)};
  for (int i = 0; i < 20; ++i) ks.push_back(Fr::random(rng));
  for (const Fr& k : ks) {
    EXPECT_EQ(params().mul_h(k), G1(params().h()) * k) << k.to_hex();
    EXPECT_EQ(params().mul_u(k), G1(params().u()) * k) << k.to_hex();
  }
}

TEST(HyraxCommit, MatchesNaiveReference) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (size_t n : {0, 1, 2, 3, 5, 6}) {
    for (size_t b : {size_t{0}, default_log_cols(n), size_t{4}}) {
      SCOPED_TRACE("n=" + std::to_string(n) + " b=" + std::to_string(b));
      auto values = random_values(rng, size_t{1} << n);
      HyraxLayout l = layout_for(values.size(), b);
      auto blinds = random_values(rng, l.num_rows());
      HyraxCommitment c = commit_with_blinds(params(), values, b, blinds);
      ASSERT_EQ(c.rows.size(), l.num_rows());
      EXPECT_EQ(l.num_rows() * l.num_cols(), values.size());
      for (size_t i = 0; i < l.num_rows(); ++i) {
        std::vector<G1Affine> bases(params().g().begin(), params().g().begin() + l.num_cols());
        bases.push_back(params().h());
        std::vector<Fr> scalars(values.begin() + i * l.num_cols(),
                                values.begin() + (i + 1) * l.num_cols());
        scalars.push_back(blinds[i]);
        EXPECT_EQ(G1(c.rows[i]), curve::msm_naive(bases, scalars)) << "row " << i;
      }
    }
  }
}

TEST(HyraxCommit, SmallIntegerPathEqualsFieldPath) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (size_t n : {0, 1, 4, 7, 10}) {
    for (int bits : {1, 8, 16, 31, 40}) {
      SCOPED_TRACE("n=" + std::to_string(n) + " bits=" + std::to_string(bits));
      auto small = random_small(rng, size_t{1} << n, bits);
      if (n >= 2) small[1] = 0, small[2] = -(int64_t{1} << bits);
      const size_t b = default_log_cols(n);
      auto blinds = random_values(rng, layout_for(small.size(), b).num_rows());
      EXPECT_EQ(commit_with_blinds(params(), small, b, blinds),
                commit_with_blinds(params(), to_fr(small), b, blinds));
    }
  }
}

TEST(HyraxCommit, IsHidingAndBothCommitmentsOpen) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto values = random_small(rng, 64, 8);
  SecureRng srng;
  HyraxCommitted a = commit(params(), std::span<const int64_t>(values), 3, srng);
  HyraxCommitted b = commit(params(), std::span<const int64_t>(values), 3, srng);
  ASSERT_EQ(a.commitment.rows.size(), 8u);
  for (size_t i = 0; i < 8; ++i) EXPECT_FALSE(a.commitment.rows[i] == b.commitment.rows[i]);
  auto fr = to_fr(values);
  auto point = random_values(rng, 6);
  const Fr v = poly::evaluate_mle<Fr>(fr, point);
  for (const HyraxCommitted* c : {&a, &b}) {
    transcript::Transcript tp("hyrax-test"), tv("hyrax-test");
    PlainOpening o = open_plain(c->commitment, c->blinds, fr, point, tp);
    EXPECT_TRUE(verify_plain(params(), c->commitment, point, v, o, tv));
  }
}

TEST(HyraxCommit, SerializationRoundTripsAndRejectsCorruptBytes) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto values = random_values(rng, 32);
  HyraxCommitted c = commit(params(), std::span<const Fr>(values), 2, rng);
  auto bytes = c.commitment.to_bytes();
  EXPECT_EQ(bytes.size(), 8 + 8 * 32u);
  EXPECT_EQ(HyraxCommitment::from_bytes(bytes), c.commitment);

  auto bad = bytes;
  bad.pop_back();
  EXPECT_THROW(HyraxCommitment::from_bytes(bad), DecodeError);  // truncated
  bad = bytes;
  bad.push_back(0);
  EXPECT_THROW(HyraxCommitment::from_bytes(bad), DecodeError);  // trailing byte
  bad = bytes;
  bad[0] = 41;  // num_vars above the bound
  EXPECT_THROW(HyraxCommitment::from_bytes(bad), DecodeError);
  bad = bytes;
  bad[0] = 20;  // 2^18 rows claimed, 8 present
  EXPECT_THROW(HyraxCommitment::from_bytes(bad), DecodeError);
  bad = bytes;
  bad[4] = 30;  // log_cols above the bound
  EXPECT_THROW(HyraxCommitment::from_bytes(bad), DecodeError);
  // A row whose x is not canonical (x >= q): all-ones low bytes with the flag bits cleared.
  bad = bytes;
  for (size_t i = 8; i < 40; ++i) bad[i] = 0xff;
  bad[39] = 0x3f;
  EXPECT_THROW(HyraxCommitment::from_bytes(bad), DecodeError);
  // Flipping bits of a row's x lands off the curve about half the time; it must never decode to
  // the original commitment.
  for (int bit = 0; bit < 16; ++bit) {
    bad = bytes;
    bad[8 + 32 * 3 + bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
    try {
      EXPECT_NE(HyraxCommitment::from_bytes(bad), c.commitment);
    } catch (const DecodeError&) {
    }
  }
}

// The plain opening verifies for every size and split, and rejects each kind of wrong input.
TEST(HyraxPlainOpening, HonestVerifiesForAllSizes) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (size_t n = 0; n <= 12; ++n) {
    for (size_t b : {default_log_cols(n), size_t{0}, std::min<size_t>(n + 1, 7)}) {
      if (b == 0 && n > 8) continue;  // 2^n one-column rows: slow and covered by smaller n
      SCOPED_TRACE("n=" + std::to_string(n) + " b=" + std::to_string(b));
      auto small = random_small(rng, size_t{1} << n, 16);
      auto values = to_fr(small);
      HyraxCommitted c = commit(params(), std::span<const int64_t>(small), b, rng);
      auto point = random_values(rng, n);
      transcript::Transcript tp("hyrax-test"), tv("hyrax-test");
      PlainOpening o = open_plain(c.commitment, c.blinds, values, point, tp);
      EXPECT_EQ(o.t.size(), c.commitment.layout.num_cols());
      Verdict v = verify_plain(params(), c.commitment, point, poly::evaluate_mle<Fr>(values, point), o, tv);
      EXPECT_TRUE(v) << v.reason();
      EXPECT_EQ(tp.state(), tv.state());
    }
  }
}

TEST(HyraxPlainOpening, RejectsWrongInputs) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const size_t n = 7, b = 3;
  auto values = random_values(rng, size_t{1} << n);
  HyraxCommitted c = commit(params(), std::span<const Fr>(values), b, rng);
  auto point = random_values(rng, n);
  const Fr value = poly::evaluate_mle<Fr>(values, point);
  transcript::Transcript tp("hyrax-test");
  PlainOpening o = open_plain(c.commitment, c.blinds, values, point, tp);
  auto check = [&](const HyraxCommitment& cm, std::span<const Fr> pt, const Fr& v, const PlainOpening& op) {
    transcript::Transcript tv("hyrax-test");
    return verify_plain(params(), cm, pt, v, op, tv);
  };
  ASSERT_TRUE(check(c.commitment, point, value, o));

  Verdict v = check(c.commitment, point, value + Fr::one(), o);
  EXPECT_FALSE(v);
  EXPECT_NE(v.reason().find("claimed value"), std::string::npos) << v.reason();

  auto wrong_point = point;
  wrong_point[n - 1] += Fr::one();  // a row variable
  v = check(c.commitment, wrong_point, value, o);
  EXPECT_FALSE(v);
  EXPECT_NE(v.reason().find("row combination"), std::string::npos) << v.reason();
  wrong_point = point;
  wrong_point[0] += Fr::one();  // a column variable
  EXPECT_FALSE(check(c.commitment, wrong_point, value, o));
  EXPECT_FALSE(check(c.commitment, std::span<const Fr>(point).first(n - 1), value, o));

  HyraxCommitment wrong_c = c.commitment;
  wrong_c.rows[5] = (G1(wrong_c.rows[5]) + G1::generator()).to_affine();
  v = check(wrong_c, point, value, o);
  EXPECT_FALSE(v);
  EXPECT_NE(v.reason().find("row combination"), std::string::npos) << v.reason();

  // A prover with a wrong blind for one row.
  HyraxBlinds wrong_blinds = c.blinds;
  wrong_blinds.rho[2] += Fr::one();
  transcript::Transcript tw("hyrax-test");
  EXPECT_FALSE(check(c.commitment, point, value, open_plain(c.commitment, wrong_blinds, values, point, tw)));

  PlainOpening bad = o;
  bad.tau += Fr::one();
  EXPECT_FALSE(check(c.commitment, point, value, bad));
  for (size_t j = 0; j < o.t.size(); ++j) {
    bad = o;
    bad.t[j] += Fr::one();
    EXPECT_FALSE(check(c.commitment, point, value, bad)) << "t[" << j << "]";
  }
  bad = o;
  bad.t.pop_back();
  v = check(c.commitment, point, value, bad);
  EXPECT_FALSE(v);
  EXPECT_NE(v.reason().find("entries"), std::string::npos) << v.reason();

  // Serialization of the opening.
  ByteWriter w;
  o.serialize(w);
  ByteReader r(w.data());
  PlainOpening back = PlainOpening::deserialize(r);
  r.expect_end();
  EXPECT_EQ(back.t, o.t);
  EXPECT_EQ(back.tau, o.tau);
  auto bytes = w.take();
  for (size_t i = 8 + 31; i < bytes.size(); i += 32) {
    auto corrupt = bytes;
    corrupt[i] = 0xff;  // top byte of a scalar: not canonical
    ByteReader rc(corrupt);
    EXPECT_THROW(PlainOpening::deserialize(rc), DecodeError);
  }
}

TEST(HyraxRowCombination, MatchesEvaluation) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (size_t n : {0, 1, 5, 8}) {
    auto values = random_values(rng, size_t{1} << n);
    auto point = random_values(rng, n);
    HyraxLayout l = layout_for(values.size(), default_log_cols(n));
    auto t = row_combination(values, l, std::span<const Fr>(point).subspan(l.col_vars()));
    EXPECT_EQ(poly::evaluate_mle<Fr>(t, std::span<const Fr>(point).first(l.col_vars())),
              poly::evaluate_mle<Fr>(values, point));
  }
}

}  // namespace
}  // namespace zkinfer::pcs
