#pragma once
// GEMM for float and double: packed panels, a register-blocked micro-kernel per vector width,
// threads over row blocks. C = A * B, C += A * B or C -= A * B, any strides.

#include "../../core/algorithm.hpp"
#include <cstring>
#include <memory>
#include <type_traits>
#include <vector>

#include "../../parallel/parallel_for.hpp"
#include "simd.hpp"

namespace tessera::detail {

/** A strided matrix view: element (i, j) at data[i * rs + j * cs]. */
template <class T>
struct MatrixRef {
  T* data;
  int64_t rs, cs;
  T& operator()(int64_t i, int64_t j) const { return data[i * rs + j * cs]; }
  /** The block whose element (0, 0) is this one's (i, j). */
  MatrixRef block(int64_t i, int64_t j) const { return {data + i * rs + j * cs, rs, cs}; }
  /** The transpose, a view of the same elements. */
  MatrixRef transposed() const { return {data, cs, rs}; }
  operator MatrixRef<const T>() const requires(!std::is_const_v<T>) { return {data, rs, cs}; }
};

/** What gemm does with C: C = A B, C += A B or C -= A B (the blocked LU's trailing updates). */
enum class GemmOutput { assign, add, subtract };

// Note [GEMM blocking]
// The classic Goto/BLIS loop nest: B is packed KC x NC into NR-wide column panels shared by all
// threads, each thread packs MC x KC of A into MR-tall row panels, and the micro-kernel keeps an
// MR x NR block of C in vector registers across the whole KC loop. Every element of C adds its
// products in the same order whatever the number of threads, so results are deterministic.
template <class T, int Lanes>
struct GemmShape {
  static constexpr int NR = 2 * Lanes;  // two vector registers per row of the C block
  static constexpr int MR = Lanes >= 16 / static_cast<int>(sizeof(T)) * 4 ? 12 : 6;
  static constexpr int64_t KC = 256, MC = MR * 16, NC = NR * 128;
};

/** A per-thread packing buffer of at least n elements, kept between calls: a fresh buffer per
 *  product would page-fault on every call (slot 0 packs B, slot 1 packs A). */
template <class T, int Slot>
T* scratch(size_t n) {
  struct Buffer {
    T* data = nullptr;
    size_t capacity = 0;
    ~Buffer() { std::free(data); }
  };
  thread_local Buffer buffer;
  if (buffer.capacity < n) {
    std::free(buffer.data);
    buffer.data = static_cast<T*>(std::aligned_alloc(64, (n * sizeof(T) + 63) / 64 * 64));
    if (!buffer.data) throw std::bad_alloc();
    buffer.capacity = n;
  }
  return buffer.data;
}

template <class T, int Lanes>
struct GemmKernel {
  using Shape = GemmShape<T, Lanes>;
  static constexpr int MR = Shape::MR, NR = Shape::NR;
  typedef T Vec __attribute__((vector_size(Lanes * sizeof(T))));

  using MicroFn = void (*)(int64_t, const T*, const T*, T*, int64_t, bool);

  /** The rows of the edge micro-kernel: a last panel of at most that many rows (8 of a 32-row
   *  product's 12-row panels) runs it in place of the full kernel and its copy through a tile. */
  static constexpr int kEdgeRows = MR * 2 / 3;

  /** B's rows for the micro-kernel, NR elements each: a packed panel's, one after the other. */
  struct PackedRows {
    const T* bp;
    [[gnu::always_inline]] const T* operator()(int64_t k) const { return bp + k * NR; }
  };

