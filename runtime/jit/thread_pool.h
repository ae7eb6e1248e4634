// The threads that run the parallel loops of generated code. The emitter
// (passes/codegen/emit_parallel.cc) turns each parallel loop into a call of
// `dlc_parallel_for`, which splits the iterations [0, n) statically into one
// contiguous chunk per thread: chunk t of T is [n*t/T, n*(t+1)/T). The split
// depends only on n and the thread count, so a run is reproducible for a
// given thread count (DESIGN.md: determinism).
//
// One process-wide pool of fixed size; the calling thread runs chunk 0
// itself. A parallel loop started from inside a chunk runs inline on that
// thread, and calls from different threads take turns.
#ifndef DLC_RUNTIME_JIT_THREAD_POOL_H_
#define DLC_RUNTIME_JIT_THREAD_POOL_H_

#include <cstdint>

namespace dlc::jit {

// The most threads a pool may have: far more than a CPU training step uses,
// few enough that creating them cannot exhaust the process.
inline constexpr int64_t kMaxThreads = 256;

// Sets how many threads (the caller included) run parallel loops; values
// below 1 mean 1, values above kMaxThreads kMaxThreads. Waits for a loop in flight to finish. The
// default is the machine's hardware concurrency.
void SetThreadCount(int threads);
int ThreadCount();

struct Chunk {
  int64_t begin = 0;
  int64_t end = 0;
};

// Chunk `index` of the static split of [0, n) into `chunks` parts.
Chunk StaticChunk(int64_t n, int chunks, int index);

}  // namespace dlc::jit

extern "C" {

// Runs body(ctx, begin, end) over a static split of [0, n): with T threads,
// min(T, n) calls, one per chunk, concurrently; returns when all are done.
// With one thread it is body(ctx, 0, n). `body` must not throw.
void dlc_parallel_for(void (*body)(void*, int64_t, int64_t), void* ctx, int64_t n);

}  // extern "C"

#endif  // DLC_RUNTIME_JIT_THREAD_POOL_H_
