// Gradient checks of matmul and the neural-network ops: autodiff against
// central finite differences in f64, relative error below 1e-6, over
// strides, 'same' and explicit padding, dilation, non-square kernels and
// images, several channels and a batch of 2.
#include "gtest/gtest.h"
#include "support/str_cat.h"
#include "tests/passes/op_gradient_harness.h"

namespace dlc::testing {
namespace {

// ---- matmul ---------------------------------------------------------------

// a·b with m=2, k=3, n=4 (so no two sizes agree), optionally transposed,
// after `batch` leading dimensions.
void ExpectMatMulGradients(Shape batch, bool transpose_a, bool transpose_b) {
  SCOPED_TRACE(StrCat("batch ", ShapeToString(batch), transpose_a ? " transpose_a" : "",
                      transpose_b ? " transpose_b" : ""));
  auto with_batch = [&](std::initializer_list<int64_t> dims) {
    Shape shape = batch;
    shape.insert(shape.end(), dims);
    return shape;
  };
  OpGradientGraph g;
  const ValueId a = g.Input("a", transpose_a ? with_batch({3, 2}) : with_batch({2, 3}));
  const ValueId b = g.Input("b", transpose_b ? with_batch({4, 3}) : with_batch({3, 4}));
  g.ExpectGradientsMatch(
      g.Op(OpKind::kMatMul, {a, b}, {{"transpose_a", transpose_a}, {"transpose_b", transpose_b}}));
}

TEST(MatMulGradients, AllFourTransposeCombinations) {
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) ExpectMatMulGradients({}, ta, tb);
  }
}

TEST(MatMulGradients, BatchedRank3AllFourTransposeCombinations) {
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) ExpectMatMulGradients({2}, ta, tb);
  }
}

TEST(MatMulGradients, OnlyOneOperandDifferentiated) {
  // b is a constant: the rule must build da alone.
  OpGradientGraph g;
  const ValueId a = g.Input("a", {2, 3});
  auto b = g.builder().Constant(TensorType{DType::kF64, {3, 2}}, {0.5, -1, 2, 0.25, -0.75, 1.5});
  ASSERT_TRUE(b.ok()) << b.status();
  g.ExpectGradientsMatch(g.Op(OpKind::kMatMul, {a, *b}));
}

// ---- conv2d ---------------------------------------------------------------

struct ConvCase {
  const char* what;
  Shape x;  // NHWC
  Shape w;  // HWIO
  IntList strides;
  Attribute padding;
  IntList dilations;
};

const ConvCase kConvCases[] = {
    {"valid, stride 1", {2, 5, 6, 2}, {3, 3, 2, 3}, {1, 1}, std::string("valid"), {1, 1}},
    {"same, stride 2, non-square image and kernel",
     {2, 7, 5, 3},
     {3, 2, 3, 2},
     {2, 2},
     std::string("same"),
     {1, 1}},
    {"same, strides 1x2, even kernel (asymmetric padding)",
     {1, 6, 7, 2},
     {2, 4, 2, 3},
     {1, 2},
     std::string("same"),
     {1, 1}},
    {"explicit asymmetric padding [1,0,2,1]",
     {2, 5, 4, 2},
     {2, 3, 2, 2},
     {1, 1},
     IntList{1, 0, 2, 1},
     {1, 1}},
    {"explicit padding with stride 2",
     {1, 6, 5, 1},
     {3, 3, 1, 2},
     {2, 2},
     IntList{0, 2, 1, 1},
     {1, 1}},
    {"dilation 2", {1, 7, 6, 2}, {2, 3, 2, 2}, {1, 1}, std::string("valid"), {2, 2}},
    {"dilation 2x1 with stride 1x2, same",
     {2, 6, 7, 2},
     {3, 2, 2, 3},
     {1, 2},
     std::string("same"),
     {2, 1}},
    {"stride larger than the kernel (unused rows and columns)",
     {1, 7, 8, 1},
     {2, 2, 1, 2},
     {3, 3},
     std::string("valid"),
     {1, 1}},
    {"1x1 kernel, several channels",
     {2, 3, 4, 3},
     {1, 1, 3, 4},
     {1, 1},
     std::string("valid"),
     {1, 1}},
};

TEST(Conv2DGradients, InputAndFilterOverWindowGeometries) {
  for (const ConvCase& c : kConvCases) {
    SCOPED_TRACE(c.what);
    OpGradientGraph g;
    const ValueId x = g.Input("x", c.x);
    const ValueId w = g.Input("w", c.w);
    g.ExpectGradientsMatch(
        g.Op(OpKind::kConv2D, {x, w},
             {{"strides", c.strides}, {"padding", c.padding}, {"dilations", c.dilations}}));
  }
}

// ---- pooling --------------------------------------------------------------

struct PoolCase {
  const char* what;
  Shape x;
  IntList window;
  IntList strides;
  Attribute padding;
};

