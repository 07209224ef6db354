#pragma once
// The thread pool behind parallel_for: lazily started, never more threads than asked.

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "../core/algorithm.hpp"
#include <cstdint>
#include <exception>

#include "../core/config.hpp"
#include "atomic.hpp"
#include "mutex.hpp"

namespace tessera {
namespace detail {

/** A non-owning reference to a callable: a function pointer and the callable's address. Kernels
 *  hand their loops to the pool this way, so no std::function is built or instantiated. */
template <class Signature>
class FunctionRef;
template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F>
  FunctionRef(const F& f)  // NOLINT: converts implicitly, as a lambda argument should
      : call_([](const void* c, Args... args) -> R { return (*static_cast<const F*>(c))(args...); }), callable_(&f) {}
  R operator()(Args... args) const { return call_(callable_, args...); }

 private:
  R (*call_)(const void*, Args...);
  const void* callable_;
};

// Note [Thread pool]
// set_num_threads(n) means n threads in all: the caller plus n - 1 workers, started the first
// time a parallel region needs them. Task i of a region belongs to thread i % n, so a loop
// repeated over the same data finds its part in the same core's cache (as OpenMP's static
// schedule does); a thread that has run its own tasks then takes the unstarted tasks of the
// others, so a thread the OS has descheduled (a busy machine) delays its region by at most the
// task it is in, not by its whole share. Which thread runs a task never changes a result: tasks
// write disjoint outputs, and reductions combine fixed blocks in a fixed order (Note
// [Deterministic reductions]). Regions do not nest: code already inside a region runs its inner
// loops serially. A region lives on its caller's stack: workers enter it under the mutex while it
// is published and the caller unpublishes it and waits for them to leave before it returns, so
// no worker ever sees a finished region. The pool is built on pthreads and type-erased tasks
// (FunctionRef), so a program instantiates no std::thread or std::function machinery.

// Note [Thread pool after fork]
// fork() copies only the calling thread: a child inherits the pool's state (its workers' ids, a
// region perhaps half run, mutexes a worker may have held) but none of its workers, so its first
// parallel region would wait for them forever. A pthread_atfork handler, registered when the
// pool is first made, gives the child a fresh pool with the parent's thread count and no
// workers, which start on the child's first region as in any new process. The old pool is
// abandoned, not destroyed: its mutexes may be locked by threads that no longer exist. The
// handler runs while the child has a single thread, so it swaps the pointer without a race
// (glibc keeps malloc usable in a fork handler).

// Note [Threads on separate cores]
// On a machine busier than the pool (another process keeping a core busy), the kernel's wake-up
// placement can put a woken worker on the core of the thread that woke it, and its load balancer
// then sees nothing to fix: two of the pool's threads on one core against the busy process alone
// on the other look as balanced as any other pair. The pool would run at one thread's speed while
// the busy process kept a core to itself. So a worker that enters a region on the core of a pool
// thread already in it moves itself (by its affinity mask, within the process's own) to the cores
// where no pool thread is: beside the busy process it gets half of that core instead of half of
// ours. It stays there until it finds a pool thread beside it again. On a quiet machine wake-ups
// go to idle cores and nothing moves. Only when the pool has no more threads than usable cores.

class ThreadPool {
 public:
  static ThreadPool& instance() {
    static const bool made = make_pool();  // once: the pool and the fork handler
    (void)made;
    return *pool_slot();
  }

  int num_threads() const { return num_threads_.load(MemoryOrder::Relaxed); }

  void set_num_threads(int n) {
    TS_CHECK(n >= 1, "set_num_threads: the number of threads must be at least 1, got ", n);
    LockGuard region(region_mutex_);
    stop_workers();
    num_threads_.store(n, MemoryOrder::Relaxed);
  }

  static bool in_parallel_region() { return inside_region(); }

  /** Runs task(i) for i in [0, n_tasks), on up to num_threads() threads; rethrows the first error. */
  void run(int64_t n_tasks, FunctionRef<void(int64_t)> task) {
    if (n_tasks <= 0) return;
    if (n_tasks == 1 || num_threads() == 1 || inside_region()) {
      for (int64_t i = 0; i < n_tasks; ++i) task(i);
      return;
    }
    LockGuard one_region(region_mutex_);
    start_workers();
    Region region{task, n_tasks, num_workers_ + 1};
    region.cursors[0].cpu.store(current_cpu(), MemoryOrder::Relaxed);
    {
      LockGuard lock(mutex_);
      current_ = &region;
      generation_.fetch_add(1, MemoryOrder::Release);
    }
    if (sleeping_.load(MemoryOrder::Acquire) > 0) pthread_cond_broadcast(&wake_);
    work(region, 0);
    spin_until([&] { return region.pending.load(MemoryOrder::Acquire) == 0; });
    {
      LockGuard lock(mutex_);
      while (region.pending.load(MemoryOrder::Acquire) > 0) pthread_cond_wait(&done_, mutex_.native());
      current_ = nullptr;  // no worker enters it any more
    }
    // Workers still inside have found their tasks done and are on their way out.
    while (region.inside.load(MemoryOrder::Acquire) > 0) sched_yield();
    if (region.error) std::rethrow_exception(region.error);
  }

