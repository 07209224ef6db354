#pragma once
// The singular value decomposition of one dense matrix, as LAPACK's gesdd computes it: Householder
// bidiagonalisation (Eigen's), then divide and conquer on the bidiagonal, whose merges multiply
// singular vectors with tessera's GEMM.

#include "../../core/algorithm.hpp"
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <vector>

#include "eigen.hpp"
#include "gemm.hpp"

namespace tessera::detail {

// Note [Divide and conquer on the bidiagonal]
// B (n x n, upper bidiagonal: d on the diagonal, e above it) is split at its middle row k into
// B1 (rows 0..k-1, columns 0..k: k x (k+1)), the row k (d[k] at column k, e[k] at column k+1) and
// B2 (the rows after k, n-k-1 of them). With B1 = U1 [S1 0] V1^T and B2 = U2 [S2 0] V2^T solved
// the same way (an n x (n+1) block has one more column, `sqre`, whose right singular vector has
// no singular value), diag(U1, 1, U2)^T B diag(V1, V2) is diagonal but for row k, which holds
// z = (d[k] * last row of V1, e[k] * first row of V2). In the columns' own order, with dk = 0 at
// column k, that matrix is M = diag(dk) + e_k z^T, and M^T M = diag(dk^2) + z z^T: its singular
// values solve 1 + sum_j z_j^2 / (dk_j^2 - s^2) = 0, one between each two poles (Gu and
// Eisenstat; LAPACK's dlasd1..dlasd4). Three things keep the vectors orthogonal to working
// precision:
//  - deflation: a z_j below tol (8 units of roundoff times |M|) leaves dk_j a singular value of
//    its own; two poles closer than tol are rotated into one (rows and columns alike), so poles
//    are tol apart;
//  - each root is kept as the nearer pole plus an offset, so dk_j - s is computed without
//    cancellation, and found by a rational two-pole model (quadratic convergence) inside a
//    bracket (bisection when the model leaves it);
//  - z is recomputed from the roots (Loewner's formula), so the vectors are exactly those of a
//    matrix within rounding of M, and then u_j = dk_j z_j / (dk_j^2 - s^2) (u_k = -1) and
//    v_j = z_j / (dk_j^2 - s^2), normalised.
// The merged vectors are the old ones times these, one GEMM for U and one for V; the recursion
// ends at blocks of one row. Roots, z and all scalars are in double; the vector matrices are in
// T, so a float SVD runs its GEMMs in float.

/** The SVD of an upper bidiagonal n x n matrix: B = U diag(sigma) V^T, U and V column-major n x n,
 *  sigma in no particular order (column j of U and V belongs to sigma[j]). */
template <class T>
class BidiagonalSvd {
 public:
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  std::vector<double> sigma;
  Matrix U, V;

  void compute(const std::vector<double>& d, const std::vector<double>& e) {
    n_ = static_cast<int64_t>(d.size());
    d_ = d, e_ = e;
    sigma.assign(static_cast<size_t>(n_), 0.0);
    U.setZero(n_, n_), V.setZero(n_, n_);
    for (auto* buffer : {&um_, &vm_, &old_, &product_}) buffer->resize(static_cast<size_t>(n_ * n_));
    if (n_ > 0) solve(0, n_, 0);
  }

 private:
  int64_t n_ = 0;
  std::vector<double> d_, e_;
  // Work of one merge, kept between calls.
  std::vector<double> z_, dk_, poles_, zz_, tau_;
  std::vector<int64_t> order_, base_, live_;
  std::vector<char> deflated_;
  std::vector<T> um_, vm_, old_, product_;

  void solve(int64_t r0, int64_t n, int64_t sqre) {
    if (n == 0) return;
    if (n == 1) return leaf(r0, sqre);
    const int64_t k = n / 2;
    solve(r0, k, 1);
    solve(r0 + k + 1, n - k - 1, sqre);
    merge(r0, n, sqre);
  }

