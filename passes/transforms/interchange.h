// Interchanging two perfectly nested loops:
//   for a { for b { S } }   becomes   for b { for a { S } }
// Each statement id keeps naming its loop (header, variable, kind); only
// their places swap, so `inner` afterwards holds `outer`.
//
// Legal when no two iterations that touch one element (one of them
// writing it) run in the other order afterwards. loop_analysis.h shows it
// in one of these ways:
// - the iterations of `outer` are independent: each a's iterations touch
//   elements no other a touches, and for one a the b's keep their order;
// - the iterations of `inner`, moved outside, are independent with a
//   varying inside them: then iterations that touch one element share
//   their b, and for one b the a's keep their order;
// - every element written is touched at one index that takes each element
//   once over the nest (ConflictsAgreeOn) and reads a or b: iterations that
//   touch one element share that variable. A reduction over a into
//   elements chosen by b (a matrix product's k and j) keeps adding its
//   terms in the same order: bit-identical.
// Anything else is refused, reductions whose terms would be added in
// another order included: dlc promises bit-identical results. Nests that
// hold checks are refused too (the first failing check would change).
#ifndef DLC_PASSES_TRANSFORMS_INTERCHANGE_H_
#define DLC_PASSES_TRANSFORMS_INTERCHANGE_H_

#include "absl/status/statusor.h"
#include "ir/loops/loop_ir.h"

namespace dlc::transforms {

// Swaps serial loop `outer` with serial loop `inner`, its only statement.
// Returns the nest's new outermost loop (`inner`). On an error the program
// is unchanged.
absl::StatusOr<loops::StmtId> Interchange(loops::LoopProgram& program, loops::StmtId outer,
                                          loops::StmtId inner);

}  // namespace dlc::transforms

#endif  // DLC_PASSES_TRANSFORMS_INTERCHANGE_H_
