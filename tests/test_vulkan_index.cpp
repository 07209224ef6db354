// The index family on a Vulkan device against the CPU (docs/gpu.md, "index"): gather, scatter,
// x[idx], index_put, index_select, embedding and as_strided's adjoint for every dtype, through
// views, with repeated indices, bit for bit; index errors reported at the next host read (Note
// [Deferred errors]); autograd through them; and a training step that waits for the device only
// when its loss is read. Without a device the tests are skipped, unless TESSERA_REQUIRE_VULKAN=1.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "vulkan_device.hpp"
#include "error_of.hpp"

namespace test_vulkan_index {

namespace {

namespace vk = vulkan_test::backend;  // ts::vulkan::detail, or ts::metal::detail
namespace td = ts::detail;
namespace F = ts::nn::functional;

using vulkan_test::have_device;
using vulkan_test::kGpu;

template <class T>
ts::Tensor<T> random_tensor(const ts::Shape& shape, std::mt19937_64& rng) {
  ts::Tensor<T> t = ts::empty<T>(shape);
  T* p = t.data_ptr();
  std::normal_distribution<double> normal;
  for (int64_t i = 0; i < t.numel(); ++i) {
    if constexpr (std::is_same_v<T, bool>) p[i] = (rng() & 1) != 0;
    else if constexpr (std::is_integral_v<T>) p[i] = static_cast<T>(rng());
    else p[i] = td::convert<T>(normal(rng) * 3);
  }
  return t;
}

ts::Tensor<int64_t> random_index(const ts::Shape& shape, int64_t lo, int64_t hi, std::mt19937_64& rng) {
  ts::Tensor<int64_t> t = ts::empty<int64_t>(shape);
  int64_t* p = t.data_ptr();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = hi > lo ? lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo)) : 0;
  return t;
}

/** Bit-for-bit equality of two tensors of one shape, on any devices. */
template <class T>
void require_same(const ts::Tensor<T>& want, const ts::Tensor<T>& got, const std::string& what) {
  INFO(what);
  REQUIRE(want.sizes() == got.sizes());
  const std::vector<T> a = want.to(ts::Device::cpu()).to_vector();
  const std::vector<T> b = got.to(ts::Device::cpu()).to_vector();
  for (size_t i = 0; i < a.size(); ++i) {
    const T x = a[i], y = b[i];
    if (std::memcmp(&x, &y, sizeof(T)) == 0) continue;
    INFO("element " << i << " of " << a.size() << ": want " << +td::convert<double>(x) << ", got "
                    << +td::convert<double>(y));
    FAIL("bits differ");
  }
}

constexpr ts::DType kDTypes[] = {ts::DType::Bool,  ts::DType::UInt8,   ts::DType::Int8,     ts::DType::Int16,
                                 ts::DType::Int32, ts::DType::Int64,   ts::DType::Float16,  ts::DType::BFloat16,
                                 ts::DType::Float32, ts::DType::Float64};

template <class F>
void for_each_dtype(F&& f) {
  for (ts::DType d : kDTypes) {
    if (d == ts::DType::Float64 && !vk::has_float64(0)) continue;
    ts::dispatch(d, f);
  }
}

uint64_t index_fallbacks() { return vk::host_fallbacks(vk::PlanKind::Index); }

/** A view of t: itself, transposed (first and last dims) or every second element of the last dim. */
template <class T>
ts::Tensor<T> view_of(const ts::Tensor<T>& t, int kind) {
  if (kind == 1 && t.dim() >= 2) return t.transpose(0, t.dim() - 1);
  if (kind == 2 && t.dim() >= 1) return t.slice(t.dim() - 1, 0, std::nullopt, 2);
  return t;
}

}  // namespace

