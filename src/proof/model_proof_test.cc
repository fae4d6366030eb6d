// End-to-end tests of the whole-model prover and verifier (docs/PROOF.md): honest proofs of the
// digits models' proven prefixes verify; wrong outputs, other models' keys, other weights, an
// out-of-range rescale remainder (patched in the trace) and random byte changes are rejected.
#include <gtest/gtest.h>

#include <map>

#include <algorithm>
#include <filesystem>

#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "pcs/ipa.h"
#include "proof/files.h"
#include "proof/model_proof.h"
#include "proof/packed_values.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"
#include "proof_offsets.h"
#include "test_seed.h"

namespace zkinfer::proof {
namespace {

using testing::seed_note;
using testing::test_seed;

std::string example(const std::string& name, const std::string& file) {
  return std::string(ZKINFER_SOURCE_DIR) + "/examples/" + name + "/" + file;
}

quant::CompiledModel compile(const std::string& name) {
  graph::Graph g = graph::load_onnx_file(example(name, "model.onnx"));
  auto samples = graph::parse_samples(graph::read_text(example(name, "input.json")), "input.json", g);
  return quant::quantize(std::move(g), samples, ops::QuantConfig{});
}

// The model cut after its first `keep` nodes (the prefix the proof system supports today).
quant::CompiledModel prefix(quant::CompiledModel m, size_t keep) {
  m.graph.nodes.resize(keep);
  m.params.resize(keep);
  m.graph.outputs = {m.graph.nodes.back().outputs[0]};
  quant::encode_model(m);  // recomputes the digest
  return m;
}

quant::Trace run(const quant::CompiledModel& m, const std::string& name) {
  auto samples = graph::parse_samples(graph::read_text(example(name, "input.json")), "input.json", m.graph);
  return quant::run_int(m, quant::quantize_inputs(m, graph::make_inputs(m.graph, samples[0].inputs, "input.json")));
}

struct Fixture {
  quant::CompiledModel model;
  VerifyingKey vk;
  quant::Trace trace;
  std::vector<uint8_t> proof;
};

Fixture make(const std::string& name, size_t keep, TestRng& rng) {
  Fixture f;
  f.model = prefix(compile(name), keep);
  f.vk = setup(f.model);
  f.trace = run(f.model, name);
  f.proof = prove(f.model, f.vk, f.trace, pcs::random_fr(rng));
  return f;
}

TEST(ProofTest, MlpFirstGemmVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto f = make("mlp_digits", 1, rng);
  ops::ITensor out;
  Verdict v = verify(f.model, f.vk, f.proof, &out);
  ASSERT_TRUE(v.ok()) << v.reason();
  EXPECT_EQ(out.data, f.trace.outputs(f.model)[0].data);
  std::printf("mlp first Gemm: proof %zu bytes, vk %zu bytes\n", f.proof.size(), f.vk.size_bytes());
}

TEST(ProofTest, CnnFirstConvVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto f = make("cnn_digits", 1, rng);
  Verdict v = verify(f.model, f.vk, f.proof);
  ASSERT_TRUE(v.ok()) << v.reason();
  std::printf("cnn first Conv: proof %zu bytes, vk %zu bytes\n", f.proof.size(), f.vk.size_bytes());
}

TEST(ProofTest, FullMlpDigitsVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto m = compile("mlp_digits");
  VerifyingKey vk = setup(m);
  auto trace = run(m, "mlp_digits");
  auto bytes = prove(m, vk, trace, pcs::random_fr(rng));
  ops::ITensor out;
  Verdict v = verify(m, vk, bytes, &out);
  ASSERT_TRUE(v.ok()) << v.reason();
  EXPECT_EQ(out.data, trace.outputs(m)[0].data);
  std::printf("mlp_digits: proof %zu bytes, vk %zu bytes\n", bytes.size(), vk.size_bytes());
  // A wrong output (patched in the proof's public output) is rejected.
  auto bad = bytes;
  bad[testing::kFirstOutputByte + 3] ^= 1;  // a packed output byte
  EXPECT_FALSE(verify(m, vk, bad).ok());
}

// The same model with nothing private (input public, weights fixed, output public): proofs are
// plain, and a rejection names the failing check. With anything private, failing relations among
// committed values are caught by the zero-knowledge end section (zk/cp.h), which cannot say which.
quant::CompiledModel all_public(quant::CompiledModel m) {
  m.visibility.input = quant::Visibility::kPublic;
  m.visibility.weights = quant::Visibility::kFixed;
  m.visibility.output = quant::Visibility::kPublic;
  return m;
}
// Verifies with the public input taken from the trace when the model's input is public.
Verdict verify_with(const quant::CompiledModel& m, const VerifyingKey& vk, std::span<const uint8_t> proof,
                    const quant::Trace& trace) {
  std::vector<ops::ITensor> in;
  if (m.visibility.input == quant::Visibility::kPublic)
    for (int t : m.graph.inputs) in.push_back(trace.values[t]);
  return verify(m, vk, proof, nullptr, nullptr, in);
}
// The rejection names `what` (plain proofs) or the zero-knowledge end section.
void expect_reason(const Verdict& v, bool zk, const std::string& what) {
  ASSERT_FALSE(v.ok());
  const std::string want = zk ? "zero-knowledge checks" : what;
  EXPECT_NE(v.reason().find(want), std::string::npos) << v.reason();
}

TEST(ProofTest, FullMlpDigitsWithForgedReluIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto m = compile("mlp_digits");
  VerifyingKey vk = setup(m);
  auto trace = run(m, "mlp_digits");
  // The first Relu's output gets a wrong value (the rest of the trace is recomputed from it by
  // the prover's own layers only where the proof needs it; the relu's input stays honest).
  int relu_out = m.graph.nodes[1].outputs[0];
  trace.values[relu_out].data[0] += 5;
  bool rejected = false;
  try {
    auto bytes = prove(m, vk, trace, pcs::random_fr(rng));
    rejected = !verify(m, vk, bytes).ok();
  } catch (const std::exception&) {
    rejected = true;  // the prover's own consistency checks refused the forged trace
  }
  EXPECT_TRUE(rejected);
}

TEST(ProofTest, FullCnnDigitsVerifies) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto m = compile("cnn_digits");
  ASSERT_FALSE(unsupported(m).has_value()) << *unsupported(m);
  VerifyingKey vk = setup(m);
  auto trace = run(m, "cnn_digits");
  auto bytes = prove(m, vk, trace, pcs::random_fr(rng));
  ops::ITensor out;
  Verdict v = verify(m, vk, bytes, &out);
  ASSERT_TRUE(v.ok()) << v.reason();
  EXPECT_EQ(out.data, trace.outputs(m)[0].data);
  std::printf("cnn_digits: proof %zu bytes, vk %zu bytes\n", bytes.size(), vk.size_bytes());
  // A forged MaxPool output (one window's maximum lowered; the rest of the trace unchanged) is
  // proven as given and rejected.
  for (size_t i = 0; i < m.graph.nodes.size(); ++i) {
    if (m.graph.nodes[i].op_type != "MaxPool") continue;
    auto forged = trace;
    forged.values[m.graph.nodes[i].outputs[0]].data[7] -= 1;
    EXPECT_FALSE(verify(m, vk, prove(m, vk, forged, pcs::random_fr(rng))).ok());
  }
}

// The model-wide lookup batch (lookup/batch.h): whole digits models verify in zero-knowledge and
// plain mode with one LogUp for all tables; changed bytes of the lookup section are rejected; one
// input value beyond its bound (one row of one column among the columns of every layer) is
// rejected.
TEST(ProofTest, ModelWideLookupBatch) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (const char* name : {"mlp_digits", "cnn_digits"}) {
    const auto m0 = compile(name);
    for (bool zk : {true, false}) {
      SCOPED_TRACE(std::string(name) + (zk ? " zero-knowledge" : " plain"));
      auto m = zk ? m0 : all_public(m0);
      VerifyingKey vk = setup(m);
      auto trace = run(m, name);
      ProveStats stats;
      auto bytes = prove(m, vk, trace, pcs::random_fr(rng), &stats);
      Verdict v = verify_with(m, vk, bytes, trace);
      ASSERT_TRUE(v.ok()) << v.reason();
      ASSERT_GT(stats.lookup_bytes, 0u);
      ASSERT_LE(stats.lookup_offset + stats.lookup_bytes, bytes.size());
      for (size_t i = 0; i < 16; ++i) {
        auto bad = bytes;
        const size_t pos = stats.lookup_offset + (stats.lookup_bytes * i) / 16 + rng.next_u64() % 8;
        bad[pos] ^= static_cast<uint8_t>(1 + rng.next_u64() % 255);
        EXPECT_FALSE(verify_with(m, vk, bad, trace).ok()) << "byte " << pos;
      }
    }
    // One input value just beyond the input's bound (its digits are range-checked in the same
    // tables as every layer's remainders and digits). The trace comes from a copy of the model
    // with a wider input bound (the executor refuses the value otherwise).
    auto m = m0;
    VerifyingKey vk = setup(m);
    const int x = m.graph.inputs[0];
    auto inputs = std::vector<ops::ITensor>{run(m, name).values[x]};
    inputs[0].data[5] = int64_t{1} << m.bits[x];
    auto wide = m;
    wide.bits[x] += 2;
    const quant::Trace forged = quant::run_int(wide, inputs);
    const Verdict v = verify(m, vk, prove(m, vk, forged, pcs::random_fr(rng)));  // proven as given
    EXPECT_FALSE(v.ok()) << name;
  }
}

