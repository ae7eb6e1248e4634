// Transformations named in text (what `dlc opt --passes` takes): parsing,
// finding the loop by its variable, and errors that start with the spec.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "passes/transforms/by_name.h"
#include "tests/passes/loop_transform_programs.h"

namespace dlc::transform_test {
namespace {

using ::testing::HasSubstr;
using transforms::ApplyTransformSpec;
using transforms::CheckTransformSpec;
using transforms::IsTransformSpec;

TEST(TransformByName, TellsTransformationsFromPasses) {
  for (const char* spec : {"split:i1:2", "interchange:i0:i1", "tile:i0=2", "pack:i0:%a",
                           "unroll-and-jam:i0:2", "split:"}) {
    EXPECT_TRUE(IsTransformSpec(spec)) << spec;
  }
  for (const char* name : {"split", "vectorize", "splits:i1:2", "tile", ""}) {
    EXPECT_FALSE(IsTransformSpec(name)) << name;
  }
}

TEST(TransformByName, MalformedSpecsSayWhatWasExpected) {
  EXPECT_TRUE(CheckTransformSpec("tile:i0=2:i1=16").ok());
  EXPECT_THAT(CheckTransformSpec("split:i1").message(),
              HasSubstr("'split:i1': expected split:LOOP:FACTOR"));
  EXPECT_THAT(CheckTransformSpec("split:1:2").message(), HasSubstr("expected split:LOOP:FACTOR"));
  EXPECT_THAT(CheckTransformSpec("split:i1:2x").message(), HasSubstr("expected split:LOOP:FACTOR"));
  EXPECT_THAT(CheckTransformSpec("interchange:i1:2").message(),
              HasSubstr("expected interchange:OUTER:INNER"));
  EXPECT_THAT(CheckTransformSpec("tile:").message(),
              HasSubstr("expected tile:LOOP=SIZE:LOOP=SIZE..."));
  EXPECT_THAT(CheckTransformSpec("tile:i1=2:i2").message(), HasSubstr("expected tile:"));
  EXPECT_THAT(CheckTransformSpec("pack:i1:a").message(), HasSubstr("expected pack:LOOP:%BUFFER"));
  EXPECT_THAT(CheckTransformSpec("unroll-and-jam:i-1:2").message(),
              HasSubstr("expected unroll-and-jam:LOOP:FACTOR"));
  EXPECT_THAT(CheckTransformSpec("fuse:i1:i2").message(), HasSubstr("names no transformation"));
}

TEST(TransformByName, AppliesToTheLoopOfThatVariable) {
  TestNest t = Scale(10, 6);
  const LoopProgram before = t.program;
  ASSERT_TRUE(ApplyTransformSpec(t.program, "pack:i0:%s").ok());
  // Packing made i2 (the copy's loop); the split i3 (the remainder), i4
  // (over blocks) and i5 (in one).
  ASSERT_TRUE(ApplyTransformSpec(t.program, "split:i1:4").ok());
  ASSERT_TRUE(ApplyTransformSpec(t.program, "interchange:i4:i5").ok()) << LastKernel(t.program);
  ASSERT_TRUE(ApplyTransformSpec(t.program, "unroll-and-jam:i0:3").ok());
  ExpectSameBits(before, t.program);
}

TEST(TransformByName, ErrorsStartWithTheSpec) {
  TestNest t = Scale(10, 6);
  EXPECT_EQ(ApplyTransformSpec(t.program, "split:i7:2").message(),
            "split:i7:2: no loop i7 in the program");
  EXPECT_EQ(ApplyTransformSpec(t.program, "pack:i0:%q").message(),
            "pack:i0:%q: no buffer %q in the program");
  EXPECT_EQ(ApplyTransformSpec(t.program, "split:i0:11").message(),
            "split:i0:11: factor 11 for loop i0, which has 10 iterations");
  EXPECT_EQ(ApplyTransformSpec(t.program, "split:i0").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ApplyTransformSpec(t.program, "tile:i0=2:i1=7").message(),
              HasSubstr("tile:i0=2:i1=7: factor 7 for loop i1, which has 6 iterations"));
}

}  // namespace
}  // namespace dlc::transform_test
