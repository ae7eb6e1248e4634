// Elementwise fusion: a value with one elementwise user of its shape is
// computed inside that user's loop, with no buffer and no kernel of its
// own; anything else keeps its buffer. And the fusion plan as a step of its
// own (passes/fusion.h): what it decides, how it prints, and that the
// lowering follows the plan it is given rather than deciding again.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/interpreter.h"
#include "ir/loops/loop_interpreter.h"
#include "ir/loops/loop_printer.h"
#include "ir/parser.h"
#include "passes/fusion.h"
#include "passes/lower_to_loops.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A conv-like output plus a broadcast bias, then relu (returned); then a
// chain where %t has two users.
constexpr char kGraph[] = R"(graph g {
  %x = input() : f32[2,3,4]
  %bias = input() : f32[4]
  %biased = add(%x, %bias) : f32[2,3,4]
  %y = relu(%biased) : f32[2,3,4]
  %scale = input() : f32[2,3,4]
  %scaled = mul(%y, %scale) : f32[2,3,4]
  %t = exp(%scaled) : f32[2,3,4]
  %u = neg(%t) : f32[2,3,4]
  %out = add(%t, %u) : f32[2,3,4]
  return %y, %out
})";

Graph ParseText(const std::string& text) {
  absl::StatusOr<Module> module = ParseModule(text);
  EXPECT_TRUE(module.ok()) << module.status();
  return module.ok() ? module->graphs.at(0) : Graph{};
}

Graph Parse() { return ParseText(kGraph); }

// Inputs for kGraph, negative and positive values both.
Feeds ChainFeeds() {
  Feeds feeds;
  Tensor x(DType::kF32, {2, 3, 4}), bias(DType::kF32, {4}), scale(DType::kF32, {2, 3, 4});
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    x.SetDouble(i, 0.25 * static_cast<double>(i % 9) - 1.0);
    scale.SetDouble(i, 0.1 * static_cast<double>(i % 5));
  }
  for (int64_t i = 0; i < 4; ++i) bias.SetDouble(i, 0.3 * static_cast<double>(i) - 0.4);
  feeds.emplace("x", x);
  feeds.emplace("bias", bias);
  feeds.emplace("scale", scale);
  return feeds;
}

TEST(ElementwiseFusion, SingleUseElementwiseValuesGetNoBufferOrKernel) {
  const Graph g = Parse();
  auto program = LowerToLoops(g);
  ASSERT_TRUE(program.ok()) << program.status();
  const std::string text = loops::PrintLoopProgram(*program);
  // %biased lives only inside %y's loop, broadcasting the bias; %y, a graph
  // output with one use (%scaled), is computed in that user's loop and
  // stored there: no kernel of its own.
  EXPECT_THAT(text, Not(HasSubstr("buffer %biased")));
  EXPECT_THAT(text, Not(HasSubstr("# %biased")));
  EXPECT_THAT(text, Not(HasSubstr("# %y = relu")));
  EXPECT_THAT(text, HasSubstr("# %t = exp + %y = relu"));
  EXPECT_THAT(
      text,
      HasSubstr("%y[i2 + i1 * 4 + i0 * 12] = max(%x[i2 + i1 * 4 + i0 * 12] + %bias[i2], 0.0)"));
  // %scaled (one use) is computed in %t's loop; %t has two users and keeps
  // its buffer; %u (one use) is computed in %out's loop.
  EXPECT_THAT(text, Not(HasSubstr("buffer %scaled")));
  EXPECT_THAT(text, HasSubstr("buffer %t f32[2,3,4] temp"));
  EXPECT_THAT(text, HasSubstr("%t[i2 + i1 * 4 + i0 * 12] = exp(max(%x[i2 + i1 * 4 + i0 * 12] + "
                              "%bias[i2], 0.0) * %scale[i2 + i1 * 4 + i0 * 12])"));
  EXPECT_THAT(text, Not(HasSubstr("buffer %u")));
  EXPECT_THAT(text, HasSubstr("%out[i3] = %t[i3] + -%t[i3]"));
  EXPECT_EQ(program->kernels.size(), 2u);  // %t (storing %y), %out
}

// ---- the plan as a step of its own (passes/fusion.h) ----

// `n` SGD updates, p_k - lr * g_k, each a graph output.
std::string Updates(int n) {
  std::string text = "graph sgd {\n  %lr = constant() {value=[0.1]} : f32[]\n";
  std::string outputs;
  for (int k = 0; k < n; ++k) {
    text += StrCat("  %p", k, " = parameter() : f32[8]\n  %g", k, " = input() : f32[8]\n");
    text += StrCat("  %s", k, " = mul(%g", k, ", %lr) : f32[8]\n");
    text += StrCat("  %p", k, ".next = sub(%p", k, ", %s", k, ") : f32[8]\n");
    outputs += StrCat(k == 0 ? "" : ", ", "%p", k, ".next");
  }
  return StrCat(text, "  return ", outputs, "\n}\n");
}

ValueId Named(const Graph& graph, std::string_view name) {
  for (ValueId id = 0; id < graph.size(); ++id) {
    if (graph.node(id).name == name) return id;
  }
  ADD_FAILURE() << "no value %" << name;
  return -1;
}

