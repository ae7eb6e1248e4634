// simplify (passes/simplify.h): equal nodes become one, nodes no output
// needs go, the function's arguments and outputs stay as they were. Each
// rewrite is checked against the interpreter running the graph before it,
// to the bit.
#include "passes/simplify.h"

#include <cmath>
#include <cstring>
#include <string>

#include "frontend/lower.h"
#include "frontend/parser.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/interpreter.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "passes/training.h"
#include "tests/passes/gradient_check.h"

namespace dlc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

Graph Parse(const std::string& text) {
  absl::StatusOr<Module> module = ParseModule(text, "test.ir");
  EXPECT_TRUE(module.ok()) << module.status();
  return module.ok() ? module->graphs[0] : Graph{};
}

// Simplifies `graph` and checks that both forms give the same outputs, bit
// for bit. Returns the simplified graph.
Graph SimplifyAndCompare(const Graph& graph) {
  absl::StatusOr<Graph> simplified = Simplify(graph);
  EXPECT_TRUE(simplified.ok()) << simplified.status();
  if (!simplified.ok()) return Graph{};
  const Feeds feeds = testing::MakeFeeds(graph, /*seed=*/3);
  absl::StatusOr<std::vector<Tensor>> before = Interpret(graph, feeds);
  absl::StatusOr<std::vector<Tensor>> after = Interpret(*simplified, feeds);
  EXPECT_TRUE(before.ok()) << before.status();
  EXPECT_TRUE(after.ok()) << after.status();
  if (!before.ok() || !after.ok()) return *simplified;
  EXPECT_EQ(before->size(), after->size());
  for (size_t k = 0; k < before->size() && k < after->size(); ++k) {
    const Tensor& b = (*before)[k];
    const Tensor& a = (*after)[k];
    EXPECT_EQ(b.type(), a.type()) << "output " << k;
    if (b.type() != a.type()) continue;
    EXPECT_EQ(std::memcmp(b.raw_data(), a.raw_data(), b.byte_size()), 0) << "output " << k;
  }
  return *simplified;
}

int Count(const Graph& graph, OpKind op) { return static_cast<int>(graph.NodesOf(op).size()); }

std::vector<std::string> OutputNames(const Graph& graph) {
  std::vector<std::string> names;
  for (ValueId out : graph.outputs) names.push_back(graph.node(out).name);
  return names;
}

TEST(Simplify, EqualNodesBecomeTheFirstAndTheirUsersFollow) {
  const Graph graph = Parse(R"(graph g {
  %x = input() : f32[2,3]
  %a = exp(%x) : f32[2,3]
  %b = exp(%x) : f32[2,3]
  %c = add(%a, %x) : f32[2,3]
  %d = add(%b, %x) : f32[2,3]
  %e = mul(%c, %d) : f32[2,3]
  return %e, %d
}
)");
  const Graph simplified = SimplifyAndCompare(graph);
  // %b is %a, so %d is %c: one exp, one add.
  EXPECT_EQ(PrintGraph(simplified), R"(graph g {
  %x = input() : f32[2,3]
  %a = exp(%x) : f32[2,3]
  %c = add(%a, %x) : f32[2,3]
  %e = mul(%c, %c) : f32[2,3]
  return %e, %c
}
)");
}

