#pragma once
// Joining and splitting: cat, stack, vstack, hstack, split, chunk.

#include <span>
#include <string_view>
#include <vector>

#include "../core/any_tensor.hpp"
#include "view.hpp"

namespace tessera {
namespace detail {

template <class T>
Tensor<T> cat_impl(std::span<const Tensor<T>> tensors, int64_t dim, const char* op) {
  TS_CHECK(!tensors.empty(), op, ": expected a non-empty list of Tensors");
  // As in PyTorch, 1-D empty tensors are skipped whatever the other shapes are.
  const Tensor<T>* ref = nullptr;
  for (const Tensor<T>& t : tensors)
    if (!(t.dim() == 1 && t.numel() == 0)) {
      ref = &t;
      break;
    }
  if (!ref) return empty_tensor<T>({0}, {.device = tensors[0].device()}, op);
  TS_CHECK(ref->dim() > 0, op, ": zero-dimensional tensor (at position ", ref - tensors.data(),
           ") cannot be concatenated");
  dim = wrap_dim(dim, ref->dim(), op);
  Shape shape = ref->sizes();
  int64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor<T>& t = tensors[i];
    if (t.dim() == 1 && t.numel() == 0) continue;
    TS_CHECK(t.dim() == ref->dim(), op, ": Tensors must have same number of dimensions: got ", ref->dim(), " and ",
             t.dim());
    TS_CHECK(t.device() == ref->device(), op, ": expected all tensors on the same device, got ", ref->device(), " and ",
             t.device(), " for tensor number ", i);
    for (int64_t d = 0; d < t.dim(); ++d)
      TS_CHECK(d == dim || t.sizes()[d] == shape[d], op, ": Sizes of tensors must match except in dimension ", dim,
               ". Expected size ", shape[d], " but got size ", t.sizes()[d], " for tensor number ", i, " in the list.");
    total += t.sizes()[dim];
  }
  shape[dim] = total;
  Tensor<T> out = empty_tensor<T>(shape, {.device = ref->device()}, op);
  int64_t at = 0;
  for (const Tensor<T>& t : tensors) {
    if (t.dim() == 1 && t.numel() == 0) continue;
    const int64_t len = t.sizes()[dim];
    copy_fresh<T, T>(out.detach().narrow(dim, at, len).impl(), t.impl(), op);
    at += len;
  }
  if constexpr (is_floating_v<T>) {
    bool any = false;
    for (const Tensor<T>& t : tensors) any = any || needs_grad(t);
    if (any) {
      std::vector<AnyTensor> inputs(tensors.begin(), tensors.end());
      std::vector<int64_t> lengths;
      for (const Tensor<T>& t : tensors) lengths.push_back(t.dim() == 1 && t.numel() == 0 ? 0 : t.sizes()[dim]);
      const AnyTensor result = out;
      record_lists<CatBackward0<T>>(inputs, std::span<const AnyTensor>(&result, 1), std::move(lengths), dim);
    }
  }
  return out;
}

template <class T>
Tensor<T> stack_impl(std::span<const Tensor<T>> tensors, int64_t dim) {
  TS_CHECK(!tensors.empty(), "stack: stack expects a non-empty TensorList");
  dim = wrap_dim(dim, tensors[0].dim() + 1, "stack");
  std::vector<Tensor<T>> parts;
  parts.reserve(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    TS_CHECK(tensors[i].sizes() == tensors[0].sizes(), "stack: stack expects each tensor to be equal size, but got ",
             shape_str(tensors[0].sizes()), " at entry 0 and ", shape_str(tensors[i].sizes()), " at entry ", i);
    parts.push_back(tensors[i].detach().unsqueeze(dim));
  }
  Tensor<T> out = cat_impl<T>(parts, dim, "stack");
  if constexpr (is_floating_v<T>) {
    bool any = false;
    for (const Tensor<T>& t : tensors) any = any || needs_grad(t);
    if (any) {
      std::vector<AnyTensor> inputs(tensors.begin(), tensors.end());
      const AnyTensor result = out;
      record_lists<StackBackward0<T>>(inputs, std::span<const AnyTensor>(&result, 1), dim);
    }
  }
  return out;
}

}  // namespace detail

