#pragma once
// torch.quantile and torch.nanquantile: sort along the reduced dim, pick the ranks q * (n - 1)
// (of the non-NaN values for nanquantile) and interpolate, as PyTorch's quantile_compute; built
// from sort, gather and elementwise ops, so the gradient is theirs.

#include <optional>
#include <string_view>

#include "creation.hpp"
#include "elementwise.hpp"
#include "indexing.hpp"
#include "reduce.hpp"
#include "sort.hpp"
#include "view.hpp"

namespace tessera {

namespace detail {
template <class T>
Tensor<T> quantile_compute(const Tensor<T>& x, const Tensor<T>& q, bool q_scalar, std::optional<int64_t> dim, bool keepdim,
                           std::string_view interpolation, bool ignore_nan);
template <class T>
Tensor<T> quantile_impl(const Tensor<T>& x, const Tensor<T>& q, bool q_scalar, std::optional<int64_t> dim, bool keepdim,
                        std::string_view interpolation, bool ignore_nan) {
  TS_CHECK((std::is_same_v<T, float> || std::is_same_v<T, double>),
           "quantile() input tensor must be either float or double dtype");
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>)
    return quantile_compute(x, q, q_scalar, dim, keepdim, interpolation, ignore_nan);
  else
    return {};
}
template <class T>
Tensor<T> quantile_compute(const Tensor<T>& x, const Tensor<T>& q, bool q_scalar, std::optional<int64_t> dim, bool keepdim,
                           std::string_view interpolation, bool ignore_nan) {
  TS_CHECK(q.dim() <= 1, "quantile() q must be a scalar or 1D tensor");
  TS_CHECK(interpolation == "linear" || interpolation == "lower" || interpolation == "higher" ||
               interpolation == "midpoint" || interpolation == "nearest",
           "quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, but got ", interpolation);
  TS_CHECK(x.numel() > 0, "quantile() input tensor must be non-empty");
  TS_CHECK(q.numel() == 0 || (q.ge(0.0).all().item() && q.le(1.0).all().item()),
           "quantile() q values must be in the range [0, 1]");
  // The reduced values last: every element, or dim moved to the end with a 1 left in its place.
  Tensor<T> sorted;
  int64_t wrapped = 0;
  if (!dim) {
    sorted = x.reshape({-1}).sort().values;
  } else {
    wrapped = wrap_dim(*dim, x.dim(), "quantile");
    sorted = x.dim() == 0 ? x.reshape({1}).sort().values : x.unsqueeze(-1).transpose(wrapped, -1).sort().values;
  }
  const int64_t n = sorted.size(-1);
  const Tensor<T> zero = zeros<T>({}, {.device = x.device()});
  Tensor<T> ranks;
  if (ignore_nan) {
    // Ranks among the numbers; a row of NaN only gets rank 0, whose value is NaN.
    const Tensor<T> count = logical_not(isnan(sorted)).sum(-1, true).template to<T>();
    ranks = q * (count - 1.0);
    ranks = where(ranks.lt(0.0), zero, ranks);
  } else {
    // A row with NaN gets the last rank: NaN sorts last.
    const Tensor<T> last = full<T>({}, static_cast<T>(n - 1), {.device = x.device()});
    ranks = where(isnan(sorted).any(-1, true), last, q * static_cast<T>(n - 1));
  }
  if (interpolation == "lower") ranks = ranks.floor();
  else if (interpolation == "higher") ranks = ranks.ceil();
  else if (interpolation == "nearest") ranks = ranks.round();  // half to even, as torch.round
  const Tensor<int64_t> below = ranks.template to<int64_t>();
  Tensor<T> values = sorted.gather(-1, below);
  if (interpolation == "linear" || interpolation == "midpoint") {
    const Tensor<T> weights = interpolation == "midpoint" ? full_like(ranks, T(0.5)) : ranks - below.template to<T>();
    values = lerp(values, sorted.gather(-1, ranks.ceil().template to<int64_t>()), weights);
  }
  // (..., Q) -> (Q, ...), or (...) for a scalar q.
  values = q_scalar ? values.squeeze(-1) : values.unsqueeze(0).transpose(0, -1).squeeze(-1);
  const int64_t q_dims = q_scalar ? 0 : 1;
  if (!dim) {
    if (!keepdim) return values;
    std::vector<int64_t> shape;
    if (!q_scalar) shape.push_back(q.numel());
    for (int64_t d = 0; d < x.dim(); ++d) shape.push_back(1);
    return values.reshape(Shape(shape));
  }
  if (x.dim() == 0) return keepdim ? values : values.squeeze(q_dims);
  return keepdim ? values : values.squeeze(q_dims + wrapped);
}
template <class T>
Tensor<T> quantile_scalar(const Tensor<T>& x, double q, std::optional<int64_t> dim, bool keepdim,
                          std::string_view interpolation, bool ignore_nan) {
  TS_CHECK(q >= 0 && q <= 1, "quantile() q must be in the range [0, 1] but got ", q);
  return quantile_impl(x, full<T>({}, static_cast<T>(q), {.device = x.device()}), true, dim, keepdim, interpolation, ignore_nan);
}
}  // namespace detail

