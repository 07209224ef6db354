// backend/cpu/f64math.hpp (glsl/f64math.glsl as C++): tessera's float64 exp, log, sin, cos and
// their relatives, which GPUs compute float64 elementwise ops with and the CPU and GPUs share for
// float64 random draws, against the C library's on wide ranges of inputs: log, exp, sin and cos
// within one ulp and mostly its bits, the others within two or three; special values exact.

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <tessera/backend/cpu/f64math.hpp>
#include <tessera/backend/cpu/special.hpp>

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

/** f against libm's g on xs: at most `max_ulps` apart everywhere, the same bits for the share
 *  `min_exact` of them. */
void compare(const char* name, const std::function<double(double)>& f, const std::function<double(double)>& g,
             const std::vector<double>& xs, double min_exact = 0.99, uint64_t max_ulps = 1) {
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
    if (d > max_ulps) {
      INFO("x = " << x << ": got " << got << ", want " << want);
      FAIL(d << " ulps apart");
    }
    exact += d == 0;
  }
  INFO(exact << " of " << xs.size() << " the same bits");
  CHECK(static_cast<double>(exact) >= min_exact * static_cast<double>(xs.size()));
}

/** f against libm's g on the pairs (xs[i], ys[i]), as compare. */
void compare2(const char* name, const std::function<double(double, double)>& f, const std::function<double(double, double)>& g,
              const std::vector<double>& xs, const std::vector<double>& ys, double min_exact, uint64_t max_ulps) {
  INFO(name);
  size_t exact = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const double got = f(xs[i], ys[i]), want = g(xs[i], ys[i]);
    INFO("(" << xs[i] << ", " << ys[i] << "): got " << got << ", want " << want);
    if (std::isnan(want)) {
      REQUIRE(std::isnan(got));
      ++exact;
      continue;
    }
    const uint64_t d = ulps_apart(got, want);
    if (d > max_ulps) FAIL(d << " ulps apart");
    exact += d == 0;
  }
  INFO(exact << " of " << xs.size() << " the same bits");
  CHECK(static_cast<double>(exact) >= min_exact * static_cast<double>(xs.size()));
}

const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kTiny = std::numeric_limits<double>::denorm_min();

}  // namespace

TEST_CASE("f64math: exp, exp2, expm1, the hyperbolic functions and their inverses against the C library", "[f64math]") {
  std::vector<double> xs = inputs(-60, 10, true, 200000, 1);
  for (double x : {0.0, -0.0, 1.0, -1.0, 709.78, 709.79, 710.47, 710.48, -745.1, -745.2, -708.4, 1e-300, 22.0, 21.99,
                   0.34657359027997264, kInf, -kInf, kNaN})
    xs.push_back(x);
  compare("exp", fm::f64_exp, [](double x) { return std::exp(x); }, xs, 0.97);
  compare("exp2", fm::f64_exp2, [](double x) { return std::exp2(x); }, xs, 0.97);
  compare("expm1", fm::f64_expm1, [](double x) { return std::expm1(x); }, xs, 0.97);
  compare("tanh", fm::f64_tanh, [](double x) { return std::tanh(x); }, xs, 0.9, 3);
  compare("sinh", fm::f64_sinh, [](double x) { return std::sinh(x); }, xs, 0.9, 2);
  compare("cosh", fm::f64_cosh, [](double x) { return std::cosh(x); }, xs, 0.9, 2);
  compare("asinh", fm::f64_asinh, [](double x) { return std::asinh(x); }, xs, 0.9, 3);
  std::vector<double> ones = inputs(-60, 20, false, 100000, 8);
  for (double& v : ones) v += 1.0;
  for (double x : {1.0, 0.5, 2.0, 268435456.0, 1e300, kInf, kNaN}) ones.push_back(x);
  compare("acosh", fm::f64_acosh, [](double x) { return std::acosh(x); }, ones, 0.9, 3);
  std::vector<double> unit = inputs(-60, 0, true, 100000, 9);
  for (double x : {1.0, -1.0, 0.5, -0.5, 0.0, -0.0, 1.5, kNaN}) unit.push_back(x);
  compare("atanh", fm::f64_atanh, [](double x) { return std::atanh(x); }, unit, 0.9, 3);
  for (double x : {-1074.0, -1074.5, -1075.0, -1030.3, 1023.9, 1024.0})
    CHECK(ulps_apart(fm::f64_exp2(x), std::exp2(x)) <= 1);
}

