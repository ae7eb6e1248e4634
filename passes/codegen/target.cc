#include "passes/codegen/target.h"

#include <algorithm>
#include <mutex>
#include <vector>

#include "absl/strings/str_split.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"
#include "support/str_cat.h"

namespace dlc::codegen {
namespace {

absl::StatusOr<const llvm::Target*> LookupTarget(const std::string& triple) {
  InitializeNativeLlvm();
  std::string error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (target == nullptr) {
    return absl::InvalidArgumentError(StrCat("no LLVM target for '", triple, "': ", error));
  }
  return target;
}

// The widest vector unit `subtarget` has, in f32 lanes.
int VectorWidthF32(const llvm::MCSubtargetInfo& subtarget) {
  if (!subtarget.getTargetTriple().isX86()) return 1;
  if (subtarget.checkFeatures("+avx512f")) return 16;
  if (subtarget.checkFeatures("+avx")) return 8;
  if (subtarget.checkFeatures("+sse2")) return 4;
  return 1;
}

// Fills in the vector width; fails on an unknown CPU (LLVM itself would only
// print a warning and emit generic code).
absl::StatusOr<TargetInfo> Complete(TargetInfo info) {
  absl::StatusOr<const llvm::Target*> target = LookupTarget(info.triple);
  if (!target.ok()) return target.status();
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
      (*target)->createMCSubtargetInfo(info.triple, "", ""));
  if (subtarget == nullptr) return absl::InternalError("LLVM has no subtarget info for the target");
  if (!subtarget->isCPUStringValid(info.cpu)) {
    return absl::InvalidArgumentError(StrCat("unknown CPU '", info.cpu, "' for ", info.triple));
  }
  subtarget.reset((*target)->createMCSubtargetInfo(info.triple, info.cpu, info.features));
  info.vector_width_f32 = VectorWidthF32(*subtarget);
  // x86-64: 16 xmm/ymm registers, 32 zmm with AVX-512.
  info.vector_registers = info.vector_width_f32 == 16 ? 32 : 16;
  return info;
}

}  // namespace

void InitializeNativeLlvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

absl::StatusOr<TargetInfo> HostTargetInfo() {
  TargetInfo info;
  info.triple = llvm::sys::getProcessTriple();
  info.cpu = llvm::sys::getHostCPUName().str();
  // Every feature the host reports, on or off, so a feature the CPU name
  // implies but the machine (or a VM) lacks is switched off.
  for (const llvm::StringMapEntry<bool>& feature : llvm::sys::getHostCPUFeatures()) {
    if (!info.features.empty()) info.features += ",";
    info.features += StrCat(feature.getValue() ? "+" : "-", feature.getKey().str());
  }
  const CacheSizes caches = HostCaches();
  info.l1_bytes = caches.l1d;
  info.l2_bytes = caches.l2;
  info.l3_bytes = caches.l3;
  return Complete(std::move(info));
}

// A user's --target-cpu / --mattr, checked before LLVM sees them: LLVM
// ignores an unknown feature with a warning, and aborts the process on a
// 32-bit CPU for a 64-bit triple or on x86-64 without SSE2.
absl::Status CheckUserTarget(const TargetInfo& info) {
  absl::StatusOr<const llvm::Target*> target = LookupTarget(info.triple);
  if (!target.ok()) return target.status();
  std::unique_ptr<llvm::MCSubtargetInfo> generic(
      (*target)->createMCSubtargetInfo(info.triple, "", ""));
  if (generic == nullptr) return absl::InternalError("LLVM has no subtarget info for the target");
  std::vector<std::string> known;
  for (const llvm::SubtargetFeatureKV& feature : generic->getAllProcessorFeatures()) {
    known.emplace_back(feature.Key);
  }
  for (absl::string_view piece : absl::StrSplit(info.features, ',', absl::SkipEmpty())) {
    const std::string_view item(piece.data(), piece.size());
    if (item[0] != '+' && item[0] != '-') {
      return absl::InvalidArgumentError(StrCat("--mattr: '", item, "' must start with + or -"));
    }
    const std::string name(item.substr(1));
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return absl::InvalidArgumentError(StrCat("--mattr: unknown feature '", name, "' for ",
                                               info.triple,
                                               " (see llc -march=x86-64 -mattr=help)"));
    }
  }
  if (!generic->isCPUStringValid(info.cpu)) {
    return absl::InvalidArgumentError(StrCat("--target-cpu: unknown CPU '", info.cpu, "' for ",
                                             info.triple, " (see llc -march=x86-64 -mcpu=help)"));
  }
  std::unique_ptr<llvm::MCSubtargetInfo> chosen(
      (*target)->createMCSubtargetInfo(info.triple, info.cpu, info.features));
  if (chosen->getTargetTriple().getArch() == llvm::Triple::x86_64) {
    if (!chosen->checkFeatures("+64bit")) {
      return absl::InvalidArgumentError(StrCat("--target-cpu: '", info.cpu,
                                               "' is a 32-bit CPU; dlc emits ", info.triple,
                                               " code: choose a 64-bit CPU (e.g. x86-64)"));
    }
    if (!chosen->checkFeatures("+sse2")) {
      return absl::InvalidArgumentError(
          StrCat("--mattr: x86-64 code needs SSE2 (its calling convention returns floats in SSE "
                 "registers); '",
                 info.features, "' turns it off"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<TargetInfo> TargetInfoForCpu(std::string_view cpu, std::string_view features,
                                            std::string_view triple) {
  TargetInfo info;
  info.triple = triple.empty() ? llvm::sys::getProcessTriple() : std::string(triple);
  info.cpu = std::string(cpu);
  info.features = std::string(features);
  if (absl::Status status = CheckUserTarget(info); !status.ok()) return status;
  return Complete(std::move(info));
}

absl::StatusOr<std::unique_ptr<llvm::TargetMachine>> CreateTargetMachine(const TargetInfo& target) {
  absl::StatusOr<const llvm::Target*> llvm_target = LookupTarget(target.triple);
  if (!llvm_target.ok()) return llvm_target.status();
  // Default options: IEEE floating point, no fast-math. FP contraction is
  // "standard": only llvm.fmuladd, which the emitter places itself, may fuse.
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> machine(
      (*llvm_target)
          ->createTargetMachine(target.triple, target.cpu, target.features, options,
                                llvm::Reloc::PIC_, std::nullopt,
                                llvm::CodeGenOptLevel::Aggressive));
  if (machine == nullptr) {
    return absl::InternalError(
        StrCat("LLVM could not create a target machine for ", target.triple, " ", target.cpu));
  }
  return machine;
}

}  // namespace dlc::codegen
