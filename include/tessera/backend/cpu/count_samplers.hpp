#pragma once
// Samplers of counts on the CPU, poisson and binomial: PyTorch's algorithms, fed by an mt19937
// generator in PyTorch's order (its values bit for bit) or by a stream of Philox blocks per
// element (docs/random.md).

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "../../core/convert.hpp"
#include "f64math.hpp"
#include "../../parallel/parallel_for.hpp"
#include "../../random/generator.hpp"
#include "mt19937_random.hpp"
#include "random.hpp"

namespace tessera::detail {

/** Element `element`'s own double uniforms: the two of block `element` of the reservation at
 *  `state` (words 0-1, then 2-3), then those of the same counter with its third word set to 1,
 *  2, ..., as a rejection sampler asks for more (docs/random.md). */
class ElementStream {
 public:
  ElementStream(const GeneratorState& state, uint64_t element) : state_(state), element_(element) {}
  double operator()() {
    if (drawn_ == 2) {
      random_block(state_, element_, attempt_++, words_);
      drawn_ = 0;
    }
    const double u = uniform_from_bits<double>(words_[2 * drawn_], words_[2 * drawn_ + 1]);
    ++drawn_;
    return u;
  }

 private:
  const GeneratorState& state_;
  uint64_t element_;
  uint32_t attempt_ = 0, words_[4] = {};
  int drawn_ = 2;
};

/** PyTorch's sample_poisson (NumPy's): for a rate of 10 or more Hörmann's transformed rejection
 *  (1993), below it the count of uniforms whose running product stays above exp(-rate);
 *  `uniform()` gives the next double in [0, 1). The rate is checked by the caller. */
template <class Uniform>
int64_t sample_poisson(double lambda, Uniform&& uniform) {
  using f64math::exact;  // products rounded before their sums, as PyTorch's build (no FMA) rounds them
  if (lambda >= 10) {
    const double slam = std::sqrt(lambda), loglam = std::log(lambda);
    const double b = 0.931 + exact(2.53 * slam), a = -0.059 + exact(0.02483 * b);
    const double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
    while (true) {
      const double u = uniform() - 0.5, v = uniform(), us = 0.5 - std::fabs(u);
      // a draw too large for int64 gives INT64_MIN, as x86's conversion in PyTorch's build
      const int64_t k = float_to_integral<int64_t>(std::floor(exact((2 * a / us + b) * u) + lambda + 0.43));
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <=
          -lambda + exact(static_cast<double>(k) * loglam) - std::lgamma(static_cast<double>(k) + 1))
        return k;
    }
  }
  if (lambda == 0) return 0;
  const double enlam = std::exp(-lambda);
  int64_t x = 0;
  for (double prod = uniform();; prod *= uniform()) {
    if (!(prod > enlam)) return x;
    ++x;
  }
}

// Note [PyTorch's binomial]
// PyTorch's sample_binomial (TensorFlow's): 0 for a count or probability of 0 or less, the count
// for a probability of 1 or more; otherwise, with q the smaller of p and 1 - p (the count minus
// the draw when q = 1 - p), Hörmann's BTRS rejection when count * q >= 10, else the inversion
// that adds geometric gaps until they pass the count. The arithmetic keeps PyTorch's types: S
// (the tensors' float or double) where its kernel writes scalar_t, double where accscalar_t.

/** Stirling's series' tail log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi) / 2], tabulated
 *  below 10. */
inline double stirling_approx_tail(double k) {
  static constexpr double tail[] = {0.0810614667953272,  0.0413406959554092,  0.0276779256849983, 0.02079067210376509,
                                    0.0166446911898211,  0.0138761288230707,  0.0118967099458917, 0.0104112652619720,
                                    0.00925546218271273, 0.00833056343336287};
  if (k <= 9) return tail[static_cast<size_t>(k)];
  const double kp1sq = (k + 1) * (k + 1);
  return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1);
}

template <class S, class Uniform>
S binomial_inversion(S count, S prob, Uniform& uniform) {
  double geom_sum = 0;
  S num_geom = 0;
  const double logprob = std::log1p(-prob);  // in S, as PyTorch's compat_log1p of a scalar_t
  while (true) {
    geom_sum += std::ceil(std::log(uniform()) / logprob);
    if (geom_sum > count) return num_geom;
    num_geom = num_geom + 1;
  }
}

