#pragma once
// F::ctc_loss, PyTorch's connectionist temporal classification loss, computed from existing ops
// (so every device has it) and recorded as PyTorch's CtcLossBackward0.

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "../autograd/formulas.hpp"
#include "../ops/elementwise.hpp"
#include "../ops/indexing.hpp"
#include "../ops/join.hpp"
#include "../ops/reduce.hpp"
#include "loss.hpp"

namespace tessera::nn {

/** ctc_loss and CTCLoss: the blank's class, the reduction (a mean first divides each sample's
 *  loss by its target length) and whether infinite losses (targets that cannot fit in their
 *  input) and their gradients become 0. */
struct CTCLossOptions {
  int64_t blank = 0;
  Reduction reduction = Reduction::Mean;
  bool zero_infinity = false;
};

namespace detail_ctc {

// Note [CTC from ops]
// Graves et al.'s forward variables alpha (and, for the gradient, the backward variables beta)
// run over the extended targets l' (each sample's labels with a blank before, between and after
// them: 2 S + 1 states, S the longest target) for every sample at once, one time step after
// another. A step is PyTorch's kernel's log-sum-exp of up to three predecessors in its order of
// operations, log(exp(a1 - m) + exp(a2 - m) + exp(a3 - m)) + m + lp, m the largest (0 when all
// are -inf); a state comes from two states back only where its label differs from theirs. States
// past a sample's 2 S_n + 1 and steps past its input length are computed and never read: alpha
// only draws from lower states and beta from higher ones, which stay -inf. The gradient is
// PyTorch's: exp(lp) - sum over the states of label c of exp(alpha + beta + nll - lp), times the
// loss's gradient; 0 past a sample's input length; NaN for an infinite loss (0 with zero_infinity).
// PyTorch's kernel sets the last frame's two final states' shares instead of adding them, so where
// a sample's last label is the blank (which its documentation forbids and nothing refuses), the
// final blank state's share at that frame is left out here too.

constexpr double neg_inf = -std::numeric_limits<double>::infinity();

/** What the recursions need: the log-probabilities at each extended label, [T, N, L]; the
 *  extended labels [N, L]; where a state may come from two states back [N, L]; the lengths. */
template <class T>
struct Lattice {
  Tensor<T> lp_ext;
  Tensor<int64_t> ext;
  Tensor<bool> skip;
  Tensor<int64_t> input_lengths, target_lengths;  // [N, 1], on the log-probabilities' device
};

/** a shifted along the states by k (to higher states for k > 0, lower for k < 0), `fill` let in. */
template <class T, class S>
Tensor<T> shifted(const Tensor<T>& a, int64_t k, S fill) {
  const int64_t n = a.size(1), m = k > 0 ? k : -k;
  if (m >= n) return full_like(a, fill);
  const Tensor<T> in = full<T>({a.size(0), m}, static_cast<T>(fill), {.device = a.device()});
  return k > 0 ? cat({in, a.narrow(1, 0, n - m)}, 1) : cat({a.narrow(1, m, n - m), in}, 1);
}

/** PyTorch's log-sum-exp of two or three terms: the largest m (0 when all are -inf) taken out. */
template <class T>
Tensor<T> log_sum_exp(const std::vector<Tensor<T>>& terms) {
  Tensor<T> m = terms[0];
  for (size_t i = 1; i < terms.size(); ++i) m = maximum(m, terms[i]);
  m = m.masked_fill(m.isneginf(), 0);
  Tensor<T> sum = (terms[0] - m).exp();
  for (size_t i = 1; i < terms.size(); ++i) sum = sum + (terms[i] - m).exp();
  return sum.log() + m;
}

/** A state's next value from its predecessors a1, a2, a3 and its log-probability. */
template <class T>
Tensor<T> step(const Tensor<T>& a1, const Tensor<T>& a2, const Tensor<T>& a3, const Tensor<T>& lp) {
  return log_sum_exp<T>({a1, a2, a3}) + lp;
}

/** The alphas of every step, [T, N, L] (Note [CTC from ops]). */
template <class T>
Tensor<T> alphas(const Lattice<T>& g) {
  const int64_t steps = g.lp_ext.size(0), states = g.ext.size(1);
  const Tensor<bool> first = arange<int64_t>(states, {.device = g.ext.device()}).unsqueeze(0) >= 2;
  std::vector<Tensor<T>> out{g.lp_ext[0].masked_fill(first, neg_inf)};
  for (int64_t t = 1; t < steps; ++t) {
    const Tensor<T>& a = out.back();
    out.push_back(step(a, shifted(a, 1, neg_inf), shifted(a, 2, neg_inf).masked_fill(!g.skip, neg_inf), g.lp_ext[t]));
  }
  return stack(out, 0);
}

/** The betas of every step, [T, N, L]: each sample's start at its last frame (Note [CTC from ops]). */
template <class T>
Tensor<T> betas(const Lattice<T>& g) {
  const int64_t steps = g.lp_ext.size(0), states = g.ext.size(1);
  const Tensor<int64_t> s = arange<int64_t>(states, {.device = g.ext.device()}).unsqueeze(0);
  const Tensor<int64_t> last = g.target_lengths * 2;
  const Tensor<bool> final_state = (s == last) || ((s == last - 1) && (g.target_lengths > 0));
  const Tensor<bool> skip = shifted(g.skip, -2, false);  // state s + 2 comes to s
  std::vector<Tensor<T>> out(static_cast<size_t>(steps));
  Tensor<T> b = full_like(g.lp_ext[0], neg_inf);
  for (int64_t t = steps - 1; t >= 0; --t) {
    const Tensor<T> lp = g.lp_ext[t];
    const Tensor<T> next = step(b, shifted(b, -1, neg_inf), shifted(b, -2, neg_inf).masked_fill(!skip, neg_inf), lp);
    b = where(g.input_lengths - 1 == t, lp.masked_fill(!final_state, neg_inf),
              where(g.input_lengths - 1 > t, next, full_like(next, neg_inf)));
    out[static_cast<size_t>(t)] = b;
  }
  return stack(out, 0);
}

/** CtcLossBackward0: the gradient of the per-sample losses with respect to the log-probabilities
 *  (Note [CTC from ops]); it cannot be differentiated again, as PyTorch's. */
template <class T>
struct CtcLossBackward0 final : ::tessera::detail::Node {
  ::tessera::detail::SavedTensor<T> log_probs, result;
  Lattice<T> lattice;
  Tensor<T> log_alpha;
  bool zero_infinity;
  CtcLossBackward0(const Tensor<T>& lp, Lattice<T> g, Tensor<T> alpha, bool zinf)
      : log_probs(lp, false), lattice(std::move(g)), log_alpha(std::move(alpha)), zero_infinity(zinf) {}
  const char* name() const override { return "CtcLossBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(log_probs, result);
    lattice = {};
    log_alpha = {};
  }
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    const Tensor<T> lp = log_probs.unpack(*this), nll = result.unpack(*this), g = grads[0].as<T>();
    Tensor<T> grad;
    {
      NoGradGuard no_grad;
      const Lattice<T>& l = lattice;
      const Tensor<T> beta = betas(l);
      const Tensor<int64_t> t = arange<int64_t>(lp.size(0), {.device = lp.device()}).view({-1, 1, 1});
      const Tensor<int64_t> s = arange<int64_t>(l.ext.size(1), {.device = lp.device()}).view({1, 1, -1});
      const Tensor<int64_t> last = l.target_lengths.view({1, -1, 1}) * 2;
      // PyTorch's kernel sets, not adds, the last frame's two states: where the last label is the
      // blank, the final blank state's share is lost (Note [CTC from ops])
      const Tensor<bool> lost = (t == l.input_lengths.view({1, -1, 1}) - 1) && (s == last) && (last > 0) &&
                                (l.ext.gather(1, (l.target_lengths * 2 - 1).clamp_min(0)) == l.ext.narrow(1, 0, 1))
                                    .view({1, -1, 1});
      const Tensor<T> occupancy_terms =
          (log_alpha + beta + nll.view({1, -1, 1}) - l.lp_ext).exp().masked_fill(lost, 0);
      const Tensor<T> occupancy =
          zeros_like(lp).scatter_add(2, l.ext.unsqueeze(0).expand(l.lp_ext.sizes()), occupancy_terms);
      // PyTorch's exp(lp) - exp(log(occupancy) + nll - lp) is NaN where lp or the loss is infinite
      const double nan = std::numeric_limits<double>::quiet_NaN();
      grad = ((lp.exp() - occupancy) * g.view({1, -1, 1})).masked_fill(lp.isneginf(), nan);
      grad = grad.masked_fill(nll.isinf().view({1, -1, 1}), nan);
      if (zero_infinity) grad = grad.masked_fill(nll.isposinf().view({1, -1, 1}), 0);
      grad = grad.masked_fill(t >= l.input_lengths.view({1, -1, 1}), 0);
    }
    if (::tessera::detail::needs_grad(g, lp))
      ::tessera::detail::record<::tessera::detail::NotImplemented>({g, lp}, {grad}, std::string("_ctc_loss_backward"));
    return {grad};
  }
};

/** The lengths as PyTorch reads them: any integral tensor, flattened. */
template <class L>
std::vector<int64_t> lengths(const Tensor<L>& t, const char* name) {
  TS_CHECK((std::is_integral_v<L> && !std::is_same_v<L, bool>), "ctc_loss: ", name, " must be integral");
  return t.reshape({-1}).template to<int64_t>().to_vector();
}

}  // namespace detail_ctc

