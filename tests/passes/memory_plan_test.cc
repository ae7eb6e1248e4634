// Memory planning: temps that are never in use together share workspace.
#include "passes/memory_plan.h"

#include "gtest/gtest.h"
#include "ir/loops/loop_builder.h"
#include "ir/loops/loop_verifier.h"

namespace dlc {
namespace {

using loops::Buffer;
using loops::BufferKind;
using loops::Type;

TEST(MemoryPlan, DeadTempsShareSpaceLiveOnesDoNot) {
  loops::LoopProgram p;
  p.name = "f";
  loops::LoopBuilder b(p);
  // a is written in kernel 0 and read in kernel 1; c is used only in kernel 2,
  // after a is dead, so it can take a's place; b2 overlaps a's lifetime.
  auto a = b.AddBuffer(Buffer{"a", Type::kF32, {100}, BufferKind::kTemp, {}, -1});
  auto b2 = b.AddBuffer(Buffer{"b", Type::kF32, {10}, BufferKind::kTemp, {}, -1});
  auto c = b.AddBuffer(Buffer{"c", Type::kF32, {50}, BufferKind::kTemp, {}, -1});
  b.AddKernel("write a", {b.Store(a, b.Index(0), b.Const(1, Type::kF32))});
  b.AddKernel("a to b", {b.Store(b2, b.Index(0), b.Load(a, b.Index(0)))});
  b.AddKernel("b to c", {b.Store(c, b.Index(0), b.Load(b2, b.Index(0)))});
  PlanWorkspace(p);
  EXPECT_EQ(p.buffer(a).offset, 0);
  EXPECT_EQ(p.buffer(b2).offset, 448);  // after a's 400 bytes, rounded up to 64
  EXPECT_EQ(p.buffer(c).offset, 0);     // a is dead by kernel 2
  EXPECT_EQ(p.workspace_bytes, 512);
  EXPECT_TRUE(loops::VerifyLoopProgram(p, {.require_memory_plan = true}).ok());
}

}  // namespace
}  // namespace dlc
