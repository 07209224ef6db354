#pragma once
// CPU row kernels: softmax, log_softmax, cumsum, cumprod, cummax, cummin and logcumsumexp, each
// along one dim, row by row.

#include "../../core/algorithm.hpp"
#include <cmath>
#include <limits>

#include "../../core/convert.hpp"
#include "../../core/type_rules.hpp"
#include "../../core/tensor_impl.hpp"
#include "../../iter/strided_loop.hpp"
#include "../../parallel/parallel_for.hpp"
#include "math.hpp"

namespace tessera::detail {

/** Calls f(in_row, out_row, in_stride, out_stride, length) for every row of x along `dim`. */
template <class T, class Out, class F>
void for_each_row(const TensorImpl& x, const TensorImpl& out, int64_t dim, const F& f) {
  if (x.numel == 0) return;
  if (x.dim() == 0) {
    f(reinterpret_cast<const T*>(x.data()), reinterpret_cast<Out*>(out.data()), 1, 1, 1);
    return;
  }
  Shape outer = x.sizes;
  outer[dim] = 1;
  const StridedLoop<2> loop(outer, {x.data(), out.data()}, {&x.strides, &out.strides},
                            {static_cast<int64_t>(sizeof(T)), static_cast<int64_t>(sizeof(Out))});
  const int64_t len = x.sizes[dim], xs = x.strides[dim], os = out.strides[dim];
  parallel_for(0, loop.numel(), std::max<int64_t>(1, kGrainSize / std::max<int64_t>(len, 1)), [&](int64_t b, int64_t e) {
    loop.run([&](const auto& p, const auto& s, int64_t n) {
      for (int64_t i = 0; i < n; ++i)
        f(reinterpret_cast<const T*>(p[0] + i * s[0]), reinterpret_cast<Out*>(p[1] + i * s[1]), xs, os, len);
    }, b, e);
  });
}

/** softmax (or log_softmax) of every row of x along `dim`, shifted by the row maximum. */
template <bool log, class T, class F>
void softmax_rows(const TensorImpl& x, const TensorImpl& out, int64_t dim) {
  using C = opmath_t<F>;
  for_each_row<T, F>(x, out, dim, [](const T* in, F* o, int64_t is, int64_t os, int64_t n) {
    C m = -INFINITY;
    for (int64_t i = 0; i < n; ++i) m = std::max(m, convert<C>(in[i * is]));
    C total = 0;
    for (int64_t i = 0; i < n; ++i) total += std::exp(convert<C>(in[i * is]) - m);
    if constexpr (log) {
      const C shift = m + std::log(total);
      for (int64_t i = 0; i < n; ++i) o[i * os] = convert<F>(convert<C>(in[i * is]) - shift);
    } else {
      for (int64_t i = 0; i < n; ++i) o[i * os] = convert<F>(std::exp(convert<C>(in[i * is]) - m) / total);
    }
  });
}

/** Running sums of every row along `dim`; float sums accumulate in double, as PyTorch's CPU kernel. */
template <class T, class R>
void cumsum_rows(const TensorImpl& x, const TensorImpl& out, int64_t dim) {
  using Acc = std::conditional_t<is_floating_v<T>, double, int64_t>;
  for_each_row<T, R>(x, out, dim, [](const T* in, R* o, int64_t is, int64_t os, int64_t n) {
    Acc acc = 0;
    for (int64_t i = 0; i < n; ++i) {
      acc = math::add(acc, convert<Acc>(in[i * is]));  // Note [Wrapping integer arithmetic]
      o[i * os] = convert<R>(acc);
    }
  });
}

/** Running products of every row along `dim`, accumulated as cumsum's sums (double, int64). */
template <class T, class R>
void cumprod_rows(const TensorImpl& x, const TensorImpl& out, int64_t dim) {
  using Acc = std::conditional_t<is_floating_v<T>, double, int64_t>;
  for_each_row<T, R>(x, out, dim, [](const T* in, R* o, int64_t is, int64_t os, int64_t n) {
    Acc acc = 1;
    for (int64_t i = 0; i < n; ++i) {
      acc = math::mul(acc, convert<Acc>(in[i * is]));  // Note [Wrapping integer arithmetic]
      o[i * os] = convert<R>(acc);
    }
  });
}

/** Running log(sum(exp)) of every row along `dim`: each step is logaddexp of the running value
 *  and the next element, in opmath, as PyTorch's CPU kernel. */
template <class T>
void logcumsumexp_rows(const TensorImpl& x, const TensorImpl& out, int64_t dim) {
  using C = opmath_t<T>;
  for_each_row<T, T>(x, out, dim, [](const T* in, T* o, int64_t is, int64_t os, int64_t n) {
    C acc = -std::numeric_limits<C>::infinity();
    for (int64_t i = 0; i < n; ++i) {
      const C v = convert<C>(in[i * is]);
      const C lo = std::min(acc, v), hi = std::max(acc, v);
      if (std::isnan(v) || std::isnan(acc)) acc = std::numeric_limits<C>::quiet_NaN();
      else if (lo != hi || std::isfinite(lo)) acc = hi + std::log1p(std::exp(lo - hi));
      else acc = hi;  // both -inf (or both +inf): exp(lo - hi) would be NaN
      o[i * os] = convert<T>(acc);
    }
  });
}

/** Running maxima (max) or minima of every row along `dim` and their int64 positions, as
 *  PyTorch's cummax_cummin_helper: an equal element takes over (the last index of a tie), and
 *  NaN takes over and stays, each later NaN taking its own index. */
template <bool max, class T>
void cumextreme_rows(const TensorImpl& x, const TensorImpl& values, const TensorImpl& indices, int64_t dim) {
  if (x.numel == 0) return;
  const auto row = [](const T* in, T* v, int64_t* ix, int64_t is, int64_t vs, int64_t xs, int64_t n) {
    T best = in[0];
    int64_t at = 0;
    for (int64_t i = 0; i < n; ++i) {
      const T e = in[i * is];
      bool take;
      if constexpr (is_floating_v<T>) {
        const bool e_nan = std::isnan(convert<double>(e)), best_nan = std::isnan(convert<double>(best));
        take = e_nan || (!best_nan && (max ? convert<double>(e) >= convert<double>(best) : convert<double>(e) <= convert<double>(best)));
      } else {
        take = max ? e >= best : e <= best;
      }
      if (take) best = e, at = i;
      v[i * vs] = best;
      ix[i * xs] = at;
    }
  };
  if (x.dim() == 0) {
    row(reinterpret_cast<const T*>(x.data()), reinterpret_cast<T*>(values.data()), reinterpret_cast<int64_t*>(indices.data()),
        1, 1, 1, 1);
    return;
  }
  Shape outer = x.sizes;
  outer[dim] = 1;
  const StridedLoop<3> loop(outer, {x.data(), values.data(), indices.data()}, {&x.strides, &values.strides, &indices.strides},
                            {static_cast<int64_t>(sizeof(T)), static_cast<int64_t>(sizeof(T)), static_cast<int64_t>(sizeof(int64_t))});
  const int64_t len = x.sizes[dim], is = x.strides[dim], vs = values.strides[dim], xs = indices.strides[dim];
  parallel_for(0, loop.numel(), std::max<int64_t>(1, kGrainSize / std::max<int64_t>(len, 1)), [&](int64_t b, int64_t e) {
    loop.run([&](const auto& p, const auto& s, int64_t n) {
      for (int64_t i = 0; i < n; ++i)
        row(reinterpret_cast<const T*>(p[0] + i * s[0]), reinterpret_cast<T*>(p[1] + i * s[1]),
            reinterpret_cast<int64_t*>(p[2] + i * s[2]), is, vs, xs, len);
    }, b, e);
  });
}

}  // namespace tessera::detail
