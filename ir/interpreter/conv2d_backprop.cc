// The adjoints of conv2d (see conv2d.cc), for reverse-mode autodiff. With
// the window {strides, padding, dilations} resolved from the input's H, W and
// the filter's KH, KW, the forward conv reads input row
//   ih = oh*sh - pad_top + kh*dh   (columns likewise)
// for output row oh and filter tap kh. Each backprop sums over exactly the
// (oh, ow, kh, kw) that the forward conv pairs, so
//   <conv2d(x, w), dy> == <x, conv2d_backprop_input(dy, w)>
//                      == <w, conv2d_backprop_filter(x, dy)>.
//
// conv2d_backprop_input(dy [N,OH,OW,O], w [KH,KW,C,O]) {input_shape} -> dx:
//   dx[n,h,w,c] = sum over kh, kw, o (and the oh, ow they pair with h, w) of
//                 dy[n,oh,ow,o] * w[kh,kw,c,o]
// accumulated in the element type in (kh, kw, o) order.
//
// conv2d_backprop_filter(x [N,H,W,C], dy [N,OH,OW,O]) {filter_shape} -> dw:
//   dw[kh,kw,c,o] = sum over n, oh, ow of
//                   x[n, oh*sh - pad_top + kh*dh, ow*sw - pad_left + kw*dw, c] * dy[n,oh,ow,o]
// with positions outside x counting as 0, accumulated in (n, oh, ow) order.
#include <cstdint>
#include <vector>

#include "ir/interpreter/dispatch.h"
#include "ir/interpreter/kernels.h"
#include "ir/window.h"

namespace dlc::interpreter_internal {
namespace {

// The output position that input position `i` meets through tap `k`
// (i = o*stride - pad + k*dilation), or -1 when there is none.
int64_t OutputIndex(int64_t i, int64_t k, int64_t stride, int64_t pad, int64_t dilation,
                    int64_t out_size) {
  const int64_t t = i + pad - k * dilation;
  if (t < 0 || t % stride != 0) return -1;
  const int64_t o = t / stride;
  return o < out_size ? o : -1;
}

template <typename T>
Tensor BackpropInput(const Tensor& dy, const Tensor& w, const Window2D& win,
                     const TensorType& result) {
  const int64_t batch = result.shape[0];
  const int64_t channels = result.shape[3];
  const int64_t filters = w.shape()[3];
  std::span<const T> grad = dy.values<T>();
  std::span<const T> filter = w.values<T>();
  Tensor out(result);  // zero-initialized accumulators
  std::span<T> values = out.values<T>();

  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t h = 0; h < win.in_h; ++h) {
      for (int64_t x = 0; x < win.in_w; ++x) {
        T* acc = values.data() + ((n * win.in_h + h) * win.in_w + x) * channels;
        for (int64_t kh = 0; kh < win.kernel_h; ++kh) {
          const int64_t oh =
              OutputIndex(h, kh, win.stride_h, win.pad_top, win.dilation_h, win.out_h);
          if (oh < 0) continue;
          for (int64_t kw = 0; kw < win.kernel_w; ++kw) {
            const int64_t ow =
                OutputIndex(x, kw, win.stride_w, win.pad_left, win.dilation_w, win.out_w);
            if (ow < 0) continue;
            const T* g = grad.data() + ((n * win.out_h + oh) * win.out_w + ow) * filters;
            const T* taps = filter.data() + (kh * win.kernel_w + kw) * channels * filters;
            for (int64_t c = 0; c < channels; ++c) {
              const T* row = taps + c * filters;  // w[kh,kw,c,:]
              for (int64_t o = 0; o < filters; ++o) acc[c] += g[o] * row[o];
            }
          }
        }
      }
    }
  }
  return out;
}

template <typename T>
Tensor BackpropFilter(const Tensor& x, const Tensor& dy, const Window2D& win,
                      const TensorType& result) {
  const int64_t batch = x.shape()[0];
  const int64_t channels = x.shape()[3];
  const int64_t filters = result.shape[3];
  std::span<const T> in = x.values<T>();
  std::span<const T> grad = dy.values<T>();
  Tensor out(result);  // zero-initialized accumulators
  std::span<T> values = out.values<T>();

  for (int64_t kh = 0; kh < win.kernel_h; ++kh) {
    for (int64_t kw = 0; kw < win.kernel_w; ++kw) {
      T* taps = values.data() + (kh * win.kernel_w + kw) * channels * filters;
      for (int64_t n = 0; n < batch; ++n) {
        for (int64_t oh = 0; oh < win.out_h; ++oh) {
          const int64_t ih = oh * win.stride_h - win.pad_top + kh * win.dilation_h;
          if (ih < 0 || ih >= win.in_h) continue;  // padding contributes 0
          for (int64_t ow = 0; ow < win.out_w; ++ow) {
            const int64_t iw = ow * win.stride_w - win.pad_left + kw * win.dilation_w;
            if (iw < 0 || iw >= win.in_w) continue;
            const T* pixel = in.data() + ((n * win.in_h + ih) * win.in_w + iw) * channels;
            const T* g = grad.data() + ((n * win.out_h + oh) * win.out_w + ow) * filters;
            for (int64_t c = 0; c < channels; ++c) {
              T* row = taps + c * filters;  // dw[kh,kw,c,:]
              for (int64_t o = 0; o < filters; ++o) row[o] += pixel[c] * g[o];
            }
          }
        }
      }
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<Tensor> EvalConv2DBackprop(const Node& node, Operands in) {
  // node.type is the type rule's result: dx of input_shape or dw of filter_shape.
  const Shape& result = node.type.shape;
  if (node.op == OpKind::kConv2DBackpropInput) {
    const Tensor& dy = *in[0];
    const Tensor& w = *in[1];
    auto win = WindowOf(node.attrs, result, w.shape());
    if (!win.ok()) return win.status();
    return DispatchFloat(dy.dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
      using T = typename decltype(tag)::type;
      return BackpropInput<T>(dy, w, *win, node.type);
    });
  }
  if (node.op == OpKind::kConv2DBackpropFilter) {
    const Tensor& x = *in[0];
    const Tensor& dy = *in[1];
    auto win = WindowOf(node.attrs, x.shape(), result);
    if (!win.ok()) return win.status();
    return DispatchFloat(x.dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
      using T = typename decltype(tag)::type;
      return BackpropFilter<T>(x, dy, *win, node.type);
    });
  }
  return absl::InternalError(StrCat(OpName(node.op), " is not a conv2d backprop"));
}

}  // namespace dlc::interpreter_internal
