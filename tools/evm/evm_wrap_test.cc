// The wrapped proof's contract (proof/evm_wrapped.h, docs/protocol/wrap.md section 9) run in
// @ethereumjs/evm (tools/evm/run.js) for mlp_digits and cnn_digits: a wrappable key (version 12)
// over a TEST-ONLY SRS, a proof of the bundled input, a TEST-ONLY wrapping key, wrapped proofs.
// The honest wrapped proofs return true (and verify_wrapped accepts them); a changed Groth16 word,
// output value, commitment, rho/gamma/V/seed, batch-proof word, a non-canonical scalar or
// coordinate, an off-curve point, another proof's or another model's commitments, wrong lengths
// and out-of-bound values return false, never a revert (and verify_wrapped rejects each change it
// can represent). Prints the gas, the calldata and the code size per model (one compile each).
//
// TEST ONLY: the SRS and the Groth16 toxic waste come from known seeds.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "common/error.h"
#include "common/random.h"
#include "evm_call.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "hash/keccak.h"
#include "pcs/kzg.h"
#include "poly/mle.h"
#include "proof/driver.h"
#include "snark/circuit.h"
#include "snark/groth16.h"
#include "transcript/transcript.h"
#include "proof/evm_public.h"
#include "proof/evm_wrapped.h"
#include "proof/model_proof.h"
#include "proof/wrapped.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"
#include "test_seed.h"

namespace zkinfer::proof {
namespace {

namespace fs = std::filesystem;
using field::Fr;
using Word = std::array<uint8_t, 32>;
using ::zkinfer::testing::seed_note;
using ::zkinfer::testing::test_seed;

const std::string kSource = ZKINFER_SOURCE_DIR;

bool have_tools() {
  if (evm_call::sh("command -v node").code != 0) return false;
  return fs::exists(kSource + "/tools/evm/node_modules/solc");
}

// ---- the calldata, encoded here from its parts (a second encoder: wrapped_evm_calldata must agree) ----

Word be_from_le(std::span<const uint8_t> le) {
  Word w{};
  for (size_t i = 0; i < le.size() && i < 32; ++i) w[31 - i] = le[i];
  return w;
}
Word fr_word(const Fr& x) { return be_from_le(x.to_bytes()); }
Word fq_word(const field::Fq& x) { return be_from_le(x.to_bytes()); }
Word u64_word(uint64_t v) {
  Word w{};
  for (size_t i = 0; i < 8; ++i) w[31 - i] = static_cast<uint8_t>(v >> (8 * i));
  return w;
}
// w + k (mod 2^256), k little-endian limbs.
Word add_word(Word w, const std::array<uint64_t, 4>& k) {
  unsigned carry = 0;
  for (size_t i = 0; i < 32; ++i) {
    const unsigned v = w[31 - i] + static_cast<unsigned>((k[i / 8] >> (8 * (i % 8))) & 0xff) + carry;
    w[31 - i] = static_cast<uint8_t>(v);
    carry = v >> 8;
  }
  return w;
}
const std::array<uint64_t, 4> kOne = {1, 0, 0, 0};
const std::array<uint64_t, 4> kR = field::FrParams::kModulus;
const std::array<uint64_t, 4> kQ = field::FqParams::kModulus;

struct Parts {
  std::array<Word, 8> g16;
  std::vector<uint8_t> inputs, outputs;
  std::vector<Word> coms, op;
};

void put_g1(std::vector<Word>& v, const curve::G1Affine& p) {
  if (p.is_identity()) {
    v.push_back(Word{}), v.push_back(Word{});
  } else {
    v.push_back(fq_word(p.x)), v.push_back(fq_word(p.y));
  }
}

// Each value in its tensor's width, big-endian two's complement, without evm_pack_values's bound
// check (for values out of their bounds; each must fit its width).
std::vector<uint8_t> pack_unchecked(std::span<const EvmPublicTensor> ts, const std::vector<std::vector<int64_t>>& values) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i < ts.size(); ++i)
    for (int64_t v : values.at(i))
      for (size_t b = ts[i].width; b-- > 0;) out.push_back(static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * b)));
  return out;
}

