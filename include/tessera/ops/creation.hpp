#pragma once
// Factories: tensor, from_vector, from_blob, zeros, ones, full, empty, eye, arange, linspace,
// logspace and the *_like forms.

#include <cmath>
#include <optional>
#include <span>
#include <vector>

#include "../backend/cpu/range.hpp"
#include "../backend/dispatch.hpp"
#include "copy.hpp"

namespace tessera {
namespace detail {

/** Default template argument meaning "choose the element type from the arguments". */
struct Auto {};

/** The tensor type a Python literal of C++ type U gives: bool, int64_t or float. */
template <class U>
using literal_t = std::conditional_t<std::is_same_v<U, bool>, bool,
                                     std::conditional_t<std::is_integral_v<U>, int64_t,
                                                        std::conditional_t<detail::Element<U> && is_floating_v<U> &&
                                                                               !std::is_same_v<U, double>,
                                                                           U, float>>>;

template <class T, class U>
using chosen_t = std::conditional_t<std::is_same_v<T, Auto>, literal_t<U>, T>;

template <class U>
struct nested_list {
  static constexpr int depth = 0;
  using scalar = U;
};
template <class U>
struct nested_list<std::initializer_list<U>> {
  static constexpr int depth = nested_list<U>::depth + 1;
  using scalar = typename nested_list<U>::scalar;
};

template <class U>
void collect_shape(const U& value, Shape& shape, size_t depth) {
  if constexpr (nested_list<U>::depth > 0) {
    if (shape.size() <= depth) shape.push_back(static_cast<int64_t>(value.size()));
    if (value.size() > 0) collect_shape(*value.begin(), shape, depth + 1);
  }
}

template <class T, class U>
void collect_values(const U& value, const Shape& shape, size_t depth, std::vector<T>& out) {
  if constexpr (nested_list<U>::depth > 0) {
    TS_CHECK(static_cast<int64_t>(value.size()) == shape[depth], "tensor: expected sequence of length ", shape[depth],
             " at dim ", depth, " (got ", value.size(), ")");
    for (const auto& item : value) collect_values<T>(item, shape, depth + 1, out);
  } else {
    // torch.tensor checks integral targets only, and names them without "_t" (Note [Scalar conversion checks])
    if constexpr (std::is_integral_v<T>)
      TS_CHECK(!scalar_overflows<T>(value), "tensor: value cannot be converted to type ", dtype_name(dtype_of<T>).substr(6),
               " without overflow");
    out.push_back(convert<T>(value));
  }
}

/** A new tensor of `shape` on options.device holding `values` (row-major), copied from the host. */
template <class T>
Tensor<T> from_host(const std::vector<T>& values, const Shape& shape, const TensorOptions& options, const char* op) {
  Tensor<T> out = empty_tensor<T>(shape, options, op);
  const size_t bytes = values.size() * sizeof(T);
  if constexpr (std::is_same_v<T, bool>) {  // std::vector<bool> holds bits
    const std::vector<uint8_t> bytes_of(values.begin(), values.end());
    copy_from_host(out.storage().data_ptr(), 0, bytes_of.data(), bytes, op);
  } else {
    copy_from_host(out.storage().data_ptr(), 0, values.data(), bytes, op);
  }
  return out;
}

template <class T, class List>
Tensor<T> tensor_from_list(const List& values, const TensorOptions& options) {
  Shape shape;
  collect_shape(values, shape, 0);
  std::vector<T> flat;
  collect_values<T>(values, shape, 0, flat);
  TS_CHECK(static_cast<int64_t>(flat.size()) == checked_numel(shape, "tensor"), "tensor: ragged nested list of shape ",
           shape_str(shape));
  return from_host<T>(flat, shape, options, "tensor");
}

template <class T>
Tensor<T> full_impl(const Shape& shape, T value, const TensorOptions& options, const char* op) {
  Tensor<T> out = empty_tensor<T>(shape, {.device = options.device}, op);
  fill_impl<T>(out.impl(), value);
  if (options.requires_grad) out.requires_grad_(true);
  return out;
}

}  // namespace detail

// --- tensor(...) from C++ values and nested braces ------------------------------------------

/** A 0-dim tensor; floating literals give float, integral int64_t, bool bool (or force T). */
template <class T = detail::Auto, Scalar U>
Tensor<detail::chosen_t<T, U>> tensor(U value, const TensorOptions& options = {}) {
  return detail::tensor_from_list<detail::chosen_t<T, U>>(value, options);
}
template <class T = detail::Auto, Scalar U>
Tensor<detail::chosen_t<T, U>> tensor(std::initializer_list<U> values, const TensorOptions& options = {}) {
  return detail::tensor_from_list<detail::chosen_t<T, U>>(values, options);
}
template <class T = detail::Auto, Scalar U>
Tensor<detail::chosen_t<T, U>> tensor(std::initializer_list<std::initializer_list<U>> values,
                                      const TensorOptions& options = {}) {
  return detail::tensor_from_list<detail::chosen_t<T, U>>(values, options);
}
template <class T = detail::Auto, Scalar U>
Tensor<detail::chosen_t<T, U>> tensor(std::initializer_list<std::initializer_list<std::initializer_list<U>>> values,
                                      const TensorOptions& options = {}) {
  return detail::tensor_from_list<detail::chosen_t<T, U>>(values, options);
}
template <class T = detail::Auto, Scalar U>
Tensor<detail::chosen_t<T, U>> tensor(
    std::initializer_list<std::initializer_list<std::initializer_list<std::initializer_list<U>>>> values,
    const TensorOptions& options = {}) {
  return detail::tensor_from_list<detail::chosen_t<T, U>>(values, options);
}

/** Copies `values` into a new tensor of `shape`. */
template <class T>
Tensor<T> from_vector(const std::vector<T>& values, const Shape& shape, const TensorOptions& options = {}) {
  const int64_t n = detail::checked_numel(shape, "from_vector");
  TS_CHECK(n == static_cast<int64_t>(values.size()), "from_vector: shape ", detail::shape_str(shape), " has ", n,
           " elements but the vector has ", values.size());
  return detail::from_host<T>(values, shape, options, "from_vector");
}

/** Wraps memory the caller owns, without copying (like torch.from_numpy). `deleter` runs when
 *  the last tensor viewing it is gone. Strides default to contiguous. */
template <class T, class Deleter = std::nullptr_t>
  requires std::is_same_v<Deleter, std::nullptr_t> || std::is_invocable_v<Deleter&, void*>
Tensor<T> from_blob(T* data, const Shape& shape, const Shape& strides, Deleter deleter = nullptr,
                    const TensorOptions& options = {}) {
  TS_CHECK(strides.size() == shape.size(), "from_blob: shape ", detail::shape_str(shape), " and strides ",
           detail::shape_str(strides), " differ in length");
  const int64_t span = detail::storage_extent(shape, strides, 0, "from_blob");
  const size_t nbytes = detail::checked_bytes(span, sizeof(T), "from_blob", shape, strides);
  TS_CHECK(data != nullptr || span == 0, "from_blob: data is null for shape ", detail::shape_str(shape));
  detail::check_device_dtype(options.device, dtype_of<T>, "from_blob");
  Storage storage = Storage::from_blob(data, nbytes, std::move(deleter), options.device);
  Tensor<T> out(detail::make_tensor_impl(std::move(storage), shape, strides, 0, dtype_of<T>));
  if (options.requires_grad) out.requires_grad_(true);
  return out;
}
template <class T, class Deleter = std::nullptr_t>
  requires std::is_same_v<Deleter, std::nullptr_t> || std::is_invocable_v<Deleter&, void*>
Tensor<T> from_blob(T* data, const Shape& shape, Deleter deleter = nullptr, const TensorOptions& options = {}) {
  return from_blob(data, shape, detail::contiguous_strides(shape), std::move(deleter), options);
}

// --- filled tensors -----------------------------------------------------------------------------

template <class T = float>
Tensor<T> empty(const Shape& shape, const TensorOptions& options = {}) {
  return detail::empty_tensor<T>(shape, options, "empty");
}
template <class T = float>
Tensor<T> zeros(const Shape& shape, const TensorOptions& options = {}) {
  return detail::full_impl<T>(shape, T(0), options, "zeros");
}
template <class T = float>
Tensor<T> ones(const Shape& shape, const TensorOptions& options = {}) {
  return detail::full_impl<T>(shape, T(1), options, "ones");
}
/** `full({2, 3}, 7)` is int64_t and `full({2, 3}, 7.0)` float, as torch.full; or force T. */
template <class T = detail::Auto, Scalar S>
Tensor<detail::chosen_t<T, S>> full(const Shape& shape, S value, const TensorOptions& options = {}) {
  using R = detail::chosen_t<T, S>;
  return detail::full_impl<R>(shape, detail::checked_convert<R>(value, "full"), options, "full");
}

/** The n x m identity (m defaults to n). */
template <class T = float>
Tensor<T> eye(int64_t n, std::optional<int64_t> m = std::nullopt, const TensorOptions& options = {}) {
  TS_CHECK(n >= 0, "eye: n must be greater or equal to 0, got ", n);
  TS_CHECK(!m || *m >= 0, "eye: m must be greater or equal to 0, got ", m.value_or(0));
  Tensor<T> out = zeros<T>({n, m.value_or(n)}, {.device = options.device});
  out.diagonal().fill_(1);
  if (options.requires_grad) out.requires_grad_(true);
  return out;
}

// The *_like forms keep the argument's shape, dtype, device and (as PyTorch's preserve_format)
// its dense stride order.
template <class T>
Tensor<T> empty_like(const Tensor<T>& like, const TensorOptions& options = {}) {
  Tensor<T> out = detail::empty_like_preserving<T>(like.impl());
  if (options.requires_grad) out.requires_grad_(true);
  return out;
}
template <class T, Scalar S>
Tensor<T> full_like(const Tensor<T>& like, S value, const TensorOptions& options = {}) {
  const T v = detail::checked_convert<T>(value, "full_like");
  Tensor<T> out = detail::empty_like_preserving<T>(like.impl());
  detail::fill_impl<T>(out.impl(), v);
  if (options.requires_grad) out.requires_grad_(true);
  return out;
}
template <class T>
Tensor<T> zeros_like(const Tensor<T>& like, const TensorOptions& options = {}) {
  return full_like(like, 0, options);
}
template <class T>
Tensor<T> ones_like(const Tensor<T>& like, const TensorOptions& options = {}) {
  return full_like(like, 1, options);
}

// x.new_empty, new_zeros, new_ones, new_full: self's dtype (or U) and device unless options are given.
template <class T>
template <class U>
Tensor<U> Tensor<T>::new_empty(const Shape& size) const {
  return new_empty<U>(size, {.device = device()});
}
template <class T>
template <class U>
Tensor<U> Tensor<T>::new_empty(const Shape& size, const TensorOptions& options) const {
  return detail::empty_tensor<U>(size, options, "new_empty");
}
template <class T>
template <class U>
Tensor<U> Tensor<T>::new_zeros(const Shape& size) const {
  return new_zeros<U>(size, {.device = device()});
}
template <class T>
template <class U>
Tensor<U> Tensor<T>::new_zeros(const Shape& size, const TensorOptions& options) const {
  return detail::full_impl<U>(size, U(0), options, "new_zeros");
}
template <class T>
template <class U>
Tensor<U> Tensor<T>::new_ones(const Shape& size) const {
  return new_ones<U>(size, {.device = device()});
}
template <class T>
template <class U>
Tensor<U> Tensor<T>::new_ones(const Shape& size, const TensorOptions& options) const {
  return detail::full_impl<U>(size, U(1), options, "new_ones");
}
template <class T>
template <class U, Scalar S>
Tensor<U> Tensor<T>::new_full(const Shape& size, S fill_value) const {
  return new_full<U>(size, fill_value, {.device = device()});
}
template <class T>
template <class U, Scalar S>
Tensor<U> Tensor<T>::new_full(const Shape& size, S fill_value, const TensorOptions& options) const {
  return detail::full_impl<U>(size, detail::checked_convert<U>(fill_value, "new_full"), options, "new_full");
}

// --- ranges ---------------------------------------------------------------------------------

namespace detail {
template <class A, class B, class C>
using range_t = std::conditional_t<is_floating_v<A> || is_floating_v<B> || is_floating_v<C>, float, int64_t>;
/** arange's element type: T, or when T is Auto the type the arguments choose. */
template <class T, class A, class B, class C>
using arange_t = std::conditional_t<std::is_same_v<T, Auto>, range_t<A, B, C>, T>;

}  // namespace detail

/** Values start, start + step, ... below end. Integral arguments give int64_t, floating float;
 *  the length is ceil((end - start) / step), as in PyTorch. */
template <class T = detail::Auto, Scalar A, Scalar B, Scalar C = int>
Tensor<detail::arange_t<T, A, B, C>> arange(A start, B end, C step = 1, const TensorOptions& options = {}) {
  using R = detail::arange_t<T, A, B, C>;
  if constexpr (std::is_integral_v<R>) {  // an integral range counts in int64_t, as PyTorch's
    detail::checked_convert<int64_t>(start, "arange");
    detail::checked_convert<int64_t>(end, "arange");
    detail::checked_convert<int64_t>(step, "arange");
  }
  const double s = static_cast<double>(start), e = static_cast<double>(end), st = static_cast<double>(step);
  // An integral range takes its step as int64_t (PyTorch's accumulate type): 0.5 is 0.
  TS_CHECK(std::is_integral_v<R> ? static_cast<int64_t>(step) != 0 : st != 0, "arange: step must be nonzero");
  TS_CHECK(std::isfinite(s) && std::isfinite(e), "arange: unsupported range: ", s, " -> ", e);
  TS_CHECK((st > 0 && e >= s) || (st < 0 && e <= s), "arange: upper bound and larger bound inconsistent with step "
           "sign (start ", s, ", end ", e, ", step ", st, ")");
  double length_d;
  if constexpr (std::is_same_v<R, int64_t> ||
                (std::is_integral_v<R> && std::is_integral_v<A> && std::is_integral_v<B> && std::is_integral_v<C>))
    // From the ends and step as int64_t, as PyTorch's int64 arange (its other integral types count
    // from the doubles); the difference wraps around as PyTorch's does (defined here: computed unsigned).
    length_d = std::ceil(static_cast<double>(static_cast<int64_t>(static_cast<uint64_t>(static_cast<int64_t>(end)) -
                                                                  static_cast<uint64_t>(static_cast<int64_t>(start)))) /
                         static_cast<double>(static_cast<int64_t>(step)));
  else
    length_d = std::ceil((e - s) / st);
  TS_CHECK(length_d >= 0 && length_d <= static_cast<double>(INT64_MAX), "arange: invalid size ", length_d);
  const int64_t length = static_cast<int64_t>(length_d);
  Tensor<R> out = detail::empty_tensor<R>({length}, {.device = options.device}, "arange");
  detail::RangePlan plan{.op = "arange", .out = &out.impl(), .fresh_out = true, .start = s, .step = st};
  if constexpr (std::is_integral_v<R>) plan.int_start = static_cast<int64_t>(start), plan.int_step = static_cast<int64_t>(step);
  detail::dispatch_plan(plan, [&] { detail::fill_range_plan(out.kernel_data(), plan); });
  if (options.requires_grad) out.requires_grad_(true);
  return out;
}
template <class T = detail::Auto, Scalar B>
Tensor<detail::arange_t<T, B, B, int>> arange(B end, const TensorOptions& options = {}) {
  return arange<T>(B(0), end, 1, options);
}

/** `steps` values evenly spaced from start to end inclusive (float unless T is given). */
template <class T = float>
Tensor<T> linspace(double start, double end, int64_t steps, const TensorOptions& options = {}) {
  TS_CHECK(steps >= 0, "linspace: number of steps must be non-negative, got ", steps);
  // The ends must fit T (Note [Scalar conversion checks]); one step reads only the start, as in torch.
  if (steps >= 1) detail::checked_convert<T>(start, "linspace");
  if (steps >= 2) detail::checked_convert<T>(end, "linspace");
  Tensor<T> out = detail::empty_tensor<T>({steps}, {.device = options.device}, "linspace");
  const detail::RangePlan plan{.op = "linspace", .out = &out.impl(), .fresh_out = true, .start = start, .end = end};
  detail::dispatch_plan(plan, [&] { detail::fill_range_plan(out.kernel_data(), plan); });
  if (options.requires_grad) out.requires_grad_(true);
  return out;
}

/** base ** linspace(start, end, steps), computed as PyTorch does (the exponent in the output's
 *  precision, the power in double). */
template <class T = float>
Tensor<T> logspace(double start, double end, int64_t steps, double base = 10.0, const TensorOptions& options = {}) {
  TS_CHECK(steps >= 0, "logspace: number of steps must be non-negative, got ", steps);
  if constexpr (std::is_same_v<T, half>)  // PyTorch's CPU kernel has no half form (CUDA's has)
    TS_CHECK(!options.device.is_cpu(), "logspace: \"logspace_cpu\" not implemented for 'Half'");
  if (steps >= 1) detail::checked_convert<T>(start, "logspace");  // as linspace's ends
  if (steps >= 2) detail::checked_convert<T>(end, "logspace");
  Tensor<T> out = detail::empty_tensor<T>({steps}, {.device = options.device}, "logspace");
  const detail::RangePlan plan{.op = "logspace", .out = &out.impl(), .fresh_out = true, .start = start, .end = end, .base = base};
  detail::dispatch_plan(plan, [&] { detail::fill_range_plan(out.kernel_data(), plan); });
  if (options.requires_grad) out.requires_grad_(true);
  return out;
}

}  // namespace tessera
