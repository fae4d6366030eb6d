// Little-endian byte encoding for keys and proofs. ByteReader never reads past its input: every
// short read throws DecodeError, so a truncated or corrupt file cannot crash a decoder.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "common/error.h"

namespace zkinfer {

struct ProofSession;  // zk/session.h

class ByteWriter {
 public:
  void u8(uint8_t v) { out_.push_back(v); }
  void u32(uint32_t v) { put_le(v, 4); }
  void u64(uint64_t v) { put_le(v, 8); }
  void bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void str(const std::string& s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.insert(out_.end(), s.begin(), s.end());
  }
  const std::vector<uint8_t>& data() const { return out_; }
  std::vector<uint8_t> take() { return std::move(out_); }

 private:
  void put_le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> out_;
};

// One field of an encoded file as its decoder read it: where it starts and how many bytes.
struct ByteField {
  size_t offset = 0, size = 0;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> in, std::string what = "input")
      : in_(in), what_(std::move(what)) {}

  uint8_t u8() { return static_cast<uint8_t>(get_le(1)); }
  uint32_t u32() { return static_cast<uint32_t>(get_le(4)); }
  uint64_t u64() { return get_le(8); }
  std::span<const uint8_t> bytes(size_t n) {
    need(n);
    if (fields_ && n > 0) fields_->push_back({pos_, n});
    auto s = in_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  std::string str(size_t max_len = 1 << 20) {
    uint32_t n = u32();
    if (n > max_len) fail("string length " + std::to_string(n) + " exceeds " + std::to_string(max_len));
    auto s = bytes(n);
    return std::string(s.begin(), s.end());
  }
  // A count that prefixes a list of items of at least min_item_bytes each: rejects counts that
  // could not fit in what is left, so a corrupt length cannot trigger a huge allocation.
  uint64_t count(size_t min_item_bytes, uint64_t max_count = UINT64_MAX) {
    uint64_t n = u64();
    if (n > max_count || (min_item_bytes > 0 && n > remaining() / min_item_bytes))
      fail("list length " + std::to_string(n) + " does not fit the remaining " +
           std::to_string(remaining()) + " bytes");
    return n;
  }
  // Records every field read from now on (offset and size, in reading order): a decoder's own
  // enumeration of a file's layout (proof::proof_fields).
  void log_fields(std::vector<ByteField>* fields) { fields_ = fields; }
  // The proof session the bytes are read under (zk/session.h: zero-knowledge messages, model-wide
  // lookups), set by the reader's owner; nullptr: plain.
  void set_session(const ProofSession* s) { session_ = s; }
  const ProofSession* session() const { return session_; }
  size_t remaining() const { return in_.size() - pos_; }
  size_t position() const { return pos_; }
  void expect_end() const {
    if (remaining() != 0) fail(std::to_string(remaining()) + " trailing bytes");
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw DecodeError(what_ + ": " + why + " (at byte " + std::to_string(pos_) + ")");
  }

 private:
  void need(size_t n) const {
    if (n > remaining()) fail("truncated: need " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left");
  }
  uint64_t get_le(int n) {
    need(static_cast<size_t>(n));
    if (fields_) fields_->push_back({pos_, static_cast<size_t>(n)});
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(in_[pos_ + i]) << (8 * i);
    pos_ += static_cast<size_t>(n);
    return v;
  }
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  std::string what_;
  std::vector<ByteField>* fields_ = nullptr;
  const ProofSession* session_ = nullptr;
};

}  // namespace zkinfer
