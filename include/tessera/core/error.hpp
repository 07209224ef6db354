#pragma once
// ts::Error, the one exception type tessera throws for user errors.

// Every header includes this one before any C++20 it uses, so an older standard stops here.
#if __cplusplus < 202002L && !(defined(_MSVC_LANG) && _MSVC_LANG >= 202002L)
#error "tessera needs C++20: compile with -std=c++20 (CMake: target_compile_features(<target> PRIVATE cxx_std_20))"
#endif

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace tessera {

/** Thrown for every misuse of the library, in every build type. The message starts with the
 *  operation's name and names the shapes or dtypes involved. */
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

/** Appends v in decimal (what `os << v` writes), without <sstream> or std::to_string. */
inline void append_int(std::string& out, int64_t v) {
  char buffer[24];
  out.append(buffer, static_cast<size_t>(std::snprintf(buffer, sizeof buffer, "%lld", static_cast<long long>(v))));
}

// Note [Error messages]
// Every check in the library builds its message from text, numbers and a few tensor types. A
// message part holds one of them by value or by reference to the caller's object (the message
// is built before the call returns), so a check costs its caller a list of parts and one call
// to a single untyped function, whatever the argument types: no stream code per call site.
class ErrorPart {
 public:
  ErrorPart(std::string_view text) : kind_(Kind::Text), text_(text) {}
  ErrorPart(const char* text) : kind_(Kind::Text), text_(text) {}
  ErrorPart(const std::string& text) : kind_(Kind::Text), text_(text) {}
  ErrorPart(char c) : kind_(Kind::Char), char_(c) {}
  template <class I>
    requires(std::is_integral_v<I> && !std::is_same_v<I, char>)
  ErrorPart(I v) {
    if constexpr (std::is_signed_v<I>) kind_ = Kind::Signed, signed_ = v;
    else kind_ = Kind::Unsigned, unsigned_ = v;
  }
  template <class F>
    requires std::is_floating_point_v<F>
  ErrorPart(F v) : kind_(Kind::Floating), floating_(static_cast<double>(v)) {}
  /** Any other type with `append_error_part(std::string&, const T&)` found by lookup (DType,
   *  Device, Shape): called only when the message is built. */
  template <class T>
    requires requires(std::string& s, const T& t) { append_error_part(s, t); }
  ErrorPart(const T& v)
      : kind_(Kind::Other), other_{&v, [](std::string& s, const void* p) { append_error_part(s, *static_cast<const T*>(p)); }} {}

  void append_to(std::string& out) const {
    char buffer[32];
    switch (kind_) {
      case Kind::Text: out.append(text_); return;
      case Kind::Char: out += char_; return;
      case Kind::Signed: append_int(out, signed_); return;
      case Kind::Unsigned:
        out.append(buffer, static_cast<size_t>(std::snprintf(buffer, sizeof buffer, "%llu", static_cast<unsigned long long>(unsigned_))));
        return;
      case Kind::Floating: out.append(buffer, static_cast<size_t>(std::snprintf(buffer, sizeof buffer, "%g", floating_))); return;
      case Kind::Other: other_.append(out, other_.object); return;
    }
  }

 private:
  enum class Kind { Text, Char, Signed, Unsigned, Floating, Other };
  struct Other {
    const void* object;
    void (*append)(std::string&, const void*);
  };
  Kind kind_;
  union {
    std::string_view text_;
    char char_;
    int64_t signed_;
    uint64_t unsigned_;
    double floating_;
    Other other_;
  };
};

[[noreturn, gnu::cold, gnu::noinline]] inline void throw_message(std::initializer_list<ErrorPart> parts) {
  std::string message;
  for (const ErrorPart& part : parts) part.append_to(message);
  throw Error(message);
}

/** Throws ts::Error whose message is the parts one after another (Note [Error messages]). */
template <class... Args>
[[noreturn, gnu::cold]] void throw_error(const Args&... args) {
  throw_message({ErrorPart(args)...});
}

}  // namespace detail
}  // namespace tessera
