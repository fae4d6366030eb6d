// The kzg backend end to end (pcs/kzg_scheme.h, docs/protocol/kzg.md): keys made with a powers-of-
// tau file, proofs of mlp_digits and cnn_digits in the default visibility (private input and
// weights, public output), their rejections, the keys' files, and the weight range proof over KZG
// weight commitments.
//
//   ***************************************************************************************
//   *  TEST ONLY: the .ptau these tests read (build/test_pot16.ptau, made by               *
//   *  scripts/make-test-ptau.sh through the CTest fixture make_test_ptau16) comes from a  *
//   *  public beacon: its tau is known to anyone, who can forge openings against it.       *
//   *  Real keys need a ceremony file (docs/protocol/kzg.md, "Using a ceremony file").    *
//   ***************************************************************************************
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "pcs/kzg.h"
#include "pcs/kzg_scheme.h"
#include "proof/files.h"
#include "proof/model_facts.h"
#include "proof/model_proof.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"
#include "proof_offsets.h"
#include "test_seed.h"

namespace zkinfer::proof {
namespace {

using field::Fr;
using testing::seed_note;
using testing::test_seed;

std::string example(const std::string& name, const std::string& file) {
  return std::string(ZKINFER_SOURCE_DIR) + "/examples/" + name + "/" + file;
}

// The TEST-ONLY SRS (see the banner above), loaded and checked once.
std::shared_ptr<const pcs::KzgParams> test_srs() {
  static std::shared_ptr<const pcs::KzgParams> srs = [] {
    const std::string path = ZKINFER_TEST_PTAU;
    std::fprintf(stderr,
                 "*** kzg_proof_test: %s is a TEST-ONLY powers of tau (public beacon, known tau): never use it for "
                 "real keys ***\n",
                 path.c_str());
    if (!std::filesystem::exists(path))
      ADD_FAILURE() << path << " is missing: run scripts/make-test-ptau.sh 16 " << path
                    << " (CTest's fixture make_test_ptau16 does it; needs node and npm)";
    return std::make_shared<const pcs::KzgParams>(pcs::KzgParams::from_ptau_file(path, 16));
  }();
  return srs;
}

struct Case {
  quant::CompiledModel model;
  quant::Trace trace;
  ProvingKey pk;
};

Case make_case(const std::string& name, TestRng& rng) {
  Case c;
  graph::Graph g = graph::load_onnx_file(example(name, "model.onnx"));
  auto samples = graph::parse_samples(graph::read_text(example(name, "input.json")), "input.json", g);
  c.model = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  quant::encode_model(c.model);
  c.trace = quant::run_int(c.model, quant::quantize_inputs(c.model, graph::make_inputs(c.model.graph, samples[0].inputs, "input.json")));
  c.pk = setup_keys(c.model, pcs::random_fr(rng), {}, test_srs());
  return c;
}

const Case& mlp() {
  static TestRng rng(test_seed());
  static const Case c = make_case("mlp_digits", rng);
  return c;
}
const Case& cnn() {
  static TestRng rng(test_seed() + 1);
  static const Case c = make_case("cnn_digits", rng);
  return c;
}

void expect_rejected(const Verdict& v, const std::string& part) {
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.reason().find(part), std::string::npos) << v.reason();
}

TEST(KzgProofTest, HonestProofsVerifyThroughTheKeyFiles) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (const Case* c : {&mlp(), &cnn()}) {
    ASSERT_EQ(c->pk.vk.backend, Backend::kKzg);
    Verdict kv = check_key(c->model, c->pk.vk);
    ASSERT_TRUE(kv) << kv.reason();
    // The keys as the CLI writes and reads them: the pk carries the powers, the vk only the
    // verifier's SRS elements.
    const ProvingKey pk = decode_pk_file(encode_pk_file(c->pk));
    ASSERT_TRUE(pk.vk.kzg && pk.vk.kzg->has_powers());
    const VkFile vf = decode_vk_file(encode_vk_file(c->pk.vk, quant::encode_public_model(c->model)));
    ASSERT_EQ(vf.vk.backend, Backend::kKzg);
    ASSERT_FALSE(vf.vk.kzg->has_powers());
    EXPECT_EQ(vf.vk.digest(), c->pk.vk.digest());
    ProveStats st;
    const auto proof = prove(c->model, pk, c->trace, pcs::random_fr(rng), &st);
    ops::ITensor out;
    Verdict v = verify(vf.model, vf.vk, proof, &out);
    ASSERT_TRUE(v) << v.reason();
    EXPECT_EQ(out.data, c->trace.values[c->model.graph.outputs[0]].data);
    std::printf("%s: kzg proof %zu bytes (opening %zu), vk key part %zu bytes, pk %zu bytes\n",
                c->model.graph.nodes.empty() ? "?" : c == &mlp() ? "mlp_digits" : "cnn_digits", proof.size(),
                st.open_bytes, c->pk.vk.size_bytes(), encode_pk_file(c->pk).size());
    // A verifying key cannot prove (it has no powers).
    EXPECT_THROW((void)prove(c->model, vf.vk, c->trace, pcs::random_fr(rng)), Error);
  }
}