TEST_CASE("f64math: log, log2, log10 and log1p against the C library", "[f64math]") {
  std::vector<double> xs = inputs(-1074, 1024, false, 200000, 2);
  const std::vector<double> near_one = inputs(-60, 1, true, 100000, 3);
  for (double v : near_one) xs.push_back(1.0 + v);
  for (double x : {0.0, -0.0, 1.0, -1.0, kTiny, 3 * kTiny, 0x1p-1022, kInf, -kInf, kNaN, 0.7071067811865476, 1.4142135623730951})
    xs.push_back(x);
  compare("log", fm::f64_log, [](double x) { return std::log(x); }, xs);
  compare("log2", fm::f64_log2, [](double x) { return std::log2(x); }, xs, 0.9, 2);
  compare("log10", fm::f64_log10, [](double x) { return std::log10(x); }, xs, 0.9, 2);
  std::vector<double> ys = inputs(-1074, 1024, true, 100000, 4);
  for (double v : near_one) ys.push_back(v);
  for (double x : {-1.0, -1.5, -0.2928932188134524, 0.41421356237309503, kTiny, -0.0}) ys.push_back(x);
  compare("log1p", fm::f64_log1p, [](double x) { return std::log1p(x); }, ys, 0.9, 2);
}

TEST_CASE("f64math: pow against the C library, special cases exactly", "[f64math]") {
  // Within two ulps for exponents up to 64; beyond, the log's last rounding grows with y: within
  // a relative 1e-14 for any y that keeps the result finite and nonzero.
  std::mt19937_64 rng(6);
  const std::vector<double> bases = inputs(-1074, 1024, true, 100000, 7);
  std::uniform_real_distribution<double> unit(-1, 1);
  size_t exact = 0, n = 0;
  for (double x : bases) {
    const double l = std::log2(std::abs(x));
    for (const bool moderate : {true, false}) {
      double y = unit(rng) * (moderate ? 64 : (l == 0 ? 50 : 1100 / std::abs(l)));
      if (rng() % 3 == 0) y = std::round(y);  // integers, for negative bases
      const double got = fm::f64_pow(x, y), want = std::pow(x, y);
      INFO("pow(" << x << ", " << y << "): got " << got << ", want " << want);
      if (std::isnan(want)) {
        REQUIRE(std::isnan(got));
        continue;
      }
      if (moderate) {
        REQUIRE(ulps_apart(got, want) <= 2);
        exact += ulps_apart(got, want) == 0;
        ++n;
      } else if (std::isfinite(want) && want != 0 && std::abs(want) >= 0x1p-1022) {
        REQUIRE(std::abs(got - want) <= 1e-14 * std::abs(want));
      } else {
        REQUIRE(ulps_apart(got, want) <= 2);  // overflow, underflow, subnormal results
      }
    }
  }
  INFO(exact << " of " << n << " the same bits");
  CHECK(exact >= n * 95 / 100);
  const double specials[] = {0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0, 2.5, kInf, -kInf, kNaN, kTiny, 1e308, -1e308};
  for (double x : specials)
    for (double y : specials) {
      const double got = fm::f64_pow(x, y), want = std::pow(x, y);
      INFO("pow(" << x << ", " << y << "): got " << got << ", want " << want);
      if (std::isnan(want)) CHECK(std::isnan(got));
      else CHECK((ulps_apart(got, want) <= 1 && std::signbit(got) == std::signbit(want)));
    }
}

