// Values of tessera's random samplers from Philox blocks, bit for bit as the CPU computes them
// (backend/cpu/random.hpp, backend/cpu/philox_simd.hpp; docs/random.md is the contract).
// Plain C++ as well as GLSL (with the GLSL built-ins it uses supplied), so that tests compare
// every function with the CPU where no device exists, exhaustively for log and sin/cos.
//
// Note [Exact random arithmetic on GPUs]
// The CPU's float Box-Muller rounds every product before adding it (Note [Exact SIMD arithmetic]);
// here every such variable is `precise`, so no fused multiply-add is formed (SPIR-V NoContraction;
// spirv-cross writes Metal multiplies that the compiler may not fuse). Vulkan and Metal round
// float addition and multiplication correctly, and none of these values is subnormal. The square
// root, which GPUs need not round correctly, is computed in integers (sqrt_rn), and so is every
// conversion that rounds (int64 to float or double, double to float: Note [Soft rounding]).
// A zero product's sign is set explicitly (Metal's precise multiply, fma(a, b, 0), makes -0 +0).
#ifndef TESSERA_RANDOM_GLSL
#define TESSERA_RANDOM_GLSL

#include "philox.glsl"
#include "softfloat.glsl"

// An in-out parameter (C++ includes this file with its own INOUT: a reference).
#ifndef INOUT
#define INOUT(T) inout T
#endif
// A loop kept rolled, so that its body (every call in it inlined) appears once in the MSL; the
// kernel enables GL_EXT_control_flow_attributes. C++ defines it empty.
#ifndef DONT_UNROLL
#define DONT_UNROLL [[dont_unroll]]
#endif

#define RANDOM_UNIFORM 0
#define RANDOM_NORMAL 1
#define RANDOM_RANDINT 2
#define RANDOM_BERNOULLI 3
#define RANDOM_EXPONENTIAL 4

// --- uniform ------------------------------------------------------------------------------------

/** rand in float: (w >> 8) * 2^-24, as float bits (exact). */
uint uniform_f32_bits(uint w) { return floatBitsToUint(float(w >> 8) * 5.9604644775390625e-8f); }

/** rand in double from words lo, hi: (((hi << 32) | lo) >> 11) * 2^-53, built as IEEE bits in
 *  integers (exact), so no double arithmetic is needed. */
uint64_t uniform_f64_bits(uint lo, uint hi) {
  const uint64_t x = ((uint64_t(hi) << 32) | uint64_t(lo)) >> 11;
  return pack_ieee(Soft(x, -53, false), 53, -1074, 11);
}

// --- randint ------------------------------------------------------------------------------------

/** The 128-bit product a * b as (high, low), in detail::mul_wide's arithmetic. */
U128 mul_wide(uint64_t a, uint64_t b) {
  const uint64_t m32 = uint64_t(0xffffffffu);
  const uint64_t a0 = a & m32, a1 = a >> 32, b0 = b & m32, b1 = b >> 32;
  const uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const uint64_t mid = (p00 >> 32) + (p01 & m32) + (p10 & m32);
  return U128(p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32), (mid << 32) | (p00 & m32));
}

/** Lemire's method on one block: whether its first 64 bits, or else its second, give a
 *  uniform integer in [0, range), left in r. `threshold` is (2^64 - range) mod range. */
bool lemire_accept(uvec4 w, uint64_t range, uint64_t threshold, INOUT(uint64_t) r) {
  for (int h = 0; h < 2; ++h) {
    const uint64_t x = (uint64_t(w[2 * h + 1]) << 32) | uint64_t(w[2 * h]);
    const U128 p = mul_wide(x, range);
    if (p.lo >= threshold) {
      r = p.hi;
      return true;
    }
  }
  return false;
}

/** detail::bounded_u64: uniform in [0, range) for element `index`, a rejected block moving to
 *  the next attempt's. */
uint64_t bounded_u64(uint64_t seed, uint64_t offset, uint index, uint64_t range, uint64_t threshold) {
  uint64_t r = uint64_t(0);
  for (uint attempt = 0u;; ++attempt)
    if (lemire_accept(random_block(seed, offset, index, attempt), range, threshold, r)) return r;
  return r;
}

/** An int64 as an exact Soft (its magnitude and sign). */
Soft soft_from_int64(uint64_t v) {
  const bool neg = int64_t(v) < int64_t(0);
  return Soft(neg ? uint64_t(0) - v : v, 0, neg);
}

/** An int64 as double bits, rounded to nearest even (static_cast<double>). */
uint64_t int64_to_f64_bits(uint64_t v) { return pack_ieee(round_soft(soft_from_int64(v), 53, -1074), 53, -1074, 11); }

// --- uniform_(from, to) -------------------------------------------------------------------------

