// one_hot {depth, dtype}: labels [...] -> [..., depth] with a 1 at each
// label's position. A label outside [0, depth) gives an all-zero row, as in
// TensorFlow (so padding labels like -1 are harmless).
#include <cstdint>

#include "ir/convert.h"
#include "ir/interpreter/dispatch.h"
#include "ir/interpreter/kernels.h"

namespace dlc::interpreter_internal {

absl::StatusOr<Tensor> EvalOneHot(const Node& node, Operands in) {
  const Tensor& labels = *in[0];
  const int64_t depth = node.type.shape.back();
  return DispatchInteger(labels.dtype(), [&](auto label_tag) {
    using L = typename decltype(label_tag)::type;
    std::span<const L> label_values = labels.values<L>();
    return DispatchAnyDType(node.type.dtype, [&](auto tag) -> absl::StatusOr<Tensor> {
      using T = typename decltype(tag)::type;
      Tensor out(node.type);  // all zeros
      std::span<T> values = out.values<T>();
      const T one = ConvertTo<T>(1.0, node.type.dtype);
      for (size_t i = 0; i < label_values.size(); ++i) {
        const int64_t label = label_values[i];
        if (label >= 0 && label < depth) values[static_cast<int64_t>(i) * depth + label] = one;
      }
      return out;
    });
  });
}

}  // namespace dlc::interpreter_internal
