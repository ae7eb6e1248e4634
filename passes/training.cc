#include "passes/training.h"

#include <cmath>

#include "ir/builder.h"
#include "ir/enum_attrs.h"
#include "passes/autodiff.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

// The loss and the number of right predictions, appended to `b`.
struct LossValues {
  ValueId labels, loss, correct;
};

absl::StatusOr<LossValues> AppendLoss(GraphBuilder& b, ValueId logits) {
  const TensorType& t = b.type(logits);
  if (t.rank() != 2 || !IsFloat(t.dtype)) {
    return absl::InvalidArgumentError(
        StrCat("the model's output must be float [batch, classes] "
               "for a classification loss, got ",
               t.ToString()));
  }
  if (b.graph().Find("labels")) {
    return absl::InvalidArgumentError("the model already has a value named 'labels'");
  }
  LossValues v;
  DLC_ASSIGN_OR_RETURN(v.labels, b.Input("labels", {DType::kU8, {t.shape[0]}}));
  DLC_ASSIGN_OR_RETURN(v.loss, b.Add(OpKind::kSoftmaxCrossEntropy, {logits, v.labels}, {}, "loss"));
  DLC_ASSIGN_OR_RETURN(ValueId predicted,
                       b.Add(OpKind::kArgMax, {logits}, {{"axis", int64_t{1}}}, "predicted"));
  DLC_ASSIGN_OR_RETURN(ValueId labels_i32,
                       b.Add(OpKind::kCast, {v.labels}, {{"to", DType::kI32}}, "labels.i32"));
  DLC_ASSIGN_OR_RETURN(ValueId hit, b.Add(OpKind::kCompare, {predicted, labels_i32},
                                          {{"predicate", EnumAttr(Predicate::kEq)}}, "hit"));
  DLC_ASSIGN_OR_RETURN(ValueId hit_i32,
                       b.Add(OpKind::kCast, {hit}, {{"to", DType::kI32}}, "hit.i32"));
  DLC_ASSIGN_OR_RETURN(v.correct,
                       b.Add(OpKind::kReduceSum, {hit_i32}, {{"axes", IntList{0}}}, "correct"));
  return v;
}

// Emits the optimizer's update for every parameter.
class UpdateEmitter {
 public:
  UpdateEmitter(GraphBuilder& b, const OptimizerSpec& spec) : b_(b), spec_(spec) {}

  // Returns p' for parameter p with gradient g; adds state inputs/outputs.
  absl::StatusOr<ValueId> Update(ValueId p, ValueId g) {
    const std::string name = b_.node(p).name;
    ValueId next;
    if (spec_.kind == OptimizerSpec::Kind::kAdam) {
      DLC_ASSIGN_OR_RETURN(next, Adam(p, g, name));
    } else {
      DLC_ASSIGN_OR_RETURN(next, Sgd(p, g, name));
    }
    if (spec_.weight_decay > 0) {
      DLC_ASSIGN_OR_RETURN(
          ValueId decay,
          Mul(p, Const(spec_.lr * spec_.weight_decay, p, "weight_decay.lr_times_decay"),
              name + ".decay"));
      DLC_ASSIGN_OR_RETURN(next, Op(OpKind::kSub, {next, decay}, name + ".decayed"));
    }
    DLC_RETURN_IF_ERROR(b_.Rename(next, name + ".next"));
    return next;
  }

  std::vector<StateTensor>& state() { return state_; }
  std::vector<ValueId>& state_next() { return state_next_; }

