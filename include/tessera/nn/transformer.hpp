#pragma once
// torch.nn.TransformerEncoderLayer and TransformerEncoder: self-attention and a feed-forward
// block, each with a residual connection and LayerNorm (after, or before with norm_first).

#include <optional>
#include <string>

#include "activation.hpp"
#include "attention.hpp"
#include "containers.hpp"
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
        options_(checked(std::move(options))),
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
      const Tensor<float> h = linear1_(x);
      return dropout2_(linear2_(dropout_(options_.activation == "gelu" ? h.gelu() : h.relu())));
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
    return forward(src, src_mask, src_key_padding_mask);
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
  static TransformerEncoderLayerOptions checked(TransformerEncoderLayerOptions options) {
    TS_CHECK(options.activation == "relu" || options.activation == "gelu", "TransformerEncoderLayer: activation should "
             "be relu/gelu, not ", options.activation);
    return options;
  }
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
    return forward(src, mask, src_key_padding_mask);
  }
  const nn::ModuleList& layers() const { return layers_; }

 private:
  nn::ModuleList layers_;
  std::optional<nn::LayerNorm> norm_;
};

}  // namespace impl

using TransformerEncoder = impl::TransformerEncoder<>;

}  // namespace tessera::nn
