#pragma once
// Custom autograd functions: ts::autograd::Function<Derived> with a static forward and backward,
// as torch.autograd.Function (torch::autograd::Function in LibTorch).

#include <any>
#include <map>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>
#if __has_include(<cxxabi.h>)
#include <cxxabi.h>
#include <cstdlib>
#endif
#include <typeinfo>

#include "engine.hpp"

namespace tessera::autograd {

using variable_list = std::vector<AnyTensor>;

template <class Derived>
struct Function;

namespace detail {
template <class Derived>
struct CustomFunctionNode;
}  // namespace detail

/** The `ctx` of a custom function (torch.autograd.function.FunctionCtx; AutogradContext in
 *  LibTorch): what forward leaves for backward. */
class AutogradContext {
 public:
  /** Values other than tensors that backward needs (`ctx.k = k` in Python; `saved_data` in
   *  LibTorch): `ctx->saved_data["k"] = 2.0`, then `std::any_cast<double>(ctx->saved_data["k"])`. */
  std::map<std::string, std::any> saved_data;

  /** Tensors backward needs (inputs or outputs of forward; undefined ones are allowed). Calling
   *  it again replaces the list. They are checked for in-place changes when backward reads them. */
  template <class... Ts>
  void save_for_backward(const Ts&... tensors) {
    to_save_ = {AnyTensor(tensors)...};
  }
  void save_for_backward(variable_list tensors) { to_save_ = std::move(tensors); }

  /** The tensors given to save_for_backward, in order. Throws when one of them was modified in
   *  place since forward, or when a backward pass without retain_graph has freed them. */
  variable_list saved_tensors() const;
  /** saved_tensors()[i] as Tensor<T>. */
  template <class T>
  Tensor<T> saved_tensor(size_t i) const {
    const variable_list all = saved_tensors();
    TS_CHECK(i < all.size(), "saved_tensor: index ", i, " out of range for ", all.size(), " saved tensors");
    return all[i].defined() ? all[i].as<T>() : Tensor<T>();
  }

  /** Whether argument i of forward (counting every argument, as Python's ctx.needs_input_grad)
   *  is a tensor whose gradient some backward may need. */
  bool needs_input_grad(size_t i) const { return i < needs_input_grad_.size() && needs_input_grad_[i]; }

  /** Declares inputs that forward modified in place; they must also be returned. */
  template <class... Ts>
  void mark_dirty(const Ts&... tensors) {
    dirty_ = {AnyTensor(tensors).impl_ptr().get()...};
  }
  /** Declares outputs that have no gradient: they do not require grad, and backward receives
   *  zeros (or undefined tensors, without materialized gradients) for them. */
  template <class... Ts>
  void mark_non_differentiable(const Ts&... tensors) {
    non_differentiable_ = {AnyTensor(tensors).impl_ptr().get()...};
  }
  /** With false, the gradients of outputs that received none reach backward undefined instead of
   *  as zeros. */
  void set_materialize_grads(bool value) { materialize_grads_ = value; }

 private:
  template <class>
  friend struct Function;
  template <class>
  friend struct detail::CustomFunctionNode;

  struct Saved {
    std::shared_ptr<tessera::detail::TensorImpl> data;
    uint64_t version = 0;
    uint32_t output_nr = 0;
    bool is_output = false;
  };

