// nn/padding.hpp against PyTorch 1.13: F.pad in its four modes and the padding layers (values,
// dtypes, gradients, error messages from tests/golden/padding.txt, written by
// tests/golden/generate_padding.py), gradcheck of every mode, and strided inputs.

#include <functional>
#include <map>

#include "call_cases.hpp"
#include "error_of.hpp"
#include "golden.hpp"

namespace test_nn_padding {

namespace {

namespace F = ts::nn::functional;
namespace nn = ts::nn;
using ts::Tensor;

using call_cases::Part;
using call_cases::got;

// The generator's inputs.
const Tensor<float> x = ts::arange<float>(0, 6).reshape({1, 2, 3});
const Tensor<float> y = ts::arange<float>(0, 24).reshape({2, 3, 4}) * 0.5f - 3.0f;
const Tensor<double> w = ts::arange<double>(0, 48).reshape({1, 2, 2, 3, 4});
const Tensor<int64_t> k = ts::tensor<int64_t>({{1, 2, 3}, {4, 5, 6}});
const Tensor<ts::half> h = ts::tensor({{0.5f, -1.5f, 2.0f}}).to<ts::half>();

const std::map<std::string, std::function<call_cases::Got()>>& value_calls() {
  static const std::map<std::string, std::function<call_cases::Got()>> calls = {
      {"F.pad(x, (1, 2))", [] { return got(F::pad(x, {1, 2})); }},
      {"F.pad(x, (1, 1, 2, 0))", [] { return got(F::pad(x, {1, 1, 2, 0})); }},
      {"F.pad(x, (0, 1, 1, 0, 1, 1), value=-1.5)", [] { return got(F::pad(x, {0, 1, 1, 0, 1, 1}, "constant", -1.5)); }},
      {"F.pad(x, (-1, 1))", [] { return got(F::pad(x, {-1, 1})); }},
      {"F.pad(x, (-1, -1, 0, -1))", [] { return got(F::pad(x, {-1, -1, 0, -1})); }},
      {"F.pad(x, (-3, 0))", [] { return got(F::pad(x, {-3, 0})); }},
      {"F.pad(x, ())", [] { return got(F::pad(x, {})); }},
      {"F.pad(k, (1, 1), value=2.5)", [] { return got(F::pad(k, {1, 1}, "constant", 2.5)); }},
      {"F.pad(h, (2, 0), value=7)", [] { return got(F::pad(h, {2, 0}, "constant", 7)); }},
      {"F.pad(torch.zeros(1, 2, 0), (1, 1))", [] { return got(F::pad(ts::zeros<float>({1, 2, 0}), {1, 1})); }},
      {"F.pad(y[:, 1], (1, 1, 1, 1), value=9)", [] { return got(F::pad(y.select(1, 1), {1, 1, 1, 1}, "constant", 9)); }},
      {"F.pad(x, (2, 2), mode='reflect')", [] { return got(F::pad(x, {2, 2}, "reflect")); }},
      {"F.pad(x, (1, 0), mode='reflect')", [] { return got(F::pad(x, {1, 0}, "reflect")); }},
      {"F.pad(x, (-1, 1), mode='reflect')", [] { return got(F::pad(x, {-1, 1}, "reflect")); }},
      {"F.pad(x, (1, 1, 1, 0), mode='reflect')", [] { return got(F::pad(x, {1, 1, 1, 0}, "reflect")); }},
      {"F.pad(y, (3, 2, 2, 1), mode='reflect')", [] { return got(F::pad(y, {3, 2, 2, 1}, "reflect")); }},
      {"F.pad(x[0], (2, 1), mode='reflect')", [] { return got(F::pad(x.select(0, 0), {2, 1}, "reflect")); }},
      {"F.pad(w, (1, 2, 1, 0, 1, 1), mode='reflect')", [] { return got(F::pad(w, {1, 2, 1, 0, 1, 1}, "reflect")); }},
      {"F.pad(x, (1, 1), mode='replicate')", [] { return got(F::pad(x, {1, 1}, "replicate")); }},
      {"F.pad(x, (-1, 2), mode='replicate')", [] { return got(F::pad(x, {-1, 2}, "replicate")); }},
      {"F.pad(y, (0, 3, 2, 1), mode='replicate')", [] { return got(F::pad(y, {0, 3, 2, 1}, "replicate")); }},
      {"F.pad(w[0], (1, 1, 1, 1, 2, 0), mode='replicate')",
       [] { return got(F::pad(w.select(0, 0), {1, 1, 1, 1, 2, 0}, "replicate")); }},
      {"F.pad(x.double(), (4, 0), mode='replicate')", [] { return got(F::pad(x.to<double>(), {4, 0}, "replicate")); }},
      {"F.pad(x, (3, 1), mode='circular')", [] { return got(F::pad(x, {3, 1}, "circular")); }},
      {"F.pad(x, (-1, 1), mode='circular')", [] { return got(F::pad(x, {-1, 1}, "circular")); }},
      {"F.pad(x, (1, -1), mode='circular')", [] { return got(F::pad(x, {1, -1}, "circular")); }},
      {"F.pad(y.unsqueeze(0), (2, 1, 1, 3), mode='circular')",
       [] { return got(F::pad(y.unsqueeze(0), {2, 1, 1, 3}, "circular")); }},
      {"F.pad(k.unsqueeze(0), (1, 2), mode='circular')", [] { return got(F::pad(k.unsqueeze(0), {1, 2}, "circular")); }},
      {"F.pad(w, (1, 0, 0, 1, 1, 1), mode='circular')", [] { return got(F::pad(w, {1, 0, 0, 1, 1, 1}, "circular")); }},
      {"F.pad(y, (-2, -2, 0, 0), mode='replicate')", [] { return got(F::pad(y, {-2, -2, 0, 0}, "replicate")); }},
      {"F.pad(w, (0, 0, 0, 0, -1, -1), mode='replicate')",
       [] { return got(F::pad(w, {0, 0, 0, 0, -1, -1}, "replicate")); }},
      {"F.pad(y, (0, 0, -2, -1), mode='reflect')", [] { return got(F::pad(y, {0, 0, -2, -1}, "reflect")); }},
      {"F.pad(w, (0, 0, 0, 0, -2, 0), mode='reflect')", [] { return got(F::pad(w, {0, 0, 0, 0, -2, 0}, "reflect")); }},
      {"F.pad(x, (-3, 0), mode='circular')", [] { return got(F::pad(x, {-3, 0}, "circular")); }},
      {"nn.ZeroPad2d(1)(x)", [] { return got(nn::ZeroPad2d(1)(x)); }},
      {"nn.ZeroPad2d((1, 0, 2, 1))(y)", [] { return got(nn::ZeroPad2d({1, 0, 2, 1})(y)); }},
      {"nn.ConstantPad1d(2, 3.5)(x)", [] { return got(nn::ConstantPad1d(2, 3.5)(x)); }},
      {"nn.ConstantPad2d((1, 0, 0, 1), -1)(y)", [] { return got(nn::ConstantPad2d({1, 0, 0, 1}, -1)(y)); }},
      {"nn.ConstantPad3d(1, 0.5)(w.float())", [] { return got(nn::ConstantPad3d(1, 0.5)(w.to<float>())); }},
      {"nn.ReflectionPad1d((2, 1))(x)", [] { return got(nn::ReflectionPad1d({2, 1})(x)); }},
      {"nn.ReflectionPad2d(1)(y)", [] { return got(nn::ReflectionPad2d(1)(y)); }},
      {"nn.ReflectionPad3d(1)(w.float())", [] { return got(nn::ReflectionPad3d(1)(w.to<float>())); }},
      {"nn.ReplicationPad1d(2)(x)", [] { return got(nn::ReplicationPad1d(2)(x)); }},
      {"nn.ReplicationPad2d((1, 2, 0, 1))(y)", [] { return got(nn::ReplicationPad2d({1, 2, 0, 1})(y)); }},
      {"nn.ReplicationPad3d((1, 0, 1, 0, 0, 1))(w.float())",
       [] { return got(nn::ReplicationPad3d({1, 0, 1, 0, 0, 1})(w.to<float>())); }},
  };
  return calls;
}

using Fn = call_cases::GradFn;
const std::map<std::string, Fn>& grad_calls() {
  static const std::map<std::string, Fn> calls = {
      {"F.pad(X, (1, 2, 0, 1), value=3)", [](const Tensor<double>& t) { return F::pad(t, {1, 2, 0, 1}, "constant", 3); }},
      {"F.pad(X, (-1, 1))", [](const Tensor<double>& t) { return F::pad(t, {-1, 1}); }},
      {"F.pad(X, (2, 1, 1, 2), mode='reflect')", [](const Tensor<double>& t) { return F::pad(t, {2, 1, 1, 2}, "reflect"); }},
      {"F.pad(X, (2, 1), mode='reflect')", [](const Tensor<double>& t) { return F::pad(t, {2, 1}, "reflect"); }},
      {"F.pad(X, (1, 3, 2, 0), mode='replicate')",
       [](const Tensor<double>& t) { return F::pad(t, {1, 3, 2, 0}, "replicate"); }},
      {"F.pad(X, (-1, 2), mode='replicate')", [](const Tensor<double>& t) { return F::pad(t, {-1, 2}, "replicate"); }},
      {"F.pad(X, (3, 1, 1, 2), mode='circular')",
       [](const Tensor<double>& t) { return F::pad(t, {3, 1, 1, 2}, "circular"); }},
      {"F.pad(X, (1, -1), mode='circular')", [](const Tensor<double>& t) { return F::pad(t, {1, -1}, "circular"); }},
      {"F.pad(X, (1, 1, 1, 1, 1, 1), mode='reflect')",
       [](const Tensor<double>& t) { return F::pad(t, {1, 1, 1, 1, 1, 1}, "reflect"); }},
  };
  return calls;
}

const std::map<std::string, std::function<void()>>& error_calls() {
  static const std::map<std::string, std::function<void()>> calls = {
      {"F.pad(x, (1,))", [] { F::pad(x, {1}); }},
      {"F.pad(x, (1, 1, 1, 1, 1, 1, 1, 1))", [] { F::pad(x, {1, 1, 1, 1, 1, 1, 1, 1}); }},
      {"F.pad(x, (1, 1), mode='bogus')", [] { F::pad(x, {1, 1}, "bogus"); }},
      {"F.pad(x, (1, 1), mode='replicate', value=2.0)", [] { F::pad(x, {1, 1}, "replicate", 2.0); }},
      {"F.pad(x, (1, 1, 1, 1, 1, 1), mode='reflect')", [] { F::pad(x, {1, 1, 1, 1, 1, 1}, "reflect"); }},
      {"F.pad(x[0, 0], (1, 1), mode='reflect')", [] { F::pad(x.select(0, 0).select(0, 0), {1, 1}, "reflect"); }},
      {"F.pad(x, (3, 3), mode='reflect')", [] { F::pad(x, {3, 3}, "reflect"); }},
      {"F.pad(y, (1, 1, 3, 0), mode='reflect')", [] { F::pad(y, {1, 1, 3, 0}, "reflect"); }},
      {"F.pad(x, (4, 1), mode='circular')", [] { F::pad(x, {4, 1}, "circular"); }},
      {"F.pad(y, (2, 1, 1, 3), mode='circular')", [] { F::pad(y, {2, 1, 1, 3}, "circular"); }},
      {"F.pad(k, (1, 2), mode='circular')", [] { F::pad(k, {1, 2}, "circular"); }},
      {"F.pad(k, (1, 1), mode='replicate')", [] { F::pad(k, {1, 1}, "replicate"); }},
      {"F.pad(k, (1, 1), mode='reflect')", [] { F::pad(k, {1, 1}, "reflect"); }},
      {"F.pad(torch.zeros(1, 0, 3), (1, 1), mode='reflect')", [] { F::pad(ts::zeros<float>({1, 0, 3}), {1, 1}, "reflect"); }},
      {"F.pad(x, (-2, -2))", [] { F::pad(x, {-2, -2}); }},
      {"F.pad(x, (-2, -2), mode='replicate')", [] { F::pad(x, {-2, -2}, "replicate"); }},
      {"F.pad(w, (1, 1, 1, 1, 2, 0), mode='reflect')", [] { F::pad(w, {1, 1, 1, 1, 2, 0}, "reflect"); }},
      {"F.pad(w, (1, 1, 3, 1, 0, 0), mode='reflect')", [] { F::pad(w, {1, 1, 3, 1, 0, 0}, "reflect"); }},
      {"F.pad(w, (4, 1, 1, 1, 0, 0), mode='reflect')", [] { F::pad(w, {4, 1, 1, 1, 0, 0}, "reflect"); }},
  };
  return calls;
}

const std::map<std::string, std::function<std::string()>>& node_calls() {
  static const Tensor<float> yg = y.detach().requires_grad_();
  static const Tensor<double> wg = w.detach().requires_grad_();
  static const std::map<std::string, std::function<std::string()>> calls = {
      {"F.pad(yg, (1, 2, 0, 1), value=3)", [] { return F::pad(yg, {1, 2, 0, 1}, "constant", 3).grad_fn_name(); }},
      {"F.pad(yg, (-1, 1))", [] { return F::pad(yg, {-1, 1}).grad_fn_name(); }},
      {"F.pad(yg, (0, 0))", [] { return F::pad(yg, {0, 0}).grad_fn_name(); }},
      {"F.pad(yg, (-1, -1))", [] { return F::pad(yg, {-1, -1}).grad_fn_name(); }},
      {"F.pad(yg, (2, 1), mode='reflect')", [] { return F::pad(yg, {2, 1}, "reflect").grad_fn_name(); }},
      {"F.pad(yg, (2, 1, 1, 2), mode='reflect')", [] { return F::pad(yg, {2, 1, 1, 2}, "reflect").grad_fn_name(); }},
      {"F.pad(wg[0, 0], (1, 1, 2, 1), mode='reflect')",
       [] { return F::pad(wg.select(0, 0).select(0, 0), {1, 1, 2, 1}, "reflect").grad_fn_name(); }},
      {"F.pad(wg, (1, 1, 1, 1, 1, 1), mode='reflect')", [] { return F::pad(wg, {1, 1, 1, 1, 1, 1}, "reflect").grad_fn_name(); }},
      {"F.pad(yg, (1, 3), mode='replicate')", [] { return F::pad(yg, {1, 3}, "replicate").grad_fn_name(); }},
      {"F.pad(yg, (1, 3, 2, 0), mode='replicate')", [] { return F::pad(yg, {1, 3, 2, 0}, "replicate").grad_fn_name(); }},
      {"F.pad(wg, (1, 0, 1, 0, 0, 1), mode='replicate')",
       [] { return F::pad(wg, {1, 0, 1, 0, 0, 1}, "replicate").grad_fn_name(); }},
      {"nn.ReflectionPad1d(1)(yg)", [] { return nn::ReflectionPad1d(1)(yg).grad_fn_name(); }},
      {"nn.ReplicationPad2d((1, 2, 0, 1))(yg)", [] { return nn::ReplicationPad2d({1, 2, 0, 1})(yg).grad_fn_name(); }},
      {"nn.ConstantPad1d(2, 3.5)(yg)", [] { return nn::ConstantPad1d(2, 3.5)(yg).grad_fn_name(); }},
      {"nn.ZeroPad2d(1)(yg)", [] { return nn::ZeroPad2d(1)(yg).grad_fn_name(); }},
  };
  return calls;
}

}  // namespace

TEST_CASE("pad gives PyTorch's values and dtypes in every mode", "[padding][golden]") {
  call_cases::check_value_cases("padding.txt", value_calls(), [](const Part& have, const Part& want, const auto&) {
    CHECK(have.values == want.values);  // padding copies: exact
  });
}

TEST_CASE("pad gives PyTorch's gradients and passes gradcheck", "[padding][golden][gradcheck]") {
  call_cases::check_grad_cases("padding.txt", grad_calls());
}

TEST_CASE("pad records PyTorch's nodes, whose gradients differentiate again", "[padding][golden][gradcheck]") {
  call_cases::check_node_cases("padding.txt", node_calls());
  const Tensor<double> input = ts::randn({2, 3, 4}).to<double>().requires_grad_();
  for (const auto& [pad, mode] : std::vector<std::pair<std::vector<int64_t>, const char*>>{
           {{1, 2, 0, 1}, "constant"}, {{-1, 2}, "constant"}, {{2, 1, 1, 2}, "reflect"}, {{1, 3, 2, 0}, "replicate"}})
    CHECK(ts::autograd::gradgradcheck([&](const std::vector<Tensor<double>>& in) { return F::pad(in[0], pad, mode); }, {input}));
  // The result is a new tensor even where nothing is padded, as PyTorch's.
  const Tensor<double> same = F::pad(input, {0, 0});
  CHECK(same.data_ptr() != input.data_ptr());
  CHECK(same.grad_fn_name() == "ConstantPadNdBackward0");
}

TEST_CASE("pad refuses what PyTorch refuses, with its messages", "[padding][golden]") {
  call_cases::check_error_cases("padding.txt", error_calls());
  // Outputs PyTorch's kernels refuse with garbled messages: an error here too.
  CHECK(!error_of([] { F::pad(x, {-2, -1}, "reflect"); }).empty());
  CHECK(!error_of([] { F::pad(y, {0, 0, -2, -2}, "replicate"); }).empty());
  CHECK(error_of([] { nn::ReflectionPad2d({1, 1}); }) == "reflect padding of 2 dims: expected 4 sizes, got 2");
}

TEST_CASE("pad reads strided inputs as their values", "[padding]") {
  const Tensor<float> t = y.transpose(1, 2);  // not contiguous
  for (const char* mode : {"constant", "reflect", "replicate"})
    CHECK(F::pad(t, {2, 1, 1, 2}, mode).to_vector() == F::pad(t.contiguous(), {2, 1, 1, 2}, mode).to_vector());
  CHECK(F::pad(t.unsqueeze(0), {1, 2, 2, 1}, "circular").to_vector() ==
        F::pad(t.contiguous().unsqueeze(0), {1, 2, 2, 1}, "circular").to_vector());
}

}  // namespace test_nn_padding
