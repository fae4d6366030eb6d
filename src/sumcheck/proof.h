// The sumcheck proof and the one place where sumcheck messages meet the transcript.
//
// Messages, in order (docs/protocol/sumcheck.md has the full protocol):
//   statement   absorbed by both sides first: n, degree d, the term coefficients, the claim;
//   round i     the round polynomial p_i as its values at 0..d (RoundMessage), absorbed, then
//               the challenge r_i is drawn;
//   final       the factor values f_j(r_0..r_{n-1}), absorbed after the last challenge, so
//               that anything the caller draws next depends on them.
// A zero-knowledge variant replaces RoundMessage by a commitment and the functions below by
// their committed counterparts; provers and verifiers touch the transcript only through them.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "field/concept.h"
#include "sumcheck/composition.h"
#include "transcript/transcript.h"

namespace zkinfer::sumcheck {

// Field elements in proofs: canonical little-endian bytes; non-canonical input is a DecodeError.
template <field::PrimeField F>
void write_field(ByteWriter& w, const F& x) {
  auto b = x.to_bytes();
  w.bytes(std::span<const uint8_t>(b.data(), b.size()));
}
template <field::PrimeField F>
F read_field(ByteReader& r) {
  auto v = F::from_bytes(r.bytes(F::kBytes));
  if (!v) r.fail("non-canonical field element");
  return *v;
}

// One round's message: the round polynomial's values at 0, 1, ..., d.
template <field::PrimeField F>
struct RoundMessage {
  std::vector<F> evals;
};

template <field::PrimeField F>
struct Proof {
  std::vector<RoundMessage<F>> rounds;  // n rounds
  std::vector<F> final_evals;           // one per factor

  // Fixed layout (the verifier knows n, d and the number of factors): no length prefixes.
  void serialize(ByteWriter& w) const {
    for (const auto& m : rounds)
      for (const F& e : m.evals) write_field(w, e);
    for (const F& e : final_evals) write_field(w, e);
  }
  static Proof deserialize(ByteReader& r, size_t num_vars, size_t degree, size_t num_factors) {
    Proof p;
    p.rounds.resize(num_vars);
    for (auto& m : p.rounds) {
      m.evals.resize(degree + 1);
      for (F& e : m.evals) e = read_field<F>(r);
    }
    p.final_evals.resize(num_factors);
    for (F& e : p.final_evals) e = read_field<F>(r);
    return p;
  }
  static size_t serialized_size(size_t num_vars, size_t degree, size_t num_factors) {
    return (num_vars * (degree + 1) + num_factors) * F::kBytes;
  }
};

// Transcript labels of the sumcheck sub-protocol.
inline constexpr std::string_view kLabelNumVars = "sumcheck.num_vars";
inline constexpr std::string_view kLabelDegree = "sumcheck.degree";
inline constexpr std::string_view kLabelCoeffs = "sumcheck.coeffs";
inline constexpr std::string_view kLabelClaim = "sumcheck.claim";
inline constexpr std::string_view kLabelRound = "sumcheck.round";
inline constexpr std::string_view kLabelChallenge = "sumcheck.challenge";
inline constexpr std::string_view kLabelFinal = "sumcheck.final_evals";

// Binds the statement: shape, term coefficients and the claimed sum.
template <field::PrimeField F>
void absorb_statement(transcript::Transcript& t, size_t num_vars, const Composition<F>& comp, const F& claim) {
  t.absorb_u64(kLabelNumVars, num_vars);
  t.absorb_u64(kLabelDegree, comp.degree());
  std::vector<F> coeffs;
  coeffs.reserve(comp.terms().size());
  for (const auto& term : comp.terms()) coeffs.push_back(term.coeff);
  t.absorb_many(kLabelCoeffs, coeffs);
  t.absorb(kLabelClaim, claim);
}

// Absorbs one round message and draws that round's challenge.
template <field::PrimeField F>
F absorb_round(transcript::Transcript& t, const RoundMessage<F>& m) {
  t.absorb_many(kLabelRound, m.evals);
  return t.challenge<F>(kLabelChallenge);
}

template <field::PrimeField F>
void absorb_final(transcript::Transcript& t, std::span<const F> final_evals) {
  t.absorb_many(kLabelFinal, final_evals);
}

}  // namespace zkinfer::sumcheck
