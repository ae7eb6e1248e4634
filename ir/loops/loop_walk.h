// Visiting and rewriting the loop IR: the traversals that analyses, passes,
// the emitter and the tools share, written once.
//
//   visit    ForEachStmt (pre-order over statement trees), ForEachExpr (each
//            distinct expression under a root, once), AnyExpr / AnyStmt,
//            BuffersTouched
//   operands StmtOperands (a statement's own expressions; ExprOperands in
//            loop_ir.h gives an expression's)
//   mutate   RewriteStmtExprs (every expression under a statement replaced
//            in place, the statements keeping their ids)
//
// Ids out of range are skipped, never followed, so these walks are safe on
// programs the verifier has not seen.
#ifndef DLC_IR_LOOPS_LOOP_WALK_H_
#define DLC_IR_LOOPS_LOOP_WALK_H_

#include <functional>
#include <span>
#include <vector>

#include "ir/loops/loop_ir.h"

namespace dlc::loops {

// The expressions statement `s` holds itself, in order: a store's index and
// value, a guard's or check's condition (-1s left out).
std::vector<ExprId> StmtOperands(const Stmt& s);

// Calls `visit` on each statement of `stmts` and, depth first, on those in
// its body, parents before children. `visit` returns false to stop the
// walk; then ForEachStmt returns false.
bool ForEachStmt(const LoopProgram& p, std::span<const StmtId> stmts,
                 const std::function<bool(StmtId, const Stmt&)>& visit);

// Calls `visit` on `root` and every expression under it, each distinct one
// once (a subexpression shared by several users is not walked again),
// users before operands. `visit` returns false to stop; then ForEachExpr
// returns false.
bool ForEachExpr(const LoopProgram& p, ExprId root,
                 const std::function<bool(ExprId, const Expr&)>& visit);

// Whether some expression under `root` (itself included) satisfies `pred`.
bool AnyExpr(const LoopProgram& p, ExprId root, const std::function<bool(const Expr&)>& pred);

// Whether some statement in the trees of `stmts` satisfies `pred`.
bool AnyStmt(const LoopProgram& p, std::span<const StmtId> stmts,
             const std::function<bool(const Stmt&)>& pred);

// The buffers the statements in the trees of `stmts` load or store, each
// once, in the order of the walk.
std::vector<BufferId> BuffersTouched(const LoopProgram& p, std::span<const StmtId> stmts);

// Replaces each expression statement `id` and the statements under it hold
// (indices, values, conditions) by `rewrite` of it, in place: loops keep
// their variables, statements their ids and stores their buffers.
void RewriteStmtExprs(LoopProgram& p, StmtId id, const std::function<ExprId(ExprId)>& rewrite);

}  // namespace dlc::loops

#endif  // DLC_IR_LOOPS_LOOP_WALK_H_
