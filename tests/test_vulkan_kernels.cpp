// The generated GPU kernels (backend/gpu/, docs/gpu.md) on a Vulkan device against the CPU:
// every family with a GPU kernel, every dtype, random shapes and views (transposed, sliced,
// broadcast, zero-size, non-contiguous outputs), compared bit for bit. Without a device the
// tests are skipped, unless TESSERA_REQUIRE_VULKAN=1. The range formulas are also checked on
// the CPU (they are plain C++), so they are tested where no device exists.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "vulkan_device.hpp"  // the backend: Vulkan, or Metal with TESSERA_TEST_METAL

namespace test_vulkan_kernels {

namespace glsl {
// range.glsl is C++ as well as GLSL: these are the GLSL built-ins it uses.
using uint = uint32_t;
inline int findMSB(uint x) { return x ? 31 - __builtin_clz(x) : -1; }
#include <tessera/backend/gpu/glsl/range.glsl>
}  // namespace glsl

namespace {

namespace vk = vulkan_test::backend;  // ts::vulkan::detail, or ts::metal::detail
namespace td = ts::detail;

using vulkan_test::kGpu;

using vulkan_test::have_device;

bool float64_ok() { return vk::has_float64(0); }

template <class T>
constexpr bool is_f64 = std::is_same_v<T, double>;
/** How far a GPU approximation (Note [GPU transcendentals]) may be from the CPU's value of type T:
 *  |want - got| <= tol * (1 + |want|). */
template <class T>
constexpr double approx_tol = std::is_same_v<T, ts::bfloat16> ? 1e-2
                              : std::is_same_v<T, ts::half> ? 2e-3
                              : std::is_same_v<T, double>   ? 1e-14
                                                            : 2e-5;

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

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_integral_v<T>) return false;
  else return std::isnan(static_cast<double>(static_cast<float>(v))) || std::isnan(static_cast<double>(v));
}

/** Element-by-element equality of two tensors of one shape (any strides, any device): the same
 *  bits, or NaN in both when `any_nan` (a NaN a kernel makes has the GPU's payload). With a
 *  tolerance, |want - got| <= tol * (1 + |want|) for floating values (Note [GPU transcendentals]). */
template <class T>
void require_same(const ts::Tensor<T>& want, const ts::Tensor<T>& got, const std::string& what, bool any_nan = false,
                  double tol = 0, bool zero_sign = true) {
  INFO(what);
  REQUIRE(want.sizes() == got.sizes());
  const std::vector<T> a = want.to(ts::Device::cpu()).to_vector();
  const std::vector<T> b = got.to(ts::Device::cpu()).to_vector();
  for (size_t i = 0; i < a.size(); ++i) {
    T x = a[i], y = b[i];
    if (any_nan && is_nan(x) && is_nan(y)) continue;
    if (!zero_sign && td::convert<double>(x) == 0 && td::convert<double>(y) == 0) continue;
    if (tol > 0) {
      const double u = td::convert<double>(x), v = td::convert<double>(y);
      if (u == v || std::abs(u - v) <= tol * (1 + std::abs(u))) continue;
    }
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
    // float64 variants (compare.f64 compares doubles as bits, so Metal runs it) and those
    // computing in double (scan.f32_dacc, random.f32_dmath).
    CHECK(k->msl.empty() == ((k->name.ends_with(".f64") && !k->name.starts_with("compare.")) ||
                             k->name.ends_with("_dacc") || k->name.ends_with("_dmath")));
    CHECK(k->push_constant_bytes <= 128);
  }
}

TEST_CASE("vulkan kernels: range formulas match the CPU's bits (checked on the CPU)") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-100, 100);
  auto check = [&](auto tag, const char* op, double start, double end, double step, int64_t n) {
    using T = typename decltype(tag)::type;
    ts::Tensor<T> cpu;
    try {
      cpu = std::string_view(op) == "arange" ? ts::arange<T>(start, start + step * static_cast<double>(n) - step * 0.5, step)
                                             : ts::linspace<T>(start, end, n);
    } catch (const ts::Error&) {
      return;  // ends the type cannot hold are refused, as in PyTorch: no range to compare
    }
    n = cpu.numel();
    glsl::RangeFormat f{};
    if constexpr (std::is_same_v<T, float>) f = {KIND_NATIVE, 24, -149, 8, 8, false};
    else if constexpr (std::is_same_v<T, double>) f = {KIND_NATIVE, 53, -1074, 11, 4, false};
    else if constexpr (std::is_same_v<T, ts::half>) f = {KIND_HALF, 11, -24, 5, 16, false};
    else f = {KIND_HALF, 8, -133, 8, 16, false};
    uint64_t a = ts::gpu::detail::bits_of(start), b = ts::gpu::detail::bits_of(step), c = 0;
    if (std::string_view(op) == "linspace") {
      if (n < 2) return;
      if constexpr (std::is_same_v<T, ts::half> || std::is_same_v<T, ts::bfloat16>) {
        const T s = td::convert<T>(start), e = td::convert<T>(end);
        const T st = td::round_op<T>(float(td::round_op<T>(float(e) - float(s))) / float(T(static_cast<float>(n - 1))));
        if (!std::isfinite(float(s)) || !std::isfinite(float(e)) || !std::isfinite(float(st))) return;
        a = ts::gpu::detail::bits_of(double(float(s))), b = ts::gpu::detail::bits_of(double(float(st))), c = ts::gpu::detail::bits_of(double(float(e)));
      } else {
        const T s = static_cast<T>(start), e = static_cast<T>(end), st = (e - s) / static_cast<T>(n - 1);
        a = ts::gpu::detail::bits_of(double(s)), b = ts::gpu::detail::bits_of(double(st)), c = ts::gpu::detail::bits_of(double(e));
      }
    }
    const T* p = cpu.data_ptr();
    for (int64_t i = 0; i < n; ++i) {
      const uint64_t got = glsl::range_bits(std::string_view(op) == "arange" ? RANGE_ARANGE : RANGE_LINSPACE, f, a, b, c,
                                            static_cast<uint32_t>(n), static_cast<uint32_t>(n / 2), static_cast<uint32_t>(i));
      const uint64_t mask = sizeof(T) == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * sizeof(T))) - 1;
      INFO(op << " start " << start << " end " << end << " step " << step << " n " << n << " i " << i);
      REQUIRE((got & mask) == ts::gpu::detail::bits_of(p[i]));
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
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Fill);
  for_each_dtype([&](auto tag) {
    using T = typename decltype(tag)::type;
    if (is_f64<T> && !float64_ok()) return;
    INFO(ts::dtype_of<T>);
    for (int trial = 0; trial < 8; ++trial) {
      const ts::Shape shape = random_shape(rng);
      // int64 values beyond 2^53 too, which no double holds: the plan carries the element's bits
      T value = random_value<T>(rng);
      if constexpr (std::is_same_v<T, int64_t>)
        if (trial >= 6) value = trial == 6 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min() + 1;
      require_same(ts::full<T>(shape, value), ts::full<T>(shape, value, {.device = kGpu}), "full");
      for (int kind = 1; kind <= 2; ++kind) {
        ts::Tensor<T> cpu = random_tensor<T>(shape, rng);
        ts::Tensor<T> gpu = cpu.to(kGpu);
        random_view(cpu, kind).fill_(value);
        random_view(gpu, kind).fill_(value);
        require_same(cpu, gpu, "fill_ of a view");
      }
    }
  });
  CHECK(vk::host_fallbacks(vk::PlanKind::Fill) == fallbacks);
}

