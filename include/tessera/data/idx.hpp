#pragma once
// read_idx: the IDX files of MNIST and Fashion-MNIST, plain or gzip-compressed.

#include "../core/algorithm.hpp"
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#if __has_include(<zlib.h>)
#include <zlib.h>
#define TESSERA_HAS_ZLIB 1
#endif

#include "../core/any_tensor.hpp"
#include "../io/file.hpp"
#include "../io/npy.hpp"

namespace tessera::data {
namespace detail {

// Note [IDX budget]
// An IDX file is a 4-byte magic number (0, 0, a type code, the number of dims), one
// big-endian u32 per dim, then the data. read_idx reads (inflates) the header first, computes
// the byte count it declares, checks that the file can hold that many bytes (a plain file: its
// size; a gzip file: 1032 times its size, deflate's largest ratio) and only then allocates the
// tensor and reads or inflates the data straight into it, stopping there. A payload shorter
// than declared is an error; bytes after it are ignored and never read or inflated, as before
// (so a small .gz that inflates to gigabytes past a one-element header costs one element).
// When the gzip stream ends right after the data, its CRC is checked too.

/** Deflate cannot expand one input byte to more than 1032 output bytes (two one-bit codes for
 *  a 258-byte match); a gzip file's header and trailer only make the bound looser. */
inline constexpr uint64_t kMaxDeflateRatio = 1032;

/** The content of an IDX file, read in order: plain bytes, or the gzip stream inflated as it
 *  is read, when the file starts with gzip's magic number. `file` must outlive the source. */
template <class = void>
class BasicIdxSource {
 public:
  BasicIdxSource(tessera::detail::FileReader& file, const std::string& source)
      : file_(file), source_(source), in_(1 << 16) {
    in_size_ = file_.read(in_.data(), in_.size());
    gzip_ = in_size_ >= 2 && static_cast<unsigned char>(in_[0]) == 0x1f && static_cast<unsigned char>(in_[1]) == 0x8b;
    if (!gzip_) return;
#ifdef TESSERA_HAS_ZLIB
    TS_CHECK(inflateInit2(&z_, 16 + MAX_WBITS) == Z_OK, "read_idx: cannot start zlib");
    z_.next_in = reinterpret_cast<Bytef*>(in_.data());
    z_.avail_in = static_cast<uInt>(in_size_);
    inflating_ = true;
#else
    tessera::detail::throw_error("read_idx: ", source, " is gzip-compressed and tessera was built without zlib ",
                                 "(apt-get install zlib1g-dev, and link with -lz)");
#endif
  }
  BasicIdxSource(const BasicIdxSource&) = delete;
  BasicIdxSource& operator=(const BasicIdxSource&) = delete;
  ~BasicIdxSource() {
#ifdef TESSERA_HAS_ZLIB
    if (inflating_) inflateEnd(&z_);
#endif
  }

  bool gzip() const { return gzip_; }
  /** The most content bytes still to come: exact for a plain file, deflate's bound for gzip. */
  uint64_t max_remaining() const {
    if (!gzip_) return file_.size() - std::min(file_.size(), produced_);
    const uint64_t bound = file_.size() > UINT64_MAX / kMaxDeflateRatio ? UINT64_MAX : file_.size() * kMaxDeflateRatio;
    return bound - std::min(bound, produced_);
  }

  /** Reads up to `n` content bytes into `out`; fewer only where the content ends. */
  size_t read(void* out, size_t n) {
    if (n == 0) return 0;
    auto* to = static_cast<unsigned char*>(out);
    size_t got = 0;
    if (!gzip_) {
      const size_t buffered = std::min(n, in_size_ - in_used_);
      std::memcpy(to, in_.data() + in_used_, buffered);
      in_used_ += buffered;
      got = buffered + file_.read(to + buffered, n - buffered);
    } else {
      got = inflate_into(to, n);
    }
    produced_ += got;
    return got;
  }

  /** After the data: checks the gzip trailer (CRC and length) when the stream ends there;
   *  when more content follows, leaves it uninflated (Note [IDX budget]). */
  void finish() {
    if (!gzip_ || ended_) return;
    unsigned char probe;
    inflate_into(&probe, 1);
  }

 private:
  [[noreturn]] void bad_gzip(const char* why) const {
    tessera::detail::throw_error("read_idx: ", source_, " is not a valid gzip file (", why, ")");
  }

  size_t inflate_into(unsigned char* out, size_t n) {
#ifdef TESSERA_HAS_ZLIB
    size_t got = 0;
    while (got < n && !ended_) {
      if (z_.avail_in == 0) {
        in_size_ = file_.read(in_.data(), in_.size());
        z_.next_in = reinterpret_cast<Bytef*>(in_.data());
        z_.avail_in = static_cast<uInt>(in_size_);
      }
      const uInt room = static_cast<uInt>(std::min<size_t>(n - got, UINT_MAX));
      z_.next_out = out + got;
      z_.avail_out = room;
      const int status = inflate(&z_, Z_NO_FLUSH);
      got += room - z_.avail_out;
      if (status == Z_STREAM_END) ended_ = true;
      // No progress possible: the input was refilled above, so the file is at its end.
      else if (status == Z_BUF_ERROR) bad_gzip("it ends early");
      else if (status != Z_OK && status != Z_BUF_ERROR) bad_gzip(z_.msg ? z_.msg : "corrupt data");
    }
    return got;
#else
    (void)out, (void)n;
    return 0;
#endif
  }

