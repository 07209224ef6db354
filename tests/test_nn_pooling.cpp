// nn/pooling.hpp against PyTorch 1.13: max and average pooling (ceil_mode, count_include_pad,
// divisor_override, indices), max_unpool2d, adaptive average and max pooling, 1-d and 2-d, and their
// layers (values, gradients, error messages from tests/golden/pooling.txt, written by
// tests/golden/generate_pooling.py), gradcheck, the gradient at NaN and -inf windows, and strided inputs.

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

using call_cases::got;

// The generator's inputs.
const Tensor<float> x = ts::arange<float>(0, 60).reshape({1, 3, 4, 5}).sin();
const Tensor<float> s = ts::arange<float>(0, 14).reshape({2, 7}).cos();
const Tensor<float> n = ts::tensor({{{1.0f, NAN, 3.0f, 3.0f, -1.0f, 2.0f, 2.0f}}});
const Tensor<double> d = ts::arange<double>(0, 30).reshape({2, 3, 5}) * 0.25 - 2;
const Tensor<float> q = ts::arange<float>(0, 70).reshape({2, 5, 7}).sin();
const Tensor<float> t = ts::arange<float>(0, 54).reshape({2, 3, 9}).cos();
constexpr float inf = INFINITY;
const Tensor<float> z = ts::tensor({{{{1.0f, 3.0f, NAN, NAN, 0.0f}, {2.0f, 3.0f, 4.0f, -inf, -inf}, {NAN, 1.0f, 4.0f, -inf, -inf}}}});
const Tensor<int64_t> u = ts::tensor<int64_t>({{{{0, 3}, {9, 14}}}});
const Tensor<int64_t> v = ts::tensor<int64_t>({{{0, 4}, {2, 5}}});
const Tensor<float> w = ts::arange<float>(0, 720).reshape({2, 3, 4, 5, 6}).sin();
const Tensor<double> e = ts::arange<double>(0, 720).reshape({2, 3, 4, 5, 6}).remainder(17.0) / 8.0 - 1.0;
const Tensor<float> x4 = x.narrow(3, 0, 4);  // x[..., :4]

/** x unpooled with its own max_pool2d's indices. */
template <class Pool, class Unpool>
call_cases::Got unpool(const Pool& pool, const Unpool& unpool_of) {
  const auto [values, indices] = pool();
  return got(unpool_of(values, indices));
}

