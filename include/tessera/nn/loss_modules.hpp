#pragma once
// The loss modules (CrossEntropyLoss, MSELoss, ...), as torch.nn's: options at construction,
// called as loss(input, target); class weights are buffers named as PyTorch names them.

#include <memory>
#include <type_traits>
#include <utility>

#include "loss.hpp"
#include "module.hpp"

namespace tessera::nn {

namespace impl {

// Note [Loss weights are buffers]
// PyTorch registers a loss's `weight` and `pos_weight` as buffers (not parameters): they appear
// in state_dict under those names, move with module.to(device) and are not trained. Only a
// defined one is registered, as PyTorch skips a None buffer in state_dict. The module keeps the
// registered handle in its options, so to(device) and load_state_dict reach what forward uses.

/** Cross-entropy of logits against class indices or class probabilities (functional::cross_entropy). */
template <class = void>
class CrossEntropyLoss : public nn::Module {
 public:
  explicit CrossEntropyLoss(CrossEntropyLossOptions<float> options = {}) : options_(std::move(options)) {
    if (options_.weight.defined()) options_.weight = register_buffer("weight", options_.weight);
  }
  Tensor<float> forward(const Tensor<float>& input, const Tensor<int64_t>& target) const {
    return functional::cross_entropy(input, target, options_);
  }
  Tensor<float> forward(const Tensor<float>& input, const Tensor<float>& target) const {
    return functional::cross_entropy(input, target, options_);
  }
  template <class U>
  Tensor<float> operator()(const Tensor<float>& input, const Tensor<U>& target) const { return this->call_forward(*this, input, target); }
  const CrossEntropyLossOptions<float>& options() const { return options_; }

 private:
  CrossEntropyLossOptions<float> options_;
};

/** Negative log-likelihood of class indices given log-probabilities (functional::nll_loss). */
template <class = void>
class NLLLoss : public nn::Module {
 public:
  explicit NLLLoss(NLLLossOptions<float> options = {}) : options_(std::move(options)) {
    if (options_.weight.defined()) options_.weight = register_buffer("weight", options_.weight);
  }
  Tensor<float> forward(const Tensor<float>& input, const Tensor<int64_t>& target) const {
    return functional::nll_loss(input, target, options_);
  }
  Tensor<float> operator()(const Tensor<float>& input, const Tensor<int64_t>& target) const { return this->call_forward(*this, input, target); }
  const NLLLossOptions<float>& options() const { return options_; }

 private:
  NLLLossOptions<float> options_;
};

/** Binary cross-entropy of probabilities (functional::binary_cross_entropy). */
template <class = void>
class BCELoss : public nn::Module {
 public:
  explicit BCELoss(BCELossOptions<float> options = {}) : options_(std::move(options)) {
    if (options_.weight.defined()) options_.weight = register_buffer("weight", options_.weight);
  }
  Tensor<float> forward(const Tensor<float>& input, const Tensor<float>& target) const {
    return functional::binary_cross_entropy(input, target, options_);
  }
  Tensor<float> operator()(const Tensor<float>& input, const Tensor<float>& target) const { return this->call_forward(*this, input, target); }
  const BCELossOptions<float>& options() const { return options_; }

 private:
  BCELossOptions<float> options_;
};

/** Binary cross-entropy of logits (functional::binary_cross_entropy_with_logits). */
template <class = void>
class BCEWithLogitsLoss : public nn::Module {
 public:
  explicit BCEWithLogitsLoss(BCEWithLogitsLossOptions<float> options = {}) : options_(std::move(options)) {
    if (options_.weight.defined()) options_.weight = register_buffer("weight", options_.weight);
    if (options_.pos_weight.defined()) options_.pos_weight = register_buffer("pos_weight", options_.pos_weight);
  }
  Tensor<float> forward(const Tensor<float>& input, const Tensor<float>& target) const {
    return functional::binary_cross_entropy_with_logits(input, target, options_);
  }
  Tensor<float> operator()(const Tensor<float>& input, const Tensor<float>& target) const { return this->call_forward(*this, input, target); }
  const BCEWithLogitsLossOptions<float>& options() const { return options_; }

