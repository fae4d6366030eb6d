#include "proof/key_constants.h"

#include <string>

#include "common/bytes.h"
#include "layers/contract.h"
#include "layers/layout.h"
#include "layers/rescale.h"
#include "pcs/kzg.h"
#include "pcs/kzg_scheme.h"
#include "poly/mle.h"
#include "transcript/transcript.h"

namespace zkinfer::proof {

namespace {

// The transcript of tensor t's opening: the key's statement digest (every commitment of the key),
// then the tensor's id; the point is drawn after both.
transcript::Transcript constant_transcript(const VerifyingKey& vk, std::span<const uint8_t> statement, size_t t) {
  transcript::Transcript tr(kKeyConstantsDomain, vk.transcript_encoding());
  tr.absorb_bytes("vk.statement", statement);
  tr.absorb_u64("vk.constant", static_cast<uint64_t>(t));
  return tr;
}

std::vector<Fr> constant_table(const quant::CompiledModel& m, int t) {
  return layers::padded_table(shape_of(m, t), m.qconst[t].data);
}

}  // namespace

Fr padded_mle_eval_i64(const layers::PaddedShape& s, std::span<const int64_t> values, std::span<const Fr> point) {
  ZKINFER_CHECK(values.size() == s.unpadded_size() && point.size() == s.num_vars());
  const size_t k = s.rank();
  if (k == 0) return Fr::from_i64(values[0]);
  const auto& dims = s.dims();
  // The padded table's entry at (i_0, .., i_{k-1}) has flat index sum_d i_d 2^offset_d (the last
  // dimension lowest), so eq(point, index) = prod_d eq_d(i_d) with eq_d the eq table of dimension
  // d's own coordinates: padding entries are zero and never visited. The weights of the last
  // dimensions (inner, B unpadded entries, at least 16 where the tensor has them) and of the
  // leading ones (outer, one per row of B values) are built as products of the eq_d over unpadded
  // indices only; the rows are contracted with small-integer arithmetic (layers::detail,
  // contract_last_i64: a 4 x 1 limb product per value, one reduction per row).
  auto weights = [&](size_t d0, size_t d1) {  // prod_{d0 <= d < d1} eq_d(i_d), row-major over dims[d0..d1)
    std::vector<Fr> w{Fr::one()};
    for (size_t d = d0; d < d1; ++d) {
      const auto e = poly::eq_table<Fr>(point.subspan(s.offsets()[d], s.log_sizes()[d]));
      std::vector<Fr> next;
      next.reserve(w.size() * dims[d]);
      for (const Fr& a : w)
        for (size_t i = 0; i < dims[d]; ++i) next.push_back(a * e[i]);
      w = std::move(next);
    }
    return w;
  };
  size_t c = k, block = 1;  // inner dimensions [c, k)
  while (c > 0 && block < 16) block *= dims[--c];
  const std::vector<Fr> inner = weights(c, k);
  const size_t rows = values.size() / block;
  std::vector<Fr> sums(rows);
  layers::detail::contract_last_i64(values.data(), rows, block, inner, sums.data());
  const std::vector<Fr> outer = weights(0, c);
  ZKINFER_CHECK(outer.size() == rows);
  Fr v = Fr::zero();
  for (size_t r = 0; r < rows; ++r) v += outer[r] * sums[r];
  return v;
}

bool key_commits_constant(const quant::CompiledModel& m, Backend backend, uint32_t version, int t) {
  if (backend != Backend::kKzg || version < kKeyVersionKzgV7) return false;
  if (t < 0 || static_cast<size_t>(t) >= m.graph.tensors.size() || !verifier_evaluates(m, t)) return false;
  const layers::PaddedShape s = shape_of(m, t);
  return s.num_vars() >= kKeyConstantMinVars && m.qconst[t].data.size() == s.unpadded_size();
}

size_t key_constant_max_vars(const quant::CompiledModel& m) {
  size_t nv = 0;
  for (size_t t = 0; t < m.graph.tensors.size(); ++t)
    if (key_commits_constant(m, Backend::kKzg, kKeyVersionKzg, static_cast<int>(t)))
      nv = std::max(nv, shape_of(m, static_cast<int>(t)).num_vars());
  return nv;
}

size_t key_constant_count(const quant::CompiledModel& m) {
  size_t n = 0;
  for (size_t t = 0; t < m.graph.tensors.size(); ++t)
    n += key_commits_constant(m, Backend::kKzg, kKeyVersionKzg, static_cast<int>(t));
  return n;
}

void commit_key_constants(const quant::CompiledModel& m, VerifyingKey& vk, const pcs::Scheme& scheme,
                          const std::function<void()>& progress) {
  for (size_t t = 0; t < m.graph.tensors.size(); ++t) {
    const int ti = static_cast<int>(t);
    if (!key_commits_constant(m, vk, ti)) continue;
    if (progress) progress();
    const auto vals = layers::detail::padded_i64(shape_of(m, ti), m.qconst[t].data);
    // Public values: no blind (the prover opens it with rho = 0: an empty blind list in the pk).
    // One commitment whatever the key's weight layout (kzg version 9 puts weights in rows; a
    // constant is shaped as a proof's vector: check_key_commitments).
    vk.weights[t] = scheme.commit(vals, pcs::Use::kProof, {Fr::zero()}).commitment;
  }
}

std::vector<uint8_t> prove_key_constants(const quant::CompiledModel& m, const VerifyingKey& vk, const pcs::RandomFr& random) {
  ByteWriter w;
  if (!vk.kzg) return w.data();
  const auto statement = vk.statement_digest();
  const pcs::KzgBlinds zero{Fr::zero()};
  for (size_t t = 0; t < m.graph.tensors.size(); ++t) {
    const int ti = static_cast<int>(t);
    if (!key_commits_constant(m, vk, ti)) continue;
    const pcs::KzgCommitment* c = vk.weights[t] ? pcs::KzgScheme::as_kzg(*vk.weights[t]) : nullptr;
    if (c == nullptr) throw Error("setup: constant " + m.graph.tensors[t].name + " has no kzg commitment");
    auto tr = constant_transcript(vk, statement, t);
    const auto table = constant_table(m, ti);
    auto z = tr.challenges<Fr>("vk.constant_point", c->num_vars);
    const Fr v = mle_eval(table, z);
    const pcs::KzgOpeningWitness item{c, &zero, table, std::move(z), pcs::ProverClaim::plain(v)};
    pcs::prove_batch(*vk.kzg, std::span<const pcs::KzgOpeningWitness>(&item, 1), tr, random).serialize(w);
  }
  return w.data();
}

Verdict verify_key_constants(const quant::CompiledModel& m, const VerifyingKey& vk) {
  bool any = false;
  for (size_t t = 0; t < m.graph.tensors.size(); ++t) any = any || key_commits_constant(m, vk, static_cast<int>(t));
  if (!any) {
    if (!vk.constant_openings.empty())
      return Verdict::reject(Failure::kKey, "vk: constant openings, but the key commits to no constant");
    return Verdict::accept();
  }
  if (!vk.kzg) return Verdict::reject(Failure::kKey, "vk: a kzg key without its SRS");
  const auto statement = vk.statement_digest();
  ByteReader r(vk.constant_openings, "the key's constant openings");
  for (size_t t = 0; t < m.graph.tensors.size(); ++t) {
    const int ti = static_cast<int>(t);
    if (!key_commits_constant(m, vk, ti)) continue;
    const std::string why = "vk: commitment of constant " + m.graph.tensors[t].name + " does not match its values";
    const pcs::KzgCommitment* c = vk.weights[t] ? pcs::KzgScheme::as_kzg(*vk.weights[t]) : nullptr;
    if (c == nullptr || c->num_vars != shape_of(m, ti).num_vars())
      return Verdict::reject(Failure::kKey, "vk: constant " + m.graph.tensors[t].name + " has no commitment of its size");
    auto tr = constant_transcript(vk, statement, t);
    auto z = tr.challenges<Fr>("vk.constant_point", c->num_vars);
    const Fr v = padded_mle_eval_i64(shape_of(m, ti), m.qconst[t].data, z);
    pcs::KzgBatchProof proof;
    try {
      proof = pcs::KzgBatchProof::deserialize(r, vk.kzg->form());
    } catch (const std::exception& e) {
      return Verdict::reject(Failure::kKey, why + " (its opening does not decode: " + e.what() + ")");
    }
    const pcs::KzgOpeningClaim item{c, std::move(z), pcs::EvalClaim::plain(v)};
    if (Verdict ok = pcs::verify_batch(*vk.kzg, std::span<const pcs::KzgOpeningClaim>(&item, 1), proof, tr); !ok)
      return Verdict::reject(Failure::kKey, why + " (" + ok.reason() + ")");
  }
  if (r.remaining() != 0) return Verdict::reject(Failure::kKey, "vk: bytes after the constants' openings");
  return Verdict::accept();
}

}  // namespace zkinfer::proof
