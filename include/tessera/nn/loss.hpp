#pragma once
// The loss functions of torch.nn.functional (cross_entropy, nll_loss, mse_loss, ...), with
// PyTorch's options, computed from existing ops (so every device has them); the losses PyTorch
// gives a node of their own record it, with its derivative formula written with ops too.

#include <cmath>
#include <cstdint>
#include <numbers>
#include <type_traits>

#include "../autograd/formulas.hpp"
#include "../ops/distance.hpp"
#include "../ops/elementwise.hpp"
#include "../ops/indexing.hpp"
#include "../ops/pointwise.hpp"
#include "../ops/reduce.hpp"
#include "activation.hpp"

namespace tessera::nn {

/** How a loss combines its elements, as PyTorch's `reduction` string ("none", "mean", "sum");
 *  BatchMean ("batchmean") is kl_div's alone: the sum divided by the batch size. */
enum class Reduction { None, Mean, Sum, BatchMean };

// The options of each loss, in PyTorch's keyword order, for designated initializers:
// F::cross_entropy(x, y, {.weight = w, .ignore_index = 0, .reduction = Reduction::Sum}).
// The modules of nn/loss_modules.hpp take the same structs.

/** cross_entropy: class weights [C], the target class to ignore (class-index targets only),
 *  reduction and label smoothing in [0, 1]. */
template <class T = float>
struct CrossEntropyLossOptions {
  Tensor<T> weight{};
  int64_t ignore_index = -100;
  Reduction reduction = Reduction::Mean;
  double label_smoothing = 0.0;
};
/** nll_loss: class weights [C], the target class to ignore, reduction. */
template <class T = float>
struct NLLLossOptions {
  Tensor<T> weight{};
  int64_t ignore_index = -100;
  Reduction reduction = Reduction::Mean;
};
/** mse_loss and l1_loss. */
struct MSELossOptions {
  Reduction reduction = Reduction::Mean;
};
using L1LossOptions = MSELossOptions;
/** smooth_l1_loss: quadratic below beta (beta = 0 is l1_loss). */
struct SmoothL1LossOptions {
  Reduction reduction = Reduction::Mean;
  double beta = 1.0;
};
/** huber_loss: quadratic below delta, delta-scaled linear above. */
struct HuberLossOptions {
  Reduction reduction = Reduction::Mean;
  double delta = 1.0;
};
/** binary_cross_entropy: a weight broadcast to the target's shape. */
template <class T = float>
struct BCELossOptions {
  Tensor<T> weight{};
  Reduction reduction = Reduction::Mean;
};
/** binary_cross_entropy_with_logits: a weight broadcast to the loss, a weight of the positive
 *  term broadcast to the target (usually [C]). */
template <class T = float>
struct BCEWithLogitsLossOptions {
  Tensor<T> weight{};
  Reduction reduction = Reduction::Mean;
  Tensor<T> pos_weight{};
};
/** kl_div: reduction (BatchMean is the mathematically right mean), target given as log-probabilities. */
struct KLDivLossOptions {
  Reduction reduction = Reduction::Mean;
  bool log_target = false;
};
/** cosine_embedding_loss and margin_ranking_loss. */
struct CosineEmbeddingLossOptions {
  double margin = 0.0;
  Reduction reduction = Reduction::Mean;
};
using MarginRankingLossOptions = CosineEmbeddingLossOptions;
/** triplet_margin_loss: margin, the p of the pairwise distance, the eps added to the differences,
 *  and swap (the distance to the negative is the smaller of anchor's and positive's). */
struct TripletMarginLossOptions {
  double margin = 1.0;
  double p = 2.0;
  double eps = 1e-6;
  bool swap = false;
  Reduction reduction = Reduction::Mean;
};
/** triplet_margin_with_distance_loss (its distance function a separate argument). */
struct TripletMarginWithDistanceLossOptions {
  double margin = 1.0;
  bool swap = false;
  Reduction reduction = Reduction::Mean;
};
/** soft_margin_loss and multilabel_margin_loss. */
struct SoftMarginLossOptions {
  Reduction reduction = Reduction::Mean;
};
using MultiLabelMarginLossOptions = SoftMarginLossOptions;
/** multilabel_soft_margin_loss: class weights [C] (broadcast to the input), reduction. */
template <class T = float>
struct MultiLabelSoftMarginLossOptions {
  Tensor<T> weight{};
  Reduction reduction = Reduction::Mean;
};
/** hinge_embedding_loss: the margin of the targets -1. */
struct HingeEmbeddingLossOptions {
  double margin = 1.0;
  Reduction reduction = Reduction::Mean;
};
/** poisson_nll_loss: input given as log-rates (log_input) or rates (plus eps inside the log),
 *  full adds Stirling's approximation of log(target!). */
struct PoissonNLLLossOptions {
  bool log_input = true;
  bool full = false;
  double eps = 1e-8;
  Reduction reduction = Reduction::Mean;
};
/** gaussian_nll_loss: full adds log(2 pi) / 2, eps the least variance. */
struct GaussianNLLLossOptions {
  bool full = false;
  double eps = 1e-6;
  Reduction reduction = Reduction::Mean;
};
/** multi_margin_loss: the power p (1 or 2), the margin, class weights [C], reduction. */
template <class T = float>
struct MultiMarginLossOptions {
  int64_t p = 1;
  double margin = 1.0;
  Tensor<T> weight{};
  Reduction reduction = Reduction::Mean;
};

namespace detail_loss {

using ::tessera::detail::shape_str;

inline const char* reduction_name(Reduction r) {
  switch (r) {
    case Reduction::None: return "none";
    case Reduction::Mean: return "mean";
    case Reduction::Sum: return "sum";
    default: return "batchmean";
  }
}

/** PyTorch's apply_loss_reduction; only kl_div knows batchmean. */
template <class T>
Tensor<T> reduce(const Tensor<T>& loss, Reduction reduction, const char* op) {
  TS_CHECK(reduction != Reduction::BatchMean, op, ": ", reduction_name(reduction), " is not a valid value for reduction");
  if (reduction == Reduction::Mean) return loss.mean();
  if (reduction == Reduction::Sum) return loss.sum();
  return loss;
}

/** The broadcast shape of input and target (PyTorch's losses broadcast them, warning-free here). */
inline Shape broadcast(const Shape& input, const Shape& target, const char* op) {
  return broadcast_shapes(input, target, op);
}

/** A weight of binary_cross_entropy(_with_logits) scales the loss in place: it broadcasts to the
 *  input's shape, never beyond. */
inline void check_weight_shape(const char* op, const Shape& input, const Shape& weight) {
  const Shape shape = broadcast(input, weight, op);
  TS_CHECK(shape == input, op, ": output with shape ", shape_str(input), " doesn't match the broadcast shape ",
           shape_str(shape));
}

/** PyTorch's name of a floating type in "expected scalar type Long but found Float". */
template <class T>
constexpr const char* scalar_type_name() {
  if constexpr (std::is_same_v<T, float>) return "Float";
  else if constexpr (std::is_same_v<T, double>) return "Double";
  else if constexpr (std::is_same_v<T, half>) return "Half";
  else return "BFloat16";
}

/** Class weights viewed to broadcast along the class dim of an input of `dim` dims. */
template <class T>
Tensor<T> class_view(const Tensor<T>& weight, int64_t dim) {
  if (dim <= 1) return weight;
  Shape shape = Shape::filled(static_cast<size_t>(dim), 1);
  shape[1] = weight.size(0);
  return weight.view(shape);
}

/** nll_loss's parts before its reduction: the per-target loss (0 where ignored), the mask of
 *  ignored targets and the weight of each target (0 where ignored), all of the target's shape. */
template <class T>
struct NllParts {
  Tensor<T> loss;
  Tensor<bool> ignored;
  Tensor<T> target_weight;
  Tensor<int64_t> safe_target;  // the targets with ignored ones replaced by class 0, (1) for an input (C)
};

/** Refuses a weight that requires grad where PyTorch's function has no derivative for it. */
template <class T>
void check_weight_without_grad(const char* op, const char* function, const Tensor<T>& weight, const char* argument) {
  TS_CHECK(!(weight.defined() && ::tessera::detail::needs_grad(weight)), op, ": The function '", function,
           "' is not differentiable with respect to argument '", argument, "'. This input cannot have requires_grad "
           "True.");
}

/** PyTorch's checks of nll_loss_nd, nll_loss and nll_loss2d on the shapes, in their order. */
template <class T>
void check_nll_shapes(const char* op, const Tensor<T>& input, const Shape& target, const Tensor<T>& weight) {
  const int64_t dim = input.dim(), target_dim = static_cast<int64_t>(target.size());
  TS_CHECK(dim >= 1, op, ": Expected 1 or more dimensions (got ", dim, ")");
  if (dim != 1 && target_dim >= 1)
    TS_CHECK(input.size(0) == target[0], op, ": Expected input batch_size (", input.size(0),
             ") to match target batch_size (", target[0], ").");
  const int64_t classes = input.size(dim == 1 ? 0 : 1);
  if (dim <= 2) {
    TS_CHECK(target_dim <= 1, op, ": 0D or 1D target tensor expected, multi-target not supported");
    const bool no_batch_dim = dim == 1 && target_dim == 0;
    TS_CHECK(no_batch_dim || (target_dim == 1 && input.size(0) == target[0]), op, ": size mismatch (got input: ",
             shape_str(input.sizes()), ", target: ", shape_str(target), ")");
    TS_CHECK(!weight.defined() || (weight.dim() == 1 && weight.numel() == classes), op,
             ": weight tensor should be defined either for all ", classes,
             " classes or no classes but got weight tensor of shape: ", shape_str(weight.sizes()));
    return;
  }
  if (dim == 4) {
    TS_CHECK(target_dim == 3, op, ": only batches of spatial targets supported (3D tensors) but got targets of "
             "dimension: ", target_dim);
  } else {
    Shape expected = {input.size(0)};
    for (int64_t d = 2; d < dim; ++d) expected.push_back(input.size(d));
    bool match = target_dim == dim - 1;  // target.sizes()[1:] == input.sizes()[2:]
    for (int64_t d = 2; d < dim && match; ++d) match = target[static_cast<size_t>(d - 1)] == input.size(d);
    TS_CHECK(match, op, ": Expected target size ", shape_str(expected), ", got ", shape_str(target));
  }
  TS_CHECK(!weight.defined() || weight.numel() == classes, op,
           ": weight tensor should be defined either for all or no classes");
  if (dim == 4) {
    const bool match = input.size(0) == target[0] && input.size(2) == target[1] && input.size(3) == target[2];
    TS_CHECK(match, op, ": size mismatch (got input: ", shape_str(input.sizes()), " , target: ", shape_str(target));
  }
}

// Note [nll_loss by composition]
// nll_loss picks -w[t] * x[t] with gather along the class dim, whatever the number of dims
// ((C), (N, C), (N, C, d1, ...)): PyTorch's nll_loss, nll_loss2d and nll_loss_nd compute the
// same. An ignored target is first replaced by class 0 (so that gather reads inside the input)
// and its loss and weight are then set to 0; the mean divides by the sum of the weights of the
// targets not ignored, so with every target ignored it is 0 / 0 = nan, as PyTorch. The bounds
// check runs on the replaced targets, so it names the first target PyTorch would refuse, and on
// a GPU it is checked there without a wait (Note [Deferred errors]).
template <class T>
NllParts<T> nll_parts(const char* op, const Tensor<T>& input, const Tensor<int64_t>& target, const Tensor<T>& weight,
                      int64_t ignore_index) {
  check_nll_shapes(op, input, target.sizes(), weight);
  check_weight_without_grad(op, input.dim() > 2 ? "nll_loss2d_forward" : "nll_loss_forward", weight, "weight");
  NoGradGuard no_grad;  // the loss's derivative is NllLossBackward's
  const int64_t dim = input.dim();
  const int64_t classes = input.size(dim == 1 ? 0 : 1);
  Tensor<int64_t> t = target;
  if (dim == 1 && target.dim() == 1) t = target.narrow(0, 0, 1).squeeze(0);  // PyTorch reads target[0]
  const bool unbatched = dim == 1;
  const Tensor<T> x = unbatched ? input.unsqueeze(0) : input;
  if (unbatched) t = t.reshape({1});
  const Tensor<bool> ignored = t == ignore_index;
  const Tensor<int64_t> safe = t.masked_fill(ignored, 0);
  ::tessera::detail::check_index_on_device(safe, 0, classes, ::tessera::detail::IndexCheck::Target, op, 1);
  const Tensor<T> picked = x.gather(1, safe.unsqueeze(1)).squeeze(1);
  Tensor<T> w = weight.defined() ? weight.index_select(0, safe.reshape({-1})).view(safe.sizes()).masked_fill(ignored, 0)
                                 : (!ignored).template to<T>();
  Tensor<T> loss = weight.defined() ? (picked * w).neg().masked_fill(ignored, 0) : picked.neg().masked_fill(ignored, 0);
  if (unbatched) return {loss.squeeze(0), ignored.squeeze(0), w.squeeze(0), safe};
  return {loss, ignored, w, safe};
}

template <class T>
void check_floating() {
  static_assert(is_floating_v<T>, "losses take floating tensors, as in PyTorch; convert with to<float>() first");
}

/** binary_cross_entropy's elementwise loss, with PyTorch's own derivatives: g w (x - y) /
 *  max((1 - x) x, 1e-12) for the input, finite where the input is exactly 0 or 1 (a sigmoid that
 *  saturates), and g w (log(1 - x) - log(x)) for the target. Under create_graph they are
 *  differentiated as written, which gives PyTorch's second derivatives except where (1 - x) x
 *  is below 1e-12. */
template <class T>
struct BinaryCrossEntropyBackward0 final : ::tessera::detail::Node {
  ::tessera::detail::SavedTensor<T> self, target, weight;
  Reduction reduction;  // included, as in PyTorch's node: the mean's gradients are divided by numel
  BinaryCrossEntropyBackward0(const Tensor<T>& x, const Tensor<T>& y, Reduction r, const Tensor<T>& w)
      : self(x, false), target(y, false), weight(w, false), reduction(r) {}
  const char* name() const override { return "BinaryCrossEntropyBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(self, target, weight);
  }
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    const Tensor<T> g = grads[0].as<T>(), x = self.unpack(*this), y = target.unpack(*this);
    const double norm = reduction == Reduction::Mean ? 1.0 / static_cast<double>(x.numel()) : 1.0;
    const Tensor<T> gw = (weight.defined() ? g * weight.unpack(*this) : g) * norm;
    AnyTensor dx, dy;
    if (needs_input_grad(0)) dx = ::tessera::detail::sum_to(gw * (x - y) / ((T(1) - x) * x).clamp_min(1e-12), x.sizes());
    if (needs_input_grad(1)) dy = ::tessera::detail::sum_to(gw * ((T(1) - x).log() - x.log()), y.sizes());
    return {dx, dy};
  }
};

/** binary_cross_entropy_with_logits's node, reduction included (PyTorch's
 *  BinaryCrossEntropyWithLogitsBackward0). With t = pos_weight y and s = sigmoid(x), the input's
 *  gradient is ((t + 1 - y) s - t) w g (s - y without pos_weight), the target's
 *  (-x + (pos_weight - 1) softplus(-x)) w g (-x w g without), each divided by numel for the mean. */
template <class T>
struct BinaryCrossEntropyWithLogitsBackward0 final : ::tessera::detail::Node {
  ::tessera::detail::SavedTensor<T> self, target, weight, pos_weight;
  Reduction reduction;
  BinaryCrossEntropyWithLogitsBackward0(const Tensor<T>& x, const Tensor<T>& y, Reduction r, const Tensor<T>& w,
                                        const Tensor<T>& p)
      : self(x, false), target(y, false), weight(w, false), pos_weight(p, false), reduction(r) {}
  const char* name() const override { return "BinaryCrossEntropyWithLogitsBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(self, target, weight, pos_weight);
  }
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    const Tensor<T> g = grads[0].as<T>(), x = self.unpack(*this), y = target.unpack(*this);
    const double norm = reduction == Reduction::Mean ? 1.0 / static_cast<double>(x.numel()) : 1.0;
    const Tensor<T> gw = (weight.defined() ? g * weight.unpack(*this) : g) * norm;
    const Tensor<T> p = pos_weight.defined() ? pos_weight.unpack(*this) : Tensor<T>();
    AnyTensor dx, dy;
    if (needs_input_grad(0)) {
      const Tensor<T> s = x.sigmoid();
      const Tensor<T> d = p.defined() ? (p * y + T(1) - y) * s - p * y : s - y;
      dx = ::tessera::detail::sum_to(d * gw, x.sizes());
    }
    if (needs_input_grad(1)) {
      Tensor<T> d = x.neg();
      if (p.defined()) {
        const Tensor<T> m = x.neg().clamp_min(0.0);  // softplus(-x), stably, as the forward
        d = d + (p - T(1)) * (((-m).exp() + (-x - m).exp()).log() + m);
      }
      dy = ::tessera::detail::sum_to(d * gw, y.sizes());
    }
    return {dx, dy};
  }
};

