// Hyrax keys of version 11 (proof/model_proof.h): the parameters' width counts the proof's own
// vectors' rows as well as the key's weights'. setup writes version 11 exactly where that width
// differs from version 5's and version 5 elsewhere; both verify; each key rejects the other's
// proof; version 11 is a hyrax version only.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "common/bytes.h"
#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "proof/driver.h"
#include "proof/files.h"
#include "proof/model_proof.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"
#include "onnx_build.h"
#include "test_seed.h"

namespace zkinfer::proof {
namespace {

using namespace zkinfer::test_onnx;
using quant::Visibility;
using testing::seed_note;
using testing::test_seed;

quant::CompiledModel with_visibility(quant::CompiledModel m, Visibility input, Visibility weights) {
  m.visibility.input = input;
  m.visibility.weights = weights;
  quant::encode_model(m);
  return m;
}

// layers x (Gemm width x width, ReLU) on a [batch, width] input: many advice vectors of
// batch x width entries each (the rescales' digits), no committed weight when they are fixed.
struct Mlp {
  quant::CompiledModel model;
  std::vector<graph::Sample> samples;
};

Mlp deep_mlp(size_t layers, int64_t width, int64_t batch, TestRng& rng) {
  onnx::ModelProto mp;
  mp.set_ir_version(8);
  mp.add_opset_import()->set_version(13);
  auto* g = mp.mutable_graph();
  g->set_name("deep_mlp");
  add_io(g->add_input(), "x", {batch, width});
  std::string x = "x";
  for (size_t i = 0; i < layers; ++i) {
    const std::string w = "w" + std::to_string(i), b = "b" + std::to_string(i), y = "g" + std::to_string(i);
    add_init(g, w, {width, width}, rnd(rng, static_cast<size_t>(width * width), 0.15));
    add_init(g, b, {width}, rnd(rng, static_cast<size_t>(width), 0.05));
    add_node(g, "Gemm", {x, w, b}, y);
    x = y;
    if (i + 1 < layers) {
      add_node(g, "Relu", {x}, "r" + std::to_string(i));
      x = "r" + std::to_string(i);
    }
  }
  add_io(g->add_output(), x, {batch, width});
  Mlp out;
  for (int s = 0; s < 2; ++s) {
    graph::Sample smp;
    std::vector<double> v(static_cast<size_t>(batch * width));
    for (auto& e : v) e = 2.0 * (static_cast<double>(rng.next_u64() % 2001) / 1000.0 - 1.0);
    smp.inputs.push_back(std::move(v));
    out.samples.push_back(std::move(smp));
  }
  out.model = quant::quantize(graph::load_onnx_bytes(serialize(mp), "deep_mlp.onnx"), out.samples, ops::QuantConfig{});
  return out;
}

std::vector<ops::ITensor> input_of(const quant::CompiledModel& m, const graph::Sample& s) {
  return quant::quantize_inputs(m, graph::make_inputs(m.graph, s.inputs, "sample"));
}

uint32_t rule_version(const quant::CompiledModel& m) {
  const auto plan = detail::make_plan(m);
  return detail::params_log_cols(m, plan, true) != detail::params_log_cols(m, plan, false) ? kKeyVersionHyraxWide : kKeyVersionHyrax;
}

// setup's version follows the rule in every visibility of a few models, and both versions occur.
TEST(HyraxWidth, SetupWritesVersion11ExactlyWhereTheWidthDiffers) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  size_t wide = 0, narrow = 0;
  const Mlp small = deep_mlp(2, 16, 4, rng), deep = deep_mlp(9, 128, 16, rng);
  for (const auto* m : {&small.model, &deep.model})
    for (Visibility in : {Visibility::kPrivate, Visibility::kPublic})
      for (Visibility w : {Visibility::kPrivate, Visibility::kFixed}) {
        const auto mv = with_visibility(*m, in, w);
        const ProvingKey pk = setup_keys(mv, pcs::random_fr(rng));
        EXPECT_EQ(pk.vk.backend, Backend::kHyrax);
        EXPECT_EQ(pk.vk.effective_version(), rule_version(mv));
        (pk.vk.effective_version() == kKeyVersionHyraxWide ? wide : narrow)++;
        // The key file keeps the version.
        const auto back = decode_vk_file(encode_vk_file(pk.vk, quant::encode_public_model(mv)));
        EXPECT_EQ(back.vk.effective_version(), pk.vk.effective_version());
      }
  // The deep MLP with public input and fixed weights is the case the rule exists for.
  EXPECT_EQ(rule_version(with_visibility(deep.model, Visibility::kPublic, Visibility::kFixed)), kKeyVersionHyraxWide);
  EXPECT_GT(wide, 0u);
  EXPECT_GT(narrow, 0u);
}

// With public input and fixed weights the key holds no commitment, so the same key at version 5
// is valid too: both prove and verify, version 11's proof is smaller (fewer row points), and
// each key rejects the other's proof (the version is part of the key's digest).
TEST(HyraxWidth, Version11ProofsAreSmallerAndTheVersionsDoNotMix) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const Mlp mlp = deep_mlp(9, 128, 16, rng);
  const auto m = with_visibility(mlp.model, Visibility::kPublic, Visibility::kFixed);
  const ProvingKey pk11 = setup_keys(m, pcs::random_fr(rng));
  ASSERT_EQ(pk11.vk.effective_version(), kKeyVersionHyraxWide);
  ProvingKey pk5 = pk11;
  pk5.vk.version = kKeyVersionHyrax;
  const auto in = input_of(m, mlp.samples[1]);
  const auto trace = quant::run_int(m, in);
  const auto p11 = prove(m, pk11, trace, pcs::random_fr(rng));
  const auto p5 = prove(m, pk5, trace, pcs::random_fr(rng));
  Verdict v = verify(m, pk11.vk, p11, nullptr, nullptr, in);
  ASSERT_TRUE(v.ok()) << v.reason();
  v = verify(m, pk5.vk, p5, nullptr, nullptr, in);
  ASSERT_TRUE(v.ok()) << v.reason();
  EXPECT_LT(p11.size(), p5.size());
  EXPECT_FALSE(verify(m, pk5.vk, p11, nullptr, nullptr, in).ok());
  EXPECT_FALSE(verify(m, pk11.vk, p5, nullptr, nullptr, in).ok());
  // A changed proof byte and a wrong public input are rejected under version 11.
  auto bad = p11;
  bad[bad.size() / 2] ^= 1;
  EXPECT_FALSE(verify(m, pk11.vk, bad, nullptr, nullptr, in).ok());
  EXPECT_FALSE(verify(m, pk11.vk, p11, nullptr, nullptr, input_of(m, mlp.samples[0])).ok());
}

