// Finding the first value of a graph that is NaN or infinite.
#include "runtime/non_finite.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"
#include "ir/parser.h"

namespace dlc {
namespace {

// log(x) is NaN for x < 0 and -inf for 0; exp(log(x)) carries it on; the
// sum of the other branch stays finite.
constexpr char kGraph[] = R"(graph g {
  %x = input() : f32[3]
  %w = parameter() : f32[3]
  %scaled = mul(%x, %w) : f32[3]
  %logged = log(%scaled) : f32[3]
  %back = exp(%logged) : f32[3]
  %total = reduce_sum(%back) {axes=[0]} : f32[]
  return %total
})";

Graph ParseGraph() {
  auto module = ParseModule(kGraph);
  EXPECT_TRUE(module.ok()) << module.status();
  return module->graphs.at(0);
}

Feeds FeedsOf(std::vector<float> x, std::vector<float> w) {
  Feeds feeds;
  feeds.emplace("x", Tensor::FromVector<float>(DType::kF32, {3}, x));
  feeds.emplace("w", Tensor::FromVector<float>(DType::kF32, {3}, w));
  return feeds;
}

TEST(NonFinite, FiniteGraphHasNoCulprit) {
  const Graph g = ParseGraph();
  auto culprit = FirstNonFiniteValue(g, FeedsOf({1, 2, 3}, {1, 1, 1}));
  ASSERT_TRUE(culprit.ok()) << culprit.status();
  EXPECT_FALSE(culprit->has_value());
}

TEST(NonFinite, NamesTheFirstOpThatProducesANaN) {
  const Graph g = ParseGraph();
  auto culprit = FirstNonFiniteValue(g, FeedsOf({1, -2, 3}, {1, 1, 1}));
  ASSERT_TRUE(culprit.ok()) << culprit.status();
  ASSERT_TRUE(culprit->has_value());
  // Not %back or %total, which only pass the NaN on.
  EXPECT_EQ(g.node(**culprit).name, "logged");
}

TEST(NonFinite, AnInfinityCountsToo) {
  const Graph g = ParseGraph();
  const float big = std::numeric_limits<float>::max();
  auto culprit = FirstNonFiniteValue(g, FeedsOf({big, 1, 1}, {2, 1, 1}));
  ASSERT_TRUE(culprit.ok()) << culprit.status();
  ASSERT_TRUE(culprit->has_value());
  EXPECT_EQ(g.node(**culprit).name, "scaled");  // max * 2 overflows to inf
}

TEST(NonFinite, AFedNaNIsTheCulprit) {
  const Graph g = ParseGraph();
  auto culprit = FirstNonFiniteValue(g, FeedsOf({1, 1, 1}, {1, std::nanf(""), 1}));
  ASSERT_TRUE(culprit.ok()) << culprit.status();
  ASSERT_TRUE(culprit->has_value());
  EXPECT_EQ(g.node(**culprit).name, "w");
}

TEST(NonFinite, AllFiniteLooksAtFloatsOnly) {
  EXPECT_TRUE(AllFinite(Tensor::FromVector<int32_t>(DType::kI32, {2}, std::vector<int32_t>{1, 2})));
  EXPECT_FALSE(
      AllFinite(Tensor::FromVector<double>(DType::kF64, {2}, std::vector<double>{1, INFINITY})));
  EXPECT_TRUE(AllFinite(Tensor::FromVector<double>(DType::kF64, {2}, std::vector<double>{1, -2})));
}

}  // namespace
}  // namespace dlc
