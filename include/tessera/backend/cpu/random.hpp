#pragma once
// CPU random kernels: element i of a draw is a function of (seed, offset, i) only, so threads
// and vector widths never change a value. The bit-to-value mapping is docs/random.md.

#include "../../core/algorithm.hpp"
#include <cmath>
#include <string_view>
#include <vector>

#include "../../core/convert.hpp"
#include "../../iter/plan.hpp"
#include "../../parallel/parallel_for.hpp"
#include "../../random/generator.hpp"
#include "f64math.hpp"
#include "philox_simd.hpp"

namespace tessera::detail {

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
void fill_from_blocks(T* out, int64_t n, int64_t per, const GeneratorState& state, const F& f) {
  const int64_t blocks = (n + per - 1) / per;
  parallel_for(0, blocks, std::max<int64_t>(1, kGrainSize / per), [&](int64_t b0, int64_t b1) {
    uint32_t w[4];
    for (int64_t b = b0; b < b1; ++b) {
      random_block(state, static_cast<uint64_t>(b), 0, w);
      for (int64_t k = 0; k < per && b * per + k < n; ++k) out[b * per + k] = f(w, k);
    }
  });
}

/** The blocks a uniform or normal draw of n elements of T takes from its generator. */
template <class T>
int64_t blocks_for(int64_t n) {
  return (n + per_block<T> - 1) / per_block<T>;
}

/** out[0, n) uniform in [0, 1) from the blocks_for<T>(n) blocks reserved at `state`. */
template <class T>
void fill_uniform(T* out, int64_t n, const GeneratorState& state) {
  if constexpr (std::is_same_v<T, float>) return fill_random_simd<0>(out, n, state);
  constexpr bool wide = std::is_same_v<T, double>;
  fill_from_blocks(out, n, per_block<T>, state, [](const uint32_t* w, int64_t k) {
    return wide ? uniform_from_bits<T>(w[2 * k], w[2 * k + 1]) : uniform_from_bits<T>(w[k], 0);
  });
}

/** out[0, n) uniform in [from, to): u * (to - from) + from in double with u as fill_uniform<T>
 *  draws it, the product rounded before the sum (Note [Exact SIMD arithmetic]), then rounded to
 *  T as convert<T> rounds (half and bfloat16 through float). A GPU computes the same bits in
 *  integers (random.glsl). */
template <class T>
void fill_uniform_range(T* out, int64_t n, const GeneratorState& state, double from, double to) {
  const double span = to - from;
  if constexpr (std::is_same_v<T, float>) return fill_random_simd<0>(out, n, state, from, span);
  fill_uniform(out, n, state);
  parallel_for(0, n, kGrainSize, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      volatile double scaled = convert<double>(out[i]) * span;
      out[i] = convert<T>(from + scaled);
    }
  });
}

/** out[i] = (u < p) with u the double uniform of element i and p = probs[i], or `p` when probs
 *  is null, from the blocks_for<double>(n) blocks reserved at `state` (u = k 2^-53, so a GPU
 *  compares k with ceil(p 2^53) in integers). */
template <class T>
void fill_bernoulli(T* out, int64_t n, const GeneratorState& state, const T* probs, double p) {
  const int64_t blocks = (n + 1) / 2;
  parallel_for(0, blocks, std::max<int64_t>(1, kGrainSize / 2), [&](int64_t b0, int64_t b1) {
    uint32_t w[4];
    for (int64_t b = b0; b < b1; ++b) {
      random_block(state, static_cast<uint64_t>(b), 0, w);
      for (int64_t k = 0; k < 2 && 2 * b + k < n; ++k) {
        const int64_t i = 2 * b + k;
        const double u = uniform_from_bits<double>(w[2 * k], w[2 * k + 1]);
        out[i] = convert<T>(u < (probs ? convert<double>(probs[i]) : p));
      }
    }
  });
}

// Box-Muller. float, half and bfloat16 go through fill_random_simd (random/philox_simd.hpp);
// double takes one block per pair: u1 in (0, 1] from words 0 and 1, u2 in [0, 1) from words 2
// and 3, then r cos(2 pi u2) and r sin(2 pi u2) with r = sqrt(-2 log u1) (docs/random.md), with
// tessera's own log, sin and cos (f64math.hpp), which a GPU computes to the same bits.
template <class T>
void fill_normal(T* out, int64_t n, const GeneratorState& state, double mean, double stddev) {
  if constexpr (!std::is_same_v<T, double>) {
    fill_random_simd<1>(out, n, state, mean, stddev);
  } else {
    const int64_t blocks = (n + 1) / 2;
    parallel_for(0, blocks, std::max<int64_t>(1, kGrainSize / 2), [&](int64_t b0, int64_t b1) {
      uint32_t w[4];
      for (int64_t b = b0; b < b1; ++b) {
        random_block(state, static_cast<uint64_t>(b), 0, w);
        double z0, z1;
        f64math::f64_normal_pair((static_cast<uint64_t>(w[1]) << 32) | w[0], (static_cast<uint64_t>(w[3]) << 32) | w[2],
                                 mean, stddev, z0, z1);
        out[2 * b] = z0;
        if (2 * b + 1 < n) out[2 * b + 1] = z1;
      }
    });
  }
}

/** out[i] = T(-1 / lambd * log(1 - u)) with u the double uniform of element i (PyTorch's formula)
 *  and tessera's log (f64math.hpp, as a GPU computes it), from the blocks_for<double>(n) blocks
 *  reserved at `state`. */
template <class T>
void fill_exponential(T* out, int64_t n, const GeneratorState& state, double lambd) {
  const double c = -1.0 / lambd;
  fill_from_blocks(out, n, per_block<double>, state, [c](const uint32_t* w, int64_t k) {
    return static_cast<T>(f64math::f64_exponential((static_cast<uint64_t>(w[2 * k + 1]) << 32) | w[2 * k], c));
  });
}

