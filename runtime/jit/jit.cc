#include "runtime/jit/jit.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <new>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "llvm/ExecutionEngine/Orc/Core.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"
#include "passes/codegen/emit_llvm.h"
#include "passes/codegen/optimize.h"
#include "runtime/jit/kernel_profile.h"
#include "runtime/jit/thread_pool.h"
#include "runtime/memory_check.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::jit {
namespace {

constexpr size_t kAlignment = 64;  // the ABI's buffer alignment (emit_llvm.h)

// LLVM reports failures as llvm::Error, which must be consumed; they become
// statuses at this boundary and go no further.
absl::Status ToStatus(llvm::Error error, std::string_view what) {
  if (!error) return absl::OkStatus();
  return absl::InternalError(StrCat(what, ": ", llvm::toString(std::move(error))));
}

template <typename T>
absl::StatusOr<T> ToStatusOr(llvm::Expected<T> expected, std::string_view what) {
  if (!expected) return ToStatus(expected.takeError(), what);
  return std::move(*expected);
}

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

void CompiledFunction::AlignedDelete::operator()(std::byte* p) const {
  ::operator delete(p, std::align_val_t(kAlignment));
}

absl::StatusOr<int32_t> CompiledFunction::Invoke(std::span<void* const> args) {
  if (args.size() != num_arguments_) {
    return absl::InvalidArgumentError(
        StrCat("the program takes ", num_arguments_, " arguments, got ", args.size()));
  }
  for (size_t k = 0; k < args.size(); ++k) {
    if (reinterpret_cast<uintptr_t>(args[k]) % kAlignment != 0) {
      return absl::InvalidArgumentError(
          StrCat("argument ", k, " is not ", kAlignment, "-byte aligned"));
    }
  }
  call_args_.assign(args.begin(), args.end());
  call_args_.push_back(workspace_.get());
  return entry_(call_args_.data());
}

absl::Status CompiledFunction::Run(std::span<void* const> args) {
  DLC_ASSIGN_OR_RETURN(const int32_t code, Invoke(args));
  if (code == 0) return absl::OkStatus();
  if (code < 0 || static_cast<size_t>(code) > errors_.size()) {
    return absl::InternalError(StrCat("the compiled program returned unknown error code ", code));
  }
  return absl::InvalidArgumentError(errors_[code - 1]);
}

JitSession::~JitSession() = default;

absl::StatusOr<std::unique_ptr<JitSession>> JitSession::Create() {
  codegen::InitializeNativeLlvm();
  std::unique_ptr<JitSession> session(new JitSession());
  DLC_ASSIGN_OR_RETURN(session->target_, codegen::HostTargetInfo());
  DLC_ASSIGN_OR_RETURN(session->machine_, codegen::CreateTargetMachine(session->target_));

  // The JIT's code generator targets exactly what EmitLlvm and O3 target.
  llvm::orc::JITTargetMachineBuilder machine_builder{llvm::Triple(session->target_.triple)};
  machine_builder.setCPU(session->target_.cpu);
  std::vector<std::string> features =
      absl::StrSplit(session->target_.features, ',', absl::SkipEmpty());
  machine_builder.addFeatures(features);
  machine_builder.setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  DLC_ASSIGN_OR_RETURN(
      session->jit_,
      ToStatusOr(
          llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(machine_builder)).create(),
          "creating the JIT"));

