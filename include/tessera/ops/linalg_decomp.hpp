#pragma once
// ts::linalg, torch.linalg's solvers and factorizations: solve, inv, det, slogdet, cholesky,
// solve_triangular, lu_factor, lu_solve, matrix_power, multi_dot, qr, eigh, eigvalsh, svd,
// svdvals, pinv, matrix_rank, lstsq, cond, matrix_norm, vector_norm, norm; and torch.cholesky_solve.
// Batched over leading dims, float and double, with PyTorch's gradients. Opt-in: include
// <tessera/linalg.hpp> (Note [linalg is opt-in]).

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "../autograd/node.hpp"
#include "../backend/cpu/linalg_decomp.hpp"
#include "creation.hpp"
#include "linalg.hpp"
#include "rearrange.hpp"

// Note [linalg is opt-in]
// The kernels use Eigen's LU, Cholesky, QR, SVD and symmetric eigen solvers, whose headers add
// seconds to every translation unit that includes them. tessera.hpp keeps a hello-world free of
// Eigen (Note [Eigen without including Eigen]), so these ops live behind their own include,
// <tessera/linalg.hpp>, which a program adds where it solves systems.
//
// Note [linalg on devices]
// The factorizations run on the host: a tensor on another device is copied to the CPU, solved
// there and the result copied back (docs/gpu.md, "What runs on the host"). matrix_power and
// multi_dot are products and run where their operands are.

