#pragma once
// CPU convolution: a 2-D convolution and its two gradients, one image at a time. With stride 1
// the kernels read the windows straight from a padded copy of the image; otherwise each image's
// windows are built in a buffer of the thread and multiplied while they are in cache.

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
// in order, so the result does not depend on the thread count. With stride 1 no windows are
// built (Notes [Direct convolution], [Direct weight gradient]). A device without such a kernel
// declines the plan (DeviceKernels::convolution) and the op is composed from im2col and matmul,
// as it is under create_graph, where the gradients must be recorded.

/** The sizes the kernels share. */
struct ConvolutionSizes {
  int64_t image, ohw, out_channels, groups, og, cgkk;  // og: out / groups; cgkk: C / groups * kh * kw
  ConvolutionSizes(const WindowGeometry& g, int64_t out, int64_t groups_)
      : image(g.c * g.h * g.w), ohw(g.oh * g.ow), out_channels(out), groups(groups_), og(out / groups_),
        cgkk(g.c / groups_ * g.kh * g.kw) {}
};

/** An image's windows or padded copy: in the thread's buffer, kept between calls, up to 8 MiB; in
 *  a buffer of their own above, so that a large image does not hold its memory after the op. */
template <class T>
class ImageBuffer {
 public:
  explicit ImageBuffer(int64_t elements) {
    const auto n = static_cast<size_t>(elements);
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

// Note [Direct convolution]
// With stride 1, output pixel (y, x) reads weight element k = (c, i, j) against the image padded
// with zeros at (c, y + i * dh, x + j * dw): along an output row, consecutive pixels read
// consecutive elements. The direct kernel therefore reads the GEMM's B operand, a row of windows
// for each k, straight from a padded copy of the image at offsets[k] + y * Wp + x: the
// micro-kernel of Note [GEMM blocking] with neither windows nor a packed B. It computes NR pixels
// of a row at a time; a row's last NR may run past its end into the next row's elements (the
// copy ends with NR zeros so that they stay inside it), and those lanes are dropped. It is used
// when the dropped lanes are at most a quarter of the work. The image's gradient is the same
// kernel: a stride-1 convolution of the output's gradient with the weight flipped and transposed.

/** A stride-1 convolution of images [C, H, W] to outputs [out, OH, OW]. The windows read the
 *  image padded by ph rows above and pw columns to the left (cut when negative), and by whatever
 *  they overhang below and to the right (PyTorch's padding "same" with an even kernel pads one
 *  more there). */
struct DirectGeometry {
  int64_t c, h, w, kh, kw, dh, dw, ph, pw, oh, ow, out_channels, groups;
  int64_t hp() const { return oh + dh * (kh - 1); }  // the padded image the windows read
  int64_t wp() const { return ow + dw * (kw - 1); }
  int64_t k() const { return c / groups * kh * kw; }  // a group's weight row
};

/** dst [C, Hp, Wp] followed by `slack` zeros: element (c, y, x) is the image's (c, y - ph, x - pw),
 *  zero outside it. */
template <class T>
void pad_image(T* dst, const T* src, const DirectGeometry& g, int64_t slack) {
  const int64_t hp = g.hp(), wp = g.wp();
  const int64_t x0 = std::clamp<int64_t>(g.pw, 0, wp), x1 = std::clamp<int64_t>(g.pw + g.w, x0, wp);
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t y = 0; y < hp; ++y, dst += wp) {
      const int64_t from = y - g.ph;  // the image's row
      if (from < 0 || from >= g.h) {
        std::fill_n(dst, wp, T(0));
        continue;
      }
      const T* row = src + (c * g.h + from) * g.w;
      std::fill_n(dst, x0, T(0));
      std::copy(row + x0 - g.pw, row + x1 - g.pw, dst + x0);
      std::fill(dst + x1, dst + wp, T(0));
    }
  std::fill_n(dst, slack, T(0));
}

/** offsets[k] of a group's weight element k = (c, i, j) in the padded image: (c, i * dh, j * dw). */
inline std::vector<int64_t> window_offsets(const DirectGeometry& g) {
  std::vector<int64_t> offsets;
  for (int64_t c = 0; c < g.c / g.groups; ++c)
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j) offsets.push_back((c * g.hp() + i * g.dh) * g.wp() + j * g.dw);
  return offsets;
}

/** o[c, :] += bias[c] for an image's output [out, ohw], after the product as the composed
 *  convolution adds it. */
