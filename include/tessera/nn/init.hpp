#pragma once
// ts::nn::init: torch.nn.init's initialisers, in place, with PyTorch 1.13's formulas, so that with
// the mt19937 generator they give PyTorch's values bit for bit (Note [init formulas]).

#include <cmath>
#include <optional>
#include <string_view>

#include "../autograd/grad_mode.hpp"
#include "../core/algorithm.hpp"
#include "../ops/creation.hpp"
#include "../ops/indexing.hpp"
#include "../ops/linalg.hpp"
#include "../ops/pointwise.hpp"
#include "../random/distributions.hpp"

namespace tessera::nn::init {

// Note [init formulas]
// Every bound and standard deviation is computed in double in torch/nn/init.py's order of
// operations (gain / sqrt(fan), then sqrt(3) * std), so it is the same double as PyTorch's, and
// the tensor draws through its own uniform_/normal_ (the generator's stream, as PyTorch's). Like
// PyTorch, they run without recording gradients and return the tensor they fill.

/** torch.nn.init.calculate_gain: the recommended gain for a nonlinearity (`param` is leaky_relu's
 *  negative slope, 0.01 when not given). */
inline double calculate_gain(std::string_view nonlinearity, std::optional<double> param = std::nullopt) {
  for (std::string_view linear : {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                                  "conv_transpose3d", "sigmoid"})
    if (nonlinearity == linear) return 1;
  if (nonlinearity == "tanh") return 5.0 / 3;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") {
    const double slope = param.value_or(0.01);
    return std::sqrt(2.0 / (1 + slope * slope));
  }
  if (nonlinearity == "selu") return 3.0 / 4;
  tessera::detail::throw_error("calculate_gain: Unsupported nonlinearity ", nonlinearity);
}

namespace detail {

struct Fans {
  int64_t in, out;
};

/** torch.nn.init._calculate_fan_in_and_fan_out: fan_in = size(1) * receptive field, fan_out =
 *  size(0) * receptive field. */
template <class T>
Fans fans(const Tensor<T>& t, const char* op) {
  TS_CHECK(t.dim() >= 2, op, ": Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (got ",
           tessera::detail::shape_str(t.sizes()), ")");
  int64_t receptive = 1;
  for (int64_t d = 2; d < t.dim(); ++d) receptive *= t.size(d);
  return {t.size(1) * receptive, t.size(0) * receptive};
}

template <class T>
int64_t fan_of(const Tensor<T>& t, std::string_view mode, const char* op) {
  TS_CHECK(mode == "fan_in" || mode == "fan_out", op, ": Mode ", mode, " not supported, please use one of fan_in, fan_out");
  const Fans f = fans(t, op);
  return mode == "fan_in" ? f.in : f.out;
}

template <class T>
void check_floating(const Tensor<T>& t, const char* op) {
  TS_CHECK(t.defined(), op, ": expected a defined tensor");
  static_assert(is_floating_v<T>, "nn::init: initialisers fill floating tensors");
  (void)op;
}

}  // namespace detail

/** torch.nn.init.uniform_: U(a, b). */
template <class T>
const Tensor<T>& uniform_(const Tensor<T>& t, double a = 0, double b = 1, Generator& gen = default_generator()) {
  detail::check_floating(t, "uniform_");
  NoGradGuard no_grad;
  t.uniform_(a, b, gen);
  return t;
}

/** torch.nn.init.normal_: N(mean, std^2). */
template <class T>
const Tensor<T>& normal_(const Tensor<T>& t, double mean = 0, double stddev = 1, Generator& gen = default_generator()) {
  detail::check_floating(t, "normal_");
  NoGradGuard no_grad;
  t.normal_(mean, stddev, gen);
  return t;
}

/** torch.nn.init.trunc_normal_: N(mean, std^2) restricted to [a, b], drawn as PyTorch 1.13 does
 *  (uniform between the bounds' normal CDFs, then the inverse CDF through erfinv, then clamped). */
