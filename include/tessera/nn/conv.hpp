#pragma once
// Conv1d, Conv2d and Conv3d: a convolution is one matrix product over the input's windows (im2col,
// or fused with the product on the CPU; 1-D runs as 2-D of height 1), and 3-D a sum of 2-D ones.
// The pools are in pooling.hpp.

#include <array>
#include <string>
#include <vector>

#include "../backend/cpu/convolution.hpp"
#include "expanding_array.hpp"
#include "im2col.hpp"
#include "layers.hpp"
#include "padding.hpp"

namespace tessera::nn {

/** A convolution's padding, as PyTorch's `padding` argument: an int or N ints (zeros on both
 *  sides of each spatial dim), or the string "valid" (none) or "same" (the output as large as the
 *  input, stride 1 only: dilation * (k - 1) zeros in all, the odd one after the input). */
template <size_t N>
struct ConvPadding {
  ExpandingArray<N> values{0};
  std::string mode;  // the string as given ("same", "valid"), when is_string()

  ConvPadding() = default;
  ConvPadding(int64_t v) : values(v) {}                          // NOLINT: padding=1
  ConvPadding(std::initializer_list<int64_t> v) : values(v) {}   // padding=(1, 2)
  ConvPadding(std::vector<int64_t> v) : values(std::move(v)) {}  // NOLINT: as the list
  // A string literal binds here rather than to std::string, so that `padding = 0` stays an int.
  template <size_t L>
  ConvPadding(const char (&text)[L]) : mode(text), string_(true) {}  // NOLINT: padding="same"
  ConvPadding(std::string text) : mode(std::move(text)), string_(true) {}  // NOLINT: as the literal
  bool is_string() const { return string_; }

