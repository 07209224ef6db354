#version 450
// matmul: out[b] = a[b] @ b[b] for a batch of (M x K) @ (K x N) products (mm is a batch of one),
// tiled: each 16 x 16 workgroup computes a 64 x 64 block of out, each invocation 4 x 4 of its
// elements (rows ty + 16 i, columns tx + 16 j) held in registers, stepping through K with
// 64 x 16 and 16 x 64 tiles of a and b staged in shared memory: 16 multiply-adds per element
// loaded from shared memory, and one barrier pair per 16 steps of K. Every element adds its
// products in the order of k. Accumulates in float (float, half, bfloat16), double, or int64
// (integers, wrapped on store as the CPU's exact loops wrap).
#include "common.glsl"

#define TILE 16            // invocations per side of a workgroup
#define WORK 4             // elements of out per invocation per side
#define BLOCK (TILE * WORK)  // the side of a workgroup's block of out
#define KT 16              // the steps of K staged at a time
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

shared ACC tile_a[KT][BLOCK];  // tile_a[kk][r] = a(block row + r, k0 + kk)
shared ACC tile_b[KT][BLOCK];  // tile_b[kk][c] = b(k0 + kk, block column + c)

void store(uint row, uint col, uint base, ACC acc) {
  if (row >= pc.m || col >= pc.n) return;
  const uint at = base + row * pc.out_row + col * pc.out_col;
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

void main() {
  const uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y, lid = ty * TILE + tx;
  const uint row0 = gl_WorkGroupID.y * BLOCK, col0 = gl_WorkGroupID.x * BLOCK;
  const uint batch = gl_WorkGroupID.z;
  const uint a_base = pc.a_offset + batch * pc.a_batch, b_base = pc.b_offset + batch * pc.b_batch;
  ACC acc[WORK][WORK];
  for (uint i = 0u; i < WORK; ++i)
    for (uint j = 0u; j < WORK; ++j) acc[i][j] = ACC(0);
  for (uint k0 = 0u; k0 < pc.k; k0 += KT) {
    // Each invocation stages BLOCK * KT / (TILE * TILE) elements of each tile (zero outside the
    // matrices): consecutive invocations read along k in a and along the columns in b.
    for (uint e = 0u; e < BLOCK * KT / (TILE * TILE); ++e) {
      const uint idx = lid + e * TILE * TILE;
      const uint ak = idx % KT, ar = idx / KT;
      const uint arow = row0 + ar, acol = k0 + ak;
      tile_a[ak][ar] = arow < pc.m && acol < pc.k ? value_of(load_a(a_base + arow * pc.a_row + acol * pc.a_col, IN_DT)) : ACC(0);
      const uint bc = idx % BLOCK, bk = idx / BLOCK;
      const uint brow = k0 + bk, bcol = col0 + bc;
      tile_b[bk][bc] = brow < pc.k && bcol < pc.n ? value_of(load_b(b_base + brow * pc.b_row + bcol * pc.b_col, IN_DT)) : ACC(0);
    }
    barrier();
    for (uint kk = 0u; kk < KT; ++kk) {
      ACC av[WORK], bv[WORK];
      for (uint i = 0u; i < WORK; ++i) av[i] = tile_a[kk][ty + i * TILE];
      for (uint j = 0u; j < WORK; ++j) bv[j] = tile_b[kk][tx + j * TILE];
      for (uint i = 0u; i < WORK; ++i)
        for (uint j = 0u; j < WORK; ++j) acc[i][j] += av[i] * bv[j];
    }
    barrier();
  }
  const uint out_base = pc.out_offset + batch * pc.out_batch;
  for (uint i = 0u; i < WORK; ++i)
    for (uint j = 0u; j < WORK; ++j) store(row0 + ty + i * TILE, col0 + tx + j * TILE, out_base, acc[i][j]);
}
