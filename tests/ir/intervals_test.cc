// Interval arithmetic (ir/loops/intervals.h): each operation's range
// against hand-computed bounds, including where the IR's arithmetic wraps.
#include "ir/loops/intervals.h"

#include "gtest/gtest.h"

namespace dlc::loops {
namespace {

void ExpectRange(Interval r, int64_t lo, int64_t hi) {
  EXPECT_EQ(r.lo, lo);
  EXPECT_EQ(r.hi, hi);
}

TEST(Intervals, AddAndMultiplyAreExactUntilTheTypeWraps) {
  ExpectRange(BinaryRange(BinaryOp::kAdd, Type::kI64, {2, 5}, {-3, 10}), -1, 15);
  ExpectRange(BinaryRange(BinaryOp::kMul, Type::kI64, {-2, 3}, {4, 5}), -10, 15);
  // i32 overflow wraps: anything in i32.
  const Interval i32 = TypeRange(Type::kI32);
  ExpectRange(BinaryRange(BinaryOp::kAdd, Type::kI32, {0, i32.hi}, {1, 1}), i32.lo, i32.hi);
  ExpectRange(BinaryRange(BinaryOp::kSub, Type::kU8, {0, 10}, {0, 20}), 0, 255);
}

TEST(Intervals, DivisionByAPossibleZeroIsBoundedByTheDividend) {
  ExpectRange(BinaryRange(BinaryOp::kDiv, Type::kI64, {10, 20}, {2, 5}), 2, 10);
  ExpectRange(BinaryRange(BinaryOp::kDiv, Type::kI64, {-7, 20}, {-1, 3}), -20, 20);
  // |a % b| < |b| and <= |a|, with a's sign.
  ExpectRange(BinaryRange(BinaryOp::kRem, Type::kI64, {0, 100}, {1, 8}), 0, 7);
  // (one bound m = min(max |a|, max |b| - 1) for both signs: sound, not tight)
  ExpectRange(BinaryRange(BinaryOp::kRem, Type::kI64, {-3, 100}, {1, 8}), -7, 7);
}

TEST(Intervals, ShiftsAndBitwiseOperations) {
  ExpectRange(BinaryRange(BinaryOp::kShl, Type::kI64, {1, 3}, {4, 4}), 16, 48);
  ExpectRange(BinaryRange(BinaryOp::kShr, Type::kI64, {-16, 31}, {2, 2}), -4, 7);
  ExpectRange(BinaryRange(BinaryOp::kAnd, Type::kI64, {0, 100}, {0, 7}), 0, 7);
  ExpectRange(BinaryRange(BinaryOp::kOr, Type::kI64, {0, 5}, {0, 9}), 0, 15);
}

TEST(Intervals, UnaryOperationsAndCasts) {
  ExpectRange(UnaryRange(UnaryOp::kNeg, Type::kI64, {-2, 7}), -7, 2);
  ExpectRange(UnaryRange(UnaryOp::kAbs, Type::kI64, {-9, 4}), 0, 9);
  ExpectRange(UnaryRange(UnaryOp::kNot, Type::kI64, {0, 3}), -4, -1);
  // Narrowing saturates; a cast to i1 tells zero from nonzero.
  ExpectRange(CastRange(Type::kI64, {-5, 300}, Type::kU8), 0, 255);
  ExpectRange(CastRange(Type::kI64, {3, 9}, Type::kI1), 1, 1);
  ExpectRange(CastRange(Type::kI64, {0, 9}, Type::kI1), 0, 1);
}

TEST(Intervals, EmptyOperandsGiveEmptyResults) {
  EXPECT_TRUE(BinaryRange(BinaryOp::kAdd, Type::kI64, kEmpty, {0, 1}).empty());
  EXPECT_TRUE(UnaryRange(UnaryOp::kNeg, Type::kI64, kEmpty).empty());
  EXPECT_TRUE(Intersect({0, 3}, {5, 9}).empty());
  ExpectRange(Union(kEmpty, {2, 4}), 2, 4);
  EXPECT_EQ(BoundText(kI64Min), "-inf");
  EXPECT_EQ(BoundText(kI64Max), "inf");
}

}  // namespace
}  // namespace dlc::loops
