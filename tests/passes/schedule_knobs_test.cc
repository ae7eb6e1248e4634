// --schedule's syntax: every knob by key, sizes with suffixes, and a clear
// error for anything else; and the line that shows the host model.
#include "passes/schedule_knobs.h"

#include "gmock/gmock.h"

namespace dlc {
namespace {

using ::testing::HasSubstr;

absl::Status Apply(std::string_view spec, ScheduleOptions& options) {
  return ApplyScheduleOverrides(spec, options);
}

std::string ErrorOf(std::string_view spec) {
  ScheduleOptions options;
  const absl::Status status = ApplyScheduleOverrides(spec, options);
  EXPECT_FALSE(status.ok()) << spec;
  return std::string(status.message());
}

TEST(ScheduleKnobs, EveryKeySetsItsKnob) {
  ScheduleOptions s;
  ASSERT_TRUE(Apply("vector_bytes=32,vector_registers=16,l1_bytes=32K,l2_bytes=524288,l3_bytes=8M,"
                    "accumulate_in_registers=false,register_block=4,max_accumulators=12,"
                    "min_parallel_work=0,register_tiles=0,pixel_tile=6",
                    s)
                  .ok());
  EXPECT_EQ(s.vector_bytes, 32);
  EXPECT_EQ(s.vector_registers, 16);
  EXPECT_EQ(s.l1_bytes, 32 << 10);
  EXPECT_EQ(s.l2_bytes, 512 << 10);
  EXPECT_EQ(s.l3_bytes, 8 << 20);
  EXPECT_FALSE(s.accumulate_in_registers);
  EXPECT_EQ(s.register_block, 4);
  EXPECT_EQ(s.max_accumulators, 12);
  EXPECT_EQ(s.min_parallel_work, 0);
  EXPECT_FALSE(s.register_tiles);
  EXPECT_EQ(s.pixel_tile, 6);
  EXPECT_EQ(ScheduleKeys().size(), ScheduleValues(s).size());
}

TEST(ScheduleKnobs, EmptySpecChangesNothingAndDashesReadAsUnderscores) {
  ScheduleOptions s;
  ASSERT_TRUE(Apply("", s).ok());
  EXPECT_EQ(ScheduleValues(s), ScheduleValues(ScheduleOptions{}));
  ASSERT_TRUE(Apply("register-block=2,l2-bytes=1G", s).ok());
  EXPECT_EQ(s.register_block, 2);
  EXPECT_EQ(s.l2_bytes, int64_t{1} << 30);
}

TEST(ScheduleKnobs, UnknownKeyListsTheKeys) {
  const std::string message = ErrorOf("register_blok=4");
  EXPECT_THAT(message, HasSubstr("unknown key 'register_blok'; did you mean register_block?"));
  EXPECT_THAT(message,
              HasSubstr("(the keys: vector_bytes, vector_registers, l1_bytes, l2_bytes, l3_bytes"));
  EXPECT_THAT(ErrorOf("pixel_tile"), HasSubstr("'pixel_tile' is not key=value (the keys: "));
}

TEST(ScheduleKnobs, BadValuesNameTheRange) {
  EXPECT_EQ(ErrorOf("vector_bytes=24"),
            "vector_bytes=24: vector_bytes must be 0 (no vectors) or a power of two from 8 to 128");
  EXPECT_THAT(ErrorOf("l2_bytes=12Q"), HasSubstr("l2_bytes must be bytes from 1 KiB to 1 TiB"));
  EXPECT_THAT(ErrorOf("l2_bytes=-5"), HasSubstr("l2_bytes must be bytes"));
  EXPECT_THAT(ErrorOf("l1_bytes=2T"), HasSubstr("l1_bytes must be bytes"));
  EXPECT_EQ(ErrorOf("register_block=x"),
            "register_block=x: register_block must be 0 or 1 (no blocking) to 64");
  EXPECT_EQ(ErrorOf("register_block=65"),
            "register_block=65: register_block must be 0 or 1 (no blocking) to 64");
  EXPECT_EQ(ErrorOf("vector_registers=3"),
            "vector_registers=3: vector_registers must be from 4 to 256");
  EXPECT_EQ(ErrorOf("register_tiles=yes"),
            "register_tiles=yes: register_tiles must be true or false (1 or 0)");
  EXPECT_EQ(ErrorOf("max_accumulators=8,max_accumulators=9"), "'max_accumulators' is given twice");
  EXPECT_THAT(ErrorOf("pixel_tile=4 "), HasSubstr("pixel_tile must be"));
}

TEST(ScheduleKnobs, HostModelLineShowsTheValuesUsedAndTheOverrides) {
  ScheduleOptions model;
  model.vector_bytes = 64;
  model.vector_registers = 32;
  model.l1_bytes = 48 << 10;
  model.l2_bytes = 2 << 20;
  model.l3_bytes = 260 << 20;
  EXPECT_EQ(DescribeHostModel("sapphirerapids", model, model),
            "sapphirerapids, 16 f32 lanes, 32 vector registers, L1d 48 KiB, L2 2 MiB, L3 260 MiB; "
            "no overrides");
  ScheduleOptions used = model;
  ASSERT_TRUE(Apply("l2_bytes=1536K,register_block=4,register_tiles=false", used).ok());
  EXPECT_EQ(
      DescribeHostModel("sapphirerapids", model, used),
      "sapphirerapids, 16 f32 lanes, 32 vector registers, L1d 48 KiB, L2 1536 KiB, L3 260 MiB; "
      "overrides: l2_bytes=1536K (model: 2M), register_block=4 (model: 8), register_tiles=false "
      "(model: true)");
}

}  // namespace
}  // namespace dlc
