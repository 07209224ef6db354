#pragma once
// The BENCH.md rows on LibTorch, written as a LibTorch user would.

#include <benchmark/benchmark.h>
#include <torch/torch.h>

namespace torch_rows {

inline constexpr int64_t kBig = int64_t{1} << 24;

inline void add_contig(benchmark::State& state) {
  auto a = torch::ones({kBig}), b = torch::ones({kBig});
  for (auto _ : state) benchmark::DoNotOptimize((a + b).data_ptr());
}
inline void add_contig_out(benchmark::State& state) {
  auto a = torch::ones({kBig}), b = torch::ones({kBig}), c = torch::empty({kBig});
  for (auto _ : state) benchmark::DoNotOptimize(torch::add_out(c, a, b).data_ptr());
}
inline void add_bcast_row(benchmark::State& state) {
  auto a = torch::ones({4096, 4096}), b = torch::ones({4096});
  for (auto _ : state) benchmark::DoNotOptimize((a + b).data_ptr());
}
inline void add_transposed(benchmark::State& state) {
  auto a = torch::ones({4096, 4096}), b = torch::ones({4096, 4096});
  for (auto _ : state) benchmark::DoNotOptimize((a.t() + b).data_ptr());
}
inline void add_mixed_dtypes(benchmark::State& state) {
  auto a = torch::ones({kBig}), b = torch::ones({kBig}, torch::kInt64);
  for (auto _ : state) benchmark::DoNotOptimize((a + b).data_ptr());
}
inline void contiguous_transpose(benchmark::State& state) {
  auto a = torch::ones({4096, 4096});
  for (auto _ : state) benchmark::DoNotOptimize(a.t().contiguous().data_ptr());
}
inline void exp_contig(benchmark::State& state) {
  auto a = torch::linspace(-5, 5, kBig);
  for (auto _ : state) benchmark::DoNotOptimize(a.exp().data_ptr());
}
inline void tanh_contig(benchmark::State& state) {
  auto a = torch::linspace(-5, 5, kBig);
  for (auto _ : state) benchmark::DoNotOptimize(a.tanh().data_ptr());
}
inline void sum_all(benchmark::State& state) {
  auto a = torch::ones({kBig});
  for (auto _ : state) benchmark::DoNotOptimize(a.sum().data_ptr());
}
inline void sum_dim0(benchmark::State& state) {
  auto a = torch::ones({4096, 4096});
  for (auto _ : state) benchmark::DoNotOptimize(a.sum(0).data_ptr());
}
inline void sum_dim1(benchmark::State& state) {
  auto a = torch::ones({4096, 4096});
  for (auto _ : state) benchmark::DoNotOptimize(a.sum(1).data_ptr());
}
inline void matmul_256(benchmark::State& state) {
  auto a = torch::linspace(-1, 1, 256 * 256).view({256, 256}), b = a.t().contiguous();
  for (auto _ : state) benchmark::DoNotOptimize(torch::matmul(a, b).data_ptr());
}
inline void matmul_1024(benchmark::State& state) {
  auto a = torch::linspace(-1, 1, 1024 * 1024).view({1024, 1024}), b = a.t().contiguous();
  for (auto _ : state) benchmark::DoNotOptimize(torch::matmul(a, b).data_ptr());
}
inline void bmm_64x128(benchmark::State& state) {
  auto a = torch::linspace(-1, 1, 64 * 128 * 128).view({64, 128, 128}), b = a.transpose(1, 2).contiguous();
  for (auto _ : state) benchmark::DoNotOptimize(torch::bmm(a, b).data_ptr());
}
inline void rand_16M(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(torch::rand({kBig}).data_ptr());
}
inline void randn_16M(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(torch::randn({kBig}).data_ptr());
}
inline torch::Tensor random_1M() {
  torch::manual_seed(0);
  return torch::rand({int64_t{1} << 20});
}
inline void sort_1M(benchmark::State& state) {
  auto x = random_1M();
  for (auto _ : state) benchmark::DoNotOptimize(std::get<0>(x.sort()).data_ptr());
}
inline void topk_1M_k100(benchmark::State& state) {
  auto x = random_1M();
  for (auto _ : state) benchmark::DoNotOptimize(std::get<0>(x.topk(100)).data_ptr());
}
inline void unique_1M_int(benchmark::State& state) {
  auto x = (random_1M() * 1000.0f).to(torch::kLong);
  for (auto _ : state) benchmark::DoNotOptimize(std::get<0>(torch::_unique2(x)).data_ptr());
}
inline void scatter_add_1M(benchmark::State& state) {
  const auto index = (random_1M() * 65536.0f).to(torch::kLong), src = random_1M();
  const auto bins = torch::zeros({65536});
  for (auto _ : state) benchmark::DoNotOptimize(bins.scatter_add(0, index, src).data_ptr());
}
inline void gather_dim1(benchmark::State& state) {
  const auto index = (random_1M() * 1024.0f).to(torch::kLong).view({1024, 1024});
  const auto x = random_1M().flip({0}).view({1024, 1024});
  for (auto _ : state) benchmark::DoNotOptimize(x.gather(1, index).data_ptr());
}
inline void scatter_add_2d_dim1(benchmark::State& state) {
  const auto index = (random_1M() * 1024.0f).to(torch::kLong).view({1024, 1024});
  const auto src = random_1M().view({1024, 1024});
  const auto bins = torch::zeros({1024, 1024});
  for (auto _ : state) benchmark::DoNotOptimize(bins.scatter_add(1, index, src).data_ptr());
}
inline void index_add_rows(benchmark::State& state) {
  const auto index = (random_1M().slice(0, 0, 16384) * 4096.0f).to(torch::kLong);
  const auto source = random_1M().view({16384, 64});
  const auto bins = torch::zeros({4096, 64});
  for (auto _ : state) benchmark::DoNotOptimize(bins.index_add(0, index, source).data_ptr());
}
inline void cumsum_dim1(benchmark::State& state) {
  auto a = torch::linspace(-1, 1, 4096 * 4096).view({4096, 4096});
  for (auto _ : state) benchmark::DoNotOptimize(a.cumsum(1).data_ptr());
}
inline torch::Tensor square_256() { return torch::randn({256, 256}) + torch::eye(256) * 16.0f; }
inline void linalg_solve_256(benchmark::State& state) {
  torch::manual_seed(0);
  auto a = square_256(), b = square_256();
  for (auto _ : state) benchmark::DoNotOptimize(torch::linalg::solve(a, b, /*left=*/true).data_ptr());
}
inline void svd_256(benchmark::State& state) {
  torch::manual_seed(0);
  auto a = square_256();
  for (auto _ : state) benchmark::DoNotOptimize(std::get<1>(torch::linalg::svd(a, /*full_matrices=*/true, c10::nullopt)).data_ptr());
}
inline void small_add(benchmark::State& state) {
  auto a = torch::ones({4}), b = torch::ones({4});
  for (auto _ : state) benchmark::DoNotOptimize((a + b).data_ptr());
}

inline void conv2d_3x3(benchmark::State& state) {
  torch::manual_seed(0);
  auto x = torch::randn({32, 16, 32, 32}), w = torch::randn({32, 16, 3, 3}) * 0.1f, b = torch::zeros({32});
  for (auto _ : state) benchmark::DoNotOptimize(torch::conv2d(x, w, b, 1, 1).data_ptr());
}
inline void conv2d_3x3_backward(benchmark::State& state) {
  torch::manual_seed(0);
  auto x = torch::randn({32, 16, 32, 32}).requires_grad_(), w = (torch::randn({32, 16, 3, 3}) * 0.1f).requires_grad_();
  auto b = torch::zeros({32}).requires_grad_(), gy = torch::randn({32, 32, 32, 32});
  for (auto _ : state) {
    torch::conv2d(x, w, b, 1, 1).backward(gy);
    benchmark::DoNotOptimize(w.grad().data_ptr());
    for (auto* t : {&x, &w, &b}) t->mutable_grad().reset();
  }
}
inline void batch_norm_backward(benchmark::State& state) {
  torch::manual_seed(0);
  auto x = torch::randn({32, 32, 32, 32}).requires_grad_(), gy = torch::randn({32, 32, 32, 32});
  auto w = torch::ones({32}).requires_grad_(), b = torch::zeros({32}).requires_grad_();
  auto running_mean = torch::zeros({32}), running_var = torch::ones({32});
  for (auto _ : state) {
    torch::batch_norm(x, w, b, running_mean, running_var, true, 0.1, 1e-5, false).backward(gy);
    benchmark::DoNotOptimize(x.grad().data_ptr());
    for (auto* t : {&x, &w, &b}) t->mutable_grad().reset();
  }
}
inline void max_pool2d_backward(benchmark::State& state) {
  torch::manual_seed(0);
  auto x = torch::randn({32, 32, 32, 32}).requires_grad_(), gy = torch::randn({32, 32, 16, 16});
  for (auto _ : state) {
    torch::max_pool2d(x, 3, 2, 1).backward(gy);
    benchmark::DoNotOptimize(x.grad().data_ptr());
    x.mutable_grad().reset();
  }
}
inline void upsample_bilinear_backward(benchmark::State& state) {
  torch::manual_seed(0);
  auto x = torch::randn({32, 32, 32, 32}).requires_grad_(), gy = torch::randn({32, 32, 64, 64});
  const auto options = torch::nn::functional::InterpolateFuncOptions()
                           .scale_factor(std::vector<double>{2, 2})
                           .mode(torch::kBilinear)
                           .align_corners(false);
  for (auto _ : state) {
    torch::nn::functional::interpolate(x, options).backward(gy);
    benchmark::DoNotOptimize(x.grad().data_ptr());
    x.mutable_grad().reset();
  }
}
inline void group_norm_backward(benchmark::State& state) {
  torch::manual_seed(0);
  auto x = torch::randn({32, 32, 32, 32}).requires_grad_(), gy = torch::randn({32, 32, 32, 32});
  auto w = torch::randn({32}).requires_grad_(), b = torch::randn({32}).requires_grad_();
  for (auto _ : state) {
    torch::group_norm(x, 8, w, b).backward(gy);
    benchmark::DoNotOptimize(x.grad().data_ptr());
    x.mutable_grad().reset(), w.mutable_grad().reset(), b.mutable_grad().reset();
  }
}
inline void pad_reflect_backward(benchmark::State& state) {
  torch::manual_seed(0);
  auto x = torch::randn({32, 32, 32, 32}).requires_grad_(), gy = torch::randn({32, 32, 36, 36});
  for (auto _ : state) {
    torch::reflection_pad2d(x, {2, 2, 2, 2}).backward(gy);
    benchmark::DoNotOptimize(x.grad().data_ptr());
    x.mutable_grad().reset();
  }
}
inline void conv_transpose2d_backward(benchmark::State& state) {
  torch::manual_seed(0);
  auto x = torch::randn({32, 32, 16, 16}).requires_grad_(), w = (torch::randn({32, 16, 3, 3}) * 0.1f).requires_grad_();
  auto gy = torch::randn({32, 16, 32, 32});
  for (auto _ : state) {
    torch::conv_transpose2d(x, w, {}, 2, 1, 1).backward(gy);
    benchmark::DoNotOptimize(w.grad().data_ptr());
    x.mutable_grad().reset(), w.mutable_grad().reset();
  }
}
inline void mlp_step(benchmark::State& state) {
  torch::manual_seed(0);
  auto x = torch::randn({64, 784});
  auto target = torch::randint(0, 10, {64});
  auto w1 = (torch::randn({784, 256}) * 0.03f).requires_grad_(), b1 = torch::zeros({256}).requires_grad_();
  auto w2 = (torch::randn({256, 10}) * 0.06f).requires_grad_(), b2 = torch::zeros({10}).requires_grad_();
  const std::vector<torch::Tensor> params = {w1, b1, w2, b2};
  for (auto _ : state) {
    auto logits = (x.matmul(w1) + b1).relu().matmul(w2) + b2;
    auto loss = torch::nll_loss(logits.log_softmax(1), target);
    loss.backward();
    torch::NoGradGuard no_grad;
    for (const auto& p : params) {
      p.sub_(p.grad() * 0.01f);
      p.mutable_grad().reset();
    }
    benchmark::DoNotOptimize(loss.item<float>());
  }
}

inline void small_mul_grad(benchmark::State& state) {
  auto a = torch::ones({4}).requires_grad_(), b = torch::ones({4});
  for (auto _ : state) benchmark::DoNotOptimize((a * b).data_ptr());
}
inline void small_backward(benchmark::State& state) {
  auto a = torch::ones({4}).requires_grad_(), b = torch::ones({4});
  for (auto _ : state) {
    (a * b + 1.0f).sum().backward();
    a.mutable_grad().reset();
  }
}

inline void train_epoch_mlp(benchmark::State& state) {
  torch::manual_seed(0);
  auto x = torch::randn({60000, 784});
  auto y = torch::randint(0, 10, {60000});
  auto model = torch::nn::Sequential(torch::nn::Linear(784, 256), torch::nn::ReLU(), torch::nn::Linear(256, 128),
                                     torch::nn::ReLU(), torch::nn::Linear(128, 10));
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3));
  for (auto _ : state) {
    auto order = torch::randperm(60000);
    for (int64_t i = 0; i < 60000; i += 64) {
      auto idx = order.narrow(0, i, std::min<int64_t>(64, 60000 - i));
      auto loss = torch::nn::functional::cross_entropy(model->forward(x.index_select(0, idx)), y.index_select(0, idx));
      opt.zero_grad();
      loss.backward();
      opt.step();
    }
  }
}

