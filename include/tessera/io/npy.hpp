#pragma once
// NumPy .npy files (format versions 1.0, 2.0 and 3.0): save_npy, load_npy<T>, load_npy.

#include "../core/algorithm.hpp"
#include <cstring>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "../core/any_tensor.hpp"
#include "../ops/copy.hpp"
#include "../ops/creation.hpp"
#include "file.hpp"

namespace tessera {
namespace detail {

// Note [npy format]
// "\x93NUMPY", a major and a minor version byte, the header length (2 bytes little-endian in
// 1.0, 4 bytes in 2.0 and 3.0), then a Python dict literal such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with spaces and a newline
// to a multiple of 64 bytes, then the raw data. Every field is checked before the data is read:
// a malformed file throws ts::Error and nothing reads past the end of the input.

/** The dtype of a descr ('<f4', '|b1', ...) and whether its bytes are big-endian. */
template <class = void>
DType npy_dtype(const std::string& descr, bool& big_endian, const std::string& source) {
  TS_CHECK(descr.size() >= 2, "load_npy: ", source, ": unsupported dtype descr '", descr, "'");
  const char order = descr[0];
  const std::string code = descr.substr(1);
  TS_CHECK(order == '<' || order == '>' || order == '|' || order == '=', "load_npy: ", source,
           ": unsupported byte order in dtype descr '", descr, "'");
  big_endian = order == '>';
  static const std::pair<const char*, DType> codes[] = {
      {"b1", DType::Bool},    {"u1", DType::UInt8},   {"i1", DType::Int8},      {"i2", DType::Int16},
      {"i4", DType::Int32},   {"i8", DType::Int64},   {"f2", DType::Float16},   {"V2", DType::BFloat16},
      {"f4", DType::Float32}, {"f8", DType::Float64}};
  for (const auto& [c, d] : codes)
    if (code == c) return d;
  throw_error("load_npy: ", source, ": unsupported dtype descr '", descr,
              "' (tessera reads b1, u1, i1, i2, i4, i8, f2, f4, f8, and V2 as bfloat16)");
}

template <class = void>
const char* npy_descr(DType d) {
  static constexpr const char* names[kNumDTypes] = {"|b1", "|u1", "|i1", "<i2", "<i4",
                                                    "<i8", "<f2", "<V2", "<f4", "<f8"};
  return names[static_cast<int>(d)];
}

/** A cursor over the header dict with the few Python literals it holds. */
template <class = void>
class BasicNpyHeader {
 public:
  BasicNpyHeader(std::string_view text, std::string source) : s_(text), source_(std::move(source)) {}

  void parse(std::string& descr, bool& fortran, Shape& shape) {
    bool have_descr = false, have_order = false, have_shape = false;
    expect('{');
    for (;;) {
      skip_space();
      if (peek() == '}') break;
      const std::string key = string_literal();
      expect(':');
      if (key == "descr") {
        descr = string_literal();
        have_descr = true;
      } else if (key == "fortran_order") {
        fortran = boolean();
        have_order = true;
      } else if (key == "shape") {
        shape = tuple();
        have_shape = true;
      } else {
        fail("unexpected key '" + key + "'");
      }
      skip_space();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      skip_space();
      if (peek() != '}') fail("expected ',' or '}'");
    }
    ++i_;
    TS_CHECK(have_descr && have_order && have_shape, "load_npy: ", source_,
             ": the header must give 'descr', 'fortran_order' and 'shape'");
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw_error("load_npy: ", source_, ": malformed header at byte ", i_, ": ", what);
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++i_;
  }
  std::string string_literal() {
    skip_space();
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a string");
    const size_t end = s_.find(quote, i_ + 1);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string out(s_.substr(i_ + 1, end - i_ - 1));
    i_ = end + 1;
    return out;
  }
  bool boolean() {
    skip_space();
    if (s_.substr(i_, 4) == "True") return i_ += 4, true;
    if (s_.substr(i_, 5) == "False") return i_ += 5, false;
    fail("expected True or False");
  }
  Shape tuple() {
    expect('(');
    Shape shape;
    for (;;) {
      skip_space();
      if (peek() == ')') break;
      if (peek() < '0' || peek() > '9') fail("expected a dimension");
      if (shape.size() >= 64) fail("too many dimensions");  // before the 65th is read
      int64_t v = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (v > (INT64_MAX - 9) / 10) fail("dimension too large");
        v = v * 10 + (s_[i_++] - '0');
      }
      if (peek() == 'L') ++i_;  // Python 2 longs
      shape.push_back(v);
      skip_space();
      if (peek() == ',') ++i_;
      else if (peek() != ')') fail("expected ',' or ')'");
    }
    ++i_;
    return shape;
  }

