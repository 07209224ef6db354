#pragma once
// im2col and col2im: the sliding windows of an image [N, C, H, W] as rows of a matrix, and
// back (summing overlaps). Convolution is im2col followed by one matrix product; pooling is
// im2col followed by a reduction over each window. Each is the other's derivative, so the
// backward of a convolution runs through the matrix kernel and one pass over the image, and
// can itself be differentiated.

#include "../autograd/formulas.hpp"
#include "../ops/creation.hpp"
#include "../parallel/parallel_for.hpp"

namespace tessera::detail {
template <class A> struct Im2ColBackward0;
template <class A> struct Col2ImBackward0;
}  // namespace tessera::detail

namespace tessera::nn::functional {

/** Where k x k windows (square, stride, zero padding, dilation) fall on an [N, C, H, W] image. */
struct WindowGeometry {
  int64_t n = 0, c = 0, h = 0, w = 0;
  int64_t k = 1, stride = 1, padding = 0, dilation = 1;
  int64_t oh = 0, ow = 0;  // windows along H and W
  // Layout of the columns: [N, OH, OW, C, k, k] (rows of a convolution's matrix product) when
  // true, else [N, C, OH, OW, k, k] (a pooling reduces the last two dims to NCHW).
  bool channels_inner = true;

  Shape columns_shape() const { return channels_inner ? Shape{n, oh, ow, c, k, k} : Shape{n, c, oh, ow, k, k}; }
  /** Offset of window (oh, ow) of plane (n, c) in the columns, in elements. */
  int64_t column_offset(int64_t in, int64_t ic, int64_t ih, int64_t iw) const {
    const int64_t kk = k * k;
    return channels_inner ? (((in * oh + ih) * ow + iw) * c + ic) * kk : (((in * c + ic) * oh + ih) * ow + iw) * kk;
  }
};

/** The geometry of k x k windows over x, checked: throws when the padded image is smaller
 *  than one window. */
template <class T>
WindowGeometry window_geometry(const Tensor<T>& x, int64_t k, int64_t stride, int64_t padding, int64_t dilation,
                               bool channels_inner, const char* op) {
  TS_CHECK(x.dim() == 4, op, ": expected a 4-D input [N, C, H, W], got shape ", tessera::detail::shape_str(x.sizes()));
  TS_CHECK(k > 0 && stride > 0 && padding >= 0 && dilation > 0, op, ": kernel size, stride and dilation must be "
           "positive and padding non-negative (got kernel ", k, ", stride ", stride, ", padding ", padding,
           ", dilation ", dilation, ")");
  WindowGeometry g{x.size(0), x.size(1), x.size(2), x.size(3), k, stride, padding, dilation, 0, 0, channels_inner};
  const int64_t span = dilation * (k - 1) + 1;
  TS_CHECK(g.h + 2 * padding >= span && g.w + 2 * padding >= span, op, ": input of shape ",
           tessera::detail::shape_str(x.sizes()), " with padding ", padding, " is smaller than the ", k, "x", k,
           " kernel (dilation ", dilation, ")");
  g.oh = (g.h + 2 * padding - span) / stride + 1;
  g.ow = (g.w + 2 * padding - span) / stride + 1;
  return g;
}

namespace detail_window {

/** Calls f(column element, image element or -1 for padding) for every element of the windows
 *  of plane (in, ic), in the columns' order within each window. */
template <class F>
void for_each_window_element(const WindowGeometry& g, int64_t in, int64_t ic, const F& f) {
  for (int64_t y = 0; y < g.oh; ++y)
    for (int64_t x = 0; x < g.ow; ++x) {
      const int64_t col = g.column_offset(in, ic, y, x);
      for (int64_t ki = 0; ki < g.k; ++ki) {
        const int64_t iy = y * g.stride - g.padding + ki * g.dilation;
        const bool row_inside = iy >= 0 && iy < g.h;
        for (int64_t kj = 0; kj < g.k; ++kj) {
          const int64_t ix = x * g.stride - g.padding + kj * g.dilation;
          f(col + ki * g.k + kj, row_inside && ix >= 0 && ix < g.w ? iy * g.w + ix : -1);
        }
      }
    }
}

/** Planes (n, c) split among threads; each plane's work is independent, so results do not
 *  depend on the thread count. */
template <class F>
void for_each_plane(const WindowGeometry& g, const F& f) {
  const int64_t per_plane = std::max<int64_t>(g.oh * g.ow * g.k * g.k, 1);
  tessera::detail::parallel_for(0, g.n * g.c, std::max<int64_t>(1, tessera::detail::kGrainSize / per_plane),
                                [&](int64_t begin, int64_t end) {
                                  for (int64_t p = begin; p < end; ++p) f(p / g.c, p % g.c);
                                });
}

}  // namespace detail_window

template <class T>
Tensor<T> col2im(const Tensor<T>& columns, const WindowGeometry& g);

/** The windows of x as columns (layout in WindowGeometry), `pad` where they overhang the image. */
template <class T>
Tensor<T> im2col(const Tensor<T>& x, const WindowGeometry& g, T pad = T(0)) {
  TS_CHECK(x.sizes() == (Shape{g.n, g.c, g.h, g.w}), "im2col: input of shape ", tessera::detail::shape_str(x.sizes()),
           " does not match the window geometry");
  const Tensor<T> src = x.contiguous();
  Tensor<T> out = tessera::detail::empty_tensor<T>(g.columns_shape(), {}, "im2col");
  const T* in = src.data_ptr();
  T* dst = out.data_ptr();
  detail_window::for_each_plane(g, [&](int64_t n, int64_t c) {
    const T* plane = in + (n * g.c + c) * g.h * g.w;
    detail_window::for_each_window_element(g, n, c, [&](int64_t col, int64_t pixel) {
      dst[col] = pixel >= 0 ? plane[pixel] : pad;
    });
  });
  if (tessera::detail::needs_grad(x)) tessera::detail::record<tessera::detail::Im2ColBackward0<T>>({x}, {out}, g);
  return out;
}

/** The image whose windows are `columns`, each pixel the sum of its copies (padding dropped). */
template <class T>
Tensor<T> col2im(const Tensor<T>& columns, const WindowGeometry& g) {
  TS_CHECK(columns.sizes() == g.columns_shape(), "col2im: columns of shape ",
           tessera::detail::shape_str(columns.sizes()), " do not match the window geometry");
  const Tensor<T> src = columns.contiguous();
  Tensor<T> out = zeros<T>({g.n, g.c, g.h, g.w});
  const T* cols = src.data_ptr();
  T* dst = out.data_ptr();
  detail_window::for_each_plane(g, [&](int64_t n, int64_t c) {
    T* plane = dst + (n * g.c + c) * g.h * g.w;
    detail_window::for_each_window_element(g, n, c, [&](int64_t col, int64_t pixel) {
      if (pixel >= 0) plane[pixel] += cols[col];
    });
  });
  if (tessera::detail::needs_grad(columns))
    tessera::detail::record<tessera::detail::Col2ImBackward0<T>>({columns}, {out}, g);
  return out;
}

}  // namespace tessera::nn::functional

namespace tessera::detail {

template <class A>
struct Im2ColBackward0 final : Node {
  nn::functional::WindowGeometry geometry;
  explicit Im2ColBackward0(const nn::functional::WindowGeometry& g) : geometry(g) {}
  const char* name() const override { return "Im2ColBackward0"; }
  variable_list apply(variable_list&& grads) override { return {nn::functional::col2im(grads[0].as<A>(), geometry)}; }
};

template <class A>
struct Col2ImBackward0 final : Node {
  nn::functional::WindowGeometry geometry;
  explicit Col2ImBackward0(const nn::functional::WindowGeometry& g) : geometry(g) {}
  const char* name() const override { return "Col2ImBackward0"; }
  variable_list apply(variable_list&& grads) override { return {nn::functional::im2col(grads[0].as<A>(), geometry)}; }
};

}  // namespace tessera::detail
