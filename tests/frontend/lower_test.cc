// Lowering .dl models to the tensor IR: the stages, shapes and parameters of
// each example, the logits of a softmax output, dropout in training and
// inference, and the numbers the lowered graphs compute.
#include "frontend/lower.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/parser.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/interpreter.h"
#include "ir/verifier.h"
#include "support/str_cat.h"

namespace dlc::dl {
namespace {

using ::testing::ElementsAre;

absl::StatusOr<LoweredModel> LowerText(std::string_view text, LowerOptions options = {}) {
  absl::StatusOr<Program> program = ParseProgramText(text, "test.dl");
  if (!program.ok()) return program.status();
  if (program->models.empty()) return absl::NotFoundError("no model");
  return LowerModel(*program, program->models[0].name, options);
}

absl::StatusOr<LoweredModel> LowerExample(std::string_view name, LowerOptions options) {
  absl::StatusOr<Program> program =
      ParseProgramFile(StrCat(DLC_SOURCE_DIR, "/examples/", name, ".dl"));
  if (!program.ok()) return program.status();
  return LowerModel(*program, name, options);
}

std::vector<std::string> StageNames(const LoweredModel& model) {
  std::vector<std::string> names;
  for (const Stage& s : model.stages) names.push_back(s.name);
  return names;
}

std::vector<Shape> OutputShapes(const LoweredModel& model) {
  std::vector<Shape> shapes;
  for (const Stage& s : model.stages) shapes.push_back(model.graph.type(s.output).shape);
  return shapes;
}

int64_t StageParameters(const LoweredModel& model, const Stage& stage) {
  int64_t n = 0;
  for (ValueId p : stage.parameters) n += model.graph.type(p).num_elements();
  return n;
}

std::vector<int64_t> ParameterCounts(const LoweredModel& model) {
  std::vector<int64_t> counts;
  for (const Stage& s : model.stages) counts.push_back(StageParameters(model, s));
  return counts;
}

int64_t TotalParameters(const LoweredModel& model) {
  int64_t n = 0;
  for (ValueId p : model.graph.Parameters()) n += model.graph.type(p).num_elements();
  return n;
}

const Stage* FindStage(const LoweredModel& model, std::string_view name) {
  for (const Stage& s : model.stages) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

int CountOps(const Graph& graph, OpKind op) { return static_cast<int>(graph.NodesOf(op).size()); }

ValueId ValueNamed(const Graph& graph, std::string_view name) {
  std::optional<ValueId> id = graph.Find(name);
  EXPECT_TRUE(id.has_value()) << "no value %" << name;
  return id.value_or(0);
}

// ---- the examples -------------------------------------------------------------

TEST(LowerExamples, MnistCnnAtBatch1000Has54410Parameters) {
  absl::StatusOr<LoweredModel> model = LowerExample("mnist_cnn", {.batch = 1000});
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_THAT(StageNames(*model),
              ElementsAre("x", "rescale", "conv2d", "maxpool2d", "flatten", "dense"));
  EXPECT_THAT(OutputShapes(*model),
              ElementsAre(Shape{1000, 28, 28, 1}, Shape{1000, 28, 28, 1}, Shape{1000, 26, 26, 32},
                          Shape{1000, 13, 13, 32}, Shape{1000, 5408}, Shape{1000, 10}));
  // conv2d: 3*3*1*32 + 32; dense: 5408*10 + 10.
  EXPECT_THAT(ParameterCounts(*model), ElementsAre(0, 0, 320, 0, 0, 54'090));
  EXPECT_EQ(TotalParameters(*model), 54'410);
  EXPECT_EQ(model->graph.type(model->graph.Inputs()[0]).dtype, DType::kU8);
  EXPECT_FALSE(model->logits.has_value());  // the output is already the logits
  EXPECT_TRUE(VerifyGraph(model->graph).ok());
}

TEST(LowerExamples, MnistMlpHas101770ParametersAndSoftmaxOutput) {
  absl::StatusOr<LoweredModel> model = LowerExample("mnist_mlp", {.batch = 32});
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_THAT(StageNames(*model), ElementsAre("x", "rescale", "flatten", "dense", "dense_1"));
  EXPECT_THAT(OutputShapes(*model), ElementsAre(Shape{32, 28, 28}, Shape{32, 28, 28},
                                                Shape{32, 784}, Shape{32, 128}, Shape{32, 10}));
  // 784*128 + 128 and 128*10 + 10.
  EXPECT_THAT(ParameterCounts(*model), ElementsAre(0, 0, 0, 100'480, 1'290));
  EXPECT_EQ(TotalParameters(*model), 101'770);
}

TEST(LowerExamples, Lenet5ShapesAndParameters) {
  absl::StatusOr<LoweredModel> model = LowerExample("lenet5", {.batch = 64});
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_THAT(StageNames(*model),
              ElementsAre("x", "rescale", "conv2d", "avgpool2d", "conv2d_1", "avgpool2d_1",
                          "flatten", "dense", "dense_1", "dense_2"));
  EXPECT_THAT(OutputShapes(*model),
              ElementsAre(Shape{64, 28, 28, 1}, Shape{64, 28, 28, 1}, Shape{64, 28, 28, 6},
                          Shape{64, 14, 14, 6}, Shape{64, 10, 10, 16}, Shape{64, 5, 5, 16},
                          Shape{64, 400}, Shape{64, 120}, Shape{64, 84}, Shape{64, 10}));
  // 5*5*1*6+6, 5*5*6*16+16, 400*120+120, 120*84+84, 84*10+10.
  EXPECT_THAT(ParameterCounts(*model), ElementsAre(0, 0, 156, 0, 2'416, 0, 0, 48'120, 10'164, 850));
  EXPECT_EQ(TotalParameters(*model), 61'706);
}

TEST(LowerExamples, MnistResidualJoinsTheStemTwice) {
  absl::StatusOr<LoweredModel> model = LowerExample("mnist_residual", {.batch = 32});
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_THAT(StageNames(*model),
              ElementsAre("x", "rescale", "conv2d", "conv2d_1", "conv2d_2", "add", "relu",
                          "maxpool2d", "avgpool2d", "concat", "dropout", "flatten", "dense"));
  EXPECT_THAT(
      OutputShapes(*model),
      ElementsAre(Shape{32, 28, 28, 1}, Shape{32, 28, 28, 1}, Shape{32, 28, 28, 16},
                  Shape{32, 28, 28, 16}, Shape{32, 28, 28, 16}, Shape{32, 28, 28, 16},
                  Shape{32, 28, 28, 16}, Shape{32, 14, 14, 16}, Shape{32, 14, 14, 16},
                  Shape{32, 14, 14, 32}, Shape{32, 14, 14, 32}, Shape{32, 6272}, Shape{32, 10}));
  // 3*3*1*16+16, then twice 3*3*16*16+16, and 6272*10+10.
  EXPECT_THAT(ParameterCounts(*model),
              ElementsAre(0, 0, 160, 2'320, 2'320, 0, 0, 0, 0, 0, 0, 0, 62'730));
  EXPECT_EQ(TotalParameters(*model), 67'530);

  // The stem's output feeds the residual add and the pooled skip path.
  const ValueId stem = FindStage(*model, "conv2d")->output;
  EXPECT_THAT(FindStage(*model, "add")->inputs,
              ElementsAre(stem, FindStage(*model, "conv2d_2")->output));
  EXPECT_THAT(FindStage(*model, "avgpool2d")->inputs, ElementsAre(stem));
  EXPECT_THAT(
      FindStage(*model, "concat")->inputs,
      ElementsAre(FindStage(*model, "maxpool2d")->output, FindStage(*model, "avgpool2d")->output));
}

TEST(LowerExamples, EveryExampleVerifiesInBothModes) {
  for (std::string_view name : {"mnist_cnn", "mnist_mlp", "lenet5", "mnist_residual"}) {
    for (bool training : {false, true}) {
      absl::StatusOr<LoweredModel> model = LowerExample(name, {.batch = 4, .training = training});
      ASSERT_TRUE(model.ok()) << name << ": " << model.status();
      EXPECT_TRUE(VerifyGraph(model->graph).ok()) << name;
      EXPECT_EQ(model->graph.name, name);
      EXPECT_EQ(model->graph.outputs.size(), 1u);
    }
  }
}

// ---- what a stage records -------------------------------------------------------

TEST(LowerStages, RepeatedLayersAreNumberedAndNamesMayBeChosen) {
  absl::StatusOr<LoweredModel> model = LowerText(
      "model m(x: f32[4]) {\n"
      "  a = dense(x, 3)\n"
      "  b = dense(a, 3, name=\"dense_1\")\n"
      "  c = dense(b, 3)\n"
      "  return dense(c, 2, name=\"head\")\n"
      "}\n");
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_THAT(StageNames(*model), ElementsAre("x", "dense", "dense_1", "dense_2", "head"));
  // A stage's name prefixes its IR values.
  EXPECT_EQ(model->graph.node(FindStage(*model, "head")->output).name, "head.bias_add");
  EXPECT_TRUE(model->graph.Find("head.kernel").has_value());
}

TEST(LowerStages, ExplicitPaddingReachesTheIr) {
  absl::StatusOr<LoweredModel> model = LowerText(
      "model m(x: f32[6, 6, 1]) {\n"
      "  h = conv2d(x, filters=2, kernel=3, strides=2, padding=[1, 0, 1, 0])\n"
      "  return avgpool2d(h, 2, padding=[0, 1, 0, 1])\n"
      "}\n");
  ASSERT_TRUE(model.ok()) << model.status();
  const Graph& g = model->graph;
  const Node& conv = g.node(ValueNamed(g, "conv2d.conv"));
  EXPECT_EQ(std::get<IntList>(conv.attrs.at("padding")), (IntList{1, 0, 1, 0}));
  EXPECT_EQ(conv.type.shape, (Shape{1, 3, 3, 2}));  // (6 + 1 - 3) / 2 + 1
  EXPECT_EQ(model->stages[1].description, "2 filters 3x3, stride 2, padding [1, 0, 1, 0]");
  const Node& pool = g.node(model->stages[2].output);
  EXPECT_EQ(std::get<IntList>(pool.attrs.at("padding")), (IntList{0, 1, 0, 1}));
  EXPECT_EQ(pool.type.shape, (Shape{1, 2, 2, 2}));  // (3 + 1 - 2) / 2 + 1
}

TEST(LowerStages, StagesRecordTheirInputsOutputAndParameters) {
  absl::StatusOr<LoweredModel> model = LowerText(
      "model m(x: u8[6, 6, 1]) {\n"
      "  h = conv2d(x, filters=2, kernel=3, activation=relu)\n"
      "  return h\n"
      "}\n");
  ASSERT_TRUE(model.ok()) << model.status();
  const Graph& g = model->graph;
  const Stage& conv = model->stages[1];
  EXPECT_EQ(conv.layer, "conv2d");
  EXPECT_EQ(conv.description, "2 filters 3x3, stride 1, valid padding, relu");
  EXPECT_EQ(conv.span.line, 2);
  EXPECT_EQ(conv.span.col, 7);
  EXPECT_THAT(conv.inputs, ElementsAre(ValueNamed(g, "x")));
  EXPECT_EQ(conv.output, ValueNamed(g, "conv2d.relu"));
  EXPECT_THAT(conv.parameters,
              ElementsAre(ValueNamed(g, "conv2d.kernel"), ValueNamed(g, "conv2d.bias")));
  // The u8 pixels are cast to f32 first, inside the stage.
  EXPECT_EQ(g.node(conv.values[0]).op, OpKind::kCast);
  EXPECT_EQ(g.node(conv.values.back()).op, OpKind::kRelu);
  EXPECT_EQ(g.outputs, std::vector<ValueId>{conv.output});
}

TEST(LowerStages, LeakyReluIsALayerWithAlphaAndAnActivationWithTheOpsDefault) {
  absl::StatusOr<LoweredModel> model = LowerText(
      "model m(x: f32[4]) {\n"
      "  h = dense(x, 3, activation=leaky_relu)\n"
      "  return leaky_relu(h, alpha=0.2)\n"
      "}\n");
  ASSERT_TRUE(model.ok()) << model.status();
  const Graph& g = model->graph;
  const Node& activation = g.node(ValueNamed(g, "dense.leaky_relu"));
  EXPECT_EQ(activation.op, OpKind::kLeakyRelu);
  EXPECT_EQ(AttrFloat(activation.attrs, "alpha"), 0.01);
  EXPECT_EQ(model->stages[1].description, "fully connected, 3 units, leaky_relu");
  const Node& layer = g.node(g.outputs[0]);
  EXPECT_EQ(layer.op, OpKind::kLeakyRelu);
  EXPECT_EQ(AttrFloat(layer.attrs, "alpha"), 0.2);
  EXPECT_EQ(model->stages.back().layer, "leaky_relu");
  EXPECT_EQ(model->stages.back().description, "x if x > 0, else 0.2 x, per value");
}

TEST(LowerStages, UseBiasFalseDeclaresNoBias) {
  absl::StatusOr<LoweredModel> model =
      LowerText("model m(x: f32[4]) {\n  return dense(x, 3, use_bias=false)\n}\n");
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(TotalParameters(*model), 12);
  EXPECT_FALSE(model->graph.Find("dense.bias").has_value());
}

TEST(LowerStages, InitializersAreRecordedOnTheParameters) {
  absl::StatusOr<LoweredModel> model = LowerText(
      "model m(x: f32[4]) {\n"
      "  return dense(x, 3, kernel_initializer=he_normal, bias_initializer=ones)\n"
      "}\n");
  ASSERT_TRUE(model.ok()) << model.status();
  const Graph& g = model->graph;
  EXPECT_EQ(std::get<std::string>(g.node(ValueNamed(g, "dense.kernel")).attrs.at("init")),
            "he_normal");
  EXPECT_EQ(std::get<std::string>(g.node(ValueNamed(g, "dense.bias")).attrs.at("init")), "ones");
}

TEST(LowerStages, ConcatJoinsTheLastAxisByDefault) {
  absl::StatusOr<LoweredModel> model = LowerText(
      "model m(x: f32[4, 4, 3], y: f32[4, 4, 5]) {\n  return concat(x, y)\n}\n", {.batch = 2});
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->graph.type(model->graph.outputs[0]).shape, (Shape{2, 4, 4, 8}));
  EXPECT_EQ(std::get<int64_t>(model->graph.node(model->graph.outputs[0]).attrs.at("axis")), 3);
}

// The layers ONNX import writes (frontend/onnx): transpose keeps the batch
// axis first, reshape's shape is a sample's (one -1 inferred), and
// subtract/multiply/divide combine two values of one shape.
TEST(LowerStages, TransposeReshapeAndElementwiseLayers) {
  absl::StatusOr<LoweredModel> model = LowerText(
      "model m(x: f32[2, 3, 4]) {\n"
      "  t = transpose(x, perm=[0, 3, 1, 2])\n"
      "  r = reshape(t, shape=[4, -1])\n"
      "  d = divide(multiply(r, r), subtract(r, r))\n"
      "  return log_softmax(d)\n"
      "}\n",
      {.batch = 5});
  ASSERT_TRUE(model.ok()) << model.status();
  const Graph& g = model->graph;
  EXPECT_EQ(std::get<IntList>(g.node(ValueNamed(g, "transpose")).attrs.at("perm")),
            (IntList{0, 3, 1, 2}));
  EXPECT_EQ(g.type(ValueNamed(g, "transpose")).shape, (Shape{5, 4, 2, 3}));
  EXPECT_EQ(g.type(ValueNamed(g, "reshape")).shape, (Shape{5, 4, 6}));
  EXPECT_EQ(g.node(ValueNamed(g, "multiply")).op, OpKind::kMul);
  EXPECT_EQ(g.node(ValueNamed(g, "subtract")).op, OpKind::kSub);
  EXPECT_EQ(g.node(ValueNamed(g, "divide")).op, OpKind::kDiv);
  EXPECT_EQ(g.node(g.outputs[0]).op, OpKind::kLogSoftmax);
}

TEST(LowerStages, TransposeReshapeAndElementwiseMistakes) {
  using ::testing::HasSubstr;
  auto message = [](std::string_view body) {
    absl::StatusOr<LoweredModel> model =
        LowerText(StrCat("model m(x: f32[2, 3], y: f32[3, 2]) {\n  return ", body, "\n}\n"));
    EXPECT_FALSE(model.ok()) << body;
    return std::string(model.status().message());
  };
  EXPECT_THAT(message("transpose(x, perm=[1, 0, 2])"),
              HasSubstr("test.dl:2:28: error: perm [1, 0, 2] moves the batch axis"));
  EXPECT_THAT(message("transpose(x, perm=[0, 1])"),
              HasSubstr("perm [0, 1] is not an order of the 3 axes of f32[1,2,3]"));
  EXPECT_THAT(message("transpose(x, perm=3)"), HasSubstr("perm must be a list of integers"));
  EXPECT_THAT(message("reshape(x, shape=[4, -1])"),
              HasSubstr("cannot reshape the samples of f32[1,2,3] (input x) (6 values each) to "
                        "[4, -1]"));
  EXPECT_THAT(message("reshape(x, shape=[0, 6])"), HasSubstr("must hold positive sizes"));
  EXPECT_THAT(message("subtract(x, y)"), HasSubstr("subtract needs values of one shape"));
  EXPECT_THAT(message("multiply(x, x, x)"), HasSubstr("multiply takes two values, got 3"));
}

TEST(LowerLogits, LogSoftmaxAtTheEndSetsTheLogits) {
  absl::StatusOr<LoweredModel> model =
      LowerText("model m(x: f32[4]) {\n  return log_softmax(dense(x, 3))\n}\n");
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_TRUE(model->logits.has_value());
  EXPECT_EQ(*model->logits, ValueNamed(model->graph, "dense.bias_add"));
}

// ---- the output of a classifier -----------------------------------------------------

TEST(LowerLogits, SoftmaxOutputSetsTheLogitsItIsComputedFrom) {
  absl::StatusOr<LoweredModel> model = LowerExample("mnist_mlp", {.batch = 8});
  ASSERT_TRUE(model.ok()) << model.status();
  const Graph& g = model->graph;
  EXPECT_EQ(g.node(g.outputs[0]).op, OpKind::kSoftmax);
  ASSERT_TRUE(model->logits.has_value());
  EXPECT_EQ(*model->logits, ValueNamed(g, "dense_1.bias_add"));
  EXPECT_EQ(g.type(*model->logits).shape, (Shape{8, 10}));
}

TEST(LowerLogits, SoftmaxLayerAtTheEndSetsTheLogitsToo) {
  absl::StatusOr<LoweredModel> model =
      LowerText("model m(x: f32[4]) {\n  return softmax(dense(x, 3))\n}\n");
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_TRUE(model->logits.has_value());
  EXPECT_EQ(*model->logits, ValueNamed(model->graph, "dense.bias_add"));
}

TEST(LowerLogits, OtherOutputsHaveNoLogits) {
  absl::StatusOr<LoweredModel> model =
      LowerText("model m(x: f32[4]) {\n  return dense(x, 3, activation=sigmoid)\n}\n");
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_FALSE(model->logits.has_value());
}

// ---- dropout ---------------------------------------------------------------------------

constexpr std::string_view kDropoutModel =
    "model m(x: f32[6]) {\n"
    "  return dropout(x, rate=0.5)\n"
    "}\n";

TEST(LowerDropout, InferenceMakesDropoutTheIdentity) {
  absl::StatusOr<LoweredModel> model = LowerText(kDropoutModel, {.batch = 2});
  ASSERT_TRUE(model.ok()) << model.status();
  const Graph& g = model->graph;
  EXPECT_EQ(g.outputs[0], ValueNamed(g, "x"));
  EXPECT_EQ(g.size(), 1);
  EXPECT_EQ(model->stages.back().output, ValueNamed(g, "x"));
  EXPECT_FALSE(g.Find("rng_key").has_value());
}

TEST(LowerDropout, TrainingAddsTheMaskOpsAndAnRngKeyInput) {
  absl::StatusOr<LoweredModel> model = LowerText(kDropoutModel, {.batch = 2, .training = true});
  ASSERT_TRUE(model.ok()) << model.status();
  const Graph& g = model->graph;
  const ValueId key = ValueNamed(g, "rng_key");
  EXPECT_EQ(g.node(key).op, OpKind::kInput);
  EXPECT_EQ(g.type(key), (TensorType{DType::kI32, {2}}));
  EXPECT_EQ(CountOps(g, OpKind::kRandomUniform), 1);
  EXPECT_EQ(CountOps(g, OpKind::kCompare), 1);
  EXPECT_EQ(CountOps(g, OpKind::kSelect), 1);
  EXPECT_EQ(g.node(g.outputs[0]).op, OpKind::kSelect);
  EXPECT_EQ(g.type(g.outputs[0]), (TensorType{DType::kF32, {2, 6}}));
}

TEST(LowerDropout, RateZeroIsTheIdentityEvenInTraining) {
  absl::StatusOr<LoweredModel> model = LowerText(
      "model m(x: f32[6]) {\n  return dropout(x, 0)\n}\n", {.batch = 2, .training = true});
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->graph.outputs[0], ValueNamed(model->graph, "x"));
  EXPECT_FALSE(model->graph.Find("rng_key").has_value());
}

TEST(LowerDropout, TwoDropoutsShareTheKeyButDrawDifferentStreams) {
  absl::StatusOr<LoweredModel> model =
      LowerText("model m(x: f32[6]) {\n  return dropout(dropout(x, 0.5), 0.5)\n}\n",
                {.batch = 2, .training = true});
  ASSERT_TRUE(model.ok()) << model.status();
  const Graph& g = model->graph;
  EXPECT_EQ(CountOps(g, OpKind::kInput), 2);  // x and one rng_key
  std::vector<int64_t> streams;
  for (ValueId id : g.NodesOf(OpKind::kRandomUniform)) {
    streams.push_back(std::get<int64_t>(g.node(id).attrs.at("stream")));
  }
  ASSERT_EQ(streams.size(), 2u);
  EXPECT_NE(streams[0], streams[1]);
}

TEST(LowerDropout, TrainingKeepsValuesScaledOrDropsThem) {
  absl::StatusOr<LoweredModel> model = LowerText(kDropoutModel, {.batch = 2, .training = true});
  ASSERT_TRUE(model.ok()) << model.status();
  std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  absl::StatusOr<std::vector<Tensor>> out = Interpret(
      model->graph, {{"x", Tensor::FromVector(DType::kF32, {2, 6}, x)},
                     {"rng_key", Tensor::FromVector(DType::kI32, {2}, std::vector<int>{7, 0})}});
  ASSERT_TRUE(out.ok()) << out.status();
  std::span<const float> y = (*out)[0].values<float>();
  int kept = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_TRUE(y[i] == 0 || y[i] == 2 * x[i]) << "element " << i << ": " << y[i];
    kept += y[i] != 0;
  }
  EXPECT_GT(kept, 0);
  EXPECT_LT(kept, 12);
}

// ---- numbers --------------------------------------------------------------------------

TEST(LowerNumerics, DenseWithReluComputesWhatAHandCalculationGives) {
  absl::StatusOr<LoweredModel> model =
      LowerText("model m(x: f32[3]) {\n  return dense(x, 2, activation=relu)\n}\n", {.batch = 2});
  ASSERT_TRUE(model.ok()) << model.status();
  // y = relu(x W + b) with
  //   x = [[1, 2, 3], [-1, 0, 1]],  W = [[1, -1], [0, 2], [0.5, 0]],  b = [0.25, -1]:
  //   row 0: [1 + 0 + 1.5 + 0.25, -1 + 4 + 0 - 1] = [2.75, 2]
  //   row 1: [-1 + 0 + 0.5 + 0.25, 1 + 0 + 0 - 1] = [-0.25, 0] -> relu -> [0, 0]
  absl::StatusOr<std::vector<Tensor>> out = Interpret(
      model->graph,
      {{"x", Tensor::FromVector(DType::kF32, {2, 3}, std::vector<float>{1, 2, 3, -1, 0, 1})},
       {"dense.kernel",
        Tensor::FromVector(DType::kF32, {3, 2}, std::vector<float>{1, -1, 0, 2, 0.5, 0})},
       {"dense.bias", Tensor::FromVector(DType::kF32, {2}, std::vector<float>{0.25, -1})}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].values<float>(), ElementsAre(2.75f, 2.0f, 0.0f, 0.0f));
}

TEST(LowerNumerics, SoftmaxOutputSumsToOneAndFollowsTheLogits) {
  absl::StatusOr<LoweredModel> model = LowerText(
      "model m(x: f32[2]) {\n  return dense(x, 3, activation=softmax, use_bias=false)\n}\n");
  ASSERT_TRUE(model.ok()) << model.status();
  // Logits x W = [1, 2] [[1, 0, 0], [0, 1, 0]] = [1, 2, 0].
  absl::StatusOr<std::vector<Tensor>> out = Interpret(
      model->graph, {{"x", Tensor::FromVector(DType::kF32, {1, 2}, std::vector<float>{1, 2})},
                     {"dense.kernel", Tensor::FromVector(DType::kF32, {2, 3},
                                                         std::vector<float>{1, 0, 0, 0, 1, 0})}});
  ASSERT_TRUE(out.ok()) << out.status();
  const double sum = std::exp(1.0) + std::exp(2.0) + std::exp(0.0);
  std::span<const float> p = (*out)[0].values<float>();
  EXPECT_NEAR(p[0], std::exp(1.0) / sum, 1e-6);
  EXPECT_NEAR(p[1], std::exp(2.0) / sum, 1e-6);
  EXPECT_NEAR(p[2], 1.0 / sum, 1e-6);
}

// The seed CNN's pipeline in miniature (rescale, conv2d with relu, max
// pooling, flatten, dense), against the same arithmetic written as loops.
TEST(LowerNumerics, SmallCnnMatchesAPlainLoopComputation) {
  absl::StatusOr<LoweredModel> model = LowerText(
      "model m(x: u8[5, 5, 1]) {\n"
      "  h = rescale(x, 1/10)\n"
      "  h = conv2d(h, filters=2, kernel=2, activation=relu)\n"
      "  h = maxpool2d(h, 2)\n"
      "  return dense(flatten(h), 3)\n"
      "}\n");
  ASSERT_TRUE(model.ok()) << model.status();

  std::vector<uint8_t> x(25);
  for (int i = 0; i < 25; ++i) x[i] = static_cast<uint8_t>((i * 7) % 23);
  // Kernel [kh][kw][c=1][f], bias [f], dense kernel [8][3] (flattened 2x2x2), bias [3].
  std::vector<float> k = {0.5f, -1.0f, 0.25f, 0.5f, -0.5f, 1.0f, 1.0f, 0.25f};
  std::vector<float> b = {0.1f, -0.2f};
  std::vector<float> w(24), c = {0.5f, -0.5f, 0.0f};
  for (int i = 0; i < 24; ++i) w[i] = static_cast<float>((i % 5) - 2) / 4.0f;

  // conv: 5x5 -> 4x4x2, relu; pool 2x2 stride 2 -> 2x2x2; flatten in (h, w, f) order.
  auto px = [&](int r, int q) { return x[r * 5 + q] / 10.0f; };
  std::vector<float> pooled(8, -INFINITY);
  for (int r = 0; r < 4; ++r) {
    for (int q = 0; q < 4; ++q) {
      for (int f = 0; f < 2; ++f) {
        float s = b[f];
        for (int i = 0; i < 2; ++i) {
          for (int j = 0; j < 2; ++j) s += px(r + i, q + j) * k[(i * 2 + j) * 2 + f];
        }
        float& cell = pooled[((r / 2) * 2 + q / 2) * 2 + f];
        cell = std::max(cell, std::max(s, 0.0f));
      }
    }
  }
  std::vector<float> expected(3);
  for (int o = 0; o < 3; ++o) {
    expected[o] = c[o];
    for (int i = 0; i < 8; ++i) expected[o] += pooled[i] * w[i * 3 + o];
  }

  absl::StatusOr<std::vector<Tensor>> out =
      Interpret(model->graph, {{"x", Tensor::FromVector(DType::kU8, {1, 5, 5, 1}, x)},
                               {"conv2d.kernel", Tensor::FromVector(DType::kF32, {2, 2, 1, 2}, k)},
                               {"conv2d.bias", Tensor::FromVector(DType::kF32, {2}, b)},
                               {"dense.kernel", Tensor::FromVector(DType::kF32, {8, 3}, w)},
                               {"dense.bias", Tensor::FromVector(DType::kF32, {3}, c)}});
  ASSERT_TRUE(out.ok()) << out.status();
  std::span<const float> y = (*out)[0].values<float>();
  ASSERT_EQ(y.size(), 3u);
  for (int o = 0; o < 3; ++o) EXPECT_NEAR(y[o], expected[o], 1e-5) << "output " << o;
}

TEST(LowerNumerics, RescaleWithOffset) {
  absl::StatusOr<LoweredModel> model =
      LowerText("model m(x: u8[3]) {\n  return rescale(x, 1/127.5, offset=-1)\n}\n");
  ASSERT_TRUE(model.ok()) << model.status();
  absl::StatusOr<std::vector<Tensor>> out = Interpret(
      model->graph, {{"x", Tensor::FromVector(DType::kU8, {1, 3}, std::vector<int>{0, 255, 51})}});
  ASSERT_TRUE(out.ok()) << out.status();
  std::span<const float> y = (*out)[0].values<float>();
  EXPECT_NEAR(y[0], -1.0, 1e-6);
  EXPECT_NEAR(y[1], 1.0, 1e-6);
  EXPECT_NEAR(y[2], -0.6, 1e-6);
  EXPECT_EQ(model->stages.back().description, "scale values by 1/127.5, then add -1");
}

}  // namespace
}  // namespace dlc::dl
