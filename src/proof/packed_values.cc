#include "proof/packed_values.h"

#include <bit>
#include <string>

namespace zkinfer::proof {

namespace {
uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t unzigzag(uint64_t z) { return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1); }
}  // namespace

void write_packed_values(ByteWriter& w, std::span<const int64_t> values) {
  uint64_t all = 0;
  for (int64_t v : values) all |= zigzag(v);
  const unsigned bits = static_cast<unsigned>(std::bit_width(all));  // the largest code's bit length
  w.u8(static_cast<uint8_t>(bits));
  if (bits == 0) return;
  unsigned __int128 acc = 0;  // pending bits, least significant first
  unsigned have = 0;
  for (int64_t v : values) {
    acc |= static_cast<unsigned __int128>(zigzag(v)) << have;
    have += bits;
    while (have >= 8) {
      w.u8(static_cast<uint8_t>(acc));
      acc >>= 8;
      have -= 8;
    }
  }
  if (have > 0) w.u8(static_cast<uint8_t>(acc));
}

std::vector<int64_t> read_packed_values(ByteReader& r, size_t n) {
  const unsigned bits = r.u8();
  if (bits > 64) r.fail("packed values: " + std::to_string(bits) + " bits a value (at most 64)");
  std::vector<int64_t> out(n, 0);
  if (n == 0) {
    if (bits != 0) r.fail("packed values: no values, " + std::to_string(bits) + " bits a value (must be 0)");
    return out;
  }
  if (bits == 0) return out;
  const unsigned __int128 nbits = static_cast<unsigned __int128>(n) * bits;
  const unsigned __int128 nbytes = (nbits + 7) / 8;
  if (nbytes > r.remaining()) r.fail("packed values: " + std::to_string(n) + " values of " + std::to_string(bits) +
                                     " bits do not fit the remaining " + std::to_string(r.remaining()) + " bytes");
  const uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  unsigned __int128 acc = 0;
  unsigned have = 0;
  uint64_t all = 0;
  for (size_t i = 0; i < n; ++i) {
    while (have < bits) {
      acc |= static_cast<unsigned __int128>(r.u8()) << have;
      have += 8;
    }
    const uint64_t z = static_cast<uint64_t>(acc) & mask;
    acc >>= bits;
    have -= bits;
    all |= z;
    out[i] = unzigzag(z);
  }
  if (acc != 0) r.fail("packed values: non-zero unused bits in the last byte");
  if (static_cast<unsigned>(std::bit_width(all)) != bits)
    r.fail("packed values: " + std::to_string(bits) + " bits a value where the largest value needs " +
           std::to_string(std::bit_width(all)) + " (not canonical)");
  return out;
}

}  // namespace zkinfer::proof
