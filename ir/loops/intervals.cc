#include "ir/loops/intervals.h"

#include <algorithm>

#include "support/str_cat.h"

namespace dlc::loops {
namespace {

// Truncating division and remainder as the IR defines them (by 0 gives 0).
__int128 DivOf(__int128 a, __int128 b) { return b == 0 ? 0 : a / b; }

}  // namespace

Interval TypeRange(Type t) {
  switch (t) {
    case Type::kI32:
      return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    case Type::kU8: return {0, 255};
    case Type::kI1: return {0, 1};
    default: return {};
  }
}

// [lo, hi] computed exactly; a result that leaves the type's range wraps,
// so it could be anything in the type.
Interval Fit(__int128 lo, __int128 hi, Type t) {
  const Interval range = TypeRange(t);
  if (lo < range.lo || hi > range.hi) return range;
  return {static_cast<int64_t>(lo), static_cast<int64_t>(hi)};
}

Interval Intersect(Interval a, Interval b) { return {std::max(a.lo, b.lo), std::min(a.hi, b.hi)}; }
Interval Union(Interval a, Interval b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return {std::min(a.lo, b.lo), std::max(a.hi, b.hi)};
}

std::string BoundText(int64_t v) {
  if (v == kI64Min) return "-inf";
  if (v == kI64Max) return "inf";
  return StrCat(v);
}

Interval UnaryRange(UnaryOp op, Type t, Interval a) {
  if (a.empty()) return kEmpty;
  if (op == UnaryOp::kNeg && IsSignedType(t)) return Fit(-__int128{a.hi}, -__int128{a.lo}, t);
  if (op == UnaryOp::kAbs && IsSignedType(t)) {
    if (a.lo >= 0) return a;
    if (a.hi <= 0) return Fit(-__int128{a.hi}, -__int128{a.lo}, t);
    return Fit(0, std::max(-__int128{a.lo}, __int128{a.hi}), t);
  }
  if (op == UnaryOp::kNot && IsSignedType(t))
    return Fit(-__int128{a.hi} - 1, -__int128{a.lo} - 1, t);
  return TypeRange(t);
}

Interval CastRange(Type from, Interval a, Type to) {
  if (a.empty()) return kEmpty;
  if (to == Type::kI1) {
    if (IsFloatType(from) || from == Type::kU64) return {0, 1};
    if (a.lo > 0 || a.hi < 0) return {1, 1};
    if (a.lo == 0 && a.hi == 0) return {0, 0};
    return {0, 1};
  }
  const Interval range = TypeRange(to);
  if (IsFloatType(from)) return range;  // saturates
  if (from == Type::kU64) {
    // The unsigned value: i64 bit casts, narrower types saturate.
    if (to == Type::kI64) return {};
    return {0, range.hi};
  }
  if (to == Type::kU64) return {};
  // Widening keeps the range; narrowing saturates, which clamps it.
  return {std::clamp(a.lo, range.lo, range.hi), std::clamp(a.hi, range.lo, range.hi)};
}

Interval BinaryRange(BinaryOp op, Type t, Interval a, Interval b) {
  if (a.empty() || b.empty()) return kEmpty;
  const __int128 alo = a.lo, ahi = a.hi, blo = b.lo, bhi = b.hi;
  auto corners = [&](auto fn) {
    const __int128 c[4] = {fn(alo, blo), fn(alo, bhi), fn(ahi, blo), fn(ahi, bhi)};
    return Fit(*std::min_element(c, c + 4), *std::max_element(c, c + 4), t);
  };
  auto abs_max = [](Interval x) {
    return std::max(x.lo < 0 ? -__int128{x.lo} : __int128{x.lo},
                    x.hi < 0 ? -__int128{x.hi} : __int128{x.hi});
  };
  const bool b_const = b.lo == b.hi;
  const int bits = t == Type::kI32 ? 32 : t == Type::kU8 ? 8 : 64;
  switch (op) {
    case BinaryOp::kAdd: return Fit(alo + blo, ahi + bhi, t);
    case BinaryOp::kSub: return Fit(alo - bhi, ahi - blo, t);
    case BinaryOp::kMul: return corners([](__int128 x, __int128 y) { return x * y; });
    case BinaryOp::kMax: return {std::max(a.lo, b.lo), std::max(a.hi, b.hi)};
    case BinaryOp::kMin: return {std::min(a.lo, b.lo), std::min(a.hi, b.hi)};
    case BinaryOp::kDiv: {
      if (b.lo > 0 || b.hi < 0) return corners(DivOf);
      // The divisor may be 0 (giving 0): |a / b| <= |a|.
      const __int128 m = abs_max(a);
      return Fit(-m, m, t);
    }
    case BinaryOp::kRem: {
      // |a % b| < |b| and |a % b| <= |a|, with the sign of a (or 0).
      const __int128 m = std::min(abs_max(a), std::max(abs_max(b) - 1, __int128{0}));
      return Fit(a.lo >= 0 ? 0 : -m, a.hi <= 0 ? 0 : m, t);
    }
    case BinaryOp::kShl:
      if (b_const) {
        const int amount = static_cast<int>(static_cast<uint64_t>(b.lo) & (bits - 1));
        return corners([amount](__int128 x, __int128) { return x * (__int128{1} << amount); });
      }
      return TypeRange(t);
    case BinaryOp::kShr:
      if (b_const && IsSignedType(t)) {
        const int amount = static_cast<int>(static_cast<uint64_t>(b.lo) & (bits - 1));
        return {a.lo >> amount, a.hi >> amount};
      }
      if (a.lo >= 0) return {0, a.hi};
      return TypeRange(t);
    case BinaryOp::kAnd:
      if (t == Type::kI1) return {0, 1};
      if (a.lo >= 0 && b.lo >= 0) return {0, std::min(a.hi, b.hi)};
      if (a.lo >= 0) return {0, a.hi};
      if (b.lo >= 0) return {0, b.hi};
      return TypeRange(t);
    case BinaryOp::kOr:
    case BinaryOp::kXor:
      if (t == Type::kI1) return {0, 1};
      if (a.lo >= 0 && b.lo >= 0) {
        // Below the next power of two of the larger operand.
        int64_t bound = 1;
        const int64_t top = std::max(a.hi, b.hi);
        while (bound <= top && bound < (int64_t{1} << 62)) bound <<= 1;
        return bound > top ? Interval{0, bound - 1} : TypeRange(t);
      }
      return TypeRange(t);
    default: return TypeRange(t);
  }
}

}  // namespace dlc::loops
