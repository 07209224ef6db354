#pragma once
// ts::nn::functional: the stateless forms of the layers and the losses, as torch.nn.functional.

#include <optional>

#include "../ops/elementwise.hpp"
#include "../ops/indexing.hpp"
#include "../ops/linalg.hpp"
#include "../ops/reduce.hpp"
#include "../random/distributions.hpp"

namespace tessera::nn::functional {

/** x @ weight^T + bias, for x of shape [..., in] and weight [out, in]. */
inline Tensor<float> linear(const Tensor<float>& x, const Tensor<float>& weight, const Tensor<float>& bias = {}) {
  TS_CHECK(weight.dim() == 2, "linear: weight must be 2-D, got shape ", detail::shape_str(weight.sizes()));
  TS_CHECK(x.dim() >= 1 && x.size(-1) == weight.size(1), "linear: input of shape ", detail::shape_str(x.sizes()),
           " does not match weight of shape ", detail::shape_str(weight.sizes()));
  Tensor<float> out = x.matmul(weight.t());
  return bias.defined() ? out + bias : out;
}

inline Tensor<float> relu(const Tensor<float>& x) { return x.relu(); }
inline Tensor<float> gelu(const Tensor<float>& x) { return x.gelu(); }

/** Zeroes each element with probability p and scales the rest by 1 / (1 - p) while training. */
inline Tensor<float> dropout(const Tensor<float>& x, double p, bool training, Generator& gen) {
  TS_CHECK(p >= 0 && p <= 1, "dropout: dropout probability has to be between 0 and 1, but got ", p);
  if (!training || p == 0) return x;
  if (p == 1) return x * 0.0f;
  Tensor<float> keep;
  {
    NoGradGuard no_grad;
    keep = bernoulli(full<float>(x.sizes(), static_cast<float>(1 - p)), gen).div_(static_cast<float>(1 - p));
  }
  return x * keep;
}
inline Tensor<float> dropout(const Tensor<float>& x, double p = 0.5, bool training = true) {
  return dropout(x, p, training, default_generator());
}

/** One row per class index: [n] int64 in [0, num_classes) to [n, num_classes] int64. */
inline Tensor<int64_t> one_hot(const Tensor<int64_t>& t, int64_t num_classes = -1) {
  if (num_classes < 0) num_classes = t.numel() ? t.max().item() + 1 : 0;
  TS_CHECK(t.numel() == 0 || (t.min().item() >= 0 && t.max().item() < num_classes),
           "one_hot: Class values must be non-negative and smaller than num_classes (", num_classes, ")");
  Shape shape = t.sizes();
  shape.push_back(num_classes);
  return zeros<int64_t>(shape).scatter(t.dim(), t.unsqueeze(-1), int64_t{1});
}

namespace detail_loss {
inline void check_targets(const char* op, const Tensor<float>& input, const Tensor<int64_t>& target) {
  TS_CHECK(input.dim() == 2 && target.dim() == 1 && target.size(0) == input.size(0), op,
           ": expected input of shape [N, C] and target of shape [N], got ", detail::shape_str(input.sizes()), " and ",
           detail::shape_str(target.sizes()));
  TS_CHECK(target.numel() == 0 || (target.min().item() >= 0 && target.max().item() < input.size(1)), op,
           ": Target out of bounds (", input.size(1), " classes)");
}
}  // namespace detail_loss

/** Mean negative log-likelihood of the target classes: input holds log-probabilities [N, C]. */
inline Tensor<float> nll_loss(const Tensor<float>& log_probs, const Tensor<int64_t>& target) {
  detail_loss::check_targets("nll_loss", log_probs, target);
  return -log_probs.gather(1, target.unsqueeze(1)).mean();
}

/** Cross-entropy of logits [N, C] against class indices [N], averaged over the batch; with
 *  label smoothing e the target is (1 - e) on the class plus e / C spread over all classes. */
inline Tensor<float> cross_entropy(const Tensor<float>& logits, const Tensor<int64_t>& target,
                                   double label_smoothing = 0.0) {
  detail_loss::check_targets("cross_entropy", logits, target);
  TS_CHECK(label_smoothing >= 0 && label_smoothing <= 1, "cross_entropy: label_smoothing must be between 0.0 and "
           "1.0. Got: ", label_smoothing);
  const Tensor<float> log_probs = logits.log_softmax(1);
  const Tensor<float> nll = -log_probs.gather(1, target.unsqueeze(1)).squeeze(1);
  if (label_smoothing == 0) return nll.mean();
  const Tensor<float> smooth = -log_probs.sum(1) / static_cast<float>(logits.size(1));
  return (nll * static_cast<float>(1 - label_smoothing) + smooth * static_cast<float>(label_smoothing)).mean();
}

/** Mean squared error. */
inline Tensor<float> mse_loss(const Tensor<float>& input, const Tensor<float>& target) {
  TS_CHECK(input.sizes() == target.sizes(), "mse_loss: input of shape ", detail::shape_str(input.sizes()),
           " and target of shape ", detail::shape_str(target.sizes()), " differ");
  return (input - target).pow(2.0f).mean();
}

/** Mean binary cross-entropy of logits against targets in [0, 1], computed stably. */
inline Tensor<float> binary_cross_entropy_with_logits(const Tensor<float>& logits, const Tensor<float>& target) {
  TS_CHECK(logits.sizes() == target.sizes(), "binary_cross_entropy_with_logits: Target size (",
           detail::shape_str(target.sizes()), ") must be the same as input size (", detail::shape_str(logits.sizes()),
           ")");
  const Tensor<float> m = logits.neg().clamp(0.0);  // as PyTorch: no exp overflows either way
  return ((1.0f - target) * logits + m + ((-m).exp() + (-logits - m).exp()).log()).mean();
}

}  // namespace tessera::nn::functional
