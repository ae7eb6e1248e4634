// Finding one's way around loop nests: where a statement sits (the IR has
// no parent links), what a nest writes, whether it holds checks. Shared by
// the loop transformations (transforms/) and the passes built on them.
#ifndef DLC_PASSES_LOOP_NEST_H_
#define DLC_PASSES_LOOP_NEST_H_

#include <optional>
#include <vector>

#include "ir/loops/loop_ir.h"

namespace dlc {

// A statement's place: position `index` in a kernel's body (`parent` -1)
// or in the body of loop or guard `parent`.
struct StmtPlace {
  int kernel = -1;
  loops::StmtId parent = -1;
  size_t index = 0;
};

// Where `id` sits, or nullopt when no kernel reaches it.
std::optional<StmtPlace> FindStmt(const loops::LoopProgram& p, loops::StmtId id);

// The statement list `place` points into.
std::vector<loops::StmtId>& ListAt(loops::LoopProgram& p, const StmtPlace& place);

// The buffers stored to by `id` and the statements under it, in the order
// of their first store (statement order).
std::vector<loops::BufferId> BuffersWritten(const loops::LoopProgram& p, loops::StmtId id);

// Whether `id` or a statement under it is a kCheck.
bool HoldsCheck(const loops::LoopProgram& p, loops::StmtId id);

}  // namespace dlc

#endif  // DLC_PASSES_LOOP_NEST_H_