TEST_CASE("vulkan index: gather and scatter along every dim, every dtype, through views, repeated indices") {
  if (!have_device()) return;
  std::mt19937_64 rng(7);
  const uint64_t fallbacks = index_fallbacks();
  for_each_dtype([&](auto tag) {
    using T = typename decltype(tag)::type;
    INFO(ts::dtype_of<T>);
    const ts::Shape shapes[] = {{5}, {4, 6}, {3, 0, 5}, {2, 3, 4}, {}};
    for (const ts::Shape& base : shapes) {
      for (int kind = 0; kind < 3; ++kind) {
        const ts::Tensor<T> whole = random_tensor<T>(base, rng);
        const ts::Tensor<T> x_cpu = view_of(whole, kind), x_gpu = view_of(whole.to(kGpu), kind);
        const int64_t nd = x_cpu.dim();
        for (int64_t dim = 0; dim < std::max<int64_t>(nd, 1); ++dim) {
          INFO("shape " << td::shape_str(x_cpu.sizes()) << " dim " << dim << " view " << kind);
          // index: up to x's size in the other dims, any size along dim, values with repeats
          ts::Shape ishape = x_cpu.sizes();
          for (int64_t d = 0; d < nd; ++d) ishape[d] = d == dim ? 1 + static_cast<int64_t>(rng() % 7) : ishape[d] - static_cast<int64_t>(rng() % 2 && ishape[d] > 0);
          const int64_t size = nd == 0 ? 1 : x_cpu.size(dim);
          if (size == 0) continue;
          const ts::Tensor<int64_t> idx = random_index(ishape, 0, size, rng);
          require_same(x_cpu.gather(dim, idx), x_gpu.gather(dim, idx.to(kGpu)), "gather");
          // scatter_ into a view, later writes winning; src of another shape than index
          ts::Shape sshape = ishape;
          for (auto& s : sshape) s += 1;
          const ts::Tensor<T> src = random_tensor<T>(sshape, rng);
          const ts::Tensor<T> out_cpu = random_tensor<T>(x_cpu.sizes(), rng), out_gpu = out_cpu.to(kGpu);
          view_of(out_cpu, 0).scatter_(dim, idx, src);
          out_gpu.scatter_(dim, idx.to(kGpu), src.to(kGpu));
          require_same(out_cpu, out_gpu, "scatter_");
          // scatter_add_ (gather's adjoint), in the CPU's order
          const ts::Tensor<T> acc_cpu = random_tensor<T>(x_cpu.sizes(), rng), acc_gpu = acc_cpu.to(kGpu);
          const ts::Tensor<T> vals = random_tensor<T>(ishape, rng);
          td::scatter_add_into(acc_cpu, dim, idx, vals);
          td::scatter_add_into(acc_gpu, dim, idx.to(kGpu), vals.to(kGpu));
          require_same(acc_cpu, acc_gpu, "scatter_add_");
        }
      }
    }
  });
  // scatter of a value, and into a strided (transposed) output
  const ts::Tensor<float> x = ts::zeros<float>({6, 5});
  const ts::Tensor<int64_t> idx = random_index({4, 5}, 0, 6, rng);
  ts::Tensor<float> xt_cpu = x.clone().t(), xt_gpu = x.to(kGpu).t();
  xt_cpu.scatter_(1, idx.t(), 2.5f);
  xt_gpu.scatter_(1, idx.t().to(kGpu), 2.5f);
  require_same(xt_cpu, xt_gpu, "scatter_ of a value into a transposed view");
  CHECK(index_fallbacks() == fallbacks);
}

