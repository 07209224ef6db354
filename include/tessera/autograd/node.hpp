#pragma once
// Node: one recorded operation on the autograd tape, its edges to the nodes of its inputs, and
// the saved tensors its derivative needs.

#include "../core/algorithm.hpp"
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "../core/any_tensor.hpp"
#include "../parallel/atomic.hpp"
#include "../parallel/mutex.hpp"
#include "grad_mode.hpp"
#include "hooks.hpp"

namespace tessera {
namespace detail {

using variable_list = std::vector<AnyTensor>;

/** Calls f(std::type_identity<T>{}) for the floating dtypes, the only ones gradients have. */
template <class F>
decltype(auto) dispatch_floating(DType d, F&& f) {
  switch (d) {
    case DType::Float16: return f(std::type_identity<half>{});
    case DType::BFloat16: return f(std::type_identity<bfloat16>{});
    case DType::Float32: return f(std::type_identity<float>{});
    case DType::Float64: return f(std::type_identity<double>{});
    default: throw_error("autograd: gradients must have a floating dtype, got ", d);
  }
}

// Note [The tape]
// An op run with grad mode on and an input that requires grad records a Node: its outputs hold
// it as grad_fn (strongly), it holds the nodes of its inputs through next_edges (strongly), so
// the graph lives exactly as long as some output does. Leaves that require grad are reached
// through an AccumulateGrad node, which the leaf knows only weakly. Every node takes the next
// sequence number; backward runs ready nodes in decreasing sequence order, as PyTorch does, so
// gradients reaching one tensor are summed in the order PyTorch sums them.
struct Node;

// Note [Autograd and threads]
// As in PyTorch, graphs may be built and run backwards from several threads at once, also when
// they share leaves: a backward pass keeps all its state on its own stack, and what graphs
// share is a leaf's AccumulateGrad node and the leaf's .grad. A leaf has at most one
// AccumulateGrad node alive at a time (grad_accumulator finds or makes it under a lock), and the
// engine adds into the leaf's .grad under a lock of the leaf's (grad_mutex), not of the node: a
// graph recorded after another's pass freed the old node holds a new one. No gradient is lost; retained
// gradients of non-leaves (retain_grad) are added under one lock of their own. Passes through
// one graph, or through a part that graphs share, from several threads at once must all use
// retain_graph=true; they then only read the shared nodes. Without it the first pass frees what
// the others read: PyTorch locks each node to report that as its backward-twice error, tessera
// keeps nodes lock-free (a lock per node costs single-threaded backward a few percent) and
// leaves it undefined.

/** "backward" or "autograd::grad": the entry point running the engine on this thread, which
 *  errors raised inside a node's backward start with, as every tessera error starts with its
 *  operation. */
inline const char*& backward_entry() {
  thread_local const char* entry = "backward";
  return entry;
}

/** PyTorch's error for using saved tensors a backward pass has freed. */
[[noreturn]] inline void throw_backward_twice() {
  throw_error(backward_entry(), ": Trying to backward through the graph a second time (or directly access saved "
              "tensors after they have already been freed). Saved intermediate values of the graph are freed when you "
              "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph "
              "a second time or if you need to access saved tensors after calling backward.");
}

/** Where a gradient goes: input `input_nr` of node `fn` (no node: nothing needs it). */
struct Edge {
  std::shared_ptr<Node> fn;
  uint32_t input_nr = 0;
  bool valid() const { return fn != nullptr; }
};

/** Shape and dtype of an op's input: the engine sums a gradient down to that shape (undoing
 *  broadcasting) and casts it to that dtype (undoing promotion) before passing it on. */
struct InputMeta {
  Shape shape;
  DType dtype = DType::Float32;
};

/** A node's edge to one of its inputs, with the input's shape and dtype. */
struct NextEdge : Edge {
  InputMeta meta;
};

inline uint64_t next_sequence_nr() {
  static Atomic<uint64_t> counter{0};
  return counter.fetch_add(1, MemoryOrder::Relaxed);
}

struct Node : std::enable_shared_from_this<Node> {
  uint64_t sequence_nr = next_sequence_nr();
  std::vector<NextEdge> next_edges;  // one per differentiable input
  uint32_t num_outputs = 0;  // set as outputs take this node as their history
  // The hook lists of non-leaf outputs (register_hook, retain_grad), by output number (Note [Tensor hooks]).
  std::vector<std::pair<uint32_t, std::shared_ptr<TensorHooks>>> pre_hooks;

  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  // Note [Freeing long graphs]
  // Dropping the last output of a chain of a million ops would free a million nodes
  // recursively and overflow the stack. A node whose edge holds the last reference to the next
  // node hands that node to a per-thread list instead, and the outermost destructor empties it.
  virtual ~Node() {
    thread_local std::vector<NextEdge> pending;
    thread_local bool draining = false;
    for (NextEdge& e : next_edges)
      if (e.fn && e.fn.use_count() == 1) pending.push_back(std::move(e));
    if (draining) return;
    draining = true;
    while (!pending.empty()) {
      NextEdge next = std::move(pending.back());
      pending.pop_back();
      next.fn.reset();  // may push its own next nodes
    }
    draining = false;
  }

