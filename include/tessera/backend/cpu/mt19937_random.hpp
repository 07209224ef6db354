#pragma once
// CPU samplers on an mt19937 generator: PyTorch 1.13's CPU algorithms, drawing words in its order,
// so a seeded generator gives torch's values bit for bit (docs/random.md, "mt19937").

#include <cmath>
#include <cstring>
#include <numbers>
#include <vector>

#include "../../core/algorithm.hpp"
#include "../../core/convert.hpp"
#include "../../parallel/parallel_for.hpp"
#include "../../random/generator.hpp"
#include "philox_simd.hpp"
#include "simd.hpp"

namespace tessera::detail {

/** Significand digits of a floating T (the implicit bit included), as std::numeric_limits says. */
template <class T>
constexpr int digits_of_mantissa() {
  return std::is_same_v<T, double> ? 53 : std::is_same_v<T, float> ? 24 : std::is_same_v<T, half> ? 11 : 8;
}

// Note [PyTorch's bits to values]
// float uniform: the low 24 bits of one word, times 2^-24; double: the low 53 bits of two words
// (first word high), times 2^-53; half and bfloat16: the low 11 or 8 bits of one word. A range
// [a, b) is x * (b - a) + a in the element type (float for half and bfloat16), with one rounding
// (PyTorch's AVX2 build contracts it to a fused multiply-add). Integers in [low, low + range) are
// low + word % range, from one word, or from two when range >= 2^32 (int64, float, double).
// Normals: see Note [PyTorch's normal paths].
inline float mt_float01(uint32_t w) { return static_cast<float>(w & 0xffffffu) * 0x1p-24f; }
inline double mt_double01(uint64_t w) { return static_cast<double>(w & ((uint64_t{1} << 53) - 1)) * 0x1p-53; }

/** a * b + c rounded once, whatever the flags or the target. */
inline float fused(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
inline double fused(double a, double b, double c) { return __builtin_fma(a, b, c); }

/** o[i] = the float uniform of raw word w[i] (tempered here), for a run of m words. */
template <class V, class U, class I>
[[gnu::always_inline]] inline void float01_run(const uint32_t* w, float* o, int64_t m) {
  constexpr int64_t kLanes = sizeof(V) / sizeof(float);
  int64_t i = 0;
  for (; i + kLanes <= m; i += kLanes) {
    U y;
    std::memcpy(&y, w + i, sizeof y);
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    const V f = __builtin_convertvector(reinterpret_cast<I>(y & 0xffffffu), V) * 0x1p-24f;  // below 2^24: exact
    std::memcpy(o + i, &f, sizeof f);
  }
  for (; i < m; ++i) o[i] = mt_float01(Mt19937::temper(w[i]));
}
using MtU32x4 = uint32_t __attribute__((vector_size(16)));
using MtI32x4 = int32_t __attribute__((vector_size(16)));
using MtI32x8 = int32_t __attribute__((vector_size(32)));
using MtF32x4 = float __attribute__((vector_size(16)));
using MtU32x8 = uint32_t __attribute__((vector_size(32)));
using MtF32x8 = float __attribute__((vector_size(32)));
template <class = void>
void float01_run_generic(const uint32_t* w, float* o, int64_t m) {
  float01_run<MtF32x4, MtU32x4, MtI32x4>(w, o, m);
}
#if TS_HAS_X86_DISPATCH
template <class = void>
TS_TARGET_AVX2 void float01_run_avx2(const uint32_t* w, float* o, int64_t m) {
  float01_run<MtF32x8, MtU32x8, MtI32x8>(w, o, m);
}
#endif

/** The next uniform [0, 1) value of T's accumulation type (float for half and bfloat16). */
template <class T>
auto mt_next01(Mt19937& e) {
  if constexpr (std::is_same_v<T, double>) return mt_double01(e.next64());
  else if constexpr (std::is_same_v<T, half>) return static_cast<float>(e() & 0x7ffu) * 0x1p-11f;
  else if constexpr (std::is_same_v<T, bfloat16>) return static_cast<float>(e() & 0xffu) * 0x1p-8f;
  else return mt_float01(e());
}

/** out[0, n) uniform in [from, to) (PyTorch's uniform_ on a contiguous tensor). */
template <class T>
void mt_fill_uniform(Mt19937& e, T* out, int64_t n, double from_d, double to_d) {
  using Acc = std::conditional_t<std::is_same_v<T, double>, double, float>;
  const Acc from = static_cast<Acc>(static_cast<T>(from_d)), to = static_cast<Acc>(static_cast<T>(to_d));
  const Acc span = to - from;
  if constexpr (std::is_same_v<T, float>) {
    // One pass over each run of words, vectorisable: temper, mask, scale (and map the range).
    const bool unit = from == 0 && to == 1;
    int64_t k = 0;
    e.for_runs(n, [&](const uint32_t* w, int64_t m) {
      float* o = out + k;
      if (unit) {
#if TS_HAS_X86_DISPATCH
        if (simd_level() != SimdLevel::SSE2) float01_run_avx2(w, o, m);
        else
#endif
          float01_run_generic(w, o, m);
      } else {
        for (int64_t i = 0; i < m; ++i) o[i] = fused(mt_float01(Mt19937::temper(w[i])), span, from);
      }
      k += m;
    });
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(fused(mt_next01<T>(e), span, from));
  }
}

// --- normal -------------------------------------------------------------------------------------

// Note [PyTorch's normal paths]
// torch 1.13's normal_ on the CPU takes one of three paths:
// - fewer than 16 elements (any floating type): element by element in double, Box-Muller on two
//   double uniforms u1, u2 with r = sqrt(-2 log(1 - u2)), theta = 2 pi u1; it returns r cos(theta)
//   and keeps r sin(theta) in the generator for the next such draw (manual_seed forgets it);
// - 16 or more float elements: all n float uniforms first, then blocks of 16 (u1 = 1 - d[j],
//   u2 = d[j + 8] for j < 8) through Box-Muller in float with the Cephes-style log, sin and cos of
//   avx_mathfun.h (PyTorch's AVX2 kernel, contracted to fused multiply-adds where its compiler
//   fused them); when 16 does not divide n, 16 fresh uniforms overwrite the last 16 elements and
//   that block is transformed again;
// - 16 or more double elements: as for float, in double with the C library's log, cos and sin.

/** One value of PyTorch's scalar normal path (first bullet above). */
inline double mt_scalar_normal(Mt19937Stream& s, double mean, double stddev) {
  if (s.has_double_normal) {
    s.has_double_normal = false;
    return fused(s.double_normal, stddev, mean);
  }
  const double u1 = mt_double01(s.engine.next64());
  const double u2 = mt_double01(s.engine.next64());
  const double r = std::sqrt(-2.0 * std::log(1.0 - u2));
  const double theta = 2.0 * std::numbers::pi * u1;
  s.double_normal = r * std::sin(theta);
  s.has_double_normal = true;
  return fused(r * std::cos(theta), stddev, mean);
}

// Lane-wise helpers, written as macros so that no function takes or returns a wide vector
// outside the AVX2 function they are expanded in (which GCC warns about, -Wpsabi).
// TS_MT_ROUND(a, b): a * b rounded on its own (hidden from contraction, as TS_EXACT).
// TS_MT_FMA(a, b, c): a * b + c rounded once.
#define TS_MT_ROUND(a, b) __extension__({ auto ts_mt_p = (a) * (b); ::tessera::detail::opaque(ts_mt_p); ts_mt_p; })
#define TS_MT_FMA(a, b, c)                                                                   \
  __extension__({                                                                            \
    const auto ts_mt_a = (a);                                                                \
    const auto ts_mt_b = (b);                                                                \
    const auto ts_mt_c = (c);                                                                \
    auto ts_mt_r = ts_mt_a;                                                                  \
    for (int ts_mt_i = 0; ts_mt_i < static_cast<int>(sizeof(ts_mt_a) / sizeof(float)); ++ts_mt_i) \
      ts_mt_r[ts_mt_i] = __builtin_fmaf(ts_mt_a[ts_mt_i], ts_mt_b[ts_mt_i], ts_mt_c[ts_mt_i]);     \
    ts_mt_r;                                                                                 \
  })

// Note [Contracted like PyTorch's build]
// PyTorch's AVX2 kernels are built by GCC with -mfma and the default -ffp-contract=fast, so
// avx_mathfun's separate _mm256_mul_ps / _mm256_add_ps pairs became fused multiply-adds: a
// product whose only use is an addition fuses with it, and where an addition has two products
// the one computed first fuses. These helpers fuse exactly there (fused_v) and round every other
// product on its own (rounded_product), so the bits do not depend on the flags tessera is built
// with; tests/test_random_mt19937.cpp checks them against torch over a million normals.
/** avx_mathfun's log256_ps for u in [2^-24, 1], lane by lane. */
template <class V, class I>
[[gnu::always_inline]] inline void cephes_log(const V& in, V& out) {
  V x = in;
  I bits;
  std::memcpy(&bits, &x, sizeof bits);
  I e_int = (bits >> 23) - 0x7f;  // x > 0: the shift is logical
  bits = (bits & ~0x7f800000) | 0x3f000000;
  std::memcpy(&x, &bits, sizeof bits);
  V e = __builtin_convertvector(e_int, V) + 1.0f;
  const I small = x < 0.707106781186547524f;  // all ones where true
  V tmp;
  {
    I xb;
    std::memcpy(&xb, &x, sizeof xb);
    xb &= small;
    std::memcpy(&tmp, &xb, sizeof tmp);
  }
  x = x - 1.0f;
  e = e - (small ? V{} + 1.0f : V{});
  x = x + tmp;
  const V z = TS_MT_ROUND(x, x);
  const V one = V{} + 1.0f;
  V y = V{} + 7.0376836292E-2f;
  y = TS_MT_FMA(y, x, one * -1.1514610310E-1f);
  y = TS_MT_FMA(y, x, one * 1.1676998740E-1f);
  y = TS_MT_FMA(y, x, one * -1.2420140846E-1f);
  y = TS_MT_FMA(y, x, one * 1.4249322787E-1f);
  y = TS_MT_FMA(y, x, one * -1.6668057665E-1f);
  y = TS_MT_FMA(y, x, one * 2.0000714765E-1f);
  y = TS_MT_FMA(y, x, one * -2.4999993993E-1f);
  y = TS_MT_FMA(y, x, one * 3.3333331174E-1f);
  // GCC contracts the first product of a sum of two: (y x) z + e q1 fuses y x by z.
  y = TS_MT_ROUND(y, x);
  y = TS_MT_FMA(y, z, TS_MT_ROUND(e, one * -2.12194440e-4f));
  y = TS_MT_FMA(-z, one * 0.5f, y);
  x = x + y;
  out = TS_MT_FMA(e, one * 0.693359375f, x);
}

/** avx_mathfun's sincos256_ps for x >= 0, lane by lane (Note [Contracted like PyTorch's build]). */
template <class V, class I>
[[gnu::always_inline]] inline void cephes_sincos(const V& in, V& s, V& c) {
  V x = in;
  const V one = V{} + 1.0f;
  V y = TS_MT_ROUND(x, one * 1.27323954473516f);
  I j = __builtin_convertvector(y, I);  // truncation, as cvttps
  j = (j + 1) & ~1;
  y = __builtin_convertvector(j, V);
  const I swap_sin = (j & 4) << 29;
  const I poly = (j & 2) == 0;
  x = TS_MT_FMA(y, one * -0.78515625f, x);
  x = TS_MT_FMA(y, one * -2.4187564849853515625e-4f, x);
  x = TS_MT_FMA(y, one * -3.77489497744594108e-8f, x);
  const I sign_cos = (~(j - 2) & 4) << 29;
  const V z = TS_MT_ROUND(x, x);
  V yc = one * 2.443315711809948E-005f;
  yc = TS_MT_FMA(yc, z, one * -1.388731625493765E-003f);
  yc = TS_MT_FMA(yc, z, one * 4.166664568298827E-002f);
  yc = TS_MT_ROUND(yc, z);
  yc = TS_MT_FMA(yc, z, -TS_MT_ROUND(z, one * 0.5f));
  yc = yc + 1.0f;
  V ys = one * -1.9515295891E-4f;
  ys = TS_MT_FMA(ys, z, one * 8.3321608736E-3f);
  ys = TS_MT_FMA(ys, z, one * -1.6666654611E-1f);
  ys = TS_MT_ROUND(ys, z);
  ys = TS_MT_FMA(ys, x, x);
  // poly lanes: sin = ys, cos = yc; other lanes swap them
  const V sin_v = poly ? ys : yc, cos_v = poly ? yc : ys;
  I sb, cb;
  std::memcpy(&sb, &sin_v, sizeof sb);
  std::memcpy(&cb, &cos_v, sizeof cb);
  sb ^= swap_sin;
  cb ^= sign_cos;
  std::memcpy(&s, &sb, sizeof s);
  std::memcpy(&c, &cb, sizeof c);
}

/** PyTorch's normal_fill_16_AVX2 on d[0, 16), in vectors of V (8 or 4 lanes: lanes are independent). */
template <class V, class I>
[[gnu::always_inline]] inline void box_muller_16(float* d, float mean, float stddev) {
  constexpr int kLanes = sizeof(V) / sizeof(float);
  for (int j0 = 0; j0 < 8; j0 += kLanes) {
    V a, b;
    std::memcpy(&a, d + j0, sizeof a);
    std::memcpy(&b, d + 8 + j0, sizeof b);
    const V one = V{} + 1.0f;
    const V u1 = one - a;
    V log_u1;
    cephes_log<V, I>(u1, log_u1);
    const V l = TS_MT_ROUND(one * -2.0f, log_u1);
    V radius = l;
    for (int i = 0; i < kLanes; ++i) radius[i] = std::sqrt(l[i]);  // correctly rounded
    const V theta = TS_MT_ROUND(one * static_cast<float>(2.0 * std::numbers::pi), b);
    V s, c;
    cephes_sincos<V, I>(theta, s, c);
    const V n1 = TS_MT_ROUND(radius, c), n2 = TS_MT_ROUND(radius, s);
    a = TS_MT_FMA(n1, one * stddev, one * mean);
    b = TS_MT_FMA(n2, one * stddev, one * mean);
    std::memcpy(d + j0, &a, sizeof a);
    std::memcpy(d + 8 + j0, &b, sizeof b);
  }
}

using MtFloat8 = float __attribute__((vector_size(32)));
using MtInt8 = int32_t __attribute__((vector_size(32)));
using MtFloat4 = float __attribute__((vector_size(16)));
using MtInt4 = int32_t __attribute__((vector_size(16)));

template <class = void>
void box_muller_blocks_generic(float* d, int64_t blocks, float mean, float stddev) {
  for (int64_t b = 0; b < blocks; ++b) box_muller_16<MtFloat4, MtInt4>(d + 16 * b, mean, stddev);
}
#if TS_HAS_X86_DISPATCH
template <class = void>
TS_TARGET_AVX2 void box_muller_blocks_avx2(float* d, int64_t blocks, float mean, float stddev) {
  for (int64_t b = 0; b < blocks; ++b) box_muller_16<MtFloat8, MtInt8>(d + 16 * b, mean, stddev);
}
#endif

/** Box-Muller on `blocks` consecutive blocks of 16 floats, split over threads (each block is
 *  independent, so the result does not depend on the split). */
template <class = void>
void box_muller_blocks(float* d, int64_t blocks, float mean, float stddev) {
  parallel_for(0, blocks, std::max<int64_t>(1, kGrainSize / 64), [&](int64_t b0, int64_t b1) {
#if TS_HAS_X86_DISPATCH
    if (simd_level() != SimdLevel::SSE2) return box_muller_blocks_avx2(d + 16 * b0, b1 - b0, mean, stddev);
#endif
    box_muller_blocks_generic(d + 16 * b0, b1 - b0, mean, stddev);
  });
}

/** PyTorch's normal_fill for double: d[j], d[j + 8] of each block of 16 from u1 = 1 - d[j], u2 = d[j + 8]. */
template <class = void>
void box_muller_blocks_double(double* d, int64_t blocks, double mean, double stddev) {
  parallel_for(0, blocks, std::max<int64_t>(1, kGrainSize / 256), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      double* p = d + 16 * b;
      for (int j = 0; j < 8; ++j) {
        const double u1 = 1 - p[j], u2 = p[j + 8];
        const double radius = std::sqrt(-2 * std::log(u1));
        const double theta = 2.0 * std::numbers::pi * u2;
        p[j] = fused(radius * std::cos(theta), stddev, mean);
        p[j + 8] = fused(radius * std::sin(theta), stddev, mean);
      }
    }
  });
}

