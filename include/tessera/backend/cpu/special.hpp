#pragma once
// Scalar formulas of PyTorch's special functions (erfinv, digamma, trigamma, polygamma, sinc,
// logit, nan_to_num, gcd, lcm, i0, frexp, igamma), with the algorithms of aten/src/ATen/native/Math.h so that results agree
// to a few units in the last place.

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace tessera::detail::math {

inline constexpr double kPi = 3.14159265358979323846264338327950288;

/** Inverse error function: a rational first guess (Pavlis's erfinv, as PyTorch) refined by two
 *  Newton steps on erf. */
template <class T>
T erfinv(T y) {
  const T ay = std::fabs(y);
  if (ay > T(1)) return std::numeric_limits<T>::quiet_NaN();
  if (ay == T(1)) return std::copysign(std::numeric_limits<T>::infinity(), y);
  T x;
  if (ay <= T(0.7)) {
    const T z = y * y;
    const T num = ((T(-0.140543331) * z + T(0.914624893)) * z + T(-1.645349621)) * z + T(0.886226899);
    const T den = (((T(0.012229801) * z + T(-0.329097515)) * z + T(1.442710462)) * z + T(-2.118377725)) * z + T(1);
    x = y * num / den;
  } else {
    const T z = std::sqrt(-std::log((T(1) - ay) / T(2)));
    const T num = ((T(1.641345311) * z + T(3.429567803)) * z + T(-1.624906493)) * z + T(-1.970840454);
    const T den = (T(1.6370678) * z + T(3.5438892)) * z + T(1);
    x = std::copysign(num, y) / den;
  }
  const T two_over_sqrt_pi = T(2) * static_cast<T>(0.564189583547756286948079451560772586);
  for (int step = 0; step < 2; ++step) x = x - (std::erf(x) - y) / (two_over_sqrt_pi * std::exp(-x * x));
  return x;
}

/** Horner's rule over coefficients from the highest power down (Cephes' polevl). */
template <class T, int N>
T polynomial(T x, const T (&coefficients)[N]) {
  T r = 0;
  for (const T c : coefficients) r = r * x + c;
  return r;
}

/** Digamma: reflection for negative x, recurrence up to 10, then the asymptotic series (Cephes,
 *  as PyTorch). T is float or double; float computes in float as PyTorch does. */
template <class T>
T digamma(T x) {
  if (x == T(0)) return std::copysign(std::numeric_limits<T>::infinity(), -x);
  if (x < T(0)) {
    if (x == std::trunc(x)) return std::numeric_limits<T>::quiet_NaN();
    // tan(pi r) of the fractional part r is more accurate than tan(pi x).
    double whole;
    const double r = std::modf(static_cast<double>(x), &whole);
    return digamma<T>(T(1) - x) - static_cast<T>(kPi / std::tan(kPi * r));
  }
  T result = 0;
  while (x < T(10)) {
    result -= T(1) / x;
    x += T(1);
  }
  if (x == T(10)) return result + T(2.25175258906672110764);
  static constexpr T A[] = {T(8.33333333333333333333E-2), T(-2.10927960927960927961E-2), T(7.57575757575757575758E-3),
                            T(-4.16666666666666666667E-3), T(3.96825396825396825397E-3), T(-8.33333333333333333333E-3),
                            T(8.33333333333333333333E-2)};
  T y = 0;
  if (x < T(1.0e17)) {
    const T z = T(1) / (x * x);
    y = z * polynomial(z, A);
  }
  return result + std::log(x) - (T(0.5) / x) - y;
}

/** Trigamma: reflection below 1/2, six recurrence steps, then the asymptotic series. */
template <class T>
T trigamma(T x) {
  T sign = 1, result = 0;
  if (x < T(0.5)) {
    sign = -1;
    const T s = std::sin(static_cast<T>(kPi) * x);
    result -= static_cast<T>(kPi) * static_cast<T>(kPi) / (s * s);
    x = T(1) - x;
  }
  for (int i = 0; i < 6; ++i) {
    result += T(1) / (x * x);
    x += T(1);
  }
  const T ixx = T(1) / (x * x);
  result += (T(1) + T(1) / (T(2) * x) + ixx * (T(1) / T(6) - ixx * (T(1) / T(30) - ixx * (T(1) / T(42))))) / x;
  return sign * result;
}

/** The most negative q whose Hurwitz zeta is summed term by term (Note [zeta of a large negative q]). */
inline constexpr double kZetaDirectTerms = 4096;

/** Hurwitz zeta(x, q) by Euler-Maclaurin summation (Cephes), in double for every type. */
inline double zeta(double x, double q) {
  constexpr double machep = 1.11022302462515654042E-16;
  static constexpr double A[] = {12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9,
                                 7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
                                 -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18};
  if (x == 1) return std::numeric_limits<double>::infinity();
  if (x < 1) return std::numeric_limits<double>::quiet_NaN();
  if (q <= 0) {
    if (q == std::floor(q)) return std::numeric_limits<double>::infinity();
    if (x != std::floor(x)) return std::numeric_limits<double>::quiet_NaN();
    if (q < -kZetaDirectTerms) {
      // Note [zeta of a large negative q]: the summation below takes one step per unit from q up
      // to 9, about 2^52 of them for a q near -2^52 (and a GPU may cut a loop short: lavapipe
      // ends any loop after 65535 iterations). The terms of q + k < 0 are, with r = q - floor(q)
      // (exact) and x an integer, (-1)^x (zeta(x, 1 - r) - zeta(x, 1 - q)), so three sums of
      // positive arguments, of about ten steps each, give the same value.
      const double r = q - std::floor(q), sign = std::fmod(x, 2.0) == 0 ? 1.0 : -1.0;
      return zeta(x, r) + sign * (zeta(x, 1 - r) - zeta(x, 1 - q));
    }
  }
  double s = std::pow(q, -x), a = q, b = 0;
  for (int i = 0; i < 9 || a <= 9.0;) {
    ++i;
    a += 1;
    b = std::pow(a, -x);
    s += b;
    if (-machep * s < b && b < machep * s) return s;
  }
  const double w = a;
  s += b * w / (x - 1);
  s -= 0.5 * b;
  a = 1;
  double k = 0;
  for (int i = 0; i < 12; ++i) {
    a *= x + k;
    b /= w;
    double t = a * b / A[i];
    s += t;
    if (std::fabs(t / s) < machep) return s;
    k += 1;
    a *= x + k;
    b /= w;
    k += 1;
  }
  return s;
}

/** The n-th derivative of digamma (n >= 0, checked by the op). */
template <class T>
T polygamma(int64_t n, T x) {
  if (n == 0) return digamma(x);
  if (n == 1) return trigamma(x);
  const T factorial = std::exp(std::lgamma(static_cast<T>(n) + T(1)));
  return ((n % 2) ? T(1) : T(-1)) * factorial * static_cast<T>(zeta(static_cast<double>(n + 1), static_cast<double>(x)));
}

/** sin(pi x) / (pi x), 1 at 0. */
template <class T>
T sinc(T x) {
  if (x == T(0)) return T(1);
  const T product = static_cast<T>(kPi) * x;
  return std::sin(product) / product;
}

/** log(x / (1 - x)), x first clamped to [eps, 1 - eps] when eps >= 0 (a negative eps: none). */
template <class T>
T logit(T x, T eps) {
  if (eps >= T(0)) {
    const T lo = eps, hi = T(1) - eps;
    x = x < lo ? lo : (x > hi ? hi : x);
  }
  return x == T(1) ? std::numeric_limits<T>::infinity() : std::log(x / (T(1) - x));
}

/** log(exp(a) + exp(b)) without overflow; equal infinities give themselves. */
template <class T>
T logaddexp(T a, T b) {
  if (std::isinf(a) && a == b) return a;
  const T m = a < b ? b : a;
  return m + std::log1p(std::exp(-std::fabs(a - b)));
}
/** log2(2^a + 2^b). */
template <class T>
T logaddexp2(T a, T b) {
  if (std::isinf(a) && a == b) return a;
  const T m = a < b ? b : a;
  return m + std::log1p(std::exp2(-std::fabs(a - b))) * static_cast<T>(1.4426950408889634);
}
/** x * log(y), 0 where x is 0 (unless y is NaN). */
template <class T>
T xlogy(T x, T y) {
  if (std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
  if (x == T(0)) return T(0);
  return x * std::log(y);
}

// Note [Shift counts]
// PyTorch 1.13's CPU shifts are C++'s `a << b` on the promoted operands (int for the narrow
// types, else the type itself) as x86 executes them: the count is taken modulo the promoted
// width (5 or 6 bits), so int64 5 << 64 is 5 and int8 1 << 70 is int8(1 << 6). tessera masks the
// count the same way, which C++ defines, and shifts left in the unsigned type (no overflow).
template <class T>
T shift_left(T a, T b) {
  using W = decltype(a << b);
  using U = std::make_unsigned_t<W>;
  const unsigned count = static_cast<unsigned>(b) & (sizeof(W) * 8 - 1);
  return static_cast<T>(static_cast<U>(static_cast<U>(static_cast<W>(a)) << count));
}
template <class T>
T shift_right(T a, T b) {
  using W = decltype(a >> b);
  const unsigned count = static_cast<unsigned>(b) & (sizeof(W) * 8 - 1);
  return static_cast<T>(static_cast<W>(a) >> count);  // arithmetic for signed types (C++20)
}

/** |x| of an integer, wrapping the most negative value to itself (PyTorch's std::abs in practice). */
template <class T>
T wrapping_abs(T x) {
  if constexpr (std::is_signed_v<T>) {
    using U = std::make_unsigned_t<T>;
    return x < 0 ? static_cast<T>(static_cast<U>(U(0) - static_cast<U>(x))) : x;
  } else {
    return x;
  }
}
/** Greatest common divisor as PyTorch's calc_gcd: Euclid on the absolute values, so that the
 *  most negative value (its own absolute value) gives what PyTorch gives (int8: gcd(-128, 6) = -2). */
template <class T>
T gcd(T a, T b) {
  a = wrapping_abs(a);
  b = wrapping_abs(b);
  while (a != 0) {
    const T c = a;
    // x % -1 is 0; computing it could trap on the most negative x.
    if constexpr (std::is_signed_v<T>) a = a == T(-1) ? T(0) : static_cast<T>(b % a);
    else a = static_cast<T>(b % a);
    b = c;
  }
  return b;
}
/** Least common multiple as PyTorch's calc_lcm: |a / gcd * b|, wrapping on overflow. */
template <class T>
T lcm(T a, T b) {
  const T g = gcd(a, b);
  if (g == 0) return T(0);
  const T q = static_cast<T>(a / g);  // g is never -1, so this cannot overflow
  if constexpr (sizeof(T) < sizeof(int)) {
    // C++ computes small types in int: the absolute value is taken before narrowing.
    const int product = static_cast<int>(q) * static_cast<int>(b);
    return static_cast<T>(product < 0 ? -product : product);
  } else {
    // In T, wrapping (computed unsigned: signed overflow is undefined).
    using U = std::make_unsigned_t<T>;
    return wrapping_abs(static_cast<T>(static_cast<U>(static_cast<U>(q) * static_cast<U>(b))));
  }
}

// Note [Bessel I0 and I1 as PyTorch computes them]
// torch.i0 and torch.special.i1 are Cephes' i0 and i1: a Chebyshev series for exp(-x) I(x) on
// [0, 8] and for sqrt(x) exp(-x) I(x) beyond, multiplied back by exp(x), all in the tensor's type.
// So a float result is inf once exp(x) overflows (x > 88.72, where I0 itself is still finite),
// and +-inf gives NaN (inf / inf). Float I1 uses only the last 17 and 7 coefficients, as Cephes'
// single-precision i1; I0 uses all of them in both types.
namespace bessel {
inline constexpr double kI0Small[30] = {
    -4.41534164647933937950E-18, 3.33079451882223809783E-17,  -2.43127984654795469359E-16,
    1.71539128555513303061E-15,  -1.16853328779934516808E-14, 7.67618549860493561688E-14,
    -4.85644678311192946090E-13, 2.95505266312963983461E-12,  -1.72682629144155570723E-11,
    9.67580903537323691224E-11,  -5.18979560163526290666E-10, 2.65982372468238665035E-9,
    -1.30002500998624804212E-8,  6.04699502254191894932E-8,   -2.67079385394061173391E-7,
    1.11738753912010371815E-6,   -4.41673835845875056359E-6,  1.64484480707288970893E-5,
    -5.75419501008210370398E-5,  1.88502885095841655729E-4,   -5.76375574538582365885E-4,
    1.63947561694133579842E-3,   -4.32430999505057594430E-3,  1.05464603945949983183E-2,
    -2.37374148058994688156E-2,  4.93052842396707084878E-2,   -9.49010970480476444210E-2,
    1.71620901522208775349E-1,   -3.04682672343198398683E-1,  6.76795274409476084995E-1};
inline constexpr double kI0Large[25] = {
    -7.23318048787475395456E-18, -4.83050448594418207126E-18, 4.46562142029675999901E-17,
    3.46122286769746109310E-17,  -2.82762398051658348494E-16, -3.42548561967721913462E-16,
    1.77256013305652638360E-15,  3.81168066935262242075E-15,  -9.55484669882830764870E-15,
    -4.15056934728722208663E-14, 1.54008621752140982691E-14,  3.85277838274214270114E-13,
    7.18012445138366623367E-13,  -1.79417853150680611778E-12, -1.32158118404477131188E-11,
    -3.14991652796324136454E-11, 1.18891471078464383424E-11,  4.94060238822496958910E-10,
    3.39623202570838634515E-9,   2.26666899049817806459E-8,   2.04891858946906374183E-7,
    2.89137052083475648297E-6,   6.88975834691682398426E-5,   3.36911647825569408990E-3,
    8.04490411014108831608E-1};
inline constexpr double kI1Small[29] = {
    2.77791411276104639959E-18,  -2.11142121435816608115E-17, 1.55363195773620046921E-16,
    -1.10559694773538630805E-15, 7.60068429473540693410E-15,  -5.04218550472791168711E-14,
    3.22379336594557470981E-13,  -1.98397439776494371520E-12, 1.17361862988909016308E-11,
    -6.66348972350202774223E-11, 3.62559028155211703701E-10,  -1.88724975172282928790E-9,
    9.38153738649577178388E-9,   -4.44505912879632808065E-8,  2.00329475355213526229E-7,
    -8.56872026469545474066E-7,  3.47025130813767847674E-6,   -1.32731636560394358279E-5,
    4.78156510755005422638E-5,   -1.61760815825896745588E-4,  5.12285956168575772895E-4,
    -1.51357245063125314899E-3,  4.15642294431288815669E-3,   -1.05640848946261981558E-2,
    2.47264490306265168283E-2,   -5.29459812080949914269E-2,  1.02643658689847095384E-1,
    -1.76416518357834055153E-1,  2.52587186443633654823E-1};
inline constexpr double kI1Large[25] = {
    7.51729631084210481353E-18,  4.41434832307170791151E-18,  -4.65030536848935832153E-17,
    -3.20952592199342395980E-17, 2.96262899764595013876E-16,  3.30820231092092828324E-16,
    -1.88035477551078244854E-15, -3.81440307243700780478E-15, 1.04202769841288027642E-14,
    4.27244001671195135429E-14,  -2.10154184277266431302E-14, -4.08355111109219731823E-13,
    -7.19855177624590851209E-13, 2.03562854414708950722E-12,  1.41258074366137813316E-11,
    3.25260358301548823856E-11,  -1.89749581235054123450E-11, -5.58974346219658380687E-10,
    -3.83538038596423702205E-9,  -2.63146884688951950684E-8,  -2.51223623787020892529E-7,
    -3.88256480887769039346E-6,  -1.10588938762623716291E-4,  -9.76109749136146840777E-3,
    7.78576235018280120474E-1};

/** Cephes' chbevl: the Chebyshev series sum'(c[i] T_i(y / 2)) over the last `used` coefficients
 *  (stored highest order first), by Clenshaw's recurrence in T. The fused y * b1 - b2 is what
 *  PyTorch's x86 build computes (its kernels are compiled for FMA): bit-identical results. */
template <class T, int N>
T chebyshev(T y, const double (&c)[N], int used = N) {
  T b0 = static_cast<T>(c[N - used]), b1 = 0, b2 = 0;
  for (int i = N - used + 1; i < N; ++i) {
    b2 = b1;
    b1 = b0;
    b0 = std::fma(y, b1, -b2) + static_cast<T>(c[i]);
  }
  return T(0.5) * (b0 - b2);
}
}  // namespace bessel

/** The modified Bessel function of the first kind of order 0 (even in x). */
template <class T>
T bessel_i0(T x) {
  const T a = std::fabs(x);
  if (a <= T(8)) return std::exp(a) * bessel::chebyshev(a / T(2) - T(2), bessel::kI0Small);
  return std::exp(a) * bessel::chebyshev(T(32) / a - T(2), bessel::kI0Large) / std::sqrt(a);
}
/** The modified Bessel function of the first kind of order 1 (odd in x). */
template <class T>
T bessel_i1(T x) {
  constexpr bool single = std::is_same_v<T, float>;
  const T a = std::fabs(x);
  const T r = a <= T(8)
                  ? std::exp(a) * a * bessel::chebyshev(a / T(2) - T(2), bessel::kI1Small, single ? 17 : 29)
                  : std::exp(a) * bessel::chebyshev(T(32) / a - T(2), bessel::kI1Large, single ? 7 : 25) / std::sqrt(a);
  return x < T(0) ? -r : r;
}
/** std::frexp's mantissa and exponent; 0, inf and NaN keep their value with exponent 0. */
template <class T>
T frexp_mantissa(T x) {
  int e = 0;
  return std::isfinite(x) ? std::frexp(x, &e) : x;
}
template <class T>
T frexp_exponent(T x) {
  int e = 0;
  if (std::isfinite(x)) std::frexp(x, &e);
  return static_cast<T>(e);
}

/** lgamma(1 + a), accurate for small a too (where 1 + a would round): below 0.2 by its Taylor
 *  series -euler a + sum_k (-1)^k zeta(k) a^k / k. */
template <class T>
T lgamma1p(T a) {
  if (std::fabs(a) >= T(0.2)) return std::lgamma(T(1) + a);
  static constexpr double zeta[] = {1.6449340668482264, 1.2020569031595942, 1.0823232337111381, 1.03692775514337,
                                    1.0173430619844492, 1.008349277381923,  1.0040773561979444, 1.0020083928260821,
                                    1.000994575127818,  1.0004941886041194, 1.000246086553308,  1.0001227133475785,
                                    1.0000612481350588, 1.000030588236307,  1.0000152822594086, 1.0000076371976379,
                                    1.000003817293265,  1.0000019082127165, 1.0000009539620338, 1.0000004769329869,
                                    1.0000002384505027, 1.000000119219926};  // zeta(2) to zeta(23)
  T sum = 0;
  for (int k = 23; k >= 2; --k) sum = (sum + static_cast<T>((k % 2 ? -zeta[k - 2] : zeta[k - 2]) / k)) * a;
  return (sum - static_cast<T>(0.5772156649015329)) * a;
}

// Note [Incomplete gamma]
// P(a, x) (igamma) and Q(a, x) = 1 - P (igammac), each where it is small computed directly, not as
// one minus the other: P by its power series up to x = a + 1 (x^a e^-x / Gamma(a + 1) times
// sum x^n / ((a + 1) ... (a + n)), no 1 / a to overflow for tiny a), Q by Lentz's continued
// fraction beyond; and for x <= 1.1 with a small against it (the region where P is near 1), Q by
// DLMF 8.7.3 with its leading terms as -expm1(a log x - lgamma(1 + a)), which keeps Q's digits
// as a goes to 0. The regions and the values at the edges are those of PyTorch's Cephes code.
// float computes in double: exp(a log x - x - lgamma a) loses |a log x| ulps to cancellation.
template <class T>
T igamma_series(T a, T x) {
  T term = 1, sum = 1;
  for (int n = 1; n < 2000; ++n) {
    term *= x / (a + T(n));
    sum += term;
    if (term < sum * std::numeric_limits<T>::epsilon()) break;
  }
  return sum * std::exp(a * std::log(x) - x - lgamma1p(a));
}
template <class T>
T igammac_fraction(T a, T x) {
  const T tiny = std::numeric_limits<T>::min() / std::numeric_limits<T>::epsilon();
  T b = x + T(1) - a, c = T(1) / tiny, d = T(1) / b, h = d;
  for (int i = 1; i < 2000; ++i) {
    const T an = -T(i) * (T(i) - a);
    b += T(2);
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = T(1) / d;
    const T delta = d * c;
    h *= delta;
    if (std::fabs(delta - T(1)) < std::numeric_limits<T>::epsilon()) break;
  }
  return std::exp(a * std::log(x) - x - std::lgamma(a)) * h;
}
template <class T>
T igammac_small_x(T a, T x) {
  T factor = 1, sum = 0;
  for (int n = 1; n < 2000; ++n) {
    factor *= -x / T(n);
    const T term = factor / (a + T(n));
    sum += term;
    if (std::fabs(term) <= std::numeric_limits<T>::epsilon() * std::fabs(sum)) break;
  }
  const T log_x = std::log(x);
  return -std::expm1(a * log_x - lgamma1p(a)) - std::exp(a * log_x - std::lgamma(a)) * sum;
}
/** Whether Q(a, x) is computed by igammac_small_x (Cephes' choice). */
template <class T>
bool igammac_by_small_x(T a, T x) {
  return x <= T(0.5) ? T(-0.4) / std::log(x) >= a : x <= T(1.1) && x * T(1.1) >= a;
}
template <class T>
T igamma(T a, T x) {
  if constexpr (std::is_same_v<T, float>) return static_cast<float>(igamma<double>(a, x));
  if (a < 0 || x < 0 || std::isnan(a) || std::isnan(x)) return std::numeric_limits<T>::quiet_NaN();
  if (a == 0) return x > 0 ? T(1) : std::numeric_limits<T>::quiet_NaN();
  if (x == 0) return T(0);
  if (std::isinf(a)) return std::isinf(x) ? std::numeric_limits<T>::quiet_NaN() : T(0);
  if (std::isinf(x)) return T(1);
  return x < a + T(1) ? igamma_series(a, x) : T(1) - igammac_fraction(a, x);
}
template <class T>
T igammac(T a, T x) {
  if constexpr (std::is_same_v<T, float>) return static_cast<float>(igammac<double>(a, x));
  if (a < 0 || x < 0 || std::isnan(a) || std::isnan(x)) return std::numeric_limits<T>::quiet_NaN();
  if (a == 0) return x > 0 ? T(0) : std::numeric_limits<T>::quiet_NaN();
  if (x == 0) return T(1);
  if (std::isinf(a)) return std::isinf(x) ? std::numeric_limits<T>::quiet_NaN() : T(1);
  if (std::isinf(x)) return T(0);
  if (igammac_by_small_x(a, x)) return igammac_small_x(a, x);
  return x < a + T(1) ? T(1) - igamma_series(a, x) : igammac_fraction(a, x);
}

}  // namespace tessera::detail::math
