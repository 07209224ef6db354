// tessera's benchmark rows (names as in BENCH.md). Compare with LibTorch through compare_torch.

#include <benchmark/benchmark.h>
#include <tessera/tessera.hpp>

static void contiguous_transpose(benchmark::State& state) {
  auto a = ts::ones({4096, 4096});
  for (auto _ : state) {
    auto c = a.t().contiguous();
    benchmark::DoNotOptimize(c.data_ptr());
  }
  state.SetBytesProcessed(state.iterations() * 2 * a.nbytes());
}
BENCHMARK(contiguous_transpose)->Unit(benchmark::kMillisecond)->UseRealTime();

static void small_copy(benchmark::State& state) {
  auto a = ts::ones({4});
  for (auto _ : state) {
    auto c = a.clone();
    benchmark::DoNotOptimize(c.data_ptr());
  }
}
BENCHMARK(small_copy);

BENCHMARK_MAIN();
