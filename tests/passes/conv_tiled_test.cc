// Register-tiled convolutions (passes/to_loops/conv_tiled.cc): the tile
// choice, and the tiled nests against the tensor interpreter for shapes
// that exercise every part of them (remainder tiles, channel counts that
// are no multiple of the vector, padding, a batch split into chunks).
#include <cmath>

#include "gtest/gtest.h"
#include "ir/interpreter.h"
#include "ir/loops/loop_interpreter.h"
#include "ir/loops/loop_printer.h"
#include "ir/loops/loop_verifier.h"
#include "ir/parser.h"
#include "passes/lower_to_loops.h"
#include "passes/to_loops/conv_tiles.h"
#include "tests/passes/gradient_check.h"

namespace dlc {
namespace {

using to_loops::BatchChunks;
using to_loops::ChooseFilterTile;
using to_loops::ChoosePixelTile;
using to_loops::RegisterBudget;

constexpr RegisterBudget kAvx512{.lanes = 16, .registers = 32};

TEST(ConvTiles, ForwardTileFitsTheRegistersWithItsOperands) {
  // convnet's 32->64 convolution: 11 output columns, 64 channels. 7 x 4
  // accumulators would leave no register for the 4 weight vectors and the
  // broadcast input: 6 x 4 (and a remainder of 5).
  auto tile = ChoosePixelTile(11, 64, kAvx512);
  EXPECT_EQ(tile.pixels, 6);
  EXPECT_EQ(tile.channels.vectors, 4);
  EXPECT_EQ(tile.channels.blocks, 1);
  EXPECT_EQ(tile.channels.lanes, 16);
  // The first convolution (26 columns, 32 channels): 13 x 2, no remainder.
  tile = ChoosePixelTile(26, 32, kAvx512);
  EXPECT_EQ(tile.pixels, 13);
  EXPECT_EQ(tile.channels.vectors, 2);
  // 6 channels: one masked vector loop over all of them, a row of 28.
  tile = ChoosePixelTile(28, 6, kAvx512);
  EXPECT_EQ(tile.pixels, 28);
  EXPECT_EQ(tile.channels.lanes, 6);
  EXPECT_EQ(tile.channels.vectors, 1);
  // AVX2's 16 registers and 8 lanes.
  tile = ChoosePixelTile(11, 64, RegisterBudget{.lanes = 8, .registers = 16});
  EXPECT_LE(tile.pixels * tile.channels.vectors + tile.channels.vectors + 1, 16);
  EXPECT_EQ(tile.channels.lanes, 8);
}

TEST(ConvTiles, ForcedPixelsKeepTheChannelVectorsThatStillFit) {
  // --schedule=pixel_tile=4: 4 pixels x 4 vectors fit 32 registers.
  auto tile =
      ChoosePixelTile(11, 64, RegisterBudget{.lanes = 16, .registers = 32, .forced_pixels = 4});
  EXPECT_EQ(tile.pixels, 4);
  EXPECT_EQ(tile.channels.vectors, 4);
  // 12 pixels: 4 vectors would need 12 * 4 + 4 + 1 registers; 2 fit.
  tile = ChoosePixelTile(26, 64, RegisterBudget{.lanes = 16, .registers = 32, .forced_pixels = 12});
  EXPECT_EQ(tile.pixels, 12);
  EXPECT_EQ(tile.channels.vectors, 2);
  // More than the row: the row. More than any split fits: one vector.
  tile = ChoosePixelTile(11, 64, RegisterBudget{.lanes = 16, .registers = 32, .forced_pixels = 40});
  EXPECT_EQ(tile.pixels, 11);
  EXPECT_EQ(tile.channels.vectors, 2);
  tile = ChoosePixelTile(64, 64, RegisterBudget{.lanes = 16, .registers = 32, .forced_pixels = 64});
  EXPECT_EQ(tile.pixels, 64);
  EXPECT_EQ(tile.channels.vectors, 1);
}

TEST(ConvTiles, FilterTileTakesTapsWhenChannelsAreFew) {
  // 32 -> 64, 3x3: a row of taps x 2 input channels x 4 vectors (24).
  auto tile = ChooseFilterTile(3, 3, 32, 64, kAvx512);
  EXPECT_EQ(tile.taps_h, 1);
  EXPECT_EQ(tile.taps_w, 3);
  EXPECT_EQ(tile.inputs, 2);
  EXPECT_EQ(tile.channels.vectors, 4);
  // One input channel: every tap of the filter is an accumulator.
  tile = ChooseFilterTile(3, 3, 1, 32, kAvx512);
  EXPECT_EQ(tile.taps_h * tile.taps_w, 9);
  EXPECT_EQ(tile.channels.vectors, 2);
  // LeNet's 6 -> 16, 5x5: a row of taps x 6 inputs would be 30
  // accumulators, more than register accumulation keeps (28): the whole
  // filter's 25 taps x 1 input.
  tile = ChooseFilterTile(5, 5, 6, 16, kAvx512);
  EXPECT_EQ(tile.taps_h * tile.taps_w, 25);
  EXPECT_EQ(tile.inputs, 1);
  for (auto [kh, kw, c, o] : {std::array<int64_t, 4>{5, 5, 6, 16}, {3, 3, 64, 128}, {1, 1, 3, 5}}) {
    tile = ChooseFilterTile(kh, kw, c, o, kAvx512);
    const int64_t accumulators = tile.taps_h * tile.taps_w * tile.inputs * tile.channels.vectors;
    EXPECT_LE(accumulators + tile.channels.vectors + 1, 32);
    EXPECT_LE(accumulators, kAvx512.max_accumulators);
    EXPECT_EQ(c % tile.inputs, 0);
  }
}

TEST(ConvTiles, FewChannelsPutARowsPixelsInTheLanes) {
  // LeNet's first convolution pooled by 2: 28 columns as 2 x 14 lanes, one
  // pool band of 2 rows, 6 channels: 2 x 2 x 6 = 24 accumulators.
  auto tile = to_loops::ChoosePixelLaneTile(28, 28, 6, /*band_rows=*/2, kAvx512);
  ASSERT_TRUE(tile.has_value());
  EXPECT_EQ(tile->rows, 2);
  EXPECT_EQ(tile->vectors, 2);
  EXPECT_EQ(tile->lanes, 14);
  // Its input gradient (14 x 14 into 6 channels): 4 rows fit (4 x 7
  // registers with the row vectors), tiles of 4 and a remainder of 2.
  tile = to_loops::ChoosePixelLaneTile(14, 14, 6, 0, kAvx512);
  ASSERT_TRUE(tile.has_value());
  EXPECT_EQ(tile->rows, 4);
  EXPECT_EQ(tile->vectors, 1);
  EXPECT_EQ(tile->lanes, 14);
  // 3 rows: all of them.
  tile = to_loops::ChoosePixelLaneTile(3, 12, 6, 0, kAvx512);
  ASSERT_TRUE(tile.has_value());
  EXPECT_EQ(tile->rows, 3);
  // Channel vectors where they fill the lanes as well or better: 16
  // channels, a row no wider than the channels, a row of 3 vectors.
  EXPECT_FALSE(to_loops::ChoosePixelLaneTile(28, 28, 16, 0, kAvx512).has_value());
  EXPECT_FALSE(to_loops::ChoosePixelLaneTile(5, 5, 6, 0, kAvx512).has_value());
  EXPECT_FALSE(to_loops::ChoosePixelLaneTile(40, 40, 6, 0, kAvx512).has_value());
  // A pool band that does not fit the registers.
  EXPECT_FALSE(to_loops::ChoosePixelLaneTile(28, 28, 12, /*band_rows=*/3, kAvx512).has_value());
}

TEST(ConvTiles, FilterGradientOfOneChannelToFewPutsPixelsInTheLanes) {
  // LeNet's 1 -> 6, 5x5, rows of 28 (2 x 14 lanes): a row of 5 taps x 3
  // outputs (15 accumulators; 5 x 6 = 30 would be too many).
  auto tile = to_loops::ChoosePixelLaneFilterTile(5, 5, 1, 6, 28, kAvx512);
  ASSERT_TRUE(tile.has_value());
  EXPECT_EQ(tile->taps_h, 1);
  EXPECT_EQ(tile->taps_w, 5);
  EXPECT_EQ(tile->outputs, 3);
  EXPECT_EQ(tile->vectors, 2);
  EXPECT_EQ(tile->lanes, 14);
  // Channel vectors where they fill the lanes: 16 outputs, 2 input
  // channels, rows of 3 vectors, rows no wider than the channels.
  EXPECT_FALSE(to_loops::ChoosePixelLaneFilterTile(3, 3, 1, 16, 28, kAvx512).has_value());
  EXPECT_FALSE(to_loops::ChoosePixelLaneFilterTile(3, 3, 2, 6, 28, kAvx512).has_value());
  EXPECT_FALSE(to_loops::ChoosePixelLaneFilterTile(3, 3, 1, 6, 40, kAvx512).has_value());
  EXPECT_FALSE(to_loops::ChoosePixelLaneFilterTile(3, 3, 1, 6, 6, kAvx512).has_value());
}

TEST(ConvTiles, BatchChunksDependOnTheBatchOnly) {
  EXPECT_EQ(BatchChunks(128), 8);
  EXPECT_EQ(BatchChunks(32), 2);
  EXPECT_EQ(BatchChunks(48), 3);
  EXPECT_EQ(BatchChunks(16), 1);
  EXPECT_EQ(BatchChunks(4), 1);
  EXPECT_EQ(BatchChunks(127), 1);  // prime: one chunk
}

// Runs `ir` (one graph) through the tensor interpreter and through the
// lowered loops; every output must match: to the bit, or within
// `tolerance` (relative) where a batch split reorders a sum.
void ExpectLoweredMatches(const std::string& ir, double tolerance = 0) {
  absl::StatusOr<Module> module = ParseModule(ir, "test.ir");
  ASSERT_TRUE(module.ok()) << module.status();
  const Graph& graph = module->graphs[0];
  const Feeds feeds = testing::MakeFeeds(graph, /*seed=*/7);
  absl::StatusOr<std::vector<Tensor>> expected = Interpret(graph, feeds);
  ASSERT_TRUE(expected.ok()) << expected.status();
  absl::StatusOr<loops::LoopProgram> program = LowerToLoops(graph);
  ASSERT_TRUE(program.ok()) << program.status();
  ASSERT_TRUE(loops::VerifyLoopProgram(*program).ok());
  absl::StatusOr<std::vector<Tensor>> actual = loops::RunLoopProgramOnFeeds(*program, feeds);
  ASSERT_TRUE(actual.ok()) << actual.status();
  for (size_t k = 0; k < expected->size(); ++k) {
    const Tensor& e = (*expected)[k];
    const Tensor& a = (*actual)[k];
    int reported = 0;
    for (int64_t i = 0; i < e.num_elements() && reported < 5; ++i) {
      const double x = e.GetDouble(i), y = a.GetDouble(i);
      if (x == y) continue;
      if (std::abs(x - y) <= tolerance * std::max({std::abs(x), std::abs(y), 1.0})) continue;
      ADD_FAILURE() << "output " << k << "[" << i << "]: interpreter " << x << ", loops " << y;
      ++reported;
    }
  }
}

// `ir` (one graph) lowered to loops and printed ("" if it does not parse
// or lower, which fails the test).
std::string LoweredText(const std::string& ir) {
  absl::StatusOr<Module> module = ParseModule(ir, "test.ir");
  EXPECT_TRUE(module.ok()) << module.status();
  if (!module.ok()) return "";
  absl::StatusOr<loops::LoopProgram> program = LowerToLoops(module->graphs[0]);
  EXPECT_TRUE(program.ok()) << program.status();
  return program.ok() ? loops::PrintLoopProgram(*program) : "";
}

TEST(ConvTiled, ForwardWithARemainderTileIsExact) {
  // 11 output columns and 64 channels: tiles of 6 columns and a remainder of 5.
  ExpectLoweredMatches(R"(graph g {
  %x = input() : f32[2,5,13,3]
  %w = parameter() : f32[3,3,3,64]
  %y = conv2d(%x, %w) : f32[2,3,11,64]
  return %y
})");
}

TEST(ConvTiled, PaddedForwardIsExact) {
  // Same padding through a zero-bordered copy; 6 channels: one masked vector.
  ExpectLoweredMatches(R"(graph g {
  %x = input() : f32[2,7,7,2]
  %w = parameter() : f32[5,5,2,6]
  %y = conv2d(%x, %w) {padding="same"} : f32[2,7,7,6]
  return %y
})");
  // Uneven explicit padding (top 1, bottom 0, left 0, right 2).
  ExpectLoweredMatches(R"(graph g {
  %x = input() : f32[1,5,4,3]
  %w = parameter() : f32[2,3,3,16]
  %y = conv2d(%x, %w) {padding=[1,0,0,2]} : f32[1,5,4,16]
  return %y
})");
}

