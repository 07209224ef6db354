#version 450
// index_sort: sorts (key, value) pairs of int64 with a bitonic network of launches: the slice
// offsets of an index_put with their slice numbers (Note [Sorted index_put] in
// backend/gpu/index.hpp), randperm's random keys with their indices (Note [randperm on the GPU]
// in backend/gpu/random.hpp), and the rows of sort, topk, kthvalue, median, nanmedian and mode
// (Note [Sorting rows on the GPU] in backend/gpu/sort.hpp). `pairs` holds p keys (each row's
// padded with INT64_MAX) then p values; pairs compare by key then value, so the order is total
// and the result does not depend on the launch. The p keys are rows of `row` keys (a power of
// two), each sorted ascending on its own.
#include "common.glsl"
#include "philox.glsl"

layout(local_size_x = WG_SIZE) in;
// 0: fill pairs from the offsets; 1: one compare-exchange step; 2: fill pairs with randperm's
// keys; 3: write the sorted values into `pairs` (then randperm's output) from `src` (the pairs);
// 4: the steps j < WG_SIZE in shared memory (Note [Bitonic steps in shared memory]); 5: fill
// pairs with the sort keys of a tensor's rows; 6: write the positions a sort-family op selects
// from the sorted rows into `out_buf`
layout(constant_id = 0) const int OP = 0;
layout(constant_id = 1) const int IN_DT = 5;  // OP 5, 6: the sorted tensor's dtype (DT_I64)

#include "dtype.glsl"

layout(std430, binding = 0) buffer Pairs { uint words[]; } pairs;
// OP 0: int64 offsets; OP 2: the generator's seed and offset (two uint64); OP 3: the sorted
// pairs; OP 5: the tensor (words, Note [Inputs as words])
layout(std430, binding = 1) readonly buffer Src { uint words[]; } src;
// OP 6: the int64 positions written
layout(std430, binding = 2) writeonly buffer Out { int64_t data[]; } out_buf;
// OP 5, 6: the rows (every dim but the sorted one, coalesced), operands out_buf and src
#define META_BINDING 3
#include "strided.glsl"

layout(push_constant) uniform Push {
  uint p;           // keys (a power of two)
  uint nb;          // real keys (of each row)
  uint src_offset;  // OP 0: of the first offset, in int64 elements; OP 3: of the output; OP 5: of the tensor
  uint j, k;        // the step: partner i ^ j, direction by i & k
  uint row;         // keys per row (a power of two dividing p)
  uint src_stride;  // OP 5: the tensor's stride along the sorted dim
  uint descending;  // OP 5: 1 for a descending order (keys complemented)
  uint out_offset;  // OP 6: of out_buf
  uint out_stride;  // OP 6: out_buf's stride along the dim
  uint out_len;     // OP 6: positions written per row
  uint select;      // OP 6: SELECT_*
  uint rank;        // OP 6: SELECT_RANK's position in the sorted row
} pc;

#define SELECT_PREFIX 0  // sort, topk: the first out_len positions
#define SELECT_RANK 1    // kthvalue
#define SELECT_MEDIAN 2  // the lower median, or the first NaN
#define SELECT_NANMEDIAN 3
#define SELECT_MODE 4    // the last position of the smallest of the most frequent values

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
// steps of every k up to min(row, WG_SIZE) (the runs sorted, alternately ascending), else the steps
// j = WG_SIZE / 2 .. 1 of k = pc.k, after the host's global steps j >= WG_SIZE. Each exchange is
// the one OP 1 makes, so the result is the same network's.
shared int64_t s_key[WG_SIZE];
shared int64_t s_val[WG_SIZE];

