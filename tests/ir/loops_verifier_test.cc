// The loop-IR verifier: one test per rule, each with its exact message, and
// the bounds rule (interval arithmetic, guards) accepting and rejecting.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ir/loops/loop_builder.h"
#include "ir/loops/loop_verifier.h"

namespace dlc::loops {
namespace {

// A valid program to break: %y[i] = %x[i] + %c[0] over i in [0, 4), with a
// temp %t f32[4] at offset 0 of a 64-byte workspace.
class LoopVerifier : public ::testing::Test {
 protected:
  LoopVerifier() : b(p) {
    p.name = "f";
    x = Arg("x", Type::kF32, {4}, BufferKind::kInput);
    y = Arg("y", Type::kF32, {4}, BufferKind::kOutput);
    t = b.AddBuffer(Buffer{"t", Type::kF32, {4}, BufferKind::kTemp, {}, 0});
    c = b.AddBuffer(Buffer{"c", Type::kF32, {}, BufferKind::kConstant, {2.0}, -1});
    p.workspace_bytes = 64;
    i = b.NewVar();
    sum = b.Binary(BinaryOp::kAdd, b.Load(x, b.Var(i)), b.Load(c, b.Index(0)));
    store = b.Store(y, b.Var(i), sum);
    loop = b.For(i, 4, {store});
    b.AddKernel("%y = add", {loop});
  }

  BufferId Arg(std::string name, Type type, Shape shape, BufferKind kind) {
    const BufferId id = b.AddBuffer(Buffer{std::move(name), type, std::move(shape), kind, {}, -1});
    p.arguments.push_back(id);
    return id;
  }

  // A second kernel "%z = k" with `body`.
  void Kernel(std::vector<StmtId> body) { b.AddKernel("%z = k", std::move(body)); }

  std::string Error(const LoopVerifyOptions& options = {}) {
    absl::Status status = VerifyLoopProgram(p, options);
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    return std::string(status.message());
  }
  void ExpectOk() {
    absl::Status status = VerifyLoopProgram(p);
    EXPECT_TRUE(status.ok()) << status;
  }

