#include "ir/builder.h"

#include "ir/verifier.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {

GraphBuilder::GraphBuilder(std::string graph_name) { graph_.name = std::move(graph_name); }

GraphBuilder::GraphBuilder(Graph graph) : graph_(std::move(graph)) {
  for (ValueId id = 0; id < graph_.size(); ++id) names_.emplace(graph_.node(id).name, id);
}

bool GraphBuilder::HasValue(std::string_view name) const {
  return names_.contains(absl::string_view(name.data(), name.size()));
}

absl::Status GraphBuilder::Rename(ValueId id, std::string name) {
  if (HasValue(name)) {
    return absl::AlreadyExistsError(StrCat("value %", name, " already exists"));
  }
  names_.erase(graph_.nodes[id].name);
  names_.emplace(name, id);
  graph_.nodes[id].name = std::move(name);
  return absl::OkStatus();
}

std::string GraphBuilder::FreshName() {
  std::string name;
  do {
    name = StrCat(next_name_++);
  } while (HasValue(name));
  return name;
}

absl::StatusOr<ValueId> GraphBuilder::Add(OpKind op, std::vector<ValueId> operands,
                                          Attributes attrs, std::string name, SourceLoc loc) {
  // The type is inferred from the operands; only sources declare their own.
  return AddNode(op, std::move(operands), std::move(attrs), TensorType{}, std::move(name),
                 std::move(loc));
}

absl::StatusOr<ValueId> GraphBuilder::AddNode(OpKind op, std::vector<ValueId> operands,
                                              Attributes attrs, TensorType type, std::string name,
                                              SourceLoc loc) {
  FillDefaultAttributes(op, attrs);
  Node node;
  node.op = op;
  node.operands = std::move(operands);
  node.attrs = std::move(attrs);
  node.type = std::move(type);
  node.name = name.empty() ? FreshName() : std::move(name);
  node.loc = std::move(loc);
  const bool duplicate = HasValue(node.name);
  const ValueId id = graph_.size();
  graph_.nodes.push_back(std::move(node));
  if (duplicate) {
    std::string message =
        StrCat(DescribeNode(graph_, id), ": value %", graph_.node(id).name, " is defined twice");
    graph_.nodes.pop_back();
    return absl::InvalidArgumentError(message);
  }
  auto inferred = InferNodeType(graph_, id);
  if (!inferred.ok()) {
    graph_.nodes.pop_back();
    return inferred.status();
  }
  graph_.nodes.back().type = *std::move(inferred);
  names_.emplace(graph_.nodes.back().name, id);
  return id;
}

absl::StatusOr<ValueId> GraphBuilder::Input(std::string name, TensorType type, SourceLoc loc) {
  return AddNode(OpKind::kInput, {}, {}, std::move(type), std::move(name), std::move(loc));
}

absl::StatusOr<ValueId> GraphBuilder::Parameter(std::string name, TensorType type, std::string init,
                                                SourceLoc loc) {
  return AddNode(OpKind::kParameter, {}, {{"init", std::move(init)}}, std::move(type),
                 std::move(name), std::move(loc));
}

absl::StatusOr<ValueId> GraphBuilder::Constant(TensorType type, FloatList values,
                                               std::string name) {
  return AddNode(OpKind::kConstant, {}, {{"value", std::move(values)}}, std::move(type),
                 std::move(name), {});
}

absl::StatusOr<ValueId> GraphBuilder::Scalar(DType dtype, double value, std::string name) {
  return Constant(TensorType{dtype, {}}, {value}, std::move(name));
}

absl::StatusOr<Graph> GraphBuilder::Build(std::vector<ValueId> outputs) && {
  graph_.outputs = std::move(outputs);
  DLC_RETURN_IF_ERROR(VerifyGraph(graph_));
  return std::move(graph_);
}

}  // namespace dlc
