#pragma once
// Distances and similarities between vectors: torch.cosine_similarity, torch.pairwise_distance
// (also as nn::functional) and torch.pdist, composed of reductions and elementwise ops, so they
// run on every device and their gradients are those of the pieces (as PyTorch's formulas).

#include "../autograd/grad_mode.hpp"
#include "elementwise.hpp"
#include "rearrange.hpp"
#include "reduce.hpp"
#include "view.hpp"

namespace tessera {

/** torch.cosine_similarity(x1, x2, dim=1, eps=1e-8): x1 . x2 / (max(|x1|, eps) max(|x2|, eps))
 *  along dim, the inputs broadcast; floating inputs only. */
template <class A, class B>
Tensor<promote_t<A, B>> cosine_similarity(const Tensor<A>& x1_in, const Tensor<B>& x2_in, int64_t dim = 1,
                                          double eps = 1e-8) {
  using R = promote_t<A, B>;
  TS_CHECK(is_floating_v<R>, "cosine_similarity: expected common dtype to be floating point, yet common dtype is ",
           detail::aten_type_name(dtype_of<R>));
  if constexpr (!is_floating_v<R>) {
    return {};  // refused above
  } else {
    const Shape shape = broadcast_shapes(x1_in.sizes(), x2_in.sizes(), "cosine_similarity");
    dim = detail::wrap_dim(dim, static_cast<int64_t>(shape.size()), "cosine_similarity");
    const Tensor<R> x1 = x1_in.template to<R>().expand(shape), x2 = x2_in.template to<R>().expand(shape);
    Tensor<R> n1 = (x1 * x1).sum(dim, true), n2 = (x2 * x2).sum(dim, true);
    {
      // PyTorch clamps the squared norms outside autograd: the gradient sees no clamp.
      NoGradGuard no_grad;
      n1.clamp_min_(eps * eps);
      n2.clamp_min_(eps * eps);
    }
    return ((x1 / n1.sqrt()) * (x2 / n2.sqrt())).sum(dim);
  }
}

/** torch.pairwise_distance(x1, x2, p=2, eps=1e-6, keepdim=False): the p-norm of x1 - x2 + eps
 *  over the last dim. */
template <class A, class B>
Tensor<floating_t<promote_t<A, B>>> pairwise_distance(const Tensor<A>& x1, const Tensor<B>& x2, double p = 2,
                                                      double eps = 1e-6, bool keepdim = false) {
  const int64_t last = (x1.dim() > x2.dim() ? x1.dim() : x2.dim()) - 1;
  return norm(sub(x1, x2) + eps, p, Shape{last}, keepdim);
}

/** torch.pdist(input, p=2): the p-norm distances between the rows of a 2-D input, for each pair
 *  i < j in row order (the upper triangle of cdist, without its diagonal). */
template <class T>
Tensor<T> pdist(const Tensor<T>& input, double p = 2) {
  TS_CHECK(input.dim() == 2, "pdist: pdist only supports 2D tensors, got: ", input.dim(), "D");
  TS_CHECK(is_floating_v<T>, "pdist: pdist only supports floating-point dtypes");
  TS_CHECK(p >= 0, "pdist: pdist only supports non-negative p values");
  const int64_t n = input.size(0);
  const Tensor<int64_t> pairs = triu_indices(n, n, 1, {.device = input.device()});
  const Tensor<T> diff = input.index_select(0, pairs.select(0, 0)) - input.index_select(0, pairs.select(0, 1));
  return norm(diff, p, Shape{1}).template to<T>();
}

namespace nn::functional {
/** F.cosine_similarity: torch.cosine_similarity. */
template <class A, class B>
Tensor<promote_t<A, B>> cosine_similarity(const Tensor<A>& x1, const Tensor<B>& x2, int64_t dim = 1, double eps = 1e-8) {
  return tessera::cosine_similarity(x1, x2, dim, eps);
}
/** F.pairwise_distance: torch.pairwise_distance. */
template <class A, class B>
Tensor<floating_t<promote_t<A, B>>> pairwise_distance(const Tensor<A>& x1, const Tensor<B>& x2, double p = 2,
                                                      double eps = 1e-6, bool keepdim = false) {
  return tessera::pairwise_distance(x1, x2, p, eps, keepdim);
}
/** F.pdist: torch.pdist. */
template <class T>
Tensor<T> pdist(const Tensor<T>& input, double p = 2) {
  return tessera::pdist(input, p);
}
}  // namespace nn::functional

}  // namespace tessera
