#version 450
// unary, binary and ternary elementwise ops (ARITY 1, 2, 3) and comparisons (COMPARE, which
// write bool), strided and broadcasting: out =
// OP(inputs..., scalar), each input of any element type (the specialization constants A_DT,
// B_DT, W_DT), computed in the type COMPUTE_DT (the op's common type before opmath: half and
// bfloat16 compute in float) and stored as the variant's type, with the formulas of
// backend/cpu/math.hpp. docs/gpu.md lists the op codes.
#include "common.glsl"

layout(local_size_x = WG_SIZE) in;
layout(constant_id = 0) const int OP = 0;
layout(constant_id = 1) const int A_DT = 8;  // DT_F32
layout(constant_id = 2) const int B_DT = 8;  // DT_F32
layout(constant_id = 3) const int W_DT = 8;  // DT_F32
layout(constant_id = 4) const int COMPUTE_DT = 8;  // DT_F32
// Where the plan's scalar stands: 0 nowhere (or masked_fill's value), 1 before the tensor (s op
// a), 2 after it (a op s). A scalar operand takes input B's place, so B is not read.
layout(constant_id = 5) const int SCALAR_AT = 0;

// Unary op codes.
#define U_NEG 0
#define U_ABS 1
#define U_SIGN 2
#define U_FLOOR 3
#define U_CEIL 4
#define U_ROUND 5
#define U_RELU 6
#define U_SQRT 7
#define U_RSQRT 8
#define U_EXP 9
#define U_EXPM1 10
#define U_LOG 11
#define U_LOG1P 12
#define U_LOG2 13
#define U_SIN 14
#define U_COS 15
#define U_TAN 16
#define U_TANH 17
#define U_SIGMOID 18
#define U_GELU 19
#define U_SOFTPLUS 20
#define U_ISNAN 21
#define U_ISINF 22
#define U_ISFINITE 23
#define U_LOGICAL_NOT 24
#define U_CLAMP 25  // Note [clamp on the GPU]
#define U_TRUNC 26
#define U_FRAC 27
#define U_RECIPROCAL 28
#define U_EXP2 29
#define U_LOG10 30
#define U_ASIN 31
#define U_ACOS 32
#define U_ATAN 33
#define U_SINH 34
#define U_COSH 35
#define U_ASINH 36
#define U_ACOSH 37
#define U_ATANH 38
#define U_SIGNBIT 39
#define U_ERF 40
#define U_ERFC 41
#define U_BITWISE_NOT 42
#define U_SINC 43
#define U_LOGIT 44  // eps (negative: none) in the scalar, rounded to the output type
#define U_NAN_TO_NUM 45  // the value for NaN in the scalar, for +inf in b_offset, -inf in w_offset
#define U_ERFINV 46
#define U_LGAMMA 47
#define U_DIGAMMA 48
#define U_FREXP_MANTISSA 49
#define U_FREXP_EXPONENT 50
#define U_I0 51
#define U_I1 52  // i0's derivative
#define U_POLYGAMMA 53  // n in the scalar
// Binary op codes.
#define B_ADD 0
#define B_SUB 1
#define B_MUL 2
#define B_DIV 3
#define B_POW 4
#define B_REMAINDER 5
#define B_FMOD 6
#define B_FLOOR_DIVIDE 7
#define B_MINIMUM 8
#define B_MAXIMUM 9
#define B_THRESHOLD_BACKWARD 10
#define B_EQ 11
#define B_NE 12
#define B_LT 13
#define B_LE 14
#define B_GT 15
#define B_GE 16
#define B_LOGICAL_AND 17
#define B_LOGICAL_OR 18
#define B_MASKED_FILL 19
#define B_GELU_BACKWARD 20      // (dy, x): dy times gelu's derivative at x (the erf form)
#define B_SOFTPLUS_BACKWARD 21  // (dy, x): dy times softplus's derivative (beta 1, threshold 20)
#define B_ATAN2 22
#define B_HYPOT 23
#define B_LOGADDEXP 24
#define B_COPYSIGN 25
#define B_HEAVISIDE 26
#define B_BITWISE_AND 27
#define B_BITWISE_OR 28
#define B_BITWISE_XOR 29
#define B_GCD 30
#define B_LCM 31
#define B_SHIFT_LEFT 32   // Note [Shift counts] in backend/cpu/special.hpp
#define B_SHIFT_RIGHT 33
#define B_LOGADDEXP2 34
#define B_XLOGY 35
#define B_NEXTAFTER 36
#define B_DIV_TRUNC 37  // div with rounding_mode "trunc"
#define B_IGAMMA 38
#define B_IGAMMAC 39
// Ternary op codes.
#define T_WHERE 0
#define T_LERP 1

// The variant's output type and the class of arithmetic it computes in: for comparisons the
// class of the compared values (CMP_F32 for float, half and bfloat16; CMP_F64; CMP_INT) and
// bool output. Note [Input types of a variant]: the host launches a variant only on inputs of
// its class's types (promotion guarantees it: the result of float32 inputs is never float64).
#if defined(COMPARE)
#define TYPE_B8
#if defined(CMP_F32)
#define NO_F64_INPUTS
#elif defined(CMP_INT)
#define INT_INPUTS_ONLY
#endif
#elif defined(TYPE_F32) || defined(TYPE_F16) || defined(TYPE_BF16)
#define CLASS_FLOAT
#define NO_F64_INPUTS
#elif defined(TYPE_F64)
#define CLASS_DOUBLE
#elif defined(TYPE_B8)
#define CLASS_BOOL
#define INT_INPUTS_ONLY
#else
#define CLASS_INT
#define INT_INPUTS_ONLY
#endif

#include "dtype.glsl"
#include "floatmath.glsl"
#if defined(CLASS_DOUBLE)
#include "f64math.glsl"
#endif

#if defined(TYPE_B8) || defined(TYPE_U8) || defined(TYPE_I8)
#define OUT_T uint8_t
#elif defined(TYPE_I16) || defined(TYPE_F16) || defined(TYPE_BF16)
#define OUT_T uint16_t
#elif defined(TYPE_I32) || defined(TYPE_F32)
#define OUT_T uint
#elif defined(TYPE_I64)
#define OUT_T uint64_t
#else
#define OUT_T double
#endif

layout(std430, binding = 0) writeonly buffer Out { OUT_T data[]; } out_buf;
layout(std430, binding = 1) readonly buffer InA { uint words[]; } a_buf;  // Note [Inputs as words]
#if ARITY >= 2
layout(std430, binding = 2) readonly buffer InB { uint words[]; } b_buf;
#endif
#if ARITY >= 3
layout(std430, binding = 3) readonly buffer InW { uint words[]; } w_buf;
#endif
#define META_BINDING (ARITY + 1)
#include "strided.glsl"

layout(push_constant) uniform Push {
  uint n;           // elements of out
  uint out_offset;  // storage offsets, in elements of each tensor's type
  uint a_offset;
  uint b_offset;
  uint w_offset;
  uint scalar_lo;   // the scalar's bits in the compute type (int64 for integers, float for
  uint scalar_hi;   // half and bfloat16), low word first
} pc;

// Word `w` of input k. One function reads every input, so that the conversions after it are
// compiled once, not once per operand (a helper is inlined at each of its call sites).
uint input_word(int k, uint w) {
#if ARITY >= 3
  if (k == 2) return w_buf.words[w];
#endif
#if ARITY >= 2
  if (k == 1) return b_buf.words[w];
#endif
  return a_buf.words[w];
}