/** mse_loss's node, its reduction included (PyTorch's MseLossBackward0): the input's gradient is
 *  norm (x - y) g, norm 2 / numel for the mean and 2 otherwise, the target's norm (y - x) g. */
template <class T>
struct MseLossBackward0 final : ::tessera::detail::Node {
  ::tessera::detail::SavedTensor<T> self, target;
  Reduction reduction;
  MseLossBackward0(const Tensor<T>& x, const Tensor<T>& y, Reduction r) : self(x, false), target(y, false), reduction(r) {}
  const char* name() const override { return "MseLossBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(self, target);
  }
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    const Tensor<T> g = grads[0].as<T>(), x = self.unpack(*this), y = target.unpack(*this);
    const double norm = reduction == Reduction::Mean ? 2.0 / static_cast<double>(x.numel()) : 2.0;
    AnyTensor dx, dy;
    if (needs_input_grad(0)) dx = (x - y) * norm * g;
    if (needs_input_grad(1)) dy = (y - x) * norm * g;
    return {dx, dy};
  }
};

/** smooth_l1_loss's and huber_loss's node, reduction included (PyTorch's SmoothL1LossBackward0 and
 *  HuberLossBackward0). PyTorch's kernels' derivative in d = x - y: -s below -b, else s from b
 *  up (so d = 0 gives -s when b is 0), else d / b (smooth_l1) or d (huber), times norm g (norm
 *  1 / numel for the mean), where b is beta or delta and s is 1 (smooth_l1) or delta (huber); the
 *  target's is the same with x and y swapped. */
