// The declaration of every tensor-IR op: name, operand count, attributes with
// their defaults, and the result-type rule. Everything that needs to know
// "what does op X accept and produce" asks here.
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
#define DLC_OP(kind, name) k##kind,
#include "ir/ops.def"
#undef DLC_OP
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
  int min_operands;
  int max_operands;  // -1: variadic
  std::vector<AttrSpec> attrs;
  TypeRule result_type;
};

const OpDef& GetOpDef(OpKind kind);
std::string_view OpName(OpKind kind);
std::optional<OpKind> LookupOp(std::string_view name);
std::span<const OpDef> AllOpDefs();
// The known op names, for "did you mean" hints.
std::vector<std::string_view> AllOpNames();

// Adds the declared defaults of `kind` for every attribute missing in `attrs`.
void FillDefaultAttributes(OpKind kind, Attributes& attrs);

}  // namespace dlc

#endif  // DLC_IR_OP_REGISTRY_H_
