#include "passes/loop_nest.h"

#include <algorithm>

#include "ir/loops/loop_walk.h"
namespace dlc {
namespace {

using loops::StmtId;
using loops::StmtKind;

// Searches `list` (the body of `parent`, or of kernel `kernel`) and below.
std::optional<StmtPlace> Search(const loops::LoopProgram& p, const std::vector<StmtId>& list,
                                int kernel, StmtId parent, StmtId id) {
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i] == id) return StmtPlace{kernel, parent, i};
    if (list[i] < 0 || list[i] >= static_cast<StmtId>(p.stmts.size())) continue;
    if (auto found = Search(p, p.stmt(list[i]).body, kernel, list[i], id)) return found;
  }
  return std::nullopt;
}

}  // namespace

std::optional<StmtPlace> FindStmt(const loops::LoopProgram& p, StmtId id) {
  for (size_t k = 0; k < p.kernels.size(); ++k) {
    if (auto found = Search(p, p.kernels[k].body, static_cast<int>(k), -1, id)) return found;
  }
  return std::nullopt;
}

std::vector<StmtId>& ListAt(loops::LoopProgram& p, const StmtPlace& place) {
  return place.parent < 0 ? p.kernels[place.kernel].body : p.stmts[place.parent].body;
}

std::vector<loops::BufferId> BuffersWritten(const loops::LoopProgram& p, StmtId id) {
  std::vector<loops::BufferId> out;
  loops::ForEachStmt(p, {&id, 1}, [&](StmtId, const loops::Stmt& s) {
    if (s.kind == StmtKind::kStore && std::find(out.begin(), out.end(), s.buffer) == out.end()) {
      out.push_back(s.buffer);
    }
    return true;
  });
  return out;
}

bool HoldsCheck(const loops::LoopProgram& p, StmtId id) {
  return loops::AnyStmt(p, {&id, 1},
                        [](const loops::Stmt& s) { return s.kind == StmtKind::kCheck; });
}

}  // namespace dlc
