#pragma once
// torch.isin: whether each element occurs among the test elements, by a binary search of the
// sorted test elements (O((n + m) log m), as PyTorch's sort-based path).

#include "creation.hpp"
#include "elementwise.hpp"
#include "selection.hpp"
#include "sort.hpp"

namespace tessera {

/** torch.isin(elements, test_elements, assume_unique=False, invert=False): a bool tensor of
 *  elements' shape; both are compared in their common dtype; NaN is in nothing. */
template <class A, class B>
Tensor<bool> isin(const Tensor<A>& elements, const Tensor<B>& test_elements, bool assume_unique = false,
                  bool invert = false) {
  (void)assume_unique;  // the result does not depend on it
  TS_CHECK((!std::is_same_v<A, bool>), "isin: Unsupported input type encountered for isin(): Bool");
  TS_CHECK((!std::is_same_v<B, bool>), "isin: Unsupported input type encountered for isin(): Bool");
  using C = promote_t<A, B>;
  const Tensor<C> test = test_elements.template to<C>().reshape({-1});
  // NaN equals nothing, and sorts last: the search covers the numbers before it.
  int64_t m = test.numel();
  if constexpr (is_floating_v<C>) m -= isnan(test).sum().item();
  if (m == 0) return full<bool>(elements.sizes(), invert, {.device = elements.device()});
  const Tensor<C> x = elements.template to<C>();
  const Tensor<C> sorted = test.sort().values.slice(0, 0, m);
  const Tensor<int64_t> at = searchsorted(sorted, x).clamp_max(m - 1);
  const Tensor<bool> found = sorted.take(at).reshape(x.sizes()).eq(x);
  return invert ? logical_not(found) : found;
}
/** torch.isin(elements, test_element: Scalar). */
template <class A, Scalar S>
Tensor<bool> isin(const Tensor<A>& elements, S test_element, bool assume_unique = false, bool invert = false) {
  using W = scalar_promote_t<A, S>;
  return isin(elements, full<W>({}, static_cast<W>(test_element), {.device = elements.device()}), assume_unique, invert);
}
/** torch.isin(element: Scalar, test_elements): a 0-dim bool tensor. */
template <Scalar S, class B>
Tensor<bool> isin(S element, const Tensor<B>& test_elements, bool assume_unique = false, bool invert = false) {
  using W = scalar_promote_t<B, S>;
  return isin(full<W>({}, static_cast<W>(element), {.device = test_elements.device()}), test_elements, assume_unique, invert);
}

}  // namespace tessera
