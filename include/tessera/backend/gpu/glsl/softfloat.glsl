// Exact a * k + c rounded to an IEEE format, in 64-bit integer arithmetic.
//
// Note [Soft rounding]
// The CPU's range kernels round through double and through fused multiply-adds (Note [Range
// rounding] in backend/cpu/range.hpp). Metal has no double, and Vulkan does not promise that
// fma() is fused, so the range kernels compute those values exactly in integers instead: a
// product of a binary floating value by an integer plus another value, held as a 128-bit
// magnitude, then rounded to nearest-even at any precision (53 bits for double, 24 for float,
// 11 for half, 8 for bfloat16) with the format's subnormal range, once or twice as the CPU rounds.
// Only +, -, *, shifts and compares on 32 and 64-bit integers are used, so the same code runs as
// SPIR-V and as MSL, and it is plain C++ too (tests compile it against the CPU's formulas).
// Infinities and NaN are not represented: the host sends finite values only.
#ifndef TESSERA_SOFTFLOAT_GLSL
#define TESSERA_SOFTFLOAT_GLSL

/** (-1)^neg * m * 2^e, exactly. */
struct Soft {
  uint64_t m;
  int e;
  bool neg;
};

/** A 128-bit magnitude hi * 2^64 + lo. */
struct U128 {
  uint64_t hi;
  uint64_t lo;
};

/** (-1)^neg * mag * 2^e, exactly: an unrounded sum. */
struct Wide {
  U128 mag;
  int e;
  bool neg;
};

int msb64(uint64_t x) {
  const uint hi = uint(x >> 32);
  return hi != 0u ? 32 + findMSB(hi) : findMSB(uint(x));
}

int msb128(U128 x) { return x.hi != uint64_t(0) ? 64 + msb64(x.hi) : msb64(x.lo); }

U128 shl128(U128 x, int s) {
  if (s <= 0) return x;
  if (s >= 128) return U128(uint64_t(0), uint64_t(0));
  if (s >= 64) return U128(x.lo << (s - 64), uint64_t(0));
  return U128((x.hi << s) | (x.lo >> (64 - s)), x.lo << s);
}

U128 shr128(U128 x, int s) {
  if (s <= 0) return x;
  if (s >= 128) return U128(uint64_t(0), uint64_t(0));
  if (s >= 64) return U128(uint64_t(0), x.hi >> (s - 64));
  return U128(x.hi >> s, (x.lo >> s) | (x.hi << (64 - s)));
}

/** Whether any of the low s bits of x is set. */
bool low_bits_set(U128 x, int s) {
  if (s <= 0) return false;
  if (s >= 128) return x.hi != uint64_t(0) || x.lo != uint64_t(0);
  if (s >= 64) return x.lo != uint64_t(0) || (s > 64 && (x.hi << (128 - s)) != uint64_t(0));
  return (x.lo << (64 - s)) != uint64_t(0);
}

/** x >> s, with bit 0 set when a set bit was shifted out (keeps round-to-nearest-even exact). */
U128 shr128_sticky(U128 x, int s) {
  U128 r = shr128(x, s);
  if (low_bits_set(x, s)) r.lo |= uint64_t(1);
  return r;
}

bool less128(U128 a, U128 b) { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo); }

U128 add128(U128 a, U128 b) {
  const uint64_t lo = a.lo + b.lo;
  return U128(a.hi + b.hi + (lo < a.lo ? uint64_t(1) : uint64_t(0)), lo);
}

U128 sub128(U128 a, U128 b) {
  return U128(a.hi - b.hi - (a.lo < b.lo ? uint64_t(1) : uint64_t(0)), a.lo - b.lo);
}

/** m * k for m < 2^64 and k < 2^32, exactly. */
U128 mul64x32(uint64_t m, uint k) {
  const uint64_t lo = (m & uint64_t(0xffffffffu)) * uint64_t(k);
  const uint64_t hi = (m >> 32) * uint64_t(k);
  return add128(U128(uint64_t(0), lo), U128(hi >> 32, hi << 32));
}

/** The finite double with these IEEE bits. */
Soft soft_from_f64_bits(uint64_t b) {
  const int biased = int((b >> 52) & uint64_t(0x7ff));
  const uint64_t frac = b & ((uint64_t(1) << 52) - uint64_t(1));
  const bool neg = (b >> 63) != uint64_t(0);
  if (biased == 0) return Soft(frac, -1074, neg);
  return Soft(frac | (uint64_t(1) << 52), biased - 1075, neg);
}

Soft soft_from_uint(uint k) { return Soft(uint64_t(k), 0, false); }

/** a * k + c with the sign of k given apart (neg_k), exactly. A zero result is +0 unless both
 *  terms are zeros of one sign, as IEEE addition rounding to nearest gives. */
