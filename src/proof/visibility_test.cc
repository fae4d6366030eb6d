// Per-tensor visibility (docs/PROOF.md, "Visibility"): every combination of input (private,
// public), weights (private, public, fixed) and output (public, private) proves and verifies on the
// digits models, against the public model a verifier decodes from the vk file; in every mode a
// changed proof byte, a wrong public input, a wrong output, another model's key and a key for
// another visibility are rejected. The .zkm round-trips the visibility record (version 1 files
// decode with the defaults) and the digests change with it.
#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "common/bytes.h"
#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "hash/keccak.h"
#include "pcs/ipa.h"
#include "proof/files.h"
#include "proof/model_proof.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"
#include "test_seed.h"

namespace zkinfer::proof {
namespace {

using quant::Visibility;
using quant::VisibilityRecord;
using testing::seed_note;
using testing::test_seed;

std::string example(const std::string& name, const std::string& file) {
  return std::string(ZKINFER_SOURCE_DIR) + "/examples/" + name + "/" + file;
}

quant::CompiledModel compile(const std::string& name, const VisibilityRecord& vis) {
  graph::Graph g = graph::load_onnx_file(example(name, "model.onnx"));
  auto samples = graph::parse_samples(graph::read_text(example(name, "input.json")), "input.json", g);
  quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  m.visibility = vis;
  quant::encode_model(m);  // the digest binds the visibility
  return m;
}

std::vector<ops::ITensor> quantized_input(const quant::CompiledModel& m, const std::string& name) {
  auto samples = graph::parse_samples(graph::read_text(example(name, "input.json")), "input.json", m.graph);
  return quant::quantize_inputs(m, graph::make_inputs(m.graph, samples[0].inputs, "input.json"));
}

std::vector<VisibilityRecord> all_records() {
  std::vector<VisibilityRecord> out;
  for (Visibility in : {Visibility::kPrivate, Visibility::kPublic})
    for (Visibility w : {Visibility::kPrivate, Visibility::kPublic, Visibility::kFixed})
      for (Visibility o : {Visibility::kPublic, Visibility::kPrivate}) out.push_back({in, w, o});
  return out;
}

std::string label(const VisibilityRecord& v) {
  return std::string("input ") + quant::visibility_name(v.input) + ", weights " + quant::visibility_name(v.weights) +
         ", output " + quant::visibility_name(v.output);
}

// One set-up mode of a model: the prover's model, the keys, the verifier's public model (decoded
// from the vk file), an honest trace and proof.
struct Mode {
  VisibilityRecord vis;
  quant::CompiledModel model, pub;
  ProvingKey pk;
  std::vector<ops::ITensor> input;  // quantized
  quant::Trace trace;
  std::vector<uint8_t> proof;
  // What the verifier is given: the input when it is public.
  std::vector<ops::ITensor> public_input() const {
    return vis.input == Visibility::kPublic ? input : std::vector<ops::ITensor>{};
  }
};

Mode make_mode(const std::string& name, const VisibilityRecord& vis, TestRng& rng) {
  Mode md;
  md.vis = vis;
  md.model = compile(name, vis);
  md.pk = setup_keys(md.model, pcs::random_fr(rng));
  md.pub = decode_vk_file(encode_vk_file(md.pk.vk, quant::encode_public_model(md.model))).model;
  md.input = quantized_input(md.model, name);
  md.trace = quant::run_int(md.model, md.input);
  md.proof = prove(md.model, md.pk, md.trace, pcs::random_fr(rng));
  return md;
}

Verdict check(const Mode& md, std::span<const uint8_t> proof, std::vector<ops::ITensor>* outs = nullptr) {
  auto in = md.public_input();
  return verify(md.pub, md.pk.vk, proof, nullptr, outs, in);
}

// An honest proof verifies; the key, the public model and the proof hold what the mode says.
void expect_honest(const Mode& md) {
  std::vector<ops::ITensor> outs;
  Verdict v = check(md, md.proof, &outs);
  ASSERT_TRUE(v.ok()) << v.reason();
  const auto want = md.trace.outputs(md.model);
  if (md.vis.output == Visibility::kPublic) {
    ASSERT_EQ(outs.size(), want.size());
    for (size_t k = 0; k < outs.size(); ++k) EXPECT_EQ(outs[k].data, want[k].data);
  } else {
    EXPECT_TRUE(outs.empty());  // the proof carries a commitment, not the values
  }
  size_t commitments = 0, weights = 0, kept = 0;
  for (size_t t = 0; t < md.model.graph.tensors.size(); ++t) {
    const auto& ti = md.model.graph.tensors[t];
    if (!ti.is_const || ti.dtype != ops::DType::kFloat) continue;
    ++weights;
    commitments += (md.pk.vk.weights[t] != nullptr);
    kept += !md.pub.qconst[t].data.empty() && md.pub.qconst[t].data == md.model.qconst[t].data;
  }
  ASSERT_GT(weights, 0u);
  if (md.vis.weights == Visibility::kPrivate) {
    EXPECT_EQ(commitments, weights);
    EXPECT_EQ(kept, 0u);  // withheld from the key's public model
  } else {
    EXPECT_EQ(commitments, 0u);
    EXPECT_EQ(kept, weights);  // the verifying key carries the values
  }
  EXPECT_EQ(md.pub.visibility, md.vis);
  // With a public input, verifying without it (or with an input for a private one) is rejected.
  if (md.vis.input == Visibility::kPublic) {
    EXPECT_FALSE(verify(md.pub, md.pk.vk, md.proof).ok());
  } else {
    EXPECT_FALSE(verify(md.pub, md.pk.vk, md.proof, nullptr, nullptr, md.input).ok());
  }
}

void expect_tampering_rejected(const Mode& md, TestRng& rng) {
  // Changed proof bytes: the vk digest, the first bytes after it, and spread positions.
  std::vector<size_t> at = {9, 40, 41, 48, md.proof.size() / 3, md.proof.size() / 2, md.proof.size() - 1};
  for (int i = 0; i < 6; ++i) at.push_back(rng.next_u64() % md.proof.size());
  for (size_t pos : at) {
    auto bad = md.proof;
    bad[pos] ^= static_cast<uint8_t>(1 + rng.next_u64() % 255);
    EXPECT_FALSE(check(md, bad).ok()) << "byte " << pos;
  }
  // A wrong public input: one value changed (within its bound).
  if (md.vis.input == Visibility::kPublic) {
    for (size_t k : {size_t{0}, md.input[0].data.size() / 2}) {
      auto wrong = md.input;
      const int b = md.model.bits[md.model.graph.inputs[0]];
      int64_t& x = wrong[0].data[k];
      x = x + 1 < (int64_t{1} << b) ? x + 1 : x - 1;
      Verdict v = verify(md.pub, md.pk.vk, md.proof, nullptr, nullptr, wrong);
      EXPECT_FALSE(v.ok()) << "input value " << k;
    }
    // And an input outside its bound.
    auto wide = md.input;
    wide[0].data[1] = int64_t{1} << md.model.bits[md.model.graph.inputs[0]];
    Verdict v = verify(md.pub, md.pk.vk, md.proof, nullptr, nullptr, wide);
    ASSERT_FALSE(v.ok());
    EXPECT_NE(v.reason().find("bit bound"), std::string::npos) << v.reason();
  }
  // A wrong output: public, patched in the proof; in every mode, a prover that proves a trace with
  // one output value changed.
  if (md.vis.output == Visibility::kPublic) {
    auto bad = md.proof;
    bad[4 + 4 + 1 + 32 + 8] ^= 1;
    EXPECT_FALSE(check(md, bad).ok());
  }
  auto forged = md.trace;
  forged.values[md.model.graph.outputs[0]].data[1] += 1;
  bool rejected = false;
  try {
    rejected = !check(md, prove(md.model, md.pk, forged, pcs::random_fr(rng))).ok();
  } catch (const std::exception&) {
    rejected = true;  // the prover's own checks refused the forged trace
  }
  EXPECT_TRUE(rejected);
}

void run_all_modes(const std::string& name, const std::string& other) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  std::vector<Mode> modes;
  for (const auto& vis : all_records()) {
    SCOPED_TRACE(name + ": " + label(vis));
    modes.push_back(make_mode(name, vis, rng));
    expect_honest(modes.back());
    expect_tampering_rejected(modes.back(), rng);
    std::printf("%s, %s: proof %zu bytes, vk %zu bytes\n", name.c_str(), label(vis).c_str(), modes.back().proof.size(),
                modes.back().pk.vk.size_bytes());
  }
  // A key for the same model with another visibility rejects every other mode's proof.
  for (const auto& a : modes)
    for (const auto& b : modes) {
      if (a.vis == b.vis) continue;
      auto in = b.public_input();
      EXPECT_FALSE(verify(b.pub, b.pk.vk, a.proof, nullptr, nullptr, in).ok()) << label(a.vis) << " under " << label(b.vis);
    }
  // Another model's key (same visibility).
  for (const auto& a : modes) {
    Mode o = make_mode(other, a.vis, rng);
    auto in = o.public_input();
    EXPECT_FALSE(verify(o.pub, o.pk.vk, a.proof, nullptr, nullptr, in).ok()) << label(a.vis);
  }
}

TEST(VisibilityTest, MlpDigitsEveryMode) { run_all_modes("mlp_digits", "cnn_digits"); }
TEST(VisibilityTest, CnnDigitsEveryMode) { run_all_modes("cnn_digits", "mlp_digits"); }

// Fixed weights: the verifier evaluates the weights' MLEs from its public model. A public model
// whose weight differs (its digest field kept, so the key check passes) fails at that evaluation.
TEST(VisibilityTest, FixedWeightsAreEvaluatedByTheVerifier) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  Mode md = make_mode("mlp_digits", {Visibility::kPrivate, Visibility::kFixed, Visibility::kPublic}, rng);
  ASSERT_TRUE(check(md, md.proof).ok());
  quant::CompiledModel cheat = md.pub;
  const int w = cheat.graph.nodes[0].inputs[1];
  cheat.qconst[w].data[5] += 1;
  cheat.withheld.assign(cheat.graph.tensors.size(), 0);  // a public model: public_digest() is its digest field
  ASSERT_EQ(quant::public_digest(cheat), md.pk.vk.model_digest);
  Verdict v = verify(cheat, md.pk.vk, md.proof);
  ASSERT_FALSE(v.ok());
  // The input is private, so the proof is zero-knowledge: the claim on the weight is an equality
  // of committed values, proven in the end section (zk/cp.h), which cannot name it.
  EXPECT_NE(v.reason().find("zero-knowledge checks"), std::string::npos) << v.reason();
  // A prover with other weights cannot use the key (its public digest binds the weights).
  quant::CompiledModel other = md.model;
  other.qconst[w].data[5] += 1;
  EXPECT_THROW(prove(other, md.pk, quant::run_int(other, md.input), pcs::random_fr(rng)), Error);
}

