// Float operations with the CPU's results where Vulkan and Metal promise less: division and
// fmod exactly (integer arithmetic, Note [Soft rounding]), NaN tests on the bits (a compiler
// that assumes no NaN cannot remove them), and the math functions GLSL lacks (expm1, log1p,
// erf), which are approximations like every transcendental function on a GPU.
#ifndef TESSERA_FLOATMATH_GLSL
#define TESSERA_FLOATMATH_GLSL

#include "softfloat.glsl"

#define F32_QNAN 0x7fc00000u

bool f32_isnan(float x) { return (floatBitsToUint(x) & 0x7fffffffu) > 0x7f800000u; }
bool f32_isinf(float x) { return (floatBitsToUint(x) & 0x7fffffffu) == 0x7f800000u; }

/** An odd function's value at x from r, its value at |x|: x itself for +-0 and NaN. */
float f32_odd(float x, float r) { return x < 0.0 ? -r : (x > 0.0 ? r : x); }

/** A finite nonzero float's magnitude as m * 2^e (m < 2^24). */
Soft f32_soft(uint bits) {
  const uint biased = (bits >> 23) & 0xffu;
  const uint frac = bits & 0x7fffffu;
  const bool neg = (bits >> 31) != 0u;
  if (biased == 0u) return Soft(uint64_t(frac), -149, neg);
  return Soft(uint64_t(frac | 0x800000u), int(biased) - 150, neg);
}

float f32_from_soft(Soft s) { return uintBitsToFloat(uint(pack_ieee(s, 24, -149, 8))); }

/** a / b rounded to nearest even, as IEEE division (Vulkan only bounds OpFDiv's error). */
float f32_div(float a, float b) {
  const uint ua = floatBitsToUint(a), ub = floatBitsToUint(b);
  const uint sign = (ua ^ ub) & 0x80000000u;
  const uint ma = ua & 0x7fffffffu, mb = ub & 0x7fffffffu;
  if (ma > 0x7f800000u || mb > 0x7f800000u) return uintBitsToFloat(F32_QNAN);
  if (ma == 0x7f800000u) return uintBitsToFloat(mb == 0x7f800000u ? F32_QNAN : (sign | 0x7f800000u));
  if (mb == 0x7f800000u) return uintBitsToFloat(sign);
  if (mb == 0u) return uintBitsToFloat(ma == 0u ? F32_QNAN : (sign | 0x7f800000u));
  if (ma == 0u) return uintBitsToFloat(sign);
  Soft x = f32_soft(ua), y = f32_soft(ub);
  // Normalize both significands to 24 bits, then a 64 / 24-bit integer quotient has 40 or 41
  // bits, and the remainder (as a sticky bit) decides the rounding exactly.
  const int sx = 23 - msb64(x.m), sy = 23 - msb64(y.m);
  x.m <<= sx;
  y.m <<= sy;
  const uint64_t num = x.m << 40;
  uint64_t q = num / y.m;
  if (num - q * y.m != uint64_t(0)) q |= uint64_t(1);
  const Wide w = Wide(U128(uint64_t(0), q), (x.e - sx) - (y.e - sy) - 40, sign != 0u);
  return f32_from_soft(round_wide(w, 24, -149));
}

/** std::fmod: exact (the result is representable), with the sign of a. */
float f32_fmod(float a, float b) {
  const uint ua = floatBitsToUint(a), ub = floatBitsToUint(b);
  const uint ma = ua & 0x7fffffffu, mb = ub & 0x7fffffffu;
  if (ma >= 0x7f800000u || mb > 0x7f800000u || mb == 0u) return uintBitsToFloat(F32_QNAN);
  if (mb == 0x7f800000u || ma < mb) return a;
  const Soft x = f32_soft(ua), y = f32_soft(ub);
  uint64_t r;
  int e;
  if (x.e >= y.e) {  // (x.m * 2^d) mod y.m, 32 bits of d at a time
    r = x.m % y.m;
    for (int d = x.e - y.e; d > 0; d -= 32) r = (r << min(d, 32)) % y.m;
    e = y.e;
  } else {
    r = x.m % (y.m << (y.e - x.e));
    e = x.e;
  }
  return f32_from_soft(Soft(r, e, x.neg));
}