const std::map<std::string, std::function<call_cases::Got()>>& value_calls() {
  using I = Tensor<int64_t>;
  static const std::map<std::string, std::function<call_cases::Got()>> calls = {
      {"F.max_pool2d(x, 2)", [] { return got(F::max_pool2d(x, 2)); }},
      {"F.max_pool2d(x, 3, 2, 1)", [] { return got(F::max_pool2d(x, 3, 2, 1)); }},
      {"F.max_pool2d(x, (2, 3), (1, 2), (1, 1))", [] { return got(F::max_pool2d(x, {2, 3}, {1, 2}, {1, 1})); }},
      {"F.max_pool2d(x, 3, 2, 1, ceil_mode=True)", [] { return got(F::max_pool2d(x, 3, 2, 1, 1, true)); }},
      {"F.max_pool2d(x, 2, 2, 0, 2)", [] { return got(F::max_pool2d(x, 2, 2, 0, 2)); }},
      {"F.max_pool2d(x, (3, 2), 2, (1, 0), (1, 2), ceil_mode=True)",
       [] { return got(F::max_pool2d(x, {3, 2}, 2, {1, 0}, {1, 2}, true)); }},
      {"F.max_pool2d(q, 3, 2, ceil_mode=True)", [] { return got(F::max_pool2d(q, 3, 2, 0, 1, true)); }},
      {"F.max_pool2d(x, 3, 2, 1, return_indices=True)", [] { return got(F::max_pool2d_with_indices(x, 3, 2, 1)); }},
      {"F.max_pool2d(q, (2, 3), 2, 1, ceil_mode=True, return_indices=True)",
       [] { return got(F::max_pool2d_with_indices(q, {2, 3}, 2, 1, 1, true)); }},
      {"F.max_pool2d(z, 2, 1, 1, return_indices=True)", [] { return got(F::max_pool2d_with_indices(z, 2, 1, 1)); }},
      {"F.max_pool2d(z, (3, 2), 1, (1, 1), 1, True, return_indices=True)",
       [] { return got(F::max_pool2d_with_indices(z, {3, 2}, 1, {1, 1}, 1, true)); }},
      {"F.avg_pool2d(x, 2)", [] { return got(F::avg_pool2d(x, 2)); }},
      {"F.avg_pool2d(x, 3, 2, 1)", [] { return got(F::avg_pool2d(x, 3, 2, 1)); }},
      {"F.avg_pool2d(x, 3, 2, 1, ceil_mode=True)", [] { return got(F::avg_pool2d(x, 3, 2, 1, true)); }},
      {"F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False)",
       [] { return got(F::avg_pool2d(x, 3, 2, 1, true, false)); }},
      {"F.avg_pool2d(x, (2, 3), (3, 1), (1, 1), count_include_pad=False)",
       [] { return got(F::avg_pool2d(x, {2, 3}, {3, 1}, {1, 1}, false, false)); }},
      {"F.avg_pool2d(q, 2, ceil_mode=True)", [] { return got(F::avg_pool2d(q, 2, {}, 0, true)); }},
      {"F.avg_pool2d(x, 3, 1, 1, divisor_override=5)", [] { return got(F::avg_pool2d(x, 3, 1, 1, false, true, 5)); }},
      {"F.avg_pool2d(d, 2, 1, 1, ceil_mode=True, count_include_pad=False)",
       [] { return got(F::avg_pool2d(d, 2, 1, 1, true, false)); }},
      {"F.avg_pool2d(q, (3, 2), (2, 3), (1, 1), True, True, 4)",
       [] { return got(F::avg_pool2d(q, {3, 2}, {2, 3}, {1, 1}, true, true, 4)); }},
      {"F.max_pool1d(t, 3)", [] { return got(F::max_pool1d(t, 3)); }},
      {"F.max_pool1d(t, 3, 2, 1, ceil_mode=True)", [] { return got(F::max_pool1d(t, 3, 2, 1, 1, true)); }},
      {"F.max_pool1d(t, 2, 1, 1, 2)", [] { return got(F::max_pool1d(t, 2, 1, 1, 2)); }},
      {"F.max_pool1d(t, 4, 3, 2, ceil_mode=True, return_indices=True)",
       [] { return got(F::max_pool1d_with_indices(t, 4, 3, 2, 1, true)); }},
      {"F.max_pool1d(s, 3, return_indices=True)", [] { return got(F::max_pool1d_with_indices(s, 3)); }},
      {"F.max_pool1d(n, 2, 1, 1, return_indices=True)", [] { return got(F::max_pool1d_with_indices(n, 2, 1, 1)); }},
      {"F.max_pool1d(n, 3, 1, 1)", [] { return got(F::max_pool1d(n, 3, 1, 1)); }},
      {"F.avg_pool1d(t, 3)", [] { return got(F::avg_pool1d(t, 3)); }},
      {"F.avg_pool1d(t, 4, 3, 2, ceil_mode=True)", [] { return got(F::avg_pool1d(t, 4, 3, 2, true)); }},
      {"F.avg_pool1d(t, 4, 3, 2, ceil_mode=True, count_include_pad=False)",
       [] { return got(F::avg_pool1d(t, 4, 3, 2, true, false)); }},
      {"F.avg_pool1d(s, 2, 1, 1)", [] { return got(F::avg_pool1d(s, 2, 1, 1)); }},
      {"F.max_unpool2d(*F.max_pool2d(x[..., :4], 2, return_indices=True), 2)",
       [] { return unpool([] { return F::max_pool2d_with_indices(x4, 2); },
                          [](const Tensor<float>& v, const I& i) { return F::max_unpool2d(v, i, 2); }); }},
      {"F.max_unpool2d(*F.max_pool2d(x, 3, 2, 1, return_indices=True), 3, 2, 1, output_size=(4, 5))",
       [] { return unpool([] { return F::max_pool2d_with_indices(x, 3, 2, 1); },
                          [](const Tensor<float>& v, const I& i) { return F::max_unpool2d(v, i, 3, 2, 1, {4, 5}); }); }},
      {"F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2, output_size=(5, 5))",
       [] { return unpool([] { return F::max_pool2d_with_indices(x, 2); },
                          [](const Tensor<float>& v, const I& i) { return F::max_unpool2d(v, i, 2, {}, 0, {5, 5}); }); }},
      {"F.max_unpool2d(*F.max_pool2d(q, 2, return_indices=True), 2, output_size=(5, 7))",
       [] { return unpool([] { return F::max_pool2d_with_indices(q, 2); },
                          [](const Tensor<float>& v, const I& i) { return F::max_unpool2d(v, i, 2, {}, 0, {5, 7}); }); }},
      {"nn.MaxPool2d(2, 2)(x)", [] { return got(nn::MaxPool2d(2, 2)(x)); }},
      {"nn.MaxPool2d((3, 2), stride=1, padding=1, ceil_mode=True)(x)",
       [] { return got(nn::MaxPool2d({3, 2}, {.stride = 1, .padding = 1, .ceil_mode = true})(x)); }},
      {"nn.MaxPool2d(3, 2, 1, return_indices=True)(x)", [] { return got(nn::MaxPool2d(3, 2, 1).forward_with_indices(x)); }},
      {"nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False)(x)",
       [] { return got(nn::AvgPool2d(3, {.stride = 2, .padding = 1, .ceil_mode = true, .count_include_pad = false})(x)); }},
      {"nn.AvgPool2d(2)(q)", [] { return got(nn::AvgPool2d(2)(q)); }},
      {"nn.MaxPool1d(3, 2, 1)(t)", [] { return got(nn::MaxPool1d(3, 2, 1)(t)); }},
      {"nn.MaxPool1d(3, return_indices=True)(t)", [] { return got(nn::MaxPool1d(3).forward_with_indices(t)); }},
      {"nn.AvgPool1d(2)(t)", [] { return got(nn::AvgPool1d(2)(t)); }},
      {"nn.MaxUnpool2d(2)(*F.max_pool2d(x[..., :4], 2, return_indices=True))",
       [] { return unpool([] { return F::max_pool2d_with_indices(x4, 2); },
                          [](const Tensor<float>& v, const I& i) { return nn::MaxUnpool2d(2)(v, i); }); }},
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
      {"F.adaptive_max_pool2d(x, (2, 3), return_indices=True)",
       [] { return got(F::adaptive_max_pool2d_with_indices(x, {2, 3})); }},
      {"F.adaptive_max_pool2d(x[0], (3, 2), return_indices=True)",
       [] { return got(F::adaptive_max_pool2d_with_indices(x[0], {3, 2})); }},
      {"F.adaptive_max_pool2d(x, (5, 7), return_indices=True)",
       [] { return got(F::adaptive_max_pool2d_with_indices(x, {5, 7})); }},
      {"F.adaptive_max_pool2d(z, (2, 3), return_indices=True)",
       [] { return got(F::adaptive_max_pool2d_with_indices(z, {2, 3})); }},
      {"F.adaptive_max_pool2d(x, (0, 2), return_indices=True)",
       [] { return got(F::adaptive_max_pool2d_with_indices(x, {0, 2})); }},
      {"F.adaptive_max_pool1d(n, 3, return_indices=True)", [] { return got(F::adaptive_max_pool1d_with_indices(n, 3)); }},
      {"F.adaptive_max_pool1d(s, 10, return_indices=True)", [] { return got(F::adaptive_max_pool1d_with_indices(s, 10)); }},
      {"nn.AdaptiveMaxPool2d((2, 2), return_indices=True)(x)",
       [] { return got(nn::AdaptiveMaxPool2d({2, 2}).forward_with_indices(x)); }},
      {"nn.AdaptiveMaxPool1d(4, return_indices=True)(s)", [] { return got(nn::AdaptiveMaxPool1d(4).forward_with_indices(s)); }},
      {"F.max_unpool1d(*F.max_pool1d(t, 2, return_indices=True), 2)",
       [] { return unpool([] { return F::max_pool1d_with_indices(t, 2); }, [](const auto& a, const auto& i) { return F::max_unpool1d(a, i, 2); }); }},
      {"F.max_unpool1d(*F.max_pool1d(t, 3, 2, 1, return_indices=True), 3, 2, 1, output_size=(10,))",
       [] {
         return unpool([] { return F::max_pool1d_with_indices(t, 3, 2, 1); },
                       [](const auto& a, const auto& i) { return F::max_unpool1d(a, i, 3, 2, 1, {10}); });
       }},
      {"F.max_unpool1d(*F.max_pool1d(t[0], 2, return_indices=True), 2, output_size=(9,))",
       [] {
         return unpool([] { return F::max_pool1d_with_indices(t[0], 2); },
                       [](const auto& a, const auto& i) { return F::max_unpool1d(a, i, 2, {}, 0, {9}); });
       }},
      {"nn.MaxUnpool1d(2)(*F.max_pool1d(t, 2, return_indices=True))",
       [] { return unpool([] { return F::max_pool1d_with_indices(t, 2); }, [](const auto& a, const auto& i) { return nn::MaxUnpool1d(2)(a, i); }); }},
      {"F.lp_pool1d(t, 2, 3)", [] { return got(F::lp_pool1d(t, 2, 3)); }},
      {"F.lp_pool1d(t, 1.5, 2, 3, ceil_mode=True)", [] { return got(F::lp_pool1d(t, 1.5, 2, 3, true)); }},
      {"F.lp_pool1d(t[0], 3, 4, 2)", [] { return got(F::lp_pool1d(t[0], 3, 4, 2)); }},
      {"F.lp_pool2d(x, 2, 2)", [] { return got(F::lp_pool2d(x, 2, 2)); }},
      {"F.lp_pool2d(x, 1, (2, 3), (1, 2))", [] { return got(F::lp_pool2d(x, 1, {2, 3}, {1, 2})); }},
      {"F.lp_pool2d(x.abs(), 2.5, 3, 2, ceil_mode=True)", [] { return got(F::lp_pool2d(x.abs(), 2.5, 3, 2, true)); }},
      {"F.lp_pool2d(x[0], 3, 2)", [] { return got(F::lp_pool2d(x[0], 3, 2)); }},
      {"nn.LPPool1d(2, 3)(t)", [] { return got(nn::LPPool1d(2, 3)(t)); }},
      {"nn.LPPool2d(1.5, (3, 2), 2)(x.abs())", [] { return got(nn::LPPool2d(1.5, {3, 2}, 2)(x.abs())); }},
      {"F.adaptive_avg_pool3d(w, (2, 3, 4))", [] { return got(F::adaptive_avg_pool3d(w, {2, 3, 4})); }},
      {"F.adaptive_avg_pool3d(w[0], 3)", [] { return got(F::adaptive_avg_pool3d(w[0], 3)); }},
      {"F.adaptive_avg_pool3d(w, (1, 1, 1))", [] { return got(F::adaptive_avg_pool3d(w, {1, 1, 1})); }},
      {"F.adaptive_avg_pool3d(w, (5, 7, 2))", [] { return got(F::adaptive_avg_pool3d(w, {5, 7, 2})); }},
      {"F.adaptive_max_pool3d(w, (2, 3, 4))", [] { return got(F::adaptive_max_pool3d(w, {2, 3, 4})); }},
      {"F.adaptive_max_pool3d(w[0], (3, 2, 5))", [] { return got(F::adaptive_max_pool3d(w[0], {3, 2, 5})); }},
      {"nn.AdaptiveAvgPool3d((2, 2, 3))(w)", [] { return got(nn::AdaptiveAvgPool3d({2, 2, 3})(w)); }},
      {"nn.AdaptiveMaxPool3d(2)(w)", [] { return got(nn::AdaptiveMaxPool3d(2)(w)); }},
      {"F.max_pool3d(w, 2)", [] { return got(F::max_pool3d(w, 2)); }},
      {"F.max_pool3d(w, (2, 3, 2), (1, 2, 3), (1, 1, 0))", [] { return got(F::max_pool3d(w, {2, 3, 2}, {1, 2, 3}, {1, 1, 0})); }},
      {"F.max_pool3d(w[0], 3, 2, 1, ceil_mode=True)", [] { return got(F::max_pool3d(w[0], 3, 2, 1, 1, true)); }},
      {"F.max_pool3d(w, 2, 1, 0, (2, 1, 2), return_indices=True)",
       [] { return got(F::max_pool3d_with_indices(w, 2, 1, 0, {2, 1, 2})); }},
      {"F.max_pool3d(w, 3, 2, 1, return_indices=True)", [] { return got(F::max_pool3d_with_indices(w, 3, 2, 1)); }},
      {"F.max_pool3d(torch.stack([z, z.flip(-1)], 2), 2, 1, 1, return_indices=True)",
       [] { return got(F::max_pool3d_with_indices(ts::stack({z, z.flip({-1})}, 2), 2, 1, 1)); }},
      {"F.max_pool3d(torch.stack([z, z.flip(-1)], 2), (2, 3, 2), 1, 1, ceil_mode=True, return_indices=True)",
       [] { return got(F::max_pool3d_with_indices(ts::stack({z, z.flip({-1})}, 2), {2, 3, 2}, 1, 1, 1, true)); }},
      {"F.avg_pool3d(w, 2)", [] { return got(F::avg_pool3d(w, 2)); }},
      {"F.avg_pool3d(w, (2, 3, 2), (1, 2, 3), (1, 1, 0))", [] { return got(F::avg_pool3d(w, {2, 3, 2}, {1, 2, 3}, {1, 1, 0})); }},
      {"F.avg_pool3d(w[0], 3, 2, 1, ceil_mode=True)", [] { return got(F::avg_pool3d(w[0], 3, 2, 1, true)); }},
      {"F.avg_pool3d(w, 3, 2, 1, ceil_mode=True, count_include_pad=False)",
       [] { return got(F::avg_pool3d(w, 3, 2, 1, true, false)); }},
      {"F.avg_pool3d(w, (2, 2, 3), 2, 1, divisor_override=5)", [] { return got(F::avg_pool3d(w, {2, 2, 3}, 2, 1, false, true, 5)); }},
      {"F.avg_pool3d(e, 3, (2, 3, 2), 1, count_include_pad=False)",
       [] { return got(F::avg_pool3d(e, 3, {2, 3, 2}, 1, false, false)); }},
      {"nn.MaxPool3d(2, 1)(w)", [] { return got(nn::MaxPool3d(2, 1)(w)); }},
      {"nn.MaxPool3d((2, 2, 3), stride=2, padding=1, ceil_mode=True)(w)",
       [] { return got(nn::MaxPool3d({2, 2, 3}, {.stride = 2, .padding = 1, .ceil_mode = true})(w)); }},
      {"nn.AvgPool3d(3, 2, 1)(w)", [] { return got(nn::AvgPool3d(3, 2, 1)(w)); }},
      {"nn.AvgPool3d(2, stride=(1, 2, 2), ceil_mode=True, count_include_pad=False)(w)",
       [] { return got(nn::AvgPool3d(2, {.stride = {1, 2, 2}, .ceil_mode = true, .count_include_pad = false})(w)); }},
      {"F.max_pool2d(torch.tensor([[[[5., 7.]]]]), (1, 2), padding=(0, 1), dilation=(1, 3), return_indices=True)",
       [] { return got(F::max_pool2d_with_indices(ts::tensor({5.0f, 7.0f}).view({1, 1, 1, 2}), {1, 2}, {}, {0, 1}, {1, 3})); }},
      {"F.max_pool3d(torch.tensor([[[[[5., 7.]]]]]), (1, 1, 2), padding=(0, 0, 1), dilation=(1, 1, 3), return_indices=True)",
       [] {
         return got(F::max_pool3d_with_indices(ts::tensor({5.0f, 7.0f}).view({1, 1, 1, 1, 2}), {1, 1, 2}, {}, {0, 0, 1}, {1, 1, 3}));
       }},
      {"F.max_pool2d((x * 2).round(), 3, 1, 1, return_indices=True)",  // ties: the first maximum wins
       [] { return got(F::max_pool2d_with_indices((x * 2.0f).round(), 3, 1, 1)); }},
      {"F.max_pool3d((w * 2).round(), 2, 1, 1, return_indices=True)",
       [] { return got(F::max_pool3d_with_indices((w * 2.0f).round(), 2, 1, 1)); }},
  };
  return calls;
}