template <class T>
void add_bias(T* o, const T* bias, int64_t out_channels, int64_t ohw) {
  for (int64_t c = 0; c < out_channels; ++c)
    for (T *p = o + c * ohw, *end = p + ohw; p < end; ++p) *p += bias[c];
}

template <class T, int Lanes>
struct DirectConvolution {
  using Gemm = GemmKernel<T, Lanes>;
  static constexpr int MR = Gemm::MR, NR = Gemm::NR, kEdgeRows = Gemm::kEdgeRows;
  static constexpr int64_t KC = Gemm::Shape::KC;
  using MicroFn = void (*)(int64_t, const T*, const int64_t*, const T*, T*, int64_t, bool);

  /** The micro-kernel's B: row k of the windows at x + offsets[k]. */
  struct OffsetRows {
    const T* x;
    const int64_t* offsets;
    [[gnu::always_inline]] const T* operator()(int64_t k) const { return x + offsets[k]; }
  };

  /** Whether the lanes dropped at the ends of rows of `ow` pixels are at most a quarter of the work. */
  static bool fits(int64_t ow) { return ow * 4 >= (ow + NR - 1) / NR * NR * 3; }

  /** out [N, out, OH, OW] = the convolution of images [N, C, H, W] with weight [out, C / groups, kh,
   *  kw], plus bias [out] when not null. */
  static void run(T* out, const T* images, int64_t n, const T* weight, const T* bias, const DirectGeometry& g,
                  MicroFn full, MicroFn edge) {
    const int64_t og = g.out_channels / g.groups, k = g.k(), hp = g.hp(), wp = g.wp(), oh = g.oh, ow = g.ow;
    const int64_t cg = g.c / g.groups, ohw = oh * ow;
    const std::vector<int64_t> offsets = window_offsets(g);
    // The weight rows in panels of MR rows and a last one of kEdgeRows or fewer, or, when MR and
    // the rest make whole edge panels (16 rows: 8 and 8, not 12 and 4 in 8), in edge panels.
    std::vector<int64_t> heights(static_cast<size_t>(og / MR), MR);
    if (const int64_t rest = og % MR; rest > 0 && og > MR && (MR + rest) % kEdgeRows == 0) {
      heights.pop_back();
      heights.insert(heights.end(), static_cast<size_t>((MR + rest) / kEdgeRows), kEdgeRows);
    } else if (rest > 0) {
      heights.push_back(rest);
    }
    const auto panels = static_cast<int64_t>(heights.size());
    // K in equal chunks of at most KC, each group's chunk packed panel by panel (the GEMM's packed A).
    const int64_t chunks = (k + KC - 1) / KC, kc_max = (k + chunks - 1) / chunks;
    std::vector<T> packed(static_cast<size_t>(g.groups * panels * MR * k));
    for (int64_t i = 0; i < g.groups; ++i)
      for (int64_t k0 = 0; k0 < k; k0 += kc_max) {
        const int64_t kc = std::min(kc_max, k - k0);
        for (int64_t p = 0, r = 0; p < panels; r += heights[static_cast<size_t>(p)], ++p)
          Gemm::pack_a({weight + i * og * k, k, 1}, r, heights[static_cast<size_t>(p)], k0, kc,
                       packed.data() + ((i * k + k0) * panels + p * kc) * MR);
      }
    const int64_t segments = (ow + NR - 1) / NR, tiles = oh * segments;
    for_each_image(n, g.out_channels * ohw * k, [&](int64_t image, bool parallel) {
      const ImageBuffer<T> buffer(g.c * hp * wp + NR);
      T* const xp = buffer.data();
      pad_image(xp, images + image * g.c * g.h * g.w, g, NR);
      T* const o = out + image * g.out_channels * ohw;
      auto run_tiles = [&](int64_t first, int64_t last) {
        alignas(64) T tile[MR * NR];
        for (int64_t i = 0; i < g.groups; ++i)
          for (int64_t k0 = 0; k0 < k; k0 += kc_max) {
            const int64_t kc = std::min(kc_max, k - k0);
            const bool accumulate = k0 > 0;
            for (int64_t t = first; t < last; ++t) {
              const int64_t y = t / segments, x = t % segments * NR, w = std::min<int64_t>(NR, ow - x);
              const T* window = xp + i * cg * hp * wp + y * wp + x;
              for (int64_t p = 0, r = 0; p < panels; r += heights[static_cast<size_t>(p)], ++p) {
                const int64_t h = heights[static_cast<size_t>(p)];
                const T* ap = packed.data() + ((i * k + k0) * panels + p * kc) * MR;
                T* c = o + (i * og + r) * ohw + y * ow + x;
                const MicroFn kernel = h <= kEdgeRows ? edge : full;
                if ((h == MR || h == kEdgeRows) && w == NR) {
                  kernel(kc, ap, offsets.data() + k0, window, c, ohw, accumulate);
                } else {  // the rows and pixels that exist, through a tile
                  kernel(kc, ap, offsets.data() + k0, window, tile, NR, false);
                  for (int64_t a = 0; a < h; ++a)
                    for (int64_t b = 0; b < w; ++b) c[a * ohw + b] = (accumulate ? c[a * ohw + b] : T(0)) + tile[a * NR + b];
                }
              }
            }
          }
      };
      if (parallel) parallel_for(0, tiles, 1, run_tiles);
      else run_tiles(0, tiles);
      if (bias) add_bias(o, bias, g.out_channels, ohw);
    });
  }
};

