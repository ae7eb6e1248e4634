#include "ir/interpreter/indexing.h"

namespace dlc::interpreter_internal {

std::vector<int64_t> BroadcastStrides(const Shape& operand, const Shape& result) {
  const std::vector<int64_t> operand_strides = RowMajorStrides(operand);
  const size_t skipped = result.size() - operand.size();  // leading axes the operand lacks
  std::vector<int64_t> strides(result.size(), 0);
  for (size_t i = 0; i < operand.size(); ++i) {
    if (operand[i] != 1) strides[skipped + i] = operand_strides[i];
  }
  return strides;
}

AxisSplit SplitAtAxis(const Shape& shape, int64_t axis) {
  AxisSplit split;
  for (int64_t d = 0; d < axis; ++d) split.outer *= shape[d];
  split.axis_size = shape[axis];
  for (int64_t d = axis + 1; d < static_cast<int64_t>(shape.size()); ++d) split.inner *= shape[d];
  return split;
}

}  // namespace dlc::interpreter_internal
