#pragma once
// im2col and col2im: the sliding windows of an image [N, C, H, W] as rows of a matrix, and
// back (summing overlaps). Convolution is im2col followed by one matrix product; pooling is
// im2col followed by a reduction over each window. Each is the other's derivative, so the
// backward of a convolution runs through the matrix kernel and one pass over the image, and
// can itself be differentiated.

#include "../autograd/formulas.hpp"
#include "../backend/cpu/window.hpp"
#include "../backend/dispatch.hpp"
#include "../ops/creation.hpp"

namespace tessera::detail {
template <class A> struct Im2ColBackward0;
template <class A> struct Col2ImBackward0;
}  // namespace tessera::detail

namespace tessera::nn::functional {

using tessera::detail::WindowGeometry;

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

template <class T>
Tensor<T> col2im(const Tensor<T>& columns, const WindowGeometry& g);

/** The windows of x as columns (layout in WindowGeometry), `pad` where they overhang the image. */
template <class T>
Tensor<T> im2col(const Tensor<T>& x, const WindowGeometry& g, T pad = T(0)) {
  TS_CHECK(x.sizes() == (Shape{g.n, g.c, g.h, g.w}), "im2col: input of shape ", tessera::detail::shape_str(x.sizes()),
           " does not match the window geometry");
  const Tensor<T> src = x.contiguous();
  Tensor<T> out = tessera::detail::empty_tensor<T>(g.columns_shape(), {.device = x.device()}, "im2col");
  tessera::detail::dispatch_plan(
      tessera::detail::WindowPlan{.op = "im2col", .out = &out.impl(), .fresh_out = true, .input = &src.impl(), .geometry = &g,
                                  .pad = tessera::detail::convert<double>(pad)},
      [&] { tessera::detail::im2col_fill(out.kernel_data(), src.kernel_data(), g, pad); });
  if (tessera::detail::needs_grad(x)) tessera::detail::record<tessera::detail::Im2ColBackward0<T>>({x}, {out}, g);
  return out;
}

/** The image whose windows are `columns`, each pixel the sum of its copies (padding dropped). */
template <class T>
Tensor<T> col2im(const Tensor<T>& columns, const WindowGeometry& g) {
  TS_CHECK(columns.sizes() == g.columns_shape(), "col2im: columns of shape ",
           tessera::detail::shape_str(columns.sizes()), " do not match the window geometry");
  const Tensor<T> src = columns.contiguous();
  Tensor<T> out = zeros<T>({g.n, g.c, g.h, g.w}, {.device = columns.device()});
  tessera::detail::dispatch_plan(
      tessera::detail::WindowPlan{.op = "col2im", .out = &out.impl(), .fresh_out = true, .input = &src.impl(), .geometry = &g},
      [&] { tessera::detail::col2im_add(out.kernel_data(), src.kernel_data(), g); });
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
