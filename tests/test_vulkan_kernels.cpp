// The generated GPU kernels (backend/gpu/, docs/gpu.md) on a Vulkan device against the CPU:
// every family with a GPU kernel, every dtype, random shapes and views (transposed, sliced,
// broadcast, zero-size, non-contiguous outputs), compared bit for bit. Without a device the
// tests are skipped, unless TESSERA_REQUIRE_VULKAN=1. The range formulas are also checked on
// the CPU (they are plain C++), so they are tested where no device exists.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <tessera/backend/vulkan/allocator.hpp>
#include <tessera/backend/vulkan/kernels.hpp>
#include <tessera/tessera.hpp>

namespace glsl {
// range.glsl is C++ as well as GLSL: these are the GLSL built-ins it uses.
using uint = uint32_t;
inline int findMSB(uint x) { return x ? 31 - __builtin_clz(x) : -1; }
#include <tessera/backend/gpu/glsl/range.glsl>
}  // namespace glsl

namespace {

namespace vk = ts::vulkan::detail;
namespace td = ts::detail;

// This program registers the Vulkan backend with the GPU kernels of backend/vulkan/kernels.hpp.
vk::VulkanAllocator g_allocator;
vk::VulkanKernels g_kernels;
const bool g_registered = (ts::register_device_backend(ts::DeviceType::Vulkan, &g_allocator, &g_kernels), true);

const ts::Device kGpu = ts::Device::vulkan(0);

bool have_device() {
  if (ts::vulkan::device_count() > 0) return true;
  const char* require = std::getenv("TESSERA_REQUIRE_VULKAN");
  if (require && std::string(require) == "1") {
    FAIL("no Vulkan device, and TESSERA_REQUIRE_VULKAN=1");
  } else {
    WARN("no Vulkan device: GPU tests skipped");
  }
  return false;
}

bool float64_ok() { return vk::has_float64(0); }

template <class T>
constexpr bool is_f64 = std::is_same_v<T, double>;

/** A value of T from a mix of ordinary, large, tiny and special values. */
template <class T>
T random_value(std::mt19937_64& rng) {
  if constexpr (std::is_same_v<T, bool>) {
    return (rng() & 1) != 0;
  } else if constexpr (std::is_integral_v<T>) {
    if (rng() % 3 == 0) return static_cast<T>(static_cast<int64_t>(rng() % 21) - 10);
    return static_cast<T>(rng());
  } else {
    static const double specials[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, 3e9, -3e9, 1e20, -1e20, 2147483648.0,
                                      -2147483648.0, 9.3e18, 65520.0, 65504.0, 300.7, -128.5, 255.5, 1e-40, 1e-8, 1e300};
    const uint64_t pick = rng() % 10;
    double v;
    if (pick == 0) {
      v = specials[rng() % (sizeof specials / sizeof specials[0])];
    } else {
      std::normal_distribution<double> normal;
      v = normal(rng) * std::pow(10.0, static_cast<double>(rng() % 8) - 2.0);
    }
    return td::convert<T>(v);
  }
}

template <class T>
ts::Tensor<T> random_tensor(const ts::Shape& shape, std::mt19937_64& rng) {
  ts::Tensor<T> t = ts::empty<T>(shape);
  T* p = t.data_ptr();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = random_value<T>(rng);
  return t;
}

/** Element-by-element bit equality of two tensors of one shape (any strides, any device). */
template <class T>
void require_same(const ts::Tensor<T>& want, const ts::Tensor<T>& got, const std::string& what) {
  INFO(what);
  REQUIRE(want.sizes() == got.sizes());
  const std::vector<T> a = want.to(ts::Device::cpu()).to_vector();
  const std::vector<T> b = got.to(ts::Device::cpu()).to_vector();
  for (size_t i = 0; i < a.size(); ++i) {
    T x = a[i], y = b[i];
    if (std::memcmp(&x, &y, sizeof(T)) != 0) {
      INFO("element " << i << " of " << a.size() << ": want " << +td::convert<double>(x) << ", got "
                      << +td::convert<double>(y));
      FAIL("bits differ");
    }
  }
}

ts::Shape random_shape(std::mt19937_64& rng, int max_rank = 4) {
  const int rank = static_cast<int>(rng() % static_cast<uint64_t>(max_rank + 1));
  ts::Shape shape;
  for (int d = 0; d < rank; ++d) shape.push_back(rng() % 9 == 0 ? 0 : 1 + static_cast<int64_t>(rng() % 7));
  if (rng() % 4 == 0 && rank > 0) shape[rng() % rank] = 64 + static_cast<int64_t>(rng() % 200);
  return shape;
}

/** A view of a fresh tensor: contiguous, transposed, sliced with a step, or broadcast. */
template <class T>
ts::Tensor<T> random_view(const ts::Tensor<T>& t, int kind) {
  const int64_t nd = t.dim();
  if (kind == 1 && nd >= 2) return t.transpose(0, nd - 1);
  if (kind == 2 && nd >= 1 && t.size(nd - 1) > 0) return t.slice(nd - 1, 0, std::nullopt, 2);
  return t;
}

constexpr ts::DType kDTypes[] = {ts::DType::Bool,    ts::DType::UInt8,    ts::DType::Int8,    ts::DType::Int16,
                                 ts::DType::Int32,   ts::DType::Int64,    ts::DType::Float16, ts::DType::BFloat16,
                                 ts::DType::Float32, ts::DType::Float64};

template <class F>
void for_each_dtype(F&& f) {
  for (ts::DType d : kDTypes) ts::dispatch(d, f);
}

}  // namespace

