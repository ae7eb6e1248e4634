// Geometry of a 2-D sliding window (conv2d, maxpool2d, avgpool2d) over NHWC
// data: padding resolved to explicit amounts, and the output size.
#ifndef DLC_IR_WINDOW_H_
#define DLC_IR_WINDOW_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "ir/attribute.h"
#include "ir/tensor_type.h"

namespace dlc {

struct Window2D {
  int64_t in_h = 0, in_w = 0;
  int64_t kernel_h = 0, kernel_w = 0;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int64_t out_h = 0, out_w = 0;
};

// Whether two pooling ops' attributes name the same window: equal values of
// every attribute maxpool2d declares (absent in both counts as equal).
bool SamePoolWindow(const Attributes& a, const Attributes& b);

// The window of a convolution or pooling node, or of one of their gradient
// ops, over an NHWC input of shape `x`: every op reads its window attributes
// here. Strides, padding (absent: "valid") and dilations (absent: 1) come
// from `attrs`; the kernel's height and width from `filter` ([KH,KW,...])
// for convolutions, from the "window" attribute when `filter` is empty.
absl::StatusOr<Window2D> WindowOf(const Attributes& attrs, const Shape& x,
                                  const Shape& filter = {});

// `padding` is "valid", "same" (output = ceil(input / stride), the extra row or
// column of padding goes at the bottom/right, as in TensorFlow) or explicit
// [top, bottom, left, right]. Fails on non-positive sizes, strides or
// dilations, negative padding, or a window larger than the padded input.
absl::StatusOr<Window2D> ResolveWindow2D(int64_t in_h, int64_t in_w, int64_t kernel_h,
                                         int64_t kernel_w, const IntList& strides,
                                         const IntList& dilations, const Attribute& padding);

}  // namespace dlc

#endif  // DLC_IR_WINDOW_H_