TEST(ConvTiled, InputGradientIsExact) {
  // A convolution of the bordered output gradient with the filter's taps
  // read backwards, in the interpreter's order; the border's terms add
  // exact zeros.
  ExpectLoweredMatches(R"(graph g {
  %dy = input() : f32[2,4,9,32]
  %w = parameter() : f32[3,3,16,32]
  %dx = conv2d_backprop_input(%dy, %w) {input_shape=[2,6,11,16]} : f32[2,6,11,16]
  return %dx
})");
  ExpectLoweredMatches(R"(graph g {
  %dy = input() : f32[1,6,6,4]
  %w = parameter() : f32[3,3,5,4]
  %dx = conv2d_backprop_input(%dy, %w) {input_shape=[1,6,6,5], padding="same"} : f32[1,6,6,5]
  return %dx
})");
}

TEST(ConvTiled, TapsThatReadOnlyTheZeroBorderAreSkippedExactly) {
  // 32 channels or more per tap: a tile at a known column (a row's only
  // tile, or its remainder) runs one nest per tap over the pixels whose
  // input is live; the skipped terms would have added exact zeros.
  ExpectLoweredMatches(R"(graph g {
  %dy = input() : f32[1,5,30,32]
  %w = parameter() : f32[3,3,16,32]
  %dx = conv2d_backprop_input(%dy, %w) {input_shape=[1,7,32,16]} : f32[1,7,32,16]
  return %dx
})");
  constexpr char kSame[] = R"(graph g {
  %x = input() : f32[2,6,7,32]
  %w = parameter() : f32[3,3,32,16]
  %y = conv2d(%x, %w) {padding="same"} : f32[2,6,7,16]
  return %y
})";
  ExpectLoweredMatches(kSame);
  // 7 pixels: the left tap column skips pixel 0, the right one pixel 6.
  const std::string text = LoweredText(kSame);
  int six_pixel_nests = 0;
  for (size_t at = text.find(" in 0..6 {"); at != std::string::npos;
       at = text.find(" in 0..6 {", at + 1)) {
    ++six_pixel_nests;
  }
  EXPECT_GE(six_pixel_nests, 6);  // 3 rows of taps x 2 border columns
}

