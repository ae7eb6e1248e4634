// Epilogue fusion in the loop lowering (to_loops/op_lowering.h): a tiled
// convolution or a max-pool gradient whose only use is an elementwise chain
// computes the chain's value as it writes each element; the tensor between
// them gets no buffer and the chain no kernel. Results stay bit-identical
// to the interpreter.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/interpreter.h"
#include "ir/loops/loop_interpreter.h"
#include "ir/loops/loop_printer.h"
#include "ir/loops/loop_verifier.h"
#include "ir/parser.h"
#include "passes/lower_to_loops.h"
#include "support/str_cat.h"
#include "tests/passes/gradient_check.h"

namespace dlc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Lowers `ir` and checks every output against the interpreter, to the bit.
// Returns the program's text.
std::string LowerAndCompare(const std::string& ir, int64_t int_range = 10) {
  absl::StatusOr<Module> module = ParseModule(ir, "test.ir");
  EXPECT_TRUE(module.ok()) << module.status();
  if (!module.ok()) return "";
  const Graph& graph = module->graphs[0];
  const Feeds feeds = testing::MakeFeeds(graph, /*seed=*/3, int_range);
  absl::StatusOr<std::vector<Tensor>> expected = Interpret(graph, feeds);
  EXPECT_TRUE(expected.ok()) << expected.status();
  absl::StatusOr<loops::LoopProgram> program = LowerToLoops(graph);
  EXPECT_TRUE(program.ok()) << program.status();
  if (!expected.ok() || !program.ok()) return "";
  EXPECT_TRUE(loops::VerifyLoopProgram(*program).ok());
  absl::StatusOr<std::vector<Tensor>> actual = loops::RunLoopProgramOnFeeds(*program, feeds);
  EXPECT_TRUE(actual.ok()) << actual.status();
  if (!actual.ok()) return "";
  for (size_t k = 0; k < expected->size(); ++k) {
    for (int64_t i = 0; i < (*expected)[k].num_elements(); ++i) {
      EXPECT_EQ((*expected)[k].GetDouble(i), (*actual)[k].GetDouble(i))
          << "output " << k << "[" << i << "]";
    }
  }
  return loops::PrintLoopProgram(*program);
}

TEST(EpilogueFusion, ConvolutionWritesItsBiasAndRelu) {
  const std::string text = LowerAndCompare(R"(graph g {
  %x = input() : f32[2,6,8,3]
  %w = parameter() : f32[3,3,3,32]
  %b = parameter() : f32[32]
  %conv = conv2d(%x, %w) : f32[2,4,6,32]
  %biased = add(%conv, %b) : f32[2,4,6,32]
  %y = relu(%biased) : f32[2,4,6,32]
  return %y
})");
  EXPECT_THAT(text, HasSubstr("# %conv = conv2d + %y = relu"));
  EXPECT_THAT(text, Not(HasSubstr("buffer %conv f32")));
  EXPECT_THAT(text, Not(HasSubstr("# %y = relu")));
}

TEST(EpilogueFusion, PoolingGradientWritesTheReluMask) {
  const std::string text = LowerAndCompare(R"(graph g {
  %h = input() : f32[2,4,6,16]
  %dy = input() : f32[2,2,3,16]
  %zero = constant() {value=[0.0]} : f32[]
  %r = relu(%h) : f32[2,4,6,16]
  %g = maxpool2d_grad(%r, %dy) {window=[2,2], strides=[2,2]} : f32[2,4,6,16]
  %mask = compare(%r, %zero) {predicate="gt"} : i1[2,4,6,16]
  %zero2 = constant() {value=[0.0]} : f32[]
  %dz = select(%mask, %g, %zero2) : f32[2,4,6,16]
  return %dz
})");
  EXPECT_THAT(text, HasSubstr("# %g = maxpool2d_grad + %dz = select"));
  EXPECT_THAT(text, Not(HasSubstr("buffer %g f32")));
}

TEST(EpilogueFusion, NotWhenTheChainReadsALaterKernel) {
  // %late is computed after %conv: %conv's kernel cannot read it, so %conv
  // keeps its buffer; %late's kernel, which comes later, adds %conv.
  const std::string text = LowerAndCompare(R"(graph g {
  %x = input() : f32[1,5,5,2]
  %w = parameter() : f32[3,3,2,16]
  %w2 = parameter() : f32[3,3,2,16]
  %conv = conv2d(%x, %w) : f32[1,3,3,16]
  %late = conv2d(%x, %w2) : f32[1,3,3,16]
  %sum = add(%conv, %late) : f32[1,3,3,16]
  return %sum
})");
  EXPECT_THAT(text, HasSubstr("buffer %conv f32[1,3,3,16] temp"));
  EXPECT_THAT(text, HasSubstr("# %conv = conv2d\n"));
  EXPECT_THAT(text, HasSubstr("# %late = conv2d + %sum = add"));
}

