#pragma once
// The engine: runs a recorded graph backwards, for Tensor::backward and autograd::grad.

#include "../core/algorithm.hpp"
#include <cstdint>
#include <vector>

#include "../ops/creation.hpp"
#include "formulas.hpp"

namespace tessera {
namespace detail {

/** Drops each tensor's gradient (set_to_none) or zeroes it in place: zero_grad of modules and optimizers. */
template <class = void>
void clear_grads(const std::vector<Tensor<float>>& params, bool set_to_none) {
  for (const auto& p : params) {
    if (set_to_none) {
      p.set_grad({});
    } else if (p.grad().defined()) {
      NoGradGuard no_grad;
      p.grad().zero_();
    }
  }
}

inline bool is_expandable_to(const Shape& shape, const Shape& desired) {
  if (shape.size() > desired.size()) return false;
  const size_t lead = desired.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] != desired[lead + i] && shape[i] != 1) return false;
  return true;
}

// Note [Gradient arithmetic in float]
// The engine's own arithmetic on gradients (a gradient summed to its tensor's shape, two
// gradients added, a gradient added into .grad, the anomaly check's isnan) runs in float for
// half and bfloat16 gradients: converted by cast_floating, computed, rounded back once. PyTorch's
// CPU kernels for these two types compute each element in float and round its result, so the
// values are the same, and a program compiles this arithmetic for float and double only, not
// for all four floating types (the other two were a fifth of a small autograd program's code).
// Under create_graph, such a half or bfloat16 result is recorded as the float computation and
// a ToCopyBackward0 node.

/** g in the type the engine computes it in: itself for float and double, float for half and
 *  bfloat16 (Note [Gradient arithmetic in float]). */
template <class = void>
AnyTensor in_compute_type(const AnyTensor& g) {
  TS_CHECK(is_floating_point(g.dtype()), "autograd: gradients must have a floating dtype, got ", g.dtype());
  return g.dtype() == DType::Float64 ? g : cast_floating(g, DType::Float32);
}

/** f(Tensor<C>) for g in its compute type C, the result converted back to g's dtype. */
template <class F>
AnyTensor computed(const AnyTensor& g, F&& f) {
  const AnyTensor x = in_compute_type(g);
  const AnyTensor r = x.dtype() == DType::Float64 ? f(x.as<double>()) : f(x.as<float>());
  return cast_floating(r, g.dtype());
}

/** Brings the gradient a node returned for input i to that input's shape and dtype. */
template <class = void>
AnyTensor validate_gradient(const Node& node, size_t i, AnyTensor grad) {
  const InputMeta& meta = node.next_edges[i].meta;
  if (grad.sizes() != meta.shape) {
    TS_CHECK(is_expandable_to(meta.shape, grad.sizes()), "Function ", node.name(),
             " returned an invalid gradient at index ", i, " - got ", shape_str(grad.sizes()),
             " but expected shape compatible with ", shape_str(meta.shape));
    grad = computed(grad, [&]<class C>(const Tensor<C>& g) { return AnyTensor(sum_to(g, meta.shape)); });
  }
  return cast_floating(grad, meta.dtype);
}

/** `a + b` for two gradients of one tensor (same dtype and shape). */
template <class = void>
AnyTensor add_gradients(const AnyTensor& a, const AnyTensor& b) {
  if (!a.defined()) return b;
  if (!b.defined()) return a;
  return computed(a, [&]<class C>(const Tensor<C>& x) { return AnyTensor(x + in_compute_type(b).as<C>()); });
}

/** Stores or adds a gradient into `target`'s .grad, as AccumulateGrad and retain_grad do. */
template <class = void>
void accumulate_into(TensorImpl& target, AnyTensor grad, bool may_steal) {
  AutogradMeta& meta = target.autograd_meta();
  if (!meta.grad) {
    const std::shared_ptr<TensorImpl>& g = grad.impl_ptr();
    const bool sole_owner = g.use_count() == 1 && g->storage.use_count() == 1;
    const bool steal = may_steal && !GradMode::is_enabled() && sole_owner && g->strides == preserved_strides(target);
    if (steal || !GradMode::is_enabled() || !g->requires_grad()) {
      meta.grad = steal ? g : copy_preserving(*g, target, "grad");  // .grad's layout is its variable's
    } else {  // create_graph: the copy is recorded (CopyBackwards), as PyTorch's new_empty_strided().copy_()
      meta.grad = computed(grad, [&]<class C>(const Tensor<C>& x) {
        return AnyTensor(empty_like_preserving<C>(target).copy_(x));
      }).impl_ptr();
    }
  } else if (!GradMode::is_enabled()) {  // .grad += grad, in place: every handle to .grad sees it
    if (meta.grad->dtype == DType::Float32) Tensor<float>(meta.grad).add_(grad.as<float>());
    else if (meta.grad->dtype == DType::Float64) Tensor<double>(meta.grad).add_(grad.as<double>());
    else copy_bytes(*meta.grad, *add_gradients(AnyTensor(meta.grad), grad).impl_ptr(), "add_");
  } else {
    meta.grad = add_gradients(AnyTensor(meta.grad), grad).impl_ptr();
  }
}

