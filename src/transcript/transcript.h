// Fiat-Shamir transcript over Keccak-256 (chained hashing, so an EVM verifier can replay it).
//
// The state is a 32-byte digest. Construction absorbs the protocol-version tag and a domain.
// Each absorption replaces the state by
//     keccak256(state || 0x01 || u32 len(label) || label || u64 len(data) || data),
// and each challenge by
//     h = keccak256(state || 0x02 || u32 len(label) || label);  state = h;
//     bytes = keccak256(h || 0x00) || keccak256(h || 0x01)  (64 bytes)
// reduced to a field element by unbiased wide reduction. Labels make absorptions unambiguous;
// lengths make the encoding injective.
//
// Two encodings (docs/protocol/evm.md section 4.3), fixed at construction:
//  - v1 (tag "zkinfer-transcript-v1"): integers (the length prefixes, absorb_u64) little-endian;
//    absorb/absorb_many take each value's to_bytes() as it is (field elements little-endian,
//    G1 points compressed: little-endian x, flags in the top bits of the last byte); a challenge
//    is the 64 bytes read as a little-endian integer, mod p (F::from_uniform_bytes).
//  - v2 (tag "zkinfer-transcript-v2"), the EVM's byte order: integers big-endian; absorb and
//    absorb_many take each value's to_bytes() byte-reversed (a field element's 32 big-endian
//    bytes, a compressed G1 point as the big-endian word x | odd(y) << 255, 2^254 for the
//    identity: exactly the words an EVM holds); a challenge is the 64 bytes read as a big-endian
//    integer, mod p (challenge_bytes returns them reversed, so that from_uniform_bytes reads the
//    same integer). absorb_bytes hashes the caller's bytes as they are in both.
// Which one a proof uses is the verifying key's choice (proof/model_proof.h: kzg keys of version
// 4 and later use v2; hyrax keys and older kzg keys v1).
//
// A third encoding, kField (docs/protocol/wrap.md section 2), is field-native: the state is a sponge
// over Fr (Poseidon for proofs; FieldSponge below), so that a circuit can replay the transcript. It is
// built either over a native sponge (prover and native verifier) or over its circuit twin
// (CircuitSponge: the wrapping proof's circuit, where messages and challenges are snark::CFr values).
// Labels are not absorbed (the statement fixes the order and the number of absorbed elements, which
// is what makes the encoding unambiguous); an Fr, a CFr or a plain-mode message is one element; an
// integer (absorb_u64) is one element; bytes (absorb_bytes, and any other value's to_bytes()) are
// their length, then 31-byte chunks read as big-endian integers, one element each; a challenge is a
// squeezed element. challenge_bytes returns the element's 32 little-endian bytes followed by 32
// zero bytes (so from_uniform_bytes gives the element back, and recording and replay work as in v1).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/error.h"
#include "field/bn254.h"
#include "field/concept.h"
#include "hash/keccak.h"
#include "snark/cfr.h"  // circuit values (snark/circuit.h and cfr.h depend only on field and common)

namespace zkinfer {
struct ProofSession;  // zk/session.h
}  // namespace zkinfer

namespace zkinfer::transcript {

inline constexpr std::string_view kProtocolVersion = "zkinfer-transcript-v1";
inline constexpr std::string_view kProtocolVersionV2 = "zkinfer-transcript-v2";
inline constexpr std::string_view kProtocolVersionField = "zkinfer-transcript-field-v1";

enum class Encoding : uint8_t { kV1 = 1, kV2 = 2, kField = 3 };

// A sponge over Fr for the kField encoding (Poseidon: hash/poseidon.h), and its circuit twin, which
// must squeeze the same elements when it absorbs the same values.
class FieldSponge {
 public:
  virtual ~FieldSponge() = default;
  virtual void absorb(const field::Fr& x) = 0;
  virtual field::Fr squeeze() = 0;
  virtual std::unique_ptr<FieldSponge> clone() const = 0;
};
class CircuitSponge {
 public:
  virtual ~CircuitSponge() = default;
  virtual void absorb(const snark::CFr& x) = 0;
  virtual snark::CFr squeeze() = 0;
  virtual std::unique_ptr<CircuitSponge> clone() const = 0;
};

namespace detail {
// A unique_ptr that copies by clone().
template <class T>
class ClonePtr {
 public:
  ClonePtr() = default;
  explicit ClonePtr(std::unique_ptr<T> p) : p_(std::move(p)) {}
  ClonePtr(const ClonePtr& o) : p_(o.p_ ? o.p_->clone() : nullptr) {}
  ClonePtr(ClonePtr&&) noexcept = default;
  ClonePtr& operator=(const ClonePtr& o) {
    if (this != &o) p_ = o.p_ ? o.p_->clone() : nullptr;
    return *this;
  }
  ClonePtr& operator=(ClonePtr&&) noexcept = default;
  T* get() const { return p_.get(); }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  std::unique_ptr<T> p_;
};
}  // namespace detail

class Transcript {
 public:
  explicit Transcript(std::string_view domain, Encoding encoding = Encoding::kV1);
  // kField over a native sponge, or over a circuit sponge (the circuit's twin of the same transcript).
  Transcript(std::string_view domain, std::unique_ptr<FieldSponge> sponge);
  Transcript(std::string_view domain, std::unique_ptr<CircuitSponge> sponge);