template <class T>
struct SmoothLossBackward final : ::tessera::detail::Node {
  ::tessera::detail::SavedTensor<T> self, target;
  Reduction reduction;
  double bound;
  bool huber;
  SmoothLossBackward(const Tensor<T>& x, const Tensor<T>& y, Reduction r, double b, bool is_huber)
      : self(x, false), target(y, false), reduction(r), bound(b), huber(is_huber) {}
  const char* name() const override { return huber ? "HuberLossBackward0" : "SmoothL1LossBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(self, target);
  }
  Tensor<T> derivative(const Tensor<T>& x, const Tensor<T>& y, const Tensor<T>& g) const {
    const double norm = reduction == Reduction::Mean ? 1.0 / static_cast<double>(x.numel()) : 1.0;
    const double slope = huber ? bound : 1.0;
    const Tensor<T> d = x - y, ng = g * norm;
    // Beta 0 has no inside, but a NaN d takes it there (NaN, as PyTorch's x / 0): d * 0, not
    // d / 0, whose derivative where's backward would carry into second derivatives.
    const Tensor<T> inside = bound > 0 ? (huber ? d * norm * g : d * norm * g / bound) : d * 0.0 * g;
    return where(d <= -bound, ng * -slope, where(d >= bound, ng * slope, inside));
  }
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    const Tensor<T> g = grads[0].as<T>(), x = self.unpack(*this), y = target.unpack(*this);
    AnyTensor dx, dy;
    if (needs_input_grad(0)) dx = derivative(x, y, g);
    if (needs_input_grad(1)) dy = derivative(y, x, g);
    return {dx, dy};
  }
};

/** Records the node of an elementwise loss of x and y, expanded to one shape (as PyTorch's
 *  losses broadcast their operands, recorded), computed by `f(d)`, d = x - y, and reduced, all
 *  without recording. */
template <template <class> class NodeT, class T, class F, class... Args>
Tensor<T> pointwise_loss(const char* op, const Tensor<T>& input, const Tensor<T>& target, Reduction reduction, F f,
                         Args... node_args) {
  const Shape shape = broadcast(input.sizes(), target.sizes(), op);
  const Tensor<T> x = input.sizes() == shape ? input : input.expand(shape);
  const Tensor<T> y = target.sizes() == shape ? target : target.expand(shape);
  Tensor<T> loss;
  {
    NoGradGuard no_grad;  // the derivatives are NodeT's
    loss = reduce(f(x - y), reduction, op);
  }
  if (::tessera::detail::needs_grad(x, y)) ::tessera::detail::record<NodeT<T>>({x, y}, {loss}, x, y, reduction, node_args...);
  return loss;
}

/** soft_margin_loss's node, reduction included (PyTorch's SoftMarginLossBackward0): the input's
 *  gradient is -norm y z / (1 + z) g with z = exp(-x y), norm 1 / numel for the mean. PyTorch
 *  has no derivative for the target. */
template <class T>
struct SoftMarginLossBackward0 final : ::tessera::detail::Node {
  ::tessera::detail::SavedTensor<T> self, target;
  Reduction reduction;
  SoftMarginLossBackward0(const Tensor<T>& x, const Tensor<T>& y, Reduction r) : self(x, false), target(y, false), reduction(r) {}
  const char* name() const override { return "SoftMarginLossBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(self, target);
  }
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    const Tensor<T> g = grads[0].as<T>(), x = self.unpack(*this), y = target.unpack(*this);
    const Tensor<T> z = (y.neg() * x).exp();
    const double norm = reduction == Reduction::Mean ? 1.0 / static_cast<double>(z.numel()) : 1.0;
    return {::tessera::detail::sum_to(y * z * -norm / (z + T(1)) * g, x.sizes())};
  }
};

/** The margins of multi_margin_loss: z = margin - x[y] + x[j] for every class j of each row of
 *  x (N, C), kept where positive and j is not the target y (N); `scale` is w[y] (1 without weights). */
template <class T>
struct MultiMargins {
  Tensor<T> z;
  Tensor<bool> kept;
  Tensor<T> scale;  // (N, 1)
};
template <class T>
MultiMargins<T> multi_margins(const Tensor<T>& x, const Tensor<int64_t>& y, const Tensor<T>& weight, double margin) {
  const Tensor<int64_t> column = y.unsqueeze(1);
  const Tensor<T> z = (static_cast<T>(margin) - x.gather(1, column)) + x;  // PyTorch's order
  const Tensor<bool> is_target = arange<int64_t>(x.size(1), {.device = x.device()}).unsqueeze(0) == column;
  const Tensor<T> scale = weight.defined() ? weight.index_select(0, y).unsqueeze(1)
                                           : ones<T>({x.size(0), 1}, {.device = x.device()});
  return {z, (z > 0) & !is_target, scale};
}