/** Held while a retained non-leaf gradient (retain_grad) is added to; rare enough for one lock. */
inline Mutex& retained_grad_mutex() {
  static Mutex mutex;
  return mutex;
}

/** Runs a tensor's hooks on its gradient, in order (Note [Tensor hooks]). */
template <class = void>
AnyTensor run_tensor_hooks(TensorHooks& hooks, AnyTensor grad) {
  for (const TensorHooks::Entry& e : hooks.snapshot()) {
    if (e.fn) {
      AnyTensor r = e.fn(grad);
      if (!r.defined()) continue;
      TS_CHECK(r.dtype() == grad.dtype() && r.device() == grad.device(), backward_entry(),
               ": hook has changed the type of value (was ", tensor_description(grad.dtype(), grad.sizes()), " got ",
               tensor_description(r.dtype(), r.sizes()), ")");
      TS_CHECK(r.sizes() == grad.sizes(), backward_entry(), ": hook has changed the size of value (was ",
               shape_str(grad.sizes()), " got ", shape_str(r.sizes()), ")");
      grad = std::move(r);
    } else if (auto target = e.retain.lock()) {
      LockGuard lock(retained_grad_mutex());  // passes through one retained graph may run at once
      accumulate_into(*target, grad, false);
    }
  }
  return grad;
}

/** The anomaly-detection switch (autograd::set_detect_anomaly), global as in PyTorch. */
inline Atomic<bool>& anomaly_mode() {
  static Atomic<bool> on{false};
  return on;
}

/** With anomaly detection on: PyTorch's error when a node's backward produced NaN. */
template <class = void>
void check_anomaly(const Node& node, const variable_list& outputs) {
  NoGradGuard no_grad;
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!outputs[i].defined() || !is_floating_point(outputs[i].dtype())) continue;
    const AnyTensor x = in_compute_type(outputs[i]);  // isnan is exact in float
    const bool nan = x.dtype() == DType::Float64 ? any(x.as<double>().isnan(), {}).item()
                                                 : any(x.as<float>().isnan(), {}).item();
    TS_CHECK(!nan, "Function '", node.name(), "' returned nan values in its ", i, "th output.");
  }
}

// Note [Numbering the graph]
// One backward pass numbers the nodes it reaches 0, 1, 2, ... as it first meets them, through a
// small open-addressing table from a node's address to its number; everything the pass keeps
// per node (dependency counts, gradient buffers, whether it must run) then lives in vectors.
class NodeNumbering {
 public:
  static constexpr size_t npos = static_cast<size_t>(-1);

  /** The node's number, given to it now if it has none yet; `fresh` tells which. */
  size_t insert(const Node* n, bool& fresh) {
    if (2 * (count_ + 1) > slots_.size()) grow();
    Slot& slot = slots_[slot_of(n)];
    fresh = slot.node != n;
    if (fresh) slot = {n, count_++};
    return slot.number;
  }
  /** The node's number, or npos when the pass has not met it. */
  size_t find(const Node* n) const {
    if (slots_.empty()) return npos;
    const Slot& slot = slots_[slot_of(n)];
    return slot.node == n ? slot.number : npos;
  }

 private:
  struct Slot {
    const Node* node = nullptr;
    size_t number = 0;
  };
  // The slot holding n, or the empty slot where it belongs (linear probing; never full).
  size_t slot_of(const Node* n) const {
    const size_t mask = slots_.size() - 1;
    size_t i = (reinterpret_cast<uintptr_t>(n) >> 4) * 0x9E3779B97F4A7C15ull >> 20 & mask;
    while (slots_[i].node && slots_[i].node != n) i = (i + 1) & mask;
    return i;
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : 2 * old.size(), Slot{});
    for (const Slot& s : old)
      if (s.node) slots_[slot_of(s.node)] = s;
  }

  std::vector<Slot> slots_;
  size_t count_ = 0;
};

