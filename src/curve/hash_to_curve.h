// Deterministic, domain-separated hashing to BN254 G1, for transparent generators (Pedersen /
// Hyrax bases whose discrete logarithms nobody knows).
//
// Method: try-and-increment over Keccak-256 (Boneh, Lynn, Shacham, "Short signatures from the
// Weil pairing", J. Cryptology 2004, section 3.3 "MapToGroup"). With
//   S = "zkinfer/bn254/g1/hash-to-curve/v1" || u64le(|domain|) || domain || u64le(|msg|) || msg
// try counters ctr = 0, 1, 2, ... (u32le):
//   x = (the 512-bit integer keccak256(S || ctr || 0x00) || keccak256(S || ctr || 0x01),
//        little endian) mod q                            (Fq::from_uniform_bytes)
//   if x^3 + 3 is a square: y = its square root whose parity is the low bit of byte 0 of
//        keccak256(S || ctr || 0x02); return (x, y).
// Each try succeeds with probability about 1/2. The length prefixes make (domain, msg) pairs
// injective. Not constant time (the inputs are public), and the output distribution is not
// uniform on G1 (an x follows a non-square more often than not), which does not matter here:
// what generators need is that no one knows a discrete-log relation among them, and each point
// comes from an independent random-oracle output. Cofactor 1, so no clearing is needed.
// (RFC 9380's SvdW map would also do; this is simpler to state and to replay in other languages.)
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "curve/g1.h"

namespace zkinfer::curve {

G1Affine hash_to_curve(std::string_view domain, std::span<const uint8_t> msg);

// Generator i is hash_to_curve(domain, u64le(i)), for i in [0, n). Parallel (OpenMP).
std::vector<G1Affine> derive_generators(std::string_view domain, size_t n);

}  // namespace zkinfer::curve
