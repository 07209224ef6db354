// The sort family on a Vulkan device against the CPU (docs/gpu.md, "sort"): sort, argsort,
// topk, kthvalue, median, nanmedian and mode for every dtype, along every dim, through views,
// with ties, NaN, signed zeros and infinities, on rows short and long, bit for bit (values and
// indices), with no host fallback; so are searchsorted, bucketize, bincount and what is built on
// it. Without a device the tests are skipped, unless TESSERA_REQUIRE_VULKAN=1.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "vulkan_device.hpp"

namespace test_vulkan_sort {

namespace {

namespace vk = vulkan_test::backend;  // ts::vulkan::detail, or ts::metal::detail
namespace td = ts::detail;

using vulkan_test::have_device;
using vulkan_test::kGpu;

/** Values with many ties: small integers, and for floats -0, infinities and NaN among them;
 *  now and then any value of the type. */
template <class T>
ts::Tensor<T> tied_tensor(const ts::Shape& shape, std::mt19937_64& rng) {
  ts::Tensor<T> t = ts::empty<T>(shape);
  T* p = t.data_ptr();
  for (int64_t i = 0; i < t.numel(); ++i) {
    if constexpr (std::is_same_v<T, bool>) {
      p[i] = (rng() & 1) != 0;
    } else if constexpr (std::is_integral_v<T>) {
      p[i] = rng() % 8 == 0 ? static_cast<T>(rng()) : static_cast<T>(static_cast<int64_t>(rng() % 7) - 3);
    } else {
      static const double specials[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, 2.5, -1e30};
      const double v = rng() % 4 == 0 ? specials[rng() % 7] : static_cast<double>(static_cast<int64_t>(rng() % 7) - 3);
      p[i] = td::convert<T>(rng() % 16 == 0 ? std::ldexp(static_cast<double>(rng() % 1000), -5) : v);
    }
  }
  return t;
}

template <class T>
bool same_bits(const ts::Tensor<T>& gpu, const ts::Tensor<T>& cpu, const char* what) {
  INFO(what);
  if (gpu.device() != kGpu) return false;
  if (gpu.sizes() != cpu.sizes()) return false;
  const ts::Tensor<T> a = gpu.to(ts::Device::cpu()).contiguous(), b = cpu.contiguous();
  if (a.numel() > 0 && std::memcmp(a.data_ptr(), b.data_ptr(), static_cast<size_t>(a.numel()) * sizeof(T)) != 0) {
    UNSCOPED_INFO(what << " differs");
    return false;
  }
  return true;
}

template <class T>
bool same(const ts::ValuesIndices<T>& gpu, const ts::ValuesIndices<T>& cpu, const char* what) {
  return same_bits(gpu.values, cpu.values, what) && same_bits(gpu.indices, cpu.indices, what);
}

/** A GPU's topk keeps equal elements in row order: the first k of a stable sort. (The CPU's
 *  orders them as PyTorch's CPU topk does, Note [topk among equal elements].) */
template <class T>
ts::ValuesIndices<T> stable_topk(const ts::Tensor<T>& x, int64_t k, int64_t dim, bool largest) {
  if (x.dim() == 0) return x.topk(k, dim, largest);
  const auto sorted = x.sort(dim, largest, true);
  return {sorted.values.narrow(dim, 0, k), sorted.indices.narrow(dim, 0, k)};
}

/** Every op of the family along `dim` of x, on the device against the CPU. */
template <class T>
void check_rows(const ts::Tensor<T>& x, int64_t dim) {
  const ts::Tensor<T> g = x.to(kGpu);
  const int64_t n = x.dim() == 0 ? 1 : x.size(dim);
  CHECK(same(g.sort(dim), x.sort(dim), "sort"));
  CHECK(same(g.sort(dim, true), x.sort(dim, true), "sort descending"));
  CHECK(same_bits(ts::argsort(g, dim, true), ts::argsort(x, dim, true), "argsort"));
  // PyTorch 1.13's CPU has no bool or half topk, kthvalue or median (the op says so).
  if constexpr (!std::is_same_v<T, bool> && !std::is_same_v<T, ts::half>) {
    for (const int64_t k : {int64_t{1}, n / 2, n}) {
      if (k > n) continue;
      INFO("k " << k << " of " << n);
      CHECK(same(g.topk(k, dim), stable_topk(x, k, dim, true), "topk"));
      CHECK(same(g.topk(k, dim, false), stable_topk(x, k, dim, false), "topk smallest"));
      if (k > 0) CHECK(same(g.kthvalue(k, dim), x.kthvalue(k, dim), "kthvalue"));
    }
    if (n > 0) {
      CHECK(same(g.median(dim, true), x.median(dim, true), "median"));
      CHECK(same(g.nanmedian(dim), x.nanmedian(dim), "nanmedian"));
    }
  }
  if (n > 0) CHECK(same(g.mode(dim), x.mode(dim), "mode"));
}

template <class T>
void check_dtype(std::mt19937_64& rng) {
  const ts::Tensor<T> x = tied_tensor<T>({5, 7, 6}, rng);
  for (const int64_t dim : {0, 1, 2}) {
    INFO("dim " << dim);
    check_rows(x, dim);
    check_rows(x.transpose(0, 2), dim);  // strided rows, the outputs keep the layout of a fresh tensor
    check_rows(x.narrow(1, 1, 5), dim);
  }
  // Rows longer than a workgroup's run of 256 (the network's global steps), a 0-dim tensor and
  // zero-size ones.
  check_rows(tied_tensor<T>({3, 1500}, rng), 1);
  check_rows(tied_tensor<T>({700, 2}, rng), 0);
  check_rows(tied_tensor<T>({}, rng), 0);
  check_rows(tied_tensor<T>({4, 0}, rng), 0);
  check_rows(tied_tensor<T>({4, 0}, rng), 1);
  if constexpr (!std::is_same_v<T, bool> && !std::is_same_v<T, ts::half>) {
    const ts::Tensor<T> all = tied_tensor<T>({9, 11}, rng);
    CHECK(same_bits(all.to(kGpu).median(), all.median(), "median of all"));
    CHECK(same_bits(all.to(kGpu).nanmedian(), all.nanmedian(), "nanmedian of all"));
  }
}

}  // namespace

TEST_CASE("vulkan sort: every op of the family, every dtype, is the CPU's bits on the device") {
  if (!have_device()) return;
  std::mt19937_64 rng(31);
  const uint64_t before = vk::host_fallbacks(vk::PlanKind::Sort);
  check_dtype<float>(rng);
  check_dtype<ts::half>(rng);
  check_dtype<ts::bfloat16>(rng);
  check_dtype<int32_t>(rng);
  check_dtype<int64_t>(rng);
  check_dtype<int16_t>(rng);
  check_dtype<int8_t>(rng);
  check_dtype<uint8_t>(rng);
  check_dtype<bool>(rng);
  if (vk::has_float64(0)) check_dtype<double>(rng);
  CHECK(vk::host_fallbacks(vk::PlanKind::Sort) == before);
  // NaN rows: median propagates the first NaN, nanmedian skips them unless all are NaN.
  const ts::Tensor<float> nans = ts::tensor({{NAN, 1.0f, NAN, 0.0f}, {NAN, NAN, NAN, NAN}, {3.0f, 1.0f, 2.0f, NAN}});
  CHECK(same(nans.to(kGpu).median(1), nans.median(1), "median with NaN"));
  CHECK(same(nans.to(kGpu).nanmedian(1), nans.nanmedian(1), "nanmedian with NaN"));
  CHECK(same(nans.to(kGpu).mode(1), nans.mode(1), "mode with NaN"));
}

TEST_CASE("vulkan sort: gradients through sort and topk on the device") {
  if (!have_device()) return;
  const ts::Tensor<float> x0 = ts::randn({4, 9});
  const auto grads = [&](ts::Device d) {
    auto x = x0.to(d).detach().requires_grad_();
    (x.sort(1).values * ts::arange(9.0f).to(d) + x.topk(3, 0).values.sum() + x.median(1).values.sum()).sum().backward();
    return x.grad().to(ts::Device::cpu());
  };
  CHECK(ts::allclose(grads(kGpu), grads(ts::Device::cpu())));
}

namespace {

/** searchsorted of T on the device against the CPU: 1-D and batched boundaries, both sides,
 *  through a sorter, int32 results, a scalar value. */
template <class T>
void check_searchsorted(std::mt19937_64& rng) {
  INFO(ts::dtype_of<T>);
  const ts::Tensor<T> values = tied_tensor<T>({6, 50}, rng);
  const ts::Tensor<T> rows = tied_tensor<T>({6, 37}, rng), sorted_rows = rows.sort(1).values;
  const ts::Tensor<T> line = tied_tensor<T>({300}, rng).sort().values;
  const auto g = [](const auto& t) { return t.to(kGpu); };
  for (const bool right : {false, true}) {
    INFO("right " << right);
    CHECK(same_bits(ts::searchsorted(g(sorted_rows), g(values), false, right), ts::searchsorted(sorted_rows, values, false, right),
                    "searchsorted by rows"));
    CHECK(same_bits(ts::searchsorted(g(line), g(values), false, right), ts::searchsorted(line, values, false, right),
                    "searchsorted of one sequence"));
    CHECK(same_bits(ts::searchsorted<int32_t>(g(line), g(values), true, right),
                    ts::searchsorted<int32_t>(line, values, true, right), "searchsorted to int32"));
    const ts::Tensor<int64_t> order = ts::argsort(rows, 1);
    CHECK(same_bits(ts::searchsorted(g(rows), g(values), false, right, std::nullopt, g(order)),
                    ts::searchsorted(rows, values, false, right, std::nullopt, order), "searchsorted with a sorter"));
    CHECK(same_bits(ts::bucketize(g(values), g(line), false, right), ts::bucketize(values, line, false, right), "bucketize"));
  }
  CHECK(same_bits(ts::searchsorted(g(line), 1), ts::searchsorted(line, 1), "searchsorted of a scalar"));
  const ts::Tensor<T> empty_rows = ts::empty<T>({6, 0});
  CHECK(same_bits(ts::searchsorted(g(empty_rows), g(values)), ts::searchsorted(empty_rows, values), "no boundaries"));
}

/** bincount of the integer type T: counts, float and double weights, minlength. */
template <class T>
void check_bincount() {
  INFO(ts::dtype_of<T>);
  const ts::Tensor<T> x = ts::randint(0, 60, {1000}).to<T>();
  const ts::Tensor<float> w = ts::randn({1000}) * 1000.0f;
  const auto g = [](const auto& t) { return t.to(kGpu); };
  CHECK(same_bits(ts::bincount(g(x)), ts::bincount(x), "bincount"));
  CHECK(same_bits(ts::bincount(g(x), std::nullopt, 90), ts::bincount(x, std::nullopt, 90), "bincount with minlength"));
  CHECK(same_bits(ts::bincount(g(x), g(w)), ts::bincount(x, w), "bincount with float weights"));
  if (vk::has_float64(0)) {
    CHECK(same_bits(ts::bincount(g(x), g(w.to<double>())), ts::bincount(x, w.to<double>()), "bincount with double weights"));
    CHECK(same_bits(ts::bincount(g(x), g(w.to<int32_t>())), ts::bincount(x, w.to<int32_t>()), "bincount with int weights"));
  }
  const ts::Tensor<T> none = ts::empty<T>({0});
  CHECK(same_bits(ts::bincount(g(none), std::nullopt, 3), ts::bincount(none, std::nullopt, 3), "bincount of nothing"));
  const auto u_gpu = ts::unique(g(x), true, true, true), u_cpu = ts::unique(x, true, true, true);
  CHECK(same_bits(u_gpu.values, u_cpu.values, "unique's values"));
  CHECK(same_bits(*u_gpu.inverse, *u_cpu.inverse, "unique's inverse"));
  CHECK(same_bits(*u_gpu.counts, *u_cpu.counts, "unique's counts"));
}

}  // namespace

TEST_CASE("vulkan sort: searchsorted, bincount and the histograms are the CPU's on the device") {
  if (!have_device()) return;
  std::mt19937_64 rng(21);
  const uint64_t before = vk::host_fallbacks(vk::PlanKind::Sort);
  check_searchsorted<float>(rng);
  check_searchsorted<ts::half>(rng);
  check_searchsorted<ts::bfloat16>(rng);
  check_searchsorted<int64_t>(rng);
  check_searchsorted<int32_t>(rng);
  check_searchsorted<int16_t>(rng);
  check_searchsorted<int8_t>(rng);
  check_searchsorted<uint8_t>(rng);
  if (vk::has_float64(0)) check_searchsorted<double>(rng);
  check_bincount<int64_t>();
  check_bincount<int32_t>();
  check_bincount<uint8_t>();
  check_bincount<int8_t>();
  const ts::Tensor<float> h = tied_tensor<float>({500}, rng);
  CHECK(same_bits(ts::histc(h.to(kGpu), 7, -3, 3), ts::histc(h, 7, -3, 3), "histc"));
  // histogram and histogramdd, composed of these, on the device (h's NaNs are not counted)
  CHECK(same_bits(std::get<0>(ts::histogram(h.to(kGpu), 9, {{-3.0, 3.0}}, h.abs().to(kGpu))),
                  std::get<0>(ts::histogram(h, 9, {{-3.0, 3.0}}, h.abs())), "histogram"));
  const ts::Tensor<float> points = h.reshape({250, 2});
  const std::vector<double> range{-3, 3, -2, 2.5};
  const auto [dd_gpu, edges_gpu] = ts::histogramdd(points.to(kGpu), std::vector<int64_t>{4, 3}, range, {}, true);
  const auto [dd_cpu, edges_cpu] = ts::histogramdd(points, std::vector<int64_t>{4, 3}, range, {}, true);
  CHECK(same_bits(dd_gpu, dd_cpu, "histogramdd"));
  CHECK(same_bits(edges_gpu[1], edges_cpu[1], "histogramdd's edges"));
  CHECK(vk::host_fallbacks(vk::PlanKind::Sort) == before);
  // A sorter value out of range is an error, reported when the queue is next read.
  const ts::Tensor<float> seq = ts::tensor({1.0f, 2.0f, 3.0f});
  const ts::Tensor<int64_t> bad = ts::tensor({int64_t{0}, int64_t{1}, int64_t{3}});
  CHECK_THROWS_WITH(ts::searchsorted(seq.to(kGpu), ts::tensor({2.5f}).to(kGpu), false, false, std::nullopt, bad.to(kGpu)).item(),
                    Catch::Contains("torch.searchsorted(): sorter index out of range"));
}

}  // namespace test_vulkan_sort
