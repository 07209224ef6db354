#pragma once
// DType, dtype_of<T>, the single type-dispatch point, and the labelled promotion table.

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>

#include "config.hpp"
#include "half.hpp"

namespace tessera {

/** Element types, in the order of the promotion table below. */
enum class DType : int8_t { Bool, UInt8, Int8, Int16, Int32, Int64, Float16, BFloat16, Float32, Float64 };

inline constexpr int kNumDTypes = 10;

namespace detail {

template <class T>
consteval DType dtype_of_impl() {
  if constexpr (std::is_same_v<T, bool>) return DType::Bool;
  else if constexpr (std::is_same_v<T, uint8_t>) return DType::UInt8;
  else if constexpr (std::is_same_v<T, int8_t>) return DType::Int8;
  else if constexpr (std::is_same_v<T, int16_t>) return DType::Int16;
  else if constexpr (std::is_same_v<T, int32_t>) return DType::Int32;
  else if constexpr (std::is_same_v<T, int64_t>) return DType::Int64;
  else if constexpr (std::is_same_v<T, half>) return DType::Float16;
  else if constexpr (std::is_same_v<T, bfloat16>) return DType::BFloat16;
  else if constexpr (std::is_same_v<T, float>) return DType::Float32;
  else if constexpr (std::is_same_v<T, double>) return DType::Float64;
  else static_assert(sizeof(T) == 0, "tessera: not an element type (see API.md section 1)");
}

template <class T>
concept Element = std::is_same_v<T, bool> || std::is_same_v<T, uint8_t> || std::is_same_v<T, int8_t> ||
                  std::is_same_v<T, int16_t> || std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t> ||
                  std::is_same_v<T, half> || std::is_same_v<T, bfloat16> || std::is_same_v<T, float> ||
                  std::is_same_v<T, double>;

}  // namespace detail

/** The DType of the C++ element type T. */
template <class T>
inline constexpr DType dtype_of = detail::dtype_of_impl<T>();

/** True for half, bfloat16, float and double. */
template <class T>
inline constexpr bool is_floating_v = std::is_floating_point_v<T> || std::is_same_v<T, half> ||
                                      std::is_same_v<T, bfloat16>;

constexpr bool is_floating_point(DType d) { return d >= DType::Float16; }

constexpr int64_t element_size(DType d) {
  constexpr int64_t sizes[kNumDTypes] = {1, 1, 1, 2, 4, 8, 2, 2, 4, 8};
  return sizes[static_cast<int>(d)];
}

/** PyTorch's spelling: "torch.float32". */
constexpr std::string_view dtype_name(DType d) {
  constexpr std::string_view names[kNumDTypes] = {
      "torch.bool",    "torch.uint8",   "torch.int8",     "torch.int16",   "torch.int32",
      "torch.int64",   "torch.float16", "torch.bfloat16", "torch.float32", "torch.float64"};
  return names[static_cast<int>(d)];
}

inline std::ostream& operator<<(std::ostream& os, DType d) { return os << dtype_name(d); }
inline void append_error_part(std::string& out, DType d) { out += dtype_name(d); }

/** Calls f(std::type_identity<T>{}) with the C++ type of `d`: tessera's one dispatch point. */
template <class F>
decltype(auto) dispatch(DType d, F&& f) {
  switch (d) {
    case DType::Bool: return f(std::type_identity<bool>{});
    case DType::UInt8: return f(std::type_identity<uint8_t>{});
    case DType::Int8: return f(std::type_identity<int8_t>{});
    case DType::Int16: return f(std::type_identity<int16_t>{});
    case DType::Int32: return f(std::type_identity<int32_t>{});
    case DType::Int64: return f(std::type_identity<int64_t>{});
    case DType::Float16: return f(std::type_identity<half>{});
    case DType::BFloat16: return f(std::type_identity<bfloat16>{});
    case DType::Float32: return f(std::type_identity<float>{});
    case DType::Float64: return f(std::type_identity<double>{});
  }
  detail::throw_error("dispatch: invalid dtype ", static_cast<int>(d));
}

/** torch.promote_types, for all 100 pairs. */
constexpr DType promote_types(DType a, DType b) {
  constexpr DType b1 = DType::Bool, u1 = DType::UInt8, i1 = DType::Int8, i2 = DType::Int16,
                  i4 = DType::Int32, i8 = DType::Int64, f2 = DType::Float16, bf = DType::BFloat16,
                  f4 = DType::Float32, f8 = DType::Float64;
  // clang-format off
  constexpr DType table[kNumDTypes][kNumDTypes] = {
      /*        b1  u1  i1  i2  i4  i8  f2  bf  f4  f8 */
      /* b1 */ {b1, u1, i1, i2, i4, i8, f2, bf, f4, f8},
      /* u1 */ {u1, u1, i2, i2, i4, i8, f2, bf, f4, f8},
      /* i1 */ {i1, i2, i1, i2, i4, i8, f2, bf, f4, f8},
      /* i2 */ {i2, i2, i2, i2, i4, i8, f2, bf, f4, f8},
      /* i4 */ {i4, i4, i4, i4, i4, i8, f2, bf, f4, f8},
      /* i8 */ {i8, i8, i8, i8, i8, i8, f2, bf, f4, f8},
      /* f2 */ {f2, f2, f2, f2, f2, f2, f2, f4, f4, f8},
      /* bf */ {bf, bf, bf, bf, bf, bf, f4, bf, f4, f8},
      /* f4 */ {f4, f4, f4, f4, f4, f4, f4, f4, f4, f8},
      /* f8 */ {f8, f8, f8, f8, f8, f8, f8, f8, f8, f8},
  };
  // clang-format on
  return table[static_cast<int>(a)][static_cast<int>(b)];
}

namespace detail {
template <DType D>
struct cpp_type_of;
template <> struct cpp_type_of<DType::Bool> { using type = bool; };
template <> struct cpp_type_of<DType::UInt8> { using type = uint8_t; };
template <> struct cpp_type_of<DType::Int8> { using type = int8_t; };
template <> struct cpp_type_of<DType::Int16> { using type = int16_t; };
template <> struct cpp_type_of<DType::Int32> { using type = int32_t; };
template <> struct cpp_type_of<DType::Int64> { using type = int64_t; };
template <> struct cpp_type_of<DType::Float16> { using type = half; };
template <> struct cpp_type_of<DType::BFloat16> { using type = bfloat16; };
template <> struct cpp_type_of<DType::Float32> { using type = float; };
template <> struct cpp_type_of<DType::Float64> { using type = double; };
/** PyTorch's name of a dtype in "not implemented for" messages. */
inline const char* aten_type_name(DType d) {
  switch (d) {
    case DType::Bool: return "Bool";
    case DType::UInt8: return "Byte";
    case DType::Int8: return "Char";
    case DType::Int16: return "Short";
    case DType::Int32: return "Int";
    case DType::Int64: return "Long";
    case DType::Float16: return "Half";
    case DType::BFloat16: return "BFloat16";
    case DType::Float32: return "Float";
    default: return "Double";
  }
}
}  // namespace detail

/** The C++ element type of promote_types(dtype_of<A>, dtype_of<B>). */
template <class A, class B>
using promote_t = typename detail::cpp_type_of<promote_types(dtype_of<A>, dtype_of<B>)>::type;

}  // namespace tessera