// A model whose output is a MaxPool's: a forged maximum is rejected by the max-pool protocol.
TEST(ProofTest, ForgedMaxPoolOutputIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  std::string dir = std::string(ZKINFER_SHARED_DIR) + "/models/ezkl/1l_max_pool";
  graph::Graph g = graph::load_onnx_file(dir + "/network.onnx");
  auto samples = graph::parse_samples(graph::read_text(dir + "/input.json"), "input.json", g);
  auto m0 = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  ASSERT_EQ(m0.graph.nodes.back().op_type, "MaxPool");
  for (bool zk : {true, false}) {
    SCOPED_TRACE(zk ? "zero-knowledge" : "plain");
    auto m = zk ? m0 : all_public(m0);
    VerifyingKey vk = setup(m);
    auto trace = quant::run_int(m, quant::quantize_inputs(m, graph::make_inputs(m.graph, samples[0].inputs, "input")));
    for (int64_t delta : {-1, 1}) {
      auto forged = trace;
      forged.values[m.graph.outputs[0]].data[1] += delta;
      expect_reason(verify_with(m, vk, prove(m, vk, forged, pcs::random_fr(rng)), forged), zk, "max pool");
    }
  }
}

TEST(ProofTest, InputOutsideItsBoundIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto m = prefix(compile("mlp_digits"), 1);
  VerifyingKey vk = setup(m);
  auto trace = run(m, "mlp_digits");
  // The committed input is range-checked against its bit bound. The executor refuses an input
  // beyond it, so the trace is made with a copy of the model whose input bound is wider: the
  // trace is consistent, and only the input's range check can catch it.
  int x = m.graph.inputs[0];
  auto inputs = std::vector<ops::ITensor>{trace.values[x]};
  inputs[0].data[2] = int64_t{1} << m.bits[x];
  auto wide = m;
  wide.bits[x] += 2;
  quant::Trace forged = quant::run_int(wide, inputs);
  bool rejected = false;
  try {
    Verdict v = verify(m, vk, prove(m, vk, forged, pcs::random_fr(rng)));
    rejected = !v.ok();
    if (rejected) expect_reason(v, /*zk=*/true, "input");  // a private input: its digits are committed
  } catch (const std::exception&) {
    rejected = true;
  }
  EXPECT_TRUE(rejected);
}

