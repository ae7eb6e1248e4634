#include "ir/window.h"

#include "gtest/gtest.h"
#include "ir/shape_util.h"

namespace dlc {
namespace {

TEST(Window2D, ValidPaddingShrinksByKernelMinusOne) {
  auto w = ResolveWindow2D(28, 28, 3, 3, {1, 1}, {1, 1}, std::string("valid"));
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->out_h, 26);
  EXPECT_EQ(w->out_w, 26);
  EXPECT_EQ(w->pad_top + w->pad_bottom + w->pad_left + w->pad_right, 0);
}

TEST(Window2D, SamePaddingPutsTheExtraRowAfter) {
  // 5 wide, kernel 4, stride 2: out = ceil(5/2) = 3, total pad = (3-1)*2+4-5 = 3.
  auto w = ResolveWindow2D(5, 5, 4, 4, {2, 2}, {1, 1}, std::string("same"));
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->out_h, 3);
  EXPECT_EQ(w->pad_top, 1);
  EXPECT_EQ(w->pad_bottom, 2);
}

TEST(Window2D, ExplicitPaddingAndDilation) {
  // Kernel 3 with dilation 2 spans 5; 7 + 1 + 1 = 9 padded -> (9-5)/2+1 = 3.
  auto w = ResolveWindow2D(7, 6, 3, 1, {2, 1}, {2, 1}, IntList{1, 1, 0, 0});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->out_h, 3);
  EXPECT_EQ(w->out_w, 6);
}

TEST(Window2D, RejectsWindowLargerThanPaddedInput) {
  auto w = ResolveWindow2D(2, 2, 3, 3, {1, 1}, {1, 1}, std::string("valid"));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().message(), "window 3x3 is larger than the padded input 2x2");
}

TEST(Window2D, RejectsNonPositiveStride) {
  auto w = ResolveWindow2D(8, 8, 3, 3, {0, 1}, {1, 1}, std::string("valid"));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().message(), "strides must be positive, got [0,1]");
}

TEST(Window2D, RejectsNegativeAndMalformedPadding) {
  EXPECT_FALSE(ResolveWindow2D(8, 8, 3, 3, {1, 1}, {1, 1}, IntList{-1, 0, 0, 0}).ok());
  EXPECT_FALSE(ResolveWindow2D(8, 8, 3, 3, {1, 1}, {1, 1}, IntList{1, 1}).ok());
  EXPECT_FALSE(ResolveWindow2D(8, 8, 3, 3, {1, 1}, {1, 1}, std::string("full")).ok());
}

TEST(BroadcastShapes, AlignsAtTheRight) {
  auto s = BroadcastShapes({4, 1, 3}, {5, 1});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, (Shape{4, 5, 3}));
  EXPECT_FALSE(BroadcastShapes({2, 3}, {4, 3}).ok());
  EXPECT_EQ(*BroadcastShapes({}, {2}), (Shape{2}));
}

TEST(NormalizeAxes, NegativeAxesAndRepeats) {
  EXPECT_EQ(*NormalizeAxes({-1, 0}, 3), (IntList{2, 0}));
  EXPECT_FALSE(NormalizeAxes({1, -2}, 3).ok());  // -2 is axis 1 again
  EXPECT_FALSE(NormalizeAxes({3}, 3).ok());
}

}  // namespace
}  // namespace dlc

namespace dlc {
namespace {

TEST(Window2D, HugeKernelTimesDilationIsAnErrorNotAnOverflow) {
  const int64_t big = int64_t{1} << 40;
  auto w = ResolveWindow2D(8, 8, big, 1, {1, 1}, {big, 1}, std::string("valid"));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().message(), "window times dilation is beyond 2^40");
}

}  // namespace
}  // namespace dlc
