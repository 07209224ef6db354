#pragma once
// ConvTranspose1d, ConvTranspose2d and ConvTranspose3d: the adjoint of a convolution (the gradient
// of conv1d/conv2d/conv3d with respect to their input), PyTorch's "deconvolution" that upsamples by
// the stride.

#include "../core/algorithm.hpp"
#include <string>
#include <utility>
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
  std::string padding_mode = "zeros";  // PyTorch's option; only "zeros" exists for a transposed convolution
};

/** Stride, padding, output_padding and dilation are each an int or N ints ((height, width), or
 *  (depth, height, width)), as PyTorch's; only "zeros" padding_mode exists for a transposed
 *  convolution. */
template <size_t N>
struct ConvTransposeOptions {
  ExpandingArray<N> stride = 1;
  ExpandingArray<N> padding = 0;
  ExpandingArray<N> output_padding = 0;  // extra samples at the end of each spatial dim
  int64_t groups = 1;
  bool bias = true;
  ExpandingArray<N> dilation = 1;
  std::string padding_mode = "zeros";
};
using ConvTranspose2dOptions = ConvTransposeOptions<2>;
using ConvTranspose3dOptions = ConvTransposeOptions<3>;

// Note [Transposed convolution geometry]
// Along each spatial dim, input position i with kernel tap j adds to output position
// i * stride - padding + j * dilation, so the output has
// (L - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1 positions: the positions
// conv1d/conv2d with the same options would read from, each input sample spread over the window it
// would have been computed from. A 2-D op takes each of these per axis (height, width). Weights are
// [in, out / groups, k...] (the conv weight of the reverse direction). PyTorch runs a 1-D
// transposed convolution as a 2-D one of height 1, and its messages say so (kernel_height: 1, ...);
// tessera repeats them word for word.

