// Float64 log, sin and cos in double arithmetic, and the samplers built on them (Box-Muller
// normals, exponential draws). GLSL has no double log or sin; and the CPU draws with these same
// functions (backend/cpu/f64math.hpp includes this file as C++), so that float64 random values
// are the same bits on every device and platform, whatever its libm.
//
// Argument reduction as fdlibm's (ln 2 and pi / 2 split so that k * hi is exact), Taylor
// polynomials on the reduced range, and the leading terms of log kept in two doubles: within
// one ulp of glibc's, and its bits for 97 % (sin, cos) to 99 % (log) of inputs
// (tests/test_f64math.cpp measures it).
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

F64_FN double f64_log(double x) {
  bool special;
  const double v = f64_log_special(x, special);
  if (special) return v;
  int e;
  double lm_lo;
  const double lm = f64_log1p_reduced(f64_log_reduce(x, e), lm_lo);
  const double k = double(e);
  double err;
  const double sum = f64_two_sum(F64_EXACT(k * F64_LN2_HI), lm, err);  // k * hi is exact
  precise double result = sum + ((err + lm_lo) + F64_EXACT(k * F64_LN2_LO));
  return result;
}

/** sin and cos of x for |x| <= 2^19 pi / 2 (fdlibm's Cody-Waite reduction by pi / 2 in three
 *  parts and a tail, the reduced argument kept as r + d). */
F64_FN void f64_sincos(double x, F64_OUT(double) s, F64_OUT(double) c) {
  const double k = roundEven(x * 6.36619772367581382433e-01lf);  // 2 / pi
  precise double r0 = x - F64_EXACT(k * 1.57079632673412561417e+00lf);
  precise double w2 = F64_EXACT(k * 6.07710050630396597660e-11lf);
  precise double r = r0 - w2;
  precise double d = ((r0 - r) - w2) - (F64_EXACT(k * 2.02226624871116645580e-21lf) + F64_EXACT(k * 8.47842766036889956997e-32lf));
  precise double z = F64_EXACT(r * r);
  // sin r = r + r^3 (-1/3! + z/5! - ...), cos r = 1 - z/2 + z^2 (1/4! - z/6! + ...), |r| <= pi/4
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
  precise double sin_r = r + (F64_EXACT(d * (1.0lf - 0.5lf * z)) + F64_EXACT(F64_EXACT(r * z) * ps));
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
  precise double cos_r = w + (((1.0lf - w) - hz) + (F64_EXACT(F64_EXACT(z * z) * pc) - F64_EXACT(r * d)));
  const int q = int(k) & 3;
  s = q == 0 ? sin_r : q == 1 ? cos_r : q == 2 ? -sin_r : -cos_r;
  c = q == 0 ? cos_r : q == 1 ? -sin_r : q == 2 ? -cos_r : sin_r;
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
