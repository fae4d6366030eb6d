#include "transcript/transcript.h"

#include <algorithm>

#include "common/check.h"

namespace zkinfer::transcript {
namespace {
void put_le(hash::Keccak256& h, uint64_t v, int n) {
  uint8_t b[8];
  for (int i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
  h.update(std::span<const uint8_t>(b, static_cast<size_t>(n)));
}
}  // namespace

void Transcript::put_int(hash::Keccak256& h, uint64_t v, int n) const {
  if (!big_endian()) return put_le(h, v, n);
  uint8_t b[8];
  for (int i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
  h.update(std::span<const uint8_t>(b, static_cast<size_t>(n)));
}

Transcript::Transcript(std::string_view domain, Encoding encoding) : encoding_(encoding) {
  ZKINFER_CHECK(encoding == Encoding::kV1 || encoding == Encoding::kV2);
  hash::Keccak256 h;
  h.update(big_endian() ? kProtocolVersionV2 : kProtocolVersion);
  put_int(h, domain.size(), 4);
  h.update(domain);
  state_ = h.finalize();
}

Transcript::Transcript(std::string_view domain, std::unique_ptr<FieldSponge> sponge)
    : encoding_(Encoding::kField), native_(std::move(sponge)) {
  ZKINFER_CHECK(native_);
  absorb_bytes("", std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(kProtocolVersionField.data()),
                                            kProtocolVersionField.size()));
  absorb_bytes("", std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(domain.data()), domain.size()));
}

Transcript::Transcript(std::string_view domain, std::unique_ptr<CircuitSponge> sponge)
    : encoding_(Encoding::kField), circuit_(std::move(sponge)) {
  ZKINFER_CHECK(circuit_);
  absorb_bytes("", std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(kProtocolVersionField.data()),
                                            kProtocolVersionField.size()));
  absorb_bytes("", std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(domain.data()), domain.size()));
}

void Transcript::absorb_element(const field::Fr& x) {
  if (circuit_) {
    circuit_.get()->absorb(snark::CFr(x));
  } else {
    native_.get()->absorb(x);
  }
}

void Transcript::absorb_element(const snark::CFr& x) {
  if (!circuit_) {
    if (!x.is_constant()) throw Error("field transcript: a circuit value absorbed by a native transcript");
    native_.get()->absorb(x.value());
    return;
  }
  circuit_.get()->absorb(x);
}

snark::CFr Transcript::circuit_squeeze() { return circuit_.get()->squeeze(); }

hash::Keccak256 Transcript::begin(uint8_t kind, std::string_view label) const {
  hash::Keccak256 h;
  h.update(state_);
  h.update(std::span<const uint8_t>(&kind, 1));
  put_int(h, label.size(), 4);
  h.update(label);
  return h;
}

Transcript Transcript::replay(std::vector<std::array<uint8_t, 64>> challenges) {
  Transcript t("replay");
  t.replaying_ = true;
  t.recorded_ = std::move(challenges);
  return t;
}

void Transcript::absorb_bytes(std::string_view label, std::span<const uint8_t> data) {
  if (replaying_) return;
  if (field_native()) {
    absorb_element(field::Fr::from_u64(data.size()));
    for (size_t i = 0; i < data.size(); i += 31) {
      field::Fr chunk = field::Fr::zero();
      const size_t end = std::min(data.size(), i + 31);
      for (size_t j = i; j < end; ++j) chunk = chunk * field::Fr::from_u64(256) + field::Fr::from_u64(data[j]);
      absorb_element(chunk);
    }
    return;
  }
  hash::Keccak256 h = begin(0x01, label);
  put_int(h, data.size(), 8);
  h.update(data);
  state_ = h.finalize();
}

void Transcript::absorb_u64(std::string_view label, uint64_t v) {
  if (field_native()) {
    if (!replaying_) absorb_element(field::Fr::from_u64(v));
    return;
  }
  uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(v >> (8 * (big_endian() ? 7 - i : i)));
  absorb_bytes(label, b);
}

std::array<uint8_t, 64> Transcript::challenge_bytes(std::string_view label) {
  if (replaying_) {
    ZKINFER_CHECK(next_replay_ < recorded_.size());
    return recorded_[next_replay_++];
  }
  if (field_native()) {
    if (circuit_) throw Error("field transcript: a native challenge was drawn from a circuit's transcript");
    const auto b = native_.get()->squeeze().to_bytes();
    std::array<uint8_t, 64> out{};
    std::copy(b.begin(), b.end(), out.begin());
    if (recording_) recorded_.push_back(out);
    return out;
  }
  state_ = begin(0x02, label).finalize();
  std::array<uint8_t, 64> out;
  for (uint8_t i = 0; i < 2; ++i) {
    hash::Keccak256 h;
    h.update(state_);
    h.update(std::span<const uint8_t>(&i, 1));
    hash::Digest d = h.finalize();
    std::copy(d.begin(), d.end(), out.begin() + 32 * i);
  }
  if (big_endian()) std::reverse(out.begin(), out.end());
  if (recording_) recorded_.push_back(out);
  return out;
}

}  // namespace zkinfer::transcript
