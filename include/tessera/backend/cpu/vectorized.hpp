#pragma once
// Vectorised inner loops for contiguous runs of one floating type, at the widest vector width
// the processor has (Note [SIMD dispatch]), and vector exp/tanh for float.

#include "../../core/algorithm.hpp"
#include <array>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "../../core/config.hpp"

#include "simd.hpp"

namespace tessera::detail {

template <class T, int Bytes>
struct VecOf {
  typedef T type __attribute__((vector_size(Bytes)));
};

// An op opts in to vectorisation by providing `template <class V> static V vec(V...)`.
template <class Op, class V, size_t N>
concept VectorOp = (N == 1 && requires(V r, const V a) { Op::vec(r, a); }) ||
                   (N == 2 && requires(V r, const V a) { Op::vec(r, a, a); });

// Note [Streaming stores]
// A store to memory not in cache first reads the line it lands in ("read for ownership"), so
// c = a + b on arrays far larger than the cache moves four bytes for every three it needs. When
// an op's output is at least kStreamingStoreBytes (larger than a typical last-level cache, so it
// would not have stayed there anyway), its vector loop writes with non-temporal stores, which
// skip that read: c = a + b on 64 MiB arrays takes a quarter less time. The stores are weakly
// ordered; a fence after the loop makes them visible before the thread pool reports the chunk done.
inline constexpr int64_t kStreamingStoreBytes = int64_t{16} << 20;

/** A non-temporal store of v to p, which must be aligned to the vector's size. */
template <class V, class T>
[[gnu::always_inline]] inline void stream_store(T* p, const V& v) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
#if defined(__clang__)
  __builtin_nontemporal_store(v, reinterpret_cast<V*>(p));
#elif defined(__x86_64__) && defined(__GNUC__)
  // GCC declares its movnt builtins only inside functions of their target; the assembler needs none.
  auto& dst = *reinterpret_cast<V*>(p);
  if constexpr (sizeof(V) == 16 && std::is_same_v<T, float>) asm("movntps %1, %0" : "=m"(dst) : "x"(v));
  else if constexpr (sizeof(V) == 16) asm("movntpd %1, %0" : "=m"(dst) : "x"(v));
  else if constexpr (std::is_same_v<T, float>) asm("vmovntps %1, %0" : "=m"(dst) : "v"(v));
  else asm("vmovntpd %1, %0" : "=m"(dst) : "v"(v));
#else
  std::memcpy(p, &v, sizeof(V));
#endif
}

/** Orders earlier non-temporal stores before later stores. */
inline void stream_fence() {
#if defined(__x86_64__)
  __builtin_ia32_sfence();
#endif
}

// Note [Whole-vector elementwise runs]
// Every element of a contiguous run goes through the op's vector form at the machine's width,
// the first and last few too: they are copied into a whole vector, computed, and copied back.
// A vector exp differs from std::exp in the last bit now and then, so an element's result must
// not depend on whether it fell at the edge of a run, or the edges that threads cut would show
// in the bits (results are identical for any thread count).

/** One vector step over the `count` (< L) elements from i, through whole vectors. */
template <int Bytes, class T, size_t N, class Op>
[[gnu::always_inline]] inline void partial_step(T* out, const std::array<const T*, N>& in,
                                                const std::array<bool, N>& broadcast,
                                                const std::array<typename VecOf<T, Bytes>::type, N>& fixed, int64_t i,
                                                int64_t count) {
  using V = typename VecOf<T, Bytes>::type;
  std::array<V, N> x;
  for (size_t k = 0; k < N; ++k) {
    x[k] = fixed[k];
    if (!broadcast[k]) std::memcpy(&x[k], in[k] + i, static_cast<size_t>(count) * sizeof(T));
  }
  V r;
  if constexpr (N == 1) Op::vec(r, x[0]);
  else Op::vec(r, x[0], x[1]);
  std::memcpy(out + i, &r, static_cast<size_t>(count) * sizeof(T));
}

