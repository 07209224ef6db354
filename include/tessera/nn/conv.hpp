#pragma once
// Conv2d, MaxPool2d and AvgPool2d, through im2col: a convolution is one matrix product, a
// pooling one reduction over each window.

#include <limits>

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

namespace functional {

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

/** Maximum over k x k windows (padding never wins); the gradient goes to the first maximum
 *  of each window, as PyTorch's. */
template <class T>
Tensor<T> max_pool2d(const Tensor<T>& x, int64_t kernel, int64_t stride = 0, int64_t padding = 0) {
  TS_CHECK(padding <= kernel / 2, "max_pool2d: pad should be at most half of kernel size, but got pad=", padding,
           " and kernel_size=", kernel);
  const WindowGeometry g = window_geometry(x, kernel, stride == 0 ? kernel : stride, padding, 1, false, "max_pool2d");
  // Padding never wins: -inf for floating types, the lowest value for integers (whose
  // numeric_limits<T>::infinity() is 0, as is that of half and bfloat16, which have none).
  T lowest;
  if constexpr (std::is_integral_v<T>) lowest = std::numeric_limits<T>::lowest();
  else lowest = tessera::detail::convert<T>(-std::numeric_limits<double>::infinity());
  const Tensor<T> cols = im2col(x, g, lowest);  // [N, C, OH, OW, k, k]
  return std::get<0>(cols.view({g.n, g.c, g.oh, g.ow, kernel * kernel}).max(-1));
}

/** Mean over k x k windows (zero padding counted, as PyTorch's default). */
template <class T>
Tensor<T> avg_pool2d(const Tensor<T>& x, int64_t kernel, int64_t stride = 0, int64_t padding = 0) {
  TS_CHECK(padding <= kernel / 2, "avg_pool2d: pad should be at most half of kernel size, but got pad=", padding,
           " and kernel_size=", kernel);
  const WindowGeometry g = window_geometry(x, kernel, stride == 0 ? kernel : stride, padding, 1, false, "avg_pool2d");
  return im2col(x, g).mean({-2, -1});
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
    weight_ = register_parameter("weight", empty<float>({out_channels, in_channels / options.groups, kernel, kernel}));
    if (options.bias) bias_ = register_parameter("bias", empty<float>({out_channels}));
    init::detail::reset_linear_like(weight_, bias_, gen);
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
