// zkinfer prove MODEL.zkm --pk DIR/pk --input INPUT.json -o PROOF.zkp [--output OUT.json] [--json]
// Runs the integer model on the input and proves it (docs/PROOF.md). A kzg proving key's SRS powers
// are checked on load unless the key cache (proof/key_cache.h, PowersCheckCache) recorded these
// exact powers as checked; --no-key-cache checks them and records nothing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "commands.h"
#include "common/mem_trace.h"
#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "pcs/ipa.h"
#include "proof/files.h"
#include "proof/key_cache.h"
#include "proof/model_proof.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"

namespace zkinfer::cli {

void register_prove(CLI::App& app, Action& action) {
  struct Args {
    std::string model, pk, input, proof, output;
    bool json = false, no_key_cache = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("prove", "prove one inference of a compiled model");
  sub->add_option("model", args->model, "compiled model (.zkm)")->required();
  sub->add_option("--pk", args->pk, "proving key (DIR/pk from setup)")->required();
  sub->add_option("--input", args->input, "input JSON ({\"input_data\": [[...]]})")->required();
  sub->add_option("-o,--proof", args->proof, "output proof file")->required();
  sub->add_option("--output", args->output, "write the proven output to this JSON file");
  sub->add_flag("--json", args->json, "print a machine-readable summary");
  sub->add_flag("--no-key-cache", args->no_key_cache,
                "kzg keys: check the proving key's SRS powers even if the key cache recorded them as checked, and "
                "record nothing (default cache: $ZKINFER_KEY_CACHE, else the user's cache directory)");
  sub->callback([args, &action] {
    action = [args] {
      const bool tty = isatty(2);
      auto t0 = std::chrono::steady_clock::now();
      quant::CompiledModel m = quant::load_model(args->model);
      mem_trace("cli: model loaded");
      proof::ProvingKey pk;
      bool powers_cached = false;  // kzg: the cache vouched for the pk's SRS powers
      try {
        const proof::PowersCheckCache cache(args->no_key_cache ? std::filesystem::path() : proof::default_key_cache_dir());
        pk = proof::decode_pk_file(proof::read_binary(args->pk), &cache, &powers_cached);
      } catch (const DecodeError& e) {
        throw Error(args->pk + ": not a proving key: " + e.what());
      }
      if (pk.vk.model_digest != quant::public_digest(m)) throw Error(args->pk + ": the proving key is for another model");
      // The prover reads the quantized constants only (the digests bind those): the float copies of
      // the weights (8 bytes a weight, 1.3 GB for GPT-2 small) are released before the proof.
      for (auto& t : m.graph.tensors)
        if (t.is_const && t.dtype == ops::DType::kFloat) std::vector<double>().swap(t.value.data);
      mem_trace("cli: key loaded");
      auto flat = graph::parse_input_json(graph::read_text(args->input), args->input);
      auto in = graph::make_inputs(m.graph, flat, args->input);
      if (tty) std::fprintf(stderr, "running the integer model...\n");
      auto trace = quant::run_int(m, quant::quantize_inputs(m, in));
      // The trace's copy of the weights is released (quant/int_executor.h).
      quant::release_constants(m, trace);
      mem_trace("cli: integer model run");
      if (tty) std::fprintf(stderr, "proving...\n");
      SecureRng rng;
      proof::ProveStats stats;
      if (tty && !args->json)
        stats.progress = [](size_t done, size_t total, const std::string& what) {
          std::fprintf(stderr, "\r\033[K  [%zu/%zu] %s", done, total, what.c_str());
          if (done == total) std::fprintf(stderr, "\n");
          std::fflush(stderr);
        };
      auto bytes = proof::prove(m, pk, trace, pcs::random_fr(rng), &stats);
      mem_trace("cli: proved");
      proof::write_binary(args->proof, bytes);
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      auto out = trace.outputs(m);
      nlohmann::json oj;
      oj["output_data"] = nlohmann::json::array();
      for (const auto& t : out) oj["output_data"].push_back(quant::dequantize(t).data);
      if (!args->output.empty()) proof::write_text(args->output, oj.dump() + "\n");
      if (args->json) {
        nlohmann::ordered_json j;
        j["proof"] = args->proof;
        j["proof_bytes"] = bytes.size();
        j["seconds"] = s;
        j["pk_powers_cached"] = powers_cached;
        j["commit_seconds"] = stats.commit_s;
        j["open_seconds"] = stats.open_s;
        // Where the proof's bytes are: header (the public outputs), commitments (with the zero-
        // knowledge pad rows), the nodes' sub-proofs, the inputs' checks + lookups + batch opening
        // (of it the lookups').
        j["header_bytes"] = stats.header_bytes;
        j["commit_bytes"] = stats.commit_bytes;
        size_t node_bytes = 0;
        for (size_t b : stats.per_node_bytes) node_bytes += b;
        j["node_bytes"] = node_bytes;
        j["open_bytes"] = stats.open_bytes;
        j["lookup_bytes"] = stats.lookup_bytes;
        nlohmann::ordered_json layers = nlohmann::ordered_json::array();
        for (size_t i = 0; i < stats.per_node.size(); ++i) {
          nlohmann::ordered_json l = {{"node", stats.per_node[i].first}, {"seconds", stats.per_node[i].second}};
          if (i < stats.per_node_bytes.size()) l["bytes"] = stats.per_node_bytes[i];
          layers.push_back(l);
        }
        j["layers"] = layers;
        j["output"] = oj["output_data"];
        std::printf("%s\n", j.dump(2).c_str());
      } else {
        std::printf("proved %s -> %s (%zu bytes) in %.3f s\n", args->model.c_str(), args->proof.c_str(), bytes.size(), s);
      }
      return 0;
    };
  });
}

}  // namespace zkinfer::cli
