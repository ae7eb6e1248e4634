// constant and cast: making elements of a dtype from numbers (see convert.h
// for the conversion rule).
#include "ir/convert.h"
#include "ir/interpreter/dispatch.h"
#include "ir/interpreter/kernels.h"

namespace dlc::interpreter_internal {

absl::StatusOr<Tensor> EvalConstant(const Node& node) {
  const FloatList values = AttrFloats(node.attrs, "value");
  return DispatchAnyDType(node.type.dtype, [&](auto tag) -> absl::StatusOr<Tensor> {
    using T = typename decltype(tag)::type;
    Tensor out(node.type);
    std::span<T> elements = out.values<T>();
    // The type rule allows one value (a splat) or one per element.
    for (size_t i = 0; i < elements.size(); ++i) {
      elements[i] = ConvertTo<T>(values.size() == 1 ? values[0] : values[i], node.type.dtype);
    }
    return out;
  });
}

absl::StatusOr<Tensor> EvalCast(const Node& node, Operands operands) {
  const Tensor& x = *operands[0];
  const DType to = node.type.dtype;
  return DispatchAnyDType(x.dtype(), [&](auto from_tag) {
    using From = typename decltype(from_tag)::type;
    return DispatchAnyDType(to, [&](auto to_tag) -> absl::StatusOr<Tensor> {
      using To = typename decltype(to_tag)::type;
      Tensor out(node.type);
      std::span<const From> in = x.values<From>();
      std::span<To> result = out.values<To>();
      for (size_t i = 0; i < in.size(); ++i) {
        result[i] = ConvertTo<To>(static_cast<double>(in[i]), to);
      }
      return out;
    });
  });
}

}  // namespace dlc::interpreter_internal
