// Commit-and-prove values: how every protocol of a whole-model proof becomes zero-knowledge
// without a second copy of its verifier (docs/PROTOCOL.md, section 8).
//
// A layer protocol (src/layers, src/lookup, src/sumcheck) sends field elements (round values,
// final evaluations, advice evaluations) and its verifier checks relations among them: linear
// ones (p(0) + p(1) = claim, p(r) by Lagrange weights, claim combinations, digit recombination),
// products (a final check eq · a · b = e_n) and equalities. Those messages and every value the
// verifier derives from them are `Val`s. Which protocol runs is decided by the current Context
// (set per thread with Context::Scope):
//
//   none (plain)  a message is its value, sent in the clear; a Val is a field element; a product
//                 is a product; an equality is decided on the spot. This is the plain proof.
//   kProve        a message is a Pedersen commitment Com(v; s) = v U + s H with a fresh uniform
//                 blind s (U, H: the Hyrax generators, pcs/hyrax.h); the prover's Val carries
//                 (v, s), and linear operations act on both. A product of two committed Vals is a
//                 new committed value with a proof of product deferred to the end; an equality of
//                 committed Vals is recorded (its difference commits to 0 with a known blind).
//   kVerify       a message is that commitment; the verifier's Val is a linear combination of
//                 the commitments received so far plus a public constant (times U). Products get
//                 their commitment from the end section; an equality "a == b" cannot be decided
//                 on the spot: it is recorded, the comparison reports "equal", and the end
//                 section proves all recorded equalities at once (the whole proof is rejected if
//                 any fails).
//
// A Val is public when the verifier knows its value (constants, public outputs, and every
// message in plain mode); products with a public Val and equalities between public Vals never
// involve commitments, in every mode. Prover and verifier run the same verifier code (the prover
// replays it with transcript::Transcript::replay to learn the blinds of everything the verifier
// derives), so both sides create the same products and equalities in the same order.
//
// The end section (Context::prove_finish / verify_finish), in transcript order:
//   1. the commitments Z_k of the products (`cp.products`);
//   2. the products' proofs, together. For Z_k = x_k y_k U + r_zk H with X_k = x_k U + r_xk H and
//      Y_k any committed value, the prover shows Z_k = x_k Y_k + t_k H (t_k = r_zk - x_k r_yk) with
//      the x_k that X_k holds: delta_k = b1_k Y_k + b3_k H (`cp.product.delta`); a challenge sigma
//      (`cp.product.sigma`); one alpha = (sum sigma^k b1_k) U + b2 H (`cp.product.alpha`); a
//      challenge e (`cp.product.e`); z1_k = b1_k + e x_k, z3_k = b3_k + e t_k, and one
//      z2 = b2 + e sum sigma^k r_xk (`cp.product.z`). Checks: delta_k + e Z_k = z1_k Y_k + z3_k H
//      for every k, and alpha + e sum sigma^k X_k = (sum sigma^k z1_k) U + z2 H. This is Hyrax's
//      proof of product with the parts that prove knowledge of X's and Y's openings replaced by
//      step 4 (every commitment's opening) and one sigma-weighted link between the x_k of the
//      delta equations and the X_k (docs/PROTOCOL.md, section 8.3): 2 points and 2 scalars per
//      product;
//   3. the equalities: each recorded difference D_k must be a multiple of H (value 0). Weights
//      rho_k are drawn (`cp.zero.rho`) and one Schnorr proof of knowledge of log_H(sum rho_k D_k)
//      is given: A = b H (`cp.zero.a`), e (`cp.zero.e`), z = b + e sum rho_k s_k (`cp.zero.z`).
//      (rho_k = rho^k.) A false equality among K makes sum rho_k D_k have a non-zero U component
//      except with probability (K - 1)/|F| over rho, and then the proof gives log_H(U);
//   4. knowledge of openings of all commitments (messages and products): a challenge c
//      (`cp.open.c`) weights the distinct commitments, in the order of their encodings, by
//      c, c^2, ...; a proof of opening of the weighted sum (zk/sigma.h's opening protocol,
//      `cp.open.a`, `cp.open.e`, `cp.open.z`). Rewinding c extracts an opening of every commitment,
//      which the soundness argument needs (docs/PROTOCOL.md, section 8);
//   5. (verifier) all the equations of 2-4 folded with powers of a last challenge (`cp.fold`, drawn
//      from a copy of the transcript: the prover draws nothing here) into one multi-scalar
//      multiplication that must be the identity.
#pragma once

#include <cstddef>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "curve/g1.h"
#include "field/bn254.h"
#include "transcript/transcript.h"
#include "pcs/hyrax.h"
#include "pcs/ipa.h"

namespace zkinfer::cp {

using curve::G1;
using curve::G1Affine;
using field::Fr;
using pcs::RandomFr;

enum class Mode : uint8_t { kProve = 1, kVerify = 2 };

struct LinTerm {
  uint32_t atom;
  Fr coeff;
};

class Context;

// A value of the protocol (see above). Default: the public zero.
class Val {
 public:
  Val() = default;
  Val(const Fr& c) : v_(c) {}  // NOLINT(google-explicit-constructor): a public constant
  static Val from_i64(int64_t x) { return Val(Fr::from_i64(x)); }

