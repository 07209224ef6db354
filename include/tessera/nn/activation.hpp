#pragma once
// The activations beyond relu, gelu, sigmoid and tanh: torch.nn.functional's forms and torch.nn's
// modules (LeakyReLU, ELU, SiLU, Hardswish, GLU, ...), with PyTorch 1.13's formulas and gradients.

#include <cmath>
#include <memory>
#include <optional>
#include <string_view>

#include "../ops/elementwise.hpp"
#include "../ops/join.hpp"
#include "../ops/reduce.hpp"
#include "../ops/view.hpp"
#include "../random/distributions.hpp"
#include "module.hpp"

namespace tessera::nn::functional {

// Note [Activations from ops]
// An activation computes its value by composing the elementwise ops, with grad mode off, and
// records PyTorch's node for it (LeakyReluBackward0, EluBackward0, ...), whose derivative formula
// is PyTorch's kernel's, written with the elementwise ops too: every device runs them with no
// kernel of their own, and under create_graph the formula is differentiated again. Two rules keep
// the gradients PyTorch's: a branch of `where` that is not taken must have a finite derivative
// (exp of a clamped input, never of x itself, or 0 * inf would give NaN), and the comparisons
// are PyTorch's own (x <= 0 for elu, x <= min or x >= max for hardtanh, ...).

namespace detail_activation {

/** An activation's node, named as PyTorch's: its input's gradient is `formula(g, v)`, v the
 *  input, or for an in-place form its result or a copy of its input (Note [In-place activations]). */
template <class T, class F>
struct PointwiseBackward final : ::tessera::detail::Node {
  ::tessera::detail::SavedTensor<T> saved;
  const char* node_name;
  F formula;
  PointwiseBackward(const char* n, F f) : node_name(n), formula(std::move(f)) {}
  const char* name() const override { return node_name; }
  void release_saved() override {
    Node::release_saved();
    release_all(saved);
  }
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    return {formula(grads[0].as<T>(), saved.unpack(*this))};
  }
};

/** forward(x) without recording, then the node `name` with its derivative `formula(g, x)`. */
template <class T, class Forward, class Formula>
Tensor<T> activation(const Tensor<T>& x, const char* name, Forward forward, Formula formula) {
  Tensor<T> y;
  {
    NoGradGuard no_grad;
    y = forward(x);
  }
  if (::tessera::detail::needs_grad(x))
    ::tessera::detail::record<PointwiseBackward<T, Formula>>({x}, {y}, name, std::move(formula))->saved =
        ::tessera::detail::SavedTensor<T>(x, false);
  return y;
}

// Note [In-place activations]
// relu_, elu_ and the others compute out of place, copy the result into the input and record
// PyTorch's node for the in-place form. Its derivative is PyTorch's: written in the result for
// relu_, leaky_relu_ and the elu family (ReluBackward0, EluBackward1, ...; the node keeps the
// result, so a later in-place change of the tensor fails its backward with the saved-tensor
// error, and a negative slope, whose result does not tell the side of the kink, is refused at
// backward with PyTorch's message), in the input for hardtanh_ and threshold_ (the node keeps a
// copy of the input, as PyTorch's).
/** x = forward(x), recorded as the node `name` with derivative `formula(g, v)`, v the result
 *  (of_result) or the input before (Note [In-place activations]). */
template <bool of_result, class T, class Forward, class Formula>
const Tensor<T>& activation_(const Tensor<T>& x, const char* name, Forward forward, Formula formula) {
  std::shared_ptr<PointwiseBackward<T, Formula>> node;
  if (::tessera::detail::needs_grad(x)) {
    node = ::tessera::detail::begin_inplace<PointwiseBackward<T, Formula>>(x, {x}, name, std::move(formula));
    if constexpr (!of_result) node->saved = ::tessera::detail::SavedTensor<T>(x.detach().clone(), false);
  }
  {
    NoGradGuard no_grad;
    x.copy_(forward(x));
  }
  if (node) {
    if constexpr (of_result) node->saved = ::tessera::detail::SavedTensor<T>(x, true);
    ::tessera::detail::finish_inplace(x, node);
  }
  return x;
}

/** PyTorch's refusal to differentiate an in-place leaky_relu_, elu_, celu_ or selu_ of a
 *  negative slope, at backward. */
template <class = void>
[[noreturn]] void throw_negative_slope(bool leaky) {
  if (leaky)
    ::tessera::detail::throw_error(
        "In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. This is "
        "caused by calling in-place forward function with a negative slope, please call out-of-place version instead. "
        "File an issue at https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu backward "
        "calculation with negative slope");
  ::tessera::detail::throw_error(
      "In-place elu backward calculation is triggered with a negative slope which is not supported. This is caused "
      "by calling in-place forward function with a negative slope, please call out-of-place version instead.");
}

/** PyTorch's elu_backward from the result y: g input_scale (y + neg) where y <= 0, else g pos. */
template <class T>
Tensor<T> elu_backward_of_result(const Tensor<T>& g, const Tensor<T>& y, double neg, double pos, double input_scale) {
  return where(y <= 0, g * (y + neg) * input_scale, g * pos);
}

/** PyTorch's elu_backward from the input: g neg_input neg exp(x neg_input) where x <= 0, else g pos. */
template <class T>
Tensor<T> elu_backward(const Tensor<T>& g, const Tensor<T>& x, double neg, double pos, double neg_input) {
  return where(x <= 0, g * neg_input * neg * (x.clamp(std::nullopt, 0.0) * neg_input).exp(), g * pos);
}

/** prelu's node (PyTorch's PreluBackward0): g where x > 0 and weight g elsewhere for the input;
 *  x g where x <= 0, summed over every dim but the channels', for the weight. */
template <class T>
struct PreluBackward0 final : ::tessera::detail::Node {
  ::tessera::detail::SavedTensor<T> self, weight;
  Shape shape;  // the weight's broadcast view
  PreluBackward0(const Tensor<T>& x, const Tensor<T>& w, Shape s) : self(x, false), weight(w, false), shape(std::move(s)) {}
  const char* name() const override { return "PreluBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(self, weight);
  }
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    const Tensor<T> g = grads[0].as<T>(), x = self.unpack(*this), w = weight.unpack(*this);
    AnyTensor dx, dw;
    if (needs_input_grad(0)) dx = where(x > 0, g, g * w.reshape(shape));
    if (needs_input_grad(1)) dw = ::tessera::detail::sum_to(where(x > 0, zeros_like(g), x * g), shape).reshape(w.sizes());
    return {dx, dw};
  }
};

}  // namespace detail_activation

