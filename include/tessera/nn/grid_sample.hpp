#pragma once
// Spatial transformers: nn::functional::affine_grid (the sampling grid of a batch of 2-D affine
// maps) and grid_sample (an image read at the grid's points), for 4-D inputs.

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
// grid_sample maps each grid point (x, y) in [-1, 1] to the input's pixel coordinates (the
// corners' centres with align_corners, else the corners' outer edges), applies the padding mode
// (zeros: points outside read 0; border: coordinates clamped to the image; reflection: reflected
// at the edges, then clamped), and reads the image there: the four neighbours weighted by their
// distances (bilinear), the nearest pixel (ties to even, as PyTorch's nearbyint), or the 4 x 4
// pixels around the unpadded point, each read where the padding mode puts it, weighted by
// PyTorch's cubic convolution (bicubic). Each step is an op with its derivative, so the input's
// and the grid's gradients are PyTorch's (the grid's is zero for "nearest"), on every device. A
// point outside the image reads 0 (its index is never formed); a coordinate that is not finite
// gives NaN (bilinear, bicubic: its weights are NaN, as PyTorch's CPU kernel) or 0 (nearest).

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
      c = c * T(0);
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

/** input [N, C, H, W] at integer pixels (x, y) [N, Ho, Wo] (as T), 0 outside: [N, C, Ho, Wo]. */
template <class T>
Tensor<T> read(const Tensor<T>& input, const Tensor<T>& x, const Tensor<T>& y) {
  const int64_t n = input.size(0), c = input.size(1), h = input.size(2), w = input.size(3);
  const Tensor<bool> inside = (x >= T(0)) & (x < static_cast<T>(w)) & (y >= T(0)) & (y < static_cast<T>(h));
  // the flat index in int64 (T may not hold H * W exactly); points outside read pixel 0, then 0
  const Tensor<int64_t> xi = where(inside, x, T(0)).template to<int64_t>(), yi = where(inside, y, T(0)).template to<int64_t>();
  const int64_t points = x.size(1) * x.size(2);
  const Tensor<int64_t> at = (yi * w + xi).reshape({n, 1, points}).expand({n, c, points});
  const Tensor<T> values = input.reshape({n, c, h * w}).gather(2, at).view({n, c, x.size(1), x.size(2)});
  return where(inside.unsqueeze(1), values, T(0));
}

}  // namespace detail_grid

/** The sampling grid [N, H, W, 2] of the affine maps theta [N, 2, 3] for an output of size
 *  {N, C, H, W}: theta applied to each output pixel's normalised (x, y, 1), as
 *  torch.nn.functional.affine_grid (its gradient reaches theta). */
template <class T>
Tensor<T> affine_grid(const Tensor<T>& theta, const std::vector<int64_t>& size, bool align_corners = false) {
  static_assert(is_floating_v<T>, "affine_grid: Expected theta to have floating point type");
  TS_CHECK(size.size() == 4, "affine_grid: only 4-D sizes (2-D affine maps) are offered, got size ",
           ::tessera::detail::shape_str(size));
  TS_CHECK(theta.dim() == 3 && theta.size(1) == 2 && theta.size(2) == 3, "affine_grid: Expected a batch of 2D affine "
           "matrices of shape Nx2x3 for size (", size[0], ", ", size[1], ", ", size[2], ", ", size[3], "). Got ",
           ::tessera::detail::shape_str(theta.sizes()), ".");
  TS_CHECK(size[0] > 0 && size[1] > 0 && size[2] > 0 && size[3] > 0, "affine_grid: Expected non-zero, positive output "
           "size. Got (", size[0], ", ", size[1], ", ", size[2], ", ", size[3], ")");
  TS_CHECK(theta.size(0) == size[0], "affine_grid: theta holds ", theta.size(0), " maps for a batch of ", size[0]);
  const int64_t n = size[0], h = size[2], w = size[3];
  // PyTorch's linspace_from_neg_one: -1 to 1, scaled by (steps - 1) / steps without align_corners
  const auto steps = [&](int64_t k) {
    if (k <= 1) return zeros<T>({k}, {.device = theta.device()});
    const Tensor<T> range = linspace<T>(-1, 1, k, {.device = theta.device()});
    return align_corners ? range : range * static_cast<T>(k - 1) / static_cast<T>(k);
  };
  const Tensor<T> base = stack({steps(w).view({1, w}).expand({h, w}), steps(h).view({h, 1}).expand({h, w}),
                                ones<T>({h, w}, {.device = theta.device()})},
                               -1);  // [H, W, 3]
  return base.view({1, h * w, 3}).expand({n, h * w, 3}).bmm(theta.transpose(1, 2)).view({n, h, w, 2});
}

