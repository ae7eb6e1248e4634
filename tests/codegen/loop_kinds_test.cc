// Serial, unrolled and vectorized loops compute the same thing, with tails
// of every length and loops nested inside each other.
#include "tests/codegen/codegen_test_util.h"

namespace dlc::codegen_test {
namespace {

AlignedVector<float> Iota(size_t n, float scale = 1.0f) {
  AlignedVector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * static_cast<float>(i) - 3.0f;
  return v;
}

TEST(LoopKindsTest, SerialNestCoversEveryElement) {
  TestProgram p;
  BufferId x = p.Input("x", Type::kF32, 35);
  BufferId y = p.Input("y", Type::kF32, 7);
  BufferId out = p.Output("out", Type::kF32, 35);
  LoopBuilder& b = p.b();
  p.Kernel(b.Nest({5, 7}, [&](std::span<const ExprId> c) {
    ExprId at = b.FlatIndex(c, {5, 7});
    ExprId twice = b.Binary(BinaryOp::kMul, b.Load(x, at), b.Const(2, Type::kF32));
    return std::vector<StmtId>{b.Store(out, at, b.Binary(BinaryOp::kAdd, twice, b.Load(y, c[1])))};
  }));
  AlignedVector<float> xs = Iota(35), ys = Iota(7, 0.5f), result(35);
  ASSERT_EQ(*p.Run({xs.data(), ys.data(), result.data()}), 0);
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 7; ++j) EXPECT_EQ(result[i * 7 + j], xs[i * 7 + j] * 2 + ys[j]);
  }
}

// out[i] = f32(i) * 0.5, then back[i] = out[i] + x[i]: two statements per
// iteration, the second reading what the first wrote.
void CheckKindOnExtents(LoopKind kind, int width, std::initializer_list<int64_t> extents) {
  for (int64_t n : extents) {
    TestProgram p;
    BufferId x = p.Input("x", Type::kF32, n);
    BufferId out = p.Output("out", Type::kF32, n);
    BufferId back = p.Output("back", Type::kF32, n);
    p.Loop(n, kind, width, [&](ExprId i) {
      LoopBuilder& b = p.b();
      ExprId half = b.Binary(BinaryOp::kMul, b.Cast(Type::kF32, i), b.Const(0.5, Type::kF32));
      return std::vector<StmtId>{
          b.Store(out, i, half),
          b.Store(back, i, b.Binary(BinaryOp::kAdd, b.Load(out, i), b.Load(x, i)))};
    });
    AlignedVector<float> xs = Iota(n), outs(n, -1), backs(n, -1);
    ASSERT_EQ(*p.Run({xs.data(), outs.data(), backs.data()}), 0);
    for (int64_t i = 0; i < n; ++i) {
      EXPECT_EQ(outs[i], 0.5f * i) << "extent " << n << " width " << width << " at " << i;
      EXPECT_EQ(backs[i], 0.5f * i + xs[i]) << "extent " << n << " width " << width << " at " << i;
    }
  }
}

TEST(LoopKindsTest, UnrolledLoopsRunTheirTails) {
  CheckKindOnExtents(LoopKind::kUnrolled, 4, {10, 8, 3, 1});
  CheckKindOnExtents(LoopKind::kUnrolled, 16, {5});
}

TEST(LoopKindsTest, VectorizedLoopsRunBodyAndTail) {
  CheckKindOnExtents(LoopKind::kVectorized, 16, {37, 16, 5, 1});
  CheckKindOnExtents(LoopKind::kVectorized, 8, {37});
  CheckKindOnExtents(LoopKind::kVectorized, 4, {6});
}

TEST(LoopKindsTest, SerialLoopOfExtentZeroDoesNothing) {
  CheckKindOnExtents(LoopKind::kSerial, 1, {0});
}

