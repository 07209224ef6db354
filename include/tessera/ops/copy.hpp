#pragma once
// Copies and conversions: copy_, fill_, contiguous, clone, to<U>, to(Device), to_vector.

#include "../autograd/functions.hpp"
#include "../backend/cpu/copy.hpp"
#include "../backend/dispatch.hpp"
#include "layout.hpp"

namespace tessera {
namespace detail {

/** dst[...] = convert(src[...]) with src (of element type S) broadcast to dst's shape; when
 *  `is_result`, src is op's result and dst receives it as its out= (Note [Plans]). */
template <class D, class S>
void copy_typed(const TensorImpl& dst, const TensorImpl& src, const char* op, bool is_result = false) {
  if (is_result) {
    check_result_fits(op, dst, src.dtype, src.sizes);
  } else {
    TS_CHECK(!has_internal_overlap(dst), op, ": unsupported operation: more than one element of the written-to "
             "tensor refers to a single memory location (shape ", shape_str(dst.sizes), ", strides ",
             shape_str(dst.strides), "). Please clone() the tensor before performing the operation.");
  }
  const Shape src_strides = broadcast_strides(src.sizes, src.strides, dst.sizes, op);
  if (dst.numel == 0) return;
  if (overlap_status(dst, src) == Overlap::TooHard && may_overlap(dst, src) &&
      !(dst.data() == src.data() && dst.strides == src_strides && dst.dtype == src.dtype)) {
    // Note [Overlap of inputs and outputs]: read from a snapshot
    const TensorImpl staged(Storage::allocate(static_cast<size_t>(src.numel) * sizeof(S), src.storage.device(), op),
                            src.sizes, contiguous_strides(src.sizes), 0, src.dtype);
    copy_typed<S, S>(staged, src, op);
    return copy_typed<D, S>(dst, staged, op);
  }
  dispatch_plan(CopyPlan{.op = op, .out = &dst, .input = &src}, [&] { copy_kernel<D, S>(dst, src, src_strides); });
}

template <class T>
void fill_impl(const TensorImpl& dst, T value) {
  dispatch_plan(FillPlan{.op = "fill_", .out = &dst, .value = convert<double>(value)}, [&] { fill_kernel<T>(dst, value); });
}

/** self.copy_(src) recorded as op; `is_result`: src is op's result, which self receives as its
 *  out= (of src's shape and a dtype src's can cast to). */
template <class T, class U>
const Tensor<T>& copy_into(const Tensor<T>& self, const Tensor<U>& src, const char* op, bool is_result) {
  std::shared_ptr<Node> node;
  if constexpr (is_floating_v<T>)
    if (needs_grad(self, src)) node = begin_inplace<CopyBackwards<T, U>>(self, {self, src});
  copy_typed<T, U>(self.impl(), src.impl(), op, is_result);
  if (node) finish_inplace(self, node);
  return self;
}
/** out receives op's result (out= forms, and in-place ops computed out of place). */
template <class T, class U>
const Tensor<T>& copy_result(const char* op, const Tensor<T>& out, const Tensor<U>& result) {
  return copy_into(out, result, op, true);
}
}  // namespace detail

template <class T>
template <class U>
const Tensor<T>& Tensor<T>::copy_(const Tensor<U>& src) const {
  return detail::copy_into(*this, src, "copy_", false);
}

template <class T>
template <Scalar S>
const Tensor<T>& Tensor<T>::fill_(S value) const {
  TS_CHECK(!detail::has_internal_overlap(impl()), "fill_: unsupported operation: more than one element of the "
           "written-to tensor refers to a single memory location. Please clone() the tensor before performing the "
           "operation.");
  const T v = detail::checked_convert<T>(value, "fill_");  // before anything is recorded
  std::shared_ptr<detail::Node> node;
  if (detail::needs_grad(*this))
    node = detail::begin_inplace<detail::FillBackward<T>>(*this, {*this}, detail::convert<double>(value) == 0 ? "ZeroBackward0" : "FillBackward2");
  detail::fill_impl<T>(impl(), v);
  if (node) detail::finish_inplace(*this, node);
  return *this;
}

template <class T>
Tensor<T> Tensor<T>::contiguous() const {
  if (is_contiguous()) return *this;
  Tensor<T> out = detail::empty_tensor<T>(sizes(), {.device = device()}, "contiguous");
  detail::copy_typed<T, T>(out.impl(), impl(), "contiguous");
  if (detail::needs_grad(*this)) detail::record<detail::CloneBackward0<T>>({*this}, {out});
  return out;
}

template <class T>
Tensor<T> Tensor<T>::clone() const {
  Tensor<T> out = detail::empty_like_preserving<T>(impl());
  detail::copy_typed<T, T>(out.impl(), impl(), "clone");
  if (detail::needs_grad(*this)) detail::record<detail::CloneBackward0<T>>({*this}, {out});
  return out;
}

template <class T>
template <class U>
Tensor<U> Tensor<T>::to() const {
  if constexpr (std::is_same_v<T, U>) {
    return *this;
  } else {
    Tensor<U> out = detail::empty_like_preserving<U>(impl());
    detail::copy_typed<U, T>(out.impl(), impl(), "to");
    if constexpr (is_floating_v<U>)
      if (detail::needs_grad(*this)) detail::record<detail::ToCopyBackward0<T, U>>({*this}, {out})->device = device();
    return out;
  }
}

// Note [Copies between devices]
// to(device) makes the source contiguous on its own device, then moves its bytes with the
// allocators' copies to and from the host (through host memory between two devices that are
// not the CPU), and records ToCopyBackward0, whose backward moves the gradient back.
template <class T>
Tensor<T> Tensor<T>::to(Device target) const {
  if (target == device()) return *this;
  const Device source = device();
  Tensor<T> out = detail::empty_tensor<T>(sizes(), {.device = target}, "to");
  {
    NoGradGuard no_grad;
    const Tensor<T> src = contiguous();
    const size_t bytes = static_cast<size_t>(numel()) * sizeof(T);
    const size_t src_offset = static_cast<size_t>(src.storage_offset()) * sizeof(T);
    if (source.is_cpu()) {
      detail::copy_from_host(out.storage().data_ptr(), 0, src.kernel_data(), bytes, "to");
    } else if (target.is_cpu()) {
      detail::copy_to_host(out.kernel_data(), src.storage().data_ptr(), src_offset, bytes, "to");
    } else {
      const Tensor<T> staged = detail::empty_tensor<T>(sizes(), {}, "to");
      detail::copy_to_host(staged.kernel_data(), src.storage().data_ptr(), src_offset, bytes, "to");
      detail::copy_from_host(out.storage().data_ptr(), 0, staged.kernel_data(), bytes, "to");
    }
  }
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(*this)) detail::record<detail::ToCopyBackward0<T, T>>({*this}, {out})->device = source;
  return out;
}

