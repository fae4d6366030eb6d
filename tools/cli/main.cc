// zkinfer command-line front end.
#include <CLI/CLI.hpp>
#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"zkinfer: zero-knowledge proofs of neural-network inference"};
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", "zkinfer 0.1.0");
  CLI11_PARSE(app, argc, argv);
  if (app.get_subcommands().empty()) std::cout << app.help();
  return 0;
}