template <class S, class Uniform>
S binomial_btrs(S count, S prob, Uniform& uniform) {
  using f64math::exact;  // products rounded before their sums, as PyTorch's build (no FMA) rounds them
  const double stddev = std::sqrt(count * prob * (1 - prob));
  const double b = 1.15 + exact(2.53 * stddev), a = -0.0873 + exact(0.0248 * b) + exact(0.01 * prob);
  const double c = exact(count * prob) + 0.5;
  const double v_r = 0.92 - 4.2 / b, r = prob / (1 - prob);
  const double alpha = (2.83 + 5.1 / b) * stddev, m = std::floor((count + 1) * prob);
  while (true) {
    const double u = uniform() - 0.5;
    double v = uniform();
    const double us = 0.5 - std::fabs(u);
    const S k = static_cast<S>(std::floor(exact((2 * a / us + b) * u) + c));
    if (k < 0 || k > count) continue;
    if (us >= 0.07 && v <= v_r) return k;
    v = std::log(v * alpha / (a / (us * us) + b));
    const double upperbound =
        (exact((m + 0.5) * std::log((m + 1) / (r * (count - m + 1)))) +
         exact((count + 1) * std::log((count - m + 1) / (count - k + 1))) +
         exact((k + 0.5) * std::log(r * (count - k + 1) / (k + 1))) + stirling_approx_tail(m) +
         stirling_approx_tail(count - m) - stirling_approx_tail(k) - stirling_approx_tail(count - k));
    if (v <= upperbound) return k;
  }
}

/** A binomial draw of `count` trials of probability `prob` (Note [PyTorch's binomial]). */
template <class S, class Uniform>
S sample_binomial(S count, S prob, Uniform&& uniform) {
  if (std::isnan(count)) return count;  // PyTorch's inversion never ends there
  if (count <= 0 || prob <= 0) return 0;
  if (prob >= 1) return count;
  if (prob <= 0.5) return count * prob >= 10 ? binomial_btrs(count, prob, uniform) : binomial_inversion(count, prob, uniform);
  if (prob > 0.5) {
    const S q = static_cast<S>(1.0 - prob);
    return count - (count * q >= 10 ? binomial_btrs(count, q, uniform) : binomial_inversion(count, q, uniform));
  }
  return static_cast<S>(NAN);  // a NaN probability
}

/** A count as the element type: through float for float and bfloat16, as PyTorch's
 *  static_cast<scalar_t> of an int64. */
template <class T, class I>
T count_as(I k) {
  if constexpr (std::is_same_v<T, double>) return static_cast<double>(k);
  else return convert<T>(static_cast<float>(k));
}

/** out[i] = draw(i, uniform) for each element, one after another from the mt19937 words (two per
 *  uniform), as PyTorch's CPU kernels draw them. */
template <class T, class F>
void mt_fill_counts(Mt19937& e, T* out, int64_t n, const F& draw) {
  const auto uniform = [&e] { return mt_double01(e.next64()); };
  for (int64_t i = 0; i < n; ++i) out[i] = draw(i, uniform);
}

/** out[i] = draw(i, uniform) for each element from its own stream of the n blocks reserved at
 *  `state` (ElementStream), so that the values do not depend on the thread count. */
template <class T, class F>
void fill_counts(T* out, int64_t n, const GeneratorState* state, const F& draw) {
  parallel_for(0, n, 64, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) out[i] = draw(i, ElementStream(*state, static_cast<uint64_t>(i)));
  });
}

/** out[i] = a Poisson draw of rate rates[i] (contiguous, n elements), from an mt19937 engine, or
 *  from the Philox blocks reserved at `state` when `e` is null. */
template <class T>
void fill_poisson(Mt19937* e, const GeneratorState* state, const T* rates, T* out, int64_t n) {
  const auto draw = [rates](int64_t i, auto&& uniform) {
    return count_as<T>(sample_poisson(convert<double>(rates[i]), uniform));
  };
  if (e) mt_fill_counts(*e, out, n, draw);
  else fill_counts(out, n, state, draw);
}

/** out[i] = a binomial draw of count[i] trials of probability prob[i] (contiguous, n elements),
 *  from an mt19937 engine, or from the Philox blocks reserved at `state` when `e` is null. */
template <class T>
void fill_binomial(Mt19937* e, const GeneratorState* state, const T* count, const T* prob, T* out, int64_t n) {
  const auto draw = [count, prob](int64_t i, auto&& uniform) { return sample_binomial(count[i], prob[i], uniform); };
  if (e) mt_fill_counts(*e, out, n, draw);
  else fill_counts(out, n, state, draw);
}

}  // namespace tessera::detail
