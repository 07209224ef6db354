#pragma once
// ConvTranspose1d and ConvTranspose2d: the adjoint of a convolution (the gradient of conv1d/conv2d
// with respect to their input), PyTorch's "deconvolution" that upsamples by the stride.

#include <string>
#include <vector>

#include "conv.hpp"

namespace tessera::nn {

struct ConvTranspose1dOptions {
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t output_padding = 0;  // extra samples at the end, to pick one of the `stride` lengths that conv1d maps back
  int64_t groups = 1;
  bool bias = true;
  int64_t dilation = 1;
};

struct ConvTranspose2dOptions {
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t output_padding = 0;  // extra rows and columns at the bottom and right
  int64_t groups = 1;
  bool bias = true;
  int64_t dilation = 1;
};

// Note [Transposed convolution geometry]
// Input position i with kernel tap j adds to output position i * stride - padding + j * dilation,
// so the output has (L - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1
// positions: the positions conv1d/conv2d with the same options would read from, each input sample
// spread over the window it would have been computed from. Weights are [in, out / groups, k...]
// (the conv weight of the reverse direction). PyTorch runs a 1-D transposed convolution as a 2-D one
// of height 1, and its messages say so (kernel_height: 1, ...); tessera repeats them word for word.

namespace functional {
namespace detail_conv_transpose {

struct Params {
  int64_t stride, padding;
  std::vector<int64_t> output_padding;  // per spatial dim: a layer's forward(x, output_size) may ask for different ones
  int64_t groups, dilation;
};

/** "<name>_height: h<between><name>_width: w", PyTorch's words for a pair of sizes. */
template <class = void>
std::string height_width(const char* name, int64_t height, int64_t width, const char* between) {
  return std::string(name) + "_height: " + std::to_string(height) + between + name + "_width: " + std::to_string(width);
}

/** PyTorch 1.13's checks of a transposed convolution, in its order and words, on the batched input x
 *  ([N, C, L] or [N, C, H, W]); returns the output's spatial sizes. */
template <class T>
std::vector<int64_t> check(const char* op, int64_t spatial, const Tensor<T>& x, const Tensor<T>& weight,
                           const Tensor<T>& bias, const Params& p) {
  using tessera::detail::shape_str;
  TS_CHECK(p.groups > 0, op, ": non-positive groups is not supported");
  TS_CHECK(p.padding >= 0, op, ": negative padding is not supported");
  for (int64_t e : p.output_padding) TS_CHECK(e >= 0, op, ": negative output_padding is not supported");
  TS_CHECK(p.stride > 0, op, ": non-positive stride is not supported");
  TS_CHECK(weight.size(0) >= p.groups, op, ": Given groups=", p.groups, ", expected weight to be at least ", p.groups,
           " at dimension 0, but got weight of size ", shape_str(weight.sizes()), " instead");
  TS_CHECK(weight.size(0) % p.groups == 0, op, ": Given groups=", p.groups, ", expected weight to be divisible by ",
           p.groups, " at dimension 0, but got weight of size [", shape_str(weight.sizes()), "] instead");
  TS_CHECK(x.size(1) == weight.size(0), op, ": Given transposed=1, weight of size ", shape_str(weight.sizes()),
           ", expected input", shape_str(x.sizes()), " to have ", weight.size(0), " channels, but got ", x.size(1),
           " channels instead");
  const int64_t out_channels = weight.size(1) * p.groups;
  TS_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == out_channels), op, ": Given transposed=1, weight of size ",
           shape_str(weight.sizes()), ", expected bias to be 1-dimensional with ", out_channels,
           " elements, but got bias of size ", shape_str(bias.sizes()), " instead");
  // A 1-D op's height is that of PyTorch's 2-D view: kernel, stride and dilation 1, output_padding 0.
  const bool one_d = spatial == 1;
  const int64_t k = weight.size(2), op_h = p.output_padding.front(), op_w = p.output_padding.back();
  TS_CHECK(k > 0, op, ": kernel size should be greater than zero, but got ", height_width("kernel", one_d ? 1 : k, k, " "));
  TS_CHECK(p.dilation > 0, op, ": dilation should be greater than zero, but got ",
           height_width("dilation", one_d ? 1 : p.dilation, p.dilation, ", "));
  TS_CHECK((op_h < p.stride || op_h < p.dilation) && (op_w < p.stride || op_w < p.dilation), op,
           ": output padding must be smaller than either stride or dilation, but got ",
           height_width("output_padding", one_d ? 0 : op_h, op_w, " "), " ",
           height_width("stride", one_d ? 1 : p.stride, p.stride, " "), " ",
           height_width("dilation", one_d ? 1 : p.dilation, p.dilation, " "));
  // PyTorch views the weight as 2-D [in, out / groups, k, k] (1-D: [in, out / groups, 1, k]).
  Shape weight_2d = weight.sizes();
  if (one_d) weight_2d.insert(2, 1);
  TS_CHECK(weight.numel() > 0, op, ": non-empty 2D or 4D weight tensor expected, but got: ", shape_str(weight_2d));
  Shape input_2d = x.sizes();
  if (one_d) input_2d.insert(2, 1);
  bool empty_plane = false;
  for (int64_t d = 2; d < x.dim(); ++d) empty_plane = empty_plane || x.size(d) == 0;
  TS_CHECK(!empty_plane || x.size(0) == 0, op,
           ": Only zero batch or zero channel inputs are supported, but got input shape: ", shape_str(input_2d));
  std::vector<int64_t> out;
  for (int64_t d = 2; d < x.dim(); ++d)
    out.push_back((x.size(d) - 1) * p.stride - 2 * p.padding + p.dilation * (k - 1) +
                  p.output_padding[static_cast<size_t>(d - 2)] + 1);
  bool too_small = false;
  for (int64_t s : out) too_small = too_small || s < 1;
  const auto sizes = [&](const std::vector<int64_t>& s) {
    return one_d ? "1 x " + std::to_string(s[0]) : std::to_string(s[0]) + " x " + std::to_string(s[1]);
  };
  std::vector<int64_t> in;
  for (int64_t d = 2; d < x.dim(); ++d) in.push_back(x.size(d));
  TS_CHECK(!too_small, op, ": Given input size per channel: (", sizes(in),
           "). Calculated output size per channel: (", sizes(out), "). Output size is too small");
  return out;
}

/** The weight of the convolution that a stride-1 transposed convolution is: [in, out / groups, k]
 *  regrouped to [out, in / groups, k] and flipped. */
template <class T>
Tensor<T> forward_weight(const Tensor<T>& weight, int64_t groups) {
  const int64_t in_per_group = weight.size(0) / groups;
  std::vector<Tensor<T>> parts;
  for (int64_t i = 0; i < groups; ++i) parts.push_back(weight.narrow(0, i * in_per_group, in_per_group).transpose(0, 1));
  return (groups == 1 ? parts[0] : cat(parts, 0)).flip({2});
}

/** x [N, C, L] with `stride - 1` zeros between samples, `left` samples added (or, negative, removed)
 *  at the start and `right` at the end. */
template <class T>
Tensor<T> spread(const Tensor<T>& x, int64_t stride, int64_t left, int64_t right) {
  const int64_t n = x.size(0), c = x.size(1), l = x.size(2);
  Tensor<T> out = x;
  if (stride > 1 && l > 0)
    out = cat(std::vector<Tensor<T>>{x.unsqueeze(3), zeros<T>({n, c, l, stride - 1}, {.device = x.device()})}, 3)
              .reshape({n, c, l * stride})
              .narrow(2, 0, (l - 1) * stride + 1);
  // Add before removing: a removal may reach into the added zeros (large padding, small input).
  if (left > 0 || right > 0) {
    std::vector<Tensor<T>> parts;
    if (left > 0) parts.push_back(zeros<T>({n, c, left}, {.device = x.device()}));
    parts.push_back(out);
    if (right > 0) parts.push_back(zeros<T>({n, c, right}, {.device = x.device()}));
    out = cat(parts, 2);
  }
  const int64_t drop_left = left < 0 ? -left : 0, drop_right = right < 0 ? -right : 0;
  if (drop_left > 0 || drop_right > 0) out = out.narrow(2, drop_left, out.size(2) - drop_left - drop_right);
  return out;
}

/** The output paddings that make a layer's output `output_size` (its spatial sizes, or all sizes
 *  of the output): PyTorch's ConvTransposeNd._output_padding, each between 0 and stride - 1. */
template <class T>
std::vector<int64_t> output_padding_for(const char* layer, const Tensor<T>& x, std::vector<int64_t> output_size,
                                        int64_t spatial, int64_t k, int64_t stride, int64_t padding, int64_t dilation) {
  const int64_t leading = x.dim() == spatial + 2 ? 2 : 1;
  const auto count = static_cast<int64_t>(output_size.size());
  if (count == leading + spatial) output_size.erase(output_size.begin(), output_size.begin() + leading);
  TS_CHECK(static_cast<int64_t>(output_size.size()) == spatial, layer, ": for ", x.dim(), "D input, output_size must have ",
           spatial, " or ", leading + spatial, " elements (got ", count, ")");
  std::vector<int64_t> smallest, largest, in, out;
  for (int64_t d = 0; d < spatial; ++d) {
    in.push_back(x.size(leading + d));
    smallest.push_back((in.back() - 1) * stride - 2 * padding + dilation * (k - 1) + 1);
    largest.push_back(smallest.back() + stride - 1);
  }
  for (size_t d = 0; d < output_size.size(); ++d)
    TS_CHECK(output_size[d] >= smallest[d] && output_size[d] <= largest[d], layer, ": requested an output size of ",
             tessera::detail::shape_str(output_size), ", but valid sizes range from ", tessera::detail::shape_str(smallest),
             " to ", tessera::detail::shape_str(largest), " (for an input of ", tessera::detail::shape_str(in), ")");
  for (size_t d = 0; d < output_size.size(); ++d) out.push_back(output_size[d] - smallest[d]);
  return out;
}

}  // namespace detail_conv_transpose

