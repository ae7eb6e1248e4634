// Packing (copying into a tile buffer): the loads of one buffer in a loop
// nest read a compact copy made just before the nest, laid out in the order
// the nest reads it, so the nest streams through consecutive elements (the
// packed operands of Goto and van de Geijn's matrix product):
//   for i { for k { .. %w[k * 64 + i] .. } }
// becomes
//   for p0 in 0..I { for p1 in 0..K { %w.pack[p0 * K + p1] = %w[p1 * 64 + p0] } }
//   for i { for k { .. %w.pack[i * K + k] .. } }
// The copy has one element per combination of the nest's loops that the
// load index reads (in nesting order, outermost first), whatever other
// loops the nest has; an element read under several combinations (a
// convolution's overlapping windows) is copied for each.
//
// Requires every load of the buffer in the nest to use one index (the
// same expression) that loads nothing itself, under no guard inside the
// nest, and the nest not to write the buffer (the copy would go stale) nor
// hold checks (one might be what keeps the load in bounds). Then the copy
// reads exactly what the nest would, before it, and the bits are the same.
// The copy is a new temp: plan memory after packing.
#ifndef DLC_PASSES_TRANSFORMS_PACK_H_
#define DLC_PASSES_TRANSFORMS_PACK_H_

#include "absl/status/statusor.h"
#include "ir/loops/loop_ir.h"

namespace dlc::transforms {

struct Packed {
  loops::BufferId buffer = -1;  // the new temp, named `<buffer>.pack` (`.pack_2`, ... if taken)
  loops::StmtId copy = -1;      // the nest that fills it, right before `loop` in its list
};

// Packs the loads of `buffer` in loop nest `loop`. On an error the program
// is unchanged.
absl::StatusOr<Packed> Pack(loops::LoopProgram& program, loops::StmtId loop,
                            loops::BufferId buffer);

}  // namespace dlc::transforms

#endif  // DLC_PASSES_TRANSFORMS_PACK_H_
