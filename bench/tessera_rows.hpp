#pragma once
// The BENCH.md rows on tessera. Each row is a Google Benchmark function; bench_tessera.cpp runs
// them alone and compare_torch.cpp beside the same rows on LibTorch.

#include <benchmark/benchmark.h>

#include <string>
#include <vector>
#include <tessera/linalg.hpp>
#include <tessera/tessera.hpp>

namespace tessera_rows {

inline constexpr int64_t kBig = int64_t{1} << 24;

inline void add_contig(benchmark::State& state) {
  auto a = ts::ones({kBig}), b = ts::ones({kBig});
  for (auto _ : state) benchmark::DoNotOptimize((a + b).data_ptr());
}
inline void add_contig_out(benchmark::State& state) {
  auto a = ts::ones({kBig}), b = ts::ones({kBig}), c = ts::empty({kBig});
  for (auto _ : state) benchmark::DoNotOptimize(ts::add_out(c, a, b).data_ptr());
}
inline void add_bcast_row(benchmark::State& state) {
  auto a = ts::ones({4096, 4096}), b = ts::ones({4096});
  for (auto _ : state) benchmark::DoNotOptimize((a + b).data_ptr());
}
inline void add_transposed(benchmark::State& state) {
  auto a = ts::ones({4096, 4096}), b = ts::ones({4096, 4096});
  for (auto _ : state) benchmark::DoNotOptimize((a.t() + b).data_ptr());
}
/** float32 + int64: the int64 operand is converted to float32 first (Note [Operands of mixed dtypes]). */
inline void add_mixed_dtypes(benchmark::State& state) {
  auto a = ts::ones({kBig});
  auto b = ts::ones<int64_t>({kBig});
  for (auto _ : state) benchmark::DoNotOptimize((a + b).data_ptr());
}
inline void contiguous_transpose(benchmark::State& state) {
  auto a = ts::ones({4096, 4096});
  for (auto _ : state) benchmark::DoNotOptimize(a.t().contiguous().data_ptr());
}
inline void exp_contig(benchmark::State& state) {
  auto a = ts::linspace(-5, 5, kBig);
  for (auto _ : state) benchmark::DoNotOptimize(a.exp().data_ptr());
}
inline void tanh_contig(benchmark::State& state) {
  auto a = ts::linspace(-5, 5, kBig);
  for (auto _ : state) benchmark::DoNotOptimize(a.tanh().data_ptr());
}
inline void sum_all(benchmark::State& state) {
  auto a = ts::ones({kBig});
  for (auto _ : state) benchmark::DoNotOptimize(a.sum().data_ptr());
}
inline void sum_dim0(benchmark::State& state) {
  auto a = ts::ones({4096, 4096});
  for (auto _ : state) benchmark::DoNotOptimize(a.sum(0).data_ptr());
}
inline void sum_dim1(benchmark::State& state) {
  auto a = ts::ones({4096, 4096});
  for (auto _ : state) benchmark::DoNotOptimize(a.sum(1).data_ptr());
}
inline void matmul_256(benchmark::State& state) {
  auto a = ts::linspace(-1, 1, 256 * 256).view({256, 256}), b = a.t().contiguous();
  for (auto _ : state) benchmark::DoNotOptimize(ts::matmul(a, b).data_ptr());
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * 256 * 256 * 256, benchmark::Counter::kIsIterationInvariantRate);
}
inline void matmul_1024(benchmark::State& state) {
  auto a = ts::linspace(-1, 1, 1024 * 1024).view({1024, 1024}), b = a.t().contiguous();
  for (auto _ : state) benchmark::DoNotOptimize(ts::matmul(a, b).data_ptr());
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * 1024 * 1024 * 1024, benchmark::Counter::kIsIterationInvariantRate);
}
inline void bmm_64x128(benchmark::State& state) {
  auto a = ts::linspace(-1, 1, 64 * 128 * 128).view({64, 128, 128}), b = a.transpose(1, 2).contiguous();
  for (auto _ : state) benchmark::DoNotOptimize(ts::bmm(a, b).data_ptr());
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * 64 * 128 * 128 * 128, benchmark::Counter::kIsIterationInvariantRate);
}
inline void rand_16M(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ts::rand({kBig}).data_ptr());
}
inline void randn_16M(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ts::randn({kBig}).data_ptr());
}
// The same rows on an mt19937 generator (PyTorch's stream and values), against LibTorch's rand_16M
// and randn_16M, which draw from its mt19937 default generator.
inline void rand_16M_mt19937(benchmark::State& state) {
  ts::Generator gen(0, ts::RngAlgorithm::mt19937);
  for (auto _ : state) benchmark::DoNotOptimize(ts::rand({kBig}, gen).data_ptr());
}
inline void randn_16M_mt19937(benchmark::State& state) {
  ts::Generator gen(0, ts::RngAlgorithm::mt19937);
  for (auto _ : state) benchmark::DoNotOptimize(ts::randn({kBig}, gen).data_ptr());
}
inline void small_add(benchmark::State& state) {
  auto a = ts::ones({4}), b = ts::ones({4});
  for (auto _ : state) benchmark::DoNotOptimize((a + b).data_ptr());
}

