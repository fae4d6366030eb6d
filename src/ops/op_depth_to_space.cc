// DepthToSpace (blocksize b, mode DCR or CRD) and SpaceToDepth (blocksize b) on [N, C, H, W]:
// a Reshape to rank 6, a Transpose and a Reshape back, which is also how the quantizer rewrites
// them (graph::lower_composites): data movement only.
#include "ops/helpers.h"
#include "ops/lowered.h"
namespace zkinfer::ops {
// The rank-6 view, the permutation and the output shape of n applied to shape s (ops/helpers.h
// users: graph/lower_composites.cc builds the same three nodes).
void space_depth_plan(const Node& n, const Shape& s, Shape& view, std::vector<int64_t>& perm, Shape& out) {
  if (s.size() != 4) bad_node(n, "input must be 4-D [N, C, H, W]");
  const int64_t b = n.attrs.get_int("blocksize", 0);
  if (b <= 0) bad_node(n, "blocksize must be positive");
  const int64_t N = s[0], C = s[1], H = s[2], W = s[3];
  if (n.op_type == "DepthToSpace") {
    if (C % (b * b) != 0) bad_node(n, "channels not divisible by blocksize^2");
    if (n.attrs.get_string("mode", "DCR") == "CRD") {
      view = {N, C / (b * b), b, b, H, W};
      perm = {0, 1, 4, 2, 5, 3};
    } else {
      view = {N, b, b, C / (b * b), H, W};
      perm = {0, 3, 4, 1, 5, 2};
    }
    out = {N, C / (b * b), H * b, W * b};
  } else {
    if (H % b != 0 || W % b != 0) bad_node(n, "spatial dimensions not divisible by blocksize");
    view = {N, C, H / b, b, W / b, b};
    perm = {0, 3, 5, 1, 2, 4};
    out = {N, C * b * b, H / b, W / b};
  }
}
namespace {
std::vector<FTensor> space_depth(const Node& n, FIn in) {
  need_inputs(n, in, 1);
  Shape view, out;
  std::vector<int64_t> perm;
  space_depth_plan(n, in[0]->shape, view, perm, out);
  FTensor y = transpose(reshaped(*in[0], view), perm);
  y.shape = out;
  return one(std::move(y));
}
}  // namespace
void register_op_depth_to_space(OpTable& t) {
  add_lowered_op(t, "DepthToSpace", space_depth, "graph::lower_composites");
  add_lowered_op(t, "SpaceToDepth", space_depth, "graph::lower_composites");
}
}  // namespace zkinfer::ops
