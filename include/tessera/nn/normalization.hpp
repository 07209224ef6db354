#pragma once
// BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm2d and LocalResponseNorm, with
// PyTorch's parameters, buffers and names.

#include <initializer_list>

#include "functional.hpp"
#include "module.hpp"
#include "padding.hpp"
#include "pooling.hpp"

namespace tessera::nn {

struct BatchNormOptions {
  double eps = 1e-5;
  double momentum = 0.1;
  bool affine = true;               // learnable weight (ones) and bias (zeros)
  bool track_running_stats = true;  // running_mean, running_var and num_batches_tracked buffers
};

namespace impl {

/** Batch normalisation over every dim but the channels (dim 1), for inputs of min_dim to
 *  max_dim dims (2 or 3 for BatchNorm1d, 4 for BatchNorm2d). Without running
 *  statistics it normalises with the batch's statistics in evaluation mode too, as PyTorch. */
template <int min_dim, int max_dim>
class BatchNorm : public nn::Module {
 public:
  explicit BatchNorm(int64_t num_features, BatchNormOptions options = {}) : options_(options) {
    TS_CHECK(num_features > 0, "BatchNorm: num_features must be positive, got ", num_features);
    if (options.affine) {
      weight_ = register_parameter("weight", ones<float>({num_features}));
      bias_ = register_parameter("bias", zeros<float>({num_features}));
    }
    if (options.track_running_stats) {
      running_mean_ = register_buffer("running_mean", zeros<float>({num_features}));
      running_var_ = register_buffer("running_var", ones<float>({num_features}));
      num_batches_tracked_ = register_buffer("num_batches_tracked", zeros<int64_t>({}));
    }
  }
  Tensor<float> forward(const Tensor<float>& x) const {
    TS_CHECK(x.dim() >= min_dim && x.dim() <= max_dim, "BatchNorm: expected ",
             min_dim == max_dim ? std::to_string(min_dim) + "D" : std::to_string(min_dim) + "D or " +
                                                                      std::to_string(max_dim) + "D",
             " input (got ", x.dim(), "D input)");
    const bool use_batch_stats = is_training() || !running_mean_.defined();
    if (is_training() && num_batches_tracked_.defined()) {
      NoGradGuard no_grad;
      num_batches_tracked_.add_(int64_t{1});
    }
    return functional::batch_norm(x, running_mean_, running_var_, weight_, bias_, use_batch_stats, options_.momentum,
                                  options_.eps);
  }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }
  const Tensor<float>& weight() const { return weight_; }
  const Tensor<float>& bias() const { return bias_; }
  const Tensor<float>& running_mean() const { return running_mean_; }
  const Tensor<float>& running_var() const { return running_var_; }
  const Tensor<int64_t>& num_batches_tracked() const { return num_batches_tracked_; }

 private:
  BatchNormOptions options_;
  Tensor<float> weight_, bias_, running_mean_, running_var_;
  Tensor<int64_t> num_batches_tracked_;
};

/** Layer normalisation over the trailing `normalized_shape` dims, with elementwise weight
 *  (ones) and bias (zeros) of that shape. */
template <class = void>
class LayerNorm : public nn::Module {
 public:
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5, bool elementwise_affine = true)
      : shape_(std::move(normalized_shape)), eps_(eps) {
    TS_CHECK(!shape_.empty(), "LayerNorm: normalized_shape must not be empty");
    if (elementwise_affine) {
      weight_ = register_parameter("weight", ones<float>(shape_));
      bias_ = register_parameter("bias", zeros<float>(shape_));
    }
  }
  explicit LayerNorm(std::initializer_list<int64_t> normalized_shape, double eps = 1e-5, bool elementwise_affine = true)
      : LayerNorm(Shape(normalized_shape), eps, elementwise_affine) {}
  explicit LayerNorm(int64_t normalized_size, double eps = 1e-5, bool elementwise_affine = true)
      : LayerNorm(Shape{normalized_size}, eps, elementwise_affine) {}
  Tensor<float> forward(const Tensor<float>& x) const { return functional::layer_norm(x, shape_, weight_, bias_, eps_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }
  const Tensor<float>& weight() const { return weight_; }
  const Tensor<float>& bias() const { return bias_; }

 private:
  Shape shape_;
  double eps_;
  Tensor<float> weight_, bias_;
};

}  // namespace impl

