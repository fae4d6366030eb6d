// Commit-and-prove values: how every protocol of a whole-model proof becomes zero-knowledge
// without a second copy of its verifier, with plain field-element messages
// (docs/PROTOCOL.md, section 8).
//
// A layer protocol (src/layers, src/lookup, src/sumcheck) sends field elements (round values,
// final evaluations, advice evaluations) and its verifier checks relations among them: linear
// ones (p(0) + p(1) = claim, p(r) by Lagrange weights, claim combinations, digit recombination),
// products (a final check eq · a · b = e_n) and equalities. Those messages and every value the
// verifier derives from them are `Val`s. Which protocol runs is decided by the proof's session
// (zk/session.h): the Context attached to the transcript a prover sends with and to the reader a
// verifier reads with (none: plain). Hidden Vals carry their Context, so arithmetic and
// equalities on them record into it without any ambient state:
//
//   none (plain)  a message is its value, sent in the clear; a Val is a field element; a product
//                 is a product; an equality is decided on the spot. This is the plain proof.
//   kProve        a message carrying x is sent as the field element s = x + m_j, where m_j is the
//                 pad of slot j, the message's rank in the order messages are absorbed (the
//                 protocol order, the same for both sides whatever the byte order of the proof).
//                 Pads come in rows of B = 2^log_row entries, each row committed as a Hyrax row
//                 C_i = <m_{iB..iB+B-1}, G_0..G_{B-1}> + rho_i H. All row commitments are in the
//                 proof's header (write_rows / read_rows); row i is absorbed together with the
//                 first message of slot iB. So x = s - m_j is bound when s is absorbed, and s is
//                 uniform: the message hides x. A Val is an affine form
//                 c + sum a_j x_j + sum b_l p_l over hidden message values and Pedersen-committed
//                 scalars p_l (claims handed to the Hyrax openings, below); the prover also knows
//                 its value. Products of two hidden Vals are new hidden values whose relation is
//                 proven at the end; equalities of hidden Vals are recorded.
//   kVerify       the same affine forms without the values.
//
// A Val is public when the verifier knows its value (constants, public outputs, and every
// message in plain mode); products with a public Val and equalities between public Vals never
// involve hidden values, in every mode. Prover and verifier run the same verifier code (the
// prover replays it with transcript::Transcript::replay on its own proof bytes), so both sides
// create the same products and equalities in the same order.
//
// Before the end section, the caller binds each hidden claim that a Hyrax opening consumes to a
// fresh Pedersen commitment P_l = p_l U + t_l H (bind_claim; written, absorbed, and linked to the
// claim's affine form by an equality). The end section (prove_finish / verify_finish), in
// transcript order:
//   1. products: the K product values z_k, sent as padded messages (`cp.product`);
//   2. one sumcheck for all of them: tau (`cp.prod.tau`), then
//      sum_k eq(tau, k) (X_k Y_k - Z_k) = 0 over ceil(log2 K) variables, degree 3, rounds sending
//      p(0), p(2), p(3) as padded messages (`cp.prod.round`, challenge `cp.prod.r`). Its final
//      check eq(tau, r) (X(r) Y(r) - Z(r)) = e needs one product of hidden affine forms
//      a = X(r), b = Y(r): Pedersen A, B, C = ab U + .. (`cp.prod.abc`) with Hyrax's proof of
//      product (`cp.prod.alpha`.., challenge `cp.prod.e`, responses `cp.prod.z`) and equalities
//      a = A, b = B, e = eq(tau, r) (C - Z(r));
//   3. all equalities D_i = 0 batched with powers of rho (`cp.zero.rho`) into one affine form;
//      substituting x_j = s_j - m_j it reads <W, m> = T, T = (public) + sum b_l p_l;
//   4. the pad sumcheck: sum_y W~(y) M~(y) = T over the pad matrix M (rows of B, the row count
//      padded to a power of two with zero rows), degree 2. Its messages p(0), p(2) are padded by
//      a second, short pad vector m' committed as C' (`cp.pad2`) before them (`cp.pad.round`,
//      challenge `cp.pad.r`). The final value v = M~(r') is committed as V (`cp.pad.claim`);
//   5. the last relation, linear in m': <gamma, m'> = y with Y = c U + alpha P* - W~(r') V
//      (P* = sum b_l P_l), proven by Hyrax's proof of dot product over C' (`cp.dot.delta`,
//      `cp.dot.beta`, challenge `cp.dot.e`, `cp.dot.z`);
//   6. the opening of the pad matrix at r' with the committed claim V is left to the caller
//      (pad_opening_witness / pad_opening_claim; the whole-model proof opens it with one
//      inner-product argument, pcs/reduced_opening.h).
// The verifier's group operations: the pad rows (one point per B messages), the Pedersen claims,
// a handful of points for 2 and 5, and the Hyrax batch: they do not grow with the number of
// sumcheck rounds. Soundness and the simulator: docs/PROTOCOL.md, section 8.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "curve/g1.h"
#include "field/bn254.h"
#include "pcs/hyrax.h"
#include "pcs/ipa.h"
#include "transcript/transcript.h"

