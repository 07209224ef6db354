// The GPU window, moments and scan kernels, and the elementwise clamp and activation
// backward ops, on a Vulkan device against the CPU: im2col and col2im for every dtype and both
// column layouts, square and rectangular windows (bit for bit), conv2d (rectangular, with pairs
// and padding="same" too), max_pool2d and avg_pool2d with their gradients, pooling options,
// max_unpool2d and interpolate (compositions over the same ops), var and std (within documented
// tolerances), cumsum, cumprod, cummax, cummin and clamp (bit for bit), logcumsumexp (within a
// few ulp), each checking that its family ran nothing on the host. Without a device the tests are skipped, unless TESSERA_REQUIRE_VULKAN=1.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include <tessera/backend/vulkan/backend.hpp>
#include <tessera/tessera.hpp>

#include "vulkan_device.hpp"

namespace test_vulkan_window {

namespace {

namespace vk = vulkan_test::backend;  // ts::vulkan::detail, or ts::metal::detail
namespace td = ts::detail;
namespace F = ts::nn::functional;

using vulkan_test::have_device;
using vulkan_test::kGpu;

/** Values of T drawn from `normal` (one distribution across calls, as it keeps a spare value). */
template <class T>
ts::Tensor<T> normal_tensor(const ts::Shape& shape, std::mt19937_64& rng, std::normal_distribution<double>& normal) {
  ts::Tensor<T> t = ts::empty<T>(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data_ptr()[i] = td::convert<T>(normal(rng));
  return t;
}

/** Values of T: small integers, normal floats with -0, infinities and NaN among them (no float
 *  subnormals: a GPU may flush them). */
template <class T>
ts::Tensor<T> random_tensor(const ts::Shape& shape, std::mt19937_64& rng) {
  ts::Tensor<T> t = ts::empty<T>(shape);
  T* p = t.data_ptr();
  std::normal_distribution<double> normal;
  for (int64_t i = 0; i < t.numel(); ++i) {
    if constexpr (std::is_same_v<T, bool>) {
      p[i] = (rng() & 1) != 0;
    } else if constexpr (std::is_integral_v<T>) {
      p[i] = rng() % 4 == 0 ? static_cast<T>(rng()) : static_cast<T>(static_cast<int64_t>(rng() % 41) - 20);
    } else {
      static const double specials[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, 1e4, -3.5};
      const double v = rng() % 16 == 0 ? specials[rng() % 7] : normal(rng) * std::pow(10.0, double(rng() % 5) - 2.0);
      p[i] = td::convert<T>(v);
    }
  }
  return t;
}

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_integral_v<T>) return false;
  else return std::isnan(static_cast<double>(v));
}

/** The same shape and, element by element, the same bits (NaN matches any NaN). */
template <class T>
bool same_bits(const ts::Tensor<T>& gpu, const ts::Tensor<T>& cpu) {
  if (gpu.sizes() != cpu.sizes()) return false;
  const ts::Tensor<T> a = gpu.to(ts::Device::cpu()).contiguous(), b = cpu.contiguous();
  for (int64_t i = 0; i < a.numel(); ++i) {
    const T x = a.data_ptr()[i], y = b.data_ptr()[i];
    if (is_nan(x) && is_nan(y)) continue;
    if (std::memcmp(&x, &y, sizeof(T)) != 0) {
      UNSCOPED_INFO("element " << i << " differs");
      return false;
    }
  }
  return true;
}

/** max |a - b| <= atol + rtol * |b| everywhere. */
template <class T>
bool close(const ts::Tensor<T>& gpu, const ts::Tensor<T>& cpu, double rtol, double atol) {
  if (gpu.sizes() != cpu.sizes()) return false;
  const ts::Tensor<T> a = gpu.to(ts::Device::cpu()).contiguous(), b = cpu.contiguous();
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double x = static_cast<double>(a.data_ptr()[i]), y = static_cast<double>(b.data_ptr()[i]);
    if ((std::isnan(x) && std::isnan(y)) || x == y) continue;
    if (!(std::abs(x - y) <= atol + rtol * std::abs(y))) {
      UNSCOPED_INFO("element " << i << ": " << x << " against " << y);
      return false;
    }
  }
  return true;
}

uint64_t fallbacks(vk::PlanKind kind) { return vk::host_fallbacks(kind); }

struct Geometry {
  int64_t n, c, h, w;
  ts::nn::ExpandingArray<2> k, stride, padding, dilation;
};

// Overlapping windows (stride below k), gaps (stride above k), dilation, padding, one pixel, and
// rectangular windows with different strides, paddings and dilations along H and W.
const Geometry kGeometries[] = {{2, 3, 5, 6, 3, 1, 1, 1},
                                {1, 2, 7, 5, 2, 3, 0, 1},
                                {2, 1, 6, 6, 3, 1, 2, 2},
                                {1, 4, 4, 4, 1, 1, 0, 1},
                                {3, 2, 1, 1, 1, 1, 0, 1},
                                {1, 1, 9, 8, 4, 2, 2, 1},
                                {2, 3, 5, 7, {2, 3}, {1, 2}, {1, 0}, {2, 1}},
                                {1, 2, 8, 6, {4, 1}, {3, 1}, {0, 2}, {1, 3}},
                                {1, 1, 3, 9, {1, 5}, {2, 2}, {1, 2}, {1, 1}}};

