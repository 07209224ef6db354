#version 450
// index: gathers and scatters by index values (docs/gpu.md, "index"), the element type the
// variant's; results are the CPU's bit for bit (backend/cpu/index.hpp): scatters run one thread
// per written element, which visits the entries that hit it in the CPU's order, so repeated
// indices overwrite (the last wins) and accumulate in order, without atomics.
#include "common.glsl"
#include "dtype.glsl"

layout(local_size_x = WG_SIZE) in;
layout(constant_id = 0) const int OP = 0;

#define OP_GATHER 0            // out[c] = in[.. index[c] ..] along dim
#define OP_SCATTER 1           // out[.. index[c] ..] = in[c]
#define OP_SCATTER_ADD 2       // out[.. index[c] ..] += in[c]
#define OP_INDEX 3             // out[b, e] = in[offsets[b] + rest(e)]
#define OP_INDEX_PUT 4         // out[offsets[b] + rest(e)] = in[b, e]
#define OP_INDEX_PUT_ADD 5     // out[offsets[b] + rest(e)] += in[b, e]
#define OP_STRIDED_ADD 6       // out[c . strides] += in[c] (as_strided_backward), one thread per in element
#define OP_STRIDED_ADD_SCAN 7  // the same, one thread per out element, for overlapping strides
#define OP_SORTED_PUT 8        // index_put by offsets sorted with their slices (index_sort.comp)
#define OP_SORTED_PUT_ADD 9    // the same, accumulating
#define OP_SCATTER_PROD 10     // out[.. index[c] ..] *= in[c]
#define OP_SCATTER_AMAX 11     // out[.. index[c] ..] = max(that, in[c]), a NaN winning
#define OP_SCATTER_AMIN 12     // the same with min

#if defined(TYPE_B8)
#define DT DT_B8
#define OUT_T uint8_t
#elif defined(TYPE_U8)
#define DT DT_U8
#define OUT_T uint8_t
#elif defined(TYPE_I8)
#define DT DT_I8
#define OUT_T uint8_t
#elif defined(TYPE_I16)
#define DT DT_I16
#define OUT_T uint16_t
#elif defined(TYPE_F16)
#define DT DT_F16
#define OUT_T uint16_t
#elif defined(TYPE_BF16)
#define DT DT_BF16
#define OUT_T uint16_t
#elif defined(TYPE_I32)
#define DT DT_I32
#define OUT_T uint
#elif defined(TYPE_F32)
#define DT DT_F32
#define OUT_T uint
#elif defined(TYPE_I64)
#define DT DT_I64
#define OUT_T uint64_t
#else
#define DT DT_F64
#define OUT_T uint64_t
#endif

layout(std430, binding = 0) buffer Out { OUT_T data[]; } out_buf;
layout(std430, binding = 1) readonly buffer In { uint words[]; } in_buf;     // Note [Inputs as words]
layout(std430, binding = 2) readonly buffer Idx { uint words[]; } idx_buf;   // int64 values
layout(std430, binding = 3) readonly buffer Meta { int v[]; } meta;

layout(push_constant) uniform Push {
  uint n;           // threads' elements: out (gather, scatter, index), in (index_put, strided add)
  uint out_offset;  // storage offsets, in elements
  uint in_offset;
  uint idx_offset;
  uint dim;         // gather, scatter: the indexed dim
  uint size;        // gather, scatter: out's or in's size along dim; strided scan: in's elements
  uint nr;          // index, index_put: elements per slice
  uint nb;          // index, index_put: slices
  uint limit;       // index, index_put: elements of the indexed storage (bad offsets are skipped)
} pc;

DEFINE_LOAD_BITS(load_in, in_buf)

int64_t index_at(uint i) {
  return int64_t(uint64_t(idx_buf.words[2u * i]) | (uint64_t(idx_buf.words[2u * i + 1u]) << 32));
}

/** The bits of convert<T>(opmath(a) + opmath(b)), or of the product with `multiply`, for
 *  elements a, b of the variant's type T, as the CPU accumulates (a half sum rounds to half at
 *  each step). One function for both keeps one copy of the rounding per call site. */
