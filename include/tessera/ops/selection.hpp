#pragma once
// Selecting by mask and by index, as PyTorch's: nonzero, argwhere, where(cond), masked_select,
// masked_scatter, take, take_along_dim and repeat_interleave. Each is built on advanced indexing,
// gather, index_select and searchsorted (Note [Selection from index ops]), so every device has them.

#include <optional>
#include <vector>

#include "creation.hpp"
#include "indexing.hpp"
#include "join.hpp"
#include "reduce.hpp"
#include "sort.hpp"
#include "view.hpp"

namespace tessera {

// Note [Selection from index ops]
// The positions of a mask are read on the host (PyTorch syncs there too: the result's size
// depends on them); masked_select is x[mask] over the broadcast shape, masked_scatter_ an
// index_put_ of source's first elements, take a flat x[index], take_along_dim a gather of
// broadcast operands, and repeat_interleave an index_select whose indices are searchsorted in
// the cumulative repeats. masked_select and take record x[index]'s node under PyTorch's names
// (MaskedSelectBackward0, TakeBackward0); masked_scatter_ records its own.

namespace detail {
/** x != 0 as a bool tensor (NaN is nonzero). */
template <class T>
Tensor<bool> nonzero_mask(const Tensor<T>& x) {
  NoGradGuard no_grad;
  if constexpr (std::is_same_v<T, bool>) return x;
  else return x.template to<bool>();
}

/** PyTorch's infer_size: the broadcast of a and b, refused with its message (the last dim that
 *  differs), as masked_select and take_along_dim report it. */
inline Shape broadcast_pair(const Shape& a, const Shape& b, const char* op) {
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = n; i-- > 0;) {
    const int64_t x = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t y = i < n - b.size() ? 1 : b[i - (n - b.size())];
    TS_CHECK(x == y || x == 1 || y == 1, op, ": The size of tensor a (", x, ") must match the size of tensor b (", y,
             ") at non-singleton dimension ", i);
  }
  return broadcast_shapes(a, b, op);
}
}  // namespace detail

/** torch.nonzero: the [n, dim] int64 coordinates of the nonzero elements, in row-major order. */
template <class T>
Tensor<int64_t> nonzero(const Tensor<T>& x) {
  const Tensor<bool> mask = detail::nonzero_mask(x);
  if (x.dim() == 0) return empty<int64_t>({mask.item() ? 1 : 0, 0}, {.device = x.device()});
  return stack(detail::nonzero_per_dim(mask), 1);
}
template <class T>
Tensor<int64_t> Tensor<T>::nonzero() const {
  return tessera::nonzero(*this);
}
/** torch.nonzero(x, as_tuple=True): one 1-D tensor of coordinates per dim (a 0-dim x counts as 1-D). */
template <class T>
std::vector<Tensor<int64_t>> nonzero_numpy(const Tensor<T>& x) {
  const Tensor<bool> mask = detail::nonzero_mask(x);
  return detail::nonzero_per_dim(x.dim() == 0 ? mask.reshape({1}) : mask);
}
template <class T>
std::vector<Tensor<int64_t>> Tensor<T>::nonzero_numpy() const {
  return tessera::nonzero_numpy(*this);
}
/** torch.argwhere: torch.nonzero. */
template <class T>
Tensor<int64_t> argwhere(const Tensor<T>& x) {
  return nonzero(x);
}
template <class T>
Tensor<int64_t> Tensor<T>::argwhere() const {
  return tessera::nonzero(*this);
}
/** torch.where(condition) with one argument: torch.nonzero(condition, as_tuple=True). */
template <class T>
std::vector<Tensor<int64_t>> where(const Tensor<T>& condition) {
  return nonzero_numpy(condition);
}

/** torch.masked_select: the elements of x where mask (both broadcast) is true, as a 1-D tensor. */
template <class T>
Tensor<T> masked_select(const Tensor<T>& x, const Tensor<bool>& mask) {
  detail::check_same_device("masked_select", x.device(), mask.device());
  const Shape shape = detail::broadcast_pair(mask.sizes(), x.sizes(), "masked_select");
  // x[mask] over the broadcast shape (a 0-dim x as one element, which x[mask] would not add).
  const Shape flat_shape = shape.empty() ? Shape{1} : shape;
  const Tensor<T> v = x.detach().expand(shape).reshape(flat_shape);
  detail::AdvancedIndices indexed;
  int64_t d = 0;
  for (auto& positions : detail::nonzero_per_dim(mask.expand(shape).reshape(flat_shape))) indexed.emplace_back(d++, positions);
  Tensor<T> out = detail::index_advanced(v, indexed, "masked_select");
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(x))
      detail::record<detail::IndexBackward0<T>>({x}, {out}, flat_shape, indexed, "MaskedSelectBackward0",
                                                shape.empty() ? std::optional<Shape>(Shape{}) : std::nullopt);
  return out;
}
template <class T>
Tensor<T> Tensor<T>::masked_select(const Tensor<bool>& mask) const {
  return tessera::masked_select(*this, mask);
}