TEST_CASE("vulkan index: x[idx], index_put_ and accumulate, index_select and embedding, every dtype") {
  if (!have_device()) return;
  std::mt19937_64 rng(11);
  const uint64_t fallbacks = index_fallbacks();
  for_each_dtype([&](auto tag) {
    using T = typename decltype(tag)::type;
    INFO(ts::dtype_of<T>);
    for (int kind = 0; kind < 3; ++kind) {
      const ts::Tensor<T> whole = random_tensor<T>({5, 4, 6}, rng);
      const ts::Tensor<T> x_cpu = view_of(whole, kind), x_gpu = view_of(whole.to(kGpu), kind);
      const ts::Tensor<int64_t> i0 = random_index({7}, -x_cpu.size(0), x_cpu.size(0), rng);  // negative ones wrap
      const ts::Tensor<int64_t> i2 = random_index({3, 1}, 0, x_cpu.size(2), rng);
      const ts::Tensor<int64_t> i1 = random_index({1, 7}, 0, std::min(x_cpu.size(1), x_cpu.size(2)), rng);
      INFO("view " << kind);
      require_same(x_cpu.index({i0}), x_gpu.index({i0.to(kGpu)}), "x[i0]");
      require_same(x_cpu.index({ts::Slice(), ts::Slice(), i0.remainder(x_cpu.size(2))}),
                   x_gpu.index({ts::Slice(), ts::Slice(), i0.remainder(x_cpu.size(2)).to(kGpu)}), "x[:, :, i]");
      require_same(x_cpu.index({i2.remainder(x_cpu.size(0)), ts::Slice(), i1.remainder(x_cpu.size(2))}),
                   x_gpu.index({i2.remainder(x_cpu.size(0)).to(kGpu), ts::Slice(), i1.remainder(x_cpu.size(2)).to(kGpu)}),
                   "x[i, :, j] (index dims first)");
      require_same(x_cpu.index({ts::Slice(), i1, i2}), x_gpu.index({ts::Slice(), i1.to(kGpu), i2.to(kGpu)}),
                   "x[:, i, j] broadcast");
      require_same(x_cpu.index({i0}), x_gpu.index({i0}), "x[cpu index]");
      require_same(x_cpu.index({i0.slice(0, 0, 0)}), x_gpu.index({i0.slice(0, 0, 0).to(kGpu)}), "x[empty index]");
      require_same(x_cpu.index_select(1, i1.reshape({-1})), x_gpu.index_select(1, i1.reshape({-1}).to(kGpu)), "index_select");
      // index_put_ with repeated indices: the last write wins; accumulate sums in order
      const ts::Tensor<T> values = random_tensor<T>({7, x_cpu.size(1), x_cpu.size(2)}, rng);
      ts::Tensor<T> put_cpu = random_tensor<T>({5, 4, 6}, rng), put_gpu = put_cpu.to(kGpu);
      view_of(put_cpu, kind).index_put_({i0}, values);
      view_of(put_gpu, kind).index_put_({i0.to(kGpu)}, values.to(kGpu));
      require_same(put_cpu, put_gpu, "index_put_");
      ts::Tensor<T> acc_cpu = random_tensor<T>({5, 4, 6}, rng), acc_gpu = acc_cpu.to(kGpu);
      td::index_put_advanced(view_of(acc_cpu, kind), {{0, i0}}, values, true, "index_put_");
      td::index_put_advanced(view_of(acc_gpu, kind), {{0, i0.to(kGpu)}}, values.to(kGpu), true, "index_put_");
      require_same(acc_cpu, acc_gpu, "index_put_ accumulate");
      ts::Tensor<T> sc_cpu = random_tensor<T>({5, 4, 6}, rng), sc_gpu = sc_cpu.to(kGpu);
      sc_cpu.index_put_({ts::Slice(), i1.reshape({-1})}, T(1));
      sc_gpu.index_put_({ts::Slice(), i1.reshape({-1}).to(kGpu)}, T(1));
      require_same(sc_cpu, sc_gpu, "index_put_ of a value");
    }
    // More slices than the scan takes: the offsets are sorted first (Note [Sorted index_put]).
    for (const int64_t nb : {65, 300, 1500}) {
      const ts::Tensor<int64_t> many = random_index({nb}, -5, 5, rng);
      const ts::Tensor<T> vals = random_tensor<T>({nb, 3}, rng);
      for (const bool accumulate : {false, true}) {
        ts::Tensor<T> a = random_tensor<T>({5, 3}, rng), b = a.to(kGpu);
        td::index_put_advanced(a, {{0, many}}, vals, accumulate, "index_put_");
        td::index_put_advanced(b, {{0, many.to(kGpu)}}, vals.to(kGpu), accumulate, "index_put_");
        require_same(a, b, accumulate ? "index_put_ accumulate, sorted" : "index_put_, sorted");
        ts::Tensor<T> c = random_tensor<T>({5, 3}, rng), d = c.to(kGpu);
        td::index_put_advanced(c.t(), {{1, many}}, vals.t(), accumulate, "index_put_");
        td::index_put_advanced(d.t(), {{1, many}}, vals.t().to(kGpu), accumulate, "index_put_");
        require_same(c, d, "index_put_ of host offsets into a transposed view, sorted");
      }
    }
    if constexpr (ts::is_floating_v<T>) {
      const ts::Tensor<T> weight = random_tensor<T>({9, 5}, rng);
      const ts::Tensor<int64_t> tokens = random_index({3, 4}, 0, 9, rng);
      require_same(F::embedding(tokens, weight), F::embedding(tokens.to(kGpu), weight.to(kGpu)), "embedding");
      if constexpr (std::is_same_v<T, float>) {  // EmbeddingBackward0, padding skipped, on the device
        const ts::Tensor<T> w_cpu = weight.detach().requires_grad_(), w_gpu = weight.to(kGpu).detach().requires_grad_();
        const ts::Tensor<T> g = random_tensor<T>({3, 4, 5}, rng);
        F::embedding(tokens, w_cpu, 2).backward(g);
        F::embedding(tokens.to(kGpu), w_gpu, 2).backward(g.to(kGpu));
        require_same(w_cpu.grad(), w_gpu.grad(), "embedding backward");
      }
    }
  });
  CHECK(index_fallbacks() == fallbacks);
}

