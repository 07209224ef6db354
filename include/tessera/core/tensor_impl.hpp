#pragma once
// TensorImpl: the view metadata (sizes, strides, offset, dtype) and autograd state of a tensor.

#include <memory>
#include <string>

#include "dtype.hpp"
#include "shape.hpp"
#include "storage.hpp"

namespace tessera::detail {

struct Node;         // autograd/node.hpp
struct TensorHooks;  // autograd/hooks.hpp
struct TensorImpl;

/** PyTorch's CreationMeta: which views may not have their history remade (Note [Stale view
 *  histories]). A view of such a view is of the same kind. */
enum class ViewKind : uint8_t {
  Plain,
  MultiOutput,     // a piece of unbind or split, made with grad mode on
  CustomFunction,  // an output of a custom Function that views an input (or is one)
};

/** Present only on tensors that take part in autograd. */
struct AutogradMeta {
  bool requires_grad = false;
  bool retains_grad = false;
  std::shared_ptr<TensorImpl> grad;
  std::shared_ptr<Node> grad_fn;
  std::weak_ptr<Node> grad_accumulator;  // a leaf's AccumulateGrad while some graph holds it
  std::shared_ptr<TensorHooks> hooks;    // register_hook and retain_grad (Note [Tensor hooks])
  uint32_t output_nr = 0;
};

// Note [View metadata]
// A tensor is (storage, sizes, strides, offset, dtype): element (i0, i1, ...) lives at
// storage.data() + (offset + sum_k i_k * strides[k]) * element_size(dtype). Strides and the
// offset count elements, never bytes, and are never negative. Views share the storage and
// differ only in this metadata; numel and contiguity are computed at construction and again
// when an in-place view op (t_, squeeze_, as_strided_, ...) gives the impl a new shape, the one
// place it changes (set_view_metadata).
struct TensorImpl {
  Storage storage;
  Shape sizes;
  Shape strides;
  int64_t offset = 0;
  DType dtype = DType::Float32;
  ViewKind view_kind = ViewKind::Plain;
  int64_t numel = 1;
  bool contiguous = true;
  AutogradMeta* autograd = nullptr;  // owned; most tensors never need one
  // The tensor this one is a view of (the first non-view one), so that an in-place op on the
  // view can update the base's autograd history (Note [In-place ops on views]).
  std::shared_ptr<TensorImpl> view_base;
  // A view of a floating tensor: the storage's version its history was made at, and what
  // remakes that history once the version moved (Note [Stale view histories]).
  uint64_t view_version = 0;
  void (*refresh_view)(const std::shared_ptr<TensorImpl>& view) = nullptr;

  TensorImpl(Storage storage_, Shape sizes_, Shape strides_, int64_t offset_, DType dtype_)
      : storage(std::move(storage_)), sizes(std::move(sizes_)), strides(std::move(strides_)), offset(offset_),
        dtype(dtype_) {
    numel = checked_numel(sizes, "numel");  // Note [Sizes that overflow]
    contiguous = compute_contiguous();
  }
  /** A fresh contiguous tensor of `numel` elements (already counted and checked). */
  TensorImpl(Storage storage_, const Shape& sizes_, int64_t numel_, DType dtype_)
      : storage(std::move(storage_)), sizes(sizes_), strides(contiguous_strides(sizes_)), dtype(dtype_),
        numel(numel_) {}
  TensorImpl(const TensorImpl&) = delete;
  TensorImpl& operator=(const TensorImpl&) = delete;
  ~TensorImpl() { delete autograd; }

  int64_t dim() const { return static_cast<int64_t>(sizes.size()); }
  /** An in-place view op's new sizes, strides and offset over the same storage. */
  void set_view_metadata(Shape sizes_, Shape strides_, int64_t offset_) {
    numel = checked_numel(sizes_, "numel");
    sizes = std::move(sizes_);
    strides = std::move(strides_);
    offset = offset_;
    contiguous = compute_contiguous();
  }
  char* data() const { return static_cast<char*>(storage.data()) + offset * element_size(dtype); }

  bool is_contiguous() const { return contiguous; }

 private:
  bool compute_contiguous() const {
    if (numel == 0) return true;
    int64_t expected = 1;
    for (size_t i = sizes.size(); i-- > 0;) {
      if (sizes[i] == 1) continue;
      if (strides[i] != expected) return false;
      expected *= sizes[i];
    }
    return true;
  }

 public:
  /** Makes a view an ordinary tensor for autograd (it still shares its storage). */
  void forget_view_base() {
    view_base = nullptr;
    refresh_view = nullptr;
    view_kind = ViewKind::Plain;
  }
  /** As PyTorch's: a view of a floating tensor requires grad when its base does, whichever
   *  mode made it. */
  bool requires_grad() const {
    return (autograd && autograd->requires_grad) || (refresh_view && view_base->requires_grad());
  }
  AutogradMeta& autograd_meta() {
    if (!autograd) autograd = new AutogradMeta;
    return *autograd;
  }
};

// Note [Metal has no float64]
// Metal has no 64-bit floating-point type, so a float64 tensor cannot live on a Metal device: it
// is refused where it would be made (empty_tensor, empty_strided_tensor, from_blob: every
// factory, to(Device::metal()) and to<double>() go through them), before any memory is taken,
// as PyTorch's MPS refuses it.
inline void check_device_dtype(Device device, DType dtype, const char* op) {
  if (dtype == DType::Float64 && device.is_metal()) [[unlikely]]
    throw_error(op, ": ", device, " cannot hold a float64 tensor: Metal has no float64 (as in PyTorch's MPS); "
                "use float32, or keep float64 tensors on the CPU");
}

// Note [Stale view histories]
// An in-place op changes every view of the bytes it writes, so a view's history recorded before
// it is stale: `v = x[0]; x.mul_(2)` must send v's gradient through the multiplication. As in
// PyTorch, a view of a floating tensor remembers the storage's version its history was made at,
// and whoever reads that history (recording an op, backward, grad_fn, is_leaf) first remakes it
// when the version moved: an as_strided node from the view to its base's current history. Views
// that unbind and split return, and views that a custom Function returns, may not take part:
// changing them in place, or their base once they exist, is PyTorch's error (throw_rebased_view).
inline void sync_view_history(const std::shared_ptr<TensorImpl>& t) {
  if (t->refresh_view && t->storage.version() != t->view_version) [[unlikely]] t->refresh_view(t);
}

/** The node that made `t` (null for a leaf), a view's history first brought up to date. */
inline Node* grad_fn_of(const std::shared_ptr<TensorImpl>& t) {
  sync_view_history(t);
  return t->autograd ? t->autograd->grad_fn.get() : nullptr;
}

/** A new TensorImpl whose block comes from the small block cache (Note [Small block cache]). */
template <class... Args>
std::shared_ptr<TensorImpl> make_tensor_impl(Args&&... args) {
  return std::allocate_shared<TensorImpl>(SmallObjectAllocator<TensorImpl>{}, std::forward<Args>(args)...);
}

}  // namespace tessera::detail