 private:
  bool string_ = false;
};

/** Options of Conv2d and Conv3d (and F::conv2d, F::conv3d): stride, padding and dilation each an
 *  int or N ints; padding also "valid" or "same". */
template <size_t N>
struct ConvOptions {
  ExpandingArray<N> stride = 1;
  ConvPadding<N> padding = 0;
  ExpandingArray<N> dilation = 1;
  int64_t groups = 1;
  bool bias = true;
  std::string padding_mode = "zeros";  // or "reflect", "replicate", "circular": Note [Convolution padding modes]
};
using Conv2dOptions = ConvOptions<2>;
using Conv3dOptions = ConvOptions<3>;

struct Conv1dOptions {
  int64_t stride = 1;
  ConvPadding<1> padding = 0;  // an int, "valid" or "same"
  int64_t dilation = 1;
  int64_t groups = 1;
  bool bias = true;
  std::string padding_mode = "zeros";  // or "reflect", "replicate", "circular": Note [Convolution padding modes]
  bool padding_same = false;           // the same as padding = "same"
};

// Note [Convolution padding modes]
// A padding_mode other than "zeros" pads the input with F::pad in that mode by the padding the
// options ask for (an int, a pair, or the amounts of "same": the odd one after the input), then
// convolves without padding, as PyTorch's Conv1d/Conv2d do (their _reversed_padding_repeated_twice).
// tessera's F::conv1d and F::conv2d honour the field too (PyTorch's functional forms have none), so
// that a layer and the functional form with the same options agree. Errors of that padding (a
// reflection larger than the input, circular padding of an unbatched input) are F::pad's, as in
// PyTorch, and the convolution's messages then name the padded input.

namespace functional::detail_conv {

/** PyTorch's checks of a padding string, with the message of the layer (`layer` true) or of the
 *  functional form. */
template <class = void>
void check_padding_string(const std::string& mode, bool strided, const char* op, bool layer) {
  if (layer)
    TS_CHECK(mode == "same" || mode == "valid", op, ": Invalid padding string '", mode,
             "', should be one of {'same', 'valid'}");
  else
    TS_CHECK(mode == "same" || mode == "valid", op, ": Invalid padding string: '", mode, "'");
  TS_CHECK(mode != "same" || !strided, op, ": padding='same' is not supported for strided convolutions");
}

/** PyTorch's check of a convolution layer's padding_mode (its set printed in one fixed order). */
template <class = void>
void check_padding_mode(const std::string& mode, const char* op) {
  TS_CHECK(mode == "zeros" || mode == "reflect" || mode == "replicate" || mode == "circular", op,
           ": padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode='", mode,
           "'");
}

/** Each spatial dim's padding (before, after): `same` gives dilation * (k - 1) in all, the odd
 *  one after (PyTorch's "same"); otherwise `values` on both sides. */
template <size_t N>
std::array<std::array<int64_t, 2>, N> padding_amounts(bool same, const std::array<int64_t, N>& values,
                                                      const std::array<int64_t, N>& kernel,
                                                      const std::array<int64_t, N>& dilation) {
  std::array<std::array<int64_t, 2>, N> out;
  for (size_t d = 0; d < N; ++d) {
    const int64_t total = same ? dilation[d] * (kernel[d] - 1) : 2 * values[d];
    out[d][0] = same ? total / 2 : values[d];
    out[d][1] = total - out[d][0];
  }
  return out;
}

/** The amounts as F::pad takes them, from the last dim back (PyTorch's
 *  _reversed_padding_repeated_twice). */
template <size_t N>
std::vector<int64_t> pad_list(const std::array<std::array<int64_t, 2>, N>& amounts) {
  std::vector<int64_t> out(2 * N);
  for (size_t d = 0; d < N; ++d) {
    out[2 * d] = amounts[N - 1 - d][0];
    out[2 * d + 1] = amounts[N - 1 - d][1];
  }
  return out;
}

/** "[1, 2, 3]": a list as PyTorch's messages print it. */
template <class = void>
std::string list_str(const std::vector<int64_t>& values) {
  return tessera::detail::shape_str(values);
}

/** The N values of a convolution argument, checked as PyTorch's expand_param_if_needed. */
template <size_t N>
std::array<int64_t, N> expand(const ExpandingArray<N>& a, const char* name, const char* op) {
  TS_CHECK(a.size() == 1 || a.size() == N, op, ": expected ", name, " to be a single integer value or a list of ", N,
           " values to match the convolution dimensions, but got ", name, "=", list_str(a.values));
  std::array<int64_t, N> out{};
  for (size_t i = 0; i < N; ++i) out[i] = a[i];
  return out;
}

// Note [Convolution node]
// A convolution is im2col (the input's windows as rows of a matrix) and one matrix product per
// group: one fused plan where the device has it (Note [Fused convolution]), else those ops,
// computed with grad mode off and recorded as one node, PyTorch's ConvolutionBackward0,
// which saves the input and the weight, as PyTorch's does, and not the windows (kernel size
// times the input's bytes). Its backward takes the windows again: the weight's gradient is the
// output gradient's rows times the windows, the input's is col2im of the output gradient's rows
// times the weight, the bias's the output gradient summed over all but the channels. Under
// create_graph these are ops, recorded, so the convolution can be differentiated again; else
// the fused plans where the device has them.

/** product(i) for each group i, concatenated along `dim` (product(0) itself for one group). */
template <class F>
auto per_group(int64_t groups, int64_t dim, const F& product) -> decltype(product(int64_t{0})) {
  if (groups == 1) return product(0);
  std::vector<decltype(product(int64_t{0}))> parts;
  for (int64_t i = 0; i < groups; ++i) parts.push_back(product(i));
  return cat(parts, dim);
}

/** Group i's weight [out / groups, C / groups * kh * kw], as a matrix. */
template <class T>
Tensor<T> group_weight(const Tensor<T>& weight, int64_t groups, int64_t i) {
  const int64_t og = weight.size(0) / groups;
  return weight.narrow(0, i * og, og).reshape({og, weight.numel() / weight.size(0)});
}

/** The product of the windows `cols` [rows, C * kh * kw] (channels outer) and the weight
 *  [out, C / groups, kh, kw], group by group: [rows, out]. */
template <class T>
Tensor<T> windows_times_weight(const Tensor<T>& cols, const Tensor<T>& weight, int64_t groups) {
  const int64_t width = cols.size(1) / groups;
  return per_group(groups, 1, [&](int64_t i) {
    return cols.narrow(1, i * width, width).matmul(group_weight(weight, groups, i).t());
  });
}

/** The convolutions that run as one fused plan where the device has it (Note [Fused
 *  convolution]): float and double, the GEMM's types. */
template <class T>
inline constexpr bool kFusedConvolution = std::is_same_v<T, float> || std::is_same_v<T, double>;

/** Runs a fused convolution plan `op` into `out`, the kernel `cpu` on the CPU; false when the
 *  device has no fused convolution. */
template <class T, class F>
bool run_fused(const char* op, const Tensor<T>& out, const Tensor<T>& input, const Tensor<T>& weight,
               const Tensor<T>& bias, const Tensor<T>& grad, const WindowGeometry& g, int64_t groups, const F& cpu) {
  const auto impl = [](const Tensor<T>& t) { return t.defined() ? &t.impl() : nullptr; };
  return ::tessera::detail::dispatch_fused(
      ::tessera::detail::ConvolutionPlan{.op = op, .out = &out.impl(), .input = impl(input), .weight = impl(weight),
                                         .bias = impl(bias), .grad = impl(grad), .geometry = &g, .groups = groups},
      cpu);
}

/** The 2-D convolution of x [N, C, H, W] (geometry g, groups) with weight and bias, with no
 *  autograd record: [N, out, OH, OW], contiguous; `flat`: a 1-D one, x [N, C, L] and weight
 *  [out, C / groups, k], g of height 1, giving [N, out, OL]. */
template <class T>
Tensor<T> convolution_values(const Tensor<T>& x, const Tensor<T>& weight, const Tensor<T>& bias,
                             const WindowGeometry& g, int64_t groups, bool flat) {
  NoGradGuard no_grad;
  if constexpr (kFusedConvolution<T>) {  // [N, C, L] and [N, C, 1, L] are the same bytes
    const Tensor<T> image = x.contiguous(), w = weight.contiguous(), b = bias.defined() ? bias.contiguous() : bias;
    const int64_t out_channels = w.size(0);
    const Tensor<T> out = ::tessera::detail::empty_tensor<T>(
        flat ? Shape{g.n, out_channels, g.ow} : Shape{g.n, out_channels, g.oh, g.ow}, {.device = x.device()}, "conv2d");
    if (run_fused("convolution", out, image, w, b, {}, g, groups, [&] {
          ::tessera::detail::convolution_forward(out.kernel_data(), image.kernel_data(), w.kernel_data(),
                                                 b.defined() ? b.kernel_data() : nullptr, g, out_channels, groups);
        }))
      return out;
  }
  const int64_t rows = g.n * g.oh * g.ow, out_channels = weight.size(0);
  const Tensor<T> cols = im2col(flat ? x.unsqueeze(2) : x, g).view({rows, g.c * g.kh * g.kw});
  Tensor<T> out = windows_times_weight(cols, weight, groups);
  if (bias.defined())  // into the fresh result: it stays at version 0, as PyTorch's
    ::tessera::detail::binary_into<::tessera::detail::AddOp, /*fresh_out=*/true>(out, out, bias);
  out = (flat ? out.view({g.n, g.ow, out_channels}).permute({0, 2, 1})
              : out.view({g.n, g.oh, g.ow, out_channels}).permute({0, 3, 1, 2}))
            .contiguous();  // as PyTorch's, so that .view works on it
  out.impl().forget_view_base();  // a fresh result, not a view for autograd (as PyTorch's)
  return out;
}

/** The gradients of a 2-D convolution for its input and its weight (each only when asked; an
 *  undefined tensor otherwise), from the output's gradient gy [N, out, OH, OW]. */
template <class T>
std::pair<Tensor<T>, Tensor<T>> convolution_gradients(const Tensor<T>& x, const Tensor<T>& weight, const Tensor<T>& gy,
                                                      const WindowGeometry& g, int64_t groups, bool for_input,
                                                      bool for_weight) {
  const int64_t rows = g.n * g.oh * g.ow, out_channels = weight.size(0), og = out_channels / groups;
  const int64_t width = weight.numel() / out_channels;  // C / groups * kh * kw
  if constexpr (kFusedConvolution<T>) {
    if (!GradMode::is_enabled()) {  // under create_graph the gradients are ops, recorded
      const Tensor<T> grad = gy.contiguous(), w = weight.contiguous();
      Tensor<T> gx, gw;
      bool ran = true;
      if (for_input) {
        gx = ::tessera::detail::empty_tensor<T>({g.n, g.c, g.h, g.w}, {.device = gy.device()}, "conv2d");
        ran = run_fused("convolution_backward_input", gx, {}, w, {}, grad, g, groups, [&] {
          ::tessera::detail::convolution_backward_input(gx.kernel_data(), grad.kernel_data(), w.kernel_data(), g,
                                                        out_channels, groups);
        });
      }
      if (ran && for_weight) {
        const Tensor<T> image = x.contiguous();
        gw = ::tessera::detail::empty_tensor<T>(weight.sizes(), {.device = gy.device()}, "conv2d");
        ran = run_fused("convolution_backward_weight", gw, image, {}, {}, grad, g, groups, [&] {
          ::tessera::detail::convolution_backward_weight(gw.kernel_data(), grad.kernel_data(), image.kernel_data(), g,
                                                         out_channels, groups);
        });
      }
      if (ran) return {gx, gw};
    }
  }
  const Tensor<T> grad_rows = gy.permute({0, 2, 3, 1}).reshape({rows, out_channels});
  const auto group_rows = [&](int64_t i) { return grad_rows.narrow(1, i * og, og); };
  Tensor<T> gx, gw;
  if (for_input) {
    const Tensor<T> cols =
        per_group(groups, 1, [&](int64_t i) { return group_rows(i).matmul(group_weight(weight, groups, i)); });
    gx = col2im(cols.view(g.columns_shape()), g);
  }
  if (for_weight) {
    const Tensor<T> cols = im2col(x, g).view({rows, g.c * g.kh * g.kw});
    gw = per_group(groups, 0, [&](int64_t i) { return group_rows(i).t().matmul(cols.narrow(1, i * width, width)); })
             .view(weight.sizes());
  }
  return {gx, gw};
}

/** What every node named ConvolutionBackward0 keeps: the input and the weight (Note [Convolution
 *  node]). */
template <class T>
struct ConvolutionNode : ::tessera::detail::Node {
  ::tessera::detail::SavedTensor<T> input, weight;
  ConvolutionNode(const Tensor<T>& x, const Tensor<T>& w) : input(x, false), weight(w, false) {}
  const char* name() const override { return "ConvolutionBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(input, weight);
  }
};

/** PyTorch's ConvolutionBackward0 (Note [Convolution node]), for a 2-D convolution or a 1-D one
 *  run as 2-D (`flat`: the input [N, C, L], the weight [out, C / groups, k] and the output
 *  gradient [N, out, OL] get a height of 1). */
template <class T>
struct ConvolutionBackward0 final : ConvolutionNode<T> {
  WindowGeometry geometry;
  int64_t groups;
  bool flat;
  ConvolutionBackward0(const Tensor<T>& x, const Tensor<T>& w, const WindowGeometry& g, int64_t groups_, bool flat_)
      : ConvolutionNode<T>(x, w), geometry(g), groups(groups_), flat(flat_) {}
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    Tensor<T> x = this->input.unpack(*this), w = this->weight.unpack(*this), gy = grads[0].as<T>();
    if (flat) {
      x = x.unsqueeze(2);
      w = w.unsqueeze(2);
      gy = gy.unsqueeze(2);
    }
    auto [gx, gw] =
        convolution_gradients(x, w, gy, geometry, groups, this->needs_input_grad(0), this->needs_input_grad(1));
    Tensor<T> gb;
    if (this->needs_input_grad(2)) gb = gy.sum({0, 2, 3});
    if (flat) {
      if (gx.defined()) gx = gx.squeeze(2);
      if (gw.defined()) gw = gw.squeeze(2);
    }
    return {gx, gw, gb};
  }
};

/** The 2-D convolution of x [N, C, H, W] (geometry g) recorded as ConvolutionBackward0, or a 1-D
 *  one (`flat`: x [N, C, L], weight [out, C / groups, k], g of height 1): [N, out, OH, OW] or
 *  [N, out, OL]. */
template <class T>
Tensor<T> convolution(const Tensor<T>& x, const Tensor<T>& weight, const Tensor<T>& bias, const WindowGeometry& g,
                      int64_t groups, bool flat = false) {
  const Tensor<T> out = convolution_values(x, weight, bias, g, groups, flat);
  if (::tessera::detail::needs_grad(x, weight, bias))
    ::tessera::detail::record<ConvolutionBackward0<T>>({x, weight, bias}, {out}, x, weight, g, groups, flat);
  return out;
}

}  // namespace functional::detail_conv

