#pragma once
// Tensor<T>: the handle users hold. Copying a handle aliases; views share one Storage.

#include <array>
#include <concepts>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "convert.hpp"
#include "tensor_index.hpp"
#include "tensor_impl.hpp"
#include "type_rules.hpp"

namespace tessera {

class Generator;  // random/generator.hpp
template <class T>
struct ValuesIndices;  // ops/sort.hpp
template <class T>
struct UniqueResult;  // ops/sort.hpp
namespace autograd {
class RemovableHandle;  // autograd/hooks.hpp
}

/** The optional last argument of every factory. */
struct TensorOptions {
  Device device = Device::cpu();
  bool requires_grad = false;
};

/** var/std's keyword arguments: x.var(dims, {.correction = 0, .keepdim = true}) as Python's
 *  x.var(dims, correction=0, keepdim=True). */
struct VarOptions {
  int64_t correction = 1;
  bool keepdim = false;
};

/** A C++ scalar that may stand beside a tensor: any arithmetic type, half or bfloat16. */
template <class S>
concept Scalar = std::is_arithmetic_v<S> || std::is_same_v<S, half> || std::is_same_v<S, bfloat16>;

namespace detail {
/** A bound of clamp: a scalar, a std::optional of one, or std::nullopt (no bound). Its element
 *  type takes part in the result type, as a Python scalar does in torch.clamp; a missing bound
 *  counts as bool, which never raises a type. */
template <class B>
struct clamp_bound {
  static constexpr bool valid = false;
};
template <Scalar S>
struct clamp_bound<S> {
  static constexpr bool valid = true;
  using type = S;
};
template <Scalar S>
struct clamp_bound<std::optional<S>> {
  static constexpr bool valid = true;
  using type = S;
};
template <>
struct clamp_bound<std::nullopt_t> {
  static constexpr bool valid = true;
  using type = bool;
};
template <class B>
concept ClampBound = clamp_bound<B>::valid;
}  // namespace detail

/** clamp's result: an integral tensor with a floating bound gives float, as torch.clamp. */
template <class T, class Lo, class Hi>
using clamp_t = scalar_promote_t<scalar_promote_t<T, typename detail::clamp_bound<Lo>::type>,
                                 typename detail::clamp_bound<Hi>::type>;

/** A strided view of typed elements over a shared Storage, with PyTorch's semantics. As in
 *  LibTorch, constness belongs to the handle, not the data: every method is const. */
template <class T>
using sum_t = std::conditional_t<is_floating_v<T>, T, int64_t>;  // sum, prod, cumsum
template <class T>
using square_t = std::conditional_t<std::is_same_v<T, bool>, int64_t, T>;  // square: pow(x, 2)

template <class T = float>
class Tensor {
  static_assert(detail::Element<T>, "tessera: Tensor<T> needs one of the ten element types of API.md");

 public:
  using value_type = T;

  Tensor() = default;
  explicit Tensor(std::shared_ptr<detail::TensorImpl> impl) : impl_(std::move(impl)) {
    TS_CHECK(!impl_ || impl_->dtype == dtype_of<T>, "Tensor: cannot view a tensor of dtype ", impl_->dtype,
             " as Tensor<", dtype_of<T>, ">");
  }
  Tensor(const Tensor&) = default;
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(const Tensor&) & = default;
  Tensor& operator=(Tensor&&) & noexcept = default;
  /** `t[0] = src` and `t.index({...}) = src` write into the view, as in LibTorch. */
  const Tensor& operator=(const Tensor& src) && { return copy_(src); }
  template <class U>
  const Tensor& operator=(const Tensor<U>& src) && { return copy_(src); }
  template <Scalar S>
  const Tensor& operator=(S value) && { return fill_(value); }

  // --- attributes -----------------------------------------------------------------------
  bool defined() const { return impl_ != nullptr; }
  int64_t dim() const { return impl().dim(); }
  int64_t ndim() const { return dim(); }
  const Shape& sizes() const { return impl().sizes; }
  const Shape& shape() const { return sizes(); }
  int64_t size(int64_t d) const { return sizes()[detail::wrap_dim(d, dim(), "size")]; }
  const Shape& strides() const { return impl().strides; }
  /** As torch's x.stride(): a ts::Shape that prints as a tuple, `(12, 4, 1)`. */
  Strides stride() const { return Strides(strides()); }
  int64_t stride(int64_t d) const { return strides()[detail::wrap_dim(d, dim(), "stride")]; }
  int64_t storage_offset() const { return impl().offset; }
  int64_t numel() const { return impl().numel; }
  int64_t element_size() const { return sizeof(T); }
  int64_t nbytes() const { return numel() * element_size(); }
  static constexpr DType dtype() { return dtype_of<T>; }
  Device device() const { return impl().storage.device(); }
  bool is_contiguous() const { return impl().is_contiguous(); }
  /** Host pointer to the first element (the one at the storage offset); on a device other than
   *  the CPU, waits for the device to finish writing (Note [Host access]). */
  T* data_ptr() const { return static_cast<T*>(impl().storage.host_data()) + impl().offset; }
  const Storage& storage() const { return impl().storage; }
  /** The single element; throws unless numel() == 1. */
  T item() const;

