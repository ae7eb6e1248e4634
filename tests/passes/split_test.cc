// Split: a loop as blocks of `factor` iterations plus a remainder loop, the
// same iterations in the same order.
#include "passes/transforms/split.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/passes/loop_transform_programs.h"

namespace dlc::transform_test {
namespace {

using ::testing::HasSubstr;
using transforms::Split;

TEST(Split, BlocksAndARemainderLoopAfterThem) {
  TestNest t = Scale(10, 3);
  const LoopProgram before = t.program;
  absl::StatusOr<transforms::SplitLoops> split = Split(t.program, t.loops[0], 4);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_EQ(split->outer, t.loops[0]);
  EXPECT_EQ(LastKernel(t.program), R"(for i4 in 0..2 {
  for i5 in 0..4 {
    for i1 in 0..3 {
      %out[(i4 * 4 + i5) * 3 + i1] = %a[(i4 * 4 + i5) * 3 + i1] * %s[i1] + 0.5
    }
  }
}
for i2 in 0..2 {
  for i3 in 0..3 {
    %out[(i2 + 8) * 3 + i3] = %a[(i2 + 8) * 3 + i3] * %s[i3] + 0.5
  }
}
)");
  ExpectSameBits(before, t.program);
}

TEST(Split, ADividingFactorMakesNoRemainder) {
  TestNest t = Scale(12, 3);
  absl::StatusOr<transforms::SplitLoops> split = Split(t.program, t.loops[0], 4);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_EQ(split->remainder, -1);
  EXPECT_EQ(t.program.kernels[0].body.size(), 1u);
}

// A sum into one location keeps the order of its terms: bit-identical for
// every factor, dividing the extent or not, on the inner and outer loops.
TEST(Split, KeepsTheOrderOfASumForEveryFactor) {
  for (int64_t factor = 1; factor <= 7; ++factor) {
    for (int which : {0, 1}) {
      TestNest t = Total(5, 7);
      const LoopProgram before = t.program;
      if (factor > t.program.stmt(t.loops[which]).extent) continue;
      ASSERT_TRUE(Split(t.program, t.loops[which], factor).ok()) << factor;
      SCOPED_TRACE(testing::Message() << "factor " << factor << ", loop " << which);
      ExpectSameBits(before, t.program);
    }
  }
}

TEST(Split, KeepsDependencesBetweenIterations) {
  TestNest t = ShiftedRows(9, 6);
  const LoopProgram before = t.program;
  ASSERT_TRUE(Split(t.program, t.loops[0], 4).ok());
  ASSERT_TRUE(Split(t.program, t.loops[1], 2).ok());
  ExpectSameBits(before, t.program);
}

TEST(Split, AMatrixProductSplitEverywhere) {
  TestNest t = MatMul(7, 10, 9);
  const LoopProgram before = t.program;
  for (StmtId loop : t.loops) ASSERT_TRUE(Split(t.program, loop, 3).ok());
  ExpectSameBits(before, t.program);
}

TEST(Split, RefusesBadRequestsAndLeavesTheProgramAlone) {
  TestNest t = Scale(10, 3);
  const std::string text = loops::PrintLoopProgram(t.program);
  auto error = [&](StmtId loop, int64_t factor) {
    absl::Status status = Split(t.program, loop, factor).status();
    EXPECT_EQ(loops::PrintLoopProgram(t.program), text);
    return status;
  };
  EXPECT_THAT(error(t.loops[0], 0).message(),
              HasSubstr("factor 0 for loop i0: a factor is at least 1"));
  EXPECT_THAT(error(t.loops[0], 11).message(),
              HasSubstr("factor 11 for loop i0, which has 10 iterations"));
  EXPECT_EQ(error(t.loops[0], -3).code(), absl::StatusCode::kInvalidArgument);
  const StmtId store = t.program.stmt(t.loops[1]).body[0];
  EXPECT_THAT(error(store, 2).message(), HasSubstr("is not a loop"));
  EXPECT_THAT(error(999, 2).message(), HasSubstr("statement 999 does not exist"));
  // A loop no kernel reaches (left over from an earlier rewrite).
  LoopBuilder b(t.program);
  const StmtId orphan = b.For(b.NewVar(), 4, {});
  EXPECT_THAT(Split(t.program, orphan, 2).status().message(), HasSubstr("is in no kernel"));
  t.program.stmts[t.loops[0]].loop = loops::LoopKind::kParallel;
  absl::Status parallel = Split(t.program, t.loops[0], 2).status();
  EXPECT_EQ(parallel.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(parallel.message(), HasSubstr("loop i0 is parallel"));
}

}  // namespace
}  // namespace dlc::transform_test
