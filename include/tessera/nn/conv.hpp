#pragma once
// Conv2d, MaxPool2d and AvgPool2d: windows are strided views of the (padded) input, so a
// convolution is one matrix product (im2col) and autograd differentiates it like any op.

#include <array>

#include "layers.hpp"

namespace tessera::nn {

struct Conv2dOptions {
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t dilation = 1;
  int64_t groups = 1;
  bool bias = true;
};

namespace functional {
namespace detail_conv {

/** x [N, C, H, W] with `pad` zeros on each side of H and W (differentiable). */
template <class = void>
Tensor<float> pad2d(const Tensor<float>& x, int64_t pad) {
  if (pad == 0) return x;
  Tensor<float> out = zeros<float>({x.size(0), x.size(1), x.size(2) + 2 * pad, x.size(3) + 2 * pad});
  out.narrow(2, pad, x.size(2)).narrow(3, pad, x.size(3)).copy_(x);
  return out;
}

inline int64_t out_size(int64_t in, int64_t kernel, int64_t stride, int64_t dilation) {
  const int64_t span = dilation * (kernel - 1) + 1;
  return in < span ? 0 : (in - span) / stride + 1;
}

/** The k x k windows of padded x as a view [N, C, OH, OW, k, k]. */
template <class = void>
Tensor<float> windows(const Tensor<float>& x, int64_t k, int64_t stride, int64_t dilation, const char* op) {
  const int64_t oh = out_size(x.size(2), k, stride, dilation), ow = out_size(x.size(3), k, stride, dilation);
  TS_CHECK(oh > 0 && ow > 0, op, ": input of shape ", tessera::detail::shape_str(x.sizes()), " is smaller than the ",
           k, "x", k, " kernel (dilation ", dilation, ")");
  const Tensor<float> c = x.contiguous();
  const auto& s = c.strides();
  return c.as_strided({c.size(0), c.size(1), oh, ow, k, k},
                      {s[0], s[1], s[2] * stride, s[3] * stride, s[2] * dilation, s[3] * dilation});
}

template <class = void>
void check_input(const Tensor<float>& x, const char* op) {
  TS_CHECK(x.dim() == 4, op, ": expected a 4-D input [N, C, H, W], got shape ", tessera::detail::shape_str(x.sizes()));
}

}  // namespace detail_conv

/** 2-D convolution (cross-correlation, as PyTorch) of x [N, C, H, W] with weight
 *  [out, C / groups, k, k], through one matrix product per group. */
template <class = void>
Tensor<float> conv2d(const Tensor<float>& x, const Tensor<float>& weight, const Tensor<float>& bias = {},
                            const Conv2dOptions& o = {}) {
  detail_conv::check_input(x, "conv2d");
  TS_CHECK(weight.dim() == 4 && weight.size(2) == weight.size(3), "conv2d: expected a square 4-D weight, got shape ",
           tessera::detail::shape_str(weight.sizes()));
  TS_CHECK(o.stride > 0 && o.dilation > 0 && o.padding >= 0 && o.groups > 0, "conv2d: invalid stride, padding, "
           "dilation or groups");
  const int64_t groups = o.groups, out_channels = weight.size(0), k = weight.size(2);
  TS_CHECK(x.size(1) == weight.size(1) * groups && out_channels % groups == 0, "conv2d: input of shape ",
           tessera::detail::shape_str(x.sizes()), " does not match weight of shape ",
           tessera::detail::shape_str(weight.sizes()), " with groups=", groups);
  const Tensor<float> win = detail_conv::windows(detail_conv::pad2d(x, o.padding), k, o.stride, o.dilation, "conv2d");
  const int64_t n = x.size(0), oh = win.size(2), ow = win.size(3), cg = weight.size(1), og = out_channels / groups;
  std::vector<Tensor<float>> parts;
  for (int64_t g = 0; g < groups; ++g) {
    // [N, OH, OW, Cg, k, k] rows against [Cg * k * k, og] columns.
    const Tensor<float> cols = win.narrow(1, g * cg, cg).permute({0, 2, 3, 1, 4, 5}).reshape({n * oh * ow, cg * k * k});
    const Tensor<float> w = weight.narrow(0, g * og, og).reshape({og, cg * k * k});
    parts.push_back(cols.matmul(w.t()));
  }
  Tensor<float> out = groups == 1 ? parts[0] : cat(parts, 1);
  if (bias.defined()) out = out + bias;
  return out.view({n, oh, ow, out_channels}).permute({0, 3, 1, 2});
}

/** Maximum over k x k windows; the gradient goes to the first maximum of each window, as
 *  PyTorch's. */
template <class = void>
Tensor<float> max_pool2d(const Tensor<float>& x, int64_t kernel, int64_t stride = 0, int64_t padding = 0) {
  detail_conv::check_input(x, "max_pool2d");
  if (stride == 0) stride = kernel;
  Tensor<float> padded = x;
  if (padding > 0) {
    padded = full<float>({x.size(0), x.size(1), x.size(2) + 2 * padding, x.size(3) + 2 * padding}, -INFINITY);
    padded.narrow(2, padding, x.size(2)).narrow(3, padding, x.size(3)).copy_(x);
  }
  const Tensor<float> win = detail_conv::windows(padded, kernel, stride, 1, "max_pool2d");
  const Shape flat = {win.size(0), win.size(1), win.size(2), win.size(3), kernel * kernel};
  return std::get<0>(win.reshape(flat).max(-1));
}

/** Mean over k x k windows (zero padding counted, as PyTorch's default). */
template <class = void>
Tensor<float> avg_pool2d(const Tensor<float>& x, int64_t kernel, int64_t stride = 0, int64_t padding = 0) {
  detail_conv::check_input(x, "avg_pool2d");
  if (stride == 0) stride = kernel;
  const Tensor<float> win = detail_conv::windows(detail_conv::pad2d(x, padding), kernel, stride, 1, "avg_pool2d");
  return win.mean({-2, -1});
}

}  // namespace functional

namespace impl {

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
    const int64_t fan_in = in_channels / options.groups * kernel * kernel;
    weight_ = register_parameter("weight", empty<float>({out_channels, in_channels / options.groups, kernel, kernel}));
    init::kaiming_uniform_default_(weight_, fan_in, gen);
    if (options.bias) {
      bias_ = register_parameter("bias", empty<float>({out_channels}));
      init::uniform_(bias_, 1.0 / std::sqrt(static_cast<double>(fan_in)), gen);
    }
  }
  Tensor<float> forward(const Tensor<float>& x) const { return functional::conv2d(x, weight_, bias_, options_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return forward(x); }
  const Tensor<float>& weight() const { return weight_; }
  const Tensor<float>& bias() const { return bias_; }

 private:
  Conv2dOptions options_;
  Tensor<float> weight_, bias_;
};

template <class = void>
class MaxPool2d : public nn::Module {
 public:
  explicit MaxPool2d(int64_t kernel, int64_t stride = 0, int64_t padding = 0) : k_(kernel), s_(stride), p_(padding) {}
  Tensor<float> forward(const Tensor<float>& x) const { return functional::max_pool2d(x, k_, s_, p_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return forward(x); }

 private:
  int64_t k_, s_, p_;
};

template <class = void>
class AvgPool2d : public nn::Module {
 public:
  explicit AvgPool2d(int64_t kernel, int64_t stride = 0, int64_t padding = 0) : k_(kernel), s_(stride), p_(padding) {}
  Tensor<float> forward(const Tensor<float>& x) const { return functional::avg_pool2d(x, k_, s_, p_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return forward(x); }

 private:
  int64_t k_, s_, p_;
};

}  // namespace impl

using Conv2d = impl::Conv2d<>;
using MaxPool2d = impl::MaxPool2d<>;
using AvgPool2d = impl::AvgPool2d<>;

}  // namespace tessera::nn
