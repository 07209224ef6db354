#pragma once
// StridedLoop: walks N strided operands over one shape as a sequence of 1-D runs.

#include "../core/algorithm.hpp"
#include <array>
#include <cstdint>
#include <span>

#include "../core/shape.hpp"

namespace tessera::detail {

// Note [Strided loop]
// Every elementwise kernel sees only 1-D runs: (pointers, byte strides, length). The loop
//  1. drops dimensions of size 1 (broadcast operands already carry stride 0),
//  2. reorders the rest so the dimension with the smallest stride is innermost, comparing
//     operands in order and skipping stride-0 (broadcast) entries, as PyTorch's
//     TensorIterator does, so a transposed output is still written in memory order,
//  3. coalesces neighbours whose strides chain (stride[outer] == stride[inner] * size[inner]
//     for every operand), so a contiguous tensor of any rank is one long run.
// Kernels then test whether a run is contiguous or scalar-broadcast and take a vectorisable
// path. Any range [begin, end) of the linear iteration index can be run on its own, which is
// how parallel_for splits the work.
/** The untyped part of a StridedLoop: the reordered, coalesced sizes and byte strides of up to
 *  kMaxOperands operands, built once per loop whatever the kernel. */
class StridedLayout {
 public:
  static constexpr size_t kMaxOperands = 4;

  /** `strides[k]` are operand k's element strides, one per dimension of `shape`. */
  StridedLayout(const Shape& shape, size_t operands, const Shape* const* strides, const int64_t* element_sizes)
      : operands_(operands) {
    product_fits(shape, numel_);  // it does: the shape is a tensor's
    // An empty tensor's strides and sizes may overflow in products (Note [Sizes that overflow]);
    // its layout never addresses memory, so they wrap around.
    for (size_t d = shape.size(); d-- > 0;) {  // innermost first
      if (shape[d] == 1) continue;
      sizes_.push_back(shape[d]);
      for (size_t k = 0; k < operands_; ++k) strides_[k].push_back(wrapping_mul((*strides[k])[d], element_sizes[k]));
    }
    reorder();
    coalesce();
    if (sizes_.empty()) {
      sizes_.push_back(1);
      for (size_t k = 0; k < operands_; ++k) strides_[k].push_back(0);
    }
  }

  int64_t numel() const { return numel_; }
  int64_t ndim() const { return static_cast<int64_t>(sizes_.size()); }
  int64_t inner_size() const { return sizes_[0]; }
  /** Size and operand k's byte stride of dimension d after reordering (0 is innermost). */
  int64_t size(size_t d) const { return sizes_[d]; }
  int64_t stride(size_t k, size_t d) const { return strides_[k][d]; }

 protected:
  /** The coordinates (innermost first) of linear index `index` and each operand's byte offset there. */
  void locate(int64_t index, Shape& coord, int64_t* offsets) const {
    const size_t nd = sizes_.size();
    coord = Shape::filled(nd, 0);
    for (size_t k = 0; k < operands_; ++k) offsets[k] = 0;
    for (size_t d = 0; d < nd; ++d) {
      coord[d] = index % sizes_[d];
      index /= sizes_[d];
      for (size_t k = 0; k < operands_; ++k) offsets[k] += coord[d] * strides_[k][d];
    }
  }

  size_t operands_;
  int64_t numel_ = 0;
  Shape sizes_;                           // innermost first
  std::array<Shape, kMaxOperands> strides_;  // bytes, innermost first

 private:
  // True when dimension a (currently inside b) should move outside of b.
  bool should_swap(size_t a, size_t b) const {
    for (size_t k = 0; k < operands_; ++k) {
      const int64_t sa = strides_[k][a], sb = strides_[k][b];
      if (sa == 0 || sb == 0 || sa == sb) continue;
      return sa > sb;
    }
    return false;
  }

  void reorder() {
    const size_t nd = sizes_.size();
    for (size_t i = 1; i < nd; ++i) {  // insertion sort: stable, and nd is small
      for (size_t j = i; j > 0 && should_swap(j - 1, j); --j) {
        std::swap(sizes_[j - 1], sizes_[j]);
        for (size_t k = 0; k < operands_; ++k) std::swap(strides_[k][j - 1], strides_[k][j]);
      }
    }
  }

  void coalesce() {
    if (sizes_.empty()) return;
    size_t out = 0;
    for (size_t d = 1; d < sizes_.size(); ++d) {
      bool chains = true;
      for (size_t k = 0; k < operands_; ++k) chains &= strides_[k][d] == wrapping_mul(strides_[k][out], sizes_[out]);
      if (chains) {
        sizes_[out] = wrapping_mul(sizes_[out], sizes_[d]);
      } else {
        ++out;
        sizes_[out] = sizes_[d];
        for (size_t k = 0; k < operands_; ++k) strides_[k][out] = strides_[k][d];
      }
    }
    sizes_.resize(out + 1);
    for (size_t k = 0; k < operands_; ++k) strides_[k].resize(out + 1);
  }
};

template <size_t N>
class StridedLoop : public StridedLayout {
  static_assert(N <= kMaxOperands);

