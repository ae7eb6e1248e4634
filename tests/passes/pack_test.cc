// Pack: the loads of one buffer in a nest read a copy laid out in the order
// the nest reads it, made just before the nest.
#include "passes/transforms/pack.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "passes/transforms/interchange.h"
#include "tests/passes/loop_transform_programs.h"

namespace dlc::transform_test {
namespace {

using ::testing::HasSubstr;
using transforms::Pack;

constexpr BufferId kA = 0, kW = 1, kOut = 2;  // MatMul's buffers

// With k innermost, the product reads w down its columns; packed, it reads
// a transposed copy along its rows.
TEST(Pack, CopiesInTheOrderTheNestReads) {
  TestNest t = MatMul(3, 4, 5);
  const LoopProgram before = t.program;
  ASSERT_TRUE(transforms::Interchange(t.program, t.loops[1], t.loops[2]).ok());
  absl::StatusOr<transforms::Packed> packed = Pack(t.program, t.loops[0], kW);
  ASSERT_TRUE(packed.ok()) << packed.status();
  EXPECT_EQ(t.program.buffer(packed->buffer).name, "w.pack");
  EXPECT_EQ(t.program.buffer(packed->buffer).shape, (Shape{5, 4}));
  EXPECT_EQ(t.program.buffer(packed->buffer).kind, BufferKind::kTemp);
  EXPECT_EQ(LastKernel(t.program), R"(for i0 in 0..15 {
  %out[i0] = 0.0
}
for i4 in 0..5 {
  for i5 in 0..4 {
    %w.pack[i5 + i4 * 4] = %w[i5 * 5 + i4]
  }
}
for i1 in 0..3 {
  for i3 in 0..5 {
    for i2 in 0..4 {
      %out[i1 * 5 + i3] = %out[i1 * 5 + i3] + %a[i1 * 4 + i2] * %w.pack[i2 + i3 * 4]
    }
  }
}
)");
  ExpectSameBits(before, t.program);
}

// Variables of loops around the nest stay in the copy's index: the copy
// sits inside those loops, just before the nest.
TEST(Pack, TheLoopsAroundTheNestChooseTheRegion) {
  TestNest t = MatMul(3, 4, 5);
  const LoopProgram before = t.program;
  absl::StatusOr<transforms::Packed> packed = Pack(t.program, t.loops[1], kA);
  ASSERT_TRUE(packed.ok()) << packed.status();
  EXPECT_EQ(t.program.buffer(packed->buffer).shape, (Shape{4}));
  EXPECT_THAT(LastKernel(t.program), HasSubstr(R"(for i1 in 0..3 {
  for i4 in 0..4 {
    %a.pack[i4] = %a[i1 * 4 + i4]
  }
  for i2 in 0..4 {
)"));
  ExpectSameBits(before, t.program);
  // Both operands, the second packing of a numbered.
  ASSERT_TRUE(Pack(t.program, t.loops[0], kW).ok());
  absl::StatusOr<transforms::Packed> again = Pack(t.program, t.loops[0], kA);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(t.program.buffer(again->buffer).name, "a.pack_2");
  ExpectSameBits(before, t.program);
}

// out[i] = x[i] + x[i + 1]: two indices; or x[i] under a guard; or
// x[|y[i]| % 9], a gather.
LoopProgram Stencil(bool guarded, bool gather) {
  LoopProgram p;
  p.name = "stencil";
  LoopBuilder b(p);
  const BufferId x = AddBuffer(b, "x", {9}, BufferKind::kInput);
  const BufferId y = AddBuffer(b, "y", {8}, BufferKind::kInput);
  const BufferId out = AddBuffer(b, "out", {8}, BufferKind::kOutput);
  const VarId i = b.NewVar();
  ExprId value = Add(b, b.Load(x, b.Var(i)), b.Load(x, b.AddConst(b.Var(i), 1)));
  if (gather) {
    const ExprId at = b.Cast(Type::kI64, b.Load(y, b.Var(i)));
    value = b.Load(x, b.Unary(loops::UnaryOp::kAbs, b.Binary(BinaryOp::kRem, at, b.Index(9))));
  }
  StmtId store = b.Store(out, b.Var(i), value);
  if (guarded) store = b.If(b.InRange(b.Var(i), 4), {b.Store(out, b.Var(i), b.Load(x, b.Var(i)))});
  b.AddKernel("%out = stencil", {b.For(i, 8, {store})});
  return p;
}

TEST(Pack, RefusesWhatItCannotCopyFaithfully) {
  TestNest t = MatMul(3, 4, 5);
  const std::string text = loops::PrintLoopProgram(t.program);
  absl::Status writes = Pack(t.program, t.loops[0], kOut).status();
  EXPECT_EQ(writes.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(writes.message(), HasSubstr("packing %out for loop i1: the nest writes it"));
  EXPECT_THAT(Pack(t.program, t.program.kernels[0].body[0], kA).status().message(),
              HasSubstr("the nest does not read it"));
  EXPECT_THAT(Pack(t.program, t.loops[0], 7).status().message(),
              HasSubstr("buffer 7 does not exist"));
  const StmtId store = t.program.stmt(t.loops[2]).body[0];
  EXPECT_THAT(Pack(t.program, store, kA).status().message(), HasSubstr("is not a loop"));
  EXPECT_EQ(loops::PrintLoopProgram(t.program), text);

  LoopProgram two = Stencil(false, false);
  EXPECT_THAT(Pack(two, two.kernels[0].body[0], 0).status().message(),
              HasSubstr("reads it at more than one index"));
  LoopProgram guarded = Stencil(true, false);
  EXPECT_THAT(Pack(guarded, guarded.kernels[0].body[0], 0).status().message(),
              HasSubstr("a load is under a guard"));
  LoopProgram gather = Stencil(false, true);
  ASSERT_TRUE(loops::VerifyLoopProgram(gather).ok()) << loops::VerifyLoopProgram(gather);
  EXPECT_THAT(Pack(gather, gather.kernels[0].body[0], 0).status().message(),
              HasSubstr("its index loads from memory"));
}

TEST(Pack, RefusesLocalsAndNestsWithChecks) {
  TestNest t = Scale(3, 4);
  LoopBuilder b(t.program);
  loops::Buffer local;
  local.name = "l";
  local.kind = BufferKind::kLocal;
  EXPECT_THAT(Pack(t.program, t.loops[0], b.AddBuffer(local)).status().message(),
              HasSubstr("is a local"));
  const ExprId j = b.Var(t.program.stmt(t.loops[1]).var);
  t.program.stmts[t.loops[1]].body.push_back(b.Check(b.InRange(j, 4), "j out of range"));
  EXPECT_THAT(Pack(t.program, t.loops[0], 0).status().message(),
              HasSubstr("the nest holds checks"));
}

}  // namespace
}  // namespace dlc::transform_test
