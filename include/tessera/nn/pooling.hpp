#pragma once
// Pooling: nn::functional::max_pool1d/2d/3d (with indices), avg_pool1d/2d/3d, max_unpool1d/2d,
// lp_pool1d/2d, adaptive_avg_pool1d/2d/3d, adaptive_max_pool1d/2d/3d (1-d and 2-d with indices) and
// their layers.

#include <array>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "../backend/cpu/pool.hpp"
#include "../backend/dispatch.hpp"
#include "../core/algorithm.hpp"
#include "../ops/creation.hpp"
#include "../ops/indexing.hpp"
#include "../ops/join.hpp"
#include "../ops/reduce.hpp"
#include "expanding_array.hpp"
#include "im2col.hpp"
#include "module.hpp"

namespace tessera::nn {

// Note [Fixed-window pooling]
// max_pool and avg_pool read each window of an image as one row of a [N, C, OH, OW, K] tensor
// (K = kh * kw, row-major as PyTorch's kernels scan it): im2col, the padding value where a window
// overhangs the image. The output size is PyTorch's pooling_output_shape: with
// ceil_mode the last window may run past the padded edge but must start inside the input or its
// left padding. avg_pool divides each window's sum by PyTorch's divisor: the window clipped to
// the padded image (count_include_pad) or to the image. max_pool finds, as PyTorch's loop
// `if (v > max || isnan(v))`, the first maximum or else the last NaN, and the index of the first
// element inside the image when every element is -inf; a window with no element inside the image
// (dilated taps that all miss it) gives -inf, no gradient, and the index PyTorch's loops start
// from (first_tap). The windows' max(-1) gives the first maximum; only when a window holds a NaN
// or only -inf are the indices corrected and the values gathered from the input at them. The
// gradient goes to the indices (Note [Pooling nodes]), where PyTorch's goes. On the CPU, max
// pooling (fixed and adaptive) runs PyTorch's loop itself instead, over each window's positions
// inside the image (backend/cpu/pool.hpp), and so does its gradient with grad mode off; the
// composed ops give the same bits, which test_device checks.

// Note [Pooling nodes]
// A pooling computes its values by composing ops with grad mode off and records PyTorch's node
// for it (MaxPool2DWithIndicesBackward0, AvgPool3DBackward0, AdaptiveAvgPool2DBackward0, ...),
// whose derivative is written with ops too: max pooling adds each window's gradient at the index
// it reports (scatter_add; a window with no element inside the image gets none), the averages
// spread each window's gradient, divided as the forward divides, over the window (the adjoint of
// gathering the windows: col2im or index_add). So every device runs them with no kernel of its
// own (the CPU has max pooling's), the graph keeps only the indices, and under create_graph the
// derivative is recorded and differentiated again (its gradient is a gather, as PyTorch's). An
// adaptive average to 1 x 1 is PyTorch's mean over the pooled dims (MeanBackward1).

namespace functional {
namespace detail_pool {

/** Records the node `name` of a pooling of `input` to `out` (Note [Pooling nodes]). */
template <class T, class Formula>
void record_pool(const Tensor<T>& input, const Tensor<T>& out, const char* name, Formula formula,
                 const Tensor<int64_t>& indices = {}) {
  ::tessera::detail::record<::tessera::detail::FormulaBackward<T, Formula>>({input}, {out}, name, std::move(formula), indices);
}

/** Whether max pooling of x runs the CPU kernels (backend/cpu/pool.hpp): CPU tensors (the
 *  gradient's kernel also needs grad mode off). Elsewhere, and under create_graph, it is composed
 *  from ops (Note [Pooling nodes]), which give the same bits. */
template <class T>
bool pool_kernel(const Tensor<T>& x) {
  return x.device().is_cpu();
}

/** The gradient of a max pooling of an input of `sizes` whose last `dims` dims are pooled: each
 *  window's gradient g added at its index; `empty` [windows], unless itself empty, marks the
 *  windows with no element inside the input, which give none. */
template <class T>
Tensor<T> max_pool_backward(const Tensor<T>& g, const Tensor<int64_t>& indices, const Shape& sizes, int64_t dims,
                            const std::vector<uint8_t>& empty) {
  int64_t plane = 1, windows = 1, rows = 1;
  for (int64_t d = 1; d <= dims; ++d) plane *= sizes[sizes.size() - static_cast<size_t>(d)], windows *= g.size(-d);
  for (size_t d = 0; d + static_cast<size_t>(dims) < sizes.size(); ++d) rows *= sizes[d];
  if (pool_kernel(g) && !GradMode::is_enabled()) {
    const Tensor<T> gc = g.contiguous();
    const Tensor<int64_t> at = indices.contiguous();
    Tensor<T> grad = tessera::detail::empty_tensor<T>(sizes, {}, "max_pool_backward");
    tessera::detail::dispatch_plan(tessera::detail::RowPlan{.op = "max_pool_backward", .out = &grad.impl(), .fresh_out = true,
                                                            .input = &gc.impl(), .dim = g.dim() - 1, .indices = &at.impl()},
                                   [&] {
                                     tessera::detail::max_windows_backward<T>(gc.kernel_data(), at.kernel_data(), grad.kernel_data(),
                                                                              rows, plane, windows, empty);
                                   });
    return grad;
  }
  Tensor<T> src = g.reshape({rows, windows});
  Tensor<int64_t> at = indices.reshape({rows, windows});
  if (!empty.empty()) {
    const Tensor<bool> mask = from_vector(empty, {windows}, {.device = g.device()}).template to<bool>();
    src = src.masked_fill(mask, 0), at = at.masked_fill(mask, 0);
  }
  return zeros<T>({rows, plane}, {.device = g.device()}).scatter_add(1, at, src).view(sizes);
}

/** For each window of k positions in `all` (plane for padding), whether none is inside the
 *  plane: 1 for a window with no element of the input. */
template <class = void>
std::vector<uint8_t> empty_windows(const std::vector<int64_t>& all, int64_t k, int64_t plane) {
  std::vector<uint8_t> empty(k == 0 ? 0 : all.size() / static_cast<size_t>(k), 1);
  for (size_t w = 0; w < empty.size(); ++w)
    for (int64_t e = 0; e < k && empty[w]; ++e) empty[w] = all[w * static_cast<size_t>(k) + static_cast<size_t>(e)] == plane;
  return empty;
}

/** Records max pooling's node `name` on input -> values with its indices: `all` lists each
 *  window's k positions in the pooled plane of `plane` elements (plane for padding). */
template <class T>
void record_max_pool(const Tensor<T>& input, const Tensor<T>& values, const Tensor<int64_t>& indices,
                     const std::vector<int64_t>& all, int64_t k, int64_t plane, int64_t dims, const char* name) {
  std::vector<uint8_t> empty = empty_windows(all, k, plane);
  if (std::find(empty.begin(), empty.end(), uint8_t{1}) == empty.end()) empty.clear();
  record_pool(input, values, name,
              [sizes = input.sizes(), dims, empty](const Tensor<T>& g, const Tensor<int64_t>& at) {
                return max_pool_backward(g, at, sizes, dims, empty);
              },
              indices);
}

/** The maxima of the windows `all` lists (k positions each in the plane of `plane` elements,
 *  plane for padding) of every plane of x [N, C, ...], and their indices, by the CPU kernel;
 *  `start` holds per window the index PyTorch's loop starts from (Note [Fixed-window pooling]).
 *  Both are shaped [N, C, windows]. */
template <class T>
std::tuple<Tensor<T>, Tensor<int64_t>> max_windows(const Tensor<T>& x, int64_t plane, const std::vector<int64_t>& all,
                                                   const std::vector<int64_t>& start, int64_t k, T lowest) {
  const Tensor<T> xc = x.contiguous();
  const int64_t n = x.size(0), c = x.size(1), windows = static_cast<int64_t>(start.size());
  std::vector<int64_t> taps, bounds{0};  // each window's positions inside the plane
  for (int64_t w = 0; w < windows; ++w) {
    for (int64_t e = w * k; e < (w + 1) * k; ++e)
      if (all[static_cast<size_t>(e)] != plane) taps.push_back(all[static_cast<size_t>(e)]);
    bounds.push_back(static_cast<int64_t>(taps.size()));
  }
  Tensor<T> values = tessera::detail::empty_tensor<T>({n, c, windows}, {}, "max_pool");
  Tensor<int64_t> indices = tessera::detail::empty_tensor<int64_t>({n, c, windows}, {}, "max_pool");
  tessera::detail::dispatch_plan(tessera::detail::RowPlan{.op = "max_pool", .out = &values.impl(), .fresh_out = true,
                                                          .input = &xc.impl(), .dim = x.dim() - 1, .indices = &indices.impl()},
                                 [&] {
                                   tessera::detail::max_windows_forward<T>(xc.kernel_data(), values.kernel_data(),
                                                                           indices.kernel_data(), n * c, plane, taps, bounds, start,
                                                                           lowest);
                                 });
  return {values, indices};
}

/** Sizes as Python prints a tuple of them: "(4, 5)". */
template <class = void>
std::string python_tuple(const std::vector<int64_t>& values) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + std::to_string(values[i]);
  return out + (values.size() == 1 ? ",)" : ")");
}

/** One pooling's geometry over an [N, C, H, W] image. */
struct Window2d {
  int64_t h = 0, w = 0, kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1, oh = 0, ow = 0;
  int64_t k() const { return kh * kw; }
};

/** PyTorch's pooling_output_shape (without its checks). */
template <class = void>
int64_t output_size(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dilation, bool ceil_mode) {
  const int64_t num = in + 2 * pad - dilation * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  int64_t out = (num >= 0 ? num / stride : -((-num + stride - 1) / stride)) + 1;  // floor division
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

/** PyTorch's checks of a 2-d pooling's arguments (max_pool2d_with_indices's and avg_pool2d's
 *  meta functions, pool2d_shape_check), then the geometry. */
template <class T>
Window2d geometry(const Tensor<T>& x, const char* op, const ExpandingArray<2>& kernel, const ExpandingArray<2>& stride,
                  const ExpandingArray<2>& padding, const ExpandingArray<2>& dilation, bool ceil_mode, bool max) {
  TS_CHECK(kernel.size() == 1 || kernel.size() == 2, op, ": kernel_size must either be a single int, or a tuple of two ints");
  TS_CHECK(stride.size() <= 2, op, ": stride must either be omitted, a single int, or a tuple of two ints");
  TS_CHECK(padding.size() == 1 || padding.size() == 2, op, ": padding must either be a single int, or a tuple of two ints");
  TS_CHECK(dilation.size() == 1 || dilation.size() == 2, op,
           ": dilation must be either a single int, or a tuple of two ints");
  if (max) TS_CHECK(x.dim() == 3 || x.dim() == 4, "non-empty 3D or 4D (batch mode) tensor expected for input");
  else TS_CHECK(x.dim() >= 3, "Dimension out of range (expected to be in range of [", -x.dim(), ", ", x.dim() - 1,
                "], but got -3)");
  Window2d g;
  g.kh = kernel[0], g.kw = kernel[1];
  g.sh = stride.empty() ? g.kh : stride[0], g.sw = stride.empty() ? g.kw : stride[1];
  g.ph = padding[0], g.pw = padding[1], g.dh = dilation[0], g.dw = dilation[1];
  g.h = x.size(-2), g.w = x.size(-1);
  const auto one_dim = [&](int64_t in, int64_t k, int64_t pad, int64_t s, int64_t d) {
    TS_CHECK(s != 0, "stride should not be zero");
    TS_CHECK(pad >= 0, "pad must be non-negative, but got pad: ", pad);
    TS_CHECK(pad <= k / 2, "pad should be at most half of kernel size, but got pad=", pad, " and kernel_size=", k);
    return output_size(in, k, pad, s, d, ceil_mode);
  };
  g.oh = one_dim(g.h, g.kh, g.ph, g.sh, g.dh);
  g.ow = one_dim(g.w, g.kw, g.pw, g.sw, g.dw);
  TS_CHECK(g.kw > 0 && g.kh > 0, "kernel size should be greater than zero, but got kH: ", g.kh, " kW: ", g.kw);
  TS_CHECK(g.sw > 0 && g.sh > 0, "stride should be greater than zero, but got dH: ", g.sh, " dW: ", g.sw);
  TS_CHECK(g.dh > 0 && g.dw > 0, "dilation should be greater than zero, but got dilationH: ", g.dh, " dilationW: ", g.dw);
  const int64_t nd = x.dim();
  const bool valid = x.size(nd - 3) != 0 && x.size(nd - 2) != 0 && x.size(nd - 1) != 0;
  TS_CHECK(valid && nd <= 4, "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:",
           tessera::detail::shape_str(x.sizes()));
  TS_CHECK(g.ow >= 1 && g.oh >= 1, "Given input size: (", x.size(nd - 3), "x", g.h, "x", g.w, "). Calculated output size: (",
           x.size(nd - 3), "x", g.oh, "x", g.ow, "). Output size is too small");
  return g;
}

/** For every window element, row-major in [OH, OW, K], its position in the H * W plane, or H * W
 *  where the window overhangs the image. */
template <class = void>
std::vector<int64_t> window_positions(const Window2d& g) {
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(g.oh * g.ow * g.k()));
  for (int64_t y = 0; y < g.oh; ++y)
    for (int64_t x = 0; x < g.ow; ++x)
      for (int64_t i = 0; i < g.kh; ++i)
        for (int64_t j = 0; j < g.kw; ++j) {
          const int64_t iy = y * g.sh - g.ph + i * g.dh, ix = x * g.sw - g.pw + j * g.dw;
          out.push_back(iy >= 0 && iy < g.h && ix >= 0 && ix < g.w ? iy * g.w + ix : g.h * g.w);
        }
  return out;
}

/** The windows `positions` lists (row-major [OH, OW, K] positions in the H * W plane, H * W for
 *  padding) of x [N, C, H, W] as [N, C, OH, OW, K], `pad` at the padding. */
template <class T>
Tensor<T> gather_windows(const Tensor<T>& x, const std::vector<int64_t>& positions, int64_t oh, int64_t ow, int64_t k,
                         T pad) {
  const int64_t n = x.size(0), c = x.size(1), plane = x.size(2) * x.size(3);
  const Tensor<T> extended = cat({x.reshape({n, c, plane}), full<T>({n, c, 1}, pad, {.device = x.device()})}, 2);
  const Tensor<int64_t> index = from_vector(positions, {oh * ow * k}, {.device = x.device()});
  return extended.index_select(2, index).view({n, c, oh, ow, k});
}

/** The im2col geometry of a pooling of x [N, C, H, W]. */
template <class T>
WindowGeometry window_geometry_of(const Tensor<T>& x, const Window2d& g) {
  return {.n = x.size(0), .c = x.size(1), .h = g.h, .w = g.w, .kh = g.kh, .kw = g.kw, .sh = g.sh, .sw = g.sw,
          .ph = g.ph, .pw = g.pw, .dh = g.dh, .dw = g.dw, .oh = g.oh, .ow = g.ow, .channels_inner = false};
}

/** The windows of x [N, C, H, W] as [N, C, OH, OW, K], `pad` where they overhang the image
 *  (Note [Fixed-window pooling]). */
template <class T>
Tensor<T> windows(const Tensor<T>& x, const Window2d& g, T pad) {
  return im2col(x, window_geometry_of(x, g), pad).view({x.size(0), x.size(1), g.oh, g.ow, g.k()});
}

/** The value that never wins a maximum: -inf, or the lowest value of a type without infinity. */
template <class T>
T lowest() {
  if constexpr (std::is_integral_v<T>) return std::numeric_limits<T>::lowest();
  else return tessera::detail::convert<T>(-std::numeric_limits<double>::infinity());
}

/** [N, C, H, W] with a batch dim added to an unbatched [C, H, W]. */
template <class T>
Tensor<T> batched(const Tensor<T>& x) {
  return x.dim() == 3 ? x.unsqueeze(0) : x;
}

/** The first tap at or past 0 of a window starting at `start` (negative in the padding), where
 *  PyTorch's pooling loops start: a window with no element inside the image reports the index of
 *  these taps' element, and -inf. */
inline int64_t first_tap(int64_t start, int64_t dilation) {
  while (start < 0) start += dilation;
  return start;
}

/** The maxima of the windows `rows` [N, C, OH, OW, K] of x [N, C, H, W], whose positions in the
 *  H * W plane `positions` lists (H * W for padding): (values, indices, undefined unless
 *  want_indices or a window is unusual), as PyTorch chooses (Note [Fixed-window pooling]).
 *  `empty_index` holds, per window, the index PyTorch reports for a window with no element inside
 *  the image (whose value is -inf and whose gradient is zero). */
template <class T>
std::tuple<Tensor<T>, Tensor<int64_t>> max_of_windows(const Tensor<T>& x, const Tensor<T>& rows,
                                                      const std::vector<int64_t>& all, bool want_indices,
                                                      const std::vector<int64_t>& empty_index = {}) {
  const int64_t n = x.size(0), c = x.size(1), plane = x.size(2) * x.size(3);
  const int64_t oh = rows.size(2), ow = rows.size(3), k = rows.size(4);
  const Tensor<int64_t> positions = from_vector(all, {oh, ow, k}, {.device = x.device()}).expand({n, c, oh, ow, k});
  auto [values, at] = rows.max(-1);  // the first maximum, its gradient there
  Tensor<int64_t> indices;
  // Windows where PyTorch may choose otherwise: the padding won (every element is -inf), or a NaN.
  Tensor<bool> unusual;
  if (want_indices) indices = positions.gather(4, at.unsqueeze(-1)).squeeze(-1), unusual = indices.eq(plane);
  else unusual = values.eq(lowest<T>());
  if constexpr (is_floating_v<T>) unusual = logical_or(unusual, values.isnan());
  if (unusual.any().item()) {
    // PyTorch's choice: the last NaN, or the first element inside the image.
    const Tensor<bool> nan = rows.detach().isnan();
    const Tensor<int64_t> last_nan = (k - 1) - nan.flip({-1}).template to<int32_t>().argmax(-1);
    indices = positions.gather(4, where(nan.any(-1), last_nan, at).unsqueeze(-1)).squeeze(-1);
    const std::vector<uint8_t> empty = empty_windows(all, k, plane);
    std::vector<int64_t> first(empty.size());
    for (size_t w = 0; w < first.size(); ++w) {
      const auto taps = all.begin() + static_cast<std::ptrdiff_t>(w) * k;
      if (!empty[w]) first[w] = *std::find_if(taps, taps + k, [&](int64_t p) { return p < plane; });
      else if (!empty_index.empty()) first[w] = empty_index[w];
    }
    indices = where(indices.eq(plane), from_vector(first, {oh, ow}, {.device = x.device()}), indices);
    const Tensor<bool> outside =
        from_vector(empty, {oh, ow}, {.device = x.device()}).template to<bool>().expand({n, c, oh, ow});
    const Tensor<int64_t> read = indices.masked_fill(outside, 0);  // an empty window reads nothing
    values = x.reshape({n, c, plane}).gather(2, read.reshape({n, c, oh * ow})).view({n, c, oh, ow}).masked_fill(outside, lowest<T>());
  }
  return {values, indices};
}

/** Max pooling of a checked geometry: (values, indices in the H * W plane, undefined unless
 *  want_indices), as x's batching. */
template <class T>
std::tuple<Tensor<T>, Tensor<int64_t>> max_pool(const Tensor<T>& input, const Window2d& g, bool want_indices = true) {
  const bool grad = ::tessera::detail::needs_grad(input);
  const std::vector<int64_t> positions = window_positions(g);
  Tensor<T> values;
  Tensor<int64_t> indices;
  {
    NoGradGuard no_grad;
    const Tensor<T> x = batched(input);
    std::vector<int64_t> start;  // the index PyTorch's loop starts each window from
    for (int64_t y = 0; y < g.oh; ++y)
      for (int64_t w = 0; w < g.ow; ++w)
        start.push_back(first_tap(y * g.sh - g.ph, g.dh) * g.w + first_tap(w * g.sw - g.pw, g.dw));
    if (pool_kernel(x)) {
      std::tie(values, indices) = max_windows(x, g.h * g.w, positions, start, g.k(), lowest<T>());
      values = values.view({x.size(0), x.size(1), g.oh, g.ow}), indices = indices.view({x.size(0), x.size(1), g.oh, g.ow});
    } else {
      std::tie(values, indices) = max_of_windows(x, windows(x, g, lowest<T>()), positions, want_indices || grad, start);
    }
    if (input.dim() == 3) values = values.squeeze(0), indices = indices.defined() ? indices.squeeze(0) : indices;
  }
  if (grad) record_max_pool(input, values, indices, positions, g.k(), g.h * g.w, 2, "MaxPool2DWithIndicesBackward0");
  if (!want_indices) indices = Tensor<int64_t>();
  return {values, indices};
}

/** PyTorch's divisor of an average pooling's windows: divisor_override, the window's size, or
 *  per window its part inside the padded input (count_include_pad) or inside the input. */
template <class T>
struct AvgDivisor {
  T scalar{};
  Tensor<T> per_window;  // [out...], when the windows' divisors differ

