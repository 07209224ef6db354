#pragma once
// CPU window kernels: im2col (the windows of an image as columns) and col2im (back, summing
// overlaps), for convolution and pooling.

#include "../../iter/plan.hpp"
#include "../../parallel/parallel_for.hpp"
#include "math.hpp"

namespace tessera::detail {


/** Calls f(column element, image element or -1 for padding) for every element of the windows
 *  of plane (in, ic), in the columns' order within each window. */
template <class F>
void for_each_window_element(const WindowGeometry& g, int64_t in, int64_t ic, const F& f) {
  for (int64_t y = 0; y < g.oh; ++y)
    for (int64_t x = 0; x < g.ow; ++x) {
      const int64_t col = g.column_offset(in, ic, y, x);
      for (int64_t ki = 0; ki < g.kh; ++ki) {
        const int64_t iy = y * g.sh - g.ph + ki * g.dh;
        const bool row_inside = iy >= 0 && iy < g.h;
        for (int64_t kj = 0; kj < g.kw; ++kj) {
          const int64_t ix = x * g.sw - g.pw + kj * g.dw;
          f(col + ki * g.kw + kj, row_inside && ix >= 0 && ix < g.w ? iy * g.w + ix : -1);
        }
      }
    }
}

/** Planes (n, c) split among threads; each plane's work is independent, so results do not
 *  depend on the thread count. */
template <class F>
void for_each_plane(const WindowGeometry& g, const F& f) {
  const int64_t per_plane = std::max<int64_t>(g.oh * g.ow * g.kh * g.kw, 1);
  parallel_for(0, g.n * g.c, std::max<int64_t>(1, kGrainSize / per_plane),
                                [&](int64_t begin, int64_t end) {
                                  for (int64_t p = begin; p < end; ++p) f(p / g.c, p % g.c);
                                });
}

/** columns[...] = the windows of the contiguous image `in`, `pad` where they overhang it. */
template <class T>
void im2col_fill(T* dst, const T* in, const WindowGeometry& g, T pad) {
  for_each_plane(g, [&](int64_t n, int64_t c) {
    const T* plane = in + (n * g.c + c) * g.h * g.w;
    for_each_window_element(g, n, c, [&](int64_t col, int64_t pixel) { dst[col] = pixel >= 0 ? plane[pixel] : pad; });
  });
}

/** image += every window element of the contiguous columns at its pixel (padding dropped). */
template <class T>
void col2im_add(T* dst, const T* cols, const WindowGeometry& g) {
  for_each_plane(g, [&](int64_t n, int64_t c) {
    T* plane = dst + (n * g.c + c) * g.h * g.w;
    for_each_window_element(g, n, c, [&](int64_t col, int64_t pixel) {
      // Integers wrap (Note [Wrapping integer arithmetic]); half and bfloat16 add in float.
      if (pixel >= 0) plane[pixel] = math::add<T>(plane[pixel], cols[col]);
    });
  });
}

}  // namespace tessera::detail
