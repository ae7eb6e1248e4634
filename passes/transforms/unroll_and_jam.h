// Unroll-and-jam: `factor` iterations of a loop run side by side, their
// statements interleaved inside the loops they hold:
//   for o in 0..E { a(o); for k { s(o, k) } }
// becomes, for factor 2,
//   for ob in 0..E/2 { a(2ob); a(2ob+1); for k { s(2ob, k); s(2ob+1, k) } }
//   for or in 0..E%2 { a(E/2*2 + or); for k { s(E/2*2 + or, k) } }
// The copies are jammed through every loop the body holds (the loops keep
// their statements and variables); consecutive other statements run one
// copy after another. A guard whose condition reads o differs between the
// copies: it moves down onto each copy's statements (conditions of nested
// ones joined by &); other guards are jammed through like loops. Locals
// (accumulators) the body writes get one buffer per copy, named
// `<local>.<copy>` (copy 0 keeps the original), so each copy keeps its
// running values in registers of its own.
//
// Legal when the iterations of the loop are independent
// (loop_analysis.h): each copy keeps its own statements in order, and no
// copy touches what another writes, so interleaving them changes no bit.
// Refused when the loop holds checks (the first failing one would change)
// or a guard reads a buffer the loop writes (moving it could change what
// it sees).
#ifndef DLC_PASSES_TRANSFORMS_UNROLL_AND_JAM_H_
#define DLC_PASSES_TRANSFORMS_UNROLL_AND_JAM_H_

#include "absl/status/statusor.h"
#include "ir/loops/loop_ir.h"

namespace dlc::transforms {

struct UnrolledAndJammed {
  loops::StmtId loop = -1;       // the loop itself, now over blocks of `factor` (a new variable)
  loops::StmtId remainder = -1;  // new, right after it: the E % factor iterations left; -1 if none
};

// Unrolls serial loop `loop` by `factor` (1 <= factor <= its extent) and
// jams the copies. On an error the program is unchanged.
absl::StatusOr<UnrolledAndJammed> UnrollAndJam(loops::LoopProgram& program, loops::StmtId loop,
                                               int64_t factor);

}  // namespace dlc::transforms

#endif  // DLC_PASSES_TRANSFORMS_UNROLL_AND_JAM_H_