using Fn = call_cases::GradFn;
const std::map<std::string, Fn>& grad_calls() {
  static const std::map<std::string, Fn> calls = {
      {"F.max_pool2d(X.sin(), 3, 2, 1)", [](const Tensor<double>& X) { return F::max_pool2d(X.sin(), 3, 2, 1); }},
      {"F.max_pool2d(X.sin(), (2, 3), (1, 2), 1, ceil_mode=True)",
       [](const Tensor<double>& X) { return F::max_pool2d(X.sin(), {2, 3}, {1, 2}, 1, 1, true); }},
      {"F.max_pool2d(X.cos(), 2, 1, 1, 2)", [](const Tensor<double>& X) { return F::max_pool2d(X.cos(), 2, 1, 1, 2); }},
      {"F.max_pool2d(X.round(), 2, 1)", [](const Tensor<double>& X) { return F::max_pool2d(X.round(), 2, 1); }},
      {"F.avg_pool2d(X, 3, 2, 1, ceil_mode=True)", [](const Tensor<double>& X) { return F::avg_pool2d(X, 3, 2, 1, true); }},
      {"F.avg_pool2d(X, (2, 3), 2, (1, 1), ceil_mode=True, count_include_pad=False)",
       [](const Tensor<double>& X) { return F::avg_pool2d(X, {2, 3}, 2, {1, 1}, true, false); }},
      {"F.avg_pool2d(X, 2, divisor_override=3)",
       [](const Tensor<double>& X) { return F::avg_pool2d(X, 2, {}, 0, false, true, 3); }},
      {"F.max_pool1d(X.sin(), 3, 2, 1, ceil_mode=True)",
       [](const Tensor<double>& X) { return F::max_pool1d(X.sin(), 3, 2, 1, 1, true); }},
      {"F.avg_pool1d(X, 4, 3, 2, ceil_mode=True, count_include_pad=False)",
       [](const Tensor<double>& X) { return F::avg_pool1d(X, 4, 3, 2, true, false); }},
      {"F.max_unpool2d(X, u, 2, output_size=(4, 4))",
       [](const Tensor<double>& X) { return F::max_unpool2d(X, u, 2, {}, 0, {4, 4}); }},
      {"F.adaptive_avg_pool2d(X, (2, 3))", [](const Tensor<double>& t) { return F::adaptive_avg_pool2d(t, {2, 3}); }},
      {"F.adaptive_avg_pool2d(X, (5, 7))", [](const Tensor<double>& t) { return F::adaptive_avg_pool2d(t, {5, 7}); }},
      {"F.adaptive_avg_pool1d(X, 3)", [](const Tensor<double>& t) { return F::adaptive_avg_pool1d(t, 3); }},
      {"F.adaptive_max_pool2d(X.sin(), (2, 3))", [](const Tensor<double>& t) { return F::adaptive_max_pool2d(t.sin(), {2, 3}); }},
      {"F.adaptive_max_pool2d(X.cos(), (5, 3))", [](const Tensor<double>& t) { return F::adaptive_max_pool2d(t.cos(), {5, 3}); }},
      {"F.adaptive_max_pool1d(X.sin(), 3)", [](const Tensor<double>& t) { return F::adaptive_max_pool1d(t.sin(), 3); }},
      {"F.adaptive_max_pool1d(X.round(), 2)", [](const Tensor<double>& t) { return F::adaptive_max_pool1d(t.round(), 2); }},
      {"F.adaptive_max_pool2d(X.cos(), (3, 2), return_indices=True)[0]",
       [](const Tensor<double>& t) { return std::get<0>(F::adaptive_max_pool2d_with_indices(t.cos(), {3, 2})); }},
      {"F.max_unpool1d(X, v, 3)", [](const Tensor<double>& t) { return F::max_unpool1d(t, v, 3); }},
      {"F.lp_pool1d(X.sin() + 2, 2, 3)", [](const Tensor<double>& t) { return F::lp_pool1d(t.sin() + 2.0, 2, 3); }},
      {"F.lp_pool2d(X.cos() + 2, 1.5, (2, 3), (1, 2))",
       [](const Tensor<double>& t) { return F::lp_pool2d(t.cos() + 2.0, 1.5, {2, 3}, {1, 2}); }},
      {"F.adaptive_avg_pool3d(X, (2, 3, 2))", [](const Tensor<double>& t) { return F::adaptive_avg_pool3d(t, {2, 3, 2}); }},
      {"F.adaptive_max_pool3d(X.sin(), (2, 2, 3))", [](const Tensor<double>& t) { return F::adaptive_max_pool3d(t.sin(), {2, 2, 3}); }},
      {"F.adaptive_max_pool3d(X.round(), (1, 2, 2))",
       [](const Tensor<double>& t) { return F::adaptive_max_pool3d(t.round(), {1, 2, 2}); }},
      {"F.max_pool3d(X.sin(), 2, 1, 1)", [](const Tensor<double>& t) { return F::max_pool3d(t.sin(), 2, 1, 1); }},
      {"F.max_pool3d(X.round(), (2, 3, 2), 2, 1, ceil_mode=True)",
       [](const Tensor<double>& t) { return F::max_pool3d(t.round(), {2, 3, 2}, 2, 1, 1, true); }},
      {"F.max_pool3d(X.cos(), 2, 1, 0, 2)", [](const Tensor<double>& t) { return F::max_pool3d(t.cos(), 2, 1, 0, 2); }},
      {"F.avg_pool3d(X, 3, 2, 1, ceil_mode=True)", [](const Tensor<double>& t) { return F::avg_pool3d(t, 3, 2, 1, true); }},
      {"F.avg_pool3d(X, (2, 3, 2), 2, (1, 1, 0), ceil_mode=True, count_include_pad=False)",
       [](const Tensor<double>& t) { return F::avg_pool3d(t, {2, 3, 2}, 2, {1, 1, 0}, true, false); }},
      {"F.avg_pool3d(X, 2, divisor_override=3)",
       [](const Tensor<double>& t) { return F::avg_pool3d(t, 2, {}, 0, false, true, 3); }},
  };
  return calls;
}