namespace tessera {

/** torch.linalg.slogdet's result: the sign of the determinant and the log of its absolute value. */
template <class T>
struct SignLogAbsDet {
  Tensor<T> sign;
  Tensor<T> logabsdet;
};

/** torch.linalg.lu_factor's result: L and U packed in one matrix (L's unit diagonal not stored)
 *  and LAPACK's 1-based row swaps, int32. */
template <class T>
struct LUPivots {
  Tensor<T> LU;
  Tensor<int32_t> pivots;
};

/** torch.linalg.qr's result (Q is empty for mode "r"). */
template <class T>
struct QRResult {
  Tensor<T> Q;
  Tensor<T> R;
};

/** torch.linalg.eigh's result: ascending eigenvalues and eigenvectors as columns. */
template <class T>
struct EighResult {
  Tensor<T> eigenvalues;
  Tensor<T> eigenvectors;
};

/** torch.linalg.svd's result: A = U diag(S) Vh, S descending. */
template <class T>
struct SVDResult {
  Tensor<T> U;
  Tensor<T> S;
  Tensor<T> Vh;
};

/** torch.linalg.lstsq's result. With the default driver (gelsy) PyTorch fills solution and rank;
 *  residuals and singular_values are empty, as here. */
template <class T>
struct LstsqResult {
  Tensor<T> solution;
  Tensor<T> residuals;
  Tensor<int64_t> rank;
  Tensor<T> singular_values;
};

namespace detail {

template <class T>
inline constexpr bool linalg_floating_v = std::is_same_v<T, float> || std::is_same_v<T, double>;

#define TS_LINALG_FLOATING(T, op)                                                                           \
  static_assert(::tessera::detail::linalg_floating_v<T>, op ": Expected a floating point tensor as input: " \
                "ts::linalg works on float and double (PyTorch refuses integers with \"Expected a floating "  \
                "point or complex tensor as input\" and has no CPU kernel for half)")

/** PyTorch's ScalarType name ("Long"), as its messages print it. */
inline const char* torch_scalar_name(DType d) {
  static constexpr const char* names[kNumDTypes] = {"Bool", "Byte", "Char", "Short", "Int",
                                                     "Long", "Half", "BFloat16", "Float", "Double"};
  return names[static_cast<int>(d)];
}

template <class T>
Tensor<T> mT(const Tensor<T>& t) {
  return t.transpose(-2, -1);
}

/** A view with dims d0 and d1 moved to the end, in that order. */
template <class T>
Tensor<T> dims_to_end(const Tensor<T>& t, int64_t d0, int64_t d1) {
  Shape perm;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (d != d0 && d != d1) perm.push_back(d);
  perm.push_back(d0);
  perm.push_back(d1);
  return t.permute(perm);
}

inline Shape batch_of(const Shape& s) { return Shape(std::span<const int64_t>(s.data(), s.size() - 2)); }

inline Shape with_matrix(Shape batch, int64_t rows, int64_t cols) {
  batch.push_back(rows);
  batch.push_back(cols);
  return batch;
}

template <class T>
void check_at_least_2d(const char* op, const char* name, const Tensor<T>& t) {
  TS_CHECK(t.dim() >= 2, op, ": The input tensor ", name, " must have at least 2 dimensions.");
}

template <class T>
void check_square_matrices(const char* op, const Tensor<T>& a) {
  check_at_least_2d(op, "A", a);
  TS_CHECK(a.size(-1) == a.size(-2), op, ": A must be batches of square matrices, but they are ", a.size(-2), " by ",
           a.size(-1), " matrices");
}

/** A fresh contiguous host copy of t (any strides, any device), detached: kernels write into it. */
template <class T>
Tensor<T> host_copy(const Tensor<T>& t, const char* op) {
  NoGradGuard no_grad;
  const Tensor<T> h = t.detach().to(Device::cpu());
  Tensor<T> out = empty_tensor<T>(h.sizes(), {}, op);
  out.copy_(h);
  return out;
}

/** Throws PyTorch's message for the first matrix whose LAPACK-style info is not zero. */
template <class F>
void check_linalg_info(const std::vector<int64_t>& info, const char* op, bool batched, const F& message) {
  for (size_t i = 0; i < info.size(); ++i) {
    if (info[i] == 0) continue;
    const std::string where = batched ? "(Batch element " + std::to_string(i) + "): " : "";
    TS_CHECK(false, op, ": ", where, message(info[i]));
  }
}

/** LU factors of a (batch of) square matrices on the host, with the info of each. */
template <class T>
struct HostLU {
  Tensor<T> lu;
  Tensor<int32_t> pivots;
  std::vector<int64_t> info;
};
template <class T>
HostLU<T> host_lu(const Tensor<T>& a, const char* op) {
  HostLU<T> r{host_copy(a, op), {}, {}};
  const int64_t n = a.size(-1), batch = n == 0 ? checked_numel(batch_of(a.sizes()), op) : a.numel() / (n * n);
  r.pivots = empty_tensor<int32_t>(Shape(std::span<const int64_t>(a.sizes().data(), a.sizes().size() - 1)), {}, op);
  r.info = lu_factor_batch<T>(r.lu.data_ptr(), r.pivots.data_ptr(), batch, n);
  return r;
}

/** X with A X = B for matrices whose batch dims are equal or A's are all ones (one A for every
 *  B), from the host LU of A; not recorded. `inverse` picks linalg.inv's message for a singular A. */
template <class T>
Tensor<T> solve_with_lu(const Tensor<T>& a, const Tensor<T>& b, bool inverse) {
  const char* op = inverse ? "linalg.inv" : "torch.linalg.solve";
  // As PyTorch: a contiguous A is factored as A^T (LAPACK's column-major A^T is A's memory) and
  // solved with the adjoint, so the zero pivot inv's message names is A^T's.
  const bool transposed = a.is_contiguous();
  const HostLU<T> f = host_lu(transposed ? a.mT() : a, op);
  if (inverse)
    check_linalg_info(f.info, op, a.dim() > 2, [](int64_t i) {
      return "The diagonal element " + std::to_string(i) +
             " is zero, the inversion could not be completed because the input matrix is singular.";
    });
  else
    check_linalg_info(f.info, op, a.dim() > 2,
                      [](int64_t) { return std::string("The solver failed because the input matrix is singular."); });
  Tensor<T> x = host_copy(b, op);
  const int64_t n = b.size(-2), k = b.size(-1);
  const int64_t batch = n * k == 0 ? checked_numel(batch_of(b.sizes()), op) : b.numel() / (n * k);
  const int64_t lu_step = f.info.size() == static_cast<size_t>(batch) ? 1 : 0;
  lu_solve_batch(f.lu.data_ptr(), f.pivots.data_ptr(), lu_step, x.data_ptr(), batch, n, k, transposed);
  return x.to(a.device());
}

template <class T>
Tensor<T> eye_like_batch(const Tensor<T>& a) {
  return eye<T>(a.size(-1), std::nullopt, {.device = a.device()}).expand(a.sizes());
}

// --- derivatives (PyTorch's, tools/autograd/derivatives.yaml and FunctionsManual.cpp) ---------

/** X = A^-1 B (equal batch dims): dB = A^-T dX, dA = -dB X^T. inv records it with B = I. */
template <class T>
struct LinalgSolveBackward final : Node {
  SavedTensor<T> a, x;
  const char* node_name;
  LinalgSolveBackward(const Tensor<T>& a_, const Tensor<T>& x_, const char* name_)
      : a(a_, false), x(x_, true), node_name(name_) {}
  const char* name() const override { return node_name; }
  void release_saved() override {
    Node::release_saved();
    release_all(a, x);
  }
  variable_list apply(variable_list&& grads) override;
};

/** det: d det = det A^-T (PyTorch's formula for an invertible A; zeros where det is exactly 0). */
template <class T>
struct LinalgDetBackward0 final : Node {
  SavedTensor<T> a, det;
  LinalgDetBackward0(const Tensor<T>& a_, const Tensor<T>& det_) : a(a_, false), det(det_, true) {}
  const char* name() const override { return "LinalgDetBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(a, det);
  }
  variable_list apply(variable_list&& grads) override;
};

/** slogdet: d logabsdet = A^-T; the sign has no gradient. */
template <class T>
struct LinalgSlogdetBackward0 final : Node {
  SavedTensor<T> a;
  explicit LinalgSlogdetBackward0(const Tensor<T>& a_) : a(a_, false) {}
  const char* name() const override { return "LinalgSlogdetBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(a);
  }
  variable_list apply(variable_list&& grads) override;
};

/** cholesky (Murray 2016, arXiv:1602.07527), as PyTorch's cholesky_backward. */
template <class T>
struct LinalgCholeskyExBackward0 final : Node {
  SavedTensor<T> l;
  bool upper;
  LinalgCholeskyExBackward0(const Tensor<T>& l_, bool upper_) : l(l_, true), upper(upper_) {}
  const char* name() const override { return "LinalgCholeskyExBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(l);
  }
  variable_list apply(variable_list&& grads) override;
};

/** solve_triangular with left=true (left=false is recorded through transposes). */
template <class T>
struct LinalgSolveTriangularBackward0 final : Node {
  SavedTensor<T> a, x;
  bool upper, unitriangular;
  LinalgSolveTriangularBackward0(const Tensor<T>& a_, const Tensor<T>& x_, bool upper_, bool unit_)
      : a(a_, false), x(x_, true), upper(upper_), unitriangular(unit_) {}
  const char* name() const override { return "LinalgSolveTriangularBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(a, x);
  }
  variable_list apply(variable_list&& grads) override;
};

/** cholesky_solve(B, L): PyTorch's cholesky_solve_backward (dL is a full matrix, as there). */
template <class T>
struct CholeskySolveBackward0 final : Node {
  SavedTensor<T> l, x;
  bool upper;
  CholeskySolveBackward0(const Tensor<T>& l_, const Tensor<T>& x_, bool upper_) : l(l_, false), x(x_, true), upper(upper_) {}
  const char* name() const override { return "CholeskySolveBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(l, x);
  }
  variable_list apply(variable_list&& grads) override;
};

/** Both operands' batch dims broadcast, as PyTorch's linalg ops do; the expand is recorded, so
 *  gradients sum back over broadcast dims. */
template <class T>
std::pair<Tensor<T>, Tensor<T>> broadcast_batches(const Tensor<T>& a, const Tensor<T>& b, const char* op) {
  const Shape batch = broadcast_shapes(batch_of(a.sizes()), batch_of(b.sizes()), op);
  const Shape sa = with_matrix(batch, a.size(-2), a.size(-1)), sb = with_matrix(batch, b.size(-2), b.size(-1));
  return {a.sizes() == sa ? a : a.expand(sa), b.sizes() == sb ? b : b.expand(sb)};
}

/** qr, modes "reduced" and "complete" (m <= n), as PyTorch's linalg_qr_backward; mode "r" and
 *  "complete" with m > n refuse with PyTorch's messages. */
template <class T>
struct LinalgQrBackward0 final : Node {
  SavedTensor<T> q, r;
  std::string mode;
  LinalgQrBackward0(const Tensor<T>& q_, const Tensor<T>& r_, std::string mode_) : q(q_, true), r(r_, true), mode(std::move(mode_)) {}
  const char* name() const override { return "LinalgQrBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(q, r);
  }
  variable_list apply(variable_list&& grads) override;
};

/** eigh and eigvalsh: gA = V (skew(V^T gV) / E + diag(gL)) V^T with E_ij = L_j - L_i. */
template <class T>
struct LinalgEighBackward0 final : Node {
  SavedTensor<T> values, vectors;
  LinalgEighBackward0(const Tensor<T>& l_, const Tensor<T>& v_, bool vectors_are_output)
      : values(l_, true), vectors(v_, vectors_are_output) {}
  const char* name() const override { return "LinalgEighBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(values, vectors);
  }
  variable_list apply(variable_list&& grads) override;
};

/** svd and svdvals, as PyTorch's svd_backward (full matrices narrowed to the thin ones). */
template <class T>
struct LinalgSvdBackward0 final : Node {
  SavedTensor<T> u, s, vh;
  bool full_matrices;
  LinalgSvdBackward0(const Tensor<T>& u_, const Tensor<T>& s_, const Tensor<T>& vh_, bool full_, bool outputs)
      : u(u_, outputs), s(s_, true), vh(vh_, outputs), full_matrices(full_) {}
  const char* name() const override { return "LinalgSvdBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(u, s, vh);
  }
  variable_list apply(variable_list&& grads) override;
};

/** A X = B for square A and a matrix B with broadcast batch dims; recorded. */
template <class T>
Tensor<T> solve_matrix(const Tensor<T>& a_in, const Tensor<T>& b_in, bool inverse, const char* node) {
  Shape a_batch = batch_of(a_in.sizes());
  const Shape batch = broadcast_shapes(a_batch, batch_of(b_in.sizes()), "linalg.solve");
  const bool one_a = checked_numel(a_batch, "linalg.solve") == 1 && !needs_grad(a_in);
  // One A for every right-hand side is factored once; otherwise A is expanded with B.
  Tensor<T> a = a_in, b = b_in;
  if (!one_a) std::tie(a, b) = broadcast_batches(a_in, b_in, "linalg.solve");
  else if (batch_of(b.sizes()) != batch) b = b.expand(with_matrix(batch, b.size(-2), b.size(-1)));
  Tensor<T> x;
  {
    NoGradGuard no_grad;
    x = solve_with_lu(a, b, inverse);
  }
  if (needs_grad(a, b)) record<LinalgSolveBackward<T>>({a, b}, {x}, a, x, node);
  return x;
}

}  // namespace detail

namespace linalg {

/** torch.linalg.solve: X with A X = B (left) or X A = B (left = false) for square A (*, n, n).
 *  B is (*, n, k), or a vector (n) or (*, n) when its shape is A's without the last dim; batch
 *  dims broadcast. A singular A throws PyTorch's "The solver failed because the input matrix is
 *  singular." */
template <class T, class U>
Tensor<T> solve(const Tensor<T>& A, const Tensor<U>& B, bool left = true) {
  TS_LINALG_FLOATING(T, "linalg.solve");
  static_assert(std::is_same_v<T, U>, "linalg.solve: Expected A and B to have the same dtype (PyTorch: \"Expected A "
                "and B to have the same dtype, but found A of type Float and B of type Double instead\")");
  detail::check_square_matrices("linalg.solve", A);
  detail::check_same_device("linalg.solve", A.device(), B.device());
  const bool vector = B.dim() == 1 || (B.dim() == A.dim() - 1 && B.sizes() == Shape(std::span<const int64_t>(A.sizes().data(), A.sizes().size() - 1)));
  const Tensor<T> b = vector ? B.unsqueeze(-1) : B;
  const int64_t n = A.size(-1);
  if (left)
    TS_CHECK(b.size(-2) == n, "linalg.solve: Incompatible shapes of A and B for the equation AX = B (", n, "x", n,
             " and ", b.size(-2), "x", b.size(-1), ")");
  else
    TS_CHECK(b.size(-1) == n, "linalg.solve: Incompatible shapes of A and B for the equation XA = B (", n, "x", n,
             " and ", b.size(-2), "x", b.size(-1), ")");
  TS_CHECK(left || !vector, "linalg.solve: Vector broadcasting of the left hand side is not supported for left=False. "
           "In this case linalg.solve is equivalent to B / A.squeeze(-1)");
  if (!left) return detail::mT(detail::solve_matrix(detail::mT(A), detail::mT(b), false, "LinalgSolveExBackward0"));
  const Tensor<T> x = detail::solve_matrix(A, b, false, "LinalgSolveExBackward0");
  return vector ? x.squeeze(-1) : x;
}

/** torch.linalg.inv: the inverse of each square matrix; a singular one throws PyTorch's "The
 *  diagonal element i is zero, the inversion could not be completed ...". */
template <class T>
Tensor<T> inv(const Tensor<T>& A) {
  TS_LINALG_FLOATING(T, "linalg.inv");
  detail::check_square_matrices("linalg.inv", A);
  Tensor<T> identity;
  {
    NoGradGuard no_grad;
    identity = detail::eye_like_batch(A);
  }
  return detail::solve_matrix(A, identity, true, "LinalgInvExBackward0");
}

/** torch.linalg.slogdet: (sign, log|det|) of each square matrix; a singular one gives sign 0 and
 *  -inf. */
template <class T>
SignLogAbsDet<T> slogdet(const Tensor<T>& A) {
  TS_LINALG_FLOATING(T, "linalg.slogdet");
  detail::check_square_matrices("linalg.slogdet", A);
  const Shape batch = detail::batch_of(A.sizes());
  SignLogAbsDet<T> r{detail::empty_tensor<T>(batch, {}, "linalg.slogdet"), detail::empty_tensor<T>(batch, {}, "linalg.slogdet")};
  {
    NoGradGuard no_grad;
    const detail::HostLU<T> f = detail::host_lu(A, "linalg.slogdet");
    detail::lu_det_batch<T>(f.lu.data_ptr(), f.pivots.data_ptr(), nullptr, r.sign.data_ptr(), r.logabsdet.data_ptr(),
                            r.sign.numel(), A.size(-1));
    r.sign = r.sign.to(A.device());
    r.logabsdet = r.logabsdet.to(A.device());
  }
  if (detail::needs_grad(A)) detail::record<detail::LinalgSlogdetBackward0<T>>({A}, {r.sign, r.logabsdet}, A);
  return r;
}

/** torch.linalg.det: the determinant of each square matrix, from its LU. */
template <class T>
Tensor<T> det(const Tensor<T>& A) {
  TS_LINALG_FLOATING(T, "linalg.det");
  detail::check_square_matrices("linalg.det", A);
  Tensor<T> d = detail::empty_tensor<T>(detail::batch_of(A.sizes()), {}, "linalg.det");
  {
    NoGradGuard no_grad;
    const detail::HostLU<T> f = detail::host_lu(A, "linalg.det");
    detail::lu_det_batch<T>(f.lu.data_ptr(), f.pivots.data_ptr(), d.data_ptr(), nullptr, nullptr, d.numel(), A.size(-1));
    d = d.to(A.device());
  }
  if (detail::needs_grad(A)) detail::record<detail::LinalgDetBackward0<T>>({A}, {d}, A, d);
  return d;
}

/** torch.linalg.cholesky: L with A = L L^T (upper: U with A = U^T U) for symmetric
 *  positive-definite A, reading only A's lower (upper) triangle. */
template <class T>
Tensor<T> cholesky(const Tensor<T>& A, bool upper = false) {
  TS_LINALG_FLOATING(T, "linalg.cholesky");
  detail::check_square_matrices("linalg.cholesky", A);
  Tensor<T> l;
  {
    NoGradGuard no_grad;
    const Tensor<T> a = detail::host_copy(A, "linalg.cholesky");
    l = zeros<T>(A.sizes());
    const int64_t n = A.size(-1), batch = detail::checked_numel(detail::batch_of(A.sizes()), "linalg.cholesky");
    const auto info = detail::cholesky_batch<T>(a.data_ptr(), l.data_ptr(), batch, n, upper);
    detail::check_linalg_info(info, "linalg.cholesky", A.dim() > 2, [](int64_t order) {
      return "The factorization could not be completed because the input is not positive-definite (the leading minor "
             "of order " + std::to_string(order) + " is not positive-definite).";
    });
    l = l.to(A.device());
  }
  if (detail::needs_grad(A)) detail::record<detail::LinalgCholeskyExBackward0<T>>({A}, {l}, l, upper);
  return l;
}

/** torch.linalg.solve_triangular(A, B, *, upper, left=True, unitriangular=False): X with A X = B
 *  (or X A = B) for triangular A, reading only its upper or lower triangle (and not its diagonal
 *  when unitriangular); batch dims broadcast. */
template <class T, class U>
Tensor<T> solve_triangular(const Tensor<T>& A, const Tensor<U>& B, bool upper, bool left = true,
                           bool unitriangular = false) {
  TS_LINALG_FLOATING(T, "linalg.solve_triangular");
  static_assert(std::is_same_v<T, U>, "linalg.solve_triangular: Expected A and B to have the same dtype");
  detail::check_at_least_2d("linalg.solve_triangular", "B", B);
  detail::check_square_matrices("linalg.solve_triangular", A);
  detail::check_same_device("linalg.solve_triangular", A.device(), B.device());
  const int64_t n = A.size(-1);
  TS_CHECK(left ? B.size(-2) == n : B.size(-1) == n, "linalg.solve_triangular: Incompatible shapes of A and B for the "
           "equation ", left ? "AX = B" : "XA = B", " (", n, "x", n, " and ", B.size(-2), "x", B.size(-1), ")");
  if (!left) return detail::mT(solve_triangular(detail::mT(A), detail::mT(B), !upper, true, unitriangular));
  auto [a, b] = detail::broadcast_batches(A, B, "linalg.solve_triangular");
  Tensor<T> x;
  {
    NoGradGuard no_grad;
    const Tensor<T> ha = detail::host_copy(a, "linalg.solve_triangular");
    x = detail::host_copy(b, "linalg.solve_triangular");
    const int64_t k = b.size(-1), batch = detail::checked_numel(detail::batch_of(b.sizes()), "linalg.solve_triangular");
    detail::triangular_solve_batch<T>(ha.data_ptr(), 1, x.data_ptr(), batch, n, k, upper, unitriangular);
    x = x.to(A.device());
  }
  if (detail::needs_grad(a, b))
    detail::record<detail::LinalgSolveTriangularBackward0<T>>({a, b}, {x}, a, x, upper, unitriangular);
  return x;
}

/** torch.linalg.lu_factor: the LU factorization with partial pivoting of each square matrix,
 *  LAPACK's getrf layout (Note [LU as LAPACK's getrf]). A zero pivot throws PyTorch's "U[i,i] is
 *  zero ..." as lu_factor does. Not differentiable here. */
template <class T>
LUPivots<T> lu_factor(const Tensor<T>& A, bool pivot = true) {
  TS_LINALG_FLOATING(T, "linalg.lu_factor");
  TS_CHECK(A.dim() >= 2, "torch.lu_factor: Expected tensor with 2 or more dimensions. Got size: ",
           detail::shape_str(A.sizes()), " instead");
  TS_CHECK(pivot, "linalg.lu_factor: LU without pivoting is not implemented on the CPU");
  detail::check_square_matrices("linalg.lu_factor", A);
  NoGradGuard no_grad;
  detail::HostLU<T> f = detail::host_lu(A, "torch.linalg.lu_factor");
  detail::check_linalg_info(f.info, "torch.linalg.lu_factor", A.dim() > 2, [](int64_t i) {
    return "U[" + std::to_string(i) + "," + std::to_string(i) + "] is zero and using it on lu_solve would result in a "
           "division by zero. If you still want to perform the factorization, consider calling linalg.lu(A, pivot) or "
           "linalg.lu_factor_ex(A, pivot)";
  });
  return {f.lu.to(A.device()), f.pivots.to(A.device())};
}

/** torch.linalg.lu_solve(LU, pivots, B, *, left=True, adjoint=False): solves A X = B (A^T X = B
 *  when adjoint; X A = B when not left) from lu_factor's output; batch dims broadcast. Not
 *  differentiable here. */
template <class T, class U>
Tensor<T> lu_solve(const Tensor<T>& LU, const Tensor<int32_t>& pivots, const Tensor<U>& B, bool left = true,
                   bool adjoint = false) {
  TS_LINALG_FLOATING(T, "linalg.lu_solve");
  static_assert(std::is_same_v<T, U>, "linalg.lu_solve: Expected LU and B to have the same dtype");
  detail::check_at_least_2d("linalg.lu_solve", "LU", LU);
  detail::check_at_least_2d("linalg.lu_solve", "B", B);
  detail::check_square_matrices("linalg.lu_solve", LU);
  const int64_t n = LU.size(-1);
  TS_CHECK(pivots.dim() == LU.dim() - 1 && pivots.size(-1) == n, "linalg.lu_solve: Expected pivots of shape ",
           detail::shape_str(Shape(std::span<const int64_t>(LU.sizes().data(), LU.sizes().size() - 1))), ", got ",
           detail::shape_str(pivots.sizes()));
  TS_CHECK(left ? B.size(-2) == n : B.size(-1) == n, "linalg.lu_solve: Incompatible shapes of A and B for the equation ",
           left ? "AX = B" : "XA = B", " (", n, "x", n, " and ", B.size(-2), "x", B.size(-1), ")");
  // X A = B is A^T X^T = B^T.
  const Tensor<T> b = left ? B : detail::mT(B);
  const bool adj = left ? adjoint : !adjoint;
  NoGradGuard no_grad;
  const Shape batch = broadcast_shapes(detail::batch_of(LU.sizes()), detail::batch_of(b.sizes()), "linalg.lu_solve");
  Shape pshape = batch;
  pshape.push_back(n);
  const Tensor<T> f = detail::host_copy(LU.expand(detail::with_matrix(batch, n, n)), "linalg.lu_solve");
  const Tensor<int32_t> p = detail::host_copy(pivots.expand(pshape), "linalg.lu_solve");
  Tensor<T> x = detail::host_copy(b.expand(detail::with_matrix(batch, n, b.size(-1))), "linalg.lu_solve");
  detail::lu_solve_batch<T>(f.data_ptr(), p.data_ptr(), 1, x.data_ptr(), detail::checked_numel(batch, "linalg.lu_solve"),
                            n, b.size(-1), adj);
  x = x.to(LU.device());
  return left ? x : detail::mT(x);
}

/** torch.linalg.matrix_power: A^n by repeated squaring (PyTorch's order of products); n = 0
 *  gives identities, a negative n the power of inv(A). Integer tensors take n >= 0. */
template <class T>
Tensor<T> matrix_power(const Tensor<T>& A, int64_t n) {
  detail::check_square_matrices("linalg.matrix_power", A);
  if (n == 0) {  // as PyTorch: identities written into a clone, so the gradient is zeros (CopyBackwards)
    Tensor<T> out = A.clone();
    out.copy_(detail::eye_like_batch(A));
    return out;
  }
  if (n < 0) {
    if constexpr (detail::linalg_floating_v<T>) return matrix_power(inv(A), -n);
    else TS_CHECK(false, "linalg.inv: Expected a floating point or complex tensor as input. Got ", detail::torch_scalar_name(dtype_of<T>));
  }
  if (n == 1) return A.clone();
  if (n == 2) return matmul(A, A);
  if (n == 3) return matmul(matmul(A, A), A);
  Tensor<T> z, result;
  while (n > 0) {
    z = z.defined() ? matmul(z, z) : A;
    if (n & 1) result = result.defined() ? matmul(result, z) : z;
    n >>= 1;
  }
  return result;
}

/** torch.linalg.multi_dot: the chain product of 2-D matrices (the first may be 1-D, a row; the
 *  last 1-D, a column), in the cheapest order of products, as PyTorch chooses it. */
template <class T>
Tensor<T> multi_dot(const std::vector<Tensor<T>>& tensors) {
  const size_t count = tensors.size();
  TS_CHECK(count >= 2, "multi_dot(): expected at least 2 tensors but got ", count);
  const int64_t first_dim = tensors.front().dim(), last_dim = tensors.back().dim();
  TS_CHECK(first_dim == 1 || first_dim == 2, "multi_dot(): the first tensor must be 1D or 2D but got ", first_dim, "D");
  TS_CHECK(last_dim == 1 || last_dim == 2, "multi_dot(): the last tensor must be 1D or 2D but got ", last_dim, "D");
  for (size_t i = 1; i + 1 < count; ++i)
    TS_CHECK(tensors[i].dim() == 2, "multi_dot(): tensor ", i, " must be 2D but got ", tensors[i].dim(), "D");
  std::vector<Tensor<T>> m(tensors);
  if (first_dim == 1) m.front() = m.front().unsqueeze(0);
  if (last_dim == 1) m.back() = m.back().unsqueeze(-1);
  for (size_t i = 0; i + 1 < count; ++i)
    TS_CHECK(m[i].size(-1) == m[i + 1].size(0), "multi_dot(): tensors ", i, " and ", i + 1, " with shapes ",
             detail::shape_str(tensors[i].sizes()), " and ", detail::shape_str(tensors[i + 1].sizes()),
             " cannot be multiplied");
  Tensor<T> out;
  if (count == 2) {
    out = mm(m[0], m[1]);
  } else if (count == 3) {  // PyTorch compares the two orders' costs directly
    const int64_t a = m[0].size(0), b = m[1].size(0), c = m[2].size(0), d = m[2].size(1);
    const int64_t cost_1 = (a * c) * (b + d), cost_2 = (b * d) * (a + c);
    out = cost_1 > cost_2 ? mm(m[0], mm(m[1], m[2])) : mm(mm(m[0], m[1]), m[2]);
  } else {  // the classic matrix-chain dynamic program (Cormen et al. 15.2), as PyTorch
    std::vector<int64_t> p;
    p.push_back(m[0].size(0));
    for (const auto& t : m) p.push_back(t.size(1));
    const size_t nm = count;
    std::vector<std::vector<int64_t>> cost(nm, std::vector<int64_t>(nm, 0)), order(nm, std::vector<int64_t>(nm, 0));
    for (size_t len = 1; len < nm; ++len) {
      for (size_t i = 0; i + len < nm; ++i) {
        const size_t j = i + len;
        cost[i][j] = std::numeric_limits<int64_t>::max();
        for (size_t k = i; k < j; ++k) {
          const int64_t q = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1];
          if (q < cost[i][j]) cost[i][j] = q, order[i][j] = static_cast<int64_t>(k);
        }
      }
    }
    auto chain = [&](auto&& self, size_t i, size_t j) -> Tensor<T> {
      if (i == j) return m[i];
      const auto k = static_cast<size_t>(order[i][j]);
      return mm(self(self, i, k), self(self, k + 1, j));
    };
    out = chain(chain, 0, nm - 1);
  }
  if (first_dim == 1 && last_dim == 1) return out.view({});
  if (first_dim == 1) return out.squeeze(0);
  if (last_dim == 1) return out.squeeze(-1);
  return out;
}
template <class T>
Tensor<T> multi_dot(std::initializer_list<Tensor<T>> tensors) {
  return multi_dot(std::vector<Tensor<T>>(tensors));
}

/** torch.linalg.qr(A, mode="reduced"): A = Q R with orthonormal Q and upper-triangular R (R's
 *  diagonal signs as LAPACK's geqrf gives them). mode "complete" gives a square Q; "r" only R. */
template <class T>
QRResult<T> qr(const Tensor<T>& A, std::string_view mode = "reduced") {
  TS_LINALG_FLOATING(T, "linalg.qr");
  TS_CHECK(mode == "reduced" || mode == "complete" || mode == "r", "qr received unrecognized mode '", mode,
           "' but expected one of 'reduced' (default), 'r', or 'complete'");
  detail::check_at_least_2d("linalg.qr", "A", A);
  const int64_t m = A.size(-2), n = A.size(-1), k = std::min(m, n);
  const Shape batch = detail::batch_of(A.sizes());
  const int64_t qcols = mode == "complete" ? m : k, rrows = mode == "complete" ? m : k;
  QRResult<T> out;
  {
    NoGradGuard no_grad;
    const Tensor<T> a = detail::host_copy(A, "linalg.qr");
    Tensor<T> q = mode == "r" ? detail::empty_tensor<T>({0}, {}, "linalg.qr")
                              : detail::empty_tensor<T>(detail::with_matrix(batch, m, qcols), {}, "linalg.qr");
    Tensor<T> r = detail::empty_tensor<T>(detail::with_matrix(batch, rrows, n), {}, "linalg.qr");
    detail::qr_batch<T>(a.data_ptr(), mode == "r" ? nullptr : q.data_ptr(), r.data_ptr(),
                        detail::checked_numel(batch, "linalg.qr"), m, n, qcols, rrows);
    out = {q.to(A.device()), r.to(A.device())};
  }
  if (detail::needs_grad(A)) detail::record<detail::LinalgQrBackward0<T>>({A}, {out.Q, out.R}, out.Q, out.R, std::string(mode));
  return out;
}

}  // namespace linalg

