#pragma once
// ExpandingArray: an int or a tuple of N ints, as the size arguments of PyTorch's pooling and
// convolution layers.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

namespace tessera::nn {

/** An int or a tuple of N ints, as PyTorch's pooling and convolution arguments (LibTorch's
 *  ExpandingArray): `2`, `{2, 3}`; `{}` (a pooling's stride only) means "the kernel size". */
template <size_t N>
struct ExpandingArray {
  std::vector<int64_t> values;
  ExpandingArray() = default;
  ExpandingArray(int64_t v) : values{v} {}  // NOLINT: an int converts, as in Python
  ExpandingArray(std::initializer_list<int64_t> v) : values(v) {}
  ExpandingArray(std::vector<int64_t> v) : values(std::move(v)) {}  // NOLINT: as the list
  bool empty() const { return values.empty(); }
  size_t size() const { return values.size(); }
  /** Element i of the expanded N ints. */
  int64_t operator[](size_t i) const { return values.size() == 1 ? values[0] : values[i]; }
};

}  // namespace tessera::nn
