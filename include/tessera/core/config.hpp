#pragma once
// Version macros (CMakeLists.txt reads them) and TS_CHECK, the way every op reports misuse.

#include "error.hpp"

#define TESSERA_VERSION_MAJOR 0
#define TESSERA_VERSION_MINOR 1
#define TESSERA_VERSION_PATCH 0

/// Throws ts::Error with the streamed message unless `cond` holds; active in every build type.
#define TS_CHECK(cond, ...)                          \
  do {                                               \
    if (!(cond)) [[unlikely]]                        \
      ::tessera::detail::throw_error(__VA_ARGS__);   \
  } while (0)
