#include "ir/printer.h"

#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

// Attributes in declaration order, leaving out those equal to the default.
std::vector<std::string> NonDefaultAttributes(const Node& node) {
  std::vector<std::string> parts;
  for (const AttrSpec& spec : GetOpDef(node.op).attrs) {
    auto it = node.attrs.find(std::string(spec.name));
    if (it == node.attrs.end()) continue;
    if (spec.default_value && *spec.default_value == it->second) continue;
    parts.push_back(StrCat(spec.name, "=", AttributeToString(it->second)));
  }
  // Attributes the op does not declare (an unverified graph) are shown too.
  for (const auto& [name, value] : node.attrs) {
    bool declared = false;
    for (const AttrSpec& spec : GetOpDef(node.op).attrs) declared |= spec.name == name;
    if (!declared) parts.push_back(StrCat(name, "=", AttributeToString(value)));
  }
  return parts;
}

std::string ValueRef(const Graph& graph, ValueId id) {
  if (id < 0 || id >= graph.size()) return StrCat("%<invalid #", id, ">");
  return StrCat("%", graph.node(id).name);
}

std::string EscapeDot(std::string_view text) {
  return absl::StrReplaceAll(absl::string_view(text.data(), text.size()),
                             {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}});
}

}  // namespace

std::string PrintNode(const Graph& graph, ValueId id) {
  const Node& node = graph.node(id);
  std::string line = StrCat("%", node.name, " = ", OpName(node.op), "(");
  for (size_t i = 0; i < node.operands.size(); ++i) {
    if (i > 0) line += ", ";
    line += ValueRef(graph, node.operands[i]);
  }
  line += ")";
  std::vector<std::string> attrs = NonDefaultAttributes(node);
  if (!attrs.empty()) line += StrCat(" {", absl::StrJoin(attrs, ", "), "}");
  return StrCat(line, " : ", node.type.ToString());
}

std::string PrintGraph(const Graph& graph) {
  std::string text = StrCat("graph ", graph.name, " {\n");
  for (ValueId id = 0; id < graph.size(); ++id) {
    text += StrCat("  ", PrintNode(graph, id), "\n");
  }
  std::vector<std::string> outputs;
  for (ValueId out : graph.outputs) outputs.push_back(ValueRef(graph, out));
  return StrCat(text, "  return ", absl::StrJoin(outputs, ", "), "\n}\n");
}

std::string PrintModule(const Module& module) {
  std::vector<std::string> graphs;
  for (const Graph& graph : module.graphs) graphs.push_back(PrintGraph(graph));
  return absl::StrJoin(graphs, "\n");
}

std::string GraphToDot(const Graph& graph) {
  std::string dot = StrCat("digraph \"", EscapeDot(graph.name), "\" {\n", "  rankdir=TB;\n",
                           "  node [shape=box, style=rounded, fontname=\"monospace\"];\n");
  for (ValueId id = 0; id < graph.size(); ++id) {
    const Node& node = graph.node(id);
    std::string label = StrCat("%", node.name, " = ", OpName(node.op));
    std::vector<std::string> attrs = NonDefaultAttributes(node);
    if (!attrs.empty()) label += StrCat("\n", absl::StrJoin(attrs, "\n"));
    label += StrCat("\n", node.type.ToString());
    const bool source =
        node.op == OpKind::kInput || node.op == OpKind::kParameter || node.op == OpKind::kConstant;
    dot += StrCat("  n", id, " [label=\"", EscapeDot(label), "\"", source ? ", shape=note" : "",
                  "];\n");
    for (ValueId operand : node.operands) dot += StrCat("  n", operand, " -> n", id, ";\n");
  }
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    dot += StrCat("  out", i, " [label=\"return #", i, "\", shape=oval];\n");
    dot += StrCat("  n", graph.outputs[i], " -> out", i, ";\n");
  }
  return dot + "}\n";
}

}  // namespace dlc
