#pragma once
// Updates at index positions, as PyTorch's: scatter_reduce (sum, prod, mean, amax, amin, with or
// without self), scatter with reduce "add"/"multiply", index_add, index_copy and index_fill. They
// run on the index family's plans: scatter's for sums, index_put's for whole slices, and one
// kernel of their own ("scatter_reduce") for products, maxima and minima.

#include <string_view>

#include "creation.hpp"
#include "elementwise.hpp"
#include "indexing.hpp"
#include "view.hpp"

namespace tessera {
namespace detail {

/** The reduction scatter_reduce names, checked with PyTorch's message. */
inline void check_scatter_reduce(std::string_view reduce, const char* op) {
  TS_CHECK(reduce == "sum" || reduce == "prod" || reduce == "mean" || reduce == "amax" || reduce == "amin", op,
           ": reduce argument must be either sum, prod, mean, amax or amin.");
}

/** scatter_reduce's checks of index against self and src (PyTorch's message). */
template <class T>
void check_scatter_shapes(const Tensor<T>& x, const Tensor<int64_t>& index, const Tensor<T>& src, int64_t dim,
                          const char* op) {
  check_same_device(op, x.device(), index.device());
  check_same_device(op, x.device(), src.device());
  TS_CHECK(index.dim() == x.dim() || (x.dim() == 0 && index.dim() <= 1), op,
           ": Index tensor must have the same number of dimensions as self tensor");
  TS_CHECK(index.dim() == src.dim() || (src.dim() == 0 && index.dim() <= 1), op,
           ": Index tensor must have the same number of dimensions as src tensor");
  if (index.numel() == 0) return;  // PyTorch checks no sizes against an empty index
  bool fits = true;
  for (int64_t d = 0; d < index.dim(); ++d) {
    if (d < src.dim()) fits &= index.sizes()[d] <= src.sizes()[d];
    if (d != dim && d < x.dim()) fits &= index.sizes()[d] <= x.sizes()[d];
  }
  TS_CHECK(fits, op, ": Expected index ", shape_str(index.sizes()), " to be smaller than self ", shape_str(x.sizes()),
           " apart from dimension ", dim, " and to be smaller size than src ", shape_str(src.sizes()));
}

/** x[.. index[c] ..] = reduce(x[..], src[c]) for reduce "sum", "prod", "amax" or "amin"; not recorded. */
template <class T>
void scatter_reduce_into(const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index_in, const Tensor<T>& src,
                         const char* reduce, const char* op) {
  if (std::string_view(reduce) == "sum") return scatter_into(x, dim, index_in, src, true, op);
  const Tensor<int64_t> index = index_in.contiguous();
  dispatch_plan(IndexPlan{.op = "scatter_reduce", .out = &x.impl(), .input = &src.impl(), .index = &index.impl(),
                          .dim = dim, .what = op, .reduce = reduce},
                [&] { scatter_reduce_dim<T>(x.impl(), src.impl(), index.kernel_data(), index.sizes(), dim, reduce, op); });
}

/** The value scatter_reduce starts from where include_self is false. */
template <class T>
T scatter_reduce_identity(std::string_view reduce) {
  if (reduce == "prod") return T(1);
  if (reduce == "amax")
    return std::numeric_limits<T>::has_infinity ? T(-std::numeric_limits<T>::infinity()) : std::numeric_limits<T>::lowest();
  if (reduce == "amin")
    return std::numeric_limits<T>::has_infinity ? T(std::numeric_limits<T>::infinity()) : std::numeric_limits<T>::max();
  return T(0);
}

/** scatter_reduce_ on self, not recorded. */
template <class T>
void scatter_reduce_impl(const Tensor<T>& self, int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& src,
                         std::string_view reduce, bool include_self) {
  NoGradGuard no_grad;
  const bool mean = reduce == "mean";
  Tensor<T> count;  // mean: how many values each position averages
  if (mean) {
    count = include_self ? ones_like(self) : zeros_like(self);
    scatter_into(count, dim, index, ones<T>(index.sizes(), {.device = self.device()}), true, "scatter_reduce_");
  }
  if (!include_self) self.scatter_(dim, index, scatter_reduce_identity<T>(reduce));
  const char* kind = mean || reduce == "sum" ? "sum" : reduce == "prod" ? "prod" : reduce == "amax" ? "amax" : "amin";
  scatter_reduce_into(self, dim, index, src, kind, "scatter_reduce_");
  if (mean) {
    count.masked_fill_(count == T(0), 1);
    // PyTorch rounds an integral mean down (div_ with rounding_mode "floor").
    if constexpr (is_floating_v<T>) self.div_(count);
    else self.floor_divide_(count);
  }
}

}  // namespace detail

template <class T>
const Tensor<T>& Tensor<T>::scatter_reduce_(int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& src,
                                            std::string_view reduce, bool include_self) const {
  dim = detail::wrap_dim(dim, this->dim(), "scatter_reduce_");
  detail::check_no_internal_overlap("scatter_reduce_", impl());
  detail::check_scatter_reduce(reduce, "scatter_reduce_");
  if constexpr (std::is_same_v<T, bool>)
    if (reduce == "mean") detail::throw_error("scatter_reduce_: \"scatter_gather_tensor_cpu_reduce_mean\" not implemented for 'Bool'");
  detail::check_scatter_shapes(*this, index, src, dim, "scatter_reduce_");
  std::shared_ptr<detail::Node> node;
  Tensor<T> original;
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(*this, src)) {
      original = detail::saved_copy(*this);
      node = detail::begin_inplace<detail::ScatterReduceBackward0<T>>(*this, {*this, src}, dim, index, original, src,
                                                                     std::string(reduce), include_self);
    }
  detail::scatter_reduce_impl(*this, dim, index, src, reduce, include_self);
  if constexpr (is_floating_v<T>)
    if (node) {
      static_cast<detail::ScatterReduceBackward0<T>&>(*node).result = detail::saved_copy(*this);
      detail::finish_inplace(*this, node);
    }
  return *this;
}
template <class T>
Tensor<T> Tensor<T>::scatter_reduce(int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& src,
                                    std::string_view reduce, bool include_self) const {
  detail::check_scatter_reduce(reduce, "scatter_reduce");
  Tensor<T> out = clone();
  out.scatter_reduce_(dim, index, src, reduce, include_self);
  return out;
}
/** torch.scatter_reduce(x, dim, index, src, reduce, include_self=True). */
template <class T>
Tensor<T> scatter_reduce(const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& src,
                         std::string_view reduce, bool include_self = true) {
  return x.scatter_reduce(dim, index, src, reduce, include_self);
}

