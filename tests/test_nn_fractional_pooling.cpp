// nn/fractional_pooling.hpp against PyTorch 1.13: F.fractional_max_pool2d and fractional_max_pool3d
// with given samples (values, indices, gradients, error messages from
// tests/golden/fractional_pooling.txt, written by tests/golden/generate_fractional_pooling.py),
// gradcheck, the recorded nodes and the layers.

#include <cmath>
#include <functional>
#include <map>

#include "call_cases.hpp"
#include "error_of.hpp"
#include "golden.hpp"

namespace test_nn_fractional_pooling {

namespace {

namespace F = ts::nn::functional;
namespace nn = ts::nn;
using call_cases::got;
using ts::Tensor;

// The generator's inputs.
const Tensor<double> x = ts::arange<double>(0, 252).reshape({2, 3, 7, 6}).sin();
const Tensor<double> s = ts::tensor<double>({{{0.1, 0.73}, {0.5, 0.02}, {0.99, 0.4}}, {{0.25, 0.6}, {0.0, 0.875}, {0.33, 0.66}}});
const Tensor<double> xn = [] {
  const Tensor<double> t = x.clone();
  t.index_put_({0, 0, 1, 1}, NAN);
  t.index_put_({0, 0, 2, 2}, NAN);
  return t;
}();
const Tensor<double> x3 = ts::arange<double>(0, 840).reshape({2, 2, 5, 6, 7}).sin();
const Tensor<double> s3 = ts::tensor<double>({{{0.1, 0.73, 0.3}, {0.5, 0.02, 0.95}}, {{0.25, 0.6, 0.0}, {0.45, 0.875, 0.66}}});

const std::map<std::string, std::function<call_cases::Got()>>& value_calls() {
  static const std::map<std::string, std::function<call_cases::Got()>> calls = {
      {"F.fractional_max_pool2d(x, 2, output_size=(4, 3), return_indices=True, _random_samples=s)",
       [] { return got(F::fractional_max_pool2d_with_indices(x, 2, {4, 3}, {}, s)); }},
      {"F.fractional_max_pool2d(x, (3, 2), output_size=(3, 4), return_indices=True, _random_samples=s)",
       [] { return got(F::fractional_max_pool2d_with_indices(x, {3, 2}, {3, 4}, {}, s)); }},
      {"F.fractional_max_pool2d(x, 2, output_ratio=0.5, return_indices=True, _random_samples=s)",
       [] { return got(F::fractional_max_pool2d_with_indices(x, 2, {}, {0.5}, s)); }},
      {"F.fractional_max_pool2d(x, 2, output_ratio=(0.6, 0.7), return_indices=True, _random_samples=s)",
       [] { return got(F::fractional_max_pool2d_with_indices(x, 2, {}, {0.6, 0.7}, s)); }},
      {"F.fractional_max_pool2d(x, 2, output_size=(6, 5), return_indices=True, _random_samples=s)",
       [] { return got(F::fractional_max_pool2d_with_indices(x, 2, {6, 5}, {}, s)); }},
      {"F.fractional_max_pool2d(x, 3, output_size=1, return_indices=True, _random_samples=s)",
       [] { return got(F::fractional_max_pool2d_with_indices(x, 3, 1, {}, s)); }},
      {"F.fractional_max_pool2d(x[0], 2, output_size=(4, 3), return_indices=True, _random_samples=s[:1])",
       [] { return got(F::fractional_max_pool2d_with_indices(x[0], 2, {4, 3}, {}, s.narrow(0, 0, 1))); }},
      {"F.fractional_max_pool2d(x.float(), 2, output_size=(5, 4), return_indices=True, _random_samples=s.float())",
       [] { return got(F::fractional_max_pool2d_with_indices(x.to<float>(), 2, {5, 4}, {}, s.to<float>())); }},
      {"F.fractional_max_pool2d(xn, 3, output_size=(3, 2), return_indices=True, _random_samples=s)",
       [] { return got(F::fractional_max_pool2d_with_indices(xn, 3, {3, 2}, {}, s)); }},
      {"F.fractional_max_pool2d(x, 2, output_size=(0, 3), return_indices=True, _random_samples=s)",
       [] { return got(F::fractional_max_pool2d_with_indices(x, 2, {0, 3}, {}, s)); }},
      {"F.fractional_max_pool3d(x3, 2, output_size=(3, 4, 5), return_indices=True, _random_samples=s3)",
       [] { return got(F::fractional_max_pool3d_with_indices(x3, 2, {3, 4, 5}, {}, s3)); }},
      {"F.fractional_max_pool3d(x3, (2, 3, 2), output_size=(2, 3, 4), return_indices=True, _random_samples=s3)",
       [] { return got(F::fractional_max_pool3d_with_indices(x3, {2, 3, 2}, {2, 3, 4}, {}, s3)); }},
      {"F.fractional_max_pool3d(x3, 2, output_ratio=0.6, return_indices=True, _random_samples=s3)",
       [] { return got(F::fractional_max_pool3d_with_indices(x3, 2, {}, {0.6}, s3)); }},
      {"F.fractional_max_pool3d(x3[1], 2, output_size=(3, 2, 5), return_indices=True, _random_samples=s3[:1])",
       [] { return got(F::fractional_max_pool3d_with_indices(x3[1], 2, {3, 2, 5}, {}, s3.narrow(0, 0, 1))); }},
  };
  return calls;
}

using Fn = call_cases::GradFn;
const std::map<std::string, Fn>& grad_calls() {
  static const std::map<std::string, Fn> calls = {
      {"F.fractional_max_pool2d(X, 2, output_size=(4, 3), _random_samples=s)",
       [](const Tensor<double>& t) { return F::fractional_max_pool2d(t, 2, {4, 3}, {}, s); }},
      {"F.fractional_max_pool2d(X.sin(), (3, 2), output_size=(3, 4), _random_samples=s)",
       [](const Tensor<double>& t) { return F::fractional_max_pool2d(t.sin(), {3, 2}, {3, 4}, {}, s); }},
      {"F.fractional_max_pool3d(X.cos(), 2, output_size=(3, 4, 5), _random_samples=s3)",
       [](const Tensor<double>& t) { return F::fractional_max_pool3d(t.cos(), 2, {3, 4, 5}, {}, s3); }},
  };
  return calls;
}

const std::map<std::string, call_cases::ErrorCall>& error_calls() {
  static const std::map<std::string, call_cases::ErrorCall> calls = {
      {"F.fractional_max_pool2d(x, 2, _random_samples=s)",
       {"fractional_max_pool2d", [] { F::fractional_max_pool2d(x, 2, {}, {}, s); }}},
      {"F.fractional_max_pool2d(x, 2, output_size=(7, 3), _random_samples=s)",
       {"", [] { F::fractional_max_pool2d(x, 2, {7, 3}, {}, s); }}},
      {"F.fractional_max_pool2d(x, 2, output_size=(4, 6), _random_samples=s)",
       {"", [] { F::fractional_max_pool2d(x, 2, {4, 6}, {}, s); }}},
      {"F.fractional_max_pool2d(x[0, 0], 2, output_size=(4, 3), _random_samples=s)",
       {"", [] { F::fractional_max_pool2d(x[0][0], 2, {4, 3}, {}, s); }}},
      {"F.fractional_max_pool2d(x[:, :, :0], 2, output_size=(4, 3), _random_samples=s)",
       {"", [] { F::fractional_max_pool2d(x.narrow(2, 0, 0), 2, {4, 3}, {}, s); }}},
      {"F.fractional_max_pool2d(x.half(), 2, output_size=(4, 3), _random_samples=s.half())",
       {"", [] { F::fractional_max_pool2d(x.to<ts::half>(), 2, {4, 3}, {}, s.to<ts::half>()); }}},
      {"F.fractional_max_pool3d(x3, 2, output_size=(4, 4, 5), _random_samples=s3)",
       {"", [] { F::fractional_max_pool3d(x3, 2, {4, 4, 5}, {}, s3); }}},
      {"F.fractional_max_pool3d(x3, 2, output_size=(3, 4, 7), _random_samples=s3)",
       {"", [] { F::fractional_max_pool3d(x3, 2, {3, 4, 7}, {}, s3); }}},
      {"F.fractional_max_pool3d(x3[0, 0], 2, output_size=(3, 4, 5), _random_samples=s3)",
       {"", [] { F::fractional_max_pool3d(x3[0][0], 2, {3, 4, 5}, {}, s3); }}},
      {"F.fractional_max_pool3d(x3, 2, _random_samples=s3)",
       {"fractional_max_pool3d", [] { F::fractional_max_pool3d(x3, 2, {}, {}, s3); }}},
  };
  return calls;
}

}  // namespace

TEST_CASE("fractional max pools give PyTorch's values and indices", "[fractional_pooling][golden]") {
  // the inputs are sin(arange): tessera's sin may differ from PyTorch's by an ulp
  call_cases::check_value_cases("fractional_pooling.txt", value_calls(), [](const auto& have, const auto& want, const auto&) {
    for (size_t k = 0; k < want.values.size(); ++k) {
      if (std::isnan(want.values[k])) CHECK(std::isnan(have.values[k]));
      else CHECK(have.values[k] == Approx(want.values[k]).margin(1e-12));
    }
  });
}

TEST_CASE("fractional max pools give PyTorch's gradients and pass gradcheck", "[fractional_pooling][golden][gradcheck]") {
  call_cases::check_grad_cases("fractional_pooling.txt", grad_calls());
}

TEST_CASE("fractional max pools refuse what PyTorch refuses, with its messages", "[fractional_pooling][golden]") {
  call_cases::check_error_cases("fractional_pooling.txt", error_calls());
  // samples of another shape are refused (PyTorch 1.13 reads past them)
  CHECK(error_of([] { F::fractional_max_pool2d(x, 2, {4, 3}, {}, s.narrow(0, 0, 1)); }) ==
        "fractional_max_pool2d(): _random_samples must have shape [2, 3, 2], but got [1, 3, 2]");
  CHECK(error_of([] { F::fractional_max_pool2d(x, 0, {4, 3}, {}, s); }) ==
        "fractional_max_pool2d(): kernel_size must be positive and output_size non-negative, got 0 and 4");
}

TEST_CASE("fractional max pools record PyTorch's nodes; the layers are the functions", "[fractional_pooling]") {
  const Tensor<double> leaf = x.detach().requires_grad_();
  CHECK(F::fractional_max_pool2d(leaf, 2, {4, 3}, {}, s).grad_fn_name() == "FractionalMaxPool2DBackward0");
  const Tensor<double> leaf3 = x3.detach().requires_grad_();
  CHECK(F::fractional_max_pool3d(leaf3, 2, {3, 4, 5}, {}, s3).grad_fn_name() == "FractionalMaxPool3DBackward0");
  // second derivatives: the gradient is a scatter of the output's gradient, itself differentiable
  const Tensor<double> g = ts::autograd::grad({F::fractional_max_pool2d(leaf, 2, {4, 3}, {}, s).pow(2.0).sum()}, {leaf}, {},
                                              std::nullopt, true)[0]
                               .as<double>();
  CHECK(ts::autograd::gradcheck([](const std::vector<Tensor<double>>& in) {
    return ts::autograd::grad({F::fractional_max_pool2d(in[0], 2, {4, 3}, {}, s).pow(2.0).sum()}, {in[0]}, {}, std::nullopt,
                              true)[0]
        .as<double>();
  }, {x.detach().requires_grad_()}));
  CHECK(g.sizes() == x.sizes());
  const Tensor<float> xf = x.to<float>(), sf = s.to<float>();
  CHECK(ts::equal(nn::FractionalMaxPool2d(2, {.output_size = {4, 3}, .random_samples = sf})(xf),
                  F::fractional_max_pool2d(xf, 2, {4, 3}, {}, sf)));
  CHECK(ts::equal(nn::FractionalMaxPool3d(2, {.output_ratio = {0.6}, .random_samples = s3.to<float>()})(x3.to<float>()),
                  F::fractional_max_pool3d(x3.to<float>(), 2, {}, {0.6}, s3.to<float>())));
  CHECK(error_of([] { nn::FractionalMaxPool2d(2, {.output_ratio = {1.5}}); }) ==
        "FractionalMaxPool2d: output_ratio must be between 0 and 1 (got 1.5)");
  CHECK(error_of([] { nn::FractionalMaxPool2d(2, {.output_ratio = {0.5, 1.5}}); }) ==
        "FractionalMaxPool2d: output_ratio must be between 0 and 1 (got (0.5, 1.5))");
  CHECK(error_of([] { nn::FractionalMaxPool2d(2, {}); }) ==
        "FractionalMaxPool2d: FractionalMaxPool2d requires specifying either an output size, or a pooling ratio");
  CHECK(error_of([] { nn::FractionalMaxPool2d(2, {.output_size = 3, .output_ratio = {0.5}}); }) ==
        "FractionalMaxPool2d: only one of output_size and output_ratio may be specified");
  // an unbatched input records the node itself; a batch of none pools to nothing
  CHECK(F::fractional_max_pool2d(leaf[0], 2, {4, 3}, {}, s.narrow(0, 0, 1)).grad_fn_name() == "FractionalMaxPool2DBackward0");
  CHECK(F::fractional_max_pool3d(leaf3[1], 2, {3, 4, 5}, {}, s3.narrow(0, 0, 1)).grad_fn_name() == "FractionalMaxPool3DBackward0");
  const auto [none, none_at] = F::fractional_max_pool2d_with_indices(x.narrow(0, 0, 0), 2, {4, 3}, {}, s.narrow(0, 0, 0));
  CHECK(none.sizes() == ts::Shape{0, 3, 4, 3});
  CHECK(none_at.sizes() == ts::Shape{0, 3, 4, 3});
  // sizes of the wrong length and ratios that do not convert are refused (PyTorch reads past them)
  CHECK(error_of([] { F::fractional_max_pool3d(x3, {2, 2}, {3, 4, 5}, {}, s3); }) ==
        "fractional_max_pool3d: kernel_size must either be a single Int or tuple of three Ints");
  CHECK(error_of([] { F::fractional_max_pool2d(x, 2, {}, {NAN}, s); }) ==
        "fractional_max_pool2d: cannot convert the output size nan to an integer");
  // PyTorch checks a volume's width before its height
  CHECK(error_of([] { F::fractional_max_pool3d(x3, 2, {3, 6, 7}, {}, s3); }) ==
        "fractional_max_pool3d_out(): pool width 2 too large relative to input width 7");
  // the layer keeps its samples as PyTorch's buffer
  const nn::FractionalMaxPool2d fixed(2, {.output_size = {4, 3}, .random_samples = s.to<float>()});
  CHECK(fixed.named_buffers().size() == 1);
  CHECK(fixed.named_buffers()[0].first == "_random_samples");
  // without samples, each plane draws its own from the default generator
  const auto [a, ia] = F::fractional_max_pool2d_with_indices(xf, 2, {4, 3});
  CHECK(a.sizes() == ts::Shape{2, 3, 4, 3});
  CHECK(ts::equal(a, xf.reshape({2, 3, -1}).gather(2, ia.reshape({2, 3, -1})).view({2, 3, 4, 3})));
}

}  // namespace test_nn_fractional_pooling
