// What a proof's code needs to know besides its bytes and its transcript: whether its messages are
// zero-knowledge (the commit-and-prove context, zk/cp.h) and whether its lookups join a model-wide
// LogUp batch (lookup/batch.h). The driver that owns a proof (the whole-model prover and verifier,
// the key's weight range proof, a test) makes one ProofSession and attaches it to the transcript
// it proves or verifies with (Transcript::set_session) and, verifier side, to the reader of the
// proof bytes (ByteReader::set_session): the code that sends a message (cp::send), reads one
// (cp::read) or registers a lookup gets the mode from the object it was handed, never from global
// or thread state. A transcript or reader without a session is plain mode with standalone lookups.
// Hidden values carry their own context (cp::Val), so arithmetic and equalities on them need none.
#pragma once

#include <type_traits>

#include "common/bytes.h"
#include "field/bn254.h"
#include "field/concept.h"
#include "snark/cfr.h"
#include "transcript/transcript.h"

namespace zkinfer::cp {
class Context;
}  // namespace zkinfer::cp

namespace zkinfer::lookup {
template <field::PrimeField F>
class BatchProver;
template <field::PrimeField F>
class BatchVerifier;
}  // namespace zkinfer::lookup

namespace zkinfer {

struct ProofSession {
  cp::Context* zk = nullptr;                                     // nullptr: plain messages
  lookup::BatchProver<field::Fr>* lookup_prover = nullptr;       // nullptr: layers prove their own lookups
  lookup::BatchVerifier<field::Fr>* lookup_verifier = nullptr;   // nullptr: layers verify their own lookups
  // The verifier run as a circuit (docs/protocol/wrap.md section 3): its model-wide batch.
  lookup::BatchVerifier<snark::CFr>* circuit_lookup_verifier = nullptr;
};

// The session's parts, from the object that carries it (nullptr when it has none).
inline cp::Context* zk_of(const transcript::Transcript& t) { return t.session() ? t.session()->zk : nullptr; }
inline cp::Context* zk_of(const ByteReader& r) { return r.session() ? r.session()->zk : nullptr; }
inline lookup::BatchProver<field::Fr>* lookup_prover_of(const transcript::Transcript& t) {
  return t.session() ? t.session()->lookup_prover : nullptr;
}
inline lookup::BatchVerifier<field::Fr>* lookup_verifier_of(const transcript::Transcript& t) {
  return t.session() ? t.session()->lookup_verifier : nullptr;
}
inline lookup::BatchVerifier<field::Fr>* lookup_verifier_of(const ByteReader& r) {
  return r.session() ? r.session()->lookup_verifier : nullptr;
}
// The batch of a verifier over field type F (Fr, or snark::CFr for the verifier as a circuit).
template <class F>
lookup::BatchVerifier<F>* lookup_verifier_as(const transcript::Transcript& t) {
  if constexpr (std::is_same_v<F, snark::CFr>) {
    return t.session() ? t.session()->circuit_lookup_verifier : nullptr;
  } else {
    return lookup_verifier_of(t);
  }
}
template <class F>
lookup::BatchVerifier<F>* lookup_verifier_as(const ByteReader& r) {
  if constexpr (std::is_same_v<F, snark::CFr>) {
    return r.session() ? r.session()->circuit_lookup_verifier : nullptr;
  } else {
    return lookup_verifier_of(r);
  }
}

}  // namespace zkinfer
