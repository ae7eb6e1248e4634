#include "ir/tensor.h"

#include <cstring>

#include "ir/attribute.h"
#include "ir/convert.h"
#include "support/str_cat.h"

namespace dlc {

Tensor::Tensor(TensorType type)
    : type_(std::move(type)), bytes_(static_cast<size_t>(type_.byte_size())) {}

double Tensor::GetDouble(int64_t i) const {
  const std::byte* p = bytes_.data() + i * DTypeSize(dtype());
  switch (dtype()) {
    case DType::kF32: {
      float v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case DType::kF64: {
      double v;
      std::memcpy(&v, p, 8);
      return v;
    }
    case DType::kI32: {
      int32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case DType::kU8:
    case DType::kI1: return static_cast<double>(static_cast<uint8_t>(*p));
  }
  return 0;
}

void Tensor::SetDouble(int64_t i, double value) {
  std::byte* p = bytes_.data() + i * DTypeSize(dtype());
  switch (dtype()) {
    case DType::kF32: {
      float v = ConvertTo<float>(value, DType::kF32);
      std::memcpy(p, &v, 4);
      break;
    }
    case DType::kF64: std::memcpy(p, &value, 8); break;
    case DType::kI32: {
      int32_t v = ConvertTo<int32_t>(value, DType::kI32);
      std::memcpy(p, &v, 4);
      break;
    }
    case DType::kU8: *p = static_cast<std::byte>(ConvertTo<uint8_t>(value, DType::kU8)); break;
    case DType::kI1: *p = static_cast<std::byte>(ConvertTo<uint8_t>(value, DType::kI1)); break;
  }
}

Tensor Tensor::Reshaped(Shape shape) const {
  Tensor t = *this;
  t.type_.shape = std::move(shape);
  return t;
}

namespace {

std::string FormatElement(const Tensor& t, int64_t i) {
  double v = t.GetDouble(i);
  if (IsFloat(t.dtype())) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
  }
  return StrCat(static_cast<int64_t>(v));
}

void FormatDim(const Tensor& t, int64_t dim, int64_t offset, int64_t max_per_dim,
               const std::vector<int64_t>& strides, std::string& out) {
  if (dim == t.type().rank()) {
    out += FormatElement(t, offset);
    return;
  }
  const int64_t n = t.shape()[dim];
  out += "[";
  for (int64_t i = 0; i < n; ++i) {
    if (n > max_per_dim && i == max_per_dim / 2) {
      out += "..., ";
      i = n - max_per_dim / 2;
    }
    FormatDim(t, dim + 1, offset + i * strides[dim], max_per_dim, strides, out);
    if (i + 1 < n) out += ", ";
  }
  out += "]";
}

}  // namespace

std::string Tensor::ToString(int64_t max_per_dim) const {
  std::string out = type_.ToString() + " ";
  FormatDim(*this, 0, 0, max_per_dim, RowMajorStrides(shape()), out);
  return out;
}

}  // namespace dlc
