#pragma once
// CPU kernels of ts::linalg on batches of contiguous row-major matrices: LU, triangular solves
// and determinants on tessera's GEMM (triangular.hpp); the SVD by divide and conquer (svd.hpp);
// Cholesky, QR, eigh and least squares through Eigen 3.4's solvers. Only <tessera/linalg.hpp> pulls
// this in (Note [linalg is opt-in]).

#include <cmath>
#include <cstdint>
#include <vector>

#include "eigen.hpp"
#include "../../parallel/parallel_for.hpp"
#include "svd.hpp"
#include "triangular.hpp"

namespace tessera::detail {

template <class T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using RowMap = Eigen::Map<RowMatrix<T>>;
template <class T>
using ConstRowMap = Eigen::Map<const RowMatrix<T>>;

/** Runs f(i) for each matrix of a batch; matrices are independent, so any split gives the same bits. */
template <class F>
void for_each_matrix(int64_t batch, int64_t matrix_numel, const F& f) {
  const int64_t grain = matrix_numel >= 4096 ? 1 : 4096 / (matrix_numel + 1) + 1;
  parallel_for(0, batch, grain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) f(i);
  });
}

// Note [LU as LAPACK's getrf]
// PyTorch's lu_factor returns LAPACK's getrf output: L (unit diagonal, not stored) and U packed in
// one matrix, and pivots as 1-based row swaps applied in order (row i swapped with pivots[i]),
// with the first exactly-zero pivot as LAPACK's info. lu_factor (triangular.hpp) computes exactly
// that, on tessera's GEMM (Note [Recursive LU and triangular solves]).

/** LU with partial pivoting of `batch` n x n matrices, in place in `lu`; pivots 1-based. Returns,
 *  for each matrix, 0 or the 1-based position of its first zero pivot (LAPACK's info). */
template <class T>
std::vector<int64_t> lu_factor_batch(T* lu, int32_t* pivots, int64_t batch, int64_t n) {
  std::vector<int64_t> info(static_cast<size_t>(batch), 0);
  if (n == 0) return info;
  for_each_matrix(batch, n * n, [&](int64_t b) {
    int32_t* piv = pivots + b * n;
    const int64_t zero = lu_factor(lu + b * n * n, n, piv);
    for (int64_t i = 0; i < n; ++i) ++piv[i];
    info[static_cast<size_t>(b)] = zero >= 0 ? zero + 1 : 0;
  });
  return info;
}

/** Solves A X = B (adjoint: A^T X = B) in place in the n x k matrices of `x`, from the LU of A
 *  (Note [LU as LAPACK's getrf]). `lu_step` is 0 when every right-hand side shares one LU. */
template <class T>
void lu_solve_batch(const T* lu, const int32_t* pivots, int64_t lu_step, T* x, int64_t batch, int64_t n, int64_t k,
                    bool adjoint) {
  if (n == 0 || k == 0) return;
  for_each_matrix(batch, n * k, [&](int64_t b) {
    const MatrixRef<const T> f{lu + b * lu_step * n * n, n, 1};
    const int32_t* piv = pivots + b * lu_step * n;
    T* m = x + b * n * k;
    auto swap_rows = [&](int64_t i) {
      if (piv[i] - 1 != i) std::swap_ranges(m + i * k, m + (i + 1) * k, m + (piv[i] - 1) * k);
    };
    if (!adjoint) {  // A = P L U
      for (int64_t i = 0; i < n; ++i) swap_rows(i);
      trsm<T>(true, true, n, k, f, {m, k, 1});
      trsm<T>(false, false, n, k, f, {m, k, 1});
    } else {  // A^T = U^T L^T P^T
      trsm<T>(true, false, n, k, f.transposed(), {m, k, 1});
      trsm<T>(false, true, n, k, f.transposed(), {m, k, 1});
      for (int64_t i = n; i-- > 0;) swap_rows(i);
    }
  });
}

/** det, sign and log|det| of each matrix from its LU (Note [LU as LAPACK's getrf]). A zero
 *  pivot gives det 0 and sign 0 carrying the permutation's sign (-0.0 as in PyTorch). */