/** torch.quantile(input, q, dim=None, keepdim=False, interpolation="linear"): the q-th
 *  quantiles (a scalar q, or a 1-D tensor of input's dtype, whose values lead the result's
 *  dims); NaN in a slice gives NaN. */
template <class T>
Tensor<T> quantile(const Tensor<T>& x, double q, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
                   std::string_view interpolation = "linear") {
  return detail::quantile_scalar(x, q, dim, keepdim, interpolation, false);
}
template <class T, class Q>
Tensor<T> quantile(const Tensor<T>& x, const Tensor<Q>& q, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
                   std::string_view interpolation = "linear") {
  TS_CHECK((std::is_same_v<T, Q>), "quantile() q tensor must be same dtype as the input tensor");
  if constexpr (std::is_same_v<T, Q>) return detail::quantile_impl(x, q, q.dim() == 0, dim, keepdim, interpolation, false);
  else return {};
}
/** torch.nanquantile: quantile of the numbers, ignoring NaN (NaN where a slice has none). */
template <class T>
Tensor<T> nanquantile(const Tensor<T>& x, double q, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
                      std::string_view interpolation = "linear") {
  return detail::quantile_scalar(x, q, dim, keepdim, interpolation, true);
}
template <class T, class Q>
Tensor<T> nanquantile(const Tensor<T>& x, const Tensor<Q>& q, std::optional<int64_t> dim = std::nullopt,
                      bool keepdim = false, std::string_view interpolation = "linear") {
  TS_CHECK((std::is_same_v<T, Q>), "quantile() q tensor must be same dtype as the input tensor");
  if constexpr (std::is_same_v<T, Q>) return detail::quantile_impl(x, q, q.dim() == 0, dim, keepdim, interpolation, true);
  else return {};
}

template <class T>
Tensor<T> Tensor<T>::quantile(double q, std::optional<int64_t> dim, bool keepdim, std::string_view interpolation) const {
  return tessera::quantile(*this, q, dim, keepdim, interpolation);
}
template <class T>
Tensor<T> Tensor<T>::quantile(const Tensor& q, std::optional<int64_t> dim, bool keepdim, std::string_view interpolation) const {
  return tessera::quantile(*this, q, dim, keepdim, interpolation);
}
template <class T>
Tensor<T> Tensor<T>::nanquantile(double q, std::optional<int64_t> dim, bool keepdim, std::string_view interpolation) const {
  return tessera::nanquantile(*this, q, dim, keepdim, interpolation);
}
template <class T>
Tensor<T> Tensor<T>::nanquantile(const Tensor& q, std::optional<int64_t> dim, bool keepdim,
                                 std::string_view interpolation) const {
  return tessera::nanquantile(*this, q, dim, keepdim, interpolation);
}

}  // namespace tessera
