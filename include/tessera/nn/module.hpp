#pragma once
// Module: the base of every layer, a handle to named parameters, buffers and child modules.

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../autograd/grad_mode.hpp"
#include "../core/any_tensor.hpp"

namespace tessera::nn {

// Note [Modules are handles]
// As in LibTorch, a module is a cheap handle: copying one aliases the same parameters, buffers,
// children and training flag, so a layer put into a Sequential and kept in a variable is one
// layer. Layers derive from Module, register their tensors in the constructor and define
// `Tensor<float> forward(const Tensor<float>&) const`, called through operator().
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
    collect(out, "", /*buffers=*/false);
    return out;
  }
  std::vector<std::pair<std::string, Tensor<float>>> named_buffers() const {
    std::vector<std::pair<std::string, Tensor<float>>> out;
    collect(out, "", /*buffers=*/true);
    return out;
  }
  const std::vector<std::pair<std::string, Module>>& named_children() const { return state_->children; }

  /** Training mode (dropout active, batch norm updating its statistics), for this module and all below it. */
  const Module& train(bool on = true) const {
    state_->training = on;
    for (auto& [name, child] : state_->children) child.train(on);
    return *this;
  }
  const Module& eval() const { return train(false); }
  bool is_training() const { return state_->training; }

  /** Clears every parameter's gradient (set to none, as PyTorch 2's default), or zeroes it. */
  void zero_grad(bool set_to_none = true) const {
    for (const auto& p : parameters()) {
      if (set_to_none) {
        p.set_grad({});
      } else if (p.grad().defined()) {
        NoGradGuard no_grad;
        p.grad().zero_();
      }
    }
  }

  /** Parameters and buffers by name, sharing their data (PyTorch's state_dict). */
  std::map<std::string, AnyTensor> state_dict() const {
    std::map<std::string, AnyTensor> out;
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
    for (const auto& [name, target] : own) {
      const auto it = dict.find(name);
      TS_CHECK(it != dict.end(), "load_state_dict: missing key \"", name, "\" in state_dict");
      TS_CHECK(it->second.sizes() == target.sizes(), "load_state_dict: size mismatch for ", name,
               ": copying a param with shape ", detail::shape_str(it->second.sizes()),
               ", the shape in the current model is ", detail::shape_str(target.sizes()));
      target.as<float>().copy_(it->second.to<float>());
    }
  }

 protected:
  /** Adds a parameter (made a leaf that requires grad) under `name`. */
  Tensor<float> register_parameter(const std::string& name, Tensor<float> t) const {
    if (!t.requires_grad()) t.requires_grad_(true);
    state_->parameters.emplace_back(name, t);
    return t;
  }
  Tensor<float> register_buffer(const std::string& name, Tensor<float> t) const {
    state_->buffers.emplace_back(name, t);
    return t;
  }
  template <class M>
  M register_module(const std::string& name, M child) const {
    state_->children.emplace_back(name, child);
    return child;
  }

 private:
  struct State {
    std::vector<std::pair<std::string, Tensor<float>>> parameters, buffers;
    std::vector<std::pair<std::string, Module>> children;
    bool training = true;
  };
  void collect(std::vector<std::pair<std::string, Tensor<float>>>& out, const std::string& prefix, bool buffers) const {
    for (auto& [name, t] : buffers ? state_->buffers : state_->parameters) out.emplace_back(prefix + name, t);
    for (auto& [name, child] : state_->children) child.collect(out, prefix + name + ".", buffers);
  }
  std::shared_ptr<State> state_;
};

}  // namespace tessera::nn