 private:
  // Keras's Adam: lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t);
  // m' = m + (g - m)(1 - beta1); v' = v + (g^2 - v)(1 - beta2);
  // p' = p - lr_t * m' / (sqrt(v') + epsilon).
  absl::StatusOr<ValueId> Adam(ValueId p, ValueId g, const std::string& name) {
    DLC_ASSIGN_OR_RETURN(ValueId lr_t, AdamStepSize());
    DLC_ASSIGN_OR_RETURN(ValueId m, State("adam.m." + name, b_.type(p)));
    DLC_ASSIGN_OR_RETURN(ValueId v, State("adam.v." + name, b_.type(p)));
    DLC_ASSIGN_OR_RETURN(ValueId g_minus_m, Op(OpKind::kSub, {g, m}, name + ".adam.g_minus_m"));
    DLC_ASSIGN_OR_RETURN(
        ValueId dm,
        Mul(g_minus_m, Const(1 - spec_.beta1, p, "adam.one_minus_beta1"), name + ".adam.dm"));
    DLC_ASSIGN_OR_RETURN(ValueId m_next, Op(OpKind::kAdd, {m, dm}, "adam.m." + name + ".next"));
    DLC_ASSIGN_OR_RETURN(ValueId g2, Op(OpKind::kMul, {g, g}, name + ".adam.g2"));
    DLC_ASSIGN_OR_RETURN(ValueId g2_minus_v, Op(OpKind::kSub, {g2, v}, name + ".adam.g2_minus_v"));
    DLC_ASSIGN_OR_RETURN(
        ValueId dv,
        Mul(g2_minus_v, Const(1 - spec_.beta2, p, "adam.one_minus_beta2"), name + ".adam.dv"));
    DLC_ASSIGN_OR_RETURN(ValueId v_next, Op(OpKind::kAdd, {v, dv}, "adam.v." + name + ".next"));
    state_next_.push_back(m_next);
    state_next_.push_back(v_next);
    DLC_ASSIGN_OR_RETURN(ValueId root, Op(OpKind::kSqrt, {v_next}, name + ".adam.sqrt_v"));
    DLC_ASSIGN_OR_RETURN(ValueId denom,
                         Op(OpKind::kAdd, {root, Const(spec_.epsilon, p, "adam.epsilon")},
                            name + ".adam.denominator"));
    DLC_ASSIGN_OR_RETURN(ValueId ratio, Op(OpKind::kDiv, {m_next, denom}, name + ".adam.ratio"));
    DLC_ASSIGN_OR_RETURN(ValueId step, Op(OpKind::kMul, {ratio, lr_t}, name + ".adam.step"));
    return Op(OpKind::kSub, {p, step}, name + ".adam.updated");
  }

  // The step count t (an f32 input, output t + 1) and the bias-corrected
  // step size, shared by every parameter.
  absl::StatusOr<ValueId> AdamStepSize() {
    if (adam_lr_t_) return *adam_lr_t_;
    DLC_ASSIGN_OR_RETURN(ValueId t, State("adam.step", {DType::kF32, {}}));
    DLC_ASSIGN_OR_RETURN(ValueId one, b_.Scalar(DType::kF32, 1.0, "adam.one"));
    DLC_ASSIGN_OR_RETURN(ValueId t_next, Op(OpKind::kAdd, {t, one}, "adam.step.next"));
    state_next_.push_back(t_next);
    DLC_ASSIGN_OR_RETURN(ValueId beta1, b_.Scalar(DType::kF32, spec_.beta1, "adam.beta1"));
    DLC_ASSIGN_OR_RETURN(ValueId beta2, b_.Scalar(DType::kF32, spec_.beta2, "adam.beta2"));
    DLC_ASSIGN_OR_RETURN(ValueId beta1_t, Op(OpKind::kPow, {beta1, t_next}, "adam.beta1_t"));
    DLC_ASSIGN_OR_RETURN(ValueId beta2_t, Op(OpKind::kPow, {beta2, t_next}, "adam.beta2_t"));
    DLC_ASSIGN_OR_RETURN(ValueId c1, Op(OpKind::kSub, {one, beta1_t}, "adam.correction1"));
    DLC_ASSIGN_OR_RETURN(ValueId c2, Op(OpKind::kSub, {one, beta2_t}, "adam.correction2"));
    DLC_ASSIGN_OR_RETURN(ValueId root_c2, Op(OpKind::kSqrt, {c2}, "adam.sqrt_correction2"));
    DLC_ASSIGN_OR_RETURN(ValueId lr, b_.Scalar(DType::kF32, spec_.lr, "adam.lr"));
    DLC_ASSIGN_OR_RETURN(ValueId scaled, Op(OpKind::kMul, {lr, root_c2}, "adam.lr_scaled"));
    DLC_ASSIGN_OR_RETURN(adam_lr_t_, Op(OpKind::kDiv, {scaled, c1}, "adam.lr_t"));
    return *adam_lr_t_;
  }

