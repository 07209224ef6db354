#version 450
// matmul: out[b] = a[b] @ b[b] for a batch of (M x K) @ (K x N) products (mm is a batch of one),
// tiled: each 16 x 16 workgroup computes a 16 x 16 block of out, stepping through K with
// 16 x 16 tiles of a and b staged in shared memory. Accumulates in float (float, half,
// bfloat16), double, or int64 (integers, wrapped on store as the CPU's exact loops wrap).
#include "common.glsl"

#define TILE 16
layout(local_size_x = TILE, local_size_y = TILE) in;
layout(constant_id = 1) const int IN_DT = 8;  // DT_F32: the dtype of a and b (that of out)

#if defined(TYPE_F32) || defined(TYPE_F16) || defined(TYPE_BF16)
#define NO_F64_INPUTS
#define ACC float
#elif defined(TYPE_F64)
#define ACC double
#else
#define INT_INPUTS_ONLY
#define ACC int64_t
#endif
#include "dtype.glsl"

#if defined(TYPE_U8) || defined(TYPE_I8)
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
layout(std430, binding = 2) readonly buffer InB { uint words[]; } b_buf;

layout(push_constant) uniform Push {
  uint m, n, k;
  uint a_offset, a_batch, a_row, a_col;  // offsets and strides, in elements
  uint b_offset, b_batch, b_row, b_col;
  uint out_offset, out_batch, out_row, out_col;
} pc;

DEFINE_LOAD_BITS(load_a, a_buf)
DEFINE_LOAD_BITS(load_b, b_buf)

ACC value_of(uint64_t bits) {
#if defined(TYPE_F64)
  return uint64BitsToDouble(bits);
#elif defined(NO_F64_INPUTS)
  return bits_to_float(bits, IN_DT);
#else
  return bits_to_int64(bits, IN_DT);
#endif
}

shared ACC tile_a[TILE][TILE];
shared ACC tile_b[TILE][TILE];

void main() {
  const uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y;
  const uint col = gl_WorkGroupID.x * TILE + tx, row = gl_WorkGroupID.y * TILE + ty;
  const uint batch = gl_WorkGroupID.z;
  const uint a_base = pc.a_offset + batch * pc.a_batch, b_base = pc.b_offset + batch * pc.b_batch;
  ACC acc = ACC(0);
  for (uint k0 = 0u; k0 < pc.k; k0 += TILE) {
    // Each thread stages one element of each tile (zero outside the matrices).
    const uint ak = k0 + tx, bk = k0 + ty;
    tile_a[ty][tx] = row < pc.m && ak < pc.k ? value_of(load_a(a_base + row * pc.a_row + ak * pc.a_col, IN_DT)) : ACC(0);
    tile_b[ty][tx] = bk < pc.k && col < pc.n ? value_of(load_b(b_base + bk * pc.b_row + col * pc.b_col, IN_DT)) : ACC(0);
    barrier();
    for (uint j = 0u; j < TILE; ++j) acc += tile_a[ty][j] * tile_b[j][tx];
    barrier();
  }
  if (row < pc.m && col < pc.n) {
    const uint at = pc.out_offset + batch * pc.out_batch + row * pc.out_row + col * pc.out_col;
#if defined(TYPE_F32)
    out_buf.data[at] = floatBitsToUint(acc);
#elif defined(TYPE_F16)
    out_buf.data[at] = uint16_t(float_to_half_bits(acc));
#elif defined(TYPE_BF16)
    out_buf.data[at] = uint16_t(float_to_bf16_bits(acc));
#elif defined(TYPE_F64) || defined(TYPE_I64)
    out_buf.data[at] = OUT_T(acc);
#else
    out_buf.data[at] = OUT_T(uint(acc));
#endif
  }
}
