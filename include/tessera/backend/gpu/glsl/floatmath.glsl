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
  return x < 0.0 ? -r : (x > 0.0 ? r : x);
}

// erf by Abramowitz and Stegun 7.1.26 refined with a rational term: absolute error below 2e-7.
float f32_erf(float x) {
  const float a = abs(x);
  const float t = 1.0 / (1.0 + 0.3275911 * a);
  const float poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const float r = 1.0 - poly * exp(-a * a);
  return x < 0.0 ? -r : r;
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
  if (x < 0.0 && !y_int) return uintBitsToFloat(F32_QNAN);
  const float r = f32_isinf(x) ? (y > 0.0 ? uintBitsToFloat(0x7f800000u) : 0.0) : exp2(y * log2(abs(x)));
  return x < 0.0 && y_odd ? -r : r;
}

#endif
