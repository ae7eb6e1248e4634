// Elementwise fusion in the loop lowering: a value with one elementwise user
// of its shape is computed inside that user's loop, with no buffer and no
// kernel of its own; anything else keeps its buffer.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/interpreter.h"
#include "ir/loops/loop_interpreter.h"
#include "ir/loops/loop_printer.h"
#include "ir/parser.h"
#include "passes/lower_to_loops.h"

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

Graph Parse() {
  auto module = ParseModule(kGraph);
  EXPECT_TRUE(module.ok()) << module.status();
  return module->graphs.at(0);
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

TEST(ElementwiseFusion, ComputesWhatTheInterpreterComputes) {
  const Graph g = Parse();
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
  auto expected = Interpret(g, feeds);
  ASSERT_TRUE(expected.ok()) << expected.status();
  auto program = LowerToLoops(g);
  ASSERT_TRUE(program.ok()) << program.status();
  const Tensor* inputs[] = {&feeds.at("x"), &feeds.at("bias"), &feeds.at("scale")};
  auto actual = loops::RunLoopProgram(*program, inputs);
  ASSERT_TRUE(actual.ok()) << actual.status();
  ASSERT_EQ(actual->size(), 2u);
  for (size_t k = 0; k < 2; ++k) {
    for (int64_t i = 0; i < (*expected)[k].num_elements(); ++i) {
      EXPECT_EQ((*expected)[k].GetDouble(i), (*actual)[k].GetDouble(i))
          << "output " << k << "[" << i << "]";
    }
  }
}

}  // namespace
}  // namespace dlc