  variable_list to_save_;
  std::vector<Saved> saved_;
  std::vector<const tessera::detail::TensorImpl*> dirty_;
  std::vector<const tessera::detail::TensorImpl*> non_differentiable_;
  std::vector<char> needs_input_grad_;
  tessera::detail::Node* node_ = nullptr;  // the node that holds this context
  bool materialize_grads_ = true;
  bool released_ = false;
};

namespace detail {

using tessera::detail::Node;
using tessera::detail::TensorImpl;

/** The class name of Derived without its namespaces, for "<Name>Backward" (the name PyTorch gives
 *  a Python Function's node). */
template <class Derived>
const std::string& function_name() {
  static const std::string name = [] {
    std::string n = typeid(Derived).name();
#if __has_include(<cxxabi.h>)
    int status = 0;
    if (char* d = abi::__cxa_demangle(n.c_str(), nullptr, nullptr, &status)) {
      if (status == 0) n = d;
      std::free(d);
    }
#endif
    // Drop namespaces (outside template arguments) and MSVC's "struct "/"class " prefix.
    int depth = 0;
    size_t start = 0;
    for (size_t i = 0; i < n.size(); ++i) {
      if (n[i] == '<') ++depth;
      if (n[i] == '>') --depth;
      if (depth == 0 && (n.compare(i, 2, "::") == 0)) start = i + 2;
      if (depth == 0 && n[i] == ' ' && (n.compare(0, i, "struct") == 0 || n.compare(0, i, "class") == 0)) start = i + 1;
    }
    return n.substr(start) + "Backward";
  }();
  return name;
}

template <class X>
inline constexpr bool is_tensor_arg = false;
template <class T>
inline constexpr bool is_tensor_arg<Tensor<T>> = true;
template <>
inline constexpr bool is_tensor_arg<AnyTensor> = true;

template <class X>
struct is_tuple : std::false_type {};
template <class... Ts>
struct is_tuple<std::tuple<Ts...>> : std::true_type {};

/** The tensors a forward or backward returned, as a list. */
template <class R>
variable_list to_list(const R& r) {
  using X = std::remove_cvref_t<R>;
  if constexpr (std::is_same_v<X, variable_list>) {
    return r;
  } else if constexpr (is_tensor_arg<X>) {
    return {AnyTensor(r)};
  } else if constexpr (is_tuple<X>::value) {
    return std::apply([](const auto&... t) { return variable_list{AnyTensor(t)...}; }, r);
  } else {
    static_assert(is_tensor_arg<X>, "a custom Function's forward and backward return a Tensor<T>, an AnyTensor, "
                                    "a std::tuple of them or a std::vector<AnyTensor>");
  }
}

template <class X>
X from_any(const AnyTensor& t) {
  if constexpr (std::is_same_v<X, AnyTensor>) return t;
  else return t.defined() ? t.template to<typename X::value_type>() : X();  // no copy when the dtype is right
}

/** The wrapped outputs in the type forward returned. */
template <class R>
R from_list(const variable_list& list) {
  if constexpr (std::is_same_v<R, variable_list>) {
    return list;
  } else if constexpr (is_tensor_arg<R>) {
    return from_any<R>(list[0]);
  } else {
    return [&]<size_t... I>(std::index_sequence<I...>) {
      return R{from_any<std::tuple_element_t<I, R>>(list[I])...};
    }(std::make_index_sequence<std::tuple_size_v<R>>{});
  }
}

/** The node a custom function records: runs Derived::backward (Note [Custom functions]). */
template <class Derived>
struct CustomFunctionNode final : Node {
  struct OutputInfo {
    Shape shape;
    DType dtype = DType::Float32;
    Device device;
    bool defined = false;
  };

  AutogradContext ctx;
  std::vector<char> is_tensor_input;  // per argument of forward
  std::vector<OutputInfo> output_info;  // per output of forward
  // Derived::backward, given the gradients typed as forward's outputs (run_backward_of).
  variable_list (*call_backward)(AutogradContext*, variable_list&&) = nullptr;
  tessera::detail::Mutex mutex;  // backward may write to ctx: one pass at a time through it, as PyTorch's CppNode

  const char* name() const override { return function_name<Derived>().c_str(); }

