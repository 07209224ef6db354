#pragma once
// Copies and conversions: copy_, fill_, contiguous, clone, to<U>, to(Device), to_vector.

#include "../autograd/functions.hpp"
#include "../backend/cpu/copy.hpp"
#include "../backend/dispatch.hpp"
#include "layout.hpp"

namespace tessera {
namespace detail {

// Note [Copies by width]
// A copy between tensors of one element type moves bytes, whatever the type: it runs as the
// unsigned integer type of the element's width, so a program compiles four such copy kernels
// (and four fills) rather than one per dtype it copies.
template <size_t Width>
using bits_of_width = std::conditional_t<Width == 1, uint8_t, std::conditional_t<Width == 2, uint16_t,
                      std::conditional_t<Width == 4, uint32_t, uint64_t>>>;
template <class T>
using bits_of = bits_of_width<sizeof(T)>;

template <class D, class S>
void copy_converting(const TensorImpl& dst, const TensorImpl& src, const char* op, bool is_result);

/** dst[...] = convert(src[...]) with src (of element type S) broadcast to dst's shape; when
 *  `is_result`, src is op's result and dst receives it as its out= (Note [Plans]). */
template <class D, class S>
void copy_typed(const TensorImpl& dst, const TensorImpl& src, const char* op, bool is_result = false) {
  if constexpr (std::is_same_v<D, S>) copy_converting<bits_of<D>, bits_of<D>>(dst, src, op, is_result);
  else copy_converting<D, S>(dst, src, op, is_result);
}

template <class D, class S>
void copy_converting(const TensorImpl& dst, const TensorImpl& src, const char* op, bool is_result) {
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

/** dst[...] = convert(src[...]) into a tensor of src's shape allocated for it (dst aliases
 *  nothing): no overlap to check, and dst stays at version 0, as PyTorch's new tensors. */
template <class D, class S>
void copy_fresh(const TensorImpl& dst, const TensorImpl& src, const char* op) {
  // One dtype copies by width, as copy_typed (Note [Copies by width]).
  using To = std::conditional_t<std::is_same_v<D, S>, bits_of<D>, D>;
  using From = std::conditional_t<std::is_same_v<D, S>, bits_of<S>, S>;
  if (dst.numel == 0) return;
  dispatch_plan(CopyPlan{.op = op, .out = &dst, .fresh_out = true, .input = &src},
                [&] { copy_kernel<To, From>(dst, src, src.strides); });
}

template <class T>
void fill_impl(const TensorImpl& dst, T value) {
  if (has_internal_overlap(dst)) {  // PyTorch fills an expanded tensor too: each element it holds once
    Shape sizes = dst.sizes;
    for (size_t d = 0; d < sizes.size(); ++d)
      if (dst.strides[d] == 0 && sizes[d] > 1) sizes[d] = 1;
    return fill_impl(TensorImpl(dst.storage, sizes, dst.strides, dst.offset, dst.dtype), value);
  }
  const bits_of<T> bits = std::bit_cast<bits_of<T>>(value);  // Note [Copies by width]
  dispatch_plan(FillPlan{.op = "fill_", .out = &dst, .bits = bits}, [&] { fill_kernel(dst, bits); });
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

// Note [Casts without types]
// Gradients change floating type on the way back: ToCopyBackward0 returns a gradient in its
// input's type, and a gradient may arrive in another type than its tensor's (after an in-place
// op). Written with to<U>(), each such cast would compile a typed copy for every pair of
// floating types a derivative can meet, into every program that records a binary op, and each
// to<U>() would record a node whose backward compiles the way back. These casts instead take
// the types at run time: one loop through double on the CPU (convert_floating_kernel), the copy
// plan on other devices, and one untyped ToCopyBackward0 node when the cast is itself recorded.

inline AnyTensor cast_floating(const AnyTensor& g, DType dtype);
inline AnyTensor to_device(const AnyTensor& t, Device target);

/** A new contiguous tensor of like's shape, of `dtype` on `device` (empty_tensor without a type). */
inline std::shared_ptr<TensorImpl> empty_contiguous(const TensorImpl& like, DType dtype, Device device, const char* op) {
  check_device_dtype(device, dtype, op);
  return make_tensor_impl(Storage::allocate(static_cast<size_t>(like.numel * element_size(dtype)), device, op),
                          like.sizes, like.numel, dtype);
}

/** to<U>() and to(device): the gradient goes back to the input's floating type and device. */
struct ToCopyBackward0 final : Node {
  DType dtype;
  Device device;
  ToCopyBackward0(DType input_dtype, Device input_device) : dtype(input_dtype), device(input_device) {}
  const char* name() const override { return "ToCopyBackward0"; }
  variable_list apply(variable_list&& grads) override { return {to_device(cast_floating(grads[0], dtype), device)}; }
};

/** g (of a floating type) converted to the floating type `dtype`, recorded for autograd. */
inline AnyTensor cast_floating(const AnyTensor& g, DType dtype) {
  if (g.dtype() == dtype) return g;
  TS_CHECK(is_floating_point(g.dtype()) && is_floating_point(dtype), "to: cannot cast a gradient of dtype ",
           g.dtype(), " to ", dtype);
  const TensorImpl& src = *g.impl_ptr();
  const AnyTensor out(empty_contiguous(src, dtype, g.device(), "to"));
  const TensorImpl& dst = *out.impl_ptr();
  if (g.numel() > 0) dispatch_plan(CopyPlan{.op = "to", .out = &dst, .input = &src}, [&] { convert_floating_kernel(dst, src); });
  if (GradMode::is_enabled() && src.requires_grad()) record<ToCopyBackward0>({g}, {out}, g.dtype(), g.device());
  return out;
}

/** t converted to U outside the graph, in t's layout (t itself when it is of type U): what
 *  to<U>() computes, and how an op converts an operand to the common dtype (Note [Operands of
 *  mixed dtypes] in ops/elementwise.hpp). */
template <class U, class T>
decltype(auto) as_dtype(const Tensor<T>& t, const char* op) {
  if constexpr (std::is_same_v<U, T>) {
    return (t);
  } else {
    Tensor<U> out = empty_like_preserving<U>(t.impl());
    copy_fresh<U, T>(out.impl(), t.impl(), op);
    return out;
  }
}

/** A gradient as Tensor<T>, converting when an in-place op made it arrive in another dtype. */
template <class T>
Tensor<T> cast_grad(const AnyTensor& g) {
  return cast_floating(g, dtype_of<T>).template as<T>();
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
  detail::copy_fresh<T, T>(out.impl(), impl(), "contiguous");
  if (detail::needs_grad(*this)) detail::record<detail::CloneBackward0<T>>({*this}, {out});
  return out;
}

template <class T>
Tensor<T> Tensor<T>::clone() const {
  Tensor<T> out = detail::empty_like_preserving<T>(impl());
  detail::copy_fresh<T, T>(out.impl(), impl(), "clone");
  if (detail::needs_grad(*this)) detail::record<detail::CloneBackward0<T>>({*this}, {out});
  return out;
}

template <class T>
template <class U>
Tensor<U> Tensor<T>::to() const {
  if constexpr (std::is_same_v<T, U>) {
    return *this;
  } else {
    Tensor<U> out = detail::as_dtype<U>(*this, "to");
    if constexpr (is_floating_v<U>)
      if (detail::needs_grad(*this)) detail::record<detail::ToCopyBackward0>({*this}, {out}, dtype_of<T>, device());
    return out;
  }
}

// Note [Copies between devices]
// to(device) makes the source contiguous on its own device, then moves its bytes with the
// allocators' copies to and from the host (through host memory between two devices that are
// not the CPU), and records ToCopyBackward0, whose backward moves the gradient back. Moving
// bytes needs no element type: the move is one function for every dtype.
namespace detail {
/** dst[...] = src[...] for two tensors of one dtype and shape, by their bytes (Note [Copies by width]). */
inline void copy_bytes(const TensorImpl& dst, const TensorImpl& src, const char* op) {
  switch (element_size(src.dtype)) {
    case 1: copy_typed<uint8_t, uint8_t>(dst, src, op); break;
    case 2: copy_typed<uint16_t, uint16_t>(dst, src, op); break;
    case 4: copy_typed<uint32_t, uint32_t>(dst, src, op); break;
    default: copy_typed<uint64_t, uint64_t>(dst, src, op); break;
  }
}

/** A copy of src by its bytes, with the strides empty_like(like) gives (PyTorch's preserve_format):
 *  clone() when like is src, a new .grad when like is its variable. */
inline std::shared_ptr<TensorImpl> copy_preserving(const TensorImpl& src, const TensorImpl& like, const char* op) {
  auto out = empty_strided_impl(like.sizes, preserved_strides(like), src.dtype, src.storage.device(), op);
  copy_bytes(*out, src, op);
  return out;
}

/** `self` made contiguous (itself if it is), by a copy of its bytes. */
inline std::shared_ptr<TensorImpl> contiguous_bytes(const std::shared_ptr<TensorImpl>& self, const char* op) {
  if (self->contiguous) return self;
  auto out = empty_contiguous(*self, self->dtype, self->storage.device(), op);
  copy_bytes(*out, *self, op);
  return out;
}

/** t's elements on `target`, recorded for autograd (Note [Copies between devices]). */
inline AnyTensor to_device(const AnyTensor& t, Device target) {
  const Device source = t.device();
  if (target == source) return t;
  const AnyTensor out(empty_contiguous(*t.impl_ptr(), t.dtype(), target, "to"));
  const std::shared_ptr<TensorImpl> src = contiguous_bytes(t.impl_ptr(), "to");
  const size_t item = static_cast<size_t>(element_size(t.dtype()));
  const size_t bytes = static_cast<size_t>(t.numel()) * item, src_offset = static_cast<size_t>(src->offset) * item;
  const DataPtr& dst_data = out.impl_ptr()->storage.data_ptr();
  if (source.is_cpu()) {
    copy_from_host(dst_data, 0, static_cast<const char*>(src->storage.data()) + src_offset, bytes, "to");
  } else if (target.is_cpu()) {
    copy_to_host(out.impl_ptr()->storage.data(), src->storage.data_ptr(), src_offset, bytes, "to");
  } else {
    std::vector<char> staged(bytes);
    copy_to_host(staged.data(), src->storage.data_ptr(), src_offset, bytes, "to");
    copy_from_host(dst_data, 0, staged.data(), bytes, "to");
  }
  if (GradMode::is_enabled() && t.impl_ptr()->requires_grad()) record<ToCopyBackward0>({t}, {out}, t.dtype(), source);
  return out;
}

/** t's elements in order, each converted to double: for reading saved options and counts of any
 *  dtype without compiling a tensor conversion from every dtype. */
template <class = void>
std::vector<double> values_as_doubles(const AnyTensor& t) {
  const std::shared_ptr<TensorImpl> host = contiguous_bytes(to_device(t, Device::cpu()).impl_ptr(), "to");
  std::vector<double> out(static_cast<size_t>(t.numel()));
  dispatch(t.dtype(), [&]<class S>(std::type_identity<S>) {
    const S* p = reinterpret_cast<const S*>(host->data());
    for (size_t i = 0; i < out.size(); ++i) out[i] = convert<double>(p[i]);
  });
  return out;
}
}  // namespace detail

template <class T>
Tensor<T> Tensor<T>::to(Device target) const {
  return detail::to_device(*this, target).template as<T>();
}

namespace detail {
/** Points `impl` at a copy of its elements on `device` (what module.to(device) does to each
 *  parameter): every handle to `impl` sees the move; views taken before it do not. */
template <class = void>  // a template, so that only programs that move modules compile it
void move_in_place(TensorImpl& impl, Device device) {
  if (impl.storage.device() == device) return;
  NoGradGuard no_grad;
  const AnyTensor moved = to_device(AnyTensor(std::shared_ptr<TensorImpl>(std::shared_ptr<void>(), &impl)), device);
  impl.storage = moved.impl_ptr()->storage;
  impl.strides = moved.impl_ptr()->strides;
  impl.offset = moved.impl_ptr()->offset;
  impl.contiguous = true;
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