/** out[0, n) normal(mean, stddev) as torch.Tensor.normal_ (Note [PyTorch's normal paths]): the
 *  vectorised path for 16 or more elements of a contiguous tensor, else the scalar one; half and
 *  bfloat16 take the float path and round. */
template <class T>
void mt_fill_normal(Mt19937Stream& s, T* out, int64_t n, double mean, double stddev, bool contiguous = true) {
  if (n < 16 || !contiguous) {
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(mt_scalar_normal(s, mean, stddev));
  } else if constexpr (std::is_same_v<T, double>) {
    mt_fill_uniform(s.engine, out, n, 0.0, 1.0);
    box_muller_blocks_double(out, n / 16, mean, stddev);
    if (n % 16 != 0) {
      mt_fill_uniform(s.engine, out + n - 16, 16, 0.0, 1.0);
      box_muller_blocks_double(out + n - 16, 1, mean, stddev);
    }
  } else if constexpr (std::is_same_v<T, float>) {
    const float m = static_cast<float>(mean), sd = static_cast<float>(stddev);
    mt_fill_uniform(s.engine, out, n, 0.0, 1.0);
    box_muller_blocks(out, n / 16, m, sd);
    if (n % 16 != 0) {
      mt_fill_uniform(s.engine, out + n - 16, 16, 0.0, 1.0);
      box_muller_blocks(out + n - 16, 1, m, sd);
    }
  } else {
    std::vector<float> tmp(static_cast<size_t>(n));
    mt_fill_normal<float>(s, tmp.data(), n, mean, stddev, contiguous);
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(tmp[static_cast<size_t>(i)]);
  }
}

