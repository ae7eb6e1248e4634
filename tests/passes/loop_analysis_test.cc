// IterationsIndependent: which loops' iterations touch disjoint elements of
// every buffer they write (so they may run in SIMD lanes or on threads).
#include "passes/loop_analysis.h"

#include "gtest/gtest.h"
#include "ir/loops/loop_builder.h"

namespace dlc {
namespace {

using loops::BufferId;
using loops::BufferKind;
using loops::LoopBuilder;
using loops::LoopProgram;
using loops::StmtId;
using loops::Type;

// for i in 0..extent { out[stride*i + offset] = 1.0, for each offset }:
// the loop, in a program of its own.
struct StoresAtOffsets {
  LoopProgram program;
  StmtId loop = -1;
};
StoresAtOffsets Stores(int64_t extent, int64_t stride, std::vector<int64_t> offsets) {
  StoresAtOffsets t;
  LoopBuilder b(t.program);
  loops::Buffer out;
  out.name = "out";
  out.shape = {stride * extent + 64};
  out.kind = BufferKind::kOutput;
  const BufferId id = b.AddBuffer(out);
  const loops::VarId i = b.NewVar();
  std::vector<StmtId> stores;
  for (int64_t offset : offsets) {
    stores.push_back(
        b.Store(id, b.AddConst(b.Mul(b.Var(i), stride), offset), b.Const(1, Type::kF32)));
  }
  t.loop = b.For(i, extent, stores);
  b.AddKernel("stores", {t.loop});
  return t;
}

TEST(IterationsIndependent, ABandNarrowerThanTheStride) {
  StoresAtOffsets t = Stores(8, 3, {0, 1, 2});
  EXPECT_TRUE(IterationsIndependent(t.program, t.loop));
}

TEST(IterationsIndependent, AWindowsRowsSideBySide) {
  // A 2 x 2 window per iteration in rows of 28: offsets 0, 1, 28, 29 at
  // stride 2 (a max-pool gradient into a planar image).
  StoresAtOffsets t = Stores(14, 2, {0, 1, 28, 29});
  EXPECT_TRUE(IterationsIndependent(t.program, t.loop));
}

TEST(IterationsIndependent, OffsetsAMultipleOfTheStrideApartOverlap) {
  // out[2i + 2] of iteration i is out[2j] of iteration j = i + 1.
  StoresAtOffsets t = Stores(5, 2, {0, 2});
  EXPECT_FALSE(IterationsIndependent(t.program, t.loop));
  // 28 apart at stride 2 overlaps within 15 iterations, not within 14.
  t = Stores(15, 2, {0, 28});
  EXPECT_FALSE(IterationsIndependent(t.program, t.loop));
  t = Stores(14, 2, {0, 28});
  EXPECT_TRUE(IterationsIndependent(t.program, t.loop));
}

}  // namespace
}  // namespace dlc
