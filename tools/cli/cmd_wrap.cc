// The wrapping proof (docs/protocol/wrap.md section 8): a Groth16 proof that zkinfer's verifier
// accepted a proof of a wrappable key (setup --backend kzg --wrappable), for cheap on-chain checks.
//
//   zkinfer wrap-setup --vk DIR/vk --proof SAMPLE.zkp (--srs F.ptau | --insecure-test-setup) -o WDIR [--input IN.json]
//     writes WDIR/wrap.pk and WDIR/wrap.vk. Run it as the party that relies on the proofs (a
//     contract's deployer), never as the prover: whoever knows the phase-2 secret can forge wrapped
//     proofs. Phase 1 comes from the .ptau file (a ceremony's), phase 2 is one contribution made here
//     and discarded. --insecure-test-setup: TEST ONLY, every secret drawn here, said loudly.
//   zkinfer wrap --vk DIR/vk --wrap-pk WDIR/wrap.pk --proof PROOF.zkp -o PROOF.wzkp [--input IN.json]
//   zkinfer verify-wrapped --vk DIR/vk --wrap-vk WDIR/wrap.vk --proof PROOF.wzkp [--input IN.json]
//                          [--output OUT.json] [--json]
//     exit 0 valid, 1 invalid (reason printed), 2 bad usage or files.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "pcs/ipa.h"
#include "proof/files.h"
#include "proof/key_cache.h"
#include "proof/model_proof.h"
#include "proof/wrapped.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"

namespace zkinfer::cli {

namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

proof::VkFile load_vk(const std::string& path) {
  proof::VkFile f;
  try {
    f = proof::decode_vk_file(proof::read_binary(path));
  } catch (const DecodeError& e) {
    throw Error(path + ": not a verifying key: " + e.what());
  }
  if (!f.vk.wrappable())
    throw Error(path + ": the key is not wrappable (version " + std::to_string(f.vk.effective_version()) +
                "): make one with zkinfer setup --backend kzg --srs F.ptau --wrappable");
  return f;
}

// The public input (quantized as prove quantizes it) when the model's input is public.
std::vector<ops::ITensor> public_input(const proof::VkFile& f, const std::string& input) {
  std::vector<ops::ITensor> in;
  if (f.model.visibility.input == quant::Visibility::kPublic) {
    if (input.empty()) throw Error("the model's input is public: pass --input FILE (the input the proof is about)");
    auto flat = graph::parse_input_json(graph::read_text(input), input);
    in = quant::quantize_inputs(f.model, graph::make_inputs(f.model.graph, flat, input));
  } else if (!input.empty()) {
    throw Error("the model's input is private: the proof commits to it, no --input");
  }
  return in;
}

template <class T>
T decode(const std::string& path, const char* what, T (*from)(std::span<const uint8_t>)) {
  try {
    return from(proof::read_binary(path));
  } catch (const DecodeError& e) {
    throw Error(path + ": not a " + what + ": " + e.what());
  }
}

}  // namespace

