// Where a training step's time goes, kernel by kernel: compiles a model's
// train_step with profiling calls around every kernel (one per tensor-IR
// node), runs it on random inputs, and prints the kernels by time spent.
//
//   ./build/tests/kernel_profile examples/mnist_cnn.dl [--batch=32] [--steps=50] [--threads=N]
//
// A measuring tool, not a test: wall times on a shared machine are noisy.
#include <algorithm>
#include <cstdio>
#include <numeric>
#include <random>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "frontend/lower.h"
#include "frontend/train_config.h"
#include "passes/pipeline.h"
#include "runtime/initializers.h"
#include "runtime/jit/jit.h"
#include "runtime/jit/kernel_profile.h"
#include "runtime/jit/thread_pool.h"
#include "tools/flags.h"
#include "tools/training_setup.h"

// --batch, --threads and --steps are dlc's (tools/flags.h).
ABSL_FLAG(int64_t, top, 25, "kernels to list");

namespace dlc {
namespace {

DType DTypeOf(loops::Type type) {
  switch (type) {
    case loops::Type::kF64: return DType::kF64;
    case loops::Type::kI32: return DType::kI32;
    case loops::Type::kU8: return DType::kU8;
    case loops::Type::kI1: return DType::kI1;
    default: return DType::kF32;  // arguments are never i64 or u64
  }
}

int Profile(const std::string& path) {
  auto source = dl::LoadProgramFile(path);
  if (!source.ok()) {
    std::fprintf(stderr, "%s\n", std::string(source.status().message()).c_str());
    return 1;
  }
  auto config = dl::ResolveTrainConfig(*source, source->models[0].name);
  const int64_t batch = absl::GetFlag(FLAGS_batch).value_or(32);
  auto program = tools::BuildProgram(*source, source->models[0].name,
                                     config.ok() ? config->optimizer : OptimizerSpec{},
                                     batch);
  if (!program.ok()) {
    std::fprintf(stderr, "%s\n", std::string(program.status().message()).c_str());
    return 1;
  }
  auto session = jit::JitSession::Create();
  if (!session.ok()) return 1;
  if (auto threads = absl::GetFlag(FLAGS_threads)) jit::SetThreadCount(static_cast<int>(*threads));
  PipelineOptions options = PipelineOptionsFor((*session)->target());
  options.emit.profile_kernels = true;
  Pipeline pipeline(std::move(options));
  auto loops = pipeline.LowerToLoops(program->train_step);
  if (!loops.ok()) return 1;
  auto compiled = (*session)->Compile(*loops, pipeline);
  if (!compiled.ok()) {
    std::fprintf(stderr, "%s\n", std::string(compiled.status().message()).c_str());
    return 1;
  }

  // What a training step sees: parameters from their initializers (as
  // `dlc train` starts), optimizer state at zero, random images and labels.
  // (Uniform [-1, 1) weights would saturate the softmax and fill the
  // gradients with denormal floats, which run a hundred times slower.)
  auto initial = InitializeParameters(program->train_step, 1);
  if (!initial.ok()) {
    std::fprintf(stderr, "%s\n", std::string(initial.status().message()).c_str());
    return 1;
  }
  std::mt19937 random(1);
  std::vector<Tensor> arguments;
  std::vector<void*> args;
  for (loops::BufferId id : loops->arguments) {
    const loops::Buffer& b = loops->buffer(id);
    Tensor& t = arguments.emplace_back(TensorType{DTypeOf(b.type), b.shape});
    if (auto it = initial->find(b.name); it != initial->end()) {
      t = it->second;
    } else if (!IsFloat(t.dtype())) {
      const bool labels = b.name == "labels";
      for (int64_t i = 0; i < t.num_elements(); ++i) {
        t.SetDouble(i, static_cast<double>(random() % (labels ? 10 : 256)));
      }
    } else {
      for (int64_t i = 0; i < t.num_elements(); ++i) t.SetDouble(i, 0);
    }
    args.push_back(t.raw_data());
  }
  const int32_t kernels = static_cast<int32_t>(loops->kernels.size());
  if (!compiled->Run(args).ok()) return 1;  // warm up
  jit::ResetKernelProfile(kernels);
  const int64_t steps = absl::GetFlag(FLAGS_steps).value_or(50);
  for (int64_t s = 0; s < steps; ++s) {
    if (absl::Status status = compiled->Run(args); !status.ok()) {
      std::fprintf(stderr, "%s\n", std::string(status.message()).c_str());
      return 1;
    }
  }
  const std::vector<double> seconds = jit::KernelProfileSeconds();
  const double total = std::accumulate(seconds.begin(), seconds.end(), 0.0);
  std::vector<int32_t> order(kernels);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return seconds[a] != seconds[b] ? seconds[a] > seconds[b] : a < b;
  });
  std::printf("%s train_step, batch %lld, %d threads: %.3f ms per step over %d kernels\n\n",
              source->models[0].name.c_str(), static_cast<long long>(batch),
              jit::ThreadCount(), 1e3 * total / static_cast<double>(steps), kernels);
  std::printf("%9s %6s %6s  %s\n", "ms/step", "share", "total", "kernel");
  double cumulative = 0;
  for (int64_t i = 0; i < std::min<int64_t>(absl::GetFlag(FLAGS_top), kernels); ++i) {
    const int32_t k = order[i];
    cumulative += seconds[k];
    std::printf("%9.4f %5.1f%% %5.1f%%  %s\n", 1e3 * seconds[k] / static_cast<double>(steps),
                100 * seconds[k] / total, 100 * cumulative / total, loops->kernels[k].name.c_str());
  }
  return 0;
}

}  // namespace
}  // namespace dlc

int main(int argc, char** argv) {
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() != 2) {
    std::fprintf(stderr, "usage: kernel_profile MODEL.dl [--batch=N --steps=N --threads=N --top=N]\n");
    return 2;
  }
  return dlc::Profile(positional[1]);
}