  Tensor<T> divide(const Tensor<T>& sums) const { return per_window.defined() ? sums / per_window : sums / scalar; }
};

/** The divisor of windows of k (stride s, padding p) over each of the pooled dims of sizes `in`
 *  and `out`. */
template <class T>
AvgDivisor<T> avg_divisor(const std::vector<int64_t>& in, const std::vector<int64_t>& out, const std::vector<int64_t>& k,
                          const std::vector<int64_t>& s, const std::vector<int64_t>& p, bool ceil_mode,
                          bool count_include_pad, std::optional<int64_t> divisor_override, Device device) {
  const auto as_t = [](int64_t v) { return tessera::detail::convert<T>(static_cast<double>(v)); };
  if (divisor_override) return {as_t(*divisor_override), {}};
  if (count_include_pad && !ceil_mode) {  // every window lies in the padded input
    int64_t size = 1;
    for (const int64_t e : k) size *= e;
    return {as_t(size), {}};
  }
  std::vector<int64_t> counts{1};  // row-major over the output positions
  for (size_t i = 0; i < in.size(); ++i) {
    std::vector<int64_t> next;
    for (const int64_t c : counts)
      for (int64_t o = 0; o < out[i]; ++o) {
        const int64_t start = o * s[i] - p[i], end = std::min(start + k[i], in[i] + p[i]);
        next.push_back(c * (count_include_pad ? end - start : std::min(end, in[i]) - std::max<int64_t>(start, 0)));
      }
    counts = std::move(next);
  }
  std::vector<T> divisor;
  for (const int64_t c : counts) divisor.push_back(as_t(c));
  return {T{}, from_vector(divisor, Shape(out), {.device = device})};
}

/** Average pooling of a checked geometry (Note [Fixed-window pooling]), recorded as
 *  AvgPool2DBackward0 (Note [Pooling nodes]). */
template <class T>
Tensor<T> avg_pool(const Tensor<T>& input, const Window2d& g, bool ceil_mode, bool count_include_pad,
                   std::optional<int64_t> divisor_override) {
  static_assert(is_floating_v<T>, "avg_pool: the input must be floating");
  const AvgDivisor<T> divisor = avg_divisor<T>({g.h, g.w}, {g.oh, g.ow}, {g.kh, g.kw}, {g.sh, g.sw}, {g.ph, g.pw},
                                               ceil_mode, count_include_pad, divisor_override, input.device());
  WindowGeometry wg;
  Tensor<T> out;
  {
    NoGradGuard no_grad;
    const Tensor<T> x = batched(input);
    wg = window_geometry_of(x, g);
    out = divisor.divide(windows(x, g, T(0)).sum({-1}));
    if (input.dim() == 3) out = out.squeeze(0);
  }
  // the derivative: each window's share of the gradient added over the window (col2im)
  const auto formula = [wg, divisor, sizes = input.sizes()](const Tensor<T>& grad, const Tensor<int64_t>&) {
    const Tensor<T> shares = divisor.divide(grad.reshape({wg.n, wg.c, wg.oh, wg.ow})).unsqueeze(-1);
    return col2im(shares.expand({wg.n, wg.c, wg.oh, wg.ow, wg.kh * wg.kw}).reshape(wg.columns_shape()), wg).view(sizes);
  };
  if (::tessera::detail::needs_grad(input)) record_pool(input, out, "AvgPool2DBackward0", formula);
  return out;
}

}  // namespace detail_pool

/** F.max_pool2d of [N, C, H, W] or [C, H, W]: the maximum of each window (padding never wins; a
 *  NaN does). The gradient goes to the element max_pool2d_with_indices names. */
template <class T>
Tensor<T> max_pool2d(const Tensor<T>& x, ExpandingArray<2> kernel_size, ExpandingArray<2> stride = {},
                     ExpandingArray<2> padding = 0, ExpandingArray<2> dilation = 1, bool ceil_mode = false) {
  const auto g = detail_pool::geometry(x, "max_pool2d", kernel_size, stride, padding, dilation, ceil_mode, true);
  return std::get<0>(detail_pool::max_pool(x, g, /*want_indices=*/false));
}

/** F.max_pool2d(..., return_indices=True) (torch.nn.functional.max_pool2d_with_indices): the
 *  values and, as int64, each maximum's flat position in its H * W plane. */
template <class T>
std::tuple<Tensor<T>, Tensor<int64_t>> max_pool2d_with_indices(const Tensor<T>& x, ExpandingArray<2> kernel_size,
                                                               ExpandingArray<2> stride = {}, ExpandingArray<2> padding = 0,
                                                               ExpandingArray<2> dilation = 1, bool ceil_mode = false) {
  return detail_pool::max_pool(x, detail_pool::geometry(x, "max_pool2d", kernel_size, stride, padding, dilation, ceil_mode, true));
}

/** F.avg_pool2d of [N, C, H, W] or [C, H, W]: each window's sum over PyTorch's divisor (the
 *  window's size, its part inside the image without count_include_pad, or divisor_override). */
template <class T>
Tensor<T> avg_pool2d(const Tensor<T>& x, ExpandingArray<2> kernel_size, ExpandingArray<2> stride = {},
                     ExpandingArray<2> padding = 0, bool ceil_mode = false, bool count_include_pad = true,
                     std::optional<int64_t> divisor_override = std::nullopt) {
  TS_CHECK(!divisor_override || *divisor_override != 0, "avg_pool2d: divisor must be not zero");
  const auto g = detail_pool::geometry(x, "avg_pool2d", kernel_size, stride, padding, 1, ceil_mode, false);
  return detail_pool::avg_pool(x, g, ceil_mode, count_include_pad, divisor_override);
}

// Note [3-d pooling]
// max_pool3d and avg_pool3d read the windows of a [D, H, W] volume as the 2-d pools read those of
// a plane: the positions of every window's elements (row-major in [OD, OH, OW, K], K = kd * kh *
// kw, as PyTorch's kernels scan them) index the flattened volume, padding where they overhang it.
// So the maximum's rules (Note [Fixed-window pooling]) and the indices (flat in D * H * W, as
// PyTorch's) are the 2-d pools' own.
namespace detail_pool {

/** One 3-d pooling's geometry over [N, C, D, H, W]: per dim (d, h, w) the input, kernel,
 *  stride, padding, dilation and output sizes. */
struct Window3d {
  std::array<int64_t, 3> in{}, k{}, s{}, p{}, d{}, out{};
  int64_t volume() const { return in[0] * in[1] * in[2]; }
  int64_t kernel_volume() const { return k[0] * k[1] * k[2]; }
};

/** PyTorch's checks of a 3-d pooling's arguments (max_pool3d's and avg_pool3d's, then
 *  pool3d_shape_check), then the geometry. */
template <class T>
Window3d geometry3d(const Tensor<T>& x, const ExpandingArray<3>& kernel, const ExpandingArray<3>& stride,
                    const ExpandingArray<3>& padding, const ExpandingArray<3>& dilation, bool ceil_mode, bool max) {
  if (max) {
    TS_CHECK(kernel.size() == 1 || kernel.size() == 3, "max_pool3d: kernel_size must either be a single int, or a tuple of three ints");
    TS_CHECK(stride.size() <= 1 || stride.size() == 3, "max_pool3d: stride must either be omitted, a single int, or a tuple of three ints");
    TS_CHECK(padding.size() == 1 || padding.size() == 3, "max_pool3d: padding must be either be a single int, or a tuple of three ints");
    TS_CHECK(dilation.size() == 1 || dilation.size() == 3, "max_pool3d: dilation must be either a single int, or a tuple of three ints");
  } else {
    TS_CHECK(kernel.size() == 1 || kernel.size() == 3, "avg_pool3d: kernel_size must be a single int, or a tuple of three ints");
    TS_CHECK(stride.size() <= 1 || stride.size() == 3, "avg_pool3d: stride must be omitted, a single int, or a tuple of three ints");
    TS_CHECK(padding.size() == 1 || padding.size() == 3, "avg_pool3d: padding must be a single int, or a tuple of three ints");
  }
  TS_CHECK(x.dim() == 4 || x.dim() == 5, "non-empty 4D or 5D (batch mode) tensor expected for input");
  Window3d g;
  for (size_t i = 0; i < 3; ++i) {
    g.k[i] = kernel[i], g.s[i] = stride.empty() ? g.k[i] : stride[i], g.p[i] = padding[i], g.d[i] = dilation[i];
    g.in[i] = x.size(static_cast<int64_t>(i) - 3);
    TS_CHECK(g.s[i] != 0, "stride should not be zero");
    TS_CHECK(g.p[i] >= 0, "pad must be non-negative, but got pad: ", g.p[i]);
    TS_CHECK(g.p[i] <= g.k[i] / 2, "pad should be at most half of kernel size, but got pad=", g.p[i], " and kernel_size=", g.k[i]);
    g.out[i] = output_size(g.in[i], g.k[i], g.p[i], g.s[i], g.d[i], ceil_mode);
  }
  TS_CHECK(g.k[0] > 0 && g.k[1] > 0 && g.k[2] > 0, "kernel size should be greater than zero, but got kT: ", g.k[0],
           " kH: ", g.k[1], " kW: ", g.k[2]);
  TS_CHECK(g.s[0] > 0 && g.s[1] > 0 && g.s[2] > 0, "stride should be greater than zero, but got dT: ", g.s[0], " dH: ",
           g.s[1], " dW: ", g.s[2]);
  TS_CHECK(g.d[0] > 0 && g.d[1] > 0 && g.d[2] > 0, "dilation should be greater than zero, but got dilationT: ", g.d[0],
           " dilationH: ", g.d[1], " dilationW: ", g.d[2]);
  for (int64_t i = x.dim() == 5 ? 1 : 0; i < x.dim(); ++i)  // PyTorch's message names the length, not the dim
    TS_CHECK(x.size(i) > 0, max ? "max_pool3d_with_indices_out_cpu_template" : "avg_pool3d",
             "(): Expected input's non-batch dimensions to have positive length, but input has a shape of ",
             tessera::detail::shape_str(x.sizes()), " and non-batch dimension ", x.size(i), " has length zero!");
  if (!max)
    TS_CHECK(g.in[0] >= g.k[0] && g.in[1] >= g.k[1] && g.in[2] >= g.k[2], "input image (T: ", g.in[0], " H: ", g.in[1],
             " W: ", g.in[2], ") smaller than kernel size (kT: ", g.k[0], " kH: ", g.k[1], " kW: ", g.k[2], ")");
  const int64_t slices = x.size(-4);
  TS_CHECK(g.out[0] >= 1 && g.out[1] >= 1 && g.out[2] >= 1, "Given input size: (", slices, "x", g.in[0], "x", g.in[1],
           "x", g.in[2], "). Calculated output size: (", slices, "x", g.out[0], "x", g.out[1], "x", g.out[2],
           "). Output size is too small");
  return g;
}

/** Every window element's position in the flattened volume, row-major in [OD, OH, OW, K], or
 *  D * H * W where the window overhangs the volume (Note [3-d pooling]). */
template <class = void>
std::vector<int64_t> window_positions3d(const Window3d& g) {
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(g.out[0] * g.out[1] * g.out[2] * g.kernel_volume()));
  for (int64_t z = 0; z < g.out[0]; ++z)
    for (int64_t y = 0; y < g.out[1]; ++y)
      for (int64_t x = 0; x < g.out[2]; ++x)
        for (int64_t a = 0; a < g.k[0]; ++a)
          for (int64_t b = 0; b < g.k[1]; ++b)
            for (int64_t c = 0; c < g.k[2]; ++c) {
              const int64_t iz = z * g.s[0] - g.p[0] + a * g.d[0], iy = y * g.s[1] - g.p[1] + b * g.d[1],
                            ix = x * g.s[2] - g.p[2] + c * g.d[2];
              const bool inside = iz >= 0 && iz < g.in[0] && iy >= 0 && iy < g.in[1] && ix >= 0 && ix < g.in[2];
              out.push_back(inside ? (iz * g.in[1] + iy) * g.in[2] + ix : g.volume());
            }
  return out;
}

/** x [N, C, D, H, W] as [N, C, D * H * W, 1], the plane the 2-d pools' helpers read. */
template <class T>
Tensor<T> as_plane(const Tensor<T>& x, const Window3d& g) {
  return x.reshape({x.size(0), x.size(1), g.volume(), 1});
}

}  // namespace detail_pool