/** Concatenates along an existing dimension. */
template <class T>
Tensor<T> cat(const std::vector<Tensor<T>>& tensors, int64_t dim = 0) {
  return detail::cat_impl<T>(tensors, dim, "cat");
}
template <class T>
Tensor<T> cat(std::initializer_list<Tensor<T>> tensors, int64_t dim = 0) {
  return detail::cat_impl<T>(std::span<const Tensor<T>>(tensors.begin(), tensors.size()), dim, "cat");
}

/** cat of tensors of different dtypes: the result has their promoted dtype, as in PyTorch.
 *  The C++ element type is chosen by the caller: ts::cat<double>({a, b}). */
template <class R>
Tensor<R> cat(const std::vector<AnyTensor>& tensors, int64_t dim = 0) {
  TS_CHECK(!tensors.empty(), "cat: expected a non-empty list of Tensors");
  DType promoted = tensors[0].dtype();
  for (const AnyTensor& t : tensors) promoted = promote_types(promoted, t.dtype());
  TS_CHECK(promoted == dtype_of<R>, "cat: the promoted dtype of the inputs is ", promoted, ", not ", dtype_of<R>);
  std::vector<Tensor<R>> converted;
  for (const AnyTensor& t : tensors) converted.push_back(t.template to<R>());
  return detail::cat_impl<R>(converted, dim, "cat");
}

/** The dtype cat() of these tensors would have. */
inline DType result_type(const std::vector<AnyTensor>& tensors) {
  TS_CHECK(!tensors.empty(), "result_type: expected a non-empty list of Tensors");
  DType promoted = tensors[0].dtype();
  for (const AnyTensor& t : tensors) promoted = promote_types(promoted, t.dtype());
  return promoted;
}

/** Joins equally shaped tensors along a new dimension. */
template <class T>
Tensor<T> stack(const std::vector<Tensor<T>>& tensors, int64_t dim = 0) {
  return detail::stack_impl<T>(tensors, dim);
}
template <class T>
Tensor<T> stack(std::initializer_list<Tensor<T>> tensors, int64_t dim = 0) {
  return detail::stack_impl<T>(std::span<const Tensor<T>>(tensors.begin(), tensors.size()), dim);
}

/** Row-wise: 1-D tensors become rows, then cat along dim 0. */
template <class T>
Tensor<T> vstack(const std::vector<Tensor<T>>& tensors) {
  std::vector<Tensor<T>> rows;
  for (const Tensor<T>& t : tensors) rows.push_back(t.dim() == 0 ? t.reshape({1, 1}) : t.dim() == 1 ? t.unsqueeze(0) : t);
  return detail::cat_impl<T>(rows, 0, "vstack");
}
template <class T>
Tensor<T> vstack(std::initializer_list<Tensor<T>> tensors) {
  return vstack(std::vector<Tensor<T>>(tensors));
}

/** Column-wise: cat along dim 0 for 1-D tensors, along dim 1 otherwise. */
template <class T>
Tensor<T> hstack(const std::vector<Tensor<T>>& tensors) {
  TS_CHECK(!tensors.empty(), "hstack: expects a non-empty TensorList");
  std::vector<Tensor<T>> parts;
  bool all_1d = true;
  for (const Tensor<T>& t : tensors) {
    parts.push_back(t.dim() == 0 ? t.reshape({1}) : t);
    all_1d &= parts.back().dim() == 1;
  }
  return detail::cat_impl<T>(parts, all_1d ? 0 : 1, "hstack");
}
template <class T>
Tensor<T> hstack(std::initializer_list<Tensor<T>> tensors) {
  return hstack(std::vector<Tensor<T>>(tensors));
}