// Version 11 is a hyrax version: a kzg-backend key stating it, or a hyrax key stating a kzg
// version, is refused on decode with the reason.
TEST(HyraxWidth, Version11IsForHyraxKeysOnly) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const Mlp mlp = deep_mlp(2, 16, 4, rng);
  ProvingKey pk = setup_keys(mlp.model, pcs::random_fr(rng));
  pk.vk.version = kKeyVersionHyraxWide;
  ByteWriter w;
  pk.vk.serialize(w);
  auto bytes = w.data();
  // The backend byte follows the magic and the version.
  ASSERT_EQ(bytes[8], static_cast<uint8_t>(Backend::kHyrax));
  {
    ByteReader r(bytes, "vk");
    EXPECT_EQ(VerifyingKey::deserialize(r).effective_version(), kKeyVersionHyraxWide);
  }
  bytes[8] = static_cast<uint8_t>(Backend::kKzg);
  try {
    ByteReader r(bytes, "vk");
    (void)VerifyingKey::deserialize(r);
    ADD_FAILURE() << "a kzg key of version 11 decoded";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("hyrax keys only"), std::string::npos) << e.what();
  }
  bytes[8] = static_cast<uint8_t>(Backend::kHyrax);
  bytes[4] = static_cast<uint8_t>(kKeyVersionKzgRows);  // little-endian u32
  try {
    ByteReader r(bytes, "vk");
    (void)VerifyingKey::deserialize(r);
    ADD_FAILURE() << "a hyrax key of version 9 decoded";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("a hyrax key of version 9"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace zkinfer::proof
