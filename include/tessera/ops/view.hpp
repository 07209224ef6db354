#pragma once
// Views: new sizes, strides and offset over the same storage. Never copies (reshape may).

#include <optional>

#include "copy.hpp"

namespace tessera {
namespace detail {

/** Replaces a single -1 in `shape` so that it has `numel` elements; throws like PyTorch. */
inline Shape infer_size(const Shape& shape, int64_t numel, const char* op) {
  Shape out = shape;
  std::optional<size_t> infer;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      TS_CHECK(!infer, op, ": only one dimension can be inferred, got shape ", shape_str(shape));
      infer = i;
    } else {
      TS_CHECK(shape[i] >= 0, op, ": invalid shape dimension ", shape[i], " in shape ", shape_str(shape));
    }
  }
  Shape given;  // the sizes other than the inferred one
  for (size_t i = 0; i < shape.size(); ++i)
    if (!infer || i != *infer) given.push_back(shape[i]);
  int64_t known = 0;  // more than int64_t can count: more than this tensor has
  TS_CHECK(product_fits(given, known), op, ": shape '", shape_str(shape), "' is invalid for input of size ", numel);
  TS_CHECK(!infer || known != 0, op, ": cannot reshape tensor of 0 elements into shape ", shape_str(shape),
           " because the unspecified dimension size -1 can be any value and is ambiguous");
  const bool ok = infer ? numel % known == 0 : known == numel;
  TS_CHECK(ok, op, ": shape '", shape_str(shape), "' is invalid for input of size ", numel);
  if (infer) out[*infer] = numel / known;
  return out;
}