template <class T, int Lanes, int Rows>
TS_TARGET_AVX512 void direct_avx512(int64_t kc, const T* ap, const int64_t* offsets, const T* x, T* c, int64_t ldc,
                                    bool accumulate) {
  using D = DirectConvolution<T, Lanes>;
  D::Gemm::template micro<Rows>(kc, ap, typename D::OffsetRows{x, offsets}, c, ldc, accumulate);
}
template <class T, int Lanes, int Rows>
TS_TARGET_AVX2 void direct_avx2(int64_t kc, const T* ap, const int64_t* offsets, const T* x, T* c, int64_t ldc,
                                bool accumulate) {
  using D = DirectConvolution<T, Lanes>;
  D::Gemm::template micro<Rows>(kc, ap, typename D::OffsetRows{x, offsets}, c, ldc, accumulate);
}
template <class T, int Lanes, int Rows>
void direct_baseline(int64_t kc, const T* ap, const int64_t* offsets, const T* x, T* c, int64_t ldc,
                     bool accumulate) {
  using D = DirectConvolution<T, Lanes>;
  D::Gemm::template micro<Rows>(kc, ap, typename D::OffsetRows{x, offsets}, c, ldc, accumulate);
}

/** The direct convolution (Note [Direct convolution]) at the widest vector width; false, having
 *  done nothing, when its rows would drop too many lanes. */
template <class T>
bool direct_convolution(T* out, const T* images, int64_t n, const T* weight, const T* bias, const DirectGeometry& g) {
  constexpr int per16 = 16 / static_cast<int>(sizeof(T));  // lanes in 16 bytes
  auto run = [&]<int Lanes>(auto full, auto edge) {
    using D = DirectConvolution<T, Lanes>;
    if (!D::fits(g.ow)) return false;
    D::run(out, images, n, weight, bias, g, full, edge);
    return true;
  };
  switch (simd_level()) {
#if TS_HAS_X86_DISPATCH
    case SimdLevel::AVX512: {
      using D = DirectConvolution<T, per16 * 4>;
      return run.template operator()<per16 * 4>(direct_avx512<T, per16 * 4, D::MR>,
                                                direct_avx512<T, per16 * 4, D::kEdgeRows>);
    }
    case SimdLevel::AVX2: {
      using D = DirectConvolution<T, per16 * 2>;
      return run.template operator()<per16 * 2>(direct_avx2<T, per16 * 2, D::MR>,
                                                direct_avx2<T, per16 * 2, D::kEdgeRows>);
    }
#endif
    default: {
      using D = DirectConvolution<T, per16>;
      return run.template operator()<per16>(direct_baseline<T, per16, D::MR>, direct_baseline<T, per16, D::kEdgeRows>);
    }
  }
}

/** The direct convolution's geometry for a stride-1 WindowGeometry, or for the image's gradient
 *  (the output's gradient convolved with the weight flipped and transposed, padded by
 *  (k - 1) * d - p above and to the left); false when there is a stride. */
inline bool direct_geometry(const WindowGeometry& g, int64_t out_channels, int64_t groups, bool gradient,
                            DirectGeometry& d) {
  if (g.sh != 1 || g.sw != 1) return false;
  d = gradient ? DirectGeometry{out_channels, g.oh, g.ow, g.kh, g.kw, g.dh, g.dw, (g.kh - 1) * g.dh - g.ph,
                                (g.kw - 1) * g.dw - g.pw, g.h, g.w, g.c, groups}
               : DirectGeometry{g.c, g.h, g.w, g.kh, g.kw, g.dh, g.dw, g.ph, g.pw, g.oh, g.ow, out_channels, groups};
  return true;
}

