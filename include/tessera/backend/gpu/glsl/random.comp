#version 450
// random: rand, randn and randint on tessera's Philox stream into a contiguous output, bit for
// bit as the CPU draws them (random.glsl; docs/random.md). OP (RANDOM_*) is the sampler; the
// variant is the output type. Integer variants have randint only, float64 uniform and randint
// (its normal needs double log and sin: the host draws it). Every value is written as bits and
// computed in integers or float, so no variant needs shaderFloat64 (the float64 one is still
// Vulkan only, as every float64 variant).
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "dtype.glsl"
#include "random.glsl"

layout(local_size_x = WG_SIZE) in;
layout(constant_id = 0) const int OP = RANDOM_UNIFORM;

#if defined(TYPE_B8) || defined(TYPE_U8) || defined(TYPE_I8)
#define BITS uint8_t
#elif defined(TYPE_I16) || defined(TYPE_F16) || defined(TYPE_BF16)
#define BITS uint16_t
#elif defined(TYPE_I32) || defined(TYPE_F32)
#define BITS uint
#else
#define BITS uint64_t
#endif

#if defined(TYPE_F16) || defined(TYPE_BF16) || defined(TYPE_F32)
#define FLOAT_OUT  // computes in float: rand, randn, randint
#endif

layout(std430, binding = 0) writeonly buffer Out { BITS data[]; } out_buf;

layout(push_constant) uniform Push {
  uint64_t seed;    // the generator's seed
  uint64_t offset;  // the first block reserved for this draw
  uint64_t a;       // randint: low (int64); randn: mean (double bits)
  uint64_t b;       // randint: range = high - low; randn: stddev (double bits)
  uint64_t c;       // randint: (2^64 - range) mod range, Lemire's rejection threshold
  uint n;           // elements
  uint out_offset;  // out's storage offset, in elements
  uint standard;    // randn: 1 when mean == 0 and stddev == 1 (the float is stored as is)
  uint pad;
} pc;

void store(uint i, uint64_t bits) {
  if (i < pc.n) out_buf.data[pc.out_offset + i] = BITS(bits);
}

#if defined(FLOAT_OUT)
/** Float bits as the output type's bits (exact for rand; rounded as convert<T>(float) does). */
uint64_t from_f32_bits(uint bits) {
#if defined(TYPE_F16)
  return uint64_t(float_to_half_bits(uintBitsToFloat(bits)));
#elif defined(TYPE_BF16)
  return uint64_t(float_to_bf16_bits(uintBitsToFloat(bits)));
#else
  return uint64_t(bits);
#endif
}
#endif

void main() {
#if defined(FLOAT_OUT)
  // A unit is a block of four uniforms or normals (two Box-Muller pairs), or one randint
  // element. Normals and randint go through one rolled loop, with one call site of each heavy
  // helper (every helper is inlined where it is called, and the MSL must stay small).
  const uint per = OP == RANDOM_RANDINT ? 1u : 4u;
  GRID_STRIDE_LOOP(unit, (pc.n + per - 1u) / per) {
    // One Philox call site: uniform and normal take attempt 0 of their block; randint tries
    // attempts until a half is accepted (bounded_u64's order).
    uvec4 w;
    uint64_t r = uint64_t(0);
    [[dont_unroll]] for (uint attempt = 0u;; ++attempt) {
      w = random_block(pc.seed, pc.offset, unit, attempt);
      if (OP != RANDOM_RANDINT || lemire_accept(w, pc.b, pc.c, r)) break;
    }
    const uint64_t int_value = pc.a + r;  // randint: low + r, wrapping
    if (OP == RANDOM_UNIFORM) {  // exact conversions, small enough to unroll
      for (uint k = 0u; k < 4u; ++k) {
#if defined(TYPE_F16)
        const uint bits = floatBitsToUint(float(w[k] >> 21) * 4.8828125e-4f);  // 2^-11: exact in half
#elif defined(TYPE_BF16)
        const uint bits = floatBitsToUint(float(w[k] >> 24) * 3.90625e-3f);  // 2^-8: exact in bfloat16
#else
        const uint bits = uniform_f32_bits(w[k]);
#endif
        store(4u * unit + k, from_f32_bits(bits));
      }
      continue;
    }
    vec2 z = vec2(0.0f, 0.0f);
    [[dont_unroll]] for (uint k = 0u; k < per; ++k) {
      if (OP == RANDOM_NORMAL && (k & 1u) == 0u) z = box_muller(w[k], w[k + 1u]);  // a pair per two elements
      const float zk = z[k & 1u];
      uint bits;
      if (OP == RANDOM_NORMAL && pc.standard != 0u) {
        bits = floatBitsToUint(zk);
      } else {  // Note [One soft pipeline]; randint converts through float for half and bfloat16
        const bool normal = OP == RANDOM_NORMAL;
        const Soft zs = normal ? soft_from_f32_bits(floatBitsToUint(zk)) : soft_from_int64(int_value);
        bits = soft_f32_bits(zs, pc.a, pc.b, normal ? SOFT_SCALED_NORMAL : SOFT_INT64);
      }
      store(per * unit + k, from_f32_bits(bits));
    }
  }
#else
#if defined(TYPE_F64)
  if (OP == RANDOM_UNIFORM) {  // two elements per block, two words each
    GRID_STRIDE_LOOP(blk, (pc.n + 1u) / 2u) {
      const uvec4 w = random_block(pc.seed, pc.offset, blk, 0u);
      store(2u * blk, uniform_f64_bits(w[0], w[1]));
      store(2u * blk + 1u, uniform_f64_bits(w[2], w[3]));
    }
  }
#endif
  if (OP == RANDOM_RANDINT) {  // one block (and its rejection attempts) per element
    GRID_STRIDE_LOOP(i, pc.n) {
      const uint64_t v = pc.a + bounded_u64(pc.seed, pc.offset, i, pc.b, pc.c);  // low + r, wrapping
#if defined(TYPE_B8)
      store(i, v != uint64_t(0) ? uint64_t(1) : uint64_t(0));
#elif defined(TYPE_F64)
      store(i, int64_to_f64_bits(v));
#else
      store(i, v);  // the low bits: convert<T>(int64) wraps
#endif
    }
  }
#endif
}