template <class T>
const Tensor<T>& trunc_normal_(const Tensor<T>& t, double mean = 0, double stddev = 1, double a = -2, double b = 2,
                               Generator& gen = default_generator()) {
  detail::check_floating(t, "trunc_normal_");
  if (mean < a - 2 * stddev || mean > b + 2 * stddev)
    tessera::detail::warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values "
                          "may be incorrect.");
  const auto normal_cdf = [](double x) { return (1 + std::erf(x / std::sqrt(2.0))) / 2; };
  const double lo = normal_cdf((a - mean) / stddev), hi = normal_cdf((b - mean) / stddev);
  NoGradGuard no_grad;
  t.uniform_(2 * lo - 1, 2 * hi - 1, gen);
  t.erfinv_();
  t.mul_(stddev * std::sqrt(2.0));
  t.add_(mean);
  t.clamp_(a, b);
  return t;
}

/** torch.nn.init.constant_, ones_, zeros_. */
template <class T>
const Tensor<T>& constant_(const Tensor<T>& t, double value) {
  detail::check_floating(t, "constant_");
  NoGradGuard no_grad;
  return t.fill_(value);
}
template <class T>
const Tensor<T>& ones_(const Tensor<T>& t) {
  return constant_(t, 1.0);
}
template <class T>
const Tensor<T>& zeros_(const Tensor<T>& t) {
  return constant_(t, 0.0);
}

/** torch.nn.init.eye_: the identity in a 2-D tensor (ones on the main diagonal). */
template <class T>
const Tensor<T>& eye_(const Tensor<T>& t) {
  detail::check_floating(t, "eye_");
  TS_CHECK(t.dim() == 2, "eye_: Only tensors with 2 dimensions are supported (got ",
           tessera::detail::shape_str(t.sizes()), ")");
  NoGradGuard no_grad;
  return t.copy_(eye<T>(t.size(0), t.size(1), {.device = t.device()}));
}

namespace detail {

/** The Q of A = QR with R's diagonal positive, for A [m, n] with m >= n: classical Gram-Schmidt
 *  applied twice per column, as orthogonal as Householder's Q, and the same Q (up to rounding)
 *  as LAPACK's once the signs are made positive, as orthogonal_ does. A column that depends on
 *  the ones before it becomes zero, as sign(0) makes PyTorch's. */
template <class = void>
Tensor<double> orthonormal_columns(const Tensor<double>& a) {
  const int64_t n = a.size(1);
  Tensor<double> q = zeros<double>(a.sizes(), {.device = a.device()});
  for (int64_t j = 0; j < n; ++j) {
    Tensor<double> v = a.select(1, j);
    if (j > 0) {
      const Tensor<double> done = q.narrow(1, 0, j);
      for (int pass = 0; pass < 2; ++pass) v = v - done.matmul(done.t().matmul(v));
    }
    const double length = v.norm().item();
    if (length > 0) q.select(1, j).copy_(v / length);
  }
  return q;
}

}  // namespace detail

/** torch.nn.init.orthogonal_: the tensor, seen as [size(0), numel / size(0)], becomes a matrix
 *  with orthonormal rows or columns (whichever are fewer) times `gain`: the Q factor of a
 *  normal draw of that shape (drawn as PyTorch draws it), its signs made uniform as PyTorch's. */
template <class T>
const Tensor<T>& orthogonal_(const Tensor<T>& t, double gain = 1, Generator& gen = default_generator()) {
  detail::check_floating(t, "orthogonal_");
  TS_CHECK(t.dim() >= 2, "orthogonal_: Only tensors with 2 or more dimensions are supported (got ",
           tessera::detail::shape_str(t.sizes()), ")");
  if (t.numel() == 0) return t;
  NoGradGuard no_grad;
  const int64_t rows = t.size(0), cols = t.numel() / rows;
  Tensor<T> drawn = empty<T>({rows, cols}, {.device = t.device()});
  drawn.normal_(0, 1, gen);
  const bool wide = rows < cols;
  const Tensor<double> q = detail::orthonormal_columns((wide ? drawn.t() : drawn).template to<double>());
  t.copy_((wide ? q.t() : q).reshape(t.sizes()).template to<T>());
  t.mul_(gain);
  return t;
}

/** torch.nn.init.dirac_: a 3-, 4- or 5-D convolution weight that passes its input through
 *  (one 1 at the kernel's centre for each of min(out / groups, in) channels of every group). */
