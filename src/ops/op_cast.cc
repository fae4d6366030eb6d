// Cast. Float executor: converts (integer targets truncate toward zero, bool is x != 0). Integer
// model: supported only where it does not change values (float to float, integer to integer).
#include "ops/helpers.h"
namespace zkinfer::ops {
namespace {
// ONNX TensorProto data types.
enum : int64_t { kF32 = 1, kU8 = 2, kI8 = 3, kU16 = 4, kI16 = 5, kI32 = 6, kI64 = 7, kBoolT = 9, kF16 = 10, kF64 = 11, kU32 = 12, kU64 = 13, kBF16 = 16 };
DType target(const Node& n) {
  switch (n.attrs.get_int("to", 0)) {
    case kF32: case kF16: case kF64: return DType::kFloat;
    case kU8: case kI8: case kU16: case kI16: case kI32: case kI64: case kU32: case kU64: return DType::kInt;
    case kBoolT: return DType::kBool;
    default: unsupported(n, "cast to type " + std::to_string(n.attrs.get_int("to", 0)));
  }
}
}  // namespace

void register_op_cast(OpTable& t) {
  OpDef d;
  d.op_type = "Cast";
  d.run_float = [](const Node& n, FIn in) {
    need_inputs(n, in, 1);
    FTensor y = *in[0];
    DType to = target(n);
    int64_t code = n.attrs.get_int("to", 0);
    for (auto& v : y.data) {
      if (to == DType::kInt) v = std::trunc(v);
      else if (to == DType::kBool) v = v != 0 ? 1.0 : 0.0;
      else if (code == kF32) v = static_cast<double>(static_cast<float>(v));
    }
    y.dtype = to;
    return one(std::move(y));
  };
  d.plan = [](PlanContext& c) {
    DType to = target(c.node);
    if (to == DType::kBool) unsupported(c.node, "cast to bool in the integer model");
    plan_same_scale(c);
    c.params.ints["to_int"] = to == DType::kInt;
  };
  d.run_int = [](IntContext& c) {
    ITensor y = c.input(0);
    bool to_int = c.p.get("to_int") != 0;
    if ((y.dtype == DType::kInt) != to_int) c.fail("cast between integer and real values is not a no-op");
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
