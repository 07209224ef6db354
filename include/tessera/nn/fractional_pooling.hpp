#pragma once
// Fractional max pooling (Graham, 2014): F::fractional_max_pool2d and fractional_max_pool3d, and
// the layers FractionalMaxPool2d and FractionalMaxPool3d, as PyTorch's.

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "../autograd/formulas.hpp"
#include "../ops/creation.hpp"
#include "../ops/indexing.hpp"
#include "../ops/reduce.hpp"
#include "../random/distributions.hpp"
#include "expanding_array.hpp"
#include "module.hpp"

namespace tessera::nn {

namespace functional {
namespace detail_fractional {

// Note [Fractional windows]
// Each plane (sample and channel) draws one uniform u per spatial dim (PyTorch's _random_samples,
// [N, C, dims]: for an image u[0] is the width's and u[1] the height's; for a volume u[0] the
// depth's, u[1] the height's, u[2] the width's). A dim of input size n pooled by k into m
// windows starts window i < m - 1 at int((i + u) alpha) - int(u alpha), alpha = (n - k) / (m - 1)
// in the element type, and the last at n - k. Each window gives its first largest element in
// row-major order, or its last NaN, as PyTorch's kernel (which compares val > max || isnan(val)),
// and that element's index in its plane.

/** The window starts along one dim for each plane: [planes..., m] as int64 (Note [Fractional windows]). */
template <class T>
Tensor<int64_t> window_starts(const Tensor<T>& u, int64_t in, int64_t out, int64_t pool) {
  const Tensor<int64_t> last = full<int64_t>({1}, in - pool, {.device = u.device()}).expand({u.size(0), u.size(1), 1});
  if (out <= 1) return last.narrow(2, 0, out);
  const T alpha = static_cast<T>(in - pool) / static_cast<T>(out - 1);
  const Tensor<T> i = arange<T>(out - 1, {.device = u.device()}).view({1, 1, -1});
  // PyTorch's static_cast<int>, then widened
  const Tensor<int64_t> starts = ((i + u.unsqueeze(2)) * alpha).template to<int32_t>().template to<int64_t>() -
                                 (u * alpha).template to<int32_t>().template to<int64_t>().unsqueeze(2);
  return cat({starts, last}, 2);
}

/** fractional_max_pool's node (PyTorch's FractionalMaxPool2DBackward0 and 3D): each window's
 *  gradient goes to the element it chose. */
template <class T>
struct FractionalMaxPoolBackward final : ::tessera::detail::Node {
  Tensor<int64_t> indices;  // [N, C, windows], each a position in its plane [N, C, plane]
  int64_t plane;
  Shape input_shape;  // the input's, batched or not
  const char* node_name;
  FractionalMaxPoolBackward(Tensor<int64_t> i, int64_t p, Shape shape, const char* n)
      : indices(std::move(i)), plane(p), input_shape(std::move(shape)), node_name(n) {}
  const char* name() const override { return node_name; }
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    const Tensor<T> g = grads[0].as<T>();
    return {zeros<T>({indices.size(0), indices.size(1), plane}, {.device = g.device()})
                .scatter_add(2, indices, g.reshape(indices.sizes()))
                .view(input_shape)};
  }
};

/** fractional_max_pool{dims}d of x [N, C, spatial...] or [C, spatial...]: (values, indices). */
template <size_t N, class T>
std::tuple<Tensor<T>, Tensor<int64_t>> fractional_max_pool(const Tensor<T>& x, const ExpandingArray<N>& kernel_size,
                                                            const ExpandingArray<N>& output_size,
                                                            const std::vector<double>& output_ratio,
                                                            const Tensor<T>& random_samples) {
  constexpr int64_t dims = static_cast<int64_t>(N);
  const std::string op = N == 2 ? "fractional_max_pool2d()" : "fractional_max_pool3d_out()";
  const auto shape_of = [](const Shape& s) { return ::tessera::detail::shape_str(s); };
  TS_CHECK(!output_size.empty() || !output_ratio.empty(), "fractional_max_pool", dims, "d: fractional_max_pool", dims,
           "d requires specifying either an output_size or an output_ratio");
  const char* ints = N == 2 ? "Ints" : "three Ints";
  TS_CHECK(kernel_size.size() == 1 || kernel_size.size() == N, "fractional_max_pool", dims,
           "d: kernel_size must either be a single Int or tuple of ", ints);
  TS_CHECK(output_size.size() <= 1 || output_size.size() == N, "fractional_max_pool", dims,
           "d: output_size must either be a single Int or tuple of ", ints);
  TS_CHECK(output_ratio.size() <= 1 || output_ratio.size() == N, "fractional_max_pool", dims,
           "d: output_ratio must either be a single float or a tuple of ", dims, " floats");
  TS_CHECK(x.dim() == dims + 1 || x.dim() == dims + 2, op, ": Expected ", dims + 1, "D or ", dims + 2,
           "D tensor, but got: ", shape_of(x.sizes()));
  // PyTorch's output_ratio: int(input size * ratio) per dim
  std::vector<int64_t> out(N), pool(N);
  for (size_t d = 0; d < N; ++d) {
    const int64_t in = x.size(x.dim() - dims + static_cast<int64_t>(d));
    if (output_size.empty()) {
      const double scaled = static_cast<double>(in) * output_ratio[output_ratio.size() == 1 ? 0 : d];
      TS_CHECK(std::isfinite(scaled) && std::abs(scaled) < 0x1p62, "fractional_max_pool", dims,
               "d: cannot convert the output size ", scaled, " to an integer");
      out[d] = static_cast<int64_t>(scaled);
    } else {
      out[d] = output_size[d];
    }
    pool[d] = kernel_size[d];
    // PyTorch 1.13 pools a kernel of 0 to -inf and fails later on a negative size
    TS_CHECK(pool[d] > 0 && out[d] >= 0, op, ": kernel_size must be positive and output_size non-negative, got ",
             pool[d], " and ", out[d]);
  }
  for (int64_t d = 1; d < x.dim(); ++d)
    TS_CHECK(x.size(d) > 0, op, ": Expected input to have non-zero size for non-batch dimensions, but got",
             shape_of(x.sizes()), " with dimension ", d, " being empty.");
  // PyTorch checks height then width for an image, time, width, height for a volume
  static constexpr const char* names[] = {"height", "width", "time", "width", "height"};
  static constexpr size_t order[] = {0, 1, 0, 2, 1};
  for (size_t j = 0; j < N; ++j) {
    const size_t d = order[j + (N == 2 ? 0 : 2)];
    const int64_t in = x.size(x.dim() - dims + static_cast<int64_t>(d));
    const char* what = names[j + (N == 2 ? 0 : 2)];
    // PyTorch's 3-D check is strict, its 2-D one not
    TS_CHECK(N == 2 ? out[d] + pool[d] - 1 <= in : out[d] + pool[d] - 1 < in, op, ": pool ", what, " ", pool[d],
             " too large relative to input ", what, " ", in);
  }
  if constexpr (!std::is_same_v<T, float> && !std::is_same_v<T, double>) {
    ::tessera::detail::throw_error("\"fractional_max_pool", dims, "d_out_frame\" not implemented for '",
                                   ::tessera::detail::aten_type_name(dtype_of<T>), "'");
  } else {
    const bool batched = x.dim() == dims + 2;
    const Tensor<T> input = batched ? x : x.unsqueeze(0);
    const int64_t n = input.size(0), c = input.size(1);
    Tensor<T> u = random_samples;
    if (!u.defined()) u = rand<T>({n, c, dims}, default_generator(), {.device = x.device()});  // as F's Python
    // PyTorch reads the samples flat: [C, dims] serves an unbatched input too
    TS_CHECK(u.numel() == n * c * dims, op, ": _random_samples must have shape ", shape_of(Shape({n, c, dims})),
             ", but got ", shape_of(u.sizes()));
    u = u.reshape({n, c, dims});
    ::tessera::detail::check_same_device(op.c_str(), x.device(), u.device());
    Tensor<T> values;
    Tensor<int64_t> indices, flat_indices;
    int64_t windows = 1, taps = 1, plane = 1;
    {
      NoGradGuard no_grad;
      // each window's elements' positions in its plane, [N, C, windows..., taps...]
      const int64_t slots = 2 * dims + 2;
      Tensor<int64_t> position = zeros<int64_t>({1}, {.device = x.device()});
      for (int64_t d = 0; d < dims; ++d) {
        const size_t k = static_cast<size_t>(d);
        const int64_t in = input.size(2 + d);
        // the samples' order: width then height for an image; depth, height, width for a volume
        const int64_t sample = dims == 2 ? 1 - d : d;
        Shape start_shape = Shape::filled(static_cast<size_t>(slots), 1), tap_shape = start_shape;
        start_shape[0] = n, start_shape[1] = c, start_shape[static_cast<size_t>(2 + d)] = out[k];
        tap_shape[static_cast<size_t>(2 + dims + d)] = pool[k];
        const Tensor<int64_t> along = window_starts(u.select(2, sample), in, out[k], pool[k]).view(start_shape) +
                                      arange<int64_t>(pool[k], {.device = x.device()}).view(tap_shape);
        position = position * in + along;
      }
      Shape out_shape{n, c};
      for (size_t d = 0; d < N; ++d) windows *= out[d], taps *= pool[d], out_shape.push_back(out[d]);
      for (int64_t d = 2; d < input.dim(); ++d) plane *= input.size(d);
      const Tensor<int64_t> at = position.reshape({n, c, windows, taps});
      const Tensor<T> window =
          input.reshape({n, c, plane}).gather(2, at.reshape({n, c, windows * taps})).view({n, c, windows, taps});
      // the last NaN of a window, else its first largest element (Note [Fractional windows])
      const Tensor<bool> nan = window.isnan();
      const Tensor<int64_t> last_nan =
          (arange<int64_t>(taps, {.device = x.device()}) + 1).view({1, 1, 1, taps}).expand({n, c, windows, taps}).masked_fill(!nan, 0).amax({3}) - 1;
      const Tensor<int64_t> first_max = std::get<1>(window.masked_fill(nan, -std::numeric_limits<double>::infinity()).max(3));
      const Tensor<int64_t> choice = where(last_nan >= 0, last_nan, first_max);
      flat_indices = at.gather(3, choice.unsqueeze(3)).view({n, c, windows});
      Shape shape;
      for (size_t d = batched ? 0 : 1; d < out_shape.size(); ++d) shape.push_back(out_shape[d]);
      indices = flat_indices.view(shape);
      values = window.gather(3, choice.unsqueeze(3)).view(shape);
    }
    if (::tessera::detail::needs_grad(x))
      ::tessera::detail::record<FractionalMaxPoolBackward<T>>({x}, {values}, flat_indices, plane, x.sizes(),
                                                              N == 2 ? "FractionalMaxPool2DBackward0" : "FractionalMaxPool3DBackward0");
    return {values, indices};
  }
}

}  // namespace detail_fractional

/** F.fractional_max_pool2d(x, kernel_size, output_size, output_ratio, return_indices=True,
 *  _random_samples) of [N, C, H, W] or [C, H, W]: (values, indices in each plane); the
 *  samples [N, C, 2] are drawn from the default generator when not given (Note [Fractional
 *  windows]). output_size wins over output_ratio, as in PyTorch. */
template <class T>
std::tuple<Tensor<T>, Tensor<int64_t>> fractional_max_pool2d_with_indices(const Tensor<T>& x, ExpandingArray<2> kernel_size,
                                                                          ExpandingArray<2> output_size = {},
                                                                          std::vector<double> output_ratio = {},
                                                                          const Tensor<T>& random_samples = {}) {
  return detail_fractional::fractional_max_pool<2>(x, kernel_size, output_size, output_ratio, random_samples);
}
template <class T>
Tensor<T> fractional_max_pool2d(const Tensor<T>& x, ExpandingArray<2> kernel_size, ExpandingArray<2> output_size = {},
                                std::vector<double> output_ratio = {}, const Tensor<T>& random_samples = {}) {
  return std::get<0>(fractional_max_pool2d_with_indices(x, kernel_size, output_size, output_ratio, random_samples));
}

/** F.fractional_max_pool3d(..., return_indices=True) of [N, C, D, H, W] or [C, D, H, W]. */
template <class T>
std::tuple<Tensor<T>, Tensor<int64_t>> fractional_max_pool3d_with_indices(const Tensor<T>& x, ExpandingArray<3> kernel_size,
                                                                          ExpandingArray<3> output_size = {},
                                                                          std::vector<double> output_ratio = {},
                                                                          const Tensor<T>& random_samples = {}) {
  return detail_fractional::fractional_max_pool<3>(x, kernel_size, output_size, output_ratio, random_samples);
}
template <class T>
Tensor<T> fractional_max_pool3d(const Tensor<T>& x, ExpandingArray<3> kernel_size, ExpandingArray<3> output_size = {},
                                std::vector<double> output_ratio = {}, const Tensor<T>& random_samples = {}) {
  return std::get<0>(fractional_max_pool3d_with_indices(x, kernel_size, output_size, output_ratio, random_samples));
}

}  // namespace functional

