#pragma once
// AnyTensor: a Tensor handle with its element type erased, for files and lists of mixed dtypes.

#include "tensor.hpp"

namespace tessera {

/** The same handle as Tensor<T> with the element type known only at run time. */
class AnyTensor {
 public:
  AnyTensor() = default;
  template <class T>
  AnyTensor(const Tensor<T>& t) : impl_(t.impl_ptr()) {}
  explicit AnyTensor(std::shared_ptr<detail::TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  DType dtype() const { return impl().dtype; }
  const Shape& sizes() const { return impl().sizes; }
  const Shape& shape() const { return sizes(); }
  int64_t dim() const { return impl().dim(); }
  int64_t numel() const { return impl().numel; }
  Device device() const { return impl().storage.device(); }

  /** The tensor as Tensor<T>; throws unless its dtype is T. */
  template <class T>
  Tensor<T> as() const {
    TS_CHECK(dtype() == dtype_of<T>, "AnyTensor::as: the tensor has dtype ", dtype(), ", not ", dtype_of<T>);
    return Tensor<T>(impl_);
  }
  /** The tensor converted to element type T (no copy when it already is T). */
  template <class T>
  Tensor<T> to() const {
    return dispatch(dtype(), [&]<class S>(std::type_identity<S>) { return Tensor<S>(impl_).template to<T>(); });
  }
  const std::shared_ptr<detail::TensorImpl>& impl_ptr() const { return impl_; }

 private:
  const detail::TensorImpl& impl() const {
    TS_CHECK(impl_ != nullptr, "AnyTensor: the tensor is undefined");
    return *impl_;
  }
  std::shared_ptr<detail::TensorImpl> impl_;
};

}  // namespace tessera
