#pragma once
// Printing: exactly what Python's print(t) shows in PyTorch 1.13 (torch/_tensor_str.py).

#include <cmath>
#include <cstdio>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
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

// Python's "{:.<p>f}" and "{:.<p>e}": printf's, except that NaN never shows a sign.
inline std::string py_format(double v, int precision, char conversion, int width = 0) {
  std::string s;
  if (std::isnan(v)) s = "nan";
  else if (std::isinf(v)) s = v < 0 ? "-inf" : "inf";
  else {
    char buffer[512];
    const char spec[] = {'%', '.', '*', conversion, '\0'};
    const int n = std::snprintf(buffer, sizeof buffer, spec, precision, v);
    if (n >= static_cast<int>(sizeof buffer)) {
      std::vector<char> big(static_cast<size_t>(n) + 1);
      std::snprintf(big.data(), big.size(), spec, precision, v);
      s.assign(big.data(), static_cast<size_t>(n));
    } else {
      s.assign(buffer, static_cast<size_t>(n));
    }
  }
  if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<size_t>(width) - s.size(), ' ');
  return s;
}

template <class T>
std::string py_str(T v) {
  if constexpr (std::is_same_v<T, bool>) return v ? "True" : "False";
  else return std::to_string(static_cast<int64_t>(v));
}

// A plain strided view of elements for the printer: no refcounts, no allocation.
template <class T>
struct PrintView {
  const T* data;
  const int64_t* sizes;
  const int64_t* strides;
  int64_t ndim;
  PrintView at(int64_t i) const { return {data + i * strides[0], sizes + 1, strides + 1, ndim - 1}; }
};

// The indices along one dimension the printer shows: all, or the edge items when summarising.
inline std::vector<int64_t> shown_indices(int64_t size, bool summarize, int edgeitems) {
  std::vector<int64_t> out;
  if (summarize && size > 2 * static_cast<int64_t>(edgeitems)) {
    for (int64_t i = 0; i < edgeitems; ++i) out.push_back(i);
    for (int64_t i = size - edgeitems; i < size; ++i) out.push_back(i);
  } else {
    for (int64_t i = 0; i < size; ++i) out.push_back(i);
  }
  return out;
}

template <class T>
void collect_shown(const PrintView<T>& v, bool summarize, int edgeitems, std::vector<T>& out) {
  if (v.ndim == 0) {
    out.push_back(*v.data);
    return;
  }
  for (int64_t i : shown_indices(v.sizes[0], summarize, edgeitems)) collect_shown(v.at(i), summarize, edgeitems, out);
}

/** torch._tensor_str._Formatter. */
template <class T>
class Formatter {
 public:
  Formatter(const std::vector<T>& values, const PrintOptions& options) : precision_(options.precision) {
    if constexpr (!is_floating_v<T>) {
      for (T v : values) max_width_ = std::max(max_width_, static_cast<int>(py_str(v).size()));
    } else {
      std::vector<double> finite;  // nonzero finite values, as double
      for (T v : values) {
        const double d = static_cast<double>(v);
        if (std::isfinite(d) && d != 0) finite.push_back(d);
      }
      if (finite.empty()) return;
      double lo = std::fabs(finite[0]), hi = lo;
      for (double d : finite) {
        lo = std::min(lo, std::fabs(d));
        hi = std::max(hi, std::fabs(d));
        if (d != std::ceil(d)) int_mode_ = false;
      }
      const bool wide_range = hi / lo > 1000.0 || hi > 1.0e8;
      if (int_mode_) {
        sci_mode_ = wide_range;
        for (double d : finite)
          max_width_ = std::max(max_width_, static_cast<int>(sci_mode_ ? py_format(d, precision_, 'e').size()
                                                                       : py_format(d, 0, 'f').size() + 1));
      } else {
        sci_mode_ = wide_range || lo < 1.0e-4;
        for (double d : finite)
          max_width_ = std::max(max_width_, static_cast<int>(py_format(d, precision_, sci_mode_ ? 'e' : 'f').size()));
      }
      if (options.sci_mode) sci_mode_ = *options.sci_mode;
    }
  }

  int width() const { return max_width_; }

  std::string format(T v) const {
    std::string s;
    if constexpr (is_floating_v<T>) {
      const double d = static_cast<double>(v);
      if (sci_mode_) s = py_format(d, precision_, 'e', max_width_);
      else if (int_mode_) s = py_format(d, 0, 'f') + (std::isfinite(d) ? "." : "");
      else s = py_format(d, precision_, 'f');
    } else {
      s = py_str(v);
    }
    if (static_cast<int>(s.size()) < max_width_) s.insert(0, static_cast<size_t>(max_width_) - s.size(), ' ');
    return s;
  }

 private:
  int precision_;
  bool int_mode_ = true;
  bool sci_mode_ = false;
  int max_width_ = 1;
};

