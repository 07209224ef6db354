#pragma once
// Philox and Box-Muller over many blocks at once, with the same bits at every vector width.

#include <cmath>
#include <cstring>

#include "../backend/cpu/vectorized.hpp"
#include "generator.hpp"

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
  V y = TS_EXACT(TS_EXACT(p * m) * z);
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
  const V sin_a = TS_EXACT(TS_EXACT(ps * z) * a) + a;
  V pc = V{} + 2.443315711809948e-5f;
  pc = TS_EXACT(pc * z) - 1.388731625493765e-3f;
  pc = TS_EXACT(pc * z) + 4.166664568298827e-2f;
  const V cos_a = (TS_EXACT(TS_EXACT(pc * z) * z) - TS_EXACT(0.5f * z)) + 1.0f;
  const V s0 = upper ? cos_a : sin_a, c0 = upper ? sin_a : cos_a;  // sin and cos of f * pi/2
  // rotate by the quadrant: (s, c) -> (c, -s) -> (-s, -c) -> (-c, s)
  const I qm = q & 3;
  s = qm == 0 ? s0 : qm == 1 ? c0 : qm == 2 ? -s0 : -c0;
  c = qm == 0 ? c0 : qm == 1 ? -s0 : qm == 2 ? -c0 : s0;
}

}  // namespace tessera::detail

namespace tessera::detail {

/** Philox4x32-10 of the L = Bytes / 4 consecutive blocks from `first`, as four word vectors. */
template <int Bytes>
[[gnu::always_inline]] inline void philox_lanes(const GeneratorState& state, uint64_t first,
                                                typename VecOf<uint32_t, Bytes>::type w[4]) {
  using U32 = typename VecOf<uint32_t, Bytes>::type;
  using U64 = typename VecOf<uint64_t, 2 * Bytes>::type;
  constexpr int L = Bytes / 4;
  U32 c0, c1, c2 = {}, c3 = {};
  for (int lane = 0; lane < L; ++lane) {
    const uint64_t c = state.offset + first + static_cast<uint64_t>(lane);
    c0[lane] = static_cast<uint32_t>(c);
    c1[lane] = static_cast<uint32_t>(c >> 32);
  }
  uint32_t k0 = static_cast<uint32_t>(state.seed), k1 = static_cast<uint32_t>(state.seed >> 32);
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    const U64 p0 = __builtin_convertvector(c0, U64) * 0xD2511F53ull;
    const U64 p1 = __builtin_convertvector(c2, U64) * 0xCD9E8D57ull;
    const U32 hi0 = __builtin_convertvector(p0 >> 32, U32), lo0 = __builtin_convertvector(p0, U32);
    const U32 hi1 = __builtin_convertvector(p1 >> 32, U32), lo1 = __builtin_convertvector(p1, U32);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  w[0] = c0, w[1] = c1, w[2] = c2, w[3] = c3;
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
  for (int64_t g = g0; g < g1; ++g) {
    U32 w[4];
    philox_lanes<Bytes>(state, static_cast<uint64_t>(g * L), w);
    F v[4];
    if constexpr (kind == 0) {
      for (int k = 0; k < 4; ++k) v[k] = __builtin_convertvector(w[k] >> 8, F) * 0x1p-24f;
    } else {
      for (int pair = 0; pair < 2; ++pair) {
        const F u1 = __builtin_convertvector((w[2 * pair] >> 8) + 1, F) * 0x1p-24f;
        const F u2 = __builtin_convertvector(w[2 * pair + 1] >> 8, F) * 0x1p-24f;
        F log_u1;
        log_unit<F, I32>(u1, log_u1);
        const F l = TS_EXACT(log_u1 * -2.0f);
        F r;
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
      std::memcpy(out + base, r, sizeof r);
      continue;
    }
#endif
    for (int lane = 0; lane < L; ++lane)
      for (int k = 0; k < 4; ++k) {
        const int64_t i = base + lane * 4 + k;
        if (i >= n) return;
        double z = v[k][lane];
        if (!standard) {
          volatile double scaled = stddev * z;  // rounded before the add (Note [Exact SIMD arithmetic])
          z = mean + scaled;
        }
        out[i] = convert<T>(standard ? static_cast<float>(z) : z);
      }
  }
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

/** Fills out[0, n) with float rand (kind 0) or randn (kind 1) values; same bits at every width. */
template <int kind, class T>
void fill_random_simd(T* out, int64_t n, Generator& gen, double mean = 0, double stddev = 1) {
  constexpr int64_t kGroup = 64;  // blocks per group at every width: widths only change the grouping inside
  const int64_t blocks = (n + 3) / 4, groups = (blocks + kGroup - 1) / kGroup;
  const GeneratorState state = gen.reserve(static_cast<uint64_t>(blocks));
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
