// Prediction traces on a tiny hand-built model: x -> relu, whose output is
// taken as logits.
#include "tools/prediction_trace.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dlc::tools {
namespace {

dl::LoweredModel ReluModel() {
  dl::LoweredModel model;
  Node x;
  x.op = OpKind::kInput;
  x.type = TensorType{DType::kF32, {1, 4}};
  x.name = "x";
  Node relu;
  relu.op = OpKind::kRelu;
  relu.operands = {0};
  relu.type = x.type;
  relu.name = "relu";
  model.graph.name = "tiny";
  model.graph.nodes = {x, relu};
  model.graph.outputs = {1};
  dl::Stage input;
  input.layer = "input";
  input.name = "x";
  input.description = "f32 samples";
  input.output = 0;
  input.values = {0};
  dl::Stage act;
  act.layer = "relu";
  act.name = "relu";
  act.description = "max(x, 0)";
  act.inputs = {0};
  act.output = 1;
  act.values = {1};
  model.stages = {input, act};
  return model;
}

TEST(PredictionTrace, StatisticsProbabilitiesAndVerdict) {
  const dl::LoweredModel model = ReluModel();
  const Tensor images = Tensor::FromVector<float>(DType::kF32, {2, 4}, {9, 9, 9, 9, -2, 0, 1, 3});
  auto input = SampleInput(model, images, 1, "images");
  ASSERT_TRUE(input.ok()) << input.status();
  auto trace = TracePrediction(model, {}, *input, 3);
  ASSERT_TRUE(trace.ok()) << trace.status();

  ASSERT_EQ(trace->layers.size(), 2u);
  const LayerTrace& in = trace->layers[0];
  EXPECT_EQ(in.title, "Input: f32 samples");
  EXPECT_EQ(in.shape, (Shape{1, 4}));
  EXPECT_DOUBLE_EQ(in.min, -2);
  EXPECT_DOUBLE_EQ(in.mean, 0.5);
  EXPECT_DOUBLE_EQ(in.max, 3);
  EXPECT_FALSE(in.zero_fraction.has_value());

  const LayerTrace& act = trace->layers[1];
  EXPECT_EQ(act.title, "ReLU: max(x, 0)");
  EXPECT_DOUBLE_EQ(act.min, 0);
  EXPECT_DOUBLE_EQ(act.mean, 1);
  ASSERT_TRUE(act.zero_fraction.has_value());
  EXPECT_DOUBLE_EQ(*act.zero_fraction, 0.5);
  EXPECT_TRUE(act.top_channels.empty());

  // Softmax of the logits (0, 0, 1, 3).
  const double z = 2 + std::exp(1.0) + std::exp(3.0);
  ASSERT_EQ(trace->probabilities.size(), 4u);
  EXPECT_NEAR(trace->probabilities[0], 1 / z, 1e-12);
  EXPECT_NEAR(trace->probabilities[3], std::exp(3.0) / z, 1e-12);
  EXPECT_EQ(trace->predicted, 3);

  const std::string text = RenderTrace(*trace);
  EXPECT_THAT(text, testing::HasSubstr("ReLU: max(x, 0)"));
  EXPECT_THAT(text, testing::HasSubstr("zeros 50.0%"));
  EXPECT_THAT(text, testing::HasSubstr("predicted 3, label 3: correct"));
  EXPECT_EQ(DrawInput(*input), "");  // not an image
}

TEST(PredictionTrace, SampleInputErrors) {
  const dl::LoweredModel model = ReluModel();
  const Tensor images(DType::kF32, {2, 4});
  EXPECT_EQ(SampleInput(model, images, 2, "images").status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_FALSE(SampleInput(model, Tensor(DType::kF32, {2, 5}), 0, "images").ok());
  EXPECT_FALSE(SampleInput(model, Tensor(DType::kI32, {2, 4}), 0, "images").ok());
  // u8 pixels feed an f32 input (an imported ONNX model's) as their values 0..255.
  absl::StatusOr<Tensor> pixels = SampleInput(
      model, Tensor::FromVector<uint8_t>(DType::kU8, {2, 4}, {0, 1, 2, 3, 4, 5, 6, 255}), 1,
      "images");
  ASSERT_TRUE(pixels.ok()) << pixels.status();
  EXPECT_EQ(pixels->dtype(), DType::kF32);
  EXPECT_EQ(pixels->GetDouble(0), 4);
  EXPECT_EQ(pixels->GetDouble(3), 255);
}

TEST(PredictionTrace, DrawsImagesTwoCharactersPerPixel) {
  const Tensor image = Tensor::FromVector<uint8_t>(DType::kU8, {1, 2, 2, 1}, {0, 255, 255, 0});
  EXPECT_EQ(DrawInput(image), "+----+\n|  @@|\n|@@  |\n+----+\n");
}

}  // namespace
}  // namespace dlc::tools
