// Vector-Jacobian products: for an op y = f(x1, ..., xn) and the gradient dy
// of the loss with respect to y, the contributions dx1..dxn, emitted as IR.
#ifndef DLC_PASSES_VJP_RULES_H_
#define DLC_PASSES_VJP_RULES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/builder.h"

namespace dlc {

// What a rule works with: the graph being extended, and naming for the ops
// it adds ("<y>.vjpN", so a dump shows where each came from; they carry
// y's source location, so errors about them point at the forward op).
class VjpContext {
 public:
  // `needs[i]`: whether operand i's gradient is wanted; rules skip work
  // (a convolution's input gradient, say) for operands that do not need it.
  VjpContext(GraphBuilder& builder, ValueId y, std::vector<bool> needs)
      : builder_(builder), y_(y), needs_(std::move(needs)) {}

  const Node& node() const { return builder_.node(y_); }
  ValueId y() const { return y_; }
  ValueId operand(int i) const { return node().operands[i]; }
  bool needs(int i) const { return needs_[i]; }
  const TensorType& type(ValueId v) const { return builder_.type(v); }

  absl::StatusOr<ValueId> Op(OpKind op, std::vector<ValueId> operands, Attributes attrs = {});
  // The attributes gradient op `grad` takes from the forward node by its
  // declaration (ops.def: GradientOf), so none can be forgotten here.
  absl::StatusOr<Attributes> ForwardAttrs(OpKind grad) const {
    return ForwardAttributes(grad, node().op, node().attrs);
  }
  // The same, named "<y>.<role>" (a value a dump's reader should recognize,
  // such as a pool's argmax) when that name is free.
  absl::StatusOr<ValueId> NamedOp(std::string_view role, OpKind op, std::vector<ValueId> operands,
                                  Attributes attrs = {});
  // A scalar constant of `dtype`.
  absl::StatusOr<ValueId> Scalar(double value, DType dtype);
  // Sums `g` over the axes numpy broadcasting added or stretched, so that
  // it has `shape` again: the gradient of an implicit broadcast.
  absl::StatusOr<ValueId> SumToShape(ValueId g, const Shape& shape);

 private:
  GraphBuilder& builder_;
  ValueId y_;
  std::vector<bool> needs_;
  int count_ = 0;
};

// One contribution per operand; nullopt where the operand gets none (an
// integer operand, or one the rule does not differentiate).
using Contributions = std::vector<std::optional<ValueId>>;
using VjpRule = absl::StatusOr<Contributions> (*)(VjpContext& ctx, ValueId dy);

// The rule for `op`, or nullptr if it has none.
VjpRule FindVjpRule(OpKind op);

}  // namespace dlc

#endif  // DLC_PASSES_VJP_RULES_H_
