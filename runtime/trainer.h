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
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "ir/tensor.h"
#include "passes/training.h"
#include "runtime/dataset.h"
#include "runtime/distributed/communicator.h"
#include "runtime/executor.h"

namespace dlc {

using NamedTensors = std::map<std::string, Tensor>;

// Builds the training program for one batch size (lowering the model at
// that size); the trainer asks for each size it needs.
using ProgramFactory = std::function<absl::StatusOr<TrainingProgram>(int64_t batch)>;

// Data-parallel training over the ranks of `comm` (size > 1): each step's
// batch is split into one shard per rank (distributed/sharding.h); every
// rank computes its shard's gradients with the gradient step, the
// communicator sums them in rank order, and every rank applies the same
// update step, so all hold the same parameters after every step. Each rank
// shuffles with the same seed, so every sample is used once per epoch.
struct DataParallelPlan {
  distributed::Communicator* comm = nullptr;
  // passes/training.h's BuildGradientStep for a shard of `batch`, and
  // BuildUpdateStep.
  std::function<absl::StatusOr<Graph>(int64_t shard, int64_t batch)> gradient_step;
  std::function<absl::StatusOr<Graph>()> update_step;
};

// Where a data-parallel run's time went, summed over its steps.
struct DataParallelTimes {
  int64_t steps = 0;
  double gradient_seconds = 0;   // the gradient step on this rank's shard
  double allreduce_seconds = 0;  // summing over the ranks (waiting included)
  double update_seconds = 0;     // the optimizer update
  int64_t allreduce_floats = 0;  // per step
};

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
  bool interrupted = false;  // stopped on request before its last step
};

// An epoch stopped part-way: the steps done and their sums. TrainEpoch of
// the same epoch continues from the next step with these sums, so the epoch
// ends exactly as it would have without the stop.
struct PartialEpoch {
  int64_t epoch = 0;
  int64_t steps = 0;  // steps done
  int64_t samples = 0;
  double loss_sum = 0;  // per-sample losses summed
  int64_t correct = 0;
  double seconds = 0;
};

// Where an epoch stands after each step, for progress displays.
struct StepProgress {
  int64_t epoch = 0;
  int64_t step = 0;     // steps done in this epoch
  int64_t steps = 0;    // steps in the epoch
  int64_t samples = 0;  // samples done in this epoch
  double loss = 0;      // mean over the epoch's samples so far
  double accuracy = 0;
  double seconds = 0;  // since the epoch started
  // The step's own batch.
  int64_t batch_size = 0;
  double batch_loss = 0;  // mean over the batch
  double batch_accuracy = 0;
};
using ProgressCallback = std::function<void(const StepProgress&)>;
// Asked before every step; true stops the epoch there (after the step
// running when the request came, never in the middle of one).
using StopRequested = std::function<bool()>;

struct EvalStats {
  double loss = 0;
  double accuracy = 0;
  int64_t samples = 0;
};

class Trainer {
 public:
  // Compiles the programs for `options.batch` with `backend` and initialises
  // the parameters from their initialisers with `options.seed`.
  // With `data_parallel`, TrainEpoch trains on its communicator's ranks.
  static absl::StatusOr<std::unique_ptr<Trainer>> Create(
      ProgramFactory factory, Backend& backend, const TrainOptions& options,
      std::optional<DataParallelPlan> data_parallel = std::nullopt);

  // Runs one epoch over `data` (epoch numbers start at 1; the shuffle of
  // epoch e depends only on the seed and e, dropout's masks on the seed, e
  // and the step). `progress`, when given, is called after every step.
  // When `stop` asks for it, the epoch ends early with `interrupted` set and
  // partial_epoch() says where; calling TrainEpoch for it again continues.
  // Data-parallel, the ranks agree where to stop: a request on any rank
  // during a step stops every rank after that step (stop_agreed()).
  // A step whose loss, new parameters or new optimizer state hold a NaN or
  // an infinity is not applied: the parameters stay those before it, and the
  // error names the epoch, the step, the tensor and the first operation of the
  // step that produced a NaN or infinity.
  absl::StatusOr<EpochStats> TrainEpoch(const LabeledImages& data, int64_t epoch,
                                        const ProgressCallback& progress = nullptr,
                                        const StopRequested& stop = nullptr);
  // Whether `data`'s samples fit the model's input (element type and size).
  absl::Status CheckData(const LabeledImages& data) const;
  // CheckData, and at least one batch of samples.
  absl::Status CheckTrainingData(const LabeledImages& data) const;

