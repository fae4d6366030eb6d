// .zkm encoding and decoding (model_file.h).
#include "quant/model_file.h"

#include "common/file_io.h"

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/bytes.h"
#include "graph/graph.h"
#include "hash/keccak.h"

namespace zkinfer::quant {

namespace {

constexpr uint8_t kMagic[4] = {'Z', 'K', 'M', 0};
constexpr int64_t kMaxElems = int64_t{1} << 31;

void i64(ByteWriter& w, int64_t v) { w.u64(static_cast<uint64_t>(v)); }
void f64(ByteWriter& w, double v) { w.u64(std::bit_cast<uint64_t>(v)); }
int64_t i64(ByteReader& r) { return static_cast<int64_t>(r.u64()); }
double f64(ByteReader& r) { return std::bit_cast<double>(r.u64()); }

int64_t bounded(ByteReader& r, int64_t lo, int64_t hi, const char* what) {
  int64_t v = i64(r);
  if (v < lo || v > hi) r.fail(std::string(what) + " " + std::to_string(v) + " out of range");
  return v;
}

void put_shape(ByteWriter& w, const ops::Shape& s) {
  w.u32(static_cast<uint32_t>(s.size()));
  for (auto d : s) i64(w, d);
}
ops::Shape get_shape(ByteReader& r) {
  uint32_t n = r.u32();
  if (n > 16) r.fail("rank " + std::to_string(n) + " too large");
  ops::Shape s;
  int64_t total = 1;
  for (uint32_t i = 0; i < n; ++i) {
    s.push_back(bounded(r, 0, kMaxElems, "dimension"));
    total *= std::max<int64_t>(s.back(), 1);
    if (total > kMaxElems) r.fail("tensor too large");
  }
  return s;
}

void put_itensor(ByteWriter& w, const ops::ITensor& t) {
  w.u8(static_cast<uint8_t>(t.dtype));
  put_shape(w, t.shape);
  i64(w, t.scale);
  w.u64(t.data.size());
  for (auto v : t.data) i64(w, v);
}
ops::ITensor get_itensor(ByteReader& r) {
  ops::ITensor t;
  uint8_t dt = r.u8();
  if (dt > 2) r.fail("bad dtype");
  t.dtype = static_cast<ops::DType>(dt);
  t.shape = get_shape(r);
  t.scale = static_cast<int>(bounded(r, -128, 128, "scale"));
  uint64_t n = r.count(8);
  if (static_cast<int64_t>(n) != ops::numel(t.shape)) r.fail("tensor data size differs from its shape");
  t.data.resize(n);
  for (auto& v : t.data) v = i64(r);
  return t;
}

void put_ftensor(ByteWriter& w, const ops::FTensor& t) {
  w.u8(static_cast<uint8_t>(t.dtype));
  put_shape(w, t.shape);
  w.u64(t.data.size());
  for (auto v : t.data) f64(w, v);
}
ops::FTensor get_ftensor(ByteReader& r) {
  ops::FTensor t;
  uint8_t dt = r.u8();
  if (dt > 2) r.fail("bad dtype");
  t.dtype = static_cast<ops::DType>(dt);
  t.shape = get_shape(r);
  uint64_t n = r.count(8);
  if (static_cast<int64_t>(n) != ops::numel(t.shape)) r.fail("tensor data size differs from its shape");
  t.data.resize(n);
  for (auto& v : t.data) v = f64(r);
  return t;
}

void put_attrs(ByteWriter& w, const ops::Attributes& a) {
  w.u64(a.ints.size());
  for (auto& [k, v] : a.ints) { w.str(k); i64(w, v); }
  w.u64(a.floats.size());
  for (auto& [k, v] : a.floats) { w.str(k); f64(w, v); }
  w.u64(a.strings.size());
  for (auto& [k, v] : a.strings) { w.str(k); w.str(v); }
  w.u64(a.int_lists.size());
  for (auto& [k, v] : a.int_lists) { w.str(k); w.u64(v.size()); for (auto x : v) i64(w, x); }
  w.u64(a.float_lists.size());
  for (auto& [k, v] : a.float_lists) { w.str(k); w.u64(v.size()); for (auto x : v) f64(w, x); }
  w.u64(a.tensors.size());
  for (auto& [k, v] : a.tensors) { w.str(k); put_ftensor(w, v); }
}
ops::Attributes get_attrs(ByteReader& r) {
  ops::Attributes a;
  for (uint64_t n = r.count(12), i = 0; i < n; ++i) { auto k = r.str(1024); a.ints[k] = i64(r); }
  for (uint64_t n = r.count(12), i = 0; i < n; ++i) { auto k = r.str(1024); a.floats[k] = f64(r); }
  for (uint64_t n = r.count(8), i = 0; i < n; ++i) { auto k = r.str(1024); a.strings[k] = r.str(); }
  for (uint64_t n = r.count(12), i = 0; i < n; ++i) {
    auto k = r.str(1024);
    auto& v = a.int_lists[k];
    for (uint64_t c = r.count(8), j = 0; j < c; ++j) v.push_back(i64(r));
  }
  for (uint64_t n = r.count(12), i = 0; i < n; ++i) {
    auto k = r.str(1024);
    auto& v = a.float_lists[k];
    for (uint64_t c = r.count(8), j = 0; j < c; ++j) v.push_back(f64(r));
  }
  for (uint64_t n = r.count(12), i = 0; i < n; ++i) { auto k = r.str(1024); a.tensors[k] = get_ftensor(r); }
  return a;
}

void put_params(ByteWriter& w, const ops::QParams& p) {
  w.u64(p.out_scales.size());
  for (auto s : p.out_scales) i64(w, s);
  w.u64(p.ints.size());
  for (auto& [k, v] : p.ints) { w.str(k); i64(w, v); }
  w.u64(p.tables.size());
  for (auto& t : p.tables) {
    w.str(t.fn);
    i64(w, t.lo);
    i64(w, t.in_scale);
    i64(w, t.out_scale);
    w.u64(t.values.size());
    for (auto v : t.values) i64(w, v);
  }
  w.u64(p.consts.size());
  for (auto& [k, v] : p.consts) { w.str(k); put_itensor(w, v); }
}
ops::QParams get_params(ByteReader& r) {
  ops::QParams p;
  for (uint64_t n = r.count(8), i = 0; i < n; ++i) p.out_scales.push_back(static_cast<int>(bounded(r, -128, 128, "scale")));
  for (uint64_t n = r.count(12), i = 0; i < n; ++i) {
    auto k = r.str(1024);
    p.ints[k] = bounded(r, -(int64_t{1} << 62), int64_t{1} << 62, "parameter");
  }
  for (uint64_t n = r.count(36), i = 0; i < n; ++i) {
    ops::Table t;
    t.fn = r.str(64);
    t.lo = bounded(r, -(int64_t{1} << 62), int64_t{1} << 62, "table start");
    t.in_scale = static_cast<int>(bounded(r, -128, 128, "scale"));
    t.out_scale = static_cast<int>(bounded(r, -128, 128, "scale"));
    uint64_t c = r.count(8, uint64_t{1} << 24);
    if (c == 0) r.fail("empty table");
    t.values.resize(c);
    for (auto& v : t.values) v = i64(r);
    p.tables.push_back(std::move(t));
  }
  for (uint64_t n = r.count(8), i = 0; i < n; ++i) { auto k = r.str(1024); p.consts[k] = get_itensor(r); }
  return p;
}

}  // namespace

std::string hex(std::span<const uint8_t> b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (auto x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

const char* visibility_name(Visibility v) {
  switch (v) {
    case Visibility::kPrivate: return "private";
    case Visibility::kPublic: return "public";
    case Visibility::kFixed: return "fixed";
  }
  return "?";
}

std::optional<Visibility> parse_visibility(const std::string& s) {
  if (s == "private") return Visibility::kPrivate;
  if (s == "public") return Visibility::kPublic;
  if (s == "fixed") return Visibility::kFixed;
  return std::nullopt;
}

std::optional<std::string> visibility_invalid(const VisibilityRecord& v) {
  if (v.input == Visibility::kFixed) return "the input cannot be fixed (public or private)";
  if (v.output == Visibility::kFixed) return "the output cannot be fixed (public or private)";
  return std::nullopt;
}

VisibilityRecord make_visibility(const std::string& input, const std::string& weights, const std::string& output) {
  auto one = [](const std::string& option, const std::string& name, bool fixed_ok) {
    auto v = parse_visibility(name);
    if (!v || (*v == Visibility::kFixed && !fixed_ok))
      throw Error(option + " must be " + (fixed_ok ? "private, public or fixed" : "public or private") + " (got '" + name + "')" +
                  (v ? std::string(": only weights can be fixed") : std::string()));
    return *v;
  };
  VisibilityRecord r;
  r.input = one("--input-visibility", input, false);
  r.weights = one("--weights-visibility", weights, true);
  r.output = one("--output-visibility", output, false);
  return r;
}

bool is_zkm(std::span<const uint8_t> bytes) { return bytes.size() >= 4 && std::memcmp(bytes.data(), kMagic, 4) == 0; }

namespace {

// Whether the public encoding keeps a float constant's values: with weights fixed or public the
// verifying key carries them (docs/PROOF.md, "Visibility").
bool public_keeps_floats(const CompiledModel& m) { return m.visibility.weights != Visibility::kPrivate; }

// The bound body; with withhold, private weights (float constants) are written as shape only (flag 2).
std::vector<uint8_t> encode_body(const CompiledModel& m, bool withhold) {
  const auto& g = m.graph;
  ByteWriter b;
  for (int v : {m.cfg.base_scale, m.cfg.act_bits, m.cfg.weight_bits, m.cfg.max_const_scale, m.cfg.table_log, m.cfg.exp_scale, m.cfg.acc_bits})
    i64(b, v);
  // Format version 2: the visibility record (input, weights, output).
  b.u8(static_cast<uint8_t>(m.visibility.input));
  b.u8(static_cast<uint8_t>(m.visibility.weights));
  b.u8(static_cast<uint8_t>(m.visibility.output));
  i64(b, g.opset);
  b.u64(g.tensors.size());
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    const auto& t = g.tensors[i];
    b.str(t.name);
    b.u8(static_cast<uint8_t>(t.dtype));
    put_shape(b, t.shape);
    i64(b, m.scales[i]);
    i64(b, m.bits[i]);
    // Float constants (weights) are withheld unless the weights are fixed or public; integer
    // constants (shapes, indices, pads) stay public.
    const bool hide = t.is_const && (m.is_withheld(static_cast<int>(i)) ||
                                     (withhold && t.dtype == ops::DType::kFloat && !public_keeps_floats(m)));
    b.u8(t.is_const ? (hide ? 2 : 1) : 0);
    if (t.is_const && !hide) put_itensor(b, m.qconst[i]);
  }
  b.u64(g.inputs.size());
  for (int v : g.inputs) i64(b, v);
  b.u64(g.outputs.size());
  for (int v : g.outputs) i64(b, v);
  b.u64(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& n = g.nodes[i];
    b.str(n.name);
    b.str(n.op_type);
    i64(b, n.opset);
    b.u64(n.inputs.size());
    for (int v : n.inputs) i64(b, v);
    b.u64(n.outputs.size());
    for (int v : n.outputs) i64(b, v);
    put_attrs(b, n.attrs);
    if (withhold && !public_keeps_floats(m) && n.op_type == "BatchNormalization") {
      // Its folded constants a, b are derived from private weights: the public model keeps their
      // shapes only (zeros); the verifying key commits to them instead (proof/model_proof.cc).
      ops::QParams p = m.params[i];
      for (auto& [k, v] : p.consts) std::fill(v.data.begin(), v.data.end(), 0);
      put_params(b, p);
    } else {
      put_params(b, m.params[i]);
    }
  }
  return b.take();
}

// The graph's source as the file records it: its file name only, so that where the model was
// compiled (a directory of the owner's machine) is neither published nor part of the key's
// model_file_digest (the same ONNX file compiled in two directories gives the same .zkm).
std::string source_name(const std::string& source) {
  const std::string name = std::filesystem::path(source).filename().string();
  return name.empty() ? source : name;
}

ByteWriter header_and_body(const std::vector<uint8_t>& body) {
  ByteWriter head;
  head.bytes(std::span<const uint8_t>(kMagic, 4));
  head.u32(kZkmVersion);
  head.u64(body.size());
  head.bytes(body);
  return head;
}

}  // namespace

std::vector<uint8_t> encode_model(CompiledModel& m) {
  const auto& g = m.graph;
  ByteWriter head = header_and_body(encode_body(m, false));
  hash::Keccak256 h;
  h.update(head.data());
  m.digest = h.finalize();
  ByteWriter out;
  out.bytes(head.data());
  out.bytes(m.digest);
  // Float part (not bound).
  out.str(source_name(g.source));
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    if (g.tensors[i].is_const && !m.is_withheld(static_cast<int>(i))) put_ftensor(out, g.tensors[i].value);
    f64(out, m.ranges[i].lo);
    f64(out, m.ranges[i].hi);
  }
  return out.take();
}

std::vector<uint8_t> encode_public_model(const CompiledModel& m) {
  const auto& g = m.graph;
  ByteWriter head = header_and_body(encode_body(m, true));
  hash::Keccak256 h;
  h.update(head.data());
  auto d = h.finalize();
  ByteWriter out;
  out.bytes(head.data());
  out.bytes(d);
  out.str(source_name(g.source));
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    // Integer constants are public (their values are in the body too); float ones are withheld
    // unless the weights are fixed or public.
    if (g.tensors[i].is_const && (g.tensors[i].dtype != ops::DType::kFloat || public_keeps_floats(m)) &&
        !m.is_withheld(static_cast<int>(i)))
      put_ftensor(out, g.tensors[i].value);
    f64(out, 0.0);  // calibrated ranges are not published
    f64(out, 0.0);
  }
  return out.take();
}

