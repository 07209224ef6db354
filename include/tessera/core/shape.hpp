#pragma once
// Shape: a small inline vector of int64_t used for sizes, strides and dim lists.

#include "algorithm.hpp"
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "config.hpp"

namespace tessera {

/** Sizes or strides of a tensor. Up to six dims live inline; more go to the heap. */
class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> values) { assign(values.begin(), values.size()); }
  Shape(const std::vector<int64_t>& values) { assign(values.data(), values.size()); }
  explicit Shape(std::span<const int64_t> values) { assign(values.data(), values.size()); }
  // Copies and moves of inline shapes copy the whole fixed array: a few vector moves, cheaper
  // than a loop of size_ steps (shapes are copied on every op).
  Shape(const Shape& other) {
    if (other.heap_) assign(other.data(), other.size());
    else copy_inline(other);
  }
  Shape& operator=(const Shape& other) {
    if (this == &other) return *this;
    if (other.heap_) assign(other.data(), other.size());
    else {
      delete[] heap_;
      heap_ = nullptr;
      capacity_ = kInline;
      copy_inline(other);
    }
    return *this;
  }
  Shape(Shape&& other) noexcept { *this = std::move(other); }
  Shape& operator=(Shape&& other) noexcept {
    if (this == &other) return *this;
    delete[] heap_;
    size_ = other.size_;
    capacity_ = other.capacity_;
    heap_ = other.heap_;
    __builtin_memcpy(inline_, other.inline_, sizeof inline_);
    other.heap_ = nullptr;
    other.size_ = 0;
    other.capacity_ = kInline;
    return *this;
  }
  ~Shape() { delete[] heap_; }

  /** n copies of `value`. */
  static Shape filled(size_t n, int64_t value) {
    Shape s;
    s.resize(n, value);
    return s;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t* data() { return heap_ ? heap_ : inline_; }
  const int64_t* data() const { return heap_ ? heap_ : inline_; }
  // Positions of any integer type: dims are int64_t, counts size_t, and neither needs a cast.
  template <class I>
  int64_t& operator[](I i) { return data()[i]; }
  template <class I>
  int64_t operator[](I i) const { return data()[i]; }
  int64_t* begin() { return data(); }
  int64_t* end() { return data() + size_; }
  const int64_t* begin() const { return data(); }
  const int64_t* end() const { return data() + size_; }
  int64_t back() const { return data()[size_ - 1]; }

  void resize(size_t n, int64_t value = 0) {
    const size_t old = size_;
    reserve(n);
    size_ = n;
    std::fill(data() + std::min(old, n), data() + n, value);
  }
  void push_back(int64_t v) {
    reserve(size_ + 1);
    data()[size_++] = v;
  }
  template <class I>
  void insert(I pos, int64_t v) {
    push_back(0);
    std::copy_backward(begin() + pos, end() - 1, end());
    data()[pos] = v;
  }
  template <class I>
  void erase(I pos) {
    std::copy(begin() + pos + 1, end(), begin() + pos);
    --size_;
  }

  std::vector<int64_t> vec() const { return {begin(), end()}; }

  friend bool operator==(const Shape& a, const Shape& b) {
    if (a.size_ != b.size_) return false;
    const int64_t *x = a.data(), *y = b.data();
    for (size_t i = 0; i < a.size_; ++i)
      if (x[i] != y[i]) return false;
    return true;
  }

 private:
  static constexpr size_t kInline = 6;
  void reserve(size_t n) {
    if (n <= capacity()) return;
    const size_t grown_capacity = std::max(n, 2 * capacity());
    int64_t* grown = new int64_t[grown_capacity];
    std::copy_n(data(), size_, grown);
    delete[] heap_;
    heap_ = grown;
    capacity_ = grown_capacity;
  }
  size_t capacity() const { return heap_ ? capacity_ : kInline; }
  void copy_inline(const Shape& other) {
    size_ = other.size_;
    __builtin_memcpy(inline_, other.inline_, sizeof inline_);
  }
  void assign(const int64_t* values, size_t n) {
    size_ = 0;
    reserve(n);
    std::copy_n(values, n, data());
    size_ = n;
  }

  size_t size_ = 0;
  size_t capacity_ = kInline;
  int64_t* heap_ = nullptr;  // owned: more than kInline dimensions
  int64_t inline_[kInline] = {};
};

namespace detail {

/** Appends the sizes between `open` and `close`, separated by ", ". */
inline void append_sizes(std::string& out, std::span<const int64_t> s, char open, const char* close) {
  out += open;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    append_int(out, s[i]);
  }
  out += close;
}

/** "[2, 3]": how shapes appear in error messages. */
inline std::string shape_str(std::span<const int64_t> s) {
  std::string out;
  append_sizes(out, s, '[', "]");
  return out;
}

/** Python's tuple spelling: "(2, 3)", "(4,)", "()". */
inline std::string tuple_str(std::span<const int64_t> s) {
  std::string out;
  append_sizes(out, s, '(', s.size() == 1 ? ",)" : ")");
  return out;
}

/** Wraps a possibly negative dim into [0, ndim); ndim 0 accepts -1 and 0 as PyTorch does. */
inline int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  const int64_t bound = std::max<int64_t>(ndim, 1);
  TS_CHECK(dim >= -bound && dim < bound, op, ": dimension out of range (expected to be in range of [", -bound, ", ",
           bound - 1, "], but got ", dim, ")");
  return dim < 0 ? dim + bound : dim;
}

