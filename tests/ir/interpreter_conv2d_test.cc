// Reference interpreter: conv2d (NHWC input, HWIO filter) with strides,
// "valid", "same" and explicit padding, and dilation.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/builder.h"
#include "ir/interpreter.h"
#include "tests/ir/interpreter_test_util.h"

namespace dlc {
namespace {

using ::dlc::testing::Eval;
using ::dlc::testing::Make;
using ::dlc::testing::Values;
using ::testing::ElementsAre;

// A one-image, one-channel [1,H,W,1] tensor with x[h,w] = 10h + w.
Tensor RampImage(int64_t height, int64_t width) {
  std::vector<double> values;
  for (int64_t h = 0; h < height; ++h) {
    for (int64_t w = 0; w < width; ++w) values.push_back(10.0 * h + w);
  }
  return Make(DType::kF32, {1, height, width, 1}, values);
}

Attributes ConvAttrs(IntList strides, Attribute padding, IntList dilations = {1, 1}) {
  return {{"strides", std::move(strides)},
          {"padding", std::move(padding)},
          {"dilations", std::move(dilations)}};
}

const Attribute kValid = std::string("valid");
const Attribute kSame = std::string("same");

TEST(InterpreterConv2D, ValidConvolutionSumsTheWindowTimesTheFilter) {
  // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,2],[3,4]]:
  // out[0,0] = 1*1 + 2*2 + 4*3 + 5*4 = 37, out[0,1] = 2*1 + 3*2 + 5*3 + 6*4 = 47,
  // out[1,0] = 4*1 + 5*2 + 7*3 + 8*4 = 67, out[1,1] = 5*1 + 6*2 + 8*3 + 9*4 = 77.
  Tensor r = Eval(OpKind::kConv2D, {Make(DType::kF32, {1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9}),
                                    Make(DType::kF32, {2, 2, 1, 1}, {1, 2, 3, 4})});
  EXPECT_EQ(r.type().ToString(), "f32[1,2,2,1]");
  EXPECT_THAT(Values(r), ElementsAre(37, 47, 67, 77));
}

TEST(InterpreterConv2D, MixesInputChannelsIntoEachFilterPerImage) {
  // 1x2 images with 2 channels; image 0 pixels [1,2], [3,4]; image 1 doubled.
  // w[0,0,c,o]: channel 0 -> [1,0,1], channel 1 -> [0,1,1], so each pixel
  // [a,b] becomes [a, b, a+b].
  Tensor r = Eval(OpKind::kConv2D, {Make(DType::kF32, {2, 1, 2, 2}, {1, 2, 3, 4, 2, 4, 6, 8}),
                                    Make(DType::kF32, {1, 1, 2, 3}, {1, 0, 1, 0, 1, 1})});
  EXPECT_EQ(r.type().ToString(), "f32[2,1,2,3]");
  EXPECT_THAT(Values(r), ElementsAre(1, 2, 3, 3, 4, 7, 2, 4, 6, 6, 8, 14));
}

TEST(InterpreterConv2D, StridedValidConvolutionSkipsPositions) {
  // x = 1..16 in 4x4, 2x2 ones filter, stride 2: sums of the four 2x2 blocks,
  // 1+2+5+6 = 14, 3+4+7+8 = 22, 9+10+13+14 = 46, 11+12+15+16 = 54.
  std::vector<double> x(16);
  for (int i = 0; i < 16; ++i) x[i] = i + 1;
  Tensor r =
      Eval(OpKind::kConv2D,
           {Make(DType::kF32, {1, 4, 4, 1}, x), Make(DType::kF32, {2, 2, 1, 1}, {1, 1, 1, 1})},
           ConvAttrs({2, 2}, kValid));
  EXPECT_EQ(r.type().ToString(), "f32[1,2,2,1]");
  EXPECT_THAT(Values(r), ElementsAre(14, 22, 46, 54));
}

TEST(InterpreterConv2D, SamePaddingWithStride2OnANonSquareImageAndKernel) {
  // Image 5x7 with x[h,w] = 10h + w, a 4x2 ones filter, strides 2, "same":
  //   rows: out = ceil(5/2) = 3, pad total (3-1)*2 + 4 - 5 = 3 -> top 1, bottom 2;
  //   cols: out = ceil(7/2) = 4, pad total (4-1)*2 + 2 - 7 = 1 -> left 0, right 1.
  // Window rows (ih = 2*oh - 1 + kh, clipped to 0..4): {0,1,2}, {1,2,3,4}, {3,4}.
  // Window cols (iw = 2*ow + kw, clipped to 0..6): {0,1}, {2,3}, {4,5}, {6}.
  // sum over rows R, cols C of (10h + w) = |C| * sum(10h in R) + |R| * sum(w in C):
  //   sum(10h): 30, 100, 70 (|R| = 3, 4, 2); sum(w): 1, 5, 9, 6 (|C| = 2, 2, 2, 1).
  //   row 0: 2*30+3*1 = 63, 60+3*5 = 75, 60+3*9 = 87, 30+3*6 = 48
  //   row 1: 2*100+4*1 = 204, 200+20 = 220, 200+36 = 236, 100+24 = 124
  //   row 2: 2*70+2*1 = 142, 140+10 = 150, 140+18 = 158, 70+12 = 82
  Tensor r = Eval(OpKind::kConv2D,
                  {RampImage(5, 7), Make(DType::kF32, {4, 2, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1})},
                  ConvAttrs({2, 2}, kSame));
  EXPECT_EQ(r.type().ToString(), "f32[1,3,4,1]");
  EXPECT_THAT(Values(r), ElementsAre(63, 75, 87, 48, 204, 220, 236, 124, 142, 150, 158, 82));
}

TEST(InterpreterConv2D, ExplicitPaddingCountsPaddedPositionsAsZero) {
  // x = [[1,2],[3,4]], w = [[1,2],[3,4]], padding [top 1, bottom 0, left 0, right 1]:
  // the padded input is [[0,0,0],[1,2,0],[3,4,0]], output 2x2:
  //   out[0,0] = 3*1 + 4*2 = 11      out[0,1] = 3*2 = 6
  //   out[1,0] = 1+4+9+16 = 30       out[1,1] = 1*2 + 3*4 = 14
  Tensor r = Eval(OpKind::kConv2D,
                  {Make(DType::kF32, {1, 2, 2, 1}, {1, 2, 3, 4}),
                   Make(DType::kF32, {2, 2, 1, 1}, {1, 2, 3, 4})},
                  ConvAttrs({1, 1}, IntList{1, 0, 0, 1}));
  EXPECT_EQ(r.type().ToString(), "f32[1,2,2,1]");
  EXPECT_THAT(Values(r), ElementsAre(11, 6, 30, 14));
}

TEST(InterpreterConv2D, DilationSpreadsTheFilterTaps) {
  // 5x5 image x[h,w] = 10h + w, w = [[1,2],[3,4]], dilations [2,1]: taps at
  // (oh,ow), (oh,ow+1), (oh+2,ow), (oh+2,ow+1); output 3x4.
  // out = 1x + 2(x+1) + 3(x+20) + 4(x+21) = 10x + 146 with x = 10oh + ow.
  Tensor r = Eval(OpKind::kConv2D, {RampImage(5, 5), Make(DType::kF32, {2, 2, 1, 1}, {1, 2, 3, 4})},
                  ConvAttrs({1, 1}, kValid, {2, 1}));
  EXPECT_EQ(r.type().ToString(), "f32[1,3,4,1]");
  EXPECT_THAT(Values(r), ElementsAre(146, 156, 166, 176, 246, 256, 266, 276, 346, 356, 366, 376));
}

TEST(InterpreterConv2D, F64ConvolutionComputesInDouble) {
  // 1 + 2^-30 survives in f64 only.
  const double tiny = 1.0 / 1073741824.0;
  Tensor r = Eval(OpKind::kConv2D, {Make(DType::kF64, {1, 1, 2, 1}, {1, tiny}),
                                    Make(DType::kF64, {1, 2, 1, 1}, {1, 1})});
  EXPECT_EQ(r.type().ToString(), "f64[1,1,1,1]");
  EXPECT_THAT(Values(r), ElementsAre(1 + tiny));
}

TEST(InterpreterConv2D, MnistSizedBatchWithSamePadding) {
  // 32 images of 28x28 ones, 32 3x3 filters with w[...,o] = o: an interior
  // output sees 9 taps (9o), a corner 4 (4o), an edge 6 (6o).
  Tensor x(DType::kF32, {32, 28, 28, 1});
  for (float& v : x.values<float>()) v = 1;
  Tensor w(DType::kF32, {3, 3, 1, 32});
  std::span<float> taps = w.values<float>();
  for (size_t i = 0; i < taps.size(); ++i) taps[i] = static_cast<float>(i % 32);
  Tensor r = Eval(OpKind::kConv2D, {x, w}, ConvAttrs({1, 1}, kSame));
  ASSERT_EQ(r.type().ToString(), "f32[32,28,28,32]");
  auto at = [&](int64_t n, int64_t h, int64_t ww, int64_t o) {
    return r.GetDouble(((n * 28 + h) * 28 + ww) * 32 + o);
  };
  EXPECT_EQ(at(31, 14, 14, 5), 45);
  EXPECT_EQ(at(0, 0, 0, 7), 28);
  EXPECT_EQ(at(3, 0, 10, 2), 12);
  EXPECT_EQ(at(17, 27, 27, 31), 124);
}

}  // namespace
}  // namespace dlc
