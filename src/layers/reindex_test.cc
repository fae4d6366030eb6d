// Tests for reindex.h: Transpose, Slice, Pad, Reshape / Flatten and Concat maps reproduce the op
// table's integer forwards (run_int); honest proofs verify and the x claims equal x's MLE at their
// points; proofs round-trip through their fixed layout; wrong claims, tampered proofs and wrong
// inputs are rejected with a reason; malformed maps are rejected, not asserted.
#include <gtest/gtest.h>

#include "layers/reindex.h"
#include "layers/rescale.h"
#include "sumcheck/prover.h"
#include "layers/circuit_test_util.h"
#include "layers/test_util.h"
#include "ops/op.h"
#include "test_seed.h"

namespace zkinfer::layers {
namespace {

using zkinfer::testing::seed_note;
using zkinfer::testing::test_seed;

ops::ITensor itensor(const std::vector<size_t>& dims, std::vector<int64_t> v) {
  ops::ITensor t(ops::Shape(dims.begin(), dims.end()), ops::DType::kInt);
  t.data = std::move(v);
  t.scale = 8;
  return t;
}
ops::ITensor ivec(std::vector<int64_t> v) {
  ops::ITensor t(ops::Shape{static_cast<int64_t>(v.size())}, ops::DType::kInt);
  t.data = std::move(v);
  return t;
}

ops::ITensor run(const ops::Node& n, const ops::QParams& qp, std::vector<const ops::ITensor*> in) {
  const ops::OpDef* d = ops::OpTable::get().find(n.op_type);
  EXPECT_NE(d, nullptr);
  ops::IntContext c(n, qp);
  c.in = std::move(in);
  d->run_int(c);
  return c.out.at(0);
}

ops::Node node(const std::string& op, int opset = 13) {
  ops::Node n;
  n.name = op;
  n.op_type = op;
  n.opset = opset;
  return n;
}

std::vector<size_t> dims_of(const ops::ITensor& t) { return std::vector<size_t>(t.shape.begin(), t.shape.end()); }

// Proves and verifies 2 random true claims on y; checks claims, round trip, tampering, a wrong
// claim and a wrong x.
void check_map(TestRng& rng, const ReindexMap& m, const std::vector<int64_t>& x, bool expect_free) {
  const PaddedShape xs(m.x_dims), ys(m.y_dims);
  const auto y = m.apply(x);
  auto claims = testing::true_claims(rng, padded_table(ys, y), ys.num_vars(), 2);
  transcript::Transcript tp("reindex-test");
  ReindexProof proof;
  auto pin = prove_reindex(m, x, claims, tp, &proof);
  EXPECT_EQ(proof.sumchecks.empty(), expect_free);
  auto verify = [&](const ReindexProof& pr, const std::vector<Claim>& cl, std::vector<Claim>* out) {
    transcript::Transcript tv("reindex-test");
    return verify_reindex(m, cl, pr, tv, out);
  };
  std::vector<Claim> in;
  Verdict v = verify(proof, claims, &in);
  ASSERT_TRUE(v.ok()) << v.reason();
  ASSERT_EQ(in.size(), claims.size());
  const auto xt = padded_table(xs, x);
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(in[i].point, pin[i].point);
    EXPECT_EQ(in[i].value, pin[i].value);
    EXPECT_EQ(in[i].value, testing::eval(xt, in[i].point)) << "x claim " << i;
  }
  ByteWriter w;
  proof.serialize(w);
  ByteReader r(w.data());
  auto back = ReindexProof::deserialize(r, m, claims.size());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_TRUE(verify(back, claims, &in).ok());
  // A wrong claim: rejected (non-free), or moved to a false claim on x (free).
  {
    auto bad = claims;
    bad[0].value += Fr::one();
    std::vector<Claim> bin;
    Verdict bv = verify(proof, bad, &bin);
    if (expect_free) {
      ASSERT_TRUE(bv.ok());
      EXPECT_NE(bin[0].value, testing::eval(xt, bin[0].point));
    } else {
      EXPECT_FALSE(bv.ok());
      EXPECT_NE(bv.reason().find("reindex: claim 0"), std::string::npos) << bv.reason();
    }
  }
  if (!expect_free) {
    auto t = proof;
    t.sumchecks[1].final_evals[0] += Fr::one();
    Verdict tv = verify(t, claims, &in);
    EXPECT_FALSE(tv.ok());
    t = proof;
    t.sumchecks[0].final_evals[1] += Fr::one();
    EXPECT_FALSE(verify(t, claims, &in).ok());
    if (!proof.sumchecks[0].rounds.empty()) {
      t = proof;
      t.sumchecks[0].rounds[0].evals[1] += Fr::one();
      EXPECT_FALSE(verify(t, claims, &in).ok());
    }
    t = proof;
    t.sumchecks.pop_back();
    EXPECT_FALSE(verify(t, claims, &in).ok());
    // A prover using a different x (one entry changed) on the true y claims: the proof fails
    // (the entry is read) or the x claim it produces is false for the real x.
    auto x2 = x;
    x2[x2.size() / 2] += 1;
    transcript::Transcript tc("reindex-test");
    ReindexProof cp;
    prove_reindex(m, x2, claims, tc, &cp);
    std::vector<Claim> cin;
    Verdict cv = verify(cp, claims, &cin);
    if (cv.ok()) {
      for (const auto& c : cin) EXPECT_NE(c.value, testing::eval(xt, c.point));
    }
  }
}

TEST(Reindex, TransposeMatchesTheExecutorAndIsFree) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (const auto& [dims, perm] : std::vector<std::pair<std::vector<size_t>, std::vector<size_t>>>{
           {{2, 3, 5}, {2, 0, 1}}, {{4, 3}, {1, 0}}, {{1, 6, 1, 5}, {0, 3, 1, 2}}}) {
    auto x = testing::random_ints(rng, PaddedShape(dims).unpadded_size(), 1 << 20);
    auto n = node("Transpose");
    n.attrs.int_lists["perm"] = std::vector<int64_t>(perm.begin(), perm.end());
    auto tx = itensor(dims, x);
    auto y = run(n, {}, {&tx});
    auto m = transpose_map(dims, perm);
    EXPECT_EQ(m.y_dims, dims_of(y));
    ASSERT_EQ(m.apply(x), y.data);
    check_map(rng, m, x, true);
  }
}