Parts parts_of(const quant::CompiledModel& model, const WrappedProof& p, bool checked = true) {
  Parts out;
  const auto& g = p.groth16;
  out.g16 = {fq_word(g.a.x), fq_word(g.a.y), fq_word(g.b.x.c1), fq_word(g.b.x.c0), fq_word(g.b.y.c1), fq_word(g.b.y.c0), fq_word(g.c.x),
             fq_word(g.c.y)};
  const EvmPublicLayout lay = evm_public_layout(model);
  out.inputs = checked ? evm_pack_values(lay.inputs, p.inputs, true) : pack_unchecked(lay.inputs, p.inputs);
  out.outputs = checked ? evm_pack_values(lay.outputs, p.outputs, false) : pack_unchecked(lay.outputs, p.outputs);
  for (const auto& c : p.commitments) put_g1(out.coms, c);
  for (const Fr& x : p.rho) out.op.push_back(fr_word(x));
  for (const Fr* x : {&p.gamma, &p.value, &p.seed}) out.op.push_back(fr_word(*x));
  const auto& gp = p.opening.groups.at(0);
  put_g1(out.op, gp.mask), put_g1(out.op, gp.mask_value);
  for (const Fr* x : {&gp.value, &gp.rho, &gp.blind}) out.op.push_back(fr_word(*x));
  for (const auto& f : gp.folds) put_g1(out.op, f);
  for (const auto& e : gp.evals)
    for (const Fr& x : e) out.op.push_back(fr_word(x));
  put_g1(out.op, p.opening.witness.at(0));
  return out;
}

std::vector<uint8_t> encode(const Parts& p) {
  hash::Keccak256 h;
  h.update("verifyProof(uint256[8],bytes,bytes,uint256[],uint256[])");
  const auto sel = h.finalize();
  std::vector<uint8_t> out(sel.begin(), sel.begin() + 4);
  auto put = [&](const Word& w) { out.insert(out.end(), w.begin(), w.end()); };
  for (const Word& w : p.g16) put(w);
  auto pad = [](size_t n) { return (n + 31) / 32 * 32; };
  const size_t o1 = 32 * 12, o2 = o1 + 32 + pad(p.inputs.size()), o3 = o2 + 32 + pad(p.outputs.size()), o4 = o3 + 32 + 32 * p.coms.size();
  for (size_t o : {o1, o2, o3, o4}) put(u64_word(o));
  for (const auto* b : {&p.inputs, &p.outputs}) {
    put(u64_word(b->size()));
    out.insert(out.end(), b->begin(), b->end());
    out.resize(out.size() + pad(b->size()) - b->size(), 0);
  }
  for (const auto* v : {&p.coms, &p.op}) {
    put(u64_word(v->size()));
    for (const Word& w : *v) put(w);
  }
  return out;
}

// ---- the models ----

std::string example(const std::string& name, const std::string& file) { return kSource + "/examples/" + name + "/" + file; }

// TEST ONLY: an SRS of known secrets.
std::shared_ptr<const pcs::KzgParams> insecure_srs() {
  static auto srs = [] {
    TestRng rng(0x5eed1234);
    const Fr tau = Fr::random(rng), beta = Fr::random(rng);
    return std::make_shared<const pcs::KzgParams>(pcs::KzgParams::insecure_from_secrets(tau, beta, 16));
  }();
  return srs;
}

struct Case {
  std::string name;
  quant::CompiledModel model;
  ProvingKey pk;
  WrapProvingKey wpk;
  WrappedProof wp, wp2;  // two wrapped proofs of the same inference (other blinds)
};

// The keys come from fixed seeds (the contract is then the same on every run: the solc cache
// serves reruns); the proofs from the test seed.
// A bundled model, quantized, its input public when asked, and the trace of its sample input.
std::pair<quant::CompiledModel, quant::Trace> load_model(const std::string& name, bool public_input = false) {
  graph::Graph g = graph::load_onnx_file(example(name, "model.onnx"));
  auto samples = graph::parse_samples(graph::read_text(example(name, "input.json")), "input.json", g);
  quant::CompiledModel m = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  if (public_input) m.visibility.input = quant::Visibility::kPublic;
  quant::encode_model(m);
  quant::Trace trace = quant::run_int(m, quant::quantize_inputs(m, graph::make_inputs(m.graph, samples[0].inputs, "input.json")));
  return {std::move(m), std::move(trace)};
}