  variable_list apply(variable_list&& grads) override {
    for (size_t i = 0; i < grads.size() && i < output_info.size(); ++i) {
      const OutputInfo& info = output_info[i];
      if (grads[i].defined() || !ctx.materialize_grads_ || !info.defined) continue;
      NoGradGuard no_grad;
      grads[i] = dispatch(info.dtype, [&]<class T>(std::type_identity<T>) {
        return AnyTensor(zeros<T>(info.shape, {.device = info.device}));
      });
    }
    variable_list results;
    {
      tessera::detail::LockGuard lock(mutex);
      results = call_backward(&ctx, std::move(grads));
    }
    const size_t expected = is_tensor_input.size();
    if (results.size() > expected) {
      bool all_undefined = true;
      for (size_t i = expected; i < results.size(); ++i) all_undefined = all_undefined && !results[i].defined();
      if (all_undefined) results.resize(expected);
    }
    TS_CHECK(results.size() == expected, "function ", name(), " returned an incorrect number of gradients (expected ",
             expected, ", got ", results.size(), ")");
    variable_list out;
    out.reserve(next_edges.size());
    for (size_t i = 0; i < expected; ++i) {
      if (!is_tensor_input[i]) {
        TS_CHECK(!results[i].defined(), "function ", name(), " returned a gradient different than None at position ",
                 i + 1, ", but the corresponding forward input was not a Variable");
        continue;
      }
      // A gradient nobody needs is dropped, as PyTorch's engine does.
      out.push_back(needs_input_grad(out.size()) ? std::move(results[i]) : AnyTensor());
    }
    return out;
  }

