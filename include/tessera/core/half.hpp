#pragma once
// ts::half (IEEE binary16) and ts::bfloat16: storage types that compute in float.

#include <bit>
#include <cstdint>
#include <type_traits>

#include "error.hpp"  // its C++20 check

namespace tessera {
namespace detail {

// Round-to-nearest-even float -> binary16, integer arithmetic only so that the result does
// not depend on the floating-point environment. NaN becomes the canonical quiet NaN 0x7e00.
constexpr uint16_t float_to_half_bits(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  x &= 0x7fffffffu;
  if (x >= 0x7f800000u) return sign | (x > 0x7f800000u ? 0x7e00u : 0x7c00u);
  if (x >= 0x477ff000u) return sign | 0x7c00u;  // >= 65520 rounds to infinity
  if (x < 0x38800000u) {                        // below 2^-14: subnormal half or zero
    if (x < 0x33000000u) return sign;           // below 2^-25 rounds to zero
    const uint32_t mantissa = (x & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126u - (x >> 23);
    uint32_t r = mantissa >> shift;
    const uint32_t rest = mantissa & ((1u << shift) - 1u), halfway = 1u << (shift - 1u);
    if (rest > halfway || (rest == halfway && (r & 1u))) ++r;
    return static_cast<uint16_t>(sign | r);
  }
  uint32_t r = (x - 0x38000000u) >> 13;  // rebias the exponent from 127 to 15
  const uint32_t rest = x & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (r & 1u))) ++r;
  return static_cast<uint16_t>(sign | r);
}

constexpr float half_bits_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
  if (exponent == 0) {
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

// Round-to-nearest-even float -> bfloat16 (the upper half of a float); NaN becomes 0x7fc0.
constexpr uint16_t float_to_bfloat16_bits(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return 0x7fc0u;
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

constexpr float bfloat16_bits_to_float(uint16_t b) {
  return std::bit_cast<float>(static_cast<uint32_t>(b) << 16);
}

// Note [Half conversions]
// Every conversion into half or bfloat16 goes through float, as c10::Half's constructor does:
// double -> half rounds twice, exactly like PyTorch's `.to(torch.float16)` of a float64 tensor.

}  // namespace detail

/** IEEE 754 binary16. Arithmetic happens in float through the implicit conversion. */
struct half {
  uint16_t bits = 0;
  constexpr half() = default;
  template <class U, std::enable_if_t<std::is_arithmetic_v<U>, int> = 0>
  constexpr half(U value) : bits(detail::float_to_half_bits(static_cast<float>(value))) {}
  static constexpr half from_bits(uint16_t b) {
    half h;
    h.bits = b;
    return h;
  }
  constexpr operator float() const { return detail::half_bits_to_float(bits); }
};

/** bfloat16: float's exponent with an 8-bit significand. Computes in float. */
struct bfloat16 {
  uint16_t bits = 0;
  constexpr bfloat16() = default;
  template <class U, std::enable_if_t<std::is_arithmetic_v<U>, int> = 0>
  constexpr bfloat16(U value) : bits(detail::float_to_bfloat16_bits(static_cast<float>(value))) {}
  static constexpr bfloat16 from_bits(uint16_t b) {
    bfloat16 h;
    h.bits = b;
    return h;
  }
  constexpr operator float() const { return detail::bfloat16_bits_to_float(bits); }
};

}  // namespace tessera
