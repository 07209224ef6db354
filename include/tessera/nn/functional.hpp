#pragma once
// ts::nn::functional: the stateless forms of the layers, as torch.nn.functional; the losses are in loss.hpp.

#include "../core/algorithm.hpp"
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "../ops/elementwise.hpp"
#include "../ops/indexing.hpp"
#include "../ops/linalg.hpp"
#include "../ops/rearrange.hpp"
#include "../ops/reduce.hpp"
#include "../backend/cpu/norm.hpp"
#include "../random/distributions.hpp"
#include "activation.hpp"
#include "loss.hpp"

namespace tessera::detail {

/** x - mean and rstd of layer_norm's rows [rows, n], recomputed from x with recorded ops, for
 *  second derivatives. */
template <class T>
std::pair<Tensor<T>, Tensor<T>> layer_norm_moments(const Tensor<T>& rows, double eps) {
  const Tensor<T> centered = rows - ::tessera::detail::mean_accumulated(rows, {1}, true);
  return {centered, (rows.var(Shape{1}, {.correction = 0, .keepdim = true}) + static_cast<T>(eps)).rsqrt()};
}

template <class A>
struct NativeLayerNormBackward0 final : Node {
  SavedTensor<A> input, weight;
  Tensor<A> mean, rstd;  // [rows], made by the forward pass alone
  int64_t n;
  double eps;
  NativeLayerNormBackward0(const Tensor<A>& x, const Tensor<A>& w, Tensor<A> m, Tensor<A> r, int64_t cols, double e)
      : input(x, false), weight(w, false), mean(std::move(m)), rstd(std::move(r)), n(cols), eps(e) {}
  const char* name() const override { return "NativeLayerNormBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(input, weight);
  }
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>(), x = input.unpack(*this);
    const Tensor<A> w = weight.defined() ? weight.unpack(*this) : Tensor<A>();
    const int64_t rows = n == 0 ? 0 : x.numel() / n;
    const Tensor<A> g2 = g.reshape({rows, n}), x2 = x.reshape({rows, n});
    const Tensor<A> w2 = w.defined() ? w.reshape({n}) : Tensor<A>();
    Tensor<A> dx, xhat;
    if (GradMode::is_enabled()) {  // create_graph: every term recorded, the statistics recomputed from x
      const auto [centered, rs] = layer_norm_moments(x2, eps);
      xhat = centered * rs;
      const Tensor<A> gx = w2.defined() ? g2 * w2 : g2;
      dx = (gx - ::tessera::detail::mean_accumulated(gx, {1}, true) -
            xhat * ::tessera::detail::mean_accumulated(gx * xhat, {1}, true)) * rs;
    } else {
      const Tensor<A> gc = g2.contiguous(), xc = x2.contiguous(), wc = w2.defined() ? w2.contiguous() : Tensor<A>();
      dx = empty_tensor<A>({rows, n}, {}, "layer_norm_backward");
      dispatch_plan(RowPlan{.op = "layer_norm_backward", .out = &dx.impl(), .fresh_out = true, .input = &gc.impl(),
                            .dim = 1},
                    [&] {
                      layer_norm_backward_rows(gc.kernel_data(), xc.kernel_data(), wc.defined() ? wc.kernel_data() : nullptr,
                                               mean.kernel_data(), rstd.kernel_data(), dx.kernel_data(), rows, n);
                    });
      if (needs_input_grad(1)) xhat = (x2 - mean.unsqueeze(1)) * rstd.unsqueeze(1);
    }
    AnyTensor gw, gb;
    if (needs_input_grad(1)) gw = (g2 * xhat).sum(0).reshape(w.sizes());
    if (needs_input_grad(2)) gb = g2.sum(0).reshape(w.defined() ? w.sizes() : Shape{n});
    return {needs_input_grad(0) ? AnyTensor(dx.reshape(x.sizes())) : AnyTensor(), gw, gb};
  }
};

/** layer_norm on the CPU over rows of n elements: one fused kernel, recorded as one node. */
template <class T>
Tensor<T> layer_norm_cpu(const Tensor<T>& x, int64_t n, const Tensor<T>& weight, const Tensor<T>& bias, double eps) {
  const int64_t rows = n == 0 ? 0 : x.numel() / n;
  const Tensor<T> xc = x.contiguous();
  const Tensor<T> wc = weight.defined() ? weight.contiguous() : Tensor<T>();
  const Tensor<T> bc = bias.defined() ? bias.contiguous() : Tensor<T>();
  Tensor<T> y = empty_tensor<T>(x.sizes(), {}, "layer_norm"), mean = empty_tensor<T>({rows}, {}, "layer_norm"),
            rstd = empty_tensor<T>({rows}, {}, "layer_norm");
  dispatch_plan(RowPlan{.op = "layer_norm", .out = &y.impl(), .fresh_out = true, .input = &xc.impl(),
                        .dim = x.dim() - 1},
                [&] {
                  layer_norm_rows(xc.kernel_data(), wc.defined() ? wc.kernel_data() : nullptr,
                                  bc.defined() ? bc.kernel_data() : nullptr, y.kernel_data(), mean.kernel_data(),
                                  rstd.kernel_data(), rows, n, eps);
                });
  if (needs_grad(x, weight, bias))
    record<NativeLayerNormBackward0<T>>({x, weight, bias}, {y}, x, weight, mean, rstd, n, eps);
  return y;
}

}  // namespace tessera::detail

