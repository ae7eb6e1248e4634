// Tile: splits and interchanges composed, so that the loops over tiles
// enclose the loops within a tile; remainders stay untiled.
#include "passes/transforms/tile.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/passes/loop_transform_programs.h"

namespace dlc::transform_test {
namespace {

using ::testing::HasSubstr;
using transforms::Tile;

TEST(Tile, TileLoopsOutsidePointLoopsInsideRemaindersAfter) {
  TestNest t = Scale(5, 7);
  const LoopProgram before = t.program;
  const int64_t sizes[] = {2, 3};
  absl::StatusOr<transforms::TiledLoops> tiled = Tile(t.program, t.loops, sizes);
  ASSERT_TRUE(tiled.ok()) << tiled.status();
  EXPECT_EQ(tiled->tiles, t.loops);
  EXPECT_EQ(tiled->points.size(), 2u);
  EXPECT_EQ(tiled->remainders.size(), 2u);
  EXPECT_EQ(LastKernel(t.program), R"(for i4 in 0..2 {
  for i8 in 0..2 {
    for i5 in 0..2 {
      for i9 in 0..3 {
        %out[(i4 * 2 + i5) * 7 + (i8 * 3 + i9)] = %a[(i4 * 2 + i5) * 7 + (i8 * 3 + i9)] * %s[i8 * 3 + i9] + 0.5
      }
    }
  }
  for i6 in 0..1 {
    for i7 in 0..2 {
      %out[(i4 * 2 + i7) * 7 + (i6 + 6)] = %a[(i4 * 2 + i7) * 7 + (i6 + 6)] * %s[i6 + 6] + 0.5
    }
  }
}
for i2 in 0..1 {
  for i3 in 0..7 {
    %out[(i2 + 4) * 7 + i3] = %a[(i2 + 4) * 7 + i3] * %s[i3] + 0.5
  }
}
)");
  ExpectSameBits(before, t.program);
}

// The matrix product's three loops, with sizes dividing their extents or
// not: each out element still adds its terms in k order.
TEST(Tile, AMatrixProductKeepsItsBits) {
  for (const auto& sizes :
       std::vector<std::vector<int64_t>>{{2, 3, 4}, {4, 5, 3}, {7, 1, 9}, {3, 10, 2}}) {
    TestNest t = MatMul(7, 10, 9);
    const LoopProgram before = t.program;
    absl::StatusOr<transforms::TiledLoops> tiled = Tile(t.program, t.loops, sizes);
    ASSERT_TRUE(tiled.ok()) << tiled.status();
    SCOPED_TRACE(testing::Message() << sizes[0] << " x " << sizes[1] << " x " << sizes[2]);
    ExpectSameBits(before, t.program);
  }
}

TEST(Tile, AnInnerBandOfTheNest) {
  TestNest t = MatMul(6, 8, 10);
  const LoopProgram before = t.program;
  const int64_t sizes[] = {3, 4};
  ASSERT_TRUE(Tile(t.program, std::span(t.loops).subspan(1), sizes).ok());
  ExpectSameBits(before, t.program);
}

// A refused interchange half way leaves the program as it was.
TEST(Tile, RefusesADependenceAndLeavesTheProgramAlone) {
  TestNest t = ShiftedRows(6, 5);
  const std::string text = loops::PrintLoopProgram(t.program);
  const size_t stmts = t.program.stmts.size();
  const int64_t sizes[] = {2, 2};
  absl::Status status = Tile(t.program, t.loops, sizes).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("tiling: interchanging"));
  EXPECT_EQ(loops::PrintLoopProgram(t.program), text);
  EXPECT_EQ(t.program.stmts.size(), stmts);
}

TEST(Tile, RefusesMalformedRequests) {
  TestNest t = MatMul(6, 8, 10);
  const int64_t two[] = {2, 2}, one[] = {2}, zero[] = {2, 0};
  EXPECT_THAT(Tile(t.program, t.loops, two).status().message(),
              HasSubstr("one size per loop (3 loops, 2 sizes)"));
  EXPECT_THAT(Tile(t.program, std::span(t.loops).subspan(0, 1), std::span<const int64_t>())
                  .status()
                  .message(),
              HasSubstr("one size per loop"));
  const StmtId skip[] = {t.loops[0], t.loops[2]};
  EXPECT_THAT(Tile(t.program, skip, two).status().message(), HasSubstr("must be perfectly nested"));
  EXPECT_THAT(Tile(t.program, std::span(t.loops).subspan(0, 2), zero).status().message(),
              HasSubstr("a factor is at least 1"));
  EXPECT_TRUE(Tile(t.program, std::span(t.loops).subspan(0, 1), one).ok());
}

}  // namespace
}  // namespace dlc::transform_test