template <class T>
Tensor<T> leaky_relu(const Tensor<T>& x, double negative_slope = 0.01) {
  return detail_activation::activation(
      x, "LeakyReluBackward0", [&](const Tensor<T>& v) { return where(v > 0, v, v * negative_slope); },
      [negative_slope](const Tensor<T>& g, const Tensor<T>& v) { return where(v > 0, g, g * negative_slope); });
}

/** x for x > 0, alpha (e^x - 1) otherwise. */
template <class T>
Tensor<T> elu(const Tensor<T>& x, double alpha = 1.0) {
  return detail_activation::activation(
      x, "EluBackward0", [&](const Tensor<T>& v) { return where(v > 0, v, v.clamp(std::nullopt, 0.0).expm1() * alpha); },
      [alpha](const Tensor<T>& g, const Tensor<T>& v) { return detail_activation::elu_backward(g, v, alpha, 1.0, 1.0); });
}

/** scale * elu(x, alpha) with SELU's fixed constants. */
template <class T>
Tensor<T> selu(const Tensor<T>& x) {
  constexpr double alpha = 1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946;
  return detail_activation::activation(
      x, "EluBackward0",
      [&](const Tensor<T>& v) { return where(v > 0, v * scale, v.clamp(std::nullopt, 0.0).expm1() * (alpha * scale)); },
      [](const Tensor<T>& g, const Tensor<T>& v) { return detail_activation::elu_backward(g, v, alpha * scale, scale, 1.0); });
}

/** max(0, x) + min(0, alpha (e^(x / alpha) - 1)). */
template <class T>
Tensor<T> celu(const Tensor<T>& x, double alpha = 1.0) {
  TS_CHECK(alpha != 0, "celu: ZeroDivisionError: alpha cannot be 0 for CELU");
  return detail_activation::activation(
      x, "CeluBackward0", [&](const Tensor<T>& v) { return where(v > 0, v, (v.clamp(std::nullopt, 0.0) / alpha).expm1() * alpha); },
      [alpha](const Tensor<T>& g, const Tensor<T>& v) { return detail_activation::elu_backward(g, v, alpha, 1.0, 1.0 / alpha); });
}