namespace zkinfer::pcs {  // pcs/hyrax_eval.h (which includes this header through sumcheck/proof.h)
class EvalClaim;
struct ProverClaim;
struct OpeningWitness;
struct OpeningClaim;
class KzgParams;
}  // namespace zkinfer::pcs

namespace zkinfer::cp {

using curve::G1;
using curve::G1Affine;
using field::Fr;
using pcs::RandomFr;

enum class Mode : uint8_t { kProve = 1, kVerify = 2 };

// An atom of an affine form: a message (its id: the order sent, for the prover, or read, for
// the verifier; mapped to its slot when absorbed), a product (its index; its value is sent as a
// message at the end) or a Pedersen-committed scalar (its index).
inline constexpr uint32_t kKindShift = 30;
inline constexpr uint32_t kMsgKind = 0, kProdKind = 1, kPedKind = 2;
inline constexpr uint32_t kIndexMask = (uint32_t{1} << kKindShift) - 1;
constexpr uint32_t atom_id(uint32_t kind, uint32_t index) { return (kind << kKindShift) | index; }

struct LinTerm {
  uint32_t atom;
  Fr coeff;
};

class Context;
class DeferredChecks;  // zk/cp_defer.h

// A value of the protocol (see above). Default: the public zero.
class Val {
 public:
  Val() = default;
  Val(const Fr& c) : v_(c) {}  // NOLINT(google-explicit-constructor): a public constant
  static Val from_i64(int64_t x) { return Val(Fr::from_i64(x)); }

  bool is_public() const { return pub_; }
  // The value: always for the prover and in plain mode; for the ZK verifier only when public
  // (otherwise the affine form's constant term).
  const Fr& value() const { return v_; }
  // A message: its id, else -1.
  int32_t msg_id() const { return msg_; }
  // The context a hidden value belongs to (nullptr for a public one).
  Context* context() const { return ctx_; }
  std::span<const LinTerm> terms() const { return lc_; }

  // The transcript encoding: plain or public: the value; a ZK message: its padded value s_j,
  // preceded by its pad row's commitment when it is the row's first message; a derived hidden
  // value: nothing (it is a function of what was absorbed).
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
  // the hidden operand's context and proven in its end section; the comparison reports "equal" (a
  // false equality makes the end section fail), for the verifier and for the prover's replay alike.
  friend bool operator==(const Val& a, const Val& b);
  friend bool operator!=(const Val& a, const Val& b) { return !(a == b); }

 private:
  friend class Context;
  void compact();

  // The hidden operand's context, checking that two hidden operands share one.
  static Context* context_of(const Val& a, const Val& b);

