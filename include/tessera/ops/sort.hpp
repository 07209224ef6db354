#pragma once
// Ordering and selection: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode along a
// dim; unique, unique_consecutive, bincount, histc, count_nonzero; searchsorted, bucketize.

#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>
#include <tuple>
#include <vector>

#include "../backend/cpu/sort.hpp"
#include "creation.hpp"
#include "index_update.hpp"
#include "indexing.hpp"
#include "join.hpp"
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
                          bool drop_dim = false, bool sorted = true) {
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
                         .indices = &indices.impl(), .dim = dim, .k = k, .descending = descending, .sorted = sorted},
                [&] { sort_rows<T>(sort_op_of(op), x.impl(), values.impl(), indices.impl(), dim, k, descending, sorted); });
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
 *  (largest first when `largest`). NaN counts as the largest. On the CPU, equal elements, and
 *  the order when `sorted` is false, come out as in PyTorch's CPU topk (Note [topk among equal
 *  elements]); on a GPU results are always sorted, equal elements first along the row first. */
template <class T>
ValuesIndices<T> topk(const Tensor<T>& x, int64_t k, int64_t dim = -1, bool largest = true, bool sorted = true) {
  detail::check_selection_dtype<T>("topk_cpu");
  dim = detail::wrap_dim(dim, x.dim(), "topk");
  const int64_t n = x.dim() == 0 ? 1 : x.sizes()[dim];
  TS_CHECK(k >= 0 && k <= n, "topk: selected index k out of range");
  const int64_t kept = x.dim() == 0 ? 1 : k;  // a 0-dim tensor is its own top element, for k 0 too
  return detail::record_selection(x, detail::run_sort(x, "topk", dim, kept, kept, largest, false, sorted), "TopkBackward0",
                                  dim, true);
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

// --- unique, unique_consecutive ----------------------------------------------------------------

// Note [unique's results]
// torch.unique returns one tensor or a tuple of two or three, by its flags. Here it always
// returns a UniqueResult: `values`, and `inverse` and `counts` as std::optional tensors that hold
// a value exactly when return_inverse and return_counts asked for them, so that
// `auto [values, inverse, counts] = ts::unique(x, true, true, true);` reads like the Python and
// using a result that was not asked for throws (std::bad_optional_access) instead of meaning
// something else.

/** What unique and unique_consecutive return (Note [unique's results]). */
template <class T>
struct UniqueResult {
  Tensor<T> values;
  std::optional<Tensor<int64_t>> inverse;
  std::optional<Tensor<int64_t>> counts;
};

namespace detail {

/** unique's results from slices already in order (`rows`: [n, m], one slice per row) and where
 *  each run of equal slices starts; `perm` maps row r back to its position in the input. */
template <class T>
UniqueResult<T> unique_from_runs(const Tensor<T>& rows, const Tensor<bool>& starts, const Tensor<int64_t>* perm,
                                 const Shape& inverse_shape, bool return_inverse, bool return_counts) {
  UniqueResult<T> r;
  const int64_t n = rows.sizes()[0];
  r.values = rows.index({starts});
  if (return_inverse) {
    Tensor<int64_t> group = starts.template to<int64_t>().cumsum(0) - int64_t{1};
    if (perm) group = zeros<int64_t>({n}, {.device = rows.device()}).scatter(0, *perm, group);
    r.inverse = group.reshape(inverse_shape);
  }
  if (return_counts) {
    const Tensor<int64_t> first = arange(n, {.device = rows.device()}).index({starts});
    r.counts = cat({first.slice(0, 1), full_impl<int64_t>({1}, n, {.device = rows.device()}, "unique")}) - first;
  }
  return r;
}

/** out[v - lo] = how often the integer value v occurs in x (or the sum of its weights), for
 *  values in [lo, lo + span). */
template <class R, class T>
Tensor<R> count_values(const Tensor<T>& x, int64_t lo, int64_t span, const Tensor<R>* weights) {
  const Tensor<T> values = x.contiguous();
  Tensor<R> w;
  if (weights) w = weights->contiguous();
  Tensor<R> out = zeros<R>({span}, {.device = x.device()});
  dispatch_plan(SortPlan{.op = "bincount", .out = &out.impl(), .fresh_out = true, .input = &values.impl(), .k = lo,
                         .other = weights ? &w.impl() : nullptr},
                [&] { bincount_into<T, R>(values.kernel_data(), values.numel(), lo, weights ? w.kernel_data() : nullptr,
                                          out.kernel_data()); });
  return out;
}

/** unique of integers in [lo, lo + span): their counts say which occur, in order. */
template <class T>
UniqueResult<T> unique_by_counts(const Tensor<T>& flat, int64_t lo, int64_t span, const Shape& inverse_shape,
                                 bool return_inverse, bool return_counts) {
  const Tensor<int64_t> counts = count_values<int64_t>(flat, lo, span, nullptr);
  const Tensor<bool> present = counts > int64_t{0};
  UniqueResult<T> r;
  r.values = (arange(span, {.device = flat.device()}) + lo).index({present}).template to<T>();
  if (return_inverse) {
    const Tensor<int64_t> offsets = flat.template to<int64_t>() - lo;
    r.inverse = (present.template to<int64_t>().cumsum(0) - int64_t{1}).index_select(0, offsets).reshape(inverse_shape);
  }
  if (return_counts) r.counts = counts.index({present});
  return r;
}

/** Where each run of equal rows of `rows` ([n, m]) starts (NaN equals nothing, as in PyTorch). */
template <class T>
Tensor<bool> run_starts(const Tensor<T>& rows) {
  const int64_t n = rows.sizes()[0];
  const Tensor<bool> first = ones<bool>({std::min<int64_t>(n, 1)}, {.device = rows.device()});
  if (n <= 1) return first;
  const Tensor<bool> differs = rows.slice(0, 1) != rows.slice(0, 0, n - 1);
  return cat({first, rows.dim() == 1 ? differs : differs.any(1)});
}

/** x with `dim` first, as [size(dim), rest] rows, and the shape the unique slices take. */
template <class T>
std::pair<Tensor<T>, Shape> slices_of(const Tensor<T>& x, int64_t dim) {
  Shape order;
  order.push_back(dim);
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != dim) order.push_back(d);
  const Tensor<T> moved = x.permute(order).contiguous();
  Shape rest = moved.sizes();
  return {moved.reshape({moved.sizes()[0], -1}), rest};
}

/** The unique slices' tensor [u, rest...] with `dim` put back in place. */
template <class T>
Tensor<T> slices_back(const Tensor<T>& values, Shape rest, int64_t dim) {
  rest[0] = values.sizes()[0];
  Shape inverse_order;
  for (int64_t d = 0; d < static_cast<int64_t>(rest.size()); ++d) inverse_order.push_back(d == dim ? 0 : d < dim ? d + 1 : d);
  return values.reshape(rest).permute(inverse_order).contiguous();
}

}  // namespace detail

