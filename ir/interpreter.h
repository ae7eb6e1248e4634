// The reference interpreter: evaluates a tensor-IR graph on concrete tensors,
// op by op, with plain loops, in the graph's own element types (f32 graphs in
// f32, f64 graphs in f64). It is the oracle every later stage is checked
// against and a debugging backend; never the fast path.
#ifndef DLC_IR_INTERPRETER_H_
#define DLC_IR_INTERPRETER_H_

#include <map>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/graph.h"
#include "ir/tensor.h"

namespace dlc {

// Values for the graph's inputs and parameters, by value name.
using Feeds = std::map<std::string, Tensor>;

// Verifies the graph, checks that every input and parameter is fed with a
// tensor of its exact type, and returns the graph's outputs in order.
absl::StatusOr<std::vector<Tensor>> Interpret(const Graph& graph, const Feeds& feeds);

// Like Interpret, but returns every node's value, indexed by ValueId (for
// layer-by-layer traces and for checking intermediate results).
absl::StatusOr<std::vector<Tensor>> InterpretAll(const Graph& graph, const Feeds& feeds);

// Evaluates one non-source node given its operand values. Fails on data the
// op cannot take (a label outside [0, classes), an integer division by zero).
absl::StatusOr<Tensor> EvaluateNode(const Node& node, std::span<const Tensor* const> operands);

}  // namespace dlc

#endif  // DLC_IR_INTERPRETER_H_
