#include "proof/evm_wrapped.h"

#include <sstream>
#include <tuple>

#include "common/error.h"
#include "hash/keccak.h"
#include "pcs/kzg_scheme.h"
#include "proof/evm_public.h"
#include "proof/evm_verifier_zk.h"
#include "quant/model_file.h"
#include "snark/groth16_solidity.h"

namespace zkinfer::proof {

namespace {

using Word = std::array<uint8_t, 32>;

const std::string kWhere = "create-evm-verifier --wrapped: ";
constexpr size_t kEvmCodeSizeLimit = 24576;

Word be_from_le(std::span<const uint8_t> le) {
  Word w{};
  for (size_t i = 0; i < le.size() && i < 32; ++i) w[31 - i] = le[i];
  return w;
}

std::string hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += d[p[i] >> 4], s += d[p[i] & 15];
  return s;
}
std::string hex_word(const Word& w) { return "0x" + hex(w.data(), w.size()); }

// A G1 point as its two words (the identity (0, 0), as the precompiles take it).
std::pair<Word, Word> g1_words(const curve::G1Affine& p) {
  if (p.is_identity()) return {Word{}, Word{}};
  return {be_from_le(p.x.to_bytes()), be_from_le(p.y.to_bytes())};
}

Word u64_word(uint64_t v) {
  Word w{};
  for (size_t i = 0; i < 8; ++i) w[31 - i] = static_cast<uint8_t>(v >> (8 * i));
  return w;
}

}  // namespace