TEST(ProofTest, WrongOutputIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto f = make("mlp_digits", 1, rng);
  auto bad = f.proof;
  bad[testing::kFirstOutputByte] ^= 1;  // the first packed output byte (after the count and the width)
  Verdict v = verify(f.model, f.vk, bad);
  EXPECT_FALSE(v.ok());
}

// Several outputs: the Relu's output (also read by the next Gemm) and the last Gemm's. Each is
// public and evaluated at its own point; a change to either is rejected.
TEST(ProofTest, SeveralOutputsVerify) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  Fixture f;
  f.model = prefix(compile("mlp_digits"), 3);
  ASSERT_EQ(f.model.graph.nodes[1].op_type, "Relu");
  f.model.graph.outputs = {f.model.graph.nodes[1].outputs[0], f.model.graph.nodes[2].outputs[0]};
  quant::encode_model(f.model);
  f.vk = setup(f.model);
  f.trace = run(f.model, "mlp_digits");
  f.proof = prove(f.model, f.vk, f.trace, pcs::random_fr(rng));
  ops::ITensor out;
  Verdict v = verify(f.model, f.vk, f.proof, &out);
  ASSERT_TRUE(v.ok()) << v.reason();
  EXPECT_EQ(out.data, f.trace.outputs(f.model)[0].data);
  const size_t n0 = f.trace.outputs(f.model)[0].data.size(), n1 = f.trace.outputs(f.model)[1].data.size();
  ASSERT_GT(n0 + n1, 0u);
  ByteWriter p0;  // the first output packed (proof/packed_values.h): the second follows it
  write_packed_values(p0, f.trace.outputs(f.model)[0].data);
  for (size_t pos : {size_t{testing::kFirstOutputByte}, size_t{4 + 4 + 1 + 32 + 8 + p0.data().size() + 8 + 1}}) {
    auto bad = f.proof;
    bad[pos] ^= 1;  // a value of the first, then of the second output
    Verdict bv = verify(f.model, f.vk, bad);
    EXPECT_FALSE(bv.ok()) << pos;
  }
  // The same proof against the single-output model: rejected.
  auto single = prefix(compile("mlp_digits"), 3);
  EXPECT_FALSE(verify(single, setup(single), f.proof).ok());
}

