#include "transcript/poseidon_transcript.h"

#include <gtest/gtest.h>

#include "common/random.h"
#include "test_seed.h"

namespace zkinfer::transcript {
namespace {

using hash::PoseidonSponge;
using hash::poseidon_label;

curve::G1Affine random_point(TestRng& g) { return (curve::G1::generator() * Fr::random(g)).to_affine(); }

// Bits of a canonical integer (for the limb bounds).
template <size_t N>
size_t bits(const field::Limbs<N>& x) { return field::bit_length(x); }

TEST(PoseidonTranscript, LimbsRecomposeAndAreBounded) {
  SCOPED_TRACE(testing::seed_note());
  TestRng g(testing::test_seed());
  const Fq two127 = Fq::from_u64(2).pow(127);
  for (int i = 0; i < 50; ++i) {
    Fq x = i == 0 ? -Fq::one() : Fq::random(g);  // q - 1: the largest coordinate
    auto l = PoseidonTranscript::fq_limbs(x);
    EXPECT_LE(bits(l[0].to_canonical()), 127u);
    EXPECT_LE(bits(l[1].to_canonical()), 127u);
    Fq lo = Fq::from_canonical(l[0].to_canonical()), hi = Fq::from_canonical(l[1].to_canonical());
    EXPECT_EQ(lo + two127 * hi, x);
  }
  curve::G1Affine p = random_point(g);
  auto l = PoseidonTranscript::g1_limbs(p);
  auto lx = PoseidonTranscript::fq_limbs(p.x), ly = PoseidonTranscript::fq_limbs(p.y);
  EXPECT_EQ(l, (std::array<Fr, 4>{lx[0], lx[1], ly[0], ly[1]}));
  EXPECT_EQ(PoseidonTranscript::g1_limbs(curve::G1Affine{}), (std::array<Fr, 4>{}));
}

// The documented element sequence, spelled out on the sponge.
TEST(PoseidonTranscript, MatchesDocumentedEncoding) {
  SCOPED_TRACE(testing::seed_note());
  TestRng g(testing::test_seed());
  for (size_t t : {3u, 5u}) {
    Fr a = Fr::random(g), b = Fr::random(g), c = Fr::random(g);
    Fq q = Fq::random(g);
    curve::G1Affine p = random_point(g);

    PoseidonTranscript tr("test-domain", t);
    tr.absorb("a", a);
    tr.absorb_many("bc", std::vector<Fr>{b, c});
    tr.absorb_u64("n", 42);
    Fr c1 = tr.challenge("r1");
    tr.absorb_fq("q", q);
    tr.absorb_g1("P", p);
    auto c2 = tr.challenges("r2", 3);
    tr.absorb_raw(std::vector<Fr>{a, b});
    Fr c3 = tr.squeeze();

    PoseidonSponge sp(t, poseidon_label("zkinfer-poseidon-transcript-v1/t=" + std::to_string(t)));
    auto L = [](std::string_view s) { return poseidon_label(s); };
    for (Fr x : {L("test-domain"), L("a"), a, L("bc"), Fr::from_u64(2), b, c, L("n"), Fr::from_u64(42), L("r1")})
      sp.absorb(x);
    EXPECT_EQ(c1, sp.squeeze());
    auto ql = PoseidonTranscript::fq_limbs(q);
    auto pl = PoseidonTranscript::g1_limbs(p);
    for (Fr x : {L("q"), ql[0], ql[1], L("P"), pl[0], pl[1], pl[2], pl[3], L("r2"), Fr::from_u64(3)}) sp.absorb(x);
    for (size_t i = 0; i < 3; ++i) EXPECT_EQ(c2[i], sp.squeeze());
    sp.absorb(a);
    sp.absorb(b);
    EXPECT_EQ(c3, sp.squeeze());
    EXPECT_EQ(tr.permutations(), sp.permutations());
  }
}

// Every absorbed value, label, the domain and the width bind the challenges that follow.
TEST(PoseidonTranscript, ChallengesBindEverything) {
  SCOPED_TRACE(testing::seed_note());
  TestRng g(testing::test_seed());
  Fr a = Fr::random(g);
  curve::G1Affine p = random_point(g);
  auto run = [&](std::string_view domain, size_t t, std::string_view la, const Fr& x, const curve::G1Affine& q,
                 uint64_t v) {
    PoseidonTranscript tr(domain, t);
    tr.absorb(la, x);
    tr.absorb_g1("P", q);
    tr.absorb_u64("v", v);
    return tr.challenge("r");
  };
  Fr base = run("d", 5, "a", a, p, 7);
  EXPECT_EQ(base, run("d", 5, "a", a, p, 7));  // deterministic
  EXPECT_NE(base, run("e", 5, "a", a, p, 7));
  EXPECT_NE(base, run("d", 3, "a", a, p, 7));
  EXPECT_NE(base, run("d", 5, "b", a, p, 7));
  EXPECT_NE(base, run("d", 5, "a", a + Fr::one(), p, 7));
  EXPECT_NE(base, run("d", 5, "a", a, -p, 7));
  EXPECT_NE(base, run("d", 5, "a", a, curve::G1Affine{}, 7));
  EXPECT_NE(base, run("d", 5, "a", a, p, 8));

  // Consecutive challenges differ, and challenges(l, 1) is not challenge(l).
  PoseidonTranscript t1("d"), t2("d");
  Fr x1 = t1.challenge("r"), x2 = t1.challenge("r");
  EXPECT_NE(x1, x2);
  EXPECT_NE(t2.challenges("r", 1)[0], x1);
}

}  // namespace
}  // namespace zkinfer::transcript