/** One SGD step of a 784-256-10 MLP on a batch of 64: forward, cross-entropy, backward, update. */
inline void mlp_step(benchmark::State& state) {
  ts::Generator gen(0);
  auto x = ts::randn({64, 784}, gen);
  auto target = ts::randint(0, 10, {64, 1}, gen);
  auto w1 = (ts::randn({784, 256}, gen) * 0.03f).requires_grad_(), b1 = ts::zeros({256}, {.requires_grad = true});
  auto w2 = (ts::randn({256, 10}, gen) * 0.06f).requires_grad_(), b2 = ts::zeros({10}, {.requires_grad = true});
  const std::vector<ts::Tensor<float>> params = {w1, b1, w2, b2};
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
}

/** A 3x3 convolution, padding 1, of a batch of 32 images [16, 32, 32] to 32 channels. */
inline void conv2d_3x3(benchmark::State& state) {
  ts::Generator gen(0);
  auto x = ts::randn({32, 16, 32, 32}, gen), w = ts::randn({32, 16, 3, 3}, gen) * 0.1f, b = ts::zeros({32});
  for (auto _ : state) benchmark::DoNotOptimize(ts::nn::functional::conv2d(x, w, b, {.padding = 1}).data_ptr());
}
/** The same convolution's forward and backward, to the input, the weight and the bias. */
inline void conv2d_3x3_backward(benchmark::State& state) {
  ts::Generator gen(0);
  auto x = ts::randn({32, 16, 32, 32}, gen).requires_grad_(), w = (ts::randn({32, 16, 3, 3}, gen) * 0.1f).requires_grad_();
  auto b = ts::zeros({32}, {.requires_grad = true}), gy = ts::randn({32, 32, 32, 32}, gen);
  for (auto _ : state) {
    ts::nn::functional::conv2d(x, w, b, {.padding = 1}).backward(gy);
    benchmark::DoNotOptimize(w.grad().data_ptr());
    for (const auto* t : {&x, &w, &b}) t->set_grad({});
  }
}

/** Batch normalisation in training of [32, 32, 32, 32] (statistics, running averages), forward and
 *  backward to the input, the weight and the bias. */
inline void batch_norm_backward(benchmark::State& state) {
  ts::Generator gen(0);
  auto x = ts::randn({32, 32, 32, 32}, gen).requires_grad_(), gy = ts::randn({32, 32, 32, 32}, gen);
  auto w = ts::ones({32}, {.requires_grad = true}), b = ts::zeros({32}, {.requires_grad = true});
  auto running_mean = ts::zeros({32}), running_var = ts::ones({32});
  for (auto _ : state) {
    ts::nn::functional::batch_norm(x, running_mean, running_var, w, b, true).backward(gy);
    benchmark::DoNotOptimize(x.grad().data_ptr());
    for (const auto* t : {&x, &w, &b}) t->set_grad({});
  }
}

