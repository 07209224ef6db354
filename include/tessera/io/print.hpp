#pragma once
// Printing: exactly what Python's print(t) shows in PyTorch 1.13 (torch/_tensor_str.py).

#include <cmath>
#include <cstdio>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "../autograd/node.hpp"
#include "../core/any_tensor.hpp"
#include "../core/tensor.hpp"

namespace tessera {

/** torch.set_printoptions's fields, with PyTorch's defaults. */
struct PrintOptions {
  int precision = 4;
  int64_t threshold = 1000;
  int edgeitems = 3;
  int linewidth = 80;
  std::optional<bool> sci_mode;
};

namespace detail {
inline PrintOptions& print_options() {
  static PrintOptions options;
  return options;
}

// Note [Printing]
// print(t) in PyTorch formats every shown element to find one width, then lays the elements out
// with brackets, line wrapping and "..." where it summarises. Here the typed part only gathers
// the shown elements, in the order they are shown, as double (floating dtypes; PyTorch's
// formatter also works in double) or int64; everything after that is one untyped pass that
// appends to a single string, so printing costs a program the same code for every dtype.
union ShownValue {
  double floating;   // floating dtypes
  int64_t integral;  // the others
};
using ShownValues = std::vector<ShownValue>;

// Note [No edge items]
// With edgeitems 0 PyTorch shows a summarized 1-D tensor as self[:0], " ...", self[-0:]: the dots,
// then every element (-0 is 0 in Python). A summarized tensor of more dims has nothing to stack
// in PyTorch, which raises; tessera throws there (to_string).

/** Whether a dimension of this size shows only its edge items. */
inline bool summarized(int64_t size, bool summarize, int edgeitems) {
  return summarize && size > 2 * static_cast<int64_t>(edgeitems);
}

template <class T>
void collect_shown(const T* data, const int64_t* sizes, const int64_t* strides, int64_t ndim, bool summarize,
                   int edgeitems, ShownValues& out) {
  if (ndim == 0) {
    ShownValue v;
    if constexpr (is_floating_v<T>) v.floating = convert<double>(*data);
    else v.integral = static_cast<int64_t>(*data);
    out.push_back(v);
    return;
  }
  const bool skip = summarized(sizes[0], summarize, edgeitems);
  for (int64_t i = 0; i < sizes[0]; ++i) {
    if (skip && i == edgeitems) i = edgeitems == 0 ? 0 : sizes[0] - edgeitems;  // Note [No edge items]
    collect_shown(data + i * strides[0], sizes + 1, strides + 1, ndim - 1, summarize, edgeitems, out);
  }
}

/** The text being printed. Printing appends in many places but only through these few
 *  members, which are compiled once and called, not inlined into every place that appends. */
class Text {
 public:
  [[gnu::noinline]] Text& operator<<(std::string_view s) {
    str.append(s.data(), s.size());
    return *this;
  }
  Text& operator<<(char c) { return *this << std::string_view(&c, 1); }
  [[gnu::noinline]] void repeat(size_t n, char c) { str.append(n, c); }
  [[gnu::noinline]] void insert_spaces(size_t at, size_t n) { str.insert(at, n, ' '); }
  [[gnu::noinline]] void integer(int64_t v) { append_int(str, v); }
  // Python's "{:.<p>f}" or "{:.<p>e}" of v: printf's, except that NaN never shows a sign.
  [[gnu::noinline]] void number(double v, int precision, char conversion) {
    if (std::isnan(v)) {
      *this << "nan";
      return;
    }
    if (std::isinf(v)) {
      *this << (v < 0 ? "-inf" : "inf");
      return;
    }
    const char spec[] = {'%', '.', '*', conversion, '\0'};
    char buffer[128];  // enough but for huge precisions, which format a second time
    const int n = std::snprintf(buffer, sizeof buffer, spec, precision, v);
    if (n < static_cast<int>(sizeof buffer)) {
      str.append(buffer, static_cast<size_t>(n));
      return;
    }
    const size_t at = str.size();
    str.resize(at + static_cast<size_t>(n) + 1);
    std::snprintf(str.data() + at, static_cast<size_t>(n) + 1, spec, precision, v);
    str.resize(at + static_cast<size_t>(n));
  }
  size_t size() const { return str.size(); }

