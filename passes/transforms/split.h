// Splitting a loop into blocks:
//   for v in 0..E { S(v) }
// becomes
//   for vo in 0..E/f { for vi in 0..f { S(vo * f + vi) } }
//   for vr in 0..E%f { S(E/f * f + vr) }     (only when f does not divide E)
// The leftover iterations run in a remainder loop after the blocks rather
// than under a guard in the last block: both nests stay perfect and free of
// guards, which is what interchange, register accumulation and
// vectorization look for. Always legal (the iterations keep their order).
#ifndef DLC_PASSES_TRANSFORMS_SPLIT_H_
#define DLC_PASSES_TRANSFORMS_SPLIT_H_

#include "absl/status/statusor.h"
#include "ir/loops/loop_ir.h"

namespace dlc::transforms {

struct SplitLoops {
  loops::StmtId outer = -1;      // `loop` itself, now over blocks (a new variable)
  loops::StmtId inner = -1;      // new: the f iterations of a block; S keeps its statements
  loops::StmtId remainder = -1;  // new, right after `loop` in its list; -1 when f divides E
};

// Splits serial loop `loop` by `factor` (1 <= factor <= its extent).
absl::StatusOr<SplitLoops> Split(loops::LoopProgram& program, loops::StmtId loop, int64_t factor);

}  // namespace dlc::transforms

#endif  // DLC_PASSES_TRANSFORMS_SPLIT_H_
