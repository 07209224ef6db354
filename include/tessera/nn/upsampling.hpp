#pragma once
// Upsampling: nn::functional::interpolate (modes "nearest", "nearest-exact", "linear", "bilinear",
// "bicubic", "trilinear")
// and the layers Upsample, UpsamplingNearest2d and UpsamplingBilinear2d.

#include "../core/algorithm.hpp"
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "../ops/creation.hpp"
#include "../ops/indexing.hpp"
#include "module.hpp"
#include "taps.hpp"

namespace tessera::nn {

// Note [Interpolation by composition]
// interpolate resizes one spatial dim at a time, the last first, by index_select: nearest modes
// pick one source position per output position, linear modes two, weighted by lambda0 = 1 -
// lambda1 and lambda1, with ops that run on every device (a float or double CPU tensor runs the
// same arithmetic in one kernel per dim, backend/cpu/resize.hpp). It records PyTorch's node
// (UpsampleBilinear2DBackward1, ...), whose derivative adds each tap's weighted gradient back at
// its source positions (index_add), one dim at a time, the first first. The source positions
// follow PyTorch 1.13's kernels, in their arithmetic: "nearest" takes floor(dst * scale) in float
// (with the shortcuts of equal and doubled sizes), "nearest-exact" floor((dst + 0.5) * scale), the
// linear modes (dst + 0.5) * scale - 0.5 clamped at 0, or dst * scale with align_corners, in float
// for float inputs and double for double. scale is 1 / the caller's scale_factor when one is given
// (and recompute_scale_factor is not set), else input size / output size, or (in - 1) / (out - 1)
// with align_corners. "bicubic" takes PyTorch's four taps around the same position (not clamped
// at 0), clamped to the image, weighted by its cubic convolution (A = -0.75) and summed in its
// order; resizing W, then H, is the same arithmetic as PyTorch's rows, then their column. A dim
// whose size does not change is copied as it is.

/** F.interpolate's and nn.Upsample's options: `size` or `scale_factor` (one value for every spatial
 *  dim, or one each), mode "nearest", "nearest-exact", "linear" (3-D input), "bilinear" or
 *  "bicubic" (4-D), "trilinear" (5-D), align_corners (interpolating modes only; false when unset) and
 *  recompute_scale_factor. */
struct InterpolateOptions {
  std::vector<int64_t> size = {};
  std::vector<double> scale_factor = {};
  std::string mode = "nearest";
  std::optional<bool> align_corners = std::nullopt;
  std::optional<bool> recompute_scale_factor = std::nullopt;
};
using UpsampleOptions = InterpolateOptions;

namespace functional {
namespace detail_upsample {

/** A double as Python's repr prints it (the shortest digits that read back, "2.0" for 2). */
template <class = void>
std::string python_float(double v) {
  char buffer[32];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, v);
    if (std::strtod(buffer, nullptr) == v) break;
  }
  std::string out = buffer;
  if (out.find_first_of(".ein") == std::string::npos) out += ".0";
  return out;
}

template <class V>
std::string python_tuple(const std::vector<V>& values) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    if constexpr (std::is_floating_point_v<V>) out += python_float(values[i]);
    else out += std::to_string(values[i]);
  }
  return out + (values.size() == 1 ? ",)" : ")");
}

/** One resized dim: the source positions and, for linear modes, their weights. */
struct Plan1d {
  std::vector<int64_t> index0, index1;
  std::vector<double> lambda0, lambda1;
};

/** PyTorch's compute_scales_value. */
template <class S>
S scales_value(std::optional<double> scale, int64_t in, int64_t out) {
  return scale && *scale > 0 ? static_cast<S>(1.0 / *scale) : static_cast<S>(in) / static_cast<S>(out);
}

// Note [Nearest shortcuts]
// PyTorch 1.13's "nearest" takes output position o from floor(o * scale), scale = 1 / scale_factor
// when one is given, except in its channels-last kernels (a 4-D or 5-D input whose strides are those
// of channels last: any contiguous input with one channel), which copy when out == in and take
// o / 2 when out == 2 in, whatever the scale factor. With a scale factor such as 1.2 on 3 pixels
// the two kernels pick other pixels; tessera picks the ones PyTorch's kernel for the input would.