// Every field of the proof as the verifier enumerates it (proof_fields), changed in one byte, is
// rejected; and a systematic sample of every 7th byte of the whole proof.
TEST(KzgProofTest, ChangedProofBytesAreRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const Case& c = mlp();
  const auto proof = prove(c.model, c.pk, c.trace, pcs::random_fr(rng));
  std::vector<ByteField> fields;
  ASSERT_TRUE(proof_fields(c.model, c.pk.vk, proof, &fields));
  ASSERT_GT(fields.size(), 10u);
  size_t tried = 0;
  std::vector<size_t> offsets;
  for (const auto& f : fields) offsets.push_back(f.offset + f.size / 2);
  for (size_t i = 0; i < proof.size(); i += 7) offsets.push_back(i);
  for (size_t i = proof.size() - std::min<size_t>(proof.size(), 700); i < proof.size(); ++i) offsets.push_back(i);  // the openings
  for (size_t off : offsets) {
    auto bad = proof;
    bad[off] ^= 0x04;
    Verdict v = verify(c.model, c.pk.vk, bad);
    EXPECT_FALSE(v.ok()) << "byte " << off << " of " << proof.size() << " changed and the proof still verifies";
    EXPECT_FALSE(v.reason().empty());
    ++tried;
  }
  auto shorter = proof;
  shorter.pop_back();
  EXPECT_FALSE(verify(c.model, c.pk.vk, shorter).ok());
  auto longer = proof;
  longer.push_back(0);
  EXPECT_FALSE(verify(c.model, c.pk.vk, longer).ok());
  std::printf("mlp_digits kzg proof (%zu bytes, %zu fields): %zu changed bytes rejected\n", proof.size(), fields.size(), tried);
}

TEST(KzgProofTest, ChangedOutputIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const Case& c = cnn();
  auto proof = prove(c.model, c.pk, c.trace, pcs::random_fr(rng));
  // The header: magic, version, backend, vk digest, then u64 count, u8 width and the packed outputs.
  const size_t first = testing::kFirstOutputByte;
  for (size_t k : {size_t{0}, size_t{3}, size_t{6}}) {
    auto bad = proof;
    bad[first + k] ^= 0x01;
    Verdict v = verify(c.model, c.pk.vk, bad);
    EXPECT_FALSE(v.ok()) << "output " << k;
  }
}

TEST(KzgProofTest, OtherModelsKeyAndOtherBackendAreRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const Case& m = mlp();
  const Case& c = cnn();
  const auto proof = prove(m.model, m.pk, m.trace, pcs::random_fr(rng));
  expect_rejected(verify(m.model, c.pk.vk, proof), "another model");
  // cnn's key with mlp's public model: the key is for another model.
  expect_rejected(verify(c.model, m.pk.vk, prove(c.model, c.pk, c.trace, pcs::random_fr(rng))), "another");
  // Another kzg key of the same model (other blinds): another verifying key.
  ProvingKey other = setup_keys(m.model, pcs::random_fr(rng), {}, test_srs());
  expect_rejected(verify(m.model, other.vk, proof), "another verifying key");
  // A Hyrax proof given to the kzg key, and the kzg proof given to a Hyrax key: named.
  ProvingKey hyrax = setup_keys(m.model, pcs::random_fr(rng));
  ASSERT_EQ(hyrax.vk.backend, Backend::kHyrax);
  const auto hproof = prove(m.model, hyrax, m.trace, pcs::random_fr(rng));
  ASSERT_TRUE(verify(m.model, hyrax.vk, hproof));
  expect_rejected(verify(m.model, m.pk.vk, hproof), "made with the hyrax backend, the verifying key is for kzg");
  expect_rejected(verify(m.model, hyrax.vk, proof), "made with the kzg backend, the verifying key is for hyrax");
}