uint64_t load_input(int k, uint idx, int dt) {
  if (dt == DT_I64 || dt == DT_F64) return uint64_t(input_word(k, 2u * idx)) | (uint64_t(input_word(k, 2u * idx + 1u)) << 32);
  if (dt == DT_I32 || dt == DT_F32) return uint64_t(input_word(k, idx));
  if (dt == DT_I16 || dt == DT_F16 || dt == DT_BF16) return uint64_t((input_word(k, idx >> 1) >> ((idx & 1u) * 16u)) & 0xffffu);
  return uint64_t((input_word(k, idx >> 2) >> ((idx & 3u) * 8u)) & 0xffu);
}

uint64_t scalar_bits() { return (uint64_t(pc.scalar_hi) << 32) | uint64_t(pc.scalar_lo); }

// An integer value of type dt wrapped to the width of COMPUTE_DT (the CPU's narrowing casts).
int64_t wrap_to(int64_t v, int dt) {
  if (dt == DT_B8) return v != int64_t(0) ? int64_t(1) : int64_t(0);
  if (dt == DT_U8) return v & int64_t(0xff);
  if (dt == DT_I8) return (v << 56) >> 56;
  if (dt == DT_I16) return (v << 48) >> 48;
  if (dt == DT_I32) return (v << 32) >> 32;
  return v;
}

/** convert<C>(x) for an integer compute type C = COMPUTE_DT (bool: 0 or 1). */
int64_t int_of(uint64_t bits, int dt) {
  if (COMPUTE_DT == DT_B8) return bits_nonzero(bits, dt) ? int64_t(1) : int64_t(0);
  return wrap_to(bits_to_integral(bits, dt, COMPUTE_DT == DT_I64), COMPUTE_DT);
}

// Note [Float64 compared as bits]
// compare.f64 compares doubles as their IEEE bits (converting other input types to double bits
// exactly), so it needs no 64-bit float arithmetic and runs on Metal too.
#if defined(CMP_F64)
uint64_t f64_bits_of(uint64_t bits, int dt) {
  if (dt == DT_F64) return bits;
  if (dt_is_float(dt)) {  // float -> double is exact
    const uint f = floatBitsToUint(bits_to_float(bits, dt));
    const uint64_t sign = uint64_t(f >> 31) << 63;
    const uint mag = f & 0x7fffffffu;
    if (mag >= 0x7f800000u) return sign | (uint64_t(0x7ff) << 52) | (uint64_t(mag & 0x7fffffu) << 29);
    if (mag == 0u) return sign;
    return pack_ieee(f32_soft(f), 53, -1074, 11);
  }
  const int64_t v = bits_to_int64(bits, dt);
  const uint64_t mag = v < int64_t(0) ? uint64_t(0) - uint64_t(v) : uint64_t(v);
  return pack_ieee(round_soft(Soft(mag, 0, v < int64_t(0)), 53, -1074), 53, -1074, 11);
}
#endif

/** The class of a floating element from its bits: 0 finite, 1 infinite, 2 NaN (integers: 0). */
int float_class(uint64_t bits, int dt) {
  uint64_t mag, inf;
  if (dt == DT_F64) mag = bits << 1, inf = uint64_t(0x7ff) << 53;
  else if (dt == DT_F32) mag = bits & uint64_t(0x7fffffffu), inf = uint64_t(0x7f800000u);
  else if (dt == DT_F16) mag = bits & uint64_t(0x7fffu), inf = uint64_t(0x7c00u);
  else if (dt == DT_BF16) mag = bits & uint64_t(0x7fffu), inf = uint64_t(0x7f80u);
  else return 0;
  return mag < inf ? 0 : (mag == inf ? 1 : 2);
}

/** The sign bit of an element from its bits: set for -0.0, -NaN and negative integers, never
 *  for uint8 and bool. Read as a bit, not as bits_to_int64(bits, dt) < 0, which lavapipe ran as
 *  false for every negative int8 and int32 in this bool-output variant. */
bool sign_bit(uint64_t bits, int dt) {
  if (dt == DT_F64 || dt == DT_I64) return (bits >> 63) != uint64_t(0);
  if (dt == DT_F32 || dt == DT_I32) return ((bits >> 31) & uint64_t(1)) != uint64_t(0);
  if (dt == DT_F16 || dt == DT_BF16 || dt == DT_I16) return ((bits >> 15) & uint64_t(1)) != uint64_t(0);
  if (dt == DT_I8) return ((bits >> 7) & uint64_t(1)) != uint64_t(0);
  return false;
}

// A comparison key: values of the compute type in the order of int64 keys (-0 and +0 equal),
// and whether the value is NaN.
struct Key {
  int64_t key;
  bool nan;
};

#if defined(COMPARE)
Key compare_key(uint64_t bits, int dt) {
#if defined(CMP_INT)
  return Key(int_of(bits, dt), false);
#else
#if defined(CMP_F64)
  const uint64_t d = f64_bits_of(bits, dt);
  const uint64_t mag = d & ~(uint64_t(1) << 63);
  const bool neg = (d >> 63) != uint64_t(0);
  if (mag > (uint64_t(0x7ff) << 52)) return Key(int64_t(0), true);
#else
  const uint f = floatBitsToUint(bits_to_float(bits, dt));
  const uint64_t mag = uint64_t(f & 0x7fffffffu);
  const bool neg = (f >> 31) != 0u;
  if (mag > uint64_t(0x7f800000u)) return Key(int64_t(0), true);
#endif
  return Key(neg ? -int64_t(mag) : int64_t(mag), false);
#endif
}
#endif

#if defined(COMPARE)
/** A comparison or logical op on two keys. */
bool compare_op(int op, Key x, Key y) {
  if (op == B_LOGICAL_AND || op == B_LOGICAL_OR) {
    const bool p = x.nan || x.key != int64_t(0), q = y.nan || y.key != int64_t(0);
    return op == B_LOGICAL_AND ? (p && q) : (p || q);
  }
  if (op == B_EQ) return !x.nan && !y.nan && x.key == y.key;
  if (op == B_NE) return x.nan || y.nan || x.key != y.key;
  if (x.nan || y.nan) return false;
  if (op == B_LT) return x.key < y.key;
  if (op == B_LE) return x.key <= y.key;
  if (op == B_GT) return x.key > y.key;
  return x.key >= y.key;
}
#endif

#if defined(COMPARE)
#elif defined(CLASS_FLOAT)
#define VAL float
VAL val_of(uint64_t bits, int dt) { return bits_to_float(bits, dt); }
VAL scalar_val() { return uintBitsToFloat(pc.scalar_lo); }
void store(uint o, VAL v) {
#if defined(TYPE_F32)
  out_buf.data[o] = floatBitsToUint(v);
#elif defined(TYPE_F16)
  out_buf.data[o] = uint16_t(float_to_half_bits(v));
#else
  out_buf.data[o] = uint16_t(float_to_bf16_bits(v));
#endif
}
VAL nan_val() { return uintBitsToFloat(F32_QNAN); }
bool val_isnan(VAL x) { return f32_isnan(x); }
VAL val_div(VAL a, VAL b) { return f32_div(a, b); }
VAL val_fmod(VAL a, VAL b) { return f32_fmod(a, b); }
VAL val_neg(VAL a) { return uintBitsToFloat(floatBitsToUint(a) ^ 0x80000000u); }
VAL val_abs(VAL a) { return uintBitsToFloat(floatBitsToUint(a) & 0x7fffffffu); }
bool val_signbit(VAL a) { return (floatBitsToUint(a) >> 31) != 0u; }
#elif defined(CLASS_DOUBLE)
#define VAL double
VAL val_of(uint64_t bits, int dt) {
  if (dt == DT_F64) return uint64BitsToDouble(bits);
  if (dt_is_float(dt)) return double(bits_to_float(bits, dt));
  return double(bits_to_int64(bits, dt));
}
VAL scalar_val() { return uint64BitsToDouble(scalar_bits()); }
void store(uint o, VAL v) { out_buf.data[o] = v; }
VAL nan_val() { return uint64BitsToDouble(uint64_t(0x7ff8) << 48); }
bool val_isnan(VAL x) { return (doubleBitsToUint64(x) << 1) > (uint64_t(0x7ff) << 53); }
VAL val_div(VAL a, VAL b) { return a / b; }
/** std::fmod in integers: exact (the result is representable), with the sign of a; the
 *  remainder of the 53-bit mantissas, shifted up 11 bits at a time. */
