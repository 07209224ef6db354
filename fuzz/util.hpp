#pragma once
// Helpers the fuzz targets share: a file holding the input (for the loaders that take a path)
// and byte-for-byte tensor comparison (for differential checks between two ways of loading).

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include <tessera/core/any_tensor.hpp>

namespace fuzz {

/** A path whose file holds `bytes`: a memfd (a regular file in memory, no disk), rewritten for
 *  each input, so the loaders' file paths (fstat, fread) run as on a real file. */
inline std::string as_file(const uint8_t* bytes, size_t size) {
  static const int fd = [] {
    const int f = ::memfd_create("fuzz-input", 0);
    if (f < 0) std::abort();
    return f;
  }();
  if (::ftruncate(fd, 0) != 0 || (size && ::pwrite(fd, bytes, size, 0) != static_cast<ssize_t>(size))) std::abort();
  return "/proc/self/fd/" + std::to_string(fd);
}

/** Same dtype, same sizes, same bytes. */
inline bool same(const tessera::AnyTensor& a, const tessera::AnyTensor& b) {
  if (a.dtype() != b.dtype() || a.sizes() != b.sizes()) return false;
  return tessera::dispatch(a.dtype(), [&]<class T>(std::type_identity<T>) {
    const auto x = a.as<T>().contiguous(), y = b.as<T>().contiguous();
    return x.numel() == 0 || std::memcmp(x.data_ptr(), y.data_ptr(), static_cast<size_t>(x.numel()) * sizeof(T)) == 0;
  });
}

}  // namespace fuzz
