#pragma once
// The message of the tessera::Error a callable throws, for tests that compare whole messages.

#include <string>

#include <tessera/core/error.hpp>

/** The message of the tessera::Error `f` throws, or "" when it throws none. */
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const tessera::Error& e) {
    return e.what();
  }
  return "";
}