namespace tessera::nn::functional {

/** x @ weight^T + bias, for x of shape [..., in] and weight [out, in]. */
template <class T>
Tensor<T> linear(const Tensor<T>& x, const Tensor<T>& weight, const Tensor<T>& bias = {}) {
  TS_CHECK(weight.dim() == 2, "linear: weight must be 2-D, got shape ", detail::shape_str(weight.sizes()));
  TS_CHECK(x.dim() >= 1 && x.size(-1) == weight.size(1), "linear: input of shape ", detail::shape_str(x.sizes()),
           " does not match weight of shape ", detail::shape_str(weight.sizes()));
  // As PyTorch's linear: addmm for a matrix (AddmmBackward0), and for a contiguous 3-D input
  // through its 2-D view (ViewBackward0); else matmul, then the bias added.
  if (bias.defined() && x.dim() == 2) return addmm(bias, x, weight.t());
  if (bias.defined() && x.dim() == 3 && x.is_contiguous())
    return addmm(bias, x.view({x.size(0) * x.size(1), x.size(2)}), weight.t()).view({x.size(0), x.size(1), weight.size(0)});
  Tensor<T> out = x.matmul(weight.t());
  return bias.defined() ? out + bias : out;
}

template <class T>
Tensor<T> relu(const Tensor<T>& x) { return x.relu(); }

/** relu in place (PyTorch's ReluBackward0, of the result). */
template <class T>
const Tensor<T>& relu_(const Tensor<T>& x) {
  return detail_activation::activation_<true>(
      x, "ReluBackward0", [](const Tensor<T>& v) { return v.relu(); },
      [](const Tensor<T>& g, const Tensor<T>& y) { return detail::threshold_backward(g, y); });
}

/** Zeroes each element with probability p and scales the rest by 1 / (1 - p) while training. */
template <class T>
Tensor<T> dropout(const Tensor<T>& x, double p, bool training, Generator& gen) {
  TS_CHECK(p >= 0 && p <= 1, "dropout: dropout probability has to be between 0 and 1, but got ", p);
  if (!training || p == 0) return x;
  if (p == 1) return x * T(0);
  Tensor<T> keep;
  if (gen.algorithm() == RngAlgorithm::mt19937) {
    // PyTorch's order: an empty mask, bernoulli_(1 - p) with a double uniform each, then / (1 - p).
    NoGradGuard no_grad;
    keep = empty<T>(x.sizes(), {.device = x.device()});
    keep.bernoulli_(1 - p, gen).div_(static_cast<T>(1 - p));
  } else {
    NoGradGuard no_grad;
    // bernoulli of a tensor full of T(1 - p), without the tensor.
    const double keep_p = detail::convert<double>(static_cast<T>(1 - p));
    keep = detail::bernoulli_scalar<T>(x.sizes(), keep_p, gen, x.device(), "dropout").div_(static_cast<T>(1 - p));
  }
  return x * keep;
}
template <class T>
Tensor<T> dropout(const Tensor<T>& x, double p = 0.5, bool training = true) {
  return dropout(x, p, training, default_generator());
}

/** One row per class index: [n] int64 in [0, num_classes) to [n, num_classes] int64. */
template <class = void>
Tensor<int64_t> one_hot(const Tensor<int64_t>& t, int64_t num_classes = -1) {
  if (num_classes < 0) num_classes = t.numel() ? t.max().item() + 1 : 0;  // on a device, a wait
  if (!t.device().is_cpu())  // checked on the device, reported at its next host read (Note [Deferred errors])
    detail::check_index_on_device(t, 0, num_classes, detail::IndexCheck::Class, "one_hot", 0);
  else
    TS_CHECK(t.numel() == 0 || (t.min().item() >= 0 && t.max().item() < num_classes),
             "one_hot: Class values must be non-negative and smaller than num_classes (", num_classes, ")");
  Shape shape = t.sizes();
  shape.push_back(num_classes);
  return zeros<int64_t>(shape, {.device = t.device()}).scatter(t.dim(), t.unsqueeze(-1), int64_t{1});
}

namespace detail_embedding {
/** embedding's node (PyTorch's EmbeddingBackward0): each looked-up position adds its gradient row
 *  to its weight row, in the order of the positions, except positions holding the padding index.
 *  It saves the weight, as PyTorch's does: an in-place change of the weight after the lookup fails
 *  the backward there too. */
template <class T>
struct EmbeddingBackward0 final : ::tessera::detail::Node {
  ::tessera::detail::SavedTensor<T> weight;
  ::tessera::detail::SavedTensor<int64_t> indices;  // flat
  std::optional<int64_t> padding;                    // in [0, n)
  EmbeddingBackward0(const Tensor<T>& w, const Tensor<int64_t>& flat, std::optional<int64_t> pad)
      : weight(w, false), indices(flat, false), padding(pad) {}
  const char* name() const override { return "EmbeddingBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(weight, indices);
  }
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    const Tensor<int64_t> idx = indices.unpack(*this);
    const Shape shape = weight.unpack(*this).sizes();
    Tensor<T> rows = grads[0].as<T>().reshape({idx.numel(), shape[1]});
    if (padding) rows = rows.masked_fill((idx == *padding).unsqueeze(1), 0);
    return {zeros<T>(shape, {.device = rows.device()}).index_add(0, idx, rows)};
  }
};
}  // namespace detail_embedding

/** Rows of `weight` [n, dim] picked by `indices` (any shape): the output is indices' shape + [dim].
 *  Positions holding `padding_idx` give no gradient to the weight. As torch.nn.functional.embedding,
 *  with PyTorch's node (EmbeddingBackward0). */
