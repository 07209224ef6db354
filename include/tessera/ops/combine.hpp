#pragma once
// Tensors built from the elements of several, as PyTorch's: block_diag, cartesian_prod and
// combinations. Compositions of views, copies and masked_select, so gradients come with them.

#include <vector>

#include "creation.hpp"
#include "elementwise.hpp"
#include "join.hpp"
#include "selection.hpp"
#include "view.hpp"

namespace tessera {

/** torch.block_diag: the tensors (0-d as 1x1, 1-D as one row) on the diagonal of a zero matrix. */
template <class T>
Tensor<T> block_diag(const std::vector<Tensor<T>>& tensors) {
  int64_t rows = 0, cols = 0;
  std::vector<Tensor<T>> blocks;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor<T>& t = tensors[i];
    TS_CHECK(t.dim() <= 2, "block_diag: torch.block_diag: Input tensors must have 2 or fewer dimensions. Input ", i,
             " has ", t.dim(), " dimensions");
    TS_CHECK(t.device() == tensors[0].device(), "block_diag: torch.block_diag: input tensors must all be on the same "
             "device. Input 0 is on device ", tensors[0].device(), " and input ", i, " is on device ", t.device());
    blocks.push_back(t.dim() == 2 ? t : t.reshape({1, -1}));
    rows += blocks.back().size(0);
    cols += blocks.back().size(1);
  }
  if (tensors.empty()) return zeros<T>({1, 0});
  Tensor<T> out = zeros<T>({rows, cols}, {.device = tensors[0].device()});
  int64_t r = 0, c = 0;
  for (const Tensor<T>& b : blocks) {
    // An in-place copy into a view of out: autograd hands each block its part of the gradient.
    out.narrow(0, r, b.size(0)).narrow(1, c, b.size(1)).copy_(b);
    r += b.size(0);
    c += b.size(1);
  }
  return out;
}
template <class T>
Tensor<T> block_diag(std::initializer_list<Tensor<T>> tensors) {
  return block_diag(std::vector<Tensor<T>>(tensors));
}

/** torch.cartesian_prod: every tuple of one element from each 1-D tensor, as rows, in order
 *  (one tensor: itself). */
template <class T>
Tensor<T> cartesian_prod(const std::vector<Tensor<T>>& tensors) {
  TS_CHECK(!tensors.empty(), "cartesian_prod: expects a non-empty TensorList");
  for (const Tensor<T>& t : tensors)
    TS_CHECK(t.dim() == 1, "cartesian_prod: Expect a 1D vector, but got shape ", detail::shape_str(t.sizes()));
  if (tensors.size() == 1) return tensors[0];
  std::vector<Tensor<T>> grids = meshgrid(tensors, "ij");
  for (Tensor<T>& g : grids) g = g.flatten();
  return stack(grids, 1);
}
template <class T>
Tensor<T> cartesian_prod(std::initializer_list<Tensor<T>> tensors) {
  return cartesian_prod(std::vector<Tensor<T>>(tensors));
}

/** torch.combinations: the r-element combinations of a 1-D tensor's elements (with_replacement:
 *  with repeats), as rows in lexicographic order of positions. */
template <class T>
Tensor<T> combinations(const Tensor<T>& x, int64_t r = 2, bool with_replacement = false) {
  TS_CHECK(x.dim() == 1, "combinations: Expect a 1D vector, but got shape ", detail::shape_str(x.sizes()));
  TS_CHECK(r >= 0, "combinations: Expect a non-negative number, but got ", r);
  if (r == 0) return detail::empty_tensor<T>({0}, {.device = x.device()}, "combinations");
  const int64_t n = x.numel();
  std::vector<Tensor<T>> grids = meshgrid(std::vector<Tensor<T>>(static_cast<size_t>(r), x), "ij");
  // PyTorch's mask over the grid: positions i1 < i2 < ... (<= with replacement).
  const Tensor<int64_t> at = arange(int64_t{0}, n, int64_t{1}, {.device = x.device()});
  Tensor<bool> mask = ones<bool>(grids[0].sizes(), {.device = x.device()});
  for (int64_t k = 0; k + 1 < r; ++k) {
    Shape lo = Shape::filled(static_cast<size_t>(r), 1), hi = lo;
    lo[static_cast<size_t>(k)] = n;
    hi[static_cast<size_t>(k + 1)] = n;
    const Tensor<int64_t> a = at.reshape(lo), b = at.reshape(hi);
    mask = logical_and(mask, with_replacement ? a <= b : a < b);
  }
  for (Tensor<T>& g : grids) g = g.masked_select(mask);
  return stack(grids, 1);
}

}  // namespace tessera
