#pragma once
// The backward nodes ops record, declared so that ops/ can name them; every derivative formula
// is defined in formulas.hpp, which the umbrella header includes after all ops.

#include "node.hpp"

namespace tessera::detail {

// Elementwise
template <class Op, class A> struct UnaryBackward;
template <class Op, class A, class B> struct BinaryBackward;
template <class Op, class A, bool reversed> struct ScalarBackward;
template <class A> struct ClampBackward1;
template <class A, class B> struct LerpBackward0;
template <class A, class B, class W> struct LerpBackward1;
template <class A, class B> struct WhereBackward0;
template <class A> struct MaskedFillBackward0;
template <class A> struct PolygammaBackward0;
template <class A> struct LogitBackward0;
template <class A> struct NanToNumBackward0;
struct NotImplemented;
template <class A, class F> struct AdjointBackward;  // a linear op's node: its adjoint, named as PyTorch's

// Reductions
template <class A> struct SumBackward;
template <class A> struct MeanBackward;
template <class A> struct ProdBackward;
template <class A> struct AmaxBackward;
template <class A> struct MaxDimBackward;
template <class A> struct NormBackward1;
template <class A> struct LogsumexpBackward0;
template <class A> struct VarBackward0;
template <class A> struct StdBackward0;
template <class A> struct SoftmaxBackward0;
template <class A> struct LogSoftmaxBackward0;
template <class A> struct CumsumBackward0;
template <class A> struct CumprodBackward0;
template <class A> struct LogcumsumexpBackward0;

// Ordering and selection
template <class A> struct ValueSelectingBackward;
template <class A> struct EvenlyDistributeBackward;

// Linear algebra
template <class A, class B> struct MmBackward0;
template <class A> struct AddmmBackward0;
template <class A, class B> struct BmmBackward0;
template <class A, class B> struct MvBackward0;
template <class A, class B> struct DotBackward0;

// Views
template <class A> struct ReshapeBackward;
template <class A> struct TransposeBackward0;
template <class A> struct PermuteBackward0;
template <class A> struct SqueezeBackward;
template <class A> struct UnsqueezeBackward0;
template <class A> struct ExpandBackward0;
template <class A> struct SliceBackward0;
template <class A> struct SelectBackward0;
template <class A> struct UnfoldBackward0;
template <class A> struct AsStridedBackward0;
template <class A> struct DiagonalBackward0;
template <class A> struct DiagEmbedBackward0;

// Indexing, joins, copies
template <class A> struct IndexBackward0;
template <class A> struct IndexPutBackward0;
template <class A> struct MaskedScatterBackward0;
template <class A> struct PutBackward0;
template <class A> struct ScatterReduceBackward0;
template <class A> struct ScatterAddBackward0;
template <class A> struct IndexAddBackward0;
template <class A> struct IndexCopyBackward0;
template <class A> struct IndexFillBackward0;
template <class A> struct IndexFillBackward1;
template <class A> struct IndexSelectBackward0;
template <class A> struct GatherBackward0;
template <class A, class U> struct ScatterBackward;
template <class A> struct CatBackward0;
template <class A> struct StackBackward0;
template <class A> struct UnbindBackward0;
template <class A> struct SplitBackward0;
template <class A> struct CloneBackward0;
template <class A, class U> struct CopyBackwards;
template <class A> struct FillBackward;
template <class T> struct CopySlices;

/** PyTorch's refusal of an in-place change to a piece of unbind or split or to a view that a
 *  custom Function returned: made directly on the view, or `indirect`ly on its base or another
 *  view of it (Note [Stale view histories]). */
[[noreturn, gnu::noinline, gnu::cold]] inline void throw_rebased_view(const TensorImpl& view, bool indirect) {
  const char* modified = indirect ? "its base or another view of its base has been" : "is being";
  const char* tail =
      view.view_kind == ViewKind::MultiOutput
          ? " This view is the output of a function that returns multiple views. Such functions do not allow the "
            "output views to be modified inplace. You should replace the inplace operation by an out-of-place one."
          : " This view was created inside a custom Function (or because an input was returned as-is) and the "
            "autograd logic to handle view+inplace would override the custom backward associated with the custom "
            "Function, leading to incorrect gradients. This behavior is forbidden. You can fix this by cloning the "
            "output of the custom Function.";
  if (view.autograd && view.autograd->grad_fn)
    throw_error("Output ", view.autograd->output_nr, " of ", view.autograd->grad_fn->name(), " is a view and ",
                modified, " modified inplace.", tail);
  throw_error("A view was created in no_grad mode and ", modified, " modified inplace with grad mode enabled.", tail);
}

/** Remakes a stale view's history from its base's (Note [Stale view histories]). */
template <class T>
void refresh_view_history(const std::shared_ptr<TensorImpl>& view) {
  const uint64_t now = view->storage.version();
  const std::shared_ptr<TensorImpl>& base = view->view_base;
  if ((view->autograd && view->autograd->grad_fn) || base->requires_grad()) {
    if (view->view_kind != ViewKind::Plain) throw_rebased_view(*view, true);
    auto fn = make_node<AsStridedBackward0<T>>(*base, view->sizes, view->strides, view->offset);
    fn->next_edges.push_back({gradient_edge(base), {base->sizes, base->dtype}});
    set_history(AnyTensor(Tensor<T>(view)), fn, 0);
  }
  view->view_version = now;
}

/** PyTorch's refusals before an in-place op with grad mode on. */
template <class T>
void check_inplace(const Tensor<T>& self) {
  if (!GradMode::is_enabled()) return;
  const TensorImpl& impl = self.impl();
  if (impl.view_kind != ViewKind::Plain) throw_rebased_view(impl, false);
  const TensorImpl* base = impl.view_base.get();
  TS_CHECK(!(base && base->requires_grad() && !base->autograd->grad_fn),
           "a view of a leaf Variable that requires grad is being used in an in-place operation.");
  TS_CHECK(!(impl.requires_grad() && !grad_fn_of(self.impl_ptr())),
           "a leaf Variable that requires grad is being used in an in-place operation.");
}

/** First half of recording an in-place op: the node, with edges to the inputs' histories as
 *  they are before the op runs (callers check needs_grad first). */
template <class NodeT, class T, class... Args>
std::shared_ptr<NodeT> begin_inplace(const Tensor<T>& self, std::initializer_list<AnyTensor> inputs, Args&&... args) {
  check_inplace(self);
  return record<NodeT>(inputs, {}, std::forward<Args>(args)...);
}

/** Second half, after the op wrote into `self`: the node becomes self's history, through the
 *  base when self is a view (Note [In-place ops on views]). */
template <class T>
void finish_inplace(const Tensor<T>& self, const std::shared_ptr<Node>& node) {
  const std::shared_ptr<TensorImpl>& base = self.impl().view_base;
  if (!base) {
    set_history(self, node, 0);
    return;
  }
  auto copy_slices = make_node<CopySlices<T>>(*base, self.impl(), node);
  copy_slices->next_edges.push_back({gradient_edge(base), {base->sizes, base->dtype}});
  for (size_t i = 1; i < node->next_edges.size(); ++i) copy_slices->next_edges.push_back(node->next_edges[i]);
  set_history(Tensor<T>(base), copy_slices, 0);
  auto view_fn = make_node<AsStridedBackward0<T>>(*base, self.sizes(), self.strides(), self.storage_offset());
  view_fn->next_edges.push_back({{copy_slices, 0}, {base->sizes, base->dtype}});
  set_history(self, view_fn, 0);
  self.impl().view_version = self.storage().version();
}

/** `_out` forms write into a given tensor and are not recorded, as in PyTorch. */
template <class... Ts>
void check_out_not_differentiable(const char* op, const Tensor<Ts>&... inputs) {
  TS_CHECK(!needs_grad(inputs...), op, "(): functions with out=... arguments don't support automatic "
           "differentiation, but one of the arguments requires grad.");
}

}  // namespace tessera::detail
