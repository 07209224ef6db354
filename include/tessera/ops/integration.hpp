#pragma once
// Numerical calculus along dims: the trapezoidal rule (torch.trapezoid, trapz,
// cumulative_trapezoid) and finite differences (torch.gradient), with sample points or constant
// spacings, composed of views, elementwise ops and sums.

#include "elementwise.hpp"
#include "join.hpp"
#include "reduce.hpp"
#include "view.hpp"

#include <optional>
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

// --- gradient ------------------------------------------------------------------------------------

/** torch.gradient's result type: floating inputs keep theirs, integers give float. */
template <class T>
using gradient_t = scalar_promote_t<T, double>;

namespace detail {

/** torch.gradient's checks (pre_check_gradient, its messages) and the dims it differentiates:
 *  `dims`, or all of x's when none were given; `spacings` is the length of a list of spacings, 0
 *  for one number. */
template <class T>
std::vector<int64_t> gradient_dims(const Tensor<T>& x, const std::vector<int64_t>& dims, bool dims_given,
                                   size_t spacings, int64_t edge_order) {
  TS_CHECK((!std::is_same_v<T, uint8_t>), "gradient: torch.gradient does not support uint8 input.");
  if (!dims_given)
    TS_CHECK(spacings <= 1 || static_cast<int64_t>(spacings) == x.dim(), "gradient: torch.gradient expected spacing to be "
             "unspecified, a scalar or a list of length ", x.dim(), " but got a list of length ", spacings);
  else
    TS_CHECK(spacings == 0 || spacings == dims.size(), "gradient: torch.gradient expected spacing to be unspecified, a "
             "scalar or it's spacing and dim arguments to have the same length, but got a spacing argument of length ",
             spacings, " and a dim argument of length ", dims.size(), ".");
  TS_CHECK(edge_order == 1 || edge_order == 2, "gradient: torch.gradient only supports edge_order=1 and edge_order=2.");
  std::vector<int64_t> out;
  std::vector<bool> seen(static_cast<size_t>(x.dim()), false);
  for (int64_t d = 0; d < (dims_given ? static_cast<int64_t>(dims.size()) : x.dim()); ++d) {
    const int64_t w = dims_given ? wrap_dim(dims[static_cast<size_t>(d)], x.dim(), "gradient") : d;
    TS_CHECK(!seen[static_cast<size_t>(w)], "gradient: dim ", w, " appears multiple times in the list of dims");
    seen[static_cast<size_t>(w)] = true;
    out.push_back(w);
  }
  for (const int64_t d : out)
    TS_CHECK(x.size(d) >= edge_order + 1, "gradient: torch.gradient expected each dimension size to be at least edge_order+1");
  return out;
}

/** The slice [from, to) of x along d (negative ends count from the end, as Python's). */
template <class T>
Tensor<T> along(const Tensor<T>& x, int64_t d, int64_t from, int64_t to) {
  const int64_t n = x.size(d);
  return x.slice(d, from < 0 ? from + n : from, to <= 0 ? to + n : to);
}

/** The derivative along d with a constant spacing h, in PyTorch's order of operations. */
template <class T>
Tensor<gradient_t<T>> gradient_uniform(const Tensor<T>& x, int64_t d, double h, int64_t edge_order) {
  const Tensor<gradient_t<T>> center = (along(x, d, 2, 0) - along(x, d, 0, -2)) / h;
  Tensor<gradient_t<T>> prepend, append;
  if (edge_order == 1) {
    prepend = (along(x, d, 1, 2) - along(x, d, 0, 1)) / h;
    append = (along(x, d, -1, 0) - along(x, d, -2, -1)) / h;
  } else {
    prepend = (-1.5 * along(x, d, 0, 1) + 2 * along(x, d, 1, 2) - 0.5 * along(x, d, 2, 3)) / h;
    append = (0.5 * along(x, d, -3, -2) - 2 * along(x, d, -2, -1) + 1.5 * along(x, d, -1, 0)) / h;
  }
  return cat(std::vector<Tensor<gradient_t<T>>>{prepend, center / 2, append}, d);
}

/** The derivative along d at the sample coordinates c (1-D, one per sample), in PyTorch's order. */
template <class T, class C>
auto gradient_coordinates(const Tensor<T>& x, int64_t d, const Tensor<C>& c, int64_t edge_order) {
  TS_CHECK(c.dim() == 1, "gradient: torch.gradient expected each element of spacing to have one dimension, but got an "
           "element with ", c.dim(), " dimensions!");
  TS_CHECK(c.size(0) == x.size(d), "gradient: torch.gradient expected each tensor of spacing to hold one coordinate per "
           "element of its dim (", x.size(d), "), but got ", c.size(0));
  std::vector<int64_t> shape(static_cast<size_t>(x.dim()), 1);
  shape[static_cast<size_t>(d)] = -1;
  const auto dx = c.diff();
  const auto dx1 = along(dx, 0, 0, -1), dx2 = along(dx, 0, 1, 0);
  const auto a = (-dx2 / (dx1 * (dx1 + dx2))).reshape(shape);
  const auto b = ((dx2 - dx1) / (dx1 * dx2)).reshape(shape);
  const auto cc = (dx1 / (dx2 * (dx1 + dx2))).reshape(shape);
  const auto center = a * along(x, d, 0, -2) + b * along(x, d, 1, -1) + cc * along(x, d, 2, 0);
  using R = typename decltype(center)::value_type;
  Tensor<R> prepend, append;
  const int64_t n = dx.size(0);
  const auto h = [&](int64_t i) { return dx.narrow(0, i < 0 ? i + n : i, 1); };
  if (edge_order == 1) {
    prepend = (along(x, d, 1, 2) - along(x, d, 0, 1)) / h(0);
    append = (along(x, d, -1, 0) - along(x, d, -2, -1)) / h(-1);
  } else {
    const auto p0 = -(2.0 * h(0) + h(1)) / (h(0) * (h(0) + h(1))), p1 = (h(0) + h(1)) / (h(0) * h(1)),
               p2 = (-h(0)) / (h(1) * (h(0) + h(1)));
    prepend = p0 * along(x, d, 0, 1) + p1 * along(x, d, 1, 2) + p2 * along(x, d, 2, 3);
    const auto q0 = h(-1) / (h(-2) * (h(-1) + h(-2))), q1 = -(h(-1) + h(-2)) / (h(-1) * h(-2)),
               q2 = (2 * h(-1) + h(-2)) / (h(-1) * (h(-1) + h(-2)));
    append = q0 * along(x, d, -3, -2) + q1 * along(x, d, -2, -1) + q2 * along(x, d, -1, 0);
  }
  return cat(std::vector<Tensor<R>>{prepend, center, append}, d);
}

}  // namespace detail