// The public input is not in the proof (it is smaller than the private-input proof) and the
// private output is not either; the public input enters the transcript.
TEST(VisibilityTest, WhatTheProofCarries) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  Mode priv = make_mode("mlp_digits", {}, rng);
  Mode pub_in = make_mode("mlp_digits", {Visibility::kPublic, Visibility::kPrivate, Visibility::kPublic}, rng);
  EXPECT_LT(pub_in.proof.size(), priv.proof.size());  // no input digits, no input bound proof
  // The default mode's proof starts with the output values; a private output's with a commitment.
  Mode priv_out = make_mode("mlp_digits", {Visibility::kPrivate, Visibility::kPrivate, Visibility::kPrivate}, rng);
  auto read_u64 = [](const std::vector<uint8_t>& b, size_t at) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{b[at + i]} << (8 * i);
    return v;
  };
  // magic, version, backend id, vk digest: 41 bytes
  EXPECT_EQ(read_u64(priv.proof, 41), 10u);  // 10 output values follow
  EXPECT_NE(read_u64(priv_out.proof, 41), 10u);
  auto j = inspect_json(priv_out.proof);
  ASSERT_TRUE(j.has_value());
  EXPECT_TRUE((*j)["output_values"].is_string()) << j->dump();
}

// The .zkm round-trips the record; version 1 files decode with the defaults; a fixed input or an
// unknown visibility byte is refused; digests (full and public) change with the visibility.
TEST(VisibilityTest, ZkmRoundTripAndDigests) {
  std::set<std::array<uint8_t, 32>> digests, public_digests;
  graph::Graph g = graph::load_onnx_file(example("mlp_digits", "model.onnx"));
  auto samples = graph::parse_samples(graph::read_text(example("mlp_digits", "input.json")), "input.json", g);
  const quant::CompiledModel base = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  for (const auto& vis : all_records()) {
    SCOPED_TRACE(label(vis));
    quant::CompiledModel m = base;
    m.visibility = vis;
    auto bytes = quant::encode_model(m);
    quant::CompiledModel back = quant::decode_model(bytes, "m.zkm");
    EXPECT_EQ(back.visibility, vis);
    EXPECT_EQ(back.digest, m.digest);
    EXPECT_EQ(quant::model_to_json(back, bytes.size())["visibility"]["weights"], quant::visibility_name(vis.weights));
    digests.insert(m.digest);
    public_digests.insert(quant::public_digest(m));
    quant::CompiledModel pub = quant::decode_model(quant::encode_public_model(m), "vk");
    EXPECT_EQ(pub.visibility, vis);
    EXPECT_EQ(pub.digest, quant::public_digest(m));
  }
  EXPECT_EQ(digests.size(), all_records().size());
  EXPECT_EQ(public_digests.size(), all_records().size());

  // A version 1 file: the same body without the 3 visibility bytes (after the 7 configuration
  // values), version 1, its own digest.
  quant::CompiledModel m = base;
  auto v2 = quant::encode_model(m);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t{v2[8 + i]} << (8 * i);
  const size_t vis_at = 16 + 7 * 8;
  ASSERT_EQ(v2[vis_at], 0);  // private input
  ASSERT_EQ(v2[vis_at + 1], 0);  // private weights
  ASSERT_EQ(v2[vis_at + 2], 1);  // public output
  auto rebuild = [&](uint32_t version, const std::vector<uint8_t>& body) {
    ByteWriter w;
    w.bytes(std::span<const uint8_t>(v2.data(), 4));
    w.u32(version);
    w.u64(body.size());
    w.bytes(body);
    auto d = hash::keccak256(w.data());
    w.bytes(d);
    w.bytes(std::span<const uint8_t>(v2.data() + 16 + n + 32, v2.size() - (16 + n + 32)));  // the float part
    return w.take();
  };
  std::vector<uint8_t> body(v2.begin() + 16, v2.begin() + 16 + static_cast<std::ptrdiff_t>(n));
  std::vector<uint8_t> v1_body = body;
  v1_body.erase(v1_body.begin() + 56, v1_body.begin() + 59);
  quant::CompiledModel old = quant::decode_model(rebuild(1, v1_body), "old.zkm");
  EXPECT_EQ(old.visibility, VisibilityRecord{});
  EXPECT_EQ(old.graph.nodes.size(), m.graph.nodes.size());
  ASSERT_EQ(old.qconst.size(), m.qconst.size());
  for (size_t t = 0; t < m.qconst.size(); ++t) EXPECT_EQ(old.qconst[t].data, m.qconst[t].data) << t;
  // A fixed input, an unknown visibility byte, an unknown version: refused with a reason.
  for (auto [at, value, what] : {std::tuple{56, 2, "input cannot be fixed"}, std::tuple{58, 2, "output cannot be fixed"},
                                 std::tuple{57, 7, "bad visibility"}}) {
    auto b = body;
    b[at] = static_cast<uint8_t>(value);
    try {
      quant::decode_model(rebuild(2, b), "bad.zkm");
      ADD_FAILURE() << what;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  }
  try {
    quant::decode_model(rebuild(3, body), "future.zkm");
    ADD_FAILURE() << "version 3 decoded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("version 3"), std::string::npos) << e.what();
  }
  // The command line's names.
  EXPECT_EQ(quant::make_visibility("public", "fixed", "private"),
            (VisibilityRecord{Visibility::kPublic, Visibility::kFixed, Visibility::kPrivate}));
  EXPECT_THROW(quant::make_visibility("fixed", "private", "public"), Error);
  EXPECT_THROW(quant::make_visibility("private", "private", "fixed"), Error);
  EXPECT_THROW(quant::make_visibility("private", "secret", "public"), Error);
}

}  // namespace
}  // namespace zkinfer::proof
