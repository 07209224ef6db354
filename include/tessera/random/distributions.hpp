#pragma once
// Distributions on the Philox stream: rand, randn, randint, randperm, bernoulli, multinomial,
// uniform_, normal_, rand_like, randn_like. The bit-to-value mapping is docs/random.md.

#include "../backend/cpu/random.hpp"
#include "../backend/dispatch.hpp"
#include "../ops/creation.hpp"
#include "../ops/elementwise.hpp"
#include "generator.hpp"

namespace tessera {
namespace detail {

/** PyTorch's check of random_'s range [from, to) against T (float and double only warn there,
 *  and int64_t holds every bound), named as its error names the C++ type. */
template <class T>
void check_random_bounds(int64_t from, int64_t to, const char* op) {
  if constexpr (!std::is_same_v<T, float> && !std::is_same_v<T, double> && !std::is_same_v<T, int64_t>) {
    const char* name = std::is_same_v<T, bool> ? "bool" : std::is_same_v<T, uint8_t> ? "unsigned char"
                     : std::is_same_v<T, int8_t> ? "signed char" : std::is_same_v<T, int16_t> ? "short int"
                     : std::is_same_v<T, int32_t> ? "int" : std::is_same_v<T, half> ? "c10::Half" : "c10::BFloat16";
    double lowest = 0, max = 1;  // bool
    if constexpr (is_floating_v<T>) lowest = -largest_finite<T>(), max = largest_finite<T>();
    else if constexpr (!std::is_same_v<T, bool>)
      lowest = static_cast<double>(std::numeric_limits<T>::lowest()), max = static_cast<double>(std::numeric_limits<T>::max());
    const auto inside = [&](int64_t v) { return static_cast<double>(v) >= lowest && static_cast<double>(v) <= max; };
    TS_CHECK(inside(from), op, ": from is out of bounds for ", name);
    TS_CHECK(inside(to - 1), op, ": to - 1 is out of bounds for ", name);
  }
}

template <class T>
void check_floating_sampler(const char* op) {
  static_assert(is_floating_v<T>, "this sampler needs a floating element type");
  (void)op;
}

/** Draws into the fresh contiguous `out` as `plan` says, from `blocks` blocks reserved of `gen`. */
template <class T>
void draw(const Tensor<T>& out, RandomPlan plan, Generator& gen, int64_t blocks) {
  const GeneratorState state = gen.reserve(static_cast<uint64_t>(blocks));
  plan.out = &out.impl();
  plan.fresh_out = true;
  plan.seed = state.seed;
  plan.offset = state.offset;
  dispatch_plan(plan, [&] { fill_random(out.kernel_data(), plan); });
}

}  // namespace detail

/** Uniform samples in [0, 1) (never 1, in every floating dtype). */
template <class T = float>
Tensor<T> rand(const Shape& shape, Generator& gen, const TensorOptions& options = {}) {
  detail::check_floating_sampler<T>("rand");
  Tensor<T> out = detail::empty_tensor<T>(shape, {.device = options.device}, "rand");
  detail::draw(out, {.op = "uniform"}, gen, detail::blocks_for<T>(out.numel()));
  if (options.requires_grad) out.requires_grad_(true);
  return out;
}
template <class T = float>
Tensor<T> rand(const Shape& shape, const TensorOptions& options = {}) {
  return rand<T>(shape, default_generator(), options);
}

/** Standard normal samples (Box-Muller). */
template <class T = float>
Tensor<T> randn(const Shape& shape, Generator& gen, const TensorOptions& options = {}) {
  detail::check_floating_sampler<T>("randn");
  Tensor<T> out = detail::empty_tensor<T>(shape, {.device = options.device}, "randn");
  detail::draw(out, {.op = "normal"}, gen, detail::blocks_for<T>(out.numel()));
  if (options.requires_grad) out.requires_grad_(true);
  return out;
}
template <class T = float>
Tensor<T> randn(const Shape& shape, const TensorOptions& options = {}) {
  return randn<T>(shape, default_generator(), options);
}

/** Uniform integers in [low, high), int64_t unless T is given; unbiased. */
template <class T = int64_t>
Tensor<T> randint(int64_t low, int64_t high, const Shape& shape, Generator& gen, const TensorOptions& options = {}) {
  TS_CHECK(low < high, "randint: random_ expects 'from' to be less than 'to', but got from=", low, " >= to=", high);
  detail::check_random_bounds<T>(low, high, "randint");
  Tensor<T> out = detail::empty_tensor<T>(shape, {.device = options.device}, "randint");
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  detail::draw(out, {.op = "randint", .low = low, .range = range}, gen, out.numel());
  return out;
}
template <class T = int64_t>
Tensor<T> randint(int64_t low, int64_t high, const Shape& shape, const TensorOptions& options = {}) {
  return randint<T>(low, high, shape, default_generator(), options);
}
template <class T = int64_t>
Tensor<T> randint(int64_t high, const Shape& shape, const TensorOptions& options = {}) {
  return randint<T>(0, high, shape, default_generator(), options);
}

/** A random permutation of 0..n-1: elements ordered by a 64-bit random key each. */
template <class = void>
Tensor<int64_t> randperm(int64_t n, Generator& gen, const TensorOptions& options = {}) {
  TS_CHECK(n >= 0, "randperm: n must be non-negative, got ", n);
  Tensor<int64_t> out = detail::empty_tensor<int64_t>({n}, {.device = options.device}, "randperm");
  detail::draw(out, {.op = "randperm"}, gen, (n + 1) / 2);
  return out;
}
template <class = void>
Tensor<int64_t> randperm(int64_t n, const TensorOptions& options = {}) {
  return randperm(n, default_generator(), options);
}

/** 1 with probability p (elementwise), else 0; same dtype and shape as p. */
template <class T>
Tensor<T> bernoulli(const Tensor<T>& p, Generator& gen) {
  detail::check_floating_sampler<T>("bernoulli");
  NoGradGuard no_grad;
  const Tensor<double> probs = p.template to<double>();
  const Tensor<bool> valid = probs >= 0.0 && probs <= 1.0;
  if (!valid.all().item())
    detail::throw_error("bernoulli: Expected p_in >= 0 && p_in <= 1 to be true, but got ", probs.index({!valid})[0].item());
  return (rand<double>(p.sizes(), gen, {.device = p.device()}) < probs).template to<T>();
}
template <class T>
Tensor<T> bernoulli(const Tensor<T>& p) {
  return bernoulli(p, default_generator());
}

/** Indices drawn from each row of non-negative weights `probs` (1-D or 2-D), with or without
 *  replacement; drawn on the CPU and copied to the weights' device. */
template <class T>
Tensor<int64_t> multinomial(const Tensor<T>& probs, int64_t num_samples, bool replacement, Generator& gen) {
  TS_CHECK(probs.dim() == 1 || probs.dim() == 2, "multinomial: prob_dist must be 1 or 2 dim, got ", probs.dim());
  TS_CHECK(num_samples > 0, "multinomial: cannot sample n_sample <= 0 samples");
  NoGradGuard no_grad;
  const Tensor<double> w =
      probs.template to<double>().to(Device::cpu()).contiguous().reshape({-1, probs.sizes()[probs.dim() - 1]});
  const int64_t rows = w.sizes()[0], k = w.sizes()[1];
  TS_CHECK(replacement || num_samples <= k, "multinomial: cannot sample n_sample > prob_dist.size(-1) samples without "
           "replacement (", num_samples, " > ", k, ")");
  detail::check_multinomial_weights(w.data_ptr(), rows, k, num_samples, replacement);
  const Tensor<double> u = rand<double>({replacement ? rows * num_samples : rows * k}, gen);
  Tensor<int64_t> out = detail::empty_tensor<int64_t>({rows, num_samples}, {}, "multinomial");
  detail::multinomial_rows(w.data_ptr(), u.data_ptr(), out.data_ptr(), rows, k, num_samples, replacement);
  return (probs.dim() == 1 ? out.view({num_samples}) : out).to(probs.device());
}
template <class T>
Tensor<int64_t> multinomial(const Tensor<T>& probs, int64_t num_samples, bool replacement = false) {
  return multinomial(probs, num_samples, replacement, default_generator());
}

template <class T>
const Tensor<T>& Tensor<T>::uniform_(double from, double to, Generator& gen) const {
  detail::check_floating_sampler<T>("uniform_");
  // PyTorch's checks, in its order: each end finite and within T, then the order, then the span.
  if constexpr (!std::is_same_v<T, double>) {
    const char* name = std::is_same_v<T, float> ? "float" : std::is_same_v<T, half> ? "c10::Half" : "c10::BFloat16";
    const double max = detail::largest_finite<T>();
    TS_CHECK(from >= -max && from <= max, "uniform_: from is out of bounds for ", name);
    TS_CHECK(to >= -max && to <= max, "uniform_: to is out of bounds for ", name);
  }
  TS_CHECK(from <= to, "uniform_: expects to return a [from, to) range, but found from=", from, " > to=", to);
  TS_CHECK(to - from <= detail::largest_finite<T>(), "uniform_: uniform_ expects to-from <= std::numeric_limits<",
           std::is_same_v<T, double> ? "Double" : std::is_same_v<T, float> ? "Float" : std::is_same_v<T, half> ? "Half" : "BFloat16",
           ">::max(), but found to=", to, " and from=", from, " which result in to-from to exceed the limit");
  Tensor<T> u = rand<T>(sizes(), gen, {.device = device()});
  if (from != 0 || to != 1) u = (u.template to<double>() * (to - from) + from).template to<T>();
  copy_(u);
  return *this;
}
template <class T>
const Tensor<T>& Tensor<T>::uniform_(double from, double to) const {
  return uniform_(from, to, default_generator());
}
template <class T>
const Tensor<T>& Tensor<T>::normal_(double mean, double stddev, Generator& gen) const {
  detail::check_floating_sampler<T>("normal_");
  TS_CHECK(stddev >= 0, "normal_: expects std >= 0.0, but found std ", stddev);
  Tensor<T> z = detail::empty_tensor<T>(sizes(), {.device = device()}, "normal_");
  detail::draw(z, {.op = "normal", .mean = mean, .stddev = stddev}, gen, detail::blocks_for<T>(z.numel()));
  copy_(z);
  return *this;
}
template <class T>
const Tensor<T>& Tensor<T>::normal_(double mean, double stddev) const {
  return normal_(mean, stddev, default_generator());
}

/** rand / randn with the shape, dtype and device of `like`. */
template <class T>
Tensor<T> rand_like(const Tensor<T>& like, Generator& gen = default_generator()) {
  return rand<T>(like.sizes(), gen, {.device = like.device()});
}
template <class T>
Tensor<T> randn_like(const Tensor<T>& like, Generator& gen = default_generator()) {
  return randn<T>(like.sizes(), gen, {.device = like.device()});
}

}  // namespace tessera