/** Max pooling (3x3 windows, stride 2, padding 1) of [32, 32, 32, 32], forward and backward. */
inline void max_pool2d_backward(benchmark::State& state) {
  ts::Generator gen(0);
  auto x = ts::randn({32, 32, 32, 32}, gen).requires_grad_(), gy = ts::randn({32, 32, 16, 16}, gen);
  for (auto _ : state) {
    ts::nn::functional::max_pool2d(x, 3, 2, 1).backward(gy);
    benchmark::DoNotOptimize(x.grad().data_ptr());
    x.set_grad({});
  }
}
/** Bilinear upsampling by 2 of [32, 32, 32, 32], forward and backward. */
inline void upsample_bilinear_backward(benchmark::State& state) {
  ts::Generator gen(0);
  auto x = ts::randn({32, 32, 32, 32}, gen).requires_grad_(), gy = ts::randn({32, 32, 64, 64}, gen);
  for (auto _ : state) {
    ts::nn::functional::interpolate(x, {.scale_factor = {2}, .mode = "bilinear"}).backward(gy);
    benchmark::DoNotOptimize(x.grad().data_ptr());
    x.set_grad({});
  }
}
/** group_norm of [32, 32, 32, 32] in 8 groups with a weight and a bias, forward and backward to all three. */
inline void group_norm_backward(benchmark::State& state) {
  ts::Generator gen(0);
  auto x = ts::randn({32, 32, 32, 32}, gen).requires_grad_(), gy = ts::randn({32, 32, 32, 32}, gen);
  auto w = ts::randn({32}, gen).requires_grad_(), b = ts::randn({32}, gen).requires_grad_();
  for (auto _ : state) {
    ts::nn::functional::group_norm(x, 8, w, b).backward(gy);
    benchmark::DoNotOptimize(x.grad().data_ptr());
    x.set_grad({}), w.set_grad({}), b.set_grad({});
  }
}
/** Reflection padding by 2 of [32, 32, 32, 32], forward and backward. */
inline void pad_reflect_backward(benchmark::State& state) {
  ts::Generator gen(0);
  auto x = ts::randn({32, 32, 32, 32}, gen).requires_grad_(), gy = ts::randn({32, 32, 36, 36}, gen);
  for (auto _ : state) {
    ts::nn::functional::pad(x, {2, 2, 2, 2}, "reflect").backward(gy);
    benchmark::DoNotOptimize(x.grad().data_ptr());
    x.set_grad({});
  }
}
/** A stride-2 transposed convolution (3x3, padding 1, output padding 1) of [32, 32, 16, 16] to 16
 *  channels [32, 32], forward and backward to the input and the weight. */
inline void conv_transpose2d_backward(benchmark::State& state) {
  ts::Generator gen(0);
  auto x = ts::randn({32, 32, 16, 16}, gen).requires_grad_(), w = (ts::randn({32, 16, 3, 3}, gen) * 0.1f).requires_grad_();
  auto gy = ts::randn({32, 16, 32, 32}, gen);
  for (auto _ : state) {
    ts::nn::functional::conv_transpose2d(x, w, {}, {.stride = 2, .padding = 1, .output_padding = 1}).backward(gy);
    benchmark::DoNotOptimize(w.grad().data_ptr());
    x.set_grad({}), w.set_grad({});
  }
}

/** Autograd's cost per op: a 4-element multiply that records a node. */
inline void small_mul_grad(benchmark::State& state) {
  auto a = ts::ones({4}, {.requires_grad = true}), b = ts::ones({4});
  for (auto _ : state) benchmark::DoNotOptimize((a * b).data_ptr());
}
/** Autograd's cost per backward: forward and backward of a 3-op graph on 4 elements. */
inline void small_backward(benchmark::State& state) {
  auto a = ts::ones({4}, {.requires_grad = true}), b = ts::ones({4});
  for (auto _ : state) {
    (a * b + 1.0f).sum().backward();
    a.set_grad({});
  }
}

/** One epoch of the Fashion-MNIST MLP recipe (784-256-128-10, ReLU, Adam 1e-3, batch 64,
 *  shuffled) on 60000 synthetic images: the time that matters is the arithmetic, not the data. */
inline void train_epoch_mlp(benchmark::State& state) {
  ts::Generator gen(0);
  auto x = ts::randn({60000, 784}, gen);
  auto y = ts::randint(0, 10, {60000}, gen);
  ts::nn::Sequential model{ts::nn::Linear(784, 256, true, gen), ts::nn::ReLU(), ts::nn::Linear(256, 128, true, gen),
                           ts::nn::ReLU(), ts::nn::Linear(128, 10, true, gen)};
  ts::optim::Adam opt(model.parameters(), {.lr = 1e-3});
  ts::data::DataLoader loader(ts::data::TensorDataset(x, y), {.batch_size = 64, .shuffle = true}, gen);
  for (auto _ : state) {
    for (auto [bx, by] : loader) {
      auto loss = ts::nn::functional::cross_entropy(model(bx), by);
      opt.zero_grad();
      loss.backward();
      opt.step();
    }
  }
}

/** Sorting and selection on 1M elements: random floats (the same on both libraries: uniform
 *  from the mt19937 stream), and int64 values in [0, 1000) for unique. */
