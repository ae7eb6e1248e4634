#include "ir/window.h"

#include "absl/status/status.h"
#include "ir/enum_attrs.h"
#include "ir/op_registry.h"
#include "ir/tensor_type.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

absl::Status CheckPair(const IntList& values, std::string_view what) {
  if (values.size() != 2) {
    return absl::InvalidArgumentError(
        StrCat(what, " must have 2 values [h,w], got ", values.size()));
  }
  if (values[0] <= 0 || values[1] <= 0) {
    return absl::InvalidArgumentError(
        StrCat(what, " must be positive, got [", values[0], ",", values[1], "]"));
  }
  return absl::OkStatus();
}

// TensorFlow's "same": output ceil(in / stride), padding split with the
// larger half after.
void SamePadding(int64_t in, int64_t extent, int64_t stride, int64_t& before, int64_t& after) {
  int64_t out = (in + stride - 1) / stride;
  int64_t total = std::max<int64_t>((out - 1) * stride + extent - in, 0);
  before = total / 2;
  after = total - before;
}

}  // namespace

absl::StatusOr<Window2D> ResolveWindow2D(int64_t in_h, int64_t in_w, int64_t kernel_h,
                                         int64_t kernel_w, const IntList& strides,
                                         const IntList& dilations, const Attribute& padding) {
  if (auto s = CheckPair(strides, "strides"); !s.ok()) return s;
  if (auto s = CheckPair(dilations, "dilations"); !s.ok()) return s;
  if (kernel_h <= 0 || kernel_w <= 0) {
    return absl::InvalidArgumentError(
        StrCat("window must be positive, got ", kernel_h, "x", kernel_w));
  }
  Window2D w;
  w.in_h = in_h;
  w.in_w = in_w;
  w.kernel_h = kernel_h;
  w.kernel_w = kernel_w;
  w.stride_h = strides[0];
  w.stride_w = strides[1];
  w.dilation_h = dilations[0];
  w.dilation_w = dilations[1];
  // The dilated window's extent; sizes near the verifier's limits could
  // overflow the product, so it is checked.
  int64_t extent_h, extent_w;
  if (__builtin_mul_overflow(kernel_h - 1, w.dilation_h, &extent_h) ||
      __builtin_mul_overflow(kernel_w - 1, w.dilation_w, &extent_w) || extent_h >= kMaxDimension ||
      extent_w >= kMaxDimension) {
    return absl::InvalidArgumentError("window times dilation is beyond 2^40");
  }
  ++extent_h;
  ++extent_w;

  if (const auto* name = std::get_if<std::string>(&padding)) {
    const std::optional<PaddingMode> mode = EnumFromName<PaddingMode>(*name);
    if (mode == PaddingMode::kSame) {
      SamePadding(in_h, extent_h, w.stride_h, w.pad_top, w.pad_bottom);
      SamePadding(in_w, extent_w, w.stride_w, w.pad_left, w.pad_right);
    } else if (!mode) {
      return absl::InvalidArgumentError(StrCat(
          "padding must be \"valid\", \"same\" or [top,bottom,left,right], got \"", *name, "\""));
    }
  } else if (const auto* pads = std::get_if<IntList>(&padding)) {
    if (pads->size() != 4) {
      return absl::InvalidArgumentError(StrCat(
          "explicit padding must have 4 values [top,bottom,left,right], got ", pads->size()));
    }
    for (int64_t p : *pads) {
      if (p < 0) {
        return absl::InvalidArgumentError(
            StrCat("padding must not be negative, got ", AttributeToString(padding)));
      }
    }
    w.pad_top = (*pads)[0];
    w.pad_bottom = (*pads)[1];
    w.pad_left = (*pads)[2];
    w.pad_right = (*pads)[3];
  } else {
    return absl::InvalidArgumentError("padding must be a string or a list of 4 ints");
  }

  const int64_t padded_h = in_h + w.pad_top + w.pad_bottom;
  const int64_t padded_w = in_w + w.pad_left + w.pad_right;
  if (extent_h > padded_h || extent_w > padded_w) {
    const bool dilated = w.dilation_h > 1 || w.dilation_w > 1;
    return absl::InvalidArgumentError(
        StrCat("window ", extent_h, "x", extent_w, dilated ? " (after dilation)" : "",
               " is larger than the padded input ", padded_h, "x", padded_w));
  }
  w.out_h = (padded_h - extent_h) / w.stride_h + 1;
  w.out_w = (padded_w - extent_w) / w.stride_w + 1;
  return w;
}

absl::StatusOr<Window2D> WindowOf(const Attributes& attrs, const Shape& x, const Shape& filter) {
  if (x.size() != 4) {
    return absl::InvalidArgumentError(StrCat("a window needs an NHWC input, got rank ", x.size()));
  }
  IntList kernel =
      filter.empty() ? AttrInts(attrs, "window") : IntList(filter.begin(), filter.end());
  if (kernel.size() < 2 || (filter.empty() && kernel.size() != 2)) {
    return absl::InvalidArgumentError(
        StrCat("window must have 2 values [h,w], got ", kernel.size()));
  }
  auto padding = attrs.find("padding");
  const Attribute valid = EnumAttr(PaddingMode::kValid);
  return ResolveWindow2D(x[1], x[2], kernel[0], kernel[1], AttrInts(attrs, "strides"),
                         attrs.contains("dilations") ? AttrInts(attrs, "dilations") : IntList{1, 1},
                         padding == attrs.end() ? valid : padding->second);
}

bool SamePoolWindow(const Attributes& a, const Attributes& b) {
  // maxpool2d's declared attributes, which its argmax and scatter take too.
  for (const AttrSpec& spec : GetOpDef(OpKind::kMaxPool2D).attrs) {
    const std::string key(spec.name);
    auto in_a = a.find(key), in_b = b.find(key);
    const bool has_a = in_a != a.end(), has_b = in_b != b.end();
    if (has_a != has_b || (has_a && in_a->second != in_b->second)) return false;
  }
  return true;
}

}  // namespace dlc