TEST_CASE("f64math: sin, cos and tan of every magnitude against the C library", "[f64math]") {
  // Payne-Hanek's reduction beyond 2^19, down to the doubles nearest a multiple of pi / 2
  std::vector<double> xs = inputs(-30, 1024, true, 200000, 10);
  for (double x : {524287.99999999994, 524288.0, 823549.6, 1e22, 0x1p1023, std::numeric_limits<double>::max(),
                   1.5707963267948966, kTiny, 1e-310})
    xs.push_back(x);
  compare("sin", fm::f64_sin, [](double x) { return std::sin(x); }, xs, 0.97);
  compare("cos", fm::f64_cos, [](double x) { return std::cos(x); }, xs, 0.97);
  compare("tan", fm::f64_tan, [](double x) { return std::tan(x); }, xs, 0.95);
  // The double nearest a multiple of pi / 2 (x mod pi / 2 = 4.687e-19): the values rounded from
  // an exact reduction (glibc's cos and tan are 8 ulps off there)
  const double hard = 0x1.6ac5b262ca1ffp+849;
  CHECK(fm::f64_sin(hard) == 1.0);
  CHECK(fm::f64_cos(hard) == -4.687165924254628e-19);
  CHECK(fm::f64_tan(hard) == -2.133485385753704e+18);
  CHECK(fm::f64_cos(-hard) == -4.687165924254628e-19);
  using Fn = double (*)(double);
  const std::pair<Fn, Fn> functions[] = {{fm::f64_sin, [](double v) { return std::sin(v); }},
                                         {fm::f64_cos, [](double v) { return std::cos(v); }},
                                         {fm::f64_tan, [](double v) { return std::tan(v); }}};
  for (double x : {0.0, -0.0, kInf, -kInf, kNaN, kTiny, -kTiny})
    for (const auto& [f, g] : functions) {  // signed zeros, NaN for infinities
      INFO("x = " << x);
      const double got = f(x), want = g(x);
      if (std::isnan(want)) CHECK(std::isnan(got));
      else CHECK(std::bit_cast<uint64_t>(got) == std::bit_cast<uint64_t>(want));
    }
  // sinc as math::sinc: sin(pi x) / (pi x) with pi x rounded first
  std::vector<double> ss = inputs(-1074, 1024, true, 100000, 11);
  for (double x : {0.0, -0.0, 0.5, 1.0, -1.0, 1e300, kInf, kNaN}) ss.push_back(x);
  compare("sinc", fm::f64_sinc, [](double x) { return x == 0 ? 1.0 : std::sin(3.141592653589793 * x) / (3.141592653589793 * x); },
          ss, 0.95, 2);
}

