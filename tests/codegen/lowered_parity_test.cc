// Lowered programs, JIT-compiled, against the loop IR's reference
// interpreter: every op of the IR corpus and the whole training step of each
// seed model, as lowered (all loops serial) and as scheduled (parallel and
// vectorized loops), with one thread and with two. Without FMA the JIT
// computes the interpreter's bits, except where f32 exp or log (polynomials
// in the JIT, libm in the interpreter) enter: 1e-6 for one op, 1e-4 for a
// training step. The thread count never changes a bit.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "frontend/lower.h"
#include "frontend/parser.h"
#include "ir/interpreter.h"
#include "ir/loops/loop_interpreter.h"
#include "ir/loops/loop_printer.h"
#include "ir/parser.h"
#include "passes/pipeline.h"
#include "passes/schedule_knobs.h"
#include "passes/training.h"
#include "runtime/jit/thread_pool.h"
#include "tests/codegen/codegen_test_util.h"

namespace dlc::codegen_test {
namespace {

// Deterministic values for every input and parameter: floats in [-1, 1),
// integers in [0, int_range) (labels must stay below the class count).
std::map<std::string, Tensor> MakeInputs(const Graph& graph, int64_t int_range) {
  std::map<std::string, Tensor> inputs;
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  for (const Node& node : graph.nodes) {
    if (node.op != OpKind::kInput && node.op != OpKind::kParameter) continue;
    Tensor t(node.type);
    for (int64_t i = 0; i < t.num_elements(); ++i) {
      const uint64_t r = next();
      t.SetDouble(i, IsFloat(t.dtype())
                         ? static_cast<double>(r % 2000) / 1000.0 - 1.0
                         : static_cast<double>(r % static_cast<uint64_t>(int_range)));
    }
    inputs.emplace(node.name, std::move(t));
  }
  return inputs;
}

// Equal, except that NaN equals NaN and f32 values may differ by
// `tolerance`, relative (absolute below 1).
void ExpectMatches(const Tensor& expected, const Tensor& actual, double tolerance,
                   const std::string& what) {
  ASSERT_EQ(expected.type(), actual.type()) << what;
  int reported = 0;
  for (int64_t i = 0; i < expected.num_elements() && reported < 5; ++i) {
    const double e = expected.GetDouble(i), a = actual.GetDouble(i);
    if ((std::isnan(e) && std::isnan(a)) || e == a) continue;
    const bool f32 = expected.dtype() == DType::kF32;
    if (!f32 || std::abs(e - a) > tolerance * std::max({std::abs(e), std::abs(a), 1.0})) {
      ADD_FAILURE() << what << "[" << i << "]: interpreter " << e << ", JIT " << a;
      ++reported;
    }
  }
}

bool SameBits(const Tensor& a, const Tensor& b) {
  return a.byte_size() == b.byte_size() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.byte_size()) == 0;
}

// Whether `program` computes an f32 exp or log (softmax, cross-entropy,
// tanh, sigmoid): the JIT's are polynomials (passes/codegen/vector_math.h),
// the interpreter's libm, and they differ in the last bit.
bool UsesF32ExpOrLog(const loops::LoopProgram& program) {
  for (const loops::Expr& e : program.exprs) {
    if (e.kind == loops::ExprKind::kUnary && e.type == loops::Type::kF32 &&
        (e.unary == loops::UnaryOp::kExp || e.unary == loops::UnaryOp::kLog)) {
      return true;
    }
  }
  return false;
}

// With FMA: 1e-4 (the Adam reason below), everywhere.
constexpr double kFmaTolerance = 1e-4;
// Without, where f32 exp or log enter: 1e-6 for one op; 1e-4 for a whole
// training step. Adam's first step divides a gradient by its own magnitude,
// so where a gradient is near zero (LeNet-5 has such weights) last-bit
// differences in it, from FMA or from exp (LeNet-5's tanh), move the
// updated weight by up to a few percent of the learning rate (seen: 3e-5
// from FMA, 9e-6 from exp).
constexpr double kOpTolerance = 1e-6;
constexpr double kTrainStepTolerance = 1e-4;

// Runs `program` on `feeds` in the interpreter and in the JIT, with one
// thread and with two, and compares the outputs (relative, or absolute
// below 1): with FMA to kFmaTolerance; without, bit for bit, or to
// `exp_log_tolerance` where the program has an f32 exp or log.
void ExpectJitMatchesInterpreter(const loops::LoopProgram& program,
                                 const std::map<std::string, Tensor>& feeds,
                                 const std::string& what, double exp_log_tolerance) {
  std::vector<const Tensor*> inputs;
  std::vector<void*> input_data;
  for (loops::BufferId id : program.arguments) {
    const loops::Buffer& buffer = program.buffer(id);
    if (buffer.kind != loops::BufferKind::kInput) continue;
    inputs.push_back(&feeds.at(buffer.name));
    input_data.push_back(const_cast<std::byte*>(feeds.at(buffer.name).raw_data()));
  }
  absl::StatusOr<std::vector<Tensor>> expected = loops::RunLoopProgram(program, inputs);
  ASSERT_TRUE(expected.ok()) << what << ": " << expected.status();

  const double without_fma = UsesF32ExpOrLog(program) ? exp_log_tolerance : 0;
  const int saved_threads = jit::ThreadCount();
  for (bool fuse : {false, true}) {
    absl::StatusOr<jit::CompiledFunction> compiled =
        Jit().Compile(program, codegen::EmitOptions{.fuse_multiply_add = fuse});
    ASSERT_TRUE(compiled.ok()) << what << ": " << compiled.status();
    std::vector<std::vector<Tensor>> runs;
    for (int threads : {1, 2}) {
      jit::SetThreadCount(threads);
      std::vector<Tensor> outputs;
      std::vector<void*> args = input_data;
      for (const Tensor& e : *expected) outputs.emplace_back(e.type());
      for (Tensor& t : outputs) args.push_back(t.raw_data());
      absl::Status status = compiled->Run(args);
      ASSERT_TRUE(status.ok()) << what << ": " << status;
      runs.push_back(std::move(outputs));
    }
    for (size_t k = 0; k < expected->size(); ++k) {
      const std::string output =
          what + (fuse ? " with FMA" : " without FMA") + ", output " + std::to_string(k);
      ExpectMatches((*expected)[k], runs[0][k], fuse ? kFmaTolerance : without_fma, output);
      EXPECT_TRUE(SameBits(runs[0][k], runs[1][k])) << output << ": 2 threads differ from 1";
    }
  }
  jit::SetThreadCount(saved_threads);
}

// With `overrides` (as --schedule takes them), the scheduled program is
// made with them, and must differ from the one made without.
void ExpectParity(const Graph& graph, const std::map<std::string, Tensor>& feeds,
                  double exp_log_tolerance, std::string_view overrides = "") {
  // Lowered only (no loop pass but memory planning), then fully scheduled;
  // the verifier runs after every step.
  PipelineOptions plain = PipelineOptionsFor(Jit().target());
  plain.loop_passes = std::vector<std::string>{};
  plain.verify_each = true;
  absl::StatusOr<loops::LoopProgram> program = Pipeline(plain).LowerToLoops(graph);
  ASSERT_TRUE(program.ok()) << graph.name << ": " << program.status();
  ExpectJitMatchesInterpreter(*program, feeds, graph.name + " (lowered)", exp_log_tolerance);
  PipelineOptions scheduled = PipelineOptionsFor(Jit().target());
  scheduled.schedule.min_parallel_work = 1 << 10;
  scheduled.verify_each = true;
  const PipelineOptions unchanged = scheduled;
  ASSERT_TRUE(ApplyScheduleOverrides(overrides, scheduled.schedule).ok());
  program = Pipeline(scheduled).LowerToLoops(graph);
  ASSERT_TRUE(program.ok()) << graph.name << ": " << program.status();
  if (!overrides.empty()) {
    absl::StatusOr<loops::LoopProgram> without = Pipeline(unchanged).LowerToLoops(graph);
    ASSERT_TRUE(without.ok()) << without.status();
    EXPECT_NE(loops::PrintLoopProgram(*program), loops::PrintLoopProgram(*without))
        << "--schedule=" << overrides << " changes nothing";
  }
  ExpectJitMatchesInterpreter(*program, feeds, graph.name + " (scheduled)", exp_log_tolerance);
}

TEST(LoweredParityTest, EveryOpOfTheCorpus) {
  absl::StatusOr<Module> module = ParseModuleFile(DLC_SOURCE_DIR "/tests/ir/testdata/all_ops.ir");
  ASSERT_TRUE(module.ok()) << module.status();
  for (Graph graph : module->graphs) {
    // Every value is an output, so each op is compared.
    graph.outputs.clear();
    for (ValueId id = 0; id < graph.size(); ++id) graph.outputs.push_back(id);
    ExpectParity(graph, MakeInputs(graph, 3), kOpTolerance);
  }
}

// Convolution gradients over a batch of 32, which run as 2 fixed chunks
// (a reused padded image per chunk for the input gradient, partial sums
// for the filter gradient), on 1 and 2 threads.
TEST(LoweredParityTest, ConvolutionGradientsInBatchChunks) {
  absl::StatusOr<Module> module = ParseModule(R"(graph g {
  %dy = input() : f32[32,3,4,32]
  %w = parameter() : f32[3,3,16,32]
  %dx = conv2d_backprop_input(%dy, %w) {input_shape=[32,5,6,16]} : f32[32,5,6,16]
  %dy6 = input() : f32[32,4,8,16]
  %w6 = parameter() : f32[3,3,6,16]
  %dx6 = conv2d_backprop_input(%dy6, %w6) {input_shape=[32,6,10,6]} : f32[32,6,10,6]
  %x1 = input() : f32[32,6,14,1]
  %dy1 = input() : f32[32,4,12,3]
  %dw1 = conv2d_backprop_filter(%x1, %dy1) {filter_shape=[3,3,1,3]} : f32[3,3,1,3]
  return %dx, %dx6, %dw1
})",
                                              "chunks.ir");
  ASSERT_TRUE(module.ok()) << module.status();
  ExpectParity(module->graphs[0], MakeInputs(module->graphs[0], 3), kTrainStepTolerance);
}