TEST(Reindex, SliceMatchesTheExecutorAndVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  struct Case {
    std::vector<size_t> dims;
    std::vector<int64_t> starts, ends, axes, steps;
  };
  for (const Case& c : std::vector<Case>{{{2, 7, 5}, {1}, {6}, {1}, {}},
                                         {{3, 8}, {0, 7}, {2, -9}, {0, 1}, {1, -2}},
                                         {{1, 4, 6, 6}, {1, 1}, {1000, 5}, {2, 3}, {2, 1}},
                                         {{5, 3}, {-3}, {-1}, {0}, {}}}) {
    auto x = testing::random_ints(rng, PaddedShape(c.dims).unpadded_size(), 1 << 20);
    auto tx = itensor(c.dims, x);
    auto ts = ivec(c.starts), te = ivec(c.ends), ta = ivec(c.axes), tst = ivec(c.steps);
    std::vector<const ops::ITensor*> in{&tx, &ts, &te, &ta};
    if (!c.steps.empty()) in.push_back(&tst);
    auto y = run(node("Slice"), {}, in);
    auto m = slice_map(c.dims, c.starts, c.ends, c.axes, c.steps);
    EXPECT_EQ(m.y_dims, dims_of(y));
    ASSERT_EQ(m.apply(x), y.data);
    check_map(rng, m, x, false);
  }
}

