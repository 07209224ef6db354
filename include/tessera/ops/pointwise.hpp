#pragma once
// Pointwise special functions and roundings beyond ops/elementwise.hpp: log10, erf, erfc, erfinv,
// lgamma, digamma, polygamma, sinc, i0, frexp, mvlgamma, deg2rad, rad2deg, logit, nan_to_num, square, reciprocal,
// trunc, fix, frac, exp2, signbit, sgn, positive; atan2, hypot, logaddexp(2), xlogy, copysign,
// nextafter, heaviside, float_power, the bitwise ops and shifts, gcd, lcm, addcmul, addcdiv; diff.
// PyTorch's signatures, promotion and errors.

#include "../backend/cpu/special.hpp"
#include "elementwise.hpp"
#include "join.hpp"
#include "view.hpp"

#include <cstring>

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
// The inverse trigonometric and the hyperbolic functions (std:: on the compute type, as PyTorch's
// CPU), each with the name of PyTorch 1.13's CPU kernel, which has no float16 variant.
#define TS_FLOATING_STD_OP(Name, opname, half_kernel_name, fn)  \
  struct Name : FloatingTraits {                                 \
    static constexpr const char* name = opname;                  \
    static constexpr const char* half_kernel = half_kernel_name; \
    template <class C> C operator()(C x) const { return fn(x); } \
  };
TS_FLOATING_STD_OP(AsinOp, "asin", "asin_vml_cpu", std::asin)
TS_FLOATING_STD_OP(AcosOp, "acos", "acos_vml_cpu", std::acos)
TS_FLOATING_STD_OP(AtanOp, "atan", "atan_vml_cpu", std::atan)
TS_FLOATING_STD_OP(SinhOp, "sinh", "sinh_cpu", std::sinh)
TS_FLOATING_STD_OP(CoshOp, "cosh", "cosh_cpu", std::cosh)
TS_FLOATING_STD_OP(AsinhOp, "asinh", "asinh_cpu", std::asinh)
TS_FLOATING_STD_OP(AcoshOp, "acosh", "acosh_cpu", std::acosh)
TS_FLOATING_STD_OP(AtanhOp, "atanh", "atanh_cpu", std::atanh)
#undef TS_FLOATING_STD_OP
struct I0Op : FloatingTraits {
  static constexpr const char* name = "i0";
  static constexpr const char* half_kernel = "i0_vml_cpu";  // PyTorch 1.13's CPU has none for float16
  template <class C> C operator()(C x) const { return math::bessel_i0(x); }
};
/** I1, i0's derivative (not public: torch.special.i1 is not in this library). */
struct I1Op : FloatingTraits {
  static constexpr const char* name = "special_i1";
  template <class C> C operator()(C x) const { return math::bessel_i1(x); }
};
struct FrexpMantissaOp : UnaryTraits {
  static constexpr const char* name = "frexp";
  template <class C> C operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>) return math::frexp_mantissa(x);
    else return x;  // refused before it runs
  }
};
struct FrexpExponentOp : UnaryTraits {
  static constexpr const char* name = "frexp_exponent";  // a plan of its own, apart from the mantissa's
  template <class C> C operator()(C x) const {
    if constexpr (std::is_floating_point_v<C>) return math::frexp_exponent(x);
    else return x;  // refused before it runs
  }
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
  else if constexpr (requires { Op::half_kernel; } && std::is_same_v<A, half>) return Op::half_kernel;
  else return nullptr;
}
template <class Op, class A>
void check_supported() {
  if constexpr (unsupported_kernel<Op, A>() != nullptr)
    throw_error('"', unsupported_kernel<Op, A>(), "\" not implemented for '", aten_type_name(dtype_of<A>), "'");
}

/** out = f(a) for a unary function holding parameters (polygamma's order, logit's eps,
 *  nan_to_num's values), computed in the compute type of the result type R. The parameters travel
 *  in the plan's scalar and, beyond one, in `more` (its bounds), for a GPU kernel of that name
 *  (docs/gpu.md; without one, a GPU device runs this plan's host kernel). */
