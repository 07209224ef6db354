#pragma once
// Attention: scaled_dot_product_attention and torch.nn.MultiheadAttention, built from matmul and
// softmax (so autograd and every device get them), with PyTorch's parameters, names and masks.

#include <cmath>
#include <limits>
#include <utility>

#include "../core/any_tensor.hpp"
#include "layers.hpp"

namespace tessera::detail {

/** An attention mask as an additive float mask: a bool mask's `masked` entries (true where
 *  `true_masks`, else false) become -inf, a float mask is added as it is. */
template <class T>
Tensor<T> additive_mask(const AnyTensor& mask, bool true_masks, const char* op, const char* name) {
  if (mask.dtype() == DType::Bool) {
    const Tensor<bool> m = mask.as<bool>();
    const Tensor<bool> masked = true_masks ? m : logical_not(m);
    return zeros<T>(m.sizes(), {.device = m.device()}).masked_fill(masked, -std::numeric_limits<double>::infinity());
  }
  TS_CHECK(is_floating_point(mask.dtype()), op, ": only bool and floating types of ", name, " are supported, got ",
           mask.dtype());
  return mask.to<T>();
}

}  // namespace tessera::detail

namespace tessera::nn {
namespace functional {

struct ScaledDotProductAttentionOptions {
  AnyTensor attn_mask = {};  // bool (true: take part) or float (added), broadcast to [..., L, S]
  double dropout_p = 0;   // applied to the attention weights
  bool is_causal = false;  // query i attends to keys 0..i
  Generator* generator = nullptr;  // for dropout; the default generator when null
};

/** softmax(q k^T / sqrt(E) + mask) v for q [..., L, E], k [..., S, E], v [..., S, Ev], as
 *  torch.nn.functional.scaled_dot_product_attention (PyTorch 2's reference formula). */
template <class T>
Tensor<T> scaled_dot_product_attention(const Tensor<T>& q, const Tensor<T>& k, const Tensor<T>& v,
                                       const ScaledDotProductAttentionOptions& options = {}) {
  TS_CHECK(q.dim() >= 2 && k.dim() >= 2 && v.dim() >= 2 && q.size(-1) == k.size(-1) && k.size(-2) == v.size(-2),
           "scaled_dot_product_attention: expected query [..., L, E], key [..., S, E] and value [..., S, Ev], got ",
           tessera::detail::shape_str(q.sizes()), ", ", tessera::detail::shape_str(k.sizes()), " and ",
           tessera::detail::shape_str(v.sizes()));
  const int64_t L = q.size(-2), S = k.size(-2);
  Tensor<T> scores = matmul(q, k.transpose(-2, -1)) * (1 / std::sqrt(static_cast<double>(q.size(-1))));
  if (options.is_causal) {
    TS_CHECK(!options.attn_mask.defined(), "scaled_dot_product_attention: Explicit attn_mask should not be set when "
             "is_causal=True");
    const Tensor<int64_t> rows = arange<int64_t>(0, static_cast<double>(L), 1, {.device = q.device()}).unsqueeze(1);
    const Tensor<bool> above = arange<int64_t>(0, static_cast<double>(S), 1, {.device = q.device()}).unsqueeze(0) > rows;
    scores = scores.masked_fill(above, -std::numeric_limits<double>::infinity());
  } else if (options.attn_mask.defined()) {
    scores = scores + tessera::detail::additive_mask<T>(options.attn_mask, false, "scaled_dot_product_attention", "attn_mask");
  }
  Tensor<T> weights = scores.softmax(-1);
  if (options.dropout_p > 0)
    weights = dropout(weights, options.dropout_p, true, options.generator ? *options.generator : default_generator());
  return matmul(weights, v);
}

}  // namespace functional

struct MultiheadAttentionOptions {
  double dropout = 0;       // on the attention weights, while training
  bool bias = true;         // in_proj_bias and out_proj.bias
  bool batch_first = false;  // inputs [N, L, E] rather than [L, N, E]
};

/** What MultiheadAttention's forward takes besides query, key and value, with PyTorch's names:
 *  masks are bool (true: masked out) or float (added to the scores). */
struct MultiheadAttentionForward {
  AnyTensor key_padding_mask = {};  // [N, S] (or [S] unbatched)
  bool need_weights = true;
  AnyTensor attn_mask = {};  // [L, S] or [N * num_heads, L, S]
  bool average_attn_weights = true;
};

namespace impl {

/** torch.nn.MultiheadAttention without add_bias_kv, add_zero_attn or distinct kdim/vdim: the
 *  parameters in_proj_weight [3E, E], in_proj_bias [3E] and out_proj (a Linear), initialised
 *  in PyTorch's order (out_proj as a Linear, then xavier_uniform_ on in_proj_weight, and zero
 *  biases). forward returns the output and, when need_weights, the attention weights (averaged
 *  over heads unless average_attn_weights is false; undefined otherwise). */
template <class = void>
class MultiheadAttention : public nn::Module {
 public:
  MultiheadAttention(int64_t embed_dim, int64_t num_heads, MultiheadAttentionOptions options = {})
      : MultiheadAttention(embed_dim, num_heads, options, default_generator()) {}
  MultiheadAttention(int64_t embed_dim, int64_t num_heads, MultiheadAttentionOptions options, Generator& gen)
      : embed_dim_(checked_embed_dim(embed_dim, num_heads)), num_heads_(num_heads), options_(options), gen_(&gen),
        out_proj_(embed_dim, embed_dim, options.bias, gen) {  // out_proj draws first, as in PyTorch
    in_proj_weight_ = register_parameter("in_proj_weight", empty<float>({3 * embed_dim, embed_dim}));
    if (options.bias) in_proj_bias_ = register_parameter("in_proj_bias", empty<float>({3 * embed_dim}));
    register_module("out_proj", out_proj_);
    init::xavier_uniform_(in_proj_weight_, 1.0, gen);
    if (options.bias) {
      init::zeros_(in_proj_bias_);
      init::zeros_(out_proj_.bias());
    }
  }