  std::string_view s_;
  std::string source_;
  size_t i_ = 0;
};
using NpyHeader = BasicNpyHeader<>;

template <class = void>
uint64_t read_le(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes; i-- > 0;) v = v << 8 | p[i];
  return v;
}

/** What the fixed-size start and the header of a .npy file say, checked against its size. */
struct NpyLayout {
  DType dtype = DType::Float32;
  bool big_endian = false, fortran = false;
  Shape shape;
  int64_t numel = 0;
  uint64_t data_start = 0;  // where the data begins, from the start of the file
};

/** The header's offset and length from the file's first bytes (`prefix`, at least the first
 *  12 when the file has them), checked against the file's `size`. */
template <class = void>
std::pair<size_t, uint64_t> npy_header_span(const unsigned char* prefix, size_t available, uint64_t size,
                                            const std::string& source) {
  TS_CHECK(size >= 10 && available >= 10 && std::memcmp(prefix, "\x93NUMPY", 6) == 0, "load_npy: ", source,
           ": not a .npy file (bad magic string)");
  const int major = prefix[6];
  TS_CHECK(major >= 1 && major <= 3, "load_npy: ", source, ": unsupported .npy format version ", major, ".",
           int{prefix[7]});
  const size_t len_bytes = major == 1 ? 2 : 4;
  TS_CHECK(size >= 8 + len_bytes && available >= 8 + len_bytes, "load_npy: ", source, ": truncated header");
  const uint64_t header_len = read_le(prefix + 8, static_cast<int>(len_bytes));
  const size_t header_start = 8 + len_bytes;
  TS_CHECK(header_len <= size - header_start, "load_npy: ", source, ": the header claims ", header_len,
           " bytes but the file has ", size - header_start, " after the length field");
  return {header_start, header_len};
}

/** Parses the header text and checks that a file of `size` bytes holds the data it declares
 *  (bytes after the data are allowed and ignored, as NumPy ignores them). */
template <class = void>
NpyLayout npy_layout(std::string_view header, uint64_t header_end, uint64_t size, const std::string& source) {
  NpyLayout l;
  std::string descr;
  NpyHeader(header, source).parse(descr, l.fortran, l.shape);
  l.dtype = npy_dtype(descr, l.big_endian, source);
  const size_t item = static_cast<size_t>(element_size(l.dtype));
  int64_t numel = 1;
  for (int64_t s : l.shape) {
    TS_CHECK(s == 0 || numel <= INT64_MAX / s, "load_npy: ", source, ": shape ", shape_str(l.shape), " is too large");
    numel *= s;
  }
  l.numel = numel;
  l.data_start = header_end;
  TS_CHECK(static_cast<uint64_t>(numel) <= (size - header_end) / item, "load_npy: ", source,
           ": the data is truncated: shape ", shape_str(l.shape), " of ", l.dtype, " needs ",
           static_cast<uint64_t>(numel) * item, " bytes, the file has ", size - header_end);
  return l;
}

/** The tensor `layout` describes; `fill(out, n)` must write its n data bytes to out. Allocates
 *  only after npy_layout checked that the file holds those bytes. */
template <class Fill>
AnyTensor npy_tensor(const NpyLayout& layout, Fill&& fill) {
  const size_t item = static_cast<size_t>(element_size(layout.dtype));
  const int64_t numel = layout.numel;
  return dispatch(layout.dtype, [&]<class T>(std::type_identity<T>) {
    // Fortran order: the bytes are the transpose's rows; read them as the reversed shape.
    Shape stored = layout.shape;
    if (layout.fortran) std::reverse(stored.begin(), stored.end());
    Tensor<T> t = empty_tensor<T>(stored, {}, "load_npy");
    auto* out = reinterpret_cast<unsigned char*>(t.data_ptr());
    fill(out, static_cast<size_t>(numel) * item);
    if (layout.big_endian && item > 1)
      for (size_t i = 0; i < static_cast<size_t>(numel); ++i) std::reverse(out + i * item, out + (i + 1) * item);
    if constexpr (std::is_same_v<T, bool>)
      for (int64_t i = 0; i < numel; ++i) out[i] = out[i] != 0;  // only 0 and 1 are valid bools
    if (!layout.fortran) return AnyTensor(t);
    Shape reverse_dims;
    for (int64_t d = t.dim(); d-- > 0;) reverse_dims.push_back(d);
    return AnyTensor(t.permute(reverse_dims).contiguous());
  });
}

