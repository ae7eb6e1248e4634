// The compile pipeline's contract (passes/pipeline.h): its steps and their
// order, what --time-passes and --print-after report, that `loop_passes`
// runs exactly the named loop passes, that the loop verifier guards code
// generation, and that the JIT backend compiles through the same pipeline.
#include "passes/pipeline.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "ir/interpreter.h"
#include "ir/parser.h"
#include "runtime/jit/jit_backend.h"
#include "runtime/jit/thread_pool.h"
#include "support/str_cat.h"
#include "tests/codegen/codegen_test_util.h"

namespace dlc::codegen_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// A matrix product (a reduction: accumulators, register blocks, vectors),
// then a softmax over intermediates (temps for the workspace) and a
// reduction to a scalar.
constexpr char kGraph[] = R"(
graph small {
  %x = input() : f32[16,32]
  %w = parameter() : f32[32,64]
  %b = parameter() : f32[64]
  %mm = matmul(%x, %w) : f32[16,64]
  %biased = add(%mm, %b) : f32[16,64]
  %p = softmax(%biased) : f32[16,64]
  %total = reduce_sum(%p) {axes=[0,1]} : f32[]
  return %p, %total
}
)";

Graph SmallGraph() {
  absl::StatusOr<Module> module = ParseModule(kGraph);
  EXPECT_TRUE(module.ok()) << module.status();
  return module.ok() ? module->graphs[0] : Graph{};
}

// The host target's options; nests of 1024 iterations or more run in
// parallel, so that parallelize has work on the small graph.
PipelineOptions HostOptions() {
  PipelineOptions options = PipelineOptionsFor(Jit().target());
  options.schedule.min_parallel_work = 1 << 10;
  return options;
}

// What the loop passes left in a program: the loop kinds reachable from
// its kernels, its local (register) buffers, its temps without an offset.
struct LoopCensus {
  int serial = 0, vectorized = 0, parallel = 0, other = 0;
  int locals = 0, unplaced_temps = 0;
};

void CountLoops(const loops::LoopProgram& p, StmtId id, LoopCensus& shape) {
  const loops::Stmt& s = p.stmt(id);
  if (s.kind == loops::StmtKind::kFor) {
    switch (s.loop) {
      case LoopKind::kSerial: ++shape.serial; break;
      case LoopKind::kVectorized: ++shape.vectorized; break;
      case LoopKind::kParallel: ++shape.parallel; break;
      default: ++shape.other; break;
    }
  }
  for (StmtId child : s.body) CountLoops(p, child, shape);
}

LoopCensus CensusOf(const loops::LoopProgram& p) {
  LoopCensus shape;
  for (const loops::Kernel& kernel : p.kernels) {
    for (StmtId id : kernel.body) CountLoops(p, id, shape);
  }
  for (const loops::Buffer& buffer : p.buffers) {
    if (buffer.kind == loops::BufferKind::kLocal) ++shape.locals;
    if (buffer.kind == loops::BufferKind::kTemp && buffer.offset < 0) ++shape.unplaced_temps;
  }
  return shape;
}

std::vector<std::string> StepNames(const PipelineTimings& timings) {
  std::vector<std::string> names;
  for (const auto& [name, ms] : timings.steps) names.push_back(name);
  return names;
}

// The graph through every step: lowering, loop passes, the JIT's codegen.
absl::Status CompileThrough(Pipeline& pipeline) {
  absl::StatusOr<loops::LoopProgram> program = pipeline.LowerToLoops(SmallGraph());
  if (!program.ok()) return program.status();
  return Jit().Compile(*program, pipeline).status();
}

TEST(PipelineTest, StepsAreListedInPipelineOrder) {
  EXPECT_THAT(PipelineSteps(),
              ElementsAre("simplify", "move-pool-masks", "fuse", "lower", "accumulate-in-registers",
                          "block-registers", "vectorize", "parallelize", "plan-memory",
                          "verify-loops", "emit-llvm", "optimize"));
  EXPECT_THAT(LoopPasses(), ElementsAre("accumulate-in-registers", "block-registers", "vectorize",
                                        "parallelize", "plan-memory"));
}

TEST(PipelineTest, TimePassesNamesEachStepThatRanInOrder) {
  PipelineOptions options = HostOptions();
  options.time_passes = true;
  Pipeline pipeline(options);
  ASSERT_TRUE(CompileThrough(pipeline).ok());
  EXPECT_THAT(StepNames(pipeline.timings()),
              ElementsAre("simplify", "move-pool-masks", "fuse", "lower", "accumulate-in-registers",
                          "block-registers", "vectorize", "parallelize", "plan-memory",
                          "verify-loops", "emit-llvm", "optimize"));

  // Steps the options turn off do not run, so they have no time.
  options.schedule.min_parallel_work = 0;
  options.schedule.register_block = 1;
  Pipeline without(options);
  ASSERT_TRUE(CompileThrough(without).ok());
  EXPECT_THAT(StepNames(without.timings()),
              ElementsAre("simplify", "move-pool-masks", "fuse", "lower", "accumulate-in-registers",
                          "vectorize", "plan-memory", "verify-loops", "emit-llvm", "optimize"));

  // Nothing is recorded unless asked.
  Pipeline untimed(HostOptions());
  ASSERT_TRUE(CompileThrough(untimed).ok());
  EXPECT_TRUE(untimed.timings().steps.empty());
}

