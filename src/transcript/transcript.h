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
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "field/concept.h"
#include "hash/keccak.h"

namespace zkinfer {
struct ProofSession;  // zk/session.h
}  // namespace zkinfer

namespace zkinfer::transcript {

inline constexpr std::string_view kProtocolVersion = "zkinfer-transcript-v1";
inline constexpr std::string_view kProtocolVersionV2 = "zkinfer-transcript-v2";

enum class Encoding : uint8_t { kV1 = 1, kV2 = 2 };

class Transcript {
 public:
  explicit Transcript(std::string_view domain, Encoding encoding = Encoding::kV1);

  Encoding encoding() const { return encoding_; }
  bool big_endian() const { return encoding_ == Encoding::kV2; }

  void absorb_bytes(std::string_view label, std::span<const uint8_t> data);

  // Anything with to_bytes(): field elements, curve points.
  template <class T>
  void absorb(std::string_view label, const T& x)
    requires requires { x.to_bytes(); }
  {
    auto b = x.to_bytes();
    if (big_endian()) std::reverse(b.begin(), b.end());
    absorb_bytes(label, std::span<const uint8_t>(b.data(), b.size()));
  }

  template <class T>
  void absorb_many(std::string_view label, std::span<const T> xs)
    requires requires(const T& x) { x.to_bytes(); }
  {
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
  hash::Digest state_{};
  Encoding encoding_ = Encoding::kV1;
  bool recording_ = false, replaying_ = false;
  std::vector<std::array<uint8_t, 64>> recorded_;
  size_t next_replay_ = 0;
  const ProofSession* session_ = nullptr;
};

}  // namespace zkinfer::transcript
