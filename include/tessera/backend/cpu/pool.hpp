#pragma once
// CPU kernels of max pooling over windows given as lists of positions (Note [Fixed-window
// pooling] in nn/pooling.hpp): the maximum of each window and its index, and the gradient that
// goes back to those indices. Other devices compose the same results from ops.

#include <algorithm>
#include <cstdint>
#include <span>

#include "../../core/dtype.hpp"
#include "../../core/config.hpp"
#include "../../parallel/parallel_for.hpp"

namespace tessera::detail {

/** Whether the n values from p hold a NaN. */
template <class T>
bool has_nan(const T* p, int64_t n) {
  if constexpr (!is_floating_v<T>) {
    return false;
  } else {
    bool nan = false;
    for (int64_t i = 0; i < n; ++i) nan |= p[i] != p[i];
    return nan;
  }
}

/** For each of `rows` planes of x [rows, plane] and each window w (the positions
 *  taps[bounds[w]:bounds[w + 1]] of its elements inside the plane), PyTorch's maximum: the loop
 *  `if (v > max || isnan(v))` from `lowest` and the window's `start` index, so the first maximum
 *  or else the last NaN, and `start` where nothing beats `lowest`. values and indices are
 *  [rows, windows]. A plane without NaN skips the NaN test, which would double the loop's work. */
template <class T>
void max_windows_forward(const T* x, T* values, int64_t* indices, int64_t rows, int64_t plane, std::span<const int64_t> taps,
                         std::span<const int64_t> bounds, std::span<const int64_t> start, T lowest) {
  const auto windows = static_cast<int64_t>(start.size());
  const int64_t work = std::max<int64_t>(static_cast<int64_t>(taps.size()) + plane, 1);
  parallel_for(0, rows, std::max<int64_t>(1, kGrainSize / work), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const T* src = x + r * plane;
      T* value = values + r * windows;
      int64_t* index = indices + r * windows;
      const bool nan = has_nan(src, plane);
      for (int64_t w = 0; w < windows; ++w) {
        T best = lowest;
        int64_t at = start[static_cast<size_t>(w)];
        const int64_t* tap = taps.data() + bounds[static_cast<size_t>(w)];
        const int64_t* end = taps.data() + bounds[static_cast<size_t>(w) + 1];
        if (!nan) {
          for (; tap != end; ++tap)
            if (src[*tap] > best) best = src[*tap], at = *tap;
        } else {
          for (; tap != end; ++tap)
            if (src[*tap] > best || src[*tap] != src[*tap]) best = src[*tap], at = *tap;
        }
        value[w] = best;
        index[w] = at;
      }
    }
  });
}

/** grad [rows, plane] = zero, then each window's g [rows, windows] added at its index, windows in
 *  order (as scatter_add adds them); the windows `empty` marks (when not empty itself) add none.
 *  An index outside the plane (saved indices written to behind autograd's back) is an error. */
template <class T>
void max_windows_backward(const T* g, const int64_t* indices, T* grad, int64_t rows, int64_t plane, int64_t windows,
                          std::span<const uint8_t> empty) {
  parallel_for(0, rows, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(windows + plane, 1)), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      T* dst = grad + r * plane;
      std::fill(dst, dst + plane, T(0));
      const T* from = g + r * windows;
      const int64_t* at = indices + r * windows;
      for (int64_t w = 0; w < windows; ++w) {
        if (!empty.empty() && empty[static_cast<size_t>(w)]) continue;
        TS_CHECK(at[w] >= 0 && at[w] < plane, "max_pool_backward: index ", at[w], " is out of bounds for a plane of ",
                 plane, " elements");
        dst[at[w]] = dst[at[w]] + from[w];
      }
    }
  });
}

}  // namespace tessera::detail
