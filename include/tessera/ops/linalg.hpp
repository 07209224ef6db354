#pragma once
// Linear algebra: mm, bmm, mv, dot, outer, matmul (torch.matmul's broadcasting rules), einsum,
// addmm/addmv/addbmm/baddbmm, cross, kron, tensordot, cdist.

#include <string>
#include <string_view>

#include "../backend/cpu/matmul.hpp"
#include "join.hpp"
#include "rearrange.hpp"
#include "reduce.hpp"

namespace tessera {
namespace detail {

inline void check_matrix_dims(const char* op, int64_t a_dim, int64_t b_dim, int64_t want_a, int64_t want_b) {
  TS_CHECK(a_dim == want_a && b_dim == want_b, op, ": expected ", want_a, "-D and ", want_b, "-D tensors, got ",
           a_dim, "-D and ", b_dim, "-D");
}

}  // namespace detail

namespace detail {
/** A view of a fresh result recorded under the name PyTorch gives that step. */
template <class T>
Tensor<T> unsafe_view(const Tensor<T>& t, const Shape& shape, const char* node_name) {
  Tensor<T> out;
  {
    NoGradGuard no_grad;
    out = t.view(shape);
  }
  return record_view<ReshapeBackward<T>>(t, out, t.sizes(), node_name);
}
}  // namespace detail

// Note [Products need one dtype]
// mm, bmm, mv, dot and matmul take operands of one dtype, as PyTorch's do (it raises "expected
// scalar type Float but found Double"): a mixed call does not compile. outer, an elementwise
// product, promotes.

/** Matrix product of two 2-D tensors. */
template <class A, class B>
Tensor<promote_t<A, B>> mm(const Tensor<A>& a_in, const Tensor<B>& b_in) {
  static_assert(std::is_same_v<A, B>, "mm: both operands must have the same dtype, as in PyTorch (\"expected scalar type Float but found Double\"): convert one with .to<T>()");
  using R = promote_t<A, B>;
  TS_CHECK(!(std::is_same_v<A, bool>), "\"addmm_impl_cpu_\" not implemented for 'Bool'");  // as PyTorch
  detail::check_matrix_dims("mm", a_in.dim(), b_in.dim(), 2, 2);
  detail::check_same_device("mm", a_in.device(), b_in.device());
  TS_CHECK(a_in.sizes()[1] == b_in.sizes()[0], "mm: mat1 and mat2 shapes cannot be multiplied (",
           a_in.sizes()[0], "x", a_in.sizes()[1], " and ", b_in.sizes()[0], "x", b_in.sizes()[1], ")");
  const Tensor<R> a = a_in.template to<R>(), b = b_in.template to<R>();
  Tensor<R> out = detail::empty_tensor<R>({a.sizes()[0], b.sizes()[1]}, {.device = a.device()}, "mm");
  detail::dispatch_plan(detail::MatmulPlan{.op = "mm", .out = &out.impl(), .fresh_out = true, .input = &a.impl(), .other = &b.impl()},
                        [&] { detail::mm_into(out, a, b); });
  if (detail::needs_grad(a, b)) detail::record<detail::MmBackward0<R, R>>({a, b}, {out}, a, b);
  return out;
}

/** Batched matrix product of two 3-D tensors with equal batch sizes. */
template <class A, class B>
Tensor<promote_t<A, B>> bmm(const Tensor<A>& a_in, const Tensor<B>& b_in) {
  static_assert(std::is_same_v<A, B>, "bmm: both operands must have the same dtype, as in PyTorch (\"expected scalar type Float but found Double\"): convert one with .to<T>()");
  using R = promote_t<A, B>;
  TS_CHECK(!(std::is_same_v<A, bool>), "\"bmm\" not implemented for 'Bool'");
  detail::check_matrix_dims("bmm", a_in.dim(), b_in.dim(), 3, 3);
  detail::check_same_device("bmm", a_in.device(), b_in.device());
  TS_CHECK(a_in.sizes()[0] == b_in.sizes()[0], "bmm: batch sizes differ: ", detail::shape_str(a_in.sizes()), " and ",
           detail::shape_str(b_in.sizes()));
  TS_CHECK(a_in.sizes()[2] == b_in.sizes()[1], "bmm: shapes cannot be multiplied (", detail::shape_str(a_in.sizes()),
           " and ", detail::shape_str(b_in.sizes()), ")");
  const Tensor<R> a = a_in.template to<R>(), b = b_in.template to<R>();
  const Tensor<R> ad = a.detach(), bd = b.detach();  // the kernel's per-matrix views are not recorded
  Tensor<R> out = detail::empty_tensor<R>({a.sizes()[0], a.sizes()[1], b.sizes()[2]}, {.device = a.device()}, "bmm");
  detail::dispatch_plan(detail::MatmulPlan{.op = "bmm", .out = &out.impl(), .fresh_out = true, .input = &ad.impl(), .other = &bd.impl()},
                        [&] { detail::bmm_into(out, ad, bd); });
  if (detail::needs_grad(a, b)) detail::record<detail::BmmBackward0<R, R>>({a, b}, {out}, a, b);
  return out;
}

/** Matrix-vector product. */
template <class A, class B>
Tensor<promote_t<A, B>> mv(const Tensor<A>& a, const Tensor<B>& v) {
  static_assert(std::is_same_v<A, B>, "mv: both operands must have the same dtype, as in PyTorch (\"expected scalar type Float but found Double\"): convert one with .to<T>()");
  TS_CHECK(!(std::is_same_v<A, bool>), "\"addmv_impl_cpu\" not implemented for 'Bool'");
  detail::check_matrix_dims("mv", a.dim(), v.dim(), 2, 1);
  TS_CHECK(a.sizes()[1] == v.sizes()[0], "mv: size mismatch, got input (", a.sizes()[0], "x", a.sizes()[1],
           ") and vector (", v.sizes()[0], ")");
  Tensor<promote_t<A, B>> out;
  {
    NoGradGuard no_grad;
    out = mm(a, v.unsqueeze(1)).squeeze(1);
  }
  if (detail::needs_grad(a, v)) detail::record<detail::MvBackward0<A, B>>({a, v}, {out}, a, v);
  return out;
}

/** Inner product of two 1-D tensors of equal length (a 0-dim tensor). */
template <class A, class B>
Tensor<promote_t<A, B>> dot(const Tensor<A>& a, const Tensor<B>& b) {
  static_assert(std::is_same_v<A, B>, "dot: both operands must have the same dtype, as in PyTorch (\"expected scalar type Float but found Double\"): convert one with .to<T>()");
  TS_CHECK(!(std::is_same_v<A, bool>), "\"dot\" not implemented for 'Bool'");
  detail::check_matrix_dims("dot", a.dim(), b.dim(), 1, 1);
  TS_CHECK(a.sizes()[0] == b.sizes()[0], "dot: inconsistent tensor size, expected tensor [", a.sizes()[0],
           "] and src [", b.sizes()[0], "] to have the same number of elements, but got ", a.sizes()[0], " and ",
           b.sizes()[0], " elements respectively");
  Tensor<promote_t<A, B>> out;
  {
    NoGradGuard no_grad;
    out = mm(a.unsqueeze(0), b.unsqueeze(1)).view({});
  }
  if (detail::needs_grad(a, b)) detail::record<detail::DotBackward0<A, B>>({a, b}, {out}, a, b);
  return out;
}

/** Outer product of two 1-D tensors. */
template <class A, class B>
Tensor<promote_t<A, B>> outer(const Tensor<A>& a, const Tensor<B>& b) {
  detail::check_matrix_dims("outer", a.dim(), b.dim(), 1, 1);
  return a.unsqueeze(1) * b.unsqueeze(0);
}

/** torch.matmul: dot for 1-D x 1-D, mm for 2-D, mv, and batched products whose batch
 *  dimensions broadcast; a 1-D operand gets a dimension prepended (left) or appended (right),
 *  removed again from the result. */
template <class A, class B>
Tensor<promote_t<A, B>> matmul(const Tensor<A>& a, const Tensor<B>& b) {
  static_assert(std::is_same_v<A, B>, "matmul: both operands must have the same dtype, as in PyTorch (\"expected scalar type Float but found Double\"): convert one with .to<T>()");
  using R = promote_t<A, B>;
  const int64_t da = a.dim(), db = b.dim();
  TS_CHECK(da > 0 && db > 0, "matmul: both arguments to matmul need to be at least 1D, but they are ", da, "D and ",
           db, "D");
  if (da == 1 && db == 1) return dot(a, b);
  if (da == 2 && db == 1) return mv(a, b);
  if (da == 1 && db == 2) return detail::unsafe_view(mm(a.unsqueeze(0), b), {b.size(1)}, "SqueezeBackward3");
  if (da == 2 && db == 2) return mm(a, b);
  if (da >= 3 && db <= 2) {
    // As PyTorch: fold a's batch dims into the rows of one mm (a Linear on [B, T, d] is one GEMM
    // of B * T rows, and its weight gradient one GEMM, not B products and a sum).
    const int64_t k = a.sizes()[static_cast<size_t>(da - 1)];
    TS_CHECK(k == b.size(0), "matmul: shapes ", detail::shape_str(a.sizes()), " and ", detail::shape_str(b.sizes()),
             " cannot be multiplied (", k, " != ", b.size(0), ")");
    const Tensor<A> rows = a.reshape({-1, k});
    Shape out_shape(std::span<const int64_t>(a.sizes().data(), static_cast<size_t>(da - 1)));
    if (db == 2) out_shape.push_back(b.size(1));
    const Tensor<R> folded = db == 2 ? mm(rows, b) : mv(rows, b);
    return detail::unsafe_view(folded, out_shape, "UnsafeViewBackward0");
  }
  const Tensor<A> a2 = da == 1 ? a.unsqueeze(0) : a;
  const Tensor<B> b2 = db == 1 ? b.unsqueeze(1) : b;
  const int64_t n = a2.sizes()[a2.dim() - 2], k = a2.sizes()[a2.dim() - 1];
  const int64_t k2 = b2.sizes()[b2.dim() - 2], p = b2.sizes()[b2.dim() - 1];
  TS_CHECK(k == k2, "matmul: shapes ", detail::shape_str(a.sizes()), " and ", detail::shape_str(b.sizes()),
           " cannot be multiplied (", k, " != ", k2, ")");
  Shape batch_a(std::span<const int64_t>(a2.sizes().data(), static_cast<size_t>(a2.dim() - 2)));
  Shape batch_b(std::span<const int64_t>(b2.sizes().data(), static_cast<size_t>(b2.dim() - 2)));
  const Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");
  const int64_t nb = detail::checked_numel(batch, "matmul");
  Shape ea = batch, eb = batch;
  ea.push_back(n), ea.push_back(k), eb.push_back(k), eb.push_back(p);
  Tensor<R> out = bmm(a2.expand(ea).reshape({nb, n, k}), b2.expand(eb).reshape({nb, k, p}));
  Shape out_shape = batch;
  if (da > 1) out_shape.push_back(n);
  if (db > 1) out_shape.push_back(p);
  return detail::unsafe_view(out, out_shape, "UnsafeViewBackward0");
}

#define TS_DEFINE_LINALG_METHOD(name)                                         \
  template <class T>                                                          \
  template <class U>                                                          \
  Tensor<promote_t<T, U>> Tensor<T>::name(const Tensor<U>& other) const {     \
    return tessera::name(*this, other);                                       \
  }                                                                           \
  template <class O, class A, class B>                                        \
  const Tensor<O>& name##_out(const Tensor<O>& out, const Tensor<A>& a, const Tensor<B>& b) { \
    detail::copy_reduction_out(#name, out, name(a, b));                       \
    return out;                                                               \
  }
TS_DEFINE_LINALG_METHOD(matmul)
TS_DEFINE_LINALG_METHOD(mm)
TS_DEFINE_LINALG_METHOD(bmm)
TS_DEFINE_LINALG_METHOD(mv)
TS_DEFINE_LINALG_METHOD(dot)
TS_DEFINE_LINALG_METHOD(outer)
#undef TS_DEFINE_LINALG_METHOD


// --- products with accumulation, cross, kron, tensordot, cdist --------------------------------
// Built from the products above and elementwise ops, so they run on every device and their
// gradients are those of the pieces (PyTorch's formulas give the same values).

namespace detail {
/** beta * input + alpha * product, input broadcast to the product's shape; beta = 0 ignores
 *  input (NaN in it does not propagate), as PyTorch. */
template <class T>
Tensor<T> add_scaled(const char* op, const Tensor<T>& input, const Tensor<T>& product, double beta, double alpha) {
  const Shape& want = product.sizes();
  {
    // PyTorch's expand message when input does not broadcast to the product.
    const size_t n = want.size(), k = input.sizes().size();
    TS_CHECK(k <= n, op, ": the input of shape ", shape_str(input.sizes()), " does not broadcast to ", shape_str(want));
    for (size_t i = 0; i < k; ++i) {
      const int64_t have = input.sizes()[i], need = want[n - k + i];
      TS_CHECK(have == need || have == 1, "The expanded size of the tensor (", need, ") must match the existing size (",
               have, ") at non-singleton dimension ", n - k + i, ".  Target sizes: ", shape_str(want),
               ".  Tensor sizes: ", shape_str(input.sizes()));
    }
  }
  const Tensor<T> scaled = alpha == 1 ? product : product * static_cast<T>(alpha);
  if (beta == 0) return scaled;
  return (beta == 1 ? input : input * static_cast<T>(beta)) + scaled;
}
}  // namespace detail

/** torch.addmm(input, mat1, mat2, beta=1, alpha=1): beta * input + alpha * (mat1 @ mat2). */
template <class T>
Tensor<T> addmm(const Tensor<T>& input, const Tensor<T>& mat1, const Tensor<T>& mat2, double beta = 1, double alpha = 1) {
  TS_CHECK(mat1.dim() == 2, "mat1 must be a matrix, got ", mat1.dim(), "-D tensor");
  TS_CHECK(mat2.dim() == 2, "mat2 must be a matrix, got ", mat2.dim(), "-D tensor");
  TS_CHECK(mat1.size(1) == mat2.size(0), "mat1 and mat2 shapes cannot be multiplied (", mat1.size(0), "x", mat1.size(1),
           " and ", mat2.size(0), "x", mat2.size(1), ")");
  Tensor<T> out;
  {
    NoGradGuard no_grad;  // its derivatives are AddmmBackward0's
    out = detail::add_scaled("addmm", input, mm(mat1, mat2), beta, alpha);
  }
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(input, mat1, mat2))
      detail::record<detail::AddmmBackward0<T>>({input, mat1, mat2}, {out}, input.sizes(), mat1, mat2, beta, alpha);
  return out;
}

