// The public facade (include/zkinfer/zkinfer.h): each function follows the matching CLI command
// (tools/cli/cmd_*.cc) and calls the same library functions, so errors carry the same messages.
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "pcs/ipa.h"
#include "pcs/kzg.h"
#include "proof/files.h"
#include "proof/model_proof.h"
#include "quant/evaluate.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"
#include "zkinfer/zkinfer.h"

namespace zkinfer::api {

struct Model::Impl {
  quant::CompiledModel model;
  std::vector<uint8_t> zkm;  // its .zkm encoding
};

struct ProvingKey::Impl {
  proof::ProvingKey key;
  std::vector<uint8_t> file;  // the pk file
};

struct VerifyingKey::Impl {
  proof::VerifyingKey key;
  std::vector<uint8_t> file;  // the vk file
  Model model;                // the embedded public model
};

namespace {

using clock_type = std::chrono::steady_clock;
double since(clock_type::time_point t) { return std::chrono::duration<double>(clock_type::now() - t).count(); }

Tensor to_api(const ops::FTensor& t) { return Tensor{t.shape, t.data}; }

std::vector<Tensor> dequantized(const std::vector<ops::ITensor>& ts) {
  std::vector<Tensor> out;
  for (const auto& t : ts) out.push_back(to_api(quant::dequantize(t)));
  return out;
}

std::vector<graph::Sample> to_graph_samples(const std::vector<Sample>& samples) {
  std::vector<graph::Sample> out;
  for (const auto& s : samples) {
    graph::Sample g;
    for (const auto& t : s.inputs) g.inputs.push_back(t.data);
    g.label = s.label;
    out.push_back(std::move(g));
  }
  return out;
}

// Inputs of a compiled model (every shape bound): each tensor must have the input's shape or be
// flat with its element count; the library then checks the counts (graph::make_inputs).
std::vector<ops::FTensor> model_inputs(const quant::CompiledModel& m, const std::vector<Tensor>& inputs) {
  const auto& g = m.graph;
  if (inputs.size() != g.inputs.size())
    throw Error("input: the model has " + std::to_string(g.inputs.size()) + " input(s), got " + std::to_string(inputs.size()));
  std::vector<std::vector<double>> flat;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const auto& info = g.tensors[g.inputs[k]];
    const auto& shape = inputs[k].shape;
    if (shape.size() > 1 && shape != info.shape)
      throw Error("input '" + info.name + "': shape " + ops::shape_str(shape) + " differs from the model's " +
                  ops::shape_str(info.shape));
    flat.push_back(inputs[k].data);
  }
  return graph::make_inputs(g, flat, "input");
}

Accuracy to_api(const quant::Evaluation& ev) {
  Accuracy a;
  for (const auto& o : ev.outputs)
    a.outputs.push_back({o.name, o.max_abs, o.mean_abs, o.classifier, o.argmax_agree, o.argmax_rows});
  a.samples = ev.samples;
  a.labelled = ev.labelled;
  a.float_correct = ev.float_correct;
  a.int_correct = ev.int_correct;
  return a;
}

Model make_model(quant::CompiledModel m, std::vector<uint8_t> zkm) {
  auto impl = std::make_shared<Model::Impl>();
  impl->zkm = std::move(zkm);
  impl->model = std::move(m);
  return Model(impl);
}

quant::Visibility to_quant(Visibility v) {
  switch (v) {
    case Visibility::kPrivate: return quant::Visibility::kPrivate;
    case Visibility::kPublic: return quant::Visibility::kPublic;
    case Visibility::kFixed: return quant::Visibility::kFixed;
  }
  throw Error("bad visibility");
}
Visibility from_quant(quant::Visibility v) {
  return v == quant::Visibility::kPublic ? Visibility::kPublic
         : v == quant::Visibility::kFixed ? Visibility::kFixed : Visibility::kPrivate;
}

quant::VisibilityRecord to_quant(const ModelVisibility& v) {
  // Through the names, so that the errors are the command line's.
  return quant::make_visibility(visibility_name(v.input), visibility_name(v.weights), visibility_name(v.output));
}

void check_options(const CompileOptions& opt) {
  if (opt.scale != -1 && (opt.scale < 0 || opt.scale > 20)) throw Error("--scale must be between 0 and 20");
  if (opt.table_log < 4 || opt.table_log > 22) throw Error("--table-log must be between 4 and 22");
  (void)to_quant(opt.visibility);
}

Model compile_samples(graph::Graph g, const std::vector<graph::Sample>& samples, const CompileOptions& opt) {
  const std::string g_source = g.source;
  ops::QuantConfig cfg;
  cfg.base_scale = opt.scale;
  cfg.table_log = opt.table_log;
  const quant::VisibilityRecord vis = to_quant(opt.visibility);
  quant::CompiledModel m;
  if (opt.scale >= 0) {
    m = quant::quantize(std::move(g), samples, cfg);
  } else {  // as `zkinfer compile` without --scale: the cheapest scale meeting the accuracy target
    auto blocked = [&](const quant::CompiledModel& c) -> std::optional<std::string> {
      quant::CompiledModel v = c;
      v.visibility = vis;
      return proof::unsupported(v);
    };
    quant::ScaleChoice ch = quant::choose_scale(g, samples, cfg, blocked);
    if (!ch.met)
      throw Error(g_source + ": no scale meets the accuracy target on the calibration data:\n" + ch.summary() +
                  "pass a scale (CompileOptions::scale, --scale) to compile at one anyway");
    m = std::move(ch.model);
  }
  m.visibility = vis;
  // As `zkinfer compile`: every node needs a proof protocol (all blockers listed).
  if (!opt.allow_unprovable)
    if (auto why = proof::unsupported(m)) throw Error(g_source + ": " + *why);
  auto zkm = quant::encode_model(m);  // also sets the digest
  return make_model(std::move(m), std::move(zkm));
}

void require_weights(const quant::CompiledModel& m) {
  if (!m.withheld.empty())
    throw Error("model: a public model (from a verifying key) has no weights; use the compiled model (.zkm)");
}

std::vector<TensorSpec> specs(const quant::CompiledModel& m, const std::vector<int>& ids) {
  std::vector<TensorSpec> out;
  for (int id : ids) out.push_back({m.graph.tensors[id].name, m.graph.tensors[id].shape, m.scales[id]});
  return out;
}

nlohmann::ordered_json onnx_json(const graph::Graph& g) {
  nlohmann::ordered_json j;
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
  return j;
}

}  // namespace