namespace detail {
/** Points `impl` at a copy of its elements on `device` (what module.to(device) does to each
 *  parameter): every handle to `impl` sees the move; views taken before it do not. */
template <class = void>  // a template, so that only programs that move modules compile it
void move_in_place(TensorImpl& impl, Device device) {
  if (impl.storage.device() == device) return;
  dispatch(impl.dtype, [&]<class T>(std::type_identity<T>) {
    const auto moved = Tensor<T>(std::shared_ptr<TensorImpl>(std::shared_ptr<void>(), &impl)).to(device);
    impl.storage = moved.storage();
    impl.strides = moved.strides();
    impl.offset = moved.storage_offset();
    impl.contiguous = true;
  });
}
}  // namespace detail

/** Copies the elements to the host (from any device memory, as to(Device::cpu()) does). */
template <class T>
std::vector<T> Tensor<T>::to_vector() const {
  const Tensor<T> dense = contiguous();
  const size_t n = static_cast<size_t>(numel());
  const size_t offset = static_cast<size_t>(dense.storage_offset()) * sizeof(T);
  if constexpr (std::is_same_v<T, bool>) {  // std::vector<bool> holds bits
    std::vector<uint8_t> bytes(n);
    detail::copy_to_host(bytes.data(), dense.storage().data_ptr(), offset, n, "to_vector");
    return std::vector<bool>(bytes.begin(), bytes.end());
  } else {
    std::vector<T> out(n);
    detail::copy_to_host(out.data(), dense.storage().data_ptr(), offset, n * sizeof(T), "to_vector");
    return out;
  }
}

}  // namespace tessera
