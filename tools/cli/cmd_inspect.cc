// zkinfer inspect FILE: a compiled model (.zkm) as readable JSON (graph, scales, shapes, sizes,
// digest); an ONNX file as the loaded graph (ops, shapes, constants).
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "graph/onnx_loader.h"
#include "proof/files.h"
#include "quant/model_file.h"

namespace zkinfer::cli {

void register_inspect(CLI::App& app, Action& action) {
  auto file = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("inspect", "print a zkinfer file (or an ONNX model) as JSON");
  sub->add_option("file", *file, "file to inspect")->required();
  sub->callback([file, &action] {
    action = [file] {
      auto bytes = graph::read_file(*file);
      nlohmann::ordered_json j;
      if (auto pj = proof::inspect_json(bytes)) {
        j = *pj;
      } else if (quant::is_zkm(bytes)) {
        j = quant::model_to_json(quant::decode_model(bytes, *file), bytes.size());
      } else {
        graph::Graph g = graph::load_onnx_bytes(bytes, *file);
        j["format"] = "onnx";
        j["opset"] = g.opset;
        auto tj = [&](int id) {
          const auto& t = g.tensors[id];
          return nlohmann::ordered_json{{"name", t.name}, {"shape", t.shape}};
        };
        for (int i : g.inputs) j["inputs"].push_back(tj(i));
        for (int i : g.outputs) j["outputs"].push_back(tj(i));
        size_t weights = 0;
        for (const auto& t : g.tensors)
          if (t.is_const) weights += t.value.data.size();
        j["constant_values"] = weights;
        for (const auto& n : g.nodes) {
          nlohmann::ordered_json nj = {{"name", n.name}, {"op", n.op_type}};
          for (int i : n.inputs) nj["inputs"].push_back(i >= 0 ? g.tensors[i].name : "");
          for (int o : n.outputs) nj["outputs"].push_back(o >= 0 ? g.tensors[o].name : "");
          j["nodes"].push_back(nj);
        }
      }
      std::cout << j.dump(2) << "\n";
      return 0;
    };
  });
}

}  // namespace zkinfer::cli
