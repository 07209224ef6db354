#pragma once
// ts::Error, the one exception type tessera throws for user errors.

#include <sstream>
#include <stdexcept>
#include <string>

namespace tessera {

/** Thrown for every misuse of the library, in every build type. The message starts with the
 *  operation's name and names the shapes or dtypes involved. */
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

template <class... Args>
[[noreturn]] void throw_error(const Args&... args) {
  std::ostringstream message;
  (message << ... << args);
  throw Error(message.str());
}

}  // namespace detail
}  // namespace tessera
