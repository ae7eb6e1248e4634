// Every op the ONNX exporter maps, one small graph each: the nodes and
// attributes it writes, the initializers in ONNX's layouts, the symbolic
// batch, onnx::checker; then ONNX Runtime runs the file at another batch
// size than the graph was written at, and must agree with dlc's
// interpreter within 1e-5.
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "frontend/onnx/export.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/interpreter.h"
#include "ir/parser.h"
#include "onnx/checker.h"
#include "onnx/onnx_pb.h"
#include "runtime/random.h"
#include "support/str_cat.h"
#include "tests/onnx/export_test_util.h"
#include "tests/onnx/ort_runner.h"

namespace dlc::onnx_test {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

struct OpCase {
  std::string name;
  // The graph's lines; "$B" stands for the batch size; the input is %x.
  std::string body;
  std::vector<std::string> ops;  // the ONNX nodes' op types, in order
  // More checks of the model (attributes, initializers).
  std::function<void(const onnx::ModelProto&)> check = nullptr;
  double low = -2, high = 2;  // the input's range (f32 inputs)
};

void PrintTo(const OpCase& c, std::ostream* os) { *os << c.name; }

Graph ParseAtBatch(const OpCase& c, int64_t batch) {
  const std::string text = absl::StrReplaceAll(StrCat("graph ", c.name, " {\n", c.body, "\n}\n"),
                                               {{"$B", StrCat(batch)}});
  absl::StatusOr<Module> module = ParseModule(text, c.name);
  EXPECT_TRUE(module.ok()) << module.status();
  return module.ok() ? module->graphs.at(0) : Graph{};
}

std::vector<OpCase> Cases() {
  return {
      {"add",
       "%x = input() : f32[$B,4]\n%b = parameter() : f32[4]\n%y = add(%x, %b) : f32[$B,4]\nreturn "
       "%y",
       {"Add"},
       [](const onnx::ModelProto& m) { EXPECT_THAT(InitializerDims(m, "b"), ElementsAre(4)); }},
      {"sub",
       "%x = input() : f32[$B,4]\n%c = constant() {value=[0.5]} : f32[]\n%y = sub(%c, %x) : "
       "f32[$B,4]\nreturn %y",
       {"Sub"},
       [](const onnx::ModelProto& m) { EXPECT_THAT(InitializerDims(m, "c"), ElementsAre()); }},
      {"mul",
       "%x = input() : f32[$B,3,4]\n%w = parameter() : f32[3,4]\n%y = mul(%x, %w) : "
       "f32[$B,3,4]\nreturn %y",
       {"Mul"}},
      {"div",
       "%x = input() : f32[$B,4]\n%c = constant() {value=[1.0,2.0,-4.0,0.25]} : f32[4]\n%y = "
       "div(%x, %c) : f32[$B,4]\nreturn %y",
       {"Div"}},
      {"neg", "%x = input() : f32[$B,5]\n%y = neg(%x) : f32[$B,5]\nreturn %y", {"Neg"}},
      {"exp", "%x = input() : f32[$B,5]\n%y = exp(%x) : f32[$B,5]\nreturn %y", {"Exp"}},
      {"log",
       "%x = input() : f32[$B,5]\n%y = log(%x) : f32[$B,5]\nreturn %y",
       {"Log"},
       nullptr,
       0.01,
       3},
      {"sqrt",
       "%x = input() : f32[$B,5]\n%y = sqrt(%x) : f32[$B,5]\nreturn %y",
       {"Sqrt"},
       nullptr,
       0,
       3},
      {"relu", "%x = input() : f32[$B,5]\n%y = relu(%x) : f32[$B,5]\nreturn %y", {"Relu"}},
      {"sigmoid",
       "%x = input() : f32[$B,5]\n%y = sigmoid(%x) : f32[$B,5]\nreturn %y",
       {"Sigmoid"},
       nullptr,
       -8,
       8},
      {"tanh",
       "%x = input() : f32[$B,5]\n%y = tanh(%x) : f32[$B,5]\nreturn %y",
       {"Tanh"},
       nullptr,
       -4,
       4},
      {"leaky_relu",
       "%x = input() : f32[$B,5]\n%y = leaky_relu(%x) {alpha=0.3} : f32[$B,5]\nreturn %y",
       {"LeakyRelu"},
       [](const onnx::ModelProto& m) { EXPECT_FLOAT_EQ(AttrF(OnnxNode(m, 0), "alpha"), 0.3f); }},
      {"cast_u8",
       "%x = input() : u8[$B,6]\n%y = cast(%x) {to=f32} : f32[$B,6]\nreturn %y",
       {"Cast"},
       [](const onnx::ModelProto& m) {
         EXPECT_EQ(AttrI(OnnxNode(m, 0), "to"), onnx::TensorProto_DataType_FLOAT);
         EXPECT_EQ(m.graph().input(0).type().tensor_type().elem_type(),
                   onnx::TensorProto_DataType_UINT8);
       }},
      {"flatten",
       "%x = input() : f32[$B,2,3,4]\n%y = flatten(%x) : f32[$B,24]\nreturn %y",
       {"Flatten"},
       [](const onnx::ModelProto& m) { EXPECT_EQ(AttrI(OnnxNode(m, 0), "axis"), 1); }},
      {"transpose",
       "%x = input() : f32[$B,2,3]\n%y = transpose(%x) {perm=[0,2,1]} : f32[$B,3,2]\nreturn %y",
       {"Transpose"},
       [](const onnx::ModelProto& m) {
         EXPECT_THAT(AttrInts(OnnxNode(m, 0), "perm"), ElementsAre(0, 2, 1));
       }},
      {"concat",
       "%x = input() : f32[$B,2,3]\n%r = relu(%x) : f32[$B,2,3]\n"
       "%y = concat(%x, %r) {axis=-1} : f32[$B,2,6]\nreturn %y",
       {"Relu", "Concat"},
       [](const onnx::ModelProto& m) { EXPECT_EQ(AttrI(OnnxNode(m, 1), "axis"), 2); }},
      {"softmax",
       "%x = input() : f32[$B,3,5]\n%y = softmax(%x) : f32[$B,3,5]\nreturn %y",
       {"Softmax"},
       [](const onnx::ModelProto& m) { EXPECT_EQ(AttrI(OnnxNode(m, 0), "axis"), 2); },
       -6,
       6},
      {"softmax_axis1",
       "%x = input() : f32[$B,3,5]\n%y = softmax(%x) {axis=1} : f32[$B,3,5]\nreturn %y",
       {"Softmax"},
       [](const onnx::ModelProto& m) { EXPECT_EQ(AttrI(OnnxNode(m, 0), "axis"), 1); }},
      {"log_softmax",
       "%x = input() : f32[$B,7]\n%y = log_softmax(%x) : f32[$B,7]\nreturn %y",
       {"LogSoftmax"}},
      {"matmul",
       "%x = input() : f32[$B,4]\n%k = parameter() : f32[4,3]\n%y = matmul(%x, %k) : "
       "f32[$B,3]\nreturn %y",
       {"Gemm"},
       [](const onnx::ModelProto& m) {
         EXPECT_EQ(OnnxNode(m, 0).input_size(), 2);
         EXPECT_THAT(InitializerDims(m, "k"), ElementsAre(4, 3));
       }},
      {"matmul_bias",
       "%x = input() : f32[$B,4]\n%k = parameter() : f32[4,3]\n%m = matmul(%x, %k) : f32[$B,3]\n"
       "%b = parameter() : f32[3]\n%y = add(%m, %b) : f32[$B,3]\nreturn %y",
       {"Gemm"},
       [](const onnx::ModelProto& m) {
         EXPECT_THAT(OnnxNode(m, 0).input(), ElementsAre("x", "k", "b"));
         EXPECT_THAT(OnnxNode(m, 0).output(), ElementsAre("y"));
       }},
      // The matmul has a second reader: the bias stays an Add of its own.
      {"matmul_bias_shared",
       "%x = input() : f32[$B,4]\n%k = parameter() : f32[4,3]\n%m = matmul(%x, %k) : f32[$B,3]\n"
       "%b = parameter() : f32[3]\n%a = add(%m, %b) : f32[$B,3]\n%y = mul(%a, %m) : f32[$B,3]\n"
       "return %y",
       {"Gemm", "Add", "Mul"}},
      {"matmul_transpose_b",
       "%x = input() : f32[$B,4]\n%k = parameter() : f32[3,4]\n"
       "%y = matmul(%x, %k) {transpose_b=true} : f32[$B,3]\nreturn %y",
       {"Gemm"},
       [](const onnx::ModelProto& m) {
         EXPECT_EQ(AttrI(OnnxNode(m, 0), "transB"), 1);
         EXPECT_THAT(InitializerDims(m, "k"), ElementsAre(3, 4));
       }},
      {"conv2d",
       "%x = input() : f32[$B,6,5,2]\n%k = parameter() : f32[3,2,2,4]\n"
       "%y = conv2d(%x, %k) : f32[$B,4,4,4]\nreturn %y",
       {"Transpose", "Conv", "Transpose"},
       [](const onnx::ModelProto& m) {
         EXPECT_THAT(AttrInts(OnnxNode(m, 0), "perm"), ElementsAre(0, 3, 1, 2));
         EXPECT_THAT(InitializerDims(m, "k"), ElementsAre(4, 2, 3, 2));  // OIHW
         EXPECT_THAT(AttrInts(OnnxNode(m, 1), "kernel_shape"), ElementsAre(3, 2));
         EXPECT_THAT(AttrInts(OnnxNode(m, 1), "pads"), ElementsAre(0, 0, 0, 0));
         EXPECT_THAT(AttrInts(OnnxNode(m, 2), "perm"), ElementsAre(0, 2, 3, 1));
       }},
      // "same" with stride 2 on an even size pads only the bottom and right.
      {"conv2d_same_stride_bias_relu",
       "%x = input() : f32[$B,6,6,3]\n%k = parameter() : f32[3,3,3,5]\n"
       "%c = conv2d(%x, %k) {strides=[2,2], padding=\"same\"} : f32[$B,3,3,5]\n"
       "%b = parameter() : f32[5]\n%a = add(%c, %b) : f32[$B,3,3,5]\n"
       "%y = relu(%a) : f32[$B,3,3,5]\nreturn %y",
       {"Transpose", "Conv", "Transpose", "Relu"},
       [](const onnx::ModelProto& m) {
         EXPECT_THAT(OnnxNode(m, 1).input(), ElementsAre(::testing::_, "k", "b"));
         EXPECT_THAT(AttrInts(OnnxNode(m, 1), "strides"), ElementsAre(2, 2));
         EXPECT_THAT(AttrInts(OnnxNode(m, 1), "pads"), ElementsAre(0, 0, 1, 1));
       }},
      {"conv2d_dilated_explicit_pads",
       "%x = input() : f32[$B,7,6,2]\n%k = parameter() : f32[2,3,2,3]\n"
       "%y = conv2d(%x, %k) {padding=[1,2,0,1], dilations=[2,2]} : f32[$B,8,3,3]\nreturn %y",
       {"Transpose", "Conv", "Transpose"},
       [](const onnx::ModelProto& m) {
         EXPECT_THAT(AttrInts(OnnxNode(m, 1), "dilations"), ElementsAre(2, 2));
         EXPECT_THAT(AttrInts(OnnxNode(m, 1), "pads"), ElementsAre(1, 0, 2, 1));
       }},
      // A filter read by two convolutions: one OIHW initializer for both.
      {"conv2d_shared_filter",
       "%x = input() : f32[$B,5,5,2]\n%k = parameter() : f32[3,3,2,2]\n"
       "%c = conv2d(%x, %k) {padding=\"same\"} : f32[$B,5,5,2]\n"
       "%y = conv2d(%c, %k) : f32[$B,3,3,2]\nreturn %y",
       {"Transpose", "Conv", "Transpose", "Transpose", "Conv", "Transpose"},
       [](const onnx::ModelProto& m) {
         EXPECT_THAT(InitializerDims(m, "k"), ElementsAre(2, 2, 3, 3));
         EXPECT_EQ(OnnxNode(m, 1).input(1), "k");
         EXPECT_EQ(OnnxNode(m, 4).input(1), "k");
       }},
      // A filter that is computed, not a parameter: a Transpose node makes it OIHW.
      {"conv2d_computed_filter",
       "%x = input() : f32[$B,5,5,2]\n%k = parameter() : f32[3,3,2,4]\n"
       "%n = neg(%k) : f32[3,3,2,4]\n%y = conv2d(%x, %n) : f32[$B,3,3,4]\nreturn %y",
       {"Neg", "Transpose", "Transpose", "Conv", "Transpose"},
       [](const onnx::ModelProto& m) {
         EXPECT_THAT(InitializerDims(m, "k"), ElementsAre(3, 3, 2, 4));
         EXPECT_THAT(AttrInts(OnnxNode(m, 1), "perm"), ElementsAre(3, 2, 0, 1));
         EXPECT_EQ(OnnxNode(m, 3).input(1), OnnxNode(m, 1).output(0));
       }},
      {"maxpool2d_same",
       "%x = input() : f32[$B,5,5,3]\n"
       "%y = maxpool2d(%x) {window=[2,2], strides=[2,2], padding=\"same\"} : f32[$B,3,3,3]\n"
       "return %y",
       {"Transpose", "MaxPool", "Transpose"},
       [](const onnx::ModelProto& m) {
         EXPECT_THAT(AttrInts(OnnxNode(m, 1), "kernel_shape"), ElementsAre(2, 2));
         EXPECT_THAT(AttrInts(OnnxNode(m, 1), "pads"), ElementsAre(0, 0, 1, 1));
       }},
      // Padded places do not count in the average (Keras's rule).
      {"avgpool2d_same",
       "%x = input() : f32[$B,4,5,2]\n"
       "%y = avgpool2d(%x) {window=[3,3], strides=[1,2], padding=\"same\"} : f32[$B,4,3,2]\n"
       "return %y",
       {"Transpose", "AveragePool", "Transpose"},
       [](const onnx::ModelProto& m) {
         EXPECT_EQ(AttrI(OnnxNode(m, 1), "count_include_pad"), 0);
         EXPECT_THAT(AttrInts(OnnxNode(m, 1), "strides"), ElementsAre(1, 2));
       }},
  };
}

class ExportOp : public ::testing::TestWithParam<OpCase> {};

TEST_P(ExportOp, WritesCheckedNodesThatOnnxRuntimeAgreesWith) {
  const OpCase& c = GetParam();
  const Graph graph = ParseAtBatch(c, 1);
  const std::map<std::string, Tensor> weights = RandomWeights(graph, 1);
  absl::StatusOr<std::string> bytes = onnx_export::ExportOnnx(graph, weights);
  ASSERT_TRUE(bytes.ok()) << bytes.status();

  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(*bytes));
  EXPECT_NO_THROW(onnx::checker::check_model(model));
  EXPECT_EQ(model.opset_import(0).version(), 13);
  EXPECT_THAT(OpTypes(model), ElementsAreArray(c.ops));
  EXPECT_TRUE(HasBatchDim(model.graph().input(0)));
  EXPECT_TRUE(HasBatchDim(model.graph().output(0)));
  if (c.check) c.check(model);

  if (std::optional<std::string> why = OrtUnavailable()) GTEST_SKIP() << *why;
  // At batch 3, though the file was written from the graph at batch 1.
  const Graph at3 = ParseAtBatch(c, 3);
  const Tensor x = RandomInput(at3.type(at3.Inputs()[0]), c.low, c.high, 2);
  Feeds feeds = weights;
  feeds.emplace("x", x);
  absl::StatusOr<std::vector<Tensor>> expected = Interpret(at3, feeds);
  ASSERT_TRUE(expected.ok()) << expected.status();
  absl::StatusOr<std::vector<Tensor>> actual = RunWithOrt(*bytes, x);
  ASSERT_TRUE(actual.ok()) << actual.status();
  ASSERT_EQ(actual->size(), 1u);
  EXPECT_TRUE(AllClose((*actual)[0], (*expected)[0], 1e-5));
}

INSTANTIATE_TEST_SUITE_P(Ops, ExportOp, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace dlc::onnx_test
