// The default schedule for a lowered program: reductions moved into
// registers, which loop of each nest runs in parallel across threads, which
// innermost loops run in SIMD lanes. A loop gets a kind only when the
// analysis (loop_analysis.h) shows its iterations independent.
#ifndef DLC_PASSES_SCHEDULE_H_
#define DLC_PASSES_SCHEDULE_H_

#include "absl/status/status.h"
#include "ir/loops/loop_ir.h"

namespace dlc {

struct ScheduleOptions {
  // Bytes in the widest vector register (64 for AVX-512, 32 for AVX2, 0:
  // no vectorization). Lanes = vector_bytes / element size.
  int vector_bytes = 64;
  // Parallelize nests with at least this many innermost iterations (smaller
  // ones are not worth waking threads for); 0: no parallel loops.
  int64_t min_parallel_work = 1 << 15;
  // Keep reductions' running values in registers (register_accumulation.h).
  bool accumulate_in_registers = true;
  // ... and run this many independent accumulations side by side
  // (register_blocking.h); below 2: none.
  int register_block = 8;
};

void ScheduleLoops(loops::LoopProgram& program, const ScheduleOptions& options);

}  // namespace dlc

#endif  // DLC_PASSES_SCHEDULE_H_
