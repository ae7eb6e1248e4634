#include "runtime/bench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <set>
#include <string_view>

#include "ir/cost.h"
#include "ir/loops/loop_walk.h"
#include "ir/tensor.h"
#include "nlohmann/json.hpp"
#include "passes/schedule_knobs.h"
#include "runtime/initializers.h"
#include "runtime/jit/jit.h"
#include "runtime/jit/kernel_profile.h"
#include "runtime/jit/thread_pool.h"
#include "runtime/random.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

DType DTypeOf(loops::Type type) {
  switch (type) {
    case loops::Type::kF64: return DType::kF64;
    case loops::Type::kI32: return DType::kI32;
    case loops::Type::kU8: return DType::kU8;
    case loops::Type::kI1: return DType::kI1;
    default: return DType::kF32;  // arguments are never i64 or u64
  }
}

// A compiled graph with its arguments, ready to run again and again.
struct Runnable {
  loops::LoopProgram loops;
  std::optional<jit::CompiledFunction> function;
  std::vector<Tensor> tensors;
  std::vector<void*> args;
  double compile_ms = 0;

  absl::Status Run() { return function->Run(args); }
};

// The arguments of `graph` (lowered to `program`): parameters from their
// initialisers, the optimizer state (`state`) zero, labels below `classes`,
// the dropout key {seed, 0}, other inputs random (integers in [0, 255],
// floats in [0, 1)), outputs zero.
absl::StatusOr<std::vector<Tensor>> MakeArguments(const Graph& graph,
                                                  const loops::LoopProgram& program,
                                                  const std::set<std::string>& state,
                                                  int64_t classes, uint64_t seed) {
  DLC_ASSIGN_OR_RETURN(Feeds parameters, InitializeParameters(graph, seed));
  Rng rng(seed, StreamOf("dlc bench inputs"));
  std::vector<Tensor> tensors;
  for (loops::BufferId id : program.arguments) {
    const loops::Buffer& b = program.buffer(id);
    Tensor& t = tensors.emplace_back(TensorType{DTypeOf(b.type), b.shape});
    if (b.kind != loops::BufferKind::kInput) continue;  // outputs: zero
    if (auto p = parameters.find(b.name); p != parameters.end()) {
      if (p->second.byte_size() != t.byte_size()) {
        return absl::InternalError(StrCat("parameter ", b.name, " has the wrong size"));
      }
      std::copy(p->second.raw_data(), p->second.raw_data() + t.byte_size(), t.raw_data());
      continue;
    }
    const std::optional<ValueId> node = graph.Find(b.name);
    if (!node || graph.node(*node).op != OpKind::kInput) continue;  // state: zero
    if (b.name == "labels") {
      for (int64_t i = 0; i < t.num_elements(); ++i) {
        t.SetDouble(i, static_cast<double>(rng.Below(static_cast<uint64_t>(classes))));
      }
    } else if (b.name == "rng_key") {
      if (t.num_elements() > 0) t.SetDouble(0, static_cast<double>(seed % (uint64_t{1} << 31)));
    } else if (state.contains(b.name)) {
      continue;  // optimizer state: zero, as at the start of training
    } else {
      for (int64_t i = 0; i < t.num_elements(); ++i) {
        t.SetDouble(i, IsFloat(t.dtype()) ? rng.Uniform() : static_cast<double>(rng.Below(256)));
      }
    }
  }
  return tensors;
}