/** torch.unique: the distinct elements in ascending order (NaNs each distinct, last), or with
 *  `dim` the distinct slices along it in lexicographic order; `inverse` and `counts` when asked
 *  for (Note [unique's results]). PyTorch's sorted=false gives an order that comes from a hash
 *  table; here the result is sorted either way. */
template <class T>
UniqueResult<T> unique(const Tensor<T>& x, bool sorted = true, bool return_inverse = false, bool return_counts = false,
                       std::optional<int64_t> dim = std::nullopt) {
  (void)sorted;
  if constexpr (std::is_same_v<T, half>) detail::throw_error("\"", dim ? "unique_dim" : "unique", "\" not implemented for 'Half'");
  NoGradGuard no_grad;
  if (!dim) {
    const Tensor<T> flat = x.reshape({-1});
    if constexpr (std::is_integral_v<T>) {
      // Integers spanning a short range: count each value (bincount) instead of sorting.
      if (flat.numel() > 0) {
        const int64_t lo = static_cast<int64_t>(flat.amin().item()), hi = static_cast<int64_t>(flat.amax().item());
        const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
        if (span < static_cast<uint64_t>(std::max<int64_t>(flat.numel(), int64_t{1} << 16)))
          return detail::unique_by_counts(flat, lo, static_cast<int64_t>(span) + 1, x.sizes(), return_inverse,
                                          return_counts);
      }
    }
    const auto [s, perm] = sort(flat, 0, false, true);
    return detail::unique_from_runs(s, detail::run_starts(s), &perm, x.sizes(), return_inverse, return_counts);
  }
  const int64_t d = detail::wrap_dim(*dim, x.dim(), "unique");
  auto [rows, rest] = detail::slices_of(x, d);
  // Lexicographic order of the rows: stable sorts by each column, last column first.
  Tensor<int64_t> perm = arange(rows.sizes()[0], {.device = x.device()});
  for (int64_t c = rows.dim() > 1 ? rows.sizes()[1] - 1 : -1; c >= 0; --c)
    perm = perm.index_select(0, rows.select(1, c).index_select(0, perm).argsort(0, false, true));
  const Tensor<T> ordered = rows.index_select(0, perm);
  UniqueResult<T> r = detail::unique_from_runs(ordered, detail::run_starts(ordered), &perm, Shape{rows.sizes()[0]},
                                               return_inverse, return_counts);
  r.values = detail::slices_back(r.values, rest, d);
  return r;
}

