// From a model's forward graph to the functions a training run needs, all
// in the tensor IR: the training step (forward, loss, gradients, optimizer
// update in one graph), the evaluation step and prediction.
#ifndef DLC_PASSES_TRAINING_H_
#define DLC_PASSES_TRAINING_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/graph.h"
#include "ir/optimizer_spec.h"

namespace dlc {

// A tensor the training step carries from one call to the next besides the
// parameters (optimizer moments, the step count). It starts at zero.
struct StateTensor {
  std::string name;
  TensorType type;
};

struct TrainingProgram {
  // Inputs: the model's inputs, %labels (u8[batch]), the state tensors,
  // and %rng_key (i32[2]: seed, step) when the model has dropout;
  // parameters: the model's. Outputs: %loss (mean over the batch),
  // %correct (i32[], right predictions in the batch), then the updated
  // parameters ("<name>.next") in the order of `parameters`, then the
  // updated state in the order of `state`.
  Graph train_step;
  // Inputs: the model's inputs and %labels. Outputs: %loss, %correct.
  Graph eval_step;
  // Inputs: the model's inputs. Output: %probabilities.
  Graph predict;
  std::vector<std::string> parameters;
  std::vector<StateTensor> state;
};

// A model's forward graph (first output: the model's output) and the value
// the cross-entropy loss takes (that output, or the logits a final softmax
// was computed from).
struct ForwardModel {
  Graph graph;
  ValueId logits = -1;
};

// The training step is built from the model lowered in training mode
// (dropout active), evaluation and prediction from the inference-mode
// lowering. Both must have the same parameters.
absl::StatusOr<TrainingProgram> BuildTrainingProgram(const ForwardModel& training,
                                                     const ForwardModel& inference,
                                                     const OptimizerSpec& optimizer);

// The prediction function of a model's inference-mode forward graph: its
// inputs and parameters, one output %probabilities (the model's output when
// that already is the softmax of `logits`, else a softmax of it). What
// `dlc compile` emits as <model>_predict and `dlc export` writes as ONNX.
absl::StatusOr<Graph> BuildPredict(const Graph& model, ValueId logits);

// Data-parallel training (runtime/distributed) splits the training step in
// two, so that the gradients can be summed over the ranks in between.
//
// The gradient step of one rank's shard of `global_batch` samples (the
// model's batch is the shard's size): inputs as the training step's without
// the optimizer state; outputs %loss (mean over the shard), %correct (in the
// shard), then the gradients in the order of the graph's parameters, of
// loss * shard / global_batch: the shard's part of the gradient of the global
// batch's mean loss, so that the sum over the ranks is that gradient.
absl::StatusOr<Graph> BuildGradientStep(const ForwardModel& training, int64_t global_batch);

// The optimizer update of the training step alone: the parameters of
// `train_step`, the optimizer state (the same names and order as
// TrainingProgram::state) and one input "<parameter>.grad_sum" per
// parameter; outputs the training step's without %loss and %correct.
absl::StatusOr<Graph> BuildUpdateStep(const Graph& train_step, const OptimizerSpec& optimizer);

// The name of the update step's input for `parameter`'s summed gradient.
std::string GradientSumName(const std::string& parameter);

}  // namespace dlc

#endif  // DLC_PASSES_TRAINING_H_
