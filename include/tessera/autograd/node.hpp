#pragma once
// Node: one recorded operation on the autograd tape (its name is what grad_fn prints).

#include <cstdint>
#include <string>

#include "../core/tensor.hpp"

namespace tessera {
namespace detail {

struct Node {
  virtual ~Node() = default;
  /** PyTorch's class name of the backward function, e.g. "SumBackward0". */
  virtual std::string name() const = 0;
  uint64_t sequence_nr = 0;
};

}  // namespace detail

template <class T>
std::string Tensor<T>::grad_fn_name() const {
  const auto& meta = impl().autograd;
  return meta && meta->grad_fn ? meta->grad_fn->name() : std::string();
}

}  // namespace tessera