TEST_CASE("vulkan index: as_strided's adjoint, overlapping or not, equals the CPU's") {
  if (!have_device()) return;
  std::mt19937_64 rng(3);
  const uint64_t fallbacks = index_fallbacks();
  struct Case {
    ts::Shape sizes, strides;
    int64_t offset;
  };
  const Case cases[] = {{{3, 4}, {4, 1}, 0}, {{4, 3}, {1, 4}, 2}, {{5, 3}, {1, 1}, 0}, {{3, 3}, {2, 1}, 1}, {{0, 3}, {1, 1}, 0}};
  for (const Case& c : cases) {
    INFO("sizes " << td::shape_str(c.sizes) << " strides " << td::shape_str(c.strides));
    for (int dtype = 0; dtype < 3; ++dtype) {
      auto run = [&](auto tag) {
        using T = typename decltype(tag)::type;
        const ts::Tensor<T> x_cpu = random_tensor<T>({16}, rng).requires_grad_();
        const ts::Tensor<T> x_gpu = x_cpu.detach().to(kGpu).requires_grad_();
        const ts::Tensor<T> g = random_tensor<T>(c.sizes, rng);
        x_cpu.as_strided(c.sizes, c.strides, c.offset).backward(g);
        x_gpu.as_strided(c.sizes, c.strides, c.offset).backward(g.to(kGpu));
        require_same(x_cpu.grad(), x_gpu.grad(), "as_strided backward");
      };
      if (dtype == 0) run(std::type_identity<float>{});
      if (dtype == 1) run(std::type_identity<ts::half>{});
      if (dtype == 2 && vk::has_float64(0)) run(std::type_identity<double>{});
    }
  }
  CHECK(index_fallbacks() == fallbacks);
}

TEST_CASE("vulkan index: gradients through gather, index_select, embedding and x[idx] equal the CPU's") {
  if (!have_device()) return;
  std::mt19937_64 rng(5);
  const ts::Tensor<float> w = random_tensor<float>({6, 5}, rng);
  const ts::Tensor<float> g = random_tensor<float>({8, 5}, rng);
  const ts::Tensor<int64_t> rows = random_index({8}, 0, 6, rng);  // repeated rows accumulate
  const ts::Tensor<int64_t> tokens = random_index({200}, 0, 6, rng);
  const ts::Tensor<float> gt = random_tensor<float>({200, 5}, rng);
  const ts::Tensor<int64_t> cols = random_index({6, 3}, 0, 5, rng);
  auto grads = [&](ts::Device device) {
    std::vector<ts::Tensor<float>> out;
    const ts::Tensor<float> x = w.to(device).clone().detach().requires_grad_();
    x.index_select(0, rows.to(device)).backward(g.to(device));
    out.push_back(x.grad());
    x.set_grad({});
    x.index({rows.to(device)}).backward(g.to(device));
    out.push_back(x.grad());
    x.set_grad({});
    F::embedding(rows.to(device), x).backward(g.to(device));
    out.push_back(x.grad());
    x.set_grad({});
    (x.gather(1, cols.to(device)) * 3.0f).sum().backward();
    out.push_back(x.grad());
    x.set_grad({});
    F::embedding(tokens.to(device), x).backward(gt.to(device));  // sorted index_put
    out.push_back(x.grad());
    return out;
  };
  const uint64_t fallbacks = index_fallbacks();
  const auto want = grads(ts::Device::cpu()), got = grads(kGpu);
  for (size_t k = 0; k < want.size(); ++k) require_same(want[k], got[k], "gradient " + std::to_string(k));
  CHECK(index_fallbacks() == fallbacks);
}

