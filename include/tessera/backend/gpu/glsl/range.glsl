// The value of element i of arange and linspace as the bits of the output type, computed with
// the CPU's roundings (backend/cpu/range.hpp, Note [Range rounding]) through softfloat.glsl.
// Plain C++ as well as GLSL, so that tests can compare it with the CPU kernel directly.
#ifndef TESSERA_RANGE_GLSL
#define TESSERA_RANGE_GLSL

#include "softfloat.glsl"

#define RANGE_ARANGE 0
#define RANGE_LINSPACE 1

#define KIND_NATIVE 0  // float, double: each operation rounds to the type
#define KIND_HALF 1    // half, bfloat16: each operation computes in float and rounds to the type
#define KIND_INT 2     // integers: arange in int64, linspace in double then truncated
#define KIND_BOOL 3

struct RangeFormat {
  int kind;
  int bits;      // significant bits of a floating type
  int emin;      // exponent of its smallest subnormal
  int exp_bits;
  int lanes;     // elements in 32 bytes: the CPU's vector width for this type
  bool int64;    // a 64-bit integer type (narrower ones wrap from int32)
};

// Roundings after one a * k + c: to double, then to float, then to the type, each when asked.
#define ROUND_DOUBLE 1
#define ROUND_FLOAT 2
#define ROUND_TYPE 4

Soft range_round(Wide w, int stages, RangeFormat f) {
  Wide x = w;
  for (int s = 0; s < 3; ++s) {
    if ((stages & (1 << s)) == 0) continue;
    const int bits = s == 0 ? 53 : (s == 1 ? 24 : f.bits);
    const int emin = s == 0 ? -1074 : (s == 1 ? -149 : f.emin);
    x = wide_of(round_wide(x, bits, emin));
  }
  return Soft(x.mag.lo, x.e, x.neg);
}

/** The bits of element i (of n) of the op (RANGE_*): a, b, c are the push constants of range.comp. */
uint64_t range_bits(int op, RangeFormat f, uint64_t a, uint64_t b, uint64_t c, uint n, uint halfway, uint i) {
  if (op == RANGE_ARANGE && f.kind >= KIND_INT) {
    const uint64_t v = a + b * uint64_t(i);  // int64 wraps as two's complement, as the CPU's cast
    return f.kind == KIND_BOOL ? (v != uint64_t(0) ? uint64_t(1) : uint64_t(0)) : v;
  }
  const Soft start = soft_from_f64_bits(a);
  const Soft step = soft_from_f64_bits(b);
  const Soft end = soft_from_f64_bits(c);
  // x * k alone is x * k + (-0): adding -0 changes nothing, not even the sign of a zero product.
  const Soft minus_zero = Soft(uint64_t(0), 0, true);
  const bool half_like = f.kind == KIND_HALF;
  const bool arange = op == RANGE_ARANGE;
  // Rounding of an operation: arange computes in double and converts (through float for half
  // and bfloat16, Note [Half conversions]); linspace computes in the type (in float, rounded to
  // the type, for half and bfloat16), or in double for integers.
  const int from_double = ROUND_DOUBLE | (half_like ? ROUND_FLOAT : 0) | ROUND_TYPE;
  const int in_type = (half_like ? ROUND_FLOAT : 0) | ROUND_TYPE;
  const int rounding = arange ? from_double : (f.kind >= KIND_INT ? ROUND_DOUBLE : in_type);
  // Note [Range rounding]: pairs of vectors of `lanes` elements while two fit, each lane from the
  // value at its vector's start, then the scalar formula for the rest. Integer linspace has no
  // vector path.
  const uint lanes = uint(f.lanes);
  const uint vector_end = f.kind >= KIND_INT ? 0u : (n / (2u * lanes)) * (2u * lanes);
  const bool lane_path = i < vector_end;
  const uint lane = lane_path ? i % lanes : 0u;
  const uint j = i - lane;  // the element of the scalar formula
  const bool from_start = j < halfway;
  const uint kk = arange ? j : (from_start ? j : n - j - 1u);
  const Soft from = arange ? start : (from_start ? start : end);
  // The value is at most four operations r = round(x * k + c), in phases: 0, the step times
  // T(kk) of half linspace; 1, the scalar formula; 2, the step times the lane (linspace); 3, the
  // lane's value from the vector's start. One call of each soft operation keeps the code small.
  Soft times = minus_zero, base = minus_zero;
  for (int phase = 0; phase < 4; ++phase) {
    if ((phase == 0 && (arange || !half_like)) || (phase >= 2 && !lane_path) || (phase == 2 && arange)) continue;
    Soft x = step;
    uint k = kk;
    bool neg_k = false;
    Soft add = minus_zero;
    if (phase == 0 || phase == 2) {  // step * T(k), a product in the type
      const uint m = phase == 0 ? kk : lane;
      k = half_like ? round_uint(round_uint(m, 24), f.bits) : m;
    } else if (phase == 1) {
      neg_k = !arange && !from_start;
      add = from;
      if (!arange && half_like) x = times, k = 1u;  // from +- times(kk)
      else if (!arange && f.kind == KIND_NATIVE) k = round_uint(kk, f.bits);  // T(kk)
    } else {  // phase 3
      add = base;
      if (arange) k = lane;  // fma(double(k), step, double(base))
      else x = times, k = 1u;  // base + times(lane), unfused
    }
    const Soft r = range_round(fma_exact(x, k, neg_k, add), phase == 1 || phase == 3 ? rounding : in_type, f);
    if (phase == 0 || phase == 2) times = r;
    else base = r;
  }
  if (f.kind == KIND_BOOL) return base.m != uint64_t(0) ? uint64_t(1) : uint64_t(0);
  if (f.kind == KIND_INT) return soft_to_integral_bits(base, f.int64);
  return pack_ieee(base, f.bits, f.emin, f.exp_bits);
}

#endif
