// A graph rewrite that lets a max-pool's input stay out of memory.
//
// The backward of relu followed by maxpool2d is
//
//   s  = maxpool2d_scatter(dp, argmax(y))      dp: the pool's output gradient
//   dy = select(compare(y, k), s, 0)           the ReLU mask, on y (full size)
//
// s is zero except at each window's argmax, where y equals the window's
// maximum p = maxpool2d(y). So the mask can be tested on p instead, a
// quarter of the size for 2x2 windows:
//
//   dy = maxpool2d_scatter(select(compare(p, k), dp, 0), argmax(y))
//
// Bit-identical: at an argmax, y and p are the same value (NaN included),
// elsewhere both forms give 0. Afterwards nothing in the backward reads y,
// so the forward may pool y as the convolution that makes it writes it,
// and never store it.
#ifndef DLC_PASSES_POOL_MASKS_H_
#define DLC_PASSES_POOL_MASKS_H_

#include "absl/status/statusor.h"
#include "ir/graph.h"

namespace dlc {

// Moves every such mask onto its pool's output (matching maxpool2d and
// maxpool2d_argmax nodes of y must exist; the mask compares y with a
// scalar), then drops the nodes left unused (inputs and parameters stay).
// Returns the graph unchanged when nothing matches. The result is verified.
absl::StatusOr<Graph> MovePoolMasks(const Graph& graph);

}  // namespace dlc

#endif  // DLC_PASSES_POOL_MASKS_H_