  // Mean loss and accuracy over `data`, parameters unchanged.
  absl::StatusOr<EvalStats> Evaluate(const LabeledImages& data);

  const NamedTensors& parameters() const { return parameters_; }
  const NamedTensors& optimizer_state() const { return state_; }
  // Replaces parameters (and optimizer state tensors, if given) after
  // checking names, dtypes, shapes and that every value is finite; `source`
  // names them in errors.
  absl::Status LoadParameters(const NamedTensors& tensors, std::string_view source);
  const TrainingProgram& program() const { return programs_.at(options_.batch).program; }
  const TrainOptions& options() const { return options_; }

  // The epoch stopped part-way, if the last TrainEpoch was interrupted after
  // at least one step (or ContinueEpoch set one).
  const std::optional<PartialEpoch>& partial_epoch() const { return partial_; }
  // Makes the next TrainEpoch of `partial.epoch` continue after its steps
  // (resuming a checkpoint taken mid-epoch).
  void ContinueEpoch(const PartialEpoch& partial) { partial_ = partial; }

  // Data-parallel: whether a rank asked to stop during the last step run
  // (every rank gets the same answer), and where the time went.
  bool data_parallel() const { return data_parallel_.has_value(); }
  bool stop_agreed() const { return stop_agreed_; }
  const DataParallelTimes& data_parallel_times() const { return dp_times_; }

 private:
  struct Compiled {
    TrainingProgram program;
    std::unique_ptr<Executor> train, eval;  // data-parallel: no train
    std::vector<Tensor> spare;              // storage for the next step's outputs
  };
  // What a step adds to its epoch's sums.
  struct StepSums {
    double loss_sum = 0;  // per-sample losses summed over the batch
    double loss = 0;      // their mean
    int64_t correct = 0;
  };

  Trainer(ProgramFactory factory, Backend& backend, TrainOptions options)
      : factory_(std::move(factory)), backend_(backend), options_(options) {}
  absl::StatusOr<Compiled*> ForBatch(int64_t batch);
  absl::Status CheckData(const LabeledImages& data, const Compiled& compiled) const;
  absl::Status Feed(const LabeledImages& data, std::span<const int64_t> rows, const Graph& g);
  // One step on the rows `rows` of `data`: the whole training step here, or
  // (data-parallel) this rank's shard and the update; `stop_here` is this
  // rank's stop request, which the data-parallel step shares.
  absl::StatusOr<StepSums> SingleStep(const LabeledImages& data, std::span<const int64_t> rows,
                                      int64_t epoch, int64_t step);
  absl::StatusOr<StepSums> DataParallelStep(const LabeledImages& data,
                                            std::span<const int64_t> rows, int64_t epoch,
                                            int64_t step, bool stop_here);
  absl::StatusOr<Executor*> GradientStep(int64_t shard, int64_t batch);
  // %rng_key of step `step` (0-based) of `epoch`, for models with dropout.
  Tensor RngKey(int64_t epoch, int64_t step) const;
  // The error for a step (fed in feeds_, parameters before it in
  // parameters_ and state_) whose loss or update is not finite; `problem`
  // says which ("epoch 3, step 5: the loss is NaN").
  absl::Status NonFiniteStep(const Compiled& compiled, std::string_view problem);

  ProgramFactory factory_;
  Backend& backend_;
  TrainOptions options_;
  std::map<int64_t, Compiled> programs_;
  NamedTensors parameters_;
  NamedTensors state_;
  Feeds feeds_;  // parameters, state and the current batch, by name
  std::optional<PartialEpoch> partial_;

  std::optional<DataParallelPlan> data_parallel_;
  std::map<std::pair<int64_t, int64_t>, std::unique_ptr<Executor>> gradient_steps_;
  std::unique_ptr<Executor> update_step_;
  Feeds update_feeds_;       // parameters, state and summed gradients
  std::vector<float> sums_;  // the buffer the ranks sum: gradients, loss, correct, stop
  bool stop_agreed_ = false;
  DataParallelTimes dp_times_;
};

}  // namespace dlc

#endif  // DLC_RUNTIME_TRAINER_H_
