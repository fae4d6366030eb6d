// zkinfer inspect FILE: a compiled model (.zkm) as readable JSON (graph, scales, shapes, sizes,
// digest); a vk, pk or proof file's summary; an ONNX file as the loaded graph (ops, shapes,
// constants). The work is the public facade's (include/zkinfer/zkinfer.h), shared with Python.
#include <iostream>

#include "commands.h"
#include "zkinfer/zkinfer.h"

namespace zkinfer::cli {

void register_inspect(CLI::App& app, Action& action) {
  auto file = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("inspect", "print a zkinfer file (or an ONNX model) as JSON");
  sub->add_option("file", *file, "file to inspect")->required();
  sub->callback([file, &action] {
    action = [file] {
      std::cout << api::inspect(*file) << "\n";
      return 0;
    };
  });
}

}  // namespace zkinfer::cli
