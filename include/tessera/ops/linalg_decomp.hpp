#pragma once
// ts::linalg, torch.linalg's solvers and factorizations: solve, inv, det, slogdet, cholesky,
// solve_triangular, lu_factor, lu_solve, matrix_power, multi_dot, and torch.cholesky_solve.
// Batched over leading dims, float and double, with PyTorch's gradients. Opt-in: include
// <tessera/linalg.hpp> (Note [linalg is opt-in]).

#include <string>
#include <type_traits>
#include <vector>

#include "../autograd/node.hpp"
#include "../backend/cpu/linalg_decomp.hpp"
#include "creation.hpp"
#include "linalg.hpp"
#include "rearrange.hpp"

// Note [linalg is opt-in]
// The kernels use Eigen's LU, Cholesky (and later QR, SVD, eigen) solvers, whose headers add
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
  const HostLU<T> f = host_lu(a, op);
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
  lu_solve_batch(f.lu.data_ptr(), f.pivots.data_ptr(), lu_step, x.data_ptr(), batch, n, k, false);
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

/** det: d det = det A^-T (PyTorch's formula for an invertible A). */
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
  const Tensor<T> d = (g * det.unpack(*this)).unsqueeze(-1).unsqueeze(-1);
  return {linalg::solve(mT(av), d * eye_like_batch(av))};
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

}  // namespace detail
}  // namespace tessera

#undef TS_LINALG_FLOATING
