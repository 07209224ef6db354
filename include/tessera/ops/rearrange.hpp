#pragma once
// Copies that rearrange elements: repeat, tile, flip, roll, rot90, tril/triu, diag, trace and
// tril_indices/triu_indices, as PyTorch's. Each is a composition of views, index_select, cat and
// where (Note [Rearrangements from ops]), so every device has them.

#include <optional>
#include <vector>

#include "../core/algorithm.hpp"
#include "creation.hpp"
#include "elementwise.hpp"
#include "indexing.hpp"
#include "join.hpp"
#include "reduce.hpp"
#include "view.hpp"

namespace tessera {

// Note [Rearrangements from ops]
// repeat is a broadcast (unsqueeze + expand) made contiguous by reshape; flip an index_select
// with reversed indices; roll a cat of two narrows; tril/triu a where over a mask of (column -
// row) that broadcasts over the batch dims. Each is computed with grad mode off and records
// PyTorch's node (FlipBackward0, RollBackward0, ...), whose gradient is the op's adjoint (flip,
// roll the other way, the sum of the repeated blocks, ...) written with these ops again, so that
// derivatives of any order follow.

namespace detail {

/** `forward()` of x computed without recording, and PyTorch's node `name` for it, whose gradient
 *  is `adjoint(g)`. */
template <class T, class Forward, class Adjoint>
Tensor<T> rearranged(const Tensor<T>& x, const char* name, Forward forward, Adjoint adjoint) {
  Tensor<T> out;
  {
    NoGradGuard no_grad;
    out = forward();
  }
  if constexpr (is_floating_v<T>)
    if (needs_grad(x)) record<AdjointBackward<T, Adjoint>>({x}, {out}, name, std::move(adjoint));
  return out;
}

/** The [rows, cols] mask of column - row <= diagonal (lower) or >= diagonal (upper). */
inline Tensor<bool> triangle_mask(int64_t rows, int64_t cols, int64_t diagonal, bool lower, Device device) {
  const Tensor<int64_t> r = arange<int64_t>(0, static_cast<double>(rows), 1, {.device = device}).unsqueeze(1);
  const Tensor<int64_t> c = arange<int64_t>(0, static_cast<double>(cols), 1, {.device = device}).unsqueeze(0);
  const Tensor<int64_t> offset = c - r;
  return lower ? offset <= diagonal : offset >= diagonal;
}

template <class T>
Tensor<T> triangle(const Tensor<T>& x, int64_t diagonal, bool lower, const char* op) {
  TS_CHECK(x.dim() >= 2, op, ": input tensor must have at least 2 dimensions, got shape ", shape_str(x.sizes()));
  const Tensor<bool> keep = triangle_mask(x.size(-2), x.size(-1), diagonal, lower, x.device());
  return rearranged(x, lower ? "TrilBackward0" : "TriuBackward0",
                    [&] { return where(keep, x, zeros<T>({}, {.device = x.device()})); },
                    [keep](const Tensor<T>& g) { return where(keep, g, zeros<T>({}, {.device = g.device()})); });
}

inline Tensor<int64_t> triangle_indices(int64_t rows, int64_t cols, int64_t offset, bool lower,
                                        const TensorOptions& options, const char* op) {
  TS_CHECK(rows >= 0 && cols >= 0, op, ": row and col must be non-negative, got ", rows, " and ", cols);
  std::vector<int64_t> r, c;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      if (lower ? j - i <= offset : j - i >= offset) r.push_back(i), c.push_back(j);
  const int64_t n = static_cast<int64_t>(r.size());
  r.insert(r.end(), c.begin(), c.end());
  return from_vector(r, {2, n}, {.device = options.device});
}

}  // namespace detail

/** x repeated sizes[i] times along dim i (sizes may add leading dims), as Tensor.repeat. */
template <class T>
Tensor<T> Tensor<T>::repeat(const Shape& sizes) const {
  const int64_t n = static_cast<int64_t>(sizes.size());
  TS_CHECK(n >= dim(), "repeat: Number of dimensions of repeat dims can not be smaller than number of dimensions of "
           "tensor (repeat dims ", detail::shape_str(sizes), ", tensor ", detail::shape_str(this->sizes()), ")");
  for (int64_t r : sizes) TS_CHECK(r >= 0, "repeat: Trying to create tensor with negative dimension ", r, ": ",
                                   detail::shape_str(sizes));
  Shape padded = Shape::filled(static_cast<size_t>(n - dim()), 1);
  for (int64_t s : this->sizes()) padded.push_back(s);
  Shape interleaved, expanded, result;  // [1, s0, 1, s1, ...] -> [r0, s0, r1, s1, ...] -> [r0 s0, r1 s1, ...]
  for (int64_t i = 0; i < n; ++i) {
    interleaved.push_back(1), interleaved.push_back(padded[i]);
    expanded.push_back(sizes[i]), expanded.push_back(padded[i]);
    result.push_back(sizes[i] * padded[i]);
  }
  return detail::rearranged(
      *this, "RepeatBackward0",
      [&] {
        const Tensor out = detail::empty_tensor<T>(expanded, {.device = device()}, "repeat");  // a copy, always
        out.copy_(reshape(interleaved).expand(expanded));
        return out.view(result);
      },
      [expanded, shape = this->sizes(), n](const Tensor& g) {  // each block's gradient, summed
        Shape blocks;
        for (int64_t i = 0; i < n; ++i) blocks.push_back(2 * i);
        return g.reshape(expanded).sum(blocks, true).reshape(shape);
      });
}

/** torch.tile: repeat, with dims padded by leading ones when fewer than the tensor's. */
template <class T>
Tensor<T> tile(const Tensor<T>& x, const Shape& dims) {
  Shape sizes = Shape::filled(static_cast<size_t>(std::max<int64_t>(x.dim() - static_cast<int64_t>(dims.size()), 0)), 1);
  for (int64_t d : dims) sizes.push_back(d);
  return x.repeat(sizes);
}
template <class T>
Tensor<T> Tensor<T>::tile(const Shape& dims) const {
  return tessera::tile(*this, dims);
}

/** torch.flip: the order of the elements reversed along each of `dims`. */
template <class T>
Tensor<T> flip(const Tensor<T>& x, const Shape& dims) {
  std::vector<bool> seen(static_cast<size_t>(std::max<int64_t>(x.dim(), 1)), false);
  for (int64_t d : dims) {
    const int64_t w = detail::wrap_dim(d, x.dim(), "flip");
    TS_CHECK(!seen[static_cast<size_t>(w)], "flip: dim ", w, " appears multiple times in the list of dims");
    seen[static_cast<size_t>(w)] = true;
  }
  return detail::rearranged(
      x, "FlipBackward0",
      [&] {
        if (dims.empty() || x.dim() == 0) return x.clone();
        Tensor<T> out = x;
        for (int64_t d : dims) {
          const int64_t w = detail::wrap_dim(d, x.dim(), "flip"), n = x.size(w);
          out = out.index_select(w, arange<int64_t>(static_cast<double>(n - 1), -1.0, -1, {.device = x.device()}));
        }
        return out;
      },
      [dims](const Tensor<T>& g) { return flip(g, dims); });
}
template <class T>
Tensor<T> Tensor<T>::flip(const Shape& dims) const {
  return tessera::flip(*this, dims);
}
template <class T>
Tensor<T> fliplr(const Tensor<T>& x) {
  TS_CHECK(x.dim() >= 2, "fliplr: Input must be >= 2-d.");
  return flip(x, {1});
}
template <class T>
Tensor<T> flipud(const Tensor<T>& x) {
  TS_CHECK(x.dim() >= 1, "flipud: Input must be >= 1-d.");
  return flip(x, {0});
}

/** torch.roll: elements shifted by shifts[i] along dims[i], wrapping around; with no dims, over
 *  the flattened tensor (then restored to its shape). */
template <class T>
Tensor<T> roll(const Tensor<T>& x, const Shape& shifts, const Shape& dims = {}) {
  if (dims.empty()) {
    TS_CHECK(shifts.size() == 1, "roll: shifts must be a single value when dims is not given, got ",
             detail::shape_str(shifts));
    Shape back = {-shifts[0]};
    return detail::rearranged(
        x, "RollBackward0", [&] { return roll(x.flatten(), shifts, {0}).view(x.sizes()); },
        [back](const Tensor<T>& g) { return roll(g, back); });
  }
  TS_CHECK(shifts.size() == dims.size(), "roll: shifts and dimensions must align. shifts: ", shifts.size(),
           ", dims:", dims.size());
  TS_CHECK(x.dim() > 0, "roll: Dimension specified as ", dims[0], " but tensor has no dimensions");
  for (int64_t d : dims) detail::wrap_dim(d, x.dim(), "roll");
  Shape back;  // the adjoint rolls the other way
  for (int64_t s : shifts) back.push_back(-s);
  return detail::rearranged(
      x, "RollBackward0",
      [&] {
        Tensor<T> out = x;
        bool moved = false;
        for (size_t i = 0; i < dims.size(); ++i) {
          const int64_t d = detail::wrap_dim(dims[i], x.dim(), "roll"), n = x.size(d);
          const int64_t s = n == 0 ? 0 : ((shifts[i] % n) + n) % n;
          if (s == 0) continue;
          out = cat(std::vector<Tensor<T>>{out.narrow(d, n - s, s), out.narrow(d, 0, n - s)}, d);
          moved = true;
        }
        return moved ? out : x.clone();
      },
      [back, dims](const Tensor<T>& g) { return roll(g, back, dims); });
}
template <class T>
Tensor<T> Tensor<T>::roll(const Shape& shifts, const Shape& dims) const {
  return tessera::roll(*this, shifts, dims);
}

/** torch.rot90: rotated by 90 degrees k times in the plane of dims, from the first towards the second. */
template <class T>
Tensor<T> rot90(const Tensor<T>& x, int64_t k = 1, const Shape& dims = {0, 1}) {
  TS_CHECK(dims.size() == 2, "rot90: expected total rotation dims == 2, but got dims = ", dims.size());
  TS_CHECK(x.dim() >= 2, "rot90: expected total dims >= 2, but got total dims = ", x.dim());
  const int64_t d0 = detail::wrap_dim(dims[0], x.dim(), "rot90"), d1 = detail::wrap_dim(dims[1], x.dim(), "rot90");
  TS_CHECK(d0 != d1, "rot90: expected rotation dims to be different, but got dim0 = ", d0, " and dim1 = ", d1);
  return detail::rearranged(
      x, "Rot90Backward0",
      [&] {
        switch (((k % 4) + 4) % 4) {
          case 1: return flip(x, {d1}).transpose(d0, d1);
          case 2: return flip(x, {d0, d1});
          case 3: return flip(x, {d0}).transpose(d0, d1);
          default: return x.clone();
        }
      },
      [k, dims](const Tensor<T>& g) { return rot90(g, -k, dims); });
}
template <class T>
Tensor<T> Tensor<T>::rot90(int64_t k, const Shape& dims) const {
  return tessera::rot90(*this, k, dims);
}

/** torch.tril / triu: the lower (upper) triangle of the last two dims from `diagonal` on, zeros elsewhere. */
template <class T>
Tensor<T> tril(const Tensor<T>& x, int64_t diagonal = 0) {
  return detail::triangle(x, diagonal, true, "tril");
}
template <class T>
Tensor<T> triu(const Tensor<T>& x, int64_t diagonal = 0) {
  return detail::triangle(x, diagonal, false, "triu");
}
template <class T>
Tensor<T> Tensor<T>::tril(int64_t diagonal) const {
  return tessera::tril(*this, diagonal);
}
template <class T>
Tensor<T> Tensor<T>::triu(int64_t diagonal) const {
  return tessera::triu(*this, diagonal);
}
template <class T>
const Tensor<T>& Tensor<T>::tril_(int64_t diagonal) const {
  TS_CHECK(dim() >= 2, "tril_: input tensor must have at least 2 dimensions, got shape ", detail::shape_str(sizes()));
  return masked_fill_(logical_not(detail::triangle_mask(size(-2), size(-1), diagonal, true, device())), 0);
}
template <class T>
const Tensor<T>& Tensor<T>::triu_(int64_t diagonal) const {
  TS_CHECK(dim() >= 2, "triu_: input tensor must have at least 2 dimensions, got shape ", detail::shape_str(sizes()));
  return masked_fill_(logical_not(detail::triangle_mask(size(-2), size(-1), diagonal, false, device())), 0);
}

/** torch.tril_indices / triu_indices: the [2, n] row and column indices of the triangle, row by row. */
inline Tensor<int64_t> tril_indices(int64_t row, int64_t col, int64_t offset = 0, const TensorOptions& options = {}) {
  return detail::triangle_indices(row, col, offset, true, options, "tril_indices");
}
inline Tensor<int64_t> triu_indices(int64_t row, int64_t col, int64_t offset = 0, const TensorOptions& options = {}) {
  return detail::triangle_indices(row, col, offset, false, options, "triu_indices");
}

/** torch.diag: of a vector, the square matrix with it on the `diagonal`-th diagonal; of a
 *  matrix, a copy of that diagonal. */
template <class T>
Tensor<T> diag(const Tensor<T>& x, int64_t diagonal = 0) {
  TS_CHECK(x.dim() == 1 || x.dim() == 2, "diag: matrix or a vector expected, got shape ", detail::shape_str(x.sizes()));
  if (x.dim() == 2)
    return detail::rearranged(
        x, "DiagBackward0", [&] { return x.diagonal(diagonal).clone(); },
        [diagonal, shape = x.sizes()](const Tensor<T>& g) {
          return diagonal_scatter(zeros<T>(shape, {.device = g.device()}), g, diagonal);
        });
  const int64_t len = x.size(0), shift = diagonal < 0 ? -diagonal : diagonal, n = len + shift;
  return detail::rearranged(
      x, "DiagBackward0",
      [&] {
        // Row i holds x[i] at column i + diagonal (diagonal >= 0); column j holds x[j] at row j - diagonal.
        const Tensor<T> padded = shift == 0 ? x : cat(std::vector<Tensor<T>>{x, zeros<T>({shift}, {.device = x.device()})});
        const Tensor<T> spread = diagonal >= 0 ? padded.unsqueeze(1).expand({n, n}) : padded.unsqueeze(0).expand({n, n});
        return where(detail::triangle_mask(n, n, diagonal, true, x.device()) &&
                         detail::triangle_mask(n, n, diagonal, false, x.device()),
                     spread, zeros<T>({}, {.device = x.device()}));
      },
      [diagonal](const Tensor<T>& g) { return g.diagonal(diagonal); });
}
template <class T>
Tensor<T> Tensor<T>::diag(int64_t diagonal) const {
  return tessera::diag(*this, diagonal);
}

/** torch.diag_embed: a tensor with one more dim whose diagonals (offset, over dims d1 and d2 of
 *  the result) hold the last dim of x; zeros elsewhere. */
template <class T>
Tensor<T> diag_embed(const Tensor<T>& x, int64_t offset = 0, int64_t d1 = -2, int64_t d2 = -1) {
  const int64_t nd = x.dim() + 1;
  const int64_t a = detail::wrap_dim(d1, nd, "diag_embed"), b = detail::wrap_dim(d2, nd, "diag_embed");
  TS_CHECK(a != b, "diag_embed: diagonal dimensions cannot be identical ", d1, ", ", d2);
  const int64_t len = (offset < 0 ? -offset : offset) + x.size(-1);
  Shape sizes = x.sizes();
  sizes.resize(sizes.size() - 1);
  sizes.insert(std::min(a, b), len);
  sizes.insert(std::max(a, b), len);
  Tensor<T> out = zeros<T>(sizes, {.device = x.device()});
  {
    NoGradGuard no_grad;
    out.diagonal(offset, a, b).copy_(x);
  }
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(x)) detail::record<detail::DiagEmbedBackward0<T>>({x}, {out}, offset, a, b);
  return out;
}
template <class T>
Tensor<T> Tensor<T>::diag_embed(int64_t offset, int64_t d1, int64_t d2) const {
  return tessera::diag_embed(*this, offset, d1, d2);
}