/** Views of consecutive pieces of `split_size` along `dim` (the last may be smaller). */
/** torch.dstack: cat along dim 2 after atleast_3d; torch.column_stack: 0-d and 1-d tensors
 *  become columns, then cat along dim 1. */
template <class T>
Tensor<T> dstack(const std::vector<Tensor<T>>& tensors) {
  TS_CHECK(!tensors.empty(), "dstack: expects a non-empty TensorList");
  std::vector<Tensor<T>> parts;
  for (const auto& t : tensors) parts.push_back(atleast_3d(t));
  return detail::cat_impl<T>(parts, 2, "dstack");
}
template <class T>
Tensor<T> dstack(std::initializer_list<Tensor<T>> tensors) {
  return dstack(std::vector<Tensor<T>>(tensors));
}
template <class T>
Tensor<T> column_stack(const std::vector<Tensor<T>>& tensors) {
  TS_CHECK(!tensors.empty(), "column_stack: column_stack expects a non-empty TensorList");
  std::vector<Tensor<T>> parts;
  for (const auto& t : tensors) parts.push_back(t.dim() <= 1 ? t.reshape({t.numel(), 1}) : t);
  return detail::cat_impl<T>(parts, 1, "column_stack");
}
template <class T>
Tensor<T> column_stack(std::initializer_list<Tensor<T>> tensors) {
  return column_stack(std::vector<Tensor<T>>(tensors));
}
/** torch.broadcast_tensors: each tensor expanded to the shape they broadcast to (views). */
template <class T>
std::vector<Tensor<T>> broadcast_tensors(const std::vector<Tensor<T>>& tensors) {
  Shape shape;
  for (const auto& t : tensors) shape = broadcast_shapes(shape, t.sizes(), "broadcast_tensors");
  std::vector<Tensor<T>> out;
  for (const auto& t : tensors) out.push_back(t.expand(shape));
  return out;
}

/** torch.concat and torch.concatenate (aliases of cat), torch.row_stack (of vstack). */
template <class T>
Tensor<T> concat(const std::vector<Tensor<T>>& tensors, int64_t dim = 0) {
  return cat(tensors, dim);
}
template <class T>
Tensor<T> concat(std::initializer_list<Tensor<T>> tensors, int64_t dim = 0) {
  return cat(tensors, dim);
}
template <class T>
Tensor<T> concatenate(const std::vector<Tensor<T>>& tensors, int64_t dim = 0) {
  return cat(tensors, dim);
}
template <class T>
Tensor<T> concatenate(std::initializer_list<Tensor<T>> tensors, int64_t dim = 0) {
  return cat(tensors, dim);
}
template <class T>
Tensor<T> row_stack(const std::vector<Tensor<T>>& tensors) {
  return vstack(tensors);
}
template <class T>
Tensor<T> row_stack(std::initializer_list<Tensor<T>> tensors) {
  return vstack(tensors);
}

