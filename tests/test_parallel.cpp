// The thread pool (parallel/thread_pool.hpp): regions after fork().

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
