#version 450
// moments: var and std with a correction, one workgroup per output (striding over the
// outputs), input and output of the variant's floating type. OP 0 var, 1 std.
//
// Note [Variance on the GPU]
// Two passes over each output's elements, each combined in a fixed tree in shared memory, so
// the result does not depend on the launch:
//   1. mean = sum of x * (1 / n)   (scaled first, so a sum of large values cannot overflow)
//   2. m2 = sum of d^2 - (sum of d)^2 / n, with d = x - mean
// The second pass is the corrected two-pass algorithm: its correction term cancels the mean's
// rounding error, so large means lose no accuracy (a sum of squares minus n * mean^2 would lose
// all of it). float, half and bfloat16 compute in float, float64 in double (Vulkan only). The
// CPU's Welford in double rounds differently, so float results agree to a few float ulps
// (tests/test_vulkan_window.cpp). Squares of deviations beyond 1.8e19 overflow float.
#include "common.glsl"

layout(local_size_x = WG_SIZE) in;
layout(constant_id = 0) const int OP = 0;

#if defined(TYPE_F64)
#define ACC double
#define OUT_T double
#define DT DT_F64
#else
#define NO_F64_INPUTS
#define ACC float
#if defined(TYPE_F32)
#define OUT_T uint
#define DT DT_F32
#elif defined(TYPE_F16)
#define OUT_T uint16_t
#define DT DT_F16
#else
#define OUT_T uint16_t
#define DT DT_BF16
#endif
#endif
#include "dtype.glsl"

layout(std430, binding = 0) writeonly buffer Out { OUT_T data[]; } out_buf;
layout(std430, binding = 1) readonly buffer In { uint words[]; } in_buf;  // Note [Inputs as words]
// meta.v: [kept ndim, kept sizes, kept input strides, reduced ndim, reduced sizes, reduced input
// strides] (as reduce.comp's), outermost first.
layout(std430, binding = 2) readonly buffer Meta { int v[]; } meta;

layout(push_constant) uniform Push {
  uint outputs;     // elements of out (contiguous)
  uint reduced;     // elements of each output's set (n)
  uint in_offset;   // storage offsets, in elements
  uint out_offset;
  uint inv_n_lo;    // 1 / n (0 when n is 0): float bits, or double bits for float64
  uint inv_n_hi;
  uint divisor_lo;  // max(0, n - correction), likewise
  uint divisor_hi;
} pc;

DEFINE_LOAD_BITS(load_in, in_buf)

shared ACC s_a[WG_SIZE];
shared ACC s_b[WG_SIZE];

uint offset_of(uint index, int at) {  // at: the meta word holding the part's ndim
  const int ndim = meta.v[at];
  uint off = 0u, rest = index;
  for (int d = ndim - 1; d >= 0; --d) {
    const uint size = uint(meta.v[at + 1 + d]);
    off += (rest % size) * uint(meta.v[at + 1 + ndim + d]);
    rest /= size;
  }
  return off;
}

ACC constant_of(uint lo, uint hi) {
#if defined(TYPE_F64)
  return uint64BitsToDouble((uint64_t(hi) << 32) | uint64_t(lo));
#else
  return uintBitsToFloat(lo);
#endif
}

ACC value_at(uint at) {
#if defined(TYPE_F64)
  return uint64BitsToDouble(load_in(at, DT));
#else
  return bits_to_float(load_in(at, DT), DT);
#endif
}

void main() {
  const uint t = gl_LocalInvocationID.x;
  const int reduced_at = 1 + 2 * meta.v[0];
  const ACC inv_n = constant_of(pc.inv_n_lo, pc.inv_n_hi);
  const ACC divisor = constant_of(pc.divisor_lo, pc.divisor_hi);
  for (uint o = gl_WorkGroupID.x; o < pc.outputs; o += gl_NumWorkGroups.x) {
    const uint base = pc.in_offset + offset_of(o, 0);
    ACC sum = ACC(0);
    for (uint r = t; r < pc.reduced; r += WG_SIZE) sum += value_at(base + offset_of(r, reduced_at)) * inv_n;
    s_a[t] = sum;
    barrier();
    for (uint s = WG_SIZE / 2u; s > 0u; s >>= 1) {
      if (t < s) s_a[t] += s_a[t + s];
      barrier();
    }
    const ACC mean = s_a[0];
    barrier();  // s_a is written again below
    ACC sum_d = ACC(0), sum_d2 = ACC(0);
    for (uint r = t; r < pc.reduced; r += WG_SIZE) {
      const ACC d = value_at(base + offset_of(r, reduced_at)) - mean;
      sum_d += d;
      sum_d2 += d * d;
    }
    s_a[t] = sum_d;
    s_b[t] = sum_d2;
    barrier();
    for (uint s = WG_SIZE / 2u; s > 0u; s >>= 1) {
      if (t < s) {
        s_a[t] += s_a[t + s];
        s_b[t] += s_b[t + s];
      }
      barrier();
    }
    if (t == 0u) {
      // m2 is never negative in exact arithmetic; rounding could make it so by a hair. (No
      // max(): GLSL leaves max of a NaN undefined.)
      ACC m2 = s_b[0] - s_a[0] * s_a[0] * inv_n;
      if (m2 < ACC(0)) m2 = ACC(0);
      // A division by 0 is the CPU's: inf for a positive m2, else NaN (Vulkan leaves x / 0 to
      // the driver).
#if defined(TYPE_F64)
      const ACC inf = uint64BitsToDouble(uint64_t(0x7ff) << 52), nan = uint64BitsToDouble(uint64_t(0xfff8) << 48);
#else
      const ACC inf = uintBitsToFloat(0x7f800000u), nan = uintBitsToFloat(0x7fc00000u);
#endif
      ACC r = divisor == ACC(0) ? (m2 > ACC(0) ? inf : nan) : m2 / divisor;
      if (OP == 1) r = sqrt(r);
      const uint at = pc.out_offset + o;
#if defined(TYPE_F32)
      out_buf.data[at] = floatBitsToUint(r);
#elif defined(TYPE_F16)
      out_buf.data[at] = uint16_t(float_to_half_bits(r));
#elif defined(TYPE_BF16)
      out_buf.data[at] = uint16_t(float_to_bf16_bits(r));
#else
      out_buf.data[at] = r;
#endif
    }
    barrier();  // s_a and s_b are written again for the next output
  }
}