namespace functional {
namespace detail_conv_transpose {

/** A transposed convolution's arguments, one value per spatial dim ((depth,) height, width). */
struct Params {
  std::vector<int64_t> stride, padding;
  std::vector<int64_t> output_padding;  // a layer's forward(x, output_size) picks its own
  int64_t groups;
  std::vector<int64_t> dilation;
};

/** "<name>_height: h<between><name>_width: w" (with "<name>_depth: d<between>" first for three
 *  values), PyTorch's words for the sizes of a 2-d or 3-d op. */
template <class = void>
std::string per_dim_names(const char* name, const std::vector<int64_t>& values, const char* between) {
  static constexpr const char* dims[] = {"_depth: ", "_height: ", "_width: "};
  std::string out;
  for (size_t d = 0; d < values.size(); ++d)
    out += (d ? between : "") + std::string(name) + dims[3 - values.size() + d] + std::to_string(values[d]);
  return out;
}

/** The N values of an int-or-pair option, checked as PyTorch's expand_param_if_needed. */
template <size_t N>
std::vector<int64_t> per_axis(const ExpandingArray<N>& a, const char* name, const char* op) {
  const auto values = detail_conv::expand(a, name, op);
  return {values.begin(), values.end()};
}

/** The output length along spatial dim d for an input length `in`, a kernel of k taps and the
 *  given output padding (Note [Transposed convolution geometry]). */
template <class = void>
int64_t output_length(const Params& p, size_t d, int64_t in, int64_t k, int64_t output_padding) {
  return (in - 1) * p.stride[d] - 2 * p.padding[d] + p.dilation[d] * (k - 1) + output_padding + 1;
}

/** PyTorch's ValueError for a padding_mode other than "zeros". */
template <class = void>
void check_padding_mode(const std::string& mode, const char* op, const char* layer) {
  TS_CHECK(mode == "zeros", op, ": Only \"zeros\" padding mode is supported for ", layer);
}

/** PyTorch 1.13's checks of a transposed convolution, in its order and words, on the batched input x
 *  ([N, C, L] or [N, C, H, W]); returns the output's spatial sizes. */
template <class T>
std::vector<int64_t> check(const char* op, int64_t spatial, const Tensor<T>& x, const Tensor<T>& weight,
                           const Tensor<T>& bias, const Params& p) {
  using tessera::detail::shape_str;
  const auto all = [](const std::vector<int64_t>& values, auto keep) {
    return std::all_of(values.begin(), values.end(), keep);
  };
  const auto positive = [](int64_t e) { return e > 0; };
  const auto non_negative = [](int64_t e) { return e >= 0; };
  TS_CHECK(p.groups > 0, op, ": non-positive groups is not supported");
  TS_CHECK(all(p.padding, non_negative), op, ": negative padding is not supported");
  TS_CHECK(all(p.output_padding, non_negative), op, ": negative output_padding is not supported");
  TS_CHECK(all(p.stride, positive), op, ": non-positive stride is not supported");
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
  // PyTorch's per-dim names; a 1-D op's height is that of its 2-D view (`height_1d`: kernel,
  // stride and dilation 1, output_padding 0).
  const bool one_d = spatial == 1;
  const auto pair = [&](const char* name, const std::vector<int64_t>& values, int64_t height_1d, const char* between) {
    return per_dim_names(name, one_d ? std::vector<int64_t>{height_1d, values[0]} : values, between);
  };
  std::vector<int64_t> kernel;
  for (int64_t d = 0; d < spatial; ++d) kernel.push_back(weight.size(2 + d));
  // (a 3-d op meets an empty kernel as an empty weight, below)
  if (spatial < 3)
    TS_CHECK(all(kernel, positive), op, ": kernel size should be greater than zero, but got ", pair("kernel", kernel, 1, " "));
  TS_CHECK(all(p.dilation, positive), op, ": dilation should be greater than zero, but got ",
           pair("dilation", p.dilation, 1, ", "));
  bool output_padding_fits = true;
  for (size_t d = 0; d < kernel.size(); ++d)
    output_padding_fits = output_padding_fits && (p.output_padding[d] < p.stride[d] || p.output_padding[d] < p.dilation[d]);
  TS_CHECK(output_padding_fits, op, ": output padding must be smaller than either stride or dilation, but got ",
           pair("output_padding", p.output_padding, 0, " "), " ", pair("stride", p.stride, 1, " "), " ",
           pair("dilation", p.dilation, 1, " "));
  // PyTorch views the weight as 2-D [in, out / groups, kh, kw] (1-D: [in, out / groups, 1, k]).
  Shape weight_2d = weight.sizes();
  if (one_d) weight_2d.insert(2, 1);
  if (spatial == 3)
    TS_CHECK(weight.numel() > 0, op, ": non-empty 5D (n_output_plane x n_input_plane x kernel_depth x kernel_height x "
             "kernel_width) tensor expected for weight, but got: ", shape_str(weight.sizes()));
  TS_CHECK(weight.numel() > 0, op, ": non-empty 2D or 4D weight tensor expected, but got: ", shape_str(weight_2d));
  Shape input_2d = x.sizes();
  if (one_d) input_2d.insert(2, 1);
  bool empty_plane = false;
  for (int64_t d = 2; d < x.dim(); ++d) empty_plane = empty_plane || x.size(d) == 0;
  TS_CHECK(!empty_plane || x.size(0) == 0, op,
           ": Only zero batch or zero channel inputs are supported, but got input shape: ", shape_str(input_2d));
  std::vector<int64_t> in, out;
  for (size_t d = 0; d < kernel.size(); ++d) {
    in.push_back(x.size(static_cast<int64_t>(d) + 2));
    out.push_back(output_length(p, d, in[d], kernel[d], p.output_padding[d]));
  }
  const auto sizes = [&](const std::vector<int64_t>& s) {
    std::string text = one_d ? "1" : "";
    for (size_t d = 0; d < s.size(); ++d) text += (d || one_d ? " x " : "") + std::to_string(s[d]);
    return text;
  };
  TS_CHECK(all(out, positive), op, ": Given input size per channel: (", sizes(in),
           "). Calculated output size per channel: (", sizes(out), "). Output size is too small");
  return out;
}

/** The weight of the convolution that a stride-1 transposed convolution is: [in, out / groups, k]
 *  regrouped to [out, in / groups, k] and flipped. */
template <class T>
Tensor<T> forward_weight(const Tensor<T>& weight, int64_t groups) {
  const int64_t in_per_group = weight.size(0) / groups;
  return detail_conv::per_group(groups, 0, [&](int64_t i) {
           return weight.narrow(0, i * in_per_group, in_per_group).transpose(0, 1);
         }).flip({2});
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
 *  of the output): PyTorch's ConvTransposeNd._output_padding, each between 0 and stride - 1 of its
 *  dim. The other arguments hold one value per spatial dim. */
template <class T>
std::vector<int64_t> output_padding_for(const char* layer, const Tensor<T>& x, std::vector<int64_t> output_size,
                                        const std::vector<int64_t>& kernel, const Params& p) {
  const auto spatial = static_cast<int64_t>(kernel.size());
  const int64_t leading = x.dim() == spatial + 2 ? 2 : 1;
  const auto count = static_cast<int64_t>(output_size.size());
  if (count == leading + spatial) output_size.erase(output_size.begin(), output_size.begin() + leading);
  TS_CHECK(static_cast<int64_t>(output_size.size()) == spatial, layer, ": for ", x.dim(), "D input, output_size must have ",
           spatial, " or ", leading + spatial, " elements (got ", count, ")");
  std::vector<int64_t> smallest, largest, in, out;
  for (size_t d = 0; d < kernel.size(); ++d) {
    in.push_back(x.size(leading + static_cast<int64_t>(d)));
    smallest.push_back(output_length(p, d, in.back(), kernel[d], 0));
    largest.push_back(smallest.back() + p.stride[d] - 1);
  }
  for (size_t d = 0; d < output_size.size(); ++d)
    TS_CHECK(output_size[d] >= smallest[d] && output_size[d] <= largest[d], layer, ": requested an output size of ",
             tessera::detail::shape_str(output_size), ", but valid sizes range from ", tessera::detail::shape_str(smallest),
             " to ", tessera::detail::shape_str(largest), " (for an input of ", tessera::detail::shape_str(in), ")");
  for (size_t d = 0; d < output_size.size(); ++d) out.push_back(output_size[d] - smallest[d]);
  return out;
}

/** PyTorch's ConvolutionBackward0 of a 2-D transposed convolution: the input gradient of the
 *  convolution of `geometry` (whose input is the result and whose output is x) with the weight. Its
 *  gradients are that convolution's: of the output's gradient for x, and its weight gradient with
 *  the roles of image and output gradient exchanged; recorded under create_graph. */
template <class T>
struct ConvTransposeBackward final : detail_conv::ConvolutionNode<T> {
  WindowGeometry geometry;
  int64_t groups;
  ConvTransposeBackward(const Tensor<T>& x, const Tensor<T>& w, const WindowGeometry& g, int64_t groups_)
      : detail_conv::ConvolutionNode<T>(x, w), geometry(g), groups(groups_) {}
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    const Tensor<T> x = this->input.unpack(*this), w = this->weight.unpack(*this), gy = grads[0].as<T>();
    Tensor<T> gx, gw, gb;
    if (this->needs_input_grad(0)) gx = detail_conv::convolution(gy, w, Tensor<T>(), geometry, groups);
    if (this->needs_input_grad(1)) gw = detail_conv::convolution_gradients(gy, w, x, geometry, groups, false, true).second;
    if (this->needs_input_grad(2)) gb = gy.sum({0, 2, 3});
    return {gx, gw, gb};
  }
};

/** The options of a 2-d or 3-d op as Params, each checked as PyTorch's expand_param_if_needed (its order). */
template <size_t N>
Params params(const ConvTransposeOptions<N>& o, const char* op) {
  Params p{.stride = per_axis(o.stride, "stride", op), .padding = per_axis(o.padding, "padding", op),
           .output_padding = {}, .groups = o.groups, .dilation = per_axis(o.dilation, "dilation", op)};
  p.output_padding = per_axis(o.output_padding, "output_padding", op);
  return p;
}

}  // namespace detail_conv_transpose

