// conv2d: input NHWC [N,H,W,C], filter HWIO [KH,KW,C,O], result [N,OH,OW,O].
//   out[n,oh,ow,o] = sum over kh, kw, c of
//     x[n, oh*sh - pad_top + kh*dh, ow*sw - pad_left + kw*dw, c] * w[kh,kw,c,o]
// where positions outside the input count as 0. Accumulates in the element
// type, in (kh, kw, c) order.
#include <cstdint>
#include <vector>

#include "ir/interpreter/dispatch.h"
#include "ir/interpreter/kernels.h"
#include "ir/window.h"

namespace dlc::interpreter_internal {
namespace {

template <typename T>
Tensor Conv2D(const Tensor& x, const Tensor& w, const Window2D& win, const TensorType& result) {
  const int64_t batch = x.shape()[0];
  const int64_t channels = x.shape()[3];
  const int64_t filters = w.shape()[3];
  std::span<const T> in = x.values<T>();
  std::span<const T> filter = w.values<T>();
  Tensor out(result);  // zero-initialized accumulators
  std::span<T> values = out.values<T>();

  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t oh = 0; oh < win.out_h; ++oh) {
      for (int64_t ow = 0; ow < win.out_w; ++ow) {
        T* acc = values.data() + ((n * win.out_h + oh) * win.out_w + ow) * filters;
        for (int64_t kh = 0; kh < win.kernel_h; ++kh) {
          const int64_t ih = oh * win.stride_h - win.pad_top + kh * win.dilation_h;
          if (ih < 0 || ih >= win.in_h) continue;  // padding contributes 0
          for (int64_t kw = 0; kw < win.kernel_w; ++kw) {
            const int64_t iw = ow * win.stride_w - win.pad_left + kw * win.dilation_w;
            if (iw < 0 || iw >= win.in_w) continue;
            const T* pixel = in.data() + ((n * win.in_h + ih) * win.in_w + iw) * channels;
            const T* taps = filter.data() + (kh * win.kernel_w + kw) * channels * filters;
            for (int64_t c = 0; c < channels; ++c) {
              const T* row = taps + c * filters;  // w[kh,kw,c,:]
              for (int64_t o = 0; o < filters; ++o) acc[o] += pixel[c] * row[o];
            }
          }
        }
      }
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<Tensor> EvalConv2D(const Node& node, Operands in) {
  const Tensor& x = *in[0];
  const Tensor& w = *in[1];
  auto win = WindowOf(node.attrs, x.shape(), w.shape());
  if (!win.ok()) return win.status();
  return DispatchFloat(x.dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
    using T = typename decltype(tag)::type;
    return Conv2D<T>(x, w, *win, node.type);
  });
}

}  // namespace dlc::interpreter_internal
