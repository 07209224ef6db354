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
#include "allocator.hpp"
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

/** base[slice[b] + rest[e]] = src[b * nr + e] (or +=, in order, with `accumulate`). With
 *  `may_split` (base reaches each element once and src does not share its memory), threads take
 *  apart the rest offsets of long slices: each element still receives its values in the order
 *  of b, whatever the thread count. Short slices stay on one thread: two threads each reading
 *  half of every short source row stream the whole source twice (measured slower than one). */
template <class T, class U>
void put_slices(T* base, const U* src, const std::vector<int64_t>& slices, const std::vector<int64_t>& rest,
                bool accumulate, bool may_split) {
  const int64_t nr = static_cast<int64_t>(rest.size()), nb = static_cast<int64_t>(slices.size());
  bool rows = nr > 0;
  for (int64_t e = 0; e < nr && rows; ++e) rows = rest[static_cast<size_t>(e)] == rest[0] + e;
  using C = opmath_t<T>;
  const auto put = [&](auto add, int64_t first, int64_t last) {
    for (int64_t b = 0; b < nb; ++b) {
      T* slice = base + slices[static_cast<size_t>(b)];
      const U* from = src + b * nr;
      const auto one = [&](T& dst, const U& v) {
        if constexpr (decltype(add)::value) dst = convert<T>(math::add(convert<C>(dst), convert<C>(convert<T>(v))));
        else dst = convert<T>(v);
      };
      if (rows) {
        T* dst = slice + rest[0];
        for (int64_t e = first; e < last; ++e) one(dst[e], from[e]);
      } else {
        for (int64_t e = first; e < last; ++e) one(slice[rest[static_cast<size_t>(e)]], from[e]);
      }
    }
  };
  const auto run = [&](int64_t first, int64_t last) {
    if (accumulate) put(std::true_type{}, first, last);
    else put(std::false_type{}, first, last);
  };
  const int64_t long_slice = kGrainSize / 2;
  if (!may_split || nr < long_slice) return run(0, nr);
  parallel_for(0, nr, std::max<int64_t>(long_slice / 2, kGrainSize / std::max<int64_t>(nb, 1)), run);
}

// Note [Scatter and gather loops]
// gather, scatter, scatter_add and scatter_reduce walk the index's shape line by line along its
// last dim, with running offsets into the index, the values and x: no division per element. Two
// positions write the same element of x only when they differ in `dim` alone, so threads that
// take apart the coordinates of another dim write disjoint elements, each in the serial order,
// and the result does not depend on the thread count. That needs x to reach each element once and the
// values and the index not to share x's memory; otherwise, and for a 1-D scatter (serial in
// PyTorch too; partial sums per thread would round differently), the walk stays on one thread.
// gather writes a fresh output: any dim splits. An index out of range is reported at its first
// position in the serial order, whichever thread met it.

/** The loop of gather and scatter over the index's shape (Note [Scatter and gather loops]). */
struct IndexWalk {
  Shape sizes;          // the index's shape, at least 1-D
  Shape index_strides;  // the index's (contiguous)
  Shape value_strides;  // of the values read (scatter) or written (gather)
  Shape x_strides;      // x's, 0 along dim
  int64_t dim = 0, dim_size = 1, dim_stride = 0, numel = 1;
};

template <class = void>
IndexWalk make_index_walk(const TensorImpl& x, const TensorImpl& values, const Shape& index_sizes, int64_t dim) {
  IndexWalk w;
  w.sizes = index_sizes.empty() ? Shape{1} : index_sizes;
  const size_t nd = w.sizes.size();
  w.index_strides = contiguous_strides(w.sizes);
  // 0-dim values (a 1-D index allows them) and a 0-dim x repeat one element.
  w.value_strides = values.sizes.size() == nd ? values.strides : Shape::filled(nd, 0);
  w.x_strides = x.dim() == 0 ? Shape::filled(nd, 0) : x.strides;
  w.dim = dim;
  if (x.dim() > 0) {
    w.dim_size = x.sizes[static_cast<size_t>(dim)];
    w.dim_stride = x.strides[static_cast<size_t>(dim)];
    w.x_strides[static_cast<size_t>(dim)] = 0;
  }
  for (int64_t s : w.sizes) w.numel *= s;
  return w;
}