// --- integers, permutations, Bernoulli ----------------------------------------------------------

/** out[i] = low + word % range (Note [PyTorch's bits to values]). */
template <class T>
void mt_fill_randint(Mt19937& e, T* out, int64_t n, int64_t low, uint64_t range) {
  constexpr bool can_be_wide = std::is_same_v<T, int64_t> || std::is_same_v<T, double> || std::is_same_v<T, float> ||
                               std::is_same_v<T, bfloat16>;
  const bool wide = can_be_wide && range >= (uint64_t{1} << 32);
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t w = wide ? e.next64() : e();
    out[i] = convert<T>(static_cast<int64_t>(w % range + static_cast<uint64_t>(low)));
  }
}

/** PyTorch's exponential_ on the CPU without MKL: a double uniform from two words per element,
 *  -1 / lambd * log(1 - u) in double, rounded to T. */
template <class T>
void mt_fill_exponential(Mt19937& e, T* out, int64_t n, double lambd) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(-1.0 / lambd * std::log(1.0 - mt_double01(e.next64())));
}

/** PyTorch's cauchy_ on the CPU: a double uniform per element (two words), median + sigma *
 *  tan(pi * (u - 0.5)) in double, fused as PyTorch's build fuses it, rounded to T. */
template <class T>
void mt_fill_cauchy(Mt19937& e, T* out, int64_t n, double median, double sigma) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = static_cast<T>(fused(std::tan(std::numbers::pi * (mt_double01(e.next64()) - 0.5)), sigma, median));
}

