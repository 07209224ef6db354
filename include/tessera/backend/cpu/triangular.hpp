#pragma once
// Triangular solves and LU with partial pivoting on row-major matrices, recursive on halves so
// that most of their work is GEMM (Note [Recursive LU and triangular solves]).

#include "../../core/algorithm.hpp"
#include <cmath>
#include <cstring>
#include <limits>

#include "gemm.hpp"

namespace tessera::detail {

// Note [Recursive LU and triangular solves]
// Both split the matrix in halves down to kTriangularBase rows or columns and solve those small
// blocks by substitution, so all but O(n^2 * base) of the O(n^3) work is trailing GEMM updates
// (C -= A B): tessera's kernel picks the widest vector instructions at run time and uses every
// thread, where Eigen's LU and triangular solves run at the instruction set the program was
// compiled for (SSE2 without -march) on one thread. The splits depend on the sizes only, the
// columns of a right-hand side are independent, and each GEMM element adds its products in a
// fixed order (Note [GEMM blocking]), so the bits do not depend on the number of threads.
// The LU pivots as LAPACK's getrf: the first largest |entry| of the column, each panel's row
// swaps applied to the columns left and right of it.

inline constexpr int64_t kTriangularBase = 16;

/** The first part when n > kTriangularBase rows or columns are split: about half, a multiple of
 *  the base so that the blocks below stay aligned to it. */
template <class = void>
int64_t first_half(int64_t n) {
  return std::max(kTriangularBase, n / 2 / kTriangularBase * kTriangularBase);
}

/** dst[0, n) -= f * src[0, n) in vectors of Lanes, the step both small kernels below repeat. */
template <class T, int Lanes>
[[gnu::always_inline]] inline void subtract_scaled(T* dst, const T* src, T f, int64_t n) {
  typedef T Vec __attribute__((vector_size(Lanes * sizeof(T))));
  int64_t i = 0;
  for (; i + Lanes <= n; i += Lanes) {
    Vec d, x;
    std::memcpy(&d, dst + i, sizeof(Vec));
    std::memcpy(&x, src + i, sizeof(Vec));
    d -= f * x;
    std::memcpy(dst + i, &d, sizeof(Vec));
  }
  for (; i < n; ++i) dst[i] -= f * src[i];
}

/** Substitution on a small block: solves T X = B in place in the s x w row-major B (row stride
 *  ldb), T lower or upper, its diagonal read or (unit) taken as ones. Vectorised along B's rows. */
template <class T, int Lanes>
struct Substitution {
  [[gnu::always_inline]] static inline void run(bool lower, bool unit, int64_t s, int64_t w,
                                                const MatrixRef<const T>& t, T* b, int64_t ldb) {
    for (int64_t step = 0; step < s; ++step) {
      const int64_t i = lower ? step : s - 1 - step;
      T* row = b + i * ldb;
      for (int64_t q = 0; q < step; ++q) {  // the rows solved before this one
        const int64_t p = lower ? q : s - 1 - q;
        subtract_scaled<T, Lanes>(row, b + p * ldb, t(i, p), w);
      }
      if (!unit) {
        const T d = t(i, i);
        for (int64_t j = 0; j < w; ++j) row[j] /= d;
      }
    }
  }
};

/** Unblocked LU with partial pivoting of a rows x w column-major panel (column c at p + c * rows):
 *  contiguous columns make the pivot search, the scaling and the updates runs of vectors.
 *  pivots[j]: the row swapped with row j; first_zero: the first zero pivot's column, or -1. */
template <class T, int Lanes>
struct PanelLU {
  typedef T Vec __attribute__((vector_size(Lanes * sizeof(T))));

