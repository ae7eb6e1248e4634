// Reference interpreter: the ops reverse-mode autodiff emits —
// conv2d_backprop_input, conv2d_backprop_filter, maxpool2d_grad,
// avgpool2d_grad — and pad's interior padding. Small cases are computed by
// hand; the conv backprops and avgpool2d_grad are also checked to be the exact
// adjoints of their forward ops (<f(x), dy> == <x, f^T(dy)>) in f64.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/builder.h"
#include "ir/cost.h"
#include "ir/interpreter.h"
#include "support/str_cat.h"
#include "tests/ir/interpreter_test_util.h"

namespace dlc {
namespace {

using ::dlc::testing::Eval;
using ::dlc::testing::Make;
using ::dlc::testing::TryEval;
using ::dlc::testing::Values;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A one-image, one-channel [1,H,W,1] tensor in row-major order.
Tensor Image(int64_t height, int64_t width, const std::vector<double>& values,
             DType dtype = DType::kF32) {
  return Make(dtype, {1, height, width, 1}, values);
}

// A [KH,KW,1,1] filter.
Tensor Filter(int64_t height, int64_t width, const std::vector<double>& values,
              DType dtype = DType::kF32) {
  return Make(dtype, {height, width, 1, 1}, values);
}

const Attribute kValid = std::string("valid");
const Attribute kSame = std::string("same");

// Attributes of conv2d, and of its backprops with `shape_attr` (input_shape
// or filter_shape) added.
Attributes ConvAttrs(IntList strides, Attribute padding, IntList dilations = {1, 1}) {
  return {{"strides", std::move(strides)},
          {"padding", std::move(padding)},
          {"dilations", std::move(dilations)}};
}
Attributes BackpropAttrs(const char* shape_attr, Shape shape, IntList strides, Attribute padding,
                         IntList dilations = {1, 1}) {
  Attributes attrs = ConvAttrs(std::move(strides), std::move(padding), std::move(dilations));
  attrs[shape_attr] = IntList(shape.begin(), shape.end());
  return attrs;
}

Attributes PoolAttrs(IntList window, IntList strides, Attribute padding) {
  return {{"window", std::move(window)},
          {"strides", std::move(strides)},
          {"padding", std::move(padding)}};
}
Attributes AvgGradAttrs(Shape input_shape, IntList window, IntList strides, Attribute padding) {
  Attributes attrs = PoolAttrs(std::move(window), std::move(strides), std::move(padding));
  attrs["input_shape"] = IntList(input_shape.begin(), input_shape.end());
  return attrs;
}

// Deterministic values in [-0.5, 0.5): (i * 0.37 + seed * 0.61) mod 1 - 0.5.
Tensor Pseudo(DType dtype, Shape shape, int seed) {
  Tensor t(dtype, std::move(shape));
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    t.SetDouble(i, std::fmod(static_cast<double>(i) * 0.37 + seed * 0.61, 1.0) - 0.5);
  }
  return t;
}

// <a, b>: the sum of elementwise products, in double.
double Dot(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.type(), b.type());
  double sum = 0;
  for (int64_t i = 0; i < a.num_elements() && i < b.num_elements(); ++i) {
    sum += a.GetDouble(i) * b.GetDouble(i);
  }
  return sum;
}

// ---- conv2d_backprop_input ----------------------------------------------------

TEST(InterpreterConv2DBackpropInput, ValidStride1IsTheFullConvolution) {
  // dy = [[1,2],[3,4]], w = [[1,2],[3,4]], input 3x3: dx[h,w] sums
  // dy[oh,ow] * w[h-oh, w-ow]:
  //   dx[0,0] = 1*1 = 1          dx[0,1] = 1*2 + 2*1 = 4          dx[0,2] = 2*2 = 4
  //   dx[1,0] = 1*3 + 3*1 = 6    dx[1,1] = 1*4 + 2*3 + 3*2 + 4*1 = 20
  //   dx[1,2] = 2*4 + 4*2 = 16   dx[2,0] = 3*3 = 9
  //   dx[2,1] = 3*4 + 4*3 = 24   dx[2,2] = 4*4 = 16
  Tensor r =
      Eval(OpKind::kConv2DBackpropInput, {Image(2, 2, {1, 2, 3, 4}), Filter(2, 2, {1, 2, 3, 4})},
           BackpropAttrs("input_shape", {1, 3, 3, 1}, {1, 1}, kValid));
  EXPECT_EQ(r.type().ToString(), "f32[1,3,3,1]");
  EXPECT_THAT(Values(r), ElementsAre(1, 4, 4, 6, 20, 16, 9, 24, 16));
}

TEST(InterpreterConv2DBackpropInput, Stride2PlacesEachGradientTimesTheFilterAndSkipsUnreadRows) {
  // 5x5 input, 2x2 filter [[1,2],[3,4]], stride 2, valid: output 2x2 reads
  // rows and columns 0..3 only, so row 4 and column 4 get nothing.
  // dy = [[1,10],[100,1000]]: each dy[oh,ow] * w lands on the block at (2oh, 2ow).
  Tensor r = Eval(OpKind::kConv2DBackpropInput,
                  {Image(2, 2, {1, 10, 100, 1000}), Filter(2, 2, {1, 2, 3, 4})},
                  BackpropAttrs("input_shape", {1, 5, 5, 1}, {2, 2}, kValid));
  EXPECT_EQ(r.type().ToString(), "f32[1,5,5,1]");
  EXPECT_THAT(Values(r), ElementsAre(1, 2, 10, 20, 0,          //
                                     3, 4, 30, 40, 0,          //
                                     100, 200, 1000, 2000, 0,  //
                                     300, 400, 3000, 4000, 0,  //
                                     0, 0, 0, 0, 0));
}

