// An optimizer and its settings: what a train section's `optimizer = ...`
// says (frontend/train_config.h) and what the training step's update is
// built from (passes/training.h). One struct for both, so they cannot drift.
#ifndef DLC_IR_OPTIMIZER_SPEC_H_
#define DLC_IR_OPTIMIZER_SPEC_H_

namespace dlc {

struct OptimizerSpec {
  enum class Kind { kSgd, kAdam };
  Kind kind = Kind::kAdam;
  double lr = 0.001;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7;  // adam (Keras defaults)
  double momentum = 0;                                // sgd
  bool nesterov = false;                              // sgd
  // Both, decoupled (AdamW, SGDW): each step also subtracts
  // lr * weight_decay * p, outside the gradient and the moments.
  double weight_decay = 0;
};

}  // namespace dlc

#endif  // DLC_IR_OPTIMIZER_SPEC_H_
