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
#include "expanding_array.hpp"

namespace tessera::detail {
template <class A> struct Im2ColBackward0;
template <class A> struct Col2ImBackward0;
}  // namespace tessera::detail

namespace tessera::nn::functional {

using tessera::detail::WindowGeometry;

/** The geometry of kernel[0] x kernel[1] windows over x (each argument an int or a pair, the
 *  padding on both sides), checked: throws when the padded image is smaller than one window. */
template <class T>
WindowGeometry window_geometry(const Tensor<T>& x, const nn::ExpandingArray<2>& kernel, const nn::ExpandingArray<2>& stride,
                               const nn::ExpandingArray<2>& padding, const nn::ExpandingArray<2>& dilation,
                               bool channels_inner, const char* op) {
  TS_CHECK(x.dim() == 4, op, ": expected a 4-D input [N, C, H, W], got shape ", tessera::detail::shape_str(x.sizes()));
  for (const auto* a : {&kernel, &stride, &padding, &dilation})
    TS_CHECK(a->size() == 1 || a->size() == 2, op, ": expected an int or a pair for each window argument, got ",
             tessera::detail::shape_str(a->values));
  WindowGeometry g{.n = x.size(0), .c = x.size(1), .h = x.size(2), .w = x.size(3), .kh = kernel[0], .kw = kernel[1],
                   .sh = stride[0], .sw = stride[1], .ph = padding[0], .pw = padding[1], .dh = dilation[0],
                   .dw = dilation[1], .channels_inner = channels_inner};
  TS_CHECK(g.kh > 0 && g.kw > 0 && g.sh > 0 && g.sw > 0 && g.ph >= 0 && g.pw >= 0 && g.dh > 0 && g.dw > 0, op,
           ": kernel size, stride and dilation must be positive and padding non-negative (got kernel ",
           tessera::detail::shape_str(kernel.values), ", stride ", tessera::detail::shape_str(stride.values), ", padding ",
           tessera::detail::shape_str(padding.values), ", dilation ", tessera::detail::shape_str(dilation.values), ")");
  const int64_t span_h = g.dh * (g.kh - 1) + 1, span_w = g.dw * (g.kw - 1) + 1;
  TS_CHECK(g.h + 2 * g.ph >= span_h && g.w + 2 * g.pw >= span_w, op, ": input of shape ",
           tessera::detail::shape_str(x.sizes()), " with padding ", tessera::detail::shape_str(padding.values),
           " is smaller than the ", g.kh, "x", g.kw, " kernel (dilation ", tessera::detail::shape_str(dilation.values), ")");
  g.oh = (g.h + 2 * g.ph - span_h) / g.sh + 1;
  g.ow = (g.w + 2 * g.pw - span_w) / g.sw + 1;
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
