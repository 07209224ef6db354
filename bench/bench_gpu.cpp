// BENCH.md's GPU rows on the first Vulkan device, whatever it is (its name is printed with the
// results). Each iteration waits for the device, so the time is the GPU's work. On lavapipe (a
// Vulkan device on the CPU) the numbers check that the rows run; they are not performance claims.
//   ./build/bench/bench_gpu [--benchmark_filter=...]

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include <tessera/backend/vulkan/backend.hpp>
#include <tessera/tessera.hpp>

namespace {

const ts::Device kGpu = ts::Device::vulkan(0);
constexpr int64_t kBig = int64_t{1} << 24;

void wait() { ts::vulkan::detail::synchronize(0); }

void matmul_1024(benchmark::State& state) {
  auto a = ts::linspace(-1, 1, 1024 * 1024, {.device = kGpu}).view({1024, 1024}), b = a.t().contiguous();
  for (auto _ : state) {
    auto c = ts::matmul(a, b);
    wait();
  }
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * 1024 * 1024 * 1024, benchmark::Counter::kIsIterationInvariantRate);
}
void add_contig(benchmark::State& state) {
  auto a = ts::ones({kBig}, {.device = kGpu}), b = ts::ones({kBig}, {.device = kGpu});
  for (auto _ : state) {
    auto c = a + b;
    wait();
  }
  state.counters["bytes/s"] = benchmark::Counter(3.0 * 4 * static_cast<double>(kBig),
                                              benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}
void sum_all(benchmark::State& state) {
  auto a = ts::ones({kBig}, {.device = kGpu});
  for (auto _ : state) {
    auto s = a.sum();
    wait();
  }
  state.counters["bytes/s"] = benchmark::Counter(4.0 * static_cast<double>(kBig), benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}
/** bench/tessera_rows.hpp's mlp_step with every tensor on the device. Reading the loss waits for
 *  the device, the step's one wait: every plan of it runs on the GPU ("waits/step" counts every
 *  wait, those of plans that would run on the host too). */
void mlp_step(benchmark::State& state) {
  ts::Generator gen(0);
  auto x = ts::randn({64, 784}, gen).to(kGpu);
  auto target = ts::randint(0, 10, {64, 1}, gen).to(kGpu);
  auto w1 = (ts::randn({784, 256}, gen) * 0.03f).to(kGpu).requires_grad_();
  auto b1 = ts::zeros({256}, {.device = kGpu, .requires_grad = true});
  auto w2 = (ts::randn({256, 10}, gen) * 0.06f).to(kGpu).requires_grad_();
  auto b2 = ts::zeros({10}, {.device = kGpu, .requires_grad = true});
  const std::vector<ts::Tensor<float>> params = {w1, b1, w2, b2};
  const uint64_t waits = ts::vulkan::detail::host_waits();
  for (auto _ : state) {
    auto logits = (x.matmul(w1) + b1).relu().matmul(w2) + b2;
    auto loss = -logits.log_softmax(1).gather(1, target).mean();
    loss.backward();
    ts::NoGradGuard no_grad;
    for (const auto& p : params) {
      p.sub_(p.grad() * 0.01f);
      p.set_grad({});
    }
    benchmark::DoNotOptimize(loss.item());
  }
  state.counters["waits/step"] = benchmark::Counter(static_cast<double>(ts::vulkan::detail::host_waits() - waits),
                                                    benchmark::Counter::kAvgIterations);
}

}  // namespace

int main(int argc, char** argv) {
  if (ts::vulkan::device_count() == 0) {
    std::printf("bench_gpu: no Vulkan device (apt-get install mesa-vulkan-drivers gives one on the CPU)\n");
    return 0;
  }
  benchmark::AddCustomContext("device", ts::vulkan::detail::device_name(0));
  auto ms = [](benchmark::internal::Benchmark* b) { b->Unit(benchmark::kMillisecond)->UseRealTime(); };
  ms(benchmark::RegisterBenchmark("gpu/matmul_1024", matmul_1024));
  ms(benchmark::RegisterBenchmark("gpu/add_contig", add_contig));
  ms(benchmark::RegisterBenchmark("gpu/sum_all", sum_all));
  ms(benchmark::RegisterBenchmark("gpu/mlp_step", mlp_step));
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