std::array<uint8_t, 32> public_digest(const CompiledModel& m) {
  // A model decoded from a public encoding is marked by its withheld list; its digest is the
  // public digest. Otherwise hash the public body.
  if (!m.withheld.empty() || m.digest_is_public) return m.digest;
  ByteWriter head = header_and_body(encode_body(m, true));
  hash::Keccak256 h;
  h.update(head.data());
  return h.finalize();
}

CompiledModel decode_model(std::span<const uint8_t> bytes, const std::string& what) {
  ByteReader r(bytes, what);
  if (!is_zkm(bytes)) throw Error(what + ": not a zkinfer model (bad magic)");
  r.bytes(4);
  uint32_t ver = r.u32();
  // Version 1 (before the visibility record) decodes with the default visibility.
  if (ver != kZkmVersion && ver != 1)
    throw Error(what + ": model format version " + std::to_string(ver) + ", this zkinfer reads 1 and " + std::to_string(kZkmVersion));
  uint64_t n = r.count(1);
  auto body = r.bytes(n);
  auto dg = r.bytes(32);
  hash::Keccak256 h;
  h.update(bytes.subspan(0, 16 + n));
  auto want = h.finalize();
  if (std::memcmp(want.data(), dg.data(), 32) != 0) throw Error(what + ": digest mismatch (the file is corrupt or was modified)");
  CompiledModel m;
  std::copy(dg.begin(), dg.end(), m.digest.begin());
  ByteReader b(body, what);
  int* cfg[] = {&m.cfg.base_scale, &m.cfg.act_bits, &m.cfg.weight_bits, &m.cfg.max_const_scale, &m.cfg.table_log, &m.cfg.exp_scale, &m.cfg.acc_bits};
  for (int* p : cfg) *p = static_cast<int>(bounded(b, -128, 128, "configuration value"));
  if (m.cfg.act_bits < 2 || m.cfg.act_bits > 62) b.fail("act_bits out of range");
  if (ver >= 2) {
    Visibility* vis[] = {&m.visibility.input, &m.visibility.weights, &m.visibility.output};
    for (Visibility* v : vis) {
      const uint8_t x = b.u8();
      if (x > 2) b.fail("bad visibility " + std::to_string(x));
      *v = static_cast<Visibility>(x);
    }
    if (auto why = visibility_invalid(m.visibility)) b.fail("visibility: " + *why);
  }
  auto& g = m.graph;
  g.source = what;
  g.opset = static_cast<int>(bounded(b, 1, 1000, "opset"));
  uint64_t nt = b.count(20);
  m.scales.resize(nt);
  m.bits.resize(nt);
  m.qconst.resize(nt);
  for (uint64_t i = 0; i < nt; ++i) {
    graph::TensorInfo t;
    t.name = b.str(4096);
    uint8_t dt = b.u8();
    if (dt > 2) b.fail("bad dtype");
    t.dtype = static_cast<ops::DType>(dt);
    t.shape = get_shape(b);
    m.scales[i] = static_cast<int>(bounded(b, -128, 128, "scale"));
    m.bits[i] = static_cast<int>(bounded(b, 1, 63, "bit bound"));
    const uint8_t flag = b.u8();
    if (flag > 2) b.fail("bad constant flag");
    t.is_const = flag != 0;
    if (flag == 1) {
      m.qconst[i] = get_itensor(b);
      if (m.qconst[i].shape != t.shape) b.fail("constant '" + t.name + "' shape differs");
    } else if (flag == 2) {
      if (m.withheld.empty()) m.withheld.assign(nt, 0);
      m.withheld[i] = 1;
      m.qconst[i].shape = t.shape;  // no values: nothing is allocated
      m.qconst[i].dtype = t.dtype;
    }
    g.tensors.push_back(std::move(t));
  }
  auto id = [&](ByteReader& rr, bool allow_absent) {
    return static_cast<int>(bounded(rr, allow_absent ? -1 : 0, static_cast<int64_t>(nt) - 1, "tensor id"));
  };
  for (uint64_t c = b.count(8), i = 0; i < c; ++i) g.inputs.push_back(id(b, false));
  for (uint64_t c = b.count(8), i = 0; i < c; ++i) g.outputs.push_back(id(b, false));
  uint64_t nn = b.count(40);
  const auto& table = ops::OpTable::get();
  for (uint64_t i = 0; i < nn; ++i) {
    ops::Node nd;
    nd.name = b.str(4096);
    nd.op_type = b.str(256);
    if (!table.find(nd.op_type)) b.fail("unknown operator " + nd.op_type);
    nd.opset = static_cast<int>(bounded(b, 1, 1000, "opset"));
    for (uint64_t c = b.count(8), j = 0; j < c; ++j) nd.inputs.push_back(id(b, true));
    for (uint64_t c = b.count(8), j = 0; j < c; ++j) nd.outputs.push_back(id(b, true));
    nd.attrs = get_attrs(b);
    m.params.push_back(get_params(b));
    g.nodes.push_back(std::move(nd));
  }
  b.expect_end();
  m.ranges.resize(nt);
  g.source = r.str(4096);
  for (uint64_t i = 0; i < nt; ++i) {
    if (g.tensors[i].is_const && !m.is_withheld(static_cast<int>(i))) {
      g.tensors[i].value = get_ftensor(r);
      if (g.tensors[i].value.shape != g.tensors[i].shape) r.fail("float constant shape differs");
    }
    m.ranges[i].lo = f64(r);
    m.ranges[i].hi = f64(r);
  }
  r.expect_end();
  return m;
}

