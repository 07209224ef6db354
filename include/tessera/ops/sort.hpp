#pragma once
// Ordering and selection along a dim: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode.

#include <cmath>
#include <limits>

#include "../backend/cpu/sort.hpp"
#include "reduce.hpp"

namespace tessera {

/** (values, indices): PyTorch's torch.return_types.sort, topk, kthvalue, median, nanmedian and
 *  mode. Fields by name (`r.values`, `r.indices`) or by position (`auto [v, i] = x.sort();`). */
template <class T>
struct ValuesIndices {
  Tensor<T> values;
  Tensor<int64_t> indices;
};

namespace detail {

/** PyTorch 1.13's CPU kernels of topk, kthvalue and median have no bool and no half variant. */
template <class T>
void check_selection_dtype(const char* kernel) {
  if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, half>)
    throw_error('"', kernel, "\" not implemented for '", std::is_same_v<T, bool> ? "Bool" : "Half", "'");
}

/** Runs the sort family's `op` along `dim` of x: values and indices of x's shape with `dim` of
 *  size `len` (dropped when `drop_dim`: the reductions without keepdim). */
template <class T>
ValuesIndices<T> run_sort(const Tensor<T>& x, const char* op, int64_t dim, int64_t len, int64_t k, bool descending,
                          bool drop_dim = false) {
  const int64_t n = x.dim() == 0 ? 1 : x.sizes()[dim];
  TS_CHECK(n <= int64_t{0xFFFFFFFF}, op, ": rows of 2^32 elements or more are not supported (dim ", dim, " of ",
           shape_str(x.sizes()), ")");
  Shape shape = x.sizes();
  if (x.dim() > 0) shape[dim] = len;
  Shape out_shape = shape;
  if (drop_dim && x.dim() > 0) out_shape.erase(static_cast<size_t>(dim));
  ValuesIndices<T> r{empty_tensor<T>(out_shape, {.device = x.device()}, op),
                     empty_tensor<int64_t>(out_shape, {.device = x.device()}, op)};
  // The kernel sees the dim as kept (size 1) in the outputs of a reduction without keepdim.
  const Tensor<T> values = out_shape.size() == shape.size() ? r.values : r.values.unsqueeze(dim);
  const Tensor<int64_t> indices = out_shape.size() == shape.size() ? r.indices : r.indices.unsqueeze(dim);
  dispatch_plan(SortPlan{.op = op, .out = &values.impl(), .fresh_out = true, .input = &x.impl(),
                         .indices = &indices.impl(), .dim = dim, .k = k, .descending = descending},
                [&] { sort_rows<T>(sort_op_of(op), x.impl(), values.impl(), indices.impl(), dim, k, descending); });
  return r;
}

/** Records the gradient of a selection: each value's gradient goes back to its position. */
template <class T>
ValuesIndices<T> record_selection(const Tensor<T>& x, ValuesIndices<T> r, const char* node, int64_t dim, bool keepdim) {
  record_reduction<ValueSelectingBackward<T>>(x, r.values, node, x.sizes(), dim, keepdim, r.indices);
  return r;
}

/** A reduction of the sort family (kthvalue, median, mode) along `dim`. */
template <class T>
ValuesIndices<T> select_along(const Tensor<T>& x, const char* op, const char* node, int64_t dim, int64_t k,
                              bool keepdim) {
  const int64_t n = x.dim() == 0 ? 1 : x.sizes()[dim];
  TS_CHECK(x.numel() > 0 || n > 0, op, "(): Expected reduction dim ", dim, " to have non-zero size.");
  return record_selection(x, run_sort(x, op, dim, 1, k, false, !keepdim), node, dim, keepdim);
}

/** median() and nanmedian() of every element: 0-dim, NaN when x is empty (converted to an
 *  integral type as PyTorch's x86 build does: the lowest int32 or int64, else 0). */
template <class T>
Tensor<T> median_all(const Tensor<T>& x, const char* op, const char* node) {
  check_selection_dtype<T>("median_cpu");
  Tensor<T> out;
  {
    NoGradGuard no_grad;
    if (x.numel() == 0) {
      T nan_value{};
      if constexpr (is_floating_v<T>) nan_value = std::numeric_limits<float>::quiet_NaN();
      else if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>) nan_value = std::numeric_limits<T>::min();
      out = full_impl<T>({}, nan_value, {.device = x.device()}, op);
    } else {
      out = run_sort(x.reshape({-1}), op, 0, 1, 0, false, true).values;
    }
  }
  return record_reduction<EvenlyDistributeBackward<T>>(x, out, x, out, node);
}

}  // namespace detail

/** torch.sort: (values, indices) along `dim`, ascending unless `descending`. NaN is larger than
 *  every number (last ascending, first descending). Equal elements keep their order whether or
 *  not `stable` is asked for (Note [Sort keys]). */
template <class T>
ValuesIndices<T> sort(const Tensor<T>& x, int64_t dim = -1, bool descending = false, bool stable = false) {
  (void)stable;  // every sort is stable
  dim = detail::wrap_dim(dim, x.dim(), "sort");
  const int64_t n = x.dim() == 0 ? 1 : x.sizes()[dim];
  return detail::record_selection(x, detail::run_sort(x, "sort", dim, n, 0, descending), "SortBackward0", dim, true);
}
/** torch.argsort: the indices of sort(x, dim, descending, stable). */
template <class T>
Tensor<int64_t> argsort(const Tensor<T>& x, int64_t dim = -1, bool descending = false, bool stable = false) {
  NoGradGuard no_grad;
  return sort(x, dim, descending, stable).indices;
}
/** torch.msort: the values of sort(x, 0). */
template <class T>
Tensor<T> msort(const Tensor<T>& x) {
  return sort(x, 0).values;
}

