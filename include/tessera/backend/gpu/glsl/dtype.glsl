// Element types: codes, loads of any type through 32-bit words, and the conversions of
// core/convert.hpp, in integer arithmetic wherever rounding matters.
#ifndef TESSERA_DTYPE_GLSL
#define TESSERA_DTYPE_GLSL

#include "softfloat.glsl"

// The order of tessera::DType (core/dtype.hpp): the host passes static_cast<int>(dtype).
#define DT_B8 0
#define DT_U8 1
#define DT_I8 2
#define DT_I16 3
#define DT_I32 4
#define DT_I64 5
#define DT_F16 6
#define DT_BF16 7
#define DT_F32 8
#define DT_F64 9

bool dt_is_float(int dt) { return dt >= DT_F16; }

// Note [Inputs as words]
// An input of any element type is bound as an array of 32-bit words and its element read with
// shifts, so one kernel variant reads every input type (the type is a specialization constant,
// and the pipeline compiler drops the other paths). Buffers are allocated in multiples of four
// bytes, so the word holding the last byte of a uint8 tensor is inside its buffer. Outputs are
// typed (a byte store must not rewrite its neighbours), so variants differ by output type.
#define DEFINE_LOAD_BITS(NAME, BUF)                                                          \
  uint64_t NAME(uint idx, int dt) {                                                          \
    if (dt == DT_I64 || dt == DT_F64) {                                                      \
      return uint64_t(BUF.words[2u * idx]) | (uint64_t(BUF.words[2u * idx + 1u]) << 32);   \
    }                                                                                        \
    if (dt == DT_I32 || dt == DT_F32) return uint64_t(BUF.words[idx]);                      \
    if (dt == DT_I16 || dt == DT_F16 || dt == DT_BF16) {                                     \
      return uint64_t((BUF.words[idx >> 1] >> ((idx & 1u) * 16u)) & 0xffffu);               \
    }                                                                                        \
    return uint64_t((BUF.words[idx >> 2] >> ((idx & 3u) * 8u)) & 0xffu);                    \
  }

/** Float -> binary16 bits, round to nearest even; NaN becomes 0x7e00 (core/half.hpp). */
uint float_to_half_bits(float f) {
  uint x = floatBitsToUint(f);
  const uint sign = (x >> 16) & 0x8000u;
  x &= 0x7fffffffu;
  if (x >= 0x7f800000u) return sign | (x > 0x7f800000u ? 0x7e00u : 0x7c00u);
  if (x >= 0x477ff000u) return sign | 0x7c00u;
  if (x < 0x38800000u) {
    if (x < 0x33000000u) return sign;
    const uint mantissa = (x & 0x7fffffu) | 0x800000u;
    const uint shift = 126u - (x >> 23);
    uint r = mantissa >> shift;
    const uint rest = mantissa & ((1u << shift) - 1u);
    const uint halfway = 1u << (shift - 1u);
    if (rest > halfway || (rest == halfway && (r & 1u) != 0u)) r += 1u;
    return sign | r;
  }
  uint r = (x - 0x38000000u) >> 13;
  const uint rest = x & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (r & 1u) != 0u)) r += 1u;
  return sign | r;
}