/** vector_run at one width (Note [Whole-vector elementwise runs]). */
template <int Bytes, class T, size_t N, class Op>
[[gnu::always_inline]] inline void vector_steps(T* out, const std::array<const T*, N>& in,
                                                const std::array<bool, N>& broadcast, int64_t n, bool stream) {
  static_assert(N == 1 || N == 2, "vector ops take one or two operands");
  using V = typename VecOf<T, Bytes>::type;
  constexpr int64_t L = Bytes / static_cast<int64_t>(sizeof(T));
  std::array<V, N> fixed = {};
  for (size_t k = 0; k < N; ++k)
    if (broadcast[k])
      for (int64_t j = 0; j < L; ++j) fixed[k][j] = in[k][0];  // not V{} + x, which turns -0 into +0
  int64_t i = 0;
  if (stream) {  // streaming stores need aligned vectors: a partial step up to the first one
    const int64_t misaligned = static_cast<int64_t>(reinterpret_cast<uintptr_t>(out) % Bytes);
    if (misaligned % static_cast<int64_t>(sizeof(T)) != 0) stream = false;
    else i = std::min(n, misaligned ? (Bytes - misaligned) / static_cast<int64_t>(sizeof(T)) : 0);
    if (i > 0) partial_step<Bytes, T, N, Op>(out, in, broadcast, fixed, 0, i);
  }
  for (; i + L <= n; i += L) {
    std::array<V, N> x;
#pragma GCC unroll 4
    for (size_t k = 0; k < N; ++k) {
      if (broadcast[k]) x[k] = fixed[k];
      else std::memcpy(&x[k], in[k] + i, sizeof(V));
    }
    V r;  // vectors go by reference: a by-value vector outside a target function changes the ABI
    if constexpr (N == 1) Op::vec(r, x[0]);
    else Op::vec(r, x[0], x[1]);
    if (stream) stream_store(out + i, r);
    else std::memcpy(out + i, &r, sizeof(V));
  }
  if (stream) stream_fence();
  if (i < n) partial_step<Bytes, T, N, Op>(out, in, broadcast, fixed, i, n - i);
}

template <class T, size_t N, class Op>
TS_TARGET_AVX512 void vector_steps_avx512(T* out, const std::array<const T*, N>& in, const std::array<bool, N>& b,
                                          int64_t n, bool stream) {
  vector_steps<64, T, N, Op>(out, in, b, n, stream);
}
template <class T, size_t N, class Op>
TS_TARGET_AVX2 void vector_steps_avx2(T* out, const std::array<const T*, N>& in, const std::array<bool, N>& b,
                                      int64_t n, bool stream) {
  vector_steps<32, T, N, Op>(out, in, b, n, stream);
}

/** out[i] = Op::vec(in...) over a contiguous run; inputs with broadcast[k] are one repeated value.
 *  `stream`: write with non-temporal stores (Note [Streaming stores]). */
template <class T, size_t N, class Op>
void vector_run(T* out, const std::array<const T*, N>& in, const std::array<bool, N>& broadcast, int64_t n,
                bool stream = false) {
  switch (simd_level()) {
#if TS_HAS_X86_DISPATCH
    case SimdLevel::AVX512: return vector_steps_avx512<T, N, Op>(out, in, broadcast, n, stream);
    case SimdLevel::AVX2: return vector_steps_avx2<T, N, Op>(out, in, broadcast, n, stream);
#endif
    default: return vector_steps<16, T, N, Op>(out, in, broadcast, n, stream);
  }
}

/** The arithmetic ops vector_run most kernels compose from, each rounding once per element. */
namespace vector_ops {
struct Add {
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& a, const V& b) { r = a + b; }
};
struct Sub {
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& a, const V& b) { r = a - b; }
};
struct Mul {
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& a, const V& b) { r = a * b; }
};
}  // namespace vector_ops