TEST(ConvTiled, PixelLaneForwardIsExact) {
  // One input channel, 6 outputs: a row's 12 pixels in the lanes, tiles of
  // 4 rows and a remainder of 3, border rows with fewer taps.
  ExpectLoweredMatches(R"(graph g {
  %x = input() : f32[2,11,12,1]
  %w = parameter() : f32[3,3,1,6]
  %y = conv2d(%x, %w) {padding="same"} : f32[2,11,12,6]
  return %y
})");
  // Two vectors per row (20 = 2 x 10 lanes), valid, 3 channels.
  ExpectLoweredMatches(R"(graph g {
  %x = input() : f32[1,9,24,1]
  %w = parameter() : f32[5,5,1,3]
  %y = conv2d(%x, %w) : f32[1,5,20,3]
  return %y
})");
}

TEST(ConvTiled, PixelLaneForwardPoolsItsReluBandByBand) {
  // LeNet's first layer in small: bias, ReLU and a 2 x 2 pool in the
  // pixel-lane kernel, a row of 2 x 10 lanes.
  constexpr char kPooled[] = R"(graph g {
  %x = input() : f32[2,8,20,1]
  %w = parameter() : f32[5,5,1,6]
  %b = parameter() : f32[6]
  %conv = conv2d(%x, %w) {padding="same"} : f32[2,8,20,6]
  %biased = add(%conv, %b) : f32[2,8,20,6]
  %y = relu(%biased) : f32[2,8,20,6]
  %p = maxpool2d(%y) {window=[2,2], strides=[2,2]} : f32[2,4,10,6]
  %a = maxpool2d_argmax(%y) {window=[2,2], strides=[2,2]} : i32[2,4,10,6]
  return %p, %a
})";
  ExpectLoweredMatches(kPooled);
  // A tile of one pool band: 2 rows x 6 channels x 20 pixels.
  EXPECT_NE(LoweredText(kPooled).find("buffer %conv.tile f32[2,2,6,20] temp"), std::string::npos);
}