/** x * sigmoid(x). */
template <class T>
Tensor<T> silu(const Tensor<T>& x) {
  return detail_activation::activation(
      x, "SiluBackward0", [](const Tensor<T>& v) { return v * v.sigmoid(); },
      [](const Tensor<T>& g, const Tensor<T>& v) {
        const Tensor<T> s = v.sigmoid();
        return g * s * (T(1) + v * (T(1) - s));
      });
}

/** x * tanh(softplus(x)). */
template <class T>
Tensor<T> mish(const Tensor<T>& x) {
  return detail_activation::activation(
      x, "MishBackward0", [](const Tensor<T>& v) { return v * v.softplus().tanh(); },
      [](const Tensor<T>& g, const Tensor<T>& v) {
        const Tensor<T> t = v.softplus().tanh();
        return g * (t + v * v.sigmoid() * (T(1) - t * t));
      });
}

/** min(max(x, min_val), max_val), with zero gradient at and beyond the bounds. */
template <class T>
Tensor<T> hardtanh(const Tensor<T>& x, double min_val = -1.0, double max_val = 1.0) {
  TS_CHECK(max_val >= min_val, "hardtanh: max_val must be greater than or equal to min_val (got ", min_val, " and ",
           max_val, ")");
  return detail_activation::activation(
      x, "HardtanhBackward0", [&](const Tensor<T>& v) { return v.clamp(min_val, max_val); },
      [min_val, max_val](const Tensor<T>& g, const Tensor<T>& v) {
        return where((v <= min_val) || (v >= max_val), zeros_like(g), g);
      });
}

template <class T>
Tensor<T> relu6(const Tensor<T>& x) {
  return hardtanh(x, 0.0, 6.0);
}

/** x * min(max(x + 3, 0), 6) / 6: 0 below -3, x (x + 3) / 6 from -3 up to 3, x from 3 on (the
 *  gradient at 3 is 1, as PyTorch's vectorised kernel has it; its scalar tail says 1.5). */
template <class T>
Tensor<T> hardswish(const Tensor<T>& x) {
  return detail_activation::activation(
      x, "HardswishBackward0",
      [](const Tensor<T>& v) { return where(v < -3.0, v * 0.0, where(v < 3.0, v * (v.clamp(-3.0, 3.0) + 3.0) / 6.0, v)); },
      [](const Tensor<T>& g, const Tensor<T>& v) {
        return where(v < -3.0, zeros_like(g), where(v < 3.0, g * (v / 3.0 + 0.5), g));
      });
}

/** min(max(x + 3, 0), 6) / 6, with gradient 1/6 strictly between -3 and 3. */
template <class T>
Tensor<T> hardsigmoid(const Tensor<T>& x) {
  return detail_activation::activation(
      x, "HardsigmoidBackward0", [](const Tensor<T>& v) { return (v + 3.0).clamp(0.0, 6.0) / 6.0; },
      [](const Tensor<T>& g, const Tensor<T>& v) { return where((v > -3.0) && (v < 3.0), g / 6.0, zeros_like(g)); });
}

/** log(1 + e^(beta x)) / beta, or x where beta x > threshold. */
template <class T>
Tensor<T> softplus(const Tensor<T>& x, double beta = 1.0, double threshold = 20.0) {
  return detail_activation::activation(
      x, "SoftplusBackward0",
      [&](const Tensor<T>& v) {
        const Tensor<T> bx = v * beta;
        return where(bx > threshold, v, bx.softplus() / beta);
      },
      [beta, threshold](const Tensor<T>& g, const Tensor<T>& v) {
        const Tensor<T> bx = v * beta, z = bx.clamp(std::nullopt, threshold).exp();
        return where(bx > threshold, g, g * z / (z + T(1)));
      });
}