namespace functional {

/** The CTC loss of log-probabilities [T, N, C] (or [T, C] for one sample) against targets, either
 *  padded [N, S] (labels past a sample's length are ignored) or concatenated [sum of the target
 *  lengths], with each sample's input and target lengths; as torch.nn.functional.ctc_loss
 *  (Note [CTC from ops]). A sample of no frames has loss 0 for an empty target and inf otherwise
 *  (PyTorch 1.13 reads outside its buffer there); labels outside [0, C) are refused. */
template <class T, class I>
Tensor<T> ctc_loss(const Tensor<T>& log_probs, const Tensor<I>& targets, const std::vector<int64_t>& input_lengths,
                   const std::vector<int64_t>& target_lengths, const CTCLossOptions& options = {}) {
  using detail_ctc::neg_inf;
  const char* from = " (while checking arguments for ctc_loss_cpu)";
  TS_CHECK(options.reduction != Reduction::BatchMean, "ctc_loss: batchmean is not a valid value for reduction");
  if constexpr (!std::is_same_v<T, float> && !std::is_same_v<T, double>) {
    ::tessera::detail::throw_error("\"ctc_loss_cpu\" not implemented for '", ::tessera::detail::aten_type_name(dtype_of<T>),
                                   "'");
  } else {
    const bool batched = log_probs.dim() == 3;
    const Tensor<T> lp = batched ? log_probs : log_probs.unsqueeze(1);
    TS_CHECK(lp.dim() == 3, "ctc_loss: Expected 3-dimensional tensor, but got ", lp.dim(),
             "-dimensional tensor for argument #1 'log_probs'", from);
    TS_CHECK(targets.dim() == 1 || targets.dim() == 2, "ctc_loss: Expected 1 to 2 dimensions, but got ", targets.dim(),
             "-dimensional tensor for argument #2 'targets'", from);
    const int64_t steps = lp.size(0), batch = lp.size(1), classes = lp.size(2), blank = options.blank;
    TS_CHECK(0 <= blank && blank < classes, "ctc_loss: blank must be in label range");
    TS_CHECK(static_cast<int64_t>(input_lengths.size()) == batch, "ctc_loss: input_lengths must be of size batch_size");
    TS_CHECK(static_cast<int64_t>(target_lengths.size()) == batch, "ctc_loss: target_lengths must be of size batch_size");
    int64_t longest = 0, total = 0;
    for (size_t n = 0; n < target_lengths.size(); ++n) {
      TS_CHECK(target_lengths[n] >= 0, "ctc_loss: Expected target_lengths to have value at least 0, but got value ",
               target_lengths[n], from);
      longest = target_lengths[n] > longest ? target_lengths[n] : longest;
      total += target_lengths[n];
    }
    if (targets.dim() == 1)
      TS_CHECK(targets.size(0) == total, "ctc_loss: Expected tensor to have size ", total,
               " at dimension 0, but got size ", targets.size(0), " for argument #2 'targets'", from);
    else
      TS_CHECK(targets.size(0) == batch && targets.size(1) >= longest, "ctc_loss: Expected tensor to have size ",
               targets.size(0) == batch ? "at least " : "", targets.size(0) == batch ? longest : batch, " at dimension ",
               targets.size(0) == batch ? 1 : 0, ", but got size ", targets.size(targets.size(0) == batch ? 1 : 0),
               " for argument #2 'targets'", from);
    for (const int64_t length : input_lengths) {
      TS_CHECK(length >= 0, "ctc_loss: Expected input_lengths to have value at least 0, but got value ", length, from);
      TS_CHECK(length <= steps, "ctc_loss: Expected input_lengths to have value at most ", steps,
               ", but got value ", length, from);
    }
    TS_CHECK(steps > 0, "ctc_loss: start (0) + length (1) exceeds dimension size (0).");
    // arange returns `auto`: its calls name lp.device() so that they depend on T (Note [Declared result types])
    const Device device = lp.device();
    const Tensor<int64_t> in_len = from_vector(input_lengths, {batch, 1}, {.device = device});
    const Tensor<int64_t> tg_len = from_vector(target_lengths, {batch, 1}, {.device = device});
    detail_ctc::Lattice<T> g;
    {
      NoGradGuard no_grad;
      // Each sample's labels, [N, S], blank past its length.
      const Tensor<int64_t> tg = targets.template to<int64_t>().to(device);
      const Tensor<int64_t> j = arange<int64_t>(longest, {.device = lp.device()}).unsqueeze(0);
      const Tensor<bool> used = j < tg_len;
      Tensor<int64_t> labels;
      if (targets.dim() == 2) {
        labels = tg.narrow(1, 0, longest);
      } else if (longest > 0) {
        const Tensor<int64_t> start = tg_len.cumsum(0) - tg_len;
        labels = tg.take((start + minimum(j, tg_len - 1)).clamp(0, tg.numel() - 1));
      } else {
        labels = zeros<int64_t>({batch, 0}, {.device = device});
      }
      const Tensor<bool> bad = used && ((labels < 0) || (labels >= classes));
      TS_CHECK(!bad.any().item(), "ctc_loss: targets must be labels in [0, ", classes, "), but got ",
               labels.masked_select(bad)[0].item());
      labels = labels.masked_fill(!used, blank);
      // The extended labels: blank, l1, blank, l2, ..., blank.
      const Tensor<int64_t> blanks = full<int64_t>({batch, longest}, blank, {.device = device});
      g.ext = cat({stack({blanks, labels}, 2).reshape({batch, 2 * longest}),
                   full<int64_t>({batch, 1}, blank, {.device = device})}, 1);
      g.skip = (g.ext != detail_ctc::shifted(g.ext, 2, int64_t{-1})) &&
               (arange<int64_t>(2 * longest + 1, {.device = lp.device()}).unsqueeze(0) >= 2);
      g.lp_ext = lp.detach().gather(2, g.ext.unsqueeze(0).expand({steps, batch, 2 * longest + 1}));
      g.input_lengths = in_len;
      g.target_lengths = tg_len;
    }
    Tensor<T> nll, log_alpha;
    {
      NoGradGuard no_grad;
      log_alpha = detail_ctc::alphas(g);
      // The last two states at each sample's last frame.
      const Tensor<T> last = log_alpha.gather(0, (in_len - 1).clamp_min(0).view({1, -1, 1}).expand({1, batch, log_alpha.size(2)}))
                                 .squeeze(0);
      const Tensor<T> l1 = last.gather(1, tg_len * 2);
      const Tensor<T> l2 = last.gather(1, (tg_len * 2 - 1).clamp_min(0)).masked_fill(tg_len == 0, neg_inf);
      nll = detail_ctc::log_sum_exp<T>({l1, l2}).neg().squeeze(1);
      const Tensor<T> no_frames = zeros<T>({batch}, {.device = device}).masked_fill(tg_len.squeeze(1) != 0, std::numeric_limits<T>::infinity());
      nll = where((in_len == 0).squeeze(1), no_frames, nll);
    }
    if (::tessera::detail::needs_grad(log_probs)) {
      auto node = ::tessera::detail::record<detail_ctc::CtcLossBackward0<T>>({lp}, {nll}, lp, g, log_alpha,
                                                                           options.zero_infinity);
      node->result = ::tessera::detail::SavedTensor<T>(nll, true);
    }
    Tensor<T> res = nll;
    if (options.zero_infinity) res = where(res == std::numeric_limits<T>::infinity(), zeros<T>({}, {.device = device}), res);
    if (options.reduction == Reduction::Mean) return (res / tg_len.squeeze(1).template to<T>().clamp_min(1)).mean();
    if (options.reduction == Reduction::Sum) return res.sum();
    return batched ? res : res.squeeze(0);
  }
}

/** ctc_loss with the lengths as tensors of any integral type, as PyTorch's. */
template <class T, class I, class L1, class L2>
Tensor<T> ctc_loss(const Tensor<T>& log_probs, const Tensor<I>& targets, const Tensor<L1>& input_lengths,
                   const Tensor<L2>& target_lengths, const CTCLossOptions& options = {}) {
  // the reduction first, before the lengths' types, as Python checks it
  TS_CHECK(options.reduction != Reduction::BatchMean, "ctc_loss: batchmean is not a valid value for reduction");
  const std::vector<int64_t> il = detail_ctc::lengths(input_lengths, "input_lengths");
  return ctc_loss(log_probs, targets, il, detail_ctc::lengths(target_lengths, "target_lengths"), options);
}

}  // namespace functional