TEST_CASE("vulkan kernels: arange and linspace, every dtype") {
  if (!have_device()) return;
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> u(-50, 50);
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Range);
  for_each_dtype([&](auto tag) {
    using T = typename decltype(tag)::type;
    if (is_f64<T> && !float64_ok()) return;
    INFO(ts::dtype_of<T>);
    for (int trial = 0; trial < 8; ++trial) {
      const int64_t n = trial == 0 ? 0 : (trial == 1 ? 1 : static_cast<int64_t>(rng() % 300) + 2);
      double s = u(rng), e = u(rng);
      if constexpr (std::is_unsigned_v<T>) s = std::fabs(s), e = std::fabs(e);  // negative ends are refused
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
  CHECK(vk::host_fallbacks(vk::PlanKind::Range) == fallbacks);
  ts::Tensor<float> log_gpu = ts::logspace<float>(0, 2, 5, 10.0, {.device = kGpu});  // on the host
  CHECK(vk::host_fallbacks(vk::PlanKind::Range) == fallbacks + 1);
  require_same(ts::logspace<float>(0, 2, 5), log_gpu, "logspace");
}

TEST_CASE("vulkan kernels: copy and conversion between every pair of dtypes, through views") {
  if (!have_device()) return;
  std::mt19937_64 rng(3);
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Copy);
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
  CHECK(vk::host_fallbacks(vk::PlanKind::Copy) == fallbacks);
}

template <class T>
ts::Tensor<T> nonzero_tensor(const ts::Shape& shape, std::mt19937_64& rng) {
  ts::Tensor<T> t = random_tensor<T>(shape, rng);
  T* p = t.data_ptr();
  for (int64_t i = 0; i < t.numel(); ++i)
    if (td::convert<double>(p[i]) == 0) p[i] = T(1);
  return t;
}

/** Values in [-8, 8] (and some zeros): arguments where GPU and CPU math functions agree closely. */
template <class T>
ts::Tensor<T> tame_tensor(const ts::Shape& shape, std::mt19937_64& rng) {
  ts::Tensor<T> t = ts::empty<T>(shape);
  T* p = t.data_ptr();
  std::uniform_real_distribution<double> u(-8, 8);
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = td::convert<T>(rng() % 16 == 0 ? 0.0 : u(rng));
  return t;
}

/** A shape that broadcasts against `shape`: some dims 1, maybe fewer dims. */
ts::Shape broadcast_partner(const ts::Shape& shape, std::mt19937_64& rng) {
  ts::Shape other = shape;
  for (auto& d : other)
    if (rng() % 3 == 0) d = 1;
  if (other.empty() || rng() % 3 != 0) return other;
  ts::Shape fewer;
  for (size_t d = 1; d < other.size(); ++d) fewer.push_back(other[d]);
  return fewer;
}

/** Runs f(x) on a CPU tensor and on its GPU copy (and views of both) and compares. */
template <class F, class T>
void check_unary(const char* name, F&& f, const ts::Tensor<T>& cpu, bool exact) {
  const ts::Tensor<T> gpu = cpu.to(kGpu);
  for (int kind = 0; kind < 3; ++kind) {
    auto want = f(random_view(cpu, kind));
    auto got = f(random_view(gpu, kind));
    using R = typename decltype(want)::value_type;
    const double tol = exact ? 0 : approx_tol<R>;
    require_same(want, got, std::string(name) + " on " + std::string(ts::dtype_name(ts::dtype_of<T>)), true, tol);
  }
}

/** Doubles at the edges of bit operations: signed zeros, subnormals, the extremes, infinities, NaN. */
std::vector<double> float64_edges() {
  const double inf = std::numeric_limits<double>::infinity(), tiny = std::numeric_limits<double>::denorm_min();
  const double least = std::numeric_limits<double>::min(), most = std::numeric_limits<double>::max();
  return {0.0, -0.0, tiny, -tiny, 3 * tiny, 1e-310, -2.5e-320, least, -least, least - tiny, most, -most, inf, -inf,
          std::numeric_limits<double>::quiet_NaN(), 1.0, -1.0, 0.5, 3.0, -0.1, 1.0 / 3.0, 1e300, -7.5e-300, 0x1p52 + 1};
}

TEST_CASE("vulkan kernels: float64 exp, log and their relatives run on the GPU, within a few ulps of the CPU's; fmod exactly") {
  if (!have_device() || !float64_ok()) return;
  std::mt19937_64 rng(64);
  // Ordinary, huge, tiny, subnormal and special values, and values near the functions' edges.
  std::vector<double> values;
  for (int i = 0; i < 4000; ++i) values.push_back(random_value<double>(rng));
  for (double v : {709.78, 709.79, 710.47, 710.48, -745.1, -745.2, 1023.9, -1074.5, 22.0, 0.3466, -0.2929, 0.4142,
                   -1.0, 1e-310, -1e-310, 4.9e-324, 20.0, 20.5, -40.5})
    values.push_back(v);
  const ts::Tensor<double> x = ts::from_vector(values, {static_cast<int64_t>(values.size())});
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Elementwise);
  const auto check = [&](const char* name, auto f) { check_unary(name, f, x, false); };
  check("exp", [](const auto& t) { return ts::exp(t); });
  check("expm1", [](const auto& t) { return ts::expm1(t); });
  check("exp2", [](const auto& t) { return ts::exp2(t); });
  check("log", [](const auto& t) { return ts::log(t.abs()); });
  check("log1p", [](const auto& t) { return ts::log1p(t); });
  check("log2", [](const auto& t) { return ts::log2(t.abs()); });
  check("log10", [](const auto& t) { return ts::log10(t.abs()); });
  check("tanh", [](const auto& t) { return ts::tanh(t); });
  check("sinh", [](const auto& t) { return ts::sinh(t); });
  check("cosh", [](const auto& t) { return ts::cosh(t); });
  check("asinh", [](const auto& t) { return ts::asinh(t); });
  check("acosh", [](const auto& t) { return ts::acosh(t.abs()); });
  check("atanh", [](const auto& t) { return ts::atanh(t.remainder(2.0) - 1.0); });
  check("sin", [](const auto& t) { return ts::sin(t); });  // huge arguments too (Note [Payne-Hanek reduction])
  check("cos", [](const auto& t) { return ts::cos(t); });
  check("tan", [](const auto& t) { return ts::tan(t); });
  check("sinc", [](const auto& t) { return ts::sinc(t); });
  check("atan", [](const auto& t) { return ts::atan(t); });
  check("erf", [](const auto& t) { return ts::erf(t); });
  check("erfc", [](const auto& t) { return ts::erfc(t); });
  check("erfc near its ends", [](const auto& t) { return ts::erfc(t.remainder(60.0) - 30.0); });
  check("lgamma", [](const auto& t) { return ts::lgamma(t); });
  check("lgamma near its zeros and poles", [](const auto& t) { return ts::lgamma(t.remainder(40.0) - 20.0); });
  check("digamma", [](const auto& t) { return t.digamma(); });
  check("digamma near its poles", [](const auto& t) { return (t.remainder(40.0) - 20.0).digamma(); });
  check("i0", [](const auto& t) { return ts::i0(t); });
  check("i0 up to its overflow", [](const auto& t) { return ts::i0(t.remainder(1440.0) - 720.0); });
  for (const double scale : {1.0, 0.001}) {  // inside [-1, 1], near its ends, and outside
    check("asin", [scale](const auto& t) { return ts::asin(t.remainder(2.0 + scale) - 1.0); });
    check("acos", [scale](const auto& t) { return ts::acos(t.remainder(2.0 + scale) - 1.0); });
  }
  check("asin", [](const auto& t) { return ts::asin(t); });
  check("acos", [](const auto& t) { return ts::acos(t.tanh()); });
  check("sigmoid", [](const auto& t) { return ts::sigmoid(t); });
  check("softplus", [](const auto& t) { return ts::softplus(t); });
  check("gelu", [](const auto& t) { return ts::gelu(t); });
  // the gradients of softplus and gelu, GPU kernels of their own
  const auto grad = [&](ts::Device d, bool gelu) {
    const ts::Tensor<double> v = x.to(d).detach().requires_grad_();
    (gelu ? ts::gelu(v) : ts::softplus(v)).sum().backward();
    return v.grad();
  };
  require_same(grad(ts::Device::cpu(), false), grad(kGpu, false), "softplus backward", true, approx_tol<double>);
  require_same(grad(ts::Device::cpu(), true), grad(kGpu, true), "gelu backward", true, approx_tol<double>);
  // pow: every pairing of these values (specials, signs, overflow and underflow), and moderate
  // exponents of every base
  const ts::Tensor<double> small = (x.remainder(16.0) - 8.0).round();
  require_same(ts::pow(x, x.flip({0})), ts::pow(x.to(kGpu), x.flip({0}).to(kGpu)), "pow", true, approx_tol<double>);
  require_same(ts::pow(x, small), ts::pow(x.to(kGpu), small.to(kGpu)), "pow, integer exponents", true, approx_tol<double>);
  require_same(ts::pow(x.abs(), x.remainder(7.5)), ts::pow(x.abs().to(kGpu), x.remainder(7.5).to(kGpu)), "pow", true,
               approx_tol<double>);
  // pow by the scalars of Note [pow by a scalar] (sqrt(-inf) is NaN where pow(-inf, 0.5) is inf), and by another
  const std::vector<double> edge_values = float64_edges();
  const ts::Tensor<double> edges = ts::from_vector(edge_values, {static_cast<int64_t>(edge_values.size())});
  for (const double e : {0.5, -0.5, -1.0, 2.0, 3.0, -2.0, 2.5})
    for (const ts::Tensor<double>& t : {x, edges}) {
      require_same(ts::pow(t, e), ts::pow(t.to(kGpu), e), "pow by a scalar", true, approx_tol<double>);
      const ts::Tensor<float> f = t.to<float>();
      require_same(ts::pow(f, e), ts::pow(f.to(kGpu), e), "float pow by a scalar", true, approx_tol<float>);
    }
  // atan2 and hypot of every pair of the edges, and of these values against their mirror
  std::vector<double> ys, zs;
  for (double u : float64_edges())
    for (double v : float64_edges()) ys.push_back(u), zs.push_back(v);
  for (size_t i = 0; i < values.size(); ++i) ys.push_back(values[i]), zs.push_back(values[values.size() - 1 - i]);
  const ts::Tensor<double> ty = ts::from_vector(ys, {static_cast<int64_t>(ys.size())});
  const ts::Tensor<double> tz = ts::from_vector(zs, {static_cast<int64_t>(zs.size())});
  require_same(ts::atan2(ty, tz), ts::atan2(ty.to(kGpu), tz.to(kGpu)), "atan2", true, approx_tol<double>);
  require_same(ts::hypot(ty, tz), ts::hypot(ty.to(kGpu), tz.to(kGpu)), "hypot", true, approx_tol<double>);
  // fmod (and remainder, floor_divide built on it) in integers, exact: exponents far apart,
  // subnormals, signed zeros, infinities
  const double inf = std::numeric_limits<double>::infinity();
  const ts::Tensor<double> a = ts::from_vector(std::vector<double>{1e300, -1e308, 5e-324, 7.5, -0.0, 3.0, inf, 1e-300, 123456789.0, -2.5}, {10});
  const ts::Tensor<double> b = ts::from_vector(std::vector<double>{3.7, 1e-308, 3e-324, -2.0, 1.0, inf, 2.0, 7e-310, 1e-5, 0.5}, {10});
  for (const auto& [want, got, what] : {std::tuple{ts::fmod(a, b), ts::fmod(a.to(kGpu), b.to(kGpu)), "fmod"},
                                       std::tuple{ts::remainder(a, b), ts::remainder(a.to(kGpu), b.to(kGpu)), "remainder"},
                                       std::tuple{ts::floor_divide(a, b), ts::floor_divide(a.to(kGpu), b.to(kGpu)), "floor_divide"}})
    require_same(want, got, what, true);
  CHECK(vk::host_fallbacks(vk::PlanKind::Elementwise) == fallbacks);
}

