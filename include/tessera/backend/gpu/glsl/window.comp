#version 450
// window: the windows of an image [N, C, H, W] as columns (im2col) and back (col2im), for
// convolution and pooling (backend/cpu/window.hpp, WindowGeometry in iter/plan.hpp). Both
// tensors are contiguous (with storage offsets); the variant is their common element type.
//   OP 0 im2col: one thread per column element: its pixel's bits, or the pad value's bits.
//   OP 1 col2im: one thread per pixel: out[pixel] += every column element of that pixel.
//
// Note [col2im order]
// The CPU adds a plane's windows in the order y, x (the window), ki, kj (the element), so a
// pixel receives its elements in increasing (y, x): for a pixel row iy, y = (iy + ph - ki * dh)
// / sh grows as ki falls, and one ki at most matches each y (columns alike with pw, kj, dw, sw). A thread walks
// ki and kj downwards and adds in the element type after each step (half and bfloat16 round
// after every addition, as T + T then T(...) does on the CPU), so the sums are the CPU's bits.
#include "common.glsl"

layout(local_size_x = WG_SIZE) in;
layout(constant_id = 0) const int OP = 0;

#if defined(TYPE_F32) || defined(TYPE_F16) || defined(TYPE_BF16)
#define NO_F64_INPUTS
#elif !defined(TYPE_F64)
#define INT_INPUTS_ONLY
#endif
#include "dtype.glsl"

#if defined(TYPE_B8)
#define DT DT_B8
#elif defined(TYPE_U8)
#define DT DT_U8
#elif defined(TYPE_I8)
#define DT DT_I8
#elif defined(TYPE_I16)
#define DT DT_I16
#elif defined(TYPE_I32)
#define DT DT_I32
#elif defined(TYPE_I64)
#define DT DT_I64
#elif defined(TYPE_F16)
#define DT DT_F16
#elif defined(TYPE_BF16)
#define DT DT_BF16
#elif defined(TYPE_F32)
#define DT DT_F32
#else
#define DT DT_F64
#endif

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

// col2im reads the image it adds to, so out is not writeonly.
layout(std430, binding = 0) buffer Out { OUT_T data[]; } out_buf;
layout(std430, binding = 1) readonly buffer In { uint words[]; } in_buf;  // Note [Inputs as words]

layout(push_constant) uniform Push {
  uint n;           // threads: column elements (im2col) or pixels (col2im)
  uint out_offset;  // storage offsets, in elements
  uint in_offset;
  uint pad_lo;      // im2col's pad value as the type's bits (high word for 64-bit types)
  uint pad_hi;
  uint c, h, w;     // the image's channels, rows and columns
  uint kh, kw;      // window rows and columns
  uint sh, sw;      // stride
  uint ph, pw;      // padding above and to the left (below and to the right: what windows overhang)
  uint dh, dw;      // dilation
  uint oh, ow;      // windows along H and W
  uint channels_inner;  // columns [N, OH, OW, C, kh, kw] when 1, else [N, C, OH, OW, kh, kw]
} pc;

DEFINE_LOAD_BITS(load_in, in_buf)

void store_bits(uint o, uint64_t bits) {
#if defined(TYPE_F64)
  out_buf.data[o] = uint64BitsToDouble(bits);
#elif defined(TYPE_I64)
  out_buf.data[o] = bits;
#else
  out_buf.data[o] = OUT_T(uint(bits));
#endif
}

void im2col(uint i) {
  uint rest = i;
  const uint kj = rest % pc.kw;
  rest /= pc.kw;
  const uint ki = rest % pc.kh;
  rest /= pc.kh;
  uint x, y, ch;
  if (pc.channels_inner != 0u) {
    ch = rest % pc.c, rest /= pc.c;
    x = rest % pc.ow, rest /= pc.ow;
    y = rest % pc.oh, rest /= pc.oh;
  } else {
    x = rest % pc.ow, rest /= pc.ow;
    y = rest % pc.oh, rest /= pc.oh;
    ch = rest % pc.c, rest /= pc.c;
  }
  const uint nb = rest;
  // The host keeps the windows' extent below 2^30, so these fit in int.
  const int iy = int(y * pc.sh + ki * pc.dh) - int(pc.ph);
  const int ix = int(x * pc.sw + kj * pc.dw) - int(pc.pw);
  uint64_t bits = (uint64_t(pc.pad_hi) << 32) | uint64_t(pc.pad_lo);
  if (iy >= 0 && iy < int(pc.h) && ix >= 0 && ix < int(pc.w))
    bits = load_in(pc.in_offset + ((nb * pc.c + ch) * pc.h + uint(iy)) * pc.w + uint(ix), DT);
  store_bits(pc.out_offset + i, bits);
}

