#include "passes/loop_rewrite.h"

namespace dlc {

using loops::Expr;
using loops::ExprId;
using loops::ExprKind;
using loops::Stmt;
using loops::StmtId;
using loops::StmtKind;

ExprId RewriteExpr(loops::LoopBuilder& b, ExprId id, const Renaming& renaming) {
  if (id < 0) return id;
  const Expr e = b.expr(id);  // a copy: building may move the arena
  if (e.kind == ExprKind::kVar) {
    auto it = renaming.vars.find(e.var);
    return it == renaming.vars.end() ? id : it->second;
  }
  Expr copy = e;
  if (e.kind == ExprKind::kLoad) copy.buffer = renaming.Buffer(e.buffer);
  copy.a = RewriteExpr(b, e.a, renaming);
  copy.b = RewriteExpr(b, e.b, renaming);
  copy.c = RewriteExpr(b, e.c, renaming);
  if (copy.buffer == e.buffer && copy.a == e.a && copy.b == e.b && copy.c == e.c) return id;
  if (e.kind == ExprKind::kBinary && e.type == loops::Type::kI64) {
    // Index arithmetic with a variable replaced by a constant folds.
    if (e.binary == loops::BinaryOp::kAdd) return b.Add(copy.a, copy.b);
    if (e.binary == loops::BinaryOp::kMul && b.expr(copy.b).kind == ExprKind::kConst) {
      return b.Mul(copy.a, static_cast<int64_t>(b.expr(copy.b).value));
    }
    if (e.binary == loops::BinaryOp::kMul && b.expr(copy.a).kind == ExprKind::kConst) {
      return b.Mul(copy.b, static_cast<int64_t>(b.expr(copy.a).value));
    }
  }
  loops::LoopProgram& p = b.program();
  p.exprs.push_back(copy);
  return static_cast<ExprId>(p.exprs.size() - 1);
}

ExprId ReplaceLoads(loops::LoopBuilder& b, ExprId id,
                    const std::map<loops::BufferId, ExprId>& loads) {
  if (id < 0) return id;
  const Expr e = b.expr(id);  // a copy: building may move the arena
  if (e.kind == ExprKind::kLoad) {
    if (auto it = loads.find(e.buffer); it != loads.end()) return it->second;
  }
  Expr copy = e;
  copy.a = ReplaceLoads(b, e.a, loads);
  copy.b = ReplaceLoads(b, e.b, loads);
  copy.c = ReplaceLoads(b, e.c, loads);
  if (copy.a == e.a && copy.b == e.b && copy.c == e.c) return id;
  b.program().exprs.push_back(copy);
  return static_cast<ExprId>(b.program().exprs.size() - 1);
}

StmtId CloneStmt(loops::LoopBuilder& b, StmtId id, Renaming renaming) {
  Stmt s = b.program().stmt(id);
  if (s.kind == StmtKind::kFor) {
    const loops::VarId fresh = b.NewVar();
    renaming.vars[s.var] = b.Var(fresh);
    s.var = fresh;
  }
  if (s.kind == StmtKind::kStore) s.buffer = renaming.Buffer(s.buffer);
  s.index = RewriteExpr(b, s.index, renaming);
  s.value = RewriteExpr(b, s.value, renaming);
  s.cond = RewriteExpr(b, s.cond, renaming);
  for (StmtId& child : s.body) child = CloneStmt(b, child, renaming);
  loops::LoopProgram& p = b.program();
  p.stmts.push_back(s);
  return static_cast<StmtId>(p.stmts.size() - 1);
}

StmtId SplitVectorStepsAcrossThreads(loops::LoopBuilder& b, StmtId v) {
  loops::LoopProgram& p = b.program();
  const int lanes = p.stmt(v).width;
  const loops::VarId outer = b.NewVar(), inner = b.NewVar();
  Renaming split;
  split.vars[p.stmt(v).var] = b.Add(b.Mul(b.Var(outer), lanes), b.Var(inner));
  std::vector<StmtId> body = p.stmt(v).body;
  for (StmtId& s : body) s = CloneStmt(b, s, split);
  const int64_t steps = p.stmt(v).extent / lanes;
  p.stmts[v].var = inner;
  p.stmts[v].extent = lanes;
  p.stmts[v].body = body;
  return b.For(outer, steps, {v}, loops::LoopKind::kParallel);
}

}  // namespace dlc
