// Shared by the commands that take a .dl file: parse it, choose the model,
// settle the batch size, lower it.
#ifndef DLC_TOOLS_MODEL_LOADING_H_
#define DLC_TOOLS_MODEL_LOADING_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "frontend/ast.h"
#include "frontend/lower.h"

namespace dlc::tools {

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
};

// Parses `path`, chooses the model and batch by the flags, and lowers it.
absl::StatusOr<LoadedModel> LoadModel(const std::string& path, const std::string& model_flag,
                                      std::optional<int64_t> batch_flag, bool training = false);

}  // namespace dlc::tools

#endif  // DLC_TOOLS_MODEL_LOADING_H_
