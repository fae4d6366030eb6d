// zkinfer verify --vk DIR/vk --proof PROOF.zkp [--output OUT.json] [--json]
// Exit 0: valid; 1: invalid proof (reason printed: node, sub-protocol, round, check), or the proven
// output differs from --output; 2: bad usage or unreadable files (main.cc maps errors to 2).
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "graph/json_io.h"
#include "proof/files.h"
#include "proof/model_proof.h"
#include "quant/int_executor.h"

namespace zkinfer::cli {

void register_verify(CLI::App& app, Action& action) {
  struct Args {
    std::string vk, proof, output;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("verify", "verify a proof (exit 0 valid, 1 invalid, 2 bad usage or files)");
  sub->add_option("--vk", args->vk, "verifying key (DIR/vk from setup)")->required();
  sub->add_option("--proof", args->proof, "proof file")->required();
  sub->add_option("--output", args->output, "the proven output must equal this JSON file's output_data");
  sub->add_flag("--json", args->json, "print a machine-readable summary");
  sub->callback([args, &action] {
    action = [args] {
      auto t0 = std::chrono::steady_clock::now();
      proof::VkFile vkf;
      try {
        vkf = proof::decode_vk_file(proof::read_binary(args->vk));
      } catch (const DecodeError& e) {
        throw Error(args->vk + ": not a verifying key: " + e.what());
      }
      auto bytes = proof::read_binary(args->proof);
      std::vector<std::vector<double>> expected;
      bool check_output = !args->output.empty();
      if (check_output) {
        auto j = nlohmann::json::parse(graph::read_text(args->output), nullptr, false);
        if (j.is_discarded() || !j.contains("output_data")) throw Error(args->output + ": no output_data");
        try {
          expected = j["output_data"].get<std::vector<std::vector<double>>>();
        } catch (const std::exception& e) {
          throw Error(args->output + ": output_data is not a list of lists of numbers");
        }
      }
      std::vector<ops::ITensor> outs;
      Verdict v = proof::verify(vkf.model, vkf.vk, bytes, nullptr, &outs);
      std::string reason = v.ok() ? "" : v.reason();
      std::vector<std::vector<double>> proven;
      if (v.ok()) {
        for (const auto& o : outs) proven.push_back(quant::dequantize(o).data);
        if (check_output && expected != proven) {
          v = Verdict::reject("the proven output differs from " + args->output);
          reason = v.reason();
        }
      }
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (args->json) {
        nlohmann::ordered_json j;
        j["valid"] = v.ok();
        if (!v.ok()) j["reason"] = reason;
        j["seconds"] = s;
        j["proof_bytes"] = bytes.size();
        if (v.ok()) j["output"] = proven;
        std::printf("%s\n", j.dump(2).c_str());
      } else if (v.ok()) {
        std::printf("valid proof (%zu bytes) verified in %.3f s\n", bytes.size(), s);
      } else {
        std::printf("invalid proof: %s\n", reason.c_str());
      }
      return v.ok() ? 0 : 1;
    };
  });
}

}  // namespace zkinfer::cli