const std::map<std::string, std::function<void()>>& error_calls() {
  static const std::map<std::string, std::function<void()>> calls = {
      {"F.max_pool2d(x, 2, 2, 2)", [] { F::max_pool2d(x, 2, 2, 2); }},
      {"F.max_pool2d(torch.ones(1, 1, 1, 1), 2)", [] { F::max_pool2d(ts::ones({1, 1, 1, 1}), 2); }},
      {"F.max_pool2d(x[0, 0], 2)", [] { F::max_pool2d(x[0][0], 2); }},
      {"F.max_pool2d(x, (2, 2, 2))", [] { F::max_pool2d(x, {2, 2, 2}); }},
      {"F.max_pool2d(x, 2, 0)", [] { F::max_pool2d(x, 2, 0); }},
      {"F.max_pool2d(x, 2, dilation=0)", [] { F::max_pool2d(x, 2, {}, 0, 0); }},
      {"F.max_pool2d(x, 2, padding=-1)", [] { F::max_pool2d(x, 2, {}, -1); }},
      {"F.max_pool2d(x, 3, dilation=2)", [] { F::max_pool2d(x, 3, {}, 0, 2); }},
      {"F.max_pool2d(x, 2, 2, 2, return_indices=True)", [] { F::max_pool2d_with_indices(x, 2, 2, 2); }},
      {"F.max_pool2d(x, (3, 2), 1, (2, 1))", [] { F::max_pool2d(x, {3, 2}, 1, {2, 1}); }},
      {"F.max_pool2d(torch.ones(1, 0, 4, 4), 2)", [] { F::max_pool2d(ts::ones({1, 0, 4, 4}), 2); }},
      {"F.avg_pool2d(x, 2, 2, 2)", [] { F::avg_pool2d(x, 2, 2, 2); }},
      {"F.avg_pool2d(torch.ones(1, 1, 1, 1), 2)", [] { F::avg_pool2d(ts::ones({1, 1, 1, 1}), 2); }},
      {"F.avg_pool2d(x, 2, divisor_override=0)", [] { F::avg_pool2d(x, 2, {}, 0, false, true, 0); }},
      {"F.avg_pool2d(x[0, 0], 2)", [] { F::avg_pool2d(x[0][0], 2); }},
      {"F.avg_pool2d(x, (2, 2, 2))", [] { F::avg_pool2d(x, {2, 2, 2}); }},
      {"F.max_pool1d(x[0, 0, 0], 2)", [] { F::max_pool1d(x[0][0][0], 2); }},
      {"F.max_pool1d(t, 2, 1, 2)", [] { F::max_pool1d(t, 2, 1, 2); }},
      {"F.max_pool1d(t, 2, 1, 0, 0)", [] { F::max_pool1d(t, 2, 1, 0, 0); }},
      {"F.max_pool1d(t, 0)", [] { F::max_pool1d(t, 0); }},
      {"F.max_pool1d(x[0, 0, 0], 2, return_indices=True)", [] { F::max_pool1d_with_indices(x[0][0][0], 2); }},
      {"F.max_pool1d(t, 2, 1, 2, return_indices=True)", [] { F::max_pool1d_with_indices(t, 2, 1, 2); }},
      {"F.avg_pool1d(x[0, 0, 0], 2)", [] { F::avg_pool1d(x[0][0][0], 2); }},
      {"F.avg_pool1d(t, 2, 1, 2)", [] { F::avg_pool1d(t, 2, 1, 2); }},
      {"F.avg_pool1d(torch.ones(1, 1, 1), 2)", [] { F::avg_pool1d(ts::ones({1, 1, 1}), 2); }},
      {"F.max_unpool2d(x, torch.zeros(1, 3, 4, 4, dtype=torch.long), 2)",
       [] { F::max_unpool2d(x, ts::zeros<int64_t>({1, 3, 4, 4}), 2); }},
      {"F.max_unpool2d(x, torch.full((1, 3, 4, 5), 100), 2)",
       [] { F::max_unpool2d(x, ts::full<int64_t>({1, 3, 4, 5}, 100), 2); }},
      {"F.max_unpool2d(x[0, 0], torch.zeros(4, 5, dtype=torch.long), 2)",
       [] { F::max_unpool2d(x[0][0], ts::zeros<int64_t>({4, 5}), 2); }},
      {"F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2, output_size=(7, 4))",
       [] { const auto [v, i] = F::max_pool2d_with_indices(x, 2); F::max_unpool2d(v, i, 2, {}, 0, {7, 4}); }},
      {"F.max_unpool2d(*F.max_pool2d(q, 2, return_indices=True), 2, output_size=(2, 5, 7))",
       [] { const auto [v, i] = F::max_pool2d_with_indices(q, 2); F::max_unpool2d(v, i, 2, {}, 0, {2, 5, 7}); }},
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
      {"F.max_unpool1d(*F.max_pool1d(t, 2, return_indices=True), 2, output_size=(11,))",
       [] { const auto [a, i] = F::max_pool1d_with_indices(t, 2); F::max_unpool1d(a, i, 2, {}, 0, {11}); }},
      {"F.max_unpool1d(*F.max_pool1d(t, 2, return_indices=True), 2, output_size=(2, 8))",
       [] { const auto [a, i] = F::max_pool1d_with_indices(t, 2); F::max_unpool1d(a, i, 2, {}, 0, {2, 8}); }},
      {"F.max_unpool1d(t, torch.full((2, 3, 9), 30), 2)", [] { F::max_unpool1d(t, ts::full<int64_t>({2, 3, 9}, 30), 2); }},
      {"F.adaptive_avg_pool3d(w, (2, 3))", [] { F::adaptive_avg_pool3d(w, {2, 3}); }},
      {"F.adaptive_avg_pool3d(w.unsqueeze(0), (2, 3, 4))", [] { F::adaptive_avg_pool3d(w.unsqueeze(0), {2, 3, 4}); }},
      {"F.adaptive_max_pool3d(torch.zeros(1, 0, 3, 4, 5), (1, 3, 4))",
       [] { F::adaptive_max_pool3d(ts::zeros({1, 0, 3, 4, 5}), {1, 3, 4}); }},
      {"F.adaptive_avg_pool3d(w.long(), (2, 3, 4))", [] { F::adaptive_avg_pool3d(w.to<int64_t>(), {2, 3, 4}); }},
      {"F.max_pool3d(w, 2, 2, 2)", [] { F::max_pool3d(w, 2, 2, 2); }},
      {"F.max_pool3d(torch.ones(1, 1, 1, 1, 1), 2)", [] { F::max_pool3d(ts::ones({1, 1, 1, 1, 1}), 2); }},
      {"F.max_pool3d(w[0, 0], 2)", [] { F::max_pool3d(w[0][0], 2); }},
      {"F.max_pool3d(w, (2, 2))", [] { F::max_pool3d(w, {2, 2}); }},
      {"F.max_pool3d(w, 2, 0)", [] { F::max_pool3d(w, 2, 0); }},
      {"F.max_pool3d(w, 2, dilation=0)", [] { F::max_pool3d(w, 2, {}, 0, 0); }},
      {"F.max_pool3d(w, 2, padding=-1)", [] { F::max_pool3d(w, 2, {}, -1); }},
      {"F.max_pool3d(w, 3, dilation=3)", [] { F::max_pool3d(w, 3, {}, 0, 3); }},
      {"F.max_pool3d(torch.ones(1, 0, 4, 4, 4), 2)", [] { F::max_pool3d(ts::ones({1, 0, 4, 4, 4}), 2); }},
      {"F.max_pool3d(w, 2, 2, (1, 2))", [] { F::max_pool3d(w, 2, 2, {1, 2}); }},
      {"F.max_pool3d(w, 2, (1, 2))", [] { F::max_pool3d(w, 2, {1, 2}); }},
      {"F.max_pool3d(w, 2, dilation=(1, 2))", [] { F::max_pool3d(w, 2, {}, 0, {1, 2}); }},
      {"F.max_pool3d(w, (1, 0, 2), 1)", [] { F::max_pool3d(w, {1, 0, 2}, 1); }},
      {"F.max_pool3d(w, 3, 1, 1, dilation=(1, 0, 1))", [] { F::max_pool3d(w, 3, 1, 1, {1, 0, 1}); }},
      {"F.avg_pool3d(w, 2, 2, 2)", [] { F::avg_pool3d(w, 2, 2, 2); }},
      {"F.avg_pool3d(torch.ones(1, 1, 1, 1, 1), 2)", [] { F::avg_pool3d(ts::ones({1, 1, 1, 1, 1}), 2); }},
      {"F.avg_pool3d(w, 2, divisor_override=0)", [] { F::avg_pool3d(w, 2, {}, 0, false, true, 0); }},
      {"F.avg_pool3d(w[0, 0], 2)", [] { F::avg_pool3d(w[0][0], 2); }},
      {"F.avg_pool3d(w, (2, 2))", [] { F::avg_pool3d(w, {2, 2}); }},
      {"F.avg_pool3d(w, 2, 0)", [] { F::avg_pool3d(w, 2, 0); }},
      {"F.avg_pool3d(w, 2, padding=-1)", [] { F::avg_pool3d(w, 2, {}, -1); }},
      {"F.avg_pool3d(torch.ones(1, 0, 4, 4, 4), 2)", [] { F::avg_pool3d(ts::ones({1, 0, 4, 4, 4}), 2); }},
      {"F.avg_pool3d(w, 2, (1, 2))", [] { F::avg_pool3d(w, 2, {1, 2}); }},
      {"F.avg_pool3d(w, 2, 2, (1, 2))", [] { F::avg_pool3d(w, 2, 2, {1, 2}); }},
      {"F.avg_pool3d(w, (1, 0, 2), 1)", [] { F::avg_pool3d(w, {1, 0, 2}, 1); }},
      {"F.avg_pool3d(w[0, :, :1], 2, 1, 1)", [] { F::avg_pool3d(w[0].narrow(1, 0, 1), 2, 1, 1); }},
  };
  return calls;
}

