// kzg keys of version 9 (`setup --backend kzg --kzg-weight-rows on`; docs/protocol/kzg.md section 6
// item 3): private weights of more than 2^L entries committed in rows of 2^L, the proof's batch
// opening at rho[0..N') with N' = max(L, every unchunked commitment), the weight range proof opening
// each weight's rows combined. Honest proofs in every visibility mode, through the key files;
// changed rows, row widths, proof bytes, another model's proof and a version-8 proof rejected with
// a reason; version-8 keys (the default) unchanged. (The row combination itself against the single
// commitment: pcs_test's KzgRowsScheme.*.)
//
// TEST ONLY: build/test_pot16.ptau has a publicly known tau (kzg_proof_test.cc's banner).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "layers/layout.h"
#include "layers/rescale.h"
#include "pcs/kzg.h"
#include "pcs/kzg_scheme.h"
#include "proof/files.h"
#include "proof/model_facts.h"
#include "proof/model_proof.h"
#include "proof/weight_bounds.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"
#include "kzg_modes.h"
#include "test_seed.h"

namespace zkinfer::proof {
namespace {

using field::Fr;
using quant::Visibility;
using quant::VisibilityRecord;
using testing::seed_note;
using testing::test_seed;

using kzg_modes::example;
using kzg_modes::label;
using kzg_modes::Mode;
using kzg_modes::test_srs;

Mode make_mode(const std::string& name, const VisibilityRecord& vis, TestRng& rng, bool weight_rows = true) {
  return kzg_modes::make_mode(name, vis, rng, weight_rows);
}

void expect_rejected(const Verdict& v, const std::string& part) {
  ASSERT_FALSE(v.ok()) << "accepted; expected a rejection naming: " << part;
  EXPECT_NE(v.reason().find(part), std::string::npos) << v.reason();
}

const VisibilityRecord kDefault{Visibility::kPrivate, Visibility::kPrivate, Visibility::kPublic};

// The default-visibility mlp_digits with a version-9 key (made once).
const Mode& mlp_rows() {
  static TestRng rng(test_seed() + 9);
  static const Mode m = make_mode("mlp_digits", kDefault, rng);
  return m;
}

// Every mode: the key is version 9 with L = max(10, widest proof vector), each private weight of
// more than 2^L entries is 2^(n - L) rows and every other commitment a single one, the key passes
// check_key, and a proof through the key files verifies with the right output.
TEST(KzgRowsTest, HonestProofsVerifyInEveryVisibilityMode) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  struct Run {
    const char* model;
    VisibilityRecord vis;
  };
  const std::vector<Run> runs = {
      {"mlp_digits", kDefault},
      {"mlp_digits", {Visibility::kPrivate, Visibility::kPrivate, Visibility::kPrivate}},
      {"mlp_digits", {Visibility::kPublic, Visibility::kFixed, Visibility::kPublic}},   // plain
      {"mlp_digits", {Visibility::kPublic, Visibility::kPublic, Visibility::kPublic}},
      {"cnn_digits", kDefault},
  };
  for (const Run& run : runs) {
    const Mode md = make_mode(run.model, run.vis, rng);
    SCOPED_TRACE(label(md));
    const VerifyingKey& vk = md.pk.vk;
    ASSERT_EQ(vk.effective_version(), kKeyVersionKzgRows);
    EXPECT_EQ(vk.kzg_row_vars, kzg_row_vars(md.model));
    EXPECT_GE(vk.kzg_row_vars, kKzgMinRowVars);
    size_t chunked = 0;
    for (size_t t = 0; t < md.model.graph.tensors.size(); ++t) {
      if (!vk.weights[t]) continue;
      const size_t n = shape_of(md.model, static_cast<int>(t)).num_vars();
      const auto* rows = pcs::KzgScheme::as_kzg_rows(*vk.weights[t]);
      const bool weight = is_committed_weight(md.model, static_cast<int>(t));
      if (weight && n > vk.kzg_row_vars) {
        ASSERT_NE(rows, nullptr) << md.model.graph.tensors[t].name;
        EXPECT_EQ(rows->rows.size(), size_t{1} << (n - vk.kzg_row_vars));
        EXPECT_EQ(md.pk.blinds[t].size(), rows->rows.size());
        ++chunked;
      } else {
        EXPECT_EQ(rows, nullptr) << md.model.graph.tensors[t].name;
        EXPECT_NE(pcs::KzgScheme::as_kzg(*vk.weights[t]), nullptr);
      }
    }
    // mlp_digits' and cnn_digits' largest weights (2^12, 2^13) are chunked when they are private.
    EXPECT_EQ(chunked > 0, run.vis.weights == Visibility::kPrivate);
    Verdict kv = check_key(md.model, vk);
    ASSERT_TRUE(kv) << kv.reason();
    const VkFile vf = decode_vk_file(encode_vk_file(vk, quant::encode_public_model(md.model)));
    ASSERT_EQ(vf.vk.version, kKeyVersionKzgRows);
    EXPECT_EQ(vf.vk.kzg_row_vars, vk.kzg_row_vars);
    ASSERT_EQ(vf.vk.digest(), vk.digest());
    const ProvingKey pk = decode_pk_file(encode_pk_file(md.pk));
    const auto proof = prove(md.model, pk, md.trace, pcs::random_fr(rng));
    std::vector<ops::ITensor> outs;
    Verdict v = verify(vf.model, vf.vk, proof, nullptr, &outs, md.public_input());
    ASSERT_TRUE(v) << v.reason();
    if (run.vis.output == Visibility::kPublic) {
      ASSERT_EQ(outs.size(), 1u);
      EXPECT_EQ(outs[0].data, md.trace.values[md.model.graph.outputs[0]].data);
    } else {
      EXPECT_TRUE(outs.empty());  // a private output: only its commitment is in the proof
    }
  }
}

// The default key is still version 8 (single commitments, no row width in the key), proves and
// verifies; a version-8 and a version-9 key of one model reject each other's proofs; the version-9
// proof is smaller (its batch opening is over 2^L, not the largest weight's 2^N).
TEST(KzgRowsTest, Version8KeysAreTheDefaultAndKeepTheirLayout) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  const Mode old = make_mode("mlp_digits", kDefault, rng, false);
  ASSERT_EQ(old.pk.vk.effective_version(), kKeyVersionKzg);
  EXPECT_EQ(old.pk.vk.kzg_row_vars, 0u);
  for (const auto& [t, c] : old.pk.vk.weights.entries())
    if (c) EXPECT_EQ(pcs::KzgScheme::as_kzg_rows(*c), nullptr);
  const VkFile of = decode_vk_file(encode_vk_file(old.pk.vk, quant::encode_public_model(old.model)));
  EXPECT_EQ(of.vk.version, kKeyVersionKzg);
  const auto p8 = prove(old.model, old.pk, old.trace, pcs::random_fr(rng));
  Verdict v = verify(of.model, of.vk, p8, nullptr, nullptr, old.public_input());
  ASSERT_TRUE(v) << v.reason();