  /** A 1 x 1 or 1 x 2 block: [d] = 1 |d| sign(d), [d e] = 1 hypot(d, e) (d, e) / hypot(d, e). */
  void leaf(int64_t r0, int64_t sqre) {
    const double d = d_[static_cast<size_t>(r0)], e = sqre ? e_[static_cast<size_t>(r0)] : 0.0;
    const double s = std::hypot(d, e);
    sigma[static_cast<size_t>(r0)] = s;
    U(r0, r0) = T(1);
    const double c = s > 0 ? d / s : 1.0, t = s > 0 ? e / s : 0.0;
    V(r0, r0) = static_cast<T>(c);
    if (!sqre) return;
    V(r0 + 1, r0) = static_cast<T>(t), V(r0, r0 + 1) = static_cast<T>(-t), V(r0 + 1, r0 + 1) = static_cast<T>(c);
  }

  /** Rotates columns a and b of `m` (rows r0..r0+rows-1): a' = c a + s b, b' = c b - s a. */
  static void rotate(Matrix& m, int64_t r0, int64_t rows, int64_t a, int64_t b, double c, double s) {
    const T ct = static_cast<T>(c), st = static_cast<T>(s);
    T* pa = &m(r0, a);
    T* pb = &m(r0, b);
    for (int64_t i = 0; i < rows; ++i) {
      const T x = pa[i], y = pb[i];
      pa[i] = ct * x + st * y;
      pb[i] = ct * y - st * x;
    }
  }

  void merge(int64_t r0, int64_t n, int64_t sqre) {
    const int64_t k = n / 2, nr = n - k - 1, cols = n + sqre;
    const auto at = [&](int64_t j) { return static_cast<size_t>(j); };
    const double alpha = d_[at(r0 + k)];
    const double beta = nr + sqre > 0 ? e_[at(r0 + k)] : 0.0;
    U(r0 + k, r0 + k) = T(1);
    if (nr == 0 && sqre) V(r0 + k + 1, r0 + k + 1) = T(1);
    z_.assign(at(cols), 0.0), dk_.assign(at(n), 0.0);
    for (int64_t j = 0; j <= k; ++j) z_[at(j)] = alpha * static_cast<double>(V(r0 + k, r0 + j));
    for (int64_t j = k + 1; j < cols; ++j) z_[at(j)] = beta * static_cast<double>(V(r0 + k + 1, r0 + j));
    for (int64_t j = 0; j < n; ++j) dk_[at(j)] = j == k ? 0.0 : sigma[at(r0 + j)];
    if (sqre) {  // the two columns with nothing but z: rotate into one, the other is V's null column
      const double r = std::hypot(z_[at(k)], z_[at(n)]);
      if (r > 0) rotate(V, r0, cols, r0 + k, r0 + n, z_[at(k)] / r, z_[at(n)] / r);
      z_[at(k)] = r, z_[at(n)] = 0;
    }
    double scale = std::max(std::abs(alpha), std::abs(beta));
    for (int64_t j = 0; j < n; ++j) scale = std::max(scale, std::abs(dk_[at(j)]));
    if (scale == 0) {  // a zero block: its singular values are zeros, its vectors those it has
      for (int64_t j = 0; j < n; ++j) sigma[at(r0 + j)] = 0;
      return;
    }
    // LAPACK's tolerance: 8 units of roundoff (half of epsilon) of the block's largest entry.
    const double tol = 4 * static_cast<double>(std::numeric_limits<T>::epsilon()) * scale;
    if (std::abs(z_[at(k)]) <= tol) z_[at(k)] = z_[at(k)] < 0 ? -tol : tol;

    // Deflation (Note [Divide and conquer on the bidiagonal]), poles ascending.
    order_.clear();
    for (int64_t j = 0; j < n; ++j)
      if (j != k) order_.push_back(j);
    std::stable_sort(order_.begin(), order_.end(), [&](int64_t a, int64_t b) { return dk_[at(a)] < dk_[at(b)]; });
    deflated_.assign(at(n), 0);
    int64_t previous = -1;
    for (const int64_t j : order_) {
      if (std::abs(z_[at(j)]) <= tol) {
        deflated_[at(j)] = 1;
      } else if (dk_[at(j)] <= tol) {  // a pole at zero, beside column k's: one rotation of V
        const double r = std::hypot(z_[at(k)], z_[at(j)]);
        rotate(V, r0, cols, r0 + k, r0 + j, z_[at(k)] / r, z_[at(j)] / r);
        z_[at(k)] = r, z_[at(j)] = 0, deflated_[at(j)] = 1;
      } else if (previous >= 0 && dk_[at(j)] - dk_[at(previous)] <= tol) {  // equal poles: one z
        const double r = std::hypot(z_[at(previous)], z_[at(j)]);
        const double c = z_[at(j)] / r, s = z_[at(previous)] / r;
        rotate(V, r0, cols, r0 + j, r0 + previous, c, s);
        rotate(U, r0, n, r0 + j, r0 + previous, c, s);
        z_[at(j)] = r, z_[at(previous)] = 0, deflated_[at(previous)] = 1;
        previous = j;
      } else {
        previous = j;
      }
    }
    live_.assign(1, k);
    for (const int64_t j : order_)
      if (!deflated_[at(j)]) live_.push_back(j);
    for (int64_t j = 0; j < n; ++j)
      if (deflated_[at(j)]) sigma[at(r0 + j)] = dk_[at(j)];
    const int64_t kk = static_cast<int64_t>(live_.size());
    poles_.resize(at(kk)), zz_.resize(at(kk)), base_.resize(at(kk)), tau_.resize(at(kk));
    for (int64_t i = 0; i < kk; ++i) poles_[at(i)] = dk_[at(live_[at(i)])], zz_[at(i)] = z_[at(live_[at(i)])];
    double znorm2 = 0;
    for (int64_t i = 0; i < kk; ++i) znorm2 += zz_[at(i)] * zz_[at(i)];
    // Each root, each z and each vector costs about 4 kk operations: threads take them in ranges.
    const int64_t grain = std::max<int64_t>(1, 8192 / kk);
    parallel_for(0, kk, grain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) secular_root(i, kk, znorm2);
    });
    parallel_for(0, kk, grain, [&](int64_t begin, int64_t end) { loewner(begin, end, kk); });
    parallel_for(0, kk, grain, [&](int64_t begin, int64_t end) { vectors(begin, end, kk); });

