#pragma once
// Pointwise special functions and roundings beyond ops/elementwise.hpp: log10, erf, erfc, erfinv,
// lgamma, digamma, polygamma, sinc, deg2rad, rad2deg, logit, nan_to_num, square, reciprocal,
// trunc, fix, frac, exp2, signbit, sgn, positive; PyTorch's signatures, promotion and errors.

#include "../backend/cpu/special.hpp"
#include "elementwise.hpp"

namespace tessera {
namespace detail {

// The ops of the unary table (Note [Elementwise ops]): a functor on the compute type.
struct Log10Op : FloatingTraits {
  static constexpr const char* name = "log10";
  template <class C> C operator()(C x) const { return std::log10(x); }
};
struct ErfOp : FloatingTraits {
  static constexpr const char* name = "erf";
  template <class C> C operator()(C x) const { return std::erf(x); }
};
struct ErfcOp : FloatingTraits {
  static constexpr const char* name = "erfc";
  template <class C> C operator()(C x) const { return std::erfc(x); }
};
struct ErfinvOp : FloatingTraits {
  static constexpr const char* name = "erfinv";
  template <class C> C operator()(C x) const { return math::erfinv(x); }
};
struct LgammaOp : FloatingTraits {
  static constexpr const char* name = "lgamma";
  template <class C> C operator()(C x) const { return std::lgamma(x); }
};
struct DigammaOp : FloatingTraits {
  static constexpr const char* name = "digamma";
  template <class C> C operator()(C x) const { return math::digamma(x); }
};
struct SincOp : FloatingTraits {
  static constexpr const char* name = "sinc";
  template <class C> C operator()(C x) const { return math::sinc(x); }
};
struct ReciprocalOp : FloatingTraits {
  static constexpr const char* name = "reciprocal";
  template <class C> C operator()(C x) const { return C(1) / x; }
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& x) { r = 1 / x; }
};
struct Exp2Op : FloatingTraits {
  static constexpr const char* name = "exp2";
  template <class C> C operator()(C x) const { return std::exp2(x); }
};
struct TruncOp : UnaryTraits {
  static constexpr const char* name = "trunc";
  template <class C> C operator()(C x) const {
    if constexpr (std::is_integral_v<C>) return x;
    else return std::trunc(x);
  }
};
struct FracOp : UnaryTraits {
  static constexpr const char* name = "frac";
  template <class C> C operator()(C x) const {
    if constexpr (std::is_integral_v<C>) return C(0);  // refused before it runs (unsupported_kernel)
    else return x - std::trunc(x);
  }
};
/** sgn is sign for real tensors; it records its own node (SgnBackward0). */
struct SgnOp : UnaryTraits {
  static constexpr const char* name = "sgn";
  template <class C> C operator()(C x) const { return math::sign(x); }
};
struct SignbitOp : PredicateTraits {
  static constexpr const char* name = "signbit";
  template <class C> bool operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>) return std::signbit(x);
    else if constexpr (std::is_signed_v<C>) return x < 0;
    else return false;  // unsigned and bool
  }
};

/** PyTorch's CPU kernel name when it has no kernel for A, else null. */
template <class Op, class A>
constexpr const char* unsupported_kernel() {
  if constexpr (std::is_same_v<Op, TruncOp> && std::is_same_v<A, bool>) return "trunc_vml_cpu";
  else if constexpr (std::is_same_v<Op, FracOp> && !is_floating_v<A>) return "frac_cpu";
  else return nullptr;
}
template <class Op, class A>
void check_supported() {
  if constexpr (unsupported_kernel<Op, A>() != nullptr)
    throw_error('"', unsupported_kernel<Op, A>(), "\" not implemented for '", aten_type_name(dtype_of<A>), "'");
}

/** out = f(a) for a unary function holding parameters (polygamma's order, logit's eps), computed
 *  in the compute type of the result type R. The op name is in no GPU table, so a GPU device
 *  runs this plan's host kernel (docs/gpu.md). */
template <class R, bool fresh_out = false, class O, class A, class F>
void map_into(const char* name, const Tensor<O>& out, const Tensor<A>& a_in, double scalar, const F& f) {
  using C = opmath_t<R>;
  const Tensor<A>& a = resolve_overlap<fresh_out>(out.impl(), a_in);
  dispatch_plan(ElementwisePlan{.op = name, .out = &out.impl(), .fresh_out = fresh_out, .inputs = {&a.impl()},
                                .num_inputs = 1, .has_scalar = true, .scalar = scalar},
                [&] {
                  unary_map_kernel<O, A>(out.impl(), a.impl(), name,
                                         [&f](A x) { return convert<O>(convert<R>(f(convert<C>(x)))); });
                });
}

