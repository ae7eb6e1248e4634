// Steady-state throughput of a model's compiled training step and
// prediction, as `dlc bench` reports it: warm-up excluded, the median of
// timed repeats with their min and max, GFLOP/s against this machine's
// measured peak (jit/peak_flops.h), and optionally where the step's time
// goes, kernel by kernel.
//
// Inputs are random (images in [0, 255], labels below the number of
// classes), parameters start from their initialisers and the optimizer
// state from zero; every timed step runs on the same arguments, so a step's
// work never changes while it is measured.
//
// FLOPs follow the convention of published training throughputs: 2 per
// multiply-add of the contractions (matmul, conv2d and its two gradients),
// counted on the step's tensor IR (ir/cost.h, ContractionFlops), so
// they hold for any model. For a training step that is forward + input
// gradient + weight gradient of every layer, with no input gradient where
// nothing needs one (the first layer).
#ifndef DLC_RUNTIME_BENCH_H_
#define DLC_RUNTIME_BENCH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "passes/pipeline.h"
#include "passes/training.h"
#include "runtime/jit/peak_flops.h"

namespace dlc {

struct BenchOptions {
  // Threads for the JIT's parallel loops; 0 keeps the pool's size.
  int threads = 0;
  // Timed repeats; the report gives their median, min and max.
  int64_t repeats = 7;
  // Steps per repeat; 0: enough to last min_repeat_seconds.
  int64_t steps = 0;
  double min_repeat_seconds = 0.25;
  // Untimed steps first: at least this many, and for at least this long.
  int64_t warmup_steps = 3;
  double warmup_seconds = 0.2;
  bool predict = true;   // also time the prediction graph (same batch)
  bool kernels = false;  // also profile the training step kernel by kernel
  uint64_t seed = 0;     // parameter initialisation and random inputs
  // The compile pipeline (unset: the host's defaults).
  std::optional<PipelineOptions> pipeline;
  jit::PeakFlopsOptions peak;
};

// One graph's timings.
struct StepTimes {
  int64_t batch = 0;
  int64_t flops = 0;      // contraction FLOPs per step (the GFLOP/s numerator)
  int64_t all_flops = 0;  // every op's FLOPs per step (ir/cost.h, GraphFlops)
  int64_t warmup_steps = 0;
  int64_t steps_per_repeat = 0;
  std::vector<double> seconds_per_step;  // one per repeat, in order
  double median_seconds = 0, min_seconds = 0, max_seconds = 0;
  double compile_ms = 0;  // lowering, scheduling, LLVM and machine code

  double images_per_second(double seconds) const { return static_cast<double>(batch) / seconds; }
  double gflops() const { return static_cast<double>(flops) / median_seconds / 1e9; }
};

// One kernel of the training step (a tensor-IR node, elementwise producers
// fused into it), from a build with profiling calls around every kernel.
struct KernelTime {
  std::string name;  // the loop IR's: "%conv2d.conv = conv2d"
  double seconds_per_step = 0;
  // The FLOPs of its tensor-IR node and of the nodes fused into it (every
  // op, not only contractions; ir/cost.h).
  int64_t flops = 0;
  // Bytes of the buffers it reads or writes, each counted once: the traffic
  // it cannot avoid (registers and compile-time constants excluded).
  int64_t bytes = 0;
};

struct BenchResult {
  std::string model;
  std::string cpu;  // LLVM's name for the host CPU
  // The host model the compile used and the overrides of it
  // (passes/schedule_knobs.h, DescribeHostModel), and every knob's value.
  std::string host_model;
  std::vector<std::pair<std::string, int64_t>> schedule;
  int threads = 1;
  jit::PeakFlops peak;
  int peak_runs = 0;
  StepTimes train;
  std::optional<StepTimes> predict;
  // With BenchOptions::kernels: slowest first.
  std::vector<KernelTime> kernels;
  int64_t kernel_steps = 0;  // profiled steps the kernel times are averaged over

  // The peak for `threads` threads (jit::PeakFlops::ForThreads).
  double peak_gflops() const { return peak.ForThreads(threads); }
};

// Compiles and times `program` (built for one batch size) on the JIT.
// Sets the thread pool's size when options.threads > 0.
absl::StatusOr<BenchResult> RunBench(const TrainingProgram& program, const std::string& model,
                                     const BenchOptions& options);

// The report as text (tables) and as one JSON object (the same numbers).
std::string BenchText(const BenchResult& result);
std::string BenchJson(const BenchResult& result);

// The bytes a loop-IR kernel's statements read or write, each buffer once;
// locals (registers) and constants excluded.
int64_t KernelBytes(const loops::LoopProgram& program, const loops::Kernel& kernel);

// FLOPs (every op's, ir/cost.h) of the tensor-IR nodes behind each kernel of
// `program`, lowered from `graph`: a kernel "%v = op" gets node v's, plus
// those of nodes fused into it (nodes with no kernel of their own, charged
// to their first user that has one). Copies of outputs get 0.
std::vector<int64_t> KernelFlops(const Graph& graph, const loops::LoopProgram& program);

}  // namespace dlc

#endif  // DLC_RUNTIME_BENCH_H_