TEST(Reindex, PadMatchesTheExecutorAndVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  struct Case {
    std::vector<size_t> dims;
    std::vector<int64_t> pads;
    int64_t value;
    std::string mode = "constant";
  };
  for (const Case& c : std::vector<Case>{{{1, 3, 5, 5}, {0, 0, 1, 1, 0, 0, 1, 1}, 0},
                                         {{2, 6}, {1, 2, 0, 3}, 0},
                                         {{3, 5}, {0, -1, 2, 1}, 77},
                                         {{1, 1}, {0, 2, 0, 1}, -5},
                                         {{2, 5}, {0, 2, 1, 3}, 0, "edge"},
                                         {{3, 6}, {2, 1, 1, 5}, 0, "reflect"}}) {
    auto x = testing::random_ints(rng, PaddedShape(c.dims).unpadded_size(), 1 << 20);
    auto tx = itensor(c.dims, x);
    auto tp = ivec(c.pads);
    ops::QParams qp;
    qp.ints["value"] = c.value;
    auto pn = node("Pad");
    pn.attrs.strings["mode"] = c.mode;
    auto y = run(pn, qp, {&tx, &tp});
    auto m = pad_map(c.dims, c.pads, c.value, c.mode);
    EXPECT_EQ(m.y_dims, dims_of(y));
    ASSERT_EQ(m.apply(x), y.data);
    check_map(rng, m, x, false);
  }
}

TEST(Reindex, ReshapeAndFlattenMatchTheExecutorAndVerify) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  // Flatten of [N, C, 7, 7] (the EZKL-style CNN head), and reshapes with and without free groups.
  for (const auto& [xd, yd] : std::vector<std::pair<std::vector<size_t>, std::vector<size_t>>>{
           {{2, 3, 7, 7}, {2, 147}}, {{1, 3, 5}, {1, 15}}, {{6, 5}, {2, 3, 5}}, {{1, 512, 1, 1}, {1, 512}},
           {{4, 3, 2}, {4, 6}}, {{12}, {3, 1, 4}}}) {
    auto x = testing::random_ints(rng, PaddedShape(xd).unpadded_size(), 1 << 20);
    auto tx = itensor(xd, x);
    ops::ITensor y;
    if (yd.size() == 2 && yd[0] == xd[0]) {
      auto n = node("Flatten");
      n.attrs.ints["axis"] = 1;
      y = run(n, {}, {&tx});
    } else {
      auto ts = ivec(std::vector<int64_t>(yd.begin(), yd.end()));
      y = run(node("Reshape"), {}, {&tx, &ts});
    }
    auto m = reshape_map(xd, yd);
    EXPECT_EQ(m.y_dims, dims_of(y));
    ASSERT_EQ(m.apply(x), y.data);
    check_map(rng, m, x, xd == std::vector<size_t>{1, 512, 1, 1});
  }
}