Wide fma_exact(Soft a, uint k, bool neg_k, Soft c) {
  U128 p = mul64x32(a.m, k);
  int ep = a.e;
  const bool np = a.neg != neg_k;
  U128 q = U128(uint64_t(0), c.m);
  int eq = c.e;
  const bool p_zero = p.hi == uint64_t(0) && p.lo == uint64_t(0);
  const bool q_zero = c.m == uint64_t(0);
  if (p_zero && q_zero) return Wide(q, 0, np && c.neg);
  if (p_zero) return Wide(q, eq, c.neg);
  if (q_zero) return Wide(p, ep, np);
  // Both nonzero: put each top bit at bit 125 (sums then fit in 127 bits), then shift the one of
  // smaller exponent right, keeping a sticky bit (Note [Soft rounding]).
  const int sp = 125 - msb128(p);
  p = shl128(p, sp);
  ep -= sp;
  const int sq = 125 - msb128(q);
  q = shl128(q, sq);
  eq -= sq;
  if (ep > eq) {
    q = shr128_sticky(q, ep - eq);
    eq = ep;
  } else {
    p = shr128_sticky(p, eq - ep);
  }
  if (np == c.neg) return Wide(add128(p, q), eq, np);
  if (less128(p, q)) return Wide(sub128(q, p), eq, c.neg);
  const U128 d = sub128(p, q);
  return Wide(d, eq, d.hi == uint64_t(0) && d.lo == uint64_t(0) ? false : np);
}

Wide wide_of(Soft x) { return Wide(U128(uint64_t(0), x.m), x.e, x.neg); }

/** x rounded to nearest-even with `bits` significant bits and no bit below 2^emin (the
 *  format's smallest subnormal). The exponent is not bounded above; packing overflows to inf. */
Soft round_wide(Wide x, int bits, int emin) {
  const int top = msb128(x.mag);
  if (top < 0) return Soft(uint64_t(0), 0, x.neg);
  int lsb = x.e + top - (bits - 1);
  if (lsb < emin) lsb = emin;
  const int s = lsb - x.e;
  if (s <= 0) return Soft(x.mag.lo, x.e, x.neg);  // no more than `bits` bits: exact
  uint64_t keep = shr128(x.mag, s).lo;
  const bool round_bit = (shr128(x.mag, s - 1).lo & uint64_t(1)) != uint64_t(0);
  const bool sticky = low_bits_set(x.mag, s - 1);
  if (round_bit && (sticky || (keep & uint64_t(1)) != uint64_t(0))) keep += uint64_t(1);
  if (keep == (uint64_t(1) << bits)) {
    keep >>= 1;
    lsb += 1;
  }
  return Soft(keep, lsb, x.neg);
}

Soft round_soft(Soft x, int bits, int emin) { return round_wide(wide_of(x), bits, emin); }

/** The IEEE bits of x, already rounded to the format (`bits` significant bits, smallest exponent emin,
 *  exponent field of exp_bits), or infinity when it is too large for it. */
uint64_t pack_ieee(Soft x, int bits, int emin, int exp_bits) {
  const uint64_t sign = x.neg ? (uint64_t(1) << (bits - 1 + exp_bits)) : uint64_t(0);
  if (x.m == uint64_t(0)) return sign;
  int sh = (bits - 1) - msb64(x.m);
  if (x.e - sh < emin) sh = x.e - emin;
  uint64_t m = sh >= 0 ? x.m << sh : x.m >> (-sh);
  const int e = x.e - sh;
  const int max_biased = (1 << exp_bits) - 1;
  const uint64_t hidden = uint64_t(1) << (bits - 1);
  if (m < hidden) return sign | m;  // subnormal: e == emin
  const int biased = e - emin + 1;
  if (biased >= max_biased) return sign | (uint64_t(max_biased) << (bits - 1));
  return sign | (uint64_t(biased) << (bits - 1)) | (m - hidden);
}

/** C++'s float -> integer conversion of a double x as the CPU does it (Note [Float to integer
 *  conversion] in core/convert.hpp): truncation, and INT_MIN of the 32 or 64-bit conversion
 *  when out of range; a narrower type then takes the low bits. */
uint64_t soft_to_integral_bits(Soft x, bool wide64) {
  uint64_t t;
  bool out_of_range = false;
  if (x.e >= 0) {
    out_of_range = x.m != uint64_t(0) && msb64(x.m) + x.e >= 63;
    t = out_of_range ? uint64_t(0) : x.m << x.e;
  } else {
    t = x.e <= -64 ? uint64_t(0) : x.m >> (-x.e);
  }
  if (wide64) {
    if (out_of_range) return uint64_t(1) << 63;
    return x.neg ? uint64_t(0) - t : t;
  }
  const uint64_t limit = x.neg ? (uint64_t(1) << 31) : (uint64_t(1) << 31) - uint64_t(1);
  if (out_of_range || t > limit) return uint64_t(0xffffffff80000000ul);
  return x.neg ? uint64_t(0) - t : t;
}

/** k rounded to nearest-even at `bits` significant bits (an integer converted to a float);
 *  k < 2^31, so the result fits. */
uint round_uint(uint k, int bits) {
  const int s = findMSB(k) - (bits - 1);
  if (s <= 0) return k;
  uint keep = k >> s;
  const uint rest = k & ((1u << s) - 1u);
  const uint half_ulp = 1u << (s - 1);
  if (rest > half_ulp || (rest == half_ulp && (keep & 1u) != 0u)) keep += 1u;
  return keep << s;
}

#endif