Case make_case(const std::string& name, uint64_t key_seed) {
  Case c;
  c.name = name;
  quant::Trace trace;
  std::tie(c.model, trace) = load_model(name);
  TestRng key_rng(key_seed);
  c.pk = setup_keys(c.model, pcs::random_fr(key_rng), {}, insecure_srs(), false, true);
  TestRng rng(test_seed() + key_seed);
  const auto proof = prove(c.model, c.pk, trace, pcs::random_fr(rng));
  const auto proof2 = prove(c.model, c.pk, trace, pcs::random_fr(rng));
  TestRng toxic(key_seed + 1);
  const auto t0 = std::chrono::steady_clock::now();
  c.wpk = wrap_setup_insecure(c.model, c.pk.vk, proof, [&toxic] { return Fr::random(toxic); });  // TEST ONLY
  const auto t1 = std::chrono::steady_clock::now();
  WrapStats st;
  c.wp = wrap_prove(c.model, c.pk.vk, c.wpk, proof, {}, &st);
  c.wp2 = wrap_prove(c.model, c.pk.vk, c.wpk, proof2);
  std::printf("%s: TEST-ONLY wrap setup %.2f s; wrap_prove: %zu constraints, circuit %.2f s, Groth16 %.2f s\n", name.c_str(),
              std::chrono::duration<double>(t1 - t0).count(), st.constraints, st.circuit_s, st.groth16_s);
  return c;
}

const Case& mlp() {
  static const Case c = make_case("mlp_digits", 0x3a9d01);
  return c;
}
const Case& cnn() {
  static const Case c = make_case("cnn_digits", 0x3a9d02);
  return c;
}

// ---- the EVM ----

struct Outcome {
  bool success = false;  // no revert
  bool value = false;    // the returned bool
  uint64_t gas = 0, tx_gas = 0;
};

struct EvmRun {
  std::vector<Outcome> res;
  uint64_t code_size = 0;
};

EvmRun run_all(const std::string& sol, const std::string& contract, const std::vector<std::vector<uint8_t>>& calls) {
  const fs::path dir = fs::temp_directory_path() / ("zkinfer_evm_wrap_" + std::to_string(::getpid()) + "_" + contract);
  fs::create_directories(dir);
  const fs::path src = dir / (contract + ".sol"), cf = dir / "calls.txt", out = dir / "out.jsonl";
  std::ofstream(src) << sol;
  {
    std::ofstream f(cf);
    for (const auto& c : calls) f << "0x" << evm_call::hex(c.data(), c.size()) << "\n";
  }
  const auto r = evm_call::sh("node " + evm_call::q(kSource + "/tools/evm/run.js") + " --contract " + contract + " --size --calls " +
                              evm_call::q(cf) + " " + evm_call::q(src) + " > " + evm_call::q(out));
  EvmRun run;
  EXPECT_EQ(r.code, 0) << r.out;
  std::ifstream in(out);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    if (j.contains("codeSize")) {
      run.code_size = j["codeSize"].get<uint64_t>();
      continue;
    }
    if (j.contains("libraries")) continue;
    Outcome o;
    o.success = j["success"].get<bool>();
    o.gas = j["gasUsed"].get<uint64_t>();
    o.tx_gas = j["txGas"].get<uint64_t>();
    const std::string h = j["returnData"].get<std::string>();
    o.value = o.success && h.size() == 66 && h.substr(2, 63) == std::string(63, '0') && h.back() == '1';
    if (o.success) EXPECT_EQ(h.size(), 66u) << h;
    run.res.push_back(o);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  EXPECT_EQ(run.res.size(), calls.size());
  return run;
}

curve::G1Affine two_g() { return (curve::G1::generator() + curve::G1::generator()).to_affine(); }

