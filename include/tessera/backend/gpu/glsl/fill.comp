#version 450
// fill: out[offset + i] = value for i < n, the value given as the element's bits. One variant
// per element size (x8, x16, x32, x64): a fill never computes, so the dtype is the host's concern.
#include "common.glsl"

layout(local_size_x = WG_SIZE) in;

#if defined(SIZE_8)
#define BITS uint8_t
#elif defined(SIZE_16)
#define BITS uint16_t
#elif defined(SIZE_32)
#define BITS uint
#else
#define BITS uint64_t
#endif

layout(std430, binding = 0) writeonly buffer Out { BITS data[]; } out_buf;

layout(push_constant) uniform Push {
  uint lo;      // the value's bits, low word (all of them for 8, 16 and 32-bit types)
  uint hi;      // high word of a 64-bit value
  uint offset;  // out's storage offset, in elements
  uint n;       // elements to write
} pc;

void main() {
  // 8 and 16-bit types exist only in buffers (storage extensions, no arithmetic), so the value
  // is converted where it is stored.
#if defined(SIZE_64)
  const uint64_t value = (uint64_t(pc.hi) << 32) | uint64_t(pc.lo);
#else
  const uint value = pc.lo;
#endif
  GRID_STRIDE_LOOP(i, pc.n) { out_buf.data[pc.offset + i] = BITS(value); }
}
