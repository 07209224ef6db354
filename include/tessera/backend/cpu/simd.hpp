#pragma once
// Run-time choice of the widest vector unit, for kernels compiled without -march flags.

#include <cstdint>

#include "../../parallel/atomic.hpp"

namespace tessera::detail {

// Note [SIMD dispatch]
// Users compile tessera with their own flags, usually plain -O2, where the compiler may only
// emit SSE2. Hot kernels are therefore written once over GCC/Clang vector types of a given
// width and instantiated in functions marked TS_TARGET_AVX512 or TS_TARGET_AVX2 (target
// attributes); simd_level() picks one at run time from what the processor and the OS report.
enum class SimdLevel { SSE2, AVX2, AVX512 };

// A level is usable when the processor has every feature its target attribute names (and
// those the attribute implies that a hypervisor could hide) and the operating system saves the
// registers the level uses on a context switch: OSXSAVE says XGETBV may be executed, and XCR0
// must have bits 1 and 2 (XMM, upper YMM halves) for AVX2, and also 5, 6 and 7 (opmask,
// upper ZMM halves, ZMM16-31) for AVX-512. macOS sets the AVX-512 bits of a thread's XCR0 on
// its first AVX-512 instruction, so they are clear when the check runs: trust the OS there.
struct CpuFeatures {
  bool avx = false, avx2 = false, fma = false;
  bool avx512f = false, avx512dq = false, avx512vl = false, avx512bw = false, f16c = false;
  bool osxsave = false;                 // the OS uses XSAVE; XGETBV may be executed
  uint64_t xcr0 = 0;                    // XGETBV(0): the register state the OS saves
  bool avx512_state_on_demand = false;  // macOS
};

inline constexpr uint64_t kXcr0Avx = 0x6;      // XMM, upper YMM halves
inline constexpr uint64_t kXcr0Avx512 = 0xe6;  // and opmask, upper ZMM halves, ZMM16-31

constexpr SimdLevel choose_simd_level(const CpuFeatures& f) {
  const bool os_avx = f.osxsave && (f.xcr0 & kXcr0Avx) == kXcr0Avx;
  const bool os_avx512 = os_avx && (f.avx512_state_on_demand || (f.xcr0 & kXcr0Avx512) == kXcr0Avx512);
  const bool avx2 = os_avx && f.avx && f.avx2 && f.fma;
  if (avx2 && os_avx512 && f.avx512f && f.avx512dq && f.avx512vl && f.avx512bw && f.f16c) return SimdLevel::AVX512;
  return avx2 ? SimdLevel::AVX2 : SimdLevel::SSE2;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
struct CpuidRegisters {
  uint32_t eax, ebx, ecx, edx;
};
// Spelled out because <cpuid.h> would leave its bit_* macros in every user's code.
inline CpuidRegisters cpuid(uint32_t leaf, uint32_t subleaf) {
  CpuidRegisters r;
  __asm__("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
  return r;
}
#endif

/** What this processor and operating system offer (nothing off x86-64). */
inline CpuFeatures cpu_features() {
  CpuFeatures f;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  auto bit = [](uint32_t reg, int k) { return ((reg >> k) & 1u) != 0; };
  const uint32_t max_leaf = cpuid(0, 0).eax;
  const CpuidRegisters l1 = cpuid(1, 0);
  f.fma = bit(l1.ecx, 12);
  f.osxsave = bit(l1.ecx, 27);
  f.avx = bit(l1.ecx, 28);
  f.f16c = bit(l1.ecx, 29);  // clang's avx512f implies it
  if (max_leaf >= 7) {
    const CpuidRegisters l7 = cpuid(7, 0);
    f.avx2 = bit(l7.ebx, 5);
    f.avx512f = bit(l7.ebx, 16);
    f.avx512dq = bit(l7.ebx, 17);
    f.avx512bw = bit(l7.ebx, 30);
    f.avx512vl = bit(l7.ebx, 31);
  }
  if (f.osxsave) {  // else XGETBV faults
    uint32_t lo, hi;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0u));
    f.xcr0 = (uint64_t{hi} << 32) | lo;
  }
#if defined(__APPLE__)
  f.avx512_state_on_demand = true;
#endif
#endif
  return f;
}

/** What the processor offers, found once. */
// The level is detected once, on first use, outside the hot path: simd_level() stays two loads
// and is inlined into every vector loop (a 4-element add costs about 700 instructions in all).
inline constinit Atomic<int> g_detected_simd_level{-1};
[[gnu::noinline, gnu::cold]] inline SimdLevel detect_simd_level() {
  const SimdLevel level = choose_simd_level(cpu_features());
  g_detected_simd_level.store(static_cast<int>(level), MemoryOrder::Relaxed);
  return level;
}
inline SimdLevel detected_simd_level() {
  const int level = g_detected_simd_level.load(MemoryOrder::Relaxed);
  return level >= 0 ? static_cast<SimdLevel>(level) : detect_simd_level();
}

/** A lower level to use instead of the detected one (tests compare the widths); -1: none. */
inline constinit Atomic<int> g_simd_level_cap{-1};
inline Atomic<int>& simd_level_cap() { return g_simd_level_cap; }

inline SimdLevel simd_level() {
  const int cap = simd_level_cap().load(MemoryOrder::Relaxed);
  const SimdLevel detected = detected_simd_level();
  return cap >= 0 && cap < static_cast<int>(detected) ? static_cast<SimdLevel>(cap) : detected;
}

// Not API: tessera.hpp #undefs these three at its end, so only headers it includes may use them.
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