/** F.max_pool3d(..., return_indices=True) of [N, C, D, H, W] or [C, D, H, W]: the maximum of each
 *  window and, as int64, its flat position in its D * H * W volume (Note [3-d pooling]). */
template <class T>
std::tuple<Tensor<T>, Tensor<int64_t>> max_pool3d_with_indices(const Tensor<T>& input, ExpandingArray<3> kernel_size,
                                                               ExpandingArray<3> stride = {}, ExpandingArray<3> padding = 0,
                                                               ExpandingArray<3> dilation = 1, bool ceil_mode = false) {
  const auto g = detail_pool::geometry3d(input, kernel_size, stride, padding, dilation, ceil_mode, true);
  const std::vector<int64_t> positions = detail_pool::window_positions3d(g);
  Tensor<T> values;
  Tensor<int64_t> indices;
  {
    NoGradGuard no_grad;
    const Tensor<T> x = input.dim() == 4 ? input.unsqueeze(0) : input;
    std::vector<int64_t> start;  // the index PyTorch's loop starts each window from
    for (int64_t z = 0; z < g.out[0]; ++z)
      for (int64_t y = 0; y < g.out[1]; ++y)
        for (int64_t w = 0; w < g.out[2]; ++w)
          start.push_back((detail_pool::first_tap(z * g.s[0] - g.p[0], g.d[0]) * g.in[1] +
                           detail_pool::first_tap(y * g.s[1] - g.p[1], g.d[1])) * g.in[2] +
                          detail_pool::first_tap(w * g.s[2] - g.p[2], g.d[2]));
    if (detail_pool::pool_kernel(x)) {
      std::tie(values, indices) =
          detail_pool::max_windows(x, g.volume(), positions, start, g.kernel_volume(), detail_pool::lowest<T>());
    } else {
      const Tensor<T> plane = detail_pool::as_plane(x, g);
      const Tensor<T> rows = detail_pool::gather_windows(plane, positions, g.out[0] * g.out[1], g.out[2], g.kernel_volume(),
                                                         detail_pool::lowest<T>());
      std::tie(values, indices) = detail_pool::max_of_windows(plane, rows, positions, true, start);
    }
    const Shape out = input.dim() == 5 ? Shape{x.size(0), x.size(1), g.out[0], g.out[1], g.out[2]}
                                       : Shape{x.size(1), g.out[0], g.out[1], g.out[2]};
    values = values.view(out), indices = indices.view(out);
  }
  if (::tessera::detail::needs_grad(input))
    detail_pool::record_max_pool(input, values, indices, positions, g.kernel_volume(), g.volume(), 3,
                                 "MaxPool3DWithIndicesBackward0");
  return {values, indices};
}

