// Builds graphs in C++: each call adds one node, fills its op's default
// attributes, checks it and infers its result type.
#ifndef DLC_IR_BUILDER_H_
#define DLC_IR_BUILDER_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "ir/graph.h"

namespace dlc {

class GraphBuilder {
 public:
  explicit GraphBuilder(std::string graph_name);
  // Continues building on an existing graph (its outputs are kept until Build).
  explicit GraphBuilder(Graph graph);

  // Adds a node of any op. An empty `name` gets a fresh numeric one. Errors
  // name the op and what is wrong with its operands or attributes.
  absl::StatusOr<ValueId> Add(OpKind op, std::vector<ValueId> operands, Attributes attrs = {},
                              std::string name = "", SourceLoc loc = {});

  // Sources.
  absl::StatusOr<ValueId> Input(std::string name, TensorType type, SourceLoc loc = {});
  absl::StatusOr<ValueId> Parameter(std::string name, TensorType type, std::string init = "zeros",
                                    SourceLoc loc = {});
  absl::StatusOr<ValueId> Constant(TensorType type, FloatList values, std::string name = "");
  absl::StatusOr<ValueId> Scalar(DType dtype, double value, std::string name = "");

  const TensorType& type(ValueId id) const { return graph_.type(id); }
  const Node& node(ValueId id) const { return graph_.node(id); }
  // Renames a value; fails if the name is taken or malformed.
  absl::Status Rename(ValueId id, std::string name);
  const Graph& graph() const { return graph_; }
  // Whether a value of the graph has this name (constant time: the builder
  // keeps an index, so building a graph of n values stays linear).
  bool HasValue(std::string_view name) const;

  // Sets the outputs and verifies the whole graph.
  absl::StatusOr<Graph> Build(std::vector<ValueId> outputs) &&;

 private:
  std::string FreshName();
  // Appends a node, checks it and sets its result type (`type` is kept only
  // by sources); on error the graph is unchanged.
  absl::StatusOr<ValueId> AddNode(OpKind op, std::vector<ValueId> operands, Attributes attrs,
                                  TensorType type, std::string name, SourceLoc loc);

  Graph graph_;
  absl::flat_hash_map<std::string, ValueId> names_;  // every node's name
  int next_name_ = 0;
};

}  // namespace dlc

#endif  // DLC_IR_BUILDER_H_
