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

// Note [Window order]
// With the channels inner (convolution's layout, [N, OH, OW, C, kh, kw]) each window of one plane
// is a few elements far from the next, so a plane at a time writes (or reads) the columns a few
// bytes per cache line. Those kernels go along the columns instead: a window position, every
// channel's window at it, in memory order, reading from the few image rows it covers. Each image
// pixel still receives its copies in the order of the windows, so col2im's sums are the same.

/** Calls f(column, image row or nullptr for padding, first column in the row, its step) for every
 *  window row (channel c, kernel row ki) of channels [c0, c1) at output position (y, x) of the
 *  image at `image`, in the columns' order (channels inner): that row's kw elements are
 *  column[kj] = row[first + kj * step] where 0 <= first + kj * step < w, else padding. */
template <class T, class F>
void for_each_window_row(const WindowGeometry& g, T* image, int64_t y, int64_t x, int64_t c0, int64_t c1, const F& f) {
  const int64_t first = x * g.sw - g.pw;
  for (int64_t c = c0; c < c1; ++c)
    for (int64_t ki = 0; ki < g.kh; ++ki) {
      const int64_t iy = y * g.sh - g.ph + ki * g.dh;
      f(c * g.kh + ki, iy >= 0 && iy < g.h ? image + (c * g.h + iy) * g.w : nullptr, first, g.dw);
    }
}

/** columns[...] = the windows of the contiguous image `in`, `pad` where they overhang it. */
template <class T>
void im2col_fill(T* dst, const T* in, const WindowGeometry& g, T pad) {
  if (g.channels_inner) {  // Note [Window order]: output rows (n, y) split among threads
    const int64_t per_row = std::max<int64_t>(g.ow * g.c * g.kh * g.kw, 1);
    parallel_for(0, g.n * g.oh, std::max<int64_t>(1, kGrainSize / per_row), [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const T* image = in + r / g.oh * g.c * g.h * g.w;
        T* out = dst + r * g.ow * g.c * g.kh * g.kw;
        for (int64_t x = 0; x < g.ow; ++x)
          for_each_window_row(g, image, r % g.oh, x, 0, g.c, [&](int64_t, const T* row, int64_t first, int64_t step) {
            for (int64_t kj = 0; kj < g.kw; ++kj) {
              const int64_t ix = first + kj * step;
              *out++ = row && ix >= 0 && ix < g.w ? row[ix] : pad;
            }
          });
      }
    });
    return;
  }
  for_each_plane(g, [&](int64_t n, int64_t c) {
    const T* plane = in + (n * g.c + c) * g.h * g.w;
    for_each_window_element(g, n, c, [&](int64_t col, int64_t pixel) { dst[col] = pixel >= 0 ? plane[pixel] : pad; });
  });
}

/** image += every window element of the contiguous columns at its pixel (padding dropped). */
template <class T>
void col2im_add(T* dst, const T* cols, const WindowGeometry& g) {
  // Integers wrap (Note [Wrapping integer arithmetic]); half and bfloat16 add in float.
  if (g.channels_inner) {  // Note [Window order]: blocks of 8 channels of one image split among threads
    constexpr int64_t kBlock = 8;
    const int64_t blocks = (g.c + kBlock - 1) / kBlock, kk = g.kh * g.kw;
    const int64_t per_task = std::max<int64_t>(g.oh * g.ow * std::min(g.c, kBlock) * kk, 1);
    parallel_for(0, g.n * blocks, std::max<int64_t>(1, kGrainSize / per_task), [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) {
        const int64_t n = t / blocks, c0 = t % blocks * kBlock, c1 = std::min(g.c, c0 + kBlock);
        T* image = dst + n * g.c * g.h * g.w;
        for (int64_t y = 0; y < g.oh; ++y)
          for (int64_t x = 0; x < g.ow; ++x) {
            const T* window = cols + g.column_offset(n, c0, y, x);
            for_each_window_row(g, image, y, x, c0, c1, [&](int64_t k, T* row, int64_t first, int64_t step) {
              if (!row) return;
              const T* in = window + (k - c0 * g.kh) * g.kw;
              for (int64_t kj = 0; kj < g.kw; ++kj)
                if (const int64_t ix = first + kj * step; ix >= 0 && ix < g.w) row[ix] = math::add<T>(row[ix], in[kj]);
            });
          }
      }
    });
    return;
  }
  for_each_plane(g, [&](int64_t n, int64_t c) {
    T* plane = dst + (n * g.c + c) * g.h * g.w;
    for_each_window_element(g, n, c, [&](int64_t col, int64_t pixel) {
      if (pixel >= 0) plane[pixel] = math::add<T>(plane[pixel], cols[col]);
    });
  });
}

}  // namespace tessera::detail
