#include "proof/evm_verifier.h"
#include "proof/evm_public.h"
#include "proof/evm_verifier_zk.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <sstream>

#include "curve/g1.h"
#include "curve/g2.h"
#include "pcs/kzg_scheme.h"
#include "proof/driver.h"
#include "proof/model_facts.h"
#include "proof/step.h"
#include "quant/model_file.h"

namespace zkinfer::proof {

namespace {

using Word = std::array<uint8_t, 32>;

std::string hex_word(const Word& w) {
  static const char* d = "0123456789abcdef";
  std::string s = "0x";
  for (uint8_t b : w) s += d[b >> 4], s += d[b & 15];
  return s;
}

Word be_from_le(std::span<const uint8_t> le) {
  Word w{};
  for (size_t i = 0; i < le.size() && i < 32; ++i) w[31 - i] = le[i];
  return w;
}

void put_g1(std::vector<Word>& out, const curve::G1Affine& p) {
  if (p.is_identity()) {
    out.push_back(Word{});
    out.push_back(Word{});
    return;
  }
  out.push_back(be_from_le(p.x.to_bytes()));
  out.push_back(be_from_le(p.y.to_bytes()));
}

void put_g2(std::vector<Word>& out, const curve::G2Affine& p) {
  const auto b = p.to_evm_bytes();
  for (size_t i = 0; i < 4; ++i) {
    Word w;
    std::copy(b.begin() + 32 * i, b.begin() + 32 * (i + 1), w.begin());
    out.push_back(w);
  }
}

std::string hex_byte(size_t v) {
  static const char* d = "0123456789abcdef";
  return std::string{d[(v >> 4) & 15], d[v & 15]};
}

}  // namespace

// A Solidity identifier from a free-form name (also evm_verifier_zk.cc's).
std::string detail::evm_ident(const std::string& s) {
  std::string out;
  for (char ch : s) out += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_') ? ch : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "M" + out;
  return out;
}

namespace {

std::string ident(const std::string& s) { return detail::evm_ident(s); }

std::string flatten(const std::set<std::string>& want) { return detail::evm_flatten(want); }

}  // namespace

// The libraries `want` needs (their imports, transitively), dependencies first, flattened: no
// SPDX line, pragma or import of their own.
std::string detail::evm_flatten(const std::set<std::string>& want) {
  std::map<std::string, std::string> src;
  for (const auto& [file, text] : evm_library_sources()) src[file.substr(0, file.size() - 4)] = text;
  std::vector<std::string> order;
  std::set<std::string> seen;
  std::function<void(const std::string&)> visit = [&](const std::string& lib) {
    if (seen.count(lib)) return;
    seen.insert(lib);
    auto it = src.find(lib);
    if (it == src.end()) throw Error("create-evm-verifier: internal: no library " + lib + " in contracts/");
    std::istringstream in(it->second);
    for (std::string l; std::getline(in, l);) {
      if (l.rfind("import {", 0) != 0) continue;
      const size_t a = l.find("\"./"), b = l.find(".sol\"");
      if (a != std::string::npos && b != std::string::npos && b > a + 3) visit(l.substr(a + 3, b - a - 3));
    }
    order.push_back(lib);
  };
  for (const auto& lib : want) visit(lib);
  std::string out;
  for (const auto& lib : order) {
    out += "// ---- contracts/" + lib + ".sol ----\n";
    std::istringstream in(src[lib]);
    for (std::string l; std::getline(in, l);) {
      if (l.rfind("// SPDX-License-Identifier", 0) == 0 || l.rfind("pragma solidity", 0) == 0 || l.rfind("import {", 0) == 0)
        continue;
      out += l + "\n";
    }
    out += "\n";
  }
  return out;
}

std::string sol_i64_bytes(std::span<const int64_t> v) {
  static const char* d = "0123456789abcdef";
  std::string s = "hex\"";
  for (int64_t x : v)
    for (int i = 7; i >= 0; --i) {
      const uint8_t b = static_cast<uint8_t>(static_cast<uint64_t>(x) >> (8 * i));
      s += d[b >> 4], s += d[b & 15];
    }
  return s + "\"";
}

// ---- packed public values (proof/evm_public.h) ----

size_t evm_value_width(int bits) {
  if (bits < 1 || bits > 62) throw Error("EVM public values: a bit bound of " + std::to_string(bits) + " (1 to 62 are supported)");
  return static_cast<size_t>(bits + 1 + 7) / 8;
}

EvmPublicLayout evm_public_layout(const quant::CompiledModel& model) {
  EvmPublicLayout out;
  const auto& g = model.graph;
  auto add = [&](int t, bool input, std::vector<EvmPublicTensor>& to, size_t& bytes, size_t& values) {
    EvmPublicTensor e;
    e.tensor = t;
    e.name = g.tensors[static_cast<size_t>(t)].name;
    e.count = shape_of(model, t).unpadded_size();
    e.bits = model.bits[static_cast<size_t>(t)];
    if (e.bits < 1 || e.bits > (input ? 60 : 62))
      throw Error(std::string(input ? "input '" : "output '") + e.name + "': bit bound " + std::to_string(e.bits) + " is not supported");
    e.width = evm_value_width(e.bits);
    e.offset = bytes;
    bytes += e.count * e.width;
    values += e.count;
    to.push_back(e);
  };
  if (input_is_public(model))
    for (int t : g.inputs) add(t, true, out.inputs, out.input_bytes, out.input_values);
  if (!output_is_private(model))
    for (int t : g.outputs) add(t, false, out.outputs, out.output_bytes, out.output_values);
  return out;
}

std::vector<uint8_t> evm_pack_values(std::span<const EvmPublicTensor> ts, const std::vector<std::vector<int64_t>>& values, bool input) {
  if (values.size() != ts.size())
    throw Error("EVM public values: " + std::to_string(values.size()) + " tensors given, the layout has " + std::to_string(ts.size()));
  std::vector<uint8_t> out;
  for (size_t i = 0; i < ts.size(); ++i) {
    const EvmPublicTensor& e = ts[i];
    const auto& v = values[i];
    const std::string what = std::string(input ? "public input '" : "public output '") + e.name + "'";
    if (v.size() != e.count)
      throw Error("EVM public values: " + what + " has " + std::to_string(v.size()) + " values, the model " + std::to_string(e.count));
    if (e.width < 1 || e.width > 8 || out.size() != e.offset) throw Error("EVM public values: " + what + ": bad layout");
    const __int128 lim = static_cast<__int128>(1) << e.bits, wlim = static_cast<__int128>(1) << (8 * e.width - 1);
    for (size_t k = 0; k < v.size(); ++k) {
      const __int128 x = v[k];
      if (x < -wlim || x >= wlim)
        throw Error("EVM public values: " + what + " entry " + std::to_string(k) + " = " + std::to_string(v[k]) + " does not fit its " +
                    std::to_string(e.width) + "-byte width: no encoding");
      if (x < -lim + (input ? 0 : 1) || x >= lim)
        throw Error("EVM public values: " + what + " entry " + std::to_string(k) + " = " + std::to_string(v[k]) +
                    " is outside the tensor's bit bound (" + std::to_string(e.bits) + " bits): no encoding");
      const uint64_t u = static_cast<uint64_t>(v[k]);
      for (size_t b = e.width; b-- > 0;) out.push_back(static_cast<uint8_t>(u >> (8 * b)));
    }
  }
  return out;
}

namespace {

// A tensor's index as two bytes of hex (ZkDriver.packFor's list).
std::string tensor_hex(int t) {
  if (t < 0 || t > 0xffff) throw Error("create-evm-verifier: a model of more than 65,536 tensors");
  return hex_byte(static_cast<size_t>(t) >> 8) + hex_byte(static_cast<size_t>(t));
}

// Node functions kept in the contract itself (cnn_digits' 10: 21.6 KB), and per node library.
constexpr size_t kNodesInContract = 10;
constexpr size_t kNodesPerLibrary = 10;

// The step routines' external wrappers, one library per routine library: <contract>_<lib>. The
// claims in and the StepOut out cross the call as packed bytes (ZkDriver.packClaims / packOut:
// no ABI-coding of nested arrays; the caller builds the result in place, ZkDriver.unpackOut); the
// proof words follow the encoded arguments (ZkDriver.callStep / stepWords, session 17).
std::string wrapper_libs(const std::string& contract, const std::set<EvmCode::Wrapper>& ws) {
  std::map<std::string, std::string> by_lib;
  for (const auto& w : ws)
    by_lib[w.lib] += "    function " + w.fn + "(bytes32 st, " + w.param_type + " p, bytes calldata cl)\n" +
                     "        external view returns (bytes memory)\n    {\n        return ZkDriver.packOut(" + w.lib + "." + w.fn +
                     "(st, p, ZkDriver.unpackClaims(cl), ZkDriver.stepWords(), 0));\n    }\n\n";
  std::string out;
  for (const auto& [lib, body] : by_lib)
    out += "// ---- " + lib + "'s routines, called by the verifier (a library of their own: code size) ----\nlibrary " + contract +
           "_" + lib + " {\n" + body + "}\n\n";
  return out;
}

}  // namespace

// ---- EvmCode ----

void EvmCode::routine(const std::string& lib, const std::string& fn, const std::string& param_type, const std::string& params,
                      size_t offset) {
  if (zk) return detail::evm_zk_routine(*this, lib, fn, param_type, params, offset);
  libraries.insert(lib);
  wrappers.insert({lib, fn, param_type});
  // The call written in place (ZkDriver.callStep): the words from c.pos on appended to the
  // encoded arguments, the result taken back where they were.
  const std::string wrapper = prefix + lib;
  line("o = ZkDriver.callStep(address(" + wrapper + "), abi.encodeWithSelector(" + wrapper + "." + fn + ".selector, c.st, " +
       (param_type == "uint256" ? "uint256(" + params + ")" : params) + ", ZkDriver.packClaims(cl)), w, c.pos);");
  line("if (!ZkDriver.accept(c, o)) return false;");
  if (advice_count > offset) {
    const std::string base = sol_uint(advice_base + offset), count = sol_uint(advice_count - offset);
    line("ZkDriver.openAdvice(c, o.advice, " + base + ", " + count + ");");
    line("ZkDriver.registerLookups(c, o.lookups, " + base + ", " + count + ");");
  } else {
    line("if (o.advice.length != 0 || o.lookups.length != 0) revert ZkDriver.BadShape();");
  }
}

void EvmCode::claims_to(int t, const std::string& field) {
  if (zk) return detail::evm_zk_claims_to(*this, t, field, field::Fr::one());
  line("ZkDriver.add(c, " + sol_uint(static_cast<uint64_t>(t)) + ", o." + field + ");");
}

void EvmCode::scaled_claims_to(int t, const std::string& field, const field::Fr& factor) {
  if (zk) return detail::evm_zk_claims_to(*this, t, field, factor);
  if (factor == field::Fr::one()) return claims_to(t, field);
  line("ZkDriver.addScaled(c, " + sol_uint(static_cast<uint64_t>(t)) + ", o." + field + ", " + sol_fr(factor) + ");");
}

void EvmCode::pass_to(int t) {
  if (zk) return detail::evm_zk_claims_to(*this, t, "", field::Fr::one());
  line("ZkDriver.add(c, " + sol_uint(static_cast<uint64_t>(t)) + ", cl);");
}

std::string sol_uint(uint64_t v) { return std::to_string(v); }

EvmEmbeddedConstant evm_embedded_constant(const std::string& where, size_t tensor, const std::string& name, std::span<const int64_t> values) {
  if (values.size() > kEvmMaxEmbeddedEntries)
    throw Error(where + "the constant " + name + " has " + std::to_string(values.size()) + " entries: more than the " +
                std::to_string(kEvmMaxEmbeddedEntries) + " the contract evaluates itself; a key that commits to it is needed");
  EvmEmbeddedConstant e;
  e.fn = "_c" + std::to_string(tensor);
  e.def = "    function " + e.fn + "() private pure returns (int256[] memory) {\n        return ZkDriver.unpackI64(" + sol_i64_bytes(values) +
          ");\n    }\n\n";
  return e;
}

std::string sol_fr(const field::Fr& v) { return hex_word(be_from_le(v.to_bytes())); }

std::string sol_bool(bool b) { return b ? "true" : "false"; }

std::string sol_uints(const std::vector<size_t>& v) {
  if (v.size() > 8) throw Error("create-evm-verifier: a shape of rank " + std::to_string(v.size()) + " (at most 8)");
  // ZkDriver.dims(rank, packed): dimension i in bits [32 i, 32 i + 32).
  std::string expr;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] >= (uint64_t{1} << 32)) throw Error("create-evm-verifier: a dimension of 2^32 or more");
    expr += (i ? " | " : "") + std::string("(") + std::to_string(v[i]) + " << " + std::to_string(32 * i) + ")";
  }
  return "ZkDriver.dims(" + std::to_string(v.size()) + ", " + (expr.empty() ? "0" : expr) + ")";
}

