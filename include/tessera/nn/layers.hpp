#pragma once
// The layers: Linear, Bilinear, Embedding, EmbeddingBag, activations, Flatten, PixelShuffle, PixelUnshuffle, ChannelShuffle,
// Dropout, AlphaDropout, Sequential.

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <initializer_list>

#include "activation.hpp"
#include "functional.hpp"
#include "init.hpp"
#include "module.hpp"

namespace tessera::nn {

namespace impl {

/** y = x W^T + b, with W of shape [out, in] and PyTorch's initialisation. */
template <class = void>
class Linear : public nn::Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true) : Linear(in_features, out_features, bias, default_generator()) {}
  Linear(int64_t in_features, int64_t out_features, bool bias, Generator& gen) {
    TS_CHECK(in_features > 0 && out_features >= 0, "Linear: invalid sizes (", in_features, ", ", out_features, ")");
    weight_ = register_parameter("weight", empty<float>({out_features, in_features}));
    if (bias) bias_ = register_parameter("bias", empty<float>({out_features}));
    init::detail::reset_linear_like(weight_, bias_, gen);
  }
  Tensor<float> forward(const Tensor<float>& x) const { return functional::linear(x, weight_, bias_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }
  const Tensor<float>& weight() const { return weight_; }
  const Tensor<float>& bias() const { return bias_; }

 private:
  Tensor<float> weight_, bias_;
};

/** y = x1^T A x2 + b (functional::bilinear): weight [out, in1, in2] and bias [out], both
 *  U(-1/sqrt(in1), 1/sqrt(in1)) as PyTorch's, drawn in that order. */
template <class = void>
class Bilinear : public nn::Module {
 public:
  Bilinear(int64_t in1_features, int64_t in2_features, int64_t out_features, bool bias = true)
      : Bilinear(in1_features, in2_features, out_features, bias, default_generator()) {}
  Bilinear(int64_t in1_features, int64_t in2_features, int64_t out_features, bool bias, Generator& gen) {
    TS_CHECK(in1_features > 0 && in2_features >= 0 && out_features >= 0, "Bilinear: invalid sizes (", in1_features,
             ", ", in2_features, ", ", out_features, ")");
    weight_ = register_parameter("weight", empty<float>({out_features, in1_features, in2_features}));
    if (bias) bias_ = register_parameter("bias", empty<float>({out_features}));
    const double bound = 1.0 / std::sqrt(static_cast<double>(in1_features));
    init::uniform_(weight_, -bound, bound, gen);
    if (bias) init::uniform_(bias_, -bound, bound, gen);
  }
  Tensor<float> forward(const Tensor<float>& x1, const Tensor<float>& x2) const {
    return functional::bilinear(x1, x2, weight_, bias_);
  }
  Tensor<float> operator()(const Tensor<float>& x1, const Tensor<float>& x2) const {
    return this->call_forward(*this, x1, x2);
  }
  const Tensor<float>& weight() const { return weight_; }
  const Tensor<float>& bias() const { return bias_; }

