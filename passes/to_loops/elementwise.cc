// Elementwise ops: one loop nest over the result, each operand loaded with
// numpy broadcasting, the scalar formula of the op in the middle. The
// formulas are the reference interpreter's (ir/interpreter/scalar_ops.h),
// bit for bit, except where the interpreter calls libm: exp and log become
// polynomials in code generation (codegen/vector_math.h), and tanh and
// sigmoid are written here in terms of one exp each (the interpreter uses
// std::tanh and its own sigmoid); parity tests hold those to a stated
// tolerance.
#include <vector>

#include "ir/enum_attrs.h"
#include "passes/to_loops/op_lowering.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::to_loops {
namespace {

using loops::BinaryOp;
using loops::CompareOp;
using loops::UnaryOp;

CompareOp CompareOpOf(const OpLowering& op) {
  switch (AttrEnum<Predicate>(op.node().attrs, "predicate")) {
    case Predicate::kEq: return CompareOp::kEq;
    case Predicate::kNe: return CompareOp::kNe;
    case Predicate::kLt: return CompareOp::kLt;
    case Predicate::kLe: return CompareOp::kLe;
    case Predicate::kGt: return CompareOp::kGt;
    case Predicate::kGe: return CompareOp::kGe;
  }
  return CompareOp::kEq;
}

// The scalar value of the op at one element, given its operands' values.
absl::StatusOr<ExprId> Formula(OpLowering& op, std::span<const ExprId> x,
                               std::vector<StmtId>& checks) {
  loops::LoopBuilder& b = op.b;
  const Type t = loops::TypeOf(op.in_type(0).dtype);
  auto c = [&](double v) { return b.Const(v, t); };
  switch (op.node().op) {
    case OpKind::kAdd: return b.Binary(BinaryOp::kAdd, x[0], x[1]);
    case OpKind::kSub: return b.Binary(BinaryOp::kSub, x[0], x[1]);
    case OpKind::kMul: return b.Binary(BinaryOp::kMul, x[0], x[1]);
    case OpKind::kDiv:
      if (!loops::IsFloatType(t)) {
        // The interpreter refuses integer division by zero; so does the code.
        checks.push_back(b.Check(b.Compare(CompareOp::kNe, x[1], c(0)),
                                 StrCat(op.Describe(), ": integer division by zero")));
      }
      return b.Binary(BinaryOp::kDiv, x[0], x[1]);
    case OpKind::kMax: return b.Binary(BinaryOp::kMax, x[0], x[1]);
    case OpKind::kMin: return b.Binary(BinaryOp::kMin, x[0], x[1]);
    case OpKind::kPow: return b.Binary(BinaryOp::kPow, x[0], x[1]);
    case OpKind::kNeg: return b.Unary(UnaryOp::kNeg, x[0]);
    case OpKind::kExp: return b.Unary(UnaryOp::kExp, x[0]);
    case OpKind::kLog: return b.Unary(UnaryOp::kLog, x[0]);
    case OpKind::kSqrt: return b.Unary(UnaryOp::kSqrt, x[0]);
    case OpKind::kRsqrt: return b.Binary(BinaryOp::kDiv, c(1), b.Unary(UnaryOp::kSqrt, x[0]));
    case OpKind::kRelu: return b.Binary(BinaryOp::kMax, x[0], c(0));
    case OpKind::kLeakyRelu: {
      // x where x > 0, else x alpha (alpha rounded to the element type, as
      // in the interpreter); NaN fails the test and stays NaN.
      ExprId scaled = b.Binary(BinaryOp::kMul, x[0], c(AttrFloat(op.node().attrs, "alpha")));
      return b.Select(b.Compare(CompareOp::kGt, x[0], c(0)), x[0], scaled);
    }
    case OpKind::kSigmoid: {
      // Stable both ways: 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below;
      // both from one e^-|x| (a vector exp each is most of the cost).
      ExprId positive = b.Compare(CompareOp::kGe, x[0], c(0));
      ExprId e = b.Unary(UnaryOp::kExp, b.Unary(UnaryOp::kNeg, b.Unary(UnaryOp::kAbs, x[0])));
      ExprId one_plus = b.Binary(BinaryOp::kAdd, c(1), e);
      return b.Select(positive, b.Binary(BinaryOp::kDiv, c(1), one_plus),
                      b.Binary(BinaryOp::kDiv, e, one_plus));
    }
    case OpKind::kTanh: {
      // tanh(x) = sign(x) (1 - 2 / (e^{2|x|} + 1)): exact to within rounding
      // (f32: 2e-7 relative from 0.625 up), +-1 once e^{2|x|} is large (and
      // inf), NaN for NaN. Near 0 the subtraction cancels; there an odd
      // polynomial x (1 + x^2 P(x^2)) is, a product so that -0 stays -0.
      ExprId ax = b.Unary(UnaryOp::kAbs, x[0]);
      ExprId e = b.Unary(UnaryOp::kExp, b.Binary(BinaryOp::kMul, ax, c(2)));
      ExprId magnitude = b.Binary(
          BinaryOp::kSub, c(1), b.Binary(BinaryOp::kDiv, c(2), b.Binary(BinaryOp::kAdd, e, c(1))));
      ExprId far = b.Select(b.Compare(CompareOp::kLt, x[0], c(0)),
                            b.Unary(UnaryOp::kNeg, magnitude), magnitude);
      ExprId x2 = b.Binary(BinaryOp::kMul, x[0], x[0]);
      // f32: Cephes' tanhf minimax polynomial on |x| < 0.625 (within 2e-7).
      // f64: the Taylor series x - x^3/3 + 2x^5/15 - 17x^7/315 on |x| < 1/16
      // (the next term is below 1e-12 relative).
      const bool f32 = t == Type::kF32;
      const std::vector<double> coefficients =
          f32 ? std::vector<double>{-5.70498872745e-3, 2.06390887954e-2,  -5.37397155531e-2,
                                    1.33314422036e-1,  -3.33332819422e-1, 1.0}
              : std::vector<double>{-17.0 / 315, 2.0 / 15, -1.0 / 3, 1.0};
      ExprId poly = c(coefficients[0]);
      for (size_t k = 1; k < coefficients.size(); ++k) {
        poly = b.Binary(BinaryOp::kAdd, b.Binary(BinaryOp::kMul, poly, x2), c(coefficients[k]));
      }
      ExprId near = b.Binary(BinaryOp::kMul, poly, x[0]);
      return b.Select(b.Compare(CompareOp::kLt, ax, c(f32 ? 0.625 : 0.0625)), near, far);
    }
    case OpKind::kCompare: return b.Compare(CompareOpOf(op), x[0], x[1]);
    case OpKind::kSelect: return b.Select(x[0], x[1], x[2]);
    case OpKind::kCast: return b.Cast(op.elem(), x[0]);
    default: return absl::InternalError(StrCat(op.Describe(), " is not elementwise"));
  }
}

// The lowering of node `id` as an operand of `user`: its own node, the
// buffers of its operands.
OpLowering Operand(const OpLowering& user, ValueId id) {
  OpLowering op{user.b, user.graph, id, -1, {}, {}, user.fusion, user.value_buffer, user.options};
  op.given = user.given;
  op.given_value = user.given_value;
  for (ValueId operand : user.graph.node(id).operands)
    op.in.push_back((*user.value_buffer)[operand]);
  return op;
}

bool Fused(const OpLowering& op, int operand) {
  return op.fusion != nullptr && op.fusion->fused[op.node().operands[operand]];
}

// Whether every operand, through fused ones, has the result's shape: then
// all are read at the result's flat index.
bool SameShapesThroughout(const OpLowering& op) {
  for (size_t i = 0; i < op.node().operands.size(); ++i) {
    if (op.in_type(static_cast<int>(i)).shape != op.out_type().shape) return false;
    if (Fused(op, static_cast<int>(i)) &&
        !SameShapesThroughout(Operand(op, op.node().operands[i]))) {
      return false;
    }
  }
  return true;
}

// Whether every operand of `id`, through fused ones, has its shape or a
// single element: then its value at a flat index reads the former there and
// the latter at 0.
bool FlatWithScalarsThroughout(const Graph& graph, const Fusion& fusion, ValueId id) {
  const Node& node = graph.node(id);
  for (ValueId operand : node.operands) {
    const Shape& shape = graph.type(operand).shape;
    if (shape != node.type.shape && NumElements(shape) != 1) return false;
    if (fusion.fused[operand] && !FlatWithScalarsThroughout(graph, fusion, operand)) return false;
  }
  return true;
}

// The node's value at `coords` of its shape (a single flat index when
// `flat`; operands of one element are read at 0), computing fused operands
// in place.
absl::StatusOr<ExprId> ValueAt(OpLowering& op, std::span<const ExprId> coords, bool flat,
                               std::vector<StmtId>& checks) {
  std::vector<ExprId> x;
  for (size_t i = 0; i < op.node().operands.size(); ++i) {
    const int k = static_cast<int>(i);
    if (op.node().operands[i] == op.given) {
      x.push_back(op.given_value);
    } else if (Fused(op, k)) {
      const ValueId v = op.node().operands[i];
      OpLowering producer = Operand(op, v);
      DLC_ASSIGN_OR_RETURN(ExprId value, ValueAt(producer, coords, flat, checks));
      if (op.fusion->stored[v]) {
        // A fused value that is also a graph output: stored as it is computed.
        ExprId at = flat ? coords[0] : op.b.FlatIndex(coords, op.graph.type(v).shape);
        checks.push_back(op.b.Store((*op.value_buffer)[v], at, value));
      }
      x.push_back(value);
    } else {
      const bool whole = op.in_type(k).shape == op.out_type().shape;
      x.push_back(flat ? op.b.Load(op.in[i], whole ? coords[0] : op.b.Index(0))
                       : op.LoadBroadcast(op.in[i], op.in_type(k).shape, coords));
    }
  }
  return Formula(op, x, checks);
}

}  // namespace

