// Arithmetic cost of ops, for `dlc inspect` and `dlc bench`. A multiply-add
// counts as two FLOPs (the usual convention: a matmul of m×k by k×n is 2mkn).
// Data movement (reshape, transpose, slice, pad, cast, ...) counts zero.
#ifndef DLC_IR_COST_H_
#define DLC_IR_COST_H_

#include <cstdint>

#include "ir/graph.h"

namespace dlc {

// Floating-point operations to compute node `id` of `graph` once.
int64_t NodeFlops(const Graph& graph, ValueId id);

// All nodes of the graph.
int64_t GraphFlops(const Graph& graph);

}  // namespace dlc

#endif  // DLC_IR_COST_H_
