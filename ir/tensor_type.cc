#include "ir/tensor_type.h"

#include <cstdint>

#include "absl/strings/str_join.h"
#include "support/str_cat.h"

namespace dlc {

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (__builtin_mul_overflow(n, d, &n)) return INT64_MAX;
  }
  return n;
}

std::string ShapeToString(const Shape& shape) {
  return StrCat("[", absl::StrJoin(shape, ","), "]");
}

std::vector<int64_t> RowMajorStrides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i) {
    strides[i] = strides[i + 1] * shape[i + 1];
  }
  return strides;
}

std::string TensorType::ToString() const { return StrCat(DTypeName(dtype), ShapeToString(shape)); }

}  // namespace dlc
