// Accumulating in registers: which reductions the pass rewrites, the shape
// it gives them, and that the rewritten program computes the same bits.
#include "passes/register_accumulation.h"

#include <cmath>
#include <cstring>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/loops/loop_builder.h"
#include "ir/loops/loop_interpreter.h"
#include "ir/loops/loop_printer.h"
#include "ir/loops/loop_verifier.h"
#include "passes/loop_analysis.h"
#include "passes/register_blocking.h"

namespace dlc {
namespace {

using loops::BufferId;
using loops::BufferKind;
using loops::ExprId;
using loops::LoopBuilder;
using loops::LoopKind;
using loops::LoopProgram;
using loops::StmtId;
using loops::Type;
using ::testing::HasSubstr;
using ::testing::Not;

BufferId Add(LoopBuilder& b, std::string name, Shape shape, BufferKind kind) {
  loops::Buffer buffer;
  buffer.name = std::move(name);
  buffer.shape = std::move(shape);
  buffer.kind = kind;
  const BufferId id = b.AddBuffer(buffer);
  if (kind == BufferKind::kInput || kind == BufferKind::kOutput)
    b.program().arguments.push_back(id);
  return id;
}

// The schedule's options with `bytes`-wide vectors (0: none).
ScheduleOptions VectorBytes(int bytes) {
  ScheduleOptions options;
  options.vector_bytes = bytes;
  return options;
}

// out[i, j] = sum over k of a[i, k] * w[k, j], written as the lowering
// writes it: a zeroing nest, then for i { for k { for j { out += ... } } }.
// `index_uses_k` makes the store's index depend on k too (out[i, j + k]),
// which is not a reduction over k any more.
LoopProgram MatMul(bool index_uses_k = false, int64_t n = 3) {
  LoopProgram p;
  p.name = "matmul";
  LoopBuilder b(p);
  const int64_t m = 40, c = 20;
  const BufferId a = Add(b, "a", {n, m}, BufferKind::kInput);
  const BufferId w = Add(b, "w", {m, c}, BufferKind::kInput);
  const int64_t width = index_uses_k ? c + m : c;
  const BufferId out = Add(b, "out", {n, width}, BufferKind::kOutput);
  const loops::VarId i = b.NewVar(), k = b.NewVar(), j = b.NewVar(), z = b.NewVar();
  const StmtId zero = b.For(z, n * width, {b.Store(out, b.Var(z), b.Const(0, Type::kF32))});
  ExprId column = b.Var(j);
  if (index_uses_k) column = b.Add(column, b.Var(k));
  const ExprId index = b.Add(b.Mul(b.Var(i), width), column);
  const ExprId product =
      b.Binary(loops::BinaryOp::kMul, b.Load(a, b.Add(b.Mul(b.Var(i), m), b.Var(k))),
               b.Load(w, b.Add(b.Mul(b.Var(k), c), b.Var(j))));
  const StmtId update =
      b.Store(out, index, b.Binary(loops::BinaryOp::kAdd, b.Load(out, index), product));
  b.AddKernel("%out = matmul", {zero, b.For(i, n, {b.For(k, m, {b.For(j, c, {update})})})});
  return p;
}

std::vector<Tensor> Interpreted(const LoopProgram& p, int64_t n = 3) {
  Tensor a(DType::kF32, {n, 40}), w(DType::kF32, {40, 20});
  for (int64_t x = 0; x < a.num_elements(); ++x)
    a.SetDouble(x, 0.37 * static_cast<double>(x % 11) - 1.3);
  for (int64_t x = 0; x < w.num_elements(); ++x)
    w.SetDouble(x, 0.11 * static_cast<double>(x % 7) - 0.2);
  const Tensor* inputs[] = {&a, &w};
  auto outputs = loops::RunLoopProgram(p, inputs);
  EXPECT_TRUE(outputs.ok()) << outputs.status();
  return outputs.ok() ? *outputs : std::vector<Tensor>{};
}

// `shape` filled with a repeating ramp of small values.
Tensor Ramp(Shape shape, int64_t period) {
  Tensor t(DType::kF32, std::move(shape));
  for (int64_t x = 0; x < t.num_elements(); ++x)
    t.SetDouble(x, 0.01 * static_cast<double>(x % period) - 0.1);
  return t;
}

// Rewrites `p` (expecting one accumulation), checks it still verifies and
// computes the same bits on `input`, and returns it printed.
std::string RewriteKeepingTheBits(LoopProgram& p, const Tensor& input) {
  const Tensor* inputs[] = {&input};
  auto before = loops::RunLoopProgram(p, inputs);
  EXPECT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(AccumulateInRegisters(p, VectorBytes(64)).size(), 1u);
  EXPECT_TRUE(loops::VerifyLoopProgram(p).ok()) << loops::VerifyLoopProgram(p);
  auto after = loops::RunLoopProgram(p, inputs);
  EXPECT_TRUE(after.ok()) << after.status();
  if (before.ok() && after.ok()) {
    EXPECT_EQ(
        std::memcmp((*before)[0].raw_data(), (*after)[0].raw_data(), (*before)[0].byte_size()), 0)
        << "the rewritten program computes other bits";
  }
  return loops::PrintLoopProgram(p);
}

TEST(RegisterAccumulation, MovesTheIndependentLoopOutAndKeepsTheSumInALocal) {
  LoopProgram p = MatMul();
  const std::vector<Tensor> before = Interpreted(p);
  EXPECT_EQ(AccumulateInRegisters(p, VectorBytes(64)).size(), 1u);
  ASSERT_TRUE(loops::VerifyLoopProgram(p).ok()) << loops::VerifyLoopProgram(p);
  const std::string text = loops::PrintLoopProgram(p);
  EXPECT_THAT(text, HasSubstr("buffer %out.acc f32[] local"));
  // j (i2) now encloses k (i1), runs in 16 lanes, and the sum lives in the
  // local, which starts from the zero the fill wrote: the fill is gone.
  EXPECT_THAT(text, Not(HasSubstr("%out[i3] = 0.0")));
  EXPECT_THAT(text, HasSubstr(R"(    for i2 in 0..20 vectorized 16 {
      %out.acc[0] = 0.0
      for i1 in 0..40 {
        %out.acc[0] = %out.acc[0] + %a[i0 * 40 + i1] * %w[i1 * 20 + i2]
      }
      %out[i0 * 20 + i2] = %out.acc[0]
    }
)")) << text;
  // Each element adds its terms in the same order: the same bits.
  const std::vector<Tensor> after = Interpreted(p);
  ASSERT_EQ(before.size(), 1u);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(std::memcmp(before[0].raw_data(), after[0].raw_data(), before[0].byte_size()), 0);
}

// The fill stays when the accumulation does not rewrite every element: here
// the output has 5 more rows than the nest computes.
TEST(RegisterAccumulation, AFillThatSomeElementsKeepStays) {
  LoopProgram p = MatMul();
  p.buffers[2].shape = {8, 20};                // %out
  p.stmts[p.kernels[0].body[0]].extent = 160;  // the fill covers it all
  AccumulateInRegisters(p, VectorBytes(64));
  const std::string text = loops::PrintLoopProgram(p);
  EXPECT_THAT(text, HasSubstr("%out[i3] = 0.0"));
  EXPECT_THAT(text, HasSubstr("%out.acc[0] = %out[i0 * 20 + i2]"));
}

// out[i, :] = sum over k of a[i, k] * w[k, :] through a per-row scratch
// (as a tiled convolution's epilogue path writes it): for i { fill the
// scratch row with 0; for k { for j { row[j] += ... } }; out[i, j] = row[j] }.
// `row_width` is the scratch's width (more than the nest writes: the fill
// must stay).
LoopProgram ThroughScratchRow(int64_t row_width) {
  LoopProgram p;
  p.name = "scratch";
  LoopBuilder b(p);
  const int64_t n = 3, m = 40, c = 20;  // Interpreted's inputs
  const BufferId a = Add(b, "a", {n, m}, BufferKind::kInput);
  const BufferId w = Add(b, "w", {m, c}, BufferKind::kInput);
  const BufferId out = Add(b, "out", {n, c}, BufferKind::kOutput);
  const BufferId row = Add(b, "row", {n, row_width}, BufferKind::kTemp);
  const loops::VarId i = b.NewVar(), k = b.NewVar(), j = b.NewVar(), z = b.NewVar(), e = b.NewVar();
  const ExprId at = b.Add(b.Mul(b.Var(i), row_width), b.Var(j));
  const ExprId product =
      b.Binary(loops::BinaryOp::kMul, b.Load(a, b.Add(b.Mul(b.Var(i), m), b.Var(k))),
               b.Load(w, b.Add(b.Mul(b.Var(k), c), b.Var(j))));
  const StmtId fill =
      b.For(z, row_width,
            {b.Store(row, b.Add(b.Mul(b.Var(i), row_width), b.Var(z)), b.Const(0, Type::kF32))});
  const StmtId sum = b.For(
      k, m,
      {b.For(j, c, {b.Store(row, at, b.Binary(loops::BinaryOp::kAdd, b.Load(row, at), product))})});
  const ExprId from = b.Add(b.Mul(b.Var(i), row_width), b.Var(e));
  const StmtId copy =
      b.For(e, c, {b.Store(out, b.Add(b.Mul(b.Var(i), c), b.Var(e)), b.Load(row, from))});
  b.AddKernel("%out = matmul", {b.For(i, n, {fill, sum, copy})});
  return p;
}

TEST(RegisterAccumulation, AScratchFilledJustBeforeStartsFromTheConstantAndTheFillGoes) {
  LoopProgram p = ThroughScratchRow(20);
  const std::vector<Tensor> before = Interpreted(p);
  EXPECT_EQ(AccumulateInRegisters(p, VectorBytes(64)).size(), 1u);
  ASSERT_TRUE(loops::VerifyLoopProgram(p).ok()) << loops::VerifyLoopProgram(p);
  const std::string text = loops::PrintLoopProgram(p);
  EXPECT_THAT(text, HasSubstr("%row.acc[0] = 0.0")) << text;
  EXPECT_THAT(text, Not(HasSubstr("= %row[i0 * 20 + i2]\n"))) << text;
  EXPECT_THAT(text, Not(HasSubstr("%row[i0 * 20 + i3] = 0.0"))) << text;
  const std::vector<Tensor> after = Interpreted(p);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(std::memcmp(before[0].raw_data(), after[0].raw_data(), before[0].byte_size()), 0);
}

TEST(RegisterAccumulation, AScratchFillWiderThanTheNestStays) {
  LoopProgram p = ThroughScratchRow(30);
  const std::vector<Tensor> before = Interpreted(p);
  EXPECT_EQ(AccumulateInRegisters(p, VectorBytes(64)).size(), 1u);
  const std::string text = loops::PrintLoopProgram(p);
  EXPECT_THAT(text, HasSubstr("%row.acc[0] = 0.0")) << text;         // still starts from 0
  EXPECT_THAT(text, HasSubstr("%row[i0 * 30 + i3] = 0.0")) << text;  // and the fill stays
  const std::vector<Tensor> after = Interpreted(p);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(std::memcmp(before[0].raw_data(), after[0].raw_data(), before[0].byte_size()), 0);
}

// A running maximum and its place, as a pool scans its windows: per row
// i, best and where start from constants in one fill nest, then every step
// of the scan over k updates them and stores them to the outputs.
LoopProgram RunningMaximum() {
  LoopProgram p;
  p.name = "running_max";
  LoopBuilder b(p);
  const BufferId x = Add(b, "x", {3, 5, 20}, BufferKind::kInput);
  const BufferId out = Add(b, "out", {3, 20}, BufferKind::kOutput);
  const BufferId place = Add(b, "place", {3, 20}, BufferKind::kOutput);
  const BufferId best = Add(b, "best", {3, 20}, BufferKind::kTemp);
  const BufferId where = Add(b, "where", {3, 20}, BufferKind::kTemp);
  p.buffers[place].type = Type::kI32;
  p.buffers[where].type = Type::kI32;
  const loops::VarId i = b.NewVar(), f = b.NewVar(), k = b.NewVar(), j = b.NewVar();
  const ExprId fill_at = b.Add(b.Mul(b.Var(i), 20), b.Var(f));
  const StmtId fill = b.For(f, 20,
                            {b.Store(best, fill_at, b.Const(-INFINITY, Type::kF32)),
                             b.Store(where, fill_at, b.Const(0, Type::kI32))});
  const ExprId at = b.Add(b.Mul(b.Var(i), 20), b.Var(j));
  const ExprId value = b.Load(x, b.Add(b.Add(b.Mul(b.Var(i), 100), b.Mul(b.Var(k), 20)), b.Var(j)));
  const ExprId better = b.Compare(loops::CompareOp::kGt, value, b.Load(best, at));
  const StmtId scan = b.For(
      k, 5,
      {b.For(
          j, 20,
          {
              b.Store(where, at, b.Select(better, b.Cast(Type::kI32, b.Var(k)), b.Load(where, at))),
              b.Store(best, at, b.Select(better, value, b.Load(best, at))),
              b.Store(out, at, b.Load(best, at)),
              b.Store(place, at, b.Load(where, at)),
          })});
  b.AddKernel("%out = max", {b.For(i, 3, {fill, scan})});
  return p;
}

TEST(RegisterAccumulation, AFillOfSeveralBuffersStartsEachOfTheirLocals) {
  LoopProgram p = RunningMaximum();
  const Tensor input = Ramp({3, 5, 20}, 13);
  const Tensor* inputs[] = {&input};
  auto before = loops::RunLoopProgram(p, inputs);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(AccumulateInRegisters(p, VectorBytes(64)).size(), 1u);
  ASSERT_TRUE(loops::VerifyLoopProgram(p).ok()) << loops::VerifyLoopProgram(p);
  const std::string text = loops::PrintLoopProgram(p);
  // Both running values start from the fill's constants, not from loads of
  // what the fill just stored; the outputs are stored from the registers.
  EXPECT_THAT(text, HasSubstr("%best.acc[0] = -inf")) << text;
  EXPECT_THAT(text, HasSubstr("%where.acc[0] = 0_i32")) << text;
  EXPECT_THAT(text, HasSubstr("= %out.acc[0]\n")) << text;
  auto after = loops::RunLoopProgram(p, inputs);
  ASSERT_TRUE(after.ok()) << after.status();
  for (size_t o = 0; o < before->size(); ++o) {
    EXPECT_EQ(
        std::memcmp((*before)[o].raw_data(), (*after)[o].raw_data(), (*before)[o].byte_size()), 0)
        << o;
  }
}

TEST(RegisterAccumulation, WithoutVectorsTheLoopStaysSerial) {
  LoopProgram p = MatMul();
  EXPECT_EQ(AccumulateInRegisters(p, VectorBytes(0)).size(), 1u);
  EXPECT_THAT(loops::PrintLoopProgram(p), HasSubstr("for i2 in 0..20 {\n"));
}

TEST(RegisterAccumulation, AnIndexThatMovesWithTheLoopIsNoReduction) {
  LoopProgram p = MatMul(/*index_uses_k=*/true);
  EXPECT_TRUE(AccumulateInRegisters(p, VectorBytes(64)).empty());
  EXPECT_THAT(loops::PrintLoopProgram(p), Not(HasSubstr("local")));
}

TEST(RegisterAccumulation, TheLocalIsPrivateToTheLoopsAroundItNotToTheReduction) {
  LoopProgram p = MatMul();
  AccumulateInRegisters(p, VectorBytes(64));
  // kernel: i { j { acc = 0; k { acc += .. }; .. = acc } } (the fill is gone)
  ASSERT_EQ(p.kernels[0].body.size(), 1u);
  const StmtId i_loop = p.kernels[0].body[0];
  const StmtId j_loop = p.stmt(i_loop).body[0];
  const StmtId k_loop = p.stmt(j_loop).body[1];
  EXPECT_TRUE(IterationsIndependent(p, i_loop));  // each i writes the local before reading it
  EXPECT_TRUE(IterationsIndependent(p, j_loop));
  EXPECT_FALSE(
      IterationsIndependent(p, k_loop));  // k carries the sum from one iteration to the next
}

TEST(RegisterAccumulation, VerifierRejectsALocalOfMoreThanOneElement) {
  LoopProgram p = MatMul();
  LoopBuilder b(p);
  Add(b, "wide", {4}, BufferKind::kLocal);
  const absl::Status status = loops::VerifyLoopProgram(p);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("a local holds one element, not [4]"));
}

// A filter gradient's shape: the element is chosen by loops inside the
// reduction (o), which are unrolled, one set of locals per value of o.
TEST(RegisterAccumulation, UnrollsTheLoopsThatChooseTheElementInsideTheReduction) {
  LoopProgram p;
  p.name = "sums";
  LoopBuilder b(p);
  const BufferId a = Add(b, "a", {30, 3, 20}, BufferKind::kInput);
  const BufferId out = Add(b, "out", {3, 20}, BufferKind::kOutput);
  const loops::VarId r = b.NewVar(), o = b.NewVar(), v = b.NewVar(), z = b.NewVar();
  const ExprId at = b.Add(b.Mul(b.Var(o), 20), b.Var(v));
  const ExprId term = b.Load(a, b.Add(b.Mul(b.Var(r), 60), at));
  const StmtId update = b.Store(out, at, b.Binary(loops::BinaryOp::kAdd, b.Load(out, at), term));
  b.AddKernel("%out = sums", {b.For(z, 60, {b.Store(out, b.Var(z), b.Const(0, Type::kF32))}),
                              b.For(r, 30, {b.For(o, 3, {b.For(v, 20, {update})})})});
  const std::string text = RewriteKeepingTheBits(p, Ramp({30, 3, 20}, 97));
  EXPECT_THAT(text, HasSubstr(R"(  for i2 in 0..20 vectorized 16 {
    %out.acc.0[0] = 0.0
    %out.acc.1[0] = 0.0
    %out.acc.2[0] = 0.0
    for i0 in 0..30 {
      %out.acc.0[0] = %out.acc.0[0] + %a[i0 * 60 + i2]
      %out.acc.1[0] = %out.acc.1[0] + %a[i0 * 60 + (20 + i2)]
      %out.acc.2[0] = %out.acc.2[0] + %a[i0 * 60 + (40 + i2)]
    }
)")) << text;
}

// A guard inside the reduction (a padded window's "inside the image")
// stays around the update of the local.
TEST(RegisterAccumulation, GuardsInsideTheReductionStayAroundTheUpdates) {
  LoopProgram p;
  p.name = "guarded";
  LoopBuilder b(p);
  const BufferId a = Add(b, "a", {3, 40, 20}, BufferKind::kInput);
  const BufferId out = Add(b, "out", {3, 20}, BufferKind::kOutput);
  const loops::VarId i = b.NewVar(), k = b.NewVar(), j = b.NewVar(), z = b.NewVar();
  const ExprId at = b.Add(b.Mul(b.Var(i), 20), b.Var(j));
  const ExprId term = b.Load(a, b.Add(b.Add(b.Mul(b.Var(i), 800), b.Mul(b.Var(k), 20)), b.Var(j)));
  const StmtId update = b.Store(out, at, b.Binary(loops::BinaryOp::kAdd, b.Load(out, at), term));
  // Only rows k < i + 30 count: the guard reads k and i, not j.
  const ExprId inside = b.Compare(loops::CompareOp::kLt, b.Var(k), b.AddConst(b.Var(i), 30));
  b.AddKernel("%out = guarded",
              {b.For(z, 60, {b.Store(out, b.Var(z), b.Const(0, Type::kF32))}),
               b.For(i, 3, {b.For(k, 40, {b.If(inside, {b.For(j, 20, {update})})})})});
  const std::string text = RewriteKeepingTheBits(p, Ramp({3, 40, 20}, 53));
  EXPECT_THAT(text, HasSubstr(R"(      for i1 in 0..40 {
        if i1 < i0 + 30 {
          %out.acc[0] = %out.acc[0] + %a[)"))
      << text;
}

// A reduction with no loop around it (a bias gradient) splits its vectors
// between threads: a parallel loop of vector steps.
TEST(RegisterAccumulation, ALoneReductionSplitsItsVectorsAcrossThreads) {
  LoopProgram p;
  p.name = "bias_grad";
  LoopBuilder b(p);
  const BufferId g = Add(b, "g", {2048, 32}, BufferKind::kInput);
  const BufferId out = Add(b, "out", {32}, BufferKind::kOutput);
  const loops::VarId r = b.NewVar(), c = b.NewVar(), z = b.NewVar();
  const ExprId term = b.Load(g, b.Add(b.Mul(b.Var(r), 32), b.Var(c)));
  const StmtId update =
      b.Store(out, b.Var(c), b.Binary(loops::BinaryOp::kAdd, b.Load(out, b.Var(c)), term));
  b.AddKernel("%out = reduce_sum", {b.For(z, 32, {b.Store(out, b.Var(z), b.Const(0, Type::kF32))}),
                                    b.For(r, 2048, {b.For(c, 32, {update})})});
  LoopProgram unsplit = p;
  const std::string text = RewriteKeepingTheBits(p, Ramp({2048, 32}, 37));
  EXPECT_THAT(text, HasSubstr(R"(  for i3 in 0..2 parallel {
    for i4 in 0..16 vectorized 16 {
      %out.acc[0] = 0.0
)")) << text;
  // A threshold above its 2048 terms (ScheduleOptions::min_reduction_to_split)
  // keeps it on one thread; one above its 32 columns keeps it scalar.
  ScheduleOptions options = VectorBytes(64);
  options.min_reduction_to_split = 4096;
  LoopProgram scalar = unsplit;
  ASSERT_EQ(AccumulateInRegisters(unsplit, options).size(), 1u);
  EXPECT_THAT(loops::PrintLoopProgram(unsplit), HasSubstr("for i1 in 0..32 vectorized 16 {"));
  EXPECT_THAT(loops::PrintLoopProgram(unsplit), Not(HasSubstr("parallel")));
  options.min_vector_extent = 33;
  ASSERT_EQ(AccumulateInRegisters(scalar, options).size(), 1u);
  EXPECT_THAT(loops::PrintLoopProgram(scalar), Not(HasSubstr("vectorized")));
}

// Register blocking, on the accumulations found above: 11 rows in blocks
// of 4 (2 blocks, 3 rows left over), each row of a block with its own local.
TEST(RegisterBlocking, RunsIndependentAccumulationsSideBySide) {
  LoopProgram p = MatMul(false, 11);
  const std::vector<Tensor> before = Interpreted(p, 11);
  const std::vector<StmtId> accumulations = AccumulateInRegisters(p, VectorBytes(64));
  EXPECT_EQ(BlockAccumulations(p, accumulations, 4), 1);
  ASSERT_TRUE(loops::VerifyLoopProgram(p).ok()) << loops::VerifyLoopProgram(p);
  const std::string text = loops::PrintLoopProgram(p);
  EXPECT_THAT(text, HasSubstr("buffer %out.acc.3 f32[] local"));
  EXPECT_THAT(text, HasSubstr(R"(  for i7 in 0..2 {
    for i2 in 0..20 vectorized 16 {
      %out.acc[0] = 0.0
      %out.acc.1[0] = 0.0
)")) << text;
  EXPECT_THAT(text, HasSubstr("        %out.acc.3[0] = %out.acc.3[0] + %a[(i7 * 4 + 3) * 40 + i1] "
                              "* %w[i1 * 20 + i2]\n"))
      << text;
  // The 3 rows left over, in a copy of the loop with fresh variables.
  EXPECT_THAT(text, HasSubstr(R"(  for i4 in 0..3 {
    for i5 in 0..20 vectorized 16 {
      %out.acc[0] = 0.0
)")) << text;
  const std::vector<Tensor> after = Interpreted(p, 11);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(std::memcmp(before[0].raw_data(), after[0].raw_data(), before[0].byte_size()), 0);
}

TEST(RegisterBlocking, LeavesLoopsThatAreNotOneAccumulationAlone) {
  LoopProgram p = MatMul(/*index_uses_k=*/true, 11);
  EXPECT_EQ(BlockAccumulations(p, AccumulateInRegisters(p, VectorBytes(64)), 4), 0);
}

}  // namespace
}  // namespace dlc
