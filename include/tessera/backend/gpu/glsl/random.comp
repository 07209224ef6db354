#version 450
// random: rand, uniform_, randn, normal_, randint and bernoulli on tessera's Philox stream into a
// contiguous output, bit for bit as the CPU draws them (random.glsl; docs/random.md). OP
// (RANDOM_*) is the sampler; the variant is the output type. Integer variants have randint and
// bernoulli only, float64 all but normal (which needs double log and sin: the host draws it).
// Every value is written as bits and computed in integers or float, so no variant needs
// shaderFloat64 (the float64 one is still Vulkan only, as every float64 variant).
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "dtype.glsl"
#include "random.glsl"
#if defined(TYPE_F64) || defined(DOUBLE_MATH)
#define USES_F64_MATH
#include "f64math.glsl"
#endif

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
layout(std430, binding = 1) readonly buffer Probs { uint words[]; } p_buf;  // bernoulli's probabilities

layout(push_constant) uniform Push {
  uint64_t seed;    // the generator's seed
  uint64_t offset;  // the first block reserved for this draw
  uint64_t a;       // randint: low (int64); normal: mean, uniform: from (double bits); bernoulli: ceil(p 2^53)
  uint64_t b;       // randint: range = high - low; normal: stddev, uniform: to - from (double bits);
                    // bernoulli: 1 when the probabilities are p_buf's, 0 when a is the threshold
  uint64_t c;       // randint: (2^64 - range) mod range, Lemire's rejection threshold
  uint n;           // elements
  uint out_offset;  // out's storage offset, in elements
  uint standard;    // uniform and normal: 1 for (0, 1) (the value is stored as is)
  uint in_offset;   // bernoulli: p_buf's storage offset, in elements
} pc;

#if defined(TYPE_F32) || defined(TYPE_F16) || defined(TYPE_BF16) || defined(TYPE_F64)
#define HAS_PROBS
/** Element i of bernoulli's probabilities, exactly; they have the output's type (the host
 *  checks it), so a variant reads one type. */
Soft probability(uint i) {
#if defined(TYPE_F64)
  return soft_from_f64_bits(uint64_t(p_buf.words[2u * i]) | (uint64_t(p_buf.words[2u * i + 1u]) << 32));
#elif defined(TYPE_F32)
  return soft_from_f32_bits(p_buf.words[i]);
#else
  const uint h = (p_buf.words[i >> 1] >> ((i & 1u) * 16u)) & 0xffffu;
#if defined(TYPE_F16)
  return soft_from_f16_bits(h);
#else
  return soft_from_f32_bits(h << 16);
#endif
#endif
}
#endif

/** Bernoulli of element i from its two words (Note [Bernoulli in integers]): u < p. */
bool bernoulli_of(uint i, uint lo, uint hi) {
  const uint64_t k = ((uint64_t(hi) << 32) | uint64_t(lo)) >> 11;
#if defined(HAS_PROBS)
  if (pc.b != uint64_t(0)) return k < bernoulli_threshold(probability(pc.in_offset + i));
#endif
  return k < pc.a;
}

// 1 in the output type, as bits.
#if defined(TYPE_F32)
#define ONE_BITS uint64_t(0x3f800000u)
#elif defined(TYPE_F16)
#define ONE_BITS uint64_t(0x3c00u)
#elif defined(TYPE_BF16)
#define ONE_BITS uint64_t(0x3f80u)
#elif defined(TYPE_F64)
#define ONE_BITS (uint64_t(0x3ff00000u) << 32)
#else
#define ONE_BITS uint64_t(1)
#endif

void store(uint i, uint64_t bits) {
  if (i < pc.n) out_buf.data[pc.out_offset + i] = BITS(bits);
}

#if defined(FLOAT_OUT)
/** rand of the output type from one word, as float bits (exact). */
uint uniform_bits(uint w) {
#if defined(TYPE_F16)
  return floatBitsToUint(float(w >> 21) * 4.8828125e-4f);  // 2^-11: exact in half
#elif defined(TYPE_BF16)
  return floatBitsToUint(float(w >> 24) * 3.90625e-3f);  // 2^-8: exact in bfloat16
#else
  return uniform_f32_bits(w);
#endif
}

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

/** bernoulli's elements 2 blk and 2 blk + 1, from block blk (two double uniforms). */
void store_bernoulli(uint blk, uvec4 w) {
  [[dont_unroll]] for (uint h = 0u; h < 2u; ++h)
    store(2u * blk + h, bernoulli_of(2u * blk + h, w[2u * h], w[2u * h + 1u]) ? ONE_BITS : uint64_t(0));
}

#if defined(USES_F64_MATH)
/** An element computed in double as the output type's bits: float64 as is, the others rounded
 *  to float, then to half or bfloat16 (as static_cast<T>(double) on the CPU). */
uint64_t from_double(double v) {
#if defined(TYPE_F64)
  return doubleBitsToUint64(v);
#else
  const uint f = floatBitsToUint(f64_bits_to_float(doubleBitsToUint64(v)));
#if defined(TYPE_F16)
  return uint64_t(float_to_half_bits(uintBitsToFloat(f)));
#elif defined(TYPE_BF16)
  return uint64_t(float_to_bf16_bits(uintBitsToFloat(f)));
#else
  return uint64_t(f);
#endif
#endif
}

