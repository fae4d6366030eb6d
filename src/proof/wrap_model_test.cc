// Wrappable kzg keys (version 12, docs/protocol/wrap.md): proofs over the Poseidon field transcript
// with plain messages and digest-absorbed commitments, made to be verified by a circuit. Here: the
// key's bytes, honest proofs of mlp_digits and cnn_digits in the default visibility, and their
// rejections (changed bytes, changed outputs, a proof under another key version); then the
// verifier of those proofs as a circuit (proof/wrap.h): satisfied by honest proofs, the same
// constraints for every proof, unsatisfied by changed messages and outputs, and a Groth16 proof of it.
//
// TEST ONLY: the SRS is made from known secrets (pcs::KzgParams::insecure_from_secrets).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "common/random.h"
#include "graph/float_executor.h"
#include "graph/json_io.h"
#include "graph/onnx_loader.h"
#include "pcs/kzg.h"
#include "proof/evm_verifier.h"
#include "proof/files.h"
#include "proof/model_facts.h"
#include "proof/model_proof.h"
#include "proof/wrap.h"
#include "proof/wrap_opening.h"
#include "proof/wrapped.h"
#include "snark/groth16.h"
#include "quant/int_executor.h"
#include "quant/model_file.h"
#include "quant/quantizer.h"
#include "proof_offsets.h"
#include "test_seed.h"

