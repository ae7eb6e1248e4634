// Register blocking (unroll-and-jam) of accumulations. After
// register_accumulation.h a reduction reads
//   for o { for v { acc = B[..]; for r.. { acc = f(acc, e) }; B[..] = acc } }
// and each accumulator is one dependency chain: every step waits for the
// previous one (4 cycles per FMA), while the CPU could start two FMAs per
// cycle. When the iterations of o are independent, this pass runs `factor`
// of them side by side, each with its own accumulator:
//   for o0 { for v { acc0 = ..; acc1 = ..; .. for r.. { acc0 = f(acc0, e(o0*U));
//            acc1 = f(acc1, e(o0*U+1)); .. }; B[..] = acc0; .. } }
//   for o1 (the o0*U..E remainder) { the original body }
// That is transforms::UnrollAndJam (transforms/unroll_and_jam.h) of o;
// this pass only chooses the loops and factors. Loads shared by the copies
// (a filter weight, say) are made once. Each accumulator sees its terms in
// the same order as before: bit-identical.
#ifndef DLC_PASSES_REGISTER_BLOCKING_H_
#define DLC_PASSES_REGISTER_BLOCKING_H_

#include <span>

#include "ir/loops/loop_ir.h"

namespace dlc {

// Blocks the loop around each of `accumulations` (the v loops that
// AccumulateInRegisters returned), where that loop is serial, independent
// and holds nothing else, so that `factor` accumulators run side by side
// (factor / m copies of an accumulation with m of them, at least 2).
// Returns how many were blocked.
// Never more than `max_accumulators` in one nest: an accumulation that
// already has more than half of them is left as it is.
int BlockAccumulations(loops::LoopProgram& program, std::span<const loops::StmtId> accumulations,
                       int factor, int max_accumulators = 28);

}  // namespace dlc

#endif  // DLC_PASSES_REGISTER_BLOCKING_H_