TEST(InterpreterConv2DBackpropInput, SamePaddingStride2NonSquareKernel) {
  // Input 3x4, kernel 3x2, strides 2, "same": output 2x2;
  //   rows: pad total (2-1)*2 + 3 - 3 = 2 -> top 1, bottom 1: ih = 2oh - 1 + kh;
  //   cols: pad total (2-1)*2 + 2 - 4 = 0: iw = 2ow + kw.
  // w = [[1,2],[3,4],[5,6]] (rows kh), dy = [[1,10],[100,1000]].
  // Row h pairs with (oh,kh): h=0: (0,1); h=1: (0,2), (1,0); h=2: (1,1).
  // Column w pairs with (ow,kw) = (w/2, w%2).
  //   h=0: dy[0,ow] * w[1,kw]:                  1*3, 1*4, 10*3, 10*4
  //   h=1: dy[0,ow] * w[2,kw] + dy[1,ow] * w[0,kw]:
  //        1*5+100*1 = 105, 1*6+100*2 = 206, 10*5+1000*1 = 1050, 10*6+1000*2 = 2060
  //   h=2: dy[1,ow] * w[1,kw]:                  100*3, 100*4, 1000*3, 1000*4
  Tensor r = Eval(OpKind::kConv2DBackpropInput,
                  {Image(2, 2, {1, 10, 100, 1000}), Filter(3, 2, {1, 2, 3, 4, 5, 6})},
                  BackpropAttrs("input_shape", {1, 3, 4, 1}, {2, 2}, kSame));
  EXPECT_EQ(r.type().ToString(), "f32[1,3,4,1]");
  EXPECT_THAT(Values(r), ElementsAre(3, 4, 30, 40, 105, 206, 1050, 2060, 300, 400, 3000, 4000));
}

TEST(InterpreterConv2DBackpropInput, DilationSpreadsTheTaps) {
  // 1x5 input, 1x3 kernel [1,2,3] dilated by 2 spans 5: one output, reading
  // columns 0, 2, 4. dy = [2] -> dx = [2,0,4,0,6].
  Tensor r = Eval(OpKind::kConv2DBackpropInput, {Image(1, 1, {2}), Filter(1, 3, {1, 2, 3})},
                  BackpropAttrs("input_shape", {1, 1, 5, 1}, {1, 1}, kValid, {1, 2}));
  EXPECT_THAT(Values(r), ElementsAre(2, 0, 4, 0, 6));
}

TEST(InterpreterConv2DBackpropInput, DilationWithExplicitPaddingDropsPaddedTaps) {
  // As above with one padded column each side: 3 outputs, iw = ow - 1 + 2kw.
  // dy = [1,10,100]; column w collects dy[ow] * w[kw] over ow - 1 + 2kw = w:
  //   w=0: (1,0) 10   w=1: (2,0) 100 + (0,1) 2 = 102   w=2: (1,1) 20
  //   w=3: (2,1) 200 + (0,2) 3 = 203                    w=4: (1,2) 30
  // (ow=0,kw=0) and (ow=2,kw=2) read padding and give nothing.
  Tensor r =
      Eval(OpKind::kConv2DBackpropInput, {Image(1, 3, {1, 10, 100}), Filter(1, 3, {1, 2, 3})},
           BackpropAttrs("input_shape", {1, 1, 5, 1}, {1, 1}, IntList{0, 0, 1, 1}, {1, 2}));
  EXPECT_THAT(Values(r), ElementsAre(10, 102, 20, 203, 30));
}

TEST(InterpreterConv2DBackpropInput, SumsOverFiltersIntoEachInputChannelPerImage) {
  // 1x1 kernel, 3 input channels, 2 filters: w[c,:] = [1,2], [3,4], [5,6].
  // dx[n,c] = sum_o dy[n,o] * w[c,o]; image 0 dy = [1,10]: 21, 43, 65;
  // image 1 dy = [2,20]: doubled.
  Tensor r = Eval(OpKind::kConv2DBackpropInput,
                  {Make(DType::kF32, {2, 1, 1, 2}, {1, 10, 2, 20}),
                   Make(DType::kF32, {1, 1, 3, 2}, {1, 2, 3, 4, 5, 6})},
                  BackpropAttrs("input_shape", {2, 1, 1, 3}, {1, 1}, kValid));
  EXPECT_EQ(r.type().ToString(), "f32[2,1,1,3]");
  EXPECT_THAT(Values(r), ElementsAre(21, 43, 65, 42, 86, 130));
}

TEST(InterpreterConv2DBackpropInput, F64ComputesInDouble) {
  // dx = dy * w with 1 + 2^-30, which survives in f64 only.
  const double tiny = 1.0 / 1073741824.0;
  Tensor r = Eval(OpKind::kConv2DBackpropInput,
                  {Image(1, 1, {1 + tiny}, DType::kF64), Filter(1, 1, {1}, DType::kF64)},
                  BackpropAttrs("input_shape", {1, 1, 1, 1}, {1, 1}, kValid));
  EXPECT_EQ(r.type().ToString(), "f64[1,1,1,1]");
  EXPECT_THAT(Values(r), ElementsAre(1 + tiny));
}

// ---- conv2d_backprop_filter ---------------------------------------------------

