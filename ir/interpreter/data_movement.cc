// Ops that move elements without computing on them: reshape, flatten,
// transpose, broadcast, slice, concat, pad. All work on every dtype.
#include <algorithm>
#include <cstdint>

#include "absl/status/status.h"
#include "ir/convert.h"
#include "ir/interpreter/dispatch.h"
#include "ir/interpreter/indexing.h"
#include "ir/interpreter/kernels.h"
#include "ir/shape_util.h"

namespace dlc::interpreter_internal {
namespace {

// result[i] = x[map(index of i in the result)], for any dtype.
absl::StatusOr<Tensor> Gather(const Tensor& x, const TensorType& result, const Strided& map) {
  return DispatchAnyDType(x.dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
    using T = typename decltype(tag)::type;
    Tensor out(result);
    std::span<const T> in = x.values<T>();
    std::span<T> values = out.values<T>();
    ForEachIndex(result.shape, std::array<Strided, 1>{map},
                 [&](int64_t i, const std::array<int64_t, 1>& at) { values[i] = in[at[0]]; });
    return out;
  });
}

// out[map(index of i in x)] = x[i]: places x inside a larger result.
template <typename T>
void Scatter(const Tensor& x, Tensor& out, const Strided& map) {
  std::span<const T> in = x.values<T>();
  std::span<T> values = out.values<T>();
  ForEachIndex(x.shape(), std::array<Strided, 1>{map},
               [&](int64_t i, const std::array<int64_t, 1>& at) { values[at[0]] = in[i]; });
}

absl::StatusOr<Tensor> Transpose(const Node& node, const Tensor& x) {
  // Result axis i walks input axis perm[i].
  const IntList perm = AttrInts(node.attrs, "perm");
  const std::vector<int64_t> in_strides = RowMajorStrides(x.shape());
  Strided map;
  for (int64_t axis : perm) map.strides.push_back(in_strides[axis]);
  return Gather(x, node.type, map);
}

absl::StatusOr<Tensor> Broadcast(const Node& node, const Tensor& x) {
  return Gather(x, node.type, Strided{0, BroadcastStrides(x.shape(), node.type.shape)});
}

absl::StatusOr<Tensor> Slice(const Node& node, const Tensor& x) {
  const IntList start = AttrInts(node.attrs, "start");
  IntList stride = AttrInts(node.attrs, "stride");
  if (stride.empty()) stride.assign(x.shape().size(), 1);
  const std::vector<int64_t> in_strides = RowMajorStrides(x.shape());
  Strided map;
  for (size_t d = 0; d < in_strides.size(); ++d) {
    map.base += start[d] * in_strides[d];
    map.strides.push_back(stride[d] * in_strides[d]);
  }
  return Gather(x, node.type, map);
}

absl::StatusOr<Tensor> Concat(const Node& node, Operands in) {
  auto axis = NormalizeAxis(AttrInt(node.attrs, "axis"), node.type.rank());
  if (!axis.ok()) return axis.status();
  return DispatchAnyDType(node.type.dtype, [&](auto tag) -> absl::StatusOr<Tensor> {
    using T = typename decltype(tag)::type;
    Tensor out(node.type);
    const std::vector<int64_t> out_strides = RowMajorStrides(node.type.shape);
    int64_t position = 0;  // where the next operand starts along the axis
    for (const Tensor* operand : in) {
      Scatter<T>(*operand, out, Strided{position * out_strides[*axis], out_strides});
      position += operand->shape()[*axis];
    }
    return out;
  });
}

absl::StatusOr<Tensor> Pad(const Node& node, const Tensor& x) {
  const IntList low = AttrInts(node.attrs, "low");
  // interior[d] copies of the value between neighbours on axis d ([]: none).
  const IntList interior = AttrInts(node.attrs, "interior");
  const double pad_value = AttrFloat(node.attrs, "value");
  return DispatchAnyDType(x.dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
    using T = typename decltype(tag)::type;
    Tensor out(node.type);
    std::span<T> values = out.values<T>();
    // The type rule requires a value the dtype holds exactly; converting with
    // the cast rule keeps even an unchecked node defined.
    std::fill(values.begin(), values.end(), ConvertTo<T>(pad_value, x.dtype()));
    const std::vector<int64_t> out_strides = RowMajorStrides(node.type.shape);
    Strided map{0, out_strides};
    for (size_t d = 0; d < low.size(); ++d) map.base += low[d] * out_strides[d];
    for (size_t d = 0; d < interior.size(); ++d) map.strides[d] *= interior[d] + 1;
    Scatter<T>(x, out, map);
    return out;
  });
}

}  // namespace

absl::StatusOr<Tensor> EvalDataMovement(const Node& node, Operands in) {
  switch (node.op) {
    case OpKind::kReshape:
    case OpKind::kFlatten: return in[0]->Reshaped(node.type.shape);  // row-major data unchanged
    case OpKind::kTranspose: return Transpose(node, *in[0]);
    case OpKind::kBroadcast: return Broadcast(node, *in[0]);
    case OpKind::kSlice: return Slice(node, *in[0]);
    case OpKind::kConcat: return Concat(node, in);
    case OpKind::kPad: return Pad(node, *in[0]);
    default: return absl::InternalError(StrCat(OpName(node.op), " is not a data-movement op"));
  }
}

}  // namespace dlc::interpreter_internal
