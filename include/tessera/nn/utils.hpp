#pragma once
// ts::nn::utils: torch.nn.utils' gradient clipping and the flattening of parameters into one vector.

#include <cmath>
#include <vector>

#include "../autograd/grad_mode.hpp"
#include "../ops/creation.hpp"
#include "../ops/elementwise.hpp"
#include "../ops/join.hpp"
#include "../ops/reduce.hpp"

namespace tessera::nn::utils {

/** torch.nn.utils.clip_grad_norm_: scales the gradients of `parameters` in place so that their
 *  total `norm_type`-norm (the norm of the per-gradient norms) is at most `max_norm`, and returns
 *  that total norm before scaling (0-dim). The scale is max_norm / (total + 1e-6), computed as
 *  PyTorch computes it (a reciprocal, then a product) and never above 1. A NaN or infinite total
 *  throws when `error_if_nonfinite`, else scales every gradient by it, as PyTorch does. */
template <class T>
Tensor<T> clip_grad_norm_(const std::vector<Tensor<T>>& parameters, double max_norm, double norm_type = 2.0,
                          bool error_if_nonfinite = false) {
  NoGradGuard no_grad;
  std::vector<Tensor<T>> grads;
  for (const Tensor<T>& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return zeros<T>(Shape{});
  std::vector<Tensor<T>> norms;
  const bool largest = std::isinf(norm_type) && norm_type > 0;
  for (const Tensor<T>& g : grads) norms.push_back(largest ? g.abs().amax() : norm(g, norm_type));
  const Tensor<T> total = largest ? (norms.size() == 1 ? norms[0] : stack(norms).amax())
                                  : norm(stack(norms), norm_type);
  if (error_if_nonfinite) {
    const double t = static_cast<double>(total.item());
    TS_CHECK(std::isfinite(t), "clip_grad_norm_: The total norm of order ", norm_type, " for gradients from "
             "`parameters` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by "
             "the non-finite norm anyway, set `error_if_nonfinite=False`");
  }
  const Tensor<T> scale = (ones_like(total) / (total + 1e-6) * max_norm).clamp(std::nullopt, 1.0);
  for (const Tensor<T>& g : grads) g.mul_(scale);
  return total;
}
template <class T>
Tensor<T> clip_grad_norm_(const Tensor<T>& parameter, double max_norm, double norm_type = 2.0,
                          bool error_if_nonfinite = false) {
  return clip_grad_norm_(std::vector<Tensor<T>>{parameter}, max_norm, norm_type, error_if_nonfinite);
}

/** torch.nn.utils.clip_grad_value_: clamps every gradient of `parameters` to [-clip_value,
 *  clip_value] in place. */
template <class T>
void clip_grad_value_(const std::vector<Tensor<T>>& parameters, double clip_value) {
  NoGradGuard no_grad;
  for (const Tensor<T>& p : parameters)
    if (p.grad().defined()) p.grad().clamp_(-clip_value, clip_value);
}
template <class T>
void clip_grad_value_(const Tensor<T>& parameter, double clip_value) {
  clip_grad_value_(std::vector<Tensor<T>>{parameter}, clip_value);
}

/** torch.nn.utils.parameters_to_vector: the parameters flattened and concatenated (1-D). */
template <class T>
Tensor<T> parameters_to_vector(const std::vector<Tensor<T>>& parameters) {
  TS_CHECK(!parameters.empty(), "parameters_to_vector: expected at least one parameter");
  std::vector<Tensor<T>> flat;
  for (const Tensor<T>& p : parameters) flat.push_back(p.reshape({-1}));
  return cat(flat);
}

/** torch.nn.utils.vector_to_parameters: writes consecutive slices of the 1-D `vec` into the
 *  parameters. Unlike PyTorch, which rebinds each parameter's `.data` to a view of `vec`, the
 *  values are copied: the parameters keep their own storage (a handle to them stays valid). */
template <class T>
void vector_to_parameters(const Tensor<T>& vec, const std::vector<Tensor<T>>& parameters) {
  int64_t total = 0;
  for (const Tensor<T>& p : parameters) total += p.numel();
  TS_CHECK(vec.dim() == 1 && vec.numel() == total, "vector_to_parameters: expected a 1-D vector of ", total,
           " elements for the parameters, got shape ", detail::shape_str(vec.sizes()));
  NoGradGuard no_grad;
  int64_t at = 0;
  for (const Tensor<T>& p : parameters) {
    p.copy_(vec.narrow(0, at, p.numel()).view(p.sizes()));
    at += p.numel();
  }
}

}  // namespace tessera::nn::utils
