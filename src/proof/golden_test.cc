// Proof bytes pinned (docs/PROOF.md): with a fixed seed, the keys and proofs of examples/cnn_digits
// in every visibility combination, with the Hyrax backend and with kzg (over an INSECURE test SRS
// made from known secrets), hash to the digests recorded below. They were recorded from the tree
// before the engine's thread-local modes were replaced by explicit sessions (zk/session.h), which
// must not change a byte. An intended change of the protocol or of the prover's randomness changes
// them: the test prints every digest it computes, to paste into the table after checking that the
// change was meant.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "hash/keccak.h"
#include "pcs/ipa.h"
#include "pcs/kzg.h"
#include "proof/model_proof.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"

namespace zkinfer::proof {
namespace {

using quant::Visibility;
using quant::VisibilityRecord;

constexpr uint64_t kSeed = 20261206;

std::string example(const std::string& file) { return std::string(ZKINFER_SOURCE_DIR) + "/examples/cnn_digits/" + file; }

struct Model {
  quant::CompiledModel model;
  quant::Trace trace;
  std::vector<ops::ITensor> public_inputs;
};

Model make(const VisibilityRecord& vis) {
  Model m;
  // From bytes under a fixed name: the graph's source name is bound into the model's digest, so a
  // path would make the digests depend on where the tree is checked out.
  graph::Graph g = graph::load_onnx_bytes(graph::read_file(example("model.onnx")), "cnn_digits/model.onnx");
  auto samples = graph::parse_samples(graph::read_text(example("input.json")), "input.json", g);
  m.model = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  m.model.visibility = vis;
  quant::encode_model(m.model);
  auto in = quant::quantize_inputs(m.model, graph::make_inputs(m.model.graph, samples[0].inputs, "input.json"));
  if (vis.input == Visibility::kPublic) m.public_inputs = in;
  m.trace = quant::run_int(m.model, std::move(in));
  return m;
}

std::string hex(const hash::Digest& d) {
  static const char* k = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) {
    s += k[b >> 4];
    s += k[b & 15];
  }
  return s;
}

std::string name(Visibility v) {
  switch (v) {
    case Visibility::kPrivate: return "private";
    case Visibility::kPublic: return "public";
    case Visibility::kFixed: return "fixed";
  }
  return "?";
}

// Keccak-256 of the verifying key's bytes followed by the proof's, made with a fixed seed; the proof
// must verify.
std::string key_and_proof_digest(const Model& m, std::shared_ptr<const pcs::KzgParams> kzg, uint64_t seed = kSeed) {
  TestRng rng(seed);
  const ProvingKey pk = setup_keys(m.model, pcs::random_fr(rng), {}, std::move(kzg));
  const std::vector<uint8_t> proof = prove(m.model, pk, m.trace, pcs::random_fr(rng));
  const Verdict v = verify(m.model, pk.vk, proof, nullptr, nullptr, m.public_inputs);
  EXPECT_TRUE(v.ok()) << v.reason();
  ByteWriter w;
  pk.vk.serialize(w);
  w.bytes(proof);
  return hex(hash::keccak256(w.data()));
}

// Recorded at commit 776f70d (main before the engine change) with this file.
const std::map<std::string, std::string>& recorded() {
  static const std::map<std::string, std::string> m = {
    {"hyrax in=private w=fixed out=private", "ad3c428dfd182349e29baa7279057eebda6b7520dff47c4e468088532013d2cb"},
    {"hyrax in=private w=fixed out=public", "9e16ac21a1da1fdb0c6f1aba0e474f04be4c9ba9a304cb18e462eb370e28ae4e"},
    {"hyrax in=private w=private out=private", "9ea0815a78b87b47e8fa220b3e0358088490a4bbf70a2ec79732bcbb705c57a8"},
    {"hyrax in=private w=private out=public", "8f1d7a630e125982b6f7b1d673cb5896491e20e275c7bad0652e88b90aa1116c"},
    {"hyrax in=private w=public out=private", "d930e9b1094c4eae9cb8e86c94b4dd644666b1062f69cf4fd88b20c286e43716"},
    {"hyrax in=private w=public out=public", "567b7067ce5c63ac95cf9aaca2b6c37c3931323cc4bed419b67587967f52d341"},
    {"hyrax in=public w=fixed out=private", "988e482238f6a16c98858bd46859cf06532d7b85ff9be9aed37b9e0a6e7b7e7a"},
    {"hyrax in=public w=fixed out=public", "c0b3681183cff6f79b517e2758097d15b1c25e67f1e25c1927b4e35c85bb52cc"},
    {"hyrax in=public w=private out=private", "3dc600051cdcfa4666fb89898e3ef613ccb1d8618e3c36634605b9392cf7f972"},
    {"hyrax in=public w=private out=public", "c4d31fa72c6641626f5120ed52b4bb8b26fba59aa6518e89a38e5aac61fe6949"},
    {"hyrax in=public w=public out=private", "9991cdbaeae7b02e40c12cdd844a39ec3df76dc6727aaef43a745a5f3699ebaa"},
    {"hyrax in=public w=public out=public", "e86f253a060486d068dff0efde78460fcd16f5c1a5857c16a17e200ad09a7866"},
    {"kzg in=private w=private out=public", "32b7ae82fb210ae073e5c0ef7441431effaa837e8df5568d1236abbb1f43462e"},
    {"kzg in=public w=public out=public", "6fc90784bcff79221f286d74f07a6239b17b72e785d6a03383d121e8b3b425b6"},
  };
  return m;
}

TEST(ProofBytes, FixedSeedDigestsAreUnchanged) {
  std::map<std::string, std::string> got;
  for (Visibility in : {Visibility::kPrivate, Visibility::kPublic})
    for (Visibility w : {Visibility::kPrivate, Visibility::kPublic, Visibility::kFixed})
      for (Visibility o : {Visibility::kPublic, Visibility::kPrivate}) {
        const std::string label = "hyrax in=" + name(in) + " w=" + name(w) + " out=" + name(o);
        got[label] = key_and_proof_digest(make({in, w, o}), nullptr);
      }
  // kzg over an INSECURE SRS from known secrets (test only), default and all-public visibility.
  for (const VisibilityRecord& vis : {VisibilityRecord{Visibility::kPrivate, Visibility::kPrivate, Visibility::kPublic},
                                      VisibilityRecord{Visibility::kPublic, Visibility::kPublic, Visibility::kPublic}}) {
    const Model m = make(vis);
    auto srs = std::make_shared<const pcs::KzgParams>(
        pcs::KzgParams::insecure_from_secrets(field::Fr::from_u64(5), field::Fr::from_u64(7), kzg_max_vars(m.model)));
    got["kzg in=" + name(vis.input) + " w=" + name(vis.weights) + " out=" + name(vis.output)] = key_and_proof_digest(m, srs);
  }
  for (const auto& [label, d] : got) std::printf("    {\"%s\", \"%s\"},\n", label.c_str(), d.c_str());
  const auto& want = recorded();
  EXPECT_EQ(want.size(), got.size());
  for (const auto& [label, d] : want) {
    auto it = got.find(label);
    ASSERT_NE(it, got.end()) << label;
    EXPECT_EQ(it->second, d) << label << ": the key or proof bytes made with a fixed seed changed";
  }
  // The digests see the blinds: another seed gives other bytes (the comparison above can fail).
  const std::string other = key_and_proof_digest(make({}), nullptr, kSeed + 1);
  EXPECT_NE(other, got.at("hyrax in=private w=private out=public"));
}

}  // namespace
}  // namespace zkinfer::proof
