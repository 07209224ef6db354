// nn/attention.hpp and nn/transformer.hpp (encoder, decoder, Transformer) against PyTorch (tests/golden/attention.txt from
// tests/golden/generate_attention.py): with the mt19937 generator the modules start from
// PyTorch's weights bit for bit; outputs, attention weights and input gradients agree within
// float tolerance (the sums run in another order).

#include <cmath>

#include "error_of.hpp"
#include "golden.hpp"

namespace test_nn_attention {

namespace nn = ts::nn;
namespace F = ts::nn::functional;

namespace {

void check_close(const ts::Tensor<float>& got_t, const std::string& line, const std::string& what) {
  const std::vector<float> got = got_t.contiguous().to_vector(), want = golden::values<float>(line);
  REQUIRE(got.size() == want.size());
  int bad = 0;
  for (size_t i = 0; i < got.size(); ++i)
    if (!(std::abs(got[i] - want[i]) <= 2e-5f + 2e-5f * std::abs(want[i])) && bad++ < 5) {
      INFO(what << " element " << i);
      CHECK(got[i] == Approx(want[i]));
    }
  INFO(what);
  CHECK(bad == 0);
}

ts::Tensor<float> weights_like(const ts::Tensor<float>& t) {
  std::vector<float> w;
  for (int64_t i = 0; i < t.numel(); ++i) w.push_back(1 + static_cast<float>(i % 7) / 4);
  return ts::from_vector(w, t.sizes());
}

struct Result {
  std::vector<std::pair<std::string, ts::Tensor<float>>> params;
  ts::Tensor<float> out, weights, x;
};

// Builds the case as the generator does, drawing in the same order from the default generator.
Result run(const std::string& name) {
  Result r;
  const auto rows = [](std::initializer_list<std::initializer_list<bool>> v) { return ts::tensor(v); };
  if (name == "mha_self") {
    nn::MultiheadAttention m(8, 2);
    r.x = ts::randn({5, 3, 8}).requires_grad_();
    std::tie(r.out, r.weights) = m(r.x, r.x, r.x);
    r.params = m.named_parameters();
  } else if (name == "mha_cross_masks") {
    nn::MultiheadAttention m(8, 4, {.bias = false, .batch_first = true});
    r.x = ts::randn({3, 4, 8}).requires_grad_();
    const ts::Tensor<float> kv = ts::randn({3, 6, 8});
    const ts::Tensor<bool> pad = rows({{false, false, false, false, false, false},
                                       {false, false, false, false, true, true},
                                       {true, false, false, false, false, false}});
    ts::Tensor<bool> mask = ts::zeros<bool>({4, 6});
    mask.index({0, 5}) = true;
    mask.index({2, 0}) = true;
    std::tie(r.out, r.weights) =
        m(r.x, kv, kv, {.key_padding_mask = pad, .attn_mask = mask, .average_attn_weights = false});
    r.params = m.named_parameters();
  } else if (name == "mha_unbatched_float_mask") {
    nn::MultiheadAttention m(6, 3);
    r.x = ts::randn({4, 6}).requires_grad_();
    const ts::Tensor<float> k = ts::randn({5, 6}), mask = ts::randn({4, 5});
    std::tie(r.out, r.weights) = m(r.x, k, k, {.attn_mask = mask});
    r.params = m.named_parameters();
  } else if (name == "encoder_layer_post_norm") {
    nn::TransformerEncoderLayer m(8, 2, {.dim_feedforward = 16, .dropout = 0.0});
    r.x = ts::randn({5, 3, 8}).requires_grad_();
    const ts::Tensor<bool> pad = rows({{false, false, false, false, false},
                                       {false, false, false, true, true},
                                       {false, false, false, false, true}});
    r.out = m(r.x, {}, pad);
    r.params = m.named_parameters();
  } else if (name == "encoder_layer_pre_norm_gelu_causal") {
    nn::TransformerEncoderLayer m(8, 2, {.dim_feedforward = 16, .dropout = 0.0, .activation = "gelu",
                                         .batch_first = true, .norm_first = true});
    r.x = ts::randn({3, 5, 8}).requires_grad_();
    const ts::Tensor<int64_t> i = ts::arange(5);
    r.out = m(r.x, i.unsqueeze(0) > i.unsqueeze(1));  // true above the diagonal: masked
    r.params = m.named_parameters();
  } else if (name == "encoder_two_layers_norm") {
    nn::TransformerEncoderLayer layer(8, 2, {.dim_feedforward = 16, .dropout = 0.0});
    nn::TransformerEncoder m(layer, 2, nn::LayerNorm(8));
    r.x = ts::randn({4, 2, 8}).requires_grad_();
    r.out = m(r.x);
    r.params = m.named_parameters();
  } else if (name == "decoder_layer_post_norm") {
    nn::TransformerDecoderLayer m(8, 2, {.dim_feedforward = 16, .dropout = 0.0});
    r.x = ts::randn({4, 3, 8}).requires_grad_();
    const ts::Tensor<float> memory = ts::randn({6, 3, 8});
    const ts::Tensor<int64_t> i = ts::arange(4);
    const ts::Tensor<bool> pad = rows({{false, false, false, false, false, false},
                                       {false, false, false, false, true, true},
                                       {false, false, false, false, false, true}});
    r.out = m(r.x, memory, {.tgt_mask = i.unsqueeze(0) > i.unsqueeze(1), .memory_key_padding_mask = pad});
    r.params = m.named_parameters();
  } else if (name == "decoder_layer_pre_norm_gelu") {
    nn::TransformerDecoderLayer m(8, 4, {.dim_feedforward = 12, .dropout = 0.0, .activation = "gelu",
                                         .batch_first = true, .norm_first = true});
    r.x = ts::randn({2, 5, 8}).requires_grad_();
    const ts::Tensor<float> memory = ts::randn({2, 3, 8}), memory_mask = ts::randn({5, 3});
    const ts::Tensor<bool> tgt_pad = rows({{false, false, false, false, false}, {false, false, false, true, true}});
    r.out = m(r.x, memory, {}, memory_mask, tgt_pad);  // PyTorch's positional order
    r.params = m.named_parameters();
  } else if (name == "decoder_two_layers_norm") {
    nn::TransformerDecoderLayer layer(8, 2, {.dim_feedforward = 16, .dropout = 0.0});
    nn::TransformerDecoder m(layer, 2, nn::LayerNorm(8));
    r.x = ts::randn({3, 2, 8}).requires_grad_();
    r.out = m(r.x, ts::randn({4, 2, 8}));
    r.params = m.named_parameters();
  } else if (name == "transformer") {
    nn::Transformer m(8, 2, {.num_encoder_layers = 2, .num_decoder_layers = 1, .dim_feedforward = 16, .dropout = 0.0,
                             .batch_first = true});
    const ts::Tensor<float> src = ts::randn({2, 5, 8});
    r.x = ts::randn({2, 4, 8}).requires_grad_();
    r.out = m(src, r.x, {.tgt_mask = nn::Transformer::generate_square_subsequent_mask(4)});
    r.params = m.named_parameters();
  } else if (name == "sdpa_causal") {
    r.x = ts::randn({2, 3, 4, 5}).requires_grad_();
    const ts::Tensor<float> k = ts::randn({2, 3, 6, 5}), v = ts::randn({2, 3, 6, 7});
    r.out = F::scaled_dot_product_attention(r.x, k, v, {.is_causal = true});
  } else if (name == "sdpa_bool_mask") {
    r.x = ts::randn({2, 4, 5}).requires_grad_();
    const ts::Tensor<float> k = ts::randn({2, 6, 5}), v = ts::randn({2, 6, 3});
    ts::Tensor<bool> mask = ts::ones<bool>({4, 6});
    mask.index({1, ts::Slice(2, ts::None)}) = false;
    mask.index({3, 0}) = false;
    r.out = F::scaled_dot_product_attention(r.x, k, v, {.attn_mask = mask});
  } else if (name == "sdpa_float_mask") {
    r.x = ts::randn({3, 4}).requires_grad_();
    const ts::Tensor<float> k = ts::randn({5, 4}), v = ts::randn({5, 2}), mask = ts::randn({3, 5});
    r.out = F::scaled_dot_product_attention(r.x, k, v, {.attn_mask = mask});
  } else {
    FAIL("unknown case " << name);
  }
  return r;
}

}  // namespace

TEST_CASE("attention and transformer layers: PyTorch's weights, outputs and gradients", "[nn][attention][golden]") {
  golden::DefaultMt19937 mt;
  int cases = 0;
  for (const auto& g : golden::load("attention.txt")) {
    INFO(g.name);
    ts::manual_seed(std::stoull(g.get("seed")));
    const Result r = run(g.name);
    const std::vector<std::string> params = g.all("param");
    REQUIRE(params.size() == r.params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      const auto space = params[i].find(' ');
      CHECK(params[i].substr(0, space) == r.params[i].first);  // PyTorch's names, in its order
      CHECK(r.params[i].second.contiguous().to_vector() == golden::values<float>(params[i].substr(space + 1)));  // bit for bit
    }
    check_close(r.out, g.get("out"), "out");
    CHECK(g.has("weights") == r.weights.defined());
    if (g.has("weights")) check_close(r.weights, g.get("weights"), "weights");
    (r.out * weights_like(r.out)).sum().backward();
    check_close(r.x.grad(), g.get("dx"), "dx");
    ++cases;
  }
  CHECK(cases == 13);
}

TEST_CASE("attention refuses bad shapes and options", "[nn][attention]") {
  CHECK(error_of([] { nn::MultiheadAttention(10, 3); }) ==
        "MultiheadAttention: embed_dim must be divisible by num_heads (got 10 and 3)");
  nn::MultiheadAttention m(4, 2);
  const ts::Tensor<float> x = ts::randn({3, 2, 4});
  CHECK(error_of([&] { m(x, x, x, {.attn_mask = ts::zeros<bool>({3, 4})}); }) ==
        "MultiheadAttention: attn_mask of shape [3, 4] should be [3, 3] or [4, 3, 3]");
  CHECK(error_of([&] { m(x, x, x, {.key_padding_mask = ts::zeros<bool>({3, 2})}); }) ==
        "MultiheadAttention: key_padding_mask of shape [3, 2] should be [2, 3]");
  CHECK(error_of([&] { m(x, x, x, {.attn_mask = ts::zeros<int64_t>({3, 3})}); }) ==
        "MultiheadAttention: only bool and floating types of attn_mask are supported, got torch.int64");
  CHECK(error_of([&] { m(ts::randn({3, 2, 5}), x, x); }).rfind("MultiheadAttention: expected query [L, N, 4]", 0) == 0);
  CHECK(error_of([] { nn::TransformerEncoderLayer(4, 2, {.activation = "tanh"}); }) ==
        "TransformerEncoderLayer: activation should be relu/gelu, not tanh");
  CHECK(error_of([] { nn::TransformerDecoderLayer(4, 2, {.activation = "tanh"}); }) ==
        "TransformerDecoderLayer: activation should be relu/gelu, not tanh");
  nn::Transformer transformer(4, 2, {.num_encoder_layers = 1, .num_decoder_layers = 1, .dim_feedforward = 8});
  CHECK(error_of([&] { transformer(x, ts::randn({3, 3, 4})); }) == "the batch number of src and tgt must be equal");
  CHECK(error_of([&] { transformer(x, ts::randn({3, 2, 5})); }) ==
        "the feature number of src and tgt must be equal to d_model");
  CHECK(error_of([&] { F::scaled_dot_product_attention(x, x, x, {.attn_mask = ts::ones<bool>({2, 2}), .is_causal = true}); }) ==
        "scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True");
}

TEST_CASE("a transformer encoder trains: its loss falls over a few steps", "[nn][attention]") {
  ts::manual_seed(0);
  nn::TransformerEncoderLayer layer(8, 2, {.dim_feedforward = 16, .dropout = 0.1, .batch_first = true});
  nn::TransformerEncoder encoder(layer, 2);
  ts::optim::Adam opt(encoder.parameters(), {.lr = 1e-2});
  const ts::Tensor<float> x = ts::randn({4, 6, 8}), target = ts::randn({4, 6, 8});
  float first = 0, last = 0;
  for (int step = 0; step < 30; ++step) {
    opt.zero_grad();
    const ts::Tensor<float> loss = (encoder(x) - target).pow(2.0f).mean();
    loss.backward();
    opt.step();
    (step == 0 ? first : last) = loss.item();
  }
  CHECK(last < 0.8f * first);
  // The copies are independent layers: the two layers' weights moved apart.
  const auto p = encoder.named_parameters();
  CHECK(p.at(0).first == "layers.0.self_attn.in_proj_weight");
  CHECK(p.at(12).first == "layers.1.self_attn.in_proj_weight");
  CHECK(p.at(0).second.to_vector() != p.at(12).second.to_vector());
}

}  // namespace test_nn_attention