/** F.max_pool3d of [N, C, D, H, W] or [C, D, H, W]: the maximum of each window (padding never
 *  wins; a NaN does). The gradient goes to the element max_pool3d_with_indices names. */
template <class T>
Tensor<T> max_pool3d(const Tensor<T>& x, ExpandingArray<3> kernel_size, ExpandingArray<3> stride = {},
                     ExpandingArray<3> padding = 0, ExpandingArray<3> dilation = 1, bool ceil_mode = false) {
  return std::get<0>(max_pool3d_with_indices(x, std::move(kernel_size), std::move(stride), std::move(padding),
                                             std::move(dilation), ceil_mode));
}

/** F.avg_pool3d of [N, C, D, H, W] or [C, D, H, W]: each window's sum over PyTorch's divisor (the
 *  window's size, its part inside the volume without count_include_pad, or divisor_override). */
template <class T>
Tensor<T> avg_pool3d(const Tensor<T>& input, ExpandingArray<3> kernel_size, ExpandingArray<3> stride = {},
                     ExpandingArray<3> padding = 0, bool ceil_mode = false, bool count_include_pad = true,
                     std::optional<int64_t> divisor_override = std::nullopt) {
  static_assert(is_floating_v<T>, "avg_pool3d: the input must be floating");
  const auto g = detail_pool::geometry3d(input, kernel_size, stride, padding, 1, ceil_mode, false);
  TS_CHECK(!divisor_override || *divisor_override != 0, "avg_pool3d: divisor must be not zero");
  const auto vec = [](const std::array<int64_t, 3>& a) { return std::vector<int64_t>(a.begin(), a.end()); };
  const detail_pool::AvgDivisor<T> divisor = detail_pool::avg_divisor<T>(
      vec(g.in), vec(g.out), vec(g.k), vec(g.s), vec(g.p), ceil_mode, count_include_pad, divisor_override, input.device());
  const std::vector<int64_t> positions = detail_pool::window_positions3d(g);
  const int64_t n = input.dim() == 5 ? input.size(0) : 1, c = input.size(-4), windows = g.out[0] * g.out[1] * g.out[2];
  Tensor<T> out;
  {
    NoGradGuard no_grad;
    const Tensor<T> x = input.dim() == 4 ? input.unsqueeze(0) : input;
    out = divisor.divide(detail_pool::gather_windows(detail_pool::as_plane(x, g), positions, g.out[0] * g.out[1], g.out[2],
                                                     g.kernel_volume(), T(0))
                             .sum({-1})
                             .view({n, c, g.out[0], g.out[1], g.out[2]}));
    if (input.dim() == 4) out = out.squeeze(0);
  }
  // the derivative: the adjoint of gather_windows, index_add, the padding's slot dropped
  const auto formula = [=, sizes = input.sizes(), k = g.kernel_volume(), volume = g.volume()](
                           const Tensor<T>& grad, const Tensor<int64_t>&) {
    const Tensor<T> shares = divisor.divide(grad.reshape({n, c, g.out[0], g.out[1], g.out[2]})).reshape({n, c, windows, 1});
    const Tensor<T> spread = shares.expand({n, c, windows, k}).reshape({n, c, windows * k});
    const Tensor<int64_t> index = from_vector(positions, {windows * k}, {.device = grad.device()});
    return zeros<T>({n, c, volume + 1}, {.device = grad.device()}).index_add(2, index, spread).narrow(2, 0, volume).reshape(sizes);
  };
  if (::tessera::detail::needs_grad(input)) detail_pool::record_pool(input, out, "AvgPool3DBackward0", formula);
  return out;
}