  std::pair<Tensor<float>, Tensor<float>> forward(const Tensor<float>& query, const Tensor<float>& key,
                                                  const Tensor<float>& value,
                                                  const MultiheadAttentionForward& args = {}) const {
    const bool batched = query.dim() == 3;
    TS_CHECK((batched && key.dim() == 3 && value.dim() == 3) || (query.dim() == 2 && key.dim() == 2 && value.dim() == 2),
             "MultiheadAttention: query, key and value must all be 3-D (batched) or 2-D (unbatched), got ",
             tessera::detail::shape_str(query.sizes()), ", ", tessera::detail::shape_str(key.sizes()), " and ",
             tessera::detail::shape_str(value.sizes()));
    // To [L, N, E], as PyTorch computes.
    const auto layout = [&](const Tensor<float>& t) {
      if (!batched) return t.unsqueeze(1);
      return options_.batch_first ? t.transpose(0, 1) : t;
    };
    const Tensor<float> q_in = layout(query), k_in = layout(key), v_in = layout(value);
    const int64_t L = q_in.size(0), N = q_in.size(1), E = embed_dim_, S = k_in.size(0), H = num_heads_, hd = E / H;
    TS_CHECK(q_in.size(2) == E && k_in.size(2) == E && v_in.size(2) == E && k_in.size(1) == N && v_in.size(1) == N &&
             v_in.size(0) == S, "MultiheadAttention: expected query [L, N, ", E, "] and key, value [S, N, ", E,
             "] (batch_first: N first), got ", tessera::detail::shape_str(query.sizes()), ", ",
             tessera::detail::shape_str(key.sizes()), " and ", tessera::detail::shape_str(value.sizes()));
    const auto project = [&](const Tensor<float>& x, int64_t part) {
      const Tensor<float> b = in_proj_bias_.defined() ? in_proj_bias_.narrow(0, part * E, E) : Tensor<float>();
      return functional::linear(x, in_proj_weight_.narrow(0, part * E, E), b);
    };
    // [len, N, E] -> [N * H, len, hd]: one batch entry per sequence and head.
    const auto heads = [&](const Tensor<float>& x, int64_t len) { return x.reshape({len, N * H, hd}).transpose(0, 1); };
    const Tensor<float> q = heads(project(q_in, 0), L), k = heads(project(k_in, 1), S), v = heads(project(v_in, 2), S);

    Tensor<float> scores = tessera::bmm(q / std::sqrt(static_cast<double>(hd)), k.transpose(1, 2));  // [N * H, L, S]
    if (args.attn_mask.defined()) {
      const Tensor<float> mask = tessera::detail::additive_mask<float>(args.attn_mask, true, "MultiheadAttention", "attn_mask");
      TS_CHECK((mask.sizes() == Shape{L, S} || mask.sizes() == Shape{N * H, L, S}), "MultiheadAttention: attn_mask of "
               "shape ", tessera::detail::shape_str(mask.sizes()), " should be [", L, ", ", S, "] or [", N * H, ", ",
               L, ", ", S, "]");
      scores = scores + mask;
    }
    if (args.key_padding_mask.defined()) {
      const Tensor<float> pad = tessera::detail::additive_mask<float>(args.key_padding_mask, true, "MultiheadAttention",
                                                                    "key_padding_mask");
      TS_CHECK((pad.sizes() == (batched ? Shape{N, S} : Shape{S})), "MultiheadAttention: key_padding_mask of shape ",
               tessera::detail::shape_str(pad.sizes()), " should be [", N, ", ", S, "]");
      scores = (scores.view({N, H, L, S}) + pad.view({N, 1, 1, S})).view({N * H, L, S});
    }
    Tensor<float> weights = scores.softmax(-1);
    if (options_.dropout > 0) weights = functional::dropout(weights, options_.dropout, is_training(), *gen_);
    Tensor<float> out = tessera::bmm(weights, v).transpose(0, 1).reshape({L * N, E});  // [L, N, E] flattened
    out = out_proj_(out).view({L, N, E});
    out = !batched ? out.squeeze(1) : options_.batch_first ? out.transpose(0, 1) : out;

    Tensor<float> returned;
    if (args.need_weights) {
      returned = weights.view({N, H, L, S});
      if (args.average_attn_weights) returned = returned.mean(1);
      if (!batched) returned = returned.squeeze(0);
    }
    return {out, returned};
  }
  std::pair<Tensor<float>, Tensor<float>> operator()(const Tensor<float>& query, const Tensor<float>& key,
                                                     const Tensor<float>& value,
                                                     const MultiheadAttentionForward& args = {}) const {
    return this->call_forward(*this, query, key, value, args);
  }
  const Tensor<float>& in_proj_weight() const { return in_proj_weight_; }
  const Tensor<float>& in_proj_bias() const { return in_proj_bias_; }
  const nn::Linear& out_proj() const { return out_proj_; }

 private:
  static int64_t checked_embed_dim(int64_t embed_dim, int64_t num_heads) {
    TS_CHECK(embed_dim > 0 && num_heads > 0 && embed_dim % num_heads == 0,
             "MultiheadAttention: embed_dim must be divisible by num_heads (got ", embed_dim, " and ", num_heads, ")");
    return embed_dim;
  }
  int64_t embed_dim_, num_heads_;
  MultiheadAttentionOptions options_;
  Generator* gen_;
  nn::Linear out_proj_;
  Tensor<float> in_proj_weight_, in_proj_bias_;
};

}  // namespace impl

using MultiheadAttention = impl::MultiheadAttention<>;

}  // namespace tessera::nn