/** multi_margin_loss's node, reduction included (PyTorch's MultiMarginLossBackward0): each kept
 *  margin's derivative d = (1 or 2 z) w[y] / C, added at its class and taken from the target's. */
template <class T>
struct MultiMarginLossBackward0 final : ::tessera::detail::Node {
  ::tessera::detail::SavedTensor<T> self, weight;
  ::tessera::detail::SavedTensor<int64_t> target;
  int64_t p;
  double margin;
  Reduction reduction;
  MultiMarginLossBackward0(const Tensor<T>& x, const Tensor<int64_t>& y, const Tensor<T>& w, int64_t power, double m,
                           Reduction r)
      : self(x, false), weight(w, false), target(y, false), p(power), margin(m), reduction(r) {}
  const char* name() const override { return "MultiMarginLossBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(self, weight, target);
  }
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    const Tensor<T> x = self.unpack(*this);
    const Tensor<int64_t> y = target.unpack(*this);
    const Tensor<T> xb = x.dim() == 2 ? x : x.reshape({1, -1});
    const MultiMargins<T> m = multi_margins(xb, y.reshape({-1}), weight.unpack(*this), margin);
    Tensor<T> g = grads[0].as<T>().reshape({-1, 1}) / static_cast<T>(xb.size(1));
    if (reduction == Reduction::Mean) g = g / static_cast<T>(xb.size(0));
    const Tensor<T> slope = p == 1 ? ones_like(m.z) : m.z * T(2);
    const Tensor<T> d = where(m.kept, slope * (m.scale * g), T(0));
    const Tensor<T> dx = d.scatter_add(1, y.reshape({-1, 1}), d.sum(1, true).neg());
    return {dx.reshape(x.sizes())};
  }
};

/** The pairs of multilabel_margin_loss: for each target slot k of a row (the slots before the
 *  first -1) and each class i that is no target of the row, z = 1 - (x[t_k] - x[i]), kept where
 *  positive; [N, C slots, C classes]. */
template <class T>
struct LabelMargins {
  Tensor<T> z;
  Tensor<bool> kept;
  Tensor<int64_t> safe_target;  // the targets, -1 and what follows replaced by class 0
};
template <class T>
LabelMargins<T> label_margins(const Tensor<T>& x, const Tensor<int64_t>& target) {
  const Tensor<bool> valid = (target != -1).template to<int64_t>().cumprod(1) != 0;
  const Tensor<int64_t> safe = target.masked_fill(!valid, 0);
  const Tensor<bool> is_target = zeros<int64_t>(x.sizes(), {.device = x.device()})
                                     .scatter_add(1, safe, valid.template to<int64_t>()) != 0;
  const Tensor<T> z = (T(1) - x.gather(1, safe)).unsqueeze(2) + x.unsqueeze(1);  // PyTorch's order
  return {z, (z > 0) & valid.unsqueeze(2) & (!is_target).unsqueeze(1), safe};
}

/** multilabel_margin_loss's node, reduction included (PyTorch's MultilabelMarginLossBackward0):
 *  each kept pair adds g / C to its class and takes it from its target. */
template <class T>
struct MultilabelMarginLossBackward0 final : ::tessera::detail::Node {
  ::tessera::detail::SavedTensor<T> self;
  ::tessera::detail::SavedTensor<int64_t> target;
  Reduction reduction;
  MultilabelMarginLossBackward0(const Tensor<T>& x, const Tensor<int64_t>& y, Reduction r)
      : self(x, false), target(y, false), reduction(r) {}
  const char* name() const override { return "MultilabelMarginLossBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(self, target);
  }
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    const Tensor<T> x = self.unpack(*this);
    const Tensor<T> xb = x.dim() == 2 ? x : x.reshape({1, -1});
    const LabelMargins<T> m = label_margins(xb, target.unpack(*this).reshape(xb.sizes()));
    Tensor<T> g = grads[0].as<T>().reshape({-1, 1, 1}) / static_cast<T>(xb.size(1));
    if (reduction == Reduction::Mean) g = g / static_cast<T>(xb.size(0));
    const Tensor<T> d = where(m.kept, g, T(0));
    const Tensor<T> dx = d.sum(1).scatter_add(1, m.safe_target, d.sum(2).neg());
    return {dx.reshape(x.sizes())};
  }
};

/** PyTorch's shape check of multi_margin_loss and multilabel_margin_loss: a vector or a matrix
 *  of at least one class (or a 0-dim input, one class). */
template <class T>
void check_margin_input(const char* op, const Tensor<T>& input) {
  const int64_t dim = input.dim();
  TS_CHECK((dim == 2 && input.size(1) != 0) || (dim == 1 && input.size(0) != 0) || dim == 0, op,
           ": Expected non-empty vector or matrix with optional 0-dim batch size, but got: ", shape_str(input.sizes()));
}

/** nll_loss's node, its reduction included (PyTorch's NllLossBackward0, NllLoss2DBackward0 for
 *  inputs of more than two dims): the input's gradient is w[t] * -(g / total weight) (mean) or
 *  w[t] * -g at each target's class, 0 elsewhere and for ignored targets. */
template <class T>
struct NllLossBackward final : ::tessera::detail::Node {
  ::tessera::detail::SavedTensor<T> self, target_weight, total_weight;
  ::tessera::detail::SavedTensor<int64_t> target;  // batched, ignored targets replaced by class 0
  ::tessera::detail::SavedTensor<bool> ignored;
  Reduction reduction;
  const char* node_name;
  NllLossBackward(const Tensor<T>& x, const Tensor<int64_t>& t, const Tensor<bool>& ign, const Tensor<T>& w,
                  const Tensor<T>& tw, Reduction r, const char* n)
      : self(x, false), target_weight(w, false), total_weight(tw, false), target(t, false), ignored(ign, false),
        reduction(r), node_name(n) {}
  const char* name() const override { return node_name; }
  void release_saved() override {
    Node::release_saved();
    release_all(self, target_weight, total_weight, target, ignored);
  }
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    const Tensor<T> x = self.unpack(*this), w = target_weight.unpack(*this);
    const Tensor<int64_t> t = target.unpack(*this);
    Tensor<T> g = grads[0].as<T>();
    if (reduction == Reduction::None) g = g.reshape(w.sizes());  // (a loss viewed from more dims)
    const Tensor<T> coeff = reduction == Reduction::Mean ? (g / total_weight.unpack(*this)).neg() : g.neg();
    const Tensor<T> src = (w * coeff).masked_fill(ignored.unpack(*this), 0);  // ignored: skipped, even for a NaN coeff
    const bool unbatched = x.dim() == 1;
    const Tensor<T> xb = unbatched ? x.unsqueeze(0) : x;
    const Tensor<T> dx = zeros_like(xb).scatter(1, t.unsqueeze(1), src.expand(t.sizes()).unsqueeze(1));
    return {unbatched ? dx.squeeze(0) : dx};
  }
};

/** nll_loss of log-probabilities: the reduced loss, computed from `parts` without recording, and
 *  PyTorch's one node for it when the input needs a gradient. An unreduced loss of an input of 3
 *  or more than 4 dims comes out as PyTorch's: a view of the node's output (ViewBackward0). */
template <class T>
Tensor<T> nll_loss_recorded(const char* op, const Tensor<T>& input, const NllParts<T>& parts, Reduction reduction) {
  TS_CHECK(reduction != Reduction::BatchMean, op, ": batchmean is not a valid value for reduction");
  const bool record = ::tessera::detail::needs_grad(input);
  Tensor<T> loss, total_weight;
  {
    NoGradGuard no_grad;
    total_weight = parts.target_weight.sum();
    loss = reduction == Reduction::None ? parts.loss : reduction == Reduction::Sum ? parts.loss.sum() : parts.loss.sum() / total_weight;
  }
  if (!record) return loss;
  const int64_t dim = input.dim();
  const bool viewed = reduction == Reduction::None && (dim == 3 || dim > 4);
  if (viewed) {
    NoGradGuard no_grad;
    loss = loss.reshape({loss.size(0), 1, loss.numel() > 0 ? -1 : 0});
  }
  const Shape& batched = parts.safe_target.sizes();
  ::tessera::detail::record<NllLossBackward<T>>({input}, {loss}, input, parts.safe_target, parts.ignored.reshape(batched),
                                                 parts.target_weight.reshape(batched), total_weight, reduction,
                                                 dim <= 2 ? "NllLossBackward0" : "NllLoss2DBackward0");
  return viewed ? loss.view(parts.loss.sizes()) : loss;
}

}  // namespace detail_loss