template <class R, bool fresh_out = false, class O, class A>
void polygamma_into(const Tensor<O>& out, int64_t n, const Tensor<A>& x) {
  TS_CHECK(n >= 0, "polygamma(n, x) does not support negative n.");
  map_into<R, fresh_out>("polygamma", out, x, static_cast<double>(n),
                         [n](auto v) { return math::polygamma(n, v); });
}

/** logit's eps: negative when not given (the kernel clamps only for eps >= 0, as PyTorch's). */
inline double logit_eps(std::optional<double> eps) { return eps ? *eps : -1.0; }
template <class R, bool fresh_out = false, class O, class A>
void logit_into(const Tensor<O>& out, const Tensor<A>& x, std::optional<double> eps) {
  const double e = logit_eps(eps);
  map_into<R, fresh_out>("logit", out, x, e, [e](auto v) {
    using C = decltype(v);
    return math::logit(v, static_cast<C>(convert<R>(e)));  // eps in the tensor's type, as PyTorch
  });
}

/** The replacements nan_to_num writes, in T: defaults 0, T's largest and lowest finite values. */
template <class T>
struct NanToNumValues {
  T nan, posinf, neginf;
  NanToNumValues(std::optional<double> n, std::optional<double> p, std::optional<double> m)
      : nan(convert<T>(n.value_or(0.0))),
        posinf(convert<T>(p.value_or(largest_finite<T>()))),
        neginf(convert<T>(m.value_or(-largest_finite<T>()))) {}
};
template <bool fresh_out = false, class O, class A>
void nan_to_num_into(const Tensor<O>& out, const Tensor<A>& x, std::optional<double> nan, std::optional<double> posinf,
                     std::optional<double> neginf) {
  if constexpr (!is_floating_v<A>) {
    out.copy_(x);  // integers and bools are copied unchanged
  } else {
    const NanToNumValues<A> v(nan, posinf, neginf);
    map_into<A, fresh_out>("nan_to_num", out, x, static_cast<double>(v.nan), [v](auto c) {
      using C = decltype(c);
      if (std::isnan(c)) return convert<C>(v.nan);
      if (std::isinf(c)) return convert<C>(c > 0 ? v.posinf : v.neginf);
      return c;
    });
  }
}
}  // namespace detail

// --- functions, `_out` forms and methods of the unary table ----------------------------------

#define TS_DEFINE_POINTWISE_UNARY(name, Op, result)                                         \
  template <class A>                                                                        \
  Tensor<detail::unary_result_t<detail::Op, A>> name(const Tensor<A>& a) {                  \
    detail::check_supported<detail::Op, A>();                                               \
    return detail::unary<detail::Op>(a);                                                    \
  }                                                                                         \
  template <class O, class A>                                                               \
  const Tensor<O>& name##_out(const Tensor<O>& out, const Tensor<A>& a) {                   \
    detail::check_supported<detail::Op, A>();                                               \
    return detail::unary_out<detail::Op>(out, a);                                           \
  }                                                                                         \
  template <class T>                                                                        \
  Tensor<result> Tensor<T>::name() const {                                                  \
    return tessera::name(*this);                                                            \
  }                                                                                         \
  template <class T>                                                                        \
  const Tensor<T>& Tensor<T>::name##_() const {                                             \
    detail::check_supported<detail::Op, T>();                                               \
    return detail::unary_inplace<detail::Op>(*this);                                        \
  }
TS_DEFINE_POINTWISE_UNARY(log10, Log10Op, floating_t<T>)
TS_DEFINE_POINTWISE_UNARY(erf, ErfOp, floating_t<T>)
TS_DEFINE_POINTWISE_UNARY(erfc, ErfcOp, floating_t<T>)
TS_DEFINE_POINTWISE_UNARY(erfinv, ErfinvOp, floating_t<T>)
TS_DEFINE_POINTWISE_UNARY(lgamma, LgammaOp, floating_t<T>)
TS_DEFINE_POINTWISE_UNARY(digamma, DigammaOp, floating_t<T>)
TS_DEFINE_POINTWISE_UNARY(sinc, SincOp, floating_t<T>)
TS_DEFINE_POINTWISE_UNARY(reciprocal, ReciprocalOp, floating_t<T>)
TS_DEFINE_POINTWISE_UNARY(exp2, Exp2Op, floating_t<T>)
TS_DEFINE_POINTWISE_UNARY(trunc, TruncOp, T)
TS_DEFINE_POINTWISE_UNARY(frac, FracOp, T)
TS_DEFINE_POINTWISE_UNARY(sgn, SgnOp, T)
#undef TS_DEFINE_POINTWISE_UNARY

/** torch.fix: trunc under another name. */
template <class A>
Tensor<A> fix(const Tensor<A>& a) {
  return trunc(a);
}
template <class O, class A>
const Tensor<O>& fix_out(const Tensor<O>& out, const Tensor<A>& a) {
  return trunc_out(out, a);
}
template <class T>
Tensor<T> Tensor<T>::fix() const {
  return trunc();
}
template <class T>
const Tensor<T>& Tensor<T>::fix_() const {
  return trunc_();
}

