#pragma once
// Forward hooks of modules (PyTorch's register_forward_pre_hook and register_forward_hook): the
// hook lists a module keeps, and how a call's arguments and result are shown to them.

#include <cstdint>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../autograd/hooks.hpp"
#include "../core/any_tensor.hpp"

namespace tessera::nn {

namespace impl {
template <class>
class Module;
}  // namespace impl

/** The tensors of one module call as its hooks see them, in argument order (PyTorch's `input`
 *  tuple) or in the order of the result (`output`): every Tensor and AnyTensor argument, a pair
 *  of tensors as its two tensors; an omitted optional tensor is an undefined entry; option
 *  structs are not shown. */
using HookTensors = std::vector<AnyTensor>;

/** pre_hook(module, input): runs before forward; returns nothing, or the input forward gets instead. */
using ForwardPreHook = std::function<std::optional<HookTensors>(const impl::Module<void>&, const HookTensors&)>;
/** hook(module, input, output): runs after forward; returns nothing, or the output the call returns instead. */
using ForwardHook =
    std::function<std::optional<HookTensors>(const impl::Module<void>&, const HookTensors&, const HookTensors&)>;

namespace detail_hooks {

// Note [Module hooks]
// A module's hooks live in its shared state, so every handle to the module (a copy, the entry of
// a Sequential, what named_modules() returns) calls them, as in PyTorch. Each layer's operator()
// calls forward through Module::call_forward(), which costs one load while the module has no hooks.
// A hook that returns tensors replaces the call's input or output: the same number of tensors,
// each of its argument's dtype (AnyTensor::as names the mismatch). Registering or removing
// hooks while another thread calls the module is not supported, as in PyTorch.
struct ForwardHooks final : tessera::detail::HookList {
  std::vector<std::pair<uint64_t, ForwardPreHook>> pre;
  std::vector<std::pair<uint64_t, ForwardHook>> post;
  uint64_t next_id = 0;
  void remove(uint64_t id) override {
    std::erase_if(pre, [&](const auto& e) { return e.first == id; });
    std::erase_if(post, [&](const auto& e) { return e.first == id; });
  }
  bool empty() const { return pre.empty() && post.empty(); }
};

/** The hook as its list keeps it: one that returns nothing returns std::nullopt. */
template <class F, class... Args>
auto returning_tensors(F hook) {
  if constexpr (std::is_void_v<std::invoke_result_t<F&, const Args&...>>) {
    return [hook](const Args&... args) mutable -> std::optional<HookTensors> {
      hook(args...);
      return std::nullopt;
    };
  } else {
    return hook;
  }
}

// gather: the tensors of a value, appended in order. put: the same value rebuilt from them.
template <class X>
void gather(HookTensors&, const X&) {}  // not a tensor: hooks do not see it
template <class T>
void gather(HookTensors& out, const Tensor<T>& t) {
  out.push_back(t);
}
inline void gather(HookTensors& out, const AnyTensor& t) { out.push_back(t); }
template <class A, class B>
void gather(HookTensors& out, const std::pair<A, B>& p) {
  gather(out, p.first);
  gather(out, p.second);
}

template <class X>
void put(const HookTensors&, size_t&, X&) {}
template <class T>
void put(const HookTensors& from, size_t& i, Tensor<T>& t) {
  const AnyTensor& v = from[i++];
  t = v.defined() ? v.as<T>() : Tensor<T>();
}
inline void put(const HookTensors& from, size_t& i, AnyTensor& t) { t = from[i++]; }
template <class A, class B>
void put(const HookTensors& from, size_t& i, std::pair<A, B>& p) {
  put(from, i, p.first);
  put(from, i, p.second);
}

/** Checks that a hook's replacement has as many tensors as what it replaces. */
template <class = void>
const HookTensors& checked(const HookTensors& replacement, size_t count, const char* hook) {
  TS_CHECK(replacement.size() == count, hook, ": returned ", replacement.size(), " tensors where the call has ", count);
  return replacement;
}

/** Calls forward(args...) with the module's hooks around it (Note [Module hooks]). */
template <class Forward, class... Args>
auto call_with_hooks(const impl::Module<void>& module, const ForwardHooks& hooks, const Forward& forward,
                     const Args&... given) {
  std::tuple<Args...> args(given...);
  HookTensors input;
  std::apply([&](const auto&... a) { (gather(input, a), ...); }, args);
  for (const auto& [id, pre] : std::vector(hooks.pre)) {  // a copy: a hook may remove itself
    if (std::optional<HookTensors> replaced = pre(module, input)) {
      input = checked(*replaced, input.size(), "forward pre-hook");
      size_t i = 0;
      std::apply([&](auto&... a) { (put(input, i, a), ...); }, args);
    }
  }
  auto output = std::apply(forward, args);
  if (hooks.post.empty()) return output;
  HookTensors shown;
  gather(shown, output);
  for (const auto& [id, post] : std::vector(hooks.post)) {
    if (std::optional<HookTensors> replaced = post(module, input, shown)) {
      shown = checked(*replaced, shown.size(), "forward hook");
      size_t i = 0;
      put(shown, i, output);
    }
  }
  return output;
}

}  // namespace detail_hooks
}  // namespace tessera::nn
