#pragma once
// Reductions: sum mean prod amax amin max min argmax argmin std var norm logsumexp all any,
// over all elements, one dim or several, with keepdim; softmax, log_softmax and cumsum.

#include <tuple>

#include "../backend/cpu/reduce.hpp"
#include "elementwise.hpp"

namespace tessera {
namespace detail {

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
  Acc combine(Acc a, Acc b) const { return a + b; }
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
    for (int64_t i = 0; i < n; ++i) acc *= convert<Acc>(*reinterpret_cast<const T*>(p + i * s));
    return acc;
  }
  Acc combine(Acc a, Acc b) const { return a * b; }
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

template <class T>
struct WelfordReducer {  // mean and sum of squared deviations in double, combined with Chan's formula
  struct Acc {
    double n, mean, m2;
  };
  int64_t correction;
  bool take_sqrt;  // std: the root is taken in double, before rounding to T
  Acc identity() const { return {0, 0, 0}; }
  Acc run(const char* p, int64_t s, int64_t n, int64_t) const {
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

/** Runs reducer r over `dims` of x into a new contiguous Tensor<Out>. */
template <class Out, class T, class Reducer>
Tensor<Out> reduce(const Tensor<T>& x, const Shape& dims, bool keepdim, const Reducer& r, const char* op) {
  const ReducePlan plan = plan_reduction(x.impl(), dims, keepdim, op);
  Tensor<Out> out = empty_tensor<Out>(plan.out_shape, {.device = x.device()}, op);
  reduce_into<T, Out>(x.impl(), plan, out.data_ptr(), r);
  return out;
}

template <class Out, class T>
void copy_reduction_out(const char* op, const Tensor<Out>& out, const Tensor<T>& result) {
  check_out<Out, T>(op, out.impl(), result.sizes());
  out.copy_(result);
}

inline Shape all_dims() { return {}; }

template <class T>
void check_nonempty_reduction(const Tensor<T>& x, const Shape& dims, const char* op) {
  if (x.numel() > 0) return;
  const std::vector<bool> mask = reduced_mask(dims, x.dim(), op);
  for (int64_t d = 0; d < x.dim(); ++d)
    TS_CHECK(!mask[d] || x.sizes()[d] != 0, op, ": Expected reduction dim ", d,
             " to have non-zero size (input shape ", shape_str(x.sizes()), ")");
  TS_CHECK(x.dim() > 0 || x.numel() > 0, op, ": cannot reduce an empty tensor");
}

}  // namespace detail

// --- sum, prod, mean, amax, amin, norm, all, any, logsumexp ------------------------------------------

namespace detail {
/** For a contiguous x whose reduced dims are one run [d0, d1] followed by kept dims: the sizes
 *  (outer, reduced, inner) of column_sum, else nothing. */
template <class T>
std::optional<std::array<int64_t, 3>> column_layout(const Tensor<T>& x, const Shape& dims) {
  if (!x.is_contiguous() || x.dim() < 2) return std::nullopt;
  const std::vector<bool> mask = reduced_mask(dims, x.dim(), "sum");
  int64_t d0 = -1, d1 = -1;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (mask[d]) {
      if (d0 < 0) d0 = d;
      else if (d != d1 + 1) return std::nullopt;  // not one run
      d1 = d;
    }
  if (d0 < 0 || d1 == x.dim() - 1) return std::nullopt;
  std::array<int64_t, 3> sizes = {1, 1, 1};
  for (int64_t d = 0; d < x.dim(); ++d) sizes[d < d0 ? 0 : d <= d1 ? 1 : 2] *= x.sizes()[d];
  return sizes;
}
}  // namespace detail

namespace detail {
/** Records `NodeT(args...)` for a reduction of x when x needs grad. */
template <class NodeT, class T, class R, class... Args>
Tensor<R> record_reduction(const Tensor<T>& x, Tensor<R> out, Args&&... args) {
  if constexpr (is_floating_v<T>)
    if (needs_grad(x)) record<NodeT>({x}, {out}, std::forward<Args>(args)...);
  return out;
}
}  // namespace detail

template <class T>
Tensor<sum_t<T>> sum(const Tensor<T>& x, const Shape& dims, bool keepdim = false) {
  Tensor<sum_t<T>> out;
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    if (const auto layout = detail::column_layout(x, dims)) {
      const detail::ReducePlan plan = detail::plan_reduction(x.impl(), dims, keepdim, "sum");
      out = detail::empty_tensor<T>(plan.out_shape, {.device = x.device()}, "sum");
      detail::column_sum(x.data_ptr(), out.data_ptr(), (*layout)[0], (*layout)[1], (*layout)[2]);
    }
  }
  if (!out.defined()) out = detail::reduce<sum_t<T>>(x, dims, keepdim, detail::SumReducer<T, sum_t<T>>{}, "sum");
  return detail::record_reduction<detail::SumBackward<T>>(x, out, x.sizes(), dims, keepdim, "sum");
}
template <class T>
Tensor<sum_t<T>> prod(const Tensor<T>& x, const Shape& dims, bool keepdim = false) {
  Tensor<sum_t<T>> out = detail::reduce<sum_t<T>>(x, dims, keepdim, detail::ProdReducer<T, sum_t<T>>{}, "prod");
  return detail::record_reduction<detail::ProdBackward<T>>(x, out, x, out, dims, keepdim);
}
template <class T>
Tensor<T> mean(const Tensor<T>& x, const Shape& dims, bool keepdim = false) {
  static_assert(is_floating_v<T>, "mean: integral tensors have no mean in PyTorch; convert with to<float>() first");
  const detail::ReducePlan plan = detail::plan_reduction(x.impl(), dims, keepdim, "mean");
  Tensor<T> out = detail::reduce<T>(x, dims, keepdim, detail::MeanReducer<T, T>(plan.reduced), "mean");
  return detail::record_reduction<detail::MeanBackward<T>>(x, out, x.sizes(), dims, keepdim, "mean");
}
template <class T>
Tensor<T> amax(const Tensor<T>& x, const Shape& dims, bool keepdim = false) {
  detail::check_nonempty_reduction(x, dims, "amax");
  Tensor<T> out = detail::reduce<T>(x, dims, keepdim, detail::ExtremeReducer<T, true>{}, "amax");
  return detail::record_reduction<detail::AmaxBackward<T>>(x, out, x, out, dims, keepdim, true);
}
template <class T>
Tensor<T> amin(const Tensor<T>& x, const Shape& dims, bool keepdim = false) {
  detail::check_nonempty_reduction(x, dims, "amin");
  Tensor<T> out = detail::reduce<T>(x, dims, keepdim, detail::ExtremeReducer<T, false>{}, "amin");
  return detail::record_reduction<detail::AmaxBackward<T>>(x, out, x, out, dims, keepdim, false);
}
template <class T>
Tensor<floating_t<T>> norm(const Tensor<T>& x, const Shape& dims, bool keepdim = false) {
  Tensor<floating_t<T>> out =
      detail::reduce<floating_t<T>>(x, dims, keepdim, detail::NormReducer<T, floating_t<T>>{}, "norm");
  return detail::record_reduction<detail::NormBackward1<T>>(x, out, x, out, dims, keepdim);
}
template <class T>
Tensor<bool> all(const Tensor<T>& x, const Shape& dims, bool keepdim = false) {
  return detail::reduce<bool>(x, dims, keepdim, detail::LogicalReducer<T, true>{}, "all");
}
template <class T>
Tensor<bool> any(const Tensor<T>& x, const Shape& dims, bool keepdim = false) {
  return detail::reduce<bool>(x, dims, keepdim, detail::LogicalReducer<T, false>{}, "any");
}
/** log(sum(exp(x))) computed stably, as PyTorch: shifted by the maximum. */
template <class T>
Tensor<floating_t<T>> logsumexp(const Tensor<T>& x, const Shape& dims, bool keepdim = false) {
  using F = floating_t<T>;
  Tensor<F> out;
  {
    NoGradGuard no_grad;
    const Tensor<F> xf = x.template to<F>();
    Tensor<F> maxes = x.numel() == 0 ? zeros_like(sum(xf, dims, true)) : amax(xf, dims, true);
    const Tensor<F> shift = maxes.masked_fill(maxes.abs() == INFINITY, 0);
    out = sum((xf - shift).exp(), dims, keepdim).log();
    out.add_(keepdim ? shift : shift.view(out.sizes()));
  }
  return detail::record_reduction<detail::LogsumexpBackward0<T>>(x, out, x, out, dims, keepdim);
}

/** Variance with Bessel's correction by default (correction = 1), computed in double. */
template <class T>
Tensor<T> var(const Tensor<T>& x, const Shape& dims, bool keepdim = false, int64_t correction = 1) {
  static_assert(is_floating_v<T>, "var: integral tensors have no variance in PyTorch; convert with to<float>() first");
  Tensor<T> out = detail::reduce<T>(x, dims, keepdim, detail::WelfordReducer<T>{correction, false}, "var");
  return detail::record_reduction<detail::VarBackward0<T>>(x, out, x, dims, keepdim, correction);
}
template <class T>
Tensor<T> std(const Tensor<T>& x, const Shape& dims, bool keepdim = false, int64_t correction = 1) {
  static_assert(is_floating_v<T>, "std: integral tensors have no standard deviation in PyTorch");
  Tensor<T> out = detail::reduce<T>(x, dims, keepdim, detail::WelfordReducer<T>{correction, true}, "std");
  return detail::record_reduction<detail::StdBackward0<T>>(x, out, x, out, dims, keepdim, correction);
}

#define TS_DEFINE_REDUCTION(name, result)                                                                   \
  template <class T>                                                                                        \
  Tensor<result> name(const Tensor<T>& x) {                                                                 \
    return name(x, detail::all_dims(), false);                                                              \
  }                                                                                                         \
  template <class T>                                                                                        \
  Tensor<result> name(const Tensor<T>& x, int64_t dim, bool keepdim = false) {                              \
    return name(x, Shape{dim}, keepdim);                                                                    \
  }                                                                                                         \
  template <class O, class T>                                                                               \
  const Tensor<O>& name##_out(const Tensor<O>& out, const Tensor<T>& x, const Shape& dims = {},             \
                              bool keepdim = false) {                                                       \
    detail::copy_reduction_out(#name, out, name(x, dims, keepdim));                                         \
    return out;                                                                                             \
  }                                                                                                         \
  template <class T>                                                                                        \
  Tensor<result> Tensor<T>::name() const {                                                                  \
    return tessera::name(*this, detail::all_dims(), false);                                                 \
  }                                                                                                         \
  template <class T>                                                                                        \
  Tensor<result> Tensor<T>::name(int64_t dim, bool keepdim) const {                                         \
    return tessera::name(*this, Shape{dim}, keepdim);                                                       \
  }                                                                                                         \
  template <class T>                                                                                        \
  Tensor<result> Tensor<T>::name(const Shape& dims, bool keepdim) const {                                   \
    return tessera::name(*this, dims, keepdim);                                                             \
  }
TS_DEFINE_REDUCTION(sum, sum_t<T>)
TS_DEFINE_REDUCTION(prod, sum_t<T>)
TS_DEFINE_REDUCTION(mean, T)
TS_DEFINE_REDUCTION(amax, T)
TS_DEFINE_REDUCTION(amin, T)
TS_DEFINE_REDUCTION(norm, floating_t<T>)
TS_DEFINE_REDUCTION(logsumexp, floating_t<T>)
TS_DEFINE_REDUCTION(all, bool)
TS_DEFINE_REDUCTION(any, bool)
#undef TS_DEFINE_REDUCTION

template <class T>
Tensor<T> var(const Tensor<T>& x) {
  return var(x, detail::all_dims());
}
template <class T>
Tensor<T> std(const Tensor<T>& x) {
  return std(x, detail::all_dims());
}
template <class T>
Tensor<T> Tensor<T>::var(std::optional<Shape> dims, bool keepdim, int64_t correction) const {
  return tessera::var(*this, dims.value_or(Shape{}), keepdim, correction);
}
template <class T>
Tensor<T> Tensor<T>::std(std::optional<Shape> dims, bool keepdim, int64_t correction) const {
  return tessera::std(*this, dims.value_or(Shape{}), keepdim, correction);
}
template <class O, class T>
const Tensor<O>& var_out(const Tensor<O>& out, const Tensor<T>& x, const Shape& dims = {}, bool keepdim = false,
                         int64_t correction = 1) {
  detail::copy_reduction_out("var", out, var(x, dims, keepdim, correction));
  return out;
}
template <class O, class T>
const Tensor<O>& std_out(const Tensor<O>& out, const Tensor<T>& x, const Shape& dims = {}, bool keepdim = false,
                         int64_t correction = 1) {
  detail::copy_reduction_out("std", out, std(x, dims, keepdim, correction));
  return out;
}

// --- max, min, argmax, argmin --------------------------------------------------------------------------

namespace detail {
template <bool is_max, class T>
std::tuple<Tensor<T>, Tensor<int64_t>> extreme_with_index(const Tensor<T>& x, int64_t dim, bool keepdim,
                                                          const char* op) {
  dim = wrap_dim(dim, x.dim(), op);
  const Shape dims = x.dim() == 0 ? Shape{} : Shape{dim};
  check_nonempty_reduction(x, dims, op);
  const ReducePlan plan = plan_reduction(x.impl(), dims, keepdim, op);
  using Acc = typename ArgReducer<T, is_max>::Acc;
  std::vector<Acc> accs(static_cast<size_t>(plan.outputs));
  reduce_into<T, Acc>(x.impl(), plan, accs.data(), ArgReducer<T, is_max>{});
  Tensor<T> values = empty_tensor<T>(plan.out_shape, {.device = x.device()}, op);
  Tensor<int64_t> indices = empty_tensor<int64_t>(plan.out_shape, {.device = x.device()}, op);
  for (size_t i = 0; i < accs.size(); ++i) {
    values.data_ptr()[i] = convert<T>(accs[i].value);
    indices.data_ptr()[i] = accs[i].index;
  }
  record_reduction<MaxDimBackward<T>>(x, values, x.sizes(), dim, keepdim, indices, is_max);
  return {values, indices};
}

template <bool is_max, class T>
Tensor<int64_t> arg_extreme(const Tensor<T>& x, std::optional<int64_t> dim, bool keepdim, const char* op) {
  if (dim) return std::get<1>(extreme_with_index<is_max>(x, *dim, keepdim, op));
  TS_CHECK(x.numel() > 0, op, ": Expected reduction dim to be specified for input.numel() == 0.");
  auto flat = std::get<1>(extreme_with_index<is_max>(x.contiguous().view({-1}), 0, false, op));
  return keepdim ? flat.view(Shape::filled(static_cast<size_t>(x.dim()), 1)) : flat;
}
}  // namespace detail

template <class T>
std::tuple<Tensor<T>, Tensor<int64_t>> max(const Tensor<T>& x, int64_t dim, bool keepdim = false) {
  return detail::extreme_with_index<true>(x, dim, keepdim, "max");
}
template <class T>
std::tuple<Tensor<T>, Tensor<int64_t>> min(const Tensor<T>& x, int64_t dim, bool keepdim = false) {
  return detail::extreme_with_index<false>(x, dim, keepdim, "min");
}
template <class T>
Tensor<T> max(const Tensor<T>& x) {
  TS_CHECK(x.numel() > 0, "max: Expected reduction dim to be specified for input.numel() == 0. Specify the reduction "
           "dim with the 'dim' argument.");
  Tensor<T> out;
  {
    NoGradGuard no_grad;
    out = amax(x);
  }
  return detail::record_reduction<detail::MaxAllBackward<T>>(x, out, x, out, true);
}
template <class T>
Tensor<T> min(const Tensor<T>& x) {
  TS_CHECK(x.numel() > 0, "min: Expected reduction dim to be specified for input.numel() == 0. Specify the reduction "
           "dim with the 'dim' argument.");
  Tensor<T> out;
  {
    NoGradGuard no_grad;
    out = amin(x);
  }
  return detail::record_reduction<detail::MaxAllBackward<T>>(x, out, x, out, false);
}
template <class T>
Tensor<int64_t> argmax(const Tensor<T>& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false) {
  return detail::arg_extreme<true>(x, dim, keepdim, "argmax");
}
template <class T>
Tensor<int64_t> argmin(const Tensor<T>& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false) {
  return detail::arg_extreme<false>(x, dim, keepdim, "argmin");
}
template <class T>
Tensor<T> Tensor<T>::max() const { return tessera::max(*this); }
template <class T>
Tensor<T> Tensor<T>::min() const { return tessera::min(*this); }
template <class T>
std::tuple<Tensor<T>, Tensor<int64_t>> Tensor<T>::max(int64_t dim, bool keepdim) const {
  return tessera::max(*this, dim, keepdim);
}
template <class T>
std::tuple<Tensor<T>, Tensor<int64_t>> Tensor<T>::min(int64_t dim, bool keepdim) const {
  return tessera::min(*this, dim, keepdim);
}
template <class T>
Tensor<int64_t> Tensor<T>::argmax(std::optional<int64_t> dim, bool keepdim) const {
  return tessera::argmax(*this, dim, keepdim);
}
template <class T>
Tensor<int64_t> Tensor<T>::argmin(std::optional<int64_t> dim, bool keepdim) const {
  return tessera::argmin(*this, dim, keepdim);
}
template <class O, class T>
const Tensor<O>& argmax_out(const Tensor<O>& out, const Tensor<T>& x, std::optional<int64_t> dim = std::nullopt,
                            bool keepdim = false) {
  detail::copy_reduction_out("argmax", out, argmax(x, dim, keepdim));
  return out;
}
template <class O, class T>
const Tensor<O>& argmin_out(const Tensor<O>& out, const Tensor<T>& x, std::optional<int64_t> dim = std::nullopt,
                            bool keepdim = false) {
  detail::copy_reduction_out("argmin", out, argmin(x, dim, keepdim));
  return out;
}

// --- softmax, log_softmax, cumsum: one dim, row by row --------------------------------------------------

namespace detail {
/** Calls f(in_row, out_row, in_stride, out_stride, length) for every row of x along `dim`. */
template <class T, class Out, class F>
void for_each_row(const Tensor<T>& x, const Tensor<Out>& out, int64_t dim, const F& f) {
  if (x.numel() == 0) return;
  if (x.dim() == 0) {
    f(x.data_ptr(), out.data_ptr(), 1, 1, 1);
    return;
  }
  Shape outer = x.sizes();
  outer[dim] = 1;
  const StridedLoop<2> loop(outer, {reinterpret_cast<char*>(x.data_ptr()), reinterpret_cast<char*>(out.data_ptr())},
                            {&x.strides(), &out.strides()}, {static_cast<int64_t>(sizeof(T)), static_cast<int64_t>(sizeof(Out))});
  const int64_t len = x.sizes()[dim], xs = x.strides()[dim], os = out.strides()[dim];
  parallel_for(0, loop.numel(), std::max<int64_t>(1, kGrainSize / std::max<int64_t>(len, 1)), [&](int64_t b, int64_t e) {
    loop.run([&](const auto& p, const auto& s, int64_t n) {
      for (int64_t i = 0; i < n; ++i)
        f(reinterpret_cast<const T*>(p[0] + i * s[0]), reinterpret_cast<Out*>(p[1] + i * s[1]), xs, os, len);
    }, b, e);
  });
}

template <bool log, class T>
Tensor<floating_t<T>> softmax_impl(const Tensor<T>& x, int64_t dim, const char* op) {
  using F = floating_t<T>;
  using C = opmath_t<F>;
  dim = wrap_dim(dim, x.dim(), op);
  Tensor<F> out = empty_like_preserving<F>(x.impl());
  for_each_row(x, out, dim, [](const T* in, F* o, int64_t is, int64_t os, int64_t n) {
    C m = -INFINITY;
    for (int64_t i = 0; i < n; ++i) m = std::max(m, convert<C>(in[i * is]));
    C total = 0;
    for (int64_t i = 0; i < n; ++i) total += std::exp(convert<C>(in[i * is]) - m);
    if constexpr (log) {
      const C shift = m + std::log(total);
      for (int64_t i = 0; i < n; ++i) o[i * os] = convert<F>(convert<C>(in[i * is]) - shift);
    } else {
      for (int64_t i = 0; i < n; ++i) o[i * os] = convert<F>(std::exp(convert<C>(in[i * is]) - m) / total);
    }
  });
  return out;
}
}  // namespace detail

/** exp(x) / sum(exp(x)) along `dim`, shifted by the row maximum for stability. */
template <class T>
Tensor<floating_t<T>> softmax(const Tensor<T>& x, int64_t dim) {
  Tensor<floating_t<T>> out = detail::softmax_impl<false>(x, dim, "softmax");
  return detail::record_reduction<detail::SoftmaxBackward0<T>>(x, out, out, detail::wrap_dim(dim, x.dim(), "softmax"));
}
/** x - log(sum(exp(x))) along `dim`. */
template <class T>
Tensor<floating_t<T>> log_softmax(const Tensor<T>& x, int64_t dim) {
  Tensor<floating_t<T>> out = detail::softmax_impl<true>(x, dim, "log_softmax");
  return detail::record_reduction<detail::LogSoftmaxBackward0<T>>(x, out, out,
                                                                   detail::wrap_dim(dim, x.dim(), "log_softmax"));
}
/** Running sums along `dim`; float sums accumulate in double, as PyTorch's CPU kernel. */
template <class T>
Tensor<sum_t<T>> cumsum(const Tensor<T>& x, int64_t dim) {
  using R = sum_t<T>;
  using Acc = std::conditional_t<is_floating_v<T>, double, int64_t>;
  dim = detail::wrap_dim(dim, x.dim(), "cumsum");
  Tensor<R> out = detail::empty_like_preserving<R>(x.impl());
  detail::for_each_row(x, out, dim, [](const T* in, R* o, int64_t is, int64_t os, int64_t n) {
    Acc acc = 0;
    for (int64_t i = 0; i < n; ++i) {
      acc += detail::convert<Acc>(in[i * is]);
      o[i * os] = detail::convert<R>(acc);
    }
  });
  return detail::record_reduction<detail::CumsumBackward0<T>>(x, out, dim);
}
template <class T>
Tensor<floating_t<T>> Tensor<T>::softmax(int64_t dim) const { return tessera::softmax(*this, dim); }
template <class T>
Tensor<floating_t<T>> Tensor<T>::log_softmax(int64_t dim) const { return tessera::log_softmax(*this, dim); }
template <class T>
Tensor<sum_t<T>> Tensor<T>::cumsum(int64_t dim) const { return tessera::cumsum(*this, dim); }
template <class O, class T>
const Tensor<O>& softmax_out(const Tensor<O>& out, const Tensor<T>& x, int64_t dim) {
  detail::copy_reduction_out("softmax", out, softmax(x, dim));
  return out;
}
template <class O, class T>
const Tensor<O>& log_softmax_out(const Tensor<O>& out, const Tensor<T>& x, int64_t dim) {
  detail::copy_reduction_out("log_softmax", out, log_softmax(x, dim));
  return out;
}
template <class O, class T>
const Tensor<O>& cumsum_out(const Tensor<O>& out, const Tensor<T>& x, int64_t dim) {
  detail::copy_reduction_out("cumsum", out, cumsum(x, dim));
  return out;
}

}  // namespace tessera