TEST_CASE("vulkan kernels: every generated kernel is found by name and has MSL unless float64") {
  REQUIRE(ts::gpu::find_kernel("fill.x32") != nullptr);
  REQUIRE(ts::gpu::find_kernel("fill.x128") == nullptr);
  for (const ts::gpu::Kernel* k : ts::gpu::all_kernels) {
    INFO(k->name);
    CHECK(ts::gpu::find_kernel(k->name) == k);
    CHECK(k->spirv[0] == 0x07230203u);
    CHECK(k->msl.empty() == k->name.ends_with(".f64"));
    CHECK(k->push_constant_bytes <= 128);
  }
}

TEST_CASE("vulkan kernels: range formulas match the CPU's bits (checked on the CPU)") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-100, 100);
  auto check = [&](auto tag, const char* op, double start, double end, double step, int64_t n) {
    using T = typename decltype(tag)::type;
    ts::Tensor<T> cpu = std::string_view(op) == "arange" ? ts::arange<T>(start, start + step * static_cast<double>(n) - step * 0.5, step)
                                                         : ts::linspace<T>(start, end, n);
    n = cpu.numel();
    glsl::RangeFormat f{};
    if constexpr (std::is_same_v<T, float>) f = {KIND_NATIVE, 24, -149, 8, 8, false};
    else if constexpr (std::is_same_v<T, double>) f = {KIND_NATIVE, 53, -1074, 11, 4, false};
    else if constexpr (std::is_same_v<T, ts::half>) f = {KIND_HALF, 11, -24, 5, 16, false};
    else f = {KIND_HALF, 8, -133, 8, 16, false};
    uint64_t a = vk::bits_of(start), b = vk::bits_of(step), c = 0;
    if (std::string_view(op) == "linspace") {
      if (n < 2) return;
      if constexpr (std::is_same_v<T, ts::half> || std::is_same_v<T, ts::bfloat16>) {
        const T s = td::convert<T>(start), e = td::convert<T>(end);
        const T st = td::round_op<T>(float(td::round_op<T>(float(e) - float(s))) / float(T(static_cast<float>(n - 1))));
        if (!std::isfinite(float(s)) || !std::isfinite(float(e)) || !std::isfinite(float(st))) return;
        a = vk::bits_of(double(float(s))), b = vk::bits_of(double(float(st))), c = vk::bits_of(double(float(e)));
      } else {
        const T s = static_cast<T>(start), e = static_cast<T>(end), st = (e - s) / static_cast<T>(n - 1);
        a = vk::bits_of(double(s)), b = vk::bits_of(double(st)), c = vk::bits_of(double(e));
      }
    }
    const T* p = cpu.data_ptr();
    for (int64_t i = 0; i < n; ++i) {
      const uint64_t got = glsl::range_bits(std::string_view(op) == "arange" ? RANGE_ARANGE : RANGE_LINSPACE, f, a, b, c,
                                            static_cast<uint32_t>(n), static_cast<uint32_t>(n / 2), static_cast<uint32_t>(i));
      const uint64_t mask = sizeof(T) == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * sizeof(T))) - 1;
      INFO(op << " start " << start << " end " << end << " step " << step << " n " << n << " i " << i);
      REQUIRE((got & mask) == vk::bits_of(p[i]));
    }
  };
  for (int t = 0; t < 300; ++t) {
    double s = u(rng), e = u(rng);
    if (t % 3 == 0) s = std::ldexp(s, static_cast<int>(rng() % 120) - 60), e = std::ldexp(e, static_cast<int>(rng() % 120) - 60);
    if (t % 7 == 0) e = -s;
    const int64_t n = 2 + static_cast<int64_t>(rng() % 150);
    const double step = (rng() % 2 ? 1 : -1) * std::ldexp(1.0 + u(rng) / 200.0, static_cast<int>(rng() % 20) - 10);
    check(std::type_identity<float>{}, "linspace", s, e, 0, n);
    check(std::type_identity<double>{}, "linspace", s, e, 0, n);
    check(std::type_identity<ts::half>{}, "linspace", s, e, 0, n);
    check(std::type_identity<ts::bfloat16>{}, "linspace", s, e, 0, n);
    check(std::type_identity<float>{}, "arange", s, 0, step, n);
    check(std::type_identity<double>{}, "arange", s, 0, step, n);
    check(std::type_identity<ts::half>{}, "arange", s / 100, 0, step, n);
    check(std::type_identity<ts::bfloat16>{}, "arange", s, 0, step, n);
  }
}