template <class T>
void lu_det_batch(const T* lu, const int32_t* pivots, T* det, T* sign, T* logabsdet, int64_t batch, int64_t n) {
  for_each_matrix(batch, n * n, [&](int64_t b) {
    const T* f = lu + b * n * n;
    const int32_t* piv = pivots + b * n;
    T d = 1, s = 1, log_abs = 0;
    for (int64_t i = 0; i < n; ++i) {
      const T u = f[i * n + i];
      d *= u;
      s *= u > 0 ? T(1) : u < 0 ? T(-1) : T(0);
      log_abs += std::log(std::abs(u));
      if (piv[i] - 1 != i) d = -d, s = -s;
    }
    if (det) det[b] = d;
    if (sign) sign[b] = s;
    if (logabsdet) logabsdet[b] = log_abs;
  });
}

/** The 1-based order of the first leading minor of `a` (row-major, n x n, lower triangle read)
 *  that is not positive-definite, as LAPACK's potrf reports it; 0 when there is none. */
template <class T>
int64_t cholesky_failure_order(const T* a, int64_t n) {
  RowMatrix<T> l = ConstRowMap<T>(a, n, n).template triangularView<Eigen::Lower>();
  for (int64_t j = 0; j < n; ++j) {
    T d = l(j, j);
    for (int64_t p = 0; p < j; ++p) d -= l(j, p) * l(j, p);
    if (!(d > 0)) return j + 1;  // NaN fails too, as in potrf
    d = std::sqrt(d);
    l(j, j) = d;
    for (int64_t i = j + 1; i < n; ++i) {
      T v = l(i, j);
      for (int64_t p = 0; p < j; ++p) v -= l(i, p) * l(j, p);
      l(i, j) = v / d;
    }
  }
  return 0;
}

/** Cholesky factors of `batch` n x n matrices into `out`: lower L with A = L L^T reading A's lower
 *  triangle, or (upper) U with A = U^T U reading A's upper triangle; the other triangle is zero.
 *  Returns, per matrix, 0 or the order of the first leading minor that is not positive-definite. */
template <class T>
std::vector<int64_t> cholesky_batch(const T* a, T* out, int64_t batch, int64_t n, bool upper) {
  std::vector<int64_t> info(static_cast<size_t>(batch), 0);
  if (n == 0) return info;
  for_each_matrix(batch, n * n, [&](int64_t b) {
    const ConstRowMap<T> m(a + b * n * n, n, n);
    // The transpose of a row-major map is the column-major matrix of the same bytes: reading
    // A^T's lower triangle is reading A's upper one.
    Eigen::LLT<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>, Eigen::Lower> llt;
    if (upper) llt.compute(m.transpose());
    else llt.compute(m);
    if (llt.info() != Eigen::Success) {
      info[static_cast<size_t>(b)] = upper ? cholesky_failure_order<T>(RowMatrix<T>(m.transpose()).data(), n)
                                           : cholesky_failure_order<T>(a + b * n * n, n);
      if (info[static_cast<size_t>(b)] == 0) info[static_cast<size_t>(b)] = n;  // Eigen saw a NaN
      return;
    }
    RowMap<T> o(out + b * n * n, n, n);
    if (upper) o = llt.matrixL().transpose();
    else o = llt.matrixL();
  });
  return info;
}

/** Solves A X = B in place in `x` (n x k) for triangular A (n x n, only its triangle read;
 *  unit: the diagonal taken as ones). `a_step` is 0 when every right-hand side shares one A. */
template <class T>
void triangular_solve_batch(const T* a, int64_t a_step, T* x, int64_t batch, int64_t n, int64_t k, bool upper,
                            bool unitriangular) {
  if (n == 0 || k == 0) return;
  for_each_matrix(batch, n * k, [&](int64_t b) {
    trsm<T>(!upper, unitriangular, n, k, {a + b * a_step * n * n, n, 1}, {x + b * n * k, k, 1});
  });
}

/** Householder QR of `batch` m x n matrices (LAPACK's geqrf sign convention: Eigen's Householder
 *  reflectors are LAPACK's, so R's diagonal has the signs PyTorch's has). q: m x qcols (k = min(m, n)
 *  columns, or m when complete; null for mode "r"); r: rrows x n, upper triangular. */