    // New vectors of the live columns: the old ones times um_ (U) and vm_ (V), one GEMM each.
    const auto update = [&](Matrix& m, int64_t rows, const std::vector<T>& small) {
      T* old = old_.data();
      T* product = product_.data();
      for (int64_t i = 0; i < kk; ++i) std::copy_n(&m(r0, r0 + live_[at(i)]), rows, old + i * rows);
      gemm<T>(rows, kk, kk, MatrixRef<const T>{old, 1, rows}, MatrixRef<const T>{small.data(), 1, kk},
              MatrixRef<T>{product, 1, rows});
      for (int64_t i = 0; i < kk; ++i) std::copy_n(product + i * rows, rows, &m(r0, r0 + live_[at(i)]));
    };
    update(U, n, um_);
    update(V, cols, vm_);
    for (int64_t i = 0; i < kk; ++i) sigma[at(r0 + live_[at(i)])] = poles_[at(base_[at(i)])] + tau_[at(i)];
  }

  /** Root i of 1 + sum_j zz_j^2 / (poles_j^2 - s^2), as poles_[base_[i]] + tau_[i]. */
  void secular_root(int64_t i, int64_t kk, double znorm2) {
    const auto at = [](int64_t j) { return static_cast<size_t>(j); };
    const bool last = i == kk - 1;
    int64_t b = i;
    double lo = 0, hi = 0;  // the bracket of mu = s^2 - poles_[b]^2
    if (last) {
      hi = znorm2;
    } else {
      const double p = poles_[at(i)], q = poles_[at(i + 1)], mid = (p + q) / 2;
      double f = 1;
      for (int64_t j = 0; j < kk; ++j) f += zz_[at(j)] * zz_[at(j)] / ((poles_[at(j)] - mid) * (poles_[at(j)] + mid));
      if (f >= 0) {
        hi = (mid - p) * (mid + p);
      } else {
        b = i + 1, lo = (mid - q) * (mid + q);
      }
    }
    const double pb = poles_[at(b)];
    // Poles in mu: shifted[j] = poles_j^2 - poles_b^2, without cancellation.
    const auto shifted = [&](int64_t j) { return (poles_[at(j)] - pb) * (poles_[at(j)] + pb); };
    const double p1 = shifted(i), p2 = last ? 0.0 : shifted(i + 1);
    double mu = last ? hi / 2 : (lo + hi) / 2;
    constexpr double eps = std::numeric_limits<double>::epsilon();
    for (int iteration = 0; iteration < 100; ++iteration) {
      double psi = 0, dpsi = 0, phi = 0, dphi = 0, magnitude = 0;
      for (int64_t j = 0; j < kk; ++j) {
        const double w = zz_[at(j)] * zz_[at(j)], r = 1 / (shifted(j) - mu), term = w * r;
        magnitude += std::abs(term);
        if (j <= i) psi += term, dpsi += term * r;
        else phi += term, dphi += term * r;
      }
      const double g = 1 + psi + phi;
      if (g > 0) hi = mu; else lo = mu;
      if (std::abs(g) <= 8 * eps * static_cast<double>(kk) * (1 + magnitude)) break;
      // The two-pole model C + s1 / (p1 - x) + s2 / (p2 - x) = 0, matching value and slope.
      const double s1 = dpsi * (p1 - mu) * (p1 - mu), s2 = last ? 0.0 : dphi * (p2 - mu) * (p2 - mu);
      const double c = 1 + (psi - dpsi * (p1 - mu)) + (last ? phi : phi - dphi * (p2 - mu));
      double x = (lo + hi) / 2;
      if (last) {
        if (c > 0) x = p1 + s1 / c;
      } else {
        const double a2 = c, a1 = -(c * (p1 + p2) + s1 + s2), a0 = c * p1 * p2 + s1 * p2 + s2 * p1;
        const double disc = a1 * a1 - 4 * a2 * a0;
        if (disc >= 0) {
          const double q = -0.5 * (a1 + std::copysign(std::sqrt(disc), a1));
          const double x1 = a2 != 0 ? q / a2 : x, x2 = q != 0 ? a0 / q : x;
          x = x1 > lo && x1 < hi ? x1 : x2;
        }
      }
      if (!(x > lo && x < hi)) x = (lo + hi) / 2;
      if (x == mu || hi - lo <= 2 * eps * std::max(std::abs(lo), std::abs(hi))) break;
      mu = x;
    }
    base_[at(i)] = b;
    tau_[at(i)] = mu / (pb + std::sqrt(pb * pb + mu));  // s - poles_b, without cancellation
  }

  /** poles_j - s_i, without cancellation. */
  double gap(int64_t j, int64_t i) const {
    return (poles_[static_cast<size_t>(j)] - poles_[static_cast<size_t>(base_[static_cast<size_t>(i)])]) -
           tau_[static_cast<size_t>(i)];
  }
  double root(int64_t i) const {
    return poles_[static_cast<size_t>(base_[static_cast<size_t>(i)])] + tau_[static_cast<size_t>(i)];
  }

  /** zz_[begin..end) from the roots (Loewner's formula), so the vectors belong to one nearby matrix. */
  void loewner(int64_t begin, int64_t end, int64_t kk) {
    for (int64_t j = begin; j < end; ++j) {
      const double pj = poles_[static_cast<size_t>(j)];
      double z2 = -gap(j, kk - 1) * (pj + root(kk - 1));
      for (int64_t i = 0; i < j; ++i) {
        const double pi = poles_[static_cast<size_t>(i)];
        z2 *= (-gap(j, i) * (pj + root(i))) / ((pi - pj) * (pi + pj));
      }
      for (int64_t i = j; i < kk - 1; ++i) {
        const double pi = poles_[static_cast<size_t>(i + 1)];
        z2 *= (-gap(j, i) * (pj + root(i))) / ((pi - pj) * (pi + pj));
      }
      zz_[static_cast<size_t>(j)] = std::copysign(std::sqrt(std::max(z2, 0.0)), zz_[static_cast<size_t>(j)]);
    }
  }

  /** Columns begin..end of um_ and vm_ (kk x kk): column i holds the vectors of root i. */
  void vectors(int64_t begin, int64_t end, int64_t kk) {
    std::vector<double> u(static_cast<size_t>(kk)), v(static_cast<size_t>(kk));
    for (int64_t i = begin; i < end; ++i) {
      double un = 0, vn = 0;
      for (int64_t j = 0; j < kk; ++j) {
        const double pj = poles_[static_cast<size_t>(j)];
        const double vj = zz_[static_cast<size_t>(j)] / (gap(j, i) * (pj + root(i)));
        const double uj = j == 0 ? -1.0 : pj * vj;
        v[static_cast<size_t>(j)] = vj, u[static_cast<size_t>(j)] = uj;
        vn += vj * vj, un += uj * uj;
      }
      un = 1 / std::sqrt(un), vn = 1 / std::sqrt(vn);
      for (int64_t j = 0; j < kk; ++j) {
        um_[static_cast<size_t>(i * kk + j)] = static_cast<T>(u[static_cast<size_t>(j)] * un);
        vm_[static_cast<size_t>(i * kk + j)] = static_cast<T>(v[static_cast<size_t>(j)] * vn);
      }
    }
  }
};

