#include "proof/wrap_opening.h"

#include <algorithm>

#include "common/check.h"
#include "curve/msm.h"
#include "hash/keccak.h"
#include "pcs/kzg_scheme.h"
#include "poly/mle.h"
#include "proof/driver.h"
#include "snark/cfr.h"
#include "zk/cp.h"

namespace zkinfer::proof::detail {

using curve::G1Affine;

Fr commitment_group_digest(std::span<const G1Affine> points) {
  std::vector<uint8_t> words;
  words.reserve(64 * points.size());
  for (const G1Affine& p : points) {
    std::array<uint8_t, 32> x{}, y{};
    if (!p.is_identity()) x = p.x.to_bytes(), y = p.y.to_bytes();
    words.insert(words.end(), x.rbegin(), x.rend());  // big-endian words
    words.insert(words.end(), y.rbegin(), y.rend());
  }
  return keccak_mod_r(words);
}

Fr keccak_mod_r(std::span<const uint8_t> bytes) {
  const auto d = hash::keccak256(bytes);
  std::array<uint8_t, 64> le{};  // the digest as a big-endian integer, little-endian, mod r
  for (size_t i = 0; i < 32; ++i) le[i] = d[31 - i];
  return Fr::from_uniform_bytes(le);
}

Fr commitment_group_digest(std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  std::vector<G1Affine> points;
  while (r.remaining() > 0) {
    const pcs::CommitmentPtr c = pcs::KzgScheme::read_any(r);
    const pcs::KzgCommitment* k = pcs::KzgScheme::as_kzg(*c);
    if (k == nullptr) r.fail("a wrappable proof's commitment is a row commitment");
    points.push_back(k->point);
  }
  return commitment_group_digest(points);
}

transcript::Transcript deferred_opening_transcript(const Fr& seed) {
  transcript::Transcript t(kDeferredOpeningDomain, transcript::Encoding::kV2);
  t.absorb("wrap.seed", seed);
  return t;
}

namespace {

// s_c = prod_{n_c <= j < N} (1 - rho_j): the widened vector's value is s_c F_c.
template <field::PrimeField F>
F pad_factor(std::span<const F> rho, size_t n) {
  F s = F::one();
  for (size_t j = n; j < rho.size(); ++j) s *= F::one() - rho[j];
  return s;
}

std::vector<pcs::ReductionClaim> reduction_claims(std::span<const pcs::OpenClaim> claims) {
  std::vector<pcs::ReductionClaim> out;
  out.reserve(claims.size());
  for (const auto& c : claims) out.push_back({c.com, c.point, c.value});
  return out;
}

const pcs::KzgCommitment& single(const pcs::Commitment& c) {
  const pcs::KzgCommitment* k = pcs::KzgScheme::as_kzg(c);
  if (k == nullptr) throw Error("wrap: a wrappable proof opens only single kzg commitments (no weight rows)");
  return *k;
}

}  // namespace

void prove_wrap_opening(const pcs::KzgParams& params, std::span<const pcs::Committed* const> coms,
                        std::span<const std::span<const Fr>> tables, std::span<const pcs::OpenClaim> claims,
                        transcript::Transcript& tr, ByteWriter& w, const pcs::RandomFr& random) {
  ZKINFER_CHECK(coms.size() == tables.size() && !coms.empty());
  size_t N = 0;
  for (const pcs::Committed* c : coms) N = std::max(N, c->commitment->num_vars());
  if (N > params.max_vars()) throw Error("wrap: the opening needs 2^" + std::to_string(N) + " powers of tau");
  // The mask g: 2^N random entries, committed with a blind, its own group.
  std::vector<Fr> g(size_t{1} << N);
  for (Fr& x : g) x = random();
  const Fr g_blind = random();
  const pcs::KzgCommitment mask = pcs::commit_with_blind(params, g, g_blind);
  ZKINFER_CHECK(mask.num_vars == N);
  mask.serialize(w);
  tr.absorb("proof.commitments", commitment_group_digest(std::span<const G1Affine>(&mask.point, 1)));
  const pcs::Reduced red = pcs::prove_reduction(tables, reduction_claims(claims), tr, w);
  const Fr m = poly::evaluate_mle<Fr>(g, red.rho);
  const cp::Val mv = cp::send(tr, m);
  tr.absorb("wrap.mask_value", mv);
  cp::write(w, mv);
  const Fr gamma = tr.challenge<Fr>("wrap.gamma");
  // The combined vector g + sum_c gamma^(c+1) f_c (each zero-padded to 2^N), its blind and its
  // commitment (the same combination of the points, as the verifier forms it), and V.
  std::vector<Fr> table = std::move(g);
  Fr blind = g_blind, value = m, gp = gamma;
  std::vector<G1Affine> points{mask.point};
  std::vector<Fr> scalars{Fr::one()};
  for (size_t c = 0; c < coms.size(); ++c) {
    const pcs::KzgCommitment& k = single(*coms[c]->commitment);
    ZKINFER_CHECK(tables[c].size() == size_t{1} << k.num_vars && coms[c]->blinds.size() == 1);
    for (size_t i = 0; i < tables[c].size(); ++i) table[i] += gp * tables[c][i];
    blind += gp * coms[c]->blinds[0];
    value += gp * pad_factor<Fr>(red.rho, k.num_vars) * red.evals[c].value();
    points.push_back(k.point);
    scalars.push_back(gp);
    gp *= gamma;
  }
  const pcs::KzgCommitment combined{static_cast<uint32_t>(N), curve::msm(points, scalars).to_affine()};
  const Fr seed = tr.challenge<Fr>("wrap.seed");
  transcript::Transcript back = deferred_opening_transcript(seed);
  const pcs::KzgBlinds kb{blind};
  const pcs::KzgOpeningWitness item{&combined, &kb, table, red.rho, pcs::ProverClaim::plain(value)};
  pcs::prove_batch(params, std::span<const pcs::KzgOpeningWitness>(&item, 1), back, random).serialize(w);
}

template <field::PrimeField F>
Verdict verify_wrap_front(std::span<const size_t> num_vars, std::span<const pcs::ReductionClaimT<F>> claims,
                          transcript::Transcript& tr, ByteReader& r, const std::function<F(const Fr&)>& digest,
                          WrapFrontT<F>* out) {
  ZKINFER_CHECK(out != nullptr);
  if (num_vars.empty()) return Verdict::reject(Failure::kOpening, "wrap opening: nothing to open");
  size_t N = 0;
  for (size_t n : num_vars) N = std::max(N, n);
  const pcs::CommitmentPtr mc = pcs::KzgScheme::read_any(r);
  const pcs::KzgCommitment* mask = pcs::KzgScheme::as_kzg(*mc);
  if (mask == nullptr || mask->num_vars != N)
    return Verdict::reject(Failure::kOpening, "wrap opening: the mask is not a kzg commitment of " + std::to_string(N) + " variables");
  out->mask = *mask;
  tr.absorb("proof.commitments", digest(commitment_group_digest(std::span<const G1Affine>(&mask->point, 1))));
  pcs::ReducedT<F> red;
  if (Verdict v = pcs::verify_reduction_as<F>(num_vars, claims, tr, r, &red); !v) return v.classified(Failure::kOpening);
  const sumcheck::Msg<F> m = sumcheck::read_msg<F>(r);
  tr.absorb("wrap.mask_value", m);
  out->gamma = tr.challenge<F>("wrap.gamma");
  sumcheck::Msg<F> value = m;
  F gp = out->gamma;
  for (size_t c = 0; c < num_vars.size(); ++c) {
    value += red.evals[c] * (gp * pad_factor<F>(red.rho, num_vars[c]));
    gp *= out->gamma;
  }
  if constexpr (std::is_same_v<F, Fr>) {
    out->value = value.value();
  } else {
    out->value = value;
  }
  out->rho = std::move(red.rho);
  out->seed = tr.challenge<F>("wrap.seed");
  return Verdict::accept();
}
template Verdict verify_wrap_front<Fr>(std::span<const size_t>, std::span<const pcs::ReductionClaimT<Fr>>, transcript::Transcript&,
                                       ByteReader&, const std::function<Fr(const Fr&)>&, WrapFrontT<Fr>*);
template Verdict verify_wrap_front<snark::CFr>(std::span<const size_t>, std::span<const pcs::ReductionClaimT<snark::CFr>>,
                                               transcript::Transcript&, ByteReader&,
                                               const std::function<snark::CFr(const Fr&)>&, WrapFrontT<snark::CFr>*);

Verdict verify_wrap_back(const pcs::KzgParams& params, const G1Affine& mask, std::span<const G1Affine> points,
                         std::span<const Fr> rho, const Fr& gamma, const Fr& value, const Fr& seed,
                         const pcs::KzgBatchProof& proof) {
  if (rho.size() > params.max_vars())
    return Verdict::reject(Failure::kOpening, "wrap opening: a point of " + std::to_string(rho.size()) +
                                                  " variables exceeds the setup's " + std::to_string(params.max_vars()));
  std::vector<G1Affine> bases{mask};
  std::vector<Fr> scalars{Fr::one()};
  Fr gp = gamma;
  for (const G1Affine& p : points) {
    bases.push_back(p);
    scalars.push_back(gp);
    gp *= gamma;
  }
  const pcs::KzgCommitment combined{static_cast<uint32_t>(rho.size()), curve::msm(bases, scalars).to_affine()};
  transcript::Transcript back = deferred_opening_transcript(seed);
  const pcs::KzgOpeningClaim item{&combined, std::vector<Fr>(rho.begin(), rho.end()), pcs::EvalClaim::plain(value)};
  if (Verdict v = pcs::verify_batch(params, std::span<const pcs::KzgOpeningClaim>(&item, 1), proof, back); !v)
    return v.within("wrap opening").classified(Failure::kOpening);
  return Verdict::accept();
}

}  // namespace zkinfer::proof::detail