TEST(FusionPlan, FusesSingleUseElementwiseValuesAndStoresReturnedOnes) {
  const Graph graph = Parse();
  const Fusion fusion = PlanFusion(graph, LowerOptions{});
  EXPECT_TRUE(fusion.fused[Named(graph, "biased")]);
  EXPECT_FALSE(fusion.stored[Named(graph, "biased")]);
  EXPECT_TRUE(fusion.fused[Named(graph, "y")]);
  EXPECT_TRUE(fusion.stored[Named(graph, "y")]);
  EXPECT_TRUE(fusion.fused[Named(graph, "scaled")]);
  EXPECT_FALSE(fusion.fused[Named(graph, "t")]);  // two users
  EXPECT_TRUE(fusion.fused[Named(graph, "u")]);
  EXPECT_FALSE(fusion.fused[Named(graph, "out")]);  // returned, no other use
}

TEST(FusionPlan, PrintsOneLinePerDecisionInNodeOrder) {
  const Graph graph = Parse();
  EXPECT_EQ(PrintFusion(graph, PlanFusion(graph, LowerOptions{})),
            "fusion g {\n"
            "  %biased = add: fused into %y\n"
            "  %y = relu: fused into %scaled, which stores it\n"
            "  %scaled = mul: fused into %t\n"
            "  %u = neg: fused into %out\n"
            "}\n");
}

TEST(FusionPlan, GroupsUpdatesSixteenToAKernel) {
  const Graph graph = ParseText(Updates(17));
  const Fusion fusion = PlanFusion(graph, LowerOptions{});
  for (int k = 0; k < 17; ++k) {
    EXPECT_EQ(fusion.update_group[Named(graph, StrCat("p", k, ".next"))], k / kMaxUpdatesPerKernel)
        << "update " << k;
    EXPECT_TRUE(fusion.fused[Named(graph, StrCat("s", k))]);
  }
  absl::StatusOr<loops::LoopProgram> program = LowerToLoops(graph, fusion, LowerOptions{});
  ASSERT_TRUE(program.ok()) << program.status();
  EXPECT_EQ(program->kernels.size(), 2u);  // 16 updates, then 1
}

TEST(FusionPlan, ASingleUpdateIsAKernelOfItsOwn) {
  const Graph graph = ParseText(Updates(1));
  EXPECT_EQ(PlanFusion(graph, LowerOptions{}).update_group[Named(graph, "p0.next")], -1);
}

// A plan that fuses nothing: every node but the sources gets a kernel of
// its own, and the values are the same.
Fusion NothingFused(const Graph& graph) {
  const size_t n = graph.size();
  return Fusion{.fused = std::vector<bool>(n, false),
                .stored = std::vector<bool>(n, false),
                .epilogue = std::vector<ValueId>(n, -1),
                .computed_by_producer = std::vector<bool>(n, false),
                .sibling = std::vector<ValueId>(n, -1),
                .pool = std::vector<ValueId>(n, -1),
                .per_image = std::vector<bool>(n, false),
                .update_group = std::vector<int>(n, -1)};
}

// ... and both compute what the interpreter computes, to the bit.
TEST(FusionPlan, TheLoweringFollowsThePlanItIsGiven) {
  const Graph graph = Parse();
  absl::StatusOr<loops::LoopProgram> planned =
      LowerToLoops(graph, PlanFusion(graph, LowerOptions{}), LowerOptions{});
  absl::StatusOr<loops::LoopProgram> unfused =
      LowerToLoops(graph, NothingFused(graph), LowerOptions{});
  ASSERT_TRUE(planned.ok()) << planned.status();
  ASSERT_TRUE(unfused.ok()) << unfused.status();
  EXPECT_EQ(planned->kernels.size(), 2u);  // %t (storing %y), %out
  EXPECT_EQ(unfused->kernels.size(), 6u);  // every elementwise node

  const Feeds feeds = ChainFeeds();
  absl::StatusOr<std::vector<Tensor>> expected = Interpret(graph, feeds);
  ASSERT_TRUE(expected.ok()) << expected.status();
  for (const loops::LoopProgram* program : {&*planned, &*unfused}) {
    absl::StatusOr<std::vector<Tensor>> actual = loops::RunLoopProgramOnFeeds(*program, feeds);
    ASSERT_TRUE(actual.ok()) << actual.status();
    for (size_t k = 0; k < expected->size(); ++k) {
      for (int64_t i = 0; i < (*expected)[k].num_elements(); ++i) {
        EXPECT_EQ((*expected)[k].GetDouble(i), (*actual)[k].GetDouble(i))
            << "output " << k << "[" << i << "]";
      }
    }
  }
}

TEST(FusionPlan, APlanForAnotherGraphIsRejected) {
  const Graph graph = Parse();
  const Fusion other = PlanFusion(ParseText(Updates(3)), LowerOptions{});  // 13 nodes, not 9
  absl::StatusOr<loops::LoopProgram> program = LowerToLoops(graph, other, LowerOptions{});
  EXPECT_EQ(program.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(program.status().message(), HasSubstr("does not fit graph g"));
}

}  // namespace
}  // namespace dlc