namespace detail_pool {

/** PyTorch's checks of a 1-d pool's arguments (check1d and checkDimRange), then the 2-d geometry
 *  of height 1. */
template <class T>
Window2d geometry_1d(const Tensor<T>& x, const char* op, const ExpandingArray<1>& kernel, const ExpandingArray<1>& stride,
                     const ExpandingArray<1>& padding, const ExpandingArray<1>& dilation, bool ceil_mode, bool max) {
  TS_CHECK(x.dim() == 2 || x.dim() == 3, "Expected 2 to 3 dimensions, but got ", x.dim(),
           "-dimensional tensor for argument #1 'self' (while checking arguments for ", op, ")");
  TS_CHECK(kernel.size() == 1, op, ": kernel_size must be a single int, got ", kernel.size(), " values");
  TS_CHECK(stride.size() <= 1, op, ": stride must be a single int, got ", stride.size(), " values");
  TS_CHECK(padding.size() == 1, op, ": padding must be a single int, got ", padding.size(), " values");
  TS_CHECK(dilation.size() == 1, op, ": dilation must be a single int, got ", dilation.size(), " values");
  const int64_t k = kernel[0], s = stride.empty() ? k : stride[0];
  return geometry(x.unsqueeze(-2), max ? "max_pool2d" : "avg_pool2d", {1, k}, {1, s}, {0, padding[0]}, {1, dilation[0]},
                  ceil_mode, max);
}

}  // namespace detail_pool

/** F.max_pool1d of [N, C, L] or [C, L]. */
template <class T>
Tensor<T> max_pool1d(const Tensor<T>& x, ExpandingArray<1> kernel_size, ExpandingArray<1> stride = {},
                     ExpandingArray<1> padding = 0, ExpandingArray<1> dilation = 1, bool ceil_mode = false) {
  // PyTorch's check_max_pool1d
  TS_CHECK(x.dim() == 2 || x.dim() == 3, "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch "
           "size for input, but got:", tessera::detail::shape_str(x.sizes()));
  const auto one = [](const ExpandingArray<1>& a, const char* name, bool may_be_empty) {
    TS_CHECK(a.size() == 1 || (may_be_empty && a.empty()), "max_pool1d() ", name,
             " must be an int, list of ints or tuple of ints of size 1 but got size ", a.size());
  };
  one(kernel_size, "kernel_size", false), one(stride, "stride", true), one(padding, "padding", false);
  one(dilation, "dilation", false);
  const int64_t k = kernel_size[0], s = stride.empty() ? k : stride[0];
  TS_CHECK(k > 0, "max_pool1d() kernel_size must be greater than zero, but got ", k);
  TS_CHECK(s > 0, "max_pool1d() stride must be greater than zero, but got ", s);
  TS_CHECK(padding[0] >= 0, "max_pool1d() padding must be non-negative, but got ", padding[0]);
  TS_CHECK(padding[0] <= k / 2, "max_pool1d() padding should be at most half of kernel size, but got padding=",
           padding[0], " and kernel_size=", k);
  TS_CHECK(dilation[0] > 0, "max_pool1d() dilation must be greater than zero, but got ", dilation[0]);
  return max_pool2d(x.unsqueeze(-2), {1, kernel_size[0]}, {1, stride.empty() ? kernel_size[0] : stride[0]},
                    {0, padding[0]}, {1, dilation[0]}, ceil_mode)
      .squeeze(-2);
}

/** F.max_pool1d(..., return_indices=True): values and each maximum's position along L. */
template <class T>
std::tuple<Tensor<T>, Tensor<int64_t>> max_pool1d_with_indices(const Tensor<T>& x, ExpandingArray<1> kernel_size,
                                                               ExpandingArray<1> stride = {}, ExpandingArray<1> padding = 0,
                                                               ExpandingArray<1> dilation = 1, bool ceil_mode = false) {
  const auto g = detail_pool::geometry_1d(x, "max_pool1d", kernel_size, stride, padding, dilation, ceil_mode, true);
  auto [values, indices] = detail_pool::max_pool(x.unsqueeze(-2), g);
  return {values.squeeze(-2), indices.squeeze(-2)};
}

/** F.avg_pool1d of [N, C, L] or [C, L]. */
template <class T>
Tensor<T> avg_pool1d(const Tensor<T>& x, ExpandingArray<1> kernel_size, ExpandingArray<1> stride = {},
                     ExpandingArray<1> padding = 0, bool ceil_mode = false, bool count_include_pad = true) {
  const auto g = detail_pool::geometry_1d(x, "avg_pool1d", kernel_size, stride, padding, 1, ceil_mode, false);
  return detail_pool::avg_pool(x.unsqueeze(-2), g, ceil_mode, count_include_pad, std::nullopt).squeeze(-2);
}

/** F.max_unpool2d: zeros of output_size ([N, C,] H, W; by default the size a pool of kernel, stride
 *  and padding takes to x's) with each value of x put at its index in its H * W plane. */
template <class T>
Tensor<T> max_unpool2d(const Tensor<T>& x, const Tensor<int64_t>& indices, ExpandingArray<2> kernel_size,
                       ExpandingArray<2> stride = {}, ExpandingArray<2> padding = 0,
                       std::vector<int64_t> output_size = {}) {
  TS_CHECK(x.dim() == 3 || x.dim() == 4, "max_unpool2d: Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with ",
           x.dim(), " dimensions.");
  TS_CHECK(x.sizes() == indices.sizes(), "Expected shape of indices to be same as that of the input tensor (",
           tessera::detail::shape_str(x.sizes()), ") but got indices tensor with shape: ",
           tessera::detail::shape_str(indices.sizes()));
  // PyTorch's _unpool_output_size: the pool's input size, or output_size ([N, C,] H, W) within a stride of it.
  std::vector<int64_t> default_size;
  for (size_t i = 0; i < 2; ++i) {
    const int64_t s = stride.empty() ? kernel_size[i] : stride[i];
    default_size.push_back((x.size(x.dim() - 2 + static_cast<int64_t>(i)) - 1) * s + kernel_size[i] - 2 * padding[i]);
  }
  if (output_size.empty()) {
    output_size = default_size;
  } else {
    const std::string given = detail_pool::python_tuple(output_size);
    if (output_size.size() == 4) output_size.erase(output_size.begin(), output_size.begin() + 2);
    TS_CHECK(output_size.size() == 2, "max_unpool2d: output_size should be a sequence containing 2 or 4 elements, but it "
             "has a length of '", output_size.size(), "'");
    for (size_t i = 0; i < 2; ++i) {
      const int64_t s = stride.empty() ? kernel_size[i] : stride[i];
      const int64_t lo = default_size[i] - s, hi = default_size[i] + s;
      TS_CHECK(lo < output_size[i] && output_size[i] < hi, "max_unpool2d: invalid output_size \"", given, "\" (dim ", i,
               " must be between ", lo, " and ", hi, ")");
    }
  }
  const Tensor<T> b = detail_pool::batched(x);
  const Tensor<int64_t> bi = detail_pool::batched(indices);
  const int64_t n = b.size(0), c = b.size(1), plane = output_size[0] * output_size[1];
  const Tensor<int64_t> flat = bi.reshape({n, c, -1});
  if (flat.numel() > 0) {
    const int64_t lo = flat.min().item(), hi = flat.max().item();
    TS_CHECK(lo >= 0 && hi < plane, "Found an invalid max index: ", lo < 0 ? lo : hi, " (output volumes are of size ",
             output_size[0], "x", output_size[1]);  // sic
  }
  const Tensor<T> out = zeros<T>({n, c, plane}, {.device = x.device()})
                            .scatter(2, flat, b.reshape({n, c, -1}))
                            .view({n, c, output_size[0], output_size[1]});
  return x.dim() == 3 ? out.squeeze(0) : out;
}

/** F.max_unpool1d: zeros of output_size ([N, C,] L; by default the length a pool of kernel,
 *  stride and padding takes to x's) with each value of x put at its index in its row. */