VAL val_fmod(VAL a, VAL b) {
  const uint64_t ua = doubleBitsToUint64(a), ub = doubleBitsToUint64(b);
  const uint64_t magnitude = ~(uint64_t(1) << 63), inf = uint64_t(0x7ff) << 52;
  const uint64_t ma = ua & magnitude, mb = ub & magnitude;
  if (ma >= inf || mb > inf || mb == uint64_t(0)) return nan_val();
  if (mb == inf || ma < mb) return a;
  const Soft x = soft_from_f64_bits(ua), y = soft_from_f64_bits(ub);
  uint64_t r;
  int e;
  if (x.e >= y.e) {
    r = x.m % y.m;
    for (int d = x.e - y.e; d > 0; d -= 11) r = (r << min(d, 11)) % y.m;
    e = y.e;
  } else {
    r = x.m % (y.m << (y.e - x.e));
    e = x.e;
  }
  return uint64BitsToDouble(pack_ieee(Soft(r, e, x.neg), 53, -1074, 11));
}
VAL val_neg(VAL a) { return uint64BitsToDouble(doubleBitsToUint64(a) ^ (uint64_t(1) << 63)); }
VAL val_abs(VAL a) { return uint64BitsToDouble(doubleBitsToUint64(a) & ~(uint64_t(1) << 63)); }
bool val_signbit(VAL a) { return (doubleBitsToUint64(a) >> 63) != uint64_t(0); }
bool val_isinf(VAL x) { return (doubleBitsToUint64(x) << 1) == (uint64_t(0x7ff) << 53); }
/** std::frexp's mantissa (|m| in [0.5, 1), x's sign) or exponent of x, on the bits (subnormal x
 *  too, as f32_frexp); 0, infinities and NaN give themselves and exponent 0. */
VAL val_frexp(VAL x, bool exponent) {
  const uint64_t bits = doubleBitsToUint64(x), sign = bits & (uint64_t(1) << 63), magnitude = bits ^ sign;
  const uint64_t fraction_mask = (uint64_t(1) << 52) - uint64_t(1);
  if (magnitude == uint64_t(0) || magnitude >= (uint64_t(0x7ff) << 52)) return exponent ? 0.0lf : x;
  int e = int(magnitude >> 52) - 1022;
  uint64_t fraction = magnitude & fraction_mask;
  if (e == -1022) {  // subnormal: the fraction's top bit p becomes the implicit one
    const uint hi = uint(fraction >> 32);
    const int p = hi != 0u ? 32 + findMSB(hi) : findMSB(uint(fraction));
    e = p - 1073;
    fraction = (fraction << uint(52 - p)) & fraction_mask;
  }
  return exponent ? double(e) : uint64BitsToDouble(sign | (uint64_t(1022) << 52) | fraction);
}
#else
#define VAL int64_t
VAL val_of(uint64_t bits, int dt) { return int_of(bits, dt); }
VAL scalar_val() { return int64_t(scalar_bits()); }
void store(uint o, VAL v) {
#if defined(TYPE_I64)
  out_buf.data[o] = uint64_t(v);
#else
  out_buf.data[o] = OUT_T(uint(v));  // the low bits: 8 and 16-bit types only convert from 32 bits
#endif
}
#endif

// Note [clamp on the GPU]
// clamp is a unary op whose bounds are not operands: min is in the scalar, max in b_offset (low
// word) and w_offset (high word), which a unary kernel does not otherwise read, both as the
// compute type's bits; SCALAR_AT has bit 0 set when min is given and bit 1 when max is. As
// clamp_kernel in backend/cpu/elementwise.hpp: NaN stays NaN, a NaN bound alone is ignored,
// and with both bounds given a NaN bound makes every element NaN.
#if !defined(COMPARE) && !defined(CLASS_BOOL)
VAL clamp_max_val() {
  const uint64_t bits = (uint64_t(pc.w_offset) << 32) | uint64_t(pc.b_offset);
#if defined(CLASS_FLOAT)
  return uintBitsToFloat(uint(bits));
#elif defined(CLASS_DOUBLE)
  return uint64BitsToDouble(bits);
#else
  return int64_t(bits);
#endif
}
#endif

// Note [float64 nan_to_num]
// nan_to_num's values are parameters like clamp's bounds: NaN's in the scalar, and in float,
// half and bfloat16 the float bits of +inf's in b_offset and -inf's in w_offset. Three doubles
// do not fit the push constants, so in float64 the doubles for +inf and -inf follow the meta
// buffer's strides instead, four words, low word first.

#if defined(CLASS_FLOAT) || defined(CLASS_DOUBLE)
VAL clamp_float(VAL x) {
  const bool has_lo = (SCALAR_AT & 1) != 0, has_hi = (SCALAR_AT & 2) != 0;
  const VAL lo = scalar_val(), hi = clamp_max_val();
  if (has_lo && has_hi && (val_isnan(lo) || val_isnan(hi))) return nan_val();
  if (val_isnan(x)) return x;
  if (has_lo && x < lo) x = lo;
  if (has_hi && x > hi) x = hi;
  return x;
}