TEST(Reindex, ConcatMatchesTheExecutorAndVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  struct Case {
    std::vector<std::vector<size_t>> in;
    size_t axis;
    std::vector<int> scales;
  };
  for (const Case& c : std::vector<Case>{{{{1, 3, 4}, {1, 5, 4}}, 1, {8, 8}},
                                         {{{2, 3}, {2, 1}, {2, 6}}, 1, {8, 6, 7}},
                                         {{{3, 2, 2}, {1, 2, 2}}, 0, {5, 5}}}) {
    std::vector<std::vector<int64_t>> xs;
    std::vector<ops::ITensor> ts;
    int so = 0;
    for (size_t j = 0; j < c.in.size(); ++j) {
      xs.push_back(testing::random_ints(rng, PaddedShape(c.in[j]).unpadded_size(), 1 << 20));
      ts.push_back(itensor(c.in[j], xs.back()));
      ts.back().scale = c.scales[j];
      so = std::max(so, c.scales[j]);
    }
    std::vector<const ops::ITensor*> in;
    for (auto& t : ts) in.push_back(&t);
    auto n = node("Concat");
    n.attrs.ints["axis"] = static_cast<int64_t>(c.axis);
    ops::QParams qp;
    qp.out_scales = {so};
    auto y = run(n, qp, in);
    ConcatParams p;
    p.in_dims = c.in;
    p.axis = c.axis;
    for (int s : c.scales) p.up.push_back(static_cast<size_t>(so - s));
    ASSERT_FALSE(p.invalid());
    ASSERT_EQ(p.out_dims(), dims_of(y));
    const PaddedShape ys(p.out_dims());
    auto claims = testing::true_claims(rng, padded_table(ys, y.data), ys.num_vars(), 2);
    std::vector<std::span<const int64_t>> xsp(xs.begin(), xs.end());
    transcript::Transcript tp("concat-test");
    ConcatProof proof;
    auto pin = prove_concat(p, xsp, claims, tp, &proof);
    auto verify = [&](const ConcatProof& pr, const std::vector<Claim>& cl, std::vector<std::vector<Claim>>* out) {
      transcript::Transcript tv("concat-test");
      return verify_concat(p, cl, pr, tv, out);
    };
    std::vector<std::vector<Claim>> vin;
    Verdict v = verify(proof, claims, &vin);
    ASSERT_TRUE(v.ok()) << v.reason();
    ASSERT_EQ(vin.size(), c.in.size());
    for (size_t j = 0; j < c.in.size(); ++j) {
      ASSERT_EQ(vin[j].size(), claims.size());
      const auto xt = padded_table(PaddedShape(c.in[j]), xs[j]);
      for (size_t i = 0; i < claims.size(); ++i) {
        EXPECT_EQ(vin[j][i].point, pin[j][i].point);
        EXPECT_EQ(vin[j][i].value, testing::eval(xt, vin[j][i].point)) << "input " << j << " claim " << i;
      }
    }
    ByteWriter w;
    proof.serialize(w);
    ByteReader r(w.data());
    auto back = ConcatProof::deserialize(r, p, claims.size());
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_TRUE(verify(back, claims, &vin).ok());
    {
      auto bad = claims;
      bad[1].value += Fr::one();
      Verdict bv = verify(proof, bad, &vin);
      EXPECT_FALSE(bv.ok());
      EXPECT_NE(bv.reason().find("parts do not sum"), std::string::npos) << bv.reason();
    }
    for (size_t k = 0; k < proof.parts.size(); ++k) {
      auto t = proof;
      t.parts[k] += Fr::one();
      EXPECT_FALSE(verify(t, claims, &vin).ok()) << "part " << k;
    }
    {
      // Moving value between two parts keeps the sum; the reductions catch it.
      auto t = proof;
      t.parts[0] += Fr::from_u64(uint64_t{1} << p.up[1]);
      t.parts[1] -= Fr::from_u64(uint64_t{1} << p.up[0]);
      Verdict tv = verify(t, claims, &vin);
      EXPECT_FALSE(tv.ok());
      EXPECT_NE(tv.reason().find("concat: input"), std::string::npos) << tv.reason();
    }
  }
}

TEST(Reindex, GatherExpandTileMatchTheExecutorAndVerify) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  struct G {
    std::vector<size_t> dims;
    size_t axis;
    std::vector<int64_t> idx;
    std::vector<size_t> idx_dims;
  };
  for (const G& c : std::vector<G>{{{3, 5, 2}, 1, {4, 0, -1, 4}, {4}},
                                   {{6, 3}, 0, {2, 5, 0, 1, 1, 3}, {2, 3}},
                                   {{4, 7}, 1, {-2}, {}}}) {
    auto x = testing::random_ints(rng, PaddedShape(c.dims).unpadded_size(), 1 << 20);
    auto tx = itensor(c.dims, x);
    ops::ITensor ti(ops::Shape(c.idx_dims.begin(), c.idx_dims.end()), ops::DType::kInt);
    ti.data = c.idx;
    auto n = node("Gather");
    n.attrs.ints["axis"] = static_cast<int64_t>(c.axis);
    auto y = run(n, {}, {&tx, &ti});
    auto m = gather_map(c.dims, c.axis, c.idx, c.idx_dims);
    EXPECT_EQ(m.y_dims, dims_of(y));
    ASSERT_EQ(m.apply(x), y.data);
    check_map(rng, m, x, false);
  }
  for (const auto& [xd, yd] : std::vector<std::pair<std::vector<size_t>, std::vector<size_t>>>{
           {{3, 1}, {2, 3, 5}}, {{1, 4}, {3, 4}}}) {
    auto x = testing::random_ints(rng, PaddedShape(xd).unpadded_size(), 1 << 20);
    auto tx = itensor(xd, x);
    auto ts = ivec(std::vector<int64_t>(yd.begin(), yd.end()));
    auto y = run(node("Expand"), {}, {&tx, &ts});
    auto m = expand_map(xd, yd);
    EXPECT_EQ(m.y_dims, dims_of(y));
    ASSERT_EQ(m.apply(x), y.data);
    check_map(rng, m, x, false);
  }
  {
    const std::vector<size_t> xd{2, 3};
    auto x = testing::random_ints(rng, 6, 1 << 20);
    auto tx = itensor(xd, x);
    auto tr = ivec({2, 3});
    auto y = run(node("Tile"), {}, {&tx, &tr});
    auto m = tile_map(xd, {2, 3});
    EXPECT_EQ(m.y_dims, dims_of(y));
    ASSERT_EQ(m.apply(x), y.data);
    check_map(rng, m, x, false);
  }
  EXPECT_THROW(gather_map({3}, 0, {3}, {1}), Error);
  EXPECT_THROW(expand_map({2}, {3}), Error);
}

