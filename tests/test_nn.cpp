// nn/: modules as handles, parameter names and state_dict, Linear's initialisation, the
// functional layers and losses against PyTorch (tests/golden/nn.txt; F::normalize from
// tests/golden/functional.txt), gradchecks, training.

#include <functional>
#include <map>

#include "call_cases.hpp"
#include "error_of.hpp"
#include "golden.hpp"

namespace test_nn {

using ts::Tensor;
namespace F = ts::nn::functional;

namespace {

const golden::Record& record(const std::string& name) {
  static const auto records = golden::load("nn.txt");
  for (const auto& r : records)
    if (r.name == name) return r;
  FAIL("no golden record " << name);
  return records.front();
}

Tensor<float> read(const golden::Record& r, const std::string& key, ts::Shape shape) {
  return ts::from_vector(golden::values<float>(r.get(key)), shape);
}

void check_close(const Tensor<float>& got, const Tensor<float>& want) {
  REQUIRE(got.sizes() == want.sizes());
  const auto g = got.to_vector(), w = want.to_vector();
  for (size_t i = 0; i < g.size(); ++i) {
    INFO("element " << i << ": got " << g[i] << ", PyTorch " << w[i]);
    CHECK(std::fabs(g[i] - w[i]) <= 1e-6f + 1e-5f * std::fabs(w[i]));
  }
}

}  // namespace

TEST_CASE("functional::linear matches PyTorch, values and gradients") {
  const auto& r = record("linear");
  auto x = read(r, "x", {4, 5}).requires_grad_(), w = read(r, "w", {3, 5}).requires_grad_();
  auto b = read(r, "b", {3}).requires_grad_();
  auto out = F::linear(x, w, b);
  check_close(out.detach(), read(r, "out", {4, 3}));
  out.backward(read(r, "gout", {4, 3}));
  check_close(x.grad(), read(r, "gx", {4, 5}));
  check_close(w.grad(), read(r, "gw", {3, 5}));
  check_close(b.grad(), read(r, "gb", {3}));
  CHECK_THROWS_WITH(F::linear(ts::ones({2, 4}), w), Catch::Contains("does not match weight"));
}

TEST_CASE("losses match PyTorch, values and gradients") {
  const Tensor<int64_t> target = ts::tensor({2, 0, 1, 2});
  const std::map<std::string, std::function<Tensor<float>(const Tensor<float>&)>> losses = {
      {"cross_entropy", [&](const Tensor<float>& z) { return F::cross_entropy(z, target); }},
      {"cross_entropy_smooth", [&](const Tensor<float>& z) { return F::cross_entropy(z, target, {.label_smoothing = 0.1}); }},
      {"nll_loss", [&](const Tensor<float>& z) { return F::nll_loss(z.log_softmax(1), target); }},
      {"mse_loss", [&](const Tensor<float>& z) { return F::mse_loss(z, ts::linspace(-1, 1, 12).reshape({4, 3})); }},
      {"bce_with_logits", [&](const Tensor<float>& z) {
         return F::binary_cross_entropy_with_logits(z * 10, ts::linspace(0, 1, 12).reshape({4, 3}));
       }},
  };
  for (const auto& [name, fn] : losses) {
    SECTION(name) {
      const auto& r = record(name);
      auto z = read(r, "z", {4, 3}).requires_grad_();
      auto loss = fn(z);
      check_close(loss.detach(), read(r, "loss", {}));
      loss.backward();
      check_close(z.grad(), read(r, "gz", {4, 3}));
    }
  }
  CHECK_THROWS_WITH(F::cross_entropy(ts::ones({4, 3}), ts::tensor({0, 1, 2, 3})), Catch::Contains("out of bounds"));
  CHECK_THROWS_WITH(F::nll_loss(ts::ones({4, 3}), ts::tensor({0, 1})), Catch::Contains("Expected input batch_size"));
  CHECK_THROWS_WITH(F::mse_loss(ts::ones({2}), ts::ones({3})), Catch::Contains("cannot be broadcast"));
  // Stable for large logits, where exp overflows.
  CHECK(std::isfinite(F::binary_cross_entropy_with_logits(ts::tensor({-200.0f, 200.0f}), ts::tensor({1.0f, 0.0f})).item()));
}

TEST_CASE("one_hot and dropout") {
  CHECK(ts::equal(F::one_hot(ts::tensor({2, 0}), 3), ts::tensor({{0, 0, 1}, {1, 0, 0}})));
  CHECK(F::one_hot(ts::tensor({1, 3})).sizes() == ts::Shape{2, 4});
  CHECK_THROWS_WITH(F::one_hot(ts::tensor({5}), 3), Catch::Contains("smaller than num_classes"));
  ts::Generator g1(3), g2(3);
  auto x = ts::ones({1000});
  auto a = F::dropout(x, 0.25, true, g1), b = F::dropout(x, 0.25, true, g2);
  CHECK(ts::equal(a, b));  // same generator state, same mask
  const auto v = a.to_vector();
  const auto kept = std::count_if(v.begin(), v.end(), [](float e) { return e != 0; });
  CHECK(kept > 700);
  CHECK(kept < 800);
  for (float e : v) CHECK((e == 0 || e == Approx(1 / 0.75f)));
  CHECK(ts::equal(F::dropout(x, 0.25, false, g1), x));
}

TEST_CASE("alpha dropout keeps a standard normal input's mean and variance; the identity in eval mode") {
  ts::Generator gen(3);
  const auto x = ts::randn({200000}, gen);
  for (const double p : {0.1, 0.5}) {
    const auto y = F::alpha_dropout(x, p, true, gen);
    CHECK(std::fabs(y.mean().item()) < 0.01f);
    CHECK(y.var().item() == Approx(1.0).epsilon(0.02));
    // dropped elements all take one value, a (-1.7581) + b
    const double alpha = 1.7580993408473766, a = 1 / std::sqrt((alpha * alpha * p + 1) * (1 - p));
    CHECK((y == static_cast<float>(-alpha * a + alpha * a * p)).to<float>().mean().item() == Approx(p).epsilon(0.05));
  }
  CHECK(ts::equal(F::alpha_dropout(x), x));  // training false by default, as PyTorch's
  CHECK(ts::equal(F::feature_alpha_dropout(x.view({100, 2000})), x.view({100, 2000})));
  ts::nn::FeatureAlphaDropout layer(0.5, gen);
  const auto planes = x.view({10, 20, 1000});
  // whole channels dropped together: about half of them constant
  const float constant = (layer(planes).std(ts::Shape{2}) == 0.0f).to<float>().mean().item();
  CHECK(constant > 0.3f);
  CHECK(constant < 0.7f);
  layer.eval();
  CHECK(ts::equal(layer(planes), planes));
  CHECK(ts::equal(F::feature_alpha_dropout(ts::ones({3})), ts::ones({3})));  // PyTorch checks dims only when it draws
  CHECK(error_of([] { F::alpha_dropout(ts::ones({2}), 1.5); }) ==
        "alpha_dropout: dropout probability has to be between 0 and 1, but got 1.5");
  CHECK(error_of([] { F::feature_alpha_dropout(ts::ones({2}), 0.5, true); }) ==
        "feature_alpha_dropout: Feature dropout requires at least 2 dimensions in the input");
}

TEST_CASE("modules are handles with PyTorch's parameter names") {
  ts::Generator gen(1);
  ts::nn::Linear first(784, 256, true, gen);
  ts::nn::Sequential model{first, ts::nn::ReLU(), ts::nn::Linear(256, 10, false, gen)};
  std::vector<std::string> names;
  for (const auto& [name, p] : model.named_parameters()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"0.weight", "0.bias", "2.weight"});
  CHECK(model.parameters().size() == 3);
  CHECK(model.parameters()[0].data_ptr() == first.weight().data_ptr());  // one layer, two handles
  CHECK(first.weight().requires_grad());
  CHECK(first.weight().is_leaf());
  // Linear's default initialisation: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias.
  const float bound = 1 / std::sqrt(784.0f);
  CHECK(first.weight().abs().max().item() <= bound);
  CHECK(first.weight().abs().max().item() > 0.99f * bound);
  CHECK(std::fabs(first.weight().mean().item()) < 0.01f * bound * 10);
  model.eval();
  CHECK_FALSE(first.is_training());
  model.train();
  CHECK(first.is_training());
  // state_dict shares data; load_state_dict copies, checking names and shapes.
  auto dict = model.state_dict();
  CHECK(dict.size() == 3);
  ts::nn::Sequential other{ts::nn::Linear(784, 256), ts::nn::ReLU(), ts::nn::Linear(256, 10, false)};
  other.load_state_dict(dict);
  CHECK(ts::equal(other.parameters()[2], model.parameters()[2]));
  dict.erase("0.bias");
  CHECK_THROWS_WITH(other.load_state_dict(dict), Catch::Contains("missing key \"0.bias\""));
  dict["0.bias"] = ts::zeros({5});
  CHECK_THROWS_WITH(other.load_state_dict(dict), Catch::Contains("size mismatch for 0.bias"));
  // Module::zero_grad
  model(ts::ones({2, 784})).sum().backward();
  CHECK(first.weight().grad().defined());
  model.zero_grad();
  CHECK_FALSE(first.weight().grad().defined());
}

