// Integer and boolean expressions: wraparound, division without undefined
// behaviour, signed and unsigned orders, shifts, and the u64 hashing of
// random_uniform, in scalar, vector and unrolled loops.
#include <cstdint>
#include <limits>

#include "ir/random_hash.h"
#include "tests/codegen/codegen_test_util.h"

namespace dlc::codegen_test {
namespace {

constexpr int32_t kMin32 = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax32 = std::numeric_limits<int32_t>::max();

const std::vector<int32_t> kA32 = {7, -7, kMin32, kMax32, 0, 5, kMin32, -1, 100, 3, -9, kMax32};
const std::vector<int32_t> kB32 = {2, 2, -1, 1, 0, 0, 1, -1, -7, 31, 4, -1};

// i32 arithmetic as the interpreter defines it (wrapping through uint32_t).
int32_t Wrap(uint32_t x) { return static_cast<int32_t>(x); }
int32_t Div32(int32_t a, int32_t b) {
  if (b == 0) return 0;
  if (a == kMin32 && b == -1) return a;
  return a / b;
}
int32_t Rem32(int32_t a, int32_t b) {
  if (b == 0 || (a == kMin32 && b == -1)) return 0;
  return a % b;
}

template <typename T>
void CheckBinary(Type type, const std::vector<T>& a, const std::vector<T>& b, BinaryOp op,
                 const std::function<T(T, T)>& reference, const std::string& name) {
  CheckElementwise<T, T>(
      type, type, a, b, [op](LoopBuilder& lb, ExprId x, ExprId y) { return lb.Binary(op, x, y); },
      reference, name);
}

template <typename T>
void CheckUnary(Type type, const std::vector<T>& a, UnaryOp op,
                const std::function<T(T)>& reference, const std::string& name) {
  CheckElementwise<T, T>(
      type, type, a, a, [op](LoopBuilder& lb, ExprId x, ExprId) { return lb.Unary(op, x); },
      [reference](T x, T) { return reference(x); }, name);
}

TEST(IntExprTest, I32WrapsAndDividesWithoutUndefinedBehaviour) {
  using T = int32_t;
  const Type t = Type::kI32;
  CheckBinary<T>(
      t, kA32, kB32, BinaryOp::kAdd, [](T a, T b) { return Wrap(uint32_t(a) + uint32_t(b)); },
      "add");
  CheckBinary<T>(
      t, kA32, kB32, BinaryOp::kSub, [](T a, T b) { return Wrap(uint32_t(a) - uint32_t(b)); },
      "sub");
  CheckBinary<T>(
      t, kA32, kB32, BinaryOp::kMul, [](T a, T b) { return Wrap(uint32_t(a) * uint32_t(b)); },
      "mul");
  CheckBinary<T>(t, kA32, kB32, BinaryOp::kDiv, Div32, "div");
  CheckBinary<T>(t, kA32, kB32, BinaryOp::kRem, Rem32, "rem");
  CheckBinary<T>(
      t, kA32, kB32, BinaryOp::kMax, [](T a, T b) { return a < b ? b : a; }, "max");
  CheckBinary<T>(
      t, kA32, kB32, BinaryOp::kMin, [](T a, T b) { return b < a ? b : a; }, "min");
  CheckBinary<T>(
      t, kA32, kB32, BinaryOp::kAnd, [](T a, T b) { return a & b; }, "and");
  CheckBinary<T>(
      t, kA32, kB32, BinaryOp::kOr, [](T a, T b) { return a | b; }, "or");
  CheckBinary<T>(
      t, kA32, kB32, BinaryOp::kXor, [](T a, T b) { return a ^ b; }, "xor");
  // Shift amounts are taken modulo 32.
  CheckBinary<T>(
      t, kA32, kB32, BinaryOp::kShl, [](T a, T b) { return Wrap(uint32_t(a) << (b & 31)); }, "shl");
  CheckBinary<T>(
      t, kA32, kB32, BinaryOp::kShr, [](T a, T b) { return a >> (b & 31); }, "shr (arithmetic)");
  CheckUnary<T>(
      t, kA32, UnaryOp::kNeg, [](T a) { return Wrap(0u - uint32_t(a)); }, "neg");
  CheckUnary<T>(
      t, kA32, UnaryOp::kAbs, [](T a) { return a < 0 ? Wrap(0u - uint32_t(a)) : a; }, "abs");
  CheckUnary<T>(
      t, kA32, UnaryOp::kNot, [](T a) { return ~a; }, "not");
}

TEST(IntExprTest, U8IsUnsignedAndWraps) {
  using T = uint8_t;
  const Type t = Type::kU8;
  const std::vector<T> a = {255, 0, 200, 7, 128, 9, 1};
  const std::vector<T> b = {1, 1, 100, 0, 3, 2, 8};
  CheckBinary<T>(
      t, a, b, BinaryOp::kAdd, [](T x, T y) { return T(x + y); }, "add");
  CheckBinary<T>(
      t, a, b, BinaryOp::kSub, [](T x, T y) { return T(x - y); }, "sub");
  CheckBinary<T>(
      t, a, b, BinaryOp::kMul, [](T x, T y) { return T(x * y); }, "mul");
  CheckBinary<T>(
      t, a, b, BinaryOp::kDiv, [](T x, T y) { return T(y == 0 ? 0 : x / y); }, "div");
  CheckBinary<T>(
      t, a, b, BinaryOp::kRem, [](T x, T y) { return T(y == 0 ? 0 : x % y); }, "rem");
  CheckBinary<T>(
      t, a, b, BinaryOp::kMax, [](T x, T y) { return x < y ? y : x; }, "max");
  CheckBinary<T>(
      t, a, b, BinaryOp::kMin, [](T x, T y) { return y < x ? y : x; }, "min");
  CheckBinary<T>(
      t, a, b, BinaryOp::kShr, [](T x, T y) { return T(x >> (y & 7)); }, "shr (logical)");
  CheckBinary<T>(
      t, a, b, BinaryOp::kShl, [](T x, T y) { return T(x << (y & 7)); }, "shl");
  CheckUnary<T>(
      t, a, UnaryOp::kNeg, [](T x) { return T(-x); }, "neg");
  CheckUnary<T>(
      t, a, UnaryOp::kAbs, [](T x) { return x; }, "abs");
}

TEST(IntExprTest, I64AndU64DivideShiftAndOrderBySignedness) {
  const std::vector<int64_t> a = {INT64_MIN, -9, 9, INT64_MAX, -1, 0};
  const std::vector<int64_t> b = {-1, 2, -2, 0, 63, 5};
  CheckBinary<int64_t>(
      Type::kI64, a, b, BinaryOp::kDiv,
      [](int64_t x, int64_t y) -> int64_t {
        if (y == 0) return 0;
        if (x == INT64_MIN && y == -1) return x;
        return x / y;
      },
      "i64 div");
  CheckBinary<int64_t>(
      Type::kI64, a, b, BinaryOp::kShr, [](int64_t x, int64_t y) { return x >> (y & 63); },
      "i64 shr");
  CheckBinary<int64_t>(
      Type::kI64, a, b, BinaryOp::kMax, [](int64_t x, int64_t y) { return x < y ? y : x; },
      "i64 max");
  const std::vector<uint64_t> ua = {~0ull, 1ull << 63, 12345, 0, 7};
  const std::vector<uint64_t> ub = {3, 1, 0, 9, 1ull << 63};
  CheckBinary<uint64_t>(
      Type::kU64, ua, ub, BinaryOp::kDiv, [](uint64_t x, uint64_t y) { return y == 0 ? 0 : x / y; },
      "u64 div");
  CheckBinary<uint64_t>(
      Type::kU64, ua, ub, BinaryOp::kShr, [](uint64_t x, uint64_t y) { return x >> (y & 63); },
      "u64 shr");
  CheckBinary<uint64_t>(
      Type::kU64, ua, ub, BinaryOp::kMin, [](uint64_t x, uint64_t y) { return y < x ? y : x; },
      "u64 min");
  CheckBinary<uint64_t>(
      Type::kU64, ua, ub, BinaryOp::kMul, [](uint64_t x, uint64_t y) { return x * y; }, "u64 mul");
}

TEST(IntExprTest, U64HashMatchesRandomHash) {
  // SplitMix64's finaliser, built from loop-IR ops as the lowering of
  // random_uniform builds it.
  auto mix = [](LoopBuilder& lb, ExprId z) {
    auto step = [&](ExprId v, uint64_t shift, uint64_t factor) {
      return lb.Binary(BinaryOp::kMul,
                       lb.Binary(BinaryOp::kXor, v, lb.Binary(BinaryOp::kShr, v, lb.U64(shift))),
                       lb.U64(factor));
    };
    z = step(z, 30, 0xbf58476d1ce4e5b9ULL);
    z = step(z, 27, 0x94d049bb133111ebULL);
    return lb.Binary(BinaryOp::kXor, z, lb.Binary(BinaryOp::kShr, z, lb.U64(31)));
  };
  const std::vector<uint64_t> inputs = {0, 1, 42, ~0ull, 0x9e3779b97f4a7c15ULL, 1ull << 40};
  CheckElementwise<uint64_t, uint64_t>(
      Type::kU64, Type::kU64, inputs, inputs,
      [&mix](LoopBuilder& lb, ExprId x, ExprId) { return mix(lb, x); },
      [](uint64_t x, uint64_t) { return MixBits(x); }, "MixBits");
}

TEST(IntExprTest, ComparisonsUseTheTypesOrder) {
  struct Case {
    CompareOp op;
    bool (*reference)(int64_t, int64_t);
    const char* name;
  };
  const Case cases[] = {
      {CompareOp::kEq, +[](int64_t x, int64_t y) { return x == y; }, "eq"},
      {CompareOp::kNe, +[](int64_t x, int64_t y) { return x != y; }, "ne"},
      {CompareOp::kLt, +[](int64_t x, int64_t y) { return x < y; }, "lt"},
      {CompareOp::kLe, +[](int64_t x, int64_t y) { return x <= y; }, "le"},
      {CompareOp::kGt, +[](int64_t x, int64_t y) { return x > y; }, "gt"},
      {CompareOp::kGe, +[](int64_t x, int64_t y) { return x >= y; }, "ge"},
  };
  for (const Case& c : cases) {
    auto make = [&c](LoopBuilder& lb, ExprId x, ExprId y) { return lb.Compare(c.op, x, y); };
    CheckElementwise<int32_t, uint8_t>(
        Type::kI32, Type::kI1, kA32, kB32, make,
        [&c](int32_t x, int32_t y) { return uint8_t(c.reference(x, y)); },
        std::string("i32 ") + c.name);
    // 200 > 100 as u8 (it would be -56 as i8).
    CheckElementwise<uint8_t, uint8_t>(
        Type::kU8, Type::kI1, {200, 100, 5, 255}, {100, 200, 5, 0}, make,
        [&c](uint8_t x, uint8_t y) { return uint8_t(c.reference(x, y)); },
        std::string("u8 ") + c.name);
    CheckElementwise<uint64_t, uint8_t>(
        Type::kU64, Type::kI1, {1ull << 63, 1, 7}, {1, 1ull << 63, 7}, make,
        [&c](uint64_t x, uint64_t y) {
          return uint8_t(c.reference(x > y ? 1 : (x < y ? -1 : 0), 0));
        },
        std::string("u64 ") + c.name);
  }
}

TEST(IntExprTest, BooleansAreOneByteAndCombineBitwise) {
  const std::vector<uint8_t> a = {0, 1, 0, 1};
  const std::vector<uint8_t> b = {0, 0, 1, 1};
  auto check = [&](BinaryOp op, uint8_t (*reference)(uint8_t, uint8_t), const char* name) {
    CheckElementwise<uint8_t, uint8_t>(
        Type::kI1, Type::kI1, a, b,
        [op](LoopBuilder& lb, ExprId x, ExprId y) { return lb.Binary(op, x, y); },
        [reference](uint8_t x, uint8_t y) { return reference(x, y); }, name);
  };
  check(
      BinaryOp::kAnd, +[](uint8_t x, uint8_t y) { return uint8_t(x & y); }, "and");
  check(
      BinaryOp::kOr, +[](uint8_t x, uint8_t y) { return uint8_t(x | y); }, "or");
  check(
      BinaryOp::kXor, +[](uint8_t x, uint8_t y) { return uint8_t(x ^ y); }, "xor");
  CheckElementwise<uint8_t, uint8_t>(
      Type::kI1, Type::kI1, a, b,
      [](LoopBuilder& lb, ExprId x, ExprId) { return lb.Unary(UnaryOp::kNot, x); },
      [](uint8_t x, uint8_t) { return uint8_t(!x); }, "not");
  // A boolean select between i32 values.
  CheckElementwise<uint8_t, uint8_t>(
      Type::kI1, Type::kU8, a, b,
      [](LoopBuilder& lb, ExprId x, ExprId y) {
        return lb.Select(lb.Binary(BinaryOp::kOr, x, y), lb.Const(200, Type::kU8),
                         lb.Const(7, Type::kU8));
      },
      [](uint8_t x, uint8_t y) { return uint8_t((x | y) ? 200 : 7); }, "select");
}

}  // namespace
}  // namespace dlc::codegen_test