// A prover that scales its selector table so that a FALSE claim on y sums right, keeping x true:
// the sumcheck passes and only the verifier's own selector evaluation catches it.
TEST(Reindex, ForgedSelectorIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const ReindexMap m = pad_map({6}, {1, 2});  // y = [0, x0..x5, 0, 0]
  auto x = testing::random_ints(rng, 6, 1 << 20);
  const PaddedShape xs(m.x_dims), ys(m.y_dims);
  const auto xt = padded_table(xs, x);
  auto claims = testing::true_claims(rng, padded_table(ys, m.apply(x)), ys.num_vars(), 1);
  const Fr truth = claims[0].value.value();
  claims[0].value += Fr::one();
  const auto ez = poly::eq_table<Fr>(claims[0].point);
  std::vector<Fr> P(xs.size(), Fr::zero());
  for (size_t t = 0; t < 6; ++t) P[t] += ez[t + 1];
  const Fr scale = claims[0].value.value() * truth.inverse();
  for (auto& v : P) v *= scale;
  transcript::Transcript tp("forge");
  detail::absorb_claims(tp, "reindex.claim", claims);
  auto res = sumcheck::prove<Fr>(sumcheck::Composition<Fr>::product(2), {P, xt}, tp);
  ReindexProof forged;
  forged.sumchecks.push_back(res.proof);
  transcript::Transcript tv("forge");
  std::vector<Claim> out;
  Verdict v = verify_reindex(m, claims, forged, tv, &out);
  EXPECT_FALSE(v.ok());
  EXPECT_NE(v.reason().find("selector value mismatch"), std::string::npos) << v.reason();
}

TEST(Reindex, MalformedMapsAreRejected) {
  ReindexMap m = pad_map({2, 3}, {0, 1, 0, 1});
  EXPECT_FALSE(m.invalid());
  auto bad = m;
  bad.groups[1].map[0] = 3;  // source out of range
  EXPECT_TRUE(bad.invalid());
  std::vector<Claim> claims{{std::vector<Fr>(PaddedShape(m.y_dims).num_vars(), Fr::one()), Fr::zero()}};
  transcript::Transcript tv("t");
  std::vector<Claim> out;
  Verdict v = verify_reindex(bad, claims, ReindexProof{}, tv, &out);
  EXPECT_FALSE(v.ok());
  EXPECT_NE(v.reason().find("source index out of range"), std::string::npos) << v.reason();
  bad = m;
  bad.groups.pop_back();
  EXPECT_TRUE(bad.invalid());
  bad = m;
  bad.groups[0].identity = false;  // identity flag removed but no map
  EXPECT_TRUE(bad.invalid());
  EXPECT_THROW(slice_map({3}, {0}, {3}, {}, {0}), Error);
  EXPECT_THROW(reshape_map({3, 4}, {5, 2}), Error);
  EXPECT_THROW(transpose_map({3, 4}, {0, 0}), Error);
  ByteReader r(std::span<const uint8_t>{});
  EXPECT_THROW(ReindexProof::deserialize(r, pad_map({2}, {0, 1}), 1), DecodeError);
  std::vector<int64_t> x(5);
  transcript::Transcript tp("t");
  ReindexProof pr;
  EXPECT_THROW(prove_reindex(pad_map({2}, {0, 1}), x, {}, tp, &pr), Error);
}