/** PyTorch's is_contiguous(at::MemoryFormat::ChannelsLast) of a 4-D tensor, or ChannelsLast3d of a
 *  5-D one (sizes of 1 ignored). */
template <class T>
bool channels_last_contiguous(const Tensor<T>& x) {
  if (x.dim() != 4 && x.dim() != 5) return false;
  int64_t expected = 1;
  const std::vector<int64_t> order = x.dim() == 4 ? std::vector<int64_t>{1, 3, 2, 0} : std::vector<int64_t>{1, 4, 3, 2, 0};
  for (const int64_t d : order) {
    if (x.size(d) == 1) continue;
    if (x.stride(d) != expected) return false;
    expected *= x.size(d);
  }
  return true;
}

/** Source positions of the nearest modes (Note [Interpolation by composition], Note [Nearest
 *  shortcuts]). */
template <class = void>
std::vector<int64_t> nearest_indices(int64_t in, int64_t out, std::optional<double> scale, bool exact, bool shortcuts) {
  std::vector<int64_t> index;
  const float s = scales_value<float>(scale, in, out);
  for (int64_t o = 0; o < out; ++o) {
    if (shortcuts && !exact && out == in) index.push_back(o);
    else if (shortcuts && !exact && out == 2 * in) index.push_back(o >> 1);
    else if (exact) index.push_back(std::min(static_cast<int64_t>(std::floor(static_cast<float>((static_cast<double>(o) + 0.5) * s))), in - 1));
    else index.push_back(std::min(static_cast<int64_t>(std::floor(static_cast<float>(o) * s)), in - 1));
  }
  return index;
}

/** Source positions and weights of the linear modes, in the arithmetic type S (float or double). */
template <class S>
Plan1d linear_plan(int64_t in, int64_t out, std::optional<double> scale, bool align_corners) {
  Plan1d p;
  S ratio;
  if (align_corners) ratio = out > 1 ? static_cast<S>(in - 1) / static_cast<S>(out - 1) : S(0);
  else ratio = scales_value<S>(scale, in, out);
  for (int64_t o = 0; o < out; ++o) {
    if (out == in) {
      p.index0.push_back(o), p.index1.push_back(o), p.lambda0.push_back(1), p.lambda1.push_back(0);
      continue;
    }
    S real = align_corners ? ratio * static_cast<S>(o) : ratio * (static_cast<S>(o) + S(0.5)) - S(0.5);
    if (!align_corners && real < 0) real = 0;
    const auto i0 = static_cast<int64_t>(real);
    const S l1 = std::min(std::max(real - static_cast<S>(i0), S(0)), S(1));
    p.index0.push_back(i0), p.index1.push_back(i0 + (i0 < in - 1 ? 1 : 0));
    p.lambda0.push_back(static_cast<double>(S(1) - l1)), p.lambda1.push_back(static_cast<double>(l1));
  }
  return p;
}

/** PyTorch's cubic convolution weights (A = -0.75) of the four taps around a point t past the
 *  second, t in [0, 1), in its order of operations: t a scalar of type S, or a Tensor<S>. The last
 *  tap's distance is (1 - t) + 1 in interpolate's kernel and 2 - t in grid_sample's (`two_minus`):
 *  the two round differently. */
template <class S, class V>
std::array<V, 4> cubic_weights(const V& t, bool two_minus = false) {
  constexpr S A = S(-0.75);
  const auto inside = [&](const V& x) { return ((x * (A + S(2)) - (A + S(3))) * x) * x + S(1); };  // |x| <= 1
  const auto outside = [&](const V& x) { return ((x * A - S(5) * A) * x + S(8) * A) * x - S(4) * A; };  // 1 < |x| < 2
  const V u = S(1) - t;
  return {outside(t + S(1)), inside(t), inside(u), outside(two_minus ? V(S(2) - t) : V(u + S(1)))};
}

/** Source positions (clamped to the input) and weights of "bicubic": PyTorch's cubic convolution
 *  (A = -0.75) over the 4 pixels around (o + 0.5) scale - 0.5, or o scale with align_corners. */