TEST(ProofTest, OtherModelsKeyIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto mlp = make("mlp_digits", 1, rng);
  auto cnn = make("cnn_digits", 1, rng);
  EXPECT_FALSE(verify(cnn.model, cnn.vk, mlp.proof).ok());
  EXPECT_FALSE(verify(mlp.model, cnn.vk, mlp.proof).ok());
  // A key for the same graph with other weights.
  auto mlp2 = prefix(compile("mlp_digits"), 1);
  for (size_t t = 0; t < mlp2.qconst.size(); ++t)
    if (!mlp2.qconst[t].data.empty()) mlp2.qconst[t].data[0] += 1;
  quant::encode_model(mlp2);
  VerifyingKey vk2 = setup(mlp2);
  Verdict v = verify(mlp2, vk2, mlp.proof);
  EXPECT_FALSE(v.ok());
}

TEST(ProofTest, ProofWithDifferentWeightsIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto honest = prefix(compile("mlp_digits"), 1);
  VerifyingKey vk = setup(honest);
  // The prover uses other weights but claims the honest model (same digest, same key).
  quant::CompiledModel cheat = honest;
  int w = cheat.graph.nodes[0].inputs[1];
  cheat.qconst[w].data[5] += 3;
  auto trace = run(cheat, "mlp_digits");
  auto proof = prove(cheat, vk, trace, pcs::random_fr(rng));
  Verdict v = verify(honest, vk, proof);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.reason().find("batch opening"), std::string::npos) << v.reason();
}

TEST(ProofTest, OutOfRangeRemainderIsRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const auto m0 = prefix(compile("mlp_digits"), 1);
  for (bool zk : {true, false}) {
    SCOPED_TRACE(zk ? "zero-knowledge" : "plain");
    auto m = zk ? m0 : all_public(m0);
    VerifyingKey vk = setup(m);
    auto trace = run(m, "mlp_digits");
    const int k = static_cast<int>(m.params[0].get("shift"));
    // y' = y - 1, rem' = rem + 2^k: the rescale identity still holds, the range does not.
    int y = m.graph.nodes[0].outputs[0];
    trace.values[y].data[3] -= 1;
    for (auto& [name, t] : trace.aux[0])
      if (name == "out.rem") t.data[3] += int64_t{1} << k;
    auto proof = prove(m, vk, trace, pcs::random_fr(rng));
    expect_reason(verify_with(m, vk, proof, trace), zk, "rescale");
  }
}

