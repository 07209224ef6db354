// The vector forms of the elementwise ops (backend/cpu/vectorized.hpp: vec_exp, vec_tanh, and
// the ops' own vec members) against the scalar formula (libm) on edge values, at every SIMD width
// this processor has.

#include <catch2/catch.hpp>
#include <tessera/tessera.hpp>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <vector>

namespace test_vectorized {

namespace {

namespace d = ts::detail;

/** Forces the SIMD level for one scope (Note [SIMD dispatch]: simd_level_cap). */
struct SimdCap {
  explicit SimdCap(d::SimdLevel level) { d::simd_level_cap().store(static_cast<int>(level), d::MemoryOrder::Relaxed); }
  ~SimdCap() { d::simd_level_cap().store(-1, d::MemoryOrder::Relaxed); }
  SimdCap(const SimdCap&) = delete;
  SimdCap& operator=(const SimdCap&) = delete;
};

/** The levels this processor runs, narrowest first. */
std::vector<d::SimdLevel> levels() {
  std::vector<d::SimdLevel> out;
  for (int l = 0; l <= static_cast<int>(d::detected_simd_level()); ++l) out.push_back(static_cast<d::SimdLevel>(l));
  return out;
}

const char* level_name(d::SimdLevel l) {
  return l == d::SimdLevel::AVX512 ? "AVX-512" : l == d::SimdLevel::AVX2 ? "AVX2" : "SSE2";
}

/** Floats in the order of their bits: adjacent floats differ by 1, and -0 and +0 are equal. */
int64_t ordered(float x) {
  int32_t i;
  std::memcpy(&i, &x, sizeof i);
  return i < 0 ? -static_cast<int64_t>(i & 0x7fffffff) : i;
}

// Note [Vector math edges]
// A vector function agrees with its scalar reference when NaN gives NaN, an infinite or zero
// reference is matched exactly (sign included: exp(-inf) is 0, not the smallest subnormal), and
// any other result is finite and within `ulps` units in the last place (counted through the
// subnormals, so a subnormal result is judged on its absolute error).
bool agrees(float got, float want, int ulps) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want) || want == 0) return std::memcmp(&got, &want, sizeof got) == 0;
  if (!std::isfinite(got) || std::signbit(got) != std::signbit(want)) return false;
  const int64_t diff = ordered(got) - ordered(want);
  return (diff < 0 ? -diff : diff) <= ulps;
}

/** Every edge of float: zeros, subnormals, the normal range's ends, infinities, NaNs, and the
 *  floats around each threshold of exp and tanh (overflow, underflow to subnormal and to 0,
 *  the polynomial's switch at |x| = 0.625, tanh's saturation), plus a sweep of the whole range. */
std::vector<float> edge_values() {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> v = {0.0f, -0.0f, std::numeric_limits<float>::denorm_min(), -std::numeric_limits<float>::denorm_min(),
                          1e-40f, -1e-40f, FLT_MIN, -FLT_MIN, FLT_EPSILON, 0.5f, -0.5f, 1.0f, -1.0f, 2.0f, 10.0f, -10.0f,
                          1e10f, -1e10f, 1e30f, -1e30f, FLT_MAX, -FLT_MAX, inf, -inf, nan, -nan};
  const float thresholds[] = {88.72283935546875f,  // exp overflows just above
                              -87.33654475f,       // exp reaches FLT_MIN
                              -103.278929903f,     // exp reaches the smallest subnormal
                              -103.972077084f,     // exp rounds to 0 below
                              0.625f, -0.625f,     // tanh switches formula
                              9.01091334f,         // tanh rounds to 1
                              44.3614196f,         // exp(2x) overflows inside tanh
                              -44.3614196f, 20.0f};
  for (float t : thresholds) {
    float lo = t, hi = t;
    for (int k = 0; k < 8; ++k) {
      v.push_back(lo), v.push_back(hi);
      lo = std::nextafter(lo, -inf), hi = std::nextafter(hi, inf);
    }
  }
  for (int k = -1500; k <= 1500; ++k) v.push_back(static_cast<float>(k) * 0.0737f);  // -110.55 .. 110.55
  for (int e = -149; e <= 127; ++e) v.push_back(std::ldexp(1.37f, e)), v.push_back(-std::ldexp(1.37f, e));
  for (uint32_t k = 0; k < 200000; ++k) {  // bit patterns spread over every exponent and sign
    const uint32_t bits = k * 2654435761u;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    v.push_back(f);
  }
  return v;
}

