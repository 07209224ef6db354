#pragma once
// A dim resized by taps: each output position along it the sum, in order, of a few input
// positions times their weights (interpolate's linear and cubic modes), or one input position
// (nearest, the edge paddings); and the adjoint that spreads a gradient back. Float and double
// CPU tensors run one kernel per dim (backend/cpu/resize.hpp); elsewhere, and under create_graph,
// the same arithmetic is composed from index_select, mul and add (index_add for the adjoint).

#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "../backend/cpu/resize.hpp"
#include "../backend/dispatch.hpp"
#include "../ops/creation.hpp"
#include "../ops/indexing.hpp"

namespace tessera::nn::functional::detail_taps {

/** One tap of a resized dim: the source position of each output position and, for the
 *  interpolating modes, its weight (none: 1). */
struct Tap {
  std::vector<int64_t> index;
  std::vector<double> weight;
};

/** A tap's weights in T. */
template <class T>
std::vector<T> weights_as(const Tap& tap) {
  std::vector<T> values;
  for (const double v : tap.weight) values.push_back(tessera::detail::convert<T>(v));
  return values;
}

/** A tap's positions, and its weights as [out, 1, ...] to broadcast along dim `dim` of x. */
template <class T>
std::pair<Tensor<int64_t>, Tensor<T>> tap_tensors(const Tap& tap, const Tensor<T>& x, int64_t dim) {
  const auto count = static_cast<int64_t>(tap.index.size());
  const Tensor<int64_t> index = from_vector(tap.index, {count}, {.device = x.device()});
  if (tap.weight.empty()) return {index, Tensor<T>()};
  std::vector<int64_t> weight_dims(static_cast<size_t>(x.dim() - dim), 1);
  weight_dims[0] = count;
  return {index, from_vector(weights_as<T>(tap), Shape(weight_dims), {.device = x.device()})};
}

/** Whether a resize of x by taps runs the CPU kernels (backend/cpu/resize.hpp): float and double
 *  (has_resize_kernel) CPU tensors, grad mode off. Elsewhere it is composed from index_select, mul
 *  and add (or mul and index_add), which round alike (Note [Resize rounding]); under create_graph
 *  that is recorded. */
template <class T>
inline constexpr bool has_resize_kernel = std::is_same_v<T, float> || std::is_same_v<T, double>;
template <class T>
bool resize_kernel(const Tensor<T>& x) {
  return x.device().is_cpu() && !GradMode::is_enabled();
}

/** The taps as the kernels take them, with their weights in T (which `taps` points into). */
template <class T>
struct KernelTaps {
  std::vector<std::vector<T>> weights;
  std::vector<tessera::detail::ResizeTap<T>> taps;
  explicit KernelTaps(const std::vector<Tap>& from) {
    weights.reserve(from.size());
    for (const Tap& tap : from) {
      weights.push_back(weights_as<T>(tap));
      taps.push_back({tap.index.data(), tap.weight.empty() ? nullptr : weights.back().data()});
    }
  }
  KernelTaps(const KernelTaps&) = delete;
  KernelTaps& operator=(const KernelTaps&) = delete;
};

/** x as [outer, n, inner] around dim `dim`. */
struct Split {
  int64_t outer = 1, inner = 1;
};
template <class T>
Split around(const Tensor<T>& x, int64_t dim) {
  Split split;
  for (int64_t d = 0; d < dim; ++d) split.outer *= x.size(d);
  for (int64_t d = dim + 1; d < x.dim(); ++d) split.inner *= x.size(d);
  return split;
}

/** x resized along `dim` by its taps. */
template <class T>
Tensor<T> gather_taps(const Tensor<T>& x, int64_t dim, const std::vector<Tap>& taps) {
  if constexpr (has_resize_kernel<T>) {
    if (!taps.empty() && resize_kernel(x)) {
      const Tensor<T> xc = x.contiguous();
      Shape sizes = x.sizes();
      sizes[static_cast<size_t>(dim)] = static_cast<int64_t>(taps[0].index.size());
      Tensor<T> out = tessera::detail::empty_tensor<T>(sizes, {}, "interpolate");
      const KernelTaps<T> kernel(taps);
      const Split split = around(x, dim);
      const int64_t n = x.size(dim), m = sizes[static_cast<size_t>(dim)];
      tessera::detail::dispatch_plan(tessera::detail::RowPlan{.op = "interpolate", .out = &out.impl(), .fresh_out = true,
                                                              .input = &xc.impl(), .dim = dim},
                                     [&] {
                                       tessera::detail::resize_taps_forward<T>(xc.kernel_data(), out.kernel_data(), split.outer, n, m,
                                                                               split.inner, kernel.taps);
                                     });
      return out;
    }
  }
  Tensor<T> out = x;
  for (size_t k = 0; k < taps.size(); ++k) {
    const auto [index, weight] = tap_tensors(taps[k], x, dim);
    Tensor<T> term = x.index_select(dim, index);
    if (weight.defined()) term = term * weight;
    out = k == 0 ? term : out + term;
  }
  return out;
}

/** The adjoint of gather_taps: g's gradient spread back over the `in` positions of dim `dim`. */
template <class T>
Tensor<T> scatter_taps(const Tensor<T>& g, int64_t dim, int64_t in, const std::vector<Tap>& taps) {
  if (taps.empty()) return g;
  Shape sizes = g.sizes();
  sizes[static_cast<size_t>(dim)] = in;
  if constexpr (has_resize_kernel<T>) {
    if (resize_kernel(g)) {
      const Tensor<T> gc = g.contiguous();
      Tensor<T> grad = tessera::detail::empty_tensor<T>(sizes, {}, "interpolate_backward");
      const KernelTaps<T> kernel(taps);
      const Split split = around(g, dim);
      tessera::detail::dispatch_plan(tessera::detail::RowPlan{.op = "interpolate_backward", .out = &grad.impl(),
                                                              .fresh_out = true, .input = &gc.impl(), .dim = dim},
                                     [&] {
                                       tessera::detail::resize_taps_backward<T>(gc.kernel_data(), grad.kernel_data(), split.outer, in,
                                                                                g.size(dim), split.inner, kernel.taps);
                                     });
      return grad;
    }
  }
  Tensor<T> grad = zeros<T>(sizes, {.device = g.device()});
  for (const Tap& tap : taps) {
    const auto [index, weight] = tap_tensors(tap, g, dim);
    grad = grad.index_add(dim, index, weight.defined() ? g * weight : g);
  }
  return grad;
}

}  // namespace tessera::nn::functional::detail_taps