/** self's elements where mask is true, in order, take source's first elements (in place). */
template <class T>
const Tensor<T>& Tensor<T>::masked_scatter_(const Tensor<bool>& mask, const Tensor<T>& source) const {
  detail::check_no_internal_overlap("masked_scatter_", impl());
  detail::check_same_device("masked_scatter_", device(), mask.device());
  detail::check_same_device("masked_scatter_", device(), source.device());
  TS_CHECK(broadcast_shapes(sizes(), mask.sizes(), "masked_scatter_") == sizes(), "masked_scatter_: mask of shape ",
           detail::shape_str(mask.sizes()), " cannot be broadcast to the shape of self ", detail::shape_str(sizes()));
  const Tensor<T> target = dim() == 0 ? unsqueeze(0) : *this;  // writes through to self
  const Tensor<bool> m = mask.expand(sizes()).reshape(target.sizes());
  detail::AdvancedIndices indexed;
  int64_t d = 0;
  for (auto& positions : detail::nonzero_per_dim(m)) indexed.emplace_back(d++, positions);
  const int64_t count = indexed.front().second.numel();
  TS_CHECK(source.numel() >= count, "masked_scatter_: Number of elements of source < number of ones in mask");
  TS_CHECK(!detail::may_overlap(impl(), source.impl()), "masked_scatter_: unsupported operation: some elements of the "
           "input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before "
           "performing the operation.");
  std::shared_ptr<detail::Node> node;
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(*this, source))
      node = detail::begin_inplace<detail::MaskedScatterBackward0<T>>(*this, {*this, source}, mask.expand(sizes()),
                                                                     source.sizes());
  Tensor<T> values;
  {
    NoGradGuard no_grad;
    values = source.reshape({-1}).narrow(0, 0, count);
  }
  detail::index_put_advanced(target, indexed, values, false, "masked_scatter_");
  if (node) detail::finish_inplace(*this, node);
  return *this;
}
/** torch.masked_scatter: a copy of x (broadcast with mask) with masked_scatter_ applied. */
template <class T>
Tensor<T> masked_scatter(const Tensor<T>& x, const Tensor<bool>& mask, const Tensor<T>& source) {
  const Shape shape = detail::broadcast_pair(x.sizes(), mask.sizes(), "masked_scatter");
  Tensor<T> out = x.expand(shape).clone();
  out.masked_scatter_(mask, source);
  return out;
}
template <class T>
Tensor<T> Tensor<T>::masked_scatter(const Tensor<bool>& mask, const Tensor<T>& source) const {
  return tessera::masked_scatter(*this, mask, source);
}

/** torch.take: x's elements at flat (row-major) positions `index`, in index's shape; a negative
 *  position counts from the end. */
template <class T>
Tensor<T> take(const Tensor<T>& x, const Tensor<int64_t>& index) {
  detail::check_same_device("take", x.device(), index.device());
  const int64_t n = x.numel();
  TS_CHECK(n > 0 || index.numel() == 0, "take: take(): tried to take from an empty tensor");
  detail::check_index_on_device(index, -n, n, detail::IndexCheck::Take, "take", 0);
  const detail::AdvancedIndices indexed = {{0, index}};
  Tensor<T> out = detail::index_advanced(x.detach().reshape({-1}), indexed, "take");
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(x))
      detail::record<detail::IndexBackward0<T>>({x}, {out}, Shape{n}, indexed, "TakeBackward0", x.sizes());
  return out;
}
template <class T>
Tensor<T> Tensor<T>::take(const Tensor<int64_t>& index) const {
  return tessera::take(*this, index);
}

