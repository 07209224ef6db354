#pragma once
// The CPU reduction engine: fixed blocks, pairwise combination, results independent of threads.

#include <cmath>
#include <limits>
#include <vector>

#include "../../core/convert.hpp"
#include "../../core/type_rules.hpp"
#include "../../iter/plan.hpp"
#include "../../iter/strided_loop.hpp"
#include "../../parallel/parallel_for.hpp"
#include "allocator.hpp"
#include "vectorized.hpp"
#include "math.hpp"

namespace tessera::detail {

// Note [Deterministic reductions]
// A reduction of N elements into each output is cut into blocks of kReduceBlock consecutive
// elements (in the memory order chosen by the strided loop). Each block is reduced on its own,
// and the block results are combined pairwise in a fixed tree. Threads only decide which thread
// computes which block, so every result, floating-point sums included, is bit-identical for any
// number of threads. Within a block, contiguous runs are summed pairwise too, so the error of a
// float sum grows with log(N), not N.
inline constexpr int64_t kReduceBlock = 16384;

/** Combines partial results pairwise, in a fixed tree. */
template <class Acc, class Combine>
Acc combine_tree(std::vector<Acc>& parts, const Combine& combine) {
  for (size_t width = 1; width < parts.size(); width *= 2)
    for (size_t i = 0; i + width < parts.size(); i += 2 * width) parts[i] = combine(parts[i], parts[i + width]);
  return parts[0];
}

// A reducer R provides:
//   using Acc;                                       the accumulator
//   Acc identity() const;
//   Acc run(const char* p, int64_t stride, int64_t n, int64_t index) const;   one strided 1-D run;
//                                                    `index` is the run's first position
//   Acc combine(Acc a, Acc b) const;                 a comes before b
//   Out finish(Acc acc) const;
/** Reduces `x` per `plan` into the contiguous tensor `out` (element type Out). */
template <class T, class Out, class Reducer>
void reduce_into(const TensorImpl& x, const ReduceLayout& plan, Out* out, const Reducer& r) {
  using Acc = typename Reducer::Acc;
  const char* base = x.data();
  const StridedLoop<1> loop(plan.reduced_sizes, {const_cast<char*>(base)}, {&plan.reduced_strides},
                            {static_cast<int64_t>(sizeof(T))});
  const int64_t n = plan.reduced, blocks = std::max<int64_t>(1, (n + kReduceBlock - 1) / kReduceBlock);
  auto input_of = [&](int64_t o) {  // the first input element of output o
    int64_t offset = 0;
    if (plan.kept_sizes.size() == 1) {
      offset = o * plan.kept_strides[0];
    } else {
      for (size_t d = plan.kept_sizes.size(); d-- > 0;) {
        offset += (o % plan.kept_sizes[d]) * plan.kept_strides[d];
        o /= plan.kept_sizes[d];
      }
    }
    return const_cast<char*>(base) + offset * static_cast<int64_t>(sizeof(T));
  };
  auto block = [&](char* first, int64_t b) {
    int64_t index = b * kReduceBlock;
    const int64_t end = std::min(n, index + kReduceBlock);
    Acc acc = r.identity();
    if (loop.ndim() == 1) {  // one run: no walk
      const int64_t stride = loop.stride(0, 0);
      return r.combine(acc, r.run(first + index * stride, stride, end - index, index));
    }
    loop.run_from({first}, [&](const auto& p, const auto& s, int64_t len) {
      acc = r.combine(acc, r.run(p[0], s[0], len, index));
      index += len;
    }, index, end);
    return acc;
  };
  auto reduce_output = [&](int64_t o, std::vector<Acc>& parts) {
    if (n == 0) {
      out[o] = r.finish(r.identity());
      return;
    }
    parts.assign(static_cast<size_t>(blocks), r.identity());
    char* first = input_of(o);
    for (int64_t b = 0; b < blocks; ++b) parts[static_cast<size_t>(b)] = block(first, b);
    out[o] = r.finish(combine_tree(parts, [&](Acc a, Acc c) { return r.combine(a, c); }));
  };
  if (blocks == 1 && loop.ndim() == 1 && n > 0) {  // one strided run per output, as in sum(-1)
    const int64_t grain = std::max<int64_t>(1, kGrainSize / n), stride = loop.stride(0, 0);
    parallel_for(0, plan.outputs, grain, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) out[o] = r.finish(r.combine(r.identity(), r.run(input_of(o), stride, n, 0)));
    });
  } else if (plan.outputs >= get_num_threads() || blocks == 1) {
    const int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(n, 1));
    parallel_for(0, plan.outputs, grain, [&](int64_t begin, int64_t end) {
      std::vector<Acc> parts;
      for (int64_t o = begin; o < end; ++o) reduce_output(o, parts);
    });
  } else {  // few outputs, many blocks: the blocks go to the threads
    for (int64_t o = 0; o < plan.outputs; ++o) {
      std::vector<Acc> parts(static_cast<size_t>(blocks), r.identity());
      char* first = input_of(o);
      parallel_for(0, blocks, 1, [&](int64_t begin, int64_t end) {
        for (int64_t b = begin; b < end; ++b) parts[static_cast<size_t>(b)] = block(first, b);
      });
      out[o] = r.finish(combine_tree(parts, [&](Acc a, Acc c) { return r.combine(a, c); }));
    }
  }
}