TEST_CASE("gradcheck through the functional layers") {
  ts::Generator gen(4);
  auto x = ts::randn<double>({3, 4}, gen).requires_grad_();
  auto w = ts::randn<double>({2, 4}, gen).requires_grad_();
  CHECK(ts::autograd::gradcheck(
      [](const std::vector<Tensor<double>>& in) {
        auto h = in[0].matmul(in[1].t());
        return -h.log_softmax(1).gather(1, ts::tensor({{1}, {0}, {1}})).mean();
      },
      {x, w}));
}

TEST_CASE("conv2d (stride, padding, groups), max_pool2d and avg_pool2d match PyTorch") {
  const auto& r = record("conv_pool");
  auto x = read(r, "x", {2, 4, 7, 7}).requires_grad_(), w = read(r, "w", {6, 2, 3, 3}).requires_grad_();
  auto b = read(r, "b", {6}).requires_grad_();
  auto y = F::conv2d(x, w, b, {.stride = 2, .padding = 1, .groups = 2});
  auto mp = F::max_pool2d(x, 2);
  auto ap = F::avg_pool2d(x, 3, 2, 1);
  check_close(y.detach(), read(r, "conv", {2, 6, 4, 4}));
  check_close(mp.detach(), read(r, "max_pool", {2, 4, 3, 3}));
  check_close(ap.detach(), read(r, "avg_pool", {2, 4, 4, 4}));
  (y.sum() + (y * y).sum() + mp.pow(2.0f).sum() + ap.pow(3.0f).sum()).backward();
  const auto close = [](const Tensor<float>& got, const Tensor<float>& want) {  // sums of many products
    CHECK(ts::allclose(got, want, 1e-4, 1e-4));
  };
  close(x.grad(), read(r, "gx", {2, 4, 7, 7}));
  close(w.grad(), read(r, "gw", {6, 2, 3, 3}));
  close(b.grad(), read(r, "gb", {6}));
  ts::nn::Conv2d conv(4, 6, 3, {.padding = 1, .groups = 2});
  CHECK(conv.weight().sizes() == ts::Shape{6, 2, 3, 3});
  CHECK(conv(x).sizes() == ts::Shape{2, 6, 7, 7});
  CHECK_THROWS_WITH(F::conv2d(ts::ones({1, 3, 5, 5}), ts::ones({2, 2, 3, 3})), Catch::Contains("to have 2 channels, but got 3"));
  CHECK_THROWS_WITH(F::max_pool2d(ts::ones({1, 1, 1, 1}), 2), Catch::Contains("Output size is too small"));
}

TEST_CASE("BatchNorm1d and BatchNorm2d match PyTorch: outputs, gradients, running statistics") {
  struct Case {
    std::string name;
    ts::Shape shape;
    ts::nn::BatchNormOptions options;
    bool two_d;
  };
  for (const Case& c : {Case{"batch_norm1d", {4, 3}, {}, false}, Case{"batch_norm1d_3d", {4, 3, 5}, {.momentum = 0.3}, false},
                        Case{"batch_norm2d", {2, 3, 4, 5}, {.eps = 1e-3}, true},
                        Case{"batch_norm2d_planes", {3, 3, 8, 9}, {}, true}}) {  // Note [Batch norm planes]
    SECTION(c.name) {
      const auto& r = record(c.name);
      ts::nn::Module layer;
      ts::nn::BatchNorm1d bn1(3, c.options);
      ts::nn::BatchNorm2d bn2(3, c.options);
      std::function<Tensor<float>(const Tensor<float>&)> forward;
      if (c.two_d) layer = bn2, forward = bn2;
      else layer = bn1, forward = bn1;
      const auto params = layer.parameters();
      {
        ts::NoGradGuard no_grad;
        params[0].copy_(read(r, "weight", {3}));
        params[1].copy_(read(r, "bias", {3}));
      }
      auto x1 = read(r, "x1", c.shape).requires_grad_();
      auto y1 = forward(x1);
      CHECK(y1.grad_fn_name() == r.get("grad_fn"));
      check_close(y1.detach(), read(r, "y1", c.shape));
      (y1 * read(r, "gout", c.shape)).sum().backward();
      check_close(x1.grad(), read(r, "gx", c.shape));
      check_close(params[0].grad(), read(r, "gw", {3}));
      check_close(params[1].grad(), read(r, "gb", {3}));
      check_close(forward(read(r, "x2", c.shape)).detach(), read(r, "y2", c.shape));
      layer.eval();
      check_close(forward(read(r, "x3", c.shape)).detach(), read(r, "y3", c.shape));
      const auto state = layer.state_dict();
      CHECK(state.size() == 5);
      check_close(state.at("running_mean").as<float>(), read(r, "running_mean", {3}));
      check_close(state.at("running_var").as<float>(), read(r, "running_var", {3}));
      CHECK(state.at("num_batches_tracked").as<int64_t>().item() == std::stoll(r.get("num_batches_tracked")));
    }
  }
  ts::nn::BatchNorm1d bn(3);
  CHECK_THROWS_WITH(bn(ts::ones({2, 3, 4, 5})), Catch::Contains("expected 2D or 3D input (got 4D input)"));
  CHECK_THROWS_WITH(ts::nn::BatchNorm2d(3)(ts::ones({2, 3, 4})), Catch::Contains("expected 4D input (got 3D input)"));
  CHECK_THROWS_WITH(bn(ts::ones({1, 3})), Catch::Contains("Expected more than 1 value per channel when training"));
  CHECK_THROWS_WITH(bn(ts::ones({2, 4})), Catch::Contains("does not match the 4 channels"));
  bn.eval();
  CHECK(bn(ts::ones({1, 3})).sizes() == ts::Shape{1, 3});  // one sample is fine in evaluation
  ts::nn::BatchNorm1d plain(3, {.affine = false, .track_running_stats = false});
  CHECK(plain.parameters().empty());
  CHECK(plain.state_dict().empty());
  plain.eval();  // without running statistics, evaluation normalises with the batch's
  CHECK(plain(ts::tensor({{1.0f, 2.0f, 3.0f}, {3.0f, 2.0f, 1.0f}})).abs().sum().item() == Approx(4.0f).epsilon(1e-3));
}