/** X (rows x cols, column-major, leading dimension ldx) = H_0 H_1 ... H_{count-1} X for reflectors
 *  H_i = I - tau(i) v_i v_i^T acting on coordinates start + i ..< rows, v_i = (1, essential(i, j)
 *  for j = start + i + 1 ..< rows): LAPACK's ormbr, in blocks of 32 reflectors (I - V T V^T, the
 *  compact WY form) whose two products are GEMMs. */
template <class T, class Tau, class Essential>
void apply_reflectors(T* x, int64_t rows, int64_t cols, int64_t ldx, int64_t count, int64_t start, const Tau& tau,
                      const Essential& essential, std::vector<T>& work) {
  constexpr int64_t kBlock = 32;
  for (int64_t b = (count - 1) / kBlock * kBlock; b >= 0 && count > 0; b -= kBlock) {
    const int64_t nb = std::min(kBlock, count - b), top = start + b, len = rows - top;
    if (len <= 0) continue;
    work.assign(static_cast<size_t>(len * nb + nb * nb + 2 * nb * cols), T(0));
    T* v = work.data();            // len x nb, column-major: row r is coordinate top + r
    T* t = v + len * nb;           // nb x nb, upper triangular
    T* w = t + nb * nb;            // nb x cols: V^T X
    T* tw = w + nb * cols;         // nb x cols: T V^T X
    for (int64_t c = 0; c < nb; ++c) {
      v[c * len + c] = T(1);
      for (int64_t r = c + 1; r < len; ++r) v[c * len + r] = essential(b + c, top + r);
    }
    for (int64_t c = 0; c < nb; ++c) {  // T(0:c, c) = -tau_c T(0:c, 0:c) V(:, 0:c)^T v_c
      const T tc = tau(b + c);
      t[c * nb + c] = tc;
      for (int64_t i = 0; i < c; ++i) {
        T dot = 0;
        for (int64_t r = c; r < len; ++r) dot += v[i * len + r] * v[c * len + r];
        w[i] = dot;
      }
      for (int64_t i = 0; i < c; ++i) {
        T sum = 0;
        for (int64_t l = i; l < c; ++l) sum += t[l * nb + i] * w[l];
        t[c * nb + i] = -tc * sum;
      }
    }
    const MatrixRef<const T> vm{v, 1, len}, tm{t, 1, nb};
    const MatrixRef<T> xm{x + top, 1, ldx}, wm{w, 1, nb}, twm{tw, 1, nb};
    gemm<T>(nb, cols, len, vm.transposed(), xm, wm);                  // W = V^T X
    gemm<T>(nb, cols, nb, tm, wm, twm);                               // TW = T W
    gemm<T>(len, cols, nb, vm, twm, xm, true, GemmOutput::subtract);  // X -= V TW
  }
}