TEST_CASE("vulkan index: an index out of bounds is reported at the next host read, and the device works after") {
  if (!have_device()) return;
  const std::string gpu_name = (std::ostringstream() << kGpu).str();
  const ts::Tensor<float> x = ts::arange<float>(0, 30, 1, {.device = kGpu}).reshape({3, 10});
  const uint64_t waits = vk::host_waits();
  // The op returns without waiting; reading anything from the device throws.
  const ts::Tensor<float> y = x.gather(1, ts::full<int64_t>({3, 2}, 12, {.device = kGpu}));
  CHECK(vk::host_waits() == waits);
  CHECK(error_of([&] { (void)y.sum().item(); }) ==
        "gather: index 12 is out of bounds for dimension 1 with size 10 (reported by " + gpu_name + " when the queue was next read)");
  // Once reported, the error is gone and the device computes as before.
  CHECK(x.sum().item() == 435.0f);
  CHECK(error_of([&] {
          vk::synchronize(0);
        }) == "");
  // The first failed check in queue order is the one reported.
  const ts::Tensor<int64_t> bad = ts::from_vector<int64_t>({1, -4, 7, 2}, {4}, {.device = kGpu});
  (void)x.index({bad});
  (void)x.index_select(1, ts::from_vector<int64_t>({3, 10}, {2}, {.device = kGpu}));
  CHECK(error_of([&] { vk::synchronize(0); }) ==
        "index: index -4 is out of bounds for dimension 0 with size 3 (reported by " + gpu_name + " when the queue was next read)");
  CHECK(error_of([&] { (void)x.index_select(1, ts::from_vector<int64_t>({3, 10}, {2}, {.device = kGpu})).sum().item(); }) ==
        "index_select: INDICES element is out of DATA bounds, id=10 axis_dim=10 (reported by " + gpu_name + " when the queue "
        "was next read)");
  CHECK(error_of([&] {
          (void)F::cross_entropy(x, ts::from_vector<int64_t>({0, 10, 3}, {3}, {.device = kGpu})).item();
        }) == "cross_entropy: Target 10 is out of bounds. (reported by " + gpu_name + " when the queue was next read)");
  const ts::Tensor<float> s = ts::zeros<float>({3, 10}, {.device = kGpu});
  s.scatter_(0, ts::full<int64_t>({1, 10}, 3, {.device = kGpu}), 1.0f);
  CHECK(error_of([&] { (void)s.to(ts::Device::cpu()); }) ==
        "scatter_: index 3 is out of bounds for dimension 0 with size 3 (reported by " + gpu_name + " when the queue was next read)");
  CHECK(error_of([&] { (void)F::embedding(ts::full<int64_t>({2}, -1, {.device = kGpu}), x).sum().item(); }) ==
        "embedding: index out of range in self (reported by " + gpu_name + " when the queue was next read)");
  CHECK(error_of([&] { (void)F::one_hot(ts::from_vector<int64_t>({1, 4}, {2}, {.device = kGpu}), 3).sum().item(); }) ==
        "one_hot: Class values must be non-negative and smaller than num_classes (3), got 4 (reported by vulkan:0 "
        "when the queue was next read)");
  require_same(F::one_hot(ts::from_vector<int64_t>({1, 2, 0}, {3}), 4),
               F::one_hot(ts::from_vector<int64_t>({1, 2, 0}, {3}, {.device = kGpu}), 4), "one_hot");
  // The CPU's messages are unchanged.
  CHECK(error_of([&] { (void)x.to(ts::Device::cpu()).gather(1, ts::full<int64_t>({3, 2}, 12)); }) ==
        "gather: index 12 is out of bounds for dimension 1 with size 10");
  CHECK(x.index({ts::from_vector<int64_t>({2, 0}, {2}, {.device = kGpu})}).sum().item() == 290.0f);
}