TEST(PipelineTest, TimingReportHasARowPerStepAndATotal) {
  PipelineTimings timings;
  timings.steps = {{"lower", 1.5}, {"vectorize", 0.5}, {"optimize", 2.0}};
  EXPECT_DOUBLE_EQ(timings.total_ms(), 4.0);
  const std::vector<std::string> lines = absl::StrSplit(timings.Report(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 5u) << timings.Report();
  EXPECT_THAT(lines[0], StartsWith("step"));
  EXPECT_THAT(lines[1], StartsWith("lower "));
  EXPECT_THAT(lines[1], HasSubstr("1.50"));
  EXPECT_THAT(lines[1], HasSubstr("37.5%"));
  EXPECT_THAT(lines[2], StartsWith("vectorize "));
  EXPECT_THAT(lines[2], HasSubstr("12.5%"));
  EXPECT_THAT(lines[3], StartsWith("optimize "));
  EXPECT_THAT(lines[3], HasSubstr("50.0%"));
  EXPECT_THAT(lines[4], StartsWith("total "));
  EXPECT_THAT(lines[4], HasSubstr("4.00"));
}

TEST(PipelineTest, PrintAfterPrintsTheNamedStepOnce) {
  std::vector<std::pair<std::string, std::string>> printed;
  PipelineOptions options = HostOptions();
  options.print_after = {"vectorize"};
  options.print = [&](std::string_view step, const std::string& text) {
    printed.emplace_back(std::string(step), text);
  };
  Pipeline pipeline(options);
  ASSERT_TRUE(CompileThrough(pipeline).ok());
  ASSERT_EQ(printed.size(), 1u);
  EXPECT_EQ(printed[0].first, "vectorize");
  // As many lanes as the host's widest vector holds f32s (16 with AVX-512).
  EXPECT_THAT(printed[0].second,
              HasSubstr(StrCat("vectorized ", Jit().target().vector_bytes() / 4, " {")));
  // The program as it was then: memory is planned later, so its temps have
  // no offset yet, and parallelize has not run.
  EXPECT_THAT(printed[0].second, HasSubstr("buffer %mm f32[16,64] temp\n"));
  EXPECT_THAT(printed[0].second, Not(HasSubstr(" parallel")));
}

TEST(PipelineTest, PrintAfterAllPrintsEveryStepInOrder) {
  std::vector<std::pair<std::string, std::string>> printed;
  PipelineOptions options = HostOptions();
  // The plain matmul nest, so that accumulate-in-registers makes one local
  // and block-registers the others (a register tile would make them all).
  options.schedule.register_tiles = false;
  options.print_after_all = true;
  options.print = [&](std::string_view step, const std::string& text) {
    printed.emplace_back(std::string(step), text);
  };
  Pipeline pipeline(options);
  ASSERT_TRUE(CompileThrough(pipeline).ok());
  std::vector<std::string> steps;
  for (const auto& [step, text] : printed) steps.push_back(step);
  // verify-loops changes nothing, so it prints nothing.
  EXPECT_THAT(steps, ElementsAre("simplify", "move-pool-masks", "fuse", "lower",
                                 "accumulate-in-registers", "block-registers", "vectorize",
                                 "parallelize", "plan-memory", "emit-llvm", "optimize"));
  ASSERT_EQ(printed.size(), 11u);
  EXPECT_THAT(printed[0].second, StartsWith("graph small {"));
  EXPECT_THAT(printed[1].second, StartsWith("graph small {"));
  EXPECT_THAT(printed[2].second, StartsWith("fusion small {"));
  EXPECT_THAT(printed[3].second, StartsWith("func small("));
  EXPECT_THAT(printed[4].second, HasSubstr("buffer %mm.acc f32[] local"));
  EXPECT_THAT(printed[4].second, Not(HasSubstr("%mm.acc.1")));
  EXPECT_THAT(printed[5].second, HasSubstr("buffer %mm.acc.1 f32[] local"));
  EXPECT_THAT(printed[7].second, HasSubstr(" parallel {"));
  EXPECT_THAT(printed[8].second, HasSubstr("buffer %mm f32[16,64] temp @"));
  EXPECT_THAT(printed[9].second, HasSubstr("define "));
  EXPECT_THAT(printed[10].second, HasSubstr("define "));
}

TEST(PipelineTest, NoLoopPassesLeaveTheLoweredLoops) {
  // The default passes do change this graph...
  absl::StatusOr<loops::LoopProgram> scheduled = Pipeline(HostOptions()).LowerToLoops(SmallGraph());
  ASSERT_TRUE(scheduled.ok()) << scheduled.status();
  const LoopCensus s = CensusOf(*scheduled);
  EXPECT_GT(s.vectorized, 0);
  EXPECT_GT(s.parallel, 0);
  EXPECT_GT(s.locals, 0);
  EXPECT_EQ(s.unplaced_temps, 0);

  // ... none of them runs with an empty list, but the workspace is still
  // planned (code generation needs it).
  PipelineOptions options = HostOptions();
  options.loop_passes = std::vector<std::string>{};
  absl::StatusOr<loops::LoopProgram> lowered = Pipeline(options).LowerToLoops(SmallGraph());
  ASSERT_TRUE(lowered.ok()) << lowered.status();
  const LoopCensus l = CensusOf(*lowered);
  EXPECT_GT(l.serial, 0);
  EXPECT_EQ(l.vectorized, 0);
  EXPECT_EQ(l.parallel, 0);
  EXPECT_EQ(l.other, 0);
  EXPECT_EQ(l.locals, 0);
  EXPECT_EQ(l.unplaced_temps, 0);
  EXPECT_GT(lowered->workspace_bytes, 0);
}

TEST(PipelineTest, OnlyTheNamedLoopPassesRun) {
  PipelineOptions options = HostOptions();
  options.loop_passes = std::vector<std::string>{"vectorize"};
  absl::StatusOr<loops::LoopProgram> program = Pipeline(options).LowerToLoops(SmallGraph());
  ASSERT_TRUE(program.ok()) << program.status();
  const LoopCensus shape = CensusOf(*program);
  EXPECT_GT(shape.vectorized, 0);
  EXPECT_EQ(shape.parallel, 0);
  EXPECT_EQ(shape.locals, 0);  // no accumulators
  EXPECT_EQ(shape.unplaced_temps, 0);
}

TEST(PipelineTest, LoopPassesRunInTheGivenOrderWithPlanMemoryLast) {
  std::vector<std::string> printed;
  PipelineOptions options = HostOptions();
  options.loop_passes = std::vector<std::string>{"parallelize", "vectorize"};
  options.print_after_all = true;
  options.time_passes = true;
  options.print = [&](std::string_view step, const std::string&) { printed.emplace_back(step); };
  Pipeline pipeline(options);
  ASSERT_TRUE(pipeline.LowerToLoops(SmallGraph()).ok());
  EXPECT_THAT(printed, ElementsAre("simplify", "move-pool-masks", "fuse", "lower", "parallelize",
                                   "vectorize", "plan-memory"));
  EXPECT_THAT(StepNames(pipeline.timings()),
              ElementsAre("simplify", "move-pool-masks", "fuse", "lower", "parallelize",
                          "vectorize", "plan-memory"));
}

TEST(PipelineTest, UnknownLoopPassIsAnErrorListingTheKnownOnes) {
  constexpr char kKnown[] =
      "(the loop passes: accumulate-in-registers, block-registers, vectorize, parallelize, "
      "plan-memory)";
  PipelineOptions options = HostOptions();
  options.loop_passes = std::vector<std::string>{"vectorize", "vectorise"};
  absl::StatusOr<loops::LoopProgram> program = Pipeline(options).LowerToLoops(SmallGraph());
  ASSERT_FALSE(program.ok());
  EXPECT_EQ(program.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(program.status().message(), std::string("unknown loop pass 'vectorise' ") + kKnown);

  // Steps that are not loop passes are not accepted either.
  for (const char* step :
       {"simplify", "move-pool-masks", "fuse", "lower", "verify-loops", "emit-llvm", "optimize"}) {
    absl::Status status = CheckLoopPassNames({step});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << step;
    EXPECT_THAT(status.message(), HasSubstr(kKnown)) << step;
  }
  EXPECT_TRUE(CheckLoopPassNames({}).ok());
  EXPECT_TRUE(CheckLoopPassNames({LoopPasses().begin(), LoopPasses().end()}).ok());
}

TEST(PipelineTest, LoopVerifierRejectsAnOutOfBoundsStoreBeforeCodegen) {
  // out[i + 1] = x[i] for i in [0, 4): the last store writes past out's end.
  TestProgram p("off_by_one");
  BufferId x = p.Input("x", Type::kF32, 4);
  BufferId out = p.Output("out", Type::kF32, 4);
  p.Loop(4, LoopKind::kSerial, 1, [&](ExprId i) {
    LoopBuilder& b = p.b();
    return std::vector<StmtId>{b.Store(out, b.AddConst(i, 1), b.Load(x, i))};
  });
  p.program().arguments = {x, out};

  PipelineOptions options = PipelineOptionsFor(Jit().target());
  options.time_passes = true;
  Pipeline pipeline(options);
  absl::StatusOr<jit::CompiledFunction> compiled = Jit().Compile(p.program(), pipeline);
  ASSERT_FALSE(compiled.ok());
  EXPECT_THAT(compiled.status().message(),
              HasSubstr("store to %out at index range [1, 4] outside [0, 4)"));
  // The verifier stopped it: code generation never started.
  EXPECT_THAT(StepNames(pipeline.timings()), ElementsAre("verify-loops"));
  // The default JIT compile runs the verifier too.
  EXPECT_THAT(Jit().Compile(p.program()).status().message(), HasSubstr("outside [0, 4)"));
  // The emitter alone accepts the program: the verifier is what rejects it.
  // (The result is never run.)
  EXPECT_TRUE(CompileUnverified(p.program()).ok());
}

// Feeds for every input and parameter of `graph`: values in [-1, 1).
Feeds MakeFeeds(const Graph& graph) {
  Feeds feeds;
  uint32_t state = 12345;
  for (const Node& node : graph.nodes) {
    if (node.op != OpKind::kInput && node.op != OpKind::kParameter) continue;
    Tensor t(node.type);
    for (int64_t i = 0; i < t.num_elements(); ++i) {
      state = state * 1664525u + 1013904223u;
      t.SetDouble(i, static_cast<double>(state >> 8) / (1 << 23) - 1.0);
    }
    feeds.emplace(node.name, std::move(t));
  }
  return feeds;
}

TEST(PipelineTest, PipelineAndJitBackendComputeTheSameBits) {
  const Graph graph = SmallGraph();
  const Feeds feeds = MakeFeeds(graph);
  const int saved_threads = jit::ThreadCount();

  // By hand: the pipeline for the host, then the session's codegen.
  Pipeline pipeline(PipelineOptionsFor(Jit().target()));
  absl::StatusOr<loops::LoopProgram> program = pipeline.LowerToLoops(graph);
  ASSERT_TRUE(program.ok()) << program.status();
  absl::StatusOr<jit::CompiledFunction> compiled = Jit().Compile(*program, pipeline);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  std::vector<void*> args;
  std::vector<Tensor> by_hand;
  by_hand.reserve(graph.outputs.size());
  for (loops::BufferId id : program->arguments) {
    const loops::Buffer& buffer = program->buffer(id);
    if (buffer.kind == loops::BufferKind::kOutput) {
      by_hand.emplace_back(graph.type(graph.outputs[by_hand.size()]));
      args.push_back(by_hand.back().raw_data());
    } else {
      args.push_back(const_cast<std::byte*>(feeds.at(buffer.name).raw_data()));
    }
  }
  ASSERT_TRUE(compiled->Run(args).ok());

  // Through the backend the trainer uses.
  absl::StatusOr<std::unique_ptr<Backend>> backend = jit::MakeJitBackend(
      jit::JitOptions{.threads = 1, .pipeline = std::nullopt, .compiled = nullptr});
  ASSERT_TRUE(backend.ok()) << backend.status();
  absl::StatusOr<std::unique_ptr<Executor>> executor = (*backend)->Compile(graph);
  ASSERT_TRUE(executor.ok()) << executor.status();
  absl::StatusOr<std::vector<Tensor>> by_backend = (*executor)->Run(feeds);
  ASSERT_TRUE(by_backend.ok()) << by_backend.status();
  jit::SetThreadCount(saved_threads);

  // And the reference interpreter, so that the two cannot agree on nonsense.
  absl::StatusOr<std::vector<Tensor>> expected = Interpret(graph, feeds);
  ASSERT_TRUE(expected.ok()) << expected.status();

  ASSERT_EQ(by_backend->size(), by_hand.size());
  for (size_t k = 0; k < by_hand.size(); ++k) {
    const Tensor& a = by_hand[k];
    const Tensor& b = (*by_backend)[k];
    ASSERT_EQ(a.type(), b.type()) << "output " << k;
    EXPECT_EQ(std::memcmp(a.raw_data(), b.raw_data(), a.byte_size()), 0) << "output " << k;
    for (int64_t i = 0; i < a.num_elements(); ++i) {
      const double e = (*expected)[k].GetDouble(i);
      ASSERT_NEAR(a.GetDouble(i), e, 1e-5 * std::max(1.0, std::abs(e)))
          << "output " << k << " [" << i << "]";
    }
  }
}

}  // namespace
}  // namespace dlc::codegen_test