void register_wrap(CLI::App& app, Action& action) {
  {
    struct Args {
      std::string vk, proof, srs, out, input;
      bool insecure = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* sub = app.add_subcommand(
        "wrap-setup",
        "make the wrapping key (Groth16 over the verifier circuit) from a sample proof; run it as the party relying on "
        "the proofs, never as the prover");
    sub->add_option("--vk", args->vk, "wrappable verifying key (DIR/vk from setup --wrappable)")->required();
    sub->add_option("--proof", args->proof, "any proof the key accepts (its circuit's shape is every proof's)")->required();
    auto* srs = sub->add_option("--srs", args->srs, "powers-of-tau file (.ptau, a ceremony's) for phase 1");
    auto* ins = sub->add_flag("--insecure-test-setup", args->insecure,
                              "TEST ONLY, INSECURE: draw every Groth16 secret here (no .ptau); anyone who can "
                              "recover them forges wrapped proofs");
    srs->excludes(ins);
    sub->add_option("-o,--output", args->out, "directory for wrap.pk and wrap.vk")->required();
    sub->add_option("--input", args->input, "the sample proof's input JSON, when the model's input is public");
    sub->callback([args, &action] {
      if (args->srs.empty() && !args->insecure) throw CLI::ValidationError("wrap-setup needs --srs F.ptau (or --insecure-test-setup)");
      action = [args] {
        const auto t0 = std::chrono::steady_clock::now();
        const proof::VkFile f = load_vk(args->vk);
        const auto sample = proof::read_binary(args->proof);
        const auto in = public_input(f, args->input);
        proof::WrapProvingKey k;
        auto say = [](const std::string& m) { std::fprintf(stderr, "wrap-setup: %s\n", m.c_str()); };
        if (args->insecure) {
          std::cerr << "zkinfer: WARNING: TEST-ONLY, INSECURE wrapping key: every Groth16 secret is drawn in this process; "
                       "never rely on proofs wrapped under it\n";
          SecureRng rng;
          k = proof::wrap_setup_insecure(f.model, f.vk, sample, pcs::random_fr(rng), in);
        } else {
          SecureRng rng;
          k = proof::wrap_setup(f.model, f.vk, sample, args->srs, pcs::random_fr(rng), in, say);
        }
        std::filesystem::create_directories(args->out);
        proof::write_binary(args->out + "/wrap.pk", k.to_bytes());
        proof::write_binary(args->out + "/wrap.vk", k.vk.to_bytes());
        std::printf("wrapping key: %s/wrap.pk, %s/wrap.vk (%zu public inputs, %zu commitments in %zu groups, opening of %zu at %u variables) in %.2f s%s\n",
                    args->out.c_str(), args->out.c_str(), k.vk.num_public(), k.vk.num_commitments(), k.vk.group_sizes.size(),
                    k.vk.opening.size(), k.vk.rho_vars, since(t0), args->insecure ? " [TEST ONLY, INSECURE]" : "");
        return 0;
      };
    });
  }
  {
    struct Args {
      std::string vk, wrap_pk, proof, out, input;
      bool json = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* sub = app.add_subcommand("wrap", "wrap a proof of a wrappable key: a Groth16 proof that its verifier accepted");
    sub->add_option("--vk", args->vk, "wrappable verifying key (DIR/vk)")->required();
    sub->add_option("--wrap-pk", args->wrap_pk, "wrapping key (WDIR/wrap.pk from wrap-setup)")->required();
    sub->add_option("--proof", args->proof, "the proof to wrap")->required();
    sub->add_option("-o,--output", args->out, "wrapped proof file to write")->required();
    sub->add_option("--input", args->input, "the proof's input JSON, when the model's input is public");
    sub->add_flag("--json", args->json, "print a machine-readable summary");
    sub->callback([args, &action] {
      action = [args] {
        const auto t0 = std::chrono::steady_clock::now();
        const proof::VkFile f = load_vk(args->vk);
        const auto pk = decode<proof::WrapProvingKey>(args->wrap_pk, "wrapping proving key", &proof::WrapProvingKey::from_bytes);
        const auto inner = proof::read_binary(args->proof);
        const auto in = public_input(f, args->input);
        if (!args->json) std::fprintf(stderr, "wrap: building the verifier circuit and proving it (Groth16)\n");
        proof::WrapStats st;
        const proof::WrappedProof w = proof::wrap_prove(f.model, f.vk, pk, inner, in, &st);
        const auto bytes = w.to_bytes();
        proof::write_binary(args->out, bytes);
        if (args->json) {
          nlohmann::ordered_json j;
          j["wrapped_proof_bytes"] = bytes.size();
          j["constraints"] = st.constraints;
          j["circuit_seconds"] = st.circuit_s;
          j["groth16_seconds"] = st.groth16_s;
          j["seconds"] = since(t0);
          std::printf("%s\n", j.dump(2).c_str());
        } else {
          std::printf("wrapped proof %s (%zu bytes): circuit of %zu constraints in %.2f s, Groth16 proof in %.2f s\n",
                      args->out.c_str(), bytes.size(), st.constraints, st.circuit_s, st.groth16_s);
        }
        return 0;
      };
    });
  }
  {
    struct Args {
      std::string vk, wrap_vk, proof, input, output;
      bool json = false, no_key_cache = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* sub = app.add_subcommand("verify-wrapped", "verify a wrapped proof (exit 0 valid, 1 invalid, 2 bad usage or files)");
    sub->add_option("--vk", args->vk, "the inner verifying key (DIR/vk)")->required();
    sub->add_option("--wrap-vk", args->wrap_vk, "wrapping verifying key (WDIR/wrap.vk)")->required();
    sub->add_option("--proof", args->proof, "wrapped proof file")->required();
    sub->add_option("--input", args->input, "the input JSON the proof is about, when the model's input is public");
    sub->add_option("--output", args->output, "the proven output must equal this JSON file's output_data");
    sub->add_flag("--json", args->json, "print a machine-readable summary");
    sub->add_flag("--no-key-cache", args->no_key_cache,
                  "check the inner key's weight range proof in full even if it passed before, and record nothing");
    sub->callback([args, &action] {
      action = [args] {
        const auto t0 = std::chrono::steady_clock::now();
        const proof::VkFile f = load_vk(args->vk);
        const auto wvk = decode<proof::WrapVerifyingKey>(args->wrap_vk, "wrapping verifying key", &proof::WrapVerifyingKey::from_bytes);
        const auto in = public_input(f, args->input);
        const auto bytes = proof::read_binary(args->proof);
        // The inner key's check, once per key (the verified-key cache, as verify's).
        const std::filesystem::path cache_dir = args->no_key_cache ? std::filesystem::path() : proof::default_key_cache_dir();
        const proof::KeyCheck kc = proof::check_key_cached(f.model, f.vk, cache_dir);
        Verdict v = kc.verdict.classified(Failure::kKey);
        std::vector<ops::ITensor> outs;
        const auto tv = std::chrono::steady_clock::now();
        if (v) {
          try {
            const proof::WrappedProof w = proof::WrappedProof::from_bytes(bytes, f.vk.kzg ? f.vk.kzg->form() : pcs::KzgForm::kOneWitness);
            v = proof::verify_wrapped(f.model, f.vk, wvk, w, &outs, in, /*key_checked=*/true);
          } catch (const DecodeError& e) {
            v = Verdict::reject(Failure::kDecode, args->proof + ": " + e.what());
          }
        }
        const double verify_s = since(tv);
        std::vector<std::vector<double>> proven;
        if (v.ok()) {
          for (const auto& o : outs) proven.push_back(quant::dequantize(o).data);
          if (!args->output.empty()) {
            auto j = nlohmann::json::parse(graph::read_text(args->output), nullptr, false);
            if (j.is_discarded() || !j.contains("output_data")) throw Error(args->output + ": no output_data");
            std::vector<std::vector<double>> expected;
            try {
              expected = j["output_data"].get<std::vector<std::vector<double>>>();
            } catch (const std::exception&) {
              throw Error(args->output + ": output_data is not a list of lists of numbers");
            }
            if (expected != proven) v = Verdict::reject("the proven output differs from " + args->output);
          }
        }
        if (args->json) {
          nlohmann::ordered_json j;
          j["valid"] = v.ok();
          if (!v.ok()) j["reason"] = v.reason(), j["failure"] = failure_name(v.failure());
          j["seconds"] = since(t0);
          j["verify_seconds"] = verify_s;
          j["key_check_seconds"] = kc.seconds;
          j["key_cached"] = kc.cached;
          j["proof_bytes"] = bytes.size();
          if (v.ok()) j["output"] = proven;
          std::printf("%s\n", j.dump(2).c_str());
        } else if (v.ok()) {
          std::printf("valid wrapped proof (%zu bytes) verified in %.3f s (key check %.3f s%s)\n", bytes.size(), verify_s, kc.seconds,
                      kc.cached ? ", found in the verified-key cache" : "");
        } else {
          std::printf("invalid wrapped proof: %s\n", v.reason().c_str());
        }
        return v.ok() ? 0 : 1;
      };
    });
  }
}

}  // namespace zkinfer::cli
