// Elementwise ops with numpy-style broadcasting: arithmetic, math functions,
// activations, compare and select (cast is in conversions.cc).
//
// Integer corner cases and NaN handling are in scalar_ops.h; in addition an
// i32 division by zero is an error, and f32/f64 follow IEEE (x / 0 is +-inf,
// log(0) is -inf, sqrt(-1) is NaN).
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "ir/enum_attrs.h"
#include "ir/interpreter/dispatch.h"
#include "ir/interpreter/indexing.h"
#include "ir/interpreter/kernels.h"
#include "ir/interpreter/scalar_ops.h"

namespace dlc::interpreter_internal {
namespace {

// ---- loops ----------------------------------------------------------------

template <typename T, typename Fn>
Tensor MapUnary(const Tensor& x, const TensorType& result, Fn fn) {
  Tensor out(result);
  std::span<const T> in = x.values<T>();
  std::span<T> values = out.values<T>();
  for (size_t i = 0; i < in.size(); ++i) values[i] = fn(in[i]);
  return out;
}

// out[i] = fn(a[i'], b[i'']) with a and b broadcast to the result shape. The
// result's element type is what fn returns (uint8_t for compare).
template <typename T, typename Fn>
Tensor MapBinary(const Tensor& a, const Tensor& b, const TensorType& result, Fn fn) {
  using R = decltype(fn(T{}, T{}));
  Tensor out(result);
  std::span<const T> x = a.values<T>();
  std::span<const T> y = b.values<T>();
  std::span<R> z = out.values<R>();
  if (a.shape() == result.shape && b.shape() == result.shape) {
    for (size_t i = 0; i < z.size(); ++i) z[i] = fn(x[i], y[i]);
    return out;
  }
  const std::array<Strided, 2> maps = {Strided{0, BroadcastStrides(a.shape(), result.shape)},
                                       Strided{0, BroadcastStrides(b.shape(), result.shape)}};
  ForEachIndex(result.shape, maps,
               [&](int64_t i, const std::array<int64_t, 2>& at) { z[i] = fn(x[at[0]], y[at[1]]); });
  return out;
}

// Applies a generic binary function to f32, f64 or i32 operands.
template <typename Fn>
absl::StatusOr<Tensor> ArithmeticBinary(const Node& node, Operands in, Fn fn) {
  return DispatchArithmetic(in[0]->dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
    using T = typename decltype(tag)::type;
    return MapBinary<T>(*in[0], *in[1], node.type, [&](T a, T b) { return fn(a, b); });
  });
}

template <typename Fn>
absl::StatusOr<Tensor> ArithmeticUnary(const Node& node, Operands in, Fn fn) {
  return DispatchArithmetic(in[0]->dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
    using T = typename decltype(tag)::type;
    return MapUnary<T>(*in[0], node.type, [&](T a) { return fn(a); });
  });
}

template <typename Fn>
absl::StatusOr<Tensor> FloatUnary(const Node& node, Operands in, Fn fn) {
  return DispatchFloat(in[0]->dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
    using T = typename decltype(tag)::type;
    return MapUnary<T>(*in[0], node.type, [&](T a) -> T { return fn(a); });
  });
}

absl::StatusOr<Tensor> Div(const Node& node, Operands in) {
  // Every divisor element is used when the result is not empty.
  if (in[1]->dtype() == DType::kI32 && node.type.num_elements() > 0) {
    std::span<const int32_t> divisors = in[1]->values<int32_t>();
    for (size_t i = 0; i < divisors.size(); ++i) {
      if (divisors[i] == 0) {
        return absl::InvalidArgumentError(
            StrCat("integer division by zero (divisor element ", i, " is 0)"));
      }
    }
  }
  return ArithmeticBinary(node, in, [](auto a, auto b) { return DivOf(a, b); });
}

absl::StatusOr<Tensor> Pow(const Node& node, Operands in) {
  return DispatchFloat(in[0]->dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
    using T = typename decltype(tag)::type;
    return MapBinary<T>(*in[0], *in[1], node.type, [](T a, T b) -> T { return std::pow(a, b); });
  });
}