/** torch.unique_consecutive: the first of each run of equal consecutive elements (or slices
 *  along `dim`), with `inverse` and `counts` when asked for (Note [unique's results]). */
template <class T>
UniqueResult<T> unique_consecutive(const Tensor<T>& x, bool return_inverse = false, bool return_counts = false,
                                   std::optional<int64_t> dim = std::nullopt) {
  if constexpr (std::is_same_v<T, half>) detail::throw_error("\"", dim ? "unique_dim" : "unique", "\" not implemented for 'Half'");
  NoGradGuard no_grad;
  if (!dim) {
    const Tensor<T> flat = x.reshape({-1});
    return detail::unique_from_runs(flat, detail::run_starts(flat), nullptr, x.sizes(), return_inverse, return_counts);
  }
  const int64_t d = detail::wrap_dim(*dim, x.dim(), "unique_consecutive");
  auto [rows, rest] = detail::slices_of(x, d);
  UniqueResult<T> r = detail::unique_from_runs(rows, detail::run_starts(rows), nullptr, Shape{rows.sizes()[0]},
                                               return_inverse, return_counts);
  r.values = detail::slices_back(r.values, rest, d);
  return r;
}

template <class T>
UniqueResult<T> Tensor<T>::unique(bool sorted, bool return_inverse, bool return_counts, std::optional<int64_t> dim) const {
  return tessera::unique(*this, sorted, return_inverse, return_counts, dim);
}
template <class T>
UniqueResult<T> Tensor<T>::unique_consecutive(bool return_inverse, bool return_counts, std::optional<int64_t> dim) const {
  return tessera::unique_consecutive(*this, return_inverse, return_counts, dim);
}

// --- bincount, histc, count_nonzero ---------------------------------------------------------------

namespace detail {
template <class T>
void bincount_bins(const Tensor<T>& x, int64_t minlength, int64_t* bins) {
  if constexpr (!std::is_integral_v<T> || std::is_same_v<T, bool>) {
    throw_error("\"bincount_cpu\" not implemented for '", aten_type_name(dtype_of<T>), "'");
  } else {
    TS_CHECK(x.dim() == 1 && (x.numel() == 0 || x.amin().item() >= 0),
             "bincount only supports 1-d non-negative integral inputs.");
    TS_CHECK(minlength >= 0, "bincount: minlength should be >= 0");
    *bins = std::max<int64_t>(minlength, x.numel() == 0 ? 0 : static_cast<int64_t>(x.amax().item()) + 1);
  }
}
}  // namespace detail

/** torch.bincount: how often each value 0, 1, ..., max(x) occurs in the 1-D non-negative
 *  integral x (at least `minlength` bins). */
template <class T>
Tensor<int64_t> bincount(const Tensor<T>& x, std::nullopt_t = std::nullopt, int64_t minlength = 0) {
  NoGradGuard no_grad;
  int64_t bins = 0;
  detail::bincount_bins(x, minlength, &bins);
  return detail::count_values<int64_t>(x, 0, bins, nullptr);
}
/** torch.bincount(x, weights, minlength): the sum of the weights of each value; float32
 *  weights give float32, any other type float64, as PyTorch. */
template <class T, class W>
Tensor<std::conditional_t<std::is_same_v<W, float>, float, double>> bincount(const Tensor<T>& x, const Tensor<W>& weights,
                                                                             int64_t minlength = 0) {
  using R = std::conditional_t<std::is_same_v<W, float>, float, double>;
  NoGradGuard no_grad;
  int64_t bins = 0;
  detail::bincount_bins(x, minlength, &bins);
  TS_CHECK(weights.dim() == 1 && weights.numel() == x.numel(),
           "bincount: weights should be 1-d and have the same length as input");
  const Tensor<R> w = weights.template to<R>();
  return detail::count_values<R>(x, 0, bins, &w);
}

/** torch.histc: counts of x's elements in `bins` equal bins over [min, max] (over x's own range
 *  when min == max); elements outside it are not counted, NaNs count in bin 0 (as PyTorch 1.13
 *  on x86). float and double only, as PyTorch's CPU kernel. */