namespace functional {

/** 1-D convolution (cross-correlation, as PyTorch) of x [N, C, L] (or [C, L]) with weight
 *  [out, C / groups, k]: zero padding (or o.padding_mode's, Note [Convolution padding modes]), then
 *  conv2d's windows and products on an image of height 1 (Note [Convolution node]). */
template <class T>
Tensor<T> conv1d(const Tensor<T>& input, const Tensor<T>& weight, const Tensor<T>& bias = {},
                 const Conv1dOptions& o = {}) {
  TS_CHECK(weight.dim() == 3, "conv1d: expected a 3-D weight [out, in / groups, k], got shape ",
           tessera::detail::shape_str(weight.sizes()));
  const bool other_mode = o.padding_mode != "zeros";  // Note [Convolution padding modes]
  if (other_mode) detail_conv::check_padding_mode(o.padding_mode, "conv1d");
  bool same = o.padding_same;
  int64_t padding = 0;
  if (o.padding.is_string()) {
    detail_conv::check_padding_string(o.padding.mode, o.stride != 1, "conv1d", false);
    same = same || o.padding.mode == "same";
  } else {
    padding = detail_conv::expand(o.padding.values, "padding", "conv1d")[0];
  }
  if (!other_mode)
    TS_CHECK(o.groups > 0 && o.stride > 0 && o.dilation > 0 && padding >= 0, "conv1d: stride, dilation and groups "
             "must be positive and padding non-negative (got ", o.stride, ", ", o.dilation, ", ", o.groups, ", ",
             padding, ")");
  TS_CHECK(!same || o.stride == 1, "conv1d: padding='same' is not supported for strided convolutions");
  const auto amounts = detail_conv::padding_amounts<1>(same, {padding}, {weight.size(2)}, {o.dilation});
  if (other_mode) {
    Conv1dOptions unpadded = o;
    unpadded.padding = 0;
    unpadded.padding_same = false;
    unpadded.padding_mode = "zeros";
    return conv1d(pad(input, detail_conv::pad_list(amounts), o.padding_mode), weight, bias, unpadded);
  }
  const bool batched = input.dim() == 3;
  const Tensor<T> x = batched ? input : input.unsqueeze(0);
  const int64_t groups = o.groups, out_channels = weight.size(0), cg = weight.size(1), k = weight.size(2);
  TS_CHECK(x.dim() == 3 && x.size(1) == cg * groups && out_channels % groups == 0, "conv1d: input of shape ",
           tessera::detail::shape_str(input.sizes()), " does not match weight of shape ",
           tessera::detail::shape_str(weight.sizes()), " with groups=", groups);
  const int64_t span = o.dilation * (k - 1) + 1, left = amounts[0][0], right = amounts[0][1];
  const int64_t n = x.size(0), length = x.size(2) + left + right;
  TS_CHECK(length >= span, "conv1d: Calculated padded input size per channel: (", length, "). Kernel size: (", span,
           "). Kernel size can't be greater than actual input size");
  // The windows of a [N, C, 1, L] image of height 1: im2col pads the left, the right may overhang.
  WindowGeometry g{.n = n, .c = x.size(1), .h = 1, .w = x.size(2), .kh = 1, .kw = k, .sh = 1, .sw = o.stride,
                   .ph = 0, .pw = left, .dh = 1, .dw = o.dilation, .channels_inner = true};
  g.oh = 1;
  g.ow = (length - span) / o.stride + 1;
  const Tensor<T> out = detail_conv::convolution(x, weight, bias, g, groups, /*flat=*/true);
  return batched ? out : out.squeeze(0);
}

namespace detail_conv {

/** A convolution's arguments in N spatial dims, expanded from its options: stride, dilation and
 *  each dim's padding (before, after). */
template <size_t N>
struct ConvArgs {
  std::array<int64_t, N> stride, dilation, kernel;
  std::array<std::array<int64_t, 2>, N> amounts;
};

/** The options of conv2d or conv3d (N = 2, 3) for `weight`, with PyTorch's checks of the
 *  padding string. */
template <size_t N, class T, class Options>
ConvArgs<N> conv_args(const Tensor<T>& weight, const Options& o, const char* op) {
  ConvArgs<N> a;
  a.stride = expand(o.stride, "stride", op);
  a.dilation = expand(o.dilation, "dilation", op);
  bool strided = false;
  for (size_t d = 0; d < N; ++d) {
    strided = strided || a.stride[d] != 1;
    a.kernel[d] = weight.size(static_cast<int64_t>(d) + 2);
  }
  std::array<int64_t, N> values{};
  if (o.padding.is_string()) check_padding_string(o.padding.mode, strided, op, false);
  else values = expand(o.padding.values, "padding", op);
  a.amounts = padding_amounts<N>(o.padding.is_string() && o.padding.mode == "same", values, a.kernel, a.dilation);
  return a;
}

/** "4 x 5 x 6": sizes as PyTorch's convolution messages print them. */
template <size_t N>
std::string dims_str(const std::array<int64_t, N>& sizes) {
  std::string out;
  for (size_t d = 0; d < N; ++d) out += (d ? " x " : "") + std::to_string(sizes[d]);
  return out;
}

/** PyTorch's checks of a batched input x [N, C, spatial...] against weight, bias and the
 *  arguments (_convolution's and check_shape_forward's, with their messages); returns each
 *  spatial dim's padded size. */
template <size_t N, class T>
std::array<int64_t, N> check_conv(const Tensor<T>& x, const Tensor<T>& weight, const Tensor<T>& bias,
                                  const ConvArgs<N>& a, int64_t groups, const char* op) {
  using tessera::detail::shape_str;
  bool padding_ok = true, stride_ok = true, dilation_ok = true;
  for (size_t d = 0; d < N; ++d) {
    padding_ok = padding_ok && a.amounts[d][0] >= 0;
    stride_ok = stride_ok && a.stride[d] > 0;
    dilation_ok = dilation_ok && a.dilation[d] > 0;
  }
  TS_CHECK(groups > 0, op, ": non-positive groups is not supported");
  TS_CHECK(padding_ok, op, ": negative padding is not supported");
  TS_CHECK(stride_ok, op, ": non-positive stride is not supported");
  TS_CHECK(dilation_ok, op, ": non-positive dilation is not supported");
  const std::string weight_str = shape_str(weight.sizes());
  const int64_t out_channels = weight.size(0);
  TS_CHECK(out_channels >= groups, op, ": Given groups=", groups, ", expected weight to be at least ", groups,
           " at dimension 0, but got weight of size ", weight_str, " instead");
  TS_CHECK(out_channels % groups == 0, op, ": Given groups=", groups, ", expected weight to be divisible by ", groups,
           " at dimension 0, but got weight of size [", weight_str, "] instead");  // PyTorch's brackets
  TS_CHECK(x.size(1) == weight.size(1) * groups, op, ": Given groups=", groups, ", weight of size ", weight_str,
           ", expected input", shape_str(x.sizes()), " to have ", weight.size(1) * groups, " channels, but got ",
           x.size(1), " channels instead");
  TS_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == out_channels), op, ": Given weight of size ",
           weight_str, ", expected bias to be 1-dimensional with ", out_channels, " elements, but got bias of size ",
           shape_str(bias.sizes()), " instead");
  std::array<int64_t, N> padded{}, span{};
  bool fits = true;
  for (size_t d = 0; d < N; ++d) {
    padded[d] = x.size(static_cast<int64_t>(d) + 2) + a.amounts[d][0] + a.amounts[d][1];
    span[d] = a.dilation[d] * (a.kernel[d] - 1) + 1;
    fits = fits && padded[d] >= span[d];
  }
  TS_CHECK(fits, op, ": Calculated padded input size per channel: (", dims_str(padded), "). Kernel size: (",
           dims_str(span), "). Kernel size can't be greater than actual input size");
  return padded;
}