uint64_t arith_bits(uint64_t a, uint64_t b, bool multiply) {
#if defined(TYPE_F32)
  const float x = uintBitsToFloat(uint(a)), y = uintBitsToFloat(uint(b));
  return uint64_t(floatBitsToUint(multiply ? x * y : x + y));
#elif defined(TYPE_F16)
  const float x = half_bits_to_float(uint(a)), y = half_bits_to_float(uint(b));
  return uint64_t(float_to_half_bits(multiply ? x * y : x + y));
#elif defined(TYPE_BF16)
  const float x = bf16_bits_to_float(uint(a)), y = bf16_bits_to_float(uint(b));
  return uint64_t(float_to_bf16_bits(multiply ? x * y : x + y));
#elif defined(TYPE_F64)
  const double x = uint64BitsToDouble(a), y = uint64BitsToDouble(b);
  return doubleBitsToUint64(multiply ? x * y : x + y);
#elif defined(TYPE_B8)
  const bool x = a != uint64_t(0), y = b != uint64_t(0);
  return (multiply ? x && y : x || y) ? uint64_t(1) : uint64_t(0);
#else
  return multiply ? a * b : a + b;  // wraps: the low bits depend only on the operands' low bits
#endif
}
uint64_t add_bits(uint64_t a, uint64_t b) { return arith_bits(a, b, false); }

/** Whether element a < element b (values of the variant's type, a and b not NaN). */
bool less_bits(uint64_t a, uint64_t b) {
#if defined(TYPE_F32)
  return uintBitsToFloat(uint(a)) < uintBitsToFloat(uint(b));
#elif defined(TYPE_F16)
  return half_bits_to_float(uint(a)) < half_bits_to_float(uint(b));
#elif defined(TYPE_BF16)
  return bf16_bits_to_float(uint(a)) < bf16_bits_to_float(uint(b));
#elif defined(TYPE_F64)
  return uint64BitsToDouble(a) < uint64BitsToDouble(b);
#else
  return bits_to_int64(a, DT) < bits_to_int64(b, DT);
#endif
}

/** One step of a scatter's reduction of the old element `a` with the value `b`, as
 *  scatter_reduce_dim on the CPU: a NaN stays, max keeps `a` on ties and min takes `b` (signed
 *  zeros), and bool's max and min are or and and. */
uint64_t reduce_bits(uint64_t a, uint64_t b) {
  if (OP == OP_SCATTER) return b;
  if (OP == OP_SCATTER_ADD || OP == OP_SCATTER_PROD) return arith_bits(a, b, OP == OP_SCATTER_PROD);
#if defined(TYPE_B8)
  return OP == OP_SCATTER_AMAX ? a | b : a & b;
#else
  if (bits_isnan(a, DT)) return a;
  if (bits_isnan(b, DT)) return b;
  return (OP == OP_SCATTER_AMAX) == less_bits(a, b) ? b : a;
#endif
}

/** The offset of element i of the shape meta.v[1 .. nd] with the strides at meta.v[at ..]. */
int strided_offset(uint i, int nd, int at) {
  int off = 0;
  uint rest = i;
  for (int d = nd - 1; d >= 0; --d) {
    const uint size = uint(meta.v[1 + d]);
    off += int(rest % size) * meta.v[at + d];
    rest /= size;
  }
  return off;
}

void gather(uint i) {
  // meta: [nd, index sizes, in strides]; out and the index are contiguous, of the index's shape.
  const int nd = meta.v[0];
  int off = 0;
  uint rest = i;
  for (int d = nd - 1; d >= 0; --d) {
    const uint size = uint(meta.v[1 + d]);
    if (d != int(pc.dim)) off += int(rest % size) * meta.v[1 + nd + d];
    rest /= size;
  }
  const int64_t j = index_at(pc.idx_offset + i);
  uint64_t bits = uint64_t(0);  // a bad index (reported by index_check) gives 0
  if (j >= int64_t(0) && j < int64_t(pc.size))
    bits = load_in(uint(int(pc.in_offset) + off + int(j) * meta.v[1 + nd + int(pc.dim)]), DT);
  out_buf.data[pc.out_offset + i] = OUT_T(bits);
}

void scatter(uint i) {
  // meta: [nd, out sizes, out strides, index sizes, in strides]; thread i is element i of out,
  // which the index entries at its coordinates (any along dim) that hold its coordinate hit.
  const int nd = meta.v[0];
  const int dim = int(pc.dim);
  int out_off = 0, idx_base = 0, in_base = 0, idx_stride_dim = 1, j = 0;
  int idx_stride = 1;
  uint rest = i;
  bool inside = true;
  for (int d = nd - 1; d >= 0; --d) {
    const uint size = uint(meta.v[1 + d]);
    const int c = int(rest % size);
    rest /= size;
    out_off += c * meta.v[1 + nd + d];
    const int isize = meta.v[1 + 2 * nd + d];
    if (d == dim) {
      j = c;
      idx_stride_dim = idx_stride;
    } else {
      inside = inside && c < isize;
      idx_base += c * idx_stride;
      in_base += c * meta.v[1 + 3 * nd + d];
    }
    idx_stride *= isize;
  }
  if (!inside) return;
  const uint o = pc.out_offset + uint(out_off);
  const int k_count = meta.v[1 + 2 * nd + dim];
  const int in_stride_dim = meta.v[1 + 3 * nd + dim];
  bool hit = false;
  uint64_t acc = uint64_t(out_buf.data[o]);
  for (int k = 0; k < k_count; ++k) {
    if (index_at(pc.idx_offset + uint(idx_base + k * idx_stride_dim)) != int64_t(j)) continue;
    const uint64_t v = load_in(uint(int(pc.in_offset) + in_base + k * in_stride_dim), DT);
    acc = uint64_t(OUT_T(reduce_bits(acc, v)));  // kept to the type's width
    hit = true;
  }
  if (hit) out_buf.data[o] = OUT_T(acc);
}