TEST_CASE("vulkan kernels: fill, every dtype, contiguous and strided") {
  if (!have_device()) return;
  std::mt19937_64 rng(1);
  uint64_t fallbacks = vk::host_fallbacks(vk::KernelFamily::Fill);
  for_each_dtype([&](auto tag) {
    using T = typename decltype(tag)::type;
    if (is_f64<T> && !float64_ok()) return;
    INFO(ts::dtype_of<T>);
    for (int trial = 0; trial < 6; ++trial) {
      const ts::Shape shape = random_shape(rng);
      const T value = random_value<T>(rng);
      // An int64 beyond 2^53 does not survive the plan's double: the host writes it.
      const bool on_host = std::is_same_v<T, int64_t> && std::abs(static_cast<double>(value)) >= 0x1p53;
      require_same(ts::full<T>(shape, value), ts::full<T>(shape, value, {.device = kGpu}), "full");
      if (on_host && ts::empty<T>(shape).numel() > 0) fallbacks += 1;
      for (int kind = 1; kind <= 2; ++kind) {
        ts::Tensor<T> cpu = random_tensor<T>(shape, rng);
        ts::Tensor<T> gpu = cpu.to(kGpu);
        random_view(cpu, kind).fill_(value);
        random_view(gpu, kind).fill_(value);
        if (on_host && random_view(cpu, kind).numel() > 0) fallbacks += 1;
        require_same(cpu, gpu, "fill_ of a view");
      }
    }
  });
  CHECK(vk::host_fallbacks(vk::KernelFamily::Fill) == fallbacks);
}