/** The value function of a plain sum (it lets pairwise_sum take the SIMD path). */
struct PlainValue {
  template <class T>
  T operator()(T v) const { return v; }
};

/** Pairwise sum of a strided run, in Acc. */
template <class Acc, class T, class F>
Acc pairwise_sum(const char* p, int64_t stride, int64_t n, const F& value) {
  if constexpr ((std::is_same_v<T, float> || std::is_same_v<T, double>) && std::is_same_v<Acc, T> &&
                std::is_same_v<F, PlainValue>) {
    if (stride == static_cast<int64_t>(sizeof(T))) return vector_sum(reinterpret_cast<const T*>(p), n);
  }
  if (n <= 64) {
    Acc acc[8] = {};
    int64_t i = 0;
    if (stride == static_cast<int64_t>(sizeof(T))) {
      const T* q = reinterpret_cast<const T*>(p);
      // math::add: integer sums wrap (Note [Wrapping integer arithmetic]); floats add as before
      for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; ++j) acc[j] = math::add<Acc>(acc[j], value(q[i + j]));
      Acc tail = 0;
      for (; i < n; ++i) tail = math::add<Acc>(tail, value(q[i]));
      using math::add;
      return add(add(add(add(acc[0], acc[1]), add(acc[2], acc[3])), add(add(acc[4], acc[5]), add(acc[6], acc[7]))), tail);
    }
    for (; i < n; ++i) acc[0] = math::add<Acc>(acc[0], value(*reinterpret_cast<const T*>(p + i * stride)));
    return acc[0];
  }
  const int64_t half = (n / 2 + 7) / 8 * 8;
  return math::add<Acc>(pairwise_sum<Acc, T>(p, stride, half, value),
                        pairwise_sum<Acc, T>(p + half * stride, stride, n - half, value));
}

// Note [Column sums]
// out[o, k] = sum_r x[o, r, k] for a contiguous input viewed as [outer, reduced, inner]. The
// rows are cut into blocks of kRowBlock and the columns into strips of kStrip elements (16 KiB
// whatever the dtype); a task adds the rows of one block, in order, into a zeroed strip of
// partial sums, reading each row in memory order while the strip stays in a 32 KiB L1. The
// partial sums of the blocks are then added in block order. Threads only split the tasks, so
// the result does not depend on how many run.
// (A partial sum starts at +0, so it is never -0 and adding it to a zeroed output gives it
// back: with one block the partial sums are the output itself.)
template <class T>
void column_sum(const T* x, T* out, int64_t outer, int64_t reduced, int64_t inner) {
  constexpr int64_t kRowBlock = 128, kStrip = 16384 / static_cast<int64_t>(sizeof(T));
  const int64_t blocks = std::max<int64_t>(1, (reduced + kRowBlock - 1) / kRowBlock);
  const int64_t strips = (inner + kStrip - 1) / kStrip;
  const int64_t task_elements = std::min(kRowBlock, reduced) * std::min(kStrip, inner);
  const int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(task_elements, 1));
  ScratchBuffer scratch(blocks > 1 ? static_cast<size_t>(outer * blocks * inner) * sizeof(T) : 0);
  T* partials = blocks > 1 ? scratch.as<T>() : out;  // [outer, blocks, inner]
  parallel_for(0, outer * blocks * strips, grain, [&](int64_t first, int64_t last) {
    for (int64_t task = first; task < last; ++task) {
      const int64_t o = task / (blocks * strips), b = task / strips % blocks, c0 = task % strips * kStrip;
      const int64_t width = std::min(kStrip, inner - c0), r0 = b * kRowBlock;
      T* part = partials + (o * blocks + b) * inner + c0;
      std::fill(part, part + width, T(0));
      add_rows(part, x + (o * reduced + r0) * inner + c0, std::min(kRowBlock, reduced - r0), inner, width);
    }
  });
  if (blocks == 1) return;
  parallel_for(0, outer * strips, std::max<int64_t>(1, grain / blocks), [&](int64_t first, int64_t last) {
    for (int64_t task = first; task < last; ++task) {
      const int64_t o = task / strips, c0 = task % strips * kStrip, width = std::min(kStrip, inner - c0);
      T* result = out + o * inner + c0;
      const T* part = partials + o * blocks * inner + c0;
      std::copy(part, part + width, result);
      add_rows(result, part + inner, blocks - 1, inner, width);
    }
  });
}

