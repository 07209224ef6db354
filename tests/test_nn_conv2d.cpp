// nn/conv.hpp's Conv2d against PyTorch 1.13: rectangular kernels, stride, padding and dilation as
// ints and pairs, padding "same" (odd and even kernels, dilation) and "valid", groups, unbatched
// inputs, the layers' initial weights, F.conv1d and nn.Conv1d with padding "valid", Conv1d and
// Conv2d with every padding_mode (values, gradients for the input, the weight and the bias, error
// messages from tests/golden/conv2d.txt, written by tests/golden/generate_conv2d.py), gradcheck,
// and the spellings the options accept.

#include <cmath>
#include <functional>
#include <map>
#include <string>

#include "call_cases.hpp"
#include "error_of.hpp"
#include "golden.hpp"

namespace test_nn_conv2d {

namespace {

namespace F = ts::nn::functional;
namespace nn = ts::nn;
using ts::Tensor;

using call_cases::got;

// The generator's inputs.
const Tensor<float> x = ts::arange<float>(0, 2 * 4 * 6 * 7).reshape({2, 4, 6, 7}).sin();
const Tensor<float> w23 = ts::arange<float>(0, 3 * 4 * 2 * 3).reshape({3, 4, 2, 3}).cos();
const Tensor<float> w33 = ts::arange<float>(0, 3 * 4 * 3 * 3).reshape({3, 4, 3, 3}).sin() * 0.5f;
const Tensor<float> w44 = ts::arange<float>(0, 2 * 4 * 4 * 4).reshape({2, 4, 4, 4}).cos() * 0.25f;
const Tensor<float> w14 = ts::arange<float>(0, 2 * 4 * 1 * 4).reshape({2, 4, 1, 4}).sin();
const Tensor<float> wg = ts::arange<float>(0, 4 * 2 * 3 * 2).reshape({4, 2, 3, 2}).cos();
const Tensor<float> b = ts::tensor({0.5f, -1.0f, 0.25f});
const Tensor<float> bg = ts::tensor({1.0f, -0.5f, 0.0f, 2.0f});
const Tensor<double> xd = ts::arange<double>(0, 1 * 4 * 5 * 6).reshape({1, 4, 5, 6}).cos();
const Tensor<double> w23d = ts::arange<double>(0, 3 * 4 * 2 * 3).reshape({3, 4, 2, 3}).cos();
const Tensor<double> wgd = ts::arange<double>(0, 4 * 2 * 3 * 2).reshape({4, 2, 3, 2}).cos();
const Tensor<double> w44d = ts::arange<double>(0, 2 * 4 * 4 * 4).reshape({2, 4, 4, 4}).cos() * 0.25;
const Tensor<double> bd = b.to<double>();
const Tensor<float> s = ts::arange<float>(0, 2 * 4 * 9).reshape({2, 4, 9}).cos();
const Tensor<double> sd = ts::arange<double>(0, 2 * 4 * 9).reshape({2, 4, 9}).cos();
const Tensor<float> w1 = ts::arange<float>(0, 3 * 4 * 3).reshape({3, 4, 3}).sin();
const Tensor<double> w1d = ts::arange<double>(0, 3 * 4 * 3).reshape({3, 4, 3}).sin();
const Tensor<float> none;
const Tensor<float> v = ts::arange<float>(0, 2 * 4 * 5 * 6 * 7).reshape({2, 4, 5, 6, 7}).sin();
const Tensor<float> w3 = ts::arange<float>(0, 3 * 4 * 2 * 3 * 2).reshape({3, 4, 2, 3, 2}).cos() * 0.5f;
const Tensor<float> w3g = ts::arange<float>(0, 4 * 2 * 3 * 1 * 2).reshape({4, 2, 3, 1, 2}).sin();
const Tensor<float> b3 = ts::tensor({0.5f, -1.0f, 0.25f});
const Tensor<double> vd = ts::arange<double>(0, 2 * 4 * 5 * 6 * 7).reshape({2, 4, 5, 6, 7}).sin();
const Tensor<double> w3d = ts::arange<double>(0, 3 * 4 * 2 * 3 * 2).reshape({3, 4, 2, 3, 2}).cos() * 0.5;

/** The generator's layer3d(seed, ...): nn::Conv3d's weight, bias (when it has one) and output for v. */
call_cases::Got layer3d(uint64_t seed, int64_t in, int64_t out, const nn::ExpandingArray<3>& kernel,
                        const nn::Conv3dOptions& options) {
  return call_cases::seeded_layer<nn::Conv3d>(seed, v, in, out, kernel, options);
}

/** The generator's conv3(x, w, b, ...): nn::Conv3d with weight w and bias b, run on x. */
Tensor<float> conv3(const Tensor<float>& in, const Tensor<float>& weight, const Tensor<float>& bias,
                    nn::Conv3dOptions options) {
  options.bias = bias.defined();
  nn::Conv3d m(weight.size(1) * options.groups, weight.size(0), {weight.size(2), weight.size(3), weight.size(4)}, options);
  std::map<std::string, ts::AnyTensor> state{{"weight", weight}};
  if (bias.defined()) state.emplace("bias", bias);
  m.load_state_dict(state);
  return m(in);
}

/** The generator's layer(seed, ...): nn::Conv2d's weight, bias (when it has one) and output for x. */
call_cases::Got layer(uint64_t seed, int64_t in, int64_t out, const nn::ExpandingArray<2>& kernel,
                      const nn::Conv2dOptions& options) {
  return call_cases::seeded_layer<nn::Conv2d>(seed, x, in, out, kernel, options);
}

/** The generator's layer1d(seed, ...): nn::Conv1d's weight, bias and output for s. */
call_cases::Got layer1d(uint64_t seed, int64_t in, int64_t out, int64_t kernel, const nn::Conv1dOptions& options) {
  return call_cases::seeded_layer<nn::Conv1d>(seed, s, in, out, kernel, options);
}

/** The generator's conv2(x, w, b, ...): nn::Conv2d with weight w and bias b (none if undefined),
 *  run on x; conv1 the same with nn::Conv1d. */
Tensor<float> conv2(const Tensor<float>& in, const Tensor<float>& weight, const Tensor<float>& bias,
                    nn::Conv2dOptions options) {
  options.bias = bias.defined();
  nn::Conv2d m(weight.size(1) * options.groups, weight.size(0), {weight.size(2), weight.size(3)}, options);
  std::map<std::string, ts::AnyTensor> state{{"weight", weight}};
  if (bias.defined()) state.emplace("bias", bias);
  m.load_state_dict(state);
  return m(in);
}
Tensor<float> conv1(const Tensor<float>& in, const Tensor<float>& weight, const Tensor<float>& bias,
                    nn::Conv1dOptions options) {
  options.bias = bias.defined();
  nn::Conv1d m(weight.size(1) * options.groups, weight.size(0), weight.size(2), options);
  std::map<std::string, ts::AnyTensor> state{{"weight", weight}};
  if (bias.defined()) state.emplace("bias", bias);
  m.load_state_dict(state);
  return m(in);
}

const std::map<std::string, std::function<call_cases::Got()>>& value_calls() {
  static const std::map<std::string, std::function<call_cases::Got()>> calls = {
      {"F.conv2d(x, w23)", [] { return got(F::conv2d(x, w23)); }},
      {"F.conv2d(x, w23, b)", [] { return got(F::conv2d(x, w23, b)); }},
      {"F.conv2d(x, w23, b, stride=(2, 1))", [] { return got(F::conv2d(x, w23, b, {.stride = {2, 1}})); }},
      {"F.conv2d(x, w23, b, (1, 2), (2, 1))", [] { return got(F::conv2d(x, w23, b, {.stride = {1, 2}, .padding = {2, 1}})); }},
      {"F.conv2d(x, w23, None, 1, (0, 2), (2, 1))",
       [] { return got(F::conv2d(x, w23, none, {.stride = 1, .padding = {0, 2}, .dilation = {2, 1}})); }},
      {"F.conv2d(x, w23, b, (2, 3), (1, 0), (1, 2))",
       [] { return got(F::conv2d(x, w23, b, {.stride = {2, 3}, .padding = {1, 0}, .dilation = {1, 2}})); }},
      {"F.conv2d(x, w23, b, 2, (1, 1), 2)",
       [] { return got(F::conv2d(x, w23, b, {.stride = 2, .padding = {1, 1}, .dilation = 2})); }},
      {"F.conv2d(x, w14, None, (3, 1), (0, 3))", [] { return got(F::conv2d(x, w14, none, {.stride = {3, 1}, .padding = {0, 3}})); }},
      {"F.conv2d(x, w33, b, 1, 2, (1, 3))", [] { return got(F::conv2d(x, w33, b, {.padding = 2, .dilation = {1, 3}})); }},
      {"F.conv2d(x, wg, bg, (1, 2), 1, (2, 1), 2)",
       [] { return got(F::conv2d(x, wg, bg, {.stride = {1, 2}, .padding = 1, .dilation = {2, 1}, .groups = 2})); }},
      {"F.conv2d(x, wg, None, (2, 2), (2, 0), 1, 2)",
       [] { return got(F::conv2d(x, wg, none, {.stride = {2, 2}, .padding = {2, 0}, .groups = 2})); }},
      {"F.conv2d(x, w23, b, padding='same')", [] { return got(F::conv2d(x, w23, b, {.padding = "same"})); }},
      {"F.conv2d(x, w33, b, padding='same')", [] { return got(F::conv2d(x, w33, b, {.padding = "same"})); }},
      {"F.conv2d(x, w44, None, padding='same')", [] { return got(F::conv2d(x, w44, none, {.padding = "same"})); }},
      {"F.conv2d(x, w14, None, padding='same')", [] { return got(F::conv2d(x, w14, none, {.padding = "same"})); }},
      {"F.conv2d(x, w23, b, padding='same', dilation=(2, 3))",
       [] { return got(F::conv2d(x, w23, b, {.padding = "same", .dilation = {2, 3}})); }},
      {"F.conv2d(x, w44, None, padding='same', dilation=2)",
       [] { return got(F::conv2d(x, w44, none, {.padding = "same", .dilation = 2})); }},
      {"F.conv2d(x, w33, b, 1, 'same', (1, 2))",
       [] { return got(F::conv2d(x, w33, b, {.stride = 1, .padding = "same", .dilation = {1, 2}})); }},
      {"F.conv2d(x, wg, bg, padding='same', groups=2)",
       [] { return got(F::conv2d(x, wg, bg, {.padding = "same", .groups = 2})); }},
      {"F.conv2d(x, wg, None, (1, 1), 'same', (2, 3), 2)",
       [] { return got(F::conv2d(x, wg, none, {.stride = {1, 1}, .padding = "same", .dilation = {2, 3}, .groups = 2})); }},
      {"F.conv2d(x, w23, b, padding='valid')", [] { return got(F::conv2d(x, w23, b, {.padding = "valid"})); }},
      {"F.conv2d(x, w23, b, (2, 1), 'valid', (2, 1))",
       [] { return got(F::conv2d(x, w23, b, {.stride = {2, 1}, .padding = "valid", .dilation = {2, 1}})); }},
      {"F.conv2d(x[0], w23, b, (2, 1), (1, 0))", [] { return got(F::conv2d(x[0], w23, b, {.stride = {2, 1}, .padding = {1, 0}})); }},
      {"F.conv2d(x[1], w44, None, padding='same')", [] { return got(F::conv2d(x[1], w44, none, {.padding = "same"})); }},
      {"F.conv2d(xd, w23d, bd, (1, 2), (1, 2), (2, 1))",
       [] { return got(F::conv2d(xd, w23d, bd, {.stride = {1, 2}, .padding = {1, 2}, .dilation = {2, 1}})); }},
      {"F.conv2d(xd, w44d, None, padding='same', dilation=(1, 2))",
       [] { return got(F::conv2d(xd, w44d, Tensor<double>{}, {.padding = "same", .dilation = {1, 2}})); }},
      {"F.conv2d(x, torch.zeros(3, 4, 6, 7), b)", [] { return got(F::conv2d(x, ts::zeros<float>({3, 4, 6, 7}), b)); }},
      {"layer(0, 4, 3, (2, 3), stride=(1, 2), padding=(1, 0))",
       [] { return layer(0, 4, 3, {2, 3}, {.stride = {1, 2}, .padding = {1, 0}}); }},
      {"layer(1, 4, 6, (3, 2), padding='same', dilation=(1, 2), groups=2)",
       [] { return layer(1, 4, 6, {3, 2}, {.padding = "same", .dilation = {1, 2}, .groups = 2}); }},
      {"layer(2, 4, 2, 3, padding='valid', bias=False)", [] { return layer(2, 4, 2, 3, {.padding = "valid", .bias = false}); }},
      {"layer(3, 4, 2, (4, 1), 2, 1, 2)", [] { return layer(3, 4, 2, {4, 1}, {.stride = 2, .padding = 1, .dilation = 2}); }},
      {"F.conv1d(s, w1, None, padding='valid')", [] { return got(F::conv1d(s, w1, none, {.padding = "valid"})); }},
      {"F.conv1d(s, w1, None, 2, 'valid', 2)",
       [] { return got(F::conv1d(s, w1, none, {.stride = 2, .padding = "valid", .dilation = 2})); }},
      {"F.conv1d(s[0], w1, None, padding='same')", [] { return got(F::conv1d(s[0], w1, none, {.padding = "same"})); }},
      {"layer1d(4, 4, 3, 3, padding='valid')", [] { return layer1d(4, 4, 3, 3, {.padding = "valid"}); }},
      {"layer1d(5, 4, 2, 4, padding='same', dilation=2, groups=2)",
       [] { return layer1d(5, 4, 2, 4, {.padding = "same", .dilation = 2, .groups = 2}); }},
      {"conv2(x, w23, b, padding=(1, 2), padding_mode='reflect')",
       [] { return got(conv2(x, w23, b, {.padding = {1, 2}, .padding_mode = "reflect"})); }},
      {"conv2(x, w23, b, padding=(2, 1), padding_mode='replicate')",
       [] { return got(conv2(x, w23, b, {.padding = {2, 1}, .padding_mode = "replicate"})); }},
      {"conv2(x, w23, b, padding=(1, 2), padding_mode='circular')",
       [] { return got(conv2(x, w23, b, {.padding = {1, 2}, .padding_mode = "circular"})); }},
      {"conv2(x, w23, None, padding=(0, 3), padding_mode='zeros')",
       [] { return got(conv2(x, w23, none, {.padding = {0, 3}, .padding_mode = "zeros"})); }},
      {"conv2(x, wg, bg, stride=(2, 1), padding=(2, 1), dilation=(1, 2), groups=2, padding_mode='reflect')",
       [] {
         return got(conv2(x, wg, bg,
                          {.stride = {2, 1}, .padding = {2, 1}, .dilation = {1, 2}, .groups = 2, .padding_mode = "reflect"}));
       }},
      {"conv2(x, wg, None, stride=(1, 3), padding=(1, 3), groups=2, padding_mode='circular')",
       [] { return got(conv2(x, wg, none, {.stride = {1, 3}, .padding = {1, 3}, .groups = 2, .padding_mode = "circular"})); }},
      {"conv2(x, w44, None, padding='same', padding_mode='reflect')",
       [] { return got(conv2(x, w44, none, {.padding = "same", .padding_mode = "reflect"})); }},
      {"conv2(x, w23, b, padding='same', dilation=(2, 3), padding_mode='circular')",
       [] { return got(conv2(x, w23, b, {.padding = "same", .dilation = {2, 3}, .padding_mode = "circular"})); }},
      {"conv2(x, w14, None, padding='same', padding_mode='replicate')",
       [] { return got(conv2(x, w14, none, {.padding = "same", .padding_mode = "replicate"})); }},
      {"conv2(x, w23, b, padding='valid', padding_mode='reflect')",
       [] { return got(conv2(x, w23, b, {.padding = "valid", .padding_mode = "reflect"})); }},
      {"conv2(x, w33, b, padding=6, padding_mode='circular')",
       [] { return got(conv2(x, w33, b, {.padding = 6, .padding_mode = "circular"})); }},
      {"conv2(x, w33, b, padding=5, padding_mode='reflect')",
       [] { return got(conv2(x, w33, b, {.padding = 5, .padding_mode = "reflect"})); }},
      {"conv2(x, w33, b, padding=(4, 9), padding_mode='replicate')",
       [] { return got(conv2(x, w33, b, {.padding = {4, 9}, .padding_mode = "replicate"})); }},
      {"conv2(x[0], w23, b, padding=(1, 2), padding_mode='reflect')",
       [] { return got(conv2(x[0], w23, b, {.padding = {1, 2}, .padding_mode = "reflect"})); }},
      {"conv2(x[1], w23, None, padding=(2, 0), padding_mode='replicate')",
       [] { return got(conv2(x[1], w23, none, {.padding = {2, 0}, .padding_mode = "replicate"})); }},
      // float64 through the functional form, which honours padding_mode as the layer does
      {"conv2(xd, w23d, bd, stride=(1, 2), padding=(1, 2), dilation=(2, 1), padding_mode='circular')",
       [] {
         return got(F::conv2d(xd, w23d, bd, {.stride = {1, 2}, .padding = {1, 2}, .dilation = {2, 1}, .padding_mode = "circular"}));
       }},
      {"conv2(xd, w44d, None, padding='same', padding_mode='reflect')",
       [] { return got(F::conv2d(xd, w44d, Tensor<double>{}, {.padding = "same", .padding_mode = "reflect"})); }},
      {"conv1(s, w1, None, padding=2, padding_mode='reflect')",
       [] { return got(conv1(s, w1, none, {.padding = 2, .padding_mode = "reflect"})); }},
      {"conv1(s, w1, b, padding=3, padding_mode='replicate')",
       [] { return got(conv1(s, w1, b, {.padding = 3, .padding_mode = "replicate"})); }},
      {"conv1(s, w1, None, stride=2, padding=4, dilation=2, padding_mode='circular')",
       [] { return got(conv1(s, w1, none, {.stride = 2, .padding = 4, .dilation = 2, .padding_mode = "circular"})); }},
      {"conv1(s, w1, b, padding='same', dilation=3, padding_mode='reflect')",
       [] { return got(conv1(s, w1, b, {.padding = "same", .dilation = 3, .padding_mode = "reflect"})); }},
      {"conv1(s, w1[:, :, :2], b, padding='same', padding_mode='circular')",
       [] { return got(conv1(s, w1.narrow(2, 0, 2), b, {.padding = "same", .padding_mode = "circular"})); }},
      {"conv1(s, w1[:2, :2], None, padding=1, groups=2, padding_mode='circular')",
       [] { return got(conv1(s, w1.narrow(0, 0, 2).narrow(1, 0, 2), none, {.padding = 1, .groups = 2, .padding_mode = "circular"})); }},
      {"conv1(s, w1, b, padding=8, padding_mode='reflect')",
       [] { return got(conv1(s, w1, b, {.padding = 8, .padding_mode = "reflect"})); }},
      {"conv1(s[0], w1, None, padding=1, padding_mode='replicate')",
       [] { return got(conv1(s[0], w1, none, {.padding = 1, .padding_mode = "replicate"})); }},
      {"conv1(sd, w1d, bd, padding=2, padding_mode='reflect')",
       [] { return got(F::conv1d(sd, w1d, bd, {.padding = 2, .padding_mode = "reflect"})); }},
      {"layer(8, 4, 3, (2, 3), padding=(1, 2), padding_mode='reflect')",
       [] { return layer(8, 4, 3, {2, 3}, {.padding = {1, 2}, .padding_mode = "reflect"}); }},
      {"layer1d(9, 4, 2, 3, padding=2, padding_mode='circular')",
       [] { return layer1d(9, 4, 2, 3, {.padding = 2, .padding_mode = "circular"}); }},
      {"F.conv3d(v, w3)", [] { return got(F::conv3d(v, w3)); }},
      {"F.conv3d(v, w3, b3, stride=(2, 1, 2), padding=(1, 0, 2), dilation=(1, 2, 1))",
       [] { return got(F::conv3d(v, w3, b3, {.stride = {2, 1, 2}, .padding = {1, 0, 2}, .dilation = {1, 2, 1}})); }},
      {"F.conv3d(v, w3, b3, padding='same')", [] { return got(F::conv3d(v, w3, b3, {.padding = "same"})); }},
      {"F.conv3d(v, w3, None, padding='same', dilation=(2, 1, 3))",
       [] { return got(F::conv3d(v, w3, none, {.padding = "same", .dilation = {2, 1, 3}})); }},
      {"F.conv3d(v, w3g, None, stride=2, padding=1, groups=2)",
       [] { return got(F::conv3d(v, w3g, none, {.stride = 2, .padding = 1, .groups = 2})); }},
      {"F.conv3d(v[0], w3, b3, padding='valid')", [] { return got(F::conv3d(v[0], w3, b3, {.padding = "valid"})); }},
      {"F.conv3d(vd, w3d, b3.double(), (1, 2, 1), 1)",
       [] { return got(F::conv3d(vd, w3d, b3.to<double>(), {.stride = {1, 2, 1}, .padding = 1})); }},
      {"conv3(v, w3, b3, padding=(1, 1, 2), padding_mode='reflect')",
       [] { return got(conv3(v, w3, b3, {.padding = {1, 1, 2}, .padding_mode = "reflect"})); }},
      {"conv3(v, w3, None, padding='same', padding_mode='circular')",
       [] { return got(conv3(v, w3, none, {.padding = "same", .padding_mode = "circular"})); }},
      {"conv3(v, w3g, None, padding=1, groups=2, padding_mode='replicate')",
       [] { return got(conv3(v, w3g, none, {.padding = 1, .groups = 2, .padding_mode = "replicate"})); }},
      {"layer3d(10, 4, 3, (2, 3, 2), stride=(1, 2, 1), padding=(1, 0, 1))",
       [] { return layer3d(10, 4, 3, {2, 3, 2}, {.stride = {1, 2, 1}, .padding = {1, 0, 1}}); }},
      {"layer3d(11, 4, 2, 3, bias=False)", [] { return layer3d(11, 4, 2, 3, {.bias = false}); }},
  };
  return calls;
}

using Fn = call_cases::GradFn;
const std::map<std::string, Fn>& grad_calls() {
  using D = Tensor<double>;
  static const D nod;
  static const std::map<std::string, Fn> calls = {
      {"F.conv2d(X, w23d, bd, (2, 1), (1, 2), (1, 2))",
       [](const D& X) { return F::conv2d(X, w23d, bd, {.stride = {2, 1}, .padding = {1, 2}, .dilation = {1, 2}}); }},
      {"F.conv2d(X, w23d, bd, padding='same')", [](const D& X) { return F::conv2d(X, w23d, bd, {.padding = "same"}); }},
      {"F.conv2d(X, w44d, None, padding='same', dilation=(1, 2))",
       [](const D& X) { return F::conv2d(X, w44d, nod, {.padding = "same", .dilation = {1, 2}}); }},
      {"F.conv2d(X, wgd, None, 1, 'same', 1, 2)",
       [](const D& X) { return F::conv2d(X, wgd, nod, {.stride = 1, .padding = "same", .dilation = 1, .groups = 2}); }},
      {"F.conv2d(X, w23d, bd, 2, 1)", [](const D& X) { return F::conv2d(X, w23d, bd, {.stride = 2, .padding = 1}); }},
      {"F.conv2d(X, w23d, None, padding='valid', dilation=(2, 1))",
       [](const D& X) { return F::conv2d(X, w23d, nod, {.padding = "valid", .dilation = {2, 1}}); }},
      {"F.conv2d(xd, X, bd, 1, 'same', (2, 1))",
       [](const D& X) { return F::conv2d(xd, X, bd, {.stride = 1, .padding = "same", .dilation = {2, 1}}); }},
      {"F.conv2d(xd, X, None, (1, 2), (1, 0), (1, 2))",
       [](const D& X) { return F::conv2d(xd, X, nod, {.stride = {1, 2}, .padding = {1, 0}, .dilation = {1, 2}}); }},
      {"F.conv2d(xd, X, None, (2, 1), 1, (1, 2), 2)",
       [](const D& X) { return F::conv2d(xd, X, nod, {.stride = {2, 1}, .padding = 1, .dilation = {1, 2}, .groups = 2}); }},
      {"F.conv2d(xd, X, None, padding='same')", [](const D& X) { return F::conv2d(xd, X, nod, {.padding = "same"}); }},
      {"F.conv2d(xd, w23d, X, (1, 2), (0, 1))",
       [](const D& X) { return F::conv2d(xd, w23d, X, {.stride = {1, 2}, .padding = {0, 1}}); }},
      {"F.conv2d(xd, wgd, X, 1, 'same', 1, 2)",
       [](const D& X) { return F::conv2d(xd, wgd, X, {.stride = 1, .padding = "same", .dilation = 1, .groups = 2}); }},
      {"F.conv1d(X, w1d, None, 1, 'valid', 2)",
       [](const D& X) { return F::conv1d(X, w1d, nod, {.stride = 1, .padding = "valid", .dilation = 2}); }},
      {"conv2(X, w23d, bd, padding=(1, 2), padding_mode='reflect')",
       [](const D& X) { return F::conv2d(X, w23d, bd, {.padding = {1, 2}, .padding_mode = "reflect"}); }},
      {"conv2(X, w23d, bd, padding=(2, 1), padding_mode='replicate')",
       [](const D& X) { return F::conv2d(X, w23d, bd, {.padding = {2, 1}, .padding_mode = "replicate"}); }},
      {"conv2(X, wgd, None, stride=(1, 2), padding=(2, 3), groups=2, padding_mode='circular')",
       [](const D& X) { return F::conv2d(X, wgd, nod, {.stride = {1, 2}, .padding = {2, 3}, .groups = 2, .padding_mode = "circular"}); }},
      {"conv2(X, w44d, None, padding='same', dilation=(1, 2), padding_mode='reflect')",
       [](const D& X) { return F::conv2d(X, w44d, nod, {.padding = "same", .dilation = {1, 2}, .padding_mode = "reflect"}); }},
      {"conv2(X, w23d, None, padding=(1, 1), padding_mode='replicate')",
       [](const D& X) { return F::conv2d(X, w23d, nod, {.padding = {1, 1}, .padding_mode = "replicate"}); }},
      {"conv2(xd, X, bd, padding=(1, 2), dilation=(2, 1), padding_mode='circular')",
       [](const D& X) { return F::conv2d(xd, X, bd, {.padding = {1, 2}, .dilation = {2, 1}, .padding_mode = "circular"}); }},
      {"conv2(xd, X, None, padding='same', padding_mode='replicate')",
       [](const D& X) { return F::conv2d(xd, X, nod, {.padding = "same", .padding_mode = "replicate"}); }},
      {"conv2(xd, w23d, X, stride=2, padding=(1, 0), padding_mode='reflect')",
       [](const D& X) { return F::conv2d(xd, w23d, X, {.stride = 2, .padding = {1, 0}, .padding_mode = "reflect"}); }},
      {"conv1(X, w1d, None, padding=2, padding_mode='reflect')",
       [](const D& X) { return F::conv1d(X, w1d, nod, {.padding = 2, .padding_mode = "reflect"}); }},
      {"conv1(X, w1d, bd, stride=2, padding=3, padding_mode='circular')",
       [](const D& X) { return F::conv1d(X, w1d, bd, {.stride = 2, .padding = 3, .padding_mode = "circular"}); }},
      {"conv1(sd, X, bd, padding='same', dilation=2, padding_mode='replicate')",
       [](const D& X) { return F::conv1d(sd, X, bd, {.padding = "same", .dilation = 2, .padding_mode = "replicate"}); }},
      {"conv1(sd, w1d, X, padding=1, padding_mode='circular')",
       [](const D& X) { return F::conv1d(sd, w1d, X, {.padding = 1, .padding_mode = "circular"}); }},
      {"F.conv3d(X, w3d, None, (1, 2, 1), (1, 1, 0), (2, 1, 1))",
       [](const Tensor<double>& t) {
         return F::conv3d(t, w3d, {}, {.stride = {1, 2, 1}, .padding = {1, 1, 0}, .dilation = {2, 1, 1}});
       }},
      {"F.conv3d(vd, X, None, 1, 'same')", [](const Tensor<double>& t) { return F::conv3d(vd, t, {}, {.padding = "same"}); }},
      {"F.conv3d(vd[:1], X, b3.double(), 2, 1)",
       [](const Tensor<double>& t) { return F::conv3d(vd.narrow(0, 0, 1), t, b3.to<double>(), {.stride = 2, .padding = 1}); }},
      {"F.conv3d(vd[:1], w3d, X, padding=(0, 1, 0))",
       [](const Tensor<double>& t) { return F::conv3d(vd.narrow(0, 0, 1), w3d, t, {.padding = {0, 1, 0}}); }},
      {"conv3(X, w3d, None, padding=(1, 2, 1), padding_mode='reflect')",
       [](const Tensor<double>& t) { return F::conv3d(t, w3d, {}, {.padding = {1, 2, 1}, .padding_mode = "reflect"}); }},
  };
  return calls;
}

/** The generator's modified_input: the convolution's backward after its input was changed in place. */
template <class Conv>
void modified_input(const Conv& conv, const Tensor<float>& in, const Tensor<float>& weight) {
  const Tensor<float> input = in.clone();
  const Tensor<float> y = conv(input, weight.detach().requires_grad_(), none, {});
  input.add_(1.0f);
  y.sum().backward();
}

const std::map<std::string, std::function<void()>>& error_calls() {
  static const std::map<std::string, std::function<void()>> calls = {
      {"F.conv2d(x, w23, padding='same', stride=2)", [] { F::conv2d(x, w23, none, {.stride = 2, .padding = "same"}); }},
      {"F.conv2d(x, w23, padding='same', stride=(1, 2))",
       [] { F::conv2d(x, w23, none, {.stride = {1, 2}, .padding = "same"}); }},
      {"F.conv2d(x, w23, padding='foo')", [] { F::conv2d(x, w23, none, {.padding = "foo"}); }},
      {"F.conv2d(x, w23, padding='')", [] { F::conv2d(x, w23, none, {.padding = ""}); }},
      {"F.conv2d(x, w23, padding=-1)", [] { F::conv2d(x, w23, none, {.padding = -1}); }},
      {"F.conv2d(x, w23, padding=(1, -1))", [] { F::conv2d(x, w23, none, {.padding = {1, -1}}); }},
      {"F.conv2d(x, w23, stride=0)", [] { F::conv2d(x, w23, none, {.stride = 0}); }},
      {"F.conv2d(x, w23, stride=(1, -1))", [] { F::conv2d(x, w23, none, {.stride = {1, -1}}); }},
      {"F.conv2d(x, w23, dilation=(1, 0))", [] { F::conv2d(x, w23, none, {.dilation = {1, 0}}); }},
      {"F.conv2d(x, w23, dilation=0)", [] { F::conv2d(x, w23, none, {.dilation = 0}); }},
      {"F.conv2d(x, w23, stride=(1, 2, 3))", [] { F::conv2d(x, w23, none, {.stride = {1, 2, 3}}); }},
      {"F.conv2d(x, w23, padding=(1, 2, 3))", [] { F::conv2d(x, w23, none, {.padding = {1, 2, 3}}); }},
      {"F.conv2d(x, w23, dilation=(1, 2, 3))", [] { F::conv2d(x, w23, none, {.dilation = {1, 2, 3}}); }},
      {"F.conv2d(x, w23, groups=0)", [] { F::conv2d(x, w23, none, {.groups = 0}); }},
      {"F.conv2d(x, w23, groups=2)", [] { F::conv2d(x, w23, none, {.groups = 2}); }},
      {"F.conv2d(x, w23, groups=4)", [] { F::conv2d(x, w23, none, {.groups = 4}); }},
      {"F.conv2d(x, wg)", [] { F::conv2d(x, wg); }},
      {"F.conv2d(x, w23, torch.zeros(4))", [] { F::conv2d(x, w23, ts::zeros<float>({4})); }},
      {"F.conv2d(x, w23, torch.zeros(1, 3))", [] { F::conv2d(x, w23, ts::zeros<float>({1, 3})); }},
      {"F.conv2d(x, torch.zeros(3, 4, 7, 2))", [] { F::conv2d(x, ts::zeros<float>({3, 4, 7, 2})); }},
      {"F.conv2d(x, w23, None, 1, (0, 1), (6, 1))",
       [] { F::conv2d(x, w23, none, {.stride = 1, .padding = {0, 1}, .dilation = {6, 1}}); }},
      {"F.conv2d(x, w44, None, (1, 1), (1, 0), (1, 3))",
       [] { F::conv2d(x, w44, none, {.stride = {1, 1}, .padding = {1, 0}, .dilation = {1, 3}}); }},
      {"F.conv2d(x[0, 0], w23)", [] { F::conv2d(x[0][0], w23); }},
      {"nn.Conv2d(4, 3, (2, 3), padding='same', stride=(2, 1))",
       [] { nn::Conv2d(4, 3, {2, 3}, {.stride = {2, 1}, .padding = "same"}); }},
      {"nn.Conv2d(4, 3, 3, groups=0)", [] { nn::Conv2d(4, 3, 3, {.groups = 0}); }},
      {"nn.Conv2d(4, 3, 3, groups=3)", [] { nn::Conv2d(4, 3, 3, {.groups = 3}); }},
      {"nn.Conv2d(4, 3, 3, groups=2)", [] { nn::Conv2d(4, 3, 3, {.groups = 2}); }},
      {"F.conv1d(s, w1, padding='foo')", [] { F::conv1d(s, w1, none, {.padding = "foo"}); }},
      {"F.conv1d(s, w1, padding='same', stride=2)", [] { F::conv1d(s, w1, none, {.stride = 2, .padding = "same"}); }},
      {"nn.Conv1d(4, 3, 3, padding='same', stride=2)", [] { nn::Conv1d(4, 3, 3, {.stride = 2, .padding = "same"}); }},
      {"conv2(x, w23, b, padding=(1, 7), padding_mode='reflect')",
       [] { conv2(x, w23, b, {.padding = {1, 7}, .padding_mode = "reflect"}); }},
      {"conv2(x, w23, b, padding=(7, 1), padding_mode='circular')",
       [] { conv2(x, w23, b, {.padding = {7, 1}, .padding_mode = "circular"}); }},
      {"conv2(x[0], w23, b, padding=1, padding_mode='circular')",
       [] { conv2(x[0], w23, b, {.padding = 1, .padding_mode = "circular"}); }},
      {"conv2(x[0, 0], w23, b, padding=1, padding_mode='reflect')",
       [] { conv2(x[0][0], w23, b, {.padding = 1, .padding_mode = "reflect"}); }},
      {"conv2(x[:, :3], w23, b, padding=1, padding_mode='replicate')",
       [] { conv2(x.narrow(1, 0, 3), w23, b, {.padding = 1, .padding_mode = "replicate"}); }},
      {"conv2(x[:, :, :0], w23, b, padding=1, padding_mode='reflect')",
       [] { conv2(x.narrow(2, 0, 0), w23, b, {.padding = 1, .padding_mode = "reflect"}); }},
      {"conv2(x, w23, b, padding=(0, 3), dilation=(7, 1), padding_mode='circular')",
       [] { conv2(x, w23, b, {.padding = {0, 3}, .dilation = {7, 1}, .padding_mode = "circular"}); }},
      {"conv1(s, w1, None, padding=9, padding_mode='reflect')",
       [] { conv1(s, w1, none, {.padding = 9, .padding_mode = "reflect"}); }},
      {"conv1(s[0], w1, None, padding=1, padding_mode='circular')",
       [] { conv1(s[0], w1, none, {.padding = 1, .padding_mode = "circular"}); }},
      {"nn.Conv2d(4, 3, 3, padding='same', stride=2, padding_mode='reflect')",
       [] { nn::Conv2d(4, 3, 3, {.stride = 2, .padding = "same", .padding_mode = "reflect"}); }},
      {"nn.Conv2d(4, 3, 3, groups=2, padding_mode='foo')", [] { nn::Conv2d(4, 3, 3, {.groups = 2, .padding_mode = "foo"}); }},
      {"nn.Conv1d(4, 3, 3, padding='same', stride=2, padding_mode='circular')",
       [] { nn::Conv1d(4, 3, 3, {.stride = 2, .padding = "same", .padding_mode = "circular"}); }},
      {"F.conv3d(v, w3[:, :3], b3)", [] { F::conv3d(v, w3.narrow(1, 0, 3), b3); }},
      {"F.conv3d(v[0, 0], w3, b3)", [] { F::conv3d(v[0][0], w3, b3); }},
      {"F.conv3d(v, w3, b3[:2])", [] { F::conv3d(v, w3, b3.narrow(0, 0, 2)); }},
      {"F.conv3d(v, w3, b3, padding='same', stride=2)", [] { F::conv3d(v, w3, b3, {.stride = 2, .padding = "same"}); }},
      {"F.conv3d(v, w3, b3, stride=0)", [] { F::conv3d(v, w3, b3, {.stride = 0}); }},
      {"F.conv3d(v, w3, b3, padding=-1)", [] { F::conv3d(v, w3, b3, {.padding = -1}); }},
      {"F.conv3d(v, w3, b3, dilation=0)", [] { F::conv3d(v, w3, b3, {.dilation = 0}); }},
      {"F.conv3d(v[:, :, :1], w3, b3)", [] { F::conv3d(v.narrow(2, 0, 1), w3, b3); }},
      {"F.conv3d(v, w3, b3, groups=2)", [] { F::conv3d(v, w3, b3, {.groups = 2}); }},
      {"F.conv3d(v, w3, b3, stride=(1, 2))", [] { F::conv3d(v, w3, b3, {.stride = {1, 2}}); }},
      {"modified_input(F.conv2d, x, w23)", [] { modified_input(F::conv2d<float>, x, w23); }},
      {"modified_input(F.conv1d, s, w1)", [] { modified_input(F::conv1d<float>, s, w1); }},
      {"modified_input(F.conv3d, v, w3)", [] { modified_input(F::conv3d<float>, v, w3); }},
  };
  return calls;
}

/** The node each call records: the generator's xr, w23r, ... are its tensors requiring grad. */
const std::map<std::string, std::function<std::string()>>& node_calls() {
  static const auto r = [](const Tensor<float>& t) { return t.detach().requires_grad_(); };
  static const Tensor<float> xr = r(x), w23r = r(w23), br = r(b), wgr = r(wg), sr = r(s), w1r = r(w1), vr = r(v),
                             w3r = r(w3);
  static const std::map<std::string, std::function<std::string()>> calls = {
      {"F.conv2d(xr, w23r, br)", [] { return F::conv2d(xr, w23r, br).grad_fn_name(); }},
      {"F.conv2d(xr, w23r, None, 2, 1)", [] { return F::conv2d(xr, w23r, none, {.stride = 2, .padding = 1}).grad_fn_name(); }},
      {"F.conv2d(x, w23r)", [] { return F::conv2d(x, w23r).grad_fn_name(); }},
      {"F.conv2d(xr, w23, b)", [] { return F::conv2d(xr, w23, b).grad_fn_name(); }},
      {"F.conv2d(xr, wgr, None, groups=2)", [] { return F::conv2d(xr, wgr, none, {.groups = 2}).grad_fn_name(); }},
      {"F.conv2d(xr[0], w23r, br)", [] { return F::conv2d(xr.select(0, 0), w23r, br).grad_fn_name(); }},
      {"conv2(xr, w23r, br, padding=1, padding_mode='reflect')",
       [] { return nn::functional::conv2d(xr, w23r, br, {.padding = 1, .padding_mode = "reflect"}).grad_fn_name(); }},
      {"F.conv1d(sr, w1r, None, padding='same')", [] { return F::conv1d(sr, w1r, none, {.padding = "same"}).grad_fn_name(); }},
      {"F.conv1d(sr[0], w1r)", [] { return F::conv1d(sr.select(0, 0), w1r).grad_fn_name(); }},
      {"F.conv3d(vr, w3r, b3)", [] { return F::conv3d(vr, w3r, b3).grad_fn_name(); }},
      {"F.conv3d(v, w3r, None, 2, 1)", [] { return F::conv3d(v, w3r, none, {.stride = 2, .padding = 1}).grad_fn_name(); }},
      {"F.conv3d(vr[0], w3r)", [] { return F::conv3d(vr.select(0, 0), w3r).grad_fn_name(); }},
  };
  return calls;
}

/** Equal within rounding: the matrix products sum in another order than PyTorch's. */
bool close(const std::vector<double>& a, const std::vector<double>& b, ts::DType dtype) {
  const double tolerance = dtype == ts::DType::Float64 ? 1e-12 : 1e-5;
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!(std::abs(a[i] - b[i]) <= tolerance * std::max(std::abs(b[i]), 1.0))) return false;
  return true;
}

}  // namespace

