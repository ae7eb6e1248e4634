// JIT-compiled programs against the loop IR's reference interpreter
// (ir/loops/loop_interpreter.h): every op on every type it is defined for,
// every cast, under every loop kind. Outputs must agree bit for bit, except
// f32 results that may fuse a multiply-add (relative 1e-5) and f32 exp and
// log (relative 1e-6: the JIT's are polynomials, passes/codegen/vector_math.h).
#include <cmath>
#include <cstring>
#include <limits>

#include "ir/loops/loop_interpreter.h"
#include "runtime/jit/thread_pool.h"
#include "tests/codegen/codegen_test_util.h"

namespace dlc::codegen_test {
namespace {

constexpr int64_t kN = 37;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

const Type kAllTypes[] = {Type::kF32, Type::kF64, Type::kI32, Type::kU8,
                          Type::kI1,  Type::kI64, Type::kU64};

// The program's inputs, one per tensor type, and their values.
struct Inputs {
  BufferId f, g, d, k, m, u, v, b;
  std::vector<Tensor> tensors;
};

Inputs AddInputs(TestProgram& p) {
  Inputs in;
  in.f = p.Input("f", Type::kF32, kN);
  in.g = p.Input("g", Type::kF32, kN);
  in.d = p.Input("d", Type::kF64, kN);
  in.k = p.Input("k", Type::kI32, kN);
  in.m = p.Input("m", Type::kI32, kN);
  in.u = p.Input("u", Type::kU8, kN);
  in.v = p.Input("v", Type::kU8, kN);
  in.b = p.Input("b", Type::kI1, kN);
  const std::vector<float> fs = {1.5f, -2.25f, 0.0f, -0.0f,  kNaN,  3e9f,    kInf, -kInf, 1e-40f,
                                 7.0f, -1e10f, 0.7f, 255.5f, -0.5f, 100.25f, 2.0f, -3.0f};
  const std::vector<float> gs = {0.5f,  -0.0f, 0.0f, 1.0f, 2.0f, kNaN,
                                 -7.0f, 4.0f,  3.0f, 0.1f, -0.2f};
  const std::vector<double> ds = {0.1, -1e300, 2.5, -0.0, NAN, 4e9, -3.7, 1e-310, 255.9};
  const std::vector<int32_t> ks = {7, -7, INT32_MIN, INT32_MAX, 0, 5, -1, 100, 3, -9, 300, 65536};
  const std::vector<int32_t> ms = {2, 2, -1, 1, 0, 0, -1, -7, 31, 4, 33, -3, 1};
  const std::vector<uint8_t> us = {255, 0, 200, 7, 128, 9, 1, 64};
  const std::vector<uint8_t> vs = {1, 1, 100, 0, 3, 2, 8, 255, 9};
  const std::vector<uint8_t> bs = {0, 1, 1, 0, 1};
  auto cycle = [](const auto& values) {
    std::vector<std::decay_t<decltype(values[0])>> out(kN);
    for (int64_t i = 0; i < kN; ++i) out[i] = values[i % values.size()];
    return out;
  };
  in.tensors.push_back(Tensor::FromVector(DType::kF32, {kN}, cycle(fs)));
  in.tensors.push_back(Tensor::FromVector(DType::kF32, {kN}, cycle(gs)));
  in.tensors.push_back(Tensor::FromVector(DType::kF64, {kN}, cycle(ds)));
  in.tensors.push_back(Tensor::FromVector(DType::kI32, {kN}, cycle(ks)));
  in.tensors.push_back(Tensor::FromVector(DType::kI32, {kN}, cycle(ms)));
  in.tensors.push_back(Tensor::FromVector(DType::kU8, {kN}, cycle(us)));
  in.tensors.push_back(Tensor::FromVector(DType::kU8, {kN}, cycle(vs)));
  in.tensors.push_back(Tensor::FromVector(DType::kI1, {kN}, cycle(bs)));
  return in;
}

// An expression over element i: how to build it, and how far the JIT's f32
// result may be from the interpreter's, relative (0: bit for bit).
struct Case {
  std::string name;
  std::function<ExprId(LoopBuilder&, ExprId)> make;
  float tolerance = 0;
};

constexpr float kFusedTolerance = 1e-5f;   // an f32 multiply-add may fuse
constexpr float kExpLogTolerance = 1e-6f;  // f32 exp and log

// Two operands of each type at element i.
struct Operands {
  const Inputs& in;
  ExprId Of(LoopBuilder& b, Type type, ExprId i, bool second = false) const {
    switch (type) {
      case Type::kF32: return b.Load(second ? in.g : in.f, i);
      case Type::kF64:
        return b.Load(in.d, second ? b.Binary(BinaryOp::kSub, b.Index(kN - 1), i) : i);
      case Type::kI32: return b.Load(second ? in.m : in.k, i);
      case Type::kU8: return b.Load(second ? in.v : in.u, i);
      case Type::kI1: return second ? b.Unary(UnaryOp::kNot, b.Load(in.b, i)) : b.Load(in.b, i);
      case Type::kI64: {  // spans the whole 64 bits
        ExprId high = b.Binary(BinaryOp::kMul, b.Cast(Type::kI64, b.Load(in.k, i)),
                               b.Index(int64_t{1} << 33));
        ExprId low = b.Cast(Type::kI64, b.Load(second ? in.k : in.m, i));
        return b.Binary(BinaryOp::kAdd, high, low);
      }
      case Type::kU64: {
        ExprId hashed = b.Binary(BinaryOp::kMul, b.Cast(Type::kU64, b.Load(in.k, i)),
                                 b.U64(0x9e3779b97f4a7c15ULL));
        return b.Binary(BinaryOp::kXor, hashed,
                        b.Cast(Type::kU64, b.Load(second ? in.u : in.m, i)));
      }
    }
    return -1;
  }
};

std::vector<Case> AllCases(const Inputs& in) {
  const Operands ops{in};
  std::vector<Case> cases;
  const BinaryOp arithmetic[] = {BinaryOp::kAdd, BinaryOp::kSub, BinaryOp::kMul,
                                 BinaryOp::kDiv, BinaryOp::kMax, BinaryOp::kMin};
  const BinaryOp integer_only[] = {BinaryOp::kRem, BinaryOp::kShl, BinaryOp::kShr,
                                   BinaryOp::kAnd, BinaryOp::kOr,  BinaryOp::kXor};
  const CompareOp compares[] = {CompareOp::kEq, CompareOp::kNe, CompareOp::kLt,
                                CompareOp::kLe, CompareOp::kGt, CompareOp::kGe};
  for (Type t : kAllTypes) {
    const std::string tn(loops::TypeName(t));
    auto binary = [&](BinaryOp op, std::string name) {
      cases.push_back({tn + " " + name, [ops, t, op](LoopBuilder& b, ExprId i) {
                         return b.Binary(op, ops.Of(b, t, i), ops.Of(b, t, i, true));
                       }});
    };
    auto unary = [&](UnaryOp op, std::string name) {
      const bool f32_exp_log = t == Type::kF32 && (op == UnaryOp::kExp || op == UnaryOp::kLog);
      cases.push_back(
          {tn + " " + name,
           [ops, t, op](LoopBuilder& b, ExprId i) { return b.Unary(op, ops.Of(b, t, i)); },
           f32_exp_log ? kExpLogTolerance : 0});
    };
    if (t != Type::kI1) {
      for (BinaryOp op : arithmetic) binary(op, "arith" + std::to_string(static_cast<int>(op)));
      unary(UnaryOp::kNeg, "neg");
      unary(UnaryOp::kAbs, "abs");
    }
    if (loops::IsFloatType(t)) {
      binary(BinaryOp::kPow, "pow");
      for (UnaryOp op : {UnaryOp::kExp, UnaryOp::kLog, UnaryOp::kSqrt, UnaryOp::kFloor}) {
        unary(op, "unary" + std::to_string(static_cast<int>(op)));
      }
    } else {
      for (BinaryOp op : integer_only) {
        if (t == Type::kI1 &&
            (op == BinaryOp::kRem || op == BinaryOp::kShl || op == BinaryOp::kShr))
          continue;
        binary(op, "int" + std::to_string(static_cast<int>(op)));
      }
      unary(UnaryOp::kNot, "not");
    }
    for (CompareOp op : compares) {
      cases.push_back({tn + " compare" + std::to_string(static_cast<int>(op)),
                       [ops, t, op](LoopBuilder& b, ExprId i) {
                         return b.Compare(op, ops.Of(b, t, i), ops.Of(b, t, i, true));
                       }});
    }
    cases.push_back({tn + " select", [ops, t](LoopBuilder& b, ExprId i) {
                       return b.Select(ops.Of(b, Type::kI1, i), ops.Of(b, t, i),
                                       ops.Of(b, t, i, true));
                     }});
    for (Type to : kAllTypes) {
      if (to == t) continue;
      cases.push_back(
          {tn + "->" + std::string(loops::TypeName(to)),
           [ops, t, to](LoopBuilder& b, ExprId i) { return b.Cast(to, ops.Of(b, t, i)); }});
    }
  }
  // Fused candidates, and loads whose index is not the loop variable.
  cases.push_back(
      {"f32 a*b+c",
       [ops](LoopBuilder& b, ExprId i) {
         ExprId product =
             b.Binary(BinaryOp::kMul, ops.Of(b, Type::kF32, i), ops.Of(b, Type::kF32, i, true));
         return b.Binary(BinaryOp::kAdd, product, b.Cast(Type::kF32, ops.Of(b, Type::kI32, i)));
       },
       kFusedTolerance});
  cases.push_back(
      {"f32 c-a*b",
       [ops](LoopBuilder& b, ExprId i) {
         ExprId product =
             b.Binary(BinaryOp::kMul, ops.Of(b, Type::kF32, i), ops.Of(b, Type::kF32, i, true));
         return b.Binary(BinaryOp::kSub, b.Cast(Type::kF32, ops.Of(b, Type::kU8, i)), product);
       },
       kFusedTolerance});
  cases.push_back({"gather 3i%n", [in](LoopBuilder& b, ExprId i) {
                     return b.Load(in.f, b.Binary(BinaryOp::kRem, b.Mul(i, 3), b.Index(kN)));
                   }});
  cases.push_back({"gather clamped label", [in](LoopBuilder& b, ExprId i) {
                     ExprId label =
                         b.Binary(BinaryOp::kMin,
                                  b.Binary(BinaryOp::kMax, b.Load(in.k, i), b.Const(0, Type::kI32)),
                                  b.Const(kN - 1, Type::kI32));
                     return b.Load(in.d, b.Cast(Type::kI64, label));
                   }});
  cases.push_back({"broadcast", [in](LoopBuilder& b, ExprId) { return b.Load(in.g, b.Index(3)); }});
  cases.push_back({"loop variable", [](LoopBuilder& b, ExprId i) {
                     return b.Binary(BinaryOp::kMul, b.Cast(Type::kF32, i),
                                     b.Const(0.25, Type::kF32));
                   }});
  return cases;
}

// Stores `value` at element i of outputs that can hold it: i64 and u64 (no
// tensor holds them) as three 21- or 22-bit parts in i32.
std::vector<StmtId> StoreResult(TestProgram& p, LoopBuilder& b, const std::string& name,
                                ExprId value, ExprId i) {
  const Type type = b.expr(value).type;
  if (type != Type::kI64 && type != Type::kU64) {
    BufferId out = p.Output(name, type, kN);
    return {b.Store(out, i, value)};
  }
  BufferId out = p.Output(name, Type::kI32, 3 * kN);
  ExprId bits = b.Cast(Type::kU64, value);
  std::vector<StmtId> stores;
  for (int part = 0; part < 3; ++part) {
    ExprId shifted = b.Binary(BinaryOp::kShr, bits, b.U64(21 * part));
    ExprId masked = b.Binary(BinaryOp::kAnd, shifted, b.U64((1ull << 22) - 1));
    stores.push_back(b.Store(out, b.Add(b.Mul(i, 3), b.Index(part)), b.Cast(Type::kI32, masked)));
  }
  return stores;
}

bool CloseEnough(const Tensor& jit, const Tensor& interpreted, int64_t index, float tolerance) {
  if (jit.dtype() == DType::kF32) {
    const float a = jit.values<float>()[index], b = interpreted.values<float>()[index];
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    if (std::memcmp(&a, &b, sizeof a) == 0) return true;
    return std::fabs(a - b) <= tolerance * std::max(std::fabs(a), std::fabs(b));
  }
  if (jit.dtype() == DType::kF64) {
    const double a = jit.values<double>()[index], b = interpreted.values<double>()[index];
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return std::memcmp(&a, &b, sizeof a) == 0;
  }
  return jit.GetDouble(index) == interpreted.GetDouble(index);
}

// One kernel per case, all under `shape`; JIT and interpreter compared.
void CheckParity(LoopKind kind, int width) {
  TestProgram p("parity");
  Inputs in = AddInputs(p);
  std::vector<Case> cases = AllCases(in);
  std::vector<float> tolerance;
  for (const Case& c : cases) {
    LoopBuilder& b = p.b();
    VarId v = b.NewVar();
    ExprId i = b.Var(v);
    p.Kernel(
        {b.For(v, kN, StoreResult(p, b, "out" + std::to_string(tolerance.size()), c.make(b, i), i),
               kind, width)},
        c.name);
    tolerance.push_back(c.tolerance);
  }
  p.program().arguments.clear();
  for (size_t id = 0; id < p.program().buffers.size(); ++id) {
    p.program().arguments.push_back(static_cast<BufferId>(id));  // inputs were added first
  }

  std::vector<const Tensor*> input_pointers;
  for (const Tensor& t : in.tensors) input_pointers.push_back(&t);
  absl::StatusOr<std::vector<Tensor>> expected = loops::RunLoopProgram(p.program(), input_pointers);
  ASSERT_TRUE(expected.ok()) << expected.status();
  ASSERT_EQ(expected->size(), cases.size());

  std::vector<Tensor> outputs;
  std::vector<void*> args;
  for (Tensor& t : in.tensors) args.push_back(t.raw_data());
  for (const Tensor& e : *expected) outputs.emplace_back(e.type());
  for (Tensor& t : outputs) args.push_back(t.raw_data());
  absl::StatusOr<int32_t> code = p.Run(args);
  ASSERT_TRUE(code.ok()) << code.status();
  ASSERT_EQ(*code, 0);
  for (size_t c = 0; c < cases.size(); ++c) {
    for (int64_t e = 0; e < outputs[c].num_elements(); ++e) {
      EXPECT_TRUE(CloseEnough(outputs[c], (*expected)[c], e, tolerance[c]))
          << cases[c].name << " element " << e << ": JIT " << outputs[c].GetDouble(e)
          << ", interpreter " << (*expected)[c].GetDouble(e);
    }
  }
}

TEST(ParityTest, SerialLoopsMatchTheInterpreter) { CheckParity(LoopKind::kSerial, 1); }
TEST(ParityTest, VectorizedLoopsMatchTheInterpreter) { CheckParity(LoopKind::kVectorized, 16); }
TEST(ParityTest, UnrolledLoopsMatchTheInterpreter) { CheckParity(LoopKind::kUnrolled, 4); }
TEST(ParityTest, ParallelLoopsMatchTheInterpreter) {
  const int saved = jit::ThreadCount();
  jit::SetThreadCount(2);
  CheckParity(LoopKind::kParallel, 1);
  jit::SetThreadCount(saved);
}

}  // namespace
}  // namespace dlc::codegen_test
