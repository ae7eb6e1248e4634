// Interval arithmetic over the loop IR's integer types: the values an
// integer expression may take, as the loop verifier proves its indices in
// bounds (loop_verifier.cc keeps the facts guards add; this file only
// computes). Results are exact where they fit the type and widen to the
// type's whole range where the IR's arithmetic would wrap.
#ifndef DLC_IR_LOOPS_INTERVALS_H_
#define DLC_IR_LOOPS_INTERVALS_H_

#include <cstdint>
#include <limits>
#include <string>

#include "ir/loops/loop_ir.h"

namespace dlc::loops {

inline constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();

// The values an integer expression may take: [lo, hi], empty when lo > hi.
// u64 values are not tracked (their range is the whole i64 range, and only
// casts from u64 narrow it).
struct Interval {
  int64_t lo = kI64Min;
  int64_t hi = kI64Max;
  bool empty() const { return lo > hi; }
};

inline constexpr Interval kEmpty{1, 0};

// Every value of type t (the whole i64 range for i64, u64 and floats).
Interval TypeRange(Type t);
// [lo, hi] computed exactly; a result that leaves the type's range wraps,
// so it could be anything in the type.
Interval Fit(__int128 lo, __int128 hi, Type t);
Interval Intersect(Interval a, Interval b);
Interval Union(Interval a, Interval b);
// A bound as text: -inf and inf for the i64 extremes.
std::string BoundText(int64_t v);

// The range of an operation of result type t on operands in these ranges
// (the IR's semantics: division by 0 gives 0, shifts take their amount
// modulo the width, casts to narrower types saturate).
Interval UnaryRange(UnaryOp op, Type t, Interval a);
Interval BinaryRange(BinaryOp op, Type t, Interval a, Interval b);
Interval CastRange(Type from, Interval a, Type to);

}  // namespace dlc::loops

#endif  // DLC_IR_LOOPS_INTERVALS_H_