// Softmax, log-softmax, cross-entropy and argmax along axes shorter and
// longer than a vector (3, 10, 17, 40 classes; their rows side by side in
// SIMD lanes, 37 rows: a masked last vector), and along a middle axis
// (the positions after it in the lanes). The loop interpreter keeps the
// tensor interpreter's argmax exactly, its softmax family to the last bits
// of libm.
TEST(LoweredParityTest, SoftmaxFamilyAlongShortAndLongAxes) {
  std::string text = "graph g {\n  %labels = input() : u8[37]\n";
  std::string outputs;
  for (int classes : {3, 10, 17, 40}) {
    const std::string k = std::to_string(classes), x = "%x" + k, rows = "f32[37," + k + "]";
    text += "  " + x + " = input() : " + rows + "\n";
    text += "  %p" + k + " = softmax(" + x + ") : " + rows + "\n";
    text += "  %lp" + k + " = log_softmax(" + x + ") : " + rows + "\n";
    text += "  %loss" + k + " = softmax_cross_entropy(" + x + ", %labels) : f32[]\n";
    text += "  %best" + k + " = argmax(" + x + ") {axis=1} : i32[37]\n";
    outputs += "%p" + k + ", %lp" + k + ", %loss" + k + ", %best" + k + ", ";
  }
  text += R"(  %y = input() : f32[3,10,5]
  %py = softmax(%y) {axis=1} : f32[3,10,5]
  %besty = argmax(%y) {axis=1} : i32[3,5]
  return )" +
          outputs + "%py, %besty\n}\n";
  absl::StatusOr<Module> module = ParseModule(text, "softmax.ir");
  ASSERT_TRUE(module.ok()) << module.status();
  const Graph& graph = module->graphs[0];
  // Labels below 3, the fewest classes; ties among the inputs (steps of 1e-3).
  std::map<std::string, Tensor> feeds = MakeInputs(graph, 3);
  ExpectParity(graph, feeds, kOpTolerance);

  absl::StatusOr<std::vector<Tensor>> expected = Interpret(graph, feeds);
  ASSERT_TRUE(expected.ok()) << expected.status();
  absl::StatusOr<loops::LoopProgram> program =
      Pipeline(PipelineOptionsFor(Jit().target())).LowerToLoops(graph);
  ASSERT_TRUE(program.ok()) << program.status();
  absl::StatusOr<std::vector<Tensor>> actual = loops::RunLoopProgramOnFeeds(*program, feeds);
  ASSERT_TRUE(actual.ok()) << actual.status();
  for (size_t k = 0; k < expected->size(); ++k) {
    ExpectMatches((*expected)[k], (*actual)[k], kOpTolerance, "output " + std::to_string(k));
  }
}