template <class T>
void check_windows(std::mt19937_64& rng) {
  for (const Geometry& s : kGeometries) {
    for (const bool inner : {true, false}) {
      INFO("n " << s.n << " c " << s.c << " h " << s.h << " w " << s.w << " k " << s.k[0] << "x" << s.k[1] << " stride "
                << s.stride[0] << "," << s.stride[1] << " padding " << s.padding[0] << "," << s.padding[1]
                << " dilation " << s.dilation[0] << "," << s.dilation[1] << " channels_inner " << inner);
      // The image as a transposed view: im2col makes it contiguous on the device.
      const ts::Tensor<T> image = random_tensor<T>({s.n, s.c, s.w, s.h}, rng).transpose(2, 3);
      const auto g = F::window_geometry(image, s.k, s.stride, s.padding, s.dilation, inner, "test");
      const T pad = td::convert<T>(s.padding[1] % 2 ? -7.0 : 0.0);
      const ts::Tensor<T> cols = F::im2col(image, g, pad);
      const ts::Tensor<T> cols_gpu = F::im2col(image.to(kGpu), g, pad);
      CHECK(cols_gpu.device() == kGpu);
      CHECK(same_bits(cols_gpu, cols));
      // col2im of random columns sums several elements into most pixels.
      const ts::Tensor<T> values = random_tensor<T>(g.columns_shape(), rng);
      CHECK(same_bits(F::col2im(values.to(kGpu), g), F::col2im(values, g)));
    }
  }
}

}  // namespace

TEST_CASE("vulkan window: im2col and col2im of every dtype are the CPU's bits") {
  if (!have_device()) return;
  std::mt19937_64 rng(7);
  const uint64_t before = fallbacks(vk::PlanKind::Window);
  check_windows<float>(rng);
  check_windows<ts::half>(rng);
  check_windows<ts::bfloat16>(rng);
  check_windows<int32_t>(rng);
  check_windows<int64_t>(rng);
  check_windows<int16_t>(rng);
  check_windows<int8_t>(rng);
  check_windows<uint8_t>(rng);
  check_windows<bool>(rng);
  if (vk::has_float64(0)) check_windows<double>(rng);
  CHECK(fallbacks(vk::PlanKind::Window) == before);
}

TEST_CASE("vulkan window: zero-size images and sums of many windows") {
  if (!have_device()) return;
  const uint64_t before = fallbacks(vk::PlanKind::Window);
  const auto empty = ts::zeros({0, 2, 4, 4}, {.device = kGpu});
  const auto g = F::window_geometry(empty, 2, 1, 0, 1, true, "test");
  CHECK(F::im2col(empty, g).sizes() == (ts::Shape{0, 3, 3, 2, 2, 2}));
  CHECK(F::col2im(F::im2col(empty, g), g).sizes() == (ts::Shape{0, 2, 4, 4}));
  // Every pixel in 9 windows of ones: float32 sums of nine 0.1s in the CPU's order.
  const auto x = ts::full({1, 1, 6, 6}, 0.1f);
  const auto g3 = F::window_geometry(x, 3, 1, 1, 1, true, "test");
  CHECK(same_bits(F::col2im(F::im2col(x.to(kGpu), g3), g3), F::col2im(F::im2col(x, g3), g3)));
  CHECK(fallbacks(vk::PlanKind::Window) == before);
}

TEST_CASE("vulkan window: max_pool2d pads integers with their lowest value") {
  // An integer has no -inf: padding with 0 would win over negative pixels.
  const auto x = ts::full<int32_t>({1, 1, 3, 3}, -5);
  CHECK(ts::equal(F::max_pool2d(x, 3, 1, 1), ts::full<int32_t>({1, 1, 3, 3}, -5)));
  const auto h = ts::full<ts::half>({1, 1, 2, 2}, ts::half(-2.0f));
  CHECK(ts::equal(F::max_pool2d(h, 2, 1, 1).to<float>(), ts::full({1, 1, 3, 3}, -2.0f)));
  if (!have_device()) return;
  CHECK(ts::equal(F::max_pool2d(x.to(kGpu), 3, 1, 1).to(ts::Device::cpu()), ts::full<int32_t>({1, 1, 3, 3}, -5)));
  CHECK(ts::equal(F::max_pool2d(h.to(kGpu), 2, 1, 1).to<float>().to(ts::Device::cpu()), ts::full({1, 1, 3, 3}, -2.0f)));
}

namespace {

template <class T>
void check_conv_and_pools(double rtol, double atol) {
  std::mt19937_64 rng(11);
  const uint64_t before = fallbacks(vk::PlanKind::Window);
  std::normal_distribution<double> normal;
  const auto randn = [&](const ts::Shape& shape) { return normal_tensor<T>(shape, rng, normal); };
  const ts::Tensor<T> x0 = randn({2, 4, 7, 6}), w0 = randn({6, 2, 3, 3}), b0 = randn({6});
  struct Result {
    ts::Tensor<T> conv, maxp, avgp, gx, gw, gb;
  };
  const auto run = [&](ts::Device d) {
    auto x = x0.to(d).detach().requires_grad_(), w = w0.to(d).detach().requires_grad_(),
         b = b0.to(d).detach().requires_grad_();
    Result r;
    r.conv = F::conv2d(x, w, b, {.stride = 2, .padding = 1, .dilation = 1, .groups = 2});
    r.maxp = F::max_pool2d(x, 3, 2, 1);
    r.avgp = F::avg_pool2d(x, 2, 1, 1);
    const auto loss = (r.conv * r.conv).sum() + (r.maxp * td::convert<T>(3.0)).sum() + (r.avgp * r.avgp).sum() +
                      F::conv2d(x, ts::cat({w, w}, 1).narrow(0, 0, 2), {}, {.padding = 2, .dilation = 2}).sum();
    loss.backward();
    r.gx = x.grad(), r.gw = w.grad(), r.gb = b.grad();
    return r;
  };
  const Result cpu = run(ts::Device::cpu()), gpu = run(kGpu);
  CHECK(gpu.conv.device() == kGpu);
  CHECK(close(gpu.conv, cpu.conv, rtol, atol));
  CHECK(same_bits(gpu.maxp, cpu.maxp));
  CHECK(close(gpu.avgp, cpu.avgp, rtol, atol));
  CHECK(close(gpu.gx, cpu.gx, rtol, atol * 10));
  CHECK(close(gpu.gw, cpu.gw, rtol, atol * 10));
  CHECK(close(gpu.gb, cpu.gb, rtol, atol * 10));
  CHECK(fallbacks(vk::PlanKind::Window) == before);
}

}  // namespace

