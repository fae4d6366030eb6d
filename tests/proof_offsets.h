// Byte offsets in a proof file (docs/PROOF.md section 4.1, "proof") that tests change on purpose.
#pragma once

#include <cstddef>

namespace zkinfer::testing {

// The first packed byte of the first public output: after the magic (4), the version (4), the
// backend (1), the vk digest (32), the output's value count (8) and its code width (1).
inline constexpr size_t kFirstOutputByte = 4 + 4 + 1 + 32 + 8 + 1;

}  // namespace zkinfer::testing