// Note [Direct weight gradient]
// The weight's gradient with stride 1, gw[o, k] = sum over images and output pixels (y, x) of
// grad[o, y, x] * padded[offsets[k] + y * Wp + x], reads the same padded image rows as the
// direct kernel: no windows, no transposes. A tile of RO output channels by RK weight elements
// keeps RO * RK vectors of partial sums in registers across an image's rows, each lane summing
// the pixels x = lane (mod Lanes); a row's last pixels are loaded into zeroed vectors, so lanes
// past its end add exact zeros and read nothing outside the image. The vectors are kept across
// the images of a piece of the batch (Note [Fused convolution]) and their lanes added, in order,
// at the end of the piece. Tiles past the last channel or weight element repeat the last one
// and are dropped.

template <class T, int Lanes>
struct DirectWeightGradient {
  static constexpr bool kWide = Lanes * sizeof(T) >= 64;  // 32 vector registers
  static constexpr int RO = kWide ? 4 : 3, RK = kWide ? 6 : 4;
  typedef T Vec __attribute__((vector_size(Lanes * sizeof(T))));
  using TileFn = void (*)(const T* const*, const T* const*, int64_t, int64_t, int64_t, T*);

  /** acc[i][j] += a vector of `bytes` (the rest zeros) of g[i] from gx times one of w[j] from wx. */
  [[gnu::always_inline]] static inline void step(Vec (&acc)[RO][RK], const T* const (&g)[RO], const T* const (&w)[RK],
                                                 int64_t gx, int64_t wx, size_t bytes) {
    Vec gv[RO];
#pragma GCC unroll 8
    for (int i = 0; i < RO; ++i) {
      gv[i] = Vec{};
      std::memcpy(&gv[i], g[i] + gx, bytes);
    }
#pragma GCC unroll 8
    for (int j = 0; j < RK; ++j) {
      Vec wv = Vec{};
      std::memcpy(&wv, w[j] + wx, bytes);
#pragma GCC unroll 8
      for (int i = 0; i < RO; ++i) acc[i][j] += gv[i] * wv;
    }
  }

  /** sums [RO][RK][Lanes] += grad rows g[i] times window rows w[j], over oh rows of ow pixels (row
   *  strides ow and wp). Always inlined into a wrapper compiled for the chosen instruction set. */
  [[gnu::always_inline]] static inline void tile(const T* const* g, const T* const* w, int64_t oh, int64_t ow,
                                                 int64_t wp, T* sums) {
    Vec acc[RO][RK];
#pragma GCC unroll 8
    for (int i = 0; i < RO; ++i)
#pragma GCC unroll 8
      for (int j = 0; j < RK; ++j) std::memcpy(&acc[i][j], sums + (i * RK + j) * Lanes, sizeof(Vec));
    const T* gi[RO];
    const T* wj[RK];
#pragma GCC unroll 8
    for (int i = 0; i < RO; ++i) gi[i] = g[i];
#pragma GCC unroll 8
    for (int j = 0; j < RK; ++j) wj[j] = w[j];
    for (int64_t y = 0; y < oh; ++y) {
      int64_t x = 0;
      for (; x + Lanes <= ow; x += Lanes) step(acc, gi, wj, y * ow + x, y * wp + x, sizeof(Vec));
      if (x < ow) step(acc, gi, wj, y * ow + x, y * wp + x, static_cast<size_t>(ow - x) * sizeof(T));
    }
#pragma GCC unroll 8
    for (int i = 0; i < RO; ++i)
#pragma GCC unroll 8
      for (int j = 0; j < RK; ++j) std::memcpy(sums + (i * RK + j) * Lanes, &acc[i][j], sizeof(Vec));
  }

  static constexpr int64_t kTile = RO * RK * Lanes;  // a tile's sums

  /** Whether rows of `ow` pixels fill whole vectors often enough, and the sums of every tile of
   *  a weight of `weight_size` elements take at most 8 MiB (a thread keeps its buffer). */
  static bool fits(int64_t ow, int64_t weight_size) {
    return ow >= Lanes && weight_size * Lanes * static_cast<int64_t>(sizeof(T)) <= (int64_t{8} << 20);
  }