  [[gnu::always_inline]] static inline void run(T* p, int64_t rows, int64_t w, int32_t* pivots, int64_t* first_zero) {
    for (int64_t j = 0; j < w; ++j) {
      T* col = p + j * rows;
      int64_t best = j;  // the first largest |entry|, as LAPACK's i?amax
      T largest = std::abs(col[j]);
      for (int64_t i = j + 1; i < rows; ++i)
        if (std::abs(col[i]) > largest) largest = std::abs(col[i]), best = i;
      pivots[j] = static_cast<int32_t>(best);
      if (best != j)
        for (int64_t c = 0; c < w; ++c) std::swap(p[c * rows + j], p[c * rows + best]);
      const T pivot = col[j];
      if (pivot == T(0)) {  // the column below is zero too: nothing to eliminate (LAPACK's info)
        if (*first_zero < 0) *first_zero = j;
        continue;
      }
      // getf2's scaling: by the reciprocal, unless it would overflow
      const int64_t below = rows - j - 1;
      T* l = col + j + 1;
      if (std::abs(pivot) >= std::numeric_limits<T>::min()) {
        const T inverse = T(1) / pivot;
        int64_t i = 0;
        for (; i + Lanes <= below; i += Lanes) {
          Vec v;
          std::memcpy(&v, l + i, sizeof(Vec));
          v *= inverse;
          std::memcpy(l + i, &v, sizeof(Vec));
        }
        for (; i < below; ++i) l[i] *= inverse;
      } else {
        for (int64_t i = 0; i < below; ++i) l[i] /= pivot;
      }
      for (int64_t c = j + 1; c < w; ++c)  // the rest of the panel: column c -= l * U(j, c)
        subtract_scaled<T, Lanes>(p + c * rows + j + 1, l, p[c * rows + j], below);
    }
  }
};

template <class Kernel, class... Args>
TS_TARGET_AVX512 void run_avx512(Args... args) {
  Kernel::run(args...);
}
template <class Kernel, class... Args>
TS_TARGET_AVX2 void run_avx2(Args... args) {
  Kernel::run(args...);
}

/** Kernel<T, lanes>::run(args...) at the widest vectors the CPU has (Note [SIMD dispatch]). */
template <template <class, int> class Kernel, class T, class... Args>
void run_widest(Args... args) {
  constexpr int per16 = 16 / static_cast<int>(sizeof(T));  // lanes in 16 bytes
  switch (simd_level()) {
#if TS_HAS_X86_DISPATCH
    case SimdLevel::AVX512: return run_avx512<Kernel<T, per16 * 4>>(args...);
    case SimdLevel::AVX2: return run_avx2<Kernel<T, per16 * 2>>(args...);
#endif
    default: return Kernel<T, per16>::run(args...);
  }
}

/** Solves T X = B in place in B (s x w, row-major: b.cs == 1) for a triangular s x s T (any
 *  strides, so a transposed factor is a view; only its triangle is read). */
template <class T>
void trsm_serial(bool lower, bool unit, int64_t s, int64_t w, const MatrixRef<const T>& t, const MatrixRef<T>& b,
                 bool parallel_gemm) {
  if (s <= kTriangularBase) return run_widest<Substitution, T>(lower, unit, s, w, t, b.data, b.rs);
  const int64_t h = first_half(s);
  if (lower) {  // X1 from T11; B2 -= T21 X1; X2 from T22
    trsm_serial(lower, unit, h, w, t, b, parallel_gemm);
    gemm<T>(s - h, w, h, t.block(h, 0), b, b.block(h, 0), parallel_gemm, GemmOutput::subtract);
    trsm_serial(lower, unit, s - h, w, t.block(h, h), b.block(h, 0), parallel_gemm);
  } else {  // X2 from T22; B1 -= T12 X2; X1 from T11
    trsm_serial(lower, unit, s - h, w, t.block(h, h), b.block(h, 0), parallel_gemm);
    gemm<T>(h, w, s - h, t.block(0, h), b.block(h, 0), b, parallel_gemm, GemmOutput::subtract);
    trsm_serial(lower, unit, h, w, t, b, parallel_gemm);
  }
}

/** trsm_serial over the threads: the columns of B are independent systems, so wide right-hand
 *  sides are cut into one column block per thread, a whole solve each (the blocks are wide: a
 *  thread that starts late leaves its block to the others, Note [Thread pool]); narrow ones use
 *  the GEMMs' threads. */
template <class T>
void trsm(bool lower, bool unit, int64_t s, int64_t w, const MatrixRef<const T>& t, const MatrixRef<T>& b) {
  constexpr int64_t kColumns = 64;  // a block's GEMMs stay efficient at this width
  if (s == 0 || w == 0) return;
  const int64_t parts = std::min<int64_t>(get_num_threads(), w / kColumns);
  if (parts < 2 || s <= kTriangularBase) return trsm_serial(lower, unit, s, w, t, b, true);
  parallel_for(0, parts, 1, [&](int64_t first, int64_t last) {
    const int64_t j0 = first * w / parts, j1 = last * w / parts;
    trsm_serial(lower, unit, s, j1 - j0, t, b.block(0, j0), false);
  });
}

/** Unblocked LU of columns [j0, j1) of the row-major n x n matrix `a`, rows j0 and below, the
 *  columns left of j0 already factored and those from j1 on not yet updated: PanelLU on a
 *  column-major copy, then the panel's row swaps applied to the other columns. */
template <class T>
void lu_panel(T* a, int64_t n, int64_t j0, int64_t j1, int32_t* pivots, int64_t& first_zero) {
  const int64_t rows = n - j0, w = j1 - j0;
  T* p = scratch<T, 2>(static_cast<size_t>(rows * w));  // slots 0 and 1 are gemm's
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t c = 0; c < w; ++c) p[c * rows + i] = a[(j0 + i) * n + j0 + c];
  int64_t zero = -1;
  run_widest<PanelLU, T>(p, rows, w, pivots + j0, &zero);
  if (zero >= 0 && first_zero < 0) first_zero = j0 + zero;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t c = 0; c < w; ++c) a[(j0 + i) * n + j0 + c] = p[c * rows + i];
  for (int64_t j = j0; j < j1; ++j) {
    const int64_t r = j0 + pivots[j];
    pivots[j] = static_cast<int32_t>(r);
    if (r == j) continue;
    std::swap_ranges(a + j * n, a + j * n + j0, a + r * n);
    std::swap_ranges(a + j * n + j1, a + (j + 1) * n, a + r * n + j1);
  }
}

