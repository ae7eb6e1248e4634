// The declaration of every tensor-IR op (ir/ops.def): name, family, operand
// count, attributes with their defaults, and the result-type rule.
// Everything that needs to know "what does op X accept and produce", or
// which ops are elementwise, asks here.
#ifndef DLC_IR_OP_REGISTRY_H_
#define DLC_IR_OP_REGISTRY_H_

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/attribute.h"
#include "ir/tensor_type.h"

namespace dlc {

enum class OpKind : uint16_t {
#define DLC_OP(kind, ...) k##kind,
#include "ir/ops.def"
#undef DLC_OP
};

// An op's family: what the interpreter, the cost model and the loop
// lowering dispatch on, one kernel file each.
enum class OpCategory : uint8_t {
  kSource,         // input, parameter, constant: no computation
  kElementwise,    // each result element from the operands' elements at its
                   // index (numpy broadcasting), cast included
  kDataMovement,   // elements moved or copied, no arithmetic
  kReduction,      // over axes: sums, means, maxima and their places
  kContraction,    // multiply-adds: matmul, conv2d and its two gradients
  kWindow,         // a 2-D window over NHWC: pools and their gradients
  kSoftmaxFamily,  // softmax, log_softmax, the cross-entropy loss and one_hot
  kRandom,         // counter-based random numbers
};

struct AttrSpec {
  std::string_view name;
  AttrKind kind;
  std::optional<Attribute> default_value;  // nullopt: the attribute is required
};

// What a result-type rule sees. `declared` is the type written on the node;
// only source ops (input, parameter, constant) take their type from it.
struct TypeRuleInput {
  std::span<const TensorType> operands;
  const Attributes& attrs;
  const TensorType& declared;
};

// Returns the result type, or an error saying what is wrong with the operands
// or attributes (the caller adds which node it is).
using TypeRule = absl::StatusOr<TensorType> (*)(const TypeRuleInput&);

struct OpDef {
  OpKind kind;
  std::string_view name;
  OpCategory category;
  int min_operands;
  int max_operands;  // -1: variadic
  // Its own attributes, then (for a gradient op) every attribute of `forward`.
  std::vector<AttrSpec> attrs;
  // A gradient op: the forward op whose attributes it takes by declaration.
  std::optional<OpKind> forward;
  TypeRule result_type;
};

const OpDef& GetOpDef(OpKind kind);
std::string_view OpName(OpKind kind);
std::optional<OpKind> LookupOp(std::string_view name);
std::span<const OpDef> AllOpDefs();
// The known op names, for "did you mean" hints.
std::vector<std::string_view> AllOpNames();

OpCategory CategoryOf(OpKind kind);
inline bool IsElementwise(OpKind kind) { return CategoryOf(kind) == OpCategory::kElementwise; }

// The attributes gradient op `grad` takes from the forward node (of op
// `forward`, attributes `forward_attrs`): all that the forward op declares.
// Fails when `grad` is not declared a gradient of `forward`.
absl::StatusOr<Attributes> ForwardAttributes(OpKind grad, OpKind forward,
                                             const Attributes& forward_attrs);

// Adds the declared defaults of `kind` for every attribute missing in `attrs`.
void FillDefaultAttributes(OpKind kind, Attributes& attrs);

}  // namespace dlc

#endif  // DLC_IR_OP_REGISTRY_H_