template <class T>
const Tensor<T>& Tensor<T>::put_(const Tensor<int64_t>& index, const Tensor<T>& source, bool accumulate) const {
  const char* op = "put_";
  detail::check_same_device(op, device(), index.device());
  detail::check_same_device(op, device(), source.device());
  TS_CHECK(source.numel() == index.numel(), op, ": put_(): Expected source and index to have the same number of "
           "elements, but got source.numel() = ", source.numel(), ", index.numel() = ", index.numel());
  const int64_t n = numel();
  TS_CHECK(n > 0 || index.numel() == 0, op, ": put_(): Tried to put elements into an empty tensor");
  detail::check_no_internal_overlap(op, impl());
  TS_CHECK(!detail::may_overlap(impl(), source.impl()) && !detail::may_overlap(impl(), index.impl()), op,
           ": unsupported operation: some elements of the input tensor and the written-to tensor refer to a single "
           "memory location. Please clone() the tensor before performing the operation.");
  if (index.numel() > 0) detail::check_index_on_device(index, -n, n, detail::IndexCheck::Take, op, 0);
  std::shared_ptr<detail::Node> node;
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(*this, source))
      node = detail::begin_inplace<detail::PutBackward0<T>>(*this, {*this, source}, index, source.sizes(), accumulate);
  if (index.numel() > 0) {
    NoGradGuard no_grad;
    // the flat positions as coordinates of self, so that the write goes through any strides
    const Tensor<T> target = dim() == 0 ? unsqueeze(0) : *this;
    Tensor<int64_t> flat = index.reshape({-1}).remainder(n);
    detail::AdvancedIndices indexed(static_cast<size_t>(target.dim()));
    for (int64_t d = target.dim() - 1; d >= 0; --d) {
      const int64_t size = target.size(d);
      indexed[static_cast<size_t>(d)] = {d, d == 0 ? flat : flat.remainder(size)};
      if (d > 0) flat = flat.div(size, "floor");
    }
    detail::index_put_advanced(target, indexed, source.reshape({-1}), accumulate, op);
  }
  if (node) detail::finish_inplace(*this, node);
  return *this;
}
/** torch.put: a copy of x with put_ applied. */
template <class T>
Tensor<T> put(const Tensor<T>& x, const Tensor<int64_t>& index, const Tensor<T>& source, bool accumulate = false) {
  Tensor<T> out = x.clone();
  out.put_(index, source, accumulate);
  return out;
}
template <class T>
Tensor<T> Tensor<T>::put(const Tensor<int64_t>& index, const Tensor<T>& source, bool accumulate) const {
  return tessera::put(*this, index, source, accumulate);
}

/** torch.take_along_dim: gather along `dim` after broadcasting x and indices everywhere else; with
 *  no dim, of the flattened x. */
template <class T>
Tensor<T> take_along_dim(const Tensor<T>& x, const Tensor<int64_t>& indices, std::optional<int64_t> dim = std::nullopt) {
  detail::check_same_device("take_along_dim", x.device(), indices.device());
  if (!dim) {
    const Tensor<int64_t> flat = indices.reshape({-1});
    detail::check_index_on_device(flat, 0, x.numel(), detail::IndexCheck::OutOfBounds, "take_along_dim", 0);
    return x.reshape({-1}).gather(0, flat);
  }
  TS_CHECK(x.dim() == indices.dim(), "take_along_dim: torch.take_along_dim(): input and indices should have the same "
           "number of dimensions, but got ", x.dim(), " dimensions for input, and ", indices.dim(),
           " dimensions for indices");
  const int64_t d = detail::wrap_dim(*dim, x.dim(), "take_along_dim");
  if (x.dim() == 0) {
    detail::check_index_on_device(indices.reshape({1}), 0, 1, detail::IndexCheck::OutOfBounds, "take_along_dim", 0);
    return x.gather(0, indices);
  }
  Shape x_sizes = x.sizes(), index_sizes = indices.sizes();
  x_sizes[d] = indices.size(d);
  const Shape index_shape = detail::broadcast_pair(x_sizes, indices.sizes(), "take_along_dim");
  index_sizes[d] = x.size(d);
  const Shape x_shape = detail::broadcast_pair(index_sizes, x.sizes(), "take_along_dim");
  const Tensor<int64_t> idx = indices.expand(index_shape);
  detail::check_index_on_device(idx, 0, x.size(d), detail::IndexCheck::OutOfBounds, "take_along_dim", d);
  return x.expand(x_shape).gather(d, idx);
}
template <class T>
Tensor<T> Tensor<T>::take_along_dim(const Tensor<int64_t>& indices, std::optional<int64_t> dim) const {
  return tessera::take_along_dim(*this, indices, dim);
}

/** torch.repeat_interleave(repeats): each i of range(len(repeats)) repeats[i] times. (A
 *  template only so that it is compiled where it is used.) */