template <class T>
Tensor<T> embedding(const Tensor<int64_t>& indices, const Tensor<T>& weight,
                    std::optional<int64_t> padding_idx = std::nullopt) {
  TS_CHECK(weight.dim() == 2, "embedding: weight must be 2-D, got shape ", detail::shape_str(weight.sizes()));
  std::optional<int64_t> pad;
  if (padding_idx) {
    const int64_t n = weight.size(0);
    pad = *padding_idx < 0 ? *padding_idx + n : *padding_idx;
    TS_CHECK(*pad >= 0 && *pad < n, "embedding: Padding_idx must be within num_embeddings (got ", *padding_idx, " for ",
             n, " embeddings)");
  }
  Shape shape = indices.sizes();
  shape.push_back(weight.size(1));
  const Tensor<int64_t> flat = indices.reshape({-1});
  detail::check_index_select_bounds(weight, 0, flat, "embedding");  // Note [index_select bounds]
  Tensor<T> out;
  {
    NoGradGuard no_grad;  // the derivative is EmbeddingBackward0's
    out = weight.index_select(0, flat).view(shape);
    out.impl().forget_view_base();  // a fresh result, not a view for autograd (as PyTorch's)
  }
  if (detail::needs_grad(weight)) detail::record<detail_embedding::EmbeddingBackward0<T>>({weight}, {out}, weight, flat, pad);
  return out;
}

/** embedding_bag's options, in PyTorch's keyword order (max_norm, scale_grad_by_freq and sparse
 *  are not offered): mode "sum", "mean" or "max"; weights of the looked-up rows (mode "sum"
 *  only, the input's shape); offsets with one more entry ending the last bag; the index whose
 *  rows are skipped (and not counted by the mean). */
template <class T = float>
struct EmbeddingBagOptions {
  std::string mode = "mean";
  Tensor<T> per_sample_weights{};
  bool include_last_offset = false;
  std::optional<int64_t> padding_idx = std::nullopt;
};

namespace detail_bag {

/** The looked-up positions that count, the bag of each, and its scale (per-sample weight, divided
 *  by the bag's count for the mean); for "max" the first position of each bag's maximum per
 *  column (n where the bag is empty). */
template <class T>
struct Bags {
  Tensor<int64_t> index, bag;  // of the kept positions
  Tensor<T> scale;             // [kept, 1]
  Tensor<int64_t> argmax;      // "max": [bags, dim] into index
  Tensor<int64_t> counts;      // [bags]
};

/** embedding_bag's node (PyTorch's EmbeddingBagBackward0): each kept row's gradient is its bag's
 *  times its scale ("sum", "mean"), or its bag's where it is the maximum ("max"); the per-sample
 *  weights' is the row dotted with its bag's gradient. */
template <class T>
struct EmbeddingBagBackward0 final : ::tessera::detail::Node {
  ::tessera::detail::SavedTensor<T> weight, scale;
  ::tessera::detail::SavedTensor<int64_t> index, bag, argmax, positions;
  Shape weight_shape;
  bool max;
  Shape weights_shape;  // the per-sample weights'
  // The weight and the positions only serve the per-sample weights' gradient: saved only for it, as
  // PyTorch's, so that a later in-place change of the weight does not fail the backward otherwise.
  EmbeddingBagBackward0(const Tensor<T>& w, const Bags<T>& b, const Tensor<int64_t>& pos, bool is_max,
                        const Tensor<T>& psw)
      : weight(::tessera::detail::needs_grad(psw) ? w : Tensor<T>{}, false), scale(b.scale, false),
        index(b.index, false), bag(b.bag, false), argmax(b.argmax, false),
        positions(::tessera::detail::needs_grad(psw) ? pos : Tensor<int64_t>{}, false), weight_shape(w.sizes()),
        max(is_max), weights_shape(psw.defined() ? psw.sizes() : Shape{}) {}
  const char* name() const override { return "EmbeddingBagBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(weight, scale, index, bag, argmax, positions);
  }
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    const Tensor<T> g = grads[0].as<T>();
    const Tensor<int64_t> idx = index.unpack(*this), b = bag.unpack(*this);
    AnyTensor dw, dpsw;
    if (needs_input_grad(0) && idx.numel() == 0) {  // no row was read
      dw = zeros<T>(weight_shape, {.device = g.device()});
    } else if (needs_input_grad(0) && max) {
      // the gradient of bag i, column d goes to row index[argmax[i, d]], column d
      const Tensor<int64_t> am = argmax.unpack(*this), dims = arange<int64_t>(g.size(1), {.device = g.device()});
      const Tensor<bool> filled = am < idx.numel();
      const Tensor<int64_t> rows = idx.index_select(0, am.masked_fill(!filled, 0).reshape({-1})).view(am.sizes());
      const Tensor<int64_t> flat = (rows * g.size(1) + dims).masked_select(filled);
      dw = zeros<T>({weight_shape[0] * weight_shape[1]}, {.device = g.device()})
               .index_add(0, flat, g.masked_select(filled))
               .view(weight_shape);
    } else if (needs_input_grad(0)) {
      dw = zeros<T>(weight_shape, {.device = g.device()}).index_add(0, idx, g.index_select(0, b) * scale.unpack(*this));
    }
    if (needs_input_grad(1)) {
      const Tensor<T> per_row = (g.index_select(0, b) * weight.unpack(*this).index_select(0, idx)).sum(1);
      dpsw = zeros<T>({::tessera::detail::checked_numel(weights_shape, "embedding_bag")}, {.device = g.device()})
                 .index_add(0, positions.unpack(*this), per_row)
                 .view(weights_shape);
    }
    return {dw, dpsw};
  }
};

}  // namespace detail_bag

/** Sums, means or maxima of bags of rows of `weight` [n, dim]: input [B, N] (B bags of N indices;
 *  include_last_offset has no effect there, where PyTorch 1.13 drops the last bag) or input [n]
 *  with `offsets` [B] (bag i from offsets[i] to the next offset, the last to the end or, with
 *  include_last_offset, to offsets[B]); an empty bag gives zeros. As
 *  torch.nn.functional.embedding_bag, with PyTorch's node (EmbeddingBagBackward0); a maximum
 *  held by several rows sends its gradient to the first. */
