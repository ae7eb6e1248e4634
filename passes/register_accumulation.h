// Accumulating in registers. The lowering writes a reduction as
//   for r1 .. for rk { for v { B[idx] = f(B[idx], e) } }     (idx free of r1..rk)
// which reads and writes B[idx] in memory on every iteration: a chain
// through the store buffer that LLVM cannot break, since it cannot tell B
// apart from the other buffers sharing the workspace. When the iterations
// of v are independent, this pass moves v outside the reduction and keeps
// the running value in a local (a register, one per lane once v runs in
// SIMD lanes):
//   for v { acc = B[idx]; for r1 .. for rk { acc = f(acc, e) }; B[idx] = acc }
// Every lane combines its terms in the order it did before, so the results
// are bit-identical; only the memory traffic goes. v's body may hold several
// such stores to different buffers that read each other (an argmax keeps
// the best value and its place): each gets a local. Loops between the
// reductions and v that choose the element (a filter gradient's kh, kw, ci
// inside the batch and image loops) are unrolled, each combination with its
// locals, when they are few (at most max_accumulators): the filter gradient
// then streams the output gradient once with all its sums in registers.
// Guards in the nest (a padded window's "inside the image") stay around the
// updates, as long as all lanes of v agree on them.
//
// Convolutions, matrix products, pooling windows and bias gradients all
// lower to this shape.
#ifndef DLC_PASSES_REGISTER_ACCUMULATION_H_
#define DLC_PASSES_REGISTER_ACCUMULATION_H_

#include <vector>

#include "ir/loops/loop_ir.h"
#include "passes/schedule.h"

namespace dlc {

// Rewrites every such reduction of `program`. `options.vector_bytes` > 0
// also marks the moved loop v vectorized (vector_bytes / element size
// lanes, when it has at least min_vector_extent iterations), as the
// schedule would have (it vectorizes only loops whose bodies are stores),
// and splits a lone reduction of at least min_reduction_to_split terms
// across threads. Returns the moved loops v, one per rewritten reduction.
// At most `options.max_accumulators` locals per nest (beyond the register
// file LLVM spills to the stack: slower, still correct).
std::vector<loops::StmtId> AccumulateInRegisters(loops::LoopProgram& program,
                                                 const ScheduleOptions& options);

}  // namespace dlc

#endif  // DLC_PASSES_REGISTER_ACCUMULATION_H_