namespace detail {

/** split's pieces, recorded as one node named `node`. Their in-place changes are refused with
 *  grad mode on (Note [Stale view histories]), unless `unsafe`: unsafe_split's pieces are not
 *  views to autograd, as in PyTorch. */
template <class T>
std::vector<Tensor<T>> split_pieces(const Tensor<T>& t, const std::vector<int64_t>& sizes, int64_t dim,
                                    const char* node, bool unsafe = false) {
  TS_CHECK(t.dim() > 0, "split: split expects at least a 1-dimensional tensor");
  dim = wrap_dim(dim, t.dim(), "split");
  int64_t total = 0;
  for (int64_t s : sizes) {
    TS_CHECK(s >= 0, "split: split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=",
             shape_str(sizes));
    total += s;
  }
  TS_CHECK(total == t.sizes()[dim], "split: split_with_sizes expects split_sizes to sum exactly to ", t.sizes()[dim],
           " (input tensor's size at dimension ", dim, "), but got split_sizes=", shape_str(sizes));
  std::vector<Tensor<T>> out;
  int64_t at = 0;
  {
    NoGradGuard no_grad;
    for (int64_t s : sizes) {
      out.push_back(t.narrow(dim, at, s));
      at += s;
    }
  }
  record_pieces<SplitBackward0<T>>(out, t, unsafe, t.sizes(), sizes, dim, node);
  return out;
}

template <class T>
std::vector<Tensor<T>> split_by_size(const Tensor<T>& t, int64_t split_size, int64_t dim, bool unsafe) {
  TS_CHECK(t.dim() > 0, "split: split expects at least a 1-dimensional tensor");
  TS_CHECK(split_size >= 0, "split: split expects split_size be non-negative, but got split_size=", split_size);
  dim = wrap_dim(dim, t.dim(), "split");
  const int64_t size = t.sizes()[dim];
  TS_CHECK(split_size > 0 || size == 0, "split: split_size can only be 0 if dimension size is 0, but got dimension "
           "size of ", size);
  std::vector<int64_t> sizes;
  const int64_t pieces = split_size == 0 ? 1 : std::max<int64_t>((size + split_size - 1) / split_size, 1);
  for (int64_t i = 0; i < pieces; ++i) sizes.push_back(std::min(split_size, size - i * split_size));
  return split_pieces(t, sizes, dim, unsafe ? "UnsafeSplitBackward0" : "SplitBackward0", unsafe);
}

}  // namespace detail

template <class T>
std::vector<Tensor<T>> split(const Tensor<T>& t, int64_t split_size, int64_t dim = 0) {
  return detail::split_by_size(t, split_size, dim, false);
}

/** Views of the given lengths along `dim`; they must add up to its size. */
template <class T>
std::vector<Tensor<T>> split(const Tensor<T>& t, const std::vector<int64_t>& sizes, int64_t dim = 0) {
  return detail::split_pieces(t, sizes, dim, "SplitWithSizesBackward0");
}

/** torch.split_with_sizes: split with a list of sizes. */
template <class T>
std::vector<Tensor<T>> split_with_sizes(const Tensor<T>& t, const std::vector<int64_t>& sizes, int64_t dim = 0) {
  return split(t, sizes, dim);
}

namespace detail {
template <class T>
std::vector<Tensor<T>> chunk_pieces(const Tensor<T>& t, int64_t chunks, int64_t dim, bool unsafe) {
  TS_CHECK(t.dim() > 0, "chunk: chunk expects at least a 1-dimensional tensor");
  TS_CHECK(chunks > 0, "chunk: chunk expects `chunks` to be greater than 0, got: ", chunks);
  dim = wrap_dim(dim, t.dim(), "chunk");
  const int64_t size = t.sizes()[dim];
  const int64_t split_size = (size + chunks - 1) / chunks;
  if (split_size == 0 && size == 0)
    return split_pieces(t, std::vector<int64_t>(static_cast<size_t>(chunks), 0), dim,
                        unsafe ? "UnsafeSplitWithSizesBackward0" : "SplitWithSizesBackward0", unsafe);
  return split_by_size(t, split_size, dim, unsafe);
}
}  // namespace detail

/** `chunks` views of ceil(size / chunks) elements along `dim` (fewer when it does not divide). */
template <class T>
std::vector<Tensor<T>> chunk(const Tensor<T>& t, int64_t chunks, int64_t dim = 0) {
  return detail::chunk_pieces(t, chunks, dim, false);
}

/** torch.tensor_split: `sections` views along `dim`, the first size % sections of them one longer
 *  than the others (size / sections); all views. */