/** PyTorch's geometric_ on the CPU: a double uniform per element, ceil(log(u) / log1p(-p)) in
 *  double, converted to T. */
template <class T>
void mt_fill_geometric(Mt19937& e, T* out, int64_t n, double p) {
  for (int64_t i = 0; i < n; ++i) out[i] = convert<T>(std::ceil(std::log(mt_double01(e.next64())) / std::log1p(-p)));
}

/** PyTorch's log_normal_ on the CPU: exp of its scalar normal path, in double, rounded to T. */
template <class T>
void mt_fill_log_normal(Mt19937Stream& s, T* out, int64_t n, double mean, double stddev) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(std::exp(mt_scalar_normal(s, mean, stddev)));
}

/** PyTorch's random_() on the CPU: one word (two for int64 and double) modulo the type's count of
 *  values, 2^digits + 1 for floating types, max + 1 for integers; bool takes the low bit. */
template <class T>
void mt_fill_random_full(Mt19937& e, T* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t w = std::is_same_v<T, int64_t> || std::is_same_v<T, double> ? e.next64() : e();
    if constexpr (std::is_same_v<T, bool>) out[i] = (w & 1) != 0;
    else if constexpr (is_floating_v<T>) out[i] = convert<T>(static_cast<int64_t>(w % ((uint64_t{1} << digits_of_mantissa<T>()) + 1)));
    else out[i] = static_cast<T>(w % (static_cast<uint64_t>(std::numeric_limits<T>::max()) + 1));
  }
}

