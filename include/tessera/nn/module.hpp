#pragma once
// Module: the base of every layer, a handle to named parameters, buffers and child modules.

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../autograd/engine.hpp"
#include "../core/named_tensors.hpp"
#include "hooks.hpp"

namespace tessera::nn {

// Note [Layers are templates]
// Every class of ts::nn, ts::optim and ts::data is a template with one defaulted parameter
// (`impl::Linear<>`, named `ts::nn::Linear` by an alias), and every function a template too.
// A header-only library's ordinary inline functions are compiled in every file that includes
// them, used or not, and these pull in much of the library (matmul, conversions between all
// dtypes, the optimizers' arithmetic): that tripled the compile time of a program that trains
// nothing. Templates are compiled only where they are used.

namespace impl {

// Note [Modules are handles]
// As in LibTorch, a module is a cheap handle: copying one aliases the same parameters, buffers,
// children and training flag, so a layer put into a Sequential and kept in a variable is one
// layer. Layers derive from Module, register their tensors in the constructor and define
// `Tensor<float> forward(const Tensor<float>&) const`, called through operator(), which runs it
// with the module's hooks: `return call_forward(*this, x);` (Note [Module hooks]).
template <class = void>
class Module {
 public:
  Module() : state_(std::make_shared<State>()) {}
  virtual ~Module() = default;

  /** Every parameter, this module's first, then its children's, in registration order. */
  std::vector<Tensor<float>> parameters() const {
    std::vector<Tensor<float>> out;
    for (auto& [name, p] : named_parameters()) out.push_back(p);
    return out;
  }
  /** Parameters with PyTorch's dotted names ("0.weight", "fc.bias"). */
  std::vector<std::pair<std::string, Tensor<float>>> named_parameters() const {
    std::vector<std::pair<std::string, Tensor<float>>> out;
    collect(out, "", &State::parameters);
    return out;
  }
  /** Buffers (BatchNorm's running statistics, ...), named as parameters are. */
  std::vector<std::pair<std::string, AnyTensor>> named_buffers() const {
    std::vector<std::pair<std::string, AnyTensor>> out;
    collect(out, "", &State::buffers);
    return out;
  }
  const std::vector<std::pair<std::string, Module>>& named_children() const { return state_->children; }
  std::vector<Module> children() const {
    std::vector<Module> out;
    for (const auto& entry : state_->children) out.push_back(entry.second);
    return out;
  }
  /** This module (named "") and every module below it, depth first, with dotted names, as
   *  PyTorch's named_modules(); a module reached twice is listed once. */
  std::vector<std::pair<std::string, Module>> named_modules() const {
    std::vector<std::pair<std::string, Module>> out;
    collect_modules(out, "");
    return out;
  }
  std::vector<Module> modules() const {
    std::vector<Module> out;
    for (const auto& entry : named_modules()) out.push_back(entry.second);
    return out;
  }
  /** Calls fn on every child (recursively) and then on this module, as PyTorch's apply. */
  template <class Fn>
  const Module& apply(Fn&& fn) const {
    for (const auto& entry : state_->children) entry.second.apply(fn);
    fn(*this);
    return *this;
  }
  /** Sets requires_grad on every parameter (false freezes them for fine-tuning). */
  const Module& requires_grad_(bool requires_grad = true) const {
    for (auto& entry : named_parameters()) entry.second.requires_grad_(requires_grad);
    return *this;
  }
  /** Whether `other` is a handle to the same module. */
  bool is_same(const Module& other) const { return state_ == other.state_; }

  /** Training mode (dropout active, batch norm updating its statistics), for this module and all below it. */
  const Module& train(bool on = true) const {
    state_->training = on;
    for (auto& [name, child] : state_->children) child.train(on);
    return *this;
  }
  const Module& eval() const { return train(false); }
  bool is_training() const { return state_->training; }

  /** Moves every parameter, gradient and buffer to `device` in place, as PyTorch's module.to(device):
   *  every handle to them, the layer's own included, sees the move. */
  const Module& to(Device device) const {
    NoGradGuard no_grad;
    for (auto& [name, p] : named_parameters()) {
      detail::move_in_place(p.impl(), device);
      if (p.impl().autograd && p.impl().autograd->grad) detail::move_in_place(*p.impl().autograd->grad, device);
    }
    for (const auto& entry : named_buffers()) {  // not a structured binding: clang 14 can't capture one
      const AnyTensor& buffer = entry.second;
      dispatch(buffer.dtype(), [&]<class T>(std::type_identity<T>) {
        detail::move_in_place(buffer.template as<T>().impl(), device);
      });
    }
    return *this;
  }
  // Note [Modules are float32]
  // PyTorch's module.to(dtype), double() and half() change every parameter's dtype in place.
  // tessera's parameters are Tensor<float> handles (parameters() returns them, layers compute on
  // them), and a handle's element type cannot change under the code holding it, so a module stays
  // float32: to<float>() and to(DType::Float32) are accepted, another type fails to compile and
  // another DType throws. (`double` is a C++ keyword: no member can take that name.)
  template <class T>
  const Module& to() const {
    static_assert(std::is_same_v<T, float>, "Module::to<T>: ts::nn modules are float32 models (their parameters are "
                  "Tensor<float>); convert the inputs with x.to<float>() instead");
    return *this;
  }
  const Module& to(DType dtype) const {
    TS_CHECK(dtype == DType::Float32, "Module.to: ts::nn modules are float32 models (their parameters are "
             "Tensor<float>), so they cannot be converted to ", dtype);
    return *this;
  }
  template <class T = float>
  const Module& half() const {
    static_assert(!std::is_same_v<T, T>, "Module::half: ts::nn modules are float32 models (their parameters are "
                  "Tensor<float>); convert the inputs with x.to<float>() instead");
    return *this;
  }

