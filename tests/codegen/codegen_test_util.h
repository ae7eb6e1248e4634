// Shared by the codegen tests: hand-built loop programs, compiled by one
// JIT session per test binary and run on 64-byte aligned buffers.
#ifndef DLC_TESTS_CODEGEN_CODEGEN_TEST_UTIL_H_
#define DLC_TESTS_CODEGEN_CODEGEN_TEST_UTIL_H_

#include <cmath>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "ir/loops/loop_builder.h"
#include "ir/loops/loop_ir.h"
#include "ir/tensor.h"
#include "runtime/jit/jit.h"

namespace dlc::codegen_test {

using loops::BinaryOp;
using loops::BufferId;
using loops::CompareOp;
using loops::ExprId;
using loops::LoopBuilder;
using loops::LoopKind;
using loops::LoopProgram;
using loops::StmtId;
using loops::Type;
using loops::UnaryOp;
using loops::VarId;

template <typename T>
using AlignedVector = std::vector<T, AlignedAllocator<T, 64>>;

// The JIT session every test of the binary shares.
jit::JitSession& Jit();

// Compiles a hand-built program with the emitter alone: the loop verifier,
// which the pipeline always runs before code generation, is skipped, so
// these tests can also feed the emitter what the verifier would reject
// (i64 arguments, a width on a serial loop) and check that it copes.
absl::StatusOr<jit::CompiledFunction> CompileUnverified(const LoopProgram& program,
                                                        const codegen::EmitOptions& options = {});

// Whether the host CPU has `feature` ("avx512f", "fma"), as LLVM sees it.
bool HostHasFeature(const std::string& feature);

// A program under construction. Arguments are the inputs in creation
// order, then the outputs.
class TestProgram {
 public:
  explicit TestProgram(std::string name = "test");
  TestProgram(const TestProgram&) = delete;
  TestProgram& operator=(const TestProgram&) = delete;

  LoopBuilder& b() { return builder_; }
  LoopProgram& program() { return program_; }

  BufferId Input(std::string name, Type type, int64_t n);
  BufferId Output(std::string name, Type type, int64_t n);
  // A workspace temporary at `offset`; grows the workspace to hold it.
  BufferId Temp(std::string name, Type type, int64_t n, int64_t offset);
  BufferId Constant(std::string name, Type type, int64_t n, std::vector<double> values);
  void Kernel(std::vector<StmtId> body, std::string name = "kernel");

  // A one-loop kernel: for v in [0, n) of `kind`: body(v).
  void Loop(int64_t n, LoopKind kind, int width,
            const std::function<std::vector<StmtId>(ExprId)>& body);

  // Compiles (once) and runs with `args` (inputs, then outputs); returns
  // the program's error code.
  absl::StatusOr<int32_t> Run(std::vector<void*> args);

 private:
  LoopProgram program_;
  LoopBuilder builder_;
  std::vector<BufferId> inputs_, outputs_;
  std::unique_ptr<jit::CompiledFunction> compiled_;
};

// `values` repeated to `n` elements.
template <typename T>
AlignedVector<T> Cycle(const std::vector<T>& values, size_t n) {
  AlignedVector<T> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = values[i % values.size()];
  return out;
}

// Equal, bit for bit, except that any NaN equals any NaN.
template <typename T>
bool SameValue(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return std::memcmp(&a, &b, sizeof(T)) == 0;
  } else {
    return a == b;
  }
}

template <typename T>
void ExpectSameValues(std::span<const T> actual, std::span<const T> expected,
                      const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_TRUE(SameValue(actual[i], expected[i]))
        << what << " [" << i << "]: got " << +actual[i] << ", expected " << +expected[i];
  }
}

// The loop kinds an elementwise test runs under: serial, vectorized by 16
// (a vector body plus a tail on 37 elements), unrolled by 4.
struct LoopShape {
  LoopKind kind;
  int width;
  const char* name;
};
inline constexpr LoopShape kLoopShapes[] = {
    {LoopKind::kSerial, 1, "serial"},
    {LoopKind::kVectorized, 16, "vectorized16"},
    {LoopKind::kUnrolled, 4, "unrolled4"},
};

// out[i] = make(a[i], b[i]) for every i, under `shape`. `In`/`Out` store
// `in`/`out` (uint8_t for i1).
template <typename In, typename Out>
absl::StatusOr<AlignedVector<Out>> RunElementwise(
    Type in, Type out, const AlignedVector<In>& a, const AlignedVector<In>& b,
    const std::function<ExprId(LoopBuilder&, ExprId, ExprId)>& make, LoopShape shape) {
  const int64_t n = static_cast<int64_t>(a.size());
  TestProgram p;
  BufferId a_buffer = p.Input("a", in, n);
  BufferId b_buffer = p.Input("b", in, n);
  BufferId out_buffer = p.Output("out", out, n);
  p.Loop(n, shape.kind, shape.width, [&](ExprId i) {
    LoopBuilder& b = p.b();
    return std::vector<StmtId>{
        b.Store(out_buffer, i, make(b, b.Load(a_buffer, i), b.Load(b_buffer, i)))};
  });
  AlignedVector<Out> result(n);
  absl::StatusOr<int32_t> code =
      p.Run({const_cast<In*>(a.data()), const_cast<In*>(b.data()), result.data()});
  if (!code.ok()) return code.status();
  if (*code != 0) return absl::InternalError("the program failed a check");
  return result;
}

// Runs `make` under every loop shape and compares with `reference` applied
// to each element pair.
template <typename In, typename Out>
void CheckElementwise(Type in, Type out, const std::vector<In>& a_values,
                      const std::vector<In>& b_values,
                      const std::function<ExprId(LoopBuilder&, ExprId, ExprId)>& make,
                      const std::function<Out(In, In)>& reference, const std::string& what) {
  const size_t n = 37;
  AlignedVector<In> a = Cycle(a_values, n);
  AlignedVector<In> b = Cycle(b_values, n);
  std::vector<Out> expected(n);
  for (size_t i = 0; i < n; ++i) expected[i] = reference(a[i], b[i]);
  for (const LoopShape& shape : kLoopShapes) {
    absl::StatusOr<AlignedVector<Out>> actual = RunElementwise<In, Out>(in, out, a, b, make, shape);
    ASSERT_TRUE(actual.ok()) << what << " " << shape.name << ": " << actual.status();
    ExpectSameValues<Out>(*actual, expected, what + " " + shape.name);
  }
}

}  // namespace dlc::codegen_test

#endif  // DLC_TESTS_CODEGEN_CODEGEN_TEST_UTIL_H_
