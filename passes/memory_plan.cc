#include "passes/memory_plan.h"

#include <algorithm>
#include <vector>

#include "ir/loops/lifetime.h"

namespace dlc {

void PlanWorkspace(loops::LoopProgram& program) {
  using loops::BufferId;
  const std::vector<loops::KernelRange> lifetimes = loops::BufferLifetimes(program);
  std::vector<BufferId> temps;
  for (BufferId id = 0; id < static_cast<BufferId>(program.buffers.size()); ++id) {
    if (program.buffer(id).kind == loops::BufferKind::kTemp) temps.push_back(id);
  }
  // In order of first use (unused temps first: they overlap nothing).
  std::sort(temps.begin(), temps.end(), [&](BufferId a, BufferId b) {
    return lifetimes[a].first != lifetimes[b].first ? lifetimes[a].first < lifetimes[b].first
                                                    : a < b;
  });

  struct Placed {
    int64_t begin, end;
    BufferId id;
  };
  std::vector<Placed> placed;  // sorted by begin
  int64_t workspace = 0;
  for (BufferId id : temps) {
    const int64_t bytes =
        (program.buffer(id).num_elements() * loops::TypeSize(program.buffer(id).type) + 63) / 64 *
        64;
    // The lowest offset where `bytes` fit between the temps in use at the
    // same time as this one.
    int64_t offset = 0;
    for (const Placed& p : placed) {
      if (!lifetimes[p.id].Meets(lifetimes[id])) continue;
      if (p.begin >= offset + bytes) break;
      offset = std::max(offset, p.end);
    }
    program.buffers[id].offset = offset;
    const Placed entry{offset, offset + bytes, id};
    placed.insert(
        std::upper_bound(placed.begin(), placed.end(), entry,
                         [](const Placed& a, const Placed& b) { return a.begin < b.begin; }),
        entry);
    workspace = std::max(workspace, offset + bytes);
  }
  program.workspace_bytes = workspace;
}

}  // namespace dlc
