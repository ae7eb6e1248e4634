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

// Whether `op` is a contraction: matmul, conv2d and the convolution's two
// gradients, the ops whose multiply-adds are the FLOPs frameworks report.
bool IsContraction(OpKind op);

// The FLOPs of the graph's contractions only (2 per multiply-add): the
// convention of published training throughputs. For a training step this is
// forward + input gradient + weight gradient of every conv and dense layer
// (no input gradient where nothing upstream needs one, as for the first
// layer), counted from the graph itself rather than from a formula.
int64_t ContractionFlops(const Graph& graph);

}  // namespace dlc

#endif  // DLC_IR_COST_H_