inline ts::Tensor<float> random_1M() {
  ts::Generator gen(0, ts::RngAlgorithm::mt19937);
  return ts::rand({int64_t{1} << 20}, gen);
}
inline void sort_1M(benchmark::State& state) {
  auto x = random_1M();
  for (auto _ : state) benchmark::DoNotOptimize(x.sort().values.data_ptr());
}
inline void topk_1M_k100(benchmark::State& state) {
  auto x = random_1M();
  for (auto _ : state) benchmark::DoNotOptimize(x.topk(100).values.data_ptr());
}
inline void unique_1M_int(benchmark::State& state) {
  auto x = (random_1M() * 1000.0f).to<int64_t>();
  for (auto _ : state) benchmark::DoNotOptimize(ts::unique(x).values.data_ptr());
}
/** scatter_add of 2^20 values into 2^16 bins (indices from the mt19937 stream), allocating the
 *  result; cumsum along the rows of [4096, 4096]. */
inline void scatter_add_1M(benchmark::State& state) {
  const auto index = (random_1M() * 65536.0f).to<int64_t>();
  const auto src = random_1M();
  const auto bins = ts::zeros({65536});
  for (auto _ : state) benchmark::DoNotOptimize(bins.scatter_add(0, index, src).data_ptr());
}
/** The 2-D layouts, [1024, 1024] with indices in [0, 1024): gather along the rows (dim 1), and
 *  scatter_add along the rows into [1024, 1024] bins. */
inline void gather_dim1(benchmark::State& state) {
  const auto index = (random_1M() * 1024.0f).to<int64_t>().view({1024, 1024});
  const auto x = random_1M().flip({0}).view({1024, 1024});
  for (auto _ : state) benchmark::DoNotOptimize(x.gather(1, index).data_ptr());
}
inline void scatter_add_2d_dim1(benchmark::State& state) {
  const auto index = (random_1M() * 1024.0f).to<int64_t>().view({1024, 1024});
  const auto src = random_1M().view({1024, 1024});
  const auto bins = ts::zeros({1024, 1024});
  for (auto _ : state) benchmark::DoNotOptimize(bins.scatter_add(1, index, src).data_ptr());
}
/** index_add of 2^14 rows of 64 into [4096, 64] (row indices in [0, 4096)). */
inline void index_add_rows(benchmark::State& state) {
  const auto index = (random_1M().slice(0, 0, 16384) * 4096.0f).to<int64_t>();
  const auto source = random_1M().view({16384, 64});
  const auto bins = ts::zeros({4096, 64});
  for (auto _ : state) benchmark::DoNotOptimize(bins.index_add(0, index, source).data_ptr());
}
inline void cumsum_dim1(benchmark::State& state) {
  auto a = ts::linspace(-1, 1, 4096 * 4096).view({4096, 4096});
  for (auto _ : state) benchmark::DoNotOptimize(a.cumsum(1).data_ptr());
}

/** One training step of examples/char_transformer's model (vocabulary 96, context 64, d_model
 *  128, 4 heads, 2 pre-norm GELU blocks, tied output layer; batch 32): forward, cross-entropy,
 *  backward, gradient clipping, AdamW. */
inline void train_step_transformer(benchmark::State& state) {
  constexpr int64_t vocab = 96, block = 64, d = 128, batch = 32;
  ts::Generator gen(0);
  ts::nn::Embedding tok(vocab, d, gen), pos(block, d, gen);
  ts::nn::TransformerEncoder blocks(
      ts::nn::TransformerEncoderLayer(d, 4, {.dim_feedforward = 4 * d, .dropout = 0.0, .activation = "gelu",
                                             .batch_first = true, .norm_first = true}, gen), 2);
  ts::nn::LayerNorm ln_f(d);
  std::vector<ts::Tensor<float>> params;
  for (const ts::nn::Module& m : {ts::nn::Module(tok), ts::nn::Module(pos), ts::nn::Module(blocks), ts::nn::Module(ln_f)})
    for (const auto& p : m.parameters()) params.push_back(p);
  ts::optim::AdamW opt(params, {.lr = 1e-3});
  const auto causal = ts::ones<bool>({block, block}).triu(1);
  const auto x = ts::randint<int64_t>(0, vocab, {batch, block}, gen), y = ts::randint<int64_t>(0, vocab, {batch, block}, gen);
  for (auto _ : state) {
    auto h = blocks(tok(x) + pos(ts::arange<int64_t>(block)), causal);
    auto logits = ts::nn::functional::linear(ln_f(h), tok.weight());
    auto loss = ts::nn::functional::cross_entropy(logits.reshape({-1, vocab}), y.reshape({-1}));
    opt.zero_grad();
    loss.backward();
    ts::nn::utils::clip_grad_norm_(params, 1.0);
    opt.step();
    benchmark::DoNotOptimize(loss.item());
  }
}