/** log(x) to a few ulp everywhere: Vulkan allows the GPU's log an absolute error of 2^-21 on
 *  [0.5, 2], which x * log(y) (xlogy) would scale up, and a GPU may flush subnormal x. x = 2^e * m
 *  (split on the bits) with m in [sqrt(1/2), sqrt(2)), log(m) = 2 atanh(s) with s = (m - 1) /
 *  (m + 1), |s| < 0.172. Zero, negative, NaN and infinite x: the GPU's log. */
float f32_log(float x) {
  uint bits = floatBitsToUint(x);
  if (bits == 0u || bits >= 0x7f800000u) return log(x);  // zero, infinity, NaN, negative
  int e = int(bits >> 23) - 127;
  if (e == -127) {  // subnormal: the mantissa's top bit p gives x = 2^(p - 149) * (1.f)
    const int p = findMSB(bits);
    e = p - 149;
    bits = bits << uint(23 - p);
  }
  float m = uintBitsToFloat((bits & 0x7fffffu) | 0x3f800000u);
  if (m > 1.41421356) m *= 0.5, e += 1;
  const float s = (m - 1.0) / (m + 1.0), z = s * s;
  const float series = 1.0 + z * (1.0 / 3.0 + z * (1.0 / 5.0 + z * (1.0 / 7.0 + z * (1.0 / 9.0 + z * (1.0 / 11.0)))));
  return float(e) * 0.69314718055994531 + 2.0 * s * series;
}

float f32_expm1(float x) {
  if (abs(x) < 1e-3) return x + x * x * 0.5 + x * x * x * (1.0 / 6.0);
  return exp(x) - 1.0;
}

float f32_log1p(float x) {
  const float u = 1.0 + x;
  if (u == 1.0) return x;
  if (f32_isinf(u)) return u;
  return log(u) * (x / (u - 1.0));
}

float f32_tanh(float x) {  // without the overflow of (e^2x - 1) / (e^2x + 1)
  const float t = exp(-2.0 * abs(x));
  const float r = (1.0 - t) / (1.0 + t);
  return f32_odd(x, r);
}

// erf by Abramowitz and Stegun 7.1.26 refined with a rational term: absolute error below 2e-7.
// Its formula is erfc of |x|, so erfc never forms 1 - erf where erfc is small (relative error
// about 1e-6 there).
float f32_erfc_abs(float a) {  // erfc(a) for a >= 0
  const float t = 1.0 / (1.0 + 0.3275911 * a);
  const float poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return poly * exp(-a * a);
}
float f32_erf(float x) {
  const float r = 1.0 - f32_erfc_abs(abs(x));
  return x < 0.0 ? -r : r;
}
float f32_erfc(float x) {
  const float r = f32_erfc_abs(abs(x));
  return f32_isnan(x) ? x : (x < 0.0 ? 2.0 - r : r);
}

/** std::frexp's mantissa (|m| in [0.5, 1), x's sign) or exponent of x, on the bits (subnormal x
 *  too); 0, infinities and NaN give themselves and exponent 0. */
float f32_frexp(float x, bool exponent) {
  const uint bits = floatBitsToUint(x), sign = bits & 0x80000000u, magnitude = bits & 0x7fffffffu;
  if (magnitude == 0u || magnitude >= 0x7f800000u) return exponent ? 0.0 : x;
  int e = int(magnitude >> 23) - 126;
  uint fraction = magnitude & 0x7fffffu;
  if (e == -126) {  // subnormal: the fraction's top bit p becomes the implicit one
    const int p = findMSB(fraction);
    e = p - 148;
    fraction = (fraction << uint(23 - p)) & 0x7fffffu;
  }
  return exponent ? float(e) : uintBitsToFloat(sign | (126u << 23) | fraction);
}