// Key version 7 (what setup makes for kzg; 6 is the same for these models, which have no public
// constant of 64 entries or more: kzg_constants_test.cc) proves with transcript v2 (big-endian, the
// kzg opening's point once per group) and the one-witness opening; a version-4 kzg key (made before) still proves
// and verifies with v2 and three witnesses, a version-3 one with v1 and three witnesses, through the
// key files; each key rejects the others' proofs; a hyrax key stated as a kzg version (or as version
// 3, balanced weight rows) is refused, and a kzg key stated as hyrax's version 5.
TEST(KzgProofTest, KeyVersionSelectsTheTranscriptAndTheOpening) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const Case& m = mlp();
  EXPECT_EQ(m.pk.vk.effective_version(), kKeyVersionKzg);
  EXPECT_EQ(m.pk.vk.transcript_encoding(), transcript::Encoding::kV2);
  EXPECT_EQ(m.pk.vk.kzg->form(), pcs::KzgForm::kOneWitness);
  const auto p_new = prove(m.model, m.pk, m.trace, pcs::random_fr(rng));
  Verdict v = verify(m.model, m.pk.vk, p_new);
  ASSERT_TRUE(v) << v.reason();
  std::vector<std::vector<uint8_t>> proofs = {p_new};
  std::vector<VerifyingKey> vks = {m.pk.vk};
  for (const uint32_t version : {kKeyVersion, kKeyVersionKzgV4}) {
    SCOPED_TRACE("key version " + std::to_string(version));
    ProvingKey old = m.pk;
    old.vk.version = version;  // a kzg key as made before version 6
    old.vk.kzg = std::make_shared<const pcs::KzgParams>(old.vk.kzg->with_form(pcs::KzgForm::kThreeWitnesses));
    {
      // Its weight range proof is bound to the key's statement (the version included): made again,
      // as setup made it for that version.
      old.vk.weight_bounds.clear();
      const auto items = weight_bound_items(m.model, std::as_const(old.vk));
      std::vector<WeightBoundWitness> wit;
      for (size_t t = 0; t < m.model.graph.tensors.size(); ++t)
        if (is_committed_weight(m.model, static_cast<int>(t)))
          wit.push_back({committed_values(m.model, static_cast<int>(t)), std::as_const(old.blinds)[t]});
      old.vk.weight_bounds = prove_weight_bounds(key_params(m.model, old.vk), items, wit, old.vk.statement_digest(),
                                                 pcs::random_fr(rng), old.vk.kzg.get());
      Verdict kv = check_key(m.model, old.vk);
      ASSERT_TRUE(kv) << kv.reason();
    }
    const ProvingKey old_rt = decode_pk_file(encode_pk_file(old));
    EXPECT_EQ(old_rt.vk.version, version);
    EXPECT_EQ(old_rt.vk.kzg->form(), pcs::KzgForm::kThreeWitnesses);
    EXPECT_EQ(old_rt.vk.transcript_encoding(),
              version == kKeyVersion ? transcript::Encoding::kV1 : transcript::Encoding::kV2);
    const VkFile old_vf = decode_vk_file(encode_vk_file(old.vk, quant::encode_public_model(m.model)));
    EXPECT_EQ(old_vf.vk.version, version);
    const auto p_old = prove(m.model, old_rt, m.trace, pcs::random_fr(rng));
    v = verify(old_vf.model, old_vf.vk, p_old);
    ASSERT_TRUE(v) << v.reason();
    // The same proof bytes with the newest key's digest patched in are rejected too.
    {
      auto patched = p_old;
      const auto d = m.pk.vk.digest();
      std::copy(d.begin(), d.end(), patched.begin() + 4 + 4 + 1);
      EXPECT_FALSE(verify(m.model, m.pk.vk, patched).ok());
    }
    proofs.push_back(p_old);
    vks.push_back(old_vf.vk);
  }
  for (size_t i = 0; i < vks.size(); ++i)
    for (size_t j = 0; j < proofs.size(); ++j)
      if (i != j) expect_rejected(verify(m.model, vks[i], proofs[j]), "another verifying key");
  ProvingKey hyrax = setup_keys(m.model, pcs::random_fr(rng));
  EXPECT_EQ(hyrax.vk.effective_version(), kKeyVersionHyrax);
  // A hyrax key stated as any other version (4 and 6: kzg's; 3: balanced weight rows, before
  // version 5) is refused, and a kzg key stated as hyrax's version.
  for (uint32_t bad : {kKeyVersionKzgV4, kKeyVersionKzgV6, kKeyVersionKzgV7, kKeyVersionKzg, kKeyVersion}) {
    hyrax.vk.version = bad;
    try {
      (void)decode_vk_file(encode_vk_file(hyrax.vk, quant::encode_public_model(m.model)));
      ADD_FAILURE() << "a hyrax key of version " << bad << " was accepted";
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find("make the key again with setup"), std::string::npos) << e.what();
    }
  }
  ProvingKey kzg_as_hyrax = m.pk;
  kzg_as_hyrax.vk.version = kKeyVersionHyrax;
  // (the SRS block a version below 6 states: the three-witness form's)
  kzg_as_hyrax.vk.kzg = std::make_shared<const pcs::KzgParams>(m.pk.vk.kzg->with_form(pcs::KzgForm::kThreeWitnesses));
  try {
    (void)decode_vk_file(encode_vk_file(kzg_as_hyrax.vk, quant::encode_public_model(m.model)));
    ADD_FAILURE() << "a kzg key of version 5 was accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("for hyrax keys only"), std::string::npos) << e.what();
  }
}

