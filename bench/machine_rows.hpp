#pragma once
// The machine's own limits, measured in the same run as the rows: plain loops over 64 MiB
// arrays on tessera's two pool threads, so "fraction of the write bandwidth" or "of STREAM"
// compares numbers taken minutes apart on the same shared machine, not figures from another day.

#include <benchmark/benchmark.h>
#include <tessera/tessera.hpp>

#include <cstring>

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

inline void register_rows() {
  for (auto* b : {benchmark::RegisterBenchmark("machine/write_64M", write_64M),
                  benchmark::RegisterBenchmark("machine/copy_64M", copy_64M),
                  benchmark::RegisterBenchmark("machine/stream_add_64M", stream_add_64M)})
    b->Unit(benchmark::kMillisecond)->UseRealTime();
}

}  // namespace machine_rows