TEST(EpilogueFusion, ElementsInNoPoolingWindowGetTheEpilogueOfZero) {
  // 5 columns in windows of 2: the last column is in none. Its gradient is
  // 0, and the epilogue still applies to it (here -0).
  const std::string text = LowerAndCompare(R"(graph g {
  %r = input() : f32[1,4,5,16]
  %dy = input() : f32[1,2,2,16]
  %g = maxpool2d_grad(%r, %dy) {window=[2,2], strides=[2,2]} : f32[1,4,5,16]
  %dz = neg(%g) : f32[1,4,5,16]
  return %dz
})");
  EXPECT_THAT(text, HasSubstr("# %g = maxpool2d_grad + %dz = neg"));
  EXPECT_THAT(text, Not(HasSubstr("# %dz = neg")));
}

TEST(EpilogueFusion, NotWhenPoolingWindowsOverlap) {
  // Windows of 3 every 2: an element may take the gradient of two windows,
  // added up, so it is not written once.
  const std::string text = LowerAndCompare(R"(graph g {
  %r = input() : f32[1,5,5,16]
  %dy = input() : f32[1,2,2,16]
  %g = maxpool2d_grad(%r, %dy) {window=[3,3], strides=[2,2]} : f32[1,5,5,16]
  %dz = neg(%g) : f32[1,5,5,16]
  return %dz
})");
  EXPECT_THAT(text, HasSubstr("# %g = maxpool2d_grad\n"));
  EXPECT_THAT(text, HasSubstr("# %dz = neg"));
}

TEST(SiblingFusion, BiasGradientJoinsTheFilterGradient) {
  // The bias gradient sums the same dy as the filter gradient: one kernel.
  const std::string text = LowerAndCompare(R"(graph g {
  %x = input() : f32[3,6,6,2]
  %dy = input() : f32[3,4,4,16]
  %db = reduce_sum(%dy) {axes=[0,1,2]} : f32[16]
  %dw = conv2d_backprop_filter(%x, %dy) {filter_shape=[3,3,2,16]} : f32[3,3,2,16]
  return %dw, %db
})");
  EXPECT_THAT(text, HasSubstr("# %dw = conv2d_backprop_filter + %db = reduce_sum"));
  EXPECT_THAT(text, Not(HasSubstr("# %db = reduce_sum")));
}

TEST(SiblingFusion, NotWhenTheSumIsUsedBeforeTheFilterGradient) {
  const std::string text = LowerAndCompare(R"(graph g {
  %x = input() : f32[3,6,6,2]
  %dy = input() : f32[3,4,4,16]
  %db = reduce_sum(%dy) {axes=[0,1,2]} : f32[16]
  %early = neg(%db) : f32[16]
  %dw = conv2d_backprop_filter(%x, %dy) {filter_shape=[3,3,2,16]} : f32[3,3,2,16]
  return %dw, %early
})");
  EXPECT_THAT(text, HasSubstr("# %db = reduce_sum"));
  EXPECT_THAT(text, HasSubstr("# %dw = conv2d_backprop_filter\n"));
}

TEST(SiblingFusion, MaxPoolAndItsArgmaxAreOneScan) {
  const std::string text = LowerAndCompare(R"(graph g {
  %y = input() : f32[2,5,7,16]
  %p = maxpool2d(%y) {window=[2,2], strides=[2,2]} : f32[2,2,3,16]
  %a = maxpool2d_argmax(%y) {window=[2,2], strides=[2,2]} : i32[2,2,3,16]
  %q = maxpool2d(%y) {window=[3,2], strides=[2,2], padding="same"} : f32[2,3,4,16]
  %b = maxpool2d_argmax(%y) {window=[3,2], strides=[2,2], padding="same"} : i32[2,3,4,16]
  return %p, %a, %q, %b
})");
  EXPECT_THAT(text, HasSubstr("# %p = maxpool2d + %a = maxpool2d_argmax"));
  EXPECT_THAT(text, HasSubstr("# %q = maxpool2d + %b = maxpool2d_argmax"));
  EXPECT_THAT(text, Not(HasSubstr("# %a = maxpool2d_argmax")));
}