  LoopProgram p;
  LoopBuilder b;
  BufferId x, y, t, c;
  VarId i;
  ExprId sum;
  StmtId store, loop;
};

TEST_F(LoopVerifier, AcceptsTheBaseProgram) {
  ExpectOk();
  EXPECT_TRUE(VerifyLoopProgram(p, {.require_memory_plan = true}).ok());
}

// ---- buffers --------------------------------------------------------------------

TEST_F(LoopVerifier, DimensionsMustBeInRange) {
  p.buffers[t].shape = {2, -1};
  EXPECT_EQ(Error(), "buffer %t: shape [2,-1] has a dimension outside [0, 2^40]");
  p.buffers[t].shape = {int64_t{1} << 30, int64_t{1} << 30};
  EXPECT_EQ(Error(), "buffer %t: shape [1073741824,1073741824] has more than 2^40 elements");
}

TEST_F(LoopVerifier, ArgumentsCannotHave64BitIntegerTypes) {
  p.buffers[x].type = Type::kI64;
  EXPECT_EQ(Error(), "buffer %x: an input cannot have type i64 (only temps and constants can)");
}

TEST_F(LoopVerifier, ConstantsHaveOneValueOrOnePerElement) {
  p.buffers[c].shape = {4};
  p.buffers[c].values = {1, 2, 3};
  EXPECT_EQ(Error(), "buffer %c: constant has 3 values, expected 1 or 4");
  p.buffers[c].values = {1, 2, 3, 4};
  ExpectOk();
}

TEST_F(LoopVerifier, TempOffsetsAreAligned) {
  p.buffers[t].offset = 32;
  p.workspace_bytes = 128;
  EXPECT_EQ(Error(), "buffer %t: workspace offset 32 is not a non-negative multiple of 64");
}

TEST_F(LoopVerifier, TempsLieInsideTheWorkspace) {
  p.buffers[t].offset = 64;
  EXPECT_EQ(Error(), "buffer %t: bytes [64, 80) lie outside the workspace of 64 bytes");
}

TEST_F(LoopVerifier, TempsInUseTogetherDoNotOverlap) {
  BufferId u = b.AddBuffer(Buffer{"u", Type::kF64, {10}, BufferKind::kTemp, {}, 64});
  BufferId v = b.AddBuffer(Buffer{"v", Type::kU8, {3}, BufferKind::kTemp, {}, 128});
  p.workspace_bytes = 192;
  b.AddKernel("both", {b.Store(u, b.Index(0), b.Const(1, Type::kF64)),
                       b.Store(v, b.Index(0), b.Const(1, Type::kU8))});
  EXPECT_EQ(Error(),
            "temps %u [64, 144) and %v [128, 131) overlap in the workspace while both are in use");
}

TEST_F(LoopVerifier, TempsInUseAtDifferentTimesMayShareMemory) {
  BufferId u = b.AddBuffer(Buffer{"u", Type::kF64, {10}, BufferKind::kTemp, {}, 64});
  BufferId v = b.AddBuffer(Buffer{"v", Type::kU8, {3}, BufferKind::kTemp, {}, 128});
  p.workspace_bytes = 192;
  b.AddKernel("first", {b.Store(u, b.Index(0), b.Const(1, Type::kF64))});
  b.AddKernel("second", {b.Store(v, b.Index(0), b.Const(1, Type::kU8))});
  EXPECT_TRUE(VerifyLoopProgram(p).ok()) << VerifyLoopProgram(p);
}

TEST_F(LoopVerifier, UnplannedTempsOnlyBeforeMemoryPlanning) {
  p.buffers[t].offset = -1;
  ExpectOk();
  EXPECT_EQ(Error({.require_memory_plan = true}), "buffer %t: temp has no workspace offset");
}

// ---- arguments ------------------------------------------------------------------

TEST_F(LoopVerifier, ArgumentsAreInputsOrOutputs) {
  p.arguments.push_back(t);
  EXPECT_EQ(Error(), "argument 2 %t is a temp buffer; arguments are inputs or outputs");
  p.arguments.back() = 17;
  EXPECT_EQ(Error(), "argument 2 is buffer #17, which does not exist");
}

TEST_F(LoopVerifier, ArgumentsAreListedOnce) {
  p.arguments.push_back(y);
  EXPECT_EQ(Error(), "argument 2 %y is also argument 1");
}

TEST_F(LoopVerifier, InputsComeBeforeOutputs) {
  p.arguments = {y, x};
  EXPECT_EQ(Error(), "argument 1 %x is an input after an output; inputs come first");
}

TEST_F(LoopVerifier, EveryInputAndOutputIsAnArgument) {
  p.arguments = {y};
  EXPECT_EQ(Error(), "input buffer %x is not an argument");
}

// ---- expressions ----------------------------------------------------------------

TEST_F(LoopVerifier, OperandsExistAndComeFirst) {
  p.exprs[sum].b = 999;
  EXPECT_EQ(Error(), "kernel %y = add: expression #" + std::to_string(sum) +
                         " refers to expression #999, which does not exist");
  p.exprs[sum].b = sum;
  EXPECT_EQ(Error(), "kernel %y = add: expression #" + std::to_string(sum) +
                         " refers to expression #" + std::to_string(sum) +
                         ", which comes after it");
}

TEST_F(LoopVerifier, BinaryOperandsHaveOneType) {
  p.stmts[store].value = b.Binary(BinaryOp::kAdd, b.Load(x, b.Var(i)), b.Index(1));
  EXPECT_EQ(Error(), "kernel %y = add: operands have types f32 and i64: %x[i0] + 1");
}

TEST_F(LoopVerifier, ResultTypesFollowTheOperands) {
  p.exprs[sum].type = Type::kF64;
  EXPECT_EQ(Error(), "kernel %y = add: binary op on f32 has result type f64: %x[i0] + %c[0]");
}

TEST_F(LoopVerifier, ComparesGiveI1) {
  ExprId cmp = b.Compare(CompareOp::kLt, b.Var(i), b.Index(2));
  p.exprs[cmp].type = Type::kI32;
  p.stmts[store].value = b.Select(b.Compare(CompareOp::kNe, cmp, b.Const(0, Type::kI32)), sum, sum);
  EXPECT_EQ(Error(), "kernel %y = add: compare has type i32, expected i1: i0 < 2");
}

TEST_F(LoopVerifier, SelectsTakeAnI1ConditionAndEqualBranches) {
  p.stmts[store].value = b.Select(b.Load(x, b.Var(i)), sum, sum);
  EXPECT_EQ(Error(),
            "kernel %y = add: select condition has type f32, expected i1: "
            "%x[i0] ? %x[i0] + %c[0] : %x[i0] + %c[0]");
  ExprId cond = b.Compare(CompareOp::kLt, b.Var(i), b.Index(2));
  p.stmts[store].value = b.Select(cond, sum, b.Const(1, Type::kF64));
  EXPECT_EQ(
      Error(),
      "kernel %y = add: select branches have types f32 and f64: i0 < 2 ? %x[i0] + %c[0] : 1.0_f64");
}

TEST_F(LoopVerifier, IndicesAreI64) {
  p.stmts[store].value = b.Load(x, b.Cast(Type::kI32, b.Var(i)));
  EXPECT_EQ(Error(), "kernel %y = add: load index has type i32, expected i64: %x[i32(i0)]");
  p.stmts[store].value = sum;
  p.stmts[store].index = b.Cast(Type::kI32, b.Var(i));
  EXPECT_EQ(Error(),
            "kernel %y = add: store to %y has an index of type i32, expected i64: i32(i0)");
}

TEST_F(LoopVerifier, StoredValuesHaveTheBuffersType) {
  p.stmts[store].value = b.Cast(Type::kF64, sum);
  EXPECT_EQ(Error(), "kernel %y = add: store of f64 to %y, which holds f32: f64(%x[i0] + %c[0])");
}

TEST_F(LoopVerifier, LoadsHaveTheBuffersType) {
  p.exprs[p.exprs[sum].a].type = Type::kI32;
  p.exprs[sum].type = Type::kI32;
  p.exprs[p.exprs[sum].b].type = Type::kI32;
  EXPECT_EQ(Error(), "kernel %y = add: load has type i32 but %x holds f32: %x[i0]");
}

TEST_F(LoopVerifier, RemAndShiftsOnlyOnIntegers) {
  p.exprs[sum].binary = BinaryOp::kRem;
  EXPECT_EQ(Error(), "kernel %y = add: binary op needs integers, got f32: %x[i0] % %c[0]");
  p.exprs[sum].binary = BinaryOp::kShl;
  EXPECT_EQ(Error(), "kernel %y = add: binary op needs integers, got f32: %x[i0] << %c[0]");
}

TEST_F(LoopVerifier, BitwiseOpsOnIntegersAndI1) {
  p.exprs[sum].binary = BinaryOp::kAnd;
  EXPECT_EQ(Error(), "kernel %y = add: binary op needs integers or i1, got f32: %x[i0] & %c[0]");
  // On i1 they are fine, arithmetic is not.
  ExprId lt = b.Compare(CompareOp::kLt, b.Var(i), b.Index(2));
  p.exprs[sum].binary = BinaryOp::kAdd;
  p.stmts[store].value =
      b.Select(b.Binary(BinaryOp::kXor, lt, b.Binary(BinaryOp::kOr, lt, lt)), sum, sum);
  ExpectOk();
  p.stmts[store].value = b.Select(b.Binary(BinaryOp::kAdd, lt, lt), sum, sum);
  EXPECT_EQ(Error(), "kernel %y = add: binary op needs numbers, got i1: (i0 < 2) + (i0 < 2)");
}

TEST_F(LoopVerifier, FloatFunctionsOnlyOnFloats) {
  p.stmts[store].value = b.Cast(Type::kF32, b.Unary(UnaryOp::kExp, b.Const(1, Type::kI32)));
  EXPECT_EQ(Error(), "kernel %y = add: unary op needs f32 or f64, got i32: exp(1_i32)");
  p.stmts[store].value =
      b.Cast(Type::kF32, b.Binary(BinaryOp::kPow, b.Const(2, Type::kI32), b.Const(2, Type::kI32)));
  EXPECT_EQ(Error(), "kernel %y = add: binary op needs f32 or f64, got i32: pow(2_i32, 2_i32)");
  p.stmts[store].value = b.Unary(UnaryOp::kNot, sum);
  EXPECT_EQ(Error(),
            "kernel %y = add: unary op needs an integer or i1, got f32: ~(%x[i0] + %c[0])");
}

TEST_F(LoopVerifier, IntegerConstantsAreExact) {
  p.stmts[store].value = b.Cast(Type::kF32, b.Const(1.5, Type::kI32));
  EXPECT_EQ(Error(), "kernel %y = add: constant is not a valid i32: 1.5_i32");
  p.stmts[store].value = b.Cast(Type::kF32, b.Const(256, Type::kU8));
  EXPECT_EQ(Error(), "kernel %y = add: constant is not a valid u8: 256_u8");
}

// ---- statements and loop variables ----------------------------------------------

TEST_F(LoopVerifier, LoopVariablesExist) {
  p.exprs[p.stmts[store].index].var = 5;
  EXPECT_EQ(Error(), "kernel %y = add: loop variable i5 does not exist (the program has 1)");
}

TEST_F(LoopVerifier, EachVariableIsBoundByOneLoop) {
  Kernel({b.For(i, 2, {})});
  EXPECT_EQ(Error(), "kernel %z = k: loop variable i0 is bound by more than one loop");
}

TEST_F(LoopVerifier, VariablesAreUsedOnlyInsideTheirLoop) {
  Kernel({b.Store(y, b.Var(i), b.Const(0, Type::kF32))});
  EXPECT_EQ(Error(), "kernel %z = k: loop variable i0 is used outside its loop: i0");
}

TEST_F(LoopVerifier, LoopWidthsFollowTheirKind) {
  p.stmts[loop].loop = LoopKind::kVectorized;
  p.stmts[loop].width = 3;
  EXPECT_EQ(Error(),
            "kernel %y = add: vectorized loop over i0 has width 3, expected 2, 4, 8, 16, 32 or 64");
  p.stmts[loop].width = 128;
  EXPECT_EQ(
      Error(),
      "kernel %y = add: vectorized loop over i0 has width 128, expected 2, 4, 8, 16, 32 or 64");
  p.stmts[loop].width = 16;
  ExpectOk();
  p.stmts[loop].loop = LoopKind::kUnrolled;
  p.stmts[loop].width = 0;
  EXPECT_EQ(Error(), "kernel %y = add: unrolled loop over i0 has width 0, expected at least 1");
  p.stmts[loop].width = 3;
  ExpectOk();
  p.stmts[loop].loop = LoopKind::kParallel;
  EXPECT_EQ(Error(), "kernel %y = add: parallel loop over i0 has width 3, expected 1");
}

TEST_F(LoopVerifier, ExtentsAreNotNegative) {
  p.stmts[loop].extent = -1;
  EXPECT_EQ(Error(), "kernel %y = add: loop over i0 has a negative extent -1");
}

TEST_F(LoopVerifier, StatementsFormTrees) {
  Kernel({store});
  EXPECT_EQ(Error(), "kernel %z = k: statement #" + std::to_string(store) +
                         " appears more than once in the program");
  p.kernels.back().body = {1234};
  EXPECT_EQ(Error(), "kernel %z = k: statement #1234 does not exist");
}

TEST_F(LoopVerifier, OnlyLoopsAndGuardsHaveBodies) {
  p.stmts[store].body = {b.Store(y, b.Index(0), b.Const(0, Type::kF32))};
  EXPECT_EQ(Error(),
            "kernel %y = add: statement #" + std::to_string(store) + " (a store) has a body");
}

TEST_F(LoopVerifier, StoresGoToOutputsAndTemps) {
  Kernel({b.Store(x, b.Index(0), b.Const(0, Type::kF32))});
  EXPECT_EQ(Error(), "kernel %z = k: store to input %x");
  p.stmts[p.kernels.back().body[0]].buffer = c;
  EXPECT_EQ(Error(), "kernel %z = k: store to constant %c");
  p.stmts[p.kernels.back().body[0]].buffer = t;
  ExpectOk();
}

TEST_F(LoopVerifier, ConditionsAreI1) {
  Kernel({b.If(b.Load(c, b.Index(0)), {})});
  EXPECT_EQ(Error(), "kernel %z = k: if condition has type f32, expected i1: %c[0]");
}

TEST_F(LoopVerifier, CheckErrorCodesIndexTheMessages) {
  Kernel({b.Check(b.Const(1, Type::kI1), "always fine")});
  ExpectOk();
  p.stmts[p.kernels.back().body[0]].error = 2;
  EXPECT_EQ(Error(), "kernel %z = k: check has error code 2 but the program has 1 error messages");
}

// ---- bounds ---------------------------------------------------------------------

// %y f32[35] = pad: y[i - 1] for i in [0, 37).
class LoopBounds : public LoopVerifier {
 protected:
  LoopBounds() {
    pad = Arg("pad", Type::kF32, {35}, BufferKind::kOutput);
    j = b.NewVar();
    shifted = b.AddConst(b.Var(j), -1);
  }
  void PadKernel(std::vector<StmtId> body) {
    b.AddKernel("%pad = pad", {b.For(j, 37, std::move(body))});
  }
  StmtId StoreShifted() { return b.Store(pad, shifted, b.Const(0, Type::kF32)); }