  Fr v_;
  std::vector<LinTerm> lc_;
  Context* ctx_ = nullptr;  // hidden values only
  int32_t msg_ = -1;
  bool pub_ = true;
};

class Context {
 public:
  // Prover (fresh pads and blinds from `random`) or verifier. Pad rows have 2^log_row entries
  // and use the first 2^log_row Hyrax generators of pp (log_row <= pp.max_log_cols()).
  Context(const pcs::HyraxParams& pp, size_t log_row, RandomFr random);
  Context(const pcs::HyraxParams& pp, size_t log_row);
  // kzg keys of version 8 (docs/protocol/kzg.md section 6): the pads are committed with KZG over
  // kzg's powers (which must outlive the context) in chunks of doubling length, chunk k holding the
  // pads of slots [2^log_first (2^k - 1), 2^log_first (2^(k+1) - 1)) as its own polynomial
  // C_k = sum_i m_{k,i} [tau^i]_1 + rho_k [beta]_1, absorbed with the chunk's first message (chunk
  // 0: with slot 0's). pp: the Pedersen generators U, H and the end section's short pad's.
  Context(const pcs::HyraxParams& pp, const pcs::KzgParams& kzg, size_t log_first, RandomFr random);
  Context(const pcs::HyraxParams& pp, const pcs::KzgParams& kzg, size_t log_first);
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  Mode mode() const { return mode_; }
  const pcs::HyraxParams& params() const { return pp_; }

  // Counts, for statistics and tests.
  size_t num_messages() const { return sent_.size(); }
  size_t num_pad_rows() const { return rows_.size(); }
  size_t num_products() const { return products_.size(); }
  size_t num_equalities() const { return zeros_.size(); }
  size_t num_claims() const { return ped_.size(); }
  // Prover: recorded equalities that do not hold (an honest prover has none).
  size_t num_false_equalities() const { return false_equalities_; }

  // The prover's two passes (model_proof.cc): first it runs the layer provers, which only send
  // (relations off: products and equalities are computed, not recorded); then it replays the
  // verifier on its own proof bytes (relations on), where reading a message gives back its value
  // and atom, so every derived value, product and equality gets exactly the verifier's structure.
  void set_relations(bool on) { relations_ = on; }

  // A hidden claim for a Hyrax opening, bound to a fresh Pedersen commitment (written and absorbed
  // as "cp.claim"; the link is an equality proven at the end). Public Vals give plain claims and
  // write nothing. Call before the end section.
  pcs::ProverClaim bind_claim(const Val& x, ByteWriter& w, transcript::Transcript& tr);
  pcs::EvalClaim bind_claim(const Val& x, ByteReader& r, transcript::Transcript& tr);

  // The end section (see the file comment). prove_finish writes it; verify_finish reads and
  // checks it (never throws on bad bytes: a DecodeError becomes a rejection). Afterwards the
  // pad matrix's opening is to be added to the caller's Hyrax batch (valid while the context
  // lives). With `defer`, the verifier's group equations are appended there weighted instead of
  // evaluated (zk/cp_defer.h); the caller must evaluate them.
  void prove_finish(transcript::Transcript& tr, ByteWriter& w);
  Verdict verify_finish(transcript::Transcript& tr, ByteReader& r, DeferredChecks* defer = nullptr);
  bool has_pad_opening() const;  // false when nothing hidden was sent
  pcs::OpeningWitness pad_opening_witness() const;
  pcs::OpeningClaim pad_opening_claim() const;
  // kzg pads: the pad sumcheck ends in V = sum_k W_k(r') m_k(r'), each chunk k zero-padded to P
  // variables (P: the longest chunk's), which is the value at r' of the polynomial whose commitment
  // is C* = sum_k W_k(r') C_k: one item of the caller's KZG batch (a group of its own: r' is the
  // pad sumcheck's point).
  bool kzg_pads() const { return kzg_ != nullptr; }
  struct KzgPadOpening {
    uint32_t num_vars = 0;           // P
    G1Affine commitment;             // C*
    Fr blind;                        // prover: sum_k W_k(r') rho_k
    std::span<const Fr> values;      // prover: sum_k W_k(r') m_k, 2^P entries
    std::span<const Fr> point;       // r'
    Fr v, t;                         // prover: V's value and blind
    G1Affine claim;                  // V = v U + t H
  };
  KzgPadOpening kzg_pad_opening() const;  // after the end section, when has_pad_opening()

  // Tests only: the prover sends `value` as product k's value in the end section instead of the
  // product (a cheating prover; an honest proof never calls this).
  void testing_forge_product(size_t k, const Fr& value) { forged_products_.push_back({k, value}); }
  // The recorded equalities (differences that must be zero) and, for the prover, product k's value.
  std::span<const Val> equalities() const { return zeros_; }
  Fr product_value(size_t k) const { return products_.at(k).x.value() * products_.at(k).y.value(); }