TEST(InterpreterConv2DBackpropFilter, ValidStride1CorrelatesInputWithGradient) {
  // x = [[1,2,3],[4,5,6],[7,8,9]], dy = [[1,2],[3,4]]: dw[kh,kw] sums
  // x[oh+kh, ow+kw] * dy[oh,ow]:
  //   dw[0,0] = 1+4+12+20 = 37   dw[0,1] = 2+6+15+24 = 47
  //   dw[1,0] = 4+10+21+32 = 67  dw[1,1] = 5+12+24+36 = 77
  Tensor r = Eval(OpKind::kConv2DBackpropFilter,
                  {Image(3, 3, {1, 2, 3, 4, 5, 6, 7, 8, 9}), Image(2, 2, {1, 2, 3, 4})},
                  BackpropAttrs("filter_shape", {2, 2, 1, 1}, {1, 1}, kValid));
  EXPECT_EQ(r.type().ToString(), "f32[2,2,1,1]");
  EXPECT_THAT(Values(r), ElementsAre(37, 47, 67, 77));
}

TEST(InterpreterConv2DBackpropFilter, SamePaddingStride2NonSquareKernel) {
  // x[h,w] = 10h + w on 3x4, kernel 3x2, strides 2, "same" (top 1, bottom 1,
  // no column padding): ih = 2oh - 1 + kh, iw = 2ow + kw. dy = [[1,10],[100,1000]].
  //   kh=0 reads rows -1 (padding) and 1:  100*x[1,kw] + 1000*x[1,2+kw]
  //        kw=0: 1000 + 12000 = 13000, kw=1: 1100 + 13000 = 14100
  //   kh=1 reads rows 0 and 2: x[0,kw] + 10*x[0,2+kw] + 100*x[2,kw] + 1000*x[2,2+kw]
  //        kw=0: 0 + 20 + 2000 + 22000 = 24020, kw=1: 1 + 30 + 2100 + 23000 = 25131
  //   kh=2 reads rows 1 and 3 (padding): x[1,kw] + 10*x[1,2+kw]
  //        kw=0: 10 + 120 = 130, kw=1: 11 + 130 = 141
  Tensor r = Eval(
      OpKind::kConv2DBackpropFilter,
      {Image(3, 4, {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23}), Image(2, 2, {1, 10, 100, 1000})},
      BackpropAttrs("filter_shape", {3, 2, 1, 1}, {2, 2}, kSame));
  EXPECT_EQ(r.type().ToString(), "f32[3,2,1,1]");
  EXPECT_THAT(Values(r), ElementsAre(13000, 14100, 24020, 25131, 130, 141));
}

TEST(InterpreterConv2DBackpropFilter, DilationAndExplicitPadding) {
  // x = [1,2,3,4,5], 1x3 kernel dilated by 2. Valid: one output reading
  // columns 0, 2, 4; dy = [2] -> dw = [2, 6, 10].
  Tensor valid =
      Eval(OpKind::kConv2DBackpropFilter, {Image(1, 5, {1, 2, 3, 4, 5}), Image(1, 1, {2})},
           BackpropAttrs("filter_shape", {1, 3, 1, 1}, {1, 1}, kValid, {1, 2}));
  EXPECT_THAT(Values(valid), ElementsAre(2, 6, 10));
  // One padded column each side: 3 outputs, iw = ow - 1 + 2kw, dy = [1,10,100]:
  //   kw=0: x[-1]*1 + x[0]*10 + x[1]*100 = 0 + 10 + 200 = 210
  //   kw=1: x[1]*1 + x[2]*10 + x[3]*100 = 2 + 30 + 400 = 432
  //   kw=2: x[3]*1 + x[4]*10 + x[5]*100 = 4 + 50 + 0 = 54
  Tensor padded =
      Eval(OpKind::kConv2DBackpropFilter, {Image(1, 5, {1, 2, 3, 4, 5}), Image(1, 3, {1, 10, 100})},
           BackpropAttrs("filter_shape", {1, 3, 1, 1}, {1, 1}, IntList{0, 0, 1, 1}, {1, 2}));
  EXPECT_THAT(Values(padded), ElementsAre(210, 432, 54));
}

TEST(InterpreterConv2DBackpropFilter, SumsOverTheBatchPerChannelPair) {
  // 1x1 images with 2 channels: image 0 [1,2], image 1 [3,4]; dy image 0
  // [1,0,1], image 1 [0,1,1]. dw[c,o] = sum_n x[n,c] * dy[n,o]:
  //   c=0: 1, 3, 4;  c=1: 2, 4, 6.
  Tensor r = Eval(OpKind::kConv2DBackpropFilter,
                  {Make(DType::kF32, {2, 1, 1, 2}, {1, 2, 3, 4}),
                   Make(DType::kF32, {2, 1, 1, 3}, {1, 0, 1, 0, 1, 1})},
                  BackpropAttrs("filter_shape", {1, 1, 2, 3}, {1, 1}, kValid));
  EXPECT_EQ(r.type().ToString(), "f32[1,1,2,3]");
  EXPECT_THAT(Values(r), ElementsAre(1, 3, 4, 2, 4, 6));
}

// ---- adjoints of conv2d ---------------------------------------------------------

struct ConvCase {
  Shape x;  // [N,H,W,C]
  Shape w;  // [KH,KW,C,O]
  IntList strides;
  Attribute padding;
  IntList dilations;
};