namespace detail {
template <class T>
EighResult<T> eigh_impl(const Tensor<T>& A, std::string_view uplo, bool vectors, const char* op) {
  TS_CHECK(uplo == "L" || uplo == "U" || uplo == "l" || uplo == "u", "Expected UPLO argument to be 'L' or 'U', but got ", uplo);
  check_square_matrices(op, A);
  const int64_t n = A.size(-1);
  const Shape batch = batch_of(A.sizes());
  EighResult<T> out;
  {
    NoGradGuard no_grad;
    const Tensor<T> a = host_copy(A, op);
    Shape vshape = batch;
    vshape.push_back(n);
    Tensor<T> w = empty_tensor<T>(vshape, {}, op);
    Tensor<T> v = empty_tensor<T>(with_matrix(batch, n, n), {}, op);
    eigh_batch<T>(a.data_ptr(), w.data_ptr(), v.data_ptr(), checked_numel(batch, op), n, uplo == "U" || uplo == "u");
    out = {w.to(A.device()), v.to(A.device())};
  }
  if (needs_grad(A)) {
    if (vectors) record<LinalgEighBackward0<T>>({A}, {out.eigenvalues, out.eigenvectors}, out.eigenvalues, out.eigenvectors, true);
    else record<LinalgEighBackward0<T>>({A}, {out.eigenvalues}, out.eigenvalues, out.eigenvectors, false);
  }
  return out;
}

template <class T>
SVDResult<T> svd_impl(const Tensor<T>& A, bool full_matrices, bool vectors, const char* op) {
  check_at_least_2d(op, "A", A);
  const int64_t m = A.size(-2), n = A.size(-1), k = std::min(m, n);
  const Shape batch = batch_of(A.sizes());
  SVDResult<T> out;
  const bool grad = needs_grad(A);
  {
    NoGradGuard no_grad;
    const Tensor<T> a = host_copy(A, op);
    const int64_t uc = full_matrices ? m : k, vr = full_matrices ? n : k;
    Shape sshape = batch;
    sshape.push_back(k);
    Tensor<T> u = empty_tensor<T>(with_matrix(batch, m, uc), {}, op), vh = empty_tensor<T>(with_matrix(batch, vr, n), {}, op);
    Tensor<T> s = empty_tensor<T>(sshape, {}, op);
    // svdvals needs U and V for its gradient only.
    const bool uv = vectors || grad;
    svd_batch<T>(a.data_ptr(), uv ? u.data_ptr() : nullptr, s.data_ptr(), uv ? vh.data_ptr() : nullptr,
                 checked_numel(batch, op), m, n, full_matrices);
    if (k == 0 && full_matrices) {  // the empty matrix's full U and V are identities
      u.copy_(eye<T>(m).expand(u.sizes()));
      vh.copy_(eye<T>(n).expand(vh.sizes()));
    }
    out = {u.to(A.device()), s.to(A.device()), vh.to(A.device())};
  }
  if (grad) {
    if (vectors) record<LinalgSvdBackward0<T>>({A}, {out.U, out.S, out.Vh}, out.U, out.S, out.Vh, full_matrices, true);
    else record<LinalgSvdBackward0<T>>({A}, {out.S}, out.U, out.S, out.Vh, false, false);
  }
  return out;
}

/** The tolerance of pinv and matrix_rank: max(atol, rtol * largest singular value), rtol
 *  defaulting to eps * max(m, n) when neither is given (PyTorch's rule). */
template <class T>
Tensor<T> rank_tolerance(const Tensor<T>& s, int64_t m, int64_t n, std::optional<double> atol, std::optional<double> rtol) {
  const double eps = std::numeric_limits<T>::epsilon();
  const double r = rtol ? *rtol : (atol && *atol > 0 ? 0.0 : eps * static_cast<double>(std::max(m, n)));
  const Tensor<T> smax = s.size(-1) == 0 ? zeros<T>(batch_of(with_matrix(s.sizes(), 1, 1)), {.device = s.device()})
                                          : s.narrow(-1, 0, 1).squeeze(-1);
  return maximum(smax * static_cast<T>(r), full_like(smax, static_cast<T>(atol.value_or(0.0))));
}
}  // namespace detail

