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
namespace detail_norm {

/** [1, C, 1, ...]: a per-channel parameter's shape against x [N, C, ...]. */
template <class T>
Shape channel_shape(const Tensor<T>& x) {
  Shape shape = Shape::filled(static_cast<size_t>(x.dim()), 1);
  shape[1] = x.size(1);
  return shape;
}

/** x - mean, 1 / sqrt(var + eps) and the mean of each group of x [N, C, ...] as
 *  [N, groups, C / groups * ...]. */
template <class T>
std::tuple<Tensor<T>, Tensor<T>, Tensor<T>> group_moments(const Tensor<T>& x, int64_t groups, double eps) {
  const Tensor<T> grouped = x.reshape({x.size(0), groups, -1});
  const Tensor<T> mean = ::tessera::detail::mean_accumulated(grouped, {-1}, true);
  return {grouped - mean, (grouped.var(Shape{-1}, {.correction = 0, .keepdim = true}) + eps).rsqrt(), mean};
}

// Note [Group norm planes]
// A group of x [N, C, S] (contiguous, float or double, on the CPU, planes S of 64 elements or
// more) is a channel of x viewed as [1, N * G, C / G * S], so group_norm runs batch_norm's CPU
// kernels (Note [Batch norm planes]): the groups' mean and variance, then x * alpha + beta with
// alpha = rstd * weight and beta = bias - mean * alpha per sample and channel (PyTorch's CPU
// form), one pass each. The backward takes the sums of g and g * (x - mean) over each plane of
// [N, C, S] in one pass; they give the weight's and the bias's gradients, and, summed over each
// group with the weight, the input's as g * a + x * b + d (a per sample and channel, b and d per
// group, as PyTorch's CPU kernel) in a second pass (norm_backward_affine). Other inputs, and
// create_graph, compose the same formulas from ops.

/** t [N, groups, 1], one value per group, repeated for each channel of its group: [N, channels]. */
template <class T>
Tensor<T> per_channel(const Tensor<T>& t, int64_t channels) {
  return t.expand({t.size(0), t.size(1), channels / t.size(1)}).reshape({t.size(0), channels});
}

/** group_norm of x by batch_norm's CPU kernels (Note [Group norm planes]): (out, mean, rstd), the
 *  statistics as [N, groups, 1]. */
template <class T>
std::tuple<Tensor<T>, Tensor<T>, Tensor<T>> group_norm_planes(const Tensor<T>& x, int64_t groups, const Tensor<T>& weight,
                                                              const Tensor<T>& bias, double eps) {
  const int64_t n = x.size(0), c = x.size(1), plane = x.numel() / (n * c), rows = n * groups;
  Tensor<T> mean = ::tessera::detail::empty_tensor<T>({n, groups, 1}, {}, "group_norm");
  Tensor<T> var = ::tessera::detail::empty_tensor<T>({n, groups, 1}, {}, "group_norm");
  detail_batch_norm::run_planes("group_norm", mean, x, [&] {
    if constexpr (detail_batch_norm::kPlaneTypes<T>)  // the other types never get here
      ::tessera::detail::batch_norm_statistics(x.kernel_data(), 1, rows, x.numel() / rows, mean.kernel_data(),
                                               var.kernel_data());
  });
  const Tensor<T> rstd = (var + eps).rsqrt();
  const Tensor<T> alpha = weight.defined() ? per_channel(rstd, c) * weight : per_channel(rstd, c);
  const Tensor<T> beta = (bias.defined() ? bias - per_channel(mean, c) * alpha : -(per_channel(mean, c) * alpha)).contiguous();
  const Tensor<T> a = alpha.contiguous();
  Tensor<T> out = ::tessera::detail::empty_tensor<T>(x.sizes(), {}, "group_norm");
  detail_batch_norm::run_planes("group_norm", out, x, [&] {
    if constexpr (detail_batch_norm::kPlaneTypes<T>)  // the other types never get here
      ::tessera::detail::batch_norm_affine(out.kernel_data(), x.kernel_data(), 1, n * c, plane, a.kernel_data(),
                                           beta.kernel_data());
  });
  return {out, mean, rstd};
}

/** PyTorch's node of group_norm. Under create_graph its derivative recomputes the groups'
 *  moments from the input with recorded ops, so that it is differentiated again; otherwise it
 *  uses the forward's, through batch_norm's CPU kernels where the forward could (Note [Group
 *  norm planes]). */
template <class T>
struct NativeGroupNormBackward0 final : ::tessera::detail::Node {
  ::tessera::detail::SavedTensor<T> input, weight;
  Tensor<T> mean, rstd;  // [N, groups, 1], made by the forward pass alone
  int64_t groups;
  double eps;
  NativeGroupNormBackward0(const Tensor<T>& x, const Tensor<T>& w, Tensor<T> m, Tensor<T> r, int64_t g, double e)
      : input(x, false), weight(w, false), mean(std::move(m)), rstd(std::move(r)), groups(g), eps(e) {}
  const char* name() const override { return "NativeGroupNormBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(input, weight);
  }
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    const Tensor<T> g = grads[0].as<T>(), x = input.unpack(*this);
    const Tensor<T> w = weight.defined() ? weight.unpack(*this) : Tensor<T>();
    if (!GradMode::is_enabled() && detail_batch_norm::batch_norm_planes(x)) return planes_backward(g, x, w);
    Tensor<T> xhat, rs = rstd;
    if (GradMode::is_enabled()) {
      const auto [centered, r, m] = group_moments(x, groups, eps);
      xhat = centered * r, rs = r;
    } else {
      xhat = (x.reshape({x.size(0), groups, -1}) - mean) * rstd;
    }
    const Shape param_shape = channel_shape(x);
    Shape others = {0};  // every dim but the channels
    for (int64_t d = 2; d < x.dim(); ++d) others.push_back(d);
    AnyTensor dx, dw, db;
    if (needs_input_grad(0)) {
      const Tensor<T> gx = (w.defined() ? g * w.view(param_shape) : g).reshape(xhat.sizes());
      dx = ((gx - ::tessera::detail::mean_accumulated(gx, {-1}, true) -
             xhat * ::tessera::detail::mean_accumulated(gx * xhat, {-1}, true)) * rs).view(x.sizes());
    }
    if (needs_input_grad(1)) dw = (g * xhat.view(x.sizes())).sum(others);
    if (needs_input_grad(2)) db = g.sum(others);
    return {dx, dw, db};
  }