  // Keras's SGD: with momentum, v' = momentum * v - lr * g and p' = p + v'
  // (nesterov: p' = p + momentum * v' - lr * g); without, p' = p - lr * g.
  absl::StatusOr<ValueId> Sgd(ValueId p, ValueId g, const std::string& name) {
    DLC_ASSIGN_OR_RETURN(ValueId lr_g, Mul(g, Const(spec_.lr, p, "sgd.lr"), name + ".sgd.lr_g"));
    if (spec_.momentum == 0) return Op(OpKind::kSub, {p, lr_g}, name + ".sgd.updated");
    DLC_ASSIGN_OR_RETURN(ValueId v, State("sgd.velocity." + name, b_.type(p)));
    DLC_ASSIGN_OR_RETURN(ValueId mv,
                         Mul(v, Const(spec_.momentum, p, "sgd.momentum"), name + ".sgd.momentum"));
    DLC_ASSIGN_OR_RETURN(ValueId v_next,
                         Op(OpKind::kSub, {mv, lr_g}, "sgd.velocity." + name + ".next"));
    state_next_.push_back(v_next);
    if (!spec_.nesterov) return Op(OpKind::kAdd, {p, v_next}, name + ".sgd.updated");
    DLC_ASSIGN_OR_RETURN(ValueId mv_next, Mul(v_next, Const(spec_.momentum, p, "sgd.momentum"),
                                              name + ".sgd.lookahead"));
    DLC_ASSIGN_OR_RETURN(ValueId p_ahead, Op(OpKind::kAdd, {p, mv_next}, name + ".sgd.ahead"));
    return Op(OpKind::kSub, {p_ahead, lr_g}, name + ".sgd.updated");
  }

  absl::StatusOr<ValueId> State(std::string name, TensorType type) {
    state_.push_back({name, type});
    return b_.Input(std::move(name), std::move(type));
  }

  // The hyperparameter `name` as a scalar of the dtype of `like`, created
  // once and shared by every parameter's update.
  ValueId Const(double value, ValueId like, std::string_view name) {
    const DType dtype = b_.type(like).dtype;
    std::string full = StrCat(name, ".", DTypeName(dtype));
    if (std::optional<ValueId> existing = b_.graph().Find(full)) return *existing;
    return *b_.Scalar(dtype, value, full);
  }

  absl::StatusOr<ValueId> Op(OpKind op, std::vector<ValueId> operands, std::string name) {
    return b_.Add(op, std::move(operands), {}, std::move(name));
  }
  absl::StatusOr<ValueId> Mul(ValueId a, ValueId b, std::string name) {
    return Op(OpKind::kMul, {a, b}, std::move(name));
  }

  GraphBuilder& b_;
  const OptimizerSpec& spec_;
  std::vector<StateTensor> state_;
  std::vector<ValueId> state_next_;
  std::optional<ValueId> adam_lr_t_;
};

absl::StatusOr<Graph> BuildTrainStep(const Graph& model, ValueId logits,
                                     const OptimizerSpec& optimizer, TrainingProgram& program) {
  Graph graph = model;
  graph.name = "train_step";
  graph.outputs.clear();
  GraphBuilder b(std::move(graph));
  DLC_ASSIGN_OR_RETURN(LossValues loss, AppendLoss(b, logits));
  const std::vector<ValueId> params = b.graph().Parameters();
  DLC_ASSIGN_OR_RETURN(std::vector<ValueId> grads, AppendGradients(b, loss.loss, params));

  UpdateEmitter updates(b, optimizer);
  std::vector<ValueId> outputs = {loss.loss, loss.correct};
  for (size_t i = 0; i < params.size(); ++i) {
    DLC_ASSIGN_OR_RETURN(ValueId next, updates.Update(params[i], grads[i]));
    outputs.push_back(next);
    program.parameters.push_back(b.node(params[i]).name);
  }
  for (ValueId next : updates.state_next()) outputs.push_back(next);
  program.state = updates.state();
  return std::move(b).Build(std::move(outputs));
}

absl::StatusOr<Graph> BuildEvalStep(const Graph& model, ValueId logits) {
  Graph graph = model;
  graph.name = "eval_step";
  graph.outputs.clear();
  GraphBuilder b(std::move(graph));
  DLC_ASSIGN_OR_RETURN(LossValues loss, AppendLoss(b, logits));
  return std::move(b).Build({loss.loss, loss.correct});
}

}  // namespace

