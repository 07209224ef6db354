#pragma once
// Float64 exp, log, sin and cos and the float64 samplers (Box-Muller, exponential draws) as the
// GPU computes them: glsl/f64math.glsl compiled as C++ (its generated copy), so that the CPU and
// every GPU draw the same float64 random values, bit for bit, whatever the platform's libm.

#include <bit>
#include <cmath>
#include <cstdint>

namespace tessera::detail::f64math {

// The GLSL types and built-ins f64math.glsl uses.
using uint = uint32_t;
inline double uint64BitsToDouble(uint64_t bits) { return std::bit_cast<double>(bits); }
inline uint64_t doubleBitsToUint64(double v) { return std::bit_cast<uint64_t>(v); }
inline double roundEven(double v) { return std::nearbyint(v); }  // the default rounding: to even
using std::abs;
using std::sqrt;
using std::trunc;

/** v, rounded where it is (Note [Exact SIMD arithmetic]): a product hidden from the optimiser
 *  (an empty asm that "changes" its register, or memory elsewhere) cannot be fused with the sum
 *  it feeds. */
inline double exact(double v) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  asm("" : "+x"(v));
#elif defined(__GNUC__) && defined(__aarch64__)
  asm("" : "+w"(v));
#else
  volatile double held = v;
  v = held;
#endif
  return v;
}

#define F64_FN inline
#define F64_EXACT(x) ::tessera::detail::f64math::exact(x)
#define F64_OUT(T) T&
#define precise
#include "../gpu/generated/f64math.inc"
#undef precise
#undef F64_FN
#undef F64_EXACT
#undef F64_OUT

}  // namespace tessera::detail::f64math