template <class T>
Tensor<T> histc(const Tensor<T>& x, int64_t bins = 100, double min = 0, double max = 0) {
  if constexpr (!is_floating_v<T> || std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) {
    detail::throw_error("\"histogram_cpu\" not implemented for '", detail::aten_type_name(dtype_of<T>), "'");
  } else {
    NoGradGuard no_grad;
    TS_CHECK(bins > 0, "torch.histogram(): bins must be > 0, but got ", bins, " for dimension 0");
    double lo = min, hi = max;
    if (lo == hi && x.numel() > 0) lo = static_cast<double>(x.amin().item()), hi = static_cast<double>(x.amax().item());
    if (lo == hi) lo -= 1, hi += 1;
    TS_CHECK(std::isfinite(lo) && std::isfinite(hi), "torch.histc: range of [", lo, ", ", hi, "] is not finite");
    TS_CHECK(lo < hi, "torch.histc: max must be larger than min");
    // PyTorch's bin of an element, in T: (x - left) * bins / (right - left), the last bin closed.
    const T left = static_cast<T>(lo), right = static_cast<T>(hi);
    const Tensor<T> flat = x.reshape({-1});
    // PyTorch 1.13 refuses elements outside [min, max] with two comparisons that a NaN passes;
    // its bin is then the int64 conversion of NaN, which lands in bin 0 on x86: so does it here.
    const Tensor<bool> nan = flat.isnan();
    const Tensor<bool> inside = ((flat >= left) && (flat <= right)) || nan;
    const Tensor<T> kept = flat.masked_fill(nan, left).index({inside});
    Tensor<int64_t> pos = ((kept - left) * static_cast<T>(bins) / static_cast<T>(right - left)).template to<int64_t>();
    pos = pos.clamp(std::nullopt, bins - 1);
    return detail::count_values<T>(pos, 0, bins, nullptr);
  }
}

// Note [histogram's bins]
// torch.histogram counts x's elements between the first and the last edge (the last bin closed)
// in the bin upper_bound finds among the edges: the same bin as PyTorch's linear guess corrected
// by a local search, since the guess is never more than one bin off. NaNs are not counted. Counts
// (or weights) add up in x's order, in x's dtype, as PyTorch's kernel. As in PyTorch, it is
// histogramdd of the points [numel, 1] (after its own checks, whose messages show those shapes).
namespace detail {
template <class T>
std::tuple<Tensor<T>, std::vector<Tensor<T>>> histogramdd_with_edges(const Tensor<T>& x, std::vector<Tensor<T>> edges,
                                                                     const Tensor<T>& weight, bool density);

template <class T>
std::tuple<Tensor<T>, Tensor<T>> histogram_with_edges(const Tensor<T>& x, const Tensor<T>& edges, const Tensor<T>& weight,
                                                      bool density) {
  if constexpr (!is_floating_v<T> || std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) {
    throw_error("\"histogramdd\" not implemented for '", aten_type_name(dtype_of<T>), "'");
  } else {
    NoGradGuard no_grad;
    const int64_t bins = edges.numel() - 1;
    TS_CHECK(edges.numel() > 0, "torch.histogramdd: bins tensor should have at least 1 element, but got 0 elements in the "
             "bins tensor for dimension 0");
    // PyTorch flattens x to [n, 1] and the weight to [numel], and compares those
    TS_CHECK(!weight.defined() || weight.numel() == x.numel(), "torch.histogramdd: if weight tensor is provided it "
             "should have the same shape as the input tensor excluding its innermost dimension, but got input with "
             "shape ", shape_str(Shape{x.numel(), 1}), " and weight with shape ", shape_str(Shape{weight.numel()}));
    TS_CHECK(bins > 0, "torch.histogram(): bins must be > 0, but got ", bins, " for dimension 0");
    check_same_device("histogram", x.device(), edges.device());
    return {std::get<0>(histogramdd_with_edges(x.reshape({-1, 1}), {edges}, weight, density)), edges};
  }
}
}  // namespace detail

/** torch.histogram: (hist, bin_edges) of x over `bins` equal bins between range's ends (x's
 *  minimum and maximum when no range is given, widened by 0.5 each way when equal; [0, 1] when
 *  x is empty), counting weight's elements instead of ones if given, and as a density (the
 *  integral over the range is 1) with `density` (Note [histogram's bins]). float and double, as
 *  PyTorch's CPU kernel. */
