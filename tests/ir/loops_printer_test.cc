// The loop IR's text form: a golden program, and how expressions are
// parenthesised and constants spelled.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ir/loops/loop_builder.h"
#include "ir/loops/loop_printer.h"

namespace dlc::loops {
namespace {

BufferId AddBuffer(LoopBuilder& b, std::string name, Type type, Shape shape, BufferKind kind,
                   std::vector<double> values = {}, int64_t offset = -1) {
  Buffer buffer;
  buffer.name = std::move(name);
  buffer.type = type;
  buffer.shape = std::move(shape);
  buffer.kind = kind;
  buffer.values = std::move(values);
  buffer.offset = offset;
  const BufferId id = b.AddBuffer(std::move(buffer));
  if (kind == BufferKind::kInput || kind == BufferKind::kOutput) {
    b.program().arguments.push_back(id);
  }
  return id;
}

// A padded, scaled copy followed by a checked label lookup.
LoopProgram Golden() {
  LoopProgram p;
  p.name = "step";
  LoopBuilder b(p);
  const BufferId x = AddBuffer(b, "x", Type::kU8, {2, 3}, BufferKind::kInput);
  const BufferId labels = AddBuffer(b, "labels", Type::kI32, {2}, BufferKind::kInput);
  const BufferId loss = AddBuffer(b, "loss", Type::kF32, {}, BufferKind::kOutput);
  const BufferId padded = AddBuffer(b, "pad.out", Type::kF32, {2, 5}, BufferKind::kTemp, {}, 0);
  const BufferId scale =
      AddBuffer(b, "rescale.scale", Type::kF32, {}, BufferKind::kConstant, {0.00392156862745098});
  const BufferId bias = AddBuffer(b, "bias", Type::kF32, {5}, BufferKind::kConstant, {0.5});
  p.workspace_bytes = 64;

  // %pad.out[n, w] = w in [1, 4) ? f32(x[n, w - 1]) * scale : 0
  std::vector<StmtId> pad = b.Nest({2, 5}, [&](std::span<const ExprId> c) {
    ExprId w = b.AddConst(c[1], -1);
    ExprId at = b.FlatIndex(c, {2, 5});
    ExprId value =
        b.Binary(BinaryOp::kMul,
                 b.Cast(Type::kF32, b.Load(x, b.FlatIndex(std::vector<ExprId>{c[0], w}, {2, 3}))),
                 b.Load(scale, b.Index(0)));
    return std::vector<StmtId>{b.Store(padded, at, b.Const(0, Type::kF32)),
                               b.If(b.InRange(w, 3), {b.Store(padded, at, value)})};
  });
  p.stmts[pad[0]].loop = LoopKind::kParallel;
  p.stmts[p.stmts[pad[0]].body[0]].loop = LoopKind::kVectorized;
  p.stmts[p.stmts[pad[0]].body[0]].width = 8;
  b.AddKernel("%pad.out = pad", std::move(pad));

  // loss = sum over n of max(pad[n, label], -inf) - bias[label]
  StmtId zero = b.Store(loss, b.Index(0), b.Const(0, Type::kF32));
  const VarId n = b.NewVar();
  ExprId label = b.Cast(Type::kI64, b.Load(labels, b.Var(n)));
  StmtId check = b.Check(b.InRange(label, 5), "label out of range in %loss");
  ExprId picked = b.Binary(BinaryOp::kMax, b.Load(padded, b.Add(b.Mul(b.Var(n), 5), label)),
                           b.Const(-INFINITY, Type::kF32));
  ExprId term = b.Binary(BinaryOp::kSub, picked, b.Load(bias, label));
  StmtId add = b.Store(loss, b.Index(0), b.Binary(BinaryOp::kAdd, b.Load(loss, b.Index(0)), term));
  b.AddKernel("%loss = softmax_cross_entropy",
              {zero, b.For(n, 2, {check, add}, LoopKind::kUnrolled, 2)});
  return p;
}

TEST(LoopPrinter, GoldenProgram) {
  EXPECT_EQ(
      PrintLoopProgram(Golden()),
      R"(func step(%x u8[2,3] input, %labels i32[2] input, %loss f32[] output) workspace 64 bytes
  buffer %pad.out f32[2,5] temp @0
  buffer %rescale.scale f32[] constant [0.00392156862745098]
  buffer %bias f32[5] constant splat 0.5
  # %pad.out = pad
  for i0 in 0..2 parallel {
    for i1 in 0..5 vectorized 8 {
      %pad.out[i1 + i0 * 5] = 0.0
      if (i1 + -1 >= 0) & (i1 + -1 < 3) {
        %pad.out[i1 + i0 * 5] = f32(%x[i1 + -1 + i0 * 3]) * %rescale.scale[0]
      }
    }
  }
  # %loss = softmax_cross_entropy
  %loss[0] = 0.0
  for i2 in 0..2 unrolled 2 {
    check (i64(%labels[i2]) >= 0) & (i64(%labels[i2]) < 5) else error 1   # label out of range in %loss
    %loss[0] = %loss[0] + (max(%pad.out[i2 * 5 + i64(%labels[i2])], -inf) - %bias[i64(%labels[i2])])
  }
)");
}

TEST(LoopPrinter, IsDeterministic) {
  EXPECT_EQ(PrintLoopProgram(Golden()), PrintLoopProgram(Golden()));
}

class LoopExprText : public ::testing::Test {
 protected:
  LoopExprText() : b(p) {
    p.num_vars = 3;
    buf = AddBuffer(b, "t", Type::kI64, {8}, BufferKind::kTemp);
  }
  std::string Print(ExprId id) { return PrintLoopExpr(p, id); }
  ExprId V(VarId v) { return b.Var(v); }
  ExprId Bin(BinaryOp op, ExprId x, ExprId y) { return b.Binary(op, x, y); }

