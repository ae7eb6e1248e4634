// dlc tensors and types as ONNX protobuf messages: element types, value
// types with a symbolic batch dimension, and initializers.
#ifndef DLC_FRONTEND_ONNX_TENSOR_PROTO_H_
#define DLC_FRONTEND_ONNX_TENSOR_PROTO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ir/tensor.h"
#include "onnx/onnx_pb.h"

namespace dlc::onnx_export {

// TensorProto.DataType of each dlc dtype (i1 is BOOL, one byte per element
// in both).
onnx::TensorProto_DataType OnnxDType(DType dtype);

// `type` as an ONNX tensor type; dimension 0 named `batch_dim` when it is
// not empty, else every dimension as its size.
void SetValueType(const TensorType& type, const std::string& batch_dim, onnx::ValueInfoProto* info);

// `tensor` as an initializer called `name` (raw little-endian data, as dlc
// stores it on this little-endian host).
void ToTensorProto(const Tensor& tensor, const std::string& name, onnx::TensorProto* proto);

// `tensor` with its axes permuted: result axis i is input axis perm[i]
// (numpy.transpose). `perm` must be a permutation of the tensor's axes.
Tensor Permuted(const Tensor& tensor, const std::vector<int64_t>& perm);

}  // namespace dlc::onnx_export

#endif  // DLC_FRONTEND_ONNX_TENSOR_PROTO_H_