/** True where the sign bit is set (-0.0 and negative values; never for unsigned and bool). */
template <class A>
Tensor<bool> signbit(const Tensor<A>& a) {
  return detail::unary<detail::SignbitOp>(a);
}
template <class A>
const Tensor<bool>& signbit_out(const Tensor<bool>& out, const Tensor<A>& a) {
  return detail::unary_out<detail::SignbitOp>(out, a);
}
template <class T>
Tensor<bool> Tensor<T>::signbit() const {
  return tessera::signbit(*this);
}

/** torch.positive: the tensor itself (bool tensors are refused, as PyTorch's unary `+`). */
template <class A>
Tensor<A> positive(const Tensor<A>& a) {
  if constexpr (std::is_same_v<A, bool>) detail::throw_error("The `+` operator, on a bool tensor is not supported.");
  return a;
}
template <class T>
Tensor<T> Tensor<T>::positive() const {
  return tessera::positive(*this);
}

/** x * x as torch.square (pow(x, 2)): integers stay integers, bool becomes int64. */
template <class A>
Tensor<square_t<A>> square(const Tensor<A>& a) {
  return pow(a, 2);
}
template <class O, class A>
const Tensor<O>& square_out(const Tensor<O>& out, const Tensor<A>& a) {
  return pow_out(out, a, 2);
}
template <class T>
Tensor<square_t<T>> Tensor<T>::square() const {
  return tessera::pow(*this, 2);
}
template <class T>
const Tensor<T>& Tensor<T>::square_() const {
  return pow_(2);
}

/** Degrees to radians: x * (pi / 180), integers first converted to float (as PyTorch). */
template <class A>
Tensor<floating_t<A>> deg2rad(const Tensor<A>& a) {
  if constexpr (is_floating_v<A>) return a * (detail::math::kPi / 180.0);
  else return a.template to<float>() * (detail::math::kPi / 180.0);
}
template <class O, class A>
const Tensor<O>& deg2rad_out(const Tensor<O>& out, const Tensor<A>& a) {
  if constexpr (is_floating_v<A>) return mul_out(out, a, detail::math::kPi / 180.0);
  else return mul_out(out, a.template to<float>(), detail::math::kPi / 180.0);
}
template <class T>
Tensor<floating_t<T>> Tensor<T>::deg2rad() const {
  return tessera::deg2rad(*this);
}
template <class T>
const Tensor<T>& Tensor<T>::deg2rad_() const {
  detail::check_out<T, floating_t<T>>("deg2rad_", impl(), sizes());
  if constexpr (is_floating_v<T>) mul_(detail::math::kPi / 180.0);
  return *this;
}
/** Radians to degrees: x * (180 / pi). */
template <class A>
Tensor<floating_t<A>> rad2deg(const Tensor<A>& a) {
  if constexpr (is_floating_v<A>) return a * (180.0 / detail::math::kPi);
  else return a.template to<float>() * (180.0 / detail::math::kPi);
}
template <class O, class A>
const Tensor<O>& rad2deg_out(const Tensor<O>& out, const Tensor<A>& a) {
  if constexpr (is_floating_v<A>) return mul_out(out, a, 180.0 / detail::math::kPi);
  else return mul_out(out, a.template to<float>(), 180.0 / detail::math::kPi);
}
template <class T>
Tensor<floating_t<T>> Tensor<T>::rad2deg() const {
  return tessera::rad2deg(*this);
}
template <class T>
const Tensor<T>& Tensor<T>::rad2deg_() const {
  detail::check_out<T, floating_t<T>>("rad2deg_", impl(), sizes());
  if constexpr (is_floating_v<T>) mul_(180.0 / detail::math::kPi);
  return *this;
}

// --- polygamma, logit, nan_to_num: unary functions with parameters -------------------------------