/** erfinv as math::erfinv: Pavlis's rational first guess and two Newton steps, on erf inside
 *  [-0.7, 0.7] and on erfc of |y| outside (1 - |y| is exact there), where erf's absolute error
 *  would be divided by its vanishing slope. */
float f32_erfinv(float y) {
  const float ay = abs(y);
  if (!(ay < 1.0)) return ay == 1.0 ? uintBitsToFloat(floatBitsToUint(y) & 0x80000000u | 0x7f800000u) : uintBitsToFloat(F32_QNAN);
  const float k = 1.1283791670955126;  // 2 / sqrt(pi)
  if (ay <= 0.7) {
    const float z = y * y;
    const float num = ((-0.140543331 * z + 0.914624893) * z - 1.645349621) * z + 0.886226899;
    const float den = (((0.012229801 * z - 0.329097515) * z + 1.442710462) * z - 2.118377725) * z + 1.0;
    float x = y * num / den;
    for (int step = 0; step < 2; ++step) x -= (f32_erf(x) - y) / (k * exp(-x * x));
    return x;
  }
  const float q = 1.0 - ay;  // erfc(x) = q for x = erfinv(|y|)
  const float z = sqrt(-log(q * 0.5));
  const float num = ((1.641345311 * z + 3.429567803) * z - 1.624906493) * z - 1.970840454;
  float x = num / ((1.6370678 * z + 3.5438892) * z + 1.0);
  for (int step = 0; step < 2; ++step) x += (f32_erfc_abs(x) - q) / (k * exp(-x * x));
  return f32_odd(y, x);
}

/** sin and cos of pi * r for |r| <= 1/2 by Taylor series, to float's precision: Vulkan allows
 *  the GPU's sin and cos an absolute error of 2^-11, too much where they are divided by. */
vec2 f32_sincospi(float r) {
  const float t = 3.14159265358979323846 * r, z = t * t;
  const float s = t * (1.0 + z * (-1.0 / 6.0 + z * (1.0 / 120.0 + z * (-1.0 / 5040.0 + z * (1.0 / 362880.0 + z * (-1.0 / 39916800.0))))));
  const float c = 1.0 + z * (-0.5 + z * (1.0 / 24.0 + z * (-1.0 / 720.0 + z * (1.0 / 40320.0 + z * (-1.0 / 3628800.0 + z * (1.0 / 479001600.0))))));
  return vec2(s, c);
}

/** digamma as math::digamma (Cephes, in float as PyTorch): reflection for negative x,
 *  recurrence up to 10, the asymptotic series. */
float f32_digamma(float x) {
  if (x == 0.0) return uintBitsToFloat((floatBitsToUint(x) & 0x80000000u ^ 0x80000000u) | 0x7f800000u);
  if (f32_isnan(x)) return x;
  float result = 0.0;
  if (x < 0.0) {
    if (x == trunc(x)) return uintBitsToFloat(F32_QNAN);
    const float r = x - roundEven(x);  // tan(pi x) = tan(pi r)
    const vec2 sc = f32_sincospi(r);
    result = -3.14159265358979323846 * sc.y / sc.x;
    x = 1.0 - x;
  }
  while (x < 10.0) {
    result -= 1.0 / x;
    x += 1.0;
  }
  if (x == 10.0) return result + 2.25175258906672110764;
  float y = 0.0;
  if (x < 1.0e17) {
    const float z = 1.0 / (x * x);
    y = z * (0.0833333333333333 + z * (-0.00833333333333333 + z * (0.00396825396825397 + z * (-0.00416666666666667 +
        z * (0.00757575757575758 + z * (-0.0210927960927961 + z * 0.0833333333333333))))));
  }
  return result + log(x) - 0.5 / x - y;
}

/** trigamma as math::trigamma: reflection below 1/2 (sin(pi x) by series), six recurrence steps,
 *  the asymptotic series. */
