// The Python module `zkinfer`: bindings of the public facade (include/zkinfer/zkinfer.h) with
// pybind11. Tensors are numpy float64 arrays; keys, proofs and models are objects with save/load
// and bytes(); zkinfer::Error becomes zkinfer.Error with the command line's message. The GIL is
// released while the library computes.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "zkinfer/zkinfer.h"

namespace py = pybind11;
using namespace zkinfer::api;

namespace {

std::string fspath(const py::object& p) { return py::str(py::module_::import("os").attr("fspath")(p)); }

std::vector<uint8_t> to_bytes(const py::object& b) {
  std::string s = py::bytes(py::module_::import("builtins").attr("bytes")(b));
  return std::vector<uint8_t>(s.begin(), s.end());
}

py::bytes as_py_bytes(const std::vector<uint8_t>& b) {
  return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
}

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

Tensor to_tensor(const py::handle& obj) {
  Array a = Array::ensure(obj);
  if (!a) throw zkinfer::Error("input: not convertible to an array of numbers");
  Tensor t;
  t.shape.assign(a.shape(), a.shape() + a.ndim());
  t.data.assign(a.data(), a.data() + a.size());
  return t;
}

py::array to_numpy(const Tensor& t) {
  Array a(std::vector<py::ssize_t>(t.shape.begin(), t.shape.end()));
  std::copy(t.data.begin(), t.data.end(), a.mutable_data());
  return a;
}

py::list to_numpy(const std::vector<Tensor>& ts) {
  py::list l;
  for (const auto& t : ts) l.append(to_numpy(t));
  return l;
}

bool is_sequence_of_inputs(const py::handle& obj) {
  if (!py::isinstance<py::list>(obj) && !py::isinstance<py::tuple>(obj)) return false;
  py::sequence s = py::reinterpret_borrow<py::sequence>(obj);
  if (s.size() == 0) return true;
  py::handle first = s[0];
  return py::isinstance<py::array>(first) || py::isinstance<py::list>(first) || py::isinstance<py::tuple>(first);
}

// One array (a single-input model) or a list/tuple of arrays, one per model input.
std::vector<Tensor> to_inputs(const py::object& obj) {
  std::vector<Tensor> out;
  if (is_sequence_of_inputs(obj)) {
    for (auto item : obj) out.push_back(to_tensor(item));
  } else {
    out.push_back(to_tensor(obj));
  }
  return out;
}

// Samples along the first axis: one array (single-input model) or a list of arrays (one per
// input, the same number of samples each); optional integer labels, one per sample.
std::vector<Sample> to_samples(const py::object& obj, const py::object& labels) {
  std::vector<Tensor> per_input = to_inputs(obj);
  size_t n = 0;
  for (size_t k = 0; k < per_input.size(); ++k) {
    const Tensor& t = per_input[k];
    if (t.shape.empty()) throw zkinfer::Error("calibration: an array of samples needs a first (sample) axis");
    if (k == 0) n = static_cast<size_t>(t.shape[0]);
    if (static_cast<size_t>(t.shape[0]) != n)
      throw zkinfer::Error("calibration: the inputs have different sample counts");
  }
  std::vector<Sample> samples(n);
  for (const Tensor& t : per_input) {
    size_t each = n ? t.data.size() / n : 0;
    std::vector<int64_t> shape(t.shape.begin() + 1, t.shape.end());
    for (size_t i = 0; i < n; ++i)
      samples[i].inputs.push_back(Tensor{shape, std::vector<double>(t.data.begin() + i * each, t.data.begin() + (i + 1) * each)});
  }
  if (!labels.is_none()) {
    auto l = labels.cast<std::vector<int64_t>>();
    if (l.size() != n) throw zkinfer::Error("calibration: " + std::to_string(l.size()) + " labels for " + std::to_string(n) + " samples");
    for (size_t i = 0; i < n; ++i) samples[i].label = l[i];
  }
  return samples;
}

py::object json_loads(const std::string& s) { return py::module_::import("json").attr("loads")(s); }

py::dict accuracy_dict(const Accuracy& a) {
  py::dict d;
  py::list outs;
  for (const auto& o : a.outputs) {
    py::dict od;
    od["name"] = o.name;
    od["max_abs_error"] = o.max_abs_error;
    od["mean_abs_error"] = o.mean_abs_error;
    od["classifier"] = o.classifier;
    od["argmax_agree"] = o.argmax_agree;
    od["argmax_rows"] = o.argmax_rows;
    outs.append(od);
  }
  d["outputs"] = outs;
  d["samples"] = a.samples;
  d["labelled"] = a.labelled;
  d["float_correct"] = a.float_correct;
  d["int_correct"] = a.int_correct;
  return d;
}

py::list spec_list(const std::vector<TensorSpec>& specs) {
  py::list l;
  for (const auto& s : specs) {
    py::dict d;
    d["name"] = s.name;
    d["shape"] = py::tuple(py::cast(s.shape));
    d["scale"] = s.scale;
    l.append(d);
  }
  return l;
}

// A proof as Python sees it: the bytes plus, when it came from prove(), the proven outputs and
// the prover's timings.
struct PyProof {
  explicit PyProof(Proof p) : proof(std::move(p)) {}
  PyProof(Proof p, std::vector<Tensor> out, double s, double cs, double os, std::vector<std::pair<std::string, double>> pn)
      : proof(std::move(p)), outputs(std::move(out)), seconds(s), commit_seconds(cs), open_seconds(os),
        per_node_seconds(std::move(pn)) {}
  Proof proof;
  std::optional<std::vector<Tensor>> outputs;
  double seconds = 0, commit_seconds = 0, open_seconds = 0;
  std::vector<std::pair<std::string, double>> per_node_seconds;
};

struct PyVerdict {
  bool valid = false;
  std::string reason;
  std::vector<Tensor> outputs;
  double seconds = 0;
};

Visibility to_visibility(const std::string& what, const std::string& s, bool fixed_ok) {
  if (s == "private") return Visibility::kPrivate;
  if (s == "public") return Visibility::kPublic;
  if (s == "fixed" && fixed_ok) return Visibility::kFixed;
  throw zkinfer::Error(what + " must be " + (fixed_ok ? "'private', 'public' or 'fixed'" : "'public' or 'private'") + " (got '" +
                       s + "')" + (s == "fixed" ? ": only weights can be fixed" : ""));
}

py::dict visibility_dict(const ModelVisibility& v) {
  py::dict d;
  d["input"] = visibility_name(v.input);
  d["weights"] = visibility_name(v.weights);
  d["output"] = visibility_name(v.output);
  return d;
}

Model compile(const py::object& onnx, const py::object& calibration, const py::object& labels, int scale, int table_log,
              const std::string& input_visibility, const std::string& weights_visibility, const std::string& output_visibility,
              bool allow_unprovable) {
  std::string path = fspath(onnx);
  CompileOptions opt{scale, table_log,
                     ModelVisibility{to_visibility("input_visibility", input_visibility, false),
                                     to_visibility("weights_visibility", weights_visibility, true),
                                     to_visibility("output_visibility", output_visibility, false)},
                     allow_unprovable};
  if (calibration.is_none() || py::isinstance<py::str>(calibration) ||
      py::hasattr(calibration, "__fspath__")) {
    if (!labels.is_none()) throw zkinfer::Error("calibration: labels go with array samples (a file carries its own)");
    std::string calib = calibration.is_none() ? "" : fspath(calibration);
    py::gil_scoped_release nogil;
    return Model::compile(path, calib, opt);
  }
  auto samples = to_samples(calibration, labels);
  py::gil_scoped_release nogil;
  return Model::compile(path, samples, opt);
}

}  // namespace