/** F.conv_transpose1d: x [N, in, L] (or [in, L]) with weight [in, out / groups, k] to
 *  [N, out, (L - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1]
 *  (Note [Transposed convolution geometry]): the input spread out by the stride (zeros between
 *  samples), padded by dilation * (k - 1) - padding, then conv1d with the flipped, regrouped weight. */
template <class T>
Tensor<T> conv_transpose1d(const Tensor<T>& input, const Tensor<T>& weight, const Tensor<T>& bias = {},
                           const ConvTranspose1dOptions& o = {}) {
  detail_conv_transpose::check_padding_mode(o.padding_mode, "conv_transpose1d", "ConvTranspose1d");
  TS_CHECK(input.dim() == 2 || input.dim() == 3,
           "conv_transpose1d: Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input of size: ",
           tessera::detail::shape_str(input.sizes()));
  TS_CHECK(weight.dim() >= 3, "conv_transpose1d: weight should have at least three dimensions");
  TS_CHECK(weight.dim() == 3, "conv_transpose1d: expected a 3-D weight [in, out / groups, k], got shape ",
           tessera::detail::shape_str(weight.sizes()));
  const bool batched = input.dim() == 3;
  const Tensor<T> x = batched ? input : input.unsqueeze(0);
  const detail_conv_transpose::Params p{{o.stride}, {o.padding}, {o.output_padding}, o.groups, {o.dilation}};
  detail_conv_transpose::check("conv_transpose1d", 1, x, weight, bias, p);
  const int64_t edge = o.dilation * (weight.size(2) - 1) - o.padding;
  const Tensor<T> spread = detail_conv_transpose::spread(x, o.stride, edge, edge + o.output_padding);
  const Tensor<T> out = conv1d(spread, detail_conv_transpose::forward_weight(weight, o.groups), bias,
                               {.dilation = o.dilation, .groups = o.groups});
  return batched ? out : out.squeeze(0);
}