/** The n-th derivative of digamma (torch.polygamma(n, x); n >= 0). */
template <class A>
Tensor<floating_t<A>> polygamma(int64_t n, const Tensor<A>& x) {
  using R = floating_t<A>;
  Tensor<R> out = detail::empty_like_preserving<R>(x.impl());
  detail::polygamma_into<R, true>(out, n, x);
  if constexpr (is_floating_v<A>)
    if (detail::needs_grad(x)) detail::record<detail::PolygammaBackward0<A>>({x}, {out}, x, n);
  return out;
}
template <class O, class A>
const Tensor<O>& polygamma_out(const Tensor<O>& out, int64_t n, const Tensor<A>& x) {
  detail::check_same_device("polygamma", out.device(), x.device());
  detail::check_out<O, floating_t<A>>("polygamma", out.impl(), x.sizes());
  detail::check_out_not_differentiable("polygamma", out, x);
  detail::polygamma_into<floating_t<A>>(out, n, x);
  return out;
}
template <class T>
Tensor<floating_t<T>> Tensor<T>::polygamma(int64_t n) const {
  return tessera::polygamma(n, *this);
}
template <class T>
const Tensor<T>& Tensor<T>::polygamma_(int64_t n) const {
  detail::check_out<T, floating_t<T>>("polygamma_", impl(), sizes());
  std::shared_ptr<detail::Node> node;
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(*this))
      node = detail::begin_inplace<detail::PolygammaBackward0<T>>(*this, {*this}, detail::saved_copy(*this), n);
  detail::polygamma_into<floating_t<T>>(*this, n, *this);
  if (node) detail::finish_inplace(*this, node);
  return *this;
}

/** log(x / (1 - x)), x first clamped to [eps, 1 - eps] when eps is given (torch.logit). */
template <class A>
Tensor<floating_t<A>> logit(const Tensor<A>& x, std::optional<double> eps = std::nullopt) {
  using R = floating_t<A>;
  Tensor<R> out = detail::empty_like_preserving<R>(x.impl());
  detail::logit_into<R, true>(out, x, eps);
  if constexpr (is_floating_v<A>)
    if (detail::needs_grad(x)) detail::record<detail::LogitBackward0<A>>({x}, {out}, x, eps);
  return out;
}
template <class O, class A>
const Tensor<O>& logit_out(const Tensor<O>& out, const Tensor<A>& x, std::optional<double> eps = std::nullopt) {
  detail::check_same_device("logit", out.device(), x.device());
  detail::check_out<O, floating_t<A>>("logit", out.impl(), x.sizes());
  detail::check_out_not_differentiable("logit", out, x);
  detail::logit_into<floating_t<A>>(out, x, eps);
  return out;
}
template <class T>
Tensor<floating_t<T>> Tensor<T>::logit(std::optional<double> eps) const {
  return tessera::logit(*this, eps);
}
template <class T>
const Tensor<T>& Tensor<T>::logit_(std::optional<double> eps) const {
  detail::check_out<T, floating_t<T>>("logit_", impl(), sizes());
  std::shared_ptr<detail::Node> node;
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(*this))
      node = detail::begin_inplace<detail::LogitBackward0<T>>(*this, {*this}, detail::saved_copy(*this), eps);
  detail::logit_into<floating_t<T>>(*this, *this, eps);
  if (node) detail::finish_inplace(*this, node);
  return *this;
}

/** NaN, +inf and -inf replaced by `nan` (0 by default), `posinf` and `neginf` (by default the
 *  largest and lowest finite values of the dtype); integer and bool tensors are copied. */
template <class A>
Tensor<A> nan_to_num(const Tensor<A>& x, std::optional<double> nan = std::nullopt,
                     std::optional<double> posinf = std::nullopt, std::optional<double> neginf = std::nullopt) {
  Tensor<A> out = detail::empty_like_preserving<A>(x.impl());
  {
    NoGradGuard no_grad;
    detail::nan_to_num_into<true>(out, x, nan, posinf, neginf);
  }
  if constexpr (is_floating_v<A>)
    if (detail::needs_grad(x)) detail::record<detail::NanToNumBackward0<A>>({x}, {out}, x);
  return out;
}
template <class O, class A>
const Tensor<O>& nan_to_num_out(const Tensor<O>& out, const Tensor<A>& x, std::optional<double> nan = std::nullopt,
                                std::optional<double> posinf = std::nullopt,
                                std::optional<double> neginf = std::nullopt) {
  detail::check_same_device("nan_to_num", out.device(), x.device());
  detail::check_out<O, A>("nan_to_num", out.impl(), x.sizes());
  detail::check_out_not_differentiable("nan_to_num", out, x);
  detail::nan_to_num_into(out, x, nan, posinf, neginf);
  return out;
}
template <class T>
Tensor<T> Tensor<T>::nan_to_num(std::optional<double> nan, std::optional<double> posinf,
                                std::optional<double> neginf) const {
  return tessera::nan_to_num(*this, nan, posinf, neginf);
}
template <class T>
const Tensor<T>& Tensor<T>::nan_to_num_(std::optional<double> nan, std::optional<double> posinf,
                                        std::optional<double> neginf) const {
  std::shared_ptr<detail::Node> node;
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(*this))
      node = detail::begin_inplace<detail::NanToNumBackward0<T>>(*this, {*this}, detail::saved_copy(*this));
  if constexpr (is_floating_v<T>) detail::nan_to_num_into(*this, *this, nan, posinf, neginf);
  if (node) detail::finish_inplace(*this, node);
  return *this;
}

}  // namespace tessera
