#pragma once
// The thread pool behind parallel_for: lazily started, never more threads than asked.

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "../core/config.hpp"

namespace tessera {
namespace detail {

// Note [Thread pool]
// set_num_threads(n) means n threads in all: the caller plus n - 1 workers, started the first
// time a parallel region needs them. A region of at most n tasks runs task i on thread i, so a
// loop repeated over the same data finds its part in the same core's cache (as OpenMP's static
// schedule does); a larger region hands out tasks through an atomic counter, the caller taking
// its share. Regions do not nest: code already inside a region runs its inner loops serially.
class ThreadPool {
 public:
  static ThreadPool& instance() {
    static ThreadPool* pool = new ThreadPool;  // never destroyed: workers may outlive statics
    return *pool;
  }

  int num_threads() const { return num_threads_.load(std::memory_order_relaxed); }

  void set_num_threads(int n) {
    TS_CHECK(n >= 1, "set_num_threads: the number of threads must be at least 1, got ", n);
    std::lock_guard region(region_mutex_);
    stop_workers();
    num_threads_ = n;
  }

  static bool in_parallel_region() { return inside_region(); }

  /** Runs task(i) for i in [0, n_tasks), on up to num_threads() threads; rethrows the first error. */
  void run(int64_t n_tasks, const std::function<void(int64_t)>& task) {
    if (n_tasks <= 0) return;
    if (n_tasks == 1 || num_threads() == 1 || inside_region()) {
      for (int64_t i = 0; i < n_tasks; ++i) task(i);
      return;
    }
    std::lock_guard one_region(region_mutex_);
    start_workers();
    auto region = std::make_shared<Region>(task, n_tasks, n_tasks <= num_threads());
    {
      std::lock_guard lock(mutex_);
      current_ = region;
      generation_.fetch_add(1, std::memory_order_release);
    }
    if (sleeping_.load() > 0) wake_.notify_all();
    work(*region, 0);
    for (int spin = 0; spin < kSpins && region->pending.load(std::memory_order_acquire) > 0; ++spin) pause();
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return region->pending.load() == 0; });
    current_.reset();
    if (region->error) std::rethrow_exception(region->error);
  }

 private:
  // One parallel region. Workers that wake late hold an old region whose tasks are all taken,
  // so they can never run a task twice or touch a finished region's function.
  struct Region {
    Region(const std::function<void(int64_t)>& f, int64_t n, bool fixed) : task(f), n_tasks(n), by_thread(fixed), pending(n) {}
    const std::function<void(int64_t)>& task;
    const int64_t n_tasks;
    const bool by_thread;  // task i runs on thread i, so repeated regions reuse each core's cache
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> pending;
    std::exception_ptr error;  // guarded by mutex_
  };

  ThreadPool() : num_threads_(static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))) {}

  static bool& inside_region() {
    thread_local bool inside = false;
    return inside;
  }

  // Runs tasks of `region` on thread `me` (0 is the caller): its own task when tasks are
  // assigned by thread, else tasks taken in turn until none are left.
  void work(Region& region, int64_t me) {
    inside_region() = true;
    int64_t finished = 0;
    auto run_task = [&](int64_t i) {
      try {
        region.task(i);
      } catch (...) {
        std::lock_guard lock(mutex_);
        if (!region.error) region.error = std::current_exception();
      }
      ++finished;
    };
    if (region.by_thread) {
      if (me < region.n_tasks) run_task(me);
    } else {
      for (int64_t i; (i = region.next.fetch_add(1)) < region.n_tasks;) run_task(i);
    }
    inside_region() = false;
    if (finished > 0 && region.pending.fetch_sub(finished) == finished) {
      std::lock_guard lock(mutex_);  // the caller may be asleep on done_
      done_.notify_all();
    }
  }

  // Workers spin for a while after a region before they sleep: back-to-back regions (a training
  // step runs hundreds) then start without a futex wake-up.
  void worker_loop(int64_t me) {
    uint64_t seen = 0;
    for (;;) {
      for (int spin = 0; spin < kSpins && generation_.load(std::memory_order_acquire) == seen && !stopping_.load();
           ++spin)
        pause();
      std::shared_ptr<Region> region;
      {
        std::unique_lock lock(mutex_);
        if (generation_.load() == seen && !stopping_.load()) {
          sleeping_.fetch_add(1);
          wake_.wait(lock, [&] { return stopping_.load() || generation_.load() != seen; });
          sleeping_.fetch_sub(1);
        }
        if (stopping_.load()) return;
        seen = generation_.load();
        region = current_;
      }
      if (region) work(*region, me);
    }
  }

  static void pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  static constexpr int kSpins = 20000;  // about 100 microseconds

  void start_workers() {
    const int wanted = num_threads() - 1;
    while (static_cast<int>(workers_.size()) < wanted) {
      const int64_t me = static_cast<int64_t>(workers_.size()) + 1;
      workers_.emplace_back([this, me] { worker_loop(me); });
    }
  }

  void stop_workers() {
    {
      std::lock_guard lock(mutex_);
      stopping_.store(true);
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
    stopping_.store(false);
  }

  std::atomic<int> num_threads_;
  std::mutex region_mutex_;  // one region at a time
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  std::shared_ptr<Region> current_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> sleeping_{0};
  std::atomic<bool> stopping_{false};
};

}  // namespace detail

/** Sets how many threads tessera's ops use in all (the calling thread included). Results do
 *  not depend on it: work is split in fixed chunks (see parallel_for.hpp). */
inline void set_num_threads(int n) { detail::ThreadPool::instance().set_num_threads(n); }
inline int get_num_threads() { return detail::ThreadPool::instance().num_threads(); }

}  // namespace tessera
