#version 450
// softmax and log_softmax (OP 0, 1) along one dim: one workgroup per row (striding over the
// rows), the row's maximum and its sum of exp(x - max) each folded by the threads and combined
// in a fixed tree in shared memory, as backend/cpu/rows.hpp computes them (in float for float,
// half and bfloat16 outputs, in double for float64; exp and log are the GPU's, or f64math.glsl's,
// Note [GPU transcendentals]).
#include "common.glsl"

layout(local_size_x = WG_SIZE) in;
layout(constant_id = 0) const int OP = 0;
layout(constant_id = 1) const int IN_DT = 8;  // DT_F32

#if defined(TYPE_F64)
#include "dtype.glsl"
#include "f64math.glsl"
#define VAL double
#define OUT_T uint64_t
VAL val_of(uint64_t bits) { return IN_DT == DT_F64 ? uint64BitsToDouble(bits) : double(bits_to_float(bits, IN_DT)); }
bool val_isnan(VAL x) { return f64_isnan(x); }
VAL val_exp(VAL x) { return f64_exp(x); }
VAL val_log(VAL x) { return f64_log(x); }
#define NEG_INF uint64BitsToDouble(uint64_t(0xfff00000u) << 32)
#else
#define NO_F64_INPUTS
#include "dtype.glsl"
#include "floatmath.glsl"
#define VAL float
#if defined(TYPE_F32)
#define OUT_T uint
#else
#define OUT_T uint16_t
#endif
VAL val_of(uint64_t bits) { return bits_to_float(bits, IN_DT); }
bool val_isnan(VAL x) { return f32_isnan(x); }
VAL val_exp(VAL x) { return exp(x); }
VAL val_log(VAL x) { return log(x); }
#define NEG_INF uintBitsToFloat(0xff800000u)
#endif

layout(std430, binding = 0) writeonly buffer Out { OUT_T data[]; } out_buf;
layout(std430, binding = 1) readonly buffer In { uint words[]; } in_buf;  // Note [Inputs as words]
#define META_BINDING 2
#include "strided.glsl"  // the rows: the shape with the softmax dim removed, operands out and in

layout(push_constant) uniform Push {
  uint rows;
  uint len;         // elements along the dim
  uint in_offset;   // storage offsets, in elements
  uint out_offset;
  uint in_stride;   // strides along the dim
  uint out_stride;
} pc;

DEFINE_LOAD_BITS(load_in, in_buf)

shared VAL s_val[WG_SIZE];

VAL x_at(uint base, uint i) { return val_of(load_in(base + i * pc.in_stride, IN_DT)); }

// std::max(m, v) as the CPU folds it: a NaN element never becomes the maximum.
VAL max_skipping_nan(VAL a, VAL b) { return val_isnan(b) ? a : (val_isnan(a) ? b : max(a, b)); }

void main() {
  const uint t = gl_LocalInvocationID.x;
  for (uint row = gl_WorkGroupID.x; row < pc.rows; row += gl_NumWorkGroups.x) {
    const uvec4 off = strided_offsets(row, 2);
    const uint out_base = pc.out_offset + off.x, in_base = pc.in_offset + off.y;
    VAL m = NEG_INF;
    for (uint i = t; i < pc.len; i += WG_SIZE) m = max_skipping_nan(m, x_at(in_base, i));
    s_val[t] = m;
    barrier();
    for (uint s = WG_SIZE / 2u; s > 0u; s >>= 1) {
      if (t < s) s_val[t] = max_skipping_nan(s_val[t], s_val[t + s]);
      barrier();
    }
    m = s_val[0];
    barrier();
    VAL total = VAL(0.0);
    for (uint i = t; i < pc.len; i += WG_SIZE) total += val_exp(x_at(in_base, i) - m);
    s_val[t] = total;
    barrier();
    for (uint s = WG_SIZE / 2u; s > 0u; s >>= 1) {
      if (t < s) s_val[t] = s_val[t] + s_val[t + s];
      barrier();
    }
    total = s_val[0];
    barrier();
    const VAL shift = m + val_log(total);
    for (uint i = t; i < pc.len; i += WG_SIZE) {
      const VAL x = x_at(in_base, i);
      const VAL r = OP == 1 ? x - shift : val_exp(x - m) / total;
#if defined(TYPE_F64)
      out_buf.data[out_base + i * pc.out_stride] = doubleBitsToUint64(r);
#elif defined(TYPE_F32)
      out_buf.data[out_base + i * pc.out_stride] = floatBitsToUint(r);
#elif defined(TYPE_F16)
      out_buf.data[out_base + i * pc.out_stride] = uint16_t(float_to_half_bits(r));
#else
      out_buf.data[out_base + i * pc.out_stride] = uint16_t(float_to_bf16_bits(r));
#endif
    }
  }
}
