// Internal to the reference interpreter: one evaluation function per family
// of ops, each in its own file. EvaluateNode (evaluate_node.cc) checks a node
// against its operands before calling these, so every kernel may assume the
// operands have the types the op's type rule accepts and that node.type is
// the result type that rule gives.
#ifndef DLC_IR_INTERPRETER_KERNELS_H_
#define DLC_IR_INTERPRETER_KERNELS_H_

#include <span>

#include "absl/status/statusor.h"
#include "ir/graph.h"
#include "ir/tensor.h"

namespace dlc::interpreter_internal {

using Operands = std::span<const Tensor* const>;

// conversions.cc: constant, cast.
absl::StatusOr<Tensor> EvalConstant(const Node& node);
absl::StatusOr<Tensor> EvalCast(const Node& node, Operands operands);

// elementwise.cc: add ... tanh, compare, select (numpy broadcasting), and
// cast (EvalCast).
absl::StatusOr<Tensor> EvalElementwise(const Node& node, Operands operands);

// data_movement.cc: reshape, flatten, transpose, broadcast, slice, concat, pad.
absl::StatusOr<Tensor> EvalDataMovement(const Node& node, Operands operands);

// reductions.cc: reduce_sum, reduce_mean, reduce_max, argmax.
absl::StatusOr<Tensor> EvalReduction(const Node& node, Operands operands);

// matmul.cc, conv2d.cc, pooling.cc.
absl::StatusOr<Tensor> EvalMatMul(const Node& node, Operands operands);
absl::StatusOr<Tensor> EvalConv2D(const Node& node, Operands operands);
absl::StatusOr<Tensor> EvalPool2D(const Node& node, Operands operands);

// conv2d_backprop.cc: conv2d_backprop_input, conv2d_backprop_filter.
absl::StatusOr<Tensor> EvalConv2DBackprop(const Node& node, Operands operands);

// pooling_grad.cc: maxpool2d_grad, avgpool2d_grad, maxpool2d_argmax, maxpool2d_scatter.
absl::StatusOr<Tensor> EvalPool2DGrad(const Node& node, Operands operands);

// softmax.cc: softmax, log_softmax, softmax_cross_entropy, and one_hot
// (EvalOneHot).
absl::StatusOr<Tensor> EvalSoftmaxFamily(const Node& node, Operands operands);

// one_hot.cc.
absl::StatusOr<Tensor> EvalOneHot(const Node& node, Operands operands);

// random.cc.
absl::StatusOr<Tensor> EvalRandomUniform(const Node& node, Operands operands);

}  // namespace dlc::interpreter_internal

#endif  // DLC_IR_INTERPRETER_KERNELS_H_