/** torch.randperm(n) on the CPU: Fisher-Yates from the front, swap i with i + word % (n - i). */
template <class = void>
void mt_fill_randperm(Mt19937& e, int64_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = i;
  for (int64_t i = 0; i + 1 < n; ++i) {
    const int64_t z = static_cast<int64_t>(e() % static_cast<uint64_t>(n - i));
    std::swap(out[i], out[z + i]);
  }
}

/** out[i] = (u_i < p[i]) with a float uniform per element for float p, a double one for double p. */
template <class T, class P>
void mt_fill_bernoulli(Mt19937& e, T* out, const P* p, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<P, double>) out[i] = static_cast<T>(mt_double01(e.next64()) < p[i]);
    else out[i] = static_cast<T>(mt_float01(e()) < static_cast<float>(p[i]));
  }
}
/** out[i] = (u_i < p) with a double uniform per element (PyTorch's bernoulli_(p) for a number p). */
template <class T>
void mt_fill_bernoulli_scalar(Mt19937& e, T* out, double p, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(mt_double01(e.next64()) < p);
}

/** PyTorch's multinomial on one row: with replacement, a binary search of double uniforms in the
 *  normalised running sums in T; without, the largest p / q with q = -log(1 - u) (u a double
 *  uniform per category, q rounded to T). */
