#version 450
// Running sums, products and log-sum-exps along one dim, one thread per row (striding over the
// rows), each combining its row in order, as backend/cpu/rows.hpp does. OP: 0 cumsum, 1 cumprod,
// 2 logcumsumexp (float and float64 accumulators: its CPU kernel computes in float for float,
// half and bfloat16). The variant is the output's type and its accumulator:
//   i64          integer and bool inputs (IN_DT), int64 wrapping sums and products: the CPU's bits
//   f64          float64, double arithmetic: the CPU's bits (logcumsumexp: f64math.glsl's exp and
//                log1p, within a few ulp of the CPU's)
//   f32_dacc, f16_dacc, bf16_dacc   double sums and products of float, half, bfloat16, each
//                rounded to the type as convert<R>(double) does: the CPU's bits (Vulkan only)
//   f32, f16, bf16   float accumulators: logcumsumexp (GPU exp and log, so within a few ulp of
//                the CPU's), and sums and products for devices without double (Metal), Note
//                [Float cumsum]
//
// Note [Float cumsum]
// A float accumulator rounds every running sum to float where the CPU keeps a double, so the
// k-th result may differ from the CPU's by about k * 2^-24 times the sum of |x| so far (half
// and bfloat16 then round to their own type, which hides most of it); a running product by
// about k * 2^-24 of its magnitude.
#include "common.glsl"

layout(local_size_x = WG_SIZE) in;
layout(constant_id = 0) const int OP = 0;
layout(constant_id = 1) const int IN_DT = 8;  // DT_F32

#if defined(TYPE_I64)
#define INT_INPUTS_ONLY
#define ACC int64_t
#define OUT_T uint64_t
#elif defined(TYPE_F64) || defined(DOUBLE_ACC)
#define ACC double
#else
#define NO_F64_INPUTS
#define ACC float
#endif
#include "dtype.glsl"
#if !defined(TYPE_I64) && !defined(TYPE_F64) && !defined(DOUBLE_ACC)
#define FLOAT_ACC
#include "floatmath.glsl"
#endif
#if defined(TYPE_F64)
#include "f64math.glsl"

/** logcumsumexp's step as the CPU takes it: NaN wins, equal infinities stay. */
double f64_logaddexp(double acc, double v) {
  if (f64_isnan(acc) || f64_isnan(v)) return f64_nan();
  const double lo = min(acc, v), hi = max(acc, v);
  if (lo == hi && (lo == f64_inf() || lo == -f64_inf())) return hi;
  precise double r = hi + f64_log1p(f64_exp(lo - hi));
  return r;
}
#endif

#if defined(TYPE_F64)
#define OUT_T double
#elif defined(TYPE_F32)
#define OUT_T uint
#elif defined(TYPE_F16) || defined(TYPE_BF16)
#define OUT_T uint16_t
#endif

layout(std430, binding = 0) writeonly buffer Out { OUT_T data[]; } out_buf;
layout(std430, binding = 1) readonly buffer In { uint words[]; } in_buf;  // Note [Inputs as words]
// meta.v: the rows (every dim but the summed one, coalesced), operands out and in.
#define META_BINDING 2
#include "strided.glsl"

layout(push_constant) uniform Push {
  uint rows;
  uint len;         // elements along the dim
  uint in_offset;   // storage offsets, in elements
  uint out_offset;
  uint in_stride;   // strides along the dim, in elements
  uint out_stride;
} pc;

DEFINE_LOAD_BITS(load_in, in_buf)

ACC value_of(uint64_t bits) {
#if defined(TYPE_I64)
  return bits_to_int64(bits, IN_DT);
#elif defined(TYPE_F64)
  return uint64BitsToDouble(bits);
#elif defined(DOUBLE_ACC)
  return double(bits_to_float(bits, IN_DT));  // half, bfloat16 and float are exact in double
#else
  return bits_to_float(bits, IN_DT);
#endif
}

void store(uint at, ACC acc) {
#if defined(TYPE_I64)
  out_buf.data[at] = uint64_t(acc);
#elif defined(TYPE_F64)
  out_buf.data[at] = acc;
#else
#if defined(DOUBLE_ACC)
  // convert<R>(double): to float rounding to nearest even (Note [Soft rounding]), then, for
  // half and bfloat16, to the type (Note [Half conversions] in core/half.hpp).
  const float f = f64_bits_to_float(doubleBitsToUint64(acc));
#else
  const float f = acc;
#endif
#if defined(TYPE_F32)
  out_buf.data[at] = floatBitsToUint(f);
#elif defined(TYPE_F16)
  out_buf.data[at] = uint16_t(float_to_half_bits(f));
#else
  out_buf.data[at] = uint16_t(float_to_bf16_bits(f));
#endif
#endif
}

void main() {
  GRID_STRIDE_LOOP(row, pc.rows) {
    const uvec4 off = strided_offsets(row, 2);
    uint o = pc.out_offset + off.x, i = pc.in_offset + off.y;
    ACC acc = OP == 1 ? ACC(1) : ACC(0);
#if defined(FLOAT_ACC)
    if (OP == 2) acc = uintBitsToFloat(0xff800000u);  // -inf
#elif defined(TYPE_F64)
    if (OP == 2) acc = -f64_inf();
#endif
    for (uint k = 0u; k < pc.len; ++k, o += pc.out_stride, i += pc.in_stride) {
      const ACC v = value_of(load_in(i, IN_DT));
      // int64 sums and products wrap, as the CPU's math::add and math::mul.
#if defined(FLOAT_ACC)
      if (OP == 2) acc = f32_logaddexp(acc, v);  // the CPU's step: equal infinities stay
      else
#elif defined(TYPE_F64)
      if (OP == 2) acc = f64_logaddexp(acc, v);
      else
#endif
      acc = OP == 1 ? acc * v : acc + v;
      store(o, acc);
    }
  }
}
