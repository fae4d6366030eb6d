#include "snark/poseidon_gadget.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/random.h"
#include "test_seed.h"
#include "transcript/poseidon_transcript.h"

namespace zkinfer::snark {
namespace {

// Whether every constraint of cs holds under the assignment z (given whole, so a test can change
// any entry).
bool holds(const ConstraintSystem& cs, const std::vector<Fr>& z) {
  auto eval = [&](const LinComb& lc) {
    Fr acc = Fr::zero();
    for (const auto& [v, k] : lc.terms) acc += k * z[cs.column(v)];
    return acc;
  };
  for (const Constraint& c : cs.constraints())
    if (eval(c.a) * eval(c.b) != eval(c.c)) return false;
  return true;
}

// The permutation on witness inputs: the native outputs, exactly 3 * (R_F * t + R_P) constraints
// and as many witnesses besides the inputs, satisfied; changing any witness (input or S-box
// intermediate) or claiming another output breaks it.
TEST(PoseidonGadget, PermutationMatchesNativeAndEveryWitnessMatters) {
  SCOPED_TRACE(testing::seed_note());
  TestRng g(testing::test_seed());
  for (size_t form = 0; form < 2; ++form)  // plain, optimized
  for (size_t t : {3u, 5u}) {
    SCOPED_TRACE(form == 0 ? "plain form" : "optimized form");
    const hash::PoseidonParams& p = hash::poseidon_params(t);
    ConstraintSystem cs;
    std::vector<Fr> in(t);
    std::vector<Num> s(t);
    for (size_t i = 0; i < t; ++i) {
      in[i] = Fr::random(g);
      s[i] = i == 0 ? cs.public_input(in[i]) : cs.witness(in[i]);
    }
    if (form == 0) poseidon_permute(cs, p, s);
    else poseidon_permute(cs, hash::poseidon_optimized(t), s);
    std::vector<Fr> native = in;
    hash::poseidon_permute(p, native);
    for (size_t i = 0; i < t; ++i) EXPECT_EQ(s[i].value(), native[i]) << "t " << t << " cell " << i;

    const size_t expected = 3 * (8 * t + (t == 3 ? 57 : 60));
    EXPECT_EQ(poseidon_permutation_constraints(p), expected);
    EXPECT_EQ(cs.num_constraints(), expected);
    EXPECT_EQ(cs.num_witness(), (t - 1) + expected);
    size_t bad = 0;
    EXPECT_TRUE(cs.is_satisfied(&bad)) << "constraint " << bad;

    std::vector<Fr> z = cs.assignment();
    ASSERT_TRUE(holds(cs, z));
    for (size_t col = 1; col < z.size(); ++col) {  // every public input and witness
      std::vector<Fr> changed = z;
      changed[col] += Fr::one();
      EXPECT_FALSE(holds(cs, changed)) << "t " << t << " column " << col;
    }
    // Another output claimed.
    ConstraintSystem cs2 = cs;
    cs2.assert_equal(s[1], Num(native[1] + Fr::one()));
    EXPECT_FALSE(cs2.is_satisfied());
    cs.assert_equal(s[1], Num(native[1]));
    EXPECT_TRUE(cs.is_satisfied());
  }
}

TEST(PoseidonGadget, ConstantsFoldAndVectorsHold) {
  // The reference vector x5_254_3 on constants: no constraint, the native values.
  ConstraintSystem cs;
  std::vector<Num> s = {Num(Fr::zero()), Num(Fr::one()), Num(Fr::from_u64(2))};
  poseidon_permute(cs, hash::poseidon_params(3), s);
  EXPECT_EQ(cs.num_constraints(), 0u);
  std::vector<Fr> native = {Fr::zero(), Fr::one(), Fr::from_u64(2)};
  hash::poseidon_permute(hash::poseidon_params(3), native);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(s[i].is_constant());
    EXPECT_EQ(s[i].value(), native[i]);
  }
  // circomlib's hash over witnesses.
  std::vector<Fr> xs = {Fr::from_u64(1), Fr::from_u64(2), Fr::from_u64(3), Fr::from_u64(4)};
  std::vector<Num> ns;
  for (const Fr& x : xs) ns.push_back(cs.witness(x));
  Num h = poseidon_circom_hash(cs, ns);
  EXPECT_EQ(h.value(), hash::poseidon_circom_hash(xs));
  // Its capacity cell starts at the constant 0: the first round's S-box on it is free.
  EXPECT_EQ(cs.num_constraints(), poseidon_permutation_constraints(hash::poseidon_params(5)) - 3);
  EXPECT_TRUE(cs.is_satisfied());
}

// The transcript twin against the native transcript over random scripts of absorbs and squeezes:
// the same challenges, the same permutations, a satisfied system whose size is at most one
// permutation's constraints per permutation.
TEST(CircuitTranscript, AgreesWithNativeOverRandomScripts) {
  SCOPED_TRACE(testing::seed_note());
  TestRng g(testing::test_seed());
  for (size_t t : {3u, 5u}) {
    for (int script = 0; script < 6; ++script) {
      ConstraintSystem cs;
      transcript::PoseidonTranscript native("wrap-test", t);
      CircuitTranscript circuit(cs, "wrap-test", t);
      size_t challenges = 0;
      for (int step = 0; step < 40; ++step) {
        uint64_t op = g.next_u64() % 9;
        std::string label(1, static_cast<char>('a' + g.next_u64() % 5));
        switch (op) {
          case 0: {
            Fr x = Fr::random(g);
            native.absorb(label, x);
            circuit.absorb(label, cs.witness(x));
            break;
          }
          case 1: {
            size_t n = g.next_u64() % 10;
            std::vector<Fr> xs;
            std::vector<Num> ns;
            for (size_t i = 0; i < n; ++i) {
              xs.push_back(Fr::random(g));
              ns.push_back(cs.witness(xs.back()));
            }
            native.absorb_many(label, xs);
            circuit.absorb_many(label, ns);
            break;
          }
          case 2: {
            uint64_t v = g.next_u64();
            native.absorb_u64(label, v);
            circuit.absorb_u64(label, v);
            break;
          }
          case 3: {
            curve::G1Affine pt = (curve::G1::generator() * Fr::random(g)).to_affine();
            auto limbs = transcript::PoseidonTranscript::g1_limbs(pt);
            native.absorb_g1(label, pt);
            std::array<Num, 4> nl;
            for (size_t i = 0; i < 4; ++i) nl[i] = cs.public_input(limbs[i]);
            circuit.absorb_g1_limbs(label, nl);
            break;
          }
          case 4: {
            field::Fq q = field::Fq::random(g);
            auto limbs = transcript::PoseidonTranscript::fq_limbs(q);
            native.absorb_fq(label, q);
            circuit.absorb_fq_limbs(label, std::array<Num, 2>{cs.witness(limbs[0]), cs.witness(limbs[1])});
            break;
          }
          case 5: {
            Fr a = native.challenge(label);
            Num b = circuit.challenge(label);
            EXPECT_EQ(a, b.value()) << "t " << t << " script " << script << " step " << step;
            ++challenges;
            break;
          }
          case 6: {
            size_t n = g.next_u64() % 6;
            std::vector<Fr> xs;
            std::vector<Num> ns;
            for (size_t i = 0; i < n; ++i) {
              xs.push_back(Fr::random(g));
              ns.push_back(cs.witness(xs.back()));
            }
            native.absorb_raw(xs);
            circuit.absorb_raw(ns);
            break;
          }
          case 7: {
            EXPECT_EQ(native.squeeze(), circuit.squeeze().value()) << "t " << t << " step " << step;
            ++challenges;
            break;
          }
          default: {
            size_t n = 1 + g.next_u64() % 6;
            auto a = native.challenges(label, n);
            auto b = circuit.challenges(label, n);
            ASSERT_EQ(b.size(), n);
            for (size_t i = 0; i < n; ++i) EXPECT_EQ(a[i], b[i].value()) << "t " << t << " step " << step;
            challenges += n;
            break;
          }
        }
      }
      // A final challenge binds everything absorbed at the end.
      EXPECT_EQ(native.challenge("end"), circuit.challenge("end").value());
      EXPECT_EQ(native.permutations(), circuit.permutations());
      EXPECT_LE(cs.num_constraints(), circuit.permutations() * poseidon_permutation_constraints(hash::poseidon_params(t)));
      size_t bad = 0;
      EXPECT_TRUE(cs.is_satisfied(&bad)) << "constraint " << bad;
    }
  }
}

// Changing an absorbed witness's value changes the challenge the circuit computes (the challenge is
// a function of the witnesses, not a free value): the same script run with one value changed.
TEST(CircuitTranscript, ChallengeDependsOnAbsorbedWitnesses) {
  auto run = [](const Fr& x) {
    ConstraintSystem cs;
    CircuitTranscript tr(cs, "d");
    tr.absorb("x", cs.witness(x));
    tr.absorb_u64("n", 3);
    Num c = tr.challenge("r");
    EXPECT_TRUE(cs.is_satisfied());
    // (L(d), L(x), x, L(n)) | (3, L(r)), squeeze: two permutations of width 5. In the first, round
    // 1's S-boxes see four constant cells (capacity, L(d), L(x), L(n)) and one witness (x): the four
    // constant S-boxes are free (12 constraints saved); round 2 on, every cell depends on x.
    EXPECT_EQ(tr.permutations(), 2u);
    EXPECT_EQ(cs.num_constraints(), 2 * poseidon_permutation_constraints(hash::poseidon_params(5)) - 12);
    return std::make_pair(c.value(), cs.num_constraints());
  };
  auto [c1, n1] = run(Fr::from_u64(5));
  auto [c2, n2] = run(Fr::from_u64(6));
  EXPECT_NE(c1, c2);
  EXPECT_EQ(n1, n2);  // the shape does not depend on the values
}

// Poseidon plugged into Transcript's kField encoding (transcript.h): the native sponge and its
// circuit twin draw the same challenges over a random script (elements, integers, bytes), the system
// is satisfied, and the twin refuses to be made outside a CircuitScope.
TEST(PoseidonFieldSponge, KFieldTranscriptTwinsAgree) {
  SCOPED_TRACE(testing::seed_note());
  TestRng g(testing::test_seed());
  EXPECT_THROW(PoseidonCircuitSponge(), Error);
  for (size_t t : {3u, 5u}) {
    transcript::Transcript native("twin", std::make_unique<transcript::PoseidonFieldSponge>(t));
    ConstraintSystem cs;
    CircuitScope scope(cs);
    transcript::Transcript circ("twin", std::make_unique<PoseidonCircuitSponge>(t));
    ASSERT_TRUE(circ.in_circuit());
    size_t drawn = 0;
    for (int step = 0; step < 30; ++step) {
      switch (g.next_u64() % 4) {
        case 0: {
          Fr x = Fr::random(g);
          native.absorb("x", x);
          circ.absorb("x", CFr::witness(x));
          break;
        }
        case 1: {
          uint64_t v = g.next_u64();
          native.absorb_u64("n", v);
          circ.absorb_u64("n", v);
          break;
        }
        case 2: {
          std::vector<uint8_t> b(g.next_u64() % 70);
          for (auto& c : b) c = static_cast<uint8_t>(g.next_u64());
          native.absorb_bytes("b", b);
          circ.absorb_bytes("b", b);
          break;
        }
        default:
          EXPECT_EQ(circ.challenge<CFr>("c").value(), native.challenge<Fr>("c")) << "t " << t << " step " << step;
          ++drawn;
      }
    }
    EXPECT_EQ(circ.challenge<CFr>("c").value(), native.challenge<Fr>("c"));
    EXPECT_TRUE(cs.is_satisfied());
    EXPECT_GT(cs.num_constraints(), 0u);
    // The kField transcript's elements go through the Poseidon sponge: a different width or a
    // different value gives another challenge.
    transcript::Transcript a("d", std::make_unique<transcript::PoseidonFieldSponge>(t));
    transcript::Transcript b("d", std::make_unique<transcript::PoseidonFieldSponge>(t == 3 ? 5 : 3));
    EXPECT_NE(a.challenge<Fr>("c"), b.challenge<Fr>("c"));
  }
}

}  // namespace
}  // namespace zkinfer::snark