template <class T>
void qr_batch(const T* a, T* q, T* r, int64_t batch, int64_t m, int64_t n, int64_t qcols, int64_t rrows) {
  for_each_matrix(batch, m * n, [&](int64_t b) {
    using Col = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
    Eigen::HouseholderQR<Col> qr(Col(ConstRowMap<T>(a + b * m * n, m, n)));
    RowMap<T> rm(r + b * rrows * n, rrows, n);
    rm = qr.matrixQR().topRows(rrows).template triangularView<Eigen::Upper>();
    if (q) {
      RowMap<T> qm(q + b * m * qcols, m, qcols);
      qm = qr.householderQ() * Col::Identity(m, qcols);
    }
  });
}

/** Eigenvalues (ascending) and, when `vectors` is not null, orthonormal eigenvectors (columns) of
 *  `batch` symmetric n x n matrices, reading the lower triangle (upper: the upper one). */
template <class T>
void eigh_batch(const T* a, T* values, T* vectors, int64_t batch, int64_t n, bool upper) {
  if (n == 0) return;
  for_each_matrix(batch, n * n, [&](int64_t b) {
    const ConstRowMap<T> m(a + b * n * n, n, n);
    using Col = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
    // SelfAdjointEigenSolver reads the lower triangle; A^T's lower triangle is A's upper one.
    const Col in = upper ? Col(m.transpose()) : Col(m);
    Eigen::SelfAdjointEigenSolver<Col> es(in, vectors ? Eigen::ComputeEigenvectors : Eigen::EigenvaluesOnly);
    Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, 1>>(values + b * n, n) = es.eigenvalues();
    if (vectors) RowMap<T>(vectors + b * n * n, n, n) = es.eigenvectors();
  });
}

// Note [A reused SVD solver]
// An SVD's work matrices (about five times the input) freed after each call go back to the
// system at these sizes, and touching fresh pages again cost a third of a 256 x 256 SVD. Each
// thread keeps its work for matrices up to kReusedSvdNumel elements (a few MB held per thread,
// not more); every call sets all it reads, so results are the same bit for bit.
inline constexpr int64_t kReusedSvdNumel = 512 * 512;

/** Singular values (descending) of `batch` m x n matrices and, when u is not null, U (m x ucols)
 *  and Vh (vrows x n): thin (k = min(m, n)) or full. svd.hpp's divide and conquer. */
template <class T>
void svd_batch(const T* a, T* u, T* s, T* vh, int64_t batch, int64_t m, int64_t n, bool full) {
  const int64_t k = m < n ? m : n;
  if (k == 0) return;
  const int64_t uc = full ? m : k, vr = full ? n : k;
  for_each_matrix(batch, m * n, [&](int64_t b) {
    thread_local SvdWork<T> reused;  // Note [A reused SVD solver]
    SvdWork<T> own;
    SvdWork<T>& work = m * n <= kReusedSvdNumel ? reused : own;
    svd_one<T>(work, a + b * m * n, u ? u + b * m * uc : nullptr, s + b * k, u ? vh + b * vr * n : nullptr, m, n, full);
  });
}

/** Least squares min ||A X - B|| of `batch` systems (A m x n, B m x k) by a complete orthogonal
 *  decomposition with column pivoting (LAPACK's gelsy), rank decided by rcond; X n x k. */
template <class T>
void lstsq_batch(const T* a, const T* bmat, T* x, int64_t* rank, int64_t batch, int64_t m, int64_t n, int64_t k,
                 double rcond) {
  for_each_matrix(batch, m * (n + k), [&](int64_t b) {
    using Col = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
    Eigen::CompleteOrthogonalDecomposition<Col> cod;
    cod.setThreshold(static_cast<T>(rcond));
    cod.compute(Col(ConstRowMap<T>(a + b * m * n, m, n)));
    rank[b] = static_cast<int64_t>(cod.rank());
    RowMap<T>(x + b * n * k, n, k) = cod.solve(Col(ConstRowMap<T>(bmat + b * m * k, m, k)));
  });
}

}  // namespace tessera::detail