// <conv2d(x, w), dy> == <x, conv2d_backprop_input(dy, w)>
//                    == <w, conv2d_backprop_filter(x, dy)>
// for pseudo-random x, w, dy in f64, over strides 1 and 2, valid, same and
// explicit padding, dilations 1 and 2, non-square kernels and images.
TEST(InterpreterConv2DAdjoint, BackpropsAreTheAdjointsOfConv2D) {
  const std::vector<ConvCase> cases = {
      {{2, 5, 7, 3}, {3, 2, 3, 4}, {1, 1}, kValid, {1, 1}},
      {{2, 5, 7, 3}, {3, 2, 3, 4}, {2, 2}, kSame, {1, 1}},
      {{1, 6, 5, 2}, {3, 3, 2, 3}, {2, 2}, kValid, {1, 1}},  // row 5 unread
      {{2, 5, 7, 3}, {2, 3, 3, 2}, {2, 1}, IntList{1, 2, 0, 1}, {1, 2}},
      {{1, 7, 6, 2}, {3, 2, 2, 3}, {1, 2}, kSame, {2, 2}},
      {{2, 6, 7, 1}, {2, 3, 1, 2}, {2, 2}, kValid, {2, 1}},
      {{1, 4, 5, 3}, {1, 3, 3, 2}, {3, 2}, IntList{2, 0, 1, 3}, {1, 2}},
      {{1, 5, 5, 2}, {4, 4, 2, 2}, {2, 2}, kSame, {1, 1}},
  };
  for (const ConvCase& c : cases) {
    SCOPED_TRACE(StrCat("x ", ShapeToString(c.x), " w ", ShapeToString(c.w), " strides ",
                        AttributeToString(c.strides), " padding ", AttributeToString(c.padding),
                        " dilations ", AttributeToString(c.dilations)));
    const Tensor x = Pseudo(DType::kF64, c.x, 1);
    const Tensor w = Pseudo(DType::kF64, c.w, 2);
    const Tensor y = Eval(OpKind::kConv2D, {x, w}, ConvAttrs(c.strides, c.padding, c.dilations));
    ASSERT_EQ(y.dtype(), DType::kF64);
    const Tensor dy = Pseudo(DType::kF64, y.shape(), 3);
    const Tensor dx = Eval(OpKind::kConv2DBackpropInput, {dy, w},
                           BackpropAttrs("input_shape", c.x, c.strides, c.padding, c.dilations));
    const Tensor dw = Eval(OpKind::kConv2DBackpropFilter, {x, dy},
                           BackpropAttrs("filter_shape", c.w, c.strides, c.padding, c.dilations));
    ASSERT_EQ(dx.type(), x.type());
    ASSERT_EQ(dw.type(), w.type());
    const double forward = Dot(y, dy);
    ASSERT_GT(std::abs(forward), 1e-3);  // a meaningful relative comparison
    EXPECT_NEAR(Dot(x, dx), forward, 1e-12 * std::abs(forward));
    EXPECT_NEAR(Dot(w, dw), forward, 1e-12 * std::abs(forward));
  }
}

// The f32 kernels compute what the f64 ones do, to f32 precision.
TEST(InterpreterConv2DAdjoint, F32BackpropsAgreeWithF64) {
  const Attributes input_attrs = BackpropAttrs("input_shape", {2, 5, 7, 3}, {2, 2}, kSame, {1, 1});
  const Attributes filter_attrs = BackpropAttrs("filter_shape", {3, 2, 3, 4}, {2, 2}, kSame);
  const Tensor x64 = Pseudo(DType::kF64, {2, 5, 7, 3}, 1);
  const Tensor w64 = Pseudo(DType::kF64, {3, 2, 3, 4}, 2);
  const Tensor dy64 = Pseudo(DType::kF64, {2, 3, 4, 4}, 3);
  const Tensor x32 = Pseudo(DType::kF32, {2, 5, 7, 3}, 1);
  const Tensor w32 = Pseudo(DType::kF32, {3, 2, 3, 4}, 2);
  const Tensor dy32 = Pseudo(DType::kF32, {2, 3, 4, 4}, 3);
  const std::vector<double> dx64 =
      Values(Eval(OpKind::kConv2DBackpropInput, {dy64, w64}, input_attrs));
  const std::vector<double> dx32 =
      Values(Eval(OpKind::kConv2DBackpropInput, {dy32, w32}, input_attrs));
  const std::vector<double> dw64 =
      Values(Eval(OpKind::kConv2DBackpropFilter, {x64, dy64}, filter_attrs));
  const std::vector<double> dw32 =
      Values(Eval(OpKind::kConv2DBackpropFilter, {x32, dy32}, filter_attrs));
  ASSERT_EQ(dx32.size(), dx64.size());
  ASSERT_EQ(dw32.size(), dw64.size());
  for (size_t i = 0; i < dx64.size(); ++i) EXPECT_NEAR(dx32[i], dx64[i], 1e-5) << "dx " << i;
  for (size_t i = 0; i < dw64.size(); ++i) EXPECT_NEAR(dw32[i], dw64[i], 1e-5) << "dw " << i;
}

// ---- maxpool2d_grad -------------------------------------------------------------

TEST(InterpreterMaxPool2DGrad, EachGradientGoesToItsWindowsMaximum) {
  // 4x4 of 1..16, 2x2 windows, stride 2: each block's maximum is its bottom
  // right, (1,1), (1,3), (3,1), (3,3).
  std::vector<double> x(16);
  for (int i = 0; i < 16; ++i) x[i] = i + 1;
  Tensor r = Eval(OpKind::kMaxPool2DGrad, {Image(4, 4, x), Image(2, 2, {1, 2, 3, 4})},
                  PoolAttrs({2, 2}, {2, 2}, kValid));
  EXPECT_EQ(r.type().ToString(), "f32[1,4,4,1]");
  EXPECT_THAT(Values(r), ElementsAre(0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4));
}