VAL unary_float(int op, VAL x) {
  if (op == U_CLAMP) return clamp_float(x);
  if (op == U_NEG) return val_neg(x);
  if (op == U_ABS) return val_abs(x);
  if (op == U_SIGN) return VAL(0.0 < x) - VAL(x < 0.0);  // NaN gives 0
  if (op == U_FLOOR) return floor(x);
  if (op == U_CEIL) return ceil(x);
  if (op == U_ROUND) return roundEven(x);  // nearbyint in the default rounding mode
  if (op == U_RELU) return x < 0.0 ? VAL(0.0) : x;
  if (op == U_SQRT) return sqrt(x);
  if (op == U_RSQRT) return VAL(1.0) / sqrt(x);  // as approximate as sqrt on a GPU
  if (op == U_TRUNC) return trunc(x);
  if (op == U_FRAC) return x - trunc(x);
  // As approximate as division on a GPU: the exact f32_div, inlined here, crashes glslc's optimizer.
  if (op == U_RECIPROCAL) return VAL(1.0) / x;
#if defined(CLASS_FLOAT)
  // Note [GPU transcendentals]: approximations, not the CPU's bits.
  if (op == U_EXP) return exp(x);
  if (op == U_EXPM1) return f32_expm1(x);
  if (op == U_LOG) return log(x);
  if (op == U_LOG1P) return f32_log1p(x);
  if (op == U_LOG2) return log2(x);
  if (op == U_SIN) return sin(x);
  if (op == U_COS) return cos(x);
  if (op == U_TAN) return tan(x);
  if (op == U_TANH) return f32_tanh(x);
  if (op == U_SIGMOID) return 1.0 / (1.0 + exp(-x));
  if (op == U_GELU) return x * 0.5 * (1.0 + f32_erf(x * 0.70710678118654752));
  if (op == U_SOFTPLUS) return x > 20.0 ? x : f32_log1p(exp(x));
  if (op == U_EXP2) return exp2(x);
  if (op == U_LOG10) return f32_log10(x);
  if (op == U_ASIN) return f32_asin(x);
  if (op == U_ACOS) return f32_acos(x);
  if (op == U_ATAN) return atan(x);
  if (op == U_SINH) return f32_sinh(x);
  if (op == U_COSH) return f32_cosh(x);
  if (op == U_ASINH) return f32_asinh(x);
  if (op == U_ACOSH) return f32_acosh(x);
  if (op == U_ATANH) return f32_atanh(x);
  if (op == U_ERF) return f32_erf(x);
  if (op == U_ERFC) return f32_erfc(x);
  if (op == U_SINC) {
    if (x == 0.0) return 1.0;
    const float product = 3.14159265358979323846 * x;
    return sin(product) / product;  // approximate, as sin (f32_div here would double the MSL)
  }
  if (op == U_FREXP_MANTISSA || op == U_FREXP_EXPONENT) return f32_frexp(x, op == U_FREXP_EXPONENT);
  if (op == U_NAN_TO_NUM) {  // exact: the values are the input type's, as float bits
    if (f32_isnan(x)) return scalar_val();
    if (f32_isinf(x)) return uintBitsToFloat(x > 0.0 ? pc.b_offset : pc.w_offset);
    return x;
  }
  if (op == U_LOGIT) {  // math::logit: x clamped to [eps, 1 - eps] when eps >= 0
    if (f32_isnan(x)) return x;
    const float eps = scalar_val();
    if (eps >= 0.0) x = x < eps ? eps : (x > 1.0 - eps ? 1.0 - eps : x);
    return x == 1.0 ? uintBitsToFloat(0x7f800000u) : log(x / (1.0 - x));
  }
#elif defined(CLASS_DOUBLE)
  // Note [GPU transcendentals]: f64math.glsl's approximations, within a few ulps of the CPU's.
  if (op == U_EXP) return f64_exp(x);
  if (op == U_EXPM1) return f64_expm1(x);
  if (op == U_EXP2) return f64_exp2(x);
  if (op == U_LOG) return f64_log(x);
  if (op == U_LOG1P) return f64_log1p(x);
  if (op == U_LOG2) return f64_log2(x);
  if (op == U_LOG10) return f64_log10(x);
  if (op == U_TANH) return f64_tanh(x);
  if (op == U_SINH) return f64_sinh(x);
  if (op == U_COSH) return f64_cosh(x);
  if (op == U_ASINH) return f64_asinh(x);
  if (op == U_ACOSH) return f64_acosh(x);
  if (op == U_ATANH) return f64_atanh(x);
  if (op == U_SIN) return f64_sin(x);
  if (op == U_COS) return f64_cos(x);
  if (op == U_TAN) return f64_tan(x);
  if (op == U_SINC) return f64_sinc(x);
  if (op == U_ASIN) return f64_asin(x);
  if (op == U_ACOS) return f64_acos(x);
  if (op == U_ATAN) return f64_atan(x);
  if (op == U_ERF) return f64_erf(x);
  if (op == U_ERFC) return f64_erfc(x);
  if (op == U_GELU) {  // math::gelu's formula
    precise double r = x * 0.5lf * (1.0lf + f64_erf(x * 0.7071067811865476lf));
    return r;
  }
  if (op == U_SIGMOID) return 1.0lf / (1.0lf + f64_exp(-x));  // math::sigmoid's formula
  if (op == U_SOFTPLUS) return x > 20.0lf ? x : f64_log1p(f64_exp(x));
  if (op == U_LOGIT) {  // math::logit's formula: x clamped to [eps, 1 - eps] when eps >= 0
    const double eps = scalar_val();
    if (eps >= 0.0lf) x = x < eps ? eps : (x > 1.0lf - eps ? 1.0lf - eps : x);
    return x == 1.0lf ? f64_inf() : f64_log(x / (1.0lf - x));
  }
  if (op == U_FREXP_MANTISSA || op == U_FREXP_EXPONENT) return val_frexp(x, op == U_FREXP_EXPONENT);
  if (op == U_NAN_TO_NUM) {  // exact; Note [float64 nan_to_num]
    if (val_isnan(x)) return scalar_val();
    if (val_isinf(x)) {
      const int at = 1 + (ARITY + 2) * meta.v[0] + (val_signbit(x) ? 2 : 0);
      return uint64BitsToDouble(uint64_t(uint(meta.v[at])) | (uint64_t(uint(meta.v[at + 1])) << 32));
    }
    return x;
  }
#endif
  return nan_val();
}

// Note [pow by a scalar]: PyTorch computes a ** b for a scalar b of 0.5, -0.5, -1, 2, 3 or -2 by
// sqrt, 1 / sqrt, 1 / a, a * a, a * a * a and 1 / (a * a).
bool pow_by_other_ops(VAL b) { return b == VAL(2) || b == VAL(3) || b == VAL(-2) || b == VAL(-1) || abs(b) == VAL(0.5); }
VAL pow_by_scalar(VAL a, VAL b) {
  if (b == VAL(2)) return a * a;
  if (b == VAL(3)) return a * a * a;
  if (b == VAL(-2)) return VAL(1) / (a * a);
  if (b == VAL(-1)) return VAL(1) / a;
  return b > VAL(0) ? sqrt(a) : VAL(1) / sqrt(a);
}

VAL binary_float(int op, VAL a, VAL b) {
  if (op == B_ADD) return a + b;
  if (op == B_SUB) return a - b;
  if (op == B_MUL) return a * b;
#if defined(CLASS_FLOAT)
  if (op == B_POW) return SCALAR_AT == 2 && pow_by_other_ops(b) ? pow_by_scalar(a, b) : f32_pow(a, b);
  // Note [GPU transcendentals]: autograd/formulas.hpp's GeluBackwardOp and SoftplusBackwardOp
  // with the GPU's exp and floatmath.glsl's erf.
  if (op == B_GELU_BACKWARD) {
    const VAL cdf = 0.5 * (1.0 + f32_erf(b * 0.70710678118654752));
    const VAL pdf = 0.39894228040143268 * exp(b * b * -0.5);
    return a * (cdf + b * pdf);
  }
  if (op == B_SOFTPLUS_BACKWARD) {
    const VAL z = exp(b);
    return b > 20.0 ? a : a * z / (z + 1.0);
  }
#elif defined(CLASS_DOUBLE)
  if (op == B_POW) return SCALAR_AT == 2 && pow_by_other_ops(b) ? pow_by_scalar(a, b) : f64_pow(a, b);
  if (op == B_GELU_BACKWARD) {  // GeluBackwardOp's formula, with f64math.glsl's erf and exp
    precise VAL cdf = 0.5lf * (1.0lf + f64_erf(b * 0.7071067811865476lf));
    precise VAL pdf = 0.3989422804014327lf * f64_exp(b * b * -0.5lf);
    precise VAL r = a * (cdf + b * pdf);
    return r;
  }
  if (op == B_SOFTPLUS_BACKWARD) {
    const VAL z = f64_exp(b);
    return b > 20.0lf ? a : a * z / (z + 1.0lf);
  }
#endif
  if (op == B_DIV || op == B_REMAINDER || op == B_FMOD || op == B_FLOOR_DIVIDE || op == B_DIV_TRUNC) {
    // One fmod and one division serve div, its "trunc" form, remainder, fmod and floor_divide:
    // an exact division is long code, and a variant's MSL must stay small (Note [Math variants]).
    const bool needs_mod = op != B_DIV && op != B_DIV_TRUNC && !(op == B_FLOOR_DIVIDE && b == 0.0);
    const VAL mod = needs_mod ? val_fmod(a, b) : VAL(0.0);
    if (op == B_FMOD) return mod;
    if (op == B_REMAINDER) return mod != 0.0 && ((b < 0.0) != (mod < 0.0)) ? mod + b : mod;
    VAL div = val_div(needs_mod ? a - mod : a, b);
    if (op == B_DIV_TRUNC) {  // DivTruncOp: a half or bfloat16 quotient rounds to its type first
#if defined(TYPE_F16)
      div = half_bits_to_float(float_to_half_bits(div));
#elif defined(TYPE_BF16)
      div = bf16_bits_to_float(float_to_bf16_bits(div));
#endif
      return trunc(div);
    }
    if (op == B_DIV || !needs_mod) return div;
    if (mod != 0.0 && ((b < 0.0) != (mod < 0.0))) div -= 1.0;
    if (div != 0.0) {
      VAL floordiv = floor(div);
      if (div - floordiv > 0.5) floordiv += 1.0;
      return floordiv;
    }
    return val_signbit(a) != val_signbit(b) ? val_neg(VAL(0.0)) : VAL(0.0);  // copysign(0, a / b)
  }
  if (op == B_MINIMUM) return val_isnan(a) ? a : (val_isnan(b) ? b : (b < a ? b : a));
  if (op == B_MAXIMUM) return val_isnan(a) ? a : (val_isnan(b) ? b : (a < b ? b : a));
  if (op == B_THRESHOLD_BACKWARD) return b <= 0.0 ? VAL(0.0) : a;
  if (op == B_COPYSIGN) return val_signbit(a) == val_signbit(b) ? a : val_neg(a);
  if (op == B_HEAVISIDE) return a == 0.0 ? b : VAL(a > 0.0);  // NaN gives 0, as PyTorch
  return nan_val();
}
#endif

