// Float64 exp, log, sin, cos, atan and their relatives in double arithmetic (GLSL has them for
// float only): the float64 elementwise kernels' approximations (Note [GPU transcendentals]), and
// the samplers (Box-Muller normals, exponential draws), which the CPU runs too
// (backend/cpu/f64math.hpp includes this file as C++), so that float64 random values are the same
// bits on every device and platform, whatever its libm.
//
// Argument reduction as fdlibm's (ln 2 and pi / 2 split so that k * hi is exact; pi / 2 by
// Payne-Hanek for large arguments), Taylor polynomials on the reduced range, fdlibm's formulas
// for the hyperbolic and inverse trigonometric functions, and the leading terms of log kept in
// two doubles. tests/test_f64math.cpp measures each against glibc's: log, exp, exp2, expm1, sin,
// cos, tan, atan, asin, acos, atan2 and hypot within one ulp (and its bits for 80 to 99 % of
// inputs), log2, log10, log1p, sinc, erf, sinh, cosh and the inverse hyperbolic functions
// within two or three, tanh within three, erfc within four (two of the exact values, where glibc
// is within three), pow within two for exponents up to 64 (f64_pow says more); lgamma within four
// for positive x and 2^-49 (1 + |lgamma x|) for negative x, digamma as math::digamma's formula
// within 2^-48 (1 + |digamma x|).
//
// Written once for both languages: tools/gen_gpu_kernels.py writes the C++ copy
// (generated/f64math.inc: the `lf` of double literals dropped). F64_EXACT(a * b) is a product
// rounded before any sum it feeds (GLSL's `precise` variables; an opaque value in C++, Note
// [Exact SIMD arithmetic]), F64_OUT(T) an out parameter, F64_FN what a function needs in C++.
#ifndef TESSERA_F64MATH_GLSL
#define TESSERA_F64MATH_GLSL

#ifndef F64_FN  // GLSL
#define F64_FN
#define F64_EXACT(x) (x)
#define F64_OUT(T) out T
#endif

#define F64_LN2_HI 6.93147180369123816490e-01lf  // ln 2 with 21 trailing zero bits: k * hi exact
#define F64_LN2_LO 1.90821492927058770002e-10lf

F64_FN double f64_inf() { return uint64BitsToDouble(uint64_t(0x7ff00000u) << 32); }
F64_FN double f64_nan() { return uint64BitsToDouble(uint64_t(0x7ff80000u) << 32); }
F64_FN bool f64_isnan(double x) { return (doubleBitsToUint64(x) << 1) > (uint64_t(0x7ff) << 53); }

/** a + b = s + err exactly (Knuth's two-sum). */
F64_FN double f64_two_sum(double a, double b, F64_OUT(double) err) {
  precise double s = a + b;
  precise double bb = s - a;
  precise double e = (a - (s - bb)) + (b - bb);
  err = e;
  return s;
}

/** a * a = p + err exactly (Dekker's product on Veltkamp's split; no fma needed). */
F64_FN double f64_two_square(double a, F64_OUT(double) err) {
  precise double c = F64_EXACT(134217729.0lf * a);  // 2^27 + 1
  precise double hi = c - (c - a);
  precise double lo = a - hi;
  precise double p = F64_EXACT(a * a);
  precise double e = ((F64_EXACT(hi * hi) - p) + F64_EXACT(2.0lf * hi * lo)) + F64_EXACT(lo * lo);
  err = e;
  return p;
}

/** y 2^k for k in [-1075, 1024], rounded once (a subnormal result too). */
F64_FN double f64_scale(double y, int k) {
  if (k > 1023) {
    y *= 2.0lf;
    k -= 1;
  }
  if (k < -1020) {  // y 2^(k + 54) is normal and exact, then one rounding
    y *= uint64BitsToDouble(uint64_t(k + 54 + 1023) << 52);
    return F64_EXACT(y * 5.5511151231257827e-17lf);  // 2^-54
  }
  return F64_EXACT(y * uint64BitsToDouble(uint64_t(k + 1023) << 52));
}

/** a * b = p + err exactly (Dekker's product on Veltkamp's splits), for |a b| below 2^995. */
F64_FN double f64_two_prod(double a, double b, F64_OUT(double) err) {
  precise double ca = F64_EXACT(134217729.0lf * a);
  precise double a_hi = ca - (ca - a);
  precise double a_lo = a - a_hi;
  precise double cb = F64_EXACT(134217729.0lf * b);
  precise double b_hi = cb - (cb - b);
  precise double b_lo = b - b_hi;
  precise double p = F64_EXACT(a * b);
  precise double e = ((F64_EXACT(a_hi * b_hi) - p) + F64_EXACT(a_hi * b_lo) + F64_EXACT(a_lo * b_hi)) + F64_EXACT(a_lo * b_lo);
  err = e;
  return p;
}

/** expm1(r) for |r| <= 0.35 as hi + lo: r + r^2 (1/2! + r/3! + ... + r^11/13!), truncated
 *  below 2^-60. */
F64_FN double f64_expm1_reduced(double r, F64_OUT(double) lo) {
  precise double p = 1.0lf / 6227020800.0lf;  // 1/13!
  p = F64_EXACT(p * r) + 1.0lf / 479001600.0lf;
  p = F64_EXACT(p * r) + 1.0lf / 39916800.0lf;
  p = F64_EXACT(p * r) + 1.0lf / 3628800.0lf;
  p = F64_EXACT(p * r) + 1.0lf / 362880.0lf;
  p = F64_EXACT(p * r) + 1.0lf / 40320.0lf;
  p = F64_EXACT(p * r) + 1.0lf / 5040.0lf;
  p = F64_EXACT(p * r) + 1.0lf / 720.0lf;
  p = F64_EXACT(p * r) + 1.0lf / 120.0lf;
  p = F64_EXACT(p * r) + 1.0lf / 24.0lf;
  p = F64_EXACT(p * r) + 1.0lf / 6.0lf;
  p = F64_EXACT(p * r) + 0.5lf;
  return f64_two_sum(r, F64_EXACT(F64_EXACT(r * r) * p), lo);
}

/** x = k ln 2 + r + c with |r| <= ln 2 / 2 (k as a double), c what rounding r lost. */
F64_FN double f64_reduce_ln2(double x, F64_OUT(double) k, F64_OUT(double) c) {
  k = roundEven(x * 1.44269504088896338700e+00lf);
  precise double hi = x - F64_EXACT(k * F64_LN2_HI);  // exact: k * hi has at most 32 significant bits
  precise double lo = F64_EXACT(k * F64_LN2_LO);
  precise double r = hi - lo;
  precise double lost = (hi - r) - lo;
  c = lost;
  return r;
}

/** exp(r + d) for |r| <= 0.35 and d below 2^-40 r: 1 + e + d (1 + e), e = expm1(r). */
F64_FN double f64_exp_reduced(double r, double d) {
  double lo;
  const double e = f64_expm1_reduced(r, lo);
  precise double y = 1.0lf + (e + (lo + (d + F64_EXACT(d * e))));
  return y;
}

F64_FN double f64_exp(double x) {
  if (f64_isnan(x)) return x;
  if (x > 709.782712893383973096lf) return f64_inf();
  if (x < -745.133219101941108420lf) return 0.0lf;
  double k, c;
  const double r = f64_reduce_ln2(x, k, c);
  return f64_scale(f64_exp_reduced(r, c), int(k));
}

/** 2^x: x = k + f exactly, then 2^k exp(f ln 2). */
F64_FN double f64_exp2(double x) {
  if (f64_isnan(x)) return x;
  if (x >= 1024.0lf) return f64_inf();
  if (x <= -1075.0lf) return 0.0lf;
  const double k = roundEven(x);
  precise double r = (x - k) * 6.93147180559945286227e-01lf;
  double lo;
  const double e = f64_expm1_reduced(r, lo);
  precise double y = 1.0lf + (e + lo);
  return f64_scale(y, int(k));
}