 private:
  Tensor<float> weight_, bias_;
};

/** A lookup table: row i of the [n, dim] weight for each index i; the output has the indices'
 *  shape plus dim. The weight starts N(0, 1), as PyTorch's, with the padding_idx row (if any)
 *  zero and never updated by the gradient. */
template <class = void>
class Embedding : public nn::Module {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim, std::optional<int64_t> padding_idx = std::nullopt)
      : Embedding(num_embeddings, embedding_dim, padding_idx, default_generator()) {}
  Embedding(int64_t num_embeddings, int64_t embedding_dim, Generator& gen)
      : Embedding(num_embeddings, embedding_dim, std::nullopt, gen) {}
  Embedding(int64_t num_embeddings, int64_t embedding_dim, std::optional<int64_t> padding_idx, Generator& gen)
      : padding_idx_(checked_padding(padding_idx, num_embeddings)) {
    TS_CHECK(num_embeddings >= 0 && embedding_dim >= 0, "Embedding: invalid sizes (", num_embeddings, ", ",
             embedding_dim, ")");
    weight_ = register_parameter("weight", empty<float>({num_embeddings, embedding_dim}));
    init::normal_(weight_, 0.0, 1.0, gen);
    if (padding_idx_) {
      NoGradGuard no_grad;
      weight_[*padding_idx_].fill_(0);
    }
  }
  /** torch.nn.Embedding.from_pretrained: a table holding `embeddings` (shared, not copied), frozen
   *  (no gradient) unless `freeze` is false. */
  static Embedding from_pretrained(const Tensor<float>& embeddings, bool freeze = true,
                                   std::optional<int64_t> padding_idx = std::nullopt) {
    TS_CHECK(embeddings.dim() == 2, "Embedding.from_pretrained: Embeddings parameter is expected to be 2-dimensional, "
             "got shape ", tessera::detail::shape_str(embeddings.sizes()));
    Embedding e(embeddings, checked_padding(padding_idx, embeddings.size(0)));
    e.weight_.requires_grad_(!freeze);
    return e;
  }
  Tensor<float> forward(const Tensor<int64_t>& indices) const {
    return functional::embedding(indices, weight_, padding_idx_);
  }
  Tensor<float> operator()(const Tensor<int64_t>& indices) const { return this->call_forward(*this, indices); }
  const Tensor<float>& weight() const { return weight_; }
  std::optional<int64_t> padding_idx() const { return padding_idx_; }

 private:
  Embedding(const Tensor<float>& weight, std::optional<int64_t> padding_idx) : padding_idx_(padding_idx) {
    weight_ = register_parameter("weight", weight.detach());
  }
  static std::optional<int64_t> checked_padding(std::optional<int64_t> padding_idx, int64_t n) {
    if (!padding_idx) return padding_idx;
    TS_CHECK(*padding_idx >= -n && *padding_idx < n, "Embedding: Padding_idx must be within num_embeddings (got ",
             *padding_idx, " for ", n, " embeddings)");
    return *padding_idx < 0 ? *padding_idx + n : *padding_idx;
  }
  std::optional<int64_t> padding_idx_;
  Tensor<float> weight_;
};

#define TS_ACTIVATION(Name, expr)                                                  \
  template <class = void>                                                          \
  class Name : public nn::Module {                                                 \
   public:                                                                         \
    Tensor<float> forward(const Tensor<float>& x) const { return expr; }           \
    Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }  \
  };
TS_ACTIVATION(ReLU, x.relu())
TS_ACTIVATION(Sigmoid, x.sigmoid())
TS_ACTIVATION(Tanh, x.tanh())
#undef TS_ACTIVATION