// Argmax's corner cases, to the bit in the JIT (one and two threads): the
// first maximum wins a tie, the first NaN beats everything, a row of -inf
// gives place 0; rows in lanes, each row a case.
TEST(LoweredParityTest, ArgmaxTiesNaNsAndInfinitiesInLanes) {
  absl::StatusOr<Module> module = ParseModule(R"(graph g {
  %x = input() : f32[20,5]
  %best = argmax(%x) {axis=1} : i32[20]
  return %best
})",
                                              "argmax.ir");
  ASSERT_TRUE(module.ok()) << module.status();
  const Graph& graph = module->graphs[0];
  const float nan = std::numeric_limits<float>::quiet_NaN(),
              inf = std::numeric_limits<float>::infinity();
  const std::vector<std::vector<float>> cases = {{1, 3, 3, 2, 0},
                                                 {nan, 1, 2, 3, 4},
                                                 {1, 2, nan, 9, nan},
                                                 {-inf, -inf, -inf, -inf, -inf},
                                                 {-inf, -inf, -2, -inf, -2},
                                                 {inf, 1, inf, 2, 3},
                                                 {0, -0.0f, 0, 0, 0},
                                                 {-1, -1, -1, -1, 5}};
  std::vector<float> values;
  for (int row = 0; row < 20; ++row) {
    const std::vector<float>& c = cases[row % cases.size()];
    values.insert(values.end(), c.begin(), c.end());
  }
  std::map<std::string, Tensor> feeds;
  feeds.emplace("x", Tensor::FromVector<float>(DType::kF32, {20, 5}, values));
  absl::StatusOr<std::vector<Tensor>> expected = Interpret(graph, feeds);
  ASSERT_TRUE(expected.ok()) << expected.status();
  for (int row = 0; row < static_cast<int>(cases.size()); ++row) {
    EXPECT_EQ((*expected)[0].GetDouble(row), std::vector<int>({1, 0, 2, 0, 2, 0, 0, 4})[row])
        << row;
  }
  ExpectParity(graph, feeds, /*exp_log_tolerance=*/0);
}

