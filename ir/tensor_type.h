// Static tensor types: an element type and a shape.
#ifndef DLC_IR_TENSOR_TYPE_H_
#define DLC_IR_TENSOR_TYPE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace dlc {

using Shape = std::vector<int64_t>;

// 1 for a scalar; saturates at INT64_MAX instead of overflowing.
int64_t NumElements(const Shape& shape);

// Limits that keep all shape arithmetic far from int64 overflow. The verifier
// rejects larger dimensions and attribute integers.
inline constexpr int64_t kMaxDimension = int64_t{1} << 40;
inline constexpr int64_t kMaxAttributeInt = int64_t{1} << 40;
std::string ShapeToString(const Shape& shape);  // "[32,28,28,1]"
// Row-major strides in elements: strides[i] = product of shape[i+1..].
std::vector<int64_t> RowMajorStrides(const Shape& shape);

struct TensorType {
  DType dtype = DType::kF32;
  Shape shape;

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  int64_t num_elements() const { return NumElements(shape); }
  int64_t byte_size() const { return num_elements() * DTypeSize(dtype); }
  std::string ToString() const;  // "f32[32,10]", scalars "f32[]"

  friend bool operator==(const TensorType&, const TensorType&) = default;
};

}  // namespace dlc

#endif  // DLC_IR_TENSOR_TYPE_H_