/** torch.topk: the k largest (or smallest) elements along `dim` and their indices, in order
 *  (largest first when `largest`). NaN counts as the largest. Results are always sorted, also
 *  when `sorted` is false (PyTorch's order is unspecified there); among equal elements the
 *  first along the row comes first. */
template <class T>
ValuesIndices<T> topk(const Tensor<T>& x, int64_t k, int64_t dim = -1, bool largest = true, bool sorted = true) {
  (void)sorted;
  detail::check_selection_dtype<T>("topk_cpu");
  dim = detail::wrap_dim(dim, x.dim(), "topk");
  const int64_t n = x.dim() == 0 ? 1 : x.sizes()[dim];
  TS_CHECK(k >= 0 && k <= n, "topk: selected index k out of range");
  return detail::record_selection(x, detail::run_sort(x, "topk", dim, k, k, largest), "TopkBackward0", dim, true);
}

/** torch.kthvalue: the k-th smallest element along `dim` (k from 1) and its index; among equal
 *  elements, the one whose rank in a stable sort is k. */
template <class T>
ValuesIndices<T> kthvalue(const Tensor<T>& x, int64_t k, int64_t dim = -1, bool keepdim = false) {
  detail::check_selection_dtype<T>("kthvalue_cpu");
  dim = detail::wrap_dim(dim, x.dim(), "kthvalue");
  const int64_t n = x.dim() == 0 ? 1 : x.sizes()[dim];
  TS_CHECK(x.numel() > 0 || n > 0, "kthvalue(): Expected reduction dim ", dim, " to have non-zero size.");
  TS_CHECK(k >= 1 && k <= n, "kthvalue(): selected number k out of range for dimension ", dim);
  return detail::select_along(x, "kthvalue", "KthvalueBackward0", dim, k, keepdim);
}

/** torch.median: the lower median of every element (0-dim), NaN if any element is NaN. */
template <class T>
Tensor<T> median(const Tensor<T>& x) {
  return detail::median_all(x, "median", "MedianBackward0");
}
/** torch.median(dim, keepdim): the lower median along `dim` and its index; NaN and the index of
 *  the first NaN where a row has one. */
template <class T>
ValuesIndices<T> median(const Tensor<T>& x, int64_t dim, bool keepdim = false) {
  detail::check_selection_dtype<T>("median_out");
  dim = detail::wrap_dim(dim, x.dim(), "median");
  return detail::select_along(x, "median", "MedianBackward1", dim, 0, keepdim);
}
/** torch.nanmedian: the lower median of the elements that are not NaN (NaN if all are). */
template <class T>
Tensor<T> nanmedian(const Tensor<T>& x) {
  return detail::median_all(x, "nanmedian", "NanmedianBackward0");
}
template <class T>
ValuesIndices<T> nanmedian(const Tensor<T>& x, int64_t dim, bool keepdim = false) {
  detail::check_selection_dtype<T>("median_out");
  dim = detail::wrap_dim(dim, x.dim(), "nanmedian");
  return detail::select_along(x, "nanmedian", "NanmedianBackward1", dim, 0, keepdim);
}

/** torch.mode: the most frequent value along `dim` (the smallest of those equally frequent) and
 *  the last index where it occurs (Note [Sort keys]: PyTorch's index for more than 16 elements
 *  comes from an unstable sort). */
template <class T>
ValuesIndices<T> mode(const Tensor<T>& x, int64_t dim = -1, bool keepdim = false) {
  dim = detail::wrap_dim(dim, x.dim(), "mode");
  return detail::select_along(x, "mode", "ModeBackward0", dim, 0, keepdim);
}

template <class T>
ValuesIndices<T> Tensor<T>::sort(int64_t dim, bool descending, bool stable) const {
  return tessera::sort(*this, dim, descending, stable);
}
template <class T>
Tensor<int64_t> Tensor<T>::argsort(int64_t dim, bool descending, bool stable) const {
  return tessera::argsort(*this, dim, descending, stable);
}
template <class T>
Tensor<T> Tensor<T>::msort() const {
  return tessera::msort(*this);
}
template <class T>
ValuesIndices<T> Tensor<T>::topk(int64_t k, int64_t dim, bool largest, bool sorted) const {
  return tessera::topk(*this, k, dim, largest, sorted);
}
template <class T>
ValuesIndices<T> Tensor<T>::kthvalue(int64_t k, int64_t dim, bool keepdim) const {
  return tessera::kthvalue(*this, k, dim, keepdim);
}
template <class T>
Tensor<T> Tensor<T>::median() const {
  return tessera::median(*this);
}
template <class T>
ValuesIndices<T> Tensor<T>::median(int64_t dim, bool keepdim) const {
  return tessera::median(*this, dim, keepdim);
}
template <class T>
Tensor<T> Tensor<T>::nanmedian() const {
  return tessera::nanmedian(*this);
}
template <class T>
ValuesIndices<T> Tensor<T>::nanmedian(int64_t dim, bool keepdim) const {
  return tessera::nanmedian(*this, dim, keepdim);
}
template <class T>
ValuesIndices<T> Tensor<T>::mode(int64_t dim, bool keepdim) const {
  return tessera::mode(*this, dim, keepdim);
}

}  // namespace tessera
