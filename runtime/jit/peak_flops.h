// This machine's floating-point peak, measured rather than assumed: a
// generated loop of independent vector multiply-adds (the widest f32 vector
// the host has, enough accumulators to hide the FMA latency on every FMA
// unit), compiled by the session's JIT and timed on 1 thread and on the
// thread pool. What `dlc bench` compares its GFLOP/s with.
#ifndef DLC_RUNTIME_JIT_PEAK_FLOPS_H_
#define DLC_RUNTIME_JIT_PEAK_FLOPS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "runtime/jit/jit.h"

namespace dlc::jit {

struct PeakFlopsOptions {
  // Wall time of one timed run; the result is the best of `runs`.
  double seconds_per_run = 0.05;
  int runs = 7;
  // Threads for the second measurement; 0: every hardware thread.
  int threads = 0;
};

struct PeakFlops {
  int vector_width = 1;  // f32 lanes per multiply-add
  int accumulators = 0;  // independent vector accumulators in the loop
  double one_thread_gflops = 0;
  int threads = 1;                // threads of the second measurement
  double all_threads_gflops = 0;  // that many threads running the loop at once

  // The peak for `n` threads: measured for 1 and `threads`, else one
  // thread's times n (at most `threads`' measurement scaled likewise).
  double ForThreads(int n) const;
};

// Compiles the FMA loop with `session` and times it: on the calling thread,
// then on options.threads pool threads at once (the pool is resized for it
// and restored). Best of the runs (a shared machine only ever makes a run
// slower).
absl::StatusOr<PeakFlops> MeasurePeakFlops(JitSession& session,
                                           const PeakFlopsOptions& options = {});

}  // namespace dlc::jit

#endif  // DLC_RUNTIME_JIT_PEAK_FLOPS_H_
