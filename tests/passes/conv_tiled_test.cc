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

constexpr RegisterBudget kAvx512{16, 32};

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
  tile = ChoosePixelTile(11, 64, RegisterBudget{8, 16});
  EXPECT_LE(tile.pixels * tile.channels.vectors + tile.channels.vectors + 1, 16);
  EXPECT_EQ(tile.channels.lanes, 8);
}

TEST(ConvTiles, ForcedPixelsKeepTheChannelVectorsThatStillFit) {
  // --schedule=pixel_tile=4: 4 pixels x 4 vectors fit 32 registers.
  auto tile = ChoosePixelTile(11, 64, RegisterBudget{16, 32, 4});
  EXPECT_EQ(tile.pixels, 4);
  EXPECT_EQ(tile.channels.vectors, 4);
  // 12 pixels: 4 vectors would need 12 * 4 + 4 + 1 registers; 2 fit.
  tile = ChoosePixelTile(26, 64, RegisterBudget{16, 32, 12});
  EXPECT_EQ(tile.pixels, 12);
  EXPECT_EQ(tile.channels.vectors, 2);
  // More than the row: the row. More than any split fits: one vector.
  tile = ChoosePixelTile(11, 64, RegisterBudget{16, 32, 40});
  EXPECT_EQ(tile.pixels, 11);
  EXPECT_EQ(tile.channels.vectors, 2);
  tile = ChoosePixelTile(64, 64, RegisterBudget{16, 32, 64});
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
  for (auto [kh, kw, c, o] : {std::array<int64_t, 4>{5, 5, 6, 16}, {3, 3, 64, 128}, {1, 1, 3, 5}}) {
    tile = ChooseFilterTile(kh, kw, c, o, kAvx512);
    EXPECT_LE(tile.taps_h * tile.taps_w * tile.inputs * tile.channels.vectors + tile.channels.vectors + 1, 32);
    EXPECT_EQ(c % tile.inputs, 0);
  }
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
  std::vector<const Tensor*> inputs;
  for (loops::BufferId id : program->arguments) {
    const loops::Buffer& buffer = program->buffer(id);
    if (buffer.kind == loops::BufferKind::kInput) inputs.push_back(&feeds.at(buffer.name));
  }
  absl::StatusOr<std::vector<Tensor>> actual = loops::RunLoopProgram(*program, inputs);
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
  ExpectLoweredMatches(R"(graph g {
  %x = input() : f32[2,6,7,32]
  %w = parameter() : f32[3,3,32,16]
  %y = conv2d(%x, %w) {padding="same"} : f32[2,6,7,16]
  return %y
})");
  absl::StatusOr<Module> module = ParseModule(R"(graph g {
  %x = input() : f32[2,6,7,32]
  %w = parameter() : f32[3,3,32,16]
  %y = conv2d(%x, %w) {padding="same"} : f32[2,6,7,16]
  return %y
})", "test.ir");
  ASSERT_TRUE(module.ok());
  absl::StatusOr<loops::LoopProgram> program = LowerToLoops(module->graphs[0]);
  ASSERT_TRUE(program.ok());
  // 7 pixels: the left tap column skips pixel 0, the right one pixel 6.
  const std::string text = loops::PrintLoopProgram(*program);
  int six_pixel_nests = 0;
  for (size_t at = text.find(" in 0..6 {"); at != std::string::npos; at = text.find(" in 0..6 {", at + 1)) {
    ++six_pixel_nests;
  }
  EXPECT_GE(six_pixel_nests, 6);  // 3 rows of taps x 2 border columns
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

TEST(ConvTiled, DumpShowsTheTileAndTheChunks) {
  absl::StatusOr<Module> module = ParseModule(R"(graph g {
  %x = input() : f32[32,4,4,2]
  %dy = input() : f32[32,2,2,16]
  %dw = conv2d_backprop_filter(%x, %dy) {filter_shape=[3,3,2,16]} : f32[3,3,2,16]
  return %dw
})",
                                              "test.ir");
  ASSERT_TRUE(module.ok());
  absl::StatusOr<loops::LoopProgram> program = LowerToLoops(module->graphs[0]);
  ASSERT_TRUE(program.ok());
  const std::string text = loops::PrintLoopProgram(*program);
  EXPECT_NE(text.find("buffer %dw.chunks f32[2,3,3,2,16] temp"), std::string::npos) << text;
}

}  // namespace
}  // namespace dlc