  bool is_public() const { return pub_; }
  // The value: always for the prover and in plain mode; for the ZK verifier only when public.
  const Fr& value() const { return v_; }
  // The prover's blind (zero for public values and in plain mode).
  const Fr& blind() const { return s_; }
  // A message (one commitment): its index in the context's commitments, else -1.
  int32_t atom() const { return atom_; }
  std::span<const LinTerm> terms() const { return lc_; }

  // The transcript encoding: plain or public: the value; a ZK message: its commitment; a derived
  // committed value: nothing (it is a function of what was absorbed).
  std::vector<uint8_t> to_bytes() const;

  Val& operator+=(const Val& o);
  Val& operator-=(const Val& o);
  Val& operator*=(const Fr& k);
  Val& operator*=(const Val& o);
  Val operator-() const;
  friend Val operator+(Val a, const Val& b) { return a += b; }
  friend Val operator-(Val a, const Val& b) { return a -= b; }
  friend Val operator*(Val a, const Fr& k) { return a *= k; }
  friend Val operator*(const Fr& k, Val a) { return a *= k; }
  friend Val operator*(Val a, const Val& b) { return a *= b; }

  // Equality of protocol values. Plain mode and public values: decided now. Otherwise recorded in
  // the current context and proven in its end section; the comparison reports "equal" (a false
  // equality makes the end section fail), for the verifier and for the prover's replay alike.
  friend bool operator==(const Val& a, const Val& b);
  friend bool operator!=(const Val& a, const Val& b) { return !(a == b); }

 private:
  friend class Context;
  void compact();

  Fr v_;
  Fr s_;
  std::vector<LinTerm> lc_;
  int32_t atom_ = -1;
  bool pub_ = true;
};

// The context of the current thread (nullptr: plain mode).
Context* current();

class Context {
 public:
  // Prover (fresh blinds and masks from `random`) or verifier.
  // U and H are the Hyrax generators (pcs/hyrax.h), so committed values are Hyrax committed claims.
  Context(const pcs::HyraxParams& pp, RandomFr random);
  explicit Context(const pcs::HyraxParams& pp);
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  Mode mode() const { return mode_; }
  const pcs::HyraxParams& params() const { return pp_; }

  // Makes this the current context of the thread for the scope's lifetime.
  class Scope {
   public:
    explicit Scope(Context* c);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Context* prev_;
  };

  // Counts, for statistics and tests.
  size_t num_commitments() const { return atoms_.size(); }
  size_t num_products() const { return products_.size(); }
  size_t num_equalities() const { return zeros_.size(); }
  // Prover: recorded equalities that do not hold (an honest prover has none).
  size_t num_false_equalities() const { return false_equalities_; }

  // The end section (see the file comment). prove_finish writes it; verify_finish reads and
  // checks it (never throws on bad bytes: a DecodeError becomes a rejection).
  void prove_finish(transcript::Transcript& tr, ByteWriter& w);
  Verdict verify_finish(transcript::Transcript& tr, ByteReader& r);

  // The commitment to a Val (verifier: after verify_finish has read the products, or for Vals
  // that involve no product). The prover's is commit(value, blind).
  G1 commitment_of(const Val& x) const;

  // The prover's two passes (model_proof.cc): first it runs the layer provers, which only send
  // (relations off: products and equalities are computed, not recorded); then it replays the
  // verifier on its own proof bytes (relations on), where reading a commitment it made gives back
  // the committed value with its blind, so every derived value, product and equality gets exactly
  // the verifier's structure.
  void set_relations(bool on) { relations_ = on; }

  // ---- used by Val and the message functions below ----
  Val commit(const Fr& v);                       // prover
  std::vector<Val> commit_many(std::span<const Fr> vs);
  Val receive(const G1Affine& c);               // verifier (prover: one of its own commitments)
  Val receive_own(const std::array<uint8_t, G1Affine::kBytes>& encoding);  // prover's replay
  const G1Affine& atom_point(uint32_t i) const { return atoms_[i]; }
  Val product(const Val& a, const Val& b);
  bool record_zero(const Val& d);

 private:
  struct ProductRec {
    Val x, y;
    uint32_t z;  // atom of the product
  };
  const pcs::HyraxParams& pp_;
  Mode mode_;
  RandomFr random_;
  std::vector<G1Affine> atoms_;      // commitments (products' filled at the end by the verifier)
  std::vector<Fr> atom_v_, atom_s_;  // prover: openings
  std::vector<ProductRec> products_;
  std::vector<Val> zeros_;
  std::map<std::array<uint8_t, G1Affine::kBytes>, uint32_t> by_bytes_;  // prover: commitment -> atom
  bool relations_ = true;
  size_t false_equalities_ = 0;
  bool finished_ = false;
};

// ---- messages ----
// The prover's message carrying v: plain: v itself (public); ZK: a fresh commitment.
Val send(const Fr& v);
std::vector<Val> send_many(std::span<const Fr> vs);
// Fixed-size encodings (32 bytes each in both modes): the value, or the commitment.
void write(ByteWriter& w, const Val& msg);
Val read(ByteReader& r);
inline constexpr size_t kMessageBytes = 32;

// Values of public messages as field elements (plain mode).
std::vector<Fr> values(std::span<const Val> xs);

}  // namespace zkinfer::cp
