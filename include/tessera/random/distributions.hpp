#pragma once
// Distributions: rand, randn, randint, randperm, bernoulli, multinomial, uniform_, normal_,
// bernoulli_, exponential_, cauchy_, log_normal_, geometric_, random_, rand_like, randn_like, on a
// Philox or an mt19937 generator. The bit-to-value mappings are docs/random.md.

#include <numbers>

#include "../backend/cpu/mt19937_random.hpp"
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

/** PyTorch's update_from / update_to for random_ in a floating type T: moves a bound inward to the
 *  nearest integer whose neighbour does not round onto the other side in T, so that every value
 *  drawn stays in [from, to) after rounding. */
template <class T>
constexpr int digits_of() {
  return std::is_same_v<T, double> ? 53 : std::is_same_v<T, float> ? 24 : std::is_same_v<T, half> ? 11 : 8;
}
/** v rounded to T and back (narrow types through float). */
template <class T>
int64_t round_through(int64_t v) {
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) return static_cast<int64_t>(static_cast<T>(v));
  else return static_cast<int64_t>(static_cast<float>(T(static_cast<float>(v))));
}
template <class T>
int64_t update_from(int64_t from) {
  const auto from_plus_1 = round_through<T>(from + 1);
  if (from_plus_1 < from) {
    int64_t v = from + 1 < 0 ? -(from + 1) : from + 1;
    int n = 0;
    while (v >>= 1) ++n;
    from = from_plus_1 + (int64_t{1} << (n - digits_of<T>() + 1));
  }
  return from;
}
template <class T>
int64_t update_to(int64_t to) {
  const auto to_minus_1 = round_through<T>(to - 1);
  if (to_minus_1 >= to) {
    int64_t v = to - 1 < 0 ? -(to - 1) : to - 1;
    int n = 0;
    while (v >>= 1) ++n;
    to = to_minus_1 - (int64_t{1} << (n - digits_of<T>() + 1));
  }
  return to;
}

/** Draws into the fresh contiguous `out` as `plan` says, from `blocks` blocks reserved of `gen`;
 *  `input` (contiguous, out's type) is bernoulli's probabilities. */
template <class T>
void draw(const Tensor<T>& out, RandomPlan plan, Generator& gen, int64_t blocks, const Tensor<T>& input = {}) {
  const GeneratorState state = gen.reserve(static_cast<uint64_t>(blocks));
  plan.out = &out.impl();
  plan.fresh_out = true;
  plan.seed = state.seed;
  plan.offset = state.offset;
  if (input.defined()) plan.input = &input.impl();
  dispatch_plan(plan, [&] { fill_random(out.kernel_data(), plan, input.defined() ? input.kernel_data() : nullptr); });
}

/** A fresh tensor of `shape` on `device` holding 1 where the double uniform of the element is
 *  below p, else 0 (Philox generators; docs/random.md). */
template <class T>
Tensor<T> bernoulli_scalar(const Shape& shape, double p, Generator& gen, Device device, const char* op) {
  Tensor<T> out = empty_tensor<T>(shape, {.device = device}, op);
  draw(out, {.op = "bernoulli", .p = p}, gen, blocks_for<double>(out.numel()));
  return out;
}

/** A CPU tensor filled by fill(stream, data, numel) with `gen` (mt19937) locked, then moved to
 *  `device`: mt19937 draws are sequential, so other devices draw on the CPU and copy. */
template <class T, class F>
Tensor<T> mt_sample(const Shape& shape, Generator& gen, Device device, const char* op, F&& fill) {
  Tensor<T> out = empty_tensor<T>(shape, {}, op);
  gen.with_mt19937([&](Mt19937Stream& s) { fill(s, out.data_ptr(), out.numel()); });
  return device == Device::cpu() ? out : out.to(device);
}
inline bool is_mt19937(const Generator& gen) { return gen.algorithm() == RngAlgorithm::mt19937; }

/** Fills `self` in place from an mt19937 generator in the order PyTorch's TensorIterator visits
 *  an output: by memory position (dimensions by decreasing stride), which is the element order
 *  of a contiguous tensor and not of, say, a transposed one. */
template <class T, class F>
void mt_fill_in_memory_order(const Tensor<T>& self, Generator& gen, const char* op, F&& fill) {
  Shape perm;
  for (int64_t d = 0; d < self.dim(); ++d) perm.push_back(d);
  std::stable_sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) { return self.strides()[a] > self.strides()[b]; });
  const Tensor<T> view = self.permute(perm);
  view.copy_(mt_sample<T>(view.sizes(), gen, self.device(), op, fill));
}

}  // namespace detail

