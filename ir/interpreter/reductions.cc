// reduce_sum, reduce_mean, reduce_max and argmax.
//
// Semantic choices (the JIT must match them):
// - Sums accumulate in the element type, in row-major order of the input;
//   i32 sums wrap around on overflow.
// - An empty `axes` list reduces nothing: the result is the input.
// - reduce_max propagates NaN; over an empty axis it gives the identity of
//   max (-inf, or INT_MIN for i32). reduce_mean over an empty axis is 0/0 = NaN.
// - argmax returns the first (lowest) index of the maximum; a NaN counts as
//   larger than every number, so the first NaN wins (like numpy).
#include <algorithm>
#include <cstdint>

#include "absl/status/status.h"
#include "ir/interpreter/dispatch.h"
#include "ir/interpreter/indexing.h"
#include "ir/interpreter/kernels.h"
#include "ir/interpreter/scalar_ops.h"
#include "ir/shape_util.h"

namespace dlc::interpreter_internal {
namespace {

// Maps each input index to its result element: the result's strides (laid
// out as with keepdims, which has the same flat order), 0 on reduced axes.
Strided ReductionMap(const Shape& input, const IntList& axes) {
  Strided map{0, RowMajorStrides(ReducedShape(input, axes, /*keepdims=*/true))};
  for (int64_t axis : axes) map.strides[axis] = 0;
  return map;
}

// Folds every input element into its result element, which starts at `init`.
template <typename T, typename Fold>
Tensor Reduce(const Tensor& x, const IntList& axes, const TensorType& result, T init, Fold fold) {
  Tensor out(result);
  std::span<const T> in = x.values<T>();
  std::span<T> acc = out.values<T>();
  std::fill(acc.begin(), acc.end(), init);
  ForEachIndex(
      x.shape(), std::array<Strided, 1>{ReductionMap(x.shape(), axes)},
      [&](int64_t i, const std::array<int64_t, 1>& at) { acc[at[0]] = fold(acc[at[0]], in[i]); });
  return out;
}

absl::StatusOr<Tensor> ReduceSum(const Node& node, const Tensor& x, const IntList& axes) {
  return DispatchArithmetic(x.dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
    using T = typename decltype(tag)::type;
    return Reduce<T>(x, axes, node.type, T(0), [](T a, T b) { return AddOf(a, b); });
  });
}

absl::StatusOr<Tensor> ReduceMean(const Node& node, const Tensor& x, const IntList& axes) {
  int64_t count = 1;
  for (int64_t axis : axes) count *= x.shape()[axis];
  return DispatchFloat(x.dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
    using T = typename decltype(tag)::type;
    Tensor out = Reduce<T>(x, axes, node.type, T(0), [](T a, T b) { return a + b; });
    for (T& v : out.values<T>()) v /= static_cast<T>(count);
    return out;
  });
}

absl::StatusOr<Tensor> ReduceMax(const Node& node, const Tensor& x, const IntList& axes) {
  return DispatchArithmetic(x.dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
    using T = typename decltype(tag)::type;
    return Reduce<T>(x, axes, node.type, LowestOf<T>(), [](T a, T b) { return MaxOf(a, b); });
  });
}

absl::StatusOr<Tensor> ArgMax(const Node& node, const Tensor& x) {
  auto axis = NormalizeAxis(AttrInt(node.attrs, "axis"), x.type().rank());
  if (!axis.ok()) return axis.status();
  const AxisSplit split = SplitAtAxis(x.shape(), *axis);
  return DispatchOrdered(x.dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
    using T = typename decltype(tag)::type;
    Tensor out(node.type);
    std::span<const T> in = x.values<T>();
    std::span<int32_t> result = out.values<int32_t>();
    for (int64_t o = 0; o < split.outer; ++o) {
      for (int64_t i = 0; i < split.inner; ++i) {
        // The type rule rejects an empty axis, so element 0 exists.
        int64_t best = 0;
        T best_value = in[split.Offset(o, 0, i)];
        for (int64_t a = 1; a < split.axis_size && !IsNaN(best_value); ++a) {
          const T value = in[split.Offset(o, a, i)];
          if (IsNaN(value) || value > best_value) {  // strict: ties keep the first
            best = a;
            best_value = value;
          }
        }
        result[o * split.inner + i] = static_cast<int32_t>(best);
      }
    }
    return out;
  });
}

}  // namespace

absl::StatusOr<Tensor> EvalReduction(const Node& node, Operands in) {
  const Tensor& x = *in[0];
  if (node.op == OpKind::kArgMax) return ArgMax(node, x);
  auto axes = NormalizeAxes(AttrInts(node.attrs, "axes"), x.type().rank());
  if (!axes.ok()) return axes.status();
  switch (node.op) {
    case OpKind::kReduceSum: return ReduceSum(node, x, *axes);
    case OpKind::kReduceMean: return ReduceMean(node, x, *axes);
    case OpKind::kReduceMax: return ReduceMax(node, x, *axes);
    default: return absl::InternalError(StrCat(OpName(node.op), " is not a reduction"));
  }
}

}  // namespace dlc::interpreter_internal