// --- scatter_add ------------------------------------------------------------------------------

/** self[index[i][j]][j] += src[i][j] (for dim 0), in place; src has self's type, as PyTorch requires. */
template <class T>
const Tensor<T>& Tensor<T>::scatter_add_(int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& src) const {
  dim = detail::wrap_dim(dim, this->dim(), "scatter_add_");
  detail::check_no_internal_overlap("scatter_add_", impl());
  detail::check_scatter_shapes(*this, index, src, dim, "scatter_add_");
  std::shared_ptr<detail::Node> node;
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(*this, src))
      node = detail::begin_inplace<detail::ScatterAddBackward0<T>>(*this, {*this, src}, dim, index, src.sizes());
  detail::scatter_into(*this, dim, index, src, true, "scatter_add_");
  if (node) detail::finish_inplace(*this, node);
  return *this;
}
template <class T>
Tensor<T> Tensor<T>::scatter_add(int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& src) const {
  Tensor<T> out = clone();
  out.scatter_add_(dim, index, src);
  return out;
}
/** torch.scatter_add(x, dim, index, src): a copy of x with src summed in at index along dim. */
template <class T>
Tensor<T> scatter_add(const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& src) {
  return x.scatter_add(dim, index, src);
}

// --- scatter with reduce "add" or "multiply" ------------------------------------------------------

namespace detail {
inline const char* scatter_reduce_kind(std::string_view reduce, const char* op) {
  TS_CHECK(reduce == "add" || reduce == "multiply", op, ": reduce argument must be either add or multiply.");
  return reduce == "add" ? "sum" : "prod";
}
}  // namespace detail

