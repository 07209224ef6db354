#pragma once
// F::unfold and F::fold (torch.nn.functional's im2col and col2im, in PyTorch's layout) and the
// layers Unfold and Fold.

#include <array>
#include <cstdint>
#include <string>
#include <utility>

#include "im2col.hpp"
#include "module.hpp"

namespace tessera::nn {

namespace detail_fold {

using ::tessera::detail::shape_str;

/** The four window arguments as pairs, checked in PyTorch's order for `op` ("im2col" checks the
 *  dilation before the stride, "col2im" after), with its messages. */
struct Window {
  int64_t kh, kw, dh, dw, ph, pw, sh, sw;
};
template <class = void>
Window window(const char* op, const ExpandingArray<2>& kernel, const ExpandingArray<2>& dilation,
                     const ExpandingArray<2>& padding, const ExpandingArray<2>& stride, bool stride_second) {
  for (const auto* a : {&kernel, &dilation, &padding, &stride})
    TS_CHECK(a->size() == 1 || a->size() == 2, op, ": expected an int or a pair for each window argument, got ",
             shape_str(a->values));
  const Window w{kernel[0], kernel[1], dilation[0], dilation[1], padding[0], padding[1], stride[0], stride[1]};
  TS_CHECK(w.kh > 0 && w.kw > 0, op, ": kernel size should be greater than zero, but got kernel_height: ", w.kh,
           " kernel_width: ", w.kw);
  const auto check_stride = [&] {
    TS_CHECK(w.sh > 0 && w.sw > 0, op, ": stride should be greater than zero, but got stride_height: ", w.sh,
             " stride_width: ", w.sw);
  };
  if (stride_second) check_stride();
  TS_CHECK(w.dh > 0 && w.dw > 0, op, ": dilation should be greater than zero, but got dilation_height: ", w.dh,
           " dilation_width: ", w.dw);
  TS_CHECK(w.ph >= 0 && w.pw >= 0, op, ": padding should be non-negative, but got pad_height: ", w.ph,
           " pad_width: ", w.pw);
  if (!stride_second) check_stride();
  return w;
}

/** The number of windows along one dim of `size` (PyTorch's div_rtn: rounded down, also below 0). */
template <class = void>
int64_t blocks(int64_t size, int64_t pad, int64_t dilation, int64_t kernel, int64_t stride) {
  const int64_t span = size + 2 * pad - dilation * (kernel - 1) - 1;
  return (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1;
}

/** The window geometry of images [n, c, h, w] (columns [N, C, OH, OW, kh, kw]). */
template <class = void>
::tessera::detail::WindowGeometry geometry(int64_t n, int64_t c, int64_t h, int64_t w, const Window& win,
                                                  int64_t oh, int64_t ow) {
  return {.n = n, .c = c, .h = h, .w = w, .kh = win.kh, .kw = win.kw, .sh = win.sh, .sw = win.sw, .ph = win.ph,
          .pw = win.pw, .dh = win.dh, .dw = win.dw, .oh = oh, .ow = ow, .channels_inner = false};
}

template <class T>
Tensor<T> unfold(const Tensor<T>& x, const ::tessera::detail::WindowGeometry& g);
template <class T>
Tensor<T> fold(const Tensor<T>& columns, const ::tessera::detail::WindowGeometry& g);

/** unfold's node (PyTorch's Im2ColBackward0): the gradient folds back; and fold's
 *  (Col2ImBackward0): it unfolds. Each is the other's adjoint, so both differentiate again. */
template <class T>
struct UnfoldBackward final : ::tessera::detail::Node {
  ::tessera::detail::WindowGeometry geometry;
  bool folds;  // fold's node, whose gradient unfolds
  UnfoldBackward(const ::tessera::detail::WindowGeometry& g, bool is_fold) : geometry(g), folds(is_fold) {}
  const char* name() const override { return folds ? "Col2ImBackward0" : "Im2ColBackward0"; }
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    const Tensor<T> g = grads[0].as<T>();
    return {folds ? unfold(g, geometry) : fold(g, geometry)};
  }
};

/** The windows of x [N, C, H, W] as columns [N, C * kh * kw, OH * OW]. */
template <class T>
Tensor<T> unfold(const Tensor<T>& x, const ::tessera::detail::WindowGeometry& g) {
  Tensor<T> out;
  {
    NoGradGuard no_grad;  // the derivative is UnfoldBackward's
    out = functional::im2col(x, g).permute({0, 1, 4, 5, 2, 3}).reshape({g.n, g.c * g.kh * g.kw, g.oh * g.ow});
  }
  if (::tessera::detail::needs_grad(x)) ::tessera::detail::record<UnfoldBackward<T>>({x}, {out}, g, false);
  return out;
}

/** The images [N, C, H, W] whose windows are the columns [N, C * kh * kw, OH * OW], each pixel
 *  the sum of its copies. */
template <class T>
Tensor<T> fold(const Tensor<T>& columns, const ::tessera::detail::WindowGeometry& g) {
  Tensor<T> out;
  {
    NoGradGuard no_grad;  // the derivative is UnfoldBackward's
    out = functional::col2im(columns.view({g.n, g.c, g.kh, g.kw, g.oh, g.ow}).permute({0, 1, 4, 5, 2, 3}), g);
  }
  if (::tessera::detail::needs_grad(columns)) ::tessera::detail::record<UnfoldBackward<T>>({columns}, {out}, g, true);
  return out;
}

}  // namespace detail_fold

namespace functional {

/** The sliding kernel_size windows of input [N, C, H, W] (or [C, H, W]) as the columns of
 *  [N, C * kh * kw, L] (or [C * kh * kw, L]), L the number of windows, each row one channel and
 *  kernel position: torch.nn.functional.unfold, arguments in its order, each an int or a pair. */
template <class T>
Tensor<T> unfold(const Tensor<T>& input, ExpandingArray<2> kernel_size, ExpandingArray<2> dilation = 1,
                 ExpandingArray<2> padding = 0, ExpandingArray<2> stride = 1) {
  const detail_fold::Window win = detail_fold::window("unfold", kernel_size, dilation, padding, stride, false);
  const int64_t dim = input.dim();
  const bool valid = (dim == 3 && input.size(0) != 0 && input.size(1) != 0 && input.size(2) != 0) ||
                     (dim == 4 && input.size(1) != 0 && input.size(2) != 0 && input.size(3) != 0);
  TS_CHECK(valid, "unfold: Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
           "dimensions for input, but got: ", detail_fold::shape_str(input.sizes()));
  const Tensor<T> x = dim == 4 ? input : input.unsqueeze(0);
  const int64_t h = x.size(2), w = x.size(3);
  const int64_t oh = detail_fold::blocks(h, win.ph, win.dh, win.kh, win.sh);
  const int64_t ow = detail_fold::blocks(w, win.pw, win.dw, win.kw, win.sw);
  TS_CHECK(oh >= 1 && ow >= 1, "unfold: Given input with spatial size (", h, ", ", w, "), kernel_size=(", win.kh, ", ",
           win.kw, "), dilation=(", win.dh, ", ", win.dw, "), padding=(", win.ph, ", ", win.pw,
           "), calculated shape of the array of sliding blocks as (", oh, ", ", ow,
           "), but its components must be at least one.");
  const Tensor<T> out = detail_fold::unfold(x, detail_fold::geometry(x.size(0), x.size(1), h, w, win, oh, ow));
  return dim == 4 ? out : out.squeeze(0);
}

/** The images of output_size whose windows are the columns of input [N, C * kh * kw, L] (or
 *  [C * kh * kw, L]), each pixel the sum of its copies: torch.nn.functional.fold, unfold's
 *  adjoint, arguments in its order. */
template <class T>
Tensor<T> fold(const Tensor<T>& input, ExpandingArray<2> output_size, ExpandingArray<2> kernel_size,
               ExpandingArray<2> dilation = 1, ExpandingArray<2> padding = 0, ExpandingArray<2> stride = 1) {
  TS_CHECK(output_size.size() == 1 || output_size.size() == 2, "fold: expected an int or a pair for output_size, got ",
           detail_fold::shape_str(output_size.values));
  const detail_fold::Window win = detail_fold::window("fold", kernel_size, dilation, padding, stride, true);
  const int64_t dim = input.dim();
  const bool valid = (dim == 2 && input.size(0) != 0 && input.size(1) != 0) ||
                     (dim == 3 && input.size(1) != 0 && input.size(2) != 0);
  TS_CHECK(valid, "fold: Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero "
           "dimensions for input, but got: ", detail_fold::shape_str(input.sizes()));
  const Tensor<T> x = dim == 3 ? input : input.unsqueeze(0);
  const int64_t planes = x.size(1), length = x.size(2), h = output_size[0], w = output_size[1];
  TS_CHECK(planes % (win.kh * win.kw) == 0, "fold: Expected size of input's dimension 1 to be divisible by the "
           "product of kernel_size, but got input.size(1)=", planes, " and kernel_size=(", win.kh, ", ", win.kw, ").");
  const int64_t oh = detail_fold::blocks(h, win.ph, win.dh, win.kh, win.sh);
  const int64_t ow = detail_fold::blocks(w, win.pw, win.dw, win.kw, win.sw);
  // PyTorch's words for the geometry, built only for a message
  const auto given = [&] {
    std::string out;
    const std::pair<const char*, std::array<int64_t, 2>> parts[] = {
        {"Given output_size=(", {h, w}},          {"kernel_size=(", {win.kh, win.kw}}, {"dilation=(", {win.dh, win.dw}},
        {"padding=(", {win.ph, win.pw}}, {"stride=(", {win.sh, win.sw}}};
    for (const auto& [name, pair] : parts) {
      out += name;
      ::tessera::detail::append_int(out, pair[0]);
      out += ", ";
      ::tessera::detail::append_int(out, pair[1]);
      out += "), ";
    }
    return out;
  };
  TS_CHECK(length == oh * ow, "fold: ", given(), "expected size of input's dimension 2 to match the calculated number "
           "of sliding blocks ", oh, " * ", ow, " = ", oh * ow, ", but got input.size(2)=", length, ".");
  TS_CHECK(oh >= 1 && ow >= 1, "fold: ", given(), "calculated shape of the array of sliding blocks as (", oh, ", ", ow,
           "), which is too small (non-positive)");
  TS_CHECK(h > 0 && w > 0, "fold: Expected output spatial size to be positive, but got: output_size=(", h, ", ", w, ").");
  const int64_t channels = planes / (win.kh * win.kw);
  const Tensor<T> out = detail_fold::fold(x, detail_fold::geometry(x.size(0), channels, h, w, win, oh, ow));
  return dim == 3 ? out : out.squeeze(0);
}

}  // namespace functional

/** Options of Unfold and Fold after their sizes, each an int or a pair. */
struct UnfoldOptions {
  ExpandingArray<2> dilation = 1;
  ExpandingArray<2> padding = 0;
  ExpandingArray<2> stride = 1;
};
using FoldOptions = UnfoldOptions;

namespace impl {

/** nn.Unfold: `Unfold(3)`, `Unfold({2, 3}, 1, 1, 2)` (kernel_size, dilation, padding, stride as
 *  PyTorch's), `Unfold(3, {.stride = 2})`. */
template <class = void>
class Unfold : public nn::Module {
 public:
  explicit Unfold(ExpandingArray<2> kernel_size, int64_t dilation = 1, int64_t padding = 0, int64_t stride = 1)
      : kernel_size_(std::move(kernel_size)), options_{.dilation = dilation, .padding = padding, .stride = stride} {}
  Unfold(ExpandingArray<2> kernel_size, UnfoldOptions options)
      : kernel_size_(std::move(kernel_size)), options_(std::move(options)) {}
  Tensor<float> forward(const Tensor<float>& x) const {
    return functional::unfold(x, kernel_size_, options_.dilation, options_.padding, options_.stride);
  }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  ExpandingArray<2> kernel_size_;
  UnfoldOptions options_;
};

/** nn.Fold: `Fold({4, 5}, 2)`, `Fold(4, 2, 1, 0, 2)` (output_size, kernel_size, dilation, padding,
 *  stride as PyTorch's), `Fold(4, 2, {.stride = 2})`. */
template <class = void>
class Fold : public nn::Module {
 public:
  Fold(ExpandingArray<2> output_size, ExpandingArray<2> kernel_size, int64_t dilation = 1, int64_t padding = 0,
       int64_t stride = 1)
      : output_size_(std::move(output_size)), kernel_size_(std::move(kernel_size)),
        options_{.dilation = dilation, .padding = padding, .stride = stride} {}
  Fold(ExpandingArray<2> output_size, ExpandingArray<2> kernel_size, FoldOptions options)
      : output_size_(std::move(output_size)), kernel_size_(std::move(kernel_size)), options_(std::move(options)) {}
  Tensor<float> forward(const Tensor<float>& x) const {
    return functional::fold(x, output_size_, kernel_size_, options_.dilation, options_.padding, options_.stride);
  }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  ExpandingArray<2> output_size_, kernel_size_;
  FoldOptions options_;
};

}  // namespace impl

using Unfold = impl::Unfold<>;
using Fold = impl::Fold<>;

}  // namespace tessera::nn
