#pragma once
// BatchNorm1d, BatchNorm2d and LayerNorm, with PyTorch's parameters, buffers and names.

#include <initializer_list>

#include "functional.hpp"
#include "module.hpp"

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
  Tensor<float> operator()(const Tensor<float>& x) const { return forward(x); }
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
  Tensor<float> operator()(const Tensor<float>& x) const { return forward(x); }
  const Tensor<float>& weight() const { return weight_; }
  const Tensor<float>& bias() const { return bias_; }

 private:
  Shape shape_;
  double eps_;
  Tensor<float> weight_, bias_;
};

}  // namespace impl

using BatchNorm1d = impl::BatchNorm<2, 3>;
using BatchNorm2d = impl::BatchNorm<4, 4>;
using LayerNorm = impl::LayerNorm<>;

}  // namespace tessera::nn
