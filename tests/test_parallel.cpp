// The thread pool (parallel/thread_pool.hpp): tasks taken over from a stalled thread, regions
// after fork().

#include <catch2/catch.hpp>
#include <tessera/tessera.hpp>

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

namespace test_parallel {

namespace {

/** How many distinct threads run the tasks of one parallel region of n elements. */
int threads_used(int64_t n) {
  ts::detail::Mutex mutex;
  std::set<pthread_t> seen;
  ts::detail::parallel_for(0, n, 1, [&](int64_t, int64_t) {
    ts::detail::LockGuard lock(mutex);
    seen.insert(pthread_self());
    usleep(1000);  // long enough that every worker takes a chunk
  });
  return static_cast<int>(seen.size());
}

}  // namespace

TEST_CASE("a thread that stalls in one task leaves its other tasks to the rest", "[parallel]") {
  // Note [Thread pool]: task 1 belongs to the worker of a 2-thread pool; while the worker is held
  // in it (as the OS may hold a thread on a busy machine), the caller must run tasks 3, 5 and 7
  // too. Without taking them over, the region would wait for the worker, and task 1 would time out.
  const int before = ts::get_num_threads();
  ts::set_num_threads(2);
  const pthread_t caller = pthread_self();
  constexpr int64_t kTasks = 8;
  ts::detail::Atomic<int64_t> done{0};
  ts::detail::Atomic<int> runs[kTasks];
  ts::detail::Atomic<bool> stalled_on_worker{false}, others_finished{false};
  ts::detail::ThreadPool::instance().run(kTasks, [&](int64_t i) {
    runs[i].fetch_add(1, ts::detail::MemoryOrder::AcqRel);
    if (i == 1 && !pthread_equal(pthread_self(), caller)) {
      stalled_on_worker.store(true, ts::detail::MemoryOrder::Release);
      for (int waited = 0; waited < 5000; ++waited) {  // 5 s at most
        if (done.load(ts::detail::MemoryOrder::Acquire) == kTasks - 1) {
          others_finished.store(true, ts::detail::MemoryOrder::Release);
          break;
        }
        usleep(1000);
      }
    }
    done.fetch_add(1, ts::detail::MemoryOrder::AcqRel);
  });
  for (int64_t i = 0; i < kTasks; ++i) CHECK(runs[i].load(ts::detail::MemoryOrder::Acquire) == 1);
  // The worker may start after the caller has run everything; then there was nothing to take over.
  if (stalled_on_worker.load(ts::detail::MemoryOrder::Acquire)) CHECK(others_finished.load(ts::detail::MemoryOrder::Acquire));
  ts::set_num_threads(before);
}

TEST_CASE("a child of fork() runs parallel ops on threads of its own", "[parallel]") {
  // Note [Thread pool after fork]: the child's first region used to wait forever for workers
  // that stayed in the parent.
  const int before = ts::get_num_threads();
  ts::set_num_threads(2);
  const auto x = ts::arange(1 << 22).to<double>();
  const double expected = 0.5 * double(1 << 22) * double((1 << 22) - 1);
  REQUIRE(x.sum().item() == expected);  // the parent's workers are running
  REQUIRE(threads_used(64) == 2);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // no Catch2 here: the exit status is the verdict
    const bool sum_ok = x.sum().item() == expected && (x * 2).sum().item() == 2 * expected;
    const bool threads_ok = ts::get_num_threads() == 2 && threads_used(64) == 2;
    _exit(sum_ok && threads_ok ? 0 : 1);
  }
  int status = 0;
  pid_t done = 0;
  for (int waited = 0; waited < 600 && done == 0; ++waited) {  // 60 s
    done = waitpid(child, &status, WNOHANG);
    if (done == 0) usleep(100000);
  }
  if (done == 0) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    FAIL("the child's parallel op did not finish within 60 s");
  }
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(x.sum().item() == expected);  // the parent's pool is untouched
  ts::set_num_threads(before);
}

}  // namespace test_parallel