/** torch.addmv(input, mat, vec, beta=1, alpha=1): beta * input + alpha * (mat @ vec). */
template <class T>
Tensor<T> addmv(const Tensor<T>& input, const Tensor<T>& mat, const Tensor<T>& vec, double beta = 1, double alpha = 1) {
  TS_CHECK(mat.dim() == 2 && vec.dim() == 1 && input.dim() <= 1, "vector + matrix @ vector expected, got ", input.dim(),
           ", ", mat.dim(), ", ", vec.dim());
  TS_CHECK(mat.dim() == 2 && vec.dim() == 1 && mat.size(1) == vec.size(0), "size mismatch, got ", input.numel(), ", ",
           mat.dim() > 0 ? mat.size(0) : 0, "x", mat.dim() > 1 ? mat.size(1) : 0, ",", vec.dim() > 0 ? vec.size(0) : 0);
  return detail::add_scaled("addmv", input, mv(mat, vec), beta, alpha);
}

/** torch.baddbmm(input, batch1, batch2, beta=1, alpha=1): beta * input + alpha * bmm(batch1, batch2). */
template <class T>
Tensor<T> baddbmm(const Tensor<T>& input, const Tensor<T>& batch1, const Tensor<T>& batch2, double beta = 1,
                  double alpha = 1) {
  TS_CHECK(batch1.dim() == 3, "batch1 must be a 3D tensor");
  TS_CHECK(batch2.dim() == 3, "batch2 must be a 3D tensor");
  TS_CHECK(batch2.size(0) == batch1.size(0) && batch2.size(1) == batch1.size(2),
           "Expected size for first two dimensions of batch2 tensor to be: [", batch1.size(0), ", ", batch1.size(2),
           "] but got: [", batch2.size(0), ", ", batch2.size(1), "].");
  return detail::add_scaled("baddbmm", input, bmm(batch1, batch2), beta, alpha);
}