TEST_CASE("vulkan window: conv2d, max_pool2d, avg_pool2d and their gradients match the CPU") {
  if (!have_device()) return;
  check_conv_and_pools<float>(1e-5, 1e-5);
  if (vk::has_float64(0)) check_conv_and_pools<double>(1e-12, 1e-12);
}

namespace {

/** A rectangular conv2d (and its gradients) on the device against the CPU: pairs of stride,
 *  padding and dilation, groups, and padding="same" with an even kernel (one more row and column
 *  of padding below and to the right). */
template <class T>
void check_rectangular_conv(double rtol, double atol) {
  std::mt19937_64 rng(13);
  const uint64_t before = fallbacks(vk::PlanKind::Window);
  std::normal_distribution<double> normal;
  const auto randn = [&](const ts::Shape& shape) { return normal_tensor<T>(shape, rng, normal); };
  const ts::Tensor<T> x0 = randn({2, 4, 7, 9}), w0 = randn({6, 2, 2, 3}), e0 = randn({3, 4, 4, 2}), b0 = randn({6});
  struct Result {
    ts::Tensor<T> strided, same, gx, gw, ge, gb;
  };
  const auto run = [&](ts::Device d) {
    auto x = x0.to(d).detach().requires_grad_(), w = w0.to(d).detach().requires_grad_(),
         e = e0.to(d).detach().requires_grad_(), b = b0.to(d).detach().requires_grad_();
    Result r;
    r.strided = F::conv2d(x, w, b, {.stride = {2, 1}, .padding = {1, 2}, .dilation = {1, 2}, .groups = 2});
    r.same = F::conv2d(x, e, {}, {.padding = "same", .dilation = {1, 2}});
    ((r.strided * r.strided).sum() + (r.same * r.same).sum()).backward();
    r.gx = x.grad(), r.gw = w.grad(), r.ge = e.grad(), r.gb = b.grad();
    return r;
  };
  const Result cpu = run(ts::Device::cpu()), gpu = run(kGpu);
  CHECK(gpu.strided.device() == kGpu);
  CHECK(gpu.same.sizes() == (ts::Shape{2, 3, 7, 9}));
  CHECK(close(gpu.strided, cpu.strided, rtol, atol));
  CHECK(close(gpu.same, cpu.same, rtol, atol));
  CHECK(close(gpu.gx, cpu.gx, rtol, atol * 10));
  CHECK(close(gpu.gw, cpu.gw, rtol, atol * 10));
  CHECK(close(gpu.ge, cpu.ge, rtol, atol * 10));
  CHECK(close(gpu.gb, cpu.gb, rtol, atol * 10));
  CHECK(fallbacks(vk::PlanKind::Window) == before);
}

}  // namespace

TEST_CASE("vulkan window: a rectangular conv2d with pairs and padding='same' matches the CPU, gradients too") {
  if (!have_device()) return;
  check_rectangular_conv<float>(1e-5, 1e-5);
  if (vk::has_float64(0)) check_rectangular_conv<double>(1e-12, 1e-12);
}

TEST_CASE("vulkan window: nn::Conv2d and the pooling modules train on the device") {
  if (!have_device()) return;
  const uint64_t before = fallbacks(vk::PlanKind::Window);
  ts::Generator gen(3);
  ts::nn::Conv2d conv(3, 4, 3, {.padding = 1}, gen);
  const auto x = ts::randn({2, 3, 8, 8}, gen);
  const auto cpu = ts::nn::MaxPool2d(2)(conv(x)).sum();
  cpu.backward();
  const auto gw_cpu = conv.weight().grad().clone();
  conv.zero_grad();
  conv.to(kGpu);
  const auto gpu = ts::nn::MaxPool2d(2)(conv(x.to(kGpu))).sum();
  gpu.backward();
  CHECK(close(gpu.reshape({1}), cpu.reshape({1}), 1e-5, 1e-4));
  CHECK(close(conv.weight().grad(), gw_cpu, 1e-5, 1e-4));
  CHECK(fallbacks(vk::PlanKind::Window) == before);
}

TEST_CASE("vulkan window: pooling options, max_unpool2d and interpolate match the CPU, gradients too") {
  if (!have_device()) return;
  ts::Generator gen(5);
  const auto x = ts::randn({2, 3, 7, 6}, gen);
  const auto run = [](const ts::Tensor<float>& input) {
    const auto leaf = input.detach().requires_grad_();
    const auto [values, indices] = F::max_pool2d_with_indices(leaf, {3, 2}, {2, 1}, {1, 0}, 1, true);
    const auto avg = F::avg_pool2d(leaf, 3, 2, 1, true, false);
    const auto up = F::interpolate(leaf, {.size = {9, 5}, .mode = "bilinear"}) + F::interpolate(leaf, {.size = {9, 5}});
    const auto unpooled = F::max_unpool2d(values, indices, {3, 2}, {2, 1}, {1, 0}, {7, 6});
    (values.sum() + avg.pow(2.0).sum() + up.pow(2.0).sum() + unpooled.sum()).backward();
    return std::vector<ts::Tensor<float>>{values, indices.to<float>(), avg, up, unpooled, leaf.grad()};
  };
  const auto cpu = run(x), gpu = run(x.to(kGpu));
  for (size_t i = 0; i < cpu.size(); ++i) {
    INFO(i);
    CHECK(gpu[i].device() == kGpu);
    CHECK(close(gpu[i], cpu[i], 1e-5, 1e-5));
  }
}