/** Parses a whole .npy image held in memory; `source` names it in errors. */
template <class = void>
AnyTensor parse_npy(const char* data, size_t size, const std::string& source) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(data);
  const auto [header_start, header_len] = npy_header_span(bytes, size, size, source);
  const NpyLayout layout =
      npy_layout(std::string_view(data + header_start, header_len), header_start + header_len, size, source);
  return npy_tensor(layout, [&](unsigned char* out, size_t n) { std::memcpy(out, data + layout.data_start, n); });
}

}  // namespace detail

/** Reads a .npy file of any dtype tessera has. The header is read and checked against the
 *  file's size first; then the data goes straight into the tensor (Note [Loader budgets]). */
template <int = 0>  // not a type parameter: load_npy<T>(path) is the typed overload
AnyTensor load_npy(const std::string& path) {
  detail::FileReader file(path, "load_npy");
  const std::string source = "'" + path + "'";
  unsigned char prefix[12];
  const size_t got = file.read(prefix, sizeof prefix);
  // Not a structured binding: clang before 16 cannot capture one in the lambda below.
  const std::pair<size_t, uint64_t> span = detail::npy_header_span(prefix, got, file.size(), source);
  const size_t header_start = span.first;
  const uint64_t header_len = span.second;
  std::string header(static_cast<size_t>(header_len), '\0');
  const size_t in_prefix = header_start < got ? std::min<size_t>(got - header_start, header.size()) : 0;
  std::memcpy(header.data(), prefix + header_start, in_prefix);
  TS_CHECK(file.read(header.data() + in_prefix, header.size() - in_prefix) == header.size() - in_prefix, "load_npy: ",
           source, ": truncated header");
  const detail::NpyLayout layout = detail::npy_layout(header, header_start + header_len, file.size(), source);
  // Up to 12 - header_start bytes of the prefix may already belong to the data.
  const size_t data_in_prefix = got - header_start - in_prefix;
  return detail::npy_tensor(layout, [&](unsigned char* out, size_t n) {
    const size_t head = std::min(n, data_in_prefix);
    std::memcpy(out, prefix + header_start + in_prefix, head);
    TS_CHECK(file.read(out + head, n - head) == n - head, "load_npy: ", source, ": the data is truncated (the file ",
             "shrank while it was read)");
  });
}

/** Reads a .npy file whose dtype must be T. */
template <class T>
Tensor<T> load_npy(const std::string& path) {
  const AnyTensor t = load_npy(path);
  TS_CHECK(t.dtype() == dtype_of<T>, "load_npy: '", path, "' holds ", t.dtype(), ", not the requested ", dtype_of<T>);
  return t.as<T>();
}

/** Writes `t` (any strides) as a C-order, little-endian .npy file (format 1.0, or 2.0 when
 *  the header needs it). bfloat16, which NumPy lacks, is written as '<V2'. */
template <class T>
void save_npy(const std::string& path, const Tensor<T>& t) {
  TS_CHECK(t.device().is_cpu(), "save_npy: the tensor is on ", t.device());
  std::string shape = "(";
  for (size_t d = 0; d < t.sizes().size(); ++d) shape += std::to_string(t.sizes()[d]) + (t.dim() == 1 ? "," : d + 1 < t.sizes().size() ? ", " : "");
  shape += ")";
  std::string header = std::string("{'descr': '") + detail::npy_descr(dtype_of<T>) + "', 'fortran_order': False, 'shape': " +
                       shape + ", }";
  const bool v2 = header.size() + 11 > 65535;
  const size_t prefix = v2 ? 12 : 10;
  header.append(63 - (prefix + header.size()) % 64, ' ');  // total a multiple of 64 with the newline
  header += '\n';
  detail::FileWriter out(path, "save_npy");
  out.write("\x93NUMPY", 6);
  out.put(static_cast<char>(v2 ? 2 : 1));
  out.put(0);
  const uint64_t len = header.size();
  for (size_t i = 0; i < (v2 ? 4u : 2u); ++i) out.put(static_cast<char>((len >> (8 * i)) & 0xff));
  out.write(header.data(), header.size());
  const Tensor<T> c = t.contiguous();
  out.write(c.data_ptr(), static_cast<size_t>(c.numel()) * sizeof(T));
  out.close();
}

}  // namespace tessera
