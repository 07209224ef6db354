#pragma once
// The trapezoidal rule along a dim: torch.trapezoid (trapz) and torch.cumulative_trapezoid, with
// sample points or a constant spacing, composed of views, elementwise ops and sums.

#include "elementwise.hpp"
#include "reduce.hpp"
#include "view.hpp"

#include <vector>

namespace tessera {

namespace detail {
/** The spacings x[i+1] - x[i] along dim, x 1-D (one per sample) or broadcasting against y. */
template <class T, class X>
Tensor<X> trapezoid_spacing(const Tensor<T>& y, const Tensor<X>& x, int64_t dim, const char* op) {
  TS_CHECK((!std::is_same_v<X, bool>), op, ": received a bool input for `x`, but bool is not supported");
  Tensor<X> viewed = x;
  if (x.dim() == 1) {
    TS_CHECK(x.size(0) == y.size(dim), op, ": There must be one `x` value for each sample point");
    std::vector<int64_t> sizes(static_cast<size_t>(y.dim()), 1);
    sizes[static_cast<size_t>(dim)] = x.size(0);
    viewed = x.reshape(sizes);
  } else if (x.dim() < y.dim()) {
    std::vector<int64_t> sizes(static_cast<size_t>(y.dim() - x.dim()), 1);
    for (const int64_t s : x.sizes()) sizes.push_back(s);
    viewed = x.reshape(sizes);
  }
  const int64_t n = viewed.size(dim);
  return viewed.slice(dim, 1, n) - viewed.slice(dim, 0, n > 0 ? n - 1 : 0);
}
/** The trapezoid family's checks of y and dim (PyTorch's messages); returns dim wrapped. */
template <class T>
int64_t trapezoid_dim(const Tensor<T>& y, int64_t dim, const char* op) {
  TS_CHECK(y.dim() > 0, op, ": Dimension specified as ", dim, " but tensor has no dimensions");
  dim = wrap_dim(dim, y.dim(), op);
  TS_CHECK((!std::is_same_v<T, bool>), op, ": received a bool input for `y`, but bool is not supported");
  return dim;
}
/** y's shape without dim, for an integral over no samples (0). */
template <class T>
Shape without_dim(const Tensor<T>& y, int64_t dim) {
  std::vector<int64_t> sizes;
  for (int64_t d = 0; d < y.dim(); ++d)
    if (d != dim) sizes.push_back(y.size(d));
  return Shape(sizes);
}
}  // namespace detail

/** torch.trapezoid(y, x, dim=-1): the integral of y over the sample points x along dim. */
template <class T, class X>
Tensor<floating_t<promote_t<T, X>>> trapezoid(const Tensor<T>& y, const Tensor<X>& x, int64_t dim = -1) {
  using R = floating_t<promote_t<T, X>>;
  dim = detail::trapezoid_dim(y, dim, "trapezoid");
  if (y.size(dim) == 0) return zeros<R>(detail::without_dim(y, dim), {.device = y.device()});
  const int64_t n = y.size(dim);
  const auto dx = detail::trapezoid_spacing(y, x, dim, "trapezoid");
  return ((dx * (y.slice(dim, 1, n) + y.slice(dim, 0, n - 1))).sum(dim) / 2.0).template to<R>();
}
/** torch.trapezoid(y, dx=1, dim=-1): samples spaced dx apart. */
template <class T>
Tensor<floating_t<T>> trapezoid(const Tensor<T>& y, double dx = 1, int64_t dim = -1) {
  using R = floating_t<T>;
  dim = detail::trapezoid_dim(y, dim, "trapezoid");
  if (y.size(dim) == 0) return zeros<R>(detail::without_dim(y, dim), {.device = y.device()});
  const int64_t n = y.size(dim);
  return ((y.sum(dim) - (y.select(dim, 0) + y.select(dim, n - 1)) * 0.5) * dx).template to<R>();
}
/** torch.trapz: trapezoid under its older name. */
template <class T, class X>
Tensor<floating_t<promote_t<T, X>>> trapz(const Tensor<T>& y, const Tensor<X>& x, int64_t dim = -1) {
  return trapezoid(y, x, dim);
}
template <class T>
Tensor<floating_t<T>> trapz(const Tensor<T>& y, double dx = 1, int64_t dim = -1) {
  return trapezoid(y, dx, dim);
}

/** torch.cumulative_trapezoid(y, x, dim=-1): the running integrals (one fewer than the samples). */
template <class T, class X>
Tensor<floating_t<promote_t<T, X>>> cumulative_trapezoid(const Tensor<T>& y, const Tensor<X>& x, int64_t dim = -1) {
  using R = floating_t<promote_t<T, X>>;
  dim = detail::trapezoid_dim(y, dim, "cumulative_trapezoid");
  const int64_t n = y.size(dim);
  const auto dx = detail::trapezoid_spacing(y, x, dim, "cumulative_trapezoid");
  const int64_t m = n > 0 ? n - 1 : 0;
  return (((y.slice(dim, 0, m) + y.slice(dim, n > 0 ? 1 : 0, n)) * dx).cumsum(dim) / 2.0).template to<R>();
}
/** torch.cumulative_trapezoid(y, dx=1, dim=-1). */
template <class T>
Tensor<floating_t<T>> cumulative_trapezoid(const Tensor<T>& y, double dx = 1, int64_t dim = -1) {
  using R = floating_t<T>;
  dim = detail::trapezoid_dim(y, dim, "cumulative_trapezoid");
  const int64_t n = y.size(dim), m = n > 0 ? n - 1 : 0;
  return ((y.slice(dim, 0, m) + y.slice(dim, n > 0 ? 1 : 0, n)).template to<R>() * static_cast<R>(dx / 2.0))
      .cumsum(dim)
      .template to<R>();
}

}  // namespace tessera