// --- the reducers of every reduction op ------------------------------------------------------

template <class T>
using acc_t = std::conditional_t<is_floating_v<T>, opmath_t<T>, int64_t>;

template <class T, class Out>
struct SumReducer {
  using Acc = acc_t<T>;
  Acc identity() const { return Acc(0); }
  Acc run(const char* p, int64_t s, int64_t n, int64_t) const {
    if constexpr (std::is_same_v<Acc, T>) return pairwise_sum<Acc, T>(p, s, n, PlainValue{});
    else return pairwise_sum<Acc, T>(p, s, n, [](T v) { return convert<Acc>(v); });
  }
  Acc combine(Acc a, Acc b) const { return math::add(a, b); }
  Out finish(Acc a) const { return convert<Out>(a); }
};

template <class T, class Out>
struct MeanReducer : SumReducer<T, Out> {
  int64_t count;
  explicit MeanReducer(int64_t n) : count(n) {}
  Out finish(typename SumReducer<T, Out>::Acc a) const { return convert<Out>(a / static_cast<opmath_t<T>>(count)); }
};

template <class T, class Out>
struct ProdReducer {
  using Acc = acc_t<T>;
  Acc identity() const { return Acc(1); }
  Acc run(const char* p, int64_t s, int64_t n, int64_t) const {
    Acc acc = 1;
    for (int64_t i = 0; i < n; ++i) acc = math::mul(acc, convert<Acc>(*reinterpret_cast<const T*>(p + i * s)));
    return acc;
  }
  Acc combine(Acc a, Acc b) const { return math::mul(a, b); }  // Note [Wrapping integer arithmetic]
  Out finish(Acc a) const { return convert<Out>(a); }
};

template <class T, bool is_max>
struct ExtremeReducer {  // amax / amin: NaN wins
  using Acc = opmath_t<T>;
  Acc identity() const {
    if constexpr (std::is_floating_point_v<Acc>) return is_max ? -INFINITY : INFINITY;
    else return is_max ? std::numeric_limits<Acc>::lowest() : std::numeric_limits<Acc>::max();
  }
  Acc combine(Acc a, Acc b) const {
    if constexpr (std::is_floating_point_v<Acc>) {
      if (std::isnan(a)) return a;
      if (std::isnan(b)) return b;
    }
    return is_max ? (b > a ? b : a) : (b < a ? b : a);
  }
  Acc run(const char* p, int64_t s, int64_t n, int64_t) const {
    Acc acc = identity();
    for (int64_t i = 0; i < n; ++i) acc = combine(acc, convert<Acc>(*reinterpret_cast<const T*>(p + i * s)));
    return acc;
  }
  T finish(Acc a) const { return convert<T>(a); }
};