/** torch.addbmm(input, batch1, batch2, beta=1, alpha=1): beta * input + alpha * the sum over the
 *  batch of batch1[i] @ batch2[i]. */
template <class T>
Tensor<T> addbmm(const Tensor<T>& input, const Tensor<T>& batch1, const Tensor<T>& batch2, double beta = 1,
                 double alpha = 1) {
  TS_CHECK(batch1.dim() == 3, "batch1 must be a 3D tensor");
  TS_CHECK(batch2.dim() == 3, "batch2 must be a 3D tensor");
  TS_CHECK(batch1.size(0) == batch2.size(0), "batch1 and batch2 must have same number of batches, got ",
           batch1.size(0), " and ", batch2.size(0));
  TS_CHECK(batch1.size(2) == batch2.size(1), "Incompatible matrix sizes for bmm (", batch1.size(1), "x", batch1.size(2),
           " and ", batch2.size(1), "x", batch2.size(2), ")");
  // One product over the concatenated inner dims: [n, b*k] @ [b*k, p] is the batch sum.
  const int64_t b = batch1.size(0), n = batch1.size(1), k = batch1.size(2), p = batch2.size(2);
  const Tensor<T> left = batch1.permute({1, 0, 2}).reshape({n, b * k}), right = batch2.reshape({b * k, p});
  return detail::add_scaled("addbmm", input, mm(left, right), beta, alpha);
}

