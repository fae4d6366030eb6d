// zkinfer compile MODEL.onnx [--calibration FILE] [--scale N] [--input-visibility public|private]
//   [--weights-visibility private|public|fixed] [--output-visibility public|private]
//   [--allow-unprovable] -o MODEL.zkm
// Loads and checks the ONNX model (every unsupported operator reported at once), calibrates on
// the samples (or the input.json beside the model), quantizes, checks that every node has a proof
// protocol for its op, attributes and shapes (proof::blockers; every blocker listed, exit 2, no
// file written; --allow-unprovable writes the file anyway with a warning, for `run`), writes the
// .zkm file and prints, per output, the integer model's error against float and the arg-max
// agreement. Without --scale the scale is chosen (quant::choose_scale): the cheapest of 8, 10, ...,
// 16 whose integer model meets the accuracy target on the calibration samples; none: refused (exit
// 2) with what each scale gave, unless --scale forces one.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>

#include "commands.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "proof/model_proof.h"
#include "quant/evaluate.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"

namespace zkinfer::cli {

namespace {
struct CompileArgs {
  std::string model, calibration, output;
  int scale = -1, table_log = 16, margin_bits = 2;  // scale -1: chosen
  std::string input_vis = "private", weights_vis = "private", output_vis = "public";
  bool allow_unprovable = false;
};
}  // namespace

void register_compile(CLI::App& app, Action& action) {
  auto args = std::make_shared<CompileArgs>();
  CLI::App* sub = app.add_subcommand(
      "compile", "quantize an ONNX model and check that every node has a proof protocol for its op, attributes and shapes");
  sub->footer(
      "A model with any node without a proof protocol is refused with all of them listed (node index, name, op, "
      "opset, reason), exit 2 and no file written: a model that compiles can be set up, proven and verified. "
      "--allow-unprovable writes it anyway, for `run` (docs/FRONTEND.md).");
  sub->add_option("model", args->model, "ONNX model")->required();
  sub->add_option("--calibration", args->calibration, "samples: EZKL input layout (several samples) or a cases file");
  sub->add_option("--scale", args->scale,
                  "fractional bits of activations (default: chosen, the lowest of 8, 10, 12, 14, 16 at which the "
                  "integer model meets the accuracy target on the calibration data; a model meeting it at none is "
                  "refused unless --scale forces one)");
  sub->add_option("--table-log", args->table_log, "log2 of the largest lookup table (default 16)");
  sub->add_option("--margin-bits", args->margin_bits,
                  "headroom of every activation bound over its calibrated range, in bits (default 2: 4x)");
  sub->add_option("-o,--output", args->output, "output .zkm file (default: MODEL with .zkm)");
  sub->add_option("--input-visibility", args->input_vis,
                  "public (the verifier is given the input) or private (committed in the proof; default)");
  sub->add_option("--weights-visibility", args->weights_vis,
                  "private (committed in the key; default), public or fixed (values in the verifying key)");
  sub->add_option("--output-visibility", args->output_vis,
                  "public (values in the proof; default) or private (committed in the proof)");
  sub->add_flag("--allow-unprovable", args->allow_unprovable,
                "write the .zkm even if some nodes have no proof protocol (listed as a warning): the model can be "
                "`run`, but `setup` refuses it with the same list");
  sub->callback([args, &action] {
    action = [args] {
      namespace fs = std::filesystem;
      if (args->scale != -1 && (args->scale < 0 || args->scale > 20)) throw Error("--scale must be between 0 and 20");
      if (args->table_log < 4 || args->table_log > 22) throw Error("--table-log must be between 4 and 22");
      if (args->margin_bits < 0 || args->margin_bits > 24) throw Error("--margin-bits must be between 0 and 24");
      const quant::VisibilityRecord vis = quant::make_visibility(args->input_vis, args->weights_vis, args->output_vis);
      graph::Graph g = graph::load_onnx_file(args->model);
      std::string calib = args->calibration;
      if (calib.empty()) {
        fs::path bundled = fs::path(args->model).parent_path() / "input.json";
        if (!fs::exists(bundled)) throw Error("no calibration data: pass --calibration FILE (no input.json beside " + args->model + ")");
        calib = bundled.string();
      }
      auto samples = graph::parse_samples(graph::read_text(calib), calib, g);
      ops::QuantConfig cfg;
      cfg.base_scale = args->scale;
      cfg.table_log = args->table_log;
      cfg.range_margin_bits = args->margin_bits;
      quant::CompiledModel m;
      std::optional<quant::Evaluation> evaluated;
      std::string scale_note;
      if (args->scale >= 0) {
        m = quant::quantize(std::move(g), samples, cfg);
        scale_note = "given by --scale";
      } else {
        auto blocked = [&](const quant::CompiledModel& c) -> std::optional<std::string> {
          quant::CompiledModel v = c;
          v.visibility = vis;
          return proof::unsupported(v);
        };
        quant::ScaleChoice ch = quant::choose_scale(g, samples, cfg, blocked);
        if (!ch.met)
          throw Error(args->model + ": no scale meets the accuracy target on the calibration data (" + calib +
                      "):\n" + ch.summary() + "pass --scale N to compile at a scale anyway");
        m = std::move(ch.model);
        evaluated = std::move(ch.eval);
        cfg.base_scale = ch.scale;
        scale_note = "chosen from the calibration data";
        for (const auto& t : ch.trials) scale_note += "; at " + std::to_string(t.scale) + ": " + t.outcome;
      }
      m.visibility = vis;  // bound by the digest save_model computes
      const auto blockers = proof::blockers(m);
      if (!blockers.empty() && !args->allow_unprovable)
        throw Error(args->model + ": " + proof::describe_blockers(blockers) +
                    "\n(no file written; --allow-unprovable writes it for `run`, but `setup` refuses it)");
      if (!blockers.empty())
        std::fprintf(stderr, "zkinfer: warning: %s: %s\n  (written anyway: --allow-unprovable; `run` works, `setup` refuses it)\n",
                     args->model.c_str(), proof::describe_blockers(blockers).c_str());
      quant::Evaluation ev = evaluated ? std::move(*evaluated) : quant::evaluate(m, samples);
      std::string out = args->output.empty() ? fs::path(args->model).replace_extension(".zkm").string() : args->output;
      quant::save_model(m, out);
      std::map<std::string, int> ops;
      for (const auto& n : m.graph.nodes) ops[n.op_type]++;
      std::printf("compiled %s -> %s\n", args->model.c_str(), out.c_str());
      std::printf("  nodes %zu:", m.graph.nodes.size());
      for (const auto& [k, v] : ops) std::printf(" %s x%d", k.c_str(), v);
      std::printf("\n  digest keccak256:%s\n", quant::hex(m.digest).c_str());
      std::printf("  visibility: input %s, weights %s, output %s\n", quant::visibility_name(vis.input),
                  quant::visibility_name(vis.weights), quant::visibility_name(vis.output));
      if (blockers.empty())
        std::printf("  provable: every node has a proof protocol for its op, attributes and shapes\n");
      else
        std::printf("  NOT provable: %zu blocker(s) (listed above); `setup` refuses this model\n", blockers.size());
      // The computed tensors' widest bound (a rewrite's inner tensors, computed by no node, keep
      // the default bound and are not counted).
      std::vector<bool> live(m.graph.tensors.size(), false);
      for (int t : m.graph.inputs) live[static_cast<size_t>(t)] = true;
      for (const auto& n : m.graph.nodes)
        for (int t : n.outputs)
          if (t >= 0) live[static_cast<size_t>(t)] = true;
      int widest = 1;
      for (size_t t = 0; t < m.graph.tensors.size(); ++t)
        if (!m.graph.tensors[t].is_const && live[t]) widest = std::max(widest, m.bits[t]);
      std::printf("  scale %d (%s)\n", cfg.base_scale, scale_note.c_str());
      std::printf("  activations at <= 2^-%d, |q| < 2^%d (calibrated bounds, %d bits of headroom); %zu quantized constants; %zu table entries (max 2^%d per table)\n",
                  cfg.base_scale, widest, cfg.range_margin_bits, m.weight_count(), m.table_entries(), cfg.table_log);
      std::printf("  integer vs float over %zu calibration sample(s) from %s:\n", ev.samples, calib.c_str());
      for (const auto& o : ev.outputs) {
        std::printf("    output '%s': max abs error %.6g, mean abs error %.6g", o.name.c_str(), o.max_abs, o.mean_abs);
        if (o.classifier && o.argmax_rows)
          std::printf(", arg-max agreement %lld/%lld (%.2f %%)", (long long)o.argmax_agree, (long long)o.argmax_rows,
                      100.0 * static_cast<double>(o.argmax_agree) / static_cast<double>(o.argmax_rows));
        std::printf("\n");
      }
      if (ev.labelled)
        std::printf("    accuracy on %lld labelled samples: float %.2f %%, integer %.2f %%\n", (long long)ev.labelled,
                    100.0 * static_cast<double>(ev.float_correct) / static_cast<double>(ev.labelled),
                    100.0 * static_cast<double>(ev.int_correct) / static_cast<double>(ev.labelled));
      return 0;
    };
  });
}

}  // namespace zkinfer::cli