template <class T>
const Tensor<T>& Tensor<T>::scatter_(int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& src,
                                     std::string_view reduce) const {
  dim = detail::wrap_dim(dim, this->dim(), "scatter_");
  const char* kind = detail::scatter_reduce_kind(reduce, "scatter_");
  detail::check_scatter_shapes(*this, index, src, dim, "scatter_");
  // PyTorch 1.13 records scatter with reduce but has no derivative for it.
  std::shared_ptr<detail::Node> node;
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(*this, src))
      node = detail::begin_inplace<detail::NotImplemented>(*this, {*this, src}, std::string("scatter"));
  detail::scatter_reduce_into(*this, dim, index, src, kind, "scatter_");
  if (node) detail::finish_inplace(*this, node);
  return *this;
}
template <class T>
template <Scalar S>
const Tensor<T>& Tensor<T>::scatter_(int64_t dim, const Tensor<int64_t>& index, S value, std::string_view reduce) const {
  const T v = detail::checked_convert<T>(value, "scatter_");
  detail::scatter_reduce_kind(reduce, "scatter_");
  return scatter_(dim, index, full<T>({}, v, {.device = device()}).expand(index.sizes()), reduce);
}
template <class T>
Tensor<T> Tensor<T>::scatter(int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& src, std::string_view reduce) const {
  Tensor<T> out = clone();
  out.scatter_(dim, index, src, reduce);
  return out;
}
template <class T>
template <Scalar S>
Tensor<T> Tensor<T>::scatter(int64_t dim, const Tensor<int64_t>& index, S value, std::string_view reduce) const {
  Tensor<T> out = clone();
  out.scatter_(dim, index, value, reduce);
  return out;
}
template <class T>
Tensor<T> scatter(const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& src,
                  std::string_view reduce) {
  return x.scatter(dim, index, src, reduce);
}
template <class T, Scalar S>
Tensor<T> scatter(const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index, S value, std::string_view reduce) {
  return x.scatter(dim, index, value, reduce);
}

// --- index_add, index_copy, index_fill ------------------------------------------------------------

namespace detail {
/** index_add_ and index_copy_'s checks: a vector index with one entry per slice of source. */
template <class T>
void check_index_update(const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& source,
                        const char* op, bool copy) {
  check_same_device(op, x.device(), index.device());
  check_same_device(op, x.device(), source.device());
  TS_CHECK(index.dim() <= 1, op, ": ", op, "(): Index is supposed to be a vector, but got dim: ", index.dim(),
           " with type: Long and size: ", shape_str(index.sizes()));
  const int64_t slices = source.dim() == 0 ? 1 : source.size(dim);
  if (copy)
    TS_CHECK(index.numel() == slices, op, ": ", op, "(): Number of indices (", index.numel(), ") should be equal to source.size(dim) (",
             slices, ")");
  else
    TS_CHECK(index.numel() == slices, op, ": ", op, "(): Number of indices (", index.numel(), ") should be equal to source.size(dim): (",
             slices, "), for dim: ", dim);
  if (x.dim() > 0 && source.dim() > 0) {
    Shape expect = x.sizes();
    expect[dim] = slices;
    TS_CHECK(source.sizes() == expect, op, ": source ", shape_str(source.sizes()), " must have the shape of self ",
             shape_str(x.sizes()), " apart from dimension ", dim);
  }
}

/** x's slices along dim at index = (or +=) source's, in order; x and source 0-dim or not. */
template <class T>
void put_index_slices(const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& source,
                      bool accumulate, const char* op) {
  NoGradGuard no_grad;
  const Tensor<T> target = x.dim() == 0 ? x.reshape({1}) : x;
  const Tensor<T> values = source.dim() == 0 || x.dim() == 0 ? source.reshape({-1}) : source;
  const AdvancedIndices indexed = {{dim, index.reshape({-1})}};
  index_put_advanced(target, indexed, values, accumulate, op);
}
}  // namespace detail

template <class T>
template <Scalar S>
const Tensor<T>& Tensor<T>::index_add_(int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& source, S alpha) const {
  dim = detail::wrap_dim(dim, this->dim(), "index_add_");
  detail::check_no_internal_overlap("index_add_", impl());
  detail::check_index_update(*this, dim, index, source, "index_add_", false);
  detail::check_index_on_device(index.reshape({-1}), 0, this->dim() == 0 ? 1 : size(dim), detail::IndexCheck::SelectRange,
                                "index_add_", dim);
  const T a = detail::checked_convert<T>(alpha, "index_add_");
  std::shared_ptr<detail::Node> node;
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(*this, source))
      node = detail::begin_inplace<detail::IndexAddBackward0<T>>(*this, {*this, source}, dim, index, a, source.sizes());
  Tensor<T> scaled;
  {
    NoGradGuard no_grad;
    scaled = a == T(1) ? source : source * full<T>({}, a, {.device = device()});
  }
  detail::put_index_slices(*this, dim, index, scaled, true, "index_add_");
  if (node) detail::finish_inplace(*this, node);
  return *this;
}
template <class T>
template <Scalar S>
Tensor<T> Tensor<T>::index_add(int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& source, S alpha) const {
  Tensor<T> out = clone();
  out.index_add_(dim, index, source, alpha);
  return out;
}
/** torch.index_add(x, dim, index, source, alpha=1): x's slices at index plus alpha * source's. */
template <class T, Scalar S = int>
Tensor<T> index_add(const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& source, S alpha = 1) {
  return x.index_add(dim, index, source, alpha);
}

