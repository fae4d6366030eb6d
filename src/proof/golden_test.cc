// Proof bytes pinned (docs/PROOF.md): with a fixed seed, the keys and proofs of examples/cnn_digits
// in every visibility combination, with the Hyrax backend and with kzg (over an INSECURE test SRS
// made from known secrets), hash to the digests recorded below. The engine's change from
// thread-local modes to explicit sessions (zk/session.h) was checked against digests recorded
// from the tree before it (main at 776f70d): not a byte changed. The digests below were recorded
// after session 10's merge, whose two protocol changes change the bytes on purpose: Hyrax keys of
// version 5 (weights in rows as wide as the parameters) and kzg keys of version 6 (one witness). An intended change of the protocol or of the prover's randomness changes
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
    {"hyrax in=private w=fixed out=private", "593a5585d20d44e36b80f6ec9711a2b78ea8deea5caf701b45eb086159007873"},
    {"hyrax in=private w=fixed out=public", "6384b2b7e6798c662ecba64e7b3c500a3286dab7c7327353c514a8c7f1f41c99"},
    {"hyrax in=private w=private out=private", "48faa4f91bdc5e2098d11d57b922cb61ed63c4e337f3f4b646ed2bb824bcea3f"},
    {"hyrax in=private w=private out=public", "8cc21bfa17555f7818adcef5958a9bee83d5dfb4efd4e559a13304dbee6ce935"},
    {"hyrax in=private w=public out=private", "6fdb59201fa555d1061c4e1a5d58d80d6788e4899edc81a15f721d7f751aa712"},
    {"hyrax in=private w=public out=public", "eb1ec11785f1863f632995c6b55f43aa2159977dc000d905e3411c3c00fad74c"},
    {"hyrax in=public w=fixed out=private", "44378f840dfb2da8ad6c23779533569c584f0d4bafa6481ba7cd45b2233b9168"},
    {"hyrax in=public w=fixed out=public", "5383a1157f91d45ac24b09a69f9def4708f9865b9e84605a445db49bd5bed266"},
    {"hyrax in=public w=private out=private", "edbb2f77d4162c7841de145e39c0228e615f82a2b0a7b1292b426564c55a7907"},
    {"hyrax in=public w=private out=public", "7585cb81cea7c134c115e4fa63469e4f5538247dff6cddc35c3b89f0b086b564"},
    {"hyrax in=public w=public out=private", "4445af2e6ff2b2f542e0c630cf5d8f579d6a3b8d873b21557250b7060c100bb9"},
    {"hyrax in=public w=public out=public", "eec85ea904785d421debb2b146e3cebece773040d05fd168a5597071502af97e"},
    {"kzg in=private w=private out=public", "b5aa9e8ae8bb4929ddd24210a77e5bf97e74a40f5bc6cd35d2703872d382dd8d"},
    {"kzg in=public w=public out=public", "09d074acb24fcfce92ec38eb0f5fbda44328bea17934af804a3b4d78de7af7bd"},
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
