// Random numbers: Philox against Random123, the documented stream mapping, thread-count
// invariance, generator state, ranges, and statistical tests that a broken generator fails.

#include <Random123/philox.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

#include <tessera/nn/functional.hpp>

#include "golden.hpp"

namespace test_random {

namespace {
/** Whether draw() gives the same values on 1 and on 3 threads (the tests run on 2). */
template <class F>
bool same_for_thread_counts(const F& draw) {
  ts::set_num_threads(1);
  const auto one = draw();
  ts::set_num_threads(3);
  const auto three = draw();
  ts::set_num_threads(2);
  return one == three;
}
}  // namespace

TEST_CASE("philox4x32_10 matches Random123's known answers", "[random]") {
  using A = std::array<uint32_t, 4>;
  CHECK(ts::philox4x32_10({0, 0, 0, 0}, {0, 0}) == A{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
  CHECK(ts::philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}) ==
        A{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
  CHECK(ts::philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}) ==
        A{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
}

TEST_CASE("philox4x32_10 matches librandom123 on 100000 random inputs", "[random]") {
  std::mt19937_64 pick(2024);
  r123::Philox4x32_R<10> reference;
  int mismatches = 0;
  for (int i = 0; i < 100000; ++i) {
    const uint64_t a = pick(), b = pick(), c = pick();
    const std::array<uint32_t, 4> ctr = {uint32_t(a), uint32_t(a >> 32), uint32_t(b), uint32_t(b >> 32)};
    const std::array<uint32_t, 2> key = {uint32_t(c), uint32_t(c >> 32)};
    const auto want = reference({{ctr[0], ctr[1], ctr[2], ctr[3]}}, {{key[0], key[1]}});
    const auto got = ts::philox4x32_10(ctr, key);
    for (int k = 0; k < 4; ++k) mismatches += got[k] != want.v[k];
  }
  CHECK(mismatches == 0);
}

TEST_CASE("element i is the documented function of (seed, offset, i)", "[random]") {
  ts::Generator gen(123456789012345ull);
  gen.set_offset(77);
  const auto x = ts::rand({1001}, gen).to_vector();
  CHECK(gen.offset() == 77 + 251);  // ceil(1001 / 4) blocks
  for (int64_t i = 0; i < 1001; ++i) {
    const uint64_t block = 77 + i / 4;
    const auto w = ts::philox4x32_10({uint32_t(block), uint32_t(block >> 32), 0, 0},
                                     {uint32_t(123456789012345ull), uint32_t(123456789012345ull >> 32)});
    CHECK(x[i] == static_cast<float>(w[i % 4] >> 8) * 0x1p-24f);
  }
  const auto d = ts::rand<double>({5}, gen).to_vector();
  const uint64_t block = 77 + 251;
  const auto w = ts::philox4x32_10({uint32_t(block), uint32_t(block >> 32), 0, 0},
                                   {uint32_t(123456789012345ull), uint32_t(123456789012345ull >> 32)});
  CHECK(d[1] == static_cast<double>(((uint64_t(w[3]) << 32) | w[2]) >> 11) * 0x1p-53);
  CHECK(gen.offset() == 77 + 251 + 3);
}

TEST_CASE("draws are identical for any thread count", "[random][threads]") {
  auto draw = [] {
    ts::Generator gen(5);
    std::vector<double> all;
    for (float v : ts::rand({100003}, gen).to_vector()) all.push_back(v);
    for (float v : ts::randn({70001}, gen).to_vector()) all.push_back(v);
    for (double v : ts::randn<double>({3333}, gen).to_vector()) all.push_back(v);
    for (int64_t v : ts::randint(-5, 1000000007, {50001}, gen).to_vector()) all.push_back(double(v));
    for (int64_t v : ts::randperm(1000, gen).to_vector()) all.push_back(double(v));
    for (float v : ts::bernoulli(ts::full({999}, 0.3f), gen).to_vector()) all.push_back(v);
    for (int64_t v : ts::multinomial(ts::rand({4, 50}, gen), 20, false, gen).to_vector()) all.push_back(double(v));
    all.push_back(double(gen.offset()));
    return all;
  };
  ts::set_num_threads(1);
  const auto one = draw();
  ts::set_num_threads(3);
  const auto three = draw();
  ts::set_num_threads(2);
  const auto two = draw();
  CHECK(one == three);
  CHECK(one == two);
}

TEST_CASE("seeding, state save and restore", "[random]") {
  ts::manual_seed(42);
  const auto a = ts::rand({1, 5});
  const auto b = ts::rand({1, 5});
  CHECK_FALSE(ts::equal(a, b));
  ts::manual_seed(42);
  CHECK(ts::equal(ts::rand({1, 5}), a));
  CHECK(ts::default_generator().seed() == 42);
  ts::Generator gen(9);
  ts::rand({10}, gen);
  const ts::GeneratorState saved = gen.get_state();
  const auto first = ts::randn({7}, gen);
  gen.set_state(saved);
  CHECK(ts::equal(ts::randn({7}, gen), first));
  gen.manual_seed(9);
  CHECK(gen.offset() == 0);
  ts::Generator other(10);
  CHECK_FALSE(ts::equal(ts::rand({8}, gen), ts::rand({8}, other)));
}

TEST_CASE("ranges: rand never reaches 1 in any dtype; randint stays in bounds", "[random]") {
  // The largest value each mapping can produce is below 1.
  CHECK(ts::detail::uniform_from_bits<float>(0xffffffffu, 0) < 1.0f);
  CHECK(ts::detail::uniform_from_bits<double>(0xffffffffu, 0xffffffffu) < 1.0);
  CHECK(static_cast<float>(ts::detail::uniform_from_bits<ts::half>(0xffffffffu, 0)) < 1.0f);
  CHECK(static_cast<float>(ts::detail::uniform_from_bits<ts::bfloat16>(0xffffffffu, 0)) < 1.0f);
  ts::Generator gen(1);
  for (float v : ts::rand({200000}, gen).to_vector()) REQUIRE((v >= 0.0f && v < 1.0f));
  for (auto v : ts::rand<ts::half>({20000}, gen).to_vector()) REQUIRE(static_cast<float>(v) < 1.0f);
  for (auto v : ts::rand<ts::bfloat16>({20000}, gen).to_vector()) REQUIRE(static_cast<float>(v) < 1.0f);
  for (int64_t v : ts::randint(-3, 4, {10000}, gen).to_vector()) REQUIRE((v >= -3 && v < 4));
  auto perm = ts::randperm(500, gen).to_vector();
  std::sort(perm.begin(), perm.end());
  for (int64_t i = 0; i < 500; ++i) REQUIRE(perm[static_cast<size_t>(i)] == i);
  for (int64_t v : ts::multinomial(ts::tensor({0.0, 1.0, 0.0, 2.0}), 1000, true, gen).to_vector())
    REQUIRE((v == 1 || v == 3));
  CHECK_THROWS_WITH(ts::randint(5, 5, {2}), Catch::Contains("randint: random_ expects 'from' to be less than 'to'"));
  CHECK_THROWS_WITH(ts::multinomial(ts::tensor({1.0, 0.0}), 2), Catch::Contains("not enough non-negative category"));
  CHECK_THROWS_WITH(ts::bernoulli(ts::tensor({1.5})), Catch::Contains("bernoulli"));
}

namespace {

// Kolmogorov-Smirnov statistic of sorted samples against a CDF.
template <class Cdf>
double ks_statistic(std::vector<double> x, Cdf cdf) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double d = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double f = cdf(x[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  return d;
}

double chi_square_uniform(const std::vector<double>& x, int bins) {
  std::vector<double> count(static_cast<size_t>(bins), 0);
  for (double v : x) count[static_cast<size_t>(std::min<int>(bins - 1, static_cast<int>(v * bins)))] += 1;
  const double expected = static_cast<double>(x.size()) / bins;
  double chi = 0;
  for (double c : count) chi += (c - expected) * (c - expected) / expected;
  return chi;
}

}  // namespace

TEST_CASE("statistics: moments, chi-square and Kolmogorov-Smirnov", "[random]") {
  ts::Generator gen(2718);
  const int64_t n = 1000000;
  std::vector<double> u, z;
  for (float v : ts::rand({n}, gen).to_vector()) u.push_back(v);
  for (float v : ts::randn({n}, gen).to_vector()) z.push_back(v);
  auto moments = [](const std::vector<double>& x) {
    double m = 0, v = 0;
    for (double a : x) m += a;
    m /= static_cast<double>(x.size());
    for (double a : x) v += (a - m) * (a - m);
    return std::pair{m, v / static_cast<double>(x.size() - 1)};
  };
  const auto [mu, vu] = moments(u);
  const auto [mz, vz] = moments(z);
  // Means and variances within about 5 standard errors.
  CHECK(std::fabs(mu - 0.5) < 5 * std::sqrt(1.0 / 12 / n));
  CHECK(std::fabs(vu - 1.0 / 12) < 5 * 0.000075);
  CHECK(std::fabs(mz) < 5 * std::sqrt(1.0 / n));
  CHECK(std::fabs(vz - 1.0) < 5 * std::sqrt(2.0 / n));
  // Chi-square with 999 degrees of freedom: mean 999, sd 44.7; reject beyond 6 sd.
  CHECK(chi_square_uniform(u, 1000) < 999 + 6 * 44.7);
  // KS: the critical value at p = 1e-6 is about 2.63 / sqrt(n).
  const double critical = 2.63 / std::sqrt(static_cast<double>(n));
  CHECK(ks_statistic(u, [](double x) { return std::clamp(x, 0.0, 1.0); }) < critical);
  CHECK(ks_statistic(z, [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }) < critical);
  // A broken generator fails the same checks: a quarter of the range never drawn.
  std::vector<double> broken;
  for (double a : u) broken.push_back(a * 0.75);
  CHECK(chi_square_uniform(broken, 1000) > 999 + 6 * 44.7);
  CHECK(ks_statistic(broken, [](double x) { return std::clamp(x, 0.0, 1.0); }) > critical);
  // randint is unbiased: range 3 * 2^62 would show modulo bias (1/3 of values twice as likely).
  const uint64_t range = 3ull << 62;
  std::vector<double> scaled;
  const int64_t high = static_cast<int64_t>(static_cast<uint64_t>(INT64_MIN) + range);
  for (int64_t v : ts::randint(INT64_MIN, high, {200000}, gen).to_vector())
    scaled.push_back(static_cast<double>(static_cast<uint64_t>(v) - static_cast<uint64_t>(INT64_MIN)) / static_cast<double>(range));
  CHECK(chi_square_uniform(scaled, 3) < 2 + 6 * 2);
}

TEST_CASE("float rand and randn give the same bits at every vector width", "[random]") {
  auto draw = [] {
    ts::Generator gen(31337);
    std::vector<float> all = ts::rand({100003}, gen).to_vector();
    for (float v : ts::randn({77777}, gen).to_vector()) all.push_back(v);
    for (float v : ts::empty({1001}).normal_(3.0, 0.5, gen).to_vector()) all.push_back(v);
    for (auto v : ts::randn<ts::half>({999}, gen).to_vector()) all.push_back(static_cast<float>(v));
    return all;
  };
  const auto detected = ts::detail::detected_simd_level();
  ts::detail::simd_level_cap().store(-1, ts::detail::MemoryOrder::Relaxed);
  const auto widest = draw();
  for (int level = 0; level < static_cast<int>(detected); ++level) {
    ts::detail::simd_level_cap().store(level, ts::detail::MemoryOrder::Relaxed);
    const auto narrower = draw();
    CHECK(std::memcmp(narrower.data(), widest.data(), widest.size() * sizeof(float)) == 0);
  }
  ts::detail::simd_level_cap().store(-1, ts::detail::MemoryOrder::Relaxed);
}

TEST_CASE("large draws (written with streaming stores) are the documented function of the position", "[random]") {
  constexpr int64_t n = (int64_t{16} << 20) / 4 + 13;  // past the streaming threshold, a partial group
  ts::Generator gen(2718281828ull);
  const auto big = ts::rand({n}, gen);
  const float* x = big.data_ptr();
  for (int64_t i : {int64_t{0}, int64_t{5}, n / 2 + 1, n - 14, n - 1}) {
    const uint64_t block = static_cast<uint64_t>(i / 4);
    const auto w = ts::philox4x32_10({uint32_t(block), uint32_t(block >> 32), 0, 0}, {2718281828u, 0});
    CHECK(x[i] == static_cast<float>(w[i % 4] >> 8) * 0x1p-24f);
  }
  ts::Generator again(2718281828ull);
  const auto small = ts::rand({1000}, again).to_vector();
  CHECK(std::memcmp(small.data(), x, small.size() * sizeof(float)) == 0);
}

TEST_CASE("randint's range must fit the type, as PyTorch's random_ checks it", "[random][errors]") {
  // messages from torch 1.13: torch.randint(low, high, (2,), dtype=...)
  CHECK_THROWS_WITH(ts::randint<int8_t>(0, 300, {2}), "randint: to - 1 is out of bounds for signed char");
  CHECK_THROWS_WITH(ts::randint<int8_t>(-200, 0, {2}), "randint: from is out of bounds for signed char");
  CHECK_THROWS_WITH(ts::randint<uint8_t>(-1, 5, {2}), "randint: from is out of bounds for unsigned char");
  CHECK_THROWS_WITH(ts::randint<uint8_t>(0, 257, {2}), "randint: to - 1 is out of bounds for unsigned char");
  CHECK_THROWS_WITH(ts::randint<int16_t>(0, 40000, {2}), "randint: to - 1 is out of bounds for short int");
  CHECK_THROWS_WITH(ts::randint<int32_t>(0, (int64_t{1} << 31) + 1, {2}), "randint: to - 1 is out of bounds for int");
  CHECK_THROWS_WITH(ts::randint<bool>(0, 3, {2}), "randint: to - 1 is out of bounds for bool");
  CHECK_THROWS_WITH(ts::randint<ts::half>(0, 70000, {2}), "randint: to - 1 is out of bounds for c10::Half");
  CHECK(ts::randint<uint8_t>(0, 256, {2}).numel() == 2);
  CHECK(ts::randint<int64_t>(INT64_MIN, INT64_MAX, {2}).numel() == 2);
  CHECK(ts::randint<float>(0, int64_t{1} << 25, {2}).numel() == 2);  // PyTorch only warns for float
}

TEST_CASE("uniform_'s ends must fit the type, as PyTorch checks them", "[random][errors]") {
  // messages from torch 1.13: torch.zeros(2, dtype=...).uniform_(from, to)
  CHECK_THROWS_WITH(ts::zeros({2}).uniform_(0, 1e39), "uniform_: to is out of bounds for float");
  CHECK_THROWS_WITH(ts::zeros({2}).uniform_(-1e39, 0), "uniform_: from is out of bounds for float");
  CHECK_THROWS_WITH(ts::zeros<ts::bfloat16>({2}).uniform_(0, 1e39), "uniform_: to is out of bounds for c10::BFloat16");
  CHECK_THROWS_WITH(ts::zeros<ts::half>({2}).uniform_(0, NAN), "uniform_: to is out of bounds for c10::Half");
  CHECK_THROWS_WITH(ts::zeros<ts::half>({2}).uniform_(0, INFINITY), "uniform_: to is out of bounds for c10::Half");
  CHECK_THROWS_WITH(ts::zeros<ts::half>({2}).uniform_(-1e5, 0), "uniform_: from is out of bounds for c10::Half");
  CHECK_THROWS_WITH(ts::zeros<double>({2}).uniform_(-1e308, 1e308),
                    Catch::StartsWith("uniform_: uniform_ expects to-from <= std::numeric_limits<Double>::max(), but found to="));
  CHECK_THROWS_WITH(ts::zeros({2}).uniform_(-3.4e38, 3.4e38),
                    Catch::StartsWith("uniform_: uniform_ expects to-from <= std::numeric_limits<Float>::max()"));
  CHECK(ts::zeros<ts::half>({2}).uniform_(-65504, 0).numel() == 2);
}

TEST_CASE("exponential_ is -1 / lambd * log(1 - u) of the documented double uniform", "[random][exponential]") {
  const uint64_t seed = 987654321987ull;
  ts::Generator gen(seed);
  gen.set_offset(11);
  const auto x = ts::empty<float>({2, 7}).exponential_(2.5, gen).reshape({-1}).to_vector();
  const auto d = ts::empty<double>({9}).exponential_(1.0, gen).to_vector();
  CHECK(gen.offset() == 11 + 7 + 5);  // two elements per block
  auto want = [&](uint64_t start, int64_t i, double lambd) {
    const uint64_t block = start + static_cast<uint64_t>(i / 2);
    const auto w = ts::philox4x32_10({uint32_t(block), uint32_t(block >> 32), 0, 0}, {uint32_t(seed), uint32_t(seed >> 32)});
    const int h = static_cast<int>(i % 2);
    const double u = static_cast<double>(((uint64_t(w[2 * h + 1]) << 32) | w[2 * h]) >> 11) * 0x1p-53;
    return -1.0 / lambd * ts::detail::f64math::f64_log(1.0 - u);  // tessera's log (f64math.hpp)
  };
  for (int64_t i = 0; i < 14; ++i) CHECK(x[i] == static_cast<float>(want(11, i, 2.5)));
  for (int64_t i = 0; i < 9; ++i) CHECK(d[i] == want(18, i, 1.0));
}

namespace {
template <class T>
bool same_bits(const ts::Tensor<T>& a, const ts::Tensor<T>& b) {
  const ts::Tensor<T> x = a.contiguous(), y = b.contiguous();
  return a.sizes() == b.sizes() && std::memcmp(x.data_ptr(), y.data_ptr(), static_cast<size_t>(x.numel()) * sizeof(T)) == 0;
}

template <class T>
void check_composed_samplers() {
  // uniform_, bernoulli, bernoulli_ and dropout draw in one pass; each equals its definition in
  // docs/random.md written with other ops (the double uniforms and double arithmetic).
  for (int64_t n : {int64_t{1}, int64_t{6}, int64_t{999}}) {
    ts::Generator a(31 + static_cast<uint64_t>(n)), b(31 + static_cast<uint64_t>(n));
    for (const auto& [from, to] : {std::pair{-2.5, 4.0}, {0.0, 1.0}, {0.1, 0.3}, {-1e4, 3e4}, {1e-40, 3e-40}, {0.0, -0.0}}) {
      if (std::abs(from) > ts::detail::largest_finite<T>() || std::abs(to) > ts::detail::largest_finite<T>()) continue;
      ts::Tensor<T> t = ts::zeros<T>({n, 3});
      t.t().uniform_(from, to, a);
      ts::Tensor<T> u = ts::rand<T>({3, n}, b);
      if (from != 0 || to != 1) u = (u.template to<double>() * (to - from) + from).template to<T>();
      CHECK(same_bits(t, u.t()));
    }
    const ts::Tensor<T> p = ts::rand<T>({n, 2}, a);
    (void)ts::rand<T>({n, 2}, b);
    CHECK(same_bits(ts::bernoulli(p.t(), a), (ts::rand<double>({2, n}, b) < p.t().template to<double>()).template to<T>()));
    ts::Tensor<T> t = ts::zeros<T>({n});
    t.bernoulli_(0.3, a);
    CHECK(same_bits(t, (ts::rand<double>({n}, b) < 0.3).template to<T>()));
    const ts::Tensor<T> x = ts::randn<T>({n, 2}, a);
    (void)ts::randn<T>({n, 2}, b);
    const ts::Tensor<T> keep = ts::bernoulli(ts::full<T>({n, 2}, static_cast<T>(1 - 0.4)), b).div_(static_cast<T>(1 - 0.4));
    CHECK(same_bits(ts::nn::functional::dropout(x, 0.4, true, a), x * keep));
    CHECK(a.get_state() == b.get_state());
  }
}
}  // namespace

TEST_CASE("uniform_, bernoulli, bernoulli_ and dropout are their documented definitions", "[random]") {
  check_composed_samplers<float>();
  check_composed_samplers<double>();
  check_composed_samplers<ts::half>();
  check_composed_samplers<ts::bfloat16>();
  ts::Generator a(8), b(8);  // bernoulli_ into integers and bool
  ts::Tensor<int32_t> i = ts::zeros<int32_t>({101});
  i.bernoulli_(0.6, a);
  CHECK(same_bits(i, (ts::rand<double>({101}, b) < 0.6).to<int32_t>()));
  ts::Tensor<bool> z = ts::zeros<bool>({101});
  z.bernoulli_(0.6, a);
  CHECK(same_bits(z, ts::rand<double>({101}, b) < 0.6));
}

TEST_CASE("exponential_: moments, KS, thread counts, non-contiguous tensors, errors", "[random][exponential]") {
  ts::Generator gen(42);
  const int64_t n = 200000;
  const auto v = ts::empty<double>({n}).exponential_(2.0, gen).to_vector();
  double mean = 0, var = 0;
  for (double x : v) mean += x;
  mean /= n;
  for (double x : v) var += (x - mean) * (x - mean);
  var /= n - 1;
  CHECK(std::abs(mean - 0.5) < 0.01);
  CHECK(std::abs(var - 0.25) < 0.01);
  CHECK(*std::min_element(v.begin(), v.end()) >= 0);
  std::vector<double> s = v;
  std::sort(s.begin(), s.end());
  double ks = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double cdf = 1 - std::exp(-2.0 * s[i]);
    ks = std::max({ks, std::abs(cdf - double(i) / n), std::abs(cdf - double(i + 1) / n)});
  }
  CHECK(ks < 1.63 / std::sqrt(double(n)));  // 1% level

  auto draw = [] {
    ts::Generator g(9);
    return ts::empty<float>({100003}).exponential_(1.0, g).to_vector();
  };
  CHECK(same_for_thread_counts(draw));
  CHECK(draw() == draw());

  // A transposed view gets, in logical order, what a contiguous draw would give.
  ts::Generator g1(3), g2(3);
  const auto base = ts::zeros({5, 4});
  base.t().exponential_(1.5, g1);
  CHECK(base.t().contiguous().to_vector() == ts::empty<float>({4, 5}).exponential_(1.5, g2).to_vector());

  // messages from torch 1.13: torch.empty(2).exponential_(-1); lambda = 0 gives inf there too
  CHECK_THROWS_WITH(ts::empty({2}).exponential_(-1), "exponential_: exponential_ expects lambda >= 0.0, but found lambda=-1");
  CHECK_THROWS(ts::empty({2}).exponential_(NAN));
  CHECK(std::isinf(ts::empty({2}).exponential_(0).to_vector()[0]));
}

TEST_CASE("cauchy_, log_normal_ and geometric_ are their documented definitions, with their moments",
          "[random][cauchy][log_normal][geometric]") {
  namespace m = ts::detail::f64math;
  // the definitions of docs/random.md, from the double uniforms (normals) of the same blocks
  const auto map = [](const ts::Tensor<double>& u, auto f) {
    std::vector<double> out;
    for (double x : u.reshape({-1}).to_vector()) out.push_back(f(x));
    return out;
  };
  for (int64_t n : {int64_t{1}, int64_t{7}, int64_t{1001}}) {
    ts::Generator a(5 + static_cast<uint64_t>(n)), b(5 + static_cast<uint64_t>(n));
    const auto c = ts::empty<double>({n}).cauchy_(-1.5, 2.0, a).to_vector();
    CHECK(c == map(ts::rand<double>({n}, b), [](double u) { return -1.5 + m::exact(2.0 * m::f64_tan(std::numbers::pi * (u - 0.5))); }));
    const auto l = ts::empty<double>({n}).log_normal_(0.5, 0.25, a).to_vector();
    CHECK(l == map(ts::randn<double>({n}, b) * 0.25 + 0.5, [](double z) { return m::f64_exp(z); }));
    const auto g = ts::empty<int64_t>({n}).geometric_(0.3, a).to_vector();
    const auto want = map(ts::rand<double>({n}, b), [](double u) { return std::ceil(m::f64_log(u) / m::f64_log1p(-0.3)); });
    for (size_t i = 0; i < g.size(); ++i) CHECK(static_cast<double>(g[i]) == want[i]);
    CHECK(a.get_state() == b.get_state());
  }
  ts::Generator gen(12);
  const int64_t n = 200000;
  auto median = ts::empty<double>({n}).cauchy_(3.0, 0.5, gen).median().item();
  CHECK(std::abs(median - 3.0) < 0.01);
  const auto logs = ts::empty<float>({n}).log_normal_(1.0, 0.5, gen).to<double>().log();
  CHECK(std::abs(logs.mean().item() - 1.0) < 0.01);
  CHECK(std::abs(logs.std().item() - 0.5) < 0.01);
  const auto trials = ts::empty<float>({n}).geometric_(0.25, gen);
  CHECK(trials.min().item() >= 1.0f);
  CHECK(std::abs(trials.to<double>().mean().item() - 4.0) < 0.05);  // 1 / p
  // thread counts and a transposed view, as the other samplers
  const auto draw = [] {
    ts::Generator g(9);
    return ts::empty<float>({100003}).cauchy_(0, 1, g).to_vector();
  };
  CHECK(same_for_thread_counts(draw));
  ts::Generator g1(3), g2(3);
  const auto base = ts::zeros({5, 4});
  base.t().log_normal_(0, 1, g1);
  CHECK(base.t().contiguous().to_vector() == ts::empty<float>({4, 5}).log_normal_(0, 1, g2).to_vector());
  // messages from torch 1.13: torch.empty(2).log_normal_(0, 0), torch.empty(2).geometric_(1)
  CHECK_THROWS_WITH(ts::empty({2}).log_normal_(0, 0), "log_normal_: log_normal_ expects std > 0.0, but found std=0");
  CHECK_THROWS_WITH(ts::empty({2}).geometric_(1), "geometric_: geometric_ expects p to be in (0, 1), but got p=1");
  CHECK_THROWS_WITH(ts::empty({2}).geometric_(0), "geometric_: geometric_ expects p to be in (0, 1), but got p=0");
}

TEST_CASE("poisson is PyTorch's sampler on each element's own stream, with the Poisson moments", "[random][poisson]") {
  // the definition of docs/random.md: element i's uniforms are the doubles of block i, then of the
  // same counter with its third word 1, 2, ...
  ts::Generator gen(21);
  const ts::Tensor<double> rates = ts::tensor<double>({0.0, 0.3, 2.5, 9.75, 10.0, 47.5, 1e5});
  const ts::GeneratorState start = gen.get_state();
  const std::vector<double> drawn = ts::poisson(rates, gen).to_vector();
  CHECK(gen.offset() == start.offset + 7);
  for (size_t i = 0; i < drawn.size(); ++i) {
    uint32_t attempt = 0, w[4];
    std::vector<double> stream;
    const auto uniform = [&] {
      if (stream.empty()) {
        ts::detail::random_block(start, i, attempt++, w);
        for (int k = 1; k >= 0; --k)
          stream.push_back(static_cast<double>(((static_cast<uint64_t>(w[2 * k + 1]) << 32) | w[2 * k]) >> 11) * 0x1p-53);
      }
      const double u = stream.back();
      stream.pop_back();
      return u;
    };
    CHECK(drawn[i] == static_cast<double>(ts::detail::sample_poisson(rates.to_vector()[i], uniform)));
  }
  // mean and variance equal to the rate, on both sides of the sampler's switch at 10
  for (const double rate : {0.7, 4.0, 9.9, 10.0, 33.0, 900.0}) {
    INFO(rate);
    const auto x = ts::poisson(ts::full<float>({200000}, static_cast<float>(rate)), gen).to<double>();
    const double sigma = std::sqrt(rate / 200000.0);
    CHECK(std::abs(x.mean().item() - rate) < 5 * sigma);
    CHECK(std::abs(x.var().item() / rate - 1.0) < 0.02);
    CHECK(ts::equal(x, x.round()));
  }
  // thread counts, as the other samplers (the mt19937 goldens check PyTorch's order for a transposed view)
  const auto draw = [] {
    ts::Generator g(9);
    return ts::poisson((ts::arange<float>(0, 100003) * 0.001f).reshape({-1}), g).to_vector();
  };
  CHECK(same_for_thread_counts(draw));
  // torch.poisson's node and messages (torch 1.13)
  const auto r = ts::tensor<float>({1.0f, 30.0f}).requires_grad_();
  const auto y = ts::poisson(r);
  CHECK(y.grad_fn_name() == "PoissonBackward0");
  y.sum().backward();
  CHECK(ts::equal(r.grad(), ts::zeros<float>({2})));
  CHECK_THROWS_WITH(ts::poisson(ts::tensor<float>({1.0f, -1.0f})), "poisson: invalid Poisson rate, expected rate to be non-negative");
  CHECK_THROWS_WITH(ts::poisson(ts::tensor<float>({NAN})), "poisson: invalid Poisson rate, expected rate to be non-negative");
  CHECK_THROWS_WITH(ts::poisson(ts::tensor<float>({1.0f}).to<ts::half>()), "\"poisson_cpu\" not implemented for 'Half'");
  CHECK_THROWS_WITH(ts::poisson(ts::tensor<int64_t>({1})), "\"poisson_cpu\" not implemented for 'Long'");
  CHECK(ts::poisson(ts::empty<float>({0, 3})).sizes() == ts::Shape{0, 3});
  // a rate too large for int64: x86's conversion of the draw, as PyTorch's build
  CHECK(ts::poisson(ts::tensor<double>({1e300})).item() == -0x1p63);
}

TEST_CASE("binomial is PyTorch's sampler on each element's own stream, with the binomial moments", "[random][binomial]") {
  // the definition of docs/random.md, through the documented stream of each element
  ts::Generator gen(23);
  const ts::Tensor<double> count = ts::tensor<double>({0.0, 12.0, 40.0, 40.0, 1e4, 7.5, 30.0});
  const ts::Tensor<double> prob = ts::tensor<double>({0.5, 0.3, 0.1, 0.9, 0.5, 0.4, 1.0});
  const ts::GeneratorState start = gen.get_state();
  const std::vector<double> drawn = ts::binomial(count, prob, gen).to_vector();
  CHECK(gen.offset() == start.offset + 7);
  for (size_t i = 0; i < drawn.size(); ++i)
    CHECK(drawn[i] == ts::detail::sample_binomial(count.to_vector()[i], prob.to_vector()[i], ts::detail::ElementStream(start, i)));
  // mean n p and variance n p (1 - p), by inversion (n q < 10) and by rejection, for p on both sides of 1/2
  for (const auto& [n, p] : std::vector<std::pair<double, double>>{{15, 0.3}, {15, 0.8}, {200, 0.25}, {200, 0.9}, {5000, 0.5}}) {
    INFO(n << " " << p);
    const auto x = ts::binomial(ts::full<float>({200000}, static_cast<float>(n)), ts::full<float>({1}, static_cast<float>(p)), gen)
                       .to<double>();
    const double var = n * p * (1 - p);
    CHECK(std::abs(x.mean().item() - n * p) < 5 * std::sqrt(var / 200000));
    CHECK(std::abs(x.var().item() / var - 1.0) < 0.03);
    CHECK(x.min().item() >= 0);
    CHECK(x.max().item() <= n);
  }
  // thread counts, as the other samplers
  const auto draw = [] {
    ts::Generator g(9);
    return ts::binomial(ts::arange<float>(0, 100003) * 0.01f, ts::full<float>({1}, 0.35f), g).to_vector();
  };
  CHECK(same_for_thread_counts(draw));
  // torch.binomial's shapes, node and messages (torch 1.13)
  CHECK(ts::binomial(ts::full<float>({1}, 10.0f), ts::full<float>({3}, 0.5f)).sizes() == ts::Shape{3});
  const auto c = ts::tensor<float>({10.0f, 20.0f}).requires_grad_();
  const auto y = ts::binomial(c, ts::tensor<float>({0.3f, 0.6f}));
  CHECK(y.grad_fn_name() == "torch::autograd::NotImplemented");
  CHECK_THROWS_WITH(y.sum().backward(), "derivative for aten::binomial is not implemented");
  CHECK_THROWS_WITH(ts::binomial(ts::tensor<float>({1.0f}).to<ts::half>(), ts::tensor<float>({0.5f}).to<ts::half>()),
                    "\"binomial_cpu\" not implemented for 'Half'");
  CHECK(std::isnan(ts::binomial(ts::tensor<double>({5.0}), ts::tensor<double>({NAN})).item()));
}

TEST_CASE("random_ draws as randint does, over PyTorch's ranges", "[random][random_]") {
  ts::Generator g1(77), g2(77);
  CHECK(ts::empty<int64_t>({33}).random_(-3, 200, g1).to_vector() == ts::randint<int64_t>(-3, 200, {33}, g2).to_vector());
  CHECK(ts::empty<int32_t>({33}).random_(10, g1).to_vector() == ts::randint<int32_t>(0, 10, {33}, g2).to_vector());
  CHECK(ts::empty<double>({33}).random_(g1).to_vector() ==
        ts::randint<double>(0, (int64_t{1} << 53) + 1, {33}, g2).to_vector());
  CHECK(ts::empty<uint8_t>({33}).random_(g1).to_vector() == ts::randint<uint8_t>(0, 256, {33}, g2).to_vector());
  CHECK(g1.offset() == g2.offset());

  // ranges of random_(): the whole type (floats: 0 to 2^digits inclusive)
  ts::Generator g(5);
  const auto u8 = ts::empty<uint8_t>({20000}).random_(g).to_vector();
  CHECK(*std::max_element(u8.begin(), u8.end()) == 255);
  CHECK(*std::min_element(u8.begin(), u8.end()) == 0);
  const auto i64 = ts::empty<int64_t>({1000}).random_(g).to_vector();
  CHECK(*std::min_element(i64.begin(), i64.end()) >= 0);
  CHECK(*std::max_element(i64.begin(), i64.end()) > (int64_t{1} << 61));
  const auto hf = ts::empty<ts::half>({20000}).random_(g).to<float>().to_vector();
  CHECK(*std::max_element(hf.begin(), hf.end()) <= 2048);
  const auto b = ts::empty<bool>({1000}).random_(g).to<int64_t>().sum().item();
  CHECK(b > 400);
  CHECK(b < 600);
  const auto r = ts::empty<int32_t>({5000}).random_(-7, 9, g).to_vector();
  CHECK(*std::min_element(r.begin(), r.end()) == -7);
  CHECK(*std::max_element(r.begin(), r.end()) == 8);

  // non-contiguous: a transposed view, logical order as a contiguous draw
  ts::Generator h1(4), h2(4);
  const auto base = ts::zeros<int64_t>({3, 6});
  base.t().random_(100, h1);
  CHECK(base.t().contiguous().to_vector() == ts::empty<int64_t>({6, 3}).random_(100, h2).to_vector());

  auto draw = [] {
    ts::Generator g3(12);
    return ts::empty<int64_t>({50001}).random_(-5, 1000000007, g3).to_vector();
  };
  CHECK(same_for_thread_counts(draw));

  // messages from torch 1.13: torch.empty(3, dtype=...).random_(from, to)
  CHECK_THROWS_WITH(ts::empty<int32_t>({3}).random_(5, 5),
                    "random_: random_ expects 'from' to be less than 'to', but got from=5 >= to=5");
  CHECK_THROWS_WITH(ts::empty<uint8_t>({3}).random_(0, 300), "random_: to - 1 is out of bounds for unsigned char");
  CHECK_THROWS_WITH(ts::empty<uint8_t>({3}).random_(-1, 3), "random_: from is out of bounds for unsigned char");
  CHECK_THROWS_WITH(ts::empty<bool>({3}).random_(3), "random_: to - 1 is out of bounds for bool");
  CHECK_THROWS_WITH(ts::empty<int64_t>({3}).random_(0), "random_: random_ expects 'from' to be less than 'to', but got from=0 >= to=0");
}

}  // namespace test_random
