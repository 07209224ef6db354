#pragma once
// CPU convolution: a 2-D convolution and its two gradients, one image at a time, each image's
// windows built in a buffer of the thread and multiplied while they are in cache.

#include <algorithm>
#include <memory>
#include <vector>

#include "../../iter/plan.hpp"
#include "../../parallel/parallel_for.hpp"
#include "gemm.hpp"
#include "vectorized.hpp"

namespace tessera::detail {

// Note [Fused convolution]
// Composed from the kernel families (im2col over the whole batch, then one matrix product), a
// convolution writes its windows, kernel size times the input (9x for 3x3), to memory and reads
// them back. The CPU kernel takes one image at a time instead: its windows [C * kh * kw, OH * OW]
// (channels outer, the weight's order) go to a buffer of the thread and straight into the GEMM,
// which writes the image's output [out, OH * OW], PyTorch's NCHW layout. Threads take whole
// images when there are as many images as threads, else the images go one after the other and
// each product is split among threads. The weight's gradient sums over the batch: the batch is
// cut into pieces by its shape alone, each piece summed into its own buffer and the pieces added
// in order, so the result does not depend on the thread count. A device without such a kernel
// declines the plan (DeviceKernels::convolution) and the op is composed from im2col and matmul,
// as it is under create_graph, where the gradients must be recorded.

/** The sizes the kernels share. */
struct ConvolutionSizes {
  int64_t image, ohw, out_channels, groups, og, cgkk;  // og: out / groups; cgkk: C / groups * kh * kw
  ConvolutionSizes(const WindowGeometry& g, int64_t out, int64_t groups_)
      : image(g.c * g.h * g.w), ohw(g.oh * g.ow), out_channels(out), groups(groups_), og(out / groups_),
        cgkk(g.c / groups_ * g.kh * g.kw) {}
};

/** An image's windows: in the thread's buffer, kept between calls, up to 8 MiB; in a buffer of
 *  their own above, so that a large image does not hold its memory after the op. */
template <class T>
class WindowsBuffer {
 public:
  explicit WindowsBuffer(const ConvolutionSizes& s) {
    const size_t n = static_cast<size_t>(s.groups * s.cgkk * s.ohw);
    if (n * sizeof(T) <= (size_t{8} << 20)) {
      data_ = scratch<T, 2>(n);  // slots 0 and 1 are gemm's
    } else {
      own_.reset(new T[n]);
      data_ = own_.get();
    }
  }
  T* data() const { return data_; }

 private:
  std::unique_ptr<T[]> own_;
  T* data_;
};

/** Calls row(base, first, last, shift) for each window row of an image, channel by channel,
 *  kernel row, kernel column, output row (the windows' order): output columns x in [first, last)
 *  read image element base[x * sw + shift], the others are padding; base is nullptr when the
 *  row lies in the padding. */
template <class T, class F>
void for_each_window_line(const WindowGeometry& g, T* image, const F& row) {
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t ki = 0; ki < g.kh; ++ki)
      for (int64_t kj = 0; kj < g.kw; ++kj) {
        const int64_t shift = kj * g.dw - g.pw;  // x * sw + shift is the image column
        const int64_t first = std::min(g.ow, shift >= 0 ? 0 : (-shift + g.sw - 1) / g.sw);
        const int64_t last = std::clamp<int64_t>(g.w - shift <= 0 ? 0 : (g.w - shift + g.sw - 1) / g.sw, first, g.ow);
        for (int64_t y = 0; y < g.oh; ++y) {
          const int64_t iy = y * g.sh - g.ph + ki * g.dh;
          row(iy >= 0 && iy < g.h ? image + (c * g.h + iy) * g.w : nullptr, first, last, shift);
        }
      }
}

/** cols [C * kh * kw, OH * OW] = the windows of one contiguous image [C, H, W], zero outside it. */
template <class T>
void image_windows(T* cols, const T* image, const WindowGeometry& g) {
  for_each_window_line(g, image, [&](const T* base, int64_t first, int64_t last, int64_t shift) {
    if (!base) {
      std::fill(cols, cols + g.ow, T(0));
    } else {
      std::fill(cols, cols + first, T(0));
      if (g.sw == 1) std::copy(base + first + shift, base + last + shift, cols + first);
      else
        for (int64_t x = first; x < last; ++x) cols[x] = base[x * g.sw + shift];
      std::fill(cols + last, cols + g.ow, T(0));
    }
    cols += g.ow;
  });
}

/** image += every element of the windows `cols` at its pixel (image_windows' adjoint). */
template <class T>
void add_image_windows(T* image, const T* cols, const WindowGeometry& g) {
  for_each_window_line(g, image, [&](T* base, int64_t first, int64_t last, int64_t shift) {
    if (base && g.sw == 1) {  // one run, vectorised (-O2 leaves a loop of unknown length scalar)
      add_rows(base + first + shift, cols + first, 1, 0, last - first);
    } else if (base) {
      for (int64_t x = first; x < last; ++x) base[x * g.sw + shift] += cols[x];
    }
    cols += g.ow;
  });
}

/** Calls f(i, parallel) for i in [0, n): whole items to each thread when there are as many as
 *  threads and enough work (`work` multiply-adds per item), else one after the other, f
 *  splitting its own work when `parallel`. */
template <class F>
void for_each_image(int64_t n, int64_t work, const F& f) {
  const int64_t threads = get_num_threads();
  const bool worth = n * work >= 64 * 64 * 64;
  if (worth && threads > 1 && n >= threads) {
    parallel_for(0, n, 1, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) f(i, false);
    });
  } else {
    for (int64_t i = 0; i < n; ++i) f(i, worth);
  }
}

