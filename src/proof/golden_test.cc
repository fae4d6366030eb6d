// Proof bytes pinned (docs/PROOF.md): with a fixed seed, the keys and proofs of examples/cnn_digits
// in every visibility combination, with the Hyrax backend and with kzg (over an INSECURE test SRS
// made from known secrets), hash to the digests recorded below. The engine's change from
// thread-local modes to explicit sessions (zk/session.h) was checked against digests recorded
// from the tree before it (main at 776f70d): not a byte changed. The digests below were recorded
// after session 10's merge, whose two protocol changes change the bytes on purpose: Hyrax keys of
// version 5 (weights in rows as wide as the parameters) and kzg keys of version 6 (one witness);
// then again for proof format 6 (session 11: public outputs packed, proof/packed_values.h). An intended change of the protocol or of the prover's randomness changes
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
    {"hyrax in=private w=fixed out=private", "ddcdb84fce441c46423f0599cadd84da738c2dc93f364c37d472fdb9f326f1ee"},
    {"hyrax in=private w=fixed out=public", "2ac8c811a5c07b041f9c732c5b9703cdb87622b9865270c2810f37b46573d184"},
    {"hyrax in=private w=private out=private", "9fcbcb462ff0537c5b871697f812f60f81230bebac7f7f7918f671d2a1a07d94"},
    {"hyrax in=private w=private out=public", "77433f5f92520c849aeafe7b46f985c16ad6fb8c61d56859d9889f2a48cc9f08"},
    {"hyrax in=private w=public out=private", "bd966661a7265202f011df22208ca5f974338b189f8f542655c04d931e100ac9"},
    {"hyrax in=private w=public out=public", "7ae424c687043392582095830e969eab03db27aa0f81dcb248c351ad5c4ebdb4"},
    {"hyrax in=public w=fixed out=private", "2b9fdf8541faa69dc61767379f5b7fb2be3aa093d535c289ba3a18d37d974ec4"},
    {"hyrax in=public w=fixed out=public", "54e7369702832fc6f41004b6e19c71e27ddfe341e3d683fd377968dc3e49ae0b"},
    {"hyrax in=public w=private out=private", "64318adc0fba7e5a6b7a3a013d09b4697118e444db34e05c9ae985d540965a58"},
    {"hyrax in=public w=private out=public", "6aabcee834177d6a77c5644796f425ab839622453e9b17998c4ebfdda989cc33"},
    {"hyrax in=public w=public out=private", "760d213a1f455d05074c2b32be12b87ac1a77628b6802c275fd43b98ffac1acd"},
    {"hyrax in=public w=public out=public", "be2575a1898a042daafa79de01634c303e4fd66d3eac52b44a4aff9f87769bab"},
    {"kzg in=private w=private out=public", "3e3f49eb44fe742282db800b717eeeea6df0d7b6effb8a6e75a85f6c0fe67a21"},
    {"kzg in=public w=public out=public", "c21c85c495d02fc202af6df7c2416e9cdae5ace21f6455c2bc73b3952c59797a"},
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
