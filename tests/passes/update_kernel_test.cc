// The optimizer's updates of all parameters as one kernel
// (to_loops/updates.cc): one kernel in a training step's list, bit-identical
// to the interpreter, one parallel loop when big and none when tiny.
#include <string>

#include "frontend/lower.h"
#include "frontend/parser.h"
#include "gmock/gmock.h"
#include "ir/interpreter.h"
#include "ir/loops/loop_interpreter.h"
#include "ir/loops/loop_printer.h"
#include "ir/loops/loop_verifier.h"
#include "ir/parser.h"
#include "passes/lower_to_loops.h"
#include "passes/pipeline.h"
#include "passes/training.h"
#include "support/str_cat.h"
#include "tests/passes/gradient_check.h"

namespace dlc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The kernels whose names say they update a parameter ("%p.next = ...").
std::vector<std::string> UpdateKernels(const loops::LoopProgram& program) {
  std::vector<std::string> names;
  for (const loops::Kernel& kernel : program.kernels) {
    if (kernel.name.find(".next = sub") != std::string::npos) names.push_back(kernel.name);
  }
  return names;
}

absl::StatusOr<Graph> TrainStep(const std::string& file, int64_t batch,
                                const OptimizerSpec& optimizer) {
  auto program = dl::ParseProgramFile(std::string(DLC_SOURCE_DIR "/examples/") + file);
  if (!program.ok()) return program.status();
  auto training = dl::LowerModel(*program, program->models[0].name, {batch, true});
  auto inference = dl::LowerModel(*program, program->models[0].name, {batch, false});
  if (!training.ok()) return training.status();
  if (!inference.ok()) return inference.status();
  ForwardModel t{training->graph, training->logits.value_or(training->graph.outputs[0])};
  ForwardModel i{inference->graph, inference->logits.value_or(inference->graph.outputs[0])};
  absl::StatusOr<TrainingProgram> built = BuildTrainingProgram(t, i, optimizer);
  if (!built.ok()) return built.status();
  return std::move(built->train_step);
}

TEST(UpdateKernel, ATrainingStepUpdatesEveryParameterInOneKernel) {
  OptimizerSpec momentum;
  momentum.kind = OptimizerSpec::Kind::kSgd;
  momentum.momentum = 0.9;
  OptimizerSpec sgd;
  sgd.kind = OptimizerSpec::Kind::kSgd;
  for (const OptimizerSpec& optimizer : {OptimizerSpec{}, momentum, sgd}) {
    absl::StatusOr<Graph> step = TrainStep("lenet5_relu.dl", 8, optimizer);
    ASSERT_TRUE(step.ok()) << step.status();
    absl::StatusOr<loops::LoopProgram> program = LowerToLoops(*step);
    ASSERT_TRUE(program.ok()) << program.status();
    const std::vector<std::string> updates = UpdateKernels(*program);
    ASSERT_EQ(updates.size(), 1u) << ::testing::PrintToString(updates);
    for (const Node& node : step->nodes) {
      if (node.op != OpKind::kParameter) continue;
      EXPECT_THAT(updates[0], HasSubstr(StrCat("%", node.name, ".next = ")));
    }
  }
}

// A model of 100 dense layers (202 parameters): the updates share kernels
// of at most 16, so that no LLVM function grows with the model's depth.
TEST(UpdateKernel, ADeepModelsUpdatesShareKernelsOfAtMost16) {
  std::string source = "model deep(x: f32[8]) {\n  h = x\n";
  for (int i = 0; i < 100; ++i) source += "  h = dense(h, 4, activation=relu)\n";
  source += "  return dense(h, 3)\n}\n";
  auto parsed = dl::ParseProgramText(source, "deep.dl");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto training = dl::LowerModel(*parsed, "deep", {2, true});
  auto inference = dl::LowerModel(*parsed, "deep", {2, false});
  ASSERT_TRUE(training.ok() && inference.ok());
  absl::StatusOr<TrainingProgram> built = BuildTrainingProgram(
      {training->graph, training->logits.value_or(training->graph.outputs[0])},
      {inference->graph, inference->logits.value_or(inference->graph.outputs[0])}, OptimizerSpec{});
  ASSERT_TRUE(built.ok()) << built.status();
  absl::StatusOr<loops::LoopProgram> program = LowerToLoops(built->train_step);
  ASSERT_TRUE(program.ok()) << program.status();
  const std::vector<std::string> updates = UpdateKernels(*program);
  ASSERT_EQ(updates.size(), 13u);  // 202 = 12 x 16 + 10
  size_t total = 0;
  for (const std::string& name : updates) {
    size_t count = 0;
    for (size_t at = name.find(".next = sub"); at != std::string::npos;
         at = name.find(".next = sub", at + 1))
      ++count;
    EXPECT_LE(count, 16u) << name;
    total += count;
  }
  EXPECT_EQ(total, 202u);
}