F64_FN double f64_expm1(double x) {
  if (f64_isnan(x)) return x;
  if (x > 709.782712893383973096lf) return f64_inf();
  if (x < -40.0lf) return -1.0lf;
  double lo;
  if (abs(x) <= 0.34657359027997264lf) {
    const double e = f64_expm1_reduced(x, lo);
    precise double small = e + lo;
    return small;
  }
  double k, c;
  const double r = f64_reduce_ln2(x, k, c);
  const double e = f64_expm1_reduced(r, lo);
  if (k > 56.0lf) return f64_scale(1.0lf + (e + (lo + c)), int(k));  // the -1 is below an ulp
  // 2^k (1 + e + lo + c (1 + e)) - 1 = 2^k e + (2^k - 1) + 2^k (lo + c (1 + e)), 2^k - 1 exact
  // for -53 < k <= 56 (below, -1 is the result's nearest double anyway)
  const double scale = f64_scale(1.0lf, int(k));
  double s_err;
  const double s = f64_two_sum(F64_EXACT(scale * e), scale - 1.0lf, s_err);
  precise double result = s + (s_err + F64_EXACT(scale * (lo + (c + F64_EXACT(c * e)))));
  return result;
}

/** log(1 + f) for f in [sqrt(1/2) - 1, sqrt(2) - 1] as hi + lo (fdlibm's form): with
 *  s = f / (2 + f), log(1 + f) = 2 atanh(s) = f - f^2 / 2 + s (f^2 / 2 + R), R = 2 (s^2/3 +
 *  s^4/5 + ...). f - f^2 / 2 is kept exact in two doubles, so the error is the small last
 *  term's: a result within about half an ulp once rounded. */
F64_FN double f64_log1p_reduced(double f, F64_OUT(double) lo) {
  precise double s = f / (2.0lf + f);
  precise double z = F64_EXACT(s * s);
  precise double R = 2.0lf / 25.0lf;
  R = F64_EXACT(R * z) + 2.0lf / 23.0lf;
  R = F64_EXACT(R * z) + 2.0lf / 21.0lf;
  R = F64_EXACT(R * z) + 2.0lf / 19.0lf;
  R = F64_EXACT(R * z) + 2.0lf / 17.0lf;
  R = F64_EXACT(R * z) + 2.0lf / 15.0lf;
  R = F64_EXACT(R * z) + 2.0lf / 13.0lf;
  R = F64_EXACT(R * z) + 2.0lf / 11.0lf;
  R = F64_EXACT(R * z) + 2.0lf / 9.0lf;
  R = F64_EXACT(R * z) + 2.0lf / 7.0lf;
  R = F64_EXACT(R * z) + 2.0lf / 5.0lf;
  R = F64_EXACT(R * z) + 2.0lf / 3.0lf;
  R = F64_EXACT(R * z);
  double sq_err;
  const double sq = f64_two_square(f, sq_err);
  precise double hfsq = 0.5lf * sq;  // exact, as is 0.5 sq_err
  double t_err;
  const double t = f64_two_sum(f, -hfsq, t_err);
  precise double tail = (t_err - F64_EXACT(0.5lf * sq_err)) + F64_EXACT(s * (hfsq + R));
  double hi_err;
  const double hi = f64_two_sum(t, tail, hi_err);
  lo = hi_err;
  return hi;
}

/** x > 0 finite as 2^e m with m in [sqrt(1/2), sqrt(2)); returns m - 1 (exact). */
F64_FN double f64_log_reduce(double x, F64_OUT(int) e) {
  uint64_t bits = doubleBitsToUint64(x);
  e = 0;
  if ((bits >> 52) == uint64_t(0)) {  // subnormal: scale into the normal range
    bits = doubleBitsToUint64(x * 18014398509481984.0lf);  // 2^54
    e = -54;
  }
  e += int(bits >> 52) - 1023;
  double m = uint64BitsToDouble((bits & ((uint64_t(1) << 52) - uint64_t(1))) | (uint64_t(1023) << 52));  // [1, 2)
  if (m >= 1.4142135623730951lf) {
    m *= 0.5lf;
    e += 1;
  }
  return m - 1.0lf;
}

/** The value of log-like functions at NaN, negative values, 0 and +inf (`special` true), else
 *  0 with `special` false. */
F64_FN double f64_log_special(double x, F64_OUT(bool) special) {
  special = true;
  if (f64_isnan(x)) return x;
  if (x < 0.0lf) return f64_nan();
  if (x == 0.0lf) return -f64_inf();
  if (x == f64_inf()) return x;
  special = false;
  return 0.0lf;
}

/** log(x) as hi + lo for x > 0 finite, about 2^-60 of it (the log, and pow's). */
F64_FN double f64_log_parts(double x, F64_OUT(double) lo) {
  int e;
  double lm_lo;
  const double lm = f64_log1p_reduced(f64_log_reduce(x, e), lm_lo);
  const double k = double(e);
  double err;
  const double sum = f64_two_sum(F64_EXACT(k * F64_LN2_HI), lm, err);
  precise double tail = (err + lm_lo) + F64_EXACT(k * F64_LN2_LO);
  double hi_err;
  const double hi = f64_two_sum(sum, tail, hi_err);
  lo = hi_err;
  return hi;
}

F64_FN double f64_log(double x) {
  bool special;
  const double v = f64_log_special(x, special);
  if (special) return v;
  double lo;
  return f64_log_parts(x, lo);  // hi is hi + lo rounded
}

F64_FN double f64_log2(double x) {
  bool special;
  const double v = f64_log_special(x, special);
  if (special) return v;
  int e;
  double lm_lo;
  const double lm = f64_log1p_reduced(f64_log_reduce(x, e), lm_lo);
  // lm / ln 2 with 1 / ln 2 in two parts, then the integer part added last
  precise double frac = F64_EXACT(lm * 1.44269504072144627571e+00lf) +
                        (F64_EXACT(lm * 1.67517131648865118353e-10lf) + F64_EXACT(lm_lo * 1.44269504088896338700e+00lf));
  precise double result = double(e) + frac;
  return result;
}

F64_FN double f64_log10(double x) {
  bool special;
  const double v = f64_log_special(x, special);
  if (special) return v;
  int e;
  double lm_lo;
  const double lm = f64_log1p_reduced(f64_log_reduce(x, e), lm_lo);
  const double k = double(e);
  // log10(2) in two parts so that k * hi is exact, as fdlibm's log10
  precise double result = F64_EXACT(k * 3.01029995663611771306e-01lf) +
                          (F64_EXACT((lm + lm_lo) * 4.34294481903251816668e-01lf) + F64_EXACT(k * 3.69423907715893078616e-13lf));
  return result;
}

F64_FN double f64_log1p(double x) {
  if (f64_isnan(x)) return x;
  if (x < -1.0lf) return f64_nan();
  if (x == -1.0lf) return -f64_inf();
  if (x == f64_inf()) return x;
  double lo;
  if (x > -0.2928932188134524lf && x < 0.41421356237309503lf) return f64_log1p_reduced(x, lo);
  // u = 1 + x rounded; log(u) plus the first-order correction for what the rounding lost
  precise double u = 1.0lf + x;
  precise double c = (x - (u - 1.0lf)) / u;
  precise double result = f64_log(u) + c;
  return result;
}

/** Whether y (finite) is an odd integer. */
F64_FN bool f64_is_odd_integer(double y) {
  if (abs(y) >= 9007199254740992.0lf || y != trunc(y)) return false;  // 2^53 and above are even
  return abs(y - 2.0lf * trunc(0.5lf * y)) == 1.0lf;
}

/** std::pow for doubles (C99 Annex F's special cases), |x|^y = exp(y log|x|) with the log in
 *  two doubles and the product exact in two: within two ulps for |y| <= 64; beyond, the log's
 *  last rounding grows with y, to a relative 1e-14 at most. */
