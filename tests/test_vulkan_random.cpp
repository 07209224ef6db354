// The random family on the GPU (backend/gpu/random.hpp, glsl/random.comp) against the CPU: every
// sampler and dtype, several seeds, consecutive draws, sizes from 0 to a million, views of
// in-place samplers, randperm's sort, uniform_, bernoulli and dropout on a device treated as one
// without float64 (as Metal), compared bit for bit, and no host fallback for the samplers the GPU
// serves.
// The GLSL helpers (philox.glsl, random.glsl) are plain C++ too: they are checked against the
// CPU's Philox and Box-Muller without a device, log and sin/cos over every input they can get.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <tessera/backend/vulkan/backend.hpp>
#include <tessera/nn/functional.hpp>
#include <tessera/tessera.hpp>

#include "error_of.hpp"
#include "vulkan_device.hpp"

namespace test_vulkan_random {

namespace glsl {
// philox.glsl and random.glsl are C++ as well as GLSL: these are the GLSL built-ins they use.
using uint = uint32_t;
struct uvec2 {
  uint v[2];
  uvec2(uint a, uint b) : v{a, b} {}
  uint operator[](int i) const { return v[i]; }
};
struct uvec4 {
  uint v[4];
  uvec4(uint a, uint b, uint c, uint d) : v{a, b, c, d} {}
  uint operator[](int i) const { return v[i]; }
};
struct vec2 {
  float v[2];
  vec2(float a, float b) : v{a, b} {}
  float operator[](int i) const { return v[i]; }
};
inline int findMSB(uint x) { return x ? 31 - __builtin_clz(x) : -1; }
inline void umulExtended(uint a, uint b, uint& hi, uint& lo) {
  const uint64_t p = static_cast<uint64_t>(a) * b;
  hi = static_cast<uint>(p >> 32), lo = static_cast<uint>(p);
}
inline uint floatBitsToUint(float f) { return std::bit_cast<uint>(f); }
inline int floatBitsToInt(float f) { return std::bit_cast<int>(f); }
inline float uintBitsToFloat(uint u) { return std::bit_cast<float>(u); }
inline float intBitsToFloat(int u) { return std::bit_cast<float>(u); }
using std::sqrt;
#define precise
#define INOUT(T) T&
#define DONT_UNROLL
#include <tessera/backend/gpu/glsl/random.glsl>
#undef precise
}  // namespace glsl

namespace {

namespace vk = vulkan_test::backend;  // ts::vulkan::detail, or ts::metal::detail
namespace td = ts::detail;
using vulkan_test::have_device;
using vulkan_test::kGpu;

template <class T>
std::vector<uint64_t> bits_of(const ts::Tensor<T>& t) {
  const ts::Tensor<T> c = t.to(ts::Device::cpu()).contiguous();
  std::vector<uint64_t> out(static_cast<size_t>(c.numel()));
  const T* p = c.data_ptr();
  for (size_t i = 0; i < out.size(); ++i) {
    uint64_t b = 0;
    std::memcpy(&b, p + i, sizeof(T));
    out[i] = b;
  }
  return out;
}

/** The same bits in the same shape; names the first element that differs. */
template <class T>
void require_bits(const ts::Tensor<T>& want, const ts::Tensor<T>& got, const std::string& what) {
  INFO(what << " (" << ts::dtype_of<T> << ", " << want.numel() << " elements)");
  REQUIRE(want.sizes() == got.sizes());
  REQUIRE(got.device() == kGpu);
  const std::vector<uint64_t> a = bits_of(want), b = bits_of(got);
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) {
      INFO("element " << i << ": want bits " << std::hex << a[i] << ", got " << b[i]);
      FAIL("bits differ");
    }
  }
}

template <class F>
void for_each_float(F&& f) {
  f(std::type_identity<float>{});
  f(std::type_identity<ts::half>{});
  f(std::type_identity<ts::bfloat16>{});
  if (vk::has_float64(0)) f(std::type_identity<double>{});
}

const int64_t kSizes[] = {0, 1, 3, 5, 17, 1001, 4099};

// Sanitized builds (CI's ASan and UBSan runs, whose budget is small) check fewer values: one in
// 61 inputs of log and sin/cos instead of every one, and one million normals instead of four.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif
constexpr uint32_t kInputStride = kSanitized ? 4 * 61 : 4;

/** Makes every GPU device one without float64 while it lives (Note [Testing without float64]):
 *  lavapipe then runs what a Metal device runs. */
struct WithoutFloat64 {
  WithoutFloat64() { ts::gpu::detail::g_testing_without_float64.store(true, td::MemoryOrder::Relaxed); }
  ~WithoutFloat64() { ts::gpu::detail::g_testing_without_float64.store(false, td::MemoryOrder::Relaxed); }
  WithoutFloat64(const WithoutFloat64&) = delete;
  WithoutFloat64& operator=(const WithoutFloat64&) = delete;
};

/** The value of T next to v (> 0) towards +inf (step 1) or 0 (step -1), by its bits. */
template <class T>
T next_of(T v, int step) {
  if constexpr (std::is_same_v<T, ts::half> || std::is_same_v<T, ts::bfloat16>) {
    if (v.bits == 0 && step < 0) return v;
    return T::from_bits(static_cast<uint16_t>(v.bits + step));
  } else {
    using Bits = std::conditional_t<sizeof(T) == 8, uint64_t, uint32_t>;
    Bits b = std::bit_cast<Bits>(v);
    if (b == 0 && step < 0) return v;
    return std::bit_cast<T>(static_cast<Bits>(b + step));
  }
}