// --- transposition --------------------------------------------------------------------------------

#if TS_HAS_X86_DISPATCH
#ifdef __clang__
#define TS_SHUFFLE8(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
#define TS_SHUFFLE8(a, b, ...) __builtin_shuffle(a, b, typename VecOf<int32_t, 32>::type{__VA_ARGS__})
#endif
/** One 8 x 8 block of 4-byte elements, transposed: row k of the source (8 elements from
 *  src + k * src_row bytes) becomes column k of the destination (rows at dst + m * dst_row).
 *  Shuffles only move bits, so any 4-byte type goes through the float vectors unchanged. */
template <class = void>
TS_TARGET_AVX2 void transpose_block8(const char* src, int64_t src_row, char* dst, int64_t dst_row) {
  using V = typename VecOf<float, 32>::type;
  // Eight named rows rather than an array, which GCC would keep in memory.
  V r0, r1, r2, r3, r4, r5, r6, r7;
  std::memcpy(&r0, src, sizeof(V));
  std::memcpy(&r1, src + src_row, sizeof(V));
  std::memcpy(&r2, src + 2 * src_row, sizeof(V));
  std::memcpy(&r3, src + 3 * src_row, sizeof(V));
  std::memcpy(&r4, src + 4 * src_row, sizeof(V));
  std::memcpy(&r5, src + 5 * src_row, sizeof(V));
  std::memcpy(&r6, src + 6 * src_row, sizeof(V));
  std::memcpy(&r7, src + 7 * src_row, sizeof(V));
  // Pairs of rows interleaved, then pairs of pairs, then the 128-bit halves swapped.
  const V t0 = TS_SHUFFLE8(r0, r1, 0, 8, 1, 9, 4, 12, 5, 13), t1 = TS_SHUFFLE8(r0, r1, 2, 10, 3, 11, 6, 14, 7, 15);
  const V t2 = TS_SHUFFLE8(r2, r3, 0, 8, 1, 9, 4, 12, 5, 13), t3 = TS_SHUFFLE8(r2, r3, 2, 10, 3, 11, 6, 14, 7, 15);
  const V t4 = TS_SHUFFLE8(r4, r5, 0, 8, 1, 9, 4, 12, 5, 13), t5 = TS_SHUFFLE8(r4, r5, 2, 10, 3, 11, 6, 14, 7, 15);
  const V t6 = TS_SHUFFLE8(r6, r7, 0, 8, 1, 9, 4, 12, 5, 13), t7 = TS_SHUFFLE8(r6, r7, 2, 10, 3, 11, 6, 14, 7, 15);
  const V u0 = TS_SHUFFLE8(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13), u1 = TS_SHUFFLE8(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
  const V u2 = TS_SHUFFLE8(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13), u3 = TS_SHUFFLE8(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
  const V u4 = TS_SHUFFLE8(t4, t6, 0, 1, 8, 9, 4, 5, 12, 13), u5 = TS_SHUFFLE8(t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
  const V u6 = TS_SHUFFLE8(t5, t7, 0, 1, 8, 9, 4, 5, 12, 13), u7 = TS_SHUFFLE8(t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
  const V c[8] = {TS_SHUFFLE8(u0, u4, 0, 1, 2, 3, 8, 9, 10, 11), TS_SHUFFLE8(u1, u5, 0, 1, 2, 3, 8, 9, 10, 11),
                  TS_SHUFFLE8(u2, u6, 0, 1, 2, 3, 8, 9, 10, 11), TS_SHUFFLE8(u3, u7, 0, 1, 2, 3, 8, 9, 10, 11),
                  TS_SHUFFLE8(u0, u4, 4, 5, 6, 7, 12, 13, 14, 15), TS_SHUFFLE8(u1, u5, 4, 5, 6, 7, 12, 13, 14, 15),
                  TS_SHUFFLE8(u2, u6, 4, 5, 6, 7, 12, 13, 14, 15), TS_SHUFFLE8(u3, u7, 4, 5, 6, 7, 12, 13, 14, 15)};
  for (int m = 0; m < 8; ++m) std::memcpy(dst + m * dst_row, &c[m], sizeof(V));
}
#undef TS_SHUFFLE8
#endif

// --- contiguous sums ------------------------------------------------------------------------------

// Pairwise sum with a vector leaf: a leaf of at most kSumLeaf elements is summed in eight vector
// accumulators (each lane adds at most kSumLeaf / (8 * lanes) elements in a row), the
// accumulators and then the lanes are added in a fixed tree, and halves are added recursively.
// The tree depends only on n and the vector width, never on threads. The leaf is long and its
// lane sum short because a sum that finds its data in the last-level cache is bound by the
// leaf's own instructions, not by memory.
inline constexpr int64_t kSumLeaf = 4096;

// Note [Reading ahead]
// A sum streams its input from memory at the machine's read bandwidth, and the hardware
// prefetchers alone keep too few lines in flight to reach it: the leaf asks for each line
// kReadAhead bytes before it reads it (a prefetch never faults, even past the end of the data).
// A 64 MiB float sum on two threads took 0.76 ms instead of 0.81 (medians of 30 runs of 50 ms,
// seven alternating pairs; 4 KiB ahead gained nothing). A sum of data already in cache pays one
// instruction per 64 bytes.
inline constexpr int64_t kReadAhead = 8192;

/** The sum of v's lanes: halves added until one lane is left. */
template <int Bytes, class T>
[[gnu::always_inline]] inline T lane_sum(const typename VecOf<T, Bytes>::type& v) {
  if constexpr (Bytes == static_cast<int>(sizeof(T))) {
    return v[0];
  } else {
    using H = typename VecOf<T, Bytes / 2>::type;
    H lo, hi;
    std::memcpy(&lo, &v, sizeof(H));
    std::memcpy(&hi, reinterpret_cast<const char*>(&v) + sizeof(H), sizeof(H));
    return lane_sum<Bytes / 2, T>(lo + hi);
  }
}

template <int Bytes, class T>
[[gnu::always_inline]] inline T vector_sum_leaf(const T* p, int64_t n) {
  using V = typename VecOf<T, Bytes>::type;
  constexpr int64_t L = Bytes / static_cast<int64_t>(sizeof(T));
  // Named accumulators, not an array: GCC keeps an array of vectors in memory.
  V a0 = {}, a1 = {}, a2 = {}, a3 = {}, a4 = {}, a5 = {}, a6 = {}, a7 = {}, x0, x1, x2, x3, x4, x5, x6, x7;
  int64_t i = 0;
  for (; i + 8 * L <= n; i += 8 * L) {
    for (int64_t line = 0; line < 8 * Bytes; line += 64)  // Note [Reading ahead]
      __builtin_prefetch(reinterpret_cast<const char*>(p + i) + kReadAhead + line);
    std::memcpy(&x0, p + i, sizeof(V)), std::memcpy(&x1, p + i + L, sizeof(V));
    std::memcpy(&x2, p + i + 2 * L, sizeof(V)), std::memcpy(&x3, p + i + 3 * L, sizeof(V));
    std::memcpy(&x4, p + i + 4 * L, sizeof(V)), std::memcpy(&x5, p + i + 5 * L, sizeof(V));
    std::memcpy(&x6, p + i + 6 * L, sizeof(V)), std::memcpy(&x7, p + i + 7 * L, sizeof(V));
    a0 += x0, a1 += x1, a2 += x2, a3 += x3, a4 += x4, a5 += x5, a6 += x6, a7 += x7;
  }
  for (; i + L <= n; i += L) {
    std::memcpy(&x0, p + i, sizeof(V));
    a0 += x0;
  }
  T total = lane_sum<Bytes, T>(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)));
  for (; i < n; ++i) total += p[i];
  return total;
}

#define TS_DEFINE_VECTOR_SUM(name, target, bytes)                          \
  template <class T>                                                       \
  target T name(const T* p, int64_t n) {                                   \
    if (n <= kSumLeaf) return vector_sum_leaf<bytes>(p, n);                \
    const int64_t half = (n / 2 + kSumLeaf - 1) / kSumLeaf * kSumLeaf;      \
    return name(p, half) + name(p + half, n - half);                       \
  }
TS_DEFINE_VECTOR_SUM(vector_sum_avx512, TS_TARGET_AVX512, 64)
TS_DEFINE_VECTOR_SUM(vector_sum_avx2, TS_TARGET_AVX2, 32)
TS_DEFINE_VECTOR_SUM(vector_sum_baseline, , 16)
#undef TS_DEFINE_VECTOR_SUM

// acc[0, width) += rows[r][0, width) for r in [0, rows), in row order. Each row is read once,
// in memory order (a stream the hardware prefetchers follow), while acc stays in L1.
template <int Bytes, class T>
[[gnu::always_inline]] inline void add_rows_impl(T* acc, const T* x, int64_t rows, int64_t row_stride, int64_t width) {
  using V = typename VecOf<T, Bytes>::type;
  constexpr int64_t L = Bytes / static_cast<int64_t>(sizeof(T));
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = x + r * row_stride;
    int64_t j = 0;
    for (; j + L <= width; j += L) {
      V a, b;
      std::memcpy(&a, acc + j, sizeof(V));
      std::memcpy(&b, row + j, sizeof(V));
      a += b;
      std::memcpy(acc + j, &a, sizeof(V));
    }
    for (; j < width; ++j) acc[j] += row[j];
  }
}
template <class T>
TS_TARGET_AVX512 void add_rows_avx512(T* acc, const T* x, int64_t rows, int64_t row_stride, int64_t width) {
  add_rows_impl<64>(acc, x, rows, row_stride, width);
}
template <class T>
TS_TARGET_AVX2 void add_rows_avx2(T* acc, const T* x, int64_t rows, int64_t row_stride, int64_t width) {
  add_rows_impl<32>(acc, x, rows, row_stride, width);
}
/** acc[j] += x[r * row_stride + j] for every row r, rows added in order. */
template <class T>
void add_rows(T* acc, const T* x, int64_t rows, int64_t row_stride, int64_t width) {
  switch (simd_level()) {
#if TS_HAS_X86_DISPATCH
    case SimdLevel::AVX512: return add_rows_avx512(acc, x, rows, row_stride, width);
    case SimdLevel::AVX2: return add_rows_avx2(acc, x, rows, row_stride, width);
#endif
    default: return add_rows_impl<16>(acc, x, rows, row_stride, width);
  }
}

/** Sum of a contiguous float or double run. */
template <class T>
T vector_sum(const T* p, int64_t n) {
  switch (simd_level()) {
#if TS_HAS_X86_DISPATCH
    case SimdLevel::AVX512: return vector_sum_avx512(p, n);
    case SimdLevel::AVX2: return vector_sum_avx2(p, n);
#endif
    default: return vector_sum_baseline(p, n);
  }
}

// --- vector math (float) ---------------------------------------------------------------------------

// exp for float vectors: Cephes' range reduction and polynomial, within 2 ulp of the exact value;
// overflow gives inf, underflow 0, NaN stays NaN.
// Note [Vector exp edges]
// The edges are blends on the input, so the loop stays branch-free and vectorised. expf gives inf
// from 88.72283935546875 (the float nearest ln(FLT_MAX), whose exp rounds past FLT_MAX) up, and
// 0 below -103.97207641601562 (the float just above ln(2^-150): below it the exact value is under
// half the smallest subnormal). The input is clamped to [-103.972, 88.72...] only so that the
// scaling by 2^n stays in range; the blends then put the limits back: exp(-inf) is 0, not the
// smallest subnormal that the clamped input gives. tests/test_vectorized.cpp checks every edge
// at every width.
template <class V>
[[gnu::always_inline]] inline void vec_exp(V& out, const V& input) {
  using I = decltype(input < input);  // the matching integer vector
  V x = input;
  x = x > V{} + 88.72283935546875f ? V{} + 88.72283935546875f : x;
  x = x < V{} - 103.972f ? V{} - 103.972f : x;
  const V magic = V{} + 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  const V n = (x * 1.44269504088896341f + magic) - magic;
  V r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  V p = V{} + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // 2^n in two halves so that n down to -150 still scales correctly into subnormals.
  const I ni = __builtin_convertvector(n, I);
  const I half = ni >> 1;
  V s1, s2;
  const I e1 = (half + 127) << 23, e2 = (ni - half + 127) << 23;
  std::memcpy(&s1, &e1, sizeof(V));
  std::memcpy(&s2, &e2, sizeof(V));
  V y = p * s1 * s2;
  y = input >= V{} + 88.72283935546875f ? V{} + __builtin_inff() : y;
  y = input < V{} - 103.97207641601562f ? V{} : y;
  out = input != input ? input : y;
}

// tanh for float vectors: an odd polynomial near 0, 1 - 2 / (exp(2|x|) + 1) elsewhere, with the
// sign of x (the polynomial gives +0 for -0). The sign goes on by bits: a second select on a
// float comparison (x == 0) beside the NaN's makes GCC 12 split the vector into scalars.
template <class V>
[[gnu::always_inline]] inline void vec_tanh(V& out, const V& x) {
  using I = decltype(x < x);  // the matching integer vector
  const V ax = x < V{} ? -x : x;
  const V z = x * x;
  V p = V{} - 5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const V small = p * z * x + x;
  V e;
  vec_exp(e, ax + ax);
  V y = ax < V{} + 0.625f ? small : 1.0f - 2.0f / (e + 1.0f);
  I bits, sign;
  std::memcpy(&bits, &y, sizeof(V));
  std::memcpy(&sign, &x, sizeof(V));
  const I magnitude = I{} + 0x7FFFFFFF;
  bits = (bits & magnitude) | (sign & ~magnitude);
  std::memcpy(&y, &bits, sizeof(V));
  out = x != x ? x : y;
}

// erf for float vectors: Abramowitz and Stegun's 7.1.26, within 1.5e-7 of the exact value (an
// absolute error: near 0 the relative error is larger), the formula PyTorch's vectorised CPU
// kernels use for gelu. Only gelu and its derivative use it, where erf is added to 1.
template <class V>
[[gnu::always_inline]] inline void vec_erf_as(V& out, const V& x) {
  const V ax = x < V{} ? -x : x;
  const V t = 1.0f / (ax * 0.3275911f + 1.0f);
  V p = V{} + 1.061405429f;
  p = p * t - 1.453152027f;
  p = p * t + 1.421413741f;
  p = p * t - 0.284496736f;
  p = p * t + 0.254829592f;
  V e;
  vec_exp(e, -(x * x));
  const V y = 1.0f - p * t * e;
  out = x < V{} ? -y : y;
}

/** gelu(x) = x * Phi(x) for float vectors. */
template <class V>
[[gnu::always_inline]] inline void vec_gelu(V& out, const V& x) {
  V erf;
  vec_erf_as(erf, x * 0.70710678118654752f);
  out = x * 0.5f * (1.0f + erf);
}

/** dy * gelu'(x) = dy * (Phi(x) + x * phi(x)) for float vectors. */
template <class V>
[[gnu::always_inline]] inline void vec_gelu_backward(V& out, const V& dy, const V& x) {
  V erf, e;
  vec_erf_as(erf, x * 0.70710678118654752f);
  vec_exp(e, x * x * -0.5f);
  out = dy * (0.5f * (1.0f + erf) + x * (0.39894228040143268f * e));
}

}  // namespace tessera::detail
