// Subcommands of the zkinfer CLI. Each lives in its own file and registers itself with the
// CLI11 app; main.cc calls the register functions and maps errors to exit codes (0 success,
// 2 bad usage or bad input; `verify` will add 1 for an invalid proof).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace zkinfer::cli {

// The action of the chosen subcommand, run by main after parsing; returns the exit code.
using Action = std::function<int()>;

void register_compile(CLI::App& app, Action& action);
void register_run(CLI::App& app, Action& action);
void register_inspect(CLI::App& app, Action& action);
void register_setup(CLI::App& app, Action& action);
void register_prove(CLI::App& app, Action& action);
void register_verify(CLI::App& app, Action& action);
void register_bench(CLI::App& app, Action& action);
void register_encode_evm(CLI::App& app, Action& action);
void register_create_evm(CLI::App& app, Action& action);
void register_test_ptau(CLI::App& app, Action& action);  // TEST ONLY, insecure
void register_wrap(CLI::App& app, Action& action);       // wrap-setup, wrap, verify-wrapped

}  // namespace zkinfer::cli
