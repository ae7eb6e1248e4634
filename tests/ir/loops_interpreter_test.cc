// The loop-IR interpreter: small programs built by hand with LoopBuilder,
// run with RunLoopProgram and compared with values computed by hand, and
// the corner cases of its scalar semantics (which generated code must match).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/loops/loop_builder.h"
#include "ir/loops/loop_interpreter.h"
#include "ir/loops/loop_verifier.h"
#include "ir/random_hash.h"

namespace dlc::loops {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

BufferId AddArg(LoopBuilder& b, std::string name, Type type, Shape shape, BufferKind kind) {
  Buffer buffer;
  buffer.name = std::move(name);
  buffer.type = type;
  buffer.shape = std::move(shape);
  buffer.kind = kind;
  const BufferId id = b.AddBuffer(std::move(buffer));
  b.program().arguments.push_back(id);
  return id;
}

std::vector<double> Values(const Tensor& t) {
  std::vector<double> out;
  for (int64_t i = 0; i < t.num_elements(); ++i) out.push_back(t.GetDouble(i));
  return out;
}

absl::StatusOr<std::vector<Tensor>> RunProgram(const LoopProgram& p,
                                               const std::vector<Tensor>& inputs) {
  std::vector<const Tensor*> pointers;
  for (const Tensor& t : inputs) pointers.push_back(&t);
  return RunLoopProgram(p, pointers);
}

// A program with no inputs and one output of `type` whose element k is
// exprs[k] (as `make` builds them); returns the output.
Tensor EvalAll(Type type, const std::function<std::vector<ExprId>(LoopBuilder&)>& make) {
  LoopProgram p;
  p.name = "eval";
  LoopBuilder b(p);
  std::vector<ExprId> exprs = make(b);
  const DType dtype = type == Type::kF64   ? DType::kF64
                      : type == Type::kI32 ? DType::kI32
                      : type == Type::kU8  ? DType::kU8
                      : type == Type::kI1  ? DType::kI1
                                           : DType::kF32;
  const BufferId out =
      AddArg(b, "out", type, {static_cast<int64_t>(exprs.size())}, BufferKind::kOutput);
  std::vector<StmtId> body;
  for (size_t k = 0; k < exprs.size(); ++k) {
    body.push_back(b.Store(out, b.Index(static_cast<int64_t>(k)), exprs[k]));
  }
  b.AddKernel("%out = eval", std::move(body));
  absl::StatusOr<std::vector<Tensor>> result = RunLoopProgram(p, {});
  if (!result.ok()) {
    ADD_FAILURE() << result.status();
    return Tensor(dtype, {0});
  }
  EXPECT_EQ((*result)[0].dtype(), dtype);
  return (*result)[0];
}

// The 8 bytes of a 64-bit value, least significant first, as u8 exprs (an
// i64 or u64 cannot be a program output).
std::vector<ExprId> Bytes64(LoopBuilder& b, ExprId x) {
  x = b.Cast(Type::kU64, x);
  std::vector<ExprId> bytes;
  for (int k = 0; k < 8; ++k) {
    ExprId shifted = b.Binary(BinaryOp::kShr, x, b.U64(8 * k));
    bytes.push_back(b.Cast(Type::kU8, b.Binary(BinaryOp::kAnd, shifted, b.U64(255))));
  }
  return bytes;
}

// Reassembles Bytes64 outputs: value i from bytes [8i, 8i + 8).
std::vector<uint64_t> Words(const Tensor& bytes) {
  std::vector<uint64_t> words(bytes.num_elements() / 8, 0);
  std::span<const uint8_t> v = bytes.values<uint8_t>();
  for (size_t i = 0; i < v.size(); ++i) words[i / 8] |= uint64_t{v[i]} << (8 * (i % 8));
  return words;
}

// ---- whole programs -----------------------------------------------------------

// x[2,3] + y[1,3] into z.
LoopProgram AddProgram() {
  LoopProgram p;
  p.name = "add";
  LoopBuilder b(p);
  const BufferId x = AddArg(b, "x", Type::kF32, {2, 3}, BufferKind::kInput);
  const BufferId y = AddArg(b, "y", Type::kF32, {1, 3}, BufferKind::kInput);
  const BufferId z = AddArg(b, "z", Type::kF32, {2, 3}, BufferKind::kOutput);
  b.AddKernel("%z = add", b.Nest({2, 3}, [&](std::span<const ExprId> c) {
    // y's first dimension has size 1: FlatIndex ignores its coordinate.
    ExprId sum = b.Binary(BinaryOp::kAdd, b.Load(x, b.FlatIndex(c, {2, 3})),
                          b.Load(y, b.FlatIndex(c, {1, 3})));
    return std::vector<StmtId>{b.Store(z, b.FlatIndex(c, {2, 3}), sum)};
  }));
  return p;
}

TEST(LoopInterpreter, ElementwiseAddBroadcastsThroughFlatIndex) {
  const LoopProgram p = AddProgram();
  ASSERT_TRUE(VerifyLoopProgram(p).ok());
  auto out = RunProgram(p, {Tensor::FromVector<float>(DType::kF32, {2, 3}, {1, 2, 3, 4, 5, 6}),
                            Tensor::FromVector<float>(DType::kF32, {1, 3}, {10, 20, 30})});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].type().ToString(), "f32[2,3]");
  EXPECT_THAT(Values((*out)[0]), ElementsAre(11, 22, 33, 14, 25, 36));
}