TEST_CASE("LayerNorm and Embedding match PyTorch") {
  {
    const auto& r = record("layer_norm");
    ts::nn::LayerNorm ln({3, 4});
    {
      ts::NoGradGuard no_grad;
      ln.weight().copy_(read(r, "weight", {3, 4}));
      ln.bias().copy_(read(r, "bias", {3, 4}));
    }
    auto x = read(r, "x", {2, 3, 4}).requires_grad_();
    auto y = ln(x);
    check_close(y.detach(), read(r, "y", {2, 3, 4}));
    (y * read(r, "gout", {2, 3, 4})).sum().backward();
    check_close(x.grad(), read(r, "gx", {2, 3, 4}));
    check_close(ln.weight().grad(), read(r, "gw", {3, 4}));
    check_close(ln.bias().grad(), read(r, "gb", {3, 4}));
    CHECK_THROWS_WITH(ln(ts::ones({2, 4, 3})), Catch::Contains("does not end in normalized_shape"));
    CHECK(ts::nn::LayerNorm(8).weight().sizes() == ts::Shape{8});
  }
  {
    const auto& r = record("embedding");
    ts::nn::Embedding emb(5, 3);
    CHECK(emb.weight().sizes() == ts::Shape{5, 3});
    {
      ts::NoGradGuard no_grad;
      emb.weight().copy_(read(r, "weight", {5, 3}));
    }
    auto y = emb(ts::tensor({{0, 2}, {4, 2}, {2, 1}}));
    check_close(y.detach(), read(r, "y", {3, 2, 3}));
    (y * read(r, "gout", {3, 2, 3})).sum().backward();
    check_close(emb.weight().grad(), read(r, "gw", {5, 3}));  // row 2 is used three times
    // torch 1.13: nn.Embedding(5, 3)(tensor([5])) and (tensor([-1])) raise "index out of range in self"
    CHECK_THROWS_WITH(emb(ts::tensor({5})), "embedding: index out of range in self");
    CHECK_THROWS_WITH(emb(ts::tensor({{0}, {-1}})), "embedding: index out of range in self");
  }
}

TEST_CASE("gradcheck through every functional layer, in double") {
  ts::Generator gen(11);
  const auto randn = [&](ts::Shape shape) { return ts::randn<double>(shape, gen).requires_grad_(); };
  using List = std::vector<Tensor<double>>;
  const Tensor<int64_t> target = ts::tensor({2, 0, 1});
  const std::map<std::string, std::pair<std::function<Tensor<double>(const List&)>, List>> cases = {
      {"linear", {[](const List& in) { return F::linear(in[0], in[1], in[2]); }, {randn({3, 4}), randn({2, 4}), randn({2})}}},
      {"conv2d", {[](const List& in) { return F::conv2d(in[0], in[1], in[2], {.stride = 2, .padding = 1}); },
                  {randn({2, 2, 5, 5}), randn({3, 2, 3, 3}), randn({3})}}},
      {"conv2d_groups_dilation", {[](const List& in) {
                                    return F::conv2d(in[0], in[1], {}, {.padding = 2, .dilation = 2, .groups = 2});
                                  },
                                  {randn({1, 4, 5, 4}), randn({2, 2, 2, 2})}}},
      {"max_pool2d", {[](const List& in) { return F::max_pool2d(in[0], 3, 2, 1); }, {randn({2, 2, 5, 5})}}},
      {"avg_pool2d", {[](const List& in) { return F::avg_pool2d(in[0], 2); }, {randn({1, 3, 4, 6})}}},
      {"batch_norm", {[](const List& in) { return F::batch_norm(in[0], {}, {}, in[1], in[2], true); },
                      {randn({4, 3, 2}), randn({3}), randn({3})}}},
      {"batch_norm_planes", {[](const List& in) { return F::batch_norm(in[0], {}, {}, in[1], in[2], true); },
                             {randn({2, 3, 8, 8}), randn({3}), randn({3})}}},  // Note [Batch norm planes]
      {"layer_norm", {[](const List& in) { return F::layer_norm(in[0], {4}, in[1], in[2]); },
                      {randn({3, 4}), randn({4}), randn({4})}}},
      {"embedding", {[](const List& in) { return F::embedding(ts::tensor({{1, 0}, {1, 3}}), in[0]); }, {randn({4, 2})}}},
      {"cross_entropy", {[&](const List& in) { return F::cross_entropy(in[0], target, {.label_smoothing = 0.2}); }, {randn({3, 4})}}},
      {"nll_loss", {[&](const List& in) { return F::nll_loss(in[0].log_softmax(1), target); }, {randn({3, 4})}}},
      {"mse_loss", {[](const List& in) { return F::mse_loss(in[0], in[1]); }, {randn({2, 3}), randn({2, 3})}}},
      {"bce_with_logits", {[](const List& in) { return F::binary_cross_entropy_with_logits(in[0], in[1].sigmoid()); },
                           {randn({2, 3}), randn({2, 3})}}},
  };
  for (const auto& [name, c] : cases) {
    SECTION(name) { CHECK(ts::autograd::gradcheck(c.first, c.second)); }
  }
}

