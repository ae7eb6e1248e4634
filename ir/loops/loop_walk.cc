#include "ir/loops/loop_walk.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"

namespace dlc::loops {
namespace {

bool ValidStmt(const LoopProgram& p, StmtId id) {
  return id >= 0 && id < static_cast<StmtId>(p.stmts.size());
}
bool ValidExpr(const LoopProgram& p, ExprId id) {
  return id >= 0 && id < static_cast<ExprId>(p.exprs.size());
}

int OperandCount(ExprKind kind) {
  switch (kind) {
    case ExprKind::kConst:
    case ExprKind::kVar: return 0;
    case ExprKind::kLoad:
    case ExprKind::kUnary:
    case ExprKind::kCast: return 1;
    case ExprKind::kBinary:
    case ExprKind::kCompare: return 2;
    case ExprKind::kSelect: return 3;
  }
  return 0;
}

// The expressions a walk has seen. Analyses walk small index expressions
// many thousands of times per compile, so the first few ids are kept
// inline and searched in order; only a big walk builds a hash set.
class Visited {
 public:
  // Whether `id` is new (and now seen).
  bool Insert(ExprId id) {
    if (large_.empty()) {
      if (std::find(small_.begin(), small_.end(), id) != small_.end()) return false;
      if (small_.size() < kInline) {
        small_.push_back(id);
        return true;
      }
      large_.insert(small_.begin(), small_.end());
    }
    return large_.insert(id).second;
  }

 private:
  static constexpr size_t kInline = 64;
  absl::InlinedVector<ExprId, kInline> small_;
  absl::flat_hash_set<ExprId> large_;
};

}  // namespace

std::vector<ExprId> StmtOperands(const Stmt& s) {
  std::vector<ExprId> out;
  for (ExprId id : {s.index, s.value, s.cond}) {
    if (id >= 0) out.push_back(id);
  }
  return out;
}

bool ForEachStmt(const LoopProgram& p, std::span<const StmtId> stmts,
                 const std::function<bool(StmtId, const Stmt&)>& visit) {
  for (StmtId id : stmts) {
    if (!ValidStmt(p, id)) continue;
    const Stmt& s = p.stmt(id);
    if (!visit(id, s) || !ForEachStmt(p, s.body, visit)) return false;
  }
  return true;
}

bool ForEachExpr(const LoopProgram& p, ExprId root,
                 const std::function<bool(ExprId, const Expr&)>& visit) {
  Visited seen;
  absl::InlinedVector<ExprId, 32> stack{root};
  while (!stack.empty()) {
    const ExprId id = stack.back();
    stack.pop_back();
    if (!ValidExpr(p, id) || !seen.Insert(id)) continue;
    const Expr& e = p.expr(id);
    if (!visit(id, e)) return false;
    // The operands ExprOperands names (without its vector), the first to
    // be visited next.
    const ExprId operands[3] = {e.a, e.b, e.c};
    for (int k = OperandCount(e.kind) - 1; k >= 0; --k) stack.push_back(operands[k]);
  }
  return true;
}

bool AnyExpr(const LoopProgram& p, ExprId root, const std::function<bool(const Expr&)>& pred) {
  return !ForEachExpr(p, root, [&](ExprId, const Expr& e) { return !pred(e); });
}

bool AnyStmt(const LoopProgram& p, std::span<const StmtId> stmts,
             const std::function<bool(const Stmt&)>& pred) {
  return !ForEachStmt(p, stmts, [&](StmtId, const Stmt& s) { return !pred(s); });
}

std::vector<BufferId> BuffersTouched(const LoopProgram& p, std::span<const StmtId> stmts) {
  std::vector<BufferId> out;
  absl::flat_hash_set<BufferId> seen;
  auto touch = [&](BufferId id) {
    if (seen.insert(id).second) out.push_back(id);
  };
  ForEachStmt(p, stmts, [&](StmtId, const Stmt& s) {
    if (s.kind == StmtKind::kStore) touch(s.buffer);
    for (ExprId root : StmtOperands(s)) {
      ForEachExpr(p, root, [&](ExprId, const Expr& e) {
        if (e.kind == ExprKind::kLoad) touch(e.buffer);
        return true;
      });
    }
    return true;
  });
  return out;
}

void RewriteStmtExprs(LoopProgram& p, StmtId id, const std::function<ExprId(ExprId)>& rewrite) {
  if (!ValidStmt(p, id)) return;
  // `rewrite` may grow the arenas, so the statement is looked up anew for
  // every field.
  if (p.stmt(id).index >= 0) p.stmts[id].index = rewrite(p.stmt(id).index);
  if (p.stmt(id).value >= 0) p.stmts[id].value = rewrite(p.stmt(id).value);
  if (p.stmt(id).cond >= 0) p.stmts[id].cond = rewrite(p.stmt(id).cond);
  for (StmtId child : std::vector<StmtId>(p.stmt(id).body)) RewriteStmtExprs(p, child, rewrite);
}

}  // namespace dlc::loops
