// nn/activation.hpp: every activation and its gradient against torch.nn.functional
// (tests/golden/activation.txt from tests/golden/generate_activation.py), gradchecks away from the
// kinks, the modules, and the errors.

#include <cmath>
#include <functional>

#include "error_of.hpp"
#include "golden.hpp"

namespace test_nn_activation {

namespace F = ts::nn::functional;

namespace {

template <class T>
ts::Tensor<T> apply(const std::vector<std::string>& call, const ts::Tensor<T>& x) {
  const std::string& name = call[0];  // name dtype args...
  const auto arg = [&](size_t i) { return std::stod(call.at(2 + i)); };
  const bool given = call.size() > 2;
  if (name == "leaky_relu") return given ? F::leaky_relu(x, arg(0)) : F::leaky_relu(x);
  if (name == "elu") return given ? F::elu(x, arg(0)) : F::elu(x);
  if (name == "selu") return F::selu(x);
  if (name == "celu") return given ? F::celu(x, arg(0)) : F::celu(x);
  if (name == "silu") return F::silu(x);
  if (name == "mish") return F::mish(x);
  if (name == "hardtanh") return given ? F::hardtanh(x, arg(0), arg(1)) : F::hardtanh(x);
  if (name == "relu6") return F::relu6(x);
  if (name == "hardswish") return F::hardswish(x);
  if (name == "hardsigmoid") return F::hardsigmoid(x);
  if (name == "softplus") return given ? F::softplus(x, arg(0), arg(1)) : F::softplus(x);
  if (name == "gelu_tanh") return F::gelu(x, "tanh");
  if (name == "logsigmoid") return F::logsigmoid(x);
  if (name == "softsign") return F::softsign(x);
  if (name == "tanhshrink") return F::tanhshrink(x);
  if (name == "softshrink") return given ? F::softshrink(x, arg(0)) : F::softshrink(x);
  if (name == "hardshrink") return given ? F::hardshrink(x, arg(0)) : F::hardshrink(x);
  if (name == "threshold") return F::threshold(x, arg(0), arg(1));
  if (name == "glu") return F::glu(x.reshape({5, 4}), 1);
  if (name == "prelu1") return F::prelu(x, ts::full<T>({1}, static_cast<T>(arg(0))));
  if (name == "prelu4") return F::prelu(x.reshape({5, 4}), ts::tensor<T>({0.25, -0.5, 1.5, 0.0}));
  if (name == "softmin") return F::softmin(x.reshape({4, 5}) / 10.0, 1);
  if (name == "softmax") return F::softmax(x.reshape({4, 5}) / 10.0, 1);
  if (name == "log_softmax") return F::log_softmax(x.reshape({4, 5}) / 10.0, 1);
  // the in-place forms, on a clone (a leaf refuses them)
  const ts::Tensor<T> c = x.clone();
  if (name == "relu_") return F::relu_(c);
  if (name == "leaky_relu_") return given ? F::leaky_relu_(c, arg(0)) : F::leaky_relu_(c);
  if (name == "elu_") return F::elu_(c, arg(0));
  if (name == "selu_") return F::selu_(c);
  if (name == "celu_") return F::celu_(c, arg(0));
  if (name == "hardtanh_") return F::hardtanh_(c, arg(0), arg(1));
  if (name == "threshold_") return F::threshold_(c, arg(0), arg(1));
  FAIL("unknown activation " << name);
  return x;
}

template <class T>
void check_close(const std::vector<T>& got, const std::vector<T>& want, const std::string& what, double rel) {
  // Compositions of elementwise ops round differently from PyTorch's fused kernels by an ulp or
  // two: a relative bound, with an absolute floor for values near 0 (log_softmax's cancel).
  const double abs = std::is_same_v<T, float> ? 1e-6 : 1e-15;
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO(what << " element " << i);
    const double g = static_cast<double>(got[i]), w = static_cast<double>(want[i]);
    if (std::isnan(w)) CHECK(std::isnan(g));
    else CHECK(std::abs(g - w) <= std::max(abs, rel * std::abs(w)));
  }
}

template <class T>
void run_case(const golden::Record& r) {
  const std::vector<std::string> call = golden::tokens(r.get("call"));
  INFO(r.name);
  const std::vector<T> xs = golden::values<T>(r.get("x"));
  const ts::Tensor<T> x = ts::from_vector(xs, {static_cast<int64_t>(xs.size())}).requires_grad_();
  const ts::Tensor<T> y = apply(call, x);
  std::vector<T> w;
  for (int64_t i = 0; i < y.numel(); ++i) w.push_back(static_cast<T>(1 + static_cast<double>(i) / 8));
  (y * ts::from_vector(w, y.sizes())).sum().backward();
  const double rel = std::is_same_v<T, float> ? 2e-6 : 1e-13;
  check_close(y.contiguous().to_vector(), golden::values<T>(r.get("y")), "y", rel);
  // PyTorch's hardsigmoid backward multiplies by 1.0f / 6.0f, a float, also for double.
  check_close(x.grad().to_vector(), golden::values<T>(r.get("dx")), "dx", call[0] == "hardsigmoid" ? 1e-7 : rel);
  CHECK(y.grad_fn_name() == r.get("grad_fn"));
}

}  // namespace

