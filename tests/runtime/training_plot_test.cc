// The SVG plot of a training run: well-formed, one point per epoch, curves
// that go the way the numbers go, the test result marked when there is one.
#include "runtime/training_plot.h"

#include <cmath>
#include <regex>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dlc {
namespace {

using ::testing::DoubleNear;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pointwise;

TrainingHistory History(std::vector<std::pair<double, double>> loss_accuracy) {
  TrainingHistory h;
  int64_t epoch = 1;
  for (auto [loss, accuracy] : loss_accuracy) {
    EpochStats e;
    e.epoch = epoch++;
    e.loss = loss;
    e.accuracy = accuracy;
    h.epochs.push_back(e);
  }
  return h;
}

// The points="x,y x,y ..." of every polyline of the training curves, in order.
std::vector<std::vector<std::pair<double, double>>> Curves(const std::string& svg) {
  std::vector<std::vector<std::pair<double, double>>> curves;
  const std::regex polyline("<polyline class=\"train\"[^>]* points=\"([^\"]*)\"");
  const std::regex point("([0-9.]+),([0-9.]+)");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), polyline);
       it != std::sregex_iterator(); ++it) {
    const std::string points = (*it)[1];
    std::vector<std::pair<double, double>> curve;
    for (auto p = std::sregex_iterator(points.begin(), points.end(), point);
         p != std::sregex_iterator(); ++p) {
      curve.emplace_back(std::stod((*p)[1]), std::stod((*p)[2]));
    }
    curves.push_back(curve);
  }
  return curves;
}

TEST(NiceTicks, RoundStepsCoveringTheRange) {
  EXPECT_THAT(NiceTicks(0, 1.68, 6), Pointwise(DoubleNear(1e-12), {0.0, 0.5, 1.0, 1.5, 2.0}));
  EXPECT_THAT(NiceTicks(0.5, 1, 6), Pointwise(DoubleNear(1e-12), {0.5, 0.6, 0.7, 0.8, 0.9, 1.0}));
  // An empty range becomes [low, low + 1].
  EXPECT_THAT(NiceTicks(0, 0, 6), Pointwise(DoubleNear(1e-12), {0.0, 0.2, 0.4, 0.6, 0.8, 1.0}));
  const std::vector<double> big = NiceTicks(1, 97, 8);
  EXPECT_EQ(big[1] - big[0], 20);
  EXPECT_LE(big.front(), 1);
  EXPECT_GE(big.back(), 97);
}

TEST(TrainingPlot, IsAStandaloneSvgWithTwoPanels) {
  const std::string svg =
      TrainingPlotSvg(History({{1.7, 0.5}, {0.7, 0.8}, {0.4, 0.9}}), "a <b> & c");
  EXPECT_TRUE(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_TRUE(svg.ends_with("</svg>\n"));
  EXPECT_THAT(svg, HasSubstr(">a &lt;b&gt; &amp; c</text>"));  // the title, escaped
  EXPECT_THAT(svg, HasSubstr(">Loss</text>"));
  EXPECT_THAT(svg, HasSubstr(">Accuracy</text>"));
  EXPECT_THAT(svg, Not(HasSubstr("<script")));
  EXPECT_THAT(svg, Not(HasSubstr("class=\"test\"")));  // no test result given
}

TEST(TrainingPlot, CurvesHaveAPointPerEpochAndFollowTheNumbers) {
  const std::string svg =
      TrainingPlotSvg(History({{1.7, 0.5}, {0.7, 0.8}, {0.9, 0.9}, {0.4, 0.85}}), "t");
  const auto curves = Curves(svg);
  ASSERT_EQ(curves.size(), 2u);  // loss, then accuracy
  for (const auto& curve : curves) {
    ASSERT_EQ(curve.size(), 4u);
    for (size_t i = 1; i < curve.size(); ++i) EXPECT_GT(curve[i].first, curve[i - 1].first);
  }
  // SVG's y grows downwards: a larger value is drawn higher (smaller y).
  const auto& loss = curves[0];
  EXPECT_GT(loss[1].second, loss[0].second);  // 1.7 -> 0.7: down
  EXPECT_LT(loss[2].second, loss[1].second);  // 0.7 -> 0.9: up
  EXPECT_GT(loss[3].second, loss[2].second);  // 0.9 -> 0.4: down
  const auto& accuracy = curves[1];
  EXPECT_LT(accuracy[1].second, accuracy[0].second);
  EXPECT_GT(accuracy[3].second, accuracy[2].second);  // 0.9 -> 0.85: down
  // Equal steps in value are equal steps on the page.
  const auto flat = Curves(TrainingPlotSvg(History({{3, 0.1}, {2, 0.2}, {1, 0.3}}), "t"))[0];
  EXPECT_NEAR(flat[1].second - flat[0].second, flat[2].second - flat[1].second, 0.11);
}

TEST(TrainingPlot, TestResultIsMarkedAndLabelled) {
  TrainingHistory h = History({{1.0, 0.6}, {0.5, 0.9}});
  h.test = EvalStats{0.61, 0.8765, 2000};
  const std::string svg = TrainingPlotSvg(h, "t");
  EXPECT_THAT(svg, HasSubstr("test 0.8765</text>"));
  EXPECT_THAT(svg, HasSubstr("test 0.6100</text>"));
  EXPECT_THAT(svg, HasSubstr("test (after the last epoch)"));
}

TEST(TrainingPlot, NonFiniteLossesBreakTheLine) {
  const auto curves =
      Curves(TrainingPlotSvg(History({{2, 0.2}, {NAN, 0.1}, {1, 0.3}, {0.5, 0.4}}), "t"));
  ASSERT_EQ(curves.size(), 3u);  // loss in two pieces, accuracy whole
  EXPECT_EQ(curves[0].size(), 1u);
  EXPECT_EQ(curves[1].size(), 2u);
  EXPECT_EQ(curves[2].size(), 4u);
}

TEST(TrainingPlot, OneEpochIsDrawnInTheMiddle) {
  const auto curves = Curves(TrainingPlotSvg(History({{1, 0.5}}), "t"));
  ASSERT_EQ(curves.size(), 2u);
  EXPECT_EQ(curves[0].size(), 1u);
  EXPECT_TRUE(std::isfinite(curves[0][0].first));
}

}  // namespace
}  // namespace dlc