const char* visibility_name(Visibility v) { return quant::visibility_name(to_quant(v)); }

Visibility parse_visibility(const std::string& s) {
  auto v = quant::parse_visibility(s);
  if (!v) throw Error("visibility must be private, public or fixed (got '" + s + "')");
  return from_quant(*v);
}

// ---- Model ----

Model Model::compile(const std::string& onnx_path, const std::vector<Sample>& calibration, const CompileOptions& opt) {
  check_options(opt);
  graph::Graph g = graph::load_onnx_file(onnx_path);
  if (calibration.empty()) throw Error(onnx_path + ": no calibration samples");
  return compile_samples(std::move(g), to_graph_samples(calibration), opt);
}

Model Model::compile(const std::string& onnx_path, const std::string& calibration_path, const CompileOptions& opt) {
  namespace fs = std::filesystem;
  check_options(opt);
  graph::Graph g = graph::load_onnx_file(onnx_path);
  std::string calib = calibration_path;
  if (calib.empty()) {
    fs::path bundled = fs::path(onnx_path).parent_path() / "input.json";
    if (!fs::exists(bundled)) throw Error("no calibration data: pass --calibration FILE (no input.json beside " + onnx_path + ")");
    calib = bundled.string();
  }
  auto samples = graph::parse_samples(graph::read_text(calib), calib, g);
  return compile_samples(std::move(g), samples, opt);
}

Model Model::load(const std::string& path) { return from_bytes(graph::read_file(path), path); }

