#pragma once
// Adaptive pooling: nn::functional::adaptive_avg_pool1d/2d, adaptive_max_pool1d/2d and their layers.

#include <type_traits>
#include <vector>

#include "../ops/creation.hpp"
#include "../ops/join.hpp"
#include "../ops/reduce.hpp"
#include "module.hpp"

namespace tessera::nn {

// Note [Adaptive windows]
// Output cell i of a dim of size n pooled to m covers input positions [floor(i n / m),
// ceil((i + 1) n / m)), as PyTorch's kernels. A pool reduces one dim at a time, the last first:
// each window narrowed and reduced (mean, or max(dim) whose gradient goes to the first maximum),
// the m results stacked. Means of means over equal-length rows are the window's mean (to a few
// units in the last place of PyTorch's one sum); the maximum of the row maxima, taken in that
// order, is the window's first maximum in PyTorch's row-major order, and a NaN wins in both.
// Only a window's own elements are read, so a NaN or infinity elsewhere cannot leak in.

namespace functional {
namespace detail_pool {

template <class = void>
std::pair<int64_t, int64_t> window(int64_t i, int64_t n, int64_t m) {
  return {i * n / m, ((i + 1) * n + m - 1) / m};
}

template <class T>
constexpr bool is_floating = std::is_floating_point_v<T> || std::is_same_v<T, half> || std::is_same_v<T, bfloat16>;

/** Pools dim `dim` of `x` to `m` adaptive windows with mean or max (Note [Adaptive windows]). */
template <class T>
Tensor<T> pool_dim(const Tensor<T>& x, int64_t dim, int64_t m, bool max) {
  const int64_t n = x.size(dim);
  if (m == 0) {
    Shape empty = x.sizes();
    empty[static_cast<size_t>(dim < 0 ? dim + x.dim() : dim)] = 0;
    return zeros<T>(empty, {.device = x.device()});
  }
  std::vector<Tensor<T>> cells;
  for (int64_t i = 0; i < m; ++i) {
    const auto [start, end] = window(i, n, m);
    const Tensor<T> part = x.narrow(dim, start, end - start);
    if constexpr (is_floating<T>) cells.push_back(max ? std::get<0>(part.max(dim)) : part.mean({dim}));
    else cells.push_back(std::get<0>(part.max(dim)));  // unreached: integral inputs are refused before
  }
  return stack(cells, dim);
}

/** PyTorch's checks of an adaptive pool of `output_size` (two sizes: a 1-d pool is PyTorch's 2-d pool
 *  of height 1) on `x` with `pooled` trailing dims. */
template <class T>
void check_input(const Tensor<T>& x, const std::vector<int64_t>& output_size, int64_t pooled, bool max, const char* op) {
  TS_CHECK(is_floating<T>, "\"", op, "\" not implemented for '", tessera::detail::aten_type_name(dtype_of<T>), "'");
  TS_CHECK(output_size[0] >= 0 && output_size[1] >= 0, op,
           ": elements of output_size must be greater than or equal to 0 but received {", output_size[0], ", ",
           output_size[1], "}");
  if (!max) return;  // averaging an empty plane gives an empty result; its maximum is refused
  for (int64_t d = x.dim() == pooled + 2 ? 1 : 0; d < x.dim(); ++d)
    TS_CHECK(x.size(d) > 0, op, "(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ",
             tessera::detail::shape_str(x.sizes()), " with dimension ", d, " being empty");
}

}  // namespace detail_pool

/** F.adaptive_avg_pool2d: [N, C, H, W] or [C, H, W] averaged over adaptive windows to output_size (oh, ow). */
template <class T>
Tensor<T> adaptive_avg_pool2d(const Tensor<T>& x, const std::vector<int64_t>& output_size) {
  TS_CHECK(output_size.size() == 2, "adaptive_avg_pool2d: output_size must be 2");
  TS_CHECK(x.dim() >= 3, "adaptive_avg_pool2d: Input dimension should be at least 3");
  TS_CHECK(x.dim() <= 4, "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got ", tessera::detail::shape_str(x.sizes()));
  detail_pool::check_input(x, output_size, 2, false, "adaptive_avg_pool2d");
  return detail_pool::pool_dim(detail_pool::pool_dim(x, -1, output_size[1], false), -2, output_size[0], false);
}
/** One size for both dims. */
template <class T>
Tensor<T> adaptive_avg_pool2d(const Tensor<T>& x, int64_t output_size) {
  return adaptive_avg_pool2d(x, std::vector<int64_t>{output_size, output_size});
}

/** F.adaptive_avg_pool1d: [N, C, L] or [C, L] averaged over adaptive windows to output_size. */
template <class T>
Tensor<T> adaptive_avg_pool1d(const Tensor<T>& x, int64_t output_size) {
  TS_CHECK(x.dim() == 2 || x.dim() == 3, "adaptive_avg_pool1d: Expected 2 to 3 dimensions, but got ", x.dim(),
           "-dimensional tensor for argument #1 'self' (while checking arguments for adaptive_avg_pool1d)");
  detail_pool::check_input(x, {1, output_size}, 1, false, "adaptive_avg_pool2d");
  return detail_pool::pool_dim(x, -1, output_size, false);
}

/** F.adaptive_max_pool2d: the maximum of each adaptive window (return_indices is not offered). */
template <class T>
Tensor<T> adaptive_max_pool2d(const Tensor<T>& x, const std::vector<int64_t>& output_size) {
  TS_CHECK(output_size.size() == 2, "adaptive_max_pool2d(): internal error: output_size.size() must be 2");
  TS_CHECK(x.dim() >= 3, "adaptive_max_pool2d: Input dimension should be at least 3");
  TS_CHECK(x.dim() <= 4, "adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: ", tessera::detail::shape_str(x.sizes()));
  detail_pool::check_input(x, output_size, 2, true, "adaptive_max_pool2d");
  return detail_pool::pool_dim(detail_pool::pool_dim(x, -1, output_size[1], true), -2, output_size[0], true);
}
template <class T>
Tensor<T> adaptive_max_pool2d(const Tensor<T>& x, int64_t output_size) {
  return adaptive_max_pool2d(x, std::vector<int64_t>{output_size, output_size});
}

/** F.adaptive_max_pool1d: [N, C, L] or [C, L], the maximum of each adaptive window. */
template <class T>
Tensor<T> adaptive_max_pool1d(const Tensor<T>& x, int64_t output_size) {
  TS_CHECK(x.dim() == 2 || x.dim() == 3, "adaptive_max_pool1d: Expected 2 to 3 dimensions, but got ", x.dim(),
           "-dimensional tensor for argument #1 'self' (while checking arguments for adaptive_max_pool1d)");
  detail_pool::check_input(x, {1, output_size}, 1, true, "adaptive_max_pool2d");
  return detail_pool::pool_dim(x, -1, output_size, true);
}

}  // namespace functional

namespace impl {

/** nn.AdaptiveAvgPool1d/2d and nn.AdaptiveMaxPool1d/2d. */
template <int Dims, bool Max, class = void>
class AdaptivePool : public nn::Module {
 public:
  explicit AdaptivePool(int64_t output_size) : output_size_(static_cast<size_t>(Dims), output_size) {}
  explicit AdaptivePool(std::vector<int64_t> output_size) : output_size_(std::move(output_size)) {
    TS_CHECK(output_size_.size() == static_cast<size_t>(Dims), "AdaptivePool", Dims, "d: expected ", Dims,
             " output sizes, got ", output_size_.size());
  }
  Tensor<float> forward(const Tensor<float>& x) const {
    if constexpr (Dims == 1)
      return Max ? functional::adaptive_max_pool1d(x, output_size_[0]) : functional::adaptive_avg_pool1d(x, output_size_[0]);
    else
      return Max ? functional::adaptive_max_pool2d(x, output_size_) : functional::adaptive_avg_pool2d(x, output_size_);
  }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  std::vector<int64_t> output_size_;
};

}  // namespace impl

using AdaptiveAvgPool1d = impl::AdaptivePool<1, false>;
using AdaptiveAvgPool2d = impl::AdaptivePool<2, false>;
using AdaptiveMaxPool1d = impl::AdaptivePool<1, true>;
using AdaptiveMaxPool2d = impl::AdaptivePool<2, true>;

}  // namespace tessera::nn