/** GELU exactly (approximate = "none") or with PyTorch's tanh approximation ("tanh"). */
template <class T>
Tensor<T> gelu(const Tensor<T>& x, std::string_view approximate = "none") {
  TS_CHECK(approximate == "none" || approximate == "tanh", "gelu: approximate argument must be either none or tanh.");
  if (approximate == "none") return x.gelu();
  const double k = std::sqrt(2.0 / 3.14159265358979323846), kappa = 0.044715;
  return detail_activation::activation(
      x, "GeluBackward0", [&](const Tensor<T>& v) { return v * 0.5 * (((v + v * v * v * kappa) * k).tanh() + 1.0); },
      [k, kappa](const Tensor<T>& g, const Tensor<T>& v) {  // PyTorch's GeluBackward, tanh form
        const Tensor<T> t = ((v + v * v * v * kappa) * k).tanh();
        const Tensor<T> right = v * 0.5 * (T(1) - t * t) * k * (v * v * (3 * kappa) + 1.0);
        return g * ((t + 1.0) * 0.5 + right);
      });
}

/** log(sigmoid(x)): x - log(1 + e^x) below 0, -log(1 + e^-x) from 0 on (PyTorch's split, so the
 *  tiny log1p term survives next to a large x and the gradient at 0 is 1/2). */
template <class T>
Tensor<T> logsigmoid(const Tensor<T>& x) {
  return detail_activation::activation(
      x, "LogSigmoidBackward0",
      [](const Tensor<T>& v) {
        const Tensor<T> neg = v.clamp(std::nullopt, 0.0), pos = v.clamp(0.0, std::nullopt);
        return where(v < 0, neg - neg.exp().log1p(), -(-pos).exp().log1p());
      },
      [](const Tensor<T>& g, const Tensor<T>& v) { return g * v.neg().sigmoid(); });
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
  return detail_activation::activation(
      x, "SoftshrinkBackward0", [&](const Tensor<T>& v) { return where(v > lambd, v - lambd, where(v < -lambd, v + lambd, v * 0.0)); },
      [lambd](const Tensor<T>& g, const Tensor<T>& v) { return where((v >= -lambd) && (v <= lambd), zeros_like(g), g); });
}

/** x where |x| > lambd, else 0. */
template <class T>
Tensor<T> hardshrink(const Tensor<T>& x, double lambd = 0.5) {
  return detail_activation::activation(
      x, "HardshrinkBackward0", [&](const Tensor<T>& v) { return where((v >= -lambd) && (v <= lambd), v * 0.0, v); },
      [lambd](const Tensor<T>& g, const Tensor<T>& v) { return where((v >= -lambd) && (v <= lambd), zeros_like(g), g); });
}

/** x where x > threshold, else value. */
template <class T>
Tensor<T> threshold(const Tensor<T>& x, double threshold, double value) {
  return detail_activation::activation(
      x, "ThresholdBackward0", [&](const Tensor<T>& v) { return where(v > threshold, v, full_like(v, value)); },
      [threshold](const Tensor<T>& g, const Tensor<T>& v) { return where(v <= threshold, zeros_like(g), g); });
}

/** leaky_relu in place (PyTorch's LeakyReluBackward1; a negative slope is not differentiable). */
template <class T>
const Tensor<T>& leaky_relu_(const Tensor<T>& x, double negative_slope = 0.01) {
  return detail_activation::activation_<true>(
      x, "LeakyReluBackward1", [&](const Tensor<T>& v) { return leaky_relu(v, negative_slope); },
      [negative_slope](const Tensor<T>& g, const Tensor<T>& y) {
        if (negative_slope < 0) detail_activation::throw_negative_slope(true);
        return where(y > 0, g, g * negative_slope);
      });
}

/** elu in place (PyTorch's EluBackward1; a negative alpha is not differentiable). */
template <class T>
const Tensor<T>& elu_(const Tensor<T>& x, double alpha = 1.0) {
  return detail_activation::activation_<true>(
      x, "EluBackward1", [&](const Tensor<T>& v) { return elu(v, alpha); },
      [alpha](const Tensor<T>& g, const Tensor<T>& y) {
        if (alpha < 0) detail_activation::throw_negative_slope(false);
        return detail_activation::elu_backward_of_result(g, y, alpha, 1.0, 1.0);
      });
}

/** selu in place (PyTorch's EluBackward1). */
template <class T>
const Tensor<T>& selu_(const Tensor<T>& x) {
  constexpr double alpha = 1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946;
  return detail_activation::activation_<true>(
      x, "EluBackward1", [](const Tensor<T>& v) { return selu(v); },
      [](const Tensor<T>& g, const Tensor<T>& y) {
        return detail_activation::elu_backward_of_result(g, y, alpha * scale, scale, 1.0);
      });
}