/** torch.addr(input, vec1, vec2, beta=1, alpha=1): beta * input + alpha * outer(vec1, vec2). On
 *  bool tensors + is or and * is and, as in PyTorch. */
template <class S, class A, class B>
Tensor<promote_t<promote_t<S, A>, B>> addr(const Tensor<S>& input, const Tensor<A>& vec1, const Tensor<B>& vec2,
                                           double beta = 1, double alpha = 1) {
  using R = promote_t<promote_t<S, A>, B>;
  TS_CHECK(vec1.dim() == 1, "addr: Expected 1-D argument vec1, but got ", vec1.dim(), "-D");
  TS_CHECK(vec2.dim() == 1, "addr: Expected 1-D argument vec2, but got ", vec2.dim(), "-D");
  // PyTorch refuses a floating beta or alpha for integral tensors; a double can only show a fraction.
  TS_CHECK((is_floating_v<R> || std::is_same_v<R, bool> || beta == std::trunc(beta)),
           "addr: For integral input tensors, argument beta must not be a floating point number.");
  TS_CHECK((is_floating_v<R> || std::is_same_v<R, bool> || alpha == std::trunc(alpha)),
           "addr: For integral input tensors, argument alpha must not be a floating point number.");
  const auto as_r = [](const auto& t) {
    if constexpr (std::is_same_v<typename std::decay_t<decltype(t)>::value_type, R>) return t;
    else return t.template to<R>();
  };
  return detail::add_scaled("addr", as_r(input), outer(as_r(vec1), as_r(vec2)), beta, alpha);
}

namespace detail {
/** self.addmm_(...) and the like: the out-of-place result, which must have self's shape and a dtype
 *  self can hold, copied into self. */
template <class T, class R>
const Tensor<T>& inplace_result(const char* op, const Tensor<T>& self, const Tensor<R>& result) {
  TS_CHECK((can_cast_v<R, T>), op, ": result type ", dtype_of<R>, " can't be cast to the desired output type ",
           dtype_of<T>);
  TS_CHECK(result.sizes() == self.sizes(), op, ": Bad in-place call: input tensor size ", shape_str(self.sizes()),
           " and output tensor size ", shape_str(result.sizes()), " should match");
  return self.copy_(result);
}
}  // namespace detail

