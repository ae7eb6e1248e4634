// ONNX lays images out NCHW, dlc NHWC: where the two differ, and the
// weights rearranged for dlc's layers (conv2d's HWIO kernel, dense's
// [features, units] kernel).
#ifndef DLC_FRONTEND_ONNX_LAYOUT_H_
#define DLC_FRONTEND_ONNX_LAYOUT_H_

#include <cstdint>
#include <vector>

namespace dlc::onnx_import {

// Where ONNX's axis i of an NCHW tensor sits in dlc's NHWC tensor: N→0, C→3, H→1, W→2.
inline constexpr int64_t kNchwAxisInNhwc[4] = {0, 3, 1, 2};
// Transpose permutations (output axis i takes input axis perm[i]).
inline const std::vector<int64_t> kNhwcToNchw = {0, 3, 1, 2};
inline const std::vector<int64_t> kNchwToNhwc = {0, 2, 3, 1};

// An ONNX Conv weight [O, I, KH, KW] as dlc's conv2d kernel [KH, KW, I, O].
std::vector<double> OihwToHwio(const std::vector<double>& w, int64_t o, int64_t i, int64_t kh,
                               int64_t kw);

// A [rows, cols] matrix transposed to [cols, rows].
std::vector<double> Transposed(const std::vector<double>& m, int64_t rows, int64_t cols);

// A dense kernel [C*H*W, units] whose rows are in ONNX's flatten order of an
// NCHW image (c, h, w) reordered for dlc's flatten of the NHWC image (h, w, c).
std::vector<double> ChwRowsToHwc(const std::vector<double>& kernel, int64_t c, int64_t h, int64_t w,
                                 int64_t units);

// ONNX Transpose `perm` of an NCHW tensor that dlc holds NHWC, as one dlc
// transpose of the NHWC tensor giving ONNX's result (in ONNX's order).
std::vector<int64_t> PermOfNhwc(const std::vector<int64_t>& onnx_perm);

}  // namespace dlc::onnx_import

#endif  // DLC_FRONTEND_ONNX_LAYOUT_H_