 private:
  BCEWithLogitsLossOptions<float> options_;
};

/** The multi-label soft-margin loss (functional::multilabel_soft_margin_loss). */
template <class = void>
class MultiLabelSoftMarginLoss : public nn::Module {
 public:
  explicit MultiLabelSoftMarginLoss(MultiLabelSoftMarginLossOptions<float> options = {}) : options_(std::move(options)) {
    if (options_.weight.defined()) options_.weight = register_buffer("weight", options_.weight);
  }
  Tensor<float> forward(const Tensor<float>& input, const Tensor<float>& target) const {
    return functional::multilabel_soft_margin_loss(input, target, options_);
  }
  Tensor<float> operator()(const Tensor<float>& input, const Tensor<float>& target) const { return this->call_forward(*this, input, target); }
  const MultiLabelSoftMarginLossOptions<float>& options() const { return options_; }

 private:
  MultiLabelSoftMarginLossOptions<float> options_;
};

/** The multi-class hinge loss of class indices (functional::multi_margin_loss). */
template <class = void>
class MultiMarginLoss : public nn::Module {
 public:
  explicit MultiMarginLoss(MultiMarginLossOptions<float> options = {}) : options_(std::move(options)) {
    if (options_.weight.defined()) options_.weight = register_buffer("weight", options_.weight);
  }
  Tensor<float> forward(const Tensor<float>& input, const Tensor<int64_t>& target) const {
    return functional::multi_margin_loss(input, target, options_);
  }
  Tensor<float> operator()(const Tensor<float>& input, const Tensor<int64_t>& target) const { return this->call_forward(*this, input, target); }
  const MultiMarginLossOptions<float>& options() const { return options_; }

 private:
  MultiMarginLossOptions<float> options_;
};

/** The multi-label hinge loss of class lists (functional::multilabel_margin_loss). */
template <class = void>
class MultiLabelMarginLoss : public nn::Module {
 public:
  explicit MultiLabelMarginLoss(MultiLabelMarginLossOptions options = {}) : options_(options) {}
  Tensor<float> forward(const Tensor<float>& input, const Tensor<int64_t>& target) const {
    return functional::multilabel_margin_loss(input, target, options_);
  }
  Tensor<float> operator()(const Tensor<float>& input, const Tensor<int64_t>& target) const { return this->call_forward(*this, input, target); }
  const MultiLabelMarginLossOptions& options() const { return options_; }

 private:
  MultiLabelMarginLossOptions options_;
};

/** The triplet loss of any distance (functional::triplet_margin_with_distance_loss): a callable
 *  (Tensor<float>, Tensor<float>) -> Tensor<float>, or PyTorch's default pairwise_distance. */
template <class = void>
class TripletMarginWithDistanceLoss : public nn::Module {
 public:
  explicit TripletMarginWithDistanceLoss(TripletMarginWithDistanceLossOptions options = {}) : options_(options) {}
  template <class Distance>
    requires std::is_invocable_r_v<Tensor<float>, Distance, const Tensor<float>&, const Tensor<float>&>
  explicit TripletMarginWithDistanceLoss(Distance distance_function, TripletMarginWithDistanceLossOptions options = {})
      : distance_(std::make_shared<DistanceOf<Distance>>(std::move(distance_function))), options_(options) {}
  Tensor<float> forward(const Tensor<float>& anchor, const Tensor<float>& positive, const Tensor<float>& negative) const {
    if (!distance_) return functional::triplet_margin_with_distance_loss(anchor, positive, negative, options_);
    return functional::triplet_margin_with_distance_loss(
        anchor, positive, negative, [&](const Tensor<float>& a, const Tensor<float>& b) { return (*distance_)(a, b); },
        options_);
  }
  Tensor<float> operator()(const Tensor<float>& anchor, const Tensor<float>& positive, const Tensor<float>& negative) const {
    return this->call_forward(*this, anchor, positive, negative);
  }
  const TripletMarginWithDistanceLossOptions& options() const { return options_; }

