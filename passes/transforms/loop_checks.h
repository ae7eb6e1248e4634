// What the loop transformations check of the loops they are given, and the
// copy of a loop's last iterations that Split and UnrollAndJam leave after
// the loop they shorten.
#ifndef DLC_PASSES_TRANSFORMS_LOOP_CHECKS_H_
#define DLC_PASSES_TRANSFORMS_LOOP_CHECKS_H_

#include <string>

#include "absl/status/statusor.h"
#include "ir/loops/loop_builder.h"
#include "ir/loops/loop_ir.h"
#include "passes/loop_nest.h"

namespace dlc::transforms {

// "loop i3" or "statement 12 (a store)", for messages.
std::string Describe(const loops::LoopProgram& p, loops::StmtId id);

// Where `id` sits, when it is a statement of the program that a kernel
// reaches and a serial loop: the transformations run before the schedule
// gives loops kinds (a vectorized or parallel loop has promises they do not
// keep track of). InvalidArgument otherwise, FailedPrecondition for a loop
// of another kind.
absl::StatusOr<StmtPlace> SerialLoop(const loops::LoopProgram& p, loops::StmtId id);

// A factor for `loop`: InvalidArgument unless 1 <= factor <= its extent.
absl::Status CheckFactor(const loops::LoopProgram& p, loops::StmtId loop, int64_t factor);

// A new serial loop running iterations [start, start + count) of `loop`:
// a copy of its body with fresh variables. The caller places it.
loops::StmtId CopyOfIterations(loops::LoopBuilder& b, loops::StmtId loop, int64_t start,
                               int64_t count);

}  // namespace dlc::transforms

#endif  // DLC_PASSES_TRANSFORMS_LOOP_CHECKS_H_