/** F.conv_transpose1d: x [N, in, L] (or [in, L]) with weight [in, out / groups, k] to
 *  [N, out, (L - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1]
 *  (Note [Transposed convolution geometry]): the input spread out by the stride (zeros between
 *  samples), padded by dilation * (k - 1) - padding, then conv1d with the flipped, regrouped weight. */
template <class T>
Tensor<T> conv_transpose1d(const Tensor<T>& input, const Tensor<T>& weight, const Tensor<T>& bias = {},
                           const ConvTranspose1dOptions& o = {}) {
  TS_CHECK(input.dim() == 2 || input.dim() == 3,
           "conv_transpose1d: Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input of size: ",
           tessera::detail::shape_str(input.sizes()));
  TS_CHECK(weight.dim() >= 3, "conv_transpose1d: weight should have at least three dimensions");
  TS_CHECK(weight.dim() == 3, "conv_transpose1d: expected a 3-D weight [in, out / groups, k], got shape ",
           tessera::detail::shape_str(weight.sizes()));
  const bool batched = input.dim() == 3;
  const Tensor<T> x = batched ? input : input.unsqueeze(0);
  const detail_conv_transpose::Params p{o.stride, o.padding, {o.output_padding}, o.groups, o.dilation};
  detail_conv_transpose::check("conv_transpose1d", 1, x, weight, bias, p);
  const int64_t edge = o.dilation * (weight.size(2) - 1) - o.padding;
  const Tensor<T> spread = detail_conv_transpose::spread(x, o.stride, edge, edge + o.output_padding);
  const Tensor<T> out = conv1d(spread, detail_conv_transpose::forward_weight(weight, o.groups), bias,
                               {.dilation = o.dilation, .groups = o.groups});
  return batched ? out : out.squeeze(0);
}

