// Float expressions compiled by the JIT agree bit for bit with the C++ the
// reference interpreter runs (ir/interpreter/scalar_ops.h), in scalar,
// vector and unrolled loops alike; f32 exp and log to 1e-6.
#include <cmath>
#include <limits>
#include <type_traits>

#include "tests/codegen/codegen_test_util.h"

namespace dlc::codegen_test {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// Edge cases in both operand orders: zeros of both signs, NaN, infinities,
// denormals, large and small values.
const std::vector<float> kA = {1.5f, -2.25f, 0.0f,   -0.0f, kNaN, 3.0f,  kInf, -kInf, 1e-40f,
                               7.0f, 1e30f,  -1e-3f, 0.0f,  2.0f, -0.0f, 0.5f, 100.0f};
const std::vector<float> kB = {0.5f,  -0.0f, -0.0f, 0.0f, 1.0f,  kNaN, 2.0f,  -kInf, -1e-40f,
                               -7.0f, 1e10f, 4.0f,  0.0f, -3.0f, kNaN, 0.25f, 0.1f};

template <typename T>
T MaxOf(T a, T b) {
  if (std::isnan(a)) return a;
  if (std::isnan(b)) return b;
  return a < b ? b : a;
}

template <typename T>
T MinOf(T a, T b) {
  if (std::isnan(a)) return a;
  if (std::isnan(b)) return b;
  return b < a ? b : a;
}

template <typename T>
void CheckBinary(Type type, BinaryOp op, T (*reference)(T, T), const char* name) {
  std::vector<T> a(kA.begin(), kA.end()), b(kB.begin(), kB.end());
  CheckElementwise<T, T>(
      type, type, a, b, [op](LoopBuilder& lb, ExprId x, ExprId y) { return lb.Binary(op, x, y); },
      reference, name);
}

template <typename T>
void CheckUnary(Type type, UnaryOp op, T (*reference)(T), const char* name) {
  std::vector<T> a(kA.begin(), kA.end());
  a.push_back(T(-1.5));
  a.push_back(T(2.5));
  CheckElementwise<T, T>(
      type, type, a, a, [op](LoopBuilder& lb, ExprId x, ExprId) { return lb.Unary(op, x); },
      [reference](T x, T) { return reference(x); }, name);
}

template <typename T>
void CheckAllFloatOps(Type type) {
  CheckBinary<T>(
      type, BinaryOp::kAdd, +[](T a, T b) { return a + b; }, "add");
  CheckBinary<T>(
      type, BinaryOp::kSub, +[](T a, T b) { return a - b; }, "sub");
  CheckBinary<T>(
      type, BinaryOp::kMul, +[](T a, T b) { return a * b; }, "mul");
  CheckBinary<T>(
      type, BinaryOp::kDiv, +[](T a, T b) { return a / b; }, "div");
  CheckBinary<T>(
      type, BinaryOp::kMax, +[](T a, T b) { return MaxOf(a, b); }, "max");
  CheckBinary<T>(
      type, BinaryOp::kMin, +[](T a, T b) { return MinOf(a, b); }, "min");
  CheckBinary<T>(
      type, BinaryOp::kPow, +[](T a, T b) { return std::pow(a, b); }, "pow");
  CheckUnary<T>(
      type, UnaryOp::kNeg, +[](T a) { return -a; }, "neg");
  if constexpr (std::is_same_v<T, double>) {  // f32: F32ExpAndLogAreWithin1e6OfTheInterpreter
    CheckUnary<T>(
        type, UnaryOp::kExp, +[](T a) { return std::exp(a); }, "exp");
    CheckUnary<T>(
        type, UnaryOp::kLog, +[](T a) { return std::log(a); }, "log");
  }
  CheckUnary<T>(
      type, UnaryOp::kSqrt, +[](T a) { return std::sqrt(a); }, "sqrt");
  CheckUnary<T>(
      type, UnaryOp::kAbs, +[](T a) { return std::fabs(a); }, "abs");
  CheckUnary<T>(
      type, UnaryOp::kFloor, +[](T a) { return std::floor(a); }, "floor");
}

TEST(FloatExprTest, F32OpsMatchTheInterpreterBitForBit) { CheckAllFloatOps<float>(Type::kF32); }

// The JIT's f32 exp and log are polynomials (passes/codegen/vector_math.h),
// the interpreter's libm: they agree to 1e-6 relative (specials exactly);
// tests/codegen/vector_math_test.cc sweeps the whole range.
TEST(FloatExprTest, F32ExpAndLogAreWithin1e6OfTheInterpreter) {
  std::vector<float> a(kA.begin(), kA.end());
  a.push_back(-1.5f);
  a.push_back(2.5f);
  const AlignedVector<float> x = Cycle(a, 37);
  for (UnaryOp op : {UnaryOp::kExp, UnaryOp::kLog}) {
    for (const LoopShape& shape : kLoopShapes) {
      absl::StatusOr<AlignedVector<float>> got = RunElementwise<float, float>(
          Type::kF32, Type::kF32, x, x,
          [op](LoopBuilder& lb, ExprId v, ExprId) { return lb.Unary(op, v); }, shape);
      ASSERT_TRUE(got.ok()) << shape.name << ": " << got.status();
      for (size_t i = 0; i < x.size(); ++i) {
        const float expected = op == UnaryOp::kExp ? std::exp(x[i]) : std::log(x[i]);
        if (SameValue((*got)[i], expected)) continue;
        EXPECT_NEAR((*got)[i], expected, 1e-6 * std::fabs(expected))
            << (op == UnaryOp::kExp ? "exp" : "log") << " " << shape.name << " of " << x[i];
      }
    }
  }
}

TEST(FloatExprTest, F64OpsMatchTheInterpreterBitForBit) { CheckAllFloatOps<double>(Type::kF64); }

TEST(FloatExprTest, MaxOfSignedZerosKeepsTheFirstOperandLikeTheInterpreter) {
  // max(-0, +0) is -0 and max(+0, -0) is +0 in the interpreter (a < b ? b : a);
  // llvm.maximum would give +0 for both.
  CheckElementwise<float, float>(
      Type::kF32, Type::kF32, {-0.0f, 0.0f}, {0.0f, -0.0f},
      [](LoopBuilder& lb, ExprId x, ExprId y) { return lb.Binary(BinaryOp::kMax, x, y); },
      [](float a, float b) { return MaxOf(a, b); }, "max of zeros");
}

TEST(FloatExprTest, F32MultiplyAddRoundsOnceWhereTheHostHasFma) {
  // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: the product alone rounds the 2^-24 away.
  const float a = 1.0f + 0x1p-12f;
  const float c = -(1.0f + 0x1p-11f);
  const float expected = HostHasFeature("fma") ? std::fma(a, a, c) : a * a + c;
  ASSERT_EQ(std::fma(a, a, c), 0x1p-24f);
  for (bool product_first : {true, false}) {
    CheckElementwise<float, float>(
        Type::kF32, Type::kF32, {a}, {c},
        [product_first](LoopBuilder& lb, ExprId x, ExprId y) {
          ExprId product = lb.Binary(BinaryOp::kMul, x, x);
          return product_first ? lb.Binary(BinaryOp::kAdd, product, y)
                               : lb.Binary(BinaryOp::kAdd, y, product);
        },
        [expected](float, float) { return expected; }, "a*a + c");
  }
  // a*a - (-c) and (-c) - a*a fuse too: fma(a, a, c) and -fma(a, a, c).
  CheckElementwise<float, float>(
      Type::kF32, Type::kF32, {a}, {-c},
      [](LoopBuilder& lb, ExprId x, ExprId y) {
        return lb.Binary(BinaryOp::kSub, lb.Binary(BinaryOp::kMul, x, x), y);
      },
      [expected](float, float) { return expected; }, "a*a - b");
  CheckElementwise<float, float>(
      Type::kF32, Type::kF32, {a}, {-c},
      [](LoopBuilder& lb, ExprId x, ExprId y) {
        return lb.Binary(BinaryOp::kSub, y, lb.Binary(BinaryOp::kMul, x, x));
      },
      [expected](float, float) { return -expected; }, "b - a*a");
}

TEST(FloatExprTest, F64MultiplyAddIsNotFused) {
  // f64 programs are the interpreter's gradient-check precision: exact.
  const double a = 1.0 + 0x1p-27;
  const double c = -(1.0 + 0x1p-26);
  CheckElementwise<double, double>(
      Type::kF64, Type::kF64, {a}, {c},
      [](LoopBuilder& lb, ExprId x, ExprId y) {
        return lb.Binary(BinaryOp::kAdd, lb.Binary(BinaryOp::kMul, x, x), y);
      },
      [](double x, double y) {
        volatile double product = x * x;  // keeps the compiler from fusing
        return product + y;
      },
      "a*a + c");
}

TEST(FloatExprTest, ComparisonsFollowCxxIncludingNaN) {
  const std::vector<float> a = {1.0f, 2.0f, kNaN, 1.0f, -0.0f, kInf};
  const std::vector<float> b = {2.0f, 1.0f, 1.0f, kNaN, 0.0f, kInf};
  struct Case {
    CompareOp op;
    bool (*reference)(float, float);
    const char* name;
  };
  const Case cases[] = {
      {CompareOp::kEq, +[](float x, float y) { return x == y; }, "eq"},
      {CompareOp::kNe, +[](float x, float y) { return x != y; }, "ne"},
      {CompareOp::kLt, +[](float x, float y) { return x < y; }, "lt"},
      {CompareOp::kLe, +[](float x, float y) { return x <= y; }, "le"},
      {CompareOp::kGt, +[](float x, float y) { return x > y; }, "gt"},
      {CompareOp::kGe, +[](float x, float y) { return x >= y; }, "ge"},
  };
  for (const Case& c : cases) {
    CheckElementwise<float, uint8_t>(
        Type::kF32, Type::kI1, a, b,
        [&c](LoopBuilder& lb, ExprId x, ExprId y) { return lb.Compare(c.op, x, y); },
        [&c](float x, float y) { return static_cast<uint8_t>(c.reference(x, y)); }, c.name);
  }
}

TEST(FloatExprTest, SelectPicksPerElement) {
  CheckElementwise<float, float>(
      Type::kF32, Type::kF32, kA, kB,
      [](LoopBuilder& lb, ExprId x, ExprId y) {
        return lb.Select(lb.Compare(CompareOp::kGt, x, y), x, lb.Unary(UnaryOp::kNeg, y));
      },
      [](float x, float y) { return x > y ? x : -y; }, "select");
}

}  // namespace
}  // namespace dlc::codegen_test