TEST(LoopKindsTest, SerialReductionInsideAVectorizedLoop) {
  // for j vectorized: out[j] = 0; for k: out[j] += x[k*20 + j] * w[k]
  // (w[k] is the same in every lane: a scalar load and a broadcast).
  const int64_t n = 20, depth = 3;
  TestProgram p;
  BufferId x = p.Input("x", Type::kF32, n * depth);
  BufferId w = p.Input("w", Type::kF32, depth);
  BufferId out = p.Output("out", Type::kF32, n);
  LoopBuilder& b = p.b();
  VarId j = b.NewVar(), k = b.NewVar();
  ExprId jv = b.Var(j), kv = b.Var(k);
  ExprId product = b.Binary(BinaryOp::kMul, b.Load(x, b.Add(b.Mul(kv, n), jv)), b.Load(w, kv));
  StmtId accumulate = b.Store(out, jv, b.Binary(BinaryOp::kAdd, b.Load(out, jv), product));
  p.Kernel({b.For(j, n, {b.Store(out, jv, b.Const(0, Type::kF32)), b.For(k, depth, {accumulate})},
                  LoopKind::kVectorized, 16)});
  AlignedVector<float> xs = Iota(n * depth, 0.25f), ws = {0.5f, -1.0f, 2.0f}, result(n);
  ASSERT_EQ(*p.Run({xs.data(), ws.data(), result.data()}), 0);
  for (int64_t jj = 0; jj < n; ++jj) {
    float expected = 0;
    for (int64_t kk = 0; kk < depth; ++kk) expected = std::fma(xs[kk * n + jj], ws[kk], expected);
    EXPECT_FLOAT_EQ(result[jj], expected) << jj;
  }
}

TEST(LoopKindsTest, VectorizedLoopInsideASerialLoopBroadcastsTheOuterValue) {
  const int64_t rows = 3, cols = 37;
  TestProgram p;
  BufferId x = p.Input("x", Type::kF32, rows * cols);
  BufferId c = p.Input("c", Type::kF32, rows);
  BufferId out = p.Output("out", Type::kF32, rows * cols);
  LoopBuilder& b = p.b();
  VarId i = b.NewVar(), j = b.NewVar();
  ExprId at = b.Add(b.Mul(b.Var(i), cols), b.Var(j));
  StmtId store = b.Store(out, at, b.Binary(BinaryOp::kSub, b.Load(x, at), b.Load(c, b.Var(i))));
  p.Kernel({b.For(i, rows, {b.For(j, cols, {store}, LoopKind::kVectorized, 16)})});
  AlignedVector<float> xs = Iota(rows * cols), cs = {1.0f, 10.0f, 100.0f}, result(rows * cols);
  ASSERT_EQ(*p.Run({xs.data(), cs.data(), result.data()}), 0);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t q = 0; q < cols; ++q) EXPECT_EQ(result[r * cols + q], xs[r * cols + q] - cs[r]);
  }
}

TEST(LoopKindsTest, UnrolledLoopNestedInAVectorizedLoopRunsForAllLanes) {
  const int64_t n = 21, depth = 5;
  TestProgram p;
  BufferId x = p.Input("x", Type::kI32, n * depth);
  BufferId out = p.Output("out", Type::kI32, n);
  LoopBuilder& b = p.b();
  VarId j = b.NewVar(), k = b.NewVar();
  ExprId jv = b.Var(j);
  // x[j*5 + k]: stride 5 in j, a gather.
  ExprId element = b.Load(x, b.Add(b.Mul(jv, depth), b.Var(k)));
  StmtId accumulate = b.Store(out, jv, b.Binary(BinaryOp::kAdd, b.Load(out, jv), element));
  p.Kernel({b.For(j, n,
                  {b.Store(out, jv, b.Const(0, Type::kI32)),
                   b.For(k, depth, {accumulate}, LoopKind::kUnrolled, 2)},
                  LoopKind::kVectorized, 16)});
  AlignedVector<int32_t> xs(n * depth), result(n);
  for (int64_t i = 0; i < n * depth; ++i) xs[i] = static_cast<int32_t>(i * i % 17);
  ASSERT_EQ(*p.Run({xs.data(), result.data()}), 0);
  for (int64_t jj = 0; jj < n; ++jj) {
    int32_t expected = 0;
    for (int64_t kk = 0; kk < depth; ++kk) expected += xs[jj * depth + kk];
    EXPECT_EQ(result[jj], expected) << jj;
  }
}

}  // namespace
}  // namespace dlc::codegen_test