constexpr char kTwoParameters[] = R"(graph g {
  %p = parameter() : f32[40,64]
  %g = input() : f32[40,64]
  %m = input() : f32[40,64]
  %q = parameter() : f32[5,37]
  %h = input() : f32[5,37]
  %lr = input() : f32[]
  %b1 = constant() {value=[0.1]} : f32[]
  %dm = sub(%g, %m) : f32[40,64]
  %dm_scaled = mul(%dm, %b1) : f32[40,64]
  %m_next = add(%m, %dm_scaled) : f32[40,64]
  %step = mul(%m_next, %lr) : f32[40,64]
  %p_next = sub(%p, %step) : f32[40,64]
  %q_step = mul(%h, %lr) : f32[5,37]
  %q_next = sub(%q, %q_step) : f32[5,37]
  %lr_twice = add(%lr, %lr) : f32[]
  %r = mul(%q, %q) : f32[5,37]
  %r_sum = reduce_sum(%r) {axes=[0, 1]} : f32[]
  return %p_next, %m_next, %q_next, %lr_twice, %r_sum
})";

TEST(UpdateKernel, ChunksAndRemaindersMatchTheInterpreterToTheBit) {
  absl::StatusOr<Module> module = ParseModule(kTwoParameters, "test.ir");
  ASSERT_TRUE(module.ok()) << module.status();
  const Graph& graph = module->graphs[0];
  const Feeds feeds = testing::MakeFeeds(graph, /*seed=*/3);
  absl::StatusOr<std::vector<Tensor>> expected = Interpret(graph, feeds);
  ASSERT_TRUE(expected.ok()) << expected.status();
  absl::StatusOr<loops::LoopProgram> program = LowerToLoops(graph);
  ASSERT_TRUE(program.ok()) << program.status();
  ASSERT_TRUE(loops::VerifyLoopProgram(*program).ok());
  const std::string text = loops::PrintLoopProgram(*program);
  // %p_next's 2560 elements: 32 chunks of 80 (5 vectors of 16); %q_next's
  // 185, fewer than 32 vectors, after them. %lr_twice is read by no one
  // but updates no parameter: a kernel of its own.
  EXPECT_THAT(text, HasSubstr("# %p_next = sub + %m_next = add + %q_next = sub\n"));
  EXPECT_THAT(text, HasSubstr("# %lr_twice = add\n"));
  EXPECT_THAT(text, HasSubstr(" in 0..32 {\n    for "));
  EXPECT_THAT(text, HasSubstr(" in 0..80 {"));
  EXPECT_THAT(text, HasSubstr(" in 0..185 {"));
  EXPECT_THAT(text, HasSubstr("# %r_sum = reduce_sum"));
  absl::StatusOr<std::vector<Tensor>> actual = loops::RunLoopProgramOnFeeds(*program, feeds);
  ASSERT_TRUE(actual.ok()) << actual.status();
  for (size_t k = 0; k < expected->size(); ++k) {
    for (int64_t i = 0; i < (*expected)[k].num_elements(); ++i) {
      ASSERT_EQ((*expected)[k].GetDouble(i), (*actual)[k].GetDouble(i))
          << "output " << k << "[" << i << "]";
    }
  }
}

// The update kernel's statements as scheduled for 16 lanes.
std::string ScheduledUpdates(const Graph& graph) {
  PipelineOptions options;
  options.schedule.vector_bytes = 64;
  absl::StatusOr<loops::LoopProgram> program = Pipeline(options).LowerToLoops(graph);
  EXPECT_TRUE(program.ok()) << program.status();
  if (!program.ok()) return "";
  const std::string text = loops::PrintLoopProgram(*program);
  const size_t start = text.find("# %p_next = sub");
  const size_t end = text.find("\n  # ", start + 1);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

TEST(UpdateKernel, OneParallelLoopWhenBigNoneWhenTiny) {
  absl::StatusOr<Module> module = ParseModule(kTwoParameters, "test.ir");
  ASSERT_TRUE(module.ok()) << module.status();
  // 2560 elements: below the work that pays for waking threads.
  std::string updates = ScheduledUpdates(module->graphs[0]);
  EXPECT_THAT(updates, Not(HasSubstr("parallel")));
  EXPECT_THAT(updates, HasSubstr("vectorized 16"));
  // 400 x 640: worth it, in one parallel loop for both updates.
  std::string big = kTwoParameters;
  for (std::string_view from : {"f32[40,64]"}) {
    for (size_t at = big.find(from); at != std::string::npos; at = big.find(from, at))
      big.replace(at, from.size(), "f32[400,640]");
  }
  module = ParseModule(big, "test.ir");
  ASSERT_TRUE(module.ok()) << module.status();
  updates = ScheduledUpdates(module->graphs[0]);
  EXPECT_THAT(updates, HasSubstr(" in 0..32 parallel {"));
  size_t parallel = 0;
  for (size_t at = updates.find("parallel"); at != std::string::npos;
       at = updates.find("parallel", at + 1))
    ++parallel;
  EXPECT_EQ(parallel, 1u) << updates;
}

}  // namespace
}  // namespace dlc