TEST_CASE("conv2d gives PyTorch's values: rectangular kernels, pairs, 'same' and 'valid'", "[conv2d][golden]") {
  call_cases::check_value_cases("conv2d.txt", value_calls(), [](const auto& have, const auto& want, const auto&) {
    CHECK(close(have.values, want.values, have.dtype));
  });
}

TEST_CASE("conv2d gives PyTorch's gradients for the input, the weight and the bias, and passes gradcheck",
          "[conv2d][golden][gradcheck]") {
  call_cases::check_grad_cases("conv2d.txt", grad_calls());
}

TEST_CASE("conv2d refuses what PyTorch refuses, with its messages", "[conv2d][golden]") {
  call_cases::check_error_cases("conv2d.txt", error_calls());
  // PyTorch prints its set of padding strings in no fixed order, so the golden file leaves these out.
  CHECK(error_of([] { nn::Conv2d(4, 3, 3, {.padding = "foo"}); }) ==
        "Conv2d: Invalid padding string 'foo', should be one of {'same', 'valid'}");
  CHECK(error_of([] { nn::Conv1d(4, 3, 3, {.padding = "foo"}); }) ==
        "Conv1d: Invalid padding string 'foo', should be one of {'same', 'valid'}");
  CHECK(error_of([] { nn::Conv2d(4, 3, {2, 3, 4}); }) ==
        "Conv2d: expected kernel_size to be a single integer value or a list of 2 values to match the convolution "
        "dimensions, but got kernel_size=[2, 3, 4]");
  CHECK(error_of([] { nn::Conv2d(4, 3, {2, 0}); }) == "Conv2d: kernel_size must be positive, got [2, 0]");
  CHECK(error_of([] { nn::Conv2d(4, 3, 3, {.padding_mode = "zero"}); }) ==
        "Conv2d: padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode='zero'");
  CHECK(error_of([] { nn::Conv1d(4, 3, 3, {.padding_mode = "Reflect"}); }) ==
        "Conv1d: padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode='Reflect'");
  // PyTorch's order: the padding string before the mode.
  CHECK(error_of([] { nn::Conv2d(4, 3, 3, {.padding = "foo", .padding_mode = "foo"}); }) ==
        "Conv2d: Invalid padding string 'foo', should be one of {'same', 'valid'}");
  // The functional forms check the mode too (PyTorch's have no padding_mode).
  CHECK(error_of([] { F::conv2d(x, w23, b, {.padding_mode = "constant"}); }) ==
        "conv2d: padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode='constant'");
  CHECK(error_of([] { F::conv1d(s, w1, b, {.padding_mode = ""}); }) ==
        "conv1d: padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode=''");
  CHECK(error_of([] { F::conv1d(s, w1, b, {.stride = 2, .padding = "same", .padding_mode = "reflect"}); }) ==
        "conv1d: padding='same' is not supported for strided convolutions");
}