EvmWrappedVerifier make_wrapped_evm_verifier(const quant::CompiledModel& model, const VerifyingKey& vk, const WrapVerifyingKey& wvk,
                                             const std::string& name) {
  if (vk.backend != Backend::kKzg || !vk.kzg)
    throw Error(kWhere + "the key is not a kzg key: wrapped proofs are of wrappable kzg keys (zkinfer setup --backend kzg --wrappable)");
  if (!vk.wrappable())
    throw Error(kWhere + "the key (version " + std::to_string(vk.effective_version()) + ") is not wrappable: make one with zkinfer setup --backend kzg --wrappable (version " +
                std::to_string(kKeyVersionKzgWrap) + ")");
  if (quant::public_digest(model) != vk.model_digest) throw Error(kWhere + "the verifying key is for another model");
  if (wvk.vk_digest != vk.digest()) throw Error(kWhere + "the wrapping key was made for another verifying key (its vk digest differs)");
  if (wvk.group_sizes.empty() || wvk.group_sizes.back() == 0)
    throw Error(kWhere + "the wrapping key has no commitment groups (the last group's last commitment is the opening's mask)");
  if (wvk.rho_vars == 0 || wvk.rho_vars > 64) throw Error(kWhere + "the wrapping key's opening point has " + std::to_string(wvk.rho_vars) + " variables (1 to 64)");
  if (wvk.groth16.num_public() != wvk.num_public())
    throw Error(kWhere + "the wrapping key's Groth16 key has " + std::to_string(wvk.groth16.num_public()) + " public inputs, the statement " +
                std::to_string(wvk.num_public()));
  EvmPublicLayout pub;
  try {
    pub = evm_public_layout(model);
  } catch (const Error& e) {
    throw Error(kWhere + "the public values' layout: " + e.what());
  }
  if (pub.input_values != wvk.input_values || pub.output_values != wvk.output_values)
    throw Error(kWhere + "the model has " + std::to_string(pub.input_values) + " public input and " + std::to_string(pub.output_values) +
                " public output values, the wrapping key " + std::to_string(wvk.input_values) + " and " + std::to_string(wvk.output_values));
  const size_t ncom = wvk.num_commitments();
  const size_t mask = ncom - 1;
  // The Groth16 check is unrolled (snark::detail::groth16_yul: its IC points as code, about 123
  // bytes a public input: a few dozen, whatever the public values, which two inputs fingerprint)
  // and the opening's table is in code (65 bytes a key commitment, 3 a proof's): a model of very
  // many weight tensors would pass the 24,576-byte code-size limit (EIP-170) and could not be
  // deployed. The estimate (measured, session 22: the rest of the contract about 12 KB) is a little
  // high, never low, for the bundled models.
  const size_t tensors = pub.inputs.size() + pub.outputs.size();
  size_t key_entries = 0;
  for (const WrapOpenItem& it : wvk.opening) key_entries += it.source == WrapOpenItem::Source::kKey;
  const size_t code_estimate = 12000 + 123 * wvk.num_public() + 65 * key_entries + 3 * (wvk.opening.size() - key_entries) + 64 * tensors;
  if (code_estimate > kEvmCodeSizeLimit)
    throw Error(kWhere + "the contract would pass the EVM's code-size limit (about " + std::to_string(code_estimate) + " bytes, limit " +
                std::to_string(kEvmCodeSizeLimit) + "): " + std::to_string(wvk.num_public()) + " Groth16 public inputs (" +
                std::to_string(pub.input_values) + " public input and " + std::to_string(pub.output_values) + " output values) and " +
                std::to_string(wvk.opening.size()) + " opening items");

  // The opening's table (ZkWrapped.combine): per item a source byte, then a key commitment's two
  // words or a proof commitment's two-byte index.
  std::string table;
  size_t key_items = 0, proof_items = 0;
  for (size_t i = 0; i < wvk.opening.size(); ++i) {
    const WrapOpenItem& it = wvk.opening[i];
    if (it.num_vars > wvk.rho_vars)
      throw Error(kWhere + "opening item " + std::to_string(i) + " has " + std::to_string(it.num_vars) + " variables, more than rho's " +
                  std::to_string(wvk.rho_vars));
    Word x{}, y{};
    if (it.source == WrapOpenItem::Source::kKey) {
      if (it.index >= vk.weights.size() || !vk.weights[it.index])
        throw Error(kWhere + "opening item " + std::to_string(i) + " names tensor " + std::to_string(it.index) + ", which the key does not commit");
      const pcs::KzgCommitment* k = pcs::KzgScheme::as_kzg(*vk.weights[it.index]);
      if (!k) throw Error(kWhere + "opening item " + std::to_string(i) + ": the key's commitment of tensor " + std::to_string(it.index) + " is not one kzg commitment");
      std::tie(x, y) = g1_words(k->point);
      table += "00" + hex(x.data(), 32) + hex(y.data(), 32);
      ++key_items;
    } else if (it.source == WrapOpenItem::Source::kProof) {
      if (it.index + 1 >= ncom)
        throw Error(kWhere + "opening item " + std::to_string(i) + " names commitment " + std::to_string(it.index) + " of the proof's " +
                    std::to_string(ncom) + " (the last is the mask)");
      if (it.index > 0xffff) throw Error(kWhere + "opening item " + std::to_string(i) + " names commitment " + std::to_string(it.index) + ": the table holds two-byte indices");
      const uint8_t idx[2] = {static_cast<uint8_t>(it.index >> 8), static_cast<uint8_t>(it.index)};
      table += "01" + hex(idx, 2);
      ++proof_items;
    } else {
      throw Error(kWhere + "opening item " + std::to_string(i) + " has an unknown source");
    }
  }

  EvmWrappedVerifier out;
  out.contract = detail::evm_ident(name);
  out.public_inputs = wvk.num_public();
  out.commitments = ncom;
  const size_t n = wvk.rho_vars;
  out.op_words = n + 3 + (7 + 2 * (n - 1) + 3 * n + 2);
  out.input_bytes = pub.input_bytes;
  out.output_bytes = pub.output_bytes;

  // a. the public values' fingerprint (z, y), the last two public inputs, tensor after tensor
  std::string values, layout_comment;
  const bool has_values = pub.input_values + pub.output_values > 0;
  if (has_values) {
    values = "        {\n            uint256 z = uint256(keccak256(abi.encodePacked(inputs, outputs))) % R;\n"
             "            uint256 y = 0;\n            uint256 zi = 1;\n            bool ok;\n";
    for (const auto* list : {&pub.inputs, &pub.outputs}) {
      const bool input = list == &pub.inputs;
      for (const auto& e : *list) {
        values += std::string("            (ok, y, zi) = ZkWrapped.fingerprint(") + (input ? "inputs" : "outputs") + ", " +
                  std::to_string(e.offset) + ", " + std::to_string(e.count) + ", " + std::to_string(e.width) + ", " +
                  std::to_string(e.bits) + ", " + (input ? "true" : "false") + ", z, y, zi);  // " + e.name + "\n" +
                  "            if (!ok) return false;\n";
        layout_comment += std::string("//   ") + (input ? "inputs" : "outputs") + "[" + std::to_string(e.offset) + ", " +
                          std::to_string(e.offset + e.count * e.width) + "): " + e.name + ", " + std::to_string(e.count) + " values of " +
                          std::to_string(e.width) + " byte(s), " + std::to_string(e.bits) + "-bit bound\n";
      }
    }
    values += "            pub[NUM_PUBLIC - 2] = z;\n            pub[NUM_PUBLIC - 1] = y;\n        }\n";
  }
  // b. the groups
  std::string sizes = "        uint256[] memory sizes = new uint256[](" + std::to_string(wvk.group_sizes.size()) + ");\n";
  for (size_t g = 0; g < wvk.group_sizes.size(); ++g)
    sizes += "        sizes[" + std::to_string(g) + "] = " + std::to_string(wvk.group_sizes[g]) + ";\n";
  const size_t k_digests = 0, k_rho = wvk.group_sizes.size();

  std::string key;
  const auto key_words = evm_kzg_key_words(*vk.kzg);
  for (size_t i = 0; i < key_words.size(); ++i) key += "        k[" + std::to_string(i) + "] = " + hex_word(key_words[i]) + ";\n";

  const std::string g16 = snark::detail::groth16_yul(
      wvk.groth16, [](size_t i) { return "mload(add(pub, " + std::to_string(32 * (i + 1)) + "))"; });

  const auto digest = vk.digest();
  Word dw;
  std::copy(digest.begin(), digest.end(), dw.begin());
  std::ostringstream f;
  f << "// SPDX-License-Identifier: UNLICENSED\n"
    << "// The EVM verifier of one zkinfer model's wrapped proofs, written by zkinfer (proof/evm_wrapped.h;\n"
    << "// docs/protocol/wrap.md section 9). One contract, no library to link.\n"
    << "// verifyProof(g16, inputs, outputs, coms, op): the Groth16 proof (A, B in EIP-197's order, C), the\n"
    << "// packed public values, the proof's " << ncom << " commitments (x, y each; the last is the opening's mask)\n"
    << "// in " << wvk.group_sizes.size() << " group(s), and rho (" << n << " words), gamma, V, seed and the HyperKZG batch proof\n"
    << "// (" << (out.op_words - n - 3) << " words). True iff the wrapped proof verifies for these values; false otherwise (a\n"
    << "// revert only for calldata that is not ABI-encoded). The public values are packed as the plain verifier's\n"
    << "// (docs/protocol/evm.md section 3.2):\n"
    << (layout_comment.empty() ? "//   (none: the input and the outputs are private)\n" : layout_comment)
    << "// The deferred opening combines " << wvk.opening.size() << " commitments (" << key_items << " of the key, " << proof_items
    << " of the proof) and the mask.\n"
    << "pragma solidity ^0.8.24;\n\n"
    << detail::evm_flatten({"ZkWrapped"})
    << "// ---- the verifier ----\n"
    << "contract " << out.contract << " {\n"
    << "    uint256 internal constant R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;\n"
    << "    uint256 internal constant Q = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47;\n"
    << "    bytes32 public constant VK_DIGEST = " << hex_word(dw) << ";\n"
    << "    uint256 public constant INPUT_BYTES = " << pub.input_bytes << ";\n"
    << "    uint256 public constant OUTPUT_BYTES = " << pub.output_bytes << ";\n"
    << "    uint256 public constant COMMITMENTS = " << ncom << ";\n"
    << "    uint256 public constant RHO_VARS = " << n << ";\n"
    << "    uint256 public constant OP_WORDS = " << out.op_words << ";\n"
    << "    uint256 public constant NUM_PUBLIC = " << out.public_inputs << ";\n"
    << "    // the opening's commitments (ZkWrapped.combine): source 0, a key commitment (x, y); 1, the proof's (2-byte index)\n"
    << "    bytes internal constant OPENING = hex\"" << table << "\";\n\n"
    << "    function verifyProof(uint256[8] calldata g16, bytes calldata inputs, bytes calldata outputs, uint256[] calldata coms,\n"
    << "                         uint256[] calldata op) external view returns (bool)\n    {\n"
    << "        if (inputs.length != INPUT_BYTES || outputs.length != OUTPUT_BYTES || coms.length != 2 * COMMITMENTS ||\n"
    << "            op.length != OP_WORDS) return false;\n"
    << "        uint256[] memory pub = new uint256[](NUM_PUBLIC);\n"
    << values
    << sizes
    << "        if (!ZkWrapped.digests(pub, " << k_digests << ", coms, sizes)) return false;\n"
    << "        // rho, gamma, V, seed\n"
    << "        if (!ZkWrapped.scalars(pub, " << k_rho << ", op, 0, RHO_VARS + 3)) return false;\n"
    << "        if (!_groth16(g16, pub)) return false;\n"
    << "        return _deferred(coms, op);\n"
    << "    }\n\n"
    << "    // Groth16 (snark::groth16_solidity's check): e(-A, B) e(alpha, beta) e(vk_x, gamma) e(C, delta) == 1.\n"
    << "    function _groth16(uint256[8] calldata g16, uint256[] memory pub) private view returns (bool ok) {\n"
    << "        assembly (\"memory-safe\") {\n"
    << "            let a := g16\n"
    << "            let b := add(g16, 0x40)\n"
    << "            let c := add(g16, 0xc0)\n"
    << "            let m := mload(0x40)\n"
    << "            ok := 1\n"
    << g16
    << "        }\n"
    << "    }\n\n"
    << "    // The deferred opening: C = C_mask + sum_c gamma^(c+1) C_c, opened at rho to V.\n"
    << "    function _deferred(uint256[] calldata coms, uint256[] calldata op) private view returns (bool) {\n"
    << "        uint256[] calldata pf = op[RHO_VARS + 3:];\n"
    << "        if (!ZkWrapped.proofOk(pf, RHO_VARS)) return false;\n"
    << "        (bool ok, uint256 cx, uint256 cy) = ZkWrapped.combine(OPENING, coms, " << mask << ", op[RHO_VARS]);\n"
    << "        if (!ok) return false;\n"
    << "        uint256[] memory rho = new uint256[](RHO_VARS);\n"
    << "        for (uint256 i = 0; i < RHO_VARS; ++i) rho[i] = op[i];\n"
    << "        return ZkWrapped.deferred(_key(), rho, cx, cy, op[RHO_VARS + 1], op[RHO_VARS + 2], pf);\n"
    << "    }\n\n"
    << "    // The inner key's SRS words (ZkHyperKzg's key: proof::evm_kzg_key_words).\n"
    << "    function _key() private pure returns (uint256[] memory k) {\n        k = new uint256[](32);\n"
    << key << "    }\n"
    << "}\n";
  out.source = f.str();
  return out;
}