  const Mode& md = mlp_rows();
  const VkFile vf = decode_vk_file(encode_vk_file(md.pk.vk, quant::encode_public_model(md.model)));
  const auto p9 = prove(md.model, md.pk, md.trace, pcs::random_fr(rng));
  ASSERT_TRUE(verify(vf.model, vf.vk, p9, nullptr, nullptr, md.public_input()));
  expect_rejected(verify(vf.model, vf.vk, p8, nullptr, nullptr, md.public_input()), "another verifying key");
  expect_rejected(verify(of.model, of.vk, p9, nullptr, nullptr, old.public_input()), "another verifying key");
  // mlp_digits: N = 12 -> N' = 10: two folds (G1) and 2 x 3 evaluations fewer.
  EXPECT_EQ(p8.size() - p9.size(), size_t{2} * 32 + 2 * 3 * 32) << p8.size() << " vs " << p9.size();
  std::printf("mlp_digits: proof %zu bytes (version 8) -> %zu (version 9, L = %u)\n", p8.size(), p9.size(),
              md.pk.vk.kzg_row_vars);
}

// Changes to the key's rows, its row width, the proof, and another model's proof are rejected.
TEST(KzgRowsTest, ChangedRowsProofsAndModelsAreRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 2);
  const Mode& md = mlp_rows();
  const VerifyingKey& vk = md.pk.vk;
  const auto proof = prove(md.model, md.pk, md.trace, pcs::random_fr(rng));
  ASSERT_TRUE(verify(md.model, vk, proof));
  size_t t = 0;
  while (t < vk.weights.size() && !(vk.weights[t] && pcs::KzgScheme::as_kzg_rows(*vk.weights[t]))) ++t;
  ASSERT_LT(t, vk.weights.size()) << "no weight in rows";
  const pcs::KzgRowCommitment rows = *pcs::KzgScheme::as_kzg_rows(*vk.weights[t]);
  ASSERT_GE(rows.rows.size(), 2u);
  {  // two rows swapped: the weight range proof (bound to the rows) fails
    VerifyingKey bad = vk;
    pcs::KzgRowCommitment r = rows;
    std::swap(r.rows[0], r.rows[1]);
    bad.weights[t] = pcs::KzgScheme::wrap_rows(r);
    expect_rejected(check_key(md.model, bad), "weight range proof");
    EXPECT_FALSE(verify(md.model, bad, proof));
  }
  {  // a row replaced by another point
    VerifyingKey bad = vk;
    pcs::KzgRowCommitment r = rows;
    r.rows.back() = (pcs::G1(r.rows.back()) + pcs::G1(vk.kzg->g1())).to_affine();
    bad.weights[t] = pcs::KzgScheme::wrap_rows(r);
    EXPECT_FALSE(check_key(md.model, bad));
    EXPECT_FALSE(verify(md.model, bad, proof));
  }
  {  // the weight as one commitment in a version-9 key: its layout
    VerifyingKey bad = vk;
    bad.weights[t] = pcs::KzgScheme::wrap({rows.num_vars, rows.rows[0]});
    expect_rejected(check_key(md.model, bad), "layout");
  }
  {  // another row width stated by the key: every chunked weight's layout differs
    VerifyingKey bad = vk;
    bad.kzg_row_vars = vk.kzg_row_vars + 1;
    expect_rejected(check_key(md.model, bad), "layout");
    bad.kzg_row_vars = 3;
    expect_rejected(check_key(md.model, bad), "weight rows");
    ByteWriter w;
    bad.serialize(w);
    ByteReader r(w.data(), "vk");
    EXPECT_THROW((void)VerifyingKey::deserialize(r), DecodeError);
  }
  {  // a hyrax key stating version 9 is refused, by its version
    ByteWriter w;
    w.bytes(std::array<uint8_t, 4>{'Z', 'K', 'V', 'K'});
    w.u32(kKeyVersionKzgRows);
    w.u8(static_cast<uint8_t>(Backend::kHyrax));
    ByteReader r(w.data(), "vk");
    try {
      (void)VerifyingKey::deserialize(r);
      ADD_FAILURE() << "a hyrax key of version 9 was accepted";
    } catch (const DecodeError& e) {
      EXPECT_NE(std::string(e.what()).find("a hyrax key of version 9"), std::string::npos) << e.what();
    }
  }
  // Changed proof bytes: a spread of positions, the last ones (the batch opening) among them.
  size_t rejected = 0, tried = 0;
  for (size_t i = 0; i < proof.size(); i += std::max<size_t>(1, proof.size() / 40)) {
    auto bad = proof;
    bad[i] ^= 0x04;
    ++tried;
    rejected += !verify(md.model, vk, bad).ok();
  }
  for (size_t k = 1; k <= 64; k += 7) {
    auto bad = proof;
    bad[bad.size() - k] ^= 0x01;
    ++tried;
    rejected += !verify(md.model, vk, bad).ok();
  }
  EXPECT_EQ(rejected, tried);
  // Another model's proof (cnn_digits, its own version-9 key).
  TestRng rng2(test_seed() + 3);
  const Mode cnn = make_mode("cnn_digits", kDefault, rng2);
  const auto cproof = prove(cnn.model, cnn.pk, cnn.trace, pcs::random_fr(rng2));
  ASSERT_TRUE(verify(cnn.model, cnn.pk.vk, cproof));
  EXPECT_FALSE(verify(md.model, vk, cproof));
  EXPECT_FALSE(verify(cnn.model, cnn.pk.vk, proof));
}