TEST_CASE("vulkan index: a training step waits for the device only when the loss is read") {
  if (!have_device()) return;
  for (int use_adam = 0; use_adam < 2; ++use_adam) {
    INFO((use_adam ? "Adam" : "SGD"));
    ts::Generator gen(1);
    ts::nn::Sequential model{ts::nn::Linear(20, 16, true, gen), ts::nn::ReLU(), ts::nn::Linear(16, 4, true, gen)};
    model.to(kGpu);
    ts::optim::SGD sgd(model.parameters(), {.lr = 0.1, .momentum = 0.9});
    ts::optim::Adam adam(model.parameters(), {.lr = 1e-3});
    ts::optim::impl::Optimizer<>& opt = use_adam ? static_cast<ts::optim::impl::Optimizer<>&>(adam) : sgd;
    const ts::Tensor<float> x = ts::randn({8, 20}, gen).to(kGpu);
    const ts::Tensor<int64_t> y = ts::randint(0, 4, {8}, gen).to(kGpu);
    auto step = [&] {
      auto loss = F::cross_entropy(model(x), y);
      opt.zero_grad();
      loss.backward();
      opt.step();
      return loss;
    };
    (void)step().item();  // warm-up: the optimizer's state is made
    uint64_t fallbacks[11];
    for (int k = 0; k < 11; ++k) fallbacks[k] = vk::host_fallbacks(static_cast<vk::PlanKind>(k));
    const uint64_t waits = vk::host_waits();
    const ts::Tensor<float> loss = step();
    CHECK(vk::host_waits() == waits);
    for (int k = 0; k < 11; ++k) {
      INFO("family " << k);
      CHECK(vk::host_fallbacks(static_cast<vk::PlanKind>(k)) == fallbacks[k]);
    }
    const float value = loss.item();
    CHECK(vk::host_waits() == waits + 1);
    CHECK(std::isfinite(value));
  }
}