template <class T>
const Tensor<T>& Tensor<T>::index_copy_(int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& source) const {
  dim = detail::wrap_dim(dim, this->dim(), "index_copy_");
  detail::check_no_internal_overlap("index_copy_", impl());
  detail::check_index_update(*this, dim, index, source, "index_copy_", true);
  detail::check_index_on_device(index.reshape({-1}), 0, this->dim() == 0 ? 1 : size(dim), detail::IndexCheck::OutOfBounds,
                                "index_copy_: index_copy_()", dim);
  std::shared_ptr<detail::Node> node;
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(*this, source))
      node = detail::begin_inplace<detail::IndexCopyBackward0<T>>(*this, {*this, source}, dim, index, source.sizes());
  detail::put_index_slices(*this, dim, index, source, false, "index_copy_");
  if (node) detail::finish_inplace(*this, node);
  return *this;
}
template <class T>
Tensor<T> Tensor<T>::index_copy(int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& source) const {
  Tensor<T> out = clone();
  out.index_copy_(dim, index, source);
  return out;
}
/** torch.index_copy(x, dim, index, source): x with its slices at index replaced by source's. */
template <class T>
Tensor<T> index_copy(const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& source) {
  return x.index_copy(dim, index, source);
}

template <class T>
template <Scalar S>
const Tensor<T>& Tensor<T>::index_fill_(int64_t dim, const Tensor<int64_t>& index, S value) const {
  dim = detail::wrap_dim(dim, this->dim(), "index_fill_");
  detail::check_same_device("index_fill_", device(), index.device());
  TS_CHECK(index.dim() <= 1, "index_fill_: Index has to be a vector/scalar");
  const T v = detail::checked_convert<T>(value, "index_fill_");
  std::shared_ptr<detail::Node> node;
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(*this)) node = detail::begin_inplace<detail::IndexFillBackward0<T>>(*this, {*this}, dim, index);
  {
    NoGradGuard no_grad;
    // A negative index counts from the end, as in x[idx] (PyTorch's index_fill wraps too).
    const Tensor<T> target = this->dim() == 0 ? reshape({1}) : *this;
    const detail::AdvancedIndices indexed = {{dim, index.reshape({-1})}};
    detail::index_put_advanced(target, indexed, full<T>({}, v, {.device = device()}), false, "index_fill_");
  }
  if (node) detail::finish_inplace(*this, node);
  return *this;
}
template <class T>
template <Scalar S>
Tensor<T> Tensor<T>::index_fill(int64_t dim, const Tensor<int64_t>& index, S value) const {
  Tensor<T> out = clone();
  out.index_fill_(dim, index, value);
  return out;
}
/** index_fill_ with a 0-dim tensor value (of any dtype, converted; it may stay on the CPU). */
template <class T>
template <class U>
const Tensor<T>& Tensor<T>::index_fill_(int64_t dim, const Tensor<int64_t>& index, const Tensor<U>& value) const {
  TS_CHECK(value.dim() == 0, "index_fill_: index_fill_ only supports a 0-dimensional value tensor, but got tensor with ",
           value.dim(), " dimension(s).");
  dim = detail::wrap_dim(dim, this->dim(), "index_fill_");
  detail::check_same_device("index_fill_", device(), index.device());
  TS_CHECK(index.dim() <= 1, "index_fill_: Index has to be a vector/scalar");
  std::shared_ptr<detail::Node> node;
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(*this, value))
      node = detail::begin_inplace<detail::IndexFillBackward1<T>>(*this, {*this, value}, dim, index);
  {
    NoGradGuard no_grad;
    const Tensor<T> target = this->dim() == 0 ? reshape({1}) : *this;
    const detail::AdvancedIndices indexed = {{dim, index.reshape({-1})}};
    detail::index_put_advanced(target, indexed, value.template to<T>().to(device()), false, "index_fill_");
  }
  if (node) detail::finish_inplace(*this, node);
  return *this;
}
template <class T>
template <class U>
Tensor<T> Tensor<T>::index_fill(int64_t dim, const Tensor<int64_t>& index, const Tensor<U>& value) const {
  Tensor<T> out = clone();
  out.index_fill_(dim, index, value);
  return out;
}
template <class T, class U>
Tensor<T> index_fill(const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index, const Tensor<U>& value) {
  return x.index_fill(dim, index, value);
}

