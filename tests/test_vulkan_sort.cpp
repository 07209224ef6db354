// The sort family on a Vulkan device against the CPU (docs/gpu.md, "sort"): sort, argsort,
// topk, kthvalue, median, nanmedian and mode for every dtype, along every dim, through views,
// with ties, NaN, signed zeros and infinities, on rows short and long, bit for bit (values and
// indices), with no host fallback; searchsorted and bincount still run on the host. Without a
// device the tests are skipped, unless TESSERA_REQUIRE_VULKAN=1.

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
      CHECK(same(g.topk(k, dim), x.topk(k, dim), "topk"));
      CHECK(same(g.topk(k, dim, false), x.topk(k, dim, false), "topk smallest"));
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

TEST_CASE("vulkan sort: searchsorted and bincount run on the host") {
  if (!have_device()) return;
  std::mt19937_64 rng(21);
  const ts::Tensor<float> cpu = tied_tensor<float>({6, 50}, rng);
  const ts::Tensor<float> sorted_rows = cpu.sort(1).values;
  const uint64_t before = vk::host_fallbacks(vk::PlanKind::Sort);
  CHECK(same_bits(ts::searchsorted(sorted_rows.to(kGpu), cpu.to(kGpu)), ts::searchsorted(sorted_rows, cpu), "searchsorted"));
  const ts::Tensor<int64_t> ints = ts::randint(0, 9, {40});
  CHECK(same_bits(ts::bincount(ints.to(kGpu)), ts::bincount(ints), "bincount"));
  CHECK(vk::host_fallbacks(vk::PlanKind::Sort) == before + 2);
}

}  // namespace test_vulkan_sort
