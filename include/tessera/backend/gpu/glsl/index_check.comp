#version 450
// index_check: finds the first int64 value outside [lo, hi) and records it in the device's status
// words for the host to throw at its next read of the queue (Note [Deferred errors] in
// backend/gpu/deferred_error.hpp). One workgroup: each thread scans every 256th value, then a
// fixed tree keeps the smallest position, so the first bad value is reported, without atomics.
#include "common.glsl"

layout(local_size_x = WG_SIZE) in;

layout(std430, binding = 0) buffer Status { uint words[]; } status;   // a DeferredError
layout(std430, binding = 1) readonly buffer Idx { uint words[]; } idx_buf;

layout(push_constant) uniform Push {
  uint n;       // values
  uint offset;  // of the first value, in int64 elements
  int lo, hi;   // the valid range
  uint check;   // what the host says (IndexCheck), the op's number, the dim and size it names
  uint op;
  uint dim;
  uint size;
} pc;

shared uint first[WG_SIZE];

int64_t value_at(uint i) {
  const uint w = 2u * (pc.offset + i);
  return int64_t(uint64_t(idx_buf.words[w]) | (uint64_t(idx_buf.words[w + 1u]) << 32));
}

void main() {
  const uint t = gl_LocalInvocationID.x;
  uint found = pc.n;
  for (uint i = t; i < pc.n; i += WG_SIZE) {
    const int64_t v = value_at(i);
    if (v < int64_t(pc.lo) || v >= int64_t(pc.hi)) {
      found = i;
      break;
    }
  }
  first[t] = found;
  barrier();
  for (uint s = WG_SIZE / 2u; s > 0u; s >>= 1u) {
    if (t < s) first[t] = min(first[t], first[t + s]);
    barrier();
  }
  if (t == 0u && first[0] < pc.n && status.words[0] == 0u) {
    const int64_t v = value_at(first[0]);
    status.words[1] = pc.op;
    status.words[2] = uint(uint64_t(v));
    status.words[3] = uint(uint64_t(v) >> 32);
    status.words[4] = pc.dim;
    status.words[5] = pc.size;
    status.words[0] = pc.check;
  }
}
