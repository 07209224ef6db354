// Runs every BENCH.md row on tessera and on LibTorch in one process, 2 threads each, and prints
// the ratio of median times tessera / LibTorch (below 1.0: tessera is faster).
//   ./build-bench/bench/compare_torch [--steady] [--contended] [--torch-threads=N] [--benchmark_filter=...]
// By default the repetitions of all rows are interleaved in random order. --steady times one row
// at a time instead, the two libraries' 20 repetitions of it interleaved: side by side in blocks
// of at least 50 ms, with no other row's data between them. In both modes each timed run starts
// after a pause in which neither library runs (Note [A quiet start]). --contended runs the suite
// with one busy process beside it (one core's worth of load), as BENCH.md's contended mode.
// --torch-threads=N gives LibTorch N threads instead of 2 (its own default on a machine may be
// fewer, and its OpenMP OpenBLAS can be slower on 2 threads than on 1).

#include <dlfcn.h>
#include <malloc.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "machine_rows.hpp"
#include "tessera_rows.hpp"
#include "torch_rows.hpp"

namespace {

// Collects the median real time of each benchmark, by name.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      const std::string name = r.benchmark_name();
      if (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median") medians_[name] = r.GetAdjustedRealTime();
      else if (r.run_type == Run::RT_Iteration) singles_[name] = r.GetAdjustedRealTime();
    }
  }
  void print_ratios() const {
    const auto& times = this->times();
    std::printf("\n%-24s %14s %14s %10s\n", "row", "tessera", "LibTorch", "ratio");
    for (const auto& [name, t] : times) {
      if (name.rfind("tessera/", 0) != 0) continue;
      std::string row = name.substr(8);
      const auto cut = row.find('_' + std::string("median"));
      if (cut != std::string::npos) row = row.substr(0, cut);
      auto other = times.find("libtorch/" + name.substr(8));
      if (other == times.end()) continue;
      std::printf("%-24s %14.4g %14.4g %10.3f\n", row.c_str(), t, other->second, t / other->second);
    }
    // tessera's mt19937 rows against LibTorch's rows, which use its mt19937 generator too.
    for (const char* row : {"rand_16M", "randn_16M"}) {
      const auto t = find(std::string("tessera/") + row + "_mt19937"), l = find(std::string("libtorch/") + row);
      if (t && l) std::printf("%-24s %14.4g %14.4g %10.3f\n", (std::string(row) + "_mt19937").c_str(), *t, *l, *t / *l);
    }
    // BENCH.md's fractions of the machine's limits: the limit's time over the row's.
    const std::pair<const char*, const char*> limits[] = {{"add_contig", "stream_add_64M"},
                                                          {"add_bcast_row", "stream_add_64M"},
                                                          {"contiguous_transpose", "copy_64M"},
                                                          {"rand_16M", "write_64M"},
                                                          {"matmul_1024", "fma_peak_1024"}};
    std::printf("\n%-24s %14s %14s %10s\n", "row", "tessera", "limit", "fraction");
    for (const auto& [row, limit] : limits) {
      const auto t = find(std::string("tessera/") + row), l = find(std::string("machine/") + limit);
      if (t && l) std::printf("%-24s %14.4g %14.4g %10.3f  (of %s)\n", row, *t, *l, *l / *t, limit);
    }
  }

 private:
  const std::map<std::string, double>& times() const { return medians_.empty() ? singles_ : medians_; }
  std::optional<double> find(const std::string& name) const {
    for (const auto& [key, t] : times())
      if (key == name || key.rfind(name + "/", 0) == 0 || key.rfind(name + "_median", 0) == 0) return t;
    return std::nullopt;
  }
  std::map<std::string, double> medians_, singles_;
};

}  // namespace

// Note [A quiet start]
// After a parallel region LibTorch's OpenMP workers spin for milliseconds before they sleep, and
// tessera's for a fraction of one: a row timed right after the other library's row shared its
// cores with those spinners for the first part of its 50 ms. In the same process, a 64 MiB sum
// measured 0.93 ms for tessera and LibTorch alike that way, and 0.83 against 0.89 with a pause
// before each run. So every timed run of every row, either library's, starts after 30 ms in
// which neither runs; within its run each library's workers spin as they would in a program.
static void quiet_pause(const benchmark::State&) { usleep(30000); }