template <class T>
template <class A, class B>
Tensor<promote_t<promote_t<T, A>, B>> Tensor<T>::addr(const Tensor<A>& vec1, const Tensor<B>& vec2, double beta,
                                                       double alpha) const {
  return tessera::addr(*this, vec1, vec2, beta, alpha);
}
template <class T>
template <class A, class B>
const Tensor<T>& Tensor<T>::addr_(const Tensor<A>& vec1, const Tensor<B>& vec2, double beta, double alpha) const {
  TS_CHECK(dim() == 2, "addr_: 2D tensor expected, got ", dim(), "D tensor for input");
  TS_CHECK(vec1.dim() != 1 || vec2.dim() != 1 || (size(0) == vec1.size(0) && size(1) == vec2.size(0)),
           "addr_: size mismatch, input: ", detail::shape_str(sizes()), ", v1: ", detail::shape_str(vec1.sizes()),
           ", v2: ", detail::shape_str(vec2.sizes()));
  return detail::inplace_result("addr_", *this, tessera::addr(*this, vec1, vec2, beta, alpha));
}
template <class T>
Tensor<T> Tensor<T>::addmm(const Tensor& mat1, const Tensor& mat2, double beta, double alpha) const {
  return tessera::addmm(*this, mat1, mat2, beta, alpha);
}
template <class T>
const Tensor<T>& Tensor<T>::addmm_(const Tensor& mat1, const Tensor& mat2, double beta, double alpha) const {
  // PyTorch checks self's shape against the product's before broadcasting it.
  if (mat1.dim() == 2 && mat2.dim() == 2 && mat1.size(1) == mat2.size(0))
    TS_CHECK(dim() == 2 && size(0) == mat1.size(0) && size(1) == mat2.size(1), "addmm_: Bad in-place call: input tensor size ",
             detail::shape_str(sizes()), " and output tensor size [", mat1.size(0), ", ", mat2.size(1), "] should match");
  return detail::inplace_result("addmm_", *this, tessera::addmm(*this, mat1, mat2, beta, alpha));
}
template <class T>
Tensor<T> Tensor<T>::addmv(const Tensor& mat, const Tensor& vec, double beta, double alpha) const {
  return tessera::addmv(*this, mat, vec, beta, alpha);
}
template <class T>
const Tensor<T>& Tensor<T>::addmv_(const Tensor& mat, const Tensor& vec, double beta, double alpha) const {
  return detail::inplace_result("addmv_", *this, tessera::addmv(*this, mat, vec, beta, alpha));
}
template <class T>
Tensor<T> Tensor<T>::baddbmm(const Tensor& batch1, const Tensor& batch2, double beta, double alpha) const {
  return tessera::baddbmm(*this, batch1, batch2, beta, alpha);
}
template <class T>
const Tensor<T>& Tensor<T>::baddbmm_(const Tensor& batch1, const Tensor& batch2, double beta, double alpha) const {
  return detail::inplace_result("baddbmm_", *this, tessera::baddbmm(*this, batch1, batch2, beta, alpha));
}
template <class T>
Tensor<T> Tensor<T>::addbmm(const Tensor& batch1, const Tensor& batch2, double beta, double alpha) const {
  return tessera::addbmm(*this, batch1, batch2, beta, alpha);
}
template <class T>
const Tensor<T>& Tensor<T>::addbmm_(const Tensor& batch1, const Tensor& batch2, double beta, double alpha) const {
  return detail::inplace_result("addbmm_", *this, tessera::addbmm(*this, batch1, batch2, beta, alpha));
}

/** torch.cross(a, b, dim): the cross product of 3-vectors along `dim` (default: the first dim of
 *  size 3, as torch.cross without dim); shapes broadcast. */
template <class T>
Tensor<T> cross(const Tensor<T>& a, const Tensor<T>& b, std::optional<int64_t> dim = std::nullopt) {
  TS_CHECK(a.dim() == b.dim(), "linalg.cross: inputs must have the same number of dimensions.");
  const Shape shape = broadcast_shapes(a.sizes(), b.sizes(), "cross");
  const Tensor<T> x = a.sizes() == shape ? a : a.expand(shape), y = b.sizes() == shape ? b : b.expand(shape);
  int64_t d = -1;
  if (dim) {
    d = detail::wrap_dim(*dim, static_cast<int64_t>(shape.size()), "cross");
  } else {
    for (size_t i = 0; i < shape.size() && d < 0; ++i)
      if (shape[i] == 3) d = static_cast<int64_t>(i);
    TS_CHECK(d >= 0, "no dimension of size 3 in input");
  }
  TS_CHECK(a.size(d - static_cast<int64_t>(shape.size()) + a.dim()) == 3 &&
               b.size(d - static_cast<int64_t>(shape.size()) + b.dim()) == 3,
           "linalg.cross: inputs dimension ", dim.value_or(d), " must have length 3. Got ",
           a.size(d - static_cast<int64_t>(shape.size()) + a.dim()), " and ",
           b.size(d - static_cast<int64_t>(shape.size()) + b.dim()));
  // c_i = a_{i+1} b_{i+2} - a_{i+2} b_{i+1}: rolling by -1 brings element i+1 to i.
  return roll(x, {-1}, {d}) * roll(y, {-2}, {d}) - roll(x, {-2}, {d}) * roll(y, {-1}, {d});
}