float f32_trigamma(float x) {
  float sign = 1.0, result = 0.0;
  if (x < 0.5) {
    sign = -1.0;
    // sin(float(pi) * x) as the CPU computes it (finite, not infinite, at the negative integers,
    // as PyTorch): the product rounded to float, its sin to float's precision.
    const float t = 3.14159265358979323846 * x, k = roundEven(t * 0.31830988618379067);
    precise const float r = ((t - k * 3.140625) - k * 9.67502593994140625e-4) - k * 1.509957990978376432e-7;  // t - k pi, in order
    const float s = f32_sincospi(r * 0.31830988618379067).x;
    result -= 9.8696044010893586 / (s * s);
    x = 1.0 - x;
  }
  for (int i = 0; i < 6; ++i) {
    result += 1.0 / (x * x);
    x += 1.0;
  }
  const float ixx = 1.0 / (x * x);
  result += (1.0 + 1.0 / (2.0 * x) + ixx * (1.0 / 6.0 - ixx * (1.0 / 30.0 - ixx * (1.0 / 42.0)))) / x;
  return sign * result;
}

/** lgamma for positive finite x: Stirling's series from 10 up, below it log of Gamma(x + n)
 *  / (x (x + 1) ... (x + n - 1)) with Gamma(x + n) in [Gamma(10), Gamma(11)) by Stirling, so
 *  that lgamma near its zeros (1 and 2) is log of a value near 1 (f32_log: no cancellation). */
float f32_lgamma_positive(float x) {
  if (x >= 10.0) {
    const float z = 1.0 / x, z2 = z * z;
    return (x - 0.5) * f32_log(x) - x + 0.91893853320467274 + z * (0.0833333333333333 - z2 * (0.00277777777777778 - z2 * 0.000793650793650794));
  }
  float product = 1.0, w = x;
  while (w < 10.0) {
    product *= w;
    w += 1.0;
  }
  const float z = 1.0 / w;
  const float gamma = exp((w - 0.5) * f32_log(w) - w) * 2.5066282746310002 *
                      (1.0 + z * (0.0833333333333333 + z * (0.00347222222222222 - z * 0.00268132716049383)));
  return f32_log(gamma / product);
}

/** std::lgamma: poles (0 and the negative integers) and infinities give +inf; negative x by
 *  reflection, log(pi / |sin(pi x)|) - lgamma(1 - x), with sin of x's distance to an integer. */
float f32_lgamma(float x) {
  if (f32_isnan(x)) return x;
  if (f32_isinf(x)) return uintBitsToFloat(0x7f800000u);
  if (x > 0.0) return f32_lgamma_positive(x);
  if (x == trunc(x)) return uintBitsToFloat(0x7f800000u);
  const float s = abs(f32_sincospi(x - roundEven(x)).x);
  return log(3.14159265358979323846 / s) - f32_lgamma_positive(1.0 - x);
}

// The modified Bessel functions I0 and I1 as Chebyshev series (tools/fit_bessel.py writes
// these tables and their errors): exp(-x) I0(x) and exp(-x) I1(x) / x for x <= 8, sqrt(x)
// exp(-x) I0(x) and sqrt(x) exp(-x) I1(x) beyond.
// I0, x <= 8: largest relative error 2.5e-09
// I0, x > 8: largest relative error 1.5e-10
// I1, x <= 8: largest relative error 2.8e-09
// I1, x > 8: largest relative error 1.7e-10
const float BESSEL_SMALL[2][19] = float[2][19](
  float[19](3.383976372e-01, -3.046826723e-01, 1.716209015e-01, -9.490109705e-02, 4.930528424e-02, -2.373741481e-02, 1.054646039e-02, -4.324309995e-03, 1.639475617e-03, -5.763755745e-04, 1.885028851e-04, -5.754195010e-05, 1.644844807e-05, -4.416738346e-06, 1.117387460e-06, -2.670788975e-07, 6.046699157e-08, -1.298297879e-08, 2.563061062e-09),
  float[19](1.262935932e-01, -1.764165184e-01, 1.026436587e-01, -5.294598121e-02, 2.472644903e-02, -1.056408489e-02, 4.156422944e-03, -1.513572451e-03, 5.122859562e-04, -1.617608158e-04, 4.781565108e-05, -1.327316366e-05, 3.470251308e-06, -8.568720247e-07, 2.003294667e-07, -4.445053963e-08, 9.381213372e-09, -1.885264042e-09, 3.508207932e-10));
