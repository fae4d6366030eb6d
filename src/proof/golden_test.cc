// Proof bytes pinned (docs/PROOF.md): with a fixed seed, the keys and proofs of examples/cnn_digits
// in every visibility combination, with the Hyrax backend and with kzg (over an INSECURE test SRS
// made from known secrets), hash to the digests recorded below. The engine's change from
// thread-local modes to explicit sessions (zk/session.h) was checked against digests recorded
// from the tree before it (main at 776f70d): not a byte changed. The digests below were recorded
// after session 10's merge, whose two protocol changes change the bytes on purpose: Hyrax keys of
// version 5 (weights in rows as wide as the parameters) and kzg keys of version 6 (one witness);
// then again in session 11 (proof format 6: public outputs packed, proof/packed_values.h; the
// sparse kzg mask; the graph's source recorded by file name); the two kzg digests again in session
// 12 (kzg keys of version 7: the version is in the key, and public weights are committed in the key
// and opened in the batch, proof/key_constants.h; the Hyrax digests did not change); and in
// session 13 (kzg keys of version 8: cp's pads KZG-committed and opened in the batch, zk/cp.h; the
// version is in the key, so the plain kzg digest changes too; the Hyrax digests did not change). An
// intended change of the protocol or of the prover's randomness changes
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
    {"hyrax in=private w=fixed out=private", "40591b5105cdf5332b9432ccfa83633c33254bb400aaff31151638caa28426fc"},
    {"hyrax in=private w=fixed out=public", "37a68640166de1fd16a393efa4c6e4a9078795cfa0fb83e6011846d985bd6942"},
    {"hyrax in=private w=private out=private", "0cc7bfe7b1b86b09cb9e56cc238750c198ac790a83c8459d585763138455274f"},
    {"hyrax in=private w=private out=public", "2d95ccf64054b3ad6c13d262feca7a07fb7ca64a059ea46e9566a68a53a7b0aa"},
    {"hyrax in=private w=public out=private", "1dcbdd0cd926295ec6e7206ad8f303c7f017f78432640c06922b7ddcfad57746"},
    {"hyrax in=private w=public out=public", "325982da2a829e8442aa13a1eb46d0ee043bdba43628fdebbea93a009282360b"},
    {"hyrax in=public w=fixed out=private", "e7265a5f086d679895ddae63ddd22e7d50c967d8c043fdffe39feb98b9316fca"},
    {"hyrax in=public w=fixed out=public", "d74094464798105342d6aa507dfc4b10b0034152600e01ebcefbdf79f49a148e"},
    {"hyrax in=public w=private out=private", "e597ce3d0b5542690f87029c15538c7f7476f0e987211fdc7b355d783c7c2727"},
    {"hyrax in=public w=private out=public", "9e0ba112f865995658c73e4cbb0c34f3ade73897366f8b3ede5a2cc61d4e1574"},
    {"hyrax in=public w=public out=private", "0d49e9755524dbc5d840803f544922715bb2fb5434ff13aed59b86e77e82aad1"},
    {"hyrax in=public w=public out=public", "cd871b06aa2ee3cb182e1dcdc80e827d5e921ee643c4e4bc9109395df3f4a538"},
    {"kzg in=private w=private out=public", "d25a0e118e2493bcf581fb6c20d411d0948f32f480d5584cb8a64c5b37b98391"},
    {"kzg in=public w=public out=public", "fe88fce3268881dc76de1b4cb1f689009fef295f4635cd34d2f72b879f79e75d"},
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