/** LU with partial pivoting of columns [j0, j1) (see lu_panel), recursive on halves. */
template <class T>
void lu_recursive(T* a, int64_t n, int64_t j0, int64_t j1, int32_t* pivots, int64_t& first_zero) {
  if (j1 - j0 <= kTriangularBase) return lu_panel(a, n, j0, j1, pivots, first_zero);
  const int64_t m = j0 + first_half(j1 - j0);
  lu_recursive(a, n, j0, m, pivots, first_zero);
  const MatrixRef<T> whole{a, n, 1};
  // U12 = L11^-1 A12, then A22 -= L21 U12; on the threads only when the update is large enough
  // to repay waking them (several hundred microseconds of work).
  constexpr int64_t kParallelWork = int64_t{1} << 24;  // multiply-adds of the update
  if ((n - m) * (j1 - m) * (m - j0) >= kParallelWork) trsm<T>(true, true, m - j0, j1 - m, whole.block(j0, j0), whole.block(j0, m));
  else trsm_serial<T>(true, true, m - j0, j1 - m, whole.block(j0, j0), whole.block(j0, m), false);
  gemm<T>(n - m, j1 - m, m - j0, whole.block(m, j0), whole.block(j0, m), whole.block(m, m),
          (n - m) * (j1 - m) * (m - j0) >= kParallelWork, GemmOutput::subtract);
  lu_recursive(a, n, m, j1, pivots, first_zero);
}

/** LAPACK's getrf on a row-major n x n matrix in place: pivots[i] is the 0-based row swapped with
 *  row i; returns the first zero pivot's position, or -1. */
template <class T>
int64_t lu_factor(T* a, int64_t n, int32_t* pivots) {
  int64_t first_zero = -1;
  lu_recursive(a, n, 0, n, pivots, first_zero);
  return first_zero;
}

}  // namespace tessera::detail
