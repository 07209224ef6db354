#pragma once
// Philox and Box-Muller over many blocks at once, with the same bits at every vector width.

#include <cmath>
#include <cstring>
#include <utility>

#include "../../parallel/parallel_for.hpp"
#include "../../random/generator.hpp"
#include "vectorized.hpp"

namespace tessera::detail {

// Note [Exact SIMD arithmetic]
// Random values must not depend on the machine or on compiler flags, but a compiler may fuse
// a * b + c into one fused multiply-add where the target has one, which rounds differently.
// TS_EXACT() hides a product from the optimiser (an empty asm that "changes" it), so every product
// is rounded before it is added, at every vector width and with any -march or -ffp-contract.
template <class V>
[[gnu::always_inline]] inline void opaque(V& v) {
#if defined(__x86_64__) && defined(__clang__)
  // clang checks register constraints against the (non-AVX) target of this function: go
  // through memory for wide vectors, which hides the value just as well.
  if constexpr (sizeof(V) > 16) asm("" : "+m"(v));
  else asm("" : "+x"(v));
#elif defined(__x86_64__) && defined(__GNUC__)
  if constexpr (sizeof(V) == 64) asm("" : "+v"(v));
  else asm("" : "+x"(v));
#else
  (void)v;
#endif
}
// A statement expression, so that no function passes a vector by value.
#define TS_EXACT(expr) __extension__({ auto ts_exact_value = (expr); ::tessera::detail::opaque(ts_exact_value); ts_exact_value; })

// log for float vectors in (0, 1] (Cephes' logf): within 2 ulp.
template <class V, class I>
[[gnu::always_inline]] inline void log_unit(const V& x, V& out) {
  I bits;
  std::memcpy(&bits, &x, sizeof(V));
  I e = ((bits >> 23) & 0xff) - 126;
  I mbits = (bits & 0x7fffff) | 0x3f000000;  // mantissa in [0.5, 1)
  V m;
  std::memcpy(&m, &mbits, sizeof(V));
  const auto small = m < 0.70710678118654752440f;
  e = small ? e - 1 : e;
  m = small ? TS_EXACT(m + m) - 1.0f : m - 1.0f;
  const V ef = __builtin_convertvector(e, V);
  const V z = TS_EXACT(m * m);
  V p = V{} + 7.0376836292e-2f;
  p = TS_EXACT(p * m) - 1.1514610310e-1f;
  p = TS_EXACT(p * m) + 1.1676998740e-1f;
  p = TS_EXACT(p * m) - 1.2420140846e-1f;
  p = TS_EXACT(p * m) + 1.4249322787e-1f;
  p = TS_EXACT(p * m) - 1.6668057665e-1f;
  p = TS_EXACT(p * m) + 2.0000714765e-1f;
  p = TS_EXACT(p * m) - 2.4999993993e-1f;
  p = TS_EXACT(p * m) + 3.3333331174e-1f;
  const V pm = TS_EXACT(p * m);  // (one TS_EXACT per statement: they do not nest)
  V y = TS_EXACT(pm * z);
  y = y + TS_EXACT(ef * -2.12194440e-4f);
  y = y - TS_EXACT(0.5f * z);
  out = (m + y) + TS_EXACT(ef * 0.693359375f);
}

// sin and cos of 2 pi u for float vectors u in [0, 1): the quadrant comes from u exactly, and
// Cephes' polynomials run on an angle in [0, pi/4].
template <class V, class I>
[[gnu::always_inline]] inline void sincos_turns(const V& u, V& s, V& c) {
  const V t = u * 4.0f;  // exact: u has 24 bits
  const I q = __builtin_convertvector(t, I);  // truncates: the quadrant 0..3
  const V f = t - __builtin_convertvector(q, V);  // exact fraction in [0, 1)
  const auto upper = f > 0.5f;
  const V g = upper ? 1.0f - f : f;  // exact
  const V a = TS_EXACT(g * 1.57079632679489661923f);  // in [0, pi/4]
  const V z = TS_EXACT(a * a);
  V ps = V{} - 1.9515295891e-4f;
  ps = TS_EXACT(ps * z) + 8.3321608736e-3f;
  ps = TS_EXACT(ps * z) - 1.6666654611e-1f;
  const V psz = TS_EXACT(ps * z);
  const V sin_a = TS_EXACT(psz * a) + a;
  V pc = V{} + 2.443315711809948e-5f;
  pc = TS_EXACT(pc * z) - 1.388731625493765e-3f;
  pc = TS_EXACT(pc * z) + 4.166664568298827e-2f;
  const V pcz = TS_EXACT(pc * z);
  const V cos_a = (TS_EXACT(pcz * z) - TS_EXACT(0.5f * z)) + 1.0f;
  const V s0 = upper ? cos_a : sin_a, c0 = upper ? sin_a : cos_a;  // sin and cos of f * pi/2
  // rotate by the quadrant: (s, c) -> (c, -s) -> (-s, -c) -> (-c, s)
  const I qm = q & 3;
  s = qm == 0 ? s0 : qm == 1 ? c0 : qm == 2 ? -s0 : -c0;
  c = qm == 0 ? c0 : qm == 1 ? -s0 : qm == 2 ? -c0 : s0;
}

}  // namespace tessera::detail