absl::StatusOr<ExprId> ElementwiseValueAt(OpLowering& op, std::span<const ExprId> coords,
                                          std::vector<StmtId>& checks) {
  return ValueAt(op, coords, /*flat=*/false, checks);
}

absl::StatusOr<ExprId> OperandValueAt(OpLowering& op, int i, std::span<const ExprId> coords,
                                      std::vector<StmtId>& checks) {
  if (!Fused(op, i)) return op.LoadBroadcast(op.in[i], op.in_type(i).shape, coords);
  OpLowering producer = Operand(op, op.node().operands[i]);
  return ValueAt(producer, coords, /*flat=*/false, checks);
}

bool ComputableAtFlatIndex(const Graph& graph, const Fusion& fusion, ValueId id) {
  return IsElementwise(graph.node(id).op) && FlatWithScalarsThroughout(graph, fusion, id);
}

absl::StatusOr<std::vector<StmtId>> ElementwiseAtFlatIndex(OpLowering& op, ExprId index) {
  std::vector<StmtId> stmts;
  const ExprId coords[] = {index};
  DLC_ASSIGN_OR_RETURN(ExprId value, ValueAt(op, coords, /*flat=*/true, stmts));
  stmts.push_back(op.b.Store(op.out, index, value));
  return stmts;
}

absl::Status LowerElementwise(OpLowering& op) {
  // Without broadcasting, every operand is read at the result's own flat
  // index: one flat loop (which vectorizes whatever the shape).
  const bool flat = SameShapesThroughout(op);
  const Shape shape = flat ? Shape{op.out_type().num_elements()} : op.out_type().shape;
  absl::Status status;
  op.Emit(op.b.Nest(shape, [&](std::span<const ExprId> coords) {
    std::vector<StmtId> stmts;
    absl::StatusOr<ExprId> value = ValueAt(op, coords, flat, stmts);
    if (!value.ok()) {
      status = value.status();
      return stmts;
    }
    stmts.push_back(op.b.Store(op.out, op.b.FlatIndex(coords, shape), *value));
    return stmts;
  }));
  return status;
}

}  // namespace dlc::to_loops