/** torch.kron: the Kronecker product; the operand with fewer dims gets leading ones. */
template <class T>
Tensor<T> kron(const Tensor<T>& a, const Tensor<T>& b) {
  const int64_t nd = std::max(a.dim(), b.dim());
  Shape sa, sb, ea, eb, out;
  for (int64_t i = 0; i < nd; ++i) {
    const int64_t x = i < nd - a.dim() ? 1 : a.size(i - (nd - a.dim()));
    const int64_t y = i < nd - b.dim() ? 1 : b.size(i - (nd - b.dim()));
    sa.push_back(x), sa.push_back(1);
    sb.push_back(1), sb.push_back(y);
    out.push_back(x * y);
  }
  return (a.reshape(sa) * b.reshape(sb)).reshape(out);
}

/** torch.tensordot(a, b, dims): contracts the last `dims` dims of a with the first `dims` of b. */
template <class T>
Tensor<T> tensordot(const Tensor<T>& a, const Tensor<T>& b, const Shape& dims_a, const Shape& dims_b) {
  TS_CHECK(dims_a.size() == dims_b.size(), "both dimension lists should have same length");
  std::vector<bool> ca(static_cast<size_t>(a.dim()), false), cb(static_cast<size_t>(b.dim()), false);
  Shape perm_a, perm_b, out;
  int64_t contracted = 1;
  for (size_t i = 0; i < dims_a.size(); ++i) {
    const int64_t da = detail::wrap_dim(dims_a[i], a.dim(), "tensordot"), db = detail::wrap_dim(dims_b[i], b.dim(), "tensordot");
    TS_CHECK(a.size(da) == b.size(db), "contracted dimensions need to match, but first has size ", a.size(da), " in dim ",
             dims_a[i], " and second has size ", b.size(db), " in dim ", dims_b[i]);
    ca[static_cast<size_t>(da)] = true, cb[static_cast<size_t>(db)] = true;
    contracted *= a.size(da);
  }
  int64_t free_a = 1, free_b = 1;
  for (int64_t d = 0; d < a.dim(); ++d)
    if (!ca[static_cast<size_t>(d)]) perm_a.push_back(d), out.push_back(a.size(d)), free_a *= a.size(d);
  for (int64_t d : dims_a) perm_a.push_back(detail::wrap_dim(d, a.dim(), "tensordot"));
  for (int64_t d : dims_b) perm_b.push_back(detail::wrap_dim(d, b.dim(), "tensordot"));
  for (int64_t d = 0; d < b.dim(); ++d)
    if (!cb[static_cast<size_t>(d)]) perm_b.push_back(d), out.push_back(b.size(d)), free_b *= b.size(d);
  return mm(a.permute(perm_a).reshape({free_a, contracted}), b.permute(perm_b).reshape({contracted, free_b})).view(out);
}
template <class T>
Tensor<T> tensordot(const Tensor<T>& a, const Tensor<T>& b, int64_t dims = 2) {
  TS_CHECK(dims >= 0, "tensordot expects dims >= 0, but got dims=", dims);
  TS_CHECK(dims <= a.dim() && dims <= b.dim(), "tensordot expects dims < ndim_a or ndim_b, but got dims=", dims);
  Shape da, db;
  for (int64_t i = 0; i < dims; ++i) da.push_back(i - dims), db.push_back(i);  // a's as PyTorch names them: from the end
  return tensordot(a, b, da, db);
}

/** torch.cdist(x1, x2, p=2): the p-norm distances between the rows of x1 (*, P, M) and of x2
 *  (*, R, M), batch dims broadcast. Computed from the differences (PyTorch uses a matrix
 *  product for p = 2 beyond 25 rows, which rounds differently). */
template <class T>
Tensor<T> cdist(const Tensor<T>& x1, const Tensor<T>& x2, double p = 2) {
  TS_CHECK(x1.dim() >= 2, "cdist only supports at least 2D tensors, X1 got: ", x1.dim(), "D");
  TS_CHECK(x2.dim() >= 2, "cdist only supports at least 2D tensors, X2 got: ", x2.dim(), "D");
  TS_CHECK(x1.size(-1) == x2.size(-1), "X1 and X2 must have the same number of columns. X1: ", x1.size(-1), " X2: ",
           x2.size(-1));
  TS_CHECK(p >= 0, "cdist only supports non-negative p values");
  TS_CHECK(is_floating_v<T>, "cdist only supports floating-point dtypes, X1 got: ", detail::aten_type_name(dtype_of<T>));
  return norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, Shape{-1}, false).template to<T>();
}

// --- einsum ---------------------------------------------------------------------------------