namespace functional {

/** Normalises x [N, C, ...] over each group of C / num_groups channels and the dims after them
 *  (biased variance), then weight * . + bias per channel, as torch.nn.functional.group_norm. */
template <class T>
Tensor<T> group_norm(const Tensor<T>& x, int64_t num_groups, const Tensor<T>& weight = {}, const Tensor<T>& bias = {},
                     double eps = 1e-5) {
  TS_CHECK(x.dim() >= 2, "group_norm: Expected at least 2 dimensions for input tensor but received ", x.dim());
  const int64_t n = x.size(0), channels = x.size(1);
  TS_CHECK(num_groups > 0 && channels % num_groups == 0, "group_norm: Expected number of channels in input to be "
           "divisible by num_groups, but got input of shape ", tessera::detail::shape_str(x.sizes()), " and num_groups=",
           num_groups);
  const Tensor<T> grouped = x.reshape({n, num_groups, -1});
  const Tensor<T> mean = ::tessera::detail::mean_accumulated(grouped, {-1}, true);
  Tensor<T> out = ((grouped - mean) * (grouped.var(Shape{-1}, {.correction = 0, .keepdim = true}) + eps).rsqrt()).view(x.sizes());
  Shape param_shape = Shape::filled(static_cast<size_t>(x.dim()), 1);
  param_shape[1] = channels;
  if (weight.defined()) out = out * weight.view(param_shape);
  return bias.defined() ? out + bias.view(param_shape) : out;
}

/** Normalises each channel of each sample over its spatial dims, as instance_norm without
 *  running statistics. */
template <class T>
Tensor<T> instance_norm(const Tensor<T>& x, const Tensor<T>& weight = {}, const Tensor<T>& bias = {},
                        double eps = 1e-5) {
  TS_CHECK(x.dim() >= 3, "instance_norm: expected an input [N, C, ...] with spatial dims, got shape ",
           tessera::detail::shape_str(x.sizes()));
  return group_norm(x, x.size(1), weight, bias, eps);
}

/** Each element divided by (k + alpha / size * the sum of squares of the `size` neighbouring
 *  channels around it, zeros beyond the edges)^beta, as torch.nn.functional.local_response_norm:
 *  x [N, C, ...] of at least 3 dims. */
template <class T>
Tensor<T> local_response_norm(const Tensor<T>& x, int64_t size, double alpha = 1e-4, double beta = 0.75,
                              double k = 1.0) {
  TS_CHECK(x.dim() >= 3, "local_response_norm: Expected 3D or higher dimensionality input (got ", x.dim(),
           " dimensions)");
  if (x.numel() == 0) return x;
  // the squares as one image [N, 1, C, rest], the channels padded, averaged over (size, 1) windows
  const Tensor<T> squares = (x * x).reshape({x.size(0), 1, x.size(1), -1});
  const Tensor<T> padded = pad(squares, {0, 0, size / 2, (size - 1) / 2});
  const Tensor<T> div = avg_pool2d(padded, {size, 1}, 1).view(x.sizes());
  return x / (div * alpha + k).pow(beta);
}

}  // namespace functional

namespace impl {

/** torch.nn.LocalResponseNorm(size, alpha, beta, k): functional::local_response_norm. */
template <class = void>
class LocalResponseNorm : public nn::Module {
 public:
  explicit LocalResponseNorm(int64_t size, double alpha = 1e-4, double beta = 0.75, double k = 1.0)
      : size_(size), alpha_(alpha), beta_(beta), k_(k) {}
  Tensor<float> forward(const Tensor<float>& x) const { return functional::local_response_norm(x, size_, alpha_, beta_, k_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  int64_t size_;
  double alpha_, beta_, k_;
};

/** torch.nn.GroupNorm: weight (ones) and bias (zeros) of num_channels when affine. */
template <class = void>
class GroupNorm : public nn::Module {
 public:
  GroupNorm(int64_t num_groups, int64_t num_channels, double eps = 1e-5, bool affine = true)
      : num_groups_(num_groups), eps_(eps) {
    TS_CHECK(num_groups > 0 && num_channels % num_groups == 0, "GroupNorm: num_channels must be divisible by num_groups");
    if (affine) {
      weight_ = register_parameter("weight", ones<float>({num_channels}));
      bias_ = register_parameter("bias", zeros<float>({num_channels}));
    }
  }
  Tensor<float> forward(const Tensor<float>& x) const {
    return functional::group_norm(x, num_groups_, weight_, bias_, eps_);
  }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }
  const Tensor<float>& weight() const { return weight_; }
  const Tensor<float>& bias() const { return bias_; }

 private:
  int64_t num_groups_;
  double eps_;
  Tensor<float> weight_, bias_;
};

/** torch.nn.InstanceNorm2d without running statistics (PyTorch's default): each channel of each
 *  sample [N, C, H, W] (or [C, H, W]) normalised over H and W; weight and bias when affine. */
template <class = void>
class InstanceNorm2d : public nn::Module {
 public:
  explicit InstanceNorm2d(int64_t num_features, double eps = 1e-5, bool affine = false) : eps_(eps) {
    TS_CHECK(num_features > 0, "InstanceNorm2d: num_features must be positive, got ", num_features);
    if (affine) {
      weight_ = register_parameter("weight", ones<float>({num_features}));
      bias_ = register_parameter("bias", zeros<float>({num_features}));
    }
  }
  Tensor<float> forward(const Tensor<float>& x) const {
    TS_CHECK(x.dim() == 3 || x.dim() == 4, "InstanceNorm2d: expected 3D or 4D input (got ", x.dim(), "D input)");
    const Tensor<float> batched = x.dim() == 3 ? x.unsqueeze(0) : x;
    const Tensor<float> out = functional::instance_norm(batched, weight_, bias_, eps_);
    return x.dim() == 3 ? out.squeeze(0) : out;
  }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  double eps_;
  Tensor<float> weight_, bias_;
};

}  // namespace impl

using BatchNorm1d = impl::BatchNorm<2, 3>;
using BatchNorm2d = impl::BatchNorm<4, 4>;
using LayerNorm = impl::LayerNorm<>;
using GroupNorm = impl::GroupNorm<>;
using InstanceNorm2d = impl::InstanceNorm2d<>;
using LocalResponseNorm = impl::LocalResponseNorm<>;

}  // namespace tessera::nn
