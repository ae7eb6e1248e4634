#include "frontend/onnx/layout.h"

namespace dlc::onnx_import {

std::vector<double> OihwToHwio(const std::vector<double>& w, int64_t o, int64_t i, int64_t kh,
                               int64_t kw) {
  std::vector<double> out(w.size());
  for (int64_t a = 0; a < o; ++a)
    for (int64_t b = 0; b < i; ++b)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          out[((y * kw + x) * i + b) * o + a] = w[((a * i + b) * kh + y) * kw + x];
  return out;
}

std::vector<double> Transposed(const std::vector<double>& m, int64_t rows, int64_t cols) {
  std::vector<double> out(m.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out[c * rows + r] = m[r * cols + c];
  return out;
}

std::vector<double> ChwRowsToHwc(const std::vector<double>& kernel, int64_t c, int64_t h, int64_t w,
                                 int64_t units) {
  std::vector<double> out(kernel.size());
  for (int64_t ch = 0; ch < c; ++ch)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) {
        const int64_t onnx_row = (ch * h + y) * w + x;
        const int64_t dlc_row = (y * w + x) * c + ch;
        for (int64_t u = 0; u < units; ++u) out[dlc_row * units + u] = kernel[onnx_row * units + u];
      }
  return out;
}

std::vector<int64_t> PermOfNhwc(const std::vector<int64_t>& onnx_perm) {
  // Output axis k takes ONNX axis onnx_perm[k], which dlc holds at kNchwAxisInNhwc[...].
  std::vector<int64_t> perm;
  for (int64_t axis : onnx_perm) perm.push_back(kNchwAxisInNhwc[axis]);
  return perm;
}

}  // namespace dlc::onnx_import