/** A Conv2d or Conv3d layer's checks of its arguments (PyTorch's messages); returns the kernel size. */
template <size_t N, class Options>
std::array<int64_t, N> check_layer(int64_t in_channels, int64_t out_channels, const ExpandingArray<N>& kernel_size,
                                   const Options& o, const char* layer) {
  TS_CHECK(o.groups > 0, layer, ": groups must be a positive integer");
  TS_CHECK(in_channels % o.groups == 0, layer, ": in_channels must be divisible by groups");
  TS_CHECK(out_channels % o.groups == 0, layer, ": out_channels must be divisible by groups");
  const auto kernel = expand(kernel_size, "kernel_size", layer);
  bool positive = true;
  for (int64_t k : kernel) positive = positive && k > 0;
  TS_CHECK(positive, layer, ": kernel_size must be positive, got ", list_str(kernel_size.values));
  const auto stride = expand(o.stride, "stride", layer);
  bool strided = false;
  for (int64_t s : stride) strided = strided || s != 1;
  if (o.padding.is_string()) check_padding_string(o.padding.mode, strided, layer, true);
  check_padding_mode(o.padding_mode, layer);
  return kernel;
}

}  // namespace detail_conv

/** 2-D convolution (cross-correlation, as PyTorch) of x [N, C, H, W] (or [C, H, W]) with weight
 *  [out, C / groups, kh, kw]: stride, padding (an int, a pair, "valid" or "same") and dilation
 *  each an int or a pair (h, w). im2col (padding="same" pads an odd total one more below and to
 *  the right: the windows overhang the image there), then one matrix product per group. A
 *  padding_mode other than "zeros" pads with F::pad first (Note [Convolution padding modes]). */
