#include "passes/register_blocking.h"

#include <algorithm>
#include <set>
#include <vector>

#include "passes/loop_analysis.h"
#include "passes/transforms/unroll_and_jam.h"

namespace dlc {
namespace {

using loops::LoopKind;
using loops::LoopProgram;
using loops::Stmt;
using loops::StmtId;
using loops::StmtKind;

// Which loops to block, and by how much: the policy. The blocking itself
// is transforms::UnrollAndJam's.
class Blocker {
 public:
  Blocker(const LoopProgram& p, std::set<StmtId> accumulations, int factor, int max_accumulators)
      : p_(p),
        accumulations_(std::move(accumulations)),
        factor_(factor),
        max_accumulators_(max_accumulators) {}

  // Loops to block and their factors, in program order; below a blocked
  // loop nothing else is.
  std::vector<std::pair<StmtId, int64_t>> Find(const std::vector<StmtId>& body) {
    std::vector<std::pair<StmtId, int64_t>> found;
    Visit(body, found);
    return found;
  }

 private:
  void Visit(const std::vector<StmtId>& body, std::vector<std::pair<StmtId, int64_t>>& found) {
    for (StmtId id : body) {
      if (std::optional<int64_t> factor = FactorFor(id)) {
        found.emplace_back(id, *factor);
        continue;
      }
      const StmtKind kind = p_.stmt(id).kind;
      if (kind == StmtKind::kFor || kind == StmtKind::kIf) Visit(p_.stmt(id).body, found);
    }
  }

  // Loop `o`'s factor, if its body is one accumulation worth blocking.
  std::optional<int64_t> FactorFor(StmtId o) const {
    const Stmt& outer = p_.stmt(o);
    if (outer.kind != StmtKind::kFor || outer.loop != LoopKind::kSerial || outer.extent < 2 ||
        outer.body.size() != 1 || !accumulations_.contains(outer.body[0]) ||
        !IterationsIndependent(p_, o)) {
      return std::nullopt;
    }
    // The accumulation's body: m initialisations, the reduction nest, m
    // write-backs.
    const std::vector<StmtId>& parts = p_.stmt(outer.body[0]).body;
    const size_t m = (parts.size() - 1) / 2;
    if (2 * static_cast<int64_t>(m) > max_accumulators_) return std::nullopt;
    // The updates are the body of the nest's innermost loop or guard.
    StmtId innermost = parts[m];
    for (;;) {
      const Stmt& s = p_.stmt(innermost);
      if (s.body.size() != 1) break;
      const StmtKind next = p_.stmt(s.body[0]).kind;
      if (next != StmtKind::kFor && next != StmtKind::kIf) break;
      innermost = s.body[0];
    }
    for (StmtId update : p_.stmt(innermost).body) {
      // Guarded per element choice (unrolled guards): not blocked.
      if (p_.stmt(update).kind != StmtKind::kStore) return std::nullopt;
    }
    // `factor_` accumulators in all: fewer copies when each has several.
    return std::min<int64_t>(std::max<int64_t>(2, factor_ / static_cast<int64_t>(m)), outer.extent);
  }

  const LoopProgram& p_;
  std::set<StmtId> accumulations_;
  int factor_;
  int max_accumulators_;
};

}  // namespace

int BlockAccumulations(LoopProgram& program, std::span<const StmtId> accumulations, int factor,
                       int max_accumulators) {
  if (factor < 2 || accumulations.empty()) return 0;
  Blocker blocker(program, std::set<StmtId>(accumulations.begin(), accumulations.end()), factor,
                  max_accumulators);
  std::vector<std::pair<StmtId, int64_t>> found;
  for (const loops::Kernel& kernel : program.kernels) {
    std::vector<std::pair<StmtId, int64_t>> mine = blocker.Find(kernel.body);
    found.insert(found.end(), mine.begin(), mine.end());
  }
  int blocked = 0;
  for (const auto& [loop, loop_factor] : found) {
    // Found legal above (serial, independent, no checks in an accumulation).
    blocked += transforms::UnrollAndJam(program, loop, loop_factor).ok() ? 1 : 0;
  }
  return blocked;
}

}  // namespace dlc
