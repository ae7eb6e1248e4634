// The loop lowering computes what the tensor interpreter computes: every op
// of the round-trip corpus and whole training steps, run through the
// loop-IR interpreter and compared element by element.
#include "passes/lower_to_loops.h"

#include <cmath>
#include <fstream>

#include "frontend/lower.h"
#include "frontend/parser.h"
#include "gtest/gtest.h"
#include "ir/loops/loop_interpreter.h"
#include "ir/loops/loop_verifier.h"
#include "ir/parser.h"
#include "passes/training.h"
#include "runtime/initializers.h"
#include "support/str_cat.h"
#include "tests/passes/gradient_check.h"

namespace dlc {
namespace {

// Relative 1e-5 for f32 (1e-12 for f64), exact for integers and booleans;
// NaN equals NaN.
void ExpectClose(const Tensor& expected, const Tensor& actual, const std::string& what) {
  ASSERT_EQ(expected.type(), actual.type()) << what;
  const double tolerance = expected.dtype() == DType::kF32   ? 1e-5
                           : expected.dtype() == DType::kF64 ? 1e-12
                                                             : 0;
  int reported = 0;
  for (int64_t i = 0; i < expected.num_elements() && reported < 5; ++i) {
    const double e = expected.GetDouble(i), a = actual.GetDouble(i);
    if (std::isnan(e) && std::isnan(a)) continue;
    if (e == a) continue;
    const double error = std::abs(e - a) / std::max({std::abs(e), std::abs(a), 1.0});
    if (error > tolerance || std::isnan(e) != std::isnan(a)) {
      ADD_FAILURE() << what << "[" << i << "]: interpreter " << e << ", loops " << a;
      ++reported;
    }
  }
}

absl::StatusOr<std::vector<Tensor>> RunLoops(const Graph& graph, const Feeds& feeds) {
  auto program = LowerToLoops(graph);
  if (!program.ok()) return program.status();
  if (absl::Status s = loops::VerifyLoopProgram(*program); !s.ok()) return s;
  return loops::RunLoopProgramOnFeeds(*program, feeds);
}

void ExpectParity(const Graph& graph, const Feeds& feeds) {
  auto expected = Interpret(graph, feeds);
  ASSERT_TRUE(expected.ok()) << expected.status();
  auto actual = RunLoops(graph, feeds);
  ASSERT_TRUE(actual.ok()) << graph.name << ": " << actual.status();
  ASSERT_EQ(expected->size(), actual->size());
  for (size_t i = 0; i < expected->size(); ++i) {
    ExpectClose((*expected)[i], (*actual)[i],
                StrCat(graph.name, " output ", i, " %", graph.node(graph.outputs[i]).name));
  }
}

TEST(LowerToLoops, EveryOpOfTheCorpusMatchesTheInterpreter) {
  auto module = ParseModuleFile(DLC_SOURCE_DIR "/tests/ir/testdata/all_ops.ir");
  ASSERT_TRUE(module.ok()) << module.status();
  for (Graph graph : module->graphs) {
    // Return every value, not just the graph's outputs, so each op is compared.
    graph.outputs.clear();
    for (ValueId id = 0; id < graph.size(); ++id) graph.outputs.push_back(id);
    SCOPED_TRACE(graph.name);
    ExpectParity(graph, testing::MakeFeeds(graph, /*seed=*/11, /*int_range=*/3));
  }
}

absl::StatusOr<TrainingProgram> Program(const std::string& file, int64_t batch) {
  auto program = dl::ParseProgramFile(std::string(DLC_SOURCE_DIR "/examples/") + file);
  if (!program.ok()) return program.status();
  auto training = dl::LowerModel(*program, program->models[0].name, {batch, true});
  auto inference = dl::LowerModel(*program, program->models[0].name, {batch, false});
  if (!training.ok()) return training.status();
  if (!inference.ok()) return inference.status();
  ForwardModel t{training->graph, training->logits.value_or(training->graph.outputs[0])};
  ForwardModel i{inference->graph, inference->logits.value_or(inference->graph.outputs[0])};
  return BuildTrainingProgram(t, i, OptimizerSpec{});
}

// A small batch: the loop-IR interpreter is a plain tree walker.
void ExpectTrainStepParity(const std::string& file, int64_t batch) {
  auto program = Program(file, batch);
  ASSERT_TRUE(program.ok()) << program.status();
  Feeds feeds = testing::MakeFeeds(program->train_step, /*seed=*/5, /*int_range=*/10);
  auto params = InitializeParameters(program->train_step, 5);
  ASSERT_TRUE(params.ok());
  for (auto& [name, value] : *params) feeds[name] = value;
  for (const StateTensor& s : program->state) feeds[s.name] = Tensor(s.type);
  if (feeds.contains("rng_key")) {
    feeds["rng_key"] = Tensor::FromVector<int32_t>(DType::kI32, {2}, std::vector<int32_t>{3, 9});
  }
  ExpectParity(program->train_step, feeds);
  Feeds eval_feeds;
  for (const Node& n : program->eval_step.nodes) {
    if (n.op == OpKind::kInput || n.op == OpKind::kParameter) eval_feeds[n.name] = feeds.at(n.name);
  }
  ExpectParity(program->eval_step, eval_feeds);
}

TEST(LowerToLoops, MlpTrainStepMatchesTheInterpreter) { ExpectTrainStepParity("mnist_mlp.dl", 4); }
TEST(LowerToLoops, CnnTrainStepMatchesTheInterpreter) { ExpectTrainStepParity("mnist_cnn.dl", 4); }
TEST(LowerToLoops, Lenet5TrainStepMatchesTheInterpreter) { ExpectTrainStepParity("lenet5.dl", 2); }
TEST(LowerToLoops, ResidualTrainStepMatchesTheInterpreter) {
  ExpectTrainStepParity("mnist_residual.dl", 1);
}

TEST(LowerToLoops, BadLabelFailsWithTheOpsMessage) {
  auto module = ParseModule(
      "graph g {\n"
      "  %logits = input() : f32[2,3]\n"
      "  %labels = input() : u8[2]\n"
      "  %loss = softmax_cross_entropy(%logits, %labels) : f32[]\n"
      "  return %loss\n"
      "}\n");
  ASSERT_TRUE(module.ok());
  Feeds feeds = testing::MakeFeeds(module->graphs[0], 1);
  feeds["labels"] = Tensor::FromVector<int>(DType::kU8, {2}, {1, 7});
  auto result = RunLoops(module->graphs[0], feeds);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "%loss = softmax_cross_entropy: a label is outside [0, 3)");
}

// Reshape and flatten keep their operand's elements in the same order: they
// read the operand's buffer with their own shape (no kernel, no copy), and
// copy only when returned.
TEST(LowerToLoops, ReshapesAliasTheirOperand) {
  auto module = ParseModule(R"(graph g {
  %x = input() : f32[2,3,4]
  %y = exp(%x) : f32[2,3,4]
  %flat = flatten(%y) : f32[2,12]
  %z = neg(%flat) : f32[2,12]
  %r = reshape(%y) {shape=[6,4]} : f32[6,4]
  return %z, %r
})");
  ASSERT_TRUE(module.ok()) << module.status();
  const Graph& graph = module->graphs[0];
  auto program = LowerToLoops(graph);
  ASSERT_TRUE(program.ok()) << program.status();
  std::vector<std::string> kernels;
  for (const loops::Kernel& k : program->kernels) kernels.push_back(k.name);
  EXPECT_EQ(kernels, (std::vector<std::string>{"%y = exp", "%z = neg", "%r = reshape"}));
  ExpectParity(graph, testing::MakeFeeds(graph, /*seed=*/2));
}

}  // namespace
}  // namespace dlc