struct VecExp {
  template <class V> static void vec(V& r, const V& x) { d::vec_exp(r, x); }
};
struct VecTanh {
  template <class V> static void vec(V& r, const V& x) { d::vec_tanh(r, x); }
};

/** out = Op's vector form over xs (one run: every element goes through whole vectors). */
template <class Op, size_t N>
std::vector<float> vector_form(const std::vector<float>& a, const std::vector<float>& b) {
  std::vector<float> out(a.size());
  if constexpr (N == 1) d::vector_run<float, 1, Op>(out.data(), {a.data()}, {false}, static_cast<int64_t>(a.size()));
  else d::vector_run<float, 2, Op>(out.data(), {a.data(), b.data()}, {false, false}, static_cast<int64_t>(a.size()));
  return out;
}

template <class Op, size_t N, class Ref>
void check_table(const char* name, int ulps, const std::vector<float>& a, const std::vector<float>& b, Ref ref) {
  for (const d::SimdLevel level : levels()) {
    const SimdCap cap(level);
    const std::vector<float> got = vector_form<Op, N>(a, b);
    int failures = 0;
    for (size_t i = 0; i < a.size() && failures < 5; ++i) {
      const float want = N == 1 ? ref(a[i], 0.0f) : ref(a[i], b[i]);
      if (agrees(got[i], want, ulps)) continue;
      ++failures;
      std::ostringstream args;
      args << std::hexfloat << a[i];
      if (N == 2) args << ", " << b[i];
      FAIL_CHECK(name << " at " << level_name(level) << " of " << args.str() << " gives " << std::hexfloat << got[i]
                      << ", the scalar formula " << want << std::defaultfloat);
    }
    CHECK(failures == 0);
  }
}

}  // namespace

TEST_CASE("vector exp and tanh agree with libm on every edge, at every SIMD width", "[vectorized]") {
  // Note [Vector math edges]: within 2 ulp (Cephes' polynomials), exact at every special value.
  const std::vector<float> x = edge_values();
  check_table<VecExp, 1>("vec_exp", 2, x, x, [](float v, float) { return std::exp(v); });
  check_table<VecTanh, 1>("vec_tanh", 2, x, x, [](float v, float) { return std::tanh(v); });
  // through the ops' vector forms too
  check_table<d::ExpOp, 1>("exp", 2, x, x, [](float v, float) { return std::exp(v); });
  check_table<d::TanhOp, 1>("tanh", 2, x, x, [](float v, float) { return std::tanh(v); });
}

TEST_CASE("exact vector ops give libm's and IEEE's bits on every edge, at every SIMD width", "[vectorized]") {
  const std::vector<float> x = edge_values();
  std::vector<float> y(x.rbegin(), x.rend());  // every edge against another
  if constexpr (ts::detail::VectorOp<d::SqrtOp, ts::detail::VecOf<float, 16>::type, 1>)
    check_table<d::SqrtOp, 1>("sqrt", 0, x, y, [](float v, float) { return std::sqrt(v); });
  check_table<d::ReluOp, 1>("relu", 0, x, y, [](float v, float) { return d::math::relu(v); });
  check_table<d::AddOp, 2>("add", 0, x, y, [](float a, float b) { return a + b; });
  check_table<d::SubOp, 2>("sub", 0, x, y, [](float a, float b) { return a - b; });
  check_table<d::MulOp, 2>("mul", 0, x, y, [](float a, float b) { return a * b; });
  check_table<d::DivOp, 2>("div", 0, x, y, [](float a, float b) { return a / b; });
  check_table<d::ThresholdBackwardOp, 2>("threshold_backward", 0, x, y, [](float a, float b) { return b <= 0 ? 0.0f : a; });
}

TEST_CASE("logsumexp and softmax of -inf rows are PyTorch's", "[vectorized]") {
  // torch 1.13: torch.tensor([-inf, -inf]).logsumexp(0) is -inf, exp(-inf) is 0
  const float inf = std::numeric_limits<float>::infinity();
  for (const d::SimdLevel level : levels()) {
    const SimdCap cap(level);
    INFO(level_name(level));
    CHECK(ts::tensor({-inf}).exp().item() == 0.0f);
    CHECK(ts::full({40}, -inf).exp().sum().item() == 0.0f);
    CHECK(ts::full({40}, -inf).logsumexp(0).item() == -inf);
    CHECK(ts::tensor({-inf, 0.0f}).logsumexp(0).item() == 0.0f);
    CHECK(ts::full({40}, -1000.0f).exp().sum().item() == 0.0f);
    CHECK(ts::full({40}, -inf).tanh().sum().item() == -40.0f);
  }
}

}  // namespace test_vectorized