TEST(InterpreterMaxPool2DGrad, TiesSendTheGradientToTheFirstMaximumOnly) {
  const Attributes attrs = PoolAttrs({2, 2}, {1, 1}, kValid);
  // All four equal: the first in row-major order takes it all.
  EXPECT_THAT(
      Values(Eval(OpKind::kMaxPool2DGrad, {Image(2, 2, {5, 5, 5, 5}), Image(1, 1, {7})}, attrs)),
      ElementsAre(7, 0, 0, 0));
  // Maximum 3 at (0,1) and (1,0): (0,1) comes first in (kh, kw) order.
  EXPECT_THAT(
      Values(Eval(OpKind::kMaxPool2DGrad, {Image(2, 2, {1, 3, 3, 2}), Image(1, 1, {7})}, attrs)),
      ElementsAre(0, 7, 0, 0));
  // The first row is scanned before the second even when a later column ties.
  EXPECT_THAT(
      Values(Eval(OpKind::kMaxPool2DGrad, {Image(2, 2, {1, 2, 2, 2}), Image(1, 1, {7})}, attrs)),
      ElementsAre(0, 7, 0, 0));
}

TEST(InterpreterMaxPool2DGrad, OverlappingWindowsAccumulate) {
  // 1x3 row [1,5,2], 1x2 windows, stride 1: both windows' maximum is the 5.
  EXPECT_THAT(Values(Eval(OpKind::kMaxPool2DGrad, {Image(1, 3, {1, 5, 2}), Image(1, 2, {10, 100})},
                          PoolAttrs({1, 2}, {1, 1}, kValid))),
              ElementsAre(0, 110, 0));
  // 3x3 with the maximum 9 in the centre, 2x2 windows, stride 1: all four
  // windows hold it; 1 + 2 + 3 + 4 = 10.
  EXPECT_THAT(Values(Eval(OpKind::kMaxPool2DGrad,
                          {Image(3, 3, {1, 2, 3, 4, 9, 5, 6, 7, 8}), Image(2, 2, {1, 2, 3, 4})},
                          PoolAttrs({2, 2}, {1, 1}, kValid))),
              ElementsAre(0, 0, 0, 0, 10, 0, 0, 0, 0));
}

TEST(InterpreterMaxPool2DGrad, NaNTakesTheGradientAsTheForwardPoolPropagatesIt) {
  const Attributes attrs = PoolAttrs({2, 2}, {1, 1}, kValid);
  // The first NaN, whether before or after the largest number.
  EXPECT_THAT(Values(Eval(OpKind::kMaxPool2DGrad,
                          {Image(2, 2, {1, kNaN, 3, kNaN}), Image(1, 1, {5})}, attrs)),
              ElementsAre(0, 5, 0, 0));
  Tensor x = Image(2, 2, {9, 1, kNaN, 2});
  EXPECT_TRUE(std::isnan(Values(Eval(OpKind::kMaxPool2D, {x}, attrs))[0]));
  EXPECT_THAT(Values(Eval(OpKind::kMaxPool2DGrad, {x, Image(1, 1, {5})}, attrs)),
              ElementsAre(0, 0, 5, 0));
}

TEST(InterpreterMaxPool2DGrad, PaddingNeverWinsOverNegativeValues) {
  // 1x2 row [-3,-5], 1x3 windows, stride 1, "same" (one padded column each
  // side): windows [pad,-3,-5] and [-3,-5,pad] both choose the -3.
  EXPECT_THAT(Values(Eval(OpKind::kMaxPool2DGrad, {Image(1, 2, {-3, -5}), Image(1, 2, {1, 2})},
                          PoolAttrs({1, 3}, {1, 1}, kSame))),
              ElementsAre(3, 0));
}

TEST(InterpreterMaxPool2DGrad, AWindowOfOnlyPaddingContributesNothing) {
  // 1x2 row [1,2], three padded columns on the left, 1x2 windows: windows 0
  // and 1 cover only padding (the forward gives -inf), window 2 holds [1],
  // window 3 [1,2].
  const Tensor x = Image(1, 2, {1, 2});
  const Attributes attrs = PoolAttrs({1, 2}, {1, 1}, IntList{0, 0, 3, 0});
  EXPECT_THAT(Values(Eval(OpKind::kMaxPool2D, {x}, attrs)), ElementsAre(-kInf, -kInf, 1, 2));
  EXPECT_THAT(Values(Eval(OpKind::kMaxPool2DGrad, {x, Image(1, 4, {1, 10, 100, 1000})}, attrs)),
              ElementsAre(100, 1000));
}

TEST(InterpreterMaxPool2DGrad, ChannelsAndImagesAreSeparate) {
  // 2x2 images with two channels: channel 0 [1,2,3,4] (max last), channel 1
  // [4,3,2,1] (max first); image 1 is image 0 negated (maxima swap).
  Tensor x =
      Make(DType::kF64, {2, 2, 2, 2}, {1, 4, 2, 3, 3, 2, 4, 1, -1, -4, -2, -3, -3, -2, -4, -1});
  Tensor dy = Make(DType::kF64, {2, 1, 1, 2}, {10, 20, 30, 40});
  Tensor r = Eval(OpKind::kMaxPool2DGrad, {x, dy}, PoolAttrs({2, 2}, {2, 2}, kValid));
  EXPECT_EQ(r.type().ToString(), "f64[2,2,2,2]");
  EXPECT_THAT(Values(r), ElementsAre(0, 20, 0, 0, 0, 0, 10, 0,  //
                                     30, 0, 0, 0, 0, 0, 0, 40));
}

