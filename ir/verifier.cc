#include "ir/verifier.h"

#include <cctype>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

absl::Status NodeError(const Graph& graph, ValueId id, std::string_view message) {
  return absl::InvalidArgumentError(StrCat(DescribeNode(graph, id), ": ", message));
}

absl::Status CheckOperands(const Graph& graph, ValueId id, const OpDef& def) {
  const Node& node = graph.node(id);
  const int count = static_cast<int>(node.operands.size());
  if (count < def.min_operands || (def.max_operands >= 0 && count > def.max_operands)) {
    std::string expected = def.max_operands < 0 ? StrCat("at least ", def.min_operands)
                           : def.min_operands == def.max_operands
                               ? StrCat(def.min_operands)
                               : StrCat(def.min_operands, " to ", def.max_operands);
    return NodeError(
        graph, id,
        StrCat("expects ", expected, " operand",
               (def.max_operands < 0 ? def.min_operands : def.max_operands) == 1 ? "" : "s",
               ", got ", count));
  }
  for (ValueId operand : node.operands) {
    if (operand < 0 || operand >= graph.size()) {
      return NodeError(graph, id, StrCat("operand #", operand, " does not exist"));
    }
    if (operand >= id) {
      return NodeError(
          graph, id,
          StrCat("operand %", graph.node(operand).name, " is used before its definition"));
    }
  }
  return absl::OkStatus();
}

bool AttributeIntsInRange(const Attribute& value) {
  auto in_range = [](int64_t v) { return v >= -kMaxAttributeInt && v <= kMaxAttributeInt; };
  if (const auto* i = std::get_if<int64_t>(&value)) return in_range(*i);
  if (const auto* list = std::get_if<IntList>(&value)) {
    for (int64_t v : *list) {
      if (!in_range(v)) return false;
    }
  }
  return true;
}

absl::Status CheckDimensions(const Graph& graph, ValueId id, const TensorType& type,
                             std::string_view which) {
  for (int64_t d : type.shape) {
    if (d < 0)
      return NodeError(graph, id,
                       StrCat(which, " type ", type.ToString(), " has a negative dimension"));
    if (d > kMaxDimension) {
      return NodeError(graph, id,
                       StrCat(which, " type ", type.ToString(), " has a dimension beyond 2^40"));
    }
  }
  if (type.num_elements() > kMaxDimension) {
    return NodeError(graph, id,
                     StrCat(which, " type ", type.ToString(), " has more than 2^40 elements"));
  }
  return absl::OkStatus();
}

absl::Status CheckAttributes(const Graph& graph, ValueId id, const OpDef& def) {
  const Node& node = graph.node(id);
  for (const auto& [name, value] : node.attrs) {
    const AttrSpec* spec = nullptr;
    for (const AttrSpec& s : def.attrs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) {
      return NodeError(graph, id, StrCat("unknown attribute '", name, "'"));
    }
    if (!AttributeIntsInRange(value)) {
      return NodeError(graph, id, StrCat("attribute '", name, "' has an integer beyond ±2^40"));
    }
    if (!HasKind(value, spec->kind)) {
      return NodeError(graph, id,
                       StrCat("attribute '", name, "' must be ", AttrKindName(spec->kind), ", got ",
                              AttributeToString(value)));
    }
  }
  for (const AttrSpec& spec : def.attrs) {
    if (!node.attrs.contains(std::string(spec.name))) {
      return NodeError(
          graph, id, StrCat("missing attribute '", spec.name, "' (", AttrKindName(spec.kind), ")"));
    }
  }
  return absl::OkStatus();
}

// Names appear in the text form as %name and in checkpoints: keep them plain.
bool IsValidValueName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.') return false;
  }
  return true;
}

bool IsValidGraphName(std::string_view name) {
  return IsValidValueName(name) && !std::isdigit(static_cast<unsigned char>(name[0]));
}

}  // namespace

std::string DescribeNode(const Graph& graph, ValueId id) {
  const Node& node = graph.node(id);
  // An unnamed node (a graph built by hand) is named by its index.
  std::string what = node.name.empty() ? StrCat("#", id, " = ", OpName(node.op))
                                       : StrCat("%", node.name, " = ", OpName(node.op));
  return node.loc.known() ? StrCat(node.loc.ToString(), ": ", what) : what;
}

absl::StatusOr<TensorType> InferNodeType(const Graph& graph, ValueId id) {
  const Node& node = graph.node(id);
  const OpDef& def = GetOpDef(node.op);
  DLC_RETURN_IF_ERROR(CheckOperands(graph, id, def));
  DLC_RETURN_IF_ERROR(CheckAttributes(graph, id, def));
  DLC_RETURN_IF_ERROR(CheckDimensions(graph, id, node.type, "declared"));
  std::vector<TensorType> operand_types;
  for (ValueId operand : node.operands) operand_types.push_back(graph.type(operand));
  auto result = def.result_type(TypeRuleInput{operand_types, node.attrs, node.type});
  if (!result.ok()) return NodeError(graph, id, std::string(result.status().message()));
  DLC_RETURN_IF_ERROR(CheckDimensions(graph, id, *result, "result"));
  return result;
}

absl::Status VerifyGraph(const Graph& graph) {
  if (!IsValidGraphName(graph.name)) {
    return absl::InvalidArgumentError(
        StrCat("graph name '", graph.name,
               "' must start with a letter or '_' and contain only letters, digits, '_' and '.'"));
  }
  absl::flat_hash_set<std::string_view> names;
  for (ValueId id = 0; id < graph.size(); ++id) {
    const Node& node = graph.node(id);
    if (node.name.empty()) return NodeError(graph, id, "the value has no name");
    if (!IsValidValueName(node.name)) {
      return NodeError(graph, id, "a value name must be letters, digits, '_' and '.'");
    }
    if (!names.insert(node.name).second) {
      return NodeError(graph, id, StrCat("value %", node.name, " is defined twice"));
    }
    DLC_ASSIGN_OR_RETURN(TensorType inferred, InferNodeType(graph, id));
    if (inferred != node.type) {
      return NodeError(graph, id,
                       StrCat("declared type ", node.type.ToString(),
                              " does not match the type its operands give, ", inferred.ToString()));
    }
  }
  if (graph.outputs.empty()) {
    return absl::InvalidArgumentError(StrCat("graph ", graph.name, " returns nothing"));
  }
  for (ValueId out : graph.outputs) {
    if (out < 0 || out >= graph.size()) {
      return absl::InvalidArgumentError(
          StrCat("graph ", graph.name, " returns value #", out, ", which does not exist"));
    }
  }
  return absl::OkStatus();
}

absl::Status VerifyModule(const Module& module) {
  absl::flat_hash_set<std::string_view> names;
  for (const Graph& graph : module.graphs) {
    if (!names.insert(graph.name).second) {
      return absl::InvalidArgumentError(StrCat("graph ", graph.name, " is defined twice"));
    }
    DLC_RETURN_IF_ERROR(VerifyGraph(graph));
  }
  return absl::OkStatus();
}

}  // namespace dlc
