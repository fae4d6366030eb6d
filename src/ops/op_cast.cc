// Cast. Float executor: converts (integer targets truncate toward zero, bool is x != 0). Integer
// model: supported only where it does not change values: float to float, integer to integer, a
// bool (0/1 at scale 0) to an integer or a real, an integer to a real (its value at scale 0), a
// real at scale 0 (an integer) to an integer. A cast to bool is refused (x != 0 has no protocol).
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
    if (to == DType::kBool && c.in_dtypes[0] != DType::kBool) unsupported(c.node, "cast to bool in the integer model");
    plan_same_scale(c);
    if (to != DType::kFloat && c.in_dtypes[0] == DType::kFloat && c.params.out_scales[0] != 0)
      unsupported(c.node, "cast of a real value at scale 2^" + std::to_string(c.params.out_scales[0]) +
                              " to an integer in the integer model");
    c.params.ints["to_int"] = to == DType::kInt;
    c.params.ints["to_bool"] = to == DType::kBool;
  };
  d.run_int = [](IntContext& c) {
    ITensor y = c.input(0);
    const bool to_int = c.p.get("to_int") != 0;
    const bool to_bool = c.p.ints.count("to_bool") && c.p.get("to_bool") != 0;
    if (y.dtype != DType::kFloat || to_int || to_bool) {  // from or to an integer type: values at scale 0
      if (y.scale != 0) c.fail("cast between integer and real values at scale 2^" + std::to_string(y.scale) + " is not a no-op");
      if (to_bool && y.dtype != DType::kBool) c.fail("cast to bool is not a no-op");
    }
    y.dtype = to_bool ? DType::kBool : (to_int ? DType::kInt : DType::kFloat);
    c.out.push_back(std::move(y));
  };
  t.add(std::move(d));
}
}  // namespace zkinfer::ops
