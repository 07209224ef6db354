#pragma once
// torch.nn.TransformerEncoderLayer, TransformerEncoder, TransformerDecoderLayer,
// TransformerDecoder and Transformer: attention and a feed-forward block, each with a residual
// connection and LayerNorm (after, or before with norm_first).

#include <limits>
#include <optional>
#include <string>

#include "activation.hpp"
#include "attention.hpp"
#include "containers.hpp"
#include "init.hpp"
#include "normalization.hpp"

namespace tessera::nn {

struct TransformerEncoderLayerOptions {
  int64_t dim_feedforward = 2048;
  double dropout = 0.1;
  std::string activation = "relu";  // or "gelu"
  double layer_norm_eps = 1e-5;
  bool batch_first = false;
  bool norm_first = false;
};
/** The decoder layer takes the encoder layer's options, as PyTorch's constructors have the same arguments. */
using TransformerDecoderLayerOptions = TransformerEncoderLayerOptions;

namespace detail_transformer {
template <class = void>
void check_activation(const std::string& activation, const char* layer) {
  TS_CHECK(activation == "relu" || activation == "gelu", layer, ": activation should be relu/gelu, not ", activation);
}
/** The feed-forward block: linear2(dropout(activation(linear1(x)))). */
template <class = void>
Tensor<float> feed_forward(const Tensor<float>& x, const nn::Linear& linear1, const nn::Dropout& dropout,
                                  const nn::Linear& linear2, const std::string& activation) {
  const Tensor<float> h = linear1(x);
  return linear2(dropout(activation == "gelu" ? h.gelu() : h.relu()));
}
}  // namespace detail_transformer

namespace impl {

/** PyTorch's TransformerEncoderLayer: parameters self_attn.*, linear1, linear2, norm1, norm2,
 *  created (and drawn) in PyTorch's order. forward(src, src_mask, src_key_padding_mask) with
 *  masks as MultiheadAttention takes them (bool: true is masked out; or float, added). */
template <class = void>
class TransformerEncoderLayer : public nn::Module {
 public:
  TransformerEncoderLayer(int64_t d_model, int64_t nhead, TransformerEncoderLayerOptions options = {})
      : TransformerEncoderLayer(d_model, nhead, options, default_generator()) {}
  TransformerEncoderLayer(int64_t d_model, int64_t nhead, TransformerEncoderLayerOptions options, Generator& gen)
      : d_model_(d_model),
        nhead_(nhead),
        gen_(&gen),
        options_((detail_transformer::check_activation(options.activation, "TransformerEncoderLayer"), std::move(options))),
        self_attn_(d_model, nhead, {.dropout = options_.dropout, .bias = true, .batch_first = options_.batch_first}, gen),
        linear1_(d_model, options_.dim_feedforward, true, gen),
        dropout_(options_.dropout, gen),
        linear2_(options_.dim_feedforward, d_model, true, gen),
        norm1_(d_model, options_.layer_norm_eps),
        norm2_(d_model, options_.layer_norm_eps),
        dropout1_(options_.dropout, gen),
        dropout2_(options_.dropout, gen) {
    register_module("self_attn", self_attn_);
    register_module("linear1", linear1_);
    register_module("dropout", dropout_);
    register_module("linear2", linear2_);
    register_module("norm1", norm1_);
    register_module("norm2", norm2_);
    register_module("dropout1", dropout1_);
    register_module("dropout2", dropout2_);
  }

