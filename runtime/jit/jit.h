// Compiling loop programs in process: LLVM's ORC LLJIT for the host CPU.
//
//   DLC_ASSIGN_OR_RETURN(auto jit, JitSession::Create());
//   DLC_ASSIGN_OR_RETURN(CompiledFunction step, jit->Compile(program));
//   void* args[] = {x.raw_data(), w.raw_data(), y.raw_data()};
//   DLC_RETURN_IF_ERROR(step.Run(args));
//
// Compile = the pipeline's code-generation steps for the host
// (passes/pipeline.h: loop verifier, LLVM IR, O3), then machine code. Parallel loops run on the
// thread pool of thread_pool.h.
#ifndef DLC_RUNTIME_JIT_JIT_H_
#define DLC_RUNTIME_JIT_JIT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ir/loops/loop_ir.h"
#include "passes/codegen/emit_llvm.h"
#include "passes/codegen/target.h"
#include "passes/pipeline.h"

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
namespace orc {
class LLJIT;
}  // namespace orc
}  // namespace llvm

namespace dlc::jit {

// Where compile time went, in milliseconds.
struct CompileTimings {
  double emit_ms = 0;      // loop IR -> LLVM IR (verifier included)
  double optimize_ms = 0;  // O3
  double codegen_ms = 0;   // LLVM IR -> machine code, linked in process
};

// One compiled program, ready to run many times. Owns the program's
// workspace, so a CompiledFunction runs on one thread at a time (its
// parallel loops use the pool). It shares ownership of the JIT that holds
// its machine code, so it may outlive its JitSession.
class CompiledFunction {
 public:
  using EntryPoint = int32_t (*)(void** args);

  CompiledFunction(CompiledFunction&&) = default;
  CompiledFunction& operator=(CompiledFunction&&) = default;

  // Runs with `args`: one pointer per program argument, in program order,
  // each 64-byte aligned (Tensor storage is) and not overlapping another.
  // Fails on a wrong argument count or alignment, and with the program's
  // error message when one of its checks fails.
  absl::Status Run(std::span<void* const> args);
  // Like Run, but a failed check is the returned error code (1-based
  // index into program.errors; 0 when all checks passed).
  absl::StatusOr<int32_t> Invoke(std::span<void* const> args);

  EntryPoint entry_point() const { return entry_; }
  size_t num_arguments() const { return num_arguments_; }
  int64_t workspace_bytes() const { return workspace_bytes_; }
  const CompileTimings& timings() const { return timings_; }

 private:
  friend class JitSession;
  CompiledFunction() = default;

  struct AlignedDelete {
    void operator()(std::byte* p) const;
  };

  std::shared_ptr<llvm::orc::LLJIT> code_;  // keeps entry_ alive
  EntryPoint entry_ = nullptr;
  size_t num_arguments_ = 0;
  std::vector<std::string> errors_;  // the program's errors, by code - 1
  int64_t workspace_bytes_ = 0;
  std::unique_ptr<std::byte, AlignedDelete> workspace_;
  std::vector<void*> call_args_;  // the arguments plus the workspace
  CompileTimings timings_;
};

class JitSession {
 public:
  // A JIT for the host CPU (all its features, AVX-512 where present).
  static absl::StatusOr<std::unique_ptr<JitSession>> Create();
  ~JitSession();

  // Compiles `program` through `pipeline`'s code-generation steps (loop
  // verifier, LLVM emission, O3); programs may share names. Safe to call
  // from several threads (compilations take turns).
  absl::StatusOr<CompiledFunction> Compile(const loops::LoopProgram& program, Pipeline& pipeline);
  // The same with a default pipeline for the host and `options`.
  absl::StatusOr<CompiledFunction> Compile(const loops::LoopProgram& program,
                                           const codegen::EmitOptions& options = {});

  // Compiles a module built outside the pipeline (a measuring kernel such as
  // peak_flops.h's FMA loop): machine code for the host at -O3 (no O3 IR
  // passes). Function `entry` must have the programs' ABI, int32_t
  // f(void** args), with `num_arguments` arguments; it gets no workspace
  // (args[num_arguments] is null).
  absl::StatusOr<CompiledFunction> CompileModule(std::unique_ptr<llvm::Module> module,
                                                 std::unique_ptr<llvm::LLVMContext> context,
                                                 const std::string& entry, size_t num_arguments);

  const codegen::TargetInfo& target() const { return target_; }

 private:
  JitSession() = default;

  codegen::TargetInfo target_;
  std::unique_ptr<llvm::TargetMachine> machine_;  // O3's cost model
  std::shared_ptr<llvm::orc::LLJIT> jit_;         // shared with the functions
  std::mutex compile_mutex_;
  int next_library_ = 0;  // each program gets a JITDylib of its own
};

}  // namespace dlc::jit

#endif  // DLC_RUNTIME_JIT_JIT_H_