TEST(ConvTiled, PixelLaneInputGradientIsExact) {
  // LeNet's second convolution's input gradient (16 -> 6 channels): the
  // output gradient padded into a planar buffer, a row's 14 pixels in the
  // lanes.
  constexpr char kInputGradient[] = R"(graph g {
  %dy = input() : f32[2,10,10,16]
  %w = parameter() : f32[5,5,6,16]
  %dx = conv2d_backprop_input(%dy, %w) {input_shape=[2,14,14,6]} : f32[2,14,14,6]
  return %dx
})";
  ExpectLoweredMatches(kInputGradient);
  const std::string text = LoweredText(kInputGradient);
  // Planar: (N, channels, rows, columns) of the 18 x 18 padded gradient;
  // the tile (N, rows, channels, pixels).
  EXPECT_NE(text.find("buffer %dx.dy_padded f32[2,16,18,18] temp"), std::string::npos) << text;
  EXPECT_NE(text.find("buffer %dx.tile f32[2,4,6,14] temp"), std::string::npos) << text;
}

TEST(ConvTiled, InputGradientReusesOnePaddedImagePerChunk) {
  // 32 images run as 2 chunks of 16, each padding its images into one
  // reused image whose border is zeroed once: still exact, channels last
  // and planar (few channels).
  constexpr char kChannelsLast[] = R"(graph g {
  %dy = input() : f32[32,3,4,32]
  %w = parameter() : f32[3,3,16,32]
  %dx = conv2d_backprop_input(%dy, %w) {input_shape=[32,5,6,16]} : f32[32,5,6,16]
  return %dx
})";
  ExpectLoweredMatches(kChannelsLast);
  EXPECT_NE(LoweredText(kChannelsLast).find("buffer %dx.dy_padded f32[2,7,8,32] temp"),
            std::string::npos);
  constexpr char kPlanar[] = R"(graph g {
  %dy = input() : f32[32,4,8,16]
  %w = parameter() : f32[3,3,6,16]
  %dx = conv2d_backprop_input(%dy, %w) {input_shape=[32,6,10,6]} : f32[32,6,10,6]
  return %dx
})";
  ExpectLoweredMatches(kPlanar);
  EXPECT_NE(LoweredText(kPlanar).find("buffer %dx.dy_padded f32[2,16,8,12] temp"),
            std::string::npos);
}

