// libFuzzer target: parse arbitrary bytes as an IDX file, plain or gzip-compressed. Any input may
// throw ts::Error; none may crash, hang, touch memory outside the input, or spend more than
// the header declares (the deflate bound caps what a small input can make it allocate).
// Differential checks: the file path (read_idx on a memfd) and the buffer path (parse_idx)
// agree, and a plain input gives the same result once gzip-compressed.
#include <tessera/data/idx.hpp>
#include <tessera/io/print.hpp>
#include <tessera/autograd/formulas.hpp>
#include <tessera/autograd/engine.hpp>

#include <zlib.h>

#include <optional>

#include "util.hpp"

namespace ts = tessera;

namespace {

std::optional<ts::AnyTensor> parse(const std::string& bytes) {
  try {
    return ts::data::detail::parse_idx(bytes.data(), bytes.size(), "fuzz input");
  } catch (const ts::Error&) {
    return std::nullopt;
  }
}

void require_same(const std::optional<ts::AnyTensor>& a, const std::optional<ts::AnyTensor>& b) {
  if (a.has_value() != b.has_value() || (a && !fuzz::same(*a, *b))) __builtin_trap();
}

std::string gzip(const std::string& plain) {
  z_stream z{};
  if (deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) __builtin_trap();
  std::string out(deflateBound(&z, plain.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) __builtin_trap();
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const auto from_buffer = parse(bytes);
  if (from_buffer) (void)ts::to_string(*from_buffer);
  std::optional<ts::AnyTensor> from_file;
  try {
    from_file = ts::data::read_idx(fuzz::as_file(data, size));
  } catch (const ts::Error&) {
  }
  require_same(from_buffer, from_file);
  const bool gzipped = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  if (!gzipped) require_same(from_buffer, parse(gzip(bytes)));
  return 0;
}