TEST_CASE("convolutions record PyTorch's node, which saves the input and the weight", "[conv2d][golden]") {
  call_cases::check_node_cases("conv2d.txt", node_calls());
  // A new tensor, at version 0 as PyTorch's (its saved-tensor errors name the version).
  CHECK(F::conv2d(x, w23, b).storage().version() == 0);
  CHECK(F::conv1d(s, w1, b).storage().version() == 0);
  CHECK(F::conv3d(v, w3, b3).storage().version() == 0);
}

TEST_CASE("convolutions pass gradgradcheck for the input, the weight and the bias together", "[conv2d][gradcheck]") {
  ts::Generator gen(7);
  const auto probe = [&](ts::Shape shape) { return ts::randn(shape, gen).to<double>().requires_grad_(); };
  using V = std::vector<Tensor<double>>;
  const auto f1 = [](const V& in) { return F::conv1d(in[0], in[1], in[2], {.stride = 2, .padding = 1, .dilation = 2}); };
  const auto f2 = [](const V& in) {
    return F::conv2d(in[0], in[1], in[2], {.stride = {1, 2}, .padding = "valid", .dilation = {2, 1}, .groups = 2});
  };
  const auto f3 = [](const V& in) { return F::conv3d(in[0], in[1], in[2], {.stride = {2, 1, 1}, .padding = {1, 0, 1}}); };
  const V one{probe({2, 4, 7}), probe({3, 4, 2}), probe({3})};
  const V two{probe({1, 4, 6, 5}), probe({4, 2, 2, 3}), probe({4})};
  const V three{probe({1, 2, 4, 3, 3}), probe({3, 2, 2, 2, 1}), probe({3})};
  CHECK(ts::autograd::gradcheck(f1, one));
  CHECK(ts::autograd::gradgradcheck(f1, one));
  CHECK(ts::autograd::gradcheck(f2, two));
  CHECK(ts::autograd::gradgradcheck(f2, two));
  CHECK(ts::autograd::gradcheck(f3, three));
  CHECK(ts::autograd::gradgradcheck(f3, three));
}