/** Names the engine's entry point on this thread for a scope (backward_entry). */
class BackwardEntry {
 public:
  explicit BackwardEntry(const char* op) : previous_(backward_entry()) { backward_entry() = op; }
  ~BackwardEntry() { backward_entry() = previous_; }
  BackwardEntry(const BackwardEntry&) = delete;
  BackwardEntry& operator=(const BackwardEntry&) = delete;

 private:
  const char* previous_;
};

/** Runs the graph behind `roots` backwards from `root_grads`. With `captures` empty, gradients
 *  accumulate into leaves (backward()); otherwise the gradients arriving at those edges are
 *  returned and no .grad is touched (autograd::grad). Without `keep_graph`, each node's saved
 *  tensors are freed as soon as it has run (Note [Saved tensors and versions]). Passes on
 *  different threads may share leaves (Note [Autograd and threads]). */
template <class = void>
variable_list run_backward(const char* op, const std::vector<Edge>& roots, variable_list root_grads, bool keep_graph,
                           bool create_graph, const std::vector<Edge>& captures = {}) {
  AutoGradMode mode(create_graph);
  BackwardEntry entry(op);
  auto root = make_node<GraphRoot>(std::move(root_grads));
  for (const Edge& e : roots) root->next_edges.push_back({e, {}});

  // Every node the graph reaches, by number, and how many edges point at it.
  NodeNumbering numbering;
  std::vector<Node*> nodes;
  std::vector<int64_t> dependencies;
  bool fresh = true;
  numbering.insert(root.get(), fresh);
  nodes.push_back(root.get());
  dependencies.push_back(0);
  for (size_t k = 0; k < nodes.size(); ++k) {
    for (const Edge& e : nodes[k]->next_edges) {
      if (!e.valid()) continue;
      const size_t j = numbering.insert(e.fn.get(), fresh);
      if (fresh) {
        nodes.push_back(e.fn.get());
        dependencies.push_back(0);
      }
      ++dependencies[j];
    }
  }
  // autograd::grad runs only the nodes that lead to a captured edge, and never AccumulateGrad.
  std::vector<char> is_capture(nodes.size()), needed(nodes.size(), captures.empty());
  for (const Edge& c : captures)
    if (const size_t j = numbering.find(c.fn.get()); j != NodeNumbering::npos) is_capture[j] = 1;
  if (!captures.empty()) {
    // A node is needed when some path from it reaches a capture; fixpoint over the node list,
    // taken from the last discovered (the deepest) back, so one pass usually settles it.
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t k = nodes.size(); k-- > 0;) {
        if (needed[k]) continue;
        for (const Edge& e : nodes[k]->next_edges) {
          if (!e.valid()) continue;
          const size_t j = numbering.find(e.fn.get());
          if (needed[j] || is_capture[j]) {
            needed[k] = changed = true;
            break;
          }
        }
      }
    }
  }

  variable_list captured(captures.size());
  std::vector<variable_list> buffers(nodes.size());  // gradients arriving at each node's outputs
  using Ready = std::pair<uint64_t, size_t>;        // (sequence number, node number)
  std::vector<Ready> ready = {{root->sequence_nr, 0}};  // a max-heap: highest sequence number first
  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end());
    const size_t k = ready.back().second;
    ready.pop_back();
    Node* n = nodes[k];
    variable_list inputs = std::move(buffers[k]);
    inputs.resize(n->num_outputs);
    // As in PyTorch, autograd::grad returns a gradient before the tensor's hooks change it.
    if (is_capture[k])
      for (size_t slot = 0; slot < captures.size(); ++slot)
        if (captures[slot].fn.get() == n) captured[slot] = inputs[captures[slot].input_nr];
    if (!needed[k]) continue;
    for (auto& [output, hooks] : n->pre_hooks)
      if (inputs[output].defined()) inputs[output] = run_tensor_hooks(*hooks, std::move(inputs[output]));
    if (auto* acc = dynamic_cast<AccumulateGrad*>(n)) {
      if (inputs[0].defined()) {
        if (const AutogradMeta* meta = acc->variable->autograd; meta && meta->hooks)
          inputs[0] = run_tensor_hooks(*meta->hooks, std::move(inputs[0]));
        LockGuard lock(grad_mutex(acc->variable.get()));  // other threads' passes may reach this leaf at once
        accumulate_into(*acc->variable, std::move(inputs[0]), /*may_steal=*/true);
      }
      continue;
    }

    bool any = k == 0;
    for (const AnyTensor& g : inputs) any = any || g.defined();
    variable_list outputs = any ? n->apply(std::move(inputs)) : variable_list(n->next_edges.size());
    if (!keep_graph && k != 0) n->release_saved();
    TS_CHECK(outputs.size() == n->next_edges.size(), "Function ", n->name(), " returned ", outputs.size(),
             " gradients, expected ", n->next_edges.size());
    if (anomaly_mode().load(MemoryOrder::Relaxed)) check_anomaly(*n, outputs);
    for (size_t i = 0; i < outputs.size(); ++i) {
      const Edge& e = n->next_edges[i];
      if (!e.valid()) continue;
      const size_t j = numbering.find(e.fn.get());
      if (outputs[i].defined()) {
        AnyTensor g = k == 0 ? std::move(outputs[i]) : validate_gradient(*n, i, std::move(outputs[i]));
        variable_list& buffer = buffers[j];
        buffer.resize(e.fn->num_outputs);
        buffer[e.input_nr] = add_gradients(buffer[e.input_nr], g);
      }
      if (--dependencies[j] == 0 && (needed[j] || is_capture[j])) {
        ready.push_back({e.fn->sequence_nr, j});
        std::push_heap(ready.begin(), ready.end());
      }
    }
  }
  return captured;
}

