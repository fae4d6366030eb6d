// kzg keys of version 7 (proof/key_constants.h; issue 15, docs/protocol/evm.md section 4 item 5):
// the constants the verifier holds (fixed and public weights, integer constants) of 64 entries or
// more are committed in the key and opened in the proof's batch opening. Fixed and public weights on
// mlp_digits and cnn_digits prove and verify through the key files (public and private input); the
// key commits exactly the constants it should; a version-6 key of the same model (constants
// evaluated) still verifies, and the proof-size difference is printed; a key whose constant
// commitment is replaced by another valid point (the commitment of the values with one entry
// changed, another constant's commitment), each with a valid opening of what it commits to, is
// rejected by check_key naming the constant; changed key openings and changed opening fields of the
// proof are rejected; Hyrax keys are unchanged.
//
//   ***************************************************************************************
//   *  TEST ONLY: build/test_pot16.ptau (the CTest fixture make_test_ptau16) comes from a  *
//   *  public beacon: its tau is known to anyone, who can forge openings against it.       *
//   ***************************************************************************************
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>

#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "layers/layout.h"
#include "layers/rescale.h"
#include "pcs/kzg.h"
#include "pcs/kzg_scheme.h"
#include "proof/files.h"
#include "proof/key_constants.h"
#include "proof/model_facts.h"
#include "proof/model_proof.h"
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

Mode make_mode(const std::string& name, const VisibilityRecord& vis, TestRng& rng, bool weight_rows = false) {
  return kzg_modes::make_mode(name, vis, rng, weight_rows);
}

// The tensors a version-7 kzg key must commit as public constants, from the model's tensors
// directly: constants that are not withheld, not private weights, whose values fill their shape
// and whose table, each dimension padded to a power of two, has at least 64 entries.
std::vector<size_t> expected_constants(const quant::CompiledModel& m) {
  std::vector<size_t> out;
  for (size_t t = 0; t < m.graph.tensors.size(); ++t) {
    const auto& ti = m.graph.tensors[t];
    if (!ti.is_const || m.is_withheld(static_cast<int>(t))) continue;
    const bool float_weight = ti.dtype == ops::DType::kFloat && ops::numel(ti.shape) > 0 && !m.qconst[t].data.empty();
    if (float_weight && m.visibility.weights == Visibility::kPrivate) continue;
    size_t padded = 1, numel = 1;
    for (int64_t d : ti.shape) {
      const size_t n = d < 1 ? 1 : static_cast<size_t>(d);
      numel *= n;
      padded *= std::bit_ceil(n);
    }
    if (padded >= 64 && m.qconst[t].data.size() == numel) out.push_back(t);
  }
  return out;
}

// The same key as a version-6 one (what setup made before version 7): no constant commitments,
// no constant openings. (These modes commit no weight: no range proof to make again.)
ProvingKey as_version6(const quant::CompiledModel& m, const ProvingKey& pk) {
  ProvingKey old = pk;
  old.vk.version = kKeyVersionKzgV6;
  for (size_t t = 0; t < m.graph.tensors.size(); ++t)
    if (!is_committed_weight(m, static_cast<int>(t))) old.vk.weights[t] = nullptr;
  old.vk.constant_openings.clear();
  return old;
}

// The key's constant openings as setup makes them, but over the given tables (by tensor id): a
// cheater's valid openings of whatever its commitments hold.
std::vector<uint8_t> openings_of(const quant::CompiledModel& m, const VerifyingKey& vk,
                                 const std::map<size_t, std::vector<Fr>>& tables, TestRng& rng) {
  ByteWriter w;
  const auto statement = vk.statement_digest();
  const pcs::KzgBlinds zero{Fr::zero()};
  const pcs::RandomFr random = pcs::random_fr(rng);
  for (const auto& [t, table] : tables) {
    const pcs::KzgCommitment* c = pcs::KzgScheme::as_kzg(*vk.weights[t]);
    transcript::Transcript tr(kKeyConstantsDomain, vk.transcript_encoding());
    tr.absorb_bytes("vk.statement", statement);
    tr.absorb_u64("vk.constant", t);
    auto z = tr.challenges<Fr>("vk.constant_point", c->num_vars);
    const Fr v = mle_eval(table, z);
    const pcs::KzgOpeningWitness item{c, &zero, table, std::move(z), pcs::ProverClaim::plain(v)};
    pcs::prove_batch(*vk.kzg, std::span<const pcs::KzgOpeningWitness>(&item, 1), tr, random).serialize(w);
  }
  return w.data();
}

