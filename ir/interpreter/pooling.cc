// maxpool2d and avgpool2d over NHWC windows {window, strides, padding}.
//
// Padded positions are not elements: maxpool ignores them (as if -inf) and
// avgpool divides by the number of real elements in the window (TensorFlow
// and Keras behaviour for "same"). A window that covers only padding (possible
// with large explicit padding) has no elements: maxpool gives -inf there and
// avgpool gives 0. maxpool propagates NaN.
#include <algorithm>
#include <cstdint>

#include "ir/interpreter/dispatch.h"
#include "ir/interpreter/kernels.h"
#include "ir/interpreter/scalar_ops.h"
#include "ir/window.h"

namespace dlc::interpreter_internal {
namespace {

template <typename T>
Tensor Pool2D(const Tensor& x, const Window2D& win, bool is_max, const TensorType& result) {
  const int64_t batch = x.shape()[0];
  const int64_t channels = x.shape()[3];
  std::span<const T> in = x.values<T>();
  Tensor out(result);
  std::span<T> values = out.values<T>();

  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t oh = 0; oh < win.out_h; ++oh) {
      for (int64_t ow = 0; ow < win.out_w; ++ow) {
        // The window's rows and columns clipped to the input.
        const int64_t h_begin = std::max<int64_t>(oh * win.stride_h - win.pad_top, 0);
        const int64_t h_end = std::min(oh * win.stride_h - win.pad_top + win.kernel_h, win.in_h);
        const int64_t w_begin = std::max<int64_t>(ow * win.stride_w - win.pad_left, 0);
        const int64_t w_end = std::min(ow * win.stride_w - win.pad_left + win.kernel_w, win.in_w);
        const int64_t count =
            std::max<int64_t>(h_end - h_begin, 0) * std::max<int64_t>(w_end - w_begin, 0);
        T* result_pixel = values.data() + ((n * win.out_h + oh) * win.out_w + ow) * channels;
        for (int64_t c = 0; c < channels; ++c) {
          T acc = is_max ? LowestOf<T>() : T(0);
          for (int64_t h = h_begin; h < h_end; ++h) {
            for (int64_t w = w_begin; w < w_end; ++w) {
              const T v = in[((n * win.in_h + h) * win.in_w + w) * channels + c];
              acc = is_max ? MaxOf(acc, v) : acc + v;
            }
          }
          if (!is_max && count > 0) acc /= static_cast<T>(count);
          result_pixel[c] = acc;
        }
      }
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<Tensor> EvalPool2D(const Node& node, Operands in) {
  const Tensor& x = *in[0];
  auto win = WindowOf(node.attrs, x.shape());
  if (!win.ok()) return win.status();
  const bool is_max = node.op == OpKind::kMaxPool2D;
  return DispatchFloat(x.dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
    using T = typename decltype(tag)::type;
    return Pool2D<T>(x, *win, is_max, node.type);
  });
}

}  // namespace dlc::interpreter_internal