 public:
  using Pointers = std::array<char*, N>;
  using Strides = std::array<int64_t, N>;

  StridedLoop(const Shape& shape, const Pointers& data, const std::array<const Shape*, N>& strides,
              const std::array<int64_t, N>& element_sizes)
      : StridedLayout(shape, N, strides.data(), element_sizes.data()), base_(data) {}

  const Pointers& base() const { return base_; }

  /** Calls run(pointers, byte_strides, n) for each 1-D run covering linear indices [begin, end). */
  template <class F>
  void run(F&& run_1d, int64_t begin = 0, int64_t end = -1) const {
    run_from(base_, run_1d, begin, end);
  }

  /** run() with other base pointers (the same strides), e.g. one reduction row after another. */
  template <class F>
  void run_from(const Pointers& base, F&& run_1d, int64_t begin = 0, int64_t end = -1) const {
    if (end < 0) end = numel_;
    if (begin >= end) return;
    const size_t nd = sizes_.size();
    Shape coord;
    int64_t offsets[N];
    locate(begin, coord, offsets);
    Pointers ptr;
    Strides inner;
    for (size_t k = 0; k < N; ++k) {
      ptr[k] = base[k] + offsets[k];
      inner[k] = strides_[k][0];
    }
    while (begin < end) {
      const int64_t n = std::min(sizes_[0] - coord[0], end - begin);
      run_1d(ptr, inner, n);
      begin += n;
      coord[0] += n;
      for (size_t k = 0; k < N; ++k) ptr[k] += n * strides_[k][0];
      for (size_t d = 0; d + 1 < nd && coord[d] == sizes_[d]; ++d) {  // carry into outer dims
        coord[d] = 0;
        ++coord[d + 1];
        for (size_t k = 0; k < N; ++k) ptr[k] += strides_[k][d + 1] - sizes_[d] * strides_[k][d];
      }
    }
  }

 private:
  Pointers base_;
};

/** Element strides of `impl` broadcast to `shape` (0 where broadcast); throws if it cannot be. */
inline Shape broadcast_strides(const Shape& sizes, const Shape& strides, const Shape& shape, const char* op) {
  TS_CHECK(sizes.size() <= shape.size(), op, ": shape ", shape_str(sizes), " cannot be broadcast to ", shape_str(shape));
  Shape out = Shape::filled(shape.size(), 0);
  const size_t lead = shape.size() - sizes.size();
  for (size_t i = 0; i < sizes.size(); ++i) {
    TS_CHECK(sizes[i] == shape[lead + i] || sizes[i] == 1, op, ": shape ", shape_str(sizes),
             " cannot be broadcast to ", shape_str(shape));
    out[lead + i] = sizes[i] == 1 && shape[lead + i] != 1 ? 0 : strides[i];
  }
  return out;
}

/** Strides of a new result of `shape` computed from inputs with these (broadcast) strides: dense,
 *  in the inputs' memory order, as PyTorch's TensorIterator allocates outputs. */
inline Shape result_strides(const Shape& shape, std::span<const Shape* const> inputs) {
  const size_t nd = shape.size();
  bool all_contiguous = true;
  const Shape contiguous = contiguous_strides(shape);
  for (const Shape* s : inputs) {
    for (size_t d = 0; d < nd; ++d) all_contiguous &= shape[d] == 1 || (*s)[d] == contiguous[d];
  }
  if (all_contiguous) return contiguous;
  Shape perm = Shape::filled(nd, 0);  // dimensions, innermost first
  for (size_t i = 0; i < nd; ++i) perm[i] = static_cast<int64_t>(nd - 1 - i);
  auto should_swap = [&](int64_t a, int64_t b) {
    for (const Shape* s : inputs) {
      const int64_t sa = (*s)[a], sb = (*s)[b];
      if (sa == 0 || sb == 0) continue;
      if (sa != sb) return sa < sb ? -1 : 1;
      if (shape[a] > shape[b]) return 1;
    }
    return 0;
  };
  for (size_t i = 1; i < nd; ++i) {
    size_t d1 = i;
    for (size_t d0 = i; d0-- > 0;) {
      const int c = should_swap(perm[d0], perm[d1]);
      if (c > 0) {
        std::swap(perm[d0], perm[d1]);
        d1 = d0;
      } else if (c < 0) {
        break;
      }
    }
  }
  Shape out = Shape::filled(nd, 1);
  int64_t running = 1;
  for (int64_t d : perm) {
    out[d] = running;
    running *= std::max<int64_t>(shape[d], 1);
  }
  return out;
}

}  // namespace tessera::detail
