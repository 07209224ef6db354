#pragma once
// NamedTensors: the name -> tensor map that state_dict() and load_safetensors return.

#include <map>
#include <string>

#include "any_tensor.hpp"

namespace tessera {

/** A std::map from names to tensors whose at() names the missing key (std::map's says only
 *  "map::at"), as Python's KeyError does. Everything else is std::map's. */
class NamedTensors : public std::map<std::string, AnyTensor> {
 public:
  using std::map<std::string, AnyTensor>::map;

  AnyTensor& at(const std::string& name) {
    auto it = find(name);
    if (it == end()) missing(name);
    return it->second;
  }
  const AnyTensor& at(const std::string& name) const {
    auto it = find(name);
    if (it == end()) missing(name);
    return it->second;
  }

 private:
  [[noreturn]] void missing(const std::string& name) const {
    std::string names;
    int listed = 0;
    for (const auto& entry : *this) {
      if (listed == 8) {
        names += ", ...";
        break;
      }
      names += (listed++ ? ", '" : "'") + entry.first + "'";
    }
    detail::throw_error("NamedTensors::at: no tensor named '", name, "' (", size(),
                        size() == 1 ? " name: " : " names: ", names, ")");
  }
};

}  // namespace tessera
