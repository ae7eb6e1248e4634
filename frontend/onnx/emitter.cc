#include "frontend/onnx/emitter.h"

#include <algorithm>

#include "support/str_cat.h"

namespace dlc::onnx_export {

Emitter::Emitter(const Graph& graph, std::vector<bool> live, std::vector<std::string> names,
                 onnx::GraphProto& out)
    : graph_(graph),
      live_(std::move(live)),
      names_(std::move(names)),
      users_(graph.nodes.size()),
      out_(out) {
  for (ValueId id = 0; id < graph.size(); ++id) {
    taken_.insert(graph.node(id).name);
    taken_.insert(names_[id]);
    if (!live_[id]) continue;
    for (ValueId operand : graph.node(id).operands) users_[operand].push_back(id);
  }
}

bool Emitter::IsOutput(ValueId id) const {
  return std::find(graph_.outputs.begin(), graph_.outputs.end(), id) != graph_.outputs.end();
}

bool Emitter::HasSingleUser(ValueId id) const { return users_[id].size() == 1 && !IsOutput(id); }

std::string Emitter::FreshName(std::string_view base) {
  std::string name(base);
  for (int k = 1; taken_.contains(name); ++k) name = StrCat(base, ".", k);
  taken_.insert(name);
  return name;
}

onnx::NodeProto& Emitter::AddNode(std::string_view op_type, const std::vector<std::string>& inputs,
                                  const std::vector<std::string>& outputs) {
  onnx::NodeProto& node = *out_.add_node();
  node.set_op_type(std::string(op_type));
  // Node names are for people reading the model (Netron): its first output's.
  if (!outputs.empty()) node.set_name(outputs[0]);
  for (const std::string& input : inputs) node.add_input(input);
  for (const std::string& output : outputs) node.add_output(output);
  return node;
}

bool Emitter::IsConvFilterOnly(ValueId id) const {
  if (node(id).op != OpKind::kParameter || IsOutput(id) || users_[id].empty()) return false;
  for (ValueId user : users_[id]) {
    const Node& n = node(user);
    if (n.op != OpKind::kConv2D || n.operands[0] == id) return false;
  }
  return true;
}

std::string Emitter::FilterOIHW(ValueId id) {
  if (IsConvFilterOnly(id)) return Name(id);
  if (auto it = filters_.find(id); it != filters_.end()) return it->second;
  const std::string name = FreshName(StrCat(Name(id), ".oihw"));
  SetAttr(AddNode("Transpose", {Name(id)}, {name}), "perm", std::vector<int64_t>{3, 2, 0, 1});
  filters_.emplace(id, name);
  return name;
}

absl::Status Emitter::Unsupported(ValueId id, std::string_view why) const {
  const Node& n = node(id);
  return absl::UnimplementedError(
      StrCat("cannot export %", n.name, " = ", OpName(n.op), " (", n.type.ToString(),
             n.loc.known() ? StrCat(", from ", n.loc.ToString()) : "", ") to ONNX: ", why));
}

void SetAttr(onnx::NodeProto& node, const std::string& name, int64_t value) {
  onnx::AttributeProto* attr = node.add_attribute();
  attr->set_name(name);
  attr->set_type(onnx::AttributeProto_AttributeType_INT);
  attr->set_i(value);
}

void SetAttr(onnx::NodeProto& node, const std::string& name, float value) {
  onnx::AttributeProto* attr = node.add_attribute();
  attr->set_name(name);
  attr->set_type(onnx::AttributeProto_AttributeType_FLOAT);
  attr->set_f(value);
}

void SetAttr(onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& values) {
  onnx::AttributeProto* attr = node.add_attribute();
  attr->set_name(name);
  attr->set_type(onnx::AttributeProto_AttributeType_INTS);
  for (int64_t v : values) attr->add_ints(v);
}

}  // namespace dlc::onnx_export