  /** PyTorch's register_forward_pre_hook: `hook(module, input)` runs before each call of
   *  forward, `input` being the call's tensors (nn::HookTensors); it returns nothing (void or
   *  std::nullopt) or the tensors forward gets instead. remove() on the handle unregisters it. */
  template <class F>
  autograd::RemovableHandle register_forward_pre_hook(F hook) const {
    return add_hook(forward_hooks().pre, detail_hooks::returning_tensors<F, Module, HookTensors>(std::move(hook)));
  }
  /** PyTorch's register_forward_hook: `hook(module, input, output)` runs after each call of
   *  forward; it returns nothing or the tensors the call returns instead. */
  template <class F>
  autograd::RemovableHandle register_forward_hook(F hook) const {
    return add_hook(forward_hooks().post,
                    detail_hooks::returning_tensors<F, Module, HookTensors, HookTensors>(std::move(hook)));
  }

  /** Clears every parameter's gradient (set to none, as PyTorch 2's default), or zeroes it. */
  void zero_grad(bool set_to_none = true) const { detail::clear_grads(parameters(), set_to_none); }

  /** Parameters and buffers by name, sharing their data (PyTorch's state_dict). */
  NamedTensors state_dict() const {
    NamedTensors out;
    for (auto& [name, p] : named_parameters()) out[name] = p;
    for (auto& [name, b] : named_buffers()) out[name] = b;
    return out;
  }
  /** Copies every entry into the parameter or buffer of that name; shapes must match, dtypes
   *  convert, and a missing or unexpected name throws (strict, as PyTorch's default). */
  void load_state_dict(const std::map<std::string, AnyTensor>& dict) const {
    const auto own = state_dict();
    for (const auto& [name, t] : dict)
      TS_CHECK(own.count(name), "load_state_dict: unexpected key \"", name, "\" in state_dict");
    NoGradGuard no_grad;
    for (const auto& entry : own) {  // not a structured binding: clang 14 can't capture one
      const std::string& name = entry.first;
      const AnyTensor& target = entry.second;
      const auto it = dict.find(name);
      TS_CHECK(it != dict.end(), "load_state_dict: missing key \"", name, "\" in state_dict");
      TS_CHECK(it->second.sizes() == target.sizes(), "load_state_dict: size mismatch for ", name,
               ": copying a param with shape ", detail::shape_str(it->second.sizes()),
               ", the shape in the current model is ", detail::shape_str(target.sizes()));
      dispatch(target.dtype(), [&]<class T>(std::type_identity<T>) {
        target.as<T>().copy_(it->second.to<T>());
      });
    }
  }

 protected:
  /** `self.forward(args...)`, `self` being this module's layer, with the module's hooks around
   *  it (Note [Module hooks]): what each layer's operator() returns. */
  template <class Self, class... Args>
  auto call_forward(const Self& self, const Args&... args) const {
    const detail_hooks::ForwardHooks* hooks = state_->hooks.get();
    if (!hooks || hooks->empty()) [[likely]] return self.forward(args...);
    return detail_hooks::call_with_hooks(*this, *hooks, [&](const auto&... a) { return self.forward(a...); }, args...);
  }
  /** Adds a parameter (made a leaf that requires grad) under `name`. */
  Tensor<float> register_parameter(const std::string& name, Tensor<float> t) const {
    if (!t.requires_grad()) t.requires_grad_(true);
    state_->parameters.emplace_back(name, t);
    return t;
  }
  template <class T>
  Tensor<T> register_buffer(const std::string& name, Tensor<T> t) const {
    state_->buffers.emplace_back(name, t);
    return t;
  }
  template <class M>
  M register_module(const std::string& name, M child) const {
    state_->children.emplace_back(name, child);
    return child;
  }
  /** The child called `name` becomes `child` (in the same place), or is added. */
  template <class M>
  void replace_child(const std::string& name, M child) const {
    for (auto& entry : state_->children)
      if (entry.first == name) {
        entry.second = child;
        return;
      }
    register_module(name, child);
  }

 private:
  struct State {
    std::vector<std::pair<std::string, Tensor<float>>> parameters;
    std::vector<std::pair<std::string, AnyTensor>> buffers;
    std::vector<std::pair<std::string, Module>> children;
    bool training = true;
    std::shared_ptr<detail_hooks::ForwardHooks> hooks;  // made by the first register_forward_*hook
  };
  detail_hooks::ForwardHooks& forward_hooks() const {
    if (!state_->hooks) state_->hooks = std::make_shared<detail_hooks::ForwardHooks>();
    return *state_->hooks;
  }
  template <class List, class F>
  autograd::RemovableHandle add_hook(List& list, F hook) const {
    const uint64_t id = state_->hooks->next_id++;
    list.emplace_back(id, std::move(hook));
    return autograd::RemovableHandle(state_->hooks, id);
  }
  void collect_modules(std::vector<std::pair<std::string, Module>>& out, const std::string& name) const {
    for (const auto& entry : out)
      if (entry.second.is_same(*this)) return;
    out.emplace_back(name, *this);
    for (const auto& [child_name, child] : state_->children)
      child.collect_modules(out, name.empty() ? child_name : name + "." + child_name);
  }
  template <class Out, class List>
  void collect(Out& out, const std::string& prefix, List State::*list) const {
    for (auto& [name, t] : (*state_).*list) out.emplace_back(prefix + name, t);
    for (auto& [name, child] : state_->children) child.collect(out, prefix + name + ".", list);
  }
  std::shared_ptr<State> state_;
};

}  // namespace impl

using Module = impl::Module<>;

}  // namespace tessera::nn
