// Unroll-and-jam: `factor` iterations of a loop side by side inside the
// loops it holds, each copy with its own locals, and a remainder loop.
#include "passes/transforms/unroll_and_jam.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "passes/register_accumulation.h"
#include "tests/passes/loop_transform_programs.h"

namespace dlc::transform_test {
namespace {

// The schedule's options with `bytes`-wide vectors (0: none).
ScheduleOptions VectorBytes(int bytes) {
  ScheduleOptions options;
  options.vector_bytes = bytes;
  return options;
}

using ::testing::HasSubstr;
using transforms::UnrollAndJam;

TEST(UnrollAndJam, CopiesRunSideBySideInTheInnermostLoop) {
  TestNest t = MatMul(5, 4, 3);
  const LoopProgram before = t.program;
  absl::StatusOr<transforms::UnrolledAndJammed> jammed = UnrollAndJam(t.program, t.loops[0], 2);
  ASSERT_TRUE(jammed.ok()) << jammed.status();
  EXPECT_EQ(jammed->loop, t.loops[0]);
  EXPECT_EQ(LastKernel(t.program), R"(for i0 in 0..15 {
  %out[i0] = 0.0
}
for i7 in 0..2 {
  for i2 in 0..4 {
    for i3 in 0..3 {
      %out[i7 * 2 * 3 + i3] = %out[i7 * 2 * 3 + i3] + %a[i7 * 2 * 4 + i2] * %w[i2 * 3 + i3]
      %out[(i7 * 2 + 1) * 3 + i3] = %out[(i7 * 2 + 1) * 3 + i3] + %a[(i7 * 2 + 1) * 4 + i2] * %w[i2 * 3 + i3]
    }
  }
}
for i4 in 0..1 {
  for i5 in 0..4 {
    for i6 in 0..3 {
      %out[(i4 + 4) * 3 + i6] = %out[(i4 + 4) * 3 + i6] + %a[(i4 + 4) * 4 + i5] * %w[i5 * 3 + i6]
    }
  }
}
)");
  ExpectSameBits(before, t.program);
}

// Every factor, dividing the extent or not, on the row loop and the column
// loop of a matrix product (the sums keep the order of their terms).
TEST(UnrollAndJam, KeepsTheBitsForEveryFactor) {
  for (int64_t factor = 1; factor <= 7; ++factor) {
    for (int which : {0, 2}) {
      TestNest t = MatMul(7, 5, 6);
      const LoopProgram before = t.program;
      if (factor > t.program.stmt(t.loops[which]).extent) continue;
      ASSERT_TRUE(UnrollAndJam(t.program, t.loops[which], factor).ok()) << factor;
      SCOPED_TRACE(testing::Message() << "factor " << factor << ", loop " << which);
      ExpectSameBits(before, t.program);
    }
  }
}

// After register accumulation the row loop holds a local: each copy gets
// one of its own (copy 0 keeps the original).
TEST(UnrollAndJam, EachCopyGetsItsOwnLocals) {
  TestNest t = MatMul(5, 4, 3);
  const LoopProgram before = t.program;
  ASSERT_EQ(AccumulateInRegisters(t.program, VectorBytes(0)).size(), 1u);
  ASSERT_TRUE(UnrollAndJam(t.program, t.loops[0], 3).ok());
  const std::string text = loops::PrintLoopProgram(t.program);
  EXPECT_THAT(text, HasSubstr("buffer %out.acc.1 f32[] local\n  buffer %out.acc.2 f32[] local\n"));
  EXPECT_THAT(LastKernel(t.program), HasSubstr(R"(    %out.acc[0] = 0.0
    %out.acc.1[0] = 0.0
    %out.acc.2[0] = 0.0
    for i2 in 0..4 {
      %out.acc[0] = %out.acc[0] + %a[i7 * 3 * 4 + i2] * %w[i2 * 3 + i3]
      %out.acc.1[0] = %out.acc.1[0] + %a[(i7 * 3 + 1) * 4 + i2] * %w[i2 * 3 + i3]
      %out.acc.2[0] = %out.acc.2[0] + %a[(i7 * 3 + 2) * 4 + i2] * %w[i2 * 3 + i3]
    }
    %out[i7 * 3 * 3 + i3] = %out.acc[0]
)")) << text;
  ExpectSameBits(before, t.program);
}

// out[i] = sum over k of x[i + k - 1] * w[k] where i + k - 1 is inside x
// (a padded convolution): the guard reads i, so each copy keeps its own
// guard, moved down to its statements.
TEST(UnrollAndJam, GuardsOnTheLoopMoveDownOntoEachCopy) {
  LoopProgram p;
  p.name = "conv";
  LoopBuilder b(p);
  const int64_t n = 9;
  const BufferId x = AddBuffer(b, "x", {n}, BufferKind::kInput);
  const BufferId w = AddBuffer(b, "w", {3}, BufferKind::kInput);
  const BufferId out = AddBuffer(b, "out", {n}, BufferKind::kOutput);
  const VarId i = b.NewVar(), k = b.NewVar();
  const ExprId at = b.AddConst(b.Add(b.Var(i), b.Var(k)), -1);
  const StmtId update = b.Store(
      out, b.Var(i), Add(b, b.Load(out, b.Var(i)), Mul(b, b.Load(x, at), b.Load(w, b.Var(k)))));
  const StmtId loop = b.For(i, n,
                            {b.Store(out, b.Var(i), b.Const(0, Type::kF32)),
                             b.For(k, 3, {b.If(b.InRange(at, n), {update})})});
  b.AddKernel("%out = conv", {loop});
  const LoopProgram before = p;
  ASSERT_TRUE(UnrollAndJam(p, loop, 2).ok());
  EXPECT_THAT(LastKernel(p), HasSubstr(R"(  for i1 in 0..3 {
    if (i4 * 2 + i1 + -1 >= 0) & (i4 * 2 + i1 + -1 < 9) {
      %out[i4 * 2] = %out[i4 * 2] + %x[i4 * 2 + i1 + -1] * %w[i1]
    }
    if (i4 * 2 + 1 + i1 + -1 >= 0) & (i4 * 2 + 1 + i1 + -1 < 9) {
      %out[i4 * 2 + 1] = %out[i4 * 2 + 1] + %x[i4 * 2 + 1 + i1 + -1] * %w[i1]
    }
  }
)")) << LastKernel(p);
  ExpectSameBits(before, p);
}

TEST(UnrollAndJam, RefusesIterationsThatDependOnEachOther) {
  TestNest shifted = ShiftedRows(6, 5);
  const std::string text = loops::PrintLoopProgram(shifted.program);
  absl::Status status = UnrollAndJam(shifted.program, shifted.loops[0], 2).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(),
              HasSubstr("unroll-and-jam of loop i1 would run iterations side by side"));
  EXPECT_EQ(loops::PrintLoopProgram(shifted.program), text);
  // A sum over rows: the copies would add into one location in another order.
  TestNest total = Total(4, 5);
  EXPECT_EQ(UnrollAndJam(total.program, total.loops[0], 2).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // The reduction loop of a matrix product.
  TestNest matmul = MatMul(4, 5, 6);
  EXPECT_EQ(UnrollAndJam(matmul.program, matmul.loops[1], 2).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(UnrollAndJam, RefusesChecksAndGuardsOnWhatTheLoopWrites) {
  TestNest t = Scale(4, 5);
  LoopBuilder b(t.program);
  const ExprId j = b.Var(t.program.stmt(t.loops[1]).var);
  const std::vector<StmtId> body = t.program.stmt(t.loops[1]).body;
  t.program.stmts[t.loops[1]].body.push_back(b.Check(b.InRange(j, 5), "j out of range"));
  EXPECT_THAT(UnrollAndJam(t.program, t.loops[0], 2).status().message(),
              HasSubstr("would reorder the checks"));
  // A guard on an element of the output.
  const BufferId kScaleOut = 2;
  const ExprId i = b.Var(t.program.stmt(t.loops[0]).var);
  const ExprId at = b.Add(b.Mul(i, 5), j);
  t.program.stmts[t.loops[1]].body = {
      b.If(b.Compare(loops::CompareOp::kGt, b.Load(kScaleOut, at), b.Const(0, Type::kF32)), body)};
  absl::Status status = UnrollAndJam(t.program, t.loops[0], 2).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("(a guard) reads a buffer the loop writes"));
}

TEST(UnrollAndJam, RefusesBadFactorsAndOtherStatements) {
  TestNest t = Scale(4, 5);
  EXPECT_THAT(UnrollAndJam(t.program, t.loops[0], 0).status().message(),
              HasSubstr("a factor is at least 1"));
  EXPECT_THAT(UnrollAndJam(t.program, t.loops[0], 5).status().message(),
              HasSubstr("which has 4 iterations"));
  const StmtId store = t.program.stmt(t.loops[1]).body[0];
  EXPECT_THAT(UnrollAndJam(t.program, store, 2).status().message(), HasSubstr("is not a loop"));
  t.program.stmts[t.loops[0]].loop = loops::LoopKind::kParallel;
  EXPECT_EQ(UnrollAndJam(t.program, t.loops[0], 2).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace dlc::transform_test