  Tensor<float> forward(const Tensor<float>& src, const AnyTensor& src_mask = {},
                        const AnyTensor& src_key_padding_mask = {}) const {
    const auto attend = [&](const Tensor<float>& x) {
      return dropout1_(self_attn_(x, x, x, {.key_padding_mask = src_key_padding_mask, .need_weights = false,
                                            .attn_mask = src_mask}).first);
    };
    const auto feed_forward = [&](const Tensor<float>& x) {
      return dropout2_(detail_transformer::feed_forward(x, linear1_, dropout_, linear2_, options_.activation));
    };
    if (options_.norm_first) {
      const Tensor<float> x = src + attend(norm1_(src));
      return x + feed_forward(norm2_(x));
    }
    const Tensor<float> x = norm1_(src + attend(src));
    return norm2_(x + feed_forward(x));
  }
  Tensor<float> operator()(const Tensor<float>& src, const AnyTensor& src_mask = {},
                           const AnyTensor& src_key_padding_mask = {}) const {
    return this->call_forward(*this, src, src_mask, src_key_padding_mask);
  }
  const nn::MultiheadAttention& self_attn() const { return self_attn_; }
  /** An independent layer with this one's configuration and a copy of its weights (PyTorch's
   *  copy.deepcopy); it draws nothing from the generator (its state is restored). */
  TransformerEncoderLayer clone() const {
    const GeneratorState state = gen_->get_state();
    TransformerEncoderLayer copy(d_model_, nhead_, options_, *gen_);
    gen_->set_state(state);
    copy.load_state_dict(state_dict());
    return copy;
  }

 private:
  int64_t d_model_, nhead_;
  Generator* gen_;
  TransformerEncoderLayerOptions options_;
  nn::MultiheadAttention self_attn_;
  nn::Linear linear1_;
  nn::Dropout dropout_;
  nn::Linear linear2_;
  nn::LayerNorm norm1_, norm2_;
  nn::Dropout dropout1_, dropout2_;
};

}  // namespace impl

using TransformerEncoderLayer = impl::TransformerEncoderLayer<>;

namespace impl {

/** PyTorch's TransformerEncoder: num_layers copies of a layer (each with its own parameters,
 *  named layers.0, layers.1, ...), then an optional final norm. As PyTorch's deepcopy, every
 *  copy starts with the first layer's weights. */
template <class = void>
class TransformerEncoder : public nn::Module {
 public:
  TransformerEncoder(const nn::TransformerEncoderLayer& layer, int64_t num_layers, std::optional<nn::LayerNorm> norm = {})
      : norm_(std::move(norm)) {
    TS_CHECK(num_layers >= 1, "TransformerEncoder: num_layers must be positive, got ", num_layers);
    for (int64_t i = 0; i < num_layers; ++i) layers_.append(i == 0 ? layer : layer.clone());
    register_module("layers", layers_);
    if (norm_) register_module("norm", *norm_);
  }
  Tensor<float> forward(const Tensor<float>& src, const AnyTensor& mask = {},
                        const AnyTensor& src_key_padding_mask = {}) const {
    Tensor<float> x = src;
    for (size_t i = 0; i < layers_.size(); ++i)
      x = layers_.at<nn::TransformerEncoderLayer>(static_cast<int64_t>(i))(x, mask, src_key_padding_mask);
    return norm_ ? (*norm_)(x) : x;
  }
  Tensor<float> operator()(const Tensor<float>& src, const AnyTensor& mask = {},
                           const AnyTensor& src_key_padding_mask = {}) const {
    return this->call_forward(*this, src, mask, src_key_padding_mask);
  }
  const nn::ModuleList& layers() const { return layers_; }