std::map<size_t, std::vector<Fr>> honest_tables(const quant::CompiledModel& m) {
  std::map<size_t, std::vector<Fr>> out;
  for (size_t t : expected_constants(m)) out[t] = layers::padded_table(shape_of(m, static_cast<int>(t)), m.qconst[t].data);
  return out;
}

void expect_rejected(const Verdict& v, const std::string& part) {
  ASSERT_FALSE(v.ok()) << "accepted; expected a rejection naming: " << part;
  EXPECT_NE(v.reason().find(part), std::string::npos) << v.reason();
}

const std::vector<VisibilityRecord>& records() {
  static const std::vector<VisibilityRecord> r = {
      {Visibility::kPublic, Visibility::kFixed, Visibility::kPublic},    // plain mode: nothing private
      {Visibility::kPrivate, Visibility::kFixed, Visibility::kPublic},   // zero knowledge, fixed weights
      {Visibility::kPublic, Visibility::kPublic, Visibility::kPublic},   // public weights
  };
  return r;
}

// Every mode proves and verifies through the key files, the key commits exactly the expected
// constants, a version-6 key of the same model still verifies its own proofs, each key rejects the
// other's proof, and the proof grows by the constants' opening items.
// check_key's evaluation of a constant's MLE from its unpadded small integers against the padded
// table's MLE (the reference: mle_eval over layers::padded_table), over shapes of rank 0 to 4 with
// and without padding, one-entry dimensions, a long last dimension, and values up to +-(2^63 - 1).
TEST(KzgConstantsTest, ConstantMleFromSmallIntegersMatchesThePaddedTable) {
  TestRng rng(test_seed() + 4);
  SCOPED_TRACE(seed_note());
  const std::vector<std::vector<size_t>> shapes = {
      {},        {1},       {5},        {8},        {3, 3},        {2, 3, 5},    {1, 1, 7},   {512, 3},
      {4, 1, 3, 3}, {3, 5, 1, 2}, {7, 6, 3, 3}, {2, 9, 17}, {1000},  {16, 16}, {33, 2, 2}, {6, 4, 3, 3}};
  int cases = 0;
  for (const auto& dims : shapes)
    for (int mode = 0; mode < 3; ++mode) {
      const layers::PaddedShape s(dims);
      std::vector<int64_t> v(s.unpadded_size());
      for (auto& x : v) {
        const uint64_t r = rng.next_u64();
        x = mode == 0   ? static_cast<int64_t>(r % 511) - 255                      // 9-bit weights
            : mode == 1 ? static_cast<int64_t>(r >> 20) * ((r & 1) ? -1 : 1)      // up to 2^44
                        : ((r & 1) ? INT64_MAX - static_cast<int64_t>(r % 3)        // the extremes
                                   : -INT64_MAX + static_cast<int64_t>(r % 3));
      }
      std::vector<Fr> z(s.num_vars());
      for (auto& c : z) c = Fr::random(rng);
      const Fr want = mle_eval(layers::padded_table(s, v), z);
      EXPECT_EQ(padded_mle_eval_i64(s, v, z), want) << "shape of rank " << dims.size() << ", mode " << mode;
      // One value changed changes the evaluation (the point is random).
      int64_t& w = v[v.size() / 2];
      w = w > 0 ? w - 1 : w + 1;
      EXPECT_NE(padded_mle_eval_i64(s, v, z), want);
      ++cases;
    }
  EXPECT_EQ(cases, 48);
}