TEST_CASE("vulkan kernels: arange and linspace, every dtype") {
  if (!have_device()) return;
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> u(-50, 50);
  const uint64_t fallbacks = vk::host_fallbacks(vk::KernelFamily::Range);
  for_each_dtype([&](auto tag) {
    using T = typename decltype(tag)::type;
    if (is_f64<T> && !float64_ok()) return;
    INFO(ts::dtype_of<T>);
    for (int trial = 0; trial < 8; ++trial) {
      const int64_t n = trial == 0 ? 0 : (trial == 1 ? 1 : static_cast<int64_t>(rng() % 300) + 2);
      const double s = u(rng), e = u(rng);
      require_same(ts::linspace<T>(s, e, n), ts::linspace<T>(s, e, n, {.device = kGpu}), "linspace");
      if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        const int64_t is = static_cast<int64_t>(rng() % 100) - 50, step = 1 + static_cast<int64_t>(rng() % 5);
        require_same(ts::arange<T>(is, is + n * step, step), ts::arange<T>(is, is + n * step, step, {.device = kGpu}),
                     "arange");
      } else if constexpr (!std::is_same_v<T, bool>) {
        const double step = std::ldexp(1.0 + u(rng) / 100.0, static_cast<int>(rng() % 8) - 6);
        require_same(ts::arange<T>(s, s + step * static_cast<double>(n), step),
                     ts::arange<T>(s, s + step * static_cast<double>(n), step, {.device = kGpu}), "arange");
      }
    }
  });
  CHECK(vk::host_fallbacks(vk::KernelFamily::Range) == fallbacks);
  ts::Tensor<float> log_gpu = ts::logspace<float>(0, 2, 5, 10.0, {.device = kGpu});  // on the host
  CHECK(vk::host_fallbacks(vk::KernelFamily::Range) == fallbacks + 1);
  require_same(ts::logspace<float>(0, 2, 5), log_gpu, "logspace");
}

TEST_CASE("vulkan kernels: copy and conversion between every pair of dtypes, through views") {
  if (!have_device()) return;
  std::mt19937_64 rng(3);
  const uint64_t fallbacks = vk::host_fallbacks(vk::KernelFamily::Copy);
  for_each_dtype([&](auto from) {
    using S = typename decltype(from)::type;
    for_each_dtype([&](auto to) {
      using D = typename decltype(to)::type;
      if ((is_f64<S> || is_f64<D>) && !float64_ok()) return;
      INFO(ts::dtype_of<S> << " -> " << ts::dtype_of<D>);
      for (int trial = 0; trial < 4; ++trial) {
        const ts::Shape shape = random_shape(rng);
        const ts::Tensor<S> cpu = random_tensor<S>(shape, rng);
        const ts::Tensor<S> gpu = cpu.to(kGpu);
        const int kind = trial % 3;
        require_same(random_view(cpu, kind).template to<D>(), random_view(gpu, kind).template to<D>(), "to<D>()");
        // Into a non-contiguous output, from a broadcast input.
        if (shape.size() >= 2) {
          ts::Tensor<D> out_cpu = ts::zeros<D>({shape[1], shape[0]}).transpose(0, 1);
          ts::Tensor<D> out_gpu = ts::zeros<D>({shape[1], shape[0]}, {.device = kGpu}).transpose(0, 1);
          const ts::Tensor<S> row = random_tensor<S>({shape[1]}, rng);
          out_cpu.copy_(row.expand({shape[0], shape[1]}));
          out_gpu.copy_(row.to(kGpu).expand({shape[0], shape[1]}));
          require_same(out_cpu, out_gpu, "copy_ into a transposed output from a broadcast row");
        }
      }
    });
  });
  CHECK(vk::host_fallbacks(vk::KernelFamily::Copy) == fallbacks);
}

TEST_CASE("vulkan kernels: float64 is refused with the op and dtype where the device has no shaderFloat64") {
  if (!have_device() || float64_ok()) return;
  try {
    (void)ts::zeros<float>({3}, {.device = kGpu}).to<double>();
    FAIL("no error");
  } catch (const ts::Error& e) {
    CHECK(std::string(e.what()).find("float64") != std::string::npos);
  }
}
