// simplify: the graph without repeated and unused work, first of the
// pipeline's graph steps (pipeline.h).
//
//  - Common-subexpression elimination: a node with the same op, the same
//    operands in the same order, equal attributes and the same result type
//    as an earlier node is that node. Constants merge when their values are
//    equal to the bit. Inputs and parameters never merge (each is its own
//    argument), nor do random ops (each draw is its own).
//  - Dead-code elimination: nodes no output depends on go; inputs and
//    parameters stay, used or not, as they are the compiled function's
//    arguments.
//
// Bit-identical: every surviving node computes what it did; operands are
// not reordered, not even for commutative ops (max and min of a NaN, and
// the payload of a NaN sum, depend on the order).
#ifndef DLC_PASSES_SIMPLIFY_H_
#define DLC_PASSES_SIMPLIFY_H_

#include "absl/status/statusor.h"
#include "ir/graph.h"

namespace dlc {

// Each node equal to an earlier one replaced by it (the earlier keeps its
// name and location), its users and the outputs reading the earlier one.
// The replaced nodes are left in place, unused: dead code.
Graph EliminateCommonSubexpressions(const Graph& graph);

// The graph without the nodes that no output needs, except inputs and
// parameters. Survivors keep their order and names; values are renumbered.
Graph EliminateDeadCode(const Graph& graph);

// Both, then the verifier. The outputs keep their number and order.
absl::StatusOr<Graph> Simplify(const Graph& graph);

}  // namespace dlc

#endif  // DLC_PASSES_SIMPLIFY_H_