/** The dim whose coordinates threads may take apart: the largest but `dim` (any dim with
 *  `any_dim`), or -1. */
template <class = void>
int64_t index_walk_split(const IndexWalk& w, bool any_dim) {
  int64_t best = -1;
  for (int64_t d = 0; d < static_cast<int64_t>(w.sizes.size()); ++d)
    if ((any_dim || d != w.dim) && w.sizes[d] > 1 && (best < 0 || w.sizes[d] > w.sizes[best])) best = d;
  return best;
}

/** True when threads may scatter into x apart (Note [Scatter and gather loops]): x contiguous,
 *  the values elsewhere, and the index n values at idx outside x. */
template <class = void>
bool may_split_scatter(const TensorImpl& x, const TensorImpl& values, const int64_t* idx, int64_t n) {
  if (!x.is_contiguous() || x.storage.is_alias_of(values.storage)) return false;
  const auto at = [](const void* p) { return reinterpret_cast<uintptr_t>(p); };
  const uintptr_t x0 = at(x.data()), x1 = x0 + static_cast<uintptr_t>(x.numel * static_cast<int64_t>(element_size(x.dtype)));
  return at(idx + n) <= x0 || at(idx) >= x1;
}

/** Calls line(index_offset, value_offset, x_offset, n) for each line along the last dim, over
 *  coordinates [first, last) of dim `split` (all of them when split < 0), in row-major order. */
template <class F>
void walk_index_lines(const IndexWalk& w, int64_t split, int64_t first, int64_t last, const F& line) {
  const size_t nd = w.sizes.size(), inner = nd - 1;
  Shape lo = Shape::filled(nd, 0), hi = w.sizes;
  if (split >= 0) {
    lo[static_cast<size_t>(split)] = first;
    hi[static_cast<size_t>(split)] = last;
  }
  int64_t io = 0, vo = 0, xo = 0;
  for (size_t d = 0; d < nd; ++d) {
    if (lo[d] >= hi[d]) return;
    io += lo[d] * w.index_strides[d];
    vo += lo[d] * w.value_strides[d];
    xo += lo[d] * w.x_strides[d];
  }
  const int64_t n = hi[inner] - lo[inner];
  Shape coord = lo;
  for (;;) {
    line(io, vo, xo, n);
    // An odometer over the outer dims: one add per dim and line.
    size_t d = inner;
    for (;;) {
      if (d == 0) return;
      --d;
      io += w.index_strides[d];
      vo += w.value_strides[d];
      xo += w.x_strides[d];
      if (++coord[d] < hi[d]) break;
      const int64_t span = hi[d] - lo[d];
      io -= span * w.index_strides[d];
      vo -= span * w.value_strides[d];
      xo -= span * w.x_strides[d];
      coord[d] = lo[d];
    }
  }
}

/** Throws gather and scatter's message for index value i (no negative index, as in PyTorch);
 *  kept out of the loops. */
template <class = void>
[[noreturn, gnu::noinline, gnu::cold]] void throw_dim_index(int64_t i, int64_t dim, int64_t size, const char* op) {
  throw_error(op, ": index ", i, " is out of bounds for dimension ", dim, " with size ", size);
}

/** After threads met a bad index: throws for the first one in the serial order, if any. */
template <class = void>
void throw_first_bad_index(const int64_t* idx, int64_t n, int64_t dim, int64_t size, const char* op) {
  for (int64_t p = 0; p < n; ++p)
    if (idx[p] < 0 || idx[p] >= size) throw_dim_index(idx[p], dim, size, op);
}

/** Runs walk_index_lines over all of w, split over dim `split` for threads (serial if < 0). */
template <class F>
void run_index_walk(const IndexWalk& w, int64_t split, const int64_t* idx, const char* op, const F& line) {
  if (split < 0) return walk_index_lines(w, -1, 0, 0, line);
  try {
    const int64_t units = w.sizes[static_cast<size_t>(split)];
    parallel_for(0, units, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(w.numel / units, 1)),
                 [&](int64_t first, int64_t last) { walk_index_lines(w, split, first, last, line); });
  } catch (const Error&) {
    throw_first_bad_index(idx, w.numel, w.dim, w.dim_size, op);
    throw;
  }
}

