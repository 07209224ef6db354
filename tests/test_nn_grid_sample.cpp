// nn/grid_sample.hpp against PyTorch 1.13: F.affine_grid and F.grid_sample in every mode and
// padding mode (values, gradients for the input, the grid and theta, error messages from
// tests/golden/grid_sample.txt, written by tests/golden/generate_grid_sample.py), and gradcheck.

#include <cmath>
#include <functional>
#include <map>

#include "call_cases.hpp"
#include "error_of.hpp"
#include "golden.hpp"

namespace test_nn_grid_sample {

namespace {

namespace F = ts::nn::functional;
using ts::Tensor;
using call_cases::got;

// The generator's inputs.
const Tensor<double> x = ts::arange<double>(0, 120).reshape({2, 3, 4, 5}).sin();
const Tensor<double> g = (ts::arange<double>(0, 168).reshape({2, 6, 7, 2}) * 0.37).sin() * 1.3;
const Tensor<double> theta = ts::tensor<double>({{{0.9, -0.3, 0.1}, {0.2, 1.1, -0.25}}, {{-0.5, 0.4, 0.3}, {0.7, 0.6, 0.0}}});
const Tensor<double> x3 = ts::arange<double>(0, 240).reshape({2, 2, 3, 4, 5}).sin();
const Tensor<double> g3 = (ts::arange<double>(0, 144).reshape({2, 3, 4, 2, 3}) * 0.41).sin() * 1.3;
const Tensor<double> theta3 = ts::tensor<double>({{{0.9, -0.3, 0.1, 0.05}, {0.2, 1.1, -0.25, 0.1}, {0.1, 0.2, 0.8, -0.3}},
                                                  {{-0.5, 0.4, 0.3, 0.0}, {0.7, 0.6, 0.0, 0.2}, {0.0, -0.4, 1.2, 0.1}}});
const Tensor<double> odd3 = ts::tensor<double>({double(NAN), 0.2, 0.1, 0.3, double(INFINITY), -0.5, -1.0, 1.0,
                                                double(-INFINITY), 1e12, -0.2, 0.4}).reshape({1, 1, 1, 4, 3});
const Tensor<double> odd = ts::tensor<double>({double(NAN), 0.2, 0.3, double(INFINITY), -1.0, 1.0, 1.0, -1.0}).reshape({1, 1, 4, 2});

const std::map<std::string, std::function<call_cases::Got()>>& value_calls() {
  static const std::map<std::string, std::function<call_cases::Got()>> calls = {
      {"F.affine_grid(theta, (2, 3, 4, 5), align_corners=False)", [] { return got(F::affine_grid(theta, {2, 3, 4, 5})); }},
      {"F.affine_grid(theta, (2, 1, 3, 2), align_corners=True)", [] { return got(F::affine_grid(theta, {2, 1, 3, 2}, true)); }},
      {"F.affine_grid(theta.float(), (2, 3, 1, 4), align_corners=False)",
       [] { return got(F::affine_grid(theta.to<float>(), {2, 3, 1, 4})); }},
      {"F.affine_grid(theta, (2, 3, 5, 1), align_corners=True)", [] { return got(F::affine_grid(theta, {2, 3, 5, 1}, true)); }},
      {"F.grid_sample(x, g, mode='bilinear', padding_mode='zeros', align_corners=False)",
       [] { return got(F::grid_sample(x, g, "bilinear", "zeros", false)); }},
      {"F.grid_sample(x, g, mode='bilinear', padding_mode='zeros', align_corners=True)",
       [] { return got(F::grid_sample(x, g, "bilinear", "zeros", true)); }},
      {"F.grid_sample(x, g, mode='bilinear', padding_mode='border', align_corners=False)",
       [] { return got(F::grid_sample(x, g, "bilinear", "border", false)); }},
      {"F.grid_sample(x, g, mode='bilinear', padding_mode='border', align_corners=True)",
       [] { return got(F::grid_sample(x, g, "bilinear", "border", true)); }},
      {"F.grid_sample(x, g, mode='bilinear', padding_mode='reflection', align_corners=False)",
       [] { return got(F::grid_sample(x, g, "bilinear", "reflection", false)); }},
      {"F.grid_sample(x, g, mode='bilinear', padding_mode='reflection', align_corners=True)",
       [] { return got(F::grid_sample(x, g, "bilinear", "reflection", true)); }},
      {"F.grid_sample(x, g, mode='nearest', padding_mode='zeros', align_corners=False)",
       [] { return got(F::grid_sample(x, g, "nearest", "zeros", false)); }},
      {"F.grid_sample(x, g, mode='nearest', padding_mode='zeros', align_corners=True)",
       [] { return got(F::grid_sample(x, g, "nearest", "zeros", true)); }},
      {"F.grid_sample(x, g, mode='nearest', padding_mode='border', align_corners=False)",
       [] { return got(F::grid_sample(x, g, "nearest", "border", false)); }},
      {"F.grid_sample(x, g, mode='nearest', padding_mode='border', align_corners=True)",
       [] { return got(F::grid_sample(x, g, "nearest", "border", true)); }},
      {"F.grid_sample(x, g, mode='nearest', padding_mode='reflection', align_corners=False)",
       [] { return got(F::grid_sample(x, g, "nearest", "reflection", false)); }},
      {"F.grid_sample(x, g, mode='nearest', padding_mode='reflection', align_corners=True)",
       [] { return got(F::grid_sample(x, g, "nearest", "reflection", true)); }},
      {"F.grid_sample(x, g, mode='bicubic', padding_mode='zeros', align_corners=False)",
       [] { return got(F::grid_sample(x, g, "bicubic", "zeros", false)); }},
      {"F.grid_sample(x, g, mode='bicubic', padding_mode='zeros', align_corners=True)",
       [] { return got(F::grid_sample(x, g, "bicubic", "zeros", true)); }},
      {"F.grid_sample(x, g, mode='bicubic', padding_mode='border', align_corners=False)",
       [] { return got(F::grid_sample(x, g, "bicubic", "border", false)); }},
      {"F.grid_sample(x, g, mode='bicubic', padding_mode='border', align_corners=True)",
       [] { return got(F::grid_sample(x, g, "bicubic", "border", true)); }},
      {"F.grid_sample(x, g, mode='bicubic', padding_mode='reflection', align_corners=False)",
       [] { return got(F::grid_sample(x, g, "bicubic", "reflection", false)); }},
      {"F.grid_sample(x, g, mode='bicubic', padding_mode='reflection', align_corners=True)",
       [] { return got(F::grid_sample(x, g, "bicubic", "reflection", true)); }},
      {"F.grid_sample(x.float(), g.float(), align_corners=False)",
       [] { return got(F::grid_sample(x.to<float>(), g.to<float>())); }},
      {"F.grid_sample(x[:1], odd, align_corners=False)", [] { return got(F::grid_sample(x.narrow(0, 0, 1), odd)); }},
      {"F.grid_sample(x[:1], odd, mode='nearest', align_corners=True)",
       [] { return got(F::grid_sample(x.narrow(0, 0, 1), odd, "nearest", "zeros", true)); }},
      {"F.grid_sample(x[:, :, :1], g, padding_mode='reflection', align_corners=True)",
       [] { return got(F::grid_sample(x.narrow(2, 0, 1), g, "bilinear", "reflection", true)); }},
      {"F.grid_sample(x[:0], g[:0], align_corners=False)", [] { return got(F::grid_sample(x.narrow(0, 0, 0), g.narrow(0, 0, 0))); }},
      {"F.grid_sample(x, F.affine_grid(theta, (2, 3, 3, 4), align_corners=False), align_corners=False)",
       [] { return got(F::grid_sample(x, F::affine_grid(theta, {2, 3, 3, 4}))); }},      {"F.affine_grid(theta3, (2, 2, 3, 4, 5), align_corners=False)", [] { return got(F::affine_grid(theta3, {2, 2, 3, 4, 5})); }},
      {"F.affine_grid(theta3, (2, 1, 1, 3, 2), align_corners=True)",
       [] { return got(F::affine_grid(theta3, {2, 1, 1, 3, 2}, true)); }},
      {"F.grid_sample(x3, g3, mode='bilinear', padding_mode='zeros', align_corners=False)",
       [] { return got(F::grid_sample(x3, g3, "bilinear", "zeros", false)); }},
      {"F.grid_sample(x3, g3, mode='bilinear', padding_mode='zeros', align_corners=True)",
       [] { return got(F::grid_sample(x3, g3, "bilinear", "zeros", true)); }},
      {"F.grid_sample(x3, g3, mode='bilinear', padding_mode='border', align_corners=False)",
       [] { return got(F::grid_sample(x3, g3, "bilinear", "border", false)); }},
      {"F.grid_sample(x3, g3, mode='bilinear', padding_mode='border', align_corners=True)",
       [] { return got(F::grid_sample(x3, g3, "bilinear", "border", true)); }},
      {"F.grid_sample(x3, g3, mode='bilinear', padding_mode='reflection', align_corners=False)",
       [] { return got(F::grid_sample(x3, g3, "bilinear", "reflection", false)); }},
      {"F.grid_sample(x3, g3, mode='bilinear', padding_mode='reflection', align_corners=True)",
       [] { return got(F::grid_sample(x3, g3, "bilinear", "reflection", true)); }},
      {"F.grid_sample(x3, g3, mode='nearest', padding_mode='zeros', align_corners=False)",
       [] { return got(F::grid_sample(x3, g3, "nearest", "zeros", false)); }},
      {"F.grid_sample(x3, g3, mode='nearest', padding_mode='zeros', align_corners=True)",
       [] { return got(F::grid_sample(x3, g3, "nearest", "zeros", true)); }},
      {"F.grid_sample(x3, g3, mode='nearest', padding_mode='border', align_corners=False)",
       [] { return got(F::grid_sample(x3, g3, "nearest", "border", false)); }},
      {"F.grid_sample(x3, g3, mode='nearest', padding_mode='border', align_corners=True)",
       [] { return got(F::grid_sample(x3, g3, "nearest", "border", true)); }},
      {"F.grid_sample(x3, g3, mode='nearest', padding_mode='reflection', align_corners=False)",
       [] { return got(F::grid_sample(x3, g3, "nearest", "reflection", false)); }},
      {"F.grid_sample(x3, g3, mode='nearest', padding_mode='reflection', align_corners=True)",
       [] { return got(F::grid_sample(x3, g3, "nearest", "reflection", true)); }},
      {"F.grid_sample(x3.float(), g3.float(), align_corners=False)",
       [] { return got(F::grid_sample(x3.to<float>(), g3.to<float>())); }},
      {"F.grid_sample(x3[:, :, :, :, :1], g3, padding_mode='reflection', align_corners=True)",
       [] { return got(F::grid_sample(x3.narrow(4, 0, 1), g3, "bilinear", "reflection", true)); }},
      {"F.grid_sample(x3, F.affine_grid(theta3, (2, 2, 2, 3, 4), align_corners=True), align_corners=True)",
       [] { return got(F::grid_sample(x3, F::affine_grid(theta3, {2, 2, 2, 3, 4}, true), "bilinear", "zeros", true)); }},
      {"F.grid_sample(x3[:0], g3[:0], align_corners=False)",
       [] { return got(F::grid_sample(x3.narrow(0, 0, 0), g3.narrow(0, 0, 0))); }},      {"F.grid_sample(x3[:1], odd3, mode='bilinear', padding_mode='zeros', align_corners=False)",
       [] { return got(F::grid_sample(x3.narrow(0, 0, 1), odd3, "bilinear", "zeros")); }},
      {"F.grid_sample(x3[:1], odd3, mode='bilinear', padding_mode='border', align_corners=False)",
       [] { return got(F::grid_sample(x3.narrow(0, 0, 1), odd3, "bilinear", "border")); }},
      {"F.grid_sample(x3[:1], odd3, mode='bilinear', padding_mode='reflection', align_corners=False)",
       [] { return got(F::grid_sample(x3.narrow(0, 0, 1), odd3, "bilinear", "reflection")); }},
      {"F.grid_sample(x3[:1], odd3, mode='nearest', padding_mode='zeros', align_corners=False)",
       [] { return got(F::grid_sample(x3.narrow(0, 0, 1), odd3, "nearest", "zeros")); }},
      {"F.grid_sample(x3[:1], odd3, mode='nearest', padding_mode='border', align_corners=False)",
       [] { return got(F::grid_sample(x3.narrow(0, 0, 1), odd3, "nearest", "border")); }},
      {"F.grid_sample(x3[:1], odd3, mode='nearest', padding_mode='reflection', align_corners=False)",
       [] { return got(F::grid_sample(x3.narrow(0, 0, 1), odd3, "nearest", "reflection")); }},
      {"F.affine_grid(theta3, (2, 0, 1, 3, 2), align_corners=True)",
       [] { return got(F::affine_grid(theta3, {2, 0, 1, 3, 2}, true)); }},
  };
  return calls;
}

using Fn = call_cases::GradFn;
const std::map<std::string, Fn>& grad_calls() {
  static const std::map<std::string, Fn> calls = {
      {"F.grid_sample(X, g, align_corners=False)", [](const Tensor<double>& t) { return F::grid_sample(t, g); }},
      {"F.grid_sample(X, g, mode='nearest', padding_mode='reflection', align_corners=True)",
       [](const Tensor<double>& t) { return F::grid_sample(t, g, "nearest", "reflection", true); }},
      {"F.grid_sample(x, (X * 0.09).sin() * 1.2, align_corners=False)",
       [](const Tensor<double>& t) { return F::grid_sample(x, (t * 0.09).sin() * 1.2); }},
      {"F.grid_sample(x, (X * 0.09).sin() * 1.2, padding_mode='border', align_corners=True)",
       [](const Tensor<double>& t) { return F::grid_sample(x, (t * 0.09).sin() * 1.2, "bilinear", "border", true); }},
      {"F.grid_sample(x, (X * 0.09).sin() * 1.2, padding_mode='reflection', align_corners=False)",
       [](const Tensor<double>& t) { return F::grid_sample(x, (t * 0.09).sin() * 1.2, "bilinear", "reflection"); }},
      {"F.grid_sample(x, (X * 0.09).sin() * 1.2, mode='nearest', align_corners=False)",
       [](const Tensor<double>& t) { return F::grid_sample(x, (t * 0.09).sin() * 1.2, "nearest"); }},
      {"F.grid_sample(X, g, mode='bicubic', padding_mode='reflection', align_corners=False)",
       [](const Tensor<double>& t) { return F::grid_sample(t, g, "bicubic", "reflection"); }},
      {"F.grid_sample(x, (X * 0.09).sin() * 1.2, mode='bicubic', align_corners=True)",
       [](const Tensor<double>& t) { return F::grid_sample(x, (t * 0.09).sin() * 1.2, "bicubic", "zeros", true); }},
      {"F.grid_sample(x, (X * 0.09).sin() * 1.2, mode='bicubic', padding_mode='border', align_corners=False)",
       [](const Tensor<double>& t) { return F::grid_sample(x, (t * 0.09).sin() * 1.2, "bicubic", "border"); }},
      {"F.grid_sample(x, X, padding_mode='border', align_corners=True)",
       [](const Tensor<double>& t) { return F::grid_sample(x, t, "bilinear", "border", true); }},
      {"F.grid_sample(x, X * 0.5, padding_mode='reflection', align_corners=True)",
       [](const Tensor<double>& t) { return F::grid_sample(x, t * 0.5, "bilinear", "reflection", true); }},
      {"F.affine_grid(X, (2, 3, 4, 5), align_corners=False)", [](const Tensor<double>& t) { return F::affine_grid(t, {2, 3, 4, 5}); }},
      {"F.affine_grid(X, (2, 3, 4, 5), align_corners=True)",
       [](const Tensor<double>& t) { return F::affine_grid(t, {2, 3, 4, 5}, true); }},      {"F.grid_sample(X, g3, align_corners=False)", [](const Tensor<double>& t) { return F::grid_sample(t, g3); }},
      {"F.grid_sample(X, g3, mode='nearest', padding_mode='border', align_corners=True)",
       [](const Tensor<double>& t) { return F::grid_sample(t, g3, "nearest", "border", true); }},
      {"F.grid_sample(x3, (X * 0.09).sin() * 1.2, align_corners=False)",
       [](const Tensor<double>& t) { return F::grid_sample(x3, (t * 0.09).sin() * 1.2); }},
      {"F.grid_sample(x3, (X * 0.09).sin() * 1.2, padding_mode='border', align_corners=True)",
       [](const Tensor<double>& t) { return F::grid_sample(x3, (t * 0.09).sin() * 1.2, "bilinear", "border", true); }},
      {"F.grid_sample(x3, (X * 0.09).sin() * 1.2, padding_mode='reflection', align_corners=False)",
       [](const Tensor<double>& t) { return F::grid_sample(x3, (t * 0.09).sin() * 1.2, "bilinear", "reflection"); }},
      {"F.affine_grid(X, (2, 2, 3, 4, 5), align_corners=False)",
       [](const Tensor<double>& t) { return F::affine_grid(t, {2, 2, 3, 4, 5}); }},  };
  return calls;
}

const std::map<std::string, call_cases::ErrorCall>& error_calls() {
  static const std::map<std::string, call_cases::ErrorCall> calls = {
      {"F.grid_sample(x, g, mode='foo', align_corners=False)", {"grid_sample", [] { F::grid_sample(x, g, "foo"); }}},
      {"F.grid_sample(x, g, padding_mode='foo', align_corners=False)",
       {"grid_sample", [] { F::grid_sample(x, g, "bilinear", "foo"); }}},
      {"F.grid_sample(x, g[:1], align_corners=False)", {"grid_sample", [] { F::grid_sample(x, g.narrow(0, 0, 1)); }}},
      {"F.grid_sample(x, g[..., :1], align_corners=False)", {"grid_sample", [] { F::grid_sample(x, g.narrow(3, 0, 1)); }}},
      {"F.grid_sample(x[:, :, :0], g, align_corners=False)", {"grid_sample", [] { F::grid_sample(x.narrow(2, 0, 0), g); }}},
      {"F.grid_sample(x[0], g, align_corners=False)", {"grid_sample", [] { F::grid_sample(x[0], g); }}},
      {"F.affine_grid(theta, (2, 3, 0, 5), align_corners=False)", {"affine_grid", [] { F::affine_grid(theta, {2, 3, 0, 5}); }}},
      {"F.grid_sample(x3, g3, mode='bicubic', align_corners=False)", {"grid_sample", [] { F::grid_sample(x3, g3, "bicubic"); }}},
      {"F.grid_sample(x3, g, align_corners=False)", {"grid_sample", [] { F::grid_sample(x3, g); }}},
      {"F.grid_sample(x3, g3[:, 0], align_corners=False)", {"grid_sample", [] { F::grid_sample(x3, g3.select(1, 0)); }}},
      {"F.grid_sample(x3[0], g3, align_corners=False)", {"grid_sample", [] { F::grid_sample(x3[0], g3); }}},
      {"F.affine_grid(theta3, (2, 2, 0, 4, 5), align_corners=False)", {"affine_grid", [] { F::affine_grid(theta3, {2, 2, 0, 4, 5}); }}},
      {"F.affine_grid(theta3, (2, 2, 3, 4, 5, 6), align_corners=False)",
       {"affine_grid", [] { F::affine_grid(theta3, {2, 2, 3, 4, 5, 6}); }}},
  };
  return calls;
}

}  // namespace

TEST_CASE("affine_grid and grid_sample give PyTorch's values", "[grid_sample][golden]") {
  call_cases::check_value_cases("grid_sample.txt", value_calls(), [](const auto& have, const auto& want, const auto&) {
    const double tolerance = want.dtype == ts::DType::Float32 ? 1e-5 : 1e-12;  // PyTorch's kernels round otherwise
    for (size_t i = 0; i < want.values.size(); ++i) {
      INFO("element " << i);
      if (std::isnan(want.values[i])) CHECK(std::isnan(have.values[i]));
      else CHECK(have.values[i] == Approx(want.values[i]).margin(tolerance));
    }
  });
}

TEST_CASE("affine_grid and grid_sample give PyTorch's gradients and pass gradcheck", "[grid_sample][golden][gradcheck]") {
  call_cases::check_grad_cases("grid_sample.txt", grad_calls(), 0.3);
}

TEST_CASE("affine_grid and grid_sample refuse what PyTorch refuses, with its messages", "[grid_sample][golden]") {
  call_cases::check_error_cases("grid_sample.txt", error_calls());
  CHECK(error_of([] { F::affine_grid(theta.narrow(2, 0, 2), {2, 3, 4, 5}); }) ==
        "affine_grid: Expected a batch of 2D affine matrices of shape Nx2x3 for size (2, 3, 4, 5). Got [2, 2, 2].");
  // PyTorch's messages, with the C++ frontend's spelling of the sizes
  CHECK(error_of([] { F::affine_grid(theta, {2, 2, 3, 4, 5}); }) ==
        "affine_grid: Expected a batch of 3D affine matrices of shape Nx3x4 for size (2, 2, 3, 4, 5). Got [2, 2, 3].");
  CHECK(error_of([] { F::affine_grid(theta3, {2, 2, 3, 4}); }) ==
        "affine_grid: Expected a batch of 2D affine matrices of shape Nx2x3 for size (2, 2, 3, 4). Got [2, 3, 4].");
  // the identity map samples the image itself
  const auto identity = ts::tensor<double>({{{1.0, 0.0, 0.0}, {0.0, 1.0, 0.0}}}).expand({2, 2, 3});
  CHECK(ts::allclose(F::grid_sample(x, F::affine_grid(identity, {2, 3, 4, 5})), x, 1e-12, 1e-12));
  CHECK(ts::allclose(F::grid_sample(x, F::affine_grid(identity, {2, 3, 4, 5}, true), "bilinear", "zeros", true), x,
                     1e-12, 1e-12));
  // PyTorch's CPU kernels have neither half nor bfloat16
  CHECK(error_of([] { F::grid_sample(x.to<ts::half>(), g.to<ts::half>()); }) == "grid_sampler_2d_cpu not implemented for Half");
  CHECK(error_of([] { F::grid_sample(x3.to<ts::bfloat16>(), g3.to<ts::bfloat16>()); }) ==
        "\"grid_sampler3d_cpu\" not implemented for 'BFloat16'");
  const auto identity3 = ts::eye<double>(3, 4).unsqueeze(0).expand({2, 3, 4});
  CHECK(ts::allclose(F::grid_sample(x3, F::affine_grid(identity3, {2, 2, 3, 4, 5})), x3, 1e-12, 1e-12));
}

}  // namespace test_nn_grid_sample