TEST_CASE("vulkan index: every loss runs on the device as on the CPU, values and gradients, without a wait") {
  if (!have_device()) return;
  using ts::nn::Reduction;
  ts::Generator gen(3);
  struct Data {
    ts::Tensor<float> other, weight, probs, sign;
    ts::Tensor<int64_t> classes;
    Data to(ts::Device d) const { return {other.to(d), weight.to(d), probs.to(d), sign.to(d), classes.to(d)}; }
  };
  const Data cpu{ts::randn({6, 4, 3}, gen), ts::rand({4}, gen) + 0.5f, ts::randn({6, 4, 3}, gen).softmax(1),
                 ts::from_vector<float>({1, -1, 1, -1, 1, 1}, {6}),
                 ts::from_vector<int64_t>({0, 3, -100, 1, 2, 2, 1, 0, -100, 3, 3, 1, 0, 0, 2, 1, 2, 3}, {6, 3})};
  const Data gpu = cpu.to(kGpu);
  const ts::Tensor<float> x = ts::randn({6, 4, 3}, gen);
  using Loss = std::function<ts::Tensor<float>(const ts::Tensor<float>&, const Data&)>;
  const std::vector<std::pair<std::string, Loss>> losses = {
      {"cross_entropy", [](const auto& in, const Data& d) {
         return F::cross_entropy(in, d.classes, {.weight = d.weight, .label_smoothing = 0.1});
       }},
      {"cross_entropy probs", [](const auto& in, const Data& d) { return F::cross_entropy(in, d.probs, d.weight); }},
      {"nll_loss", [](const auto& in, const Data& d) {
         return F::nll_loss(in.log_softmax(1), d.classes, {.reduction = Reduction::None});
       }},
      {"mse_loss", [](const auto& in, const Data& d) { return F::mse_loss(in, d.other[0]); }},
      {"l1_loss", [](const auto& in, const Data& d) { return F::l1_loss(in, d.other, {.reduction = Reduction::Sum}); }},
      {"smooth_l1_loss", [](const auto& in, const Data& d) { return F::smooth_l1_loss(in, d.other, {.beta = 0.5}); }},
      {"huber_loss", [](const auto& in, const Data& d) { return F::huber_loss(in, d.other, {.delta = 0.7}); }},
      {"binary_cross_entropy", [](const auto& in, const Data& d) { return F::binary_cross_entropy(in.sigmoid(), d.probs); }},
      {"binary_cross_entropy_with_logits", [](const auto& in, const Data& d) {
         return F::binary_cross_entropy_with_logits(in, d.probs, {.pos_weight = d.weight.view({4, 1})});
       }},
      {"kl_div", [](const auto& in, const Data& d) {
         return F::kl_div(in.log_softmax(1), d.probs, {.reduction = Reduction::BatchMean});
       }},
      {"cosine_embedding_loss", [](const auto& in, const Data& d) {
         return F::cosine_embedding_loss(in.flatten(1), d.other.flatten(1), d.sign, {.margin = 0.1});
       }},
      {"margin_ranking_loss", [](const auto& in, const Data& d) {
         return F::margin_ranking_loss(in.select(2, 0).select(1, 0), d.other.select(2, 0).select(1, 0), d.sign);
       }},
      {"triplet_margin_loss", [](const auto& in, const Data& d) {
         return F::triplet_margin_loss(in.flatten(1), d.other.flatten(1), d.probs.flatten(1), {.swap = true});
       }},
  };
  const auto close = [](const ts::Tensor<float>& want, const ts::Tensor<float>& got) {
    REQUIRE(want.sizes() == got.sizes());
    const auto a = want.to_vector(), b = got.to(ts::Device::cpu()).to_vector();
    for (size_t i = 0; i < a.size(); ++i) {
      INFO("element " << i << ": CPU " << a[i] << ", device " << b[i]);
      CHECK(std::fabs(a[i] - b[i]) <= 1e-5f + 1e-5f * std::fabs(a[i]));
    }
  };
  for (const auto& [name, loss] : losses) {
    INFO(name);
    const auto on_cpu = x.clone().requires_grad_(), on_gpu = x.to(kGpu).requires_grad_();
    const auto want = loss(on_cpu, cpu);
    want.backward(ts::ones_like(want));
    vk::synchronize(0);
    const uint64_t waits = vk::host_waits();
    const auto got = loss(on_gpu, gpu);
    got.backward(ts::ones_like(got));
    CHECK(vk::host_waits() == waits);  // the targets' check included (Note [Deferred errors])
    close(want.detach(), got.detach());
    close(on_cpu.grad(), on_gpu.grad());
  }
  // A loss module's weight is a buffer: module.to(device) moves it, and forward uses it there.
  ts::nn::BCEWithLogitsLoss bce({.weight = cpu.weight.view({4, 1}).clone(), .pos_weight = cpu.weight.view({4, 1}).clone()});
  const auto want = bce(x, cpu.probs);
  bce.to(kGpu);
  CHECK(bce.options().weight.device() == kGpu);
  CHECK(bce.options().pos_weight.device() == kGpu);
  close(want, bce(x.to(kGpu), gpu.probs));
}

TEST_CASE("vulkan index: scatter_reduce of every reduction and dtype, NaN and signed zeros, in the CPU's order") {
  if (!have_device()) return;
  std::mt19937_64 rng(11);
  const uint64_t fallbacks = index_fallbacks();
  for_each_dtype([&](auto tag) {
    using T = typename decltype(tag)::type;
    INFO(ts::dtype_of<T>);
    for (int kind = 0; kind < 3; ++kind) {
      for (int64_t dim = 0; dim < 2; ++dim) {
        INFO("view " << kind << " dim " << dim);
        ts::Tensor<T> whole = random_tensor<T>({4, 6}, rng), src = random_tensor<T>({5, 7}, rng);
        if constexpr (ts::is_floating_v<T>) {
          // NaN in self and src; zeros of both signs meeting at one position
          whole.data_ptr()[3] = td::convert<T>(NAN);
          src.data_ptr()[1] = td::convert<T>(NAN);
          for (int64_t i = 8; i < 20; ++i) src.data_ptr()[i] = td::convert<T>(i % 2 ? -0.0 : 0.0);
          whole.data_ptr()[0] = td::convert<T>(-0.0);
        }
        const ts::Tensor<T> x_cpu = view_of(whole, kind), x_gpu = view_of(whole.to(kGpu), kind);
        ts::Shape ishape = x_cpu.sizes();
        ishape[static_cast<size_t>(dim)] = 5;
        ishape[static_cast<size_t>(1 - dim)] -= 1;
        const ts::Tensor<int64_t> idx = random_index(ishape, 0, x_cpu.size(dim), rng);
        for (const char* reduce : {"sum", "prod", "mean", "amax", "amin"}) {
          if (std::is_same_v<T, bool> && std::string_view(reduce) == "mean") continue;
          for (bool include_self : {true, false})
            require_same(x_cpu.scatter_reduce(dim, idx, src, reduce, include_self),
                         x_gpu.scatter_reduce(dim, idx.to(kGpu), src.to(kGpu), reduce, include_self),
                         std::string(reduce) + (include_self ? " with self" : " without self"));
        }
        const ts::Tensor<T> mul_cpu = x_cpu.clone(), mul_gpu = x_gpu.clone();
        mul_cpu.scatter_(dim, idx, src, "multiply");
        mul_gpu.scatter_(dim, idx.to(kGpu), src.to(kGpu), "multiply");
        require_same(mul_cpu, mul_gpu, "scatter_ with reduce multiply");
      }
    }
  });
  CHECK(index_fallbacks() == fallbacks);
}