namespace detail_conv_transpose {

/** conv_transpose2d with output paddings (h, w), which may differ. */
template <class T>
Tensor<T> conv_transpose2d(const Tensor<T>& input, const Tensor<T>& weight, const Tensor<T>& bias,
                           const ConvTranspose2dOptions& o, int64_t output_padding_h, int64_t output_padding_w) {
  TS_CHECK(input.dim() == 3 || input.dim() == 4,
           "conv_transpose2d: Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input of size: ",
           tessera::detail::shape_str(input.sizes()));
  TS_CHECK(weight.dim() == 4 && weight.size(2) == weight.size(3),
           "conv_transpose2d: expected a square 4-D weight [in, out / groups, k, k], got shape ",
           tessera::detail::shape_str(weight.sizes()));
  const bool batched = input.dim() == 4;
  const Tensor<T> x = batched ? input : input.unsqueeze(0);
  const Params p{o.stride, o.padding, {output_padding_h, output_padding_w}, o.groups, o.dilation};
  const std::vector<int64_t> size = check("conv_transpose2d", 2, x, weight, bias, p);
  const int64_t n = x.size(0), h = x.size(2), w = x.size(3), k = weight.size(2);
  const int64_t groups = o.groups, in_per_group = weight.size(0) / groups, out_per_group = weight.size(1);
  const int64_t out_channels = out_per_group * groups;
  // The output image's windows, one per input pixel: with output_padding >= stride (allowed when
  // dilation is larger) the image would hold one more window per row, which no pixel fills.
  const WindowGeometry g{.n = n, .c = out_channels, .h = size[0], .w = size[1], .kh = k, .kw = k, .sh = o.stride,
                         .sw = o.stride, .ph = o.padding, .pw = o.padding, .dh = o.dilation, .dw = o.dilation,
                         .oh = h, .ow = w, .channels_inner = true};
  const Tensor<T> pixels = x.permute({0, 2, 3, 1}).reshape({n * h * w, weight.size(0)});
  Tensor<T> columns;
  if (groups == 1) {
    columns = pixels.matmul(weight.reshape({weight.size(0), out_channels * k * k}));
  } else {
    std::vector<Tensor<T>> parts;
    for (int64_t i = 0; i < groups; ++i)
      parts.push_back(pixels.narrow(1, i * in_per_group, in_per_group)
                          .matmul(weight.narrow(0, i * in_per_group, in_per_group).reshape({in_per_group, out_per_group * k * k})));
    columns = cat(parts, 1);
  }
  Tensor<T> out = col2im(columns.view({n, h, w, out_channels, k, k}), g);
  if (bias.defined()) out = out + bias.reshape({1, out_channels, 1, 1});
  return batched ? out : out.squeeze(0);
}

}  // namespace detail_conv_transpose

