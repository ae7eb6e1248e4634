#include "frontend/onnx/tensor_proto.h"

#include <cstring>

namespace dlc::onnx_export {

onnx::TensorProto_DataType OnnxDType(DType dtype) {
  switch (dtype) {
    case DType::kF32: return onnx::TensorProto_DataType_FLOAT;
    case DType::kF64: return onnx::TensorProto_DataType_DOUBLE;
    case DType::kI32: return onnx::TensorProto_DataType_INT32;
    case DType::kU8: return onnx::TensorProto_DataType_UINT8;
    case DType::kI1: return onnx::TensorProto_DataType_BOOL;
  }
  return onnx::TensorProto_DataType_UNDEFINED;
}

void SetValueType(const TensorType& type, const std::string& batch_dim,
                  onnx::ValueInfoProto* info) {
  onnx::TypeProto_Tensor* tensor = info->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(OnnxDType(type.dtype));
  onnx::TensorShapeProto* shape = tensor->mutable_shape();
  for (int64_t d = 0; d < type.rank(); ++d) {
    onnx::TensorShapeProto_Dimension* dim = shape->add_dim();
    if (d == 0 && !batch_dim.empty()) {
      dim->set_dim_param(batch_dim);
    } else {
      dim->set_dim_value(type.shape[d]);
    }
  }
}

void ToTensorProto(const Tensor& tensor, const std::string& name, onnx::TensorProto* proto) {
  proto->set_name(name);
  proto->set_data_type(OnnxDType(tensor.dtype()));
  for (int64_t d : tensor.shape()) proto->add_dims(d);
  proto->set_raw_data(reinterpret_cast<const char*>(tensor.raw_data()),
                      static_cast<size_t>(tensor.byte_size()));
}

Tensor Permuted(const Tensor& tensor, const std::vector<int64_t>& perm) {
  const Shape& in_shape = tensor.shape();
  const int64_t rank = tensor.type().rank();
  Shape out_shape(rank);
  for (int64_t i = 0; i < rank; ++i) out_shape[i] = in_shape[perm[i]];
  Tensor out(tensor.dtype(), out_shape);
  const int64_t size = DTypeSize(tensor.dtype());
  const std::vector<int64_t> in_strides = RowMajorStrides(in_shape);
  // Walk the output in order, keeping the matching input offset.
  std::vector<int64_t> index(rank, 0);
  const int64_t n = out.num_elements();
  for (int64_t flat = 0; flat < n; ++flat) {
    int64_t offset = 0;
    for (int64_t i = 0; i < rank; ++i) offset += index[i] * in_strides[perm[i]];
    std::memcpy(out.raw_data() + flat * size, tensor.raw_data() + offset * size,
                static_cast<size_t>(size));
    for (int64_t i = rank - 1; i >= 0; --i) {
      if (++index[i] < out_shape[i]) break;
      index[i] = 0;
    }
  }
  return out;
}

}  // namespace dlc::onnx_export