template <class S>
std::array<Plan1d, 2> cubic_plan(int64_t in, int64_t out, std::optional<double> scale, bool align_corners) {
  std::array<Plan1d, 2> p;  // taps 0, 1 in p[0], taps 2, 3 in p[1]
  S ratio;
  if (align_corners) ratio = out > 1 ? static_cast<S>(in - 1) / static_cast<S>(out - 1) : S(0);
  else ratio = scales_value<S>(scale, in, out);
  for (int64_t o = 0; o < out; ++o) {
    const S real = align_corners ? ratio * static_cast<S>(o) : ratio * (static_cast<S>(o) + S(0.5)) - S(0.5);
    const S floor = std::floor(real);
    const auto i = static_cast<int64_t>(floor);
    const std::array<S, 4> weight = cubic_weights<S>(real - floor);
    const auto at = [&](int64_t k) { return std::min(std::max(i + k, int64_t{0}), in - 1); };
    p[0].index0.push_back(at(-1)), p[0].index1.push_back(at(0)), p[1].index0.push_back(at(1)), p[1].index1.push_back(at(2));
    p[0].lambda0.push_back(static_cast<double>(weight[0])), p[0].lambda1.push_back(static_cast<double>(weight[1]));
    p[1].lambda0.push_back(static_cast<double>(weight[2])), p[1].lambda1.push_back(static_cast<double>(weight[3]));
  }
  return p;
}

/** A dim of `in` resized to `out` as taps, summed in order; none where the dim is copied as it is
 *  (Note [Interpolation by composition]). */
template <class T>
std::vector<detail_taps::Tap> resize_taps(int64_t in, int64_t out, std::optional<double> scale, const std::string& mode,
                             bool align_corners, bool nearest_shortcuts) {
  if (mode == "nearest" || mode == "nearest-exact") {
    if (out == in && mode == "nearest" && (nearest_shortcuts || !scale || *scale == 1.0)) return {};
    return {{nearest_indices(in, out, scale, mode == "nearest-exact", nearest_shortcuts), {}}};
  }
  // linear modes copy a dim of unchanged size; bicubic does only without a scale other than 1
  if (out == in && (mode != "bicubic" || !scale || *scale == 1.0)) return {};
  using S = std::conditional_t<std::is_same_v<T, double>, double, float>;
  if (mode != "bicubic") {
    Plan1d p = linear_plan<S>(in, out, scale, align_corners);
    return {{std::move(p.index0), std::move(p.lambda0)}, {std::move(p.index1), std::move(p.lambda1)}};
  }
  // the four taps summed in PyTorch's order: ((x0 w0 + x1 w1) + x2 w2) + x3 w3
  std::array<Plan1d, 2> p = cubic_plan<S>(in, out, scale, align_corners);
  return {{std::move(p[0].index0), std::move(p[0].lambda0)}, {std::move(p[0].index1), std::move(p[0].lambda1)},
          {std::move(p[1].index0), std::move(p[1].lambda0)}, {std::move(p[1].index1), std::move(p[1].lambda1)}};
}

/** PyTorch's node of an upsampling: UpsampleBilinear2DBackward1 and the others. */
template <class = void>
const char* upsample_node(const std::string& mode, int64_t dims) {
  static constexpr const char* nearest[3] = {"UpsampleNearest1DBackward1", "UpsampleNearest2DBackward1",
                                             "UpsampleNearest3DBackward1"};
  static constexpr const char* exact[3] = {"UpsampleNearestExact1DBackward1", "UpsampleNearestExact2DBackward1",
                                           "UpsampleNearestExact3DBackward1"};
  if (mode == "nearest") return nearest[dims - 1];
  if (mode == "nearest-exact") return exact[dims - 1];
  if (mode == "linear") return "UpsampleLinear1DBackward1";
  if (mode == "bilinear") return "UpsampleBilinear2DBackward1";
  if (mode == "bicubic") return "UpsampleBicubic2DBackward1";
  return "UpsampleTrilinear3DBackward1";
}

}  // namespace detail_upsample

