// zkinfer verify --vk DIR/vk --proof PROOF.zkp [--input IN.json] [--output OUT.json] [--srs F.ptau] [--json]
// Exit 0: valid; 1: invalid proof (reason printed: node, sub-protocol, round, check), or the proven
// output differs from --output; 2: bad usage or unreadable files (main.cc maps errors to 2).
// --input is required when the model's input is public (compile --input-visibility public) and
// refused when it is private; with a private output the proof carries no values (none printed,
// --output refused). --srs (kzg keys): the key's SRS must be that of this powers-of-tau file (a
// ceremony's the verifier trusts), else the proof is not accepted (exit 1).
// The key check (the key's weight range proof: a per-key cost) is made once per key and recorded in
// the verified-key cache (proof/key_cache.h; docs/PROOF.md "The verified-key cache"), printed apart
// from the proof's verification; --no-key-cache checks the key in full and records nothing;
// --key-only checks (and records) the key and verifies no proof.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "proof/files.h"
#include "proof/key_cache.h"
#include "proof/model_proof.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"

namespace zkinfer::cli {

void register_verify(CLI::App& app, Action& action) {
  struct Args {
    std::string vk, proof, output, input, srs;
    bool json = false, no_key_cache = false, key_only = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("verify", "verify a proof (exit 0 valid, 1 invalid, 2 bad usage or files)");
  sub->add_option("--vk", args->vk, "verifying key (DIR/vk from setup)")->required();
  auto* proof_opt = sub->add_option("--proof", args->proof, "proof file");
  sub->add_flag("--no-key-cache", args->no_key_cache,
                "check the key's weight range proof in full even if this key passed before, and record nothing "
                "(the cache: $ZKINFER_KEY_CACHE, else $XDG_CACHE_HOME or ~/.cache /zkinfer/verified-keys)");
  sub->add_flag("--key-only", args->key_only, "check the verifying key (and record it in the cache); verify no proof");
  sub->add_option("--output", args->output, "the proven output must equal this JSON file's output_data");
  sub->add_option("--input", args->input,
                  "input JSON ({\"input_data\": [[...]]}) the proof is about: required when the model's input is public");
  sub->add_option("--srs", args->srs,
                  "kzg keys: a powers-of-tau file (.ptau) the key's SRS must come from; without it the verifier "
                  "trusts whoever made the key not to know tau");
  sub->add_flag("--json", args->json, "print a machine-readable summary");
  sub->callback([args, proof_opt, &action] {
    if (!args->key_only && proof_opt->count() == 0) throw CLI::RequiredError("--proof");
    if (args->key_only && proof_opt->count() != 0) throw CLI::ValidationError("--key-only checks the key alone: no --proof");
    action = [args] {
      auto t0 = std::chrono::steady_clock::now();
      proof::VkFile vkf;
      try {
        vkf = proof::decode_vk_file(proof::read_binary(args->vk));
      } catch (const DecodeError& e) {
        throw Error(args->vk + ": not a verifying key: " + e.what());
      }
      // The key check, once per key: through the verified-key cache unless --no-key-cache.
      std::optional<std::string> srs_bad;
      if (!args->srs.empty()) srs_bad = proof::key_srs_mismatch(vkf.vk, args->srs);
      const std::filesystem::path cache_dir = args->no_key_cache ? std::filesystem::path() : proof::default_key_cache_dir();
      proof::KeyCheck kc;
      if (!srs_bad) kc = proof::check_key_cached(vkf.model, vkf.vk, cache_dir);
      const char* key_how = cache_dir.empty() ? "checked in full, no cache"
                            : kc.cached       ? "found in the verified-key cache"
                            : kc.recorded     ? "checked in full, recorded in the verified-key cache"
                                              : "checked in full";
      if (args->key_only) {
        Verdict kv = srs_bad ? Verdict::reject(args->vk + ": its SRS is not the one of " + args->srs + ": " + *srs_bad)
                             : kc.verdict.classified(Failure::kKey);
        if (args->json) {
          nlohmann::ordered_json j;
          j["valid_key"] = kv.ok();
          if (!kv.ok()) j["reason"] = kv.reason();
          j["key_check_seconds"] = kc.seconds;
          j["key_cached"] = kc.cached;
          j["key_recorded"] = kc.recorded;
          std::printf("%s\n", j.dump(2).c_str());
        } else if (kv.ok()) {
          std::printf("valid key (%s) in %.3f s\n", key_how, kc.seconds);
        } else {
          std::printf("invalid key: %s\n", kv.reason().c_str());
        }
        return kv.ok() ? 0 : 1;
      }
      auto bytes = proof::read_binary(args->proof);
      const auto& vis = vkf.model.visibility;
      // The public input, quantized as prove quantizes it.
      std::vector<ops::ITensor> public_in;
      if (vis.input == quant::Visibility::kPublic) {
        if (args->input.empty())
          throw Error("the model's input is public: pass --input FILE (the input the proof is about)");
        auto flat = graph::parse_input_json(graph::read_text(args->input), args->input);
        public_in = quant::quantize_inputs(vkf.model, graph::make_inputs(vkf.model.graph, flat, args->input));
      } else if (!args->input.empty()) {
        throw Error("the model's input is private: the proof commits to it, verify takes no --input");
      }
      const bool private_output = vis.output == quant::Visibility::kPrivate;
      if (private_output && !args->output.empty())
        throw Error("the model's output is private: the proof carries only its commitment, nothing to compare with --output");
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
      const auto tp = std::chrono::steady_clock::now();
      Verdict v = srs_bad        ? Verdict::reject(args->vk + ": its SRS is not the one of " + args->srs + ": " + *srs_bad)
                  : !kc.verdict ? kc.verdict.classified(Failure::kKey)
                                : proof::verify(vkf.model, vkf.vk, bytes, nullptr, &outs, public_in);
      const double proof_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - tp).count();
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
        if (!v.ok()) {
          j["reason"] = reason;
          j["failure"] = failure_name(v.failure());
          if (v.node() >= 0) j["node"] = v.node();
          if (v.round() >= 0) j["round"] = v.round();
        }
        j["seconds"] = s;
        j["key_check_seconds"] = kc.seconds;
        j["key_cached"] = kc.cached;
        j["proof_verify_seconds"] = proof_s;
        j["proof_bytes"] = bytes.size();
        if (v.ok() && !private_output) j["output"] = proven;
        j["visibility"] = {{"input", quant::visibility_name(vis.input)}, {"weights", quant::visibility_name(vis.weights)},
                           {"output", quant::visibility_name(vis.output)}};
        std::printf("%s\n", j.dump(2).c_str());
      } else if (v.ok()) {
        std::printf("valid proof (%zu bytes) verified in %.3f s%s\n", bytes.size(), s,
                    private_output ? " (the output is private: committed, not shown)" : "");
        std::printf("  key check    %.3f s (%s)\n  proof verify %.3f s\n", kc.seconds, key_how, proof_s);
      } else {
        std::printf("invalid proof: %s\n", reason.c_str());
      }
      return v.ok() ? 0 : 1;
    };
  });
}

}  // namespace zkinfer::cli