// Each dy goes to an element equal to its window's maximum, so
// <maxpool2d_grad(x, dy), x> == <dy, maxpool2d(x)>; and the gradients add up
// to sum(dy) when no window is all padding.
TEST(InterpreterMaxPool2DGrad, RoutesEachGradientToAMaximum) {
  const Tensor x = Pseudo(DType::kF64, {2, 7, 6, 3}, 1);
  for (const Attributes& attrs :
       {PoolAttrs({3, 2}, {2, 2}, kSame), PoolAttrs({2, 3}, {1, 2}, kValid),
        PoolAttrs({3, 3}, {2, 1}, IntList{1, 2, 0, 1})}) {
    SCOPED_TRACE(AttributeToString(attrs.at("window")));
    const Tensor y = Eval(OpKind::kMaxPool2D, {x}, attrs);
    const Tensor dy = Pseudo(DType::kF64, y.shape(), 3);
    const Tensor dx = Eval(OpKind::kMaxPool2DGrad, {x, dy}, attrs);
    ASSERT_EQ(dx.type(), x.type());
    const double forward = Dot(y, dy);
    EXPECT_NEAR(Dot(dx, x), forward, 1e-12 * std::abs(forward));
    double sum_dy = 0, sum_dx = 0;
    for (double v : Values(dy)) sum_dy += v;
    for (double v : Values(dx)) sum_dx += v;
    EXPECT_NEAR(sum_dx, sum_dy, 1e-12);
  }
}

// ---- maxpool2d_argmax, maxpool2d_scatter ----------------------------------------

TEST(InterpreterMaxPool2DArgmax, NamesEachWindowsFirstMaximumByItsPlace) {
  // 2x2 windows, stride 1 over [[1,3,3],[3,2,9]]: windows [1,3;3,2] (first
  // 3 at place 1) and [3,3;2,9] (9 at place 3).
  const Tensor x = Image(2, 3, {1, 3, 3, 3, 2, 9});
  const Tensor argmax = Eval(OpKind::kMaxPool2DArgmax, {x}, PoolAttrs({2, 2}, {1, 1}, kValid));
  EXPECT_EQ(argmax.type().ToString(), "i32[1,1,2,1]");
  EXPECT_THAT(Values(argmax), ElementsAre(1, 3));
  // The first NaN wins, as in the forward pool.
  EXPECT_THAT(Values(Eval(OpKind::kMaxPool2DArgmax, {Image(2, 2, {9, kNaN, 1, kNaN})},
                          PoolAttrs({2, 2}, {2, 2}, kValid))),
              ElementsAre(1));
}

TEST(InterpreterMaxPool2DArgmax, PlacesCountPaddingAndAWindowOfPaddingOnlyIsMinusOne) {
  // 1x2 row [1,2], three padded columns on the left, 1x2 windows: windows 0
  // and 1 are padding only, window 2 is [pad, 1] (1 at place 1), window 3
  // [1, 2] (2 at place 1).
  const Tensor argmax = Eval(OpKind::kMaxPool2DArgmax, {Image(1, 2, {1, 2})},
                             PoolAttrs({1, 2}, {1, 1}, IntList{0, 0, 3, 0}));
  EXPECT_THAT(Values(argmax), ElementsAre(-1, -1, 1, 1));
}

// scatter(dy, argmax(x)) is maxpool2d_grad(x, dy), for any windows.
TEST(InterpreterMaxPool2DScatter, OfTheArgmaxIsTheMaxPoolGradient) {
  const Tensor x = Pseudo(DType::kF64, {2, 7, 6, 3}, 1);
  for (const auto& [window, strides, padding] :
       {std::tuple<IntList, IntList, Attribute>{{2, 2}, {2, 2}, kValid},
        {{3, 2}, {2, 2}, kSame},
        {{2, 3}, {1, 2}, kValid},
        {{3, 3}, {2, 1}, IntList{1, 2, 0, 1}}}) {
    const Attributes attrs = PoolAttrs(window, strides, padding);
    SCOPED_TRACE(AttributeToString(attrs.at("window")));
    const Tensor y = Eval(OpKind::kMaxPool2D, {x}, attrs);
    const Tensor dy = Pseudo(DType::kF64, y.shape(), 3);
    const Tensor argmax = Eval(OpKind::kMaxPool2DArgmax, {x}, attrs);
    const Tensor dx = Eval(OpKind::kMaxPool2DScatter, {dy, argmax},
                           AvgGradAttrs({2, 7, 6, 3}, window, strides, padding));
    EXPECT_EQ(Values(dx), Values(Eval(OpKind::kMaxPool2DGrad, {x, dy}, attrs)));
  }
}

TEST(InterpreterMaxPool2DScatter, RejectsAPlaceOutsideItsWindow) {
  const Tensor dy = Image(1, 1, {5});
  const Attributes attrs = AvgGradAttrs({1, 2, 2, 1}, {2, 2}, {2, 2}, kValid);
  EXPECT_THAT(
      Values(Eval(OpKind::kMaxPool2DScatter, {dy, Make(DType::kI32, {1, 1, 1, 1}, {2})}, attrs)),
      ElementsAre(0, 0, 5, 0));
  for (double place : {4.0, -2.0}) {
    absl::StatusOr<Tensor> bad =
        TryEval(OpKind::kMaxPool2DScatter, {dy, Make(DType::kI32, {1, 1, 1, 1}, {place})}, attrs);
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << place;
    EXPECT_THAT(bad.status().message(), HasSubstr("is not a place inside its window")) << place;
  }
}

