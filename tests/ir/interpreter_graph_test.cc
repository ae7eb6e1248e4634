// Reference interpreter: the graph walk (feeds, constants, outputs, which
// nodes run) and EvaluateNode's own checks.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/builder.h"
#include "ir/interpreter.h"
#include "tests/ir/interpreter_test_util.h"

namespace dlc {
namespace {

using ::dlc::testing::Make;
using ::dlc::testing::Values;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// x: input f32[2], w: parameter f32[2], y = relu(x * w - 1).
struct SmallGraph {
  Graph graph;
  ValueId x, w, one, product, shifted, y;
};

SmallGraph MakeSmallGraph() {
  GraphBuilder b("small");
  SmallGraph g;
  g.x = *b.Input("x", {DType::kF32, {2}});
  g.w = *b.Parameter("w", {DType::kF32, {2}});
  g.one = *b.Scalar(DType::kF32, 1, "one");
  g.product = *b.Add(OpKind::kMul, {g.x, g.w}, {}, "product");
  g.shifted = *b.Add(OpKind::kSub, {g.product, g.one}, {}, "shifted");
  g.y = *b.Add(OpKind::kRelu, {g.shifted}, {}, "y");
  g.graph = *std::move(b).Build({g.y});
  return g;
}

Feeds SmallFeeds() {
  return {{"x", Make(DType::kF32, {2}, {3, -2})}, {"w", Make(DType::kF32, {2}, {2, 4})}};
}

// A graph of one constant, returned.
absl::StatusOr<std::vector<Tensor>> RunConstant(TensorType type, FloatList values) {
  GraphBuilder b("constant");
  absl::StatusOr<ValueId> c = b.Constant(std::move(type), std::move(values), "c");
  if (!c.ok()) return c.status();
  absl::StatusOr<Graph> graph = std::move(b).Build({*c});
  if (!graph.ok()) return graph.status();
  return Interpret(*graph, {});
}

// ---- evaluation -----------------------------------------------------------

TEST(InterpreterGraph, EvaluatesAChainOfOpsFromTheFeeds) {
  // relu([3*2 - 1, -2*4 - 1]) = relu([5, -9]) = [5, 0]
  SmallGraph g = MakeSmallGraph();
  absl::StatusOr<std::vector<Tensor>> out = Interpret(g.graph, SmallFeeds());
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].type().ToString(), "f32[2]");
  EXPECT_THAT(Values((*out)[0]), ElementsAre(5, 0));
}

TEST(InterpreterGraph, InterpretAllReturnsEveryValueIndexedByValueId) {
  SmallGraph g = MakeSmallGraph();
  absl::StatusOr<std::vector<Tensor>> all = InterpretAll(g.graph, SmallFeeds());
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), static_cast<size_t>(g.graph.size()));
  EXPECT_THAT(Values((*all)[g.x]), ElementsAre(3, -2));
  EXPECT_THAT(Values((*all)[g.w]), ElementsAre(2, 4));
  EXPECT_THAT(Values((*all)[g.one]), ElementsAre(1));
  EXPECT_THAT(Values((*all)[g.product]), ElementsAre(6, -8));
  EXPECT_THAT(Values((*all)[g.shifted]), ElementsAre(5, -9));
  EXPECT_THAT(Values((*all)[g.y]), ElementsAre(5, 0));
}

TEST(InterpreterGraph, ReturnsOutputsInOrderWithRepeatsAndSources) {
  GraphBuilder b("outputs");
  ValueId x = *b.Input("x", {DType::kI32, {2}});
  ValueId doubled = *b.Add(OpKind::kAdd, {x, x}, {}, "doubled");
  Graph graph = *std::move(b).Build({doubled, x, doubled});
  absl::StatusOr<std::vector<Tensor>> out =
      Interpret(graph, {{"x", Make(DType::kI32, {2}, {1, -4})}});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 3u);
  EXPECT_THAT(Values((*out)[0]), ElementsAre(2, -8));
  EXPECT_THAT(Values((*out)[1]), ElementsAre(1, -4));
  EXPECT_THAT(Values((*out)[2]), ElementsAre(2, -8));
}

TEST(InterpreterGraph, InterpretEvaluatesOnlyWhatTheOutputsNeed) {
  // %bad divides by zero but no output uses it: Interpret succeeds, while
  // InterpretAll, which evaluates every node, reports it.
  GraphBuilder b("dead");
  ValueId x = *b.Input("x", {DType::kI32, {1}});
  ValueId zero = *b.Scalar(DType::kI32, 0, "zero");
  *b.Add(OpKind::kDiv, {x, zero}, {}, "bad");
  ValueId y = *b.Add(OpKind::kNeg, {x}, {}, "y");
  Graph graph = *std::move(b).Build({y});
  const Feeds feeds = {{"x", Make(DType::kI32, {1}, {5})}};
  absl::StatusOr<std::vector<Tensor>> out = Interpret(graph, feeds);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(Values((*out)[0]), ElementsAre(-5));
  absl::StatusOr<std::vector<Tensor>> all = InterpretAll(graph, feeds);
  ASSERT_FALSE(all.ok());
  EXPECT_THAT(all.status().message(), HasSubstr("%bad = div: integer division by zero"));
}