  // Nodes are small and short-lived (one per recorded op): their bytes come from the small
  // block cache, as tensors' do (Note [Small block cache]).
  static void* operator new(size_t bytes) { return SmallBlockCache::allocate_bytes(bytes); }
  static void operator delete(void* p, size_t bytes) { SmallBlockCache::deallocate_bytes(p, bytes); }

  /** PyTorch's class name of the backward function, e.g. "SumBackward0". */
  virtual const char* name() const = 0;
  /** Gradients of the inputs (one per next edge; undefined: zero or not needed) from the
   *  gradients of the outputs (one per output; undefined: zero). */
  virtual variable_list apply(variable_list&& grads) = 0;
  /** Called once backward has run through the node without retain_graph: frees the tensors the
   *  node saved (nodes that save any override this and release each), as PyTorch's
   *  release_variables, so activations die as soon as their gradients are computed rather than
   *  with the graph. A second backward through the node then throws. */
  virtual void release_saved() { released = true; }

  /** Whether input i's gradient is wanted by anyone. */
  bool needs_input_grad(size_t i) const { return i < next_edges.size() && next_edges[i].valid(); }
  /** For nodes whose PyTorch counterpart saves a tensor that tessera keeps in another form (a
   *  scalar operand as a double): a second backward throws all the same, as in PyTorch. */
  void check_not_released() const {
    if (released) throw_backward_twice();
  }
  bool released = false;
};

/** The engine's entry point into a graph: its outputs are the gradients handed to backward(). */
struct GraphRoot final : Node {
  variable_list roots;
  explicit GraphRoot(variable_list grads) : roots(std::move(grads)) { sequence_nr = std::numeric_limits<uint64_t>::max(); }
  const char* name() const override { return "GraphRoot"; }
  variable_list apply(variable_list&&) override { return std::move(roots); }  // runs once: its pass made it
};

/** A leaf's sink: the engine adds the gradients reaching it into the leaf's .grad, holding
 *  grad_mutex(leaf) (Note [Autograd and threads]). */
struct AccumulateGrad final : Node {
  std::shared_ptr<TensorImpl> variable;
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> leaf) : variable(std::move(leaf)) {
    // Runs as soon as it is ready, as in PyTorch.
    sequence_nr = std::numeric_limits<uint64_t>::max();
    num_outputs = 1;
  }
  const char* name() const override { return "torch::autograd::AccumulateGrad"; }
  variable_list apply(variable_list&&) override { return {}; }  // the engine adds into .grad itself
};

/** Owns a new node. Every node class shares this one control-block type (a node is deleted
 *  through its virtual destructor), so recording a new kind of op instantiates no shared_ptr
 *  machinery of its own. */
inline std::shared_ptr<Node> adopt_node(Node* node) {
  return std::shared_ptr<Node>(node, std::default_delete<Node>{}, SmallObjectAllocator<Node>{});
}

/** `new NodeT(args...)`, owned as by adopt_node, as a typed handle (aliasing the owner). */
template <class NodeT, class... Args>
std::shared_ptr<NodeT> make_node(Args&&... args) {
  NodeT* node = new NodeT(std::forward<Args>(args)...);
  return std::shared_ptr<NodeT>(adopt_node(node), node);
}

/** One of a fixed few locks, chosen by the leaf's address (a mutex per leaf would make every
 *  TensorImpl bigger): `table` 0 guards the leaf's AccumulateGrad slot, held only to find or make
 *  the node; table 1 its .grad, held while a backward pass adds into it. */
inline Mutex& leaf_mutex(const TensorImpl* leaf, int table) {
  struct alignas(64) Stripe {
    Mutex mutex;
  };
  static Stripe* const stripes = new Stripe[64];  // never destroyed: no exit-time destructor to compile
  return stripes[table * 32 + static_cast<int>((reinterpret_cast<uintptr_t>(leaf) >> 6) % 32)].mutex;
}
inline Mutex& grad_accumulator_mutex(const TensorImpl* leaf) { return leaf_mutex(leaf, 0); }
inline Mutex& grad_mutex(const TensorImpl* leaf) { return leaf_mutex(leaf, 1); }

/** The leaf's AccumulateGrad, made on first use and shared while some graph holds it; found
 *  and made under a lock, so threads recording ops on one leaf share one node
 *  (Note [Autograd and threads]). */
inline std::shared_ptr<Node> grad_accumulator(const std::shared_ptr<TensorImpl>& leaf) {
  AutogradMeta& meta = leaf->autograd_meta();
  LockGuard lock(grad_accumulator_mutex(leaf.get()));
  if (auto existing = meta.grad_accumulator.lock()) return existing;
  auto acc = make_node<AccumulateGrad>(leaf);
  meta.grad_accumulator = acc;
  return acc;
}

/** Where the gradient of `t` must be sent: its grad_fn, its accumulator, or nowhere. */
inline Edge gradient_edge(const std::shared_ptr<TensorImpl>& t) {
  if (!t) return {};
  sync_view_history(t);
  if (!t->autograd) return {};
  if (t->autograd->grad_fn) return {t->autograd->grad_fn, t->autograd->output_nr};
  if (t->autograd->requires_grad) return {grad_accumulator(t), 0};
  return {};
}

template <class... Ts>
bool needs_grad(const Tensor<Ts>&... inputs) {
  return GradMode::is_enabled() && ((inputs.defined() && inputs.requires_grad()) || ...);
}

/** Makes output `k` of `node` the history of `out`. */
inline void set_history(const AnyTensor& out, const std::shared_ptr<Node>& node, uint32_t k) {
  AutogradMeta& meta = out.impl_ptr()->autograd_meta();
  if (meta.retains_grad && meta.grad_fn && meta.grad_fn != node) {
    // An in-place op: the retained .grad is the new history's (Note [Tensor hooks]).
    if (meta.hooks) meta.hooks->remove_retain(out.impl_ptr().get());
    auto moved = std::make_shared<TensorHooks>();
    TensorHooks::Entry entry;
    entry.retain = out.impl_ptr();
    moved->add(std::move(entry));
    node->pre_hooks.push_back({k, std::move(moved)});
  }
  meta.requires_grad = true;
  meta.grad_fn = node;
  meta.output_nr = k;
  // Written only when it grows: passes running one retained graph with create_graph reattach
  // saved outputs to their nodes concurrently, and must not write to the shared node.
  if (node->num_outputs < k + 1) node->num_outputs = k + 1;
}

/** Gives `node` edges to `inputs` and makes it the grad_fn of `outputs`. */
inline void attach_node(const std::shared_ptr<Node>& node, std::span<const AnyTensor> inputs,
                        std::span<const AnyTensor> outputs) {
  node->next_edges.reserve(inputs.size());
  for (const AnyTensor& in : inputs)
    node->next_edges.push_back(in.defined() ? NextEdge{gradient_edge(in.impl_ptr()), {in.sizes(), in.dtype()}}
                                            : NextEdge{});
  uint32_t k = 0;
  for (const AnyTensor& out : outputs) {
    // Note [Results that view scratch tensors]: an op may hand out a view of a tensor it made
    // with grad mode off (dot's and mv's products, gathered rows). Such a result shares no
    // storage with the op's inputs and has no base in autograd's sense: an in-place op on it, or
    // its history remade (Note [Stale view histories]), would route its gradient to the scratch
    // tensor and lose it. Only view ops and split's pieces keep their base.
    if (TensorImpl& result = *out.impl_ptr(); result.view_base) {
      bool views_an_input = false;
      for (const AnyTensor& in : inputs) views_an_input |= in.defined() && in.impl_ptr()->storage.is_alias_of(result.storage);
      if (!views_an_input) result.forget_view_base();
    }
    set_history(out, node, k++);
  }
}

/** Records `NodeT(args...)` with edges to `inputs` as the grad_fn of `outputs`. Callers check
 *  needs_grad first, so an op whose inputs need no gradient pays one branch. */
template <class NodeT, class... Args>
std::shared_ptr<NodeT> record_lists(std::span<const AnyTensor> inputs, std::span<const AnyTensor> outputs,
                                    Args&&... args) {
  std::shared_ptr<NodeT> node = make_node<NodeT>(std::forward<Args>(args)...);
  attach_node(node, inputs, outputs);
  return node;
}
template <class NodeT, class... Args>
std::shared_ptr<NodeT> record(std::initializer_list<AnyTensor> inputs, std::initializer_list<AnyTensor> outputs,
                              Args&&... args) {
  return record_lists<NodeT>(std::span<const AnyTensor>(inputs.begin(), inputs.size()),
                             std::span<const AnyTensor>(outputs.begin(), outputs.size()), std::forward<Args>(args)...);
}

/** `[torch.FloatTensor [2, 3]]`, the way PyTorch names a tensor in autograd errors. */
inline std::string tensor_description(DType dtype, const Shape& shape) {
  static constexpr const char* names[kNumDTypes] = {"Bool", "Byte", "Char", "Short", "Int",
                                                     "Long", "Half", "BFloat16", "Float", "Double"};
  return std::string("[torch.") + names[static_cast<int>(dtype)] + "Tensor " + shape_str(shape) + "]";
}


/** PyTorch's error for a saved tensor modified in place since it was saved. `producer` made it:
 *  the saving node for an output it saved, the tensor's grad_fn for an input (none for a leaf). */
[[noreturn, gnu::noinline, gnu::cold]] inline void throw_saved_modified(const TensorImpl& data, const Node* producer,
                                                                        uint32_t output_nr, uint64_t now,
                                                                        uint64_t expected) {
  const char* head = ": one of the variables needed for gradient computation has been modified by an inplace "
                     "operation: ";
  const char* tail = " instead. Hint: enable anomaly detection to find the operation that failed to compute its "
                     "gradient, with torch.autograd.set_detect_anomaly(True).";
  const std::string tensor = tensor_description(data.dtype, data.sizes);
  if (producer)
    throw_error(backward_entry(), head, tensor, ", which is output ", output_nr, " of ", producer->name(), ", is at version ",
                now, "; expected version ", expected, tail);
  throw_error(backward_entry(), head, tensor, " is at version ", now, "; expected version ", expected, tail);
}

/** The node that made a saved input, and which of its outputs it is (none for a leaf). */
inline std::pair<const Node*, uint32_t> producer_of(const TensorImpl& input) {
  if (!input.autograd || !input.autograd->grad_fn) return {nullptr, 0};
  return {input.autograd->grad_fn.get(), input.autograd->output_nr};
}
// Note [Saved tensors and versions]
// A node keeps the tensors its derivative needs together with the storage version they had
// when saved. Every write to a storage bumps its version, so a mismatch at backward time means
// an in-place op changed a value the derivative relies on: that throws, naming the node. An
// op's own output is saved without its autograd state (the output holds the node, and the
// node holding the output back would be a cycle); unpacking reattaches the node as grad_fn when
// the backward is itself being recorded (create_graph), so second derivatives flow through it.
// Backward without retain_graph releases a node's saved tensors once the node has run (as
// PyTorch does), so they are freed then rather than with the graph; unpacking a released
// tensor throws PyTorch's "backward through the graph a second time" error.
template <class T>
class SavedTensor {
 public:
  SavedTensor() = default;
  SavedTensor(const Tensor<T>& t, bool is_output) : is_output_(is_output) {
    if (!t.defined()) return;
    version_ = t.storage().version();
    if (is_output) {
      const TensorImpl& impl = t.impl();
      data_ = make_tensor_impl(impl.storage, impl.sizes, impl.strides, impl.offset, impl.dtype);
      output_nr_ = impl.autograd ? impl.autograd->output_nr : 0;
    } else {
      data_ = t.impl_ptr();
    }
  }

