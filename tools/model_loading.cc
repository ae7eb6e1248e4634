#include "tools/model_loading.h"

#include <filesystem>

#include "absl/flags/flag.h"
#include "absl/strings/str_join.h"
#include "frontend/lower.h"
#include "frontend/parser.h"
#include "frontend/train_config.h"
#include "support/status_macros.h"
#include "support/str_cat.h"
#include "tools/flags.h"

namespace dlc::tools {
namespace {

absl::StatusOr<std::optional<onnx_import::IdxFiles>> IdxFlag(std::string_view flag,
                                                             const std::string& value) {
  if (value.empty()) return std::nullopt;
  const size_t comma = value.find(',');
  if (comma == std::string::npos || comma == 0 || comma + 1 == value.size() ||
      value.find(',', comma + 1) != std::string::npos || value.find('"') != std::string::npos) {
    return absl::InvalidArgumentError(
        StrCat("--", flag, "=", value, ": give IMAGES,LABELS (two IDX files, comma-separated)"));
  }
  auto absolute = [](const std::string& p) {
    std::error_code error;
    const std::filesystem::path abs = std::filesystem::absolute(p, error);
    return error ? p : abs.lexically_normal().string();
  };
  return onnx_import::IdxFiles{absolute(value.substr(0, comma)), absolute(value.substr(comma + 1))};
}

}  // namespace

bool IsOnnxFile(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".onnx";
}

absl::StatusOr<onnx_import::ImportOptions> ImportOptionsFromFlags() {
  onnx_import::ImportOptions options;
  DLC_ASSIGN_OR_RETURN(options.data, IdxFlag("data", absl::GetFlag(FLAGS_data)));
  DLC_ASSIGN_OR_RETURN(options.test, IdxFlag("test", absl::GetFlag(FLAGS_test)));
  return options;
}

absl::StatusOr<SourceProgram> LoadSource(const std::string& path) {
  SourceProgram source;
  if (!IsOnnxFile(path)) {
    if (!absl::GetFlag(FLAGS_data).empty() || !absl::GetFlag(FLAGS_test).empty()) {
      return absl::InvalidArgumentError(StrCat("--data and --test are for .onnx models: ", path,
                                               "'s train section names its data (edit it there)"));
    }
    DLC_ASSIGN_OR_RETURN(source.program, dl::LoadProgramFile(path));
    return source;
  }
  DLC_ASSIGN_OR_RETURN(onnx_import::ImportOptions options, ImportOptionsFromFlags());
  DLC_ASSIGN_OR_RETURN(onnx_import::ImportedModel imported,
                       onnx_import::ImportOnnxFile(path, options));
  absl::StatusOr<dl::Program> program = dl::ParseProgramText(imported.dl_text, path);
  if (!program.ok()) {
    return absl::InternalError(StrCat("the .dl text imported from ", path,
                                      " does not parse (a bug in dlc import):\n",
                                      program.status().message()));
  }
  source.program = *std::move(program);
  source.weights = std::move(imported.weights);
  source.onnx = true;
  return source;
}

absl::StatusOr<std::string> ChooseModel(const dl::Program& program, const std::string& flag) {
  if (!flag.empty()) {
    if (program.FindModel(flag) == nullptr) {
      return absl::NotFoundError(StrCat(program.path, ": no model named '", flag, "'"));
    }
    return flag;
  }
  if (program.models.size() == 1) return program.models[0].name;
  if (program.models.empty()) {
    return absl::InvalidArgumentError(StrCat(program.path, ": the file declares no model"));
  }
  std::vector<std::string> names;
  for (const dl::Model& m : program.models) names.push_back(m.name);
  return absl::InvalidArgumentError(StrCat(program.path, " declares ", names.size(), " models (",
                                           absl::StrJoin(names, ", "),
                                           "): choose one with --model=NAME"));
}

absl::StatusOr<int64_t> ChooseBatch(const dl::Program& program, const std::string& model,
                                    std::optional<int64_t> flag) {
  if (flag) {
    if (*flag <= 0)
      return absl::InvalidArgumentError(StrCat("--batch must be positive, got ", *flag));
    return *flag;
  }
  if (program.FindTrain(model) == nullptr) return 1;
  DLC_ASSIGN_OR_RETURN(dl::TrainConfig config, dl::ResolveTrainConfig(program, model));
  return config.batch;
}

absl::StatusOr<LoadedModel> LoadModel(const std::string& path, const std::string& model_flag,
                                      std::optional<int64_t> batch_flag, bool training) {
  LoadedModel loaded;
  DLC_ASSIGN_OR_RETURN(SourceProgram source, LoadSource(path));
  loaded.program = std::move(source.program);
  loaded.weights = std::move(source.weights);
  DLC_ASSIGN_OR_RETURN(loaded.model, ChooseModel(loaded.program, model_flag));
  DLC_ASSIGN_OR_RETURN(int64_t batch, ChooseBatch(loaded.program, loaded.model, batch_flag));
  DLC_ASSIGN_OR_RETURN(loaded.lowered,
                       dl::LowerModel(loaded.program, loaded.model, {batch, training}));
  return loaded;
}

}  // namespace dlc::tools
