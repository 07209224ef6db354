// nn/fold.hpp against PyTorch 1.13: F.unfold, F.fold and the layers Unfold and Fold (values,
// gradients, error messages from tests/golden/fold.txt, written by tests/golden/generate_fold.py),
// gradcheck, second derivatives, and the recorded nodes.

#include <functional>
#include <map>

#include "call_cases.hpp"
#include "error_of.hpp"
#include "golden.hpp"

namespace test_nn_fold {

namespace {

namespace F = ts::nn::functional;
namespace nn = ts::nn;
using ts::Tensor;

using call_cases::got;

/** arange(n) * 0.5 - 3 in float32, in shape (the generator's r). */
Tensor<float> r(const ts::Shape& shape) {
  return ts::arange<float>(0, ts::detail::checked_numel(shape, "test")).reshape(shape) * 0.5f - 3.0f;
}

// The generator's inputs.
const Tensor<float> x = ts::arange<float>(0, 60).reshape({1, 3, 4, 5}) * 0.25f - 4.0f;
const Tensor<double> y = ts::arange<double>(0, 216).reshape({2, 12, 9}) * 0.5 - 9.0;

const std::map<std::string, std::function<call_cases::Got()>>& value_calls() {
  static const std::map<std::string, std::function<call_cases::Got()>> calls = {
      {"F.unfold(x, 2)", [] { return got(F::unfold(x, 2)); }},
      {"F.unfold(x, (2, 3))", [] { return got(F::unfold(x, {2, 3})); }},
      {"F.unfold(x, 3, padding=1)", [] { return got(F::unfold(x, 3, 1, 1)); }},
      {"F.unfold(x, (2, 2), dilation=(2, 1))", [] { return got(F::unfold(x, {2, 2}, {2, 1})); }},
      {"F.unfold(x, 2, stride=2)", [] { return got(F::unfold(x, 2, 1, 0, 2)); }},
      {"F.unfold(x, (3, 2), dilation=2, padding=(1, 2), stride=(2, 3))",
       [] { return got(F::unfold(x, {3, 2}, 2, {1, 2}, {2, 3})); }},
      {"F.unfold(x[0], 2)", [] { return got(F::unfold(x[0], 2)); }},
      {"F.unfold(x, 1)", [] { return got(F::unfold(x, 1)); }},
      {"F.unfold(torch.zeros(0, 3, 4, 5), 2)", [] { return got(F::unfold(ts::zeros({0, 3, 4, 5}), 2)); }},
      {"F.fold(y, (4, 4), 2)", [] { return got(F::fold(y, {4, 4}, 2)); }},
      {"F.fold(r(2, 12, 21), (3, 9), (1, 3))", [] { return got(F::fold(r({2, 12, 21}), {3, 9}, {1, 3})); }},
      {"F.fold(y[0], (5, 5), 2, stride=2, padding=1)", [] { return got(F::fold(y[0], {5, 5}, 2, 1, 1, 2)); }},
      {"F.fold(r(4, 12), (4, 6), (2, 2), dilation=(1, 2))", [] { return got(F::fold(r({4, 12}), {4, 6}, {2, 2}, {1, 2})); }},
      {"F.fold(r(2, 6, 18), (4, 6), (3, 1), padding=(2, 0), stride=(2, 1))",
       [] { return got(F::fold(r({2, 6, 18}), {4, 6}, {3, 1}, 1, {2, 0}, {2, 1})); }},
      {"nn.Unfold(2, stride=2)(x)", [] { return got(nn::Unfold(2, {.stride = 2})(x)); }},
      {"nn.Unfold((2, 3), 1, 1, 2)(x)", [] { return got(nn::Unfold({2, 3}, 1, 1, 2)(x)); }},
      {"nn.Fold((4, 4), 2)(y.float())", [] { return got(nn::Fold({4, 4}, 2)(y.to<float>())); }},
      {"nn.Fold(5, 2, 1, 1, 2)(y[0].float())", [] { return got(nn::Fold(5, 2, 1, 1, 2)(y[0].to<float>())); }},
  };
  return calls;
}

using Fn = call_cases::GradFn;
const std::map<std::string, Fn>& grad_calls() {
  static const std::map<std::string, Fn> calls = {
      {"F.unfold(X, 2)", [](const Tensor<double>& t) { return F::unfold(t, 2); }},
      {"F.unfold(X, (3, 2), dilation=2, padding=(1, 2), stride=(2, 3))",
       [](const Tensor<double>& t) { return F::unfold(t, {3, 2}, 2, {1, 2}, {2, 3}); }},
      {"F.unfold(X, 2, stride=2)", [](const Tensor<double>& t) { return F::unfold(t, 2, 1, 0, 2); }},
      {"F.fold(X, (4, 4), 2)", [](const Tensor<double>& t) { return F::fold(t, {4, 4}, 2); }},
      {"F.fold(X, (5, 5), 2, stride=2, padding=1)", [](const Tensor<double>& t) { return F::fold(t, {5, 5}, 2, 1, 1, 2); }},
      {"F.fold(X, (4, 6), (2, 2), dilation=(1, 2))", [](const Tensor<double>& t) { return F::fold(t, {4, 6}, {2, 2}, {1, 2}); }},
  };
  return calls;
}

const std::map<std::string, call_cases::ErrorCall>& error_calls() {
  static const std::map<std::string, call_cases::ErrorCall> calls = {
      {"F.unfold(x, 0)", {"unfold", [] { F::unfold(x, 0); }}},
      {"F.unfold(x, 2, stride=0)", {"unfold", [] { F::unfold(x, 2, 1, 0, 0); }}},
      {"F.unfold(x, 2, dilation=(1, 0))", {"unfold", [] { F::unfold(x, 2, {1, 0}); }}},
      {"F.unfold(x, 2, padding=-1)", {"unfold", [] { F::unfold(x, 2, 1, -1); }}},
      {"F.unfold(torch.zeros(2, 0, 5, 5), 2)", {"unfold", [] { F::unfold(ts::zeros({2, 0, 5, 5}), 2); }}},
      {"F.unfold(torch.zeros(0, 5, 5), 2)", {"unfold", [] { F::unfold(ts::zeros({0, 5, 5}), 2); }}},
      {"F.unfold(torch.zeros(2, 3, 5, 5), 7)", {"unfold", [] { F::unfold(ts::zeros({2, 3, 5, 5}), 7); }}},
      {"F.fold(y, (4, 4), 0)", {"fold", [] { F::fold(y, {4, 4}, 0); }}},
      {"F.fold(y, (4, 4), 2, stride=(0, 1))", {"fold", [] { F::fold(y, {4, 4}, 2, 1, 0, {0, 1}); }}},
      {"F.fold(y, (4, 4), 2, dilation=0)", {"fold", [] { F::fold(y, {4, 4}, 2, 0); }}},
      {"F.fold(y, (4, 4), 2, padding=-1)", {"fold", [] { F::fold(y, {4, 4}, 2, 1, -1); }}},
      {"F.fold(torch.zeros(12), (4, 4), 2)", {"fold", [] { F::fold(ts::zeros({12}), {4, 4}, 2); }}},
      {"F.fold(torch.zeros(2, 0, 3), (4, 4), 2)", {"fold", [] { F::fold(ts::zeros({2, 0, 3}), {4, 4}, 2); }}},
      {"F.fold(y, (4, 4), (2, 2), stride=2)", {"fold", [] { F::fold(y, {4, 4}, {2, 2}, 1, 0, 2); }}},
      {"F.fold(y, (4, 4), 4)", {"fold", [] { F::fold(y, {4, 4}, 4); }}},
      {"F.fold(r(1, 25, 9), (1, 1), 5)", {"fold", [] { F::fold(r({1, 25, 9}), {1, 1}, 5); }}},
      {"F.fold(y, (1, 1), 2)", {"fold", [] { F::fold(y, {1, 1}, 2); }}},
      {"F.fold(torch.zeros(1, 4, 1), (0, 0), 2, padding=1)", {"fold", [] { F::fold(ts::zeros({1, 4, 1}), {0, 0}, 2, 1, 1); }}},
  };
  return calls;
}

}  // namespace

TEST_CASE("unfold and fold give PyTorch's values", "[fold][golden]") {
  call_cases::check_value_cases("fold.txt", value_calls(), [](const auto& have, const auto& want, const auto&) {
    CHECK(call_cases::same_values(have.values, want.values));  // sums of multiples of 1/4: exact
  });
}

TEST_CASE("unfold and fold give PyTorch's gradients and pass gradcheck", "[fold][golden][gradcheck]") {
  call_cases::check_grad_cases("fold.txt", grad_calls());
}

TEST_CASE("unfold and fold refuse what PyTorch refuses, with its messages", "[fold][golden]") {
  call_cases::check_error_cases("fold.txt", error_calls());
  // PyTorch's message names the height twice; tessera names the width.
  CHECK(error_of([] { F::unfold(ts::zeros({1, 1, 5, 6}), 7); }).find("spatial size (5, 6)") != std::string::npos);
}

TEST_CASE("unfold and fold record PyTorch's nodes, each the other's derivative", "[fold][gradcheck]") {
  const auto a = ts::randn({2, 3, 5, 4}, {.requires_grad = true});
  const auto cols = F::unfold(a, 2, 1, 1, 2);
  CHECK(cols.grad_fn_name() == "Im2ColBackward0");
  const auto image = F::fold(cols, {5, 4}, 2, 1, 1, 2);
  CHECK(image.grad_fn_name() == "Col2ImBackward0");
  // fold is unfold's adjoint: <unfold(a), c> == <a, fold(c)>
  const auto c = ts::randn(cols.sizes());
  CHECK((cols * c).sum().item() == Approx((a * F::fold(c, {5, 4}, 2, 1, 1, 2)).sum().item()).epsilon(1e-5));
  // second derivatives: a function of unfold's windows that is not linear
  const auto probe = ts::randn({1, 2, 4, 4}).to<double>().requires_grad_();
  CHECK(ts::autograd::gradgradcheck(
      [](const std::vector<Tensor<double>>& in) { return F::unfold(in[0], 2, 1, 0, 1).square().sum(1); }, {probe}));
  CHECK(ts::autograd::gradgradcheck(
      [](const std::vector<Tensor<double>>& in) { return F::fold(in[0], {3, 3}, 2).square(); },
      {ts::randn({1, 8, 4}).to<double>().requires_grad_()}));
}

}  // namespace test_nn_fold
