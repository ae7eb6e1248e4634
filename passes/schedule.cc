#include "passes/schedule.h"

#include <map>

#include "ir/loops/loop_builder.h"
#include "passes/loop_analysis.h"
#include "passes/loop_rewrite.h"

namespace dlc {
namespace {

using loops::LoopKind;
using loops::StmtId;
using loops::StmtKind;

// Iterations of the nest below `id` (the product of the extents of every
// loop, following the first loop of each body).
int64_t Work(const loops::LoopProgram& p, StmtId id) {
  const loops::Stmt& s = p.stmt(id);
  if (s.kind != StmtKind::kFor) return 1;
  int64_t inner = 1;
  for (StmtId child : s.body) inner = std::max(inner, Work(p, child));
  return s.extent * inner;
}

// The nest's outermost loop with more than one iteration, if its iterations
// are independent. A deeper loop is not taken: it would be started once per
// iteration of the loops around it (thousands of times for a convolution's
// filter gradient), costing more in waking threads than it gains. A
// vectorized loop of whole vectors (a flat elementwise loop) splits its
// vector steps across threads. `slot` holds the nest's statement, and is
// replaced when the loop taking the threads is a new one.
void Parallelize(loops::LoopProgram& p, StmtId& slot) {
  StmtId* at = &slot;
  while (p.stmt(*at).kind == StmtKind::kFor) {
    loops::Stmt& s = p.stmts[*at];
    if (s.extent >= 2) {
      if (s.loop == LoopKind::kSerial && IterationsIndependent(p, *at)) {
        s.loop = LoopKind::kParallel;
      } else if (s.loop == LoopKind::kVectorized && s.extent % s.width == 0 &&
                 s.extent >= 2 * s.width && IterationsIndependent(p, *at)) {
        loops::LoopBuilder b(p);
        *at = SplitVectorStepsAcrossThreads(b, *at);
      }
      return;
    }
    if (s.body.size() != 1) return;
    at = &p.stmts[*at].body[0];
  }
}

bool IsSimpleBody(const loops::LoopProgram& p, const loops::Stmt& s) {
  for (StmtId child : s.body) {
    if (p.stmt(child).kind != StmtKind::kStore) return false;
  }
  return !s.body.empty();
}

// Innermost loops whose bodies are plain stores and whose iterations are
// independent run in SIMD lanes.
void Vectorize(loops::LoopProgram& p, StmtId id, const ScheduleOptions& options) {
  const loops::Stmt& s = p.stmt(id);
  if (s.kind != StmtKind::kFor && s.kind != StmtKind::kIf) return;
  if (s.kind == StmtKind::kFor && IsSimpleBody(p, s)) {
    const int64_t element = loops::TypeSize(p.buffer(p.stmt(s.body[0]).buffer).type);
    const int lanes = static_cast<int>(options.vector_bytes / std::max<int64_t>(element, 1));
    if (lanes >= 2 && s.extent >= options.min_vector_extent && s.loop == LoopKind::kSerial &&
        IterationsIndependent(p, id)) {
      p.stmts[id].loop = LoopKind::kVectorized;
      p.stmts[id].width = std::min(lanes, 64);
    }
    return;
  }
  for (StmtId child : std::vector<StmtId>(s.body)) Vectorize(p, child, options);
}

}  // namespace

void VectorizeLoops(loops::LoopProgram& program, const ScheduleOptions& options) {
  if (options.vector_bytes <= 0) return;
  for (const loops::Kernel& kernel : program.kernels) {
    for (StmtId id : kernel.body) Vectorize(program, id, options);
  }
}

void ParallelizeLoops(loops::LoopProgram& program, int64_t min_parallel_work) {
  if (min_parallel_work <= 0) return;
  for (loops::Kernel& kernel : program.kernels) {
    for (StmtId& id : kernel.body) {
      if (Work(program, id) >= min_parallel_work) Parallelize(program, id);
    }
  }
}

}  // namespace dlc
