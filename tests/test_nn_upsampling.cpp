// nn/upsampling.hpp against PyTorch 1.13: F.interpolate (nearest, nearest-exact, linear, bilinear;
// sizes and scale factors, align_corners) and the layers Upsample, UpsamplingNearest2d and
// UpsamplingBilinear2d (values, gradients, error messages from tests/golden/upsampling.txt, written
// by tests/golden/generate_upsampling.py), gradcheck, and other devices' paths through the same ops.

#include <cmath>
#include <functional>
#include <map>

#include "call_cases.hpp"
#include "error_of.hpp"
#include "golden.hpp"

namespace test_nn_upsampling {

namespace {

namespace F = ts::nn::functional;
namespace nn = ts::nn;
using ts::Tensor;

using call_cases::got;

// The generator's inputs.
const Tensor<float> x = ts::arange<float>(0, 24).reshape({1, 2, 3, 4}).sin();
const Tensor<float> s = ts::arange<float>(0, 10).reshape({2, 1, 5}).cos();
const Tensor<double> d = ts::arange<double>(0, 20).reshape({1, 1, 4, 5}) * 0.5 - 3;
const Tensor<float> v = ts::arange<float>(0, 72).reshape({1, 2, 3, 4, 3}).sin();
const Tensor<double> vd = ts::arange<double>(0, 72).reshape({1, 2, 3, 4, 3}) * 0.25 - 9;

const std::map<std::string, std::function<call_cases::Got()>>& value_calls() {
  static const std::map<std::string, std::function<call_cases::Got()>> calls = {
      {"F.interpolate(s, size=8)", [] { return got(F::interpolate(s, {.size = {8}})); }},
      {"F.interpolate(s, size=10)", [] { return got(F::interpolate(s, {.size = {10}})); }},
      {"F.interpolate(s, size=3)", [] { return got(F::interpolate(s, {.size = {3}})); }},
      {"F.interpolate(s, scale_factor=1.7)", [] { return got(F::interpolate(s, {.scale_factor = {1.7}})); }},
      {"F.interpolate(s, scale_factor=1.7, recompute_scale_factor=True)",
       [] { return got(F::interpolate(s, {.scale_factor = {1.7}, .recompute_scale_factor = true})); }},
      {"F.interpolate(s, size=7, mode='nearest-exact')",
       [] { return got(F::interpolate(s, {.size = {7}, .mode = "nearest-exact"})); }},
      {"F.interpolate(x, size=(5, 7))", [] { return got(F::interpolate(x, {.size = {5, 7}})); }},
      {"F.interpolate(x, size=(6, 8))", [] { return got(F::interpolate(x, {.size = {6, 8}})); }},
      {"F.interpolate(x, scale_factor=(2.5, 0.6))", [] { return got(F::interpolate(x, {.scale_factor = {2.5, 0.6}})); }},
      {"F.interpolate(x, size=4)", [] { return got(F::interpolate(x, {.size = {4}})); }},
      {"F.interpolate(x, scale_factor=1.5, mode='nearest-exact')",
       [] { return got(F::interpolate(x, {.scale_factor = {1.5}, .mode = "nearest-exact"})); }},
      {"F.interpolate(s, size=8, mode='linear')", [] { return got(F::interpolate(s, {.size = {8}, .mode = "linear"})); }},
      {"F.interpolate(s, size=8, mode='linear', align_corners=True)",
       [] { return got(F::interpolate(s, {.size = {8}, .mode = "linear", .align_corners = true})); }},
      {"F.interpolate(s, size=3, mode='linear')", [] { return got(F::interpolate(s, {.size = {3}, .mode = "linear"})); }},
      {"F.interpolate(s, size=1, mode='linear', align_corners=True)",
       [] { return got(F::interpolate(s, {.size = {1}, .mode = "linear", .align_corners = true})); }},
      {"F.interpolate(s, scale_factor=2.3, mode='linear')",
       [] { return got(F::interpolate(s, {.scale_factor = {2.3}, .mode = "linear"})); }},
      {"F.interpolate(s, scale_factor=2.3, mode='linear', recompute_scale_factor=True)",
       [] { return got(F::interpolate(s, {.scale_factor = {2.3}, .mode = "linear", .recompute_scale_factor = true})); }},
      {"F.interpolate(s, size=5, mode='linear')", [] { return got(F::interpolate(s, {.size = {5}, .mode = "linear"})); }},
      {"F.interpolate(s, scale_factor=1.1, mode='linear')",
       [] { return got(F::interpolate(s, {.scale_factor = {1.1}, .mode = "linear"})); }},
      {"F.interpolate(x, size=(5, 7), mode='bilinear')",
       [] { return got(F::interpolate(x, {.size = {5, 7}, .mode = "bilinear"})); }},
      {"F.interpolate(x, size=(5, 7), mode='bilinear', align_corners=True)",
       [] { return got(F::interpolate(x, {.size = {5, 7}, .mode = "bilinear", .align_corners = true})); }},
      {"F.interpolate(x, size=(2, 3), mode='bilinear')",
       [] { return got(F::interpolate(x, {.size = {2, 3}, .mode = "bilinear"})); }},
      {"F.interpolate(x, scale_factor=1.7, mode='bilinear')",
       [] { return got(F::interpolate(x, {.scale_factor = {1.7}, .mode = "bilinear"})); }},
      {"F.interpolate(x, scale_factor=(1.7, 0.8), mode='bilinear', align_corners=True)",
       [] { return got(F::interpolate(x, {.scale_factor = {1.7, 0.8}, .mode = "bilinear", .align_corners = true})); }},
      {"F.interpolate(x, scale_factor=1.7, mode='bilinear', recompute_scale_factor=True)",
       [] { return got(F::interpolate(x, {.scale_factor = {1.7}, .mode = "bilinear", .recompute_scale_factor = true})); }},
      {"F.interpolate(d, size=(7, 3), mode='bilinear')",
       [] { return got(F::interpolate(d, {.size = {7, 3}, .mode = "bilinear"})); }},
      {"F.interpolate(d, size=(3, 9), mode='nearest')", [] { return got(F::interpolate(d, {.size = {3, 9}})); }},
      {"F.interpolate(d, scale_factor=0.7, mode='bilinear', align_corners=True)",
       [] { return got(F::interpolate(d, {.scale_factor = {0.7}, .mode = "bilinear", .align_corners = true})); }},
      {"nn.Upsample(scale_factor=2)(x)", [] { return got(nn::Upsample({.scale_factor = {2}})(x)); }},
      {"nn.Upsample(size=(4, 6), mode='bilinear')(x)",
       [] { return got(nn::Upsample({.size = {4, 6}, .mode = "bilinear"})(x)); }},
      {"nn.Upsample(scale_factor=3, mode='linear', align_corners=True)(s)",
       [] { return got(nn::Upsample({.scale_factor = {3}, .mode = "linear", .align_corners = true})(s)); }},
      {"nn.UpsamplingNearest2d(size=(5, 5))(x)", [] { return got(nn::UpsamplingNearest2d({.size = {5, 5}})(x)); }},
      {"nn.UpsamplingNearest2d(scale_factor=2)(x)", [] { return got(nn::UpsamplingNearest2d({.scale_factor = {2}})(x)); }},
      {"nn.UpsamplingBilinear2d(scale_factor=2)(x)", [] { return got(nn::UpsamplingBilinear2d({.scale_factor = {2}})(x)); }},
      {"nn.UpsamplingBilinear2d(size=(4, 7))(x)", [] { return got(nn::UpsamplingBilinear2d({.size = {4, 7}})(x)); }},
      {"F.interpolate(s, scale_factor=1.1)", [] { return got(F::interpolate(s, {.scale_factor = {1.1}})); }},
      {"F.interpolate(s, scale_factor=2.1)", [] { return got(F::interpolate(s, {.scale_factor = {2.1}})); }},
      {"F.interpolate(x, scale_factor=1.2)", [] { return got(F::interpolate(x, {.scale_factor = {1.2}})); }},
      {"F.interpolate(x, scale_factor=2.1)", [] { return got(F::interpolate(x, {.scale_factor = {2.1}})); }},
      {"F.interpolate(x[:, :1], scale_factor=1.2)",
       [] { return got(F::interpolate(x.slice(1, 0, 1), {.scale_factor = {1.2}})); }},
      {"F.interpolate(x[:, :1], scale_factor=2.1)",
       [] { return got(F::interpolate(x.slice(1, 0, 1), {.scale_factor = {2.1}})); }},
      {"F.interpolate(x, size=(5, 7), mode='bicubic')", [] { return got(F::interpolate(x, {.size = {5, 7}, .mode = "bicubic"})); }},
      {"F.interpolate(x, size=(5, 7), mode='bicubic', align_corners=True)",
       [] { return got(F::interpolate(x, {.size = {5, 7}, .mode = "bicubic", .align_corners = true})); }},
      {"F.interpolate(x, size=(2, 3), mode='bicubic')", [] { return got(F::interpolate(x, {.size = {2, 3}, .mode = "bicubic"})); }},
      {"F.interpolate(x, scale_factor=1.7, mode='bicubic')",
       [] { return got(F::interpolate(x, {.scale_factor = {1.7}, .mode = "bicubic"})); }},
      {"F.interpolate(d, size=(7, 3), mode='bicubic')", [] { return got(F::interpolate(d, {.size = {7, 3}, .mode = "bicubic"})); }},
      {"F.interpolate(d, scale_factor=(0.7, 2.2), mode='bicubic', align_corners=True)",
       [] { return got(F::interpolate(d, {.scale_factor = {0.7, 2.2}, .mode = "bicubic", .align_corners = true})); }},
      {"nn.Upsample(scale_factor=2, mode='bicubic')(x)",
       [] { return got(nn::Upsample({.scale_factor = {2}, .mode = "bicubic"})(x)); }},
      {"F.interpolate(v, size=(4, 6, 5), mode='trilinear')",
       [] { return got(F::interpolate(v, {.size = {4, 6, 5}, .mode = "trilinear"})); }},
      {"F.interpolate(v, size=(2, 3, 7), mode='trilinear', align_corners=True)",
       [] { return got(F::interpolate(v, {.size = {2, 3, 7}, .mode = "trilinear", .align_corners = true})); }},
      {"F.interpolate(v, scale_factor=(1.5, 0.5, 2.0), mode='trilinear')",
       [] { return got(F::interpolate(v, {.scale_factor = {1.5, 0.5, 2.0}, .mode = "trilinear"})); }},
      {"F.interpolate(v, size=(5, 3, 4))", [] { return got(F::interpolate(v, {.size = {5, 3, 4}})); }},
      {"F.interpolate(v, scale_factor=1.7, mode='nearest-exact')",
       [] { return got(F::interpolate(v, {.scale_factor = {1.7}, .mode = "nearest-exact"})); }},
      {"F.interpolate(vd, size=(3, 8, 2), mode='trilinear')",
       [] { return got(F::interpolate(vd, {.size = {3, 8, 2}, .mode = "trilinear"})); }},
      {"F.interpolate(x, scale_factor=1.2, mode='bicubic')",
       [] { return got(F::interpolate(x, {.scale_factor = {1.2}, .mode = "bicubic"})); }},
      {"F.interpolate(v[:, :1], scale_factor=1.2)", [] { return got(F::interpolate(v.narrow(1, 0, 1), {.scale_factor = {1.2}})); }},
      {"F.interpolate(v[:, :1], scale_factor=2.1)", [] { return got(F::interpolate(v.narrow(1, 0, 1), {.scale_factor = {2.1}})); }},
  };
  return calls;
}

using Fn = call_cases::GradFn;
const std::map<std::string, Fn>& grad_calls() {
  static const std::map<std::string, Fn> calls = {
      {"F.interpolate(X, size=8)", [](const Tensor<double>& X) { return F::interpolate(X, {.size = {8}}); }},
      {"F.interpolate(X, size=(5, 7))", [](const Tensor<double>& X) { return F::interpolate(X, {.size = {5, 7}}); }},
      {"F.interpolate(X, size=8, mode='linear')",
       [](const Tensor<double>& X) { return F::interpolate(X, {.size = {8}, .mode = "linear"}); }},
      {"F.interpolate(X, size=3, mode='linear', align_corners=True)",
       [](const Tensor<double>& X) { return F::interpolate(X, {.size = {3}, .mode = "linear", .align_corners = true}); }},
      {"F.interpolate(X, size=(5, 7), mode='bilinear')",
       [](const Tensor<double>& X) { return F::interpolate(X, {.size = {5, 7}, .mode = "bilinear"}); }},
      {"F.interpolate(X, scale_factor=1.7, mode='bilinear', align_corners=True)",
       [](const Tensor<double>& X) {
         return F::interpolate(X, {.scale_factor = {1.7}, .mode = "bilinear", .align_corners = true});
       }},
      {"F.interpolate(X, size=(2, 3), mode='bilinear')",
       [](const Tensor<double>& X) { return F::interpolate(X, {.size = {2, 3}, .mode = "bilinear"}); }},
      {"F.interpolate(X, size=(5, 7), mode='bicubic')",
       [](const Tensor<double>& t) { return F::interpolate(t, {.size = {5, 7}, .mode = "bicubic"}); }},
      {"F.interpolate(X, scale_factor=1.7, mode='bicubic', align_corners=True)",
       [](const Tensor<double>& t) { return F::interpolate(t, {.scale_factor = {1.7}, .mode = "bicubic", .align_corners = true}); }},
      {"F.interpolate(X, size=(4, 6, 5), mode='trilinear')",
       [](const Tensor<double>& t) { return F::interpolate(t, {.size = {4, 6, 5}, .mode = "trilinear"}); }},
      {"F.interpolate(X, size=(5, 3, 4))", [](const Tensor<double>& t) { return F::interpolate(t, {.size = {5, 3, 4}}); }},
  };
  return calls;
}

const std::map<std::string, std::function<void()>>& error_calls() {
  static const std::map<std::string, std::function<void()>> calls = {
      {"F.interpolate(x, size=(5, 6), mode='linear')", [] { F::interpolate(x, {.size = {5, 6}, .mode = "linear"}); }},
      {"F.interpolate(x[0], size=5, mode='bilinear')", [] { F::interpolate(x[0], {.size = {5}, .mode = "bilinear"}); }},
      {"F.interpolate(x[0, 0], size=5)", [] { F::interpolate(x[0][0], {.size = {5}}); }},
      {"F.interpolate(x, size=5, scale_factor=2.0)", [] { F::interpolate(x, {.size = {5}, .scale_factor = {2.0}}); }},
      {"F.interpolate(x)", [] { F::interpolate(x, {}); }},
      {"F.interpolate(x, size=5, mode='nearest', align_corners=True)",
       [] { F::interpolate(x, {.size = {5}, .mode = "nearest", .align_corners = true}); }},
      {"F.interpolate(x, size=5, mode='foo')", [] { F::interpolate(x, {.size = {5}, .mode = "foo"}); }},
      {"F.interpolate(x, size=(5, 6, 7))", [] { F::interpolate(x, {.size = {5, 6, 7}}); }},
      {"F.interpolate(x, scale_factor=(2.0, 3.0, 1.5))", [] { F::interpolate(x, {.scale_factor = {2.0, 3.0, 1.5}}); }},
      {"F.interpolate(x.unsqueeze(0), size=5, mode='bilinear')",
       [] { F::interpolate(x.unsqueeze(0), {.size = {5}, .mode = "bilinear"}); }},
      {"F.interpolate(x, size=(0, 3))", [] { F::interpolate(x, {.size = {0, 3}}); }},
      {"F.interpolate(x, scale_factor=0.1)", [] { F::interpolate(x, {.scale_factor = {0.1}}); }},
      {"F.interpolate(s, scale_factor=0.1, mode='linear')",
       [] { F::interpolate(s, {.scale_factor = {0.1}, .mode = "linear"}); }},
      {"F.interpolate(x, size=5, recompute_scale_factor=True)",
       [] { F::interpolate(x, {.size = {5}, .recompute_scale_factor = true}); }},
      {"F.interpolate(s, size=5, mode='bicubic')", [] { F::interpolate(s, {.size = {5}, .mode = "bicubic"}); }},
      {"F.interpolate(v, size=(3, 5, 7), mode='bilinear')", [] { F::interpolate(v, {.size = {3, 5, 7}, .mode = "bilinear"}); }},
      {"F.interpolate(v, size=(0, 5, 7), mode='trilinear')", [] { F::interpolate(v, {.size = {0, 5, 7}, .mode = "trilinear"}); }},
      {"F.interpolate(x, size=(5, 7), mode='trilinear')", [] { F::interpolate(x, {.size = {5, 7}, .mode = "trilinear"}); }},
  };
  return calls;
}

/** Equal within `ulps` units in the last place (the weighted sums run in another order; PyTorch's
 *  bicubic kernel fuses some of its multiply-adds). */
bool close(const std::vector<double>& a, const std::vector<double>& b, ts::DType dtype, int ulps = 4) {
  const double ulp = dtype == ts::DType::Float64 ? 0x1p-52 : 0x1p-23;
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i] || std::abs(a[i] - b[i]) <= ulps * ulp * std::max(std::abs(b[i]), 1.0))) return false;
  return true;
}

}  // namespace