/** out [N, out, OH, OW] = the convolution of the contiguous images x with weight [out, C / groups,
 *  kh, kw], plus bias [out] when not null (Note [Fused convolution]). */
template <class T>
void convolution_forward(T* out, const T* x, const T* weight, const T* bias, const WindowGeometry& g,
                         int64_t out_channels, int64_t groups) {
  const ConvolutionSizes s(g, out_channels, groups);
  for_each_image(g.n, out_channels * s.ohw * s.cgkk, [&](int64_t n, bool parallel) {
    const WindowsBuffer<T> buffer(s);
    T* const cols = buffer.data();
    image_windows(cols, x + n * s.image, g);
    T* o = out + n * out_channels * s.ohw;
    for (int64_t i = 0; i < groups; ++i)
      gemm<T>(s.og, s.ohw, s.cgkk, {weight + i * s.og * s.cgkk, s.cgkk, 1}, {cols + i * s.cgkk * s.ohw, s.ohw, 1},
              {o + i * s.og * s.ohw, s.ohw, 1}, parallel);
    if (bias)  // after the product, as the composed convolution adds it
      for (int64_t k = 0; k < out_channels; ++k)
        for (T *p = o + k * s.ohw, *end = p + s.ohw; p < end; ++p) *p += bias[k];
  });
}

/** gx [N, C, H, W] = the gradient of the images from the output's gradient grad [N, out, OH, OW]
 *  and the weight. */
template <class T>
void convolution_backward_input(T* gx, const T* grad, const T* weight, const WindowGeometry& g, int64_t out_channels,
                                int64_t groups) {
  const ConvolutionSizes s(g, out_channels, groups);
  for_each_image(g.n, out_channels * s.ohw * s.cgkk, [&](int64_t n, bool parallel) {
    const WindowsBuffer<T> buffer(s);
    T* const cols = buffer.data();
    const T* gy = grad + n * out_channels * s.ohw;
    for (int64_t i = 0; i < groups; ++i)  // the weight transposed: element (r, o) at weight[o * cgkk + r]
      gemm<T>(s.cgkk, s.ohw, s.og, {weight + i * s.og * s.cgkk, 1, s.cgkk}, {gy + i * s.og * s.ohw, s.ohw, 1},
              {cols + i * s.cgkk * s.ohw, s.ohw, 1}, parallel);
    T* image = gx + n * s.image;
    std::fill(image, image + s.image, T(0));
    add_image_windows(image, cols, g);
  });
}

/** gw [out, C / groups, kh, kw] = the gradient of the weight from the output's gradient grad
 *  [N, out, OH, OW] and the images x, summed over the batch in pieces (Note [Fused convolution]).
 *  Each piece sums the transpose, the windows times the output's gradient transposed: the GEMM
 *  packs the small operand transposed, which costs little, and the large one as it lies. */
template <class T>
void convolution_backward_weight(T* gw, const T* grad, const T* x, const WindowGeometry& g, int64_t out_channels,
                                 int64_t groups) {
  const ConvolutionSizes s(g, out_channels, groups);
  const int64_t weight_size = out_channels * s.cgkk;
  if (g.n == 0 || weight_size == 0) {
    std::fill(gw, gw + weight_size, T(0));
    return;
  }
  // About 4096 output pixels per piece; at most 64 pieces, and 64 MiB of partial sums.
  constexpr int64_t kPieceBytes = int64_t{64} << 20;
  const int64_t most = std::clamp<int64_t>(kPieceBytes / (weight_size * static_cast<int64_t>(sizeof(T))), 1, 64);
  const int64_t per_piece = std::max({int64_t{1}, 4096 / s.ohw, (g.n + most - 1) / most});
  const int64_t pieces = (g.n + per_piece - 1) / per_piece;
  std::vector<T> partial(static_cast<size_t>(pieces * weight_size));  // each group's [cgkk, og]
  for_each_image(pieces, per_piece * out_channels * s.ohw * s.cgkk, [&](int64_t p, bool parallel) {
    T* sum = partial.data() + p * weight_size;
    const WindowsBuffer<T> buffer(s);
    T* const cols = buffer.data();
    const int64_t first = p * per_piece, last = std::min(g.n, first + per_piece);
    for (int64_t n = first; n < last; ++n) {
      image_windows(cols, x + n * s.image, g);
      const T* gy = grad + n * out_channels * s.ohw;
      for (int64_t i = 0; i < groups; ++i)  // the gradient transposed: element (p, o) at gy[o * ohw + p]
        gemm<T>(s.cgkk, s.og, s.ohw, {cols + i * s.cgkk * s.ohw, s.ohw, 1}, {gy + i * s.og * s.ohw, 1, s.ohw},
                {sum + i * s.og * s.cgkk, s.og, 1}, parallel, n == first ? GemmOutput::assign : GemmOutput::add);
    }
  });
  for (int64_t i = 0; i < groups; ++i)
    for (int64_t o = 0; o < s.og; ++o)
      for (int64_t r = 0; r < s.cgkk; ++r) {
        const int64_t at = i * s.og * s.cgkk + r * s.og + o;
        T total = partial[static_cast<size_t>(at)];
        for (int64_t p = 1; p < pieces; ++p) total += partial[static_cast<size_t>(p * weight_size + at)];
        gw[i * s.og * s.cgkk + o * s.cgkk + r] = total;
      }
}

}  // namespace tessera::detail