/** out[i] = T(f(u)) with u the double uniform of element i, from the blocks_for<double>(n) blocks
 *  reserved at `state`: cauchy_ and geometric_, whose f uses tessera's own double functions
 *  (f64math.hpp), so that their bits do not depend on the platform (docs/random.md). */
template <class T, class F>
void fill_mapped_uniform(T* out, int64_t n, const GeneratorState& state, const F& f) {
  fill_from_blocks(out, n, per_block<double>, state, [&f](const uint32_t* w, int64_t k) {
    return convert<T>(f(uniform_from_bits<double>(w[2 * k], w[2 * k + 1])));
  });
}

/** out[i] = T(exp(z)) with z the double normal (mean, stddev) of element i: log_normal_, from the
 *  blocks_for<double>(n) blocks reserved at `state`. */
template <class T>
void fill_log_normal(T* out, int64_t n, const GeneratorState& state, double mean, double stddev) {
  std::vector<double> z(static_cast<size_t>(n));
  fill_normal(z.data(), n, state, mean, stddev);
  parallel_for(0, n, kGrainSize, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) out[i] = convert<T>(f64math::f64_exp(z[static_cast<size_t>(i)]));
  });
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

/** out[i] uniform in [low, low + range) for element i of the n blocks reserved at `state`. */
template <class T>
void fill_randint(T* out, int64_t n, const GeneratorState& state, int64_t low, uint64_t range) {
  parallel_for(0, n, 4096, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      out[i] = convert<T>(static_cast<int64_t>(static_cast<uint64_t>(low) + bounded_u64(state, static_cast<uint64_t>(i), range)));
  });
}

/** A permutation of 0..n-1 ordered by one 64-bit key per element from the (n + 1) / 2 blocks
 *  reserved at `state`. */
template <class = void>
void fill_randperm(int64_t* out, int64_t n, const GeneratorState& state) {
  std::vector<std::pair<uint64_t, int64_t>> keyed(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    uint32_t w[4];
    random_block(state, static_cast<uint64_t>(i / 2), 0, w);
    const int h = static_cast<int>(i % 2);
    keyed[static_cast<size_t>(i)] = {(static_cast<uint64_t>(w[2 * h + 1]) << 32) | w[2 * h], i};
  }
  std::sort(keyed.begin(), keyed.end());
  for (int64_t i = 0; i < n; ++i) out[i] = keyed[static_cast<size_t>(i)].second;
}

/** Checks each of `rows` rows of k weights: finite, non-negative, a positive sum, and enough
 *  positive weights for `num_samples` draws without replacement. */
template <class = void>
void check_multinomial_weights(const double* p, int64_t rows, int64_t k, int64_t num_samples, bool replacement) {
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
}

/** Draws `num_samples` indices from each row of k weights `p` with uniforms `u` (rows * num_samples
 *  with replacement, by inverting the running sums; rows * k without, by the exponential race:
 *  largest log(u) / p first). */
template <class = void>
void multinomial_rows(const double* p, const double* u, int64_t* out, int64_t rows, int64_t k,
                             int64_t num_samples, bool replacement) {
  for (int64_t r = 0; r < rows; ++r) {
    const double* pr = p + r * k;
    if (replacement) {
      std::vector<double> cdf(static_cast<size_t>(k));
      double running = 0;
      for (int64_t j = 0; j < k; ++j) cdf[static_cast<size_t>(j)] = running += pr[j];
      for (int64_t s = 0; s < num_samples; ++s) {
        const double target = u[r * num_samples + s] * cdf.back();
        int64_t j = std::upper_bound(cdf.begin(), cdf.end(), target) - cdf.begin();
        while (j > 0 && (j >= k || pr[j] == 0)) --j;  // never a zero-weight category
        out[r * num_samples + s] = j;
      }
    } else {
      std::vector<std::pair<double, int64_t>> keys(static_cast<size_t>(k));
      for (int64_t j = 0; j < k; ++j)
        keys[static_cast<size_t>(j)] = {pr[j] > 0 ? std::log1p(-u[r * k + j]) / pr[j] : -INFINITY, j};
      std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
      for (int64_t s = 0; s < num_samples; ++s) out[r * num_samples + s] = keys[static_cast<size_t>(s)].second;
    }
  }
}

/** The CPU kernel of a random plan: fills `out` (contiguous) as the plan says; `input` is the
 *  data of plan.input (bernoulli's probabilities), if any. */
template <class T>
void fill_random(T* out, const RandomPlan& plan, const T* input = nullptr) {
  GeneratorState state;
  state.seed = plan.seed;
  state.offset = plan.offset;
  const int64_t n = plan.out->numel;
  if (std::string_view(plan.op) == "randint") {
    fill_randint(out, n, state, plan.low, plan.range);
  } else if (std::string_view(plan.op) == "randperm") {
    if constexpr (std::is_same_v<T, int64_t>) fill_randperm(out, n, state);
  } else if (std::string_view(plan.op) == "bernoulli") {
    fill_bernoulli(out, n, state, input, plan.p);
  } else if constexpr (is_floating_v<T>) {
    if (std::string_view(plan.op) == "normal") fill_normal(out, n, state, plan.mean, plan.stddev);
    else if (std::string_view(plan.op) == "exponential") fill_exponential(out, n, state, plan.lambd);
    else if (plan.from != 0 || plan.to != 1) fill_uniform_range(out, n, state, plan.from, plan.to);
    else fill_uniform(out, n, state);
  }
}

}  // namespace tessera::detail
