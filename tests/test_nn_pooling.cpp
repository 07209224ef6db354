// nn/pooling.hpp against PyTorch 1.13: adaptive average and max pooling, 1-d and 2-d, and their
// layers (values, gradients, error messages from tests/golden/pooling.txt, written by
// tests/golden/generate_pooling.py), gradcheck, and strided inputs.

#include <cmath>
#include <functional>
#include <map>

#include "call_cases.hpp"
#include "error_of.hpp"
#include "golden.hpp"

namespace test_nn_pooling {

namespace {

namespace F = ts::nn::functional;
namespace nn = ts::nn;
using ts::Tensor;

using call_cases::Part;
using call_cases::got;

// The generator's inputs.
const Tensor<float> x = ts::arange<float>(0, 60).reshape({1, 3, 4, 5}).sin();
const Tensor<float> s = ts::arange<float>(0, 14).reshape({2, 7}).cos();
const Tensor<float> n = ts::tensor({{{1.0f, NAN, 3.0f, 3.0f, -1.0f, 2.0f, 2.0f}}});
const Tensor<double> d = ts::arange<double>(0, 30).reshape({2, 3, 5}) * 0.25 - 2;

const std::map<std::string, std::function<call_cases::Got()>>& value_calls() {
  static const std::map<std::string, std::function<call_cases::Got()>> calls = {
      {"F.adaptive_avg_pool2d(x, (2, 3))", [] { return got(F::adaptive_avg_pool2d(x, {2, 3})); }},
      {"F.adaptive_avg_pool2d(x, 1)", [] { return got(F::adaptive_avg_pool2d(x, 1)); }},
      {"F.adaptive_avg_pool2d(x, (4, 5))", [] { return got(F::adaptive_avg_pool2d(x, {4, 5})); }},
      {"F.adaptive_avg_pool2d(x, (5, 7))", [] { return got(F::adaptive_avg_pool2d(x, {5, 7})); }},
      {"F.adaptive_avg_pool2d(x[0], (3, 2))", [] { return got(F::adaptive_avg_pool2d(x[0], {3, 2})); }},
      {"F.adaptive_avg_pool2d(d, (2, 4))", [] { return got(F::adaptive_avg_pool2d(d, {2, 4})); }},
      {"F.adaptive_avg_pool2d(torch.zeros(1, 0, 3, 4), (2, 2))",
       [] { return got(F::adaptive_avg_pool2d(ts::zeros<float>({1, 0, 3, 4}), {2, 2})); }},
      {"F.adaptive_avg_pool2d(x, (0, 2))", [] { return got(F::adaptive_avg_pool2d(x, {0, 2})); }},
      {"F.adaptive_avg_pool1d(s, 3)", [] { return got(F::adaptive_avg_pool1d(s, 3)); }},
      {"F.adaptive_avg_pool1d(d, 4)", [] { return got(F::adaptive_avg_pool1d(d, 4)); }},
      {"F.adaptive_avg_pool1d(n, 2)", [] { return got(F::adaptive_avg_pool1d(n, 2)); }},
      {"F.adaptive_avg_pool1d(s, 9)", [] { return got(F::adaptive_avg_pool1d(s, 9)); }},
      {"F.adaptive_max_pool2d(x, (2, 3))", [] { return got(F::adaptive_max_pool2d(x, {2, 3})); }},
      {"F.adaptive_max_pool2d(x, 1)", [] { return got(F::adaptive_max_pool2d(x, 1)); }},
      {"F.adaptive_max_pool2d(x, (5, 7))", [] { return got(F::adaptive_max_pool2d(x, {5, 7})); }},
      {"F.adaptive_max_pool2d(x[0], (3, 2))", [] { return got(F::adaptive_max_pool2d(x[0], {3, 2})); }},
      {"F.adaptive_max_pool2d(d, (3, 2))", [] { return got(F::adaptive_max_pool2d(d, {3, 2})); }},
      {"F.adaptive_max_pool2d(x, (0, 2))", [] { return got(F::adaptive_max_pool2d(x, {0, 2})); }},
      {"F.adaptive_max_pool1d(s, 3)", [] { return got(F::adaptive_max_pool1d(s, 3)); }},
      {"F.adaptive_max_pool1d(n, 3)", [] { return got(F::adaptive_max_pool1d(n, 3)); }},
      {"F.adaptive_max_pool1d(d, 2)", [] { return got(F::adaptive_max_pool1d(d, 2)); }},
      {"F.adaptive_max_pool1d(s, 10)", [] { return got(F::adaptive_max_pool1d(s, 10)); }},
      {"nn.AdaptiveAvgPool2d((1, 1))(x)", [] { return got(nn::AdaptiveAvgPool2d({1, 1})(x)); }},
      {"nn.AdaptiveAvgPool2d(3)(x)", [] { return got(nn::AdaptiveAvgPool2d(3)(x)); }},
      {"nn.AdaptiveAvgPool1d(2)(s)", [] { return got(nn::AdaptiveAvgPool1d(2)(s)); }},
      {"nn.AdaptiveMaxPool2d((2, 2))(x)", [] { return got(nn::AdaptiveMaxPool2d({2, 2})(x)); }},
      {"nn.AdaptiveMaxPool1d(4)(s)", [] { return got(nn::AdaptiveMaxPool1d(4)(s)); }},
  };
  return calls;
}

using Fn = call_cases::GradFn;
const std::map<std::string, Fn>& grad_calls() {
  static const std::map<std::string, Fn> calls = {
      {"F.adaptive_avg_pool2d(X, (2, 3))", [](const Tensor<double>& t) { return F::adaptive_avg_pool2d(t, {2, 3}); }},
      {"F.adaptive_avg_pool2d(X, (5, 7))", [](const Tensor<double>& t) { return F::adaptive_avg_pool2d(t, {5, 7}); }},
      {"F.adaptive_avg_pool1d(X, 3)", [](const Tensor<double>& t) { return F::adaptive_avg_pool1d(t, 3); }},
      {"F.adaptive_max_pool2d(X.sin(), (2, 3))", [](const Tensor<double>& t) { return F::adaptive_max_pool2d(t.sin(), {2, 3}); }},
      {"F.adaptive_max_pool2d(X.cos(), (5, 3))", [](const Tensor<double>& t) { return F::adaptive_max_pool2d(t.cos(), {5, 3}); }},
      {"F.adaptive_max_pool1d(X.sin(), 3)", [](const Tensor<double>& t) { return F::adaptive_max_pool1d(t.sin(), 3); }},
      {"F.adaptive_max_pool1d(X.round(), 2)", [](const Tensor<double>& t) { return F::adaptive_max_pool1d(t.round(), 2); }},
  };
  return calls;
}

const std::map<std::string, std::function<void()>>& error_calls() {
  static const std::map<std::string, std::function<void()>> calls = {
      {"F.adaptive_avg_pool2d(x, (2, 2, 2))", [] { F::adaptive_avg_pool2d(x, {2, 2, 2}); }},
      {"F.adaptive_avg_pool2d(x.long(), (2, 2))", [] { F::adaptive_avg_pool2d(x.to<int64_t>(), {2, 2}); }},
      {"F.adaptive_avg_pool2d(x, (-1, 2))", [] { F::adaptive_avg_pool2d(x, {-1, 2}); }},
      {"F.adaptive_max_pool2d(x, (2, 2, 2))", [] { F::adaptive_max_pool2d(x, {2, 2, 2}); }},
      {"F.adaptive_max_pool2d(torch.zeros(1, 0, 3, 4), (2, 2))",
       [] { F::adaptive_max_pool2d(ts::zeros<float>({1, 0, 3, 4}), {2, 2}); }},
      {"F.adaptive_max_pool2d(x.long(), (2, 2))", [] { F::adaptive_max_pool2d(x.to<int64_t>(), {2, 2}); }},
      {"F.adaptive_avg_pool1d(x, 2)", [] { F::adaptive_avg_pool1d(x, 2); }},
      {"F.adaptive_avg_pool1d(x[0, 0, 0], 2)", [] { F::adaptive_avg_pool1d(x[0][0][0], 2); }},
      {"F.adaptive_max_pool1d(x, 2)", [] { F::adaptive_max_pool1d(x, 2); }},
      {"F.adaptive_avg_pool2d(x.unsqueeze(0), (2, 2))", [] { F::adaptive_avg_pool2d(x.unsqueeze(0), {2, 2}); }},
  };
  return calls;
}

/** Equal within 4 units in the last place (the averages' sums run in another order). */
bool close(const std::vector<double>& a, const std::vector<double>& b, ts::DType dtype) {
  const double ulp = dtype == ts::DType::Float64 ? 0x1p-52 : 0x1p-23;
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) && std::isnan(b[i])) continue;
    if (!(std::abs(a[i] - b[i]) <= 4 * ulp * std::max(std::abs(b[i]), 1.0))) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("adaptive pooling gives PyTorch's values", "[pooling][golden]") {
  int cases = 0;
  for (const auto& r : golden::load("pooling.txt")) {
    if (r.name.rfind("grad ", 0) == 0 || r.name.rfind("error ", 0) == 0) continue;
    INFO(r.name);
    REQUIRE(value_calls().count(r.name));
    const Part have = value_calls().at(r.name)()[0];
    CHECK(have.dtype == golden::dtype(r.get("dtype")));
    CHECK(have.shape == ts::Shape(golden::ints(r.get("shape"))));
    const auto want = golden::values<double>(r.get("values"));
    CHECK(close(have.values, want, have.dtype));  // the inputs' sin and cos may differ from PyTorch's in the last bit
    ++cases;
  }
  CHECK(cases == static_cast<int>(value_calls().size()));
}

TEST_CASE("adaptive pooling gives PyTorch's gradients and passes gradcheck", "[pooling][golden][gradcheck]") {
  call_cases::check_grad_cases("pooling.txt", grad_calls());
}

TEST_CASE("adaptive pooling refuses what PyTorch refuses, with its messages", "[pooling][golden]") {
  int cases = 0;
  for (const auto& r : golden::load("pooling.txt")) {
    if (r.name.rfind("error ", 0) != 0) continue;
    const std::string call = r.name.substr(6);
    INFO(call);
    REQUIRE(error_calls().count(call));
    const std::string message = error_of(error_calls().at(call)), torch = r.get("error");
    INFO(message);
    CHECK((message == torch || message.ends_with(": " + torch)));
    ++cases;
  }
  CHECK(cases == static_cast<int>(error_calls().size()));
  CHECK(error_of([] { nn::AdaptiveAvgPool2d(std::vector<int64_t>{1}); }) == "AdaptivePool2d: expected 2 output sizes, got 1");
}

TEST_CASE("adaptive pooling reads strided inputs as their values", "[pooling]") {
  const Tensor<float> t = x.transpose(2, 3);  // not contiguous
  CHECK(F::adaptive_avg_pool2d(t, {2, 3}).to_vector() == F::adaptive_avg_pool2d(t.contiguous(), {2, 3}).to_vector());
  CHECK(F::adaptive_max_pool2d(t, {3, 2}).to_vector() == F::adaptive_max_pool2d(t.contiguous(), {3, 2}).to_vector());
}

}  // namespace test_nn_pooling
