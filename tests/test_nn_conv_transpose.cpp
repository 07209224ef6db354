// nn/conv_transpose.hpp against PyTorch 1.13: conv_transpose1d and conv_transpose2d (values in
// float32 and float64, for 2-D rectangular kernels and every option an int or a pair, gradients
// for input, weight and bias, error messages from tests/golden/conv_transpose.txt, written by
// tests/golden/generate_conv_transpose.py), gradcheck, and the ConvTranspose1d/2d layers'
// parameters, initial weights and padding_mode.

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>

#include "call_cases.hpp"
#include "error_of.hpp"
#include "golden.hpp"

namespace test_nn_conv_transpose {

namespace {

namespace F = ts::nn::functional;
namespace nn = ts::nn;
using ts::Tensor;

using call_cases::Part;
using call_cases::got;

// The generator's inputs.
const Tensor<float> x = ts::arange<float>(0, 40).reshape({2, 4, 5}).sin();
const Tensor<float> w = ts::arange<float>(0, 36).reshape({4, 3, 3}).cos();
const Tensor<float> y = ts::arange<float>(0, 120).reshape({2, 4, 3, 5}).sin();
const Tensor<float> v = ts::arange<float>(0, 72).reshape({4, 2, 3, 3}).cos();
const Tensor<float> v2 = ts::arange<float>(0, 48).reshape({4, 3, 2, 2}).cos();
const Tensor<float> vr = ts::arange<float>(0, 48).reshape({4, 2, 2, 3}).sin();
const Tensor<float> b = ts::arange<float>(0, 12) * 0.25 - 1.5;
const Tensor<double> xd = ts::arange<double>(0, 40).reshape({2, 4, 5}).sin();
const Tensor<double> wd = ts::arange<double>(0, 36).reshape({4, 3, 3}).cos();
const Tensor<double> yd = ts::arange<double>(0, 120).reshape({2, 4, 3, 5}).sin();
const Tensor<double> vd = ts::arange<double>(0, 72).reshape({4, 2, 3, 3}).cos();
const Tensor<double> vrd = ts::arange<double>(0, 48).reshape({4, 2, 2, 3}).sin();
const Tensor<double> bd = b.to<double>();
const Tensor<float> z = ts::arange<float>(0, 240).reshape({2, 4, 3, 2, 5}).sin();
const Tensor<float> u = ts::arange<float>(0, 96).reshape({4, 2, 2, 3, 2}).cos();
const Tensor<double> zd = ts::arange<double>(0, 240).reshape({2, 4, 3, 2, 5}).sin();
const Tensor<double> ud = ts::arange<double>(0, 96).reshape({4, 2, 2, 3, 2}).cos();

// Layers with the weights above, for forward(input, output_size).
const nn::ConvTranspose1d& m1() {
  static const nn::ConvTranspose1d layer = [] {
    nn::ConvTranspose1d m(4, 3, 3, {.stride = 3, .padding = 1});
    m.load_state_dict({{"weight", w}, {"bias", b.narrow(0, 0, 3)}});
    return m;
  }();
  return layer;
}
const nn::ConvTranspose2d& m2() {
  static const nn::ConvTranspose2d layer = [] {
    nn::ConvTranspose2d m(4, 2, 3, {.stride = 2, .padding = 1, .dilation = 2});
    m.load_state_dict({{"weight", v}, {"bias", b.narrow(0, 0, 2)}});
    return m;
  }();
  return layer;
}

const nn::ConvTranspose2d& m3() {
  static const nn::ConvTranspose2d layer = [] {
    nn::ConvTranspose2d m(4, 2, {2, 3}, {.stride = {2, 3}, .padding = {1, 0}, .output_padding = {1, 2}, .dilation = {2, 1}});
    m.load_state_dict({{"weight", vr}, {"bias", b.narrow(0, 0, 2)}});
    return m;
  }();
  return layer;
}

const nn::ConvTranspose3d& m4() {
  static const nn::ConvTranspose3d layer = [] {
    nn::ConvTranspose3d m(4, 2, {2, 3, 2}, {.stride = {2, 1, 3}, .padding = {1, 1, 0}, .output_padding = {1, 0, 2}});
    m.load_state_dict({{"weight", u}, {"bias", b.narrow(0, 0, 2)}});
    return m;
  }();
  return layer;
}

/** The generator's layer(seed, ...): nn::ConvTranspose2d's weight, bias and output for y. */
call_cases::Got layer(uint64_t seed, int64_t in, int64_t out, const nn::ExpandingArray<2>& kernel,
                      const nn::ConvTranspose2dOptions& options) {
  return call_cases::seeded_layer<nn::ConvTranspose2d>(seed, y, in, out, kernel, options);
}

/** t[:n] along dim 0, t[..., :n] along `dim`. */
template <class T>
Tensor<T> head(const Tensor<T>& t, int64_t n, int64_t dim = 0) {
  return t.narrow(dim, 0, n);
}

const std::map<std::string, std::function<call_cases::Got()>>& value_calls() {
  static const std::map<std::string, std::function<call_cases::Got()>> calls = {
      {"F.conv_transpose1d(x, w)", [] { return got(F::conv_transpose1d(x, w)); }},
      {"F.conv_transpose1d(x, w, b[:3])", [] { return got(F::conv_transpose1d(x, w, head(b, 3))); }},
      {"F.conv_transpose1d(x, w, b[:3], stride=2)", [] { return got(F::conv_transpose1d(x, w, head(b, 3), {.stride = 2})); }},
      {"F.conv_transpose1d(x, w, None, stride=3, padding=1, output_padding=2)",
       [] { return got(F::conv_transpose1d(x, w, {}, {.stride = 3, .padding = 1, .output_padding = 2})); }},
      {"F.conv_transpose1d(x, w, b[:3], stride=2, padding=2, output_padding=1, dilation=2)",
       [] { return got(F::conv_transpose1d(x, w, head(b, 3), {.stride = 2, .padding = 2, .output_padding = 1, .dilation = 2})); }},
      {"F.conv_transpose1d(x, w, b[:6], groups=2)", [] { return got(F::conv_transpose1d(x, w, head(b, 6), {.groups = 2})); }},
      {"F.conv_transpose1d(x, w, b, stride=2, padding=1, groups=4)",
       [] { return got(F::conv_transpose1d(x, w, b, {.stride = 2, .padding = 1, .groups = 4})); }},
      {"F.conv_transpose1d(x[0], w, b[:3], stride=2, padding=1)",
       [] { return got(F::conv_transpose1d(x[0], w, head(b, 3), {.stride = 2, .padding = 1})); }},
      {"F.conv_transpose1d(x, w, padding=3)", [] { return got(F::conv_transpose1d(x, w, {}, {.padding = 3})); }},
      {"F.conv_transpose1d(x, w, output_padding=1, dilation=2)",
       [] { return got(F::conv_transpose1d(x, w, {}, {.output_padding = 1, .dilation = 2})); }},
      {"F.conv_transpose1d(x, w, stride=2, padding=4, output_padding=2, dilation=3)",
       [] { return got(F::conv_transpose1d(x, w, {}, {.stride = 2, .padding = 4, .output_padding = 2, .dilation = 3})); }},
      {"F.conv_transpose1d(x[:, :, :1], w[:, :, :1], padding=2, output_padding=4, dilation=5)",
       [] { return got(F::conv_transpose1d(head(x, 1, 2), head(w, 1, 2), {}, {.padding = 2, .output_padding = 4, .dilation = 5})); }},
      {"F.conv_transpose1d(x[:0], w)", [] { return got(F::conv_transpose1d(head(x, 0), w)); }},
      {"F.conv_transpose1d(x[:0, :, :0], w, b[:3])", [] { return got(F::conv_transpose1d(head(head(x, 0), 0, 2), w, head(b, 3))); }},
      {"F.conv_transpose1d(xd, wd, bd[:3], stride=2, padding=1, output_padding=1)",
       [] { return got(F::conv_transpose1d(xd, wd, head(bd, 3), {.stride = 2, .padding = 1, .output_padding = 1})); }},
      {"F.conv_transpose1d(xd, wd, bd[:6], stride=3, groups=2, dilation=2)",
       [] { return got(F::conv_transpose1d(xd, wd, head(bd, 6), {.stride = 3, .groups = 2, .dilation = 2})); }},
      {"F.conv_transpose1d(xd.transpose(0, 1)[1:3], wd[:2], None, stride=2)",
       [] { return got(F::conv_transpose1d(xd.transpose(0, 1).narrow(0, 1, 2), head(wd, 2), {}, {.stride = 2})); }},
      {"F.conv_transpose2d(y, v)", [] { return got(F::conv_transpose2d(y, v)); }},
      {"F.conv_transpose2d(y, v, b[:2], stride=2)", [] { return got(F::conv_transpose2d(y, v, head(b, 2), {.stride = 2})); }},
      {"F.conv_transpose2d(y, v, b[:2], stride=2, padding=1, output_padding=1)",
       [] { return got(F::conv_transpose2d(y, v, head(b, 2), {.stride = 2, .padding = 1, .output_padding = 1})); }},
      {"F.conv_transpose2d(y, v, None, stride=3, padding=2, output_padding=2, dilation=2)",
       [] { return got(F::conv_transpose2d(y, v, {}, {.stride = 3, .padding = 2, .output_padding = 2, .dilation = 2})); }},
      {"F.conv_transpose2d(y, v, b[:4], groups=2)", [] { return got(F::conv_transpose2d(y, v, head(b, 4), {.groups = 2})); }},
      {"F.conv_transpose2d(y, v, b[:8], stride=2, groups=4)",
       [] { return got(F::conv_transpose2d(y, v, head(b, 8), {.stride = 2, .groups = 4})); }},
      {"F.conv_transpose2d(y[0], v, b[:2], stride=2, padding=1)",
       [] { return got(F::conv_transpose2d(y[0], v, head(b, 2), {.stride = 2, .padding = 1})); }},
      {"F.conv_transpose2d(y, v, output_padding=1, dilation=2)",
       [] { return got(F::conv_transpose2d(y, v, {}, {.output_padding = 1, .dilation = 2})); }},
      {"F.conv_transpose2d(y, v2, b[:3], stride=2, padding=1)",
       [] { return got(F::conv_transpose2d(y, v2, head(b, 3), {.stride = 2, .padding = 1})); }},
      {"F.conv_transpose2d(y, v, padding=2)", [] { return got(F::conv_transpose2d(y, v, {}, {.padding = 2})); }},
      {"F.conv_transpose2d(y[:0], v)", [] { return got(F::conv_transpose2d(head(y, 0), v)); }},
      {"F.conv_transpose2d(yd, vd, bd[:2], stride=2, padding=1, output_padding=1, dilation=2)",
       [] { return got(F::conv_transpose2d(yd, vd, head(bd, 2), {.stride = 2, .padding = 1, .output_padding = 1, .dilation = 2})); }},
      {"F.conv_transpose2d(yd, vd, bd[:4], stride=2, groups=2)",
       [] { return got(F::conv_transpose2d(yd, vd, head(bd, 4), {.stride = 2, .groups = 2})); }},
      {"F.conv_transpose2d(yd.transpose(2, 3), vd, None, stride=2, padding=1)",
       [] { return got(F::conv_transpose2d(yd.transpose(2, 3), vd, {}, {.stride = 2, .padding = 1})); }},
      {"m1(x)", [] { return got(m1()(x)); }},
      {"m1(x, output_size=[14])", [] { return got(m1()(x, {14})); }},
      {"m1(x, output_size=[2, 3, 15])", [] { return got(m1()(x, {2, 3, 15})); }},
      {"m1(x[0], output_size=[13])", [] { return got(m1()(x[0], {13})); }},
      {"m2(y)", [] { return got(m2()(y)); }},
      {"m2(y, output_size=[7, 12])", [] { return got(m2()(y, {7, 12})); }},
      {"m2(y[0], output_size=[2, 8, 11])", [] { return got(m2()(y[0], {2, 8, 11})); }},
      {"m2(y, output_size=[2, 2, 8, 12])", [] { return got(m2()(y, {2, 2, 8, 12})); }},
      {"F.conv_transpose2d(y, vr)", [] { return got(F::conv_transpose2d(y, vr)); }},
      {"F.conv_transpose2d(y, vr, b[:2], stride=(2, 3), padding=(1, 0))",
       [] { return got(F::conv_transpose2d(y, vr, head(b, 2), {.stride = {2, 3}, .padding = {1, 0}})); }},
      {"F.conv_transpose2d(y, vr, None, stride=(2, 1), padding=(0, 2), output_padding=(1, 0))",
       [] { return got(F::conv_transpose2d(y, vr, {}, {.stride = {2, 1}, .padding = {0, 2}, .output_padding = {1, 0}})); }},
      {"F.conv_transpose2d(y, vr, b[:4], (1, 3), (1, 1), (0, 2), 2, (2, 1))",
       [] {
         return got(F::conv_transpose2d(
             y, vr, head(b, 4), {.stride = {1, 3}, .padding = {1, 1}, .output_padding = {0, 2}, .groups = 2, .dilation = {2, 1}}));
       }},
      {"F.conv_transpose2d(y, vr, None, stride=(1, 2), output_padding=(1, 2), dilation=(2, 3))",
       [] { return got(F::conv_transpose2d(y, vr, {}, {.stride = {1, 2}, .output_padding = {1, 2}, .dilation = {2, 3}})); }},
      {"F.conv_transpose2d(y, vr, b[:8], stride=(3, 2), padding=(2, 1), output_padding=(2, 1), groups=4)",
       [] {
         return got(F::conv_transpose2d(y, vr, head(b, 8),
                                        {.stride = {3, 2}, .padding = {2, 1}, .output_padding = {2, 1}, .groups = 4}));
       }},
      {"F.conv_transpose2d(y[0], vr, b[:2], stride=(2, 1), padding=(1, 2), dilation=(1, 2))",
       [] { return got(F::conv_transpose2d(y[0], vr, head(b, 2), {.stride = {2, 1}, .padding = {1, 2}, .dilation = {1, 2}})); }},
      {"F.conv_transpose2d(y, vr, b[:2], stride=[2], padding=[1], output_padding=[1], dilation=[2])",
       [] { return got(F::conv_transpose2d(y, vr, head(b, 2), {.stride = {2}, .padding = {1}, .output_padding = {1}, .dilation = {2}})); }},
      {"F.conv_transpose2d(y, v, b[:2], stride=(1, 2), padding=(2, 0), output_padding=(0, 1))",
       [] { return got(F::conv_transpose2d(y, v, head(b, 2), {.stride = {1, 2}, .padding = {2, 0}, .output_padding = {0, 1}})); }},
      {"F.conv_transpose2d(y[:0], vr, None, stride=(2, 3))",
       [] { return got(F::conv_transpose2d(head(y, 0), vr, {}, {.stride = {2, 3}})); }},
      {"F.conv_transpose2d(yd, vrd, bd[:4], stride=(2, 3), padding=(1, 2), output_padding=(1, 2), groups=2, dilation=(2, 1))",
       [] {
         return got(F::conv_transpose2d(
             yd, vrd, head(bd, 4), {.stride = {2, 3}, .padding = {1, 2}, .output_padding = {1, 2}, .groups = 2, .dilation = {2, 1}}));
       }},
      {"F.conv_transpose2d(yd.transpose(2, 3), vrd, None, stride=(3, 1), padding=(0, 1))",
       [] { return got(F::conv_transpose2d(yd.transpose(2, 3), vrd, {}, {.stride = {3, 1}, .padding = {0, 1}})); }},
      {"m3(y)", [] { return got(m3()(y)); }},
      {"m3(y, output_size=[6, 15])", [] { return got(m3()(y, {6, 15})); }},
      {"m3(y[0], output_size=[5, 17])", [] { return got(m3()(y[0], {5, 17})); }},
      {"m3(y, output_size=[2, 2, 6, 16])", [] { return got(m3()(y, {2, 2, 6, 16})); }},
      {"layer(7, 4, 6, (2, 3), stride=(2, 1), padding=(0, 1), output_padding=(1, 0), groups=2, dilation=(1, 2))",
       [] {
         return layer(7, 4, 6, {2, 3},
                      {.stride = {2, 1}, .padding = {0, 1}, .output_padding = {1, 0}, .groups = 2, .dilation = {1, 2}});
       }},
      {"F.conv_transpose3d(z, u)", [] { return got(F::conv_transpose3d(z, u)); }},
      {"F.conv_transpose3d(z, u, b[:2], stride=2)", [] { return got(F::conv_transpose3d(z, u, head(b, 2), {.stride = 2})); }},
      {"F.conv_transpose3d(z, u, b[:2], stride=(2, 1, 3), padding=(1, 1, 0), output_padding=(1, 0, 2))",
       [] {
         return got(F::conv_transpose3d(z, u, head(b, 2), {.stride = {2, 1, 3}, .padding = {1, 1, 0}, .output_padding = {1, 0, 2}}));
       }},
      {"F.conv_transpose3d(z, u, None, stride=2, padding=1, output_padding=1, dilation=2)",
       [] { return got(F::conv_transpose3d(z, u, {}, {.stride = 2, .padding = 1, .output_padding = 1, .dilation = 2})); }},
      {"F.conv_transpose3d(z, u, b[:4], stride=(1, 2, 1), groups=2)",
       [] { return got(F::conv_transpose3d(z, u, head(b, 4), {.stride = {1, 2, 1}, .groups = 2})); }},
      {"F.conv_transpose3d(z[0], u, b[:2], stride=2, padding=1)",
       [] { return got(F::conv_transpose3d(z[0], u, head(b, 2), {.stride = 2, .padding = 1})); }},
      {"F.conv_transpose3d(z, u, padding=(1, 1, 1))", [] { return got(F::conv_transpose3d(z, u, {}, {.padding = 1})); }},
      {"F.conv_transpose3d(z[:0], u)", [] { return got(F::conv_transpose3d(head(z, 0), u)); }},
      {"F.conv_transpose3d(zd, ud, bd[:8], stride=(3, 2, 1), padding=(1, 0, 1), output_padding=(2, 1, 0), groups=4, dilation=(1, 2, 2))",
       [] {
         return got(F::conv_transpose3d(zd, ud, head(bd, 8), {.stride = {3, 2, 1}, .padding = {1, 0, 1}, .output_padding = {2, 1, 0},
                                                              .groups = 4, .dilation = {1, 2, 2}}));
       }},
      {"m4(z)", [] { return got(m4()(z)); }},
      {"m4(z, output_size=[5, 2, 15])", [] { return got(m4()(z, {5, 2, 15})); }},
      {"m4(z[0], output_size=[2, 4, 2, 16])", [] { return got(m4()(z[0], {2, 4, 2, 16})); }},
  };
  return calls;
}

using Fn = call_cases::GradFn;
const std::map<std::string, Fn>& grad_calls() {
  static const std::map<std::string, Fn> calls = {
      {"F.conv_transpose1d(X, wd, bd[:3], stride=2, padding=1, output_padding=1)",
       [](const Tensor<double>& t) { return F::conv_transpose1d(t, wd, head(bd, 3), {.stride = 2, .padding = 1, .output_padding = 1}); }},
      {"F.conv_transpose1d(X, wd, None, stride=3, padding=2, output_padding=1, groups=2, dilation=2)",
       [](const Tensor<double>& t) {
         return F::conv_transpose1d(t, wd, {}, {.stride = 3, .padding = 2, .output_padding = 1, .groups = 2, .dilation = 2});
       }},
      {"F.conv_transpose1d(X, wd, bd[:3])", [](const Tensor<double>& t) { return F::conv_transpose1d(t, wd, head(bd, 3)); }},
      {"F.conv_transpose1d(xd[0], X, bd[:6], stride=2, groups=2)",
       [](const Tensor<double>& t) { return F::conv_transpose1d(xd[0], t, head(bd, 6), {.stride = 2, .groups = 2}); }},
      {"F.conv_transpose1d(xd, X, None, stride=2, padding=3, output_padding=1, dilation=2)",
       [](const Tensor<double>& t) {
         return F::conv_transpose1d(xd, t, {}, {.stride = 2, .padding = 3, .output_padding = 1, .dilation = 2});
       }},
      {"F.conv_transpose1d(xd[:, :, :1], X, padding=2, output_padding=4, dilation=5)",
       [](const Tensor<double>& t) {
         return F::conv_transpose1d(head(xd, 1, 2), t, {}, {.padding = 2, .output_padding = 4, .dilation = 5});
       }},
      {"F.conv_transpose1d(xd, wd, X, stride=2, padding=1)",
       [](const Tensor<double>& t) { return F::conv_transpose1d(xd, wd, t, {.stride = 2, .padding = 1}); }},
      {"F.conv_transpose2d(X, vd, bd[:2], stride=2, padding=1, output_padding=1)",
       [](const Tensor<double>& t) { return F::conv_transpose2d(t, vd, head(bd, 2), {.stride = 2, .padding = 1, .output_padding = 1}); }},
      {"F.conv_transpose2d(X, vd, None, stride=3, padding=2, output_padding=2, groups=2, dilation=2)",
       [](const Tensor<double>& t) {
         return F::conv_transpose2d(t, vd, {}, {.stride = 3, .padding = 2, .output_padding = 2, .groups = 2, .dilation = 2});
       }},
      {"F.conv_transpose2d(X, vd, bd[:2], output_padding=1, dilation=2)",
       [](const Tensor<double>& t) { return F::conv_transpose2d(t, vd, head(bd, 2), {.output_padding = 1, .dilation = 2}); }},
      {"F.conv_transpose2d(yd, X, bd[:4], stride=2, groups=2)",
       [](const Tensor<double>& t) { return F::conv_transpose2d(yd, t, head(bd, 4), {.stride = 2, .groups = 2}); }},
      {"F.conv_transpose2d(yd[0], X, None, stride=2, padding=1, output_padding=1)",
       [](const Tensor<double>& t) { return F::conv_transpose2d(yd[0], t, {}, {.stride = 2, .padding = 1, .output_padding = 1}); }},
      {"F.conv_transpose2d(yd, vd, X, stride=2)", [](const Tensor<double>& t) { return F::conv_transpose2d(yd, vd, t, {.stride = 2}); }},
      {"F.conv_transpose2d(X, vrd, bd[:2], stride=(2, 3), padding=(1, 0), output_padding=(1, 2))",
       [](const Tensor<double>& t) {
         return F::conv_transpose2d(t, vrd, head(bd, 2), {.stride = {2, 3}, .padding = {1, 0}, .output_padding = {1, 2}});
       }},
      {"F.conv_transpose2d(X, vrd, None, stride=(1, 2), padding=(0, 1), output_padding=(1, 0), groups=2, dilation=(2, 1))",
       [](const Tensor<double>& t) {
         return F::conv_transpose2d(
             t, vrd, {}, {.stride = {1, 2}, .padding = {0, 1}, .output_padding = {1, 0}, .groups = 2, .dilation = {2, 1}});
       }},
      {"F.conv_transpose2d(X, vrd, bd[:2], stride=(3, 1), output_padding=(2, 1), dilation=(1, 2))",
       [](const Tensor<double>& t) {
         return F::conv_transpose2d(t, vrd, head(bd, 2), {.stride = {3, 1}, .output_padding = {2, 1}, .dilation = {1, 2}});
       }},
      {"F.conv_transpose2d(yd, X, bd[:4], stride=(2, 1), padding=(1, 1), groups=2, dilation=(1, 2))",
       [](const Tensor<double>& t) {
         return F::conv_transpose2d(yd, t, head(bd, 4), {.stride = {2, 1}, .padding = {1, 1}, .groups = 2, .dilation = {1, 2}});
       }},
      {"F.conv_transpose2d(yd[0], X, None, stride=(3, 2), output_padding=(2, 1), dilation=(1, 2))",
       [](const Tensor<double>& t) {
         return F::conv_transpose2d(yd[0], t, {}, {.stride = {3, 2}, .output_padding = {2, 1}, .dilation = {1, 2}});
       }},
      {"F.conv_transpose2d(yd, vrd, X, stride=(2, 3), padding=(0, 1))",
       [](const Tensor<double>& t) { return F::conv_transpose2d(yd, vrd, t, {.stride = {2, 3}, .padding = {0, 1}}); }},
      {"F.conv_transpose3d(X, ud, bd[:2], stride=(2, 1, 3), padding=(1, 1, 0), output_padding=(1, 0, 2))",
       [](const Tensor<double>& t) {
         return F::conv_transpose3d(t, ud, head(bd, 2), {.stride = {2, 1, 3}, .padding = {1, 1, 0}, .output_padding = {1, 0, 2}});
       }},
      {"F.conv_transpose3d(X, ud, None, stride=2, padding=1, output_padding=1, groups=2, dilation=2)",
       [](const Tensor<double>& t) {
         return F::conv_transpose3d(t, ud, {}, {.stride = 2, .padding = 1, .output_padding = 1, .groups = 2, .dilation = 2});
       }},
      {"F.conv_transpose3d(zd, X, bd[:4], stride=(1, 2, 1), groups=2)",
       [](const Tensor<double>& t) { return F::conv_transpose3d(zd, t, head(bd, 4), {.stride = {1, 2, 1}, .groups = 2}); }},
      {"F.conv_transpose3d(zd[0], X, None, stride=2, padding=(1, 0, 1), dilation=(2, 1, 1))",
       [](const Tensor<double>& t) {
         return F::conv_transpose3d(zd[0], t, {}, {.stride = 2, .padding = {1, 0, 1}, .dilation = {2, 1, 1}});
       }},
      {"F.conv_transpose3d(zd, ud, X, stride=2)", [](const Tensor<double>& t) { return F::conv_transpose3d(zd, ud, t, {.stride = 2}); }},
      {"F.conv_transpose3d(X, ud[:, :, :1], bd[:2], stride=3, padding=1, output_padding=2)",
       [](const Tensor<double>& t) {
         return F::conv_transpose3d(t, head(ud, 1, 2), head(bd, 2), {.stride = 3, .padding = 1, .output_padding = 2});
       }},
  };
  return calls;
}

const std::map<std::string, std::function<void()>>& error_calls() {
  static const std::map<std::string, std::function<void()>> calls = {
      {"F.conv_transpose1d(x, w, stride=2, output_padding=2)", [] { F::conv_transpose1d(x, w, {}, {.stride = 2, .output_padding = 2}); }},
      {"F.conv_transpose1d(x, w, output_padding=1)", [] { F::conv_transpose1d(x, w, {}, {.output_padding = 1}); }},
      {"F.conv_transpose1d(x, w, stride=2, output_padding=3, dilation=3)",
       [] { F::conv_transpose1d(x, w, {}, {.stride = 2, .output_padding = 3, .dilation = 3}); }},
      {"F.conv_transpose2d(y, v, stride=2, output_padding=2)", [] { F::conv_transpose2d(y, v, {}, {.stride = 2, .output_padding = 2}); }},
      {"F.conv_transpose2d(y, v, stride=2, output_padding=3, dilation=3)",
       [] { F::conv_transpose2d(y, v, {}, {.stride = 2, .output_padding = 3, .dilation = 3}); }},
      {"F.conv_transpose1d(x[:, :3], w)", [] { F::conv_transpose1d(head(x, 3, 1), w); }},
      {"F.conv_transpose1d(x[0, :3], w)", [] { F::conv_transpose1d(head(x[0], 3), w); }},
      {"F.conv_transpose2d(y[:, :3], v)", [] { F::conv_transpose2d(head(y, 3, 1), v); }},
      {"F.conv_transpose2d(y[0, :3], v)", [] { F::conv_transpose2d(head(y[0], 3), v); }},
      {"F.conv_transpose1d(x, w, groups=3)", [] { F::conv_transpose1d(x, w, {}, {.groups = 3}); }},
      {"F.conv_transpose2d(y, v, groups=3)", [] { F::conv_transpose2d(y, v, {}, {.groups = 3}); }},
      {"F.conv_transpose1d(x, w, groups=0)", [] { F::conv_transpose1d(x, w, {}, {.groups = 0}); }},
      {"F.conv_transpose1d(x[:, :0], w[:0])", [] { F::conv_transpose1d(head(x, 0, 1), head(w, 0)); }},
      {"F.conv_transpose1d(x, w, b[:4])", [] { F::conv_transpose1d(x, w, head(b, 4)); }},
      {"F.conv_transpose1d(x, w, b[:6])", [] { F::conv_transpose1d(x, w, head(b, 6)); }},
      {"F.conv_transpose2d(y, v, b[:2].reshape(2, 1))", [] { F::conv_transpose2d(y, v, head(b, 2).reshape({2, 1})); }},
      {"F.conv_transpose1d(x, w, stride=0)", [] { F::conv_transpose1d(x, w, {}, {.stride = 0}); }},
      {"F.conv_transpose1d(x, w, padding=-1)", [] { F::conv_transpose1d(x, w, {}, {.padding = -1}); }},
      {"F.conv_transpose1d(x, w, output_padding=-1)", [] { F::conv_transpose1d(x, w, {}, {.output_padding = -1}); }},
      {"F.conv_transpose1d(x, w, dilation=0)", [] { F::conv_transpose1d(x, w, {}, {.dilation = 0}); }},
      {"F.conv_transpose2d(y, v, dilation=0)", [] { F::conv_transpose2d(y, v, {}, {.dilation = 0}); }},
      {"F.conv_transpose2d(y, v, stride=-1)", [] { F::conv_transpose2d(y, v, {}, {.stride = -1}); }},
      {"F.conv_transpose1d(x, w, groups=0, stride=0)", [] { F::conv_transpose1d(x, w, {}, {.stride = 0, .groups = 0}); }},
      {"F.conv_transpose1d(x, w, padding=-1, output_padding=-1)",
       [] { F::conv_transpose1d(x, w, {}, {.padding = -1, .output_padding = -1}); }},
      {"F.conv_transpose1d(x, w[:, :, :0])", [] { F::conv_transpose1d(x, head(w, 0, 2)); }},
      {"F.conv_transpose2d(y, v[:, :, :0, :0])", [] { F::conv_transpose2d(y, head(head(v, 0, 2), 0, 3)); }},
      {"F.conv_transpose1d(x, w[:, :0])", [] { F::conv_transpose1d(x, head(w, 0, 1)); }},
      {"F.conv_transpose2d(y, v[:, :0])", [] { F::conv_transpose2d(y, head(v, 0, 1)); }},
      {"F.conv_transpose1d(x[:, :, :0], w)", [] { F::conv_transpose1d(head(x, 0, 2), w); }},
      {"F.conv_transpose2d(y[:, :, :0], v)", [] { F::conv_transpose2d(head(y, 0, 2), v); }},
      {"F.conv_transpose1d(x, w, padding=4)", [] { F::conv_transpose1d(x, w, {}, {.padding = 4}); }},
      {"F.conv_transpose1d(x[:, :, :4], w, padding=3)", [] { F::conv_transpose1d(head(x, 4, 2), w, {}, {.padding = 3}); }},
      {"F.conv_transpose2d(y, v, padding=3)", [] { F::conv_transpose2d(y, v, {}, {.padding = 3}); }},
      {"F.conv_transpose1d(x.unsqueeze(0), w)", [] { F::conv_transpose1d(x.unsqueeze(0), w); }},
      {"F.conv_transpose1d(x[0, 0], w)", [] { F::conv_transpose1d(x[0][0], w); }},
      {"F.conv_transpose2d(y[0, 0], v)", [] { F::conv_transpose2d(y[0][0], v); }},
      {"F.conv_transpose2d(y.unsqueeze(0), v)", [] { F::conv_transpose2d(y.unsqueeze(0), v); }},
      {"F.conv_transpose1d(x, w[0])", [] { F::conv_transpose1d(x, w[0]); }},
      {"F.conv_transpose2d(y, vr, stride=(2, 1), output_padding=(0, 1))",
       [] { F::conv_transpose2d(y, vr, {}, {.stride = {2, 1}, .output_padding = {0, 1}}); }},
      {"F.conv_transpose2d(y, vr, stride=(2, 1), output_padding=(2, 0))",
       [] { F::conv_transpose2d(y, vr, {}, {.stride = {2, 1}, .output_padding = {2, 0}}); }},
      {"F.conv_transpose2d(y, vr, stride=(1, 2), output_padding=(1, 1), dilation=(1, 3))",
       [] { F::conv_transpose2d(y, vr, {}, {.stride = {1, 2}, .output_padding = {1, 1}, .dilation = {1, 3}}); }},
      {"F.conv_transpose2d(y, vr, stride=(1, 2, 3))", [] { F::conv_transpose2d(y, vr, {}, {.stride = {1, 2, 3}}); }},
      {"F.conv_transpose2d(y, vr, padding=(1, 2, 3))", [] { F::conv_transpose2d(y, vr, {}, {.padding = {1, 2, 3}}); }},
      {"F.conv_transpose2d(y, vr, output_padding=(1, 2, 3))", [] { F::conv_transpose2d(y, vr, {}, {.output_padding = {1, 2, 3}}); }},
      {"F.conv_transpose2d(y, vr, dilation=(1, 2, 3))", [] { F::conv_transpose2d(y, vr, {}, {.dilation = {1, 2, 3}}); }},
      {"F.conv_transpose2d(y, vr, stride=())", [] { F::conv_transpose2d(y, vr, {}, {.stride = std::vector<int64_t>{}}); }},
      {"F.conv_transpose2d(y, vr, stride=(1, 2, 3), padding=(1, 2, 3))",
       [] { F::conv_transpose2d(y, vr, {}, {.stride = {1, 2, 3}, .padding = {1, 2, 3}}); }},
      {"F.conv_transpose2d(y, vr, stride=(1, 0))", [] { F::conv_transpose2d(y, vr, {}, {.stride = {1, 0}}); }},
      {"F.conv_transpose2d(y, vr, padding=(1, -1))", [] { F::conv_transpose2d(y, vr, {}, {.padding = {1, -1}}); }},
      {"F.conv_transpose2d(y, vr, output_padding=(0, -1))", [] { F::conv_transpose2d(y, vr, {}, {.output_padding = {0, -1}}); }},
      {"F.conv_transpose2d(y, vr, dilation=(1, 0))", [] { F::conv_transpose2d(y, vr, {}, {.dilation = {1, 0}}); }},
      {"F.conv_transpose2d(y, vr, dilation=(0, 1))", [] { F::conv_transpose2d(y, vr, {}, {.dilation = {0, 1}}); }},
      {"F.conv_transpose2d(y, vr, padding=(2, 3))", [] { F::conv_transpose2d(y, vr, {}, {.padding = {2, 3}}); }},
      {"F.conv_transpose2d(y, vr, padding=(1, 4))", [] { F::conv_transpose2d(y, vr, {}, {.padding = {1, 4}}); }},
      {"F.conv_transpose2d(y, vr[:, :, :0])", [] { F::conv_transpose2d(y, head(vr, 0, 2)); }},
      {"F.conv_transpose2d(y, vr[:, :, :, :0])", [] { F::conv_transpose2d(y, head(vr, 0, 3)); }},
      {"F.conv_transpose2d(y[:, :3], vr, stride=(2, 1))", [] { F::conv_transpose2d(head(y, 3, 1), vr, {}, {.stride = {2, 1}}); }},
      {"F.conv_transpose2d(y, vr, b[:3], stride=(1, 2))", [] { F::conv_transpose2d(y, vr, head(b, 3), {.stride = {1, 2}}); }},
      {"m3(y[:, :, :0])", [] { m3()(head(y, 0, 2)); }},
      {"nn.ConvTranspose2d(4, 2, 3, padding_mode='reflect')", [] { nn::ConvTranspose2d(4, 2, 3, {.padding_mode = "reflect"}); }},
      {"nn.ConvTranspose2d(4, 2, (2, 3), padding_mode='circular')",
       [] { nn::ConvTranspose2d(4, 2, {2, 3}, {.padding_mode = "circular"}); }},
      {"nn.ConvTranspose1d(4, 2, 3, padding_mode='replicate')", [] { nn::ConvTranspose1d(4, 2, 3, {.padding_mode = "replicate"}); }},
      {"nn.ConvTranspose2d(4, 2, 3, groups=3, padding_mode='zero')",
       [] { nn::ConvTranspose2d(4, 2, 3, {.groups = 3, .padding_mode = "zero"}); }},
      {"F.conv_transpose3d(z, u, groups=3)", [] { F::conv_transpose3d(z, u, {}, {.groups = 3}); }},
      {"F.conv_transpose3d(z, u, stride=0)", [] { F::conv_transpose3d(z, u, {}, {.stride = 0}); }},
      {"F.conv_transpose3d(z, u, padding=-1)", [] { F::conv_transpose3d(z, u, {}, {.padding = -1}); }},
      {"F.conv_transpose3d(z, u, output_padding=2)", [] { F::conv_transpose3d(z, u, {}, {.output_padding = 2}); }},
      {"F.conv_transpose3d(z, u[:, :, :0])", [] { F::conv_transpose3d(z, head(u, 0, 2)); }},
      {"F.conv_transpose3d(z, u, dilation=0)", [] { F::conv_transpose3d(z, u, {}, {.dilation = 0}); }},
      {"F.conv_transpose3d(z[0, 0], u)", [] { F::conv_transpose3d(z[0][0], u); }},
      {"F.conv_transpose3d(z, u, b[:3])", [] { F::conv_transpose3d(z, u, head(b, 3)); }},
      {"F.conv_transpose3d(z[:, :3], u)", [] { F::conv_transpose3d(head(z, 3, 1), u); }},
      {"F.conv_transpose3d(z[:, :, :1, :1, :1], u, padding=2)",
       [] { F::conv_transpose3d(head(head(head(z, 1, 2), 1, 3), 1, 4), u, {}, {.padding = 2}); }},
      {"F.conv_transpose3d(z, u, stride=(1, 2))", [] { F::conv_transpose3d(z, u, {}, {.stride = {1, 2}}); }},
      {"F.conv_transpose3d(z, u, stride=(1, 2, 2), output_padding=(1, 0, 0))",
       [] { F::conv_transpose3d(z, u, {}, {.stride = {1, 2, 2}, .output_padding = {1, 0, 0}}); }},
      {"F.conv_transpose3d(z[:, :, :0], u)", [] { F::conv_transpose3d(head(z, 0, 2), u); }},
      {"nn.ConvTranspose3d(4, 2, 2, padding_mode='reflect')", [] { nn::ConvTranspose3d(4, 2, 2, {.padding_mode = "reflect"}); }},
  };
  return calls;
}

/** Equal within 64 units in the last place of the result's largest magnitude (the products sum
 *  in another order than PyTorch's, and the inputs' sin and cos may differ in the last bit). */
bool close(const std::vector<double>& a, const std::vector<double>& b, ts::DType dtype) {
  const double eps = dtype == ts::DType::Float64 ? 0x1p-52 : 0x1p-23;
  if (a.size() != b.size()) return false;
  double scale = 1;
  for (double e : b) scale = std::max(scale, std::abs(e));
  for (size_t i = 0; i < a.size(); ++i)
    if (!(std::abs(a[i] - b[i]) <= 64 * eps * scale)) return false;
  return true;
}

}  // namespace

TEST_CASE("conv_transpose1d/2d give PyTorch's values", "[conv_transpose][golden]") {
  call_cases::check_value_cases("conv_transpose.txt", value_calls(), [](const Part& have, const Part& want, const auto&) {
    CHECK(close(have.values, want.values, have.dtype));
  });
}

TEST_CASE("conv_transpose1d/2d give PyTorch's gradients for input, weight and bias and pass gradcheck",
          "[conv_transpose][golden][gradcheck]") {
  call_cases::check_grad_cases("conv_transpose.txt", grad_calls());
}

TEST_CASE("conv_transpose1d/2d record PyTorch's node", "[conv_transpose][golden]") {
  const auto r = [](const Tensor<float>& t) { return t.detach().requires_grad_(); };
  const Tensor<float> xg = r(x), yg = r(y), vg = r(v);
  const std::map<std::string, std::function<std::string()>> calls = {
      {"F.conv_transpose1d(xg, w)", [&] { return F::conv_transpose1d(xg, w).grad_fn_name(); }},
      {"F.conv_transpose2d(yg, v)", [&] { return F::conv_transpose2d(yg, v).grad_fn_name(); }},
      {"F.conv_transpose2d(y, vg, b[:2])", [&] { return F::conv_transpose2d(y, vg, b.narrow(0, 0, 2)).grad_fn_name(); }},
      {"F.conv_transpose2d(yg, v, stride=2, padding=1, output_padding=1)",
       [&] { return F::conv_transpose2d(yg, v, {}, {.stride = 2, .padding = 1, .output_padding = 1}).grad_fn_name(); }},
      {"F.conv_transpose2d(yg[0], v)", [&] { return F::conv_transpose2d(yg[0], v).grad_fn_name(); }},
      {"F.conv_transpose2d(yg, v2, groups=2, dilation=2)",
       [&] { return F::conv_transpose2d(yg, v2, {}, {.groups = 2, .dilation = 2}).grad_fn_name(); }},
  };
  call_cases::check_node_cases("conv_transpose.txt", calls);
}

TEST_CASE("conv_transpose1d/2d refuse what PyTorch refuses, with its messages", "[conv_transpose][golden]") {
  call_cases::check_error_cases("conv_transpose.txt", error_calls());
  // Beyond PyTorch: a 2-D weight has four dims, a 1-D weight three.
  CHECK(error_of([] { F::conv_transpose2d(y, w); }) ==
        "conv_transpose2d: expected a 4-D weight [in, out / groups, kh, kw], got shape [4, 3, 3]");
  CHECK(error_of([] { F::conv_transpose1d(x, v); }) ==
        "conv_transpose1d: expected a 3-D weight [in, out / groups, k], got shape [4, 2, 3, 3]");
  CHECK(error_of([] { nn::ConvTranspose1d(4, 6, 3, {.groups = 4}); }) ==
        "ConvTranspose1d: in_channels and out_channels must be divisible by groups");
  CHECK(error_of([] { nn::ConvTranspose2d(3, 4, 0); }) == "ConvTranspose2d: kernel_size must be positive, got [0]");
  CHECK(error_of([] { nn::ConvTranspose2d(3, 4, {2, 0}); }) == "ConvTranspose2d: kernel_size must be positive, got [2, 0]");
  // The layer checks the lengths of its pairs when it is built (PyTorch: in forward).
  CHECK(error_of([] { nn::ConvTranspose2d(4, 2, {2, 3, 4}); }) ==
        "ConvTranspose2d: expected kernel_size to be a single integer value or a list of 2 values to match the "
        "convolution dimensions, but got kernel_size=[2, 3, 4]");
  CHECK(error_of([] { nn::ConvTranspose2d(4, 2, 3, {.output_padding = {1, 2, 3}}); }) ==
        "ConvTranspose2d: expected output_padding to be a single integer value or a list of 2 values to match the "
        "convolution dimensions, but got output_padding=[1, 2, 3]");
  // The functional forms have no padding_mode in PyTorch; tessera's options do, and refuse the same.
  CHECK(error_of([] { F::conv_transpose2d(y, v, {}, {.padding_mode = "reflect"}); }) ==
        "conv_transpose2d: Only \"zeros\" padding mode is supported for ConvTranspose2d");
  CHECK(error_of([] { F::conv_transpose1d(x, w, {}, {.padding_mode = "circular"}); }) ==
        "conv_transpose1d: Only \"zeros\" padding mode is supported for ConvTranspose1d");
  // forward(input, output_size): PyTorch's ValueErrors.
  CHECK(error_of([] { m1()(x, {12}); }) ==
        "ConvTranspose1d: requested an output size of [12], but valid sizes range from [13] to [15] (for an input of [5])");
  CHECK(error_of([] { m2()(y[0], {7, 13}); }) == "ConvTranspose2d: requested an output size of [7, 13], but valid sizes "
                                                 "range from [7, 11] to [8, 12] (for an input of [3, 5])");
  CHECK(error_of([] { m2()(y, {2, 7, 12}); }) == "ConvTranspose2d: for 4D input, output_size must have 2 or 4 elements (got 3)");
  CHECK(error_of([] { m1()(x[0], {1, 3, 13}); }) == "ConvTranspose1d: for 2D input, output_size must have 1 or 2 elements (got 3)");
  CHECK(error_of([] { m3()(y, {7, 15}); }) == "ConvTranspose2d: requested an output size of [7, 15], but valid sizes "
                                              "range from [5, 15] to [6, 17] (for an input of [3, 5])");
  CHECK(error_of([] { m3()(y[0], {6, 14}); }) == "ConvTranspose2d: requested an output size of [6, 14], but valid sizes "
                                                 "range from [5, 15] to [6, 17] (for an input of [3, 5])");
  CHECK(error_of([] { m1()(x[0][0], {13}); }) ==
        "conv_transpose1d: Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input of size: [5]");
}

TEST_CASE("ConvTranspose1d/2d have PyTorch's parameters, initial bounds and outputs", "[conv_transpose][nn]") {
  const nn::ConvTranspose1d one(4, 6, 3, {.stride = 2, .padding = 1, .output_padding = 1, .groups = 2});
  const auto params = one.named_parameters();
  REQUIRE(params.size() == 2);
  CHECK(params[0].first == "weight");
  CHECK(params[0].second.sizes() == ts::Shape{4, 3, 3});
  CHECK(params[1].first == "bias");
  CHECK(params[1].second.sizes() == ts::Shape{6});
  CHECK(one.state_dict().size() == 2);
  const Tensor<float> out = one(x);
  CHECK(out.sizes() == ts::Shape{2, 6, 10});
  CHECK(out.to_vector() == F::conv_transpose1d(x, one.weight(), one.bias(), {.stride = 2, .padding = 1, .output_padding = 1, .groups = 2})
                               .to_vector());
  CHECK(one(x[0]).sizes() == ts::Shape{6, 10});

  const nn::ConvTranspose2d two(4, 6, 3, {.stride = 2, .bias = false, .dilation = 2});
  REQUIRE(two.named_parameters().size() == 1);
  CHECK(two.named_parameters()[0].first == "weight");
  CHECK(two.weight().sizes() == ts::Shape{4, 6, 3, 3});
  CHECK(!two.bias().defined());
  CHECK(two(y).sizes() == ts::Shape{2, 6, 9, 13});

  // PyTorch's fan_in of a transposed weight [in, out / groups, k, k] is (out / groups) k k (dim 1),
  // so kaiming_uniform(a = sqrt(5)) and the bias draw within 1 / sqrt(2 * 9) here, not 1 / sqrt(16 * 9).
  const nn::ConvTranspose2d wide(16, 4, 3, {.groups = 2});
  const double bound = 1 / std::sqrt(18.0);
  for (const auto& t : {wide.weight(), wide.bias()}) {
    const Tensor<float> magnitude = t.abs();
    CHECK(magnitude.max().item() <= bound);
    if (t.numel() > 100) CHECK(magnitude.max().item() > 0.9 * bound);
  }
}

TEST_CASE("conv_transpose1d/2d pass gradcheck and gradgradcheck for input, weight and bias together",
          "[conv_transpose][gradcheck]") {
  const auto probe = [](ts::Shape shape) { return ts::randn(shape).to<double>().requires_grad_(); };
  const std::vector<Tensor<double>> one{probe({2, 4, 3}), probe({4, 1, 3}), probe({2})};
  const auto f1 = [](const std::vector<Tensor<double>>& in) {
    return F::conv_transpose1d(in[0], in[1], in[2], {.stride = 2, .padding = 1, .output_padding = 1, .groups = 2});
  };
  CHECK(ts::autograd::gradcheck(f1, one));
  CHECK(ts::autograd::gradgradcheck(f1, one));
  const std::vector<Tensor<double>> two{probe({1, 4, 2, 3}), probe({4, 1, 2, 2}), probe({2})};
  const auto f2 = [](const std::vector<Tensor<double>>& in) {
    return F::conv_transpose2d(in[0], in[1], in[2], {.stride = 2, .output_padding = 1, .groups = 2, .dilation = 2});
  };
  CHECK(ts::autograd::gradcheck(f2, two));
  CHECK(ts::autograd::gradgradcheck(f2, two));
  const std::vector<Tensor<double>> rect{probe({1, 4, 3, 2}), probe({4, 1, 2, 3}), probe({2})};
  const auto f3 = [](const std::vector<Tensor<double>>& in) {
    return F::conv_transpose2d(in[0], in[1], in[2],
                               {.stride = {2, 1}, .padding = {1, 0}, .output_padding = {1, 1}, .groups = 2, .dilation = {1, 2}});
  };
  CHECK(ts::autograd::gradcheck(f3, rect));
  CHECK(ts::autograd::gradgradcheck(f3, rect));
}

TEST_CASE("conv_transpose2d is the adjoint of conv2d", "[conv_transpose]") {
  // <conv2d(a, k), c> = <a, conv_transpose2d(c, k)> for every a, c: the defining property.
  const Tensor<double> a = ts::randn({2, 3, 8, 8}).to<double>(), k = ts::randn({4, 3, 3, 3}).to<double>();
  const ts::nn::Conv2dOptions forward{.stride = 2, .padding = 1, .dilation = 2};
  const Tensor<double> c = ts::randn(F::conv2d(a, k, {}, forward).sizes()).to<double>();
  const double lhs = (F::conv2d(a, k, {}, forward) * c).sum().item();
  const Tensor<double> back = F::conv_transpose2d(c, k, {}, {.stride = 2, .padding = 1, .output_padding = 1, .dilation = 2});
  REQUIRE(back.sizes() == a.sizes());
  CHECK((a * back).sum().item() == Approx(lhs).epsilon(1e-12));
  // Per axis, with a rectangular kernel: output_padding gives back the rows and columns that the
  // strided convolution's last window left out.
  const Tensor<double> r = ts::randn({4, 3, 2, 3}).to<double>();
  const ts::nn::Conv2dOptions rect{.stride = {3, 2}, .padding = {1, 0}, .dilation = {1, 2}};
  const Tensor<double> e = ts::randn(F::conv2d(a, r, {}, rect).sizes()).to<double>();
  const Tensor<double> back_rect =
      F::conv_transpose2d(e, r, {}, {.stride = {3, 2}, .padding = {1, 0}, .output_padding = {2, 1}, .dilation = {1, 2}});
  REQUIRE(back_rect.sizes() == a.sizes());
  CHECK((a * back_rect).sum().item() == Approx((F::conv2d(a, r, {}, rect) * e).sum().item()).epsilon(1e-12));
}

}  // namespace test_nn_conv_transpose
