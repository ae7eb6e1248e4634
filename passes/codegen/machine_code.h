// A module as text or machine code: LLVM IR text (`dlc dump --stage=llvm`),
// assembly (`--stage=asm`, `dlc compile --emit=asm`) and object files
// (`dlc compile`).
#ifndef DLC_PASSES_CODEGEN_MACHINE_CODE_H_
#define DLC_PASSES_CODEGEN_MACHINE_CODE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace llvm {
class Module;
class TargetMachine;
}  // namespace llvm

namespace dlc::codegen {

// The module's LLVM IR in LLVM's text form.
std::string ModuleText(const llvm::Module& module);

// The code generator works on a copy of `module` (it rewrites the IR it is
// given), so the module stays usable, e.g. for the JIT.
absl::StatusOr<std::string> EmitAssembly(const llvm::Module& module, llvm::TargetMachine& machine);
absl::Status EmitObjectFile(const llvm::Module& module, llvm::TargetMachine& machine,
                            const std::string& path);

}  // namespace dlc::codegen

#endif  // DLC_PASSES_CODEGEN_MACHINE_CODE_H_