namespace tessera::detail {

// Note [Philox in 64-bit lanes]
// Each Philox round multiplies two 32-bit words by constants and needs both halves of the
// 64-bit products. x86 multiplies 32 x 32 -> 64 bits only in even 32-bit lanes (pmuludq), so the
// blocks run in 64-bit lanes: word k of a block sits in the low half of its lane, the high half
// is ignored by the multiply and carries junk, and a round is two multiplies, two shifts and
// two three-way XORs per vector of blocks, with no widening or narrowing. The words are packed
// into 32-bit lanes (lane j = block j) once, after the ten rounds.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
// GCC multiplies all 64 bits of `(x & 0xffffffff) * m` (vpmullq): its builtins name the
// 32 x 32 -> 64-bit multiply. They return wide vectors inside a function that has no target of
// its own, which GCC warns about (-Wpsabi), but this function is always inlined into one.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
template <class U64>
[[gnu::always_inline]] inline void mul_low_words(const U64& x, const U64& m, U64& product) {
  using I32 = typename VecOf<int32_t, sizeof(U64)>::type;
  using I64 = typename VecOf<long long, sizeof(U64)>::type;
  if constexpr (sizeof(U64) == 64) product = (U64)__builtin_ia32_pmuludq512_mask((I32)x, (I32)m, I64{}, 0xff);
  else if constexpr (sizeof(U64) == 32) product = (U64)__builtin_ia32_pmuludq256((I32)x, (I32)m);
  else product = (U64)__builtin_ia32_pmuludq128((I32)x, (I32)m);
}
#pragma GCC diagnostic pop
#else
template <class U64>
[[gnu::always_inline]] inline void mul_low_words(const U64& x, const U64& m, U64& product) {
  product = (x & 0xffffffffu) * m;  // clang emits pmuludq for this
}
#endif

/** The low 32 bits of every 64-bit lane of a, then of b, as one vector of 32-bit lanes. */
template <class U32, class U64, size_t... J>
[[gnu::always_inline]] inline void pack_low_words(const U64& a, const U64& b, U32& out, std::index_sequence<J...>) {
  out = __builtin_shufflevector((U32)a, (U32)b, (2 * J)...);
}

/** Philox's ten round keys, as 64-bit lanes (Note [Philox in 64-bit lanes]). */
template <int Bytes>
struct PhiloxKeys {
  using U64 = typename VecOf<uint64_t, Bytes>::type;
  U64 k0[10], k1[10];
  [[gnu::always_inline]] explicit PhiloxKeys(uint64_t seed) {
    uint32_t a = static_cast<uint32_t>(seed), b = static_cast<uint32_t>(seed >> 32);
    for (int round = 0; round < 10; ++round, a += 0x9E3779B9u, b += 0xBB67AE85u) k0[round] = U64{} + a, k1[round] = U64{} + b;
  }
};

/** Philox4x32-10 of the G * L consecutive blocks from `first` (L = Bytes / 4), as G groups of
 *  four word vectors. The rounds of 2G independent halves are interleaved: a round is a chain of
 *  multiply, shift and XOR, so one group alone leaves the vector units waiting on latency. */
template <int Bytes, int G>
[[gnu::always_inline]] inline void philox_lanes(const PhiloxKeys<Bytes>& keys, uint64_t first,
                                                typename VecOf<uint32_t, Bytes>::type (&w)[G][4]) {
  using U64 = typename VecOf<uint64_t, Bytes>::type;
  constexpr int H = Bytes / 8;  // blocks per half: the 64-bit lanes of a vector
  U64 iota;
  for (int j = 0; j < H; ++j) iota[j] = static_cast<uint64_t>(j);
  const U64 m0 = U64{} + 0xD2511F53u, m1 = U64{} + 0xCD9E8D57u;
  U64 c[2 * G][4];
#pragma GCC unroll 4
  for (int h = 0; h < 2 * G; ++h) {
    const U64 counter = (U64{} + (first + static_cast<uint64_t>(h * H))) + iota;
    // Round 1 with the counter's zero words 2 and 3 folded in.
    U64 p0;
    mul_low_words(counter, m0, p0);
    c[h][0] = (counter >> 32) ^ keys.k0[0];
    c[h][1] = U64{};
    c[h][2] = (p0 >> 32) ^ keys.k1[0];
    c[h][3] = p0;
  }
#pragma GCC unroll 9
  for (int round = 1; round < 10; ++round) {
#pragma GCC unroll 4
    for (int h = 0; h < 2 * G; ++h) {
      U64 p0, p1;
      mul_low_words(c[h][0], m0, p0);
      mul_low_words(c[h][2], m1, p1);
      c[h][0] = (p1 >> 32) ^ c[h][1] ^ keys.k0[round];
      c[h][1] = p1;
      c[h][2] = (p0 >> 32) ^ c[h][3] ^ keys.k1[round];
      c[h][3] = p0;
    }
  }
#pragma GCC unroll 2
  for (int g = 0; g < G; ++g)
#pragma GCC unroll 4
    for (int k = 0; k < 4; ++k) pack_low_words(c[2 * g][k], c[2 * g + 1][k], w[g][k], std::make_index_sequence<2 * H>{});
}

// Float rand (kind 0) or Box-Muller normals (kind 1) for the block groups [g0, g1); elements
// past n are computed and dropped, so a partial group gives the same values as a full one.
template <int Bytes, int kind, class T>
[[gnu::always_inline]] inline void random_groups(T* out, int64_t n, const GeneratorState& state, int64_t g0,
                                                 int64_t g1, double mean, double stddev) {
  using U32 = typename VecOf<uint32_t, Bytes>::type;
  using I32 = typename VecOf<int32_t, Bytes>::type;
  using F = typename VecOf<float, Bytes>::type;
  constexpr int L = Bytes / 4;
  const bool standard = mean == 0.0 && stddev == 1.0;
  const PhiloxKeys<Bytes> keys(state.seed);
  const bool stream = n * static_cast<int64_t>(sizeof(T)) >= kStreamingStoreBytes &&
                      reinterpret_cast<uintptr_t>(out) % Bytes == 0;  // Note [Streaming stores]
  constexpr int G = 2;  // lane groups whose Philox rounds run interleaved
  for (int64_t first = g0; first < g1; first += G) {
    U32 words[G][4];
    philox_lanes<Bytes, G>(keys, state.offset + static_cast<uint64_t>(first * L), words);
    for (int64_t g = first; g < std::min(g1, first + G); ++g) {
      const U32* w = words[g - first];
      F v[4];
      if constexpr (kind == 0) {
#pragma GCC unroll 4
        for (int k = 0; k < 4; ++k) v[k] = __builtin_convertvector((I32)(w[k] >> 8), F) * 0x1p-24f;
      } else {
        for (int pair = 0; pair < 2; ++pair) {
          const F u1 = __builtin_convertvector((I32)((w[2 * pair] >> 8) + 1), F) * 0x1p-24f;
          const F u2 = __builtin_convertvector((I32)(w[2 * pair + 1] >> 8), F) * 0x1p-24f;
          F log_u1;
          log_unit<F, I32>(u1, log_u1);
          const F l = TS_EXACT(log_u1 * -2.0f);
          F r = l;  // every lane is set below; initialised for the compiler
          for (int lane = 0; lane < L; ++lane) r[lane] = std::sqrt(l[lane]);  // correctly rounded
          F s, c;
          sincos_turns<F, I32>(u2, s, c);
          v[2 * pair] = TS_EXACT(r * c);
          v[2 * pair + 1] = TS_EXACT(r * s);
        }
      }
      const int64_t base = g * L * 4;
#ifndef __clang__  // GCC's __builtin_shuffle takes a run-time mask; clang takes the loop below
      if (standard && std::is_same_v<T, float> && base + 4 * L <= n) {
        // Element order is (lane, k): interleave the four vectors with two rounds of zips.
        I32 zip_lo, zip_hi;
        for (int j = 0; j < L; ++j) {
          zip_lo[j] = (j % 2 ? L : 0) + j / 2;
          zip_hi[j] = (j % 2 ? L : 0) + L / 2 + j / 2;
        }
        const F t0 = __builtin_shuffle(v[0], v[2], zip_lo), t1 = __builtin_shuffle(v[0], v[2], zip_hi);
        const F t2 = __builtin_shuffle(v[1], v[3], zip_lo), t3 = __builtin_shuffle(v[1], v[3], zip_hi);
        const F r[4] = {__builtin_shuffle(t0, t2, zip_lo), __builtin_shuffle(t0, t2, zip_hi),
                        __builtin_shuffle(t1, t3, zip_lo), __builtin_shuffle(t1, t3, zip_hi)};
        if constexpr (std::is_same_v<T, float>) {
          if (stream) {
#pragma GCC unroll 4
            for (int k = 0; k < 4; ++k) stream_store(out + base + k * L, r[k]);
            continue;
          }
        }
        std::memcpy(out + base, r, sizeof r);
        continue;
      }
#endif
      for (int lane = 0; lane < L; ++lane)
        for (int k = 0; k < 4; ++k) {
          const int64_t i = base + lane * 4 + k;
          if (i >= n) {
            if (stream) stream_fence();
            return;
          }
          double z = v[k][lane];
          if (!standard) {
            volatile double scaled = stddev * z;  // rounded before the add (Note [Exact SIMD arithmetic])
            z = mean + scaled;
          }
          out[i] = convert<T>(standard ? static_cast<float>(z) : z);
        }
    }
  }
  if (stream) stream_fence();
}

template <int kind, class T>
TS_TARGET_AVX512 void random_groups_avx512(T* out, int64_t n, const GeneratorState& s, int64_t g0, int64_t g1,
                                           double mean, double stddev) {
  random_groups<64, kind>(out, n, s, g0, g1, mean, stddev);
}
template <int kind, class T>
TS_TARGET_AVX2 void random_groups_avx2(T* out, int64_t n, const GeneratorState& s, int64_t g0, int64_t g1,
                                       double mean, double stddev) {
  random_groups<32, kind>(out, n, s, g0, g1, mean, stddev);
}

/** Fills out[0, n) with float rand (kind 0) or randn (kind 1) values from the (n + 3) / 4 blocks
 *  reserved at `state`; same bits at every width. */
template <int kind, class T>
void fill_random_simd(T* out, int64_t n, const GeneratorState& state, double mean = 0, double stddev = 1) {
  constexpr int64_t kGroup = 64;  // blocks per group at every width: widths only change the grouping inside
  const int64_t blocks = (n + 3) / 4, groups = (blocks + kGroup - 1) / kGroup;
  parallel_for(0, groups, std::max<int64_t>(1, kGrainSize / (4 * kGroup)), [&](int64_t first, int64_t last) {
    const SimdLevel level = simd_level();
    // A group of kGroup blocks is 4, 8 or 16 lane groups of the chosen width.
    const int64_t lanes = level == SimdLevel::AVX512 ? 16 : level == SimdLevel::AVX2 ? 8 : 4;
    const int64_t g0 = first * kGroup / lanes, g1 = last * kGroup / lanes;
    switch (level) {
#if TS_HAS_X86_DISPATCH
      case SimdLevel::AVX512: return random_groups_avx512<kind>(out, n, state, g0, g1, mean, stddev);
      case SimdLevel::AVX2: return random_groups_avx2<kind>(out, n, state, g0, g1, mean, stddev);
#endif
      default: return random_groups<16, kind>(out, n, state, g0, g1, mean, stddev);
    }
  });
}

}  // namespace tessera::detail

#undef TS_EXACT  // private to this header
