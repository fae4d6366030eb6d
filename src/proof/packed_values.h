// A proof's public output values, packed (proof format version 6; docs/PROOF.md section 4): per
// tensor, after its u64 count, u8 w (bits a value) and ceil(count * w / 8) bytes holding each value's
// zigzag code ((v << 1) ^ (v >> 63): small magnitudes of either sign are small codes) in w bits,
// least significant bit first, the last byte's unused bits zero. The encoding is canonical: w is
// the bit length of the largest code (0 when every value is 0), and the reader rejects any other
// w, non-zero unused bits, w above 64 and a truncated list, so a proof's bytes are a function of
// its values. Before version 6 each value took 8 bytes: GPT-2's 32 x 50,257 logits were 12.9 MB of
// a 13.0 MB proof (BENCHMARKS.md, "Issue 14: where GPT-2's proof bytes go").
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/bytes.h"

namespace zkinfer::proof {

// Writes w and the packed bytes (the count is the caller's).
void write_packed_values(ByteWriter& w, std::span<const int64_t> values);
// Reads what write_packed_values wrote for n values (throws DecodeError, through r.fail, on a
// non-canonical or truncated encoding). Reads byte by byte: every byte is a field of one byte in
// the reader's field log (proof_fields; the EVM calldata encoder skips them: the statement).
std::vector<int64_t> read_packed_values(ByteReader& r, size_t n);

}  // namespace zkinfer::proof