/** Options of FractionalMaxPool2d and FractionalMaxPool3d: the output size or the ratio of it to
 *  the input's (one of them, the ratio in (0, 1)), and fixed samples (PyTorch's _random_samples). */
template <size_t N>
struct FractionalMaxPoolOptions {
  ExpandingArray<N> output_size = {};
  std::vector<double> output_ratio = {};
  Tensor<float> random_samples{};
};
using FractionalMaxPool2dOptions = FractionalMaxPoolOptions<2>;
using FractionalMaxPool3dOptions = FractionalMaxPoolOptions<3>;

namespace impl {

/** nn.FractionalMaxPool2d and nn.FractionalMaxPool3d: `FractionalMaxPool2d(3, {.output_size = {13, 12}})`,
 *  `FractionalMaxPool2d(2, {.output_ratio = {0.5}})`; forward_with_indices is PyTorch's
 *  return_indices=True. */
template <size_t N, class = void>
class FractionalMaxPool : public nn::Module {
 public:
  FractionalMaxPool(ExpandingArray<N> kernel_size, FractionalMaxPoolOptions<N> options)
      : kernel_size_(std::move(kernel_size)), options_(std::move(options)) {
    const char* name = N == 2 ? "FractionalMaxPool2d" : "FractionalMaxPool3d";
    TS_CHECK(!options_.output_size.empty() || !options_.output_ratio.empty(), name,
             ": FractionalMaxPool", N, "d requires specifying either an output size, or a pooling ratio");
    TS_CHECK(options_.output_size.empty() || options_.output_ratio.empty(), name,
             ": only one of output_size and output_ratio may be specified");
    const std::vector<double>& r = options_.output_ratio;  // printed as Python prints the argument
    for (const double v : r) {
      if (0 < v && v < 1) continue;
      const std::string prefix = std::string(name) + ": output_ratio must be between 0 and 1 (got ";
      if (r.size() == 1) ::tessera::detail::throw_error(prefix, r[0], ")");
      if (r.size() == 2) ::tessera::detail::throw_error(prefix, "(", r[0], ", ", r[1], "))");
      ::tessera::detail::throw_error(prefix, "(", r[0], ", ", r[1], ", ", r[2], "))");
    }
    // PyTorch's buffer _random_samples: in state_dict, moved by to(device)
    if (options_.random_samples.defined()) options_.random_samples = register_buffer("_random_samples", options_.random_samples);
  }
  Tensor<float> forward(const Tensor<float>& x) const { return std::get<0>(forward_with_indices(x)); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }
  std::tuple<Tensor<float>, Tensor<int64_t>> forward_with_indices(const Tensor<float>& x) const {
    return functional::detail_fractional::fractional_max_pool<N>(x, kernel_size_, options_.output_size,
                                                                 options_.output_ratio, options_.random_samples);
  }

 private:
  ExpandingArray<N> kernel_size_;
  FractionalMaxPoolOptions<N> options_;
};

}  // namespace impl

using FractionalMaxPool2d = impl::FractionalMaxPool<2>;
using FractionalMaxPool3d = impl::FractionalMaxPool<3>;

}  // namespace tessera::nn
