#include "runtime/jit/peak_flops.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "llvm/IR/BasicBlock.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"
#include "runtime/jit/thread_pool.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::jit {
namespace {

constexpr char kEntry[] = "dlc_peak_fma";

// int32_t dlc_peak_fma(void** args):
//   args[0]: const int64_t* iterations (at least 1)
//   args[1]: const float* in: `accumulators` vectors of initial values, then a, then b
//   args[2]: float* out: one vector, the sum of the accumulators
// Loop body: acc[j] = fmuladd(acc[j], a, b) for every j, independent chains.
// The initial values come from memory and differ, so no pass can merge two
// chains or fold the loop.
std::unique_ptr<llvm::Module> BuildFmaLoop(llvm::LLVMContext& context, int width,
                                           int accumulators) {
  auto module = std::make_unique<llvm::Module>(kEntry, context);
  llvm::IRBuilder<> b(context);
  llvm::Type* f32 = b.getFloatTy();
  llvm::Type* vec =
      width > 1 ? static_cast<llvm::Type*>(llvm::FixedVectorType::get(f32, width)) : f32;
  llvm::Type* ptr = b.getPtrTy();
  auto* type = llvm::FunctionType::get(b.getInt32Ty(), {ptr}, false);
  auto* function =
      llvm::Function::Create(type, llvm::Function::ExternalLinkage, kEntry, module.get());
  llvm::Argument* args = function->getArg(0);
  auto* entry = llvm::BasicBlock::Create(context, "entry", function);
  auto* loop = llvm::BasicBlock::Create(context, "loop", function);
  auto* exit = llvm::BasicBlock::Create(context, "exit", function);

  b.SetInsertPoint(entry);
  auto arg = [&](int i) {
    return b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, args, i), StrCat("arg", i));
  };
  llvm::Value* iterations = b.CreateLoad(b.getInt64Ty(), arg(0), "iterations");
  llvm::Value* in = arg(1);
  llvm::Value* out = arg(2);
  auto vector_at = [&](int k, const std::string& name) {
    return b.CreateAlignedLoad(vec, b.CreateConstGEP1_64(f32, in, int64_t{k} * width),
                               llvm::Align(4), name);
  };
  std::vector<llvm::Value*> initial;
  for (int j = 0; j < accumulators; ++j) initial.push_back(vector_at(j, StrCat("init", j)));
  llvm::Value* a = vector_at(accumulators, "a");
  llvm::Value* c = vector_at(accumulators + 1, "b");
  b.CreateBr(loop);

  b.SetInsertPoint(loop);
  llvm::PHINode* i = b.CreatePHI(b.getInt64Ty(), 2, "i");
  i->addIncoming(b.getInt64(0), entry);
  std::vector<llvm::PHINode*> acc;
  std::vector<llvm::Value*> next;
  for (int j = 0; j < accumulators; ++j) {
    acc.push_back(b.CreatePHI(vec, 2, StrCat("acc", j)));
    acc.back()->addIncoming(initial[j], entry);
  }
  for (int j = 0; j < accumulators; ++j) {
    next.push_back(b.CreateIntrinsic(llvm::Intrinsic::fmuladd, {vec}, {acc[j], a, c}, nullptr,
                                     StrCat("acc", j, ".next")));
    acc[j]->addIncoming(next[j], loop);
  }
  llvm::Value* i_next = b.CreateAdd(i, b.getInt64(1), "i.next");
  i->addIncoming(i_next, loop);
  b.CreateCondBr(b.CreateICmpSGE(i_next, iterations), exit, loop);

  b.SetInsertPoint(exit);
  std::vector<llvm::Value*> sums = next;
  while (sums.size() > 1) {  // a tree of additions
    std::vector<llvm::Value*> half;
    for (size_t k = 0; k + 1 < sums.size(); k += 2)
      half.push_back(b.CreateFAdd(sums[k], sums[k + 1]));
    if (sums.size() % 2 == 1) half.push_back(sums.back());
    sums = std::move(half);
  }
  b.CreateAlignedStore(sums[0], out, llvm::Align(4));
  b.CreateRet(b.getInt32(0));
  return module;
}

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// One thread's arguments. Heap storage only, so a moved Lane's args still point at it.
struct Lane {
  std::vector<int64_t> iterations;
  std::vector<float> in, out;
  std::vector<void*> args;  // iterations, in, out, no workspace
};

