// Guards, checks and their error codes, constant buffers, and workspace
// temporaries shared between kernels.
#include "gmock/gmock.h"
#include "tests/codegen/codegen_test_util.h"

namespace dlc::codegen_test {
namespace {

using ::testing::HasSubstr;

TEST(ControlTest, GuardSkipsTheBody) {
  TestProgram p;
  BufferId x = p.Input("x", Type::kI32, 10);
  BufferId out = p.Output("out", Type::kI32, 10);
  p.Loop(10, LoopKind::kSerial, 1, [&](ExprId i) {
    LoopBuilder& b = p.b();
    ExprId positive = b.Compare(CompareOp::kGt, b.Load(x, i), b.Const(0, Type::kI32));
    return std::vector<StmtId>{b.If(positive, {b.Store(out, i, b.Load(x, i))})};
  });
  AlignedVector<int32_t> xs = {3, -1, 0, 5, -7, 9, 1, -2, 4, 0}, result(10, 99);
  ASSERT_EQ(*p.Run({xs.data(), result.data()}), 0);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(result[i], xs[i] > 0 ? xs[i] : 99) << i;
}

// for i: out[i] = 1; check(labels[i] < 10); check(labels[i] >= 0); out[i] = 2
void BuildLabelChecks(TestProgram& p, int64_t n, LoopKind kind, int width) {
  BufferId labels = p.Input("labels", Type::kI32, n);
  BufferId out = p.Output("out", Type::kI32, n);
  p.Loop(n, kind, width, [&](ExprId i) {
    LoopBuilder& b = p.b();
    ExprId label = b.Load(labels, i);
    return std::vector<StmtId>{
        b.Store(out, i, b.Const(1, Type::kI32)),
        b.Check(b.Compare(CompareOp::kLt, label, b.Const(10, Type::kI32)), "label above 9"),
        b.Check(b.Compare(CompareOp::kGe, label, b.Const(0, Type::kI32)), "negative label"),
        b.Store(out, i, b.Const(2, Type::kI32))};
  });
}

TEST(ControlTest, FailedCheckReturnsItsCodeAndStopsTheProgram) {
  TestProgram p;
  BuildLabelChecks(p, 8, LoopKind::kSerial, 1);
  AlignedVector<int32_t> good = {0, 1, 2, 3, 4, 5, 6, 9}, result(8, 0);
  EXPECT_EQ(*p.Run({good.data(), result.data()}), 0);
  EXPECT_THAT(result, ::testing::Each(2));

  AlignedVector<int32_t> negative_at_3 = {0, 1, 2, -1, 12, 5, 6, 9};
  std::fill(result.begin(), result.end(), 0);
  EXPECT_EQ(*p.Run({negative_at_3.data(), result.data()}), 2);
  // Iterations 0..2 finished, 3 stopped between the stores, 4.. never ran.
  EXPECT_THAT(result, ::testing::ElementsAre(2, 2, 2, 1, 0, 0, 0, 0));

  AlignedVector<int32_t> too_big_at_1 = {0, 10, 2, -1, 4, 5, 6, 9};
  EXPECT_EQ(*p.Run({too_big_at_1.data(), result.data()}), 1);
}

TEST(ControlTest, RunTurnsTheCodeIntoTheProgramsMessage) {
  TestProgram p;
  BuildLabelChecks(p, 4, LoopKind::kSerial, 1);
  p.program().arguments = {0, 1};
  absl::StatusOr<jit::CompiledFunction> compiled = CompileUnverified(p.program());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  AlignedVector<int32_t> labels = {1, 2, -3, 4}, result(4);
  void* args[] = {labels.data(), result.data()};
  absl::Status status = compiled->Run(args);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "negative label");
}

TEST(ControlTest, VectorizedLoopReportsTheFirstFailureInIterationOrder) {
  // Iteration 2 fails the second check and iteration 5 the first: the
  // serial loop returns the second check's code. A vector body would meet
  // the first check of all 16 lanes first, so the emitter runs this loop
  // serially; results must not depend on that.
  TestProgram p;
  BuildLabelChecks(p, 37, LoopKind::kVectorized, 16);
  AlignedVector<int32_t> labels(37, 3), result(37, 0);
  labels[2] = -1;
  labels[5] = 11;
  EXPECT_EQ(*p.Run({labels.data(), result.data()}), 2);
  EXPECT_EQ(result[1], 2);
  EXPECT_EQ(result[2], 1);
  EXPECT_EQ(result[3], 0);
}

TEST(ControlTest, UniformCheckInsideAVectorizedLoop) {
  // check(limit[0] > 4) is the same in every lane: the loop stays vectorized.
  TestProgram p;
  BufferId limit = p.Input("limit", Type::kI32, 1);
  BufferId out = p.Output("out", Type::kF32, 37);
  p.Loop(37, LoopKind::kVectorized, 16, [&](ExprId i) {
    LoopBuilder& b = p.b();
    return std::vector<StmtId>{
        b.Check(b.Compare(CompareOp::kGt, b.Load(limit, b.Index(0)), b.Const(4, Type::kI32)),
                "limit too small"),
        b.Store(out, i, b.Cast(Type::kF32, i))};
  });
  AlignedVector<int32_t> ok = {5}, too_small = {4};
  AlignedVector<float> result(37, -1);
  EXPECT_EQ(*p.Run({ok.data(), result.data()}), 0);
  for (int i = 0; i < 37; ++i) EXPECT_EQ(result[i], i);
  EXPECT_EQ(*p.Run({too_small.data(), result.data()}), 1);
}

TEST(ControlTest, ConstantBuffersSplatsAndArrays) {
  const int64_t n = 37;
  for (LoopKind kind : {LoopKind::kSerial, LoopKind::kVectorized}) {
    TestProgram p;
    std::vector<double> weights(n), signs(n);
    for (int64_t i = 0; i < n; ++i) {
      weights[i] = 0.25 * static_cast<double>(i) - 1;
      signs[i] = i % 2 == 0 ? 1 : 0;
    }
    BufferId half = p.Constant("half", Type::kF32, n, {0.5});  // a splat
    BufferId weight = p.Constant("weight", Type::kF32, n, weights);
    BufferId count = p.Constant("count", Type::kI32, 3, {-4, 7, 300});
    BufferId sign = p.Constant("sign", Type::kI1, n, signs);
    BufferId wide = p.Constant("wide", Type::kF64, 2, {0.1, 1e300});
    BufferId out = p.Output("out", Type::kF32, n);
    BufferId out64 = p.Output("out64", Type::kF64, n);
    p.Loop(n, kind, 16, [&](ExprId i) {
      LoopBuilder& b = p.b();
      ExprId scaled = b.Binary(BinaryOp::kMul, b.Load(weight, i), b.Load(half, i));
      ExprId counted = b.Cast(Type::kF32, b.Load(count, b.Binary(BinaryOp::kRem, i, b.Index(3))));
      ExprId value = b.Select(b.Load(sign, i), b.Binary(BinaryOp::kAdd, scaled, counted), scaled);
      return std::vector<StmtId>{
          b.Store(out, i, value),
          b.Store(out64, i, b.Load(wide, b.Binary(BinaryOp::kRem, i, b.Index(2))))};
    });
    AlignedVector<float> result(n);
    AlignedVector<double> result64(n);
    ASSERT_EQ(*p.Run({result.data(), result64.data()}), 0);
    const float counts[] = {-4, 7, 300};
    for (int64_t i = 0; i < n; ++i) {
      const float scaled = static_cast<float>(weights[i]) * 0.5f;
      EXPECT_EQ(result[i], i % 2 == 0 ? scaled + counts[i % 3] : scaled) << i;
      EXPECT_EQ(result64[i], i % 2 == 0 ? 0.1 : 1e300) << i;
    }
  }
}

TEST(ControlTest, TemporariesCarryValuesBetweenKernels) {
  const int64_t n = 37;
  TestProgram p;
  BufferId x = p.Input("x", Type::kF32, n);
  BufferId doubled = p.Temp("doubled", Type::kF32, n, 0);
  BufferId rounded = p.Temp("rounded", Type::kI32, n, 192);
  BufferId out = p.Output("out", Type::kI32, n);
  LoopBuilder& b = p.b();
  auto loop = [&](LoopKind kind, const std::function<StmtId(ExprId)>& body) {
    VarId v = b.NewVar();
    p.Kernel({b.For(v, n, {body(b.Var(v))}, kind, 16)});
  };
  loop(LoopKind::kVectorized, [&](ExprId i) {
    return b.Store(doubled, i, b.Binary(BinaryOp::kMul, b.Load(x, i), b.Const(2, Type::kF32)));
  });
  loop(LoopKind::kSerial, [&](ExprId i) {
    return b.Store(rounded, i, b.Cast(Type::kI32, b.Unary(UnaryOp::kFloor, b.Load(doubled, i))));
  });
  loop(LoopKind::kVectorized, [&](ExprId i) {
    return b.Store(out, i, b.Binary(BinaryOp::kAdd, b.Load(rounded, i), b.Const(1, Type::kI32)));
  });
  AlignedVector<float> xs(n);
  for (int64_t i = 0; i < n; ++i) xs[i] = 0.3f * static_cast<float>(i) - 4;
  for (int run = 0; run < 2; ++run) {  // the workspace is reused between runs
    AlignedVector<int32_t> result(n);
    ASSERT_EQ(*p.Run({xs.data(), result.data()}), 0);
    for (int64_t i = 0; i < n; ++i) {
      EXPECT_EQ(result[i], static_cast<int32_t>(std::floor(xs[i] * 2)) + 1) << i;
    }
  }
}

}  // namespace
}  // namespace dlc::codegen_test