// A contiguous float or double input with planes of 64 elements or more runs batch_norm's CPU
// kernels (Note [Batch norm planes]); the same values in a transposed layout are composed from
// the elementwise and reduction kernels: the two agree up to the order of the sums.
TEMPLATE_TEST_CASE("batch_norm's CPU kernels give the composed values and gradients", "", float, double) {
  using T = TestType;
  ts::Generator gen(21);
  const double tolerance = std::is_same_v<T, double> ? 1e-12 : 1e-5;
  for (const ts::Shape& shape : {ts::Shape{4, 3, 8, 9}, ts::Shape{2, 5, 3000}, ts::Shape{3, 2, 4, 4, 5}}) {
    INFO(ts::detail::shape_str(shape));
    const Tensor<T> x = ts::randn<T>(shape, gen) * 3 + 1, gout = ts::randn<T>(shape, gen);
    const Tensor<T> w = ts::randn<T>({shape[1]}, gen), b = ts::randn<T>({shape[1]}, gen);
    for (const bool training : {true, false}) {
      INFO("training " << training);
      const auto run = [&](const Tensor<T>& input) {
        const Tensor<T> xi = input.detach().requires_grad_(), wi = w.clone().requires_grad_(), bi = b.clone().requires_grad_();
        const Tensor<T> running_mean = ts::zeros<T>({shape[1]}), running_var = ts::ones<T>({shape[1]}) * 2;
        const Tensor<T> y = F::batch_norm(xi, running_mean, running_var, wi, bi, training);
        (y * gout).sum().backward();
        return std::vector<Tensor<T>>{y, xi.grad(), wi.grad(), bi.grad(), running_mean, running_var};
      };
      const Tensor<T> strided = x.transpose(0, 1).contiguous().transpose(0, 1);  // the same values, not contiguous
      REQUIRE_FALSE(strided.is_contiguous());
      const auto planes = run(x), composed = run(strided);
      for (size_t k = 0; k < planes.size(); ++k) {
        INFO("result " << k);
        CHECK(ts::allclose(planes[k], composed[k], tolerance, tolerance));
      }
    }
  }
}

TEST_CASE("batch_norm's node saves the input and has second derivatives, in training and in evaluation") {
  ts::Generator gen(13);
  const auto randn = [&](ts::Shape shape) { return ts::randn<double>(shape, gen).requires_grad_(); };
  using List = std::vector<Tensor<double>>;
  const List in = {randn({4, 3, 2}), randn({3}), randn({3})};
  const Tensor<double> running_mean = ts::randn({3}, gen).to<double>(), running_var = ts::rand({3}, gen).to<double>() + 0.5;
  const auto training = [](const List& v) { return F::batch_norm(v[0], {}, {}, v[1], v[2], true); };
  const auto evaluation = [&](const List& v) { return F::batch_norm(v[0], running_mean, running_var, v[1], v[2], false); };
  const auto unweighted = [](const List& v) { return F::batch_norm(v[0], {}, {}, {}, {}, true); };
  CHECK(ts::autograd::gradgradcheck(training, in));
  CHECK(ts::autograd::gradcheck(evaluation, in));
  CHECK(ts::autograd::gradgradcheck(evaluation, in));
  CHECK(ts::autograd::gradgradcheck(unweighted, {in[0]}));
  // PyTorch's node saves the input: changing it in place before the backward is refused.
  const Tensor<float> x = ts::randn({4, 3}, gen), w = ts::ones({3}, {.requires_grad = true});
  const Tensor<float> y = F::batch_norm(x, {}, {}, w, {}, true);
  x.add_(1.0f);
  CHECK(error_of([&] { y.sum().backward(); }) ==
        "backward: one of the variables needed for gradient computation has been modified by an inplace operation: "
        "[torch.FloatTensor [4, 3]] is at version 1; expected version 0 instead. Hint: enable anomaly detection to find "
        "the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).");
}

TEST_CASE("conv2d and max_pool2d have second derivatives (im2col and col2im differentiate each other)") {
  ts::Generator gen(12);
  auto x = ts::randn<double>({1, 2, 5, 5}, gen).requires_grad_(), w = ts::randn<double>({2, 2, 3, 3}, gen).requires_grad_();
  // The gradient with respect to x of sum(conv(x, w)^2), itself checked against finite differences.
  CHECK(ts::autograd::gradcheck(
      [](const std::vector<Tensor<double>>& in) {
        const auto y = F::conv2d(in[0], in[1], {}, {.padding = 1});
        return ts::autograd::grad((y * y).sum(), in[0], {}, std::nullopt, true);
      },
      {x, w}));
  CHECK(ts::autograd::gradcheck(
      [](const std::vector<Tensor<double>>& in) {
        const auto y = F::max_pool2d(in[0] * in[0], 2);
        return ts::autograd::grad(y.sum(), in[0], {}, std::nullopt, true);
      },
      {x}));
}

TEST_CASE("conv2d's backward is im2col's and matches the windows' sums") {
  // Every pixel's gradient counts the windows it falls in: 3x3 kernels of ones over a 4x4
  // image with padding 1 give 4 at corners, 6 on edges and 9 inside.
  auto x = ts::ones({1, 1, 4, 4}).requires_grad_();
  F::conv2d(x, ts::ones({1, 1, 3, 3}), {}, {.padding = 1}).sum().backward();
  CHECK(ts::equal(x.grad()[0][0], ts::tensor({{4.0f, 6.0f, 6.0f, 4.0f}, {6.0f, 9.0f, 9.0f, 6.0f},
                                              {6.0f, 9.0f, 9.0f, 6.0f}, {4.0f, 6.0f, 6.0f, 4.0f}})));
  CHECK_THROWS_WITH(F::max_pool2d(ts::ones({1, 1, 4, 4}), 2, 2, 2), Catch::Contains("pad should be at most half"));
  CHECK_THROWS_WITH(F::conv2d(ts::ones({1, 1, 4, 4}), ts::ones({1, 1, 3, 3}), {}, {.stride = 0}),
                    Catch::Contains("stride"));
}

TEST_CASE("a model trained in PyTorch loads from its safetensors state_dict and gives PyTorch's outputs") {
  namespace nn = ts::nn;
  nn::Sequential model{nn::Conv2d(2, 4, 3, {.padding = 1}), nn::BatchNorm2d(4), nn::ReLU(), nn::MaxPool2d(2),
                       nn::Flatten(), nn::Linear(16, 5), nn::LayerNorm(5), nn::GELU(), nn::Linear(5, 3)};
  const auto dict = ts::load_safetensors(std::string(TESSERA_GOLDEN_DIR) + "/pytorch_model.safetensors");
  CHECK(dict.size() == model.state_dict().size());
  CHECK(dict.at("1.num_batches_tracked").as<int64_t>().item() == 3);
  model.load_state_dict(dict);
  model.eval();
  const auto& r = record("pytorch_model");
  check_close(model(read(r, "x", {2, 2, 4, 4})).detach(), read(r, "y", {2, 3}));
  auto missing = dict;
  missing.erase("1.running_var");
  CHECK_THROWS_WITH(model.load_state_dict(missing), Catch::Contains("missing key \"1.running_var\""));
}