#if defined(TYPE_F32) || defined(TYPE_F16) || defined(TYPE_BF16)
#define ACC float
#elif defined(TYPE_F64)
#define ACC double
#else
#define ACC int64_t
#endif

ACC value_of(uint64_t bits) {
#if defined(TYPE_F64)
  return uint64BitsToDouble(bits);
#elif defined(TYPE_F32) || defined(TYPE_F16) || defined(TYPE_BF16)
  return bits_to_float(bits, DT);
#else
  return bits_to_int64(bits, DT);
#endif
}

/** a + b in the element type: half and bfloat16 round after every addition, integers wrap at
 *  the store (modular sums do not depend on when they wrap), bool is an or. */
ACC add(ACC a, ACC b) {
#if defined(TYPE_F16)
  return half_bits_to_float(float_to_half_bits(a + b));
#elif defined(TYPE_BF16)
  return bf16_bits_to_float(float_to_bf16_bits(a + b));
#elif defined(TYPE_B8)
  return a != int64_t(0) || b != int64_t(0) ? int64_t(1) : int64_t(0);
#else
  return a + b;
#endif
}

void col2im(uint i) {
  const uint plane = i / (pc.h * pc.w), pixel = i % (pc.h * pc.w);
  const uint nb = plane / pc.c, ch = plane % pc.c;
  const int iy = int(pixel / pc.w), ix = int(pixel % pc.w);
  const uint o = pc.out_offset + i;
#if defined(TYPE_F64)
  ACC acc = out_buf.data[o];
#elif defined(TYPE_I64)
  ACC acc = int64_t(out_buf.data[o]);
#else
  ACC acc = value_of(uint64_t(uint(out_buf.data[o])));
#endif
  const uint kk = pc.kh * pc.kw;
  for (int ki = int(pc.kh) - 1; ki >= 0; --ki) {  // Note [col2im order]
    const int ty = iy + int(pc.ph) - ki * int(pc.dh);
    if (ty < 0 || uint(ty) % pc.sh != 0u) continue;
    const uint y = uint(ty) / pc.sh;
    if (y >= pc.oh) continue;
    for (int kj = int(pc.kw) - 1; kj >= 0; --kj) {
      const int tx = ix + int(pc.pw) - kj * int(pc.dw);
      if (tx < 0 || uint(tx) % pc.sw != 0u) continue;
      const uint x = uint(tx) / pc.sw;
      if (x >= pc.ow) continue;
      const uint window = pc.channels_inner != 0u ? ((nb * pc.oh + y) * pc.ow + x) * pc.c + ch
                                                  : ((nb * pc.c + ch) * pc.oh + y) * pc.ow + x;
      acc = add(acc, value_of(load_in(pc.in_offset + window * kk + uint(ki) * pc.kw + uint(kj), DT)));
    }
  }
#if defined(TYPE_F64)
  out_buf.data[o] = acc;
#elif defined(TYPE_F32)
  out_buf.data[o] = floatBitsToUint(acc);
#elif defined(TYPE_F16)
  out_buf.data[o] = uint16_t(float_to_half_bits(acc));
#elif defined(TYPE_BF16)
  out_buf.data[o] = uint16_t(float_to_bf16_bits(acc));
#else
  store_bits(o, uint64_t(acc));
#endif
}

void main() {
  GRID_STRIDE_LOOP(i, pc.n) {
    if (OP == 0) im2col(i);
    else col2im(i);
  }
}