// Pool fusion (op_lowering.h): a tiled convolution whose (epilogue's)
// result only a max-pool of disjoint windows and its argmax read pools it
// band by band; the full-size value gets no buffer.
TEST(PoolFusion, ConvolutionPoolsItsReluBandByBand) {
  // "same" padding (border rows with fewer taps), 7 rows (the last in no
  // window), 9 columns (the last in no window).
  const std::string text = LowerAndCompare(R"(graph g {
  %x = input() : f32[2,7,9,3]
  %w = parameter() : f32[3,3,3,32]
  %b = parameter() : f32[32]
  %conv = conv2d(%x, %w) {padding="same"} : f32[2,7,9,32]
  %biased = add(%conv, %b) : f32[2,7,9,32]
  %y = relu(%biased) : f32[2,7,9,32]
  %p = maxpool2d(%y) {window=[2,2], strides=[2,2]} : f32[2,3,4,32]
  %a = maxpool2d_argmax(%y) {window=[2,2], strides=[2,2]} : i32[2,3,4,32]
  return %p, %a
})");
  EXPECT_THAT(text,
              HasSubstr("# %conv = conv2d + %y = relu + %p = maxpool2d + %a = maxpool2d_argmax"));
  EXPECT_THAT(text, HasSubstr("buffer %conv.band f32[2,2,8,32] temp"));
  EXPECT_THAT(text, Not(HasSubstr("buffer %y f32")));
  EXPECT_THAT(text, Not(HasSubstr("buffer %conv f32")));
  EXPECT_THAT(text, Not(HasSubstr("# %p = maxpool2d")));
}

TEST(PoolFusion, ConvolutionWithoutEpiloguePoolsItsOwnValue) {
  const std::string text = LowerAndCompare(R"(graph g {
  %x = input() : f32[1,8,8,2]
  %w = parameter() : f32[3,3,2,16]
  %conv = conv2d(%x, %w) : f32[1,6,6,16]
  %p = maxpool2d(%conv) {window=[3,3], strides=[3,3]} : f32[1,2,2,16]
  return %p
})");
  EXPECT_THAT(text, HasSubstr("# %conv = conv2d + %p = maxpool2d\n"));
  EXPECT_THAT(text, Not(HasSubstr("buffer %conv f32")));
}

TEST(PoolFusion, NotWhenTheFullSizeValueIsUsedElsewhere) {
  // %y is also returned, and a second pool overlaps: neither pools in the
  // convolution's kernel.
  for (const char* other : {"return %p, %y", "return %p, %q"}) {
    const std::string text = LowerAndCompare(StrCat(R"(graph g {
  %x = input() : f32[1,6,6,2]
  %w = parameter() : f32[3,3,2,16]
  %conv = conv2d(%x, %w) : f32[1,4,4,16]
  %y = relu(%conv) : f32[1,4,4,16]
  %p = maxpool2d(%y) {window=[2,2], strides=[2,2]} : f32[1,2,2,16]
  %q = maxpool2d(%y) {window=[3,3], strides=[1,1]} : f32[1,2,2,16]
  )",
                                                    other, "\n}"));
    EXPECT_THAT(text, HasSubstr("# %conv = conv2d + %y = relu\n")) << other;
    EXPECT_THAT(text, HasSubstr("# %p = maxpool2d\n")) << other;
  }
}

TEST(PoolFusion, ScatterComputesItsMaskedGradientInPlace) {
  // The mask move-pool-masks leaves on a scatter's gradient is computed in
  // the scatter's loop: no kernel, no buffer of its own.
  const std::string text = LowerAndCompare(R"(graph g {
  %p = input() : f32[2,3,3,16]
  %dp = input() : f32[2,3,3,16]
  %a = input() : i32[2,3,3,16]
  %zero = constant() {value=[0.0]} : f32[]
  %mask = compare(%p, %zero) {predicate="gt"} : i1[2,3,3,16]
  %masked = select(%mask, %dp, %zero) : f32[2,3,3,16]
  %dx = maxpool2d_scatter(%masked, %a) {input_shape=[2,6,7,16], window=[2,2], strides=[2,2]} : f32[2,6,7,16]
  return %dx
})",
                                           /*int_range=*/4);
  EXPECT_THAT(text, HasSubstr("# %dx = maxpool2d_scatter\n"));
  EXPECT_THAT(text, Not(HasSubstr("# %masked = select")));
  EXPECT_THAT(text, Not(HasSubstr("buffer %masked")));
}