absl::StatusOr<Runnable> Prepare(jit::JitSession& session, const PipelineOptions& options,
                                 const Graph& graph, const std::set<std::string>& state,
                                 int64_t classes, uint64_t seed) {
  Runnable r;
  const auto start = Clock::now();
  Pipeline pipeline(options);
  DLC_ASSIGN_OR_RETURN(r.loops, pipeline.LowerToLoops(graph));
  DLC_ASSIGN_OR_RETURN(jit::CompiledFunction function, session.Compile(r.loops, pipeline));
  r.function.emplace(std::move(function));
  r.compile_ms = 1e3 * SecondsSince(start);
  DLC_ASSIGN_OR_RETURN(r.tensors, MakeArguments(graph, r.loops, state, classes, seed));
  for (Tensor& t : r.tensors) r.args.push_back(t.raw_data());
  return r;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Warm-up, then `repeats` timed runs of `steps` steps (calibrated when 0).
absl::StatusOr<StepTimes> Time(Runnable& r, const BenchOptions& options, int64_t batch) {
  StepTimes times;
  times.batch = batch;
  times.compile_ms = r.compile_ms;
  const auto warm_start = Clock::now();
  while (times.warmup_steps < std::max<int64_t>(1, options.warmup_steps) ||
         SecondsSince(warm_start) < options.warmup_seconds) {
    DLC_RETURN_IF_ERROR(r.Run());
    ++times.warmup_steps;
  }
  const double warm_per_step = SecondsSince(warm_start) / static_cast<double>(times.warmup_steps);
  times.steps_per_repeat =
      options.steps > 0
          ? options.steps
          : std::max<int64_t>(
                1, static_cast<int64_t>(std::ceil(options.min_repeat_seconds / warm_per_step)));
  for (int64_t repeat = 0; repeat < std::max<int64_t>(1, options.repeats); ++repeat) {
    const auto start = Clock::now();
    for (int64_t s = 0; s < times.steps_per_repeat; ++s) DLC_RETURN_IF_ERROR(r.Run());
    times.seconds_per_step.push_back(SecondsSince(start) /
                                     static_cast<double>(times.steps_per_repeat));
  }
  times.median_seconds = Median(times.seconds_per_step);
  times.min_seconds =
      *std::min_element(times.seconds_per_step.begin(), times.seconds_per_step.end());
  times.max_seconds =
      *std::max_element(times.seconds_per_step.begin(), times.seconds_per_step.end());
  return times;
}

std::string WithThousands(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string Format(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// "3.840 GFLOP", "412.300 MFLOP": FLOPs with a unit.
std::string Flops(int64_t flops) {
  const double f = static_cast<double>(flops);
  if (f >= 1e9) return Format("%.3f GFLOP", f / 1e9);
  if (f >= 1e6) return Format("%.3f MFLOP", f / 1e6);
  if (f >= 1e3) return Format("%.3f KFLOP", f / 1e3);
  return Format("%.0f FLOP", f);
}

std::string Pad(std::string s, size_t width, bool left = false) {
  if (s.size() >= width) return s;
  return left ? s + std::string(width - s.size(), ' ') : std::string(width - s.size(), ' ') + s;
}

}  // namespace

int64_t KernelBytes(const loops::LoopProgram& program, const loops::Kernel& kernel) {
  int64_t bytes = 0;
  for (loops::BufferId id : loops::BuffersTouched(program, kernel.body)) {
    const loops::Buffer& b = program.buffer(id);
    if (b.kind == loops::BufferKind::kLocal || b.kind == loops::BufferKind::kConstant) continue;
    bytes += b.num_elements() * loops::TypeSize(b.type);
  }
  return bytes;
}

// A node's FLOPs as its kernel performs them: a convolution that pools its
// result in its own kernel (a maxpool2d in the same kernel) computes only
// the rows and columns the pool's (disjoint) windows cover.
int64_t PerformedFlops(const Graph& graph, const std::vector<int32_t>& owner, ValueId id) {
  const int64_t nominal = NodeFlops(graph, id);
  if (graph.node(id).op != OpKind::kConv2D) return nominal;
  const Shape& y = graph.type(id).shape;
  for (ValueId p = 0; p < graph.size(); ++p) {
    if (graph.node(p).op != OpKind::kMaxPool2D || owner[p] != owner[id]) continue;
    const Shape& pooled = graph.type(p).shape;
    const IntList window = AttrInts(graph.node(p).attrs, "window");
    if (window.size() != 2 || y[1] * y[2] == 0) return nominal;
    return nominal / (y[1] * y[2]) * (pooled[1] * window[0]) * (pooled[2] * window[1]);
  }
  return nominal;
}

std::vector<int64_t> KernelFlops(const Graph& graph, const loops::LoopProgram& program) {
  // Which kernel computes each node ("%name = op").
  std::vector<int32_t> owner(static_cast<size_t>(graph.size()), -1);
  for (size_t k = 0; k < program.kernels.size(); ++k) {
    // "%name = op", or with an epilogue "%name = op + %root = op".
    std::string_view rest = program.kernels[k].name;
    while (rest.starts_with("%")) {  // not "output i: copy of %v"
      const size_t end = rest.find(" = ");
      if (end == std::string_view::npos) break;
      if (std::optional<ValueId> id = graph.Find(rest.substr(1, end - 1))) {
        owner[*id] = static_cast<int32_t>(k);
      }
      const size_t next = rest.find(" + %", end);
      if (next == std::string_view::npos) break;
      rest.remove_prefix(next + 3);
    }
  }
  // A node with no kernel of its own is computed inside its first user's
  // (elementwise fusion); users come after their operands.
  std::vector<std::vector<ValueId>> users(static_cast<size_t>(graph.size()));
  for (ValueId id = 0; id < graph.size(); ++id) {
    for (ValueId operand : graph.node(id).operands) users[operand].push_back(id);
  }
  std::vector<int64_t> flops(program.kernels.size(), 0);
  for (ValueId id = graph.size() - 1; id >= 0; --id) {
    if (owner[id] < 0) {
      for (ValueId user : users[id]) {
        if (owner[user] >= 0) {
          owner[id] = owner[user];
          break;
        }
      }
    }
    if (owner[id] >= 0) flops[owner[id]] += PerformedFlops(graph, owner, id);
  }
  return flops;
}

absl::StatusOr<BenchResult> RunBench(const TrainingProgram& program, const std::string& model,
                                     const BenchOptions& options) {
  if (options.threads > 0) jit::SetThreadCount(options.threads);
  DLC_ASSIGN_OR_RETURN(std::unique_ptr<jit::JitSession> session, jit::JitSession::Create());
  BenchResult result;
  result.model = model;
  result.cpu = session->target().cpu;
  result.threads = jit::ThreadCount();
  result.peak_runs = std::max(1, options.peak.runs);
  const PipelineOptions pipeline = options.pipeline.value_or(PipelineOptionsFor(session->target()));
  result.host_model = DescribeHostModel(result.cpu, PipelineOptionsFor(session->target()).schedule,
                                        pipeline.schedule);
  for (const auto& [key, value] : ScheduleValues(pipeline.schedule))
    result.schedule.emplace_back(key, value);

  // Labels must name a class: the prediction's last dimension.
  int64_t classes = 10;
  if (!program.predict.outputs.empty()) {
    const Shape& shape = program.predict.type(program.predict.outputs[0]).shape;
    if (!shape.empty() && shape.back() > 0) classes = shape.back();
  }
  std::set<std::string> state;
  for (const StateTensor& t : program.state) state.insert(t.name);
  const std::optional<ValueId> labels = program.train_step.Find("labels");
  const int64_t batch = labels ? program.train_step.type(*labels).num_elements() : 0;

  DLC_ASSIGN_OR_RETURN(result.peak, jit::MeasurePeakFlops(*session, options.peak));

  DLC_ASSIGN_OR_RETURN(Runnable train, Prepare(*session, pipeline, program.train_step, state,
                                               classes, options.seed));
  DLC_ASSIGN_OR_RETURN(result.train, Time(train, options, batch));
  result.train.flops = ContractionFlops(program.train_step);
  result.train.all_flops = GraphFlops(program.train_step);

  if (options.predict) {
    DLC_ASSIGN_OR_RETURN(Runnable predict, Prepare(*session, pipeline, program.predict, state,
                                                   classes, options.seed));
    DLC_ASSIGN_OR_RETURN(StepTimes times, Time(predict, options, batch));
    times.flops = ContractionFlops(program.predict);
    times.all_flops = GraphFlops(program.predict);
    result.predict = std::move(times);
  }

  if (options.kernels) {
    PipelineOptions profiled = pipeline;
    profiled.emit.profile_kernels = true;
    DLC_ASSIGN_OR_RETURN(
        Runnable r, Prepare(*session, profiled, program.train_step, state, classes, options.seed));
    const int32_t n = static_cast<int32_t>(r.loops.kernels.size());
    for (int64_t s = 0; s < std::max<int64_t>(1, options.warmup_steps); ++s)
      DLC_RETURN_IF_ERROR(r.Run());
    result.kernel_steps =
        std::max<int64_t>(1, result.train.steps_per_repeat * std::max<int64_t>(1, options.repeats));
    jit::ResetKernelProfile(n);
    for (int64_t s = 0; s < result.kernel_steps; ++s) DLC_RETURN_IF_ERROR(r.Run());
    const std::vector<double> seconds = jit::KernelProfileSeconds();
    const std::vector<int64_t> flops = KernelFlops(program.train_step, r.loops);
    for (int32_t k = 0; k < n; ++k) {
      KernelTime t;
      t.name = r.loops.kernels[k].name;
      t.seconds_per_step = seconds[k] / static_cast<double>(result.kernel_steps);
      t.flops = flops[k];
      t.bytes = KernelBytes(r.loops, r.loops.kernels[k]);
      result.kernels.push_back(std::move(t));
    }
    // Slowest first; ties in program order.
    std::vector<int32_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
      return seconds[a] != seconds[b] ? seconds[a] > seconds[b] : a < b;
    });
    std::vector<KernelTime> sorted;
    for (int32_t k : order) sorted.push_back(std::move(result.kernels[k]));
    result.kernels = std::move(sorted);
  }
  return result;
}