TEST_CASE("vulkan window: grid_sample, affine_grid, unfold, fold, conv3d, conv_transpose3d, max_pool3d, avg_pool3d, "
          "bicubic and trilinear interpolate, embedding_bag and the margin losses match the CPU, gradients too") {
  if (!have_device()) return;
  ts::Generator gen(8);
  const auto x = ts::randn({2, 3, 4, 5}, gen), grid = ts::rand({2, 6, 7, 2}, gen) * 2.4f - 1.2f;
  const auto theta = ts::randn({2, 2, 3}, gen), table = ts::randn({6, 5}, gen);
  const ts::Tensor<int64_t> bags = ts::tensor<int64_t>({1, 0, 4, 5, 4, 2}), offsets = ts::tensor<int64_t>({0, 2, 2});
  const ts::Tensor<int64_t> labels = ts::tensor<int64_t>({{0, 2, -1, 1, 1}, {4, -1, 0, 0, 0}});
  const auto run = [&](ts::Device d) {
    const auto xi = x.to(d).detach().requires_grad_(), gi = grid.to(d).detach().requires_grad_();
    const auto ti = theta.to(d).detach().requires_grad_(), wi = table.to(d).detach().requires_grad_();
    const auto sampled = F::grid_sample(xi, gi, "bilinear", "reflection") + F::grid_sample(xi, gi, "nearest", "border", true);
    const auto affine = F::grid_sample(xi, F::affine_grid(ti, {2, 3, 3, 4}));
    const auto folded = F::fold(F::unfold(xi, 2, 1, 1, 2), {4, 5}, 2, 1, 1, 2);
    const auto bag = F::embedding_bag(bags.to(d), wi, offsets.to(d), {.mode = "max"}) +
                     F::embedding_bag(bags.to(d), wi, offsets.to(d));
    const auto losses = F::multilabel_margin_loss(wi.narrow(0, 0, 2), labels.to(d)) +
                        F::multi_margin_loss(wi, bags.to(d).clamp_max(4), {.p = 2}) + F::soft_margin_loss(wi, table.sign().to(d));
    // [1, 2, 3, 4, 5] with a [1, 2, 2, 2, 3] kernel cut from the same tensor
    const auto volume = F::conv3d(xi.unsqueeze(0), xi.narrow(1, 0, 2).narrow(2, 0, 2).narrow(3, 0, 3).unsqueeze(0), {},
                                  {.padding = "same"});
    const auto resized = F::interpolate(xi, {.size = {6, 8}, .mode = "bicubic"}) +
                         F::interpolate(xi.unsqueeze(0), {.size = {3, 6, 8}, .mode = "trilinear"}).squeeze(0).narrow(0, 0, 2);
    const auto pooled = F::max_pool3d(xi, 2, 1, 1) + F::avg_pool3d(xi, 2, 1, 1, false, false);  // [2, 4, 5, 6]
    // [1, 2, 3, 4, 5] with a [2, 1, 2, 2, 2] kernel cut from the same tensor
    const auto up = F::conv_transpose3d(xi.unsqueeze(0), xi.narrow(1, 0, 2).narrow(2, 0, 2).narrow(3, 0, 2).unsqueeze(1),
                                        {}, {.stride = {2, 1, 2}, .padding = 1, .output_padding = {1, 0, 0}});
    (sampled.pow(2.0).sum() + affine.sum() + folded.pow(2.0).sum() + bag.pow(2.0).sum() + losses + volume.pow(2.0).sum() +
     resized.pow(2.0).sum() + pooled.pow(2.0).sum() + up.pow(2.0).sum())
        .backward();
    return std::vector<ts::Tensor<float>>{sampled, affine, folded,    bag,       losses,    volume,   resized,
                                          pooled,  up,     xi.grad(), gi.grad(), ti.grad(), wi.grad()};
  };
  const auto cpu = run(ts::Device::cpu()), gpu = run(kGpu);
  for (size_t i = 0; i < cpu.size(); ++i) {
    INFO(i);
    CHECK(gpu[i].device() == kGpu);
    CHECK(close(gpu[i], cpu[i], 1e-4, 1e-5));
  }
}

TEST_CASE("vulkan window: volumetric grid_sample and affine_grid match the CPU, gradients too") {
  if (!have_device()) return;
  ts::Generator gen(10);
  const auto x = ts::randn({2, 3, 4, 5, 6}, gen), grid = ts::rand({2, 3, 2, 4, 3}, gen) * 2.4f - 1.2f;
  const auto theta = ts::randn({2, 3, 4}, gen);
  const auto run = [&](ts::Device d) {
    const auto xi = x.to(d).detach().requires_grad_(), gi = grid.to(d).detach().requires_grad_();
    const auto ti = theta.to(d).detach().requires_grad_();
    const auto sampled = F::grid_sample(xi, gi, "bilinear", "reflection") + F::grid_sample(xi, gi, "nearest", "border", true);
    const auto affine = F::grid_sample(xi, F::affine_grid(ti, {2, 3, 3, 2, 4}), "bilinear", "zeros");
    (sampled.pow(2.0).sum() + affine.pow(2.0).sum()).backward();
    return std::vector<ts::Tensor<float>>{sampled, affine, xi.grad(), gi.grad(), ti.grad()};
  };
  const auto cpu = run(ts::Device::cpu()), gpu = run(kGpu);
  for (size_t i = 0; i < cpu.size(); ++i) {
    INFO(i);
    CHECK(gpu[i].device() == kGpu);
    CHECK(close(gpu[i], cpu[i], 1e-4, 1e-5));
  }
}