/** Uniform samples in [0, 1) (never 1, in every floating dtype). */
template <class T = float>
Tensor<T> rand(const Shape& shape, Generator& gen, const TensorOptions& options = {}) {
  detail::check_floating_sampler<T>("rand");
  Tensor<T> out;
  if (detail::is_mt19937(gen)) {
    out = detail::mt_sample<T>(shape, gen, options.device, "rand", [](detail::Mt19937Stream& s, T* p, int64_t n) {
      detail::mt_fill_uniform(s.engine, p, n, 0.0, 1.0);
    });
  } else {
    out = detail::empty_tensor<T>(shape, {.device = options.device}, "rand");
    detail::draw(out, {.op = "uniform"}, gen, detail::blocks_for<T>(out.numel()));
  }
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
  Tensor<T> out;
  if (detail::is_mt19937(gen)) {
    out = detail::mt_sample<T>(shape, gen, options.device, "randn", [](detail::Mt19937Stream& s, T* p, int64_t n) {
      detail::mt_fill_normal(s, p, n, 0.0, 1.0);
    });
  } else {
    out = detail::empty_tensor<T>(shape, {.device = options.device}, "randn");
    detail::draw(out, {.op = "normal"}, gen, detail::blocks_for<T>(out.numel()));
  }
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
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  if (detail::is_mt19937(gen)) {
    if constexpr (is_floating_v<T>) {
      low = detail::update_from<T>(low);
      high = detail::update_to<T>(high);
      TS_CHECK(low < high, "randint: random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got from=",
               low, " >= to=", high);
    }
    const uint64_t mt_range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
    return detail::mt_sample<T>(shape, gen, options.device, "randint", [&](detail::Mt19937Stream& s, T* p, int64_t n) {
      detail::mt_fill_randint(s.engine, p, n, low, mt_range);
    });
  }
  Tensor<T> out = detail::empty_tensor<T>(shape, {.device = options.device}, "randint");
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
  if (detail::is_mt19937(gen))
    return detail::mt_sample<int64_t>({n}, gen, options.device, "randperm", [](detail::Mt19937Stream& s, int64_t* p, int64_t m) {
      detail::mt_fill_randperm(s.engine, p, m);
    });
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
  // Compared in T: 0 and 1 are exact in every floating type, so this is p's check in double.
  const Tensor<bool> valid = p >= 0.0 && p <= 1.0;
  if (!valid.all().item())
    detail::throw_error("bernoulli: Expected p_in >= 0 && p_in <= 1 to be true, but got ",
                        detail::convert<double>(p.index({!valid})[0].item()));
  if (detail::is_mt19937(gen)) {
    // PyTorch compares a float uniform with float probabilities, a double one with double.
    using P = std::conditional_t<std::is_same_v<T, double>, double, float>;
    const Tensor<P> pc = p.template to<P>().to(Device::cpu()).contiguous();
    return detail::mt_sample<T>(p.sizes(), gen, p.device(), "bernoulli", [&](detail::Mt19937Stream& s, T* out, int64_t n) {
      detail::mt_fill_bernoulli(s.engine, out, pc.data_ptr(), n);
    });
  }
  const Tensor<T> probs = p.contiguous();
  Tensor<T> out = detail::empty_tensor<T>(p.sizes(), {.device = p.device()}, "bernoulli");
  detail::draw(out, {.op = "bernoulli"}, gen, detail::blocks_for<double>(out.numel()), probs);
  return out;
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
  if (detail::is_mt19937(gen)) {
    // PyTorch works in the weights' type (float for half and bfloat16).
    using P = std::conditional_t<std::is_same_v<T, double>, double, float>;
    const Tensor<P> wp = w.template to<P>();
    Tensor<int64_t> out = detail::empty_tensor<int64_t>({rows, num_samples}, {}, "multinomial");
    gen.with_mt19937([&](detail::Mt19937Stream& s) {
      for (int64_t r = 0; r < rows; ++r)
        detail::mt_multinomial_row(s.engine, wp.data_ptr() + r * k, k, num_samples, replacement, out.data_ptr() + r * num_samples);
    });
    return (probs.dim() == 1 ? out.view({num_samples}) : out).to(probs.device());
  }
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
  if (detail::is_mt19937(gen)) {
    detail::mt_fill_in_memory_order(*this, gen, "uniform_", [&](detail::Mt19937Stream& s, T* p, int64_t n) {
      detail::mt_fill_uniform(s.engine, p, n, from, to);
    });
    return *this;
  }
  Tensor<T> u = detail::empty_tensor<T>(sizes(), {.device = device()}, "uniform_");
  detail::draw(u, {.op = "uniform", .from = from, .to = to}, gen, detail::blocks_for<T>(u.numel()));
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
  if (detail::is_mt19937(gen)) {
    // PyTorch's vectorised path needs a contiguous tensor; others go element by element.
    const bool contiguous = is_contiguous();
    detail::mt_fill_in_memory_order(*this, gen, "normal_", [&](detail::Mt19937Stream& s, T* p, int64_t n) {
      detail::mt_fill_normal(s, p, n, mean, stddev, contiguous);
    });
    return *this;
  }
  Tensor<T> z = detail::empty_tensor<T>(sizes(), {.device = device()}, "normal_");
  detail::draw(z, {.op = "normal", .mean = mean, .stddev = stddev}, gen, detail::blocks_for<T>(z.numel()));
  copy_(z);
  return *this;
}
template <class T>
const Tensor<T>& Tensor<T>::normal_(double mean, double stddev) const {
  return normal_(mean, stddev, default_generator());
}