std::vector<uint8_t> wrapped_evm_calldata(const quant::CompiledModel& model, const WrappedProof& proof) {
  const EvmPublicLayout pub = evm_public_layout(model);
  const auto inputs = evm_pack_values(pub.inputs, proof.inputs, true);
  const auto outputs = evm_pack_values(pub.outputs, proof.outputs, false);
  const pcs::KzgBatchProof& bp = proof.opening;
  if (bp.groups.size() != 1 || bp.witness.size() != 1)
    throw Error("wrapped EVM calldata: the deferred opening must be one group with one witness (it has " + std::to_string(bp.groups.size()) +
                " and " + std::to_string(bp.witness.size()) + ")");
  const pcs::KzgGroupProof& gp = bp.groups[0];
  if (gp.folds.size() + 1 != proof.rho.size() || gp.evals.size() != proof.rho.size())
    throw Error("wrapped EVM calldata: the deferred opening's folds and evaluations do not fit rho's " + std::to_string(proof.rho.size()) +
                " variables");

  std::vector<Word> coms, op;
  auto g1 = [](std::vector<Word>& v, const curve::G1Affine& p) {
    const auto [x, y] = g1_words(p);
    v.push_back(x), v.push_back(y);
  };
  auto fr = [](std::vector<Word>& v, const Fr& x) { v.push_back(be_from_le(x.to_bytes())); };
  for (const auto& c : proof.commitments) g1(coms, c);
  for (const Fr& x : proof.rho) fr(op, x);
  fr(op, proof.gamma), fr(op, proof.value), fr(op, proof.seed);
  g1(op, gp.mask), g1(op, gp.mask_value);
  fr(op, gp.value), fr(op, gp.rho), fr(op, gp.blind);
  for (const auto& p : gp.folds) g1(op, p);
  for (const auto& e : gp.evals)
    for (const Fr& x : e) fr(op, x);
  g1(op, bp.witness[0]);

  hash::Keccak256 h;
  h.update("verifyProof(uint256[8],bytes,bytes,uint256[],uint256[])");
  const auto sel = h.finalize();
  std::vector<uint8_t> out(sel.begin(), sel.begin() + 4);
  auto put = [&](const Word& w) { out.insert(out.end(), w.begin(), w.end()); };
  const auto& g = proof.groth16;
  put(g1_words(g.a).first), put(g1_words(g.a).second);
  if (g.b.is_identity()) {
    for (int i = 0; i < 4; ++i) put(Word{});
  } else {
    put(be_from_le(g.b.x.c1.to_bytes())), put(be_from_le(g.b.x.c0.to_bytes()));
    put(be_from_le(g.b.y.c1.to_bytes())), put(be_from_le(g.b.y.c0.to_bytes()));
  }
  put(g1_words(g.c).first), put(g1_words(g.c).second);
  // The dynamic arguments' offsets (from the head's start: 12 words), then each as length + data.
  auto padded = [](size_t bytes) { return (bytes + 31) / 32 * 32; };
  size_t at = 32 * 12;
  put(u64_word(at));
  at += 32 + padded(inputs.size());
  put(u64_word(at));
  at += 32 + padded(outputs.size());
  put(u64_word(at));
  at += 32 + 32 * coms.size();
  put(u64_word(at));
  for (const auto* b : {&inputs, &outputs}) {
    put(u64_word(b->size()));
    out.insert(out.end(), b->begin(), b->end());
    out.resize(out.size() + padded(b->size()) - b->size(), 0);
  }
  for (const auto* v : {&coms, &op}) {
    put(u64_word(v->size()));
    for (const Word& w : *v) put(w);
  }
  return out;
}

}  // namespace zkinfer::proof
