#include "snark/poseidon_gadget.h"

#include "common/check.h"
#include "common/error.h"
#include "transcript/poseidon_transcript.h"

namespace zkinfer::snark {

Num poseidon_sbox(ConstraintSystem& cs, const Num& x) {
  Num x2 = cs.square(x);
  Num x4 = cs.square(x2);
  return cs.mul(x4, x);
}

void poseidon_permute(ConstraintSystem& cs, const hash::PoseidonParams& p, std::span<Num> s) {
  const size_t t = p.t;
  ZKINFER_CHECK(s.size() == t);
  std::vector<Num> next(t);
  for (size_t r = 0; r < p.rounds(); ++r) {
    for (size_t i = 0; i < t; ++i) s[i] += Num(p.rc(r, i));
    if (p.is_full_round(r)) {
      for (size_t i = 0; i < t; ++i) s[i] = poseidon_sbox(cs, s[i]);
    } else {
      s[0] = poseidon_sbox(cs, s[0]);
    }
    for (size_t i = 0; i < t; ++i) {
      Num acc = s[0] * p.m(i, 0);
      for (size_t j = 1; j < t; ++j) acc += s[j] * p.m(i, j);
      next[i] = std::move(acc);
    }
    for (size_t i = 0; i < t; ++i) s[i] = next[i];
  }
}

void poseidon_permute(ConstraintSystem& cs, const hash::PoseidonOptimized& o, std::span<Num> s) {
  const size_t t = o.t, h = o.full_rounds / 2;
  ZKINFER_CHECK(s.size() == t);
  std::vector<Num> next(t);
  auto full = [&](const Fr* c, const std::vector<Fr>& m) {
    for (size_t i = 0; i < t; ++i) s[i] = poseidon_sbox(cs, s[i] + Num(c[i]));
    for (size_t i = 0; i < t; ++i) {
      Num acc = s[0] * m[i * t];
      for (size_t j = 1; j < t; ++j) acc += s[j] * m[i * t + j];
      next[i] = std::move(acc);
    }
    for (size_t i = 0; i < t; ++i) s[i] = next[i];
  };
  const Fr* c = o.full_constants.data();
  for (size_t r = 0; r < h; ++r, c += t) full(c, r + 1 == h ? o.m_pre : o.m);
  const Fr* sp = o.sparse.data();
  for (size_t r = 0; r < o.partial_rounds; ++r, sp += 2 * t - 1) {
    s[0] = poseidon_sbox(cs, s[0] + Num(o.partial_constants[r]));
    Num s0 = s[0] * sp[0];
    for (size_t j = 1; j < t; ++j) s0 += s[j] * sp[j];
    for (size_t i = 1; i < t; ++i) s[i] += s[0] * sp[t - 1 + i];
    s[0] = std::move(s0);
  }
  for (size_t r = 0; r < h; ++r, c += t) full(c, o.m);
}

size_t poseidon_permutation_constraints(const hash::PoseidonParams& p) {
  return 3 * (p.full_rounds * p.t + p.partial_rounds);
}

SpongeGadget::SpongeGadget(ConstraintSystem& cs, size_t t, const Fr& capacity_init)
    : hash::DuplexSponge<Num>(t, Num(capacity_init), [&cs, o = &hash::poseidon_optimized(t)](std::span<Num> s) {
        poseidon_permute(cs, *o, s);
      }) {}

Num poseidon_circom_hash(ConstraintSystem& cs, std::span<const Num> inputs) {
  ZKINFER_CHECK(!inputs.empty() && inputs.size() + 1 <= hash::kPoseidonMaxWidth);
  std::vector<Num> s(inputs.size() + 1);
  for (size_t i = 0; i < inputs.size(); ++i) s[i + 1] = inputs[i];
  poseidon_permute(cs, hash::poseidon_optimized(s.size()), s);
  return s[0];
}

using transcript::PoseidonTranscript;

CircuitTranscript::CircuitTranscript(ConstraintSystem& cs, std::string_view domain, size_t width)
    : sponge_(cs, width, PoseidonTranscript::initial_capacity(width)) {
  sponge_.absorb(Num(PoseidonTranscript::label(domain)));
}

void CircuitTranscript::absorb(std::string_view label, const Num& x) {
  sponge_.absorb(Num(PoseidonTranscript::label(label)));
  sponge_.absorb(x);
}

void CircuitTranscript::absorb_many(std::string_view label, std::span<const Num> xs) {
  sponge_.absorb(Num(PoseidonTranscript::label(label)));
  sponge_.absorb(Num(Fr::from_u64(xs.size())));
  for (const Num& x : xs) sponge_.absorb(x);
}

void CircuitTranscript::absorb_u64(std::string_view label, uint64_t v) {
  sponge_.absorb(Num(PoseidonTranscript::label(label)));
  sponge_.absorb(Num(Fr::from_u64(v)));
}

void CircuitTranscript::absorb_fq_limbs(std::string_view label, const std::array<Num, 2>& limbs) {
  sponge_.absorb(Num(PoseidonTranscript::label(label)));
  for (const Num& x : limbs) sponge_.absorb(x);
}

void CircuitTranscript::absorb_g1_limbs(std::string_view label, const std::array<Num, 4>& limbs) {
  sponge_.absorb(Num(PoseidonTranscript::label(label)));
  for (const Num& x : limbs) sponge_.absorb(x);
}

Num CircuitTranscript::challenge(std::string_view label) {
  sponge_.absorb(Num(PoseidonTranscript::label(label)));
  return sponge_.squeeze();
}

std::vector<Num> CircuitTranscript::challenges(std::string_view label, size_t n) {
  sponge_.absorb(Num(PoseidonTranscript::label(label)));
  sponge_.absorb(Num(Fr::from_u64(n)));
  std::vector<Num> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(sponge_.squeeze());
  return out;
}

void CircuitTranscript::absorb_raw(std::span<const Num> xs) {
  for (const Num& x : xs) sponge_.absorb(x);
}

namespace {
ConstraintSystem& current_system() {
  ConstraintSystem* cs = CircuitScope::current();
  if (cs == nullptr) throw Error("PoseidonCircuitSponge: made outside a CircuitScope (no constraint system)");
  return *cs;
}
}  // namespace

PoseidonCircuitSponge::PoseidonCircuitSponge(size_t width)
    : sponge_(current_system(), width, transcript::PoseidonFieldSponge::field_sponge_capacity(width)) {}

}  // namespace zkinfer::snark
