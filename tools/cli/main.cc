// zkinfer command-line front end: parses arguments, runs the chosen subcommand, and turns every
// error into a message "zkinfer: error: ..." and exit code 2 (never a crash).
#include <iostream>
#include <new>

#include "commands.h"
#include "common/error.h"

int main(int argc, char** argv) {
  CLI::App app{"zkinfer: zero-knowledge proofs of neural-network inference"};
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", "zkinfer 0.1.0");
  zkinfer::cli::Action action;
  zkinfer::cli::register_compile(app, action);
  zkinfer::cli::register_run(app, action);
  zkinfer::cli::register_inspect(app, action);
  zkinfer::cli::register_setup(app, action);
  zkinfer::cli::register_prove(app, action);
  zkinfer::cli::register_verify(app, action);
  zkinfer::cli::register_bench(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  if (!action) {
    std::cout << app.help();
    return 0;
  }
  try {
    return action();
  } catch (const zkinfer::Error& e) {
    std::cerr << "zkinfer: error: " << e.what() << "\n";
  } catch (const std::bad_alloc&) {
    std::cerr << "zkinfer: error: out of memory\n";
  } catch (const std::exception& e) {
    std::cerr << "zkinfer: error: " << e.what() << "\n";
  }
  return 2;
}
