#include "ir/verifier.h"

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "ir/str_cat.h"
#include "ir/status_macros.h"

namespace dlc {
namespace {

absl::Status NodeError(const Graph& graph, ValueId id, std::string_view message) {
  return absl::InvalidArgumentError(StrCat(DescribeNode(graph, id), ": ", message));
}

absl::Status CheckOperands(const Graph& graph, ValueId id, const OpDef& def) {
  const Node& node = graph.node(id);
  const int count = static_cast<int>(node.operands.size());
  if (count < def.min_operands || (def.max_operands >= 0 && count > def.max_operands)) {
    std::string expected =
        def.max_operands < 0 ? StrCat("at least ", def.min_operands)
        : def.min_operands == def.max_operands
            ? StrCat(def.min_operands)
            : StrCat(def.min_operands, " to ", def.max_operands);
    return NodeError(graph, id,
                     StrCat("expects ", expected, " operand",
                                  expected == "1" ? "" : "s", ", got ", count));
  }
  for (ValueId operand : node.operands) {
    if (operand < 0 || operand >= graph.size()) {
      return NodeError(graph, id, StrCat("operand #", operand, " does not exist"));
    }
    if (operand >= id) {
      return NodeError(graph, id,
                       StrCat("operand %", graph.node(operand).name,
                                    " is used before its definition"));
    }
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
    if (!HasKind(value, spec->kind)) {
      return NodeError(graph, id,
                       StrCat("attribute '", name, "' must be ", AttrKindName(spec->kind),
                                    ", got ", AttributeToString(value)));
    }
  }
  for (const AttrSpec& spec : def.attrs) {
    if (!node.attrs.contains(std::string(spec.name))) {
      return NodeError(graph, id, StrCat("missing attribute '", spec.name, "' (",
                                               AttrKindName(spec.kind), ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string DescribeNode(const Graph& graph, ValueId id) {
  const Node& node = graph.node(id);
  std::string what = StrCat("%", node.name, " = ", OpName(node.op));
  return node.loc.known() ? StrCat(node.loc.ToString(), ": ", what) : what;
}

absl::StatusOr<TensorType> InferNodeType(const Graph& graph, ValueId id) {
  const Node& node = graph.node(id);
  const OpDef& def = GetOpDef(node.op);
  DLC_RETURN_IF_ERROR(CheckOperands(graph, id, def));
  DLC_RETURN_IF_ERROR(CheckAttributes(graph, id, def));
  for (int64_t d : node.type.shape) {
    if (d < 0) return NodeError(graph, id, "declared type has a negative dimension");
  }
  std::vector<TensorType> operand_types;
  for (ValueId operand : node.operands) operand_types.push_back(graph.type(operand));
  auto result = def.result_type(TypeRuleInput{operand_types, node.attrs, node.type});
  if (!result.ok()) return NodeError(graph, id, std::string(result.status().message()));
  return result;
}

absl::Status VerifyGraph(const Graph& graph) {
  absl::flat_hash_set<std::string_view> names;
  for (ValueId id = 0; id < graph.size(); ++id) {
    const Node& node = graph.node(id);
    if (node.name.empty()) return NodeError(graph, id, "value has no name");
    if (!names.insert(node.name).second) {
      return NodeError(graph, id, StrCat("value %", node.name, " is defined twice"));
    }
    DLC_ASSIGN_OR_RETURN(TensorType inferred, InferNodeType(graph, id));
    if (inferred != node.type) {
      return NodeError(graph, id,
                       StrCat("declared type ", node.type.ToString(),
                                    " does not match the type its operands give, ",
                                    inferred.ToString()));
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