/** ts::linalg on 256 x 256 float32: solve with a 256-column right-hand side (LU with partial
 *  pivoting, then two triangular solves), and the full SVD (U, S, Vh). */
inline ts::Tensor<float> square_256(uint64_t seed) {
  ts::Generator gen(seed);
  return ts::randn({256, 256}, gen) + ts::eye(256) * 16.0f;
}
inline void linalg_solve_256(benchmark::State& state) {
  auto a = square_256(1), b = square_256(2);
  for (auto _ : state) benchmark::DoNotOptimize(ts::linalg::solve(a, b).data_ptr());
}
inline void svd_256(benchmark::State& state) {
  auto a = square_256(3);
  for (auto _ : state) benchmark::DoNotOptimize(ts::linalg::svd(a).S.data_ptr());
}

using Setup = void (*)(const benchmark::State&);

/** Registers every row under `prefix` (e.g. "" or "tessera/") and returns the rows' names;
 *  `setup`, if given, runs before each timed run of a row, untimed. */
inline std::vector<std::string> register_rows(const std::string& prefix, Setup setup = nullptr) {
  std::vector<std::string> names;
  auto row = [&](const char* name, void (*f)(benchmark::State&)) {
    names.push_back(name);
    return benchmark::RegisterBenchmark((prefix + name).c_str(), f)->UseRealTime()->Setup(setup);
  };
  auto ms = [](benchmark::internal::Benchmark* b) { b->Unit(benchmark::kMillisecond); };
  ms(row("add_contig", add_contig));
  ms(row("add_contig_out", add_contig_out));
  ms(row("add_bcast_row", add_bcast_row));
  ms(row("add_transposed", add_transposed));
  ms(row("add_mixed_dtypes", add_mixed_dtypes));
  ms(row("contiguous_transpose", contiguous_transpose));
  ms(row("exp_contig", exp_contig));
  ms(row("tanh_contig", tanh_contig));
  ms(row("sum_all", sum_all));
  ms(row("sum_dim0", sum_dim0));
  ms(row("sum_dim1", sum_dim1));
  ms(row("matmul_256", matmul_256));
  ms(row("matmul_1024", matmul_1024));
  ms(row("bmm_64x128", bmm_64x128));
  ms(row("rand_16M", rand_16M));
  ms(row("randn_16M", randn_16M));
  ms(row("rand_16M_mt19937", rand_16M_mt19937));
  ms(row("randn_16M_mt19937", randn_16M_mt19937));
  ms(row("sort_1M", sort_1M));
  ms(row("topk_1M_k100", topk_1M_k100));
  ms(row("unique_1M_int", unique_1M_int));
  ms(row("scatter_add_1M", scatter_add_1M));
  ms(row("gather_dim1", gather_dim1));
  ms(row("scatter_add_2d_dim1", scatter_add_2d_dim1));
  ms(row("index_add_rows", index_add_rows));
  ms(row("cumsum_dim1", cumsum_dim1));
  ms(row("linalg_solve_256", linalg_solve_256));
  ms(row("svd_256", svd_256));
  ms(row("conv2d_3x3", conv2d_3x3));
  ms(row("conv2d_3x3_backward", conv2d_3x3_backward));
  ms(row("batch_norm_backward", batch_norm_backward));
  ms(row("max_pool2d_backward", max_pool2d_backward));
  ms(row("upsample_bilinear_backward", upsample_bilinear_backward));
  ms(row("pad_reflect_backward", pad_reflect_backward));
  ms(row("group_norm_backward", group_norm_backward));
  ms(row("conv_transpose2d_backward", conv_transpose2d_backward));
  row("small_add", small_add);
  ms(row("mlp_step", mlp_step));
  row("small_mul_grad", small_mul_grad);
  row("small_backward", small_backward);
  ms(row("train_step_transformer", train_step_transformer));
  row("train_epoch_mlp", train_epoch_mlp)
      ->Unit(benchmark::kSecond)->Iterations(1);
  return names;
}

}  // namespace tessera_rows