void sort_runs() {
  const uint t = gl_LocalInvocationID.x;
  const uint k_first = pc.k == 0u ? 2u : pc.k;
  const uint k_last = pc.k == 0u ? min(pc.row, uint(WG_SIZE)) : pc.k;
  for (uint base = gl_WorkGroupID.x * uint(WG_SIZE); base < pc.p; base += gl_NumWorkGroups.x * uint(WG_SIZE)) {
    const uint i = base + t;  // p < WG_SIZE leaves threads past p idle; p >= WG_SIZE is a multiple of it
    const uint i_row = i & (pc.row - 1u);
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
          if (pair_greater(ka, va, kb, vb) == ((i_row & k) == 0u)) {
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

DEFINE_LOAD_BITS(load_src, src)

// The largest key: the padding's (with positions past the row's, so it sorts last) and a NaN's.
#define MAX_KEY int64_t(0x7fffffffffffffffl)

/** The key of an element (Note [Sort keys] in backend/cpu/sort.hpp): its order key (Note [Order
 *  keys] in dtype.glsl: -0 equal to 0), NaN above everything, complemented for a descending
 *  order (~k reverses the order and cannot overflow). */
int64_t sort_key(uint64_t bits) {
  const int64_t key = bits_isnan(bits, IN_DT) ? MAX_KEY : order_key(bits, IN_DT);
  return pc.descending != 0u ? ~key : key;
}

/** The position OP 6 reads in row `base` (sorted, pc.nb real keys) for output position jj. */
uint selected(uint base, uint jj) {
  if (pc.select == SELECT_PREFIX) return jj;
  if (pc.select == SELECT_RANK) return pc.rank;
  const uint n = pc.nb;
  const bool floating = dt_is_float(IN_DT);
  const int64_t nan_key = MAX_KEY;  // ascending keys: median and mode
  if (pc.select == SELECT_MODE) {
    // torch.mode: the longest run of equal keys (a NaN is a run of its own), the first of the
    // longest; its last position holds the largest index of that value.
    uint best = 0u, best_count = 0u, run = 0u;
    for (uint t = 0u; t < n; ++t) {
      ++run;
      const int64_t key = word_pair(2u * (base + t));
      if (t == n - 1u || (floating && key == nan_key) || word_pair(2u * (base + t + 1u)) != key) {
        if (run > best_count) best = t, best_count = run;
        run = 0u;
      }
    }
    return best;
  }
  uint nans = 0u;  // NaNs sort last, in row order
  if (floating)
    while (nans < n && word_pair(2u * (base + n - 1u - nans)) == nan_key) ++nans;
  if (pc.select == SELECT_MEDIAN) return nans > 0u ? n - nans : (n - 1u) / 2u;  // median propagates NaN
  return nans == n ? 0u : (n - nans - 1u) / 2u;                                 // nanmedian skips it
}

void main() {
  if (OP == 5) {
    GRID_STRIDE_LOOP(i, pc.p) {
      const uint t = i & (pc.row - 1u);
      int64_t key = MAX_KEY;  // padding sorts last
      if (t < pc.nb) {
        const uint at = pc.src_offset + strided_offsets(i / pc.row, 2).y + t * pc.src_stride;
        key = sort_key(load_src(at, IN_DT));
      }
      set_pair(2u * i, key);
      set_pair(2u * (pc.p + i), int64_t(t));
    }
    return;
  }
  if (OP == 6) {
    GRID_STRIDE_LOOP(i, (pc.p / pc.row) * pc.out_len) {
      const uint r = i / pc.out_len, jj = i % pc.out_len, base = r * pc.row;
      const uint at = pc.out_offset + strided_offsets(r, 2).x + jj * pc.out_stride;
      out_buf.data[at] = word_pair(2u * (pc.p + base + selected(base, jj)));
    }
    return;
  }
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
      int64_t key = MAX_KEY;
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
      int64_t key = MAX_KEY;
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
    const bool ascending = (i & (pc.row - 1u) & pc.k) == 0u;
    if (greater == ascending) {
      set_pair(2u * i, kb);
      set_pair(2u * partner, ka);
      set_pair(2u * (pc.p + i), vb);
      set_pair(2u * (pc.p + partner), va);
    }
  }
}
