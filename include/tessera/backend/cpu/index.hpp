#pragma once
// CPU indexing kernels: advanced indexing by element offsets, gather and scatter along a dim,
// the adjoint of as_strided, and the host helpers that read index values (nonzero, offsets).

#include "../../core/algorithm.hpp"
#include <string_view>
#include <vector>

#include "../../core/convert.hpp"
#include "../../core/type_rules.hpp"
#include "../../core/tensor_impl.hpp"
#include "../../iter/plan.hpp"
#include "../../parallel/parallel_for.hpp"
#include "math.hpp"

namespace tessera::detail {

/** Coordinates of the true elements of a contiguous bool array of `sizes`, one list per dim. */
template <class = void>
std::vector<std::vector<int64_t>> nonzero_coords(const bool* p, const Shape& sizes) {
  const size_t nd = sizes.size();
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  std::vector<std::vector<int64_t>> coords(nd);
  for (int64_t i = 0; i < n; ++i) {
    if (!p[i]) continue;
    int64_t rest = i;
    for (size_t d = nd; d-- > 0;) {
      coords[d].push_back(rest % sizes[d]);
      rest /= sizes[d];
    }
  }
  return coords;
}

/** offsets[b] += wrap(index[b]) * stride for the n index values of dim `d` (of size `size`). */
template <class = void>
void add_index_offsets(std::vector<int64_t>& offsets, const int64_t* index, int64_t n, int64_t size,
                              int64_t stride, int64_t d, const char* op) {
  for (int64_t b = 0; b < n; ++b) {
    int64_t i = index[b];
    TS_CHECK(i >= -size && i < size, op, ": index ", i, " is out of bounds for dimension ", d, " with size ", size);
    if (i < 0) i += size;
    offsets[static_cast<size_t>(b)] += i * stride;
  }
}

/** Throws unless each of the n index values is in [0, size), with index_select's messages
 *  (Note [index_select bounds]): `by_value` names the first bad value and the size. */
template <class = void>
void check_index_select_values(const int64_t* index, int64_t n, int64_t size, bool by_value, const char* op) {
  for (int64_t b = 0; b < n; ++b) {
    if (index[b] >= 0 && index[b] < size) continue;
    if (by_value) throw_error(op, ": INDICES element is out of DATA bounds, id=", index[b], " axis_dim=", size);
    throw_error(op, ": index out of range in self");
  }
}

/** Throws the message of `check` for the first of the n values outside [lo, hi). */
template <class = void>
void check_index_values(const int64_t* values, int64_t n, int64_t lo, int64_t hi, IndexCheck check, const char* op,
                        int64_t dim) {
  for (int64_t i = 0; i < n; ++i)
    if (values[i] < lo || values[i] >= hi) throw Error(index_check_message(check, op, values[i], dim, hi));
}

/** The n values at p, as a vector. */
template <class T>
std::vector<T> copy_values(const T* p, int64_t n) {
  return std::vector<T>(p, p + n);
}

/** out[b * nr + e] = base[slice[b] + rest[e]]: the slices an advanced index picks, each to its
 *  own place (so threads cannot change the result); contiguous slices are copied whole. */
template <class T>
void gather_slices(T* out, const T* base, const std::vector<int64_t>& slices, const std::vector<int64_t>& rest) {
  const size_t nr = rest.size();
  bool rows = nr > 0;
  for (size_t e = 0; e < nr && rows; ++e) rows = rest[e] == rest[0] + static_cast<int64_t>(e);
  const int64_t n = static_cast<int64_t>(slices.size());
  parallel_for(0, n, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(static_cast<int64_t>(nr), 1)),
               [&](int64_t first, int64_t last) {
                 for (int64_t b = first; b < last; ++b) {
                   const T* slice = base + slices[static_cast<size_t>(b)];
                   T* dst = out + static_cast<size_t>(b) * nr;
                   if (rows) std::copy_n(slice + rest[0], nr, dst);
                   else for (size_t e = 0; e < nr; ++e) dst[e] = slice[rest[e]];
                 }
               });
}

/** base[slice[b] + rest[e]] = src[b * nr + e] (or +=, in order, with `accumulate`). */
template <class T, class U>
void put_slices(T* base, const U* src, const std::vector<int64_t>& slices, const std::vector<int64_t>& rest,
                bool accumulate) {
  const size_t nr = rest.size();
  using C = opmath_t<T>;
  for (size_t b = 0; b < slices.size(); ++b)
    for (size_t e = 0; e < nr; ++e) {
      T& dst = base[slices[b] + rest[e]];
      dst = accumulate ? convert<T>(math::add(convert<C>(dst), convert<C>(convert<T>(src[b * nr + e])))) : convert<T>(src[b * nr + e]);
    }
}

