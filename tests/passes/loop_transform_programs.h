// Small loop programs for the loop-transformation tests, and the check
// they all make: the transformed program computes the same bits as the
// original, on random inputs, in the loop interpreter. Header only: the
// codegen tests (another binary) use the programs too.
#ifndef DLC_TESTS_PASSES_LOOP_TRANSFORM_PROGRAMS_H_
#define DLC_TESTS_PASSES_LOOP_TRANSFORM_PROGRAMS_H_

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ir/loops/loop_builder.h"
#include "ir/loops/loop_interpreter.h"
#include "ir/loops/loop_printer.h"
#include "ir/loops/loop_verifier.h"
#include "ir/tensor.h"

namespace dlc::transform_test {

using loops::BinaryOp;
using loops::BufferId;
using loops::BufferKind;
using loops::ExprId;
using loops::LoopBuilder;
using loops::LoopProgram;
using loops::StmtId;
using loops::Type;
using loops::VarId;

// A program and the loops of its nest of interest, outermost first.
struct TestNest {
  LoopProgram program;
  std::vector<StmtId> loops;
};

inline BufferId AddBuffer(LoopBuilder& b, std::string name, Shape shape, BufferKind kind) {
  loops::Buffer buffer;
  buffer.name = std::move(name);
  buffer.shape = std::move(shape);
  buffer.kind = kind;
  const BufferId id = b.AddBuffer(buffer);
  if (kind == BufferKind::kInput || kind == BufferKind::kOutput)
    b.program().arguments.push_back(id);
  return id;
}

inline ExprId Add(LoopBuilder& b, ExprId x, ExprId y) { return b.Binary(BinaryOp::kAdd, x, y); }
inline ExprId Mul(LoopBuilder& b, ExprId x, ExprId y) { return b.Binary(BinaryOp::kMul, x, y); }

// out[i, j] = sum over k of a[i, k] * w[k, j], as the lowering writes it:
// a zeroing loop, then for i { for k { for j { out += a * w } } }.
inline TestNest MatMul(int64_t n, int64_t m, int64_t c) {
  TestNest t;
  t.program.name = "matmul";
  LoopBuilder b(t.program);
  const BufferId a = AddBuffer(b, "a", {n, m}, BufferKind::kInput);
  const BufferId w = AddBuffer(b, "w", {m, c}, BufferKind::kInput);
  const BufferId out = AddBuffer(b, "out", {n, c}, BufferKind::kOutput);
  const VarId z = b.NewVar(), i = b.NewVar(), k = b.NewVar(), j = b.NewVar();
  const StmtId zero = b.For(z, n * c, {b.Store(out, b.Var(z), b.Const(0, Type::kF32))});
  const ExprId at = b.Add(b.Mul(b.Var(i), c), b.Var(j));
  const ExprId product = Mul(b, b.Load(a, b.Add(b.Mul(b.Var(i), m), b.Var(k))),
                             b.Load(w, b.Add(b.Mul(b.Var(k), c), b.Var(j))));
  const StmtId lj = b.For(j, c, {b.Store(out, at, Add(b, b.Load(out, at), product))});
  const StmtId lk = b.For(k, m, {lj});
  const StmtId li = b.For(i, n, {lk});
  b.AddKernel("%out = matmul", {zero, li});
  t.loops = {li, lk, lj};
  return t;
}

// out[i, j] = a[i, j] * b[j] + 0.5: every iteration independent.
inline TestNest Scale(int64_t rows, int64_t cols) {
  TestNest t;
  t.program.name = "scale";
  LoopBuilder b(t.program);
  const BufferId a = AddBuffer(b, "a", {rows, cols}, BufferKind::kInput);
  const BufferId s = AddBuffer(b, "s", {cols}, BufferKind::kInput);
  const BufferId out = AddBuffer(b, "out", {rows, cols}, BufferKind::kOutput);
  const VarId i = b.NewVar(), j = b.NewVar();
  const ExprId at = b.Add(b.Mul(b.Var(i), cols), b.Var(j));
  const StmtId lj = b.For(
      j, cols,
      {b.Store(out, at,
               Add(b, Mul(b, b.Load(a, at), b.Load(s, b.Var(j))), b.Const(0.5, Type::kF32)))});
  const StmtId li = b.For(i, rows, {lj});
  b.AddKernel("%out = scale", {li});
  t.loops = {li, lj};
  return t;
}

// Row i + 1 from row i shifted left: out[i + 1, j] = out[i, j + 1] + a[i, j]
// (row 0 copied from a first). Iteration (i, j) needs (i - 1, j + 1): the
// i iterations depend on each other, and running j outside would reverse
// that dependence.
inline TestNest ShiftedRows(int64_t rows, int64_t cols) {
  TestNest t;
  t.program.name = "shifted";
  LoopBuilder b(t.program);
  const BufferId a = AddBuffer(b, "a", {rows, cols}, BufferKind::kInput);
  const BufferId out = AddBuffer(b, "out", {rows + 1, cols}, BufferKind::kOutput);
  const VarId z = b.NewVar(), i = b.NewVar(), j = b.NewVar();
  const StmtId first = b.For(z, cols, {b.Store(out, b.Var(z), b.Load(a, b.Var(z)))});
  const ExprId to = b.Add(b.Mul(b.AddConst(b.Var(i), 1), cols), b.Var(j));
  const ExprId from = b.Add(b.Mul(b.Var(i), cols), b.AddConst(b.Var(j), 1));
  const ExprId value = Add(b, b.Load(out, from), b.Load(a, b.Add(b.Mul(b.Var(i), cols), b.Var(j))));
  const StmtId lj = b.For(j, cols - 1, {b.Store(out, to, value)});
  const StmtId li = b.For(i, rows, {lj});
  b.AddKernel("%out = shifted", {first, li});
  t.loops = {li, lj};
  return t;
}

// total[0] = sum of a[i, j], row by row: one location takes every term.
inline TestNest Total(int64_t rows, int64_t cols) {
  TestNest t;
  t.program.name = "total";
  LoopBuilder b(t.program);
  const BufferId a = AddBuffer(b, "a", {rows, cols}, BufferKind::kInput);
  const BufferId total = AddBuffer(b, "total", {}, BufferKind::kOutput);
  const VarId i = b.NewVar(), j = b.NewVar();
  const StmtId zero = b.Store(total, b.Index(0), b.Const(0, Type::kF32));
  const ExprId term = b.Load(a, b.Add(b.Mul(b.Var(i), cols), b.Var(j)));
  const StmtId lj =
      b.For(j, cols, {b.Store(total, b.Index(0), Add(b, b.Load(total, b.Index(0)), term))});
  const StmtId li = b.For(i, rows, {lj});
  b.AddKernel("%total = sum", {zero, li});
  t.loops = {li, lj};
  return t;
}

// Inputs for `program`'s input arguments: floats of mixed signs and
// magnitudes (1e-3 to 1e3), so that adding them in another order changes
// the bits of the sum.
inline std::vector<Tensor> RandomInputs(const LoopProgram& program, uint64_t seed) {
  uint64_t state = seed * 0x9e3779b97f4a7c15ULL + 1;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  std::vector<Tensor> inputs;
  for (BufferId id : program.arguments) {
    const loops::Buffer& buffer = program.buffer(id);
    if (buffer.kind != BufferKind::kInput) continue;
    Tensor t(DType::kF32, buffer.shape);
    for (int64_t x = 0; x < t.num_elements(); ++x) {
      const double unit = static_cast<double>(next() % 2000) / 1000.0 - 1.0;
      t.SetDouble(x, unit * std::pow(10.0, static_cast<double>(next() % 7) - 3.0));
    }
    inputs.push_back(std::move(t));
  }
  return inputs;
}

inline std::vector<Tensor> Interpret(const LoopProgram& program,
                                     const std::vector<Tensor>& inputs) {
  std::vector<const Tensor*> pointers;
  for (const Tensor& t : inputs) pointers.push_back(&t);
  absl::StatusOr<std::vector<Tensor>> outputs = loops::RunLoopProgram(program, pointers);
  EXPECT_TRUE(outputs.ok()) << outputs.status();
  return outputs.ok() ? *std::move(outputs) : std::vector<Tensor>{};
}

// `after` verifies and computes the bits `before` computes, on three sets
// of random inputs.
inline void ExpectSameBits(const LoopProgram& before, const LoopProgram& after) {
  const absl::Status verified = loops::VerifyLoopProgram(after);
  ASSERT_TRUE(verified.ok()) << verified << "\n" << loops::PrintLoopProgram(after);
  for (uint64_t seed : {1, 2, 3}) {
    const std::vector<Tensor> inputs = RandomInputs(before, seed);
    const std::vector<Tensor> expected = Interpret(before, inputs);
    const std::vector<Tensor> actual = Interpret(after, inputs);
    ASSERT_EQ(expected.size(), actual.size());
    for (size_t k = 0; k < expected.size(); ++k) {
      ASSERT_EQ(expected[k].byte_size(), actual[k].byte_size());
      EXPECT_EQ(std::memcmp(expected[k].raw_data(), actual[k].raw_data(), expected[k].byte_size()),
                0)
          << "output " << k << " differs (seed " << seed << ")\n"
          << loops::PrintLoopProgram(after);
    }
  }
}

// The text of the program's last kernel.
inline std::string LastKernel(const LoopProgram& program) {
  std::string text;
  for (StmtId id : program.kernels.back().body) text += loops::PrintLoopStmt(program, id);
  return text;
}

}  // namespace dlc::transform_test

#endif  // DLC_TESTS_PASSES_LOOP_TRANSFORM_PROGRAMS_H_