  // C[0:Rows, 0:NR] (+)= Ap[Rows x kc] * B[kc x NR] (Ap's panel MR tall, B's row k at b_rows(k)); ldc
  // is the row stride of C. Always inlined into a wrapper compiled for the chosen instruction set
  // (Note [SIMD dispatch]).
  template <int Rows, class BRows>
  [[gnu::always_inline]] static inline void micro(int64_t kc, const T* ap, BRows b_rows, T* c, int64_t ldc,
                                                  bool accumulate) {
    // The i loops must be unrolled for acc to live in registers; -O2 alone does not do it.
    Vec acc[Rows][2];
#pragma GCC unroll 16
    for (int i = 0; i < Rows; ++i) {
      acc[i][0] = acc[i][1] = Vec{};
      __builtin_prefetch(c + i * ldc, 1);  // the C block is written after the k loop: fetch it now
      __builtin_prefetch(c + i * ldc + NR - 1, 1);
    }
    for (int64_t k = 0; k < kc; ++k) {
      const T* b = b_rows(k);
      Vec b0, b1;
      std::memcpy(&b0, b, sizeof(Vec));
      std::memcpy(&b1, b + Lanes, sizeof(Vec));
#pragma GCC unroll 16
      for (int i = 0; i < Rows; ++i) {
        acc[i][0] += ap[i] * b0;  // a scalar times a vector: one broadcast load
        acc[i][1] += ap[i] * b1;
      }
      ap += MR;
    }
#pragma GCC unroll 16
    for (int i = 0; i < Rows; ++i) {
      T* row = c + i * ldc;
      if (accumulate) {
        Vec c0, c1;
        std::memcpy(&c0, row, sizeof(Vec));
        std::memcpy(&c1, row + Lanes, sizeof(Vec));
        acc[i][0] += c0;
        acc[i][1] += c1;
      }
      std::memcpy(row, &acc[i][0], sizeof(Vec));
      std::memcpy(row + Lanes, &acc[i][1], sizeof(Vec));
    }
  }

  // Packing copies whole runs (memcpy) where the source is contiguous along a panel's width and
  // unrolls full panels otherwise: element by element, it took a fifth of a 1024 product's time.

  // Panels [p0, p1) of B's rows k0..k0+kc from column j0, row by row: B is read in memory order.
  static void pack_b(const MatrixRef<const T>& b, int64_t k0, int64_t kc, int64_t j0, int64_t nc, int64_t p0,
                     int64_t p1, T* out) {
    for (int64_t k = 0; k < kc; ++k) {
      for (int64_t p = p0; p < p1; ++p) {
        const int64_t w = std::min<int64_t>(NR, nc - p * NR);
        const T* src = &b(k0 + k, j0 + p * NR);
        T* dst = out + (p * kc + k) * NR;
        if (b.cs == 1) {
          std::memcpy(dst, src, static_cast<size_t>(w) * sizeof(T));
        } else {
          for (int64_t j = 0; j < w; ++j) dst[j] = src[j * b.cs];
        }
        for (int64_t j = w; j < NR; ++j) dst[j] = T(0);
      }
    }
  }

  static void pack_a(const MatrixRef<const T>& a, int64_t i0, int64_t mc, int64_t k0, int64_t kc, T* out) {
    for (int64_t ip = 0; ip < mc; ip += MR) {
      const int64_t h = std::min<int64_t>(MR, mc - ip);
      const T* src = &a(i0 + ip, k0);
      if (a.rs == 1) {  // a transposed view: the panel's column is contiguous
        for (int64_t k = 0; k < kc; ++k, out += MR) {
          std::memcpy(out, src + k * a.cs, static_cast<size_t>(h) * sizeof(T));
          for (int64_t i = h; i < MR; ++i) out[i] = T(0);
        }
      } else if (h == MR) {
        for (int64_t k = 0; k < kc; ++k, out += MR) {
#pragma GCC unroll 16
          for (int i = 0; i < MR; ++i) out[i] = src[i * a.rs + k * a.cs];
        }
      } else {
        for (int64_t k = 0; k < kc; ++k, out += MR) {
          for (int64_t i = 0; i < h; ++i) out[i] = src[i * a.rs + k * a.cs];
          for (int64_t i = h; i < MR; ++i) out[i] = T(0);
        }
      }
    }
  }

  static constexpr int64_t kSplitSumMaxOutput = 8192, kSplitSumPiece = 4096;