TEST_CASE("vulkan kernels: float64 nan_to_num, frexp and nextafter run on the GPU, the CPU's bits") {
  if (!have_device() || !float64_ok()) return;
  std::mt19937_64 rng(65);
  std::vector<double> values = float64_edges();
  for (int i = 0; i < 1000; ++i) values.push_back(random_value<double>(rng));
  const ts::Tensor<double> x = ts::from_vector(values, {static_cast<int64_t>(values.size())});
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Elementwise);
  const auto check = [&](const char* name, auto f) { check_unary(name, f, x, true); };
  check("nan_to_num", [](const auto& t) { return ts::nan_to_num(t); });
  check("nan_to_num values", [](const auto& t) { return ts::nan_to_num(t, 0.1, 1.0 / 3.0, -1e-310); });
  check("nan_to_num_", [](const auto& t) { return t.clone().nan_to_num_(-2.5, 1e300); });
  check("frexp mantissa", [](const auto& t) { return std::get<0>(ts::frexp(t)); });
  check("frexp exponent", [](const auto& t) { return std::get<1>(ts::frexp(t)); });
  // nextafter of every pair of edges, both ways, and of random pairs
  const std::vector<double> edges = float64_edges();
  std::vector<double> a, b;
  for (double u : edges)
    for (double v : edges) a.push_back(u), b.push_back(v);
  for (size_t i = 0; i < values.size(); ++i) a.push_back(values[i]), b.push_back(values[values.size() - 1 - i]);
  const ts::Tensor<double> ta = ts::from_vector(a, {static_cast<int64_t>(a.size())});
  const ts::Tensor<double> tb = ts::from_vector(b, {static_cast<int64_t>(b.size())});
  require_same(ts::nextafter(ta, tb), ts::nextafter(ta.to(kGpu), tb.to(kGpu)), "nextafter", true);
  CHECK(vk::host_fallbacks(vk::PlanKind::Elementwise) == fallbacks);
}

TEST_CASE("vulkan kernels: float64 logit, logaddexp, logaddexp2 and xlogy run on the GPU, with the CPU's formulas") {
  if (!have_device() || !float64_ok()) return;
  std::mt19937_64 rng(66);
  std::vector<double> values = float64_edges();
  for (double v : {1.0 - 0x1p-53, 0x1p-53, 0.25, 0.75, 1e-6, 1.0 - 1e-6, 2.0, -2.0, 745.0, -745.0, 1100.0, -1100.0})
    values.push_back(v);
  for (int i = 0; i < 1000; ++i) values.push_back(random_value<double>(rng));
  std::uniform_real_distribution<double> unit(0, 1);
  for (int i = 0; i < 500; ++i) values.push_back(unit(rng));
  const ts::Tensor<double> x = ts::from_vector(values, {static_cast<int64_t>(values.size())});
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Elementwise);
  // logit inside (0, 1), outside, and clamped (eps 0 clamps to [0, 1])
  for (const std::optional<double> eps : {std::optional<double>(), std::optional<double>(0.0), std::optional<double>(1e-6),
                                          std::optional<double>(0.25)})
    check_unary("logit", [eps](const auto& t) { return ts::logit(t, eps); }, x, false);
  // every pair of the edges, and random pairs: equal values, opposite infinities, NaN, far apart
  std::vector<double> a, b;
  for (double u : values)
    for (double v : float64_edges()) a.push_back(u), b.push_back(v);
  for (size_t i = 0; i < values.size(); ++i) {
    a.push_back(values[i]), b.push_back(values[values.size() - 1 - i]);
    a.push_back(values[i]), b.push_back(values[i]);
    a.push_back(values[i]), b.push_back(values[i] * (1 + 1e-9));
  }
  const ts::Tensor<double> ta = ts::from_vector(a, {static_cast<int64_t>(a.size())});
  const ts::Tensor<double> tb = ts::from_vector(b, {static_cast<int64_t>(b.size())});
  const ts::Tensor<double> ga = ta.to(kGpu), gb = tb.to(kGpu);
  constexpr double tol = approx_tol<double>;
  require_same(ts::logaddexp(ta, tb), ts::logaddexp(ga, gb), "logaddexp", true, tol);
  require_same(ts::logaddexp2(ta, tb), ts::logaddexp2(ga, gb), "logaddexp2", true, tol);
  require_same(ts::xlogy(ta, tb), ts::xlogy(ga, gb), "xlogy", true, tol);
  CHECK(vk::host_fallbacks(vk::PlanKind::Elementwise) == fallbacks);
}

TEST_CASE("vulkan kernels: float64 erfinv near +-1 and polygamma of large negative x run on the GPU") {
  if (!have_device() || !float64_ok()) return;
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Elementwise);
  // erfinv's Newton steps on erf divide erf's last bits by erf'(x) = 2 / sqrt(pi) exp(-x^2), on
  // the CPU as on the GPU, so the two agree to a few ulps of 1 over that slope.
  std::vector<double> ys;
  for (int k = 1; k <= 52; ++k) ys.push_back(1 - std::ldexp(1.0, -k)), ys.push_back(std::ldexp(1.0, -k) - 1);
  for (double y : {0.0, -0.0, 0.7, -0.7, 0.70000000000000007, 0.9, 0.99, 0.999999, 1.0, -1.0, 1.5, std::nan("")}) ys.push_back(y);
  const ts::Tensor<double> y = ts::from_vector(ys, {static_cast<int64_t>(ys.size())});
  const std::vector<double> want = ts::erfinv(y).to_vector(), got = ts::erfinv(y.to(kGpu)).to_vector();
  for (size_t i = 0; i < ys.size(); ++i) {
    INFO("erfinv(" << ys[i] << "): CPU " << want[i] << ", GPU " << got[i]);
    if (std::isnan(want[i]) || std::isinf(want[i])) {
      CHECK(((std::isnan(got[i]) && std::isnan(want[i])) || got[i] == want[i]));
    } else {
      const double slope = 1.1283791670955126 * std::exp(-want[i] * want[i]);
      CHECK(std::abs(got[i] - want[i]) <= 1e-14 * std::abs(want[i]) + 8 * 0x1p-53 / slope);
    }
  }
  // polygamma of x below -4096 (three zeta sums of positive arguments) against the CPU's, and
  // at -2^52 + 1/2, where a sum from x up to 9 would take 2^52 steps; beside them in one launch,
  // arguments summed term by term
  std::vector<double> xs = {-4095.25, -4096.5, -65535.25, -70000.25, -100000.3, -1e15 + 0.5, -0x1p52 + 0.5, -1e300, -3.5, 2.5};
  const ts::Tensor<double> x = ts::from_vector(xs, {static_cast<int64_t>(xs.size())});
  for (const int64_t n : {2, 3, 4})
    require_same(ts::polygamma(n, x), ts::polygamma(n, x.to(kGpu)), "polygamma " + std::to_string(n), true, 1e-13);
  const ts::Tensor<float> xf = ts::from_vector(std::vector<float>{-4095.25f, -4096.5f, -70000.25f, -8388607.5f, -3.5f}, {5});
  for (const int64_t n : {2, 3})
    require_same(ts::polygamma(n, xf), ts::polygamma(n, xf.to(kGpu)), "float polygamma " + std::to_string(n), true, 1e-4);
  CHECK(vk::host_fallbacks(vk::PlanKind::Elementwise) == fallbacks);
}