template <class T>
Tensor<T> conv2d(const Tensor<T>& input, const Tensor<T>& weight, const Tensor<T>& bias = {},
                 const Conv2dOptions& o = {}) {
  TS_CHECK(weight.dim() == 4, "conv2d: expected a 4-D weight [out, in / groups, kh, kw], got shape ",
           tessera::detail::shape_str(weight.sizes()));
  if (o.padding_mode != "zeros") {  // Note [Convolution padding modes]
    const auto amounts = detail_conv::conv_args<2>(weight, o, "conv2d").amounts;
    detail_conv::check_padding_mode(o.padding_mode, "conv2d");
    Conv2dOptions unpadded = o;
    unpadded.padding = 0;
    unpadded.padding_mode = "zeros";
    return conv2d(pad(input, detail_conv::pad_list(amounts), o.padding_mode), weight, bias, unpadded);
  }
  TS_CHECK(input.dim() == 3 || input.dim() == 4,
           "conv2d: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: ",
           tessera::detail::shape_str(input.sizes()));
  const bool batched = input.dim() == 4;
  const Tensor<T> x = batched ? input : input.unsqueeze(0);
  const auto a = detail_conv::conv_args<2>(weight, o, "conv2d");
  const auto padded = detail_conv::check_conv<2>(x, weight, bias, a, o.groups, "conv2d");
  // im2col pads the image's top and left by the amounts before; "same" may overhang below and right
  WindowGeometry g{.n = x.size(0), .c = x.size(1), .h = x.size(2), .w = x.size(3), .kh = a.kernel[0],
                   .kw = a.kernel[1], .sh = a.stride[0], .sw = a.stride[1], .ph = a.amounts[0][0],
                   .pw = a.amounts[1][0], .dh = a.dilation[0], .dw = a.dilation[1], .channels_inner = true};
  g.oh = (padded[0] - (g.dh * (g.kh - 1) + 1)) / g.sh + 1;
  g.ow = (padded[1] - (g.dw * (g.kw - 1) + 1)) / g.sw + 1;
  const Tensor<T> out = detail_conv::convolution(x, weight, bias, g, o.groups);
  return batched ? out : out.squeeze(0);
}