F64_FN double f64_pow(double x, double y) {
  if (y == 0.0lf || x == 1.0lf) return 1.0lf;
  if (f64_isnan(x) || f64_isnan(y)) return f64_nan();
  const double inf = f64_inf();
  const double ax = abs(x);
  if (abs(y) == inf) {
    if (ax == 1.0lf) return 1.0lf;
    return (ax < 1.0lf) == (y < 0.0lf) ? inf : 0.0lf;
  }
  const bool odd = f64_is_odd_integer(y);
  const bool negative = x < 0.0lf || (x == 0.0lf && (doubleBitsToUint64(x) >> 63) != uint64_t(0));
  const bool flip = negative && odd;  // the result's sign
  if (ax == 0.0lf || ax == inf) {
    const bool big = (ax == inf) == (y > 0.0lf);
    const double r = big ? inf : 0.0lf;
    return flip ? -r : r;
  }
  if (x < 0.0lf && y != trunc(y)) return f64_nan();
  if (ax == 1.0lf) return flip ? -1.0lf : 1.0lf;  // x = -1 and an integer y
  double l_lo;
  const double l_hi = f64_log_parts(ax, l_lo);
  const double rough = y * l_hi;  // far past the limits, the result is an infinity or zero
  if (rough > 710.0lf || rough < -746.0lf) {
    const double r = rough > 0.0lf ? inf : 0.0lf;
    return flip ? -r : r;
  }
  double p_err;
  const double p = f64_two_prod(y, l_hi, p_err);
  precise double t_lo = p_err + F64_EXACT(y * l_lo);
  double t_err;
  const double t = f64_two_sum(p, t_lo, t_err);  // y log|x| = t + t_err
  double r;
  if (t > 709.782712893383973096lf) {
    r = inf;
  } else if (t < -745.133219101941108420lf) {
    r = 0.0lf;
  } else {
    double k, c;
    const double reduced = f64_reduce_ln2(t, k, c);
    r = f64_scale(f64_exp_reduced(reduced, c + t_err), int(k));
  }
  return flip ? -r : r;
}

/** tanh as fdlibm's: from expm1 of 2|x| (or -2|x| below 1), +-1 from 22 on. */
F64_FN double f64_tanh(double x) {
  if (f64_isnan(x)) return x;
  const double a = abs(x);
  double z;
  if (a >= 22.0lf) {
    z = 1.0lf;
  } else if (a >= 1.0lf) {
    precise double t = f64_expm1(2.0lf * a);
    z = 1.0lf - 2.0lf / (t + 2.0lf);
  } else {
    precise double t = f64_expm1(-2.0lf * a);
    z = -t / (t + 2.0lf);
  }
  return x < 0.0lf ? -z : (x == 0.0lf ? x : z);
}

/** sinh as fdlibm's: from expm1 below 22, exp up to where exp overflows, exp(|x| / 2)^2 past it. */
F64_FN double f64_sinh(double x) {
  if (f64_isnan(x) || x == 0.0lf) return x;
  const double a = abs(x);
  const double h = x < 0.0lf ? -0.5lf : 0.5lf;
  if (a < 22.0lf) {
    precise double t = f64_expm1(a);
    if (a < 1.0lf) return h * (2.0lf * t - F64_EXACT(t * t) / (t + 1.0lf));
    precise double r = h * (t + t / (t + 1.0lf));
    return r;
  }
  if (a < 709.782712893383973096lf) return h * f64_exp(a);
  if (a <= 710.4758600739439lf) {
    const double w = f64_exp(0.5lf * a);
    precise double r = (h * w) * w;
    return r;
  }
  return x < 0.0lf ? -f64_inf() : f64_inf();
}

/** cosh as fdlibm's: 1 + t^2 / (2 (1 + t)) near 0 (t = expm1), (e + 1 / e) / 2 below 22, then
 *  as sinh. */
F64_FN double f64_cosh(double x) {
  if (f64_isnan(x)) return x;
  const double a = abs(x);
  if (a < 0.34657359027997264lf) {
    precise double t = f64_expm1(a);
    precise double w = 1.0lf + t;
    if (a < 5.551115123125783e-17lf) return w;  // cosh(tiny) = 1
    precise double r = 1.0lf + F64_EXACT(t * t) / (w + w);
    return r;
  }
  if (a < 22.0lf) {
    precise double t = f64_exp(a);
    precise double r = 0.5lf * t + 0.5lf / t;
    return r;
  }
  if (a < 709.782712893383973096lf) return 0.5lf * f64_exp(a);
  if (a <= 710.4758600739439lf) {
    const double w = f64_exp(0.5lf * a);
    precise double r = (0.5lf * w) * w;
    return r;
  }
  return f64_inf();
}

/** asinh as fdlibm's: x itself when tiny, log|x| + ln 2 when huge, else from log or log1p. */
F64_FN double f64_asinh(double x) {
  if (f64_isnan(x) || abs(x) == f64_inf()) return x;
  const double a = abs(x);
  double r;
  if (a < 3.7252902984e-09lf) {  // 2^-28: asinh(x) = x to double precision
    return x;
  } else if (a > 268435456.0lf) {  // 2^28
    r = f64_log(a) + 6.93147180559945286227e-01lf;
  } else if (a > 2.0lf) {
    precise double t = 2.0lf * a + 1.0lf / (sqrt(F64_EXACT(x * x) + 1.0lf) + a);
    r = f64_log(t);
  } else {
    const double t = F64_EXACT(x * x);
    precise double u = a + t / (1.0lf + sqrt(1.0lf + t));
    r = f64_log1p(u);
  }
  return x < 0.0lf ? -r : r;
}

/** acosh as fdlibm's: NaN below 1, log x + ln 2 when huge, else from log or log1p. */
F64_FN double f64_acosh(double x) {
  if (f64_isnan(x) || x < 1.0lf) return f64_nan();
  if (x == f64_inf()) return x;
  if (x >= 268435456.0lf) return f64_log(x) + 6.93147180559945286227e-01lf;
  if (x > 2.0lf) {
    precise double t = 2.0lf * x - 1.0lf / (x + sqrt(F64_EXACT(x * x) - 1.0lf));
    return f64_log(t);
  }
  const double t = x - 1.0lf;
  precise double u = t + sqrt(2.0lf * t + F64_EXACT(t * t));
  return f64_log1p(u);
}

/** atanh as fdlibm's: log1p(2x + 2x^2 / (1 - x)) / 2 below 1/2, log1p(2x / (1 - x)) / 2 above. */
F64_FN double f64_atanh(double x) {
  if (f64_isnan(x)) return x;
  const double a = abs(x);
  if (a > 1.0lf) return f64_nan();
  double r;
  if (a == 1.0lf) {
    r = f64_inf();
  } else if (a < 0.5lf) {
    const double t = a + a;
    precise double u = t + F64_EXACT(t * a) / (1.0lf - a);
    r = 0.5lf * f64_log1p(u);
  } else {
    r = 0.5lf * f64_log1p((a + a) / (1.0lf - a));
  }
  return x < 0.0lf ? -r : (x == 0.0lf ? x : r);
}

/** x = k pi / 2 + r + d for |x| <= 2^19 pi / 2 (fdlibm's Cody-Waite reduction by pi / 2 in three
 *  parts and a tail, the reduced argument kept as r + d); q = k mod 4. */
F64_FN double f64_reduce_pio2_medium(double x, F64_OUT(int) q, F64_OUT(double) d) {
  const double k = roundEven(x * 6.36619772367581382433e-01lf);  // 2 / pi
  precise double r0 = x - F64_EXACT(k * 1.57079632673412561417e+00lf);
  precise double w2 = F64_EXACT(k * 6.07710050630396597660e-11lf);
  precise double r = r0 - w2;
  precise double tail = ((r0 - r) - w2) - (F64_EXACT(k * 2.02226624871116645580e-21lf) + F64_EXACT(k * 8.47842766036889956997e-32lf));
  d = tail;
  q = int(k) & 3;
  return r;
}

/** Bits p to p + 31 of 2 / pi, bit 1 the first after the binary point (those before it are 0). */
F64_FN uint f64_two_over_pi_bits(int p) {
  const uint t[38] = {
      0xA2F9836Eu, 0x4E441529u, 0xFC2757D1u, 0xF534DDC0u, 0xDB629599u, 0x3C439041u, 0xFE5163ABu, 0xDEBBC561u,
      0xB7246E3Au, 0x424DD2E0u, 0x06492EEAu, 0x09D1921Cu, 0xFE1DEB1Cu, 0xB129A73Eu, 0xE88235F5u, 0x2EBB4484u,
      0xE99C7026u, 0xB45F7E41u, 0x3991D639u, 0x835339F4u, 0x9C845F8Bu, 0xBDF9283Bu, 0x1FF897FFu, 0xDE05980Fu,
      0xEF2F118Bu, 0x5A0A6D1Fu, 0x6D367ECFu, 0x27CB09B7u, 0x4F463F66u, 0x9E5FEA2Du, 0x7527BAC7u, 0xEBE5F17Bu,
      0x3D0739F7u, 0x8A5292EAu, 0x6BFB5FB1u, 0x1F8D5D08u, 0x56033046u, 0xFC7B6BABu};
  if (p <= -31) return 0u;
  if (p < 1) return t[0] >> uint(1 - p);
  const int w = (p - 1) >> 5, s = (p - 1) & 31;
  return s == 0 ? t[w] : (t[w] << uint(s)) | (t[w + 1] >> uint(32 - s));
}