std::vector<std::array<uint8_t, 32>> evm_kzg_key_words(const pcs::KzgParams& p) {
  if (p.form() != pcs::KzgForm::kOneWitness) throw Error("create-evm-verifier: the kzg key opens with three witnesses (version 4): make a new key with zkinfer setup --backend kzg");
  std::vector<Word> k;
  put_g1(k, p.beta_g1());
  put_g2(k, p.tau3_g2());
  put_g1(k, p.u());
  put_g1(k, p.h());
  std::vector<uint8_t> srs;
  auto put = [&](const auto& b) { srs.insert(srs.end(), b.begin(), b.end()); };
  put(p.g1().to_bytes());
  put(p.beta_g1().to_bytes());
  put(p.g2().to_bytes());
  put(p.tau_g2().to_bytes());
  put(p.u().to_bytes());
  put(p.h().to_bytes());
  put(p.tau_g1().to_bytes());
  put(p.tau2_g1().to_bytes());
  put(p.tau2_g2().to_bytes());
  put(p.tau3_g2().to_bytes());
  ZKINFER_CHECK(srs.size() == 448);
  for (size_t i = 0; i < srs.size(); i += 32) {
    Word w;
    std::copy(srs.begin() + static_cast<std::ptrdiff_t>(i), srs.begin() + static_cast<std::ptrdiff_t>(i + 32), w.begin());
    k.push_back(w);
  }
  put_g1(k, p.tau_g1());
  put_g1(k, p.tau2_g1());
  put_g2(k, p.tau2_plus_tau_g2());
  ZKINFER_CHECK(k.size() == 32);
  return k;
}