/** F.conv_transpose2d with a square kernel: x [N, in, H, W] (or [in, H, W]) with weight
 *  [in, out / groups, k, k] (Note [Transposed convolution geometry]). Each input pixel times the
 *  weight is one k x k window per output channel (a matrix product per group); col2im adds the
 *  windows onto the output image, whose windows with these options are exactly the input's pixels
 *  (the adjoint of conv2d's im2col and product). */
template <class T>
Tensor<T> conv_transpose2d(const Tensor<T>& input, const Tensor<T>& weight, const Tensor<T>& bias = {},
                           const ConvTranspose2dOptions& o = {}) {
  return detail_conv_transpose::conv_transpose2d(input, weight, bias, o, o.output_padding, o.output_padding);
}

}  // namespace functional

namespace impl {

/** torch.nn.ConvTranspose1d: weight [in, out / groups, k] and bias [out], PyTorch's initialisation
 *  (its fan_in is weight.size(1) * k, the out channels per group, as PyTorch computes it). */
template <class = void>
class ConvTranspose1d : public nn::Module {
 public:
  ConvTranspose1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, ConvTranspose1dOptions options = {})
      : ConvTranspose1d(in_channels, out_channels, kernel_size, options, default_generator()) {}
  ConvTranspose1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, ConvTranspose1dOptions options,
                  Generator& gen)
      : options_(options) {
    TS_CHECK(options.groups > 0 && in_channels % options.groups == 0 && out_channels % options.groups == 0,
             "ConvTranspose1d: in_channels and out_channels must be divisible by groups");
    TS_CHECK(kernel_size > 0, "ConvTranspose1d: kernel_size must be positive, got ", kernel_size);
    weight_ = register_parameter("weight", empty<float>({in_channels, out_channels / options.groups, kernel_size}));
    if (options.bias) bias_ = register_parameter("bias", empty<float>({out_channels}));
    init::detail::reset_linear_like(weight_, bias_, gen);
  }
  Tensor<float> forward(const Tensor<float>& x) const {
    return functional::conv_transpose1d(x, weight_, bias_, options_);
  }
  /** The output of length output_size ([L] or the whole output's sizes): PyTorch's
   *  forward(input, output_size), which picks the output_padding that gives it. */
  Tensor<float> forward(const Tensor<float>& x, const std::vector<int64_t>& output_size) const {
    if (x.dim() != 2 && x.dim() != 3) return forward(x);  // refused there, with PyTorch's message
    ConvTranspose1dOptions o = options_;
    o.output_padding = functional::detail_conv_transpose::output_padding_for(
        "ConvTranspose1d", x, output_size, 1, weight_.size(2), o.stride, o.padding, o.dilation)[0];
    return functional::conv_transpose1d(x, weight_, bias_, o);
  }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }
  Tensor<float> operator()(const Tensor<float>& x, const std::vector<int64_t>& output_size) const {
    return this->call_forward(*this, x, output_size);
  }
  const Tensor<float>& weight() const { return weight_; }
  const Tensor<float>& bias() const { return bias_; }

 private:
  ConvTranspose1dOptions options_;
  Tensor<float> weight_, bias_;
};