void check_model(const Case& c, const Case& other) {
  SCOPED_TRACE(seed_note());
  SCOPED_TRACE(c.name);
  const VerifyingKey& vk = c.pk.vk;
  const WrapVerifyingKey& wvk = c.wpk.vk;
  // The native verifier accepts both honest wrapped proofs.
  for (const WrappedProof* p : {&c.wp, &c.wp2}) {
    const Verdict v = verify_wrapped(c.model, vk, wvk, *p);
    ASSERT_TRUE(v) << v.reason();
  }
  const std::string contract = c.name == "mlp_digits" ? "WrappedMlp" : "WrappedCnn";
  const EvmWrappedVerifier ev = make_wrapped_evm_verifier(c.model, vk, wvk, contract);
  EXPECT_EQ(ev.contract, contract);
  EXPECT_EQ(ev.public_inputs, wvk.num_public());
  EXPECT_EQ(ev.commitments, c.wp.commitments.size());
  const size_t n = wvk.rho_vars;
  ASSERT_EQ(c.wp.rho.size(), n);

  const Parts honest = parts_of(c.model, c.wp);
  const auto honest_cd = wrapped_evm_calldata(c.model, c.wp);
  ASSERT_EQ(honest_cd, encode(honest)) << "wrapped_evm_calldata differs from the test's encoding";
  ASSERT_EQ(honest.op.size(), ev.op_words);

  struct Call {
    std::string what;
    std::vector<uint8_t> cd;
    bool expect;
  };
  std::vector<Call> calls;
  // The first call pays the cold accesses to the precompiles (run.js's runCall does not pre-warm
  // them as a transaction does): the figures are the later calls'.
  calls.push_back({"honest (first call)", honest_cd, true});
  calls.push_back({"honest", honest_cd, true});
  calls.push_back({"honest, another proof of the inference", wrapped_evm_calldata(c.model, c.wp2), true});

  // Changes a WrappedProof can hold: the native verifier must reject them too.
  std::vector<std::pair<std::string, WrappedProof>> changed;
  auto change = [&](const std::string& what, const std::function<void(WrappedProof&)>& f) {
    WrappedProof p = c.wp;
    f(p);
    changed.emplace_back(what, p);
  };
  if (!c.wp.outputs.empty() && !c.wp.outputs[0].empty()) {
    const EvmPublicLayout lay = evm_public_layout(c.model);
    for (size_t i : {size_t{0}, c.wp.outputs[0].size() - 1}) {
      change("output " + std::to_string(i) + " changed", [&](WrappedProof& p) {
        int64_t& x = p.outputs[0][i];
        x += x + 1 < (int64_t{1} << lay.outputs[0].bits) ? 1 : -1;
      });
    }
  }
  const size_t ncom = c.wp.commitments.size();
  for (size_t i : {size_t{0}, ncom / 2, ncom - 2, ncom - 1})
    change("commitment " + std::to_string(i) + " of " + std::to_string(ncom) + " = 2 G", [&](WrappedProof& p) { p.commitments[i] = two_g(); });
  change("another proof's commitments", [&](WrappedProof& p) { p.commitments = c.wp2.commitments; });
  for (size_t i = 0; i < n; ++i) change("rho[" + std::to_string(i) + "] + 1", [&](WrappedProof& p) { p.rho[i] += Fr::one(); });
  change("gamma + 1", [](WrappedProof& p) { p.gamma += Fr::one(); });
  change("V + 1", [](WrappedProof& p) { p.value += Fr::one(); });
  change("seed + 1", [](WrappedProof& p) { p.seed += Fr::one(); });
  change("the batch proof's mask = 2 G", [](WrappedProof& p) { p.opening.groups[0].mask = two_g(); });
  change("the batch proof's w + 1", [](WrappedProof& p) { p.opening.groups[0].value += Fr::one(); });
  change("the batch proof's t_G + 1", [](WrappedProof& p) { p.opening.groups[0].blind += Fr::one(); });
  change("the batch proof's witness = 2 G", [](WrappedProof& p) { p.opening.witness[0] = two_g(); });
  change("the Groth16 proof's A = 2 G", [](WrappedProof& p) { p.groth16.a = two_g(); });
  change("another proof's Groth16 proof", [&](WrappedProof& p) { p.groth16 = c.wp2.groth16; });
  change("another proof's deferred opening", [&](WrappedProof& p) { p.opening = c.wp2.opening; });
  for (const auto& [what, p] : changed) {
    EXPECT_FALSE(verify_wrapped(c.model, vk, wvk, p).ok()) << what << ": verify_wrapped accepts it";
    calls.push_back({what, wrapped_evm_calldata(c.model, p), false});
  }

  // Changes of the words themselves.
  auto word_change = [&](const std::string& what, const std::function<void(Parts&)>& f) {
    Parts p = honest;
    f(p);
    calls.push_back({what, encode(p), false});
  };
  for (size_t i = 0; i < 8; ++i) word_change("Groth16 word " + std::to_string(i) + " + 1", [&](Parts& p) { p.g16[i] = add_word(p.g16[i], kOne); });
  for (size_t i : {size_t{1}, size_t{2}, size_t{7}})
    word_change("Groth16 word " + std::to_string(i) + " + q", [&](Parts& p) { p.g16[i] = add_word(p.g16[i], kQ); });
  // Words of the batch proof + 1 (a point off the curve, or another scalar): each of C_m, M, w,
  // rho_G, t_G and W, the first and the last fold, the first, a middle and the last evaluation.
  const size_t pf0 = n + 3, e0 = 7 + 2 * (n - 1), e1 = e0 + 3 * n;
  ASSERT_EQ(honest.op.size(), pf0 + e1 + 2);
  for (size_t i : {size_t{0}, size_t{1}, size_t{2}, size_t{3}, size_t{4}, size_t{5}, size_t{6}, size_t{7}, e0 - 1, e0, e0 + 3 * n / 2, e1 - 1,
                   e1, e1 + 1})
    word_change("batch proof word " + std::to_string(i) + " + 1", [&, i](Parts& p) { p.op[pf0 + i] = add_word(p.op[pf0 + i], kOne); });
  // Non-canonical scalars: the same value + R (which ecMul or mulmod would reduce back to it).
  for (size_t i : {size_t{0}, n, n + 1, n + 2})
    word_change("op word " + std::to_string(i) + " (rho/gamma/V/seed) + R", [&](Parts& p) { p.op[i] = add_word(p.op[i], kR); });
  for (size_t i : {pf0 + 4, pf0 + 5, pf0 + 6, pf0 + 7 + 2 * (n - 1)})
    word_change("batch proof word " + std::to_string(i - pf0) + " + R", [&](Parts& p) { p.op[i] = add_word(p.op[i], kR); });
  word_change("a commitment's x + q", [](Parts& p) { p.coms[0] = add_word(p.coms[0], kQ); });
  word_change("a commitment's y + q", [](Parts& p) { p.coms[1] = add_word(p.coms[1], kQ); });
  word_change("a commitment off the curve (y + 1)", [&](Parts& p) { p.coms[2 * (ncom / 2) + 1] = add_word(p.coms[2 * (ncom / 2) + 1], kOne); });
  word_change("the mask off the curve (y + 1)", [&](Parts& p) { p.coms.back() = add_word(p.coms.back(), kOne); });
  word_change("another model's commitments", [&](Parts& p) { p.coms = parts_of(other.model, other.wp).coms; });
  word_change("one commitment fewer", [](Parts& p) { p.coms.resize(p.coms.size() - 2); });
  word_change("one commitment more", [](Parts& p) { p.coms.push_back(Word{}), p.coms.push_back(Word{}); });
  word_change("one op word fewer", [](Parts& p) { p.op.pop_back(); });
  word_change("one op word more", [](Parts& p) { p.op.push_back(Word{}); });
  word_change("an output byte more", [](Parts& p) { p.outputs.push_back(0); });
  word_change("an input byte more", [](Parts& p) { p.inputs.push_back(0); });
  {
    // An output at its bound, -2^bits (outputs are (-2^bits, 2^bits)): encodable in its width but
    // out of bound; likewise 2^bits.
    const EvmPublicLayout lay = evm_public_layout(c.model);
    if (!lay.outputs.empty()) {
      const auto& e = lay.outputs[0];
      for (const int64_t v : {-(int64_t{1} << e.bits), int64_t{1} << e.bits}) {
        if (8 * e.width < static_cast<size_t>(e.bits) + 2) continue;  // not encodable in the width
        word_change("output 0 = " + std::to_string(v) + " (out of its " + std::to_string(e.bits) + "-bit bound)", [&](Parts& p) {
          for (size_t b = 0; b < e.width; ++b) p.outputs[e.offset + b] = static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * (e.width - 1 - b)));
        });
      }
    }
  }

  // ZKINFER_EVM_WRAP_DUMP=DIR keeps the contract and the honest calldata (for tools/evm/profile.js).
  if (const char* dump = std::getenv("ZKINFER_EVM_WRAP_DUMP")) {
    fs::create_directories(dump);
    std::ofstream(fs::path(dump) / (contract + ".sol")) << ev.source;
    std::ofstream(fs::path(dump) / (contract + ".hex")) << "0x" << evm_call::hex(honest_cd.data(), honest_cd.size()) << "\n";
  }
  std::vector<std::vector<uint8_t>> cds;
  for (const auto& k : calls) cds.push_back(k.cd);
  const EvmRun run = run_all(ev.source, contract, cds);
  ASSERT_EQ(run.res.size(), calls.size());
  size_t rejected = 0;
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_TRUE(run.res[i].success) << calls[i].what << ": reverted (the verifier returns false instead)";
    EXPECT_EQ(run.res[i].value, calls[i].expect) << calls[i].what;
    rejected += !run.res[i].value;
  }
  EXPECT_EQ(rejected, calls.size() - 3);
  const Outcome& h = run.res[1];
  std::printf("%s wrapped contract: verifyProof %llu gas (execution; first call %llu), transaction %llu gas, %zu bytes of calldata, "
              "deployed code %llu bytes; %zu Groth16 public inputs, %zu commitments in %zu groups, opening of %zu commitments at %zu "
              "variables; %zu changed calls rejected\n",
              c.name.c_str(), static_cast<unsigned long long>(h.gas), static_cast<unsigned long long>(run.res[0].gas),
              static_cast<unsigned long long>(h.tx_gas), honest_cd.size(), static_cast<unsigned long long>(run.code_size),
              wvk.num_public(), ncom, wvk.group_sizes.size(), wvk.opening.size(), n, rejected);
  EXPECT_LE(run.code_size, 24576u) << "over the EIP-170 code-size limit";
  // Deterministic: another proof of the same model costs the same execution gas.
  EXPECT_EQ(run.res[1].gas, run.res[2].gas);
}