namespace linalg {

/** torch.linalg.eigh(A, UPLO="L"): eigenvalues (ascending) and orthonormal eigenvectors of
 *  symmetric matrices, reading the lower (UPLO "U": upper) triangle. Eigenvectors are unique only
 *  up to sign (and within repeated eigenvalues): compare A V = V diag(L), not V itself. */
template <class T>
EighResult<T> eigh(const Tensor<T>& A, std::string_view UPLO = "L") {
  TS_LINALG_FLOATING(T, "linalg.eigh");
  return detail::eigh_impl(A, UPLO, true, "linalg.eigh");
}

/** torch.linalg.eigvalsh(A, UPLO="L"): eigh's eigenvalues. */
template <class T>
Tensor<T> eigvalsh(const Tensor<T>& A, std::string_view UPLO = "L") {
  TS_LINALG_FLOATING(T, "linalg.eigvalsh");
  return detail::eigh_impl(A, UPLO, false, "linalg.eigvalsh").eigenvalues;
}

/** torch.linalg.svd(A, full_matrices=True): A = U diag(S) Vh, S descending. Each singular pair
 *  (U column, Vh row) is unique only up to a common sign. */
template <class T>
SVDResult<T> svd(const Tensor<T>& A, bool full_matrices = true) {
  TS_LINALG_FLOATING(T, "linalg.svd");
  return detail::svd_impl(A, full_matrices, true, "linalg.svd");
}

/** torch.linalg.svdvals: the singular values, descending. */
template <class T>
Tensor<T> svdvals(const Tensor<T>& A) {
  TS_LINALG_FLOATING(T, "linalg.svdvals");
  return detail::svd_impl(A, false, false, "linalg.svdvals").S;
}

/** torch.linalg.pinv(A, *, atol=None, rtol=None, hermitian=False): the pseudo-inverse through the
 *  SVD, singular values at or below max(atol, rtol * largest) dropped. */
template <class T>
Tensor<T> pinv(const Tensor<T>& A, std::optional<double> atol = std::nullopt, std::optional<double> rtol = std::nullopt,
               bool hermitian = false) {
  TS_LINALG_FLOATING(T, "linalg.pinv");
  detail::check_at_least_2d("linalg.pinv", "A", A);
  (void)hermitian;  // the SVD serves symmetric input too
  const SVDResult<T> d = svd(A, false);
  Tensor<T> tol;
  {
    NoGradGuard no_grad;
    tol = detail::rank_tolerance(d.S.detach(), A.size(-2), A.size(-1), atol, rtol).unsqueeze(-1);
  }
  const Tensor<T> s_inv = where(d.S > tol, T(1) / d.S, zeros_like(d.S));
  return matmul(detail::mT(d.Vh) * s_inv.unsqueeze(-2), detail::mT(d.U));
}

/** torch.linalg.matrix_rank(A, *, atol=None, rtol=None, hermitian=False): the number of singular
 *  values above max(atol, rtol * largest), rtol defaulting to eps * max(m, n). */
template <class T>
Tensor<int64_t> matrix_rank(const Tensor<T>& A, std::optional<double> atol = std::nullopt,
                            std::optional<double> rtol = std::nullopt, bool hermitian = false) {
  TS_LINALG_FLOATING(T, "linalg.matrix_rank");
  detail::check_at_least_2d("linalg.matrix_rank", "A", A);
  NoGradGuard no_grad;
  const Tensor<T> s = hermitian ? eigvalsh(A).abs() : svdvals(A);
  const Tensor<T> tol = detail::rank_tolerance(hermitian ? s.sort(-1, true).values : s, A.size(-2), A.size(-1), atol, rtol);
  return (s > tol.unsqueeze(-1)).sum(-1).template to<int64_t>();
}

/** torch.linalg.lstsq(A, B, rcond=None, driver=None) with the CPU's default driver, gelsy: the
 *  minimum-norm least-squares solution through a complete orthogonal decomposition with column
 *  pivoting, and the rank; residuals and singular_values are empty, as PyTorch leaves them for
 *  gelsy. rcond defaults to eps * max(m, n). Not differentiable here. */
template <class T, class U>
LstsqResult<T> lstsq(const Tensor<T>& A, const Tensor<U>& B, std::optional<double> rcond = std::nullopt,
                     std::optional<std::string_view> driver = std::nullopt) {
  TS_LINALG_FLOATING(T, "linalg.lstsq");
  static_assert(std::is_same_v<T, U>, "torch.linalg.lstsq: Expected input and other to have the same dtype");
  TS_CHECK(!driver || *driver == "gelsy", "torch.linalg.lstsq: only the driver \"gelsy\" (the CPU's default) is "
           "implemented, got ", driver.value_or(""));
  detail::check_at_least_2d("torch.linalg.lstsq", "A", A);
  const bool vector = B.dim() == A.dim() - 1;
  const Tensor<T> b = vector ? B.unsqueeze(-1) : B;
  TS_CHECK(b.dim() >= 2 && b.size(-2) == A.size(-2), "torch.linalg.lstsq: input.size(-2) should match other.size(-2)");
  const int64_t m = A.size(-2), n = A.size(-1), k = b.size(-1);
  NoGradGuard no_grad;
  auto [a, bb] = detail::broadcast_batches(A, b, "torch.linalg.lstsq");
  const Shape batch = detail::batch_of(a.sizes());
  const Tensor<T> ha = detail::host_copy(a, "torch.linalg.lstsq"), hb = detail::host_copy(bb, "torch.linalg.lstsq");
  Tensor<T> x = detail::empty_tensor<T>(detail::with_matrix(batch, n, k), {}, "torch.linalg.lstsq");
  Tensor<int64_t> rank = detail::empty_tensor<int64_t>(batch, {}, "torch.linalg.lstsq");
  const double rc = rcond.value_or(std::numeric_limits<T>::epsilon() * static_cast<double>(std::max(m, n)));
  detail::lstsq_batch<T>(ha.data_ptr(), hb.data_ptr(), x.data_ptr(), rank.data_ptr(),
                         detail::checked_numel(batch, "torch.linalg.lstsq"), m, n, k, rc);
  const Device dev = A.device();
  return {(vector ? x.squeeze(-1) : x).to(dev), detail::empty_tensor<T>({0}, {.device = dev}, "torch.linalg.lstsq"),
          rank.to(dev), detail::empty_tensor<T>({0}, {.device = dev}, "torch.linalg.lstsq")};
}

/** torch.linalg.matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False): "fro", "nuc". */
template <class T>
Tensor<T> matrix_norm(const Tensor<T>& A, std::string_view ord = "fro", Shape dim = {-2, -1}, bool keepdim = false) {
  TS_LINALG_FLOATING(T, "linalg.matrix_norm");
  detail::check_at_least_2d("linalg.matrix_norm", "A", A);
  TS_CHECK(ord == "fro" || ord == "nuc", "linalg.matrix_norm: Order ", ord, " not supported.");
  TS_CHECK(dim.size() == 2, "linalg.matrix_norm: dim must be a 2-tuple. Got ", detail::shape_str(dim));
  if (ord == "fro") return norm(A, 2.0, dim, keepdim);
  const int64_t d0 = detail::wrap_dim(dim[0], A.dim(), "linalg.matrix_norm"), d1 = detail::wrap_dim(dim[1], A.dim(), "linalg.matrix_norm");
  Tensor<T> out = svdvals(detail::dims_to_end(A, d0, d1)).sum(-1);
  if (keepdim) out = out.unsqueeze(std::min(d0, d1)).unsqueeze(std::max(d0, d1));
  return out;
}

}  // namespace linalg