// ---- avgpool2d_grad -------------------------------------------------------------

TEST(InterpreterAvgPool2DGrad, SpreadsEachGradientOverItsWindow) {
  // 2x2 windows, stride 2 on 4x4: each block gets dy / 4.
  Tensor r = Eval(OpKind::kAvgPool2DGrad, {Image(2, 2, {4, 8, 12, 16})},
                  AvgGradAttrs({1, 4, 4, 1}, {2, 2}, {2, 2}, kValid));
  EXPECT_EQ(r.type().ToString(), "f32[1,4,4,1]");
  EXPECT_THAT(Values(r), ElementsAre(1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4));
}

TEST(InterpreterAvgPool2DGrad, DividesByTheRealElementsOnly) {
  // 1x3 row, 1x3 windows, stride 1, "same": windows hold columns {0,1},
  // {0,1,2}, {1,2}. dy = [2,3,4] gives 1 to columns 0,1; 1 to 0,1,2; 2 to 1,2.
  Tensor r = Eval(OpKind::kAvgPool2DGrad, {Image(1, 3, {2, 3, 4})},
                  AvgGradAttrs({1, 1, 3, 1}, {1, 3}, {1, 1}, kSame));
  EXPECT_THAT(Values(r), ElementsAre(2, 4, 3));
}

TEST(InterpreterAvgPool2DGrad, SamePaddingStride2NonSquareWindowOverlaps) {
  // Input 3x4, 3x2 windows, strides 2, "same" (one padded row top and bottom):
  // window rows {0,1} and {1,2}, columns {0,1} and {2,3}; 4 real elements
  // each. dy = [[4,8],[12,16]] gives 1, 2, 3, 4 per element; row 1 is in both
  // window rows.
  Tensor r = Eval(OpKind::kAvgPool2DGrad, {Image(2, 2, {4, 8, 12, 16})},
                  AvgGradAttrs({1, 3, 4, 1}, {3, 2}, {2, 2}, kSame));
  EXPECT_EQ(r.type().ToString(), "f32[1,3,4,1]");
  EXPECT_THAT(Values(r), ElementsAre(1, 1, 2, 2, 4, 4, 6, 6, 3, 3, 4, 4));
}

TEST(InterpreterAvgPool2DGrad, AWindowOfOnlyPaddingContributesNothing) {
  // 1x2 input, three padded columns on the left, 1x2 windows: windows 0 and
  // 1 hold nothing, window 2 column 0 (dy 100 / 1), window 3 both (1000 / 2).
  Tensor r = Eval(OpKind::kAvgPool2DGrad, {Image(1, 4, {1, 10, 100, 1000})},
                  AvgGradAttrs({1, 1, 2, 1}, {1, 2}, {1, 1}, IntList{0, 0, 3, 0}));
  EXPECT_THAT(Values(r), ElementsAre(600, 500));
}

// <avgpool2d(x), dy> == <x, avgpool2d_grad(dy)> in f64.
TEST(InterpreterAvgPool2DGrad, IsTheAdjointOfAvgPool2D) {
  const Shape shape = {2, 7, 6, 3};
  const Tensor x = Pseudo(DType::kF64, shape, 1);
  for (const Attributes& attrs :
       {PoolAttrs({2, 2}, {2, 2}, kValid), PoolAttrs({3, 2}, {2, 2}, kSame),
        PoolAttrs({3, 3}, {1, 1}, kSame), PoolAttrs({2, 3}, {1, 2}, IntList{1, 2, 0, 1}),
        PoolAttrs({1, 2}, {1, 1}, IntList{0, 0, 3, 0})}) {
    SCOPED_TRACE(StrCat(AttributeToString(attrs.at("window")), " ",
                        AttributeToString(attrs.at("strides")), " ",
                        AttributeToString(attrs.at("padding"))));
    const Tensor y = Eval(OpKind::kAvgPool2D, {x}, attrs);
    const Tensor dy = Pseudo(DType::kF64, y.shape(), 3);
    Attributes grad_attrs = attrs;
    grad_attrs["input_shape"] = IntList(shape.begin(), shape.end());
    const Tensor dx = Eval(OpKind::kAvgPool2DGrad, {dy}, grad_attrs);
    ASSERT_EQ(dx.type(), x.type());
    const double forward = Dot(y, dy);
    ASSERT_GT(std::abs(forward), 1e-3);
    EXPECT_NEAR(Dot(x, dx), forward, 1e-12 * std::abs(forward));
  }
}

// ---- pad with interior padding --------------------------------------------------

TEST(InterpreterPadInterior, InsertsTheValueBetweenNeighbours) {
  // [[1,2,3],[4,5,6]] with low [1,0], high [0,1], interior [1,2], value -1:
  // 4 rows (1 + 2 + 1 between), 8 columns (3 + 2*2 between + 1).
  Tensor r = Eval(OpKind::kPad, {Make(DType::kF32, {2, 3}, {1, 2, 3, 4, 5, 6})},
                  {{"low", IntList{1, 0}},
                   {"high", IntList{0, 1}},
                   {"interior", IntList{1, 2}},
                   {"value", -1.0}});
  EXPECT_EQ(r.type().ToString(), "f32[4,8]");
  EXPECT_THAT(Values(r), ElementsAre(-1, -1, -1, -1, -1, -1, -1, -1,  //
                                     1, -1, -1, 2, -1, -1, 3, -1,     //
                                     -1, -1, -1, -1, -1, -1, -1, -1,  //
                                     4, -1, -1, 5, -1, -1, 6, -1));
}