/** F.interpolate of [N, C, L] ("nearest", "nearest-exact", "linear"), [N, C, H, W] ("nearest",
 *  "nearest-exact", "bilinear", "bicubic") or [N, C, D, H, W] ("nearest", "nearest-exact",
 *  "trilinear") to `size` or by `scale_factor`, as PyTorch 1.13
 *  (Note [Interpolation by composition]). */
template <class T>
Tensor<T> interpolate(const Tensor<T>& x, const InterpolateOptions& o) {
  static_assert(is_floating_v<T>, "interpolate: the input must be floating");
  using detail_upsample::python_tuple;
  TS_CHECK(!(o.mode == "nearest" || o.mode == "area" || o.mode == "nearest-exact") || !o.align_corners,
           "interpolate: align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | "
           "trilinear");
  const int64_t dims = x.dim() - 2;
  const size_t n = static_cast<size_t>(std::max<int64_t>(dims, 0));
  std::string spatial = "[";
  for (int64_t d = 2; d < x.dim(); ++d) spatial += (d > 2 ? ", " : "") + std::to_string(x.size(d));
  spatial += "]";
  TS_CHECK(o.size.empty() || o.scale_factor.empty(), "interpolate: only one of size or scale_factor should be defined");
  std::vector<int64_t> size;
  std::vector<std::optional<double>> scales(n);
  if (!o.size.empty()) {
    TS_CHECK(o.size.size() == 1 || o.size.size() == n, "interpolate: Input and output must have the same number of spatial "
             "dimensions, but got input with spatial dimensions of ", spatial, " and output size of ", python_tuple(o.size),
             ". Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.");
    for (size_t d = 0; d < n; ++d) size.push_back(o.size.size() == 1 ? o.size[0] : o.size[d]);
  } else {
    TS_CHECK(!o.scale_factor.empty(), "interpolate: either size or scale_factor should be defined");
    TS_CHECK(o.scale_factor.size() == 1 || o.scale_factor.size() == n, "interpolate: Input and scale_factor must have the "
             "same number of spatial dimensions, but got input with spatial dimensions of ", spatial,
             " and scale_factor of shape ", python_tuple(o.scale_factor), ". Please provide input tensor in (N, C, d1, d2, "
             "...,dK) format and scale_factor in (s1, s2, ...,sK) format.");
    for (size_t d = 0; d < n; ++d) {
      const double s = o.scale_factor.size() == 1 ? o.scale_factor[0] : o.scale_factor[d];
      size.push_back(static_cast<int64_t>(std::floor(static_cast<double>(x.size(static_cast<int64_t>(d) + 2)) * s)));
      if (!o.recompute_scale_factor.value_or(false)) scales[d] = s;
    }
  }
  TS_CHECK(!o.recompute_scale_factor.value_or(false) || o.size.empty(),
           "interpolate: recompute_scale_factor is not meaningful with an explicit size.");
  const bool linear = o.mode == "linear" || o.mode == "bilinear" || o.mode == "bicubic" || o.mode == "trilinear";
  const bool nearest = o.mode == "nearest" || o.mode == "nearest-exact";
  const auto needs = [&](const char* mode, int64_t want) {
    TS_CHECK(o.mode != mode || x.dim() == want, "interpolate: Got ", x.dim(), "D input, but ", mode, " mode needs ", want,
             "D input");
  };
  if (x.dim() >= 3 && x.dim() <= 5) needs("linear", 3), needs("bilinear", 4), needs("trilinear", 5);
  TS_CHECK((x.dim() >= 3 && x.dim() <= 5) && (nearest || linear || o.mode == "area") && (o.mode != "bicubic" || x.dim() == 4),
           "interpolate: Input Error: Only 3D, 4D and 5D input Tensors supported (got ", x.dim(), "D) for the modes: "
           "nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ", o.mode, ")");
  TS_CHECK(nearest || o.mode == "linear" || o.mode == "bilinear" || o.mode == "bicubic" || o.mode == "trilinear",
           "interpolate: mode '", o.mode,
           "' with ", x.dim(), "D input is not supported");
  bool positive = true;
  for (size_t d = 0; d < n; ++d) positive = positive && x.size(static_cast<int64_t>(d) + 2) > 0 && size[d] > 0;
  if (n == 1)
    TS_CHECK(positive, "interpolate: Input and output sizes should be greater than 0, but got input (W: ", x.size(2),
             ") and output (W: ", size[0], ")");
  else if (n == 2)
    TS_CHECK(positive, "interpolate: Input and output sizes should be greater than 0, but got input (H: ", x.size(2),
             ", W: ", x.size(3), ") output (H: ", size[0], ", W: ", size[1], ")");
  else
    TS_CHECK(positive, "interpolate: Input and output sizes should be greater than 0, but got input (D: ", x.size(2),
             ", H: ", x.size(3), ", W: ", x.size(4), ") output (D: ", size[0], ", H: ", size[1], ", W: ", size[2], ")");
  const bool nearest_shortcuts = detail_upsample::channels_last_contiguous(x);  // Note [Nearest shortcuts]
  std::vector<std::vector<detail_taps::Tap>> taps(n);
  for (size_t d = 0; d < n; ++d)
    taps[d] = detail_upsample::resize_taps<T>(x.size(static_cast<int64_t>(d) + 2), size[d], scales[d], o.mode,
                                              o.align_corners.value_or(false), nearest_shortcuts);
  Tensor<T> out = x;
  {
    NoGradGuard no_grad;  // the derivative is PyTorch's upsampling node's
    for (int64_t d = dims - 1; d >= 0; --d) out = detail_taps::gather_taps(out, d + 2, taps[static_cast<size_t>(d)]);
    if (out.impl_ptr() == x.impl_ptr()) out = x.clone();  // a new tensor, as PyTorch's, where no dim changes
  }
  if (tessera::detail::needs_grad(x)) {  // the adjoint of the gathers, the first dim first
    const auto formula = [taps, sizes = x.sizes()](const Tensor<T>& g, const Tensor<int64_t>&) {
      Tensor<T> grad = g;
      for (size_t d = 0; d < taps.size(); ++d)
        grad = detail_taps::scatter_taps(grad, static_cast<int64_t>(d) + 2, sizes[d + 2], taps[d]);
      return grad;
    };
    tessera::detail::record<tessera::detail::FormulaBackward<T, decltype(formula)>>(
        {x}, {out}, detail_upsample::upsample_node(o.mode, dims), formula);
  }
  return out;
}

}  // namespace functional

