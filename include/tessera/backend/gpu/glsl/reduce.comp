#version 450
// reduce: one workgroup per output element (striding over the outputs), each thread folding
// the reduced elements i, i + WG_SIZE, ... then a fixed tree in shared memory, so the result does
// not depend on the launch. The input is of any type (IN_DT) read as words; the variant is the
// output's type, which decides the accumulator: float for float, half and bfloat16 outputs,
// double for float64, int64 for integers (sum, prod), bool for all and any.
#include "common.glsl"

layout(local_size_x = WG_SIZE) in;
layout(constant_id = 0) const int OP = 0;
layout(constant_id = 1) const int IN_DT = 8;  // DT_F32

#define R_SUM 0
#define R_MEAN 1
#define R_PROD 2
#define R_AMAX 3
#define R_AMIN 4
#define R_ALL 5
#define R_ANY 6
#define R_NORM 7    // sqrt of the sum of squares
#define R_ARGMAX 8  // values and indices: the first extreme element, NaN the most extreme
#define R_ARGMIN 9

#if defined(TYPE_F32) || defined(TYPE_F16) || defined(TYPE_BF16)
#define NO_F64_INPUTS
#define ACC float
#elif defined(TYPE_F64)
#define ACC double
#elif defined(TYPE_B8)
#define ACC int64_t  // 0 or 1; all and any read inputs of every type by their bits
#else
#define INT_INPUTS_ONLY
#define ACC int64_t
#endif
#include "dtype.glsl"

#if defined(TYPE_B8) || defined(TYPE_U8) || defined(TYPE_I8)
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
layout(std430, binding = 1) writeonly buffer Indices { uint64_t data[]; } idx_buf;  // argmax, argmin
layout(std430, binding = 2) readonly buffer In { uint words[]; } in_buf;  // Note [Inputs as words]
// meta.v: [kept ndim, kept sizes, kept input strides, reduced ndim, reduced sizes, reduced input
// strides], outermost first; an output's index runs over the kept sizes in row-major order.
layout(std430, binding = 3) readonly buffer Meta { int v[]; } meta;

layout(push_constant) uniform Push {
  uint outputs;     // elements of out (contiguous)
  uint reduced;     // elements folded into each
  uint in_offset;   // storage offsets, in elements
  uint out_offset;
  uint idx_offset;
} pc;

DEFINE_LOAD_BITS(load_in, in_buf)

shared ACC s_acc[WG_SIZE];
shared int64_t s_idx[WG_SIZE];

uint offset_of(uint index, int at) {  // at: the meta word holding the part's ndim
  const int ndim = meta.v[at];
  uint off = 0u, rest = index;
  for (int d = ndim - 1; d >= 0; --d) {
    const uint size = uint(meta.v[at + 1 + d]);
    off += (rest % size) * uint(meta.v[at + 1 + ndim + d]);
    rest /= size;
  }
  return off;
}

#if defined(TYPE_F32) || defined(TYPE_F16) || defined(TYPE_BF16) || defined(TYPE_F64)
#define FLOAT_ACC
#endif

ACC value_of(uint64_t bits) {
#if defined(TYPE_B8)
  return bits_nonzero(bits, IN_DT) ? int64_t(1) : int64_t(0);
#elif defined(TYPE_F64)
  if (IN_DT == DT_F64) return uint64BitsToDouble(bits);
  if (dt_is_float(IN_DT)) return double(bits_to_float(bits, IN_DT));
  return double(bits_to_int64(bits, IN_DT));
#elif defined(FLOAT_ACC)
  return bits_to_float(bits, IN_DT);
#else
  return bits_to_int64(bits, IN_DT);
#endif
}

bool acc_isnan(ACC x) {
#if defined(FLOAT_ACC)
  return !(x == x);
#else
  return false;
#endif
}