/** input [N, C, H, W] read at grid [N, Ho, Wo, 2] ((x, y) in [-1, 1]): [N, C, Ho, Wo], as
 *  torch.nn.functional.grid_sample with mode "bilinear", "nearest" or "bicubic" and padding_mode "zeros",
 *  "border" or "reflection" (Note [Grid sampling by composition]). */
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
  TS_CHECK(input.dim() != 5, "grid_sample: 5-D inputs (volumetric sampling) are not offered yet");
  TS_CHECK(input.dim() == 4 && grid.dim() == 4, "grid_sample: grid_sampler(): expected 4D input and grid with same "
           "number of dimensions, but got input with sizes ", sizes(input), " and grid with sizes ", sizes(grid));
  const int64_t h = input.size(2), w = input.size(3);
  const Tensor<T> ux = detail_grid::unnormalize(grid.select(-1, 0), w, align_corners);
  const Tensor<T> uy = detail_grid::unnormalize(grid.select(-1, 1), h, align_corners);
  if (mode == "bicubic") {
    // 4 x 4 taps around the unpadded point, each read where the padding mode puts it; the rows
    // weighted along x, then their sums along y, in PyTorch's order
    const Tensor<T> fx = ux.detach().floor(), fy = uy.detach().floor();
    const std::array<Tensor<T>, 4> wx = detail_upsample::cubic_weights<T>(ux - fx, true),
                                   wy = detail_upsample::cubic_weights<T>(uy - fy, true);
    const auto tap = [&](int64_t i, int64_t k) {
      return detail_grid::read(input, detail_grid::pad_coordinate(fx + static_cast<T>(i - 1), w, padding_mode, align_corners),
                               detail_grid::pad_coordinate(fy + static_cast<T>(k - 1), h, padding_mode, align_corners));
    };
    Tensor<T> out;
    for (int64_t k = 0; k < 4; ++k) {
      Tensor<T> row = tap(0, k) * wx[0].unsqueeze(1);
      for (int64_t i = 1; i < 4; ++i) row = row + tap(i, k) * wx[static_cast<size_t>(i)].unsqueeze(1);
      out = k == 0 ? row * wy[0].unsqueeze(1) : out + row * wy[static_cast<size_t>(k)].unsqueeze(1);
    }
    return out;
  }
  const Tensor<T> x = detail_grid::pad_coordinate(ux, w, padding_mode, align_corners);
  const Tensor<T> y = detail_grid::pad_coordinate(uy, h, padding_mode, align_corners);
  if (mode == "nearest") {  // the grid's gradient is zero, as PyTorch's
    const Tensor<T> out = detail_grid::read(input, x.detach().round(), y.detach().round());
    return ::tessera::detail::needs_grad(grid) ? out + where((x + y).isfinite(), x + y, T(0)).unsqueeze(1) * T(0) : out;
  }
  const Tensor<T> x0 = x.detach().floor(), y0 = y.detach().floor();
  const Tensor<T> x1 = x0 + T(1), y1 = y0 + T(1);
  const auto weighted = [&](const Tensor<T>& px, const Tensor<T>& py, const Tensor<T>& weight) {
    return detail_grid::read(input, px, py) * weight.unsqueeze(1);
  };
  return weighted(x0, y0, (x1 - x) * (y1 - y)) + weighted(x1, y0, (x - x0) * (y1 - y)) +
         weighted(x0, y1, (x1 - x) * (y - y0)) + weighted(x1, y1, (x - x0) * (y - y0));
}

}  // namespace tessera::nn::functional
