// The JIT as a Backend (runtime/executor.h): a graph goes through the
// pipeline (passes/pipeline.h) for the host and runs as machine code.
#ifndef DLC_RUNTIME_JIT_JIT_BACKEND_H_
#define DLC_RUNTIME_JIT_JIT_BACKEND_H_

#include <functional>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "passes/pipeline.h"
#include "runtime/executor.h"

namespace dlc::jit {

struct JitOptions {
  int threads = 0;  // 0: every core
  // The pipeline's options (passes/pipeline.h): printing, timing,
  // verifying, schedule experiments. Default: PipelineOptionsFor(host).
  std::optional<PipelineOptions> pipeline;
  // Called after each compile with its pipeline (e.g. to report timings).
  std::function<void(const Pipeline&)> compiled;
};

absl::StatusOr<std::unique_ptr<Backend>> MakeJitBackend(const JitOptions& options = {});

}  // namespace dlc::jit

#endif  // DLC_RUNTIME_JIT_JIT_BACKEND_H_
