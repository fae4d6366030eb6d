// Tests of the public facade (include/zkinfer/zkinfer.h) on the bundled mlp_digits model: the
// facade agrees with the library it wraps (same digest as quantizing directly, same outputs as
// the integer executor), the full compile/setup/prove/verify round trip, byte round trips of
// every object, rejections (tampered proof, wrong expected output, another model's key) and
// errors for bad input.
#include "zkinfer/zkinfer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"

namespace zkinfer::api {
namespace {

const std::string kOnnx = std::string(ZKINFER_SOURCE_DIR) + "/examples/mlp_digits/model.onnx";
const std::string kInput = std::string(ZKINFER_SOURCE_DIR) + "/examples/mlp_digits/input.json";

std::vector<double> bundled_input() { return graph::parse_input_json(graph::read_text(kInput), kInput)[0]; }

TEST(Api, CompileAndRunAgreeWithTheLibrary) {
  Model m = Model::compile(kOnnx, "");
  graph::Graph g = graph::load_onnx_file(kOnnx);
  auto samples = graph::parse_samples(graph::read_text(kInput), kInput, g);
  quant::CompiledModel ref = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  EXPECT_EQ(m.bytes(), quant::encode_model(ref));
  EXPECT_EQ(m.digest_hex(), quant::hex(ref.digest));

  Model from_samples = Model::compile(kOnnx, std::vector<Sample>{Sample{{Tensor{{64}, bundled_input()}}, {}}});
  EXPECT_EQ(from_samples.digest_hex(), m.digest_hex());

  auto in = graph::make_inputs(ref.graph, {bundled_input()}, "input");
  auto want = quant::dequantize(quant::run_int(ref, quant::quantize_inputs(ref, in)).outputs(ref)[0]);
  RunResult r = m.run({Tensor{m.inputs()[0].shape, bundled_input()}});
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.outputs[0].data, want.data);
  EXPECT_EQ(r.outputs[0].shape, want.shape);
  EXPECT_EQ(r.float_outputs[0].data, graph::run_float(ref.graph, in)[0].data);
}

TEST(Api, RoundTripAndRejections) {
  Model m = Model::compile(kOnnx, "");
  Keys keys = setup(m);
  std::vector<Tensor> x = {Tensor{{64}, bundled_input()}};  // flat input accepted
  ProveResult r = prove(m, keys.pk, x);
  EXPECT_EQ(r.outputs[0].data, m.run(x).outputs[0].data);

  VerifyResult v = verify(keys.vk, r.proof);
  ASSERT_TRUE(v.verdict.ok()) << v.verdict.reason();
  EXPECT_EQ(v.outputs[0].data, r.outputs[0].data);
  EXPECT_TRUE(verify(keys.vk, r.proof, r.outputs).verdict.ok());

  // Byte round trips: every object decodes from its own bytes and still verifies.
  Model m2 = Model::from_bytes(m.bytes());
  ProvingKey pk2 = ProvingKey::from_bytes(keys.pk.bytes());
  VerifyingKey vk2 = VerifyingKey::from_bytes(keys.vk.bytes());
  EXPECT_EQ(pk2.bytes(), keys.pk.bytes());
  EXPECT_EQ(vk2.bytes(), keys.vk.bytes());
  // The key embeds the public model: constants withheld, not runnable; keys bind its digest.
  EXPECT_EQ(vk2.model().digest_hex(), m.public_digest_hex());
  EXPECT_EQ(vk2.model_digest_hex(), m.public_digest_hex());
  EXPECT_EQ(pk2.model_digest_hex(), m.public_digest_hex());
  EXPECT_TRUE(vk2.model().is_public());
  EXPECT_FALSE(m.is_public());
  EXPECT_THROW(vk2.model().run(x), Error);
  EXPECT_THROW(setup(vk2.model()), Error);
  EXPECT_THROW(prove(vk2.model(), pk2, x), Error);
  EXPECT_TRUE(verify(vk2, prove(m2, pk2, x).proof).verdict.ok());

  // Wrong expected output.
  auto wrong = r.outputs;
  wrong[0].data[3] += 1.0 / 256;
  VerifyResult vw = verify(keys.vk, r.proof, wrong);
  EXPECT_FALSE(vw.verdict.ok());
  EXPECT_NE(vw.verdict.reason().find("differs"), std::string::npos);

  // Tampered bytes.
  for (size_t pos : {size_t{0}, size_t{20}, r.proof.bytes().size() / 2, r.proof.bytes().size() - 1}) {
    auto b = r.proof.bytes();
    b[pos] ^= 0x10;
    VerifyResult vt = verify(keys.vk, Proof(b));
    EXPECT_FALSE(vt.verdict.ok()) << "byte " << pos;
    EXPECT_FALSE(vt.verdict.reason().empty());
  }

  // Another model (another scale): its key does not verify this proof, nor prove this model.
  Model other = Model::compile(kOnnx, "", CompileOptions{7, 16, {}});
  Keys ok = setup(other);
  EXPECT_FALSE(verify(ok.vk, r.proof).verdict.ok());
  EXPECT_THROW(prove(m, ok.pk, x), Error);
}

// A model with public integer constants (Slice's starts/ends/axes): its verifying key embeds them
// with their values and decodes from its bytes (the decoder reads a value for every constant that
// is not withheld).
TEST(Api, PublicIntegerConstantsRoundTripThroughTheKeys) {
  const std::string dir = std::string(ZKINFER_SHARED_DIR) + "/models/ezkl/1l_slice/";
  if (!std::filesystem::exists(dir + "network.onnx")) GTEST_SKIP() << "no " << dir;
  Model m = Model::compile(dir + "network.onnx", dir + "input.json");
  Keys keys = setup(m);
  VerifyingKey vk2 = VerifyingKey::from_bytes(keys.vk.bytes());
  EXPECT_EQ(vk2.bytes(), keys.vk.bytes());
  Model pub = Model::from_bytes(vk2.model().bytes());
  EXPECT_EQ(pub.digest_hex(), m.public_digest_hex());
  auto in = graph::parse_input_json(graph::read_text(dir + "input.json"), "input.json")[0];
  ProveResult r = prove(m, keys.pk, {Tensor{m.inputs()[0].shape, in}});
  VerifyResult v = verify(vk2, r.proof, r.outputs);
  EXPECT_TRUE(v.verdict.ok()) << v.verdict.reason();
}

// Visibility through the facade: a public input is given to verify (Error without it), a wrong one
// is rejected; a private output yields no outputs (Error with expected outputs); fixed weights
// leave the key's model runnable; a fixed input is an Error at compile time.
TEST(Api, Visibility) {
  CompileOptions opt;
  opt.visibility = ModelVisibility{Visibility::kPublic, Visibility::kFixed, Visibility::kPrivate};
  Model m = Model::compile(kOnnx, "", opt);
  EXPECT_EQ(m.visibility().input, Visibility::kPublic);
  EXPECT_EQ(m.visibility().weights, Visibility::kFixed);
  EXPECT_EQ(m.visibility().output, Visibility::kPrivate);
  EXPECT_NE(m.digest_hex(), Model::compile(kOnnx, "").digest_hex());
  Keys keys = setup(m);
  EXPECT_EQ(keys.vk.model().visibility().output, Visibility::kPrivate);
  std::vector<Tensor> x = {Tensor{{64}, bundled_input()}};
  EXPECT_EQ(keys.vk.model().run(x).outputs[0].data, m.run(x).outputs[0].data);  // the key carries the weights
  ProveResult r = prove(m, keys.pk, x);
  VerifyResult v = verify(keys.vk, r.proof, std::nullopt, x);
  ASSERT_TRUE(v.verdict.ok()) << v.verdict.reason();
  EXPECT_TRUE(v.outputs.empty());
  EXPECT_THROW(verify(keys.vk, r.proof), Error);
  EXPECT_THROW(verify(keys.vk, r.proof, r.outputs, x), Error);
  auto wrong = x;
  wrong[0].data[20] += 0.25;
  EXPECT_FALSE(verify(keys.vk, r.proof, std::nullopt, wrong).verdict.ok());
  // A private input refuses an input.
  Keys def = setup(Model::compile(kOnnx, ""));
  EXPECT_THROW(verify(def.vk, prove(Model::compile(kOnnx, ""), def.pk, x).proof, std::nullopt, x), Error);
  CompileOptions bad;
  bad.visibility.input = Visibility::kFixed;
  EXPECT_THROW(Model::compile(kOnnx, "", bad), Error);
  EXPECT_EQ(parse_visibility("fixed"), Visibility::kFixed);
  EXPECT_STREQ(visibility_name(Visibility::kPublic), "public");
  EXPECT_THROW(parse_visibility("secret"), Error);
}

TEST(Api, ErrorsForBadInput) {
  EXPECT_THROW(Model::compile("/nonexistent/model.onnx", ""), Error);
  EXPECT_THROW(Model::compile(kOnnx, "", CompileOptions{30, 16, {}}), Error);
  EXPECT_THROW(Model::compile(kOnnx, std::vector<Sample>{}), Error);
  EXPECT_THROW(Model::load("/nonexistent/m.zkm"), Error);
  EXPECT_THROW(Model::from_bytes(std::vector<uint8_t>(10, 7)), Error);
  EXPECT_THROW(VerifyingKey::from_bytes(std::vector<uint8_t>(10, 7)), Error);
  EXPECT_THROW(ProvingKey::from_bytes(std::vector<uint8_t>(10, 7)), Error);
  Model m = Model::compile(kOnnx, "");
  EXPECT_THROW(m.run({Tensor{{63}, std::vector<double>(63)}}), Error);
  EXPECT_THROW(m.run({Tensor{{8, 8}, std::vector<double>(64)}}), Error);
  EXPECT_THROW(m.run({}), Error);
  EXPECT_THROW(inspect("/nonexistent/file"), Error);
  EXPECT_NE(inspect(kOnnx).find("\"onnx\""), std::string::npos);
}

}  // namespace
}  // namespace zkinfer::api
