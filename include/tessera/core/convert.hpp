#pragma once
// convert<To>(from): element conversion with PyTorch's results for every pair of dtypes.

#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "config.hpp"
#include "dtype.hpp"

namespace tessera::detail {

// Note [Float to integer conversion]
// C++ leaves an out-of-range float -> integer cast undefined; PyTorch on x86 gets what the
// hardware gives: a truncating conversion to int32 (or int64 for int64 targets) that yields
// the "integer indefinite" value INT_MIN for NaN and out-of-range inputs, then wraps to the
// narrower type. tessera computes that result explicitly, so it is the same in every build
// and on every processor (tests/golden checks it against torch 1.13).
template <class To>
constexpr To float_to_integral(double v) {
  if constexpr (sizeof(To) == 8) {
    if (!(v > -9223372036854775809.0 && v < 9223372036854775808.0)) return std::numeric_limits<int64_t>::min();
    return static_cast<To>(v);
  } else {
    int32_t wide = std::numeric_limits<int32_t>::min();
    if (v > -2147483649.0 && v < 2147483648.0) wide = static_cast<int32_t>(v);
    return static_cast<To>(wide);  // modular since C++20
  }
}

template <class To, class From>
constexpr To convert(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (std::is_same_v<To, bool>) {
    if constexpr (std::is_same_v<From, half> || std::is_same_v<From, bfloat16>) return static_cast<float>(v) != 0.0f;
    else return v != 0;  // NaN converts to true
  } else if constexpr (std::is_same_v<From, bool>) {
    return To(v ? 1 : 0);
  } else if constexpr (std::is_integral_v<To> && is_floating_v<From>) {
    if constexpr (std::is_same_v<From, double>) return float_to_integral<To>(v);
    else return float_to_integral<To>(static_cast<double>(static_cast<float>(v)));
  } else if constexpr (std::is_same_v<To, half> || std::is_same_v<To, bfloat16>) {
    return To(static_cast<float>(v));  // Note [Half conversions]
  } else if constexpr (std::is_same_v<From, half> || std::is_same_v<From, bfloat16>) {
    return static_cast<To>(static_cast<float>(v));
  } else {
    return static_cast<To>(v);
  }
}

// Note [Scalar conversion checks]
// A scalar written into a tensor (fill_, full, masked_fill, index_put_, scatter_, where, clamp's
// bounds, linspace's ends) must fit the tensor's type, as PyTorch's checked conversion demands:
// for an integral type the value must be finite and within [lowest, max] (an integral scalar on
// an unsigned type may also be negative down to -max, which wraps: uint8 -1 is 255); for half,
// bfloat16 and float a finite value beyond the largest finite one is refused, while inf and NaN
// pass; double and bool take anything. The comparisons are PyTorch's, in double for floating
// scalars (so 2^63 passes for int64, as in torch, and converts to INT64_MIN). Arithmetic with a
// scalar (x + 300 on int8) is not checked: PyTorch wraps there. The check runs once per call,
// never per element.

/** PyTorch's name for a type in its conversion errors ("int" for int32, "at::Half", ...). */
template <class T>
constexpr const char* checked_type_name() {
  if constexpr (std::is_same_v<T, uint8_t>) return "uint8_t";
  else if constexpr (std::is_same_v<T, int8_t>) return "int8_t";
  else if constexpr (std::is_same_v<T, int16_t>) return "int16_t";
  else if constexpr (std::is_same_v<T, int32_t>) return "int";
  else if constexpr (std::is_same_v<T, int64_t>) return "int64_t";
  else if constexpr (std::is_same_v<T, half>) return "at::Half";
  else if constexpr (std::is_same_v<T, bfloat16>) return "at::BFloat16";
  else if constexpr (std::is_same_v<T, float>) return "float";
  else if constexpr (std::is_same_v<T, double>) return "double";
  else return "bool";
}

/** The largest finite value of a floating type, as a double. */
template <class T>
constexpr double largest_finite() {
  if constexpr (std::is_same_v<T, half>) return 65504.0;
  else if constexpr (std::is_same_v<T, bfloat16>) return 3.3895313892515355e38;  // 0x7f7f
  else return static_cast<double>(std::numeric_limits<T>::max());
}

/** True when `value` does not fit T (Note [Scalar conversion checks]). */
template <class To, class From>
constexpr bool scalar_overflows(From value) {
  if constexpr (std::is_same_v<To, bool> || std::is_same_v<From, bool> || std::is_same_v<To, double>) {
    return false;
  } else if constexpr (std::is_integral_v<From>) {
    if constexpr (std::is_integral_v<To>) {
      if constexpr (std::is_unsigned_v<To> && std::is_signed_v<From>) {
        if (value < 0) return static_cast<uint64_t>(0) - static_cast<uint64_t>(value) > std::numeric_limits<To>::max();
      }
      return std::cmp_less(value, std::numeric_limits<To>::lowest()) || std::cmp_greater(value, std::numeric_limits<To>::max());
    } else {
      const double v = static_cast<double>(value);
      return v < -largest_finite<To>() || v > largest_finite<To>();
    }
  } else {
    const double v = convert<double>(value);
    if constexpr (std::is_integral_v<To>) {
      return !(v >= static_cast<double>(std::numeric_limits<To>::lowest()) &&
               v <= static_cast<double>(std::numeric_limits<To>::max()));  // NaN too
    } else {
      if (std::isinf(v) || std::isnan(v)) return false;
      return v < -largest_finite<To>() || v > largest_finite<To>();
    }
  }
}

/** value as T, or ts::Error naming `op` when it does not fit (Note [Scalar conversion checks]). */
template <class To, class From>
To checked_convert(From value, const char* op) {
  TS_CHECK(!scalar_overflows<To>(value), op, ": value cannot be converted to type ", checked_type_name<To>(),
           " without overflow");
  return convert<To>(value);
}

}  // namespace tessera::detail