TEST(KzgProofTest, TooSmallSrsIsAClearError) {
  const Case& m = mlp();
  TestRng rng(test_seed());
  const size_t need = kzg_max_vars(m.model);
  ASSERT_GE(need, 1u);
  auto small = std::make_shared<const pcs::KzgParams>(
      pcs::KzgParams::insecure_from_secrets(Fr::from_u64(5), Fr::from_u64(7), need - 1));  // INSECURE: test only
  try {
    (void)setup_keys(m.model, pcs::random_fr(rng), {}, small);
    ADD_FAILURE() << "setup accepted an SRS of 2^" << need - 1 << " powers";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("needs 2^" + std::to_string(need)), std::string::npos) << e.what();
  }
  // A ptau file that holds fewer powers than asked for names the file.
  try {
    (void)pcs::KzgParams::from_ptau_file(std::string(ZKINFER_SOURCE_DIR) + "/tests/vectors/test_pot10.ptau", need);
    ADD_FAILURE() << "a power-10 file gave 2^" << need << " powers";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("test_pot10.ptau"), std::string::npos) << e.what();
  }
}

// The key's SRS elements are part of its digest (and so of every proof's transcript): a vk whose
// [tau]_2 or [beta]_1 differs is another key; a vk file with a changed SRS byte does not decode
// into the same key.
TEST(KzgProofTest, TheKeysSrsIsBound) {
  const Case& m = mlp();
  const auto file = encode_vk_file(m.pk.vk, quant::encode_public_model(m.model));
  // magic, version, backend: then u32 max_vars, [1]_1, [beta]_1, [1]_2, [tau]_2, and (version 5)
  // [tau]_1, [tau^2]_1, [tau^2]_2, [tau^3]_2
  const size_t srs = 4 + 4 + 1;
  size_t same = 0;
  for (size_t i = srs; i < srs + 4 + 32 + 32 + 64 + 64 + 32 + 32 + 64 + 64; ++i) {
    auto bad = file;
    bad[i] ^= 0x01;
    try {
      const VkFile f = decode_vk_file(bad);
      same += f.vk.digest() == m.pk.vk.digest();
    } catch (const std::exception&) {
    }
  }
  EXPECT_EQ(same, 0u);
  // The pk's powers are checked against the key's [tau]_2.
  auto pkb = encode_pk_file(m.pk);
  pkb[pkb.size() - 32 * 5] ^= 0x01;
  EXPECT_THROW((void)decode_pk_file(pkb), std::exception);
}

// ---- zero knowledge with kzg pads (key version 8; zk/cp.h, docs/protocol/kzg.md section 6) ----

