// JSON input, calibration and reference-output files (json_io.h).
#include "graph/json_io.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.h"

namespace zkinfer::graph {

using nlohmann::json;

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open file");
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

namespace {

json parse(const std::string& text, const std::string& what) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw Error(what + ": malformed JSON: " + e.what());
  }
}

void flatten(const json& j, std::vector<double>& out, const std::string& what, int depth = 0) {
  if (depth > 32) throw Error(what + ": nesting too deep");
  if (j.is_array()) {
    for (const auto& e : j) flatten(e, out, what, depth + 1);
  } else if (j.is_number()) {
    out.push_back(j.get<double>());
  } else if (j.is_boolean()) {
    out.push_back(j.get<bool>() ? 1.0 : 0.0);
  } else {
    throw Error(what + ": expected a number, found " + std::string(j.type_name()));
  }
}

std::vector<std::vector<double>> input_lists(const json& j, const std::string& what) {
  if (!j.is_object() || !j.contains("input_data")) throw Error(what + ": expected an object with \"input_data\"");
  const json& d = j["input_data"];
  if (!d.is_array() || d.empty()) throw Error(what + ": \"input_data\" must be a non-empty list of lists");
  std::vector<std::vector<double>> out;
  if (!d[0].is_array()) {
    out.emplace_back();
    flatten(d, out.back(), what);
    return out;
  }
  for (const auto& e : d) {
    out.emplace_back();
    flatten(e, out.back(), what);
  }
  return out;
}

ops::FTensor named_tensor(const json& t, const std::string& what) {
  if (!t.is_object() || !t.contains("data")) throw Error(what + ": tensor without \"data\"");
  ops::FTensor v;
  flatten(t["data"], v.data, what);
  if (t.contains("shape")) {
    if (!t["shape"].is_array()) throw Error(what + ": \"shape\" must be a list");
    for (const auto& d : t["shape"]) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0) throw Error(what + ": bad dimension in \"shape\"");
      v.shape.push_back(d.get<int64_t>());
    }
    if (ops::numel(v.shape) != v.size()) throw Error(what + ": shape and data size differ");
  } else {
    v.shape = {v.size()};
  }
  return v;
}

}  // namespace

std::vector<std::vector<double>> parse_input_json(const std::string& text, const std::string& what) {
  return input_lists(parse(text, what), what);
}

std::vector<Sample> parse_samples(const std::string& text, const std::string& what, const Graph& g) {
  json j = parse(text, what);
  std::vector<Sample> out;
  size_t k = g.inputs.size();
  if (k == 0) throw Error(what + ": the model has no inputs");
  if (j.is_object() && j.contains("cases")) {
    if (!j["cases"].is_array()) throw Error(what + ": \"cases\" must be a list");
    for (const auto& c : j["cases"]) {
      if (!c.is_object() || !c.contains("inputs") || !c["inputs"].is_object()) throw Error(what + ": case without \"inputs\"");
      Sample s;
      for (int id : g.inputs) {
        const std::string& name = g.tensors[id].name;
        if (!c["inputs"].contains(name)) {
          if (k == 1 && c["inputs"].size() == 1) {
            s.inputs.push_back(named_tensor(c["inputs"].begin().value(), what).data);
            continue;
          }
          throw Error(what + ": case lacks input '" + name + "'");
        }
        s.inputs.push_back(named_tensor(c["inputs"][name], what + " input '" + name + "'").data);
      }
      if (c.contains("meta") && c["meta"].is_object() && c["meta"].contains("label") && c["meta"]["label"].is_number_integer())
        s.label = c["meta"]["label"].get<int64_t>();
      out.push_back(std::move(s));
    }
  } else {
    auto lists = input_lists(j, what);
    if (lists.size() % k) throw Error(what + ": " + std::to_string(lists.size()) + " input lists is not a multiple of the model's " + std::to_string(k) + " inputs");
    for (size_t i = 0; i < lists.size(); i += k) {
      Sample s;
      s.inputs.assign(lists.begin() + static_cast<long>(i), lists.begin() + static_cast<long>(i + k));
      out.push_back(std::move(s));
    }
  }
  if (out.empty()) throw Error(what + ": no samples");
  return out;
}

std::vector<std::vector<NamedTensor>> parse_named_outputs(const std::string& text, const std::string& what) {
  json j = parse(text, what);
  auto one = [&](const json& o) {
    if (!o.is_object()) throw Error(what + ": \"outputs\" must be an object");
    std::vector<NamedTensor> v;
    for (auto it = o.begin(); it != o.end(); ++it) v.push_back({it.key(), named_tensor(it.value(), what)});
    return v;
  };
  std::vector<std::vector<NamedTensor>> out;
  if (j.is_object() && j.contains("cases") && j["cases"].is_array()) {
    for (const auto& c : j["cases"]) {
      if (!c.is_object() || !c.contains("outputs")) throw Error(what + ": case without outputs");
      out.push_back(one(c["outputs"]));
    }
  } else if (j.is_object() && j.contains("outputs")) {
    out.push_back(one(j["outputs"]));
  } else {
    throw Error(what + ": no \"outputs\"");
  }
  return out;
}

}  // namespace zkinfer::graph