TEST(InterpreterPadInterior, OneDimensionalZeroStuffing) {
  // XLA's use of interior padding in a strided conv's gradient: [1,2,3] with
  // one zero between neighbours.
  Tensor r = Eval(OpKind::kPad, {Make(DType::kF64, {3}, {1, 2, 3})},
                  {{"low", IntList{0}}, {"high", IntList{0}}, {"interior", IntList{1}}});
  EXPECT_EQ(r.type().ToString(), "f64[5]");
  EXPECT_THAT(Values(r), ElementsAre(1, 0, 2, 0, 3));
}

TEST(InterpreterPadInterior, SlicingWithStrideInteriorPlusOneRecoversTheInput) {
  // i32 [2,3,4] of 0..23, low [1,0,2], high [2,1,0], interior [2,0,1]:
  // slice from low, stride interior + 1, over d + (d-1)*interior elements.
  std::vector<double> values(24);
  for (int i = 0; i < 24; ++i) values[i] = i;
  const Tensor x = Make(DType::kI32, {2, 3, 4}, values);
  const IntList low = {1, 0, 2};
  const IntList interior = {2, 0, 1};
  Tensor padded =
      Eval(OpKind::kPad, {x},
           {{"low", low}, {"high", IntList{2, 1, 0}}, {"interior", interior}, {"value", 7.0}});
  // 2 + 1*2 + 3 = 7, 3 + 0 + 1 = 4, 4 + 3*1 + 2 = 9.
  EXPECT_EQ(padded.type().ToString(), "i32[7,4,9]");
  IntList limit, stride;
  for (size_t d = 0; d < 3; ++d) {
    limit.push_back(low[d] + x.shape()[d] + (x.shape()[d] - 1) * interior[d]);
    stride.push_back(interior[d] + 1);
  }
  Tensor back =
      Eval(OpKind::kSlice, {padded}, {{"start", low}, {"limit", limit}, {"stride", stride}});
  EXPECT_EQ(back.type(), x.type());
  EXPECT_THAT(Values(back), ElementsAreArray(values));
  // Everything else is the pad value: 7*4*9 - 24 elements of 7.
  double sum = 0;
  for (double v : Values(padded)) sum += v;
  EXPECT_EQ(sum, (7 * 4 * 9 - 24) * 7 + 276);
}

TEST(InterpreterPadInterior, EmptyInteriorMeansNone) {
  Tensor r = Eval(OpKind::kPad, {Make(DType::kF32, {2}, {5, 6})},
                  {{"low", IntList{1}}, {"high", IntList{0}}, {"interior", IntList{}}});
  EXPECT_THAT(Values(r), ElementsAre(0, 5, 6));
}

// ---- cost -----------------------------------------------------------------------

// The backprops do the forward conv's multiply-adds and the pool gradients
// visit the forward pool's windows, so each costs what its forward op does.
TEST(GradientOpCost, MatchesTheForwardOp) {
  GraphBuilder b("cost");
  const ValueId x = *b.Input("x", TensorType{DType::kF32, {2, 7, 6, 3}});
  const ValueId w = *b.Input("w", TensorType{DType::kF32, {3, 2, 3, 5}});
  const Attributes conv = ConvAttrs({2, 2}, kSame);
  const ValueId y = *b.Add(OpKind::kConv2D, {x, w}, conv);
  const ValueId dx = *b.Add(OpKind::kConv2DBackpropInput, {y, w},
                            BackpropAttrs("input_shape", {2, 7, 6, 3}, {2, 2}, kSame));
  const ValueId dw = *b.Add(OpKind::kConv2DBackpropFilter, {x, y},
                            BackpropAttrs("filter_shape", {3, 2, 3, 5}, {2, 2}, kSame));
  const Attributes pool = PoolAttrs({3, 2}, {2, 2}, kSame);
  const ValueId m = *b.Add(OpKind::kMaxPool2D, {x}, pool);
  const ValueId dm = *b.Add(OpKind::kMaxPool2DGrad, {x, m}, pool);
  const ValueId a = *b.Add(OpKind::kAvgPool2D, {x}, pool);
  const ValueId da =
      *b.Add(OpKind::kAvgPool2DGrad, {a}, AvgGradAttrs({2, 7, 6, 3}, {3, 2}, {2, 2}, kSame));
  auto graph = std::move(b).Build({dx, dw, dm, da});
  ASSERT_TRUE(graph.ok()) << graph.status();
  // conv2d: y is [2,4,3,5], 2 * 120 * (3*2*3) = 4320.
  EXPECT_EQ(NodeFlops(*graph, y), 4320);
  EXPECT_EQ(NodeFlops(*graph, dx), 4320);
  EXPECT_EQ(NodeFlops(*graph, dw), 4320);
  // pools: [2,4,3,3] outputs, 72 * (3*2) = 432.
  EXPECT_EQ(NodeFlops(*graph, m), 432);
  EXPECT_EQ(NodeFlops(*graph, dm), 432);
  EXPECT_EQ(NodeFlops(*graph, da), 432);
}

}  // namespace
}  // namespace dlc