Model Model::from_bytes(std::span<const uint8_t> bytes, const std::string& what) {
  quant::CompiledModel m = quant::decode_model(bytes, what);
  return make_model(std::move(m), std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

void Model::save(const std::string& path) const { proof::write_binary(path, impl_->zkm); }
const std::vector<uint8_t>& Model::bytes() const { return impl_->zkm; }
std::string Model::digest_hex() const { return quant::hex(impl_->model.digest); }
std::string Model::public_digest_hex() const { return quant::hex(quant::public_digest(impl_->model)); }
bool Model::is_public() const { return !impl_->model.withheld.empty(); }
ModelVisibility Model::visibility() const {
  const auto& v = impl_->model.visibility;
  return ModelVisibility{from_quant(v.input), from_quant(v.weights), from_quant(v.output)};
}
std::vector<TensorSpec> Model::inputs() const { return specs(impl_->model, impl_->model.graph.inputs); }
std::vector<TensorSpec> Model::outputs() const { return specs(impl_->model, impl_->model.graph.outputs); }
size_t Model::node_count() const { return impl_->model.graph.nodes.size(); }
std::string Model::to_json() const { return quant::model_to_json(impl_->model, impl_->zkm.size()).dump(2); }

RunResult Model::run(const std::vector<Tensor>& inputs) const {
  const auto& m = impl_->model;
  require_weights(m);
  auto in = model_inputs(m, inputs);
  RunResult r;
  for (const auto& t : graph::run_float(m.graph, in)) r.float_outputs.push_back(to_api(t));
  r.outputs = dequantized(quant::run_int(m, quant::quantize_inputs(m, in)).outputs(m));
  return r;
}

Accuracy Model::evaluate(const std::vector<Sample>& samples) const {
  if (samples.empty()) throw Error("no samples");
  require_weights(impl_->model);
  return to_api(quant::evaluate(impl_->model, to_graph_samples(samples)));
}

Accuracy Model::evaluate(const std::string& samples_path) const {
  require_weights(impl_->model);
  auto samples = graph::parse_samples(graph::read_text(samples_path), samples_path, impl_->model.graph);
  return to_api(quant::evaluate(impl_->model, samples));
}

// ---- keys ----

ProvingKey ProvingKey::load(const std::string& path) { return from_bytes(proof::read_binary(path)); }

ProvingKey ProvingKey::from_bytes(std::span<const uint8_t> bytes) {
  auto impl = std::make_shared<Impl>();
  impl->key = proof::decode_pk_file(bytes);
  impl->file.assign(bytes.begin(), bytes.end());
  return ProvingKey(impl);
}

void ProvingKey::save(const std::string& path) const { proof::write_binary(path, impl_->file); }
const std::vector<uint8_t>& ProvingKey::bytes() const { return impl_->file; }
std::string ProvingKey::model_digest_hex() const { return quant::hex(impl_->key.vk.model_digest); }

VerifyingKey VerifyingKey::load(const std::string& path) { return from_bytes(proof::read_binary(path), path); }

VerifyingKey VerifyingKey::from_bytes(std::span<const uint8_t> bytes, const std::string& what) {
  proof::VkFile f;
  try {
    f = proof::decode_vk_file(bytes);
  } catch (const DecodeError& e) {
    throw Error(what + ": not a verifying key: " + e.what());
  }
  // The file is the key, a u64 length, then the model's .zkm encoding (files.h).
  auto zkm = bytes.subspan(f.key_bytes + 8);
  auto impl = std::make_shared<Impl>(Impl{std::move(f.vk), std::vector<uint8_t>(bytes.begin(), bytes.end()),
                                          make_model(std::move(f.model), std::vector<uint8_t>(zkm.begin(), zkm.end()))});
  return VerifyingKey(impl);
}

void VerifyingKey::save(const std::string& path) const { proof::write_binary(path, impl_->file); }
const std::vector<uint8_t>& VerifyingKey::bytes() const { return impl_->file; }
std::string VerifyingKey::model_digest_hex() const { return quant::hex(impl_->key.model_digest); }
Model VerifyingKey::model() const { return impl_->model; }

Keys setup(const Model& model, const SetupOptions& options) {
  const auto& m = model.impl().model;
  require_weights(m);
  if (auto why = proof::unsupported(m)) throw Error(*why);
  std::shared_ptr<const pcs::KzgParams> kzg;
  if (options.backend == "kzg") {
    if (options.srs.empty()) throw Error("setup: the kzg backend needs srs (a .ptau powers-of-tau file)");
    const size_t need = proof::kzg_max_vars(m);
    try {
      kzg = std::make_shared<const pcs::KzgParams>(pcs::KzgParams::from_ptau_file(options.srs, need));
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + " (the model needs 2^" + std::to_string(need) +
                  " powers of tau for its largest committed vector)");
    }
  } else if (options.backend != "hyrax") {
    throw Error("setup: unknown backend '" + options.backend + "' (hyrax or kzg)");
  } else if (!options.srs.empty()) {
    throw Error("setup: srs is for the kzg backend (hyrax needs no setup file)");
  }
  auto pk = std::make_shared<ProvingKey::Impl>();
  SecureRng rng;
  if (options.wrappable && kzg == nullptr) throw Error("setup: wrappable keys are kzg keys (backend 'kzg')");
  pk->key = proof::setup_keys(m, pcs::random_fr(rng), {}, kzg, kzg != nullptr && options.kzg_weight_rows && !options.wrappable,
                              options.wrappable);
  pk->file = proof::encode_pk_file(pk->key);
  auto vk = std::make_shared<VerifyingKey::Impl>(
      VerifyingKey::Impl{pk->key.vk, {}, Model::from_bytes(quant::encode_public_model(m), "verifying key")});
  vk->file = proof::encode_vk_file(pk->key.vk, vk->model.bytes());
  return Keys{ProvingKey(pk), VerifyingKey(vk)};
}

// ---- proofs ----

Proof Proof::load(const std::string& path) { return Proof(proof::read_binary(path)); }
void Proof::save(const std::string& path) const { proof::write_binary(path, bytes_); }

ProveResult prove(const Model& model, const ProvingKey& pk, const std::vector<Tensor>& inputs) {
  auto t0 = clock_type::now();
  const auto& m = model.impl().model;
  const auto& key = pk.impl().key;
  require_weights(m);
  if (key.vk.model_digest != quant::public_digest(m)) throw Error("proving key: the proving key is for another model");
  auto in = model_inputs(m, inputs);
  auto trace = quant::run_int(m, quant::quantize_inputs(m, in));
  quant::release_constants(m, trace);  // the prover reads the weights from the model
  SecureRng rng;
  proof::ProveStats stats;
  auto bytes = proof::prove(m, key, trace, pcs::random_fr(rng), &stats);
  ProveResult r{Proof(std::move(bytes)), dequantized(trace.outputs(m)), 0, 0, 0, {}};
  r.seconds = since(t0);
  r.commit_seconds = stats.commit_s;
  r.open_seconds = stats.open_s;
  r.per_node_seconds = stats.per_node;
  return r;
}

VerifyResult verify(const VerifyingKey& vk, const Proof& proof, const std::optional<std::vector<Tensor>>& expected,
                    const std::optional<std::vector<Tensor>>& inputs, const std::optional<std::string>& srs) {
  auto t0 = clock_type::now();
  VerifyResult r;
  const auto& m = vk.impl().model.impl().model;
  // The public input, quantized as prove quantizes it (as `verify --input`).
  std::vector<ops::ITensor> public_in;
  if (m.visibility.input == quant::Visibility::kPublic) {
    if (!inputs) throw Error("the model's input is public: verify needs the input the proof is about");
    public_in = quant::quantize_inputs(m, model_inputs(m, *inputs));
  } else if (inputs) {
    throw Error("the model's input is private: the proof commits to it, verify takes no input");
  }
  if (expected && m.visibility.output == quant::Visibility::kPrivate)
    throw Error("the model's output is private: the proof carries only its commitment, nothing to compare with");
  std::vector<ops::ITensor> outs;
  if (srs) {
    if (auto bad = proof::key_srs_mismatch(vk.impl().key, *srs)) {
      r.verdict = Verdict::reject("the verifying key's SRS is not the one of " + *srs + ": " + *bad);
      r.seconds = since(t0);
      return r;
    }
  }
  r.verdict = proof::verify(m, vk.impl().key, proof.bytes(), nullptr, &outs, public_in);
  if (r.verdict.ok()) {
    r.outputs = dequantized(outs);
    if (expected) {
      bool same = expected->size() == r.outputs.size();
      for (size_t k = 0; same && k < r.outputs.size(); ++k) same = (*expected)[k].data == r.outputs[k].data;
      if (!same) {
        r.verdict = Verdict::reject("the proven output differs from the expected output");
        r.outputs.clear();
      }
    }
  }
  r.seconds = since(t0);
  return r;
}

// ---- inspect ----

std::string inspect(const std::string& path) { return inspect_bytes(graph::read_file(path), path); }

std::string inspect_bytes(std::span<const uint8_t> bytes, const std::string& what) {
  if (auto pj = proof::inspect_json(bytes)) return pj->dump(2);
  if (quant::is_zkm(bytes)) return quant::model_to_json(quant::decode_model(bytes, what), bytes.size()).dump(2);
  return onnx_json(graph::load_onnx_bytes(bytes, what)).dump(2);
}

}  // namespace zkinfer::api
