// zkinfer setup MODEL.zkm -o DIR [--backend hyrax|kzg --srs FILE.ptau [--kzg-weight-rows on|off] [--wrappable]] [--json]
// (kzg: weight rows on, key version 9, by default; off: version 8; --wrappable: version 12)
// Commits every weight of the compiled model once with the chosen commitment backend (Hyrax:
// transparent, the default; kzg: masked HyperKZG over the powers of tau of FILE.ptau, a snarkjs /
// Perpetual Powers of Tau file, docs/protocol/kzg.md) and writes DIR/pk and DIR/vk (docs/PROOF.md,
// section 4). prove and verify read the backend from the key.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include "commands.h"
#include "common/random.h"
#include "pcs/ipa.h"
#include "pcs/kzg.h"
#include "proof/files.h"
#include "proof/model_proof.h"
#include "proof/weight_bounds_progress.h"
#include "quant/model_file.h"

namespace zkinfer::cli {

void register_setup(CLI::App& app, Action& action) {
  struct Args {
    std::string model, dir, backend = "hyrax", srs, weight_rows;
    bool json = false, wrappable = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("setup", "commit the weights; write DIR/pk and DIR/vk");
  sub->add_option("model", args->model, "compiled model (.zkm)")->required();
  sub->add_option("-o,--output", args->dir, "output directory")->required();
  sub->add_option("--backend", args->backend,
                  "commitment backend: hyrax (transparent, no trusted setup; the default) or kzg (pairing-based, "
                  "constant-size openings; needs --srs)")
      ->check(CLI::IsMember({"hyrax", "kzg"}));
  sub->add_option("--srs", args->srs,
                  "kzg only: a powers-of-tau file in snarkjs's .ptau format (BN254), e.g. a Perpetual Powers of Tau "
                  "ceremony file; needs 2^n powers for the model's largest committed vector of 2^n entries; checked on "
                  "load; its powers go into the pk, its verifier elements into the vk");
  sub->add_option("--kzg-weight-rows", args->weight_rows,
                  "kzg only: on (the default with --backend kzg): a version-9 key whose private weights of more than 2^L "
                  "entries are committed in rows of 2^L (L = max(10, the widest vector a proof commits to)), so that a "
                  "proof's opening is of size 2^L instead of the largest weight's (faster kzg proving; "
                  "docs/protocol/kzg.md section 6 item 3). off: a version-8 key (each weight one commitment)")
      ->check(CLI::IsMember({"on", "off"}));
  sub->add_flag("--wrappable", args->wrappable,
               "kzg only: a version-12 key whose proofs are made to be wrapped (a Groth16 proof that the verifier "
               "accepted, for cheap on-chain checks: docs/protocol/wrap.md): Poseidon transcript, plain messages (the "
               "wrapping proof is the zero-knowledge one); implies --kzg-weight-rows off");
  sub->add_flag("--json", args->json, "print a machine-readable summary");
  sub->callback([args, &action] {
    action = [args] {
      auto t0 = std::chrono::steady_clock::now();
      auto bytes = proof::read_binary(args->model);
      quant::CompiledModel m = quant::decode_model(bytes, args->model);
      if (auto why = proof::unsupported(m)) throw Error(*why);
      std::shared_ptr<const pcs::KzgParams> kzg;
      if (args->backend == "kzg") {
        if (args->srs.empty()) throw Error("setup --backend kzg needs --srs FILE.ptau (a powers-of-tau file)");
        const size_t need = proof::kzg_max_vars(m);
        try {
          kzg = std::make_shared<const pcs::KzgParams>(pcs::KzgParams::from_ptau_file(args->srs, need));
        } catch (const Error& e) {
          throw Error(std::string(e.what()) + " (" + args->model + " needs 2^" + std::to_string(need) +
                      " powers of tau for its largest committed vector of 2^" + std::to_string(need) + " entries)");
        }
      } else if (!args->srs.empty()) {
        throw Error("--srs is for --backend kzg (the hyrax backend needs no setup file)");
      }
      // Version 9 (weight rows) is the kzg default; --kzg-weight-rows off keeps version 8.
      if (args->weight_rows == "on" && args->backend != "kzg") throw Error("--kzg-weight-rows on is for --backend kzg");
      if (args->wrappable && args->backend != "kzg") throw Error("--wrappable is for --backend kzg");
      if (args->wrappable && args->weight_rows == "on") throw Error("--wrappable keys have no weight rows (--kzg-weight-rows off)");
      const bool weight_rows = args->backend == "kzg" && args->weight_rows != "off" && !args->wrappable;
      std::function<void(size_t, size_t)> progress;
      if (isatty(2) && !args->json) {
        progress = [](size_t done, size_t total) {
          std::fprintf(stderr, "\r\033[K  committing weights, then the weight range proof: step %zu/%zu", done, total);
          if (done == total) std::fprintf(stderr, "\n");
          std::fflush(stderr);
        };
      } else if (!args->json) {
        // Not a terminal (a log): a line per step once the setup has run 5 s, then at most one every
        // 5 s, and the range proof's start and end (a large model's setup takes minutes; a small
        // one's prints nothing).
        progress = [t0, last = -1.0](size_t done, size_t total) mutable {
          const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
          const bool edge = done + 1 >= total && s >= 5.0;  // the range proof starts / ends
          if (!edge && (s < 5.0 || s - last < 5.0)) return;
          last = s;
          if (done + 1 < total)
            std::fprintf(stderr, "setup: committing weight %zu of %zu (%.1f s)\n", done + 1, total - 1, s);
          else if (done + 1 == total)
            std::fprintf(stderr, "setup: %zu weights committed; the weight range proof (%.1f s)\n", total - 1, s);
          else
            std::fprintf(stderr, "setup: the weight range proof done (%.1f s)\n", s);
          std::fflush(stderr);
        };
      }
      if (!args->json)  // the range proof's groups (a line each; none for a one-group proof)
        proof::set_weight_bounds_progress([t0, tty = isatty(2) != 0](size_t done, size_t total) {
          const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
          if (tty) {
            std::fprintf(stderr, "\r\033[K  weight range proof: group %zu/%zu", done, total);
            if (done == total) std::fprintf(stderr, "\n");
          } else if (done < total) {
            std::fprintf(stderr, "setup: weight range proof, group %zu of %zu (%.1f s)\n", done + 1, total, s);
          }
          std::fflush(stderr);
        });
      SecureRng rng;
      proof::ProvingKey pk = proof::setup_keys(m, pcs::random_fr(rng), progress, kzg, weight_rows, args->wrappable);
      proof::set_weight_bounds_progress({});
      const proof::VerifyingKey& vk = pk.vk;
      std::filesystem::create_directories(args->dir);
      auto vkb = proof::encode_vk_file(vk, quant::encode_public_model(m));
      auto pkb = proof::encode_pk_file(pk);
      proof::write_binary(args->dir + "/vk", vkb);
      proof::write_binary(args->dir + "/pk", pkb);
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (args->json) {
        nlohmann::ordered_json j;
        j["backend"] = args->backend;
        j["vk"] = args->dir + "/vk";
        j["pk"] = args->dir + "/pk";
        j["vk_bytes"] = vkb.size();
        j["vk_key_bytes"] = vk.size_bytes();
        j["vk_weight_range_proof_bytes"] = vk.weight_bounds.size();
        if (vk.backend == proof::Backend::kKzg) j["vk_constant_openings_bytes"] = vk.constant_openings.size();
        j["pk_bytes"] = pkb.size();
        j["seconds"] = s;
        std::printf("%s\n", j.dump(2).c_str());
      } else {
        std::printf("setup %s -> %s/pk, %s/vk (%s backend) in %.3f s\n", args->model.c_str(), args->dir.c_str(),
                    args->dir.c_str(), args->backend.c_str(), s);
        std::printf("  vk %zu bytes (%zu of key: digests, weight commitments and the weight range proof (%zu); the rest the "
                    "model's public encoding)\n",
                    vkb.size(), vk.size_bytes(), vk.weight_bounds.size());
        std::printf("  pk %zu bytes\n", pkb.size());
      }
      return 0;
    };
  });
}

}  // namespace zkinfer::cli
