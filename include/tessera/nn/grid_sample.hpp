#pragma once
// Spatial transformers: nn::functional::affine_grid (the sampling grid of a batch of 2-D or 3-D
// affine maps) and grid_sample (an image or a volume read at the grid's points).

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "../ops/creation.hpp"
#include "../ops/elementwise.hpp"
#include "../ops/indexing.hpp"
#include "../ops/join.hpp"
#include "../ops/linalg.hpp"
#include "../ops/pointwise.hpp"
#include "module.hpp"
#include "upsampling.hpp"

namespace tessera::nn::functional {

// Note [Grid sampling by composition]
// grid_sample maps each grid point (x, y), or (x, y, z) in a volume, in [-1, 1] to the input's
// pixel coordinates (the corners' centres with align_corners, else the corners' outer edges),
// applies the padding mode (zeros: points outside read 0; border: coordinates clamped to the
// image; reflection: reflected at the edges, then clamped), and reads the image there: the four
// neighbours (eight in a volume) weighted by their distances (bilinear), the nearest pixel (ties to even, as PyTorch's nearbyint), or the 4 x 4
// pixels around the unpadded point, each read where the padding mode puts it, weighted by
// PyTorch's cubic convolution (bicubic). Each step is an op with its derivative, so the input's
// and the grid's gradients are PyTorch's (the grid's is zero for "nearest"), on every device. A
// point outside the image reads 0 (its index is never formed); a coordinate that is not finite
// gives NaN (bilinear, bicubic: its weights are NaN, as PyTorch's CPU kernel) or 0 (nearest) in
// an image; in a volume it is read as PyTorch's 3-D kernel reads it (volume_coordinate).

namespace detail_grid {

/** A 1-D coordinate of the grid (in [-1, 1]) as a pixel coordinate of a dim of `size`. */
template <class T>
Tensor<T> unnormalize(const Tensor<T>& coord, int64_t size, bool align_corners) {
  const T n = static_cast<T>(size);
  return align_corners ? (coord + T(1)) / T(2) * (n - T(1)) : ((coord + T(1)) * n - T(1)) / T(2);
}

/** A pixel coordinate under the padding mode: as it is (zeros), clamped to the image (border), or
 *  reflected at its edges (the corners' centres, or their outer edges), then clamped. */
template <class T>
Tensor<T> pad_coordinate(Tensor<T> c, int64_t size, const std::string& padding_mode, bool align_corners) {
  if (padding_mode == "reflection") {
    const T low = align_corners ? T(0) : T(-0.5), span = align_corners ? static_cast<T>(size - 1) : static_cast<T>(size);
    if (span == T(0)) {
      c = zeros_like(c);  // 0 whatever c is, and no gradient, as PyTorch's kernels
    } else {
      const Tensor<T> a = (c - low).abs();
      const Tensor<T> extra = a.fmod(span);
      const Tensor<bool> even = (a / span).floor().fmod(T(2)) == T(0);
      c = where(even, extra + low, span - extra + low);
    }
  }
  if (padding_mode == "zeros") return c;
  // clamped, with no gradient at the borders themselves either (PyTorch's clip_coordinates_set_grad)
  const T last = static_cast<T>(size - 1);
  return where((c <= T(0)) | (c >= last), c.detach().clamp(0.0, static_cast<double>(size - 1)), c);
}

/** input [N, C, (D,) H, W] at integer pixels xyz = (x, y(, z)), each [N, points...] (as T), 0
 *  outside: [N, C, points...]. */
template <class T>
Tensor<T> read(const Tensor<T>& input, const std::vector<Tensor<T>>& xyz) {
  const int64_t n = input.size(0), c = input.size(1), dims = static_cast<int64_t>(xyz.size());
  Tensor<bool> inside;
  for (int64_t i = 0; i < dims; ++i) {
    const Tensor<T>& p = xyz[static_cast<size_t>(i)];
    const Tensor<bool> in_dim = (p >= T(0)) & (p < static_cast<T>(input.size(-1 - i)));
    inside = i == 0 ? in_dim : inside & in_dim;
  }
  // the flat index in int64 (T may not hold the image's size exactly); points outside read pixel 0, then 0
  Tensor<int64_t> at;
  for (int64_t i = dims - 1; i >= 0; --i) {
    const Tensor<int64_t> p = where(inside, xyz[static_cast<size_t>(i)], T(0)).template to<int64_t>();
    at = i == dims - 1 ? p : at * input.size(-1 - i) + p;
  }
  int64_t points = 1, pixels = 1;
  Shape out_shape{n, c};
  for (int64_t d = 1; d < xyz[0].dim(); ++d) points *= xyz[0].size(d), out_shape.push_back(xyz[0].size(d));
  for (int64_t d = 2; d < input.dim(); ++d) pixels *= input.size(d);
  const Tensor<T> values =
      input.reshape({n, c, pixels}).gather(2, at.reshape({n, 1, points}).expand({n, c, points})).view(out_shape);
  return where(inside.unsqueeze(1), values, T(0));
}

/** A padded coordinate of a volume as PyTorch's 3-D kernel, which is scalar code, leaves it: NaN
 *  clipped to the last pixel (border, reflection), then -100 (outside) for anything not finite
 *  or beyond int's range. The 2-D kernel's vector code keeps NaN (Note [Grid sampling by
 *  composition]). The input's gradient follows the value read; PyTorch's 3-D backward, which
 *  does not clip a NaN, gives the pixel read for it none. */
template <class T>
Tensor<T> volume_coordinate(Tensor<T> c, int64_t size, const std::string& padding_mode) {
  if (padding_mode != "zeros") c = where(c.isnan(), full_like(c, static_cast<double>(size - 1)), c);
  const Tensor<bool> usable = c.isfinite() & (c <= T(2147483646.0)) & (c >= T(-2147483648.0));
  return where(usable, c, full_like(c, -100.0));
}

}  // namespace detail_grid

/** The sampling grid [N, H, W, 2] of the affine maps theta [N, 2, 3] for an output of size
 *  {N, C, H, W}, or [N, D, H, W, 3] of theta [N, 3, 4] for {N, C, D, H, W}: theta applied to each
 *  output pixel's normalised (x, y(, z), 1), as torch.nn.functional.affine_grid (its gradient
 *  reaches theta). */
template <class T>
Tensor<T> affine_grid(const Tensor<T>& theta, const std::vector<int64_t>& size, bool align_corners = false) {
  static_assert(is_floating_v<T>, "affine_grid: Expected theta to have floating point type");
  std::string sizes;
  for (size_t i = 0; i < size.size(); ++i) sizes += (i ? ", " : "") + std::to_string(size[i]);
  TS_CHECK(size.size() == 4 || size.size() == 5, "affine_grid: affine_grid only supports 4D and 5D sizes, for 2D and "
           "3D affine transforms, respectively. Got size (", sizes, ").");
  const int64_t dims = static_cast<int64_t>(size.size()) - 2;
  TS_CHECK(theta.dim() == 3 && theta.size(1) == dims && theta.size(2) == dims + 1, "affine_grid: Expected a batch of ",
           dims, "D affine matrices of shape Nx", dims, "x", dims + 1, " for size (", sizes, "). Got ",
           ::tessera::detail::shape_str(theta.sizes()), ".");
  // PyTorch skips this check when align_corners meets a spatial size of 1 (it warns instead)
  const bool size_one = align_corners && *std::min_element(size.begin() + 2, size.end()) == 1;
  for (const int64_t s : size)
    TS_CHECK(size_one || s > 0, "affine_grid: Expected non-zero, positive output size. Got (", sizes, ")");
  TS_CHECK(theta.size(0) == size[0], "affine_grid: theta holds ", theta.size(0), " maps for a batch of ", size[0]);
  // PyTorch's linspace_from_neg_one: -1 to 1, scaled by (steps - 1) / steps without align_corners
  const auto steps = [&](int64_t k) {
    if (k <= 1) return zeros<T>({k}, {.device = theta.device()});
    const Tensor<T> range = linspace<T>(-1, 1, k, {.device = theta.device()});
    return align_corners ? range : range * static_cast<T>(k - 1) / static_cast<T>(k);
  };
  // the output's spatial shape, and each coordinate (x along the last dim, then y, z) spread over it
  const Shape spatial(std::vector<int64_t>(size.begin() + 2, size.end()));
  std::vector<Tensor<T>> base;
  for (int64_t i = 0; i < dims; ++i) {
    Shape along = Shape::filled(static_cast<size_t>(dims), 1);
    along[static_cast<size_t>(dims - 1 - i)] = size[static_cast<size_t>(size.size()) - 1 - static_cast<size_t>(i)];
    base.push_back(steps(along[static_cast<size_t>(dims - 1 - i)]).view(along).expand(spatial));
  }
  base.push_back(ones<T>(spatial, {.device = theta.device()}));
  const int64_t n = size[0], points = ::tessera::detail::checked_numel(spatial, "affine_grid");
  Shape out_shape{n};
  for (const int64_t s : spatial) out_shape.push_back(s);
  out_shape.push_back(dims);
  return stack(base, -1).view({1, points, dims + 1}).expand({n, points, dims + 1}).bmm(theta.transpose(1, 2)).view(out_shape);
}

/** input [N, C, H, W] read at grid [N, Ho, Wo, 2] ((x, y) in [-1, 1]): [N, C, Ho, Wo], or input
 *  [N, C, D, H, W] at grid [N, Do, Ho, Wo, 3] ((x, y, z)): [N, C, Do, Ho, Wo], as
 *  torch.nn.functional.grid_sample with mode "bilinear" (trilinear for 5-D), "nearest" or "bicubic"
 *  (4-D) and padding_mode "zeros", "border" or "reflection" (Note [Grid sampling by composition]). */
template <class T>
Tensor<T> grid_sample(const Tensor<T>& input, const Tensor<T>& grid, const std::string& mode = "bilinear",
                      const std::string& padding_mode = "zeros", bool align_corners = false) {
  static_assert(is_floating_v<T>, "grid_sample: the input must be floating");
  TS_CHECK(mode == "bilinear" || mode == "nearest" || mode == "bicubic", "grid_sample: nn.functional.grid_sample(): "
           "expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '", mode, "'");
  TS_CHECK(padding_mode == "zeros" || padding_mode == "border" || padding_mode == "reflection", "grid_sample: "
           "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: '",
           padding_mode, "'");
  TS_CHECK(input.device() == grid.device(), "grid_sample: grid_sampler(): expected input and grid to be on same "
           "device, but input is on ", input.device(), " and grid is on ", grid.device());
  // PyTorch's checks, in its order
  const auto sizes = [](const Tensor<T>& t) { return ::tessera::detail::shape_str(t.sizes()); };
  TS_CHECK(input.dim() >= 1 && grid.dim() >= 1, "grid_sample: expected an input [N, C, H, W] and a grid [N, H, W, 2], "
           "got sizes ", sizes(input), " and ", sizes(grid));
  TS_CHECK(input.size(0) == grid.size(0), "grid_sample: grid_sampler(): expected grid and input to have same batch "
           "size, but got input with sizes ", sizes(input), " and grid with sizes ", sizes(grid));
  TS_CHECK(grid.size(-1) == input.dim() - 2, "grid_sample: grid_sampler(): expected grid to have size ",
           input.dim() - 2, " in last dimension, but got grid with sizes ", sizes(grid));
  for (int64_t d = 2; d < input.dim(); ++d)
    TS_CHECK(input.size(d) > 0, "grid_sample: grid_sampler(): expected input to have non-empty spatial dimensions, "
             "but input has sizes ", sizes(input), " with dimension ", d, " being empty");
  const int64_t dims = input.dim() == 4 ? 2 : 3;
  TS_CHECK(input.dim() == dims + 2 && grid.dim() == dims + 2, "grid_sample: grid_sampler(): expected ", dims + 2,
           "D input and grid with same number of dimensions, but got input with sizes ", sizes(input),
           " and grid with sizes ", sizes(grid));
  TS_CHECK(dims == 2 || mode != "bicubic", "grid_sample: grid_sampler(): bicubic interpolation only supports 4D input");
  if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) {
    const char* type = std::is_same_v<T, half> ? "Half" : "BFloat16";
    if (dims == 2) ::tessera::detail::throw_error("grid_sampler_2d_cpu not implemented for ", type);
    ::tessera::detail::throw_error("\"grid_sampler3d_cpu\" not implemented for '", type, "'");
  }
  // per coordinate (x, y(, z)): the pixel coordinate before padding, and its dim's size
  std::vector<Tensor<T>> raw;
  std::vector<int64_t> extent;
  for (int64_t i = 0; i < dims; ++i) {
    extent.push_back(input.size(-1 - i));
    raw.push_back(detail_grid::unnormalize(grid.select(-1, i), extent.back(), align_corners));
  }
  const auto read = [&](const std::vector<Tensor<T>>& xyz) { return detail_grid::read(input, xyz); };
  if (mode == "bicubic") {
    // 4 x 4 taps around the unpadded point, each read where the padding mode puts it; the rows
    // weighted along x, then their sums along y, in PyTorch's order
    const Tensor<T> fx = raw[0].detach().floor(), fy = raw[1].detach().floor();
    const std::array<Tensor<T>, 4> wx = detail_upsample::cubic_weights<T>(raw[0] - fx, true),
                                   wy = detail_upsample::cubic_weights<T>(raw[1] - fy, true);
    const auto tap = [&](int64_t i, int64_t k) {
      return read({detail_grid::pad_coordinate(fx + static_cast<T>(i - 1), extent[0], padding_mode, align_corners),
                   detail_grid::pad_coordinate(fy + static_cast<T>(k - 1), extent[1], padding_mode, align_corners)});
    };
    Tensor<T> out;
    for (int64_t k = 0; k < 4; ++k) {
      Tensor<T> row = tap(0, k) * wx[0].unsqueeze(1);
      for (int64_t i = 1; i < 4; ++i) row = row + tap(i, k) * wx[static_cast<size_t>(i)].unsqueeze(1);
      out = k == 0 ? row * wy[0].unsqueeze(1) : out + row * wy[static_cast<size_t>(k)].unsqueeze(1);
    }
    return out;
  }
  std::vector<Tensor<T>> at;  // after padding
  for (int64_t i = 0; i < dims; ++i) {
    Tensor<T> c = detail_grid::pad_coordinate(raw[static_cast<size_t>(i)], extent[static_cast<size_t>(i)], padding_mode,
                                              align_corners);
    at.push_back(dims == 3 ? detail_grid::volume_coordinate(c, extent[static_cast<size_t>(i)], padding_mode) : c);
  }
  if (mode == "nearest") {  // the grid's gradient is zero, as PyTorch's
    std::vector<Tensor<T>> nearest;
    Tensor<T> sum = at[0];
    for (int64_t i = 0; i < dims; ++i) {
      nearest.push_back(at[static_cast<size_t>(i)].detach().round());
      if (i > 0) sum = sum + at[static_cast<size_t>(i)];
    }
    const Tensor<T> out = read(nearest);
    return ::tessera::detail::needs_grad(grid) ? out + where(sum.isfinite(), sum, T(0)).unsqueeze(1) * T(0) : out;
  }
  // the 2^dims corners, x varying fastest, each weighted by the product of its distances to the
  // point's far side along x, y(, z), summed in that order, as PyTorch's kernels
  std::vector<Tensor<T>> low, high;
  for (const Tensor<T>& c : at) {
    low.push_back(c.detach().floor());
    high.push_back(low.back() + T(1));
  }
  Tensor<T> out;
  for (int64_t corner = 0; corner < (int64_t{1} << dims); ++corner) {
    std::vector<Tensor<T>> xyz;
    Tensor<T> weight;
    for (int64_t i = 0; i < dims; ++i) {
      const size_t k = static_cast<size_t>(i);
      const bool upper = (corner >> i) & 1;
      xyz.push_back(upper ? high[k] : low[k]);
      const Tensor<T> share = upper ? at[k] - low[k] : high[k] - at[k];
      weight = i == 0 ? share : weight * share;
    }
    const Tensor<T> term = read(xyz) * weight.unsqueeze(1);
    out = corner == 0 ? term : out + term;
  }
  return out;
}

}  // namespace tessera::nn::functional