  // --- views (ops/view.hpp): share storage, never copy ------------------------------------
  Tensor view(const Shape& shape) const;
  Tensor reshape(const Shape& shape) const;
  Tensor transpose(int64_t d0, int64_t d1) const;
  Tensor t() const;
  Tensor permute(const Shape& dims) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t d) const;
  Tensor unsqueeze(int64_t d) const;
  Tensor expand(const Shape& shape) const;
  template <class U>
  Tensor expand_as(const Tensor<U>& other) const { return expand(other.sizes()); }
  Tensor flatten(int64_t start = 0, int64_t end = -1) const;
  Tensor narrow(int64_t d, int64_t start, int64_t length) const;
  Tensor select(int64_t d, int64_t i) const;
  Tensor slice(int64_t d, std::optional<int64_t> start = std::nullopt, std::optional<int64_t> end = std::nullopt,
               int64_t step = 1) const;
  Tensor operator[](int64_t i) const { return select(0, i); }
  Tensor unfold(int64_t d, int64_t size, int64_t step) const;
  Tensor as_strided(const Shape& sizes, const Shape& strides, std::optional<int64_t> offset = std::nullopt) const;
  Tensor diagonal(int64_t offset = 0, int64_t d0 = 0, int64_t d1 = 1) const;
  Tensor movedim(int64_t source, int64_t destination) const;
  Tensor movedim(const Shape& source, const Shape& destination) const;
  Tensor moveaxis(int64_t source, int64_t destination) const { return movedim(source, destination); }
  Tensor moveaxis(const Shape& source, const Shape& destination) const { return movedim(source, destination); }
  Tensor swapaxes(int64_t d0, int64_t d1) const { return transpose(d0, d1); }
  Tensor swapdims(int64_t d0, int64_t d1) const { return transpose(d0, d1); }
  Tensor unflatten(int64_t d, const Shape& sizes) const;
  /** Python's x.T (every dim reversed) under LibTorch's name: a member named T would shadow the
   *  class's template parameter. x.mT and x.mH swap the last two dims (mH conjugates, a no-op
   *  for the real dtypes tessera has). */
  Tensor numpy_T() const;
  Tensor mT() const;
  Tensor mH() const;
  Tensor narrow_copy(int64_t d, int64_t start, int64_t length) const;
  Tensor diag_embed(int64_t offset = 0, int64_t d1 = -2, int64_t d2 = -1) const;
  /** New tensors of self's dtype (or U) on self's device (or options.device), as x.new_zeros. */
  template <class U = T>
  Tensor<U> new_empty(const Shape& size) const;
  template <class U = T>
  Tensor<U> new_empty(const Shape& size, const TensorOptions& options) const;
  template <class U = T>
  Tensor<U> new_zeros(const Shape& size) const;
  template <class U = T>
  Tensor<U> new_zeros(const Shape& size, const TensorOptions& options) const;
  template <class U = T>
  Tensor<U> new_ones(const Shape& size) const;
  template <class U = T>
  Tensor<U> new_ones(const Shape& size, const TensorOptions& options) const;
  template <class U = T, Scalar S>
  Tensor<U> new_full(const Shape& size, S fill_value) const;
  template <class U = T, Scalar S>
  Tensor<U> new_full(const Shape& size, S fill_value, const TensorOptions& options) const;
  // rearranging copies (ops/rearrange.hpp)
  Tensor repeat(const Shape& sizes) const;
  Tensor tile(const Shape& dims) const;
  Tensor flip(const Shape& dims) const;
  Tensor roll(const Shape& shifts, const Shape& dims = {}) const;
  Tensor rot90(int64_t k = 1, const Shape& dims = {0, 1}) const;
  Tensor tril(int64_t diagonal = 0) const;
  Tensor triu(int64_t diagonal = 0) const;
  const Tensor& tril_(int64_t diagonal = 0) const;
  const Tensor& triu_(int64_t diagonal = 0) const;
  Tensor diag(int64_t diagonal = 0) const;
  Tensor diagflat(int64_t offset = 0) const { return flatten().diag(offset); }
  Tensor<sum_t<T>> trace() const;
  Tensor detach() const;
  /** Python-style indexing: integers, Slice, None, Ellipsis (views) and index tensors (copies). */
  Tensor index(std::initializer_list<TensorIndex> indices) const { return index(std::vector<TensorIndex>(indices)); }
  Tensor index(const std::vector<TensorIndex>& indices) const;
  template <class U>
  const Tensor& index_put_(std::initializer_list<TensorIndex> indices, const Tensor<U>& values,
                           bool accumulate = false) const;
  /** torch.index_put: a copy with values written (or summed, with accumulate) at indices. */
  Tensor index_put(std::initializer_list<TensorIndex> indices, const Tensor& values, bool accumulate = false) const;
  template <Scalar S>
  const Tensor& index_put_(std::initializer_list<TensorIndex> indices, S value) const;

  // --- copies and conversions (ops/copy.hpp) ---------------------------------------------
  Tensor contiguous() const;
  Tensor clone() const;
  template <class U>
  Tensor<U> to() const;
  Tensor to(Device device) const;
  template <class U>
  const Tensor& copy_(const Tensor<U>& src) const;
  template <Scalar S>
  const Tensor& fill_(S value) const;
  const Tensor& zero_() const { return fill_(0); }
  /** The elements in logical row-major order, whatever the strides. */
  std::vector<T> to_vector() const;

