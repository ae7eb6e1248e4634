// move-pool-masks (passes/pool_masks.h): a ReLU mask on a max-pool's
// routed gradient moves onto the pool's output. Checked against the
// interpreter running the graph before the rewrite, to the bit.
#include "passes/pool_masks.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/interpreter.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "support/str_cat.h"
#include "tests/passes/gradient_check.h"

namespace dlc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The backward of y = relu(x), p = maxpool2d(y) as autodiff writes it,
// with `window`/`strides`/`padding` as IR attribute text and the mask
// `predicate` against `k`.
std::string ReluPoolBackward(const std::string& pool_attrs, const std::string& pooled_shape,
                             const std::string& predicate = "gt", const std::string& k = "0.0") {
  return StrCat(R"(graph g {
  %x = input() : f32[2,7,6,3]
  %dp = input() : f32)",
                pooled_shape, R"(
  %zero = constant() {value=[0.0]} : f32[]
  %k = constant() {value=[)",
                k, R"(]} : f32[]
  %y = relu(%x) : f32[2,7,6,3]
  %p = maxpool2d(%y) {)",
                pool_attrs, "} : f32", pooled_shape, R"(
  %a = maxpool2d_argmax(%y) {)",
                pool_attrs, "} : i32", pooled_shape, R"(
  %s = maxpool2d_scatter(%dp, %a) {input_shape=[2,7,6,3], )",
                pool_attrs, R"(} : f32[2,7,6,3]
  %mask = compare(%y, %k) {predicate=")",
                predicate, R"("} : i1[2,7,6,3]
  %dx = select(%mask, %s, %zero) : f32[2,7,6,3]
  return %p, %dx
}
)");
}

Graph Parse(const std::string& text) {
  absl::StatusOr<Module> module = ParseModule(text, "test.ir");
  EXPECT_TRUE(module.ok()) << module.status();
  return module.ok() ? module->graphs[0] : Graph{};
}

// Rewrites `graph` and checks that both forms give the same bits for
// `feeds`. Returns the rewritten graph's text.
std::string RewriteAndCompare(const Graph& graph, const Feeds& feeds) {
  absl::StatusOr<Graph> rewritten = MovePoolMasks(graph);
  EXPECT_TRUE(rewritten.ok()) << rewritten.status();
  if (!rewritten.ok()) return "";
  absl::StatusOr<std::vector<Tensor>> before = Interpret(graph, feeds);
  absl::StatusOr<std::vector<Tensor>> after = Interpret(*rewritten, feeds);
  EXPECT_TRUE(before.ok() && after.ok());
  if (!before.ok() || !after.ok()) return "";
  for (size_t k = 0; k < before->size(); ++k) {
    EXPECT_EQ((*before)[k].type(), (*after)[k].type());
    if ((*before)[k].type() != (*after)[k].type()) continue;
    for (int64_t i = 0; i < (*before)[k].num_elements(); ++i) {
      const double b = (*before)[k].GetDouble(i), a = (*after)[k].GetDouble(i);
      EXPECT_TRUE(std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b)))
          << "output " << k << "[" << i << "]: " << b << " became " << a;
    }
  }
  return PrintGraph(*rewritten);
}

TEST(MovePoolMasks, TheMaskReadsThePoolsOutputAndTheInputIsNoLongerRead) {
  const Graph graph = Parse(ReluPoolBackward("window=[2,2], strides=[2,2]", "[2,3,3,3]"));
  const std::string text = RewriteAndCompare(graph, testing::MakeFeeds(graph, 1));
  // The select of the same name is now the scatter of a masked dp.
  EXPECT_THAT(text,
              HasSubstr("%dx.pooled_mask = compare(%p, %k) {predicate=\"gt\"} : i1[2,3,3,3]"));
  EXPECT_THAT(text,
              HasSubstr("%dx.pooled_grad = select(%dx.pooled_mask, %dp, %zero) : f32[2,3,3,3]"));
  EXPECT_THAT(text, HasSubstr("%dx = maxpool2d_scatter(%dx.pooled_grad, %a)"));
  // The old mask and scatter are gone; y feeds only the pool and argmax.
  EXPECT_THAT(text, Not(HasSubstr("%mask")));
  EXPECT_THAT(text, Not(HasSubstr("%s =")));
  EXPECT_THAT(text, Not(HasSubstr("compare(%y")));
}

TEST(MovePoolMasks, ExactForOverlappingAndPaddedWindowsAndOtherTests) {
  const struct {
    const char* attrs;
    const char* pooled;
    const char* predicate;
    const char* k;
  } cases[] = {
      {"window=[3,3], strides=[2,2], padding=\"same\"", "[2,4,3,3]", "gt", "0.0"},
      {"window=[2,3], strides=[1,1]", "[2,6,4,3]", "ge", "0.125"},
      {"window=[2,2], strides=[2,2]", "[2,3,3,3]", "lt", "0.25"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.attrs);
    const Graph graph = Parse(ReluPoolBackward(c.attrs, c.pooled, c.predicate, c.k));
    EXPECT_THAT(RewriteAndCompare(graph, testing::MakeFeeds(graph, 2)),
                HasSubstr("%dx = maxpool2d_scatter(%dx.pooled_grad, %a)"));
  }
}

TEST(MovePoolMasks, NaNsAndTiesGiveTheSameBits) {
  const Graph graph =
      Parse(ReluPoolBackward("window=[2,2], strides=[2,2]", "[2,3,3,3]", "ne", "0.0"));
  Feeds feeds = testing::MakeFeeds(graph, 3);
  Tensor& x = feeds.at("x");
  // A NaN (relu keeps it), ties between windows' elements, and -0.
  x.SetDouble(0, std::numeric_limits<double>::quiet_NaN());
  x.SetDouble(3, 0.25);
  x.SetDouble(6, 0.25);
  x.SetDouble(21, -0.0);
  RewriteAndCompare(graph, feeds);
}

TEST(MovePoolMasks, LeavesOtherGraphsAlone) {
  // The select's other side is not zero; the mask is not against a
  // scalar; no maxpool2d of y exists.
  const std::string not_zero =
      ReluPoolBackward("window=[2,2], strides=[2,2]", "[2,3,3,3]", "gt", "0.5");
  std::string other = not_zero;
  other.replace(other.find("select(%mask, %s, %zero)"), 24, "select(%mask, %s, %k)");
  std::string per_element = not_zero;
  per_element.replace(per_element.find("compare(%y, %k)"), 15, "compare(%y, %x)");
  std::string no_pool = not_zero;
  no_pool.replace(no_pool.find("return %p, %dx"), 14, "return %dx");
  no_pool.replace(no_pool.find("  %p = maxpool2d"), 0, "  %q = relu(%y) : f32[2,7,6,3]\n");
  no_pool.replace(no_pool.find("%p = maxpool2d(%y)"), 18, "%p = maxpool2d(%q)");
  for (const std::string& text : {other, per_element, no_pool}) {
    const Graph graph = Parse(text);
    absl::StatusOr<Graph> rewritten = MovePoolMasks(graph);
    ASSERT_TRUE(rewritten.ok()) << rewritten.status();
    EXPECT_EQ(PrintGraph(*rewritten), PrintGraph(graph));
  }
}

}  // namespace
}  // namespace dlc
