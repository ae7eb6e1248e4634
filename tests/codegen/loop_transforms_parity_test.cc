// Loop transformations (passes/transforms/) through the JIT: a transformed
// and then scheduled program (vectorized, parallel) computes the bits the
// original computes in the loop interpreter, with one thread and with two.
// Without FMA, as the interpreter rounds every product.
#include <cstring>

#include "passes/memory_plan.h"
#include "passes/pipeline.h"
#include "passes/schedule.h"
#include "passes/transforms/interchange.h"
#include "passes/transforms/pack.h"
#include "passes/transforms/split.h"
#include "passes/transforms/tile.h"
#include "passes/transforms/unroll_and_jam.h"
#include "runtime/jit/thread_pool.h"
#include "tests/codegen/codegen_test_util.h"
#include "tests/passes/loop_transform_programs.h"

namespace dlc::codegen_test {
namespace {

using transform_test::TestNest;

// Schedules `transformed` as the pipeline would (every loop with work
// parallel), compiles it and checks it against `original` in the
// interpreter, bit for bit, at 1 and 2 threads.
void ExpectJitMatchesOriginal(const LoopProgram& original, LoopProgram transformed) {
  VectorizeLoops(transformed, PipelineOptionsFor(Jit().target()).schedule);
  ParallelizeLoops(transformed, 1);
  PlanWorkspace(transformed);
  // The schedule took loops the transformations made: threads and lanes
  // both have work to disagree on.
  int parallel = 0, vectorized = 0;
  for (const loops::Stmt& s : transformed.stmts) {
    parallel += s.kind == loops::StmtKind::kFor && s.loop == LoopKind::kParallel;
    vectorized += s.kind == loops::StmtKind::kFor && s.loop == LoopKind::kVectorized;
  }
  EXPECT_GT(parallel, 0);
  EXPECT_GT(vectorized, 0);
  absl::StatusOr<jit::CompiledFunction> compiled =
      Jit().Compile(transformed, codegen::EmitOptions{.fuse_multiply_add = false});
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const int saved_threads = jit::ThreadCount();
  for (uint64_t seed : {1, 2}) {
    const std::vector<Tensor> inputs = transform_test::RandomInputs(original, seed);
    const std::vector<Tensor> expected = transform_test::Interpret(original, inputs);
    for (int threads : {1, 2}) {
      jit::SetThreadCount(threads);
      std::vector<Tensor> outputs;
      std::vector<void*> args;
      for (const Tensor& t : inputs) args.push_back(const_cast<std::byte*>(t.raw_data()));
      for (const Tensor& e : expected) outputs.emplace_back(e.type());
      for (Tensor& t : outputs) args.push_back(t.raw_data());
      ASSERT_TRUE(compiled->Run(args).ok());
      for (size_t k = 0; k < expected.size(); ++k) {
        EXPECT_EQ(
            std::memcmp(expected[k].raw_data(), outputs[k].raw_data(), expected[k].byte_size()), 0)
            << "output " << k << ", seed " << seed << ", " << threads << " threads";
      }
    }
  }
  jit::SetThreadCount(saved_threads);
}

// A matrix product with k innermost reading a transposed copy of w (packed
// before the row loop, so the rows stay independent and run on threads),
// its column and reduction loops tiled (extents no multiple of the sizes),
// and its rows unrolled and jammed by 3 (13 rows: a remainder).
TEST(LoopTransformsParityTest, PackedTiledAndJammedMatrixProduct) {
  TestNest t = transform_test::MatMul(13, 10, 37);
  const LoopProgram original = t.program;
  const StmtId i = t.loops[0], k = t.loops[1], j = t.loops[2];
  ASSERT_TRUE(transforms::Interchange(t.program, k, j).ok());
  absl::StatusOr<transforms::Packed> packed = transforms::Pack(t.program, i, /*w=*/1);
  ASSERT_TRUE(packed.ok()) << packed.status();
  const StmtId band[] = {j, k};
  const int64_t sizes[] = {16, 3};
  absl::StatusOr<transforms::TiledLoops> tiled = transforms::Tile(t.program, band, sizes);
  ASSERT_TRUE(tiled.ok()) << tiled.status();
  ASSERT_TRUE(transforms::UnrollAndJam(t.program, i, 3).ok());
  ExpectJitMatchesOriginal(original, t.program);
}

// Rows in blocks of 8 (21 rows: a remainder), the rows of a block
// innermost, where they run in SIMD lanes; the blocks run on threads.
TEST(LoopTransformsParityTest, SplitAndInterchangedElementwise) {
  TestNest t = transform_test::Scale(21, 45);
  const LoopProgram original = t.program;
  absl::StatusOr<transforms::SplitLoops> split = transforms::Split(t.program, t.loops[0], 8);
  ASSERT_TRUE(split.ok()) << split.status();
  ASSERT_TRUE(transforms::Interchange(t.program, split->inner, t.loops[1]).ok());
  ExpectJitMatchesOriginal(original, t.program);
}

}  // namespace
}  // namespace dlc::codegen_test
