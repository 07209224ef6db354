#pragma once
// gradcheck: compares the gradients autograd computes with central finite differences.

#include "../random/distributions.hpp"
#include "engine.hpp"

namespace tessera::autograd {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
  /** Throw a ts::Error describing the first mismatch (as PyTorch's raise_exception=True);
   *  otherwise return false. */
  bool raise = true;
};

/** torch.autograd.gradcheck for float64 inputs: every entry of the Jacobian of fn (one row per
 *  output element, one column per element of each input that requires grad) computed by
 *  backward must match (f(x + eps) - f(x - eps)) / 2 eps within atol + rtol * |numerical|.
 *  fn takes the inputs as a `const std::vector<Tensor<double>>&` and returns a tensor. */
template <class F>
bool gradcheck(F&& f, const std::vector<Tensor<double>>& inputs, const GradcheckOptions& options = {}) {
  auto fn = [&](const std::vector<Tensor<double>>& in) { return f(in).template to<double>(); };
  std::vector<AnyTensor> wrt;
  std::vector<size_t> wrt_index;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].requires_grad()) wrt.push_back(inputs[i]), wrt_index.push_back(i);
  TS_CHECK(!wrt.empty(), "gradcheck: no input requires grad");

  // Analytical: one backward per output element, with a one-hot gradient.
  const Tensor<double> out = fn(inputs);
  const int64_t n_out = out.numel();
  std::vector<std::vector<std::vector<double>>> analytical(wrt.size());  // [input][output][element]
  for (int64_t j = 0; j < n_out; ++j) {
    Tensor<double> onehot = zeros<double>(out.sizes(), {.device = out.device()});
    onehot.view({-1})[j].fill_(1.0);
    std::vector<AnyTensor> grads;
    if (out.requires_grad())
      grads = grad({out}, wrt, {onehot}, /*retain_graph=*/true, /*create_graph=*/false, /*allow_unused=*/true);
    else
      grads.resize(wrt.size());
    for (size_t k = 0; k < wrt.size(); ++k) {
      const int64_t n_in = wrt[k].numel();
      analytical[k].push_back(grads[k].defined() ? grads[k].as<double>().to_vector() : std::vector<double>(static_cast<size_t>(n_in), 0.0));
    }
  }

  // Numerical: central differences, perturbing each element through a detached view of it (no op
  // is recorded); fn runs in the caller's grad mode, since it may itself use autograd.
  for (size_t k = 0; k < wrt.size(); ++k) {
    const Tensor<double>& x = inputs[wrt_index[k]];
    for (int64_t e = 0; e < x.numel(); ++e) {
      // The element's offset from its logical index, whatever the strides.
      int64_t rest = e, offset = x.storage_offset();
      for (int64_t d = x.dim(); d-- > 0;) {
        offset += (rest % x.size(d)) * x.stride(d);
        rest /= x.size(d);
      }
      const Tensor<double> element = x.detach().as_strided({}, {}, offset);
      const double saved = element.item();
      element.fill_(saved + options.eps);
      const std::vector<double> plus = fn(inputs).to_vector();
      element.fill_(saved - options.eps);
      const std::vector<double> minus = fn(inputs).to_vector();
      element.fill_(saved);
      for (int64_t j = 0; j < n_out; ++j) {
        const double numerical = (plus[static_cast<size_t>(j)] - minus[static_cast<size_t>(j)]) / (2 * options.eps);
        const double a = analytical[k][static_cast<size_t>(j)][static_cast<size_t>(e)];
        if (std::fabs(a - numerical) <= options.atol + options.rtol * std::fabs(numerical)) continue;
        if (!options.raise) return false;
        detail::throw_error("gradcheck: Jacobian mismatch for output ", j, " with respect to input ", wrt_index[k],
                            ", element ", e, ": numerical ", numerical, ", analytical ", a);
      }
    }
  }
  return true;
}

/** torch.autograd.gradgradcheck: gradcheck of the gradient itself. The gradients of fn(inputs)
 *  with respect to the inputs that require grad, computed with create_graph for `grad_output`
 *  (random normal values of fn's output shape when omitted), are checked against finite
 *  differences with respect to those inputs and to grad_output. */
template <class F>
bool gradgradcheck(F&& f, const std::vector<Tensor<double>>& inputs, Tensor<double> grad_output = {},
                   const GradcheckOptions& options = {}) {
  if (!grad_output.defined()) {
    NoGradGuard no_grad;
    grad_output = randn<double>(f(inputs).sizes());
  }
  std::vector<Tensor<double>> all = inputs;
  all.push_back(grad_output.detach().requires_grad_());
  std::vector<AnyTensor> wrt;
  for (const Tensor<double>& x : inputs)
    if (x.requires_grad()) wrt.push_back(x);
  TS_CHECK(!wrt.empty(), "gradgradcheck: no input requires grad");
  auto first = [&](const std::vector<Tensor<double>>& in) {
    const std::vector<Tensor<double>> xs(in.begin(), in.end() - 1);
    const Tensor<double> out = f(xs).template to<double>();
    std::vector<AnyTensor> ins;
    for (const Tensor<double>& x : xs)
      if (x.requires_grad()) ins.push_back(x);
    const std::vector<AnyTensor> g =
        grad({out}, ins, {in.back()}, /*retain_graph=*/true, /*create_graph=*/true, /*allow_unused=*/true);
    std::vector<Tensor<double>> flat;
    for (size_t i = 0; i < g.size(); ++i)
      flat.push_back(g[i].defined() ? g[i].as<double>().reshape({-1}) : zeros<double>({ins[i].numel()}));
    return cat(flat);
  };
  return gradcheck(first, all, options);
}

}  // namespace tessera::autograd
