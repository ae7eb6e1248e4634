// What `dlc train` and `dlc eval` share: from a .dl program and the flags to
// a configured trainer and its data.
#ifndef DLC_TOOLS_TRAINING_SETUP_H_
#define DLC_TOOLS_TRAINING_SETUP_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "frontend/ast.h"
#include "frontend/train_config.h"
#include "runtime/dataset.h"
#include "runtime/executor.h"
#include "runtime/trainer.h"

namespace dlc::tools {

struct TrainingSetup {
  std::shared_ptr<const dl::Program> program;
  std::string model;
  dl::TrainConfig config;  // the train section with the flags applied
  std::unique_ptr<Backend> backend;
  std::unique_ptr<Trainer> trainer;
};

// What the command line may change of a train section (zero / negative /
// empty: keep the file's).
struct TrainOverrides {
  int64_t epochs = 0;
  int64_t batch = 0;
  double lr = 0;
  int64_t seed = -1;
  int64_t limit = 0;
  bool no_shuffle = false;
  std::string model;            // which model, when the file has several
  std::string backend = "jit";   // or "interp", the reference interpreter
  int threads = 0;               // jit: worker threads (0: every core)
  std::string init;             // safetensors file to start from
};

// The training program of `model` at `batch`: the model lowered (in
// training and in inference mode) and differentiated, with the optimizer.
absl::StatusOr<TrainingProgram> BuildProgram(const dl::Program& program, const std::string& model,
                                             const dl::OptimizerConfig& optimizer, int64_t batch);

// The overrides given by dlc's flags (tools/flags.h).
TrainOverrides OverridesFromFlags();

// Parses `path`, resolves the train section, applies `overrides`, builds
// the training program and the trainer.
absl::StatusOr<TrainingSetup> SetUpTraining(const std::string& path,
                                            const TrainOverrides& overrides);

// Writes the parameters and optimizer state, with the model's name, the
// epochs trained and the optimizer as metadata (safetensors, atomically).
absl::Status SaveCheckpoint(const TrainingSetup& setup, const std::string& path, int64_t epochs);

// The train section's training or test data (`which` is "data" or "test").
absl::StatusOr<LabeledImages> LoadData(const TrainingSetup& setup, std::string_view which);

}  // namespace dlc::tools

#endif  // DLC_TOOLS_TRAINING_SETUP_H_