/** torch.trace: the sum of a matrix's main diagonal. */
template <class T>
Tensor<sum_t<T>> trace(const Tensor<T>& x) {
  TS_CHECK(x.dim() == 2, "trace: expected a matrix, but got tensor with dim ", x.dim());
  if constexpr (!is_floating_v<T>) {
    return x.diagonal().sum();
  } else {
    return detail::rearranged(x, "TraceBackward0", [&] { return x.diagonal().sum(); },
                              [shape = x.sizes()](const Tensor<T>& g) {
                                return diagonal_scatter(zeros<T>(shape, {.device = g.device()}), g.expand({std::min(shape[0], shape[1])}));
                              });
  }
}
template <class T>
Tensor<sum_t<T>> Tensor<T>::trace() const {
  return tessera::trace(*this);
}

/** torch.diagflat: the flattened input on the offset-th diagonal of a square matrix. */
template <class T>
Tensor<T> diagflat(const Tensor<T>& x, int64_t offset = 0) {
  return x.diagflat(offset);
}

// --- pixel_shuffle, pixel_unshuffle, channel_shuffle: reshape, permute, reshape (a copy) -----

template <class T>
Tensor<T> pixel_unshuffle(const Tensor<T>& x, int64_t downscale_factor);

namespace detail {
/** x split into `split`, permuted by `perm` and copied into `out`'s shape, recorded as PyTorch's
 *  node `name` whose gradient is formula(g), the inverse rearrangement (FormulaBackward). */
template <class T, class Formula>
Tensor<T> shuffle_pixels(const Tensor<T>& x, const Shape& split, const Shape& perm, const Shape& out, const char* name,
                         Formula formula) {
  Tensor<T> result;
  {
    NoGradGuard no_grad;
    result = x.reshape(split).permute(perm).contiguous().view(out);
  }
  if constexpr (is_floating_v<T>)
    if (needs_grad(x)) record<FormulaBackward<T, Formula>>({x}, {result}, name, std::move(formula));
  return result;
}
}  // namespace detail

