// A concrete tensor: a TensorType plus its elements in row-major order,
// 64-byte aligned. Used by the interpreter, data sets and checkpoints.
#ifndef DLC_IR_TENSOR_H_
#define DLC_IR_TENSOR_H_

#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <string>
#include <vector>

#include "ir/tensor_type.h"

namespace dlc {

// The C++ element type that stores each DType (i1 is stored as one byte 0/1).
template <typename T>
constexpr bool StoresDType(DType d) {
  if constexpr (std::is_same_v<T, float>) return d == DType::kF32;
  if constexpr (std::is_same_v<T, double>) return d == DType::kF64;
  if constexpr (std::is_same_v<T, int32_t>) return d == DType::kI32;
  if constexpr (std::is_same_v<T, uint8_t>) return d == DType::kU8 || d == DType::kI1;
  return false;
}

template <typename T, size_t kAlign>
struct AlignedAllocator {
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = AlignedAllocator<U, kAlign>;
  };
  AlignedAllocator() = default;
  template <typename U>
  AlignedAllocator(const AlignedAllocator<U, kAlign>&) {}
  T* allocate(size_t n) {
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(kAlign)));
  }
  void deallocate(T* p, size_t) { ::operator delete(p, std::align_val_t(kAlign)); }
  friend bool operator==(const AlignedAllocator&, const AlignedAllocator&) { return true; }
};

class Tensor {
 public:
  Tensor() = default;
  // All elements zero.
  explicit Tensor(TensorType type);
  Tensor(DType dtype, Shape shape) : Tensor(TensorType{dtype, std::move(shape)}) {}

  template <typename T>
  static Tensor FromVector(DType dtype, Shape shape, const std::vector<T>& values);

  const TensorType& type() const { return type_; }
  DType dtype() const { return type_.dtype; }
  const Shape& shape() const { return type_.shape; }
  int64_t num_elements() const { return type_.num_elements(); }
  int64_t byte_size() const { return static_cast<int64_t>(bytes_.size()); }

  // Typed views; T must store this tensor's dtype (see StoresDType), else empty.
  template <typename T>
  std::span<T> values() {
    if (!StoresDType<T>(dtype())) return {};
    return {reinterpret_cast<T*>(bytes_.data()), static_cast<size_t>(num_elements())};
  }
  template <typename T>
  std::span<const T> values() const {
    if (!StoresDType<T>(dtype())) return {};
    return {reinterpret_cast<const T*>(bytes_.data()), static_cast<size_t>(num_elements())};
  }
  std::byte* raw_data() { return bytes_.data(); }
  const std::byte* raw_data() const { return bytes_.data(); }

  // Any dtype, element by flat index, through double (exact for every dtype).
  double GetDouble(int64_t index) const;
  // Converts as cast does: integers truncate and saturate, NaN becomes 0.
  void SetDouble(int64_t index, double value);

  // A copy with another shape of the same element count.
  Tensor Reshaped(Shape shape) const;

  // "f32[2,2] [[1, 2], [3, 4]]", eliding the middle of long dimensions.
  std::string ToString(int64_t max_per_dim = 8) const;

 private:
  TensorType type_;
  std::vector<std::byte, AlignedAllocator<std::byte, 64>> bytes_;
};

template <typename T>
Tensor Tensor::FromVector(DType dtype, Shape shape, const std::vector<T>& values) {
  Tensor t(dtype, std::move(shape));
  for (int64_t i = 0; i < t.num_elements() && i < static_cast<int64_t>(values.size()); ++i) {
    t.SetDouble(i, static_cast<double>(values[i]));
  }
  return t;
}

}  // namespace dlc

#endif  // DLC_IR_TENSOR_H_