/** Probabilities at the edges of the draw that `gen` (left unchanged) makes next: element i is
 *  the double uniform u_i of that draw rounded to T, or its neighbour above or below, so that
 *  bernoulli compares u with p where one ulp decides; the last elements are 0, 1 and T's
 *  smallest subnormal. */
template <class T>
ts::Tensor<T> edge_probabilities(int64_t n, const ts::Generator& gen) {
  ts::Generator copy(gen.seed());
  copy.set_offset(gen.offset());
  const ts::Tensor<double> u = ts::rand<double>({n}, copy);
  std::vector<T> p(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    T v = td::convert<T>(u.data_ptr()[i]);
    if (td::convert<double>(v) > 1 || !(td::convert<double>(v) >= 0)) v = td::convert<T>(1.0);
    v = next_of(v, static_cast<int>(i % 3) - 1);
    if (td::convert<double>(v) > 1) v = td::convert<T>(1.0);
    p[static_cast<size_t>(i)] = v;
  }
  if (n >= 3) {
    p[static_cast<size_t>(n - 1)] = td::convert<T>(0.0);
    p[static_cast<size_t>(n - 2)] = td::convert<T>(1.0);
    p[static_cast<size_t>(n - 3)] = next_of(td::convert<T>(0.0), 1);
  }
  return ts::from_vector(p, {n});
}

}  // namespace

TEST_CASE("vulkan random: philox.glsl is ts::philox4x32_10 (checked on the CPU)") {
  std::mt19937_64 rng(11);
  for (int t = 0; t < 20000; ++t) {
    const std::array<uint32_t, 4> c = {uint32_t(rng()), uint32_t(rng()), uint32_t(rng()), uint32_t(rng())};
    const std::array<uint32_t, 2> k = {uint32_t(rng()), uint32_t(rng())};
    const std::array<uint32_t, 4> want = ts::philox4x32_10(c, k);
    const glsl::uvec4 got = glsl::philox4x32_10(glsl::uvec4(c[0], c[1], c[2], c[3]), glsl::uvec2(k[0], k[1]));
    for (int i = 0; i < 4; ++i) REQUIRE(got[i] == want[i]);
  }
  // The float variants build every value in integers or float: no float64 arithmetic (Metal).
  for (const char* name : {"random.f32", "random.f16", "random.bf16"})
    CHECK(!ts::gpu::detail::uses_float64(*ts::gpu::find_kernel(name)));
  // Random123's known answer for philox4x32_10(0, 0).
  const glsl::uvec4 zero = glsl::philox4x32_10(glsl::uvec4(0, 0, 0, 0), glsl::uvec2(0, 0));
  CHECK(zero[0] == 0x6627e8d5u);
  CHECK(zero[1] == 0xe169c58du);
  CHECK(zero[2] == 0xbc57ac4cu);
  CHECK(zero[3] == 0x9b00dbd8u);
}

TEST_CASE("vulkan random: log, sin, cos and sqrt of random.glsl match the CPU for every input (checked on the CPU)") {
  using F = float __attribute__((vector_size(16)));
  using I = int32_t __attribute__((vector_size(16)));
  // Every u1 = k 2^-24 (k = 1 .. 2^24) of Box-Muller: log, then -2 log and its square root.
  for (uint32_t k = 1; k <= (1u << 24); k += kInputStride) {
    F u;
    for (int j = 0; j < 4; ++j) u[j] = static_cast<float>(std::min(k + j, 1u << 24)) * 0x1p-24f;
    F want;
    td::log_unit<F, I>(u, want);
    for (int j = 0; j < 4; ++j) {
      const float got = glsl::log_unit(u[j]);
      if (std::bit_cast<uint32_t>(got) != std::bit_cast<uint32_t>(want[j])) {
        INFO("log of " << u[j]);
        REQUIRE(std::bit_cast<uint32_t>(got) == std::bit_cast<uint32_t>(want[j]));
      }
      REQUIRE(!(got > 0));  // so -2 log u1 is never negative
      const float l = glsl::mul_signed(got, -2.0f);
      if (std::bit_cast<uint32_t>(glsl::sqrt_rn(l)) != std::bit_cast<uint32_t>(std::sqrt(l))) {
        INFO("sqrt of " << l);
        REQUIRE(std::bit_cast<uint32_t>(glsl::sqrt_rn(l)) == std::bit_cast<uint32_t>(std::sqrt(l)));
      }
    }
  }
  // Every u2 = k 2^-24 (k = 0 .. 2^24 - 1).
  for (uint32_t k = 0; k < (1u << 24); k += kInputStride) {
    F u, s, c;
    for (int j = 0; j < 4; ++j) u[j] = static_cast<float>(k + j) * 0x1p-24f;
    td::sincos_turns<F, I>(u, s, c);
    for (int j = 0; j < 4; ++j) {
      const glsl::vec2 got = glsl::sincos_turns(u[j]);
      if (std::bit_cast<uint32_t>(got[0]) != std::bit_cast<uint32_t>(s[j]) ||
          std::bit_cast<uint32_t>(got[1]) != std::bit_cast<uint32_t>(c[j])) {
        INFO("sin and cos of 2 pi " << u[j]);
        REQUIRE(std::bit_cast<uint32_t>(got[0]) == std::bit_cast<uint32_t>(s[j]));
        REQUIRE(std::bit_cast<uint32_t>(got[1]) == std::bit_cast<uint32_t>(c[j]));
      }
    }
  }
}