// A kzg key of an older version, its weight range proof made again for that version's statement.
ProvingKey with_version(const Case& m, uint32_t version, TestRng& rng) {
  ProvingKey old = m.pk;
  old.vk.version = version;
  old.vk.weight_bounds.clear();
  const auto items = weight_bound_items(m.model, std::as_const(old.vk));
  std::vector<WeightBoundWitness> wit;
  for (size_t t = 0; t < m.model.graph.tensors.size(); ++t)
    if (is_committed_weight(m.model, static_cast<int>(t)))
      wit.push_back({committed_values(m.model, static_cast<int>(t)), std::as_const(old.blinds)[t]});
  old.vk.weight_bounds = prove_weight_bounds(key_params(m.model, old.vk), items, wit, old.vk.statement_digest(),
                                             pcs::random_fr(rng), old.vk.kzg.get());
  return old;
}

// Where the pad chunks' block starts: after the header and the one public output's packed values.
size_t pad_block_offset(std::span<const uint8_t> proof) {
  const size_t count_at = testing::kFirstOutputByte - 9;
  uint64_t count = 0;
  for (size_t i = 0; i < 8; ++i) count |= uint64_t{proof[count_at + i]} << (8 * i);
  const size_t width = proof[count_at + 8];
  return testing::kFirstOutputByte + (count * width + 7) / 8;
}
uint32_t read_u32(std::span<const uint8_t> b, size_t at) {
  return uint32_t{b[at]} | uint32_t{b[at + 1]} << 8 | uint32_t{b[at + 2]} << 16 | uint32_t{b[at + 3]} << 24;
}

// Honest zero-knowledge proofs with kzg pads verify, with one pad chunk (one KZG commitment) for
// mlp_digits and cnn_digits (fewer than 2^kKzgPadLogFirst messages); a version-7 key still proves
// and verifies with Hyrax pad rows; neither key accepts the other's proofs.
TEST(KzgProofTest, ZeroKnowledgeWithKzgPadsAndTheOlderKeyVersion) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 30);
  for (const Case* c : {&mlp(), &cnn()}) {
    const std::string name = c == &mlp() ? "mlp_digits" : "cnn_digits";
    SCOPED_TRACE(name);
    ASSERT_TRUE(zero_knowledge(c->model));
    ASSERT_EQ(c->pk.vk.effective_version(), kKeyVersionKzg);
    const auto proof = prove(c->model, c->pk, c->trace, pcs::random_fr(rng));
    Verdict v = verify(c->model, c->pk.vk, proof);
    ASSERT_TRUE(v) << v.reason();
    const size_t at = pad_block_offset(proof);
    const uint32_t chunks = read_u32(proof, at);
    EXPECT_EQ(chunks, 1u);  // fewer than 2^kKzgPadLogFirst messages: one chunk
    const ProvingKey old = with_version(*c, kKeyVersionKzgV7, rng);
    ASSERT_TRUE(check_key(c->model, old.vk));
    const VkFile old_vf = decode_vk_file(encode_vk_file(old.vk, quant::encode_public_model(c->model)));
    EXPECT_EQ(old_vf.vk.version, kKeyVersionKzgV7);
    const auto p_old = prove(c->model, decode_pk_file(encode_pk_file(old)), c->trace, pcs::random_fr(rng));
    v = verify(old_vf.model, old_vf.vk, p_old);
    ASSERT_TRUE(v) << v.reason();
    const uint32_t rows = read_u32(p_old, pad_block_offset(p_old));
    EXPECT_GE(rows, 2u);  // Hyrax rows of 256 pads
    // (The kzg proof is not smaller: its pad group of 10 variables (11 points, 33 scalars) and a
    // pad sumcheck of 10 rounds against the inner-product argument's 16 points over 2 or 3 rows;
    // the gain is the verifier's: no 256-point MSM. BENCHMARKS.md.)
    expect_rejected(verify(c->model, old_vf.vk, proof), "another verifying key");
    expect_rejected(verify(c->model, c->pk.vk, p_old), "another verifying key");
    std::printf("%s zero knowledge: kzg pads (key 8) %zu bytes, %u chunk(s); Hyrax pad rows (key 7) %zu bytes, %u rows\n",
                name.c_str(), proof.size(), chunks, p_old.size(), rows);
  }
}