TEST_CASE("vulkan kernels: unary ops, every dtype, through views") {
  if (!have_device()) return;
  std::mt19937_64 rng(4);
  for_each_dtype([&](auto tag) {
    using T = typename decltype(tag)::type;
    if (is_f64<T> && !float64_ok()) return;
    for (int trial = 0; trial < 3; ++trial) {
      const ts::Shape shape = random_shape(rng);
      const ts::Tensor<T> x = random_tensor<T>(shape, rng);
      const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Elementwise);
      if constexpr (!std::is_same_v<T, bool>) {
        check_unary("neg", [](const auto& t) { return ts::neg(t); }, x, true);
        check_unary("sign", [](const auto& t) { return ts::sign(t); }, x, true);
      }
      check_unary("abs", [](const auto& t) { return ts::abs(t); }, x, true);
      check_unary("floor", [](const auto& t) { return ts::floor(t); }, x, true);
      check_unary("ceil", [](const auto& t) { return ts::ceil(t); }, x, true);
      check_unary("round", [](const auto& t) { return ts::round(t); }, x, true);
      check_unary("relu", [](const auto& t) { return ts::relu(t); }, x, true);
      check_unary("isnan", [](const auto& t) { return ts::isnan(t); }, x, true);
      check_unary("isinf", [](const auto& t) { return ts::isinf(t); }, x, true);
      check_unary("isfinite", [](const auto& t) { return ts::isfinite(t); }, x, true);
      check_unary("logical_not", [](const auto& t) { return ts::logical_not(t); }, x, true);
      CHECK(vk::host_fallbacks(vk::PlanKind::Elementwise) == fallbacks);
      if constexpr (!std::is_same_v<T, bool>) {
        const ts::Tensor<T> y = tame_tensor<T>(shape, rng);
        check_unary("sqrt", [](const auto& t) { return ts::sqrt(t); }, y, false);
        check_unary("rsqrt", [](const auto& t) { return ts::rsqrt(t); }, y, false);
        check_unary("exp", [](const auto& t) { return ts::exp(t); }, y, false);
        check_unary("expm1", [](const auto& t) { return ts::expm1(t); }, y, false);
        check_unary("log", [](const auto& t) { return ts::log(t); }, y, false);
        check_unary("log1p", [](const auto& t) { return ts::log1p(t); }, y, false);
        check_unary("log2", [](const auto& t) { return ts::log2(t); }, y, false);
        check_unary("sin", [](const auto& t) { return ts::sin(t); }, y, false);
        check_unary("cos", [](const auto& t) { return ts::cos(t); }, y, false);
        check_unary("tan", [](const auto& t) { return ts::tan(t); }, y, false);
        check_unary("tanh", [](const auto& t) { return ts::tanh(t); }, y, false);
        check_unary("sigmoid", [](const auto& t) { return ts::sigmoid(t); }, y, false);
        check_unary("gelu", [](const auto& t) { return ts::gelu(t); }, y, false);
        check_unary("softplus", [](const auto& t) { return ts::softplus(t); }, y, false);
        // The functions of ops/pointwise.hpp that have GPU kernels; the inverse functions also
        // inside their domains, where most of [-8, 8] is not.
        check_unary("trunc", [](const auto& t) { return ts::trunc(t); }, x, true);
        check_unary("reciprocal", [](const auto& t) { return ts::reciprocal(t); }, y, false);
        check_unary("exp2", [](const auto& t) { return ts::exp2(t); }, y, false);
        check_unary("log10", [](const auto& t) { return ts::log10(t); }, y, false);
        if constexpr (!std::is_same_v<T, ts::half>) {  // PyTorch's CPU has no float16 kernels of these
          check_unary("atan", [](const auto& t) { return ts::atan(t); }, y, false);
          check_unary("sinh", [](const auto& t) { return ts::sinh(t); }, y, false);
          check_unary("cosh", [](const auto& t) { return ts::cosh(t); }, y, false);
          check_unary("asinh", [](const auto& t) { return ts::asinh(t); }, y, false);
          for (const ts::Tensor<T>& z : {y, ts::Tensor<T>(y.div(8).template to<T>()), ts::Tensor<T>(y.abs().add(1).template to<T>())}) {
            check_unary("asin", [](const auto& t) { return ts::asin(t); }, z, false);
            check_unary("acos", [](const auto& t) { return ts::acos(t); }, z, false);
            check_unary("acosh", [](const auto& t) { return ts::acosh(t); }, z, false);
            check_unary("atanh", [](const auto& t) { return ts::atanh(t); }, z, false);
          }
        }
        check_unary("erf", [](const auto& t) { return ts::erf(t); }, y, false);
        check_unary("erfc", [](const auto& t) { return ts::erfc(t); }, y, false);
        check_unary("sgn", [](const auto& t) { return ts::sgn(t); }, x, true);
        check_unary("sinc", [](const auto& t) { return ts::sinc(t); }, y, false);
        check_unary("lgamma", [](const auto& t) { return ts::lgamma(t); }, y, false);
        check_unary("digamma", [](const auto& t) { return t.digamma(); }, y, false);
        for (const int64_t n : {0, 1, 2, 3})  // the trigamma of polygamma(1, x) is digamma's gradient
          check_unary("polygamma", [n](const auto& t) { return ts::polygamma(n, t); }, y, false);
        if constexpr (!std::is_same_v<T, ts::half>) {  // PyTorch's CPU has no float16 i0
          for (const ts::Tensor<T>& z : {y, ts::Tensor<T>(y.mul(12).template to<T>())})  // up to I0(96) = inf
            check_unary("i0", [](const auto& t) { return ts::i0(t); }, z, false);
        }
        // erfinv inside (-1, 1), with its steep ends, and outside.
        const ts::Tensor<T> inside = ts::Tensor<T>(y.div(8.01).template to<T>());
        for (const ts::Tensor<T>& z : {y, inside, ts::Tensor<T>(inside.sign().mul(inside.abs().sqrt().sqrt()).template to<T>())})
          check_unary("erfinv", [](const auto& t) { return ts::erfinv(t); }, z, false);
        // logit outside (0, 1), inside, and clamped to [eps, 1 - eps].
        const ts::Tensor<T> unit = ts::Tensor<T>(y.div(16).add(0.5).template to<T>());
        for (const ts::Tensor<T>& z : {y, unit}) {
          check_unary("logit", [](const auto& t) { return ts::logit(t); }, z, false);
          check_unary("logit eps", [](const auto& t) { return ts::logit(t, 0.1); }, z, false);
        }
        if constexpr (ts::is_floating_v<T>) {
          check_unary("frac", [](const auto& t) { return ts::frac(t); }, x, true);
          check_unary("frexp mantissa", [](const auto& t) { return std::get<0>(ts::frexp(t)); }, x, true);
          check_unary("frexp exponent", [](const auto& t) { return std::get<1>(ts::frexp(t)); }, x, true);
        }
        CHECK(vk::host_fallbacks(vk::PlanKind::Elementwise) == fallbacks);
      }
      const uint64_t before_signbit = vk::host_fallbacks(vk::PlanKind::Elementwise);
      check_unary("signbit", [](const auto& t) { return ts::signbit(t); }, x, true);
      if constexpr (!ts::is_floating_v<T>) check_unary("bitwise_not", [](const auto& t) { return ts::bitwise_not(t); }, x, true);
      CHECK(vk::host_fallbacks(vk::PlanKind::Elementwise) == before_signbit);
      check_unary("nan_to_num", [](const auto& t) { return ts::nan_to_num(t, 1.0); }, x, true);
      check_unary("nan_to_num values", [](const auto& t) { return ts::nan_to_num(t, -2.5, 1e3, -7.0); }, x, true);
      CHECK(vk::host_fallbacks(vk::PlanKind::Elementwise) == before_signbit);
    }
  });
}