void save_model(CompiledModel& m, const std::string& path) {
  auto bytes = encode_model(m);
  write_file_atomic(path, bytes);  // a failed write never leaves a partial .zkm under `path`
}

CompiledModel load_model(const std::string& path) { return decode_model(graph::read_file(path), path); }

nlohmann::ordered_json model_to_json(const CompiledModel& m, size_t file_bytes) {
  using J = nlohmann::ordered_json;
  const auto& g = m.graph;
  J j;
  j["format"] = "zkinfer model";
  j["version"] = kZkmVersion;
  j["digest"] = "keccak256:" + hex(m.digest);
  j["source"] = source_name(g.source);  // as the file records it
  j["opset"] = g.opset;
  j["visibility"] = {{"input", visibility_name(m.visibility.input)}, {"weights", visibility_name(m.visibility.weights)},
                     {"output", visibility_name(m.visibility.output)}};
  j["config"] = {{"base_scale", m.cfg.base_scale}, {"act_bits", m.cfg.act_bits}, {"weight_bits", m.cfg.weight_bits},
                 {"max_const_scale", m.cfg.max_const_scale}, {"table_log", m.cfg.table_log},
                 {"exp_scale", m.cfg.exp_scale}, {"acc_bits", m.cfg.acc_bits}};
  j["sizes"] = {{"file_bytes", file_bytes}, {"tensors", g.tensors.size()}, {"nodes", g.nodes.size()},
                {"quantized_constants", m.weight_count()}, {"table_entries", m.table_entries()}};
  auto tensor_json = [&](int id) {
    const auto& t = g.tensors[id];
    J tj = {{"name", t.name}, {"shape", t.shape},
            {"type", t.dtype == ops::DType::kFloat ? "real" : t.dtype == ops::DType::kInt ? "int" : "bool"},
            {"scale", m.scales[id]}, {"bits", m.bits[id]}};
    if (id < static_cast<int>(m.ranges.size())) tj["range"] = {m.ranges[id].lo, m.ranges[id].hi};
    return tj;
  };
  J ins = J::array(), outs = J::array();
  for (int i : g.inputs) ins.push_back(tensor_json(i));
  for (int i : g.outputs) outs.push_back(tensor_json(i));
  j["inputs"] = ins;
  j["outputs"] = outs;
  J nodes = J::array();
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& n = g.nodes[i];
    const auto& p = m.params[i];
    J nj = {{"name", n.name}, {"op", n.op_type}};
    J ni = J::array(), no = J::array();
    for (int x : n.inputs) {
      if (x < 0) { ni.push_back(nullptr); continue; }
      J e = {{"name", g.tensors[x].name}, {"shape", g.tensors[x].shape}, {"scale", m.scales[x]}};
      if (g.tensors[x].is_const) e["constant"] = true;
      ni.push_back(e);
    }
    for (int x : n.outputs)
      if (x >= 0) no.push_back(tensor_json(x));
    nj["inputs"] = ni;
    nj["outputs"] = no;
    if (!p.ints.empty()) nj["params"] = p.ints;
    if (!p.tables.empty()) {
      J tb = J::array();
      for (const auto& t : p.tables)
        tb.push_back({{"fn", t.fn}, {"domain", {t.lo, t.hi()}}, {"entries", t.values.size()}, {"in_scale", t.in_scale}, {"out_scale", t.out_scale}});
      nj["tables"] = tb;
    }
    if (!p.consts.empty()) {
      J cs = J::object();
      for (const auto& [k, v] : p.consts) cs[k] = {{"shape", v.shape}, {"scale", v.scale}};
      nj["constants"] = cs;
    }
    nodes.push_back(nj);
  }
  j["nodes"] = nodes;
  return j;
}

size_t CompiledModel::table_entries() const {
  size_t n = 0;
  for (const auto& p : params)
    for (const auto& t : p.tables) n += t.values.size();
  return n;
}

size_t CompiledModel::weight_count() const {
  size_t n = 0;
  for (const auto& q : qconst) n += q.data.size();
  return n;
}

}  // namespace zkinfer::quant
