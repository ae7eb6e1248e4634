#include "tools/model_loading.h"

#include "absl/strings/str_join.h"
#include "frontend/lower.h"
#include "frontend/parser.h"
#include "frontend/train_config.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::tools {

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
  DLC_ASSIGN_OR_RETURN(loaded.program, dl::LoadProgramFile(path));
  DLC_ASSIGN_OR_RETURN(loaded.model, ChooseModel(loaded.program, model_flag));
  DLC_ASSIGN_OR_RETURN(int64_t batch, ChooseBatch(loaded.program, loaded.model, batch_flag));
  DLC_ASSIGN_OR_RETURN(loaded.lowered,
                       dl::LowerModel(loaded.program, loaded.model, {batch, training}));
  return loaded;
}

}  // namespace dlc::tools