namespace zkinfer::proof {
namespace {

using field::Fr;
using testing::seed_note;
using testing::test_seed;

std::string example(const std::string& name, const std::string& file) {
  return std::string(ZKINFER_SOURCE_DIR) + "/examples/" + name + "/" + file;
}

std::shared_ptr<const pcs::KzgParams> insecure_srs() {
  static auto srs = [] {
    TestRng rng(0x5eed1234);
    const Fr tau = Fr::random(rng), beta = Fr::random(rng);
    return std::make_shared<const pcs::KzgParams>(pcs::KzgParams::insecure_from_secrets(tau, beta, 16));
  }();
  return srs;
}

struct Case {
  quant::CompiledModel model;
  quant::Trace trace;
  ProvingKey pk;    // wrappable (version 12)
  ProvingKey pk8;   // the same model's version-8 key
};

Case make_case(const std::string& name, TestRng& rng) {
  Case c;
  graph::Graph g = graph::load_onnx_file(example(name, "model.onnx"));
  auto samples = graph::parse_samples(graph::read_text(example(name, "input.json")), "input.json", g);
  c.model = quant::quantize(std::move(g), samples, ops::QuantConfig{});
  quant::encode_model(c.model);
  c.trace = quant::run_int(c.model, quant::quantize_inputs(c.model, graph::make_inputs(c.model.graph, samples[0].inputs, "input.json")));
  c.pk = setup_keys(c.model, pcs::random_fr(rng), {}, insecure_srs(), false, true);
  c.pk8 = setup_keys(c.model, pcs::random_fr(rng), {}, insecure_srs(), false, false);
  return c;
}

const Case& mlp() {
  static TestRng rng(test_seed());
  static const Case c = make_case("mlp_digits", rng);
  return c;
}
const Case& cnn() {
  static TestRng rng(test_seed() + 1);
  static const Case c = make_case("cnn_digits", rng);
  return c;
}

TEST(WrapKey, SetupRefusesWhatIsNotAWrappableLayout) {
  TestRng rng(test_seed());
  const Case& c = mlp();
  EXPECT_THROW((void)setup_keys(c.model, pcs::random_fr(rng), {}, nullptr, false, true), Error);          // hyrax
  EXPECT_THROW((void)setup_keys(c.model, pcs::random_fr(rng), {}, insecure_srs(), true, true), Error);   // weight rows
}

TEST(WrapKey, HonestProofsVerifyThroughTheKeyFiles) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (const Case* c : {&mlp(), &cnn()}) {
    EXPECT_EQ(c->pk.vk.effective_version(), kKeyVersionKzgWrap);
    EXPECT_TRUE(c->pk.vk.wrappable());
    EXPECT_FALSE(c->pk8.vk.wrappable());
    EXPECT_TRUE(zero_knowledge(c->model));  // the default visibility: the unwrapped proof would be zero-knowledge
    ASSERT_TRUE(check_key(c->model, c->pk.vk));
    const ProvingKey pk = decode_pk_file(encode_pk_file(c->pk));
    const VkFile vf = decode_vk_file(encode_vk_file(c->pk.vk, quant::encode_public_model(c->model)));
    EXPECT_TRUE(vf.vk.wrappable());
    EXPECT_EQ(vf.vk.digest(), c->pk.vk.digest());
    // The version-8 key of the same SRS proves and verifies (zero-knowledge messages).
    const auto proof8 = prove(c->model, c->pk8, c->trace, pcs::random_fr(rng));
    const Verdict v8 = verify(c->model, c->pk8.vk, proof8);
    ASSERT_TRUE(v8) << v8.reason();
    const auto proof = prove(c->model, pk, c->trace, pcs::random_fr(rng));
    ops::ITensor out;
    const Verdict v = verify(vf.model, vf.vk, proof, &out);
    ASSERT_TRUE(v) << v.reason();
    EXPECT_EQ(out.data, c->trace.values[c->model.graph.outputs[0]].data);
    // Plain messages: smaller than the zero-knowledge proof of the version-8 key.
    std::printf("wrappable proof %zu bytes (version-8 zero-knowledge proof %zu)\n", proof.size(), proof8.size());
    // Each key's proof is refused under the other key.
    EXPECT_FALSE(verify(c->model, c->pk8.vk, proof).ok());
    EXPECT_FALSE(verify(c->model, c->pk.vk, proof8).ok());
  }
}

// Every field the verifier reads, changed in one byte, and a sample of every 5th byte: rejected.
TEST(WrapKey, ChangedProofBytesAndOutputsAreRejected) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const Case& c = mlp();
  const auto proof = prove(c.model, c.pk, c.trace, pcs::random_fr(rng));
  std::vector<ByteField> fields;
  ASSERT_TRUE(proof_fields(c.model, c.pk.vk, proof, &fields));
  ASSERT_GT(fields.size(), 10u);
  std::vector<size_t> offsets;
  for (const auto& f : fields) offsets.push_back(f.offset + f.size / 2);
  for (size_t i = 0; i < proof.size(); i += 5) offsets.push_back(i);
  for (size_t off : offsets) {
    auto bad = proof;
    bad[off] ^= 0x10;
    const Verdict v = verify(c.model, c.pk.vk, bad);
    EXPECT_FALSE(v.ok()) << "byte " << off << " of " << proof.size() << " changed and the proof still verifies";
    EXPECT_FALSE(v.reason().empty());
  }
  const auto cproof = prove(cnn().model, cnn().pk, cnn().trace, pcs::random_fr(rng));
  for (size_t k : {size_t{0}, size_t{3}, size_t{6}}) {
    auto bad = cproof;
    bad[testing::kFirstOutputByte + k] ^= 0x01;
    EXPECT_FALSE(verify(cnn().model, cnn().pk.vk, bad).ok()) << "output " << k;
  }
}

TEST(WrapKey, TheDirectEvmVerifierRefusesAWrappableKey) {
  const Case& c = mlp();
  try {
    (void)make_evm_verifier(c.model, c.pk.vk);
    ADD_FAILURE() << "a wrappable key got a direct EVM verifier";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("wrappable"), std::string::npos) << e.what();
  }
}

// ---- the verifier as a circuit ----

// The proof's i-th message field (32 bytes, as the verifier reads it), for changing one.
std::vector<ByteField> message_fields(const Case& c, const std::vector<uint8_t>& proof) {
  std::vector<ByteField> fields, out;
  EXPECT_TRUE(proof_fields(c.model, c.pk.vk, proof, &fields));
  for (const auto& f : fields)
    if (f.size == 32) out.push_back(f);
  return out;
}