// Every model we have (EZKL's examples included) is swept by src/api/sweep_test.cc: compile
// refuses it, or setup, prove and verify succeed.

// The planner lists every node it cannot prove, not only the first: two nodes given ops without a
// protocol are both named (index, name, op, opset, reason), in node order; setup refuses the model
// with the whole list, and a model without blockers has none.
TEST(ProofTest, BlockersListEveryNode) {
  auto m = compile("mlp_digits");
  EXPECT_TRUE(blockers(m).empty());
  EXPECT_FALSE(unsupported(m).has_value());
  m.graph.nodes[1].op_type = "NoSuchOpA";
  m.graph.nodes[3].op_type = "NoSuchOpB";
  auto bs = blockers(m);
  ASSERT_EQ(bs.size(), 2u);
  EXPECT_EQ(bs[0].node, 1);
  EXPECT_EQ(bs[0].op, "NoSuchOpA");
  EXPECT_EQ(bs[0].name, m.graph.nodes[1].name);
  EXPECT_EQ(bs[0].opset, m.graph.nodes[1].opset);
  EXPECT_EQ(bs[0].reason, "no protocol for NoSuchOpA yet");
  EXPECT_EQ(bs[1].node, 3);
  EXPECT_EQ(bs[1].op, "NoSuchOpB");
  const std::string list = describe_blockers(bs);
  EXPECT_EQ(list.rfind("the model cannot be proven (2 blockers):", 0), 0u) << list;
  EXPECT_NE(list.find("\n  " + bs[0].to_string()), std::string::npos) << list;
  EXPECT_NE(list.find("\n  " + bs[1].to_string()), std::string::npos) << list;
  EXPECT_EQ(unsupported(m).value_or(""), list);
  try {
    (void)setup(m);
    ADD_FAILURE() << "setup accepted a model with blockers";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(list), std::string::npos) << e.what();
  }
  // A node-level reason keeps its detail: a bit bound out of range on the first Relu's input.
  auto m2 = compile("mlp_digits");
  m2.bits[m2.graph.nodes[1].inputs[0]] = 0;
  auto b2 = blockers(m2);
  ASSERT_FALSE(b2.empty());
  EXPECT_EQ(b2[0].node, 1);
  EXPECT_NE(b2[0].reason.find("bit bound"), std::string::npos) << b2[0].reason;
}

TEST(ProofTest, RandomByteChangesAreRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto f = make("mlp_digits", 1, rng);
  size_t decoded = 0;
  std::map<std::string, size_t> by_kind;
  for (int i = 0; i < 1000; ++i) {
    auto bad = f.proof;
    size_t pos = rng.next_u64() % bad.size();
    uint8_t delta = static_cast<uint8_t>(1 + rng.next_u64() % 255);
    bad[pos] ^= delta;
    Verdict v = verify(f.model, f.vk, bad);
    ASSERT_FALSE(v.ok()) << "byte " << pos << " ^ " << int(delta);
    // Every rejection is typed (docs/PROOF.md section 5).
    EXPECT_NE(v.failure(), Failure::kUnspecified) << v.reason();
    EXPECT_NE(v.failure(), Failure::kNone) << v.reason();
    ++by_kind[failure_name(v.failure())];
    if (v.failure() != Failure::kDecode) ++decoded;
  }
  std::printf("1000 byte changes rejected; %zu decoded and were rejected by a check:", decoded);
  for (const auto& [k, n] : by_kind) std::printf(" %s %zu,", k.c_str(), n);
  std::printf("\n");
  EXPECT_GT(decoded, 500u);
}