template <class T>
Tensor<T> embedding_bag(const Tensor<int64_t>& input, const Tensor<T>& weight, const Tensor<int64_t>& offsets = {},
                        const EmbeddingBagOptions<T>& options = {}) {
  const char* op = "embedding_bag";
  TS_CHECK(weight.dim() == 2, op, ": weight must be 2-D, got shape ", detail::shape_str(weight.sizes()));
  detail::check_same_device(op, weight.device(), input.device());
  // Tensors are made on weight.device(), an expression of T: a call of arguments that do not depend
  // on T would instantiate arange (its result type deduced) here, before compiled mode declares it.
  const Tensor<T>& psw = options.per_sample_weights;
  TS_CHECK(!psw.defined() || psw.sizes() == input.sizes(), op, ": If per_sample_weights (",
           detail::shape_str(psw.sizes()), ") is not None, then it must have the same shape as the input (",
           detail::shape_str(input.sizes()), ")");
  TS_CHECK(input.dim() == 1 || input.dim() == 2, op, ": input has to be 1D or 2D Tensor, but got Tensor of dimension ",
           input.dim());
  TS_CHECK(input.dim() == 1 || !offsets.defined(), op, ": if input is 2D, then offsets has to be None, as input is "
           "treated is a mini-batch of fixed length sequences");
  TS_CHECK(input.dim() == 2 || offsets.defined(), op, ": offsets has to be a 1D Tensor but got None");
  TS_CHECK(input.dim() == 2 || offsets.dim() == 1, op, ": offsets has to be a 1D Tensor");
  const std::string& mode = options.mode;
  TS_CHECK(mode == "sum" || mode == "mean" || mode == "max", op, ": mode has to be one of sum, mean or max");
  TS_CHECK(!psw.defined() || mode == "sum", op, ": per_sample_weights was not None. per_sample_weights is only "
           "supported for mode='sum' (got mode='", mode, "'). Please open a feature request on GitHub.");
  const int64_t rows = weight.size(0), dim = weight.size(1), n = input.numel();
  std::optional<int64_t> pad = options.padding_idx;
  if (pad) {
    TS_CHECK(*pad >= -rows && *pad < rows, op, ": padding_idx must be within the number of embeddings, ", -rows,
             " through ", rows - 1, ", but got ", *pad);
    if (*pad < 0) *pad += rows;
  }
  // Each position's bag: fixed-length rows, or the runs between offsets.
  const Tensor<int64_t> flat = input.reshape({-1});
  Tensor<int64_t> bag, counts_all;
  int64_t bags = 0;
  if (input.dim() == 2) {
    bags = input.size(0);
    bag = arange<int64_t>(n, {.device = weight.device()}).div(input.size(1), "floor");
  } else {
    bags = offsets.size(0) - (options.include_last_offset ? 1 : 0);
    TS_CHECK(bags >= 0, op, ": include_last_offset needs at least one offset");
    if (offsets.size(0) > 0) {
      TS_CHECK(offsets[0].item() == 0, op, ": offsets[0] has to be 0, i.e., the first sequence in the mini-batch has "
               "to start from position 0. However, got ", offsets[0].item());
      TS_CHECK(offsets[-1].item() <= n, op, ": offsets[-1] can not be greater than input's length ", n,
               " but got offsets[-1] of ", offsets[-1].item());
      TS_CHECK(offsets.size(0) < 2 || (offsets.diff() >= 0).all().item(), op, ": offsets must be non-decreasing");
    }
    if (bags == 0) {
      bag = zeros<int64_t>({0}, {.device = weight.device()});
    } else {
      const Tensor<int64_t> ends = cat({offsets.narrow(0, 1, offsets.size(0) - 1), full<int64_t>({1}, n, {.device = weight.device()})});
      const Tensor<int64_t> lengths = (ends - offsets).narrow(0, 0, bags);
      bag = arange<int64_t>(bags, {.device = weight.device()}).repeat_interleave(lengths);  // positions past the last bag: none
    }
  }
  detail::check_index_select_bounds(weight, 0, flat, op);  // Note [index_select bounds]
  // the positions that count: inside a bag and not padding
  const int64_t covered = bag.numel();
  Tensor<int64_t> positions = arange<int64_t>(covered, {.device = weight.device()});
  if (pad) positions = positions.masked_select(flat.narrow(0, 0, covered) != *pad);
  detail_bag::Bags<T> b;
  Tensor<T> out;
  {
    NoGradGuard no_grad;  // the derivative is EmbeddingBagBackward0's
    b.index = flat.index_select(0, positions);
    b.bag = bag.index_select(0, positions);
    b.counts = zeros<int64_t>({bags}, {.device = weight.device()}).index_add(0, b.bag, ones_like(b.bag));
    const Tensor<T> looked_up = weight.index_select(0, b.index);
    if (mode == "max") {
      const Tensor<int64_t> column = b.bag.unsqueeze(1).expand(looked_up.sizes());
      out = full<T>({bags, dim}, -std::numeric_limits<T>::infinity(), {.device = weight.device()})
                .scatter_reduce(0, column, looked_up, "amax");
      // the first position holding each maximum (b.index.numel() where the bag is empty)
      const int64_t kept = b.index.numel();
      const Tensor<int64_t> where_max = where(looked_up == out.index_select(0, b.bag),
                                              arange<int64_t>(kept, {.device = weight.device()}).unsqueeze(1).expand(looked_up.sizes()),
                                              full<int64_t>(looked_up.sizes(), kept, {.device = weight.device()}));
      b.argmax = full<int64_t>({bags, dim}, kept, {.device = weight.device()}).scatter_reduce(0, column, where_max, "amin");
      out = out.masked_fill((b.counts == 0).unsqueeze(1), 0);
    } else {
      b.scale = psw.defined() ? psw.reshape({-1}).index_select(0, positions).unsqueeze(1)
                              : ones<T>({b.index.numel(), 1}, {.device = weight.device()});
      if (mode == "mean") b.scale = b.scale / b.counts.clamp_min(1).template to<T>().index_select(0, b.bag).unsqueeze(1);
      out = zeros<T>({bags, dim}, {.device = weight.device()}).index_add(0, b.bag, looked_up * b.scale);
    }
  }
  if (detail::needs_grad(weight, psw))
    detail::record<detail_bag::EmbeddingBagBackward0<T>>({weight, psw}, {out}, weight, b, positions, mode == "max", psw);
  return out;
}