TEST(WrapCircuit, HonestProofsSatisfyTheVerifierCircuit) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  for (const Case* c : {&mlp(), &cnn()}) {
    const auto proof = prove(c->model, c->pk, c->trace, pcs::random_fr(rng));
    VerifierCircuit vc;
    const Verdict v = verifier_circuit(c->model, c->pk.vk, proof, &vc);
    ASSERT_TRUE(v) << v.reason();
    size_t first = 0;
    EXPECT_TRUE(vc.cs.is_satisfied(&first)) << "constraint " << first << " (" << vc.cs.which_label(first) << ")";
    EXPECT_EQ(vc.false_equalities, 0u);
    ASSERT_EQ(vc.outputs.size(), 1u);
    EXPECT_EQ(vc.outputs[0], c->trace.values[c->model.graph.outputs[0]].data);
    // Public inputs: one digest per commitment group (the advice, the lookup multiplicities, the
    // opening's mask), the deferred opening's point, gamma, V and seed, then the public values'
    // fingerprint (z, y) in place of one input per output value.
    const auto& pub = vc.cs.public_values();
    ASSERT_EQ(vc.group_sizes.size(), 3u);  // both models have lookups
    EXPECT_EQ(vc.group_sizes.back(), 1u);
    size_t ncom = 0;
    for (uint32_t k : vc.group_sizes) ncom += k;
    ASSERT_EQ(vc.commitments.size(), ncom);
    ASSERT_TRUE(vc.has_fingerprint);
    ASSERT_EQ(pub.size(), vc.group_sizes.size() + vc.rho.size() + 3 + 2);
    size_t at = 0;
    for (size_t k = 0; k < vc.group_sizes.size(); ++k) {
      EXPECT_EQ(pub[k], detail::commitment_group_digest(std::span<const curve::G1Affine>(vc.commitments).subspan(at, vc.group_sizes[k])));
      at += vc.group_sizes[k];
    }
    const size_t r0 = vc.group_sizes.size();
    for (size_t i = 0; i < vc.rho.size(); ++i) EXPECT_EQ(pub[r0 + i], vc.rho[i]);
    const size_t g0 = r0 + vc.rho.size();
    EXPECT_EQ(pub[g0], vc.gamma);
    EXPECT_EQ(pub[g0 + 1], vc.value);
    EXPECT_EQ(pub[g0 + 2], vc.seed);
    const Fr z = public_values_point(c->model, {}, vc.outputs);
    EXPECT_EQ(pub[g0 + 3], z);
    Fr y = Fr::zero(), zi = Fr::one();  // sum_i v_i z^i, written out
    for (int64_t v : vc.outputs[0]) y += Fr::from_i64(v) * zi, zi *= z;
    EXPECT_EQ(pub[g0 + 4], y);
    // The opening combines every proof commitment but the mask, and the key's weights.
    size_t from_proof = 0, from_key = 0;
    for (const WrapOpenItem& it : vc.opening) {
      EXPECT_LE(it.num_vars, vc.rho.size());
      if (it.source == WrapOpenItem::Source::kProof) {
        ++from_proof;
        EXPECT_LT(it.index, ncom - 1);
      } else {
        ++from_key;
        ASSERT_LT(it.index, c->pk.vk.weights.size());
        EXPECT_NE(c->pk.vk.weights[it.index], nullptr);
      }
    }
    EXPECT_EQ(from_proof, ncom - 1);
    EXPECT_GT(from_key, 0u);
    // Another proof of the same inference (other blinds, so other commitments and challenges):
    // the same constraints, other values.
    const auto proof2 = prove(c->model, c->pk, c->trace, pcs::random_fr(rng));
    VerifierCircuit vc2;
    ASSERT_TRUE(verifier_circuit(c->model, c->pk.vk, proof2, &vc2));
    EXPECT_TRUE(vc2.satisfied());
    EXPECT_EQ(snark::r1cs_shape(vc.cs), snark::r1cs_shape(vc2.cs));
    EXPECT_NE(vc.seed, vc2.seed);
    EXPECT_EQ(vc.cs.public_values().back(), vc2.cs.public_values().back());  // the same outputs: the same fingerprint
    std::printf("%s verifier circuit: %zu constraints, %zu public inputs, %zu witnesses; deferred opening of %zu commitments at %zu variables\n",
                c == &mlp() ? "mlp_digits" : "cnn_digits", vc.cs.num_constraints(), vc.cs.num_public(), vc.cs.num_witness(),
                vc.opening.size(), vc.rho.size());
  }
}

