#pragma once
// Poisson draws on the CPU: PyTorch's sampler, fed by an mt19937 generator in PyTorch's order
// (its values bit for bit) or by a stream of Philox blocks per element (docs/random.md).

#include <cmath>
#include <cstdint>

#include "../../core/convert.hpp"
#include "../../parallel/parallel_for.hpp"
#include "../../random/generator.hpp"
#include "random.hpp"

namespace tessera::detail {

/** x truncated to int64 as x86's conversion does it: INT64_MIN for NaN and what does not fit (the
 *  value PyTorch's build returns for an infinite or huge rate), with no undefined behaviour. */
inline int64_t truncate_like_x86(double x) {
  if (!(x >= -0x1p63 && x < 0x1p63)) return INT64_MIN;
  return static_cast<int64_t>(x);
}

/** PyTorch's sample_poisson (NumPy's): for a rate of 10 or more Hörmann's transformed rejection
 *  (1993), below it the count of uniforms whose running product stays above exp(-rate);
 *  `uniform()` gives the next double in [0, 1). The rate is checked by the caller. */
template <class Uniform>
int64_t sample_poisson(double lambda, Uniform&& uniform) {
  if (lambda >= 10) {
    const double slam = std::sqrt(lambda), loglam = std::log(lambda);
    const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    const double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
    while (true) {
      const double u = uniform() - 0.5, v = uniform(), us = 0.5 - std::fabs(u);
      const int64_t k = truncate_like_x86(std::floor((2 * a / us + b) * u + lambda + 0.43));
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <=
          -lambda + static_cast<double>(k) * loglam - std::lgamma(static_cast<double>(k) + 1))
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

/** out[i] = a Poisson draw of rate rates[i], one element after another from the mt19937 words
 *  (two per uniform), as PyTorch's CPU kernel draws them. */
template <class T>
void mt_fill_poisson(Mt19937& e, const T* rates, T* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = convert<T>(static_cast<double>(
        sample_poisson(convert<double>(rates[i]), [&e] { return static_cast<double>(e.next64() & ((uint64_t{1} << 53) - 1)) * 0x1p-53; })));
}

/** out[i] = a Poisson draw of rate rates[i] from element i's own uniforms: the two doubles of
 *  block i of the n reserved at `state`, then of the same counter with its third word set to 1,
 *  2, ... (docs/random.md), so that the values do not depend on the thread count. */
template <class T>
void fill_poisson(const T* rates, T* out, int64_t n, const GeneratorState& state) {
  parallel_for(0, n, 64, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      uint32_t w[4];
      uint32_t attempt = 0;
      int drawn = 2;  // of the current block's two doubles
      const auto uniform = [&] {
        if (drawn == 2) random_block(state, static_cast<uint64_t>(i), attempt++, w), drawn = 0;
        const double u = uniform_from_bits<double>(w[2 * drawn], w[2 * drawn + 1]);
        ++drawn;
        return u;
      };
      out[i] = convert<T>(static_cast<double>(sample_poisson(convert<double>(rates[i]), uniform)));
    }
  });
}

}  // namespace tessera::detail