TEST_CASE("Conv1d: PyTorch's initial weights, outputs and gradients", "[nn][conv1d][golden]") {
  // tests/golden/conv1d.txt (generate_conv1d.py): built after manual_seed with the mt19937
  // generator, the weights are PyTorch's bit for bit; outputs and gradients within float tolerance.
  golden::DefaultMt19937 mt;
  int cases = 0;
  for (const auto& g : golden::load("conv1d.txt")) {
    INFO(g.name);
    ts::manual_seed(std::stoull(g.get("seed")));
    ts::nn::Conv1dOptions o;
    int64_t in = 0, out = 0, k = 0;
    ts::Shape shape;
    if (g.name == "plain") in = 3, out = 4, k = 3, shape = {2, 3, 7};
    if (g.name == "strided_padded_groups") in = 4, out = 6, k = 2, o = {.stride = 2, .padding = 1, .groups = 2}, shape = {2, 4, 9};
    if (g.name == "dilated_same") in = 2, out = 3, k = 3, o = {.dilation = 2, .padding_same = true}, shape = {1, 2, 8};
    if (g.name == "no_bias_unbatched") in = 3, out = 2, k = 5, o = {.padding = 2, .bias = false}, shape = {3, 6};
    if (g.name == "even_kernel_same") in = 2, out = 2, k = 4, o = {.padding_same = true}, shape = {2, 2, 5};
    REQUIRE(in > 0);
    ts::nn::Conv1d m(in, out, k, o);
    const Tensor<float> x = ts::randn(shape).requires_grad_();
    const auto params = m.named_parameters();
    const auto want = g.all("param");
    REQUIRE(want.size() == params.size());
    for (size_t i = 0; i < want.size(); ++i) {
      CHECK(want[i].substr(0, want[i].find(' ')) == params[i].first);
      CHECK(params[i].second.contiguous().to_vector() == golden::values<float>(want[i].substr(want[i].find(' ') + 1)));
    }
    const Tensor<float> y = m(x);
    CHECK(y.sizes() == ts::Shape(golden::ints(g.get("out_shape"))));
    std::vector<float> w;
    for (int64_t i = 0; i < y.numel(); ++i) w.push_back(1 + static_cast<float>(i % 5) / 4);
    (y * ts::from_vector(w, y.sizes())).sum().backward();
    for (const auto& [got, key] : {std::pair{y.contiguous().to_vector(), "out"}, std::pair{x.grad().to_vector(), "dx"}}) {
      const std::vector<float> expected = golden::values<float>(g.get(key));
      REQUIRE(got.size() == expected.size());
      for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(expected[i]).epsilon(1e-5).margin(1e-6));
    }
    ++cases;
  }
  CHECK(cases == 5);
  const Tensor<double> x = ts::randn({2, 4, 9}).to<double>().requires_grad_();
  const Tensor<double> wt = ts::randn({6, 2, 3}).to<double>().requires_grad_();
  CHECK(ts::autograd::gradcheck([](const std::vector<Tensor<double>>& t) {
    return F::conv1d(t[0], t[1], {}, {.stride = 2, .padding = 1, .dilation = 2, .groups = 2});
  }, {x, wt}));
  CHECK(error_of([] { F::conv1d(ts::zeros<float>({1, 3, 5}), ts::zeros<float>({2, 2, 3})); }) ==
        "conv1d: input of shape [1, 3, 5] does not match weight of shape [2, 2, 3] with groups=1");
  CHECK(error_of([] { F::conv1d(ts::zeros<float>({1, 2, 2}), ts::zeros<float>({2, 2, 3})); }) ==
        "conv1d: Calculated padded input size per channel: (2). Kernel size: (3). Kernel size can't be greater than "
        "actual input size");
  CHECK(error_of([] { F::conv1d(ts::zeros<float>({1, 2, 5}), ts::zeros<float>({2, 2, 3}), {}, {.stride = 2, .padding_same = true}); }) ==
        "conv1d: padding='same' is not supported for strided convolutions");
}

TEST_CASE("GroupNorm and InstanceNorm2d match PyTorch, values and gradients", "[nn][normalization][golden]") {
  // tests/golden/group_norm.txt (generate_group_norm.py).
  int cases = 0;
  for (const auto& g : golden::load("group_norm.txt")) {
    INFO(g.name);
    const ts::Shape shape(golden::ints(g.get("shape")));
    const int64_t channels = shape[1];
    const Tensor<float> k = ts::arange<float>(0, static_cast<double>(ts::detail::checked_numel(shape, "test")));
    const Tensor<float> x = ((k * 0.37f).sin() * (k.fmod(5.0f) + 1.0f)).reshape(shape).detach().requires_grad_();
    const Tensor<float> c = ts::arange<float>(0, static_cast<double>(channels));
    const bool affine = g.get("affine") == "1";
    const Tensor<float> w = affine ? (c * 0.1f + 1.0f).requires_grad_() : Tensor<float>();
    const Tensor<float> b = affine ? (c * 0.05f).requires_grad_() : Tensor<float>();
    const Tensor<float> y = g.get("kind") == "group" ? F::group_norm(x, std::stoll(g.get("groups")), w, b)
                                                     : F::instance_norm(x, w, b);
    CHECK(y.grad_fn_name() == g.get("grad_fn"));
    std::vector<float> weights;
    for (int64_t i = 0; i < y.numel(); ++i) weights.push_back(1 + static_cast<float>(i % 5) / 4);
    (y * ts::from_vector(weights, y.sizes())).sum().backward();
    std::vector<std::pair<std::vector<float>, const char*>> results = {{y.contiguous().to_vector(), "out"},
                                                                       {x.grad().to_vector(), "dx"}};
    if (affine) results.insert(results.end(), {{w.grad().to_vector(), "dweight"}, {b.grad().to_vector(), "dbias"}});
    for (const auto& [got, key] : results) {
      const std::vector<float> want = golden::values<float>(g.get(key));
      REQUIRE(got.size() == want.size());
      for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(want[i]).epsilon(2e-5).margin(2e-5));
    }
    ++cases;
  }
  CHECK(cases == 7);
  // NativeGroupNormBackward0's derivative, and instance_norm's through batch_norm, differentiate again.
  const std::vector<Tensor<double>> in = {ts::randn({2, 4, 3}).to<double>().requires_grad_(),
                                          ts::randn({4}).to<double>().requires_grad_(),
                                          ts::randn({4}).to<double>().requires_grad_()};
  const auto grouped = [](const std::vector<Tensor<double>>& v) { return F::group_norm(v[0], 2, v[1], v[2]); };
  const auto instance = [](const std::vector<Tensor<double>>& v) { return F::instance_norm(v[0], v[1], v[2]); };
  CHECK(ts::autograd::gradcheck(grouped, in));
  CHECK(ts::autograd::gradgradcheck(grouped, in));
  const std::vector<Tensor<double>> planes = {ts::randn({2, 4, 8, 8}).to<double>().requires_grad_(),  // the CPU kernels
                                              in[1], in[2]};
  CHECK(ts::autograd::gradcheck(grouped, planes));
  CHECK(ts::autograd::gradgradcheck(instance, in));
  CHECK(ts::autograd::gradgradcheck([](const std::vector<Tensor<double>>& v) { return F::group_norm(v[0], 1); }, {in[0]}));
  ts::nn::GroupNorm gn(2, 4);
  CHECK(gn.named_parameters().size() == 2);
  CHECK(gn(ts::randn({3, 4, 5})).sizes() == ts::Shape{3, 4, 5});
  ts::nn::InstanceNorm2d inorm(3);
  CHECK(inorm.parameters().empty());  // affine=False by default, as PyTorch
  CHECK(inorm(ts::randn({3, 4, 5})).sizes() == ts::Shape{3, 4, 5});
  CHECK(error_of([] { F::instance_norm(ts::zeros<float>({2, 3, 1})); }) ==
        "instance_norm: Expected more than 1 spatial element when training, got input size [2, 3, 1]");
  CHECK(error_of([] { F::group_norm(ts::zeros<float>({2, 6, 3}), 4); }) ==
        "group_norm: Expected number of channels in input to be divisible by num_groups, but got input of shape "
        "[2, 6, 3] and num_groups=4");
  CHECK(error_of([] { ts::nn::GroupNorm(4, 6); }) == "GroupNorm: num_channels must be divisible by num_groups");
  CHECK(error_of([] { F::group_norm(ts::zeros<float>({2, 4, 8, 8}), 2, ts::ones<float>({1})); }) ==
        "group_norm: Expected weight to be a vector of size equal to the number of channels in input, but got weight of "
        "shape [1] and input of shape [2, 4, 8, 8]");
}