TEST_CASE("vulkan random: random.glsl's samplers match the CPU's draws (checked on the CPU)") {
  for (uint64_t seed : {uint64_t{0}, uint64_t{42}, uint64_t{0x123456789abcdefull}}) {
    ts::Generator gen(seed);
    gen.set_offset(seed * 7);
    const uint64_t offset = gen.offset();
    const ts::Tensor<float> normal = ts::randn<float>({20001}, gen);
    const ts::Tensor<float> scaled = ts::randn<float>({1001}, gen);
    const uint64_t scaled_offset = offset + 5001;
    ts::Tensor<float> scaled_ref = ts::empty<float>({1001});
    {
      ts::Generator g2(seed);
      g2.set_offset(scaled_offset);
      scaled_ref.normal_(-1.25, 3.7, g2);
    }
    const ts::Tensor<double> u64 = ts::rand<double>({999}, gen);
    const uint64_t u64_offset = offset + 5001 + 251;
    const ts::Tensor<int64_t> ints = ts::randint<int64_t>(-(int64_t{1} << 62), (int64_t{1} << 62) + 1, {3001}, gen);
    const uint64_t ints_offset = u64_offset + 500;
    const ts::Tensor<float> int_floats = ts::randint<float>(-(int64_t{1} << 40), int64_t{1} << 41, {500}, gen);
    const uint64_t int_floats_offset = ints_offset + 3001;
    for (int64_t i = 0; i < normal.numel(); ++i) {
      const glsl::uvec4 w = glsl::random_block(seed, offset, static_cast<uint32_t>(i / 4), 0);
      const int p = static_cast<int>(i % 4) / 2;
      const glsl::vec2 z = glsl::box_muller(w[2 * p], w[2 * p + 1]);
      REQUIRE(std::bit_cast<uint32_t>(z[static_cast<int>(i % 2)]) == std::bit_cast<uint32_t>(normal.data_ptr()[i]));
    }
    for (int64_t i = 0; i < scaled_ref.numel(); ++i) {
      const glsl::uvec4 w = glsl::random_block(seed, scaled_offset, static_cast<uint32_t>(i / 4), 0);
      const int p = static_cast<int>(i % 4) / 2;
      const glsl::vec2 z = glsl::box_muller(w[2 * p], w[2 * p + 1]);
      const uint32_t got = glsl::soft_f32_bits(glsl::soft_from_f32_bits(std::bit_cast<uint32_t>(z[static_cast<int>(i % 2)])),
                                               std::bit_cast<uint64_t>(-1.25), std::bit_cast<uint64_t>(3.7), SOFT_SCALED_NORMAL);
      REQUIRE(got == std::bit_cast<uint32_t>(scaled_ref.data_ptr()[i]));
    }
    for (int64_t i = 0; i < u64.numel(); ++i) {
      const glsl::uvec4 w = glsl::random_block(seed, u64_offset, static_cast<uint32_t>(i / 2), 0);
      const int k = static_cast<int>(i % 2);
      REQUIRE(glsl::uniform_f64_bits(w[2 * k], w[2 * k + 1]) == std::bit_cast<uint64_t>(u64.data_ptr()[i]));
    }
    const uint64_t range = (uint64_t{1} << 63) + 1;  // about half of the halves are rejected
    for (int64_t i = 0; i < ints.numel(); ++i) {
      const uint64_t r = glsl::bounded_u64(seed, ints_offset, static_cast<uint32_t>(i), range, (0 - range) % range);
      REQUIRE(static_cast<int64_t>(r - (uint64_t{1} << 62)) == ints.data_ptr()[i]);
    }
    const uint64_t frange = (uint64_t{1} << 41) + (uint64_t{1} << 40);
    for (int64_t i = 0; i < int_floats.numel(); ++i) {
      const uint64_t r = glsl::bounded_u64(seed, int_floats_offset, static_cast<uint32_t>(i), frange, (0 - frange) % frange);
      const uint32_t got = glsl::soft_f32_bits(glsl::soft_from_int64(r - (uint64_t{1} << 40)), 0, 0, SOFT_INT64);
      REQUIRE(got == std::bit_cast<uint32_t>(int_floats.data_ptr()[i]));
    }
  }
}

