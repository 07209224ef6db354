#pragma once
// Covariance and correlation of the rows of a matrix: torch.cov (with frequency and analytic
// weights) and torch.corrcoef, composed of reductions, products and elementwise ops, so they run
// on every device and their gradients are those of the pieces.

#include "../core/warning.hpp"
#include "elementwise.hpp"
#include "linalg.hpp"
#include "reduce.hpp"
#include "view.hpp"

namespace tessera {

namespace detail {
/** cov's result type: the input with its weights, made floating (integers give float32). */
template <class T, class FW, class AW>
using cov_t = floating_t<promote_t<promote_t<T, FW>, AW>>;
}  // namespace detail

/** torch.cov(input, correction=1, fweights=None, aweights=None): the covariance of the rows of
 *  a 1-D or 2-D input (rows are variables, columns observations). fweights are integral
 *  repeat counts, aweights floating importances; an undefined tensor is no weights. */
template <class T, class FW = bool, class AW = bool>
Tensor<detail::cov_t<T, FW, AW>> cov(const Tensor<T>& input, int64_t correction = 1, const Tensor<FW>& fweights = {},
                                     const Tensor<AW>& aweights = {}) {
  using R = detail::cov_t<T, FW, AW>;
  TS_CHECK(input.dim() <= 2, "cov(): expected input to have two or fewer dimensions but got an input with ", input.dim(),
           " dimensions");
  TS_CHECK((!std::is_same_v<T, bool>), "cov(): bool dtype is not supported for input");
  const Tensor<R> in = input.dim() < 2 ? input.reshape({1, -1}).template to<R>() : input.template to<R>();
  const int64_t observations = in.size(1);
  Tensor<R> w;
  if (fweights.defined()) {
    TS_CHECK(fweights.dim() <= 1, "cov(): expected fweights to have one or fewer dimensions but got fweights with ",
             fweights.dim(), " dimensions");
    TS_CHECK((std::is_integral_v<FW> && !std::is_same_v<FW, bool>),
             "cov(): expected fweights to have integral dtype but got fweights with ", detail::aten_type_name(dtype_of<FW>), " dtype");
    TS_CHECK(fweights.numel() == observations, "cov(): expected fweights to have the same numel as there are observations "
             "in the input but got ", fweights.numel(), " != ", observations);
    TS_CHECK(observations == 0 || fweights.amin().ge(0).item(), "cov(): fweights cannot be negative");
    w = fweights.template to<R>();
  }
  if (aweights.defined()) {
    TS_CHECK(aweights.dim() <= 1, "cov(): expected aweights to have one or fewer dimensions but got aweights with ",
             aweights.dim(), " dimensions");
    TS_CHECK(is_floating_v<AW>, "cov(): expected aweights to have floating point dtype but got aweights with ",
             detail::aten_type_name(dtype_of<AW>), " dtype");
    TS_CHECK(aweights.numel() == observations, "cov(): expected aweights to have the same numel as there are observations "
             "in the input but got ", aweights.numel(), " != ", observations);
    TS_CHECK(observations == 0 || aweights.amin().ge(0).item(), "cov(): aweights cannot be negative");
    w = w.defined() ? w * aweights.template to<R>() : aweights.template to<R>();
  }
  const Tensor<R> w_sum = w.defined() ? w.sum() : full<R>({}, static_cast<R>(observations), {.device = input.device()});
  TS_CHECK(!w.defined() || w_sum.ne(0).item(), "cov(): weights sum to zero, can't be normalized");
  const Tensor<R> avg = (w.defined() ? in * w : in).sum(1) / w_sum;
  Tensor<R> norm_factor = w.defined() && aweights.defined() && correction != 0
                              ? w_sum - (w * aweights.template to<R>()).sum() * static_cast<R>(correction) / w_sum
                              : w_sum - static_cast<R>(correction);
  if (norm_factor.le(0).item()) {
    detail::warn("cov(): degrees of freedom is <= 0");
    norm_factor = zeros<R>({}, {.device = input.device()});
  }
  const Tensor<R> centered = in - avg.unsqueeze(1);
  return (mm(centered, (w.defined() ? centered * w : centered).t()) / norm_factor).squeeze();
}

/** torch.corrcoef(input): Pearson's correlation coefficients of the rows, clipped to [-1, 1]. */
template <class T>
Tensor<floating_t<T>> corrcoef(const Tensor<T>& input) {
  TS_CHECK(input.dim() <= 2, "corrcoef(): expected input to have two or fewer dimensions but got an input with ",
           input.dim(), " dimensions");
  const Tensor<floating_t<T>> c = cov(input);
  if (c.dim() == 0) return c / c;  // NaN for a constant row, else 1, as PyTorch
  const Tensor<floating_t<T>> stddev = c.diagonal().sqrt();
  return (c / stddev.reshape({-1, 1}) / stddev.reshape({1, -1})).clamp(-1.0, 1.0);
}

template <class T>
template <class FW, class AW>
Tensor<floating_t<promote_t<promote_t<T, FW>, AW>>> Tensor<T>::cov(int64_t correction, const Tensor<FW>& fweights,
                                                                     const Tensor<AW>& aweights) const {
  return tessera::cov(*this, correction, fweights, aweights);
}
template <class T>
Tensor<floating_t<T>> Tensor<T>::corrcoef() const {
  return tessera::corrcoef(*this);
}

}  // namespace tessera
