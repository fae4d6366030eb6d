// Proof bytes pinned (docs/PROOF.md): with a fixed seed, the keys and proofs of examples/cnn_digits
// in every visibility combination, with the Hyrax backend and with kzg (over an INSECURE test SRS
// made from known secrets), hash to the digests recorded below. The engine's change from
// thread-local modes to explicit sessions (zk/session.h) was checked against digests recorded
// from the tree before it (main at 776f70d): not a byte changed. The digests below were recorded
// after session 10's merge, whose two protocol changes change the bytes on purpose: Hyrax keys of
// version 5 (weights in rows as wide as the parameters) and kzg keys of version 6 (one witness);
// then again in session 11 (proof format 6: public outputs packed, proof/packed_values.h; the
// sparse kzg mask; the graph's source recorded by file name). An intended change of the protocol or of the prover's randomness changes
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
  // The key's model file digest covers the graph's source file name (not its directory:
  // quant/model_file.cc source_name), so the name is fixed here.
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
    {"hyrax in=private w=fixed out=private", "8808c1a9c87b0295664eefe5c322917f348d7c17433aeedaaf829a87f46d42c4"},
    {"hyrax in=private w=fixed out=public", "52bb1539cfb6f26bd5f558e561dda1d8a0a8dfab13dfaa6576d0f46526003f26"},
    {"hyrax in=private w=private out=private", "53baf9e6f3826869bd9954835df50f6519d8c9bca4b21fccc22c7e4e93afc00f"},
    {"hyrax in=private w=private out=public", "ec16d2d259cdf3fe1482768722a7e72992d52c3b794061f97422c956ae0aa244"},
    {"hyrax in=private w=public out=private", "8cde99960cc79d59b1ab64655075ca881b0903d78b75956012f219052ba1b90c"},
    {"hyrax in=private w=public out=public", "5352f6286442c21583f6d4fe7acf9970b9279f68e93a671d55b5930e9a69f246"},
    {"hyrax in=public w=fixed out=private", "46392cd023ab2682fa43d80d7693da0dab3ea6248c8958b8a44f1df624856705"},
    {"hyrax in=public w=fixed out=public", "06e4f25e468f13e67bf712411270ccd7b9d4a80934a4c4894309e8c2d270094f"},
    {"hyrax in=public w=private out=private", "13fbdd0a35f8193fa1f18d6102754b3a4fc6ab7608bf9c8159e1eec50e755d01"},
    {"hyrax in=public w=private out=public", "247e40b6da532bd844e481bf06e1f8d5bf3fcf1f1cb03e5366e1e91fda837125"},
    {"hyrax in=public w=public out=private", "b0246505ba33003345f137d081d7c1d51e357b5d0efc514541ad9b7c15868aa5"},
    {"hyrax in=public w=public out=public", "6e64d0322da6ff121db98ff0df48636b739e07c6c349457f6b2c18535002deed"},
    {"kzg in=private w=private out=public", "122816e7d004cdfc9223bb505126f95615c6b93250142237381d690ebc222528"},
    {"kzg in=public w=public out=public", "c46148da1f1bc62385e197617095d34307191fe77663256b9a94e121b1897841"},
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