const float BESSEL_LARGE[2][9] = float[2][9](
  float[9](4.022452055e-01, 3.369116478e-03, 6.889758348e-05, 2.891370562e-06, 2.048918432e-07, 2.266630460e-08, 3.395513974e-09, 4.958544260e-10, 2.510502836e-11),
  float[9](3.892881175e-01, -9.761097491e-03, -1.105889388e-04, -3.882564852e-06, -2.512236030e-07, -2.631428012e-08, -3.834660590e-09, -5.610099639e-10, -3.310078563e-11));

/** I0(x) (order 0) or I1(x) (order 1): the series times exp(|x|). As PyTorch's, the result is
 *  inf once exp(|x|) overflows (|x| > 88.72) and NaN at +-inf (Note [Bessel I0 and I1 as PyTorch
 *  computes them]). I1 is odd, I0 even. */
float f32_bessel_i(int order, float x) {
  if (f32_isnan(x)) return x;
  const float a = abs(x);
  const bool small = a <= 8.0;
  const float t = small ? a * 0.25 - 1.0 : 16.0 / a - 1.0;
  float b1 = 0.0, b2 = 0.0;  // Clenshaw's recurrence
  for (int k = small ? 18 : 8; k >= 1; --k) {
    const float b = (small ? BESSEL_SMALL[order][k] : BESSEL_LARGE[order][k]) + 2.0 * t * b1 - b2;
    b2 = b1;
    b1 = b;
  }
  const float series = (small ? BESSEL_SMALL[order][0] : BESSEL_LARGE[order][0]) + t * b1 - b2;
  const float e = exp(a);
  const float r = small ? (order == 1 ? e * a * series : e * series) : e * series / sqrt(a);
  return order == 1 && x < 0.0 ? -r : r;
}

/** std::pow's special cases around GLSL's pow, which is defined for x > 0 only. */
float f32_pow(float x, float y) {
  if (y == 0.0 || x == 1.0) return 1.0;
  if (f32_isnan(x) || f32_isnan(y)) return uintBitsToFloat(F32_QNAN);
  const bool y_int = floor(y) == y;
  const bool y_odd = y_int && abs(y) < 16777216.0 && (int(abs(y)) & 1) == 1;
  if (x == 0.0) {
    const float r = y < 0.0 ? uintBitsToFloat(0x7f800000u) : 0.0;
    return y_odd ? uintBitsToFloat(floatBitsToUint(r) | (floatBitsToUint(x) & 0x80000000u)) : r;
  }
  if (f32_isinf(y)) {
    if (x == -1.0) return 1.0;
    return (abs(x) > 1.0) == (y > 0.0) ? uintBitsToFloat(0x7f800000u) : 0.0;
  }
  if (x < 0.0 && !y_int && !f32_isinf(x)) return uintBitsToFloat(F32_QNAN);  // pow(-inf, 2.5) is inf
  const float r = f32_isinf(x) ? (y > 0.0 ? uintBitsToFloat(0x7f800000u) : 0.0) : exp2(y * log2(abs(x)));
  return x < 0.0 && y_odd ? -r : r;
}

/** Hurwitz zeta(x, q) for integer x >= 2 by Euler-Maclaurin summation, as math::zeta (there in
 *  double, here in float; each term q + i computed afresh, and one call of f32_pow). */