TEST_CASE("activations and their gradients equal PyTorch's", "[nn][activation][golden]") {
  int cases = 0;
  for (const auto& r : golden::load("activation.txt")) {
    if (golden::tokens(r.get("call")).at(1) == "float32") run_case<float>(r);
    else run_case<double>(r);
    ++cases;
  }
  CHECK(cases == 82);
}

TEST_CASE("activations pass gradcheck away from their kinks", "[nn][activation][gradcheck]") {
  // Points at least 0.1 from 0, +-3, +-6 and the shrink thresholds.
  const ts::Tensor<double> x =
      ts::tensor<double>({-7.3, -4.2, -2.7, -1.3, -0.71, -0.3, 0.2, 0.62, 1.7, 2.4, 4.1, 6.9}).requires_grad_();
  const std::vector<std::pair<const char*, std::function<ts::Tensor<double>(const ts::Tensor<double>&)>>> fns = {
      {"leaky_relu", [](const auto& t) { return F::leaky_relu(t, 0.2); }},
      {"elu", [](const auto& t) { return F::elu(t, 0.5); }},
      {"selu", [](const auto& t) { return F::selu(t); }},
      {"celu", [](const auto& t) { return F::celu(t, 2.0); }},
      {"silu", [](const auto& t) { return F::silu(t); }},
      {"mish", [](const auto& t) { return F::mish(t); }},
      {"hardtanh", [](const auto& t) { return F::hardtanh(t, -2.0, 4.5); }},
      {"hardswish", [](const auto& t) { return F::hardswish(t); }},
      {"hardsigmoid", [](const auto& t) { return F::hardsigmoid(t); }},
      {"softplus", [](const auto& t) { return F::softplus(t, 2.0, 3.0); }},
      {"gelu_tanh", [](const auto& t) { return F::gelu(t, "tanh"); }},
      {"logsigmoid", [](const auto& t) { return F::logsigmoid(t); }},
      {"softsign", [](const auto& t) { return F::softsign(t); }},
      {"tanhshrink", [](const auto& t) { return F::tanhshrink(t); }},
      {"softshrink", [](const auto& t) { return F::softshrink(t, 0.5); }},
      {"glu", [](const auto& t) { return F::glu(t.reshape({3, 4}), 1); }},
      {"softmin", [](const auto& t) { return F::softmin(t.reshape({3, 4}), 1); }},
  };
  for (const auto& [name, fn] : fns) {
    INFO(name);
    CHECK(ts::autograd::gradcheck([&](const std::vector<ts::Tensor<double>>& in) { return fn(in[0]); }, {x}));
  }
  const ts::Tensor<double> slopes = ts::tensor<double>({0.25, -0.5, 1.5}).requires_grad_();
  CHECK(ts::autograd::gradcheck([](const std::vector<ts::Tensor<double>>& in) { return F::prelu(in[0], in[1]); },
                                {x.detach().reshape({4, 3}).requires_grad_(), slopes}));
}