// Note [Payne-Hanek reduction]
// For |x| = m 2^e >= 2^19 (m the 53-bit integer significand), x 2 / pi mod 4 = m g mod 4 with
// g = 2^e 2 / pi mod 4: the bits of 2 / pi from e - 1 on (those before weigh multiples of 4). g
// cut after 190 fraction bits is G / 2^190 with G a 192-bit integer, and m G mod 2^192 (six
// 32-bit words) holds the quadrant in its top 2 bits and the fraction below, wrong by less than
// m 2^-190 < 2^-137. No double lies closer to a multiple of pi / 2 than about 2^-61 (relative
// to pi / 2), so the fraction's first 128 bits keep at least 66 significant ones: the fraction,
// centred into [-1/2, 1/2), becomes two doubles and times pi / 2 (in two doubles) r + d.

/** x = q pi / 2 + r + d (q mod 4) for |x| >= 2^19 finite: Note [Payne-Hanek reduction]. */
F64_FN double f64_reduce_pio2_large(double x, F64_OUT(int) q, F64_OUT(double) d) {
  const uint64_t bits = doubleBitsToUint64(x);
  const int e = int((bits >> 52) & uint64_t(0x7ff)) - 1075;
  const uint64_t m = (bits & ((uint64_t(1) << 52) - uint64_t(1))) | (uint64_t(1) << 52);
  const uint64_t m_lo = m & uint64_t(0xffffffffu), m_hi = m >> 32;
  // m G mod 2^192 as (m_lo G) + (m_hi G) 2^32, words least significant first
  uint g[6], lo_words[6], hi_words[6], w[6];
  for (int k = 0; k < 6; ++k) g[k] = f64_two_over_pi_bits(e + 159 - 32 * k);
  uint64_t lo_carry = uint64_t(0), hi_carry = uint64_t(0);
  for (int k = 0; k < 6; ++k) {
    const uint64_t lo_t = uint64_t(g[k]) * m_lo + lo_carry;
    lo_words[k] = uint(lo_t);
    lo_carry = lo_t >> 32;
    const uint64_t hi_t = uint64_t(g[k]) * m_hi + hi_carry;
    hi_words[k] = uint(hi_t);
    hi_carry = hi_t >> 32;
  }
  uint64_t carry = uint64_t(0);
  for (int k = 0; k < 6; ++k) {
    uint64_t t = uint64_t(lo_words[k]) + carry;
    if (k > 0) t += uint64_t(hi_words[k - 1]);
    w[k] = uint(t);
    carry = t >> 32;
  }
  // the fraction's first 128 bits (bits 189 to 62), most significant word first
  uint f[4];
  for (int k = 0; k < 4; ++k) f[k] = (w[5 - k] << 2u) | (w[4 - k] >> 30u);
  int quadrant = int(w[5] >> 30u);
  const bool upper = (f[0] >> 31u) != 0u;  // fraction >= 1/2: the next quadrant, minus the rest
  if (upper) {
    quadrant += 1;
    uint plus = 1u;  // 2^128 - f: its complement plus one, carried through the words
    for (int k = 3; k >= 0; --k) {
      const uint v = ~f[k] + plus;
      plus = plus != 0u && v == 0u ? 1u : 0u;
      f[k] = v;
    }
  }
  double hi = 0.0lf, lo = 0.0lf, weight = 1.0lf;
  for (int k = 0; k < 4; ++k) {
    weight *= 2.3283064365386963e-10lf;  // 2^-32
    double err;
    hi = f64_two_sum(hi, F64_EXACT(double(f[k]) * weight), err);
    lo += err;
  }
  double frac_lo;
  const double frac = f64_two_sum(hi, lo, frac_lo);
  // (frac + frac_lo) (pi / 2 in two parts)
  double p_err;
  const double p = f64_two_prod(frac, 1.57079632679489655800e+00lf, p_err);
  precise double p_lo = p_err + (F64_EXACT(frac * 6.12323399573676603587e-17lf) + F64_EXACT(frac_lo * 1.57079632679489655800e+00lf));
  double r_lo;
  double r = f64_two_sum(p, p_lo, r_lo);
  if (upper) r = -r, r_lo = -r_lo;
  if (x < 0.0lf) r = -r, r_lo = -r_lo, quadrant = -quadrant;
  d = r_lo;
  q = quadrant & 3;
  return r;
}

/** x = q pi / 2 + r + d (q mod 4, |r| <= pi / 4) for x finite. */
F64_FN double f64_reduce_pio2(double x, F64_OUT(int) q, F64_OUT(double) d) {
  if (abs(x) < 524288.0lf) return f64_reduce_pio2_medium(x, q, d);  // 2^19
  return f64_reduce_pio2_large(x, q, d);
}

/** sin(r + d) = s + s_lo and cos(r + d) = c + c_lo for |r| <= pi / 4 (d below an ulp of r):
 *  sin r = r + r^3 (-1/3! + z/5! - ...), cos r = 1 - z/2 + z^2 (1/4! - z/6! + ...), z = r^2. */
F64_FN void f64_sincos_kernel(double r, double d, F64_OUT(double) s, F64_OUT(double) s_lo, F64_OUT(double) c,
                              F64_OUT(double) c_lo) {
  precise double z = F64_EXACT(r * r);
  precise double ps = -1.0lf / 121645100408832000.0lf;  // -1/19!
  ps = F64_EXACT(ps * z) + 1.0lf / 355687428096000.0lf;
  ps = F64_EXACT(ps * z) - 1.0lf / 1307674368000.0lf;
  ps = F64_EXACT(ps * z) + 1.0lf / 6227020800.0lf;
  ps = F64_EXACT(ps * z) - 1.0lf / 39916800.0lf;
  ps = F64_EXACT(ps * z) + 1.0lf / 362880.0lf;
  ps = F64_EXACT(ps * z) - 1.0lf / 5040.0lf;
  ps = F64_EXACT(ps * z) + 1.0lf / 120.0lf;
  ps = F64_EXACT(ps * z) - 1.0lf / 6.0lf;
  // sin(r + d) ~ sin r + d cos r
  precise double sin_tail = F64_EXACT(d * (1.0lf - 0.5lf * z)) + F64_EXACT(F64_EXACT(r * z) * ps);
  s = f64_two_sum(r, sin_tail, s_lo);
  precise double pc = 1.0lf / 2432902008176640000.0lf;  // 1/20!
  pc = F64_EXACT(pc * z) - 1.0lf / 6402373705728000.0lf;
  pc = F64_EXACT(pc * z) + 1.0lf / 20922789888000.0lf;
  pc = F64_EXACT(pc * z) - 1.0lf / 87178291200.0lf;
  pc = F64_EXACT(pc * z) + 1.0lf / 479001600.0lf;
  pc = F64_EXACT(pc * z) - 1.0lf / 3628800.0lf;
  pc = F64_EXACT(pc * z) + 1.0lf / 40320.0lf;
  pc = F64_EXACT(pc * z) - 1.0lf / 720.0lf;
  pc = F64_EXACT(pc * z) + 1.0lf / 24.0lf;
  // 1 - z / 2's rounding error kept; cos(r + d) ~ cos r - d r
  precise double hz = 0.5lf * z;
  precise double w = 1.0lf - hz;
  precise double cos_tail = ((1.0lf - w) - hz) + (F64_EXACT(F64_EXACT(z * z) * pc) - F64_EXACT(r * d));
  c = f64_two_sum(w, cos_tail, c_lo);
}

/** sin and cos of x for |x| <= 2^19 pi / 2 (the samplers' angles): Cody-Waite's reduction only. */
F64_FN void f64_sincos(double x, F64_OUT(double) s, F64_OUT(double) c) {
  int q;
  double d, sin_r, sin_lo, cos_r, cos_lo;
  const double r = f64_reduce_pio2_medium(x, q, d);
  f64_sincos_kernel(r, d, sin_r, sin_lo, cos_r, cos_lo);
  s = q == 0 ? sin_r : q == 1 ? cos_r : q == 2 ? -sin_r : -cos_r;
  c = q == 0 ? cos_r : q == 1 ? -sin_r : q == 2 ? -cos_r : sin_r;
}