template <class R, bool fresh_out = false, class O, class A, class F>
void map_into(const char* name, const Tensor<O>& out, const Tensor<A>& a_in, double scalar, const F& f,
              std::array<double, 2> more = {}) {
  using C = opmath_t<R>;
  const Tensor<A>& a = resolve_overlap<fresh_out>(out.impl(), a_in);
  dispatch_plan(ElementwisePlan{.op = name, .out = &out.impl(), .fresh_out = fresh_out, .inputs = {&a.impl()},
                                .num_inputs = 1, .result_dtype = dtype_of<R>, .has_scalar = true, .scalar = scalar,
                                .bounds = more},
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
void nan_to_num_into(const Tensor<O>& out, const Tensor<A>& x, const std::optional<double>& nan, const std::optional<double>& posinf,
                     const std::optional<double>& neginf) {
  if constexpr (!is_floating_v<A>) {
    out.copy_(x);  // integers and bools are copied unchanged
  } else {
    const NanToNumValues<A> v(nan, posinf, neginf);
    map_into<A, fresh_out>(
        "nan_to_num", out, x, static_cast<double>(v.nan),
        [v](auto c) {
          using C = decltype(c);
          if (std::isnan(c)) return convert<C>(v.nan);
          if (std::isinf(c)) return convert<C>(c > 0 ? v.posinf : v.neginf);
          return c;
        },
        {static_cast<double>(v.posinf), static_cast<double>(v.neginf)});
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
TS_DEFINE_POINTWISE_UNARY(i0, I0Op, floating_t<T>)
TS_DEFINE_POINTWISE_UNARY(trunc, TruncOp, T)
TS_DEFINE_POINTWISE_UNARY(frac, FracOp, T)
TS_DEFINE_POINTWISE_UNARY(sgn, SgnOp, T)
TS_DEFINE_POINTWISE_UNARY(asin, AsinOp, floating_t<T>)
TS_DEFINE_POINTWISE_UNARY(acos, AcosOp, floating_t<T>)
TS_DEFINE_POINTWISE_UNARY(atan, AtanOp, floating_t<T>)
TS_DEFINE_POINTWISE_UNARY(sinh, SinhOp, floating_t<T>)
TS_DEFINE_POINTWISE_UNARY(cosh, CoshOp, floating_t<T>)
TS_DEFINE_POINTWISE_UNARY(asinh, AsinhOp, floating_t<T>)
TS_DEFINE_POINTWISE_UNARY(acosh, AcoshOp, floating_t<T>)
TS_DEFINE_POINTWISE_UNARY(atanh, AtanhOp, floating_t<T>)
#undef TS_DEFINE_POINTWISE_UNARY

/** numpy's names, PyTorch's aliases: arcsin, arccos, arctan, arcsinh, arccosh, arctanh. */
template <class A>
Tensor<detail::unary_result_t<detail::AsinOp, A>> arcsin(const Tensor<A>& a) {
  return asin(a);
}
template <class A>
Tensor<detail::unary_result_t<detail::AcosOp, A>> arccos(const Tensor<A>& a) {
  return acos(a);
}
template <class A>
Tensor<detail::unary_result_t<detail::AtanOp, A>> arctan(const Tensor<A>& a) {
  return atan(a);
}
template <class A>
Tensor<detail::unary_result_t<detail::AsinhOp, A>> arcsinh(const Tensor<A>& a) {
  return asinh(a);
}
template <class A>
Tensor<detail::unary_result_t<detail::AcoshOp, A>> arccosh(const Tensor<A>& a) {
  return acosh(a);
}
template <class A>
Tensor<detail::unary_result_t<detail::AtanhOp, A>> arctanh(const Tensor<A>& a) {
  return atanh(a);
}

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
  if constexpr (!is_floating_v<T>) detail::refuse_result_type<floating_t<T>, T>("deg2rad_");
  else mul_(detail::math::kPi / 180.0);
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
  if constexpr (!is_floating_v<T>) detail::refuse_result_type<floating_t<T>, T>("rad2deg_");
  else mul_(180.0 / detail::math::kPi);
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
Tensor<A> nan_to_num(const Tensor<A>& x, const std::optional<double>& nan = std::nullopt,
                     const std::optional<double>& posinf = std::nullopt, const std::optional<double>& neginf = std::nullopt) {
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
const Tensor<O>& nan_to_num_out(const Tensor<O>& out, const Tensor<A>& x, const std::optional<double>& nan = std::nullopt,
                                const std::optional<double>& posinf = std::nullopt,
                                const std::optional<double>& neginf = std::nullopt) {
  detail::check_same_device("nan_to_num", out.device(), x.device());
  detail::check_out_not_differentiable("nan_to_num", out, x);
  detail::nan_to_num_into(out, x, nan, posinf, neginf);
  return out;
}
template <class T>
Tensor<T> Tensor<T>::nan_to_num(const std::optional<double>& nan, const std::optional<double>& posinf,
                                const std::optional<double>& neginf) const {
  return tessera::nan_to_num(*this, nan, posinf, neginf);
}
template <class T>
const Tensor<T>& Tensor<T>::nan_to_num_(const std::optional<double>& nan, const std::optional<double>& posinf,
                                        const std::optional<double>& neginf) const {
  std::shared_ptr<detail::Node> node;
  if constexpr (is_floating_v<T>)
    if (detail::needs_grad(*this))
      node = detail::begin_inplace<detail::NanToNumBackward0<T>>(*this, {*this}, detail::saved_copy(*this));
  if constexpr (is_floating_v<T>) detail::nan_to_num_into(*this, *this, nan, posinf, neginf);
  if (node) detail::finish_inplace(*this, node);
  return *this;
}

}  // namespace tessera

// --- binary: atan2, hypot, logaddexp, logaddexp2, xlogy, copysign, nextafter, heaviside, bitwise ---

namespace tessera {
namespace detail {

/** A floating-only formula: integer compute types never run it (refused first, check_binary_supported). */
#define TS_FLOATING_BINARY_OP(Name, opname, Kind, expr)                                 \
  struct Name : PlainTraits {                                                           \
    static constexpr const char* name = opname;                                         \
    static constexpr ResultKind result = ResultKind::Kind;                              \
    template <class C> C operator()(C a, C b) const {                                   \
      if constexpr (std::is_floating_point_v<C>) return expr;                           \
      else return a;                                                                    \
    }                                                                                   \
  };
TS_FLOATING_BINARY_OP(Atan2Op, "atan2", TrueDivide, std::atan2(a, b))
TS_FLOATING_BINARY_OP(HypotOp, "hypot", Promoted, std::hypot(a, b))
TS_FLOATING_BINARY_OP(LogaddexpOp, "logaddexp", Promoted, math::logaddexp(a, b))
TS_FLOATING_BINARY_OP(Logaddexp2Op, "logaddexp2", Promoted, math::logaddexp2(a, b))
TS_FLOATING_BINARY_OP(XlogyOp, "xlogy", TrueDivide, math::xlogy(a, b))
TS_FLOATING_BINARY_OP(CopysignOp, "copysign", TrueDivide, std::copysign(a, b))
#undef TS_FLOATING_BINARY_OP
struct NextafterOp : PlainTraits {
  static constexpr const char* name = "nextafter";
  static constexpr bool differentiable = false;
  template <class C> C operator()(C a, C b) const {
    if constexpr (std::is_floating_point_v<C>) return std::nextafter(a, b);
    else return a;
  }
};
/** nextafter for bfloat16 operands computed in float: a bfloat16 is the top half of a float, so
 *  the next one is 2^16 float ulps away. */
struct NextafterBf16Op : NextafterOp {
  template <class C> C operator()(C a, C b) const {
    if constexpr (std::is_same_v<C, float>) {
      if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<float>::quiet_NaN();
      if (a == b) return b;
      if (a == 0) return std::copysign(0x1p-133f, b);  // the smallest bfloat16 denormal
      uint32_t bits;
      std::memcpy(&bits, &a, sizeof(bits));
      bits = (a < b) == (a > 0) ? bits + 0x10000u : bits - 0x10000u;
      std::memcpy(&a, &bits, sizeof(bits));
      return a;
    } else {
      return a;
    }
  }
};
/** x == 0 ? values : (x > 0); needs one dtype (checked by the op). */
struct HeavisideOp : PlainTraits {
  static constexpr const char* name = "heaviside";
  static constexpr bool differentiable = false;
  template <class C> C operator()(C x, C values) const {
    if constexpr (std::is_same_v<C, bool>) return x || values;
    else return x == C(0) ? values : static_cast<C>(x > C(0));
  }
};
#define TS_BITWISE_OP(Name, opname, expr)                                              \
  struct Name : PlainTraits {                                                          \
    static constexpr const char* name = opname;                                        \
    static constexpr bool differentiable = false;                                      \
    template <class C> C operator()(C a, C b) const {                                  \
      if constexpr (std::is_integral_v<C>) return static_cast<C>(expr);                \
      else return a;                                                                   \
    }                                                                                  \
  };
TS_BITWISE_OP(BitwiseAndOp, "bitwise_and", a & b)
TS_BITWISE_OP(BitwiseOrOp, "bitwise_or", a | b)
TS_BITWISE_OP(BitwiseXorOp, "bitwise_xor", a ^ b)
TS_BITWISE_OP(LeftShiftOp, "bitwise_left_shift", math::shift_left(a, b))
TS_BITWISE_OP(RightShiftOp, "bitwise_right_shift", math::shift_right(a, b))
#undef TS_BITWISE_OP
// The regularized incomplete gamma functions: floating only; not differentiable through the
// kernel (igamma and igammac record their gradient in x themselves).
struct IgammaOp : PlainTraits {
  static constexpr const char* name = "igamma";
  static constexpr bool differentiable = false;
  template <class C> C operator()(C a, C x) const {
    if constexpr (std::is_floating_point_v<C>) return math::igamma(a, x);
    else return a;
  }
};
struct IgammacOp : PlainTraits {
  static constexpr const char* name = "igammac";
  static constexpr bool differentiable = false;
  template <class C> C operator()(C a, C x) const {
    if constexpr (std::is_floating_point_v<C>) return math::igammac(a, x);
    else return a;
  }
};
// gcd and lcm: integer dtypes only (refused first, check_binary_supported).
#define TS_INTEGER_BINARY_OP(Name, opname, expr)                                       \
  struct Name : PlainTraits {                                                          \
    static constexpr const char* name = opname;                                        \
    static constexpr bool differentiable = false;                                      \
    template <class C> C operator()(C a, C b) const {                                  \
      if constexpr (std::is_integral_v<C> && !std::is_same_v<C, bool>) return expr;    \
      else return a;                                                                   \
    }                                                                                  \
  };
TS_INTEGER_BINARY_OP(GcdOp, "gcd", math::gcd(a, b))
TS_INTEGER_BINARY_OP(LcmOp, "lcm", math::lcm(a, b))
#undef TS_INTEGER_BINARY_OP
struct BitwiseNotOp : UnaryTraits {
  static constexpr const char* name = "bitwise_not";
  template <class C> C operator()(C x) const {
    if constexpr (std::is_same_v<C, bool>) return !x;
    else if constexpr (std::is_integral_v<C>) return static_cast<C>(~x);
    else return x;
  }
};

/** PyTorch's kernel name for Op where its common dtype R has no kernel, else null. */
template <class Op, class R>
constexpr const char* unsupported_binary_kernel() {
  constexpr bool floating_only = std::is_same_v<Op, IgammaOp> || std::is_same_v<Op, IgammacOp> ||
                                 std::is_same_v<Op, HypotOp> || std::is_same_v<Op, LogaddexpOp> ||
                                 std::is_same_v<Op, Logaddexp2Op> || std::is_same_v<Op, NextafterOp>;
  constexpr bool integer_only = std::is_same_v<Op, BitwiseAndOp> || std::is_same_v<Op, BitwiseOrOp> ||
                                std::is_same_v<Op, BitwiseXorOp> || std::is_same_v<Op, BitwiseNotOp>;
  constexpr bool shift = std::is_same_v<Op, LeftShiftOp> || std::is_same_v<Op, RightShiftOp>;
  constexpr bool divisor = std::is_same_v<Op, GcdOp> || std::is_same_v<Op, LcmOp>;
  if constexpr (divisor && !(std::is_integral_v<R> && !std::is_same_v<R, bool>)) return Op::name;
  else if constexpr (floating_only && !is_floating_v<R>) return Op::name;
  else if constexpr (std::is_same_v<Op, NextafterOp> && std::is_same_v<R, half>) return Op::name;
  else if constexpr (integer_only && is_floating_v<R>) return Op::name;
  else if constexpr (shift && !(std::is_integral_v<R> && !std::is_same_v<R, bool>))
    return std::is_same_v<Op, LeftShiftOp> ? "lshift" : "rshift";
  else return nullptr;
}
template <class Op, class R>
void check_binary_supported() {
  if constexpr (unsupported_binary_kernel<Op, R>() != nullptr)
    throw_error('"', unsupported_binary_kernel<Op, R>(), "_cpu\" not implemented for '", aten_type_name(dtype_of<R>),
                "'");
}

/** A C++ scalar operand as the 0-dim tensor PyTorch wraps it in: of the type the scalar
 *  promotes to with T, so that it changes no result type a scalar would not. */
template <class T, class S>
Tensor<scalar_promote_t<T, S>> wrapped_scalar(S s, Device device, const char* op) {
  using W = scalar_promote_t<T, S>;
  return full<W>({}, checked_convert<W>(s, op), {.device = device});
}
}  // namespace detail

// Tensor-tensor forms: function, `_out`, method and in-place method.
#define TS_DEFINE_POINTWISE_BINARY(name, Op, wrap)                                                         \
  template <class A, class B>                                                                               \
  Tensor<wrap<promote_t<A, B>>> name(const Tensor<A>& a, const Tensor<B>& b) {                              \
    detail::check_binary_supported<detail::Op, promote_t<A, B>>();                                          \
    return detail::binary<detail::Op>(a, b);                                                                \
  }                                                                                                         \
  template <class O, class A, class B>                                                                      \
  const Tensor<O>& name##_out(const Tensor<O>& out, const Tensor<A>& a, const Tensor<B>& b) {               \
    detail::check_binary_supported<detail::Op, promote_t<A, B>>();                                          \
    return detail::binary_out<detail::Op>(out, a, b);                                                       \
  }                                                                                                         \
  template <class T>                                                                                        \
  template <class U>                                                                                        \
  Tensor<wrap<promote_t<T, U>>> Tensor<T>::name(const Tensor<U>& other) const {                             \
    return tessera::name(*this, other);                                                                     \
  }                                                                                                         \
  template <class T>                                                                                        \
  template <class U>                                                                                        \
  const Tensor<T>& Tensor<T>::name##_(const Tensor<U>& other) const {                                       \
    detail::check_binary_supported<detail::Op, promote_t<T, U>>();                                          \
    return detail::binary_inplace<detail::Op>(*this, other);                                                \
  }
// Scalar forms, through a wrapped 0-dim tensor: tensor op scalar, scalar op tensor, the method
// and the in-place method with a scalar.
#define TS_DEFINE_POINTWISE_BINARY_SCALARS(name, wrap)                                                      \
  template <class A, Scalar S>                                                                              \
  Tensor<wrap<scalar_promote_t<A, S>>> name(const Tensor<A>& a, S s) {                                      \
    return name(a, detail::wrapped_scalar<A>(s, a.device(), #name));                                        \
  }                                                                                                         \
  template <Scalar S, class B>                                                                              \
  Tensor<wrap<scalar_promote_t<B, S>>> name(S s, const Tensor<B>& b) {                                      \
    return name(detail::wrapped_scalar<B>(s, b.device(), #name), b);                                        \
  }                                                                                                         \
  template <class O, class A, Scalar S>                                                                     \
  const Tensor<O>& name##_out(const Tensor<O>& out, const Tensor<A>& a, S s) {                              \
    return name##_out(out, a, detail::wrapped_scalar<A>(s, a.device(), #name));                             \
  }                                                                                                         \
  template <class T>                                                                                        \
  template <Scalar S>                                                                                       \
  Tensor<wrap<scalar_promote_t<T, S>>> Tensor<T>::name(S other) const {                                     \
    return tessera::name(*this, other);                                                                     \
  }                                                                                                         \
  template <class T>                                                                                        \
  template <Scalar S>                                                                                       \
  const Tensor<T>& Tensor<T>::name##_(S other) const {                                                      \
    return name##_(detail::wrapped_scalar<T>(other, device(), #name));                                      \
  }
TS_DEFINE_POINTWISE_BINARY(atan2, Atan2Op, true_divide_t)
TS_DEFINE_POINTWISE_BINARY(hypot, HypotOp, std::type_identity_t)
TS_DEFINE_POINTWISE_BINARY(logaddexp, LogaddexpOp, std::type_identity_t)
TS_DEFINE_POINTWISE_BINARY(logaddexp2, Logaddexp2Op, std::type_identity_t)
TS_DEFINE_POINTWISE_BINARY(xlogy, XlogyOp, true_divide_t)
TS_DEFINE_POINTWISE_BINARY_SCALARS(xlogy, true_divide_t)
TS_DEFINE_POINTWISE_BINARY(copysign, CopysignOp, true_divide_t)
TS_DEFINE_POINTWISE_BINARY_SCALARS(copysign, true_divide_t)
TS_DEFINE_POINTWISE_BINARY(bitwise_and, BitwiseAndOp, std::type_identity_t)
TS_DEFINE_POINTWISE_BINARY_SCALARS(bitwise_and, std::type_identity_t)
TS_DEFINE_POINTWISE_BINARY(bitwise_or, BitwiseOrOp, std::type_identity_t)
TS_DEFINE_POINTWISE_BINARY_SCALARS(bitwise_or, std::type_identity_t)
TS_DEFINE_POINTWISE_BINARY(bitwise_xor, BitwiseXorOp, std::type_identity_t)
TS_DEFINE_POINTWISE_BINARY_SCALARS(bitwise_xor, std::type_identity_t)
TS_DEFINE_POINTWISE_BINARY(bitwise_left_shift, LeftShiftOp, std::type_identity_t)
TS_DEFINE_POINTWISE_BINARY_SCALARS(bitwise_left_shift, std::type_identity_t)
TS_DEFINE_POINTWISE_BINARY(bitwise_right_shift, RightShiftOp, std::type_identity_t)
TS_DEFINE_POINTWISE_BINARY_SCALARS(bitwise_right_shift, std::type_identity_t)
TS_DEFINE_POINTWISE_BINARY(gcd, GcdOp, std::type_identity_t)
TS_DEFINE_POINTWISE_BINARY(lcm, LcmOp, std::type_identity_t)
#undef TS_DEFINE_POINTWISE_BINARY_SCALARS
#undef TS_DEFINE_POINTWISE_BINARY

/** The next representable value after a towards b (floating tensors). */
template <class A, class B>
Tensor<promote_t<A, B>> nextafter(const Tensor<A>& a, const Tensor<B>& b) {
  detail::check_binary_supported<detail::NextafterOp, promote_t<A, B>>();
  if constexpr (std::is_same_v<promote_t<A, B>, bfloat16>) return detail::binary<detail::NextafterBf16Op>(a, b);
  else return detail::binary<detail::NextafterOp>(a, b);
}
template <class O, class A, class B>
const Tensor<O>& nextafter_out(const Tensor<O>& out, const Tensor<A>& a, const Tensor<B>& b) {
  detail::check_binary_supported<detail::NextafterOp, promote_t<A, B>>();
  if constexpr (std::is_same_v<promote_t<A, B>, bfloat16>) return detail::binary_out<detail::NextafterBf16Op>(out, a, b);
  else return detail::binary_out<detail::NextafterOp>(out, a, b);
}
template <class T>
template <class U>
Tensor<std::type_identity_t<promote_t<T, U>>> Tensor<T>::nextafter(const Tensor<U>& other) const {
  return tessera::nextafter(*this, other);
}
template <class T>
template <class U>
const Tensor<T>& Tensor<T>::nextafter_(const Tensor<U>& other) const {
  detail::check_binary_supported<detail::NextafterOp, promote_t<T, U>>();
  if constexpr (std::is_same_v<promote_t<T, U>, bfloat16>) return detail::binary_inplace<detail::NextafterBf16Op>(*this, other);
  else return detail::binary_inplace<detail::NextafterOp>(*this, other);
}

/** torch.arctan2: atan2 under another name. */
template <class A, class B>
Tensor<true_divide_t<promote_t<A, B>>> arctan2(const Tensor<A>& a, const Tensor<B>& b) {
  return atan2(a, b);
}
template <class T>
template <class U>
Tensor<true_divide_t<promote_t<T, U>>> Tensor<T>::arctan2(const Tensor<U>& other) const {
  return tessera::atan2(*this, other);
}
template <class T>
template <class U>
const Tensor<T>& Tensor<T>::arctan2_(const Tensor<U>& other) const {
  return atan2_(other);
}

/** Heaviside step: 0 below zero, 1 above, `values` at zero; both tensors of one dtype. */
template <class A, class B>
Tensor<A> heaviside(const Tensor<A>& x, const Tensor<B>& values) {
  TS_CHECK((std::is_same_v<A, B>), "heaviside is not yet implemented for tensors with different dtypes.");
  if constexpr (std::is_same_v<A, B>) {
    Tensor<A> out = detail::binary<detail::HeavisideOp>(x, values);
    return out;
  } else {
    return {};
  }
}
template <class O, class A, class B>
const Tensor<O>& heaviside_out(const Tensor<O>& out, const Tensor<A>& x, const Tensor<B>& values) {
  TS_CHECK((std::is_same_v<A, B>), "heaviside is not yet implemented for tensors with different dtypes.");
  return detail::binary_out<detail::HeavisideOp>(out, x, values);
}
template <class T>
template <class U>
Tensor<T> Tensor<T>::heaviside(const Tensor<U>& values) const {
  return tessera::heaviside(*this, values);
}
template <class T>
template <class U>
const Tensor<T>& Tensor<T>::heaviside_(const Tensor<U>& values) const {
  TS_CHECK((std::is_same_v<T, U>), "heaviside is not yet implemented for tensors with different dtypes.");
  return detail::binary_inplace<detail::HeavisideOp>(*this, values);
}

/** Bitwise not of integer and bool tensors (logical not for bool). */
template <class A>
Tensor<A> bitwise_not(const Tensor<A>& a) {
  detail::check_binary_supported<detail::BitwiseNotOp, A>();  // throws for floating tensors
  if constexpr (is_floating_v<A>) return a;
  else return detail::unary<detail::BitwiseNotOp>(a);
}
template <class O, class A>
const Tensor<O>& bitwise_not_out(const Tensor<O>& out, const Tensor<A>& a) {
  detail::check_binary_supported<detail::BitwiseNotOp, A>();
  return detail::unary_out<detail::BitwiseNotOp>(out, a);
}
template <class T>
Tensor<T> Tensor<T>::bitwise_not() const {
  return tessera::bitwise_not(*this);
}
template <class T>
const Tensor<T>& Tensor<T>::bitwise_not_() const {
  detail::check_binary_supported<detail::BitwiseNotOp, T>();
  if constexpr (!is_floating_v<T>) detail::unary_inplace<detail::BitwiseNotOp>(*this);
  return *this;
}

// Operators &, |, ^, <<, >> and ~ (integer and bool tensors; floating ones throw PyTorch's error).
#define TS_DEFINE_BITWISE_OPERATOR(op, name)                                                                \
  template <class A, class B>                                                                               \
  auto operator op(const Tensor<A>& a, const Tensor<B>& b) -> decltype(name(a, b)) { return name(a, b); }   \
  template <class A, Scalar S>                                                                              \
  auto operator op(const Tensor<A>& a, S s) -> decltype(name(a, s)) { return name(a, s); }                  \
  template <Scalar S, class B>                                                                              \
  auto operator op(S s, const Tensor<B>& b) -> decltype(name(s, b)) { return name(s, b); }                  \
  template <class A, class B>                                                                               \
  const Tensor<A>& operator op##=(const Tensor<A>& a, const Tensor<B>& b) { return a.name##_(b); }          \
  template <class A, Scalar S>                                                                              \
  const Tensor<A>& operator op##=(const Tensor<A>& a, S s) { return a.name##_(s); }
TS_DEFINE_BITWISE_OPERATOR(&, bitwise_and)
TS_DEFINE_BITWISE_OPERATOR(|, bitwise_or)
TS_DEFINE_BITWISE_OPERATOR(^, bitwise_xor)
TS_DEFINE_BITWISE_OPERATOR(<<, bitwise_left_shift)
TS_DEFINE_BITWISE_OPERATOR(>>, bitwise_right_shift)
#undef TS_DEFINE_BITWISE_OPERATOR
template <class A>
Tensor<A> operator~(const Tensor<A>& a) {
  return bitwise_not(a);
}

// --- float_power, addcmul, addcdiv ---------------------------------------------------------------

/** pow computed in float64, whatever the inputs (torch.float_power). */
template <class A, class B>
Tensor<double> float_power(const Tensor<A>& a, const Tensor<B>& b) {
  return pow(a.template to<double>(), b.template to<double>());
}
template <class A, Scalar S>
Tensor<double> float_power(const Tensor<A>& a, S exponent) {
  return pow(a.template to<double>(), static_cast<double>(exponent));
}
template <Scalar S, class B>
Tensor<double> float_power(S base, const Tensor<B>& b) {
  return pow(static_cast<double>(base), b.template to<double>());
}
template <class T>
template <class U>
Tensor<double> Tensor<T>::float_power(const Tensor<U>& exponent) const {
  return tessera::float_power(*this, exponent);
}
template <class T>
template <Scalar S>
Tensor<double> Tensor<T>::float_power(S exponent) const {
  return tessera::float_power(*this, exponent);
}
template <class T>
template <class U>
const Tensor<T>& Tensor<T>::float_power_(const Tensor<U>& exponent) const {
  TS_CHECK((std::is_same_v<T, double>), "the base given to float_power_ has dtype ", detail::aten_type_name(dtype_of<T>),
           " but the operation's result requires dtype Double");
  return pow_(exponent.template to<double>());
}
template <class T>
template <Scalar S>
const Tensor<T>& Tensor<T>::float_power_(S exponent) const {
  TS_CHECK((std::is_same_v<T, double>), "the base given to float_power_ has dtype ", detail::aten_type_name(dtype_of<T>),
           " but the operation's result requires dtype Double");
  return pow_(static_cast<double>(exponent));
}

namespace detail {
template <class S, class A, class B>
using addc_t = promote_t<promote_t<S, A>, B>;
/** addcmul's and addcdiv's `value` as a scalar of the result's category: PyTorch converts it to
 *  the result type (an integral result truncates 0.5 to 0). */
template <class R>
auto addc_value(double value) {
  if constexpr (is_floating_v<R>) return value;
  else return static_cast<int64_t>(convert<R>(value));
}
}  // namespace detail

/** self + value * tensor1 * tensor2, broadcast (torch.addcmul). */
template <class S, class A, class B>
Tensor<detail::addc_t<S, A, B>> addcmul(const Tensor<S>& self, const Tensor<A>& tensor1, const Tensor<B>& tensor2,
                                        double value = 1) {
  using R = detail::addc_t<S, A, B>;
  if constexpr (std::is_same_v<R, bool>) detail::throw_error("\"addcmul_cpu_out\" not implemented for 'Bool'");
  if constexpr (std::is_same_v<R, bool>) return self;
  else return add(self.template to<R>(), mul(mul(tensor1.template to<R>(), detail::addc_value<R>(value)),
                                             tensor2.template to<R>()));  // Note [Operands of mixed dtypes]
}
/** self + value * tensor1 / tensor2 (torch.addcdiv); integer tensor1 and tensor2 are refused. */
template <class S, class A, class B>
Tensor<detail::addc_t<S, A, B>> addcdiv(const Tensor<S>& self, const Tensor<A>& tensor1, const Tensor<B>& tensor2,
                                        double value = 1) {
  using R = detail::addc_t<S, A, B>;
  TS_CHECK(is_floating_v<A> || is_floating_v<B>,
           "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true "
           "division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * "
           "torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / "
           "tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value "
           "* tensor1 / tensor2), for all dtypes.");
  if constexpr (is_floating_v<A> || is_floating_v<B>)
    return add(self.template to<R>(), div(mul(tensor1.template to<R>(), detail::addc_value<R>(value)),
                                          tensor2.template to<R>()));  // Note [Operands of mixed dtypes]
  else return {};
}
template <class O, class S, class A, class B>
const Tensor<O>& addcmul_out(const Tensor<O>& out, const Tensor<S>& self, const Tensor<A>& tensor1,
                             const Tensor<B>& tensor2, double value = 1) {
  detail::check_out_not_differentiable("addcmul", out, self, tensor1, tensor2);
  NoGradGuard no_grad;
  return detail::copy_result("addcmul", out, addcmul(self, tensor1, tensor2, value));
}
template <class O, class S, class A, class B>
const Tensor<O>& addcdiv_out(const Tensor<O>& out, const Tensor<S>& self, const Tensor<A>& tensor1,
                             const Tensor<B>& tensor2, double value = 1) {
  detail::check_out_not_differentiable("addcdiv", out, self, tensor1, tensor2);
  NoGradGuard no_grad;
  return detail::copy_result("addcdiv", out, addcdiv(self, tensor1, tensor2, value));
}
template <class T>
template <class A, class B>
Tensor<detail::addc_t<T, A, B>> Tensor<T>::addcmul(const Tensor<A>& tensor1, const Tensor<B>& tensor2, double value) const {
  return tessera::addcmul(*this, tensor1, tensor2, value);
}
template <class T>
template <class A, class B>
Tensor<detail::addc_t<T, A, B>> Tensor<T>::addcdiv(const Tensor<A>& tensor1, const Tensor<B>& tensor2, double value) const {
  return tessera::addcdiv(*this, tensor1, tensor2, value);
}
template <class T>
template <class A, class B>
const Tensor<T>& Tensor<T>::addcmul_(const Tensor<A>& tensor1, const Tensor<B>& tensor2, double value) const {
  using R = detail::addc_t<T, A, B>;
  if constexpr (std::is_same_v<R, bool>) detail::throw_error("\"addcmul_cpu_out\" not implemented for 'Bool'");
  else add_(tessera::mul(tessera::mul(tensor1, detail::addc_value<R>(value)), tensor2));
  return *this;
}
template <class T>
template <class A, class B>
const Tensor<T>& Tensor<T>::addcdiv_(const Tensor<A>& tensor1, const Tensor<B>& tensor2, double value) const {
  using R = detail::addc_t<T, A, B>;
  TS_CHECK(is_floating_v<A> || is_floating_v<B>,
           "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true "
           "division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * "
           "torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / "
           "tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value "
           "* tensor1 / tensor2), for all dtypes.");
  if constexpr (is_floating_v<A> || is_floating_v<B>)
    add_(tessera::div(tessera::mul(tensor1, detail::addc_value<R>(value)), tensor2));
  return *this;
}

}  // namespace tessera

// --- diff ----------------------------------------------------------------------------------------

namespace tessera {

/** The n-th forward difference along `dim` (torch.diff), after `prepend` and `append` (tensors of
 *  x's dimension, undefined for none) are joined to x along it; bool tensors take the logical
 *  xor of neighbours. n <= 0 returns the joined input. */
template <class T>
Tensor<T> diff(const Tensor<T>& x, int64_t n = 1, int64_t dim = -1, const Tensor<T>& prepend = {},
               const Tensor<T>& append = {}) {
  TS_CHECK(x.dim() >= 1, "diff expects input to be at least one-dimensional");
  const int64_t d = detail::wrap_dim(dim, x.dim(), "diff");
  for (const Tensor<T>* p : {&prepend, &append})
    TS_CHECK(!p->defined() || p->dim() == x.dim(), "diff expects prepend or append to be the same dimension as input");
  Tensor<T> t = x;
  if (prepend.defined() || append.defined()) {
    std::vector<Tensor<T>> parts;
    if (prepend.defined()) parts.push_back(prepend);
    parts.push_back(x);
    if (append.defined()) parts.push_back(append);
    t = cat(parts, d);
  }
  for (int64_t i = 0; i < n && t.size(d) > 0; ++i) {
    const int64_t len = t.size(d);
    const Tensor<T> hi = t.narrow(d, 1, len - 1), lo = t.narrow(d, 0, len - 1);
    if constexpr (std::is_same_v<T, bool>) t = ne(hi, lo);
    else t = sub(hi, lo);
  }
  return t;
}
template <class T>
Tensor<T> Tensor<T>::diff(int64_t n, int64_t dim, const Tensor<T>& prepend, const Tensor<T>& append) const {
  return tessera::diff(*this, n, dim, prepend, append);
}

// --- compositions of the ops above ----------------------------------------------------------------

/** torch.fmax / torch.fmin: the larger / smaller, a NaN on one side ignored. Written as a select so
 *  that the gradient goes where PyTorch's formula sends it (to self on ties). */
template <class A, class B>
Tensor<promote_t<A, B>> fmax(const Tensor<A>& a, const Tensor<B>& b) {
  return where(logical_or(ge(a, b), isnan(b)), a, b);
}
template <class A, class B>
Tensor<promote_t<A, B>> fmin(const Tensor<A>& a, const Tensor<B>& b) {
  return where(logical_or(le(a, b), isnan(b)), a, b);
}
template <class T>
template <class U>
Tensor<promote_t<T, U>> Tensor<T>::fmax(const Tensor<U>& other) const {
  return tessera::fmax(*this, other);
}
template <class T>
template <class U>
Tensor<promote_t<T, U>> Tensor<T>::fmin(const Tensor<U>& other) const {
  return tessera::fmin(*this, other);
}

/** torch.logical_xor: exactly one of the two is nonzero (NaN counts as nonzero). */
template <class A, class B>
Tensor<bool> logical_xor(const Tensor<A>& a, const Tensor<B>& b) {
  return ne(logical_not(a), logical_not(b));
}
template <class T>
template <class U>
Tensor<bool> Tensor<T>::logical_xor(const Tensor<U>& other) const {
  return tessera::logical_xor(*this, other);
}
template <class T>
template <class U>
const Tensor<T>& Tensor<T>::logical_xor_(const Tensor<U>& other) const {
  return detail::compare_inplace(*this, tessera::logical_xor(*this, other), "logical_xor_");
}

/** torch.isposinf, torch.isneginf (false for integral tensors), torch.isreal (true: tessera's dtypes are real). */
template <class T>
Tensor<bool> isposinf(const Tensor<T>& x) {
  return logical_and(isinf(x), gt(x, 0));
}
template <class T>
Tensor<bool> isneginf(const Tensor<T>& x) {
  return logical_and(isinf(x), lt(x, 0));
}
template <class T>
Tensor<bool> isreal(const Tensor<T>& x) {
  return ones<bool>(x.sizes(), {.device = x.device()});
}
template <class T>
Tensor<bool> Tensor<T>::isposinf() const {
  return tessera::isposinf(*this);
}
template <class T>
Tensor<bool> Tensor<T>::isneginf() const {
  return tessera::isneginf(*this);
}
template <class T>
Tensor<bool> Tensor<T>::isreal() const {
  return tessera::isreal(*this);
}

/** torch.is_signed, torch.is_nonzero. */
template <class T>
bool is_signed(const Tensor<T>& x) {
  return x.is_signed();
}
template <class T>
bool Tensor<T>::is_nonzero() const {
  TS_CHECK(numel() != 0, "is_nonzero: Boolean value of Tensor with no values is ambiguous");
  TS_CHECK(numel() == 1, "is_nonzero: Boolean value of Tensor with more than one value is ambiguous");
  return static_cast<double>(item()) != 0;
}
template <class T>
bool is_nonzero(const Tensor<T>& x) {
  return x.is_nonzero();
}

}  // namespace tessera

// --- frexp, mvlgamma -----------------------------------------------------------------------------

namespace tessera {

/** torch.frexp(x): (mantissa, exponent) with x = mantissa * 2^exponent, |mantissa| in [0.5, 1)
 *  (0, inf and NaN: themselves and 0); floating tensors only. */
template <class T>
std::tuple<Tensor<T>, Tensor<int32_t>> frexp(const Tensor<T>& x) {
  TS_CHECK(is_floating_v<T>, "frexp: torch.frexp() only supports floating-point dtypes");
  if constexpr (!is_floating_v<T>) {
    return {};
  } else {
    Tensor<T> mantissa = detail::empty_like_preserving<T>(x.impl()), exponent = detail::empty_like_preserving<T>(x.impl());
    detail::unary_into<detail::FrexpMantissaOp, true>(mantissa, x);
    detail::unary_into<detail::FrexpExponentOp, true>(exponent, x);
    // PyTorch's gradient, grad / 2^exponent: the values are the kernel's, exactly.
    if (detail::needs_grad(x)) mantissa = mantissa + (x - x.detach()) * exponent.neg().exp2();
    return {mantissa, exponent.template to<int32_t>()};
  }
}
template <class T>
std::tuple<Tensor<T>, Tensor<int32_t>> Tensor<T>::frexp() const {
  return tessera::frexp(*this);
}

/** torch.mvlgamma(x, p): the multivariate log-gamma, sum_{i<p} lgamma(x - i/2) + p(p-1)/4 log(pi). */
template <class T>
Tensor<floating_t<T>> mvlgamma(const Tensor<T>& x, int64_t p) {
  using R = floating_t<T>;
  TS_CHECK(p >= 1, "mvlgamma: p has to be greater than or equal to 1");
  // PyTorch's order: x - (p-1)/2, ..., x - 1/2, x, summed along the new last dim.
  const Tensor<R> shifts = arange<R>(static_cast<R>(-0.5 * static_cast<double>(p - 1)), static_cast<R>(0.5), static_cast<R>(0.5),
                                     {.device = x.device()});
  const Tensor<R> args = x.template to<R>().unsqueeze(-1) + shifts;
  return args.lgamma().sum(-1) + static_cast<double>(p * (p - 1)) * std::log(detail::math::kPi) * 0.25;
}
template <class T>
Tensor<floating_t<T>> Tensor<T>::mvlgamma(int64_t p) const {
  return tessera::mvlgamma(*this, p);
}
template <class T>
const Tensor<T>& Tensor<T>::mvlgamma_(int64_t p) const {
  static_assert(is_floating_v<T>, "mvlgamma_: the result is floating; an integral tensor cannot hold it");
  return copy_(tessera::mvlgamma(requires_grad() ? clone() : *this, p));
}

}  // namespace tessera

// --- igamma, igammac -------------------------------------------------------------------------------

namespace tessera {

namespace detail {
/** igamma or igammac of (a, x) broadcast; the gradient in x, +-x^(a-1) e^-x / Gamma(a), as
 *  PyTorch's (which has none in a: a that requires grad is refused). */
template <class Op, class A, class B>
Tensor<promote_t<A, B>> incomplete_gamma(const Tensor<A>& a, const Tensor<B>& x) {
  using R = promote_t<A, B>;
  check_binary_supported<Op, R>();
  TS_CHECK(!a.requires_grad(), Op::name, ": the derivative for '", Op::name, ": input' is not implemented.");
  Tensor<R> out;
  {
    NoGradGuard no_grad;  // the kernel has no derivative: the one in x is attached below
    out = binary<Op>(a, x);
  }
  if constexpr (is_floating_v<R>) {
    if (needs_grad(x)) {
      Tensor<R> ar = a.template to<R>().detach(), xr = x.template to<R>();
      const Tensor<R> density = ((ar - 1) * xr.log() - xr - ar.lgamma()).exp();
      const Tensor<R> slope = std::is_same_v<Op, IgammaOp> ? density : density.neg();
      // Zero in value, slope in gradient.
      out = out + (xr - xr.detach()) * slope;
    }
  }
  return out;
}
}  // namespace detail

/** torch.igamma(input, other): the regularized lower incomplete gamma function P(input, other). */
template <class A, class B>
Tensor<promote_t<A, B>> igamma(const Tensor<A>& a, const Tensor<B>& x) {
  return detail::incomplete_gamma<detail::IgammaOp>(a, x);
}
/** torch.igammac(input, other): the regularized upper incomplete gamma function Q = 1 - P. */
template <class A, class B>
Tensor<promote_t<A, B>> igammac(const Tensor<A>& a, const Tensor<B>& x) {
  return detail::incomplete_gamma<detail::IgammacOp>(a, x);
}
template <class T>
template <class U>
Tensor<std::type_identity_t<promote_t<T, U>>> Tensor<T>::igamma(const Tensor<U>& other) const {
  return tessera::igamma(*this, other);
}
template <class T>
template <class U>
Tensor<std::type_identity_t<promote_t<T, U>>> Tensor<T>::igammac(const Tensor<U>& other) const {
  return tessera::igammac(*this, other);
}
template <class T>
template <class U>
const Tensor<T>& Tensor<T>::igamma_(const Tensor<U>& other) const {
  detail::check_binary_supported<detail::IgammaOp, promote_t<T, U>>();
  return detail::binary_inplace<detail::IgammaOp>(*this, other);
}
template <class T>
template <class U>
const Tensor<T>& Tensor<T>::igammac_(const Tensor<U>& other) const {
  detail::check_binary_supported<detail::IgammacOp, promote_t<T, U>>();
  return detail::binary_inplace<detail::IgammacOp>(*this, other);
}

}  // namespace tessera