/** The generator's layer(seed, in1, in2, out, bias): nn.Bilinear built after manual_seed(seed), its
 *  weight, bias and output for a and b. */
call_cases::Got bilinear_layer(uint64_t seed, int64_t in1, int64_t in2, int64_t out, bool bias, const Tensor<double>& a,
                               const Tensor<double>& b) {
  golden::DefaultMt19937 mt;
  ts::manual_seed(seed);
  const ts::nn::Bilinear m(in1, in2, out, bias);
  const ts::NoGradGuard no_grad;
  std::vector<Tensor<float>> parts{m.weight()};
  if (bias) parts.push_back(m.bias());
  parts.push_back(m(a.narrow(1, 0, in1).to<float>(), b.narrow(1, 0, in2).to<float>()));
  return call_cases::got(parts);
}

TEST_CASE("F::normalize, F::bilinear, Bilinear, local_response_norm and embedding_bag match PyTorch: values, gradients, errors",
          "[nn][golden]") {
  // tests/golden/functional.txt (generate_functional.py)
  const Tensor<float> x = ts::arange<float>(0, 24).reshape({2, 3, 4}) * 0.25f - 2.5f;
  const Tensor<double> d = ts::tensor<double>({{3.0, -4.0}, {0.0, 0.0}, {1e-13, 0.0}});
  const Tensor<double> a = ts::arange<double>(0, 12).reshape({3, 4}).sin();
  const Tensor<double> b = ts::arange<double>(0, 15).reshape({3, 5}).cos();
  const Tensor<double> w = ts::arange<double>(0, 40).reshape({2, 4, 5}).sin() * 0.5;
  const Tensor<double> bias = ts::tensor<double>({0.25, -1.5});
  const Tensor<float> c = ts::arange<float>(0, 120).reshape({2, 5, 3, 4}).sin() * 2.0f;
  const Tensor<double> e = ts::arange<double>(0, 30).reshape({10, 3}).cos();
  const Tensor<int64_t> i = ts::tensor<int64_t>({1, 2, 4, 5, 4, 3, 2, 9});
  const Tensor<int64_t> o = ts::tensor<int64_t>({0, 2, 2, 5});
  const Tensor<double> psw = ts::arange<double>(0, 8) * 0.25 - 1.0;
  using Bag = F::EmbeddingBagOptions<double>;
  const auto bag = [](auto&&... args) { return call_cases::got(F::embedding_bag(args...)); };
  const double inf = std::numeric_limits<double>::infinity();
  const std::map<std::string, std::function<call_cases::Got()>> values = {
      {"F.normalize(x)", [&] { return call_cases::got(F::normalize(x)); }},
      {"F.normalize(x, dim=-1)", [&] { return call_cases::got(F::normalize(x, 2.0, -1)); }},
      {"F.normalize(x, p=1, dim=0)", [&] { return call_cases::got(F::normalize(x, 1.0, 0)); }},
      {"F.normalize(x, p=float('inf'), dim=2)", [&] { return call_cases::got(F::normalize(x, inf, 2)); }},
      {"F.normalize(x, p=3.5, dim=1, eps=0.5)", [&] { return call_cases::got(F::normalize(x, 3.5, 1, 0.5)); }},
      {"F.normalize(d)", [&] { return call_cases::got(F::normalize(d)); }},
      {"F.normalize(d, dim=0)", [&] { return call_cases::got(F::normalize(d, 2.0, 0)); }},
      {"F.normalize(d, eps=1e-6)", [&] { return call_cases::got(F::normalize(d, 2.0, 1, 1e-6)); }},
      {"F.normalize(x[0, 0], dim=0)", [&] { return call_cases::got(F::normalize(x[0][0], 2.0, 0)); }},
      {"F.bilinear(a, b, w, bias)", [&] { return call_cases::got(F::bilinear(a, b, w, bias)); }},
      {"F.bilinear(a, b, w)", [&] { return call_cases::got(F::bilinear(a, b, w)); }},
      {"F.bilinear(a[0], b[0], w, bias)", [&] { return call_cases::got(F::bilinear(a[0], b[0], w, bias)); }},
      {"F.bilinear(a.reshape(3, 1, 4), b.reshape(3, 1, 5), w, bias)",
       [&] { return call_cases::got(F::bilinear(a.reshape({3, 1, 4}), b.reshape({3, 1, 5}), w, bias)); }},
      {"F.bilinear(a[:0], b[:0], w, bias)",
       [&] { return call_cases::got(F::bilinear(a.narrow(0, 0, 0), b.narrow(0, 0, 0), w, bias)); }},
      {"layer(0, 4, 5, 3)", [&] { return bilinear_layer(0, 4, 5, 3, true, a, b); }},
      {"layer(1, 2, 3, 4, bias=False)", [&] { return bilinear_layer(1, 2, 3, 4, false, a, b); }},
      {"F.local_response_norm(c, 3)", [&] { return call_cases::got(F::local_response_norm(c, 3)); }},
      {"F.local_response_norm(c, 2, alpha=0.5, beta=0.5, k=2.0)",
       [&] { return call_cases::got(F::local_response_norm(c, 2, 0.5, 0.5, 2.0)); }},
      {"F.local_response_norm(c[0], 4, 1e-2)", [&] { return call_cases::got(F::local_response_norm(c[0], 4, 1e-2)); }},
      {"F.local_response_norm(c.reshape(2, 5, 3, 2, 2), 5, 0.1)",
       [&] { return call_cases::got(F::local_response_norm(c.reshape({2, 5, 3, 2, 2}), 5, 0.1)); }},
      {"torch.nn.LocalResponseNorm(3, 0.2)(c)", [&] { return call_cases::got(ts::nn::LocalResponseNorm(3, 0.2)(c)); }},
      {"F.embedding_bag(i, e, o)", [&] { return bag(i, e, o); }},
      {"F.embedding_bag(i, e, o, mode='sum')", [&] { return bag(i, e, o, Bag{.mode = "sum"}); }},
      {"F.embedding_bag(i, e, o, mode='max')", [&] { return bag(i, e, o, Bag{.mode = "max"}); }},
      {"F.embedding_bag(i.view(2, 4), e, mode='sum')", [&] { return bag(i.view({2, 4}), e, Tensor<int64_t>{}, Bag{.mode = "sum"}); }},
      {"F.embedding_bag(i.view(4, 2), e)", [&] { return bag(i.view({4, 2}), e); }},
      {"F.embedding_bag(i.view(2, 4), e, mode='max')", [&] { return bag(i.view({2, 4}), e, Tensor<int64_t>{}, Bag{.mode = "max"}); }},
      {"F.embedding_bag(i, e, torch.tensor([0, 2, 2, 8]), include_last_offset=True)",
       [&] { return bag(i, e, ts::tensor<int64_t>({0, 2, 2, 8}), Bag{.include_last_offset = true}); }},
      {"F.embedding_bag(i, e, torch.tensor([0, 3, 8]), include_last_offset=True, mode='sum')",
       [&] { return bag(i, e, ts::tensor<int64_t>({0, 3, 8}), Bag{.mode = "sum", .include_last_offset = true}); }},
      {"F.embedding_bag(i, e, o, mode='sum', per_sample_weights=psw)",
       [&] { return bag(i, e, o, Bag{.mode = "sum", .per_sample_weights = psw}); }},
      {"F.embedding_bag(i.view(2, 4), e, mode='sum', per_sample_weights=psw.view(2, 4))",
       [&] { return bag(i.view({2, 4}), e, Tensor<int64_t>{}, Bag{.mode = "sum", .per_sample_weights = psw.view({2, 4})}); }},
      {"F.embedding_bag(i, e, o, padding_idx=4)", [&] { return bag(i, e, o, Bag{.padding_idx = 4}); }},
      {"F.embedding_bag(i, e, o, mode='max', padding_idx=2)", [&] { return bag(i, e, o, Bag{.mode = "max", .padding_idx = 2}); }},
      {"F.embedding_bag(i, e, o, mode='sum', padding_idx=-1)", [&] { return bag(i, e, o, Bag{.mode = "sum", .padding_idx = -1}); }},
      {"F.embedding_bag(i[:0], e, torch.tensor([0, 0]))", [&] { return bag(i.narrow(0, 0, 0), e, ts::tensor<int64_t>({0, 0})); }},
      {"F.embedding_bag(i, e, torch.tensor([0]), mode='max')",
       [&] { return bag(i, e, ts::tensor<int64_t>({0}), Bag{.mode = "max"}); }},
      {"F.embedding(i.view(2, 4), e)", [&] { return call_cases::got(F::embedding(i.view({2, 4}), e)); }},
      {"F.embedding(i, e, padding_idx=4)", [&] { return call_cases::got(F::embedding(i, e, 4)); }},
      {"F.embedding(i, e, padding_idx=-1)", [&] { return call_cases::got(F::embedding(i, e, -1)); }},
      {"F.embedding(i[:0], e)", [&] { return call_cases::got(F::embedding(i.narrow(0, 0, 0), e)); }},
  };
  call_cases::check_value_cases("functional.txt", values, [](const auto& have, const auto& want, const auto&) {
    for (size_t i = 0; i < want.values.size(); ++i)
      CHECK(have.values[i] == Approx(want.values[i]).epsilon(1e-6).margin(1e-12));
  });
  call_cases::check_grad_cases("functional.txt",
                               {{"F.normalize(X)", [](const Tensor<double>& t) { return F::normalize(t); }},
                                {"F.normalize(X, p=1, dim=0)", [](const Tensor<double>& t) { return F::normalize(t, 1.0, 0); }},
                                {"F.normalize(X, dim=-1, eps=0.5)",
                                 [](const Tensor<double>& t) { return F::normalize(t, 2.0, -1, 0.5); }},
                                {"F.bilinear(X, b, w, bias)", [&](const Tensor<double>& t) { return F::bilinear(t, b, w, bias); }},
                                {"F.bilinear(a, X, w, bias)", [&](const Tensor<double>& t) { return F::bilinear(a, t, w, bias); }},
                                {"F.bilinear(a, b, X, bias)", [&](const Tensor<double>& t) { return F::bilinear(a, b, t, bias); }},
                                {"F.bilinear(a, b, w, X)", [&](const Tensor<double>& t) { return F::bilinear(a, b, w, t); }},
                                {"F.local_response_norm(X, 3, 0.1)",
                                 [](const Tensor<double>& t) { return F::local_response_norm(t, 3, 0.1); }},
                                {"F.local_response_norm(X, 2, 0.5, 0.5, 2.0)",
                                 [](const Tensor<double>& t) { return F::local_response_norm(t, 2, 0.5, 0.5, 2.0); }},
                                {"F.embedding_bag(i, X, o)", [&](const Tensor<double>& t) { return F::embedding_bag(i, t, o); }},
                                {"F.embedding_bag(i, X, o, mode='sum', padding_idx=4)",
                                 [&](const Tensor<double>& t) { return F::embedding_bag(i, t, o, {.mode = "sum", .padding_idx = 4}); }},
                                {"F.embedding_bag(i, X.cos(), o, mode='max')",
                                 [&](const Tensor<double>& t) { return F::embedding_bag(i, t.cos(), o, {.mode = "max"}); }},
                                {"F.embedding_bag(i.view(2, 4), X, mode='sum', per_sample_weights=psw.view(2, 4))",
                                 [&](const Tensor<double>& t) {
                                   return F::embedding_bag(i.view({2, 4}), t, {}, {.mode = "sum", .per_sample_weights = psw.view({2, 4})});
                                 }},
                                {"F.embedding(i.view(2, 4), X)", [&](const Tensor<double>& t) { return F::embedding(i.view({2, 4}), t); }},
                                {"F.embedding(i, X, padding_idx=4) * (i != 4).unsqueeze(1)",
                                 [&](const Tensor<double>& t) { return F::embedding(i, t, 4) * (i != 4).unsqueeze(1); }},
                                {"F.embedding(i, X.cos(), padding_idx=-1) * (i != 9).unsqueeze(1)",
                                 [&](const Tensor<double>& t) { return F::embedding(i, t.cos(), -1) * (i != 9).unsqueeze(1); }}});
  call_cases::check_error_cases("functional.txt", std::map<std::string, call_cases::ErrorCall>{
                                                      {"F.normalize(x, dim=3)", {"norm", [&] { F::normalize(x, 2.0, 3); }}},
                                                      {"F.normalize(x[0, 0])", {"norm", [&] { F::normalize(x[0][0]); }}},
                                                      {"F.bilinear(a, b[:2], w)", {"", [&] { F::bilinear(a, b.narrow(0, 0, 2), w); }}},
                                                      {"F.bilinear(a, b[:, :4], w)", {"", [&] { F::bilinear(a, b.narrow(1, 0, 4), w); }}},
                                                      {"F.bilinear(a[:, :3], b, w)", {"", [&] { F::bilinear(a.narrow(1, 0, 3), b, w); }}},
                                                      {"F.bilinear(a, b, w, bias[:1])", {"", [&] { F::bilinear(a, b, w, bias.narrow(0, 0, 1)); }}},
                                                      {"F.bilinear(a[0], b, w)", {"", [&] { F::bilinear(a[0], b, w); }}},
                                                      {"F.embedding_bag(i, e, torch.tensor([0, 9]))", {"embedding_bag", [&] { F::embedding_bag(i, e, ts::tensor<int64_t>({0, 9})); }}},
                                                      {"F.embedding_bag(i, e, o, mode='mean', per_sample_weights=psw)", {"", [&] { F::embedding_bag(i, e, o, {.per_sample_weights = psw}); }}},
                                                      {"F.embedding_bag(i, e, o, mode='foo')", {"embedding_bag", [&] { F::embedding_bag(i, e, o, {.mode = "foo"}); }}},
                                                      {"F.embedding_bag(i, e)", {"embedding_bag", [&] { F::embedding_bag(i, e); }}},
                                                      {"F.embedding_bag(i.view(1, 2, 4), e)", {"embedding_bag", [&] { F::embedding_bag(i.view({1, 2, 4}), e); }}},
                                                      {"F.embedding_bag(i, e, o, padding_idx=12)", {"embedding_bag", [&] { F::embedding_bag(i, e, o, {.padding_idx = 12}); }}},
                                                      {"F.embedding(i, e, padding_idx=10)", {"embedding", [&] { F::embedding(i, e, 10); }}},
                                                      {"F.embedding(i, e, padding_idx=-11)", {"embedding", [&] { F::embedding(i, e, -11); }}},
                                                      {"F.embedding(i + 1, e)", {"embedding", [&] { F::embedding(i + 1, e); }}}});
  CHECK(F::normalize(x.requires_grad_()).grad_fn_name() == "DivBackward0");
  CHECK(F::bilinear(a.detach().requires_grad_(), b, w, bias).grad_fn_name() == "AddBackward0");
  CHECK(ts::nn::Bilinear(4, 5, 3).named_parameters().at(0).first == "weight");
  CHECK(error_of([&] { F::local_response_norm(x[0], 2); }) ==
        "local_response_norm: Expected 3D or higher dimensionality input (got 2 dimensions)");
  CHECK(F::local_response_norm(ts::zeros({0, 3, 2}), 2).numel() == 0);
  // embedding_bag: PyTorch's node, the per-sample weights' gradient, its own messages
  const auto table = e.detach().requires_grad_();
  CHECK(F::embedding_bag(i, table, o).grad_fn_name() == "EmbeddingBagBackward0");
  CHECK(F::embedding(i, table, 4).grad_fn_name() == "EmbeddingBackward0");
  CHECK(ts::autograd::gradcheck(
      [&](const std::vector<Tensor<double>>& in) {
        return F::embedding_bag(i, in[0], o, {.mode = "sum", .per_sample_weights = in[1], .padding_idx = 2});
      },
      {table, psw.detach().requires_grad_()}));
  CHECK(error_of([&] { F::embedding_bag(i, e, ts::tensor<int64_t>({1, 4})); }) ==
        "embedding_bag: offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. "
        "However, got 1");
  CHECK(error_of([&] { F::embedding_bag(i, e, ts::tensor<int64_t>({0, 5, 3})); }) ==
        "embedding_bag: offsets must be non-decreasing");
  CHECK(error_of([&] { F::embedding_bag(i, e, o, {.mode = "sum", .per_sample_weights = psw.narrow(0, 0, 7)}); }) ==
        "embedding_bag: If per_sample_weights ([7]) is not None, then it must have the same shape as the input ([8])");
  CHECK(!error_of([&] { F::embedding_bag(ts::tensor<int64_t>({1, 12}), e, ts::tensor<int64_t>({0})); }).empty());
  // bags that read nothing: zeros, and a zero gradient
  const auto padded_only = F::embedding_bag(ts::tensor<int64_t>({2, 2}), table, ts::tensor<int64_t>({0, 1}),
                                            {.mode = "max", .padding_idx = 2});
  CHECK(padded_only.abs().sum().item() == 0.0);
  padded_only.sum().backward();
  CHECK(table.grad().abs().sum().item() == 0.0);
  CHECK(F::embedding_bag(i.narrow(0, 0, 0), e, ts::zeros<int64_t>({0})).sizes() == ts::Shape{0, 3});
  ts::nn::EmbeddingBag layer(10, 3, {.mode = "sum", .padding_idx = 0});
  CHECK(layer.weight()[0].abs().sum().item() == 0.0f);
  CHECK(ts::equal(layer(i, o), F::embedding_bag(i, layer.weight(), o, {.mode = "sum", .padding_idx = 0})));
}