TEST(InterpreterGraph, ErrorsStartWithTheNodesSourceLocation) {
  GraphBuilder b("located");
  ValueId x = *b.Input("x", {DType::kI32, {1}});
  ValueId zero = *b.Scalar(DType::kI32, 0, "zero");
  ValueId q = *b.Add(OpKind::kDiv, {x, zero}, {}, "q", SourceLoc{"model.dl", 3, 5});
  Graph graph = *std::move(b).Build({q});
  absl::StatusOr<std::vector<Tensor>> out = Interpret(graph, {{"x", Make(DType::kI32, {1}, {5})}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "model.dl:3:5: %q = div: integer division by zero (divisor element 0 is 0)");
}

// ---- constants ------------------------------------------------------------

TEST(InterpreterGraph, ASingleConstantValueFillsEveryElement) {
  absl::StatusOr<std::vector<Tensor>> f32 = RunConstant({DType::kF32, {2, 2}}, {7.5});
  ASSERT_TRUE(f32.ok()) << f32.status();
  EXPECT_THAT(Values((*f32)[0]), ElementsAre(7.5, 7.5, 7.5, 7.5));
  absl::StatusOr<std::vector<Tensor>> i1 = RunConstant({DType::kI1, {3}}, {1});
  ASSERT_TRUE(i1.ok()) << i1.status();
  EXPECT_THAT(Values((*i1)[0]), ElementsAre(1, 1, 1));
}

TEST(InterpreterGraph, ConstantValuesAreRowMajor) {
  absl::StatusOr<std::vector<Tensor>> out = RunConstant({DType::kF32, {2, 2}}, {1, 2, 3, 4});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].type().ToString(), "f32[2,2]");
  EXPECT_THAT(Values((*out)[0]), ElementsAre(1, 2, 3, 4));
}

TEST(InterpreterGraph, ConstantsOfEveryDType) {
  struct Case {
    TensorType type;
    FloatList values;
  };
  const Case cases[] = {{{DType::kF64, {2}}, {0.1, -1e300}},
                        {{DType::kI32, {2}}, {-2147483648.0, 2147483647.0}},
                        {{DType::kU8, {2}}, {0, 255}},
                        {{DType::kI1, {2}}, {1, 0}}};
  for (const Case& c : cases) {
    absl::StatusOr<std::vector<Tensor>> out = RunConstant(c.type, c.values);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].type(), c.type);
    EXPECT_EQ(Values((*out)[0]), c.values) << c.type.ToString();
  }
}

TEST(InterpreterGraph, AResultTooLargeToAllocateIsAnErrorNotACrash) {
  // 2^40 f64 elements (8 TiB) pass the verifier's limits but not the interpreter's.
  absl::StatusOr<std::vector<Tensor>> out =
      RunConstant({DType::kF64, {int64_t{1} << 20, int64_t{1} << 20}}, {0});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(out.status().message(), HasSubstr("%c = constant: result f64[1048576,1048576]"));
}

// ---- feeds ----------------------------------------------------------------

TEST(InterpreterGraph, AMissingInputFeedIsAnErrorNamingTheValue) {
  Feeds feeds = SmallFeeds();
  feeds.erase("x");
  absl::StatusOr<std::vector<Tensor>> out = Interpret(MakeSmallGraph().graph, feeds);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(), "input %x (f32[2]) is not fed");
}

TEST(InterpreterGraph, AMissingParameterFeedIsAnError) {
  Feeds feeds = SmallFeeds();
  feeds.erase("w");
  absl::StatusOr<std::vector<Tensor>> out = InterpretAll(MakeSmallGraph().graph, feeds);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "parameter %w (f32[2]) is not fed");
}

TEST(InterpreterGraph, AFeedOfTheWrongDTypeNamesTheValueAndBothTypes) {
  Feeds feeds = SmallFeeds();
  feeds["x"] = Make(DType::kI32, {2}, {3, -2});
  absl::StatusOr<std::vector<Tensor>> out = Interpret(MakeSmallGraph().graph, feeds);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "input %x has type f32[2], but its feed has type i32[2]");
}