TEST(Simplify, DifferentAttributesOperandOrderOrTypesStayApart) {
  const Graph graph = Parse(R"(graph g {
  %x = input() : f32[2,3]
  %y = input() : f32[2,3]
  %s0 = reduce_sum(%x) {axes=[0]} : f32[3]
  %s1 = reduce_sum(%x) {axes=[1]} : f32[2]
  %s2 = reduce_sum(%x) {axes=[0], keepdims=true} : f32[1,3]
  %d0 = sub(%x, %y) : f32[2,3]
  %d1 = sub(%y, %x) : f32[2,3]
  %a0 = add(%x, %y) : f32[2,3]
  %a1 = add(%y, %x) : f32[2,3]
  %m0 = max(%x, %y) : f32[2,3]
  %m1 = max(%y, %x) : f32[2,3]
  %c0 = cast(%x) {to=f64} : f64[2,3]
  %c1 = cast(%x) {to=i32} : i32[2,3]
  return %s0, %s1, %s2, %d0, %d1, %a0, %a1, %m0, %m1, %c0, %c1
}
)");
  const Graph simplified = SimplifyAndCompare(graph);
  // Operands are never reordered, not even for add: the NaN a sum gives
  // and max and min of a NaN depend on the order.
  EXPECT_EQ(PrintGraph(simplified), PrintGraph(graph));
}

TEST(Simplify, InputsParametersAndRandomNumbersNeverMerge) {
  const Graph graph = Parse(R"(graph g {
  %x = input() : f32[4]
  %y = input() : f32[4]
  %w = parameter() : f32[4]
  %v = parameter() : f32[4]
  %key = input() : i32[2]
  %r0 = random_uniform(%key) {shape=[4]} : f32[4]
  %r1 = random_uniform(%key) {shape=[4]} : f32[4]
  %xy = add(%x, %y) : f32[4]
  %wv = add(%w, %v) : f32[4]
  %r = add(%r0, %r1) : f32[4]
  %t = add(%xy, %wv) : f32[4]
  %out = add(%t, %r) : f32[4]
  return %out
}
)");
  const Graph simplified = SimplifyAndCompare(graph);
  EXPECT_EQ(PrintGraph(simplified), PrintGraph(graph));
  EXPECT_EQ(Count(simplified, OpKind::kRandomUniform), 2);
}

TEST(Simplify, ConstantsMergeOnlyWithTheSameBits) {
  const Graph graph = Parse(R"(graph g {
  %x = input() : f32[3]
  %one = constant() {value=[1.0]} : f32[]
  %one_again = constant() {value=[1.0]} : f32[]
  %zero = constant() {value=[0.0]} : f32[]
  %minus_zero = constant() {value=[-0.0]} : f32[]
  %two = constant() {value=[2.0]} : f32[]
  %ones = constant() {value=[1.0]} : f32[1]
  %a = add(%x, %one) : f32[3]
  %b = add(%x, %one_again) : f32[3]
  %c = div(%one, %zero) : f32[]
  %d = div(%one, %minus_zero) : f32[]
  %e = mul(%x, %two) : f32[3]
  %f = mul(%x, %ones) : f32[3]
  return %a, %b, %c, %d, %e, %f
}
)");
  const Graph simplified = SimplifyAndCompare(graph);
  const std::string text = PrintGraph(simplified);
  // %one_again is %one, so %b is %a; 1/0 and 1/-0 stay apart (inf, -inf),
  // as do constants of other values or shapes.
  EXPECT_EQ(Count(simplified, OpKind::kConstant), 5);
  EXPECT_THAT(text, HasSubstr("%minus_zero = constant() {value=[-0.0]} : f32[]"));
  EXPECT_THAT(text, Not(HasSubstr("%one_again")));
  EXPECT_THAT(OutputNames(simplified), ElementsAre("a", "a", "c", "d", "e", "f"));
}

TEST(Simplify, DeadChainsGoButArgumentsAndOutputsStay) {
  const Graph graph = Parse(R"(graph g {
  %unused_x = input() : f32[3]
  %x = input() : f32[3]
  %unused_w = parameter() : f32[3]
  %dead0 = exp(%x) : f32[3]
  %dead1 = log(%dead0) : f32[3]
  %dead_constant = constant() {value=[5.0]} : f32[]
  %dead2 = mul(%dead1, %dead_constant) : f32[3]
  %live = neg(%x) : f32[3]
  return %live, %x, %live
}
)");
  const Graph simplified = SimplifyAndCompare(graph);
  EXPECT_EQ(PrintGraph(simplified), R"(graph g {
  %unused_x = input() : f32[3]
  %x = input() : f32[3]
  %unused_w = parameter() : f32[3]
  %live = neg(%x) : f32[3]
  return %live, %x, %live
}
)");
}

