#pragma once
// The activations beyond relu, gelu, sigmoid and tanh: torch.nn.functional's forms and torch.nn's
// modules (LeakyReLU, ELU, SiLU, Hardswish, GLU, ...), with PyTorch 1.13's formulas and gradients.

#include <cmath>
#include <optional>
#include <string_view>

#include "../ops/elementwise.hpp"
#include "../ops/reduce.hpp"
#include "../ops/view.hpp"
#include "module.hpp"

namespace tessera::nn::functional {

// Note [Activations from ops]
// These are compositions of the elementwise ops, so autograd and every device get them with no
// kernel of their own. Two rules keep their gradients PyTorch's: a branch of `where` that is not
// taken must have a finite derivative (exp of a clamped input, never of x itself, or 0 * inf
// would give NaN), and where PyTorch's backward is strict at a boundary (hardtanh, hardsigmoid:
// zero gradient at min and max) the clamped value is detached and the gradient flows only through
// the strictly-inside branch.

template <class T>
Tensor<T> leaky_relu(const Tensor<T>& x, double negative_slope = 0.01) {
  return where(x > 0, x, x * negative_slope);
}

/** x for x > 0, alpha (e^x - 1) otherwise. */
template <class T>
Tensor<T> elu(const Tensor<T>& x, double alpha = 1.0) {
  return where(x > 0, x, x.clamp(std::nullopt, 0.0).expm1() * alpha);
}

/** scale * elu(x, alpha) with SELU's fixed constants. */
template <class T>
Tensor<T> selu(const Tensor<T>& x) {
  constexpr double alpha = 1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946;
  return where(x > 0, x * scale, x.clamp(std::nullopt, 0.0).expm1() * (alpha * scale));
}

/** max(0, x) + min(0, alpha (e^(x / alpha) - 1)). */
template <class T>
Tensor<T> celu(const Tensor<T>& x, double alpha = 1.0) {
  TS_CHECK(alpha != 0, "celu: ZeroDivisionError: alpha cannot be 0 for CELU");
  return where(x > 0, x, (x.clamp(std::nullopt, 0.0) / alpha).expm1() * alpha);
}

/** x * sigmoid(x). */
template <class T>
Tensor<T> silu(const Tensor<T>& x) {
  return x * x.sigmoid();
}

/** x * tanh(softplus(x)). */
template <class T>
Tensor<T> mish(const Tensor<T>& x) {
  return x * x.softplus().tanh();
}

/** min(max(x, min_val), max_val), with zero gradient at and beyond the bounds. */
template <class T>
Tensor<T> hardtanh(const Tensor<T>& x, double min_val = -1.0, double max_val = 1.0) {
  TS_CHECK(max_val >= min_val, "hardtanh: max_val must be greater than or equal to min_val (got ", min_val, " and ",
           max_val, ")");
  return where((x > min_val) && (x < max_val), x, x.clamp(min_val, max_val).detach());
}

template <class T>
Tensor<T> relu6(const Tensor<T>& x) {
  return hardtanh(x, 0.0, 6.0);
}

/** x * min(max(x + 3, 0), 6) / 6: 0 below -3, x (x + 3) / 6 from -3 up to 3, x from 3 on (the
 *  gradient at 3 is 1, as PyTorch's vectorised kernel has it; its scalar tail says 1.5). */
template <class T>
Tensor<T> hardswish(const Tensor<T>& x) {
  const Tensor<T> inside = x.clamp(-3.0, 3.0);
  return where(x < -3.0, x * 0.0, where(x < 3.0, x * (inside + 3.0) / 6.0, x));
}

/** min(max(x + 3, 0), 6) / 6, with gradient 1/6 strictly between -3 and 3. */
template <class T>
Tensor<T> hardsigmoid(const Tensor<T>& x) {
  return where((x > -3.0) && (x < 3.0), (x + 3.0) / 6.0, (x + 3.0).clamp(0.0, 6.0).detach() / 6.0);
}

/** log(1 + e^(beta x)) / beta, or x where beta x > threshold. */
template <class T>
Tensor<T> softplus(const Tensor<T>& x, double beta = 1.0, double threshold = 20.0) {
  const Tensor<T> bx = x * beta;
  return where(bx > threshold, x, bx.softplus() / beta);
}

/** GELU exactly (approximate = "none") or with PyTorch's tanh approximation ("tanh"). */
template <class T>
Tensor<T> gelu(const Tensor<T>& x, std::string_view approximate = "none") {
  TS_CHECK(approximate == "none" || approximate == "tanh", "gelu: approximate argument must be either none or tanh.");
  if (approximate == "none") return x.gelu();
  const double k = std::sqrt(2.0 / 3.14159265358979323846);
  return x * 0.5 * (((x + x * x * x * 0.044715) * k).tanh() + 1.0);
}

/** log(sigmoid(x)): x - log(1 + e^x) below 0, -log(1 + e^-x) from 0 on (PyTorch's split, so the
 *  tiny log1p term survives next to a large x and the gradient at 0 is 1/2). */
template <class T>
Tensor<T> logsigmoid(const Tensor<T>& x) {
  const Tensor<T> neg = x.clamp(std::nullopt, 0.0), pos = x.clamp(0.0, std::nullopt);
  return where(x < 0, neg - neg.exp().log1p(), -(-pos).exp().log1p());
}

/** x / (1 + |x|). */
template <class T>
Tensor<T> softsign(const Tensor<T>& x) {
  return x / (x.abs() + 1.0);
}

/** x - tanh(x). */
template <class T>
Tensor<T> tanhshrink(const Tensor<T>& x) {
  return x - x.tanh();
}

/** x - lambd above lambd, x + lambd below -lambd, 0 between. */
template <class T>
Tensor<T> softshrink(const Tensor<T>& x, double lambd = 0.5) {
  TS_CHECK(lambd >= 0, "softshrink: lambda must be greater or equal to 0, but found to be ", lambd, ".");
  return where(x > lambd, x - lambd, where(x < -lambd, x + lambd, x * 0.0));
}

/** x where |x| > lambd, else 0. */
template <class T>
Tensor<T> hardshrink(const Tensor<T>& x, double lambd = 0.5) {
  return where((x >= -lambd) && (x <= lambd), x * 0.0, x);
}

/** x where x > threshold, else value. */
template <class T>
Tensor<T> threshold(const Tensor<T>& x, double threshold, double value) {
  return where(x > threshold, x, full_like(x, value));
}

/** The first half of `dim` times the sigmoid of the second. */
template <class T>
Tensor<T> glu(const Tensor<T>& x, int64_t dim = -1) {
  TS_CHECK(x.dim() > 0, "glu: glu does not support scalars because halving size must be even");
  const int64_t d = detail::wrap_dim(dim, x.dim(), "glu");
  TS_CHECK(x.size(d) % 2 == 0, "glu: Halving dimension must be even, but dimension ", d, " is size ", x.size(d));
  const int64_t half = x.size(d) / 2;
  return x.narrow(d, 0, half) * x.narrow(d, half, half).sigmoid();
}

/** x where x > 0, else weight * x, weight having one value or one per channel (dim 1). */
template <class T>
Tensor<T> prelu(const Tensor<T>& x, const Tensor<T>& weight) {
  const int64_t channels = x.dim() >= 2 ? x.size(1) : 1;
  TS_CHECK(weight.numel() == 1 || (weight.dim() == 1 && weight.numel() == channels), "prelu: Mismatch of parameter "
           "numbers and input channel size. Found parameter numbers = ", weight.numel(), " and channel size = ",
           channels, ".");
  Tensor<T> w = weight.reshape({-1});
  if (weight.numel() != 1 && x.dim() >= 2) {
    Shape shape = Shape::filled(static_cast<size_t>(x.dim() - 1), 1);
    shape[0] = channels;
    w = w.view(shape);  // [C, 1, ...]: broadcast over the dims after the channels
  } else if (weight.numel() == 1) {
    w = w.view(Shape{});
  }
  return where(x > 0, x, x * w);
}

/** softmax(-x) over dim. */
template <class T>
Tensor<T> softmin(const Tensor<T>& x, int64_t dim) {
  return (-x).softmax(dim);
}

using tessera::log_softmax;  // F.softmax and F.log_softmax are torch.softmax and torch.log_softmax
using tessera::softmax;

}  // namespace tessera::nn::functional