  std::string str;
};

/** torch._tensor_str._Formatter over the shown values. */
class Formatter {
 public:
  Formatter(const ShownValues& values, DType dtype, const PrintOptions& options)
      : values_(values), floating_(is_floating_point(dtype)), boolean_(dtype == DType::Bool),
        precision_(options.precision) {
    Text scratch;
    const size_t n = values.size();
    if (!floating_) {
      for (size_t i = 0; i < n; ++i) max_width_ = std::max(max_width_, raw_width(scratch, i));
      return;
    }
    double lo = 0, hi = 0;
    bool any = false;  // a nonzero finite value
    for (size_t i = 0; i < n; ++i) {
      const double d = values[i].floating;
      if (!std::isfinite(d) || d == 0) continue;
      lo = any ? std::min(lo, std::fabs(d)) : std::fabs(d);
      hi = any ? std::max(hi, std::fabs(d)) : std::fabs(d);
      any = true;
      if (d != std::ceil(d)) int_mode_ = false;
    }
    if (!any) return;
    const bool wide_range = hi / lo > 1000.0 || hi > 1.0e8;
    sci_mode_ = int_mode_ ? wide_range : wide_range || lo < 1.0e-4;
    for (size_t i = 0; i < n; ++i) {
      const double d = values[i].floating;
      if (std::isfinite(d) && d != 0) max_width_ = std::max(max_width_, raw_width(scratch, i));
    }
    if (options.sci_mode) sci_mode_ = *options.sci_mode;
  }

  int width() const { return max_width_; }

  /** Appends shown value i, padded on the left to the common width. */
  void append(Text& out, size_t i) const {
    const size_t at = out.size();
    append_raw(out, i);
    const size_t len = out.size() - at;
    if (len < static_cast<size_t>(max_width_)) out.insert_spaces(at, static_cast<size_t>(max_width_) - len);
  }

 private:
  void append_raw(Text& out, size_t i) const {
    if (!floating_) {
      const int64_t v = values_[i].integral;
      if (boolean_) out << (v ? "True" : "False");
      else out.integer(v);
      return;
    }
    const double d = values_[i].floating;
    if (sci_mode_) {
      out.number(d, precision_, 'e');
    } else if (int_mode_) {
      out.number(d, 0, 'f');
      if (std::isfinite(d)) out << '.';
    } else {
      out.number(d, precision_, 'f');
    }
  }
  int raw_width(Text& scratch, size_t i) const {
    scratch.str.clear();
    append_raw(scratch, i);
    return static_cast<int>(scratch.size());
  }

  const ShownValues& values_;
  bool floating_;
  bool boolean_;
  int precision_;
  bool int_mode_ = true;
  bool sci_mode_ = false;
  int max_width_ = 1;
};

// torch._tensor_str._tensor_str_with_formatter and _vector_str: appends the (sub)tensor of
// shape sizes[0, ndim), taking its shown values from `next` on.
inline void append_tensor_str(Text& out, const Formatter& fmt, size_t& next, const int64_t* sizes, int64_t ndim,
                              int64_t indent, bool summarize, const PrintOptions& options) {
  if (ndim == 0) {
    fmt.append(out, next++);
    return;
  }
  const int64_t size = sizes[0], edge = options.edgeitems;
  const bool skip = summarized(size, summarize, options.edgeitems);
  out << '[';
  if (ndim == 1) {
    const int64_t per_line = std::max<int64_t>(
        1, static_cast<int64_t>(std::floor(static_cast<double>(options.linewidth - indent) / (fmt.width() + 2))));
    int64_t k = 0;  // entries so far on all lines, " ..." included
    auto separate = [&] {
      if (k == 0) return;
      if (k % per_line == 0) {
        out << ",\n";
        out.repeat(static_cast<size_t>(indent + 1), ' ');
      } else {
        out << ", ";
      }
    };
    for (int64_t i = 0; i < size; ++i, ++k) {
      if (skip && i == edge) {
        separate();
        out << " ...";
        ++k;
        i = edge == 0 ? 0 : size - edge;  // Note [No edge items]
      }
      separate();
      fmt.append(out, next++);
    }
  } else {
    auto separate = [&] {
      out << ',';
      out.repeat(static_cast<size_t>(ndim - 1), '\n');
      out.repeat(static_cast<size_t>(indent + 1), ' ');
    };
    for (int64_t i = 0; i < size; ++i) {
      if (i > 0) separate();
      if (skip && i == edge) {
        out << "...";
        separate();
        i = size - edge;
      }
      append_tensor_str(out, fmt, next, sizes + 1, ndim - 1, indent + 1, summarize, options);
    }
  }
  out << ']';
}

// torch._tensor_str._add_suffixes: ", suffix", on a new line indented by `indent` when the
// current one would grow past linewidth.
struct SuffixWriter {
  Text& out;
  int64_t indent;
  int linewidth;
  int64_t last_line_len;  // Python: len(s) - s.rfind("\n") + 1, where rfind gives -1 for none

