#version 450
// index_sort: sorts (key, value) pairs of int64 with a bitonic network of launches: the slice
// offsets of an index_put with their slice numbers (Note [Sorted index_put] in
// backend/gpu/index.hpp), and randperm's random keys with their indices (Note [randperm on the
// GPU] in backend/gpu/random.hpp). `pairs` holds p keys (padded with INT64_MAX) then p values;
// pairs compare by key then value, so the order is total and the result does not depend on the
// launch.
#include "common.glsl"
#include "philox.glsl"

layout(local_size_x = WG_SIZE) in;
// 0: fill pairs from the offsets; 1: one compare-exchange step; 2: fill pairs with randperm's
// keys; 3: write the sorted values into `pairs` (then randperm's output) from `src` (the pairs);
// 4: the steps j < WG_SIZE in shared memory (Note [Bitonic steps in shared memory])
layout(constant_id = 0) const int OP = 0;

layout(std430, binding = 0) buffer Pairs { uint words[]; } pairs;
// OP 0: int64 offsets; OP 2: the generator's seed and offset (two uint64); OP 3: the sorted pairs
layout(std430, binding = 1) readonly buffer Src { uint words[]; } src;

layout(push_constant) uniform Push {
  uint p;           // keys (a power of two)
  uint nb;          // real keys
  uint src_offset;  // OP 0: of the first offset, in int64 elements; OP 3: of the output
  uint j, k;        // the step: partner i ^ j, direction by i & k
} pc;

int64_t word_pair(uint w) { return int64_t(uint64_t(pairs.words[w]) | (uint64_t(pairs.words[w + 1u]) << 32)); }
void set_pair(uint w, int64_t v) {
  pairs.words[w] = uint(uint64_t(v));
  pairs.words[w + 1u] = uint(uint64_t(v) >> 32);
}

uint64_t src_u64(uint w) { return uint64_t(src.words[w]) | (uint64_t(src.words[w + 1u]) << 32); }

/** Whether pair (ka, va) sorts after (kb, vb). */
bool pair_greater(int64_t ka, int64_t va, int64_t kb, int64_t vb) { return ka > kb || (ka == kb && va > vb); }

// Note [Bitonic steps in shared memory]
// A step j < WG_SIZE exchanges pairs within one WG_SIZE-aligned run, so OP 4 runs every such step
// of a run in a workgroup's shared memory, one launch instead of one per step: with pc.k == 0 all
// steps of every k up to min(p, WG_SIZE) (the runs sorted, alternately ascending), else the steps
// j = WG_SIZE / 2 .. 1 of k = pc.k, after the host's global steps j >= WG_SIZE. Each exchange is
// the one OP 1 makes, so the result is the same network's.
shared int64_t s_key[WG_SIZE];
shared int64_t s_val[WG_SIZE];

void sort_runs() {
  const uint t = gl_LocalInvocationID.x;
  const uint k_first = pc.k == 0u ? 2u : pc.k;
  const uint k_last = pc.k == 0u ? min(pc.p, uint(WG_SIZE)) : pc.k;
  for (uint base = gl_WorkGroupID.x * uint(WG_SIZE); base < pc.p; base += gl_NumWorkGroups.x * uint(WG_SIZE)) {
    const uint i = base + t;  // p < WG_SIZE leaves threads past p idle; p >= WG_SIZE is a multiple of it
    if (i < pc.p) {
      s_key[t] = word_pair(2u * i);
      s_val[t] = word_pair(2u * (pc.p + i));
    }
    for (uint k = k_first; k <= k_last; k <<= 1) {
      for (uint j = min(k >> 1, uint(WG_SIZE) >> 1); j > 0u; j >>= 1) {
        memoryBarrierShared();
        barrier();
        const uint partner = t ^ j;
        if (i < pc.p && partner > t) {
          const int64_t ka = s_key[t], kb = s_key[partner], va = s_val[t], vb = s_val[partner];
          if (pair_greater(ka, va, kb, vb) == ((i & k) == 0u)) {
            s_key[t] = kb;
            s_key[partner] = ka;
            s_val[t] = vb;
            s_val[partner] = va;
          }
        }
      }
    }
    memoryBarrierShared();
    barrier();
    if (i < pc.p) {
      set_pair(2u * i, s_key[t]);
      set_pair(2u * (pc.p + i), s_val[t]);
    }
    barrier();  // the next run reuses the shared arrays
  }
}

void main() {
  if (OP == 4) {
    sort_runs();
    return;
  }
  if (OP == 3) {  // randperm's output: the sorted values, at src_offset of the int64 `pairs`
    GRID_STRIDE_LOOP(i, pc.nb) {
      pairs.words[2u * (pc.src_offset + i)] = src.words[2u * (pc.p + i)];
      pairs.words[2u * (pc.src_offset + i) + 1u] = src.words[2u * (pc.p + i) + 1u];
    }
    return;
  }
  GRID_STRIDE_LOOP(i, pc.p) {
    if (OP == 2) {
      // The key of i: the 64 bits of block i / 2 a double uniform takes (fill_randperm), its top
      // bit flipped so that signed order is the key's unsigned order.
      int64_t key = int64_t(0x7fffffffffffffffl);
      if (i < pc.nb) {
        const uvec4 w = random_block(src_u64(0u), src_u64(2u), i / 2u, 0u);
        const uint h = i & 1u;
        key = int64_t(((uint64_t(w[2u * h + 1u]) << 32) | uint64_t(w[2u * h])) ^ (uint64_t(1) << 63));
      }
      set_pair(2u * i, key);
      set_pair(2u * (pc.p + i), int64_t(i));
      continue;
    }
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
    const bool greater = pair_greater(ka, va, kb, vb);
    const bool ascending = (i & pc.k) == 0u;
    if (greater == ascending) {
      set_pair(2u * i, kb);
      set_pair(2u * partner, ka);
      set_pair(2u * (pc.p + i), vb);
      set_pair(2u * (pc.p + partner), va);
    }
  }
}
