#include "proof/wrapped.h"

#include <chrono>

#include "common/bytes.h"
#include "common/check.h"
#include "pcs/kzg_scheme.h"
#include "proof/evm_public.h"
#include "quant/model_file.h"
#include "proof/model_facts.h"
#include "proof/wrap_opening.h"

namespace zkinfer::proof {

namespace {

constexpr std::array<uint8_t, 4> kVkMagic = {'Z', 'K', 'W', 'V'};
constexpr std::array<uint8_t, 4> kPkMagic = {'Z', 'K', 'W', 'K'};
constexpr std::array<uint8_t, 4> kProofMagic = {'Z', 'K', 'W', 'P'};
constexpr uint32_t kFormatVersion = 1;
// Bounds on what a decoder allocates before the bytes are there to back it.
constexpr uint32_t kMaxCount = 1u << 28;

void expect_magic(ByteReader& r, const std::array<uint8_t, 4>& magic) {
  const auto m = r.bytes(4);
  if (!std::equal(m.begin(), m.end(), magic.begin())) r.fail("bad magic");
  if (const uint32_t v = r.u32(); v != kFormatVersion) r.fail("unsupported version " + std::to_string(v));
}

void put_fr(ByteWriter& w, const Fr& x) { w.bytes(x.to_bytes()); }
Fr get_fr(ByteReader& r, const std::string& what) {
  const auto x = Fr::from_bytes(r.bytes(32));
  if (!x) r.fail(what + ": not a canonical field element");
  return *x;
}

std::span<const uint8_t> sized(ByteReader& r, const char* what) {
  const uint64_t n = r.u64();
  if (n > r.remaining()) r.fail(std::string(what) + ": length " + std::to_string(n) + " exceeds the remaining bytes");
  return r.bytes(static_cast<size_t>(n));
}

void put_sized(ByteWriter& w, std::span<const uint8_t> b) {
  w.u64(b.size());
  w.bytes(b);
}

void put_values(ByteWriter& w, const std::vector<std::vector<int64_t>>& ts) {
  w.u32(static_cast<uint32_t>(ts.size()));
  for (const auto& t : ts) {
    w.u64(t.size());
    for (int64_t x : t) w.u64(static_cast<uint64_t>(x));
  }
}
std::vector<std::vector<int64_t>> get_values(ByteReader& r, const char* what) {
  const uint32_t n = r.u32();
  if (n > 1024) r.fail(std::string(what) + ": " + std::to_string(n) + " tensors");
  std::vector<std::vector<int64_t>> ts(n);
  for (auto& t : ts) {
    const uint64_t k = r.count(8);
    t.resize(k);
    for (auto& x : t) x = static_cast<int64_t>(r.u64());
  }
  return ts;
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The wrapping key's layout from a circuit.
WrapVerifyingKey layout_of(const VerifyingKey& vk, const VerifierCircuit& vc) {
  WrapVerifyingKey w;
  w.vk_digest = vk.digest();
  for (const auto& t : vc.inputs) w.input_values += static_cast<uint32_t>(t.size());
  for (const auto& t : vc.outputs) w.output_values += static_cast<uint32_t>(t.size());
  w.group_sizes = vc.group_sizes;
  w.rho_vars = static_cast<uint32_t>(vc.rho.size());
  w.opening = vc.opening;
  return w;
}

// The circuit of a proof the native verifier accepts (Error otherwise: the verifier's reason).
VerifierCircuit circuit_of(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> proof,
                           std::span<const ops::ITensor> public_inputs, const char* what) {
  if (!vk.wrappable())
    throw Error(std::string(what) + ": the key is not wrappable (version " + std::to_string(vk.effective_version()) +
                "): make one with zkinfer setup --backend kzg --wrappable");
  if (Verdict v = verify(model, vk, proof, nullptr, nullptr, public_inputs); !v)
    throw Error(std::string(what) + ": the proof does not verify: " + v.reason());
  VerifierCircuit vc;
  if (Verdict v = verifier_circuit(model, vk, proof, &vc, public_inputs); !v)
    throw Error(std::string(what) + ": the verifier circuit rejects the proof: " + v.reason());
  if (!vc.satisfied()) {
    size_t first = 0;
    (void)vc.cs.is_satisfied(&first);
    throw Error(std::string(what) + ": internal: an accepted proof leaves its verifier circuit unsatisfied (constraint " +
                std::to_string(first) + ", " + vc.cs.which_label(first) + ")");
  }
  return vc;
}

}  // namespace

// ---- WrapVerifyingKey ----

size_t WrapVerifyingKey::num_commitments() const {
  size_t n = 0;
  for (uint32_t s : group_sizes) n += s;
  return n;
}

size_t WrapVerifyingKey::num_public() const {
  return group_sizes.size() + rho_vars + 3 + (input_values + output_values > 0 ? 2 : 0);
}

Fr public_values_point(const quant::CompiledModel& model, const std::vector<std::vector<int64_t>>& inputs,
                       const std::vector<std::vector<int64_t>>& outputs) {
  const EvmPublicLayout layout = evm_public_layout(model);
  std::vector<uint8_t> bytes;
  if (!inputs.empty()) bytes = evm_pack_values(layout.inputs, inputs, true);
  if (!outputs.empty()) {
    const auto o = evm_pack_values(layout.outputs, outputs, false);
    bytes.insert(bytes.end(), o.begin(), o.end());
  }
  return detail::keccak_mod_r(bytes);
}

Fr public_values_fingerprint(const std::vector<std::vector<int64_t>>& inputs, const std::vector<std::vector<int64_t>>& outputs,
                             const Fr& z) {
  Fr y = Fr::zero(), zi = Fr::one();
  for (const auto* ts : {&inputs, &outputs})
    for (const auto& t : *ts)
      for (int64_t v : t) {
        y += Fr::from_i64(v) * zi;
        zi *= z;
      }
  return y;
}

std::vector<uint8_t> WrapVerifyingKey::to_bytes() const {
  ByteWriter w;
  w.bytes(kVkMagic);
  w.u32(kFormatVersion);
  w.bytes(vk_digest);
  w.u32(input_values);
  w.u32(output_values);
  w.u32(static_cast<uint32_t>(group_sizes.size()));
  for (uint32_t s : group_sizes) w.u32(s);
  w.u32(rho_vars);
  w.u32(static_cast<uint32_t>(opening.size()));
  for (const WrapOpenItem& it : opening) {
    w.u8(static_cast<uint8_t>(it.source));
    w.u32(it.index);
    w.u32(it.num_vars);
  }
  put_sized(w, snark::groth16_vk_to_bytes(groth16));
  return w.data();
}

WrapVerifyingKey WrapVerifyingKey::from_bytes(std::span<const uint8_t> in) {
  ByteReader r(in, "wrap verifying key");
  expect_magic(r, kVkMagic);
  WrapVerifyingKey k;
  const auto d = r.bytes(32);
  std::copy(d.begin(), d.end(), k.vk_digest.begin());
  k.input_values = r.u32();
  k.output_values = r.u32();
  const uint32_t ng = r.u32();
  if (ng == 0 || ng > 8) r.fail(std::to_string(ng) + " commitment groups");
  for (uint32_t i = 0; i < ng; ++i) {
    k.group_sizes.push_back(r.u32());
    if (k.group_sizes.back() == 0 || k.group_sizes.back() > kMaxCount) r.fail("a group's size");
  }
  if (k.group_sizes.back() != 1) r.fail("the last group (the opening's mask) holds " + std::to_string(k.group_sizes.back()) + " commitments");
  k.rho_vars = r.u32();
  if (k.rho_vars == 0 || k.rho_vars > pcs::kKzgMaxVars) r.fail("rho of " + std::to_string(k.rho_vars) + " variables");
  const uint32_t no = r.u32();
  if (no == 0 || no > r.remaining() / 9) r.fail(std::to_string(no) + " opening items");
  for (uint32_t i = 0; i < no; ++i) {
    WrapOpenItem it;
    const uint8_t src = r.u8();
    if (src > 1) r.fail("opening item " + std::to_string(i) + " of unknown source");
    it.source = static_cast<WrapOpenItem::Source>(src);
    it.index = r.u32();
    it.num_vars = r.u32();
    if (it.num_vars > k.rho_vars) r.fail("opening item " + std::to_string(i) + " wider than rho");
    k.opening.push_back(it);
  }
  k.groth16 = snark::groth16_vk_from_bytes(sized(r, "groth16 key"));
  r.expect_end();
  if (k.input_values > kMaxCount || k.output_values > kMaxCount) r.fail("public value counts");
  // Every proof commitment an opening item names exists, and the Groth16 key takes exactly the
  // public inputs the layout gives.
  const size_t nc = k.num_commitments();
  for (const WrapOpenItem& it : k.opening)
    if (it.source == WrapOpenItem::Source::kProof && it.index >= nc - 1)
      r.fail("an opening item names proof commitment " + std::to_string(it.index) + " of " +
             std::to_string(nc - 1) + " (the mask is not an item)");
  if (k.groth16.num_public() != k.num_public())
    r.fail("the Groth16 key takes " + std::to_string(k.groth16.num_public()) + " public inputs, the layout " +
           std::to_string(k.num_public()));
  return k;
}

std::vector<uint8_t> WrapProvingKey::to_bytes() const {
  ByteWriter w;
  w.bytes(kPkMagic);
  w.u32(kFormatVersion);
  put_sized(w, vk.to_bytes());
  put_sized(w, snark::groth16_pk_to_bytes(groth16));
  return w.data();
}

WrapProvingKey WrapProvingKey::from_bytes(std::span<const uint8_t> in) {
  ByteReader r(in, "wrap proving key");
  expect_magic(r, kPkMagic);
  WrapProvingKey k;
  k.vk = WrapVerifyingKey::from_bytes(sized(r, "verifying key"));
  k.groth16 = snark::groth16_pk_from_bytes(sized(r, "groth16 key"));
  r.expect_end();
  if (!(snark::groth16_vk_to_bytes(k.groth16.vk) == snark::groth16_vk_to_bytes(k.vk.groth16)))
    r.fail("its Groth16 keys disagree");
  return k;
}

// ---- WrappedProof ----

std::vector<Fr> WrappedProof::public_inputs(const quant::CompiledModel& model, const WrapVerifyingKey& vk) const {
  std::vector<Fr> pub;
  size_t ni = 0, no = 0;
  for (const auto& t : inputs) ni += t.size();
  for (const auto& t : outputs) no += t.size();
  if (ni != vk.input_values || no != vk.output_values)
    throw Error("wrapped proof: " + std::to_string(ni) + " input and " + std::to_string(no) + " output values; the key takes " +
                std::to_string(vk.input_values) + " and " + std::to_string(vk.output_values));
  if (commitments.size() != vk.num_commitments())
    throw Error("wrapped proof: " + std::to_string(commitments.size()) + " commitments; the key's groups hold " +
                std::to_string(vk.num_commitments()));
  if (rho.size() != vk.rho_vars)
    throw Error("wrapped proof: rho of " + std::to_string(rho.size()) + " coordinates; the key's has " + std::to_string(vk.rho_vars));
  size_t at = 0;
  for (uint32_t s : vk.group_sizes) {
    pub.push_back(detail::commitment_group_digest(std::span<const curve::G1Affine>(commitments).subspan(at, s)));
    at += s;
  }
  pub.insert(pub.end(), rho.begin(), rho.end());
  pub.push_back(gamma);
  pub.push_back(value);
  pub.push_back(seed);
  if (ni + no > 0) {
    const Fr z = public_values_point(model, inputs, outputs);
    pub.push_back(z);
    pub.push_back(public_values_fingerprint(inputs, outputs, z));
  }
  return pub;
}

std::vector<uint8_t> WrappedProof::to_bytes() const {
  ByteWriter w;
  w.bytes(kProofMagic);
  w.u32(kFormatVersion);
  w.bytes(snark::groth16_proof_to_bytes(groth16));
  put_values(w, inputs);
  put_values(w, outputs);
  w.u64(commitments.size());
  for (const auto& p : commitments) w.bytes(p.to_bytes());
  w.u64(rho.size());
  for (const Fr& x : rho) put_fr(w, x);
  put_fr(w, gamma);
  put_fr(w, value);
  put_fr(w, seed);
  put_sized(w, opening.to_bytes());
  return w.data();
}

WrappedProof WrappedProof::from_bytes(std::span<const uint8_t> in, pcs::KzgForm form) {
  ByteReader r(in, "wrapped proof");
  expect_magic(r, kProofMagic);
  WrappedProof p;
  p.groth16 = snark::groth16_proof_from_bytes(r.bytes(136));
  p.inputs = get_values(r, "inputs");
  p.outputs = get_values(r, "outputs");
  const uint64_t nc = r.count(curve::G1Affine::kBytes);
  for (uint64_t i = 0; i < nc; ++i) {
    const auto pt = curve::G1Affine::from_bytes(r.bytes(curve::G1Affine::kBytes));
    if (!pt) r.fail("commitment " + std::to_string(i) + " is not a valid point");
    p.commitments.push_back(*pt);
  }
  const uint64_t nr = r.count(32, pcs::kKzgMaxVars);
  for (uint64_t i = 0; i < nr; ++i) p.rho.push_back(get_fr(r, "rho"));
  p.gamma = get_fr(r, "gamma");
  p.value = get_fr(r, "value");
  p.seed = get_fr(r, "seed");
  p.opening = pcs::KzgBatchProof::from_bytes(sized(r, "opening"), form);
  r.expect_end();
  return p;
}

// ---- setup, prove, verify ----

WrapProvingKey wrap_setup(const quant::CompiledModel& model, const VerifyingKey& vk, std::span<const uint8_t> sample,
                          const std::string& ptau_path, const snark::RandomFr& random,
                          std::span<const ops::ITensor> public_inputs,
                          const std::function<void(const std::string&)>& progress) {
  auto say = [&](const std::string& m) {
    if (progress) progress(m);
  };
  say("building the verifier circuit from the sample proof");
  const VerifierCircuit vc = circuit_of(model, vk, sample, public_inputs, "wrap setup");
  say("circuit: " + std::to_string(vc.cs.num_constraints()) + " constraints, " + std::to_string(vc.cs.num_public()) +
      " public inputs; reading " + ptau_path);
  const pcs::Ptau ptau = pcs::read_ptau(ptau_path, snark::groth16_ptau_options(vc.cs));
  say("Groth16 setup (phase 1 from the file, phase 2: one contribution)");
  WrapProvingKey k;
  k.vk = layout_of(vk, vc);
  k.groth16 = snark::groth16_setup_ptau(vc.cs, ptau, random);
  k.vk.groth16 = k.groth16.vk;
  return k;
}

WrapProvingKey wrap_setup_insecure(const quant::CompiledModel& model, const VerifyingKey& vk,
                                   std::span<const uint8_t> sample, const snark::RandomFr& toxic,
                                   std::span<const ops::ITensor> public_inputs) {
  const VerifierCircuit vc = circuit_of(model, vk, sample, public_inputs, "wrap setup");
  WrapProvingKey k;
  k.vk = layout_of(vk, vc);
  k.groth16 = snark::groth16_setup_insecure(vc.cs, toxic);  // TEST ONLY
  k.vk.groth16 = k.groth16.vk;
  return k;
}

WrappedProof wrap_prove(const quant::CompiledModel& model, const VerifyingKey& vk, const WrapProvingKey& pk,
                        std::span<const uint8_t> proof, std::span<const ops::ITensor> public_inputs, WrapStats* stats) {
  if (pk.vk.vk_digest != vk.digest()) throw Error("wrap: the wrapping key was made for another verifying key");
  const auto t0 = std::chrono::steady_clock::now();
  VerifierCircuit vc = circuit_of(model, vk, proof, public_inputs, "wrap");
  const WrapVerifyingKey got = layout_of(vk, vc);
  if (got.input_values != pk.vk.input_values || got.output_values != pk.vk.output_values ||
      got.group_sizes != pk.vk.group_sizes || got.rho_vars != pk.vk.rho_vars || got.opening != pk.vk.opening)
    throw Error("wrap: the proof's deferred opening differs from the wrapping key's layout");
  if (stats) stats->constraints = vc.cs.num_constraints(), stats->circuit_s = since(t0);
  const auto t1 = std::chrono::steady_clock::now();
  WrappedProof w;
  w.groth16 = snark::groth16_prove(pk.groth16, vc.cs);  // Error when made for another circuit
  if (stats) stats->groth16_s = since(t1);
  w.inputs = std::move(vc.inputs);
  w.outputs = std::move(vc.outputs);
  w.commitments = std::move(vc.commitments);
  w.rho = std::move(vc.rho);
  w.gamma = vc.gamma;
  w.value = vc.value;
  w.seed = vc.seed;
  w.opening = std::move(vc.back);
  return w;
}

Verdict verify_wrapped(const quant::CompiledModel& model, const VerifyingKey& vk, const WrapVerifyingKey& wvk,
                       const WrappedProof& proof, std::vector<ops::ITensor>* outputs,
                       std::span<const ops::ITensor> public_inputs, bool key_checked) {
  try {
    if (!key_checked)
      if (Verdict v = check_key(model, vk); !v) return v.classified(Failure::kKey);
    if (vk.model_digest != quant::public_digest(model)) return Verdict::reject(Failure::kKey, "wrapped: the verifying key is for another model");
    if (!vk.wrappable() || !vk.kzg) return Verdict::reject(Failure::kKey, "wrapped: the verifying key is not wrappable");
    if (wvk.vk_digest != vk.digest()) return Verdict::reject(Failure::kKey, "wrapped: the wrapping key is for another verifying key");
    const auto& g = model.graph;
    // The public values: shapes and bounds (the circuit takes them as field elements).
    const bool in_public = input_is_public(model);
    if (proof.inputs.size() != (in_public ? g.inputs.size() : 0))
      return Verdict::reject(Failure::kPublicValues, "wrapped: " + std::to_string(proof.inputs.size()) + " public input tensors");
    if (!public_inputs.empty()) {
      if (public_inputs.size() != proof.inputs.size()) return Verdict::reject(Failure::kPublicValues, "wrapped: the public input differs");
      for (size_t i = 0; i < public_inputs.size(); ++i)
        if (public_inputs[i].data != proof.inputs[i]) return Verdict::reject(Failure::kPublicValues, "wrapped: the public input differs");
    }
    for (size_t i = 0; i < proof.inputs.size(); ++i) {
      const int t = g.inputs[i];
      const int b = model.bits[t];
      if (proof.inputs[i].size() != shape_of(model, t).unpadded_size())
        return Verdict::reject(Failure::kPublicValues, "wrapped: public input '" + g.tensors[t].name + "' size differs from the model");
      if (b < 1 || b > 60) return Verdict::reject(Failure::kModel, "wrapped: input '" + g.tensors[t].name + "': bit bound out of range");
      for (int64_t x : proof.inputs[i])
        if (x < -(int64_t{1} << b) || x >= (int64_t{1} << b))
          return Verdict::reject(Failure::kPublicValues, "wrapped: public input '" + g.tensors[t].name + "' value outside the tensor's bit bound");
    }
    const bool out_public = !output_is_private(model);
    if (proof.outputs.size() != (out_public ? g.outputs.size() : 0))
      return Verdict::reject(Failure::kPublicValues, "wrapped: " + std::to_string(proof.outputs.size()) + " output tensors");
    for (size_t k = 0; k < proof.outputs.size(); ++k) {
      const int t = g.outputs[k];
      const int bits = model.bits[t];
      if (proof.outputs[k].size() != shape_of(model, t).unpadded_size())
        return Verdict::reject(Failure::kPublicValues, "wrapped: output '" + g.tensors[t].name + "' size differs from the model");
      for (int64_t v : proof.outputs[k])
        if (bits < 63 && (v >= (int64_t{1} << bits) || v <= -(int64_t{1} << bits)))
          return Verdict::reject(Failure::kPublicValues, "wrapped: output value outside the tensor's bit bound");
    }
    // The Groth16 proof that the verifier accepted.
    std::vector<Fr> pub;
    try {
      pub = proof.public_inputs(model, wvk);
    } catch (const Error& e) {
      return Verdict::reject(Failure::kDecode, e.what());
    }
    if (snark::Groth16Result res = snark::groth16_verify(wvk.groth16, pub, proof.groth16); !res)
      return Verdict::reject(Failure::kOpening, "wrapped: the Groth16 proof fails: " + res.reason);
    // The deferred opening over the key's and the proof's commitments.
    std::vector<curve::G1Affine> points;
    for (const WrapOpenItem& it : wvk.opening) {
      if (it.source == WrapOpenItem::Source::kProof) {
        if (it.index + 1 >= proof.commitments.size()) return Verdict::reject(Failure::kKey, "wrapped: an opening item past the proof's commitments");
        points.push_back(proof.commitments[it.index]);
        continue;
      }
      if (it.index >= vk.weights.size() || !vk.weights[it.index])
        return Verdict::reject(Failure::kKey, "wrapped: an opening item names no commitment of the key");
      const pcs::KzgCommitment* k = pcs::KzgScheme::as_kzg(*vk.weights[it.index]);
      if (k == nullptr) return Verdict::reject(Failure::kKey, "wrapped: a key commitment that is not a single kzg commitment");
      points.push_back(k->point);
    }
    if (Verdict v = detail::verify_wrap_back(*vk.kzg, proof.commitments.back(), points, proof.rho, proof.gamma, proof.value,
                                             proof.seed, proof.opening);
        !v)
      return v.within("wrapped");
    if (outputs) {
      outputs->clear();
      for (size_t k = 0; k < proof.outputs.size(); ++k) {
        const int t = g.outputs[k];
        ops::ITensor x(g.tensors[t].shape, ops::DType::kInt);
        x.data = proof.outputs[k];
        x.scale = model.scales[t];
        outputs->push_back(std::move(x));
      }
    }
    return Verdict::accept();
  } catch (const DecodeError& e) {
    return Verdict::reject(Failure::kDecode, std::string("wrapped: ") + e.what());
  } catch (const std::exception& e) {
    return Verdict::reject(std::string("wrapped: ") + e.what());
  }
}

}  // namespace zkinfer::proof
