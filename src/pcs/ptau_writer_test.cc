// Tests of the TEST-ONLY, INSECURE .ptau writer (pcs/ptau_writer.h): its files load through the
// ceremony reader (pcs/ptau.h, which checks every point and the powers' consistency by pairings)
// with exactly the points [tau^i]_1, [tau^i]_2, [alpha tau^i]_1, [beta tau^i]_1, [beta]_2 of the
// known secrets; the layout (header, section order and sizes) is byte for byte that of the
// snarkjs-made tests/vectors/test_pot10.ptau; a changed point is rejected by the reader; KZG
// parameters from the file equal KzgParams::insecure_from_secrets of the same secrets; the Lagrange
// sections 12-15 (prepared files, the default) hold every block snarkjs's preparephase2 would
// write, computed here by field inverse NTTs of the secrets' powers.
// (scripts/ptau-check-snarkjs.mjs cross-checks a written file with snarkjs's own libraries.)
#include "pcs/ptau_writer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "common/error.h"
#include "curve/g1.h"
#include "curve/g2.h"
#include "pcs/kzg.h"
#include "pcs/ptau.h"
#include "poly/ntt.h"

namespace zkinfer::pcs {
namespace {

using curve::G1;
using curve::G2;
using field::Fq;
using field::Fr;

uint64_t le(const std::vector<uint8_t>& b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t{b[at + i]} << (8 * i);
  return v;
}

// (id, data offset, size) of every section, in file order.
struct Sec {
  uint32_t id;
  size_t data, size;
};
std::vector<Sec> sections(const std::vector<uint8_t>& b) {
  std::vector<Sec> out;
  size_t pos = 12;
  const uint32_t n = static_cast<uint32_t>(le(b, 8, 4));
  for (uint32_t i = 0; i < n; ++i) {
    out.push_back({static_cast<uint32_t>(le(b, pos, 4)), pos + 12, le(b, pos + 4, 8)});
    pos += 12 + out.back().size;
  }
  EXPECT_EQ(pos, b.size());
  return out;
}

// A coordinate's Montgomery limbs (little endian).
field::Fq::Repr read_limbs(const uint8_t* p) {
  field::Fq::Repr m{};
  for (size_t i = 0; i < 4; ++i)
    for (int j = 0; j < 8; ++j) m[i] |= uint64_t{p[8 * i + j]} << (8 * j);
  return m;
}

PtauOptions all_of(uint32_t power) {
  PtauOptions o;
  o.g1_powers = (size_t{2} << power) - 1;
  o.g2_powers = size_t{1} << power;
  return o;
}

TEST(InsecureTestPtau, LoadsWithThePowersOfItsSecrets) {
  const uint32_t power = 5;
  const auto s = insecure_test_ptau_secrets("unit test");
  const auto bytes = insecure_test_ptau_bytes(power, s);
  const Ptau p = read_ptau_bytes(bytes, "test.ptau", all_of(power));  // runs verify_ptau
  EXPECT_EQ(p.power, power);
  EXPECT_EQ(p.ceremony_power, power);
  ASSERT_EQ(p.tau_g1.size(), 63u);
  ASSERT_EQ(p.tau_g2.size(), 32u);
  ASSERT_EQ(p.alpha_tau_g1.size(), 32u);
  ASSERT_EQ(p.beta_tau_g1.size(), 32u);
  Fr t = Fr::one();
  for (size_t i = 0; i < p.tau_g1.size(); ++i, t = t * s.tau) {
    EXPECT_TRUE(p.tau_g1[i] == (G1::generator() * t).to_affine()) << i;
    if (i < 32) {
      EXPECT_TRUE(p.tau_g2[i] == (G2::generator() * t).to_affine()) << i;
      EXPECT_TRUE(p.alpha_tau_g1[i] == (G1::generator() * (s.alpha * t)).to_affine()) << i;
      EXPECT_TRUE(p.beta_tau_g1[i] == (G1::generator() * (s.beta * t)).to_affine()) << i;
    }
  }
  EXPECT_TRUE(p.beta_g2 == (G2::generator() * s.beta).to_affine());
}

TEST(InsecureTestPtau, SecretsFollowTheSeed) {
  const auto a = insecure_test_ptau_secrets("a"), a2 = insecure_test_ptau_secrets("a"), b = insecure_test_ptau_secrets("b");
  EXPECT_TRUE(a.tau == a2.tau && a.alpha == a2.alpha && a.beta == a2.beta);
  EXPECT_FALSE(a.tau == b.tau);
  EXPECT_FALSE(a.tau == a.alpha || a.tau == a.beta || a.alpha == a.beta);
  EXPECT_EQ(insecure_test_ptau_bytes(3, a), insecure_test_ptau_bytes(3, a2));
  EXPECT_NE(insecure_test_ptau_bytes(3, a), insecure_test_ptau_bytes(3, b));
}

// The larger fixed-base windows (power >= 12) against the small ones: same points.
TEST(InsecureTestPtau, WideWindowsAgreeWithNarrowOnes) {
  const auto s = insecure_test_ptau_secrets("windows");
  const auto big = insecure_test_ptau_bytes(12, s), small = insecure_test_ptau_bytes(4, s);
  const auto sb = sections(big), ss = sections(small);
  ASSERT_EQ(sb.size(), ss.size());
  for (size_t k = 1; k < 5; ++k) {  // sections 2..5: the small file's points are a prefix
    ASSERT_EQ(sb[k].id, ss[k].id);
    EXPECT_TRUE(std::equal(small.begin() + static_cast<std::ptrdiff_t>(ss[k].data),
                           small.begin() + static_cast<std::ptrdiff_t>(ss[k].data + ss[k].size),
                           big.begin() + static_cast<std::ptrdiff_t>(sb[k].data)))
        << "section " << sb[k].id;
  }
  EXPECT_TRUE(std::equal(small.begin() + static_cast<std::ptrdiff_t>(ss[5].data),
                         small.begin() + static_cast<std::ptrdiff_t>(ss[5].data + ss[5].size),
                         big.begin() + static_cast<std::ptrdiff_t>(sb[5].data)));  // betaG2
}

// The layout of snarkjs's own file of the same power: the same bytes before the first point
// (magic, version, 7 sections, the header section), the same section ids and sizes in order; the
// contributions section (7) is empty here (what `snarkjs powersoftau new` writes).
TEST(InsecureTestPtau, LayoutIsSnarkjsFormat) {
  const std::string file = std::string(ZKINFER_SOURCE_DIR) + "/tests/vectors/test_pot10.ptau";
  std::ifstream in(file, std::ios::binary);
  ASSERT_TRUE(in) << file;
  const std::vector<uint8_t> ref((std::istreambuf_iterator<char>(in)), {});
  const auto ours = insecure_test_ptau_bytes(10, insecure_test_ptau_secrets("layout"), /*prepared=*/false);
  const auto a = sections(ref), b = sections(ours);
  ASSERT_EQ(a.size(), 7u);
  ASSERT_EQ(b.size(), 7u);
  EXPECT_TRUE(std::equal(ref.begin(), ref.begin() + static_cast<std::ptrdiff_t>(a[1].data), ours.begin()));
  for (size_t k = 0; k < 6; ++k) {
    EXPECT_EQ(a[k].id, b[k].id);
    EXPECT_EQ(a[k].size, b[k].size) << "section " << a[k].id;
    EXPECT_EQ(a[k].data, b[k].data);
  }
  EXPECT_EQ(b[6].id, 7u);
  EXPECT_EQ(b[6].size, 4u);
  EXPECT_EQ(le(ours, b[6].data, 4), 0u);
}

// A prepared file: the unprepared file's seven sections unchanged, then 12-15 (snarkjs's order),
// each block of domain 2^k the points of first * L_i(tau) = first * intt(tau^0..tau^(2^k - 1))_i;
// section 12's last block the inverse NTT of tau^0..tau^(2^(power+1) - 2) and 0.
TEST(InsecureTestPtau, PreparedFileHoldsTheLagrangeBlocks) {
  const uint32_t power = 3;
  const auto s = insecure_test_ptau_secrets("prepared");
  const auto bytes = insecure_test_ptau_bytes(power, s), plain = insecure_test_ptau_bytes(power, s, false);
  const auto a = sections(bytes), b = sections(plain);
  ASSERT_EQ(a.size(), 11u);
  ASSERT_EQ(b.size(), 7u);
  EXPECT_EQ(le(bytes, 8, 4), 11u);
  for (size_t k = 0; k < 7; ++k) {
    EXPECT_EQ(a[k].id, b[k].id);
    EXPECT_TRUE(std::equal(plain.begin() + static_cast<std::ptrdiff_t>(b[k].data),
                           plain.begin() + static_cast<std::ptrdiff_t>(b[k].data + b[k].size),
                           bytes.begin() + static_cast<std::ptrdiff_t>(a[k].data)))
        << "section " << b[k].id;
  }
  const size_t n = size_t{1} << power;
  struct Want {
    uint32_t id;
    Fr first;
    bool g2, extra;
  };
  size_t checked = 0;
  for (const Want& w : {Want{12, Fr::one(), false, true}, Want{13, Fr::one(), true, false}, Want{14, s.alpha, false, false},
                        Want{15, s.beta, false, false}}) {
    const Sec& sec = a[7 + (w.id - 12)];
    ASSERT_EQ(sec.id, w.id);
    const size_t pb = w.g2 ? 128 : 64, points = 2 * n - 1 + (w.extra ? 2 * n : 0);
    ASSERT_EQ(sec.size, points * pb) << "section " << w.id;
    size_t at = 0;
    for (unsigned k = 0; k <= power + (w.extra ? 1 : 0); ++k) {
      const size_t m = size_t{1} << k;
      std::vector<Fr> v(m);
      Fr t = w.first;
      for (size_t j = 0; j < m; ++j) v[j] = t, t = t * s.tau;
      if (k == power + 1) v[m - 1] = Fr::zero();  // the truncated block
      poly::intt(v);
      for (size_t i = 0; i < m; ++i, ++at) {
        // The coordinates in the file (Montgomery limbs) against the expected point's.
        const uint8_t* p = bytes.data() + sec.data + at * pb;
        std::vector<Fq> want;
        if (w.g2) {
          const auto g = (G2::generator() * v[i]).to_affine();
          want = {g.x.c0, g.x.c1, g.y.c0, g.y.c1};
        } else {
          const auto g = (G1::generator() * v[i]).to_affine();
          want = {g.x, g.y};
        }
        for (size_t c = 0; c < want.size(); ++c)
          EXPECT_EQ(Fq::from_mont(read_limbs(p + 32 * c)), want[c]) << w.id << " " << k << " " << i << " " << c;
        ++checked;
      }
    }
    EXPECT_EQ(at, points);
  }
  EXPECT_EQ(checked, 3 * (2 * n - 1) + 4 * n - 1);
}

TEST(InsecureTestPtau, ChangedPointsAreRejectedByTheReader) {
  const uint32_t power = 4;
  const auto bytes = insecure_test_ptau_bytes(power, insecure_test_ptau_secrets("tamper"));
  const auto secs = sections(bytes);
  for (size_t k = 1; k < 4; ++k) {  // tauG1, tauG2, alphaTauG1: swap two points
    auto b = bytes;
    const size_t pb = secs[k].id == 3 ? 128 : 64;
    for (size_t j = 0; j < pb; ++j) std::swap(b[secs[k].data + 3 * pb + j], b[secs[k].data + 5 * pb + j]);
    try {
      read_ptau_bytes(b, "t.ptau", all_of(power));
      ADD_FAILURE() << "accepted a file with two points of section " << secs[k].id << " swapped";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("inconsistent powers in section " + std::to_string(secs[k].id)), std::string::npos)
          << e.what();
    }
  }
}

TEST(InsecureTestPtau, KzgParamsEqualInsecureFromSecrets) {
  const auto s = insecure_test_ptau_secrets("kzg");
  const Ptau p = read_ptau_bytes(insecure_test_ptau_bytes(4, s), "k.ptau", KzgParams::ptau_options(4));
  const KzgParams a(p, 4), b = KzgParams::insecure_from_secrets(s.tau, s.beta, 4);
  ASSERT_EQ(a.powers().size(), b.powers().size());
  for (size_t i = 0; i < a.powers().size(); ++i) EXPECT_TRUE(a.powers()[i] == b.powers()[i]) << i;
  EXPECT_TRUE(a.beta_g1() == b.beta_g1());
  EXPECT_TRUE(a.tau_g2() == b.tau_g2());
  EXPECT_TRUE(a.tau2_g2() == b.tau2_g2());
  EXPECT_TRUE(a.tau3_g2() == b.tau3_g2());
}

TEST(InsecureTestPtau, BadArgumentsAreErrors) {
  const auto s = insecure_test_ptau_secrets("x");
  EXPECT_THROW(insecure_test_ptau_bytes(0, s), Error);
  EXPECT_THROW(insecure_test_ptau_bytes(29, s), Error);
  EXPECT_THROW(insecure_test_ptau_bytes(28, s), Error);  // prepared: the last block would be 2^29
  auto d = s;
  d.tau = Fr::one();
  EXPECT_THROW(insecure_test_ptau_bytes(2, d), Error);
  d = s;
  d.beta = Fr::zero();
  EXPECT_THROW(insecure_test_ptau_bytes(2, d), Error);
  d = s;
  d.tau = poly::root_of_unity(3);  // tau in the domain 2^3: Z(tau) = 0, a Lagrange denominator zero
  EXPECT_THROW(insecure_test_ptau_bytes(2, d), Error);
  EXPECT_THROW(insecure_test_ptau_bytes(2, d, false), Error);
}

}  // namespace
}  // namespace zkinfer::pcs
