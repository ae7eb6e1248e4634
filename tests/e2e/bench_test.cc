// dlc bench's accounting (runtime/bench.h): the FLOPs of a training step
// counted on its tensor IR against hand-computed numbers, the per-kernel
// FLOPs and bytes, and a run of the whole measurement on a tiny setting.
// Nothing here asserts a speed (DESIGN.md: speed is measured by benchmarks).
#include "runtime/bench.h"

#include <cmath>
#include <numeric>
#include <string>

#include "frontend/lower.h"
#include "gtest/gtest.h"
#include "ir/cost.h"
#include "passes/pipeline.h"
#include "runtime/jit/jit.h"
#include "runtime/jit/thread_pool.h"
#include "tools/training_setup.h"

namespace dlc {
namespace {

TrainingProgram Build(const std::string& example, int64_t batch) {
  auto program = dl::LoadProgramFile(std::string(DLC_SOURCE_DIR) + "/examples/" + example);
  EXPECT_TRUE(program.ok()) << program.status();
  const std::string model = program->models[0].name;
  auto training = tools::BuildProgram(*program, model, OptimizerSpec{}, batch);
  EXPECT_TRUE(training.ok()) << training.status();
  return std::move(*training);
}

// mnist_cnn, per image, 2 FLOPs per multiply-add:
//   conv 1->32, 3x3, valid, on 28x28: 26*26 outputs * 32 filters * 9 taps * 1 channel
//     = 194,688 multiply-adds
//   dense 5408 -> 10 (13*13*32 after the 2x2 pool): 54,080 multiply-adds
// forward: 2 * (194,688 + 54,080) = 497,536
// training: forward + weight gradients of both + the input gradient of the
// dense layer only (nothing needs the gradient of the image):
//   2 * (3 * 248,768 - 194,688) = 1,103,232 (torch_models.py's "train_exact")
TEST(BenchFlops, MnistCnnTrainingStepCountsForwardAndBothGradientsButNoImageGradient) {
  constexpr int64_t kBatch = 4;
  TrainingProgram p = Build("mnist_cnn.dl", kBatch);
  EXPECT_EQ(ContractionFlops(p.train_step), 1'103'232 * kBatch);
  EXPECT_EQ(ContractionFlops(p.predict), 497'536 * kBatch);
}

// mnist_mlp: dense 784 -> 128 (100,352 multiply-adds) and 128 -> 10 (1,280):
// training 2 * (3 * 101,632 - 100,352) = 409,088 per image.
TEST(BenchFlops, MnistMlpTrainingStep) {
  TrainingProgram p = Build("mnist_mlp.dl", 8);
  EXPECT_EQ(ContractionFlops(p.train_step), 409'088 * 8);
  EXPECT_EQ(ContractionFlops(p.predict), 2 * 101'632 * 8);
}

// convnet: conv 1->32 3x3 on 28x28 (26*26*32*9 = 194,688), conv 32->64 3x3
// on 13x13 (11*11*64*9*32 = 2,230,272), dense 1600 -> 10 (16,000):
// training 2 * (3 * 2,440,960 - 194,688) = 14,256,384 per image.
TEST(BenchFlops, ConvnetTrainingStep) {
  TrainingProgram p = Build("convnet.dl", 2);
  EXPECT_EQ(ContractionFlops(p.train_step), 14'256'384 * 2);
}

TEST(BenchFlops, EveryNodesFlopsAreChargedToSomeKernel) {
  TrainingProgram p = Build("mnist_cnn.dl", 2);
  auto session = jit::JitSession::Create();
  ASSERT_TRUE(session.ok()) << session.status();
  Pipeline pipeline(PipelineOptionsFor((*session)->target()));
  auto loops = pipeline.LowerToLoops(p.train_step);
  ASSERT_TRUE(loops.ok()) << loops.status();
  const std::vector<int64_t> flops = KernelFlops(p.train_step, *loops);
  ASSERT_EQ(flops.size(), loops->kernels.size());
  EXPECT_EQ(std::accumulate(flops.begin(), flops.end(), int64_t{0}), GraphFlops(p.train_step));
  // The forward convolution's kernel: its own multiply-adds at least.
  bool found = false;
  for (size_t k = 0; k < loops->kernels.size(); ++k) {
    // Bias and ReLU are its epilogue: "%conv2d.conv = conv2d + %conv2d.relu = relu".
    if (!loops->kernels[k].name.starts_with("%conv2d.conv = conv2d")) continue;
    found = true;
    EXPECT_GE(flops[k], 2 * 194'688 * 2);
  }
  EXPECT_TRUE(found);
}

// The dense layer's matmul of mnist_mlp at batch 8 reads the flattened
// images (8 x 784 f32) and the kernel (784 x 128) and writes 8 x 128.
TEST(BenchBytes, MatmulKernelMovesItsOperandsAndResultOnce) {
  TrainingProgram p = Build("mnist_mlp.dl", 8);
  auto session = jit::JitSession::Create();
  ASSERT_TRUE(session.ok()) << session.status();
  Pipeline pipeline(PipelineOptionsFor((*session)->target()));
  auto loops = pipeline.LowerToLoops(p.train_step);
  ASSERT_TRUE(loops.ok()) << loops.status();
  bool found = false;
  for (const loops::Kernel& kernel : loops->kernels) {
    if (kernel.name != "%dense.matmul = matmul") continue;
    found = true;
    EXPECT_EQ(KernelBytes(*loops, kernel), 4 * (8 * 784 + 784 * 128 + 8 * 128));
  }
  EXPECT_TRUE(found);
}

TEST(Bench, ReportsEveryNumberOnATinyRun) {
  TrainingProgram p = Build("mnist_mlp.dl", 8);
  const int threads = jit::ThreadCount();
  BenchOptions options;
  options.threads = 1;
  options.repeats = 3;
  options.steps = 2;
  options.warmup_steps = 1;
  options.warmup_seconds = 0;
  options.kernels = true;
  options.peak.seconds_per_run = 0.005;
  options.peak.runs = 2;
  auto result = RunBench(p, "mnist_mlp", options);
  jit::SetThreadCount(threads);  // as the other tests expect
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->threads, 1);
  EXPECT_GT(result->peak.one_thread_gflops, 0);
  EXPECT_GT(result->peak_gflops(), 0);
  EXPECT_EQ(result->train.batch, 8);
  EXPECT_EQ(result->train.steps_per_repeat, 2);
  ASSERT_EQ(result->train.seconds_per_step.size(), 3u);
  EXPECT_LE(result->train.min_seconds, result->train.median_seconds);
  EXPECT_LE(result->train.median_seconds, result->train.max_seconds);
  EXPECT_GT(result->train.min_seconds, 0);
  EXPECT_TRUE(std::isfinite(result->train.gflops()));
  ASSERT_TRUE(result->predict.has_value());
  EXPECT_EQ(result->predict->flops, 2 * 101'632 * 8);
  EXPECT_FALSE(result->kernels.empty());
  for (size_t k = 1; k < result->kernels.size(); ++k) {
    EXPECT_GE(result->kernels[k - 1].seconds_per_step, result->kernels[k].seconds_per_step);
  }
  const std::string text = BenchText(*result);
  EXPECT_NE(text.find("Peak: "), std::string::npos);
  EXPECT_NE(text.find("%dense.matmul = matmul"), std::string::npos);
  const std::string json = BenchJson(*result);
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.find("nan"), std::string::npos);
  EXPECT_EQ(json.find("inf"), std::string::npos);
}

TEST(PeakFlops, GeneratedFmaLoopRunsOnEveryThread) {
  auto session = jit::JitSession::Create();
  ASSERT_TRUE(session.ok()) << session.status();
  auto peak = jit::MeasurePeakFlops(**session, {0.005, 2});
  ASSERT_TRUE(peak.ok()) << peak.status();
  EXPECT_EQ(peak->vector_width, (*session)->target().vector_width_f32);
  EXPECT_GT(peak->accumulators, 0);
  EXPECT_GT(peak->one_thread_gflops, 0);
  EXPECT_GT(peak->all_threads_gflops, 0);
}

}  // namespace
}  // namespace dlc