TEST(KzgConstantsTest, FixedAndPublicWeightsProveAndVerify) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (const char* name : {"mlp_digits", "cnn_digits"})
    for (const VisibilityRecord& vis : records()) {
      const Mode md = make_mode(name, vis, rng);
      SCOPED_TRACE(label(md));
      const VerifyingKey& vk = md.pk.vk;
      ASSERT_EQ(vk.backend, Backend::kKzg);
      EXPECT_EQ(vk.effective_version(), kKeyVersionKzg);
      // Exactly the expected constants are committed (every weight of 64+ entries among them).
      const auto want = expected_constants(md.model);
      std::vector<size_t> got;
      size_t big_weights = 0;
      for (size_t t = 0; t < md.model.graph.tensors.size(); ++t) {
        if (vk.weights[t]) got.push_back(t);
        const auto& ti = md.model.graph.tensors[t];
        big_weights += ti.is_const && ti.dtype == ops::DType::kFloat && ops::numel(ti.shape) >= 64;
      }
      EXPECT_EQ(got, want);
      ASSERT_GE(got.size(), big_weights);
      ASSERT_GT(big_weights, 0u);
      for (size_t t : got) {
        EXPECT_TRUE(key_commits_constant(md.model, vk, static_cast<int>(t))) << md.model.graph.tensors[t].name;
        // No blind: the commitment is the plain MSM of the values over the powers.
        const auto table = layers::padded_table(shape_of(md.model, static_cast<int>(t)), md.model.qconst[t].data);
        EXPECT_EQ(*pcs::KzgScheme::as_kzg(*vk.weights[t]), pcs::commit_with_blind(*test_srs(), std::span<const Fr>(table), Fr::zero()));
      }
      EXPECT_FALSE(vk.constant_openings.empty());
      Verdict kv = check_key(md.model, vk);
      ASSERT_TRUE(kv) << kv.reason();

      // Through the files: the vk's public model, the pk with its powers.
      const VkFile vf = decode_vk_file(encode_vk_file(vk, quant::encode_public_model(md.model)));
      ASSERT_EQ(vf.vk.digest(), vk.digest());
      EXPECT_EQ(vf.vk.constant_openings, vk.constant_openings);
      EXPECT_EQ(vf.vk.version, kKeyVersionKzg);
      // The key's embedded model trusts its checked digest (nothing re-encoded per verification,
      // session 15), which is the digest a fresh encoding gives; a copy without the mark
      // recomputes the same value, and a changed copy without it another.
      EXPECT_TRUE(vf.model.digest_is_public);
      EXPECT_EQ(quant::public_digest(vf.model), vk.model_digest);
      quant::CompiledModel fresh = vf.model;
      fresh.digest_is_public = false;
      if (fresh.withheld.empty()) {  // fixed or public weights: the digest is recomputed
        EXPECT_EQ(quant::public_digest(fresh), vk.model_digest);
        for (size_t t = 0; t < fresh.qconst.size(); ++t)
          if (!fresh.qconst[t].data.empty()) {
            fresh.qconst[t].data[0] += 1;
            break;
          }
        EXPECT_NE(quant::public_digest(fresh), vk.model_digest);
      }
      const ProvingKey pk = decode_pk_file(encode_pk_file(md.pk));
      ProveStats st;
      const auto proof = prove(md.model, pk, md.trace, pcs::random_fr(rng), &st);
      std::vector<ops::ITensor> outs;
      Verdict v = verify(vf.model, vf.vk, proof, nullptr, &outs, md.public_input());
      ASSERT_TRUE(v) << v.reason();
      ASSERT_EQ(outs.size(), 1u);
      EXPECT_EQ(outs[0].data, md.trace.values[md.model.graph.outputs[0]].data);

      // The version-6 key: constants evaluated by the verifier, no commitment of them.
      const ProvingKey old = as_version6(md.model, md.pk);
      ASSERT_TRUE(check_key(md.model, old.vk)) << check_key(md.model, old.vk).reason();
      const VkFile of = decode_vk_file(encode_vk_file(old.vk, quant::encode_public_model(md.model)));
      EXPECT_EQ(of.vk.version, kKeyVersionKzgV6);
      ProveStats st6;
      const auto proof6 = prove(md.model, decode_pk_file(encode_pk_file(old)), md.trace, pcs::random_fr(rng), &st6);
      v = verify(of.model, of.vk, proof6, nullptr, nullptr, md.public_input());
      ASSERT_TRUE(v) << v.reason();
      expect_rejected(verify(vf.model, vf.vk, proof6, nullptr, nullptr, md.public_input()), "another verifying key");
      expect_rejected(verify(of.model, of.vk, proof, nullptr, nullptr, md.public_input()), "another verifying key");
      // The opening items are added: nothing else of the proof changes size but, in zero-knowledge
      // modes, the pads' block (version 8: one KZG chunk where the Hyrax rows of 256 were 2 or 3;
      // part of commit_bytes).
      EXPECT_GT(st.open_bytes, st6.open_bytes);
      EXPECT_EQ(proof.size() - st.open_bytes - st.commit_bytes, proof6.size() - st6.open_bytes - st6.commit_bytes);
      EXPECT_LE(st.commit_bytes, st6.commit_bytes);
      EXPECT_EQ((st6.commit_bytes - st.commit_bytes) % 32, 0u);
      std::printf("%s: %zu constants committed (%zu of 64+ entries are weights); proof %zu bytes (v6 key: %zu, +%zd), "
                  "opening %zu (v6: %zu); vk key part %zu bytes (v6: %zu; constant openings %zu)\n",
                  label(md).c_str(), got.size(), big_weights, proof.size(), proof6.size(),
                  static_cast<ptrdiff_t>(proof.size()) - static_cast<ptrdiff_t>(proof6.size()), st.open_bytes, st6.open_bytes,
                  vk.size_bytes(), old.vk.size_bytes(), vk.constant_openings.size());
    }
}

