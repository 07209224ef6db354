#pragma once
// The machine's own limits, measured in the same run as the rows: plain loops over 64 MiB
// arrays and a loop of register-resident FMAs, on tessera's two pool threads, so "fraction of
// the write bandwidth" or "of the FMA peak" compares numbers taken seconds apart on the same
// shared machine, not figures from another day.

#include <benchmark/benchmark.h>
#include <tessera/tessera.hpp>

#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace machine_rows {

inline constexpr int64_t kElements = int64_t{1} << 24;  // 64 MiB of float

/** Runs body(begin, end) on each half of [0, kElements), one half per pool thread. */
template <class Body>
void on_two_halves(const Body& body) {
  ts::detail::parallel_for(0, 2, 1, [&](int64_t first, int64_t last) {
    for (int64_t half = first; half < last; ++half) body(half * kElements / 2, (half + 1) * kElements / 2);
  });
}

/** Write bandwidth: memset of 64 MiB, with a non-zero byte (some processors write zeros faster). */
inline void write_64M(benchmark::State& state) {
  auto a = ts::empty({kElements});
  float* p = a.data_ptr();
  for (auto _ : state) {
    on_two_halves([&](int64_t i, int64_t j) { std::memset(p + i, 0x3f, (j - i) * sizeof(float)); });
    benchmark::ClobberMemory();
  }
}
/** Copy bandwidth: memcpy of 64 MiB (128 MiB moved). */
inline void copy_64M(benchmark::State& state) {
  auto a = ts::ones({kElements}), b = ts::empty({kElements});
  const float* src = a.data_ptr();
  float* dst = b.data_ptr();
  for (auto _ : state) {
    on_two_halves([&](int64_t i, int64_t j) { std::memcpy(dst + i, src + i, (j - i) * sizeof(float)); });
    benchmark::ClobberMemory();
  }
}
/** STREAM add: c[i] = a[i] + b[i] over 2^24 floats (192 MiB moved). */
inline void stream_add_64M(benchmark::State& state) {
  auto a = ts::ones({kElements}), b = ts::ones({kElements}), c = ts::empty({kElements});
  const float *x = a.data_ptr(), *y = b.data_ptr();
  float* z = c.data_ptr();
  for (auto _ : state) {
    on_two_halves([&](int64_t i, int64_t j) {
      for (int64_t k = i; k < j; ++k) z[k] = x[k] + y[k];
    });
    benchmark::ClobberMemory();
  }
}

#if defined(__x86_64__)
// Twelve independent chains of fused multiply-adds in registers (named, not an array, which GCC
// would keep in memory): enough to keep both FMA pipes busy through their latency. Each call
// does iterations * 12 FMAs of a whole vector.
#define TS_FMA_CHAINS(V, set1, fmadd, add)                                                          \
  V c0 = set1(0.f), c1 = set1(1.f), c2 = set1(2.f), c3 = set1(3.f), c4 = set1(4.f), c5 = set1(5.f); \
  V c6 = set1(6.f), c7 = set1(7.f), c8 = set1(8.f), c9 = set1(9.f), c10 = set1(10.f), c11 = set1(11.f); \
  const V m = set1(0.999f), a = set1(0.001f);                                                        \
  for (int64_t i = 0; i < iterations; ++i) {                                                         \
    c0 = fmadd(c0, m, a), c1 = fmadd(c1, m, a), c2 = fmadd(c2, m, a), c3 = fmadd(c3, m, a);         \
    c4 = fmadd(c4, m, a), c5 = fmadd(c5, m, a), c6 = fmadd(c6, m, a), c7 = fmadd(c7, m, a);         \
    c8 = fmadd(c8, m, a), c9 = fmadd(c9, m, a), c10 = fmadd(c10, m, a), c11 = fmadd(c11, m, a);     \
  }                                                                                                  \
  const V sum = add(add(add(add(c0, c1), add(c2, c3)), add(add(c4, c5), add(c6, c7))),              \
                    add(add(c8, c9), add(c10, c11)));                                                \
  float first;                                                                                       \
  std::memcpy(&first, &sum, sizeof first);                                                           \
  return first;

__attribute__((target("avx512f"))) inline float fma_chains_avx512(int64_t iterations) {
  TS_FMA_CHAINS(__m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps)
}
__attribute__((target("avx2,fma"))) inline float fma_chains_avx2(int64_t iterations) {
  TS_FMA_CHAINS(__m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps)
}
#undef TS_FMA_CHAINS

/** FMA peak: the time the machine's vector FMA units take, on both pool threads, for as many
 *  floating-point operations as matmul_1024 does (2 * 1024^3). */
inline void fma_peak_1024(benchmark::State& state) {
  const bool avx512 = __builtin_cpu_supports("avx512f");
  const double flops_per_iteration = 12.0 * 2 * (avx512 ? 16 : 8);
  const auto per_thread = static_cast<int64_t>(2.0 * 1024 * 1024 * 1024 / 2 / flops_per_iteration);
  for (auto _ : state) {
    float results[2];
    ts::detail::parallel_for(0, 2, 1, [&](int64_t first, int64_t last) {
      for (int64_t t = first; t < last; ++t)
        results[t] = avx512 ? fma_chains_avx512(per_thread) : fma_chains_avx2(per_thread);
    });
    benchmark::DoNotOptimize(results);
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * 1024 * 1024 * 1024, benchmark::Counter::kIsIterationInvariantRate);
}
#endif

inline void register_rows(void (*setup)(const benchmark::State&) = nullptr) {
#if defined(__x86_64__)
  benchmark::RegisterBenchmark("machine/fma_peak_1024", fma_peak_1024)->Unit(benchmark::kMillisecond)->UseRealTime()->Setup(setup);
#endif
  for (auto* b : {benchmark::RegisterBenchmark("machine/write_64M", write_64M),
                  benchmark::RegisterBenchmark("machine/copy_64M", copy_64M),
                  benchmark::RegisterBenchmark("machine/stream_add_64M", stream_add_64M)})
    b->Unit(benchmark::kMillisecond)->UseRealTime()->Setup(setup);
}

}  // namespace machine_rows
