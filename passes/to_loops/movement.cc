// Data movement: copies with index arithmetic. (Reshape and flatten are
// aliases of their operand's buffer (driver.cc); they copy only when their
// value is a graph output, which needs a buffer of its own.)
#include "ir/shape_util.h"
#include "passes/to_loops/op_lowering.h"
#include "support/str_cat.h"

namespace dlc::to_loops {
namespace {

using loops::CompareOp;

// out[coords] = in[source(coords)] over the result's shape.
void Gather(OpLowering& op, BufferId from, const Shape& from_shape,
            const std::function<std::vector<ExprId>(std::span<const ExprId>)>& source) {
  const Shape& shape = op.out_type().shape;
  op.Emit(op.b.Nest(shape, [&](std::span<const ExprId> c) {
    std::vector<ExprId> src = source(c);
    return std::vector<StmtId>{op.b.Store(op.out, op.b.FlatIndex(c, shape),
                                          op.b.Load(from, op.b.FlatIndex(src, from_shape)))};
  }));
}

void Copy(OpLowering& op) {
  // Same elements in the same order: one flat loop.
  const int64_t n = op.out_type().num_elements();
  op.Emit(op.b.Nest({n}, [&](std::span<const ExprId> c) {
    return std::vector<StmtId>{op.b.Store(op.out, c[0], op.b.Load(op.in[0], c[0]))};
  }));
}

void Transpose(OpLowering& op) {
  const IntList perm = AttrInts(op.node().attrs, "perm");
  Gather(op, op.in[0], op.in_type(0).shape, [&](std::span<const ExprId> c) {
    std::vector<ExprId> src(c.size());
    for (size_t i = 0; i < perm.size(); ++i) src[perm[i]] = c[i];
    return src;
  });
}

void Broadcast(OpLowering& op) {
  const Shape& from = op.in_type(0).shape;
  const Shape& shape = op.out_type().shape;
  op.Emit(op.b.Nest(shape, [&](std::span<const ExprId> c) {
    return std::vector<StmtId>{
        op.b.Store(op.out, op.b.FlatIndex(c, shape), op.LoadBroadcast(op.in[0], from, c))};
  }));
}

void Slice(OpLowering& op) {
  const IntList start = AttrInts(op.node().attrs, "start");
  IntList stride = AttrInts(op.node().attrs, "stride");
  if (stride.empty()) stride.assign(start.size(), 1);
  Gather(op, op.in[0], op.in_type(0).shape, [&](std::span<const ExprId> c) {
    std::vector<ExprId> src;
    for (size_t i = 0; i < c.size(); ++i)
      src.push_back(op.b.AddConst(op.b.Mul(c[i], stride[i]), start[i]));
    return src;
  });
}

void Concat(OpLowering& op) {
  const Shape& shape = op.out_type().shape;
  const int64_t axis = *NormalizeAxis(AttrInt(op.node().attrs, "axis"), op.out_type().rank());
  int64_t offset = 0;
  for (size_t k = 0; k < op.in.size(); ++k) {
    const Shape& part = op.in_type(static_cast<int>(k)).shape;
    op.Emit(op.b.Nest(part, [&](std::span<const ExprId> c) {
      std::vector<ExprId> dst(c.begin(), c.end());
      dst[axis] = op.b.AddConst(c[axis], offset);
      return std::vector<StmtId>{op.b.Store(op.out, op.b.FlatIndex(dst, shape),
                                            op.b.Load(op.in[k], op.b.FlatIndex(c, part)))};
    }));
    offset += part[axis];
  }
}

void Pad(OpLowering& op) {
  const Shape& shape = op.out_type().shape;
  const Shape& from = op.in_type(0).shape;
  const IntList low = AttrInts(op.node().attrs, "low");
  IntList interior = AttrInts(op.node().attrs, "interior");
  if (interior.empty()) interior.assign(from.size(), 0);
  op.Fill(op.out, shape, op.b.Const(AttrFloat(op.node().attrs, "value"), op.elem()));
  op.Emit(op.b.Nest(from, [&](std::span<const ExprId> c) {
    std::vector<ExprId> dst;
    for (size_t i = 0; i < c.size(); ++i) {
      dst.push_back(op.b.AddConst(op.b.Mul(c[i], interior[i] + 1), low[i]));
    }
    return std::vector<StmtId>{op.b.Store(op.out, op.b.FlatIndex(dst, shape),
                                          op.b.Load(op.in[0], op.b.FlatIndex(c, from)))};
  }));
}

}  // namespace

absl::Status LowerMovement(OpLowering& op) {
  switch (op.node().op) {
    case OpKind::kReshape:
    case OpKind::kFlatten: Copy(op); return absl::OkStatus();
    case OpKind::kTranspose: Transpose(op); return absl::OkStatus();
    case OpKind::kBroadcast: Broadcast(op); return absl::OkStatus();
    case OpKind::kSlice: Slice(op); return absl::OkStatus();
    case OpKind::kConcat: Concat(op); return absl::OkStatus();
    case OpKind::kPad: Pad(op); return absl::OkStatus();
    default: return absl::InternalError(StrCat(op.Describe(), " is not data movement"));
  }
}

}  // namespace dlc::to_loops
