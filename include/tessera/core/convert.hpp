#pragma once
// convert<To>(from): element conversion with PyTorch's results for every pair of dtypes.

#include <cmath>
#include <cstdint>
#include <limits>

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

}  // namespace tessera::detail
