// The whole-model EVM verifier in zero-knowledge mode (docs/protocol/evm.md sections 3.3 and 4.1):
// `zkinfer create-evm-verifier` for kzg keys of version 8 and later (cp's pads KZG-committed in
// chunks) whose model's proofs are zero-knowledge. The contract replays proof::verify_impl with
// zk on through contracts/ZkCpDriver.sol; the steps emit their code through the same Step::evm as
// in plain mode, with EvmCode::zk set: routine() then calls the routine's zero-knowledge
// counterpart (the table kZkRoutines below) and the claims go through ZkCpDriver.
//
// How a new zero-knowledge routine plugs in (e.g. ZkCpNonlinear's rescale, ReLU):
//   1. its library in contracts/ (ZkCp<Kind>.sol) with a function of the plain routine's
//      signature plus the cp context second:
//        fn(bytes32 st, ZkCpMatmul.Cp memory z, <params>, ZkTypes.ZkClaim[] memory cl,
//           uint256[] calldata w, uint256 pos) returns (ZkTypes.ZkStepOut memory)
//      recording its relations into z.g (given room by the wrapper: ZkCpDriver.roomy);
//   2. a row {plain lib, plain fn, zk lib, zk fn} in kZkRoutines;
//   3. its advice claims (ZkStepOut.advice, forms) and range lookups (ZkStepOut.lookups) are
//      routed by evm_zk_routine (ZkCpDriver.openAdvice onto the step's advice commitments,
//      registerLookups); the model-wide batch runs after the inputs' checks (the contract's
//      _lookups: ZkCpLookups.run, then ZkCpDriver.lookupsApply), as verify_impl's.
// A private input's digits are committed first and checked after the nodes (verifyBound, as
// verify_impl); a version-9 key's weights committed in rows are combined in the opening
// (ZkCpEnd.combineRows, at the reduction's point).
// Steps whose evm() writes driver calls itself name the driver by EvmCode::driver() (ZkCpDriver
// here: the same signatures over forms; Neg's negate, BatchNormalization's public constants a, b
// through add and checkPublic; session 19, without text rewriting since session 20); a plain driver
// call left in a step's code refuses the node, named. The constants the verifier evaluates (fixed weights padded to fewer than 2^6 entries, with a
// private input, integer constants) are checked in _constants as verify_impl checks them
// (ZkCpDriver.checkPublic: equalities recorded; session 19).
#include "proof/evm_verifier_zk.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "curve/g1.h"
#include "layers/bound.h"
#include "pcs/hyrax.h"
#include "pcs/kzg_scheme.h"
#include "proof/driver.h"
#include "proof/evm_public.h"
#include "proof/model_facts.h"
#include "proof/step.h"
#include "quant/model_file.h"
#include "zk/cp.h"