float half_bits_to_float(uint h) {
  const uint sign = (h & 0x8000u) << 16;
  const uint exponent = (h >> 10) & 0x1fu;
  const uint mantissa = h & 0x3ffu;
  if (exponent == 0u) {  // zero or subnormal: a normal float, exactly
    const float magnitude = float(mantissa) * (1.0 / 16777216.0);
    return sign != 0u ? -magnitude : magnitude;
  }
  if (exponent == 31u) return uintBitsToFloat(sign | 0x7f800000u | (mantissa << 13));
  return uintBitsToFloat(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

/** Float -> bfloat16 bits, round to nearest even; NaN becomes 0x7fc0. */
uint float_to_bf16_bits(float f) {
  const uint x = floatBitsToUint(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return 0x7fc0u;
  return (x + 0x7fffu + ((x >> 16) & 1u)) >> 16;
}

float bf16_bits_to_float(uint b) { return uintBitsToFloat(b << 16); }

/** Double bits -> float, rounded to nearest even as a C++ cast does (Note [Soft rounding]). */
float f64_bits_to_float(uint64_t b) {
  const uint sign = uint(b >> 32) & 0x80000000u;
  if (((b >> 52) & uint64_t(0x7ff)) == uint64_t(0x7ff)) {
    const uint64_t frac = b & ((uint64_t(1) << 52) - uint64_t(1));
    if (frac == uint64_t(0)) return uintBitsToFloat(sign | 0x7f800000u);
    return uintBitsToFloat(sign | 0x7fc00000u | uint(frac >> 29));  // quieted, payload kept
  }
  return uintBitsToFloat(uint(pack_ieee(round_soft(soft_from_f64_bits(b), 24, -149), 24, -149, 8)));
}

/** Whether an element of type dt with these bits is nonzero (NaN is, -0.0 is not). */
bool bits_nonzero(uint64_t bits, int dt) {
  if (dt == DT_F64) return (bits & ~(uint64_t(1) << 63)) != uint64_t(0);
  if (dt == DT_F32) return (uint(bits) & 0x7fffffffu) != 0u;
  if (dt == DT_F16 || dt == DT_BF16) return (uint(bits) & 0x7fffu) != 0u;
  return bits != uint64_t(0);
}

/** Whether an element's bits are a floating NaN (never for integers and bool). */
bool bits_isnan(uint64_t bits, int dt) {
  if (dt == DT_F64) return (bits & ~(uint64_t(1) << 63)) > uint64_t(0x7ff0000000000000ul);
  if (dt == DT_F32) return (uint(bits) & 0x7fffffffu) > 0x7f800000u;
  if (dt == DT_F16) return (uint(bits) & 0x7fffu) > 0x7c00u;
  if (dt == DT_BF16) return (uint(bits) & 0x7fffu) > 0x7f80u;
  return false;
}

/** An integer element's value (bool is 0 or 1). */
int64_t bits_to_int64(uint64_t bits, int dt) {
  if (dt == DT_I8) return int64_t(int(uint(bits) << 24) >> 24);
  if (dt == DT_I16) return int64_t(int(uint(bits) << 16) >> 16);
  if (dt == DT_I32) return int64_t(int(uint(bits)));
  return int64_t(bits);  // b8, u8 zero-extend; i64 as is
}

// Note [Order keys]
// A floating element's key is its sign and magnitude bits as a signed integer (-0 and +0 both
// 0), which orders finite values and infinities as their values do; integer and bool elements
// are their values. NaN is tested on the bits, apart from the keys.
int64_t order_key(uint64_t bits, int dt) {
  if (!dt_is_float(dt)) return bits_to_int64(bits, dt);
  const uint64_t sign = dt == DT_F64 ? (uint64_t(1) << 63)
                        : (dt == DT_F32 ? uint64_t(0x80000000u) : uint64_t(0x8000u));
  const int64_t magnitude = int64_t(bits & (sign - uint64_t(1)));
  return (bits & sign) != uint64_t(0) ? -magnitude : magnitude;
}

/** A floating element's value as float (double rounds to nearest even). */
// Note [Input types of a variant]
// A kernel that never reads float64 (or never reads floats) defines NO_F64_INPUTS (or
// INT_INPUTS_ONLY) to leave the conversions out: they are most of a kernel's code, and the
// MSL of a kernel with all of them exceeds what one string literal may hold on MSVC.
float bits_to_float(uint64_t bits, int dt) {
  if (dt == DT_F32) return uintBitsToFloat(uint(bits));
  if (dt == DT_F16) return half_bits_to_float(uint(bits));
  if (dt == DT_BF16) return bf16_bits_to_float(uint(bits));
#if !defined(NO_F64_INPUTS)
  if (dt == DT_F64) return f64_bits_to_float(bits);
#endif
  if (dt == DT_I64) return float(int64_t(bits));
  return float(int(bits_to_int64(bits, dt)));
}

/** A float converted to an integer type as the CPU does (Note [Float to integer conversion]):
 *  truncation, INT_MIN (of int64 for 64-bit targets, else of int32, then wrapped) for NaN and
 *  out-of-range values. */
int64_t float_to_integral(float v, bool wide64) {
  if (wide64) {
    if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return int64_t(uint64_t(1) << 63);
    return int64_t(v);
  }
  if (!(v >= -2147483648.0 && v < 2147483648.0)) return int64_t(int(0x80000000u));
  return int64_t(int(v));
}

/** Any element converted to an integer type (64-bit or narrower), as convert<To> does. */
int64_t bits_to_integral(uint64_t bits, int dt, bool wide64) {
#if !defined(INT_INPUTS_ONLY)
#if !defined(NO_F64_INPUTS)
  if (dt == DT_F64) return int64_t(soft_to_integral_bits(soft_from_f64_bits(bits), wide64));
#endif
  if (dt_is_float(dt)) return float_to_integral(bits_to_float(bits, dt), wide64);
#endif
  return bits_to_int64(bits, dt);
}

#endif