// Typed failures: what failed and at which node, in plain mode where the verifier sees which
// check fails (with zero knowledge a failed relation among hidden values is kZeroKnowledge).
TEST(ProofTest, FailuresAreTyped) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto f = make("mlp_digits", 1, rng);
  // Another model's key.
  auto other = make("cnn_digits", 1, rng);
  EXPECT_EQ(verify(f.model, other.vk, f.proof).failure(), Failure::kKey);
  // Truncated bytes.
  auto cut = f.proof;
  cut.resize(cut.size() / 2);
  EXPECT_EQ(verify(f.model, f.vk, cut).failure(), Failure::kDecode);
  // Plain mode (nothing private): a changed layer message names its node.
  quant::CompiledModel m = compile("mlp_digits");
  m.visibility = {quant::Visibility::kPublic, quant::Visibility::kFixed, quant::Visibility::kPublic};
  quant::encode_model(m);  // the digest binds the visibility
  VerifyingKey vk = setup(m);
  auto trace = run(m, "mlp_digits");
  std::vector<ops::ITensor> in;
  for (int t : m.graph.inputs) in.push_back(trace.values[t]);
  auto proof = prove(m, vk, trace, pcs::random_fr(rng));
  ASSERT_TRUE(verify(m, vk, proof, nullptr, nullptr, in).ok());
  size_t typed_node = 0;
  for (size_t pos = 64; pos < proof.size(); pos += proof.size() / 128) {
    auto bad = proof;
    bad[pos] ^= 0x10;
    Verdict v = verify(m, vk, bad, nullptr, nullptr, in);
    ASSERT_FALSE(v.ok());
    if (getenv("ZKDBG")) std::printf("%zu: %s: %s\n", pos, failure_name(v.failure()), v.reason().c_str());
    EXPECT_NE(v.failure(), Failure::kUnspecified) << v.reason();
    if (v.failure() == Failure::kNode) {
      ++typed_node;
      EXPECT_GE(v.node(), 0);
      EXPECT_LT(static_cast<size_t>(v.node()), m.graph.nodes.size());
      EXPECT_NE(v.reason().find(m.graph.nodes[static_cast<size_t>(v.node())].name), std::string::npos) << v.reason();
    }
  }
  EXPECT_GT(typed_node, 0u);
  // A public input that is not the one proven.
  auto in2 = in;
  in2[0].data[0] += 1;
  EXPECT_NE(verify(m, vk, proof, nullptr, nullptr, in2).failure(), Failure::kNone);
}

}  // namespace
}  // namespace zkinfer::proof

namespace zkinfer::proof {
namespace {

// setup_keys blinds the weight commitments: two setups of the same model give different
// commitments (hiding), each proving key's proofs verify under its own verifying key only, and the
// pk file round-trips its blinds (and rejects a corrupt blind count).
TEST(ProofTest, BlindedWeightCommitments) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  auto m = compile("mlp_digits");
  ProvingKey a = setup_keys(m, pcs::random_fr(rng)), b = setup_keys(m, pcs::random_fr(rng));
  EXPECT_NE(a.vk.digest(), b.vk.digest());
  EXPECT_EQ(a.vk.model_digest, b.vk.model_digest);
  // The deterministic, zero-blind key differs from both.
  EXPECT_NE(setup(m).digest(), a.vk.digest());
  auto trace = run(m, "mlp_digits");
  auto proof = prove(m, a, trace, pcs::random_fr(rng));
  EXPECT_TRUE(verify(m, a.vk, proof).ok());
  EXPECT_FALSE(verify(m, b.vk, proof).ok());
  // A proof with the right commitments but other blinds (b's) cannot open a's commitments.
  ProvingKey mixed{a.vk, b.blinds};
  Verdict v = verify(m, a.vk, prove(m, mixed, trace, pcs::random_fr(rng)));
  EXPECT_FALSE(v.ok());
  // pk file round trip and a corrupt blind count.
  auto bytes = encode_pk_file(a);
  ProvingKey back = decode_pk_file(bytes);
  EXPECT_EQ(back.vk.digest(), a.vk.digest());
  EXPECT_EQ(back.blinds, a.blinds);
  auto bad = bytes;
  bad.resize(bad.size() - 1);
  EXPECT_THROW(decode_pk_file(bad), DecodeError);
}

}  // namespace
}  // namespace zkinfer::proof

