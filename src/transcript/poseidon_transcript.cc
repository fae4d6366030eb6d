#include "transcript/poseidon_transcript.h"

#include <map>
#include <mutex>
#include <string>

namespace zkinfer::transcript {

Fr PoseidonTranscript::label(std::string_view l) {
  static std::mutex mu;
  static std::map<std::string, Fr, std::less<>> cache;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache.find(l); it != cache.end()) return it->second;
  }
  Fr v = hash::poseidon_label(l);
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() < 4096) cache.emplace(std::string(l), v);
  return v;
}

Fr PoseidonTranscript::initial_capacity(size_t width) {
  return label(std::string(kPoseidonProtocolVersion) + "/t=" + std::to_string(width));
}

Fr PoseidonFieldSponge::field_sponge_capacity(size_t width) {
  return PoseidonTranscript::label(std::string(kProtocolVersionField) + "/poseidon/t=" + std::to_string(width));
}

PoseidonTranscript::PoseidonTranscript(std::string_view domain, size_t width)
    : sponge_(width, initial_capacity(width)) {
  sponge_.absorb(label(domain));
}

std::array<Fr, 2> PoseidonTranscript::fq_limbs(const Fq& x) {
  field::Limbs<4> c = x.to_canonical();
  field::Limbs<4> lo = {c[0], c[1] & ((uint64_t{1} << 63) - 1), 0, 0};
  field::Limbs<4> hi = {(c[1] >> 63) | (c[2] << 1), (c[2] >> 63) | (c[3] << 1), c[3] >> 63, 0};
  return {Fr::from_canonical(lo), Fr::from_canonical(hi)};
}

std::array<Fr, 4> PoseidonTranscript::g1_limbs(const curve::G1Affine& p) {
  if (p.is_identity()) return {Fr::zero(), Fr::zero(), Fr::zero(), Fr::zero()};
  auto x = fq_limbs(p.x), y = fq_limbs(p.y);
  return {x[0], x[1], y[0], y[1]};
}

void PoseidonTranscript::absorb(std::string_view l, const Fr& x) {
  sponge_.absorb(label(l));
  sponge_.absorb(x);
}

void PoseidonTranscript::absorb_many(std::string_view l, std::span<const Fr> xs) {
  sponge_.absorb(label(l));
  sponge_.absorb(Fr::from_u64(xs.size()));
  for (const Fr& x : xs) sponge_.absorb(x);
}

void PoseidonTranscript::absorb_u64(std::string_view l, uint64_t v) {
  sponge_.absorb(label(l));
  sponge_.absorb(Fr::from_u64(v));
}

void PoseidonTranscript::absorb_fq(std::string_view l, const Fq& x) {
  sponge_.absorb(label(l));
  for (const Fr& limb : fq_limbs(x)) sponge_.absorb(limb);
}

void PoseidonTranscript::absorb_g1(std::string_view l, const curve::G1Affine& p) {
  sponge_.absorb(label(l));
  for (const Fr& limb : g1_limbs(p)) sponge_.absorb(limb);
}

Fr PoseidonTranscript::challenge(std::string_view l) {
  sponge_.absorb(label(l));
  return sponge_.squeeze();
}

std::vector<Fr> PoseidonTranscript::challenges(std::string_view l, size_t n) {
  sponge_.absorb(label(l));
  sponge_.absorb(Fr::from_u64(n));
  std::vector<Fr> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(sponge_.squeeze());
  return out;
}

void PoseidonTranscript::absorb_raw(std::span<const Fr> xs) {
  for (const Fr& x : xs) sponge_.absorb(x);
}

}  // namespace zkinfer::transcript
