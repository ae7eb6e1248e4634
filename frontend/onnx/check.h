// Checking a model with the ONNX library itself before it is written:
// onnx::checker, then strict shape inference, whose result for every graph
// output must be the declared type. The library reports problems by
// exception; here they become absl::Status values.
#ifndef DLC_FRONTEND_ONNX_CHECK_H_
#define DLC_FRONTEND_ONNX_CHECK_H_

#include "absl/status/status.h"
#include "onnx/onnx_pb.h"

namespace dlc::onnx_export {

// OK, or an Internal error (the exporter built a model ONNX rejects: a bug
// in dlc, not in the user's input) quoting the library's message.
absl::Status CheckOnnxModel(const onnx::ModelProto& model);

}  // namespace dlc::onnx_export

#endif  // DLC_FRONTEND_ONNX_CHECK_H_