TEST(ConvTiled, FilterGradientOfOneChunkIsExact) {
  ExpectLoweredMatches(R"(graph g {
  %x = input() : f32[3,6,6,4]
  %dy = input() : f32[3,4,4,32]
  %dw = conv2d_backprop_filter(%x, %dy) {filter_shape=[3,3,4,32]} : f32[3,3,4,32]
  return %dw
})");
}

TEST(ConvTiled, FilterGradientOverBatchChunksIsWithinRounding) {
  // A batch of 32 is summed as 2 chunks of 16, then added: the order of the
  // additions changes, so the result may differ in the last bits.
  ExpectLoweredMatches(R"(graph g {
  %x = input() : f32[32,4,4,2]
  %dy = input() : f32[32,2,2,16]
  %dw = conv2d_backprop_filter(%x, %dy) {filter_shape=[3,3,2,16]} : f32[3,3,2,16]
  return %dw
})",
                       1e-5);
}

TEST(ConvTiled, SiblingBiasGradientOverBatchChunksIsWithinRounding) {
  // The bias gradient computed with the filter gradient, chunk by chunk.
  ExpectLoweredMatches(R"(graph g {
  %x = input() : f32[32,4,4,2]
  %dy = input() : f32[32,2,2,16]
  %db = reduce_sum(%dy) {axes=[0,1,2]} : f32[16]
  %dw = conv2d_backprop_filter(%x, %dy) {filter_shape=[3,3,2,16]} : f32[3,3,2,16]
  return %dw, %db
})",
                       1e-5);
}

