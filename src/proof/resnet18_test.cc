// End-to-end proof of ResNet-18 (../shared/models/resnet18: 20 Conv with folded BatchNorm, 17 Relu,
// 8 residual Add, MaxPool, GlobalAveragePool, Gemm; 11.7 M weights): the honest proof verifies
// against the verifying key's public model and gives the executor's output; a changed output
// value is rejected. The slowest test of the suite (minutes on 2 cores); figures in BENCHMARKS.md.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "pcs/ipa.h"
#include "proof/files.h"
#include "proof/model_proof.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"
#include "test_seed.h"

namespace zkinfer::proof {
namespace {

TEST(ResNet18, ProvesAndVerifies) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  const std::string dir = std::string(ZKINFER_SHARED_DIR) + "/models/resnet18";
  if (!std::filesystem::exists(dir + "/model.onnx")) GTEST_SKIP() << "no " << dir;
  using clock = std::chrono::steady_clock;
  auto secs = [](clock::time_point t) { return std::chrono::duration<double>(clock::now() - t).count(); };
  graph::Graph g = graph::load_onnx_file(dir + "/model.onnx");
  auto samples = graph::parse_samples(graph::read_text(dir + "/input.json"), "input.json", g);
  auto m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  ASSERT_FALSE(unsupported(m).has_value()) << *unsupported(m);
  auto t = clock::now();
  VerifyingKey vk = setup(m);
  const double setup_s = secs(t);
  auto vk_file = encode_vk_file(vk, quant::encode_public_model(m));
  quant::CompiledModel pub = decode_vk_file(vk_file).model;
  auto trace = quant::run_int(m, quant::quantize_inputs(m, graph::make_inputs(m.graph, samples[0].inputs, "input.json")));
  t = clock::now();
  auto bytes = prove(m, vk, trace, pcs::random_fr(rng));
  const double prove_s = secs(t);
  t = clock::now();
  ops::ITensor out;
  Verdict v = verify(pub, vk, bytes, &out);
  const double verify_s = secs(t);
  ASSERT_TRUE(v.ok()) << v.reason();
  EXPECT_EQ(out.data, trace.outputs(m)[0].data);
  std::printf("resnet18: setup %.1f s, prove %.1f s, verify %.2f s, proof %zu bytes, vk file %zu bytes\n", setup_s,
              prove_s, verify_s, bytes.size(), vk_file.size());
  // A changed output value (the public output's first entry) is rejected.
  auto bad = bytes;
  bad[4 + 4 + 1 + 32 + 8] ^= 1;
  EXPECT_FALSE(verify(pub, vk, bad).ok());
}

}  // namespace
}  // namespace zkinfer::proof
