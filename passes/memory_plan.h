// Memory planning: every temp buffer of a loop program gets its place in
// the workspace. Temps that are never in use at the same time (no kernel
// touches both) share space, so the workspace holds roughly the values
// live at once rather than every intermediate of the step.
#ifndef DLC_PASSES_MEMORY_PLAN_H_
#define DLC_PASSES_MEMORY_PLAN_H_

#include "ir/loops/loop_ir.h"

namespace dlc {

// Sets each temp's offset (64-byte aligned) and the program's
// workspace_bytes. First fit, temps taken in order of first use.
void PlanWorkspace(loops::LoopProgram& program);

}  // namespace dlc

#endif  // DLC_PASSES_MEMORY_PLAN_H_