template <class T>
Tensor<T> max_unpool1d(const Tensor<T>& x, const Tensor<int64_t>& indices, ExpandingArray<1> kernel_size,
                       ExpandingArray<1> stride = {}, ExpandingArray<1> padding = 0,
                       std::vector<int64_t> output_size = {}) {
  TS_CHECK(x.dim() == 2 || x.dim() == 3, "max_unpool1d: Input to max_unpooling1d should be a 2d or 3d Tensor, but got "
           "a tensor with ", x.dim(), " dimensions.");
  // PyTorch's _unpool_output_size: the pool's input length, or output_size ([N, C,] L) within a stride of it.
  const int64_t s = stride.empty() ? kernel_size[0] : stride[0];
  const int64_t default_length = (x.size(-1) - 1) * s + kernel_size[0] - 2 * padding[0];
  int64_t length = default_length;
  if (!output_size.empty()) {
    const std::string given = detail_pool::python_tuple(output_size);
    if (output_size.size() == 3) output_size.erase(output_size.begin(), output_size.begin() + 2);
    TS_CHECK(output_size.size() == 1, "max_unpool1d: output_size should be a sequence containing 1 or 3 elements, but "
             "it has a length of '", output_size.size(), "'");
    TS_CHECK(default_length - s < output_size[0] && output_size[0] < default_length + s, "max_unpool1d: invalid "
             "output_size \"", given, "\" (dim 0 must be between ", default_length - s, " and ", default_length + s, ")");
    length = output_size[0];
  }
  return max_unpool2d(x.unsqueeze(-1), indices.unsqueeze(-1), {kernel_size[0], 1}, {s, 1}, {padding[0], 0},
                      {length, 1})
      .squeeze(-1);
}

/** F.lp_pool1d: the p-norm of each window of [N, C, L] or [C, L], as PyTorch's: the window's mean
 *  of x^p (no padding), times its size, to the power 1 / p (a negative mean kept 0). */
template <class T>
Tensor<T> lp_pool1d(const Tensor<T>& x, double norm_type, int64_t kernel_size, ExpandingArray<1> stride = {},
                    bool ceil_mode = false) {
  const Tensor<T> out = avg_pool1d(x.pow(norm_type), kernel_size, stride, 0, ceil_mode);
  return (out.sign() * out.abs().relu() * static_cast<T>(kernel_size)).pow(1.0 / norm_type);
}

/** F.lp_pool2d: lp_pool1d over kernel_size windows of [N, C, H, W] or [C, H, W]. */
template <class T>
Tensor<T> lp_pool2d(const Tensor<T>& x, double norm_type, ExpandingArray<2> kernel_size, ExpandingArray<2> stride = {},
                    bool ceil_mode = false) {
  const Tensor<T> out = avg_pool2d(x.pow(norm_type), kernel_size, stride, 0, ceil_mode);
  return (out.sign() * out.abs().relu() * static_cast<T>(kernel_size[0] * kernel_size[1])).pow(1.0 / norm_type);
}

}  // namespace functional

// Note [Adaptive windows]
// Output cell i of a dim of size n pooled to m covers input positions [floor(i n / m),
// ceil((i + 1) n / m)), as PyTorch's kernels. A pool reduces one dim at a time, the last first:
// each window narrowed and reduced (mean or max), the m results stacked. Means of means over
// equal-length rows are the window's mean (to a few units in the last place of PyTorch's one
// sum); the maximum of the row maxima, taken in that order, is the window's first maximum in
// PyTorch's row-major order, and a NaN wins in both. Only a window's own elements are read, so a
// NaN or infinity elsewhere cannot leak in. Where the input needs a gradient, max pooling reads
// every window's positions at once (adaptive_max) for PyTorch's indices, which its node saves
// (Note [Pooling nodes]); the averages' node spreads each cell's gradient over its window.

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
    if constexpr (is_floating<T>) cells.push_back(max ? std::get<0>(part.max(dim)) : ::tessera::detail::mean_accumulated(part, {dim}));
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

/** The adjoint of pool_dim's averages: each of g's cells along `dim`, divided by its window's
 *  length, added over its window of the n elements. */
template <class T>
Tensor<T> pool_dim_adjoint(const Tensor<T>& g, int64_t dim, int64_t n) {
  const size_t d = static_cast<size_t>(dim < 0 ? dim + g.dim() : dim);
  Shape sizes = g.sizes();
  sizes[d] = n;
  std::vector<int64_t> owner, position;
  std::vector<T> length;
  for (int64_t i = 0; i < g.size(dim); ++i) {
    const auto [start, end] = window(i, n, g.size(dim));
    for (int64_t p = start; p < end; ++p)
      owner.push_back(i), position.push_back(p), length.push_back(tessera::detail::convert<T>(static_cast<double>(end - start)));
  }
  if (owner.empty() || g.numel() == 0) return zeros<T>(sizes, {.device = g.device()});
  const int64_t count = static_cast<int64_t>(owner.size());
  Shape along(std::vector<int64_t>(static_cast<size_t>(g.dim()), 1));
  along[d] = count;
  const Tensor<T> shares = g.index_select(dim, from_vector(owner, {count}, {.device = g.device()})) /
                           from_vector(length, along, {.device = g.device()});
  return zeros<T>(sizes, {.device = g.device()}).index_add(dim, from_vector(position, {count}, {.device = g.device()}), shares);
}

/** Adaptive average pooling of the last out.size() dims of `input` to `out`, recorded as the node
 *  `name`: PyTorch's mean over those dims when every output size is 1, else the averages of
 *  pool_dim one dim at a time (Note [Adaptive windows], Note [Pooling nodes]). */
template <class T>
Tensor<T> adaptive_avg(const Tensor<T>& input, const std::vector<int64_t>& out, const char* name) {
  static_assert(is_floating<T>);
  const int64_t dims = static_cast<int64_t>(out.size());
  if (std::all_of(out.begin(), out.end(), [](int64_t e) { return e == 1; }))
    return mean(input, dims == 2 ? Shape{-1, -2} : Shape{-1, -2, -3}, true);
  Tensor<T> result;
  {
    NoGradGuard no_grad;
    result = input;
    for (int64_t d = -1; d >= -dims; --d) result = pool_dim(result, d, out[static_cast<size_t>(dims + d)], false);
  }
  if (::tessera::detail::needs_grad(input))
    record_pool(input, result, name, [sizes = input.sizes(), dims](const Tensor<T>& g, const Tensor<int64_t>&) {
      Tensor<T> grad = g;
      for (int64_t d = -dims; d <= -1; ++d) grad = pool_dim_adjoint(grad, d, sizes[sizes.size() - static_cast<size_t>(-d)]);
      return grad;
    });
  return result;
}

/** Each adaptive window of the pooled dims `in` (to `out`), row-major, as its positions in their
 *  flattened plane, row-major, padded with the plane's size to the largest window's size k:
 *  (positions, k). */
template <class = void>
std::pair<std::vector<int64_t>, int64_t> adaptive_positions(const std::vector<int64_t>& in, const std::vector<int64_t>& out) {
  const size_t dims = in.size();
  std::vector<std::vector<std::pair<int64_t, int64_t>>> spans(dims);
  int64_t k = 1, plane = 1, windows = 1;
  for (size_t d = 0; d < dims; ++d) {
    int64_t longest = 0;
    for (int64_t i = 0; i < out[d]; ++i) {
      spans[d].push_back(window(i, in[d], out[d]));
      longest = std::max(longest, spans[d].back().second - spans[d].back().first);
    }
    k *= longest, plane *= in[d], windows *= out[d];
  }
  std::vector<int64_t> all;
  std::vector<int64_t> o(dims, 0), at(dims);
  for (int64_t w = 0; w < windows; ++w) {
    const size_t begin = all.size();
    for (size_t d = 0; d < dims; ++d) at[d] = spans[d][static_cast<size_t>(o[d])].first;
    for (size_t d = dims; d > 0;) {  // every position of the window, the last dim fastest
      int64_t flat = 0;
      for (size_t e = 0; e < dims; ++e) flat = flat * in[e] + at[e];
      all.push_back(flat);
      for (d = dims; d > 0; --d) {
        const auto [start, end] = spans[d - 1][static_cast<size_t>(o[d - 1])];
        if (++at[d - 1] < end) break;
        at[d - 1] = start;
      }
    }
    all.resize(begin + static_cast<size_t>(k), plane);
    for (size_t d = dims; d > 0 && ++o[d - 1] == out[d - 1]; --d) o[d - 1] = 0;
  }
  return {all, k};
}

/** Adaptive max pooling of the last out.size() dims of `input` (batched or not) to `out` with
 *  PyTorch's indices, recorded as the node `name`: each window's positions gathered, then
 *  max_of_windows (Note [Pooling nodes]). */
template <class T>
std::tuple<Tensor<T>, Tensor<int64_t>> adaptive_max(const Tensor<T>& input, const std::vector<int64_t>& out, const char* name) {
  const int64_t dims = static_cast<int64_t>(out.size());
  Shape out_shape = input.sizes();
  std::vector<int64_t> in;
  int64_t plane = 1, windows = 1;
  for (int64_t d = 0; d < dims; ++d) {
    const size_t at = out_shape.size() - static_cast<size_t>(dims - d);
    in.push_back(out_shape[at]), plane *= out_shape[at], windows *= out[static_cast<size_t>(d)];
    out_shape[at] = out[static_cast<size_t>(d)];
  }
  const auto [all, k] = adaptive_positions(in, out);
  Tensor<T> values;
  Tensor<int64_t> indices;
  {
    NoGradGuard no_grad;
    if (windows == 0) {
      values = zeros<T>(out_shape, {.device = input.device()}), indices = zeros<int64_t>(out_shape, {.device = input.device()});
    } else {
      const int64_t c = input.size(-dims - 1), n = input.dim() == dims + 2 ? input.size(0) : 1;
      const Tensor<T> x = input.reshape({n, c, plane, 1});
      if (pool_kernel(x)) {
        std::vector<int64_t> start;  // PyTorch's loop starts from a window's first element
        for (int64_t w = 0; w < windows; ++w) start.push_back(all[static_cast<size_t>(w * k)]);
        std::tie(values, indices) = max_windows(x, plane, all, start, k, lowest<T>());
      } else {
        std::tie(values, indices) = max_of_windows(x, gather_windows(x, all, windows, 1, k, lowest<T>()), all, true);
      }
      values = values.view(out_shape), indices = indices.view(out_shape);
    }
  }
  if (::tessera::detail::needs_grad(input)) record_max_pool(input, values, indices, all, k, plane, dims, name);
  return {values, indices};
}

}  // namespace detail_pool