/** sin x, or cos x = sin(x + pi / 2) (a quadrant on), for x finite. */
F64_FN double f64_sin_or_cos(double x, bool cosine) {
  int q;
  double d, sin_r, sin_lo, cos_r, cos_lo;
  const double r = f64_reduce_pio2(x, q, d);
  f64_sincos_kernel(r, d, sin_r, sin_lo, cos_r, cos_lo);
  q = (q + (cosine ? 1 : 0)) & 3;
  return q == 0 ? sin_r : q == 1 ? cos_r : q == 2 ? -sin_r : -cos_r;
}

F64_FN double f64_sin(double x) {
  if (x == 0.0lf) return x;  // -0 too
  if (!(abs(x) < f64_inf())) return f64_nan();
  return f64_sin_or_cos(x, false);
}

F64_FN double f64_cos(double x) {
  if (!(abs(x) < f64_inf())) return f64_nan();
  return f64_sin_or_cos(x, true);
}

/** tan as sin / cos of the reduced argument (-cos / sin in odd quadrants), divided in two doubles. */
F64_FN double f64_tan(double x) {
  if (x == 0.0lf) return x;
  if (!(abs(x) < f64_inf())) return f64_nan();
  int q;
  double d, sin_r, sin_lo, cos_r, cos_lo;
  const double r = f64_reduce_pio2(x, q, d);
  f64_sincos_kernel(r, d, sin_r, sin_lo, cos_r, cos_lo);
  const bool odd = (q & 1) != 0;
  const double n = odd ? -cos_r : sin_r, n_lo = odd ? -cos_lo : sin_lo;
  const double m = odd ? sin_r : cos_r, m_lo = odd ? sin_lo : cos_lo;
  const double t = n / m;
  double p_err;
  const double p = f64_two_prod(t, m, p_err);
  precise double rest = (((n - p) - p_err) + n_lo) - F64_EXACT(t * m_lo);
  precise double result = t + rest / m;
  return result;
}

/** sin(pi x) / (pi x) as math::sinc: pi x rounded first, 1 at 0. */
F64_FN double f64_sinc(double x) {
  if (x == 0.0lf) return 1.0lf;
  precise double product = 3.14159265358979311600e+00lf * x;
  return f64_sin(product) / product;
}

// pi / 2 and pi / 4 in two parts
#define F64_PIO2_HI 1.57079632679489655800e+00lf
#define F64_PIO2_LO 6.12323399573676603587e-17lf
#define F64_PIO4_HI 7.85398163397448278999e-01lf
#define F64_PIO4_LO 3.06161699786838301793e-17lf

/** atan as fdlibm's reduction: |x| split at 7/16, 11/16, 19/16 and 39/16 into atan(c) + atan(t)
 *  for c = 0, 1/2, 1, 3/2 and inf (atan(c) in two parts), |t| <= 7/16; atan(t) = t - t z P(z),
 *  z = t^2, by its Taylor series (to t^45, below 2^-56 t there). */
F64_FN double f64_atan(double x) {
  const double a = abs(x);
  if (f64_isnan(x) || a < 7.450580596923828e-09lf) return x;  // 2^-27: atan(x) = x to double precision
  double t, hi, lo;
  if (a < 0.4375lf) {
    t = a, hi = 0.0lf, lo = 0.0lf;
  } else if (a < 0.6875lf) {
    t = (2.0lf * a - 1.0lf) / (2.0lf + a), hi = 4.63647609000806093515e-01lf, lo = 2.26987774529616870924e-17lf;
  } else if (a < 1.1875lf) {
    t = (a - 1.0lf) / (a + 1.0lf), hi = F64_PIO4_HI, lo = F64_PIO4_LO;
  } else if (a < 2.4375lf) {
    t = (a - 1.5lf) / (1.0lf + 1.5lf * a), hi = 9.82793723247329054082e-01lf, lo = 1.39033110312309984516e-17lf;
  } else {
    t = -1.0lf / a, hi = F64_PIO2_HI, lo = F64_PIO2_LO;
  }
  const double z = F64_EXACT(t * t);
  precise double p = -1.0lf / 45.0lf;
  p = F64_EXACT(p * z) + 1.0lf / 43.0lf;
  p = F64_EXACT(p * z) - 1.0lf / 41.0lf;
  p = F64_EXACT(p * z) + 1.0lf / 39.0lf;
  p = F64_EXACT(p * z) - 1.0lf / 37.0lf;
  p = F64_EXACT(p * z) + 1.0lf / 35.0lf;
  p = F64_EXACT(p * z) - 1.0lf / 33.0lf;
  p = F64_EXACT(p * z) + 1.0lf / 31.0lf;
  p = F64_EXACT(p * z) - 1.0lf / 29.0lf;
  p = F64_EXACT(p * z) + 1.0lf / 27.0lf;
  p = F64_EXACT(p * z) - 1.0lf / 25.0lf;
  p = F64_EXACT(p * z) + 1.0lf / 23.0lf;
  p = F64_EXACT(p * z) - 1.0lf / 21.0lf;
  p = F64_EXACT(p * z) + 1.0lf / 19.0lf;
  p = F64_EXACT(p * z) - 1.0lf / 17.0lf;
  p = F64_EXACT(p * z) + 1.0lf / 15.0lf;
  p = F64_EXACT(p * z) - 1.0lf / 13.0lf;
  p = F64_EXACT(p * z) + 1.0lf / 11.0lf;
  p = F64_EXACT(p * z) - 1.0lf / 9.0lf;
  p = F64_EXACT(p * z) + 1.0lf / 7.0lf;
  p = F64_EXACT(p * z) - 1.0lf / 5.0lf;
  p = F64_EXACT(p * z) + 1.0lf / 3.0lf;
  precise double r = hi + (t - (F64_EXACT(t * F64_EXACT(z * p)) - lo));
  return x < 0.0lf ? -r : r;
}

/** std::atan2 (C99 Annex F's special cases): atan(|y / x|) moved into y's and x's quadrant,
 *  pi / 2 when |y / x| passes 2^60, and pi below 2^-60 for negative x. */
F64_FN double f64_atan2(double y, double x) {
  if (f64_isnan(x) || f64_isnan(y)) return f64_nan();
  const double inf = f64_inf();
  const bool y_neg = (doubleBitsToUint64(y) >> 63) != uint64_t(0), x_neg = (doubleBitsToUint64(x) >> 63) != uint64_t(0);
  double r;
  if (y == 0.0lf) {
    r = x_neg ? 3.14159265358979311600e+00lf : 0.0lf;
  } else if (x == 0.0lf || (abs(y) == inf && abs(x) != inf)) {
    r = F64_PIO2_HI;
  } else if (abs(x) == inf) {
    if (abs(y) == inf) r = x_neg ? 2.35619449019234492885e+00lf : F64_PIO4_HI;
    else r = x_neg ? 3.14159265358979311600e+00lf : 0.0lf;
  } else {
    const int k = int((doubleBitsToUint64(y) >> 52) & uint64_t(0x7ff)) - int((doubleBitsToUint64(x) >> 52) & uint64_t(0x7ff));
    if (k > 60) {  // pi / 2 within half an ulp, on either side
      r = F64_PIO2_HI;
    } else {
      const double z = x_neg && k < -60 ? 0.0lf : f64_atan(abs(y / x));
      precise double w = 3.14159265358979311600e+00lf - (z - 1.22464679914735320717e-16lf);  // pi - z
      r = x_neg ? w : z;
    }
  }
  return y_neg ? -r : r;
}

/** asin(s) = s + s z P(z) for z = s^2 <= 1/4: P(z) = sum of C(2n, n) / (4^n (2n + 1)) z^(n - 1),
 *  Taylor's, to z^23 (the rest below 2^-57). */
