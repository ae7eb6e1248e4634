// Internal to the reference interpreter: turns a runtime DType into the C++
// element type that stores it, so kernels are written once as templates.
#ifndef DLC_IR_INTERPRETER_DISPATCH_H_
#define DLC_IR_INTERPRETER_DISPATCH_H_

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ir/tensor.h"
#include "support/str_cat.h"

namespace dlc::interpreter_internal {

// Carries an element type into a generic lambda: [](auto tag) { using T =
// typename decltype(tag)::type; ... }.
template <typename T>
struct Tag {
  using type = T;
};

inline absl::Status UnsupportedDType(DType dtype) {
  // Unreachable after the type-rule check; kept so a gap is an error, not a
  // read through an empty span.
  return absl::InternalError(StrCat("the interpreter has no kernel for ", DTypeName(dtype)));
}

// Every dtype: f32, f64, i32, and u8/i1 (both stored as uint8_t).
template <typename Fn>
absl::StatusOr<Tensor> DispatchAnyDType(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::kF32: return fn(Tag<float>{});
    case DType::kF64: return fn(Tag<double>{});
    case DType::kI32: return fn(Tag<int32_t>{});
    case DType::kU8:
    case DType::kI1: return fn(Tag<uint8_t>{});
  }
  return UnsupportedDType(dtype);
}

// Each dispatcher below instantiates `fn` only for the types it names, so a
// kernel need only compile for the types its op accepts.

// The types with an order: f32, f64, i32, u8.
template <typename Fn>
absl::StatusOr<Tensor> DispatchOrdered(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::kF32: return fn(Tag<float>{});
    case DType::kF64: return fn(Tag<double>{});
    case DType::kI32: return fn(Tag<int32_t>{});
    case DType::kU8: return fn(Tag<uint8_t>{});
    default: return UnsupportedDType(dtype);
  }
}

// The types arithmetic is defined on: f32, f64, i32.
template <typename Fn>
absl::StatusOr<Tensor> DispatchArithmetic(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::kF32: return fn(Tag<float>{});
    case DType::kF64: return fn(Tag<double>{});
    case DType::kI32: return fn(Tag<int32_t>{});
    default: return UnsupportedDType(dtype);
  }
}

template <typename Fn>
absl::StatusOr<Tensor> DispatchFloat(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::kF32: return fn(Tag<float>{});
    case DType::kF64: return fn(Tag<double>{});
    default: return UnsupportedDType(dtype);
  }
}

// Integer labels: i32 or u8.
template <typename Fn>
absl::StatusOr<Tensor> DispatchInteger(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::kI32: return fn(Tag<int32_t>{});
    case DType::kU8: return fn(Tag<uint8_t>{});
    default: return UnsupportedDType(dtype);
  }
}

template <typename T>
bool IsNaN(T value) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::isnan(value);
  } else {
    return false;
  }
}

}  // namespace dlc::interpreter_internal

#endif  // DLC_IR_INTERPRETER_DISPATCH_H_
