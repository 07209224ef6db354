#pragma once
// CPU kernels of layer_norm over the last n elements of each row: the forward pass with the
// row statistics it saves, and the input's gradient.

#include <cmath>

#include "../../core/convert.hpp"
#include "../../core/type_rules.hpp"
#include "../../parallel/parallel_for.hpp"

namespace tessera::detail {

/** y = (x - mean) * rstd * w + b for each of `rows` contiguous rows of n elements; mean and
 *  rstd (1 / sqrt(biased variance + eps)) of each row stored. w and b may be null. Two passes
 *  over the row (mean, then the squared deviations) in T's compute type. */
template <class T>
void layer_norm_rows(const T* x, const T* w, const T* b, T* y, T* mean, T* rstd, int64_t rows, int64_t n,
                     double eps) {
  using C = opmath_t<T>;
  parallel_for(0, rows, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(n, 1)), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const T* in = x + r * n;
      T* out = y + r * n;
      C sum = 0;
      for (int64_t i = 0; i < n; ++i) sum += convert<C>(in[i]);
      const C m = sum / static_cast<C>(n);
      C squares = 0;
      for (int64_t i = 0; i < n; ++i) {
        const C d = convert<C>(in[i]) - m;
        squares += d * d;
      }
      const C rs = C(1) / std::sqrt(squares / static_cast<C>(n) + static_cast<C>(eps));
      for (int64_t i = 0; i < n; ++i) {
        C v = (convert<C>(in[i]) - m) * rs;
        if (w) v = v * convert<C>(w[i]);
        if (b) v = v + convert<C>(b[i]);
        out[i] = convert<T>(v);
      }
      mean[r] = convert<T>(m);
      rstd[r] = convert<T>(rs);
    }
  });
}

/** dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) per row, with g = dy * w (dy when w is
 *  null) and xhat = (x - mean) * rstd: layer_norm's gradient for its input. */
template <class T>
void layer_norm_backward_rows(const T* dy, const T* x, const T* w, const T* mean, const T* rstd, T* dx, int64_t rows,
                              int64_t n) {
  using C = opmath_t<T>;
  parallel_for(0, rows, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(n, 1)), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const T *gy = dy + r * n, *in = x + r * n;
      const C m = convert<C>(mean[r]), rs = convert<C>(rstd[r]);
      C sum_g = 0, sum_gx = 0;
      for (int64_t i = 0; i < n; ++i) {
        const C g = w ? convert<C>(gy[i]) * convert<C>(w[i]) : convert<C>(gy[i]);
        sum_g += g;
        sum_gx += g * (convert<C>(in[i]) - m) * rs;
      }
      const C mean_g = sum_g / static_cast<C>(n), mean_gx = sum_gx / static_cast<C>(n);
      for (int64_t i = 0; i < n; ++i) {
        const C g = w ? convert<C>(gy[i]) * convert<C>(w[i]) : convert<C>(gy[i]);
        const C xhat = (convert<C>(in[i]) - m) * rs;
        dx[r * n + i] = convert<T>(rs * (g - mean_g - xhat * mean_gx));
      }
    }
  });
}

}  // namespace tessera::detail