/** uniform_(from, to) in double: from + span * u for u = k 2^-53 (k < 2^53) and span = to - from,
 *  the product rounded to double before the sum, as fill_uniform_range computes it; in integers
 *  (the 106-bit product exact, Note [Soft rounding]). from and span are double bits, finite. */
uint64_t uniform_range_f64_bits(uint64_t k, uint64_t from_bits, uint64_t span_bits) {
  const Soft span = soft_from_f64_bits(span_bits);
  const Soft product = round_wide(Wide(mul_wide(k, span.m), span.e - 53, span.neg), 53, -1074);
  const Soft sum = round_wide(fma_exact(product, 1u, false, soft_from_f64_bits(from_bits)), 53, -1074);
  return pack_ieee(sum, 53, -1074, 11);
}

// --- bernoulli ----------------------------------------------------------------------------------

// Note [Bernoulli in integers]
// bernoulli compares the double uniform u = k 2^-53 (k the top 53 bits of two words) with p in
// [0, 1]. As k is an integer, u < p exactly when k < ceil(p 2^53): p's bits give that threshold
// in integers, so no double is needed (the host sends it for a scalar p).

/** ceil(p 2^53) for p = (-1)^neg m 2^e in [0, 1] (a zero of either sign gives 0). */
uint64_t bernoulli_threshold(Soft p) {
  if (p.m == uint64_t(0)) return uint64_t(0);
  const int s = p.e + 53;
  if (s >= 0) return p.m << s;  // p <= 1: at most 2^53
  if (s <= -64) return uint64_t(1);
  const uint64_t q = p.m >> (-s);
  return (q << (-s)) == p.m ? q : q + uint64_t(1);
}

/** The finite binary16 with these bits, exactly. */
Soft soft_from_f16_bits(uint h) {
  const int biased = int((h >> 10) & 0x1fu);
  const uint frac = h & 0x3ffu;
  const bool neg = (h & 0x8000u) != 0u;
  if (biased == 0) return Soft(uint64_t(frac), -24, neg);
  return Soft(uint64_t(frac | 0x400u), biased - 25, neg);
}

// --- normal -------------------------------------------------------------------------------------

/** log for float x in (0, 1]: philox_simd.hpp's log_unit (Cephes' logf), operation for operation. */
float log_unit(float x) {
  const int bits = floatBitsToInt(x);
  int e = ((bits >> 23) & 0xff) - 126;
  precise float m = intBitsToFloat((bits & 0x7fffff) | 0x3f000000);  // mantissa in [0.5, 1)
  if (m < 0.70710678118654752440f) {
    e = e - 1;
    m = (m + m) - 1.0f;
  } else {
    m = m - 1.0f;
  }
  const float ef = float(e);
  precise float z = m * m;
  precise float p = 7.0376836292e-2f;
  p = p * m - 1.1514610310e-1f;
  p = p * m + 1.1676998740e-1f;
  p = p * m - 1.2420140846e-1f;
  p = p * m + 1.4249322787e-1f;
  p = p * m - 1.6668057665e-1f;
  p = p * m + 2.0000714765e-1f;
  p = p * m - 2.4999993993e-1f;
  p = p * m + 3.3333331174e-1f;
  precise float y = (p * m) * z;
  y = y + ef * -2.12194440e-4f;
  y = y - 0.5f * z;
  precise float result = (m + y) + ef * 0.693359375f;
  return result;
}

/** sin and cos of 2 pi u for u in [0, 1): philox_simd.hpp's sincos_turns. Returns (sin, cos). */
vec2 sincos_turns(float u) {
  precise float t = u * 4.0f;  // exact
  const int q = int(t);        // the quadrant, truncated
  precise float f = t - float(q);
  const bool upper = f > 0.5f;
  precise float g = upper ? 1.0f - f : f;
  precise float a = g * 1.57079632679489661923f;
  precise float z = a * a;
  precise float ps = -1.9515295891e-4f;
  ps = ps * z + 8.3321608736e-3f;
  ps = ps * z - 1.6666654611e-1f;
  precise float sin_a = ((ps * z) * a) + a;
  precise float pc = 2.443315711809948e-5f;
  pc = pc * z - 1.388731625493765e-3f;
  pc = pc * z + 4.166664568298827e-2f;
  precise float cos_a = (((pc * z) * z) - 0.5f * z) + 1.0f;
  const float s0 = upper ? cos_a : sin_a, c0 = upper ? sin_a : cos_a;
  const int qm = q & 3;
  const float s = qm == 0 ? s0 : (qm == 1 ? c0 : (qm == 2 ? -s0 : -c0));
  const float c = qm == 0 ? c0 : (qm == 1 ? -s0 : (qm == 2 ? -c0 : s0));
  return vec2(s, c);
}

/** a * b with the sign of a zero product set as IEEE sets it (Note [Exact random arithmetic on
 *  GPUs]); no product here underflows. */