  // --- elementwise (ops/elementwise.hpp); results follow PyTorch's promotion ---------------
#define TS_BINARY_METHODS(name, wrap)                                 \
  template <class U>                                                  \
  Tensor<wrap<promote_t<T, U>>> name(const Tensor<U>& other) const;   \
  template <Scalar S>                                                 \
  Tensor<wrap<scalar_promote_t<T, S>>> name(S other) const;           \
  template <class U>                                        \
  const Tensor& name##_(const Tensor<U>& other) const;      \
  template <Scalar S>                                       \
  const Tensor& name##_(S other) const;
  TS_BINARY_METHODS(add, std::type_identity_t)
  TS_BINARY_METHODS(sub, std::type_identity_t)
  TS_BINARY_METHODS(mul, std::type_identity_t)
  TS_BINARY_METHODS(div, true_divide_t)
  /** Division rounded by rounding_mode "trunc" or "floor" (Note [Division with a rounding mode]). */
  template <class U>
  Tensor<promote_t<T, U>> div(const Tensor<U>& other, std::string_view rounding_mode) const;
  template <Scalar S>
  Tensor<scalar_promote_t<T, S>> div(S other, std::string_view rounding_mode) const;
  template <class U>
  const Tensor& div_(const Tensor<U>& other, std::string_view rounding_mode) const;
  template <Scalar S>
  const Tensor& div_(S other, std::string_view rounding_mode) const;
  TS_BINARY_METHODS(pow, std::type_identity_t)
  TS_BINARY_METHODS(remainder, std::type_identity_t)
  TS_BINARY_METHODS(fmod, std::type_identity_t)
  TS_BINARY_METHODS(floor_divide, std::type_identity_t)
  TS_BINARY_METHODS(minimum, std::type_identity_t)
  TS_BINARY_METHODS(maximum, std::type_identity_t)
#undef TS_BINARY_METHODS
  // Comparisons and logical_and/or as methods (bool results, no in-place forms).
#define TS_COMPARE_METHODS(name)                        \
  template <class U>                                    \
  Tensor<bool> name(const Tensor<U>& other) const;      \
  template <Scalar S>                                   \
  Tensor<bool> name(S other) const;
  TS_COMPARE_METHODS(eq)
  TS_COMPARE_METHODS(ne)
  TS_COMPARE_METHODS(lt)
  TS_COMPARE_METHODS(le)
  TS_COMPARE_METHODS(gt)
  TS_COMPARE_METHODS(ge)
  TS_COMPARE_METHODS(logical_and)
  TS_COMPARE_METHODS(logical_or)
#undef TS_COMPARE_METHODS
#define TS_UNARY_METHODS(name, result) \
  Tensor<result> name() const;         \
  const Tensor& name##_() const;
  TS_UNARY_METHODS(neg, T)
  TS_UNARY_METHODS(abs, T)
  TS_UNARY_METHODS(sign, T)
  TS_UNARY_METHODS(floor, T)
  TS_UNARY_METHODS(ceil, T)
  TS_UNARY_METHODS(round, T)
  TS_UNARY_METHODS(relu, T)
  TS_UNARY_METHODS(sqrt, floating_t<T>)
  TS_UNARY_METHODS(rsqrt, floating_t<T>)
  TS_UNARY_METHODS(exp, floating_t<T>)
  TS_UNARY_METHODS(expm1, floating_t<T>)
  TS_UNARY_METHODS(log, floating_t<T>)
  TS_UNARY_METHODS(log1p, floating_t<T>)
  TS_UNARY_METHODS(log2, floating_t<T>)
  TS_UNARY_METHODS(sin, floating_t<T>)
  TS_UNARY_METHODS(cos, floating_t<T>)
  TS_UNARY_METHODS(tan, floating_t<T>)
  TS_UNARY_METHODS(tanh, floating_t<T>)
  TS_UNARY_METHODS(sigmoid, floating_t<T>)
  TS_UNARY_METHODS(gelu, floating_t<T>)
  TS_UNARY_METHODS(softplus, floating_t<T>)
  // ops/pointwise.hpp
  TS_UNARY_METHODS(log10, floating_t<T>)
  TS_UNARY_METHODS(erf, floating_t<T>)
  TS_UNARY_METHODS(erfc, floating_t<T>)
  TS_UNARY_METHODS(erfinv, floating_t<T>)
  TS_UNARY_METHODS(lgamma, floating_t<T>)
  TS_UNARY_METHODS(digamma, floating_t<T>)
  TS_UNARY_METHODS(sinc, floating_t<T>)
  TS_UNARY_METHODS(deg2rad, floating_t<T>)
  TS_UNARY_METHODS(rad2deg, floating_t<T>)
  TS_UNARY_METHODS(reciprocal, floating_t<T>)
  TS_UNARY_METHODS(exp2, floating_t<T>)
  TS_UNARY_METHODS(trunc, T)
  TS_UNARY_METHODS(fix, T)
  TS_UNARY_METHODS(frac, T)
  TS_UNARY_METHODS(sgn, T)
  TS_UNARY_METHODS(square, square_t<T>)
  TS_UNARY_METHODS(asin, floating_t<T>)
  TS_UNARY_METHODS(acos, floating_t<T>)
  TS_UNARY_METHODS(atan, floating_t<T>)
  TS_UNARY_METHODS(sinh, floating_t<T>)
  TS_UNARY_METHODS(cosh, floating_t<T>)
  TS_UNARY_METHODS(asinh, floating_t<T>)
  TS_UNARY_METHODS(acosh, floating_t<T>)
  TS_UNARY_METHODS(atanh, floating_t<T>)
  TS_UNARY_METHODS(i0, floating_t<T>)
#undef TS_UNARY_METHODS
  Tensor<bool> signbit() const;
  Tensor bitwise_not() const;
  const Tensor& bitwise_not_() const;
#define TS_POINTWISE_BINARY_METHODS(name, wrap)                     \
  template <class U>                                                \
  Tensor<wrap<promote_t<T, U>>> name(const Tensor<U>& other) const; \
  template <class U>                                                \
  const Tensor& name##_(const Tensor<U>& other) const;
#define TS_POINTWISE_SCALAR_METHODS(name, wrap)             \
  template <Scalar S>                                       \
  Tensor<wrap<scalar_promote_t<T, S>>> name(S other) const; \
  template <Scalar S>                                       \
  const Tensor& name##_(S other) const;
  TS_POINTWISE_BINARY_METHODS(atan2, true_divide_t)
  TS_POINTWISE_BINARY_METHODS(arctan2, true_divide_t)
  TS_POINTWISE_BINARY_METHODS(hypot, std::type_identity_t)
  TS_POINTWISE_BINARY_METHODS(logaddexp, std::type_identity_t)
  TS_POINTWISE_BINARY_METHODS(logaddexp2, std::type_identity_t)
  TS_POINTWISE_BINARY_METHODS(xlogy, true_divide_t)
  TS_POINTWISE_SCALAR_METHODS(xlogy, true_divide_t)
  TS_POINTWISE_BINARY_METHODS(copysign, true_divide_t)
  TS_POINTWISE_SCALAR_METHODS(copysign, true_divide_t)
  TS_POINTWISE_BINARY_METHODS(nextafter, std::type_identity_t)
  TS_POINTWISE_BINARY_METHODS(bitwise_and, std::type_identity_t)
  TS_POINTWISE_SCALAR_METHODS(bitwise_and, std::type_identity_t)
  TS_POINTWISE_BINARY_METHODS(bitwise_or, std::type_identity_t)
  TS_POINTWISE_SCALAR_METHODS(bitwise_or, std::type_identity_t)
  TS_POINTWISE_BINARY_METHODS(bitwise_xor, std::type_identity_t)
  TS_POINTWISE_SCALAR_METHODS(bitwise_xor, std::type_identity_t)
  TS_POINTWISE_BINARY_METHODS(bitwise_left_shift, std::type_identity_t)
  TS_POINTWISE_SCALAR_METHODS(bitwise_left_shift, std::type_identity_t)
  TS_POINTWISE_BINARY_METHODS(bitwise_right_shift, std::type_identity_t)
  TS_POINTWISE_SCALAR_METHODS(bitwise_right_shift, std::type_identity_t)
  TS_POINTWISE_BINARY_METHODS(gcd, std::type_identity_t)
  TS_POINTWISE_BINARY_METHODS(lcm, std::type_identity_t)
  TS_POINTWISE_BINARY_METHODS(igamma, std::type_identity_t)
  TS_POINTWISE_BINARY_METHODS(igammac, std::type_identity_t)
#undef TS_POINTWISE_SCALAR_METHODS
#undef TS_POINTWISE_BINARY_METHODS
  /** x == 0 ? values : (x > 0); values of x's dtype. */
  template <class U>
  Tensor heaviside(const Tensor<U>& values) const;
  template <class U>
  const Tensor& heaviside_(const Tensor<U>& values) const;
  /** self + value * tensor1 * tensor2, and self + value * tensor1 / tensor2. */
  template <class A, class B>
  Tensor<promote_t<promote_t<T, A>, B>> addcmul(const Tensor<A>& tensor1, const Tensor<B>& tensor2, double value = 1) const;
  template <class A, class B>
  Tensor<promote_t<promote_t<T, A>, B>> addcdiv(const Tensor<A>& tensor1, const Tensor<B>& tensor2, double value = 1) const;
  template <class A, class B>
  const Tensor& addcmul_(const Tensor<A>& tensor1, const Tensor<B>& tensor2, double value = 1) const;
  template <class A, class B>
  const Tensor& addcdiv_(const Tensor<A>& tensor1, const Tensor<B>& tensor2, double value = 1) const;
  /** pow in float64 (torch.float_power); in place only on a float64 tensor. */
  template <class U>
  Tensor<double> float_power(const Tensor<U>& exponent) const;
  template <Scalar S>
  Tensor<double> float_power(S exponent) const;
  template <class U>
  const Tensor& float_power_(const Tensor<U>& exponent) const;
  template <Scalar S>
  const Tensor& float_power_(S exponent) const;
  Tensor positive() const;
  Tensor<floating_t<T>> polygamma(int64_t n) const;
  const Tensor& polygamma_(int64_t n) const;
  Tensor<floating_t<T>> logit(std::optional<double> eps = std::nullopt) const;
  const Tensor& logit_(std::optional<double> eps = std::nullopt) const;
  /** NaN, +inf, -inf replaced (defaults: 0, the dtype's largest and lowest finite values). */
  Tensor nan_to_num(const std::optional<double>& nan = std::nullopt, const std::optional<double>& posinf = std::nullopt,
                    const std::optional<double>& neginf = std::nullopt) const;
  const Tensor& nan_to_num_(const std::optional<double>& nan = std::nullopt, const std::optional<double>& posinf = std::nullopt,
                            const std::optional<double>& neginf = std::nullopt) const;
  Tensor<bool> isnan() const;
  Tensor<bool> isinf() const;
  Tensor<bool> isfinite() const;
  /** Limits to [min, max]; either bound may be omitted (std::nullopt). NaN stays NaN; a NaN bound
   *  alone is ignored, and with both bounds given makes every element NaN (as torch.clamp). A
   *  floating bound on an integral tensor gives a float result (clamp_t). */
  template <detail::ClampBound Lo, detail::ClampBound Hi = std::nullopt_t>
  Tensor<clamp_t<T, Lo, Hi>> clamp(Lo min, Hi max = std::nullopt) const;
  template <detail::ClampBound Lo, detail::ClampBound Hi = std::nullopt_t>
  const Tensor& clamp_(Lo min, Hi max = std::nullopt) const;
  template <class U>
  Tensor<promote_t<T, U>> lerp(const Tensor<U>& end, double weight) const;
  template <class U, class W>
  Tensor<promote_t<T, U>> lerp(const Tensor<U>& end, const Tensor<W>& weight) const;
  /** In place: end and weight of self's dtype, broadcasting to self's shape (as PyTorch). */
  const Tensor& lerp_(const Tensor& end, double weight) const;
  const Tensor& lerp_(const Tensor& end, const Tensor& weight) const;
  /** self * 2^other, computed as PyTorch's mul(self, pow(2.0, other)): integers give floats. */
  template <class U>
  Tensor<promote_t<T, scalar_promote_t<U, double>>> ldexp(const Tensor<U>& other) const;
  template <class U>
  const Tensor& ldexp_(const Tensor<U>& other) const;
  template <Scalar S>
  Tensor masked_fill(const Tensor<bool>& mask, S value) const;
  template <Scalar S>
  const Tensor& masked_fill_(const Tensor<bool>& mask, S value) const;
  /** A uint8 mask reads as `mask != 0`, with PyTorch 1.13's deprecation warning. */
  template <Scalar S>
  Tensor masked_fill(const Tensor<uint8_t>& mask, S value) const;
  template <Scalar S>
  const Tensor& masked_fill_(const Tensor<uint8_t>& mask, S value) const;
  // PyTorch's other names for the ops above: one-line forwards, no new kernels.
#define TS_ALIAS_BINARY_METHODS(alias, name, wrap)                                                        \
  template <class U>                                                                                      \
  Tensor<wrap<promote_t<T, U>>> alias(const Tensor<U>& other) const { return name(other); }               \
  template <Scalar S>                                                                                     \
  Tensor<wrap<scalar_promote_t<T, S>>> alias(S other) const { return name(other); }                       \
  template <class U>                                                                                      \
  const Tensor& alias##_(const Tensor<U>& other) const { return name##_(other); }                         \
  template <Scalar S>                                                                                     \
  const Tensor& alias##_(S other) const { return name##_(other); }
  TS_ALIAS_BINARY_METHODS(subtract, sub, std::type_identity_t)
  TS_ALIAS_BINARY_METHODS(multiply, mul, std::type_identity_t)
  TS_ALIAS_BINARY_METHODS(divide, div, true_divide_t)
  TS_ALIAS_BINARY_METHODS(true_divide, div, true_divide_t)
#undef TS_ALIAS_BINARY_METHODS
  /** In-place comparisons and logical ops: the 0/1 result written in self's dtype (x.eq_(y)). */
#define TS_COMPARE_INPLACE_METHODS(name)                \
  template <class U>                                    \
  const Tensor& name##_(const Tensor<U>& other) const;  \
  template <Scalar S>                                   \
  const Tensor& name##_(S other) const;
  TS_COMPARE_INPLACE_METHODS(eq)
  TS_COMPARE_INPLACE_METHODS(ne)
  TS_COMPARE_INPLACE_METHODS(lt)
  TS_COMPARE_INPLACE_METHODS(le)
  TS_COMPARE_INPLACE_METHODS(gt)
  TS_COMPARE_INPLACE_METHODS(ge)
  TS_COMPARE_INPLACE_METHODS(logical_and)
  TS_COMPARE_INPLACE_METHODS(logical_or)
#undef TS_COMPARE_INPLACE_METHODS
  const Tensor& logical_not_() const;
#define TS_ALIAS_COMPARE_METHODS(alias, name)                                                 \
  template <class U>                                                                          \
  Tensor<bool> alias(const Tensor<U>& other) const { return name(other); }                    \
  template <Scalar S>                                                                         \
  Tensor<bool> alias(S other) const { return name(other); }                                   \
  template <class U>                                                                          \
  const Tensor& alias##_(const Tensor<U>& other) const { return name##_(other); }             \
  template <Scalar S>                                                                         \
  const Tensor& alias##_(S other) const { return name##_(other); }
  TS_ALIAS_COMPARE_METHODS(greater, gt)
  TS_ALIAS_COMPARE_METHODS(greater_equal, ge)
  TS_ALIAS_COMPARE_METHODS(less, lt)
  TS_ALIAS_COMPARE_METHODS(less_equal, le)
  TS_ALIAS_COMPARE_METHODS(not_equal, ne)
#undef TS_ALIAS_COMPARE_METHODS
  Tensor<floating_t<T>> arcsin() const { return asin(); }
  const Tensor& arcsin_() const { return asin_(); }
  Tensor<floating_t<T>> arccos() const { return acos(); }
  const Tensor& arccos_() const { return acos_(); }
  Tensor<floating_t<T>> arctan() const { return atan(); }
  const Tensor& arctan_() const { return atan_(); }
  Tensor<floating_t<T>> arcsinh() const { return asinh(); }
  const Tensor& arcsinh_() const { return asinh_(); }
  Tensor<floating_t<T>> arccosh() const { return acosh(); }
  const Tensor& arccosh_() const { return acosh_(); }
  Tensor<floating_t<T>> arctanh() const { return atanh(); }
  const Tensor& arctanh_() const { return atanh_(); }
  Tensor absolute() const { return abs(); }
  const Tensor& absolute_() const { return abs_(); }
  Tensor negative() const { return neg(); }
  const Tensor& negative_() const { return neg_(); }
  template <detail::ClampBound Lo, detail::ClampBound Hi = std::nullopt_t>
  Tensor<clamp_t<T, Lo, Hi>> clip(Lo min, Hi max = std::nullopt) const { return clamp(min, max); }
  template <detail::ClampBound Lo, detail::ClampBound Hi = std::nullopt_t>
  const Tensor& clip_(Lo min, Hi max = std::nullopt) const { return clamp_(min, max); }
  template <Scalar S>
  Tensor<clamp_t<T, S, std::nullopt_t>> clamp_min(S min) const;
  template <Scalar S>
  const Tensor& clamp_min_(S min) const;
  template <Scalar S>
  Tensor<clamp_t<T, std::nullopt_t, S>> clamp_max(S max) const;
  template <Scalar S>
  const Tensor& clamp_max_(S max) const;
  int64_t ndimension() const { return dim(); }
  int64_t nelement() const { return numel(); }
  /** x.view(other.sizes()) and x.reshape(other.sizes()). */
  template <class U>
  Tensor view_as(const Tensor<U>& other) const { return view(other.sizes()); }
  template <class U>
  Tensor reshape_as(const Tensor<U>& other) const { return reshape(other.sizes()); }
  /** The elements as one dim: a view when the strides allow, else a copy (torch.ravel). */
  Tensor ravel() const { return reshape({-1}); }
  Tensor broadcast_to(const Shape& shape) const { return expand(shape); }
  /** The slices along dim, as views (torch.unbind). */
  std::vector<Tensor> unbind(int64_t dim = 0) const;
  /** fmax/fmin: maximum/minimum that ignore a NaN on one side (NaN only when both are). */
  template <class U>
  Tensor<promote_t<T, U>> fmax(const Tensor<U>& other) const;
  template <class U>
  Tensor<promote_t<T, U>> fmin(const Tensor<U>& other) const;
  template <class U>
  Tensor<bool> logical_xor(const Tensor<U>& other) const;
  template <class U>
  const Tensor& logical_xor_(const Tensor<U>& other) const;
  Tensor<bool> isposinf() const;
  Tensor<bool> isneginf() const;
  Tensor<bool> isreal() const;
  /** Whether the dtype is signed (every dtype but uint8 and bool). */
  bool is_signed() const { return !std::is_same_v<T, uint8_t> && !std::is_same_v<T, bool>; }
  /** The single element != 0; throws for zero or several elements (Python's bool(t)). */
  bool is_nonzero() const;
  /** x.byte(): to<uint8_t>(). x.char(), x.short(), x.int(), x.long() cannot be spelled in C++
   *  (keywords): use to<int8_t>(), to<int16_t>(), to<int32_t>(), to<int64_t>(). */
  Tensor<uint8_t> byte() const { return to<uint8_t>(); }