TEST_CASE("conv2d options take ints, pairs and strings in every spelling", "[conv2d]") {
  // An int is the pair of it; the string may be a std::string; padding = 0 is no padding.
  const std::string same = "same";
  CHECK(ts::equal(F::conv2d(x, w33, b, {.stride = 1, .padding = 1, .dilation = 1}),
                  F::conv2d(x, w33, b, {.stride = {1, 1}, .padding = {1, 1}, .dilation = {1, 1}})));
  CHECK(ts::equal(F::conv2d(x, w33, b, {.padding = same}), F::conv2d(x, w33, b, {.padding = 1})));
  CHECK(ts::equal(F::conv2d(x, w23, b, {.padding = 0}), F::conv2d(x, w23, b, {.padding = "valid"})));
  nn::Conv2dOptions options;
  options.padding = {2, 1};
  options.stride = std::vector<int64_t>{1, 2};
  CHECK(F::conv2d(x, w23, b, options).sizes() == (ts::Shape{2, 3, 9, 4}));
  // Transposing the image and the kernel transposes the output, rectangular options swapped.
  const Tensor<float> t = F::conv2d(x.transpose(2, 3), w23.transpose(2, 3), b,
                                    {.stride = {2, 1}, .padding = {0, 1}, .dilation = {3, 1}});
  CHECK(ts::allclose(t.transpose(2, 3), F::conv2d(x, w23, b, {.stride = {1, 2}, .padding = {1, 0}, .dilation = {1, 3}}),
                     1e-5, 1e-6));
}