template <class T>
std::tuple<Tensor<T>, Tensor<T>> histogram(const Tensor<T>& x, int64_t bins = 100,
                                           std::optional<std::array<double, 2>> range = std::nullopt,
                                           const Tensor<T>& weight = {}, bool density = false) {
  if constexpr (!is_floating_v<T> || std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) {
    detail::throw_error("\"histogramdd\" not implemented for '", detail::aten_type_name(dtype_of<T>), "'");
  } else {
    TS_CHECK(bins > 0, "torch.histogram(): bins must be > 0, but got ", bins, " for dimension 0");
    double lo = 0, hi = 1;
    if (range) {
      lo = (*range)[0], hi = (*range)[1];
    } else if (x.numel() > 0) {
      NoGradGuard no_grad;
      lo = static_cast<double>(x.amin().item()), hi = static_cast<double>(x.amax().item());
    }
    TS_CHECK(std::isfinite(lo) && std::isfinite(hi), "torch.histogramdd: dimension 0's range [", lo, ", ", hi,
             "] is not finite");
    TS_CHECK(lo <= hi, "torch.histogramdd: min should not exceed max, but got min ", lo, " max ", hi, " for dimension 0");
    if (lo == hi) lo -= 0.5, hi += 0.5;
    return detail::histogram_with_edges(x, linspace<T>(lo, hi, bins + 1, {.device = x.device()}), weight, density);
  }
}
/** torch.histogram with the bins' edges given (one dimension, at least two edges). */
template <class T>
std::tuple<Tensor<T>, Tensor<T>> histogram(const Tensor<T>& x, const Tensor<T>& bins, const Tensor<T>& weight = {},
                                           bool density = false) {
  TS_CHECK(bins.dim() == 1, "torch.histogramdd: bins tensor should have one dimension, but got ", bins.dim(),
           " dimensions in the bins tensor for dimension 0");
  return detail::histogram_with_edges(x, bins.detach().clone(), weight, density);  // the edges are a copy, as PyTorch's
}

// Note [histogramdd]
// torch.histogramdd bins the rows of x [..., D] (its last dim holds a point's D coordinates) on a
// D-dimensional grid: along each dim the bin of a coordinate is found as histogram's (Note
// [histogram's bins]), a point outside any dim's edges (or with a NaN) is not counted, and the
// counts (or weights) add up in the points' order in x's dtype. A density divides by the total,
// then by each dim's bin widths, in PyTorch's order.
namespace detail {
template <class T>
std::tuple<Tensor<T>, std::vector<Tensor<T>>> histogramdd_with_edges(const Tensor<T>& x, std::vector<Tensor<T>> edges,
                                                                     const Tensor<T>& weight, bool density) {
  NoGradGuard no_grad;
  const int64_t dims = x.size(-1);
  const Tensor<T> points = x.reshape({-1, dims});
  TS_CHECK(!weight.defined() || weight.numel() == points.size(0), "torch.histogramdd: if weight tensor is provided it "
           "should have the same shape as the input tensor excluding its innermost dimension, but got input with shape ",
           shape_str(x.sizes()), " and weight with shape ", shape_str(weight.sizes()));
  Shape bins;
  Tensor<bool> inside;
  Tensor<int64_t> cell;
  for (int64_t d = 0; d < dims; ++d) {
    const Tensor<T>& e = edges[static_cast<size_t>(d)];
    const int64_t n = e.numel() - 1;
    check_same_device("histogramdd", x.device(), e.device());
    const Tensor<T> coordinate = points.select(1, d);
    const Tensor<bool> in = (coordinate >= e.narrow(0, 0, 1)) && (coordinate <= e.narrow(0, n, 1));
    const Tensor<int64_t> pos = (searchsorted(e, coordinate, false, true) - 1).clamp(0, n - 1);
    inside = d == 0 ? in : inside && in;
    cell = d == 0 ? pos : cell * n + pos;
    bins.push_back(n);
  }
  const Tensor<T> counted = weight.defined() ? weight.reshape({-1}) : ones<T>({points.size(0)}, {.device = x.device()});
  Tensor<T> hist = zeros<T>({checked_numel(bins, "histogramdd")}, {.device = x.device()})
                       .index_add(0, cell.masked_select(inside), counted.masked_select(inside))
                       .view(bins);
  if (density) {
    hist = hist / hist.sum();
    for (int64_t d = 0; d < dims; ++d) {
      const Tensor<T>& e = edges[static_cast<size_t>(d)];
      Shape along = Shape::filled(static_cast<size_t>(dims), 1);
      along[static_cast<size_t>(d)] = bins[static_cast<size_t>(d)];
      hist = hist / (e.narrow(0, 1, bins[static_cast<size_t>(d)]) - e.narrow(0, 0, bins[static_cast<size_t>(d)])).view(along);
    }
  }
  return {hist, std::move(edges)};
}

/** histogramdd's dtypes: float and double, as PyTorch's CPU kernel. */
template <class T>
inline constexpr bool histogramdd_type = std::is_same_v<T, float> || std::is_same_v<T, double>;

/** histogramdd's checks of x, in PyTorch's order. */
template <class T>
void check_histogramdd_input(const Tensor<T>& x) {
  TS_CHECK(x.dim() >= 2, "torch.histogramdd: input tensor should have at least 2 dimensions");
  if constexpr (!histogramdd_type<T>) throw_error("\"histogramdd\" not implemented for '", aten_type_name(dtype_of<T>), "'");
}
}  // namespace detail