TEST_CASE("embedding_bag keeps the weight only for the per-sample weights' gradient, as PyTorch") {
  const Tensor<int64_t> index = ts::tensor<int64_t>({0, 1, 2, 3}), offsets = ts::tensor<int64_t>({0, 2});
  const Tensor<float> w = ts::ones({5, 3}).requires_grad_();
  // the weight changed in place after the bag: its own gradient does not read it
  Tensor<float> e = w * 1.0f;
  Tensor<float> y = F::embedding_bag(index, e, offsets);
  e.add_(1.0f);
  y.sum().backward();  // "mean" of bags of two: 0.5 for each of 4 rows x 3 columns
  CHECK(w.grad().sum().item() == 6.0f);
  // the per-sample weights' gradient reads it: PyTorch's saved-tensor error
  e = w * 1.0f;
  const Tensor<float> psw = ts::ones({4}).requires_grad_();
  y = F::embedding_bag(index, e, offsets, {.mode = "sum", .per_sample_weights = psw});
  e.add_(1.0f);
  CHECK(error_of([&] { y.sum().backward(); }).find("modified by an inplace operation") != std::string::npos);
}

TEST_CASE("embedding's node saves the weight, as PyTorch's, and its output is no view", "[nn]") {
  const Tensor<int64_t> index = ts::tensor<int64_t>({0, 1, 1, 4});
  const Tensor<float> w = ts::ones({5, 3}).requires_grad_();
  // an in-place change of the output, as torch: the gradient goes through it to the weight
  Tensor<float> y = F::embedding(index, w, 4);
  y.mul_(2.0f);
  y.sum().backward();
  CHECK(w.grad().to_vector() == std::vector<float>{2, 2, 2, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  // the weight changed in place after the lookup: PyTorch's saved-tensor error
  Tensor<float> e = w * 1.0f;
  y = F::embedding(index, e);
  e.add_(1.0f);
  CHECK(error_of([&] { y.sum().backward(); }).find("modified by an inplace operation") != std::string::npos);
  // the gradient of the gradient (PyTorch's EmbeddingDenseBackwardBackward0)
  const Tensor<double> table = ts::randn({5, 3}).to<double>().requires_grad_();
  CHECK(ts::autograd::gradgradcheck(
      [&](const std::vector<Tensor<double>>& in) { return F::embedding(index, in[0], 1).sin(); }, {table}));
}

}  // namespace test_nn
