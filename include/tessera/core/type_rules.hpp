#pragma once
// Result types of ops: PyTorch's rules for tensor-tensor, tensor-scalar, division and
// floating-only functions, as C++ types.

#include "dtype.hpp"

namespace tessera {
namespace detail {

/** bool < integral < floating: how a C++ scalar ranks against a tensor's type (API.md 1). */
template <class T>
inline constexpr int category = std::is_same_v<T, bool> ? 0 : is_floating_v<T> ? 2 : 1;

/** The element type an arithmetic scalar S is taken as: bool, int64_t or its floating type. */
template <class S>
using scalar_element_t = std::conditional_t<std::is_same_v<S, bool>, bool,
                                            std::conditional_t<std::is_integral_v<S>, int64_t, S>>;

/** float for half and bfloat16 (PyTorch's opmath type), else T. */
template <class T>
using opmath_t = std::conditional_t<std::is_same_v<T, half> || std::is_same_v<T, bfloat16>, float, T>;

}  // namespace detail

/** Tensor<T> op C++ scalar S: a scalar of the same or a lower category keeps T; a floating
 *  scalar on an integral or bool tensor gives float, an integral scalar on a bool tensor int64_t. */
template <class T, class S>
using scalar_promote_t =
    std::conditional_t<(detail::category<S> <= detail::category<T>), T,
                       std::conditional_t<detail::category<S> == 2, float, int64_t>>;

/** True division: integral and bool results become float. */
template <class T>
using true_divide_t = std::conditional_t<is_floating_v<T>, T, float>;

/** Functions defined on floating values only (exp, sin, sqrt, ...) take integral tensors to float. */
template <class T>
using floating_t = true_divide_t<T>;
/** all and any: bool, but uint8 for uint8 input (PyTorch keeps that dtype for compatibility). */
template <class T>
using logical_t = std::conditional_t<std::is_same_v<T, uint8_t>, uint8_t, bool>;

/** PyTorch's can_cast: no floating to integral, no non-bool to bool. */
constexpr bool can_cast(DType from, DType to) {
  auto category = [](DType d) { return d == DType::Bool ? 0 : is_floating_point(d) ? 2 : 1; };
  return category(from) <= category(to);
}
/** can_cast on element types. */
template <class From, class To>
inline constexpr bool can_cast_v = can_cast(dtype_of<From>, dtype_of<To>);

}  // namespace tessera