/** Equal within 4 units in the last place (the averages' sums run in another order). */
bool close(const std::vector<double>& a, const std::vector<double>& b, ts::DType dtype) {
  const double ulp = dtype == ts::DType::Float64 ? 0x1p-52 : 0x1p-23;
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))) continue;  // infinities too
    if (!(std::abs(a[i] - b[i]) <= 4 * ulp * std::max(std::abs(b[i]), 1.0))) return false;
  }
  return true;
}

const std::map<std::string, std::function<std::string()>>& node_calls() {
  static const auto r = [](const auto& v) { return v.detach().requires_grad_(); };
  static const Tensor<float> xg = r(x), tg = r(t), wg = r(w);
  static const auto name = [](const Tensor<float>& v) { return v.grad_fn_name(); };
  static const std::map<std::string, std::function<std::string()>> calls = {
      {"F.max_pool2d(xg, 2)", [] { return name(F::max_pool2d(xg, 2)); }},
      {"F.max_pool2d(xg[0], 3, 2, 1)", [] { return name(F::max_pool2d(xg[0], 3, 2, 1)); }},
      {"F.max_pool2d(xg, 3, 2, 1, return_indices=True)[0]",
       [] { return name(std::get<0>(F::max_pool2d_with_indices(xg, 3, 2, 1))); }},
      {"F.max_pool1d(tg, 3)", [] { return name(F::max_pool1d(tg, 3)); }},
      {"F.max_pool3d(wg, 2)", [] { return name(F::max_pool3d(wg, 2)); }},
      {"F.max_pool3d(wg[0], 3, 2, 1, return_indices=True)[0]",
       [] { return name(std::get<0>(F::max_pool3d_with_indices(wg[0], 3, 2, 1))); }},
      {"F.avg_pool2d(xg, 2)", [] { return name(F::avg_pool2d(xg, 2)); }},
      {"F.avg_pool2d(xg[0], 3, 2, 1, ceil_mode=True)", [] { return name(F::avg_pool2d(xg[0], 3, 2, 1, true)); }},
      {"F.avg_pool1d(tg, 3)", [] { return name(F::avg_pool1d(tg, 3)); }},
      {"F.avg_pool3d(wg, 2)", [] { return name(F::avg_pool3d(wg, 2)); }},
      {"F.adaptive_avg_pool2d(xg, (2, 3))", [] { return name(F::adaptive_avg_pool2d(xg, {2, 3})); }},
      {"F.adaptive_avg_pool2d(xg, 1)", [] { return name(F::adaptive_avg_pool2d(xg, 1)); }},
      {"F.adaptive_avg_pool2d(xg[0], (3, 2))", [] { return name(F::adaptive_avg_pool2d(xg[0], {3, 2})); }},
      {"F.adaptive_avg_pool1d(tg, 4)", [] { return name(F::adaptive_avg_pool1d(tg, 4)); }},
      {"F.adaptive_avg_pool1d(tg, 1)", [] { return name(F::adaptive_avg_pool1d(tg, 1)); }},
      {"F.adaptive_avg_pool3d(wg, (2, 3, 4))", [] { return name(F::adaptive_avg_pool3d(wg, {2, 3, 4})); }},
      {"F.adaptive_avg_pool3d(wg, 1)", [] { return name(F::adaptive_avg_pool3d(wg, 1)); }},
      {"F.adaptive_max_pool2d(xg, (2, 3))", [] { return name(F::adaptive_max_pool2d(xg, {2, 3})); }},
      {"F.adaptive_max_pool2d(xg, 1)", [] { return name(F::adaptive_max_pool2d(xg, 1)); }},
      {"F.adaptive_max_pool2d(xg[0], (3, 2), return_indices=True)[0]",
       [] { return name(std::get<0>(F::adaptive_max_pool2d_with_indices(xg[0], {3, 2}))); }},
      {"F.adaptive_max_pool1d(tg, 4)", [] { return name(F::adaptive_max_pool1d(tg, 4)); }},
      {"F.adaptive_max_pool3d(wg, 2)", [] { return name(F::adaptive_max_pool3d(wg, 2)); }},
      {"F.lp_pool2d(xg, 2, 2)", [] { return name(F::lp_pool2d(xg, 2, 2)); }},
      {"nn.MaxPool2d(2)(xg)", [] { return name(nn::MaxPool2d(2)(xg)); }},
      {"nn.AdaptiveAvgPool2d((1, 1))(xg)", [] { return name(nn::AdaptiveAvgPool2d({1, 1})(xg)); }},
  };
  return calls;
}

}  // namespace

