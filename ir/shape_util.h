// Shape arithmetic shared by the type rules, the interpreter and the passes.
#ifndef DLC_IR_SHAPE_UTIL_H_
#define DLC_IR_SHAPE_UTIL_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "ir/attribute.h"
#include "ir/tensor_type.h"

namespace dlc {

// Numpy broadcasting: shapes are aligned at the right; each pair of
// dimensions must be equal or one of them 1.
absl::StatusOr<Shape> BroadcastShapes(const Shape& a, const Shape& b);

// Maps an axis in [-rank, rank) to [0, rank).
absl::StatusOr<int64_t> NormalizeAxis(int64_t axis, int64_t rank);

// Normalizes each axis and rejects duplicates.
absl::StatusOr<IntList> NormalizeAxes(const IntList& axes, int64_t rank);

// The shape left after reducing `axes` (normalized) of `shape`.
Shape ReducedShape(const Shape& shape, const IntList& axes, bool keepdims);

}  // namespace dlc

#endif  // DLC_IR_SHAPE_UTIL_H_