 private:
  nn::ModuleList layers_;
  std::optional<nn::LayerNorm> norm_;
};

}  // namespace impl

using TransformerEncoder = impl::TransformerEncoder<>;

/** The masks of a decoder call, as PyTorch's keyword arguments (bool: true is masked out; or float, added). */
struct TransformerDecoderMasks {
  AnyTensor tgt_mask = {};
  AnyTensor memory_mask = {};
  AnyTensor tgt_key_padding_mask = {};
  AnyTensor memory_key_padding_mask = {};
};

namespace impl {

/** PyTorch's TransformerDecoderLayer: self-attention over the target, attention from the target
 *  to the encoder's output (`memory`), and the feed-forward block. Parameters self_attn.*,
 *  multihead_attn.*, linear1, linear2, norm1, norm2, norm3, created (and drawn) in PyTorch's order.
 *  forward(tgt, memory, masks) with PyTorch's positional order also offered:
 *  forward(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask). */
template <class = void>
class TransformerDecoderLayer : public nn::Module {
 public:
  TransformerDecoderLayer(int64_t d_model, int64_t nhead, TransformerDecoderLayerOptions options = {})
      : TransformerDecoderLayer(d_model, nhead, options, default_generator()) {}
  TransformerDecoderLayer(int64_t d_model, int64_t nhead, TransformerDecoderLayerOptions options, Generator& gen)
      : d_model_(d_model),
        nhead_(nhead),
        gen_(&gen),
        options_((detail_transformer::check_activation(options.activation, "TransformerDecoderLayer"), std::move(options))),
        self_attn_(d_model, nhead, {.dropout = options_.dropout, .bias = true, .batch_first = options_.batch_first}, gen),
        multihead_attn_(d_model, nhead, {.dropout = options_.dropout, .bias = true, .batch_first = options_.batch_first},
                        gen),
        linear1_(d_model, options_.dim_feedforward, true, gen),
        dropout_(options_.dropout, gen),
        linear2_(options_.dim_feedforward, d_model, true, gen),
        norm1_(d_model, options_.layer_norm_eps),
        norm2_(d_model, options_.layer_norm_eps),
        norm3_(d_model, options_.layer_norm_eps),
        dropout1_(options_.dropout, gen),
        dropout2_(options_.dropout, gen),
        dropout3_(options_.dropout, gen) {
    register_module("self_attn", self_attn_);
    register_module("multihead_attn", multihead_attn_);
    register_module("linear1", linear1_);
    register_module("dropout", dropout_);
    register_module("linear2", linear2_);
    register_module("norm1", norm1_);
    register_module("norm2", norm2_);
    register_module("norm3", norm3_);
    register_module("dropout1", dropout1_);
    register_module("dropout2", dropout2_);
    register_module("dropout3", dropout3_);
  }

  Tensor<float> forward(const Tensor<float>& tgt, const Tensor<float>& memory,
                        const TransformerDecoderMasks& masks = {}) const {
    const auto self_block = [&](const Tensor<float>& x) {
      return dropout1_(self_attn_(x, x, x, {.key_padding_mask = masks.tgt_key_padding_mask, .need_weights = false,
                                            .attn_mask = masks.tgt_mask}).first);
    };
    const auto memory_block = [&](const Tensor<float>& x) {
      return dropout2_(multihead_attn_(x, memory, memory, {.key_padding_mask = masks.memory_key_padding_mask,
                                                           .need_weights = false, .attn_mask = masks.memory_mask})
                           .first);
    };
    const auto feed_forward = [&](const Tensor<float>& x) {
      return dropout3_(detail_transformer::feed_forward(x, linear1_, dropout_, linear2_, options_.activation));
    };
    Tensor<float> x = tgt;
    if (options_.norm_first) {
      x = x + self_block(norm1_(x));
      x = x + memory_block(norm2_(x));
      return x + feed_forward(norm3_(x));
    }
    x = norm1_(x + self_block(x));
    x = norm2_(x + memory_block(x));
    return norm3_(x + feed_forward(x));
  }
  Tensor<float> forward(const Tensor<float>& tgt, const Tensor<float>& memory, const AnyTensor& tgt_mask,
                        const AnyTensor& memory_mask = {}, const AnyTensor& tgt_key_padding_mask = {},
                        const AnyTensor& memory_key_padding_mask = {}) const {
    return forward(tgt, memory, {tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask});
  }
  Tensor<float> operator()(const Tensor<float>& tgt, const Tensor<float>& memory,
                           const TransformerDecoderMasks& masks = {}) const {
    return this->call_forward(*this, tgt, memory, masks);
  }
  Tensor<float> operator()(const Tensor<float>& tgt, const Tensor<float>& memory, const AnyTensor& tgt_mask,
                           const AnyTensor& memory_mask = {}, const AnyTensor& tgt_key_padding_mask = {},
                           const AnyTensor& memory_key_padding_mask = {}) const {
    return (*this)(tgt, memory, TransformerDecoderMasks{tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask});
  }
  const nn::MultiheadAttention& self_attn() const { return self_attn_; }
  const nn::MultiheadAttention& multihead_attn() const { return multihead_attn_; }
  /** An independent layer with this one's configuration and a copy of its weights (PyTorch's
   *  copy.deepcopy); it draws nothing from the generator (its state is restored). */
  TransformerDecoderLayer clone() const {
    const GeneratorState state = gen_->get_state();
    TransformerDecoderLayer copy(d_model_, nhead_, options_, *gen_);
    gen_->set_state(state);
    copy.load_state_dict(state_dict());
    return copy;
  }