namespace detail {
/** torch.gradient with constant spacings: one number (`scalar`) or one per dim. */
template <class T>
std::vector<Tensor<gradient_t<T>>> gradient_spaced(const Tensor<T>& x, const std::vector<double>& spacing, bool scalar,
                                                   const std::vector<int64_t>& dim, bool dims_given, int64_t edge_order) {
  const auto dims = gradient_dims(x, dim, dims_given, scalar ? 0 : spacing.size(), edge_order);
  std::vector<Tensor<gradient_t<T>>> out;
  for (size_t i = 0; i < dims.size(); ++i)
    out.push_back(gradient_uniform(x, dims[i], spacing.size() == 1 ? spacing[0] : spacing[i], edge_order));
  return out;
}
/** torch.gradient with the samples' coordinates along each dim. */
template <class T, class C>
auto gradient_at(const Tensor<T>& x, const std::vector<Tensor<C>>& coordinates, const std::vector<int64_t>& dim,
                 bool dims_given, int64_t edge_order) {
  const auto dims = gradient_dims(x, dim, dims_given, coordinates.size(), edge_order);
  std::vector<Tensor<floating_t<promote_t<T, C>>>> out;
  for (size_t i = 0; i < dims.size(); ++i)
    out.push_back(gradient_coordinates(x, dims[i], coordinates[coordinates.size() == 1 ? 0 : i], edge_order));
  return out;
}
inline std::vector<int64_t> optional_dim(std::optional<int64_t> dim) {
  return dim ? std::vector<int64_t>{*dim} : std::vector<int64_t>{};
}
}  // namespace detail

/** torch.gradient(x, spacing=h, dim=None, edge_order=1): the derivative of the samples x along each
 *  dim (every dim, or `dim`: one or a list), by central differences inside and one-sided
 *  differences of order edge_order (1 or 2) at the ends; the samples h apart (a list: one spacing
 *  per dim), or at the coordinates of 1-D tensors (one per dim). */
template <class T>
std::vector<Tensor<gradient_t<T>>> gradient(const Tensor<T>& x, double spacing = 1.0,
                                            std::optional<int64_t> dim = std::nullopt, int64_t edge_order = 1) {
  return detail::gradient_spaced(x, {spacing}, true, detail::optional_dim(dim), dim.has_value(), edge_order);
}
template <class T>
std::vector<Tensor<gradient_t<T>>> gradient(const Tensor<T>& x, double spacing, const std::vector<int64_t>& dim,
                                            int64_t edge_order = 1) {
  return detail::gradient_spaced(x, {spacing}, true, dim, true, edge_order);
}
template <class T>
std::vector<Tensor<gradient_t<T>>> gradient(const Tensor<T>& x, const std::vector<double>& spacing,
                                            std::optional<int64_t> dim = std::nullopt, int64_t edge_order = 1) {
  return detail::gradient_spaced(x, spacing, false, detail::optional_dim(dim), dim.has_value(), edge_order);
}
template <class T>
std::vector<Tensor<gradient_t<T>>> gradient(const Tensor<T>& x, const std::vector<double>& spacing,
                                            const std::vector<int64_t>& dim, int64_t edge_order = 1) {
  return detail::gradient_spaced(x, spacing, false, dim, true, edge_order);
}
template <class T, class C>
std::vector<Tensor<floating_t<promote_t<T, C>>>> gradient(const Tensor<T>& x, const std::vector<Tensor<C>>& coordinates,
                                                          std::optional<int64_t> dim = std::nullopt, int64_t edge_order = 1) {
  return detail::gradient_at(x, coordinates, detail::optional_dim(dim), dim.has_value(), edge_order);
}
template <class T, class C>
std::vector<Tensor<floating_t<promote_t<T, C>>>> gradient(const Tensor<T>& x, const std::vector<Tensor<C>>& coordinates,
                                                          const std::vector<int64_t>& dim, int64_t edge_order = 1) {
  return detail::gradient_at(x, coordinates, dim, true, edge_order);
}

}  // namespace tessera