// Every message the verifier reads (a sample of at most 60, spread over the proof) changed: the
// verifier rejects, and the circuit is unsatisfied (or the proof unreadable: rejected).
TEST(WrapCircuit, ChangedMessagesAndOutputsLeaveItUnsatisfied) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const Case& c = mlp();
  const auto proof = prove(c.model, c.pk, c.trace, pcs::random_fr(rng));
  VerifierCircuit honest;
  ASSERT_TRUE(verifier_circuit(c.model, c.pk.vk, proof, &honest));
  const auto fields = message_fields(c, proof);
  ASSERT_GT(fields.size(), 20u);
  const size_t step = std::max<size_t>(1, fields.size() / 60);
  size_t tried = 0, unsatisfied = 0;
  for (size_t i = 0; i < fields.size(); i += step) {
    auto bad = proof;
    bad[fields[i].offset + 3] ^= 0x01;  // a canonical element stays canonical (a low byte)
    VerifierCircuit vc;
    const Verdict v = verifier_circuit(c.model, c.pk.vk, bad, &vc);
    ++tried;
    if (!v || !vc.satisfied()) {
      ++unsatisfied;
      continue;
    }
    // Satisfied: then the field is one the circuit leaves to the deferred opening (its batch proof;
    // or a commitment, whose group digest is a public input), and the native verifier, which runs
    // the opening, must still reject the whole proof.
    EXPECT_FALSE(verify(c.model, c.pk.vk, bad).ok()) << "field at " << fields[i].offset;
  }
  EXPECT_GT(unsatisfied, tried / 2) << unsatisfied << " of " << tried;
  std::printf("mlp_digits: %zu of %zu changed message fields leave the circuit unsatisfied (the rest: the opening's)\n",
              unsatisfied, tried);
  // A changed output: public input and claim disagree.
  const auto cproof = prove(cnn().model, cnn().pk, cnn().trace, pcs::random_fr(rng));
  for (size_t k : {size_t{0}, size_t{5}}) {
    auto bad = cproof;
    bad[testing::kFirstOutputByte + k] ^= 0x01;
    VerifierCircuit vc;
    const Verdict v = verifier_circuit(cnn().model, cnn().pk.vk, bad, &vc);
    EXPECT_TRUE(!v || !vc.satisfied()) << "output byte " << k;
  }
}

// The circuit of a proof under a TEST-ONLY Groth16 setup: proved and verified; its public inputs
// changed, rejected.
TEST(WrapCircuit, Groth16ProvesTheVerifierCircuit) {
  SCOPED_TRACE(seed_note());
  TestRng rng(test_seed());
  const Case& c = cnn();
  const auto proof = prove(c.model, c.pk, c.trace, pcs::random_fr(rng));
  const auto t0 = std::chrono::steady_clock::now();
  VerifierCircuit vc;
  ASSERT_TRUE(verifier_circuit(c.model, c.pk.vk, proof, &vc));
  const auto t1 = std::chrono::steady_clock::now();
  const auto key = snark::groth16_setup_insecure(vc.cs, test_seed());  // TEST ONLY
  const auto t2 = std::chrono::steady_clock::now();
  const auto g16 = snark::groth16_prove(key, vc.cs);
  const auto t3 = std::chrono::steady_clock::now();
  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::printf("cnn_digits wrapped: circuit %zu constraints built in %.2f s, TEST-ONLY setup %.2f s, Groth16 proof %.2f s\n",
              vc.cs.num_constraints(), secs(t0, t1), secs(t1, t2), secs(t2, t3));
  const auto& pub = vc.cs.public_values();
  EXPECT_TRUE(snark::groth16_verify(key.vk, pub, g16));
  auto other = pub;
  other[0] += Fr::one();
  EXPECT_FALSE(snark::groth16_verify(key.vk, other, g16));
  other = pub;
  other.back() += Fr::one();
  EXPECT_FALSE(snark::groth16_verify(key.vk, other, g16));
}


