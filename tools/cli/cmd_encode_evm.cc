// zkinfer encode-evm-calldata --vk DIR/vk --proof P.zkp [--input IN.json] -o calldata.hex
// zkinfer encode-evm-calldata --vk DIR/vk --wrap-vk WDIR/wrap.vk --proof P.wzkp -o calldata.hex
//   (a wrapped proof, verified first, as the contract of create-evm-verifier --wrap-vk takes it:
//   proof/evm_wrapped.h)
//                            [--layout LAYOUT.json]
// A kzg proof as EVM calldata (docs/protocol/evm.md section 3.2): the proof is verified first (as
// `verify` does, through proof::proof_fields, the verifier's own enumeration of the fields it reads),
// then every 32-byte field is written as 32-byte big-endian words, in proof-file order:
//   - the vk digest (the proof's first 32-byte field): one word, its bytes as they are;
//   - a field element: one word, its value (the file has it little-endian);
//   - a G1 point (the file has it compressed): two words, x and y; the identity (0, 0).
// Which fields are points is what the verifier's decoder says (every G1Affine::from_bytes on the
// proof's bytes is logged: curve/g1_decode_log.h). The integer fields (format, version, backend,
// counts, shapes, public output values) are not words of the calldata: the verifying key fixes the
// shapes and the contract takes the public values as its statement. The file holds "0x" and the
// ABI encoding of verifyProof(uint256[] words, bytes inputs, bytes outputs): the words, the
// public input (quantized, when the model's input is public; else empty) and the public output
// (else empty), packed: each value a big-endian two's-complement integer of its tensor's width
// (proof/evm_public.h), what the contract of `zkinfer create-evm-verifier` takes. --layout writes, per word, the byte
// offset of its field in the proof file and its kind ("digest", "fr", "g1.x", "g1.y").
// Exit 0 written; 2 bad usage, unreadable files, a hyrax proof or a proof that does not verify
// (nothing is written then).
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "commands.h"
#include "proof/evm_wrapped.h"
#include "proof/wrapped.h"
#include "common/bytes.h"
#include "curve/g1.h"
#include "curve/g1_decode_log.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "hash/keccak.h"
#include "proof/evm_public.h"
#include "proof/files.h"
#include "proof/model_facts.h"
#include "proof/model_proof.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"