TEST_CASE("vulkan random: bernoulli's integer threshold and uniform_'s soft double are the CPU's (checked on the CPU)") {
  // u = k 2^-53 < p exactly when k < ceil(p 2^53) (Note [Bernoulli in integers]), for p of every
  // floating type: random values, subnormals, and k on both sides of each threshold.
  std::mt19937_64 rng(5);
  const auto check = [](glsl::Soft soft, double p) {
    const uint64_t t = glsl::bernoulli_threshold(soft);
    REQUIRE(t <= (uint64_t{1} << 53));
    for (int64_t d = -2; d <= 2; ++d) {
      const int64_t k = static_cast<int64_t>(t) + d;
      if (k < 0 || k >= (int64_t{1} << 53)) continue;
      INFO("p = " << p << ", k = " << k);
      REQUIRE((static_cast<double>(k) * 0x1p-53 < p) == (k < static_cast<int64_t>(t)));
    }
  };
  for (int t = 0; t < 200000; ++t) {
    const uint64_t r = rng();
    const double pd = std::ldexp(static_cast<double>(r >> 11), -53 - static_cast<int>(rng() % 1100));
    check(glsl::soft_from_f64_bits(std::bit_cast<uint64_t>(pd)), pd);
    const float pf = std::ldexp(static_cast<float>(r >> 40), -24 - static_cast<int>(rng() % 140));
    check(glsl::soft_from_f32_bits(std::bit_cast<uint32_t>(pf)), pf);
  }
  for (uint32_t h = 0; h <= 0x3c00u; ++h) {  // every half and bfloat16 in [0, 1]
    check(glsl::soft_from_f16_bits(h), td::convert<double>(ts::half::from_bits(static_cast<uint16_t>(h))));
  }
  for (uint32_t h = 0; h <= 0x3f80u; ++h) check(glsl::soft_from_f32_bits(h << 16), std::bit_cast<float>(h << 16));
  for (double p : {0.0, -0.0, 1.0, 0.5, 0x1p-53, 0x1p-54, 0x1.8p-53, 1 - 0x1p-53, 1 - 0x1p-54, 4.9e-324})
    check(glsl::soft_from_f64_bits(std::bit_cast<uint64_t>(p)), p);
  // uniform_(from, to) in double: from + (to - from) * u with the product rounded first.
  const double ends[][2] = {{-2.5, 4.0}, {0, 1e-300}, {-1e308, 7e307}, {3, 3}, {-0.0, 0.0}, {0.0, -0.0},
                            {1e-320, 3e-320}, {-7.25, -7.0}, {0.1, 0.30000000000000004}, {-1, 1e16}};
  for (const auto& [from, to] : ends) {
    const double span = to - from;
    for (int t = 0; t < 20000; ++t) {
      const uint64_t k = t < 3 ? (t == 0 ? 0 : t == 1 ? 1 : (uint64_t{1} << 53) - 1) : rng() >> 11;
      volatile double scaled = static_cast<double>(k) * 0x1p-53 * span;
      const double want = from + scaled;
      const uint64_t got = glsl::uniform_range_f64_bits(k, std::bit_cast<uint64_t>(from), std::bit_cast<uint64_t>(span));
      INFO("from " << from << ", to " << to << ", k " << k);
      REQUIRE(got == std::bit_cast<uint64_t>(want));
    }
  }
}

TEST_CASE("vulkan random: rand, randn and randint equal the CPU's bits, every dtype, seed and size") {
  if (!have_device()) return;
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Random);
  for (uint64_t seed : {uint64_t{0}, uint64_t{7}, ts::Generator::kDefaultSeed, uint64_t{0xfedcba9876543210ull}}) {
    ts::Generator cpu(seed), gpu(seed);
    for (int64_t n : kSizes) {
      const ts::Shape shape = n % 2 ? ts::Shape{n} : ts::Shape{2, n / 2};
      // Consecutive draws: each starts where the last ended, on both generators.
      for_each_float([&](auto tag) {
        using T = typename decltype(tag)::type;
        require_bits(ts::rand<T>(shape, cpu), ts::rand<T>(shape, gpu, {.device = kGpu}), "rand");
        require_bits(ts::randn<T>(shape, cpu), ts::randn<T>(shape, gpu, {.device = kGpu}), "randn");
        require_bits(ts::randint<T>(-100, 100, shape, cpu), ts::randint<T>(-100, 100, shape, gpu, {.device = kGpu}),
                     "randint");
      });
      require_bits(ts::randint<int64_t>(-(int64_t{1} << 62), (int64_t{1} << 62) + 1, shape, cpu),
                   ts::randint<int64_t>(-(int64_t{1} << 62), (int64_t{1} << 62) + 1, shape, gpu, {.device = kGpu}),
                   "randint with rejections");
      require_bits(ts::randint<int64_t>(INT64_MIN, INT64_MAX, shape, cpu),
                   ts::randint<int64_t>(INT64_MIN, INT64_MAX, shape, gpu, {.device = kGpu}), "randint, widest range");
      require_bits(ts::randint<int32_t>(-5, 1 << 30, shape, cpu), ts::randint<int32_t>(-5, 1 << 30, shape, gpu, {.device = kGpu}),
                   "randint");
      require_bits(ts::randint<int16_t>(-300, 301, shape, cpu), ts::randint<int16_t>(-300, 301, shape, gpu, {.device = kGpu}),
                   "randint");
      require_bits(ts::randint<int8_t>(-128, 128, shape, cpu), ts::randint<int8_t>(-128, 128, shape, gpu, {.device = kGpu}),
                   "randint");
      require_bits(ts::randint<uint8_t>(3, 256, shape, cpu), ts::randint<uint8_t>(3, 256, shape, gpu, {.device = kGpu}),
                   "randint");
      require_bits(ts::randint<bool>(0, 2, shape, cpu), ts::randint<bool>(0, 2, shape, gpu, {.device = kGpu}), "randint");
      require_bits(ts::randint<float>(-(int64_t{1} << 40), int64_t{1} << 41, shape, cpu),
                   ts::randint<float>(-(int64_t{1} << 40), int64_t{1} << 41, shape, gpu, {.device = kGpu}),
                   "randint, float rounding");
      require_bits(ts::randint<ts::half>(-60000, 60000, shape, cpu),
                   ts::randint<ts::half>(-60000, 60000, shape, gpu, {.device = kGpu}), "randint, half rounding");
      REQUIRE(cpu.get_state() == gpu.get_state());
    }
  }
  CHECK(vk::host_fallbacks(vk::PlanKind::Random) == fallbacks);
}

