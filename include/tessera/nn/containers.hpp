#pragma once
// Containers of modules and parameters: ModuleList, ModuleDict and ParameterList, registered
// under PyTorch's names ("0", "1", ... or the keys), so that state_dict keys match PyTorch's.

#include <memory>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "module.hpp"

namespace tessera::nn {
namespace impl {

// Note [Typed access to held modules]
// A container holds modules of any types. Each entry keeps a copy of the module as its own type
// (modules are handles: the copy is the same layer) and that type's typeid, so `at<Linear>(i)`
// gives back the layer to call, and asking for another type is an error rather than a bad cast.
struct HeldModule {
  std::shared_ptr<const void> module;
  const std::type_info* type;
  template <class M>
  const M& as(const char* op, const std::string& where) const {
    TS_CHECK(*type == typeid(M), op, ": the module at ", where, " is not of the type asked for");
    return *static_cast<const M*>(module.get());
  }
};

/** torch.nn.ModuleList: modules in order, named "0", "1", ...; `list.at<Linear>(i)` is module i. */
template <class = void>
class ModuleList : public nn::Module {
 public:
  ModuleList() = default;
  template <class... M>
    requires(sizeof...(M) > 0 && !(sizeof...(M) == 1 && (std::is_same_v<M, ModuleList> && ...)))
  explicit ModuleList(M... modules) {
    (append(std::move(modules)), ...);
  }
  template <class M>
  ModuleList& append(M module) {
    register_module(std::to_string(held_->size()), module);
    held_->push_back({std::make_shared<const M>(std::move(module)), &typeid(M)});
    return *this;
  }
  size_t size() const { return held_->size(); }
  bool empty() const { return held_->empty(); }
  /** Module i as the type it was added as (a ts::Error for another type or an index out of range). */
  template <class M>
  const M& at(int64_t i) const {
    const int64_t n = static_cast<int64_t>(size());
    TS_CHECK(i >= -n && i < n, "ModuleList: index ", i, " is out of range (", n, " modules)");
    return (*held_)[static_cast<size_t>(i < 0 ? i + n : i)].template as<M>("ModuleList", "index " + std::to_string(i));
  }
  /** Module i as a plain Module (parameters, train/eval, ...). */
  nn::Module operator[](int64_t i) const {
    const int64_t n = static_cast<int64_t>(size());
    TS_CHECK(i >= -n && i < n, "ModuleList: index ", i, " is out of range (", n, " modules)");
    return named_children()[static_cast<size_t>(i < 0 ? i + n : i)].second;
  }

 private:
  std::shared_ptr<std::vector<HeldModule>> held_ = std::make_shared<std::vector<HeldModule>>();
};

/** torch.nn.ModuleDict: modules by name, in insertion order; `dict.at<Linear>("fc")`. */
template <class = void>
class ModuleDict : public nn::Module {
 public:
  ModuleDict() = default;
  /** Adds `module` under `key`, or replaces the module of that key (keeping its place), as PyTorch. */
  template <class M>
  ModuleDict& insert(const std::string& key, M module) {
    TS_CHECK(!key.empty() && key.find('.') == std::string::npos, "ModuleDict: module name can't contain \".\" or be "
             "empty, got \"", key, "\"");
    for (size_t i = 0; i < keys_->size(); ++i)
      if ((*keys_)[i] == key) {
        replace_child(key, module);
        (*held_)[i] = {std::make_shared<const M>(std::move(module)), &typeid(M)};
        return *this;
      }
    register_module(key, module);
    keys_->push_back(key);
    held_->push_back({std::make_shared<const M>(std::move(module)), &typeid(M)});
    return *this;
  }
  size_t size() const { return keys_->size(); }
  bool contains(const std::string& key) const { return index_of(key) >= 0; }
  const std::vector<std::string>& keys() const { return *keys_; }
  template <class M>
  const M& at(const std::string& key) const {
    const int64_t i = index_of(key);
    TS_CHECK(i >= 0, "ModuleDict: no module named \"", key, "\"");
    return (*held_)[static_cast<size_t>(i)].template as<M>("ModuleDict", "key \"" + key + "\"");
  }
  nn::Module operator[](const std::string& key) const {
    const int64_t i = index_of(key);
    TS_CHECK(i >= 0, "ModuleDict: no module named \"", key, "\"");
    return named_children()[static_cast<size_t>(i)].second;
  }

 private:
  int64_t index_of(const std::string& key) const {
    for (size_t i = 0; i < keys_->size(); ++i)
      if ((*keys_)[i] == key) return static_cast<int64_t>(i);
    return -1;
  }
  std::shared_ptr<std::vector<std::string>> keys_ = std::make_shared<std::vector<std::string>>();
  std::shared_ptr<std::vector<HeldModule>> held_ = std::make_shared<std::vector<HeldModule>>();
};

/** torch.nn.ParameterList: parameters named "0", "1", ...; each is made a leaf that requires grad. */
template <class = void>
class ParameterList : public nn::Module {
 public:
  ParameterList() = default;
  explicit ParameterList(const std::vector<Tensor<float>>& parameters) {
    for (const Tensor<float>& p : parameters) append(p);
  }
  ParameterList& append(const Tensor<float>& parameter) {
    held_->push_back(register_parameter(std::to_string(held_->size()), parameter));
    return *this;
  }
  size_t size() const { return held_->size(); }
  const Tensor<float>& operator[](int64_t i) const {
    const int64_t n = static_cast<int64_t>(size());
    TS_CHECK(i >= -n && i < n, "ParameterList: index ", i, " is out of range (", n, " parameters)");
    return (*held_)[static_cast<size_t>(i < 0 ? i + n : i)];
  }

 private:
  std::shared_ptr<std::vector<Tensor<float>>> held_ = std::make_shared<std::vector<Tensor<float>>>();
};

}  // namespace impl

using ModuleList = impl::ModuleList<>;
using ModuleDict = impl::ModuleDict<>;
using ParameterList = impl::ParameterList<>;

}  // namespace tessera::nn