namespace zkinfer::proof::detail {

namespace {

using Word = std::array<uint8_t, 32>;

// Node functions kept in the contract itself (mlp_digits' 5: 20.1 KB), and per node library.
constexpr size_t kZkNodesInContract = 6;
constexpr size_t kZkNodesPerLibrary = 6;

std::string hex_word(const Word& w) {
  static const char* d = "0123456789abcdef";
  std::string s = "0x";
  for (uint8_t b : w) s += d[b >> 4], s += d[b & 15];
  return s;
}

std::string hex_bytes(const Word& w) { return hex_word(w).substr(2); }

Word be_from_le(std::span<const uint8_t> le) {
  Word w{};
  for (size_t i = 0; i < le.size() && i < 32; ++i) w[31 - i] = le[i];
  return w;
}

// A G1 point as 64 hex bytes (x, y big-endian; the identity as zeros).
std::string hex_g1(const curve::G1Affine& p) {
  if (p.is_identity()) return std::string(128, '0');
  return hex_bytes(be_from_le(p.x.to_bytes())) + hex_bytes(be_from_le(p.y.to_bytes()));
}

std::string hex_byte(size_t v) {
  static const char* d = "0123456789abcdef";
  return std::string{d[(v >> 4) & 15], d[v & 15]};
}

// The plain routines that have a zero-knowledge counterpart on chain.
struct ZkRoutine {
  const char *lib, *fn, *zk_lib, *zk_fn;
};
constexpr ZkRoutine kZkRoutines[] = {
    {"ZkMatmul", "verifyMatmul", "ZkCpMatmul", "verifyMatmul"},
    {"ZkCombine", "verifyCombine", "ZkCpCombine", "verifyCombine"},
    {"ZkNonlinear", "verifyRescale", "ZkCpNonlinear", "verifyRescale"},
    {"ZkNonlinear", "verifyRelu", "ZkCpNonlinear", "verifyRelu"},
    {"ZkNonlinear", "verifyBound", "ZkCpNonlinear", "verifyBound"},
    {"ZkConv", "verifyConv", "ZkCpConv", "verifyConv"},
    {"ZkPool", "verifyMaxPool", "ZkCpPool", "verifyMaxPool"},
    {"ZkPool", "verifyGlobalAvgPool", "ZkCpPool", "verifyGlobalAvgPool"},
    {"ZkElementwise", "verifyElementwise", "ZkCpElementwise", "verifyElementwise"},
    {"ZkReindex", "verifyReindex", "ZkCpReindex", "verifyReindex"},
};

struct ZkWrapper {
  std::string lib, fn, param_type;
  bool operator<(const ZkWrapper& o) const { return std::tie(lib, fn, param_type) < std::tie(o.lib, o.fn, o.param_type); }
};
// The wrappers the current generation uses (make_evm_verifier_zk is not reentrant per thread).
thread_local std::set<ZkWrapper>* g_wrappers = nullptr;

// The wrapper library of a routine: one per library, but one per function for ZkCpNonlinear (its
// three wrappers together pass 24 KB) and ZkCpPool (MaxPool's and GlobalAveragePool's together too).
std::string wrapper_lib(const std::string& lib, const std::string& fn) {
  return lib == "ZkCpNonlinear" || lib == "ZkCpPool" ? lib + "_" + fn : lib;
}

std::string zk_wrapper_libs(const std::string& contract, const std::set<ZkWrapper>& ws) {
  std::map<std::string, std::string> by_lib;
  for (const auto& w : ws)
    by_lib[wrapper_lib(w.lib, w.fn)] += "    function " + w.fn + "(bytes32 st, bytes calldata zc, " + w.param_type +
                     " p, ZkTypes.ZkClaim[] memory cl, bytes calldata w)\n" +
                     "        external view returns (ZkTypes.ZkStepOut memory o, bytes memory)\n    {\n" +
                     "        ZkCpMatmul.Cp memory z = ZkCpDriver.unpack(zc).z;\n" +
                     "        ZkCpDriver.roomy(z.g);\n        o = " + w.lib + "." + w.fn + "(st, z, p, cl, ZkDriver.words(w), 0);\n" +
                     "        return (o, ZkCpDriver.packCp(ZkCpDriver.back(z)));\n    }\n\n";
  std::string out;
  for (const auto& [lib, body] : by_lib)
    out += "// ---- " + lib + "'s routines (zero-knowledge mode), called by the verifier (a library of their own: code size) ----\nlibrary " +
           contract + "_" + lib + " {\n" + body + "}\n\n";
  return out;
}

}  // namespace

void evm_zk_routine(EvmCode& e, const std::string& lib, const std::string& fn, const std::string& param_type, const std::string& params,
                    size_t offset) {
  const ZkRoutine* r = nullptr;
  for (const auto& z : kZkRoutines)
    if (lib == z.lib && fn == z.fn) r = &z;
  if (!r) {
    if (e.zk_missing.empty()) e.zk_missing = lib + "." + fn;
    return;
  }
  e.libraries.insert(r->zk_lib);
  e.libraries.insert(lib);  // (the plain library's shape types)
  if (g_wrappers) g_wrappers->insert({r->zk_lib, r->zk_fn, param_type});
  // The routine records into a part of the cp log (ZkCpDriver.sub), appended after (merge): only
  // what the step adds crosses the external call (as ZkCpDriver.packCp's bytes, session 20).
  e.line("{");
  e.line("    bytes memory d;");
  e.line("    (o, d) = " + e.prefix + wrapper_lib(r->zk_lib, r->zk_fn) + "." + r->zk_fn + "(c.st, ZkCpDriver.packCp(ZkCpDriver.sub(c.z)), " +
         params + ", cl, ZkDriver.tail(w, c.pos));");
  e.line("    ZkCpDriver.merge(c.z, ZkCpDriver.unpackMem(d).z);");
  e.line("}");
  e.line("o.pos += c.pos;");
  e.line("if (!ZkCpDriver.accept(c, o)) return false;");
  // its advice claims bound at the step's commitments (forms), its lookups registered with the
  // model-wide batch (ZkCpDriver.openAdvice, registerLookups: the plain driver's, in zero-knowledge mode)
  if (e.advice_count > offset) {
    const std::string base = sol_uint(e.advice_base + offset), count = sol_uint(e.advice_count - offset);
    e.line("ZkCpDriver.openAdvice(c, o.advice, " + base + ", " + count + ");");
    e.line("ZkCpDriver.registerLookups(c, o.lookups, " + base + ", " + count + ");");
  } else {
    e.line("if (o.advice.length != 0 || o.lookups.length != 0) revert ZkCpDriver.BadShape();");
  }
}

void evm_zk_claims_to(EvmCode& e, int t, const std::string& field, const field::Fr& factor) {
  const std::string src = field.empty() ? "cl" : "o." + field;
  if (factor == field::Fr::one())
    e.line("ZkCpDriver.add(c, " + sol_uint(static_cast<uint64_t>(t)) + ", " + src + ");");
  else
    e.line("ZkCpDriver.addScaled(c, " + sol_uint(static_cast<uint64_t>(t)) + ", " + src + ", " + sol_fr(factor) + ");");
}

EvmVerifier make_evm_verifier_zk(const quant::CompiledModel& model, const VerifyingKey& vk, const std::string& name) {
  const std::string where = "create-evm-verifier: ";
  const auto& g = model.graph;
  const size_t nt = g.tensors.size();
  const detail::Plan plan = detail::make_plan(model);

  // Each node's code in zero-knowledge mode, in verification order; the nodes without a routine.
  std::set<ZkWrapper> wrappers;
  g_wrappers = &wrappers;
  struct Reset {
    ~Reset() { g_wrappers = nullptr; }
  } const reset;
  const std::string contract = evm_ident(name);
  std::set<std::string> libs = {"ZkCpDriver", "ZkDriver", "ZkTypes", "ZkPublic", "ZkCp", "ZkCpMatmul", "ZkCpReduction", "ZkHyperKzg", "ZkCpLookups"};
  std::vector<std::string> node_fns, missing;
  std::vector<int> node_ys;  // the tensor each node function takes
  std::vector<size_t> base(plan.size()), count(plan.size());
  size_t ncom = 0;
  for (size_t t = 0; t < nt && t < vk.weights.size(); ++t)
    if (vk.weights[t]) ++ncom;
  std::string reads, read_hex;
  // [visibility] a private input's digits, committed first (verify_impl's order)
  std::vector<std::pair<size_t, size_t>> in_advice;  // per model input: first commitment, count
  for (int t : g.inputs) {
    if (input_is_public(model)) break;
    const auto shapes = layers::bound_advice_shapes(input_bound(model, t));
    in_advice.push_back({ncom, shapes.size()});
    for (const auto& a : shapes) {
      if (a.num_vars > 255) throw Error(where + "an advice vector of more than 2^255 entries");
      reads += "        // commitment " + std::to_string(ncom) + ": input " + g.tensors[t].name + ": " + a.name + " (2^" +
               std::to_string(a.num_vars) + ")\n";
      read_hex += hex_byte(a.num_vars);
      ++ncom;
    }
  }
  // [visibility] private outputs' digits, after the inputs'
  std::vector<std::pair<size_t, size_t>> out_advice;
  for (int t : g.outputs) {
    if (!output_is_private(model)) break;
    const auto shapes = layers::bound_advice_shapes(input_bound(model, t, "output"));
    out_advice.push_back({ncom, shapes.size()});
    for (const auto& a : shapes) {
      if (a.num_vars > 255) throw Error(where + "an advice vector of more than 2^255 entries");
      reads += "        // commitment " + std::to_string(ncom) + ": output " + g.tensors[t].name + ": " + a.name + " (2^" +
               std::to_string(a.num_vars) + ")\n";
      read_hex += hex_byte(a.num_vars);
      ++ncom;
    }
  }
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
  if (!read_hex.empty()) reads += "        ZkCpDriver.readCommitments(c, w, hex\"" + read_hex + "\");\n";
  for (size_t pi = plan.size(); pi-- > 0;) {
    const Step& s = *plan[pi];
    EvmCode code(model, base[pi], count[pi]);
    code.prefix = contract + "_";
    code.zk = true;
    std::string why;
    if (!s.evm(code)) why = "no EVM routine";
    else if (!code.zk_missing.empty()) why = code.zk_missing;
    // (a plain-mode driver call written by the step itself: no zero-knowledge form yet)
    for (size_t at = code.body.find("ZkDriver."); why.empty() && at != std::string::npos; at = code.body.find("ZkDriver.", at + 1))
      if (code.body.compare(at, 14, "ZkDriver.tail(") != 0 && code.body.compare(at, 14, "ZkDriver.dims(") != 0 &&
          code.body.compare(at, 19, "ZkDriver.unpackI64(") != 0)  // (pure helpers: shapes, a reindex map's entries)
        why = code.body.substr(at, code.body.find('(', at) - at);
    bool ok = why.empty();
    std::string combine_body;
    if (ok && !s.free_move()) {
      EvmCode combine(model, base[pi], 0);
      combine.prefix = code.prefix;
      combine.zk = true;
      combine.routine("ZkCombine", "verifyCombine", "uint256", sol_uint(shape_of(model, s.y).num_vars()));
      combine.line("cl = o.x;");
      ok = combine.zk_missing.empty();
      if (!ok) why = combine.zk_missing;
      combine_body = combine.body;
      libs.insert(combine.libraries.begin(), combine.libraries.end());
    }
    if (!ok) {
      missing.push_back(node_label(model, s.node) + ": " + why);
      continue;
    }
    libs.insert(code.libraries.begin(), code.libraries.end());
    std::ostringstream fns;
    fns << "    // " << node_label(model, s.node) << "\n";
    fns << "    function _n" << pi << "(ZkCpDriver.Ctx memory c, uint256[] calldata w) private view returns (bool) {\n";
    fns << "        ZkTypes.ZkClaim[] memory cl = ZkCpDriver.take(c, " << s.y << ");\n";
    fns << "        if (cl.length == 0) return true;\n";
    fns << "        ZkTypes.ZkStepOut memory o;\n";
    if (!combine_body.empty()) fns << "        if (cl.length > 1) {\n" << combine_body << "        }\n";
    fns << code.body << "        return true;\n    }\n\n";
    node_fns.push_back(fns.str());
    node_ys.push_back(s.y);
  }
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i < missing.size() && i < 3; ++i) list += (i ? ", " : "") + missing[i];
    if (missing.size() > 3) list += ", ..";
    throw Error(where + "the model's proofs are zero-knowledge (private input or weights, or a private output), and on chain only "
                        "the matrix product of MatMul/Gemm, Conv, MaxPool, GlobalAveragePool, rescale, ReLU, the bound check, the "
                        "elementwise layers (Add, Sub, Mul, BatchNormalization's affine form, with private or public constants), data "
                        "movement (Flatten, Reshape, Transpose, ...), Neg, claim combination, the lookups and the opening reduction have a zero-knowledge routine yet; nodes without one, in verification order: " +
                list + "; compile with --input-visibility public --weights-visibility fixed --output-visibility public for a verifier "
                       "without zero knowledge");
  }
  // [visibility] a private input: its claims against its digits (ZkCpNonlinear.verifyBound), as verify_impl after the nodes
  std::string in_fns, in_calls;
  for (size_t i = 0; i < in_advice.size(); ++i) {
    const int t = g.inputs[i];
    const layers::BoundParams bp = input_bound(model, t);
    EvmCode code(model, in_advice[i].first, in_advice[i].second);
    code.prefix = contract + "_";
    code.zk = true;
    code.routine("ZkNonlinear", "verifyBound", "ZkNonlinear.BoundParams memory",
                 "ZkNonlinear.BoundParams(" + sol_uints(bp.dims) + ", " + sol_uint(bp.bits) + ", " + sol_bool(bp.zero_padding) + ", " +
                     sol_uint(bp.first_log) + ")");
    if (!code.zk_missing.empty()) throw Error(where + "internal: the input's bound routine: " + code.zk_missing);
    libs.insert(code.libraries.begin(), code.libraries.end());
    const std::string fn = "_in" + std::to_string(i);
    in_fns += "    // input " + g.tensors[t].name + " (private): its digits' bound check\n";
    in_fns += "    function " + fn + "(ZkCpDriver.Ctx memory c, uint256[] calldata w) private view returns (bool) {\n";
    in_fns += "        ZkTypes.ZkClaim[] memory cl = ZkCpDriver.take(c, " + std::to_string(t) + ");\n";
    in_fns += "        ZkTypes.ZkStepOut memory o;\n" + code.body + "        if (o.x.length != 0) revert ZkCpDriver.BadShape();\n";
    in_fns += "        return true;\n    }\n\n";
    in_calls += "        if (!" + fn + "(c, w)) return false;\n";
  }
  // [visibility] private outputs: the first claim on each against its digits, after the inputs'
  for (size_t i = 0; i < out_advice.size(); ++i) {
    const int t = g.outputs[i];
    const layers::BoundParams bp = input_bound(model, t, "output");
    EvmCode code(model, out_advice[i].first, out_advice[i].second);
    code.prefix = contract + "_";
    code.zk = true;
    code.routine("ZkNonlinear", "verifyBound", "ZkNonlinear.BoundParams memory",
                 "ZkNonlinear.BoundParams(" + sol_uints(bp.dims) + ", " + sol_uint(bp.bits) + ", " + sol_bool(bp.zero_padding) + ", " +
                     sol_uint(bp.first_log) + ")");
    if (!code.zk_missing.empty()) throw Error(where + "internal: the output's bound routine: " + code.zk_missing);
    libs.insert(code.libraries.begin(), code.libraries.end());
    const std::string fn = "_out" + std::to_string(i);
    in_fns += "    // output " + g.tensors[t].name + " (private): its first claim against its digits\n";
    in_fns += "    function " + fn + "(ZkCpDriver.Ctx memory c, uint256[] calldata w) private view returns (bool) {\n";
    in_fns += "        ZkTypes.ZkClaim[] memory cl = new ZkTypes.ZkClaim[](1);\n";
    in_fns += "        cl[0] = c.outClaims[" + std::to_string(i) + "];\n";
    in_fns += "        ZkTypes.ZkStepOut memory o;\n" + code.body + "        if (o.x.length != 0) revert ZkCpDriver.BadShape();\n";
    in_fns += "        return true;\n    }\n\n";
    in_calls += "        if (!" + fn + "(c, w)) return false;\n";
  }
  if (vk.backend != Backend::kKzg || !vk.kzg || !kzg_pads(vk.effective_version()))
    throw Error(where + "the kzg key is of version " + std::to_string(vk.effective_version()) +
                ": zero-knowledge proofs on chain need cp's pads KZG-committed (version " + std::to_string(kKeyVersionKzg) +
                " or later): make a new key with zkinfer setup --backend kzg");
  if (quant::public_digest(model) != vk.model_digest) throw Error(where + "the verifying key is for another model");
  const auto key_words = evm_kzg_key_words(*vk.kzg);

  // cp's parameters: the chunks' shape and the Pedersen generators U, H, G_0.. (as many as the
  // end section's dot-product proof can use: 2^ceil(log2 2P), P <= cap).
  const auto scheme = scheme_for(model, plan, vk);
  const auto ctx = scheme->zk_context(nullptr);
  const pcs::HyraxParams& pp = ctx->params();
  const size_t b = kKzgPadLogFirst, cap = std::max(b, vk.kzg->max_vars());
  size_t b2 = 1;
  while (b2 < 2 * cap) b2 <<= 1;
  const size_t ngen = std::min(pp.g().size(), b2);
  std::string gens = hex_g1(pp.u()) + hex_g1(pp.h());
  for (size_t i = 0; i < ngen; ++i) gens += hex_g1(pp.g()[i]);

  // The key's commitments (private weights, committed constants), in tensor order.
  std::map<int, size_t> key_com;
  std::string key_coms, key_hex, rows_hex;
  size_t kc = 0;
  for (size_t t = 0; t < nt; ++t) {
    if (t >= vk.weights.size() || !vk.weights[t]) continue;
    // Key version 9 commits a private weight wider than 2^L in rows: its commitment in the context
    // is a placeholder (0, 0) of n variables, and the opening combines its rows at rho[L..n)
    // (ZkCpEnd.combineRows; docs/protocol/evm.md section 3.4a).
    if (const auto* rows = pcs::KzgScheme::as_kzg_rows(*vk.weights[t])) {
      const size_t n = rows->num_vars, l = rows->row_vars;
      if (n > 255 || l == 0 || l >= n || n - l > 16 || rows->rows.size() != size_t{1} << (n - l) || kc > 0xffff)
        throw Error(where + "the key's row commitment of " + g.tensors[t].name + " has a shape the contract does not take (2^" +
                    std::to_string(n) + " entries in rows of 2^" + std::to_string(l) + ")");
      key_hex += std::string(128, '0') + hex_byte(n);
      rows_hex += hex_byte(kc >> 8) + hex_byte(kc) + hex_byte(n) + hex_byte(l);
      for (const auto& p : rows->rows) rows_hex += hex_g1(p);
      key_coms += "        // key commitment " + std::to_string(kc) + ": " + g.tensors[t].name + " (2^" + std::to_string(n) + " in " +
                  std::to_string(rows->rows.size()) + " rows of 2^" + std::to_string(l) + ": combined in the opening)\n";
      key_com[static_cast<int>(t)] = kc++;
      continue;
    }
    const pcs::KzgCommitment* k = pcs::KzgScheme::as_kzg(*vk.weights[t]);
    if (!k) throw Error(where + "a commitment of the key is not a single kzg commitment (" + g.tensors[t].name + ")");
    if (k->num_vars > 255) throw Error(where + "a commitment of more than 2^255 entries");
    key_hex += hex_g1(k->point) + hex_byte(k->num_vars);
    key_coms += "        // key commitment " + std::to_string(kc) + ": " + g.tensors[t].name + " (2^" + std::to_string(k->num_vars) + ")\n";
    key_com[static_cast<int>(t)] = kc++;
  }
  if (!key_hex.empty()) key_coms += "        ZkCpDriver.addCommitments(c, hex\"" + key_hex + "\");\n";

  // The constants, in tensor order (verify_impl's): claims on the key's commitments are opened;
  // those on a constant the verifier evaluates are checked against its padded MLE (equalities
  // recorded: ZkCpDriver.checkPublic), its values embedded as the plain generator's.
  std::string consts, const_fns;
  for (size_t t = 0; t < nt; ++t) {
    const int ti = static_cast<int>(t);
    if (auto it = key_com.find(ti); it != key_com.end()) {
      consts += "        ZkCpDriver.openClaims(c, " + sol_uint(t) + ", " + sol_uint(it->second) + ");  // " + g.tensors[t].name + "\n";
    } else if (verifier_evaluates(model, ti)) {
      const auto e = evm_embedded_constant(where, t, g.tensors[t].name, model.qconst[t].data);
      consts += "        if (c.claims[" + sol_uint(t) + "].length != 0 && !ZkCpDriver.checkPublic(c, " + sol_uint(t) + ", " + e.fn + "(), " +
                sol_uints(shape_of(model, ti).dims()) + ")) return false;  // " + g.tensors[t].name + "\n";
      const_fns += e.def;
    }
  }

  const EvmPublicLayout pub = evm_public_layout(model);
  std::string values, outputs, input_checks, pub_comment;
  for (const auto& e : pub.inputs) {
    values += "        if (!ZkCpDriver.absorbPublic(c, ZkDriver.L_INPUT, inputs, " + sol_uint(e.offset) + ", " + sol_uint(e.count) + ", " +
              sol_uint(e.width) + ", " + sol_uint(static_cast<uint64_t>(e.bits)) + ", true)) return false;  // " + e.name + "\n";
    input_checks += "        if (!ZkCpDriver.checkInput(c, " + sol_uint(static_cast<uint64_t>(e.tensor)) + ", inputs, " + sol_uint(e.offset) +
                    ", " + sol_uint(e.width) + ", " + sol_uints(shape_of(model, e.tensor).dims()) + ")) return false;\n";
  }
  if (output_is_private(model))
    for (int t : g.outputs)
      outputs += "        if (!ZkCpDriver.privateOutputClaim(c, " + sol_uint(static_cast<uint64_t>(t)) + ", " +
                 sol_uint(shape_of(model, t).num_vars()) + ", w)) return false;  // " + g.tensors[t].name + " (private)\n";
  for (const auto& e : pub.outputs) {
    values += "        if (!ZkCpDriver.absorbPublic(c, ZkDriver.L_OUTPUT, outputs, " + sol_uint(e.offset) + ", " + sol_uint(e.count) + ", " +
              sol_uint(e.width) + ", " + sol_uint(static_cast<uint64_t>(e.bits)) + ", false)) return false;  // " + e.name + "\n";
    outputs += "        ZkCpDriver.outputClaim(c, " + sol_uint(static_cast<uint64_t>(e.tensor)) + ", outputs, " + sol_uint(e.offset) + ", " +
               sol_uint(e.width) + ", " + sol_uints(shape_of(model, e.tensor).dims()) + ");\n";
  }
  for (const auto* list : {&pub.inputs, &pub.outputs})
    for (const auto& e : *list)
      pub_comment += std::string("//   ") + (list == &pub.inputs ? "inputs" : "outputs") + "[" + std::to_string(e.offset) + ", " +
                     std::to_string(e.offset + e.count * e.width) + "): " + e.name + ", " + std::to_string(e.count) + " values of " +
                     std::to_string(e.width) + " byte(s), " + std::to_string(e.bits) + "-bit bound\n";

  EvmVerifier out;
  out.contract = contract;
  out.opening = contract + "Opening";
  out.lookups.clear();
  out.nodes = node_fns.size();
  out.inputs = pub.input_values;
  out.outputs = pub.output_values;
  std::string key;
  for (size_t i = 0; i < key_words.size(); ++i) key += "        k[" + std::to_string(i) + "] = " + hex_word(key_words[i]) + ";\n";
  // The node functions: in the contract for a small model; otherwise in node libraries
  // (<Name>Nodes<k>, at most kZkNodesPerLibrary each, in verification order), each an external
  // run(part of the context, the words from c.pos on) returning what its steps added
  // (ZkCpDriver.part / strip / mergePart: the context, the cp log included, stays in the contract);
  // the contexts cross as ZkCpDriver.pack's bytes (session 20: not through the ABI coder).
  std::string calls, fns, node_libs;
  std::vector<std::string> node_calls;
  for (size_t i = 0, pi = plan.size(); i < node_fns.size(); ++i) {
    --pi;
    node_calls.push_back("        if (!_n" + std::to_string(pi) + "(c, w)) return false;\n");
  }
  const bool split = node_fns.size() > kZkNodesInContract;
  if (!split) {
    for (size_t i = 0; i < node_fns.size(); ++i) calls += node_calls[i], fns += node_fns[i];
  } else {
    for (size_t lo = 0, k = 0; lo < node_fns.size(); lo += kZkNodesPerLibrary, ++k) {
      const size_t hi = std::min(node_fns.size(), lo + kZkNodesPerLibrary);
      const std::string lib = contract + "Nodes" + std::to_string(k);
      node_libs += "// ---- node functions " + std::to_string(lo) + ".." + std::to_string(hi - 1) +
                   " in verification order (a library of their own: code size) ----\nlibrary " + lib + " {\n" +
                   "    function run(bytes calldata ctx, bytes calldata words) external view returns (bool, bytes memory) {\n" +
                   "        ZkCpDriver.Ctx memory c = ZkCpDriver.unpack(ctx);\n" +
                   "        uint256[] calldata w = ZkDriver.words(words);\n";
      std::string ys;
      for (size_t i = lo; i < hi; ++i) {
        std::string call = node_calls[i];
        node_libs += call.replace(call.find("return false;"), 13, "return (false, \"\");");
        const int y = node_ys[i];
        if (y < 0 || y > 0xffff) throw Error(where + "a model of more than 65,536 tensors");
        ys += hex_byte(static_cast<size_t>(y) >> 8) + hex_byte(static_cast<size_t>(y) & 255);
      }
      node_libs += "        return (true, ZkCpDriver.pack(ZkCpDriver.strip(c)));\n    }\n\n";
      for (size_t i = lo; i < hi; ++i) node_libs += node_fns[i];
      node_libs += "}\n\n";
      calls += "        {\n            (bool okN, bytes memory r) = " + lib + ".run(ZkCpDriver.pack(ZkCpDriver.part(c, hex\"" + ys +
               "\")), ZkDriver.tail(w, c.pos));\n            if (!okN) return false;\n            ZkCpDriver.mergePart(c, ZkCpDriver.unpackMem(r));\n        }\n";
    }
  }
  const auto digest = vk.digest();
  Word dw;
  std::copy(digest.begin(), digest.end(), dw.begin());
  std::ostringstream f;
  f << "// SPDX-License-Identifier: UNLICENSED\n"
    << "// The EVM verifier of one zkinfer model, written by `zkinfer create-evm-verifier` (docs/protocol/evm.md).\n"
    << "// Zero-knowledge proofs (kzg key version " << vk.effective_version() << ": cp's pads KZG-committed; contracts/ZkCpDriver.sol).\n"
    << "// Model: " << out.nodes << " node steps. Deploy the libraries (ZkCpEnd, the routines' and " << out.opening << ") first, then "
    << out.contract << " linked to them (solc --libraries, or a framework's linker).\n"
    << "// verifyProof(proof words, public inputs, public outputs): the words and values are what\n"
    << "// `zkinfer encode-evm-calldata` writes; true iff the proof verifies for these values. The public\n"
    << "// values are packed (docs/protocol/evm.md section 3.2):\n"
    << pub_comment << "// (an argument of another length is rejected).\n"
    << "pragma solidity ^0.8.24;\n\n"
    << evm_flatten(libs) << zk_wrapper_libs(contract, wrappers) << node_libs
    << "// ---- the batch opening (reduction, end section, pad group) ----\n"
    << "library " << out.opening << " {\n"
    << "    function finish(bytes calldata ctx, bytes calldata words) external view returns (bool) {\n"
    << "        ZkCpDriver.Ctx memory c = ZkCpDriver.unpack(ctx);\n"
    << "        uint256[] calldata w = ZkDriver.words(words);\n"
    << "        if (!ZkCpDriver.noneLeft(c)) return false;\n"
    << "        return ZkCpDriver.opening(c, w, " << contract << "Key.key(), " << contract << "Key.rows());\n"
    << "    }\n}\n\n"
    << "// ---- the key's constants for the opening (a library of their own: the opening's code size) ----\n"
    << "library " << contract << "Key {\n"
    << "    // ZkHyperKzg's key words (the SRS's).\n"
    << "    function key() external pure returns (uint256[] memory k) {\n        k = new uint256[](32);\n"
    << key << "    }\n\n"
    << "    // The key's weight rows (key version 9; ZkCpEnd.combineRows' layout; empty: none).\n"
    << "    function rows() external pure returns (bytes memory) {\n        return hex\"" << rows_hex << "\";\n    }\n}\n\n"
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
    << "        // cp: chunks of 2^" << b << " pads doubling up to 2^" << cap << "; U, H and " << ngen << " generators\n"
    << "        (ZkCpDriver.Ctx memory c, bool ok) = ZkCpDriver.begin(\"" << kProofDomain << "\", VK_DIGEST, " << nt << ", w, " << b << ", "
    << cap << ", hex\"" << gens << "\");\n"
    << "        if (!ok) return false;\n"
    << values << "        ZkCpDriver.readChunks(c, w);\n"
    << key_coms << reads << outputs << calls << input_checks << in_calls
    << "        if (!_lookups(c, w)) return false;\n"
    << "        if (!_constants(c)) return false;\n"
    << "        ZkCpDriver.trim(c.z.g);\n"
    << "        return " << out.opening << ".finish(ZkCpDriver.pack(c), ZkDriver.tail(w, 0));\n"
    << "    }\n\n"
    << "    // The claims on the key's commitments (private weights, committed constants) and on the constants the\n"
    << "    // verifier evaluates, in tensor order, after the lookups (verify_impl's order).\n"
    << "    function _constants(ZkCpDriver.Ctx memory c) private pure returns (bool) {\n"
    << consts << "        return true;\n    }\n\n" << const_fns
    << "    // The model-wide lookup batch (ZkCpLookups, an external library: code size), after the inputs' checks.\n"
    << "    function _lookups(ZkCpDriver.Ctx memory c, uint256[] calldata w) private view returns (bool) {\n"
    << "        if (c.nSeg == 0) return true;\n"
    << "        (ZkCpLookups.Res memory r, bytes memory z) = ZkCpLookups.run(c.st, ZkCpDriver.packCp(ZkCpDriver.sub(c.z)), c.segVars, c.segTableLog, c.nSeg, ZkDriver.tail(w, c.pos));\n"
    << "        ZkCpDriver.merge(c.z, ZkCpDriver.unpackMem(z).z);\n"
    << "        return ZkCpDriver.lookupsApply(c, r.o, r.tableLogs, r.multX, r.multY);\n"
    << "    }\n\n"
    << fns << in_fns << "}\n";
  out.source = f.str();
  return out;
}

}  // namespace zkinfer::proof::detail