 private:
  int64_t d_model_, nhead_;
  Generator* gen_;
  TransformerDecoderLayerOptions options_;
  nn::MultiheadAttention self_attn_, multihead_attn_;
  nn::Linear linear1_;
  nn::Dropout dropout_;
  nn::Linear linear2_;
  nn::LayerNorm norm1_, norm2_, norm3_;
  nn::Dropout dropout1_, dropout2_, dropout3_;
};

}  // namespace impl

using TransformerDecoderLayer = impl::TransformerDecoderLayer<>;

namespace impl {

/** PyTorch's TransformerDecoder: num_layers copies of a decoder layer (layers.0, layers.1, ...,
 *  each starting with the first layer's weights, as PyTorch's deepcopy), then an optional final norm. */
template <class = void>
class TransformerDecoder : public nn::Module {
 public:
  TransformerDecoder(const nn::TransformerDecoderLayer& layer, int64_t num_layers, std::optional<nn::LayerNorm> norm = {})
      : norm_(std::move(norm)) {
    TS_CHECK(num_layers >= 1, "TransformerDecoder: num_layers must be positive, got ", num_layers);
    for (int64_t i = 0; i < num_layers; ++i) layers_.append(i == 0 ? layer : layer.clone());
    register_module("layers", layers_);
    if (norm_) register_module("norm", *norm_);
  }
  Tensor<float> forward(const Tensor<float>& tgt, const Tensor<float>& memory,
                        const TransformerDecoderMasks& masks = {}) const {
    Tensor<float> x = tgt;
    for (size_t i = 0; i < layers_.size(); ++i)
      x = layers_.at<nn::TransformerDecoderLayer>(static_cast<int64_t>(i))(x, memory, masks);
    return norm_ ? (*norm_)(x) : x;
  }
  Tensor<float> forward(const Tensor<float>& tgt, const Tensor<float>& memory, const AnyTensor& tgt_mask,
                        const AnyTensor& memory_mask = {}, const AnyTensor& tgt_key_padding_mask = {},
                        const AnyTensor& memory_key_padding_mask = {}) const {
    return forward(tgt, memory, {tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask});
  }
  Tensor<float> operator()(const Tensor<float>& tgt, const Tensor<float>& memory,
                           const TransformerDecoderMasks& masks = {}) const {
    return this->call_forward(*this, tgt, memory, masks);
  }
  Tensor<float> operator()(const Tensor<float>& tgt, const Tensor<float>& memory, const AnyTensor& tgt_mask,
                           const AnyTensor& memory_mask = {}, const AnyTensor& tgt_key_padding_mask = {},
                           const AnyTensor& memory_key_padding_mask = {}) const {
    return (*this)(tgt, memory, TransformerDecoderMasks{tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask});
  }
  const nn::ModuleList& layers() const { return layers_; }