TEST_CASE("activation modules apply their function with PyTorch's defaults", "[nn][activation]") {
  const ts::Tensor<float> x = ts::tensor<float>({-4.0, -1.0, -0.25, 0.0, 0.5, 2.0, 5.0, 8.0}).reshape({2, 4});
  const auto same = [](const ts::Tensor<float>& a, const ts::Tensor<float>& b) { return a.to_vector() == b.to_vector(); };
  CHECK(same(ts::nn::LeakyReLU()(x), F::leaky_relu(x, 0.01)));
  CHECK(same(ts::nn::LeakyReLU(0.3)(x), F::leaky_relu(x, 0.3)));
  CHECK(same(ts::nn::ELU()(x), F::elu(x)));
  CHECK(same(ts::nn::CELU(1.5)(x), F::celu(x, 1.5)));
  CHECK(same(ts::nn::SELU()(x), F::selu(x)));
  CHECK(same(ts::nn::SiLU()(x), F::silu(x)));
  CHECK(same(ts::nn::Mish()(x), F::mish(x)));
  CHECK(same(ts::nn::Hardtanh()(x), F::hardtanh(x)));
  CHECK(same(ts::nn::ReLU6()(x), F::relu6(x)));
  CHECK(same(ts::nn::Hardswish()(x), F::hardswish(x)));
  CHECK(same(ts::nn::Hardsigmoid()(x), F::hardsigmoid(x)));
  CHECK(same(ts::nn::Softplus(2.0, 3.0)(x), F::softplus(x, 2.0, 3.0)));
  CHECK(same(ts::nn::LogSigmoid()(x), F::logsigmoid(x)));
  CHECK(same(ts::nn::Softsign()(x), F::softsign(x)));
  CHECK(same(ts::nn::Tanhshrink()(x), F::tanhshrink(x)));
  CHECK(same(ts::nn::Softshrink()(x), F::softshrink(x, 0.5)));
  CHECK(same(ts::nn::Hardshrink(1.0)(x), F::hardshrink(x, 1.0)));
  CHECK(same(ts::nn::Threshold(0.1, 20.0)(x), F::threshold(x, 0.1, 20.0)));
  CHECK(same(ts::nn::GLU()(x), F::glu(x, -1)));
  CHECK(same(ts::nn::LogSoftmax(1)(x), x.log_softmax(1)));
  CHECK(same(ts::nn::Softmin(0)(x), (-x).softmax(0)));
  CHECK(same(ts::nn::Identity()(x), x));
  CHECK(same(ts::nn::GELU()(x), x.gelu()));
  CHECK(same(ts::nn::GELU("tanh")(x), F::gelu(x, "tanh")));
  ts::nn::PReLU prelu(4);
  CHECK(prelu.weight().to_vector() == std::vector<float>{0.25f, 0.25f, 0.25f, 0.25f});
  CHECK(prelu.named_parameters().at(0).first == "weight");  // PyTorch's state_dict key
  CHECK(same(prelu(x), F::prelu(x, ts::full<float>({4}, 0.25f))));
}

TEST_CASE("activations refuse what PyTorch refuses", "[nn][activation]") {
  const ts::Tensor<float> x = ts::zeros<float>({2, 3});
  CHECK(error_of([&] { F::glu(x, 1); }) == "glu: Halving dimension must be even, but dimension 1 is size 3");
  CHECK(error_of([&] { F::glu(ts::zeros<float>({}), 0); }) ==
        "glu: glu does not support scalars because halving size must be even");
  CHECK(error_of([&] { F::hardtanh(x, 2.0, 1.0); }) ==
        "hardtanh: max_val must be greater than or equal to min_val (got 2 and 1)");
  CHECK(error_of([&] { F::gelu(x, "erf"); }) == "gelu: approximate argument must be either none or tanh.");
  CHECK(error_of([] { ts::nn::GELU("erf"); }) == "GELU: approximate argument must be either none or tanh.");
  CHECK(error_of([&] { F::prelu(x, ts::full<float>({2}, 0.25f)); }) ==
        "prelu: Mismatch of parameter numbers and input channel size. Found parameter numbers = 2 and channel size = 3.");
  CHECK(error_of([&] { F::softshrink(x, -1.0); }) == "softshrink: lambda must be greater or equal to 0, but found to be -1.");
  CHECK(error_of([&] { F::celu(x, 0.0); }) == "celu: ZeroDivisionError: alpha cannot be 0 for CELU");
}