/** torch.nuclear_norm(A, keepdim=False) of a matrix: the sum of its singular values. */
template <class T>
Tensor<T> nuclear_norm(const Tensor<T>& A, bool keepdim = false) {
  TS_CHECK(A.dim() == 2, "nuclear_norm: Expected a tensor with 2 dimensions, but got a tensor with ", A.dim(),
           A.dim() == 1 ? " dimension" : " dimensions", " instead.");
  return linalg::matrix_norm(A, "nuc", {0, 1}, keepdim);
}
/** torch.nuclear_norm(A, dim, keepdim=False): over the two dims `dim` (linalg.matrix_norm's "nuc"). */
template <class T>
Tensor<T> nuclear_norm(const Tensor<T>& A, const Shape& dim, bool keepdim = false) {
  TS_CHECK(dim.size() == 2, "nuclear_norm: nuclear norm requires a 'dim' argument of size 2");
  return linalg::matrix_norm(A, "nuc", dim, keepdim);
}

namespace linalg {

/** torch.linalg.matrix_norm with a numeric ord: 1 / -1 (largest / smallest column sum of
 *  magnitudes), inf / -inf (rows), 2 / -2 (largest / smallest singular value). */
template <class T>
Tensor<T> matrix_norm(const Tensor<T>& A, double ord, Shape dim = {-2, -1}, bool keepdim = false) {
  TS_LINALG_FLOATING(T, "linalg.matrix_norm");
  detail::check_at_least_2d("linalg.matrix_norm", "A", A);
  const bool inf = std::isinf(ord);
  TS_CHECK(inf || ord == 1 || ord == -1 || ord == 2 || ord == -2, "linalg.matrix_norm: Order ", ord, " not supported.");
  TS_CHECK(dim.size() == 2, "linalg.matrix_norm: dim must be a 2-tuple. Got ", detail::shape_str(dim));
  int64_t d0 = detail::wrap_dim(dim[0], A.dim(), "linalg.matrix_norm"), d1 = detail::wrap_dim(dim[1], A.dim(), "linalg.matrix_norm");
  Tensor<T> out;
  if (std::abs(ord) == 2) {
    const Tensor<T> s = svdvals(detail::dims_to_end(A, d0, d1));
    out = ord > 0 ? s.amax(-1) : s.amin(-1);
    if (keepdim) out = out.unsqueeze(std::min(d0, d1)).unsqueeze(std::max(d0, d1));
    return out;
  }
  if (inf) std::swap(d0, d1);  // inf: rows (sum over dim[1]), 1: columns (sum over dim[0])
  const Tensor<T> sums = A.abs().sum(Shape{d0}, true);
  out = ord > 0 ? sums.amax(Shape{d1}, true) : sums.amin(Shape{d1}, true);
  return keepdim ? out : out.squeeze(std::max(d0, d1)).squeeze(std::min(d0, d1));
}

/** torch.linalg.vector_norm(x, ord=2, dim=None, keepdim=False): the ord-norm of the elements over
 *  `dim` (every dim when empty). */
template <class T>
Tensor<floating_t<T>> vector_norm(const Tensor<T>& x, double ord = 2, const Shape& dim = {}, bool keepdim = false) {
  TS_CHECK(is_floating_v<T>, "linalg.vector_norm: Expected a floating point or complex tensor as input. Got ",
           tessera::detail::aten_type_name(dtype_of<T>));
  if (x.numel() == 0 && (ord < 0 || ord == INFINITY)) {  // max, min and 1 / sum have no value on nothing
    TS_CHECK(!dim.empty(), "linalg.vector_norm cannot compute the ", ord, " norm on an empty tensor because the "
             "operation does not have an identity");
    for (int64_t d : dim)
      TS_CHECK(x.size(d) != 0, "linalg.vector_norm cannot compute the ", ord, " norm on the dimension ", d,
               "because this dimension is empty and the operation does not have an identity");
  }
  return norm(x, ord, dim, keepdim);
}

/** torch.linalg.norm(A, ord=None, dim=None): without ord, the 2-norm of all elements (the
 *  Frobenius norm of a matrix); a numeric ord on a 2-D input (or with two dims) is matrix_norm,
 *  on one dim vector_norm. */
template <class T>
Tensor<T> norm(const Tensor<T>& A, std::optional<double> ord = std::nullopt, std::optional<Shape> dim = std::nullopt,
               bool keepdim = false) {
  TS_LINALG_FLOATING(T, "linalg.norm");
  if (!ord) return tessera::norm(A, 2.0, dim.value_or(Shape{}), keepdim);
  const bool matrix = dim ? dim->size() == 2 : A.dim() == 2;
  TS_CHECK(dim || A.dim() == 1 || A.dim() == 2, "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got ", A.dim(), "D.");
  if (matrix) return matrix_norm(A, *ord, dim.value_or(Shape{-2, -1}), keepdim);
  return tessera::norm(A, *ord, dim.value_or(Shape{}), keepdim);
}
/** torch.linalg.norm(A, "fro" or "nuc", dim=None). */
template <class T>
Tensor<T> norm(const Tensor<T>& A, std::string_view ord, std::optional<Shape> dim = std::nullopt, bool keepdim = false) {
  return matrix_norm(A, ord, dim.value_or(Shape{-2, -1}), keepdim);
}

/** torch.linalg.cond(A, p=None): the condition number; p None or 2 is the ratio of the largest and
 *  smallest singular values (-2 the inverse), other orders norm(A) * norm(inv(A)). */
template <class T>
Tensor<T> cond(const Tensor<T>& A, std::optional<double> p = std::nullopt) {
  TS_LINALG_FLOATING(T, "linalg.cond");
  detail::check_at_least_2d("linalg.cond", "A", A);
  if (!p || std::abs(*p) == 2) {
    const Tensor<T> s = svdvals(A);
    const Tensor<T> hi = s.amax(-1), lo = s.amin(-1);
    return (!p || *p > 0) ? hi / lo : lo / hi;
  }
  TS_CHECK(A.size(-1) == A.size(-2), "linalg.cond(ord=", *p, "): A must be batches of square matrices, but they are ",
           A.size(-2), " by ", A.size(-1), " matrices");
  return matrix_norm(A, *p) * matrix_norm(inv(A), *p);
}
/** torch.linalg.cond(A, "fro" or "nuc"). */
template <class T>
Tensor<T> cond(const Tensor<T>& A, std::string_view p) {
  TS_LINALG_FLOATING(T, "linalg.cond");
  detail::check_at_least_2d("linalg.cond", "A", A);
  TS_CHECK(A.size(-1) == A.size(-2), "linalg.cond(ord=", p, "): A must be batches of square matrices, but they are ",
           A.size(-2), " by ", A.size(-1), " matrices");
  return matrix_norm(A, p) * matrix_norm(inv(A), p);
}

}  // namespace linalg

