// Loads and stores in vectorized loops: contiguous, broadcast, gathered,
// scattered, and masked by guards. Buffers placed against an inaccessible
// page prove that masked-off lanes never touch memory.
#include <sys/mman.h>
#include <unistd.h>

#include "tests/codegen/codegen_test_util.h"

namespace dlc::codegen_test {
namespace {

// Every access pattern at once, on extents that leave every tail length.
TEST(VectorMemoryTest, EveryAccessPatternMatchesTheSerialLoop) {
  for (int64_t n : {37, 16, 5}) {
    for (LoopKind kind : {LoopKind::kSerial, LoopKind::kVectorized}) {
      TestProgram p;
      BufferId x = p.Input("x", Type::kF32, 2 * n);
      BufferId perm = p.Input("perm", Type::kI32, n);
      BufferId contiguous = p.Output("contiguous", Type::kF32, n);
      BufferId broadcast = p.Output("broadcast", Type::kF32, n);
      BufferId strided = p.Output("strided", Type::kF32, n);
      BufferId indirect = p.Output("indirect", Type::kF32, n);
      BufferId modular = p.Output("modular", Type::kF32, n);
      BufferId scattered = p.Output("scattered", Type::kF32, n);
      BufferId spread = p.Output("spread", Type::kF32, 2 * n);
      BufferId last = p.Output("last", Type::kF32, 1);
      p.Loop(n, kind, 16, [&](ExprId j) {
        LoopBuilder& b = p.b();
        ExprId permuted = b.Cast(Type::kI64, b.Load(perm, j));
        ExprId mod = b.Binary(BinaryOp::kRem, b.Mul(j, 3), b.Index(n));
        return std::vector<StmtId>{
            b.Store(contiguous, j, b.Load(x, b.AddConst(j, 1))),  // x[j + 1]
            b.Store(broadcast, j, b.Load(x, b.Index(5))),         // x[5] in every lane
            b.Store(strided, j, b.Load(x, b.Mul(j, 2))),          // x[2j]: a wide load
            b.Store(indirect, j, b.Load(x, permuted)),            // x[perm[j]]: gather
            b.Store(modular, j, b.Load(x, mod)),                  // x[3j % n]: gather
            b.Store(scattered, permuted, b.Load(x, j)),           // scatter
            b.Store(spread, b.Mul(j, 2), b.Load(x, j)),           // strided scatter
            b.Store(last, b.Index(0), b.Load(x, j)),              // the last lane wins
        };
      });
      AlignedVector<float> xs(2 * n);
      for (int64_t i = 0; i < 2 * n; ++i) xs[i] = 0.5f * i + 1;
      AlignedVector<int32_t> perms(n);
      for (int64_t i = 0; i < n; ++i) perms[i] = static_cast<int32_t>((i * 7 + 3) % n);
      if (n == 16) {
        for (int64_t i = 0; i < n; ++i) perms[i] = static_cast<int32_t>(n - 1 - i);
      }
      AlignedVector<float> c(n, -1), br(n, -1), st(n, -1), in(n, -1), mo(n, -1), sc(n, -1),
          sp(2 * n, -1), la(1, -1);
      ASSERT_EQ(*p.Run({xs.data(), perms.data(), c.data(), br.data(), st.data(), in.data(),
                        mo.data(), sc.data(), sp.data(), la.data()}),
                0);
      const std::string what =
          "n=" + std::to_string(n) + (kind == LoopKind::kSerial ? " serial" : " vector");
      for (int64_t j = 0; j < n; ++j) {
        EXPECT_EQ(c[j], xs[j + 1]) << what;
        EXPECT_EQ(br[j], xs[5]) << what;
        EXPECT_EQ(st[j], xs[2 * j]) << what;
        EXPECT_EQ(in[j], xs[perms[j]]) << what;
        EXPECT_EQ(mo[j], xs[j * 3 % n]) << what;
        EXPECT_EQ(sc[perms[j]], xs[j]) << what;
        EXPECT_EQ(sp[2 * j], xs[j]) << what;
        EXPECT_EQ(sp[2 * j + 1], -1) << what;
      }
      EXPECT_EQ(la[0], xs[n - 1]) << what;
    }
  }
}

TEST(VectorMemoryTest, VaryingGuardMasksStores) {
  const int64_t n = 37;
  TestProgram p;
  BufferId x = p.Input("x", Type::kF32, n);
  BufferId out = p.Output("out", Type::kF32, n);
  p.Loop(n, LoopKind::kVectorized, 16, [&](ExprId j) {
    LoopBuilder& b = p.b();
    ExprId every_third =
        b.Compare(CompareOp::kEq, b.Binary(BinaryOp::kRem, j, b.Index(3)), b.Index(0));
    ExprId not_big = b.Compare(CompareOp::kLt, b.Load(x, j), b.Const(30, Type::kF32));
    // Nested guards: the masks combine.
    return std::vector<StmtId>{b.If(every_third, {b.If(not_big, {b.Store(out, j, b.Load(x, j))})})};
  });
  AlignedVector<float> xs(n), result(n, -1);
  for (int64_t i = 0; i < n; ++i) xs[i] = static_cast<float>(i);
  ASSERT_EQ(*p.Run({xs.data(), result.data()}), 0);
  for (int64_t j = 0; j < n; ++j) EXPECT_EQ(result[j], j % 3 == 0 && j < 30 ? xs[j] : -1) << j;
}

// `count` elements of T ending exactly where an inaccessible page begins.
template <typename T>
class GuardedBuffer {
 public:
  explicit GuardedBuffer(size_t count) : page_(sysconf(_SC_PAGESIZE)) {
    memory_ = mmap(nullptr, 2 * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT_NE(memory_, MAP_FAILED);
    EXPECT_EQ(mprotect(static_cast<char*>(memory_) + page_, page_, PROT_NONE), 0);
    data_ = reinterpret_cast<T*>(static_cast<char*>(memory_) + page_ - count * sizeof(T));
  }
  ~GuardedBuffer() { munmap(memory_, 2 * page_); }
  T* data() { return data_; }

 private:
  size_t page_;
  void* memory_;
  T* data_;
};

TEST(VectorMemoryTest, MaskedOffLanesNeverTouchMemory) {
  // 48 floats (192 bytes, so the start stays 64-byte aligned) against a
  // guard page; every access below would cross it in the masked-off lanes.
  // The bounds come from an input, so LLVM cannot fold the masks away.
  const int64_t n = 48;
  TestProgram p;
  BufferId x = p.Input("x", Type::kF32, n);
  BufferId bounds = p.Input("bounds", Type::kI64, 2);  // {48, 1}
  BufferId shifted = p.Output("shifted", Type::kF32, n);
  BufferId gathered = p.Output("gathered", Type::kF32, n);
  BufferId uniform = p.Output("uniform", Type::kF32, 2 * 16);
  LoopBuilder& b = p.b();
  ExprId size = b.Load(bounds, b.Index(0));
  {
    VarId j = b.NewVar();
    ExprId jv = b.Var(j);
    ExprId plus8 = b.AddConst(jv, 8);
    ExprId fits = b.Compare(CompareOp::kLt, plus8, size);
    ExprId twice = b.Mul(jv, 2);
    ExprId twice_fits = b.Compare(CompareOp::kLt, twice, size);
    // shifted[j + 8] = x[j + 8] (masked vector load and store);
    // gathered[j] = x[2j] (masked gather).
    p.Kernel({b.For(j, n,
                    {b.If(fits, {b.Store(shifted, plus8, b.Load(x, plus8))}),
                     b.If(twice_fits, {b.Store(gathered, jv, b.Load(x, twice))})},
                    LoopKind::kVectorized, 16)});
  }
  {
    // for k in 0..2: for j vectorized 16: if (k < 1 & j < 5) uniform[k*16+j] = x[47 + k]
    // x[48] (k = 1) is out of bounds, and no lane is active then.
    VarId k = b.NewVar(), j = b.NewVar();
    ExprId kv = b.Var(k), jv = b.Var(j);
    ExprId guard = b.And(b.Compare(CompareOp::kLt, kv, b.Load(bounds, b.Index(1))),
                         b.Compare(CompareOp::kLt, jv, b.Index(5)));
    p.Kernel({b.For(k, 2,
                    {b.For(j, 16,
                           {b.If(guard, {b.Store(uniform, b.Add(b.Mul(kv, 16), jv),
                                                 b.Load(x, b.AddConst(kv, 47)))})},
                           LoopKind::kVectorized, 16)})});
  }
  GuardedBuffer<float> xs(n), shifted_out(n);
  for (int64_t i = 0; i < n; ++i) xs.data()[i] = static_cast<float>(i) + 0.5f;
  for (int64_t i = 0; i < n; ++i) shifted_out.data()[i] = -1;
  AlignedVector<int64_t> bounds_in = {n, 1};
  AlignedVector<float> gathered_out(n, -1), uniform_out(32, -1);
  ASSERT_EQ(*p.Run({xs.data(), bounds_in.data(), shifted_out.data(), gathered_out.data(),
                    uniform_out.data()}),
            0);
  for (int64_t j = 0; j < n; ++j) {
    EXPECT_EQ(shifted_out.data()[j], j >= 8 ? xs.data()[j] : -1) << j;
    EXPECT_EQ(gathered_out[j], 2 * j < n ? xs.data()[2 * j] : -1) << j;
  }
  for (int64_t i = 0; i < 32; ++i) EXPECT_EQ(uniform_out[i], i < 5 ? xs.data()[47] : -1) << i;
}

TEST(VectorMemoryTest, WideStridedAccessesTouchOnlyTheirLanesElements) {
  // out[j] = x[s*j + s-1] and spread[s*j + s-1] = x[j] for strides 2, 3
  // and 4, the last lane's element right before a guard page: the wide load
  // and store (s x 16 elements) would reach past it but for their masks,
  // and the elements between the lanes' keep their values.
  for (int64_t stride : {2, 3, 4}) {
    const int64_t size = 48, n = size / stride;
    TestProgram p;
    BufferId x = p.Input("x", Type::kF32, size);
    BufferId out = p.Output("out", Type::kF32, n);
    BufferId spread = p.Output("spread", Type::kF32, size);
    p.Loop(n, LoopKind::kVectorized, 16, [&](ExprId j) {
      LoopBuilder& b = p.b();
      ExprId strided = b.AddConst(b.Mul(j, stride), stride - 1);
      return std::vector<StmtId>{b.Store(out, j, b.Load(x, strided)),
                                 b.Store(spread, strided, b.Load(x, j))};
    });
    GuardedBuffer<float> xs(size), spreads(size);
    for (int64_t i = 0; i < size; ++i) {
      xs.data()[i] = 0.25f * i - 3;
      spreads.data()[i] = -1;
    }
    AlignedVector<float> result(n, -1);
    ASSERT_EQ(*p.Run({xs.data(), result.data(), spreads.data()}), 0);
    for (int64_t j = 0; j < n; ++j)
      EXPECT_EQ(result[j], xs.data()[stride * j + stride - 1]) << stride << " " << j;
    for (int64_t i = 0; i < size; ++i) {
      const bool written = i % stride == stride - 1;
      EXPECT_EQ(spreads.data()[i], written ? xs.data()[i / stride] : -1) << stride << " " << i;
    }
  }
}

TEST(VectorMemoryTest, BooleanAndByteBuffersVectorize) {
  const int64_t n = 37;
  for (LoopKind kind : {LoopKind::kSerial, LoopKind::kVectorized}) {
    TestProgram p;
    BufferId x = p.Input("x", Type::kF32, n);
    BufferId flags = p.Input("flags", Type::kI1, n);
    BufferId positive = p.Output("positive", Type::kI1, n);
    BufferId picked = p.Output("picked", Type::kU8, n);
    p.Loop(n, kind, 16, [&](ExprId j) {
      LoopBuilder& b = p.b();
      return std::vector<StmtId>{
          b.Store(positive, j, b.Compare(CompareOp::kGt, b.Load(x, j), b.Const(0, Type::kF32))),
          b.Store(picked, j,
                  b.Select(b.Load(flags, j), b.Const(200, Type::kU8), b.Const(7, Type::kU8)))};
    });
    AlignedVector<float> xs(n);
    AlignedVector<uint8_t> fl(n), pos(n, 9), pick(n, 9);
    for (int64_t i = 0; i < n; ++i) {
      xs[i] = static_cast<float>(i % 5) - 2;
      fl[i] = i % 3 == 0;
    }
    ASSERT_EQ(*p.Run({xs.data(), fl.data(), pos.data(), pick.data()}), 0);
    for (int64_t j = 0; j < n; ++j) {
      EXPECT_EQ(pos[j], xs[j] > 0 ? 1 : 0) << j;  // one byte, 0 or 1
      EXPECT_EQ(pick[j], fl[j] ? 200 : 7) << j;
    }
  }
}

TEST(VectorMemoryTest, UniformGuardBranchesAroundVectorCode) {
  const int64_t rows = 4, cols = 37;
  TestProgram p;
  BufferId x = p.Input("x", Type::kF32, rows * cols);
  BufferId out = p.Output("out", Type::kF32, rows * cols);
  LoopBuilder& b = p.b();
  VarId i = b.NewVar(), j = b.NewVar();
  ExprId at = b.Add(b.Mul(b.Var(i), cols), b.Var(j));
  ExprId odd_row =
      b.Compare(CompareOp::kEq, b.Binary(BinaryOp::kRem, b.Var(i), b.Index(2)), b.Index(1));
  p.Kernel({b.For(i, rows,
                  {b.For(j, cols, {b.If(odd_row, {b.Store(out, at, b.Load(x, at))})},
                         LoopKind::kVectorized, 16)})});
  AlignedVector<float> xs(rows * cols), result(rows * cols, -1);
  for (int64_t k = 0; k < rows * cols; ++k) xs[k] = static_cast<float>(k);
  ASSERT_EQ(*p.Run({xs.data(), result.data()}), 0);
  for (int64_t k = 0; k < rows * cols; ++k)
    EXPECT_EQ(result[k], (k / cols) % 2 == 1 ? xs[k] : -1) << k;
}

}  // namespace
}  // namespace dlc::codegen_test