/** F.adaptive_avg_pool2d: [N, C, H, W] or [C, H, W] averaged over adaptive windows to output_size (oh, ow). */
template <class T>
Tensor<T> adaptive_avg_pool2d(const Tensor<T>& x, const std::vector<int64_t>& output_size) {
  TS_CHECK(output_size.size() == 2, "adaptive_avg_pool2d: output_size must be 2");
  TS_CHECK(x.dim() >= 3, "adaptive_avg_pool2d: Input dimension should be at least 3");
  TS_CHECK(x.dim() <= 4, "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got ", tessera::detail::shape_str(x.sizes()));
  detail_pool::check_input(x, output_size, 2, false, "adaptive_avg_pool2d");
  if constexpr (detail_pool::is_floating<T>) return detail_pool::adaptive_avg(x, output_size, "AdaptiveAvgPool2DBackward0");
  else return x;  // unreached: refused above
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
  if constexpr (detail_pool::is_floating<T>)
    return detail_pool::adaptive_avg(x.unsqueeze(-2), {1, output_size}, "AdaptiveAvgPool2DBackward0").squeeze(-2);
  else return x;  // unreached: refused above
}

/** F.adaptive_max_pool2d: the maximum of each adaptive window. */
template <class T>
Tensor<T> adaptive_max_pool2d(const Tensor<T>& x, const std::vector<int64_t>& output_size) {
  TS_CHECK(output_size.size() == 2, "adaptive_max_pool2d(): internal error: output_size.size() must be 2");
  TS_CHECK(x.dim() >= 3, "adaptive_max_pool2d: Input dimension should be at least 3");
  TS_CHECK(x.dim() <= 4, "adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: ", tessera::detail::shape_str(x.sizes()));
  detail_pool::check_input(x, output_size, 2, true, "adaptive_max_pool2d");
  if (::tessera::detail::needs_grad(x)) return std::get<0>(detail_pool::adaptive_max(x, output_size, "AdaptiveMaxPool2DBackward0"));
  return detail_pool::pool_dim(detail_pool::pool_dim(x, -1, output_size[1], true), -2, output_size[0], true);
}
template <class T>
Tensor<T> adaptive_max_pool2d(const Tensor<T>& x, int64_t output_size) {
  return adaptive_max_pool2d(x, std::vector<int64_t>{output_size, output_size});
}

/** F.adaptive_avg_pool3d of [N, C, D, H, W] or [C, D, H, W]: the mean of each adaptive window,
 *  one dim at a time (Note [Adaptive windows]). */
template <class T>
Tensor<T> adaptive_avg_pool3d(const Tensor<T>& x, const std::vector<int64_t>& output_size) {
  TS_CHECK(output_size.size() == 3, "adaptive_avg_pool3d: output_size must be 3");
  TS_CHECK(x.dim() >= 4, "adaptive_avg_pool3d: Input dimension should be at least 4");
  TS_CHECK(x.dim() <= 5, "adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got ", tessera::detail::shape_str(x.sizes()));
  TS_CHECK(detail_pool::is_floating<T>, "\"adaptive_avg_pool3d_cpu\" not implemented for '",
           tessera::detail::aten_type_name(dtype_of<T>), "'");
  TS_CHECK(output_size[0] >= 0 && output_size[1] >= 0 && output_size[2] >= 0, "adaptive_avg_pool3d: elements of "
           "output_size must be greater than or equal to 0 but received {", output_size[0], ", ", output_size[1], ", ",
           output_size[2], "}");
  if (output_size[0] != 1 || output_size[1] != 1 || output_size[2] != 1)  // PyTorch's mean path allows empty dims
    for (int64_t d = 1; d < x.dim(); ++d)
      TS_CHECK(x.size(d) > 0, "adaptive_avg_pool3d(): Expected input to have non-zero size for non-batch dimensions, but "
               "input has sizes ", tessera::detail::shape_str(x.sizes()), " with dimension ", d, " being empty");
  if constexpr (detail_pool::is_floating<T>) return detail_pool::adaptive_avg(x, output_size, "AdaptiveAvgPool3DBackward0");
  else return x;  // unreached: refused above
}
template <class T>
Tensor<T> adaptive_avg_pool3d(const Tensor<T>& x, int64_t output_size) {
  return adaptive_avg_pool3d(x, std::vector<int64_t>{output_size, output_size, output_size});
}

/** F.adaptive_max_pool3d: the maximum of each adaptive window, its gradient to the first maximum
 *  in (D, H, W) order, as PyTorch's. */
template <class T>
Tensor<T> adaptive_max_pool3d(const Tensor<T>& x, const std::vector<int64_t>& output_size) {
  TS_CHECK(output_size.size() == 3, "adaptive_max_pool3d: output_size must be 3");
  TS_CHECK(x.dim() >= 4, "adaptive_max_pool3d: Input dimension should be at least 4");
  TS_CHECK(x.dim() <= 5, "adaptive_max_pool3d(): Expected 4D or 5D tensor, but got: ", tessera::detail::shape_str(x.sizes()));
  TS_CHECK(detail_pool::is_floating<T>, "\"adaptive_max_pool3d_cpu\" not implemented for '",
           tessera::detail::aten_type_name(dtype_of<T>), "'");
  TS_CHECK(output_size[0] >= 0 && output_size[1] >= 0 && output_size[2] >= 0, "adaptive_max_pool3d: elements of "
           "output_size must be greater than or equal to 0 but received {", output_size[0], ", ", output_size[1], ", ",
           output_size[2], "}");
  for (int64_t d = 1; d < x.dim(); ++d)
    TS_CHECK(x.size(d) > 0, "adaptive_max_pool3d(): Expected input to have non-zero size for non-batch dimensions, but "
             "input has sizes ", tessera::detail::shape_str(x.sizes()), " with dimension ", d, " being empty");
  if (::tessera::detail::needs_grad(x)) return std::get<0>(detail_pool::adaptive_max(x, output_size, "AdaptiveMaxPool3DBackward0"));
  using detail_pool::pool_dim;
  return pool_dim(pool_dim(pool_dim(x, -1, output_size[2], true), -2, output_size[1], true), -3, output_size[0], true);
}
template <class T>
Tensor<T> adaptive_max_pool3d(const Tensor<T>& x, int64_t output_size) {
  return adaptive_max_pool3d(x, std::vector<int64_t>{output_size, output_size, output_size});
}

/** F.adaptive_max_pool2d(..., return_indices=True): the values and, as int64, each maximum's flat
 *  position in its H * W plane (the first maximum, or the last NaN, as PyTorch). */
template <class T>
std::tuple<Tensor<T>, Tensor<int64_t>> adaptive_max_pool2d_with_indices(const Tensor<T>& x,
                                                                        const std::vector<int64_t>& output_size) {
  TS_CHECK(output_size.size() == 2, "adaptive_max_pool2d(): internal error: output_size.size() must be 2");
  TS_CHECK(x.dim() >= 3, "adaptive_max_pool2d: Input dimension should be at least 3");
  TS_CHECK(x.dim() <= 4, "adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: ", tessera::detail::shape_str(x.sizes()));
  detail_pool::check_input(x, output_size, 2, true, "adaptive_max_pool2d");
  return detail_pool::adaptive_max(x, output_size, "AdaptiveMaxPool2DBackward0");
}
template <class T>
std::tuple<Tensor<T>, Tensor<int64_t>> adaptive_max_pool2d_with_indices(const Tensor<T>& x, int64_t output_size) {
  return adaptive_max_pool2d_with_indices(x, std::vector<int64_t>{output_size, output_size});
}

/** F.adaptive_max_pool1d: [N, C, L] or [C, L], the maximum of each adaptive window. */
template <class T>
Tensor<T> adaptive_max_pool1d(const Tensor<T>& x, int64_t output_size) {
  TS_CHECK(x.dim() == 2 || x.dim() == 3, "adaptive_max_pool1d: Expected 2 to 3 dimensions, but got ", x.dim(),
           "-dimensional tensor for argument #1 'self' (while checking arguments for adaptive_max_pool1d)");
  detail_pool::check_input(x, {1, output_size}, 1, true, "adaptive_max_pool2d");
  if (::tessera::detail::needs_grad(x))
    return std::get<0>(detail_pool::adaptive_max(x.unsqueeze(-2), {1, output_size}, "AdaptiveMaxPool2DBackward0")).squeeze(-2);
  return detail_pool::pool_dim(x, -1, output_size, true);
}

/** F.adaptive_max_pool1d(..., return_indices=True): values and each maximum's position along L. */
template <class T>
std::tuple<Tensor<T>, Tensor<int64_t>> adaptive_max_pool1d_with_indices(const Tensor<T>& x, int64_t output_size) {
  TS_CHECK(x.dim() == 2 || x.dim() == 3, "adaptive_max_pool1d: Expected 2 to 3 dimensions, but got ", x.dim(),
           "-dimensional tensor for argument #1 'self' (while checking arguments for adaptive_max_pool1d)");
  detail_pool::check_input(x, {1, output_size}, 1, true, "adaptive_max_pool2d");
  auto [values, indices] = detail_pool::adaptive_max(x.unsqueeze(-2), {1, output_size}, "AdaptiveMaxPool2DBackward0");
  return {values.squeeze(-2), indices.squeeze(-2)};
}

}  // namespace functional

