#pragma once
// t.index({...}) and index_put_: Python's basic indexing (integers, Slice, None, Ellipsis).

#include "view.hpp"

namespace tessera {

template <class T>
Tensor<T> Tensor<T>::index(const std::vector<TensorIndex>& indices) const {
  int64_t consumed = 0, ellipses = 0;
  for (const TensorIndex& ix : indices) {
    if (ix.is_ellipsis()) ++ellipses;
    else if (!ix.is_none()) ++consumed;
  }
  TS_CHECK(ellipses <= 1, "index: an index can only have a single ellipsis ('...')");
  TS_CHECK(consumed <= dim(), "index: too many indices for tensor of dimension ", dim(), " (got ", consumed, ")");
  Tensor<T> out = *this;
  int64_t d = 0;  // the dimension of `out` the next entry applies to
  for (const TensorIndex& ix : indices) {
    if (ix.is_integer()) {
      out = out.select(d, ix.integer());
    } else if (ix.is_slice()) {
      const Slice& s = ix.slice();
      out = out.slice(d, s.start, s.stop, s.step.value_or(1));
      ++d;
    } else if (ix.is_none()) {
      out = out.unsqueeze(d);
      ++d;
    } else if (ix.is_ellipsis()) {
      d += dim() - consumed;
    } else {
      detail::throw_error("index: indexing with a tensor of dtype ", ix.tensor()->dtype,
                          " is not supported by this build");
    }
  }
  return out;
}

template <class T>
template <class U>
const Tensor<T>& Tensor<T>::index_put_(std::initializer_list<TensorIndex> indices, const Tensor<U>& values) const {
  index(indices).copy_(values);
  return *this;
}

template <class T>
template <Scalar S>
const Tensor<T>& Tensor<T>::index_put_(std::initializer_list<TensorIndex> indices, S value) const {
  index(indices).fill_(value);
  return *this;
}

}  // namespace tessera
