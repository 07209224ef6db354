#pragma once
// The optimizers: SGD, Adam and AdamW with PyTorch 1.13's update formulas.

#include <cmath>
#include <vector>

#include "../autograd/grad_mode.hpp"
#include "../autograd/engine.hpp"
#include "../ops/elementwise.hpp"

namespace tessera::optim {

namespace impl {

/** What every optimizer shares: the parameters, the learning rate and zero_grad. */
template <class = void>
class Optimizer {
 public:
  explicit Optimizer(std::vector<Tensor<float>> params) : params_(std::move(params)) {
    for (const auto& p : params_)
      TS_CHECK(p.is_leaf() && p.requires_grad(), "optimizer: can't optimize a non-leaf Tensor or one that does not "
               "require grad");
  }
  virtual ~Optimizer() = default;
  virtual void step() = 0;
  /** The learning rate, which schedulers change between steps. */
  virtual double lr() const = 0;
  virtual void set_lr(double lr) = 0;
  /** Clears gradients: set to none (the default, as PyTorch 2), or zeroed in place. */
  void zero_grad(bool set_to_none = true) const { detail::clear_grads(params_, set_to_none); }
  const std::vector<Tensor<float>>& parameters() const { return params_; }

 protected:
  std::vector<Tensor<float>> params_;
};

}  // namespace impl

struct SGDOptions {
  double lr = 1e-3;
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;
};

namespace impl {

/** torch.optim.SGD: p -= lr * d, where d is the gradient plus weight decay, through a momentum
 *  buffer (the first step's buffer is the gradient itself) and Nesterov's look-ahead. */
template <class T = void>
class SGD : public Optimizer<T> {  // a dependent base: nothing is instantiated unless SGD is used
  using Optimizer<T>::params_;

 public:
  SGD(std::vector<Tensor<float>> params, SGDOptions options = {})
      : Optimizer<T>(std::move(params)), options_(options), momentum_(params_.size()) {
    TS_CHECK(options.lr >= 0 && options.momentum >= 0 && options.weight_decay >= 0, "SGD: invalid hyperparameters");
    TS_CHECK(!options.nesterov || (options.momentum > 0 && options.dampening == 0),
             "SGD: Nesterov momentum requires a momentum and zero dampening");
  }
  void step() override {
    NoGradGuard no_grad;
    const auto& o = options_;
    for (size_t i = 0; i < params_.size(); ++i) {
      const Tensor<float>& p = params_[i];
      if (!p.grad().defined()) continue;
      Tensor<float> d = p.grad();
      if (o.weight_decay != 0) d = d + p * static_cast<float>(o.weight_decay);
      if (o.momentum != 0) {
        Tensor<float>& buf = momentum_[i];
        if (!buf.defined()) buf = d.clone();
        else buf.mul_(static_cast<float>(o.momentum)).add_(d * static_cast<float>(1 - o.dampening));
        d = o.nesterov ? d + buf * static_cast<float>(o.momentum) : buf;
      }
      p.sub_(d * static_cast<float>(o.lr));
    }
  }
  SGDOptions& options() { return options_; }
  double lr() const override { return options_.lr; }
  void set_lr(double lr) override { options_.lr = lr; }

 private:
  SGDOptions options_;
  std::vector<Tensor<float>> momentum_;
};

}  // namespace impl

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
};

namespace impl {

/** torch.optim.Adam, and AdamW (decoupled weight decay) when `decoupled`. */
template <class T = void>
class Adam : public Optimizer<T> {
  using Optimizer<T>::params_;

 public:
  Adam(std::vector<Tensor<float>> params, AdamOptions options = {}) : Adam(std::move(params), options, false) {}
  void step() override {
    NoGradGuard no_grad;
    const auto& o = options_;
    ++steps_;
    const double bias1 = 1 - std::pow(o.beta1, static_cast<double>(steps_));
    const double bias2 = 1 - std::pow(o.beta2, static_cast<double>(steps_));
    const float step_size = static_cast<float>(o.lr / bias1), bias2_sqrt = static_cast<float>(std::sqrt(bias2));
    for (size_t i = 0; i < params_.size(); ++i) {
      const Tensor<float>& p = params_[i];
      if (!p.grad().defined()) continue;
      Tensor<float> g = p.grad();
      if (o.weight_decay != 0) {
        if (decoupled_) p.mul_(static_cast<float>(1 - o.lr * o.weight_decay));
        else g = g + p * static_cast<float>(o.weight_decay);
      }
      if (!exp_avg_[i].defined()) exp_avg_[i] = zeros_like(p), exp_avg_sq_[i] = zeros_like(p);
      exp_avg_[i].mul_(static_cast<float>(o.beta1)).add_(g * static_cast<float>(1 - o.beta1));
      exp_avg_sq_[i].mul_(static_cast<float>(o.beta2)).add_(g * g * static_cast<float>(1 - o.beta2));
      const Tensor<float> denom = (exp_avg_sq_[i].sqrt() / bias2_sqrt).add_(static_cast<float>(o.eps));
      p.sub_(exp_avg_[i] / denom * step_size);
    }
  }
  AdamOptions& options() { return options_; }
  double lr() const override { return options_.lr; }
  void set_lr(double lr) override { options_.lr = lr; }

 protected:
  Adam(std::vector<Tensor<float>> params, AdamOptions options, bool decoupled)
      : Optimizer<T>(std::move(params)), options_(options), decoupled_(decoupled), exp_avg_(params_.size()),
        exp_avg_sq_(params_.size()) {
    TS_CHECK(options.lr >= 0 && options.eps >= 0 && options.beta1 >= 0 && options.beta1 < 1 && options.beta2 >= 0 &&
                 options.beta2 < 1 && options.weight_decay >= 0,
             "Adam: invalid hyperparameters");
  }

 private:
  AdamOptions options_;
  bool decoupled_;
  int64_t steps_ = 0;
  std::vector<Tensor<float>> exp_avg_, exp_avg_sq_;
};

/** Adam's options with AdamW's default weight decay. */
}  // namespace impl

struct AdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;
};

namespace impl {

/** torch.optim.AdamW: Adam with decoupled weight decay, 1e-2 by default. */
template <class T = void>
class AdamW : public Adam<T> {
 public:
  AdamW(std::vector<Tensor<float>> params, AdamWOptions o = {})
      : Adam<T>(std::move(params), {o.lr, o.beta1, o.beta2, o.eps, o.weight_decay}, true) {}
};

}  // namespace impl

using Optimizer = impl::Optimizer<>;
using SGD = impl::SGD<>;
using Adam = impl::Adam<>;
using AdamW = impl::AdamW<>;

}  // namespace tessera::optim