/** The gradient PyTorch assumes when backward() gets none: ones for a one-element output. */
template <class T>
Tensor<T> implicit_gradient(const Tensor<T>& out) {
  TS_CHECK(out.numel() == 1, "grad can be implicitly created only for scalar outputs (got shape ",
           shape_str(out.sizes()), ")");
  NoGradGuard no_grad;
  return ones<T>(out.sizes(), {.device = out.device()});
}

template <class T>
Edge output_edge(const Tensor<T>& out, const char* op) {
  TS_CHECK(out.requires_grad(), op, ": element 0 of tensors does not require grad and does not have a grad_fn");
  return gradient_edge(out.impl_ptr());
}

}  // namespace detail

template <class T>
void Tensor<T>::backward(const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph) const {
  const detail::Edge edge = detail::output_edge(*this, "backward");
  if (gradient.defined())
    TS_CHECK(gradient.sizes() == sizes(), "backward: Mismatch in shape: grad_output[0] has a shape of ",
             detail::shape_str(gradient.sizes()), " and output[0] has a shape of ", detail::shape_str(sizes()), ".");
  const Tensor g = gradient.defined() ? gradient : detail::implicit_gradient(*this);
  detail::run_backward("backward", {edge}, {AnyTensor(g)}, retain_graph.value_or(create_graph), create_graph);
}

namespace detail {

/** Adds an entry to the tensor's hooks, registering the list on its grad_fn for a non-leaf. */
template <class = void>
autograd::RemovableHandle add_tensor_hook(const std::shared_ptr<TensorImpl>& impl, TensorHooks::Entry entry) {
  sync_view_history(impl);
  AutogradMeta& meta = impl->autograd_meta();
  const bool fresh = !meta.hooks;
  const std::shared_ptr<TensorHooks>& hooks = tensor_hooks(meta);
  // Registered on the grad_fn the list is made for, and stays there (Note [Tensor hooks]).
  if (fresh && meta.grad_fn) meta.grad_fn->pre_hooks.push_back({meta.output_nr, hooks});
  const uint64_t id = hooks->add(std::move(entry));
  return autograd::RemovableHandle(hooks, id);
}

}  // namespace detail

template <class T>
void Tensor<T>::retain_grad() const {
  TS_CHECK(requires_grad(), "retain_grad: can't retain_grad on Tensor that has requires_grad=False");
  detail::AutogradMeta& meta = impl().autograd_meta();
  if (is_leaf() || meta.retains_grad) return;
  meta.retains_grad = true;
  detail::TensorHooks::Entry entry;
  entry.retain = impl_ptr();
  detail::add_tensor_hook(impl_ptr(), std::move(entry));
}

template <class T>
template <class F>
autograd::RemovableHandle Tensor<T>::register_hook(F&& hook) const {
  TS_CHECK(requires_grad(), "register_hook: cannot register a hook on a tensor that doesn't require gradient");
  using R = std::invoke_result_t<std::decay_t<F>&, const Tensor<T>&>;
  detail::TensorHooks::Entry entry;
  entry.fn = [h = std::forward<F>(hook)](const AnyTensor& g) mutable -> AnyTensor {
    const Tensor<T> grad = detail::cast_grad<T>(g);
    if constexpr (std::is_void_v<R>) {
      h(grad);
      return {};
    } else if constexpr (requires(R r) { r.has_value(); }) {
      auto r = h(grad);
      return r.has_value() ? AnyTensor(*r) : AnyTensor();
    } else {
      return AnyTensor(h(grad));
    }
  };
  return detail::add_tensor_hook(impl_ptr(), std::move(entry));
}