TEST_CASE("vulkan random: a million samples of each sampler equal the CPU's bits") {
  if (!have_device()) return;
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Random);
  ts::Generator cpu(2024), gpu(2024);
  cpu.set_offset(uint64_t{1} << 33), gpu.set_offset(uint64_t{1} << 33);  // counters past 32 bits
  const int64_t n = 1000003;
  require_bits(ts::randn<float>({n}, cpu), ts::randn<float>({n}, gpu, {.device = kGpu}), "randn");
  if (!kSanitized) require_bits(ts::randn<float>({3 * n}, cpu), ts::randn<float>({3 * n}, gpu, {.device = kGpu}), "randn");
  require_bits(ts::randn<ts::bfloat16>({n}, cpu), ts::randn<ts::bfloat16>({n}, gpu, {.device = kGpu}), "randn");
  require_bits(ts::rand<float>({n}, cpu), ts::rand<float>({n}, gpu, {.device = kGpu}), "rand");
  require_bits(ts::rand<ts::half>({n}, cpu), ts::rand<ts::half>({n}, gpu, {.device = kGpu}), "rand");
  require_bits(ts::randint<int64_t>(-7, 1000, {n}, cpu), ts::randint<int64_t>(-7, 1000, {n}, gpu, {.device = kGpu}),
               "randint");
  ts::Tensor<float> cpu_scaled = ts::empty<float>({n}), gpu_scaled = ts::empty<float>({n}, {.device = kGpu});
  cpu_scaled.normal_(0.5, 1e-3, cpu);
  gpu_scaled.normal_(0.5, 1e-3, gpu);
  require_bits(cpu_scaled, gpu_scaled, "normal_");
  if (vk::has_float64(0))
    require_bits(ts::rand<double>({n}, cpu), ts::rand<double>({n}, gpu, {.device = kGpu}), "rand");
  CHECK(vk::host_fallbacks(vk::PlanKind::Random) == fallbacks);
}

TEST_CASE("vulkan random: uniform_ and normal_ of views, bernoulli and dropout equal the CPU's bits") {
  if (!have_device()) return;
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Random);
  ts::Generator cpu(99), gpu(99);
  for_each_float([&](auto tag) {
    using T = typename decltype(tag)::type;
    for (int64_t rows : {int64_t{0}, int64_t{1}, int64_t{5}, int64_t{37}}) {
      ts::Tensor<T> c = ts::zeros<T>({rows, 9}), g = ts::zeros<T>({rows, 9}, {.device = kGpu});
      // In-place samplers into a transposed view and a strided slice: the rest stays zero.
      c.t().uniform_(-2.5, 4.0, cpu);
      g.t().uniform_(-2.5, 4.0, gpu);
      require_bits(c, g, "uniform_ of a transposed view");
      c.t().uniform_(0, 1, cpu);
      g.t().uniform_(0, 1, gpu);
      require_bits(c, g, "uniform_(0, 1) of a transposed view");
      c.slice(1, 0, 9, 2).normal_(1.5, 0.25, cpu);
      g.slice(1, 0, 9, 2).normal_(1.5, 0.25, gpu);
      require_bits(c, g, "normal_ of a slice");
      c.t().normal_(0, 1, cpu);
      g.t().normal_(0, 1, gpu);
      require_bits(c, g, "normal_(0, 1) of a transposed view");
      c.t().normal_(-3e5, 7e-3, cpu);
      g.t().normal_(-3e5, 7e-3, gpu);
      require_bits(c, g, "normal_ with a large mean");
      // bernoulli compares a double uniform with p; p of 0 and 1 are exact.
      ts::Generator data(static_cast<uint64_t>(rows));  // the inputs, drawn apart
      ts::Tensor<T> p = ts::rand<T>({rows, 9}, data);
      p.view({-1}).slice(0, 0, std::min<int64_t>(rows * 9, 3)).fill_(T(0));
      ts::Tensor<T> gp = p.to(kGpu);
      require_bits(ts::bernoulli(p, cpu), ts::bernoulli(gp, gpu), "bernoulli");
      ts::Tensor<T> x = ts::randn<T>({rows, 9}, data);
      ts::Tensor<T> gx = x.to(kGpu);
      require_bits(ts::nn::functional::dropout(x, 0.3, true, cpu), ts::nn::functional::dropout(gx, 0.3, true, gpu),
                   "dropout");
      REQUIRE(cpu.get_state() == gpu.get_state());
    }
  });
  CHECK(vk::host_fallbacks(vk::PlanKind::Random) == fallbacks);
}

TEST_CASE("vulkan random: dropout's gradient on the GPU is the CPU's") {
  if (!have_device()) return;
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Random);
  ts::Generator cpu(3), gpu(3), data(4);
  const ts::Tensor<float> x = ts::randn<float>({33, 7}, data).requires_grad_(true);
  const ts::Tensor<float> gx = x.detach().to(kGpu).requires_grad_(true);
  ts::Tensor<float> y = ts::nn::functional::dropout(x, 0.4, true, cpu);
  ts::Tensor<float> gy = ts::nn::functional::dropout(gx, 0.4, true, gpu);
  require_bits(y.detach(), gy.detach(), "dropout");
  (y * y).sum().backward();
  (gy * gy).sum().backward();
  require_bits(x.grad(), gx.grad(), "dropout's gradient");
  ts::Tensor<float> r = ts::rand<float>({4, 5}, gpu, {.device = kGpu, .requires_grad = true});
  CHECK(r.requires_grad());
  CHECK(vk::host_fallbacks(vk::PlanKind::Random) == fallbacks);
}