// ---- the wrapped proof (proof/wrapped.h) ----

struct Wrapped {
  const Case* c;
  std::vector<uint8_t> inner;
  WrapProvingKey pk;
  WrappedProof proof;
};

// A TEST-ONLY wrapping key (every Groth16 secret known) from one proof, and a wrapped second proof.
const Wrapped& wrapped_mlp() {
  static const Wrapped w = [] {
    TestRng rng(test_seed() + 7);
    Wrapped x;
    x.c = &mlp();
    const auto sample = prove(x.c->model, x.c->pk, x.c->trace, pcs::random_fr(rng));
    x.pk = wrap_setup_insecure(x.c->model, x.c->pk.vk, sample, pcs::random_fr(rng));  // TEST ONLY
    x.inner = prove(x.c->model, x.c->pk, x.c->trace, pcs::random_fr(rng));
    WrapStats st;
    x.proof = wrap_prove(x.c->model, x.c->pk.vk, x.pk, x.inner, {}, &st);
    std::printf("mlp_digits wrapped: %zu constraints, circuit %.2f s, Groth16 proof %.2f s; wrapped proof %zu bytes, %zu public inputs\n",
                st.constraints, st.circuit_s, st.groth16_s, x.proof.to_bytes().size(), x.pk.vk.num_public());
    return x;
  }();
  return w;
}

TEST(Wrapped, HonestProofVerifiesThroughItsBytes) {
  SCOPED_TRACE(seed_note());
  const Wrapped& w = wrapped_mlp();
  const Case& c = *w.c;
  const WrapVerifyingKey& wvk = w.pk.vk;
  EXPECT_EQ(wvk.vk_digest, c.pk.vk.digest());
  EXPECT_EQ(wvk.num_public(), wvk.groth16.num_public());
  EXPECT_EQ(wvk.output_values, c.trace.values[c.model.graph.outputs[0]].data.size());
  EXPECT_EQ(wvk.input_values, 0u);  // the default visibility: a private input
  std::vector<ops::ITensor> outs;
  const Verdict v = verify_wrapped(c.model, c.pk.vk, wvk, w.proof, &outs);
  ASSERT_TRUE(v) << v.reason();
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_EQ(outs[0].data, c.trace.values[c.model.graph.outputs[0]].data);
  // Through the files' bytes.
  const auto kb = wvk.to_bytes(), pb = w.proof.to_bytes();
  const WrapVerifyingKey wvk2 = WrapVerifyingKey::from_bytes(kb);
  const WrappedProof p2 = WrappedProof::from_bytes(pb);
  EXPECT_EQ(wvk2.to_bytes(), kb);
  EXPECT_EQ(p2.to_bytes(), pb);
  EXPECT_TRUE(verify_wrapped(c.model, c.pk.vk, wvk2, p2));
  const WrapProvingKey pk2 = WrapProvingKey::from_bytes(w.pk.to_bytes());
  EXPECT_EQ(pk2.vk.to_bytes(), kb);
  // Another inner proof of the same inference, wrapped under the same key: accepted, and its
  // opening's value V differs (the mask makes it random).
  TestRng rng(test_seed() + 8);
  const auto inner2 = prove(c.model, c.pk, c.trace, pcs::random_fr(rng));
  const WrappedProof q = wrap_prove(c.model, c.pk.vk, pk2, inner2);
  EXPECT_TRUE(verify_wrapped(c.model, c.pk.vk, wvk, q));
  EXPECT_NE(q.value, w.proof.value);
  // Truncated and extended bytes are decode errors.
  EXPECT_THROW((void)WrappedProof::from_bytes(std::span<const uint8_t>(pb).first(pb.size() - 1)), DecodeError);
  auto longer = pb;
  longer.push_back(0);
  EXPECT_THROW((void)WrappedProof::from_bytes(longer), DecodeError);
  EXPECT_THROW((void)WrapVerifyingKey::from_bytes(std::span<const uint8_t>(kb).first(kb.size() - 1)), DecodeError);
}