/** One line of gather or scatter: put(x element, j) for j < n at x[j * xs + ip[j] * step].
 *  Arguments by value, so that the loop keeps them in registers; the usual unit strides get
 *  loops of their own. */
template <class T, class Put>
inline void index_line(T* xp, const int64_t* ip, int64_t n, int64_t xs, int64_t step, int64_t size, int64_t dim,
                       const char* op, Put put) {
  const auto check = [&](int64_t i) {
    if (static_cast<uint64_t>(i) >= static_cast<uint64_t>(size)) [[unlikely]] throw_dim_index(i, dim, size, op);
  };
  if (xs == 0 && step == 1) {  // along the line's own dim, x's elements adjacent (a 1-D x, or dim last)
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) {  // four checks, then the four updates in order: fewer branches per element
      const int64_t i0 = ip[j], i1 = ip[j + 1], i2 = ip[j + 2], i3 = ip[j + 3];
      const auto u = [](int64_t i) { return static_cast<uint64_t>(i); };  // a negative one is huge
      if (std::max({u(i0), u(i1), u(i2), u(i3)}) >= static_cast<uint64_t>(size)) [[unlikely]]
        break;  // the loop below reports the first bad one
      put(xp[i0], j);
      put(xp[i1], j + 1);
      put(xp[i2], j + 2);
      put(xp[i3], j + 3);
    }
    for (; j < n; ++j) {
      const int64_t i = ip[j];
      check(i);
      put(xp[i], j);
    }
  } else if (xs == 1) {  // the line crosses x's rows (dim before the last, x contiguous)
    for (int64_t j = 0; j < n; ++j) {
      const int64_t i = ip[j];
      check(i);
      put(xp[j + i * step], j);
    }
  } else {
    for (int64_t j = 0; j < n; ++j) {
      const int64_t i = ip[j];
      check(i);
      put(xp[j * xs + i * step], j);
    }
  }
}

/** out[pos] = x[..., index[pos], ...] along `dim` (out contiguous, of the index's shape). */
template <class T>
void gather_dim(const TensorImpl& out, const TensorImpl& x, const int64_t* idx, const Shape& index_sizes, int64_t dim) {
  T* o = reinterpret_cast<T*>(out.data());
  const T* base = reinterpret_cast<const T*>(x.data());
  const IndexWalk w = make_index_walk(x, out, index_sizes, dim);
  const int64_t xs = w.x_strides.back(), step = w.dim_stride, size = w.dim_size;
  run_index_walk(w, index_walk_split(w, true), idx, "gather", [&](int64_t io, int64_t oo, int64_t xo, int64_t n) {
    T* op = o + oo;  // index and out: unit stride along the line
    index_line(base + xo, idx + io, n, xs, step, size, dim, "gather", [op](const T& from, int64_t j) { op[j] = from; });
  });
}

// Note [A long 1-D scatter_add]
// A 1-D scatter_add walks its index on one thread (Note [Scatter and gather loops]), and a long
// one is bound by the memory one thread can stream. When the index is at least kLongScatter long
// and at least kScatterChunks times x's size, its positions are cut into kScatterChunks fixed
// ranges, each summed by one thread into a zeroed copy of x, and then x[j] += partial_0[j] + ...
// in chunk order: the result does not depend on the thread count, though it rounds differently
// from the serial order (as any parallel sum does; PyTorch's GPU scatter_add, with atomics, is
// not even repeatable). An index out of range leaves x as it was.
inline constexpr int64_t kLongScatter = int64_t{1} << 18, kScatterChunks = 8;

