// The JIT as a Backend (runtime/executor.h): a graph is lowered to loops,
// scheduled for the host, compiled by LLVM and run as machine code.
#ifndef DLC_RUNTIME_JIT_JIT_BACKEND_H_
#define DLC_RUNTIME_JIT_JIT_BACKEND_H_

#include <memory>

#include "absl/status/statusor.h"
#include "runtime/executor.h"

namespace dlc::jit {

struct JitOptions {
  int threads = 0;  // 0: every core
};

absl::StatusOr<std::unique_ptr<Backend>> MakeJitBackend(const JitOptions& options = {});

}  // namespace dlc::jit

#endif  // DLC_RUNTIME_JIT_JIT_BACKEND_H_