TEST_CASE("vulkan window: fractional max pools match the CPU, gradients too") {
  if (!have_device()) return;
  ts::Generator gen(11);
  const auto x = ts::randn({2, 3, 7, 6}, gen), x3 = ts::randn({2, 2, 5, 6, 7}, gen);
  const auto u = ts::rand({2, 3, 2}, gen), u3 = ts::rand({2, 2, 3}, gen);
  const auto run = [&](ts::Device d) {
    const auto xi = x.to(d).detach().requires_grad_(), x3i = x3.to(d).detach().requires_grad_();
    const auto [pooled, indices] = F::fractional_max_pool2d_with_indices(xi, {3, 2}, {4, 4}, {}, u.to(d));
    const auto pooled3 = F::fractional_max_pool3d(x3i, 2, {3, 4, 5}, {}, u3.to(d));
    (pooled.pow(2.0).sum() + pooled3.pow(2.0).sum()).backward();
    return std::vector<ts::Tensor<float>>{pooled, indices.to<float>(), pooled3, xi.grad(), x3i.grad()};
  };
  const auto cpu = run(ts::Device::cpu()), gpu = run(kGpu);
  for (size_t i = 0; i < cpu.size(); ++i) {
    INFO(i);
    CHECK(gpu[i].device() == kGpu);
    CHECK(close(gpu[i], cpu[i], 1e-5, 1e-6));
  }
}

TEST_CASE("vulkan window: ctc_loss matches the CPU, gradients too") {
  if (!have_device()) return;
  ts::Generator gen(9);
  const auto x = ts::randn({9, 3, 5}, gen);
  const ts::Tensor<int64_t> padded = ts::tensor<int64_t>({{1, 2, 2, 3}, {4, 4, 4, 4}, {2, 1, -1, -1}});
  const ts::Tensor<int64_t> concatenated = ts::tensor<int64_t>({1, 2, 2, 3, 4, 4, 4, 4, 2, 1});
  const auto run = [&](ts::Device d) {
    const auto xi = x.to(d).detach().requires_grad_();
    const auto lp = xi.log_softmax(2);
    // the second sample's 4 repeated labels cannot fit in 6 frames: an infinite loss
    const auto none = F::ctc_loss(lp, padded.to(d), {9, 6, 7}, {4, 4, 2}, {.reduction = ts::nn::Reduction::None});
    const auto mean = F::ctc_loss(lp, concatenated.to(d), {9, 6, 7}, {4, 4, 2}, {.blank = 0, .zero_infinity = true});
    (none.narrow(0, 0, 1).sum() * 2 + none.narrow(0, 2, 1).sum() + mean).backward();
    return std::vector<ts::Tensor<float>>{none, mean, xi.grad()};
  };
  const auto cpu = run(ts::Device::cpu()), gpu = run(kGpu);
  for (size_t i = 0; i < cpu.size(); ++i) {
    INFO(i);
    CHECK(gpu[i].device() == kGpu);
    CHECK(close(gpu[i], cpu[i], 1e-4, 1e-5));
  }
}

namespace {

/** var and std of x over several dims, keepdim and corrections, on the device against the CPU
 *  (Note [Variance on the GPU]: float arithmetic against the CPU's double, so within rtol). */
template <class T>
void check_moments(const ts::Tensor<T>& x, double rtol, double atol) {
  const std::vector<ts::Shape> dim_sets = x.dim() >= 2 ? std::vector<ts::Shape>{{}, {0}, {1}, {-1}, {0, x.dim() - 1}}
                                                       : std::vector<ts::Shape>{{}, {0}};
  const ts::Tensor<T> on_gpu = x.to(kGpu);
  for (const ts::Shape& dims : dim_sets)
    for (const int64_t correction : {0, 1, 2})
      for (const bool keepdim : {false, true}) {
        INFO("shape " << td::shape_str(x.sizes()) << " dims " << td::shape_str(dims) << " correction " << correction
                      << " keepdim " << keepdim);
        const ts::Tensor<T> var_gpu = ts::var(on_gpu, dims, {.correction = correction, .keepdim = keepdim});
        CHECK(var_gpu.device() == kGpu);
        CHECK(close(var_gpu, ts::var(x, dims, {.correction = correction, .keepdim = keepdim}), rtol, atol));
        const ts::VarOptions options{.correction = correction, .keepdim = keepdim};
        CHECK(close(ts::std(on_gpu, dims, options), ts::std(x, dims, options), rtol, atol));
      }
}

template <class T>
void check_moments_of_type(double rtol, double atol) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal;
  const auto make = [&](const ts::Shape& shape, double mean, double sd) {
    ts::Tensor<T> t = ts::empty<T>(shape);
    for (int64_t i = 0; i < t.numel(); ++i) t.data_ptr()[i] = td::convert<T>(mean + sd * normal(rng));
    return t;
  };
  check_moments(make({7, 300}, 0.5, 2.0), rtol, atol);
  check_moments(make({1000}, -3.0, 0.25), rtol, atol);
  // Views: transposed and sliced inputs.
  check_moments(make({40, 9}, 1.0, 1.0).t(), rtol, atol);
  check_moments(make({6, 50}, 0.0, 3.0).narrow(1, 5, 30), rtol, atol);
  check_moments(make({3, 4, 5}, 2.0, 1.0).permute({2, 0, 1}), rtol, atol);
}

}  // namespace

TEST_CASE("vulkan moments: var and std of every floating dtype match the CPU") {
  if (!have_device()) return;
  const uint64_t before = fallbacks(vk::PlanKind::Reduction);
  check_moments_of_type<float>(1e-5, 1e-6);
  // half and bfloat16: the float result and the CPU's double round to one ulp of each other.
  check_moments_of_type<ts::half>(1.0 / 1024, 1e-6);
  check_moments_of_type<ts::bfloat16>(1.0 / 128, 1e-6);
  if (vk::has_float64(0)) check_moments_of_type<double>(1e-13, 1e-15);
  CHECK(fallbacks(vk::PlanKind::Reduction) == before);
}