/** torch.histogramdd: (hist, bin_edges) of the points x [..., D] on D dims of bins[d] equal bins
 *  between range's ends (range holds min and max for each dim; each dim's minimum and maximum
 *  when not given, widened by 0.5 each way when equal; [0, 1] when x has no point), counting
 *  weight's elements (x's shape without its last dim) instead of ones if given, and as a density
 *  with `density` (Note [histogramdd]). float and double, as PyTorch's CPU kernel. */
template <class T>
std::tuple<Tensor<T>, std::vector<Tensor<T>>> histogramdd(const Tensor<T>& x, std::vector<int64_t> bins,
                                                          std::optional<std::vector<double>> range = std::nullopt,
                                                          const Tensor<T>& weight = {}, bool density = false) {
  detail::check_histogramdd_input(x);
  if constexpr (!detail::histogramdd_type<T>) {
    return {};  // refused above
  } else {
    const int64_t dims = x.size(-1);
    bins.resize(static_cast<size_t>(dims), 0);  // missing counts are 0, refused below as PyTorch's
    TS_CHECK(!range || static_cast<int64_t>(range->size()) == 2 * dims, "torch.histogramdd: for a ", dims,
             "-dimensional histogram range should have ", 2 * dims, " elements, but got ", range ? range->size() : 0);
    std::vector<Tensor<T>> edges;
    const Tensor<T> points = x.reshape({-1, dims});
    for (int64_t d = 0; d < dims; ++d) {
      const size_t k = static_cast<size_t>(d);
      TS_CHECK(bins[k] > 0, "torch.histogram(): bins must be > 0, but got ", bins[k], " for dimension ", d);
      double lo = 0, hi = 1;
      if (range) {
        lo = (*range)[2 * k], hi = (*range)[2 * k + 1];
      } else if (points.size(0) > 0) {
        NoGradGuard no_grad;
        lo = static_cast<double>(points.select(1, d).amin().item()), hi = static_cast<double>(points.select(1, d).amax().item());
      }
      TS_CHECK(std::isfinite(lo) && std::isfinite(hi), "torch.histogramdd: dimension ", d, "'s range [", lo, ", ", hi,
               "] is not finite");
      TS_CHECK(lo <= hi, "torch.histogramdd: min should not exceed max, but got min ", lo, " max ", hi, " for dimension ", d);
      if (lo == hi) lo -= 0.5, hi += 0.5;
      edges.push_back(linspace<T>(lo, hi, bins[k] + 1, {.device = x.device()}));
    }
    return detail::histogramdd_with_edges(x, std::move(edges), weight, density);
  }
}
template <class T>
std::tuple<Tensor<T>, std::vector<Tensor<T>>> histogramdd(const Tensor<T>& x, int64_t bins,
                                                          std::optional<std::vector<double>> range = std::nullopt,
                                                          const Tensor<T>& weight = {}, bool density = false) {
  detail::check_histogramdd_input(x);
  return histogramdd(x, std::vector<int64_t>(static_cast<size_t>(x.size(-1)), bins), std::move(range), weight, density);
}
/** torch.histogramdd with each dim's edges given (one dimension, at least two edges each). */
template <class T>
std::tuple<Tensor<T>, std::vector<Tensor<T>>> histogramdd(const Tensor<T>& x, const std::vector<Tensor<T>>& bins,
                                                          const Tensor<T>& weight = {}, bool density = false) {
  detail::check_histogramdd_input(x);
  if constexpr (!detail::histogramdd_type<T>) {
    return {};  // refused above
  } else {
    TS_CHECK(static_cast<int64_t>(bins.size()) == x.size(-1), "torch.histogramdd: expected ", x.size(-1),
             " sequences of bin edges for a ", x.size(-1), "-dimensional histogram but got ", bins.size());
    std::vector<Tensor<T>> edges;
    for (size_t d = 0; d < bins.size(); ++d) {
      TS_CHECK(bins[d].dim() == 1, "torch.histogramdd: bins tensor should have one dimension, but got ", bins[d].dim(),
               " dimensions in the bins tensor for dimension ", d);
      TS_CHECK(bins[d].numel() > 1, "torch.histogram(): bins must be > 0, but got ", bins[d].numel() - 1, " for dimension ", d);
      edges.push_back(bins[d].detach().clone());  // a copy, as PyTorch's
    }
    return detail::histogramdd_with_edges(x, std::move(edges), weight, density);
  }
}

