// Checks that a graph is well formed: every value defined before use, every
// node matching its op's declaration (operand count, attributes, result type).
#ifndef DLC_IR_VERIFIER_H_
#define DLC_IR_VERIFIER_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ir/graph.h"

namespace dlc {

// Checks node `id` of `graph` against its op declaration, using the types of
// the nodes before it, and returns the result type its op gives. Errors name
// the node: "file:3:5: %y = conv2d: strides must be positive, got [0,1]".
absl::StatusOr<TensorType> InferNodeType(const Graph& graph, ValueId id);

// Every rule for every node, plus unique names and valid outputs. Reports the
// first problem found.
absl::Status VerifyGraph(const Graph& graph);
absl::Status VerifyModule(const Module& module);

// "%name = op" prefixed by the node's location when known, for messages.
std::string DescribeNode(const Graph& graph, ValueId id);

}  // namespace dlc

#endif  // DLC_IR_VERIFIER_H_