TEST_CASE("vulkan kernels: gradients through the special functions run on the device") {
  if (!have_device()) return;
  const ts::Tensor<float> x0 = ts::randn({5, 7});
  const auto grads = [&](ts::Device d) {
    auto x = x0.to(d).detach().requires_grad_();
    // i0's gradient is I1, lgamma's digamma, erfinv's an exp; xlogy and logaddexp2 their own.
    (ts::i0(x) + ts::lgamma(x.abs() + 0.5f) + ts::erfinv(x / 4.0f) + ts::xlogy(x, x.abs() + 1.0f) +
     ts::logaddexp2(x, x * 2.0f))
        .sum()
        .backward();
    return x.grad().to(ts::Device::cpu());
  };
  const uint64_t before = vk::host_fallbacks(vk::PlanKind::Elementwise);
  const ts::Tensor<float> on_gpu = grads(kGpu);
  CHECK(vk::host_fallbacks(vk::PlanKind::Elementwise) == before);
  CHECK(ts::allclose(on_gpu, grads(ts::Device::cpu()), 1e-4, 1e-5));
  if (!float64_ok()) return;
  // float64's I1 (i0's gradient) on both sides of its series' split at 8 and up to overflow.
  const ts::Tensor<double> y0 = ts::linspace<double>(-720.0, 720.0, 1001);
  const auto i1 = [&](ts::Device d) {
    auto y = y0.to(d).detach().requires_grad_();
    ts::i0(y).sum().backward();
    return y.grad().to(ts::Device::cpu());
  };
  const ts::Tensor<double> i1_gpu = i1(kGpu);
  CHECK(vk::host_fallbacks(vk::PlanKind::Elementwise) == before);
  CHECK(ts::allclose(i1_gpu, i1(ts::Device::cpu()), 1e-13, 0.0, true));
}

/** x with the same shape and values but strided: kind 1 transposed in memory, kind 2 every
 *  other element of a wider tensor. */
template <class T>
ts::Tensor<T> strided_copy(const ts::Tensor<T>& x, int kind) {
  const int64_t nd = x.dim();
  if (kind == 1 && nd >= 2) return x.transpose(0, nd - 1).contiguous().transpose(0, nd - 1);
  if (kind == 2 && nd >= 1) {
    ts::Shape wide = x.sizes();
    wide[nd - 1] *= 2;
    ts::Tensor<T> v = ts::zeros<T>(wide, {.device = x.device()}).slice(nd - 1, 0, std::nullopt, 2);
    v.copy_(x);
    return v;
  }
  return x;
}

/** f(a, b) on the CPU and the GPU, with b broadcasting against a, and in place on a view. */
template <class T>
ts::Tensor<T> without_negative_zero(const ts::Tensor<T>& t) {
  ts::Tensor<T> c = t.clone();
  if constexpr (ts::is_floating_v<T>) {
    T* p = c.data_ptr();
    for (int64_t i = 0; i < c.numel(); ++i)
      if (td::convert<double>(p[i]) == 0) p[i] = T(0);
  }
  return c;
}

template <class F, class A, class B>
void check_binary(const char* name, F&& f, const ts::Tensor<A>& a_in, const ts::Tensor<B>& b_in, double tol = 0) {
  // No -0.0 operands: the CPU's vector loop turns a broadcast -0.0 into +0.0 (vector_steps starts
  // it from a zero vector), where IEEE arithmetic and the GPU keep its sign.
  const ts::Tensor<A> a = without_negative_zero(a_in);
  const ts::Tensor<B> b = without_negative_zero(b_in);
  const ts::Tensor<A> ga = a.to(kGpu);
  const ts::Tensor<B> gb = b.to(kGpu);
  const std::string what = std::string(name) + " on " + std::string(ts::dtype_name(ts::dtype_of<A>)) + " and " +
                           std::string(ts::dtype_name(ts::dtype_of<B>));
  for (int kind = 0; kind < 3; ++kind)
    require_same(f(strided_copy(a, kind), strided_copy(b, 2 - kind)), f(strided_copy(ga, kind), strided_copy(gb, 2 - kind)),
                 what, true, tol);
}

TEST_CASE("vulkan kernels: binary ops and comparisons, every dtype, broadcasting, scalars, in place") {
  if (!have_device()) return;
  std::mt19937_64 rng(5);
  for_each_dtype([&](auto tag) {
    using T = typename decltype(tag)::type;
    if (is_f64<T> && !float64_ok()) return;
    for (int trial = 0; trial < 3; ++trial) {
      const ts::Shape shape = random_shape(rng);
      const ts::Tensor<T> a = random_tensor<T>(shape, rng);
      const ts::Tensor<T> b = random_tensor<T>(broadcast_partner(shape, rng), rng);
      const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Elementwise);
      check_binary("add", [](const auto& x, const auto& y) { return x + y; }, a, b);
      check_binary("mul", [](const auto& x, const auto& y) { return x * y; }, a, b);
      check_binary("minimum", [](const auto& x, const auto& y) { return ts::minimum(x, y); }, a, b);
      check_binary("maximum", [](const auto& x, const auto& y) { return ts::maximum(x, y); }, a, b);
      check_binary("eq", [](const auto& x, const auto& y) { return ts::eq(x, y); }, a, b);
      check_binary("ne", [](const auto& x, const auto& y) { return ts::ne(x, y); }, a, b);
      check_binary("lt", [](const auto& x, const auto& y) { return ts::lt(x, y); }, a, b);
      check_binary("le", [](const auto& x, const auto& y) { return ts::le(x, y); }, a, b);
      check_binary("gt", [](const auto& x, const auto& y) { return ts::gt(x, y); }, a, b);
      check_binary("ge", [](const auto& x, const auto& y) { return ts::ge(x, y); }, a, b);
      check_binary("logical_and", [](const auto& x, const auto& y) { return ts::logical_and(x, y); }, a, b);
      check_binary("logical_or", [](const auto& x, const auto& y) { return ts::logical_or(x, y); }, a, b);
      check_binary("div", [](const auto& x, const auto& y) { return x / y; }, a, b);
      check_binary("gt scalar", [](const auto& x, const auto&) { return ts::gt(x, 3); }, a, b);
      check_binary("eq scalar", [](const auto& x, const auto&) { return ts::eq(x, 1); }, a, b);
      if constexpr (!std::is_same_v<T, bool>) {
        const ts::Tensor<T> nz = nonzero_tensor<T>(b.sizes(), rng);
        check_binary("sub", [](const auto& x, const auto& y) { return x - y; }, a, b);
        check_binary("remainder", [](const auto& x, const auto& y) { return ts::remainder(x, y); }, a, nz);
        check_binary("fmod", [](const auto& x, const auto& y) { return ts::fmod(x, y); }, a, nz);
        check_binary("floor_divide", [](const auto& x, const auto& y) { return ts::floor_divide(x, y); }, a, nz);
        check_binary("div floor", [](const auto& x, const auto& y) { return ts::div(x, y, "floor"); }, a, nz);
        check_binary("div trunc", [](const auto& x, const auto& y) { return ts::div(x, y, "trunc"); }, a, nz);
        check_binary("div trunc scalar", [](const auto& x, const auto&) { return ts::div(x, -3, "trunc"); }, a, nz);
        check_binary("add scalar", [](const auto& x, const auto&) { return x + 3; }, a, b);
        check_binary("scalar sub", [](const auto& x, const auto&) { return 2 - x; }, a, b);
        check_binary("mul scalar", [](const auto& x, const auto&) { return x * 5; }, a, b);
        check_binary("div scalar", [](const auto& x, const auto&) { return x / 3; }, a, b);
        check_binary("scalar div", [](const auto& x, const auto&) { return 7 / x; }, a, nz);
        check_binary("remainder scalar", [](const auto& x, const auto&) { return ts::remainder(x, 3); }, a, b);
        check_binary("lt fractional scalar", [](const auto& x, const auto&) { return ts::lt(x, 2.5); }, a, b);
        check_binary("add_ on a view", [](const auto& x, const auto& y) {
          auto c = x.clone();
          c.add_(y);
          return c;
        }, a, b);
        check_binary("mul_ of a transposed view", [](const auto& x, const auto&) {
          auto c = x.clone();
          if (c.dim() >= 2) c.transpose(0, c.dim() - 1).mul_(3);
          return c;
        }, a, b);
      }
      CHECK(vk::host_fallbacks(vk::PlanKind::Elementwise) == fallbacks);  // float64 fmod too: in integers
      if constexpr (!std::is_same_v<T, bool>) {
        const ts::Tensor<T> small = tame_tensor<T>(shape, rng);
        const ts::Tensor<T> expo = td::convert<double>(T(1)) == 1 ? tame_tensor<T>(b.sizes(), rng) : b;
        check_binary("pow", [](const auto& x, const auto& y) { return ts::pow(x, y); }, small, expo,
                     std::is_integral_v<T> ? 0 : (is_f64<T> ? approx_tol<double> : std::is_same_v<T, ts::bfloat16> ? 1e-2 : std::is_same_v<T, ts::half> ? 2e-3 : 1e-5));
      }
      // The binary ops of ops/pointwise.hpp that have GPU kernels: atan2, hypot, logaddexp,
      // logaddexp2 and xlogy are approximations there, copysign and nextafter are exact.
      const uint64_t pointwise_before = vk::host_fallbacks(vk::PlanKind::Elementwise);
      constexpr double tol = approx_tol<T>;
      check_binary("atan2", [](const auto& x, const auto& y) { return ts::atan2(x, y); }, a, b, tol);
      check_binary("copysign scalar", [](const auto& x, const auto&) { return ts::copysign(x, -1.0); }, a, b);
      check_binary("copysign", [](const auto& x, const auto& y) { return ts::copysign(x, y); }, a, b);
      if constexpr (ts::is_floating_v<T>) {
        check_binary("hypot", [](const auto& x, const auto& y) { return ts::hypot(x, y); }, a, b, tol);
        check_binary("logaddexp", [](const auto& x, const auto& y) { return ts::logaddexp(x, y); }, a, b, tol);
        check_binary("logaddexp2", [](const auto& x, const auto& y) { return ts::logaddexp2(x, y); }, a, b, tol);
        if constexpr (!std::is_same_v<T, ts::half>)  // PyTorch's CPU has no half nextafter
          check_binary("nextafter", [](const auto& x, const auto& y) { return ts::nextafter(x, y); }, a, b);
      }
      check_binary("xlogy", [](const auto& x, const auto& y) { return ts::xlogy(x, y); }, a, b, tol);
      check_binary("heaviside", [](const auto& x, const auto& y) { return ts::heaviside(x, y); }, a, b);
      if constexpr (!ts::is_floating_v<T>) {
        check_binary("bitwise_xor", [](const auto& x, const auto& y) { return x ^ y; }, a, b);
        check_binary("bitwise_and", [](const auto& x, const auto& y) { return x & y; }, a, b);
        check_binary("bitwise_or", [](const auto& x, const auto& y) { return x | y; }, a, b);
        check_binary("bitwise_and scalar", [](const auto& x, const auto&) { return x & 6; }, a, b);
      }
      if constexpr (!ts::is_floating_v<T> && !std::is_same_v<T, bool>) {
        check_binary("gcd", [](const auto& x, const auto& y) { return ts::gcd(x, y); }, a, b);
        check_binary("lcm", [](const auto& x, const auto& y) { return ts::lcm(x, y); }, a, b);
        // Counts past the width and negative counts (Note [Shift counts]).
        check_binary("bitwise_left_shift", [](const auto& x, const auto& y) { return ts::bitwise_left_shift(x, y); }, a, b);
        check_binary("bitwise_right_shift", [](const auto& x, const auto& y) { return ts::bitwise_right_shift(x, y); }, a, b);
        check_binary("shift scalar", [](const auto& x, const auto&) { return ts::bitwise_left_shift(x, 3); }, a, b);
        // The most negative value is its own absolute value (int8: gcd(-128, 6) is -2).
        constexpr T lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
        const ts::Tensor<T> edge_a = ts::tensor<T>({lo, lo, T(-1), T(0), T(7), hi, lo});
        const ts::Tensor<T> edge_b = ts::tensor<T>({T(6), T(-1), lo, T(0), T(-21), T(hi - 1), lo});
        check_binary("gcd at the edges", [](const auto& x, const auto& y) { return ts::gcd(x, y); }, edge_a, edge_b);
        check_binary("lcm at the edges", [](const auto& x, const auto& y) { return ts::lcm(x, y); }, edge_a, edge_b);
      }
      CHECK(vk::host_fallbacks(vk::PlanKind::Elementwise) == pointwise_before);
    }
  });
  // Mixed dtypes: promotion, true division of integers, comparisons across types.
  for (int trial = 0; trial < 3; ++trial) {
    const ts::Shape shape = random_shape(rng);
    const ts::Shape other = broadcast_partner(shape, rng);
    auto pair = [&](auto ta, auto tb) {
      using A = typename decltype(ta)::type;
      using B = typename decltype(tb)::type;
      if ((is_f64<A> || is_f64<B>) && !float64_ok()) return;
      const ts::Tensor<A> a = random_tensor<A>(shape, rng);
      const ts::Tensor<B> b = random_tensor<B>(other, rng);
      check_binary("add", [](const auto& x, const auto& y) { return x + y; }, a, b);
      check_binary("div", [](const auto& x, const auto& y) { return x / y; }, a, b);
      check_binary("lt", [](const auto& x, const auto& y) { return ts::lt(x, y); }, a, b);
      check_binary("eq", [](const auto& x, const auto& y) { return ts::eq(x, y); }, a, b);
      check_binary("maximum", [](const auto& x, const auto& y) { return ts::maximum(x, y); }, a, b);
    };
    pair(std::type_identity<int32_t>{}, std::type_identity<float>{});
    pair(std::type_identity<uint8_t>{}, std::type_identity<int8_t>{});
    pair(std::type_identity<ts::half>{}, std::type_identity<ts::bfloat16>{});
    pair(std::type_identity<bool>{}, std::type_identity<int64_t>{});
    pair(std::type_identity<ts::half>{}, std::type_identity<float>{});
    pair(std::type_identity<int64_t>{}, std::type_identity<double>{});
    pair(std::type_identity<int16_t>{}, std::type_identity<ts::half>{});
  }
}