template <class T>
const Tensor<T>& dirac_(const Tensor<T>& t, int64_t groups = 1) {
  detail::check_floating(t, "dirac_");
  TS_CHECK(t.dim() >= 3 && t.dim() <= 5, "dirac_: Only tensors with 3, 4, or 5 dimensions are supported (got ",
           tessera::detail::shape_str(t.sizes()), ")");
  TS_CHECK(groups > 0 && t.size(0) % groups == 0, "dirac_: dim 0 must be divisible by groups (size ", t.size(0),
           ", groups ", groups, ")");
  NoGradGuard no_grad;
  const int64_t per_group = t.size(0) / groups, channels = std::min(per_group, t.size(1));
  t.zero_();
  std::vector<TensorIndex> at(static_cast<size_t>(t.dim()), TensorIndex(int64_t{0}));
  for (int64_t d = 2; d < t.dim(); ++d) at[static_cast<size_t>(d)] = TensorIndex(t.size(d) / 2);
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t c = 0; c < channels; ++c) {
      at[0] = TensorIndex(g * per_group + c);
      at[1] = TensorIndex(c);
      t.index(at).fill_(1);
    }
  return t;
}

/** torch.nn.init.xavier_uniform_: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)). */
template <class T>
const Tensor<T>& xavier_uniform_(const Tensor<T>& t, double gain = 1, Generator& gen = default_generator()) {
  detail::check_floating(t, "xavier_uniform_");
  const detail::Fans f = detail::fans(t, "xavier_uniform_");
  const double stddev = gain * std::sqrt(2.0 / static_cast<double>(f.in + f.out));
  const double a = std::sqrt(3.0) * stddev;
  return uniform_(t, -a, a, gen);
}

/** torch.nn.init.xavier_normal_: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)). */
template <class T>
const Tensor<T>& xavier_normal_(const Tensor<T>& t, double gain = 1, Generator& gen = default_generator()) {
  detail::check_floating(t, "xavier_normal_");
  const detail::Fans f = detail::fans(t, "xavier_normal_");
  const double stddev = gain * std::sqrt(2.0 / static_cast<double>(f.in + f.out));
  return normal_(t, 0, stddev, gen);
}

/** torch.nn.init.kaiming_uniform_: U(-bound, bound), bound = gain * sqrt(3 / fan), gain from
 *  calculate_gain(nonlinearity, a). A tensor with no elements is left as it is. */
template <class T>
const Tensor<T>& kaiming_uniform_(const Tensor<T>& t, double a = 0, std::string_view mode = "fan_in",
                                  std::string_view nonlinearity = "leaky_relu", Generator& gen = default_generator()) {
  detail::check_floating(t, "kaiming_uniform_");
  if (t.numel() == 0) return t;
  const int64_t fan = detail::fan_of(t, mode, "kaiming_uniform_");
  const double gain = calculate_gain(nonlinearity, a);
  const double stddev = gain / std::sqrt(static_cast<double>(fan));
  const double bound = std::sqrt(3.0) * stddev;
  return uniform_(t, -bound, bound, gen);
}

/** torch.nn.init.kaiming_normal_: N(0, std^2), std = gain / sqrt(fan). */
template <class T>
const Tensor<T>& kaiming_normal_(const Tensor<T>& t, double a = 0, std::string_view mode = "fan_in",
                                 std::string_view nonlinearity = "leaky_relu", Generator& gen = default_generator()) {
  detail::check_floating(t, "kaiming_normal_");
  if (t.numel() == 0) return t;
  const int64_t fan = detail::fan_of(t, mode, "kaiming_normal_");
  const double gain = calculate_gain(nonlinearity, a);
  const double stddev = gain / std::sqrt(static_cast<double>(fan));
  return normal_(t, 0, stddev, gen);
}

namespace detail {

/** What Linear and the convolutions do in reset_parameters(): kaiming_uniform_(weight, sqrt(5)),
 *  then the bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)), in that order of draws. */
template <class T>
void reset_linear_like(const Tensor<T>& weight, const Tensor<T>& bias, Generator& gen) {
  kaiming_uniform_(weight, std::sqrt(5.0), "fan_in", "leaky_relu", gen);
  if (!bias.defined()) return;
  const int64_t fan_in = fans(weight, "reset_parameters").in;
  const double bound = fan_in > 0 ? 1 / std::sqrt(static_cast<double>(fan_in)) : 0;
  uniform_(bias, -bound, bound, gen);
}

}  // namespace detail

}  // namespace tessera::nn::init