  BufferId pad;
  VarId j;
  ExprId shifted;
};

TEST_F(LoopBounds, UnguardedStoreOutOfRangeIsRejected) {
  PadKernel({StoreShifted()});
  EXPECT_EQ(
      Error(),
      "kernel %pad = pad: store to %pad at index range [-1, 35] outside [0, 35): %pad[i1 + -1]");
}

TEST_F(LoopBounds, UnguardedLoadOutOfRangeIsRejected) {
  b.AddKernel("%z = k", {b.For(j, 5, {b.Store(y, b.Index(0), b.Load(x, b.Var(j)))})});
  EXPECT_EQ(Error(), "kernel %z = k: load from %x at index range [0, 4] outside [0, 4): %x[i1]");
}

TEST_F(LoopBounds, GuardedStoreIsAccepted) {
  PadKernel({b.If(b.InRange(shifted, 35), {StoreShifted()})});
  ExpectOk();
}

TEST_F(LoopBounds, GuardMatchesAStructurallyEqualExpression) {
  // The guard's expression is built separately from the index's.
  PadKernel({b.If(b.InRange(b.AddConst(b.Var(j), -1), 35), {StoreShifted()})});
  ExpectOk();
}

TEST_F(LoopBounds, GuardBoundingOneSideIsNotEnough) {
  PadKernel({b.If(b.Compare(CompareOp::kGe, shifted, b.Index(0)), {StoreShifted()})});
  EXPECT_EQ(
      Error(),
      "kernel %pad = pad: store to %pad at index range [0, 35] outside [0, 35): %pad[i1 + -1]");
}

TEST_F(LoopBounds, GuardOnALoopVariableBoundsExpressionsOfIt) {
  // 1 <= j, j <= 35 (constant first), so j - 1 is in [0, 34].
  ExprId cond = b.And(b.Compare(CompareOp::kLe, b.Index(1), b.Var(j)),
                      b.Compare(CompareOp::kLe, b.Var(j), b.Index(35)));
  PadKernel({b.If(cond, {StoreShifted()})});
  ExpectOk();
}

TEST_F(LoopBounds, GuardsApplyOnlyInsideTheirBody) {
  PadKernel({b.If(b.InRange(shifted, 35), {}), StoreShifted()});
  EXPECT_EQ(
      Error(),
      "kernel %pad = pad: store to %pad at index range [-1, 35] outside [0, 35): %pad[i1 + -1]");
}

// A label read from an input, checked, and used as an index; `check_first`
// puts the check before the use.
class LoopCheckedLabel : public LoopBounds {
 protected:
  void Build(bool check_first) {
    const BufferId labels =
        b.AddBuffer(Buffer{"labels", Type::kI32, {3}, BufferKind::kInput, {}, -1});
    p.arguments.insert(p.arguments.begin(), labels);
    const VarId n = b.NewVar();
    ExprId label = b.Cast(Type::kI64, b.Load(labels, b.Var(n)));
    StmtId use = b.Store(pad, b.Add(b.Mul(b.Var(n), 10), label), b.Const(1, Type::kF32));
    StmtId check = b.Check(b.InRange(label, 10), "bad label");
    b.AddKernel("%pad = scatter", {b.For(n, 3,
                                         check_first ? std::vector<StmtId>{check, use}
                                                     : std::vector<StmtId>{use, check})});
  }
};

TEST_F(LoopCheckedLabel, ChecksBoundTheStatementsAfterThem) {
  Build(true);
  ExpectOk();
}

TEST_F(LoopCheckedLabel, ChecksDoNotBoundTheStatementsBeforeThem) {
  Build(false);
  EXPECT_EQ(Error(),
            "kernel %pad = scatter: store to %pad at index range [-2147483648, 2147483667] outside "
            "[0, 35): %pad[i2 * 10 + i64(%labels[i2])]");
}

TEST_F(LoopBounds, GuardIsIgnoredWhenItsBufferIsStoredUnderIt) {
  // if (0 <= t[0] < 4) { t[0] = 100; y[t[0]] = 0 }: the guard no longer holds.
  ExprId at = b.Cast(Type::kI64, b.Cast(Type::kI32, b.Load(t, b.Index(0))));
  StmtId clobber = b.Store(t, b.Index(0), b.Const(100, Type::kF32));
  StmtId use = b.Store(y, at, b.Const(0, Type::kF32));
  Kernel({b.If(b.InRange(at, 4), {clobber, use})});
  EXPECT_EQ(Error(),
            "kernel %z = k: store to %y at index range [-2147483648, 2147483647] outside [0, 4): "
            "%y[i64(i32(%t[0]))]");
  // Without the store to %t, the guard holds.
  p.kernels.back().body = {b.If(b.InRange(at, 4), {use})};
  ExpectOk();
}

TEST_F(LoopBounds, SelectsDoNotGuardTheirBranches) {
  ExprId ok = b.InRange(shifted, 35);
  ExprId value = b.Select(ok, b.Load(pad, shifted), b.Const(0, Type::kF32));
  b.AddKernel("%z = k", {b.For(j, 37, {b.Store(y, b.Index(0), value)})});
  EXPECT_EQ(Error(),
            "kernel %z = k: load from %pad at index range [-1, 35] outside [0, 35): %pad[i1 + -1]");
}

TEST_F(LoopBounds, IndicesLoadedFromI64BuffersAreUnbounded) {
  const BufferId idx = b.AddBuffer(Buffer{"idx", Type::kI64, {4}, BufferKind::kTemp, {}, 64});
  p.workspace_bytes = 128;
  Kernel({b.Store(y, b.Load(idx, b.Index(0)), b.Const(0, Type::kF32))});
  EXPECT_EQ(Error(),
            "kernel %z = k: store to %y at index range [-inf, inf] outside [0, 4): %y[%idx[0]]");
  // Clamped by min/max, it is in bounds.
  p.kernels.back().body = {
      b.Store(y,
              b.Binary(BinaryOp::kMin,
                       b.Binary(BinaryOp::kMax, b.Load(idx, b.Index(1)), b.Index(0)), b.Index(3)),
              b.Const(0, Type::kF32))};
  ExpectOk();
}

TEST_F(LoopBounds, DivisionRemainderAndSelectRanges) {
  // pad[j / 2 + 17] for j in [0, 37): [17, 35] is out; pad[j % 5 * 7] is in
  // ([0, 28]); a select's branches are joined.
  b.AddKernel("%pad = half",
              {b.For(j, 37,
                     {b.Store(pad, b.AddConst(b.Binary(BinaryOp::kDiv, b.Var(j), b.Index(2)), 16),
                              b.Const(0, Type::kF32)),
                      b.Store(pad, b.Mul(b.Binary(BinaryOp::kRem, b.Var(j), b.Index(5)), 7),
                              b.Const(0, Type::kF32)),
                      b.Store(pad,
                              b.Select(b.Compare(CompareOp::kLt, b.Var(j), b.Index(3)), b.Index(34),
                                       b.Index(0)),
                              b.Const(0, Type::kF32))})});
  ExpectOk();
  p.stmts[p.stmts[p.kernels.back().body[0]].body[0]].index =
      b.AddConst(b.Binary(BinaryOp::kDiv, b.Var(j), b.Index(2)), 17);
  EXPECT_EQ(Error(),
            "kernel %pad = half: store to %pad at index range [17, 35] outside [0, 35): %pad[i1 / "
            "2 + 17]");
}

TEST_F(LoopBounds, WrappingArithmeticGivesTheWholeRange) {
  // j * 2^62 can overflow i64: nothing is known about it.
  Kernel({b.For(j, 4, {b.Store(y, b.Mul(b.Var(j), int64_t{1} << 62), b.Const(0, Type::kF32))})});
  EXPECT_EQ(Error(),
            "kernel %z = k: store to %y at index range [-inf, inf] outside [0, 4): %y[i1 * "
            "4611686018427387904]");
}

TEST_F(LoopBounds, LoopsOfExtentZeroNeverRun) {
  b.AddKernel("%pad = none", {b.For(j, 0, {b.Store(pad, b.Index(99), b.Const(0, Type::kF32))})});
  ExpectOk();
}

TEST_F(LoopBounds, ContradictoryGuardsMakeAStatementUnreachable) {
  ExprId cond = b.And(b.Compare(CompareOp::kGt, b.Var(j), b.Index(30)),
                      b.Compare(CompareOp::kLt, b.Var(j), b.Index(10)));
  PadKernel({b.If(cond, {b.Store(pad, b.AddConst(b.Var(j), 100), b.Const(0, Type::kF32))})});
  ExpectOk();
}

TEST_F(LoopBounds, ConvolutionStyleCoordinateGuard) {
  // ih = oh + kh - 1 guarded to [0, 5); x[n, ih, c] with shape [2, 5, 3].
  const BufferId img =
      b.AddBuffer(Buffer{"img", Type::kF32, {2, 5, 3}, BufferKind::kInput, {}, -1});
  p.arguments.insert(p.arguments.begin(), img);
  std::vector<StmtId> nest = b.Nest({2, 5, 3, 3}, [&](std::span<const ExprId> v) {
    ExprId ih = b.AddConst(b.Add(v[1], v[2]), -1);
    ExprId load = b.Load(img, b.FlatIndex(std::vector<ExprId>{v[0], ih, v[3]}, {2, 5, 3}));
    return std::vector<StmtId>{b.If(b.InRange(ih, 5), {b.Store(y, b.Index(0), load)})};
  });
  b.AddKernel("%y2 = conv", std::move(nest));
  ExpectOk();
}

}  // namespace
}  // namespace dlc::loops
