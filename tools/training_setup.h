// What `dlc train` and `dlc eval` share: from a .dl program and the flags to
// a configured trainer and its data.
#ifndef DLC_TOOLS_TRAINING_SETUP_H_
#define DLC_TOOLS_TRAINING_SETUP_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "frontend/ast.h"
#include "frontend/train_config.h"
#include "runtime/dataset.h"
#include "runtime/distributed/communicator.h"
#include "runtime/executor.h"
#include "runtime/run_state.h"
#include "runtime/trainer.h"

namespace dlc::tools {

struct TrainingSetup {
  std::shared_ptr<const dl::Program> program;
  std::string model;
  dl::TrainConfig config;  // the train section with the flags applied
  std::unique_ptr<Backend> backend;
  std::unique_ptr<Trainer> trainer;
  // With --resume: where the saved run stood (the trainer already holds its
  // parameters, optimizer state and epoch in progress).
  std::optional<RunState> resumed;
  std::string resumed_from;  // the checkpoint's path
  // Where the starting parameters came from: --init, or a .onnx model's own
  // weights (empty: initialised by the seed).
  std::string weights_from;
};

// What the command line may change of a train section (not given: keep the
// file's). Given values must be positive (the seed: not negative).
struct TrainOverrides {
  std::optional<int64_t> epochs;
  std::optional<int64_t> batch;
  std::optional<double> lr;
  std::optional<int64_t> seed;
  std::optional<int64_t> limit;
  bool no_shuffle = false;
  std::string model;               // which model, when the file has several
  std::string backend = "jit";     // or "interp", the reference interpreter
  std::optional<int64_t> threads;  // jit: worker threads (default: every core)
  std::string init;                // safetensors file to start from
  // A checkpoint of an earlier run to continue: its seed, batch and
  // shuffling are the run's (a flag that contradicts them is an error), and
  // `epochs` counts the run's total.
  std::string resume;
};

// The training program of `model` at `batch`: the model lowered (in
// training and in inference mode) and differentiated, with the optimizer.
absl::StatusOr<TrainingProgram> BuildProgram(const dl::Program& program, const std::string& model,
                                             const OptimizerSpec& optimizer, int64_t batch);

// The overrides given by dlc's flags (tools/flags.h).
TrainOverrides OverridesFromFlags();

// Parses `path`, resolves the train section, applies `overrides`, builds
// the training program and the trainer. With a `comm` of several ranks the
// trainer trains data-parallel over them.
absl::StatusOr<TrainingSetup> SetUpTraining(const std::string& path,
                                            const TrainOverrides& overrides,
                                            distributed::Communicator* comm = nullptr);

// The run's state after the completed `epochs` (and the trainer's epoch in
// progress, if one was stopped), training on `samples` samples per epoch.
RunState CurrentRunState(const TrainingSetup& setup, std::vector<EpochStats> epochs,
                         int64_t samples);

// Writes the parameters and optimizer state, with the model's name, the
// optimizer and the run's state as metadata (safetensors, atomically).
absl::Status SaveCheckpoint(const TrainingSetup& setup, const std::string& path,
                            const RunState& state);

// The train section's training or test data (`which` is "data" or "test").
absl::StatusOr<LabeledImages> LoadData(const TrainingSetup& setup, std::string_view which);

}  // namespace dlc::tools

#endif  // DLC_TOOLS_TRAINING_SETUP_H_