TEST_CASE("vulkan random: only Philox plans of the GPU's samplers are drawn there") {
  namespace gd = ts::gpu::detail;
  CHECK(gd::is_philox_plan(td::RandomPlan{.op = "uniform"}));
  CHECK(gd::is_philox_plan(td::RandomPlan{.op = "normal"}));
  CHECK(gd::is_philox_plan(td::RandomPlan{.op = "randint"}));
  CHECK(gd::is_philox_plan(td::RandomPlan{.op = "randperm"}));
  CHECK(gd::is_philox_plan(td::RandomPlan{.op = "bernoulli"}));
  CHECK(gd::is_philox_plan(td::RandomPlan{.op = "exponential"}));
  CHECK(!gd::is_philox_plan(td::RandomPlan{.op = "multinomial"}));
  // A plan naming another generator algorithm (Note [GPU random streams]) stays on the host.
  struct OtherPlan {
    const char* op;
    int algorithm;
  };
  CHECK(gd::is_philox_plan(OtherPlan{"uniform", 0}));
  CHECK(!gd::is_philox_plan(OtherPlan{"uniform", 1}));
}

TEST_CASE("vulkan random: randperm on the GPU is the CPU's, and advances the generator as the CPU does") {
  if (!have_device()) return;
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Random);
  const int64_t sizes[] = {0, 1, 2, 3, 17, 255, 256, 257, 1000, 4099, kSanitized ? 5000 : 70001};
  for (uint64_t seed : {uint64_t{0}, uint64_t{5}, ts::Generator::kDefaultSeed, uint64_t{0xfedcba9876543210ull}}) {
    ts::Generator cpu(seed), gpu(seed);
    cpu.set_offset(seed % 1000), gpu.set_offset(seed % 1000);
    for (int64_t n : sizes) {
      INFO("seed " << seed << ", n " << n);
      require_bits(ts::randperm(n, cpu), ts::randperm(n, gpu, {.device = kGpu}), "randperm");
      REQUIRE(cpu.get_state() == gpu.get_state());
      // The next draw starts where randperm's blocks end, on both.
      require_bits(ts::rand<float>({5}, cpu), ts::rand<float>({5}, gpu, {.device = kGpu}), "rand after randperm");
    }
  }
  // Into a view: out= of a slice (written at its storage offset, the rest kept).
  ts::Generator cpu(9), gpu(9);
  ts::Tensor<int64_t> buf = ts::full<int64_t>({20}, -1), gbuf = ts::full<int64_t>({20}, -1, {.device = kGpu});
  buf.slice(0, 3, 16).copy_(ts::randperm(13, cpu));
  gbuf.slice(0, 3, 16).copy_(ts::randperm(13, gpu, {.device = kGpu}));
  require_bits(buf, gbuf, "randperm copied into a slice");
  // Ties of the 64-bit keys cannot be produced on purpose; the pairs' order breaks them by
  // index (a total order), which the network's padding (INT64_MAX, i >= n) relies on.
  CHECK(vk::host_fallbacks(vk::PlanKind::Random) == fallbacks);
}

TEST_CASE("vulkan random: multinomial, extreme normal_, cauchy_, log_normal_, geometric_, poisson and binomial draw on "
          "the host, with the CPU's values") {
  if (!have_device()) return;
  ts::Generator cpu(5), gpu(5);
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Random);
  ts::Tensor<float> c = ts::empty<float>({7}), g = ts::empty<float>({7}, {.device = kGpu});
  c.normal_(1e305, 1e300, cpu);  // beyond 2^1000: the host rounds the overflowing doubles
  g.normal_(1e305, 1e300, gpu);
  require_bits(c, g, "normal_ of huge values");
  CHECK(vk::host_fallbacks(vk::PlanKind::Random) == fallbacks + 1);
  const ts::Tensor<float> w = ts::rand<float>({3, 10}, cpu);
  const ts::Tensor<float> gw = ts::rand<float>({3, 10}, gpu, {.device = kGpu});
  require_bits(ts::multinomial(w, 4, true, cpu), ts::multinomial(gw, 4, true, gpu), "multinomial");
  REQUIRE(cpu.get_state() == gpu.get_state());
  // random_ is a randint plan on the GPU.
  ts::Tensor<int32_t> r = ts::empty<int32_t>({33}), gr = ts::empty<int32_t>({33}, {.device = kGpu});
  r.random_(-4, 100, cpu);
  gr.random_(-4, 100, gpu);
  require_bits(r, gr, "random_");
  REQUIRE(cpu.get_state() == gpu.get_state());
  // cauchy_, log_normal_ and geometric_ are drawn on the host and copied.
  ts::Tensor<float> s = ts::empty<float>({5, 3}), gs = ts::empty<float>({5, 3}, {.device = kGpu});
  require_bits(s.cauchy_(1, 2, cpu), gs.cauchy_(1, 2, gpu), "cauchy_");
  require_bits(s.t().log_normal_(0, 0.5, cpu), gs.t().log_normal_(0, 0.5, gpu), "log_normal_");
  require_bits(r.geometric_(0.3, cpu), gr.geometric_(0.3, gpu), "geometric_");
  CHECK(gs.device() == kGpu);
  REQUIRE(cpu.get_state() == gpu.get_state());
  // so is poisson, on the rates' device
  const ts::Tensor<float> rates = ts::arange<float>(0, 24).reshape({4, 6}) * 1.5f;
  const ts::Tensor<float> drawn = ts::poisson(rates.to(kGpu).t(), gpu);
  CHECK(drawn.device() == kGpu);
  require_bits(ts::poisson(rates.t(), cpu), drawn, "poisson");
  REQUIRE(cpu.get_state() == gpu.get_state());
  const ts::Tensor<float> chance = ts::full<float>({6}, 0.35f);
  require_bits(ts::binomial(rates, chance, cpu), ts::binomial(rates.to(kGpu), chance.to(kGpu), gpu), "binomial");
  REQUIRE(cpu.get_state() == gpu.get_state());
}

