// nn/utils.hpp: gradient clipping against torch.nn.utils (tests/golden/nn_utils.txt from
// tests/golden/generate_nn_utils.py), and the flattening of parameters into one vector.

#include <cmath>

#include "error_of.hpp"
#include "golden.hpp"

namespace test_nn_utils {

namespace {

// The gradient k of the generator: ((7 i + 3 k) % 13 - 6) * scale.
template <class T>
ts::Tensor<T> fixed_grad(const ts::Shape& shape, int64_t k, double scale) {
  std::vector<T> v;
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  for (int64_t i = 0; i < n; ++i) v.push_back(static_cast<T>(static_cast<double>((7 * i + 3 * k) % 13 - 6) * scale));
  return ts::from_vector(v, shape);
}

template <class T>
void run_clip_case(const golden::Record& r) {
  INFO(r.name);
  const double scale = std::stod(r.get("scale")), arg = std::stod(r.get("arg"));
  std::vector<ts::Tensor<T>> params;
  int64_t k = 0;
  for (const auto& [key, value] : r.fields) {
    if (key != "shape" && key != "nograd") continue;
    if (key == "nograd") {
      params.push_back(ts::zeros<T>({2}).requires_grad_());
    } else {
      const ts::Shape shape(golden::ints(value));
      ts::Tensor<T> p = ts::zeros<T>(shape).requires_grad_();
      (p * fixed_grad<T>(shape, k, scale)).sum().backward();  // p.grad() = the fixed gradient
      params.push_back(p);
    }
    ++k;
  }
  if (r.get("kind") == "norm") {
    const double norm_type = r.get("norm_type") == "inf" ? INFINITY : r.get("norm_type") == "-inf" ? -INFINITY
                                                                                                  : std::stod(r.get("norm_type"));
    const ts::Tensor<T> total = ts::nn::utils::clip_grad_norm_(params, arg, norm_type);
    CHECK(total.dim() == 0);
    const T want = golden::values<T>(r.get("total"))[0];
    CHECK_THAT(static_cast<double>(total.item()), Catch::Matchers::WithinRel(static_cast<double>(want), 1e-6));
  } else {
    ts::nn::utils::clip_grad_value_(params, arg);
  }
  const std::vector<std::string> grads = r.all("grad");
  size_t g = 0;
  for (const ts::Tensor<T>& p : params) {
    if (!p.grad().defined()) continue;
    const std::vector<T> got = p.grad().contiguous().to_vector(), want = golden::values<T>(grads.at(g++));
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i)
      CHECK_THAT(static_cast<double>(got[i]), Catch::Matchers::WithinRel(static_cast<double>(want[i]), 1e-6) ||
                                                  Catch::Matchers::WithinAbs(static_cast<double>(want[i]), 1e-12));
  }
  CHECK(g == grads.size());
}

}  // namespace

TEST_CASE("clip_grad_norm_ and clip_grad_value_ give PyTorch's norms and gradients", "[nn][utils][golden]") {
  // The norms of the gradients are float sums in another order than PyTorch's: within 1e-6.
  int cases = 0;
  for (const auto& r : golden::load("nn_utils.txt")) {
    if (r.get("dtype") == "float32") run_clip_case<float>(r);
    else run_clip_case<double>(r);
    ++cases;
  }
  CHECK(cases == 32);
}

TEST_CASE("clip_grad_norm_ edges: no gradients, a single tensor, non-finite norms", "[nn][utils]") {
  namespace U = ts::nn::utils;
  const ts::Tensor<float> p = ts::zeros<float>({3}).requires_grad_();
  const ts::Tensor<float> none = U::clip_grad_norm_(std::vector<ts::Tensor<float>>{p}, 1.0);
  CHECK(none.dim() == 0);
  CHECK(none.item() == 0.0f);

  (p * ts::tensor({3.0f, 0.0f, 4.0f})).sum().backward();
  CHECK(U::clip_grad_norm_(p, 1.0).item() == 5.0f);  // one tensor, as PyTorch accepts
  CHECK_THAT(p.grad().to_vector()[0], Catch::Matchers::WithinRel(0.6f, 1e-5f));

  p.grad().fill_(INFINITY);
  CHECK(error_of([&] { U::clip_grad_norm_(p, 1.0, 2.0, true); }) ==
        "clip_grad_norm_: The total norm of order 2 for gradients from `parameters` is non-finite, so it cannot be "
        "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
        "`error_if_nonfinite=False`");
  CHECK(std::isinf(U::clip_grad_norm_(p, 1.0).item()));  // scaled by 1 / inf, as PyTorch: 0 * inf is NaN
  CHECK(std::isnan(p.grad().to_vector()[0]));
}

TEST_CASE("parameters_to_vector and vector_to_parameters round-trip", "[nn][utils]") {
  namespace U = ts::nn::utils;
  const std::vector<ts::Tensor<float>> params = {ts::arange<float>(0, 6).reshape({2, 3}), ts::tensor({7.0f, 8.0f}),
                                                 ts::full<float>({1, 1, 2}, 9.0f)};
  const ts::Tensor<float> v = U::parameters_to_vector(params);
  CHECK(v.to_vector() == std::vector<float>{0, 1, 2, 3, 4, 5, 7, 8, 9, 9});
  U::vector_to_parameters(v * 2, params);
  CHECK(params[0].to_vector() == std::vector<float>{0, 2, 4, 6, 8, 10});
  CHECK(params[1].to_vector() == std::vector<float>{14, 16});
  CHECK(error_of([&] { U::vector_to_parameters(ts::zeros<float>({3}), params); }) ==
        "vector_to_parameters: expected a 1-D vector of 10 elements for the parameters, got shape [3]");
  CHECK(error_of([&] { U::parameters_to_vector(std::vector<ts::Tensor<float>>{}); }) ==
        "parameters_to_vector: expected at least one parameter");
}

}  // namespace test_nn_utils
