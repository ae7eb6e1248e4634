// The optimizers in the training step, checked against their formulas
// computed here in double precision from the same gradients: Keras's Adam
// (bias-corrected, epsilon-hat) and SGD with momentum and Nesterov, with and
// without decoupled weight decay, over two steps.
#include <cmath>

#include "gtest/gtest.h"
#include "ir/builder.h"
#include "ir/interpreter.h"
#include "passes/autodiff.h"
#include "passes/training.h"

namespace dlc {
namespace {

// logits = x · w, a 2x3 by 3x2 product, with cross-entropy against labels.
ForwardModel TinyModel() {
  GraphBuilder b("tiny");
  ValueId x = *b.Input("x", {DType::kF32, {2, 3}});
  ValueId w = *b.Parameter("w", {DType::kF32, {3, 2}}, "glorot_uniform");
  ValueId logits = *b.Add(OpKind::kMatMul, {x, w}, {}, "logits");
  return {*std::move(b).Build({logits}), logits};
}

Feeds Inputs() {
  return {{"x", Tensor::FromVector<float>(DType::kF32, {2, 3},
                                          {0.5f, -1.0f, 2.0f, 1.5f, 0.25f, -0.75f})},
          {"labels", Tensor::FromVector<int>(DType::kU8, {2}, {1, 0})}};
}

// The gradient of the loss at w (autodiff is checked against finite
// differences elsewhere; here it only supplies g).
std::vector<double> Gradient(const ForwardModel& model, const Tensor& w) {
  Graph graph = model.graph;
  graph.outputs.clear();
  GraphBuilder b(std::move(graph));
  ValueId labels = *b.Input("labels", {DType::kU8, {2}});
  ValueId loss = *b.Add(OpKind::kSoftmaxCrossEntropy, {model.logits, labels}, {}, "loss");
  ValueId param = *b.graph().Find("w");
  std::vector<ValueId> grads = *AppendGradients(b, loss, std::vector<ValueId>{param});
  Graph with_grad = *std::move(b).Build(grads);
  Feeds feeds = Inputs();
  feeds["w"] = w;
  Tensor g = (*Interpret(with_grad, feeds))[0];
  std::vector<double> out;
  for (int64_t i = 0; i < g.num_elements(); ++i) out.push_back(g.GetDouble(i));
  return out;
}

// Runs `steps` training steps and returns w after each.
std::vector<Tensor> Train(const OptimizerSpec& spec, int steps, const Tensor& w0) {
  ForwardModel model = TinyModel();
  auto program = BuildTrainingProgram(model, model, spec);
  EXPECT_TRUE(program.ok()) << program.status();
  Feeds feeds = Inputs();
  feeds["w"] = w0;
  for (const StateTensor& s : program->state) feeds[s.name] = Tensor(s.type);
  std::vector<Tensor> history;
  for (int step = 0; step < steps; ++step) {
    auto outputs = Interpret(program->train_step, feeds);
    EXPECT_TRUE(outputs.ok()) << outputs.status();
    size_t next = 2;
    feeds["w"] = (*outputs)[next++];
    for (const StateTensor& s : program->state) feeds[s.name] = (*outputs)[next++];
    history.push_back(feeds["w"]);
  }
  return history;
}

Tensor InitialW() {
  return Tensor::FromVector<float>(DType::kF32, {3, 2}, {0.1f, -0.2f, 0.3f, 0.05f, -0.4f, 0.25f});
}

void ExpectNear(const Tensor& actual, const std::vector<double>& expected) {
  for (int64_t i = 0; i < actual.num_elements(); ++i) {
    EXPECT_NEAR(actual.GetDouble(i), expected[i], 2e-7 + 1e-6 * std::abs(expected[i]))
        << "w[" << i << "]";
  }
}

TEST(TrainingProgram, AdamFollowsKerasFormulaOverTwoSteps) {
  OptimizerSpec spec;  // adam, lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7
  spec.lr = 0.01;
  const Tensor w0 = InitialW();
  std::vector<Tensor> trained = Train(spec, 2, w0);
  ForwardModel model = TinyModel();
  std::vector<double> w(6), m(6, 0), v(6, 0);
  for (int i = 0; i < 6; ++i) w[i] = w0.GetDouble(i);
  Tensor current = w0;
  for (int t = 1; t <= 2; ++t) {
    std::vector<double> g = Gradient(model, current);
    const double lr_t =
        spec.lr * std::sqrt(1 - std::pow(spec.beta2, t)) / (1 - std::pow(spec.beta1, t));
    for (int i = 0; i < 6; ++i) {
      m[i] += (g[i] - m[i]) * (1 - spec.beta1);
      v[i] += (g[i] * g[i] - v[i]) * (1 - spec.beta2);
      w[i] -= lr_t * m[i] / (std::sqrt(v[i]) + spec.epsilon);
    }
    ExpectNear(trained[t - 1], w);
    current = trained[t - 1];
  }
  // The first Adam step moves every weight by about lr against its gradient.
  for (int i = 0; i < 6; ++i)
    EXPECT_NEAR(std::abs(trained[0].GetDouble(i) - w0.GetDouble(i)), 0.01, 1e-5);
}

void ExpectSgd(bool nesterov, double weight_decay) {
  OptimizerSpec spec;
  spec.kind = OptimizerSpec::Kind::kSgd;
  spec.lr = 0.1;
  spec.momentum = 0.9;
  spec.nesterov = nesterov;
  spec.weight_decay = weight_decay;
  const Tensor w0 = InitialW();
  std::vector<Tensor> trained = Train(spec, 2, w0);
  ForwardModel model = TinyModel();
  std::vector<double> w(6), velocity(6, 0);
  for (int i = 0; i < 6; ++i) w[i] = w0.GetDouble(i);
  Tensor current = w0;
  for (int t = 1; t <= 2; ++t) {
    std::vector<double> g = Gradient(model, current);
    for (int i = 0; i < 6; ++i) {
      const double p = w[i];
      velocity[i] = spec.momentum * velocity[i] - spec.lr * g[i];
      w[i] = nesterov ? p + spec.momentum * velocity[i] - spec.lr * g[i] : p + velocity[i];
      w[i] -= spec.lr * weight_decay * p;
    }
    ExpectNear(trained[t - 1], w);
    current = trained[t - 1];
  }
}

TEST(TrainingProgram, SgdMomentumFollowsKerasFormula) { ExpectSgd(false, 0); }
TEST(TrainingProgram, SgdNesterovFollowsKerasFormula) { ExpectSgd(true, 0); }
TEST(TrainingProgram, WeightDecayIsDecoupled) { ExpectSgd(false, 0.01); }

TEST(TrainingProgram, StepReturnsLossCorrectAndUpdatedStateInOrder) {
  ForwardModel model = TinyModel();
  auto program = BuildTrainingProgram(model, model, OptimizerSpec{});
  ASSERT_TRUE(program.ok());
  const Graph& g = program->train_step;
  ASSERT_EQ(g.outputs.size(), 2u + 1u + 3u);  // loss, correct, w, adam.step, m, v
  EXPECT_EQ(g.node(g.outputs[0]).name, "loss");
  EXPECT_EQ(g.node(g.outputs[1]).name, "correct");
  EXPECT_EQ(g.node(g.outputs[2]).name, "w.next");
  ASSERT_EQ(program->state.size(), 3u);
  EXPECT_EQ(program->state[0].name, "adam.step");
  EXPECT_EQ(g.node(g.outputs[3]).name, "adam.step.next");
  EXPECT_EQ(program->state[1].name, "adam.m.w");
  EXPECT_EQ(g.node(g.outputs[4]).name, "adam.m.w.next");
  EXPECT_EQ(program->parameters, std::vector<std::string>{"w"});
  // predict returns probabilities that sum to one.
  Feeds feeds = Inputs();
  feeds.erase("labels");
  feeds["w"] = InitialW();
  auto p = Interpret(program->predict, feeds);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_NEAR((*p)[0].GetDouble(0) + (*p)[0].GetDouble(1), 1.0, 1e-6);
}

}  // namespace
}  // namespace dlc