// Note [Math variants]
// The special functions are compiled apart, into the unary_math and binary_math variants (float,
// half and bfloat16; MATH defined), so that no variant's MSL nears MSVC's limit on one string
// literal (docs/gpu.md). The host picks the family by the op (kMath in backend/gpu/gpu_kernels.hpp).
// unary_math.f64 and binary_math.f64 follow the same split for float64, though they have no MSL.
#if defined(MATH) && !defined(CLASS_DOUBLE)
VAL unary_math(int op, VAL x) {
  if (op == U_ERFINV) return f32_erfinv(x);
  if (op == U_LGAMMA) return f32_lgamma(x);
  if (op == U_I0 || op == U_I1) return f32_bessel_i(op == U_I1 ? 1 : 0, x);
  // Each function once (a call site inlines its body): polygamma of order 0 is digamma's.
  const int n = op == U_POLYGAMMA ? int(scalar_val()) : -1;
  if (op == U_DIGAMMA || n == 0) return f32_digamma(x);
  if (n == 1) return f32_trigamma(x);
  if (n >= 2) return f32_polygamma_zeta(n, x);
  return nan_val();
}

VAL binary_math(int op, VAL a, VAL b) {
  if (op == B_ATAN2) return f32_atan2(a, b);
  if (op == B_HYPOT) return f32_hypot(a, b);
  if (op == B_LOGADDEXP || op == B_LOGADDEXP2) {
    // math::logaddexp and logaddexp2 (base 2) in one copy: equal infinities give themselves.
    if (f32_isnan(a) || f32_isnan(b)) return nan_val();
    if (f32_isinf(a) && a == b) return a;
    const bool two = op == B_LOGADDEXP2;
    const float d = -abs(a - b), l = f32_log1p(two ? exp2(d) : exp(d));
    return max(a, b) + (two ? l * 1.4426950408889634 : l);
  }
  if (op == B_XLOGY) return f32_isnan(b) ? nan_val() : (a == 0.0 ? 0.0 : a * f32_log(b));
  if (op == B_IGAMMA || op == B_IGAMMAC) return f32_igamma(a, b, op == B_IGAMMAC);
  if (op == B_NEXTAFTER) {  // std::nextafter on the bits; a bfloat16 is a float's top half
#if defined(TYPE_BF16)
    const uint ulp = 0x10000u;
#else
    const uint ulp = 1u;
#endif
    if (f32_isnan(a) || f32_isnan(b)) return nan_val();
    if (a == b) return b;
    if (a == 0.0) return uintBitsToFloat((floatBitsToUint(b) & 0x80000000u) | ulp);
    return uintBitsToFloat((a < b) == (a > 0.0) ? floatBitsToUint(a) + ulp : floatBitsToUint(a) - ulp);
  }
  return nan_val();
}
#elif defined(MATH)
// unary_math.f64 and binary_math.f64: the special functions in double, with f64math.glsl's.

// Cephes' Chebyshev coefficients of I0 and I1, as backend/cpu/special.hpp's (Note [Bessel I0 and
// I1 as PyTorch computes them]): I0 on [0, 8] (30), beyond (25), then I1 on [0, 8] (29), beyond (25).
const double F64_BESSEL[109] = double[109](
    -4.41534164647933937950E-18lf, 3.33079451882223809783E-17lf, -2.43127984654795469359E-16lf, 1.71539128555513303061E-15lf,
    -1.16853328779934516808E-14lf, 7.67618549860493561688E-14lf, -4.85644678311192946090E-13lf, 2.95505266312963983461E-12lf,
    -1.72682629144155570723E-11lf, 9.67580903537323691224E-11lf, -5.18979560163526290666E-10lf, 2.65982372468238665035E-9lf,
    -1.30002500998624804212E-8lf, 6.04699502254191894932E-8lf, -2.67079385394061173391E-7lf, 1.11738753912010371815E-6lf,
    -4.41673835845875056359E-6lf, 1.64484480707288970893E-5lf, -5.75419501008210370398E-5lf, 1.88502885095841655729E-4lf,
    -5.76375574538582365885E-4lf, 1.63947561694133579842E-3lf, -4.32430999505057594430E-3lf, 1.05464603945949983183E-2lf,
    -2.37374148058994688156E-2lf, 4.93052842396707084878E-2lf, -9.49010970480476444210E-2lf, 1.71620901522208775349E-1lf,
    -3.04682672343198398683E-1lf, 6.76795274409476084995E-1lf, -7.23318048787475395456E-18lf, -4.83050448594418207126E-18lf,
    4.46562142029675999901E-17lf, 3.46122286769746109310E-17lf, -2.82762398051658348494E-16lf, -3.42548561967721913462E-16lf,
    1.77256013305652638360E-15lf, 3.81168066935262242075E-15lf, -9.55484669882830764870E-15lf, -4.15056934728722208663E-14lf,
    1.54008621752140982691E-14lf, 3.85277838274214270114E-13lf, 7.18012445138366623367E-13lf, -1.79417853150680611778E-12lf,
    -1.32158118404477131188E-11lf, -3.14991652796324136454E-11lf, 1.18891471078464383424E-11lf, 4.94060238822496958910E-10lf,
    3.39623202570838634515E-9lf, 2.26666899049817806459E-8lf, 2.04891858946906374183E-7lf, 2.89137052083475648297E-6lf,
    6.88975834691682398426E-5lf, 3.36911647825569408990E-3lf, 8.04490411014108831608E-1lf, 2.77791411276104639959E-18lf,
    -2.11142121435816608115E-17lf, 1.55363195773620046921E-16lf, -1.10559694773538630805E-15lf, 7.60068429473540693410E-15lf,
    -5.04218550472791168711E-14lf, 3.22379336594557470981E-13lf, -1.98397439776494371520E-12lf, 1.17361862988909016308E-11lf,
    -6.66348972350202774223E-11lf, 3.62559028155211703701E-10lf, -1.88724975172282928790E-9lf, 9.38153738649577178388E-9lf,
    -4.44505912879632808065E-8lf, 2.00329475355213526229E-7lf, -8.56872026469545474066E-7lf, 3.47025130813767847674E-6lf,
    -1.32731636560394358279E-5lf, 4.78156510755005422638E-5lf, -1.61760815825896745588E-4lf, 5.12285956168575772895E-4lf,
    -1.51357245063125314899E-3lf, 4.15642294431288815669E-3lf, -1.05640848946261981558E-2lf, 2.47264490306265168283E-2lf,
    -5.29459812080949914269E-2lf, 1.02643658689847095384E-1lf, -1.76416518357834055153E-1lf, 2.52587186443633654823E-1lf,
    7.51729631084210481353E-18lf, 4.41434832307170791151E-18lf, -4.65030536848935832153E-17lf, -3.20952592199342395980E-17lf,
    2.96262899764595013876E-16lf, 3.30820231092092828324E-16lf, -1.88035477551078244854E-15lf, -3.81440307243700780478E-15lf,
    1.04202769841288027642E-14lf, 4.27244001671195135429E-14lf, -2.10154184277266431302E-14lf, -4.08355111109219731823E-13lf,
    -7.19855177624590851209E-13lf, 2.03562854414708950722E-12lf, 1.41258074366137813316E-11lf, 3.25260358301548823856E-11lf,
    -1.89749581235054123450E-11lf, -5.58974346219658380687E-10lf, -3.83538038596423702205E-9lf, -2.63146884688951950684E-8lf,
    -2.51223623787020892529E-7lf, -3.88256480887769039346E-6lf, -1.10588938762623716291E-4lf, -9.76109749136146840777E-3lf,
    7.78576235018280120474E-1lf);

