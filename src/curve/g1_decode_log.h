// While a log is set on this thread, every successful G1Affine::from_bytes (curve/g1.cc) appends
// the address of its input: a decoder's own account of which fields of a file are points. Used by
// `zkinfer encode-evm-calldata` together with proof::proof_fields; nullptr switches it off.
#pragma once

#include <cstdint>
#include <vector>

namespace zkinfer::curve {

void set_g1_decode_log(std::vector<const uint8_t*>* log);

}  // namespace zkinfer::curve