/** torch.cholesky_solve(B, L, upper=False): X with A X = B where A = L L^T (upper: A = U^T U),
 *  from the Cholesky factor; batch dims broadcast. */
template <class T, class U>
Tensor<T> cholesky_solve(const Tensor<T>& B, const Tensor<U>& L, bool upper = false) {
  TS_LINALG_FLOATING(T, "cholesky_solve");
  static_assert(std::is_same_v<T, U>, "cholesky_solve: expected b and A to have the same dtype");
  TS_CHECK(B.dim() >= 2, "b should have at least 2 dimensions, but has ", B.dim(), " dimensions instead");
  TS_CHECK(L.dim() >= 2, "u should have at least 2 dimensions, but has ", L.dim(), " dimensions instead");
  detail::check_same_device("cholesky_solve", B.device(), L.device());
  TS_CHECK(L.size(-1) == L.size(-2), "cholesky_solve: A must be batches of square matrices, but they are ", L.size(-2),
           " by ", L.size(-1), " matrices");
  TS_CHECK(L.size(-1) == B.size(-2), "Incompatible matrix sizes for cholesky_solve: each A matrix is ", L.size(-1),
           " by ", L.size(-1), " but each b matrix is ", B.size(-2), " by ", B.size(-1));
  auto [l, b] = detail::broadcast_batches(L, B, "cholesky_solve");
  Tensor<T> x;
  {
    NoGradGuard no_grad;
    const Tensor<T> hl = detail::host_copy(l, "cholesky_solve");
    x = detail::host_copy(b, "cholesky_solve");
    const int64_t n = b.size(-2), k = b.size(-1), batch = detail::checked_numel(detail::batch_of(b.sizes()), "cholesky_solve");
    // L L^T X = B: L Y = B, then L^T X = Y (U^T U: U^T Y = B, then U X = Y).
    Tensor<T> lt = detail::host_copy(detail::mT(hl), "cholesky_solve");
    detail::triangular_solve_batch<T>(upper ? lt.data_ptr() : hl.data_ptr(), 1, x.data_ptr(), batch, n, k, false, false);
    detail::triangular_solve_batch<T>(upper ? hl.data_ptr() : lt.data_ptr(), 1, x.data_ptr(), batch, n, k, true, false);
    x = x.to(B.device());
  }
  if (detail::needs_grad(b, l)) detail::record<detail::CholeskySolveBackward0<T>>({b, l}, {x}, l, x, upper);
  return x;
}