std::string BenchText(const BenchResult& r) {
  std::string out = StrCat(r.model, ": batch ", r.train.batch, ", ", r.threads,
                           r.threads == 1 ? " thread" : " threads", ", ", r.cpu, "\n");
  out += StrCat("Peak: ", Format("%.1f", r.peak.one_thread_gflops), " GFLOP/s on 1 thread");
  if (r.peak.threads > 1) {
    out += StrCat(", ", Format("%.1f", r.peak.all_threads_gflops), " GFLOP/s on ", r.peak.threads,
                  " threads");
  }
  out += StrCat(" (measured: a generated loop of ", r.peak.accumulators, " independent <",
                r.peak.vector_width, " x float> FMAs, best of ", r.peak_runs, " runs)");
  if (r.threads != 1 && r.threads != r.peak.threads) {
    out += StrCat("; ", r.threads, " threads: ", Format("%.1f", r.peak_gflops()),
                  " GFLOP/s (1 thread's times ", r.threads, ")");
  }
  out += StrCat("\nHost: ", r.host_model, "\n\n");
  const double peak = r.peak_gflops();
  out +=
      "step     batch  images/s  [min .. max]           ms/step  [min .. max]        GFLOP/s  % of "
      "peak\n";
  auto row = [&](std::string_view name, const StepTimes& t) {
    const std::string ips_range =
        StrCat("[", WithThousands(std::llround(t.images_per_second(t.max_seconds))), " .. ",
               WithThousands(std::llround(t.images_per_second(t.min_seconds))), "]");
    const std::string ms_range = StrCat("[", Format("%.3f", 1e3 * t.min_seconds), " .. ",
                                        Format("%.3f", 1e3 * t.max_seconds), "]");
    out += StrCat(Pad(std::string(name), 7, true), Pad(StrCat(t.batch), 7),
                  Pad(WithThousands(std::llround(t.images_per_second(t.median_seconds))), 10), "  ",
                  Pad(ips_range, 21, true), Pad(Format("%.3f", 1e3 * t.median_seconds), 9), "  ",
                  Pad(ms_range, 18, true), Pad(Format("%.1f", t.gflops()), 9),
                  Pad(Format("%.1f%%", 100 * t.gflops() / peak), 11), "\n");
  };
  row("train", r.train);
  if (r.predict) row("predict", *r.predict);
  out += StrCat("\nFLOPs per step (2 per multiply-add of matmul and convolution): train ",
                Flops(r.train.flops), " (forward, input and weight gradients)");
  if (r.predict) out += StrCat(", predict ", Flops(r.predict->flops));
  out += StrCat("; every op: train ", Flops(r.train.all_flops));
  if (r.predict) out += StrCat(", predict ", Flops(r.predict->all_flops));
  out += StrCat("\nTiming: median, min and max of ", r.train.seconds_per_step.size(),
                " repeats of ", r.train.steps_per_repeat, " steps (train)");
  if (r.predict) out += StrCat(" and ", r.predict->steps_per_repeat, " steps (predict)");
  out += StrCat(" after ", r.train.warmup_steps, " warm-up steps; compile ",
                Format("%.0f", r.train.compile_ms), " ms (train)");
  if (r.predict) out += StrCat(", ", Format("%.0f", r.predict->compile_ms), " ms (predict)");
  out += "\n";

  if (!r.kernels.empty()) {
    double total = 0;
    for (const KernelTime& k : r.kernels) total += k.seconds_per_step;
    out += StrCat("\nKernels of the training step (a profiled build, ", r.kernel_steps,
                  " steps): ", Format("%.3f", 1e3 * total), " ms per step in ", r.kernels.size(),
                  " kernels\n");
    out += "  ms/step   share  GFLOP/s  % of peak  MB moved     GB/s  kernel\n";
    for (const KernelTime& k : r.kernels) {
      const double s = k.seconds_per_step;
      const double gflops = s > 0 ? static_cast<double>(k.flops) / s / 1e9 : 0;
      const double gbs = s > 0 ? static_cast<double>(k.bytes) / s / 1e9 : 0;
      out += StrCat(Pad(Format("%.4f", 1e3 * s), 9),
                    Pad(Format("%.1f%%", total > 0 ? 100 * s / total : 0), 8),
                    Pad(Format("%.1f", gflops), 9), Pad(Format("%.1f%%", 100 * gflops / peak), 11),
                    Pad(Format("%.3f", static_cast<double>(k.bytes) / 1e6), 10),
                    Pad(Format("%.1f", gbs), 9), "  ", k.name, "\n");
    }
  }
  return out;
}