template <class T>
const Tensor<T>& Tensor<T>::bernoulli_(double p, Generator& gen) const {
  TS_CHECK(p >= 0 && p <= 1, "bernoulli_: bernoulli_ expects p to be in [0, 1], but got p=", p);
  NoGradGuard no_grad;
  if (detail::is_mt19937(gen)) {
    detail::mt_fill_in_memory_order(*this, gen, "bernoulli_", [&](detail::Mt19937Stream& s, T* out, int64_t n) {
      detail::mt_fill_bernoulli_scalar(s.engine, out, p, n);
    });
  } else {
    copy_(detail::bernoulli_scalar<T>(sizes(), p, gen, device(), "bernoulli_"));
  }
  return *this;
}
template <class T>
const Tensor<T>& Tensor<T>::bernoulli_(double p) const {
  return bernoulli_(p, default_generator());
}

template <class T>
const Tensor<T>& Tensor<T>::exponential_(double lambd, Generator& gen) const {
  detail::check_floating_sampler<T>("exponential_");
  TS_CHECK(lambd >= 0.0, "exponential_: exponential_ expects lambda >= 0.0, but found lambda=", lambd);
  if (detail::is_mt19937(gen)) {
    detail::mt_fill_in_memory_order(*this, gen, "exponential_", [&](detail::Mt19937Stream& s, T* p, int64_t n) {
      detail::mt_fill_exponential(s.engine, p, n, lambd);
    });
    return *this;
  }
  Tensor<T> z = detail::empty_tensor<T>(sizes(), {.device = device()}, "exponential_");
  detail::draw(z, {.op = "exponential", .lambd = lambd}, gen, detail::blocks_for<double>(z.numel()));
  copy_(z);
  return *this;
}
template <class T>
const Tensor<T>& Tensor<T>::exponential_(double lambd) const {
  return exponential_(lambd, default_generator());
}

namespace detail {
/** A Philox sampler the host computes: fill(data, n, state) into a CPU tensor of self's shape from
 *  `blocks` blocks reserved of gen, copied into self (another device gets the CPU's values). */
template <class T, class F>
void philox_on_host(const Tensor<T>& self, Generator& gen, int64_t blocks, const char* op, F&& fill) {
  const Tensor<T> z = empty_tensor<T>(self.sizes(), {}, op);
  const auto state = gen.reserve(static_cast<uint64_t>(blocks));
  fill(z.data_ptr(), z.numel(), state);
  self.copy_(self.device() == Device::cpu() ? z : z.to(self.device()));
}
}  // namespace detail

template <class T>
const Tensor<T>& Tensor<T>::cauchy_(double median, double sigma, Generator& gen) const {
  detail::check_floating_sampler<T>("cauchy_");
  if (detail::is_mt19937(gen)) {
    detail::mt_fill_in_memory_order(*this, gen, "cauchy_", [&](detail::Mt19937Stream& s, T* p, int64_t n) {
      detail::mt_fill_cauchy(s.engine, p, n, median, sigma);
    });
    return *this;
  }
  detail::philox_on_host(*this, gen, detail::blocks_for<double>(numel()), "cauchy_", [&](T* p, int64_t n, const auto& state) {
    detail::fill_mapped_uniform(p, n, state, [median, sigma](double u) {
      namespace m = detail::f64math;
      return median + m::exact(sigma * m::f64_tan(m::exact(std::numbers::pi * (u - 0.5))));
    });
  });
  return *this;
}
template <class T>
const Tensor<T>& Tensor<T>::cauchy_(double median, double sigma) const {
  return cauchy_(median, sigma, default_generator());
}

template <class T>
const Tensor<T>& Tensor<T>::log_normal_(double mean, double stddev, Generator& gen) const {
  detail::check_floating_sampler<T>("log_normal_");
  TS_CHECK(stddev > 0.0, "log_normal_: log_normal_ expects std > 0.0, but found std=", stddev);
  if (detail::is_mt19937(gen)) {
    detail::mt_fill_in_memory_order(*this, gen, "log_normal_", [&](detail::Mt19937Stream& s, T* p, int64_t n) {
      detail::mt_fill_log_normal(s, p, n, mean, stddev);
    });
    return *this;
  }
  detail::philox_on_host(*this, gen, detail::blocks_for<double>(numel()), "log_normal_",
                         [&](T* p, int64_t n, const auto& state) { detail::fill_log_normal(p, n, state, mean, stddev); });
  return *this;
}
template <class T>
const Tensor<T>& Tensor<T>::log_normal_(double mean, double stddev) const {
  return log_normal_(mean, stddev, default_generator());
}