TEST_CASE("pooling gives PyTorch's values and indices", "[pooling][golden]") {
  // the inputs' sin and cos may differ from PyTorch's in the last bit
  call_cases::check_value_cases("pooling.txt", value_calls(), [](const auto& have, const auto& want, const auto&) {
    CHECK(close(have.values, want.values, have.dtype));
  });
}

TEST_CASE("pooling gives PyTorch's gradients and passes gradcheck", "[pooling][golden][gradcheck]") {
  call_cases::check_grad_cases("pooling.txt", grad_calls());
}

TEST_CASE("pooling records PyTorch's nodes, whose gradients differentiate again", "[pooling][golden][gradcheck]") {
  call_cases::check_node_cases("pooling.txt", node_calls());
  // The gradient's own gradient, with respect to the input and the output's gradient (a gather at
  // the indices for max pooling; the averages are linear), through the derivative the nodes record
  // under create_graph. The inputs have no ties, so the maxima do not move under the probes.
  using Pool = std::function<Tensor<double>(const Tensor<double>&)>;
  const std::vector<std::pair<Pool, ts::Shape>> pools = {
      {[](const Tensor<double>& v) { return F::max_pool2d(v, 3, 2, 1); }, {1, 2, 5, 6}},
      {[](const Tensor<double>& v) { return F::max_pool2d(v, 2, 1, 1, 2, true); }, {2, 5, 5}},
      {[](const Tensor<double>& v) { return F::max_pool3d(v, 2, 1, 1); }, {1, 2, 3, 4, 3}},
      {[](const Tensor<double>& v) { return F::avg_pool2d(v, 3, 2, 1, true, false); }, {1, 2, 5, 6}},
      {[](const Tensor<double>& v) { return F::avg_pool3d(v, 2, 1, 1, true, false, 3); }, {2, 3, 4, 3}},
      {[](const Tensor<double>& v) { return F::adaptive_avg_pool2d(v, {3, 4}); }, {1, 2, 5, 7}},
      {[](const Tensor<double>& v) { return F::adaptive_avg_pool3d(v, {2, 3, 2}); }, {2, 3, 4, 5}},
      {[](const Tensor<double>& v) { return F::adaptive_max_pool2d(v, {3, 2}); }, {2, 5, 4}},
      {[](const Tensor<double>& v) { return F::adaptive_max_pool3d(v, {2, 2, 3}); }, {1, 2, 3, 4, 5}},
  };
  for (const auto& [pool, shape] : pools) {
    const int64_t count = ts::detail::checked_numel(shape, "test");
    const Tensor<double> input = ts::randperm(count).to<double>().reshape(shape).requires_grad_();
    CHECK(ts::autograd::gradgradcheck([&](const std::vector<Tensor<double>>& in) { return pool(in[0]); }, {input}));
  }
}