/** F.conv_transpose2d: x [N, in, H, W] (or [in, H, W]) with weight [in, out / groups, kh, kw];
 *  stride, padding, output_padding and dilation each an int or a pair (height, width) (Note
 *  [Transposed convolution geometry]). Each input pixel times the weight is one kh x kw window per
 *  output channel (a matrix product per group); col2im adds the windows onto the output image,
 *  whose windows with these options are exactly the input's pixels (the adjoint of conv2d's im2col
 *  and product). */
template <class T>
Tensor<T> conv_transpose2d(const Tensor<T>& input, const Tensor<T>& weight, const Tensor<T>& bias = {},
                           const ConvTranspose2dOptions& o = {}) {
  detail_conv_transpose::check_padding_mode(o.padding_mode, "conv_transpose2d", "ConvTranspose2d");
  TS_CHECK(input.dim() == 3 || input.dim() == 4,
           "conv_transpose2d: Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input of size: ",
           tessera::detail::shape_str(input.sizes()));
  TS_CHECK(weight.dim() == 4, "conv_transpose2d: expected a 4-D weight [in, out / groups, kh, kw], got shape ",
           tessera::detail::shape_str(weight.sizes()));
  const bool batched = input.dim() == 4;
  const Tensor<T> x = batched ? input : input.unsqueeze(0);
  const detail_conv_transpose::Params p = detail_conv_transpose::params(o, "conv_transpose2d");
  const std::vector<int64_t> size = detail_conv_transpose::check("conv_transpose2d", 2, x, weight, bias, p);
  const int64_t n = x.size(0), h = x.size(2), w = x.size(3), kh = weight.size(2), kw = weight.size(3);
  const int64_t groups = o.groups, out_per_group = weight.size(1);
  const int64_t out_channels = out_per_group * groups;
  // The output image's windows, one per input pixel: with output_padding >= stride (allowed when
  // dilation is larger) the image would hold one more window per row or column, which no pixel fills.
  const WindowGeometry g{.n = n, .c = out_channels, .h = size[0], .w = size[1], .kh = kh, .kw = kw, .sh = p.stride[0],
                         .sw = p.stride[1], .ph = p.padding[0], .pw = p.padding[1], .dh = p.dilation[0],
                         .dw = p.dilation[1], .oh = h, .ow = w, .channels_inner = true};
  Tensor<T> out;
  {
    NoGradGuard no_grad;  // the derivatives are ConvolutionBackward0's
    // the input gradient of the convolution with this weight (Note [Convolution node])
    out = detail_conv::convolution_gradients(Tensor<T>(), weight, x, g, groups, true, false).first;
    if (bias.defined()) out = out + bias.reshape({1, out_channels, 1, 1});
  }
  if (::tessera::detail::needs_grad(x, weight, bias))
    ::tessera::detail::record<detail_conv_transpose::ConvTransposeBackward<T>>({x, weight, bias}, {out}, x, weight, g, groups);
  return batched ? out : out.squeeze(0);
}

// Note [conv_transpose3d from conv_transpose2d]
// Input depth slice i with the weight's depth tap k adds to output depth slice
// i * stride - padding + k * dilation (Note [Transposed convolution geometry]), so a 3-D transposed
// convolution is, for each tap k, conv_transpose2d of every input depth slice (batched as one
// [N * D, C, H, W] input) with the weight's slice k, added into the output's depth slices by
// index_add. It runs on conv_transpose2d's kernels on every device, and so do its gradients.

