// Register tiles for stride-1 convolutions: how many output pixels, input
// channels, filter taps and output-channel vectors one microkernel keeps in
// registers. The tiled lowering (conv_tiled.cc) emits its loops so that
// register accumulation (passes/register_accumulation.h) turns the tile's
// loops into that many accumulators, each a chain of FMAs over the
// reduction, with the reduction innermost around them.
//
// The cost model is the one oneDNN's and BLIS's kernels are built on: a
// tile of A x B accumulators costs A + B loads (broadcast scalars and
// vectors) per A * B FMAs, so bigger and squarer tiles load less per FMA;
// the accumulators, the vectors loaded per step and one broadcast scalar
// must fit the register file (else LLVM spills accumulators every step).
#ifndef DLC_PASSES_TO_LOOPS_CONV_TILES_H_
#define DLC_PASSES_TO_LOOPS_CONV_TILES_H_

#include <cstdint>
#include <optional>

namespace dlc::to_loops {

// What the host offers a microkernel.
struct RegisterBudget {
  int64_t lanes = 16;      // f32 lanes per vector register
  int64_t registers = 32;  // vector registers: the tile's accumulators, the
                           // vectors it loads per step and one broadcast
  // The most accumulators register accumulation keeps in registers for one
  // nest (ScheduleOptions::max_accumulators); a tile with more would sum
  // through memory.
  int64_t max_accumulators = 28;
  // When positive, a PixelTile's pixels (at most the row; a matrix
  // product's tiles take rows the same way) instead of as many as fit: an
  // experiment (--schedule=pixel_tile=N) that may spill.
  int64_t forced_pixels = 0;
};

// Output channels split as blocks of `vectors` vectors of `lanes` each:
// o = block * vectors * lanes + vector * lanes + lane. When the channel
// count is no multiple of the lanes, one (masked) vector loop covers them
// all: blocks = vectors = 1, lanes = channels.
struct ChannelSplit {
  int64_t blocks = 1, vectors = 1, lanes = 1;
};

// Forward and backward-input: `pixels` consecutive output pixels of a row
// times `channels.vectors` output-channel vectors.
struct PixelTile {
  int64_t pixels = 1;
  ChannelSplit channels;
};

// Filter gradient: for `taps_h` x `taps_w` filter taps (1 or the whole
// filter) and `inputs` input channels, `channels.vectors` output-channel
// vectors; the reduction over pixels runs inside.
struct FilterTile {
  int64_t taps_h = 1, taps_w = 1;
  int64_t inputs = 1;
  ChannelSplit channels;
};

// Few output channels (fewer than a vector's lanes, which channel vectors
// would leave mostly idle): `rows` output rows of `vectors` x `lanes`
// pixels (the whole computed row) times every channel, the pixels in SIMD
// lanes and each channel's weight broadcast. The input must be planar
// (a channel's row contiguous) for a lane's pixels to load as one vector.
struct PixelLaneTile {
  int64_t rows = 1;
  int64_t vectors = 1, lanes = 1;
};

// Tile for an output row of `width` pixels and `out_channels` channels.
// With budget.forced_pixels, the channel vectors are the most that fit
// beside that many pixels' accumulators (one when none do).
PixelTile ChoosePixelTile(int64_t width, int64_t out_channels, const RegisterBudget& budget);

// A pixel-lane tile for `height` x `width` output pixels (a row's width in
// at most two vectors) and `out_channels` channels, of exactly `band_rows`
// rows when that is > 0 (a fused pool's height), or nullopt when channel
// vectors would use the lanes as well or the tile does not fit.
std::optional<PixelLaneTile> ChoosePixelLaneTile(int64_t height, int64_t width,
                                                 int64_t out_channels, int64_t band_rows,
                                                 const RegisterBudget& budget);

// A filter gradient with few output channels (fewer than a vector's lanes)
// and one input channel: its sums over a row's pixels run in SIMD lanes,
// `vectors` x `lanes` pixels per row, each lane summing its own pixels;
// the lanes are added at the end. One tile holds `taps_h` x `taps_w` taps
// (1, a row, or the filter) x `outputs` output channels of accumulators.
struct PixelLaneFilterTile {
  int64_t taps_h = 1, taps_w = 1;
  int64_t outputs = 1;
  int64_t vectors = 1, lanes = 1;
};

// The pixel-lane filter-gradient tile for a kh x kw filter from one input
// channel to `out_channels`, over output rows of `width` pixels, or nullopt
// when channel vectors use the lanes as well.
std::optional<PixelLaneFilterTile> ChoosePixelLaneFilterTile(int64_t kh, int64_t kw,
                                                             int64_t in_channels,
                                                             int64_t out_channels, int64_t width,
                                                             const RegisterBudget& budget);

// Tile for a kh x kw filter with `in_channels` inputs and `out_channels`
// outputs.
FilterTile ChooseFilterTile(int64_t kh, int64_t kw, int64_t in_channels, int64_t out_channels,
                            const RegisterBudget& budget);

// How many fixed chunks a filter gradient splits its batch of `batch` into
// (each summed on its own, possibly on its own thread, then added in
// order): the most, up to 8, that divide the batch into chunks of at least
// 16 images. Depends on the batch only, never on the thread count, so
// results are the same for any --threads.
int64_t BatchChunks(int64_t batch);

}  // namespace dlc::to_loops

#endif  // DLC_PASSES_TO_LOOPS_CONV_TILES_H_