  tessera::detail::FileReader& file_;
  const std::string& source_;
  std::vector<char> in_;  // plain: the first bytes of the file; gzip: zlib's input buffer
  size_t in_size_ = 0, in_used_ = 0;
  uint64_t produced_ = 0;  // content bytes handed out
  bool gzip_ = false, inflating_ = false, ended_ = false;
#ifdef TESSERA_HAS_ZLIB
  z_stream z_{};
#endif
};
using IdxSource = BasicIdxSource<>;

/** An IDX image read from `file`; `source` names it in errors (Note [IDX budget]). */
template <class = void>
AnyTensor read_idx_from(tessera::detail::FileReader& file, const std::string& source) {
  IdxSource src(file, source);
  unsigned char b[4];
  TS_CHECK(src.read(b, 4) == 4 && b[0] == 0 && b[1] == 0, "read_idx: ", source, " is not an IDX file (bad magic number)");
  DType dtype;
  switch (b[2]) {
    case 0x08: dtype = DType::UInt8; break;
    case 0x09: dtype = DType::Int8; break;
    case 0x0B: dtype = DType::Int16; break;
    case 0x0C: dtype = DType::Int32; break;
    case 0x0D: dtype = DType::Float32; break;
    case 0x0E: dtype = DType::Float64; break;
    default: tessera::detail::throw_error("read_idx: ", source, " has unknown type code ", int{b[2]});
  }
  const size_t ndim = b[3];
  unsigned char dims[4 * 255];
  TS_CHECK(src.read(dims, 4 * ndim) == 4 * ndim, "read_idx: ", source, " is truncated in its dimensions");
  Shape shape;
  int64_t numel = 1;
  for (size_t d = 0; d < ndim; ++d) {
    const unsigned char* p = dims + 4 * d;
    const int64_t n = static_cast<int64_t>(uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]});
    TS_CHECK(n == 0 || numel <= INT64_MAX / n, "read_idx: ", source, " has too large a shape");
    numel *= n;
    shape.push_back(n);
  }
  const size_t item = static_cast<size_t>(element_size(dtype));
  const uint64_t can_hold = src.max_remaining();
  TS_CHECK(static_cast<uint64_t>(numel) <= can_hold / item, "read_idx: ", source, " is truncated: shape ",
           tessera::detail::shape_str(shape), " of ", dtype, " needs ", static_cast<uint64_t>(numel), " elements of ",
           item, " bytes, ", src.gzip() ? "more than a gzip file of its size can inflate to (" : "the file has ", can_hold,
           src.gzip() ? " bytes)" : " bytes after the header");
  const uint64_t needed = static_cast<uint64_t>(numel) * item;  // at most can_hold: no overflow
  return dispatch(dtype, [&]<class T>(std::type_identity<T>) {
    Tensor<T> t = tessera::detail::empty_tensor<T>(shape, {}, "read_idx");
    auto* out = reinterpret_cast<unsigned char*>(t.data_ptr());
    const size_t got = src.read(out, static_cast<size_t>(needed));
    TS_CHECK(got == needed, "read_idx: ", source, " is truncated: shape ", tessera::detail::shape_str(shape), " needs ",
             needed, " bytes of data, the file has ", got);
    src.finish();
    if (item > 1)  // big-endian on disk
      for (size_t i = 0; i < static_cast<size_t>(numel); ++i) std::reverse(out + i * item, out + (i + 1) * item);
    return AnyTensor(t);
  });
}

/** An IDX image held in memory (plain or gzip); `source` names it in errors. */
template <class = void>
AnyTensor parse_idx(const char* data, size_t size, const std::string& source) {
  tessera::detail::FileReader file(std::string_view(data, size), source, "read_idx");
  return read_idx_from(file, source);
}

}  // namespace detail

/** Reads an IDX file (the MNIST format: a type code, big-endian dimensions, big-endian data),
 *  `.gz` too, into a tensor of its stored type and shape: [60000, 28, 28] uint8 for the
 *  Fashion-MNIST training images, [60000] uint8 for their labels. Time and memory follow the
 *  shape the header declares, checked against the file's size before anything is allocated
 *  (Note [IDX budget]). */
template <class = void>
AnyTensor read_idx(const std::string& path) {
  tessera::detail::FileReader file(path, "read_idx");
  return detail::read_idx_from(file, "'" + path + "'");
}

}  // namespace tessera::data
