#pragma once
// Padding: nn::functional::pad (PyTorch's four modes) and the padding layers.

#include <optional>
#include <string>
#include <vector>

#include "../ops/creation.hpp"
#include "../ops/indexing.hpp"
#include "../ops/join.hpp"
#include "module.hpp"
#include "taps.hpp"

namespace tessera::nn {

// Note [Padding by composition]
// pad is built from ops that run on every device: constant padding narrows the input for
// negative pads and concatenates filled blocks for positive ones; reflect, replicate and circular
// padding gather each padded dim by an index list that says, for every output position, which
// input position it copies (index_select, or the resize kernels of nn/taps.hpp). Those lists follow PyTorch 1.13's kernels, negative
// pads included (circular copies the central part, then the left pad from the right end of the
// output, then the right pad from its left end). The constant, reflect and replicate modes record
// PyTorch's nodes (ConstantPadNdBackward0, ReflectionPad2DBackward0, ...) whose derivatives are
// ops too: the gradient padded by the negated pads, or index_add over the same lists. Circular
// padding, which PyTorch writes in Python as slice copies, records its index_selects.

namespace functional {
namespace detail_pad {

/** The input position each output position copies along one dim of `n` (reflect, replicate). */
template <class = void>
std::vector<int64_t> edge_indices(int64_t n, int64_t left, int64_t right, bool reflect) {
  std::vector<int64_t> out;
  for (int64_t o = 0; o < n + left + right; ++o) {
    int64_t i = o - left;
    if (reflect) i = i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    else i = i < 0 ? 0 : i >= n ? n - 1 : i;
    out.push_back(i);
  }
  return out;
}

/** Circular padding's source positions, following PyTorch's order of copies. */
template <class = void>
std::vector<int64_t> circular_indices(int64_t n, int64_t left, int64_t right) {
  const int64_t size = n + left + right, lo = left > 0 ? left : 0, hi = size - (right > 0 ? right : 0);
  std::vector<int64_t> out(static_cast<size_t>(size), 0);
  for (int64_t o = lo; o < hi; ++o) out[static_cast<size_t>(o)] = o - lo + (left < 0 ? -left : 0);
  for (int64_t o = 0; o < lo; ++o) out[static_cast<size_t>(o)] = out[static_cast<size_t>(hi - left + o)];
  for (int64_t o = hi; o < size; ++o) out[static_cast<size_t>(o)] = out[static_cast<size_t>(lo + o - hi)];
  return out;
}

/** PyTorch's name of a tensor in the non-constant kernels' shape errors: `[ torch.FloatTensor{1,0,3} ]`. */
template <class = void>
std::string legacy_description(DType dtype, const Shape& shape) {
  std::string out = std::string("[ torch.") + tessera::detail::aten_type_name(dtype) + "Tensor{";
  for (size_t d = 0; d < shape.size(); ++d) {  // appended in two steps: GCC 12 -O2 warns (-Wrestrict) on "," + string
    if (d) out += ',';
    out += std::to_string(shape[d]);
  }
  return out + "} ]";
}

}  // namespace detail_pad

/** PyTorch's F.pad: `pad` holds (left, right) pairs from the last dim backwards; mode is "constant"
 *  (with `value`, any number of dims, negative pads crop), "reflect", "replicate" or "circular"
 *  (1, 2 or 3 trailing dims of a batched or unbatched input, no value). */
template <class T>
Tensor<T> pad(const Tensor<T>& input, const std::vector<int64_t>& pad, const std::string& mode = "constant",
              std::optional<double> value = std::nullopt) {
  const int64_t ndim = input.dim(), dims = static_cast<int64_t>(pad.size()) / 2;
  TS_CHECK(pad.size() % 2 == 0, "pad: Padding length must be divisible by 2");
  TS_CHECK(dims <= ndim, "pad: Padding length too large");
  if (mode == "constant") {
    Tensor<T> out = input;
    {
      NoGradGuard no_grad;
      bool grows = false;
      for (int64_t k = 0; k < dims; ++k) {
        const int64_t d = ndim - 1 - k, left = pad[static_cast<size_t>(2 * k)], right = pad[static_cast<size_t>(2 * k + 1)];
        if (left < 0) out = out.narrow(d, -left, out.size(d) + left);
        if (right < 0) out = out.narrow(d, 0, out.size(d) + right);
        grows |= left > 0 || right > 0;
      }
      for (int64_t k = 0; k < dims; ++k) {
        const int64_t d = ndim - 1 - k, left = pad[static_cast<size_t>(2 * k)], right = pad[static_cast<size_t>(2 * k + 1)];
        const int64_t size = input.size(d) + left + right;
        TS_CHECK(size >= 0, "pad: The input size ", input.size(d), ", plus negative padding ", left, " and ", right,
                 " resulted in a negative output size, which is invalid. Check dimension ", d, " of your input.");
        if (left <= 0 && right <= 0) continue;
        const T fill = static_cast<T>(value.value_or(0.0));
        std::vector<Tensor<T>> parts;
        Shape block = out.sizes();
        if (left > 0) parts.push_back((block[d] = left, tessera::full<T>(block, fill, {.device = out.device()})));
        parts.push_back(out);
        if (right > 0) parts.push_back((block[d] = right, tessera::full<T>(block, fill, {.device = out.device()})));
        out = tessera::cat(parts, d);
      }
      if (!grows) out = out.clone();  // as PyTorch's constant_pad_nd: a new tensor, never a view
    }
    if (tessera::detail::needs_grad(input)) {  // the gradient: g padded by the negated pads
      std::vector<int64_t> negated;
      for (const int64_t p : pad) negated.push_back(-p);
      const auto formula = [negated](const Tensor<T>& g, const Tensor<int64_t>&) { return functional::pad(g, negated); };
      tessera::detail::record<tessera::detail::FormulaBackward<T, decltype(formula)>>({input}, {out}, "ConstantPadNdBackward0",
                                                                                     formula);
    }
    return out;
  }
  const bool reflect = mode == "reflect", replicate = mode == "replicate", circular = mode == "circular";
  TS_CHECK(reflect || replicate || circular, "pad: Unrecognised padding mode ", mode);
  TS_CHECK(!value || *value == 0.0, "pad: Padding mode \"", mode, "\" doesn't take in value argument");
  TS_CHECK((dims == 1 || dims == 2 || dims == 3) && (ndim == dims + 1 || ndim == dims + 2),
           "pad: Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now");
  if (!circular) {
    const char* kernel = reflect ? (dims == 1 ? "reflection_pad1d" : dims == 2 ? "reflection_pad2d" : "reflection_pad3d")
                                 : (dims == 1 ? "replication_pad1d" : dims == 2 ? "replication_pad2d" : "replication_pad3d");
    constexpr bool floating = std::is_floating_point_v<T> || std::is_same_v<T, half> || std::is_same_v<T, bfloat16>;
    TS_CHECK(floating, "\"", kernel,
             replicate ? "_cpu" : "", "\" not implemented for '", tessera::detail::aten_type_name(dtype_of<T>), "'");
    bool empty_plane = false;  // a non-batch dim of size 0
    for (int64_t d = ndim == dims + 2 ? 1 : 0; d < ndim; ++d) empty_plane |= input.size(d) == 0;
    TS_CHECK(!empty_plane, "pad: ", dims + 1, "D or ", dims + 2, "D (batch mode) tensor expected for input, but got: ",
             detail_pad::legacy_description(dtype_of<T>, input.sizes()));
  }
  if (circular)
    TS_CHECK(ndim == dims + 2, "pad: Invalid padding size, expected ", 2 * (ndim - 2), " but got ", pad.size());
  Tensor<T> out = input;
  std::vector<std::vector<int64_t>> sources;  // per padded dim, from the last
  for (int64_t k = 0; k < dims; ++k) {
    const int64_t d = ndim - 1 - k, n = input.size(d);
    const int64_t left = pad[static_cast<size_t>(2 * k)], right = pad[static_cast<size_t>(2 * k + 1)];
    if (reflect) {
      const bool sizes = dims != 2;  // PyTorch's 2-d kernel names the input's dim count instead of its sizes
      TS_CHECK(left < n && right < n, "pad: Argument #", 4 + 2 * k,
               ": Padding size should be less than the corresponding input dimension, but got: padding (", left, ", ",
               right, ") at dimension ", d, " of input ", sizes ? tessera::detail::shape_str(input.sizes()) : std::to_string(ndim));
    }
    if (circular) TS_CHECK(left <= n && right <= n, "pad: Padding value causes wrapping around more than once.");
    const int64_t size = n + left + right;
    if (dims == 1 && !circular)
      TS_CHECK(size >= 1, "pad: input (W: ", n, ") is too small. Calculated output W: ", size);
    TS_CHECK(size >= 0, "pad: padding (", left, ", ", right, ") of dimension ", d, " of size ", n,
             " gives a negative size");
    sources.push_back(circular ? detail_pad::circular_indices(n, left, right) : detail_pad::edge_indices(n, left, right, reflect));
  }
  if (circular) {  // recorded as its index_selects (PyTorch records the copies of its Python code)
    for (int64_t k = 0; k < dims; ++k) {
      const std::vector<int64_t>& at = sources[static_cast<size_t>(k)];
      out = out.index_select(ndim - 1 - k, from_vector(at, {static_cast<int64_t>(at.size())}, {.device = input.device()}));
    }
    return out;
  }
  std::vector<std::vector<detail_taps::Tap>> taps;  // one copying tap per padded dim
  for (std::vector<int64_t>& at : sources) taps.push_back({{std::move(at), {}}});
  {
    NoGradGuard no_grad;
    for (int64_t k = 0; k < dims; ++k) out = detail_taps::gather_taps(out, ndim - 1 - k, taps[static_cast<size_t>(k)]);
  }
  if (tessera::detail::needs_grad(input)) {  // the adjoint of the gathers, the first padded dim last
    const auto formula = [taps, sizes = input.sizes()](const Tensor<T>& g, const Tensor<int64_t>&) {
      Tensor<T> grad = g;
      for (size_t k = taps.size(); k-- > 0;) {
        const auto d = static_cast<int64_t>(sizes.size() - 1 - k);
        grad = detail_taps::scatter_taps(grad, d, sizes[static_cast<size_t>(d)], taps[k]);
      }
      return grad;
    };
    static constexpr const char* kNames[2][3] = {
        {"ReplicationPad1DBackward0", "ReplicationPad2DBackward0", "ReplicationPad3DBackward0"},
        {"ReflectionPad1DBackward0", "ReflectionPad2DBackward0", "ReflectionPad3DBackward0"}};
    tessera::detail::record<tessera::detail::FormulaBackward<T, decltype(formula)>>({input}, {out},
                                                                                   kNames[reflect][dims - 1], formula);
  }
  return out;
}

}  // namespace functional

namespace impl {

inline constexpr char kConstant[] = "constant";
inline constexpr char kReflect[] = "reflect";
inline constexpr char kReplicate[] = "replicate";

/** A padding layer: `Dims` trailing dims padded in mode `Mode`; `padding` is one size for every
 *  side or PyTorch's (left, right, top, bottom, front, back) list. */
template <int Dims, const char* Mode, class = void>
class PadLayer : public nn::Module {
 public:
  explicit PadLayer(int64_t padding) : padding_(static_cast<size_t>(2 * Dims), padding) {}
  explicit PadLayer(std::vector<int64_t> padding) : padding_(std::move(padding)) {
    TS_CHECK(padding_.size() == static_cast<size_t>(2 * Dims), Mode, " padding of ", Dims, " dims: expected ",
             2 * Dims, " sizes, got ", padding_.size());
  }
  Tensor<float> forward(const Tensor<float>& x) const { return functional::pad(x, padding_, Mode, value_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }
  const std::vector<int64_t>& padding() const { return padding_; }

 protected:
  std::vector<int64_t> padding_;
  std::optional<double> value_;
};

/** nn.ConstantPad1d/2d/3d: constant padding with `value`. */
template <int Dims, class = void>
class ConstantPad : public PadLayer<Dims, kConstant> {
 public:
  ConstantPad(int64_t padding, double value) : PadLayer<Dims, kConstant>(padding) { this->value_ = value; }
  ConstantPad(std::vector<int64_t> padding, double value) : PadLayer<Dims, kConstant>(std::move(padding)) {
    this->value_ = value;
  }
};

/** nn.ZeroPad2d: constant padding with zeros. */
template <class = void>
class ZeroPad2d : public PadLayer<2, kConstant> {
 public:
  using PadLayer<2, kConstant>::PadLayer;
};

}  // namespace impl

using ZeroPad2d = impl::ZeroPad2d<>;
using ConstantPad1d = impl::ConstantPad<1>;
using ConstantPad2d = impl::ConstantPad<2>;
using ConstantPad3d = impl::ConstantPad<3>;
using ReflectionPad1d = impl::PadLayer<1, impl::kReflect>;
using ReflectionPad2d = impl::PadLayer<2, impl::kReflect>;
using ReflectionPad3d = impl::PadLayer<3, impl::kReflect>;
using ReplicationPad1d = impl::PadLayer<1, impl::kReplicate>;
using ReplicationPad2d = impl::PadLayer<2, impl::kReplicate>;
using ReplicationPad3d = impl::PadLayer<3, impl::kReplicate>;

}  // namespace tessera::nn