namespace functional {

/** Negative log-likelihood of the target classes: input holds log-probabilities, (N, C),
 *  (N, C, d1, ...) or (C); target the class of each element, (N), (N, d1, ...) or (). */
template <class T>
Tensor<T> nll_loss(const Tensor<T>& input, const Tensor<int64_t>& target, const NLLLossOptions<T>& options = {}) {
  detail_loss::check_floating<T>();
  const auto parts = detail_loss::nll_parts("nll_loss", input, target, options.weight, options.ignore_index);
  return detail_loss::nll_loss_recorded("nll_loss", input, parts, options.reduction);
}
/** nll_loss(input, target, weight), weight in PyTorch's third place. */
template <class T>
Tensor<T> nll_loss(const Tensor<T>& input, const Tensor<int64_t>& target, const Tensor<T>& weight) {
  return nll_loss(input, target, NLLLossOptions<T>{.weight = weight});
}

/** Cross-entropy of logits against class indices: input (N, C), (N, C, d1, ...) or (C), target
 *  (N), (N, d1, ...) or (); the negative log-softmax of the target class, weighted, ignoring
 *  ignore_index; with label smoothing e, (1 - e) of it plus e times the mean over all classes. */
template <class T>
Tensor<T> cross_entropy(const Tensor<T>& input, const Tensor<int64_t>& target,
                        const CrossEntropyLossOptions<T>& options = {}) {
  detail_loss::check_floating<T>();
  const double e = options.label_smoothing;
  if (e > 0)  // PyTorch checks only a positive smoothing
    TS_CHECK(e <= 1.0, "cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: ", e);
  const int64_t class_dim = input.dim() == 1 ? 0 : 1;
  const Tensor<T> log_probs = input.dim() >= 1 ? input.log_softmax(class_dim) : input;
  const auto parts = detail_loss::nll_parts("cross_entropy", log_probs, target, options.weight, options.ignore_index);
  const Tensor<T> nll = detail_loss::nll_loss_recorded("cross_entropy", log_probs, parts, options.reduction);
  if (!(e > 0)) return nll;
  // PyTorch's cross_entropy_loss_label_smoothing, step by step.
  const Tensor<T>& weight = options.weight;
  const Tensor<T> smooth =
      (weight.defined() ? (log_probs * detail_loss::class_view(weight, input.dim())).sum(class_dim) : log_probs.sum(class_dim))
          .neg()
          .masked_fill(parts.ignored, 0);
  Tensor<T> ret;
  if (options.reduction == Reduction::None) ret = smooth;
  else if (options.reduction == Reduction::Sum) ret = smooth.sum();
  else ret = smooth.sum() / parts.target_weight.sum();
  const int64_t classes = input.size(class_dim);
  return nll * static_cast<T>(1 - e) + ret * static_cast<T>(e / static_cast<double>(classes));
}

/** Cross-entropy against class probabilities: target has the input's shape (soft labels). */
template <class T>
Tensor<T> cross_entropy(const Tensor<T>& input, const Tensor<T>& target, const CrossEntropyLossOptions<T>& options = {}) {
  detail_loss::check_floating<T>();
  // PyTorch takes a target of another shape for class indices: nll_loss checks the shapes, then
  // refuses the dtype.
  if (input.sizes() != target.sizes()) {
    detail_loss::check_nll_shapes("cross_entropy", input, target.sizes(), options.weight);
    detail::throw_error("cross_entropy: expected scalar type Long but found ", detail_loss::scalar_type_name<T>());
  }
  TS_CHECK(options.ignore_index < 0, "cross_entropy: ignore_index is not supported for floating point target");
  const int64_t class_dim = input.dim() == 1 ? 0 : 1;
  TS_CHECK(input.dim() >= 1, "cross_entropy: Expected 1 or more dimensions (got 0)");
  const int64_t classes = input.size(class_dim);
  const Tensor<T>& weight = options.weight;
  TS_CHECK(!weight.defined() || (weight.dim() == 1 && weight.numel() == classes),
           "cross_entropy: weight tensor should be defined either for all ", classes,
           " classes or no classes but got weight tensor of shape: ", detail_loss::shape_str(weight.sizes()));
  const Tensor<T> log_probs = input.log_softmax(class_dim);
  const double e = options.label_smoothing;
  Tensor<T> t = target;
  if (e > 0) {
    TS_CHECK(e <= 1.0, "cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: ", e);
    t = target * static_cast<T>(1 - e) + static_cast<T>(e / static_cast<double>(classes));
  }
  Tensor<T> prod = log_probs * t;
  if (weight.defined()) prod = prod * detail_loss::class_view(weight, input.dim());
  TS_CHECK(options.reduction != Reduction::BatchMean, "cross_entropy: batchmean is not a valid value for reduction");
  if (options.reduction == Reduction::None) return prod.sum(class_dim).neg();
  if (options.reduction == Reduction::Sum) return prod.sum().neg();
  // An empty input gives 0 / 0, nan, as PyTorch's fill_(NAN).
  return prod.sum().neg() / static_cast<T>(classes > 0 ? input.numel() / classes : 0);
}

/** cross_entropy(input, target, weight), weight in PyTorch's third place (class indices or
 *  probabilities). A number there is not label smoothing: that is {.label_smoothing = e}. */
template <class T, class U>
  requires(std::is_same_v<U, int64_t> || std::is_same_v<U, T>)
Tensor<T> cross_entropy(const Tensor<T>& input, const Tensor<U>& target, const Tensor<T>& weight) {
  return cross_entropy(input, target, CrossEntropyLossOptions<T>{.weight = weight});
}
template <class T, class U, class S>
  requires std::is_arithmetic_v<S>
Tensor<T> cross_entropy(const Tensor<T>&, const Tensor<U>&, S) {
  static_assert(!std::is_arithmetic_v<S>, "cross_entropy: the third argument is weight, as in PyTorch; pass label "
                "smoothing as an option: cross_entropy(x, y, {.label_smoothing = 0.1})");
  return {};
}

/** Squared error (input - target)^2; input and target broadcast. */
template <class T>
Tensor<T> mse_loss(const Tensor<T>& input, const Tensor<T>& target, const MSELossOptions& options = {}) {
  detail_loss::check_floating<T>();
  return detail_loss::pointwise_loss<detail_loss::MseLossBackward0>("mse_loss", input, target, options.reduction,
                                                                    [](const Tensor<T>& d) { return d * d; });
}

/** Absolute error |input - target|; input and target broadcast. */
template <class T>
Tensor<T> l1_loss(const Tensor<T>& input, const Tensor<T>& target, const L1LossOptions& options = {}) {
  detail_loss::check_floating<T>();
  detail_loss::broadcast(input.sizes(), target.sizes(), "l1_loss");
  return detail_loss::reduce((input - target).abs(), options.reduction, "l1_loss");
}

/** 0.5 z^2 / beta where z = |input - target| < beta, else z - 0.5 beta; beta = 0 is l1_loss. */
template <class T>
Tensor<T> smooth_l1_loss(const Tensor<T>& input, const Tensor<T>& target, const SmoothL1LossOptions& options = {}) {
  detail_loss::check_floating<T>();
  const double beta = options.beta;
  TS_CHECK(beta >= 0, "smooth_l1_loss: smooth_l1_loss does not support negative values for beta.");
  const auto loss = [beta](const Tensor<T>& d) {  // |d| for beta 0
    const Tensor<T> z = d.abs();
    return where(z < static_cast<T>(beta), z * static_cast<T>(0.5) * z / static_cast<T>(beta), z - static_cast<T>(0.5 * beta));
  };
  return detail_loss::pointwise_loss<detail_loss::SmoothLossBackward>("smooth_l1_loss", input, target, options.reduction,
                                                                      loss, beta, false);
}

/** 0.5 z^2 where z = |input - target| < delta, else delta (z - 0.5 delta). */
template <class T>
Tensor<T> huber_loss(const Tensor<T>& input, const Tensor<T>& target, const HuberLossOptions& options = {}) {
  detail_loss::check_floating<T>();
  const double delta = options.delta;
  TS_CHECK(delta > 0, "huber_loss: huber_loss does not support non-positive values for delta.");
  const auto loss = [delta](const Tensor<T>& d) {
    const Tensor<T> z = d.abs();
    return where(z < static_cast<T>(delta), z * static_cast<T>(0.5) * z, (z - static_cast<T>(0.5 * delta)) * static_cast<T>(delta));
  };
  return detail_loss::pointwise_loss<detail_loss::SmoothLossBackward>("huber_loss", input, target, options.reduction,
                                                                      loss, delta, true);
}

/** -w (y log x + (1 - y) log(1 - x)) for probabilities x in [0, 1], each log clamped at -100
 *  (so x = 0 or 1 gives a finite loss), as PyTorch. */
template <class T>
Tensor<T> binary_cross_entropy(const Tensor<T>& input, const Tensor<T>& target, const BCELossOptions<T>& options = {}) {
  detail_loss::check_floating<T>();
  TS_CHECK(target.sizes() == input.sizes(), "binary_cross_entropy: Using a target size (",
           detail_loss::shape_str(target.sizes()), ") that is different to the input size (",
           detail_loss::shape_str(input.sizes()), ") is deprecated. Please ensure they have the same size.");
  if (options.weight.defined()) detail_loss::check_weight_shape("binary_cross_entropy", input.sizes(), options.weight.sizes());
  // A value check needs the values: made on the CPU (a GPU would have to wait for its queue).
  if (input.device().is_cpu() && input.numel() > 0)
    TS_CHECK(((input >= T(0)) && (input <= T(1))).all().item(),
             "binary_cross_entropy: all elements of input should be between 0 and 1");
  detail_loss::check_weight_without_grad("binary_cross_entropy", "binary_cross_entropy", options.weight, "weight");
  Tensor<T> loss;
  {
    NoGradGuard no_grad;  // its derivatives are BinaryCrossEntropyBackward0's
    const Tensor<T> log_x = input.log().clamp(-100.0), log_1mx = (T(1) - input).log().clamp(-100.0);
    loss = (target - T(1)) * log_1mx - target * log_x;
    if (options.weight.defined()) loss = loss * options.weight;
    loss = detail_loss::reduce(loss, options.reduction, "binary_cross_entropy");
  }
  if (::tessera::detail::needs_grad(input, target))
    ::tessera::detail::record<detail_loss::BinaryCrossEntropyBackward0<T>>({input, target}, {loss}, input, target,
                                                                          options.reduction, options.weight);
  return loss;
}
/** binary_cross_entropy(input, target, weight), weight in PyTorch's third place. */
template <class T>
Tensor<T> binary_cross_entropy(const Tensor<T>& input, const Tensor<T>& target, const Tensor<T>& weight) {
  return binary_cross_entropy(input, target, BCELossOptions<T>{.weight = weight});
}

/** binary_cross_entropy of sigmoid(input), computed stably from the logits: no exp overflows.
 *  pos_weight p scales the positive term: -w (p y log s(x) + (1 - y) log(1 - s(x))). */
template <class T>
Tensor<T> binary_cross_entropy_with_logits(const Tensor<T>& input, const Tensor<T>& target,
                                           const BCEWithLogitsLossOptions<T>& options = {}) {
  detail_loss::check_floating<T>();
  TS_CHECK(input.sizes() == target.sizes(), "binary_cross_entropy_with_logits: Target size (",
           detail_loss::shape_str(target.sizes()), ") must be the same as input size (",
           detail_loss::shape_str(input.sizes()), ")");
  const char* op = "binary_cross_entropy_with_logits";
  detail_loss::check_weight_without_grad(op, op, options.weight, "weight");
  detail_loss::check_weight_without_grad(op, op, options.pos_weight, "pos_weight");
  if (options.pos_weight.defined()) detail_loss::check_weight_shape(op, input.sizes(), options.pos_weight.sizes());
  if (options.weight.defined()) detail_loss::check_weight_shape(op, input.sizes(), options.weight.sizes());
  Tensor<T> loss;
  {
    NoGradGuard no_grad;  // its derivatives are BinaryCrossEntropyWithLogitsBackward0's
    // PyTorch's steps: log(1 + exp(-x)) = log(exp(-m) + exp(-x - m)) + m with m = max(-x, 0).
    const Tensor<T> m = input.neg().clamp(0.0);
    const Tensor<T> log_term = ((-m).exp() + (-input - m).exp()).log();
    if (options.pos_weight.defined()) {
      const Tensor<T> log_weight = (options.pos_weight - T(1)) * target + T(1);
      loss = (T(1) - target) * input + log_weight * (log_term + m);
    } else {
      loss = (T(1) - target) * input + m + log_term;
    }
    if (options.weight.defined()) loss = loss * options.weight;
    loss = detail_loss::reduce(loss, options.reduction, op);
  }
  if (::tessera::detail::needs_grad(input, target))
    ::tessera::detail::record<detail_loss::BinaryCrossEntropyWithLogitsBackward0<T>>(
        {input, target}, {loss}, input, target, options.reduction, options.weight, options.pos_weight);
  return loss;
}
/** binary_cross_entropy_with_logits(input, target, weight), weight in PyTorch's third place. */
template <class T>
Tensor<T> binary_cross_entropy_with_logits(const Tensor<T>& input, const Tensor<T>& target, const Tensor<T>& weight) {
  return binary_cross_entropy_with_logits(input, target, BCEWithLogitsLossOptions<T>{.weight = weight});
}

/** Kullback-Leibler divergence of target from input, input holding log-probabilities:
 *  target (log target - input), 0 where target is 0; with log_target, exp(target) (target - input).
 *  Reduction::BatchMean divides the sum by the batch size (dim 0). Input and target broadcast. */
template <class T>
Tensor<T> kl_div(const Tensor<T>& input, const Tensor<T>& target, const KLDivLossOptions& options = {}) {
  detail_loss::check_floating<T>();
  detail_loss::broadcast(input.sizes(), target.sizes(), "kl_div");
  Tensor<T> out;
  if (options.log_target) {
    out = target.exp() * (target - input);
  } else {
    // PyTorch's composition: 0 where target is 0, where the target's gradient is 0 / 0.
    out = xlogy(target, target) - target * input;
  }
  if (options.reduction != Reduction::BatchMean) return detail_loss::reduce(out, options.reduction, "kl_div");
  const Tensor<T> sum = out.sum();
  return input.dim() == 0 ? sum : sum / static_cast<T>(input.size(0));
}

/** 1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1, 0 elsewhere;
 *  x1, x2 (N, D) with target (N), or (D) with a 0-dim target. */
template <class T, class U>
Tensor<T> cosine_embedding_loss(const Tensor<T>& input1, const Tensor<T>& input2, const Tensor<U>& target,
                                const CosineEmbeddingLossOptions& options = {}) {
  detail_loss::check_floating<T>();
  const int64_t targ_dim = target.dim();
  TS_CHECK(targ_dim == 1 || targ_dim == 0,
           "cosine_embedding_loss: 0D or 1D target tensor expected, multi-target not supported");
  if (targ_dim == 1)
    TS_CHECK(input1.dim() == 2 && input2.dim() == 2, "cosine_embedding_loss: 1D target tensor expects 2D input "
             "tensors, but found inputs with sizes ", detail_loss::shape_str(input1.sizes()), " and ",
             detail_loss::shape_str(input2.sizes()), ".");
  else
    TS_CHECK(input1.dim() == 1 && input2.dim() == 1, "cosine_embedding_loss: 0D target tensor expects 1D input "
             "tensors, but found inputs with sizes ", detail_loss::shape_str(input1.sizes()), " and ",
             detail_loss::shape_str(input2.sizes()), ".");
  detail_loss::broadcast(input1.sizes(), input2.sizes(), "cosine_embedding_loss");
  constexpr double kEpsilon = 1e-12;  // PyTorch's, added to each squared magnitude
  const Tensor<T> prod_sum = (input1 * input2).sum(targ_dim);
  const Tensor<T> mag1 = (input1 * input1).sum(targ_dim) + static_cast<T>(kEpsilon);
  const Tensor<T> mag2 = (input2 * input2).sum(targ_dim) + static_cast<T>(kEpsilon);
  const Tensor<T> cos = prod_sum / (mag1 * mag2).sqrt();
  detail_loss::broadcast(cos.sizes(), target.sizes(), "cosine_embedding_loss");
  const Tensor<T> pos = T(1) - cos, neg = (cos - static_cast<T>(options.margin)).clamp_min(0.0);
  const Tensor<T> out = where(target == U(1), pos, T(0)) + where(target == U(-1), neg, T(0));
  return detail_loss::reduce(out, options.reduction, "cosine_embedding_loss");
}

/** max(0, -target (input1 - input2) + margin): target 1 asks input1 to rank above input2. */
template <class T>
Tensor<T> margin_ranking_loss(const Tensor<T>& input1, const Tensor<T>& input2, const Tensor<T>& target,
                              const MarginRankingLossOptions& options = {}) {
  detail_loss::check_floating<T>();
  TS_CHECK(input1.dim() == input2.dim() && input1.dim() == target.dim(),
           "margin_ranking_loss: All input tensors should have same dimension but got sizes: input1: ",
           detail_loss::shape_str(input1.sizes()), ", input2: ", detail_loss::shape_str(input2.sizes()),
           ", target: ", detail_loss::shape_str(target.sizes()));
  detail_loss::broadcast(broadcast_shapes(input1.sizes(), input2.sizes(), "margin_ranking_loss"), target.sizes(),
                         "margin_ranking_loss");
  const Tensor<T> out = (target.neg() * (input1 - input2) + static_cast<T>(options.margin)).clamp_min(0.0);
  return detail_loss::reduce(out, options.reduction, "margin_ranking_loss");
}

/** max(0, margin + d(anchor, positive) - d(anchor, negative)) with d the p-norm of the
 *  difference plus eps over the last dim (torch.pairwise_distance); swap takes for the second
 *  distance the smaller of d(anchor, negative) and d(positive, negative). */
template <class T>
Tensor<T> triplet_margin_loss(const Tensor<T>& anchor, const Tensor<T>& positive, const Tensor<T>& negative,
                              const TripletMarginLossOptions& options = {}) {
  detail_loss::check_floating<T>();
  TS_CHECK(anchor.dim() == positive.dim() && positive.dim() == negative.dim(),
           "triplet_margin_loss: All inputs should have same dimension but got ", anchor.dim(), "D, ", positive.dim(),
           "D and ", negative.dim(), "D inputs.");
  const auto distance = [&](const Tensor<T>& a, const Tensor<T>& b) {
    const Tensor<T> d = a - b + static_cast<T>(options.eps);
    return d.norm(options.p, d.dim() - 1);
  };
  const Tensor<T> dist_pos = distance(anchor, positive);
  Tensor<T> dist_neg = distance(anchor, negative);
  if (options.swap) dist_neg = dist_neg.minimum(distance(positive, negative));
  const Tensor<T> out = (dist_pos + static_cast<T>(options.margin) - dist_neg).clamp_min(0.0);
  return detail_loss::reduce(out, options.reduction, "triplet_margin_loss");
}

/** max(0, margin + d(anchor, positive) - d(anchor, negative)) for any distance d, a callable
 *  (Tensor<T>, Tensor<T>) -> Tensor<T> (PyTorch's keyword distance_function); swap takes for the
 *  second distance the smaller of d(anchor, negative) and d(positive, negative). */
template <class T, class Distance>
  requires std::is_invocable_r_v<Tensor<T>, Distance, const Tensor<T>&, const Tensor<T>&>
Tensor<T> triplet_margin_with_distance_loss(const Tensor<T>& anchor, const Tensor<T>& positive,
                                           const Tensor<T>& negative, Distance distance_function,
                                           const TripletMarginWithDistanceLossOptions& options = {}) {
  const Tensor<T> positive_dist = distance_function(anchor, positive);
  Tensor<T> negative_dist = distance_function(anchor, negative);
  if (options.swap) negative_dist = negative_dist.minimum(distance_function(positive, negative));
  // torch.clamp(min=0), as PyTorch's (ClampBackward1)
  const Tensor<T> out = (positive_dist - negative_dist + static_cast<T>(options.margin)).clamp(0.0, std::nullopt);
  return detail_loss::reduce(out, options.reduction, "triplet_margin_with_distance_loss");
}

/** triplet_margin_with_distance_loss with PyTorch's default distance, pairwise_distance. */
template <class T>
Tensor<T> triplet_margin_with_distance_loss(const Tensor<T>& anchor, const Tensor<T>& positive,
                                           const Tensor<T>& negative,
                                           const TripletMarginWithDistanceLossOptions& options = {}) {
  return triplet_margin_with_distance_loss(
      anchor, positive, negative, [](const Tensor<T>& a, const Tensor<T>& b) { return ::tessera::pairwise_distance(a, b); },
      options);
}

/** log(1 + exp(-target input)) for targets 1 and -1; input and target broadcast. */
template <class T>
Tensor<T> soft_margin_loss(const Tensor<T>& input, const Tensor<T>& target, const SoftMarginLossOptions& options = {}) {
  detail_loss::check_floating<T>();
  detail_loss::check_weight_without_grad("soft_margin_loss", "soft_margin_loss", target, "target");
  detail_loss::broadcast(input.sizes(), target.sizes(), "soft_margin_loss");
  Tensor<T> loss;
  {
    NoGradGuard no_grad;  // the derivative is SoftMarginLossBackward0's
    loss = detail_loss::reduce((target.neg() * input).exp().log1p(), options.reduction, "soft_margin_loss");
  }
  if (::tessera::detail::needs_grad(input))
    ::tessera::detail::record<detail_loss::SoftMarginLossBackward0<T>>({input}, {loss}, input, target, options.reduction);
  return loss;
}

/** The mean over classes (the last dim) of -(y log sigmoid(x) + (1 - y) log sigmoid(-x)), each
 *  class scaled by weight; one loss per sample, then reduced. */
template <class T>
Tensor<T> multilabel_soft_margin_loss(const Tensor<T>& input, const Tensor<T>& target,
                                      const MultiLabelSoftMarginLossOptions<T>& options = {}) {
  detail_loss::check_floating<T>();
  TS_CHECK(input.dim() >= 1, "multilabel_soft_margin_loss: Dimension out of range (expected to be in range of [-1, 0], "
           "but got -1)");
  Tensor<T> loss = (target * logsigmoid(input) + (T(1) - target) * logsigmoid(input.neg())).neg();
  if (options.weight.defined()) loss = loss * options.weight;
  const int64_t class_dim = input.dim() - 1;
  loss = loss.sum(class_dim) / static_cast<T>(input.size(class_dim));
  return detail_loss::reduce(loss, options.reduction, "multilabel_soft_margin_loss");
}

/** input where the target is 1, max(0, margin - input) where it is -1 (and their sum for any
 *  other target, as PyTorch); input and target broadcast. */
template <class T>
Tensor<T> hinge_embedding_loss(const Tensor<T>& input, const Tensor<T>& target,
                               const HingeEmbeddingLossOptions& options = {}) {
  detail_loss::check_floating<T>();
  const Tensor<T> margin_clamp = (static_cast<T>(options.margin) - input).clamp_min(0.0);
  const Tensor<T> out = where(target != T(1), margin_clamp, T(0)) + where(target != T(-1), input, T(0));
  return detail_loss::reduce(out, options.reduction, "hinge_embedding_loss");
}

/** The negative log-likelihood of target counts under Poisson rates: exp(input) - target input
 *  with log_input, else input - target log(input + eps); full adds Stirling's approximation
 *  target log(target) - target + log(2 pi target) / 2 where the target is above 1. */
template <class T>
Tensor<T> poisson_nll_loss(const Tensor<T>& input, const Tensor<T>& target, const PoissonNLLLossOptions& options = {}) {
  detail_loss::check_floating<T>();
  Tensor<T> loss = options.log_input ? input.exp() - target * input
                                     : input - target * (input + static_cast<T>(options.eps)).log();
  if (options.full) {
    const Tensor<T> stirling = target * target.log() - target + (target * static_cast<T>(2 * std::numbers::pi)).log() * T(0.5);
    loss = loss + stirling.masked_fill(target <= T(1), 0);
  }
  return detail_loss::reduce(loss, options.reduction, "poisson_nll_loss");
}

/** The negative log-likelihood of target under normal distributions of mean input and variance
 *  var: (log(var) + (input - target)^2 / var) / 2, var clamped to at least eps (the clamp has no
 *  derivative, as PyTorch's). var has the input's shape, or one less dim or a last dim of 1 (one
 *  variance per sample); full adds log(2 pi) / 2. */
template <class T>
Tensor<T> gaussian_nll_loss(const Tensor<T>& input, const Tensor<T>& target, const Tensor<T>& var,
                            const GaussianNLLLossOptions& options = {}) {
  detail_loss::check_floating<T>();
  Tensor<T> v = var;
  if (var.sizes() != input.sizes()) {
    // whether the first n sizes of var are the input's, all but its last
    const auto leads = [&](int64_t n) {
      return input.dim() > 0 && n == input.dim() - 1 &&
             std::equal(var.sizes().begin(), var.sizes().begin() + n, input.sizes().begin());
    };
    const bool one_short = leads(var.dim());
    const bool last_one = var.dim() == input.dim() && var.size(-1) == 1 && leads(var.dim() - 1);
    TS_CHECK(one_short || last_one, "gaussian_nll_loss: var is of incorrect size");
    if (one_short) v = var.unsqueeze(-1);
  }
  TS_CHECK(options.reduction != Reduction::BatchMean, "gaussian_nll_loss: batchmean is not valid");
  TS_CHECK(!(var < T(0)).any().item(), "gaussian_nll_loss: var has negative entry/entries");
  v = v.clone();
  {
    NoGradGuard no_grad;  // PyTorch's clamp for stability, outside the graph
    v.clamp_(options.eps, std::nullopt);
  }
  Tensor<T> loss = (v.log() + (input - target).square() / v) * T(0.5);
  if (options.full) loss = loss + static_cast<T>(0.5 * std::log(2 * std::numbers::pi));
  return detail_loss::reduce(loss, options.reduction, "gaussian_nll_loss");
}

/** The multi-class hinge loss of input (N, C) or (C) against class indices target (N) or ():
 *  the sum over the classes j other than y of max(0, margin - x[y] + x[j])^p, times weight[y],
 *  divided by C. */
template <class T>
Tensor<T> multi_margin_loss(const Tensor<T>& input, const Tensor<int64_t>& target,
                            const MultiMarginLossOptions<T>& options = {}) {
  detail_loss::check_floating<T>();
  TS_CHECK(options.p == 1 || options.p == 2, "multi_margin_loss: only p == 1 and p == 2 supported");
  const Tensor<T>& weight = options.weight;
  TS_CHECK(!weight.defined() || weight.dim() == 1, "multi_margin_loss: weight must be one-dimensional");
  detail_loss::check_weight_without_grad("multi_margin_loss", "multi_margin_loss", weight, "weight");
  detail_loss::check_margin_input("multi_margin_loss", input);
  const Tensor<T> x = input.dim() == 2 ? input : input.reshape({1, -1});
  TS_CHECK(target.dim() <= 1 && target.numel() == x.size(0), "multi_margin_loss: inconsistent target size, got: ",
           detail_loss::shape_str(target.sizes()));
  TS_CHECK(!weight.defined() || weight.numel() == x.size(1), "multi_margin_loss: inconsistent weight size, expected ",
           x.size(1), " but got ", detail_loss::shape_str(weight.sizes()));
  const Tensor<int64_t> y = target.reshape({-1});
  if (y.numel() > 0)
    TS_CHECK(y.min().item() >= 0 && y.max().item() < x.size(1), "multi_margin_loss: target out of range");
  Tensor<T> loss;
  {
    NoGradGuard no_grad;  // the derivative is MultiMarginLossBackward0's
    const detail_loss::MultiMargins<T> m = detail_loss::multi_margins(x, y, weight, options.margin);
    const Tensor<T> h = options.p == 1 ? m.z : m.z.square();
    loss = (where(m.kept, h, T(0)) * m.scale).sum(1) / static_cast<T>(x.size(1));
    if (target.dim() == 0) loss = loss.squeeze(0);  // the loss has the target's shape, as PyTorch's
    loss = detail_loss::reduce(loss, options.reduction, "multi_margin_loss");
  }
  if (::tessera::detail::needs_grad(input))
    ::tessera::detail::record<detail_loss::MultiMarginLossBackward0<T>>({input}, {loss}, input, target, weight,
                                                                        options.p, options.margin, options.reduction);
  return loss;
}

/** The multi-label hinge loss of input (N, C) or (C) against target of the same shape, holding
 *  each sample's classes up to its first -1: the sum over its target classes t and its other
 *  classes i of max(0, 1 - (x[t] - x[i])), divided by C. */
template <class T>
Tensor<T> multilabel_margin_loss(const Tensor<T>& input, const Tensor<int64_t>& target,
                                 const MultiLabelMarginLossOptions& options = {}) {
  detail_loss::check_floating<T>();
  const char* op = "multilabel_margin_loss";
  detail_loss::check_margin_input(op, input);
  const Tensor<T> x = input.dim() == 2 ? input : input.reshape({1, -1});
  const bool consistent = input.dim() == 2 ? target.dim() == 2 && target.sizes() == input.sizes()
                                           : target.dim() <= 1 && target.numel() == x.size(1);
  TS_CHECK(consistent, op, ": inconsistent size ", detail_loss::shape_str(target.sizes()), " for argument #2 'target'");
  const Tensor<int64_t> t = target.reshape(x.sizes());
  if (t.numel() > 0)
    TS_CHECK(t.min().item() >= -1 && t.max().item() < x.size(1), op, ": argument #2 'target' is out of range");
  Tensor<T> loss;
  {
    NoGradGuard no_grad;  // the derivative is MultilabelMarginLossBackward0's
    const detail_loss::LabelMargins<T> m = detail_loss::label_margins(x, t);
    loss = where(m.kept, m.z, T(0)).sum({1, 2}) / static_cast<T>(x.size(1));
    if (input.dim() < 2) loss = loss.squeeze(0);
    loss = detail_loss::reduce(loss, options.reduction, op);
  }
  if (::tessera::detail::needs_grad(input))
    ::tessera::detail::record<detail_loss::MultilabelMarginLossBackward0<T>>({input}, {loss}, input, target,
                                                                             options.reduction);
  return loss;
}

}  // namespace functional
}  // namespace tessera::nn