EvmVerifier make_evm_verifier(const quant::CompiledModel& model, const VerifyingKey& vk, const std::string& name) {
  const std::string where = "create-evm-verifier: ";
  if (vk.backend != Backend::kKzg)
    throw Error(where + "the key is a hyrax key: the EVM verifier needs a kzg key (zkinfer setup --backend kzg --srs FILE.ptau)");
  if (vk.wrappable())
    throw Error(where + "the key is wrappable (version " + std::to_string(kKeyVersionKzgWrap) +
                "): its proofs are checked on chain through the wrapping proof (docs/protocol/wrap.md), not by a direct verifier; "
                "a key without --wrappable gets one");
  if (vk.transcript_encoding() != transcript::Encoding::kV2 || !vk.kzg)
    throw Error(where + "the kzg key is of version " + std::to_string(vk.effective_version()) + ": make a new one with zkinfer setup --backend kzg");
  // Zero-knowledge proofs (key version 8): proof/evm_verifier_zk.cc (refuses, naming them, the
  // nodes whose step has no zero-knowledge routine on chain yet).
  if (zero_knowledge(model)) return detail::make_evm_verifier_zk(model, vk, name);
  if (quant::public_digest(model) != vk.model_digest) throw Error(where + "the verifying key is for another model");
  const auto key_words = evm_kzg_key_words(*vk.kzg);
  const auto& g = model.graph;
  const size_t nt = g.tensors.size();
  detail::Plan plan = detail::make_plan(model);

  EvmVerifier out;
  out.contract = ident(name);
  out.opening = out.contract + "Opening";
  out.lookups = out.contract + "Lookups";
  std::set<std::string> libs = {"ZkDriver", "ZkTypes"};

  // The key's commitments (committed constants): indices 0.. in tensor order.
  // As data (ZkDriver.addCommitments: 65 bytes each), not a call each: code size (resnet18's 42).
  std::map<int, size_t> key_com;
  std::string key_coms, key_hex;
  size_t ncom = 0;
  for (size_t t = 0; t < nt; ++t) {
    if (t >= vk.weights.size() || !vk.weights[t]) continue;
    // Key version 9 (weight rows) commits only private weights in rows (Use::kKey); the key's
    // public constants stay single commitments (proof/key_constants.cc) and the modes the contract
    // covers (no zero knowledge) have no private weight, so a version-9 key's contract is a
    // version-8 one's (its own VK_DIGEST). A row commitment here is refused, not misread.
    if (const auto* rows = pcs::KzgScheme::as_kzg_rows(*vk.weights[t]))
      throw Error(where + "the key commits " + g.tensors[t].name + " in " + std::to_string(rows->rows.size()) +
                  " rows (key version 9, a private weight): the contract does not combine a weight's rows yet");
    const pcs::KzgCommitment* k = pcs::KzgScheme::as_kzg(*vk.weights[t]);
    if (!k) throw Error(where + "a commitment of the key is not a kzg commitment");
    std::vector<Word> xy;
    put_g1(xy, k->point);
    if (k->num_vars > 255) throw Error(where + "a commitment of more than 2^255 entries");
    key_hex += hex_word(xy[0]).substr(2) + hex_word(xy[1]).substr(2) + hex_byte(k->num_vars);
    key_coms += "        // key commitment " + std::to_string(ncom) + ": " + g.tensors[t].name + " (2^" + std::to_string(k->num_vars) + ")\n";
    key_com[static_cast<int>(t)] = ncom++;
  }
  if (!key_hex.empty()) key_coms += "        ZkDriver.addCommitments(c, hex\"" + key_hex + "\");\n";

  // Public values: packed in calldata, each tensor at the width of its bit bound
  // (proof/evm_public.h; contracts/ZkPublic.sol decodes, range-checks and absorbs them).
  const EvmPublicLayout pub = evm_public_layout(model);
  libs.insert("ZkPublic");
  std::string values;
  for (const auto& e : pub.inputs)
    values += "        if (!ZkPublic.absorb(c, ZkDriver.L_INPUT, inputs, " + sol_uint(e.offset) + ", " + sol_uint(e.count) + ", " +
              sol_uint(e.width) + ", " + sol_uint(static_cast<uint64_t>(e.bits)) + ", true)) return false;  // " + e.name + "\n";
  for (const auto& e : pub.outputs)
    values += "        if (!ZkPublic.absorb(c, ZkDriver.L_OUTPUT, outputs, " + sol_uint(e.offset) + ", " + sol_uint(e.count) + ", " +
              sol_uint(e.width) + ", " + sol_uint(static_cast<uint64_t>(e.bits)) + ", false)) return false;  // " + e.name + "\n";
  out.inputs = pub.input_values;
  out.outputs = pub.output_values;

  // The nodes' advice commitments, read in reverse plan order.
  // Their variables as data (ZkDriver.readCommitments: a byte each), not a call each: code size.
  std::vector<size_t> base(plan.size()), count(plan.size());
  std::string reads, read_hex;
  for (size_t pi = plan.size(); pi-- > 0;) {
    const auto shapes = plan[pi]->advice_shapes(model);
    base[pi] = ncom;
    count[pi] = shapes.size();
    for (const auto& a : shapes) {
      if (a.num_vars > 255) throw Error(where + "an advice vector of more than 2^255 entries");
      reads += "        // commitment " + std::to_string(ncom) + ": " + node_label(model, plan[pi]->node) + ": " + a.name + " (2^" +
               std::to_string(a.num_vars) + ")\n";
      read_hex += hex_byte(a.num_vars);
      ++ncom;
    }
  }
  if (!read_hex.empty()) reads += "        ZkDriver.readCommitments(c, w, hex\"" + read_hex + "\");\n";

  // The output claims.
  std::string outputs;
  for (const auto& e : pub.outputs)
    outputs += "        ZkPublic.outputClaim(c, " + sol_uint(static_cast<uint64_t>(e.tensor)) + ", outputs, " + sol_uint(e.offset) + ", " +
               sol_uint(e.width) + ", " + sol_uints(shape_of(model, e.tensor).dims()) + ");\n";

  // One function per node, in reverse plan order; with more than kNodesInContract nodes they go
  // into node libraries of at most kNodesPerLibrary each (<Name>Nodes<k>: an external `run` that
  // takes and returns the driver's context), so that every contract stays under the 24,576-byte
  // code-size limit (each node function is about 0.6-0.9 KB; the contract without them about
  // 13 KB). The context stays in the contract: each library call takes the claims on the tensors
  // its nodes take (ZkDriver.packFor) and gives back what its steps added (packBack, mergeBack).
  std::vector<std::string> node_fns, node_calls;
  std::vector<int> node_ys;  // the tensor each node function takes
  std::set<EvmCode::Wrapper> wrappers;
  for (size_t pi = plan.size(); pi-- > 0;) {
    const Step& s = *plan[pi];
    EvmCode code(model, base[pi], count[pi]);
    code.prefix = out.contract + "_";
    if (!s.evm(code))
      throw Error(where + "node " + node_label(model, s.node) + ": its protocol has no EVM step routine yet");
    libs.insert(code.libraries.begin(), code.libraries.end());
    wrappers.insert(code.wrappers.begin(), code.wrappers.end());
    const std::string fn = "_n" + std::to_string(pi);
    std::ostringstream fns;
    fns << "    // " << node_label(model, s.node) << "\n";
    fns << "    function " << fn << "(ZkDriver.Ctx memory c, uint256[] calldata w) private view returns (bool) {\n";
    fns << "        ZkTypes.Claim[] memory cl = ZkDriver.take(c, " << s.y << ");\n";
    fns << "        if (cl.length == 0) return true;\n";
    fns << "        ZkTypes.StepOut memory o;\n";
    if (!s.free_move()) {  // several claims on the output: combined first (layers/combine.h)
      EvmCode combine(model, base[pi], 0);
      combine.prefix = code.prefix;
      combine.routine("ZkCombine", "verifyCombine", "uint256", sol_uint(shape_of(model, s.y).num_vars()));
      combine.line("cl = o.x;");
      libs.insert(combine.libraries.begin(), combine.libraries.end());
      wrappers.insert(combine.wrappers.begin(), combine.wrappers.end());
      fns << "        if (cl.length > 1) {\n" << combine.body << "        }\n";
    }
    fns << code.body;
    fns << "        return true;\n    }\n\n";
    node_fns.push_back(fns.str());
    node_calls.push_back("        if (!" + fn + "(c, w)) return false;\n");
    node_ys.push_back(s.y);
    ++out.nodes;
  }
  std::string calls, fns, node_libs;
  const bool split = node_fns.size() > kNodesInContract;
  if (!split) {
    for (size_t i = 0; i < node_fns.size(); ++i) calls += node_calls[i], fns += node_fns[i];
  } else {
    for (size_t lo = 0, k = 0; lo < node_fns.size(); lo += kNodesPerLibrary, ++k) {
      const size_t hi = std::min(node_fns.size(), lo + kNodesPerLibrary);
      const std::string lib = out.contract + "Nodes" + std::to_string(k);
      node_libs += "// ---- node functions " + std::to_string(lo) + ".." + std::to_string(hi - 1) +
                   " in verification order (a library of their own: code size) ----\nlibrary " + lib + " {\n" +
                   "    function run(bytes calldata ctx, bytes calldata words) external view returns (bool, bytes memory) {\n" +
                   "        ZkDriver.Ctx memory c = ZkDriver.unpackFor(ctx, " + sol_uint(nt) + ");\n" +
                   "        uint256[] calldata w = ZkDriver.words(words);\n";
      std::string ys;
      for (size_t i = lo; i < hi; ++i) {
        std::string call = node_calls[i];
        node_libs += call.replace(call.find("return false;"), 13, "return (false, \"\");");
        ys += tensor_hex(node_ys[i]);
      }
      node_libs += "        return (true, ZkDriver.packBack(c));\n    }\n\n";
      for (size_t i = lo; i < hi; ++i) node_libs += node_fns[i];
      node_libs += "}\n\n";
      // The context stays here: the library gets the claims on the tensors its nodes take and the
      // words from c.pos on, and gives back what it added (ZkDriver.sol, "node libraries").
      calls += "        (ok, r) = ZkDriver.callNodes(address(" + lib + "), " + lib + ".run.selector, c, hex\"" + ys + "\", w, true);\n" +
               "        if (!ok) return false;\n        ZkDriver.mergeBack(c, r);\n";
    }
  }

  // The public input's claims (the contract), then, in the opening library: the lookups, the
  // constants' claims (evaluated, or opened against the key's commitments) in tensor order, the
  // opening.
  std::string input_checks;
  for (const auto& e : pub.inputs)
    input_checks += "        if (!ZkPublic.checkInput(c, " + sol_uint(static_cast<uint64_t>(e.tensor)) + ", inputs, " + sol_uint(e.offset) + ", " +
                    sol_uint(e.width) + ", " + sol_uints(shape_of(model, e.tensor).dims()) + ")) return false;\n";
  std::string consts, const_fns, const_ts;
  for (size_t t = 0; t < nt; ++t) {
    const int ti = static_cast<int>(t);
    if (key_com.count(ti) || verifier_evaluates(model, ti)) const_ts += tensor_hex(ti);
    if (auto it = key_com.find(ti); it != key_com.end()) {
      consts += "        ZkDriver.openClaims(c, " + sol_uint(t) + ", " + sol_uint(it->second) + ");  // " + g.tensors[t].name + "\n";
    } else if (verifier_evaluates(model, ti)) {
      const auto e = evm_embedded_constant(where, t, g.tensors[t].name, model.qconst[t].data);
      consts += "        if (c.claims[" + sol_uint(t) + "].length != 0 && !ZkDriver.checkPublic(c, " + sol_uint(t) + ", " + e.fn + "(), " +
                sol_uints(shape_of(model, ti).dims()) + ")) return false;  // " + g.tensors[t].name + "\n";
      const_fns += e.def;
    }
  }
  // With node libraries (a large model), the constants' claims go to a library of their own too
  // (<Name>Constants: the opening library with them passes 24 KB first).
  std::string const_lib;
  if (split) {
    std::string body = consts;
    for (size_t at = body.find("return false;"); at != std::string::npos; at = body.find("return false;", at))
      body.replace(at, 13, "return (false, \"\");");
    const_lib = "// ---- the constants' claims (a library of their own: code size) ----\nlibrary " + out.contract + "Constants {\n" +
                "    function check(bytes calldata ctx) external pure returns (bool, bytes memory) {\n" +
                "        ZkDriver.Ctx memory c = ZkDriver.unpackFor(ctx, " + sol_uint(nt) + ");\n" + body +
                "        return (true, ZkDriver.packBack(c));\n    }\n\n" + const_fns + "}\n\n";
    consts.clear();
    const_fns.clear();
  }
  std::string key;
  for (size_t i = 0; i < key_words.size(); ++i) key += "        k[" + std::to_string(i) + "] = " + hex_word(key_words[i]) + ";\n";

  libs.insert({"ZkLogup", "ZkReduction", "ZkHyperKzg"});
  std::string pub_comment;
  for (const auto* list : {&pub.inputs, &pub.outputs})
    for (const auto& e : *list)
      pub_comment += std::string("//   ") + (list == &pub.inputs ? "inputs" : "outputs") + "[" + std::to_string(e.offset) + ", " +
                     std::to_string(e.offset + e.count * e.width) + "): " + e.name + ", " + std::to_string(e.count) + " values of " +
                     std::to_string(e.width) + " byte(s), " + std::to_string(e.bits) + "-bit bound\n";
  std::ostringstream f;
  const auto digest = vk.digest();
  Word dw;
  std::copy(digest.begin(), digest.end(), dw.begin());
  f << "// SPDX-License-Identifier: UNLICENSED\n"
    << "// The EVM verifier of one zkinfer model, written by `zkinfer create-evm-verifier` (docs/protocol/evm.md).\n"
    << "// Model: " << out.nodes << " node steps. Deploy the libraries " << out.lookups << " and " << out.opening << " first, then "
    << out.contract << " linked to it (solc --libraries, or a framework's linker).\n"
    << "// verifyProof(proof words, public inputs, public outputs): the words and values are what\n"
    << "// `zkinfer encode-evm-calldata` writes; true iff the proof verifies for these values. The public\n"
    << "// values are packed (docs/protocol/evm.md section 3.2): per tensor, in the graph's order, each value\n"
    << "// as a big-endian two's-complement integer of the tensor's width in bytes:\n"
    << pub_comment
    << "// (an argument of another length is rejected).\n"
    << "pragma solidity ^0.8.24;\n\n"
    << flatten(libs)
    << wrapper_libs(out.contract, wrappers)
    << node_libs
    << const_lib
    << "// ---- the model-wide lookups ----\n"
    << "library " << out.lookups << " {\n"
    << "    function run(bytes32 st, uint256 pos, uint256[] memory segVars, uint256[] memory segTableLog, uint256 ns, bytes calldata w)\n"
    << "        external view returns (ZkDriver.LookupResult memory)\n    {\n"
    << "        return ZkDriver.lookupsRun(st, pos, segVars, segTableLog, ns, ZkDriver.words(w));\n"
    << "    }\n}\n\n"
    << "// ---- the constants' claims and the batch opening ----\n"
    << "library " << out.opening << " {\n"
    << "    function finish(bytes calldata ctx, bytes calldata words) external view returns (bool) {\n"
    << "        ZkDriver.Ctx memory c = ZkDriver.unpackCtx(ctx);\n"
    << "        uint256[] calldata w = ZkDriver.words(words);\n"
    << consts
    << "        if (!ZkDriver.noneLeft(c)) return false;\n"
    << "        return ZkDriver.opening(c, w, _key());\n"
    << "    }\n\n"
    << const_fns
    << "    function _key() private pure returns (uint256[] memory k) {\n        k = new uint256[](32);\n"
    << key << "    }\n}\n\n"
    << "// ---- the verifier ----\n"
    << "contract " << out.contract << " {\n"
    << "    bytes32 public constant VK_DIGEST = " << hex_word(dw) << ";\n"
    << "    uint256 public constant INPUTS = " << pub.input_values << ";\n"
    << "    uint256 public constant OUTPUTS = " << pub.output_values << ";\n"
    << "    uint256 public constant INPUT_BYTES = " << pub.input_bytes << ";\n"
    << "    uint256 public constant OUTPUT_BYTES = " << pub.output_bytes << ";\n\n"
    << "    function verifyProof(uint256[] calldata w, bytes calldata inputs, bytes calldata outputs)\n"
    << "        external view returns (bool)\n    {\n"
    << "        if (inputs.length != INPUT_BYTES || outputs.length != OUTPUT_BYTES) return false;\n"
    // Room for the commitments (the key's, the proof's and a few lookup multiplicities) and for
    // about three claims to open per commitment (resnet18: 392 claims on 181 commitments;
    // cnn_digits 103 on 33), so that the lists seldom grow (ZkDriver.beginSized).
    << "        (ZkDriver.Ctx memory c, bool ok) = ZkDriver.beginSized(\"" << kProofDomain << "\", VK_DIGEST, " << nt << ", " << ncom + 8
    << ", " << 3 * ncom + 8 << ", w);\n"
    << "        if (!ok) return false;\n"
    << key_coms << values << reads << outputs
    << "        if (!_nodes(c, w) || !_inputs(c, inputs)) return false;\n"
    // The lookups' and the opening's calls take the words from c.pos on (not the whole proof: the
    // copy is memory in this frame), their positions relative to it.
    << "        {\n            uint256 base = c.pos;\n            ZkDriver.LookupResult memory lr = " << out.lookups
    << ".run(c.st, 0, c.segVars, c.segTableLog, c.nSeg, ZkDriver.tail(w, base));\n"
    << "            lr.pos += base;\n            lr.end += base;\n            if (!ZkDriver.lookupsApply(c, lr, w)) return false;\n        }\n"
    << (split ? "        {\n            bytes memory r;\n            (ok, r) = ZkDriver.callNodes(address(" + out.contract + "Constants), " + out.contract +
                    "Constants.check.selector, c, hex\"" + const_ts + "\", w, false);\n            if (!ok) return false;\n            ZkDriver.mergeBack(c, r);\n        }\n"
              : std::string())
    // finish(ZkDriver.packCtx(c), the words from c.pos on), its call data written in place.
    << "        return ZkDriver.callFinish(address(" << out.opening << "), " << out.opening << ".finish.selector, c, w);\n"
    << "    }\n\n"
    << "    function _nodes(ZkDriver.Ctx memory c, uint256[] calldata w) private view returns (bool) {\n"
    << (split ? "        bool ok;\n        bytes memory r;\n" : "") << calls << "        return true;\n    }\n\n"
    << "    function _inputs(ZkDriver.Ctx memory c, bytes calldata inputs) private pure returns (bool) {\n"
    << input_checks << "        return true;\n    }\n\n"
    << fns
    << "}\n";
  out.source = f.str();
  return out;
}

}  // namespace zkinfer::proof