// Comparisons with NaN follow IEEE: only "ne" is true.
template <typename T>
bool (*PredicateOf(Predicate predicate))(T, T) {
  switch (predicate) {
    case Predicate::kEq: return [](T x, T y) { return x == y; };
    case Predicate::kNe: return [](T x, T y) { return x != y; };
    case Predicate::kLt: return [](T x, T y) { return x < y; };
    case Predicate::kLe: return [](T x, T y) { return x <= y; };
    case Predicate::kGt: return [](T x, T y) { return x > y; };
    case Predicate::kGe: return [](T x, T y) { return x >= y; };
  }
  return nullptr;
}

absl::StatusOr<Tensor> Compare(const Node& node, Operands in) {
  const Predicate predicate = AttrEnum<Predicate>(node.attrs, "predicate");
  return DispatchAnyDType(in[0]->dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
    using T = typename decltype(tag)::type;
    bool (*holds)(T, T) = PredicateOf<T>(predicate);
    return MapBinary<T>(*in[0], *in[1], node.type,
                        [holds](T x, T y) -> uint8_t { return holds(x, y) ? 1 : 0; });
  });
}

absl::StatusOr<Tensor> Select(const Node& node, Operands in) {
  return DispatchAnyDType(in[1]->dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
    using T = typename decltype(tag)::type;
    const Tensor& cond = *in[0];
    const Tensor& on_true = *in[1];
    const Tensor& on_false = *in[2];
    Tensor out(node.type);
    std::span<const uint8_t> c = cond.values<uint8_t>();
    std::span<const T> t = on_true.values<T>();
    std::span<const T> f = on_false.values<T>();
    std::span<T> z = out.values<T>();
    const Shape& shape = node.type.shape;
    const std::array<Strided, 3> maps = {Strided{0, BroadcastStrides(cond.shape(), shape)},
                                         Strided{0, BroadcastStrides(on_true.shape(), shape)},
                                         Strided{0, BroadcastStrides(on_false.shape(), shape)}};
    ForEachIndex(shape, maps, [&](int64_t i, const std::array<int64_t, 3>& at) {
      z[i] = c[at[0]] != 0 ? t[at[1]] : f[at[2]];
    });
    return out;
  });
}

}  // namespace

absl::StatusOr<Tensor> EvalElementwise(const Node& node, Operands in) {
  switch (node.op) {
    case OpKind::kAdd:
      return ArithmeticBinary(node, in, [](auto a, auto b) { return AddOf(a, b); });
    case OpKind::kSub:
      return ArithmeticBinary(node, in, [](auto a, auto b) { return SubOf(a, b); });
    case OpKind::kMul:
      return ArithmeticBinary(node, in, [](auto a, auto b) { return MulOf(a, b); });
    case OpKind::kDiv: return Div(node, in);
    case OpKind::kMax:
      return ArithmeticBinary(node, in, [](auto a, auto b) { return MaxOf(a, b); });
    case OpKind::kMin:
      return ArithmeticBinary(node, in, [](auto a, auto b) { return MinOf(a, b); });
    case OpKind::kPow: return Pow(node, in);
    case OpKind::kNeg: return ArithmeticUnary(node, in, [](auto a) { return NegOf(a); });
    case OpKind::kRelu: return ArithmeticUnary(node, in, [](auto a) { return ReluOf(a); });
    case OpKind::kExp: return FloatUnary(node, in, [](auto a) { return std::exp(a); });
    case OpKind::kLog: return FloatUnary(node, in, [](auto a) { return std::log(a); });
    case OpKind::kSqrt: return FloatUnary(node, in, [](auto a) { return std::sqrt(a); });
    case OpKind::kRsqrt:
      return FloatUnary(node, in, [](auto a) { return decltype(a)(1) / std::sqrt(a); });
    case OpKind::kLeakyRelu: {
      // alpha in the element type, as the compiled code has it; NaN stays NaN.
      const double alpha = AttrFloat(node.attrs, "alpha");
      return FloatUnary(node, in, [alpha](auto a) {
        using T = decltype(a);
        return a > T(0) ? a : a * static_cast<T>(alpha);
      });
    }
    case OpKind::kSigmoid: return FloatUnary(node, in, [](auto a) { return SigmoidOf(a); });
    case OpKind::kTanh: return FloatUnary(node, in, [](auto a) { return std::tanh(a); });
    case OpKind::kCompare: return Compare(node, in);
    case OpKind::kSelect: return Select(node, in);
    case OpKind::kCast: return EvalCast(node, in);
    default: return absl::InternalError(StrCat(OpName(node.op), " is not an elementwise op"));
  }
}

}  // namespace dlc::interpreter_internal