// The training step of a seed model (Adam), on a small batch: the
// interpreter walks the loop tree one element at a time.
void ExpectTrainStepParity(const std::string& file, int64_t batch,
                           std::string_view overrides = "") {
  absl::StatusOr<dl::Program> source = dl::ParseProgramFile(DLC_SOURCE_DIR "/examples/" + file);
  ASSERT_TRUE(source.ok()) << source.status();
  const std::string& model = source->models[0].name;
  absl::StatusOr<dl::LoweredModel> training = dl::LowerModel(*source, model, {batch, true});
  absl::StatusOr<dl::LoweredModel> inference = dl::LowerModel(*source, model, {batch, false});
  ASSERT_TRUE(training.ok() && inference.ok());
  absl::StatusOr<TrainingProgram> program = BuildTrainingProgram(
      {training->graph, training->logits.value_or(training->graph.outputs[0])},
      {inference->graph, inference->logits.value_or(inference->graph.outputs[0])}, OptimizerSpec{});
  ASSERT_TRUE(program.ok()) << program.status();
  std::map<std::string, Tensor> feeds = MakeInputs(program->train_step, 10);
  for (const StateTensor& s : program->state) feeds[s.name] = Tensor(s.type);
  if (feeds.contains("rng_key")) {
    feeds["rng_key"] = Tensor::FromVector<int32_t>(DType::kI32, {2}, std::vector<int32_t>{3, 9});
  }
  ExpectParity(program->train_step, feeds, kTrainStepTolerance, overrides);
}

TEST(LoweredParityTest, MlpTrainStep) { ExpectTrainStepParity("mnist_mlp.dl", 8); }
TEST(LoweredParityTest, CnnTrainStep) { ExpectTrainStepParity("mnist_cnn.dl", 2); }
TEST(LoweredParityTest, Lenet5TrainStep) { ExpectTrainStepParity("lenet5.dl", 2); }
TEST(LoweredParityTest, Lenet5ReluTrainStep) { ExpectTrainStepParity("lenet5_relu.dl", 2); }
TEST(LoweredParityTest, ConvnetTrainStep) { ExpectTrainStepParity("convnet.dl", 2); }
TEST(LoweredParityTest, ResidualTrainStep) { ExpectTrainStepParity("mnist_residual.dl", 1); }

// Overriding the host model (--schedule) changes the tiles, blocks and
// vectors, never what is computed.
TEST(LoweredParityTest, CnnTrainStepWithOverriddenSchedule) {
  ExpectTrainStepParity("mnist_cnn.dl", 2,
                        "pixel_tile=3,register_block=2,vector_bytes=32,vector_registers=16");
}
TEST(LoweredParityTest, Lenet5TrainStepWithOverriddenSchedule) {
  ExpectTrainStepParity("lenet5.dl", 2, "pixel_tile=5,register_block=4,max_accumulators=12");
}

}  // namespace
}  // namespace dlc::codegen_test
