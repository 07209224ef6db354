#version 450
// index_sort: sorts the slice offsets of an index_put with their slice numbers (Note [Sorted
// index_put] in backend/gpu/index.hpp), a bitonic network of launches. `pairs` holds p keys
// (int64 offsets, padded with INT64_MAX) then p values (int64 slice numbers); pairs compare by
// key then value, so the order is total and the result does not depend on the launch.
#include "common.glsl"

layout(local_size_x = WG_SIZE) in;
layout(constant_id = 0) const int OP = 0;  // 0: fill pairs from the offsets; 1: one compare-exchange step

layout(std430, binding = 0) buffer Pairs { uint words[]; } pairs;
layout(std430, binding = 1) readonly buffer Src { uint words[]; } src;  // int64 offsets

layout(push_constant) uniform Push {
  uint p;           // keys (a power of two)
  uint nb;          // real keys
  uint src_offset;  // of the first offset, in int64 elements
  uint j, k;        // the step: partner i ^ j, direction by i & k
} pc;

int64_t word_pair(uint w) { return int64_t(uint64_t(pairs.words[w]) | (uint64_t(pairs.words[w + 1u]) << 32)); }
void set_pair(uint w, int64_t v) {
  pairs.words[w] = uint(uint64_t(v));
  pairs.words[w + 1u] = uint(uint64_t(v) >> 32);
}

void main() {
  GRID_STRIDE_LOOP(i, pc.p) {
    if (OP == 0) {
      int64_t key = int64_t(0x7fffffffffffffffl);
      if (i < pc.nb) {
        const uint w = 2u * (pc.src_offset + i);
        key = int64_t(uint64_t(src.words[w]) | (uint64_t(src.words[w + 1u]) << 32));
      }
      set_pair(2u * i, key);
      set_pair(2u * (pc.p + i), int64_t(i));
      continue;
    }
    const uint partner = i ^ pc.j;
    if (partner <= i) continue;
    const int64_t ka = word_pair(2u * i), kb = word_pair(2u * partner);
    const int64_t va = word_pair(2u * (pc.p + i)), vb = word_pair(2u * (pc.p + partner));
    const bool greater = ka > kb || (ka == kb && va > vb);
    const bool ascending = (i & pc.k) == 0u;
    if (greater == ascending) {
      set_pair(2u * i, kb);
      set_pair(2u * partner, ka);
      set_pair(2u * (pc.p + i), vb);
      set_pair(2u * (pc.p + partner), va);
    }
  }
}