  // --- reductions (ops/reduce.hpp): over all elements, one dim or several ----------------
#define TS_REDUCTION_METHODS(name, result)                                 \
  Tensor<result> name() const;                                             \
  Tensor<result> name(int64_t dim, bool keepdim = false) const;            \
  Tensor<result> name(const Shape& dims, bool keepdim = false) const;
  TS_REDUCTION_METHODS(sum, sum_t<T>)
  TS_REDUCTION_METHODS(prod, sum_t<T>)
  TS_REDUCTION_METHODS(mean, T)
  TS_REDUCTION_METHODS(amax, T)
  TS_REDUCTION_METHODS(amin, T)
  TS_REDUCTION_METHODS(logsumexp, floating_t<T>)
  TS_REDUCTION_METHODS(all, logical_t<T>)
  TS_REDUCTION_METHODS(any, logical_t<T>)
#undef TS_REDUCTION_METHODS
  /** p-norm as torch.norm(p, dim, keepdim): x.norm(1) is the L1 norm of every element. */
  Tensor<floating_t<T>> norm(double p = 2) const;
  Tensor<floating_t<T>> norm(double p, int64_t dim, bool keepdim = false) const;
  Tensor<floating_t<T>> norm(double p, const Shape& dims, bool keepdim = false) const;
  Tensor<floating_t<T>> norm(std::string_view p, const Shape& dims = {}, bool keepdim = false) const;
  /** As torch.var: (dim, unbiased = true, keepdim = false), or {.correction, .keepdim} (Note [var and std signatures]). */
  Tensor var() const { return var(true); }
  template <std::same_as<bool> B>  // a bool exactly: x.var(1) is dim 1, as in Python
  Tensor var(B unbiased) const;
  Tensor var(int64_t dim, bool unbiased = true, bool keepdim = false) const;
  Tensor var(const Shape& dims, bool unbiased = true, bool keepdim = false) const;
  Tensor var(const Shape& dims, VarOptions options) const;
  Tensor std() const { return std(true); }
  template <std::same_as<bool> B>
  Tensor std(B unbiased) const;
  Tensor std(int64_t dim, bool unbiased = true, bool keepdim = false) const;
  Tensor std(const Shape& dims, bool unbiased = true, bool keepdim = false) const;
  Tensor std(const Shape& dims, VarOptions options) const;
  /** The largest element (0-dim), or (values, indices) along `dim`. */
  Tensor max() const;
  Tensor min() const;
  std::tuple<Tensor, Tensor<int64_t>> max(int64_t dim, bool keepdim = false) const;
  std::tuple<Tensor, Tensor<int64_t>> min(int64_t dim, bool keepdim = false) const;
  Tensor<int64_t> argmax(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor<int64_t> argmin(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor<floating_t<T>> softmax(int64_t dim) const;
  Tensor<floating_t<T>> log_softmax(int64_t dim) const;
  Tensor<sum_t<T>> cumsum(int64_t dim) const;
  const Tensor& cumsum_(int64_t dim) const;
  /** The cumulative family beside cumsum: products, running extremes (values and int64 positions)
   *  and log(cumsum(exp)). */
  Tensor<sum_t<T>> cumprod(int64_t dim) const;
  const Tensor& cumprod_(int64_t dim) const;
  ValuesIndices<T> cummax(int64_t dim) const;
  ValuesIndices<T> cummin(int64_t dim) const;
  Tensor logcumsumexp(int64_t dim) const;
  /** q-th quantiles (torch.Tensor.quantile, nanquantile): a scalar q or a 1-D tensor of q. */
  Tensor quantile(double q, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
                  std::string_view interpolation = "linear") const;
  Tensor quantile(const Tensor& q, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
                  std::string_view interpolation = "linear") const;
  Tensor nanquantile(double q, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
                     std::string_view interpolation = "linear") const;
  Tensor nanquantile(const Tensor& q, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
                     std::string_view interpolation = "linear") const;
  /** (mantissa, int32 exponent) with self = mantissa * 2^exponent (torch.Tensor.frexp). */
  std::tuple<Tensor, Tensor<int32_t>> frexp() const;
  /** The multivariate log-gamma of dimension p (torch.Tensor.mvlgamma). */
  Tensor<floating_t<T>> mvlgamma(int64_t p) const;
  const Tensor& mvlgamma_(int64_t p) const;
  /** Rows as variables (torch.Tensor.cov, corrcoef); an undefined weights tensor is none. */
  template <class FW = bool, class AW = bool>
  Tensor<floating_t<promote_t<promote_t<T, FW>, AW>>> cov(int64_t correction = 1, const Tensor<FW>& fweights = {},
                                                          const Tensor<AW>& aweights = {}) const;
  Tensor<floating_t<T>> corrcoef() const;
  /** Slices along dim with p-norm above maxnorm scaled down to it (torch.Tensor.renorm). */
  Tensor renorm(double p, int64_t dim, double maxnorm) const;
  const Tensor& renorm_(double p, int64_t dim, double maxnorm) const;
  /** n-th forward difference along dim, after prepend and append (undefined: none) (ops/pointwise.hpp). */
  Tensor diff(int64_t n = 1, int64_t dim = -1, const Tensor& prepend = {}, const Tensor& append = {}) const;

  // --- ordering and selection (ops/sort.hpp): (values, indices) as torch.return_types ----
  ValuesIndices<T> sort(int64_t dim = -1, bool descending = false, bool stable = false) const;
  Tensor<int64_t> argsort(int64_t dim = -1, bool descending = false, bool stable = false) const;
  Tensor msort() const;
  ValuesIndices<T> topk(int64_t k, int64_t dim = -1, bool largest = true, bool sorted = true) const;
  ValuesIndices<T> kthvalue(int64_t k, int64_t dim = -1, bool keepdim = false) const;
  Tensor median() const;
  ValuesIndices<T> median(int64_t dim, bool keepdim = false) const;
  Tensor nanmedian() const;
  ValuesIndices<T> nanmedian(int64_t dim, bool keepdim = false) const;
  ValuesIndices<T> mode(int64_t dim = -1, bool keepdim = false) const;
  /** torch.unique and unique_consecutive: a UniqueResult (Note [unique's results]). */
  UniqueResult<T> unique(bool sorted = true, bool return_inverse = false, bool return_counts = false,
                         std::optional<int64_t> dim = std::nullopt) const;
  UniqueResult<T> unique_consecutive(bool return_inverse = false, bool return_counts = false,
                                     std::optional<int64_t> dim = std::nullopt) const;
  Tensor<int64_t> bincount(std::nullopt_t = std::nullopt, int64_t minlength = 0) const;
  template <class W>
  Tensor<std::conditional_t<std::is_same_v<W, float>, float, double>> bincount(const Tensor<W>& weights,
                                                                             int64_t minlength = 0) const;
  Tensor histc(int64_t bins = 100, double min = 0, double max = 0) const;
  /** (hist, bin_edges), as torch.histogram (ops/sort.hpp). */
  std::tuple<Tensor, Tensor> histogram(int64_t bins = 100, std::optional<std::array<double, 2>> range = std::nullopt,
                                       const Tensor& weight = {}, bool density = false) const;
  std::tuple<Tensor, Tensor> histogram(const Tensor& bins, const Tensor& weight = {}, bool density = false) const;
  Tensor<int64_t> count_nonzero() const;
  Tensor<int64_t> count_nonzero(int64_t dim) const;
  Tensor<int64_t> count_nonzero(const Shape& dims) const;

  // --- linear algebra (ops/linalg.hpp) ------------------------------------------------------
  template <class U>
  Tensor<promote_t<T, U>> matmul(const Tensor<U>& other) const;
  template <class U>
  Tensor<promote_t<T, U>> mm(const Tensor<U>& other) const;
  template <class U>
  Tensor<promote_t<T, U>> bmm(const Tensor<U>& other) const;
  template <class U>
  Tensor<promote_t<T, U>> mv(const Tensor<U>& other) const;
  template <class U>
  Tensor<promote_t<T, U>> dot(const Tensor<U>& other) const;
  template <class U>
  Tensor<promote_t<T, U>> outer(const Tensor<U>& other) const;
  /** beta * self + alpha * product (torch.Tensor.addmm and friends) and their in-place forms. */
  template <class A, class B>
  Tensor<promote_t<promote_t<T, A>, B>> addr(const Tensor<A>& vec1, const Tensor<B>& vec2, double beta = 1,
                                             double alpha = 1) const;
  template <class A, class B>
  const Tensor& addr_(const Tensor<A>& vec1, const Tensor<B>& vec2, double beta = 1, double alpha = 1) const;
  Tensor addmm(const Tensor& mat1, const Tensor& mat2, double beta = 1, double alpha = 1) const;
  const Tensor& addmm_(const Tensor& mat1, const Tensor& mat2, double beta = 1, double alpha = 1) const;
  Tensor addmv(const Tensor& mat, const Tensor& vec, double beta = 1, double alpha = 1) const;
  const Tensor& addmv_(const Tensor& mat, const Tensor& vec, double beta = 1, double alpha = 1) const;
  Tensor baddbmm(const Tensor& batch1, const Tensor& batch2, double beta = 1, double alpha = 1) const;
  const Tensor& baddbmm_(const Tensor& batch1, const Tensor& batch2, double beta = 1, double alpha = 1) const;
  Tensor addbmm(const Tensor& batch1, const Tensor& batch2, double beta = 1, double alpha = 1) const;
  const Tensor& addbmm_(const Tensor& batch1, const Tensor& batch2, double beta = 1, double alpha = 1) const;

  // --- in-place view ops (ops/view.hpp): self takes the view's sizes and strides -------------
  const Tensor& squeeze_() const;
  const Tensor& squeeze_(int64_t d) const;
  const Tensor& unsqueeze_(int64_t d) const;
  const Tensor& t_() const;
  const Tensor& transpose_(int64_t d0, int64_t d1) const;
  const Tensor& swapaxes_(int64_t d0, int64_t d1) const { return transpose_(d0, d1); }
  const Tensor& swapdims_(int64_t d0, int64_t d1) const { return transpose_(d0, d1); }
  const Tensor& as_strided_(const Shape& sizes, const Shape& strides,
                            std::optional<int64_t> offset = std::nullopt) const;
  /** Drops self's history in place: no grad_fn, requires_grad false (refused on a view). */
  const Tensor& detach_() const;
  /** Fills the main diagonal (all dims equal beyond 2-D); `wrap` continues it below a tall matrix. */
  template <Scalar S>
  const Tensor& fill_diagonal_(S value, bool wrap = false) const;

  // --- a copy with one view written (ops/view.hpp) ------------------------------------------
  template <class U>
  Tensor select_scatter(const Tensor<U>& src, int64_t dim, int64_t index) const;
  template <class U>
  Tensor slice_scatter(const Tensor<U>& src, int64_t dim = 0, std::optional<int64_t> start = std::nullopt,
                       std::optional<int64_t> end = std::nullopt, int64_t step = 1) const;
  template <class U>
  Tensor diagonal_scatter(const Tensor<U>& src, int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1) const;
  template <class U>
  Tensor as_strided_scatter(const Tensor<U>& src, const Shape& size, const Shape& stride,
                            std::optional<int64_t> storage_offset = std::nullopt) const;

  // --- splitting into views (ops/join.hpp) --------------------------------------------------
  std::vector<Tensor> tensor_split(int64_t sections, int64_t dim = 0) const;
  std::vector<Tensor> tensor_split(const std::vector<int64_t>& indices, int64_t dim = 0) const;
  std::vector<Tensor> tensor_split(const Tensor<int64_t>& indices_or_sections, int64_t dim = 0) const;
  std::vector<Tensor> hsplit(int64_t sections) const;
  std::vector<Tensor> hsplit(const std::vector<int64_t>& indices) const;
  std::vector<Tensor> vsplit(int64_t sections) const;
  std::vector<Tensor> vsplit(const std::vector<int64_t>& indices) const;
  std::vector<Tensor> dsplit(int64_t sections) const;
  std::vector<Tensor> dsplit(const std::vector<int64_t>& indices) const;
  // Note [One-element index lists]: x.hsplit({2}) is the indices [2].
  std::vector<Tensor> tensor_split(std::initializer_list<int64_t> indices, int64_t dim = 0) const;
  std::vector<Tensor> hsplit(std::initializer_list<int64_t> indices) const;
  std::vector<Tensor> vsplit(std::initializer_list<int64_t> indices) const;
  std::vector<Tensor> dsplit(std::initializer_list<int64_t> indices) const;
  std::vector<Tensor> unsafe_chunk(int64_t chunks, int64_t dim = 0) const;
  std::vector<Tensor> unsafe_split(int64_t split_size, int64_t dim = 0) const;
  std::vector<Tensor> unsafe_split_with_sizes(const std::vector<int64_t>& sizes, int64_t dim = 0) const;

  // --- gathering and scattering (ops/indexing.hpp) -------------------------------------------
  Tensor index_select(int64_t dim, const Tensor<int64_t>& index) const;
  Tensor gather(int64_t dim, const Tensor<int64_t>& index) const;
  template <class U>
  Tensor scatter(int64_t dim, const Tensor<int64_t>& index, const Tensor<U>& src) const;
  template <Scalar S>
  Tensor scatter(int64_t dim, const Tensor<int64_t>& index, S value) const;
  template <class U>
  const Tensor& scatter_(int64_t dim, const Tensor<int64_t>& index, const Tensor<U>& src) const;
  template <Scalar S>
  const Tensor& scatter_(int64_t dim, const Tensor<int64_t>& index, S value) const;

  // --- selecting by mask and index (ops/selection.hpp) ---------------------------------------
  /** torch.nonzero: the [n, dim()] coordinates of the nonzero elements (NaN counts), row-major. */
  Tensor<int64_t> nonzero() const;
  /** torch.nonzero(as_tuple=True) under LibTorch's name: one 1-D tensor per dim. */
  std::vector<Tensor<int64_t>> nonzero_numpy() const;
  Tensor<int64_t> argwhere() const;
  Tensor masked_select(const Tensor<bool>& mask) const;
  Tensor masked_scatter(const Tensor<bool>& mask, const Tensor& source) const;
  const Tensor& masked_scatter_(const Tensor<bool>& mask, const Tensor& source) const;
  Tensor take(const Tensor<int64_t>& index) const;
  /** self's elements at flat (row-major) positions `index` set to (or, with accumulate, increased
   *  by) source's, as torch.Tensor.put_; `put` on a copy. */
  const Tensor& put_(const Tensor<int64_t>& index, const Tensor& source, bool accumulate = false) const;
  Tensor put(const Tensor<int64_t>& index, const Tensor& source, bool accumulate = false) const;
  Tensor take_along_dim(const Tensor<int64_t>& indices, std::optional<int64_t> dim = std::nullopt) const;
  Tensor repeat_interleave(int64_t repeats, std::optional<int64_t> dim = std::nullopt,
                           const std::optional<int64_t>& output_size = std::nullopt) const;
  Tensor repeat_interleave(const Tensor<int64_t>& repeats, std::optional<int64_t> dim = std::nullopt,
                           const std::optional<int64_t>& output_size = std::nullopt) const;

  // --- reducing scatters and index updates (ops/index_update.hpp) ----------------------------
  /** torch.scatter_reduce: reduce is "sum", "prod", "mean", "amax" or "amin". */
  Tensor scatter_reduce(int64_t dim, const Tensor<int64_t>& index, const Tensor& src, std::string_view reduce,
                        bool include_self = true) const;
  const Tensor& scatter_reduce_(int64_t dim, const Tensor<int64_t>& index, const Tensor& src, std::string_view reduce,
                                bool include_self = true) const;
  Tensor scatter_add(int64_t dim, const Tensor<int64_t>& index, const Tensor& src) const;
  const Tensor& scatter_add_(int64_t dim, const Tensor<int64_t>& index, const Tensor& src) const;
  /** torch.index_reduce: reduce is "prod", "mean", "amax" or "amin". */
  Tensor index_reduce(int64_t dim, const Tensor<int64_t>& index, const Tensor& source, std::string_view reduce,
                      bool include_self = true) const;
  const Tensor& index_reduce_(int64_t dim, const Tensor<int64_t>& index, const Tensor& source, std::string_view reduce,
                              bool include_self = true) const;
  /** scatter(dim, index, src or value, reduce): reduce is "add" or "multiply". */
  Tensor scatter(int64_t dim, const Tensor<int64_t>& index, const Tensor& src, std::string_view reduce) const;
  template <Scalar S>
  Tensor scatter(int64_t dim, const Tensor<int64_t>& index, S value, std::string_view reduce) const;
  const Tensor& scatter_(int64_t dim, const Tensor<int64_t>& index, const Tensor& src, std::string_view reduce) const;
  template <Scalar S>
  const Tensor& scatter_(int64_t dim, const Tensor<int64_t>& index, S value, std::string_view reduce) const;
  template <Scalar S = int>
  Tensor index_add(int64_t dim, const Tensor<int64_t>& index, const Tensor& source, S alpha = 1) const;
  template <Scalar S = int>
  const Tensor& index_add_(int64_t dim, const Tensor<int64_t>& index, const Tensor& source, S alpha = 1) const;
  Tensor index_copy(int64_t dim, const Tensor<int64_t>& index, const Tensor& source) const;
  const Tensor& index_copy_(int64_t dim, const Tensor<int64_t>& index, const Tensor& source) const;
  template <Scalar S>
  Tensor index_fill(int64_t dim, const Tensor<int64_t>& index, S value) const;
  template <Scalar S>
  const Tensor& index_fill_(int64_t dim, const Tensor<int64_t>& index, S value) const;
  template <class U>
  Tensor index_fill(int64_t dim, const Tensor<int64_t>& index, const Tensor<U>& value) const;
  template <class U>
  const Tensor& index_fill_(int64_t dim, const Tensor<int64_t>& index, const Tensor<U>& value) const;

  // --- in-place sampling (random/distributions.hpp); the default generator unless one is given ---
  const Tensor& uniform_(double from = 0, double to = 1) const;
  const Tensor& uniform_(double from, double to, Generator& gen) const;
  const Tensor& normal_(double mean = 0, double stddev = 1) const;
  const Tensor& normal_(double mean, double stddev, Generator& gen) const;
  /** Each element 1 with probability p, else 0 (in place). */
  const Tensor& bernoulli_(double p = 0.5) const;
  const Tensor& bernoulli_(double p, Generator& gen) const;
  /** Exponential samples with rate lambd (floating types; PyTorch's -1 / lambd * log(1 - u)). */
  const Tensor& exponential_(double lambd = 1) const;
  const Tensor& exponential_(double lambd, Generator& gen) const;
  /** Cauchy samples median + sigma * tan(pi * (u - 0.5)) (floating types). */
  const Tensor& cauchy_(double median = 0, double sigma = 1) const;
  const Tensor& cauchy_(double median, double sigma, Generator& gen) const;
  /** exp of normal samples with mean and stddev (floating types). */
  const Tensor& log_normal_(double mean = 1, double stddev = 2) const;
  const Tensor& log_normal_(double mean, double stddev, Generator& gen) const;
  /** The number of Bernoulli(p) trials up to the first success: ceil(log(u) / log1p(-p)). */
  const Tensor& geometric_(double p) const;
  const Tensor& geometric_(double p, Generator& gen) const;
  /** Integers uniform over [0, 2^mantissa digits] for floating types, [0, max] for integers
   *  (0 or 1 for bool); with `to`, over [0, to); with `from` and `to`, over [from, to). */
  const Tensor& random_() const;
  const Tensor& random_(Generator& gen) const;
  const Tensor& random_(int64_t to) const;
  const Tensor& random_(int64_t to, Generator& gen) const;
  const Tensor& random_(int64_t from, int64_t to) const;
  const Tensor& random_(int64_t from, int64_t to, Generator& gen) const;

  // --- autograd state (autograd/) ---------------------------------------------------------
  const Tensor& requires_grad_(bool requires_grad = true) const {
    TS_CHECK(!requires_grad || is_floating_v<T>, "requires_grad_: only Tensors of floating point dtype can require "
             "gradients, got ", dtype());
    TS_CHECK(requires_grad || is_leaf(), "requires_grad_: you can only change requires_grad flags of leaf variables.");
    if (requires_grad || impl().autograd) impl().autograd_meta().requires_grad = requires_grad;
    return *this;
  }
  bool requires_grad() const { return impl().requires_grad(); }
  bool is_leaf() const { return detail::grad_fn_of(impl_ptr()) == nullptr; }
  Tensor grad() const {
    return impl().autograd && impl().autograd->grad ? Tensor(impl().autograd->grad) : Tensor();
  }
  std::string grad_fn_name() const;
  /** Replaces .grad (an undefined tensor clears it, as `x.grad = None`). */
  const Tensor& set_grad(const Tensor& grad) const {
    TS_CHECK(!grad.defined() || grad.sizes() == sizes(), "set_grad: assigned grad has data of a different size (",
             detail::shape_str(grad.sizes()), " for a tensor of size ", detail::shape_str(sizes()), ")");
    if (grad.defined() || impl().autograd) impl().autograd_meta().grad = grad.impl_ptr();
    return *this;
  }
  /** Runs the graph behind this tensor backwards; `gradient` may be omitted for one element.
   *  `retain_graph` defaults to `create_graph`, which records the backward itself so that the
   *  gradients it leaves in .grad can be differentiated again. */
  void backward(const Tensor& gradient = {}, std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false) const;
  /** Registers `hook`, called with this tensor's gradient each time one is computed; it returns
   *  nothing, or a replacement gradient (an undefined Tensor or std::nullopt keeps the gradient).
   *  remove() on the returned handle unregisters it (autograd/hooks.hpp). */
  template <class F>
  autograd::RemovableHandle register_hook(F&& hook) const;
  /** Keeps .grad for a non-leaf after backward (leaves always keep it). */
  void retain_grad() const;

  // --- internals ---------------------------------------------------------------------------
  detail::TensorImpl& impl() const {
    TS_CHECK(impl_ != nullptr, "Tensor: the tensor is undefined (default-constructed)");
    return *impl_;
  }
  const std::shared_ptr<detail::TensorImpl>& impl_ptr() const { return impl_; }
  /** The first element's address as the device's kernels see it: no host access. */
  T* kernel_data() const { return static_cast<T*>(impl().storage.data()) + impl().offset; }

 private:
  Tensor transpose_view(int64_t d0, int64_t d1, const char* node_name) const;
  std::shared_ptr<detail::TensorImpl> impl_;
};

template <class T>
T Tensor<T>::item() const {
  TS_CHECK(numel() == 1, "item: a Tensor with ", numel(), " elements cannot be converted to Scalar");
  return *data_ptr();
}

namespace detail {

/** A new contiguous tensor of `sizes`, uninitialised. */
template <class T>
Tensor<T> empty_tensor(const Shape& sizes, const TensorOptions& options = {}, const char* op = "empty") {
  const int64_t n = checked_numel(sizes, op);
  check_device_dtype(options.device, dtype_of<T>, op);
  auto impl = make_tensor_impl(Storage::allocate(checked_bytes(n, sizeof(T), op, sizes), options.device, op), sizes, n,
                               dtype_of<T>);
  Tensor<T> out(std::move(impl));
  if (options.requires_grad) out.requires_grad_(true);
  return out;
}

template <class T>
void refresh_view_history(const std::shared_ptr<TensorImpl>& view);  // autograd/functions.hpp

/** A tensor sharing `base`'s storage with new view metadata. */
template <class T>
Tensor<T> make_view(const Tensor<T>& base, Shape sizes, Shape strides, int64_t offset) {
  auto impl = make_tensor_impl(base.storage(), std::move(sizes), std::move(strides), offset, dtype_of<T>);
  impl->view_base = base.impl().view_base ? base.impl().view_base : base.impl_ptr();
  if constexpr (is_floating_v<T>) {  // Note [Stale view histories]
    impl->view_version = impl->storage.version();
    impl->refresh_view = &refresh_view_history<T>;
    impl->view_kind = base.impl().view_kind;  // a view of a piece of split is one too
  }
  return Tensor<T>(std::move(impl));
}

}  // namespace detail
}  // namespace tessera