namespace tessera::nn {
namespace impl {

// A module without state: forward applies `expr`.
#define TS_STATELESS_ACTIVATION(Name, expr)                                                         \
  template <class = void>                                                                           \
  class Name : public nn::Module {                                                                  \
   public:                                                                                          \
    Tensor<float> forward(const Tensor<float>& x) const { return expr; }                            \
    Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); } \
  };
TS_STATELESS_ACTIVATION(SiLU, functional::silu(x))
TS_STATELESS_ACTIVATION(Mish, functional::mish(x))
TS_STATELESS_ACTIVATION(SELU, functional::selu(x))
TS_STATELESS_ACTIVATION(Hardswish, functional::hardswish(x))
TS_STATELESS_ACTIVATION(Hardsigmoid, functional::hardsigmoid(x))
TS_STATELESS_ACTIVATION(ReLU6, functional::relu6(x))
TS_STATELESS_ACTIVATION(LogSigmoid, functional::logsigmoid(x))
TS_STATELESS_ACTIVATION(Softsign, functional::softsign(x))
TS_STATELESS_ACTIVATION(Tanhshrink, functional::tanhshrink(x))
TS_STATELESS_ACTIVATION(Identity, x)
#undef TS_STATELESS_ACTIVATION

// A module holding one or two numbers, given to its constructor with PyTorch's defaults.
template <class = void>
class LeakyReLU : public nn::Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : slope_(negative_slope) {}
  Tensor<float> forward(const Tensor<float>& x) const { return functional::leaky_relu(x, slope_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  double slope_;
};
template <class = void>
class ELU : public nn::Module {
 public:
  explicit ELU(double alpha = 1.0) : alpha_(alpha) {}
  Tensor<float> forward(const Tensor<float>& x) const { return functional::elu(x, alpha_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  double alpha_;
};
template <class = void>
class CELU : public nn::Module {
 public:
  explicit CELU(double alpha = 1.0) : alpha_(alpha) {}
  Tensor<float> forward(const Tensor<float>& x) const { return functional::celu(x, alpha_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  double alpha_;
};
template <class = void>
class Hardtanh : public nn::Module {
 public:
  explicit Hardtanh(double min_val = -1.0, double max_val = 1.0) : min_(min_val), max_(max_val) {}
  Tensor<float> forward(const Tensor<float>& x) const { return functional::hardtanh(x, min_, max_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  double min_, max_;
};
template <class = void>
class Softplus : public nn::Module {
 public:
  explicit Softplus(double beta = 1.0, double threshold = 20.0) : beta_(beta), threshold_(threshold) {}
  Tensor<float> forward(const Tensor<float>& x) const { return functional::softplus(x, beta_, threshold_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  double beta_, threshold_;
};
template <class = void>
class Softshrink : public nn::Module {
 public:
  explicit Softshrink(double lambd = 0.5) : lambd_(lambd) {}
  Tensor<float> forward(const Tensor<float>& x) const { return functional::softshrink(x, lambd_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  double lambd_;
};
template <class = void>
class Hardshrink : public nn::Module {
 public:
  explicit Hardshrink(double lambd = 0.5) : lambd_(lambd) {}
  Tensor<float> forward(const Tensor<float>& x) const { return functional::hardshrink(x, lambd_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  double lambd_;
};
template <class = void>
class Threshold : public nn::Module {
 public:
  Threshold(double threshold, double value) : threshold_(threshold), value_(value) {}
  Tensor<float> forward(const Tensor<float>& x) const { return functional::threshold(x, threshold_, value_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  double threshold_, value_;
};
// Modules over one dim.
template <class = void>
class GLU : public nn::Module {
 public:
  explicit GLU(int64_t dim = -1) : dim_(dim) {}
  Tensor<float> forward(const Tensor<float>& x) const { return functional::glu(x, dim_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  int64_t dim_;
};
template <class = void>
class LogSoftmax : public nn::Module {
 public:
  explicit LogSoftmax(int64_t dim) : dim_(dim) {}
  Tensor<float> forward(const Tensor<float>& x) const { return x.log_softmax(dim_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  int64_t dim_;
};
template <class = void>
class Softmin : public nn::Module {
 public:
  explicit Softmin(int64_t dim) : dim_(dim) {}
  Tensor<float> forward(const Tensor<float>& x) const { return functional::softmin(x, dim_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  int64_t dim_;
};

/** x where x >= 0, else a * x with a learned slope `weight` (one, or one per channel), 0.25 at first. */
template <class = void>
class PReLU : public nn::Module {
 public:
  explicit PReLU(int64_t num_parameters = 1, double init = 0.25) {
    TS_CHECK(num_parameters >= 1, "PReLU: num_parameters must be positive, got ", num_parameters);
    weight_ = register_parameter("weight", full<float>({num_parameters}, static_cast<float>(init)));
  }
  Tensor<float> forward(const Tensor<float>& x) const { return functional::prelu(x, weight_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }
  const Tensor<float>& weight() const { return weight_; }

 private:
  Tensor<float> weight_;
};

}  // namespace impl

using SiLU = impl::SiLU<>;
using Mish = impl::Mish<>;
using SELU = impl::SELU<>;
using Hardswish = impl::Hardswish<>;
using Hardsigmoid = impl::Hardsigmoid<>;
using ReLU6 = impl::ReLU6<>;
using LogSigmoid = impl::LogSigmoid<>;
using Softsign = impl::Softsign<>;
using Tanhshrink = impl::Tanhshrink<>;
using Identity = impl::Identity<>;
using LeakyReLU = impl::LeakyReLU<>;
using ELU = impl::ELU<>;
using CELU = impl::CELU<>;
using Hardtanh = impl::Hardtanh<>;
using Softplus = impl::Softplus<>;
using Softshrink = impl::Softshrink<>;
using Hardshrink = impl::Hardshrink<>;
using Threshold = impl::Threshold<>;
using GLU = impl::GLU<>;
using LogSoftmax = impl::LogSoftmax<>;
using Softmin = impl::Softmin<>;
using PReLU = impl::PReLU<>;

}  // namespace tessera::nn