TEST_CASE("rrelu: the mean slope in eval mode, its drawn slopes while training", "[nn][activation]") {
  const auto x = ts::tensor({-2.0f, -0.5f, 0.0f, 1.5f}).requires_grad_();
  const auto eval = F::rrelu(x);
  CHECK(eval.grad_fn_name() == "RreluWithNoiseBackward0");
  CHECK(ts::equal(eval, F::leaky_relu(x, (1.0 / 8 + 1.0 / 3) / 2)));
  ts::Generator gen(7);
  const auto y = F::rrelu(x, 0.1, 0.3, true, gen);
  y.sum().backward();
  const auto g = x.grad().to_vector(), v = y.to_vector();
  CHECK(g[3] == 1.0f);
  for (size_t i : {size_t{0}, size_t{1}}) {
    CHECK(g[i] >= 0.1f);
    CHECK(g[i] < 0.3f);
    CHECK(v[i] == -std::vector<float>{2.0f, 0.5f}[i] * g[i]);  // the gradient is the slope drawn
  }
  CHECK(error_of([&] { F::rrelu(x, 0.5, 0.1); }) == "rrelu: Lower bound should be less than or equal to the upper bound");
  ts::nn::RReLU layer(0.1, 0.3, gen);
  layer.eval();
  CHECK(ts::equal(layer(x), F::leaky_relu(x, 0.2)));
}

TEST_CASE("in-place activations write their input and keep PyTorch's rules", "[nn][activation]") {
  // the tensor itself is returned, its values changed, its version bumped
  const ts::Tensor<float> a = ts::tensor({-1.0f, 0.5f, 2.0f});
  const auto before = a.storage().version();
  CHECK(&F::relu_(a) == &a);
  CHECK(a.to_vector() == std::vector<float>{0.0f, 0.5f, 2.0f});
  CHECK(a.storage().version() > before);
  // relu_'s gradient passes a NaN result's, as relu's (PyTorch's threshold_backward)
  const auto nan_leaf = ts::tensor({NAN, -1.0f, 2.0f}).requires_grad_();
  F::relu_(nan_leaf * 1.0f).sum().backward();
  CHECK(nan_leaf.grad().to_vector() == std::vector<float>{1.0f, 0.0f, 1.0f});
  // a leaf that requires grad refuses them, as every in-place op
  const auto leaf = ts::tensor({-1.0f, 0.5f}).requires_grad_();
  CHECK(error_of([&] { F::elu_(leaf); }) == "a leaf Variable that requires grad is being used in an in-place operation.");
  // a negative slope computes, but its backward refuses, as PyTorch
  const auto w = ts::tensor({-1.0f, 0.5f}).requires_grad_();
  const std::string leaky = error_of([&] { F::leaky_relu_(w.clone(), -0.1).sum().backward(); });
  CHECK(leaky.starts_with("In-place leakyReLu backward calculation is triggered with a negative slope"));
  CHECK(error_of([&] { F::celu_(w.clone(), -0.5).sum().backward(); })
            .starts_with("In-place elu backward calculation is triggered with a negative slope"));
  // the result is saved: changing it again in place fails the backward
  const auto y = F::relu_(w * 2.0f);
  y.add_(1.0f);
  CHECK(error_of([&] { y.sum().backward(); }).find("modified by an inplace operation") != std::string::npos);
  // through a view, the base's history is rebased (CopySlices)
  const auto base = w * 1.0f;
  F::hardtanh_(base.narrow(0, 0, 1), -0.5, 0.5);
  CHECK(base.grad_fn_name() == "torch::autograd::CopySlices");  // PyTorch's name
  base.sum().backward();
  CHECK(w.grad().to_vector() == std::vector<float>{0.0f, 1.0f});
}

}  // namespace test_nn_activation