/** torch.pixel_shuffle: (*, C r^2, H, W) -> (*, C, H r, W r). */
template <class T>
Tensor<T> pixel_shuffle(const Tensor<T>& x, int64_t upscale_factor) {
  TS_CHECK(x.dim() >= 3, "pixel_shuffle: pixel_shuffle expects input to have at least 3 dimensions, but got input "
           "with ", x.dim(), " dimension(s)");
  const int64_t r = upscale_factor;
  TS_CHECK(r > 0, "pixel_shuffle: pixel_shuffle expects a positive upscale_factor, but got ", r);
  const int64_t c = x.size(-3), h = x.size(-2), w = x.size(-1);
  TS_CHECK(c % (r * r) == 0, "pixel_shuffle: pixel_shuffle expects its input's 'channel' dimension to be divisible by "
           "the square of upscale_factor, but input.size(-3)=", c, " is not divisible by ", r * r);
  const int64_t batch = x.dim() - 3;
  Shape split, out, perm;
  for (int64_t d = 0; d < batch; ++d) split.push_back(x.size(d));
  out = split;
  for (int64_t d : {c / (r * r), r, r, h, w}) split.push_back(d);
  for (int64_t d : {c / (r * r), h * r, w * r}) out.push_back(d);
  for (int64_t d = 0; d < batch; ++d) perm.push_back(d);
  for (int64_t d : {0, 3, 1, 4, 2}) perm.push_back(batch + d);
  return detail::shuffle_pixels(x, split, perm, out, "PixelShuffleBackward0",
                                [r](const Tensor<T>& g, const Tensor<int64_t>&) { return pixel_unshuffle(g, r); });
}