float f32_zeta_sum(float x, float q) {
  const float eps = 5.9604644775390625e-8;  // 2^-24
  float s = 0.0, a = q, b = 0.0;
  for (int i = 0; i < 10 || a <= 9.0; ++i) {
    a = q + float(i);
    b = f32_pow(a, -x);
    s += b;
    if (i > 0 && abs(b) < eps * abs(s)) return s;
  }
  const float w = a;
  s += b * w / (x - 1.0);
  s -= 0.5 * b;
  a = 1.0;
  float k = 0.0;
  const float A[12] = float[12](12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
                                -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
                                1.8152105401943546773e17, -7.1661652561756670113e18);
  for (int i = 0; i < 12; ++i) {
    a *= x + k;
    b /= w;
    const float t = a * b / A[i];
    s += t;
    if (abs(t) < eps * abs(s)) return s;
    k += 1.0;
    a *= x + k;
    b /= w;
    k += 1.0;
  }
  return s;
}

/** polygamma(n, x) for n >= 2 as math::polygamma: (-1)^(n+1) n! zeta(n + 1, x) (n! beyond
 *  float's range from n = 35 on). */
float f32_polygamma_zeta(int n, float x) {
  float factorial = 1.0;
  for (int k = 2; k <= min(n, 35); ++k) factorial *= float(k);
  if (x <= 0.0 && x == floor(x)) return uintBitsToFloat(0x7f800000u);
  // zeta of a q below -4096 from three sums of positive arguments, each called from one place
  // (Note [zeta of a large negative q])
  const bool split = x < -4096.0;
  const float r = x - floor(x), sign = (n & 1) == 1 ? 1.0 : -1.0;  // (-1)^(n + 1)
  float parts[3] = float[3](0.0, 0.0, 0.0);
  for (int p = 0; p < (split ? 3 : 1); ++p) parts[p] = f32_zeta_sum(float(n + 1), !split ? x : (p == 0 ? r : (p == 1 ? 1.0 - r : 1.0 - x)));
  const float zeta = split ? parts[0] + sign * (parts[1] - parts[2]) : parts[0];
  return sign * factorial * zeta;
}

// The inverse trigonometric, hyperbolic and logarithmic functions GLSL lacks or leaves undefined
// outside their domain (asin of 1.5, log of a negative): NaN there, as std::, and forms without
// the cancellation of the textbook formulas near 0 (sinh, asinh, acosh near 1, atanh).
#define F32_LN2 0.69314718055994531

float f32_log10(float x) {
  if (x < 0.0 || f32_isnan(x)) return uintBitsToFloat(F32_QNAN);
  if (x == 0.0) return uintBitsToFloat(0xff800000u);
  return log2(x) * 0.30102999566398120;
}

// asin on [0, 1] by Cephes' asinf polynomial (relative error about 2.5e-7; GPUs' own asin may be
// a thousand times worse), acos from it, both NaN outside [-1, 1].
#define F32_PI_2 1.57079632679489662
float f32_asin_unit(float a) {  // 0 <= a <= 1
  const bool far = a > 0.5;
  const float z = far ? 0.5 * (1.0 - a) : a * a;
  const float s = far ? sqrt(z) : a;
  const float r = s + s * z * ((((4.2163199048e-2 * z + 2.4181311049e-2) * z + 4.5470025998e-2) * z +
                                 7.4953002686e-2) * z + 1.6666752422e-1);
  return far ? F32_PI_2 - 2.0 * r : r;
}
float f32_asin(float x) {
  if (!(abs(x) <= 1.0)) return uintBitsToFloat(F32_QNAN);
  const float r = f32_asin_unit(abs(x));
  return f32_odd(x, r);
}
float f32_acos(float x) {
  if (!(abs(x) <= 1.0)) return uintBitsToFloat(F32_QNAN);
  if (x > 0.5) return 2.0 * f32_asin_unit(sqrt(0.5 * (1.0 - x)));
  if (x < -0.5) return 2.0 * F32_PI_2 - 2.0 * f32_asin_unit(sqrt(0.5 * (1.0 + x)));
  return F32_PI_2 - f32_asin(x);
}

