// The verifier rejects every kind of malformed graph with a message that names
// the node ("%y = add"), and says what is wrong. The graphs here are built by
// hand, bypassing GraphBuilder, so that it is VerifyGraph / VerifyModule that
// catches each problem. One test per rule; each checks the whole message.
#include "ir/verifier.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "ir/graph.h"
#include "ir/op_registry.h"

namespace dlc {
namespace {

TensorType F32(Shape shape) { return TensorType{DType::kF32, std::move(shape)}; }

// Appends a node to `graph` with its op's default attributes filled in, the
// way the builder and the parser do, and returns its id.
ValueId AddNode(Graph& graph, OpKind op, std::string name, TensorType type,
                std::vector<ValueId> operands = {}, Attributes attrs = {}) {
  FillDefaultAttributes(op, attrs);
  Node node;
  node.op = op;
  node.name = std::move(name);
  node.type = std::move(type);
  node.operands = std::move(operands);
  node.attrs = std::move(attrs);
  graph.nodes.push_back(std::move(node));
  return graph.size() - 1;
}

// The well-formed graph the tests break: %z = add(%x, %y), all f32[2,3].
Graph AddGraph() {
  Graph graph;
  graph.name = "main";
  ValueId x = AddNode(graph, OpKind::kInput, "x", F32({2, 3}));
  ValueId y = AddNode(graph, OpKind::kInput, "y", F32({2, 3}));
  ValueId z = AddNode(graph, OpKind::kAdd, "z", F32({2, 3}), {x, y});
  graph.outputs = {z};
  return graph;
}

// "OK", or the verifier's message.
std::string Verify(const Graph& graph) {
  absl::Status status = VerifyGraph(graph);
  return status.ok() ? "OK" : std::string(status.message());
}

std::string Verify(const Module& module) {
  absl::Status status = VerifyModule(module);
  return status.ok() ? "OK" : std::string(status.message());
}

TEST(Verifier, AcceptsWellFormedGraph) { EXPECT_EQ(Verify(AddGraph()), "OK"); }

TEST(Verifier, ErrorsAreInvalidArgument) {
  Graph graph = AddGraph();
  graph.outputs.clear();
  EXPECT_EQ(VerifyGraph(graph).code(), absl::StatusCode::kInvalidArgument);
}

// ---- operands ---------------------------------------------------------------

TEST(VerifierOperands, RejectsUseBeforeDefinition) {
  Graph graph;
  graph.name = "main";
  ValueId x = AddNode(graph, OpKind::kInput, "x", F32({2}));
  // %y uses %z, which is defined after it.
  ValueId y = AddNode(graph, OpKind::kAdd, "y", F32({2}), {x, 2});
  AddNode(graph, OpKind::kRelu, "z", F32({2}), {x});
  graph.outputs = {y};
  EXPECT_EQ(Verify(graph), "%y = add: operand %z is used before its definition");
}

TEST(VerifierOperands, RejectsNodeThatUsesItself) {
  Graph graph;
  graph.name = "main";
  AddNode(graph, OpKind::kInput, "x", F32({2}));
  ValueId y = AddNode(graph, OpKind::kAdd, "y", F32({2}), {0, 1});
  graph.outputs = {y};
  EXPECT_EQ(Verify(graph), "%y = add: operand %y is used before its definition");
}

TEST(VerifierOperands, RejectsOperandIndexThatDoesNotExist) {
  Graph graph = AddGraph();
  graph.nodes[2].operands = {0, 7};
  EXPECT_EQ(Verify(graph), "%z = add: operand #7 does not exist");
}

TEST(VerifierOperands, RejectsNegativeOperandIndex) {
  Graph graph = AddGraph();
  graph.nodes[2].operands = {-1, 1};
  EXPECT_EQ(Verify(graph), "%z = add: operand #-1 does not exist");
}

TEST(VerifierOperands, RejectsTooFewOperands) {
  Graph graph = AddGraph();
  graph.nodes[2].operands = {0};
  EXPECT_EQ(Verify(graph), "%z = add: expects 2 operands, got 1");
}

TEST(VerifierOperands, RejectsTooManyOperands) {
  Graph graph = AddGraph();
  graph.nodes[2].operands = {0, 1, 1};
  EXPECT_EQ(Verify(graph), "%z = add: expects 2 operands, got 3");
}

TEST(VerifierOperands, RejectsTooManyOperandsOnUnaryOp) {
  Graph graph = AddGraph();
  AddNode(graph, OpKind::kRelu, "r", F32({2, 3}), {0, 1});
  EXPECT_EQ(Verify(graph), "%r = relu: expects 1 operand, got 2");
}

TEST(VerifierOperands, RejectsOperandOnSource) {
  Graph graph = AddGraph();
  graph.nodes[1].operands = {0};
  EXPECT_EQ(Verify(graph), "%y = input: expects 0 operands, got 1");
}

TEST(VerifierOperands, RejectsConcatWithNoOperands) {
  Graph graph = AddGraph();
  AddNode(graph, OpKind::kConcat, "c", F32({4, 3}), {}, {{"axis", int64_t{0}}});
  EXPECT_EQ(Verify(graph), "%c = concat: expects at least 1 operand, got 0");
}

// ---- attributes -------------------------------------------------------------

TEST(VerifierAttributes, RejectsUnknownAttribute) {
  Graph graph = AddGraph();
  graph.nodes[2].attrs["alpha"] = 0.5;
  EXPECT_EQ(Verify(graph), "%z = add: unknown attribute 'alpha'");
}

TEST(VerifierAttributes, RejectsMissingRequiredAttribute) {
  Graph graph = AddGraph();
  AddNode(graph, OpKind::kConcat, "c", F32({4, 3}), {0, 1});
  EXPECT_EQ(Verify(graph), "%c = concat: missing attribute 'axis' (int)");
}

TEST(VerifierAttributes, RejectsAttributeOfTheWrongKind) {
  Graph graph = AddGraph();
  AddNode(graph, OpKind::kConcat, "c", F32({4, 3}), {0, 1}, {{"axis", 0.5}});
  EXPECT_EQ(Verify(graph), "%c = concat: attribute 'axis' must be int, got 0.5");
}

TEST(VerifierAttributes, RejectsListWhereScalarIsDeclared) {
  Graph graph = AddGraph();
  AddNode(graph, OpKind::kSoftmax, "s", F32({2, 3}), {0}, {{"axis", IntList{1}}});
  EXPECT_EQ(Verify(graph), "%s = softmax: attribute 'axis' must be int, got [1]");
}

TEST(VerifierAttributes, RejectsPaddingThatIsNeitherStringNorList) {
  Graph graph;
  graph.name = "main";
  ValueId x = AddNode(graph, OpKind::kInput, "x", F32({1, 4, 4, 1}));
  ValueId w = AddNode(graph, OpKind::kInput, "w", F32({3, 3, 1, 1}));
  ValueId c =
      AddNode(graph, OpKind::kConv2D, "c", F32({1, 2, 2, 1}), {x, w}, {{"padding", int64_t{1}}});
  graph.outputs = {c};
  EXPECT_EQ(Verify(graph),
            "%c = conv2d: attribute 'padding' must be padding (\"valid\", \"same\" or "
            "[top,bottom,left,right]), got 1");
}

TEST(VerifierAttributes, RejectsAttributeIntegerBeyondLimit) {
  Graph graph = AddGraph();
  AddNode(graph, OpKind::kReshape, "r", F32({6}), {0}, {{"shape", IntList{kMaxAttributeInt + 1}}});
  EXPECT_EQ(Verify(graph), "%r = reshape: attribute 'shape' has an integer beyond ±2^40");
}

// ---- names ------------------------------------------------------------------

TEST(VerifierNames, RejectsDuplicateValueName) {
  Graph graph = AddGraph();
  graph.nodes[1].name = "x";
  EXPECT_EQ(Verify(graph), "%x = input: value %x is defined twice");
}

TEST(VerifierNames, RejectsValueNameWithInvalidCharacter) {
  Graph graph = AddGraph();
  graph.nodes[2].name = "z-1";
  EXPECT_EQ(Verify(graph), "%z-1 = add: a value name must be letters, digits, '_' and '.'");
}

TEST(VerifierNames, AcceptsNumericAndDottedValueNames) {
  Graph graph = AddGraph();
  graph.nodes[0].name = "0";
  graph.nodes[1].name = "conv1.w_0";
  EXPECT_EQ(Verify(graph), "OK");
}

// An unnamed value cannot be described as "%name": "% = input" reads as a
// typo. The node is identified by its index instead, as outputs are.
TEST(VerifierNames, RejectsEmptyValueNameByIndex) {
  Graph graph = AddGraph();
  graph.nodes[1].name = "";
  EXPECT_EQ(Verify(graph), "#1 = input: the value has no name");
}

TEST(VerifierNames, RejectsGraphNameStartingWithDigit) {
  Graph graph = AddGraph();
  graph.name = "1main";
  EXPECT_EQ(Verify(graph),
            "graph name '1main' must start with a letter or '_' and contain only letters, "
            "digits, '_' and '.'");
}

TEST(VerifierNames, RejectsEmptyGraphName) {
  Graph graph = AddGraph();
  graph.name = "";
  EXPECT_EQ(Verify(graph),
            "graph name '' must start with a letter or '_' and contain only letters, "
            "digits, '_' and '.'");
}

// ---- types ------------------------------------------------------------------

TEST(VerifierTypes, RejectsDeclaredTypeThatDiffersFromInferred) {
  Graph graph = AddGraph();
  graph.nodes[2].type = F32({3, 2});
  EXPECT_EQ(Verify(graph),
            "%z = add: declared type f32[3,2] does not match the type its operands give, "
            "f32[2,3]");
}

TEST(VerifierTypes, RejectsDeclaredElementTypeThatDiffersFromInferred) {
  Graph graph = AddGraph();
  graph.nodes[2].type = TensorType{DType::kI32, {2, 3}};
  EXPECT_EQ(Verify(graph),
            "%z = add: declared type i32[2,3] does not match the type its operands give, "
            "f32[2,3]");
}

// The message shows the offending type, so the user sees which dimension.
TEST(VerifierTypes, RejectsNegativeDimensionInDeclaredType) {
  Graph graph = AddGraph();
  graph.nodes[0].type = F32({-1, 3});
  EXPECT_EQ(Verify(graph), "%x = input: declared type f32[-1,3] has a negative dimension");
}

TEST(VerifierTypes, RejectsDimensionBeyondLimitInDeclaredType) {
  Graph graph = AddGraph();
  graph.nodes[0].type = F32({2, kMaxDimension + 1});
  EXPECT_EQ(Verify(graph),
            "%x = input: declared type f32[2,1099511627777] has a dimension beyond 2^40");
}

TEST(VerifierTypes, ReportsTypeRuleErrorsWithTheNode) {
  Graph graph = AddGraph();
  graph.nodes[1].type = F32({4});
  EXPECT_EQ(Verify(graph), "%z = add: shapes [2,3] and [4] do not broadcast");
}

// ---- outputs ----------------------------------------------------------------

TEST(VerifierOutputs, RejectsGraphWithNoOutputs) {
  Graph graph = AddGraph();
  graph.outputs.clear();
  EXPECT_EQ(Verify(graph), "graph main returns nothing");
}

TEST(VerifierOutputs, RejectsOutputThatDoesNotExist) {
  Graph graph = AddGraph();
  graph.outputs = {2, 3};
  EXPECT_EQ(Verify(graph), "graph main returns value #3, which does not exist");
}

TEST(VerifierOutputs, RejectsNegativeOutput) {
  Graph graph = AddGraph();
  graph.outputs = {-1};
  EXPECT_EQ(Verify(graph), "graph main returns value #-1, which does not exist");
}

// ---- modules ----------------------------------------------------------------

TEST(VerifierModule, AcceptsGraphsWithDistinctNames) {
  Module module;
  module.graphs = {AddGraph(), AddGraph()};
  module.graphs[1].name = "eval";
  EXPECT_EQ(Verify(module), "OK");
}

TEST(VerifierModule, RejectsDuplicateGraphNames) {
  Module module;
  module.graphs = {AddGraph(), AddGraph()};
  EXPECT_EQ(Verify(module), "graph main is defined twice");
}

TEST(VerifierModule, VerifiesEveryGraph) {
  Module module;
  module.graphs = {AddGraph(), AddGraph()};
  module.graphs[1].name = "eval";
  module.graphs[1].outputs.clear();
  EXPECT_EQ(Verify(module), "graph eval returns nothing");
}

// ---- locations --------------------------------------------------------------

TEST(VerifierLocation, PrefixesMessageWithNodeLocation) {
  Graph graph = AddGraph();
  graph.nodes[2].operands = {0};
  graph.nodes[2].loc = SourceLoc{"model.dl", 3, 5};
  EXPECT_EQ(Verify(graph), "model.dl:3:5: %z = add: expects 2 operands, got 1");
}

TEST(VerifierLocation, NamesUnnamedFileInput) {
  Graph graph = AddGraph();
  graph.nodes[2].operands = {0};
  graph.nodes[2].loc = SourceLoc{"", 7, 1};
  EXPECT_EQ(Verify(graph), "<input>:7:1: %z = add: expects 2 operands, got 1");
}

TEST(VerifierLocation, OmitsUnknownLocation) {
  Graph graph = AddGraph();
  graph.nodes[2].operands = {0};
  graph.nodes[2].loc = SourceLoc{"model.dl", 0, 0};
  EXPECT_EQ(Verify(graph), "%z = add: expects 2 operands, got 1");
}

TEST(VerifierLocation, InferNodeTypeNamesTheNodeToo) {
  Graph graph = AddGraph();
  graph.nodes[2].loc = SourceLoc{"model.dl", 4, 9};
  graph.nodes[1].type = F32({4});
  auto type = InferNodeType(graph, 2);
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(std::string(type.status().message()),
            "model.dl:4:9: %z = add: shapes [2,3] and [4] do not broadcast");
  EXPECT_EQ(DescribeNode(graph, 2), "model.dl:4:9: %z = add");
}

}  // namespace
}  // namespace dlc