/** nn.UpsamplingNearest2d's and nn.UpsamplingBilinear2d's options: size or scale_factor. */
struct UpsamplingOptions {
  std::vector<int64_t> size = {};
  std::vector<double> scale_factor = {};
};

namespace impl {

/** nn.Upsample: F.interpolate with fixed options, e.g. `Upsample({.scale_factor = {2}, .mode = "bilinear"})`. */
template <class = void>
class Upsample : public nn::Module {
 public:
  explicit Upsample(UpsampleOptions options) : options_(std::move(options)) {}
  Tensor<float> forward(const Tensor<float>& x) const { return functional::interpolate(x, options_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  UpsampleOptions options_;
};

/** nn.UpsamplingNearest2d: Upsample with mode "nearest". */
template <class = void>
class UpsamplingNearest2d : public Upsample<> {
 public:
  explicit UpsamplingNearest2d(UpsamplingOptions o) : Upsample<>({.size = o.size, .scale_factor = o.scale_factor}) {}
};

/** nn.UpsamplingBilinear2d: Upsample with mode "bilinear" and align_corners. */
template <class = void>
class UpsamplingBilinear2d : public Upsample<> {
 public:
  explicit UpsamplingBilinear2d(UpsamplingOptions o)
      : Upsample<>({.size = o.size, .scale_factor = o.scale_factor, .mode = "bilinear", .align_corners = true}) {}
};

}  // namespace impl

using Upsample = impl::Upsample<>;
using UpsamplingNearest2d = impl::UpsamplingNearest2d<>;
using UpsamplingBilinear2d = impl::UpsamplingBilinear2d<>;

}  // namespace tessera::nn