float f32_sinh(float x) {
  const float a = abs(x);
  float r;
  if (a < 0.5) {  // the series: its first omitted term is below 2^-35 of the sum
    const float a2 = a * a;
    r = a * (1.0 + a2 * (1.0 / 6.0 + a2 * (1.0 / 120.0 + a2 * (1.0 / 5040.0 + a2 * (1.0 / 362880.0)))));
  } else if (a < 9.0) {
    const float e = exp(a);
    r = 0.5 * (e - 1.0 / e);
  } else {
    r = exp(a - F32_LN2);  // e^a / 2 without overflowing first (finite up to a = 89.4)
  }
  return f32_odd(x, r);
}

float f32_cosh(float x) {
  const float a = abs(x);
  if (a < 9.0) {
    const float e = exp(a);
    return 0.5 * (e + 1.0 / e);
  }
  return exp(a - F32_LN2);
}

float f32_asinh(float x) {
  const float a = abs(x);
  float r;
  if (a > 1e4) r = log(a) + F32_LN2;  // a + sqrt(a^2 + 1) is 2a to float precision
  else r = f32_log1p(a + a * a / (1.0 + sqrt(1.0 + a * a)));
  return f32_odd(x, r);
}

float f32_acosh(float x) {
  if (!(x >= 1.0)) return uintBitsToFloat(F32_QNAN);
  if (x > 1e4) return log(x) + F32_LN2;
  const float t = x - 1.0;  // exact near 1, where log(x + sqrt(x^2 - 1)) loses its digits
  return f32_log1p(t + sqrt(2.0 * t + t * t));
}

float f32_atanh(float x) {
  const float a = abs(x);
  if (!(a <= 1.0)) return uintBitsToFloat(F32_QNAN);
  const float r = a == 1.0 ? uintBitsToFloat(0x7f800000u) : 0.5 * f32_log1p(2.0 * a / (1.0 - a));
  return f32_odd(x, r);
}

/** std::atan2's quadrants and special cases around GLSL's atan(y, x). */
float f32_atan2(float y, float x) {
  if (f32_isnan(x) || f32_isnan(y)) return uintBitsToFloat(F32_QNAN);
  const bool y_neg = (floatBitsToUint(y) >> 31) != 0u, x_neg = (floatBitsToUint(x) >> 31) != 0u;
  const float pi = 2.0 * F32_PI_2;
  float r;
  if (y == 0.0) r = x_neg ? pi : 0.0;
  else if (f32_isinf(x) && f32_isinf(y)) r = x_neg ? 0.75 * pi : 0.25 * pi;
  else if (f32_isinf(x)) r = x_neg ? pi : 0.0;
  else if (x == 0.0 || f32_isinf(y)) r = 0.5 * pi;
  else r = abs(atan(abs(y), x));
  return y_neg ? -r : r;
}

/** std::hypot: infinite when either is (even beside a NaN), scaled so that squares cannot
 *  overflow or vanish. */
float f32_hypot(float a, float b) {
  if (f32_isinf(a) || f32_isinf(b)) return uintBitsToFloat(0x7f800000u);
  if (f32_isnan(a) || f32_isnan(b)) return uintBitsToFloat(F32_QNAN);
  const float hi = max(abs(a), abs(b)), lo = min(abs(a), abs(b));
  if (hi == 0.0) return 0.0;
  const float r = lo / hi;
  return hi * sqrt(1.0 + r * r);
}

/** log(e^a + e^b) as math::logaddexp: equal infinities give themselves. */
float f32_logaddexp(float a, float b) {
  if (f32_isnan(a) || f32_isnan(b)) return uintBitsToFloat(F32_QNAN);
  if (f32_isinf(a) && a == b) return a;
  const float m = max(a, b);
  return m + f32_log1p(exp(-abs(a - b)));
}