TEST_CASE("vulkan moments: large means, special values, empty sets and gradients") {
  if (!have_device()) return;
  const uint64_t before = fallbacks(vk::PlanKind::Reduction);
  std::mt19937_64 rng(9);
  std::normal_distribution<double> normal;
  // A mean 10^4 to 10^6 times the spread: a float sum of squares minus n * mean^2 would keep
  // no correct digit; the corrected two pass keeps float's.
  for (const double mean : {1e4, 1e6, -3e7}) {
    ts::Tensor<float> x = ts::empty({4, 2000});
    for (int64_t i = 0; i < x.numel(); ++i) x.data_ptr()[i] = static_cast<float>(mean + std::abs(mean) * 1e-4 * normal(rng));
    INFO("mean " << mean);
    CHECK(close(x.to(kGpu).var(1), x.var(1), 1e-4, 0));
    CHECK(close(ts::std(x.to(kGpu), {1}, {.correction = 0}), ts::std(x, {1}, {.correction = 0}), 1e-4, 0));
  }
  // Constant sets have variance 0 exactly; a correction of n or more divides by 0 (inf, or NaN
  // for 0 / 0); infinities and NaN make NaN; an empty set is 0 / 0.
  const auto c = ts::full({3, 5}, 1234.5f);
  CHECK(same_bits(c.to(kGpu).var(1), c.var(1)));
  const auto specials = ts::tensor({{1.0f, 2.0f, INFINITY}, {1.0f, NAN, 0.0f}, {2.0f, 5.0f, 7.0f}, {3.0f, 3.0f, 3.0f}});
  for (const int64_t correction : {0, 3, 4}) {
    INFO("correction " << correction);
    // Divided by 0, every result is inf or NaN, as on the CPU; else finite ones may differ in
    // their last bits.
    if (correction >= 3)
      CHECK(same_bits(ts::var(specials.to(kGpu), {1}, {.correction = correction}),
                      ts::var(specials, {1}, {.correction = correction})));
    CHECK(close(ts::var(specials.to(kGpu), {1}, {.correction = correction}),
                ts::var(specials, {1}, {.correction = correction}), 1e-6, 0));
  }
  const auto empty = ts::zeros({3, 0});
  CHECK(same_bits(empty.to(kGpu).var(1), empty.var(1)));
  CHECK(empty.to(kGpu).var(0).numel() == 0);
  // Gradients through var and std on the device.
  const auto x0 = ts::randn({5, 8});
  const auto grads = [&](ts::Device d) {
    auto x = x0.to(d).detach().requires_grad_();
    (x.var(1).sum() + ts::std(x, {0}, {.correction = 0, .keepdim = true}).sum() * 3.0f).backward();
    return x.grad();
  };
  CHECK(close(grads(kGpu), grads(ts::Device::cpu()), 1e-5, 1e-6));
  CHECK(fallbacks(vk::PlanKind::Reduction) == before);
}

namespace {

/** cumsum, cumprod, cummax and cummin of x on the device, each the CPU's bits. */
template <class T>
bool same_scans(const ts::Tensor<T>& x, int64_t dim) {
  const ts::Tensor<T> on_gpu = x.to(kGpu);
  const auto max_gpu = on_gpu.cummax(dim), max_cpu = x.cummax(dim);
  const auto min_gpu = on_gpu.cummin(dim), min_cpu = x.cummin(dim);
  return same_bits(on_gpu.cumsum(dim), x.cumsum(dim)) && same_bits(on_gpu.cumprod(dim), x.cumprod(dim)) &&
         same_bits(max_gpu.values, max_cpu.values) && same_bits(max_gpu.indices, max_cpu.indices) &&
         same_bits(min_gpu.values, min_cpu.values) && same_bits(min_gpu.indices, min_cpu.indices);
}

template <class T>
void check_scans(std::mt19937_64& rng) {
  const ts::Tensor<T> x = random_tensor<T>({5, 7, 6}, rng);
  for (const int64_t dim : {0, 1, 2, -1}) {
    INFO("dim " << dim);
    CHECK(same_scans(x, dim));
    // Views: transposed (the result keeps the input's layout) and sliced.
    CHECK(same_scans(x.transpose(0, 2), dim));
    CHECK(same_scans(x.narrow(1, 2, 4), dim));
  }
  // A long row, a scalar and zero-size tensors.
  CHECK(same_scans(random_tensor<T>({3000}, rng), 0));
  CHECK(same_scans(random_tensor<T>({}, rng), 0));
  const ts::Tensor<T> empty = random_tensor<T>({4, 0, 3}, rng);
  CHECK(same_scans(empty, 2));
  CHECK(same_scans(empty, 1));
  // Ties: the last index of equal extremes, -0 equal to +0.
  if constexpr (!std::is_same_v<T, bool>) {
    const ts::Tensor<T> ties = ts::tensor<T>({td::convert<T>(2), td::convert<T>(1), td::convert<T>(2), td::convert<T>(0),
                                              td::convert<T>(1), td::convert<T>(0)});
    CHECK(same_scans(ties, 0));
  }
}

/** logcumsumexp on the device: float (or double) arithmetic with the GPU's exp and log, within a
 *  few ulp. */
template <class T>
void check_logcumsumexp(std::mt19937_64& rng, double rtol) {
  const ts::Tensor<T> x = random_tensor<T>({5, 7, 6}, rng);
  for (const int64_t dim : {0, 1, 2}) {
    INFO("dim " << dim);
    CHECK(close(x.to(kGpu).logcumsumexp(dim), x.logcumsumexp(dim), rtol, rtol));
    CHECK(close(x.transpose(0, 2).to(kGpu).logcumsumexp(dim), x.transpose(0, 2).logcumsumexp(dim), rtol, rtol));
  }
  const ts::Tensor<T> row = random_tensor<T>({3000}, rng);
  CHECK(close(row.to(kGpu).logcumsumexp(0), row.logcumsumexp(0), rtol, rtol));
  // Equal infinities stay; -inf before any finite value.
  const ts::Tensor<float> edges = ts::tensor({-INFINITY, -INFINITY, 1.0f, INFINITY, INFINITY, -INFINITY, NAN, 0.0f});
  CHECK(same_bits(edges.to<T>().to(kGpu).logcumsumexp(0), edges.to<T>().logcumsumexp(0)));
}

}  // namespace

