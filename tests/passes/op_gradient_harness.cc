#include "tests/passes/op_gradient_harness.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "ir/interpreter.h"
#include "passes/autodiff.h"
#include "runtime/random.h"

namespace dlc::testing {
namespace {

// Maps a value drawn uniformly from [-1, 1) into `domain` (not kDistinct).
double MapInto(Domain domain, double v) {
  switch (domain) {
    case Domain::kPositive: return 1.5 + v;
    case Domain::kAwayFromZero: return v < 0 ? v - 0.5 : v + 0.5;
    case Domain::kAny:
    case Domain::kDistinct: break;
  }
  return v;
}

}  // namespace

void RecordGradientCheck(const GradientCheckResult& result) {
  static std::map<std::string, std::pair<double, int64_t>> per_test;
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return;
  auto& [worst, probes] = per_test[std::string(info->test_suite_name()) + "." + info->name()];
  worst = std::max(worst, result.max_relative_error);
  probes += result.probes;
  ::testing::Test::RecordProperty("max_relative_error", absl::StrFormat("%.3g", worst));
  ::testing::Test::RecordProperty("probes", static_cast<int>(probes));
}

ValueId OpGradientGraph::Input(const std::string& name, Shape shape, Domain domain, DType dtype) {
  auto id = builder_.Input(name, TensorType{dtype, std::move(shape)});
  EXPECT_TRUE(id.ok()) << id.status();
  if (!id.ok()) {
    failed_ = true;
    return 0;
  }
  domains_[name] = domain;
  input_order_.push_back(name);
  return *id;
}

void OpGradientGraph::Set(const std::string& name, std::vector<double> values) {
  fixed_[name] = std::move(values);
}

ValueId OpGradientGraph::Op(OpKind op, std::vector<ValueId> operands, Attributes attrs) {
  if (failed_) return 0;
  auto id = builder_.Add(op, std::move(operands), std::move(attrs));
  EXPECT_TRUE(id.ok()) << id.status();
  if (!id.ok()) {
    failed_ = true;
    return 0;
  }
  return *id;
}

Graph OpGradientGraph::BuildWithLoss(ValueId y) {
  if (failed_) return {};
  const ValueId w = Input("loss_weights", builder_.type(y).shape);
  const ValueId weighted = Op(OpKind::kMul, {y, w});
  IntList all_axes;
  for (int64_t i = 0; i < builder_.type(y).rank(); ++i) all_axes.push_back(i);
  const ValueId loss = Op(OpKind::kReduceSum, {weighted}, Axes(all_axes));
  if (failed_) return {};
  auto graph = GraphBuilder(builder_.graph()).Build({loss});
  EXPECT_TRUE(graph.ok()) << graph.status();
  if (!graph.ok()) {
    failed_ = true;
    return {};
  }
  return *std::move(graph);
}

Feeds OpGradientGraph::MakeTestFeeds(const Graph& graph) const {
  Feeds feeds = MakeFeeds(graph, /*seed=*/1);
  // Distinct values: a grid over [-1, 1) with spacing 2/n, offset so that no
  // value is closer than 0.5/n to 0, dealt out in a shuffled order.
  std::vector<Tensor*> distinct;
  int64_t n = 0;
  for (const std::string& name : input_order_) {
    if (domains_.at(name) != Domain::kDistinct) continue;
    distinct.push_back(&feeds.at(name));
    n += distinct.back()->num_elements();
  }
  EXPECT_LE(n, 500) << "too many kDistinct elements for a 1e-3 gap";
  std::vector<double> grid(n);
  for (int64_t k = 0; k < n; ++k) grid[k] = -1 + 2 * (static_cast<double>(k) + 0.25) / n;
  Rng rng(/*seed=*/5);
  for (int64_t k = n - 1; k > 0; --k) {
    std::swap(grid[k], grid[rng.Below(static_cast<uint64_t>(k + 1))]);
  }
  int64_t next = 0;
  for (Tensor* t : distinct) {
    for (int64_t i = 0; i < t->num_elements(); ++i) t->SetDouble(i, grid[next++]);
  }
  for (const auto& [name, domain] : domains_) {
    if (domain == Domain::kDistinct) continue;
    Tensor& t = feeds.at(name);
    if (!IsFloat(t.dtype())) continue;
    for (int64_t i = 0; i < t.num_elements(); ++i) t.SetDouble(i, MapInto(domain, t.GetDouble(i)));
  }
  for (const auto& [name, values] : fixed_) {
    Tensor& t = feeds.at(name);
    EXPECT_EQ(static_cast<int64_t>(values.size()), t.num_elements()) << "values for %" << name;
    for (int64_t i = 0; i < t.num_elements() && i < static_cast<int64_t>(values.size()); ++i) {
      t.SetDouble(i, values[i]);
    }
  }
  return feeds;
}

GradientCheckResult OpGradientGraph::ExpectGradientsMatch(ValueId y, double tolerance,
                                                          double step) {
  const Graph graph = BuildWithLoss(y);
  if (failed_) return {};
  GradientCheckOptions options;
  options.tolerance = tolerance;
  options.step = step;
  options.max_elements_per_value = 1 << 20;  // probe every element
  auto result = CheckGradients(graph, MakeTestFeeds(graph), options);
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok()) return {};
  EXPECT_LT(result->max_relative_error, tolerance) << "worst: " << result->worst;
  EXPECT_GT(result->probes, 0);
  RecordGradientCheck(*result);
  return *result;
}

std::vector<std::vector<double>> OpGradientGraph::GradientsOfSum(ValueId y) {
  if (failed_) return {};
  GraphBuilder b(builder_.graph());
  IntList all_axes;
  for (int64_t i = 0; i < b.type(y).rank(); ++i) all_axes.push_back(i);
  auto loss = b.Add(OpKind::kReduceSum, {y}, Axes(all_axes));
  EXPECT_TRUE(loss.ok()) << loss.status();
  if (!loss.ok()) return {};
  std::vector<ValueId> wrt;
  Feeds feeds;
  for (const std::string& name : input_order_) {
    const ValueId id = *b.graph().Find(name);
    if (b.type(id).dtype == DType::kF64) wrt.push_back(id);
    EXPECT_TRUE(fixed_.contains(name)) << "no values for %" << name;
    feeds.emplace(
        name, Tensor::FromVector(b.type(id).dtype, b.type(id).shape,
                                 fixed_.contains(name) ? fixed_.at(name) : std::vector<double>{}));
  }
  auto grads = AppendGradients(b, *loss, wrt);
  EXPECT_TRUE(grads.ok()) << grads.status();
  if (!grads.ok()) return {};
  auto graph = std::move(b).Build(*grads);
  EXPECT_TRUE(graph.ok()) << graph.status();
  if (!graph.ok()) return {};
  auto out = Interpret(*graph, feeds);
  EXPECT_TRUE(out.ok()) << out.status();
  if (!out.ok()) return {};
  std::vector<std::vector<double>> result;
  for (const Tensor& t : *out) {
    result.emplace_back();
    for (int64_t i = 0; i < t.num_elements(); ++i) result.back().push_back(t.GetDouble(i));
  }
  return result;
}

}  // namespace dlc::testing