// BENCH.md measures LibTorch with the OpenMP build of OpenBLAS; with the pthread build (what a
// fresh Debian machine selects) its BLAS and LAPACK rows mean nothing, so the run says so.
static void warn_unless_openmp_openblas() {
  using GetParallel = int (*)();
  const auto get_parallel = reinterpret_cast<GetParallel>(dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
  if (!get_parallel) return;  // not OpenBLAS
  const int mode = get_parallel();  // 0 sequential, 1 pthreads, 2 OpenMP
  if (mode != 2)
    std::fprintf(stderr,
                 "compare_torch: LibTorch's OpenBLAS is the %s build, not the OpenMP one BENCH.md asks for: "
                 "select it with update-alternatives (libblas.so.3, liblapack.so.3, libopenblas.so.0)\n",
                 mode == 1 ? "pthread" : "sequential");
}

// Note [LibTorch's large blocks]
// LibTorch takes its memory from malloc. glibc's default returns a freed block of more than a
// few hundred KiB to the system and maps a fresh one for the next request, so an op that
// allocates a large result pays a page fault per 4 KiB page (tessera's allocator keeps those
// blocks: Note [CPU block cache]). How often that happens depends on the process's history
// (glibc raises its threshold as blocks are freed): the same convolution took LibTorch 1.0 ms in
// one process and 15 ms in the next. The suite measures LibTorch at its best instead: every
// block comes from the heap, which is never trimmed, so freed blocks are reused.
void keep_large_blocks_in_the_heap() {
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

int main(int argc, char** argv) {
  keep_large_blocks_in_the_heap();
  warn_unless_openmp_openblas();
  // The busy process is forked before either library starts a thread; it spins until the suite
  // ends, or dies with it.
  pid_t busy = -1;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--contended") busy = fork();
  if (busy == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    volatile uint64_t spin = 0;
    for (;;) spin = spin + 1;
  }
  int torch_threads = 2;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]).rfind("--torch-threads=", 0) == 0) torch_threads = std::stoi(argv[i] + 16);
  ts::set_num_threads(2);
  torch::set_num_threads(torch_threads);
  const std::vector<std::string> rows = tessera_rows::register_rows("tessera/", &quiet_pause);
  machine_rows::register_rows(&quiet_pause);
  auto ms = [](benchmark::internal::Benchmark* b) { b->Unit(benchmark::kMillisecond)->UseRealTime()->Setup(&quiet_pause); };
  using namespace torch_rows;
  ms(benchmark::RegisterBenchmark("libtorch/add_contig", add_contig));
  ms(benchmark::RegisterBenchmark("libtorch/add_contig_out", add_contig_out));
  ms(benchmark::RegisterBenchmark("libtorch/add_bcast_row", add_bcast_row));
  ms(benchmark::RegisterBenchmark("libtorch/add_transposed", add_transposed));
  ms(benchmark::RegisterBenchmark("libtorch/add_mixed_dtypes", add_mixed_dtypes));
  ms(benchmark::RegisterBenchmark("libtorch/contiguous_transpose", contiguous_transpose));
  ms(benchmark::RegisterBenchmark("libtorch/exp_contig", exp_contig));
  ms(benchmark::RegisterBenchmark("libtorch/tanh_contig", tanh_contig));
  ms(benchmark::RegisterBenchmark("libtorch/sum_all", sum_all));
  ms(benchmark::RegisterBenchmark("libtorch/sum_dim0", sum_dim0));
  ms(benchmark::RegisterBenchmark("libtorch/sum_dim1", sum_dim1));
  ms(benchmark::RegisterBenchmark("libtorch/matmul_256", matmul_256));
  ms(benchmark::RegisterBenchmark("libtorch/matmul_1024", matmul_1024));
  ms(benchmark::RegisterBenchmark("libtorch/bmm_64x128", bmm_64x128));
  ms(benchmark::RegisterBenchmark("libtorch/rand_16M", rand_16M));
  ms(benchmark::RegisterBenchmark("libtorch/randn_16M", randn_16M));
  ms(benchmark::RegisterBenchmark("libtorch/sort_1M", sort_1M));
  ms(benchmark::RegisterBenchmark("libtorch/topk_1M_k100", topk_1M_k100));
  ms(benchmark::RegisterBenchmark("libtorch/unique_1M_int", unique_1M_int));
  ms(benchmark::RegisterBenchmark("libtorch/scatter_add_1M", scatter_add_1M));
  ms(benchmark::RegisterBenchmark("libtorch/gather_dim1", gather_dim1));
  ms(benchmark::RegisterBenchmark("libtorch/scatter_add_2d_dim1", scatter_add_2d_dim1));
  ms(benchmark::RegisterBenchmark("libtorch/index_add_rows", index_add_rows));
  ms(benchmark::RegisterBenchmark("libtorch/cumsum_dim1", cumsum_dim1));
  ms(benchmark::RegisterBenchmark("libtorch/linalg_solve_256", linalg_solve_256));
  ms(benchmark::RegisterBenchmark("libtorch/svd_256", svd_256));
  ms(benchmark::RegisterBenchmark("libtorch/conv2d_3x3", conv2d_3x3));
  ms(benchmark::RegisterBenchmark("libtorch/conv2d_3x3_backward", conv2d_3x3_backward));
  ms(benchmark::RegisterBenchmark("libtorch/batch_norm_backward", batch_norm_backward));
  ms(benchmark::RegisterBenchmark("libtorch/max_pool2d_backward", max_pool2d_backward));
  ms(benchmark::RegisterBenchmark("libtorch/upsample_bilinear_backward", upsample_bilinear_backward));
  ms(benchmark::RegisterBenchmark("libtorch/pad_reflect_backward", pad_reflect_backward));
  ms(benchmark::RegisterBenchmark("libtorch/group_norm_backward", group_norm_backward));
  ms(benchmark::RegisterBenchmark("libtorch/conv_transpose2d_backward", conv_transpose2d_backward));
  benchmark::RegisterBenchmark("libtorch/small_add", small_add)->UseRealTime()->Setup(&quiet_pause);
  ms(benchmark::RegisterBenchmark("libtorch/mlp_step", mlp_step));
  benchmark::RegisterBenchmark("libtorch/small_mul_grad", small_mul_grad)->UseRealTime()->Setup(&quiet_pause);
  benchmark::RegisterBenchmark("libtorch/small_backward", small_backward)->UseRealTime()->Setup(&quiet_pause);
  ms(benchmark::RegisterBenchmark("libtorch/train_step_transformer", train_step_transformer));
  benchmark::RegisterBenchmark("libtorch/train_epoch_mlp", train_epoch_mlp)
      ->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1)->Setup(&quiet_pause);
  // Defaults for a shared, noisy machine: many short repetitions of every row, interleaved in
  // random order, so that a slow minute lands on both libraries alike. Flags given on the
  // command line come later and override them.
  bool steady = false;
  std::vector<char*> given;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--steady") steady = true;
    else if (std::string(argv[i]) != "--contended" && std::string(argv[i]).rfind("--torch-threads=", 0) != 0)
      given.push_back(argv[i]);
  }
  const char* defaults[] = {"--benchmark_repetitions=20", "--benchmark_min_time=0.05",
                            "--benchmark_enable_random_interleaving=true", "--benchmark_report_aggregates_only=true"};
  std::vector<char*> args = {argv[0]};
  for (const char* d : defaults) args.push_back(const_cast<char*>(d));
  args.insert(args.end(), given.begin(), given.end());
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  RatioReporter reporter;
  if (!steady) {
    benchmark::RunSpecifiedBenchmarks(&reporter);
  } else {  // one row at a time, the two libraries' runs of it interleaved
    const std::string filter = benchmark::GetBenchmarkFilter();
    const std::regex wanted(filter.empty() || filter == "all" ? "." : filter);
    for (const std::string& row : rows)
      if (std::regex_search("tessera/" + row, wanted) || std::regex_search("libtorch/" + row, wanted))
        benchmark::RunSpecifiedBenchmarks(&reporter, "^(tessera|libtorch)/" + row + "(/|$)");
    if (std::regex_search("machine/", wanted)) benchmark::RunSpecifiedBenchmarks(&reporter, "^machine/");
  }
  reporter.print_ratios();
  benchmark::Shutdown();
  if (busy > 0) {
    kill(busy, SIGKILL);
    waitpid(busy, nullptr, 0);
  }
}
