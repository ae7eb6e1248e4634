// What the exporter refuses, and how it says so: ops and attribute values
// with no faithful ONNX form, missing or mistyped weights, outputs without
// a batch dimension, bad output names. And what it does with graphs that
// are unusual but fine: dead nodes, an output that is an input.
#include <string>

#include "frontend/onnx/export.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/parser.h"
#include "onnx/onnx_pb.h"
#include "support/str_cat.h"
#include "tests/onnx/export_test_util.h"

namespace dlc::onnx_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Graph Parse(const std::string& body) {
  absl::StatusOr<Module> module = ParseModule(StrCat("graph g {\n", body, "\n}\n"), "test.ir");
  EXPECT_TRUE(module.ok()) << module.status();
  return module.ok() ? module->graphs.at(0) : Graph{};
}

absl::StatusOr<std::string> Export(const Graph& graph, onnx_export::ExportOptions options = {}) {
  return onnx_export::ExportOnnx(graph, RandomWeights(graph, 1), options);
}

std::string Message(const absl::StatusOr<std::string>& result) {
  return std::string(result.status().message());
}

onnx_export::ExportOptions Named(std::vector<std::string> output_names) {
  onnx_export::ExportOptions options;
  options.output_names = std::move(output_names);
  return options;
}

TEST(ExportErrors, AnOpWithoutMappingIsNamedWithItsValueAndPlace) {
  absl::StatusOr<std::string> bytes =
      Export(Parse("%x = input() : f32[1,4]\n%c = constant() {value=[0.5]} : f32[]\n"
                   "%y = max(%x, %c) : f32[1,4]\nreturn %y"));
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(Message(bytes),
              HasSubstr("cannot export %y = max (f32[1,4], from test.ir:4:1) to ONNX: the "
                        "exporter has no ONNX mapping for this op"));
}

TEST(ExportErrors, AFloatToIntegerCastIsRefusedNotApproximated) {
  absl::StatusOr<std::string> bytes =
      Export(Parse("%x = input() : f32[1,4]\n%y = cast(%x) {to=u8} : u8[1,4]\nreturn %y"));
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(Message(bytes), HasSubstr("a cast from f32 to u8 saturates in dlc"));
}

TEST(ExportErrors, FlattenAtAxisZeroWouldMixTheBatch) {
  absl::StatusOr<std::string> bytes =
      Export(Parse("%x = input() : f32[1,2,3]\n%y = flatten(%x) {axis=0} : f32[1,6]\nreturn %y"));
  EXPECT_THAT(Message(bytes),
              HasSubstr("cannot export %y = flatten (f32[1,6], from test.ir:3:1) to ONNX: "
                        "flatten at axis 0 folds the batch into one row"));
}

TEST(ExportErrors, APoolWindowOfPaddingOnlyIsRefused) {
  absl::StatusOr<std::string> bytes = Export(
      Parse("%x = input() : f32[1,4,4,1]\n"
            "%y = maxpool2d(%x) {window=[2,2], strides=[2,2], padding=[2,0,0,0]} : f32[1,3,2,1]\n"
            "return %y"));
  EXPECT_THAT(Message(bytes),
              HasSubstr("padding [2,0,0,0] as large as the window leaves windows with no element"));
}

TEST(ExportErrors, AMissingWeightIsNamed) {
  const Graph graph = Parse(
      "%x = input() : f32[1,4]\n%k = parameter() : f32[4,3]\n%y = matmul(%x, %k) : f32[1,3]\n"
      "return %y");
  absl::StatusOr<std::string> bytes = onnx_export::ExportOnnx(graph, {});
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Message(bytes), "no weights for parameter k (f32[4,3])");
}

TEST(ExportErrors, AWeightOfAnotherTypeIsNamed) {
  const Graph graph = Parse(
      "%x = input() : f32[1,4]\n%k = parameter() : f32[4,3]\n%y = matmul(%x, %k) : f32[1,3]\n"
      "return %y");
  absl::StatusOr<std::string> bytes =
      onnx_export::ExportOnnx(graph, {{"k", Tensor(DType::kF32, {3, 4})}});
  EXPECT_EQ(Message(bytes), "the weights for parameter k are f32[3,4], the model needs f32[4,3]");
}

TEST(ExportErrors, EveryOutputNeedsTheBatchDimension) {
  absl::StatusOr<std::string> bytes =
      Export(Parse("%x = input() : f32[2,4]\n%s = reduce_sum(%x) {axes=[0,1]} : f32[]\nreturn %s"));
  EXPECT_THAT(Message(bytes),
              HasSubstr("output %s is f32[]: ONNX export needs dimension 0 of every input and "
                        "output to be the batch (2 here)"));
}

TEST(ExportErrors, OutputNamesMustBeOnePerOutputAndDistinct) {
  const Graph graph = Parse(
      "%x = input() : f32[1,4]\n%a = relu(%x) : f32[1,4]\n%b = tanh(%x) : f32[1,4]\n"
      "return %a, %b");
  EXPECT_THAT(Message(Export(graph, Named({"a"}))), HasSubstr("1 output names for 2 outputs"));
  EXPECT_THAT(Message(Export(graph, Named({"y", "y"}))), HasSubstr("two outputs are both named y"));
}

// Nodes no output reads are left out, even ones that could not be exported.
TEST(ExportGraphs, DeadNodesAreLeftOut) {
  absl::StatusOr<std::string> bytes =
      Export(Parse("%x = input() : f32[1,4]\n%dead = reduce_max(%x) {axes=[1]} : f32[1]\n"
                   "%y = relu(%x) : f32[1,4]\nreturn %y"));
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(*bytes));
  EXPECT_THAT(OpTypes(model), ElementsAre("Relu"));
}

// Outputs take the names asked for; an output that is the input itself, or
// a value returned twice, gets an Identity node under its name.
TEST(ExportGraphs, OutputsAreRenamedAndAnInputOutputGetsAnIdentity) {
  absl::StatusOr<std::string> bytes =
      Export(Parse("%x = input() : f32[1,4]\n%y = relu(%x) : f32[1,4]\nreturn %y, %x, %y"),
             Named({"relu", "same", "again"}));
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(*bytes));
  EXPECT_THAT(OpTypes(model), ElementsAre("Relu", "Identity", "Identity"));
  EXPECT_THAT(OnnxNode(model, 0).output(), ElementsAre("relu"));
  EXPECT_THAT(OnnxNode(model, 1).input(), ElementsAre("x"));
  EXPECT_THAT(OnnxNode(model, 1).output(), ElementsAre("same"));
  EXPECT_THAT(OnnxNode(model, 2).input(), ElementsAre("relu"));
  EXPECT_THAT(OnnxNode(model, 2).output(), ElementsAre("again"));
  ASSERT_EQ(model.graph().output_size(), 3);
  for (const onnx::ValueInfoProto& output : model.graph().output()) {
    EXPECT_TRUE(HasBatchDim(output)) << output.name();
  }
}

}  // namespace
}  // namespace dlc::onnx_test