namespace zkinfer::cli {

namespace {

using Word = std::array<uint8_t, 32>;

Word be_word(std::span<const uint8_t> le) {
  Word w{};
  for (size_t i = 0; i < 32; ++i) w[31 - i] = le[i];
  return w;
}

std::string hex(std::span<const uint8_t> b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  s.reserve(2 * b.size());
  for (uint8_t x : b) s += d[x >> 4], s += d[x & 15];
  return s;
}

Word u64_word(uint64_t v) {
  Word w{};
  for (int i = 0; i < 8; ++i) w[31 - i] = static_cast<uint8_t>(v >> (8 * i));
  return w;
}

}  // namespace

void register_encode_evm(CLI::App& app, Action& action) {
  struct Args {
    std::string vk, proof, input, out, layout, wrap_vk;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("encode-evm-calldata",
                                     "a kzg proof as EVM calldata: field elements and uncompressed G1 points as 32-byte words");
  sub->add_option("--vk", args->vk, "verifying key (DIR/vk from setup --backend kzg)")->required();
  sub->add_option("--proof", args->proof, "proof file")->required();
  sub->add_option("--input", args->input, "input JSON the proof is about: required when the model's input is public");
  sub->add_option("-o,--output", args->out, "calldata file to write (hex)")->required();
  sub->add_option("--layout", args->layout, "also write each word's proof-file offset and kind (JSON)");
  sub->add_option("--wrap-vk", args->wrap_vk, "wrapping verifying key: --proof is a wrapped proof (zkinfer wrap)");
  sub->callback([args, &action] {
    action = [args] {
      proof::VkFile vkf;
      try {
        vkf = proof::decode_vk_file(proof::read_binary(args->vk));
      } catch (const DecodeError& e) {
        throw Error(args->vk + ": not a verifying key: " + e.what());
      }
      const std::vector<uint8_t> bytes = proof::read_binary(args->proof);
      if (!args->wrap_vk.empty()) {
        if (!args->layout.empty()) throw Error("--layout is for unwrapped proofs");
        proof::WrapVerifyingKey wvk;
        try {
          wvk = proof::WrapVerifyingKey::from_bytes(proof::read_binary(args->wrap_vk));
        } catch (const DecodeError& e) {
          throw Error(args->wrap_vk + ": not a wrapping verifying key: " + e.what());
        }
        proof::WrappedProof w;
        try {
          w = proof::WrappedProof::from_bytes(bytes, vkf.vk.kzg ? vkf.vk.kzg->form() : pcs::KzgForm::kOneWitness);
        } catch (const DecodeError& e) {
          throw Error(args->proof + ": not a wrapped proof: " + e.what());
        }
        if (Verdict v = proof::verify_wrapped(vkf.model, vkf.vk, wvk, w); !v)
          throw Error(args->proof + ": the wrapped proof does not verify: " + v.reason());
        const auto cd = proof::wrapped_evm_calldata(vkf.model, w);
        proof::write_text(args->out, "0x" + hex(cd) + "\n");
        std::printf("wrote %s: %zu bytes of calldata (a wrapped proof)\n", args->out.c_str(), cd.size());
        return 0;
      }
      if (!proof::is_proof_file(bytes) || bytes.size() < 41) throw Error(args->proof + ": not a zkinfer proof file");
      if (bytes[8] != static_cast<uint8_t>(proof::Backend::kKzg))
        throw Error(args->proof + ": made with the " +
                    std::string(bytes[8] == 0 ? "hyrax" : "unknown") +
                    " backend: EVM calldata is for kzg proofs (zkinfer setup --backend kzg --srs FILE.ptau)");
      std::vector<ops::ITensor> public_in;
      if (vkf.model.visibility.input == quant::Visibility::kPublic) {
        if (args->input.empty())
          throw Error("the model's input is public: pass --input FILE (the input the proof is about)");
        auto flat = graph::parse_input_json(graph::read_text(args->input), args->input);
        public_in = quant::quantize_inputs(vkf.model, graph::make_inputs(vkf.model.graph, flat, args->input));
      } else if (!args->input.empty()) {
        throw Error("the model's input is private: the proof commits to it, no --input");
      }

      std::vector<ByteField> fields;
      std::vector<const uint8_t*> points;
      curve::set_g1_decode_log(&points);
      Verdict v = Verdict::accept();
      try {
        v = proof::proof_fields(vkf.model, vkf.vk, bytes, &fields, public_in);
      } catch (...) {
        curve::set_g1_decode_log(nullptr);
        throw;
      }
      curve::set_g1_decode_log(nullptr);
      if (!v) throw Error(args->proof + ": the proof does not verify, no calldata written: " + v.reason());

      std::set<size_t> point_at;
      for (const uint8_t* p : points)
        if (p >= bytes.data() && p < bytes.data() + bytes.size()) point_at.insert(static_cast<size_t>(p - bytes.data()));
      std::vector<Word> words;
      nlohmann::ordered_json layout = nlohmann::ordered_json::array();
      auto put = [&](const Word& w, size_t offset, const char* kind) {
        words.push_back(w);
        if (!args->layout.empty()) layout.push_back({{"offset", offset}, {"kind", kind}});
      };
      bool digest_seen = false;
      size_t n_fr = 0, n_g1 = 0;
      // Zero-knowledge proofs: the pad chunks' count (the u32 before their commitments, the first
      // 4-byte field after the digest: cp's rows block, zk/cp.h) is a word too: the contract
      // (contracts/ZkCpDriver.sol readChunks) reads the commitments by it.
      bool chunks_pending = proof::zero_knowledge(vkf.model);
      for (const ByteField& f : fields) {
        if (chunks_pending && digest_seen && f.size == 4) {
          uint32_t k = 0;
          for (size_t i = 0; i < 4; ++i) k |= static_cast<uint32_t>(bytes[f.offset + i]) << (8 * i);
          put(u64_word(k), f.offset, "chunks");
          chunks_pending = false;
          continue;
        }
        if (f.size != 32) {
          if (f.size == 1 || f.size == 4 || f.size == 8) continue;  // integers: fixed by the key, or the statement
          throw Error(args->proof + ": a field of " + std::to_string(f.size) + " bytes at byte " +
                      std::to_string(f.offset) + " (neither a scalar nor a point): cannot encode");
        }
        const std::span<const uint8_t> b(bytes.data() + f.offset, 32);
        if (!digest_seen) {
          if (f.offset != 9) throw Error(args->proof + ": the first 32-byte field is not the vk digest");
          Word w;
          std::copy(b.begin(), b.end(), w.begin());
          put(w, f.offset, "digest");
          digest_seen = true;
        } else if (point_at.count(f.offset)) {
          auto p = curve::G1Affine::from_bytes(b);
          if (!p) throw Error(args->proof + ": byte " + std::to_string(f.offset) + ": not a point");
          put(p->is_identity() ? Word{} : be_word(p->x.to_bytes()), f.offset, "g1.x");
          put(p->is_identity() ? Word{} : be_word(p->y.to_bytes()), f.offset, "g1.y");
          ++n_g1;
        } else {
          if (!field::Fr::from_bytes(b)) throw Error(args->proof + ": byte " + std::to_string(f.offset) + ": not a canonical scalar");
          put(be_word(b), f.offset, "fr");
          ++n_fr;
        }
      }
      // The statement: the public input (quantized, every input tensor in the graph's order) and
      // the public output (every output tensor), packed at each tensor's width
      // (proof/evm_public.h: the layout create-evm-verifier writes into the contract).
      std::vector<ops::ITensor> outs;
      if (Verdict ov = proof::verify(vkf.model, vkf.vk, bytes, nullptr, &outs, public_in); !ov)
        throw Error(args->proof + ": the proof does not verify, no calldata written: " + ov.reason());
      const proof::EvmPublicLayout pub = proof::evm_public_layout(vkf.model);
      std::vector<std::vector<int64_t>> in_vals, out_vals;
      for (const auto& t : public_in) in_vals.push_back(t.data);
      for (const auto& t : outs) out_vals.push_back(t.data);
      const std::vector<uint8_t> in_packed = proof::evm_pack_values(pub.inputs, in_vals, true);
      const std::vector<uint8_t> out_packed = proof::evm_pack_values(pub.outputs, out_vals, false);
      if (in_packed.size() != pub.input_bytes || out_packed.size() != pub.output_bytes)
        throw Error("encode-evm-calldata: internal: the packed values' length differs from the layout");
      // ABI: verifyProof(uint256[] words, bytes inputs, bytes outputs); a bytes argument is its
      // length and its bytes, zero-padded to a multiple of 32.
      auto padded = [](const std::vector<uint8_t>& b) { return 32 * (1 + (b.size() + 31) / 32); };
      auto put_bytes = [](std::string& s, const std::vector<uint8_t>& b) {
        s += hex(u64_word(b.size()));
        std::vector<uint8_t> p = b;
        p.resize((b.size() + 31) / 32 * 32, 0);
        s += hex(p);
      };
      hash::Keccak256 h;
      h.update(std::string_view("verifyProof(uint256[],bytes,bytes)"));
      const hash::Digest sel = h.finalize();
      const size_t off1 = 96, off2 = off1 + 32 * (1 + words.size()), off3 = off2 + padded(in_packed);
      std::string out = "0x" + hex(std::span<const uint8_t>(sel.data(), 4)) + hex(u64_word(off1)) + hex(u64_word(off2)) + hex(u64_word(off3));
      out += hex(u64_word(words.size()));
      for (const Word& w : words) out += hex(w);
      put_bytes(out, in_packed);
      put_bytes(out, out_packed);
      out += "\n";
      proof::write_text(args->out, out);
      if (!args->layout.empty()) proof::write_text(args->layout, layout.dump(1) + "\n");
      std::printf("wrote %s: %zu words (%zu field elements, %zu points, the vk digest), %zu public input values (%zu bytes) and "
                  "%zu output values (%zu bytes), %zu bytes of calldata from a %zu-byte proof\n",
                  args->out.c_str(), words.size(), n_fr, n_g1, pub.input_values, in_packed.size(), pub.output_values, out_packed.size(),
                  (out.size() - 3) / 2, bytes.size());
      return 0;
    };
  });
}

}  // namespace zkinfer::cli
