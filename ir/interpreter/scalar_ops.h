// Internal to the reference interpreter: the arithmetic on single elements
// that several kernels share, with the corner cases defined once.
//
// Semantic choices (the JIT must match them):
// - i32 add, sub, mul and neg wrap around (two's complement), never UB;
//   i32 div truncates toward zero and INT_MIN / -1 wraps to INT_MIN (callers
//   reject a zero divisor first).
// - max and min propagate NaN (like numpy's maximum and TensorFlow), and so
//   do relu, reduce_max and maxpool, which are built on max.
#ifndef DLC_IR_INTERPRETER_SCALAR_OPS_H_
#define DLC_IR_INTERPRETER_SCALAR_OPS_H_

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "ir/interpreter/dispatch.h"

namespace dlc::interpreter_internal {

// i32 arithmetic goes through uint32_t, where overflow is defined to wrap.
inline int32_t Wrap(uint32_t value) { return static_cast<int32_t>(value); }

template <typename T>
T AddOf(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    return Wrap(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
  } else {
    return a + b;
  }
}

template <typename T>
T SubOf(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    return Wrap(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
  } else {
    return a - b;
  }
}

template <typename T>
T MulOf(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    return Wrap(static_cast<uint32_t>(a) * static_cast<uint32_t>(b));
  } else {
    return a * b;
  }
}

// For integers, b must not be 0.
template <typename T>
T DivOf(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    if (a == std::numeric_limits<T>::min() && b == -1) return a;  // wraps
  }
  return a / b;  // integers: C++ truncates toward zero
}

template <typename T>
T NegOf(T a) {
  if constexpr (std::is_integral_v<T>) {
    return Wrap(0u - static_cast<uint32_t>(a));
  } else {
    return -a;
  }
}

template <typename T>
T MaxOf(T a, T b) {
  if (IsNaN(a)) return a;
  if (IsNaN(b)) return b;
  return a < b ? b : a;
}

template <typename T>
T MinOf(T a, T b) {
  if (IsNaN(a)) return a;
  if (IsNaN(b)) return b;
  return b < a ? b : a;
}

template <typename T>
T ReluOf(T a) {
  return MaxOf(a, T(0));
}

// Never evaluates exp of a large positive number, so it cannot overflow to
// inf and give inf/inf = NaN.
template <typename T>
T SigmoidOf(T x) {
  if (x >= 0) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

// The identity of max: -inf for floats, the lowest value for integers.
template <typename T>
T LowestOf() {
  if constexpr (std::is_floating_point_v<T>) {
    return -std::numeric_limits<T>::infinity();
  } else {
    return std::numeric_limits<T>::lowest();
  }
}

}  // namespace dlc::interpreter_internal

#endif  // DLC_IR_INTERPRETER_SCALAR_OPS_H_