template <class T>
void mt_multinomial_row(Mt19937& e, const T* p, int64_t k, int64_t num_samples, bool replacement, int64_t* out) {
  if (replacement) {
    std::vector<T> cum(static_cast<size_t>(k));
    T sum = 0;
    for (int64_t j = 0; j < k; ++j) cum[static_cast<size_t>(j)] = sum += p[j];
    for (int64_t j = 0; j < k; ++j) cum[static_cast<size_t>(j)] /= sum;
    for (int64_t s = 0; s < num_samples; ++s) {
      const double u = mt_double01(e.next64());
      cum[static_cast<size_t>(k - 1)] = 1;
      int64_t left = 0, right = k;
      while (right - left > 0) {
        const int64_t mid = left + (right - left) / 2;
        if (static_cast<double>(cum[static_cast<size_t>(mid)]) < u) left = mid + 1;
        else right = mid;
      }
      out[s] = left;
    }
    return;
  }
  std::vector<std::pair<T, int64_t>> keys(static_cast<size_t>(k));
  for (int64_t j = 0; j < k; ++j) {
    const T q = static_cast<T>(-1.0 * std::log(1.0 - mt_double01(e.next64())));
    keys[static_cast<size_t>(j)] = {static_cast<T>(p[j] / q), j};
  }
  std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (int64_t s = 0; s < num_samples; ++s) out[s] = keys[static_cast<size_t>(s)].second;
}

}  // namespace tessera::detail

#undef TS_MT_ROUND  // private to this header
#undef TS_MT_FMA