  void release_saved() override {
    tessera::detail::LockGuard lock(mutex);
    Node::release_saved();
    ctx.saved_.clear();
    ctx.released_ = true;
  }
};

template <class Derived, class Out>
variable_list run_backward_of(AutogradContext* ctx, variable_list&& grads) {
  if constexpr (requires { Derived::backward(ctx, std::move(grads)); }) {
    return to_list(Derived::backward(ctx, std::move(grads)));
  } else if constexpr (is_tensor_arg<Out> && !std::is_same_v<Out, AnyTensor>) {
    return to_list(Derived::backward(ctx, from_any<Out>(grads[0])));
  } else if constexpr (is_tuple<Out>::value) {
    return [&]<size_t... I>(std::index_sequence<I...>) {
      return to_list(Derived::backward(ctx, from_any<std::tuple_element_t<I, Out>>(grads[I])...));
    }(std::make_index_sequence<std::tuple_size_v<Out>>{});
  } else {
    static_assert(is_tuple<Out>::value, "a custom Function's backward takes (AutogradContext*, variable_list), or "
                                        "one Tensor<T> per output of forward");
    return {};
  }
}

inline bool contains(const std::vector<const TensorImpl*>& list, const TensorImpl* p) {
  for (const TensorImpl* q : list)
    if (q == p) return true;
  return false;
}

/** `t.view_as(t)` without recording: an output that is an input returned as is becomes an alias
 *  that can take the custom node as its history. A template, so that only programs with a custom
 *  Function compile its views of every dtype. */
template <class = void>
AnyTensor alias_of(const AnyTensor& t) {
  return dispatch(t.dtype(), [&]<class T>(std::type_identity<T>) {
    const Tensor<T> x = t.as<T>();
    return AnyTensor(tessera::detail::make_view(x, x.sizes(), x.strides(), x.storage_offset()));
  });
}

}  // namespace detail

// Note [Custom functions]
// Function<Derived>::apply runs Derived::forward under no_grad with a context, then, when grad
// mode is on and a tensor argument requires grad, records a CustomFunctionNode with an edge per
// tensor argument and makes it the history of every differentiable output, as PyTorch's
// _wrap_outputs: an input returned as is is returned as an alias (it keeps its own history), an
// input marked dirty takes the node as its new history, non-differentiable outputs (marked, or of
// an integer dtype) do not require grad. Saved tensors are packed after that, like built-in
// nodes' (Note [Saved tensors and versions]): an output saved without its history (no cycle) and
// given it back when unpacked under create_graph, every one with the version it had then.
// backward runs under the engine's grad mode, so one written with differentiable ops can be
// differentiated again (create_graph). It returns one gradient per argument of forward, undefined
// for non-tensors and for inputs that need none.

/** Base of a custom autograd function, as torch.autograd.Function:
 *
 *      struct MulConstant : ts::autograd::Function<MulConstant> {
 *        static ts::Tensor<float> forward(ts::autograd::AutogradContext* ctx, ts::Tensor<float> x, double k) {
 *          ctx->saved_data["k"] = k;
 *          return x * k;
 *        }
 *        static ts::autograd::variable_list backward(ts::autograd::AutogradContext* ctx, ts::autograd::variable_list g) {
 *          return {g[0].as<float>() * std::any_cast<double>(ctx->saved_data["k"]), {}};
 *        }
 *      };
 *      auto y = MulConstant::apply(x, 2.0);
 *
 *  forward takes the context and any arguments (tensors are Tensor<T> or AnyTensor) and returns a
 *  Tensor<T>, an AnyTensor, a std::tuple of them or a variable_list. backward takes the context
 *  and either the output gradients as a variable_list or one Tensor<T> per output, and returns
 *  one gradient per argument of forward (a Tensor<T>, a tuple or a variable_list; undefined for
 *  "None"). */
template <class Derived>
struct Function {
  template <class... Args>
  static auto apply(Args&&... args) {
    using Out = std::remove_cvref_t<decltype(Derived::forward(std::declval<AutogradContext*>(), std::forward<Args>(args)...))>;
    using detail::CustomFunctionNode;
    namespace td = tessera::detail;
    auto node = td::make_node<CustomFunctionNode<Derived>>();
    AutogradContext& ctx = node->ctx;

    variable_list inputs;
    auto collect = [&]<class A>(const A& a) {
      constexpr bool is_tensor = detail::is_tensor_arg<std::remove_cvref_t<A>>;
      node->is_tensor_input.push_back(is_tensor);
      if constexpr (is_tensor) inputs.push_back(AnyTensor(a));
    };
    (collect(args), ...);
    bool executable = false;
    if (GradMode::is_enabled())
      for (const AnyTensor& in : inputs) executable = executable || (in.defined() && in.impl_ptr()->requires_grad());
    if (executable) {
      for (const AnyTensor& in : inputs)
        node->next_edges.push_back(in.defined() ? td::NextEdge{td::gradient_edge(in.impl_ptr()), {in.sizes(), in.dtype()}}
                                                : td::NextEdge{});
    }
    ctx.node_ = node.get();
    for (size_t i = 0, k = 0; i < node->is_tensor_input.size(); ++i)
      ctx.needs_input_grad_.push_back(node->is_tensor_input[i] && executable && node->needs_input_grad(k++));

    Out raw = [&] {
      AutoGradMode no_grad(false);
      return Derived::forward(&ctx, std::forward<Args>(args)...);
    }();
    variable_list outputs = detail::to_list(raw);

    for (const td::TensorImpl* d : ctx.dirty_) {
      bool returned = false;
      for (const AnyTensor& o : outputs) returned = returned || o.impl_ptr().get() == d;
      TS_CHECK(returned, "Some elements marked as dirty during the forward method were not returned as output. The "
               "inputs that are modified inplace must all be outputs of the Function.");
    }
    for (const AnyTensor& in : inputs)
      if (in.defined() && detail::contains(ctx.dirty_, in.impl_ptr().get())) in.impl_ptr()->storage.bump_version();

    if (executable) node->num_outputs = static_cast<uint32_t>(outputs.size());
    for (size_t i = 0; i < outputs.size(); ++i) {
      AnyTensor& var = outputs[i];
      if (!var.defined()) {
        if (executable) node->output_info.emplace_back();
        continue;
      }
      const td::TensorImpl* impl = var.impl_ptr().get();
      bool is_input = false;
      for (const AnyTensor& in : inputs) is_input = is_input || in.impl_ptr().get() == impl;
      const bool is_modified = detail::contains(ctx.dirty_, impl);
      const bool differentiable = executable && !detail::contains(ctx.non_differentiable_, impl) &&
                                  is_floating_point(var.dtype());
      if (executable) node->output_info.push_back({var.sizes(), var.dtype(), var.device(), true});
      if (!differentiable) {
        if (!var.impl_ptr()->requires_grad()) {
          if (is_input && !is_modified) var = detail::alias_of(var);
        } else {
          var = dispatch(var.dtype(), [&]<class T>(std::type_identity<T>) { return AnyTensor(var.as<T>().detach()); });
        }
      } else if (is_modified) {
        const td::TensorImpl& m = *var.impl_ptr();
        TS_CHECK(!(m.requires_grad() && !td::grad_fn_of(var.impl_ptr())),
                 "a leaf Variable that requires grad has been used in an in-place operation.");
        if (m.autograd) m.autograd->grad.reset();
        if (!m.view_base) {
          td::set_history(var, node, static_cast<uint32_t>(i));
          continue;
        }
        // A view modified in place: its base's history is rewritten through CopySlices, as for
        // built-in in-place ops (Note [In-place ops on views]), which hands the view's gradient
        // to the node's first input.
        TS_CHECK(outputs.size() == 1, "If your Function modifies inplace an input that is a view of another Tensor, "
                 "your Function cannot return more than one Tensor. This is not supported by the current autograd "
                 "engine. You should either make sure the input is not a view (using .clone() for example) or make "
                 "your Function only return one Tensor (potentially splitting it into two Functions: one doing the "
                 "inplace that returns a single Tensor and a second one that does the other operations).");
        TS_CHECK(inputs[0].impl_ptr().get() == impl, detail::function_name<Derived>(), ": an input modified in place "
                 "that is a view of another tensor must be the first tensor argument of forward");
        const td::TensorImpl* base = m.view_base.get();
        TS_CHECK(!(base->requires_grad() && !base->autograd->grad_fn),
                 "a view of a leaf Variable that requires grad is being used in an in-place operation.");
        td::dispatch_floating(var.dtype(), [&]<class T>(std::type_identity<T>) { td::finish_inplace(var.as<T>(), node); });
      } else {
        if (is_input) var = detail::alias_of(var);
        td::set_history(var, node, static_cast<uint32_t>(i));
        // Its history is the custom backward's: never remade (Note [Stale view histories]).
        if (var.impl_ptr()->view_base) var.impl_ptr()->view_kind = td::ViewKind::CustomFunction;
      }
    }

    if (executable) {
      node->call_backward = &detail::run_backward_of<Derived, Out>;
      for (const AnyTensor& t : ctx.to_save_) {
        AutogradContext::Saved s;
        if (t.defined()) {
          const td::TensorImpl& impl = *t.impl_ptr();
          s.version = impl.storage.version();
          s.is_output = impl.autograd && impl.autograd->grad_fn.get() == node.get();
          if (s.is_output) {
            s.data = td::make_tensor_impl(impl.storage, impl.sizes, impl.strides, impl.offset, impl.dtype);
            s.output_nr = impl.autograd->output_nr;
          } else {
            s.data = t.impl_ptr();
          }
        }
        ctx.saved_.push_back(std::move(s));
      }
    }
    ctx.to_save_.clear();
    return detail::from_list<Out>(outputs);
  }

};

inline variable_list AutogradContext::saved_tensors() const {
  if (released_) tessera::detail::throw_backward_twice();
  variable_list out;
  out.reserve(saved_.size());
  for (const Saved& s : saved_) {
    if (!s.data) {
      out.emplace_back();
      continue;
    }
    const uint64_t now = s.data->storage.version();
    if (now != s.version) {
      const auto [producer, output_nr] = s.is_output ? std::pair<const tessera::detail::Node*, uint32_t>{node_, s.output_nr}
                                                     : tessera::detail::producer_of(*s.data);
      tessera::detail::throw_saved_modified(*s.data, producer, output_nr, now, s.version);
    }
    if (s.is_output && GradMode::is_enabled()) {
      auto alias = tessera::detail::make_tensor_impl(s.data->storage, s.data->sizes, s.data->strides, s.data->offset,
                                                     s.data->dtype);
      AnyTensor t = dispatch(s.data->dtype, [&]<class T>(std::type_identity<T>) { return AnyTensor(Tensor<T>(alias)); });
      tessera::detail::set_history(t, node_->shared_from_this(), s.output_nr);
      out.push_back(std::move(t));
    } else {
      out.push_back(dispatch(s.data->dtype, [&]<class T>(std::type_identity<T>) { return AnyTensor(Tensor<T>(s.data)); }));
    }
  }
  return out;
}

}  // namespace tessera::autograd