// Calls f(x_element_offset, position, coord) over the shape of `index` (contiguous int64 values
// `idx`): the x offset covers every dim, `dim` through the index value.
template <class F>
void for_each_indexed(const TensorImpl& x, const int64_t* idx, const Shape& index_sizes, int64_t dim, const char* op,
                      const F& f) {
  int64_t n = 1;
  for (int64_t s : index_sizes) n *= s;
  const int64_t nd = static_cast<int64_t>(index_sizes.size());
  const int64_t size = x.dim() == 0 ? 1 : x.sizes[dim];
  Shape coord = Shape::filled(static_cast<size_t>(nd), 0);
  for (int64_t pos = 0; pos < n; ++pos) {
    int64_t rest = pos, off = 0;
    for (int64_t d = nd; d-- > 0;) {
      coord[d] = rest % index_sizes[d];
      rest /= index_sizes[d];
      if (d != dim) off += coord[d] * x.strides[d];
    }
    const int64_t i = idx[pos];  // gather and scatter take no negative index, as in PyTorch
    TS_CHECK(i >= 0 && i < size, op, ": index ", i, " is out of bounds for dimension ", dim, " with size ", size);
    f(off + i * (x.dim() == 0 ? 0 : x.strides[dim]), pos, coord);
  }
}

/** The element offset in `t` of coordinate `coord`. */
inline int64_t offset_of(const TensorImpl& t, const Shape& coord) {
  int64_t off = 0;
  for (size_t d = 0; d < coord.size(); ++d) off += coord[d] * t.strides[d];
  return off;
}

/** out[pos] = x[..., index[pos], ...] along `dim` (out contiguous, of the index's shape). */
template <class T>
void gather_dim(const TensorImpl& out, const TensorImpl& x, const int64_t* idx, const Shape& index_sizes, int64_t dim) {
  T* o = reinterpret_cast<T*>(out.data());
  const T* base = reinterpret_cast<const T*>(x.data());
  for_each_indexed(x, idx, index_sizes, dim, "gather", [&](int64_t off, int64_t pos, const Shape&) { o[pos] = base[off]; });
}

/** x[..., index[c], ...] = src[c] (or += with `accumulate`) along `dim`, in order. */
template <class T, class U>
void scatter_dim(const TensorImpl& x, const TensorImpl& src, const int64_t* idx, const Shape& index_sizes, int64_t dim,
                 bool accumulate, const char* op) {
  T* base = reinterpret_cast<T*>(x.data());
  const U* s = reinterpret_cast<const U*>(src.data());
  using C = opmath_t<T>;
  for_each_indexed(x, idx, index_sizes, dim, op, [&](int64_t off, int64_t, const Shape& coord) {
    const U v = s[offset_of(src, coord)];
    base[off] = accumulate ? convert<T>(math::add(convert<C>(base[off]), convert<C>(v))) : convert<T>(v);
  });
}

/** x[..., index[c], ...] = reduce(that element, src[c]) along `dim`, in order: "sum", "prod",
 *  "amax" or "amin" (a NaN wins, as in PyTorch), computed in opmath_t<T>. */
template <class T>
void scatter_reduce_dim(const TensorImpl& x, const TensorImpl& src, const int64_t* idx, const Shape& index_sizes,
                        int64_t dim, std::string_view reduce, const char* op) {
  T* base = reinterpret_cast<T*>(x.data());
  const T* s = reinterpret_cast<const T*>(src.data());
  using C = opmath_t<T>;
  const int kind = reduce == "sum" ? 0 : reduce == "prod" ? 1 : reduce == "amax" ? 2 : 3;
  for_each_indexed(x, idx, index_sizes, dim, op, [&](int64_t off, int64_t, const Shape& coord) {
    const C a = convert<C>(base[off]), b = convert<C>(s[offset_of(src, coord)]);
    C r;
    if constexpr (std::is_same_v<C, bool>) {
      r = kind == 0 || kind == 2 ? a || b : a && b;  // bool: sum and amax are or, prod and amin and
    } else if (kind == 0) r = math::add(a, b);
    else if (kind == 1) r = math::mul(a, b);
    else if (a != a) r = a;  // NaN stays
    else if (b != b) r = b;
    else r = (kind == 2) == (a < b) ? b : a;
    base[off] = convert<T>(r);
  });
}

/** dst[offset + sum_d c_d * strides[d]] += src[c] for every coordinate c of `sizes` (src
 *  contiguous): the adjoint of as_strided. */
template <class T>
void strided_accumulate(T* dst, const T* src, const Shape& sizes, const Shape& strides, int64_t offset) {
  // An odometer over the coordinates: one add per element, no division.
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  const size_t nd = sizes.size();
  Shape coord = Shape::filled(nd, 0);
  int64_t pos = offset;
  using C = opmath_t<T>;
  for (int64_t i = 0; i < n; ++i) {
    dst[pos] = convert<T>(math::add(convert<C>(dst[pos]), convert<C>(src[i])));
    for (size_t d = nd; d-- > 0;) {
      pos += strides[d];
      if (++coord[d] < sizes[d]) break;
      pos -= strides[d] * sizes[d];
      coord[d] = 0;
    }
  }
}

}  // namespace tessera::detail