TEST_CASE("interpolate and the upsampling layers give PyTorch's values", "[upsampling][golden]") {
  call_cases::check_value_cases("upsampling.txt", value_calls(), [](const auto& have, const auto& want, const auto& r) {
    // sin and cos may differ in the last bit
    const int ulps = r.name.find("bicubic") != std::string::npos ? 32 : 4;
    CHECK(close(have.values, want.values, have.dtype, ulps));
  });
}

TEST_CASE("interpolate gives PyTorch's gradients and passes gradcheck", "[upsampling][golden][gradcheck]") {
  call_cases::check_grad_cases("upsampling.txt", grad_calls());
}

TEST_CASE("interpolate records PyTorch's nodes, whose gradients differentiate again", "[upsampling][golden][gradcheck]") {
  const auto r = [](const Tensor<float>& t) { return t.detach().requires_grad_(); };
  const Tensor<float> xg = r(x), sg = r(s), vg = r(v);
  using O = ts::nn::InterpolateOptions;
  const auto node = [](const Tensor<float>& input, const O& o) { return [=] { return F::interpolate(input, o).grad_fn_name(); }; };
  const std::map<std::string, std::function<std::string()>> calls = {
      {"F.interpolate(sg, scale_factor=2)", node(sg, {.scale_factor = {2}})},
      {"F.interpolate(sg, size=7, mode='nearest-exact')", node(sg, {.size = {7}, .mode = "nearest-exact"})},
      {"F.interpolate(xg, size=(5, 7))", node(xg, {.size = {5, 7}})},
      {"F.interpolate(xg, size=(3, 4))", node(xg, {.size = {3, 4}})},
      {"F.interpolate(vg, size=(4, 5, 6))", node(vg, {.size = {4, 5, 6}})},
      {"F.interpolate(vg, scale_factor=1.5, mode='nearest-exact')", node(vg, {.scale_factor = {1.5}, .mode = "nearest-exact"})},
      {"F.interpolate(sg, size=7, mode='linear')", node(sg, {.size = {7}, .mode = "linear"})},
      {"F.interpolate(xg, size=(5, 7), mode='bilinear')", node(xg, {.size = {5, 7}, .mode = "bilinear"})},
      {"F.interpolate(xg, size=(3, 4), mode='bilinear', align_corners=True)",
       node(xg, {.size = {3, 4}, .mode = "bilinear", .align_corners = true})},
      {"F.interpolate(xg, scale_factor=2, mode='bicubic')", node(xg, {.scale_factor = {2}, .mode = "bicubic"})},
      {"F.interpolate(vg, size=(4, 5, 6), mode='trilinear')", node(vg, {.size = {4, 5, 6}, .mode = "trilinear"})},
      {"nn.Upsample(scale_factor=2)(xg)", [&] { return ts::nn::Upsample({.scale_factor = {2}})(xg).grad_fn_name(); }},
      {"nn.UpsamplingBilinear2d(scale_factor=2)(xg)",
       [&] { return ts::nn::UpsamplingBilinear2d({.scale_factor = {2}})(xg).grad_fn_name(); }},
  };
  call_cases::check_node_cases("upsampling.txt", calls);
  // Where no size changes the result is a new tensor, as PyTorch's.
  CHECK(F::interpolate(xg, {.size = {3, 4}}).data_ptr() != xg.data_ptr());
  const Tensor<double> input = ts::randn({1, 2, 4, 5}).to<double>().requires_grad_();
  for (const char* mode : {"nearest", "nearest-exact", "bilinear", "bicubic"})
    CHECK(ts::autograd::gradgradcheck(
        [&](const std::vector<Tensor<double>>& in) { return F::interpolate(in[0], {.size = {7, 3}, .mode = mode}); }, {input}));
}

TEST_CASE("interpolate refuses what PyTorch refuses, with its messages", "[upsampling][golden]") {
  call_cases::check_error_cases("upsampling.txt", error_calls());
}

TEST_CASE("interpolate reads strided inputs as their values", "[upsampling]") {
  const Tensor<float> t = x.transpose(2, 3);  // not contiguous
  CHECK(F::interpolate(t, {.size = {5, 4}, .mode = "bilinear"}).to_vector() ==
        F::interpolate(t.contiguous(), {.size = {5, 4}, .mode = "bilinear"}).to_vector());
  CHECK(F::interpolate(t, {.scale_factor = {1.5}}).to_vector() == F::interpolate(t.contiguous(), {.scale_factor = {1.5}}).to_vector());
}

}  // namespace test_nn_upsampling