namespace detail_conv {

/** x [N, C, D, H, W] with the convolution's zero padding (F::pad), or x itself without any. */
template <class T>
Tensor<T> padded_volume(const Tensor<T>& x, const ConvArgs<3>& a) {
  bool any = false;
  for (const auto& sides : a.amounts) any = any || sides[0] || sides[1];
  return any ? pad(x, pad_list(a.amounts)) : x;
}

/** The depths od * stride + kd * dilation of the padded input that depth tap kd reads. */
template <class = void>
Tensor<int64_t> tap_depths(const ConvArgs<3>& a, int64_t kd, int64_t od, Device device) {
  return arange<int64_t>(od, {.device = device}) * a.stride[0] + kd * a.dilation[0];
}

/** Depth tap kd's input slices of the padded input xp, one 2-D image per output depth:
 *  [N * OD, C, H, W] (g.n = N * OD). */
template <class T>
Tensor<T> depth_slices(const Tensor<T>& xp, const ConvArgs<3>& a, int64_t kd, int64_t od, const WindowGeometry& g) {
  return xp.index_select(2, tap_depths(a, kd, od, xp.device())).permute({0, 2, 1, 3, 4}).reshape({g.n, g.c, g.h, g.w});
}

/** PyTorch's ConvolutionBackward0 for a 3-D convolution (Note [Convolution node], Note [conv3d
 *  from conv2d]): each depth tap's gradients are those of its 2-D convolution, the weight's
 *  stacked along the depth, the input's added back at the depths the tap read. */
template <class T>
struct Convolution3dBackward final : ConvolutionNode<T> {
  ConvArgs<3> args;
  WindowGeometry plane;  // each output depth's 2-D convolution
  int64_t groups, od;
  Convolution3dBackward(const Tensor<T>& x, const Tensor<T>& w, const ConvArgs<3>& a, const WindowGeometry& g,
                        int64_t groups_, int64_t od_)
      : ConvolutionNode<T>(x, w), args(a), plane(g), groups(groups_), od(od_) {}
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    const Tensor<T> x = this->input.unpack(*this), w = this->weight.unpack(*this), gy = grads[0].as<T>();
    const bool for_input = this->needs_input_grad(0), for_weight = this->needs_input_grad(1);
    const int64_t n = x.size(0), c = x.size(1), out_channels = w.size(0);
    const Tensor<T> planes = gy.permute({0, 2, 1, 3, 4}).reshape({plane.n, out_channels, plane.oh, plane.ow});
    const Tensor<T> xp = for_weight ? padded_volume(x, args) : Tensor<T>{};
    const int64_t depth = x.size(2) + args.amounts[0][0] + args.amounts[0][1];
    Tensor<T> gxp = for_input ? zeros<T>({n, c, depth, plane.h, plane.w}, {.device = x.device()}) : Tensor<T>{};
    std::vector<Tensor<T>> taps;
    for (int64_t kd = 0; kd < args.kernel[0]; ++kd) {
      auto [gs, gw] = convolution_gradients(for_weight ? depth_slices(xp, args, kd, od, plane) : Tensor<T>{},
                                            w.select(2, kd), planes, plane, groups, for_input, for_weight);
      if (for_input)
        gxp = gxp.index_add(2, tap_depths(args, kd, od, x.device()),
                            gs.view({n, od, c, plane.h, plane.w}).permute({0, 2, 1, 3, 4}));
      if (for_weight) taps.push_back(gw);
    }
    Tensor<T> gx, gw, gb;
    if (for_input)  // the padding dropped
      gx = gxp.narrow(2, args.amounts[0][0], x.size(2))
               .narrow(3, args.amounts[1][0], x.size(3))
               .narrow(4, args.amounts[2][0], x.size(4));
    if (for_weight) gw = stack(taps, 2);
    if (this->needs_input_grad(2)) gb = gy.sum({0, 2, 3, 4});
    return {gx, gw, gb};
  }
};

}  // namespace detail_conv