/** igamma or igammac (`upper`) of a and x on the GPU (`got`) against the CPU's (`want`), element
 *  by element (a and x broadcast to their shape): within 2^-p (128 + 16 C) of the value the
 *  element's region computes directly (P below x = a + 1, Q beyond: Note [Incomplete gamma on the
 *  GPU]), p the compute type's precision (24 for float, half and bfloat16, 53 for double) and
 *  C = |a log x| + x + |lgamma| (of 1 + a in the series, of a beyond), the cancellation in their
 *  prefactor; 128 ulps cover float lgamma's absolute error of about 2^-18, the GPU's exp. Plus an
 *  ulp of T and, below float's normal range, a GPU's flush of subnormals. Special arguments
 *  (zero, infinite, NaN, negative) give the CPU's values exactly. */
template <class T>
void require_igamma_close(const ts::Tensor<T>& a, const ts::Tensor<T>& x, bool upper, const ts::Tensor<T>& want,
                          const ts::Tensor<T>& got, const std::string& what) {
  INFO(what);
  REQUIRE(want.sizes() == got.sizes());
  const auto values = [&](const ts::Tensor<T>& t) { return t.to(ts::Device::cpu()).expand(want.sizes()).template to<double>().to_vector(); };
  const std::vector<double> av = values(a), xv = values(x), w = values(want), g = values(got);
  const double eps = is_f64<T> ? 0x1p-53 : 0x1p-24;
  const double ulp = is_f64<T> ? 0x1p-52 : std::is_same_v<T, float> ? 0x1p-23 : std::is_same_v<T, ts::half> ? 0x1p-10 : 0x1p-7;
  const double floor = is_f64<T> ? 0x1p-1019 : std::is_same_v<T, ts::half> ? 0x1p-24 : 0x1p-123;
  for (size_t i = 0; i < w.size(); ++i) {
    const double A = av[i], X = xv[i];
    INFO((upper ? "igammac(" : "igamma(") << A << ", " << X << "): CPU " << w[i] << ", GPU " << g[i]);
    if (std::isnan(w[i]) || std::isnan(g[i])) {
      CHECK((std::isnan(w[i]) && std::isnan(g[i])));
      continue;
    }
    if (!(A > 0 && X > 0 && std::isfinite(A) && std::isfinite(X))) {
      CHECK(g[i] == w[i]);
      continue;
    }
    const bool series = X < A + 1;
    const double piece = series ? td::math::igamma(A, X) : td::math::igammac(A, X);
    const double cancellation = std::abs(A * std::log(X)) + X + std::abs(std::lgamma(series ? 1 + A : A));
    CHECK(std::abs(g[i] - w[i]) <= eps * (128 + 16 * cancellation) * piece + ulp * std::abs(w[i]) + floor);
  }
}