  /** The same gradients from the CPU kernels (Note [Group norm planes]). */
  ::tessera::detail::variable_list planes_backward(const Tensor<T>& g, const Tensor<T>& x, const Tensor<T>& w) {
    const int64_t n = x.size(0), c = x.size(1), plane = x.numel() / (n * c);
    const Tensor<T> gc = g.contiguous();
    const Tensor<T> m_nc = per_channel(mean, c).contiguous();
    // per sample and channel: sum(g) and sum(g * (x - mean))
    Tensor<T> sum = ::tessera::detail::empty_tensor<T>({n, c}, {}, "group_norm_backward");
    Tensor<T> dot = ::tessera::detail::empty_tensor<T>({n, c}, {}, "group_norm_backward");
    detail_batch_norm::run_planes("group_norm_backward", dot, x, [&] {
      if constexpr (detail_batch_norm::kPlaneTypes<T>)  // the other types never get here
        ::tessera::detail::batch_norm_backward_sums(gc.kernel_data(), x.kernel_data(), m_nc.kernel_data(), 1, n * c,
                                                    plane, sum.kernel_data(), dot.kernel_data());
    });
    AnyTensor dx, dw, db;
    if (needs_input_grad(0)) {
      // with gw = g * w over a group of count elements: dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat))
      // = g * a + x * b + d, a = rstd * w per channel, b and d per group
      const T count = static_cast<T>(x.numel() / (n * groups));
      const Tensor<T> sum_gw = (w.defined() ? sum * w : sum).view({n, groups, c / groups}).sum({-1}, true) / count;
      const Tensor<T> dot_gw = (w.defined() ? dot * w : dot).view({n, groups, c / groups}).sum({-1}, true) / count;
      const Tensor<T> b = -(rstd * rstd * rstd * dot_gw), d = -(b * mean) - rstd * sum_gw;
      const Tensor<T> a = (w.defined() ? per_channel(rstd, c) * w : per_channel(rstd, c)).contiguous();
      const Tensor<T> b_nc = per_channel(b, c).contiguous(), d_nc = per_channel(d, c).contiguous();
      Tensor<T> out = ::tessera::detail::empty_tensor<T>(x.sizes(), {}, "group_norm_backward");
      detail_batch_norm::run_planes("group_norm_backward", out, x, [&] {
        if constexpr (detail_batch_norm::kPlaneTypes<T>)
          ::tessera::detail::norm_backward_affine(out.kernel_data(), gc.kernel_data(), x.kernel_data(), a.kernel_data(),
                                                  b_nc.kernel_data(), d_nc.kernel_data(), 1, n * c, plane);
      });
      dx = out;
    }
    if (needs_input_grad(1)) dw = (dot * per_channel(rstd, c)).sum(0);
    if (needs_input_grad(2)) db = sum.sum(0);
    return {dx, dw, db};
  }
};

}  // namespace detail_norm