// --- derivative formulas ------------------------------------------------------------------

namespace detail {

template <class T>
variable_list LinalgSolveBackward<T>::apply(variable_list&& grads) {
  const Tensor<T> g = grads[0].as<T>();
  const Tensor<T> av = a.unpack(*this);
  const Tensor<T> gb = linalg::solve(mT(av), g);
  AnyTensor ga;
  if (needs_input_grad(0)) ga = -matmul(gb, mT(x.unpack(*this)));
  return {ga, needs_input_grad(1) ? AnyTensor(gb) : AnyTensor()};
}

template <class T>
variable_list LinalgDetBackward0<T>::apply(variable_list&& grads) {
  const Tensor<T> g = grads[0].as<T>();
  const Tensor<T> av = a.unpack(*this);
  const Tensor<T> dv = det.unpack(*this);
  const Tensor<T> d = (g * dv).unsqueeze(-1).unsqueeze(-1);
  // A matrix whose LU has a zero pivot (det exactly 0) gets a zero gradient, as PyTorch 1.13's
  // LU path gives (d = 0 there): solve against the identity in its place.
  const Tensor<bool> singular = (dv == T(0)).unsqueeze(-1).unsqueeze(-1);
  const Tensor<T> a_safe = singular.any().item() ? where(singular, eye_like_batch(av), av) : av;
  return {linalg::solve(mT(a_safe), d * eye_like_batch(av))};
}

template <class T>
variable_list LinalgSlogdetBackward0<T>::apply(variable_list&& grads) {
  if (!grads[1].defined()) return {AnyTensor()};
  const Tensor<T> g = grads[1].as<T>().unsqueeze(-1).unsqueeze(-1);
  const Tensor<T> av = a.unpack(*this);
  return {linalg::solve(mT(av), g * eye_like_batch(av))};
}

template <class T>
variable_list LinalgCholeskyExBackward0<T>::apply(variable_list&& grads) {
  Tensor<T> gl = grads[0].as<T>(), lv = l.unpack(*this);
  if (upper) lv = mT(lv), gl = mT(gl);
  // Phi(L^T dL): the lower triangle of L^T dL, symmetrised with its diagonal once.
  Tensor<T> phi = matmul(mT(lv), gl).tril();
  phi = (phi + mT(phi.tril(-1))) * T(0.5);
  Tensor<T> ga = linalg::solve_triangular(mT(lv), phi, true, true);
  ga = linalg::solve_triangular(lv, ga, false, false);
  return {ga};
}

template <class T>
variable_list LinalgSolveTriangularBackward0<T>::apply(variable_list&& grads) {
  const Tensor<T> g = grads[0].as<T>();
  const Tensor<T> av = a.unpack(*this);
  const Tensor<T> gb = linalg::solve_triangular(mT(av), g, !upper, true, unitriangular);
  AnyTensor ga;
  if (needs_input_grad(0)) {
    const Tensor<T> full = -matmul(gb, mT(x.unpack(*this)));
    ga = upper ? full.triu(unitriangular ? 1 : 0) : full.tril(unitriangular ? -1 : 0);
  }
  return {ga, needs_input_grad(1) ? AnyTensor(gb) : AnyTensor()};
}

template <class T>
variable_list CholeskySolveBackward0<T>::apply(variable_list&& grads) {
  const Tensor<T> g = grads[0].as<T>();
  const Tensor<T> lv = l.unpack(*this);
  const Tensor<T> gb = cholesky_solve(g, lv, upper);
  AnyTensor gl;
  if (needs_input_grad(1)) {
    Tensor<T> common = matmul(gb, mT(x.unpack(*this)));
    common = common + mT(common);
    gl = upper ? -matmul(lv, common) : -matmul(common, lv);
  }
  return {needs_input_grad(0) ? AnyTensor(gb) : AnyTensor(), gl};
}

template <class T>
variable_list LinalgQrBackward0<T>::apply(variable_list&& grads) {
  TS_CHECK(mode != "r", "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use "
           "linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.");
  const Tensor<T> qv = q.unpack(*this), rv = r.unpack(*this);
  const int64_t m = qv.size(-2), n = rv.size(-1);
  TS_CHECK(mode == "reduced" || m <= n, "The QR decomposition is not differentiable when mode='complete' and nrows > ncols.");
  Tensor<T> gq = grads[0].defined() ? grads[0].as<T>() : zeros_like(qv);
  const Tensor<T> gr = grads[1].defined() ? grads[1].as<T>() : zeros_like(rv);
  // Square (or tall) part: gA = (gQ + Q copyltu(M)) R^-T with M = R gR^T - gQ^T Q (Liao et al. 2019).
  auto square = [](const Tensor<T>& Q, const Tensor<T>& R, const Tensor<T>& gQ, const Tensor<T>& gR) {
    const Tensor<T> M = matmul(R, mT(gR)) - matmul(mT(gQ), Q);
    const Tensor<T> sym = M.tril() + mT(M.tril(-1));
    return linalg::solve_triangular(mT(R), gQ + matmul(Q, sym), false, false);
  };
  if (m >= n) return {square(qv, rv, gq, gr)};
  // Wide: A = Q [X | Y], R = [U | V]; Y's gradient is Q gV and X's the square one with gQ + Y gV^T.
  const Tensor<T> u = rv.narrow(-1, 0, m), gu = gr.narrow(-1, 0, m), gv = gr.narrow(-1, m, n - m);
  const Tensor<T> y = matmul(qv, rv.narrow(-1, m, n - m));
  const Tensor<T> gx = square(qv, u, gq + matmul(y, mT(gv)), gu);
  return {cat(std::vector<Tensor<T>>{gx, matmul(qv, gv)}, -1)};
}

template <class T>
variable_list LinalgEighBackward0<T>::apply(variable_list&& grads) {
  const Tensor<T> l = values.unpack(*this), v = vectors.unpack(*this);
  const int64_t n = l.size(-1);
  const Tensor<T> eye_n = eye<T>(n, std::nullopt, {.device = l.device()});
  Tensor<T> inner;
  if (grads.size() > 1 && grads[1].defined()) {
    const Tensor<T> vg = matmul(mT(v), grads[1].as<T>());
    const Tensor<T> skew = (vg - mT(vg)) * T(0.5);
    const Tensor<T> e = l.unsqueeze(-2) - l.unsqueeze(-1) + eye_n;  // E_ij = L_j - L_i, ones on the diagonal
    inner = skew / e;
    if (grads[0].defined()) inner = inner + grads[0].as<T>().unsqueeze(-1) * eye_n;
  } else if (grads[0].defined()) {
    inner = grads[0].as<T>().unsqueeze(-1) * eye_n;
  } else {
    return {AnyTensor()};
  }
  return {matmul(matmul(v, inner), mT(v))};
}

template <class T>
variable_list LinalgSvdBackward0<T>::apply(variable_list&& grads) {
  Tensor<T> U = u.unpack(*this), S = s.unpack(*this), Vh = vh.unpack(*this);
  const bool vectors = grads.size() == 3;
  Tensor<T> gU = vectors && grads[0].defined() ? grads[0].as<T>() : Tensor<T>();
  const Tensor<T> gS = grads[vectors ? 1 : 0].defined() ? grads[vectors ? 1 : 0].as<T>() : Tensor<T>();
  Tensor<T> gVh = vectors && grads[2].defined() ? grads[2].as<T>() : Tensor<T>();
  if (!gU.defined() && !gS.defined() && !gVh.defined()) return {AnyTensor()};
  const int64_t k = S.size(-1);
  if (full_matrices) {
    U = U.narrow(-1, 0, k), Vh = Vh.narrow(-2, 0, k);
    if (gU.defined()) gU = gU.narrow(-1, 0, k);
    if (gVh.defined()) gVh = gVh.narrow(-2, 0, k);
  }
  const int64_t m = U.size(-2), n = Vh.size(-1);
  if (!gU.defined() && !gVh.defined())
    return {m >= n ? matmul(U, gS.unsqueeze(-1) * Vh) : matmul(U * gS.unsqueeze(-2), Vh)};
  auto skew = [](const Tensor<T>& x) { return x - mT(x); };
  const Tensor<T> S2 = S * S;
  const Tensor<T> E = S2.unsqueeze(-2) - S2.unsqueeze(-1) + eye<T>(k, std::nullopt, {.device = S.device()});
  Tensor<T> gA;
  if (gU.defined() && gVh.defined())
    gA = (skew(matmul(mT(U), gU)) * S.unsqueeze(-2) + S.unsqueeze(-1) * skew(matmul(Vh, mT(gVh)))) / E;
  else if (gU.defined())
    gA = skew(matmul(mT(U), gU)) * (S.unsqueeze(-2) / E);
  else
    gA = S.unsqueeze(-1) * (skew(matmul(Vh, mT(gVh))) / E);
  if (gS.defined()) gA = gA + gS.unsqueeze(-1) * eye<T>(k, std::nullopt, {.device = S.device()});
  if (m > n && gU.defined()) {
    gA = matmul(U, gA);
    const Tensor<T> gUSinv = gU / S.unsqueeze(-2);
    gA = gA + gUSinv - matmul(U, matmul(mT(U), gUSinv));
    gA = matmul(gA, Vh);
  } else if (m < n && gVh.defined()) {
    gA = matmul(gA, Vh);
    const Tensor<T> SinvgVh = gVh / S.unsqueeze(-1);
    gA = gA + SinvgVh - matmul(matmul(SinvgVh, mT(Vh)), Vh);
    gA = matmul(U, gA);
  } else {
    gA = m >= n ? matmul(U, matmul(gA, Vh)) : matmul(matmul(U, gA), Vh);
  }
  return {gA};
}

}  // namespace detail
}  // namespace tessera

#undef TS_LINALG_FLOATING
