// The tensor IR: a graph is a list of nodes in definition order (SSA), each
// node one op producing one tensor value. Values are named by node index.
#ifndef DLC_IR_GRAPH_H_
#define DLC_IR_GRAPH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/attribute.h"
#include "ir/op_registry.h"
#include "ir/tensor_type.h"

namespace dlc {

// Index of the node that defines a value.
using ValueId = int32_t;

// Where a node came from (a .dl or .ir file), for diagnostics. line 0: unknown.
struct SourceLoc {
  std::string file;
  int line = 0;
  int col = 0;

  bool known() const { return line > 0; }
  std::string ToString() const;  // "file:line:col", or "<unknown>"
};

struct Node {
  OpKind op = OpKind::kInput;
  std::vector<ValueId> operands;
  Attributes attrs;
  TensorType type;
  // The value's name, printed as %name; unique within the graph. Inputs and
  // parameters are fed and saved under it.
  std::string name;
  SourceLoc loc;
};

struct Graph {
  std::string name;
  std::vector<Node> nodes;
  std::vector<ValueId> outputs;

  const Node& node(ValueId id) const { return nodes[id]; }
  const TensorType& type(ValueId id) const { return nodes[id].type; }
  int32_t size() const { return static_cast<int32_t>(nodes.size()); }

  std::vector<ValueId> NodesOf(OpKind op) const;
  std::vector<ValueId> Inputs() const { return NodesOf(OpKind::kInput); }
  std::vector<ValueId> Parameters() const { return NodesOf(OpKind::kParameter); }
  std::optional<ValueId> Find(std::string_view value_name) const;
};

// A file of graphs (later: train_step, eval_step and predict together).
struct Module {
  std::vector<Graph> graphs;

  const Graph* Find(std::string_view graph_name) const;
};

}  // namespace dlc

#endif  // DLC_IR_GRAPH_H_