// Strides that let `new_sizes` view memory laid out as (old_sizes, old_strides), or nothing
// when a dimension would have to span two non-contiguous chunks (PyTorch's computeStride).
inline std::optional<Shape> view_strides(const Shape& old_sizes, const Shape& old_strides, const Shape& new_sizes) {
  const int64_t numel = checked_numel(old_sizes, "view");
  Shape out = Shape::filled(new_sizes.size(), 1);
  if (old_sizes.empty()) return out;
  if (numel == 0) {
    if (old_sizes == new_sizes) return old_strides;
    return contiguous_strides(new_sizes);
  }
  int64_t view_d = static_cast<int64_t>(new_sizes.size()) - 1;
  int64_t chunk_base_stride = old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(old_sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_sizes[d];
    if (d == 0 || (old_sizes[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || new_sizes[view_d] == 1)) {
        out[view_d] = view_numel * chunk_base_stride;
        view_numel *= new_sizes[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base_stride = old_strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return out;
}

/** Python's slice semantics: clamps start/stop into [0, size]; returns (start, length). */
inline std::pair<int64_t, int64_t> slice_range(int64_t size, std::optional<int64_t> start_, std::optional<int64_t> stop_,
                                               int64_t step) {
  int64_t start = start_.value_or(0), stop = stop_.value_or(size);
  if (start < 0) start += size;  // no overflow: size >= 0
  if (stop < 0) stop += size;
  start = std::clamp<int64_t>(start, 0, size);
  stop = std::clamp<int64_t>(stop, start, size);
  return {start, stop == start ? 0 : (stop - start - 1) / step + 1};
}

/** Records `NodeT(args...)` as the history of view `out` of `in` when `in` needs grad. */
template <class NodeT, class T, class... Args>
Tensor<T> record_view(const Tensor<T>& in, Tensor<T> out, Args&&... args) {
  if constexpr (is_floating_v<T>)
    if (needs_grad(in)) record<NodeT>({in}, {out}, std::forward<Args>(args)...);
  return out;
}

}  // namespace detail

template <class T>
Tensor<T> Tensor<T>::view(const Shape& shape) const {
  const Shape sizes = detail::infer_size(shape, numel(), "view");
  auto strides = detail::view_strides(this->sizes(), this->strides(), sizes);
  TS_CHECK(strides.has_value(), "view: view size is not compatible with input tensor's size and stride (at least one "
           "dimension spans across two contiguous subspaces). Use .reshape(...) instead. (input shape ",
           detail::shape_str(this->sizes()), ", strides ", detail::shape_str(this->strides()), ", view shape ",
           detail::shape_str(sizes), ")");
  return detail::record_view<detail::ReshapeBackward<T>>(
      *this, detail::make_view(*this, sizes, std::move(*strides), storage_offset()), this->sizes(), "ViewBackward0");
}

template <class T>
Tensor<T> Tensor<T>::reshape(const Shape& shape) const {
  const Shape sizes = detail::infer_size(shape, numel(), "reshape");
  if (auto strides = detail::view_strides(this->sizes(), this->strides(), sizes))
    return detail::record_view<detail::ReshapeBackward<T>>(
        *this, detail::make_view(*this, sizes, std::move(*strides), storage_offset()), this->sizes(),
        "ReshapeAliasBackward0");
  Tensor<T> copy = detail::empty_tensor<T>(this->sizes(), {.device = device()}, "reshape");
  detail::copy_fresh<T, T>(copy.impl(), impl(), "reshape");
  // PyTorch records the copy and an unsafe view of it as one step.
  copy = detail::make_view(copy, sizes, detail::contiguous_strides(sizes), 0);
  copy.impl().forget_view_base();
  return detail::record_view<detail::ReshapeBackward<T>>(*this, copy, this->sizes(), "UnsafeViewBackward0");
}

template <class T>
Tensor<T> Tensor<T>::transpose(int64_t d0, int64_t d1) const {
  d0 = detail::wrap_dim(d0, dim(), "transpose");
  d1 = detail::wrap_dim(d1, dim(), "transpose");
  return transpose_view(d0, d1, "TransposeBackward0");
}

template <class T>
Tensor<T> Tensor<T>::transpose_view(int64_t d0, int64_t d1, const char* node_name) const {
  Shape sz = sizes(), st = strides();
  if (dim() > 0) {
    std::swap(sz[d0], sz[d1]);
    std::swap(st[d0], st[d1]);
  }
  return detail::record_view<detail::TransposeBackward0<T>>(
      *this, detail::make_view(*this, std::move(sz), std::move(st), storage_offset()), d0, d1, node_name);
}

template <class T>
Tensor<T> Tensor<T>::t() const {
  TS_CHECK(dim() <= 2, "t: t() expects a tensor with <= 2 dimensions, but self is ", dim(), "D");
  return dim() < 2 ? transpose_view(0, 0, "TBackward0") : transpose_view(0, 1, "TBackward0");
}

template <class T>
Tensor<T> Tensor<T>::permute(const Shape& dims) const {
  TS_CHECK(static_cast<int64_t>(dims.size()) == dim(), "permute: number of dims don't match in permute (got ",
           detail::shape_str(dims), " for a tensor of shape ", detail::shape_str(sizes()), ")");
  Shape sz = Shape::filled(dims.size(), 0), st = Shape::filled(dims.size(), 0);
  std::vector<bool> seen(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = detail::wrap_dim(dims[i], dim(), "permute");
    TS_CHECK(!seen[static_cast<size_t>(d)], "permute: repeated dim ", dims[i], " in ", detail::shape_str(dims));
    seen[static_cast<size_t>(d)] = true;
    sz[i] = sizes()[d];
    st[i] = strides()[d];
  }
  Shape wrapped = dims;
  for (auto& d : wrapped) d = detail::wrap_dim(d, dim(), "permute");
  return detail::record_view<detail::PermuteBackward0<T>>(
      *this, detail::make_view(*this, std::move(sz), std::move(st), storage_offset()), wrapped);
}

template <class T>
Tensor<T> Tensor<T>::squeeze() const {
  Shape sz, st;
  for (int64_t d = 0; d < dim(); ++d) {
    if (sizes()[d] == 1) continue;
    sz.push_back(sizes()[d]);
    st.push_back(strides()[d]);
  }
  return detail::record_view<detail::ReshapeBackward<T>>(
      *this, detail::make_view(*this, std::move(sz), std::move(st), storage_offset()), sizes(), "SqueezeBackward0");
}

template <class T>
Tensor<T> Tensor<T>::squeeze(int64_t d) const {
  d = detail::wrap_dim(d, dim(), "squeeze");
  Shape sz = sizes(), st = strides();
  if (dim() > 0 && sz[d] == 1) {
    sz.erase(d);
    st.erase(d);
  }
  return detail::record_view<detail::ReshapeBackward<T>>(
      *this, detail::make_view(*this, std::move(sz), std::move(st), storage_offset()), sizes(), "SqueezeBackward1");
}

template <class T>
Tensor<T> Tensor<T>::unsqueeze(int64_t d) const {
  d = detail::wrap_dim(d, dim() + 1, "unsqueeze");
  Shape sz = sizes(), st = strides();
  const int64_t stride = d < dim() ? detail::wrapping_mul(sz[d], st[d]) : 1;  // Note [Sizes that overflow]
  sz.insert(d, 1);
  st.insert(d, stride);
  return detail::record_view<detail::UnsqueezeBackward0<T>>(
      *this, detail::make_view(*this, std::move(sz), std::move(st), storage_offset()), d);
}

template <class T>
Tensor<T> Tensor<T>::expand(const Shape& shape) const {
  const int64_t nd = static_cast<int64_t>(shape.size());
  TS_CHECK(nd >= dim(), "expand: the number of sizes provided (", nd, ") must be greater or equal to the number of "
           "dimensions in the tensor (", dim(), "); target ", detail::shape_str(shape), ", tensor ",
           detail::shape_str(sizes()));
  Shape sz = Shape::filled(static_cast<size_t>(nd), 0), st = Shape::filled(static_cast<size_t>(nd), 0);
  for (int64_t i = nd - 1; i >= 0; --i) {
    const int64_t j = i - (nd - dim());  // matching dim of self, or < 0 for a new leading dim
    int64_t target = shape[i];
    if (j < 0) {
      TS_CHECK(target >= 0, "expand: the expanded size of the tensor (", target, ") isn't allowed in a leading, "
               "non-existing dimension ", i);
      sz[i] = target;
      st[i] = 0;
      continue;
    }
    const int64_t have = sizes()[j];
    if (target == -1) target = have;
    TS_CHECK(have == target || have == 1, "expand: the expanded size of the tensor (", target, ") must match the "
             "existing size (", have, ") at non-singleton dimension ", i, ".  Target sizes: ", detail::shape_str(shape),
             ".  Tensor sizes: ", detail::shape_str(sizes()));
    TS_CHECK(target >= 0, "expand: invalid size ", target, " in ", detail::shape_str(shape));
    sz[i] = target;
    st[i] = have == target ? strides()[j] : 0;
  }
  detail::checked_numel(sz, "expand");  // Note [Sizes that overflow]
  return detail::record_view<detail::ExpandBackward0<T>>(
      *this, detail::make_view(*this, std::move(sz), std::move(st), storage_offset()), sizes());
}

template <class T>
Tensor<T> Tensor<T>::flatten(int64_t start, int64_t end) const {
  start = detail::wrap_dim(start, dim(), "flatten");
  end = detail::wrap_dim(end, dim(), "flatten");
  TS_CHECK(start <= end, "flatten: flatten() has invalid args: start_dim (", start, ") cannot come after end_dim (",
           end, ")");
  if (dim() == 0) return reshape({1});
  if (start == end) return *this;
  Shape shape;
  for (int64_t d = 0; d < start; ++d) shape.push_back(sizes()[d]);
  int64_t merged = 1;
  for (int64_t d = start; d <= end; ++d) merged *= sizes()[d];
  shape.push_back(merged);
  for (int64_t d = end + 1; d < dim(); ++d) shape.push_back(sizes()[d]);
  return reshape(shape);
}

namespace detail {
/** narrow's checks (PyTorch's messages); returns the wrapped dim and start. */
inline std::pair<int64_t, int64_t> narrow_range(const Shape& sizes, int64_t d, int64_t start, int64_t length,
                                                const char* op) {
  const int64_t nd = static_cast<int64_t>(sizes.size());
  TS_CHECK(nd > 0, op, ": narrow() cannot be applied to a 0-dim tensor.");
  d = wrap_dim(d, nd, op);
  const int64_t size = sizes[d];
  if (start != size) {  // as PyTorch's maybe_wrap_dim(start, size): a size of 0 counts as 1
    const int64_t wrap = size > 0 ? size : 1;
    TS_CHECK(start >= -wrap && start < wrap, op, ": Dimension out of range (expected to be in range of [", -wrap, ", ",
             wrap - 1, "], but got ", start, ")");
    if (start < 0) start += wrap;
  }
  TS_CHECK(length >= 0 && start <= size - length, op, ": start (", start, ") + length (", length,
           ") exceeds dimension size (", size, ").");
  return {d, start};
}
}  // namespace detail

template <class T>
Tensor<T> Tensor<T>::narrow(int64_t d_in, int64_t start_in, int64_t length) const {
  const auto [d, start] = detail::narrow_range(sizes(), d_in, start_in, length, "narrow");
  Shape sz = sizes();
  sz[d] = length;
  return detail::record_view<detail::SliceBackward0<T>>(
      *this, detail::make_view(*this, std::move(sz), strides(), storage_offset() + start * strides()[d]), sizes(), d,
      start, start + length, 1);
}

template <class T>
Tensor<T> Tensor<T>::select(int64_t d, int64_t i) const {
  TS_CHECK(dim() > 0, "select: select() cannot be applied to a 0-dim tensor.");
  d = detail::wrap_dim(d, dim(), "select");
  const int64_t size = sizes()[d];
  TS_CHECK(i >= -size && i < size, "select: select(): index ", i, " out of range for tensor of size ",
           detail::shape_str(sizes()), " at dimension ", d);
  if (i < 0) i += size;
  Shape sz = sizes(), st = strides();
  const int64_t offset = storage_offset() + i * st[d];
  sz.erase(d);
  st.erase(d);
  return detail::record_view<detail::SelectBackward0<T>>(
      *this, detail::make_view(*this, std::move(sz), std::move(st), offset), sizes(), d, i);
}

template <class T>
Tensor<T> Tensor<T>::slice(int64_t d, std::optional<int64_t> start, std::optional<int64_t> end, int64_t step) const {
  TS_CHECK(dim() > 0, "slice: slice() cannot be applied to a 0-dim tensor.");
  TS_CHECK(step > 0, "slice: slice step must be positive, got ", step);
  d = detail::wrap_dim(d, dim(), "slice");
  const auto [first, length] = detail::slice_range(sizes()[d], start, end, step);
  Shape sz = sizes(), st = strides();
  sz[d] = length;
  const int64_t offset = storage_offset() + (length > 0 ? first * st[d] : 0);
  // Note [Sizes that overflow]: a step beyond the dim only matters when it reaches a second element.
  if (__builtin_mul_overflow(st[d], step, &st[d])) st[d] = strides()[d];
  return detail::record_view<detail::SliceBackward0<T>>(
      *this, detail::make_view(*this, std::move(sz), std::move(st), offset), sizes(), d, first,
      first + (length - 1) * step + 1, step);
}

template <class T>
Tensor<T> Tensor<T>::unfold(int64_t d, int64_t size, int64_t step) const {
  d = detail::wrap_dim(d, dim(), "unfold");
  const int64_t have = dim() == 0 ? 1 : sizes()[d];
  TS_CHECK(size >= 0 && size <= have, "unfold: maximum size for tensor at dimension ", d, " is ", have,
           " but size is ", size);
  TS_CHECK(step > 0, "unfold: step is ", step, " but must be > 0");
  Shape sz = sizes(), st = strides();
  const int64_t stride = dim() == 0 ? 1 : st[d];
  if (dim() > 0) {
    sz[d] = (have - size) / step + 1;
    if (__builtin_mul_overflow(st[d], step, &st[d])) st[d] = stride;  // one window: Note [Sizes that overflow]
  }
  sz.push_back(size);
  st.push_back(stride);
  return detail::record_view<detail::UnfoldBackward0<T>>(
      *this, detail::make_view(*this, std::move(sz), std::move(st), storage_offset()), sizes(), d, size, step);
}

template <class T>
Tensor<T> Tensor<T>::as_strided(const Shape& sz, const Shape& st, std::optional<int64_t> offset_) const {
  const int64_t offset = offset_.value_or(storage_offset());
  TS_CHECK(sz.size() == st.size(), "as_strided: mismatch in length of strides and shape (", detail::shape_str(sz),
           " and ", detail::shape_str(st), ")");
  TS_CHECK(offset >= 0, "as_strided: Tensor: invalid storage offset ", offset);
  const int64_t extent = detail::storage_extent(sz, st, offset, "as_strided");
  const int64_t capacity = static_cast<int64_t>(storage().nbytes() / sizeof(T));
  TS_CHECK(extent <= capacity, "as_strided: setStorage: sizes ", detail::shape_str(sz), ", strides ",
           detail::shape_str(st), ", storage offset ", offset, ", and itemsize ", sizeof(T), " requiring a storage size of ",
           extent * static_cast<int64_t>(sizeof(T)), " are out of bounds for storage of size ", storage().nbytes());
  return detail::record_view<detail::AsStridedBackward0<T>>(*this, detail::make_view(*this, sz, st, offset), impl(),
                                                            sz, st, offset);
}

template <class T>
Tensor<T> Tensor<T>::diagonal(int64_t offset, int64_t d0, int64_t d1) const {
  d0 = detail::wrap_dim(d0, dim(), "diagonal");
  d1 = detail::wrap_dim(d1, dim(), "diagonal");
  TS_CHECK(d0 != d1, "diagonal: diagonal dimensions cannot be identical ", d0, ", ", d1);
  int64_t length, start = storage_offset();
  if (offset >= 0) {
    length = std::max<int64_t>(std::min(sizes()[d0], sizes()[d1] - offset), 0);
    if (length > 0) start += offset * strides()[d1];
  } else {
    length = std::max<int64_t>(std::min(sizes()[d0] + offset, sizes()[d1]), 0);
    if (length > 0) start -= offset * strides()[d0];
  }
  Shape sz, st;
  for (int64_t d = 0; d < dim(); ++d) {
    if (d == d0 || d == d1) continue;
    sz.push_back(sizes()[d]);
    st.push_back(strides()[d]);
  }
  sz.push_back(length);
  st.push_back(strides()[d0] + strides()[d1]);
  return detail::record_view<detail::DiagonalBackward0<T>>(
      *this, detail::make_view(*this, std::move(sz), std::move(st), start), sizes(), offset, d0, d1);
}

template <class T>
Tensor<T> Tensor<T>::detach() const {
  // Shares the data and its version counter, but no history: not a view for autograd.
  return Tensor<T>(detail::make_tensor_impl(storage(), sizes(), strides(), storage_offset(), dtype_of<T>));
}

}  // namespace tessera

// --- moving and splitting dims -------------------------------------------------------------------

namespace tessera {

template <class T>
Tensor<T> Tensor<T>::movedim(const Shape& source, const Shape& destination) const {
  TS_CHECK(source.size() == destination.size(), "movedim: Invalid source or destination dims: source (",
           detail::shape_str(source), " dims) should contain the same number of dims as destination (",
           detail::shape_str(destination), " dims)");
  const int64_t n = dim();
  Shape src, dst;
  for (size_t i = 0; i < source.size(); ++i) {
    src.push_back(detail::wrap_dim(source[i], n, "movedim"));
    dst.push_back(detail::wrap_dim(destination[i], n, "movedim"));
  }
  // PyTorch checks for repeats after wrapping and names the list as given.
  const auto repeated = [](const Shape& dims) {
    for (size_t i = 0; i < dims.size(); ++i)
      for (size_t j = i + 1; j < dims.size(); ++j)
        if (dims[i] == dims[j]) return true;
    return false;
  };
  TS_CHECK(!repeated(src), "movedim: repeated dim in `source` (", detail::shape_str(source), ")");
  TS_CHECK(!repeated(dst), "movedim: repeated dim in `destination` (", detail::shape_str(destination), ")");
  if (n == 0) return permute({});
  // The moved dims take their destinations; the others keep their order in the places left.
  Shape order = Shape::filled(static_cast<size_t>(n), -1);
  std::vector<bool> src_used(static_cast<size_t>(n), false);
  for (size_t i = 0; i < src.size(); ++i) {
    order[static_cast<size_t>(dst[i])] = src[i];
    src_used[static_cast<size_t>(src[i])] = true;
  }
  int64_t next = 0;
  for (int64_t p = 0; p < n; ++p) {
    if (order[p] != -1) continue;
    while (src_used[static_cast<size_t>(next)]) ++next;
    order[p] = next++;
  }
  return permute(order);
}

template <class T>
Tensor<T> Tensor<T>::movedim(int64_t source, int64_t destination) const {
  return movedim(Shape{source}, Shape{destination});
}

template <class T>
Tensor<T> Tensor<T>::unflatten(int64_t d, const Shape& sizes) const {
  TS_CHECK(dim() > 0, "unflatten: Dimension specified as ", d, " but tensor has no dimensions");
  d = detail::wrap_dim(d, dim(), "unflatten");
  TS_CHECK(!sizes.empty(), "unflatten: sizes must be non-empty");
  const int64_t have = this->sizes()[d];
  // PyTorch's infer_size, with unflatten's message for sizes that do not multiply up.
  int64_t known = 1, inferred = 0;
  bool valid = true;
  for (int64_t s : sizes) {
    TS_CHECK(s >= -1, "unflatten: invalid shape dimension ", s);
    if (s == -1) ++inferred;
    else if (s < 0 || __builtin_mul_overflow(known, s, &known)) valid = false;
  }
  if (valid && inferred <= 1)
    TS_CHECK(have == known || (inferred == 1 && known > 0 && have % known == 0), "unflatten: Provided sizes ",
             detail::shape_str(sizes), " don't multiply up to the size of dim ", d, " (", have, ") in the input tensor");
  const Shape inner = detail::infer_size(sizes, have, "unflatten");
  Shape shape;
  for (int64_t k = 0; k < d; ++k) shape.push_back(this->sizes()[k]);
  for (int64_t s : inner) shape.push_back(s);
  for (int64_t k = d + 1; k < dim(); ++k) shape.push_back(this->sizes()[k]);
  return view(shape);
}

template <class T>
Tensor<T> Tensor<T>::narrow_copy(int64_t d_in, int64_t start_in, int64_t length) const {
  if (dim() > 0) {  // PyTorch wraps narrow_copy's start as a dim: [-size, size)
    const int64_t size = sizes()[detail::wrap_dim(d_in, dim(), "narrow_copy")];
    TS_CHECK(start_in >= -size && start_in < std::max<int64_t>(size, 1), "narrow_copy: dimension out of range (expected to "
             "be in range of [", -std::max<int64_t>(size, 1), ", ", std::max<int64_t>(size, 1) - 1, "], but got ", start_in, ")");
  }
  const auto [d, start] = detail::narrow_range(sizes(), d_in, start_in, length, "narrow_copy");
  Tensor<T> out;
  {
    NoGradGuard no_grad;
    out = narrow(d, start, length).clone();
  }
  // PyTorch 1.13 records narrow_copy but has no derivative for it: backward throws.
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(*this)) detail::record<detail::NotImplemented>({*this}, {out}, std::string("narrow_copy"));
  return out;
}

template <class T>
Tensor<T> Tensor<T>::numpy_T() const {
  Shape reversed;
  for (int64_t d = dim(); d-- > 0;) reversed.push_back(d);
  return permute(reversed);
}

template <class T>
Tensor<T> Tensor<T>::mT() const {
  TS_CHECK(dim() != 1, "mT: tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.");
  return dim() == 0 ? transpose_view(0, 0, "TransposeBackward0") : transpose(-2, -1);
}

template <class T>
Tensor<T> Tensor<T>::mH() const {
  TS_CHECK(dim() != 1, "mH: tensor.mH is only supported on matrices or batches of matrices. Got 1-D tensor.");
  return mT();
}

/** torch.movedim and its alias torch.moveaxis: `source` dims moved to `destination`, the others in order. */
template <class T>
Tensor<T> movedim(const Tensor<T>& x, int64_t source, int64_t destination) {
  return x.movedim(source, destination);
}
template <class T>
Tensor<T> movedim(const Tensor<T>& x, const Shape& source, const Shape& destination) {
  return x.movedim(source, destination);
}
template <class T>
Tensor<T> moveaxis(const Tensor<T>& x, int64_t source, int64_t destination) {
  return x.movedim(source, destination);
}
template <class T>
Tensor<T> moveaxis(const Tensor<T>& x, const Shape& source, const Shape& destination) {
  return x.movedim(source, destination);
}
/** torch.swapaxes and torch.swapdims: aliases of transpose. */
template <class T>
Tensor<T> swapaxes(const Tensor<T>& x, int64_t d0, int64_t d1) {
  return x.transpose(d0, d1);
}
template <class T>
Tensor<T> swapdims(const Tensor<T>& x, int64_t d0, int64_t d1) {
  return x.transpose(d0, d1);
}
/** torch.broadcast_to: expand under numpy's name. */
template <class T>
Tensor<T> broadcast_to(const Tensor<T>& x, const Shape& shape) {
  return x.expand(shape);
}
/** torch.unbind: the slices along dim, as views (dim is removed). */
template <class T>
std::vector<Tensor<T>> unbind(const Tensor<T>& x, int64_t dim = 0) {
  return x.unbind(dim);
}
namespace detail {
/** The pieces of unbind or split of `input`, made with grad mode off, recorded as the outputs of
 *  one NodeT(args...). With grad mode on they are PyTorch's multi-output views, which may not be
 *  changed in place (Note [Stale view histories]); the pieces of unsafe_split are no views to
 *  autograd at all. */
template <class NodeT, class T, class... Args>
void record_pieces(const std::vector<Tensor<T>>& pieces, const Tensor<T>& input, bool unsafe, Args&&... args) {
  for (const Tensor<T>& piece : pieces) {
    TensorImpl& impl = piece.impl();
    if (unsafe)
      impl.forget_view_base();
    else
      impl.view_kind = GradMode::is_enabled() ? ViewKind::MultiOutput : ViewKind::Plain;
  }
  if constexpr (is_floating_v<T>) {  // integral tensors never require grad
    if (needs_grad(input)) {
      const AnyTensor in = input;
      const std::vector<AnyTensor> outputs(pieces.begin(), pieces.end());
      record_lists<NodeT>(std::span<const AnyTensor>(&in, 1), outputs, std::forward<Args>(args)...);
    }
  }
}
}  // namespace detail

template <class T>
std::vector<Tensor<T>> Tensor<T>::unbind(int64_t dim) const {
  TS_CHECK(this->dim() > 0, "unbind: Dimension specified as ", dim, " but tensor has no dimensions");
  const int64_t d = detail::wrap_dim(dim, this->dim(), "unbind");
  std::vector<Tensor<T>> out;
  out.reserve(static_cast<size_t>(size(d)));
  {
    NoGradGuard no_grad;
    for (int64_t i = 0; i < size(d); ++i) out.push_back(select(d, i));
  }
  detail::record_pieces<detail::UnbindBackward0<T>>(out, *this, false, out.empty() ? Shape{} : out[0].sizes(), d);
  return out;
}
namespace detail {
/** An in-place view op: self takes `view`'s sizes, strides and offset, its storage's version is
 *  bumped, and with grad mode on the view's node (recorded from self) becomes self's history, as
 *  PyTorch's t_() and squeeze_() do; a leaf that requires grad is refused. */
template <class T>
const Tensor<T>& restride_inplace(const Tensor<T>& self, const Tensor<T>& view) {
  sync_view_history(self.impl_ptr());  // a stale history first remade as of the old geometry
  self.impl().set_view_metadata(view.sizes(), view.strides(), view.storage_offset());
  self.storage().bump_version();
  self.impl().view_version = self.storage().version();
  if constexpr (is_floating_v<T>)
    if (view.impl().autograd && view.impl().autograd->grad_fn) set_history(self, view.impl().autograd->grad_fn, 0);
  return self;
}
/** check_inplace before an in-place view op records its node. */
template <class T>
void check_inplace_view(const Tensor<T>& self) {
  if (needs_grad(self)) check_inplace(self);
}
}  // namespace detail

template <class T>
const Tensor<T>& Tensor<T>::squeeze_() const {
  detail::check_inplace_view(*this);
  return detail::restride_inplace(*this, squeeze());
}
template <class T>
const Tensor<T>& Tensor<T>::squeeze_(int64_t d) const {
  detail::check_inplace_view(*this);
  return detail::restride_inplace(*this, squeeze(d));
}
template <class T>
const Tensor<T>& Tensor<T>::unsqueeze_(int64_t d) const {
  detail::check_inplace_view(*this);
  return detail::restride_inplace(*this, unsqueeze(d));
}
template <class T>
const Tensor<T>& Tensor<T>::t_() const {
  TS_CHECK(dim() <= 2, "t_: t_() expects a tensor with <= 2 dimensions, but self is ", dim(), "D");
  detail::check_inplace_view(*this);
  return detail::restride_inplace(*this, t());
}
template <class T>
const Tensor<T>& Tensor<T>::transpose_(int64_t d0, int64_t d1) const {
  detail::check_inplace_view(*this);
  return detail::restride_inplace(*this, transpose(d0, d1));
}
template <class T>
const Tensor<T>& Tensor<T>::as_strided_(const Shape& sz, const Shape& st, std::optional<int64_t> offset) const {
  detail::check_inplace_view(*this);
  return detail::restride_inplace(*this, as_strided(sz, st, offset));
}
template <class T>
const Tensor<T>& Tensor<T>::detach_() const {
  TS_CHECK(!impl().view_base, "detach_: Can't detach views in-place. Use detach() instead. If you are using "
           "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, gradients are "
           "views of DDP buckets, and hence detach_() cannot be called on these gradients. To fix this error, please "
           "refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.");
  if (impl().autograd) {
    impl().autograd->grad_fn = nullptr;
    impl().autograd->requires_grad = false;
    impl().autograd->output_nr = 0;
  }
  return *this;
}

template <class T>
template <Scalar S>
const Tensor<T>& Tensor<T>::fill_diagonal_(S value, bool wrap) const {
  TS_CHECK(dim() >= 2, "fill_diagonal_: dimensions must larger than 1");
  const int64_t height = size(0), width = size(1);
  for (int64_t d = 2; d < dim(); ++d)
    TS_CHECK(size(d) == height, "fill_diagonal_: all dimensions of input must be of equal length");
  // Written through as_strided views, as PyTorch: a leaf that requires grad is refused as a view of one.
  int64_t stride = 0;
  for (int64_t d = 0; d < dim(); ++d) stride += strides()[d];
  const int64_t length = std::min(height, width);
  as_strided({length}, {stride}, storage_offset()).fill_(value);
  if (wrap && dim() == 2 && height > width + 1) {
    // PyTorch's: the diagonal goes on every width + 1 rows, counted over the elements.
    const int64_t step = width + 1, more = (numel() + step - 1) / step - length;
    as_strided({more}, {stride}, storage_offset() + strides()[0] * step).fill_(value);
  }
  return *this;
}

namespace detail {
/** select_scatter and its kin: a copy of self with `src` written into one view of it. The copy
 *  keeps self's strides (as PyTorch's clone), and the write is an in-place copy into a view, so
 *  autograd gives self the gradient outside the view and src the gradient inside it. */
template <class T, class U, class View>
Tensor<T> scatter_into_copy(const Tensor<T>& self, const Tensor<U>& src, const char* op, View view_of) {
  Tensor<T> out = self.clone();
  const Tensor<T> slice = view_of(out);
  TS_CHECK(slice.sizes() == src.sizes(), op, ": expected src to have a size equal to the slice of self. src size = ",
           shape_str(src.sizes()), ", slice size = ", shape_str(slice.sizes()));
  slice.copy_(src);
  return out;
}
}  // namespace detail

/** torch.select_scatter: a copy of self whose select(dim, index) is src. */
template <class T, class U>
Tensor<T> select_scatter(const Tensor<T>& self, const Tensor<U>& src, int64_t dim, int64_t index) {
  return detail::scatter_into_copy(self, src, "select_scatter",
                                   [&](const Tensor<T>& o) { return o.select(dim, index); });
}
/** torch.slice_scatter: a copy of self whose slice(dim, start, end, step) is src. */
template <class T, class U>
Tensor<T> slice_scatter(const Tensor<T>& self, const Tensor<U>& src, int64_t dim = 0,
                        std::optional<int64_t> start = std::nullopt, std::optional<int64_t> end = std::nullopt,
                        int64_t step = 1) {
  return detail::scatter_into_copy(self, src, "slice_scatter",
                                   [&](const Tensor<T>& o) { return o.slice(dim, start, end, step); });
}
/** torch.diagonal_scatter: a copy of self whose diagonal(offset, dim1, dim2) is src. */
template <class T, class U>
Tensor<T> diagonal_scatter(const Tensor<T>& self, const Tensor<U>& src, int64_t offset = 0, int64_t dim1 = 0,
                           int64_t dim2 = 1) {
  return detail::scatter_into_copy(self, src, "diagonal_scatter",
                                   [&](const Tensor<T>& o) { return o.diagonal(offset, dim1, dim2); });
}
/** torch.as_strided_scatter: a copy of self whose as_strided(size, stride, storage_offset) is src
 *  (the copy's storage, laid out as self's strides, holds exactly self's elements). */
template <class T, class U>
Tensor<T> as_strided_scatter(const Tensor<T>& self, const Tensor<U>& src, const Shape& size, const Shape& stride,
                             std::optional<int64_t> storage_offset = std::nullopt) {
  // PyTorch's backward assumes the copy's storage is self's elements in order.
  TS_CHECK(!self.requires_grad() || self.is_contiguous(), "as_strided_scatter: as_strided_scatter is currently only "
           "supported for contiguous inputs (self has sizes ", detail::shape_str(self.sizes()), ", strides ",
           detail::shape_str(self.strides()), ")");
  return detail::scatter_into_copy(self, src, "as_strided_scatter",
                                   [&](const Tensor<T>& o) { return o.as_strided(size, stride, storage_offset); });
}

template <class T>
template <class U>
Tensor<T> Tensor<T>::select_scatter(const Tensor<U>& src, int64_t dim, int64_t index) const {
  return ::tessera::select_scatter(*this, src, dim, index);
}
template <class T>
template <class U>
Tensor<T> Tensor<T>::slice_scatter(const Tensor<U>& src, int64_t dim, std::optional<int64_t> start,
                                   std::optional<int64_t> end, int64_t step) const {
  return ::tessera::slice_scatter(*this, src, dim, start, end, step);
}
template <class T>
template <class U>
Tensor<T> Tensor<T>::diagonal_scatter(const Tensor<U>& src, int64_t offset, int64_t dim1, int64_t dim2) const {
  return ::tessera::diagonal_scatter(*this, src, offset, dim1, dim2);
}
template <class T>
template <class U>
Tensor<T> Tensor<T>::as_strided_scatter(const Tensor<U>& src, const Shape& size, const Shape& stride,
                                        std::optional<int64_t> storage_offset) const {
  return ::tessera::as_strided_scatter(*this, src, size, stride, storage_offset);
}

/** torch.atleast_1d/2d/3d: x viewed with leading (and for 3d, trailing) dims of size 1 added. */
template <class T>
Tensor<T> atleast_1d(const Tensor<T>& x) {
  return x.dim() == 0 ? x.reshape({1}) : x;
}
template <class T>
Tensor<T> atleast_2d(const Tensor<T>& x) {
  return x.dim() == 0 ? x.reshape({1, 1}) : x.dim() == 1 ? x.unsqueeze(0) : x;
}
template <class T>
Tensor<T> atleast_3d(const Tensor<T>& x) {
  if (x.dim() == 0) return x.reshape({1, 1, 1});
  if (x.dim() == 1) return x.unsqueeze(0).unsqueeze(-1);
  return x.dim() == 2 ? x.unsqueeze(-1) : x;
}
/** torch.ravel: the elements as one dim (a view when the strides allow). */
template <class T>
Tensor<T> ravel(const Tensor<T>& x) {
  return x.ravel();
}
template <class T>
Tensor<T> unflatten(const Tensor<T>& x, int64_t d, const Shape& sizes) {
  return x.unflatten(d, sizes);
}
template <class T>
Tensor<T> narrow_copy(const Tensor<T>& x, int64_t d, int64_t start, int64_t length) {
  return x.narrow_copy(d, start, length);
}
template <class T>
Tensor<T> diagonal(const Tensor<T>& x, int64_t offset = 0, int64_t d0 = 0, int64_t d1 = 1) {
  return x.diagonal(offset, d0, d1);
}

}  // namespace tessera