// Note [Testing without float64]: with the flag set, lavapipe refuses every float64 variant, as a
// Metal device does, and these samplers must still run on the GPU with the CPU's bits.
TEST_CASE("vulkan random: uniform_, bernoulli and dropout without float64 equal the CPU's bits") {
  if (!have_device()) return;
  WithoutFloat64 no_float64;
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Random);
  // The switch works: a float64 kernel is refused, as on Metal.
  const ts::Tensor<float> f = ts::ones<float>({3}, {.device = kGpu});
  const std::string refused = error_of([&] { (void)f.to<double>(); });
  CHECK(refused.find("is not supported on ") != std::string::npos);
  CHECK(refused.find("has no float64 arithmetic") != std::string::npos);
  const double ends[][2] = {{-2.5, 4.0}, {0, 1}, {-0.0, 1}, {0, 1e-30}, {-1.7e38, 1.7e38}, {3, 3}, {-0.0, 0.0},
                            {0.0, -0.0}, {1e-40, 3e-40}, {-7.25, -7.0}, {0.1, 0.3}, {-1, 1e16}, {-32752, 32752}};
  for (uint64_t seed : {uint64_t{1}, uint64_t{77}, ts::Generator::kDefaultSeed}) {
    ts::Generator cpu(seed), gpu(seed);
    for (int64_t rows : {int64_t{0}, int64_t{1}, int64_t{5}, int64_t{37}, int64_t{301}}) {
      auto run = [&](auto tag) {
        using T = typename decltype(tag)::type;
        for (const auto& [from, to] : ends) {
          const double max = td::largest_finite<T>();
          if (std::abs(from) > max || std::abs(to) > max || to - from > max) continue;
          ts::Tensor<T> c = ts::zeros<T>({rows, 9}), g = ts::zeros<T>({rows, 9}, {.device = kGpu});
          c.t().uniform_(from, to, cpu);
          g.t().uniform_(from, to, gpu);
          INFO("uniform_(" << from << ", " << to << ")");
          require_bits(c, g, "uniform_ of a transposed view, without float64");
        }
        // bernoulli of probabilities that sit one ulp from the uniforms they meet.
        const ts::Tensor<T> p = edge_probabilities<T>(rows * 9, cpu).view({rows, 9});
        require_bits(ts::bernoulli(p, cpu), ts::bernoulli(p.to(kGpu), gpu), "bernoulli at the edges, without float64");
        const ts::Tensor<T> pt = edge_probabilities<T>(rows * 9, cpu).view({9, rows}).t();  // not contiguous
        require_bits(ts::bernoulli(pt, cpu), ts::bernoulli(pt.to(kGpu), gpu), "bernoulli of a transposed p");
        // A scalar p equal to the next draw's first uniform, and one ulp above it: 0 then 1.
        for (int above = 0; above < 2; ++above) {
          ts::Generator next(cpu.seed());
          next.set_offset(cpu.offset());
          const double u0 = ts::rand<double>({1}, next).item();
          const double q = above ? std::nextafter(u0, 2.0) : u0;
          ts::Tensor<T> c = ts::zeros<T>({3}), g = ts::zeros<T>({3}, {.device = kGpu});
          c.bernoulli_(q, cpu);
          g.bernoulli_(q, gpu);
          CHECK(td::convert<double>(c.data_ptr()[0]) == above);
          require_bits(c, g, "bernoulli_ at the edge, without float64");
        }
        for (double q : {0.0, 1.0, 0.3, 0x1p-53, 1 - 0x1p-53, 1e-300, 0.5}) {
          ts::Tensor<T> c = ts::zeros<T>({rows, 9}), g = ts::zeros<T>({rows, 9}, {.device = kGpu});
          c.slice(1, 1, 9, 3).bernoulli_(q, cpu);
          g.slice(1, 1, 9, 3).bernoulli_(q, gpu);
          INFO("bernoulli_(" << q << ")");
          require_bits(c, g, "bernoulli_ of a slice, without float64");
        }
        ts::Generator data(seed + static_cast<uint64_t>(rows));
        const ts::Tensor<T> x = ts::randn<T>({rows, 9}, data);
        for (double q : {0.1, 0.5, 0.9}) {
          require_bits(ts::nn::functional::dropout(x, q, true, cpu), ts::nn::functional::dropout(x.to(kGpu), q, true, gpu),
                       "dropout, without float64");
        }
        REQUIRE(cpu.get_state() == gpu.get_state());
      };
      run(std::type_identity<float>{});
      run(std::type_identity<ts::half>{});
      run(std::type_identity<ts::bfloat16>{});
      // bernoulli_ writes any type: its scalar threshold needs no float.
      ts::Tensor<int32_t> ci = ts::zeros<int32_t>({rows, 9}), gi = ts::zeros<int32_t>({rows, 9}, {.device = kGpu});
      ci.bernoulli_(0.25, cpu);
      gi.bernoulli_(0.25, gpu);
      require_bits(ci, gi, "bernoulli_ into int32");
      ts::Tensor<bool> cb = ts::zeros<bool>({rows, 9}), gb = ts::zeros<bool>({rows, 9}, {.device = kGpu});
      cb.bernoulli_(0.75, cpu);
      gb.bernoulli_(0.75, gpu);
      require_bits(cb, gb, "bernoulli_ into bool");
      ts::Tensor<int64_t> cl = ts::zeros<int64_t>({rows}), gl = ts::zeros<int64_t>({rows}, {.device = kGpu});
      cl.bernoulli_(0.5, cpu);
      gl.bernoulli_(0.5, gpu);
      require_bits(cl, gl, "bernoulli_ into int64");
    }
  }
  CHECK(vk::host_fallbacks(vk::PlanKind::Random) == fallbacks);
  // float64 draws stay on the host there (random.f64 is Vulkan only), with the CPU's values.
  ts::Generator cpu(3), gpu(3);
  const ts::Tensor<double> pd = ts::rand<double>({41}, cpu);
  const ts::Tensor<double> gpd = ts::rand<double>({41}, gpu, {.device = kGpu});
  require_bits(pd, gpd, "rand<double> without float64");
  require_bits(ts::bernoulli(pd, cpu), ts::bernoulli(gpd, gpu), "bernoulli<double> without float64");
  CHECK(vk::host_fallbacks(vk::PlanKind::Random) == fallbacks + 2);
  // Exponential draws compute in double: without float64 the host draws them, with its bits.
  ts::Tensor<float> e = ts::empty<float>({2, 9}), ge = ts::empty<float>({2, 9}, {.device = kGpu});
  e.exponential_(2.5, cpu);
  ge.exponential_(2.5, gpu);
  require_bits(e, ge, "exponential_ without float64");
  CHECK(vk::host_fallbacks(vk::PlanKind::Random) == fallbacks + 3);
}

