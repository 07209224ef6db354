#pragma once
// CPU kernels of a resize along one dim by taps (interpolate's, Note [Interpolation by
// composition] in nn/upsampling.hpp): each output position the sum of a few input positions
// times their weights, and the adjoint that spreads a gradient back.

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "../../parallel/parallel_for.hpp"
#include "vectorized.hpp"

namespace tessera::detail {

/** One tap of a resize: the source position of each of the m output positions, and its weight
 *  (null: 1). */
template <class T>
struct ResizeTap {
  const int64_t* index;
  const T* weight;
};

// Note [Resize rounding]
// The kernels round as the composed ops they replace (index_select, mul, add; mul, index_add):
// every product is rounded before it is added, the taps summed in order, and the adjoint adds the
// rounded products tap by tap, positions in order. So products and sums are separate loops through
// memory: a compiler may fuse a product into the sum that follows it (an FMA, with -march or
// -ffp-contract), but not across a store it cannot remove.

/** into [m, inner] = src [n, inner] at the tap's positions times its weights. A last dim
 *  (inner 1) has its own loops: the general ones would spend more on starting each row of one
 *  element than on the element. */
template <class T>
void gather_tap(const T* src, const ResizeTap<T>& tap, T* into, int64_t m, int64_t inner) {
  if (inner == 1) {
    if (tap.weight)
      for (int64_t o = 0; o < m; ++o) into[o] = src[tap.index[o]] * tap.weight[o];
    else
      for (int64_t o = 0; o < m; ++o) into[o] = src[tap.index[o]];
    return;
  }
  for (int64_t o = 0; o < m; ++o) {
    const T* row = src + tap.index[o] * inner;
    T* to = into + o * inner;
    if (tap.weight) vector_run<T, 2, vector_ops::Mul>(to, {row, tap.weight + o}, {false, true}, inner);
    else std::copy(row, row + inner, to);
  }
}

/** out [outer, m, inner] = the sum over `taps` of x [outer, n, inner] at each tap's positions
 *  times its weights (Note [Resize rounding]). */
template <class T>
void resize_taps_forward(const T* x, T* out, int64_t outer, int64_t n, int64_t m, int64_t inner,
                         std::span<const ResizeTap<T>> taps) {
  const int64_t block = m * inner, work = std::max<int64_t>(block * static_cast<int64_t>(taps.size()), 1);
  parallel_for(0, outer, std::max<int64_t>(1, kGrainSize / work), [&](int64_t lo, int64_t hi) {
    std::vector<T> product(taps.size() > 1 ? static_cast<size_t>(block) : 0);
    for (int64_t r = lo; r < hi; ++r) {
      const T* src = x + r * n * inner;
      T* dst = out + r * block;
      for (size_t k = 0; k < taps.size(); ++k) {
        gather_tap(src, taps[k], k == 0 ? dst : product.data(), m, inner);
        if (k > 0) vector_run<T, 2, vector_ops::Add>(dst, {dst, product.data()}, {false, false}, block);
      }
    }
  });
}

/** grad_x [outer, n, inner] = the adjoint of resize_taps_forward applied to g [outer, m, inner]:
 *  zero, then each tap's weighted g added at its positions (Note [Resize rounding]). */
template <class T>
void resize_taps_backward(const T* g, T* grad_x, int64_t outer, int64_t n, int64_t m, int64_t inner,
                          std::span<const ResizeTap<T>> taps) {
  const int64_t block = m * inner, work = std::max<int64_t>(block * static_cast<int64_t>(taps.size()), 1);
  parallel_for(0, outer, std::max<int64_t>(1, kGrainSize / work), [&](int64_t lo, int64_t hi) {
    std::vector<T> product(static_cast<size_t>(block));
    for (int64_t r = lo; r < hi; ++r) {
      const T* from = g + r * block;
      T* dst = grad_x + r * n * inner;
      std::fill(dst, dst + n * inner, T(0));
      for (const ResizeTap<T>& tap : taps) {
        const T* share = from;
        if (tap.weight && inner == 1) {
          for (int64_t o = 0; o < m; ++o) product[static_cast<size_t>(o)] = from[o] * tap.weight[o];
          share = product.data();
        } else if (tap.weight) {
          for (int64_t o = 0; o < m; ++o)
            vector_run<T, 2, vector_ops::Mul>(product.data() + o * inner, {from + o * inner, tap.weight + o}, {false, true}, inner);
          share = product.data();
        }
        if (inner == 1) {
          for (int64_t o = 0; o < m; ++o) dst[tap.index[o]] = dst[tap.index[o]] + share[o];
          continue;
        }
        for (int64_t o = 0; o < m; ++o) {
          T* to = dst + tap.index[o] * inner;
          vector_run<T, 2, vector_ops::Add>(to, {to, share + o * inner}, {false, false}, inner);
        }
      }
    }
  });
}

}  // namespace tessera::detail