/** Zeroes whole channels (dim 1 of [N, C, ...]) with probability p and scales the rest by
 *  1 / (1 - p) while training: one bernoulli_ draw per (sample, channel), as PyTorch's. */
template <class T>
Tensor<T> feature_dropout(const Tensor<T>& x, double p, bool training, Generator& gen, const char* op) {
  TS_CHECK(p >= 0 && p <= 1, op, ": dropout probability has to be between 0 and 1, but got ", p);
  TS_CHECK(x.dim() >= 2, op, ": expected an input [N, C, ...], got shape ", detail::shape_str(x.sizes()));
  if (!training || p == 0) return x;
  if (p == 1) return x * T(0);
  Shape noise_shape = Shape::filled(static_cast<size_t>(x.dim()), 1);
  noise_shape[0] = x.size(0), noise_shape[1] = x.size(1);
  Tensor<T> noise;
  {
    NoGradGuard no_grad;
    noise = empty<T>(noise_shape, {.device = x.device()});
    noise.bernoulli_(1 - p, gen).div_(static_cast<T>(1 - p));
  }
  return x * noise;
}
template <class T>
Tensor<T> dropout2d(const Tensor<T>& x, double p = 0.5, bool training = true) {
  return feature_dropout(x, p, training, default_generator(), "dropout2d");
}
/** Channel-wise dropout of [N, C, L] or, unbatched, [C, L] (one draw per channel, as PyTorch). */
template <class T>
Tensor<T> dropout1d(const Tensor<T>& x, double p = 0.5, bool training = true) {
  TS_CHECK(x.dim() == 2 || x.dim() == 3, "dropout1d: Expected 2D or 3D input, but received a ", x.dim(),
           "D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
           "channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).");
  if (x.dim() == 2) return feature_dropout(x.unsqueeze(0), p, training, default_generator(), "dropout1d").squeeze(0);
  return feature_dropout(x, p, training, default_generator(), "dropout1d");
}

namespace detail_dropout {

/** alpha_dropout and feature_alpha_dropout: keep each element (or each channel, `noise_shape`)
 *  with probability 1 - p, set the others to SELU's negative saturation -1.7581 (alpha), then
 *  a x + b so that mean and variance stay those of the input: PyTorch's formulas and draws (one
 *  bernoulli_(1 - p) over the noise). */
template <class T>
Tensor<T> alpha_dropout(const Tensor<T>& x, double p, bool training, Generator& gen, const Shape& noise_shape,
                        const char* op) {
  static_assert(is_floating_v<T>, "alpha_dropout: the input must be floating");
  TS_CHECK(p >= 0 && p <= 1, op, ": dropout probability has to be between 0 and 1, but got ", p);
  if (!training || p == 0 || x.numel() == 0) return x;
  if (p == 1) return x * T(0);
  constexpr double alpha = 1.7580993408473766;
  const double a = 1.0 / std::sqrt((alpha * alpha * p + 1) * (1 - p));
  Tensor<T> noise, b;
  {
    NoGradGuard no_grad;
    noise = empty<T>(noise_shape, {.device = x.device()});
    noise.bernoulli_(1 - p, gen);
    b = ((noise - T(1)) * static_cast<T>(alpha * a)).add_(static_cast<T>(alpha * a * p));
    noise.mul_(static_cast<T>(a));
  }
  return x * noise + b;
}

}  // namespace detail_dropout

/** SELU networks' dropout (torch.nn.functional.alpha_dropout; training false by default, as
 *  PyTorch's): dropped elements take SELU's saturation value, and an affine map keeps the
 *  input's mean and variance. */
template <class T>
Tensor<T> alpha_dropout(const Tensor<T>& x, double p, bool training, Generator& gen) {
  return detail_dropout::alpha_dropout(x, p, training, gen, x.sizes(), "alpha_dropout");
}
template <class T>
Tensor<T> alpha_dropout(const Tensor<T>& x, double p = 0.5, bool training = false) {
  return alpha_dropout(x, p, training, default_generator());
}

/** alpha_dropout of whole channels (dim 1 of [N, C, ...]; one draw per sample and channel). */
template <class T>
Tensor<T> feature_alpha_dropout(const Tensor<T>& x, double p, bool training, Generator& gen) {
  // PyTorch checks the dims only where it draws
  TS_CHECK(!training || p == 0 || p == 1 || x.numel() == 0 || x.dim() >= 2,
           "feature_alpha_dropout: Feature dropout requires at least 2 dimensions in the input");
  Shape noise_shape = Shape::filled(static_cast<size_t>(x.dim()), 1);
  if (x.dim() >= 2) noise_shape[0] = x.size(0), noise_shape[1] = x.size(1);
  return detail_dropout::alpha_dropout(x, p, training, gen, noise_shape, "feature_alpha_dropout");
}
template <class T>
Tensor<T> feature_alpha_dropout(const Tensor<T>& x, double p = 0.5, bool training = false) {
  return feature_alpha_dropout(x, p, training, default_generator());
}