Lane MakeLane(int width, int accumulators, int64_t iterations) {
  Lane lane;
  lane.iterations = {iterations};
  lane.in.resize(static_cast<size_t>((accumulators + 2) * width));
  for (int j = 0; j < accumulators * width; ++j) lane.in[j] = 1.0f + 0.001f * static_cast<float>(j);
  for (int l = 0; l < width; ++l) {
    lane.in[accumulators * width + l] = 0.999999f;    // a: the chains converge to b / (1 - a)
    lane.in[(accumulators + 1) * width + l] = 1e-7f;  // b
  }
  lane.out.assign(static_cast<size_t>(width), 0.0f);
  lane.args = {lane.iterations.data(), lane.in.data(), lane.out.data(), nullptr};
  return lane;
}

struct ParallelRun {
  CompiledFunction::EntryPoint entry;
  std::vector<Lane>* lanes;
};

void RunLanes(void* ctx, int64_t begin, int64_t end) {
  auto* run = static_cast<ParallelRun*>(ctx);
  for (int64_t t = begin; t < end; ++t) run->entry((*run->lanes)[t].args.data());
}

}  // namespace

double PeakFlops::ForThreads(int n) const {
  if (n <= 1) return one_thread_gflops;
  if (n == threads) return all_threads_gflops;
  return n < threads ? one_thread_gflops * n : all_threads_gflops * n / threads;
}

absl::StatusOr<PeakFlops> MeasurePeakFlops(JitSession& session, const PeakFlopsOptions& options) {
  PeakFlops peak;
  peak.vector_width = std::max(1, session.target().vector_width_f32);
  // Enough independent chains for two FMA units of latency 4 (and more),
  // within the register file: 32 vector registers with AVX-512, 16 without.
  peak.accumulators = peak.vector_width >= 16 ? 16 : 12;
  auto context = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> module =
      BuildFmaLoop(*context, peak.vector_width, peak.accumulators);
  std::string problems;
  llvm::raw_string_ostream stream(problems);
  if (llvm::verifyModule(*module, &stream)) {
    return absl::InternalError(StrCat("the FMA loop does not verify: ", problems));
  }
  DLC_ASSIGN_OR_RETURN(CompiledFunction function,
                       session.CompileModule(std::move(module), std::move(context), kEntry, 3));
  const CompiledFunction::EntryPoint entry = function.entry_point();
  const double flops_per_iteration = 2.0 * peak.vector_width * peak.accumulators;

  // Calibrate on one thread: iterations for a run of seconds_per_run.
  int64_t iterations = 1 << 14;
  double seconds = 0;
  for (;;) {
    Lane lane = MakeLane(peak.vector_width, peak.accumulators, iterations);
    const double start = Now();
    entry(lane.args.data());
    seconds = Now() - start;
    if (seconds >= options.seconds_per_run / 8 || iterations > (int64_t{1} << 40)) break;
    iterations *= 4;
  }
  iterations =
      std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(iterations) *
                                                options.seconds_per_run / std::max(seconds, 1e-9)));

  const int pool_threads = ThreadCount();
  peak.threads = options.threads > 0
                     ? options.threads
                     : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const int runs = std::max(1, options.runs);
  for (int r = 0; r < runs; ++r) {
    Lane lane = MakeLane(peak.vector_width, peak.accumulators, iterations);
    const double start = Now();
    entry(lane.args.data());
    const double elapsed = Now() - start;
    peak.one_thread_gflops =
        std::max(peak.one_thread_gflops,
                 flops_per_iteration * static_cast<double>(iterations) / elapsed / 1e9);
  }
  std::vector<Lane> lanes;
  for (int t = 0; t < peak.threads; ++t) {
    lanes.push_back(MakeLane(peak.vector_width, peak.accumulators, iterations));
  }
  ParallelRun run{entry, &lanes};
  SetThreadCount(peak.threads);
  for (int r = 0; r < runs; ++r) {
    const double start = Now();
    dlc_parallel_for(&RunLanes, &run, peak.threads);
    const double elapsed = Now() - start;
    peak.all_threads_gflops =
        std::max(peak.all_threads_gflops, flops_per_iteration * static_cast<double>(iterations) *
                                              peak.threads / elapsed / 1e9);
  }
  SetThreadCount(pool_threads);
  return peak;
}

}  // namespace dlc::jit
