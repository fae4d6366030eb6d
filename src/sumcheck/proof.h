// The sumcheck proof and the one place where sumcheck messages meet the transcript.
//
// Messages, in order (docs/protocol/sumcheck.md has the full protocol):
//   statement   absorbed by both sides first: n, degree d, the term coefficients (the claim is
//               the caller's, already bound to the transcript);
//   round i     the round polynomial p_i as its values at 0, 2, 3, ..., d (RoundMessage; p(1) is
//               the running claim minus p(0)), absorbed, then the challenge r_i is drawn;
//   final       the factor values f_j(r_0..r_{n-1}), absorbed after the last challenge, so
//               that anything the caller draws next depends on them.
// Over Fr every sent value is a cp::Val: in the clear in plain mode, a Pedersen commitment in
// zero-knowledge mode, with the verifier's checks proven on the commitments (zk/cp.h). Provers
// and verifiers touch the transcript only through the functions below.
#pragma once

#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include "common/bytes.h"
#include "field/concept.h"
#include "sumcheck/composition.h"
#include "transcript/transcript.h"
#include "zk/cp.h"

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

// A sent value: over Fr a cp::Val (plain: the value; zero-knowledge: a commitment, zk/cp.h);
// over other fields (tests) the field element itself.
template <class F>
using Msg = std::conditional_t<std::is_same_v<F, field::Fr>, cp::Val, F>;

// Sending: in the mode of the transcript's session (zk/session.h).
template <class F>
Msg<F> send_msg(const transcript::Transcript& t, const F& x) {
  if constexpr (std::is_same_v<F, field::Fr>) {
    return cp::send(t, x);
  } else {
    return x;
  }
}
template <class F>
std::vector<Msg<F>> send_msgs(const transcript::Transcript& t, std::span<const F> xs) {
  if constexpr (std::is_same_v<F, field::Fr>) {
    return cp::send_many(t, xs);
  } else {
    return std::vector<F>(xs.begin(), xs.end());
  }
}
template <class F>
void write_msg(ByteWriter& w, const Msg<F>& x) {
  if constexpr (std::is_same_v<F, field::Fr>) {
    cp::write(w, x);
  } else {
    write_field(w, x);
  }
}
// Reading: in the mode of the reader's session.
template <class F>
Msg<F> read_msg(ByteReader& r) {
  if constexpr (std::is_same_v<F, field::Fr>) {
    return cp::read(r);
  } else if constexpr (std::is_same_v<F, snark::CFr>) {
    // The verifier as a circuit (docs/protocol/wrap.md section 3): every message is a new witness
    // variable holding the plain proof's value, never a constant (the circuit must not depend on it).
    return snark::CFr::witness(cp::read(r).value());
  } else {
    return read_field<F>(r);
  }
}
template <class F>
constexpr size_t msg_bytes() {
  if constexpr (std::is_same_v<F, field::Fr>) {
    return cp::kMessageBytes;
  } else {
    return F::kBytes;
  }
}

// The values of plain-mode messages (tests, diagnostics).
template <class F>
std::vector<F> msg_values(std::span<const Msg<F>> xs) {
  if constexpr (std::is_same_v<F, field::Fr>) {
    return cp::values(xs);
  } else {
    return std::vector<F>(xs.begin(), xs.end());
  }
}
template <class F>
std::vector<F> msg_values(const std::vector<Msg<F>>& xs) {
  return msg_values<F>(std::span<const Msg<F>>(xs));
}

// One round's message: the round polynomial's values at 0, 2, 3, ..., d (d values). p(1) is not
// sent: it is the running claim minus p(0), in every round.
template <field::PrimeField F>
struct RoundMessage {
  std::vector<Msg<F>> evals;
};

template <field::PrimeField F>
struct Proof {
  std::vector<RoundMessage<F>> rounds;  // n rounds
  std::vector<Msg<F>> final_evals;      // one per factor

  // Fixed layout (the verifier knows n, the values per round and the number of factors): no length
  // prefixes. Values per round: d for prove(), d - 1 for prove_with_eq().
  void serialize(ByteWriter& w) const {
    for (const auto& m : rounds)
      for (const auto& e : m.evals) write_msg<F>(w, e);
    for (const auto& e : final_evals) write_msg<F>(w, e);
  }
  static Proof deserialize(ByteReader& r, size_t num_vars, size_t per_round, size_t num_factors) {
    Proof p;
    p.rounds.resize(num_vars);
    for (auto& m : p.rounds) {
      m.evals.reserve(per_round);
      for (size_t i = 0; i < per_round; ++i) m.evals.push_back(read_msg<F>(r));
    }
    p.final_evals.reserve(num_factors);
    for (size_t i = 0; i < num_factors; ++i) p.final_evals.push_back(read_msg<F>(r));
    return p;
  }
  static size_t serialized_size(size_t num_vars, size_t per_round, size_t num_factors) {
    return (num_vars * per_round + num_factors) * msg_bytes<F>();
  }
};

// Transcript labels of the sumcheck sub-protocol.
inline constexpr std::string_view kLabelNumVars = "sumcheck.num_vars";
inline constexpr std::string_view kLabelDegree = "sumcheck.degree";
inline constexpr std::string_view kLabelCoeffs = "sumcheck.coeffs";
inline constexpr std::string_view kLabelRound = "sumcheck.round";
inline constexpr std::string_view kLabelChallenge = "sumcheck.challenge";
inline constexpr std::string_view kLabelFinal = "sumcheck.final_evals";

// Binds the statement: shape and term coefficients. The claimed sum is not absorbed: callers
// derive it from values already bound to the transcript (claims absorbed by the layer, earlier
// messages), and in zero-knowledge mode it is a committed value (zk/cp.h).
template <field::PrimeField F>
void absorb_statement(transcript::Transcript& t, size_t num_vars, const Composition<F>& comp) {
  t.absorb_u64(kLabelNumVars, num_vars);
  t.absorb_u64(kLabelDegree, comp.degree());
  std::vector<F> coeffs;
  coeffs.reserve(comp.terms().size());
  for (const auto& term : comp.terms()) coeffs.push_back(term.coeff);
  t.absorb_many(kLabelCoeffs, coeffs);
}

// Absorbs one round message and draws that round's challenge.
template <field::PrimeField F>
F absorb_round(transcript::Transcript& t, const RoundMessage<F>& m) {
  t.absorb_many(kLabelRound, m.evals);
  return t.challenge<F>(kLabelChallenge);
}

template <field::PrimeField F>
void absorb_final(transcript::Transcript& t, std::span<const Msg<F>> final_evals) {
  t.absorb_many(kLabelFinal, final_evals);
}

}  // namespace zkinfer::sumcheck