/** torch.pixel_unshuffle: (*, C, H r, W r) -> (*, C r^2, H, W). */
template <class T>
Tensor<T> pixel_unshuffle(const Tensor<T>& x, int64_t downscale_factor) {
  TS_CHECK(x.dim() >= 3, "pixel_unshuffle: pixel_unshuffle expects input to have at least 3 dimensions, but got input "
           "with ", x.dim(), " dimension(s)");
  const int64_t r = downscale_factor;
  TS_CHECK(r > 0, "pixel_unshuffle: pixel_unshuffle expects a positive downscale_factor, but got ", r);
  const int64_t c = x.size(-3), h = x.size(-2), w = x.size(-1);
  TS_CHECK(h % r == 0, "pixel_unshuffle: pixel_unshuffle expects height to be divisible by downscale_factor, but "
           "input.size(-2)=", h, " is not divisible by ", r);
  TS_CHECK(w % r == 0, "pixel_unshuffle: pixel_unshuffle expects width to be divisible by downscale_factor, but "
           "input.size(-1)=", w, " is not divisible by ", r);
  const int64_t batch = x.dim() - 3;
  Shape split, out, perm;
  for (int64_t d = 0; d < batch; ++d) split.push_back(x.size(d));
  out = split;
  for (int64_t d : {c, h / r, r, w / r, r}) split.push_back(d);
  for (int64_t d : {c * r * r, h / r, w / r}) out.push_back(d);
  for (int64_t d = 0; d < batch; ++d) perm.push_back(d);
  for (int64_t d : {0, 2, 4, 1, 3}) perm.push_back(batch + d);
  return detail::shuffle_pixels(x, split, perm, out, "PixelUnshuffleBackward0",
                                [r](const Tensor<T>& g, const Tensor<int64_t>&) { return pixel_shuffle(g, r); });
}

/** torch.channel_shuffle: (N, C, *) with C = g k -> the channels reordered as k groups of g. */
template <class T>
Tensor<T> channel_shuffle(const Tensor<T>& x, int64_t groups) {
  TS_CHECK(x.dim() > 2, "channel_shuffle: channel_shuffle expects input with > 2 dims, but got input with sizes ",
           detail::shape_str(x.sizes()));
  TS_CHECK(groups > 0, "channel_shuffle: Number of groups to divide channels in must be positive. Value of groups:",
           groups);
  const int64_t c = x.size(1);
  TS_CHECK(c % groups == 0, "channel_shuffle: Number of channels must be divisible by groups. Got ", c,
           " channels and ", groups, " groups.");
  Shape split = x.sizes();
  split[1] = c / groups;
  split.insert(1, groups);
  Tensor<T> out;
  {
    NoGradGuard no_grad;
    out = x.reshape(split).transpose(1, 2).contiguous().view(x.sizes());
  }
  // PyTorch 1.13 has no derivative for channel_shuffle: backward through it throws.
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(x)) detail::record<detail::NotImplemented>({x}, {out}, std::string("channel_shuffle"));
  return out;
}

}  // namespace tessera