/** GELU, exact (approximate = "none") or with the tanh approximation ("tanh"). */
template <class = void>
class GELU : public nn::Module {
 public:
  explicit GELU(std::string approximate = "none") : approximate_(std::move(approximate)) {
    TS_CHECK(approximate_ == "none" || approximate_ == "tanh", "GELU: approximate argument must be either none or tanh.");
  }
  Tensor<float> forward(const Tensor<float>& x) const { return functional::gelu(x, approximate_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  std::string approximate_;
};

template <class = void>
class Softmax : public nn::Module {
 public:
  explicit Softmax(int64_t dim) : dim_(dim) {}
  Tensor<float> forward(const Tensor<float>& x) const { return x.softmax(dim_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  int64_t dim_;
};

/** Flattens dims start..end (1..-1 by default: keeps the batch dim). */
template <class = void>
class Flatten : public nn::Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1) : start_(start_dim), end_(end_dim) {}
  Tensor<float> forward(const Tensor<float>& x) const { return x.flatten(start_, end_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  int64_t start_, end_;
};

/** nn.PixelShuffle, nn.PixelUnshuffle, nn.ChannelShuffle: F.pixel_shuffle and its kin. */
template <class = void>
class PixelShuffle : public nn::Module {
 public:
  explicit PixelShuffle(int64_t upscale_factor) : factor_(upscale_factor) {}
  Tensor<float> forward(const Tensor<float>& x) const { return functional::pixel_shuffle(x, factor_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  int64_t factor_;
};
template <class = void>
class PixelUnshuffle : public nn::Module {
 public:
  explicit PixelUnshuffle(int64_t downscale_factor) : factor_(downscale_factor) {}
  Tensor<float> forward(const Tensor<float>& x) const { return functional::pixel_unshuffle(x, factor_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  int64_t factor_;
};
template <class = void>
class ChannelShuffle : public nn::Module {
 public:
  explicit ChannelShuffle(int64_t groups) : groups_(groups) {}
  Tensor<float> forward(const Tensor<float>& x) const { return functional::channel_shuffle(x, groups_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  int64_t groups_;
};

/** Dropout while training, the identity in eval mode; draws from its own generator handle. */
template <class = void>
class Dropout : public nn::Module {
 public:
  explicit Dropout(double p = 0.5) : Dropout(p, default_generator()) {}
  Dropout(double p, Generator& gen) : p_(p), gen_(&gen) {
    TS_CHECK(p >= 0 && p <= 1, "Dropout: dropout probability has to be between 0 and 1, but got ", p);
  }
  Tensor<float> forward(const Tensor<float>& x) const { return functional::dropout(x, p_, is_training(), *gen_); }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  double p_;
  Generator* gen_;
};

/** Dropout2d (and Dropout1d): whole channels zeroed while training, the identity in eval mode. */
template <class = void>
class Dropout2d : public nn::Module {
 public:
  explicit Dropout2d(double p = 0.5) : Dropout2d(p, default_generator()) {}
  Dropout2d(double p, Generator& gen) : p_(p), gen_(&gen) {
    TS_CHECK(p >= 0 && p <= 1, "Dropout2d: dropout probability has to be between 0 and 1, but got ", p);
  }
  Tensor<float> forward(const Tensor<float>& x) const {
    return functional::feature_dropout(x, p_, is_training(), *gen_, "dropout2d");
  }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  double p_;
  Generator* gen_;
};

/** Sums, means or maxima of bags of embeddings (functional::embedding_bag): the weight [n, dim]
 *  starts N(0, 1) with the padding_idx row (if any) zero, as PyTorch's;
 *  forward(input, offsets = {}, per_sample_weights = {}). */
template <class = void>
class EmbeddingBag : public nn::Module {
 public:
  EmbeddingBag(int64_t num_embeddings, int64_t embedding_dim, functional::EmbeddingBagOptions<float> options = {})
      : EmbeddingBag(num_embeddings, embedding_dim, std::move(options), default_generator()) {}
  EmbeddingBag(int64_t num_embeddings, int64_t embedding_dim, functional::EmbeddingBagOptions<float> options,
               Generator& gen)
      : options_(std::move(options)) {
    TS_CHECK(num_embeddings >= 0 && embedding_dim >= 0, "EmbeddingBag: invalid sizes (", num_embeddings, ", ",
             embedding_dim, ")");
    TS_CHECK(!options_.per_sample_weights.defined(), "EmbeddingBag: per_sample_weights are forward's argument");
    if (options_.padding_idx) {
      const int64_t pad = *options_.padding_idx;
      TS_CHECK(pad >= -num_embeddings && pad < num_embeddings, "EmbeddingBag: padding_idx must be within num_embeddings");
      options_.padding_idx = pad < 0 ? pad + num_embeddings : pad;
    }
    weight_ = register_parameter("weight", empty<float>({num_embeddings, embedding_dim}));
    init::normal_(weight_, 0.0, 1.0, gen);
    if (options_.padding_idx) {
      NoGradGuard no_grad;
      weight_[*options_.padding_idx].fill_(0);
    }
  }
  Tensor<float> forward(const Tensor<int64_t>& input, const Tensor<int64_t>& offsets = {},
                        const Tensor<float>& per_sample_weights = {}) const {
    functional::EmbeddingBagOptions<float> o = options_;
    o.per_sample_weights = per_sample_weights;
    return functional::embedding_bag(input, weight_, offsets, o);
  }
  Tensor<float> operator()(const Tensor<int64_t>& input, const Tensor<int64_t>& offsets = {},
                           const Tensor<float>& per_sample_weights = {}) const {
    return this->call_forward(*this, input, offsets, per_sample_weights);
  }
  const Tensor<float>& weight() const { return weight_; }

 private:
  functional::EmbeddingBagOptions<float> options_;
  Tensor<float> weight_;
};

/** AlphaDropout and FeatureAlphaDropout: SELU's dropout (functional::alpha_dropout, of elements or
 *  of whole channels) while training, the identity in eval mode. */
template <bool Feature, class = void>
class AlphaDropout : public nn::Module {
 public:
  explicit AlphaDropout(double p = 0.5) : AlphaDropout(p, default_generator()) {}
  AlphaDropout(double p, Generator& gen) : p_(p), gen_(&gen) {
    TS_CHECK(p >= 0 && p <= 1, Feature ? "FeatureAlphaDropout" : "AlphaDropout",
             ": dropout probability has to be between 0 and 1, but got ", p);
  }
  Tensor<float> forward(const Tensor<float>& x) const {
    if constexpr (Feature) return functional::feature_alpha_dropout(x, p_, is_training(), *gen_);
    else return functional::alpha_dropout(x, p_, is_training(), *gen_);
  }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }

 private:
  double p_;
  Generator* gen_;
};

/** Modules applied in order; child i is named "i", as in torch.nn.Sequential. */
template <class = void>
class Sequential : public nn::Module {
 public:
  Sequential() = default;
  template <class... M>
    requires(sizeof...(M) > 0 && !(sizeof...(M) == 1 && (std::is_same_v<M, Sequential> && ...)))
  Sequential(M... modules) {  // Sequential{a, b, c}, as torch.nn.Sequential(a, b, c)
    (push_back(std::move(modules)), ...);
  }
  template <class M>
  Sequential& push_back(M module) {
    const std::string name = std::to_string(steps_->size());
    steps_->push_back({std::make_shared<const M>(module), [](const void* m, const Tensor<float>& x) {
                         return (*static_cast<const M*>(m))(x);  // operator(): the child's hooks run
                       }});
    register_module(name, module);
    return *this;
  }
  Tensor<float> forward(const Tensor<float>& x) const {
    Tensor<float> h = x;
    for (const Step& step : *steps_) h = step.forward(step.module.get(), h);
    return h;
  }
  Tensor<float> operator()(const Tensor<float>& x) const { return this->call_forward(*this, x); }
  size_t size() const { return steps_->size(); }

 private:
  struct Step {  // a copy of the module (modules are handles) and how to call it
    std::shared_ptr<const void> module;
    Tensor<float> (*forward)(const void* module, const Tensor<float>& x);
  };
  std::shared_ptr<std::vector<Step>> steps_ = std::make_shared<std::vector<Step>>();
};

}  // namespace impl

using Linear = impl::Linear<>;
using Bilinear = impl::Bilinear<>;
using Embedding = impl::Embedding<>;
using EmbeddingBag = impl::EmbeddingBag<>;
using ReLU = impl::ReLU<>;
using GELU = impl::GELU<>;
using Sigmoid = impl::Sigmoid<>;
using Tanh = impl::Tanh<>;
using Softmax = impl::Softmax<>;
using Flatten = impl::Flatten<>;
using PixelShuffle = impl::PixelShuffle<>;
using PixelUnshuffle = impl::PixelUnshuffle<>;
using ChannelShuffle = impl::ChannelShuffle<>;
using Dropout = impl::Dropout<>;
using Dropout2d = impl::Dropout2d<>;
using AlphaDropout = impl::AlphaDropout<false>;
using FeatureAlphaDropout = impl::AlphaDropout<true>;
using Sequential = impl::Sequential<>;

}  // namespace tessera::nn
