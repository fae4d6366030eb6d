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
  graph::Graph g = graph::load_onnx_file(example("model.onnx"));
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
    {"hyrax in=private w=fixed out=private", "248d964621d9e772c61b848feb2f2314d39fea6fe102574f6fe9ffbaf697567d"},
    {"hyrax in=private w=fixed out=public", "5c7a03b9494cf5ef23dc5ddf31fe26a50087b821470c21a2f96b4d8e6a2c35cd"},
    {"hyrax in=private w=private out=private", "f219eb5c110d87d19f1e9e3e65d66faad60db9af83982826da747b7de212ecab"},
    {"hyrax in=private w=private out=public", "988aea3cd25e6e487b0552cdd2c608ac031577200cfaf7d2319038d094687d42"},
    {"hyrax in=private w=public out=private", "578bb2a8935b2cb2ea6615f653a8accb70ce7d092a93fe09049928cdafcd58da"},
    {"hyrax in=private w=public out=public", "75170749790d27a270c8609d8fdcbd4ef6d658921e40d2cd891625f423cb6c41"},
    {"hyrax in=public w=fixed out=private", "711210041670c9e0aab175d89301c950b3c67b0a0ca015793682510fdaa71f65"},
    {"hyrax in=public w=fixed out=public", "90992fda4cb6c5aa99d6033be663ee1b247ecea74f09b69e2b31c2bb313c8880"},
    {"hyrax in=public w=private out=private", "a9af2149c6a2ebe8e34a54eb734533f933cd376e977f7715a39101bba089bb37"},
    {"hyrax in=public w=private out=public", "71e75f948c612a5a6e77bcb506df4cbb43f9d0a41ec34f73b2c1a801c13c4404"},
    {"hyrax in=public w=public out=private", "f039b57e1fbca1543096905e5b1046573601c8eb52d7a7f71d64de9744281301"},
    {"hyrax in=public w=public out=public", "1a2d14ae9ac9d32bb776cf661254d84c1c2bbbed8a4ddaf4d247ba5517bebd17"},
    {"kzg in=private w=private out=public", "a2b07eaa8210e1bc65953d39a03ebc30dfc917a5eeb26b653c879efb2dc59465"},
    {"kzg in=public w=public out=public", "a529fc382829e6b99a4c7060d12be636f0cbfc866cac5a241bb0433584b3c6d2"},
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