/** The model of tessera's row, as LibTorch's C++ API builds it: its TransformerEncoderLayer has
 *  neither norm_first nor batch_first, so the pre-norm block is written out with the same
 *  modules (MultiheadAttention on [T, B, d], as PyTorch's batch_first layer runs it). */
struct CharBlockImpl : torch::nn::Module {
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::MultiheadAttention attn{nullptr};
  torch::nn::Linear linear1{nullptr}, linear2{nullptr};
  explicit CharBlockImpl(int64_t d)
      : norm1(register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})))),
        norm2(register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})))),
        attn(register_module("self_attn", torch::nn::MultiheadAttention(torch::nn::MultiheadAttentionOptions(d, 4)))),
        linear1(register_module("linear1", torch::nn::Linear(d, 4 * d))),
        linear2(register_module("linear2", torch::nn::Linear(4 * d, d))) {}
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& causal) {  // x: [T, B, d]
    auto h = norm1(x);
    x = x + std::get<0>(attn->forward(h, h, h, {}, /*need_weights=*/false, causal));
    return x + linear2(torch::gelu(linear1(norm2(x))));
  }
};
TORCH_MODULE(CharBlock);

inline void train_step_transformer(benchmark::State& state) {
  constexpr int64_t vocab = 96, block = 64, d = 128, batch = 32;
  torch::manual_seed(0);
  torch::nn::Embedding tok(vocab, d), pos(block, d);
  CharBlock b1(d), b2(d);
  torch::nn::LayerNorm ln_f(torch::nn::LayerNormOptions({d}));
  std::vector<torch::Tensor> params;
  for (const auto& m : std::vector<std::shared_ptr<torch::nn::Module>>{tok.ptr(), pos.ptr(), b1.ptr(), b2.ptr(), ln_f.ptr()})
    for (const auto& p : m->parameters()) params.push_back(p);
  torch::optim::AdamW opt(params, torch::optim::AdamWOptions(1e-3));
  const auto causal = torch::ones({block, block}, torch::kBool).triu(1);
  const auto x = torch::randint(0, vocab, {batch, block}), y = torch::randint(0, vocab, {batch, block});
  for (auto _ : state) {
    auto h = (tok(x) + pos(torch::arange(block))).transpose(0, 1);
    h = b2(b1(h, causal), causal).transpose(0, 1);
    auto logits = torch::nn::functional::linear(ln_f(h), tok->weight);
    auto loss = torch::nn::functional::cross_entropy(logits.reshape({-1, vocab}), y.reshape({-1}));
    opt.zero_grad();
    loss.backward();
    torch::nn::utils::clip_grad_norm_(params, 1.0);
    opt.step();
    benchmark::DoNotOptimize(loss.item<float>());
  }
}

}  // namespace torch_rows