// A key whose constant commitment is another valid point, with a valid opening of what that point
// commits to, is rejected by check_key naming the constant; so are changed or missing openings and a
// missing commitment; and verify refuses a proof under such a key.
TEST(KzgConstantsTest, ReplacedConstantCommitmentIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 1);
  const Mode md = make_mode("mlp_digits", records()[0], rng);
  const auto proof = prove(md.model, md.pk, md.trace, pcs::random_fr(rng));
  ASSERT_TRUE(verify(md.model, md.pk.vk, proof, nullptr, nullptr, md.public_input()));
  const auto tables = honest_tables(md.model);
  ASSERT_GE(tables.size(), 2u);
  // The test's openings of the honest tables pass (so a rejection below is the values' doing).
  {
    VerifyingKey vk = md.pk.vk;
    vk.constant_openings = openings_of(md.model, vk, tables, rng);
    Verdict v = check_key(md.model, vk);
    ASSERT_TRUE(v) << v.reason();
  }
  const size_t t0 = tables.begin()->first;
  const std::string name0 = md.model.graph.tensors[t0].name;
  // (1) The commitment of the values with one entry changed, opened validly to those values.
  {
    auto cheat = tables;
    cheat[t0][3] += Fr::one();
    VerifyingKey vk = md.pk.vk;
    vk.weights[t0] = pcs::KzgScheme::wrap(pcs::commit_with_blind(*test_srs(), std::span<const Fr>(cheat[t0]), Fr::zero()));
    vk.constant_openings = openings_of(md.model, vk, cheat, rng);
    expect_rejected(check_key(md.model, vk), "vk: commitment of constant " + name0 + " does not match its values");
    expect_rejected(verify(md.model, vk, proof, nullptr, nullptr, md.public_input()),
                    "commitment of constant " + name0 + " does not match its values");
    // The cheater's openings of the honest tables under that key fail as well.
    vk.constant_openings = openings_of(md.model, vk, tables, rng);
    expect_rejected(check_key(md.model, vk), "vk: commitment of constant " + name0 + " does not match its values");
  }
  // (2) Another constant's commitment of the same size (or, if none has t0's size, that of t0's
  // values shifted by one place: another valid point of the right size), opened validly.
  {
    auto cheat = tables;
    VerifyingKey vk = md.pk.vk;
    size_t donor = 0;
    for (const auto& [t, tab] : tables)
      if (t != t0 && tab.size() == tables.at(t0).size()) donor = t;
    if (donor != 0) {
      vk.weights[t0] = md.pk.vk.weights[donor];
      cheat[t0] = tables.at(donor);
    } else {
      std::rotate(cheat[t0].begin(), cheat[t0].begin() + 1, cheat[t0].end());
      vk.weights[t0] = pcs::KzgScheme::wrap(pcs::commit_with_blind(*test_srs(), std::span<const Fr>(cheat[t0]), Fr::zero()));
    }
    std::printf("replaced commitment of %s (%zu entries padded) with %s\n", name0.c_str(), tables.at(t0).size(),
                donor != 0 ? ("constant " + md.model.graph.tensors[donor].name + "'s").c_str() : "its values rotated");
    vk.constant_openings = openings_of(md.model, vk, cheat, rng);
    expect_rejected(check_key(md.model, vk), "vk: commitment of constant " + name0 + " does not match its values");
  }
  // (3) Any other constant's commitment swapped in (every committed constant tried in turn).
  for (const auto& [t, tab] : tables) {
    if (t == t0) continue;
    VerifyingKey vk = md.pk.vk;
    vk.weights[t] = md.pk.vk.weights[t0];
    Verdict v = check_key(md.model, vk);
    EXPECT_FALSE(v.ok()) << md.model.graph.tensors[t].name;
  }
  // (4) Changed, truncated, extended and missing openings; a missing commitment; a commitment with a
  // blind (same values, another point: its opening by the honest tables fails).
  {
    const auto& good = md.pk.vk.constant_openings;
    for (size_t off : {size_t{9}, good.size() / 3, good.size() / 2, good.size() - 1}) {
      VerifyingKey vk = md.pk.vk;
      vk.constant_openings[off] ^= 0x02;
      EXPECT_FALSE(check_key(md.model, vk).ok()) << "byte " << off;
    }
    VerifyingKey vk = md.pk.vk;
    vk.constant_openings.pop_back();
    EXPECT_FALSE(check_key(md.model, vk).ok());
    vk = md.pk.vk;
    vk.constant_openings.push_back(0);
    expect_rejected(check_key(md.model, vk), "bytes after the constants' openings");
    vk = md.pk.vk;
    vk.constant_openings.clear();
    expect_rejected(check_key(md.model, vk), "does not match its values");
    vk = md.pk.vk;
    vk.weights[t0] = nullptr;
    expect_rejected(check_key(md.model, vk), "constant commitments do not match the model (tensor " + name0 + ")");
    vk = md.pk.vk;
    vk.weights[t0] = pcs::KzgScheme::wrap(
        pcs::commit_with_blind(*test_srs(), std::span<const Fr>(tables.at(t0)), Fr::from_u64(12345)));
    vk.constant_openings = openings_of(md.model, vk, tables, rng);
    expect_rejected(check_key(md.model, vk), "vk: commitment of constant " + name0 + " does not match its values");
    // A version-6 key keeping the constants' commitments or openings is refused.
    ProvingKey old = as_version6(md.model, md.pk);
    old.vk.weights[t0] = md.pk.vk.weights[t0];
    expect_rejected(check_key(md.model, old.vk), "constant commitments do not match the model");
    old = as_version6(md.model, md.pk);
    old.vk.constant_openings = md.pk.vk.constant_openings;
    expect_rejected(check_key(md.model, old.vk), "constant openings in a key of a version without them");
  }
}

