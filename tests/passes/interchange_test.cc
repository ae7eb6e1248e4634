// Interchange: two perfectly nested loops swap places, when no two
// iterations touching one element run in the other order afterwards.
#include "passes/transforms/interchange.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "passes/loop_analysis.h"
#include "passes/transforms/split.h"
#include "tests/passes/loop_transform_programs.h"

namespace dlc::transform_test {
namespace {

using ::testing::HasSubstr;
using transforms::Interchange;

TEST(Interchange, IndependentLoopsSwapPlaces) {
  TestNest t = Scale(5, 7);
  const LoopProgram before = t.program;
  absl::StatusOr<StmtId> outer = Interchange(t.program, t.loops[0], t.loops[1]);
  ASSERT_TRUE(outer.ok()) << outer.status();
  EXPECT_EQ(*outer, t.loops[1]);
  EXPECT_EQ(t.program.kernels[0].body[0], t.loops[1]);
  EXPECT_EQ(LastKernel(t.program), R"(for i1 in 0..7 {
  for i0 in 0..5 {
    %out[i0 * 7 + i1] = %a[i0 * 7 + i1] * %s[i1] + 0.5
  }
}
)");
  ExpectSameBits(before, t.program);
}

// A matrix product's reduction loop k and column loop j: each out element
// still adds its terms in k order, so j may go outside.
TEST(Interchange, AReductionMovesInsideTheLoopChoosingItsElement) {
  TestNest t = MatMul(4, 9, 6);
  const LoopProgram before = t.program;
  ASSERT_TRUE(Interchange(t.program, t.loops[1], t.loops[2]).ok());
  EXPECT_THAT(LastKernel(t.program), HasSubstr(R"(for i1 in 0..4 {
  for i3 in 0..6 {
    for i2 in 0..9 {
)"));
  ExpectSameBits(before, t.program);
  // ... and back, and the row loop outside and in again.
  ASSERT_TRUE(Interchange(t.program, t.loops[2], t.loops[1]).ok());
  ASSERT_TRUE(Interchange(t.program, t.loops[0], t.loops[1]).ok());
  ExpectSameBits(before, t.program);
}

// Iteration (i, j) reads what (i - 1, j + 1) wrote: with j outside it
// would run first.
TEST(Interchange, RefusesToReverseADependence) {
  TestNest t = ShiftedRows(6, 5);
  const std::string text = loops::PrintLoopProgram(t.program);
  absl::Status status = Interchange(t.program, t.loops[0], t.loops[1]).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(),
              HasSubstr("interchanging loop i1 and loop i2 would reorder iterations"));
  EXPECT_EQ(loops::PrintLoopProgram(t.program), text);
}

// Every term goes to one location: the other order adds them in another
// order, which may change the sum's bits.
TEST(Interchange, RefusesToReorderASum) {
  TestNest t = Total(4, 5);
  const std::string text = loops::PrintLoopProgram(t.program);
  EXPECT_EQ(Interchange(t.program, t.loops[0], t.loops[1]).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(loops::PrintLoopProgram(t.program), text);
}

// d[i + j] += a[i, j]: one index for every access, reading both loops, but
// it reaches d[k] from several (i, j): another order adds those terms in
// another order.
TEST(Interchange, RefusesToReorderSumsAlongDiagonals) {
  LoopProgram p;
  p.name = "diagonals";
  LoopBuilder b(p);
  const BufferId a = AddBuffer(b, "a", {4, 5}, BufferKind::kInput);
  const BufferId d = AddBuffer(b, "d", {8}, BufferKind::kOutput);
  const VarId i = b.NewVar(), j = b.NewVar();
  const ExprId at = b.Add(b.Var(i), b.Var(j));
  const StmtId lj = b.For(
      j, 5,
      {b.Store(d, at, Add(b, b.Load(d, at), b.Load(a, b.Add(b.Mul(b.Var(i), 5), b.Var(j)))))});
  const StmtId li = b.For(i, 4, {lj});
  b.AddKernel("%d = diagonals", {li});
  EXPECT_FALSE(ConflictsAgreeOn(p, li, i));
  EXPECT_FALSE(ConflictsAgreeOn(p, li, j));
  EXPECT_EQ(Interchange(p, li, lj).status().code(), absl::StatusCode::kFailedPrecondition);
}

// What the analysis behind the interchange sees in a matrix product: the
// elements written are chosen by i and j, every k adds to them.
TEST(Interchange, ConflictsInAMatrixProductAgreeOnRowAndColumn) {
  TestNest t = MatMul(4, 9, 6);
  const LoopProgram& p = t.program;
  EXPECT_TRUE(ConflictsAgreeOn(p, t.loops[0], p.stmt(t.loops[0]).var));
  EXPECT_TRUE(ConflictsAgreeOn(p, t.loops[0], p.stmt(t.loops[2]).var));
  EXPECT_FALSE(ConflictsAgreeOn(p, t.loops[0], p.stmt(t.loops[1]).var));
}

// The refusal matters: swapped by hand, the sum comes out with other bits
// on (some of) the three input sets ExpectSameBits uses, which is also what
// lets the parity checks of these tests see a reordered sum.
TEST(Interchange, ASumInAnotherOrderHasOtherBits) {
  TestNest t = Total(6, 7);
  LoopProgram swapped = t.program;
  swapped.kernels[0].body[1] = t.loops[1];
  swapped.stmts[t.loops[0]].body = swapped.stmt(t.loops[1]).body;
  swapped.stmts[t.loops[1]].body = {t.loops[0]};
  ASSERT_TRUE(loops::VerifyLoopProgram(swapped).ok());
  int differ = 0;
  for (uint64_t seed : {1, 2, 3}) {
    const std::vector<Tensor> inputs = RandomInputs(t.program, seed);
    differ +=
        Interpret(t.program, inputs)[0].GetDouble(0) != Interpret(swapped, inputs)[0].GetDouble(0);
  }
  EXPECT_GE(differ, 1);
}

TEST(Interchange, RefusesLoopsThatAreNotPerfectlyNested) {
  TestNest t = MatMul(4, 9, 6);
  EXPECT_THAT(Interchange(t.program, t.loops[0], t.loops[2]).status().message(),
              HasSubstr("loop i1 and loop i3 are not perfectly nested"));
  // A split leaves a remainder beside the block loop.
  ASSERT_TRUE(transforms::Split(t.program, t.loops[2], 4).ok());
  const StmtId block_loop = t.program.stmt(t.loops[1]).body[0];
  EXPECT_EQ(Interchange(t.program, t.loops[1], block_loop).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Interchange(t.program, t.loops[0], t.loops[0]).status().message(),
              HasSubstr("not perfectly nested"));
}

TEST(Interchange, RefusesANestWithChecks) {
  TestNest t = Scale(3, 4);
  LoopBuilder b(t.program);
  const ExprId j = b.Var(t.program.stmt(t.loops[1]).var);
  t.program.stmts[t.loops[1]].body.push_back(b.Check(b.InRange(j, 4), "j out of range"));
  EXPECT_THAT(Interchange(t.program, t.loops[0], t.loops[1]).status().message(),
              HasSubstr("would reorder the checks"));
}

TEST(Interchange, RefusesWhatIsNotASerialLoop) {
  TestNest t = Scale(3, 4);
  const StmtId store = t.program.stmt(t.loops[1]).body[0];
  EXPECT_EQ(Interchange(t.program, t.loops[1], store).status().code(),
            absl::StatusCode::kInvalidArgument);
  t.program.stmts[t.loops[1]].loop = loops::LoopKind::kVectorized;
  t.program.stmts[t.loops[1]].width = 4;
  EXPECT_THAT(Interchange(t.program, t.loops[0], t.loops[1]).status().message(),
              HasSubstr("loop i1 is vectorized"));
}

}  // namespace
}  // namespace dlc::transform_test
