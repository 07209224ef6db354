#version 450
// cummax and cummin: the running maxima or minima along one dim and their positions, one
// thread per row (striding over the rows), as backend/cpu/rows.hpp's cumextreme_rows: an equal
// element takes over (the last index of a tie), NaN takes over and stays, each later NaN taking
// its own index. OP: 0 cummax, 1 cummin. The variant is the element size (x8, x16, x32, x64):
// values are copied as bits and compared through order keys (Note [Order keys]), so no variant
// needs float64 arithmetic and every one runs on Metal.
#include "common.glsl"

layout(local_size_x = WG_SIZE) in;
layout(constant_id = 0) const int OP = 0;
layout(constant_id = 1) const int IN_DT = 8;  // DT_F32

#include "dtype.glsl"

// 8 and 16-bit types exist only in buffers (storage extensions, no arithmetic): they are
// written from a uint.
#if defined(SIZE_8)
#define VALUE_T uint8_t
#define AS_VALUE(bits) uint8_t(uint(bits))
#elif defined(SIZE_16)
#define VALUE_T uint16_t
#define AS_VALUE(bits) uint16_t(uint(bits))
#elif defined(SIZE_32)
#define VALUE_T uint
#define AS_VALUE(bits) uint(bits)
#else
#define VALUE_T uint64_t
#define AS_VALUE(bits) (bits)
#endif

layout(std430, binding = 0) writeonly buffer Values { VALUE_T data[]; } values_buf;
layout(std430, binding = 1) writeonly buffer Indices { int64_t data[]; } indices_buf;
layout(std430, binding = 2) readonly buffer In { uint words[]; } in_buf;  // Note [Inputs as words]
// meta.v: the rows (every dim but the scanned one, coalesced), operands values, indices, in.
#define META_BINDING 3
#include "strided.glsl"

layout(push_constant) uniform Push {
  uint rows;
  uint len;  // elements along the dim
  uint values_offset;  // storage offsets, in elements
  uint indices_offset;
  uint in_offset;
  uint values_stride;  // strides along the dim, in elements
  uint indices_stride;
  uint in_stride;
} pc;

DEFINE_LOAD_BITS(load_in, in_buf)

void main() {
  GRID_STRIDE_LOOP(row, pc.rows) {
    const uvec4 off = strided_offsets(row, 3);
    uint v = pc.values_offset + off.x, x = pc.indices_offset + off.y, i = pc.in_offset + off.z;
    uint64_t best = load_in(i, IN_DT);
    int64_t best_key = order_key(best, IN_DT);
    bool best_nan = bits_isnan(best, IN_DT);
    int64_t at = 0;
    for (uint k = 0u; k < pc.len; ++k, v += pc.values_stride, x += pc.indices_stride, i += pc.in_stride) {
      const uint64_t e = load_in(i, IN_DT);
      const int64_t key = order_key(e, IN_DT);
      const bool e_nan = bits_isnan(e, IN_DT);
      if (e_nan || (!best_nan && (OP == 0 ? key >= best_key : key <= best_key))) {
        best = e, best_key = key, best_nan = e_nan, at = int64_t(k);
      }
      values_buf.data[v] = AS_VALUE(best);
      indices_buf.data[x] = at;
    }
  }
}