TEST(Simplify, AGraphWithNothingToDoIsReturnedAsItIs) {
  const Graph graph = Parse(R"(graph g {
  %x = input() : f32[3]
  %y = exp(%x) : f32[3]
  return %y
}
)");
  absl::StatusOr<Graph> simplified = Simplify(graph);
  ASSERT_TRUE(simplified.ok()) << simplified.status();
  EXPECT_EQ(PrintGraph(*simplified), PrintGraph(graph));
}

TEST(Simplify, CommonSubexpressionsAloneLeaveTheReplacedNodesUnused) {
  const Graph graph = Parse(R"(graph g {
  %x = input() : f32[3]
  %a = exp(%x) : f32[3]
  %b = exp(%x) : f32[3]
  %c = add(%a, %b) : f32[3]
  return %c, %b
}
)");
  const Graph merged = EliminateCommonSubexpressions(graph);
  ASSERT_EQ(merged.size(), graph.size());
  EXPECT_THAT(merged.node(3).operands, ElementsAre(1, 1));
  EXPECT_THAT(merged.outputs, ElementsAre(3, 1));
  EXPECT_EQ(EliminateDeadCode(merged).size(), 3);
}

// The MLP's training step as `dlc dump --stage=grad` prints it: the
// forward pass's softmax (which the step does not return) and the
// cross-entropy's gradient compute the same softmax of the logits.
TEST(Simplify, TheMlpTrainingStepComputesOneSoftmax) {
  auto program = dl::ParseProgramFile(DLC_SOURCE_DIR "/examples/mnist_mlp.dl");
  ASSERT_TRUE(program.ok()) << program.status();
  auto training = dl::LowerModel(*program, program->models[0].name, {8, true});
  auto inference = dl::LowerModel(*program, program->models[0].name, {8, false});
  ASSERT_TRUE(training.ok() && inference.ok());
  ForwardModel t{training->graph, training->logits.value_or(training->graph.outputs[0])};
  ForwardModel i{inference->graph, inference->logits.value_or(inference->graph.outputs[0])};
  absl::StatusOr<TrainingProgram> steps = BuildTrainingProgram(t, i, OptimizerSpec{});
  ASSERT_TRUE(steps.ok()) << steps.status();
  const Graph& step = steps->train_step;
  ASSERT_EQ(Count(step, OpKind::kSoftmax), 2);

  const Graph simplified = SimplifyAndCompare(step);
  ASSERT_EQ(Count(simplified, OpKind::kSoftmax), 1);
  // The one left is the forward's, now read by the gradient.
  const ValueId softmax = simplified.NodesOf(OpKind::kSoftmax)[0];
  EXPECT_EQ(simplified.node(softmax).name, "dense_1.softmax");
  // The function's arguments and results are those of the step.
  auto names = [](const Graph& g, const std::vector<ValueId>& ids) {
    std::vector<std::string> out;
    for (ValueId id : ids) out.push_back(g.node(id).name);
    return out;
  };
  EXPECT_EQ(names(simplified, simplified.Inputs()), names(step, step.Inputs()));
  EXPECT_EQ(names(simplified, simplified.Parameters()), names(step, step.Parameters()));
  EXPECT_EQ(OutputNames(simplified), OutputNames(step));

  // The evaluation step returns its softmax: nothing to merge there, the
  // same outputs.
  absl::StatusOr<Graph> eval = Simplify(steps->eval_step);
  ASSERT_TRUE(eval.ok()) << eval.status();
  EXPECT_EQ(OutputNames(*eval), OutputNames(steps->eval_step));
}

}  // namespace
}  // namespace dlc