namespace {

// One training or prediction step's numbers. NaN and infinities (which
// JSON lacks) are written as null.
nlohmann::ordered_json StepJson(const StepTimes& t, double peak) {
  std::vector<double> per_step;
  for (double seconds : t.seconds_per_step) per_step.push_back(1e3 * seconds);
  return {{"batch", t.batch},
          {"flops_per_step", t.flops},
          {"all_flops_per_step", t.all_flops},
          {"warmup_steps", t.warmup_steps},
          {"steps_per_repeat", t.steps_per_repeat},
          {"repeats", t.seconds_per_step.size()},
          {"ms_per_step",
           {{"median", 1e3 * t.median_seconds},
            {"min", 1e3 * t.min_seconds},
            {"max", 1e3 * t.max_seconds},
            {"repeats", per_step}}},
          {"images_per_second",
           {{"median", t.images_per_second(t.median_seconds)},
            {"min", t.images_per_second(t.max_seconds)},
            {"max", t.images_per_second(t.min_seconds)}}},
          {"gflops", t.gflops()},
          {"percent_of_peak", 100 * t.gflops() / peak},
          {"compile_ms", t.compile_ms}};
}

}  // namespace

std::string BenchJson(const BenchResult& r) {
  const double peak = r.peak_gflops();
  nlohmann::ordered_json schedule = nlohmann::ordered_json::object();
  for (const auto& [knob, value] : r.schedule) schedule[knob] = value;
  nlohmann::ordered_json out = {{"model", r.model},
                                {"cpu", r.cpu},
                                {"threads", r.threads},
                                {"batch", r.train.batch},
                                {"peak",
                                 {{"vector_width", r.peak.vector_width},
                                  {"accumulators", r.peak.accumulators},
                                  {"one_thread_gflops", r.peak.one_thread_gflops},
                                  {"threads", r.peak.threads},
                                  {"all_threads_gflops", r.peak.all_threads_gflops}}},
                                {"peak_gflops", peak},
                                {"host_model", r.host_model},
                                {"schedule", schedule},
                                {"train", StepJson(r.train, peak)}};
  if (r.predict) out["predict"] = StepJson(*r.predict, peak);
  if (!r.kernels.empty()) {
    out["kernel_steps"] = r.kernel_steps;
    nlohmann::ordered_json kernels = nlohmann::ordered_json::array();
    for (const KernelTime& k : r.kernels) {
      const double s = k.seconds_per_step;
      const double gflops = s > 0 ? static_cast<double>(k.flops) / s / 1e9 : 0;
      kernels.push_back({{"name", k.name},
                         {"ms_per_step", 1e3 * s},
                         {"flops", k.flops},
                         {"gflops", gflops},
                         {"percent_of_peak", 100 * gflops / peak},
                         {"bytes", k.bytes}});
    }
    out["kernels"] = std::move(kernels);
  }
  // Names are the model's and the CPU's: replace what is not UTF-8 rather
  // than fail.
  return out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace dlc