 private:
  struct Distance {
    virtual ~Distance() = default;
    virtual Tensor<float> operator()(const Tensor<float>& a, const Tensor<float>& b) const = 0;
  };
  template <class F>
  struct DistanceOf final : Distance {
    F f;
    explicit DistanceOf(F fn) : f(std::move(fn)) {}
    Tensor<float> operator()(const Tensor<float>& a, const Tensor<float>& b) const override { return f(a, b); }
  };
  std::shared_ptr<const Distance> distance_;  // none: pairwise_distance
  TripletMarginWithDistanceLossOptions options_;
};

// The losses without tensors among their options: two inputs (input, target) or three.
#define TS_LOSS_MODULE2(Name, Options, fn)                                                    \
  template <class = void>                                                                     \
  class Name : public nn::Module {                                                            \
   public:                                                                                    \
    explicit Name(Options options = {}) : options_(options) {}                                \
    Tensor<float> forward(const Tensor<float>& input, const Tensor<float>& target) const {    \
      return functional::fn(input, target, options_);                                         \
    }                                                                                         \
    Tensor<float> operator()(const Tensor<float>& input, const Tensor<float>& target) const { \
      return this->call_forward(*this, input, target);                                        \
    }                                                                                         \
    const Options& options() const { return options_; }                                       \
                                                                                              \
   private:                                                                                   \
    Options options_;                                                                         \
  };
#define TS_LOSS_MODULE3(Name, Options, fn, a, b, c)                                                          \
  template <class = void>                                                                                    \
  class Name : public nn::Module {                                                                           \
   public:                                                                                                   \
    explicit Name(Options options = {}) : options_(options) {}                                               \
    Tensor<float> forward(const Tensor<float>& a, const Tensor<float>& b, const Tensor<float>& c) const {    \
      return functional::fn(a, b, c, options_);                                                              \
    }                                                                                                        \
    Tensor<float> operator()(const Tensor<float>& a, const Tensor<float>& b, const Tensor<float>& c) const { \
      return this->call_forward(*this, a, b, c);                                                             \
    }                                                                                                        \
    const Options& options() const { return options_; }                                                      \
                                                                                                             \
   private:                                                                                                  \
    Options options_;                                                                                        \
  };
TS_LOSS_MODULE2(MSELoss, MSELossOptions, mse_loss)
TS_LOSS_MODULE2(L1Loss, L1LossOptions, l1_loss)
TS_LOSS_MODULE2(SmoothL1Loss, SmoothL1LossOptions, smooth_l1_loss)
TS_LOSS_MODULE2(HuberLoss, HuberLossOptions, huber_loss)
TS_LOSS_MODULE2(KLDivLoss, KLDivLossOptions, kl_div)
TS_LOSS_MODULE3(CosineEmbeddingLoss, CosineEmbeddingLossOptions, cosine_embedding_loss, input1, input2, target)
TS_LOSS_MODULE3(MarginRankingLoss, MarginRankingLossOptions, margin_ranking_loss, input1, input2, target)
TS_LOSS_MODULE3(TripletMarginLoss, TripletMarginLossOptions, triplet_margin_loss, anchor, positive, negative)
TS_LOSS_MODULE2(SoftMarginLoss, SoftMarginLossOptions, soft_margin_loss)
TS_LOSS_MODULE2(HingeEmbeddingLoss, HingeEmbeddingLossOptions, hinge_embedding_loss)
TS_LOSS_MODULE2(PoissonNLLLoss, PoissonNLLLossOptions, poisson_nll_loss)
TS_LOSS_MODULE3(GaussianNLLLoss, GaussianNLLLossOptions, gaussian_nll_loss, input, target, var)
#undef TS_LOSS_MODULE2
#undef TS_LOSS_MODULE3

}  // namespace impl

using CrossEntropyLoss = impl::CrossEntropyLoss<>;
using NLLLoss = impl::NLLLoss<>;
using BCELoss = impl::BCELoss<>;
using BCEWithLogitsLoss = impl::BCEWithLogitsLoss<>;
using MSELoss = impl::MSELoss<>;
using L1Loss = impl::L1Loss<>;
using SmoothL1Loss = impl::SmoothL1Loss<>;
using HuberLoss = impl::HuberLoss<>;
using KLDivLoss = impl::KLDivLoss<>;
using CosineEmbeddingLoss = impl::CosineEmbeddingLoss<>;
using MarginRankingLoss = impl::MarginRankingLoss<>;
using TripletMarginLoss = impl::TripletMarginLoss<>;
using TripletMarginWithDistanceLoss = impl::TripletMarginWithDistanceLoss<>;
using SoftMarginLoss = impl::SoftMarginLoss<>;
using MultiLabelSoftMarginLoss = impl::MultiLabelSoftMarginLoss<>;
using HingeEmbeddingLoss = impl::HingeEmbeddingLoss<>;
using PoissonNLLLoss = impl::PoissonNLLLoss<>;
using GaussianNLLLoss = impl::GaussianNLLLoss<>;
using MultiMarginLoss = impl::MultiMarginLoss<>;
using MultiLabelMarginLoss = impl::MultiLabelMarginLoss<>;

}  // namespace tessera::nn