// Note [Incomplete gamma on the GPU]
// P(a, x) (igamma) and Q(a, x) (igammac) by the regions and formulas of math::igamma and igammac
// (Note [Incomplete gamma] in backend/cpu/special.hpp): P's power series below x = a + 1, Lentz's
// continued fraction of Q beyond, and Q for small x as -expm1(a log x - lgamma(1 + a)) minus the
// rest of DLMF 8.7.3, each loop capped at the CPU's 2000 steps. One function serves both, so that
// each loop and lgamma is compiled once; x^a / Gamma(a) of the small-x branch is a times
// exp(a log x - lgamma(1 + a)), whose expm1 it needs anyway. float computes in float (the CPU in
// double): exp(a log x - x - lgamma a) loses a few ulps times |a log x| + x + |lgamma a| to
// cancellation, and f32_lgamma_positive's absolute error of about 2^-18 (docs/gpu.md).

/** P(a, x), or Q(a, x) when `upper`, with the special values of math::igamma and igammac. */
float f32_igamma(float a, float x, bool upper) {
  if (f32_isnan(a) || f32_isnan(x) || a < 0.0 || x < 0.0) return uintBitsToFloat(F32_QNAN);
  const float p_is_one = upper ? 0.0 : 1.0;
  if (a == 0.0) return x > 0.0 ? p_is_one : uintBitsToFloat(F32_QNAN);
  if (x == 0.0) return 1.0 - p_is_one;
  if (f32_isinf(a)) return f32_isinf(x) ? uintBitsToFloat(F32_QNAN) : 1.0 - p_is_one;
  if (f32_isinf(x)) return p_is_one;
  const float log_x = f32_log(x), eps = 1.1920929e-7;  // FLT_EPSILON
  const bool small_x = upper && (x <= 0.5 ? -0.4 / log_x >= a : x <= 1.1 && x * 1.1 >= a);  // Cephes' choice
  const bool series = !small_x && x < a + 1.0;
  // lgamma(1 + a) for the series and small x (below 0.2 by math::lgamma1p's Taylor series, whose
  // terms from zeta(14) on are below float's precision there), lgamma(a) for the fraction
  float lg;
  if ((series || small_x) && a < 0.2) {
    const float c[12] = float[12](0.822467029, -0.400685638, 0.270580798, -0.207385555, 0.169557184, -0.144049898,
                                  0.125509664, -0.111334264, 0.100099459, -0.0909540206, 0.0833538398, -0.0769325197);
    float sum = 0.0;
    for (int k = 11; k >= 0; --k) sum = (sum + c[k]) * a;  // c[k] = (-1)^k zeta(k + 2) / (k + 2)
    lg = (sum - 0.5772156649015329) * a;
  } else {
    lg = f32_lgamma_positive(series || small_x ? 1.0 + a : a);
  }
  const float l = a * log_x - (small_x ? 0.0 : x) - lg, e = exp(l);
  if (small_x) {
    float factor = 1.0, sum = 0.0;
    for (int n = 1; n < 2000; ++n) {
      factor *= -x / float(n);
      const float term = factor / (a + float(n));
      sum += term;
      if (abs(term) <= eps * abs(sum)) break;
    }
    // expm1(l) by its Taylor series (|l| < 0.5 in this region), where exp(l) - 1 would lose digits
    float t = 1.0;
    for (int k = 11; k >= 2; --k) t = 1.0 + t * l / float(k);
    return -(l * t) - a * e * sum;
  }
  if (series) {
    float term = 1.0, sum = 1.0;
    for (int n = 1; n < 2000; ++n) {
      term *= x / (a + float(n));
      sum += term;
      if (term < sum * eps) break;
    }
    return upper ? 1.0 - sum * e : sum * e;
  }
  const float tiny = 9.86076132e-32;  // FLT_MIN / FLT_EPSILON
  float b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
  for (int i = 1; i < 2000; ++i) {
    const float an = -float(i) * (float(i) - a);
    b += 2.0;
    d = an * d + b;
    if (abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (abs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const float delta = d * c;
    h *= delta;
    if (abs(delta - 1.0) < eps) break;
  }
  return upper ? e * h : 1.0 - e * h;
}

#endif