// The verifiers run as circuits (docs/protocol/wrap.md section 3): for maps of every kind (free
// ones, per-axis maps, a constant pad value, a reshape block, gather, expand, tile, trilu) and for
// Concat with scale-ups, proved over the Poseidon field transcript, verified natively, then
// verify_reindex_as / verify_concat_as<CFr> over the circuit twin with the proof's bytes as
// witnesses: the honest proof satisfies the system with the native verifier's x claims; a changed
// claim value, round value, final value (and concat part) does not.
TEST(Reindex, VerifierAsCircuit) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 3);
  using ctest::CFr;
  const std::vector<std::pair<std::string, ReindexMap>> maps = {
      {"transpose", transpose_map({2, 3, 5}, {2, 0, 1})},
      {"slice", slice_map({3, 7}, {1, 6}, {3, 0}, {0, 1}, {1, -2})},
      {"pad 77", pad_map({3, 5}, {0, -1, 2, 1}, 77)},
      {"pad reflect", pad_map({3, 6}, {2, 1, 1, 5}, 0, "reflect")},
      {"flatten", reshape_map({1, 3, 5, 5}, {1, 75})},
      {"reshape", reshape_map({2, 6}, {3, 4})},
      {"gather", gather_map({4, 3}, 0, {3, 0, -1}, {3})},
      {"expand", expand_map({3, 1}, {2, 3, 5})},
      {"tile", tile_map({2, 3}, {2, 3})},
      {"trilu", trilu_map({2, 3, 4}, true, 1)},
  };
  size_t total = 0;
  for (const auto& [name, m] : maps) {
    SCOPED_TRACE(name);
    ASSERT_FALSE(m.invalid());
    const PaddedShape xs(m.x_dims), ys(m.y_dims);
    const auto x = testing::random_ints(rng, xs.unpadded_size(), 1 << 20);
    const auto claims = testing::true_claims(rng, padded_table(ys, m.apply(x)), ys.num_vars(), 2);
    auto tp = ctest::field_transcript();
    ReindexProof proof;
    prove_reindex(m, x, claims, tp, &proof);
    std::vector<Claim> native;
    {
      auto tv = ctest::field_transcript();
      ASSERT_TRUE(verify_reindex(m, claims, proof, tv, &native).ok());
    }
    auto run = [&](const ReindexProof& pr, const std::vector<Claim>& cl, bool check) {
      const auto bytes = ctest::bytes_of(pr);
      size_t n = 0;
      const bool sat = ctest::circuit_satisfied(
          [&] {
            auto tr = ctest::circuit_transcript();
            const auto lc = ctest::lift_claims(cl);
            ByteReader r(bytes);
            const auto cp = ReindexProofT<CFr>::deserialize(r, m, cl.size());
            std::vector<ClaimT<CFr>> out;
            const Verdict v = verify_reindex_as<CFr>(m, lc, cp, tr, &out);
            if (v.ok() && check) ctest::expect_same_claims(out, native, "x");
            return v;
          },
          &n);
      if (check) total += n;
      return sat;
    };
    EXPECT_TRUE(run(proof, claims, true));
    {
      auto bad = claims;
      bad[1].value += Fr::one();
      // A free map passes the claim on unchanged: the circuit then carries the wrong value onward
      // (checked where the x claim is reduced), so only a sumcheck map must reject it here.
      if (!proof.sumchecks.empty()) EXPECT_FALSE(run(proof, bad, false)) << "changed claim value";
    }
    if (!proof.sumchecks.empty()) {
      ReindexProof bad = proof;
      if (!bad.sumchecks[0].rounds.empty()) {
        bad.sumchecks[0].rounds[0].evals[0] += Fr::one();
        EXPECT_FALSE(run(bad, claims, false)) << "changed round value";
      }
      for (size_t j = 0; j < 2; ++j) {
        ReindexProof b2 = proof;
        b2.sumchecks[1].final_evals[j] += Fr::one();
        EXPECT_FALSE(run(b2, claims, false)) << "changed final value " << j;
      }
    }
  }
  // Concat: two and three inputs, with scale-ups.
  struct Case {
    std::vector<std::vector<size_t>> in;
    size_t axis;
    std::vector<size_t> up;
  };
  for (const Case& c : std::vector<Case>{{{{1, 3, 4}, {1, 5, 4}}, 1, {0, 0}}, {{{2, 3}, {2, 1}, {2, 6}}, 1, {0, 2, 1}}}) {
    ConcatParams p;
    p.in_dims = c.in;
    p.axis = c.axis;
    p.up = c.up;
    ASSERT_FALSE(p.invalid());
    std::vector<std::vector<int64_t>> xs;
    std::vector<Fr> y(PaddedShape(p.out_dims()).size(), Fr::zero());
    for (size_t j = 0; j < c.in.size(); ++j) {
      xs.push_back(testing::random_ints(rng, PaddedShape(c.in[j]).unpadded_size(), 1 << 20));
      const auto part = padded_table(PaddedShape(p.out_dims()), p.part(j).apply(xs.back()));
      for (size_t i = 0; i < y.size(); ++i) y[i] += Fr::from_u64(uint64_t{1} << c.up[j]) * part[i];
    }
    const PaddedShape ys(p.out_dims());
    const auto claims = testing::true_claims(rng, y, ys.num_vars(), 2);
    std::vector<std::span<const int64_t>> xsp(xs.begin(), xs.end());
    auto tp = ctest::field_transcript();
    ConcatProof proof;
    prove_concat(p, xsp, claims, tp, &proof);
    std::vector<std::vector<Claim>> native;
    {
      auto tv = ctest::field_transcript();
      ASSERT_TRUE(verify_concat(p, claims, proof, tv, &native).ok());
    }
    auto run = [&](const ConcatProof& pr, const std::vector<Claim>& cl, bool check) {
      const auto bytes = ctest::bytes_of(pr);
      size_t n = 0;
      const bool sat = ctest::circuit_satisfied(
          [&] {
            auto tr = ctest::circuit_transcript();
            const auto lc = ctest::lift_claims(cl);
            ByteReader r(bytes);
            const auto cp = ConcatProofT<CFr>::deserialize(r, p, cl.size());
            std::vector<std::vector<ClaimT<CFr>>> out;
            const Verdict v = verify_concat_as<CFr>(p, lc, cp, tr, &out);
            if (v.ok() && check) {
              EXPECT_EQ(out.size(), native.size());
              for (size_t j = 0; j < out.size() && j < native.size(); ++j)
                ctest::expect_same_claims(out[j], native[j], "input " + std::to_string(j));
            }
            return v;
          },
          &n);
      if (check) total += n;
      return sat;
    };
    EXPECT_TRUE(run(proof, claims, true));
    {
      auto bad = claims;
      bad[0].value += Fr::one();
      EXPECT_FALSE(run(proof, bad, false)) << "changed claim value";
    }
    {
      ConcatProof bad = proof;
      bad.parts[1] += Fr::one();
      EXPECT_FALSE(run(bad, claims, false)) << "changed part";
    }
    {
      ConcatProof bad = proof;
      bad.inputs[0].sumchecks[0].final_evals[1] += Fr::one();
      EXPECT_FALSE(run(bad, claims, false)) << "changed final value";
    }
  }
  std::printf("reindex and concat verifiers as circuits: %zu constraints over %zu maps and 2 concats\n", total,
              maps.size());
}

}  // namespace
}  // namespace zkinfer::layers