  /** gw [out, C / groups, kh, kw] = the weight's gradient from grad [N, out, OH, OW] and images
   *  [N, C, H, W], the batch summed in pieces of `per_piece` images (Note [Direct weight gradient]). */
  static void run(T* gw, const T* grad, const T* images, int64_t n, int64_t per_piece, const DirectGeometry& g,
                  TileFn kernel) {
    const int64_t og = g.out_channels / g.groups, cg = g.c / g.groups, k = g.k(), hp = g.hp(), wp = g.wp();
    const int64_t oh = g.oh, ow = g.ow, ohw = oh * ow, weight_size = g.out_channels * k;
    const std::vector<int64_t> offsets = window_offsets(g);
    const int64_t row_tiles = (og + RO - 1) / RO, column_tiles = (k + RK - 1) / RK;
    const int64_t group_tiles = row_tiles * column_tiles, tiles = g.groups * group_tiles;
    struct Origin {
      int64_t group, o0, k0;  // the tile's group, first output channel and first weight element
    };
    const auto origin = [&](int64_t t) {
      return Origin{t / group_tiles, t % group_tiles / column_tiles * RO, t % column_tiles * RK};
    };
    const int64_t pieces = (n + per_piece - 1) / per_piece;
    std::vector<T> partial(static_cast<size_t>(pieces * weight_size));  // each piece's gw
    // Tiles [t0, t1) of piece p: their sums in the thread's buffer, over the piece's images.
    const auto piece_tiles = [&](int64_t p, int64_t t0, int64_t t1) {
      T* const sums = scratch<T, 3>(static_cast<size_t>((t1 - t0) * kTile));
      std::fill_n(sums, (t1 - t0) * kTile, T(0));
      const ImageBuffer<T> buffer(g.c * hp * wp);
      for (int64_t image = p * per_piece, last = std::min(n, image + per_piece); image < last; ++image) {
        pad_image(buffer.data(), images + image * g.c * g.h * g.w, g, 0);
        for (int64_t t = t0; t < t1; ++t) {
          const auto [group, o0, k0] = origin(t);
          const T* rows[RO];
          const T* windows[RK];
          for (int i = 0; i < RO; ++i)
            rows[i] = grad + (image * g.out_channels + group * og + std::min(o0 + i, og - 1)) * ohw;
          for (int j = 0; j < RK; ++j)
            windows[j] = buffer.data() + group * cg * hp * wp + offsets[static_cast<size_t>(std::min(k0 + j, k - 1))];
          kernel(rows, windows, oh, ow, wp, sums + (t - t0) * kTile);
        }
      }
      for (int64_t t = t0; t < t1; ++t) {
        const auto [group, o0, k0] = origin(t);
        for (int64_t i = 0; i < std::min<int64_t>(RO, og - o0); ++i)
          for (int64_t j = 0; j < std::min<int64_t>(RK, k - k0); ++j) {
            const T* lanes = sums + (t - t0) * kTile + (i * RK + j) * Lanes;
            T total = lanes[0];
            for (int l = 1; l < Lanes; ++l) total += lanes[l];
            partial[static_cast<size_t>(p * weight_size + (group * og + o0 + i) * k + k0 + j)] = total;
          }
      }
    };
    for_each_image(pieces, per_piece * g.out_channels * ohw * k, [&](int64_t p, bool parallel) {
      if (parallel) parallel_for(0, tiles, 1, [&](int64_t t0, int64_t t1) { piece_tiles(p, t0, t1); });
      else piece_tiles(p, 0, tiles);
    });
    for (int64_t e = 0; e < weight_size; ++e) {
      T total = partial[static_cast<size_t>(e)];
      for (int64_t p = 1; p < pieces; ++p) total += partial[static_cast<size_t>(p * weight_size + e)];
      gw[e] = total;
    }
  }
};

template <class T, int Lanes>
TS_TARGET_AVX512 void weight_tile_avx512(const T* const* g, const T* const* w, int64_t oh, int64_t ow, int64_t wp,
                                         T* sums) {
  DirectWeightGradient<T, Lanes>::tile(g, w, oh, ow, wp, sums);
}
template <class T, int Lanes>
TS_TARGET_AVX2 void weight_tile_avx2(const T* const* g, const T* const* w, int64_t oh, int64_t ow, int64_t wp,
                                     T* sums) {
  DirectWeightGradient<T, Lanes>::tile(g, w, oh, ow, wp, sums);
}
template <class T, int Lanes>
void weight_tile_baseline(const T* const* g, const T* const* w, int64_t oh, int64_t ow, int64_t wp, T* sums) {
  DirectWeightGradient<T, Lanes>::tile(g, w, oh, ow, wp, sums);
}

/** The direct weight gradient (Note [Direct weight gradient]) at the widest vector width; false,
 *  having done nothing, when the rows are narrower than a vector or the weight too large. */
