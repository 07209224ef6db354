#pragma once
// The cumulative family beside cumsum (ops/reduce.hpp): cumprod, cummax, cummin, logcumsumexp.
// Each is a row plan ("cumprod", "cummax", "cummin", "logcumsumexp") whose CPU kernel is in
// backend/cpu/rows.hpp; a GPU backend without a kernel of that name runs it on the host.

#include "../backend/cpu/rows.hpp"
#include "indexing.hpp"
#include "reduce.hpp"
#include "sort.hpp"

namespace tessera {

/** Running products along `dim` (torch.cumprod); integers give int64, floats accumulate in
 *  double, as cumsum. */
template <class T>
Tensor<sum_t<T>> cumprod(const Tensor<T>& x, int64_t dim) {
  using R = sum_t<T>;
  dim = detail::wrap_dim(dim, x.dim(), "cumprod");
  Tensor<R> out = detail::empty_like_preserving<R>(x.impl());
  detail::dispatch_plan(detail::RowPlan{.op = "cumprod", .out = &out.impl(), .fresh_out = true, .input = &x.impl(), .dim = dim},
                        [&] { detail::cumprod_rows<T, R>(x.impl(), out.impl(), dim); });
  return detail::record_reduction<detail::CumprodBackward0<T>>(x, out, x, out, dim);
}

namespace detail {
template <bool max, class T>
ValuesIndices<T> cumextreme(const Tensor<T>& x, int64_t dim, const char* op) {
  dim = wrap_dim(dim, x.dim(), op);
  Tensor<T> values = empty_like_preserving<T>(x.impl());
  Tensor<int64_t> indices = empty_like_preserving<int64_t>(x.impl());
  dispatch_plan(RowPlan{.op = op, .out = &values.impl(), .fresh_out = true, .input = &x.impl(), .dim = dim,
                        .indices = &indices.impl()},
                [&] { cumextreme_rows<max, T>(x.impl(), values.impl(), indices.impl(), dim); });
  // The values again as a gather of x: its gradient is PyTorch's (the gradient summed into the
  // positions of the running extremes).
  if constexpr (is_floating_v<T>)
    if (needs_grad(x)) values = x.gather(dim, indices);
  return {values, indices};
}
}  // namespace detail

/** torch.cummax(x, dim): the running maxima and their positions (the last of equal maxima; NaN
 *  propagates). */
template <class T>
ValuesIndices<T> cummax(const Tensor<T>& x, int64_t dim) {
  return detail::cumextreme<true>(x, dim, "cummax");
}
/** torch.cummin(x, dim): the running minima and their positions. */
template <class T>
ValuesIndices<T> cummin(const Tensor<T>& x, int64_t dim) {
  return detail::cumextreme<false>(x, dim, "cummin");
}

/** torch.logcumsumexp(x, dim): log(cumsum(exp(x))) computed without overflow; floating only. */
template <class T>
Tensor<T> logcumsumexp(const Tensor<T>& x, int64_t dim) {
  if constexpr (!is_floating_v<T>) {
    detail::throw_error("\"logcumsumexp_out_cpu\" not implemented for '", detail::aten_type_name(dtype_of<T>), "'");
  } else {
    dim = detail::wrap_dim(dim, x.dim(), "logcumsumexp");
    Tensor<T> out = detail::empty_like_preserving<T>(x.impl());
    detail::dispatch_plan(
        detail::RowPlan{.op = "logcumsumexp", .out = &out.impl(), .fresh_out = true, .input = &x.impl(), .dim = dim},
        [&] { detail::logcumsumexp_rows<T>(x.impl(), out.impl(), dim); });
    return detail::record_reduction<detail::LogcumsumexpBackward0<T>>(x, out, x, out, dim);
  }
}
template <class T>
Tensor<sum_t<T>> Tensor<T>::cumprod(int64_t dim) const { return tessera::cumprod(*this, dim); }
/** In place, in self's dtype. */
template <class T>
const Tensor<T>& Tensor<T>::cumprod_(int64_t dim) const {
  // The backward reads the input: a copy keeps it when self is overwritten.
  return copy_(tessera::cumprod(requires_grad() ? clone() : *this, dim));
}
template <class T>
ValuesIndices<T> Tensor<T>::cummax(int64_t dim) const { return tessera::cummax(*this, dim); }
template <class T>
ValuesIndices<T> Tensor<T>::cummin(int64_t dim) const { return tessera::cummin(*this, dim); }
template <class T>
Tensor<T> Tensor<T>::logcumsumexp(int64_t dim) const { return tessera::logcumsumexp(*this, dim); }

}  // namespace tessera
