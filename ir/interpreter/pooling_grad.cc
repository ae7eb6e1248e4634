// The adjoints of maxpool2d and avgpool2d (see pooling.cc), for reverse-mode
// autodiff. The windows are the forward pool's, clipped to the input in the
// same way, so padded positions are never elements; contributions of
// overlapping windows add, in (n, oh, ow) order.
//
// maxpool2d_grad(x, dy) -> dx like x: each dy[n,oh,ow,c] goes to exactly one
// element of its window, the one the forward maxpool chose: the first NaN if
// the window holds one (maxpool propagates NaN), else the first maximum in
// row-major (kh, then kw) order. Ties send nothing to the later elements.
//
// maxpool2d_argmax(x) -> i32 like the pool's output: where that element is,
// kh * KW + kw within its window (-1: a window of padding only).
// maxpool2d_scatter(dy, argmax) {input_shape} -> dx: each dy value added to
// the element its argmax names, so scatter(dy, argmax(x)) = maxpool2d_grad(x, dy).
//
// avgpool2d_grad(dy) {input_shape} -> dx: each dy value divided by the number
// of real elements of its window (as avgpool2d divides) is added to each of
// them. A window that covers only padding contributes nothing to either.
#include <algorithm>
#include <cstdint>

#include "ir/interpreter/dispatch.h"
#include "ir/interpreter/kernels.h"
#include "ir/window.h"

namespace dlc::interpreter_internal {
namespace {

// The rows and columns of window (oh, ow) that lie inside the input, exactly
// as pooling.cc clips them. Empty when the window covers only padding.
struct ClippedWindow {
  int64_t h_begin, h_end, w_begin, w_end;

  int64_t count() const {
    return std::max<int64_t>(h_end - h_begin, 0) * std::max<int64_t>(w_end - w_begin, 0);
  }
};

ClippedWindow Clip(const Window2D& win, int64_t oh, int64_t ow) {
  return {std::max<int64_t>(oh * win.stride_h - win.pad_top, 0),
          std::min(oh * win.stride_h - win.pad_top + win.kernel_h, win.in_h),
          std::max<int64_t>(ow * win.stride_w - win.pad_left, 0),
          std::min(ow * win.stride_w - win.pad_left + win.kernel_w, win.in_w)};
}

// The element MaxOf's left fold in pooling.cc ends on, per window and
// channel: the first element, replaced only by a NaN or a strictly greater
// value, and never after a NaN. `visit(n, oh, ow, c, h, w)` gets its
// input row and column; windows of padding only are skipped.
template <typename T, typename Visit>
void ForEachFirstMaximum(const Tensor& x, const Window2D& win, Visit&& visit) {
  const int64_t batch = x.shape()[0];
  const int64_t channels = x.shape()[3];
  std::span<const T> in = x.values<T>();
  auto at = [&](int64_t n, int64_t h, int64_t w, int64_t c) {
    return in[((n * win.in_h + h) * win.in_w + w) * channels + c];
  };
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t oh = 0; oh < win.out_h; ++oh) {
      for (int64_t ow = 0; ow < win.out_w; ++ow) {
        const ClippedWindow cw = Clip(win, oh, ow);
        for (int64_t c = 0; c < channels; ++c) {
          int64_t best_h = -1, best_w = -1;
          for (int64_t h = cw.h_begin; h < cw.h_end; ++h) {
            for (int64_t w = cw.w_begin; w < cw.w_end; ++w) {
              if (best_h < 0) {
                best_h = h, best_w = w;
                continue;
              }
              const T best = at(n, best_h, best_w, c), here = at(n, h, w, c);
              if (!IsNaN(best) && (IsNaN(here) || best < here)) best_h = h, best_w = w;
            }
          }
          if (best_h >= 0) visit(n, oh, ow, c, best_h, best_w);
        }
      }
    }
  }
}

template <typename T>
Tensor MaxPoolGrad(const Tensor& x, const Tensor& dy, const Window2D& win,
                   const TensorType& result) {
  const int64_t channels = x.shape()[3];
  std::span<const T> grad = dy.values<T>();
  Tensor out(result);
  std::span<T> values = out.values<T>();
  ForEachFirstMaximum<T>(x, win,
                         [&](int64_t n, int64_t oh, int64_t ow, int64_t c, int64_t h, int64_t w) {
                           values[((n * win.in_h + h) * win.in_w + w) * channels + c] +=
                               grad[((n * win.out_h + oh) * win.out_w + ow) * channels + c];
                         });
  return out;
}