/** Layer normalisation over the trailing dims `normalized_shape`, with optional elementwise
 *  weight and bias of that shape. On the CPU one fused kernel computes each row's mean and
 *  biased variance and the result, and the backward is PyTorch's (NativeLayerNormBackward0);
 *  other devices compose it from their kernels. */
template <class T>
Tensor<T> layer_norm(const Tensor<T>& x, const Shape& normalized_shape, const Tensor<T>& weight = {},
                     const Tensor<T>& bias = {}, double eps = 1e-5) {
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  const bool matches = k >= 1 && x.dim() >= k && std::equal(normalized_shape.begin(), normalized_shape.end(),
                                                             x.sizes().end() - k);
  TS_CHECK(matches, "layer_norm: input of shape ", detail::shape_str(x.sizes()), " does not end in normalized_shape ",
           detail::shape_str(normalized_shape));
  for (const Tensor<T>* p : {&weight, &bias}) {
    if (!p->defined()) continue;
    TS_CHECK(p->sizes() == normalized_shape, "layer_norm: Expected ", p == &weight ? "weight" : "bias",
             " to be of same shape as normalized_shape, but got ", p == &weight ? "weight" : "bias", " of shape ",
             detail::shape_str(p->sizes()), " and normalized_shape = ", detail::shape_str(normalized_shape));
    detail::check_same_device("layer_norm", x.device(), p->device());
  }
  if (!x.device().is_cpu()) {
    Shape dims;
    for (int64_t d = x.dim() - k; d < x.dim(); ++d) dims.push_back(d);
    const Tensor<T> mean = ::tessera::detail::mean_accumulated(x, dims, true);
    Tensor<T> out = (x - mean) * (x.var(dims, {.correction = 0, .keepdim = true}) + static_cast<T>(eps)).rsqrt();
    if (weight.defined()) out = out * weight;
    return bias.defined() ? out + bias : out;
  }
  return detail::layer_norm_cpu(x, detail::checked_numel(normalized_shape, "layer_norm"), weight, bias, eps);
}

// Note [Batch norm node]
// batch_norm computes with grad mode off and records PyTorch's NativeBatchNormBackward0, which
// saves the input, the weight and the statistics it normalised with (mean and 1 / std per
// channel), not the intermediate tensors of its pieces. With xhat = (x - mean) / std, its
// backward gives, as PyTorch's CPU kernel, with dot = sum(g * (x - mean)), the bias sum(g), the
// weight dot / std and the input, in training, weight / std * (g - mean(g) - (x - mean) * dot /
// (n std^2)) (the batch's statistics depend on x), in evaluation weight / std * g: the input's
// as g * a + x * b + c per channel, two passes over g and x after the one taking the sums. Under
// create_graph the training statistics are taken again from x with ops, so that the second
// derivatives follow them too.
namespace detail_batch_norm {
/** The batch's biased variance over dims around its mean (kept dims), as PyTorch's batch_norm
 *  computes it: a second pass over x. */
template <class T>
Tensor<T> variance(const Tensor<T>& x, const Tensor<T>& mean, const Shape& dims) {
  Tensor<T> centred = x - mean;  // squared in place unless recorded (create_graph)
  return ::tessera::detail::mean_accumulated(GradMode::is_enabled() ? centred.square() : centred.mul_(centred), dims,
                                             true);
}

/** Whether x runs batch_norm's CPU kernels (Note [Batch norm planes]): float or double,
 *  contiguous, on the CPU, with planes of 64 elements or more; other inputs are composed from
 *  the elementwise and reduction kernels, to the same values up to the order of the sums. */
template <class T>
inline constexpr bool kPlaneTypes = std::is_same_v<T, float> || std::is_same_v<T, double>;

template <class T>
bool batch_norm_planes(const Tensor<T>& x) {
  if constexpr (kPlaneTypes<T>) {
    return x.device().is_cpu() && x.is_contiguous() && x.dim() >= 3 && x.numel() > 0 &&
           x.numel() / (x.size(0) * x.size(1)) >= 64;
  } else {
    return false;
  }
}

/** Runs a batch_norm CPU kernel writing the fresh `out` from x (the plan's bookkeeping). */
template <class T, class F>
void run_planes(const char* op, const Tensor<T>& out, const Tensor<T>& x, const F& kernel) {
  ::tessera::detail::dispatch_plan(
      ::tessera::detail::RowPlan{.op = op, .out = &out.impl(), .fresh_out = true, .input = &x.impl(), .dim = 1},
      kernel);
}

template <class T>
struct NativeBatchNormBackward0 final : ::tessera::detail::Node {
  ::tessera::detail::SavedTensor<T> input, weight, mean, invstd;  // mean and invstd: [1, C, 1, ...]
  Shape dims;  // all but the channels
  bool training;
  double eps;
  NativeBatchNormBackward0(const Tensor<T>& x, const Tensor<T>& w, const Tensor<T>& m, const Tensor<T>& is, Shape d,
                           bool train, double epsilon)
      : input(x, false), weight(w, false), mean(m, false), invstd(is, false), dims(std::move(d)), training(train),
        eps(epsilon) {}
  const char* name() const override { return "NativeBatchNormBackward0"; }
  void release_saved() override {
    Node::release_saved();
    release_all(input, weight, mean, invstd);
  }
  ::tessera::detail::variable_list apply(::tessera::detail::variable_list&& grads) override {
    const Tensor<T> x = input.unpack(*this), w = weight.unpack(*this), g = grads[0].as<T>();
    Tensor<T> mu = mean.unpack(*this), inv = invstd.unpack(*this);
    if (training && GradMode::is_enabled()) {  // create_graph: the statistics as functions of x
      mu = ::tessera::detail::mean_accumulated(x, dims, true);
      inv = (variance(x, mu, dims) + static_cast<T>(eps)).rsqrt();
    }
    const bool for_input = needs_input_grad(0), for_weight = needs_input_grad(1), for_bias = needs_input_grad(2);
    const bool recorded = GradMode::is_enabled();  // create_graph: ops only, no in-place updates
    const bool planes = !recorded && batch_norm_planes(x);
    const int64_t n0 = x.size(0), channels = mu.numel(), s = x.numel() / std::max<int64_t>(n0 * channels, 1);
    const Tensor<T> gc = planes ? g.contiguous() : g;
    Tensor<T> sum, centred, dot;
    if (planes && ((for_input && training) || for_weight)) {
      mu = mu.contiguous();
      if ((for_input && training) || for_bias) sum = ::tessera::detail::empty_tensor<T>(mu.sizes(), {}, "batch_norm");
      dot = ::tessera::detail::empty_tensor<T>(mu.sizes(), {}, "batch_norm");
      run_planes("batch_norm_backward", dot, x, [&] {
        if constexpr (kPlaneTypes<T>)  // the other types never get here; no kernel is compiled for them
          ::tessera::detail::batch_norm_backward_sums(gc.kernel_data(), x.kernel_data(), mu.kernel_data(), n0,
                                                      channels, s, sum.defined() ? sum.kernel_data() : nullptr,
                                                      dot.kernel_data());
      });
    } else {
      if ((for_input && training) || for_bias) sum = g.sum(dims, true);
      if ((for_input && training) || for_weight) {
        centred = x - mu;
        dot = (centred * g).sum(dims, true);
      }
    }
    Tensor<T> gx, gw, gb;
    if (for_input) {
      const Tensor<T> scale = w.defined() ? inv * w.view(mu.sizes()) : inv;
      if (training) {
        const T n = static_cast<T>(x.numel() / std::max<int64_t>(mu.numel(), 1));
        const Tensor<T> k = dot * inv * inv / n, mean_g = sum / n;
        if (planes) {  // the steps below, fused
          const Tensor<T> neg_k = -k, scale_c = scale.contiguous();
          gx = ::tessera::detail::empty_tensor<T>(x.sizes(), {}, "batch_norm");
          run_planes("batch_norm_backward", gx, x, [&] {
            if constexpr (kPlaneTypes<T>)
              ::tessera::detail::batch_norm_backward_input(gx.kernel_data(), gc.kernel_data(), x.kernel_data(),
                                                           mu.kernel_data(), neg_k.kernel_data(),
                                                           mean_g.kernel_data(), scale_c.kernel_data(), n0, channels, s);
          });
        } else {
          gx = recorded ? (g - mean_g - centred * k) * scale  // the same, in place in the fresh difference:
                        : centred.mul_(-k).add_(g).sub_(mean_g).mul_(scale);
        }
      } else {
        gx = g * scale;
      }
    }
    if (for_weight) gw = (dot * inv).view({mu.numel()});
    if (for_bias) gb = sum.view({mu.numel()});
    return {gx, gw, gb};
  }
};
}  // namespace detail_batch_norm