  // Generated code calls dlc_parallel_for, dlc_profile_kernel when profiled (and libm's expf and
  // the like, which the process-symbols library finds). Defined by address, so it resolves whether
  // or not the executable exports its symbols.
  llvm::orc::JITDylibSP process = session->jit_->getProcessSymbolsJITDylib();
  if (process == nullptr) return absl::InternalError("the JIT has no process-symbols library");
  llvm::orc::SymbolMap runtime_symbols;
  runtime_symbols[session->jit_->mangleAndIntern("dlc_parallel_for")] =
      llvm::orc::ExecutorSymbolDef(llvm::orc::ExecutorAddr::fromPtr(&dlc_parallel_for),
                                   llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  runtime_symbols[session->jit_->mangleAndIntern("dlc_profile_kernel")] =
      llvm::orc::ExecutorSymbolDef(llvm::orc::ExecutorAddr::fromPtr(&dlc_profile_kernel),
                                   llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  DLC_RETURN_IF_ERROR(
      ToStatus(process->define(llvm::orc::absoluteSymbols(std::move(runtime_symbols))),
               "defining the runtime's symbols"));
  return session;
}

absl::StatusOr<CompiledFunction> JitSession::Compile(const loops::LoopProgram& program,
                                                     const codegen::EmitOptions& options) {
  PipelineOptions pipeline_options = PipelineOptionsFor(target_);
  pipeline_options.emit = options;
  Pipeline pipeline(std::move(pipeline_options));
  return Compile(program, pipeline);
}

namespace {

// A program whose workspace and arguments together need more memory than
// the machine has is an error before anything is compiled or allocated.
absl::Status CheckProgramFitsInMemory(const loops::LoopProgram& program) {
  std::vector<std::pair<int64_t, std::string>> buffers;
  int64_t need = program.workspace_bytes;
  for (const loops::Buffer& b : program.buffers) {
    const int64_t bytes = b.num_elements() * loops::TypeSize(b.type);
    if (b.kind == loops::BufferKind::kInput || b.kind == loops::BufferKind::kOutput) {
      need += bytes;
      buffers.emplace_back(bytes, "%" + b.name);
    } else if (b.kind == loops::BufferKind::kTemp) {
      buffers.emplace_back(bytes, "%" + b.name + " (temporary)");
    }
  }
  return CheckFitsInMemory(StrCat(program.name, " (its buffers and workspace)"), need,
                           std::move(buffers));
}

}  // namespace

absl::StatusOr<CompiledFunction> JitSession::Compile(const loops::LoopProgram& program,
                                                     Pipeline& pipeline) {
  DLC_RETURN_IF_ERROR(CheckProgramFitsInMemory(program));
  std::lock_guard<std::mutex> lock(compile_mutex_);
  CompiledFunction function;
  auto start = std::chrono::steady_clock::now();
  auto context = std::make_unique<llvm::LLVMContext>();
  DLC_ASSIGN_OR_RETURN(std::unique_ptr<llvm::Module> module,
                       pipeline.EmitLlvm(program, *context, target_));
  function.timings_.emit_ms = MillisecondsSince(start);

  start = std::chrono::steady_clock::now();
  DLC_RETURN_IF_ERROR(pipeline.Optimize(*module, *machine_));
  function.timings_.optimize_ms = MillisecondsSince(start);

  // A library per program, so programs with the same name do not clash.
  start = std::chrono::steady_clock::now();
  llvm::Expected<llvm::orc::JITDylib&> library =
      jit_->createJITDylib(StrCat(program.name, ".", next_library_++));
  if (!library) return ToStatus(library.takeError(), "creating a JIT library");
  DLC_RETURN_IF_ERROR(
      ToStatus(jit_->addIRModule(
                   *library, llvm::orc::ThreadSafeModule(std::move(module), std::move(context))),
               "adding the module to the JIT"));
  // The lookup compiles the module to machine code and links it.
  DLC_ASSIGN_OR_RETURN(llvm::orc::ExecutorAddr entry,
                       ToStatusOr(jit_->lookup(*library, program.name), "compiling the program"));
  function.timings_.codegen_ms = MillisecondsSince(start);

  function.code_ = jit_;
  function.entry_ = entry.toPtr<CompiledFunction::EntryPoint>();
  function.num_arguments_ = program.arguments.size();
  function.errors_ = program.errors;
  function.workspace_bytes_ = program.workspace_bytes;
  if (program.workspace_bytes > 0) {
    const size_t bytes = static_cast<size_t>(program.workspace_bytes);
    function.workspace_.reset(
        static_cast<std::byte*>(::operator new(bytes, std::align_val_t(kAlignment), std::nothrow)));
    if (function.workspace_ == nullptr) {
      return absl::ResourceExhaustedError(StrCat(program.name,
                                                 ": cannot allocate its workspace of ",
                                                 FormatBytes(program.workspace_bytes)));
    }
    // Zeroed so that a program reading a temporary before writing it still
    // runs deterministically.
    std::memset(function.workspace_.get(), 0, bytes);
  }
  return function;
}

absl::StatusOr<CompiledFunction> JitSession::CompileModule(
    std::unique_ptr<llvm::Module> module, std::unique_ptr<llvm::LLVMContext> context,
    const std::string& entry, size_t num_arguments) {
  std::lock_guard<std::mutex> lock(compile_mutex_);
  CompiledFunction function;
  const auto start = std::chrono::steady_clock::now();
  module->setTargetTriple(target_.triple);
  module->setDataLayout(jit_->getDataLayout());
  llvm::Expected<llvm::orc::JITDylib&> library =
      jit_->createJITDylib(StrCat(entry, ".", next_library_++));
  if (!library) return ToStatus(library.takeError(), "creating a JIT library");
  DLC_RETURN_IF_ERROR(
      ToStatus(jit_->addIRModule(
                   *library, llvm::orc::ThreadSafeModule(std::move(module), std::move(context))),
               "adding the module to the JIT"));
  DLC_ASSIGN_OR_RETURN(llvm::orc::ExecutorAddr address,
                       ToStatusOr(jit_->lookup(*library, entry), "compiling the module"));
  function.timings_.codegen_ms = MillisecondsSince(start);
  function.code_ = jit_;
  function.entry_ = address.toPtr<CompiledFunction::EntryPoint>();
  function.num_arguments_ = num_arguments;
  return function;
}

}  // namespace dlc::jit