TEST(ConvTiled, PixelLaneFilterGradientIsWithinRounding) {
  // One input channel, 6 outputs: each lane sums its own pixels (a row of
  // 2 x 10), the lanes are added at the end: another order of additions.
  ExpectLoweredMatches(R"(graph g {
  %x = input() : f32[2,8,20,1]
  %dy = input() : f32[2,8,20,6]
  %dw = conv2d_backprop_filter(%x, %dy) {filter_shape=[5,5,1,6], padding="same"} : f32[5,5,1,6]
  return %dw
})",
                       1e-5);
  // 32 images as 2 chunks, with the bias gradient as a sibling.
  constexpr char kChunked[] = R"(graph g {
  %x = input() : f32[32,6,14,1]
  %dy = input() : f32[32,4,12,3]
  %db = reduce_sum(%dy) {axes=[0,1,2]} : f32[3]
  %dw = conv2d_backprop_filter(%x, %dy) {filter_shape=[3,3,1,3]} : f32[3,3,1,3]
  return %dw, %db
})";
  ExpectLoweredMatches(kChunked, 1e-5);
  // Per chunk, 27 filter elements x 12 lanes; dy planar, image by image.
  const std::string text = LoweredText(kChunked);
  EXPECT_NE(text.find("buffer %dw.lane_sums f32[2,27,12] temp"), std::string::npos) << text;
  EXPECT_NE(text.find("buffer %dw.dy_image f32[2,3,4,12] temp"), std::string::npos) << text;
}

TEST(ConvTiled, DumpShowsTheTileAndTheChunks) {
  const std::string text = LoweredText(R"(graph g {
  %x = input() : f32[32,4,4,2]
  %dy = input() : f32[32,2,2,16]
  %dw = conv2d_backprop_filter(%x, %dy) {filter_shape=[3,3,2,16]} : f32[3,3,2,16]
  return %dw
})");
  EXPECT_NE(text.find("buffer %dw.chunks f32[2,3,3,2,16] temp"), std::string::npos) << text;
}

}  // namespace
}  // namespace dlc