/** torch.index_fill(x, dim, index, value): x with its slices at index set to value. */
template <class T, Scalar S>
Tensor<T> index_fill(const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index, S value) {
  return x.index_fill(dim, index, value);
}

// --- out= forms: self copied into `out` (of self's shape and dtype), then updated in place, as
// PyTorch's. Not differentiable.

namespace detail {
template <class T, class... Ins>
const Tensor<T>& start_out(const char* op, const Tensor<T>& out, const Tensor<T>& self, const Ins&... inputs) {
  check_out_not_differentiable(op, out, self, inputs...);
  return copy_result(op, out, self);
}
}  // namespace detail

template <class T>
const Tensor<T>& scatter_reduce_out(const Tensor<T>& out, const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index,
                                    const Tensor<T>& src, std::string_view reduce, bool include_self = true) {
  detail::check_scatter_reduce(reduce, "scatter_reduce");
  return detail::start_out("scatter_reduce", out, x, src).scatter_reduce_(dim, index, src, reduce, include_self);
}
template <class T>
const Tensor<T>& scatter_out(const Tensor<T>& out, const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index,
                             const Tensor<T>& src, std::string_view reduce) {
  detail::scatter_reduce_kind(reduce, "scatter");
  return detail::start_out("scatter", out, x, src).scatter_(dim, index, src, reduce);
}
template <class T, Scalar S = int>
const Tensor<T>& index_add_out(const Tensor<T>& out, const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index,
                               const Tensor<T>& source, S alpha = 1) {
  return detail::start_out("index_add", out, x, source).index_add_(dim, index, source, alpha);
}
template <class T>
const Tensor<T>& index_copy_out(const Tensor<T>& out, const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index,
                                const Tensor<T>& source) {
  return detail::start_out("index_copy", out, x, source).index_copy_(dim, index, source);
}

// --- index_reduce -------------------------------------------------------------------------------

/** self's slices along dim at index[i] = reduce(them, source's slice i): "prod", "mean", "amax" or
 *  "amin", starting from self's values or (include_self false) from the positions' first source.
 *  It is scatter_reduce_ with index spread over source's shape, gradients included. */
template <class T>
const Tensor<T>& Tensor<T>::index_reduce_(int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& source,
                                          std::string_view reduce, bool include_self) const {
  const char* op = "index_reduce_";
  dim = detail::wrap_dim(dim, this->dim(), op);
  detail::check_no_internal_overlap(op, impl());
  TS_CHECK(reduce == "prod" || reduce == "mean" || reduce == "amax" || reduce == "amin", op,
           ": index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got ", reduce, ".");
  if constexpr (std::is_same_v<T, bool>)
    if (reduce == "mean") detail::throw_error(op, ": \"div_floor_cpu\" not implemented for 'Bool'");
  detail::check_index_update(*this, dim, index, source, op, false);
  const int64_t size = this->dim() == 0 ? 1 : this->size(dim);
  if (index.numel() > 0) {
    if (!index.device().is_cpu()) {
      detail::check_index_on_device(index, 0, size, detail::IndexCheck::SelectRange, op, dim);
    } else {
      const Tensor<int64_t> values = index.contiguous();
      detail::check_index_select_values(values.data_ptr(), index.numel(), size, false, op);
    }
  }
  const Tensor<T> target = this->dim() == 0 ? view({1}) : *this;
  const Tensor<T> src = source.dim() == 0 ? source.reshape({1}) : source;
  Shape spread = Shape::filled(static_cast<size_t>(src.dim()), 1);
  spread[static_cast<size_t>(dim)] = index.numel();
  target.scatter_reduce_(dim, index.reshape(spread).expand(src.sizes()), src, reduce, include_self);
  return *this;
}
template <class T>
Tensor<T> Tensor<T>::index_reduce(int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& source,
                                  std::string_view reduce, bool include_self) const {
  TS_CHECK(reduce == "prod" || reduce == "mean" || reduce == "amax" || reduce == "amin",
           "index_reduce: index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got ", reduce, ".");
  Tensor<T> out = clone();
  out.index_reduce_(dim, index, source, reduce, include_self);
  return out;
}
/** torch.index_reduce(x, dim, index, source, reduce, include_self=True). */
template <class T>
Tensor<T> index_reduce(const Tensor<T>& x, int64_t dim, const Tensor<int64_t>& index, const Tensor<T>& source,
                       std::string_view reduce, bool include_self = true) {
  return x.index_reduce(dim, index, source, reduce, include_self);
}

}  // namespace tessera