absl::StatusOr<Graph> BuildPredict(const Graph& model, ValueId logits) {
  if (model.outputs.empty()) return absl::InvalidArgumentError("the model has no output");
  Graph graph = model;
  graph.name = "predict";
  const ValueId output = graph.outputs[0];
  graph.outputs.clear();
  GraphBuilder b(std::move(graph));
  // A model that returns logits gets its softmax here; one whose output
  // already is the softmax of `logits` returns it as is.
  ValueId probabilities = output;
  if (output == logits) {
    DLC_ASSIGN_OR_RETURN(probabilities, b.Add(OpKind::kSoftmax, {logits}, {}, "probabilities"));
  }
  return std::move(b).Build({probabilities});
}

std::string GradientSumName(const std::string& parameter) { return parameter + ".grad_sum"; }

absl::StatusOr<Graph> BuildGradientStep(const ForwardModel& training, int64_t global_batch) {
  if (training.graph.outputs.empty()) return absl::InvalidArgumentError("the model has no output");
  Graph graph = training.graph;
  graph.name = "gradient_step";
  graph.outputs.clear();
  GraphBuilder b(std::move(graph));
  DLC_ASSIGN_OR_RETURN(LossValues loss, AppendLoss(b, training.logits));
  const int64_t shard = b.type(loss.labels).shape[0];
  if (global_batch < shard) {
    return absl::InvalidArgumentError(
        StrCat("a shard of ", shard, " samples is larger than its batch of ", global_batch));
  }
  // The shard's share of the global mean: its own mean times shard / global.
  DLC_ASSIGN_OR_RETURN(
      ValueId share,
      b.Scalar(b.type(loss.loss).dtype,
               static_cast<double>(shard) / static_cast<double>(global_batch), "loss.share"));
  DLC_ASSIGN_OR_RETURN(ValueId scaled,
                       b.Add(OpKind::kMul, {loss.loss, share}, {}, "loss.of_global_mean"));
  const std::vector<ValueId> params = b.graph().Parameters();
  DLC_ASSIGN_OR_RETURN(std::vector<ValueId> grads, AppendGradients(b, scaled, params));
  std::vector<ValueId> outputs = {loss.loss, loss.correct};
  outputs.insert(outputs.end(), grads.begin(), grads.end());
  return std::move(b).Build(std::move(outputs));
}

absl::StatusOr<Graph> BuildUpdateStep(const Graph& train_step, const OptimizerSpec& optimizer) {
  Graph graph;
  graph.name = "update_step";
  // The parameters as the training step has them (name, type, initialiser).
  for (ValueId p : train_step.Parameters()) graph.nodes.push_back(train_step.node(p));
  GraphBuilder b(std::move(graph));
  const std::vector<ValueId> params = b.graph().Parameters();
  std::vector<ValueId> grads;
  for (ValueId p : params) {
    DLC_ASSIGN_OR_RETURN(ValueId g, b.Input(GradientSumName(b.node(p).name), b.type(p)));
    grads.push_back(g);
  }
  UpdateEmitter updates(b, optimizer);
  std::vector<ValueId> outputs;
  for (size_t i = 0; i < params.size(); ++i) {
    DLC_ASSIGN_OR_RETURN(ValueId next, updates.Update(params[i], grads[i]));
    outputs.push_back(next);
  }
  for (ValueId next : updates.state_next()) outputs.push_back(next);
  return std::move(b).Build(std::move(outputs));
}

absl::StatusOr<TrainingProgram> BuildTrainingProgram(const ForwardModel& training,
                                                     const ForwardModel& inference,
                                                     const OptimizerSpec& optimizer) {
  if (training.graph.outputs.empty() || inference.graph.outputs.empty()) {
    return absl::InvalidArgumentError("the model has no output");
  }
  if (!(optimizer.lr > 0)) {
    return absl::InvalidArgumentError(
        StrCat("the learning rate must be positive, got ", optimizer.lr));
  }
  TrainingProgram program;
  DLC_ASSIGN_OR_RETURN(program.train_step,
                       BuildTrainStep(training.graph, training.logits, optimizer, program));
  DLC_ASSIGN_OR_RETURN(program.eval_step, BuildEvalStep(inference.graph, inference.logits));
  DLC_ASSIGN_OR_RETURN(program.predict, BuildPredict(inference.graph, inference.logits));
  return program;
}

}  // namespace dlc
