#include "runtime/jit/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace dlc::jit {
namespace {

using Body = void (*)(void*, int64_t, int64_t);

// True on a thread while it runs a chunk: a parallel loop nested in it runs
// inline rather than waiting for workers that are busy with the outer one.
thread_local bool in_parallel_region = false;

void RunRegion(Body body, void* ctx, int64_t begin, int64_t end) {
  in_parallel_region = true;
  body(ctx, begin, end);
  in_parallel_region = false;
}

// Waits for `ready` by spinning a little before giving up (about 50 µs):
// a training step runs many short parallel loops back to back, and waking a
// sleeping thread costs tens of microseconds. Returns whether `ready` held.
template <typename Ready>
bool SpinUntil(Ready ready) {
  for (int i = 0; i < 4096; ++i) {
    if (ready()) return true;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
  }
  return ready();
}

// Workers 1..T-1 (the caller is worker 0). Every worker acknowledges every
// loop, even one with fewer iterations than threads, so the caller never
// rewrites the loop's fields while a worker may still read them.
class ThreadPool {
 public:
  explicit ThreadPool(int threads) : threads_(threads) {
    for (int index = 1; index < threads; ++index) {
      workers_.emplace_back([this, index] { WorkerLoop(index); });
    }
  }

  ~ThreadPool() {
    stopping_.store(true, std::memory_order_release);
    WakeWorkers();
    for (std::thread& worker : workers_) worker.join();
  }

  int threads() const { return threads_; }

  void ParallelFor(Body body, void* ctx, int64_t n) {
    body_ = body;
    ctx_ = ctx;
    n_ = n;
    chunks_ = static_cast<int>(std::min<int64_t>(threads_, n));
    pending_.store(threads_ - 1, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);  // publishes the fields above
    WakeWorkers();
    RunChunk(0);
    auto all_done = [this] { return pending_.load(std::memory_order_acquire) == 0; };
    if (!SpinUntil(all_done)) {
      std::unique_lock<std::mutex> lock(mutex_);
      all_done_.wait(lock, all_done);
    }
  }

 private:
  void RunChunk(int index) {
    const Chunk chunk = StaticChunk(n_, chunks_, index);
    RunRegion(body_, ctx_, chunk.begin, chunk.end);
  }

  // Taking the mutex orders the wake-up after any worker's check of its
  // condition, so no wake-up is lost.
  void WakeWorkers() {
    { std::lock_guard<std::mutex> lock(mutex_); }
    work_ready_.notify_all();
  }

  void WorkerLoop(int index) {
    uint64_t seen = 0;
    for (;;) {
      auto ready = [&] {
        return stopping_.load(std::memory_order_acquire) ||
               generation_.load(std::memory_order_acquire) != seen;
      };
      if (!SpinUntil(ready)) {
        std::unique_lock<std::mutex> lock(mutex_);
        work_ready_.wait(lock, ready);
      }
      if (stopping_.load(std::memory_order_acquire)) return;
      seen = generation_.load(std::memory_order_acquire);
      if (index < chunks_) RunChunk(index);
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        { std::lock_guard<std::mutex> lock(mutex_); }
        all_done_.notify_one();
      }
    }
  }

  const int threads_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;  // only for sleeping and waking
  std::condition_variable work_ready_;
  std::condition_variable all_done_;
  std::atomic<uint64_t> generation_{0};  // one more for each loop
  std::atomic<int> pending_{0};          // workers yet to finish the loop
  std::atomic<bool> stopping_{false};
  // The loop in flight: written before generation_ changes, read by the
  // workers after they see the change.
  Body body_ = nullptr;
  void* ctx_ = nullptr;
  int64_t n_ = 0;
  int chunks_ = 0;
};

// The process-wide pool. Held for a whole parallel loop, so loops from
// different threads take turns and SetThreadCount waits for the one in
// flight.
std::mutex pool_mutex;
std::unique_ptr<ThreadPool> pool;

ThreadPool& PoolLocked() {
  if (pool == nullptr) {
    pool = std::make_unique<ThreadPool>(
        std::max(1, static_cast<int>(std::thread::hardware_concurrency())));
  }
  return *pool;
}

}  // namespace

void SetThreadCount(int threads) {
  threads = static_cast<int>(std::min<int64_t>(threads, kMaxThreads));
  std::lock_guard<std::mutex> lock(pool_mutex);
  threads = std::max(threads, 1);
  if (pool != nullptr && pool->threads() == threads) return;
  pool.reset();  // joins the old workers first
  pool = std::make_unique<ThreadPool>(threads);
}

int ThreadCount() {
  std::lock_guard<std::mutex> lock(pool_mutex);
  return PoolLocked().threads();
}

Chunk StaticChunk(int64_t n, int chunks, int index) {
  auto boundary = [&](int k) {
    return static_cast<int64_t>(static_cast<__int128>(n) * k / chunks);
  };
  return {boundary(index), boundary(index + 1)};
}

}  // namespace dlc::jit

extern "C" void dlc_parallel_for(void (*body)(void*, int64_t, int64_t), void* ctx, int64_t n) {
  using namespace dlc::jit;
  if (n <= 0) return;
  if (in_parallel_region) {
    body(ctx, 0, n);
    return;
  }
  std::lock_guard<std::mutex> lock(pool_mutex);
  ThreadPool& threads = PoolLocked();
  if (threads.threads() == 1 || n == 1) {
    RunRegion(body, ctx, 0, n);
    return;
  }
  threads.ParallelFor(body, ctx, n);
}