template <class = void>
Tensor<int64_t> repeat_interleave(const Tensor<int64_t>& repeats, const std::optional<int64_t>& output_size = std::nullopt) {
  TS_CHECK(repeats.dim() == 1, "repeat_interleave: repeat_interleave only accept 1D vector as repeat");
  const Device device = repeats.device();
  if (repeats.numel() == 0) {
    TS_CHECK(output_size.value_or(0) == 0, "repeat_interleave: allocated size does not match required size");
    return empty<int64_t>({0}, {.device = device});
  }
  TS_CHECK(repeats.min().item() >= 0, "repeat_interleave: repeats can not be negative");  // reads one value, as PyTorch
  const Tensor<int64_t> ends = repeats.cumsum(0);
  const int64_t total = ends[-1].item();
  TS_CHECK(!output_size || *output_size == total, "repeat_interleave: allocated size does not match required size");
  // Output position p belongs to the first i whose cumulative count exceeds p.
  return searchsorted(ends, arange(int64_t{0}, total, int64_t{1}, {.device = device}), false, true);
}

/** torch.repeat_interleave(x, repeats, dim, output_size): each slice along dim (of the flattened
 *  x without dim) repeated repeats[i] times; a single repeat applies to every slice. */
template <class T>
Tensor<T> repeat_interleave(const Tensor<T>& x, const Tensor<int64_t>& repeats, std::optional<int64_t> dim = std::nullopt,
                            const std::optional<int64_t>& output_size = std::nullopt) {
  const Tensor<T> input = dim ? x : x.flatten();
  const int64_t d = dim ? detail::wrap_dim(*dim, input.dim(), "repeat_interleave") : 0;
  const int64_t size = input.dim() == 0 ? 1 : input.size(d);
  Tensor<int64_t> counts = repeats;
  if (repeats.dim() == 0 || (repeats.dim() == 1 && repeats.size(0) == 1))
    counts = repeats.reshape({1}).expand({size});
  else if (repeats.dim() == 1)
    TS_CHECK(repeats.size(0) == size, "repeat_interleave: repeats must have the same size as input along dim");
  else
    detail::throw_error("repeat_interleave: repeats must be 0-dim or 1-dim tensor");
  return input.index_select(d, repeat_interleave(counts, output_size));
}
template <class T>
Tensor<T> repeat_interleave(const Tensor<T>& x, int64_t repeats, std::optional<int64_t> dim = std::nullopt,
                            const std::optional<int64_t>& output_size = std::nullopt) {
  return repeat_interleave(x, full<int64_t>({1}, repeats, {.device = x.device()}), dim, output_size);
}
template <class T>
Tensor<T> Tensor<T>::repeat_interleave(const Tensor<int64_t>& repeats, std::optional<int64_t> dim,
                                       const std::optional<int64_t>& output_size) const {
  return tessera::repeat_interleave(*this, repeats, dim, output_size);
}
template <class T>
Tensor<T> Tensor<T>::repeat_interleave(int64_t repeats, std::optional<int64_t> dim,
                                       const std::optional<int64_t>& output_size) const {
  return tessera::repeat_interleave(*this, repeats, dim, output_size);
}

// --- out= forms: the result written into `out`, which must have its shape and dtype (as the
// reductions' _out forms, tessera does not resize out). Not differentiable, as in PyTorch.

namespace detail {
/** Computes f() outside the graph (after the out= refusal of inputs that need grad) into out. */
template <class T, class F, class... Ins>
const Tensor<T>& write_out(const char* op, const Tensor<T>& out, F&& f, const Ins&... inputs) {
  check_out_not_differentiable(op, out, inputs...);
  NoGradGuard no_grad;
  return copy_result(op, out, f());
}
}  // namespace detail

template <class T>
const Tensor<int64_t>& nonzero_out(const Tensor<int64_t>& out, const Tensor<T>& x) {
  return detail::write_out("nonzero", out, [&] { return nonzero(x); });
}
template <class T>
const Tensor<T>& masked_select_out(const Tensor<T>& out, const Tensor<T>& x, const Tensor<bool>& mask) {
  return detail::write_out("masked_select", out, [&] { return masked_select(x, mask); }, x);
}
template <class T>
const Tensor<T>& take_out(const Tensor<T>& out, const Tensor<T>& x, const Tensor<int64_t>& index) {
  return detail::write_out("take", out, [&] { return take(x, index); }, x);
}
template <class T>
const Tensor<T>& take_along_dim_out(const Tensor<T>& out, const Tensor<T>& x, const Tensor<int64_t>& indices,
                                    std::optional<int64_t> dim = std::nullopt) {
  return detail::write_out("take_along_dim", out, [&] { return take_along_dim(x, indices, dim); }, x);
}
template <class T>
const Tensor<T>& narrow_copy_out(const Tensor<T>& out, const Tensor<T>& x, int64_t dim, int64_t start, int64_t length) {
  detail::check_out_not_differentiable("narrow_copy", out, x);
  NoGradGuard no_grad;
  return detail::copy_result("narrow_copy", out, x.narrow(dim, start, length));  // copied straight into out
}

}  // namespace tessera