/** Normalises x [N, C, ...] over each group of C / num_groups channels and the dims after them
 *  (biased variance), then weight * . + bias per channel, as torch.nn.functional.group_norm. */
template <class T>
Tensor<T> group_norm(const Tensor<T>& x, int64_t num_groups, const Tensor<T>& weight = {}, const Tensor<T>& bias = {},
                     double eps = 1e-5) {
  TS_CHECK(x.dim() >= 2, "group_norm: Expected at least 2 dimensions for input tensor but received ", x.dim());
  const int64_t channels = x.size(1);
  TS_CHECK(num_groups > 0 && channels % num_groups == 0, "group_norm: Expected number of channels in input to be "
           "divisible by num_groups, but got input of shape ", tessera::detail::shape_str(x.sizes()), " and num_groups=",
           num_groups);
  for (const auto& [p, name] : {std::pair{&weight, "weight"}, std::pair{&bias, "bias"}})
    TS_CHECK(!p->defined() || (p->dim() == 1 && p->numel() == channels), "group_norm: Expected ", name,
             " to be a vector of size equal to the number of channels in input, but got ", name, " of shape ",
             tessera::detail::shape_str(p->sizes()), " and input of shape ", tessera::detail::shape_str(x.sizes()));
  Tensor<T> out, mean, rstd;
  {
    NoGradGuard no_grad;  // the derivatives are NativeGroupNormBackward0's
    if (detail_batch_norm::batch_norm_planes(x)) {
      std::tie(out, mean, rstd) = detail_norm::group_norm_planes(x, num_groups, weight, bias, eps);
    } else {
      Tensor<T> centered;
      std::tie(centered, rstd, mean) = detail_norm::group_moments(x, num_groups, eps);
      out = (centered * rstd).view(x.sizes());
      const Shape param_shape = detail_norm::channel_shape(x);
      if (weight.defined()) out = out * weight.view(param_shape);
      if (bias.defined()) out = out + bias.view(param_shape);
    }
  }
  if (::tessera::detail::needs_grad(x, weight, bias))
    ::tessera::detail::record<detail_norm::NativeGroupNormBackward0<T>>({x, weight, bias}, {out}, x, weight, mean, rstd,
                                                                        num_groups, eps);
  return out;
}

/** Normalises each channel of each sample over its spatial dims, as PyTorch's instance_norm
 *  without running statistics: batch_norm of the input viewed as one sample of N * C channels. */
template <class T>
Tensor<T> instance_norm(const Tensor<T>& x, const Tensor<T>& weight = {}, const Tensor<T>& bias = {},
                        double eps = 1e-5) {
  TS_CHECK(x.dim() >= 3, "instance_norm: expected an input [N, C, ...] with spatial dims, got shape ",
           tessera::detail::shape_str(x.sizes()));
  const int64_t n = x.size(0);
  int64_t spatial = 1;
  for (int64_t d = 2; d < x.dim(); ++d) spatial *= x.size(d);
  TS_CHECK(spatial > 1, "instance_norm: Expected more than 1 spatial element when training, got input size ",
           tessera::detail::shape_str(x.sizes()));
  Shape shape = x.sizes();
  shape[0] = 1, shape[1] = n * x.size(1);
  const Tensor<T> w = weight.defined() ? weight.repeat({n}) : Tensor<T>(), b = bias.defined() ? bias.repeat({n}) : Tensor<T>();
  return batch_norm(x.contiguous().view(shape), Tensor<T>(), Tensor<T>(), w, b, true, 0.1, eps).view(x.sizes());
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