F64_FN double f64_asin_series(double z) {
  precise double p = 32247603683100.0lf / 13792273858822144.0lf;
  p = F64_EXACT(p * z) + 8233430727600.0lf / 3307330976350208.0lf;
  p = F64_EXACT(p * z) + 2104098963720.0lf / 791648371998720.0lf;
  p = F64_EXACT(p * z) + 538257874440.0lf / 189115999977472.0lf;
  p = F64_EXACT(p * z) + 137846528820.0lf / 45079976738816.0lf;
  p = F64_EXACT(p * z) + 35345263800.0lf / 10720238370816.0lf;
  p = F64_EXACT(p * z) + 9075135300.0lf / 2542620639232.0lf;
  p = F64_EXACT(p * z) + 2333606220.0lf / 601295421440.0lf;
  p = F64_EXACT(p * z) + 601080390.0lf / 141733920768.0lf;
  p = F64_EXACT(p * z) + 155117520.0lf / 33285996544.0lf;
  p = F64_EXACT(p * z) + 40116600.0lf / 7784628224.0lf;
  p = F64_EXACT(p * z) + 10400600.0lf / 1811939328.0lf;
  p = F64_EXACT(p * z) + 2704156.0lf / 419430400.0lf;
  p = F64_EXACT(p * z) + 705432.0lf / 96468992.0lf;
  p = F64_EXACT(p * z) + 184756.0lf / 22020096.0lf;
  p = F64_EXACT(p * z) + 48620.0lf / 4980736.0lf;
  p = F64_EXACT(p * z) + 12870.0lf / 1114112.0lf;
  p = F64_EXACT(p * z) + 3432.0lf / 245760.0lf;
  p = F64_EXACT(p * z) + 924.0lf / 53248.0lf;
  p = F64_EXACT(p * z) + 252.0lf / 11264.0lf;
  p = F64_EXACT(p * z) + 70.0lf / 2304.0lf;
  p = F64_EXACT(p * z) + 20.0lf / 448.0lf;
  p = F64_EXACT(p * z) + 6.0lf / 80.0lf;
  p = F64_EXACT(p * z) + 2.0lf / 12.0lf;
  return p;
}

/** For 1/2 <= |x| < 1: z = (1 - |x|) / 2 (exact), and sqrt(z) as w + c, w its leading 21 bits
 *  (w^2 exact) and c = (z - w^2) / (s + w) the rest, to first order in the error of s = sqrt(z). */
F64_FN double f64_half_angle(double a, F64_OUT(double) z, F64_OUT(double) s, F64_OUT(double) c) {
  z = 0.5lf * (1.0lf - a);
  s = sqrt(z);
  const double w = uint64BitsToDouble(doubleBitsToUint64(s) & (~uint64_t(0) << 32));
  precise double rest = (z - F64_EXACT(w * w)) / (s + w);
  c = rest;
  return w;
}

/** asin: the series below 1/2, above as pi / 2 - 2 asin(sqrt((1 - |x|) / 2)). */
F64_FN double f64_asin(double x) {
  const double a = abs(x);
  if (f64_isnan(x) || a < 7.450580596923828e-09lf) return x;  // 2^-27: asin(x) = x to double precision
  if (a >= 1.0lf) return a == 1.0lf ? (x < 0.0lf ? -F64_PIO2_HI : F64_PIO2_HI) : f64_nan();
  double r;
  if (a < 0.5lf) {
    const double z = F64_EXACT(a * a);
    precise double v = a + F64_EXACT(a * F64_EXACT(z * f64_asin_series(z)));
    r = v;
  } else {
    double z, s, c;
    const double w = f64_half_angle(a, z, s, c);
    // pi / 2 - 2 (w + c + s z P(z)), pi / 2 as twice pi / 4 (exact)
    precise double p = 2.0lf * F64_EXACT(s * F64_EXACT(z * f64_asin_series(z))) - (F64_PIO2_LO - 2.0lf * c);
    precise double q = F64_PIO4_HI - 2.0lf * w;
    precise double v = F64_PIO4_HI - (p - q);
    r = v;
  }
  return x < 0.0lf ? -r : r;
}

/** acos: pi / 2 - asin(x) below 1/2; above, 2 asin(sqrt((1 - |x|) / 2)), from pi for negative x. */
F64_FN double f64_acos(double x) {
  const double a = abs(x);
  if (f64_isnan(x)) return x;
  if (a >= 1.0lf) return x == 1.0lf ? 0.0lf : (x == -1.0lf ? 3.14159265358979311600e+00lf : f64_nan());
  if (a < 0.5lf) {
    const double z = F64_EXACT(x * x);
    precise double v = F64_PIO2_HI - (x - (F64_PIO2_LO - F64_EXACT(x * F64_EXACT(z * f64_asin_series(z)))));
    return v;
  }
  double z, s, c;
  const double w = f64_half_angle(a, z, s, c);
  const double sr = F64_EXACT(s * F64_EXACT(z * f64_asin_series(z)));
  if (x < 0.0lf) {
    precise double v = 2.0lf * (F64_PIO2_HI - ((w + c) + (sr - F64_PIO2_LO)));
    return v;
  }
  precise double v = 2.0lf * (w + (c + sr));
  return v;
}

/** hypot without overflow or underflow: scaled by 2^-600 or 2^600 into a safe range, x^2 + y^2
 *  summed in two doubles, and its square root corrected by one Newton step on them. */
F64_FN double f64_hypot(double x, double y) {
  const double inf = f64_inf();
  double a = abs(x), b = abs(y);
  if (a == inf || b == inf) return inf;
  if (f64_isnan(x) || f64_isnan(y)) return f64_nan();
  if (a < b) {
    const double t = a;
    a = b;
    b = t;
  }
  if (b == 0.0lf) return a;
  const int ea = int(doubleBitsToUint64(a) >> 52), eb = int(doubleBitsToUint64(b) >> 52);
  if (ea - eb > 60) return a + b;  // b^2 / 2a is below a 2^-120
  double scale = 1.0lf;
  if (ea > 1023 + 450) {
    a *= 2.409919865102884e-181lf, b *= 2.409919865102884e-181lf, scale = 4.149515568880993e+180lf;  // 2^-600, 2^600
  } else if (ea < 1023 - 450) {
    a *= 4.149515568880993e+180lf, b *= 4.149515568880993e+180lf, scale = 2.409919865102884e-181lf;
  }
  double a_err, b_err, s_err, h2_err;
  const double a2 = f64_two_square(a, a_err);
  const double b2 = f64_two_square(b, b_err);
  const double s = f64_two_sum(a2, b2, s_err);
  precise double lo = s_err + (a_err + b_err);
  const double h = sqrt(s);
  const double h2 = f64_two_square(h, h2_err);
  precise double r = h + (((s - h2) - h2_err) + lo) / (2.0lf * h);
  return r * scale;
}

/** (S(z) - 1) / z for S(z) = sum of (-1)^n z^n / (n! (2n + 1)), erf(x) sqrt(pi) / 2x's Taylor
 *  series (z = x^2), to z^18: below 2^-57 of S for z <= 1. */
F64_FN double f64_erf_series(double z) {
  precise double q = 1.0lf / 236887827111936000.0lf;  // 1 / (18! 37)
  q = F64_EXACT(q * z) - 1.0lf / 12449059983360000.0lf;
  q = F64_EXACT(q * z) + 1.0lf / 690452066304000.0lf;
  q = F64_EXACT(q * z) - 1.0lf / 40537905408000.0lf;
  q = F64_EXACT(q * z) + 1.0lf / 2528170444800.0lf;
  q = F64_EXACT(q * z) - 1.0lf / 168129561600.0lf;
  q = F64_EXACT(q * z) + 1.0lf / 11975040000.0lf;
  q = F64_EXACT(q * z) - 1.0lf / 918086400.0lf;
  q = F64_EXACT(q * z) + 1.0lf / 76204800.0lf;
  q = F64_EXACT(q * z) - 1.0lf / 6894720.0lf;
  q = F64_EXACT(q * z) + 1.0lf / 685440.0lf;
  q = F64_EXACT(q * z) - 1.0lf / 75600.0lf;
  q = F64_EXACT(q * z) + 1.0lf / 9360.0lf;
  q = F64_EXACT(q * z) - 1.0lf / 1320.0lf;
  q = F64_EXACT(q * z) + 1.0lf / 216.0lf;
  q = F64_EXACT(q * z) - 1.0lf / 42.0lf;
  q = F64_EXACT(q * z) + 1.0lf / 10.0lf;
  q = F64_EXACT(q * z) - 1.0lf / 3.0lf;
  return q;
}

/** erfcx(x) = exp(x^2) erfc(x) for x >= 1/2: Chebyshev series of degree 21 on [1/2, 1], [1, 2]
 *  and [2, 4] (tools/fit_f64math.py; the constant term in two doubles), summed by Clenshaw's
 *  recurrence in t = 2 (x - a) / (b - a) - 1 (exact); from 4 on the continued fraction
 *  1 / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...)))), 30 levels deep (within 2^-68
 *  there), from the inside out. */