namespace detail {

// Note [einsum labels]
// Subscripts are the 52 letters a-z and A-Z, kept as they are. The dims covered by "..." get
// labels outside ASCII (0x80 + k for the k-th dim counted from the right), so they never collide
// with a letter, and operands with fewer ellipsis dims share the trailing ones: they line up
// from the right, as broadcasting does. Sorting labels as chars gives PyTorch's implicit output
// order: upper case before lower case.
inline bool is_einsum_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/** The labels "..." stands for when it covers `dims` dims. */
inline std::string einsum_ellipsis(int64_t dims) {
  std::string labels;
  for (int64_t k = dims; k-- > 0;) labels += static_cast<char>(0x80 + k);
  return labels;
}

/** A label as the user wrote it, for messages. */
inline std::string einsum_label_name(char c) {
  if (is_einsum_letter(c)) return std::string(1, c);
  return "... (dim " + std::to_string(static_cast<unsigned char>(c) - 0x80 + 1) + " from the right)";
}

// One operand of an einsum with its subscripts: a label per dimension, repeated labels
// already reduced to diagonals, and labels that appear nowhere else summed out.
template <class T>
struct EinsumTerm {
  Tensor<T> tensor;
  std::string letters;
};

template <class T>
EinsumTerm<T> take_diagonals(Tensor<T> t, std::string letters) {
  for (size_t i = 0; i < letters.size(); ++i) {
    const size_t j = letters.find(letters[i], i + 1);
    if (j == std::string::npos) continue;
    TS_CHECK(t.sizes()[i] == t.sizes()[j], "einsum: subscript ", einsum_label_name(letters[i]),
             " is repeated for operand but the sizes don't match, ", t.sizes()[i], " != ", t.sizes()[j]);
    t = t.diagonal(0, static_cast<int64_t>(i), static_cast<int64_t>(j));  // the diagonal becomes the last dim
    std::string rest;
    for (size_t k = 0; k < letters.size(); ++k)
      if (k != i && k != j) rest += letters[k];
    letters = rest + letters[i];
    i = static_cast<size_t>(-1);  // start over: positions moved
  }
  return {t, letters};
}

template <class T>
EinsumTerm<T> sum_letters(const EinsumTerm<T>& term, const std::string& keep) {
  Shape dims;
  std::string kept;
  for (size_t i = 0; i < term.letters.size(); ++i) {
    if (keep.find(term.letters[i]) == std::string::npos) dims.push_back(static_cast<int64_t>(i));
    else kept += term.letters[i];
  }
  if (dims.empty()) return term;
  return {sum(term.tensor, dims, false).template to<T>(), kept};
}

/** Contracts two terms over the letters they share that `keep` does not need, through bmm. */
template <class T>
EinsumTerm<T> contract(const EinsumTerm<T>& x, const EinsumTerm<T>& y, const std::string& keep) {
  std::string batch, left, right, summed;
  for (char c : x.letters) {
    const bool in_y = y.letters.find(c) != std::string::npos, kept = keep.find(c) != std::string::npos;
    (in_y ? (kept ? batch : summed) : left) += c;
  }
  for (char c : y.letters)
    if (x.letters.find(c) == std::string::npos) right += c;
  auto size_of = [](const EinsumTerm<T>& t, char c) { return t.tensor.sizes()[t.letters.find(c)]; };
  auto arrange = [&](const EinsumTerm<T>& t, const std::string& order) {
    Shape perm;
    for (char c : order) perm.push_back(static_cast<int64_t>(t.letters.find(c)));
    return t.tensor.permute(perm);
  };
  int64_t nb = 1, nl = 1, nr = 1, ns = 1;
  Shape out_shape;
  for (char c : batch) {
    const int64_t sx = size_of(x, c), sy = size_of(y, c);
    TS_CHECK(sx == sy || sx == 1 || sy == 1, "einsum: operands do not broadcast for subscript ", einsum_label_name(c),
             " (", sx, " and ", sy, ")");
    nb *= std::max(sx, sy);
    out_shape.push_back(std::max(sx, sy));
  }
  for (char c : left) nl *= size_of(x, c), out_shape.push_back(size_of(x, c));
  for (char c : right) nr *= size_of(y, c), out_shape.push_back(size_of(y, c));
  for (char c : summed) {
    TS_CHECK(size_of(x, c) == size_of(y, c), "einsum: operands do not broadcast with remapped shapes for subscript ",
             einsum_label_name(c), " (", size_of(x, c), " and ", size_of(y, c), ")");
    ns *= size_of(x, c);
  }
  Shape bx, by;
  for (char c : batch) bx.push_back(std::max(size_of(x, c), size_of(y, c)));
  by = bx;
  for (char c : left) bx.push_back(size_of(x, c));
  for (char c : summed) bx.push_back(size_of(x, c)), by.push_back(size_of(y, c));
  for (char c : right) by.push_back(size_of(y, c));
  const Tensor<T> xm = arrange(x, batch + left + summed).expand(bx).reshape({nb, nl, ns});
  const Tensor<T> ym = arrange(y, batch + summed + right).expand(by).reshape({nb, ns, nr});
  return {bmm(xm, ym).view(out_shape), batch + left + right};
}

}  // namespace detail

/** torch.einsum for the string forms: "ij,jk->ik", batch dims, traces ("ii"), "...", and the
 *  implicit output (letters used once, in ASCII order: A-Z before a-z). Subscripts are the
 *  letters a-z and A-Z. */
