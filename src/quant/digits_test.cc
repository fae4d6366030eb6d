// Acceptance figures of the quantizer on the digits models (computed, not hard-coded): over the
// 360 held-out digits, the integer model's arg-max agrees with float on >= 99.7 % and its accuracy
// is within 0.3 points of float. Also: the .zkm encoding round-trips (same digest, same integer
// outputs), does not depend on the directory the model was compiled in, and a modified byte is
// rejected.
#include <gtest/gtest.h>

#include <filesystem>

#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "quant/evaluate.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"

namespace fs = std::filesystem;
using namespace zkinfer;

namespace {
const fs::path kDigits = fs::path(ZKINFER_SHARED_DIR) / "models" / "digits";

void check_digits(const std::string& name) {
  fs::path dir = kDigits / name;
  graph::Graph g = graph::load_onnx_file((dir / "model.onnx").string());
  auto samples = graph::parse_samples(graph::read_text((dir / "testset.json").string()), "testset.json", g);
  ASSERT_EQ(samples.size(), 360u);
  quant::CompiledModel m = quant::quantize(g, samples, ops::QuantConfig{});
  quant::Evaluation ev = quant::evaluate(m, samples);
  ASSERT_EQ(ev.outputs.size(), 1u);
  const auto& o = ev.outputs[0];
  double agree = 100.0 * static_cast<double>(o.argmax_agree) / static_cast<double>(o.argmax_rows);
  double facc = 100.0 * static_cast<double>(ev.float_correct) / static_cast<double>(ev.labelled);
  double iacc = 100.0 * static_cast<double>(ev.int_correct) / static_cast<double>(ev.labelled);
  std::printf("%s: arg-max agreement %.2f %% (%lld/%lld), float accuracy %.2f %%, integer accuracy %.2f %%, "
              "max abs error %.4g, mean abs error %.4g\n",
              name.c_str(), agree, (long long)o.argmax_agree, (long long)o.argmax_rows, facc, iacc, o.max_abs, o.mean_abs);
  EXPECT_EQ(ev.labelled, 360);
  EXPECT_GE(agree, 99.7);
  EXPECT_LE(std::fabs(iacc - facc), 0.3);

  // Round trip through the .zkm encoding.
  auto bytes = quant::encode_model(m);
  quant::CompiledModel m2 = quant::decode_model(bytes, "memory");
  EXPECT_EQ(m2.digest, m.digest);
  auto in = graph::make_inputs(m.graph, samples[3].inputs, "sample");
  auto a = quant::run_int(m, quant::quantize_inputs(m, in)).outputs(m);
  auto b = quant::run_int(m2, quant::quantize_inputs(m2, in)).outputs(m2);
  EXPECT_EQ(a[0].data, b[0].data);
  EXPECT_EQ(quant::encode_model(m2), bytes);
  // Where the ONNX file was compiled does not change the file: the source is recorded by name.
  quant::CompiledModel moved = m;
  moved.graph.source = "/another/directory/" + fs::path(m.graph.source).filename().string();
  EXPECT_EQ(quant::encode_model(moved), bytes);
  EXPECT_EQ(quant::encode_public_model(moved), quant::encode_public_model(m));
  EXPECT_EQ(m2.graph.source, "model.onnx");
  // Any modified byte of the bound part is rejected.
  for (size_t pos : {size_t{20}, bytes.size() / 3, size_t{bytes.size() / 2}}) {
    auto bad = bytes;
    bad[pos] ^= 1;
    EXPECT_THROW(quant::decode_model(bad, "memory"), Error) << "byte " << pos;
  }
  // Truncations never crash.
  for (size_t len : {size_t{0}, size_t{3}, size_t{17}, bytes.size() - 1})
    EXPECT_THROW(quant::decode_model(std::span<const uint8_t>(bytes.data(), len), "memory"), Error);
}
}  // namespace

// Stricter: calibrated on the single bundled input.json, evaluated on the 360 test digits (the
// activation headroom must absorb the ranges calibration did not see).
void check_one_sample_calibration(const std::string& name) {
  fs::path dir = kDigits / name;
  graph::Graph g = graph::load_onnx_file((dir / "model.onnx").string());
  auto calib = graph::parse_samples(graph::read_text((dir / "input.json").string()), "input.json", g);
  auto test = graph::parse_samples(graph::read_text((dir / "testset.json").string()), "testset.json", g);
  ASSERT_EQ(calib.size(), 1u);
  quant::CompiledModel m = quant::quantize(g, calib, ops::QuantConfig{});
  quant::Evaluation ev = quant::evaluate(m, test);
  const auto& o = ev.outputs[0];
  double agree = 100.0 * static_cast<double>(o.argmax_agree) / static_cast<double>(o.argmax_rows);
  double facc = 100.0 * static_cast<double>(ev.float_correct) / static_cast<double>(ev.labelled);
  double iacc = 100.0 * static_cast<double>(ev.int_correct) / static_cast<double>(ev.labelled);
  std::printf("%s (calibrated on input.json only): arg-max agreement %.2f %%, float accuracy %.2f %%, integer accuracy %.2f %%\n",
              name.c_str(), agree, facc, iacc);
  EXPECT_GE(agree, 99.7);
  EXPECT_LE(std::fabs(iacc - facc), 0.3);
}

TEST(Digits, MlpOneSampleCalibration) { check_one_sample_calibration("mlp_digits"); }
TEST(Digits, CnnOneSampleCalibration) { check_one_sample_calibration("cnn_digits"); }

TEST(Digits, MlpAcceptance) { check_digits("mlp_digits"); }
TEST(Digits, CnnAcceptance) { check_digits("cnn_digits"); }
