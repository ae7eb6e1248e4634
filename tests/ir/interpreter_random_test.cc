// random_uniform: counter-based numbers, checked against values computed
// independently (a Python transcription of the hash in ir/random_hash.h).
#include <cmath>

#include "gtest/gtest.h"
#include "ir/builder.h"
#include "ir/interpreter.h"

namespace dlc {
namespace {

absl::StatusOr<std::vector<Tensor>> Uniform(int32_t seed, int32_t step, int64_t stream, Shape shape,
                                            DType dtype = DType::kF32) {
  GraphBuilder b("g");
  auto key = b.Input("key", {DType::kI32, {2}});
  if (!key.ok()) return key.status();
  auto u = b.Add(OpKind::kRandomUniform, {*key},
                 {{"shape", IntList(shape)}, {"stream", stream}, {"dtype", dtype}});
  if (!u.ok()) return u.status();
  auto graph = std::move(b).Build({*u});
  if (!graph.ok()) return graph.status();
  return Interpret(*graph, {{"key", Tensor::FromVector<int32_t>(DType::kI32, {2}, {seed, step})}});
}

TEST(InterpreterRandom, MatchesIndependentlyComputedValues) {
  auto out = Uniform(42, 7, 3, {3});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].GetDouble(0), 0.6900029182434082);
  EXPECT_EQ((*out)[0].GetDouble(1), 0.5667789578437805);
  EXPECT_EQ((*out)[0].GetDouble(2), 0.20909565687179565);
  auto negative_seed = Uniform(-1, 0, 0, {6}, DType::kF64);
  ASSERT_TRUE(negative_seed.ok());
  EXPECT_EQ((*negative_seed)[0].GetDouble(5), 0.14857500791549683);
}

TEST(InterpreterRandom, SameKeySameNumbersOtherStepOrStreamOtherNumbers) {
  auto a = Uniform(1, 5, 0, {64});
  auto b = Uniform(1, 5, 0, {64});
  auto c = Uniform(1, 6, 0, {64});
  auto d = Uniform(1, 5, 1, {64});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && d.ok());
  int same_c = 0, same_d = 0;
  for (int64_t i = 0; i < 64; ++i) {
    EXPECT_EQ((*a)[0].GetDouble(i), (*b)[0].GetDouble(i));
    same_c += (*a)[0].GetDouble(i) == (*c)[0].GetDouble(i);
    same_d += (*a)[0].GetDouble(i) == (*d)[0].GetDouble(i);
  }
  EXPECT_LT(same_c, 2);
  EXPECT_LT(same_d, 2);
}

TEST(InterpreterRandom, UniformOnZeroToOne) {
  auto out = Uniform(3, 0, 0, {100000});
  ASSERT_TRUE(out.ok());
  double sum = 0, lo = 1, hi = 0;
  for (int64_t i = 0; i < 100000; ++i) {
    double v = (*out)[0].GetDouble(i);
    sum += v;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  EXPECT_GE(lo, 0.0);
  EXPECT_LT(hi, 1.0);
  EXPECT_NEAR(sum / 100000, 0.5, 0.005);  // stddev of the mean: 0.29 / sqrt(1e5) = 0.0009
}

TEST(InterpreterRandom, KeyMustBeTwoI32) {
  GraphBuilder b("g");
  auto key = b.Input("key", {DType::kI32, {3}});
  ASSERT_TRUE(key.ok());
  auto u = b.Add(OpKind::kRandomUniform, {*key}, {{"shape", IntList{2}}});
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().message(),
            "%0 = random_uniform: key must be i32[2] (seed, step), got i32[3]");
}

}  // namespace
}  // namespace dlc