 private:
  nn::ModuleList layers_;
  std::optional<nn::LayerNorm> norm_;
};

}  // namespace impl

using TransformerDecoder = impl::TransformerDecoder<>;

struct TransformerOptions {
  int64_t num_encoder_layers = 6;
  int64_t num_decoder_layers = 6;
  int64_t dim_feedforward = 2048;
  double dropout = 0.1;
  std::string activation = "relu";  // or "gelu"
  double layer_norm_eps = 1e-5;
  bool batch_first = false;
  bool norm_first = false;
};

/** The masks of a Transformer call, as PyTorch's keyword arguments. */
struct TransformerMasks {
  AnyTensor src_mask = {};
  AnyTensor tgt_mask = {};
  AnyTensor memory_mask = {};
  AnyTensor src_key_padding_mask = {};
  AnyTensor tgt_key_padding_mask = {};
  AnyTensor memory_key_padding_mask = {};
};

namespace impl {

/** PyTorch's nn.Transformer(d_model, nhead, ...): a TransformerEncoder and a TransformerDecoder,
 *  each with a final LayerNorm (parameters encoder.*, decoder.*), every matrix parameter then
 *  re-drawn by xavier_uniform_ in parameter order, as PyTorch's _reset_parameters. */
template <class = void>
class Transformer : public nn::Module {
 public:
  explicit Transformer(int64_t d_model = 512, int64_t nhead = 8, TransformerOptions options = {})
      : Transformer(d_model, nhead, options, default_generator()) {}
  Transformer(int64_t d_model, int64_t nhead, TransformerOptions options, Generator& gen)
      : d_model_(d_model),
        batch_first_(options.batch_first),
        encoder_(nn::TransformerEncoderLayer(d_model, nhead, layer_options(options), gen), options.num_encoder_layers,
                 nn::LayerNorm(d_model, options.layer_norm_eps)),
        decoder_(nn::TransformerDecoderLayer(d_model, nhead, layer_options(options), gen), options.num_decoder_layers,
                 nn::LayerNorm(d_model, options.layer_norm_eps)) {
    register_module("encoder", encoder_);
    register_module("decoder", decoder_);
    for (const Tensor<float>& p : parameters())
      if (p.dim() > 1) init::xavier_uniform_(p, 1, gen);
  }

  Tensor<float> forward(const Tensor<float>& src, const Tensor<float>& tgt, const TransformerMasks& masks = {}) const {
    const bool batched = src.dim() == 3;
    TS_CHECK(!batched || src.size(batch_first_ ? 0 : 1) == tgt.size(batch_first_ ? 0 : 1),
             "the batch number of src and tgt must be equal");
    TS_CHECK(src.size(-1) == d_model_ && tgt.size(-1) == d_model_,
             "the feature number of src and tgt must be equal to d_model");
    const Tensor<float> memory = encoder_(src, masks.src_mask, masks.src_key_padding_mask);
    return decoder_(tgt, memory, {masks.tgt_mask, masks.memory_mask, masks.tgt_key_padding_mask,
                                  masks.memory_key_padding_mask});
  }
  Tensor<float> operator()(const Tensor<float>& src, const Tensor<float>& tgt, const TransformerMasks& masks = {}) const {
    return this->call_forward(*this, src, tgt, masks);
  }
  /** PyTorch's Transformer.generate_square_subsequent_mask: -inf above the diagonal, 0 elsewhere. */
  static Tensor<float> generate_square_subsequent_mask(int64_t size) {
    return full<float>({size, size}, -std::numeric_limits<double>::infinity()).triu(1);
  }
  const nn::TransformerEncoder& encoder() const { return encoder_; }
  const nn::TransformerDecoder& decoder() const { return decoder_; }

 private:
  static TransformerEncoderLayerOptions layer_options(const TransformerOptions& o) {
    return {.dim_feedforward = o.dim_feedforward, .dropout = o.dropout, .activation = o.activation,
            .layer_norm_eps = o.layer_norm_eps, .batch_first = o.batch_first, .norm_first = o.norm_first};
  }
  int64_t d_model_;
  bool batch_first_;
  nn::TransformerEncoder encoder_;
  nn::TransformerDecoder decoder_;
};

}  // namespace impl

using Transformer = impl::Transformer<>;

}  // namespace tessera::nn
