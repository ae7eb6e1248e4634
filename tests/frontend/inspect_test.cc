// The data-flow table of `dlc inspect`: its numbers, worked out by hand.
#include "frontend/inspect.h"

#include <string>

#include "frontend/parser.h"
#include "gtest/gtest.h"
#include "support/str_cat.h"

namespace dlc::dl {
namespace {

absl::StatusOr<LoweredModel> LowerExample(std::string_view name, int64_t batch) {
  absl::StatusOr<Program> program =
      ParseProgramFile(StrCat(DLC_SOURCE_DIR, "/examples/", name, ".dl"));
  if (!program.ok()) return program.status();
  return LowerModel(*program, name, {.batch = batch});
}

TEST(Inspect, MnistCnnRowsAtBatch1000) {
  absl::StatusOr<LoweredModel> model = LowerExample("mnist_cnn", 1000);
  ASSERT_TRUE(model.ok()) << model.status();
  const std::vector<StageSummary> rows = SummarizeStages(*model);
  ASSERT_EQ(rows.size(), 6u);

  // rescale: one multiply per pixel (the cast to f32 moves data only).
  EXPECT_EQ(rows[1].flops, 1000 * 28 * 28);
  // conv2d: a multiply-add per kernel tap per output, 2 * (3*3*1) * (26*26*32) per
  // sample, then the bias add and relu, one each per output.
  EXPECT_EQ(rows[2].operation, "Conv2D: 32 filters 3x3, stride 1, valid padding, relu");
  EXPECT_EQ(rows[2].flops, int64_t{1000} * (2 * 9 * 26 * 26 * 32 + 2 * 26 * 26 * 32));
  EXPECT_EQ(rows[2].flops, 432'640'000);
  EXPECT_EQ(rows[2].parameters, 320);
  EXPECT_EQ(rows[2].activation_bytes, int64_t{1000} * 26 * 26 * 32 * 4);
  // maxpool2d: each output looks at its 2x2 window.
  EXPECT_EQ(rows[3].flops, 1000 * 13 * 13 * 32 * 4);
  EXPECT_EQ(rows[4].flops, 0);  // flatten moves nothing
  // dense: 2 * 5408 * 10 per sample for the matmul, 10 for the bias.
  EXPECT_EQ(rows[5].operation, "Dense: fully connected, 10 units");
  EXPECT_EQ(rows[5].flops, int64_t{1000} * (2 * 5408 * 10 + 10));
  EXPECT_EQ(rows[5].parameters, 54'090);
  EXPECT_EQ(rows[5].input_shapes, std::vector<Shape>{(Shape{1000, 5408})});
  EXPECT_EQ(rows[5].output_shape, (Shape{1000, 10}));
}

TEST(Inspect, LeakyReluRowHasItsKerasNameAndOneFlopPerValue) {
  absl::StatusOr<Program> program =
      ParseProgramText("model m(x: f32[5]) {\n  return leaky_relu(x, alpha=0.2)\n}\n", "m.dl");
  ASSERT_TRUE(program.ok()) << program.status();
  absl::StatusOr<LoweredModel> model = LowerModel(*program, "m", {.batch = 4});
  ASSERT_TRUE(model.ok()) << model.status();
  const std::vector<StageSummary> rows = SummarizeStages(*model);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].operation, "LeakyReLU: x if x > 0, else 0.2 x, per value");
  EXPECT_EQ(rows[1].flops, 4 * 5);
}

TEST(Inspect, TableTitleAndTotals) {
  absl::StatusOr<LoweredModel> model = LowerExample("mnist_mlp", 32);
  ASSERT_TRUE(model.ok()) << model.status();
  const std::string table = DataFlowTable(*model, "mnist_mlp");
  EXPECT_EQ(table.substr(0, table.find('\n')), "Model mnist_mlp - data flow, 5 stages, batch 32");
  EXPECT_NE(table.find("Parameters: 101,770 (397.5 KiB as f32)."), std::string::npos) << table;
}

TEST(InspectFormatting, ThousandsSeparators) {
  EXPECT_EQ(WithThousands(0), "0");
  EXPECT_EQ(WithThousands(999), "999");
  EXPECT_EQ(WithThousands(54410), "54,410");
  EXPECT_EQ(WithThousands(1234567), "1,234,567");
  EXPECT_EQ(WithThousands(-1234), "-1,234");
}

TEST(InspectFormatting, BytesInBinaryUnits) {
  EXPECT_EQ(HumanBytes(0), "0 B");
  EXPECT_EQ(HumanBytes(1023), "1023 B");
  EXPECT_EQ(HumanBytes(1536), "1.5 KiB");
  EXPECT_EQ(HumanBytes(86'528'000), "82.5 MiB");
}

TEST(InspectFormatting, CountsInDecimalUnits) {
  EXPECT_EQ(HumanCount(999), "999");
  EXPECT_EQ(HumanCount(25'088), "25.1K");
  EXPECT_EQ(HumanCount(389'376'000), "389.4M");
  EXPECT_EQ(HumanCount(2'000'000'000), "2.0G");
}

}  // namespace
}  // namespace dlc::dl
