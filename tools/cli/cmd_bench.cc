// zkinfer bench MODEL.onnx [--input FILE] [--reps N] [--json]
// Runs compile, setup, prove and verify in one process and prints per step the time, the sizes and
// the process's peak resident memory after the step (getrusage; a running maximum, so a step's
// figure includes the earlier steps'), the native inference times (float and integer executors)
// and the prover/native ratio, then the prover's per-layer breakdown. With --reps N, prove and
// verify run N times and the fastest run is reported (these machines are noisy). With
// --compare-kzg FILE.ptau the same model is also set up, proven and verified with the kzg backend
// in the same run (the ratios kzg / hyrax are what BENCHMARKS.md records).
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
#include "pcs/kzg.h"
#include "proof/files.h"
#include "proof/model_proof.h"
#include "quant/int_executor.h"
#include "quant/evaluate.h"
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
    int reps = 1;
    int scale = -1;  // -1: chosen as compile chooses it
    bool json = false;
    bool compare_plain = false;
    std::string compare_kzg;
    std::string kzg_weight_rows = "on";
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("bench", "compile, setup, prove and verify one model; print times and sizes");
  sub->add_option("model", args->model, "ONNX model")->required();
  sub->add_option("--input", args->input, "input JSON (default: input.json beside the model)");
  sub->add_option("--reps", args->reps, "repetitions of prove and verify (the fastest is reported)")
      ->check(CLI::Range(1, 100));
  sub->add_option("--scale", args->scale,
                  "fractional bits of activations (default: chosen from the input as `compile` chooses it)")
      ->check(CLI::Range(0, 20));
  sub->add_flag("--json", args->json, "print a machine-readable summary");
  sub->add_flag("--compare-plain", args->compare_plain,
                "also prove and verify the model with nothing private (input public, weights fixed, output "
                "public: plain proofs) in the same run, and print the cost of zero knowledge as ratios");
  sub->add_option("--compare-kzg", args->compare_kzg,
                  "also set up, prove and verify the model with the kzg backend over this .ptau file in the same run, "
                  "and print kzg / hyrax ratios (the main run is hyrax)");
  sub->add_option("--kzg-weight-rows", args->kzg_weight_rows,
                  "with --compare-kzg: on (the default, as setup's): the kzg key of version 9 (weights in rows); "
                  "off: version 8 (as setup --kzg-weight-rows off)")
      ->check(CLI::IsMember({"on", "off"}));
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
      ops::QuantConfig cfg;
      quant::CompiledModel m;
      if (args->scale >= 0) {
        cfg.base_scale = args->scale;
        m = quant::quantize(std::move(g), samples, cfg);
      } else {  // as compile: the cheapest scale meeting the accuracy target on the input
        quant::ScaleChoice ch =
            quant::choose_scale(g, samples, cfg, [](const quant::CompiledModel& c) { return proof::unsupported(c); });
        if (!ch.met) throw Error(args->model + ": no scale meets the accuracy target on " + input + ":\n" + ch.summary());
        m = std::move(ch.model);
      }
      auto zkm = quant::encode_model(m);
      step("compile", secs(t), zkm.size());
      j["scale"] = m.cfg.base_scale;
      if (!args->json) std::printf("scale    %d\n", static_cast<int>(m.cfg.base_scale));
      if (auto why = proof::unsupported(m)) throw Error(*why);
      t = clock::now();
      SecureRng setup_rng;
      proof::ProvingKey pk = proof::setup_keys(m, pcs::random_fr(setup_rng));
      const proof::VerifyingKey& vk = pk.vk;
      auto vk_file = proof::encode_vk_file(vk, quant::encode_public_model(m));
      step("setup", secs(t), vk_file.size());
      // What the verifier holds: the public model decoded from the key file.
      quant::CompiledModel pub = proof::decode_vk_file(vk_file).model;
      auto in = graph::make_inputs(m.graph, samples[0].inputs, input);
      // Native inference: the float executor and the integer executor (fastest of 5 runs each).
      double float_s = 1e30, int_s = 1e30;
      for (int i = 0; i < 5; ++i) {
        t = clock::now();
        (void)graph::run_float(m.graph, in);
        float_s = std::min(float_s, secs(t));
        t = clock::now();
        (void)quant::run_int(m, quant::quantize_inputs(m, in));
        int_s = std::min(int_s, secs(t));
      }
      SecureRng rng;
      proof::ProveStats stats;
      std::vector<uint8_t> bytes;
      double prove_s = 1e30, verify_s = 1e30;
      for (int i = 0; i < args->reps; ++i) {
        t = clock::now();
        auto trace = quant::run_int(m, quant::quantize_inputs(m, in));
        quant::release_constants(m, trace);  // as `zkinfer prove` does (quant/int_executor.h)
        proof::ProveStats st;
        auto b = proof::prove(m, pk, trace, pcs::random_fr(rng), &st);
        const double s = secs(t);
        if (s < prove_s) prove_s = s, stats = st, bytes = std::move(b);
      }
      step("prove", prove_s, bytes.size());
      Verdict v = Verdict::accept();
      proof::VerifyProfile vprof;  // of the fastest verification
      // The key's range proof: checked once per key, not per proof (timed apart: `zkinfer verify`
      // makes it once per key through the verified-key cache, proof/key_cache.h).
      t = clock::now();
      const Verdict key_v = proof::check_key(pub, vk);
      const double key_check_s = secs(t);
      if (!key_v.ok()) throw Error("bench: the honest key was rejected: " + key_v.reason());
      for (int i = 0; i < args->reps; ++i) {
        proof::VerifyProfile vp;
        t = clock::now();
        v = proof::verify_profiled(pub, vk, bytes, &vp);
        const double s = secs(t);
        if (s < verify_s) verify_s = s, vprof = vp;
        if (!v.ok()) break;
      }
      step("verify", verify_s, bytes.size());
      if (!v.ok()) throw Error("bench: the honest proof was rejected: " + v.reason());
      j["native_float_seconds"] = float_s;
      j["native_int_seconds"] = int_s;
      j["prove_over_float"] = prove_s / float_s;
      if (!args->json)
        std::printf("native   float %.6f s, integer %.6f s; prove / float inference = %.0fx\n", float_s, int_s,
                    prove_s / float_s);
      if (args->compare_plain) {
        // The same model and input with nothing private: the proof is plain (no commitments to
        // messages). Same process, same reps: the ratios are what BENCHMARKS.md records.
        quant::CompiledModel pm = m;
        pm.visibility = {quant::Visibility::kPublic, quant::Visibility::kFixed, quant::Visibility::kPublic};
        SecureRng prng;
        proof::ProvingKey ppk = proof::setup_keys(pm, pcs::random_fr(prng));
        auto ptrace = quant::run_int(pm, quant::quantize_inputs(pm, in));
        std::vector<ops::ITensor> pin;
        for (int t : pm.graph.inputs) pin.push_back(ptrace.values[t]);
        std::vector<uint8_t> pbytes;
        double pprove = 1e30, pverify = 1e30;
        for (int i = 0; i < args->reps; ++i) {
          t = clock::now();
          auto tr2 = quant::run_int(pm, quant::quantize_inputs(pm, in));
          quant::release_constants(pm, tr2);
          auto b = proof::prove(pm, ppk, tr2, pcs::random_fr(prng));
          pprove = std::min(pprove, secs(t));
          pbytes = std::move(b);
        }
        for (int i = 0; i < args->reps; ++i) {
          t = clock::now();
          Verdict pv = proof::verify(pm, ppk.vk, pbytes, nullptr, nullptr, pin);
          pverify = std::min(pverify, secs(t));
          if (!pv.ok()) throw Error("bench: the plain proof was rejected: " + pv.reason());
        }
        // The same visibility and commitments (private input's digits, weight openings), every
        // message in the clear: the cost of zero knowledge alone.
        quant::CompiledModel sm = m;
        sm.benchmark_plain_messages = true;
        std::vector<uint8_t> sbytes;
        double sprove = 1e30, sverify = 1e30;
        for (int i = 0; i < args->reps; ++i) {
          t = clock::now();
          auto tr3 = quant::run_int(sm, quant::quantize_inputs(sm, in));
          quant::release_constants(sm, tr3);
          auto b = proof::prove(sm, pk, tr3, pcs::random_fr(prng));
          sprove = std::min(sprove, secs(t));
          sbytes = std::move(b);
        }
        quant::CompiledModel spub = pub;
        spub.benchmark_plain_messages = true;
        for (int i = 0; i < args->reps; ++i) {
          t = clock::now();
          Verdict sv = proof::verify(spub, vk, sbytes);
          sverify = std::min(sverify, secs(t));
          if (!sv.ok()) throw Error("bench: the plain-message proof was rejected: " + sv.reason());
        }
        j["plain_same_commitments"] = {{"prove_seconds", sprove}, {"verify_seconds", sverify}, {"proof_bytes", sbytes.size()}};
        j["zk_over_plain_same_commitments"] = {
            {"prove", prove_s / sprove},
            {"verify", verify_s / sverify},
            {"proof_bytes", static_cast<double>(bytes.size()) / static_cast<double>(sbytes.size())}};
        if (!args->json)
          std::printf("plain messages, same commitments: prove %.3f s, verify %.3f s, proof %zu bytes; zero knowledge "
                      "costs %.2fx prove, %.2fx verify, %.2fx size\n",
                      sprove, sverify, sbytes.size(), prove_s / sprove, verify_s / sverify,
                      static_cast<double>(bytes.size()) / static_cast<double>(sbytes.size()));
        j["plain"] = {{"prove_seconds", pprove}, {"verify_seconds", pverify}, {"proof_bytes", pbytes.size()}};
        j["zk_over_plain"] = {{"prove", prove_s / pprove},
                              {"verify", verify_s / pverify},
                              {"proof_bytes", static_cast<double>(bytes.size()) / static_cast<double>(pbytes.size())}};
        if (!args->json)
          std::printf("plain    prove %.3f s, verify %.3f s, proof %zu bytes; zero knowledge costs %.2fx prove, "
                      "%.2fx verify, %.2fx size\n",
                      pprove, pverify, pbytes.size(), prove_s / pprove, verify_s / pverify,
                      static_cast<double>(bytes.size()) / static_cast<double>(pbytes.size()));
      }
      if (!args->compare_kzg.empty()) {
        t = clock::now();
        auto srs = std::make_shared<const pcs::KzgParams>(pcs::KzgParams::from_ptau_file(args->compare_kzg, proof::kzg_max_vars(m)));
        const double load_s = secs(t);
        t = clock::now();
        SecureRng krng;
        proof::ProvingKey kpk = proof::setup_keys(m, pcs::random_fr(krng), {}, srs, args->kzg_weight_rows == "on");
        const double ksetup = secs(t);
        auto kvk_file = proof::encode_vk_file(kpk.vk, quant::encode_public_model(m));
        const proof::VkFile kvf = proof::decode_vk_file(kvk_file);
        std::vector<uint8_t> kbytes;
        double kprove = 1e30, kverify = 1e30;
        proof::ProveStats kstats;
        for (int i = 0; i < args->reps; ++i) {
          t = clock::now();
          auto tr = quant::run_int(m, quant::quantize_inputs(m, in));
          quant::release_constants(m, tr);
          proof::ProveStats st;
          auto b = proof::prove(m, kpk, tr, pcs::random_fr(krng), &st);
          const double s = secs(t);
          if (s < kprove) kprove = s, kstats = st;
          kbytes = std::move(b);
        }
        (void)proof::check_key(kvf.model, kvf.vk);  // once per key, as above
        for (int i = 0; i < args->reps; ++i) {
          t = clock::now();
          Verdict kv = proof::verify(kvf.model, kvf.vk, kbytes);
          kverify = std::min(kverify, secs(t));
          if (!kv.ok()) throw Error("bench: the kzg proof was rejected: " + kv.reason());
        }
        j["kzg"] = {{"srs_load_seconds", load_s},         {"setup_seconds", ksetup},
                    {"vk_bytes", kvk_file.size()},         {"prove_seconds", kprove},
                    {"prove_commit_seconds", kstats.commit_s}, {"prove_open_seconds", kstats.open_s},
                    {"verify_seconds", kverify},           {"proof_bytes", kbytes.size()}};
        j["kzg_over_hyrax"] = {{"prove", kprove / prove_s},
                               {"verify", kverify / verify_s},
                               {"proof_bytes", static_cast<double>(kbytes.size()) / static_cast<double>(bytes.size())}};
        if (!args->json)
          std::printf("kzg      srs load %.3f s (2^%zu powers), setup %.3f s, prove %.3f s, verify %.3f s, proof %zu bytes; "
                      "kzg / hyrax: %.2fx prove, %.2fx verify, %.2fx size\n",
                      load_s, srs->max_vars(), ksetup, kprove, kverify, kbytes.size(), kprove / prove_s, kverify / verify_s,
                      static_cast<double>(kbytes.size()) / static_cast<double>(bytes.size()));
        if (!args->json)
          std::printf("kzg      prover: commitments %.3f s (hyrax %.3f s), inputs' checks, lookups and batch opening %.3f s "
                      "(hyrax %.3f s)\n",
                      kstats.commit_s, stats.commit_s, kstats.open_s, stats.open_s);
      }
      nlohmann::ordered_json layers = nlohmann::ordered_json::array();
      for (size_t i = 0; i < stats.per_node.size(); ++i)
        layers.push_back({{"node", stats.per_node[i].first}, {"seconds", stats.per_node[i].second},
                          {"proof_bytes", i < stats.per_node_bytes.size() ? stats.per_node_bytes[i] : 0}});
      size_t node_bytes = 0;
      for (size_t b : stats.per_node_bytes) node_bytes += b;
      if (args->json) {
        j["model"] = args->model;
        j["steps"] = steps;
        j["prove_commit_seconds"] = stats.commit_s;
        j["prove_open_seconds"] = stats.open_s;
        j["key_check_seconds"] = key_check_s;
        j["proof_header_output_bytes"] = stats.header_bytes;
        j["proof_commitment_bytes"] = stats.commit_bytes;
        j["proof_opening_bytes"] = stats.open_bytes;
        j["prove_lookup_seconds"] = stats.lookup_s;
        j["proof_lookup_bytes"] = stats.lookup_bytes;
        j["lookup_tables"] = stats.lookup_tables;
        j["layers"] = layers;
        j["verify_breakdown_seconds"] = {{"key", vprof.key},     {"setup", vprof.setup},
                                         {"nodes", vprof.nodes}, {"bounds", vprof.bounds},
                                         {"lookups", vprof.lookups}, {"open_front", vprof.open_front},
                                         {"zk", vprof.zk},       {"open_back", vprof.open_back}};
        std::printf("%s\n", j.dump(2).c_str());
      } else {
        std::printf("key check %.3f s (the key's weight range proof: once per key, not in verify's time)\n", key_check_s);
        std::printf("proof bytes: header and public outputs' values %zu (the statement, packed), commitments "
                    "%zu, nodes %zu, inputs' checks, lookups and batch opening %zu\n",
                    stats.header_bytes, stats.commit_bytes, node_bytes, stats.open_bytes);
        std::printf("prover breakdown: commitments %.3f s (%zu bytes), inputs' checks, lookups and batch opening %.3f s "
                    "(%zu bytes), of which the model's lookups %.3f s (%zu bytes, %zu tables)\n",
                    stats.commit_s, stats.commit_bytes, stats.open_s, stats.open_bytes, stats.lookup_s, stats.lookup_bytes,
                    stats.lookup_tables);
        for (size_t i = 0; i < stats.per_node.size(); ++i)
          std::printf("  %-32s %9.4f s %9zu bytes\n", stats.per_node[i].first.c_str(), stats.per_node[i].second,
                      i < stats.per_node_bytes.size() ? stats.per_node_bytes[i] : size_t{0});
        std::printf("verifier breakdown (ms): key check %.2f (cached after the first), plan and commitments %.2f, "
                    "nodes %.2f, input/output checks %.2f, lookups %.2f, opening front %.2f, zero-knowledge end "
                    "section %.2f, opening back %.2f\n",
                    1e3 * vprof.key, 1e3 * vprof.setup, 1e3 * vprof.nodes, 1e3 * vprof.bounds, 1e3 * vprof.lookups,
                    1e3 * vprof.open_front, 1e3 * vprof.zk, 1e3 * vprof.open_back);
      }
      return 0;
    };
  });
}

}  // namespace zkinfer::cli
