// Parallel loops: outlined bodies run by dlc_parallel_for give the same
// bits with one thread and with two, see the variables of enclosing loops,
// and report the failed check of the lowest iteration.
#include <algorithm>
#include <mutex>

#include "gmock/gmock.h"
#include "runtime/jit/thread_pool.h"
#include "tests/codegen/codegen_test_util.h"

namespace dlc::codegen_test {
namespace {

// Restores the thread count a test changed.
class ThreadCountScope {
 public:
  ThreadCountScope() : saved_(jit::ThreadCount()) {}
  ~ThreadCountScope() { jit::SetThreadCount(saved_); }

 private:
  int saved_;
};

TEST(ParallelTest, OneAndTwoThreadsGiveIdenticalResults) {
  ThreadCountScope scope;
  const int64_t rows = 37, cols = 29;
  TestProgram p;
  BufferId x = p.Input("x", Type::kF32, rows * cols);
  BufferId w = p.Input("w", Type::kF32, cols);
  BufferId out = p.Output("out", Type::kF32, rows * cols);
  LoopBuilder& b = p.b();
  VarId i = b.NewVar(), j = b.NewVar();
  ExprId at = b.Add(b.Mul(b.Var(i), cols), b.Var(j));
  ExprId value =
      b.Binary(BinaryOp::kAdd, b.Binary(BinaryOp::kMul, b.Load(x, at), b.Load(w, b.Var(j))),
               b.Cast(Type::kF32, b.Var(i)));
  p.Kernel({b.For(i, rows, {b.For(j, cols, {b.Store(out, at, value)}, LoopKind::kVectorized, 16)},
                  LoopKind::kParallel)});
  AlignedVector<float> xs(rows * cols), ws(cols);
  for (int64_t k = 0; k < rows * cols; ++k) xs[k] = 0.01f * static_cast<float>(k * k % 101);
  for (int64_t k = 0; k < cols; ++k) ws[k] = 1.0f / static_cast<float>(k + 1);

  AlignedVector<float> one(rows * cols), two(rows * cols);
  jit::SetThreadCount(1);
  ASSERT_EQ(*p.Run({xs.data(), ws.data(), one.data()}), 0);
  jit::SetThreadCount(2);
  ASSERT_EQ(*p.Run({xs.data(), ws.data(), two.data()}), 0);
  ExpectSameValues<float>(two, one, "2 threads vs 1");
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      EXPECT_EQ(one[r * cols + c], std::fma(xs[r * cols + c], ws[c], static_cast<float>(r)));
    }
  }
}

TEST(ParallelTest, BodySeesTheVariablesOfEnclosingLoops) {
  ThreadCountScope scope;
  jit::SetThreadCount(2);
  TestProgram p;
  BufferId out = p.Output("out", Type::kI32, 3 * 10);
  LoopBuilder& b = p.b();
  VarId k = b.NewVar(), i = b.NewVar();
  ExprId value = b.Cast(Type::kI32, b.Add(b.Mul(b.Var(k), 100), b.Var(i)));
  p.Kernel({b.For(k, 3,
                  {b.For(i, 10, {b.Store(out, b.Add(b.Mul(b.Var(k), 10), b.Var(i)), value)},
                         LoopKind::kParallel)})});
  AlignedVector<int32_t> result(30, -1);
  ASSERT_EQ(*p.Run({result.data()}), 0);
  for (int kk = 0; kk < 3; ++kk) {
    for (int ii = 0; ii < 10; ++ii) EXPECT_EQ(result[kk * 10 + ii], kk * 100 + ii);
  }
}

