// Shared by the commands that take a model file: read it (a .dl program, or
// an ONNX model imported to one), choose the model, settle the batch size,
// lower it.
#ifndef DLC_TOOLS_MODEL_LOADING_H_
#define DLC_TOOLS_MODEL_LOADING_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "frontend/ast.h"
#include "frontend/lower.h"
#include "frontend/onnx/import.h"
#include "ir/tensor.h"

namespace dlc::tools {

// A model file read: its program, and for an ONNX model the weights it holds
// (by dlc's parameter names), which the commands start from unless --init
// or --resume gives others.
struct SourceProgram {
  dl::Program program;
  std::map<std::string, Tensor> weights;
  bool onnx = false;
};

bool IsOnnxFile(const std::string& path);

// The one place that dispatches on the file's kind: a .onnx file is imported
// (frontend/onnx) to .dl text, with --data and --test as its train section's
// data, and that text parsed as a .dl file is; any other file is read as .dl.
absl::StatusOr<SourceProgram> LoadSource(const std::string& path);

// --data / --test (IMAGES,LABELS) as import options, the paths made absolute
// (the train section resolves relative paths against the model's folder).
absl::StatusOr<onnx_import::ImportOptions> ImportOptionsFromFlags();

// The model to use: --model when given, else the file's only model.
absl::StatusOr<std::string> ChooseModel(const dl::Program& program, const std::string& flag);

// --batch when given (it must be positive), else the train section's batch,
// else 1.
absl::StatusOr<int64_t> ChooseBatch(const dl::Program& program, const std::string& model,
                                    std::optional<int64_t> flag);

struct LoadedModel {
  dl::Program program;
  std::string model;
  dl::LoweredModel lowered;
  std::map<std::string, Tensor> weights;  // an ONNX model's (SourceProgram)
};

// Reads `path`, chooses the model and batch by the flags, and lowers it.
absl::StatusOr<LoadedModel> LoadModel(const std::string& path, const std::string& model_flag,
                                      std::optional<int64_t> batch_flag, bool training = false);

}  // namespace dlc::tools

#endif  // DLC_TOOLS_MODEL_LOADING_H_