// A changed pad chunk commitment, chunk count, pad opening (the batch's last group and witness),
// message or output: each rejected with a reason.
TEST(KzgProofTest, ZeroKnowledgeKzgPadsChangesAreRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed() + 31);
  const Case& c = mlp();
  const auto proof = prove(c.model, c.pk, c.trace, pcs::random_fr(rng));
  ASSERT_TRUE(verify(c.model, c.pk.vk, proof));
  const size_t at = pad_block_offset(proof);
  const uint32_t chunks = read_u32(proof, at);
  auto rejected = [&](std::vector<uint8_t> bad, const std::string& what) {
    const Verdict v = verify(c.model, c.pk.vk, bad);
    EXPECT_FALSE(v.ok()) << what;
    EXPECT_FALSE(v.reason().empty()) << what;
    std::printf("  %s: %s\n", what.c_str(), v.reason().c_str());
    return v;
  };
  for (uint32_t k = 0; k < chunks; ++k) {
    auto bad = proof;
    bad[at + 4 + 32 * k + 7] ^= 0x01;
    rejected(bad, "pad chunk " + std::to_string(k) + " changed");
  }
  {
    auto bad = proof;
    bad[at] += 1;
    rejected(bad, "one more pad chunk");
  }
  // The batch opening is the proof's end: [.. last group's evaluations][witness (one G1)].
  for (size_t back : {size_t{5}, size_t{32 + 5}, size_t{32 + 32 * 3 + 9}}) {
    auto bad = proof;
    bad[proof.size() - back] ^= 0x01;
    const Verdict v = rejected(bad, "opening byte " + std::to_string(back) + " from the end changed");
    EXPECT_NE(v.reason().find("kzg"), std::string::npos) << v.reason();
    // Before the witness: the pad opening's group (the batch's second).
    if (back > 32) EXPECT_NE(v.reason().find("group 1"), std::string::npos) << v.reason();
  }
  {
    auto bad = proof;
    bad[at + 4 + 32 * chunks + 200] ^= 0x01;  // a message or commitment after the pads
    rejected(bad, "a message after the pads changed");
  }
  {
    auto bad = proof;
    bad[testing::kFirstOutputByte] ^= 0x01;
    rejected(bad, "output changed");
  }
}

// The weight range proof holds over KZG weight commitments: a key committing an out-of-range
// weight with a range proof over its (wrapped) digits is refused.
TEST(KzgProofTest, OutOfRangeKzgWeightIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const Case& m = mlp();
  const auto items = weight_bound_items(m.model, m.pk.vk);
  ASSERT_FALSE(items.empty());
  size_t t = 0;
  while (m.model.graph.tensors[t].name != items[0].name) ++t;
  const layers::PaddedShape s(items[0].bound.dims);
  const int64_t lim = int64_t{1} << items[0].bound.bits;
  std::vector<int64_t> cheat = m.model.qconst[t].data;
  cheat[5] = lim + 3;  // out of its declared width
  std::vector<int64_t> wrapped = cheat;
  wrapped[5] -= 2 * lim;  // in range, differs from the committed value
  VerifyingKey vk = m.pk.vk;
  auto padded = layers::padded_table(s, cheat);
  vk.weights[t] = pcs::KzgScheme::wrap(pcs::commit_with_blind(*test_srs(), std::span<const Fr>(padded), Fr::zero()));
  vk.weight_bounds.clear();
  const auto items2 = weight_bound_items(m.model, vk);
  std::vector<WeightBoundWitness> wit(items2.size());
  std::vector<int64_t> v;
  for (size_t i = 0; i < items2.size(); ++i) {
    size_t id = 0;
    while (m.model.graph.tensors[id].name != items2[i].name) ++id;
    if (id == t) {
      wit[i].field_values = padded;
      std::vector<int64_t> shifted = wrapped;
      for (auto& x : shifted) x += lim;
      v = layers::detail::padded_i64(s, shifted);
      wit[i].forced_v = v;
    } else {
      wit[i].values = m.model.qconst[id].data;
    }
  }
  vk.weight_bounds = prove_weight_bounds(key_params(m.model, vk), items2, wit, vk.statement_digest(), pcs::random_fr(rng), test_srs().get());
  expect_rejected(check_key(m.model, vk), "weight range proof");
}

}  // namespace
}  // namespace zkinfer::proof