TEST_CASE("vulkan random: exponential_ and float64 normals equal the CPU's bits (f64math in double on both)") {
  if (!have_device() || !vk::has_float64(0)) return;
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Random);
  const int64_t n = kSanitized ? 20001 : 200001;
  for (uint64_t seed : {uint64_t{1}, uint64_t{0xfedcba9876543210ull}}) {
    ts::Generator cpu(seed), gpu(seed);
    for_each_float([&](auto tag) {
      using T = typename decltype(tag)::type;
      for (double lambd : {1.0, 2.5, 1e-3}) {
        ts::Tensor<T> c = ts::empty<T>({n}), g = ts::empty<T>({n}, {.device = kGpu});
        c.exponential_(lambd, cpu);
        g.exponential_(lambd, gpu);
        require_bits(c, g, "exponential_");
      }
      REQUIRE(cpu.get_state() == gpu.get_state());
    });
    require_bits(ts::randn<double>({n}, cpu), ts::randn<double>({n}, gpu, {.device = kGpu}), "randn<double>");
    ts::Tensor<double> c = ts::empty<double>({3, 7}), g = ts::empty<double>({3, 7}, {.device = kGpu});
    c.normal_(-4.0, 0.25, cpu);
    g.normal_(-4.0, 0.25, gpu);
    require_bits(c, g, "normal_<double>");
    REQUIRE(cpu.get_state() == gpu.get_state());
  }
  CHECK(vk::host_fallbacks(vk::PlanKind::Random) == fallbacks);
}

TEST_CASE("vulkan random: uniform_, bernoulli and dropout with float64 run on the GPU, float64 too") {
  if (!have_device() || !vk::has_float64(0)) return;
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Random);
  ts::Generator cpu(12), gpu(12);
  for (int64_t n : {int64_t{1}, int64_t{2}, int64_t{9}, int64_t{1001}}) {
    for (const auto& [from, to] : {std::pair{-2.5, 4.0}, {-1e308, 7e307}, {1e-320, 3e-320}, {0.1, 0.3}, {0.0, -0.0}}) {
      ts::Tensor<double> c = ts::zeros<double>({n}), g = ts::zeros<double>({n}, {.device = kGpu});
      c.uniform_(from, to, cpu);
      g.uniform_(from, to, gpu);
      require_bits(c, g, "uniform_ in double");
    }
    const ts::Tensor<double> p = edge_probabilities<double>(n, cpu);
    require_bits(ts::bernoulli(p, cpu), ts::bernoulli(p.to(kGpu), gpu), "bernoulli<double> at the edges");
    const ts::Tensor<float> pf = edge_probabilities<float>(n, cpu);
    require_bits(ts::bernoulli(pf, cpu), ts::bernoulli(pf.to(kGpu), gpu), "bernoulli<float> at the edges");
    REQUIRE(cpu.get_state() == gpu.get_state());
  }
  CHECK(vk::host_fallbacks(vk::PlanKind::Random) == fallbacks);
}

}  // namespace test_vulkan_random
