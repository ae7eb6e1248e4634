// The JIT session's contract: bad programs and bad calls come back as
// statuses (never a crash), programs may share names, compile time is
// measured.
#include "gmock/gmock.h"
#include "tests/codegen/codegen_test_util.h"

namespace dlc::codegen_test {
namespace {

using ::testing::HasSubstr;

absl::Status CompileStatus(LoopProgram& program) { return CompileUnverified(program).status(); }

TEST(JitSessionTest, RunChecksArgumentCountAndAlignment) {
  TestProgram p;
  BufferId x = p.Input("x", Type::kF32, 4);
  BufferId out = p.Output("out", Type::kF32, 4);
  p.Loop(4, LoopKind::kSerial, 1,
         [&](ExprId i) { return std::vector<StmtId>{p.b().Store(out, i, p.b().Load(x, i))}; });
  p.program().arguments = {x, out};
  absl::StatusOr<jit::CompiledFunction> compiled = CompileUnverified(p.program());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  EXPECT_EQ(compiled->num_arguments(), 2u);

  AlignedVector<float> xs = {1, 2, 3, 4, 5}, result(5);
  void* one_arg[] = {xs.data()};
  EXPECT_THAT(compiled->Run(one_arg).message(), HasSubstr("takes 2 arguments, got 1"));
  void* misaligned[] = {xs.data() + 1, result.data()};
  EXPECT_THAT(compiled->Run(misaligned).message(), HasSubstr("argument 0 is not 64-byte aligned"));
  void* good[] = {xs.data(), result.data()};
  EXPECT_TRUE(compiled->Run(good).ok());
  EXPECT_THAT(result, ::testing::ElementsAre(1, 2, 3, 4, 0));
}

TEST(JitSessionTest, BadProgramsAreErrorsNotCrashes) {
  {
    TestProgram p;
    BufferId out = p.Output("out", Type::kI32, 4);
    p.Loop(4, LoopKind::kSerial, 1, [&](ExprId i) {
      return std::vector<StmtId>{p.b().Store(out, i, p.b().Const(1.5, Type::kF32))};
    });
    p.program().arguments = {out};
    EXPECT_THAT(CompileStatus(p.program()).message(), HasSubstr("is f32, expected i32"));
  }
  {
    TestProgram p;
    BufferId out = p.Output("out", Type::kI32, 4);
    p.Loop(4, LoopKind::kSerial, 1, [&](ExprId i) {
      LoopBuilder& b = p.b();
      return std::vector<StmtId>{b.Store(out, i, b.Unary(UnaryOp::kExp, b.Const(1, Type::kI32)))};
    });
    p.program().arguments = {out};
    EXPECT_THAT(CompileStatus(p.program()).message(), HasSubstr("exp is not defined on i32"));
  }
  {
    TestProgram p;
    BufferId out = p.Output("out", Type::kI64, 4);
    LoopBuilder& b = p.b();
    VarId stray = b.NewVar();
    p.Loop(4, LoopKind::kSerial, 1,
           [&](ExprId i) { return std::vector<StmtId>{b.Store(out, i, b.Var(stray))}; });
    p.program().arguments = {out};
    EXPECT_THAT(CompileStatus(p.program()).message(), HasSubstr("used outside its loop"));
  }
  {
    TestProgram p;
    BufferId t = p.Temp("t", Type::kF32, 4, 0);
    p.program().buffers[t].offset = -1;
    p.Loop(4, LoopKind::kSerial, 1, [&](ExprId i) {
      return std::vector<StmtId>{p.b().Store(t, i, p.b().Const(0, Type::kF32))};
    });
    EXPECT_THAT(CompileStatus(p.program()).message(), HasSubstr("has no workspace offset"));
  }
  {
    TestProgram p;
    BufferId x = p.Input("x", Type::kF32, 4);
    p.Loop(4, LoopKind::kSerial, 1, [&](ExprId i) {
      return std::vector<StmtId>{p.b().Store(x, i, p.b().Const(0, Type::kF32))};
    });
    p.program().arguments = {x};
    EXPECT_THAT(CompileStatus(p.program()).message(),
                HasSubstr("neither an output nor a temporary"));
  }
  {
    TestProgram p;
    BufferId x = p.Input("x", Type::kF32, 4);
    p.program().arguments = {};
    (void)x;
    EXPECT_THAT(CompileStatus(p.program()).message(), HasSubstr("is not an argument"));
  }
}

TEST(JitSessionTest, ProgramsMayShareNames) {
  auto constant_program = [](TestProgram& p, int32_t value) {
    BufferId out = p.Output("out", Type::kI32, 1);
    p.Kernel({p.b().Store(out, p.b().Index(0), p.b().Const(value, Type::kI32))});
  };
  TestProgram first("same"), second("same");
  constant_program(first, 1);
  constant_program(second, 2);
  AlignedVector<int32_t> a(1), b(1);
  ASSERT_EQ(*first.Run({a.data()}), 0);
  ASSERT_EQ(*second.Run({b.data()}), 0);
  EXPECT_EQ(a[0], 1);
  EXPECT_EQ(b[0], 2);
}

TEST(JitSessionTest, FunctionsOutliveTheirSession) {
  TestProgram p;
  BufferId out = p.Output("out", Type::kI32, 3);
  p.Loop(3, LoopKind::kSerial, 1, [&](ExprId i) {
    return std::vector<StmtId>{p.b().Store(out, i, p.b().Cast(Type::kI32, i))};
  });
  p.program().arguments = {out};
  absl::StatusOr<std::unique_ptr<jit::JitSession>> session = jit::JitSession::Create();
  ASSERT_TRUE(session.ok()) << session.status();
  absl::StatusOr<jit::CompiledFunction> compiled = (*session)->Compile(p.program());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  session->reset();
  AlignedVector<int32_t> result(3, -1);
  void* args[] = {result.data()};
  ASSERT_TRUE(compiled->Run(args).ok());
  EXPECT_THAT(result, ::testing::ElementsAre(0, 1, 2));
}

TEST(JitSessionTest, CompileTimesAreMeasured) {
  TestProgram p;
  BufferId out = p.Output("out", Type::kF32, 64);
  p.Loop(64, LoopKind::kVectorized, 16, [&](ExprId i) {
    return std::vector<StmtId>{p.b().Store(out, i, p.b().Cast(Type::kF32, i))};
  });
  p.program().arguments = {out};
  absl::StatusOr<jit::CompiledFunction> compiled = CompileUnverified(p.program());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  EXPECT_GT(compiled->timings().emit_ms, 0);
  EXPECT_GT(compiled->timings().optimize_ms, 0);
  EXPECT_GT(compiled->timings().codegen_ms, 0);
}

TEST(JitSessionTest, HostTargetDecidesTheVectorWidth) {
  EXPECT_EQ(Jit().target().vector_width_f32,
            HostHasFeature("avx512f") ? 16 : Jit().target().vector_width_f32);
  EXPECT_GE(Jit().target().vector_width_f32, 4);  // x86-64 always has SSE2
}

}  // namespace
}  // namespace dlc::codegen_test