template <class T>
std::string vector_str(const PrintView<T>& v, int64_t indent, bool summarize, const Formatter<T>& fmt,
                       const PrintOptions& options) {
  const int64_t element_length = fmt.width() + 2;
  const int64_t per_line = std::max<int64_t>(
      1, static_cast<int64_t>(std::floor(static_cast<double>(options.linewidth - indent) / element_length)));
  std::vector<std::string> data;
  const int64_t size = v.sizes[0];
  const std::vector<int64_t> shown = shown_indices(size, summarize, options.edgeitems);
  for (int64_t i : shown) data.push_back(fmt.format(v.data[i * v.strides[0]]));
  if (static_cast<int64_t>(shown.size()) < size) data.insert(data.begin() + options.edgeitems, " ...");
  std::string out = "[";
  for (size_t i = 0; i < data.size(); ++i) {
    if (i > 0) out += i % per_line == 0 ? ",\n" + std::string(static_cast<size_t>(indent + 1), ' ') : ", ";
    out += data[i];
  }
  return out + "]";
}

template <class T>
std::string tensor_str_with(const PrintView<T>& v, int64_t indent, bool summarize, const Formatter<T>& fmt,
                            const PrintOptions& options) {
  if (v.ndim == 0) return fmt.format(*v.data);
  if (v.ndim == 1) return vector_str(v, indent, summarize, fmt, options);
  const int64_t size = v.sizes[0];
  const std::vector<int64_t> shown = shown_indices(size, summarize, options.edgeitems);
  std::vector<std::string> slices;
  for (int64_t i : shown) slices.push_back(tensor_str_with(v.at(i), indent + 1, summarize, fmt, options));
  if (static_cast<int64_t>(shown.size()) < size) slices.insert(slices.begin() + options.edgeitems, "...");
  const std::string separator =
      "," + std::string(static_cast<size_t>(v.ndim - 1), '\n') + std::string(static_cast<size_t>(indent + 1), ' ');
  std::string out = "[";
  for (size_t i = 0; i < slices.size(); ++i) out += (i ? separator : "") + slices[i];
  return out + "]";
}

template <class T>
std::string tensor_str(const Tensor<T>& t, int64_t indent, const PrintOptions& options) {
  if (t.numel() == 0) return "[]";
  using Shown = std::conditional_t<std::is_same_v<T, half> || std::is_same_v<T, bfloat16>, float, T>;
  const Tensor<Shown> shown = t.template to<Shown>();
  const PrintView<Shown> view{shown.data_ptr(), shown.sizes().data(), shown.strides().data(), shown.dim()};
  const bool summarize = t.numel() > options.threshold;
  std::vector<Shown> values;
  collect_shown(view, summarize, options.edgeitems, values);
  const Formatter<Shown> fmt(values, options);
  return tensor_str_with(view, indent, summarize, fmt, options);
}

inline std::string add_suffixes(const std::string& tensor_str, const std::vector<std::string>& suffixes,
                                int64_t indent, int linewidth) {
  std::string out = tensor_str;
  // Python: len(s) - s.rfind("\n") + 1, where rfind gives -1 when there is no newline.
  const size_t newline = tensor_str.rfind('\n');
  int64_t last_line_len = static_cast<int64_t>(tensor_str.size()) -
                          (newline == std::string::npos ? -1 : static_cast<int64_t>(newline)) + 1;
  for (const std::string& suffix : suffixes) {
    const int64_t len = static_cast<int64_t>(suffix.size());
    if (last_line_len + len + 2 > linewidth) {
      out += ",\n" + std::string(static_cast<size_t>(indent), ' ') + suffix;
      last_line_len = indent + len;
    } else {
      out += ", " + suffix;
      last_line_len += len + 2;
    }
  }
  return out + ")";
}

}  // namespace detail

/** torch.set_printoptions: precision, threshold, edgeitems, linewidth, sci_mode. */
inline void set_printoptions(const PrintOptions& options) { detail::print_options() = options; }
inline PrintOptions get_printoptions() { return detail::print_options(); }

/** What Python's print(t) shows. */
template <class T>
std::string to_string(const Tensor<T>& t) {
  if (!t.defined()) return "[ Tensor (undefined) ]";
  const PrintOptions& options = detail::print_options();
  const std::string prefix = "tensor(";
  const int64_t indent = static_cast<int64_t>(prefix.size());
  std::vector<std::string> suffixes;
  if (!t.device().is_cpu()) suffixes.push_back("device='" + t.device().str() + "'");
  std::string body;
  if (t.numel() == 0) {
    if (t.dim() != 1) suffixes.push_back("size=" + detail::tuple_str(t.sizes()));
    if (t.dtype() != DType::Float32) suffixes.push_back("dtype=" + std::string(dtype_name(t.dtype())));
    body = "[]";
  } else {
    const DType d = t.dtype();
    if (d != DType::Float32 && d != DType::Int64 && d != DType::Bool)
      suffixes.push_back("dtype=" + std::string(dtype_name(d)));
    body = detail::tensor_str(t, indent, options);
  }
  if (const std::string name = t.grad_fn_name(); !name.empty()) suffixes.push_back("grad_fn=<" + name + ">");
  else if (t.requires_grad()) suffixes.push_back("requires_grad=True");
  return detail::add_suffixes(prefix + body, suffixes, indent, options.linewidth);
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
