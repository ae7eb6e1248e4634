// The loop order of reductions along one axis (op_lowering.h: AlongAxis).
#include "passes/to_loops/op_lowering.h"

namespace dlc::to_loops {

std::vector<StmtId> AlongAxis(OpLowering& op, const Shape& shape, int64_t axis,
                              const std::function<std::vector<StmtId>(const AxisElement&)>& body) {
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= shape[i];
  for (size_t i = axis + 1; i < shape.size(); ++i) inner *= shape[i];
  const int64_t length = shape[axis];
  loops::LoopBuilder& b = op.b;
  const loops::VarId o = b.NewVar(), k = b.NewVar();
  if (inner == 1) {
    // The rows innermost, `length` apart.
    const ExprId row = b.Var(o), at = b.Var(k);
    std::vector<StmtId> rows = body({row, b.Add(b.Mul(row, length), at), at});
    return {b.For(k, length, {b.For(o, outer, std::move(rows))})};
  }
  // The inner positions innermost, side by side in memory.
  const loops::VarId i = b.NewVar();
  const ExprId at = b.Var(k), within = b.Var(i);
  const ExprId reduced = b.Add(b.Mul(b.Var(o), inner), within);
  const ExprId flat = b.Add(b.Mul(b.Add(b.Mul(b.Var(o), length), at), inner), within);
  std::vector<StmtId> stmts = body({reduced, flat, at});
  return {b.For(o, outer, {b.For(k, length, {b.For(i, inner, std::move(stmts))})})};
}

}  // namespace dlc::to_loops
