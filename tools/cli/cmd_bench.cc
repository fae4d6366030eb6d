// zkinfer bench MODEL.onnx [--input FILE] [--json]
// Runs compile, setup, prove and verify in one process and prints per step the time, the sizes and
// the process's peak resident memory after the step (getrusage; a running maximum, so a step's
// figure includes the earlier steps'), then the prover's per-layer breakdown.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "pcs/ipa.h"
#include "proof/model_proof.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"

namespace zkinfer::cli {

namespace {
double peak_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}
}  // namespace

void register_bench(CLI::App& app, Action& action) {
  struct Args {
    std::string model, input;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("bench", "compile, setup, prove and verify one model; print times and sizes");
  sub->add_option("model", args->model, "ONNX model")->required();
  sub->add_option("--input", args->input, "input JSON (default: input.json beside the model)");
  sub->add_flag("--json", args->json, "print a machine-readable summary");
  sub->callback([args, &action] {
    action = [args] {
      using clock = std::chrono::steady_clock;
      auto secs = [](clock::time_point t) { return std::chrono::duration<double>(clock::now() - t).count(); };
      std::string input = args->input;
      if (input.empty()) input = (std::filesystem::path(args->model).parent_path() / "input.json").string();
      nlohmann::ordered_json j;
      nlohmann::ordered_json steps = nlohmann::ordered_json::array();
      auto step = [&](const char* name, double s, size_t bytes) {
        steps.push_back({{"step", name}, {"seconds", s}, {"bytes", bytes}, {"peak_rss_mib", peak_mib()}});
        if (!args->json) std::printf("%-8s %9.3f s  %10zu bytes  peak RSS %8.1f MiB\n", name, s, bytes, peak_mib());
      };
      auto t = clock::now();
      graph::Graph g = graph::load_onnx_file(args->model);
      auto samples = graph::parse_samples(graph::read_text(input), input, g);
      quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
      auto zkm = quant::encode_model(m);
      step("compile", secs(t), zkm.size());
      if (auto why = proof::unsupported(m)) throw Error(*why);
      t = clock::now();
      proof::VerifyingKey vk = proof::setup(m);
      step("setup", secs(t), vk.size_bytes());
      t = clock::now();
      auto in = graph::make_inputs(m.graph, samples[0].inputs, input);
      auto trace = quant::run_int(m, quant::quantize_inputs(m, in));
      SecureRng rng;
      proof::ProveStats stats;
      auto bytes = proof::prove(m, vk, trace, pcs::random_fr(rng), &stats);
      step("prove", secs(t), bytes.size());
      t = clock::now();
      Verdict v = proof::verify(m, vk, bytes);
      step("verify", secs(t), bytes.size());
      if (!v.ok()) throw Error("bench: the honest proof was rejected: " + v.reason());
      nlohmann::ordered_json layers = nlohmann::ordered_json::array();
      for (const auto& [name, s] : stats.per_node) layers.push_back({{"node", name}, {"seconds", s}});
      if (args->json) {
        j["model"] = args->model;
        j["steps"] = steps;
        j["prove_commit_seconds"] = stats.commit_s;
        j["prove_open_seconds"] = stats.open_s;
        j["layers"] = layers;
        std::printf("%s\n", j.dump(2).c_str());
      } else {
        std::printf("prover breakdown: commitments %.3f s, batch opening %.3f s\n", stats.commit_s, stats.open_s);
        for (const auto& [name, s] : stats.per_node) std::printf("  %-32s %9.4f s\n", name.c_str(), s);
      }
      return 0;
    };
  });
}

}  // namespace zkinfer::cli
