#version 450
// range: arange and linspace (OP = RANGE_ARANGE or RANGE_LINSPACE) into a contiguous output,
// bit for bit as the CPU computes them (range.glsl). logspace takes the power in double and
// has no kernel.
#include "common.glsl"
#include "range.glsl"

layout(local_size_x = WG_SIZE) in;
layout(constant_id = 0) const int OP = RANGE_ARANGE;

// The output is written as bits of its size.
#if defined(TYPE_B8) || defined(TYPE_U8) || defined(TYPE_I8)
#define BITS uint8_t
#elif defined(TYPE_I16) || defined(TYPE_F16) || defined(TYPE_BF16)
#define BITS uint16_t
#elif defined(TYPE_I32) || defined(TYPE_F32)
#define BITS uint
#else
#define BITS uint64_t
#endif

#if defined(TYPE_F32)
const RangeFormat FORMAT = RangeFormat(KIND_NATIVE, 24, -149, 8, 8, false);
#elif defined(TYPE_F64)
const RangeFormat FORMAT = RangeFormat(KIND_NATIVE, 53, -1074, 11, 4, false);
#elif defined(TYPE_F16)
const RangeFormat FORMAT = RangeFormat(KIND_HALF, 11, -24, 5, 16, false);
#elif defined(TYPE_BF16)
const RangeFormat FORMAT = RangeFormat(KIND_HALF, 8, -133, 8, 16, false);
#elif defined(TYPE_B8)
const RangeFormat FORMAT = RangeFormat(KIND_BOOL, 0, 0, 0, 32, false);
#elif defined(TYPE_I64)
const RangeFormat FORMAT = RangeFormat(KIND_INT, 0, 0, 0, 4, true);
#else
const RangeFormat FORMAT = RangeFormat(KIND_INT, 0, 0, 0, 8, false);
#endif

layout(std430, binding = 0) writeonly buffer Out { BITS data[]; } out_buf;

layout(push_constant) uniform Push {
  uint64_t a;    // arange: start (double bits; int64 for integer outputs); linspace: start (double bits)
  uint64_t b;    // arange: step (same encodings); linspace: step (double bits)
  uint64_t c;    // linspace: end (double bits)
  uint offset;   // out's storage offset, in elements
  uint n;        // elements (linspace: steps, at least 2)
  uint halfway;  // linspace: n / 2
  uint pad;
} pc;

void main() {
  GRID_STRIDE_LOOP(i, pc.n) {
    out_buf.data[pc.offset + i] = BITS(range_bits(OP, FORMAT, pc.a, pc.b, pc.c, pc.n, pc.halfway, i));
  }
}