  Encoding encoding() const { return encoding_; }
  bool big_endian() const { return encoding_ == Encoding::kV2; }
  bool field_native() const { return encoding_ == Encoding::kField; }
  // Whether this is a circuit's transcript (kField over a CircuitSponge).
  bool in_circuit() const { return static_cast<bool>(circuit_); }

  void absorb_bytes(std::string_view label, std::span<const uint8_t> data);

  // Anything with to_bytes(): field elements, curve points. kField: see the header comment.
  template <class T>
  void absorb(std::string_view label, const T& x)
    requires requires { x.to_bytes(); }
  {
    if (field_native()) {
      absorb_field_value(label, x);
      return;
    }
    auto b = x.to_bytes();
    if (big_endian()) std::reverse(b.begin(), b.end());
    absorb_bytes(label, std::span<const uint8_t>(b.data(), b.size()));
  }

  template <class T>
  void absorb_many(std::string_view label, std::span<const T> xs)
    requires requires(const T& x) { x.to_bytes(); }
  {
    if (field_native()) {
      for (const T& x : xs) absorb_field_value(label, x);
      return;
    }
    std::vector<uint8_t> buf;
    for (const T& x : xs) {
      auto b = x.to_bytes();
      if (big_endian()) std::reverse(b.begin(), b.end());
      buf.insert(buf.end(), b.begin(), b.end());
    }
    absorb_bytes(label, buf);
  }
  template <class T>
  void absorb_many(std::string_view label, const std::vector<T>& xs) {
    absorb_many(label, std::span<const T>(xs));
  }

  void absorb_u64(std::string_view label, uint64_t v);  // 8 bytes, in the encoding's byte order

  // 64 fresh pseudo-random bytes bound to everything absorbed so far (v2: the hash bytes reversed,
  // see above).
  std::array<uint8_t, 64> challenge_bytes(std::string_view label);

  template <field::PrimeField F>
  F challenge(std::string_view label) {
    if constexpr (std::is_same_v<F, snark::CFr>) {
      if (in_circuit() && !replaying_) return circuit_squeeze();
    }
    auto b = challenge_bytes(label);
    return F::from_uniform_bytes(std::span<const uint8_t>(b.data(), 2 * F::kBytes));
  }
  template <field::PrimeField F>
  std::vector<F> challenges(std::string_view label, size_t n) {
    std::vector<F> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) out.push_back(challenge<F>(label));
    return out;
  }

  // The Keccak state (v1, v2; unused by kField).
  const hash::Digest& state() const { return state_; }

  // Recording and replay, for a prover that re-runs verifier code on its own messages
  // (zk/cp.h): while recording, every challenge drawn is kept; a replaying transcript absorbs
  // nothing and hands out the recorded challenges in order (drawing more is a bug: it aborts).
  void start_recording() { recording_ = true; recorded_.clear(); }
  std::vector<std::array<uint8_t, 64>> take_recording() {
    recording_ = false;
    return std::move(recorded_);
  }
  static Transcript replay(std::vector<std::array<uint8_t, 64>> challenges);
  // Whether a replaying transcript has handed out every recorded challenge.
  bool replay_done() const { return next_replay_ == recorded_.size(); }

  // The proof session this transcript runs under (zk/session.h: zero-knowledge messages,
  // model-wide lookups), set by its owner and kept by copies; nullptr: plain. Not absorbed.
  void set_session(const ProofSession* s) { session_ = s; }
  const ProofSession* session() const { return session_; }

 private:
  hash::Keccak256 begin(uint8_t kind, std::string_view label) const;
  void put_int(hash::Keccak256& h, uint64_t v, int n) const;

  // kField: one element (constants enter a circuit sponge as constants).
  void absorb_element(const field::Fr& x);
  void absorb_element(const snark::CFr& x);
  snark::CFr circuit_squeeze();
  template <class T>
  void absorb_field_value(std::string_view label, const T& x) {
    if (replaying_) return;
    if constexpr (std::is_same_v<T, field::Fr> || std::is_same_v<T, snark::CFr>) {
      absorb_element(x);
    } else if constexpr (requires { { x.is_public() } -> std::same_as<bool>; { x.value() } -> std::convertible_to<const field::Fr&>; }) {
      // A protocol message (cp::Val): plain mode only.
      if (!x.is_public()) throw Error("field transcript: a zero-knowledge message cannot be absorbed (plain proofs only)");
      absorb_element(x.value());
    } else {
      auto b = x.to_bytes();
      absorb_bytes(label, std::span<const uint8_t>(b.data(), b.size()));
    }
  }

  hash::Digest state_{};
  Encoding encoding_ = Encoding::kV1;
  detail::ClonePtr<FieldSponge> native_;
  detail::ClonePtr<CircuitSponge> circuit_;
  bool recording_ = false, replaying_ = false;
  std::vector<std::array<uint8_t, 64>> recorded_;
  size_t next_replay_ = 0;
  const ProofSession* session_ = nullptr;
};

}  // namespace zkinfer::transcript