float mul_signed(float a, float b) {
  precise float p = a * b;
  if (p == 0.0f) p = uintBitsToFloat((floatBitsToUint(a) ^ floatBitsToUint(b)) & 0x80000000u);
  return p;
}

/** The correctly rounded square root of x >= 0 (normal or zero; -0 gives -0), in integers: the
 *  integer square root of the mantissa scaled to 46 to 48 bits, rounded to nearest (a square
 *  root is never halfway between two floats). */
float sqrt_rn(float x) {
  const uint b = floatBitsToUint(x);
  if ((b & 0x7fffffffu) == 0u) return x;
  int e = int(b >> 23) - 150;  // x = m * 2^e
  uint64_t m = uint64_t((b & 0x7fffffu) | 0x800000u);
  if ((e & 1) != 0) {
    m <<= 1;
    e -= 1;
  }
  // m in [2^23, 2^25): scaled by 4^k into [2^46, 2^48), so that its root has 24 bits.
  const int k = m < uint64_t(0x1000000u) ? 12 : 11;
  m <<= 2 * k;
  uint64_t s = uint64_t(sqrt(float(m)));  // an estimate, corrected exactly below
  while (s * s > m) s -= uint64_t(1);
  while ((s + uint64_t(1)) * (s + uint64_t(1)) <= m) s += uint64_t(1);
  if (m - s * s > s) s += uint64_t(1);  // sqrt(m) > s + 1/2
  int exponent = e / 2 - k + 23;  // of the top bit of the 24-bit s (the result is normal)
  if (s == (uint64_t(1) << 24)) {
    s >>= 1;
    exponent += 1;
  }
  return uintBitsToFloat((uint(exponent + 127) << 23) | (uint(s) & 0x7fffffu));
}

/** Box-Muller of one pair of words, as random_groups<kind 1> computes it: (r cos, r sin) with
 *  u1 = ((w0 >> 8) + 1) 2^-24, u2 = (w1 >> 8) 2^-24, r = sqrt(-2 log u1). */
vec2 box_muller(uint w0, uint w1) {
  const float u1 = float((w0 >> 8) + 1u) * 5.9604644775390625e-8f;
  const float u2 = float(w1 >> 8) * 5.9604644775390625e-8f;
  const float l = mul_signed(log_unit(u1), -2.0f);
  const float r = sqrt_rn(l);
  const vec2 sc = sincos_turns(u2);
  return vec2(mul_signed(r, sc[1]), mul_signed(r, sc[0]));
}

/** The finite float with these bits, exactly. */
Soft soft_from_f32_bits(uint b) {
  const int biased = int((b >> 23) & 0xffu);
  const uint frac = b & 0x7fffffu;
  const bool neg = (b >> 31) != 0u;
  if (biased == 0) return Soft(uint64_t(frac), -149, neg);
  return Soft(uint64_t(frac | 0x800000u), biased - 150, neg);
}

// Note [One soft pipeline]
// Every soft rounding of the float kernels goes through soft_f32_bits, so that the MSL holds
// one copy of fma_exact, round_wide and pack_ieee (each call is inlined): normal_(mean, stddev)
// takes the three steps, randint the last one alone.
#define SOFT_SCALED_NORMAL 0
#define SOFT_INT64 2

/** Float bits of a value computed exactly and rounded as the CPU rounds it:
 *  from SOFT_SCALED_NORMAL, z = zs (a float), step 0 stddev * z rounded to double, step 1 plus
 *  mean rounded to double (mean + stddev * z in double, the product rounded first, as
 *  random_groups computes normal_), step 2 rounded to float; from SOFT_INT64, zs is an int64's
 *  value and step 2 rounds it to float (static_cast<float>). mean and stddev are double bits;
 *  the host keeps both below 2^1000, so no double overflows. */
uint soft_f32_bits(Soft zs, uint64_t mean_bits, uint64_t stddev_bits, int first) {
  const Soft minus_zero = Soft(uint64_t(0), 0, true);  // x * k + (-0) is x * k, zero signs included
  const Soft stddev = soft_from_f64_bits(stddev_bits);
  Soft acc = first == SOFT_INT64 ? zs : Soft(stddev.m, stddev.e + zs.e, stddev.neg);  // stddev * 2^e(z)
  uint k = first == SOFT_INT64 ? 1u : uint(zs.m);
  bool neg_k = first == SOFT_INT64 ? false : zs.neg;
  DONT_UNROLL for (int step = first; step < 3; ++step) {
    const Soft add = step == 1 ? soft_from_f64_bits(mean_bits) : minus_zero;
    const bool to_float = step == 2;
    acc = round_wide(fma_exact(acc, k, neg_k, add), to_float ? 24 : 53, to_float ? -149 : -1074);
    k = 1u;
    neg_k = false;
  }
  return uint(pack_ieee(acc, 24, -149, 8));
}

#endif
