// Builds loop programs: expressions (with constant folding of index
// arithmetic), statements, loop nests over shapes, kernels.
#ifndef DLC_IR_LOOPS_LOOP_BUILDER_H_
#define DLC_IR_LOOPS_LOOP_BUILDER_H_

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "ir/loops/loop_ir.h"

namespace dlc::loops {

class LoopBuilder {
 public:
  explicit LoopBuilder(LoopProgram& program) : p_(program) {}

  LoopProgram& program() { return p_; }
  BufferId AddBuffer(Buffer buffer);

  // ---- expressions ----
  ExprId Const(double value, Type type);
  ExprId U64(uint64_t bits);
  ExprId Index(int64_t value) { return Const(static_cast<double>(value), Type::kI64); }
  ExprId Var(VarId var);
  ExprId Load(BufferId buffer, ExprId index);
  ExprId Unary(UnaryOp op, ExprId a);
  ExprId Binary(BinaryOp op, ExprId a, ExprId b);  // result type: a's
  ExprId Compare(CompareOp op, ExprId a, ExprId b);
  ExprId Select(ExprId cond, ExprId a, ExprId b);
  ExprId Cast(Type type, ExprId a);  // a itself when already of `type`

  // i64 index arithmetic; folds constants (x*1, x+0, 2*3).
  ExprId Add(ExprId a, ExprId b);
  ExprId Mul(ExprId a, int64_t k);
  ExprId AddConst(ExprId a, int64_t k);
  // The row-major flat index of `coords` (i64 exprs) in `shape`.
  ExprId FlatIndex(std::span<const ExprId> coords, const Shape& shape);
  // 0 <= a < bound, as an i1 expression (for guards).
  ExprId InRange(ExprId a, int64_t bound);
  ExprId And(ExprId a, ExprId b);  // i1

  const Expr& expr(ExprId id) const { return p_.exprs[id]; }
  bool IsConst(ExprId id, double value) const;

  // ---- statements ----
  VarId NewVar() { return p_.num_vars++; }
  StmtId For(VarId var, int64_t extent, std::vector<StmtId> body, LoopKind kind = LoopKind::kSerial,
             int width = 1);
  StmtId Store(BufferId buffer, ExprId index, ExprId value);
  StmtId If(ExprId cond, std::vector<StmtId> body);
  // Fails the program with `message` (an error code is assigned) unless cond.
  StmtId Check(ExprId cond, std::string message);

  // Loops over every index of `shape` (outermost first); `body` gets the
  // loop variables as i64 exprs and returns the innermost statements. A
  // scalar shape gives the body with no loops.
  std::vector<StmtId> Nest(const Shape& shape,
                           const std::function<std::vector<StmtId>(std::span<const ExprId>)>& body);

  void AddKernel(std::string name, std::vector<StmtId> body);

 private:
  ExprId Push(Expr e);
  LoopProgram& p_;
};

}  // namespace dlc::loops

#endif  // DLC_IR_LOOPS_LOOP_BUILDER_H_
