#pragma once
// CPU kernels of layer_norm over the last n elements of each row (the forward pass with the
// row statistics it saves, and the input's gradient) and of batch_norm per channel.

#include <cmath>
#include <type_traits>

#include "../../core/convert.hpp"
#include "../../core/type_rules.hpp"
#include "../../parallel/parallel_for.hpp"
#include "vectorized.hpp"

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

// Note [Batch norm planes]
// batch_norm's CPU kernels take x [N, C, S] (contiguous) a plane (n, c) of S elements at a time,
// in pieces of at most kPlanePiece elements that stay in L1 while the steps of the formula run
// over them one after the other (a vector_run each). Each kernel reads its tensors from memory
// once, and every element rounds as in the composed ops, step by step. A channel's sums add its
// pieces' sums (vector_sum) in order, in double for float; threads take whole channels, so the
// sums do not depend on their number.
inline constexpr int64_t kPlanePiece = 2048;


/** Calls f(offset, length, channel) for each piece of each plane of [N, C, S], in parallel. */
template <class F>
void for_each_plane_piece(int64_t n, int64_t c, int64_t s, const F& f) {
  parallel_for(0, n * c, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(s, 1)), [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; ++p)
      for (int64_t i = 0; i < s; i += kPlanePiece) f(p * s + i, std::min(kPlanePiece, s - i), p % c);
  });
}

/** Calls f(channel, piece_sum) for each channel, in parallel, where piece_sum(g) is the sum over
 *  the channel's pieces, in order, of g(offset, length). */
template <class T, class F>
void for_each_channel(int64_t n, int64_t c, int64_t s, const F& f) {
  parallel_for(0, c, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t ch = lo; ch < hi; ++ch)
      f(ch, [&](const auto& g) {
        std::conditional_t<std::is_same_v<T, float>, double, T> total = 0;
        for (int64_t i = 0; i < n; ++i)
          for (int64_t j = 0; j < s; j += kPlanePiece) total += g((i * c + ch) * s + j, std::min(kPlanePiece, s - j));
        return static_cast<T>(total);
      });
  });
}

/** mean[c] and var[c] (biased) of each channel of x [N, C, S]: two passes, the second summing
 *  the squares of x - mean (float or double). */
template <class T>
void batch_norm_statistics(const T* x, int64_t n, int64_t c, int64_t s, T* mean, T* var) {
  const T count = static_cast<T>(n * s);
  for_each_channel<T>(n, c, s, [&](int64_t ch, const auto& piece_sum) {
    alignas(64) T piece[kPlanePiece];
    const T m = piece_sum([&](int64_t at, int64_t len) { return vector_sum(x + at, len); }) / count;
    var[ch] = piece_sum([&](int64_t at, int64_t len) {
      vector_run<T, 2, vector_ops::Sub>(piece, {x + at, &m}, {false, true}, len);
      vector_run<T, 2, vector_ops::Mul>(piece, {piece, piece}, {false, false}, len);
      return vector_sum(piece, len);
    }) / count;
    mean[ch] = m;
  });
}

/** out = x * alpha[c] + beta[c] for x [N, C, S] (two roundings, as the composed ops). */
template <class T>
void batch_norm_affine(T* out, const T* x, int64_t n, int64_t c, int64_t s, const T* alpha, const T* beta) {
  for_each_plane_piece(n, c, s, [&](int64_t at, int64_t len, int64_t ch) {
    vector_run<T, 2, vector_ops::Mul>(out + at, {x + at, alpha + ch}, {false, true}, len);
    vector_run<T, 2, vector_ops::Add>(out + at, {out + at, beta + ch}, {false, true}, len);
  });
}

/** sum_g[c] = the sum of g, dot[c] = the sum of g * (x - mean[c]) over each channel of [N, C, S]. */
template <class T>
void batch_norm_backward_sums(const T* g, const T* x, const T* mean, int64_t n, int64_t c, int64_t s, T* sum_g,
                              T* dot) {
  for_each_channel<T>(n, c, s, [&](int64_t ch, const auto& piece_sum) {
    alignas(64) T piece[kPlanePiece];
    if (sum_g) sum_g[ch] = piece_sum([&](int64_t at, int64_t len) { return vector_sum(g + at, len); });
    dot[ch] = piece_sum([&](int64_t at, int64_t len) {
      vector_run<T, 2, vector_ops::Sub>(piece, {x + at, mean + ch}, {false, true}, len);
      vector_run<T, 2, vector_ops::Mul>(piece, {piece, g + at}, {false, false}, len);
      return vector_sum(piece, len);
    });
  });
}

/** gx = ((x - mean[c]) * neg_k[c] + g - mean_g[c]) * scale[c]: batch_norm's input gradient in
 *  training, step by step as the composed ops round it. */
template <class T>
void batch_norm_backward_input(T* gx, const T* g, const T* x, const T* mean, const T* neg_k, const T* mean_g,
                               const T* scale, int64_t n, int64_t c, int64_t s) {
  for_each_plane_piece(n, c, s, [&](int64_t at, int64_t len, int64_t ch) {
    T* out = gx + at;
    vector_run<T, 2, vector_ops::Sub>(out, {x + at, mean + ch}, {false, true}, len);
    vector_run<T, 2, vector_ops::Mul>(out, {out, neg_k + ch}, {false, true}, len);
    vector_run<T, 2, vector_ops::Add>(out, {out, g + at}, {false, false}, len);
    vector_run<T, 2, vector_ops::Sub>(out, {out, mean_g + ch}, {false, true}, len);
    vector_run<T, 2, vector_ops::Mul>(out, {out, scale + ch}, {false, true}, len);
  });
}

/** gx = g * a[c] + (x * b[c] + d[c]) for g, x [N, C, S]: group_norm's input gradient (Note
 *  [Group norm planes]), in one pass over pieces that stay in L1. */
template <class T>
void norm_backward_affine(T* gx, const T* g, const T* x, const T* a, const T* b, const T* d, int64_t n, int64_t c,
                          int64_t s) {
  for_each_plane_piece(n, c, s, [&](int64_t at, int64_t len, int64_t ch) {
    alignas(64) T piece[kPlanePiece];
    T* out = gx + at;
    vector_run<T, 2, vector_ops::Mul>(out, {x + at, b + ch}, {false, true}, len);
    vector_run<T, 2, vector_ops::Add>(out, {out, d + ch}, {false, true}, len);
    vector_run<T, 2, vector_ops::Mul>(piece, {g + at, a + ch}, {false, true}, len);
    vector_run<T, 2, vector_ops::Add>(out, {out, piece}, {false, false}, len);
  });
}

}  // namespace tessera::detail