TEST_CASE("vulkan kernels: igamma and igammac run on the GPU, within their cancellation of the CPU's values") {
  if (!have_device()) return;
  // Every pairing of a (0, tiny, either side of lgamma1p's series at 0.2, up to 1000, infinite,
  // NaN, negative) with x (0, the small-x region up to 1.1, around a + 1, up to infinity, NaN,
  // negative), x at fractions of a and a plus a little, then random pairs across the regions.
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> shapes = {0.0, 1e-30, 1e-10, 1e-5, 1e-3, 0.05, 0.19, 0.1999, 0.2, 0.2001, 0.21, 0.5, 1.0,
                                      1.21, 1.5, 2.0, 3.7, 10.0, 30.5, 100.0, 500.0, 1000.0, inf, nan, -1.0, -0.5};
  const std::vector<double> points = {0.0, 1e-20, 1e-6, 0.01, 0.1, 0.3, 0.5, 0.7, 1.0, 1.1, 1.2, 2.0, 5.0, 10.0, 50.0,
                                      1e3, 1e4, inf, nan, -1.0};
  std::vector<double> av, xv;
  for (const double a : shapes) {
    for (const double x : points) av.push_back(a), xv.push_back(x);
    for (const double f : {0.5, 0.9, 0.99, 1.0, 1.01, 1.1, 1.5, 3.0}) av.push_back(a), xv.push_back(a * f);
    for (const double d : {-0.5, 0.5, 1.0, 1.5}) av.push_back(a), xv.push_back(a + d);
  }
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> exponent(-6, 3), factor(0, 3);
  for (int i = 0; i < 4000; ++i) {
    av.push_back(std::pow(10.0, exponent(rng)));
    xv.push_back(i % 2 ? av.back() * factor(rng) : std::pow(10.0, exponent(rng)));
  }
  const int64_t n = static_cast<int64_t>(av.size());
  const ts::Tensor<double> a64 = ts::from_vector(av, {n}), x64 = ts::from_vector(xv, {n});
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Elementwise);
  const auto run = [&](auto tag) {
    using T = typename decltype(tag)::type;
    const std::string type(ts::dtype_name(ts::dtype_of<T>));
    const ts::Tensor<T> a = a64.to<T>(), x = x64.to<T>(), ga = a.to(kGpu), gx = x.to(kGpu);
    require_igamma_close(a, x, false, ts::igamma(a, x), ts::igamma(ga, gx), "igamma on " + type);
    require_igamma_close(a, x, true, ts::igammac(a, x), ts::igammac(ga, gx), "igammac on " + type);
    // A column of shapes against a row of points, broadcast, through strided operands, and in place
    // into a transposed view.
    const ts::Tensor<T> col = ts::tensor<double>({0.0, 1e-3, 0.1999, 0.2, 0.5, 1.0, 3.7, 30.5, 1000.0, inf, nan, -1.0})
                                  .reshape({12, 1})
                                  .template to<T>();
    const ts::Tensor<T> row = ts::tensor<double>({0.0, 1e-6, 0.3, 0.5, 1.0, 1.1, 1.2, 2.0, 4.7, 31.5, 990.0, 1e4, inf, nan,
                                                  -1.0, 0.9})
                                  .template to<T>();
    for (int kind = 0; kind < 3; ++kind) {
      const ts::Tensor<T> sa = strided_copy(col, kind), sx = strided_copy(row, 2 - kind);
      const ts::Tensor<T> gsa = strided_copy(col.to(kGpu), kind), gsx = strided_copy(row.to(kGpu), 2 - kind);
      require_igamma_close(sa, sx, false, ts::igamma(sa, sx), ts::igamma(gsa, gsx), "broadcast igamma on " + type);
      require_igamma_close(sa, sx, true, ts::igammac(sa, sx), ts::igammac(gsa, gsx), "broadcast igammac on " + type);
    }
    const ts::Tensor<T> base = col.expand({12, 16}).t().contiguous();  // {16, 12}: its transpose is col's values
    for (const bool upper : {false, true}) {
      const auto in_place = [&](const ts::Tensor<T>& b, const ts::Tensor<T>& xs) {
        const ts::Tensor<T> c = b.clone();
        if (upper) c.t().igammac_(xs);
        else c.t().igamma_(xs);
        return c;
      };
      require_igamma_close(base.t(), row, upper, in_place(base, row).t(), in_place(base.to(kGpu), row.to(kGpu)).t(),
                           "in place into a transposed view on " + type);
    }
    // The gradient in x, x^(a - 1) e^-x / Gamma(a) made of elementwise ops, summed over a's column.
    const ts::Tensor<T> shape_a = ts::tensor<double>({0.5, 1.0, 2.5, 7.0}).reshape({4, 1}).template to<T>();
    const ts::Tensor<T> xs = ts::linspace<double>(0.1, 20.0, 25).template to<T>();
    for (const bool upper : {false, true}) {
      const auto grad = [&](ts::Device d) {
        const ts::Tensor<T> v = xs.to(d).detach().requires_grad_();
        (upper ? ts::igammac(shape_a.to(d), v) : ts::igamma(shape_a.to(d), v)).sum().backward();
        return v.grad().to(ts::Device::cpu());
      };
      const double rtol = is_f64<T> ? 1e-12 : std::is_same_v<T, float> ? 1e-4 : std::is_same_v<T, ts::half> ? 1e-2 : 5e-2;
      INFO((upper ? "igammac" : "igamma") << "'s gradient on " << type);
      CHECK(ts::allclose(grad(kGpu), grad(ts::Device::cpu()), rtol, rtol * 1e-2));
    }
  };
  run(std::type_identity<float>{});
  run(std::type_identity<ts::half>{});
  run(std::type_identity<ts::bfloat16>{});
  if (float64_ok()) run(std::type_identity<double>{});
  // An integer operand promotes with a floating one (computed in float); two integers are refused,
  // as on the CPU.
  const ts::Tensor<int32_t> whole = ts::tensor<int32_t>({0, 1, 2, 3, 5, 10, 100});
  const ts::Tensor<float> at = ts::tensor<float>({0.5f, 1.0f, 2.5f, 3.0f, 4.0f, 12.0f, 90.0f});
  require_igamma_close(whole.to<float>(), at, false, ts::igamma(whole, at), ts::igamma(whole.to(kGpu), at.to(kGpu)),
                       "igamma of int32 and float");
  CHECK(vk::host_fallbacks(vk::PlanKind::Elementwise) == fallbacks);
  CHECK_THROWS_WITH(ts::igamma(whole.to(kGpu), whole.to(kGpu)), Catch::Contains("igamma_cpu\" not implemented for 'Int'"));
}

TEST_CASE("vulkan kernels: where, lerp and masked_fill_") {
  if (!have_device()) return;
  std::mt19937_64 rng(6);
  for_each_dtype([&](auto tag) {
    using T = typename decltype(tag)::type;
    if (is_f64<T> && !float64_ok()) return;
    for (int trial = 0; trial < 3; ++trial) {
      const ts::Shape shape = random_shape(rng);
      const ts::Tensor<bool> cond = random_tensor<bool>(broadcast_partner(shape, rng), rng);
      const ts::Tensor<T> a = random_tensor<T>(shape, rng);
      const ts::Tensor<T> b = random_tensor<T>(broadcast_partner(shape, rng), rng);
      const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Elementwise);
      require_same(ts::where(cond, a, b), ts::where(cond.to(kGpu), a.to(kGpu), b.to(kGpu)), "where");
      const T value = random_value<T>(rng);
      const ts::Tensor<bool> mask = random_tensor<bool>(shape, rng);
      auto filled_cpu = a.clone();
      auto filled_gpu = a.to(kGpu);
      filled_cpu.masked_fill_(mask, value);
      filled_gpu.masked_fill_(mask.to(kGpu), value);
      require_same(filled_cpu, filled_gpu, "masked_fill_");
      if constexpr (ts::is_floating_v<T>) {
        const ts::Tensor<T> end = random_tensor<T>(broadcast_partner(shape, rng), rng);
        const ts::Tensor<T> weight = tame_tensor<T>(broadcast_partner(shape, rng), rng);
        // GLSL's fma may round twice where the CPU's std::fma rounds once (lavapipe's does).
        require_same(ts::lerp(a, end, weight), ts::lerp(a.to(kGpu), end.to(kGpu), weight.to(kGpu)), "lerp", true,
                     approx_tol<T>);
      }
      if (!std::is_same_v<T, int64_t>) CHECK(vk::host_fallbacks(vk::PlanKind::Elementwise) == fallbacks);
    }
  });
  // where promotes: int32 and float.
  const ts::Tensor<bool> cond = random_tensor<bool>({5, 4}, rng);
  const ts::Tensor<int32_t> a = random_tensor<int32_t>({5, 1}, rng);
  const ts::Tensor<float> b = random_tensor<float>({4}, rng);
  require_same(ts::where(cond, a, b), ts::where(cond.to(kGpu), a.to(kGpu), b.to(kGpu)), "where of int32 and float");
}