  /** Whether a tensor was saved (still true once it is released). */
  bool defined() const { return data_ != nullptr || released_; }
  /** Frees the saved tensor (backward ran through its node without retain_graph). */
  void release() {
    if (!data_) return;
    data_.reset();
    released_ = true;
  }
  Tensor<T> unpack(Node& owner) const {
    if (released_) throw_backward_twice();
    if (!data_) return {};
    const uint64_t now = data_->storage.version();
    if (now != version_) {
      const auto [producer, output_nr] = is_output_ ? std::pair<const Node*, uint32_t>{&owner, output_nr_} : producer_of(*data_);
      throw_saved_modified(*data_, producer, output_nr, now, version_);
    }
    if (is_output_ && GradMode::is_enabled()) {
      auto alias = make_tensor_impl(data_->storage, data_->sizes, data_->strides, data_->offset, data_->dtype);
      set_history(Tensor<T>(alias), owner.shared_from_this(), output_nr_);
      return Tensor<T>(std::move(alias));
    }
    return Tensor<T>(data_);
  }

 private:
  std::shared_ptr<TensorImpl> data_;
  uint64_t version_ = 0;
  uint32_t output_nr_ = 0;
  bool is_output_ = false;
  bool released_ = false;
};

/** Releases each of a node's saved tensors (Node::release_saved). */
template <class... Saved>
void release_all(Saved&... saved) {
  (saved.release(), ...);
}

/** The node, named as PyTorch's, of an op composed from others with grad mode off (pooling,
 *  padding, pixel_shuffle): its input's gradient is formula(g, indices), itself written with ops,
 *  so it runs on every device and is recorded under create_graph. `indices` is what the formula
 *  needs besides g (max pooling's), saved with its version, or undefined. */
template <class T, class Formula>
struct FormulaBackward final : Node {
  const char* node_name;
  Formula formula;
  SavedTensor<int64_t> indices;
  FormulaBackward(const char* n, Formula f, const Tensor<int64_t>& i = {})
      : node_name(n), formula(std::move(f)), indices(i, false) {}
  const char* name() const override { return node_name; }
  void release_saved() override {
    Node::release_saved();
    release_all(indices);
  }
  variable_list apply(variable_list&& grads) override { return {formula(grads[0].as<T>(), indices.unpack(*this))}; }
};

}  // namespace detail

template <class T>
std::string Tensor<T>::grad_fn_name() const {
  const detail::Node* fn = detail::grad_fn_of(impl_ptr());
  return fn ? fn->name() : std::string();
}

}  // namespace tessera