TEST_CASE("padding_mode pads with F::pad and convolves without padding, in the layers and the functional forms",
          "[conv2d]") {
  // Note [Convolution padding modes]: "same" pads dilation * (k - 1) in all, the odd one after.
  for (const char* mode : {"reflect", "replicate", "circular"}) {
    INFO(mode);
    CHECK(ts::equal(F::conv2d(x, w44, b.narrow(0, 0, 2), {.padding = "same", .dilation = {1, 2}, .padding_mode = mode}),
                    F::conv2d(F::pad(x, {3, 3, 1, 2}, mode), w44, b.narrow(0, 0, 2), {.dilation = {1, 2}})));
    CHECK(ts::equal(F::conv1d(s, w1, b, {.stride = 2, .padding = 3, .padding_mode = mode}),
                    F::conv1d(F::pad(s, {3, 3}, mode), w1, b, {.stride = 2})));
    CHECK(ts::equal(F::conv1d(s, w1.narrow(2, 0, 2), b, {.padding_mode = mode, .padding_same = true}),
                    F::conv1d(F::pad(s, {0, 1}, mode), w1.narrow(2, 0, 2), b)));
  }
  // "zeros" is zero padding, spelled out or not.
  CHECK(ts::equal(F::conv2d(x, w23, b, {.padding = {1, 2}, .padding_mode = "zeros"}), F::conv2d(x, w23, b, {.padding = {1, 2}})));
  // The padded input trains: gradients reach the layer's weight and bias.
  ts::Generator gen(3);
  nn::Conv2d conv(4, 2, {2, 3}, {.padding = {1, 2}, .padding_mode = "circular"}, gen);
  CHECK(conv(x).sizes() == (ts::Shape{2, 2, 7, 9}));
  conv(x).square().sum().backward();
  CHECK(conv.weight().grad().sizes() == (ts::Shape{2, 4, 2, 3}));
  CHECK(conv.bias().grad().sizes() == (ts::Shape{2}));
}

TEST_CASE("nn::Conv2d with a rectangular kernel trains: its weight and bias get gradients", "[conv2d]") {
  ts::Generator gen(5);
  nn::Conv2d conv(4, 6, {3, 2}, {.stride = {1, 2}, .padding = "valid", .dilation = {2, 1}, .groups = 2}, gen);
  CHECK(conv.weight().sizes() == (ts::Shape{6, 2, 3, 2}));
  conv(x).square().sum().backward();
  CHECK(conv.weight().grad().sizes() == (ts::Shape{6, 2, 3, 2}));
  CHECK(conv.bias().grad().sizes() == (ts::Shape{6}));
  CHECK(ts::autograd::gradcheck(
      [](const std::vector<Tensor<double>>& in) {
        return F::conv2d(in[0], in[1], in[2], {.stride = {2, 1}, .padding = "valid", .dilation = {1, 2}, .groups = 2});
      },
      {ts::randn({1, 4, 6, 7}, gen).to<double>().requires_grad_(), ts::randn({4, 2, 2, 3}, gen).to<double>().requires_grad_(),
       ts::randn({4}, gen).to<double>().requires_grad_()}));
}

}  // namespace test_nn_conv2d
