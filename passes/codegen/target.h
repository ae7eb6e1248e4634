// Which machine the generated code is for: the host (JIT) or a named CPU
// (ahead-of-time compilation), and the LLVM TargetMachine that emits for it.
#ifndef DLC_PASSES_CODEGEN_TARGET_H_
#define DLC_PASSES_CODEGEN_TARGET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "passes/codegen/host_caches.h"

namespace llvm {
class TargetMachine;
}  // namespace llvm

namespace dlc::codegen {

struct TargetInfo {
  std::string triple;    // "x86_64-pc-linux-gnu"
  std::string cpu;       // "znver5"
  std::string features;  // LLVM feature string: "+avx512f,+fma,-amx-tile,..."
  // f32 lanes in the widest vector unit: 16 with AVX-512, 8 with AVX/AVX2,
  // 4 with SSE, 1 without vectors. What scheduling passes vectorize by.
  int vector_width_f32 = 1;
  // Vector registers the code generator can allocate (tiles are sized to it).
  int vector_registers = 16;
  // Data cache sizes (host_caches.h): the host's as the OS reports them,
  // else typical values (cache blocking is sized to them).
  int64_t l1_bytes = kTypicalCaches.l1d;
  int64_t l2_bytes = kTypicalCaches.l2;
  int64_t l3_bytes = kTypicalCaches.l3;

  int vector_bytes() const { return vector_width_f32 * 4; }
};

// Registers LLVM's native target, assembly printer and parser; safe to call
// any number of times from any thread (the work happens once).
void InitializeNativeLlvm();

// The CPU this process runs on, with every feature it reports.
absl::StatusOr<TargetInfo> HostTargetInfo();

// A named CPU ("znver4", "skylake-avx512", "x86-64-v3") plus extra features
// ("+avx512f,-fma"; may be empty), for ahead-of-time compilation. An empty
// triple means this process's triple. Fails on a CPU LLVM does not know.
absl::StatusOr<TargetInfo> TargetInfoForCpu(std::string_view cpu, std::string_view features,
                                            std::string_view triple = "");

// A TargetMachine for `target` at -O3, position-independent (so object files
// link into PIE executables and shared libraries).
absl::StatusOr<std::unique_ptr<llvm::TargetMachine>> CreateTargetMachine(const TargetInfo& target);

}  // namespace dlc::codegen

#endif  // DLC_PASSES_CODEGEN_TARGET_H_
