#version 450
// search: searchsorted's binary searches and bincount's sums by value (docs/gpu.md, "search"),
// the CPU's results bit for bit (backend/cpu/sort.hpp). bincount sorts (value, position) pairs
// with index_sort's network first, so each bin's thread finds its values together and adds their
// weights in the CPU's order, without atomics.
#include "common.glsl"
#include "dtype.glsl"

layout(local_size_x = WG_SIZE) in;
layout(constant_id = 0) const int OP = 0;
layout(constant_id = 1) const int IN_DT = 5;  // searchsorted: the type of boundaries and values

#define OP_SEARCHSORTED 0  // out[i] = where values[i] goes in its row of boundaries
#define OP_BIN_SUMS 1      // out[b] = the number (or the weights' sum) of values lo + b
#define OP_FILL_PAIRS 2    // out = index_sort's pairs of bincount's values: p keys, then p positions

#if defined(TYPE_I32)
#define OUT_T uint
#elif defined(TYPE_F32)
#define OUT_T uint
#else
#define OUT_T uint64_t  // int64, float64
#endif

layout(std430, binding = 0) buffer Out { OUT_T data[]; } out_buf;
// searchsorted: the boundaries (words); bincount: the sorted pairs (int64)
layout(std430, binding = 1) readonly buffer A { uint words[]; } a_buf;
// searchsorted: the values; bincount: the values (OP 2), the weights (OP 1; the variant's type)
layout(std430, binding = 2) readonly buffer B { uint words[]; } b_buf;
// searchsorted: the sorter (int64), or a placeholder
layout(std430, binding = 3) readonly buffer C { uint words[]; } c_buf;

layout(push_constant) uniform Push {
  uint n;         // threads: values (searchsorted, OP 2: the pairs), bins (OP 1)
  uint m;         // searchsorted: boundaries per row; OP 1, 2: the values
  uint per_row;   // searchsorted: values per row of boundaries (all of them for one row)
  uint right;     // searchsorted: 1 for the first position after equal boundaries
  uint sorted;    // searchsorted: 1 when boundaries are read through the sorter
  uint a_offset;  // storage offsets, in elements
  uint b_offset;
  uint c_offset;
  uint out_offset;
  uint weighted;  // OP 1: 1 with weights, else each value counts 1
  uint p;         // OP 1, 2: the pairs (a power of two)
  int lo_lo;      // OP 1: the value of bin 0, int64 (low and high words)
  int lo_hi;
} pc;

DEFINE_LOAD_BITS(load_a, a_buf)
DEFINE_LOAD_BITS(load_b, b_buf)
DEFINE_LOAD_BITS(load_c, c_buf)

/** Word pair i of bincount's sorted pairs (p keys, then p positions). */
int64_t pair_at(uint i) { return int64_t(load_a(i, DT_I64)); }

void searchsorted(uint i) {
  // The CPU's loop: lo moves past b while !(b > v) (right) or !(b >= v); a comparison with a
  // NaN is false. Compared through order keys (Note [Order keys]), so float64 needs no double.
  const uint row = pc.per_row == 0u ? 0u : i / pc.per_row;
  const uint64_t v = load_b(pc.b_offset + i, IN_DT);
  const bool v_nan = bits_isnan(v, IN_DT);
  const int64_t v_key = order_key(v, IN_DT);
  uint lo = 0u, hi = pc.m;
  while (lo < hi) {
    const uint mid = lo + ((hi - lo) >> 1);
    uint at = row * pc.m + mid;
    if (pc.sorted != 0u) {
      const int64_t s = int64_t(load_c(pc.c_offset + at, DT_I64));  // a bad value is reported by index_check
      at = row * pc.m + uint(s >= int64_t(0) && s < int64_t(pc.m) ? s : int64_t(0));
    }
    const uint64_t b = load_a(pc.a_offset + at, IN_DT);
    const int64_t b_key = order_key(b, IN_DT);
    const bool ordered = !v_nan && !bits_isnan(b, IN_DT);
    const bool past = pc.right != 0u ? ordered && b_key > v_key : ordered && b_key >= v_key;
    if (!past) lo = mid + 1u;
    else hi = mid;
  }
  out_buf.data[pc.out_offset + i] = OUT_T(lo);
}

void bin_sum(uint b) {
  // The pairs are sorted by (value, position): bin b's values are one run, in position order.
  const int64_t value = int64_t((uint64_t(uint(pc.lo_hi)) << 32) | uint64_t(uint(pc.lo_lo))) + int64_t(b);
  uint first = 0u, last = pc.m;  // the first pair with key >= value
  while (first < last) {
    const uint mid = first + ((last - first) >> 1);
    if (pair_at(mid) < value) first = mid + 1u;
    else last = mid;
  }
#if defined(TYPE_F32)
  float sum = 0.0;
#elif defined(TYPE_F64)
  double sum = 0.0;
#else
  uint64_t sum = uint64_t(0);
#endif
  for (uint k = first; k < pc.m && pair_at(k) == value; ++k) {
#if defined(TYPE_F32)
    sum += pc.weighted != 0u ? uintBitsToFloat(b_buf.words[pc.b_offset + uint(pair_at(pc.p + k))]) : 1.0;
#elif defined(TYPE_F64)
    sum += pc.weighted != 0u ? uint64BitsToDouble(load_b(pc.b_offset + uint(pair_at(pc.p + k)), DT_F64)) : 1.0;
#else
    sum += uint64_t(1);
#endif
  }
#if defined(TYPE_F32)
  out_buf.data[pc.out_offset + b] = floatBitsToUint(sum);
#elif defined(TYPE_F64)
  out_buf.data[pc.out_offset + b] = doubleBitsToUint64(sum);
#else
  out_buf.data[pc.out_offset + b] = OUT_T(sum);
#endif
}

void main() {
  GRID_STRIDE_LOOP(i, pc.n) {
    if (OP == OP_SEARCHSORTED) {
      searchsorted(i);
    } else if (OP == OP_BIN_SUMS) {
      bin_sum(i);
    } else {
      // Key: the value (padding INT64_MAX sorts last); value: the position.
      const bool real = i < pc.m;
      out_buf.data[i] = OUT_T(real ? uint64_t(bits_to_int64(load_b(pc.b_offset + i, IN_DT), IN_DT))
                                   : uint64_t(0x7fffffffffffffffl));
      out_buf.data[pc.p + i] = OUT_T(i);
    }
  }
}
