#pragma once
// Distributions on the Philox stream: rand, randn, randint, randperm, bernoulli, multinomial,
// uniform_, normal_, rand_like, randn_like. The bit-to-value mapping is docs/random.md.

#include <algorithm>
#include <cmath>
#include <numbers>

#include "../ops/creation.hpp"
#include "../parallel/parallel_for.hpp"
#include "generator.hpp"
#include "philox_simd.hpp"

namespace tessera {
namespace detail {

// --- bits to values (docs/random.md) -----------------------------------------------------------

/** [0, 1) with the type's own resolution, so that rounding can never give 1. */
template <class T>
T uniform_from_bits(uint32_t w0, uint32_t w1) {
  if constexpr (std::is_same_v<T, double>) return static_cast<double>(((static_cast<uint64_t>(w1) << 32) | w0) >> 11) * 0x1p-53;
  else if constexpr (std::is_same_v<T, float>) return static_cast<float>(w0 >> 8) * 0x1p-24f;
  else if constexpr (std::is_same_v<T, half>) return half(static_cast<float>(w0 >> 21) * 0x1p-11f);
  else return bfloat16(static_cast<float>(w0 >> 24) * 0x1p-8f);
}

/** Elements of T drawn from one 128-bit block: 2 for double, 4 for the narrower types. */
template <class T>
inline constexpr int64_t per_block = std::is_same_v<T, double> ? 2 : 4;

/** Fills contiguous out[0, n) with f(block words, k) for element k of each block. */
template <class T, class F>
void fill_from_blocks(T* out, int64_t n, int64_t per, Generator& gen, const F& f) {
  const int64_t blocks = (n + per - 1) / per;
  const GeneratorState state = gen.reserve(static_cast<uint64_t>(blocks));
  parallel_for(0, blocks, std::max<int64_t>(1, kGrainSize / per), [&](int64_t b0, int64_t b1) {
    uint32_t w[4];
    for (int64_t b = b0; b < b1; ++b) {
      random_block(state, static_cast<uint64_t>(b), 0, w);
      for (int64_t k = 0; k < per && b * per + k < n; ++k) out[b * per + k] = f(w, k);
    }
  });
}

template <class T>
void fill_uniform(T* out, int64_t n, Generator& gen) {
  if constexpr (std::is_same_v<T, float>) return fill_random_simd<0>(out, n, gen);
  constexpr bool wide = std::is_same_v<T, double>;
  fill_from_blocks(out, n, per_block<T>, gen, [](const uint32_t* w, int64_t k) {
    return wide ? uniform_from_bits<T>(w[2 * k], w[2 * k + 1]) : uniform_from_bits<T>(w[k], 0);
  });
}

// Box-Muller. float, half and bfloat16 go through fill_random_simd (random/philox_simd.hpp);
// double takes one block per pair: u1 in (0, 1] from words 0 and 1, u2 in [0, 1) from words 2
// and 3, then r cos(2 pi u2) and r sin(2 pi u2) with r = sqrt(-2 log u1) (docs/random.md).
template <class T>
void fill_normal(T* out, int64_t n, Generator& gen, double mean, double stddev) {
  if constexpr (!std::is_same_v<T, double>) {
    fill_random_simd<1>(out, n, gen, mean, stddev);
  } else {
    const int64_t blocks = (n + 1) / 2;
    const GeneratorState state = gen.reserve(static_cast<uint64_t>(blocks));
    parallel_for(0, blocks, std::max<int64_t>(1, kGrainSize / 2), [&](int64_t b0, int64_t b1) {
      uint32_t w[4];
      for (int64_t b = b0; b < b1; ++b) {
        random_block(state, static_cast<uint64_t>(b), 0, w);
        const double u1 = static_cast<double>((((static_cast<uint64_t>(w[1]) << 32) | w[0]) >> 11) + 1) * 0x1p-53;
        const double u2 = static_cast<double>(((static_cast<uint64_t>(w[3]) << 32) | w[2]) >> 11) * 0x1p-53;
        const double r = std::sqrt(-2.0 * std::log(u1));
        const double angle = 2.0 * std::numbers::pi * u2;
        out[2 * b] = mean + stddev * (r * std::cos(angle));
        if (2 * b + 1 < n) out[2 * b + 1] = mean + stddev * (r * std::sin(angle));
      }
    });
  }
}

/** The 128-bit product a * b as (high, low) 64-bit halves, in portable arithmetic. */
inline uint64_t mul_wide(uint64_t a, uint64_t b, uint64_t& low) {
  const uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
  const uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
  low = (mid << 32) | (p00 & 0xffffffffu);
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/** A uniform integer in [0, range) for element `index`, without modulo bias (Lemire's method with
 *  rejection; a rejected attempt moves to the next 64 bits, then to the block's next attempt). */
inline uint64_t bounded_u64(const GeneratorState& state, uint64_t index, uint64_t range) {
  const uint64_t threshold = (0 - range) % range;
  for (uint32_t attempt = 0;; ++attempt) {
    uint32_t w[4];
    random_block(state, index, attempt, w);
    for (int half = 0; half < 2; ++half) {
      const uint64_t x = (static_cast<uint64_t>(w[2 * half + 1]) << 32) | w[2 * half];
      uint64_t low;
      const uint64_t high = mul_wide(x, range, low);
      if (low >= threshold) return high;
    }
  }
}

template <class T>
void check_floating_sampler(const char* op) {
  static_assert(is_floating_v<T>, "this sampler needs a floating element type");
  (void)op;
}

}  // namespace detail

/** Uniform samples in [0, 1) (never 1, in every floating dtype). */
template <class T = float>
Tensor<T> rand(const Shape& shape, Generator& gen, const TensorOptions& options = {}) {
  detail::check_floating_sampler<T>("rand");
  Tensor<T> out = detail::empty_tensor<T>(shape, {.device = options.device}, "rand");
  detail::fill_uniform(out.data_ptr(), out.numel(), gen);
  if (options.requires_grad) out.requires_grad_(true);
  return out;
}
template <class T = float>
Tensor<T> rand(const Shape& shape, const TensorOptions& options = {}) {
  return rand<T>(shape, default_generator(), options);
}

/** Standard normal samples (Box-Muller). */
template <class T = float>
Tensor<T> randn(const Shape& shape, Generator& gen, const TensorOptions& options = {}) {
  detail::check_floating_sampler<T>("randn");
  Tensor<T> out = detail::empty_tensor<T>(shape, {.device = options.device}, "randn");
  detail::fill_normal(out.data_ptr(), out.numel(), gen, 0.0, 1.0);
  if (options.requires_grad) out.requires_grad_(true);
  return out;
}
template <class T = float>
Tensor<T> randn(const Shape& shape, const TensorOptions& options = {}) {
  return randn<T>(shape, default_generator(), options);
}

/** Uniform integers in [low, high), int64_t unless T is given; unbiased. */
template <class T = int64_t>
Tensor<T> randint(int64_t low, int64_t high, const Shape& shape, Generator& gen, const TensorOptions& options = {}) {
  TS_CHECK(low < high, "randint: random_ expects 'from' to be less than 'to', but got from=", low, " >= to=", high);
  Tensor<T> out = detail::empty_tensor<T>(shape, {.device = options.device}, "randint");
  const int64_t n = out.numel();
  const GeneratorState state = gen.reserve(static_cast<uint64_t>(n));
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  T* p = out.data_ptr();
  detail::parallel_for(0, n, 4096, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      p[i] = detail::convert<T>(static_cast<int64_t>(static_cast<uint64_t>(low) +
                                                     detail::bounded_u64(state, static_cast<uint64_t>(i), range)));
  });
  return out;
}
template <class T = int64_t>
Tensor<T> randint(int64_t low, int64_t high, const Shape& shape, const TensorOptions& options = {}) {
  return randint<T>(low, high, shape, default_generator(), options);
}
template <class T = int64_t>
Tensor<T> randint(int64_t high, const Shape& shape, const TensorOptions& options = {}) {
  return randint<T>(0, high, shape, default_generator(), options);
}

/** A random permutation of 0..n-1: elements ordered by a 64-bit random key each. */
template <class = void>
Tensor<int64_t> randperm(int64_t n, Generator& gen, const TensorOptions& options = {}) {
  TS_CHECK(n >= 0, "randperm: n must be non-negative, got ", n);
  const int64_t blocks = (n + 1) / 2;
  const GeneratorState state = gen.reserve(static_cast<uint64_t>(blocks));
  std::vector<std::pair<uint64_t, int64_t>> keyed(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    uint32_t w[4];
    detail::random_block(state, static_cast<uint64_t>(i / 2), 0, w);
    const int h = static_cast<int>(i % 2);
    keyed[static_cast<size_t>(i)] = {(static_cast<uint64_t>(w[2 * h + 1]) << 32) | w[2 * h], i};
  }
  std::sort(keyed.begin(), keyed.end());
  Tensor<int64_t> out = detail::empty_tensor<int64_t>({n}, {.device = options.device}, "randperm");
  for (int64_t i = 0; i < n; ++i) out.data_ptr()[i] = keyed[static_cast<size_t>(i)].second;
  return out;
}
template <class = void>
Tensor<int64_t> randperm(int64_t n, const TensorOptions& options = {}) {
  return randperm(n, default_generator(), options);
}

/** 1 with probability p (elementwise), else 0; same dtype and shape as p. */
template <class T>
Tensor<T> bernoulli(const Tensor<T>& p, Generator& gen) {
  detail::check_floating_sampler<T>("bernoulli");
  const Tensor<double> probs = p.template to<double>().contiguous();
  for (double v : probs.to_vector())
    TS_CHECK(v >= 0 && v <= 1, "bernoulli: Expected p_in >= 0 && p_in <= 1 to be true, but got ", v);
  Tensor<double> u = detail::empty_tensor<double>(p.sizes(), {.device = p.device()}, "bernoulli");
  detail::fill_uniform(u.data_ptr(), u.numel(), gen);
  return (u < probs).template to<T>();
}
template <class T>
Tensor<T> bernoulli(const Tensor<T>& p) {
  return bernoulli(p, default_generator());
}

/** Indices drawn from each row of non-negative weights `probs` (1-D or 2-D), with or without
 *  replacement; without, by the exponential race (largest log(u) / p first). */
template <class T>
Tensor<int64_t> multinomial(const Tensor<T>& probs, int64_t num_samples, bool replacement, Generator& gen) {
  TS_CHECK(probs.dim() == 1 || probs.dim() == 2, "multinomial: prob_dist must be 1 or 2 dim, got ", probs.dim());
  TS_CHECK(num_samples > 0, "multinomial: cannot sample n_sample <= 0 samples");
  const Tensor<double> w = probs.template to<double>().contiguous().reshape({-1, probs.sizes()[probs.dim() - 1]});
  const int64_t rows = w.sizes()[0], k = w.sizes()[1];
  TS_CHECK(replacement || num_samples <= k, "multinomial: cannot sample n_sample > prob_dist.size(-1) samples without "
           "replacement (", num_samples, " > ", k, ")");
  const double* p = w.data_ptr();
  for (int64_t r = 0; r < rows; ++r) {
    double total = 0;
    int64_t positive = 0;
    for (int64_t j = 0; j < k; ++j) {
      const double v = p[r * k + j];
      TS_CHECK(std::isfinite(v) && v >= 0, "multinomial: probability tensor contains either `inf`, `nan` or element < 0");
      total += v;
      positive += v > 0;
    }
    TS_CHECK(total > 0, "multinomial: invalid multinomial distribution (sum of probabilities <= 0)");
    TS_CHECK(replacement || positive >= num_samples, "multinomial: invalid multinomial distribution (with "
             "replacement=False, not enough non-negative category to sample)");
  }
  const int64_t draws = replacement ? rows * num_samples : rows * k;
  Tensor<double> u = detail::empty_tensor<double>({draws}, {}, "multinomial");
  detail::fill_uniform(u.data_ptr(), draws, gen);
  Tensor<int64_t> out = detail::empty_tensor<int64_t>({rows, num_samples}, {.device = probs.device()}, "multinomial");
  int64_t* o = out.data_ptr();
  const double* uv = u.data_ptr();
  for (int64_t r = 0; r < rows; ++r) {
    const double* pr = p + r * k;
    if (replacement) {
      std::vector<double> cdf(static_cast<size_t>(k));
      double running = 0;
      for (int64_t j = 0; j < k; ++j) cdf[static_cast<size_t>(j)] = running += pr[j];
      for (int64_t s = 0; s < num_samples; ++s) {
        const double target = uv[r * num_samples + s] * cdf.back();
        int64_t j = std::upper_bound(cdf.begin(), cdf.end(), target) - cdf.begin();
        while (j > 0 && (j >= k || pr[j] == 0)) --j;  // never a zero-weight category
        o[r * num_samples + s] = j;
      }
    } else {
      std::vector<std::pair<double, int64_t>> keys(static_cast<size_t>(k));
      for (int64_t j = 0; j < k; ++j)
        keys[static_cast<size_t>(j)] = {pr[j] > 0 ? std::log1p(-uv[r * k + j]) / pr[j] : -INFINITY, j};
      std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
      for (int64_t s = 0; s < num_samples; ++s) o[r * num_samples + s] = keys[static_cast<size_t>(s)].second;
    }
  }
  return probs.dim() == 1 ? out.view({num_samples}) : out;
}
template <class T>
Tensor<int64_t> multinomial(const Tensor<T>& probs, int64_t num_samples, bool replacement = false) {
  return multinomial(probs, num_samples, replacement, default_generator());
}

template <class T>
const Tensor<T>& Tensor<T>::uniform_(double from, double to, Generator& gen) const {
  detail::check_floating_sampler<T>("uniform_");
  TS_CHECK(from <= to, "uniform_: expects to return a [from, to) range, but found from=", from, " > to=", to);
  Tensor<T> u = detail::empty_tensor<T>(sizes(), {.device = device()}, "uniform_");
  detail::fill_uniform(u.data_ptr(), u.numel(), gen);
  if (from != 0 || to != 1) u = (u.template to<double>() * (to - from) + from).template to<T>();
  copy_(u);
  return *this;
}
template <class T>
const Tensor<T>& Tensor<T>::uniform_(double from, double to) const {
  return uniform_(from, to, default_generator());
}
template <class T>
const Tensor<T>& Tensor<T>::normal_(double mean, double stddev, Generator& gen) const {
  detail::check_floating_sampler<T>("normal_");
  TS_CHECK(stddev >= 0, "normal_: expects std >= 0.0, but found std ", stddev);
  Tensor<T> z = detail::empty_tensor<T>(sizes(), {.device = device()}, "normal_");
  detail::fill_normal(z.data_ptr(), z.numel(), gen, mean, stddev);
  copy_(z);
  return *this;
}
template <class T>
const Tensor<T>& Tensor<T>::normal_(double mean, double stddev) const {
  return normal_(mean, stddev, default_generator());
}

/** rand / randn with the shape, dtype and device of `like`. */
template <class T>
Tensor<T> rand_like(const Tensor<T>& like, Generator& gen = default_generator()) {
  return rand<T>(like.sizes(), gen, {.device = like.device()});
}
template <class T>
Tensor<T> randn_like(const Tensor<T>& like, Generator& gen = default_generator()) {
  return randn<T>(like.sizes(), gen, {.device = like.device()});
}

}  // namespace tessera