/** Options of MaxPool1d, MaxPool2d and MaxPool3d (an empty stride means the kernel size). */
template <size_t N>
struct MaxPoolOptions {
  ExpandingArray<N> stride = {};
  ExpandingArray<N> padding = 0;
  ExpandingArray<N> dilation = 1;
  bool ceil_mode = false;
};
using MaxPool1dOptions = MaxPoolOptions<1>;
using MaxPool2dOptions = MaxPoolOptions<2>;
using MaxPool3dOptions = MaxPoolOptions<3>;

/** Options of AvgPool1d, AvgPool2d and AvgPool3d (divisor_override: not 1-d, as PyTorch). */
template <size_t N>
struct AvgPoolOptions {
  ExpandingArray<N> stride = {};
  ExpandingArray<N> padding = 0;
  bool ceil_mode = false;
  bool count_include_pad = true;
  std::optional<int64_t> divisor_override = std::nullopt;
};
using AvgPool1dOptions = AvgPoolOptions<1>;
using AvgPool2dOptions = AvgPoolOptions<2>;
using AvgPool3dOptions = AvgPoolOptions<3>;

namespace impl {

/** nn.MaxPool1d, nn.MaxPool2d and nn.MaxPool3d: `MaxPool2d(2)`, `MaxPool2d(3, 2)`, `MaxPool2d({3, 2}, {.stride = 1,
 *  .ceil_mode = true})`; forward_with_indices is PyTorch's return_indices=True. */
template <size_t N, class = void>
class MaxPool : public nn::Module {
 public:
  /** stride 0: the kernel size (PyTorch's stride=None). */
  explicit MaxPool(ExpandingArray<N> kernel_size, int64_t stride = 0, int64_t padding = 0)
      : kernel_size_(std::move(kernel_size)), options_{.stride = stride == 0 ? ExpandingArray<N>{} : stride, .padding = padding} {}
  MaxPool(ExpandingArray<N> kernel_size, MaxPoolOptions<N> options)
      : kernel_size_(std::move(kernel_size)), options_(std::move(options)) {}
  Tensor<float> forward(const Tensor<float>& x) const { return std::get<0>(forward_with_indices(x)); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }
  std::tuple<Tensor<float>, Tensor<int64_t>> forward_with_indices(const Tensor<float>& x) const {
    const MaxPoolOptions<N>& o = options_;
    if constexpr (N == 1)
      return functional::max_pool1d_with_indices(x, kernel_size_, o.stride, o.padding, o.dilation, o.ceil_mode);
    else if constexpr (N == 2)
      return functional::max_pool2d_with_indices(x, kernel_size_, o.stride, o.padding, o.dilation, o.ceil_mode);
    else
      return functional::max_pool3d_with_indices(x, kernel_size_, o.stride, o.padding, o.dilation, o.ceil_mode);
  }

 private:
  ExpandingArray<N> kernel_size_;
  MaxPoolOptions<N> options_;
};

/** nn.AvgPool1d, nn.AvgPool2d and nn.AvgPool3d: `AvgPool2d(2)`, `AvgPool2d(3, 2, 1)`, `AvgPool2d(3, {.stride = 2,
 *  .ceil_mode = true, .count_include_pad = false})`. */
template <size_t N, class = void>
class AvgPool : public nn::Module {
 public:
  /** stride 0: the kernel size (PyTorch's stride=None). */
  explicit AvgPool(ExpandingArray<N> kernel_size, int64_t stride = 0, int64_t padding = 0)
      : kernel_size_(std::move(kernel_size)), options_{.stride = stride == 0 ? ExpandingArray<N>{} : stride, .padding = padding} {}
  AvgPool(ExpandingArray<N> kernel_size, AvgPoolOptions<N> options)
      : kernel_size_(std::move(kernel_size)), options_(std::move(options)) {
    TS_CHECK(N != 1 || !options_.divisor_override, "AvgPool1d: divisor_override is an option of AvgPool2d and AvgPool3d only");
  }
  Tensor<float> forward(const Tensor<float>& x) const {
    const AvgPoolOptions<N>& o = options_;
    if constexpr (N == 1)
      return functional::avg_pool1d(x, kernel_size_, o.stride, o.padding, o.ceil_mode, o.count_include_pad);
    else if constexpr (N == 2)
      return functional::avg_pool2d(x, kernel_size_, o.stride, o.padding, o.ceil_mode, o.count_include_pad,
                                    o.divisor_override);
    else
      return functional::avg_pool3d(x, kernel_size_, o.stride, o.padding, o.ceil_mode, o.count_include_pad,
                                    o.divisor_override);
  }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  ExpandingArray<N> kernel_size_;
  AvgPoolOptions<N> options_;
};

/** nn.MaxUnpool2d: `MaxUnpool2d(2)`, forward(x, indices, output_size = {}). */
template <class = void>
class MaxUnpool2d : public nn::Module {
 public:
  explicit MaxUnpool2d(ExpandingArray<2> kernel_size, ExpandingArray<2> stride = {}, ExpandingArray<2> padding = 0)
      : kernel_size_(std::move(kernel_size)), stride_(std::move(stride)), padding_(std::move(padding)) {}
  Tensor<float> forward(const Tensor<float>& x, const Tensor<int64_t>& indices, std::vector<int64_t> output_size = {}) const {
    return functional::max_unpool2d(x, indices, kernel_size_, stride_, padding_, std::move(output_size));
  }
  Tensor<float> operator()(const Tensor<float>& x, const Tensor<int64_t>& indices, std::vector<int64_t> output_size = {}) const {
    return this->call_forward(*this, x, indices, std::move(output_size));
  }

 private:
  ExpandingArray<2> kernel_size_, stride_, padding_;
};

/** nn.MaxUnpool1d: `MaxUnpool1d(2)`, forward(x, indices, output_size = {}). */
template <class = void>
class MaxUnpool1d : public nn::Module {
 public:
  explicit MaxUnpool1d(ExpandingArray<1> kernel_size, ExpandingArray<1> stride = {}, ExpandingArray<1> padding = 0)
      : kernel_size_(std::move(kernel_size)), stride_(std::move(stride)), padding_(std::move(padding)) {}
  Tensor<float> forward(const Tensor<float>& x, const Tensor<int64_t>& indices, std::vector<int64_t> output_size = {}) const {
    return functional::max_unpool1d(x, indices, kernel_size_, stride_, padding_, std::move(output_size));
  }
  Tensor<float> operator()(const Tensor<float>& x, const Tensor<int64_t>& indices, std::vector<int64_t> output_size = {}) const {
    return this->call_forward(*this, x, indices, std::move(output_size));
  }

 private:
  ExpandingArray<1> kernel_size_, stride_, padding_;
};

/** nn.LPPool1d and nn.LPPool2d: `LPPool2d(2, 3)` (norm_type, kernel_size), `LPPool2d(1.5, {3, 2}, 2)`,
 *  `LPPool1d(2, 3, 2, true)` (stride, ceil_mode as PyTorch's); no stride: the kernel size. */
template <size_t N, class = void>
class LPPool : public nn::Module {
 public:
  LPPool(double norm_type, ExpandingArray<N> kernel_size, ExpandingArray<N> stride = {}, bool ceil_mode = false)
      : norm_type_(norm_type), kernel_size_(std::move(kernel_size)), stride_(std::move(stride)), ceil_mode_(ceil_mode) {}
  Tensor<float> forward(const Tensor<float>& x) const {
    if constexpr (N == 1) return functional::lp_pool1d(x, norm_type_, kernel_size_[0], stride_, ceil_mode_);
    else return functional::lp_pool2d(x, norm_type_, kernel_size_, stride_, ceil_mode_);
  }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  double norm_type_;
  ExpandingArray<N> kernel_size_, stride_;
  bool ceil_mode_;
};

/** nn.AdaptiveAvgPool1d/2d/3d and nn.AdaptiveMaxPool1d/2d/3d (return_indices: 1-d and 2-d). */
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
    else if constexpr (Dims == 2)
      return Max ? functional::adaptive_max_pool2d(x, output_size_) : functional::adaptive_avg_pool2d(x, output_size_);
    else
      return Max ? functional::adaptive_max_pool3d(x, output_size_) : functional::adaptive_avg_pool3d(x, output_size_);
  }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }
  /** PyTorch's return_indices=True (max pools only). */
  std::tuple<Tensor<float>, Tensor<int64_t>> forward_with_indices(const Tensor<float>& x) const
    requires(Max && Dims < 3)
  {
    if constexpr (Dims == 1) return functional::adaptive_max_pool1d_with_indices(x, output_size_[0]);
    else return functional::adaptive_max_pool2d_with_indices(x, output_size_);
  }

 private:
  std::vector<int64_t> output_size_;
};

}  // namespace impl

using MaxPool1d = impl::MaxPool<1>;
using MaxPool2d = impl::MaxPool<2>;
using AvgPool1d = impl::AvgPool<1>;
using AvgPool2d = impl::AvgPool<2>;
using MaxPool3d = impl::MaxPool<3>;
using AvgPool3d = impl::AvgPool<3>;
using MaxUnpool1d = impl::MaxUnpool1d<>;
using MaxUnpool2d = impl::MaxUnpool2d<>;
using LPPool1d = impl::LPPool<1>;
using LPPool2d = impl::LPPool<2>;
using AdaptiveAvgPool1d = impl::AdaptivePool<1, false>;
using AdaptiveAvgPool2d = impl::AdaptivePool<2, false>;
using AdaptiveMaxPool1d = impl::AdaptivePool<1, true>;
using AdaptiveMaxPool2d = impl::AdaptivePool<2, true>;
using AdaptiveAvgPool3d = impl::AdaptivePool<3, false>;
using AdaptiveMaxPool3d = impl::AdaptivePool<3, true>;

}  // namespace tessera::nn
