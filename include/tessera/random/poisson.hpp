#pragma once
// torch.poisson: a Poisson draw per element, at the element's rate.

#include <type_traits>

#include "../autograd/formulas.hpp"
#include "../backend/cpu/poisson.hpp"
#include "distributions.hpp"

namespace tessera {

/** A draw of the Poisson distribution of rate rates[i] for each element, in the rates' dtype
 *  (float, double or bfloat16: PyTorch's CPU kernel has no half), as torch.poisson: with an
 *  mt19937 generator PyTorch's values, with Philox element i's own stream (docs/random.md); drawn
 *  on the CPU and copied to the rates' device. Its gradient is zero (PoissonBackward0). */
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
      if (detail::is_mt19937(gen))
        gen.with_mt19937([&](detail::Mt19937Stream& s) { detail::mt_fill_poisson(s.engine, r.data_ptr(), out.data_ptr(), n); });
      else
        detail::fill_poisson(r.data_ptr(), out.data_ptr(), n, gen.reserve(static_cast<uint64_t>(n)));
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

}  // namespace tessera