TEST(EvmWrapped, MlpDigits) {
  if (!have_tools()) GTEST_SKIP() << "node or tools/evm/node_modules missing (scripts/install-evm.sh)";
  check_model(mlp(), cnn());
}

TEST(EvmWrapped, CnnDigits) {
  if (!have_tools()) GTEST_SKIP() << "node or tools/evm/node_modules missing (scripts/install-evm.sh)";
  check_model(cnn(), mlp());
}

// A wrapped proof made here from known vectors, so that the contract's own checks are tested
// apart from the inner proof: iris_logistic with a PUBLIC input (4 values) and public outputs; K
// commitments of the proof (random vectors of N = 4 variables, in two groups) and a mask, combined
// and opened with pcs::prove_batch over the deferred-opening transcript; a Groth16 proof of a
// circuit that only takes the public inputs (it proves ANY statement of that size: TEST ONLY).
// So a statement Groth16 accepts is rejected only by what the contract checks itself: a false
// opening (V, gamma, rho, the seed, a commitment changed, the Groth16 proof made anew for each),
// and public values out of their bounds, which are accepted at the bounds' edges. verify_wrapped
// agrees on each.
TEST(EvmWrapped, OwnChecksOnKnownVectors) {
  if (!have_tools()) GTEST_SKIP() << "node or tools/evm/node_modules missing (scripts/install-evm.sh)";
  SCOPED_TRACE(seed_note());
  auto [model, trace] = load_model("iris_logistic", true);
  TestRng key_rng(0x3a9d04);
  const ProvingKey pk = setup_keys(model, pcs::random_fr(key_rng), {}, insecure_srs(), false, true);
  TestRng rng(test_seed() + 17);
  const pcs::KzgParams& srs = *insecure_srs();
  const size_t N = 4, K = 3;
  std::vector<std::vector<Fr>> f(K + 1, std::vector<Fr>(size_t{1} << N));  // the last: the mask
  std::vector<pcs::KzgCommitted> cm;
  for (auto& v : f) {
    for (Fr& x : v) x = Fr::random(rng);
    cm.push_back(pcs::commit(srs, std::span<const Fr>(v), rng));
  }
  WrapVerifyingKey wvk;
  wvk.vk_digest = pk.vk.digest();
  const EvmPublicLayout lay = evm_public_layout(model);
  ASSERT_FALSE(lay.inputs.empty());
  ASSERT_FALSE(lay.outputs.empty());
  wvk.input_values = static_cast<uint32_t>(lay.input_values);
  wvk.output_values = static_cast<uint32_t>(lay.output_values);
  wvk.group_sizes = {2, 1, 1};
  wvk.rho_vars = N;
  for (uint32_t k = 0; k < K; ++k) wvk.opening.push_back({WrapOpenItem::Source::kProof, k, static_cast<uint32_t>(N)});
  WrappedProof wp;
  for (int t : model.graph.inputs) wp.inputs.push_back(trace.values[static_cast<size_t>(t)].data);
  for (int t : model.graph.outputs) wp.outputs.push_back(trace.values[static_cast<size_t>(t)].data);
  for (const auto& k : cm) wp.commitments.push_back(k.commitment.point);
  wp.rho.resize(N);
  for (Fr& x : wp.rho) x = Fr::random(rng);
  wp.gamma = Fr::random(rng);
  wp.seed = Fr::random(rng);
  // The combined vector and blind: mask + sum_k gamma^(k+1) f_k.
  std::vector<Fr> h = f[K];
  pcs::KzgBlinds hb{cm[K].blinds.rho};
  Fr gk = wp.gamma;
  for (size_t k = 0; k < K; ++k, gk *= wp.gamma) {
    for (size_t i = 0; i < h.size(); ++i) h[i] += gk * f[k][i];
    hb.rho += gk * cm[k].blinds.rho;
  }
  const pcs::KzgCommitment C = pcs::commit_with_blind(srs, std::span<const Fr>(h), hb.rho);
  wp.value = poly::evaluate_mle<Fr>(h, wp.rho);
  {
    transcript::Transcript tr(proof::detail::kDeferredOpeningDomain, transcript::Encoding::kV2);
    tr.absorb("wrap.seed", wp.seed);
    const std::vector<pcs::KzgOpeningWitness> items = {{&C, &hb, h, wp.rho, pcs::ProverClaim::plain(wp.value)}};
    wp.opening = pcs::prove_batch(srs, items, tr, pcs::random_fr(rng));
  }
  // Groth16 of a circuit that takes the public inputs and squares each (so each is used).
  auto circuit = [](const std::vector<Fr>& pub) {
    snark::ConstraintSystem cs;
    for (const Fr& x : pub) {
      const snark::Num n = cs.public_input(x);
      (void)cs.mul(n, n);
    }
    return cs;
  };
  const snark::Groth16ProvingKey gpk = snark::groth16_setup_insecure(circuit(std::vector<Fr>(wvk.num_public())), 0x3a9d03);  // TEST ONLY
  wvk.groth16 = gpk.vk;
  // A value past its bound has no packed encoding, hence no fingerprint: its statement keeps the
  // honest Groth16 proof (the contract must refuse the value itself).
  auto reprove = [&](WrappedProof& p) {
    std::vector<Fr> pub;
    try {
      pub = p.public_inputs(model, wvk);
    } catch (const Error&) {
      return;
    }
    p.groth16 = snark::groth16_prove(gpk, circuit(pub), pcs::random_fr(rng));
  };
  reprove(wp);
  {
    const Verdict v = verify_wrapped(model, pk.vk, wvk, wp);
    ASSERT_TRUE(v) << v.reason();
  }

  struct Call {
    std::string what;
    std::vector<uint8_t> cd;
    bool expect;
  };
  std::vector<Call> calls = {{"honest", wrapped_evm_calldata(model, wp), true}};
  auto change = [&](const std::string& what, bool expect, const std::function<void(WrappedProof&)>& fn) {
    WrappedProof p = wp;
    fn(p);
    reprove(p);
    EXPECT_EQ(verify_wrapped(model, pk.vk, wvk, p).ok(), expect) << what << ": verify_wrapped";
    calls.push_back({what, encode(parts_of(model, p, false)), expect});
  };
  change("V + 1", false, [](WrappedProof& p) { p.value += Fr::one(); });
  change("gamma + 1", false, [](WrappedProof& p) { p.gamma += Fr::one(); });
  change("rho[2] + 1", false, [](WrappedProof& p) { p.rho[2] += Fr::one(); });
  change("seed + 1", false, [](WrappedProof& p) { p.seed += Fr::one(); });
  change("commitment 1 = 2 G", false, [](WrappedProof& p) { p.commitments[1] = two_g(); });
  change("the mask = 2 G", false, [](WrappedProof& p) { p.commitments.back() = two_g(); });
  change("commitments 0 and 1 swapped", false, [](WrappedProof& p) { std::swap(p.commitments[0], p.commitments[1]); });
  // The bounds: a public input in [-2^bits, 2^bits), an output in (-2^bits, 2^bits); a value just
  // outside is tried where its tensor's width can hold it.
  size_t out_of_bound = 0;
  for (const bool input : {true, false}) {
    const EvmPublicTensor& e = input ? lay.inputs[0] : lay.outputs[0];
    const int64_t lim = int64_t{1} << e.bits;
    const bool wide = 8 * e.width >= static_cast<size_t>(e.bits) + 2;  // 2^bits and -2^bits - 1 fit
    std::vector<std::pair<int64_t, bool>> vs = {{lim - 1, true}, {input ? -lim : -lim + 1, true}};
    if (input) {
      if (wide) vs.push_back({lim, false}), vs.push_back({-lim - 1, false});
    } else {
      vs.push_back({-lim, false});
      if (wide) vs.push_back({lim, false});
    }
    for (const auto& [v, ok] : vs) {
      out_of_bound += !ok;
      change(std::string(input ? "input" : "output") + " 0 = " + std::to_string(v) + " (" + std::to_string(e.bits) + "-bit bound)", ok,
             [&, v = v](WrappedProof& p) { (input ? p.inputs : p.outputs)[0][0] = v; });
    }
  }
  EXPECT_GE(out_of_bound, 2u);
  const EvmWrappedVerifier ev = make_wrapped_evm_verifier(model, pk.vk, wvk, "WrappedKnown");
  std::vector<std::vector<uint8_t>> cds;
  for (const auto& k : calls) cds.push_back(k.cd);
  const EvmRun run = run_all(ev.source, "WrappedKnown", cds);
  ASSERT_EQ(run.res.size(), calls.size());
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_TRUE(run.res[i].success) << calls[i].what << ": reverted";
    EXPECT_EQ(run.res[i].value, calls[i].expect) << calls[i].what;
  }
  std::printf("iris_logistic (public input) wrapped contract of known vectors: %zu calls, %zu public inputs, verifyProof %llu gas\n",
              calls.size(), wvk.num_public(), static_cast<unsigned long long>(run.res[0].gas));
}

