#pragma once
// Conv1d and Conv2d: a convolution is one matrix product over the input's windows (im2col for
// 2-D, a view for 1-D). The pools are in pooling.hpp.

#include <vector>

#include "im2col.hpp"
#include "layers.hpp"

namespace tessera::nn {

struct Conv2dOptions {
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t dilation = 1;
  int64_t groups = 1;
  bool bias = true;
};

struct Conv1dOptions {
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t dilation = 1;
  int64_t groups = 1;
  bool bias = true;
  bool padding_same = false;  // PyTorch's padding="same" (stride 1): the output as long as the input
};

namespace functional {

/** 1-D convolution (cross-correlation, as PyTorch) of x [N, C, L] (or [C, L]) with weight
 *  [out, C / groups, k]: zero padding, the windows of the input as a view, then a matrix product
 *  per group. */
template <class T>
Tensor<T> conv1d(const Tensor<T>& input, const Tensor<T>& weight, const Tensor<T>& bias = {},
                 const Conv1dOptions& o = {}) {
  TS_CHECK(weight.dim() == 3, "conv1d: expected a 3-D weight [out, in / groups, k], got shape ",
           tessera::detail::shape_str(weight.sizes()));
  TS_CHECK(o.groups > 0 && o.stride > 0 && o.dilation > 0 && o.padding >= 0, "conv1d: stride, dilation and groups "
           "must be positive and padding non-negative (got ", o.stride, ", ", o.dilation, ", ", o.groups, ", ",
           o.padding, ")");
  TS_CHECK(!o.padding_same || o.stride == 1, "conv1d: padding='same' is not supported for strided convolutions");
  const bool batched = input.dim() == 3;
  const Tensor<T> x = batched ? input : input.unsqueeze(0);
  const int64_t groups = o.groups, out_channels = weight.size(0), cg = weight.size(1), k = weight.size(2);
  TS_CHECK(x.dim() == 3 && x.size(1) == cg * groups && out_channels % groups == 0, "conv1d: input of shape ",
           tessera::detail::shape_str(input.sizes()), " does not match weight of shape ",
           tessera::detail::shape_str(weight.sizes()), " with groups=", groups);
  const int64_t span = o.dilation * (k - 1) + 1;
  int64_t left = o.padding, right = o.padding;
  if (o.padding_same) left = (span - 1) / 2, right = span - 1 - left;
  const int64_t n = x.size(0), length = x.size(2) + left + right;
  TS_CHECK(length >= span, "conv1d: Calculated padded input size per channel: (", length, "). Kernel size: (", span,
           "). Kernel size can't be greater than actual input size");
  Tensor<T> padded = x;
  if (left > 0 || right > 0) {
    std::vector<Tensor<T>> parts;
    if (left > 0) parts.push_back(zeros<T>({n, x.size(1), left}, {.device = x.device()}));
    parts.push_back(x);
    if (right > 0) parts.push_back(zeros<T>({n, x.size(1), right}, {.device = x.device()}));
    padded = cat(parts, 2);
  }
  // [N, C, OL, span] windows, every dilation-th element of each: [N, C, OL, k]
  Tensor<T> windows = padded.unfold(2, span, o.stride);
  if (o.dilation > 1) windows = windows.index({Slice(), Slice(), Slice(), Slice(None, None, o.dilation)});
  const int64_t ol = windows.size(2), og = out_channels / groups;
  const Tensor<T> rows = windows.permute({0, 2, 1, 3});  // [N, OL, C, k]
  Tensor<T> out;
  if (groups == 1) {
    out = rows.reshape({n * ol, cg * k}).matmul(weight.reshape({out_channels, cg * k}).t());
  } else {
    std::vector<Tensor<T>> parts;
    for (int64_t i = 0; i < groups; ++i)
      parts.push_back(rows.narrow(2, i * cg, cg).reshape({n * ol, cg * k}).matmul(
          weight.narrow(0, i * og, og).reshape({og, cg * k}).t()));
    out = cat(parts, 1);
  }
  if (bias.defined()) out = out + bias;
  out = out.view({n, ol, out_channels}).permute({0, 2, 1});
  return batched ? out : out.squeeze(0);
}


/** 2-D convolution (cross-correlation, as PyTorch) of x [N, C, H, W] with weight
 *  [out, C / groups, k, k]: im2col, then one matrix product per group. */
template <class T>
Tensor<T> conv2d(const Tensor<T>& x, const Tensor<T>& weight, const Tensor<T>& bias = {}, const Conv2dOptions& o = {}) {
  TS_CHECK(weight.dim() == 4 && weight.size(2) == weight.size(3), "conv2d: expected a square 4-D weight, got shape ",
           tessera::detail::shape_str(weight.sizes()));
  TS_CHECK(o.groups > 0, "conv2d: groups must be positive, got ", o.groups);
  const int64_t groups = o.groups, out_channels = weight.size(0), k = weight.size(2);
  TS_CHECK(x.dim() == 4 && x.size(1) == weight.size(1) * groups && out_channels % groups == 0,
           "conv2d: input of shape ", tessera::detail::shape_str(x.sizes()), " does not match weight of shape ",
           tessera::detail::shape_str(weight.sizes()), " with groups=", groups);
  const WindowGeometry g = window_geometry(x, k, o.stride, o.padding, o.dilation, /*channels_inner=*/true, "conv2d");
  const Tensor<T> cols = im2col(x, g);  // [N, OH, OW, C, k, k]
  const int64_t rows = g.n * g.oh * g.ow, cg = weight.size(1), og = out_channels / groups;
  Tensor<T> out;
  if (groups == 1) {
    out = cols.view({rows, cg * k * k}).matmul(weight.reshape({out_channels, cg * k * k}).t());
  } else {
    std::vector<Tensor<T>> parts;
    for (int64_t i = 0; i < groups; ++i) {
      const Tensor<T> group_cols = cols.narrow(3, i * cg, cg).reshape({rows, cg * k * k});
      parts.push_back(group_cols.matmul(weight.narrow(0, i * og, og).reshape({og, cg * k * k}).t()));
    }
    out = cat(parts, 1);
  }
  if (bias.defined()) out = out + bias;
  return out.view({g.n, g.oh, g.ow, out_channels}).permute({0, 3, 1, 2});
}

}  // namespace functional

namespace impl {

/** torch.nn.Conv1d: weight [out, in / groups, k] and bias [out], PyTorch's initialisation. */
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

/** torch.nn.Conv2d with a square kernel and PyTorch's initialisation. */
template <class = void>
class Conv2d : public nn::Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel, Conv2dOptions options = {})
      : Conv2d(in_channels, out_channels, kernel, options, default_generator()) {}
  Conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel, Conv2dOptions options, Generator& gen)
      : options_(options) {
    TS_CHECK(options.groups > 0 && in_channels % options.groups == 0 && out_channels % options.groups == 0,
             "Conv2d: in_channels and out_channels must be divisible by groups");
    weight_ = register_parameter("weight", empty<float>({out_channels, in_channels / options.groups, kernel, kernel}));
    if (options.bias) bias_ = register_parameter("bias", empty<float>({out_channels}));
    init::detail::reset_linear_like(weight_, bias_, gen);
  }
  Tensor<float> forward(const Tensor<float>& x) const { return functional::conv2d(x, weight_, bias_, options_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }
  const Tensor<float>& weight() const { return weight_; }
  const Tensor<float>& bias() const { return bias_; }

 private:
  Conv2dOptions options_;
  Tensor<float> weight_, bias_;
};

}  // namespace impl

using Conv1d = impl::Conv1d<>;
using Conv2d = impl::Conv2d<>;

}  // namespace tessera::nn