// The weight range proof over rows: a weight out of its declared width, committed in rows, with a
// range proof made for a wrapped (in-range) value, is rejected.
TEST(KzgRowsTest, OutOfRangeWeightInRowsIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 4);
  const Mode& m = mlp_rows();
  const auto items = weight_bound_items(m.model, m.pk.vk);
  size_t i0 = 0;
  while (i0 < items.size() && !pcs::KzgScheme::as_kzg_rows(*items[i0].commitment)) ++i0;
  ASSERT_LT(i0, items.size());
  size_t t = 0;
  while (m.model.graph.tensors[t].name != items[i0].name) ++t;
  const layers::PaddedShape s(items[i0].bound.dims);
  const int64_t lim = int64_t{1} << items[i0].bound.bits;
  std::vector<int64_t> cheat = m.model.qconst[t].data;
  cheat[5] = lim + 3;
  std::vector<int64_t> wrapped = cheat;
  wrapped[5] -= 2 * lim;
  VerifyingKey vk = m.pk.vk;
  static const pcs::HyraxParams pads(6);
  const pcs::KzgScheme scheme(test_srs(), pads, 6, true, vk.kzg_row_vars);
  const auto padded_i = layers::detail::padded_i64(s, cheat);
  std::vector<Fr> zero(scheme.blind_count(s.num_vars(), pcs::Use::kKey), Fr::zero());
  vk.weights[t] = scheme.commit(padded_i, pcs::Use::kKey, zero).commitment;
  ASSERT_NE(pcs::KzgScheme::as_kzg_rows(*vk.weights[t]), nullptr);
  vk.weight_bounds.clear();
  const auto items2 = weight_bound_items(m.model, vk);
  const auto padded = layers::padded_table(s, cheat);
  std::vector<WeightBoundWitness> wit(items2.size());
  std::vector<int64_t> v;
  std::vector<std::vector<Fr>> zeros(items2.size());
  for (size_t i = 0; i < items2.size(); ++i) {
    size_t id = 0;
    while (m.model.graph.tensors[id].name != items2[i].name) ++id;
    if (id == t) {
      wit[i].field_values = padded;
      zeros[i] = zero;
      wit[i].blinds = zeros[i];
      std::vector<int64_t> shifted = wrapped;
      for (auto& x : shifted) x += lim;
      v = layers::detail::padded_i64(s, shifted);
      wit[i].forced_v = v;
    } else {
      wit[i].values = m.model.qconst[id].data;
      wit[i].blinds = m.pk.blinds[id];
    }
  }
  vk.weight_bounds = prove_weight_bounds(key_params(m.model, vk), items2, wit, vk.statement_digest(), pcs::random_fr(rng), test_srs().get());
  expect_rejected(check_key(m.model, vk), "weight range proof");
}

}  // namespace
}  // namespace zkinfer::proof