TEST_CASE("pooling refuses what PyTorch refuses, with its messages", "[pooling][golden]") {
  call_cases::check_error_cases("pooling.txt", error_calls());
  CHECK(error_of([] { F::adaptive_avg_pool3d(w, {-1, 3, 4}); }) ==
        "adaptive_avg_pool3d: elements of output_size must be greater than or equal to 0 but received {-1, 3, 4}");
  CHECK(error_of([] { F::max_unpool1d(x, ts::zeros<int64_t>(x.sizes()), 2); }) ==
        "max_unpool1d: Input to max_unpooling1d should be a 2d or 3d Tensor, but got a tensor with 4 dimensions.");
  CHECK(error_of([] { nn::AdaptiveAvgPool2d(std::vector<int64_t>{1}); }) == "AdaptivePool2d: expected 2 output sizes, got 1");
}

TEST_CASE("max pooling's gradient goes where PyTorch's goes: the last NaN, the first element of an all -inf window",
          "[pooling]") {
  // PyTorch 1.13's z.grad after F.max_pool2d(z, ...).sum().backward()
  const auto grad_of = [](const std::function<Tensor<float>(const Tensor<float>&)>& pool) {
    const Tensor<float> input = z.detach().requires_grad_();
    pool(input).sum().backward();
    return input.grad().to_vector();
  };
  CHECK(grad_of([](const Tensor<float>& t) { return F::max_pool2d(t, 2, 1, 1); }) ==
        std::vector<float>{1, 2, 2, 4, 2, 1, 0, 2, 1, 1, 4, 0, 2, 1, 1});
  CHECK(grad_of([](const Tensor<float>& t) { return F::max_pool2d(t, {3, 2}, 1, {1, 1}, 1, true); }) ==
        std::vector<float>{0, 1, 2, 4, 2, 1, 0, 2, 1, 1, 4, 0, 0, 0, 0});
}

