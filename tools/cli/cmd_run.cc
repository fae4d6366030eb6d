// zkinfer run MODEL.zkm --input INPUT.json [--output OUT.json]
// Runs the integer model (what a proof would prove) and the float model on one input in EZKL's
// layout; writes {"output_data": [...dequantized integer outputs], "float_output_data": [...]}
// and prints both with their difference.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "proof/files.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"

namespace zkinfer::cli {

namespace {
struct RunArgs {
  std::string model, input, output;
};
void print_values(const char* label, const ops::FTensor& t) {
  std::printf("    %-7s [", label);
  size_t n = std::min<size_t>(t.data.size(), 10);
  for (size_t i = 0; i < n; ++i) std::printf("%s%.5g", i ? ", " : "", t.data[i]);
  std::printf("%s]\n", t.data.size() > n ? ", ..." : "");
}
}  // namespace

void register_run(CLI::App& app, Action& action) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* sub = app.add_subcommand("run", "run the quantized and the float model on an input (no proof)");
  sub->add_option("model", args->model, "compiled model (.zkm)")->required();
  sub->add_option("--input", args->input, "input JSON ({\"input_data\": [[...]]})")->required();
  sub->add_option("--output", args->output, "write outputs to this JSON file");
  sub->callback([args, &action] {
    action = [args] {
      quant::CompiledModel m = quant::load_model(args->model);
      auto flat = graph::parse_input_json(graph::read_text(args->input), args->input);
      auto in = graph::make_inputs(m.graph, flat, args->input);
      auto fout = graph::run_float(m.graph, in);
      auto tr = quant::run_int(m, quant::quantize_inputs(m, in));
      auto iout = tr.outputs(m);
      nlohmann::json j;
      j["output_data"] = nlohmann::json::array();
      j["float_output_data"] = nlohmann::json::array();
      for (size_t k = 0; k < iout.size(); ++k) {
        ops::FTensor q = quant::dequantize(iout[k]);
        j["output_data"].push_back(q.data);
        j["float_output_data"].push_back(fout[k].data);
        double mx = 0;
        for (int64_t i = 0; i < q.size(); ++i) mx = std::max(mx, std::fabs(q.data[i] - fout[k].data[i]));
        std::printf("output '%s' %s (scale 2^-%d):\n", m.graph.tensors[m.graph.outputs[k]].name.c_str(),
                    ops::shape_str(q.shape).c_str(), iout[k].scale);
        print_values("integer", q);
        print_values("float", fout[k]);
        std::printf("    max abs difference %.6g\n", mx);
      }
      if (!args->output.empty()) proof::write_text(args->output, j.dump() + "\n");
      return 0;
    };
  });
}

}  // namespace zkinfer::cli
