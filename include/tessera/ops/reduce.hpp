#pragma once
// Reductions: sum mean prod amax amin max min argmax argmin std var norm logsumexp all any,
// over all elements, one dim or several, with keepdim; softmax, log_softmax and cumsum.

#include <cmath>
#include <string_view>
#include <tuple>

#include "../backend/cpu/reduce.hpp"
#include "../backend/cpu/rows.hpp"
#include "elementwise.hpp"

namespace tessera {
namespace detail {

/** Runs reducer r over `dims` of x into a new contiguous Tensor<Out>. */
template <class Out, class T, class Reducer>
Tensor<Out> reduce(const Tensor<T>& x, const Shape& dims, bool keepdim, const Reducer& r, const char* op,
                   double scalar = 0) {
  const ReduceLayout layout = reduce_layout(x.impl(), dims, keepdim, op);
  Tensor<Out> out = empty_tensor<Out>(layout.out_shape, {.device = x.device()}, op);
  dispatch_plan(ReductionPlan{.op = op, .out = &out.impl(), .fresh_out = true, .input = &x.impl(), .layout = &layout,
                              .scalar = scalar},
                [&] { reduce_into<T, Out>(x.impl(), layout, out.kernel_data(), r); });
  return out;
}

template <class Out, class T>
void copy_reduction_out(const char* op, const Tensor<Out>& out, const Tensor<T>& result) {
  copy_result(op, out, result);
}

inline Shape all_dims() { return {}; }

template <class T>
void check_nonempty_reduction(const Tensor<T>& x, const Shape& dims, const char* op) {
  if (x.numel() > 0) return;
  const std::vector<bool> mask = reduced_mask(dims, x.dim(), op);
  for (int64_t d = 0; d < x.dim(); ++d)
    TS_CHECK(!mask[static_cast<size_t>(d)] || x.sizes()[d] != 0, op, ": Expected reduction dim ", d,
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
    if (mask[static_cast<size_t>(d)]) {
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
      const detail::ReduceLayout plan = detail::reduce_layout(x.impl(), dims, keepdim, "sum");
      out = detail::empty_tensor<T>(plan.out_shape, {.device = x.device()}, "sum");
      detail::dispatch_plan(detail::ReductionPlan{.op = "sum", .out = &out.impl(), .fresh_out = true, .input = &x.impl(),
                                                  .layout = &plan},
                            [&] { detail::column_sum(x.kernel_data(), out.kernel_data(), (*layout)[0], (*layout)[1], (*layout)[2]); });
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
namespace detail {
/** torch.mean's value and node. `round_sum`: a half or bfloat16 sum is rounded to the dtype
 *  before the division, as torch.mean does (the mean of 3000 halves summing to 44992 is 15, not
 *  the 14.99 of one rounding); else the sum stays in the accumulator (float) until divided, as in
 *  PyTorch's fused kernels (batch, layer and group norm, adaptive pooling). */
template <class T>
Tensor<T> mean_of(const Tensor<T>& x, const Shape& dims, bool keepdim, bool round_sum) {
  const ReduceLayout plan = reduce_layout(x.impl(), dims, keepdim, "mean");
  Tensor<T> out;
  if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) {
    if (round_sum) {
      NoGradGuard no_grad;
      out = sum(x, dims, keepdim);
      out.div_(static_cast<double>(plan.reduced));
    }
  }
  if (!out.defined()) out = reduce<T>(x, dims, keepdim, MeanReducer<T, T>(plan.reduced), "mean");
  return record_reduction<MeanBackward<T>>(x, out, x.sizes(), dims, keepdim, "mean");
}
/** The mean of the fused kernels: the sum kept in the accumulator (mean_of). */
template <class T>
Tensor<T> mean_accumulated(const Tensor<T>& x, const Shape& dims, bool keepdim = false) {
  return mean_of(x, dims, keepdim, false);
}
}  // namespace detail

template <class T>
Tensor<T> mean(const Tensor<T>& x, const Shape& dims, bool keepdim = false) {
  static_assert(is_floating_v<T>, "mean: integral tensors have no mean in PyTorch; convert with to<float>() first");
  return detail::mean_of(x, dims, keepdim, true);
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
namespace detail {
/** The 2-norm over `dims`: one pass, its own backward. */
template <class T>
Tensor<floating_t<T>> norm2(const Tensor<T>& x, const Shape& dims, bool keepdim) {
  Tensor<floating_t<T>> out = reduce<floating_t<T>>(x, dims, keepdim, NormReducer<T, floating_t<T>>{}, "norm");
  return record_reduction<NormBackward1<T>>(x, out, x, out, dims, keepdim);
}

/** torch.norm refuses integral and bool tensors. */
template <class T>
void check_norm_input() {
  TS_CHECK(is_floating_v<T>, "norm: norm(): input dtype should be either floating point or complex. Got ",
           aten_type_name(dtype_of<T>), " instead.");
}
}  // namespace detail

/** The p-norm over `dims` (every dim when empty), as torch.norm(x, p, dim, keepdim): p = 2 is the
 *  Euclidean norm, 1 the sum of magnitudes, +-infinity the largest or smallest magnitude, 0 the
 *  count of non-zeros, any other p (sum |x|^p)^(1/p). */
template <class T>
Tensor<floating_t<T>> norm(const Tensor<T>& x, double p, const Shape& dims, bool keepdim = false) {
  using F = floating_t<T>;
  detail::check_norm_input<T>();
  if (p == 2) return detail::norm2(x, dims, keepdim);
  TS_CHECK(!std::isnan(p), "norm: p must not be NaN");
  Tensor<F> out;
  {
    NoGradGuard no_grad;  // its derivative is NormBackward1's, as PyTorch's
    const Tensor<F> magnitude = x.template to<F>().abs();
    if (p == 1 || x.numel() == 0) out = magnitude.sum(dims, keepdim);  // torch.norm of nothing is 0 for any p
    else if (p == INFINITY) out = magnitude.amax(dims, keepdim);
    else if (p == -INFINITY) out = magnitude.amin(dims, keepdim);
    else if (p == 0) out = (magnitude != F(0)).template to<F>().sum(dims, keepdim);
    else out = magnitude.pow(p).sum(dims, keepdim).pow(1 / p);
  }
  return detail::record_reduction<detail::NormBackward1<T>>(x, out, x, out, dims, keepdim, p);
}
template <class T>
Tensor<floating_t<T>> norm(const Tensor<T>& x, double p, int64_t dim, bool keepdim = false) {
  return norm(x, p, Shape{dim}, keepdim);
}
template <class T>
Tensor<floating_t<T>> norm(const Tensor<T>& x, double p = 2) {
  return norm(x, p, detail::all_dims(), false);
}
/** torch.norm(x, "fro", dim, keepdim): the Frobenius norm, the 2-norm of the elements over `dims`;
 *  "nuc" (the nuclear norm) is not supported. */
template <class T>
Tensor<floating_t<T>> norm(const Tensor<T>& x, std::string_view p, const Shape& dims = {}, bool keepdim = false) {
  TS_CHECK(p == "fro", "norm: p = \"", p, "\" is not supported (\"fro\" or a number)");
  detail::check_norm_input<T>();
  return detail::norm2(x, dims, keepdim);
}
template <class T>
Tensor<floating_t<T>> Tensor<T>::norm(double p) const {
  return tessera::norm(*this, p);
}
template <class T>
Tensor<floating_t<T>> Tensor<T>::norm(double p, int64_t dim, bool keepdim) const {
  return tessera::norm(*this, p, dim, keepdim);
}
template <class T>
Tensor<floating_t<T>> Tensor<T>::norm(double p, const Shape& dims, bool keepdim) const {
  return tessera::norm(*this, p, dims, keepdim);
}
template <class T>
Tensor<floating_t<T>> Tensor<T>::norm(std::string_view p, const Shape& dims, bool keepdim) const {
  return tessera::norm(*this, p, dims, keepdim);
}
template <class O, class T>
const Tensor<O>& norm_out(const Tensor<O>& out, const Tensor<T>& x, double p, const Shape& dims = {},
                          bool keepdim = false) {
  detail::copy_reduction_out("norm", out, norm(x, p, dims, keepdim));
  return out;
}

template <class T>
Tensor<logical_t<T>> all(const Tensor<T>& x, const Shape& dims, bool keepdim = false) {
  return detail::reduce<logical_t<T>>(x, dims, keepdim, detail::LogicalReducer<T, true>{}, "all");
}
template <class T>
Tensor<logical_t<T>> any(const Tensor<T>& x, const Shape& dims, bool keepdim = false) {
  return detail::reduce<logical_t<T>>(x, dims, keepdim, detail::LogicalReducer<T, false>{}, "any");
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

namespace detail {
/** Variance over `dims` with `correction` (Bessel's when 1), computed in double. */
template <class T>
Tensor<T> var_impl(const Tensor<T>& x, const Shape& dims, int64_t correction, bool keepdim) {
  static_assert(is_floating_v<T>, "var: integral tensors have no variance in PyTorch; convert with to<float>() first");
  Tensor<T> out = reduce<T>(x, dims, keepdim, WelfordReducer<T>{correction, false}, "var", static_cast<double>(correction));
  return record_reduction<VarBackward0<T>>(x, out, x, dims, keepdim, correction);
}
template <class T>
Tensor<T> std_impl(const Tensor<T>& x, const Shape& dims, int64_t correction, bool keepdim) {
  static_assert(is_floating_v<T>, "std: integral tensors have no standard deviation in PyTorch");
  Tensor<T> out = reduce<T>(x, dims, keepdim, WelfordReducer<T>{correction, true}, "std", static_cast<double>(correction));
  return record_reduction<StdBackward0<T>>(x, out, x, out, dims, keepdim, correction);
}
}  // namespace detail

// Note [var and std signatures]
// As torch.var/std: var(dim, unbiased = true, keepdim = false), so x.var(1, false) is the biased
// variance, never keepdim; and var(dim, {.correction = c, .keepdim = k}) for Python's keywords
// correction= and keepdim=. An empty dims list reduces every dim.
#define TS_DEFINE_SPREAD(name)                                                                     \
  template <class T>                                                                               \
  Tensor<T> name(const Tensor<T>& x) {                                                             \
    return detail::name##_impl(x, detail::all_dims(), 1, false);                                   \
  }                                                                                                \
  template <class T, std::same_as<bool> B> /* a bool exactly: name(x, 1) is dim 1, as in Python */ \
  Tensor<T> name(const Tensor<T>& x, B unbiased) {                                                 \
    return detail::name##_impl(x, detail::all_dims(), unbiased, false);                            \
  }                                                                                                \
  template <class T>                                                                               \
  Tensor<T> name(const Tensor<T>& x, const Shape& dims, bool unbiased = true, bool keepdim = false) { \
    return detail::name##_impl(x, dims, unbiased, keepdim);                                        \
  }                                                                                                \
  template <class T>                                                                               \
  Tensor<T> name(const Tensor<T>& x, int64_t dim, bool unbiased = true, bool keepdim = false) {    \
    return detail::name##_impl(x, Shape{dim}, unbiased, keepdim);                                  \
  }                                                                                                \
  template <class T>                                                                               \
  Tensor<T> name(const Tensor<T>& x, const Shape& dims, VarOptions options) {                      \
    return detail::name##_impl(x, dims, options.correction, options.keepdim);                      \
  }                                                                                                \
  template <class T>                                                                               \
  template <std::same_as<bool> B>                                                                  \
  Tensor<T> Tensor<T>::name(B unbiased) const {                                                    \
    return tessera::name(*this, unbiased);                                                         \
  }                                                                                                \
  template <class T>                                                                               \
  Tensor<T> Tensor<T>::name(int64_t dim, bool unbiased, bool keepdim) const {                      \
    return tessera::name(*this, dim, unbiased, keepdim);                                           \
  }                                                                                                \
  template <class T>                                                                               \
  Tensor<T> Tensor<T>::name(const Shape& dims, bool unbiased, bool keepdim) const {                \
    return tessera::name(*this, dims, unbiased, keepdim);                                          \
  }                                                                                                \
  template <class T>                                                                               \
  Tensor<T> Tensor<T>::name(const Shape& dims, VarOptions options) const {                         \
    return tessera::name(*this, dims, options);                                                    \
  }
TS_DEFINE_SPREAD(var)
TS_DEFINE_SPREAD(std)
#undef TS_DEFINE_SPREAD

/** (var, mean) over `dims`, as torch.var_mean. */
template <class T>
std::tuple<Tensor<T>, Tensor<T>> var_mean(const Tensor<T>& x, const Shape& dims = {}, bool unbiased = true,
                                          bool keepdim = false) {
  return {var(x, dims, unbiased, keepdim), mean(x, dims, keepdim)};
}
template <class T>
std::tuple<Tensor<T>, Tensor<T>> var_mean(const Tensor<T>& x, const Shape& dims, VarOptions options) {
  return {var(x, dims, options), mean(x, dims, options.keepdim)};
}
/** (std, mean) over `dims`, as torch.std_mean. */
template <class T>
std::tuple<Tensor<T>, Tensor<T>> std_mean(const Tensor<T>& x, const Shape& dims = {}, bool unbiased = true,
                                          bool keepdim = false) {
  return {std(x, dims, unbiased, keepdim), mean(x, dims, keepdim)};
}
template <class T>
std::tuple<Tensor<T>, Tensor<T>> std_mean(const Tensor<T>& x, const Shape& dims, VarOptions options) {
  return {std(x, dims, options), mean(x, dims, options.keepdim)};
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
TS_DEFINE_REDUCTION(logsumexp, floating_t<T>)
TS_DEFINE_REDUCTION(all, logical_t<T>)
TS_DEFINE_REDUCTION(any, logical_t<T>)
#undef TS_DEFINE_REDUCTION

template <class O, class T>
const Tensor<O>& var_out(const Tensor<O>& out, const Tensor<T>& x, const Shape& dims = {}, bool unbiased = true,
                         bool keepdim = false) {
  detail::copy_reduction_out("var", out, var(x, dims, unbiased, keepdim));
  return out;
}
template <class O, class T>
const Tensor<O>& std_out(const Tensor<O>& out, const Tensor<T>& x, const Shape& dims = {}, bool unbiased = true,
                         bool keepdim = false) {
  detail::copy_reduction_out("std", out, std(x, dims, unbiased, keepdim));
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
  const ReduceLayout layout = reduce_layout(x.impl(), dims, keepdim, op);
  Tensor<T> values = empty_tensor<T>(layout.out_shape, {.device = x.device()}, op);
  Tensor<int64_t> indices = empty_tensor<int64_t>(layout.out_shape, {.device = x.device()}, op);
  dispatch_plan(ReductionPlan{.op = op, .out = &values.impl(), .fresh_out = true, .input = &x.impl(), .layout = &layout,
                              .indices = &indices.impl()},
                [&] { arg_reduce_into<T, is_max>(x.impl(), layout, values.kernel_data(), indices.kernel_data()); });
  record_reduction<MaxDimBackward<T>>(x, values, x.sizes(), dim, keepdim, indices, is_max);
  return {values, indices};
}

template <bool is_max, class T>
Tensor<int64_t> arg_extreme(const Tensor<T>& x, const std::optional<int64_t>& dim, bool keepdim, const char* op) {
  if constexpr (std::is_same_v<T, bool>) throw_error(op, ": \"", op, "_cpu\" not implemented for 'Bool'");
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
  return detail::record_reduction<detail::EvenlyDistributeBackward<T>>(x, out, x, out, "MaxBackward1");
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
  return detail::record_reduction<detail::EvenlyDistributeBackward<T>>(x, out, x, out, "MinBackward1");
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
template <bool log, class T>
Tensor<floating_t<T>> softmax_impl(const Tensor<T>& x, int64_t dim, const char* op) {
  using F = floating_t<T>;
  dim = wrap_dim(dim, x.dim(), op);
  if constexpr (!is_floating_v<T>) {  // PyTorch's CPU kernels exist for floating types only
    throw_error(op, ": \"", op, dim == x.dim() - 1 || x.dim() == 0 ? "_lastdim_kernel_impl" : "_kernel_impl",
                "\" not implemented for '", aten_type_name(dtype_of<T>), "'");
  } else {
    Tensor<F> out = empty_like_preserving<F>(x.impl());
    dispatch_plan(RowPlan{.op = op, .out = &out.impl(), .fresh_out = true, .input = &x.impl(), .dim = dim},
                  [&] { softmax_rows<log, T, F>(x.impl(), out.impl(), dim); });
    return out;
  }
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
  dim = detail::wrap_dim(dim, x.dim(), "cumsum");
  Tensor<R> out = detail::empty_like_preserving<R>(x.impl());
  detail::dispatch_plan(detail::RowPlan{.op = "cumsum", .out = &out.impl(), .fresh_out = true, .input = &x.impl(), .dim = dim},
                        [&] { detail::cumsum_rows<T, R>(x.impl(), out.impl(), dim); });
  return detail::record_reduction<detail::CumsumBackward0<T>>(x, out, dim);
}
template <class T>
Tensor<floating_t<T>> Tensor<T>::softmax(int64_t dim) const { return tessera::softmax(*this, dim); }
template <class T>
Tensor<floating_t<T>> Tensor<T>::log_softmax(int64_t dim) const { return tessera::log_softmax(*this, dim); }
template <class T>
Tensor<sum_t<T>> Tensor<T>::cumsum(int64_t dim) const { return tessera::cumsum(*this, dim); }
/** In place, in self's dtype (integers wrap as PyTorch's in-place kernel does). */
template <class T>
const Tensor<T>& Tensor<T>::cumsum_(int64_t dim) const {
  return copy_(tessera::cumsum(*this, dim));
}
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

/** torch.nansum / torch.nanmean: sum and mean with NaN treated as zero and, for the mean, not
 *  counted. Over every element, or over dims. */
template <class T>
Tensor<sum_t<T>> nansum(const Tensor<T>& x) {
  return where(isnan(x), Tensor<T>(zeros<T>({}, {.device = x.device()})), x).sum();
}
template <class T>
Tensor<sum_t<T>> nansum(const Tensor<T>& x, const Shape& dims, bool keepdim = false) {
  return where(isnan(x), Tensor<T>(zeros<T>({}, {.device = x.device()})), x).sum(dims, keepdim);
}
template <class T>
Tensor<T> nanmean(const Tensor<T>& x) {
  static_assert(is_floating_v<T>, "nanmean: the input must be floating (torch.nanmean refuses integral tensors)");
  return nansum(x).div(logical_not(isnan(x)).sum()).template to<T>();
}
template <class T>
Tensor<T> nanmean(const Tensor<T>& x, const Shape& dims, bool keepdim = false) {
  static_assert(is_floating_v<T>, "nanmean: the input must be floating (torch.nanmean refuses integral tensors)");
  return nansum(x, dims, keepdim).div(logical_not(isnan(x)).sum(dims, keepdim)).template to<T>();
}
/** torch.dist: the p-norm of a - b (broadcast). */
template <class A, class B>
Tensor<floating_t<promote_t<A, B>>> dist(const Tensor<A>& a, const Tensor<B>& b, double p = 2) {
  return norm(sub(a, b), p);
}

/** torch.aminmax: (amin, amax) over every element, or over dim. */
template <class T>
std::tuple<Tensor<T>, Tensor<T>> aminmax(const Tensor<T>& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false) {
  if (dim) return {x.amin(*dim, keepdim), x.amax(*dim, keepdim)};
  return {x.amin(), x.amax()};
}

// --- frobenius_norm, renorm ------------------------------------------------------------------------

/** torch.frobenius_norm(input, dim=(), keepdim=False): the 2-norm over at most two dims (every
 *  element when none are given); floating inputs only. */
template <class T>
Tensor<T> frobenius_norm(const Tensor<T>& x, const Shape& dims = {}, bool keepdim = false) {
  TS_CHECK(is_floating_v<T>, "frobenius_norm: norm(): input dtype should be either floating point or complex. Got ",
           detail::aten_type_name(dtype_of<T>), " instead.");
  TS_CHECK(dims.size() <= 2, "frobenius_norm: Expected at most 2 dimensions, but got ", dims.size(),
           " dimensions instead.");
  if (dims.size() == 2)
    TS_CHECK(detail::wrap_dim(dims[0], x.dim(), "frobenius_norm") != detail::wrap_dim(dims[1], x.dim(), "frobenius_norm"),
             "frobenius_norm: Expected dims to be different, got ", detail::shape_str(dims), " instead");
  return norm(x, 2, dims, keepdim).template to<T>();
}

namespace detail {
template <class T>
Tensor<T> renorm_result(const Tensor<T>& x, double p, int64_t dim, double maxnorm, const char* op) {
  // PyTorch's messages name renorm for renorm_ too.
  TS_CHECK(p > 0, "renorm: non-positive-norm not supported");
  TS_CHECK(maxnorm >= 0, "renorm: expected maxnorm to be >= 0 but got ", maxnorm);
  TS_CHECK(x.dim() > 1, "renorm: input needs at least 2 dimensions, got ", x.dim(), " dimensions");
  TS_CHECK(is_floating_v<T>, "renorm: linalg.vector_norm: Expected a floating point or complex tensor as input. Got ",
           aten_type_name(dtype_of<T>));
  dim = wrap_dim(dim, x.dim(), op);
  std::vector<int64_t> others;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != dim) others.push_back(d);
  // PyTorch's factor: maxnorm / (norm + 1e-7) where the norm exceeds maxnorm, else 1.
  const auto n = x.norm(p, Shape(others), true);
  const auto scale = where(n.gt(maxnorm), n.add(1e-7).reciprocal().mul(maxnorm), ones_like(n));
  return x.mul(scale).template to<T>();
}
}  // namespace detail

/** torch.renorm(input, p, dim, maxnorm): each slice along dim whose p-norm exceeds maxnorm is
 *  scaled to norm maxnorm. */
template <class T>
Tensor<T> renorm(const Tensor<T>& x, double p, int64_t dim, double maxnorm) {
  return detail::renorm_result(x, p, dim, maxnorm, "renorm");
}
template <class T>
Tensor<T> Tensor<T>::renorm(double p, int64_t dim, double maxnorm) const {
  return tessera::renorm(*this, p, dim, maxnorm);
}
template <class T>
const Tensor<T>& Tensor<T>::renorm_(double p, int64_t dim, double maxnorm) const {
  // The product saves its input for backward: a copy keeps the old values when self is overwritten.
  return copy_(detail::renorm_result(requires_grad() ? clone() : *this, p, dim, maxnorm, "renorm_"));
}

}  // namespace tessera