namespace autograd {

/** torch.autograd.grad: the gradients of `outputs` with respect to `inputs`, without touching
 *  any .grad. `grad_outputs` defaults to ones for one-element outputs; `retain_graph` defaults
 *  to `create_graph`, which records the backward itself so it can be differentiated again. */
template <class = void>
std::vector<AnyTensor> grad(const std::vector<AnyTensor>& outputs, const std::vector<AnyTensor>& inputs,
                                   const std::vector<AnyTensor>& grad_outputs = {},
                                   std::optional<bool> retain_graph = std::nullopt, bool create_graph = false,
                                   bool allow_unused = false) {
  TS_CHECK(grad_outputs.empty() || grad_outputs.size() == outputs.size(), "autograd::grad: got ",
           grad_outputs.size(), " grad_outputs for ", outputs.size(), " outputs");
  std::vector<detail::Edge> roots;
  detail::variable_list root_grads;
  for (size_t i = 0; i < outputs.size(); ++i) {
    detail::dispatch_floating(outputs[i].dtype(), [&]<class T>(std::type_identity<T>) {
      const Tensor<T> out = outputs[i].as<T>();
      roots.push_back(detail::output_edge(out, "autograd::grad"));
      if (!grad_outputs.empty() && grad_outputs[i].defined()) {
        TS_CHECK(grad_outputs[i].sizes() == out.sizes(), "autograd::grad: Mismatch in shape: grad_output[", i,
                 "] has a shape of ", detail::shape_str(grad_outputs[i].sizes()), " and output[", i, "] has a shape of ",
                 detail::shape_str(out.sizes()), ".");
        root_grads.push_back(grad_outputs[i]);
      } else {
        root_grads.push_back(detail::implicit_gradient(out));
      }
    });
  }
  std::vector<detail::Edge> captures;
  for (const AnyTensor& in : inputs) {
    TS_CHECK(in.defined() && in.impl_ptr()->requires_grad(),
             "autograd::grad: One of the differentiated Tensors does not require grad");
    captures.push_back(detail::gradient_edge(in.impl_ptr()));
  }
  detail::variable_list result =
      detail::run_backward("autograd::grad", roots, std::move(root_grads), retain_graph.value_or(create_graph),
                           create_graph, captures);
  for (size_t i = 0; i < result.size(); ++i) {
    TS_CHECK(result[i].defined() || allow_unused, "autograd::grad: One of the differentiated Tensors appears to not "
             "have been used in the graph. Set allow_unused=true if this is the desired behavior.");
    if (result[i].defined()) result[i] = detail::cast_floating(result[i], inputs[i].dtype());
  }
  return result;
}

/** torch.autograd.set_detect_anomaly(mode): while on, every backward checks each gradient a node
 *  returns and throws PyTorch's error naming the node ("Function 'LogBackward0' returned nan
 *  values in its 0th output.") when one holds NaN. Global, as in PyTorch; costs one reduction per
 *  gradient. */
inline void set_detect_anomaly(bool on) { detail::anomaly_mode().store(on, detail::MemoryOrder::Relaxed); }
inline bool is_anomaly_enabled() { return detail::anomaly_mode().load(detail::MemoryOrder::Relaxed); }

/** torch.autograd.detect_anomaly() (LibTorch's DetectAnomalyGuard): turns anomaly detection on
 *  for a scope and restores the previous mode at its end. */
class DetectAnomalyGuard {
 public:
  DetectAnomalyGuard() : previous_(is_anomaly_enabled()) { set_detect_anomaly(true); }
  ~DetectAnomalyGuard() { set_detect_anomaly(previous_); }
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool previous_;
};
/** Python's spelling: `ts::autograd::detect_anomaly guard;` as `with torch.autograd.detect_anomaly():`. */
using detect_anomaly = DetectAnomalyGuard;

/** The typed form for one output and one input. */
template <class T, class U>
Tensor<U> grad(const Tensor<T>& output, const Tensor<U>& input, const Tensor<T>& grad_output = {},
               std::optional<bool> retain_graph = std::nullopt, bool create_graph = false) {
  std::vector<AnyTensor> grad_outputs;
  if (grad_output.defined()) grad_outputs.push_back(grad_output);
  return grad(std::vector<AnyTensor>{output}, std::vector<AnyTensor>{input}, grad_outputs, retain_graph, create_graph)[0]
      .template as<U>();
}

}  // namespace autograd
}  // namespace tessera
