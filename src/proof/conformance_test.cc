// The protocol conformance harness (issue 11, item 6), driven by one table: the rows of
// tests/conformance_rows.h (node kind x shapes), each in every visibility mode that applies
// (private input and weights: the default, zero knowledge; a public input with private weights; a
// private input with fixed weights and a private output; everything public: plain messages). For
// every row and mode:
//   - the model compiles without blockers, and an honest proof verifies against the verifying key's
//     public model, with the integer executor's output;
//   - every claim the steps make (on a tensor, an advice vector or a weight) is the true
//     evaluation of that vector's multilinear extension at the claim's point (the prover checks
//     each one: ProveStats::check_claims; the count checked is asserted non-zero);
//   - the proof's layout, as the verifier enumerates it (proof_fields: every count, scalar,
//     point and message it reads), covers the proof exactly, and every field changed is rejected:
//     all fields in the default mode, an evenly spread sample of them in the other modes (to keep
//     the test to minutes); a changed byte is chosen at random within the field.
#include <gtest/gtest.h>

#include <cstdlib>

#include <algorithm>

#include "common/random.h"
#include "conformance_rows.h"
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

using quant::Visibility;

struct Mode {
  const char* name;
  quant::VisibilityRecord vis;
  bool all_fields;  // change every field (else an evenly spread sample)
};

const Mode kModes[] = {
    {"private input and weights", {Visibility::kPrivate, Visibility::kPrivate, Visibility::kPublic}, true},
    {"public input, private weights", {Visibility::kPublic, Visibility::kPrivate, Visibility::kPublic}, false},
    {"private input and output, fixed weights", {Visibility::kPrivate, Visibility::kFixed, Visibility::kPrivate}, false},
    {"everything public", {Visibility::kPublic, Visibility::kFixed, Visibility::kPublic}, false},
};
constexpr size_t kSampledFields = 40;

std::vector<double> random_input(TestRng& rng, size_t n, double range) {
  std::vector<double> v(n);
  for (auto& x : v) x = range * (static_cast<double>(rng.next_u64() % 2001) / 1000.0 - 1.0);
  return v;
}

size_t numel(const std::vector<int64_t>& dims) {
  size_t n = 1;
  for (int64_t d : dims) n *= static_cast<size_t>(d);
  return n;
}

TEST(Conformance, EveryRowInEveryMode) {
  SCOPED_TRACE(testing::seed_note());
  TestRng rng(testing::test_seed());
  const auto& rows = conformance::rows();
  ASSERT_GE(rows.size(), 30u);
  size_t runs = 0, changed = 0;
  // ZKINFER_CONFORMANCE_ROWS=TEXT: only the rows whose name contains TEXT (while working on them).
  const char* only = std::getenv("ZKINFER_CONFORMANCE_ROWS");
  for (const auto& row : rows) {
    if (only && row.name.find(only) == std::string::npos) continue;
    SCOPED_TRACE(row.name);
    graph::Graph g = graph::load_onnx_bytes(row.onnx, row.name);
    std::vector<graph::Sample> samples(8);
    for (auto& s : samples) s.inputs.push_back(random_input(rng, numel(row.input), row.input_range));
    const quant::CompiledModel base = quant::quantize(std::move(g), samples, ops::QuantConfig{});
    for (const Mode& mode : kModes) {
      SCOPED_TRACE(mode.name);
      if (quant::visibility_invalid(mode.vis)) continue;
      quant::CompiledModel m = base;
      m.visibility = mode.vis;
      quant::encode_model(m);
      const auto why = unsupported(m);
      ASSERT_FALSE(why.has_value()) << *why;
      const VerifyingKey vk = setup(m);
      const quant::CompiledModel pub = decode_vk_file(encode_vk_file(vk, quant::encode_public_model(m))).model;
      const auto trace =
          quant::run_int(m, quant::quantize_inputs(m, graph::make_inputs(m.graph, samples[0].inputs, row.name)));
      std::vector<ops::ITensor> public_in;
      if (mode.vis.input == Visibility::kPublic)
        for (int t : m.graph.inputs) public_in.push_back(trace.values[t]);

      ProveStats stats;
      stats.check_claims = true;
      const auto bytes = prove(m, vk, trace, pcs::random_fr(rng), &stats);
      EXPECT_GT(stats.claims_checked, 0u);

      std::vector<ops::ITensor> outs;
      Verdict v = verify(pub, vk, bytes, nullptr, &outs, public_in);
      ASSERT_TRUE(v.ok()) << v.reason();
      if (mode.vis.output == Visibility::kPublic) {
        ASSERT_EQ(outs.size(), 1u);
        EXPECT_EQ(outs[0].data, trace.outputs(m)[0].data);
      } else {
        EXPECT_TRUE(outs.empty());
      }

      // The layout: the verifier's reads tile the proof, in order, with no gap and no overlap.
      std::vector<ByteField> fields;
      v = proof_fields(pub, vk, bytes, &fields, public_in);
      ASSERT_TRUE(v.ok()) << v.reason();
      ASSERT_FALSE(fields.empty());
      size_t at = 0;
      for (const auto& f : fields) {
        ASSERT_EQ(f.offset, at) << "the verifier skipped or re-read bytes";
        at += f.size;
      }
      ASSERT_EQ(at, bytes.size()) << "the verifier did not read the whole proof";

      // Every field (or a spread sample) changed is rejected, with a typed reason.
      std::vector<size_t> pick;
      if (mode.all_fields || fields.size() <= kSampledFields) {
        for (size_t i = 0; i < fields.size(); ++i) pick.push_back(i);
      } else {
        for (size_t k = 0; k < kSampledFields; ++k) pick.push_back(k * fields.size() / kSampledFields);
      }
      for (size_t i : pick) {
        const ByteField& f = fields[i];
        auto bad = bytes;
        const size_t b = f.offset + rng.next_u64() % f.size;
        bad[b] ^= static_cast<uint8_t>(1 + rng.next_u64() % 255);
        const Verdict bv = verify(pub, vk, bad, nullptr, nullptr, public_in);
        EXPECT_FALSE(bv.ok()) << "field " << i << " of " << fields.size() << " (bytes " << f.offset << ".."
                              << f.offset + f.size << ", changed byte " << b << ") changed, still accepted";
        if (!bv.ok()) EXPECT_NE(bv.failure(), Failure::kNone) << bv.reason();
        ++changed;
      }
      ++runs;
    }
  }
  std::printf("conformance: %zu rows, %zu row-modes proven and verified, %zu changed proofs rejected\n", rows.size(),
              runs, changed);
}

}  // namespace
}  // namespace zkinfer::proof