const PoolCase kPoolCases[] = {
    {"2x2 stride 2", {2, 4, 6, 3}, {2, 2}, {2, 2}, std::string("valid")},
    {"3x3 stride 2 same, non-square image", {2, 7, 5, 2}, {3, 3}, {2, 2}, std::string("same")},
    {"3x3 stride 1 valid (overlapping windows)",
     {1, 5, 6, 2},
     {3, 3},
     {1, 1},
     std::string("valid")},
    {"2x3 strides 2x1 same", {1, 5, 4, 2}, {2, 3}, {2, 1}, std::string("same")},
    {"explicit padding [1,0,2,1]", {1, 4, 5, 2}, {2, 3}, {1, 2}, IntList{1, 0, 2, 1}},
};

void ExpectPoolGradients(OpKind op, Domain domain) {
  for (const PoolCase& c : kPoolCases) {
    SCOPED_TRACE(c.what);
    OpGradientGraph g;
    const ValueId x = g.Input("x", c.x, domain);
    g.ExpectGradientsMatch(
        g.Op(op, {x}, {{"window", c.window}, {"strides", c.strides}, {"padding", c.padding}}));
  }
}

TEST(PoolGradients, MaxPoolWithDistinctValues) {
  ExpectPoolGradients(OpKind::kMaxPool2D, Domain::kDistinct);
}

// With padding, avgpool divides by the real elements of each window only.
TEST(PoolGradients, AvgPoolValidSameAndExplicitPadding) {
  ExpectPoolGradients(OpKind::kAvgPool2D, Domain::kAny);
}

// The gradient of sum(maxpool2d(x)) with respect to x at `values`.
std::vector<double> MaxPoolGradient(Shape shape, std::vector<double> values, IntList window,
                                    IntList strides) {
  OpGradientGraph g;
  const ValueId x = g.Input("x", std::move(shape));
  g.Set("x", std::move(values));
  const ValueId y = g.Op(OpKind::kMaxPool2D, {x}, {{"window", window}, {"strides", strides}});
  auto grads = g.GradientsOfSum(y);
  return grads.empty() ? std::vector<double>{} : grads[0];
}

TEST(PoolGradients, MaxPoolTieSendsTheGradientToTheFirstMaximumOnly) {
  // One 2x2 window of equal values: all of its gradient goes to the first.
  EXPECT_EQ(MaxPoolGradient({1, 2, 2, 1}, {0.5, 0.5, 0.5, 0.5}, {2, 2}, {2, 2}),
            (std::vector<double>{1, 0, 0, 0}));
  // Two channels, each with a three-way tie for its maximum: channel 0's
  // gradient goes to pixel 1, channel 1's to pixel 0.
  EXPECT_EQ(MaxPoolGradient({1, 2, 2, 2}, {-1, 2, 3, 2, 3, 0, 3, 2}, {2, 2}, {2, 2}),
            (std::vector<double>{0, 1, 1, 0, 0, 0, 0, 0}));
  // Overlapping 2x2 windows of a constant 3x3 image, stride 1: each of the
  // four windows picks its own top-left element.
  EXPECT_EQ(MaxPoolGradient({1, 3, 3, 1}, std::vector<double>(9, 1.0), {2, 2}, {1, 1}),
            (std::vector<double>{1, 1, 0, 1, 1, 0, 0, 0, 0}));
}

// ---- softmax and cross-entropy --------------------------------------------

TEST(SoftmaxGradients, SoftmaxOnEachAxisOfRank3) {
  for (int64_t axis : {0, 1, 2, -1, -3}) {
    SCOPED_TRACE(axis);
    OpGradientGraph g;
    const ValueId a = g.Input("a", {2, 3, 4});
    g.ExpectGradientsMatch(g.Op(OpKind::kSoftmax, {a}, {{"axis", axis}}));
  }
}

TEST(SoftmaxGradients, LogSoftmaxOnEachAxisOfRank3) {
  for (int64_t axis : {0, 1, 2, -1, -3}) {
    SCOPED_TRACE(axis);
    OpGradientGraph g;
    const ValueId a = g.Input("a", {2, 3, 4});
    g.ExpectGradientsMatch(g.Op(OpKind::kLogSoftmax, {a}, {{"axis", axis}}));
  }
}

void ExpectCrossEntropyGradients(DType label_type) {
  OpGradientGraph g;
  const ValueId logits = g.Input("logits", {4, 5});
  const ValueId labels = g.Input("labels", {4}, Domain::kAny, label_type);
  g.Set("labels", {3, 0, 4, 3});
  g.ExpectGradientsMatch(g.Op(OpKind::kSoftmaxCrossEntropy, {logits, labels}));
}

TEST(SoftmaxGradients, SoftmaxCrossEntropyWithI32Labels) {
  ExpectCrossEntropyGradients(DType::kI32);
}
TEST(SoftmaxGradients, SoftmaxCrossEntropyWithU8Labels) { ExpectCrossEntropyGradients(DType::kU8); }

}  // namespace
}  // namespace dlc::testing