// index and index_put: meta [rest nd, rest sizes, rest strides of the indexed tensor].
int64_t slice_offset(uint b) { return index_at(pc.idx_offset + b); }

void index_gather(uint i) {
  const uint b = i / pc.nr, e = i % pc.nr;
  const int64_t at = int64_t(pc.in_offset) + slice_offset(b) + int64_t(strided_offset(e, meta.v[0], 1 + meta.v[0]));
  uint64_t bits = uint64_t(0);
  if (at >= int64_t(0) && at < int64_t(pc.limit)) bits = load_in(uint(at), DT);
  out_buf.data[pc.out_offset + i] = OUT_T(bits);
}

int64_t key_at(uint r) { return index_at(pc.idx_offset + r); }
bool is_sorted_put() { return OP == OP_SORTED_PUT || OP == OP_SORTED_PUT_ADD; }
uint slice_at(uint r) { return is_sorted_put() ? uint(index_at(pc.idx_offset + pc.size + r)) : r; }

void index_put(uint i) {
  // Thread i is element e of the r-th slice. Unsorted (4, 5), the slices are in[r]; of those
  // with the same offset only the last writes (the CPU's last write wins), or, accumulating, the
  // first adds them all in order. Sorted (8, 9: idx_buf holds `size` sorted offsets, then their
  // slice numbers, from index_sort.comp), equal offsets are adjacent, in slice order.
  const bool sorted = is_sorted_put();
  const bool add = OP == OP_INDEX_PUT_ADD || OP == OP_SORTED_PUT_ADD;
  const uint r = i / pc.nr, e = i % pc.nr;
  const int64_t s = key_at(r);
  const int64_t at = int64_t(pc.out_offset) + s + int64_t(strided_offset(e, meta.v[0], 1 + meta.v[0]));
  if (at < int64_t(0) || at >= int64_t(pc.limit)) return;
  if (!add) {
    for (uint q = r + 1u; q < pc.nb; ++q) {
      if (key_at(q) == s) return;
      if (sorted) break;
    }
  } else {
    for (uint q = r; q > 0u; --q) {
      if (key_at(q - 1u) == s) return;
      if (sorted) break;
    }
  }
  uint64_t acc = uint64_t(out_buf.data[uint(at)]);
  for (uint q = r; q < pc.nb; ++q) {
    if (key_at(q) != s) {
      if (sorted) break;
      continue;
    }
    const uint64_t v = load_in(pc.in_offset + slice_at(q) * pc.nr + e, DT);
    acc = add ? add_bits(acc, v) : v;
    if (!add) break;
  }
  out_buf.data[uint(at)] = OUT_T(acc);
}

void strided_add(uint i) {
  // meta: [nd, sizes, strides]; in is contiguous of those sizes, the strides place it in out.
  const uint o = pc.out_offset + uint(strided_offset(i, meta.v[0], 1 + meta.v[0]));
  const uint64_t old = uint64_t(out_buf.data[o]);
  out_buf.data[o] = OUT_T(add_bits(old, load_in(pc.in_offset + i, DT)));
}

void strided_add_scan(uint p) {
  // Thread p is element p of out; it adds every element of in placed there, in in's order.
  const uint o = pc.out_offset + p;
  uint64_t acc = uint64_t(out_buf.data[o]);
  for (uint c = 0u; c < pc.size; ++c)
    if (uint(strided_offset(c, meta.v[0], 1 + meta.v[0])) == p) acc = add_bits(acc, load_in(pc.in_offset + c, DT));
  out_buf.data[o] = OUT_T(acc);
}

void main() {
  GRID_STRIDE_LOOP(i, pc.n) {
    if (OP == OP_GATHER) gather(i);
    else if (OP == OP_SCATTER || OP == OP_SCATTER_ADD || OP >= OP_SCATTER_PROD) scatter(i);
    else if (OP == OP_INDEX) index_gather(i);
    else if (OP == OP_INDEX_PUT || OP == OP_INDEX_PUT_ADD || is_sorted_put()) index_put(i);
    else if (OP == OP_STRIDED_ADD) strided_add(i);
    else strided_add_scan(i);
  }
}