  static void run(int64_t m, int64_t n, int64_t k, const MatrixRef<const T>& a, const MatrixRef<const T>& b,
                  const MatrixRef<T>& c, bool parallel, GemmOutput output, MicroFn micro, MicroFn edge) {
    constexpr int64_t KC = Shape::KC, NC = Shape::NC;
    const int64_t threads = parallel ? get_num_threads() : 1;
    // Few rows (a batch of activations): give each thread its own columns of C, so the threads
    // never wait for each other between KC steps. Each element still adds its products in the
    // same order, so the result does not depend on the split.
    if (threads > 1 && m <= 2 * Shape::MC && n >= 4 * threads * NR) {
      const int64_t panels = (n + NR - 1) / NR, parts = std::min(threads * kChunksPerThread, panels / 4);
      const int64_t per = (panels + parts - 1) / parts;
      parallel_for(0, parts, 1, [&](int64_t first, int64_t last) {
        for (int64_t t = first; t < last; ++t) {
          const int64_t j0 = std::min(n, t * per * NR), j1 = std::min(n, (t + 1) * per * NR);
          if (j0 < j1)
            run(m, j1 - j0, k, a, {b.data + j0 * b.cs, b.rs, b.cs}, {c.data + j0 * c.cs, c.rs, c.cs}, false, output,
                micro, edge);
        }
      });
      return;
    }
    // Long and thin (a convolution's weight gradient: a small C, a sum over every pixel of a
    // batch): the other splits leave threads idle and wait between KC steps, so the sum is cut into
    // pieces, each computed alone, then added in order. The cut depends on the shape only, so the
    // result does not depend on the thread count.
    if (m * n <= kSplitSumMaxOutput && k >= 2 * kSplitSumPiece) {
      const int64_t pieces = std::min<int64_t>(k / kSplitSumPiece, 32);
      std::vector<T> partial(static_cast<size_t>(pieces * m * n));
      auto piece = [&](int64_t first, int64_t last) {
        for (int64_t p = first; p < last; ++p) {
          const int64_t k0 = p * k / pieces, k1 = (p + 1) * k / pieces;
          run(m, n, k1 - k0, a.block(0, k0), b.block(k0, 0), {partial.data() + p * m * n, n, 1}, false,
              GemmOutput::assign, micro, edge);
        }
      };
      if (threads > 1) parallel_for(0, pieces, 1, piece);
      else piece(0, pieces);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          T sum = partial[static_cast<size_t>(i * n + j)];
          for (int64_t p = 1; p < pieces; ++p) sum += partial[static_cast<size_t>((p * m + i) * n + j)];
          T& dst = c(i, j);
          dst = output == GemmOutput::assign ? sum : output == GemmOutput::add ? dst + sum : dst - sum;
        }
      return;
    }
    // Rows: the MR-row panels in kChunksPerThread contiguous ranges per thread (each range is
    // the same thread's from one KC step to the next, so its A blocks stay in that core's cache,
    // unless another thread takes it over: Note [Thread pool]), each run in blocks of at most MC rows.
    const int64_t row_panels = (m + MR - 1) / MR, MC = Shape::MC;
    const int64_t row_tasks = threads > 1 ? std::min(threads * kChunksPerThread, row_panels) : 1;
    const int64_t kc_max = std::min(KC, k), nc_max = (std::min(NC, n) + NR - 1) / NR * NR;
    T* const bpack = scratch<T, 0>(static_cast<size_t>(kc_max * nc_max));
    for (int64_t j0 = 0; j0 < n; j0 += NC) {
      const int64_t nc = std::min(NC, n - j0);
      for (int64_t k0 = 0; k0 < k; k0 += KC) {
        const int64_t kc = std::min(KC, k - k0);
        const int64_t panels = (nc + NR - 1) / NR;
        auto pack = [&](int64_t first, int64_t last) { pack_b(b, k0, kc, j0, nc, first, last, bpack); };
        if (parallel) parallel_for(0, panels, std::max<int64_t>(1, 4096 / kc), pack);
        else pack(0, panels);
        auto rows = [&](int64_t t) {
          T* const apack = scratch<T, 1>(static_cast<size_t>(kc * (MC + MR)));
          alignas(64) T tile[MR * NR];
          const int64_t last = std::min(m, (t + 1) * row_panels / row_tasks * MR);
          for (int64_t i0 = t * row_panels / row_tasks * MR; i0 < last; i0 += MC) {
            const int64_t mc = std::min(MC, last - i0);
            pack_a(a, i0, mc, k0, kc, apack);
            if (output == GemmOutput::subtract)  // C - A B as C + (-A) B: negation is exact
              for (int64_t i = 0, end = (mc + MR - 1) / MR * MR * kc; i < end; ++i) apack[i] = -apack[i];
            for (int64_t jr = 0; jr < nc; jr += NR) {
              const int64_t w = std::min<int64_t>(NR, nc - jr);
              for (int64_t ir = 0; ir < mc; ir += MR) {
                const int64_t h = std::min<int64_t>(MR, mc - ir);
                const T* ap = apack + ir * kc;
                const T* bp = bpack + jr * kc;
                T* cij = &c(i0 + ir, j0 + jr);
                const MicroFn kernel = h <= kEdgeRows ? edge : micro;
                if ((h == MR || h == kEdgeRows) && w == NR && c.cs == 1) {
                  kernel(kc, ap, bp, cij, c.rs, k0 > 0 || output != GemmOutput::assign);
                } else {  // edge or strided C: compute into a dense tile, then add the valid part
                  kernel(kc, ap, bp, tile, NR, false);
                  for (int64_t i = 0; i < h; ++i)
                    for (int64_t j = 0; j < w; ++j) {
                      T& dst = c(i0 + ir + i, j0 + jr + j);
                      dst = k0 > 0 || output != GemmOutput::assign ? dst + tile[i * NR + j] : tile[i * NR + j];
                    }
                }
              }
            }
          }
        };
        if (row_tasks > 1) ThreadPool::instance().run(row_tasks, rows);
        else rows(0);
      }
    }
  }
};