uint64_t word_pair(uint lo, uint hi) { return (uint64_t(hi) << 32) | uint64_t(lo); }

/** exponential_ (a = -1 / lambd as double bits) and float64 normal_ (a = mean, b = stddev),
 *  two elements per block, with the CPU's functions (f64math.glsl). */
void draw_double(uint blk) {
  const uvec4 w = random_block(pc.seed, pc.offset, blk, 0u);
  if (OP == RANDOM_EXPONENTIAL) {
    const double c = uint64BitsToDouble(pc.a);
    store(2u * blk, from_double(f64_exponential(word_pair(w[0], w[1]), c)));
    store(2u * blk + 1u, from_double(f64_exponential(word_pair(w[2], w[3]), c)));
    return;
  }
  double z0, z1;
  f64_normal_pair(word_pair(w[0], w[1]), word_pair(w[2], w[3]), uint64BitsToDouble(pc.a), uint64BitsToDouble(pc.b), z0, z1);
  store(2u * blk, from_double(z0));
  store(2u * blk + 1u, from_double(z1));
}
#endif

void main() {
#if defined(USES_F64_MATH)
#if defined(TYPE_F64)
  const bool in_double = OP == RANDOM_EXPONENTIAL || OP == RANDOM_NORMAL;
#else
  const bool in_double = OP == RANDOM_EXPONENTIAL;
#endif
  if (in_double) {
    GRID_STRIDE_LOOP(blk, (pc.n + 1u) / 2u) draw_double(blk);
    return;
  }
#endif
#if defined(FLOAT_OUT)
  // A unit is a block of four uniforms or normals (two Box-Muller pairs), of two bernoulli
  // elements, or one randint element. Everything goes through one rolled loop, with one call
  // site of each heavy helper (every helper is inlined where it is called, and the MSL must
  // stay small).
  const uint per = OP == RANDOM_RANDINT ? 1u : (OP == RANDOM_BERNOULLI ? 2u : 4u);
  GRID_STRIDE_LOOP(unit, (pc.n + per - 1u) / per) {
    // One Philox call site: uniform, normal and bernoulli take attempt 0 of their block; randint
    // tries attempts until a half is accepted (bounded_u64's order).
    uvec4 w;
    uint64_t r = uint64_t(0);
    [[dont_unroll]] for (uint attempt = 0u;; ++attempt) {
      w = random_block(pc.seed, pc.offset, unit, attempt);
      if (OP != RANDOM_RANDINT || lemire_accept(w, pc.b, pc.c, r)) break;
    }
    if (OP == RANDOM_BERNOULLI) {
      store_bernoulli(unit, w);
      continue;
    }
    const uint64_t int_value = pc.a + r;  // randint: low + r, wrapping
    if (OP == RANDOM_UNIFORM && pc.standard != 0u) {  // rand: exact conversions, small enough to unroll
      for (uint k = 0u; k < 4u; ++k) store(4u * unit + k, from_f32_bits(uniform_bits(w[k])));
      continue;
    }
    vec2 z = vec2(0.0f, 0.0f);
    [[dont_unroll]] for (uint k = 0u; k < per; ++k) {
      if (OP == RANDOM_NORMAL && (k & 1u) == 0u) z = box_muller(w[k], w[k + 1u]);  // a pair per two elements
      const float zk = OP == RANDOM_UNIFORM ? uintBitsToFloat(uniform_bits(w[k])) : z[k & 1u];
      uint bits;
      if (OP == RANDOM_NORMAL && pc.standard != 0u) {
        bits = floatBitsToUint(zk);
      } else {  // Note [One soft pipeline]; randint converts through float for half and bfloat16
        // normal_ is mean + stddev * z, uniform_ from + (to - from) * u: the same two roundings.
        const bool scaled = OP != RANDOM_RANDINT;
        const Soft zs = scaled ? soft_from_f32_bits(floatBitsToUint(zk)) : soft_from_int64(int_value);
        bits = soft_f32_bits(zs, pc.a, pc.b, scaled ? SOFT_SCALED_NORMAL : SOFT_INT64);
      }
      store(per * unit + k, from_f32_bits(bits));
    }
  }
#else
  if (OP == RANDOM_BERNOULLI) {
    GRID_STRIDE_LOOP(blk, (pc.n + 1u) / 2u) store_bernoulli(blk, random_block(pc.seed, pc.offset, blk, 0u));
  }
#if defined(TYPE_F64)
  if (OP == RANDOM_UNIFORM) {  // two elements per block, two words each
    GRID_STRIDE_LOOP(blk, (pc.n + 1u) / 2u) {
      const uvec4 w = random_block(pc.seed, pc.offset, blk, 0u);
      [[dont_unroll]] for (uint h = 0u; h < 2u; ++h) {
        const uint lo = w[2u * h], hi = w[2u * h + 1u];
        store(2u * blk + h, pc.standard != 0u ? uniform_f64_bits(lo, hi)
                                              : uniform_range_f64_bits(((uint64_t(hi) << 32) | uint64_t(lo)) >> 11, pc.a, pc.b));
      }
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