TEST_CASE("vulkan index: shape and selection functions equal the CPU's") {
  if (!have_device()) return;
  std::mt19937_64 rng(7);
  const ts::Tensor<float> x = random_tensor<float>({3, 4}, rng), src = random_tensor<float>({2, 4}, rng);
  const ts::Tensor<bool> mask = random_tensor<bool>({3, 4}, rng);
  const ts::Tensor<int64_t> ix = random_index({2, 4}, 0, 3, rng);
  const auto gpu = [](const auto& t) { return t.to(kGpu); };
  require_same(ts::nonzero(mask), ts::nonzero(gpu(mask)), "nonzero");
  require_same(ts::masked_select(x, mask), ts::masked_select(gpu(x), gpu(mask)), "masked_select");
  require_same(x.masked_scatter(mask, -x), gpu(x).masked_scatter(gpu(mask), gpu(-x)), "masked_scatter");
  require_same(x.take(ix), gpu(x).take(gpu(ix)), "take");
  require_same(ts::take_along_dim(x, ix, 0), ts::take_along_dim(gpu(x), gpu(ix), 0), "take_along_dim");
  require_same(x.repeat_interleave(ts::tensor({2, 0, 1}), 0), gpu(x).repeat_interleave(gpu(ts::tensor({2, 0, 1})), 0),
               "repeat_interleave");
  require_same(ts::diag_embed(x, 1), ts::diag_embed(gpu(x), 1), "diag_embed");
  require_same(ts::movedim(x.unflatten(1, {2, 2}), 0, 2).narrow_copy(0, 1, 1),
               ts::movedim(gpu(x).unflatten(1, {2, 2}), 0, 2).narrow_copy(0, 1, 1), "movedim unflatten narrow_copy");
  for (const char* reduce : {"sum", "mean"})
    for (bool include_self : {true, false})
      require_same(x.scatter_reduce(0, ix, src, reduce, include_self),
                   gpu(x).scatter_reduce(0, gpu(ix), gpu(src), reduce, include_self), reduce);
  require_same(x.index_add(1, ts::tensor({3, 3}), src.t().narrow(0, 0, 3).narrow(1, 0, 2), 2),
               gpu(x).index_add(1, gpu(ts::tensor({3, 3})), gpu(src.t().narrow(0, 0, 3).narrow(1, 0, 2)), 2), "index_add");
  require_same(x.index_copy(0, ts::tensor({2, 0}), src), gpu(x).index_copy(0, gpu(ts::tensor({2, 0})), gpu(src)), "index_copy");
  require_same(x.index_fill(1, ts::tensor({-1, 0}), 5), gpu(x).index_fill(1, gpu(ts::tensor({-1, 0})), 5), "index_fill");
  const std::string gpu_name = (std::ostringstream() << kGpu).str();
  CHECK(error_of([&] { (void)gpu(x).take(gpu(ts::tensor({12}))).sum().item(); }) ==
        "take: out of range: tried to access index 12 on a tensor of 12 elements. (reported by " + gpu_name +
            " when the queue was next read)");
}

}  // namespace test_vulkan_index