F64_FN double f64_erfcx(double x) {
  if (x >= 4.0lf) {
    double t = x;
    for (int k = 30; k >= 1; --k) t = x + 0.5lf * double(k) / t;
    return 5.64189583547756279280e-01lf / t;  // 1 / sqrt(pi)
  }
  const double c_half[22] = {
      5.14254030044814070e-01lf, -9.35343615763164632e-02lf, 7.34954356796596077e-03lf,
      -5.17028768317095489e-04lf, 3.32748918103983226e-05lf, -1.98776094193157057e-06lf,
      1.11371983992519807e-07lf, -5.89864960938912899e-09lf, 2.97129901428528051e-10lf,
      -1.43048818577625704e-11lf, 6.60861628426557723e-13lf, -2.93955528999785450e-14lf,
      1.26250285403891575e-15lf, -5.24835350099592051e-17lf, 2.11628580253582371e-18lf,
      -8.29264172382717435e-20lf, 3.16294654107362902e-21lf, -1.17599620266287776e-22lf,
      4.26779809286822133e-24lf, -1.51355526363361464e-25lf, 5.25113344736560382e-27lf,
      -1.78204996717521318e-28lf};
  const double c_one[22] = {
      3.31427281639452009e-01lf, -8.50021377067431971e-02lf, 9.95112734146611465e-03lf,
      -1.08108881022083250e-03lf, 1.10232436311949499e-04lf, -1.06368305182186009e-05lf,
      9.77501268047905542e-07lf, -8.59792286788831546e-08lf, 7.26770841172484246e-09lf,
      -5.92354384059254229e-10lf, 4.66839285722941542e-11lf, -3.56612770156775016e-12lf,
      2.64587795191045234e-13lf, -1.91016586735275666e-14lf, 1.34397658847982897e-15lf,
      -9.22879054909432573e-17lf, 6.19267308464389871e-18lf, -4.06522243264669609e-19lf,
      2.61341593342063425e-20lf, -1.64685501328945442e-21lf, 1.01809617011101468e-22lf,
      -6.15803181945892515e-24lf};
  const double c_two[22] = {
      1.87429569026224097e-01lf, -5.79465288366909706e-02lf, 8.59524738739653356e-03lf,
      -1.22846136402425944e-03lf, 1.69743666861804876e-04lf, -2.27383293370445620e-05lf,
      2.95984437880487809e-06lf, -3.75135755813797138e-07lf, 4.63728287617382440e-08lf,
      -5.59945539256408780e-09lf, 6.61316089667991624e-10lf, -7.64827152219981647e-11lf,
      8.67090432587659356e-12lf, -9.64545627438210845e-13lf, 1.05368279593606254e-13lf,
      -1.13126309067605987e-14lf, 1.19451806691669523e-15lf, -1.24131075249566512e-16lf,
      1.27024631387154027e-17lf, -1.28072486172995638e-18lf, 1.27283399693185613e-19lf,
      -1.23630195117784318e-20lf};
  const int piece = x < 1.0lf ? 0 : (x < 2.0lf ? 1 : 2);
  const double t = piece == 0 ? 4.0lf * x - 3.0lf : (piece == 1 ? 2.0lf * x - 3.0lf : x - 3.0lf);
  double b1 = 0.0lf, b2 = 0.0lf;
  for (int k = 21; k >= 1; --k) {
    precise double b0 = (2.0lf * t * b1 - b2) + (piece == 0 ? c_half[k] : (piece == 1 ? c_one[k] : c_two[k]));
    b2 = b1;
    b1 = b0;
  }
  const double c0_lo = piece == 0 ? -9.52616055503657224e-18lf : (piece == 1 ? -2.63345096303454768e-17lf : -3.47032757784815949e-18lf);
  precise double r = ((t * b1 - b2) + c0_lo) + (piece == 0 ? c_half[0] : (piece == 1 ? c_one[0] : c_two[0]));
  return r;
}

/** erfc(a) for a >= 1/2: exp(-a^2) erfcx(a), with a^2 = p + e exactly and exp(-p - e) =
 *  2^k exp(r + d), d = c - e (f64_reduce_ln2 of -p), exp(r + d) = 1 + m + lo + d (1 + m) in two
 *  doubles (m = expm1(r)) and its product with erfcx(a) rounded once; 2^k applied last, so that
 *  a subnormal result is rounded once too. */
F64_FN double f64_erfc_large(double a) {
  if (a > 27.3lf) return 0.0lf;  // below half the least subnormal
  double e, k, c, lo, s_err, p_err;
  const double p = f64_two_square(a, e);
  const double r = f64_reduce_ln2(-p, k, c);
  const double d = c - e;
  const double m = f64_expm1_reduced(r, lo);
  const double s = f64_two_sum(1.0lf, m, s_err);
  precise double s_lo = s_err + (lo + (d + F64_EXACT(d * m)));
  const double x = f64_erfcx(a);
  const double product = f64_two_prod(s, x, p_err);
  precise double v = product + (p_err + F64_EXACT(s_lo * x));
  return f64_scale(v, int(k));
}

/** T(z) = 2 / sqrt(pi) S(z) - 1 as hi + lo, so that erf(x) = x + x T(x^2) (S as in
 *  f64_erf_series): with y = S - 1 and 2 / sqrt(pi) = K + K_lo, T = (K - 1) + K y + K_lo (1 + y),
 *  K y and the sum kept exact. */
F64_FN double f64_erf_t(double z, F64_OUT(double) lo) {
  const double y = F64_EXACT(z * f64_erf_series(z));
  double p_err, s_err;
  const double p = f64_two_prod(1.12837916709551257390e+00lf, y, p_err);
  const double s = f64_two_sum(1.12837916709551257390e+00lf - 1.0lf, p, s_err);
  precise double t_lo = s_err + (p_err + F64_EXACT(1.533545961316588e-17lf * (1.0lf + y)));
  lo = t_lo;
  return s;
}

/** erf: x + x T(x^2) below 1 (f64_erf_t; x T exact in two doubles), 1 - erfc(|x|) from 1 on,
 *  signed. */
F64_FN double f64_erf(double x) {
  const double a = abs(x);
  if (f64_isnan(x) || x == 0.0lf) return x;
  if (a < 1.0lf) {
    double t_lo, q_err;
    const double t = f64_erf_t(F64_EXACT(x * x), t_lo);
    const double q = f64_two_prod(x, t, q_err);
    precise double r = x + (q + (q_err + F64_EXACT(x * t_lo)));
    return r;
  }
  precise double r = a >= 6.0lf ? 1.0lf : 1.0lf - f64_erfc_large(a);  // erfc(6) is below a quarter ulp of 1
  return x < 0.0lf ? -r : r;
}

/** erfc: (1 - x) - x T(x^2) below 1/2 in magnitude (1 - x and x T exact in two doubles),
 *  exp(-x^2) erfcx(x) from 1/2 on, 2 - erfc(-x) below -1/2. */
F64_FN double f64_erfc(double x) {
  if (f64_isnan(x)) return x;
  const double a = abs(x);
  if (a < 0.5lf) {
    double t_lo, q_err, lo;
    const double t = f64_erf_t(F64_EXACT(x * x), t_lo);
    const double q = f64_two_prod(x, t, q_err);
    double d_err;
    const double hi = f64_two_sum(1.0lf, -x, lo);
    const double d = f64_two_sum(hi, -q, d_err);
    precise double r = d + (d_err + ((lo - q_err) - F64_EXACT(x * t_lo)));
    return r;
  }
  const double r = f64_erfc_large(a);
  if (x > 0.0lf) return r;
  precise double v = 2.0lf - r;
  return v;
}

/** lgamma(x) / ((x - 1) (x - 2)) for 1 <= x <= 3 (lgamma's zeros divided out): a Chebyshev series
 *  of degree 31 in t = x - 2 (tools/fit_f64math.py), summed by Clenshaw's recurrence. */