  // ---- used by Val and the message functions below ----
  Val send(const Fr& v);                            // prover
  void write(ByteWriter& w, const Val& msg);        // prover
  Val read(ByteReader& r);                          // verifier, and the prover's replay
  std::vector<uint8_t> encoding(uint32_t id);  // assigns the slot on first use
  // The pad rows (kzg pads: the chunks' commitments), in the proof's header (the prover writes
  // them after the end section, at the position where the verifier reads them before any message).
  std::vector<uint8_t> rows_block() const;
  void read_rows(ByteReader& r);
  Val product(const Val& a, const Val& b);
  bool record_zero(const Val& d);

 private:
  struct ProductRec {
    Val x, y;
  };
  struct Dense;  // a dense affine form (end section)

  void new_row();
  // Pad rows or chunks: whether slot starts one, which one holds slot, how many n messages use.
  bool starts_row(size_t slot) const;
  size_t row_of(size_t slot) const;
  size_t rows_for(size_t n) const;
  Val message_atom(uint32_t id) const;
  Val emit(const Fr& v, ByteWriter& w, transcript::Transcript& tr, std::string_view label);
  Val take(ByteReader& r, transcript::Transcript& tr, std::string_view label);
  Val ped_atom(uint32_t l) const;
  // The end section shared by both sides (prover: w, verifier: r).
  void finish(transcript::Transcript& tr, ByteWriter* w, ByteReader* r, DeferredChecks* defer);

  const pcs::HyraxParams& pp_;
  const pcs::KzgParams* kzg_ = nullptr;  // kzg pads (else Hyrax rows)
  Mode mode_;
  RandomFr random_;
  size_t log_row_;
  size_t row_len_;
  // Pads, by slot (prover), the pad rows' commitments and blinds (prover).
  std::vector<Fr> pads_;
  std::vector<G1Affine> rows_;
  std::vector<Fr> row_blinds_;
  // Messages by id: the slot (-1 until absorbed), the hidden value (prover), the padded value
  // (verifier); by slot: the padded value.
  std::vector<int64_t> slot_of_;
  std::vector<Fr> hidden_, read_sent_;
  std::vector<Fr> sent_;
  std::vector<uint32_t> written_ids_;  // prover: message ids in the order written
  size_t sent_count_ = 0, read_count_ = 0;
  // Pedersen-committed scalars: commitments, and the prover's openings.
  std::vector<G1Affine> ped_;
  std::vector<Fr> ped_v_, ped_s_;
  std::vector<ProductRec> products_;
  std::vector<std::pair<size_t, Fr>> forged_products_;
  std::vector<uint32_t> product_msg_;  // end section: the message id of each product's value
  std::vector<Val> zeros_;
  bool relations_ = true;
  size_t false_equalities_ = 0;
  bool finished_ = false;
  // The pad matrix's opening (after the end section).
  pcs::HyraxCommitment pad_com_;
  pcs::HyraxBlinds pad_blinds_;
  std::vector<Fr> pad_values_;
  std::vector<Fr> pad_point_;
  Fr pad_claim_v_, pad_claim_s_;
  G1Affine pad_claim_point_;
  // kzg pads' opening (C*, its blind and values).
  uint32_t kzg_pad_vars_ = 0;
  G1Affine kzg_pad_com_;
  Fr kzg_pad_blind_;
};

// ---- messages ----
// The prover's message carrying v, in the mode of the transcript's session (zk/session.h): plain:
// v itself (public); ZK: a padded message of the session's context.
Val send(const transcript::Transcript& tr, const Fr& v);
std::vector<Val> send_many(const transcript::Transcript& tr, std::span<const Fr> vs);
// Fixed-size encodings (32 bytes each in both modes). write: a public value in the clear, a hidden
// message by its context; read: in the mode of the reader's session.
void write(ByteWriter& w, const Val& msg);
Val read(ByteReader& r);
inline constexpr size_t kMessageBytes = 32;

// Values of public messages as field elements (plain mode).
std::vector<Fr> values(std::span<const Val> xs);

}  // namespace zkinfer::cp