namespace impl {

/** The CTC loss as a module (functional::ctc_loss), called as loss(log_probs, targets,
 *  input_lengths, target_lengths). */
template <class = void>
class CTCLoss : public nn::Module {
 public:
  explicit CTCLoss(CTCLossOptions options = {}) : options_(options) {}
  template <class T, class I, class L1, class L2>
  Tensor<T> forward(const Tensor<T>& log_probs, const Tensor<I>& targets, const Tensor<L1>& input_lengths,
                    const Tensor<L2>& target_lengths) const {
    return functional::ctc_loss(log_probs, targets, input_lengths, target_lengths, options_);
  }
  template <class T, class I>
  Tensor<T> forward(const Tensor<T>& log_probs, const Tensor<I>& targets, const std::vector<int64_t>& input_lengths,
                    const std::vector<int64_t>& target_lengths) const {
    return functional::ctc_loss(log_probs, targets, input_lengths, target_lengths, options_);
  }
  template <class T, class I, class L1, class L2>
  Tensor<T> operator()(const Tensor<T>& log_probs, const Tensor<I>& targets, const Tensor<L1>& input_lengths,
                       const Tensor<L2>& target_lengths) const {
    return this->call_forward(*this, log_probs, targets, input_lengths, target_lengths);
  }
  template <class T, class I>
  Tensor<T> operator()(const Tensor<T>& log_probs, const Tensor<I>& targets, const std::vector<int64_t>& input_lengths,
                       const std::vector<int64_t>& target_lengths) const {
    return this->call_forward(*this, log_probs, targets, input_lengths, target_lengths);
  }
  const CTCLossOptions& options() const { return options_; }

 private:
  CTCLossOptions options_;
};

}  // namespace impl

using CTCLoss = impl::CTCLoss<>;

}  // namespace tessera::nn
