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
// and opened in the batch, proof/key_constants.h; the Hyrax digests did not change); all of them in
// session 13 (proof format 7: a ReduceSum's / ReduceMean's claims at the half point, the row max's
// selector row sums at the half point; cnn_digits has neither, its bytes change by the version
// field; and kzg keys of version 8: cp's pads KZG-committed and opened in the batch, zk/cp.h). An
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
    {"hyrax in=private w=fixed out=private", "1c1bb53430a62cb47989236fd107144f48de6def080ce2d904af02f6b9f35169"},
    {"hyrax in=private w=fixed out=public", "ac24393201b489fe0ff2621ceaf01d71875ed5b8e70dca9fc4076aaa2c94cd91"},
    {"hyrax in=private w=private out=private", "68628bc800cb646e2eb5bcb31356fd3213bcaa1eb8f998be7933f0be8a84e1a1"},
    {"hyrax in=private w=private out=public", "50deb9728b4b3cafebf71308318e8fab581c74b0cfad948ad56a3f8f26cccb81"},
    {"hyrax in=private w=public out=private", "1f42d6f2ccb27cf8b914cf7bc3eea8e064f985cf98647e822a998287be937778"},
    {"hyrax in=private w=public out=public", "8bab2be77205a36ec7b732c7b1d58451af07ac664c3735965bc891c4d107b8a0"},
    {"hyrax in=public w=fixed out=private", "d332cb35b00a9940133952c94db7e9cbafb86e9b7e0d67401828b0ace58a15d2"},
    {"hyrax in=public w=fixed out=public", "65478d2318801cc99a6c69c8e2d9c213b5e786dc15294d6c5c7447dbb1b97a7e"},
    {"hyrax in=public w=private out=private", "981b84d30d28f68c5f6f9b84711d47618324096c057ddb85b2da38b9037c5e0e"},
    {"hyrax in=public w=private out=public", "ef848bd2102ce8c2b87090e5af84f0da4a7af379afb32706c261ba515b8b25fc"},
    {"hyrax in=public w=public out=private", "51c89b42d494a64633106ea1d4b0b639bb62bd0f15cd6d7ba296d972cb04c8f4"},
    {"hyrax in=public w=public out=public", "8e8879b4cb8dd154d43ef159450e1547df125b8af107d41a22c7556390d63dfe"},
    {"kzg in=private w=private out=public", "43e388348feb695a48143bc34f061660596b824a1afb81db572ecb67791376fe"},
    {"kzg in=public w=public out=public", "cf8175f92e3ed34837f2b665d09a55e4897cc979dc770f6905caff1689218be6"},
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