PYBIND11_MODULE(zkinfer, m) {
  m.doc() = "zkinfer: zero-knowledge proofs of neural-network inference";
  m.attr("__version__") = "0.1.0";
  // zkinfer::Error and its subclass DecodeError: the message the CLI prints after "zkinfer: error: ".
  py::register_exception<zkinfer::Error>(m, "Error", PyExc_Exception);

  py::class_<Model>(m, "Model", "A compiled (quantized) model: the .zkm file.")
      .def_static("load", [](const py::object& p) { return Model::load(fspath(p)); }, py::arg("path"))
      .def_static("from_bytes", [](const py::object& b) { return Model::from_bytes(to_bytes(b)); }, py::arg("data"))
      .def("save", [](const Model& self, const py::object& p) { self.save(fspath(p)); }, py::arg("path"))
      .def("bytes", [](const Model& self) { return as_py_bytes(self.bytes()); })
      .def("__bytes__", [](const Model& self) { return as_py_bytes(self.bytes()); })
      .def(py::pickle([](const Model& self) { return py::make_tuple(as_py_bytes(self.bytes())); },
                      [](const py::tuple& t) { return Model::from_bytes(to_bytes(t[0])); }))
      .def_property_readonly("digest", &Model::digest_hex)
      .def_property_readonly("public_digest", &Model::public_digest_hex)
      .def_property_readonly("is_public", &Model::is_public)
      .def_property_readonly("visibility", [](const Model& self) { return visibility_dict(self.visibility()); })
      .def_property_readonly("inputs", [](const Model& self) { return spec_list(self.inputs()); })
      .def_property_readonly("outputs", [](const Model& self) { return spec_list(self.outputs()); })
      .def_property_readonly("node_count", &Model::node_count)
      .def("inspect", [](const Model& self) { return json_loads(self.to_json()); })
      .def("run",
           [](const Model& self, const py::object& inputs) {
             auto in = to_inputs(inputs);
             RunResult r;
             {
               py::gil_scoped_release nogil;
               r = self.run(in);
             }
             return py::make_tuple(to_numpy(r.outputs), to_numpy(r.float_outputs));
           },
           py::arg("inputs"))
      .def("evaluate",
           [](const Model& self, const py::object& samples, const py::object& labels) {
             Accuracy a;
             if (py::isinstance<py::str>(samples) || py::hasattr(samples, "__fspath__")) {
               std::string path = fspath(samples);
               py::gil_scoped_release nogil;
               a = self.evaluate(path);
             } else {
               auto s = to_samples(samples, labels);
               py::gil_scoped_release nogil;
               a = self.evaluate(s);
             }
             return accuracy_dict(a);
           },
           py::arg("samples"), py::arg("labels") = py::none())
      .def("__repr__", [](const Model& self) {
        return "<zkinfer.Model " + std::to_string(self.node_count()) + " nodes, digest " + self.digest_hex().substr(0, 16) + "...>";
      });

  py::class_<ProvingKey>(m, "ProvingKey", "The proving key (DIR/pk of `zkinfer setup`).")
      .def_static("load", [](const py::object& p) { return ProvingKey::load(fspath(p)); }, py::arg("path"))
      .def_static("from_bytes", [](const py::object& b) { return ProvingKey::from_bytes(to_bytes(b)); }, py::arg("data"))
      .def("save", [](const ProvingKey& self, const py::object& p) { self.save(fspath(p)); }, py::arg("path"))
      .def("bytes", [](const ProvingKey& self) { return as_py_bytes(self.bytes()); })
      .def("__bytes__", [](const ProvingKey& self) { return as_py_bytes(self.bytes()); })
      .def(py::pickle([](const ProvingKey& self) { return py::make_tuple(as_py_bytes(self.bytes())); },
                      [](const py::tuple& t) { return ProvingKey::from_bytes(to_bytes(t[0])); }))
      .def_property_readonly("model_digest", &ProvingKey::model_digest_hex);

  py::class_<VerifyingKey>(m, "VerifyingKey", "The verifying key (DIR/vk of `zkinfer setup`).")
      .def_static("load", [](const py::object& p) { return VerifyingKey::load(fspath(p)); }, py::arg("path"))
      .def_static("from_bytes", [](const py::object& b) { return VerifyingKey::from_bytes(to_bytes(b)); }, py::arg("data"))
      .def("save", [](const VerifyingKey& self, const py::object& p) { self.save(fspath(p)); }, py::arg("path"))
      .def("bytes", [](const VerifyingKey& self) { return as_py_bytes(self.bytes()); })
      .def("__bytes__", [](const VerifyingKey& self) { return as_py_bytes(self.bytes()); })
      .def(py::pickle([](const VerifyingKey& self) { return py::make_tuple(as_py_bytes(self.bytes())); },
                      [](const py::tuple& t) { return VerifyingKey::from_bytes(to_bytes(t[0])); }))
      .def_property_readonly("model_digest", &VerifyingKey::model_digest_hex)
      .def_property_readonly("model", &VerifyingKey::model);

  py::class_<PyProof>(m, "Proof", "A proof file's bytes; from prove() also the proven outputs and timings.")
      .def(py::init([](const py::object& b) { return PyProof(Proof(to_bytes(b))); }), py::arg("data"))
      .def_static("load", [](const py::object& p) { return PyProof(Proof::load(fspath(p))); }, py::arg("path"))
      .def_static("from_bytes", [](const py::object& b) { return PyProof(Proof(to_bytes(b))); }, py::arg("data"))
      .def("save", [](const PyProof& self, const py::object& p) { self.proof.save(fspath(p)); }, py::arg("path"))
      .def("bytes", [](const PyProof& self) { return as_py_bytes(self.proof.bytes()); })
      .def("__bytes__", [](const PyProof& self) { return as_py_bytes(self.proof.bytes()); })
      .def("__len__", [](const PyProof& self) { return self.proof.bytes().size(); })
      .def(py::pickle([](const PyProof& self) { return py::make_tuple(as_py_bytes(self.proof.bytes())); },
                      [](const py::tuple& t) { return PyProof(Proof(to_bytes(t[0]))); }))
      .def_property_readonly("outputs", [](const PyProof& self) -> py::object {
        if (!self.outputs) return py::none();
        return to_numpy(*self.outputs);
      })
      .def_property_readonly("output", [](const PyProof& self) -> py::object {
        if (!self.outputs || self.outputs->empty()) return py::none();
        return to_numpy(self.outputs->front());
      })
      .def_readonly("seconds", &PyProof::seconds)
      .def_readonly("commit_seconds", &PyProof::commit_seconds)
      .def_readonly("open_seconds", &PyProof::open_seconds)
      .def_readonly("per_node_seconds", &PyProof::per_node_seconds);

  py::class_<PyVerdict>(m, "Verdict", "The result of verify(): valid, or rejected with a reason.")
      .def_readonly("valid", &PyVerdict::valid)
      .def_readonly("reason", &PyVerdict::reason)
      .def_readonly("seconds", &PyVerdict::seconds)
      .def_property_readonly("outputs", [](const PyVerdict& self) { return to_numpy(self.outputs); })
      .def_property_readonly("output", [](const PyVerdict& self) -> py::object {
        if (self.outputs.empty()) return py::none();
        return to_numpy(self.outputs.front());
      })
      .def("__bool__", [](const PyVerdict& self) { return self.valid; })
      .def("__repr__", [](const PyVerdict& self) {
        return self.valid ? std::string("<zkinfer.Verdict valid>") : "<zkinfer.Verdict invalid: " + self.reason + ">";
      });

  m.def("compile", &compile, py::arg("model"), py::arg("calibration") = py::none(), py::kw_only(),
        py::arg("labels") = py::none(), py::arg("scale") = -1, py::arg("table_log") = 16,
        py::arg("input_visibility") = "private", py::arg("weights_visibility") = "private",
        py::arg("output_visibility") = "public", py::arg("allow_unprovable") = false,
        "Quantize an ONNX model (`zkinfer compile`). calibration: a JSON file path, an array of samples "
        "along axis 0 (single-input model) or a list of such arrays (one per input), or None for the "
        "input.json beside the model. input_visibility: 'private' or 'public'; weights_visibility: "
        "'private', 'public' or 'fixed'; output_visibility: 'public' or 'private' (docs/PROOF.md). "
        "Raises zkinfer.Error listing every node without a proof protocol for its op, attributes or "
        "shapes, unless allow_unprovable=True (then the model can be run, and setup raises that list).");

  m.def("setup",
        [](const Model& model, const std::string& backend, const py::object& srs, bool kzg_weight_rows, bool wrappable) {
          SetupOptions o;
          o.backend = backend;
          o.kzg_weight_rows = kzg_weight_rows;
          o.wrappable = wrappable;
          if (!srs.is_none()) o.srs = py::str(srs);
          Keys k = [&] {
            py::gil_scoped_release nogil;
            return setup(model, o);
          }();
          return py::make_tuple(k.pk, k.vk);
        },
        py::arg("model"), py::kw_only(), py::arg("backend") = "hyrax", py::arg("srs") = py::none(),
        py::arg("kzg_weight_rows") = true, py::arg("wrappable") = false,
        "Commit the weights (`zkinfer setup`); returns (ProvingKey, VerifyingKey). backend: 'hyrax' "
        "(transparent, the default) or 'kzg' (pairing-based; srs: a .ptau powers-of-tau file, path). "
        "kzg_weight_rows (kzg only, `--kzg-weight-rows`): True (the default) a key of version 9 (private "
        "weights committed in rows: faster kzg proving), False one of version 8. wrappable (kzg only, "
        "`--wrappable`): a key of version 12 whose proofs are made to be wrapped in a Groth16 proof for "
        "cheap on-chain checks (`zkinfer wrap-setup` / `wrap`; docs/protocol/wrap.md). "
        "prove and verify read the backend from the key.");

  m.def("prove",
        [](const Model& model, const ProvingKey& pk, const py::object& inputs) {
          auto in = to_inputs(inputs);
          ProveResult r = [&] {
            py::gil_scoped_release nogil;
            return prove(model, pk, in);
          }();
          return PyProof(std::move(r.proof), std::move(r.outputs), r.seconds, r.commit_seconds, r.open_seconds,
                         std::move(r.per_node_seconds));
        },
        py::arg("model"), py::arg("pk"), py::arg("inputs"),
        "Run the integer model on the inputs and prove it (`zkinfer prove`); returns a Proof with the outputs.");

  m.def("verify",
        [](const VerifyingKey& vk, const py::object& proof, const py::object& expected, const py::object& input,
           const py::object& srs) {
          Proof p = py::isinstance<PyProof>(proof) ? proof.cast<const PyProof&>().proof : Proof(to_bytes(proof));
          std::optional<std::vector<Tensor>> exp, in;
          std::optional<std::string> srs_path;
          if (!expected.is_none()) exp = to_inputs(expected);
          if (!input.is_none()) in = to_inputs(input);
          if (!srs.is_none()) srs_path = fspath(srs);
          VerifyResult r = [&] {
            py::gil_scoped_release nogil;
            return verify(vk, p, exp, in, srs_path);
          }();
          return PyVerdict{r.verdict.ok(), r.verdict.reason(), std::move(r.outputs), r.seconds};
        },
        py::arg("vk"), py::arg("proof"), py::arg("expected_output") = py::none(), py::kw_only(),
        py::arg("input") = py::none(), py::arg("srs") = py::none(),
        "Verify a proof (`zkinfer verify`); never raises for a bad proof: returns a Verdict with the reason. "
        "input: the model's inputs (as for prove) when its input is public; raises zkinfer.Error when it is "
        "missing for a public input or given for a private one. With a private output the Verdict has no outputs. "
        "srs (kzg keys): a .ptau file the key's SRS must come from, else the Verdict is a rejection.");

  m.def("run",
        [](const py::object& model, const py::object& inputs) {
          Model mdl = py::isinstance<Model>(model) ? model.cast<Model>() : Model::load(fspath(model));
          auto in = to_inputs(inputs);
          RunResult r;
          {
            py::gil_scoped_release nogil;
            r = mdl.run(in);
          }
          return py::make_tuple(to_numpy(r.outputs), to_numpy(r.float_outputs));
        },
        py::arg("model"), py::arg("inputs"),
        "Run the integer and float model (`zkinfer run`); returns (outputs, float_outputs), lists of arrays.");

  m.def("inspect",
        [](const py::object& what) {
          std::string s;
          if (py::isinstance<py::bytes>(what) || py::isinstance<py::bytearray>(what)) {
            auto b = to_bytes(what);
            py::gil_scoped_release nogil;
            s = inspect_bytes(b, "bytes");
          } else {
            std::string path = fspath(what);
            py::gil_scoped_release nogil;
            s = inspect(path);
          }
          return json_loads(s);
        },
        py::arg("file"), "A .zkm, pk, vk or proof file, or an ONNX model (path or bytes), as a dict (`zkinfer inspect`).");
}
