#pragma once
// Scalar formulas of PyTorch's CPU kernels, computed in the op's compute (opmath) type.

#include <cmath>
#include <limits>
#include <type_traits>

namespace tessera::detail::math {

// Note [Wrapping integer arithmetic]
// PyTorch's integer add, sub, mul, sum, prod and cumsum wrap in two's complement (INT64_MAX + 1
// is INT64_MIN), and so must tessera's, but signed overflow is undefined in C++: the compiler may
// assume it away and UBSan reports it. Integer kernels therefore compute in the unsigned type of
// the promoted operands, where overflow is defined to wrap, and convert back (modular since
// C++20). Floating types, and bool, are untouched; the vector paths are floating only.
template <class T>
inline constexpr bool wraps_v = std::is_integral_v<T> && !std::is_same_v<T, bool>;

template <class T>
T add(T a, T b) {
  if constexpr (wraps_v<T>) {
    using U = std::make_unsigned_t<decltype(a + b)>;  // int8 and int16 promote to int first
    return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
  } else {
    return a + b;
  }
}

template <class T>
T sub(T a, T b) {
  if constexpr (wraps_v<T>) {
    using U = std::make_unsigned_t<decltype(a - b)>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) - static_cast<U>(b)));
  } else {
    return a - b;
  }
}

template <class T>
T mul(T a, T b) {
  if constexpr (wraps_v<T>) {
    using U = std::make_unsigned_t<decltype(a * b)>;  // unsigned short * unsigned short would be int
    return static_cast<T>(static_cast<U>(static_cast<U>(a) * static_cast<U>(b)));
  } else {
    return a * b;
  }
}

template <class T>
T neg(T a) {
  if constexpr (std::is_integral_v<T>) return static_cast<T>(-static_cast<std::make_unsigned_t<T>>(a));  // wraps
  else return -a;
}

template <class T>
T abs(T a) {
  if constexpr (std::is_unsigned_v<T>) return a;
  else if constexpr (std::is_integral_v<T>) return a < 0 ? neg(a) : a;
  else return std::fabs(a);
}

template <class T>
T sign(T a) {
  if constexpr (std::is_same_v<T, bool>) return a;
  else if constexpr (std::is_unsigned_v<T>) return static_cast<T>(0 < a);
  else return static_cast<T>((T(0) < a) - (a < T(0)));  // NaN gives 0
}

template <class T>
T relu(T a) {
  if constexpr (std::is_same_v<T, bool>) return a;
  else return a < T(0) ? T(0) : a;  // NaN stays NaN, as clamp_min(0)
}

template <class T>
T sigmoid(T a) {
  return T(1) / (T(1) + std::exp(-a));
}

template <class T>
T gelu(T a) {
  return a * T(0.5) * (T(1) + std::erf(a * static_cast<T>(M_SQRT1_2)));
}

template <class T>
T softplus(T a) {  // beta = 1, threshold = 20
  return a > T(20) ? a : std::log1p(std::exp(a));
}

template <class T>
T rsqrt(T a) {
  return T(1) / std::sqrt(a);
}

template <class T>
T remainder(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return 0;  // avoids INT_MIN % -1
    }
    T r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  } else {
    T mod = std::fmod(a, b);
    if (mod != 0 && ((b < 0) != (mod < 0))) mod += b;
    return mod;
  }
}

template <class T>
T fmod(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return 0;
    }
    return a % b;
  } else {
    return std::fmod(a, b);
  }
}

/** Integer a / b rounded toward zero (torch.div's rounding_mode "trunc"): C++'s division, with
 *  the lowest value over -1 wrapping. */
template <class T>
  requires std::is_integral_v<T>
T trunc_divide(T a, T b) {
  if constexpr (std::is_signed_v<T>)
    if (b == -1) return neg(a);
  return static_cast<T>(a / b);
}

template <class T>
T floor_divide(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return neg(a);
      if ((a < 0) != (b < 0)) {
        const T quot = a / b, rem = a % b;
        return rem ? quot - 1 : quot;
      }
    }
    return a / b;
  } else {
    if (b == 0) return a / b;
    const T mod = std::fmod(a, b);
    T div = (a - mod) / b;
    if (mod != 0 && ((b < 0) != (mod < 0))) div -= T(1);
    T floordiv;
    if (div != 0) {
      floordiv = std::floor(div);
      if (div - floordiv > T(0.5)) floordiv += T(1);
    } else {
      floordiv = std::copysign(T(0), a / b);
    }
    return floordiv;
  }
}

// Integer powers by squaring; negative exponents give 0 except for bases 1 and -1.
template <class T>
T int_pow(T base, T exp) {
  if constexpr (std::is_signed_v<T>) {
    if (exp < 0) {
      if (base == 1) return 1;
      if (base == -1) return (exp % 2 == 0) ? 1 : -1;
      return 0;
    }
  }
  using U = std::make_unsigned_t<std::conditional_t<std::is_same_v<T, bool>, unsigned char, T>>;
  // Products in at least unsigned int: a narrower unsigned type would be promoted to int, whose
  // overflow is undefined; truncating back to U keeps the wrap-around of U.
  using W = std::common_type_t<U, unsigned>;
  W result = 1, b = static_cast<U>(base);
  for (auto e = static_cast<U>(exp); e; e >>= 1) {
    if (e & 1) result = static_cast<U>(result * b);
    b = static_cast<U>(b * b);
  }
  return static_cast<T>(result);
}

template <class T>
T pow(T a, T b) {
  if constexpr (std::is_integral_v<T>) return int_pow(a, b);
  else return std::pow(a, b);
}

template <class T>
T minimum(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return a;
    if (std::isnan(b)) return b;
  }
  return b < a ? b : a;
}

template <class T>
T maximum(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return a;
    if (std::isnan(b)) return b;
  }
  return a < b ? b : a;
}

/** start + weight (end - start) from the nearer end, each a fused multiply-add as PyTorch's
 *  kernels compute it (so the results are its bits, not one rounding off). */
template <class T>
T lerp(T start, T end, T weight) {
  const T d = end - start;
  return std::abs(weight) < T(0.5) ? std::fma(weight, d, start) : std::fma(-d, T(1) - weight, end);
}

}  // namespace tessera::detail::math
