// zkinfer insecure-test-ptau --power P -o FILE.ptau [--seed S] [--unprepared]
//
//   ****************************************************************************************
//   *  TEST ONLY, INSECURE.  Writes a powers-of-tau file whose secrets (tau, alpha, beta)   *
//   *  are derived from a PUBLIC seed: anyone can forge KZG openings against it.  For real  *
//   *  use take a ceremony file (docs/protocol/kzg.md section 2).                          *
//   ****************************************************************************************
//
// The file is in snarkjs's .ptau format (pcs/ptau_writer.h): what scripts/make-test-ptau.sh makes
// with snarkjs, but in minutes instead of hours at the powers a large model needs (resnet18:
// 2^22). zkinfer's reader checks it on load like any ceremony file (pcs/ptau.h). The file is
// prepared (the Lagrange sections of `snarkjs powersoftau prepare phase2`, which wrap-setup's
// Groth16 phase 1 reads) unless --unprepared.
// Exit 0 written; 2 bad usage (a power out of 1..28) or a write error.
#include <chrono>
#include <iostream>

#include "commands.h"
#include "pcs/ptau_writer.h"

namespace zkinfer::cli {

void register_test_ptau(CLI::App& app, Action& action) {
  struct Args {
    uint32_t power = 0;
    std::string out, seed = "zkinfer test ptau";
    bool unprepared = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "insecure-test-ptau",
      "TEST ONLY, INSECURE: write a .ptau (snarkjs format) from secrets derived from a public seed; never for real use");
  sub->add_option("--power", args->power, "the file holds 2^(power+1)-1 tauG1 powers (1..27; 1..28 with --unprepared)")->required();
  sub->add_option("-o,--output", args->out, ".ptau file to write")->required();
  sub->add_option("--seed", args->seed, "public seed of the (public) secrets");
  sub->add_flag("--unprepared", args->unprepared,
                "omit the Lagrange sections 12-15 (what `snarkjs powersoftau new` writes; power up to 28)");
  sub->callback([args, &action] {
    action = [args] {
      std::cerr << "zkinfer: WARNING: TEST-ONLY, INSECURE powers of tau: tau, alpha and beta are derived from the public seed \""
                << args->seed << "\"; anyone can forge KZG proofs against " << args->out << "\n";
      const auto t0 = std::chrono::steady_clock::now();
      pcs::write_insecure_test_ptau_file(args->out, args->power, pcs::insecure_test_ptau_secrets(args->seed),
                                         [&](const std::string& m) {
                                           const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                                           std::cerr << "insecure-test-ptau: " << s << " s: " << m << "\n";
                                         },
                                         !args->unprepared);
      std::cout << "wrote " << args->out << " (power " << args->power << ", TEST ONLY, INSECURE)\n";
      return 0;
    };
  });
}

}  // namespace zkinfer::cli
