#include "runtime/initializers.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/builder.h"

namespace dlc {
namespace {

struct Moments {
  double mean = 0, stddev = 0, min = INFINITY, max = -INFINITY;
};

Moments MomentsOf(const Tensor& t) {
  Moments m;
  const double n = static_cast<double>(t.num_elements());
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    const double v = t.GetDouble(i);
    m.mean += v / n;
    m.min = std::min(m.min, v);
    m.max = std::max(m.max, v);
  }
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    m.stddev += (t.GetDouble(i) - m.mean) * (t.GetDouble(i) - m.mean) / n;
  }
  m.stddev = std::sqrt(m.stddev);
  return m;
}

TEST(ComputeFans, DenseAndConvKernelsFollowKeras) {
  Fans dense = ComputeFans({784, 128});
  EXPECT_EQ(dense.in, 784);
  EXPECT_EQ(dense.out, 128);
  Fans conv = ComputeFans({3, 3, 1, 32});  // HWIO: receptive field 9
  EXPECT_EQ(conv.in, 9);
  EXPECT_EQ(conv.out, 288);
  Fans bias = ComputeFans({10});
  EXPECT_EQ(bias.in, 10);
  EXPECT_EQ(bias.out, 10);
}

TEST(Initialize, GlorotUniformStaysInItsLimitWithUniformSpread) {
  // limit = sqrt(6 / (784 + 128)) = 0.081110...; a uniform on [-l, l] has
  // standard deviation l / sqrt(3) = 0.046829...
  Tensor w(DType::kF32, {784, 128});
  Rng rng(0);
  ASSERT_TRUE(Initialize("glorot_uniform", w, rng).ok());
  Moments m = MomentsOf(w);
  EXPECT_GE(m.min, -0.0811107);
  EXPECT_LE(m.max, 0.0811107);
  EXPECT_NEAR(m.min, -0.0811107, 1e-3);  // 100k draws reach the ends
  EXPECT_NEAR(m.mean, 0.0, 1e-3);
  EXPECT_NEAR(m.stddev, 0.0468293, 5e-4);
}

TEST(Initialize, HeUniformStaysInItsLimitWithUniformSpread) {
  // 3x3 filters over 16 channels: fan_in 144, limit
  // sqrt(6 / 144) = 0.204124..., standard deviation l / sqrt(3) = 0.117851...
  Tensor w(DType::kF32, {3, 3, 16, 64});
  Rng rng(3);
  ASSERT_TRUE(Initialize("he_uniform", w, rng).ok());
  Moments m = MomentsOf(w);
  EXPECT_GE(m.min, -0.2041242);
  EXPECT_LE(m.max, 0.2041242);
  EXPECT_NEAR(m.max, 0.2041242, 1e-3);  // 9,216 draws come near the ends
  EXPECT_NEAR(m.mean, 0.0, 3e-3);
  EXPECT_NEAR(m.stddev, 0.1178511, 2e-3);
}

TEST(Initialize, HeNormalHasTheKerasStandardDeviation) {
  // Keras truncates at 2 sigma and rescales so the result has stddev
  // sqrt(2 / fan_in) = sqrt(2 / 288) = 0.083333... for a 3x3x32 -> 64 kernel.
  Tensor w(DType::kF64, {3, 3, 32, 64});
  Rng rng(7);
  ASSERT_TRUE(Initialize("he_normal", w, rng).ok());
  Moments m = MomentsOf(w);
  EXPECT_NEAR(m.mean, 0.0, 2e-3);
  EXPECT_NEAR(m.stddev, 0.0833333, 2e-3);
  // Truncation: nothing beyond 2 * 0.083333 / 0.879626 = 0.189479.
  EXPECT_LE(m.max, 0.189480);
  EXPECT_GE(m.min, -0.189480);
}

TEST(Initialize, ZerosAndOnes) {
  Tensor t(DType::kF32, {3});
  Rng rng(0);
  ASSERT_TRUE(Initialize("ones", t, rng).ok());
  EXPECT_THAT(t.values<float>(), ::testing::ElementsAre(1, 1, 1));
  ASSERT_TRUE(Initialize("zeros", t, rng).ok());
  EXPECT_THAT(t.values<float>(), ::testing::ElementsAre(0, 0, 0));
}

TEST(Initialize, RejectsUnknownInitializerAndIntegerTensors) {
  Tensor t(DType::kF32, {3});
  Tensor i(DType::kI32, {3});
  Rng rng(0);
  EXPECT_EQ(Initialize("lecun", t, rng).message(),
            "unknown initializer \"lecun\" (known: zeros, ones, glorot_uniform, glorot_normal, "
            "he_normal, he_uniform)");
  EXPECT_FALSE(Initialize("zeros", i, rng).ok());
}

absl::StatusOr<Graph> TwoParameterGraph(bool extra_parameter_first) {
  GraphBuilder b("g");
  if (extra_parameter_first) {
    if (auto s = b.Parameter("extra", {DType::kF32, {4}}, "glorot_uniform"); !s.ok())
      return s.status();
  }
  auto w = b.Parameter("w", {DType::kF32, {4, 3}}, "glorot_uniform");
  auto bias = b.Parameter("b", {DType::kF32, {3}});
  if (!w.ok() || !bias.ok()) return absl::InternalError("building failed");
  return std::move(b).Build({*w, *bias});
}

TEST(InitializeParameters, SameSeedSameValuesAndEachParameterHasItsOwnStream) {
  auto g1 = TwoParameterGraph(false);
  auto g2 = TwoParameterGraph(true);
  ASSERT_TRUE(g1.ok() && g2.ok());
  auto a = InitializeParameters(*g1, 5);
  auto b = InitializeParameters(*g2, 5);
  auto c = InitializeParameters(*g1, 6);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  // Adding a parameter does not change the others' values.
  EXPECT_THAT(a->at("w").values<float>(), ::testing::ElementsAreArray(b->at("w").values<float>()));
  EXPECT_THAT(a->at("b").values<float>(), ::testing::Each(0.0f));
  EXPECT_NE(a->at("w").GetDouble(0), c->at("w").GetDouble(0));
}

TEST(Rng, IsDeterministicAndBelowIsInRange) {
  Rng a(42, 1), b(42, 1), c(42, 2);
  EXPECT_EQ(a.NextU64(), b.NextU64());
  EXPECT_NE(a.NextU64(), c.NextU64());
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 7000; ++i) ++counts[a.Below(7)];
  for (int count : counts) EXPECT_NEAR(count, 1000, 150);
}

}  // namespace
}  // namespace dlc
