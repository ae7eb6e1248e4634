// Stride-1 convolutions lowered as register-tiled microkernels
// (conv_tiled.cc says how); other convolutions take linear.cc's general
// nests.
#ifndef DLC_PASSES_TO_LOOPS_CONV_TILED_H_
#define DLC_PASSES_TO_LOOPS_CONV_TILED_H_

#include "ir/window.h"
#include "passes/to_loops/conv_tiles.h"
#include "passes/to_loops/op_lowering.h"

namespace dlc::to_loops {

// A convolution's operands: NHWC input, HWIO filter, NHWO output.
struct ConvShapes {
  Shape x, w, y;
  Window2D win;
};

// Stride 1, dilation 1, and padding smaller than the window.
bool TiledConvApplies(const Window2D& window);

// The forward convolution takes an epilogue (op_lowering.h).
absl::Status TiledConv2D(OpLowering& op, const ConvShapes& shapes);
absl::Status TiledBackpropInput(OpLowering& op, const ConvShapes& shapes);
absl::Status TiledBackpropFilter(OpLowering& op, const ConvShapes& shapes);

}  // namespace dlc::to_loops

#endif  // DLC_PASSES_TO_LOOPS_CONV_TILED_H_