TEST(ParallelTest, NestedParallelLoopRunsInsideTheOuterOne) {
  ThreadCountScope scope;
  jit::SetThreadCount(2);
  TestProgram p;
  BufferId out = p.Output("out", Type::kI32, 4 * 8);
  LoopBuilder& b = p.b();
  VarId i = b.NewVar(), j = b.NewVar();
  ExprId at = b.Add(b.Mul(b.Var(i), 8), b.Var(j));
  p.Kernel(
      {b.For(i, 4, {b.For(j, 8, {b.Store(out, at, b.Cast(Type::kI32, at))}, LoopKind::kParallel)},
             LoopKind::kParallel)});
  AlignedVector<int32_t> result(32, -1);
  ASSERT_EQ(*p.Run({result.data()}), 0);
  for (int k = 0; k < 32; ++k) EXPECT_EQ(result[k], k);
}

TEST(ParallelTest, FailedCheckOfTheLowestIterationWins) {
  ThreadCountScope scope;
  const int64_t n = 40;
  TestProgram p;
  BufferId x = p.Input("x", Type::kI32, n);
  BufferId y = p.Input("y", Type::kI32, n);
  BufferId out = p.Output("out", Type::kI32, n);
  p.Loop(n, LoopKind::kParallel, 1, [&](ExprId i) {
    LoopBuilder& b = p.b();
    return std::vector<StmtId>{
        b.Check(b.Compare(CompareOp::kNe, b.Load(x, i), b.Const(1, Type::kI32)), "x is 1"),
        b.Check(b.Compare(CompareOp::kNe, b.Load(y, i), b.Const(1, Type::kI32)), "y is 1"),
        b.Store(out, i, b.Const(5, Type::kI32))};
  });
  for (int threads : {1, 2}) {
    jit::SetThreadCount(threads);
    AlignedVector<int32_t> xs(n, 0), ys(n, 0), result(n, 0);
    EXPECT_EQ(*p.Run({xs.data(), ys.data(), result.data()}), 0);
    EXPECT_THAT(result, ::testing::Each(5));
    // Iteration 10 (y, code 2) comes before iteration 30 (x, code 1); with
    // two threads they fail in different chunks.
    xs[30] = 1;
    ys[10] = 1;
    EXPECT_EQ(*p.Run({xs.data(), ys.data(), result.data()}), 2) << threads << " threads";
    xs[3] = 1;
    EXPECT_EQ(*p.Run({xs.data(), ys.data(), result.data()}), 1) << threads << " threads";
  }
}

TEST(ThreadPoolTest, StaticChunksAreContiguousAndCoverTheRange) {
  EXPECT_EQ(jit::StaticChunk(10, 3, 0).begin, 0);
  EXPECT_EQ(jit::StaticChunk(10, 3, 0).end, 3);
  EXPECT_EQ(jit::StaticChunk(10, 3, 1).end, 6);
  EXPECT_EQ(jit::StaticChunk(10, 3, 2).end, 10);
  EXPECT_EQ(jit::StaticChunk(int64_t{1} << 50, 7, 6).end, int64_t{1} << 50);
}

struct Calls {
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> ranges;
};

void RecordRange(void* ctx, int64_t begin, int64_t end) {
  Calls* calls = static_cast<Calls*>(ctx);
  std::lock_guard<std::mutex> lock(calls->mutex);
  calls->ranges.emplace_back(begin, end);
}

TEST(ThreadPoolTest, ParallelForRunsOneStaticChunkPerThread) {
  ThreadCountScope scope;
  for (int threads : {1, 2, 3}) {
    jit::SetThreadCount(threads);
    EXPECT_EQ(jit::ThreadCount(), threads);
    for (int64_t n : {0, 1, 2, 3, 37}) {
      Calls calls;
      dlc_parallel_for(&RecordRange, &calls, n);
      std::sort(calls.ranges.begin(), calls.ranges.end());
      const int chunks = static_cast<int>(std::min<int64_t>(threads, n));
      ASSERT_EQ(calls.ranges.size(), static_cast<size_t>(chunks)) << threads << " threads, n=" << n;
      for (int c = 0; c < chunks; ++c) {
        const jit::Chunk expected = jit::StaticChunk(n, chunks, c);
        EXPECT_EQ(calls.ranges[c], std::make_pair(expected.begin, expected.end));
      }
    }
  }
}

}  // namespace
}  // namespace dlc::codegen_test
