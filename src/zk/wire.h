// Strict encoding of points and scalars inside src/zk proofs (32 bytes each; see
// curve::G1Affine::to_bytes and Fr::to_bytes). Decoding failures are DecodeErrors naming the field.
#pragma once

#include <string>

#include "common/bytes.h"
#include "curve/g1.h"
#include "field/bn254.h"

namespace zkinfer::zk {

inline void write_point(ByteWriter& w, const curve::G1Affine& p) { w.bytes(p.to_bytes()); }
inline void write_scalar(ByteWriter& w, const field::Fr& x) { w.bytes(x.to_bytes()); }

inline curve::G1Affine read_point(ByteReader& r, const std::string& what) {
  auto p = curve::G1Affine::from_bytes(r.bytes(curve::G1Affine::kBytes));
  if (!p) r.fail(what + " is not a valid point");
  return *p;
}
inline field::Fr read_scalar(ByteReader& r, const std::string& what) {
  auto x = field::Fr::from_bytes(r.bytes(field::Fr::kBytes));
  if (!x) r.fail(what + " is not a canonical scalar");
  return *x;
}

}  // namespace zkinfer::zk