// The place of each window's first maximum, kh * KW + kw from the window's
// corner (padding included); -1 for a window of padding only.
template <typename T>
Tensor MaxPoolArgmax(const Tensor& x, const Window2D& win, const TensorType& result) {
  Tensor out(result);
  std::span<int32_t> places = out.values<int32_t>();
  std::fill(places.begin(), places.end(), -1);
  const int64_t channels = x.shape()[3];
  ForEachFirstMaximum<T>(x, win,
                         [&](int64_t n, int64_t oh, int64_t ow, int64_t c, int64_t h, int64_t w) {
                           const int64_t kh = h - (oh * win.stride_h - win.pad_top);
                           const int64_t kw = w - (ow * win.stride_w - win.pad_left);
                           places[((n * win.out_h + oh) * win.out_w + ow) * channels + c] =
                               static_cast<int32_t>(kh * win.kernel_w + kw);
                         });
  return out;
}

// Each dy value added to the element its argmax names, in (n, oh, ow, c)
// order (as maxpool2d_grad adds them).
template <typename T>
absl::StatusOr<Tensor> MaxPoolScatter(const Tensor& dy, const Tensor& argmax, const Window2D& win,
                                      const TensorType& result) {
  const int64_t batch = result.shape[0];
  const int64_t channels = result.shape[3];
  std::span<const T> grad = dy.values<T>();
  std::span<const int32_t> places = argmax.values<int32_t>();
  Tensor out(result);
  std::span<T> values = out.values<T>();
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t oh = 0; oh < win.out_h; ++oh) {
      for (int64_t ow = 0; ow < win.out_w; ++ow) {
        for (int64_t c = 0; c < channels; ++c) {
          const int64_t i = ((n * win.out_h + oh) * win.out_w + ow) * channels + c;
          const int32_t place = places[i];
          if (place == -1) continue;  // a window of padding only
          const int64_t h = oh * win.stride_h - win.pad_top + place / win.kernel_w;
          const int64_t w = ow * win.stride_w - win.pad_left + place % win.kernel_w;
          if (place < 0 || place >= win.kernel_h * win.kernel_w || h < 0 || h >= win.in_h ||
              w < 0 || w >= win.in_w) {
            return absl::InvalidArgumentError(StrCat("maxpool2d_scatter: argmax ", place,
                                                     " at element ", i,
                                                     " is not a place inside its window"));
          }
          values[((n * win.in_h + h) * win.in_w + w) * channels + c] += grad[i];
        }
      }
    }
  }
  return out;
}

template <typename T>
Tensor AvgPoolGrad(const Tensor& dy, const Window2D& win, const TensorType& result) {
  const int64_t batch = result.shape[0];
  const int64_t channels = result.shape[3];
  std::span<const T> grad = dy.values<T>();
  Tensor out(result);
  std::span<T> values = out.values<T>();

  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t oh = 0; oh < win.out_h; ++oh) {
      for (int64_t ow = 0; ow < win.out_w; ++ow) {
        const ClippedWindow cw = Clip(win, oh, ow);
        const int64_t count = cw.count();
        if (count == 0) continue;
        const T* g = grad.data() + ((n * win.out_h + oh) * win.out_w + ow) * channels;
        for (int64_t h = cw.h_begin; h < cw.h_end; ++h) {
          for (int64_t w = cw.w_begin; w < cw.w_end; ++w) {
            T* pixel = values.data() + ((n * win.in_h + h) * win.in_w + w) * channels;
            for (int64_t c = 0; c < channels; ++c) pixel[c] += g[c] / static_cast<T>(count);
          }
        }
      }
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<Tensor> EvalPool2DGrad(const Node& node, Operands in) {
  // The forward pool's input shape: the gradients' result type, the
  // argmax's operand.
  const Shape& x_shape = node.op == OpKind::kMaxPool2DArgmax ? in[0]->shape() : node.type.shape;
  auto win = WindowOf(node.attrs, x_shape);
  if (!win.ok()) return win.status();
  if (node.op == OpKind::kMaxPool2DGrad) {
    const Tensor& x = *in[0];
    const Tensor& dy = *in[1];
    return DispatchFloat(x.dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
      using T = typename decltype(tag)::type;
      return MaxPoolGrad<T>(x, dy, *win, node.type);
    });
  }
  if (node.op == OpKind::kMaxPool2DArgmax) {
    return DispatchFloat(in[0]->dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
      using T = typename decltype(tag)::type;
      return MaxPoolArgmax<T>(*in[0], *win, node.type);
    });
  }
  if (node.op == OpKind::kMaxPool2DScatter) {
    return DispatchFloat(in[0]->dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
      using T = typename decltype(tag)::type;
      return MaxPoolScatter<T>(*in[0], *in[1], *win, node.type);
    });
  }
  if (node.op == OpKind::kAvgPool2DGrad) {
    const Tensor& dy = *in[0];
    return DispatchFloat(dy.dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
      using T = typename decltype(tag)::type;
      return AvgPoolGrad<T>(dy, *win, node.type);
    });
  }
  return absl::InternalError(StrCat(OpName(node.op), " is not a pooling gradient"));
}

}  // namespace dlc::interpreter_internal