/** celu in place (PyTorch's CeluBackward1; a negative alpha is not differentiable). */
template <class T>
const Tensor<T>& celu_(const Tensor<T>& x, double alpha = 1.0) {
  TS_CHECK(alpha != 0, "celu_: ZeroDivisionError: alpha cannot be 0 for CELU");
  return detail_activation::activation_<true>(
      x, "CeluBackward1", [&](const Tensor<T>& v) { return celu(v, alpha); },
      [alpha](const Tensor<T>& g, const Tensor<T>& y) {
        if (alpha < 0) detail_activation::throw_negative_slope(false);
        return detail_activation::elu_backward_of_result(g, y, alpha, 1.0, 1.0 / alpha);
      });
}

/** hardtanh in place (PyTorch's HardtanhBackward0). */
template <class T>
const Tensor<T>& hardtanh_(const Tensor<T>& x, double min_val = -1.0, double max_val = 1.0) {
  TS_CHECK(max_val >= min_val, "hardtanh_: max_val must be greater than or equal to min_val (got ", min_val, " and ",
           max_val, ")");
  return detail_activation::activation_<false>(
      x, "HardtanhBackward0", [&](const Tensor<T>& v) { return hardtanh(v, min_val, max_val); },
      [min_val, max_val](const Tensor<T>& g, const Tensor<T>& v) {
        return where((v <= min_val) || (v >= max_val), zeros_like(g), g);
      });
}

/** threshold in place (PyTorch's ThresholdBackward1). */
template <class T>
const Tensor<T>& threshold_(const Tensor<T>& x, double threshold, double value) {
  return detail_activation::activation_<false>(
      x, "ThresholdBackward1", [&](const Tensor<T>& v) { return functional::threshold(v, threshold, value); },
      [threshold](const Tensor<T>& g, const Tensor<T>& v) { return where(v <= threshold, zeros_like(g), g); });
}

/** The first half of `dim` times the sigmoid of the second. */
template <class T>
Tensor<T> glu(const Tensor<T>& x, int64_t dim = -1) {
  TS_CHECK(x.dim() > 0, "glu: glu does not support scalars because halving size must be even");
  const int64_t d = detail::wrap_dim(dim, x.dim(), "glu");
  TS_CHECK(x.size(d) % 2 == 0, "glu: Halving dimension must be even, but dimension ", d, " is size ", x.size(d));
  const int64_t half = x.size(d) / 2;
  return detail_activation::activation(
      x, "GluBackward0", [&](const Tensor<T>& v) { return v.narrow(d, 0, half) * v.narrow(d, half, half).sigmoid(); },
      [d, half](const Tensor<T>& g, const Tensor<T>& v) {
        const Tensor<T> a = v.narrow(d, 0, half), s = v.narrow(d, half, half).sigmoid();
        return cat({g * s, g * a * s * (T(1) - s)}, d);
      });
}

/** x where x > 0, else weight * x, weight having one value or one per channel (dim 1). */
template <class T>
Tensor<T> prelu(const Tensor<T>& x, const Tensor<T>& weight) {
  const int64_t channels = x.dim() >= 2 ? x.size(1) : 1;
  TS_CHECK(weight.numel() == 1 || (weight.dim() == 1 && weight.numel() == channels), "prelu: Mismatch of parameter "
           "numbers and input channel size. Found parameter numbers = ", weight.numel(), " and channel size = ",
           channels, ".");
  Shape shape;  // the weight's view that broadcasts over x: [C, 1, ...] after the batch dim, or a scalar
  if (weight.numel() != 1 && x.dim() >= 2) {
    shape = Shape::filled(static_cast<size_t>(x.dim() - 1), 1);
    shape[0] = channels;
  }
  Tensor<T> y;
  {
    NoGradGuard no_grad;  // its derivatives are PreluBackward0's
    y = where(x > 0, x, x * weight.reshape(shape));
  }
  if (::tessera::detail::needs_grad(x, weight))
    ::tessera::detail::record<detail_activation::PreluBackward0<T>>({x, weight}, {y}, x, weight, shape);
  return y;
}

/** softmax(-x) over dim. */
template <class T>
Tensor<T> softmin(const Tensor<T>& x, int64_t dim) {
  return (-x).softmax(dim);
}

/** Randomized leaky ReLU (torch.nn.functional.rrelu): while training, each non-positive element
 *  is scaled by its own slope drawn from U(lower, upper) in order (PyTorch's draws with the
 *  mt19937 generator), else by (lower + upper) / 2; PyTorch's node RreluWithNoiseBackward0. */