TEST_CASE("vulkan scans: cumsum, cumprod, cummax and cummin of every dtype are the CPU's bits") {
  if (!have_device()) return;
  std::mt19937_64 rng(13);
  const uint64_t before = fallbacks(vk::PlanKind::Rows);
  check_scans<int32_t>(rng);
  check_scans<int64_t>(rng);
  check_scans<int16_t>(rng);
  check_scans<int8_t>(rng);
  check_scans<uint8_t>(rng);
  check_scans<bool>(rng);
  if (vk::has_float64(0)) {  // float sums and products accumulate in double, as on the CPU
    check_scans<float>(rng);
    check_scans<ts::half>(rng);
    check_scans<ts::bfloat16>(rng);
    check_scans<double>(rng);
  }
  CHECK(fallbacks(vk::PlanKind::Rows) == before);
  // Gradients through the scans on the device.
  const auto x0 = ts::randn({4, 6});
  const auto grads = [&](ts::Device d) {
    auto x = x0.to(d).detach().requires_grad_();
    (x.cumsum(1) * x.cumsum(0) + x.cumprod(1) + x.cummax(0).values * x.logcumsumexp(1)).sum().backward();
    return x.grad();
  };
  CHECK(close(grads(kGpu), grads(ts::Device::cpu()), 1e-5, 1e-5));
}

TEST_CASE("vulkan scans: logcumsumexp of float, half, bfloat16 and float64") {
  if (!have_device()) return;
  std::mt19937_64 rng(15);
  const uint64_t before = fallbacks(vk::PlanKind::Rows);
  check_logcumsumexp<float>(rng, 1e-5);
  check_logcumsumexp<ts::half>(rng, 1.0 / 512);
  check_logcumsumexp<ts::bfloat16>(rng, 1.0 / 64);
  if (vk::has_float64(0)) check_logcumsumexp<double>(rng, 1e-14);  // f64math.glsl's exp and log1p
  CHECK(fallbacks(vk::PlanKind::Rows) == before);
}

TEST_CASE("vulkan scans: float sums and products for devices without double (Note [Float cumsum])") {
  if (!have_device()) return;
  // The variants a Metal device runs, launched directly: within k * 2^-24 of the sum of |x|.
  std::mt19937_64 rng(17);
  std::normal_distribution<double> normal;
  ts::Tensor<float> x = ts::empty({3, 2000});
  for (int64_t i = 0; i < x.numel(); ++i) x.data_ptr()[i] = static_cast<float>(normal(rng) * 100.0);
  const ts::Tensor<float> on_gpu = x.to(kGpu), out = ts::empty({3, 2000}, {.device = kGpu});
  const td::RowPlan plan{.op = "cumsum", .out = &out.impl(), .fresh_out = true, .input = &on_gpu.impl(), .dim = 1};
  REQUIRE(ts::gpu::detail::scan_on_gpu<vulkan_test::Runtime>(plan, false));
  const ts::Tensor<float> expected = x.cumsum(1), bound = x.abs().cumsum(1), got = out.to(ts::Device::cpu());
  bool within = true;
  for (int64_t r = 0; r < 3; ++r)
    for (int64_t k = 0; k < 2000; ++k) {
      const double e = expected.data_ptr()[r * 2000 + k], g = got.data_ptr()[r * 2000 + k];
      within = within && std::abs(g - e) <= double(k + 1) * 0x1p-24 * bound.data_ptr()[r * 2000 + k];
    }
  CHECK(within);
  for (const auto& [dtype, ulp] : {std::pair{0, 1.0 / 1024}, std::pair{1, 1.0 / 128}}) {
    // half and bfloat16 of small sums: float's error is below their rounding (but may tip a tie).
    ts::Tensor<float> small = ts::empty({200});
    for (int64_t i = 0; i < small.numel(); ++i) small.data_ptr()[i] = static_cast<float>(normal(rng));
    const auto run = [&]<class H>(std::type_identity<H>) {
      const ts::Tensor<H> h = small.to<H>(), h_gpu = h.to(kGpu), o = ts::empty<H>({200}, {.device = kGpu});
      const td::RowPlan p{.op = "cumsum", .out = &o.impl(), .fresh_out = true, .input = &h_gpu.impl(), .dim = 0};
      REQUIRE(ts::gpu::detail::scan_on_gpu<vulkan_test::Runtime>(p, false));
      CHECK(close(o, h.cumsum(0), ulp, 1e-2));
    };
    if (dtype == 0) run(std::type_identity<ts::half>{});
    else run(std::type_identity<ts::bfloat16>{});
  }
  // Products of factors near 1: within about k * 2^-24 of their magnitude.
  ts::Tensor<float> factors = ts::empty({2000});
  for (int64_t i = 0; i < factors.numel(); ++i) factors.data_ptr()[i] = static_cast<float>(1.0 + normal(rng) * 0.01);
  const ts::Tensor<float> f_gpu = factors.to(kGpu), products = ts::empty({2000}, {.device = kGpu});
  const td::RowPlan prod{.op = "cumprod", .out = &products.impl(), .fresh_out = true, .input = &f_gpu.impl(), .dim = 0};
  REQUIRE(ts::gpu::detail::scan_on_gpu<vulkan_test::Runtime>(prod, false));
  const ts::Tensor<float> p_expected = factors.cumprod(0), p_got = products.to(ts::Device::cpu());
  within = true;
  for (int64_t k = 0; k < 2000; ++k) {
    const double e = p_expected.data_ptr()[k], g = p_got.data_ptr()[k];
    within = within && std::abs(g - e) <= double(k + 1) * 0x1p-24 * std::abs(e);
  }
  CHECK(within);
}

