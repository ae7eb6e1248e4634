#include "passes/codegen/machine_code.h"

#include <memory>
#include <system_error>

#include "llvm/ADT/SmallString.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "support/str_cat.h"

namespace dlc::codegen {
namespace {

absl::Status RunCodeGenerator(const llvm::Module& module, llvm::TargetMachine& machine,
                              llvm::raw_pwrite_stream& out, llvm::CodeGenFileType file_type) {
  if (module.getDataLayout() != machine.createDataLayout()) {
    return absl::InvalidArgumentError(
        "the module was emitted for another target than the target machine's");
  }
  std::unique_ptr<llvm::Module> copy = llvm::CloneModule(module);
  // The code generator still runs on the legacy pass manager.
  llvm::legacy::PassManager passes;
  if (machine.addPassesToEmitFile(passes, out, nullptr, file_type)) {
    return absl::InternalError("the target machine cannot emit this kind of file");
  }
  passes.run(*copy);
  return absl::OkStatus();
}

}  // namespace

std::string ModuleText(const llvm::Module& module) {
  std::string text;
  llvm::raw_string_ostream out(text);
  module.print(out, nullptr);
  out.flush();
  return text;
}

absl::StatusOr<std::string> EmitAssembly(const llvm::Module& module, llvm::TargetMachine& machine) {
  llvm::SmallString<0> assembly;
  llvm::raw_svector_ostream out(assembly);
  absl::Status status = RunCodeGenerator(module, machine, out, llvm::CodeGenFileType::AssemblyFile);
  if (!status.ok()) return status;
  return std::string(assembly.str());
}

absl::Status EmitObjectFile(const llvm::Module& module, llvm::TargetMachine& machine,
                            const std::string& path) {
  std::error_code error;
  llvm::raw_fd_ostream out(path, error, llvm::sys::fs::OF_None);
  if (error) return absl::UnavailableError(StrCat("cannot write ", path, ": ", error.message()));
  absl::Status status = RunCodeGenerator(module, machine, out, llvm::CodeGenFileType::ObjectFile);
  if (!status.ok()) return status;
  out.close();
  if (out.has_error()) {
    const std::string message = out.error().message();
    out.clear_error();
    return absl::UnavailableError(StrCat("cannot write ", path, ": ", message));
  }
  return absl::OkStatus();
}

}  // namespace dlc::codegen
