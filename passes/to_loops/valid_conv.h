// Internal to the tiled convolution lowering (conv_tiled.cc): a valid,
// stride-1 convolution over an input with an explicit zero border, as the
// microkernels see it, and the microkernel for few output channels.
#ifndef DLC_PASSES_TO_LOOPS_VALID_CONV_H_
#define DLC_PASSES_TO_LOOPS_VALID_CONV_H_

#include <functional>
#include <utility>
#include <vector>

#include "passes/to_loops/conv_tiles.h"
#include "passes/to_loops/op_lowering.h"

namespace dlc::to_loops {

// y (N, OH, OW, O) = x (N, H, W, C) correlated with w (KH, KW, C, O).
// With `backwards`, tap (kh, kw) reads x at (oh + KH-1-kh, ow + KW-1-kw):
// the convolution, the taps still summed in ascending order.
struct ValidConv {
  BufferId x;
  Shape xs;               // x's logical shape, (N, H, W, C)
  bool x_planar = false;  // x is stored (N, C, H, W): each channel's rows contiguous
  BufferId w;
  Shape ws;
  Shape ys;
  bool backwards = false;
  // Only rows [first, second) and columns [first, second) of x may hold
  // nonzeros; the rest is the zero border.
  std::pair<int64_t, int64_t> live_rows, live_cols;
  // Runs before image n's tiles, given x's image for it (pads it, say);
  // may be null.
  std::function<std::vector<StmtId>(ExprId n, ExprId x_image)> image_prologue;
  // With slots > 0, x holds `slots` images, not the batch's: the batch runs
  // as `slots` parallel chunks of consecutive images, each chunk reusing its
  // own image of x (which so stays in cache), and chunk_prologue(slot), if
  // any, runs once before a chunk's images (zeroes the border they share).
  int64_t slots = 0;
  std::function<std::vector<StmtId>(ExprId slot)> chunk_prologue;

  // x's element (n, h, w, c), in its layout.
  ExprId XIndex(loops::LoopBuilder& b, ExprId n, ExprId h, ExprId w, ExprId c) const;
  // Taps [first, last) along kh of output row oh that read live rows
  // ({0, 0}: none).
  std::pair<int64_t, int64_t> LiveTaps(int64_t oh) const;
  // The loop over the batch: body(n, x_image) for every image n, after
  // its prologue (and the chunks' prologues), images in parallel.
  StmtId ForEachImage(
      OpLowering& op,
      const std::function<std::vector<StmtId>(ExprId n, ExprId x_image)>& body) const;
};

// The pixel-lane tile for `conv` computed by `op` (pooled when op has a
// pool), or nullopt when channel vectors suit it better. `planar_input`:
// whether x is, or can be made, planar (one channel is planar anyway).
std::optional<PixelLaneTile> PixelLanesFor(const OpLowering& op, const Shape& ys,
                                           int64_t in_channels, bool backwards, bool planar_input);

// The microkernel of a PixelLaneTile (conv_pixel_lanes.cc): each tile sums
// `rows` output rows of all channels, a row's pixels in SIMD lanes, into a
// per-image scratch tile, then stores op's result (through its epilogue,
// or pooled band by band) once.
absl::Status EmitPixelLaneConv(OpLowering& op, const ValidConv& conv, const PixelLaneTile& tile);

// The filter gradient w (KH, KW, 1, O) of x (padded, one channel) and op's
// operand 1, dy (N, OH, OW, O), by a PixelLaneFilterTile
// (conv_pixel_lanes.cc): each chunk of the batch (BatchChunks) sums every
// lane's own pixels, then adds its lanes; the chunks' sums are added in
// order. With a sibling the bias gradient comes the same way.
absl::Status EmitPixelLaneFilterGradient(OpLowering& op, BufferId x, const Shape& xs,
                                         const Shape& ws, const Shape& ys,
                                         const PixelLaneFilterTile& tile);

// result (of `size` elements) = the sum of `chunks` slices of partial,
// added in slice order (conv_tiled.cc).
void AddChunksInOrder(OpLowering& op, BufferId partial, BufferId result, int64_t chunks,
                      int64_t size);

}  // namespace dlc::to_loops

#endif  // DLC_PASSES_TO_LOOPS_VALID_CONV_H_