/** torch.nn.ConvTranspose2d with a square kernel: weight [in, out / groups, k, k] and bias [out],
 *  PyTorch's initialisation. */
template <class = void>
class ConvTranspose2d : public nn::Module {
 public:
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, ConvTranspose2dOptions options = {})
      : ConvTranspose2d(in_channels, out_channels, kernel_size, options, default_generator()) {}
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, ConvTranspose2dOptions options,
                  Generator& gen)
      : options_(options) {
    TS_CHECK(options.groups > 0 && in_channels % options.groups == 0 && out_channels % options.groups == 0,
             "ConvTranspose2d: in_channels and out_channels must be divisible by groups");
    TS_CHECK(kernel_size > 0, "ConvTranspose2d: kernel_size must be positive, got ", kernel_size);
    weight_ = register_parameter(
        "weight", empty<float>({in_channels, out_channels / options.groups, kernel_size, kernel_size}));
    if (options.bias) bias_ = register_parameter("bias", empty<float>({out_channels}));
    init::detail::reset_linear_like(weight_, bias_, gen);
  }
  Tensor<float> forward(const Tensor<float>& x) const {
    return functional::conv_transpose2d(x, weight_, bias_, options_);
  }
  /** The output of size output_size ([H, W] or the whole output's sizes): PyTorch's
   *  forward(input, output_size), which picks the output paddings (one per dim) that give it. */
  Tensor<float> forward(const Tensor<float>& x, const std::vector<int64_t>& output_size) const {
    if (x.dim() != 3 && x.dim() != 4) return forward(x);  // refused there, with PyTorch's message
    const std::vector<int64_t> extra = functional::detail_conv_transpose::output_padding_for(
        "ConvTranspose2d", x, output_size, 2, weight_.size(2), options_.stride, options_.padding, options_.dilation);
    return functional::detail_conv_transpose::conv_transpose2d(x, weight_, bias_, options_, extra[0], extra[1]);
  }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }
  Tensor<float> operator()(const Tensor<float>& x, const std::vector<int64_t>& output_size) const {
    return this->call_forward(*this, x, output_size);
  }
  const Tensor<float>& weight() const { return weight_; }
  const Tensor<float>& bias() const { return bias_; }

 private:
  ConvTranspose2dOptions options_;
  Tensor<float> weight_, bias_;
};

}  // namespace impl

using ConvTranspose1d = impl::ConvTranspose1d<>;
using ConvTranspose2d = impl::ConvTranspose2d<>;

}  // namespace tessera::nn
