#version 450
// copy: out = convert<Out>(in), strided and broadcasting, from any element type (the
// specialization constant SRC, a DT_ code) to the variant's type, as core/convert.hpp converts.
#include "common.glsl"
#include "dtype.glsl"

layout(local_size_x = WG_SIZE) in;
layout(constant_id = 1) const int SRC = DT_F32;

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
layout(std430, binding = 1) readonly buffer In { uint words[]; } in_buf;  // Note [Inputs as words]
#define META_BINDING 2
#include "strided.glsl"

layout(push_constant) uniform Push {
  uint n;           // elements of out
  uint out_offset;  // storage offsets, in elements of each tensor's type
  uint in_offset;
} pc;

DEFINE_LOAD_BITS(load_in, in_buf)

void main() {
  GRID_STRIDE_LOOP(i, pc.n) {
    const uvec4 off = strided_offsets(i, 2);
    const uint64_t bits = load_in(pc.in_offset + off.y, SRC);
    const uint o = pc.out_offset + off.x;
#if defined(TYPE_B8)
    out_buf.data[o] = uint8_t(bits_nonzero(bits, SRC) ? 1u : 0u);
#elif defined(TYPE_U8) || defined(TYPE_I8)
    out_buf.data[o] = uint8_t(uint(bits_to_integral(bits, SRC, false)));
#elif defined(TYPE_I16)
    out_buf.data[o] = uint16_t(uint(bits_to_integral(bits, SRC, false)));
#elif defined(TYPE_I32)
    out_buf.data[o] = uint(bits_to_integral(bits, SRC, false));
#elif defined(TYPE_I64)
    out_buf.data[o] = uint64_t(bits_to_integral(bits, SRC, true));
#elif defined(TYPE_F32)
    out_buf.data[o] = SRC == DT_F32 ? uint(bits) : floatBitsToUint(bits_to_float(bits, SRC));
#elif defined(TYPE_F16)
    out_buf.data[o] = uint16_t(SRC == DT_F16 ? uint(bits) : float_to_half_bits(bits_to_float(bits, SRC)));
#elif defined(TYPE_BF16)
    out_buf.data[o] = uint16_t(SRC == DT_BF16 ? uint(bits) : float_to_bf16_bits(bits_to_float(bits, SRC)));
#else  // float64: exact from every other type but int64, which rounds to nearest even
    double v;
    if (SRC == DT_F64) v = uint64BitsToDouble(bits);
    else if (dt_is_float(SRC)) v = double(bits_to_float(bits, SRC));
    else v = double(bits_to_int64(bits, SRC));
    out_buf.data[o] = v;
#endif
  }
}
