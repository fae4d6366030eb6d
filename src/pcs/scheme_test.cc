// Tests of the commitment-scheme interface (pcs/scheme.h), written against Scheme only so that
// every implementation runs them (Hyrax and KZG: each adds its factory to kSchemes). Plain mode: claims on commitments of several sizes and both uses opened together;
// the values the two halves agree on; every kind of lie rejected (a claim's value, a changed byte,
// another commitment, missing or extra bytes); commitments read back and shaped as the scheme says.
// The zero-knowledge path (values bound by zk/cp.h between the halves) runs in every whole-model
// proof test (src/proof).
#include "pcs/scheme.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>

#include "pcs/hyrax_scheme.h"
#include "curve/g1.h"
#include "pcs/kzg_scheme.h"
#include "poly/mle.h"
#include "test_seed.h"

namespace zkinfer::pcs {
namespace {

using testing::seed_note;
using testing::test_seed;

struct SchemeCase {
  const char* name;
  std::function<const Scheme&()> get;
};

const Scheme& hyrax() {
  static const HyraxParams params(6);
  static const HyraxScheme s(params, 6);
  return s;
}

// INSECURE test setup (known tau and beta): fine for testing the protocol's completeness and its
// rejections of changed proofs, never for real keys.
const Scheme& kzg() {
  static const HyraxParams pads(6);
  static const KzgScheme s(std::make_shared<const KzgParams>(
                               KzgParams::insecure_from_secrets(Fr::from_u64(0x7e57), Fr::from_u64(0xbe7a), 8)),
                           pads, 6);
  return s;
}

// The same SRS with key weights of more than 2^3 entries committed in rows of 2^3 (kzg keys of
// version 9, docs/protocol/kzg.md section 6 item 3).
std::shared_ptr<const KzgParams> kzg_params() {
  static const auto p = std::make_shared<const KzgParams>(
      KzgParams::insecure_from_secrets(Fr::from_u64(0x7e57), Fr::from_u64(0xbe7a), 8));
  return p;
}
const KzgScheme& kzg_rows() {
  static const HyraxParams pads(6);
  static const KzgScheme s(kzg_params(), pads, 6, false, 3);
  return s;
}

const std::vector<SchemeCase> kSchemes = {{"hyrax", hyrax}, {"kzg", kzg}, {"kzg_rows", kzg_rows}};

struct Instance {
  std::vector<std::vector<int64_t>> values;
  std::vector<std::vector<Fr>> tables;
  std::vector<Committed> coms;
  std::vector<OpenClaim> claims;
};

// One commitment per (num_vars, use), each with 1..3 claims at random points.
Instance make_instance(const Scheme& s, TestRng& rng, const std::vector<std::pair<size_t, Use>>& shapes) {
  Instance in;
  for (size_t c = 0; c < shapes.size(); ++c) {
    const auto [n, use] = shapes[c];
    std::vector<int64_t> v(size_t{1} << n);
    for (auto& x : v) x = static_cast<int64_t>(rng.next_u64() % 2001) - 1000;
    std::vector<Fr> blinds(s.blind_count(n, use));
    for (auto& b : blinds) b = Fr::random(rng);
    in.coms.push_back(s.commit(v, use, std::move(blinds)));
    std::vector<Fr> tab;
    for (int64_t x : v) tab.push_back(Fr::from_i64(x));
    const size_t nclaims = 1 + rng.next_u64() % 3;
    for (size_t i = 0; i < nclaims; ++i) {
      std::vector<Fr> z(n);
      for (auto& x : z) x = Fr::random(rng);
      in.claims.push_back({c, z, cp::Val(poly::evaluate_mle<Fr>(tab, z))});
    }
    in.values.push_back(std::move(v));
    in.tables.push_back(std::move(tab));
  }
  return in;
}

std::vector<uint8_t> prove(const Scheme& s, const Instance& in, TestRng& rng, std::vector<Fr>* values = nullptr) {
  transcript::Transcript tr("scheme-test");
  ByteWriter w;
  std::vector<const Committed*> coms;
  std::vector<std::span<const Fr>> tabs;
  for (size_t c = 0; c < in.coms.size(); ++c) {
    coms.push_back(&in.coms[c]);
    tabs.push_back(in.tables[c]);
    in.coms[c].commitment->absorb_into(tr);
  }
  auto opening = s.prove_open(coms, tabs, in.claims, tr, w);
  std::vector<ProverClaim> bound;
  for (const cp::Val& v : opening->values()) {
    bound.push_back(ProverClaim::plain(v.value()));
    if (values) values->push_back(v.value());
  }
  opening->finish(bound, nullptr, tr, w, random_fr(rng));
  return w.take();
}

Verdict verify(const Scheme& s, const Instance& in, std::span<const uint8_t> bytes, std::vector<Fr>* values = nullptr) {
  transcript::Transcript tr("scheme-test");
  ByteReader r(bytes, "opening");
  std::vector<const Commitment*> coms;
  for (const auto& c : in.coms) {
    coms.push_back(c.commitment.get());
    c.commitment->absorb_into(tr);
  }
  try {
    std::unique_ptr<VerifierOpening> opening;
    if (Verdict v = s.verify_open(coms, in.claims, tr, r, &opening); !v) return v;
    std::vector<EvalClaim> bound;
    for (const cp::Val& v : opening->values()) {
      bound.push_back(EvalClaim::plain(v.value()));
      if (values) values->push_back(v.value());
    }
    if (Verdict v = opening->finish(bound, nullptr, tr, r); !v) return v;
    r.expect_end();
  } catch (const DecodeError& e) {
    return Verdict::reject(e.what());
  }
  return Verdict::accept();
}

const std::vector<std::pair<size_t, Use>> kShapes = {{5, Use::kProof}, {3, Use::kKey},   {0, Use::kProof},
                                                     {8, Use::kKey},   {6, Use::kProof}, {1, Use::kKey}};

class SchemeTest : public ::testing::TestWithParam<SchemeCase> {};

TEST_P(SchemeTest, CommitmentsReadBackAndHaveTheirShape) {
  const Scheme& s = GetParam().get();
  TestRng rng(test_seed());
  SCOPED_TRACE(seed_note());
  Instance in = make_instance(s, rng, kShapes);
  for (size_t c = 0; c < in.coms.size(); ++c) {
    const auto [n, use] = kShapes[c];
    const Commitment& com = *in.coms[c].commitment;
    EXPECT_EQ(com.num_vars(), n);
    EXPECT_EQ(com.num_blinds(), s.blind_count(n, use));
    EXPECT_TRUE(s.fits(com, n, use));
    EXPECT_FALSE(s.fits(com, n + 1, use));
    ByteWriter w;
    com.serialize(w);
    ByteReader r(w.data(), "commitment");
    CommitmentPtr back = s.read(r);
    r.expect_end();
    EXPECT_TRUE(back->equals(com));
    EXPECT_EQ(back->num_vars(), n);
    // The same values with other blinds: another commitment (hiding needs fresh blinds).
    std::vector<Fr> blinds(s.blind_count(n, use));
    for (auto& b : blinds) b = Fr::random(rng);
    EXPECT_FALSE(s.commit(in.values[c], use, std::move(blinds)).commitment->equals(com));
  }
  // A commitment's bytes cut short are a decoding error, never a crash.
  ByteWriter w;
  in.coms[3].commitment->serialize(w);
  for (size_t cut : {size_t{0}, size_t{3}, w.data().size() - 1}) {
    ByteReader r(std::span<const uint8_t>(w.data().data(), cut), "commitment");
    EXPECT_THROW((void)s.read(r), DecodeError) << cut;
  }
}

TEST_P(SchemeTest, HonestOpeningVerifiesAndBothSidesAgree) {
  const Scheme& s = GetParam().get();
  const uint64_t seed = test_seed();
  SCOPED_TRACE(seed_note());
  TestRng rng(seed);
  for (int rep = 0; rep < 3; ++rep) {
    Instance in = make_instance(s, rng, kShapes);
    std::vector<Fr> pv, vv;
    auto bytes = prove(s, in, rng, &pv);
    Verdict v = verify(s, in, bytes, &vv);
    ASSERT_TRUE(v) << v.reason();
    EXPECT_FALSE(pv.empty());
    EXPECT_EQ(pv, vv);
  }
}

TEST_P(SchemeTest, NoClaimsIsAnEmptyOpening) {
  const Scheme& s = GetParam().get();
  TestRng rng(test_seed());
  Instance in;
  auto bytes = prove(s, in, rng);
  EXPECT_TRUE(bytes.empty());
  EXPECT_TRUE(verify(s, in, bytes));
}

TEST_P(SchemeTest, FalseClaimIsRejected) {
  const Scheme& s = GetParam().get();
  TestRng rng(test_seed());
  SCOPED_TRACE(seed_note());
  for (size_t k : {size_t{0}, size_t{2}, size_t{4}}) {
    Instance in = make_instance(s, rng, kShapes);
    size_t i = 0;
    while (in.claims[i].com != k) ++i;
    in.claims[i].value += cp::Val(Fr::one());
    auto bytes = prove(s, in, rng);  // the prover runs honestly on the false claim
    EXPECT_FALSE(verify(s, in, bytes)) << "claim on commitment " << k;
  }
}

TEST_P(SchemeTest, OtherCommitmentIsRejected) {
  const Scheme& s = GetParam().get();
  TestRng rng(test_seed());
  SCOPED_TRACE(seed_note());
  Instance in = make_instance(s, rng, kShapes);
  auto bytes = prove(s, in, rng);
  ASSERT_TRUE(verify(s, in, bytes));
  Instance other = in;
  auto v = in.values[4];
  v[7] += 1;
  std::vector<Fr> blinds = in.coms[4].blinds;
  other.coms[4] = s.commit(v, kShapes[4].second, std::move(blinds));
  EXPECT_FALSE(verify(s, other, bytes));
}

TEST_P(SchemeTest, EveryChangedByteIsRejected) {
  const Scheme& s = GetParam().get();
  TestRng rng(test_seed());
  SCOPED_TRACE(seed_note());
  Instance in = make_instance(s, rng, {{4, Use::kProof}, {2, Use::kKey}, {3, Use::kProof}});
  auto bytes = prove(s, in, rng);
  ASSERT_TRUE(verify(s, in, bytes));
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto bad = bytes;
    bad[i] ^= 0x01;
    EXPECT_FALSE(verify(s, in, bad)) << "byte " << i;
  }
  auto shorter = bytes;
  shorter.pop_back();
  EXPECT_FALSE(verify(s, in, shorter));
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(verify(s, in, longer));
}

// Hyrax commits a key's weights in rows as wide as its parameters allow (key version 5), never
// below balanced; a commitment with the rows of an older key (balanced, at least 2^8 entries) does
// not fit, so such a key is refused by the layout check.
TEST(HyraxSchemeLayout, KeyRowsAreAsWideAsTheParameters) {
  static const HyraxParams params(10);
  const HyraxScheme s(params, 6);
  for (size_t n = 0; n <= 24; ++n) {
    const size_t want = std::max<size_t>((n + 1) / 2, std::min<size_t>(n, 10));
    EXPECT_EQ(s.log_cols(n, Use::kKey), want) << n;
    EXPECT_EQ(s.log_cols(n, Use::kProof), std::min<size_t>(n, 10)) << n;
    EXPECT_EQ(s.blind_count(n, Use::kKey), size_t{1} << (n - want)) << n;
  }
  auto com = [](uint32_t n, uint32_t b) {
    HyraxCommitment c;
    c.layout = {n, b};
    c.rows.assign(size_t{1} << (n - b), G1Affine::identity());
    return HyraxScheme::wrap(std::move(c));
  };
  EXPECT_TRUE(s.fits(*com(16, 10), 16, Use::kKey));
  EXPECT_FALSE(s.fits(*com(16, 8), 16, Use::kKey));  // the balanced rows of a version-3 key
  EXPECT_FALSE(s.fits(*com(16, 10), 15, Use::kKey));
  EXPECT_TRUE(s.fits(*com(22, 11), 22, Use::kKey));  // wider than the parameters: balanced
}

// The parameters' width for a key: resnet18's committed weights above 2^8 entries (their padded
// num_vars, as its key has them) cost 2048 + 9 890 points at B = 11, 4096 + 4 948 at B = 12 and
// 8192 + 2 477 at B = 13, so B = 12; a model of small weights keeps its lower bound; the search
// stops at kMaxKeyLogCols.
TEST(HyraxSchemeLayout, ParametersWidthMinimizesTheBatchMsm) {
  const std::vector<size_t> r18 = {22, 22, 22, 21, 20, 20, 20, 19, 19, 18, 18, 18, 17, 17, 16, 16,
                                   16, 16, 15, 14, 13, 10, 9,  9,  9,  9,  9};
  auto brute = [&](size_t l) {
    size_t n = size_t{1} << l;
    for (size_t v : r18) n += v > l ? size_t{1} << (v - l) : 1;
    return n;
  };
  for (size_t l = 8; l <= 14; ++l) EXPECT_EQ(HyraxScheme::key_msm_points(r18, l), brute(l)) << l;
  EXPECT_EQ(HyraxScheme::key_msm_points(r18, 11), 2048u + 9890u);
  EXPECT_EQ(HyraxScheme::key_msm_points(r18, 12), 4096u + 4948u);
  EXPECT_EQ(HyraxScheme::best_log_cols(r18, 11), 12u);
  EXPECT_LT(HyraxScheme::key_msm_points(r18, 12), HyraxScheme::key_msm_points(r18, 11));
  EXPECT_LT(HyraxScheme::key_msm_points(r18, 12), HyraxScheme::key_msm_points(r18, 13));
  const std::vector<size_t> small = {10, 8, 7, 4};
  EXPECT_EQ(HyraxScheme::best_log_cols(small, 8), 8u);
  const std::vector<size_t> huge(64, 30);  // would want more than kMaxKeyLogCols
  EXPECT_EQ(HyraxScheme::best_log_cols(huge, 11), kMaxKeyLogCols);
  EXPECT_EQ(HyraxScheme::best_log_cols(huge, kMaxKeyLogCols + 1), kMaxKeyLogCols + 1);
}

// ---- kzg weight rows (key version 9) ----

// Differential: the rows combined by eq(top, .) are the commitment of the combined table with the
// combined blind, and that table's MLE at the low coordinates is the whole weight's MLE at z.
TEST(KzgRowsScheme, CombinedRowsEqualTheSingleCommitmentOfTheCombination) {
  const KzgScheme& s = kzg_rows();
  TestRng rng(test_seed());
  SCOPED_TRACE(seed_note());
  for (size_t n : {4, 6, 8}) {
    Instance in = make_instance(s, rng, {{n, Use::kKey}});
    const KzgRowCommitment* rows = KzgScheme::as_kzg_rows(*in.coms[0].commitment);
    ASSERT_NE(rows, nullptr);
    EXPECT_EQ(rows->row_vars, 3u);
    ASSERT_EQ(rows->rows.size(), size_t{1} << (n - 3));
    // Each row is the plain commitment of its slice.
    for (size_t b = 0; b < rows->rows.size(); ++b) {
      const std::span<const Fr> slice(in.tables[0].data() + b * 8, 8);
      EXPECT_EQ(rows->rows[b], commit_with_blind(s.params(), slice, in.coms[0].blinds[b]).point) << b;
    }
    std::vector<Fr> z(n);
    for (auto& x : z) x = Fr::random(rng);
    const std::span<const Fr> zs(z), top = zs.subspan(3);
    const std::vector<Fr> table = combine_row_table(in.tables[0], 3, top);
    const Fr blind = combine_row_blinds(in.coms[0].blinds, top);
    EXPECT_EQ(rows->combine(top).point, commit_with_blind(s.params(), table, blind).point);
    EXPECT_EQ(rows->combine(top).num_vars, 3u);
    EXPECT_EQ(poly::evaluate_mle<Fr>(table, zs.first(3)), poly::evaluate_mle<Fr>(in.tables[0], zs));
    // The same weight in the single-commitment layout has one blind and no rows.
    EXPECT_EQ(kzg().blind_count(n, Use::kKey), 1u);
    EXPECT_EQ(s.blind_count(n, Use::kKey), size_t{1} << (n - 3));
    EXPECT_EQ(s.blind_count(n, Use::kProof), 1u);
  }
}

// The back half's values: F_c times (1 - rho_j) for j from e_c (3 for a chunked weight) to N' only.
// With the same transcript both layouts run the same reduction (same rho), so the rows scheme's
// value of a chunked weight is the single scheme's divided by prod_{N' <= j < N} (1 - rho_j).
TEST(KzgRowsScheme, NothingChunkedIsTodaysProofByteForByte) {
  TestRng rng(test_seed());
  SCOPED_TRACE(seed_note());
  const std::vector<std::pair<size_t, Use>> shapes = {{5, Use::kProof}, {3, Use::kKey}, {6, Use::kProof}, {1, Use::kKey}};
  Instance a = make_instance(kzg_rows(), rng, shapes);
  for (const auto& c : a.coms) ASSERT_NE(KzgScheme::as_kzg(*c.commitment), nullptr);
  const uint64_t seed = rng.next_u64();
  TestRng r1(seed), r2(seed);
  std::vector<Fr> v1, v2;
  EXPECT_EQ(prove(kzg_rows(), a, r1, &v1), prove(kzg(), a, r2, &v2));
  EXPECT_EQ(v1, v2);
}

TEST(KzgRowsScheme, OpeningSizeIsTheRowsNotTheWeight) {
  TestRng rng(test_seed());
  SCOPED_TRACE(seed_note());
  // A weight of 2^8 in rows of 2^3 and proof vectors of 2^5 and 2^2: N = 8, N' = 5.
  Instance in = make_instance(kzg_rows(), rng, {{8, Use::kKey}, {5, Use::kProof}, {2, Use::kProof}});
  std::vector<Fr> pv, vv;
  const auto bytes = prove(kzg_rows(), in, rng, &pv);
  ASSERT_TRUE(verify(kzg_rows(), in, bytes, &vv));
  EXPECT_EQ(pv, vv);
  // The same claims in the single layout: a batch of N = 8 (3 more folds, 3 x 3 more scalars).
  Instance single = in;
  single.coms[0] = kzg().commit(in.values[0], Use::kKey, {Fr::random(rng)});
  const auto sbytes = prove(kzg(), single, rng);
  ASSERT_TRUE(verify(kzg(), single, sbytes));
  EXPECT_EQ(sbytes.size() - bytes.size(), 3 * 32 + 3 * 3 * 32);
}

TEST(KzgRowsScheme, ChangedRowsAndLayoutsAreRejected) {
  const KzgScheme& s = kzg_rows();
  TestRng rng(test_seed());
  SCOPED_TRACE(seed_note());
  Instance in = make_instance(s, rng, {{6, Use::kKey}, {4, Use::kProof}, {2, Use::kKey}});
  const auto bytes = prove(s, in, rng);
  ASSERT_TRUE(verify(s, in, bytes));
  const KzgRowCommitment rows = *KzgScheme::as_kzg_rows(*in.coms[0].commitment);
  auto with_rows = [&](KzgRowCommitment r) {
    Instance o = in;
    o.coms[0].commitment = KzgScheme::wrap_rows(std::move(r));
    return o;
  };
  {  // two rows swapped
    KzgRowCommitment r = rows;
    std::swap(r.rows[0], r.rows[5]);
    Verdict v = verify(s, with_rows(r), bytes);
    EXPECT_FALSE(v);
    EXPECT_FALSE(v.reason().empty());
  }
  {  // one row replaced by another valid point
    KzgRowCommitment r = rows;
    r.rows[3] = (G1(r.rows[3]) + G1(s.params().g1())).to_affine();
    EXPECT_FALSE(verify(s, with_rows(r), bytes));
  }
  {  // rows of another width (the same points regrouped) do not fit, and the opening rejects them
    KzgRowCommitment r = rows;
    r.row_vars = 4;
    r.rows.resize(4);
    EXPECT_FALSE(s.fits(*KzgScheme::wrap_rows(r), 6, Use::kKey));
    Verdict v = verify(s, with_rows(r), bytes);
    EXPECT_FALSE(v);
  }
  // Layouts: a rows commitment is no single one and vice versa.
  EXPECT_TRUE(s.fits(*in.coms[0].commitment, 6, Use::kKey));
  EXPECT_FALSE(s.fits(*in.coms[0].commitment, 6, Use::kProof));
  EXPECT_FALSE(kzg().fits(*in.coms[0].commitment, 6, Use::kKey));
  const CommitmentPtr single = kzg().commit(in.values[0], Use::kKey, {Fr::random(rng)}).commitment;
  EXPECT_FALSE(s.fits(*single, 6, Use::kKey));
  EXPECT_TRUE(s.fits(*in.coms[2].commitment, 2, Use::kKey));  // 2^2 <= 2^3: single
  // Bad encodings: rows no narrower than the weight, zero-width rows, a bad row point.
  for (uint32_t rv : {0u, 6u, 7u}) {
    ByteWriter w;
    w.u32(6 | KzgRowCommitment::kRowsFlag);
    w.u32(rv);
    for (const auto& p : rows.rows) w.bytes(p.to_bytes());
    ByteReader r(w.data(), "commitment");
    EXPECT_THROW((void)s.read(r), DecodeError) << rv;
  }
  ByteWriter w;
  rows.serialize(w);
  auto bad = w.take();
  bad[8 + 32 * 2] ^= 0x5a;  // row 2's point (may still decode: then a different row)
  ByteReader r(bad, "commitment");
  try {
    const CommitmentPtr c = s.read(r);
    EXPECT_FALSE(c->equals(*in.coms[0].commitment));
  } catch (const DecodeError&) {
  }
}

TEST(KzgRowsScheme, EveryChangedByteIsRejected) {
  const KzgScheme& s = kzg_rows();
  TestRng rng(test_seed());
  SCOPED_TRACE(seed_note());
  Instance in = make_instance(s, rng, {{6, Use::kKey}, {2, Use::kProof}});
  auto bytes = prove(s, in, rng);
  ASSERT_TRUE(verify(s, in, bytes));
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto bad = bytes;
    bad[i] ^= 0x01;
    EXPECT_FALSE(verify(s, in, bad)) << "byte " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Schemes, SchemeTest, ::testing::ValuesIn(kSchemes),
                         [](const ::testing::TestParamInfo<SchemeCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace zkinfer::pcs
