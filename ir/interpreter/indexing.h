// Internal to the reference interpreter: walking a shape in row-major order
// while tracking where each index lands in other tensors (a broadcast
// operand, a transposed input, a slice, the result of a reduction).
#ifndef DLC_IR_INTERPRETER_INDEXING_H_
#define DLC_IR_INTERPRETER_INDEXING_H_

#include <array>
#include <cstdint>
#include <vector>

#include "ir/tensor_type.h"

namespace dlc::interpreter_internal {

// A linear map from an index of the walked shape to a flat offset in another
// tensor: base + sum(index[d] * strides[d]). A zero stride repeats elements
// (broadcasting) or folds them together (reducing).
struct Strided {
  int64_t base = 0;
  std::vector<int64_t> strides;  // one per axis of the walked shape
};

// The strides that read `operand` broadcast to `result` (numpy rules, shapes
// aligned at the right): 0 on axes the operand lacks or has as 1.
std::vector<int64_t> BroadcastStrides(const Shape& operand, const Shape& result);

// Visits every index of `shape` in row-major order and calls
// fn(flat_index, offsets), where offsets[k] is maps[k] applied to the index.
template <size_t K, typename Fn>
void ForEachIndex(const Shape& shape, const std::array<Strided, K>& maps, Fn&& fn) {
  const int64_t rank = static_cast<int64_t>(shape.size());
  const int64_t count = NumElements(shape);
  std::vector<int64_t> index(rank, 0);
  std::array<int64_t, K> offsets;
  for (size_t k = 0; k < K; ++k) offsets[k] = maps[k].base;
  for (int64_t flat = 0; flat < count; ++flat) {
    fn(flat, offsets);
    // Odometer step: bump the last axis, carrying into earlier ones.
    for (int64_t d = rank - 1; d >= 0; --d) {
      for (size_t k = 0; k < K; ++k) offsets[k] += maps[k].strides[d];
      if (++index[d] < shape[d]) break;
      for (size_t k = 0; k < K; ++k) offsets[k] -= maps[k].strides[d] * shape[d];
      index[d] = 0;
    }
  }
}

// A shape split around one axis, for ops that work along it (argmax,
// softmax): element (o, a, i) is at flat offset (o * axis_size + a) * inner.
struct AxisSplit {
  int64_t outer = 1;
  int64_t axis_size = 1;
  int64_t inner = 1;

  int64_t Offset(int64_t o, int64_t a, int64_t i) const { return (o * axis_size + a) * inner + i; }
};
AxisSplit SplitAtAxis(const Shape& shape, int64_t axis);

}  // namespace dlc::interpreter_internal

#endif  // DLC_IR_INTERPRETER_INDEXING_H_
