#pragma once
// read_idx: the IDX files of MNIST and Fashion-MNIST, plain or gzip-compressed.

#include <cstring>
#include <string>

#if __has_include(<zlib.h>)
#include <zlib.h>
#define TESSERA_HAS_ZLIB 1
#endif

#include "../core/any_tensor.hpp"
#include "../io/npy.hpp"

namespace tessera::data {
namespace detail {

/** The file's bytes, inflated when it starts with gzip's magic number. */
template <class = void>
std::string read_maybe_gzip(const std::string& path) {
  std::string bytes = tessera::detail::read_file(path, "read_idx");
  if (bytes.size() < 2 || static_cast<unsigned char>(bytes[0]) != 0x1f || static_cast<unsigned char>(bytes[1]) != 0x8b)
    return bytes;
#ifdef TESSERA_HAS_ZLIB
  z_stream z{};
  TS_CHECK(inflateInit2(&z, 16 + MAX_WBITS) == Z_OK, "read_idx: cannot start zlib");
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(bytes.data());
  z.avail_in = static_cast<uInt>(bytes.size());
  int status = Z_OK;
  char chunk[1 << 16];
  while (status == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof(chunk);
    status = inflate(&z, Z_NO_FLUSH);
    out.append(chunk, sizeof(chunk) - z.avail_out);
    if (status == Z_BUF_ERROR && z.avail_in == 0) break;  // truncated input
  }
  inflateEnd(&z);
  TS_CHECK(status == Z_STREAM_END, "read_idx: '", path, "' is not a valid gzip file");
  return out;
#else
  tessera::detail::throw_error("read_idx: '", path, "' is gzip-compressed and tessera was built without zlib ",
                               "(apt-get install zlib1g-dev, and link with -lz)");
#endif
}

}  // namespace detail

/** Reads an IDX file (the MNIST format: a type code, big-endian dimensions, big-endian data),
 *  `.gz` too, into a tensor of its stored type and shape: [60000, 28, 28] uint8 for the
 *  Fashion-MNIST training images, [60000] uint8 for their labels. */
template <class = void>
AnyTensor read_idx(const std::string& path) {
  const std::string bytes = detail::read_maybe_gzip(path);
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  TS_CHECK(bytes.size() >= 4 && b[0] == 0 && b[1] == 0, "read_idx: '", path, "' is not an IDX file (bad magic number)");
  DType dtype;
  switch (b[2]) {
    case 0x08: dtype = DType::UInt8; break;
    case 0x09: dtype = DType::Int8; break;
    case 0x0B: dtype = DType::Int16; break;
    case 0x0C: dtype = DType::Int32; break;
    case 0x0D: dtype = DType::Float32; break;
    case 0x0E: dtype = DType::Float64; break;
    default: tessera::detail::throw_error("read_idx: '", path, "' has unknown type code ", int{b[2]});
  }
  const size_t ndim = b[3];
  TS_CHECK(bytes.size() >= 4 + 4 * ndim, "read_idx: '", path, "' is truncated in its dimensions");
  Shape shape;
  int64_t numel = 1;
  for (size_t d = 0; d < ndim; ++d) {
    const int64_t n = static_cast<int64_t>(uint32_t{b[4 + 4 * d]} << 24 | uint32_t{b[5 + 4 * d]} << 16 |
                                           uint32_t{b[6 + 4 * d]} << 8 | uint32_t{b[7 + 4 * d]});
    TS_CHECK(n == 0 || numel <= INT64_MAX / n, "read_idx: '", path, "' has too large a shape");
    numel *= n;
    shape.push_back(n);
  }
  const size_t start = 4 + 4 * ndim, item = element_size(dtype);
  TS_CHECK(numel <= static_cast<int64_t>((bytes.size() - start) / item), "read_idx: '", path, "' is truncated: shape ",
           tessera::detail::shape_str(shape), " needs ", static_cast<uint64_t>(numel) * item, " bytes of data");
  return dispatch(dtype, [&]<class T>(std::type_identity<T>) {
    Tensor<T> t = tessera::detail::empty_tensor<T>(shape, {}, "read_idx");
    auto* out = reinterpret_cast<unsigned char*>(t.data_ptr());
    std::memcpy(out, b + start, static_cast<size_t>(numel) * item);
    if (item > 1)  // big-endian on disk
      for (int64_t i = 0; i < numel; ++i) std::reverse(out + i * item, out + (i + 1) * item);
    return AnyTensor(t);
  });
}

}  // namespace tessera::data
