#pragma once
// Run-time choice of the widest vector unit, for kernels compiled without -march flags.

#include "../../parallel/atomic.hpp"

namespace tessera::detail {

// Note [SIMD dispatch]
// Users compile tessera with their own flags, usually plain -O2, where the compiler may only
// emit SSE2. Hot kernels are therefore written once over GCC/Clang vector types of a given
// width and instantiated in functions marked __attribute__((target("avx512f"))) or
// target("avx2,fma"); simd_level() picks one at run time from what the processor reports.
enum class SimdLevel { SSE2, AVX2, AVX512 };

/** What the processor offers. */
inline SimdLevel detected_simd_level() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static const SimdLevel level = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return SimdLevel::AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SimdLevel::AVX2;
    return SimdLevel::SSE2;
  }();
  return level;
#else
  return SimdLevel::SSE2;
#endif
}

/** A lower level to use instead of the detected one (tests compare the widths); -1: none. */
inline Atomic<int>& simd_level_cap() {
  static Atomic<int> cap{-1};
  return cap;
}

inline SimdLevel simd_level() {
  const int cap = simd_level_cap().load(MemoryOrder::Relaxed);
  const SimdLevel detected = detected_simd_level();
  return cap >= 0 && cap < static_cast<int>(detected) ? static_cast<SimdLevel>(cap) : detected;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TS_TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")))
#define TS_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define TS_HAS_X86_DISPATCH 1
#else
#define TS_TARGET_AVX512
#define TS_TARGET_AVX2
#define TS_HAS_X86_DISPATCH 0
#endif

}  // namespace tessera::detail