// The proof's opening of the committed constants: every field of the batch opening (where the
// constants' values at the reduced point and their HyperKZG items are) changed in one byte is
// rejected, in plain mode and in zero-knowledge mode.
TEST(KzgConstantsTest, ChangedOpeningFieldsAreRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 2);
  for (const VisibilityRecord& vis : {records()[0], records()[1]}) {
    const Mode md = make_mode("mlp_digits", vis, rng);
    SCOPED_TRACE(label(md));
    ProveStats st;
    const auto proof = prove(md.model, md.pk, md.trace, pcs::random_fr(rng), &st);
    std::vector<ByteField> fields;
    Verdict v = proof_fields(md.model, md.pk.vk, proof, &fields, md.public_input());
    ASSERT_TRUE(v) << v.reason();
    const size_t open_from = st.lookup_offset + st.lookup_bytes;
    size_t tried = 0;
    for (const auto& f : fields) {
      if (f.offset < open_from) continue;
      for (size_t off : {f.offset, f.offset + f.size - 1}) {
        auto bad = proof;
        bad[off] ^= 0x01;
        EXPECT_FALSE(verify(md.model, md.pk.vk, bad, nullptr, nullptr, md.public_input()).ok())
            << "byte " << off << " (field at " << f.offset << ", " << f.size << " bytes) changed and the proof verifies";
        ++tried;
      }
    }
    EXPECT_GT(tried, 20u);
    std::printf("%s: %zu changed opening bytes rejected\n", label(md).c_str(), tried);
  }
}

// Hyrax keys are unchanged: fixed weights get no commitment, the key is version 5, and it has no
// constant openings.
TEST(KzgConstantsTest, HyraxKeysAreUnchanged) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 3);
  graph::Graph g = graph::load_onnx_file(example("mlp_digits", "model.onnx"));
  auto samples = graph::parse_samples(graph::read_text(example("mlp_digits", "input.json")), "input.json", g);
  quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  m.visibility = records()[0];
  quant::encode_model(m);
  const ProvingKey pk = setup_keys(m, pcs::random_fr(rng));
  EXPECT_EQ(pk.vk.effective_version(), kKeyVersionHyrax);
  EXPECT_TRUE(pk.vk.weights.entries().empty());
  EXPECT_TRUE(pk.vk.constant_openings.empty());
  for (size_t t = 0; t < m.graph.tensors.size(); ++t) EXPECT_FALSE(key_commits_constant(m, pk.vk, static_cast<int>(t)));
  EXPECT_GT(expected_constants(m).size(), 0u);
  EXPECT_GE(kzg_max_vars(m), key_constant_max_vars(m));
}

}  // namespace
}  // namespace zkinfer::proof