TEST(InterpreterGraph, AFeedOfTheWrongShapeNamesTheValueAndBothTypes) {
  Feeds feeds = SmallFeeds();
  feeds["w"] = Make(DType::kF32, {1, 2}, {2, 4});
  absl::StatusOr<std::vector<Tensor>> out = Interpret(MakeSmallGraph().graph, feeds);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "parameter %w has type f32[2], but its feed has type f32[1,2]");
}

TEST(InterpreterGraph, AFeedForAnUnknownNameIsAnError) {
  Feeds feeds = SmallFeeds();
  feeds["z"] = Make(DType::kF32, {2}, {0, 0});
  absl::StatusOr<std::vector<Tensor>> out = Interpret(MakeSmallGraph().graph, feeds);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "feed %z names no value of graph small");
}

TEST(InterpreterGraph, AFeedForAComputedValueIsAnError) {
  Feeds feeds = SmallFeeds();
  feeds["y"] = Make(DType::kF32, {2}, {0, 0});
  absl::StatusOr<std::vector<Tensor>> out = Interpret(MakeSmallGraph().graph, feeds);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "feed %y is not an input or parameter (it is a relu)");
}

TEST(InterpreterGraph, AnInvalidGraphIsRejectedBeforeAnythingRuns) {
  // A relu declared with the wrong type, as a hand-made graph could be.
  Graph graph = MakeSmallGraph().graph;
  graph.nodes.back().type = TensorType{DType::kF32, {3}};
  absl::StatusOr<std::vector<Tensor>> out = Interpret(graph, SmallFeeds());
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("%y = relu: declared type f32[3]"));
}

// ---- EvaluateNode ---------------------------------------------------------

TEST(InterpreterEvaluateNode, ComputesTheNodeFromTheGivenOperands) {
  SmallGraph g = MakeSmallGraph();
  const Tensor a = Make(DType::kF32, {2}, {1.5, 2});
  const Tensor b = Make(DType::kF32, {2}, {2, -1});
  const Tensor* operands[] = {&a, &b};
  absl::StatusOr<Tensor> r = EvaluateNode(g.graph.node(g.product), operands);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Values(*r), ElementsAre(3, -2));
}

TEST(InterpreterEvaluateNode, EvaluatesAConstantWithoutOperands) {
  SmallGraph g = MakeSmallGraph();
  absl::StatusOr<Tensor> r = EvaluateNode(g.graph.node(g.one), {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Values(*r), ElementsAre(1));
}

TEST(InterpreterEvaluateNode, RejectsOperandsThatDoNotGiveTheNodesType) {
  SmallGraph g = MakeSmallGraph();
  const Tensor a = Make(DType::kF32, {3}, {1, 2, 3});
  const Tensor* operands[] = {&a, &a};
  absl::StatusOr<Tensor> r = EvaluateNode(g.graph.node(g.product), operands);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "%product = mul: operands give f32[3], but the node's type is f32[2]");
  const Tensor i = Make(DType::kI32, {2}, {1, 2});
  const Tensor* mixed[] = {&a, &i};
  EXPECT_FALSE(EvaluateNode(g.graph.node(g.product), mixed).ok());
}

TEST(InterpreterEvaluateNode, RejectsAWrongOperandCountAndNullOperands) {
  SmallGraph g = MakeSmallGraph();
  const Tensor a = Make(DType::kF32, {2}, {1, 2});
  const Tensor* one[] = {&a};
  absl::StatusOr<Tensor> r = EvaluateNode(g.graph.node(g.product), one);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "%product = mul: got 1 operands");
  const Tensor* with_null[] = {&a, nullptr};
  EXPECT_FALSE(EvaluateNode(g.graph.node(g.product), with_null).ok());
}

TEST(InterpreterEvaluateNode, RejectsInputsAndParameters) {
  SmallGraph g = MakeSmallGraph();
  absl::StatusOr<Tensor> r = EvaluateNode(g.graph.node(g.x), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "%x = input: inputs and parameters are fed, not evaluated");
}

TEST(InterpreterEvaluateNode, RejectsANodeMissingAnAttribute) {
  GraphBuilder b("conv");
  ValueId x = *b.Input("x", {DType::kF32, {1, 3, 3, 1}});
  ValueId w = *b.Input("w", {DType::kF32, {2, 2, 1, 1}});
  ValueId y = *b.Add(OpKind::kConv2D, {x, w}, {}, "y");
  Node node = b.graph().node(y);
  node.attrs.erase("padding");
  const Tensor xs(DType::kF32, {1, 3, 3, 1});
  const Tensor ws(DType::kF32, {2, 2, 1, 1});
  const Tensor* operands[] = {&xs, &ws};
  absl::StatusOr<Tensor> r = EvaluateNode(node, operands);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("attribute 'padding' is missing"));
}

}  // namespace
}  // namespace dlc