F64_FN double f64_lgamma_ratio(double x) {
  const double c[32] = {
      4.41489025455014228e-01lf, -1.11195803217525230e-01lf, 1.95104482606888417e-02lf,
      -3.92246146302526431e-03lf, 8.47898989595385704e-04lf, -1.91538553413655934e-04lf,
      4.45447018497560667e-05lf, -1.05728743735943005e-05lf, 2.54743368734084169e-06lf,
      -6.20853588077631572e-07lf, 1.52686773990715457e-07lf, -3.78263766029132590e-08lf,
      9.42810082362428407e-09lf, -2.36199970218464502e-09lf, 5.94354190581754648e-10lf,
      -1.50131297707286698e-10lf, 3.80501964581105341e-11lf, -9.67248529965632486e-12lf,
      2.46534819835566063e-12lf, -6.29886814079170722e-13lf, 1.61284600302836406e-13lf,
      -4.13794920681348309e-14lf, 1.06357012277365658e-14lf, -2.73824207858384057e-15lf,
      7.06067050410402906e-16lf, -1.82321770227699005e-16lf, 4.71416855210581760e-17lf,
      -1.22040899229720512e-17lf, 3.16297855727157495e-18lf, -8.20419448361927617e-19lf,
      2.12165792914182339e-19lf, -5.16553550982580771e-20lf};
  const double t = x - 2.0lf;
  double b1 = 0.0lf, b2 = 0.0lf;
  for (int k = 31; k >= 1; --k) {
    precise double b0 = (2.0lf * t * b1 - b2) + c[k];
    b2 = b1;
    b1 = b0;
  }
  precise double r = (t * b1 - b2) + c[0];
  return r;
}

/** lgamma: (x - 1) (x - 2) f64_lgamma_ratio(x) on [1, 3], so that its zeros 1 and 2 keep their
 *  relative accuracy; below 1 as lgamma(1 + x) - log x; up to 10 as lgamma(x - n) plus the log of
 *  (x - 1) ... (x - n) (the product in two doubles); from 10 on Stirling's series (to its x^-15
 *  term); -log|x| - gamma x below 2^-30 in magnitude; and for negative x by reflection,
 *  log(pi / |sin(pi x)|) - lgamma(1 - x), whose difference is accurate only absolutely near its
 *  zeros; +inf at the poles. */
F64_FN double f64_lgamma(double x) {
  const double inf = f64_inf();
  if (f64_isnan(x)) return x;
  if (abs(x) == inf || (x == trunc(x) && x <= 0.0lf)) return inf;  // poles, and both infinities
  if (abs(x) < 9.313225746154785e-10lf) return -f64_log(abs(x)) - 0.57721566490153286061lf * x;  // 2^-30; Euler's gamma
  double reflection = 0.0lf;
  const bool reflect = x < 0.0lf;
  if (reflect) {  // |x| < 2^52 here: larger doubles are integers
    const double r = x - roundEven(x);  // exact, |r| <= 1/2
    const double s = abs(f64_sin(3.14159265358979311600e+00lf * r));
    reflection = f64_log(3.14159265358979311600e+00lf / s);
    x = 1.0lf - x;  // exact
  }
  double v;
  if (x < 1.0lf) {
    precise double w = F64_EXACT(F64_EXACT(x * (x - 1.0lf)) * f64_lgamma_ratio(1.0lf + x)) - f64_log(x);
    v = w;
  } else if (x <= 3.0lf) {
    precise double w = F64_EXACT((x - 1.0lf) * (x - 2.0lf)) * f64_lgamma_ratio(x);  // x - 1, x - 2 exact
    v = w;
  } else if (x < 10.0lf) {
    double p = 1.0lf, p_lo = 0.0lf;
    while (x > 3.0lf) {
      x -= 1.0lf;  // exact
      double e;
      const double q = f64_two_prod(p, x, e);
      precise double lo = e + F64_EXACT(p_lo * x);
      p_lo = lo;
      p = q;
    }
    double l_lo;
    const double l = f64_log_parts(p, l_lo);
    precise double w = l + (F64_EXACT(F64_EXACT((x - 1.0lf) * (x - 2.0lf)) * f64_lgamma_ratio(x)) + (l_lo + p_lo / p));
    v = w;
  } else {
    // B_2k / (2k (2k - 1) x^(2k - 1)), k = 1 to 8
    const double z = 1.0lf / F64_EXACT(x * x);
    precise double series = -3617.0lf / 122400.0lf;
    series = F64_EXACT(series * z) + 1.0lf / 156.0lf;
    series = F64_EXACT(series * z) - 691.0lf / 360360.0lf;
    series = F64_EXACT(series * z) + 1.0lf / 1188.0lf;
    series = F64_EXACT(series * z) - 1.0lf / 1680.0lf;
    series = F64_EXACT(series * z) + 1.0lf / 1260.0lf;
    series = F64_EXACT(series * z) - 1.0lf / 360.0lf;
    series = F64_EXACT(series * z) + 1.0lf / 12.0lf;
    // (x - 1/2) log x - x + log(2 pi) / 2 + series / x
    precise double w = (F64_EXACT((x - 0.5lf) * f64_log(x)) - x) + (9.18938533204672741780e-01lf + series / x);
    v = w;
  }
  precise double result = reflection - v;
  return reflect ? result : v;
}

/** digamma as math::digamma (Cephes'): reflection for negative x with pi / tan(pi r) of the
 *  fractional part r, the recurrence up to 10, then the asymptotic series; its operations in its
 *  order, with this file's tan and log. */
F64_FN double f64_digamma(double x) {
  if (x == 0.0lf) return (doubleBitsToUint64(x) >> 63) != uint64_t(0) ? f64_inf() : -f64_inf();
  double reflection = 0.0lf;
  const bool reflect = x < 0.0lf;
  if (reflect) {
    if (x == trunc(x)) return f64_nan();
    const double r = x - trunc(x);  // modf's fractional part
    precise double angle = 3.14159265358979311600e+00lf * r;
    reflection = 3.14159265358979311600e+00lf / f64_tan(angle);
    x = 1.0lf - x;
  }
  double result = 0.0lf;
  while (x < 10.0lf) {
    result -= 1.0lf / x;
    x += 1.0lf;
  }
  double v;
  if (x == 10.0lf) {
    v = result + 2.25175258906672110764lf;
  } else {
    double y = 0.0lf;
    if (x < 1.0e17lf) {
      const double z = 1.0lf / (x * x);
      precise double p = 8.33333333333333333333e-2lf;
      p = p * z - 2.10927960927960927961e-2lf;
      p = p * z + 7.57575757575757575758e-3lf;
      p = p * z - 4.16666666666666666667e-3lf;
      p = p * z + 3.96825396825396825397e-3lf;
      p = p * z - 8.33333333333333333333e-3lf;
      p = p * z + 8.33333333333333333333e-2lf;
      y = z * p;
    }
    precise double w = ((result + f64_log(x)) - (0.5lf / x)) - y;
    v = w;
  }
  precise double d = v - reflection;
  return reflect ? d : v;
}

// --- samplers (docs/random.md) -------------------------------------------------------------------

/** The double uniform in [0, 1) of 64 random bits: (bits >> 11) 2^-53. */
F64_FN double f64_uniform(uint64_t bits) { return double(bits >> 11) * 1.1102230246251565e-16lf; }

/** exponential_'s value of 64 random bits: c log(1 - u), c = -1 / lambd. */
F64_FN double f64_exponential(uint64_t bits, double c) { return c * f64_log(1.0lf - f64_uniform(bits)); }

/** Box-Muller in double from two 64-bit words: u1 = ((a >> 11) + 1) 2^-53 in (0, 1],
 *  u2 = (b >> 11) 2^-53, r = sqrt(-2 log u1); mean + stddev (r cos(2 pi u2)) and
 *  mean + stddev (r sin(2 pi u2)). */
F64_FN void f64_normal_pair(uint64_t a, uint64_t b, double mean, double stddev, F64_OUT(double) z0, F64_OUT(double) z1) {
  const double u1 = double((a >> 11) + uint64_t(1)) * 1.1102230246251565e-16lf;
  precise double r = sqrt(-2.0lf * f64_log(u1));
  precise double angle = 6.283185307179586lf * f64_uniform(b);  // 2 pi, as the double 2 * pi
  double s, c;
  f64_sincos(angle, s, c);
  precise double v0 = mean + F64_EXACT(stddev * F64_EXACT(r * c));
  precise double v1 = mean + F64_EXACT(stddev * F64_EXACT(r * s));
  z0 = v0;
  z1 = v1;
}

#endif