/** I0(x) (order 0) or I1(x) (order 1) as math::bessel_i0 and bessel_i1, with this file's exp. */
double f64_bessel_i(int order, double x) {
  const double a = abs(x);
  const bool small = a <= 8.0lf;
  const int start = order == 0 ? (small ? 0 : 30) : (small ? 55 : 84);
  const int len = order == 0 ? (small ? 30 : 25) : (small ? 29 : 25);
  const double y = small ? a * 0.5lf - 2.0lf : 32.0lf / a - 2.0lf;
  double b0 = F64_BESSEL[start], b1 = 0.0lf, b2 = 0.0lf;  // Clenshaw's recurrence (Cephes' chbevl)
  for (int i = 1; i < len; ++i) {
    b2 = b1;
    b1 = b0;
    b0 = fma(y, b1, -b2) + F64_BESSEL[start + i];
  }
  const double series = 0.5lf * (b0 - b2), e = f64_exp(a);
  precise double r = small ? (order == 1 ? e * a * series : e * series) : e * series / sqrt(a);
  return order == 1 && x < 0.0lf ? -r : r;
}

/** erfinv as math::erfinv: Pavlis's rational first guess and two Newton steps on erf. Near
 *  |y| = 1 the steps divide erf's last bits by its vanishing slope, on the CPU as here, so the
 *  two agree to (a few ulps of erf) / erf'(x) there. */
double f64_erfinv(double y) {
  const double ay = abs(y);
  if (ay > 1.0lf) return f64_nan();
  if (ay == 1.0lf) return y > 0.0lf ? f64_inf() : -f64_inf();
  precise double x;
  if (ay <= 0.7lf) {
    precise double z = y * y;
    precise double num = ((-0.140543331lf * z + 0.914624893lf) * z + -1.645349621lf) * z + 0.886226899lf;
    precise double den = (((0.012229801lf * z + -0.329097515lf) * z + 1.442710462lf) * z + -2.118377725lf) * z + 1.0lf;
    x = y * num / den;
  } else {
    const double z = sqrt(-f64_log((1.0lf - ay) / 2.0lf));
    precise double num = ((1.641345311lf * z + 3.429567803lf) * z + -1.624906493lf) * z + -1.970840454lf;
    precise double den = (1.6370678lf * z + 3.5438892lf) * z + 1.0lf;
    x = (y < 0.0lf ? -num : num) / den;
  }
  for (int step = 0; step < 2; ++step) x = x - (f64_erf(x) - y) / (1.1283791670955126lf * f64_exp(-x * x));
  return x;
}

/** trigamma as math::trigamma: reflection below 1/2, six recurrence steps, the asymptotic series. */
double f64_trigamma(double x) {
  double sign = 1.0lf;
  precise double result = 0.0lf;
  if (x < 0.5lf) {
    sign = -1.0lf;
    precise double angle = 3.14159265358979311600e+00lf * x;
    const double s = f64_sin(angle);
    result -= 9.869604401089358lf / (s * s);  // pi * pi rounded, as the CPU's
    x = 1.0lf - x;
  }
  for (int i = 0; i < 6; ++i) {
    result += 1.0lf / (x * x);
    x += 1.0lf;
  }
  precise double ixx = 1.0lf / (x * x);
  result += (1.0lf + 1.0lf / (2.0lf * x) + ixx * (1.0lf / 6.0lf - ixx * (1.0lf / 30.0lf - ixx * (1.0lf / 42.0lf)))) / x;
  return sign * result;
}

/** Hurwitz zeta(x, q) for q > 0 or an integer x, by math::zeta's Euler-Maclaurin summation. */
double f64_zeta_sum(double x, double q) {
  const double A[12] = double[12](12.0lf, -720.0lf, 30240.0lf, -1209600.0lf, 47900160.0lf, -1.8924375803183791606e9lf,
                                  7.47242496e10lf, -2.950130727918164224e12lf, 1.1646782814350067249e14lf,
                                  -4.5979787224074726105e15lf, 1.8152105401943546773e17lf, -7.1661652561756670113e18lf);
  const double machep = 1.11022302462515654042E-16lf;
  precise double s = f64_pow(q, -x);
  double a = q, b = 0.0lf;
  for (int i = 0; i < 9 || a <= 9.0lf;) {
    ++i;
    a += 1.0lf;
    b = f64_pow(a, -x);
    s += b;
    if (-machep * s < b && b < machep * s) return s;
  }
  const double w = a;
  s += b * w / (x - 1.0lf);
  s -= 0.5lf * b;
  precise double c = 1.0lf;
  double k = 0.0lf;
  for (int i = 0; i < 12; ++i) {
    c *= x + k;
    b /= w;
    precise double t = c * b / A[i];
    s += t;
    if (abs(t / s) < machep) return s;
    k += 1.0lf;
    c *= x + k;
    b /= w;
    k += 1.0lf;
  }
  return s;
}

/** polygamma(n, x) for n >= 2 as math::polygamma: (-1)^(n+1) n! zeta(n + 1, x), zeta of a q below
 *  -4096 from three sums of positive arguments (Note [zeta of a large negative q]). */
double f64_polygamma_zeta(int n, double q) {
  const double x = double(n + 1);
  if (q <= 0.0lf && q == floor(q)) return f64_inf();
  const bool split = q < -4096.0lf;
  const double r = q - floor(q), sign = (n & 1) == 1 ? 1.0lf : -1.0lf;  // (-1)^x, x = n + 1
  precise double zeta = f64_zeta_sum(x, split ? r : q);
  if (split) zeta += sign * (f64_zeta_sum(x, 1.0lf - r) - f64_zeta_sum(x, 1.0lf - q));
  precise double factorial = f64_exp(f64_lgamma(double(n) + 1.0lf));
  return sign * factorial * zeta;  // (-1)^(n + 1) n! zeta
}

VAL unary_math(int op, VAL x) {
  if (op == U_ERFINV) return f64_erfinv(x);
  if (op == U_LGAMMA) return f64_lgamma(x);
  if (op == U_I0 || op == U_I1) return f64_bessel_i(op == U_I1 ? 1 : 0, x);
  const int n = op == U_POLYGAMMA ? int(scalar_val()) : -1;
  if (op == U_DIGAMMA || n == 0) return f64_digamma(x);
  if (n == 1) return f64_trigamma(x);
  if (n >= 2) return f64_polygamma_zeta(n, x);
  return nan_val();
}

