#version 450
// softmax and log_softmax (OP 0, 1) along one dim: one workgroup per row (striding over the
// rows), the row's maximum and its sum of exp(x - max) each folded by the threads and combined
// in a fixed tree in shared memory, as backend/cpu/rows.hpp computes them (in float for float,
// half and bfloat16 outputs; exp is the GPU's, Note [GPU transcendentals]).
#include "common.glsl"

layout(local_size_x = WG_SIZE) in;
layout(constant_id = 0) const int OP = 0;
layout(constant_id = 1) const int IN_DT = 8;  // DT_F32

#define NO_F64_INPUTS
#include "dtype.glsl"
#include "floatmath.glsl"

#if defined(TYPE_F32)
#define OUT_T uint
#else
#define OUT_T uint16_t
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

shared float s_val[WG_SIZE];

float x_at(uint base, uint i) { return bits_to_float(load_in(base + i * pc.in_stride, IN_DT), IN_DT); }

// std::max(m, v) as the CPU folds it: a NaN element never becomes the maximum.
float max_skipping_nan(float a, float b) { return f32_isnan(b) ? a : (f32_isnan(a) ? b : max(a, b)); }

void main() {
  const uint t = gl_LocalInvocationID.x;
  for (uint row = gl_WorkGroupID.x; row < pc.rows; row += gl_NumWorkGroups.x) {
    const uvec4 off = strided_offsets(row, 2);
    const uint out_base = pc.out_offset + off.x, in_base = pc.in_offset + off.y;
    float m = uintBitsToFloat(0xff800000u);
    for (uint i = t; i < pc.len; i += WG_SIZE) m = max_skipping_nan(m, x_at(in_base, i));
    s_val[t] = m;
    barrier();
    for (uint s = WG_SIZE / 2u; s > 0u; s >>= 1) {
      if (t < s) s_val[t] = max_skipping_nan(s_val[t], s_val[t + s]);
      barrier();
    }
    m = s_val[0];
    barrier();
    float total = 0.0;
    for (uint i = t; i < pc.len; i += WG_SIZE) total += exp(x_at(in_base, i) - m);
    s_val[t] = total;
    barrier();
    for (uint s = WG_SIZE / 2u; s > 0u; s >>= 1) {
      if (t < s) s_val[t] = s_val[t] + s_val[t + s];
      barrier();
    }
    total = s_val[0];
    barrier();
    const float shift = m + log(total);
    for (uint i = t; i < pc.len; i += WG_SIZE) {
      const float x = x_at(in_base, i);
      const float r = OP == 1 ? x - shift : exp(x - m) / total;
#if defined(TYPE_F32)
      out_buf.data[out_base + i * pc.out_stride] = floatBitsToUint(r);
#elif defined(TYPE_F16)
      out_buf.data[out_base + i * pc.out_stride] = uint16_t(float_to_half_bits(r));
#else
      out_buf.data[out_base + i * pc.out_stride] = uint16_t(float_to_bf16_bits(r));
#endif
    }
  }
}