template <class T>
std::vector<Tensor<T>> tensor_split(const Tensor<T>& t, int64_t sections, int64_t dim = 0) {
  TS_CHECK(t.dim() > 0, "tensor_split: tensor_split expected at least a 1-dimensional tensor, but got a tensor with ",
           t.dim(), " dims");
  TS_CHECK(sections > 0, "tensor_split: number of sections must be larger than 0, got ", sections);
  dim = detail::wrap_dim(dim, t.dim(), "tensor_split");
  const int64_t size = t.sizes()[dim], base = size / sections, extra = size % sections;
  std::vector<Tensor<T>> out;
  int64_t at = 0;
  for (int64_t i = 0; i < sections; ++i) {
    const int64_t len = base + (i < extra ? 1 : 0);
    out.push_back(t.slice(dim, at, at + len));
    at += len;
  }
  return out;
}

/** torch.tensor_split at `indices`: x[:i0], x[i0:i1], ..., x[in:] along `dim` (Python slices:
 *  negative indices count from the end, pieces past the end are empty). */
template <class T>
std::vector<Tensor<T>> tensor_split(const Tensor<T>& t, const std::vector<int64_t>& indices, int64_t dim = 0) {
  TS_CHECK(t.dim() > 0, "tensor_split: tensor_split expected at least a 1-dimensional tensor, but got a tensor with ",
           t.dim(), " dims");
  dim = detail::wrap_dim(dim, t.dim(), "tensor_split");
  std::vector<Tensor<T>> out;
  int64_t start = 0;
  for (int64_t end : indices) {
    out.push_back(t.slice(dim, start, end));
    start = end;
  }
  out.push_back(t.slice(dim, start, t.sizes()[dim]));
  return out;
}

/** torch.tensor_split with a tensor: a 0-dim one is the number of sections, a 1-D one the indices. */
template <class T>
std::vector<Tensor<T>> tensor_split(const Tensor<T>& t, const Tensor<int64_t>& indices_or_sections, int64_t dim = 0) {
  TS_CHECK(indices_or_sections.dim() <= 1, "tensor_split: tensor_split expected tensor_indices_or_sections to be a "
           "zero-dimensional or one-dimensional tensor, but got a tensor with ", indices_or_sections.dim(), " dims");
  if (indices_or_sections.dim() == 0) return tensor_split(t, indices_or_sections.item(), dim);
  return tensor_split(t, indices_or_sections.to_vector(), dim);
}

namespace detail {
/** hsplit, vsplit and dsplit: tensor_split along `dim` after PyTorch's checks. */
template <class T>
std::vector<Tensor<T>> split_along(const Tensor<T>& t, const char* op, int64_t min_dims, int64_t dim,
                                   std::optional<int64_t> sections, const std::vector<int64_t>& indices) {
  TS_CHECK(t.dim() >= min_dims, op, ": torch.", op, " requires a tensor with at least ", min_dims,
           " dimension, but got a tensor with ", t.dim(), " dimensions!");
  if (!sections) return tensor_split(t, indices, dim);
  const int64_t size = t.sizes()[dim];
  TS_CHECK(*sections != 0 && size % *sections == 0, op, ": torch.", op, " attempted to split along dimension ", dim,
           ", but the size of the dimension ", size, " is not divisible by the split_size ", *sections, "!");
  return tensor_split(t, *sections, dim);
}
}  // namespace detail