// The generator refuses what the contract cannot check: a key that is not wrappable, a wrapping
// key of another verifying key, a Groth16 key of another size, an opening item naming nothing.
TEST(EvmWrapped, GeneratorRefusals) {
  const Case& c = mlp();
  auto refuses = [&](const VerifyingKey& vk, const WrapVerifyingKey& wvk, const std::string& needle) {
    try {
      (void)make_wrapped_evm_verifier(c.model, vk, wvk, "V");
      ADD_FAILURE() << "accepted; expected an error containing '" << needle << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  EXPECT_NO_THROW((void)make_wrapped_evm_verifier(c.model, c.pk.vk, c.wpk.vk, "V"));
  refuses(cnn().pk.vk, c.wpk.vk, "another model");
  {
    TestRng rng(7);
    const ProvingKey pk8 = setup_keys(c.model, pcs::random_fr(rng), {}, insecure_srs(), false, false);
    refuses(pk8.vk, c.wpk.vk, "not wrappable");
  }
  WrapVerifyingKey w = c.wpk.vk;
  w.vk_digest[0] ^= 1;
  refuses(c.pk.vk, w, "another verifying key");
  w = c.wpk.vk;
  w.groth16.ic.pop_back();
  refuses(c.pk.vk, w, "public inputs");
  w = c.wpk.vk;
  w.output_values += 1;  // the same public inputs (the values are fingerprinted), another count
  refuses(c.pk.vk, w, "public output values");
  w = c.wpk.vk;
  ASSERT_FALSE(w.opening.empty());
  w.opening[0].source = WrapOpenItem::Source::kProof;
  w.opening[0].index = static_cast<uint32_t>(w.num_commitments());
  refuses(c.pk.vk, w, "names commitment");
  w = c.wpk.vk;
  w.opening[0].source = WrapOpenItem::Source::kKey;
  w.opening[0].index = 100000;
  refuses(c.pk.vk, w, "does not commit");
  {
    // 250 opening items of the key (65 bytes of table each): a contract over 24,576 bytes.
    WrapVerifyingKey pw = c.wpk.vk;
    const auto key_item = std::find_if(pw.opening.begin(), pw.opening.end(),
                                       [](const WrapOpenItem& it) { return it.source == WrapOpenItem::Source::kKey; });
    ASSERT_NE(key_item, pw.opening.end());
    pw.opening.assign(250, *key_item);
    try {
      (void)make_wrapped_evm_verifier(c.model, c.pk.vk, pw, "V");
      ADD_FAILURE() << "a contract of " << pw.opening.size() << " opening items was written";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("code-size limit"), std::string::npos) << e.what();
    }
  }
  // The calldata encoder refuses a proof whose outputs do not fit the layout.
  WrappedProof p = c.wp;
  if (!p.outputs.empty()) {
    p.outputs[0].push_back(0);
    EXPECT_THROW((void)wrapped_evm_calldata(c.model, p), Error);
  }
}

}  // namespace
}  // namespace zkinfer::proof
