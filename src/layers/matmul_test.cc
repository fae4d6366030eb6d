// Tests for the matrix-product layer (matmul.h): for a table of shapes (non-powers of two,
// m/k/n = 1, batch dims, Gemm transposes, every bias broadcast, several claims), claims computed
// from a plain integer reference verify, the output claims equal direct MLE evaluations, the
// proof survives serialization, and a wrong output value, changed round messages, changed final
// values, changed bias values and a wrong weight tensor are rejected with a reason.
#include "layers/matmul.h"

#include <gtest/gtest.h>

#include "layers/test_util.h"
#include "snark/cfr.h"
#include "snark/poseidon_gadget.h"
#include "transcript/poseidon_transcript.h"
#include "test_seed.h"

namespace zkinfer::layers {
namespace {

using zkinfer::testing::seed_note;
using zkinfer::testing::test_seed;

struct Case {
  std::vector<size_t> batch;
  size_t m, k, n;
  bool ta = false, tb = false;
  bool bias = false, bias_batch = false, bias_rows = false, bias_cols = false;
  size_t claims = 1;
  std::vector<size_t> a_batch = {}, b_batch = {};  // broadcast operands (empty: the full batch)
};

// The operand's unpadded batch index for Y's unpadded batch index bi (numpy broadcasting).
size_t own_index(const std::vector<size_t>& batch, const std::vector<size_t>& own, size_t bi) {
  if (own.empty()) return bi;
  size_t at = 0, scale = 1;
  for (size_t i = batch.size(); i-- > 0;) {
    const size_t idx = bi % batch[i];
    bi /= batch[i];
    if (own[i] != 1) at += idx * scale;
    scale *= own[i];
  }
  return at;
}

std::string describe(const Case& c) {
  std::string s = "batch=[";
  for (size_t b : c.batch) s += std::to_string(b) + ",";
  s += "] m=" + std::to_string(c.m) + " k=" + std::to_string(c.k) + " n=" + std::to_string(c.n) +
       " ta=" + std::to_string(c.ta) + " tb=" + std::to_string(c.tb) + " bias=" + std::to_string(c.bias) +
       std::to_string(c.bias_batch) + std::to_string(c.bias_rows) + std::to_string(c.bias_cols) +
       " claims=" + std::to_string(c.claims);
  for (size_t b : c.a_batch) s += " a" + std::to_string(b);
  for (size_t b : c.b_batch) s += " b" + std::to_string(b);
  return s;
}

MatmulShape shape_of(const Case& c) {
  MatmulShape s;
  s.batch = c.batch;
  s.m = c.m;
  s.k = c.k;
  s.n = c.n;
  s.trans_a = c.ta;
  s.trans_b = c.tb;
  s.bias = c.bias;
  s.bias_batch = c.bias_batch;
  s.bias_rows = c.bias_rows;
  s.bias_cols = c.bias_cols;
  s.a_batch = c.a_batch;
  s.b_batch = c.b_batch;
  return s;
}

// Plain integer reference: Y[b, i, j] = sum_z A[b, i, z] B[b, z, j] + c[...] (row-major, unpadded).
std::vector<int64_t> reference(const Case& c, const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                               const std::vector<int64_t>& bias) {
  size_t nb = 1;
  for (size_t d : c.batch) nb *= d;
  std::vector<int64_t> y(nb * c.m * c.n, 0);
  for (size_t bi = 0; bi < nb; ++bi)
    for (size_t i = 0; i < c.m; ++i)
      for (size_t j = 0; j < c.n; ++j) {
        int64_t acc = 0;
        const size_t ai = own_index(c.batch, c.a_batch, bi), bj = own_index(c.batch, c.b_batch, bi);
        for (size_t z = 0; z < c.k; ++z) {
          const int64_t av = c.ta ? a[(ai * c.k + z) * c.m + i] : a[(ai * c.m + i) * c.k + z];
          const int64_t bv = c.tb ? b[(bj * c.n + j) * c.k + z] : b[(bj * c.k + z) * c.n + j];
          acc += av * bv;
        }
        if (c.bias) {
          const size_t rows = c.bias_rows ? c.m : 1, cols = c.bias_cols ? c.n : 1;
          acc += bias[((c.bias_batch ? bi : 0) * rows + (c.bias_rows ? i : 0)) * cols + (c.bias_cols ? j : 0)];
        }
        y[(bi * c.m + i) * c.n + j] = acc;
      }
  return y;
}

struct Instance {
  MatmulShape shape;
  std::vector<int64_t> a_int, b_int;
  std::vector<Fr> a, b, bias, y;
  std::vector<Claim> claims;
};

Instance make(const Case& c, TestRng& rng) {
  Instance in;
  in.shape = shape_of(c);
  const auto& s = in.shape;
  in.a_int = testing::random_ints(rng, s.a_shape().unpadded_size(), 1000);
  in.b_int = testing::random_ints(rng, s.b_shape().unpadded_size(), 1000);
  std::vector<int64_t> bias_int;
  if (c.bias) {
    bias_int = testing::random_ints(rng, s.bias_shape().unpadded_size(), 1 << 20);
    in.bias = padded_table(s.bias_shape(), bias_int);
  }
  in.a = padded_table(s.a_shape(), in.a_int);
  in.b = padded_table(s.b_shape(), in.b_int);
  in.y = padded_table(s.y_shape(), reference(c, in.a_int, in.b_int, bias_int));
  in.claims = testing::true_claims(rng, in.y, s.y_shape().num_vars(), c.claims);
  return in;
}

Verdict verify_fresh(const MatmulShape& s, const std::vector<Claim>& claims, const MatmulProof& p,
                     MatmulClaims* out = nullptr) {
  transcript::Transcript tr("layers-test");
  return verify_matmul(s, claims, p, tr, out);
}

const std::vector<Case>& cases() {
  static const std::vector<Case> kCases = {
      {{}, 1, 1, 1},
      {{}, 3, 5, 7},
      {{}, 4, 8, 2},
      {{}, 1, 9, 1},
      {{}, 6, 1, 3},
      {{}, 5, 7, 1, true, false},
      {{}, 5, 7, 3, false, true},
      {{}, 5, 6, 3, true, true},
      {{}, 5, 6, 3, false, false, true, false, true, true},   // bias (m, n)
      {{}, 5, 6, 3, true, true, true, false, false, true},    // bias (1, n), Gemm style
      {{}, 5, 6, 3, false, true, true, false, true, false},   // bias (m, 1)
      {{}, 5, 6, 3, false, false, true, false, false, false}, // scalar bias
      {{}, 3, 4, 5, false, false, false, false, false, false, 3},
      {{}, 3, 4, 5, true, false, true, false, false, true, 2},
      {{3}, 2, 5, 3},
      {{3}, 2, 5, 3, false, false, false, false, false, false, 3},
      {{2, 3}, 3, 4, 5, false, true},
      {{2, 3}, 3, 4, 5, true, false, false, false, false, false, 2},
      {{5}, 1, 3, 1, false, false, true, true, false, true},
      {{3}, 4, 3, 2, false, false, true, false, true, true, 2},
      {{1}, 2, 2, 2},
      // Broadcast operands (numpy MatMul): B without batch dims, A without, per-dim broadcasts,
      // non-powers of two and padded batch dims, transposes, several claims.
      {{3}, 2, 5, 3, false, false, false, false, false, false, 1, {}, {1}},
      {{3}, 2, 5, 3, false, false, false, false, false, false, 2, {1}, {}},
      {{2, 3}, 3, 4, 5, false, false, false, false, false, false, 2, {}, {1, 1}},
      {{2, 3}, 3, 4, 5, false, false, false, false, false, false, 1, {1, 1}, {}},
      {{2, 3}, 3, 4, 5, false, true, false, false, false, false, 2, {2, 1}, {1, 3}},
      {{3, 5}, 2, 3, 3, true, false, false, false, false, false, 3, {1, 5}, {3, 1}},
      {{5, 2}, 3, 3, 2, false, false, false, false, false, false, 1, {5, 2}, {1, 2}},
  };
  return kCases;
}

TEST(Matmul, HonestProofsVerifyAndOutputClaimsAreTrue) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (const Case& c : cases()) {
    SCOPED_TRACE(describe(c));
    const Instance in = make(c, rng);
    transcript::Transcript tp("layers-test");
    MatmulClaims pc;
    const MatmulProof proof = prove_matmul(in.shape, in.a, in.b, in.bias, in.claims, tp, &pc);
    MatmulClaims vc;
    const Verdict v = verify_fresh(in.shape, in.claims, proof, &vc);
    ASSERT_TRUE(v.ok()) << v.reason();
    ASSERT_EQ(vc.a.size(), c.claims);
    for (size_t t = 0; t < c.claims; ++t) {
      EXPECT_EQ(vc.a[t].point, pc.a[t].point);
      EXPECT_EQ(vc.a[t].value, testing::eval(in.a, vc.a[t].point));
      EXPECT_EQ(vc.b[t].value, testing::eval(in.b, vc.b[t].point));
      if (c.bias) {
        EXPECT_EQ(vc.bias[t].value, testing::eval(in.bias, vc.bias[t].point));
      }
    }
    // Serialization round trip, and truncated bytes are a decode error.
    ByteWriter w;
    proof.serialize(w);
    // The int64 prover gives the same proof, byte for byte, and the same claims.
    {
      transcript::Transcript ti("layers-test");
      MatmulClaims ic;
      const MatmulProof pi = prove_matmul(in.shape, std::span<const int64_t>(in.a_int),
                                          std::span<const int64_t>(in.b_int), in.bias, in.claims, ti, &ic);
      ByteWriter wi;
      pi.serialize(wi);
      EXPECT_EQ(wi.data(), w.data());
      EXPECT_EQ(ic.a[0].point, pc.a[0].point);
      EXPECT_EQ(ic.b[0].value, pc.b[0].value);
    }
    ByteReader r(w.data());
    const MatmulProof back = MatmulProof::deserialize(r, in.shape, c.claims);
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_TRUE(verify_fresh(in.shape, in.claims, back).ok());
    if (!w.data().empty()) {
      ByteReader shortr(std::span<const uint8_t>(w.data().data(), w.data().size() - 1));
      EXPECT_THROW(MatmulProof::deserialize(shortr, in.shape, c.claims), DecodeError);
    }
  }
}

TEST(Matmul, TamperedProofsAreRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  for (const Case& c : cases()) {
    SCOPED_TRACE(describe(c));
    const Instance in = make(c, rng);
    transcript::Transcript tp("layers-test");
    const MatmulProof proof = prove_matmul(in.shape, in.a, in.b, in.bias, in.claims, tp);
    ASSERT_TRUE(verify_fresh(in.shape, in.claims, proof).ok());
    // Wrong claimed output value.
    for (size_t t = 0; t < c.claims; ++t) {
      auto bad = in.claims;
      bad[t].value += Fr::one();
      const Verdict v = verify_fresh(in.shape, bad, proof);
      EXPECT_FALSE(v.ok());
      EXPECT_NE(v.reason().find("matmul"), std::string::npos) << v.reason();
    }
    // Every round value and every final value changed.
    for (size_t i = 0; i < proof.sumcheck.rounds.size(); ++i)
      for (size_t j = 0; j < proof.sumcheck.rounds[i].evals.size(); ++j) {
        MatmulProof bad = proof;
        bad.sumcheck.rounds[i].evals[j] += Fr::one();
        const Verdict v = verify_fresh(in.shape, in.claims, bad);
        EXPECT_FALSE(v.ok()) << "round " << i << " value " << j;
        EXPECT_NE(v.reason().find("sumcheck"), std::string::npos) << v.reason();
      }
    for (size_t j = 0; j < proof.sumcheck.final_evals.size(); ++j) {
      MatmulProof bad = proof;
      bad.sumcheck.final_evals[j] += Fr::one();
      EXPECT_FALSE(verify_fresh(in.shape, in.claims, bad).ok()) << "final " << j;
    }
    for (size_t t = 0; t < proof.bias_values.size(); ++t) {
      MatmulProof bad = proof;
      bad.bias_values[t] += Fr::one();
      EXPECT_FALSE(verify_fresh(in.shape, in.claims, bad).ok()) << "bias " << t;
    }
    // Wrong shape of proof.
    {
      MatmulProof bad = proof;
      bad.bias_values.push_back(Fr::one());
      EXPECT_FALSE(verify_fresh(in.shape, in.claims, bad).ok());
    }
    // A wrong weight tensor (one entry of B changed) with the true output claims is rejected.
    {
      auto b_int = in.b_int;
      b_int[rng.next_u64() % b_int.size()] += 1;
      const auto b_bad = padded_table(in.shape.b_shape(), b_int);
      transcript::Transcript tb("layers-test");
      const MatmulProof bad = prove_matmul(in.shape, in.a, b_bad, in.bias, in.claims, tb);
      const Verdict v = verify_fresh(in.shape, in.claims, bad);
      EXPECT_FALSE(v.ok());
      EXPECT_NE(v.reason().find("matmul: sumcheck"), std::string::npos) << v.reason();
    }
    // A different transcript domain makes the proof fail (challenges differ).
    if (!proof.sumcheck.rounds.empty()) {
      transcript::Transcript other("other-domain");
      EXPECT_FALSE(verify_matmul(in.shape, in.claims, proof, other).ok());
    }
  }
}

TEST(Matmul, RejectsMalformedStatements) {
  MatmulShape s;
  s.m = 2;
  s.k = 3;
  s.n = 2;
  MatmulProof p;
  transcript::Transcript tr("layers-test");
  EXPECT_FALSE(verify_matmul(s, {}, p, tr).ok());
  std::vector<Claim> wrong_len = {{{Fr::one()}, Fr::zero()}};
  EXPECT_FALSE(verify_matmul(s, wrong_len, p, tr).ok());
  s.k = 0;
  std::vector<Claim> ok_len = {{{Fr::one(), Fr::one()}, Fr::zero()}};
  const Verdict v = verify_matmul(s, ok_len, p, tr);
  EXPECT_FALSE(v.ok());
  EXPECT_NE(v.reason().find("zero"), std::string::npos) << v.reason();
  // Broadcast batch dims: each operand's is the output's or 1, never both 1 where the output's
  // is larger, and of the output's batch rank.
  MatmulShape bs;
  bs.batch = {3};
  bs.m = bs.k = bs.n = 2;
  bs.a_batch = {1};
  EXPECT_FALSE(bs.invalid().has_value());
  bs.b_batch = {1};
  ASSERT_TRUE(bs.invalid().has_value());
  EXPECT_NE(bs.invalid()->find("both operands"), std::string::npos) << *bs.invalid();
  bs.b_batch = {2};
  EXPECT_TRUE(bs.invalid().has_value());
  bs.b_batch = {3, 1};
  EXPECT_TRUE(bs.invalid().has_value());
}

// The verifier, unchanged, as a circuit (verify_matmul_as<snark::CFr>; docs/protocol/wrap.md
// section 3) over the Poseidon field transcript, for every case: the honest proof satisfies the
// system and gives the native verifier's output claims; a changed round message, final value or
// bias value leaves it unsatisfied.
TEST(Matmul, VerifierAsCircuit) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  using snark::CFr;
  auto lift_claims = [](const std::vector<Claim>& cl) {
    std::vector<ClaimT<CFr>> out;
    for (const auto& c : cl) {
      ClaimT<CFr> x;
      for (const Fr& r : c.point) x.point.push_back(CFr::public_input(r));
      x.value = CFr::public_input(c.value.value());
      out.push_back(std::move(x));
    }
    return out;
  };
  auto lift_proof = [](const MatmulProof& p) {
    MatmulProofT<CFr> out;
    for (const auto& v : p.bias_values) out.bias_values.push_back(CFr::witness(v.value()));
    for (const auto& m : p.sumcheck.rounds) {
      sumcheck::RoundMessage<CFr> cm;
      for (const auto& e : m.evals) cm.evals.push_back(CFr::witness(e.value()));
      out.sumcheck.rounds.push_back(std::move(cm));
    }
    for (const auto& e : p.sumcheck.final_evals) out.sumcheck.final_evals.push_back(CFr::witness(e.value()));
    return out;
  };
  size_t total_constraints = 0;
  for (const Case& c : cases()) {
    SCOPED_TRACE(describe(c));
    const Instance in = make(c, rng);
    transcript::Transcript tp("layers-test", std::make_unique<transcript::PoseidonFieldSponge>());
    const MatmulProof proof = prove_matmul(in.shape, in.a, in.b, in.bias, in.claims, tp);
    MatmulClaims native;
    {
      transcript::Transcript tv("layers-test", std::make_unique<transcript::PoseidonFieldSponge>());
      ASSERT_TRUE(verify_matmul(in.shape, in.claims, proof, tv, &native).ok());
    }
    auto run = [&](const MatmulProof& p, bool check_claims) {
      snark::ConstraintSystem cs;
      snark::CircuitScope scope(cs);
      transcript::Transcript tr("layers-test", std::make_unique<snark::PoseidonCircuitSponge>());
      const auto claims = lift_claims(in.claims);
      MatmulClaimsT<CFr> out;
      const Verdict v = verify_matmul_as<CFr>(in.shape, claims, lift_proof(p), tr, &out);
      EXPECT_TRUE(v.ok()) << v.reason();  // the circuit's shape never depends on the values
      if (check_claims) {
        EXPECT_EQ(out.a.size(), native.a.size());
        for (size_t t = 0; t < out.a.size(); ++t) {
          EXPECT_EQ(out.a[t].value.value(), native.a[t].value.value());
          EXPECT_EQ(out.b[t].value.value(), native.b[t].value.value());
          for (size_t i = 0; i < out.a[t].point.size(); ++i) EXPECT_EQ(out.a[t].point[i].value(), native.a[t].point[i]);
          for (size_t i = 0; i < out.b[t].point.size(); ++i) EXPECT_EQ(out.b[t].point[i].value(), native.b[t].point[i]);
        }
        total_constraints += cs.num_constraints();
      }
      return cs.is_satisfied() && scope.false_equalities() == 0;
    };
    EXPECT_TRUE(run(proof, true));
    if (!proof.sumcheck.rounds.empty()) {
      MatmulProof bad = proof;
      bad.sumcheck.rounds.back().evals[0] = cp::Val(bad.sumcheck.rounds.back().evals[0].value() + Fr::one());
      EXPECT_FALSE(run(bad, false)) << "changed round value";
    }
    {
      MatmulProof bad = proof;
      bad.sumcheck.final_evals[0] = cp::Val(bad.sumcheck.final_evals[0].value() + Fr::one());
      EXPECT_FALSE(run(bad, false)) << "changed final value";
    }
    if (!proof.bias_values.empty()) {
      MatmulProof bad = proof;
      bad.bias_values[0] = cp::Val(bad.bias_values[0].value() + Fr::one());
      EXPECT_FALSE(run(bad, false)) << "changed bias value";
    }
  }
  std::printf("matmul verifier as a circuit: %zu constraints over %zu cases\n", total_constraints, cases().size());
}

}  // namespace
}  // namespace zkinfer::layers