template <class T, bool is_max>
struct ArgReducer {  // value and index of the first extreme element; NaN counts as the extreme
  struct Acc {
    opmath_t<T> value;
    int64_t index;
  };
  Acc identity() const { return {ExtremeReducer<T, is_max>{}.identity(), -1}; }
  static bool better(opmath_t<T> a, opmath_t<T> b) {  // a replaces b
    if constexpr (std::is_floating_point_v<opmath_t<T>>) {
      if (std::isnan(b)) return false;
      if (std::isnan(a)) return true;
    }
    return is_max ? a > b : a < b;
  }
  Acc combine(Acc a, Acc b) const {
    if (a.index < 0) return b;
    if (b.index < 0) return a;
    return better(b.value, a.value) ? b : a;
  }
  Acc run(const char* p, int64_t s, int64_t n, int64_t index) const {
    Acc acc = identity();
    for (int64_t i = 0; i < n; ++i) {
      const auto v = convert<opmath_t<T>>(*reinterpret_cast<const T*>(p + i * s));
      if (acc.index < 0 || better(v, acc.value)) acc = {v, index + i};
    }
    return acc;
  }
  Acc finish(Acc a) const { return a; }
};

template <class T, bool all>
struct LogicalReducer {
  using Acc = bool;
  Acc identity() const { return all; }
  Acc run(const char* p, int64_t s, int64_t n, int64_t) const {
    for (int64_t i = 0; i < n; ++i)
      if (convert<bool>(*reinterpret_cast<const T*>(p + i * s)) != all) return !all;
    return all;
  }
  Acc combine(Acc a, Acc b) const { return all ? (a && b) : (a || b); }
  bool finish(Acc a) const { return a; }
};

template <class T, class Out>
struct NormReducer {  // the 2-norm
  using Acc = opmath_t<Out>;
  Acc identity() const { return 0; }
  Acc run(const char* p, int64_t s, int64_t n, int64_t) const {
    return pairwise_sum<Acc, T>(p, s, n, [](T v) { const Acc a = convert<Acc>(v); return a * a; });
  }
  Acc combine(Acc a, Acc b) const { return a + b; }
  Out finish(Acc a) const { return convert<Out>(std::sqrt(a)); }
};

/** Mean and sum of squared deviations in double, runs combined with Chan's formula. A contiguous
 *  run takes two passes (its mean, then the squares of the deviations from it, each a pairwise
 *  sum: as exact as Welford's update, without its division per element, which made it ten
 *  times slower); a strided one, whose second pass would read its cache lines again, Welford's. */
template <class T>
struct WelfordReducer {
  struct Acc {
    double n, mean, m2;
  };
  int64_t correction;
  bool take_sqrt;  // std: the root is taken in double, before rounding to T
  Acc identity() const { return {0, 0, 0}; }
  Acc run(const char* p, int64_t s, int64_t n, int64_t) const {
    if (n == 0) return identity();
    if (s != static_cast<int64_t>(sizeof(T))) {
      Acc a = identity();
      for (int64_t i = 0; i < n; ++i) {
        const double v = static_cast<double>(*reinterpret_cast<const T*>(p + i * s));
        a.n += 1;
        const double delta = v - a.mean;
        a.mean += delta / a.n;
        a.m2 += delta * (v - a.mean);
      }
      return a;
    }
    const double mean =
        pairwise_sum<double, T>(p, s, n, [](T v) { return static_cast<double>(v); }) / static_cast<double>(n);
    const double m2 = pairwise_sum<double, T>(p, s, n, [mean](T v) {
      const double d = static_cast<double>(v) - mean;
      return d * d;
    });
    return {static_cast<double>(n), mean, m2};
  }
  Acc combine(Acc a, Acc b) const {
    if (a.n == 0) return b;
    if (b.n == 0) return a;
    const double n = a.n + b.n, delta = b.mean - a.mean;
    return {n, a.mean + delta * b.n / n, a.m2 + b.m2 + delta * delta * a.n * b.n / n};
  }
  T finish(Acc a) const {
    const double v = a.m2 / std::max(0.0, a.n - static_cast<double>(correction));
    return convert<T>(take_sqrt ? std::sqrt(v) : v);
  }
};

/** values and indices of the first extreme element of each output (max/min along a dim). */
template <class T, bool is_max>
void arg_reduce_into(const TensorImpl& x, const ReduceLayout& layout, T* values, int64_t* indices) {
  using Acc = typename ArgReducer<T, is_max>::Acc;
  std::vector<Acc> accs(static_cast<size_t>(layout.outputs));
  reduce_into<T, Acc>(x, layout, accs.data(), ArgReducer<T, is_max>{});
  for (size_t i = 0; i < accs.size(); ++i) {
    values[i] = convert<T>(accs[i].value);
    indices[i] = accs[i].index;
  }
}

}  // namespace tessera::detail