  SuffixWriter(Text& s, int64_t indent_, int linewidth_) : out(s), indent(indent_), linewidth(linewidth_) {
    const size_t newline = s.str.rfind('\n');
    last_line_len =
        static_cast<int64_t>(s.size()) - (newline == std::string::npos ? -1 : static_cast<int64_t>(newline)) + 1;
  }
  void add(std::string_view a, std::string_view b = {}, std::string_view c = {}) {
    const int64_t len = static_cast<int64_t>(a.size() + b.size() + c.size());
    if (last_line_len + len + 2 > linewidth) {
      out << ",\n";
      out.repeat(static_cast<size_t>(indent), ' ');
      last_line_len = indent + len;
    } else {
      out << ", ";
      last_line_len += len + 2;
    }
    out << a << b << c;
  }
};

/** torch._tensor_str._str_intern once the shown values are gathered. */
inline std::string tensor_repr(const ShownValues& values, DType dtype, const Shape& sizes, Device device,
                               std::string_view grad_fn, bool requires_grad, bool summarize) {
  const PrintOptions& options = print_options();
  const int64_t indent = 7;  // "tensor("
  Text out;
  out << "tensor(";
  const bool empty = values.empty();
  if (empty) {
    out << "[]";
  } else {
    const Formatter fmt(values, dtype, options);
    size_t next = 0;
    append_tensor_str(out, fmt, next, sizes.data(), static_cast<int64_t>(sizes.size()), indent, summarize, options);
  }
  SuffixWriter suffixes(out, indent, options.linewidth);
  if (!device.is_cpu()) suffixes.add("device='", device.str(), "'");
  if (empty && sizes.size() != 1) suffixes.add("size=", tuple_str(sizes));
  if (dtype != DType::Float32 && (empty || (dtype != DType::Int64 && dtype != DType::Bool)))
    suffixes.add("dtype=", dtype_name(dtype));
  // Python shows a node's class name: CopySlices where its C++ name() is torch::autograd::CopySlices
  constexpr std::string_view cpp_namespace = "torch::autograd::";
  if (grad_fn.starts_with(cpp_namespace)) grad_fn.remove_prefix(cpp_namespace.size());
  if (!grad_fn.empty()) suffixes.add("grad_fn=<", grad_fn, ">");
  else if (requires_grad) suffixes.add("requires_grad=True");
  out << ')';
  return std::move(out.str);
}

}  // namespace detail

/** torch.set_printoptions: precision, threshold, edgeitems, linewidth, sci_mode. */
inline void set_printoptions(const PrintOptions& options) {
  TS_CHECK(options.precision >= 0 && options.edgeitems >= 0, "set_printoptions: precision and edgeitems must not be "
           "negative (got ", options.precision, " and ", options.edgeitems, ")");
  detail::print_options() = options;
}
inline PrintOptions get_printoptions() { return detail::print_options(); }

/** What Python's print(t) shows. */
template <class T>
std::string to_string(const Tensor<T>& t) {
  if (!t.defined()) return "[ Tensor (undefined) ]";
  const PrintOptions& options = detail::print_options();
  const bool summarize = t.numel() > options.threshold;
  TS_CHECK(!(summarize && options.edgeitems == 0 && t.dim() > 1), "print: stack expects a non-empty TensorList "
           "(edgeitems is 0 and the tensor of ", t.dim(), " dims is summarized)");  // Note [No edge items]
  detail::ShownValues values;
  if (t.numel() > 0)
    detail::collect_shown(t.data_ptr(), t.sizes().data(), t.strides().data(), t.dim(), summarize, options.edgeitems,
                          values);
  return detail::tensor_repr(values, t.dtype(), t.sizes(), t.device(), t.grad_fn_name(), t.requires_grad(), summarize);
}

template <class T>
std::ostream& operator<<(std::ostream& os, const Tensor<T>& t) {
  return os << to_string(t);
}

/** Prints like the tensor it holds. */
template <class = void>
std::string to_string(const AnyTensor& t) {
  if (!t.defined()) return "[ Tensor (undefined) ]";
  return dispatch(t.dtype(), [&]<class T>(std::type_identity<T>) { return to_string(t.as<T>()); });
}
template <class = void>
std::ostream& operator<<(std::ostream& os, const AnyTensor& t) {
  return os << to_string(t);
}

}  // namespace tessera