/** torch.hsplit: tensor_split along dim 1 (dim 0 of a 1-D tensor); `sections` must divide it. */
template <class T>
std::vector<Tensor<T>> hsplit(const Tensor<T>& t, int64_t sections) {
  return detail::split_along(t, "hsplit", 1, t.dim() == 1 ? 0 : 1, sections, {});
}
template <class T>
std::vector<Tensor<T>> hsplit(const Tensor<T>& t, const std::vector<int64_t>& indices) {
  return detail::split_along(t, "hsplit", 1, t.dim() == 1 ? 0 : 1, std::nullopt, indices);
}
/** torch.vsplit: tensor_split along dim 0 of a tensor of at least 2 dims. */
template <class T>
std::vector<Tensor<T>> vsplit(const Tensor<T>& t, int64_t sections) {
  return detail::split_along(t, "vsplit", 2, 0, sections, {});
}
template <class T>
std::vector<Tensor<T>> vsplit(const Tensor<T>& t, const std::vector<int64_t>& indices) {
  return detail::split_along(t, "vsplit", 2, 0, std::nullopt, indices);
}
/** torch.dsplit: tensor_split along dim 2 of a tensor of at least 3 dims. */
template <class T>
std::vector<Tensor<T>> dsplit(const Tensor<T>& t, int64_t sections) {
  return detail::split_along(t, "dsplit", 3, 2, sections, {});
}
template <class T>
std::vector<Tensor<T>> dsplit(const Tensor<T>& t, const std::vector<int64_t>& indices) {
  return detail::split_along(t, "dsplit", 3, 2, std::nullopt, indices);
}

// Note [One-element index lists]
// `ts::hsplit(x, {2})` must mean the indices [2], as hsplit(x, [2]) in PyTorch, not 2 sections:
// a braced list prefers std::initializer_list over both int64_t and std::vector.
template <class T>
std::vector<Tensor<T>> tensor_split(const Tensor<T>& t, std::initializer_list<int64_t> indices, int64_t dim = 0) {
  return tensor_split(t, std::vector<int64_t>(indices), dim);
}
template <class T>
std::vector<Tensor<T>> hsplit(const Tensor<T>& t, std::initializer_list<int64_t> indices) {
  return hsplit(t, std::vector<int64_t>(indices));
}
template <class T>
std::vector<Tensor<T>> vsplit(const Tensor<T>& t, std::initializer_list<int64_t> indices) {
  return vsplit(t, std::vector<int64_t>(indices));
}
template <class T>
std::vector<Tensor<T>> dsplit(const Tensor<T>& t, std::initializer_list<int64_t> indices) {
  return dsplit(t, std::vector<int64_t>(indices));
}

/** torch.unsafe_chunk, unsafe_split and unsafe_split_with_sizes: the same pieces as chunk and
 *  split, which autograd does not treat as views (in-place ops on them change only the piece's
 *  history), as in PyTorch. */
template <class T>
std::vector<Tensor<T>> unsafe_chunk(const Tensor<T>& t, int64_t chunks, int64_t dim = 0) {
  return detail::chunk_pieces(t, chunks, dim, true);
}
template <class T>
std::vector<Tensor<T>> unsafe_split(const Tensor<T>& t, int64_t split_size, int64_t dim = 0) {
  return detail::split_by_size(t, split_size, dim, true);
}
template <class T>
std::vector<Tensor<T>> unsafe_split_with_sizes(const Tensor<T>& t, const std::vector<int64_t>& sizes, int64_t dim = 0) {
  return detail::split_pieces(t, sizes, dim, "UnsafeSplitWithSizesBackward0", true);
}