/** F.conv_transpose3d: x [N, in, D, H, W] (or [in, D, H, W]) with weight [in, out / groups, kd, kh,
 *  kw]; stride, padding, output_padding and dilation each an int or a triple (depth, height,
 *  width); PyTorch's checks and messages (Note [conv_transpose3d from conv_transpose2d]). */
template <class T>
Tensor<T> conv_transpose3d(const Tensor<T>& input, const Tensor<T>& weight, const Tensor<T>& bias = {},
                           const ConvTranspose3dOptions& o = {}) {
  detail_conv_transpose::check_padding_mode(o.padding_mode, "conv_transpose3d", "ConvTranspose3d");
  TS_CHECK(input.dim() == 4 || input.dim() == 5,
           "conv_transpose3d: Expected 4D (unbatched) or 5D (batched) input to conv_transpose3d, but got input of size: ",
           tessera::detail::shape_str(input.sizes()));
  TS_CHECK(weight.dim() == 5, "conv_transpose3d: expected a 5-D weight [in, out / groups, kd, kh, kw], got shape ",
           tessera::detail::shape_str(weight.sizes()));
  const bool batched = input.dim() == 5;
  const Tensor<T> x = batched ? input : input.unsqueeze(0);
  const detail_conv_transpose::Params p = detail_conv_transpose::params(o, "conv_transpose3d");
  const std::vector<int64_t> size = detail_conv_transpose::check("conv_transpose3d", 3, x, weight, bias, p);
  const int64_t n = x.size(0), depth = x.size(2), out_channels = weight.size(1) * o.groups;
  const ConvTranspose2dOptions plane{.stride = {p.stride[1], p.stride[2]}, .padding = {p.padding[1], p.padding[2]},
                                     .output_padding = {p.output_padding[1], p.output_padding[2]}, .groups = o.groups,
                                     .dilation = {p.dilation[1], p.dilation[2]}};
  const Tensor<T> slices = x.permute({0, 2, 1, 3, 4}).reshape({n * depth, x.size(1), x.size(3), x.size(4)});
  Tensor<T> out = zeros<T>({n, size[0], out_channels, size[1], size[2]}, {.device = x.device()});
  for (int64_t k = 0; k < weight.size(2); ++k) {
    // the input depth slices this tap reaches, and where (none, possibly: the output still depends
    // on the inputs, with zero gradients, as PyTorch's)
    std::vector<int64_t> from, to;
    for (int64_t i = 0; i < depth; ++i)
      if (const int64_t at = i * p.stride[0] - p.padding[0] + k * p.dilation[0]; at >= 0 && at < size[0])
        from.push_back(i), to.push_back(at);
    const Tensor<T> y = conv_transpose2d(slices, weight.select(2, k), Tensor<T>{}, plane)
                            .view({n, depth, out_channels, size[1], size[2]});
    const auto positions = [&](const std::vector<int64_t>& v) {
      return from_vector(v, {static_cast<int64_t>(v.size())}, {.device = x.device()});
    };
    out = out.index_add(1, positions(to), y.index_select(1, positions(from)));
  }
  out = out.permute({0, 2, 1, 3, 4});
  if (bias.defined()) out = out + bias.view({1, out_channels, 1, 1, 1});
  return batched ? out : out.squeeze(0);
}

}  // namespace functional

