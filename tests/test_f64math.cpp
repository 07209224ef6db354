// backend/cpu/f64math.hpp (glsl/f64math.glsl as C++): tessera's float64 log, sin and cos,
// which the CPU and GPUs share for float64 random draws, against the C library's on wide ranges
// of inputs: every result within one ulp, nearly all the same bits, special values exact.

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <tessera/backend/cpu/f64math.hpp>

namespace test_f64math {

namespace {

namespace fm = tessera::detail::f64math;

/** Representable doubles between a and b (0: the same bits). */
uint64_t ulps_apart(double a, double b) {
  const auto ordered = [](double v) {
    const int64_t i = std::bit_cast<int64_t>(v);
    return i < 0 ? std::numeric_limits<int64_t>::min() - i : i;
  };
  const int64_t x = ordered(a), y = ordered(b);
  return x > y ? static_cast<uint64_t>(x) - static_cast<uint64_t>(y) : static_cast<uint64_t>(y) - static_cast<uint64_t>(x);
}

/** Inputs: `count` of sign * 2^e * m with e uniform in [lo_exp, hi_exp) (and the edges). */
std::vector<double> inputs(int lo_exp, int hi_exp, bool negative, size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> xs;
  for (size_t i = 0; i < count; ++i) {
    const double m = 1.0 + static_cast<double>(rng() >> 11) * 0x1p-53;
    const int e = lo_exp + static_cast<int>(rng() % static_cast<uint64_t>(hi_exp - lo_exp));
    const double x = std::ldexp(m, e);
    xs.push_back(negative && (rng() & 1) ? -x : x);
  }
  return xs;
}

/** f against libm's g on xs: at most one ulp apart everywhere, the same bits for `min_exact`. */
void compare(const char* name, const std::function<double(double)>& f, const std::function<double(double)>& g,
             const std::vector<double>& xs, double min_exact = 0.99) {
  INFO(name);
  size_t exact = 0;
  for (double x : xs) {
    const double got = f(x), want = g(x);
    if (std::isnan(want)) {
      INFO("x = " << x);
      REQUIRE(std::isnan(got));
      ++exact;
      continue;
    }
    const uint64_t d = ulps_apart(got, want);
    if (d > 1) {
      INFO("x = " << x << ": got " << got << ", want " << want);
      FAIL(d << " ulps apart");
    }
    exact += d == 0;
  }
  INFO(exact << " of " << xs.size() << " the same bits");
  CHECK(static_cast<double>(exact) >= min_exact * static_cast<double>(xs.size()));
}

const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kTiny = std::numeric_limits<double>::denorm_min();

}  // namespace

TEST_CASE("f64math: log against the C library", "[f64math]") {
  std::vector<double> xs = inputs(-1074, 1024, false, 200000, 2);
  const std::vector<double> near_one = inputs(-60, 1, true, 100000, 3);
  for (double v : near_one) xs.push_back(1.0 + v);
  for (double x : {0.0, -0.0, 1.0, -1.0, kTiny, 3 * kTiny, 0x1p-1022, kInf, -kInf, kNaN, 0.7071067811865476, 1.4142135623730951})
    xs.push_back(x);
  compare("log", fm::f64_log, [](double x) { return std::log(x); }, xs);
}

TEST_CASE("f64math: sin and cos against the C library, up to 2^19 pi / 2", "[f64math]") {
  std::vector<double> xs = inputs(-40, 20, true, 200000, 5);
  for (double x : {0.0, -0.0, 1.5707963267948966, 3.141592653589793, 6.283185307179586, 1e-310}) xs.push_back(x);
  const auto sin = [](double x) { double s, c; fm::f64_sincos(x, s, c); return s; };
  const auto cos = [](double x) { double s, c; fm::f64_sincos(x, s, c); return c; };
  compare("sin", sin, [](double x) { return std::sin(x); }, xs, 0.97);
  compare("cos", cos, [](double x) { return std::cos(x); }, xs, 0.97);
}

}  // namespace test_f64math