  LoopProgram p;
  LoopBuilder b;
  BufferId buf;
};

TEST_F(LoopExprText, ArithmeticUsesPrecedenceAndLeftAssociativity) {
  ExprId a = V(0), c = V(1), d = V(2);
  EXPECT_EQ(Print(Bin(BinaryOp::kAdd, Bin(BinaryOp::kMul, a, c), d)), "i0 * i1 + i2");
  EXPECT_EQ(Print(Bin(BinaryOp::kMul, Bin(BinaryOp::kAdd, a, c), d)), "(i0 + i1) * i2");
  EXPECT_EQ(Print(Bin(BinaryOp::kSub, Bin(BinaryOp::kSub, a, c), d)), "i0 - i1 - i2");
  EXPECT_EQ(Print(Bin(BinaryOp::kSub, a, Bin(BinaryOp::kSub, c, d))), "i0 - (i1 - i2)");
  EXPECT_EQ(Print(Bin(BinaryOp::kAdd, a, Bin(BinaryOp::kAdd, c, d))), "i0 + (i1 + i2)");
  EXPECT_EQ(Print(Bin(BinaryOp::kDiv, Bin(BinaryOp::kMul, a, c), d)), "i0 * i1 / i2");
  EXPECT_EQ(Print(Bin(BinaryOp::kRem, a, Bin(BinaryOp::kMul, c, d))), "i0 % (i1 * i2)");
  EXPECT_EQ(Print(Bin(BinaryOp::kMul, a, b.Index(-3))), "i0 * -3");
}

TEST_F(LoopExprText, BitwiseAndShiftOperandsAreParenthesised) {
  ExprId z = V(0);
  ExprId mixed = Bin(BinaryOp::kXor, z, Bin(BinaryOp::kShr, z, b.Index(30)));
  EXPECT_EQ(Print(mixed), "i0 ^ (i0 >> 30)");
  EXPECT_EQ(Print(Bin(BinaryOp::kMul, mixed, b.Index(7))), "(i0 ^ (i0 >> 30)) * 7");
  EXPECT_EQ(Print(Bin(BinaryOp::kShl, Bin(BinaryOp::kAdd, z, V(1)), b.Index(2))), "(i0 + i1) << 2");
  ExprId lt = b.Compare(CompareOp::kLt, z, b.Index(4));
  ExprId ge = b.Compare(CompareOp::kGe, z, b.Index(0));
  EXPECT_EQ(Print(b.And(b.And(ge, lt), lt)), "(i0 >= 0) & (i0 < 4) & (i0 < 4)");
  EXPECT_EQ(Print(b.And(ge, b.And(lt, lt))), "(i0 >= 0) & ((i0 < 4) & (i0 < 4))");
  EXPECT_EQ(Print(Bin(BinaryOp::kOr, b.And(ge, lt), ge)), "((i0 >= 0) & (i0 < 4)) | (i0 >= 0)");
}

TEST_F(LoopExprText, ComparesSelectsUnaryOpsAndCasts) {
  ExprId x = b.Cast(Type::kF32, b.Load(buf, V(0)));
  EXPECT_EQ(Print(x), "f32(%t[i0])");
  ExprId cond =
      b.Compare(CompareOp::kNe, b.Compare(CompareOp::kLt, V(0), V(1)), b.Const(1, Type::kI1));
  EXPECT_EQ(Print(cond), "(i0 < i1) != true");
  ExprId sel =
      b.Select(b.Compare(CompareOp::kGt, x, b.Const(0, Type::kF32)), x, b.Const(0.5, Type::kF32));
  EXPECT_EQ(Print(sel), "f32(%t[i0]) > 0.0 ? f32(%t[i0]) : 0.5");
  EXPECT_EQ(Print(b.Binary(BinaryOp::kAdd, sel, x)),
            "(f32(%t[i0]) > 0.0 ? f32(%t[i0]) : 0.5) + f32(%t[i0])");
  EXPECT_EQ(Print(b.Unary(UnaryOp::kNeg, b.Binary(BinaryOp::kAdd, x, x))),
            "-(f32(%t[i0]) + f32(%t[i0]))");
  EXPECT_EQ(Print(b.Unary(UnaryOp::kNeg, b.Const(-1, Type::kF32))), "-(-1.0)");
  EXPECT_EQ(Print(b.Unary(UnaryOp::kExp, b.Unary(UnaryOp::kNeg, x))), "exp(-f32(%t[i0]))");
  EXPECT_EQ(Print(b.Unary(UnaryOp::kNot, b.Compare(CompareOp::kEq, V(0), V(1)))), "!(i0 == i1)");
  EXPECT_EQ(Print(b.Unary(UnaryOp::kNot, V(2))), "~i2");
  EXPECT_EQ(Print(b.Binary(BinaryOp::kPow, x, b.Const(2, Type::kF32))), "pow(f32(%t[i0]), 2.0)");
}

TEST_F(LoopExprText, ConstantsCarryTheirType) {
  EXPECT_EQ(Print(b.Index(21632)), "21632");
  EXPECT_EQ(Print(b.Index(-4)), "-4");
  EXPECT_EQ(Print(b.Const(0, Type::kF32)), "0.0");
  EXPECT_EQ(Print(b.Const(0.1, Type::kF32)), "0.1");
  EXPECT_EQ(Print(b.Const(NAN, Type::kF32)), "nan");
  EXPECT_EQ(Print(b.Const(-INFINITY, Type::kF32)), "-inf");
  EXPECT_EQ(Print(b.Const(2.5, Type::kF64)), "2.5_f64");
  EXPECT_EQ(Print(b.Const(7, Type::kI32)), "7_i32");
  EXPECT_EQ(Print(b.Const(255, Type::kU8)), "255_u8");
  EXPECT_EQ(Print(b.Const(0, Type::kI1)), "false");
  EXPECT_EQ(Print(b.U64(30)), "30_u64");
  EXPECT_EQ(Print(b.U64(0xbf58476d1ce4e5b9ULL)), "0xbf58476d1ce4e5b9_u64");
}

TEST_F(LoopExprText, BrokenIdsPrintAsMarkers) {
  EXPECT_EQ(Print(42), "<bad expr #42>");
  Expr load;
  load.kind = ExprKind::kLoad;
  load.buffer = 7;
  load.a = 100;  // after the load itself
  p.exprs.push_back(load);
  EXPECT_EQ(Print(static_cast<ExprId>(p.exprs.size() - 1)), "%<bad buffer #7>[<bad expr #100>]");
}

TEST(LoopPrinter, SharedSubexpressionsAreNamedOnce) {
  // SplitMix64's finaliser reuses each intermediate value twice: as a tree
  // it would grow exponentially.
  LoopProgram p;
  LoopBuilder b(p);
  const BufferId y = AddBuffer(b, "y", Type::kF32, {4}, BufferKind::kOutput);
  const VarId i = b.NewVar();
  auto mix = [&](ExprId z) {
    z = b.Binary(BinaryOp::kMul,
                 b.Binary(BinaryOp::kXor, z, b.Binary(BinaryOp::kShr, z, b.U64(30))),
                 b.U64(0xbf58476d1ce4e5b9ULL));
    z = b.Binary(BinaryOp::kMul,
                 b.Binary(BinaryOp::kXor, z, b.Binary(BinaryOp::kShr, z, b.U64(27))),
                 b.U64(0x94d049bb133111ebULL));
    return b.Binary(BinaryOp::kXor, z, b.Binary(BinaryOp::kShr, z, b.U64(31)));
  };
  ExprId bits = mix(mix(b.Cast(Type::kU64, b.Var(i))));
  // A small shared expression (the index, 3 nodes) stays inline.
  ExprId at = b.AddConst(b.Var(i), 0);
  StmtId loop =
      b.For(i, 4,
            {b.Store(y, at,
                     b.Binary(BinaryOp::kAdd, b.Load(y, at),
                              b.Cast(Type::kF32, b.Binary(BinaryOp::kShr, bits, b.U64(40)))))});
  EXPECT_EQ(PrintLoopStmt(p, loop, 1),
            "  for i0 in 0..4 {\n"
            "    let t0 = (((u64(i0) ^ (u64(i0) >> 30_u64)) * 0xbf58476d1ce4e5b9_u64) ^ "
            "(((u64(i0) ^ (u64(i0) >> 30_u64)) * 0xbf58476d1ce4e5b9_u64) >> 27_u64)) * "
            "0x94d049bb133111eb_u64\n"
            "    let t1 = t0 ^ (t0 >> 31_u64)\n"
            "    let t2 = (t1 ^ (t1 >> 30_u64)) * 0xbf58476d1ce4e5b9_u64\n"
            "    let t3 = (t2 ^ (t2 >> 27_u64)) * 0x94d049bb133111eb_u64\n"
            "    %y[i0] = %y[i0] + f32((t3 ^ (t3 >> 31_u64)) >> 40_u64)\n"
            "  }\n");
}

TEST(LoopPrinter, SharedSubexpressionsOfOneExpressionComeFirst) {
  LoopProgram p;
  LoopBuilder b(p);
  p.num_vars = 1;
  // z -> (z + 1) * (z + 1), 8 times: as a tree, 2^8 copies of i0.
  ExprId z = b.Var(0);
  for (int k = 0; k < 8; ++k) z = b.Binary(BinaryOp::kMul, b.AddConst(z, 1), b.AddConst(z, 1));
  EXPECT_EQ(PrintLoopExpr(p, z),
            "let t0 = ((i0 + 1) * (i0 + 1) + 1) * ((i0 + 1) * (i0 + 1) + 1); "
            "let t1 = (t0 + 1) * (t0 + 1); let t2 = (t1 + 1) * (t1 + 1); "
            "let t3 = (t2 + 1) * (t2 + 1); let t4 = (t3 + 1) * (t3 + 1); "
            "let t5 = (t4 + 1) * (t4 + 1); (t5 + 1) * (t5 + 1)");
}

TEST(LoopPrinter, LongConstantsAreElided) {
  LoopProgram p;
  LoopBuilder b(p);
  std::vector<double> values;
  for (int i = 0; i < 20; ++i) values.push_back(i);
  AddBuffer(b, "w", Type::kI32, {20}, BufferKind::kConstant, values);
  AddBuffer(b, "t", Type::kF32, {4}, BufferKind::kTemp);
  EXPECT_EQ(PrintLoopProgram(p),
            "func () workspace 0 bytes\n"
            "  buffer %w i32[20] constant [0, 1, 2, 3, 4, 5, 6, 7, ... 20 values]\n"
            "  buffer %t f32[4] temp\n");
}

}  // namespace
}  // namespace dlc::loops