ACC identity() {
  if (OP == R_PROD || OP == R_ALL) return ACC(1);
#if defined(TYPE_F64)
  if (OP == R_AMAX || OP == R_ARGMAX) return uint64BitsToDouble(uint64_t(0xfff) << 52);
  if (OP == R_AMIN || OP == R_ARGMIN) return uint64BitsToDouble(uint64_t(0x7ff) << 52);
#elif defined(FLOAT_ACC)
  if (OP == R_AMAX || OP == R_ARGMAX) return uintBitsToFloat(0xff800000u);
  if (OP == R_AMIN || OP == R_ARGMIN) return uintBitsToFloat(0x7f800000u);
#else
  if (OP == R_AMAX || OP == R_ARGMAX) return int64_t(uint64_t(1) << 63);
  if (OP == R_AMIN || OP == R_ARGMIN) return int64_t(~(uint64_t(1) << 63));
#endif
  return ACC(0);
}

ACC combine(ACC a, ACC b) {
  if (OP == R_SUM || OP == R_MEAN || OP == R_NORM) return a + b;
  if (OP == R_PROD) return a * b;
  if (OP == R_ALL) return a != ACC(0) && b != ACC(0) ? ACC(1) : ACC(0);
  if (OP == R_ANY) return a != ACC(0) || b != ACC(0) ? ACC(1) : ACC(0);
  if (acc_isnan(a)) return a;  // amax, amin: NaN wins
  if (acc_isnan(b)) return b;
  return OP == R_AMAX ? (b > a ? b : a) : (b < a ? b : a);
}

/** Whether (b, ib) replaces (a, ia) for argmax and argmin: a more extreme value (NaN most), or
 *  the same one at a smaller index. A negative index is the empty identity. */
bool arg_better(ACC a, int64_t ia, ACC b, int64_t ib) {
  if (ib < int64_t(0)) return false;
  if (ia < int64_t(0)) return true;
  const bool na = acc_isnan(a), nb = acc_isnan(b);
  if (na || nb) return na && nb ? ib < ia : nb;
  if (a == b) return ib < ia;
  return OP == R_ARGMAX ? b > a : b < a;
}

void main() {
  const uint t = gl_LocalInvocationID.x;
  const int reduced_at = 1 + 2 * meta.v[0];
  const bool arg = OP == R_ARGMAX || OP == R_ARGMIN;
  for (uint o = gl_WorkGroupID.x; o < pc.outputs; o += gl_NumWorkGroups.x) {
    const uint base = pc.in_offset + offset_of(o, 0);
    ACC acc = identity();
    int64_t index = int64_t(-1);
    for (uint r = t; r < pc.reduced; r += WG_SIZE) {
      ACC v = value_of(load_in(base + offset_of(r, reduced_at), IN_DT));
      if (OP == R_NORM) v = v * v;
      if (arg) {
        if (arg_better(acc, index, v, int64_t(r))) acc = v, index = int64_t(r);
      } else {
        acc = combine(acc, v);
      }
    }
    s_acc[t] = acc;
    s_idx[t] = index;
    barrier();
    for (uint s = WG_SIZE / 2u; s > 0u; s >>= 1) {
      if (t < s) {
        if (arg) {
          if (arg_better(s_acc[t], s_idx[t], s_acc[t + s], s_idx[t + s])) s_acc[t] = s_acc[t + s], s_idx[t] = s_idx[t + s];
        } else {
          s_acc[t] = combine(s_acc[t], s_acc[t + s]);
        }
      }
      barrier();
    }
    if (t == 0u) {
      ACC r = s_acc[0];
      if (OP == R_MEAN) r = r / ACC(pc.reduced);
#if defined(FLOAT_ACC)
      if (OP == R_NORM) r = sqrt(r);
#endif
      const uint at = pc.out_offset + o;
#if defined(TYPE_F32)
      out_buf.data[at] = floatBitsToUint(r);
#elif defined(TYPE_F16)
      out_buf.data[at] = uint16_t(float_to_half_bits(r));
#elif defined(TYPE_BF16)
      out_buf.data[at] = uint16_t(float_to_bf16_bits(r));
#elif defined(TYPE_F64)
      out_buf.data[at] = r;
#elif defined(TYPE_I64)
      out_buf.data[at] = uint64_t(r);
#else
      out_buf.data[at] = OUT_T(uint(r));
#endif
      if (arg) idx_buf.data[pc.idx_offset + o] = uint64_t(s_idx[0]);
    }
    barrier();  // s_acc is written again for the next output
  }
}