namespace impl {

/** torch.nn.ConvTranspose1d: weight [in, out / groups, k] and bias [out], PyTorch's initialisation
 *  (its fan_in is weight.size(1) * k, the out channels per group, as PyTorch computes it). */
template <class = void>
class ConvTranspose1d : public nn::Module {
 public:
  ConvTranspose1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, ConvTranspose1dOptions options = {})
      : ConvTranspose1d(in_channels, out_channels, kernel_size, std::move(options), default_generator()) {}
  ConvTranspose1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, ConvTranspose1dOptions options,
                  Generator& gen)
      : options_(std::move(options)) {
    functional::detail_conv_transpose::check_padding_mode(options_.padding_mode, "ConvTranspose1d", "ConvTranspose1d");
    TS_CHECK(options_.groups > 0 && in_channels % options_.groups == 0 && out_channels % options_.groups == 0,
             "ConvTranspose1d: in_channels and out_channels must be divisible by groups");
    TS_CHECK(kernel_size > 0, "ConvTranspose1d: kernel_size must be positive, got ", kernel_size);
    weight_ = register_parameter("weight", empty<float>({in_channels, out_channels / options_.groups, kernel_size}));
    if (options_.bias) bias_ = register_parameter("bias", empty<float>({out_channels}));
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
    const functional::detail_conv_transpose::Params p{{o.stride}, {o.padding}, {o.output_padding}, o.groups, {o.dilation}};
    o.output_padding =
        functional::detail_conv_transpose::output_padding_for("ConvTranspose1d", x, output_size, {weight_.size(2)}, p)[0];
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

/** torch.nn.ConvTranspose2d and ConvTranspose3d: weight [in, out / groups, k...] (kernel_size an int
 *  or N ints) and bias [out], PyTorch's initialisation; stride, padding, output_padding and
 *  dilation each an int or N ints, their lengths checked here (PyTorch checks them in forward). */
template <size_t N, class = void>
class ConvTranspose : public nn::Module {
  static_assert(N == 2 || N == 3);
  static constexpr const char* kName = N == 2 ? "ConvTranspose2d" : "ConvTranspose3d";

 public:
  ConvTranspose(int64_t in_channels, int64_t out_channels, ExpandingArray<N> kernel_size,
                ConvTransposeOptions<N> options = {})
      : ConvTranspose(in_channels, out_channels, std::move(kernel_size), std::move(options), default_generator()) {}
  ConvTranspose(int64_t in_channels, int64_t out_channels, ExpandingArray<N> kernel_size, ConvTransposeOptions<N> options,
                Generator& gen)
      : options_(std::move(options)) {
    functional::detail_conv_transpose::check_padding_mode(options_.padding_mode, kName, kName);
    TS_CHECK(options_.groups > 0 && in_channels % options_.groups == 0 && out_channels % options_.groups == 0, kName,
             ": in_channels and out_channels must be divisible by groups");
    const auto kernel = functional::detail_conv::expand(kernel_size, "kernel_size", kName);
    bool positive = true;
    for (int64_t k : kernel) positive = positive && k > 0;
    TS_CHECK(positive, kName, ": kernel_size must be positive, got ", functional::detail_conv::list_str(kernel_size.values));
    functional::detail_conv_transpose::params(options_, kName);
    Shape shape{in_channels, out_channels / options_.groups};
    for (int64_t k : kernel) shape.push_back(k);
    weight_ = register_parameter("weight", empty<float>(shape));
    if (options_.bias) bias_ = register_parameter("bias", empty<float>({out_channels}));
    init::detail::reset_linear_like(weight_, bias_, gen);
  }
  Tensor<float> forward(const Tensor<float>& x) const { return run(x, options_); }
  /** The output of size output_size (the spatial sizes or the whole output's sizes): PyTorch's
   *  forward(input, output_size), which picks the output paddings (one per dim) that give it. */
  Tensor<float> forward(const Tensor<float>& x, const std::vector<int64_t>& output_size) const {
    constexpr auto spatial = static_cast<int64_t>(N);
    if (x.dim() != spatial + 1 && x.dim() != spatial + 2) return forward(x);  // refused there, with PyTorch's message
    ConvTransposeOptions<N> o = options_;
    std::vector<int64_t> kernel;
    for (size_t d = 0; d < N; ++d) kernel.push_back(weight_.size(static_cast<int64_t>(d) + 2));
    o.output_padding = functional::detail_conv_transpose::output_padding_for(
        kName, x, output_size, kernel, functional::detail_conv_transpose::params(options_, kName));
    return run(x, o);
  }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }
  Tensor<float> operator()(const Tensor<float>& x, const std::vector<int64_t>& output_size) const {
    return this->call_forward(*this, x, output_size);
  }
  const Tensor<float>& weight() const { return weight_; }
  const Tensor<float>& bias() const { return bias_; }

 private:
  Tensor<float> run(const Tensor<float>& x, const ConvTransposeOptions<N>& o) const {
    if constexpr (N == 2) return functional::conv_transpose2d(x, weight_, bias_, o);
    else return functional::conv_transpose3d(x, weight_, bias_, o);
  }

  ConvTransposeOptions<N> options_;
  Tensor<float> weight_, bias_;
};

}  // namespace impl

using ConvTranspose1d = impl::ConvTranspose1d<>;
using ConvTranspose2d = impl::ConvTranspose<2>;
using ConvTranspose3d = impl::ConvTranspose<3>;

}  // namespace tessera::nn