namespace zkinfer::proof {
namespace {

bool contains_bytes(std::span<const uint8_t> hay, std::span<const uint8_t> needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}
// The offsets at which 32 bytes decode to a field element x with x or -x below 2^24.
size_t small_field_elements(std::span<const uint8_t> bytes) {
  size_t count = 0;
  for (size_t at = 0; at + 32 <= bytes.size(); ++at) {
    const auto x = field::Fr::from_bytes(bytes.subspan(at, 32));
    if (!x) continue;
    for (const field::Fr& y : {*x, -*x}) {
      const auto b = y.to_bytes();
      if (std::all_of(b.begin() + 3, b.end(), [](uint8_t c) { return c == 0; })) {
        ++count;
        break;
      }
    }
  }
  return count;
}

// Zero knowledge of whole-model proofs with the default visibility (private input and weights,
// public output): two proofs of one trace differ and both verify without the input; no quantized
// input value occurs in the proof bytes as a 32-byte field element encoding, nor does any small
// field element. Controls: the plain proof of the same model (all_public) is full of small field
// elements; the public output values occur (packed in the header) in the zero-knowledge
// and in the plain proof; the plain proof is accepted only with its public input.
TEST(ProofZeroKnowledge, DigitsModelsHideTheInput) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (const char* name : {"mlp_digits", "cnn_digits"}) {
    SCOPED_TRACE(name);
    const auto m = compile(name);
    ASSERT_EQ(m.visibility.input, quant::Visibility::kPrivate);
    ASSERT_EQ(m.visibility.weights, quant::Visibility::kPrivate);
    ASSERT_EQ(m.visibility.output, quant::Visibility::kPublic);
    const ProvingKey pk = setup_keys(m, pcs::random_fr(rng));
    const auto trace = run(m, name);
    const std::vector<int64_t> output = trace.outputs(m)[0].data;
    const auto p1 = prove(m, pk, trace, pcs::random_fr(rng));
    const auto p2 = prove(m, pk, trace, pcs::random_fr(rng));
    EXPECT_NE(p1, p2);
    ASSERT_EQ(p1.size(), p2.size());
    // The verifier is given no input.
    for (const auto* p : {&p1, &p2}) {
      ops::ITensor out;
      const Verdict v = verify(m, pk.vk, *p, &out, nullptr, {});
      ASSERT_TRUE(v.ok()) << v.reason();
      EXPECT_EQ(out.data, output);
    }
    // Past the header (magic, version, backend, vk digest, output values) the two proofs share no 32-byte
    // aligned chunk: everything after is fresh commitments and masked responses.
    ByteWriter packed;  // the output values as the header packs them (proof/packed_values.h)
    write_packed_values(packed, output);
    const size_t header = 4 + 4 + 1 + 32 + 8 + packed.data().size();
    size_t same = 0;
    for (size_t at = header; at + 32 <= p1.size(); at += 32)
      same += std::equal(p1.begin() + at, p1.begin() + at + 32, p2.begin() + at);
    EXPECT_EQ(same, 0u);
    std::vector<int64_t> input_values;
    for (int t : m.graph.inputs)
      input_values.insert(input_values.end(), trace.values[t].data.begin(), trace.values[t].data.end());
    std::sort(input_values.begin(), input_values.end());
    input_values.erase(std::unique(input_values.begin(), input_values.end()), input_values.end());
    ASSERT_GT(input_values.size(), 1u);
    for (int64_t v : input_values)
      for (const auto* p : {&p1, &p2})
        EXPECT_FALSE(contains_bytes(*p, field::Fr::from_i64(v).to_bytes())) << "input value " << v;
    EXPECT_TRUE(std::equal(packed.data().begin(), packed.data().end(), p1.begin() + 4 + 4 + 1 + 32 + 8)) << "output values";

    // Control: the plain proof of the same model with nothing private.
    const auto mp = all_public(m);
    const VerifyingKey vkp = setup(mp);
    const auto tp = run(mp, name);
    const auto pp = prove(mp, vkp, tp, pcs::random_fr(rng));
    EXPECT_TRUE(verify_with(mp, vkp, pp, tp).ok());
    EXPECT_FALSE(verify(mp, vkp, pp).ok());  // a public input must be given
    const std::vector<int64_t> plain_output = tp.outputs(mp)[0].data;
    EXPECT_EQ(plain_output, output);
    EXPECT_TRUE(std::equal(packed.data().begin(), packed.data().end(), pp.begin() + 4 + 4 + 1 + 32 + 8)) << "output values";
    // No 32-byte window (at any offset) of the zero-knowledge proofs is a field element of absolute
    // value below 2^24, while the plain proof has many (the search finds small values).
    EXPECT_EQ(small_field_elements(p1), 0u);
    EXPECT_EQ(small_field_elements(p2), 0u);
    const size_t plain_small = small_field_elements(pp);
    EXPECT_GT(plain_small, 10u);
    std::printf("%s: zero-knowledge proof %zu bytes, plain proof %zu bytes (%zu small field elements), %zu distinct "
                "input values\n",
                name, p1.size(), pp.size(), plain_small, input_values.size());
  }
}

// An unfolded BatchNormalization's folded constants a, b are weights: with private weights the
// verifying key's public model carries zeros for them and the key commits to them (in place of the
// node's scale and bias tensors); the proof opens the claims on a and b against those commitments.
// With fixed weights the public model keeps them and the verifier evaluates them.
TEST(ProofTest, BatchNormConstantsArePrivateWithPrivateWeights) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  std::string dir = std::string(ZKINFER_SHARED_DIR) + "/models/ezkl/1l_batch_norm";
  graph::Graph g = graph::load_onnx_file(dir + "/network.onnx");
  auto samples = graph::parse_samples(graph::read_text(dir + "/input.json"), "input.json", g);
  auto m0 = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  size_t bn = m0.graph.nodes.size();
  for (size_t i = 0; i < m0.graph.nodes.size(); ++i)
    if (m0.graph.nodes[i].op_type == "BatchNormalization") bn = i;
  ASSERT_LT(bn, m0.graph.nodes.size());
  const auto& a = m0.params[bn].consts.at("a").data;
  ASSERT_TRUE(std::any_of(a.begin(), a.end(), [](int64_t v) { return v != 0; }));
  for (bool priv : {true, false}) {
    SCOPED_TRACE(priv ? "private weights" : "fixed weights");
    auto m = m0;
    if (!priv) m.visibility.weights = quant::Visibility::kFixed;
    ProvingKey pk = setup_keys(m, pcs::random_fr(rng));
    auto vk_file = encode_vk_file(pk.vk, quant::encode_public_model(m));
    quant::CompiledModel pub = decode_vk_file(vk_file).model;
    const auto& pa = pub.params[bn].consts.at("a").data;
    ASSERT_EQ(pa.size(), a.size());
    if (priv) {
      EXPECT_TRUE(std::all_of(pa.begin(), pa.end(), [](int64_t v) { return v == 0; }));
    } else {
      EXPECT_EQ(pa, a);
    }
    auto trace = quant::run_int(m, quant::quantize_inputs(m, graph::make_inputs(m.graph, samples[0].inputs, "input")));
    std::vector<ops::ITensor> none;
    auto bytes = prove(m, pk, trace, pcs::random_fr(rng));
    Verdict v = verify(pub, pk.vk, bytes);
    EXPECT_TRUE(v.ok()) << v.reason();
    // A prover whose BatchNormalization constants differ from the committed ones is rejected.
    auto other = m;
    other.params[bn].consts.at("a").data[0] += 1;
    bool rejected = false;
    try {
      auto t2 = quant::run_int(other, quant::quantize_inputs(other, graph::make_inputs(other.graph, samples[0].inputs, "input")));
      ProvingKey opk = pk;
      rejected = !verify(pub, pk.vk, prove(other, opk, t2, pcs::random_fr(rng))).ok();
    } catch (const std::exception&) {
      rejected = true;  // the key's public digest no longer matches (fixed weights) or the replay fails
    }
    EXPECT_TRUE(rejected);
  }
}

}  // namespace
}  // namespace zkinfer::proof