TEST(LoopInterpreter, TakesInputsByNameFromFeeds) {
  const LoopProgram p = AddProgram();
  std::map<std::string, Tensor> feeds;  // extra feeds are ignored
  feeds.emplace("y", Tensor::FromVector<float>(DType::kF32, {1, 3}, {10, 20, 30}));
  feeds.emplace("x", Tensor::FromVector<float>(DType::kF32, {2, 3}, {1, 2, 3, 4, 5, 6}));
  feeds.emplace("unused", Tensor::FromVector<float>(DType::kF32, {1}, {0}));
  auto out = RunLoopProgramOnFeeds(p, feeds);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(Values((*out)[0]), ElementsAre(11, 22, 33, 14, 25, 36));
  feeds.erase("y");
  out = RunLoopProgramOnFeeds(p, feeds);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(out.status().message(), "no input named 'y' for add");
}

TEST(LoopInterpreter, MatMulAccumulatesOverTheInnerLoop) {
  LoopProgram p;
  p.name = "matmul";
  LoopBuilder b(p);
  const BufferId a = AddArg(b, "a", Type::kF32, {2, 3}, BufferKind::kInput);
  const BufferId w = AddArg(b, "w", Type::kF32, {3, 2}, BufferKind::kInput);
  const BufferId c = AddArg(b, "c", Type::kF32, {2, 2}, BufferKind::kOutput);
  std::vector<StmtId> body = b.Nest({2, 2}, [&](std::span<const ExprId> ij) {
    return std::vector<StmtId>{b.Store(c, b.FlatIndex(ij, {2, 2}), b.Const(0, Type::kF32))};
  });
  std::vector<StmtId> acc = b.Nest({2, 3, 2}, [&](std::span<const ExprId> v) {
    ExprId i = v[0], k = v[1], j = v[2];
    ExprId at = b.FlatIndex(std::vector<ExprId>{i, j}, {2, 2});
    ExprId product =
        b.Binary(BinaryOp::kMul, b.Load(a, b.FlatIndex(std::vector<ExprId>{i, k}, {2, 3})),
                 b.Load(w, b.FlatIndex(std::vector<ExprId>{k, j}, {3, 2})));
    return std::vector<StmtId>{b.Store(c, at, b.Binary(BinaryOp::kAdd, b.Load(c, at), product))};
  });
  body.insert(body.end(), acc.begin(), acc.end());
  b.AddKernel("%c = matmul", std::move(body));
  // [[1,2,3],[4,5,6]] x [[1,2],[3,4],[5,6]] = [[22,28],[49,64]]
  auto out = RunProgram(p, {Tensor::FromVector<float>(DType::kF32, {2, 3}, {1, 2, 3, 4, 5, 6}),
                            Tensor::FromVector<float>(DType::kF32, {3, 2}, {1, 2, 3, 4, 5, 6})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(Values((*out)[0]), ElementsAre(22, 28, 49, 64));
}

TEST(LoopInterpreter, PaddedCopyGuardedByIf) {
  LoopProgram p;
  p.name = "pad";
  LoopBuilder b(p);
  const BufferId x = AddArg(b, "x", Type::kI32, {4}, BufferKind::kInput);
  const BufferId y = AddArg(b, "y", Type::kI32, {7}, BufferKind::kOutput);
  const VarId v = b.NewVar();
  ExprId source = b.AddConst(b.Var(v), -1);  // y[i] = x[i - 1] where it exists, else -9
  StmtId fill = b.Store(y, b.Var(v), b.Const(-9, Type::kI32));
  StmtId copy = b.If(b.InRange(source, 4), {b.Store(y, b.Var(v), b.Load(x, source))});
  b.AddKernel("%y = pad", {b.For(v, 7, {fill, copy})});
  ASSERT_TRUE(VerifyLoopProgram(p).ok()) << VerifyLoopProgram(p);
  auto out = RunProgram(p, {Tensor::FromVector<int32_t>(DType::kI32, {4}, {1, 2, 3, 4})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(Values((*out)[0]), ElementsAre(-9, 1, 2, 3, 4, -9, -9));
}

// labels -> the sum of labels, checking each is in [0, 10).
LoopProgram CheckedLabels() {
  LoopProgram p;
  p.name = "labels";
  LoopBuilder b(p);
  const BufferId labels = AddArg(b, "labels", Type::kU8, {3}, BufferKind::kInput);
  const BufferId sum = AddArg(b, "sum", Type::kI32, {}, BufferKind::kOutput);
  StmtId zero = b.Store(sum, b.Index(0), b.Const(0, Type::kI32));
  const VarId n = b.NewVar();
  ExprId label = b.Cast(Type::kI64, b.Load(labels, b.Var(n)));
  StmtId check = b.Check(b.InRange(label, 10), "%sum = sum: a label is outside [0, 10)");
  StmtId add =
      b.Store(sum, b.Index(0),
              b.Binary(BinaryOp::kAdd, b.Load(sum, b.Index(0)), b.Cast(Type::kI32, label)));
  b.AddKernel("%sum = sum", {zero, b.For(n, 3, {check, add})});
  return p;
}

TEST(LoopInterpreter, PassingCheckLetsTheProgramRun) {
  auto out = RunProgram(CheckedLabels(), {Tensor::FromVector<int>(DType::kU8, {3}, {1, 9, 0})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(Values((*out)[0]), ElementsAre(10));
}

TEST(LoopInterpreter, FailedCheckReturnsItsMessage) {
  auto out = RunProgram(CheckedLabels(), {Tensor::FromVector<int>(DType::kU8, {3}, {1, 12, 0})});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(), "%sum = sum: a label is outside [0, 10)");
}

TEST(LoopInterpreter, LoopKindsDoNotChangeResults) {
  for (LoopKind kind :
       {LoopKind::kSerial, LoopKind::kParallel, LoopKind::kVectorized, LoopKind::kUnrolled}) {
    LoopProgram p;
    p.name = "iota";
    LoopBuilder b(p);
    const BufferId y = AddArg(b, "y", Type::kI32, {5}, BufferKind::kOutput);
    const VarId v = b.NewVar();
    const int width = kind == LoopKind::kSerial || kind == LoopKind::kParallel ? 1 : 4;
    b.AddKernel(
        "%y = iota",
        {b.For(v, 5, {b.Store(y, b.Var(v), b.Cast(Type::kI32, b.Mul(b.Var(v), 3)))}, kind, width)});
    auto out = RunProgram(p, {});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_THAT(Values((*out)[0]), ElementsAre(0, 3, 6, 9, 12));
  }
}

TEST(LoopInterpreter, TempsLiveInTheWorkspaceAndConstantsAreConverted) {
  LoopProgram p;
  p.name = "temps";
  LoopBuilder b(p);
  const BufferId y = AddArg(b, "y", Type::kI32, {3}, BufferKind::kOutput);
  Buffer t1{"t1", Type::kI64, {3}, BufferKind::kTemp, {}, 0};
  Buffer t2{"t2", Type::kI32, {3}, BufferKind::kTemp, {}, 64};
  Buffer c{"c", Type::kI32, {3}, BufferKind::kConstant, {2.9, -1e10, kNaN}, -1};
  Buffer s{"s", Type::kF32, {3}, BufferKind::kConstant, {0.5}, -1};  // a splat
  const BufferId temp1 = b.AddBuffer(t1), temp2 = b.AddBuffer(t2);
  const BufferId cid = b.AddBuffer(c), sid = b.AddBuffer(s);
  p.workspace_bytes = 128;
  const VarId i = b.NewVar(), j = b.NewVar();
  // t1 = i64(c) * 2; t2 = i32(t1) + i32(s * 4); y = t2
  StmtId first =
      b.For(i, 3, {b.Store(temp1, b.Var(i), b.Mul(b.Cast(Type::kI64, b.Load(cid, b.Var(i))), 2))});
  StmtId second =
      b.For(j, 3,
            {b.Store(temp2, b.Var(j),
                     b.Binary(BinaryOp::kAdd, b.Cast(Type::kI32, b.Load(temp1, b.Var(j))),
                              b.Cast(Type::kI32, b.Binary(BinaryOp::kMul, b.Load(sid, b.Var(j)),
                                                          b.Const(4, Type::kF32))))),
             b.Store(y, b.Var(j), b.Load(temp2, b.Var(j)))});
  b.AddKernel("%y = temps", {first, second});
  ASSERT_TRUE(VerifyLoopProgram(p, {.require_memory_plan = true}).ok());
  auto out = RunProgram(p, {});
  ASSERT_TRUE(out.ok()) << out.status();
  // c = [2, INT_MIN, 0] (converted as casts are); t1 = [4, -2^32, 0], which
  // saturates back to INT_MIN in i32; plus i32(0.5 * 4) = 2.
  EXPECT_THAT(Values((*out)[0]), ElementsAre(6, -2147483646, 2));
}

TEST(LoopInterpreter, UnplannedTempsGetTheirOwnMemory) {
  LoopProgram p;
  p.name = "unplanned";
  LoopBuilder b(p);
  const BufferId y = AddArg(b, "y", Type::kF32, {2}, BufferKind::kOutput);
  const BufferId t = b.AddBuffer(Buffer{"t", Type::kF32, {2}, BufferKind::kTemp, {}, -1});
  const VarId i = b.NewVar();
  b.AddKernel(
      "%y = twice",
      {b.For(i, 2,
             {b.Store(t, b.Var(i), b.Cast(Type::kF32, b.Var(i))),
              b.Store(y, b.Var(i),
                      b.Binary(BinaryOp::kAdd, b.Load(t, b.Var(i)), b.Load(t, b.Var(i))))})});
  EXPECT_THAT(VerifyLoopProgram(p, {.require_memory_plan = true}).message(),
              HasSubstr("temp has no workspace offset"));
  auto out = RunProgram(p, {});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(Values((*out)[0]), ElementsAre(0, 2));
}

TEST(LoopInterpreter, UnwrittenOutputElementsArePoisoned) {
  LoopProgram p;
  p.name = "partial";
  LoopBuilder b(p);
  const BufferId y = AddArg(b, "y", Type::kF32, {2}, BufferKind::kOutput);
  b.AddKernel("%y = partial", {b.Store(y, b.Index(0), b.Const(1, Type::kF32))});
  auto out = RunProgram(p, {});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].GetDouble(0), 1);
  EXPECT_TRUE(std::isnan((*out)[0].GetDouble(1)));
}

TEST(LoopInterpreter, RejectsInputsOfTheWrongTypeOrCount) {
  LoopProgram p = CheckedLabels();
  auto wrong_type = RunProgram(p, {Tensor::FromVector<int>(DType::kI32, {3}, {1, 2, 3})});
  EXPECT_EQ(wrong_type.status().message(), "input 0 (%labels) must be u8[3], got i32[3]");
  auto wrong_shape = RunProgram(p, {Tensor::FromVector<int>(DType::kU8, {4}, {1, 2, 3, 4})});
  EXPECT_EQ(wrong_shape.status().message(), "input 0 (%labels) must be u8[3], got u8[4]");
  auto none = RunProgram(p, {});
  EXPECT_EQ(none.status().message(), "labels takes 1 inputs, got 0");
}

TEST(LoopInterpreter, RejectsAnInvalidProgram) {
  LoopProgram p = CheckedLabels();
  p.stmts[0].value = 999;
  auto out = RunProgram(p, {Tensor::FromVector<int>(DType::kU8, {3}, {1, 2, 3})});
  EXPECT_EQ(out.status().message(), "kernel %sum = sum: expression #999 does not exist");
}

// ---- scalar semantics ---------------------------------------------------------

TEST(LoopSemantics, MaxAndMinPropagateNaN) {
  Tensor r = EvalAll(Type::kF32, [](LoopBuilder& b) {
    ExprId nan = b.Const(kNaN, Type::kF32), one = b.Const(1, Type::kF32);
    return std::vector<ExprId>{
        b.Binary(BinaryOp::kMax, nan, one),
        b.Binary(BinaryOp::kMax, one, nan),
        b.Binary(BinaryOp::kMin, nan, one),
        b.Binary(BinaryOp::kMin, one, nan),
        b.Binary(BinaryOp::kMax, one, b.Const(-kInf, Type::kF32)),
        b.Binary(BinaryOp::kMax, b.Const(-0.0, Type::kF32), b.Const(0.0, Type::kF32))};
  });
  std::vector<double> v = Values(r);
  EXPECT_TRUE(std::isnan(v[0]) && std::isnan(v[1]) && std::isnan(v[2]) && std::isnan(v[3]));
  EXPECT_EQ(v[4], 1);
  EXPECT_TRUE(v[5] == 0 && std::signbit(v[5]));  // the first operand, as the tensor interpreter
}

TEST(LoopSemantics, FloatToIntCastsTruncateAndSaturate) {
  Tensor r = EvalAll(Type::kI32, [](LoopBuilder& b) {
    auto f32 = [&](double v) { return b.Cast(Type::kI32, b.Const(v, Type::kF32)); };
    return std::vector<ExprId>{
        f32(2.7),  f32(-2.7), f32(1e10),  f32(-1e10),
        f32(kNaN), f32(kInf), f32(-kInf), b.Cast(Type::kI32, b.Const(-2147483648.9, Type::kF64))};
  });
  EXPECT_THAT(Values(r), ElementsAre(2, -2, 2147483647, -2147483648.0, 0, 2147483647, -2147483648.0,
                                     -2147483648.0));
  Tensor u8 = EvalAll(Type::kU8, [](LoopBuilder& b) {
    return std::vector<ExprId>{
        b.Cast(Type::kU8, b.Const(300.5, Type::kF32)), b.Cast(Type::kU8, b.Const(-3, Type::kF32)),
        b.Cast(Type::kU8, b.Const(300, Type::kI32)), b.Cast(Type::kU8, b.Const(-5, Type::kI32)),
        b.Cast(Type::kU8, b.Const(kNaN, Type::kF64))};
  });
  EXPECT_THAT(Values(u8), ElementsAre(255, 0, 255, 0, 0));
}

TEST(LoopSemantics, CastsToI1CompareWithZero) {
  Tensor r = EvalAll(Type::kI1, [](LoopBuilder& b) {
    return std::vector<ExprId>{
        b.Cast(Type::kI1, b.Const(kNaN, Type::kF32)), b.Cast(Type::kI1, b.Const(0.0, Type::kF32)),
        b.Cast(Type::kI1, b.Const(-0.0, Type::kF64)), b.Cast(Type::kI1, b.Const(0.25, Type::kF32)),
        b.Cast(Type::kI1, b.Const(256, Type::kI32)),  b.Cast(Type::kI1, b.U64(1ULL << 63))};
  });
  EXPECT_THAT(Values(r), ElementsAre(1, 0, 0, 1, 1, 1));
}

TEST(LoopSemantics, IntegerCastsSaturateExceptI64AndU64ShareBits) {
  Tensor r = EvalAll(Type::kU8, [](LoopBuilder& b) {
    std::vector<ExprId> out;
    auto add = [&](std::vector<ExprId> bytes) {
      out.insert(out.end(), bytes.begin(), bytes.end());
    };
    add(Bytes64(b, b.Cast(Type::kU64, b.Const(-1, Type::kI32))));  // sign-extends
    add(Bytes64(b, b.Cast(Type::kI64, b.U64(0xfedcba9876543210ULL))));
    add(Bytes64(b, b.Cast(Type::kI64, b.Const(1e300, Type::kF64))));  // saturates
    add(Bytes64(b, b.Cast(Type::kU64, b.Const(-5, Type::kF32))));
    add(Bytes64(b, b.Cast(Type::kU64, b.Const(kInf, Type::kF32))));
    add(Bytes64(b, b.Cast(Type::kI64, b.Const(kNaN, Type::kF64))));
    return out;
  });
  EXPECT_THAT(Words(r), ElementsAre(0xffffffffffffffffULL, 0xfedcba9876543210ULL,
                                    0x7fffffffffffffffULL, 0, 0xffffffffffffffffULL, 0));
  Tensor i32 = EvalAll(Type::kI32, [](LoopBuilder& b) {
    return std::vector<ExprId>{
        b.Cast(Type::kI32, b.U64(0xffffffffffffffffULL)), b.Cast(Type::kI32, b.Index(-5000000000)),
        b.Cast(Type::kI32, b.Index(5000000000)), b.Cast(Type::kI32, b.Index(-7))};
  });
  EXPECT_THAT(Values(i32), ElementsAre(2147483647, -2147483648.0, 2147483647, -7));
}

TEST(LoopSemantics, I64ToF32RoundsOnceLikeC) {
  // 2^60 + 2^36 + 1 is just above halfway between two f32s; through a double
  // it would first round to the halfway point and then to even (2^60).
  const int64_t x = (int64_t{1} << 60) + (int64_t{1} << 36) + 1;
  Tensor r = EvalAll(Type::kF32, [](LoopBuilder& b) {
    // Binary, not Add: the builder would fold the constants (through a double).
    ExprId v = b.Binary(
        BinaryOp::kAdd,
        b.Binary(BinaryOp::kAdd, b.Index(int64_t{1} << 60), b.Index(int64_t{1} << 36)), b.Index(1));
    ExprId u = b.Binary(BinaryOp::kAdd, b.U64((uint64_t{1} << 63) + (uint64_t{1} << 39)), b.U64(1));
    return std::vector<ExprId>{b.Cast(Type::kF32, v), b.Cast(Type::kF32, u)};
  });
  EXPECT_EQ(r.values<float>()[0], static_cast<float>(x));
  EXPECT_EQ(r.values<float>()[0], 0x1p60f + 0x1p37f);
  EXPECT_EQ(r.values<float>()[1], 0x1p63f + 0x1p40f);
}

TEST(LoopSemantics, F32ArithmeticStaysInF32) {
  Tensor r = EvalAll(Type::kF32, [](LoopBuilder& b) {
    ExprId big = b.Const(1e8, Type::kF32), one = b.Const(1, Type::kF32);
    ExprId third = b.Binary(BinaryOp::kDiv, one, b.Const(3, Type::kF32));
    return std::vector<ExprId>{
        b.Binary(BinaryOp::kSub, b.Binary(BinaryOp::kAdd, big, one), big),  // 1e8 + 1 rounds to 1e8
        b.Binary(BinaryOp::kMul, third, b.Const(3, Type::kF32)),
        b.Unary(UnaryOp::kExp, one),
        b.Binary(BinaryOp::kPow, b.Const(2, Type::kF32), b.Const(0.5, Type::kF32)),
        b.Unary(UnaryOp::kFloor, b.Const(-2.5, Type::kF32)),
        b.Unary(UnaryOp::kAbs, b.Const(-3.5, Type::kF32)),
        b.Unary(UnaryOp::kSqrt, b.Const(-1, Type::kF32)),
        b.Unary(UnaryOp::kLog, b.Const(0, Type::kF32)),
        b.Binary(BinaryOp::kDiv, one, b.Const(-0.0, Type::kF32))};
  });
  std::span<const float> v = r.values<float>();
  EXPECT_EQ(v[0], 0.0f);
  EXPECT_EQ(v[1], (1.0f / 3.0f) * 3.0f);
  EXPECT_EQ(v[2], std::exp(1.0f));
  EXPECT_EQ(v[3], std::pow(2.0f, 0.5f));
  EXPECT_EQ(v[4], -3.0f);
  EXPECT_EQ(v[5], 3.5f);
  EXPECT_TRUE(std::isnan(v[6]));
  EXPECT_EQ(v[7], -std::numeric_limits<float>::infinity());
  EXPECT_EQ(v[8], -std::numeric_limits<float>::infinity());
  Tensor f64 = EvalAll(Type::kF64, [](LoopBuilder& b) {
    ExprId big = b.Const(1e8, Type::kF64), one = b.Const(1, Type::kF64);
    return std::vector<ExprId>{b.Binary(BinaryOp::kSub, b.Binary(BinaryOp::kAdd, big, one), big)};
  });
  EXPECT_THAT(Values(f64), ElementsAre(1));
}

TEST(LoopSemantics, IntegerDivisionNeverTraps) {
  Tensor r = EvalAll(Type::kI32, [](LoopBuilder& b) {
    auto i32 = [&](double v) { return b.Const(v, Type::kI32); };
    const double kMin = -2147483648.0;
    return std::vector<ExprId>{
        b.Binary(BinaryOp::kDiv, i32(7), i32(0)),     b.Binary(BinaryOp::kRem, i32(7), i32(0)),
        b.Binary(BinaryOp::kDiv, i32(kMin), i32(-1)), b.Binary(BinaryOp::kRem, i32(kMin), i32(-1)),
        b.Binary(BinaryOp::kDiv, i32(-7), i32(2)),    b.Binary(BinaryOp::kRem, i32(-7), i32(2)),
        b.Binary(BinaryOp::kRem, i32(7), i32(-2))};
  });
  EXPECT_THAT(Values(r), ElementsAre(0, 0, -2147483648.0, 0, -3, -1, 1));
  Tensor i64 = EvalAll(Type::kU8, [](LoopBuilder& b) {
    ExprId min = b.Binary(BinaryOp::kShl, b.Index(1), b.Index(63));
    std::vector<ExprId> out = Bytes64(b, b.Binary(BinaryOp::kDiv, min, b.Index(-1)));
    std::vector<ExprId> zero = Bytes64(b, b.Binary(BinaryOp::kDiv, b.Index(5), b.Index(0)));
    std::vector<ExprId> u = Bytes64(b, b.Binary(BinaryOp::kDiv, b.U64(~0ULL), b.U64(2)));
    out.insert(out.end(), zero.begin(), zero.end());
    out.insert(out.end(), u.begin(), u.end());
    return out;
  });
  EXPECT_THAT(Words(i64), ElementsAre(0x8000000000000000ULL, 0, 0x7fffffffffffffffULL));
}

TEST(LoopSemantics, IntegerArithmeticWraps) {
  Tensor r = EvalAll(Type::kI32, [](LoopBuilder& b) {
    auto i32 = [&](double v) { return b.Const(v, Type::kI32); };
    return std::vector<ExprId>{b.Binary(BinaryOp::kAdd, i32(2147483647), i32(1)),
                               b.Binary(BinaryOp::kMul, i32(65536), i32(65536)),
                               b.Binary(BinaryOp::kSub, i32(-2147483648.0), i32(1)),
                               b.Unary(UnaryOp::kNeg, i32(-2147483648.0)),
                               b.Unary(UnaryOp::kAbs, i32(-2147483648.0)),
                               b.Unary(UnaryOp::kAbs, i32(-5)),
                               b.Unary(UnaryOp::kNot, i32(5))};
  });
  EXPECT_THAT(Values(r),
              ElementsAre(-2147483648.0, 0, 2147483647, -2147483648.0, -2147483648.0, 5, -6));
  Tensor u8 = EvalAll(Type::kU8, [](LoopBuilder& b) {
    auto u8c = [&](double v) { return b.Const(v, Type::kU8); };
    return std::vector<ExprId>{b.Binary(BinaryOp::kAdd, u8c(200), u8c(100)),
                               b.Binary(BinaryOp::kSub, u8c(1), u8c(2)),
                               b.Binary(BinaryOp::kMul, u8c(16), u8c(17)),
                               b.Unary(UnaryOp::kNeg, u8c(1)), b.Unary(UnaryOp::kNot, u8c(0x0f))};
  });
  EXPECT_THAT(Values(u8), ElementsAre(44, 255, 16, 255, 0xf0));
}

TEST(LoopSemantics, ShiftsMaskTheirAmountAndShrFollowsSignedness) {
  Tensor r = EvalAll(Type::kI32, [](LoopBuilder& b) {
    auto i32 = [&](double v) { return b.Const(v, Type::kI32); };
    return std::vector<ExprId>{b.Binary(BinaryOp::kShr, i32(-8), i32(1)),  // arithmetic
                               b.Binary(BinaryOp::kShl, i32(1), i32(33)),  // 33 & 31 = 1
                               b.Binary(BinaryOp::kShl, i32(1), i32(31)),
                               b.Binary(BinaryOp::kShr, i32(-1), i32(-1))};  // -1 & 31 = 31
  });
  EXPECT_THAT(Values(r), ElementsAre(-4, 2, -2147483648.0, -1));
  Tensor u8 = EvalAll(Type::kU8, [](LoopBuilder& b) {
    auto u8c = [&](double v) { return b.Const(v, Type::kU8); };
    return std::vector<ExprId>{b.Binary(BinaryOp::kShr, u8c(0x80), u8c(7)),  // logical
                               b.Binary(BinaryOp::kShl, u8c(0x81), u8c(1)),
                               b.Binary(BinaryOp::kShl, u8c(1), u8c(9))};  // 9 & 7 = 1
  });
  EXPECT_THAT(Values(u8), ElementsAre(1, 2, 2));
  Tensor wide = EvalAll(Type::kU8, [](LoopBuilder& b) {
    std::vector<ExprId> out = Bytes64(b, b.Binary(BinaryOp::kShr, b.U64(1ULL << 63), b.U64(63)));
    std::vector<ExprId> s = Bytes64(b, b.Binary(BinaryOp::kShr, b.Index(-16), b.Index(2)));
    out.insert(out.end(), s.begin(), s.end());
    return out;
  });
  EXPECT_THAT(Words(wide), ElementsAre(1, static_cast<uint64_t>(int64_t{-4})));
}

TEST(LoopSemantics, ComparesAreSignedOrUnsignedByType) {
  Tensor r = EvalAll(Type::kI1, [](LoopBuilder& b) {
    return std::vector<ExprId>{
        b.Compare(CompareOp::kLt, b.Const(-1, Type::kI32), b.Const(1, Type::kI32)),
        b.Compare(CompareOp::kLt, b.U64(~0ULL), b.U64(1)),
        b.Compare(CompareOp::kGt, b.Const(200, Type::kU8), b.Const(100, Type::kU8)),
        b.Compare(CompareOp::kEq, b.Const(kNaN, Type::kF32), b.Const(kNaN, Type::kF32)),
        b.Compare(CompareOp::kNe, b.Const(kNaN, Type::kF32), b.Const(kNaN, Type::kF32)),
        b.Unary(UnaryOp::kNot, b.Compare(CompareOp::kGe, b.Index(3), b.Index(3))),
        b.Binary(BinaryOp::kXor, b.Const(1, Type::kI1), b.Const(1, Type::kI1))};
  });
  EXPECT_THAT(Values(r), ElementsAre(1, 0, 1, 0, 1, 0, 0));
}

TEST(LoopSemantics, SelectPicksABranch) {
  Tensor r = EvalAll(Type::kF32, [](LoopBuilder& b) {
    ExprId yes = b.Compare(CompareOp::kLt, b.Index(1), b.Index(2));
    ExprId no = b.Compare(CompareOp::kGt, b.Index(1), b.Index(2));
    ExprId a = b.Const(1.5, Type::kF32), c = b.Const(-2, Type::kF32);
    return std::vector<ExprId>{b.Select(yes, a, c), b.Select(no, a, c)};
  });
  EXPECT_THAT(Values(r), ElementsAre(1.5, -2));
}

// SplitMix64's finaliser in u64 arithmetic, as the random_uniform lowering
// builds it.
ExprId Mix(LoopBuilder& b, ExprId z) {
  z = b.Binary(BinaryOp::kMul, b.Binary(BinaryOp::kXor, z, b.Binary(BinaryOp::kShr, z, b.U64(30))),
               b.U64(0xbf58476d1ce4e5b9ULL));
  z = b.Binary(BinaryOp::kMul, b.Binary(BinaryOp::kXor, z, b.Binary(BinaryOp::kShr, z, b.U64(27))),
               b.U64(0x94d049bb133111ebULL));
  return b.Binary(BinaryOp::kXor, z, b.Binary(BinaryOp::kShr, z, b.U64(31)));
}

TEST(LoopSemantics, U64HashingGivesMixBitsExactly) {
  const std::vector<uint64_t> inputs = {0, 1, 0x123456789abcdef0ULL, ~0ULL, 0x9e3779b97f4a7c15ULL};
  Tensor r = EvalAll(Type::kU8, [&](LoopBuilder& b) {
    std::vector<ExprId> out;
    for (uint64_t z : inputs) {
      std::vector<ExprId> bytes = Bytes64(b, Mix(b, b.U64(z)));
      out.insert(out.end(), bytes.begin(), bytes.end());
    }
    return out;
  });
  std::vector<uint64_t> expected;
  for (uint64_t z : inputs) expected.push_back(MixBits(z));
  EXPECT_EQ(Words(r), expected);
}

TEST(LoopSemantics, RandomUniformMatchesTheTensorInterpreter) {
  // The whole counter-based generator of ir/random_hash.h over a loop, with
  // the seed and step read from an i32 input (negative seed included).
  LoopProgram p;
  p.name = "random";
  LoopBuilder b(p);
  const BufferId key_in = AddArg(b, "key", Type::kI32, {2}, BufferKind::kInput);
  const BufferId y = AddArg(b, "y", Type::kF32, {6}, BufferKind::kOutput);
  const int64_t stream = 3;
  ExprId low32 = b.U64(0xffffffffULL);
  ExprId seed = b.Binary(BinaryOp::kAnd, b.Cast(Type::kU64, b.Load(key_in, b.Index(0))), low32);
  ExprId step = b.Binary(BinaryOp::kAnd, b.Cast(Type::kU64, b.Load(key_in, b.Index(1))), low32);
  ExprId key = b.Binary(BinaryOp::kOr, b.Binary(BinaryOp::kShl, seed, b.U64(32)), step);
  const VarId i = b.NewVar();
  ExprId counter =
      b.Binary(BinaryOp::kAdd, b.U64(stream * 0x9e3779b97f4a7c15ULL), b.Cast(Type::kU64, b.Var(i)));
  ExprId bits = Mix(b, b.Binary(BinaryOp::kXor, key, Mix(b, counter)));
  ExprId uniform =
      b.Binary(BinaryOp::kMul, b.Cast(Type::kF32, b.Binary(BinaryOp::kShr, bits, b.U64(40))),
               b.Const(0x1.0p-24, Type::kF32));
  b.AddKernel("%y = random_uniform", {b.For(i, 6, {b.Store(y, b.Var(i), uniform)})});
  auto out = RunProgram(p, {Tensor::FromVector<int>(DType::kI32, {2}, {-7, 12})});
  ASSERT_TRUE(out.ok()) << out.status();
  for (int64_t k = 0; k < 6; ++k) {
    EXPECT_EQ((*out)[0].values<float>()[k], static_cast<float>(RandomUniform(-7, 12, stream, k)));
  }
}

}  // namespace
}  // namespace dlc::loops
