#include "ir/loops/lifetime.h"

namespace dlc::loops {
namespace {

void Touch(std::vector<KernelRange>& ranges, BufferId buffer, int kernel) {
  if (buffer < 0 || buffer >= static_cast<BufferId>(ranges.size())) return;
  KernelRange& r = ranges[buffer];
  if (!r.used()) r.first = kernel;
  r.last = kernel;
}

void VisitExpr(const LoopProgram& p, ExprId id, int kernel, std::vector<KernelRange>& ranges,
               std::vector<bool>& seen) {
  if (id < 0 || id >= static_cast<ExprId>(p.exprs.size()) || seen[id]) return;
  seen[id] = true;  // expressions are shared: visit each once per kernel
  const Expr& e = p.expr(id);
  if (e.kind == ExprKind::kLoad) Touch(ranges, e.buffer, kernel);
  VisitExpr(p, e.a, kernel, ranges, seen);
  VisitExpr(p, e.b, kernel, ranges, seen);
  VisitExpr(p, e.c, kernel, ranges, seen);
}

void VisitStmts(const LoopProgram& p, const std::vector<StmtId>& stmts, int kernel,
                std::vector<KernelRange>& ranges, std::vector<bool>& seen) {
  for (StmtId id : stmts) {
    if (id < 0 || id >= static_cast<StmtId>(p.stmts.size())) continue;
    const Stmt& s = p.stmt(id);
    if (s.kind == StmtKind::kStore) Touch(ranges, s.buffer, kernel);
    VisitExpr(p, s.index, kernel, ranges, seen);
    VisitExpr(p, s.value, kernel, ranges, seen);
    VisitExpr(p, s.cond, kernel, ranges, seen);
    VisitStmts(p, s.body, kernel, ranges, seen);
  }
}

}  // namespace

std::vector<KernelRange> BufferLifetimes(const LoopProgram& program) {
  std::vector<KernelRange> ranges(program.buffers.size());
  for (size_t k = 0; k < program.kernels.size(); ++k) {
    std::vector<bool> seen(program.exprs.size(), false);
    VisitStmts(program, program.kernels[k].body, static_cast<int>(k), ranges, seen);
  }
  return ranges;
}

}  // namespace dlc::loops
