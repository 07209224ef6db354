#pragma once
// Layout helpers shared by ops: dense-stride inference and overlap checks.

#include "../core/tensor.hpp"
#include "../iter/overlap.hpp"
#include "../iter/strided_loop.hpp"

namespace tessera::detail {

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

/** An uninitialised tensor of `dtype` with the given sizes and strides (empty_strided without a type). */
inline std::shared_ptr<TensorImpl> empty_strided_impl(const Shape& sizes, const Shape& strides, DType dtype, Device device,
                                                      const char* op) {
  const int64_t span = storage_extent(sizes, strides, 0, op);
  check_device_dtype(device, dtype, op);
  const size_t bytes = checked_bytes(span, static_cast<size_t>(element_size(dtype)), op, sizes, strides);
  return make_tensor_impl(Storage::allocate(bytes, device), sizes, strides, 0, dtype);
}

template <class T>
Tensor<T> empty_strided_tensor(const Shape& sizes, const Shape& strides, Device device = Device::cpu()) {
  return Tensor<T>(empty_strided_impl(sizes, strides, dtype_of<T>, device, "empty_strided"));
}

/** An uninitialised tensor with `like`'s shape and device, strides as PyTorch's preserve_format. */
template <class T>
Tensor<T> empty_like_preserving(const TensorImpl& like) {
  return empty_strided_tensor<T>(like.sizes, preserved_strides(like), like.storage.device());
}

}  // namespace tessera::detail