 private:
  // The tasks of thread t's list are t, t + lists, t + 2 * lists, ...; cursor t counts how many
  // of them have been claimed, by t or by a thread that ran out of its own.
  static constexpr int64_t kMaxLists = 64;
  struct alignas(64) Cursor {
    Atomic<int64_t> claimed{0};
    Atomic<int> cpu{-1};  // the core of the thread owning the list, once it is in the region
  };
  struct Region {
    Region(FunctionRef<void(int64_t)> f, int64_t n, int64_t threads)
        : task(f), n_tasks(n), lists(std::min(threads, kMaxLists)), pending(n) {}
    const FunctionRef<void(int64_t)> task;
    const int64_t n_tasks;
    const int64_t lists;
    Cursor cursors[kMaxLists];
    Atomic<int64_t> pending;   // tasks not yet finished
    Atomic<int> inside{0};     // workers that entered and have not left
    std::exception_ptr error;  // the first task's error; guarded by mutex_

    // The next unclaimed task of list l, or -1 when the list is done.
    int64_t claim(int64_t l) {
      if (cursors[l].claimed.load(MemoryOrder::Relaxed) * lists + l >= n_tasks) return -1;
      const int64_t i = cursors[l].claimed.fetch_add(1, MemoryOrder::Relaxed) * lists + l;
      return i < n_tasks ? i : -1;
    }
  };

  ThreadPool() {
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    num_threads_.store(cores > 0 ? static_cast<int>(cores) : 1, MemoryOrder::Relaxed);
  }
  explicit ThreadPool(int threads) { num_threads_.store(threads, MemoryOrder::Relaxed); }

  static ThreadPool*& pool_slot() {
    static ThreadPool* pool = nullptr;  // never destroyed: workers may outlive statics
    return pool;
  }
  static bool make_pool() {
    pool_slot() = new ThreadPool;
    pthread_atfork(nullptr, nullptr, &reset_in_child);  // Note [Thread pool after fork]
    return true;
  }
  static void reset_in_child() {
    ThreadPool* inherited = pool_slot();  // its workers stayed in the parent
    pool_slot() = new ThreadPool(inherited->num_threads());
  }

  static bool& inside_region() {
    thread_local bool inside = false;
    return inside;
  }

  // Runs the tasks of thread `me`'s list (0 is the caller), then those left in the other lists.
  void work(Region& region, int64_t me) {
    inside_region() = true;
    if (me > 0 && me < region.lists) move_off_shared_core(region, me);
    int64_t finished = 0;
    for (int64_t step = 0; step < region.lists; ++step) {
      const int64_t list = (me + step) % region.lists;
      for (int64_t i = region.claim(list); i >= 0; i = region.claim(list)) {
        try {
          region.task(i);
        } catch (...) {
          LockGuard lock(mutex_);
          if (!region.error) region.error = std::current_exception();
        }
        ++finished;
      }
    }
    inside_region() = false;
    if (finished > 0 && region.pending.fetch_sub(finished, MemoryOrder::AcqRel) == finished) {
      LockGuard lock(mutex_);  // the caller may be asleep on done_
      pthread_cond_broadcast(&done_);
    }
  }

  // Workers spin for a while after a region before they sleep: back-to-back regions (a training
  // step runs hundreds) then start without a futex wake-up.
  void worker_loop(int64_t me) {
    uint64_t seen = 0;
    for (;;) {
      spin_until([&] { return generation_.load(MemoryOrder::Acquire) != seen || stopping_.load(MemoryOrder::Acquire); });
      Region* region = nullptr;
      {
        LockGuard lock(mutex_);
        if (generation_.load(MemoryOrder::Acquire) == seen && !stopping_.load(MemoryOrder::Acquire)) {
          sleeping_.fetch_add(1, MemoryOrder::AcqRel);
          while (!stopping_.load(MemoryOrder::Acquire) && generation_.load(MemoryOrder::Acquire) == seen)
            pthread_cond_wait(&wake_, mutex_.native());
          sleeping_.fetch_sub(1, MemoryOrder::AcqRel);
        }
        if (stopping_.load(MemoryOrder::Acquire)) return;
        seen = generation_.load(MemoryOrder::Acquire);
        region = current_;
        if (region) region->inside.fetch_add(1, MemoryOrder::Relaxed);
      }
      if (region) {
        work(*region, me);
        region->inside.fetch_sub(1, MemoryOrder::Release);  // the last touch of the region
      }
    }
  }