/** torch.count_nonzero over every element, one dim or several. */
template <class T>
Tensor<int64_t> count_nonzero(const Tensor<T>& x, const Shape& dims) {
  return (x != T(0)).sum(dims);
}
template <class T>
Tensor<int64_t> count_nonzero(const Tensor<T>& x, int64_t dim) {
  return count_nonzero(x, Shape{dim});
}
template <class T>
Tensor<int64_t> count_nonzero(const Tensor<T>& x) {
  return count_nonzero(x, Shape{});
}

template <class T>
Tensor<int64_t> Tensor<T>::bincount(std::nullopt_t, int64_t minlength) const {
  return tessera::bincount(*this, std::nullopt, minlength);
}
template <class T>
template <class W>
Tensor<std::conditional_t<std::is_same_v<W, float>, float, double>> Tensor<T>::bincount(const Tensor<W>& weights,
                                                                                        int64_t minlength) const {
  return tessera::bincount(*this, weights, minlength);
}
template <class T>
Tensor<T> Tensor<T>::histc(int64_t bins, double min, double max) const {
  return tessera::histc(*this, bins, min, max);
}
template <class T>
std::tuple<Tensor<T>, Tensor<T>> Tensor<T>::histogram(int64_t bins, std::optional<std::array<double, 2>> range,
                                                      const Tensor<T>& weight, bool density) const {
  return tessera::histogram(*this, bins, range, weight, density);
}
template <class T>
std::tuple<Tensor<T>, Tensor<T>> Tensor<T>::histogram(const Tensor<T>& bins, const Tensor<T>& weight, bool density) const {
  return tessera::histogram(*this, bins, weight, density);
}
template <class T>
Tensor<int64_t> Tensor<T>::count_nonzero() const {
  return tessera::count_nonzero(*this);
}
template <class T>
Tensor<int64_t> Tensor<T>::count_nonzero(int64_t dim) const {
  return tessera::count_nonzero(*this, dim);
}
template <class T>
Tensor<int64_t> Tensor<T>::count_nonzero(const Shape& dims) const {
  return tessera::count_nonzero(*this, dims);
}

// --- searchsorted, bucketize ---------------------------------------------------------------------

// Note [searchsorted's result type]
// torch.searchsorted(..., out_int32=True) returns int32, a choice made at run time; a C++ result
// type is fixed when compiling. So the type is a template argument, int64_t unless asked:
// ts::searchsorted<int32_t>(seq, values, true). out_int32 stays in its place and must agree with
// it, so that a call ported with out_int32 = true and no type fails instead of returning int64.