template <class T>
std::vector<Tensor<T>> Tensor<T>::tensor_split(int64_t sections, int64_t dim) const {
  return ::tessera::tensor_split(*this, sections, dim);
}
template <class T>
std::vector<Tensor<T>> Tensor<T>::tensor_split(const std::vector<int64_t>& indices, int64_t dim) const {
  return ::tessera::tensor_split(*this, indices, dim);
}
template <class T>
std::vector<Tensor<T>> Tensor<T>::tensor_split(const Tensor<int64_t>& indices_or_sections, int64_t dim) const {
  return ::tessera::tensor_split(*this, indices_or_sections, dim);
}
template <class T>
std::vector<Tensor<T>> Tensor<T>::hsplit(int64_t sections) const { return ::tessera::hsplit(*this, sections); }
template <class T>
std::vector<Tensor<T>> Tensor<T>::hsplit(const std::vector<int64_t>& indices) const {
  return ::tessera::hsplit(*this, indices);
}
template <class T>
std::vector<Tensor<T>> Tensor<T>::vsplit(int64_t sections) const { return ::tessera::vsplit(*this, sections); }
template <class T>
std::vector<Tensor<T>> Tensor<T>::vsplit(const std::vector<int64_t>& indices) const {
  return ::tessera::vsplit(*this, indices);
}
template <class T>
std::vector<Tensor<T>> Tensor<T>::dsplit(int64_t sections) const { return ::tessera::dsplit(*this, sections); }
template <class T>
std::vector<Tensor<T>> Tensor<T>::dsplit(const std::vector<int64_t>& indices) const {
  return ::tessera::dsplit(*this, indices);
}
template <class T>
std::vector<Tensor<T>> Tensor<T>::tensor_split(std::initializer_list<int64_t> indices, int64_t dim) const {
  return ::tessera::tensor_split(*this, std::vector<int64_t>(indices), dim);
}
template <class T>
std::vector<Tensor<T>> Tensor<T>::hsplit(std::initializer_list<int64_t> indices) const {
  return ::tessera::hsplit(*this, std::vector<int64_t>(indices));
}
template <class T>
std::vector<Tensor<T>> Tensor<T>::vsplit(std::initializer_list<int64_t> indices) const {
  return ::tessera::vsplit(*this, std::vector<int64_t>(indices));
}
template <class T>
std::vector<Tensor<T>> Tensor<T>::dsplit(std::initializer_list<int64_t> indices) const {
  return ::tessera::dsplit(*this, std::vector<int64_t>(indices));
}
template <class T>
std::vector<Tensor<T>> Tensor<T>::unsafe_chunk(int64_t chunks, int64_t dim) const {
  return ::tessera::unsafe_chunk(*this, chunks, dim);
}
template <class T>
std::vector<Tensor<T>> Tensor<T>::unsafe_split(int64_t split_size, int64_t dim) const {
  return ::tessera::unsafe_split(*this, split_size, dim);
}
template <class T>
std::vector<Tensor<T>> Tensor<T>::unsafe_split_with_sizes(const std::vector<int64_t>& sizes, int64_t dim) const {
  return ::tessera::unsafe_split_with_sizes(*this, sizes, dim);
}

/** torch.meshgrid: views of 0-d and 1-d tensors expanded to the grid of all their lengths;
 *  indexing "ij" (matrix, the default) or "xy" (Cartesian: the grid's first two dims swapped). */
template <class T>
std::vector<Tensor<T>> meshgrid(const std::vector<Tensor<T>>& tensors, std::string_view indexing = "ij") {
  TS_CHECK(!tensors.empty(), "meshgrid: expects a non-empty TensorList");
  TS_CHECK(indexing == "ij" || indexing == "xy", "meshgrid: torch.meshgrid: indexing must be one of \"xy\" or \"ij\", "
           "but received: ", indexing);
  for (const auto& t : tensors)
    TS_CHECK(t.dim() <= 1, "meshgrid: torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got a tensor of shape ",
             detail::shape_str(t.sizes()));
  const bool swap = indexing == "xy" && tensors.size() >= 2;
  std::vector<Tensor<T>> in = tensors;
  if (swap) std::swap(in[0], in[1]);
  Shape grid;
  for (const auto& t : in) grid.push_back(t.numel());
  std::vector<Tensor<T>> out;
  for (size_t i = 0; i < in.size(); ++i) {
    Shape view;
    for (size_t j = 0; j < in.size(); ++j) view.push_back(j == i ? -1 : 1);
    out.push_back(in[i].reshape(view).expand(grid));
  }
  if (swap) std::swap(out[0], out[1]);
  return out;
}
template <class T>
std::vector<Tensor<T>> meshgrid(std::initializer_list<Tensor<T>> tensors, std::string_view indexing = "ij") {
  return meshgrid(std::vector<Tensor<T>>(tensors), indexing);
}

}  // namespace tessera