/** P(a, x), or Q(a, x) when `upper`: f32_igamma in double (Note [Incomplete gamma on the GPU]),
 *  with math::lgamma1p's 22 Taylor terms, double's epsilon and f64math.glsl's functions. */
double f64_igamma(double a, double x, bool upper) {
  if (val_isnan(a) || val_isnan(x) || a < 0.0lf || x < 0.0lf) return nan_val();
  const double p_is_one = upper ? 0.0lf : 1.0lf;
  if (a == 0.0lf) return x > 0.0lf ? p_is_one : nan_val();
  if (x == 0.0lf) return 1.0lf - p_is_one;
  if (val_isinf(a)) return val_isinf(x) ? nan_val() : 1.0lf - p_is_one;
  if (val_isinf(x)) return p_is_one;
  const double log_x = f64_log(x), eps = 2.220446049250313e-16lf;
  const bool small_x = upper && (x <= 0.5lf ? -0.4lf / log_x >= a : x <= 1.1lf && x * 1.1lf >= a);
  const bool series = !small_x && x < a + 1.0lf;
  double lg;  // lgamma(1 + a) for the series and small x, lgamma(a) for the fraction
  if ((series || small_x) && a < 0.2lf) {
    const double c[22] = double[22](
        0.8224670334241132lf, -0.40068563438653143lf, 0.27058080842778454lf, -0.207385551028674lf,
        0.16955717699740822lf, -0.14404989676884614lf, 0.12550966952474304lf, -0.11133426586956469lf,
        0.10009945751278179lf, -0.09095401714582904lf, 0.083353840546109lf, -0.0769325164113522lf,
        0.07143294629536134lf, -0.06666870588242046lf, 0.06250095514121304lf, -0.05882397865868458lf,
        0.055555767627403614lf, -0.05263167937961666lf, 0.05000004769810169lf, -0.04761907033014223lf,
        0.04545455629320467lf, -0.04347826605304026lf);  // (-1)^k zeta(k) / k, k = 2 to 23, as the CPU rounds them
    double sum = 0.0lf;
    for (int k = 21; k >= 0; --k) sum = (sum + c[k]) * a;
    lg = (sum - 0.5772156649015329lf) * a;
  } else {
    lg = f64_lgamma(series || small_x ? 1.0lf + a : a);
  }
  const double l = a * log_x - (small_x ? 0.0lf : x) - lg, e = f64_exp(l);
  if (small_x) {
    double factor = 1.0lf, sum = 0.0lf;
    for (int n = 1; n < 2000; ++n) {
      factor *= -x / double(n);
      const double term = factor / (a + double(n));
      sum += term;
      if (abs(term) <= eps * abs(sum)) break;
    }
    return -f64_expm1(l) - a * e * sum;
  }
  if (series) {
    double term = 1.0lf, sum = 1.0lf;
    for (int n = 1; n < 2000; ++n) {
      term *= x / (a + double(n));
      sum += term;
      if (term < sum * eps) break;
    }
    return upper ? 1.0lf - sum * e : sum * e;
  }
  const double tiny = 1.0020841800044864e-292lf;  // DBL_MIN / DBL_EPSILON
  double b = x + 1.0lf - a, c = 1.0lf / tiny, d = 1.0lf / b, h = d;
  for (int i = 1; i < 2000; ++i) {
    const double an = -double(i) * (double(i) - a);
    b += 2.0lf;
    d = an * d + b;
    if (abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (abs(c) < tiny) c = tiny;
    d = 1.0lf / d;
    const double delta = d * c;
    h *= delta;
    if (abs(delta - 1.0lf) < eps) break;
  }
  return upper ? e * h : 1.0lf - e * h;
}

VAL binary_math(int op, VAL a, VAL b) {
  if (op == B_ATAN2) return f64_atan2(a, b);
  if (op == B_HYPOT) return f64_hypot(a, b);
  if (op == B_LOGADDEXP || op == B_LOGADDEXP2) {  // math::logaddexp and logaddexp2's formulas
    if (val_isinf(a) && a == b) return a;
    const VAL m = a < b ? b : a, d = -abs(a - b);
    precise VAL r = op == B_LOGADDEXP ? m + f64_log1p(f64_exp(d)) : m + f64_log1p(f64_exp2(d)) * 1.4426950408889634lf;
    return r;
  }
  if (op == B_XLOGY) return val_isnan(b) ? nan_val() : (a == 0.0lf ? 0.0lf : a * f64_log(b));
  if (op == B_IGAMMA || op == B_IGAMMAC) return f64_igamma(a, b, op == B_IGAMMAC);
  if (op == B_NEXTAFTER) {  // std::nextafter on the bits
    if (val_isnan(a) || val_isnan(b)) return nan_val();
    // order keys (dtype.glsl), read from the bits so that no GPU flushes a subnormal on the way
    const int64_t ka = order_key(doubleBitsToUint64(a), DT_F64), kb = order_key(doubleBitsToUint64(b), DT_F64);
    if (ka == kb) return b;
    const uint64_t bits = doubleBitsToUint64(a);
    if (ka == int64_t(0)) return uint64BitsToDouble((doubleBitsToUint64(b) & (uint64_t(1) << 63)) | uint64_t(1));
    return uint64BitsToDouble((ka < kb) == (ka > int64_t(0)) ? bits + uint64_t(1) : bits - uint64_t(1));
  }
  return nan_val();
}
#endif

#if defined(CLASS_INT)
VAL int_pow(VAL base, VAL e) {
  if (e < int64_t(0)) {
    if (base == int64_t(1)) return int64_t(1);
    if (base == int64_t(-1)) return (e & int64_t(1)) == int64_t(0) ? int64_t(1) : int64_t(-1);
    return int64_t(0);
  }
  uint64_t result = uint64_t(1), b = uint64_t(base);
  for (uint64_t k = uint64_t(e); k != uint64_t(0); k >>= 1) {
    if ((k & uint64_t(1)) != uint64_t(0)) result = result * b;
    b = b * b;
  }
  return int64_t(result);
}

/** math::gcd and math::lcm in the width of COMPUTE_DT: Euclid on the absolute values (the most
 *  negative value is its own), lcm = |a / gcd * b|, of the int product for the narrow types and
 *  wrapping in the type for int32 and int64. */
VAL gcd_lcm(int op, VAL a0, VAL b0) {
  VAL a = wrap_to(a0 < int64_t(0) ? -a0 : a0, COMPUTE_DT), b = wrap_to(b0 < int64_t(0) ? -b0 : b0, COMPUTE_DT);
  while (a != int64_t(0)) {
    const VAL c = a;
    a = a == int64_t(-1) ? int64_t(0) : b - (b / a) * a;  // C's %; x % -1 is 0
    b = c;
  }
  if (op == B_GCD || b == int64_t(0)) return op == B_GCD ? b : int64_t(0);
  const bool narrow = COMPUTE_DT == DT_U8 || COMPUTE_DT == DT_I8 || COMPUTE_DT == DT_I16;
  const VAL product = narrow ? (a0 / b) * b0 : wrap_to((a0 / b) * b0, COMPUTE_DT);
  return wrap_to(product < int64_t(0) ? -product : product, COMPUTE_DT);
}

VAL binary_int(int op, VAL a, VAL b) {
  const bool is_signed = COMPUTE_DT != DT_U8;
  if (op == B_ADD) return a + b;
  if (op == B_SUB) return a - b;
  if (op == B_MUL) return a * b;
  if (op == B_POW) return int_pow(a, b);
  if (op == B_REMAINDER || op == B_FMOD) {
    if (is_signed && b == int64_t(-1)) return int64_t(0);  // avoids INT_MIN % -1
    VAL r = a - (a / b) * b;                               // C's %: the sign of a
    if (op == B_REMAINDER && r != int64_t(0) && ((r < int64_t(0)) != (b < int64_t(0)))) r += b;
    return r;
  }
  if (op == B_FLOOR_DIVIDE || op == B_DIV_TRUNC) {
    if (is_signed && b == int64_t(-1)) return -a;
    const VAL q = a / b;  // C's division: toward zero
    if (op == B_DIV_TRUNC) return q;
    if ((a < int64_t(0)) != (b < int64_t(0)) && a - q * b != int64_t(0)) return q - int64_t(1);
    return q;
  }
  if (op == B_MINIMUM) return b < a ? b : a;
  if (op == B_MAXIMUM) return a < b ? b : a;
  if (op == B_THRESHOLD_BACKWARD) return b <= int64_t(0) ? int64_t(0) : a;
  if (op == B_HEAVISIDE) return a == int64_t(0) ? b : VAL(a > int64_t(0));
  if (op == B_BITWISE_AND) return a & b;
  if (op == B_BITWISE_OR) return a | b;
  if (op == B_BITWISE_XOR) return a ^ b;
  if (op == B_SHIFT_LEFT || op == B_SHIFT_RIGHT) {
    // The count modulo the width C++ shifts in: int for the narrow types, else the type's.
    const int64_t count = b & (COMPUTE_DT == DT_I64 ? int64_t(63) : int64_t(31));
    return op == B_SHIFT_LEFT ? a << count : a >> count;  // arithmetic for signed values
  }
  if (op == B_GCD || op == B_LCM) return gcd_lcm(op, a, b);
  return int64_t(0);
}

VAL unary_int(int op, VAL x) {
  if (op == U_CLAMP) {  // Note [clamp on the GPU]
    if ((SCALAR_AT & 1) != 0 && x < scalar_val()) x = scalar_val();
    if ((SCALAR_AT & 2) != 0 && x > clamp_max_val()) x = clamp_max_val();
    return x;
  }
  if (op == U_NEG) return -x;
  if (op == U_ABS) return x < int64_t(0) ? -x : x;
  if (op == U_SIGN) return VAL(int64_t(0) < x) - VAL(x < int64_t(0));
  if (op == U_RELU) return x < int64_t(0) ? int64_t(0) : x;
  if (op == U_BITWISE_NOT) return ~x;
  return x;  // floor, ceil, round, trunc
}
#endif

void main() {
  GRID_STRIDE_LOOP(i, pc.n) {
    const uvec4 off = strided_offsets(i, ARITY + 1);
    const uint o = pc.out_offset + off.x;
    // The operands in the op's order: a scalar stands before or after the tensor.
    uint64_t raw[3];
    int dts[3];
    int k_tensor = 0;
    for (int k = 0; k < ARITY; ++k) {
      const bool is_scalar = ARITY == 2 && SCALAR_AT != 0 && k == (SCALAR_AT == 1 ? 0 : 1);
      if (is_scalar) {
        raw[k] = scalar_bits();
        dts[k] = COMPUTE_DT == DT_F16 || COMPUTE_DT == DT_BF16 ? DT_F32 : COMPUTE_DT;
      } else {
        const int dt = k_tensor == 0 ? A_DT : (k_tensor == 1 ? B_DT : W_DT);
        const uint offset = k_tensor == 0 ? pc.a_offset + off.y : (k_tensor == 1 ? pc.b_offset + off.z : pc.w_offset + off.w);
        raw[k] = load_input(k_tensor, offset, dt);
        dts[k] = dt;
        k_tensor += 1;
      }
    }
#if ARITY == 1
#if defined(CLASS_BOOL)
    // Predicates of any input type, and the identities of bool (abs, sign, relu, ...).
    bool r;
    if (OP == U_ISNAN || OP == U_ISINF || OP == U_ISFINITE) {
      const int c = float_class(raw[0], dts[0]);
      r = OP == U_ISNAN ? c == 2 : (OP == U_ISINF ? c == 1 : c == 0);
    } else if (OP == U_LOGICAL_NOT || OP == U_BITWISE_NOT) {
      r = !bits_nonzero(raw[0], dts[0]);
    } else if (OP == U_SIGNBIT) {
      r = sign_bit(raw[0], dts[0]);
    } else {
      r = bits_nonzero(raw[0], dts[0]);
    }
    out_buf.data[o] = uint8_t(r ? 1u : 0u);
#elif defined(CLASS_INT)
    store(o, wrap_to(unary_int(OP, val_of(raw[0], dts[0])), COMPUTE_DT));
#elif defined(MATH)
    store(o, unary_math(OP, val_of(raw[0], dts[0])));
#else
    store(o, unary_float(OP, val_of(raw[0], dts[0])));
#endif
#elif ARITY == 2 && defined(COMPARE)
    Key keys[2];
    for (int k = 0; k < 2; ++k) keys[k] = compare_key(raw[k], dts[k]);
    out_buf.data[o] = uint8_t(compare_op(OP, keys[0], keys[1]) ? 1u : 0u);
#elif ARITY == 2
#if defined(CLASS_BOOL)
    bool r;
    if (OP == B_MASKED_FILL) {
      r = bits_nonzero(raw[1], dts[1]) ? bits_nonzero(scalar_bits(), DT_I64) : bits_nonzero(raw[0], dts[0]);
    } else {  // bool arithmetic: add is or, mul is and; minimum, maximum, heaviside, bitwise, threshold_backward
      const bool u = bits_nonzero(raw[0], dts[0]), v = bits_nonzero(raw[1], dts[1]);
      if (OP == B_ADD || OP == B_MAXIMUM || OP == B_HEAVISIDE || OP == B_BITWISE_OR) r = u || v;
      else if (OP == B_MUL || OP == B_MINIMUM || OP == B_BITWISE_AND) r = u && v;
      else if (OP == B_BITWISE_XOR) r = u != v;
      else r = v && u;  // threshold_backward: b <= 0 ? 0 : a
    }
    out_buf.data[o] = uint8_t(r ? 1u : 0u);
#else
    VAL v[2];
    for (int k = 0; k < 2; ++k) v[k] = val_of(raw[k], dts[k]);
    VAL r;
    if (OP == B_MASKED_FILL) {
      r = bits_nonzero(raw[1], dts[1]) ? scalar_val() : v[0];
    } else {
#if defined(CLASS_INT)
      r = wrap_to(binary_int(OP, v[0], v[1]), COMPUTE_DT);
#elif defined(MATH)
      r = binary_math(OP, v[0], v[1]);
#else
      r = binary_float(OP, v[0], v[1]);
#endif
    }
    store(o, r);
#endif
#else  // ARITY == 3: where(cond, a, b) and lerp(start, end, weight)
#if defined(CLASS_BOOL)
    const bool r = bits_nonzero(raw[0], dts[0]) ? bits_nonzero(raw[1], dts[1]) : bits_nonzero(raw[2], dts[2]);
    out_buf.data[o] = uint8_t(r ? 1u : 0u);
#else
    VAL v[3];
    for (int k = 0; k < 3; ++k) v[k] = val_of(raw[k], dts[k]);
    VAL r;
    if (OP == T_WHERE) {
      r = bits_nonzero(raw[0], dts[0]) ? v[1] : v[2];
    } else {
#if defined(CLASS_INT)
      r = int64_t(0);
#else
      const VAL start = v[0], end = v[1], weight = v[2];
      precise VAL d = end - start;
      precise VAL lerp_lo = fma(weight, d, start);  // math::lerp's fused multiply-adds
      precise VAL lerp_hi = fma(-d, VAL(1.0) - weight, end);
      r = abs(weight) < VAL(0.5) ? lerp_lo : lerp_hi;
#endif
    }
    store(o, r);
#endif
#endif
  }
}