template <class T>
Tensor<T> rrelu(const Tensor<T>& x, double lower, double upper, bool training, Generator& gen) {
  static_assert(is_floating_v<T>, "rrelu: the input must be floating");
  TS_CHECK(lower <= upper, "rrelu: Lower bound should be less than or equal to the upper bound");
  const double slope = (lower + upper) / 2;
  if (!training)
    return detail_activation::activation(
        x, "RreluWithNoiseBackward0", [&](const Tensor<T>& v) { return where(v > 0, v, v * slope); },
        [slope](const Tensor<T>& g, const Tensor<T>& v) { return where(v > 0, g, g * slope); });
  Tensor<T> noise;
  {
    NoGradGuard no_grad;
    const Tensor<bool> negative = x <= 0;
    // PyTorch's kernel: the bounds rounded to T's accumulation type, a double u in [0, 1) scaled
    // as u (upper - lower) + lower without a fused multiply-add, then rounded to T
    using Acc = std::conditional_t<std::is_same_v<T, double>, double, float>;
    const double lo = static_cast<Acc>(lower), hi = static_cast<Acc>(upper);
    const Tensor<double> slopes = empty<double>({negative.sum().item()}).uniform_(0.0, 1.0, gen) * (hi - lo) + lo;
    noise = ones_like(x).masked_scatter(negative, slopes.to(x.device()).template to<T>());
  }
  // PyTorch's derivative: the drawn slopes, or the mean slope where the range is below 1e-6
  const bool constant = upper - lower <= 1e-6;
  return detail_activation::activation(
      x, "RreluWithNoiseBackward0", [&](const Tensor<T>& v) { return v * noise; },
      [noise, slope, constant](const Tensor<T>& g, const Tensor<T>& v) {
        return constant ? where(v > 0, g, g * slope) : g * noise;
      });
}
template <class T>
Tensor<T> rrelu(const Tensor<T>& x, double lower = 1.0 / 8, double upper = 1.0 / 3, bool training = false) {
  return rrelu(x, lower, upper, training, default_generator());
}

/** Samples of the Gumbel-softmax distribution over dim (torch.nn.functional.gumbel_softmax):
 *  softmax((logits + g) / tau), g = -log(Exponential(1)) drawn from `gen` (PyTorch's draws with
 *  the mt19937 generator); `hard` returns the one-hot of each maximum, with the soft sample's
 *  gradient (straight through). */
template <class T>
Tensor<T> gumbel_softmax(const Tensor<T>& logits, double tau, bool hard, int64_t dim, Generator& gen) {
  static_assert(is_floating_v<T>, "gumbel_softmax: the logits must be floating");
  Tensor<T> gumbels;
  {
    NoGradGuard no_grad;
    // drawn in row-major order whatever the logits' layout, as PyTorch's legacy_contiguous_format
    gumbels = empty<T>(logits.sizes(), {.device = logits.device()}).exponential_(1.0, gen).log().neg();
  }
  const Tensor<T> y_soft = ((logits + gumbels) / static_cast<T>(tau)).softmax(dim);
  if (!hard) return y_soft;
  const Tensor<int64_t> index = std::get<1>(y_soft.max(dim, true));
  const Tensor<T> y_hard = zeros_like(logits).scatter_(dim, index, T(1));
  return y_hard - y_soft.detach() + y_soft;
}
template <class T>
Tensor<T> gumbel_softmax(const Tensor<T>& logits, double tau = 1.0, bool hard = false, int64_t dim = -1) {
  return gumbel_softmax(logits, tau, hard, dim, default_generator());
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
/** nn.RReLU(lower, upper): random slopes while training, their mean in eval mode. */
template <class = void>
class RReLU : public nn::Module {
 public:
  explicit RReLU(double lower = 1.0 / 8, double upper = 1.0 / 3) : RReLU(lower, upper, default_generator()) {}
  RReLU(double lower, double upper, Generator& gen) : lower_(lower), upper_(upper), gen_(&gen) {}
  Tensor<float> forward(const Tensor<float>& x) const {
    return functional::rrelu(x, lower_, upper_, is_training(), *gen_);
  }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  double lower_, upper_;
  Generator* gen_;
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
using RReLU = impl::RReLU<>;
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
