#pragma once
// parallel_for: splits [begin, end) into chunks of at least `grain` for the thread pool.

#include "thread_pool.hpp"

namespace tessera::detail {

/** Elements below which an elementwise op stays on the calling thread. */
inline constexpr int64_t kGrainSize = 32768;

/** Chunks per thread when a range is long enough: enough for the others to take over the part of
 *  a thread the OS has descheduled (Note [Thread pool]), few enough to keep each chunk long. */
inline constexpr int64_t kChunksPerThread = 4;

/** parallel_for's work once the range is large enough to split: chunks of at least `grain`. */
inline void parallel_chunks(int64_t begin, int64_t end, int64_t grain, FunctionRef<void(int64_t, int64_t)> f) {
  auto& pool = ThreadPool::instance();
  const int64_t threads = pool.num_threads();
  if (threads == 1 || ThreadPool::in_parallel_region()) {
    f(begin, end);
    return;
  }
  const int64_t n = end - begin;
  const int64_t wanted = std::min(threads * kChunksPerThread, (n + grain - 1) / grain);
  const int64_t chunk = (n + wanted - 1) / wanted;
  const int64_t chunks = (n + chunk - 1) / chunk;  // none of them empty
  auto run_chunk = [&](int64_t i) {
    const int64_t b = begin + i * chunk;
    f(b, std::min(end, b + chunk));
  };
  pool.run(chunks, run_chunk);
}

/** Calls f(chunk_begin, chunk_end) over [begin, end). Small ranges run on the calling thread.
 *  Use only where the result does not depend on how the range is cut (elementwise work);
 *  reductions use fixed blocks instead (Note [Deterministic reductions]). */
template <class F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, const F& f) {
  if (end - begin <= 0) return;
  if (end - begin <= grain) {
    f(begin, end);
    return;
  }
  parallel_chunks(begin, end, grain, f);
}

}  // namespace tessera::detail
