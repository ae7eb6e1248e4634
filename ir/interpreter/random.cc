// random_uniform: counter-based uniform numbers (see ir/random_hash.h).
#include "ir/interpreter/kernels.h"
#include "ir/random_hash.h"

namespace dlc::interpreter_internal {

absl::StatusOr<Tensor> EvalRandomUniform(const Node& node, Operands operands) {
  const std::span<const int32_t> key = operands[0]->values<int32_t>();
  const int64_t stream = AttrInt(node.attrs, "stream");
  Tensor result(node.type);
  for (int64_t i = 0; i < result.num_elements(); ++i) {
    result.SetDouble(i, RandomUniform(key[0], key[1], stream, i));
  }
  return result;
}

}  // namespace dlc::interpreter_internal
