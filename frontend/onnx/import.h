// ONNX import: an ONNX model (opsets 11 to 17) becomes a .dl program, text
// that dlc's front end reads like any model file, and the model's weights
// under the names dlc gives its parameters. `dlc import` writes both; the
// commands that take a model read a .onnx file through the same text, so
// there is one path from ONNX to the tensor IR.
//
// Images are NHWC in dlc where ONNX has NCHW: an input [batch, C, H, W]
// becomes x: f32[H, W, C], weights are rearranged (conv kernels to
// [KH, KW, in, out], dense kernels to [features, units] with the rows of a
// flattened image in dlc's (h, w, c) order), and transposes are inserted
// where an op needs ONNX's order. Predictions do not change.
#ifndef DLC_FRONTEND_ONNX_IMPORT_H_
#define DLC_FRONTEND_ONNX_IMPORT_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "ir/tensor.h"

namespace dlc::onnx_import {

// A data set as the train section names it: IDX images and labels.
struct IdxFiles {
  std::string images, labels;
};

struct ImportOptions {
  std::string model_name;    // default: from the file's name ("cnn.onnx" -> cnn)
  std::string weights_file;  // the safetensors file the header comment names, if any
  // The train section's data sets; without them its data lines are left
  // for the user to fill in (commented out).
  std::optional<IdxFiles> data, test;
};

struct ImportedModel {
  std::string model_name;
  std::string dl_text;  // a model and its train section
  // The parameters' values in dlc's layout, by parameter name ("conv2d.kernel").
  std::map<std::string, Tensor> weights;
};

// `bytes` is a serialized ONNX ModelProto read from `source` (named in
// errors). Every problem is an error: unreadable or malformed models, and
// all unsupported nodes at once, each with its name, op type and what dlc
// would need. Nothing is imported in part.
absl::StatusOr<ImportedModel> ImportOnnx(std::string_view bytes, std::string_view source,
                                         const ImportOptions& options = {});

// Reads the file first.
absl::StatusOr<ImportedModel> ImportOnnxFile(const std::string& path,
                                             const ImportOptions& options = {});

}  // namespace dlc::onnx_import

#endif  // DLC_FRONTEND_ONNX_IMPORT_H_