TEST_CASE("vulkan kernels: reductions, every dtype, over one, several or all dims") {
  if (!have_device()) return;
  std::mt19937_64 rng(8);
  for_each_dtype([&](auto tag) {
    using T = typename decltype(tag)::type;
    if (is_f64<T> && !float64_ok()) return;
    for (int trial = 0; trial < 4; ++trial) {
      ts::Shape shape = random_shape(rng);
      if (shape.empty()) shape.push_back(1 + static_cast<int64_t>(rng() % 300));
      const int64_t nd = static_cast<int64_t>(shape.size());
      ts::Shape dims;  // of the view below, which has the same rank
      if (trial == 1) dims = {};  // all dims
      else if (trial == 2 && nd >= 2) dims = {0, nd - 1};
      else dims = {static_cast<int64_t>(rng() % nd)};
      const bool keepdim = rng() % 2 == 0;
      const int kind = trial % 3;
      const ts::Tensor<T> base = random_tensor<T>(shape, rng);
      const ts::Tensor<T> x = random_view(base, kind), g = random_view(base.to(kGpu), kind);
      const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Reduction);
      const std::string what = std::string(ts::dtype_name(ts::dtype_of<T>)) + " shape " + td::shape_str(x.sizes());
      // Floating sums and products add in another order than the CPU: compared with a tolerance.
      constexpr double tol = std::is_same_v<T, ts::bfloat16> ? 2e-2 : std::is_same_v<T, ts::half> ? 4e-3 : 1e-4;
      const ts::Tensor<T> t = ts::is_floating_v<T> ? tame_tensor<T>(shape, rng) : x.contiguous();
      const ts::Tensor<T> gt = t.to(kGpu);
      require_same(ts::sum(t, dims, keepdim), ts::sum(gt, dims, keepdim), "sum " + what, true, ts::is_floating_v<T> ? tol : 0);
      require_same(ts::all(x, dims, keepdim), ts::all(g, dims, keepdim), "all " + what);
      require_same(ts::any(x, dims, keepdim), ts::any(g, dims, keepdim), "any " + what);
      if (base.numel() > 0) {  // an extreme of nothing is an error
        require_same(ts::amax(x, dims, keepdim), ts::amax(g, dims, keepdim), "amax " + what, true);
        require_same(ts::amin(x, dims, keepdim), ts::amin(g, dims, keepdim), "amin " + what, true);
        const int64_t dim = static_cast<int64_t>(rng() % nd);
        auto [values, indices] = ts::max(x, dim, keepdim);
        auto [gvalues, gindices] = ts::max(g, dim, keepdim);
        require_same(values, gvalues, "max values " + what, true);
        require_same(indices, gindices, "max indices " + what);
        if constexpr (!std::is_same_v<T, bool>)  // PyTorch has no argmin of bool
          require_same(ts::argmin(x, dim, keepdim), ts::argmin(g, dim, keepdim), "argmin " + what);
      }
      if constexpr (!std::is_same_v<T, bool>) {
        ts::Tensor<T> small = x.contiguous();
        if constexpr (ts::is_floating_v<T>) small = tame_tensor<T>(shape, rng) / 8;
        require_same(ts::prod(small, dims, keepdim), ts::prod(small.to(kGpu), dims, keepdim), "prod " + what, true,
                     ts::is_floating_v<T> ? tol : 0);
      }
      if constexpr (ts::is_floating_v<T>) {
        require_same(ts::mean(t, dims, keepdim), ts::mean(gt, dims, keepdim), "mean " + what, true, tol);
        require_same(ts::norm(t, 2, dims, keepdim), ts::norm(gt, 2, dims, keepdim), "norm " + what, true, tol);
      }
      CHECK(vk::host_fallbacks(vk::PlanKind::Reduction) == fallbacks);
    }
  });
}

TEST_CASE("vulkan kernels: softmax and log_softmax along every dim, through views") {
  if (!have_device()) return;
  std::mt19937_64 rng(9);
  auto run = [&](auto tag) {
    using T = typename decltype(tag)::type;
    constexpr double tol = approx_tol<T>;
    for (int trial = 0; trial < 6; ++trial) {
      ts::Shape shape = random_shape(rng);
      const ts::Tensor<T> base = tame_tensor<T>(shape, rng);
      const int kind = trial % 3;
      const ts::Tensor<T> x = random_view(base, kind), g = random_view(base.to(kGpu), kind);
      const int64_t dim = x.dim() == 0 ? 0 : static_cast<int64_t>(rng() % x.dim());
      const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Rows);
      const std::string what = std::string(ts::dtype_name(ts::dtype_of<T>)) + " shape " + td::shape_str(x.sizes());
      require_same(ts::softmax(x, dim), ts::softmax(g, dim), "softmax " + what, true, tol);
      require_same(ts::log_softmax(x, dim), ts::log_softmax(g, dim), "log_softmax " + what, true, tol);
      CHECK(vk::host_fallbacks(vk::PlanKind::Rows) == fallbacks);
    }
  };
  run(std::type_identity<float>{});
  run(std::type_identity<ts::half>{});
  run(std::type_identity<ts::bfloat16>{});
  if (float64_ok()) run(std::type_identity<double>{});  // in double, with f64math.glsl's exp and log
  // PyTorch's softmax kernels take floating tensors only, on every device
  CHECK_THROWS_WITH(ts::softmax(ts::ones<int32_t>({2, 3}).to(kGpu), 1), Catch::Contains("not implemented for 'Int'"));
}

TEST_CASE("vulkan kernels: matmul (mm and bmm), every dtype but bool, through transposed operands") {
  if (!have_device()) return;
  std::mt19937_64 rng(10);
  for_each_dtype([&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      if (is_f64<T> && !float64_ok()) return;
      constexpr double tol = std::is_same_v<T, ts::bfloat16> ? 2e-2 : std::is_same_v<T, ts::half> ? 4e-3 : 1e-4;
      for (int trial = 0; trial < 5; ++trial) {
        // The last trial spans several of the kernel's 64 x 64 blocks and 16-step tiles of k.
        const int64_t limit = trial < 4 ? 40 : 150;
        const int64_t m = 1 + static_cast<int64_t>(rng() % limit), k = static_cast<int64_t>(rng() % limit),
                      n = 1 + static_cast<int64_t>(rng() % limit);
        const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Matmul);
        auto make = [&](int64_t rows, int64_t cols) {
          return ts::is_floating_v<T> ? tame_tensor<T>({rows, cols}, rng) : random_tensor<T>({rows, cols}, rng);
        };
        const ts::Tensor<T> a = make(m, k), b = make(k, n), bt = make(n, k);
        const std::string what = std::string(ts::dtype_name(ts::dtype_of<T>)) + " " + std::to_string(m) + "x" +
                                 std::to_string(k) + "x" + std::to_string(n);
        require_same(ts::matmul(a, b), ts::matmul(a.to(kGpu), b.to(kGpu)), "mm " + what, true, ts::is_floating_v<T> ? tol : 0);
        require_same(ts::matmul(a, bt.t()), ts::matmul(a.to(kGpu), bt.to(kGpu).t()), "mm by a transposed " + what, true,
                     ts::is_floating_v<T> ? tol : 0);
        const ts::Tensor<T> x = ts::is_floating_v<T> ? tame_tensor<T>({3, m, k}, rng) : random_tensor<T>({3, m, k}, rng);
        const ts::Tensor<T> y = ts::is_floating_v<T> ? tame_tensor<T>({3, k, n}, rng) : random_tensor<T>({3, k, n}, rng);
        require_same(ts::matmul(x, y), ts::matmul(x.to(kGpu), y.to(kGpu)), "bmm " + what, true, ts::is_floating_v<T> ? tol : 0);
        CHECK(vk::host_fallbacks(vk::PlanKind::Matmul) == fallbacks);
      }
      // k == 0: zeros, filled on the device
      const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Matmul);
      const auto none = ts::matmul(ts::ones<T>({3, 0}, {.device = kGpu}), ts::ones<T>({2, 0, 4}, {.device = kGpu}));
      require_same(ts::zeros<T>({2, 3, 4}), none, "matmul with k == 0", true);
      CHECK(vk::host_fallbacks(vk::PlanKind::Matmul) == fallbacks);
    }
  });
}

TEST_CASE("vulkan kernels: matmul of more blocks or batches than a launch may have runs as several launches") {
  if (!have_device()) return;
  std::mt19937_64 rng(11);
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Matmul);
  // At most 2 groups per dimension, as 65535 on a device: 3 x 3 blocks of 64 of 5 batches, and
  // a transposed operand; mm by column and by row blocks.
  ts::gpu::detail::matmul_max_groups = 2;
  const ts::Tensor<float> x = tame_tensor<float>({5, 150, 7}, rng), y = tame_tensor<float>({5, 140, 7}, rng);
  const ts::Tensor<float> a = tame_tensor<float>({3, 1}, rng), b = tame_tensor<float>({1, 200}, rng);
  const auto bmm = ts::matmul(x.to(kGpu), y.to(kGpu).transpose(1, 2));
  const auto by_columns = ts::matmul(a.to(kGpu), b.to(kGpu)), by_rows = ts::matmul(b.to(kGpu).t(), a.to(kGpu).t());
  ts::gpu::detail::matmul_max_groups = 65535;
  require_same(ts::matmul(x, y.transpose(1, 2)), bmm, "bmm, 3 x 3 x 5 groups", true, 1e-5);
  require_same(ts::matmul(a, b), by_columns, "mm, 4 column blocks", true, 1e-5);
  require_same(ts::matmul(b.t(), a.t()), by_rows, "mm, 4 row blocks", true, 1e-5);
  CHECK(vk::host_fallbacks(vk::PlanKind::Matmul) == fallbacks);
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

}  // namespace test_vulkan_kernels
