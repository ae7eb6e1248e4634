// EvaluateNode: checks one node against the operand tensors it is given, then
// hands it to the kernel for its op.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ir/interpreter.h"
#include "ir/interpreter/kernels.h"
#include "ir/op_registry.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

using interpreter_internal::Operands;

// "file:3:5: %y = conv2d", the prefix of every error about a node.
std::string Describe(const Node& node) {
  std::string what = StrCat("%", node.name, " = ", OpName(node.op));
  return node.loc.known() ? StrCat(node.loc.ToString(), ": ", what) : what;
}

// The declared attributes, each present with its kind (type rules read them
// without checking).
absl::Status CheckAttributes(const Node& node, const OpDef& def) {
  for (const AttrSpec& spec : def.attrs) {
    auto it = node.attrs.find(std::string(spec.name));
    if (it == node.attrs.end() || !HasKind(it->second, spec.kind)) {
      return absl::InvalidArgumentError(
          StrCat("attribute '", spec.name, "' is missing or not ", AttrKindName(spec.kind)));
    }
  }
  return absl::OkStatus();
}

// The operands must be ones the op's type rule accepts and give exactly the
// node's type, so the kernels can index without further checks.
absl::Status CheckOperands(const Node& node, Operands operands) {
  const OpDef& def = GetOpDef(node.op);
  const int count = static_cast<int>(operands.size());
  if (count < def.min_operands || (def.max_operands >= 0 && count > def.max_operands)) {
    return absl::InvalidArgumentError(StrCat("got ", count, " operands"));
  }
  std::vector<TensorType> types;
  for (const Tensor* operand : operands) {
    if (operand == nullptr) return absl::InvalidArgumentError("an operand is missing (null)");
    types.push_back(operand->type());
  }
  if (absl::Status s = CheckAttributes(node, def); !s.ok()) return s;
  auto result = def.result_type(TypeRuleInput{types, node.attrs, node.type});
  if (!result.ok()) return result.status();
  if (*result != node.type) {
    return absl::InvalidArgumentError(StrCat("operands give ", result->ToString(),
                                             ", but the node's type is ", node.type.ToString()));
  }
  return absl::OkStatus();
}

// Larger results are refused rather than risking an allocation failure; the
// element count is computed without overflow.
absl::Status CheckAllocatable(const TensorType& type) {
  constexpr int64_t kMaxBytes = int64_t{1} << 33;  // 8 GiB
  int64_t bytes = DTypeSize(type.dtype);
  for (int64_t d : type.shape) {
    if (d < 0)
      return absl::InvalidArgumentError(StrCat(type.ToString(), " has a negative dimension"));
    if (d == 0) return absl::OkStatus();
    if (bytes > kMaxBytes / d) {
      return absl::ResourceExhaustedError(
          StrCat("result ", type.ToString(), " is larger than the interpreter's 8 GiB limit"));
    }
    bytes *= d;
  }
  return absl::OkStatus();
}

// One kernel file per family of ops (OpCategory).
absl::StatusOr<Tensor> Dispatch(const Node& node, Operands operands) {
  namespace internal = interpreter_internal;
  const OpDef& def = GetOpDef(node.op);
  switch (def.category) {
    case OpCategory::kSource:
      if (node.op == OpKind::kConstant) return internal::EvalConstant(node);
      return absl::FailedPreconditionError("inputs and parameters are fed, not evaluated");
    case OpCategory::kElementwise: return internal::EvalElementwise(node, operands);
    case OpCategory::kDataMovement: return internal::EvalDataMovement(node, operands);
    case OpCategory::kReduction: return internal::EvalReduction(node, operands);
    case OpCategory::kContraction:
      if (node.op == OpKind::kMatMul) return internal::EvalMatMul(node, operands);
      if (def.forward) return internal::EvalConv2DBackprop(node, operands);
      return internal::EvalConv2D(node, operands);
    case OpCategory::kWindow:
      if (def.forward) return internal::EvalPool2DGrad(node, operands);
      return internal::EvalPool2D(node, operands);
    case OpCategory::kSoftmaxFamily: return internal::EvalSoftmaxFamily(node, operands);
    case OpCategory::kRandom: return internal::EvalRandomUniform(node, operands);
  }
  return absl::InternalError("unknown op");
}

}  // namespace

absl::StatusOr<Tensor> EvaluateNode(const Node& node, std::span<const Tensor* const> operands) {
  absl::Status status = CheckOperands(node, operands);
  if (status.ok()) status = CheckAllocatable(node.type);
  if (status.ok()) {
    absl::StatusOr<Tensor> result = Dispatch(node, operands);
    if (result.ok()) return result;
    status = result.status();
  }
  return absl::Status(status.code(), StrCat(Describe(node), ": ", status.message()));
}

}  // namespace dlc
