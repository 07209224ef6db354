#pragma once
// Layout helpers shared by ops: dense-stride inference and overlap checks.

#include "../core/tensor.hpp"
#include "../iter/strided_loop.hpp"

namespace tessera::detail {

/** True when the elements exactly tile a block of memory (any dimension order). */
inline bool is_non_overlapping_and_dense(const Shape& sizes, const Shape& strides) {
  const size_t nd = sizes.size();
  if (nd == 1) return sizes[0] < 2 || strides[0] == 1;
  // Dimensions by increasing stride, those of size 0 or 1 last (an insertion sort: nd is small).
  auto before = [&](int64_t a, int64_t b) { return sizes[a] >= 2 && (sizes[b] < 2 || strides[a] < strides[b]); };
  Shape perm = Shape::filled(nd, 0);
  for (size_t i = 0; i < nd; ++i) {
    size_t j = i;
    for (; j > 0 && before(static_cast<int64_t>(i), perm[j - 1]); --j) perm[j] = perm[j - 1];
    perm[j] = static_cast<int64_t>(i);
  }
  int64_t required = 1;
  for (int64_t i : perm) {
    if (sizes[i] < 2) return true;
    if (strides[i] != required) return false;
    required *= sizes[i];
  }
  return true;
}

/** Dense strides that keep the order of `strides` (PyTorch's infer_dense_strides): the layout
 *  an elementwise result of this one input would get. */
inline Shape infer_dense_strides(const Shape& sizes, const Shape& strides) {
  const Shape* inputs[] = {&strides};
  return result_strides(sizes, inputs);
}

/** Strides for a new tensor shaped like `impl`, as torch.empty_like's preserve_format. */
inline Shape preserved_strides(const TensorImpl& impl) {
  if (impl.is_contiguous() || is_non_overlapping_and_dense(impl.sizes, impl.strides)) return impl.strides;
  return infer_dense_strides(impl.sizes, impl.strides);
}

/** True when some element is reachable twice (a broadcast dimension), the check PyTorch makes
 *  before writing into a tensor. */
inline bool has_internal_overlap(const TensorImpl& impl) {
  for (size_t d = 0; d < impl.sizes.size(); ++d)
    if (impl.sizes[d] > 1 && impl.strides[d] == 0) return true;
  return false;
}

/** Byte range [first, last] touched by a non-empty view. */
inline std::pair<const char*, const char*> byte_span(const TensorImpl& impl) {
  const char* first = impl.data();
  int64_t last = 0;
  for (size_t d = 0; d < impl.sizes.size(); ++d) last += (impl.sizes[d] - 1) * impl.strides[d];
  return {first, first + (last + 1) * element_size(impl.dtype) - 1};
}

/** True when two non-empty views may read or write the same bytes. */
inline bool may_overlap(const TensorImpl& a, const TensorImpl& b) {
  if (a.numel == 0 || b.numel == 0 || !a.storage.is_alias_of(b.storage)) return false;
  const auto [a0, a1] = byte_span(a);
  const auto [b0, b1] = byte_span(b);
  return a0 <= b1 && b0 <= a1;
}

template <class T>
Tensor<T> empty_strided_tensor(const Shape& sizes, const Shape& strides, Device device = Device::cpu()) {
  const int64_t span = storage_extent(sizes, strides, 0, "empty_strided");
  auto impl = make_tensor_impl(Storage::allocate(checked_bytes(span, sizeof(T), "empty_strided", sizes, strides), device), sizes,
                               strides, 0, dtype_of<T>);
  return Tensor<T>(std::move(impl));
}

/** An uninitialised tensor with `like`'s shape and device, strides as PyTorch's preserve_format. */
template <class T>
Tensor<T> empty_like_preserving(const TensorImpl& like) {
  return empty_strided_tensor<T>(like.sizes, preserved_strides(like), like.storage.device());
}

}  // namespace tessera::detail