template <class T, int Lanes, int Rows>
TS_TARGET_AVX512 void micro_avx512(int64_t kc, const T* ap, const T* bp, T* c, int64_t ldc, bool accumulate) {
  using K = GemmKernel<T, Lanes>;
  K::template micro<Rows>(kc, ap, typename K::PackedRows{bp}, c, ldc, accumulate);
}
template <class T, int Lanes, int Rows>
TS_TARGET_AVX2 void micro_avx2(int64_t kc, const T* ap, const T* bp, T* c, int64_t ldc, bool accumulate) {
  using K = GemmKernel<T, Lanes>;
  K::template micro<Rows>(kc, ap, typename K::PackedRows{bp}, c, ldc, accumulate);
}
template <class T, int Lanes, int Rows>
void micro_baseline(int64_t kc, const T* ap, const T* bp, T* c, int64_t ldc, bool accumulate) {
  using K = GemmKernel<T, Lanes>;
  K::template micro<Rows>(kc, ap, typename K::PackedRows{bp}, c, ldc, accumulate);
}

/** C = A * B (or C += A * B, C -= A * B) for float or double (C is m x n, A m x k, B k x n, any
 *  strides, C not aliasing A or B). */
template <class T>
void gemm(int64_t m, int64_t n, int64_t k, const MatrixRef<const T>& a, const MatrixRef<const T>& b,
          const MatrixRef<T>& c, bool parallel = true, GemmOutput output = GemmOutput::assign) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
  if (m == 0 || n == 0) return;
  parallel = parallel && m * n * k >= 64 * 64 * 64;  // below that a parallel region costs more than it saves
  if (k == 0) {
    if (output == GemmOutput::assign)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) c(i, j) = T(0);
    return;
  }
  constexpr int per16 = 16 / static_cast<int>(sizeof(T));  // lanes in 16 bytes
  switch (simd_level()) {
#if TS_HAS_X86_DISPATCH
    case SimdLevel::AVX512: {
      using K = GemmKernel<T, per16 * 4>;
      return K::run(m, n, k, a, b, c, parallel, output, micro_avx512<T, per16 * 4, K::MR>,
                    micro_avx512<T, per16 * 4, K::kEdgeRows>);
    }
    case SimdLevel::AVX2: {
      using K = GemmKernel<T, per16 * 2>;
      return K::run(m, n, k, a, b, c, parallel, output, micro_avx2<T, per16 * 2, K::MR>,
                    micro_avx2<T, per16 * 2, K::kEdgeRows>);
    }
#endif
    default: {
      using K = GemmKernel<T, per16>;
      return K::run(m, n, k, a, b, c, parallel, output, micro_baseline<T, per16, K::MR>,
                    micro_baseline<T, per16, K::kEdgeRows>);
    }
  }
}

}  // namespace tessera::detail
