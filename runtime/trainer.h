// The training loop: epochs of shuffled mini-batches through a compiled
// training step, with the parameters and optimizer state carried between
// steps. Every sample is used each epoch: a short last batch runs through a
// second specialisation of the step compiled for its size (unless
// drop_remainder asks to skip it).
#ifndef DLC_RUNTIME_TRAINER_H_
#define DLC_RUNTIME_TRAINER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "ir/tensor.h"
#include "passes/training.h"
#include "runtime/dataset.h"
#include "runtime/executor.h"

namespace dlc {

using NamedTensors = std::map<std::string, Tensor>;

// Builds the training program for one batch size (lowering the model at
// that size); the trainer asks for each size it needs.
using ProgramFactory = std::function<absl::StatusOr<TrainingProgram>(int64_t batch)>;

struct TrainOptions {
  int64_t epochs = 1;
  int64_t batch = 32;
  uint64_t seed = 0;
  bool shuffle = true;
  bool drop_remainder = false;
};

struct EpochStats {
  int64_t epoch = 0;  // 1-based
  double loss = 0;    // mean over the epoch's samples
  double accuracy = 0;
  int64_t samples = 0;
  int64_t steps = 0;
  double seconds = 0;
};

// Where an epoch stands after each step, for progress displays.
struct StepProgress {
  int64_t epoch = 0;
  int64_t step = 0;        // steps done in this epoch
  int64_t steps = 0;       // steps in the epoch
  int64_t samples = 0;     // samples done in this epoch
  double loss = 0;         // mean over the epoch's samples so far
  double accuracy = 0;
  double seconds = 0;      // since the epoch started
};
using ProgressCallback = std::function<void(const StepProgress&)>;

struct EvalStats {
  double loss = 0;
  double accuracy = 0;
  int64_t samples = 0;
};

class Trainer {
 public:
  // Compiles the programs for `options.batch` with `backend` and initialises
  // the parameters from their initialisers with `options.seed`.
  static absl::StatusOr<std::unique_ptr<Trainer>> Create(ProgramFactory factory,
                                                         Backend& backend,
                                                         const TrainOptions& options);

  // Runs one epoch over `data` (epoch numbers start at 1; the shuffle of
  // epoch e depends only on the seed and e).
  // `progress`, when given, is called after every step.
  absl::StatusOr<EpochStats> TrainEpoch(const LabeledImages& data, int64_t epoch,
                                        const ProgressCallback& progress = nullptr);
  // Mean loss and accuracy over `data`, parameters unchanged.
  absl::StatusOr<EvalStats> Evaluate(const LabeledImages& data);

  const NamedTensors& parameters() const { return parameters_; }
  const NamedTensors& optimizer_state() const { return state_; }
  // Replaces parameters (and optimizer state tensors, if given) after
  // checking names, dtypes and shapes; `source` names them in errors.
  absl::Status LoadParameters(const NamedTensors& tensors, std::string_view source);
  const TrainingProgram& program() const { return programs_.at(options_.batch).program; }

 private:
  struct Compiled {
    TrainingProgram program;
    std::unique_ptr<Executor> train, eval;
  };

  Trainer(ProgramFactory factory, Backend& backend, TrainOptions options)
      : factory_(std::move(factory)), backend_(backend), options_(options) {}
  absl::StatusOr<Compiled*> ForBatch(int64_t batch);
  absl::Status CheckData(const LabeledImages& data, const Compiled& compiled) const;
  absl::Status Feed(const LabeledImages& data, std::span<const int64_t> rows,
                    const Compiled& compiled);

  ProgramFactory factory_;
  Backend& backend_;
  TrainOptions options_;
  std::map<int64_t, Compiled> programs_;
  NamedTensors parameters_;
  NamedTensors state_;
  Feeds feeds_;  // parameters, state and the current batch, by name
};

}  // namespace dlc

#endif  // DLC_RUNTIME_TRAINER_H_