TEST_CASE("max pooling's gradient refuses saved indices written to behind autograd's back", "[pooling]") {
  const Tensor<float> input = ts::arange<float>(0, 2 * 6 * 7).reshape({1, 2, 6, 7}).sin().requires_grad_();
  const auto [values, indices] = F::max_pool2d_with_indices(input, 3, 2, 1);
  indices.data_ptr()[1] = 6 * 7;  // one past the plane: no version bump, so only the kernel can see it
  CHECK_THROWS_WITH(values.sum().backward(), Catch::Contains("max_pool_backward: index 42 is out of bounds"));
}

TEST_CASE("pooling with and without indices agree, and transposing commutes with pooling", "[pooling]") {
  const Tensor<float> t = ts::arange<float>(0, 2 * 3 * 6 * 7).reshape({2, 3, 6, 7}).sin();
  const auto [values, indices] = F::max_pool2d_with_indices(t, 3, 2, 1, 1, true);
  CHECK(ts::equal(values, F::max_pool2d(t, 3, 2, 1, 1, true)));
  CHECK(ts::equal(values, t.reshape({2, 3, 42}).gather(2, indices.reshape({2, 3, -1})).reshape(values.sizes())));
  // Pooling the transposed image with the transposed window gives the transposed result.
  const Tensor<float> tt = t.transpose(2, 3);
  CHECK(ts::equal(F::max_pool2d(t, {3, 2}, {2, 1}, {1, 0}, {1, 2}, true),
                  F::max_pool2d(tt, {2, 3}, {1, 2}, {0, 1}, {2, 1}, true).transpose(2, 3)));
  CHECK(ts::allclose(F::avg_pool2d(t, {3, 2}, {2, 3}, {1, 1}, true, false),
                     F::avg_pool2d(tt, {2, 3}, {3, 2}, {1, 1}, true, false).transpose(2, 3)));
  CHECK(F::max_pool2d(t.to<int32_t>(), 2).dtype() == ts::DType::Int32);  // integers pool too (PyTorch refuses Long)
}

TEST_CASE("adaptive pooling reads strided inputs as their values", "[pooling]") {
  const Tensor<float> t = x.transpose(2, 3);  // not contiguous
  CHECK(F::adaptive_avg_pool2d(t, {2, 3}).to_vector() == F::adaptive_avg_pool2d(t.contiguous(), {2, 3}).to_vector());
  CHECK(F::adaptive_max_pool2d(t, {3, 2}).to_vector() == F::adaptive_max_pool2d(t.contiguous(), {3, 2}).to_vector());
}

}  // namespace test_nn_pooling