namespace detail {
template <class O, class T, class U>
Tensor<O> searchsorted_impl(const Tensor<T>& seq, const Tensor<U>& values, bool out_int32, bool right,
                            std::optional<std::string_view> side, const std::optional<Tensor<int64_t>>& sorter,
                            bool scalar_value, const char* op) {
  if constexpr (std::is_same_v<T, bool> || std::is_same_v<U, bool>)
    throw_error("\"searchsorted_out_cpu\" not implemented for 'Bool'");
  static_assert(std::is_same_v<O, int64_t> || std::is_same_v<O, int32_t>,
                "searchsorted: the result type is int64_t, or int32_t with out_int32");
  constexpr bool int32_result = std::is_same_v<O, int32_t>;
  TS_CHECK(out_int32 == int32_result, op, ": out_int32 = ", out_int32 ? "true" : "false",
           " needs the result type ", out_int32 ? "int32_t: ts::searchsorted<int32_t>(...)" : "int64_t",
           " (Note [searchsorted's result type])");
  if (side) {
    TS_CHECK(*side == "left" || *side == "right", "torch.searchsorted(): side can only be 'left' or 'right' but got ", *side);
    TS_CHECK(right == (*side == "right") || !right, "torch.searchsorted(): side and right can't be set to opposites, got side of ",
             *side, " while right was True");
    right = *side == "right";
  }
  if (scalar_value)
    TS_CHECK(seq.dim() == 1, "torch.searchsorted(): input value can be a scalar only when boundaries tensor dimension is 1, "
             "but we got boundaries tensor dim(", seq.dim(), ") and input value's dim(", values.dim(), ") numel(",
             values.numel(), ")");
  if (seq.dim() != 1) {
    bool match = seq.dim() == values.dim() && seq.dim() > 0;
    for (int64_t d = 0; match && d + 1 < seq.dim(); ++d) match = seq.sizes()[d] == values.sizes()[d];
    TS_CHECK(match, "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of "
             "boundaries tensor and input value tensor must match, but we got boundaries tensor ", shape_str(seq.sizes()),
             " and input value tensor ", shape_str(values.sizes()));
  }
  if (sorter) {
    TS_CHECK(sorter->sizes() == seq.sizes(), "torch.searchsorted(): boundary and sorter must have the same size, but got "
             "boundary tensor ", shape_str(seq.sizes()), "and got sorter tensor ", shape_str(sorter->sizes()));
  }
  using C = promote_t<T, U>;
  const Tensor<C> bd = seq.template to<C>().contiguous(), vals = values.template to<C>().contiguous();
  const int64_t m = seq.dim() == 0 ? 1 : seq.sizes()[seq.dim() - 1];
  const int64_t rows = m == 0 ? 0 : seq.numel() / m;
  Tensor<int64_t> order;
  if (sorter) {
    order = sorter->contiguous();
    check_index_on_device(order, 0, m, IndexCheck::Sorter, op, seq.dim() - 1);
  }
  Tensor<O> out = empty_tensor<O>(values.sizes(), {.device = values.device()}, op);
  dispatch_plan(SortPlan{.op = "searchsorted", .out = &out.impl(), .fresh_out = true, .input = &bd.impl(),
                         .other = &vals.impl(), .sorter = sorter ? &order.impl() : nullptr, .right = right},
                [&] {
                  searchsorted_into<C, O>(bd.kernel_data(), seq.dim() <= 1 ? 1 : rows, m,
                                          sorter ? order.kernel_data() : nullptr, vals.kernel_data(), vals.numel(),
                                          out.kernel_data(), right);
                });
  return out;
}
}  // namespace detail

/** torch.searchsorted: for each of `values`, the index where it would be inserted into the
 *  sorted innermost rows of `sorted_sequence` (before equal elements, after them with `right`
 *  or side "right"), read through `sorter` when given. int64 results, or int32 with
 *  searchsorted<int32_t>(..., true) (Note [searchsorted's result type]). */
template <class O = int64_t, class T, class U>
Tensor<O> searchsorted(const Tensor<T>& sorted_sequence, const Tensor<U>& values, bool out_int32 = false,
                       bool right = false, std::optional<std::string_view> side = std::nullopt,
                       const std::optional<Tensor<int64_t>>& sorter = std::nullopt) {
  return detail::searchsorted_impl<O>(sorted_sequence, values, out_int32, right, side, sorter, false, "searchsorted");
}
/** torch.searchsorted with a scalar value (1-D sorted_sequence): a 0-dim result. */
template <class O = int64_t, class T, Scalar S>
Tensor<O> searchsorted(const Tensor<T>& sorted_sequence, S value, bool out_int32 = false, bool right = false,
                       std::optional<std::string_view> side = std::nullopt,
                       const std::optional<Tensor<int64_t>>& sorter = std::nullopt) {
  using V = scalar_promote_t<T, S>;  // as PyTorch's wrapped number: 2.5 searches an integer sequence as float
  const Tensor<V> v = detail::full_impl<V>({}, static_cast<V>(value), {.device = sorted_sequence.device()}, "searchsorted");
  return detail::searchsorted_impl<O>(sorted_sequence, v, out_int32, right, side, sorter, true, "searchsorted");
}
/** torch.bucketize: the bucket of each element of x among the 1-D `boundaries`:
 *  searchsorted(boundaries, x, out_int32, right). */
template <class O = int64_t, class T, class U>
Tensor<O> bucketize(const Tensor<T>& x, const Tensor<U>& boundaries, bool out_int32 = false, bool right = false) {
  TS_CHECK(boundaries.dim() == 1, "bucketize: boundaries tensor must be 1 dimension, but got dim(", boundaries.dim(), ")");
  return detail::searchsorted_impl<O>(boundaries, x, out_int32, right, std::nullopt, std::nullopt, false, "bucketize");
}

}  // namespace tessera