namespace {

template <class T>
void check_activation_grads(double rtol, double atol) {
  std::mt19937_64 rng(21);
  std::uniform_real_distribution<double> uniform(-8.0, 8.0);
  ts::Tensor<T> x0 = ts::empty<T>({6, 50});
  for (int64_t i = 0; i < x0.numel(); ++i) x0.data_ptr()[i] = td::convert<T>(i % 50 == 0 ? 25.0 : uniform(rng));
  const auto grads = [&](ts::Device d) {
    auto x = x0.to(d).detach().requires_grad_();
    // Distinct gradients per element: dy = 1 + x / 16.
    (x.gelu() * (x.detach() / td::convert<T>(16.0) + td::convert<T>(1.0))).sum().backward();
    const ts::Tensor<T> g_gelu = x.grad().clone();
    auto y = x0.to(d).detach().requires_grad_();
    (y.softplus() * (y.detach() / td::convert<T>(16.0) + td::convert<T>(1.0))).sum().backward();
    return std::pair{g_gelu, y.grad()};
  };
  const uint64_t before = fallbacks(vk::PlanKind::Elementwise);
  const auto [gelu_gpu, softplus_gpu] = grads(kGpu);
  CHECK(fallbacks(vk::PlanKind::Elementwise) == before);
  const auto [gelu_cpu, softplus_cpu] = grads(ts::Device::cpu());
  CHECK(close(gelu_gpu, gelu_cpu, rtol, atol));
  CHECK(close(softplus_gpu, softplus_cpu, rtol, atol));
}

}  // namespace

TEST_CASE("vulkan elementwise: the backward of gelu and softplus runs on the device") {
  if (!have_device()) return;
  // Note [GPU transcendentals]: the GPU's exp and erf, to a relative 2e-5 on [-8, 8].
  check_activation_grads<float>(2e-5, 1e-6);
  check_activation_grads<ts::half>(2.0 / 1024, 1e-3);
  check_activation_grads<ts::bfloat16>(2.0 / 128, 1e-2);
}

namespace {

template <class T>
void check_clamp(std::mt19937_64& rng) {
  const ts::Tensor<T> x = random_tensor<T>({6, 9}, rng);
  const ts::Tensor<T> on_gpu = x.to(kGpu);
  const T lo = td::convert<T>(-5.0), hi = td::convert<T>(7.0);
  CHECK(same_bits(on_gpu.clamp(lo, hi), x.clamp(lo, hi)));
  CHECK(same_bits(on_gpu.clamp(lo), x.clamp(lo)));
  CHECK(same_bits(on_gpu.clamp(std::nullopt, hi), x.clamp(std::nullopt, hi)));
  // Views, in place, and an out= of the result type.
  CHECK(same_bits(on_gpu.t().narrow(0, 1, 5).clamp(lo, hi), x.t().narrow(0, 1, 5).clamp(lo, hi)));
  const ts::Tensor<T> inplace = on_gpu.clone(), inplace_cpu = x.clone();
  inplace.t().clamp_(lo, hi);
  inplace_cpu.t().clamp_(lo, hi);
  CHECK(same_bits(inplace, inplace_cpu));
  const ts::Tensor<T> out = ts::empty<T>({9, 6}, {.device = kGpu}).t(), out_cpu = ts::empty<T>({9, 6}).t();
  ts::clamp_out(out, on_gpu, lo, hi);
  ts::clamp_out(out_cpu, x, lo, hi);
  CHECK(same_bits(out, out_cpu));
  if constexpr (!std::is_integral_v<T>) {
    // A NaN bound alone is ignored; with both bounds, it makes every element NaN.
    const T nan = td::convert<T>(NAN);
    CHECK(same_bits(on_gpu.clamp(nan), x.clamp(nan)));
    CHECK(same_bits(on_gpu.clamp(lo, nan), x.clamp(lo, nan)));
  }
}

}  // namespace

TEST_CASE("vulkan elementwise: clamp of every dtype is the CPU's bits") {
  if (!have_device()) return;
  std::mt19937_64 rng(23);
  const uint64_t before = fallbacks(vk::PlanKind::Elementwise);
  check_clamp<float>(rng);
  check_clamp<ts::half>(rng);
  check_clamp<ts::bfloat16>(rng);
  check_clamp<int32_t>(rng);
  check_clamp<int64_t>(rng);
  check_clamp<int16_t>(rng);
  check_clamp<int8_t>(rng);
  check_clamp<uint8_t>(rng);
  if (vk::has_float64(0)) check_clamp<double>(rng);
  CHECK(fallbacks(vk::PlanKind::Elementwise) == before);
  // An integer tensor with a floating bound gives float: computed on the host.
  const auto i = ts::tensor({-3, 0, 4, 9});
  CHECK(ts::equal(i.to(kGpu).clamp(-1.5, 2.5).to(ts::Device::cpu()), i.clamp(-1.5, 2.5)));
  // Its gradient on the device.
  const auto x0 = ts::randn({4, 5});
  const auto grads = [&](ts::Device d) {
    auto x = x0.to(d).detach().requires_grad_();
    (x.clamp(-0.5f, 0.7f) * x).sum().backward();
    return x.grad();
  };
  CHECK(close(grads(kGpu), grads(ts::Device::cpu()), 1e-6, 1e-6));
}

}  // namespace test_vulkan_window
