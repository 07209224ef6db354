#pragma once
// torch.poisson and torch.binomial: a count drawn per element, from the element's rate or its
// trials and probability.

#include <type_traits>

#include "../autograd/formulas.hpp"
#include "../backend/cpu/count_samplers.hpp"
#include "distributions.hpp"

namespace tessera {

namespace detail {
/** Runs fill(engine, state) for n elements' draws: with the generator's mt19937 engine (state
 *  null) when it is one, else with the Philox streams reserved for them (engine null). */
template <class Fill>
void draw_counts(Generator& gen, int64_t n, const Fill& fill) {
  if (is_mt19937(gen)) {
    gen.with_mt19937([&](Mt19937Stream& s) { fill(&s.engine, nullptr); });
  } else {
    const GeneratorState state = gen.reserve(static_cast<uint64_t>(n));
    fill(nullptr, &state);
  }
}
}  // namespace detail

/** A draw of the Poisson distribution of rate rates[i] for each element, in the rates' dtype
 *  (float, double or bfloat16: PyTorch's CPU kernel has no half), as torch.poisson: with an
 *  mt19937 generator PyTorch's values, with Philox element i's own stream (docs/random.md); drawn
 *  on the CPU and copied to the rates' device. Its gradient is zero (PoissonBackward0). A negative
 *  or NaN rate is refused before anything is drawn (PyTorch refuses it on reaching it, after
 *  drawing the elements before it). */
template <class T>
Tensor<T> poisson(const Tensor<T>& rates, Generator& gen) {
  if constexpr (!std::is_same_v<T, float> && !std::is_same_v<T, double> && !std::is_same_v<T, bfloat16>) {
    detail::throw_error("\"poisson_cpu\" not implemented for '", detail::aten_type_name(dtype_of<T>), "'");
  } else {
    Tensor<T> out;
    {
      NoGradGuard no_grad;
      // PyTorch draws in the order of its contiguous output
      const Tensor<T> r = rates.to(Device::cpu()).contiguous();
      TS_CHECK(r.numel() == 0 || (r >= T(0)).all().item(), "poisson: invalid Poisson rate, expected rate to be non-negative");
      out = detail::empty_tensor<T>(rates.sizes(), {}, "poisson");
      const int64_t n = out.numel();
      detail::draw_counts(gen, n, [&](detail::Mt19937* engine, const GeneratorState* state) {
        detail::fill_poisson(engine, state, r.data_ptr(), out.data_ptr(), n);
      });
      if (rates.device() != Device::cpu()) out = out.to(rates.device());
    }
    if (detail::needs_grad(rates)) detail::record<detail::FillBackward<T>>({rates}, {out}, "PoissonBackward0");
    return out;
  }
}
template <class T>
Tensor<T> poisson(const Tensor<T>& rates) {
  return poisson(rates, default_generator());
}

/** A draw of the binomial distribution of count[i] trials of probability prob[i] for each element
 *  of their broadcast shape, in their dtype (float or double, as PyTorch's CPU kernel), as
 *  torch.binomial (Note [PyTorch's binomial]): with an mt19937 generator PyTorch's values, with
 *  Philox element i's own stream (docs/random.md); drawn on the CPU and copied to count's device.
 *  Its backward throws, as PyTorch's. Two differences: a NaN count gives NaN (PyTorch's sampler
 *  never returns), and where count broadcasts to prob's larger shape the draws follow the result's
 *  row-major order (PyTorch's follow prob's memory order, with a warning). */
template <class T>
Tensor<T> binomial(const Tensor<T>& count, const Tensor<T>& prob, Generator& gen) {
  if constexpr (!std::is_same_v<T, float> && !std::is_same_v<T, double>) {
    detail::throw_error("\"binomial_cpu\" not implemented for '", detail::aten_type_name(dtype_of<T>), "'");
  } else {
    detail::check_same_device("binomial", count.device(), prob.device());
    Tensor<T> out;
    {
      NoGradGuard no_grad;
      const Shape shape = broadcast_shapes(count.sizes(), prob.sizes(), "binomial");
      // PyTorch draws in the order of its contiguous output
      const Tensor<T> c = count.to(Device::cpu()).expand(shape).contiguous();
      const Tensor<T> p = prob.to(Device::cpu()).expand(shape).contiguous();
      out = detail::empty_tensor<T>(shape, {}, "binomial");
      const int64_t n = out.numel();
      detail::draw_counts(gen, n, [&](detail::Mt19937* engine, const GeneratorState* state) {
        detail::fill_binomial(engine, state, c.data_ptr(), p.data_ptr(), out.data_ptr(), n);
      });
      if (count.device() != Device::cpu()) out = out.to(count.device());
    }
    if (detail::needs_grad(count, prob)) detail::record<detail::NotImplemented>({count, prob}, {out}, std::string("binomial"));
    return out;
  }
}
template <class T>
Tensor<T> binomial(const Tensor<T>& count, const Tensor<T>& prob) {
  return binomial(count, prob, default_generator());
}

}  // namespace tessera