TEST(Wrapped, ChangedPartsAreRejected) {
  SCOPED_TRACE(seed_note());
  const Wrapped& w = wrapped_mlp();
  const Case& c = *w.c;
  const WrapVerifyingKey& wvk = w.pk.vk;
  auto rejected = [&](const WrappedProof& p, const std::string& what) {
    const Verdict v = verify_wrapped(c.model, c.pk.vk, wvk, p);
    EXPECT_FALSE(v.ok()) << what << " accepted";
    EXPECT_FALSE(v.reason().empty()) << what;
  };
  const Fr one = Fr::one();
  {
    WrappedProof p = w.proof;
    p.outputs[0][3] += 1;
    rejected(p, "a changed output");
  }
  {
    WrappedProof p = w.proof;
    p.outputs[0][0] = int64_t{1} << 62;
    rejected(p, "an output past its bit bound");
  }
  const curve::G1Affine g2 = (curve::G1::generator() + curve::G1::generator()).to_affine();
  for (size_t k : {size_t{0}, w.proof.commitments.size() / 2, w.proof.commitments.size() - 2, w.proof.commitments.size() - 1}) {
    WrappedProof p = w.proof;
    p.commitments[k] = g2;
    rejected(p, "commitment " + std::to_string(k) + " changed");
  }
  for (size_t i : {size_t{0}, w.proof.rho.size() - 1}) {
    WrappedProof p = w.proof;
    p.rho[i] += one;
    rejected(p, "rho " + std::to_string(i) + " changed");
  }
  for (Fr WrappedProof::*f : {&WrappedProof::gamma, &WrappedProof::value, &WrappedProof::seed}) {
    WrappedProof p = w.proof;
    p.*f += one;
    rejected(p, "gamma, V or the seed changed");
  }
  {
    WrappedProof p = w.proof;
    p.opening.groups[0].evals[0][1] += one;
    rejected(p, "a batch-proof evaluation changed");
  }
  {
    WrappedProof p = w.proof;
    p.opening.witness[0] = g2;
    rejected(p, "the batch proof's witness changed");
  }
  {
    WrappedProof p = w.proof;
    std::swap(p.groth16.a, p.groth16.c);
    rejected(p, "the Groth16 proof changed");
  }
  {
    // Another proof's commitments with this proof's Groth16 proof and opening.
    TestRng rng(test_seed() + 9);
    const WrappedProof q = wrap_prove(c.model, c.pk.vk, w.pk, prove(c.model, c.pk, c.trace, pcs::random_fr(rng)));
    WrappedProof p = w.proof;
    p.commitments = q.commitments;
    rejected(p, "another proof's commitments");
    p = w.proof;
    p.opening = q.opening;
    rejected(p, "another proof's opening");
  }
  // The wrapping key of another verifying key (cnn_digits') is refused, for verify and for wrap.
  WrapVerifyingKey other = wvk;
  other.vk_digest = cnn().pk.vk.digest();
  EXPECT_FALSE(verify_wrapped(c.model, c.pk.vk, other, w.proof).ok());
  EXPECT_FALSE(verify_wrapped(cnn().model, cnn().pk.vk, wvk, w.proof).ok());
  // A proof that does not verify is not wrapped (the reason named).
  auto bad = w.inner;
  bad[testing::kFirstOutputByte] ^= 0x01;
  try {
    (void)wrap_prove(c.model, c.pk.vk, w.pk, bad);
    ADD_FAILURE() << "a rejected proof was wrapped";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not verify"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace zkinfer::proof