  static int current_cpu() {
#if defined(__linux__)
    return sched_getcpu();
#else
    return -1;
#endif
  }

  // Note [Threads on separate cores]
  void move_off_shared_core(Region& region, int64_t me) {
    const int cpu = current_cpu();
    region.cursors[me].cpu.store(cpu, MemoryOrder::Relaxed);
#if defined(__linux__)
    if (cpu < 0 || !spread_) return;
    bool shared = false;
    for (int64_t t = 0; t < me; ++t) shared = shared || region.cursors[t].cpu.load(MemoryOrder::Relaxed) == cpu;
    if (!shared) return;
    cpu_set_t free_cores = usable_cores_;
    for (int64_t t = 0; t < region.lists; ++t) {
      const int other = region.cursors[t].cpu.load(MemoryOrder::Relaxed);
      if (other >= 0 && other < CPU_SETSIZE) CPU_CLR(other, &free_cores);
    }
    if (CPU_COUNT(&free_cores) > 0) pthread_setaffinity_np(pthread_self(), sizeof free_cores, &free_cores);
#endif
  }

  static void pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  // Note [Spinning on a busy machine]
  // A thread that waits (a worker between regions, the caller for its region's last tasks) spins
  // for a few hundred microseconds before it sleeps. For the first few microseconds it only pauses;
  // then it gives its core away at each step. On a quiet machine sched_yield returns at once,
  // so nothing changes; on a busy one the thread being waited for (a descheduled worker, or the
  // caller running the serial code between two regions) gets the core instead of the spinner.
  template <class Done>
  static void spin_until(const Done& done) {
    for (int spin = 0; spin < kPauseSpins && !done(); ++spin) pause();
    for (int spin = 0; spin < kYieldSpins && !done(); ++spin) sched_yield();
  }
  static constexpr int kPauseSpins = 2000;  // about 10 microseconds
  static constexpr int kYieldSpins = 200;   // a sched_yield call takes about 1.2 microseconds here

  void start_workers() {
    const int wanted = num_threads() - 1;
    if (num_workers_ == wanted) return;
    stop_workers();
#if defined(__linux__)
    // The workers inherit the starting thread's mask; they move only within it.
    spread_ = pthread_getaffinity_np(pthread_self(), sizeof usable_cores_, &usable_cores_) == 0 &&
              wanted + 1 <= CPU_COUNT(&usable_cores_);
#endif
    workers_ = new pthread_t[static_cast<size_t>(wanted)];
    for (int me = 1; me <= wanted; ++me) {
      auto main = [](void* arg) -> void* {
        instance().worker_loop(reinterpret_cast<intptr_t>(arg));
        return nullptr;
      };
      const int failed = pthread_create(&workers_[me - 1], nullptr, main, reinterpret_cast<void*>(intptr_t{me}));
      TS_CHECK(failed == 0, "parallel: could not start worker thread ", me, " of ", wanted, " (error ", failed, ")");
      num_workers_ = me;
    }
  }

  void stop_workers() {
    {
      LockGuard lock(mutex_);
      stopping_.store(true, MemoryOrder::Release);
    }
    pthread_cond_broadcast(&wake_);
    for (int w = 0; w < num_workers_; ++w) pthread_join(workers_[w], nullptr);
    num_workers_ = 0;
    delete[] workers_;
    workers_ = nullptr;
    stopping_.store(false, MemoryOrder::Release);
  }

  Atomic<int> num_threads_{1};
  Mutex region_mutex_;  // one region at a time
  Mutex mutex_;
  pthread_cond_t wake_ = PTHREAD_COND_INITIALIZER, done_ = PTHREAD_COND_INITIALIZER;
  pthread_t* workers_ = nullptr;  // owned; the pool is never destroyed
  int num_workers_ = 0;
#if defined(__linux__)
  cpu_set_t usable_cores_{};  // set with the workers, under region_mutex_
  bool spread_ = false;       // Note [Threads on separate cores]
#endif
  Region* current_ = nullptr;  // guarded by mutex_
  Atomic<uint64_t> generation_{0};
  Atomic<int> sleeping_{0};
  Atomic<bool> stopping_{false};
};

}  // namespace detail

/** Sets how many threads tessera's ops use in all (the calling thread included). Results do
 *  not depend on it: work is split in fixed chunks (see parallel_for.hpp). */
inline void set_num_threads(int n) { detail::ThreadPool::instance().set_num_threads(n); }
inline int get_num_threads() { return detail::ThreadPool::instance().num_threads(); }

}  // namespace tessera