/** Batch normalisation of x [N, C, ...] per channel C. Training: the batch's mean and biased
 *  variance normalise, and running_mean / running_var (when given) move by `momentum` towards
 *  the batch's mean and unbiased variance. Evaluation: the running statistics normalise.
 *  Records PyTorch's node (Note [Batch norm node]). */
template <class T>
Tensor<T> batch_norm(const Tensor<T>& x, const Tensor<T>& running_mean, const Tensor<T>& running_var,
                         const Tensor<T>& weight = {}, const Tensor<T>& bias = {}, bool training = false,
                         double momentum = 0.1, double eps = 1e-5) {
  TS_CHECK(x.dim() >= 2, "batch_norm: expected an input with a batch and a channel dim, got shape ",
           detail::shape_str(x.sizes()));
  const int64_t channels = x.size(1);
  Shape dims = {0}, param_shape = {1, channels};  // parameters broadcast as [1, C, 1, ...]
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d), param_shape.push_back(1);
  const auto check_param = [&](const Tensor<T>& t, const char* name) {
    TS_CHECK(!t.defined() || t.sizes() == Shape{channels}, "batch_norm: ", name, " of shape ",
             detail::shape_str(t.sizes()), " does not match the ", channels, " channels of input ",
             detail::shape_str(x.sizes()));
  };
  check_param(running_mean, "running_mean");
  check_param(running_var, "running_var");
  check_param(weight, "weight");
  check_param(bias, "bias");
  Tensor<T> mean, invstd, out;
  const bool planes = detail_batch_norm::batch_norm_planes(x);  // Note [Batch norm planes]
  const int64_t plane = planes ? x.numel() / (x.size(0) * channels) : 0;
  {
    NoGradGuard no_grad;  // the derivatives are NativeBatchNormBackward0's
    Tensor<T> var;
    if (training) {
      const int64_t n = x.numel() / std::max<int64_t>(channels, 1);
      TS_CHECK(n > 1, "batch_norm: Expected more than 1 value per channel when training, got input size ",
               detail::shape_str(x.sizes()));
      if (planes) {
        mean = detail::empty_tensor<T>(param_shape, {}, "batch_norm");
        var = detail::empty_tensor<T>(param_shape, {}, "batch_norm");
        detail_batch_norm::run_planes("batch_norm", mean, x, [&] {
          if constexpr (detail_batch_norm::kPlaneTypes<T>)  // the other types never get here
            detail::batch_norm_statistics(x.kernel_data(), x.size(0), channels, plane, mean.kernel_data(),
                                          var.kernel_data());
        });
      } else {
        mean = ::tessera::detail::mean_accumulated(x, dims, true);
        var = detail_batch_norm::variance(x, mean, dims);
      }
      if (running_mean.defined() && running_var.defined()) {
        const T m = static_cast<T>(momentum);
        running_mean.mul_(1 - m).add_(mean.view({channels}) * m);
        running_var.mul_(1 - m).add_(var.view({channels}) * (m * static_cast<T>(n) / static_cast<T>(n - 1)));
      }
    } else {
      TS_CHECK(running_mean.defined() && running_var.defined(), "batch_norm: evaluation needs running_mean and running_var");
      mean = running_mean.view(param_shape);
      var = running_var.view(param_shape);
    }
    // x * alpha + beta per channel, PyTorch's CPU form: two passes over x
    invstd = (var + static_cast<T>(eps)).rsqrt();
    const Tensor<T> alpha = weight.defined() ? invstd * weight.view(param_shape) : invstd;
    const Tensor<T> beta = bias.defined() ? bias.view(param_shape) - mean * alpha : -(mean * alpha);
    if (planes) {
      const Tensor<T> a = alpha.contiguous(), b = beta.contiguous();
      out = detail::empty_tensor<T>(x.sizes(), {}, "batch_norm");
      detail_batch_norm::run_planes("batch_norm", out, x, [&] {
        if constexpr (detail_batch_norm::kPlaneTypes<T>)
          detail::batch_norm_affine(out.kernel_data(), x.kernel_data(), x.size(0), channels, plane,
                                    a.kernel_data(), b.kernel_data());
      });
    } else {
      out = x * alpha;
      detail::binary_into<detail::AddOp, /*fresh_out=*/true>(out, out, beta);
    }
  }
  if (detail::needs_grad(x, weight, bias))
    detail::record<detail_batch_norm::NativeBatchNormBackward0<T>>({x, weight, bias}, {out}, x, weight, mean, invstd,
                                                                   dims, training, eps);
  return out;
}