template <class T>
Tensor<T> einsum(std::string_view equation, const std::vector<Tensor<T>>& operands) {
  std::string eq;
  for (char c : equation)
    if (c != ' ') eq += c;
  const auto arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> subs;
  for (size_t start = 0;;) {
    const auto comma = lhs.find(',', start);
    subs.push_back(lhs.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  TS_CHECK(subs.size() == operands.size(), "einsum: the equation has ", subs.size(), " operands but ", operands.size(),
           " tensors were given");
  // "..." stands for the leading dims not named by letters: see Note [einsum labels].
  int64_t ellipsis_dims = 0;
  for (size_t i = 0; i < subs.size(); ++i) {
    const auto dots = subs[i].find("...");
    std::string rest = subs[i];
    if (dots != std::string::npos) rest.erase(dots, 3);
    for (char c : rest)
      TS_CHECK(detail::is_einsum_letter(c), "einsum: invalid subscript '", c, "' in equation ", equation,
               " (subscripts are the letters a-z and A-Z, and one \"...\" per operand)");
    const auto named = static_cast<int64_t>(rest.size());
    if (dots == std::string::npos) {
      TS_CHECK(named == operands[i].dim(), "einsum: the number of subscripts in the equation (", named,
               ") does not match the number of dimensions (", operands[i].dim(), ") for operand ", i);
      continue;
    }
    const int64_t extra = operands[i].dim() - named;
    TS_CHECK(extra >= 0, "einsum: operand ", i, " has fewer dimensions than its subscripts");
    TS_CHECK(extra <= 128, "einsum: \"...\" covers ", extra, " dimensions for operand ", i,
             "; at most 128 are supported");
    ellipsis_dims = std::max(ellipsis_dims, extra);
    subs[i] = rest.insert(dots, detail::einsum_ellipsis(extra));
  }
  std::string out;
  if (arrow != std::string::npos) {
    out = eq.substr(arrow + 2);
    const auto dots = out.find("...");
    if (dots != std::string::npos) out.erase(dots, 3);
    for (size_t k = 0; k < out.size(); ++k) {
      TS_CHECK(detail::is_einsum_letter(out[k]), "einsum: invalid subscript '", out[k], "' in the output of equation ",
               equation);
      TS_CHECK(out.find(out[k], k + 1) == std::string::npos, "einsum: output subscript ", out[k],
               " appears more than once in the output");
    }
    if (dots != std::string::npos) out.insert(dots, detail::einsum_ellipsis(ellipsis_dims));
  } else {  // implicit: the ellipsis first, then the letters used exactly once, upper case first
    out = detail::einsum_ellipsis(ellipsis_dims);
    int count[128] = {};
    for (const auto& s : subs)
      for (char c : s)
        if (detail::is_einsum_letter(c)) ++count[static_cast<unsigned char>(c)];
    for (int c = 0; c < 128; ++c)
      if (count[c] == 1) out += static_cast<char>(c);
  }
  std::vector<detail::EinsumTerm<T>> terms;
  for (size_t i = 0; i < operands.size(); ++i) terms.push_back(detail::take_diagonals(operands[i], subs[i]));
  auto needed_after = [&](size_t i) {  // letters needed by the output or by operands after i
    std::string keep = out;
    for (size_t j = i + 1; j < terms.size(); ++j) keep += terms[j].letters;
    return keep;
  };
  detail::EinsumTerm<T> acc = detail::sum_letters(terms[0], needed_after(0) + (terms.size() > 1 ? terms[1].letters : ""));
  for (size_t i = 1; i < terms.size(); ++i) {
    const std::string keep = needed_after(i);
    acc = detail::contract(acc, detail::sum_letters(terms[i], keep + acc.letters), keep);
  }
  acc = detail::sum_letters(acc, out);
  Shape perm;
  for (char c : out) {
    const auto pos = acc.letters.find(c);
    TS_CHECK(pos != std::string::npos, "einsum: output subscript ", detail::einsum_label_name(c),
             " does not appear in the equation for any input operand");
    perm.push_back(static_cast<int64_t>(pos));
  }
  bool identity = true;
  for (size_t k = 0; k < perm.size(); ++k) identity = identity && perm[k] == static_cast<int64_t>(k);
  return identity ? acc.tensor.contiguous() : acc.tensor.permute(perm).contiguous();
}
template <class T>
Tensor<T> einsum(std::string_view equation, std::initializer_list<Tensor<T>> operands) {
  return einsum(equation, std::vector<Tensor<T>>(operands));
}

/** torch.inner: sums over the last dims of a and b (a product when either is 0-d). */
template <class T>
Tensor<T> inner(const Tensor<T>& a, const Tensor<T>& b) {
  if (a.dim() == 0 || b.dim() == 0) return a * b;
  TS_CHECK(a.size(-1) == b.size(-1), "inner: inner() the last dimension must match on both input tensors but got shapes ",
           detail::shape_str(a.sizes()), " and ", detail::shape_str(b.sizes()));
  return tensordot(a, b, {a.dim() - 1}, {b.dim() - 1});
}

}  // namespace tessera