template <class T>
bool direct_weight_gradient(T* gw, const T* grad, const T* images, int64_t n, int64_t per_piece,
                            const DirectGeometry& g) {
  constexpr int per16 = 16 / static_cast<int>(sizeof(T));
  auto run = [&]<int Lanes>(typename DirectWeightGradient<T, Lanes>::TileFn kernel) {
    using D = DirectWeightGradient<T, Lanes>;
    if (!D::fits(g.ow, g.out_channels * g.k())) return false;
    D::run(gw, grad, images, n, per_piece, g, kernel);
    return true;
  };
  switch (simd_level()) {
#if TS_HAS_X86_DISPATCH
    case SimdLevel::AVX512: return run.template operator()<per16 * 4>(weight_tile_avx512<T, per16 * 4>);
    case SimdLevel::AVX2: return run.template operator()<per16 * 2>(weight_tile_avx2<T, per16 * 2>);
#endif
    default: return run.template operator()<per16>(weight_tile_baseline<T, per16>);
  }
}

/** out [N, out, OH, OW] = the convolution of the contiguous images x with weight [out, C / groups,
 *  kh, kw], plus bias [out] when not null (Note [Fused convolution]). */
template <class T>
void convolution_forward(T* out, const T* x, const T* weight, const T* bias, const WindowGeometry& g,
                         int64_t out_channels, int64_t groups) {
  DirectGeometry d;
  if (direct_geometry(g, out_channels, groups, false, d) && direct_convolution(out, x, g.n, weight, bias, d)) return;
  const ConvolutionSizes s(g, out_channels, groups);
  for_each_image(g.n, out_channels * s.ohw * s.cgkk, [&](int64_t n, bool parallel) {
    const ImageBuffer<T> buffer(s.groups * s.cgkk * s.ohw);
    T* const cols = buffer.data();
    image_windows(cols, x + n * s.image, g);
    T* o = out + n * out_channels * s.ohw;
    for (int64_t i = 0; i < groups; ++i)
      gemm<T>(s.og, s.ohw, s.cgkk, {weight + i * s.og * s.cgkk, s.cgkk, 1}, {cols + i * s.cgkk * s.ohw, s.ohw, 1},
              {o + i * s.og * s.ohw, s.ohw, 1}, parallel);
    if (bias) add_bias(o, bias, out_channels, s.ohw);
  });
}

/** gx [N, C, H, W] = the gradient of the images from the output's gradient grad [N, out, OH, OW]
 *  and the weight. */
template <class T>
void convolution_backward_input(T* gx, const T* grad, const T* weight, const WindowGeometry& g, int64_t out_channels,
                                int64_t groups) {
  const ConvolutionSizes s(g, out_channels, groups);
  DirectGeometry d;
  if (direct_geometry(g, out_channels, groups, true, d)) {
    // Each group's weight [og, C / groups, kh, kw] flipped and transposed to [C / groups, og, kh, kw].
    const int64_t cg = g.c / groups, kk = g.kh * g.kw;
    std::vector<T> flipped(static_cast<size_t>(out_channels * s.cgkk));
    for (int64_t i = 0; i < groups; ++i)
      for (int64_t o = 0; o < s.og; ++o)
        for (int64_t c = 0; c < cg; ++c)
          for (int64_t e = 0; e < kk; ++e)
            flipped[static_cast<size_t>(((i * cg + c) * s.og + o) * kk + kk - 1 - e)] =
                weight[((i * s.og + o) * cg + c) * kk + e];
    if (direct_convolution(gx, grad, g.n, flipped.data(), static_cast<const T*>(nullptr), d)) return;
  }
  for_each_image(g.n, out_channels * s.ohw * s.cgkk, [&](int64_t n, bool parallel) {
    const ImageBuffer<T> buffer(s.groups * s.cgkk * s.ohw);
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
  DirectGeometry d;
  if (direct_geometry(g, out_channels, groups, false, d) && direct_weight_gradient(gw, grad, x, g.n, per_piece, d))
    return;
  const int64_t pieces = (g.n + per_piece - 1) / per_piece;
  std::vector<T> partial(static_cast<size_t>(pieces * weight_size));  // each group's [cgkk, og]
  for_each_image(pieces, per_piece * out_channels * s.ohw * s.cgkk, [&](int64_t p, bool parallel) {
    T* sum = partial.data() + p * weight_size;
    const ImageBuffer<T> buffer(s.groups * s.cgkk * s.ohw);
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