/** x[index[p]] += src[p] for p < n, x of `size` elements (Note [A long 1-D scatter_add]). */
template <class T>
void scatter_add_long(T* x, const T* src, const int64_t* idx, int64_t n, int64_t size, const char* op) {
  ScratchBuffer scratch(static_cast<size_t>(kScatterChunks * size) * sizeof(T));
  T* partial = scratch.as<T>();
  try {
    parallel_for(0, kScatterChunks, 1, [&](int64_t first, int64_t last) {
      for (int64_t c = first; c < last; ++c) {
        T* p = partial + c * size;
        std::fill_n(p, size, T(0));
        const int64_t begin = n * c / kScatterChunks, end = n * (c + 1) / kScatterChunks;
        const T* sp = src + begin;
        index_line(p, idx + begin, end - begin, 0, 1, size, 0, op, [sp](T& dst, int64_t j) { dst += sp[j]; });
      }
    });
  } catch (const Error&) {
    throw_first_bad_index(idx, n, 0, size, op);
    throw;
  }
  parallel_for(0, size, kGrainSize / kScatterChunks, [&](int64_t first, int64_t last) {
    for (int64_t j = first; j < last; ++j) {
      T sum = x[j];
      for (int64_t c = 0; c < kScatterChunks; ++c) sum += partial[c * size + j];
      x[j] = sum;
    }
  });
}

/** x[..., index[c], ...] = src[c] (or += with `accumulate`) along `dim`, in order. */
template <class T, class U>
void scatter_dim(const TensorImpl& x, const TensorImpl& src, const int64_t* idx, const Shape& index_sizes, int64_t dim,
                 bool accumulate, const char* op) {
  T* base = reinterpret_cast<T*>(x.data());
  const U* s = reinterpret_cast<const U*>(src.data());
  using C = opmath_t<T>;
  const IndexWalk w = make_index_walk(x, src, index_sizes, dim);
  const int64_t xs = w.x_strides.back(), ss = w.value_strides.back(), step = w.dim_stride, size = w.dim_size;
  const bool apart = may_split_scatter(x, src, idx, w.numel);
  if constexpr (std::is_same_v<T, U> && (std::is_same_v<T, float> || std::is_same_v<T, double>)) {
    if (accumulate && apart && w.sizes.size() == 1 && x.dim() == 1 && ss == 1 && w.numel >= kLongScatter &&
        size <= w.numel / kScatterChunks)
      return scatter_add_long(base, s, idx, w.numel, size, op);
  }
  const int64_t split = apart ? index_walk_split(w, false) : -1;
  const auto lines = [&](auto add) {
    const auto put = [](T& dst, const U& v) {
      if constexpr (decltype(add)::value) dst = convert<T>(math::add(convert<C>(dst), convert<C>(v)));
      else dst = convert<T>(v);
    };
    run_index_walk(w, split, idx, op, [&](int64_t io, int64_t so, int64_t xo, int64_t n) {
      const U* sp = s + so;
      if (ss == 1) index_line(base + xo, idx + io, n, xs, step, size, dim, op, [sp, put](T& dst, int64_t j) { put(dst, sp[j]); });
      else index_line(base + xo, idx + io, n, xs, step, size, dim, op, [sp, ss, put](T& dst, int64_t j) { put(dst, sp[j * ss]); });
    });
  };
  if (accumulate) lines(std::true_type{});
  else lines(std::false_type{});
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
  const IndexWalk w = make_index_walk(x, src, index_sizes, dim);
  const int64_t xs = w.x_strides.back(), ss = w.value_strides.back(), step = w.dim_stride;
  const int64_t split = may_split_scatter(x, src, idx, w.numel) ? index_walk_split(w, false) : -1;
  const int64_t size = w.dim_size;
  run_index_walk(w, split, idx, op, [&](int64_t io, int64_t so, int64_t xo, int64_t n) {
    index_line(base + xo, idx + io, n, xs, step, size, dim, op, [&](T& dst, int64_t j) {
      const C a = convert<C>(dst), b = convert<C>(s[so + j * ss]);
      C r;
      if constexpr (std::is_same_v<C, bool>) {
        r = kind == 0 || kind == 2 ? a || b : a && b;  // bool: sum and amax are or, prod and amin and
      } else if (kind == 0) r = math::add(a, b);
      else if (kind == 1) r = math::mul(a, b);
      else if (a != a) r = a;  // NaN stays
      else if (b != b) r = b;
      else r = (kind == 2) == (a < b) ? b : a;
      dst = convert<T>(r);
    });
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