template <class T>
const Tensor<T>& Tensor<T>::geometric_(double p, Generator& gen) const {
  static_assert(!std::is_same_v<T, bool>, "geometric_: not implemented for bool tensors, as in PyTorch");
  TS_CHECK(0 < p && p < 1, "geometric_: geometric_ expects p to be in (0, 1), but got p=", p);
  if (detail::is_mt19937(gen)) {
    detail::mt_fill_in_memory_order(*this, gen, "geometric_", [&](detail::Mt19937Stream& s, T* out, int64_t n) {
      detail::mt_fill_geometric(s.engine, out, n, p);
    });
    return *this;
  }
  detail::philox_on_host(*this, gen, detail::blocks_for<double>(numel()), "geometric_", [&](T* out, int64_t n, const auto& state) {
    const double c = detail::f64math::f64_log1p(-p);
    detail::fill_mapped_uniform(out, n, state, [c](double u) { return std::ceil(detail::f64math::f64_log(u) / c); });
  });
  return *this;
}
template <class T>
const Tensor<T>& Tensor<T>::geometric_(double p) const {
  return geometric_(p, default_generator());
}

template <class T>
const Tensor<T>& Tensor<T>::random_(Generator& gen) const {
  if (detail::is_mt19937(gen)) {
    detail::mt_fill_in_memory_order(*this, gen, "random_", [](detail::Mt19937Stream& s, T* p, int64_t n) {
      detail::mt_fill_random_full(s.engine, p, n);
    });
    return *this;
  }
  uint64_t range;
  if constexpr (std::is_same_v<T, bool>) range = 2;
  else if constexpr (is_floating_v<T>) range = (uint64_t{1} << detail::digits_of_mantissa<T>()) + 1;
  else range = static_cast<uint64_t>(std::numeric_limits<T>::max()) + 1;
  Tensor<T> z = detail::empty_tensor<T>(sizes(), {.device = device()}, "random_");
  detail::draw(z, {.op = "randint", .low = 0, .range = range}, gen, z.numel());
  copy_(z);
  return *this;
}
template <class T>
const Tensor<T>& Tensor<T>::random_() const {
  return random_(default_generator());
}
template <class T>
const Tensor<T>& Tensor<T>::random_(int64_t from, int64_t to, Generator& gen) const {
  TS_CHECK(from < to, "random_: random_ expects 'from' to be less than 'to', but got from=", from, " >= to=", to);
  detail::check_random_bounds<T>(from, to, "random_");
  if (detail::is_mt19937(gen)) {
    if constexpr (is_floating_v<T>) {
      from = detail::update_from<T>(from);
      to = detail::update_to<T>(to);
      TS_CHECK(from < to, "random_: random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got from=",
               from, " >= to=", to);
    }
    const uint64_t mt_range = static_cast<uint64_t>(to) - static_cast<uint64_t>(from);
    detail::mt_fill_in_memory_order(*this, gen, "random_", [&](detail::Mt19937Stream& s, T* p, int64_t n) {
      detail::mt_fill_randint(s.engine, p, n, from, mt_range);
    });
    return *this;
  }
  const uint64_t range = static_cast<uint64_t>(to) - static_cast<uint64_t>(from);
  Tensor<T> z = detail::empty_tensor<T>(sizes(), {.device = device()}, "random_");
  detail::draw(z, {.op = "randint", .low = from, .range = range}, gen, z.numel());
  copy_(z);
  return *this;
}
template <class T>
const Tensor<T>& Tensor<T>::random_(int64_t from, int64_t to) const {
  return random_(from, to, default_generator());
}
template <class T>
const Tensor<T>& Tensor<T>::random_(int64_t to, Generator& gen) const {
  return random_(0, to, gen);
}
template <class T>
const Tensor<T>& Tensor<T>::random_(int64_t to) const {
  return random_(0, to, default_generator());
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
/** torch.randint_like(input, low=0, high): uniform integers in [low, high) with the shape, dtype
 *  and device of `like`. */
template <class T>
Tensor<T> randint_like(const Tensor<T>& like, int64_t low, int64_t high, Generator& gen = default_generator()) {
  return randint<T>(low, high, like.sizes(), gen, {.device = like.device()});
}
template <class T>
Tensor<T> randint_like(const Tensor<T>& like, int64_t high, Generator& gen = default_generator()) {
  return randint<T>(0, high, like.sizes(), gen, {.device = like.device()});
}

}  // namespace tessera