/** x1^T A_o x2 + b_o for each output o: input1 [..., in1] and input2 [..., in2] (the same leading
 *  dims), weight [out, in1, in2], bias [out]; torch.nn.functional.bilinear. */
template <class T>
Tensor<T> bilinear(const Tensor<T>& input1, const Tensor<T>& input2, const Tensor<T>& weight, const Tensor<T>& bias = {}) {
  TS_CHECK(input1.dim() == input2.dim(), "bilinear(): input dimensions do not match: got ", input1.dim(), " and ",
           input2.dim());
  for (int64_t i = 0; i + 1 < input1.dim(); ++i)
    TS_CHECK(input1.size(i) == input2.size(i), "bilinear(): input batch dimensions do not match at dim ", i, ": got ", input1.size(i),
             " and ", input2.size(i));
  TS_CHECK(input1.dim() > 0 && weight.dim() == 3, "bilinear(): expected inputs of at least 1 dim and a 3-D weight "
           "[out, in1, in2], got ", input1.dim(), "-D inputs and weight of shape ", detail::shape_str(weight.sizes()));
  TS_CHECK(input1.size(-1) == weight.size(1), "bilinear(): input1 size does not match weight size: got ",
           input1.size(-1), " but expected ", weight.size(1));
  TS_CHECK(input2.size(-1) == weight.size(2), "bilinear(): input2 size does not match weight size: got ",
           input2.size(-1), " but expected ", weight.size(2));
  TS_CHECK(!bias.defined() || bias.size(0) == weight.size(0), "bilinear(): bias size does not match weight size: got ",
           bias.defined() && bias.dim() > 0 ? bias.size(0) : 0, " but expected ", weight.size(0));
  const int64_t out = weight.size(0), in1 = weight.size(1), in2 = weight.size(2);
  Shape output_size = input1.sizes();
  output_size[output_size.size() - 1] = out;
  const Tensor<T> x1 = input1.reshape({-1, in1}), x2 = input2.reshape({-1, in2});
  // (x1 [N, in1] . A [in1, out * in2]) [N, out, in2], then each row's dot with x2
  const Tensor<T> left = x1.mm(weight.permute({1, 0, 2}).reshape({in1, out * in2})).view({-1, out, in2});
  Tensor<T> y = left.bmm(x2.unsqueeze(2)).view(output_size);
  return bias.defined() ? y + bias : y;
}

/** input divided by its p-norm along dim, the norm at least eps: torch.nn.functional.normalize
 *  (each row a unit vector with the defaults). */
template <class T>
Tensor<T> normalize(const Tensor<T>& input, double p = 2.0, int64_t dim = 1, double eps = 1e-12) {
  static_assert(is_floating_v<T>, "normalize: the input must be floating, as PyTorch's norm");
  return input / input.norm(p, dim, true).clamp_min(eps).expand_as(input);
}

/** F.pixel_shuffle, F.pixel_unshuffle, F.channel_shuffle: ts::pixel_shuffle and its kin. */
template <class T>
Tensor<T> pixel_shuffle(const Tensor<T>& x, int64_t upscale_factor) {
  return ::tessera::pixel_shuffle(x, upscale_factor);
}
template <class T>
Tensor<T> pixel_unshuffle(const Tensor<T>& x, int64_t downscale_factor) {
  return ::tessera::pixel_unshuffle(x, downscale_factor);
}
template <class T>
Tensor<T> channel_shuffle(const Tensor<T>& x, int64_t groups) {
  return ::tessera::channel_shuffle(x, groups);
}

}  // namespace tessera::nn::functional
