// Training-step throughput of the seed models on each backend: images per
// second through one compiled train_step (forward, gradients, Adam update).
// Run: ./build/tests/train_step_bench [--benchmark_repetitions=5]
// Not part of the test suite: speed is measured, never asserted.
#include <benchmark/benchmark.h>

#include "tools/training_setup.h"

namespace dlc::tools {
namespace {

void TrainSteps(benchmark::State& state, const char* model, const char* backend, int threads) {
  TrainOverrides o;
  o.backend = backend;
  o.threads = threads;
  o.limit = 320;  // ten batches of 32
  o.epochs = 1;
  auto setup = SetUpTraining(std::string(DLC_SOURCE_DIR "/examples/") + model, o);
  if (!setup.ok()) {
    state.SkipWithError(std::string(setup.status().message()).c_str());
    return;
  }
  auto data = LoadData(*setup, "data");
  if (!data.ok()) {
    state.SkipWithError(std::string(data.status().message()).c_str());
    return;
  }
  int64_t epoch = 0;
  for (auto _ : state) {
    auto stats = setup->trainer->TrainEpoch(*data, ++epoch);
    if (!stats.ok()) {
      state.SkipWithError(std::string(stats.status().message()).c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * data->size());
  state.counters["images/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * data->size()), benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(TrainSteps, cnn_interp, "mnist_cnn.dl", "interp", 1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(TrainSteps, cnn_jit_1_thread, "mnist_cnn.dl", "jit", 1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(TrainSteps, cnn_jit_2_threads, "mnist_cnn.dl", "jit", 2)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(TrainSteps, mlp_interp, "mnist_mlp.dl", "interp", 1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(TrainSteps, mlp_jit_1_thread, "mnist_mlp.dl", "jit", 1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace dlc::tools

BENCHMARK_MAIN();