TEST_CASE("f64math: atan, atan2, asin, acos and hypot against the C library", "[f64math]") {
  std::vector<double> xs = inputs(-60, 80, true, 200000, 12);
  for (double x : {0.0, -0.0, kTiny, 0x1p-27, 0.4375, 0.6875, 1.1875, 2.4375, -2.4375, 1.0, -1.0, 1e300, kInf, -kInf, kNaN})
    xs.push_back(x);
  compare("atan", fm::f64_atan, [](double x) { return std::atan(x); }, xs, 0.95, 1);
  std::vector<double> unit = inputs(-60, 0, true, 200000, 13);
  for (double x : {0.0, -0.0, kTiny, 0.5, -0.5, 0.975, 1.0, -1.0, 1.0 - 0x1p-53, -1.0 + 0x1p-53, 1.5, -kInf, kNaN})
    unit.push_back(x);
  compare("asin", fm::f64_asin, [](double x) { return std::asin(x); }, unit, 0.95, 1);
  compare("acos", fm::f64_acos, [](double x) { return std::acos(x); }, unit, 0.95, 1);
  // atan2 and hypot on pairs of every magnitude, of near magnitudes, and of the special values
  const std::vector<double> wide = inputs(-1074, 1024, true, 100000, 14), near = inputs(-3, 3, true, 100000, 15);
  std::vector<double> ys = wide, zs(wide.rbegin(), wide.rend());
  for (size_t i = 0; i < near.size(); ++i) ys.push_back(near[i]), zs.push_back(near[near.size() - 1 - i]);
  const double specials[] = {0.0, -0.0, 1.0, -1.0, 0.5, kTiny, -kTiny, 1e300, -1e-300, 0x1p1023, kInf, -kInf, kNaN};
  for (double y : specials)
    for (double x : specials) ys.push_back(y), zs.push_back(x);
  compare2("atan2", fm::f64_atan2, [](double y, double x) { return std::atan2(y, x); }, ys, zs, 0.7, 1);
  compare2("hypot", fm::f64_hypot, [](double x, double y) { return std::hypot(x, y); }, ys, zs, 0.95, 1);
  for (double y : specials)
    for (double x : specials) {
      INFO("atan2(" << y << ", " << x << ")");
      if (!std::isnan(x) && !std::isnan(y)) CHECK(std::signbit(fm::f64_atan2(y, x)) == std::signbit(std::atan2(y, x)));
    }
  CHECK(std::signbit(fm::f64_atan(-0.0)));
  CHECK(std::signbit(fm::f64_asin(-0.0)));
}

TEST_CASE("f64math: erf and erfc against the C library", "[f64math]") {
  std::vector<double> xs = inputs(-60, 5, true, 200000, 16);
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> wide(-28, 28);
  for (int i = 0; i < 200000; ++i) xs.push_back(wide(rng));
  for (double x : {0.0, -0.0, kTiny, -kTiny, 1e-310, 0.5, -0.5, 0.49999999999999994, 1.0, -1.0, 2.0, 4.0, -4.0, 6.0, 26.5,
                   27.2, 27.3, kInf, -kInf, kNaN})
    xs.push_back(x);
  compare("erf", fm::f64_erf, [](double x) { return std::erf(x); }, xs, 0.9, 2);
  compare("erfc", fm::f64_erfc, [](double x) { return std::erfc(x); }, xs, 0.5, 4);
  CHECK(std::signbit(fm::f64_erf(-0.0)));
}

TEST_CASE("f64math: lgamma against the C library, digamma as math::digamma", "[f64math]") {
  // lgamma within four ulps for positive x, its zeros 1 and 2 too; for negative x the reflection's
  // difference is accurate absolutely near its zeros: within 2^-49 (1 + |want|).
  std::vector<double> xs = inputs(-1074, 1024, true, 100000, 18);
  std::mt19937_64 rng(19);
  std::uniform_real_distribution<double> near(-30, 30);
  for (int i = 0; i < 200000; ++i) xs.push_back(near(rng));
  for (double x : {0.0, -0.0, 1.0, 2.0, -1.0, -2.5, 0.5, 9.999999999999998, 10.0, 1e-300, kTiny, -kTiny, 2.5e305, 2.6e305,
                   0x1p52, -0x1p52 + 0.5, kInf, -kInf, kNaN})
    xs.push_back(x);
  for (double x : xs) {
    const double got = fm::f64_lgamma(x), want = std::lgamma(x);
    INFO("lgamma(" << x << "): got " << got << ", want " << want);
    if (std::isnan(want)) CHECK(std::isnan(got));
    else if (x > 0 || std::isinf(want)) REQUIRE(ulps_apart(got, want) <= 4);
    else REQUIRE(std::abs(got - want) <= 0x1p-49 * (1 + std::abs(want)));
  }
  for (double x : xs) {
    const double got = fm::f64_digamma(x), want = tessera::detail::math::digamma(x);
    INFO("digamma(" << x << "): got " << got << ", want " << want);
    if (std::isnan(want)) CHECK(std::isnan(got));
    else REQUIRE((got == want || std::abs(got - want) <= 0x1p-48 * (1 + std::abs(want))));
  }
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