/** Work matrices of svd_one, which a caller may keep between calls. */
template <class T>
struct SvdWork {
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  Matrix x, ux, vx;
  // Eigen's compute() keeps the sizes the constructor was given: made again when they change.
  std::optional<Eigen::internal::UpperBidiagonalization<Matrix>> bidiagonal;
  BidiagonalSvd<T> middle;
  std::vector<double> d, e;
  std::vector<int64_t> order;
  std::vector<T> reflectors;
};

/** The SVD of one m x n row-major matrix: s (min(m, n), descending) and, when u is not null,
 *  U (m x ucols) and Vh (vrows x n), row-major, thin or full. A wide matrix is solved as its
 *  transpose. A matrix with a NaN or an infinity gets NaN everywhere. */
template <class T>
void svd_one(SvdWork<T>& w, const T* a, T* u, T* s, T* vh, int64_t m, int64_t n, bool full) {
  using Matrix = typename SvdWork<T>::Matrix;
  using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const bool tall = m >= n;
  const int64_t mm = tall ? m : n, nn = tall ? n : m;  // X = A or A^T, mm x nn, mm >= nn
  const int64_t ucols = full ? mm : nn;
  const Eigen::Map<const RowMajor> in(a, m, n);
  if (tall) w.x = in; else w.x = in.transpose();
  if (!w.x.allFinite()) {
    const T nan = std::numeric_limits<T>::quiet_NaN();
    std::fill_n(s, nn, nan);
    if (u) std::fill_n(u, m * (tall ? ucols : m), nan), std::fill_n(vh, (tall ? n : ucols) * n, nan);
    return;
  }
  // Scaled to a largest magnitude of 1, as Eigen's solvers do, so that no square underflows.
  const T scale = w.x.cwiseAbs().maxCoeff();
  if (scale > 0) w.x /= scale;
  if (w.bidiagonal && w.bidiagonal->householder().rows() == mm && w.bidiagonal->householder().cols() == nn)
    w.bidiagonal->compute(w.x);
  else
    w.bidiagonal.emplace(w.x);
  // The band's coefficients: the diagonal in row 1, the one above it in row 0 from column 1.
  const auto& band = w.bidiagonal->bidiagonal().coeffs();
  w.d.resize(static_cast<size_t>(nn)), w.e.resize(static_cast<size_t>(nn > 0 ? nn - 1 : 0));
  for (int64_t i = 0; i < nn; ++i) w.d[static_cast<size_t>(i)] = static_cast<double>(band(1, i));
  for (int64_t i = 0; i + 1 < nn; ++i) w.e[static_cast<size_t>(i)] = static_cast<double>(band(0, i + 1));
  w.middle.compute(w.d, w.e);
  w.order.resize(static_cast<size_t>(nn));
  std::iota(w.order.begin(), w.order.end(), int64_t{0});
  const auto& sigma = w.middle.sigma;
  std::stable_sort(w.order.begin(), w.order.end(),
                   [&](int64_t i, int64_t j) { return sigma[static_cast<size_t>(i)] > sigma[static_cast<size_t>(j)]; });
  for (int64_t i = 0; i < nn; ++i) s[i] = static_cast<T>(sigma[static_cast<size_t>(w.order[static_cast<size_t>(i)])]) * scale;
  if (!u) return;
  // X = Q B P^T and B = Ub S Vb^T: X's U is Q [Ub; 0] (full: Q diag(Ub, I)), its V is P Vb, with Q's
  // reflectors below the diagonal of Eigen's householder() (tau on the diagonal) and P's right of
  // the superdiagonal (tau on it).
  w.ux.setZero(mm, ucols), w.vx.resize(nn, nn);
  for (int64_t i = 0; i < nn; ++i) {
    const int64_t from = w.order[static_cast<size_t>(i)];
    w.ux.col(i).head(nn) = w.middle.U.col(from);
    w.vx.col(i) = w.middle.V.col(from);
  }
  for (int64_t i = nn; i < ucols; ++i) w.ux(i, i) = T(1);
  const Matrix& h = w.bidiagonal->householder();
  apply_reflectors<T>(w.ux.data(), mm, ucols, mm, nn, 0, [&](int64_t i) { return h(i, i); },
                      [&](int64_t i, int64_t j) { return h(j, i); }, w.reflectors);
  apply_reflectors<T>(w.vx.data(), nn, nn, nn, nn - 1, 1, [&](int64_t i) { return h(i, i + 1); },
                      [&](int64_t i, int64_t j) { return h(i, j); }, w.reflectors);
  // A = X: U = ux, Vh = vx^T. A = X^T: U = vx, Vh = ux^T.
  const Matrix& left = tall ? w.ux : w.vx;
  const Matrix& right = tall ? w.vx : w.ux;
  Eigen::Map<RowMajor>(u, m, left.cols()) = left;
  Eigen::Map<RowMajor>(vh, right.cols(), n) = right.transpose();
}

}  // namespace tessera::detail