/** a * b, wrapping around as PyTorch's size arithmetic does, without undefined behaviour: for
 *  the strides of empty tensors, which may not fit and are never used to address memory. */
inline int64_t wrapping_mul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

/** Sets `n` to the product of `sizes` (non-negative); false when it does not fit int64_t. A 0
 *  anywhere makes it 0, whatever comes before. */
inline bool product_fits(std::span<const int64_t> sizes, int64_t& n) {
  n = 1;
  bool overflow = false;
  for (int64_t s : sizes) {
    if (s == 0) return n = 0, true;
    overflow |= __builtin_mul_overflow(n, s, &n);
  }
  return !overflow;
}

/** Product of the sizes; throws on a negative size or int64 overflow. */
inline int64_t checked_numel(std::span<const int64_t> sizes, const char* op) {
  for (int64_t s : sizes) TS_CHECK(s >= 0, op, ": negative dimension ", s, " in shape ", shape_str(sizes));
  int64_t n = 0;
  TS_CHECK(product_fits(sizes, n), op, ": shape ", shape_str(sizes), " has more elements than int64_t can count");
  return n;
}

// Note [Sizes that overflow]
// Every element count, extent and byte count of a tensor is computed with overflow checks:
// element counts by checked_numel (every TensorImpl counts its elements with it, so no view can
// have more than int64_t can count), extents by storage_extent (how far a view given strides
// reaches: as_strided, from_blob, empty_strided), and byte counts by checked_bytes where memory is asked
// for or wrapped (detail::empty_tensor, empty_strided_tensor, from_blob). Strides scaled by a step
// (slice, unfold) are only scaled where the result is reached.

/** The bytes of `elements` elements of `element_size` bytes, for a tensor of `sizes` (and
 *  `strides`, when they decide its extent); a ts::Error naming `op` when they exceed what int64_t
 *  can count. */
inline size_t checked_bytes(int64_t elements, size_t element_size, const char* op, std::span<const int64_t> sizes,
                            std::span<const int64_t> strides = {}) {
  TS_CHECK(elements <= INT64_MAX / static_cast<int64_t>(element_size), op, ": shape ", shape_str(sizes),
           strides.empty() ? "" : " with strides ", strides.empty() ? "" : shape_str(strides), " needs more than ",
           INT64_MAX, " bytes");
  return static_cast<size_t>(elements) * element_size;
}

/** How many elements of storage a view of `sizes` and non-negative `strides` starting at element
 *  `offset` reaches (0 when it is empty); a ts::Error naming `op` when that overflows int64_t. */
inline int64_t storage_extent(std::span<const int64_t> sizes, std::span<const int64_t> strides, int64_t offset,
                              const char* op) {
  if (checked_numel(sizes, op) == 0) return 0;
  int64_t extent = offset + 1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    TS_CHECK(strides[i] >= 0, op, ": negative strides are not supported, got ", shape_str(strides));
    int64_t reach = 0;
    TS_CHECK(!__builtin_mul_overflow(sizes[i] - 1, strides[i], &reach) &&
                 !__builtin_add_overflow(extent, reach, &extent),
             op, ": storage size calculation overflowed with sizes=", shape_str(sizes), " and strides=",
             shape_str(strides));
  }
  return extent;
}

inline Shape contiguous_strides(std::span<const int64_t> sizes) {
  Shape strides = Shape::filled(sizes.size(), 1);
  int64_t* out = strides.data();
  int64_t running = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    out[i] = running;
    // Wraps around as PyTorch's strides do (computed unsigned): only an empty tensor can have
    // dims whose product overflows (checked_numel refuses the others), and its strides are
    // never used to address memory.
    running = wrapping_mul(running, std::max<int64_t>(sizes[i], 1));
  }
  return strides;
}

}  // namespace detail

/** Prints `torch.Size([2, 3])`, as Python does. */
inline std::ostream& operator<<(std::ostream& os, const Shape& s) {
  return os << "torch.Size(" << detail::shape_str(s) << ")";
}
inline void append_error_part(std::string& out, const Shape& s) {
  out += "torch.Size(";
  detail::append_sizes(out, s, '[', "])");
}

/** Strides as `x.stride()` returns them: a ts::Shape that prints as Python's tuple, `(12, 4, 1)`. */
class Strides : public Shape {
 public:
  explicit Strides(const Shape& s) : Shape(s) {}
};
inline std::ostream& operator<<(std::ostream& os, const Strides& s) {
  os << '(';
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  return os << (s.size() == 1 ? ",)" : ")");
}

/** The broadcast of two shapes (NumPy rules); throws naming both shapes. */
inline Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op = "broadcast_shapes") {
  const size_t n = std::max(a.size(), b.size());
  Shape out = Shape::filled(n, 1);
  for (size_t i = 0; i < n; ++i) {
    const int64_t x = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t y = i < n - b.size() ? 1 : b[i - (n - b.size())];
    TS_CHECK(x == y || x == 1 || y == 1, op, ": shapes ", detail::shape_str(a), " and ", detail::shape_str(b),
             " cannot be broadcast");
    out[i] = x == 1 ? y : x;
  }
  return out;
}

}  // namespace tessera
