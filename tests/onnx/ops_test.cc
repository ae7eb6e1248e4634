// Each supported ONNX op imports: a one-node (or few-node) model per op,
// checked for the .dl statement it becomes and, run by the interpreter,
// for values worked out by hand. (The PyTorch models check the ops again in
// whole networks: pytorch_parity_test.cc.)
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/executor.h"
#include "support/str_cat.h"
#include "tests/onnx/onnx_test_util.h"

namespace dlc::onnx_test {
namespace {

using ::testing::HasSubstr;

onnx_import::ImportedModel Import(const ::onnx::ModelProto& m) {
  absl::StatusOr<onnx_import::ImportedModel> r = onnx_import::ImportOnnx(Serialize(m), "op.onnx");
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : onnx_import::ImportedModel{};
}

std::vector<double> Eval(const onnx_import::ImportedModel& model, Shape shape,
                         std::vector<float> values) {
  auto backend = MakeInterpreterBackend();
  absl::StatusOr<Tensor> y =
      Run(model, Tensor::FromVector<float>(DType::kF32, std::move(shape), values), *backend);
  EXPECT_TRUE(y.ok()) << y.status() << "\n" << model.dl_text;
  std::vector<double> out;
  if (y.ok()) {
    for (int64_t i = 0; i < y->num_elements(); ++i) out.push_back(y->GetDouble(i));
  }
  return out;
}

// x [batch, 4] -> op -> y, with attributes set by `configure`.
::onnx::ModelProto Unary(const std::string& op, void (*configure)(::onnx::NodeProto*) = nullptr) {
  ::onnx::ModelProto m = NewModel();
  auto& g = *m.mutable_graph();
  AddInput(g, "x", {-1, 4});
  auto* n = AddNode(g, op, {"x"}, {"y"});
  if (configure) configure(n);
  AddOutput(g, "y", 2);
  return m;
}

const std::vector<float> kFour = {-2, -0.5f, 0, 3};

TEST(ImportOps, Relu) {
  auto m = Import(Unary("Relu"));
  EXPECT_THAT(m.dl_text, HasSubstr("relu = relu(x)"));
  EXPECT_EQ(Eval(m, {1, 4}, kFour), (std::vector<double>{0, 0, 0, 3}));
}

TEST(ImportOps, LeakyRelu) {
  auto m = Import(Unary("LeakyRelu", [](::onnx::NodeProto* n) { SetFloat(n, "alpha", 0.25f); }));
  EXPECT_THAT(m.dl_text, HasSubstr("leaky_relu(x, alpha=0.25)"));
  EXPECT_EQ(Eval(m, {1, 4}, kFour), (std::vector<double>{-0.5, -0.125, 0, 3}));
}

TEST(ImportOps, SigmoidAndTanh) {
  auto s = Import(Unary("Sigmoid"));
  EXPECT_THAT(s.dl_text, HasSubstr("sigmoid(x)"));
  EXPECT_NEAR(Eval(s, {1, 4}, kFour)[3], 1 / (1 + std::exp(-3.0)), 1e-6);
  auto t = Import(Unary("Tanh"));
  EXPECT_THAT(t.dl_text, HasSubstr("tanh(x)"));
  EXPECT_NEAR(Eval(t, {1, 4}, kFour)[0], std::tanh(-2.0), 1e-6);
}

TEST(ImportOps, SoftmaxAndLogSoftmax) {
  auto s = Import(Unary("Softmax", [](::onnx::NodeProto* n) { SetInt(n, "axis", 1); }));
  EXPECT_THAT(s.dl_text, HasSubstr("softmax(x)"));
  const std::vector<double> p = Eval(s, {1, 4}, {0, 0, 0, std::log(5.0f)});
  EXPECT_NEAR(p[0], 1.0 / 8, 1e-6);
  EXPECT_NEAR(p[3], 5.0 / 8, 1e-6);
  auto l = Import(Unary("LogSoftmax"));
  EXPECT_THAT(l.dl_text, HasSubstr("log_softmax(x)"));
  EXPECT_NEAR(Eval(l, {1, 4}, {0, 0, 0, std::log(5.0f)})[0], std::log(1.0 / 8), 1e-6);
}

TEST(ImportOps, DropoutIdentityCastConstantAndScalarArithmetic) {
  // y = ((Identity(Cast(Dropout(x))) + 1) - 2) * 3 / 4: dropout passes values in inference.
  ::onnx::ModelProto m = NewModel();
  auto& g = *m.mutable_graph();
  AddInput(g, "x", {-1, 4});
  AddNode(g, "Dropout", {"x"}, {"d"}, "drop");
  SetInt(AddNode(g, "Cast", {"d"}, {"c"}), "to", ::onnx::TensorProto::FLOAT);
  AddNode(g, "Identity", {"c"}, {"i"});
  for (auto [name, value] :
       {std::pair{"one", 1.0f}, {"two", 2.0f}, {"three", 3.0f}, {"four", 4.0f}}) {
    auto* k = AddNode(g, "Constant", {}, {name}, StrCat("/", name));
    auto* a = k->add_attribute();
    a->set_name("value");
    a->set_type(::onnx::AttributeProto::TENSOR);
    a->mutable_t()->set_data_type(::onnx::TensorProto::FLOAT);
    a->mutable_t()->add_float_data(value);
  }
  AddNode(g, "Add", {"i", "one"}, {"a"});
  AddNode(g, "Sub", {"a", "two"}, {"s"});
  AddNode(g, "Mul", {"s", "three"}, {"p"});
  AddNode(g, "Div", {"p", "four"}, {"y"});
  AddOutput(g, "y", 2);
  auto imported = Import(m);
  EXPECT_THAT(imported.dl_text, HasSubstr("dropout(x, rate=0.5)"));
  EXPECT_THAT(imported.dl_text, HasSubstr("rescale(dropout, 1, offset=1)"));
  EXPECT_THAT(imported.dl_text, HasSubstr("rescale(rescale, 1, offset=-2)"));
  EXPECT_THAT(imported.dl_text, HasSubstr("rescale(rescale_1, 3)"));
  EXPECT_THAT(imported.dl_text, HasSubstr("rescale(rescale_2, 1/4)"));
  EXPECT_EQ(Eval(imported, {1, 4}, kFour), (std::vector<double>{-2.25, -1.125, -0.75, 1.5}));
}

TEST(ImportOps, AddSubMulDivOfTwoValues) {
  for (auto [op, layer, want] : {std::tuple{"Add", "add", std::vector<double>{-4, -1, 0, 6}},
                                 {"Sub", "subtract", std::vector<double>{0, 0, 0, 0}},
                                 {"Mul", "multiply", std::vector<double>{4, 0.25, 0, 9}},
                                 {"Div", "divide", std::vector<double>{1, 1, std::nan(""), 1}}}) {
    ::onnx::ModelProto m = NewModel();
    auto& g = *m.mutable_graph();
    AddInput(g, "x", {-1, 4});
    AddNode(g, op, {"x", "x"}, {"y"});
    AddOutput(g, "y", 2);
    auto imported = Import(m);
    EXPECT_THAT(imported.dl_text, HasSubstr(StrCat(layer, "(x, x)")));
    const std::vector<double> y = Eval(imported, {1, 4}, kFour);
    ASSERT_EQ(y.size(), 4u);
    for (int i = 0; i < 4; ++i) {
      if (std::isnan(want[i])) {
        EXPECT_TRUE(std::isnan(y[i])) << op;
      } else {
        EXPECT_EQ(y[i], want[i]) << op << " " << i;
      }
    }
  }
}

TEST(ImportOps, GemmFoldsAlphaBetaAndTransB) {
  // y = 2 * x W^T + 0.5 * b, W [2, 4] (transB), b [2].
  ::onnx::ModelProto m = NewModel();
  auto& g = *m.mutable_graph();
  AddInput(g, "x", {-1, 4});
  AddInitializer(g, "fc.weight", {2, 4}, {1, 0, 0, 0, 0, 1, 1, 1});
  AddInitializer(g, "fc.bias", {2}, {10, 20});
  auto* n = AddNode(g, "Gemm", {"x", "fc.weight", "fc.bias"}, {"y"});
  SetInt(n, "transB", 1);
  SetFloat(n, "alpha", 2);
  SetFloat(n, "beta", 0.5f);
  AddOutput(g, "y", 2);
  auto imported = Import(m);
  EXPECT_THAT(imported.dl_text, HasSubstr("fc = dense(x, 2, name=\"fc\")"));
  ASSERT_TRUE(imported.weights.contains("fc.kernel"));
  EXPECT_EQ(imported.weights.at("fc.kernel").shape(), (Shape{4, 2}));
  EXPECT_EQ(Eval(imported, {1, 4}, {1, 2, 3, 4}), (std::vector<double>{2 + 5, 18 + 10}));
}

TEST(ImportOps, MatMulWithBiasAddAndReluIsOneDenseLayer) {
  ::onnx::ModelProto m = NewModel();
  auto& g = *m.mutable_graph();
  AddInput(g, "x", {-1, 4});
  AddInitializer(g, "w", {4, 2}, {1, -1, 1, -1, 1, -1, 1, -1});
  AddInitializer(g, "b", {2}, {0.5f, 0.5f});
  AddNode(g, "MatMul", {"x", "w"}, {"m"}, "/lin/MatMul");
  AddNode(g, "Add", {"m", "b"}, {"a"});
  AddNode(g, "Relu", {"a"}, {"y"});
  AddOutput(g, "y", 2);
  auto imported = Import(m);
  EXPECT_THAT(imported.dl_text, HasSubstr("w = dense(x, 2, activation=relu, name=\"w\")"));
  EXPECT_EQ(Eval(imported, {1, 4}, {1, 2, 3, 4}), (std::vector<double>{10.5, 0}));
}

// x [batch, 1, 3, 3] (NCHW) -> op -> y.
::onnx::ModelProto Image(const std::string& op,
                         void (*configure)(::onnx::GraphProto&, ::onnx::NodeProto*)) {
  ::onnx::ModelProto m = NewModel();
  auto& g = *m.mutable_graph();
  AddInput(g, "x", {-1, 1, 3, 3});
  auto* n = AddNode(g, op, {"x"}, {"y"});
  configure(g, n);
  AddOutput(g, "y", 4);
  return m;
}
const std::vector<float> kNine = {1, 2, 3, 4, 5, 6, 7, 8, 9};

TEST(ImportOps, ConvWithBiasStridesPadsDilations) {
  auto imported = Import(Image("Conv", [](::onnx::GraphProto& g, ::onnx::NodeProto* n) {
    AddInitializer(g, "k.weight", {1, 1, 2, 2}, {1, 0, 0, 1});
    AddInitializer(g, "k.bias", {1}, {100});
    n->add_input("k.weight");
    n->add_input("k.bias");
  }));
  EXPECT_THAT(imported.dl_text, HasSubstr("k = conv2d(x, filters=1, kernel=2, name=\"k\")"));
  EXPECT_EQ(Eval(imported, {1, 3, 3, 1}, kNine), (std::vector<double>{106, 108, 112, 114}));

  auto same = Import(Image("Conv", [](::onnx::GraphProto& g, ::onnx::NodeProto* n) {
    AddInitializer(g, "k.weight", {1, 1, 3, 3}, {0, 0, 0, 0, 1, 0, 0, 0, 0});
    n->add_input("k.weight");
    SetInts(n, "pads", {2, 2, 2, 2});
    SetInts(n, "dilations", {2, 2});
    SetInts(n, "strides", {2, 2});
  }));
  // Dilation 2 makes the 3x3 kernel span 5; stride 2 over 3 with 'same' pads 2 each side.
  EXPECT_THAT(same.dl_text, HasSubstr("strides=2, padding=same, dilation=2, use_bias=false"));
  EXPECT_EQ(Eval(same, {1, 3, 3, 1}, kNine), (std::vector<double>{1, 3, 7, 9}));
}

TEST(ImportOps, ConvWithPadsNeitherNoneNorSame) {
  // Kernel [[1, 0], [0, 1]]; ONNX pads [top 0, left 1, bottom 2, right 0]:
  // y[i][j] = p[i][j] + p[i+1][j+1] over the padded 5x4 image p.
  auto imported = Import(Image("Conv", [](::onnx::GraphProto& g, ::onnx::NodeProto* n) {
    AddInitializer(g, "k.weight", {1, 1, 2, 2}, {1, 0, 0, 1});
    n->add_input("k.weight");
    SetInts(n, "pads", {0, 1, 2, 0});
  }));
  EXPECT_THAT(imported.dl_text,
              HasSubstr("padding=[0, 2, 1, 0]"));  // dlc: top, bottom, left, right
  EXPECT_EQ(Eval(imported, {1, 3, 3, 1}, kNine),
            (std::vector<double>{4, 6, 8, 7, 12, 14, 0, 7, 8, 0, 0, 0}));
}

TEST(ImportOps, PoolsWithPads) {
  // 2x2 windows, stride 1, one row of padding on top and one column on the
  // left: window (i, j) covers rows i-1..i and columns j-1..j of x.
  auto max = Import(Image("MaxPool", [](::onnx::GraphProto&, ::onnx::NodeProto* n) {
    SetInts(n, "kernel_shape", {2, 2});
    SetInts(n, "pads", {1, 1, 0, 0});
  }));
  EXPECT_THAT(max.dl_text, HasSubstr("maxpool2d(x, pool=2, strides=1, padding=[1, 0, 1, 0])"));
  EXPECT_EQ(Eval(max, {1, 3, 3, 1}, kNine), (std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
  // The average of the input's values in the window only (count_include_pad=0).
  auto avg = Import(Image("AveragePool", [](::onnx::GraphProto&, ::onnx::NodeProto* n) {
    SetInts(n, "kernel_shape", {2, 2});
    SetInts(n, "strides", {1, 1});
    SetInts(n, "pads", {1, 1, 0, 0});
  }));
  EXPECT_EQ(Eval(avg, {1, 3, 3, 1}, kNine),
            (std::vector<double>{1, 1.5, 2.5, 2.5, 3, 4, 5.5, 6, 7}));
  // count_include_pad=1 would divide by 4 at the border: refused, not changed.
  ::onnx::ModelProto counting = Image("AveragePool", [](::onnx::GraphProto&, ::onnx::NodeProto* n) {
    SetInts(n, "kernel_shape", {2, 2});
    SetInts(n, "pads", {1, 1, 0, 0});
    SetInt(n, "count_include_pad", 1);
  });
  EXPECT_THAT(onnx_import::ImportOnnx(Serialize(counting), "c.onnx").status().message(),
              HasSubstr("count_include_pad=1"));
}

TEST(ImportOps, MaxPoolAveragePoolGlobalAveragePool) {
  auto max = Import(Image("MaxPool", [](::onnx::GraphProto&, ::onnx::NodeProto* n) {
    SetInts(n, "kernel_shape", {2, 2});
  }));
  EXPECT_THAT(max.dl_text, HasSubstr("maxpool2d(x, pool=2, strides=1)"));
  EXPECT_EQ(Eval(max, {1, 3, 3, 1}, kNine), (std::vector<double>{5, 6, 8, 9}));
  auto avg = Import(Image("AveragePool", [](::onnx::GraphProto&, ::onnx::NodeProto* n) {
    SetInts(n, "kernel_shape", {2, 2});
    SetInts(n, "strides", {1, 1});
  }));
  EXPECT_THAT(avg.dl_text, HasSubstr("avgpool2d(x, pool=2, strides=1)"));
  EXPECT_EQ(Eval(avg, {1, 3, 3, 1}, kNine), (std::vector<double>{3, 4, 6, 7}));
  auto global = Import(Image("GlobalAveragePool", [](::onnx::GraphProto&, ::onnx::NodeProto*) {}));
  EXPECT_THAT(global.dl_text, HasSubstr("avgpool2d(x, pool=3)"));
  EXPECT_EQ(Eval(global, {1, 3, 3, 1}, kNine), (std::vector<double>{5}));
}

TEST(ImportOps, FlattenOfAnImageKeepsOnnxOrder) {
  // Two channels, returned directly: the values must come in ONNX's (c, h, w) order.
  ::onnx::ModelProto m = NewModel();
  auto& g = *m.mutable_graph();
  AddInput(g, "x", {-1, 2, 1, 2});
  AddNode(g, "Flatten", {"x"}, {"y"});
  AddOutput(g, "y", 2);
  auto imported = Import(m);
  EXPECT_THAT(imported.dl_text, HasSubstr("transpose(x, perm=[0, 3, 1, 2])"));
  // NHWC data [1, 1, 2, 2]: pixel 0 = (c0 10, c1 20), pixel 1 = (c0 11, c1 21).
  EXPECT_EQ(Eval(imported, {1, 1, 2, 2}, {10, 20, 11, 21}), (std::vector<double>{10, 11, 20, 21}));
}

TEST(ImportOps, ReshapeTransposeConcat) {
  // x [batch, 6] -> Reshape [-1, 2, 3] -> Transpose [0, 2, 1] -> Concat with itself on axis 2.
  ::onnx::ModelProto m = NewModel();
  auto& g = *m.mutable_graph();
  AddInput(g, "x", {-1, 6});
  auto* shape = g.add_initializer();
  shape->set_name("shape");
  shape->set_data_type(::onnx::TensorProto::INT64);
  shape->add_dims(3);
  for (int64_t d : {-1, 2, 3}) shape->add_int64_data(d);
  AddNode(g, "Reshape", {"x", "shape"}, {"r"});
  SetInts(AddNode(g, "Transpose", {"r"}, {"t"}), "perm", {0, 2, 1});
  SetInt(AddNode(g, "Concat", {"t", "t"}, {"y"}), "axis", -1);
  AddOutput(g, "y", 3);
  auto imported = Import(m);
  EXPECT_THAT(imported.dl_text, HasSubstr("reshape(x, shape=[2, 3])"));
  EXPECT_THAT(imported.dl_text, HasSubstr("transpose(reshape, perm=[0, 2, 1])"));
  EXPECT_THAT(imported.dl_text, HasSubstr("concat(transpose, transpose, axis=2)"));
  EXPECT_EQ(Eval(imported, {1, 6}, {1, 2, 3, 4, 5, 6}),
            (std::vector<double>{1, 4, 1, 4, 2, 5, 2, 5, 3, 6, 3, 6}));
}

TEST(ImportOps, ConcatOfImagesJoinsChannels) {
  ::onnx::ModelProto m = NewModel();
  auto& g = *m.mutable_graph();
  AddInput(g, "x", {-1, 1, 1, 2});
  SetInt(AddNode(g, "Concat", {"x", "x"}, {"c"}), "axis", 1);
  AddNode(g, "Flatten", {"c"}, {"y"});
  AddOutput(g, "y", 2);
  auto imported = Import(m);
  EXPECT_THAT(imported.dl_text, HasSubstr("concat(x, x, axis=3)"));
  EXPECT_EQ(Eval(imported, {1, 1, 2, 1}, {7, 8}), (std::vector<double>{7, 8, 7, 8}));
}

}  // namespace
}  // namespace dlc::onnx_test