TEST(PerImageScatter, ConvolutionGradientsComputeTheScatterImageByImage) {
  // dy of both convolution gradients (and the bias gradient beside the
  // filter's) is a max-pool scatter with an odd last row and column: no
  // kernel, no full-size buffer; each reader computes it per image. (A
  // batch of one chunk: bit-identical to the interpreter.)
  const std::string text = LowerAndCompare(R"(graph g {
  %x = input() : f32[8,9,7,3]
  %w = parameter() : f32[3,3,3,16]
  %p = input() : f32[8,3,2,16]
  %dp = input() : f32[8,3,2,16]
  %x2 = input() : f32[8,7,5,16]
  %a = maxpool2d_argmax(%x2) {window=[2,2], strides=[2,2]} : i32[8,3,2,16]
  %zero = constant() {value=[0.0]} : f32[]
  %mask = compare(%p, %zero) {predicate="gt"} : i1[8,3,2,16]
  %masked = select(%mask, %dp, %zero) : f32[8,3,2,16]
  %dy = maxpool2d_scatter(%masked, %a) {input_shape=[8,7,5,16], window=[2,2], strides=[2,2]} : f32[8,7,5,16]
  %dw = conv2d_backprop_filter(%x, %dy) {filter_shape=[3,3,3,16]} : f32[3,3,3,16]
  %db = reduce_sum(%dy) {axes=[0,1,2]} : f32[16]
  %dx = conv2d_backprop_input(%dy, %w) {input_shape=[8,9,7,3]} : f32[8,9,7,3]
  return %dw, %db, %dx
})");
  EXPECT_THAT(
      text,
      HasSubstr(
          "# %dw = conv2d_backprop_filter + %db = reduce_sum + %dy = maxpool2d_scatter per image"));
  EXPECT_THAT(text, HasSubstr("# %dx = conv2d_backprop_input + %dy = maxpool2d_scatter per image"));
  EXPECT_THAT(text, HasSubstr("buffer %dw.dy_image f32[1,7,5,16] temp"));
  EXPECT_THAT(text, Not(HasSubstr("buffer %dy f32")));
  EXPECT_THAT(text, Not(HasSubstr("# %dy = maxpool2d_scatter")));
  // The argmax is the graph's own: its places are not checked.
  EXPECT_THAT(text, Not(HasSubstr("check ")));
}

TEST(PerImageScatter, NotWhenTheGradientIsReadElsewhere) {
  const std::string text = LowerAndCompare(R"(graph g {
  %x = input() : f32[2,6,6,3]
  %dp = input() : f32[2,2,2,16]
  %a = input() : i32[2,2,2,16]
  %dy = maxpool2d_scatter(%dp, %a) {input_shape=[2,4,4,16], window=[2,2], strides=[2,2]} : f32[2,4,4,16]
  %dw = conv2d_backprop_filter(%x, %dy) {filter_shape=[3,3,3,16]} : f32[3,3,3,16]
  %twice = add(%dy, %dy) : f32[2,4,4,16]
  return %dw, %twice
})",
                                           /*int_range=*/4);
  EXPECT_THAT(text, HasSubstr("# %dy = maxpool2d_scatter"));
  EXPECT_THAT(text, HasSubstr("# %dw = conv2d_backprop_filter\n"));
  // An argmax from outside: its places are checked.
  EXPECT_THAT(text, HasSubstr("check "));
}

TEST(StoredFusion, AnAdamStepIsOnePassOverEachParameter) {
  // m' and v' are graph outputs that the parameter's update also reads:
  // the update's loop computes and stores them, one kernel per parameter.
  const std::string text = LowerAndCompare(R"(graph g {
  %p = input() : f32[5,37]
  %g = input() : f32[5,37]
  %m = input() : f32[5,37]
  %v_root = input() : f32[5,37]
  %v = mul(%v_root, %v_root) : f32[5,37]
  %b1 = constant() {value=[0.1]} : f32[]
  %b2 = constant() {value=[0.001]} : f32[]
  %eps = constant() {value=[1e-07]} : f32[]
  %lr = constant() {value=[0.001]} : f32[]
  %g_minus_m = sub(%g, %m) : f32[5,37]
  %dm = mul(%g_minus_m, %b1) : f32[5,37]
  %m_next = add(%m, %dm) : f32[5,37]
  %g2 = mul(%g, %g) : f32[5,37]
  %g2_minus_v = sub(%g2, %v) : f32[5,37]
  %dv = mul(%g2_minus_v, %b2) : f32[5,37]
  %v_next = add(%v, %dv) : f32[5,37]
  %root = sqrt(%v_next) : f32[5,37]
  %denominator = add(%root, %eps) : f32[5,37]
  %ratio = div(%m_next, %denominator) : f32[5,37]
  %step = mul(%ratio, %lr) : f32[5,37]
  %p_next = sub(%p, %step) : f32[5,37]
  return %p_next, %m_next, %v_next
})");
  EXPECT_THAT(text, HasSubstr("# %p_next = sub + %m_next = add + %v_next = add\n"));
  EXPECT_THAT(text, Not(HasSubstr("# %m_next = add")));
  EXPECT_THAT(text, Not(HasSubstr("# %v_next = add")));
}

TEST(StoredFusion, NotWhenTheOutputHasTwoUsers) {
  const std::string text = LowerAndCompare(R"(graph g {
  %x = input() : f32[4,8]
  %y = relu(%x) : f32[4,8]
  %a = neg(%y) : f32[4,8]
  %b = exp(%y) : f32[4,8]
  return %y, %a, %b
})");
  EXPECT_THAT(text, HasSubstr("# %y = relu\n"));
}

}  // namespace
}  // namespace dlc