// Note [conv3d from conv2d]
// A 3-D convolution is the sum over the kernel's depth taps kd of 2-D convolutions: the input's
// depth slices od * stride + kd * dilation of every output depth od, batched as one [N * OD, C,
// H, W] input, convolved with the weight's slice kd. So it runs on conv2d's im2col and matrix
// kernels on every device, and its gradients are those of the 2-D convolutions (Note [Convolution
// node]). The padding is added first (F::pad), so "same" may pad one more after than before in
// any dim, as PyTorch.

/** 3-D convolution (cross-correlation, as PyTorch) of x [N, C, D, H, W] (or [C, D, H, W]) with
 *  weight [out, C / groups, kd, kh, kw]: stride, padding (an int, a triple, "valid" or "same")
 *  and dilation each an int or a triple (d, h, w); PyTorch's checks and messages
 *  (Note [conv3d from conv2d]). */
template <class T>
Tensor<T> conv3d(const Tensor<T>& input, const Tensor<T>& weight, const Tensor<T>& bias = {},
                 const Conv3dOptions& o = {}) {
  using tessera::detail::shape_str;
  TS_CHECK(weight.dim() == 5, "conv3d: expected a 5-D weight [out, in / groups, kd, kh, kw], got shape ",
           shape_str(weight.sizes()));
  if (o.padding_mode != "zeros") {  // Note [Convolution padding modes]
    const auto amounts = detail_conv::conv_args<3>(weight, o, "conv3d").amounts;
    detail_conv::check_padding_mode(o.padding_mode, "conv3d");
    Conv3dOptions unpadded = o;
    unpadded.padding = 0;
    unpadded.padding_mode = "zeros";
    return conv3d(pad(input, detail_conv::pad_list(amounts), o.padding_mode), weight, bias, unpadded);
  }
  TS_CHECK(input.dim() == 4 || input.dim() == 5,
           "conv3d: Expected 4D (unbatched) or 5D (batched) input to conv3d, but got input of size: ",
           shape_str(input.sizes()));
  const bool batched = input.dim() == 5;
  const Tensor<T> x = batched ? input : input.unsqueeze(0);
  const int64_t groups = o.groups, out_channels = weight.size(0);
  const auto a = detail_conv::conv_args<3>(weight, o, "conv3d");
  const auto padded = detail_conv::check_conv<3>(x, weight, bias, a, groups, "conv3d");
  const int64_t n = x.size(0), od = (padded[0] - (a.dilation[0] * (a.kernel[0] - 1) + 1)) / a.stride[0] + 1;
  // the 2-D convolution of every output depth's input slices, batched [N * OD, C, H, W]
  WindowGeometry g{.n = n * od, .c = x.size(1), .h = padded[1], .w = padded[2], .kh = a.kernel[1], .kw = a.kernel[2],
                   .sh = a.stride[1], .sw = a.stride[2], .ph = 0, .pw = 0, .dh = a.dilation[1], .dw = a.dilation[2],
                   .channels_inner = true};
  g.oh = (g.h - (g.dh * (g.kh - 1) + 1)) / g.sh + 1;
  g.ow = (g.w - (g.dw * (g.kw - 1) + 1)) / g.sw + 1;
  Tensor<T> out;
  {
    NoGradGuard no_grad;
    const Tensor<T> xp = detail_conv::padded_volume(x, a);
    for (int64_t kd = 0; kd < a.kernel[0]; ++kd) {
      const Tensor<T> y = detail_conv::convolution_values(detail_conv::depth_slices(xp, a, kd, od, g),
                                                          weight.select(2, kd), Tensor<T>{}, g, groups, false);
      out = kd == 0 ? y : out + y;
    }
    out = out.view({n, od, out_channels, g.oh, g.ow}).permute({0, 2, 1, 3, 4});
    if (bias.defined()) out = out + bias.view({1, out_channels, 1, 1, 1});
    out = out.contiguous();  // as PyTorch's, so that .view works on it
    out.impl().forget_view_base();  // a fresh result, not a view for autograd (as PyTorch's)
  }
  if (tessera::detail::needs_grad(x, weight, bias))
    tessera::detail::record<detail_conv::Convolution3dBackward<T>>({x, weight, bias}, {out}, x, weight, a, g, groups, od);
  return batched ? out : out.squeeze(0);
}

}  // namespace functional

namespace impl {

/** torch.nn.Conv1d: weight [out, in / groups, k] and bias [out], PyTorch's initialisation;
 *  padding_mode "zeros", "reflect", "replicate" or "circular" (Note [Convolution padding modes]). */
template <class = void>
class Conv1d : public nn::Module {
 public:
  Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, Conv1dOptions options = {})
      : Conv1d(in_channels, out_channels, kernel_size, options, default_generator()) {}
  Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, Conv1dOptions options, Generator& gen)
      : options_(options) {
    TS_CHECK(options.groups > 0 && in_channels % options.groups == 0 && out_channels % options.groups == 0,
             "Conv1d: in_channels and out_channels must be divisible by groups");
    TS_CHECK(kernel_size > 0, "Conv1d: kernel_size must be positive, got ", kernel_size);
    if (options.padding.is_string())
      functional::detail_conv::check_padding_string(options.padding.mode, options.stride != 1, "Conv1d", true);
    functional::detail_conv::check_padding_mode(options.padding_mode, "Conv1d");
    weight_ = register_parameter("weight", empty<float>({out_channels, in_channels / options.groups, kernel_size}));
    if (options.bias) bias_ = register_parameter("bias", empty<float>({out_channels}));
    init::detail::reset_linear_like(weight_, bias_, gen);
  }
  Tensor<float> forward(const Tensor<float>& x) const { return functional::conv1d(x, weight_, bias_, options_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }
  const Tensor<float>& weight() const { return weight_; }
  const Tensor<float>& bias() const { return bias_; }

 private:
  Conv1dOptions options_;
  Tensor<float> weight_, bias_;
};

/** torch.nn.Conv2d and Conv3d: weight [out, in / groups, k...] (kernel_size an int or N ints) and
 *  bias [out], PyTorch's initialisation and its checks of the arguments; padding_mode "zeros",
 *  "reflect", "replicate" or "circular" (Note [Convolution padding modes]). */
template <size_t N, class = void>
class Conv : public nn::Module {
  static_assert(N == 2 || N == 3);
  static constexpr const char* kName = N == 2 ? "Conv2d" : "Conv3d";

 public:
  Conv(int64_t in_channels, int64_t out_channels, ExpandingArray<N> kernel_size, ConvOptions<N> options = {})
      : Conv(in_channels, out_channels, std::move(kernel_size), std::move(options), default_generator()) {}
  Conv(int64_t in_channels, int64_t out_channels, ExpandingArray<N> kernel_size, ConvOptions<N> options, Generator& gen)
      : options_(std::move(options)) {
    const auto kernel = functional::detail_conv::check_layer<N>(in_channels, out_channels, kernel_size, options_, kName);
    Shape shape{out_channels, in_channels / options_.groups};
    for (int64_t k : kernel) shape.push_back(k);
    weight_ = register_parameter("weight", empty<float>(shape));
    if (options_.bias) bias_ = register_parameter("bias", empty<float>({out_channels}));
    init::detail::reset_linear_like(weight_, bias_, gen);
  }
  Tensor<float> forward(const Tensor<float>& x) const {
    if constexpr (N == 2) return functional::conv2d(x, weight_, bias_, options_);
    else return functional::conv3d(x, weight_, bias_, options_);
  }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }
  const Tensor<float>& weight() const { return weight_; }
  const Tensor<float>& bias() const { return bias_; }

 private:
  ConvOptions<N> options_;
  Tensor<float> weight_, bias_;
};

}  // namespace impl

using Conv1d = impl::Conv1d<>;
using Conv2d = impl::Conv<2>;
using Conv3d = impl::Conv<3>;

}  // namespace tessera::nn
