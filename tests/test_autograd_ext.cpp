// Autograd beyond backward(): custom Functions, tensor hooks, backward(create_graph), second
// derivatives of built-in ops and anomaly detection, against PyTorch's values
// (tests/golden/autograd_ext.txt) and gradcheck/gradgradcheck.

#include <any>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "error_of.hpp"
#include "golden.hpp"

namespace test_autograd_ext {

using ts::AnyTensor;
using ts::Tensor;
using ts::autograd::AutogradContext;
using ts::autograd::variable_list;
using V = std::vector<Tensor<double>>;

namespace {

const golden::Record& record(const std::string& name) {
  static const std::vector<golden::Record> records = golden::load("autograd_ext.txt");
  for (const auto& r : records)
    if (r.name == name) return r;
  FAIL("no golden record " << name);
  return records.front();
}

std::vector<double> values(const golden::Record& r, const std::string& key) {
  return golden::values<double>(r.get(key));
}
Tensor<double> tensor(const golden::Record& r, const std::string& key, const std::string& shape_key = "") {
  const std::vector<double> v = values(r, key);
  if (shape_key.empty()) return ts::from_vector(v, {static_cast<int64_t>(v.size())});
  return ts::from_vector(v, ts::Shape(golden::ints(r.get(shape_key))));
}

// Within a few ulps of PyTorch (formulas may associate differently).
void check_close(const std::vector<double>& got, const std::vector<double>& want, double rtol = 1e-12) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK(std::fabs(got[i] - want[i]) <= rtol * (1 + std::fabs(want[i])));
}
void check_close(const Tensor<double>& got, const std::vector<double>& want) { check_close(got.to_vector(), want); }

// --- PyTorch's documentation examples, as custom functions ---------------------------------------

struct Exp : ts::autograd::Function<Exp> {
  static Tensor<double> forward(AutogradContext* ctx, const Tensor<double>& i) {
    Tensor<double> result = i.exp();
    ctx->save_for_backward(result);
    return result;
  }
  static Tensor<double> backward(AutogradContext* ctx, const Tensor<double>& grad_output) {
    return grad_output * ctx->saved_tensor<double>(0);
  }
};

struct MulConstant : ts::autograd::Function<MulConstant> {
  static Tensor<double> forward(AutogradContext* ctx, const Tensor<double>& tensor, double constant) {
    ctx->saved_data["constant"] = constant;
    return tensor * constant;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    return {grad_outputs[0].as<double>() * std::any_cast<double>(ctx->saved_data["constant"]), AnyTensor()};
  }
};

struct LinearFunction : ts::autograd::Function<LinearFunction> {
  static Tensor<double> forward(AutogradContext* ctx, Tensor<double> input, Tensor<double> weight,
                                Tensor<double> bias) {
    ctx->save_for_backward(input, weight, bias);
    Tensor<double> output = input.mm(weight.t());
    if (bias.defined()) output += bias.unsqueeze(0).expand_as(output);
    return output;
  }
  static std::tuple<Tensor<double>, Tensor<double>, Tensor<double>> backward(AutogradContext* ctx,
                                                                             Tensor<double> grad_output) {
    const variable_list saved = ctx->saved_tensors();
    const Tensor<double> input = saved[0].as<double>(), weight = saved[1].as<double>();
    const Tensor<double> bias = saved[2].defined() ? saved[2].as<double>() : Tensor<double>();
    Tensor<double> grad_input, grad_weight, grad_bias;
    if (ctx->needs_input_grad(0)) grad_input = grad_output.mm(weight);
    if (ctx->needs_input_grad(1)) grad_weight = grad_output.t().mm(input);
    if (bias.defined() && ctx->needs_input_grad(2)) grad_bias = grad_output.sum(0);
    return {grad_input, grad_weight, grad_bias};
  }
};

// Two outputs, one saved: the backward uses an output of the node, and is differentiable.
struct MyCube : ts::autograd::Function<MyCube> {
  static std::tuple<Tensor<double>, Tensor<double>> forward(AutogradContext* ctx, const Tensor<double>& x) {
    Tensor<double> result = x.pow(3.0);
    Tensor<double> dx = x.pow(2.0) * 3;
    ctx->save_for_backward(x, dx);
    return {result, dx};
  }
  static Tensor<double> backward(AutogradContext* ctx, const Tensor<double>& grad_output, const Tensor<double>& grad_dx) {
    const Tensor<double> x = ctx->saved_tensor<double>(0), dx = ctx->saved_tensor<double>(1);
    return grad_output * dx + grad_dx * 6 * x;
  }
};

struct SortFn : ts::autograd::Function<SortFn> {
  static std::tuple<Tensor<double>, Tensor<int64_t>> forward(AutogradContext* ctx, const Tensor<double>& x) {
    auto [values, idx] = x.sort();
    ctx->mark_non_differentiable(idx);
    ctx->save_for_backward(idx);
    return {values, idx};
  }
  static Tensor<double> backward(AutogradContext* ctx, const Tensor<double>& g, const Tensor<int64_t>&) {
    return ts::zeros_like(g).scatter(0, ctx->saved_tensor<int64_t>(0), g);
  }
};

struct MulInplace : ts::autograd::Function<MulInplace> {
  static Tensor<double> forward(AutogradContext* ctx, const Tensor<double>& x) {
    x.mul_(3.0);
    ctx->mark_dirty(x);
    return x;
  }
  static Tensor<double> backward(AutogradContext*, const Tensor<double>& g) { return g * 3; }
};

}  // namespace

TEST_CASE("custom functions: PyTorch's documentation examples") {
  SECTION("Exp saves its output; the backward is differentiable again") {
    const auto& r = record("exp");
    const Tensor<double> x = tensor(r, "x").requires_grad_(), w = tensor(r, "w");
    const Tensor<double> y = Exp::apply(x);
    CHECK(y.grad_fn_name() == r.get("grad_fn"));
    CHECK(y.grad_fn_name() == "ExpBackward");
    check_close(y, values(r, "out"));
    const Tensor<double> gx = ts::autograd::grad((y * w).sum(), x, {}, std::nullopt, /*create_graph=*/true);
    check_close(gx, values(r, "gx"));
    gx.sum().backward();
    check_close(x.grad(), values(r, "ggx"));
    CHECK(ts::autograd::gradcheck([](const V& v) { return Exp::apply(v[0]); }, {x.detach().requires_grad_()}));
    CHECK(ts::autograd::gradgradcheck([](const V& v) { return Exp::apply(v[0]); }, {x.detach().requires_grad_()}));
  }
  SECTION("MulConstant carries a number on the context") {
    const auto& r = record("mul_constant");
    const Tensor<double> x = tensor(r, "x").view({2, 3}).requires_grad_();
    const Tensor<double> y = MulConstant::apply(x, 2.5);
    check_close(y.reshape({-1}), values(r, "out"));
    const Tensor<double> w = (ts::arange<double>(6).view({2, 3}) * 0.37 + 0.3).sin() * 1.7;
    (y * w).sum().backward();
    check_close(x.grad().reshape({-1}), values(r, "gx"));
  }
  SECTION("LinearFunction answers needs_input_grad; bias gets no gradient") {
    const auto& r = record("linear");
    const Tensor<double> input = tensor(r, "input").view({4, 3}).requires_grad_();
    const Tensor<double> weight = tensor(r, "weight").view({2, 3}).requires_grad_();
    const Tensor<double> bias = tensor(r, "bias");
    const Tensor<double> y = LinearFunction::apply(input, weight, bias);
    check_close(y.reshape({-1}), values(r, "out"));
    const Tensor<double> w = (ts::arange<double>(8).view({4, 2}) * 0.37 + 0.1).sin() * 1.7;
    (y * w).sum().backward();
    check_close(input.grad().reshape({-1}), values(r, "ginput"));
    check_close(weight.grad().reshape({-1}), values(r, "gweight"));
    CHECK(r.get("gbias") == "none");
    CHECK_FALSE(bias.grad().defined());
    CHECK(ts::autograd::gradcheck([&](const V& v) { return LinearFunction::apply(v[0], v[1], v[2]); },
                                  {input.detach().requires_grad_(), weight.detach().requires_grad_(),
                                   bias.detach().requires_grad_()}));
    // Without bias (an undefined tensor, Python's None).
    const Tensor<double> y2 = LinearFunction::apply(input, weight, Tensor<double>());
    CHECK(ts::allclose(y2, input.detach().mm(weight.detach().t())));
  }
  SECTION("MyCube: two outputs, one saved, double backward through the saved output") {
    const auto& r = record("cube");
    const Tensor<double> x = tensor(r, "x").requires_grad_(), w = tensor(r, "w");
    auto [y, dx] = MyCube::apply(x);
    check_close(y, values(r, "out"));
    check_close(dx, values(r, "dx"));
    CHECK(dx.requires_grad() == (r.get("dx_requires_grad") == "1"));
    CHECK(y.grad_fn_name() == "MyCubeBackward");
    const Tensor<double> gx = ts::autograd::grad((y * w).sum(), x, {}, std::nullopt, /*create_graph=*/true);
    check_close(gx, values(r, "gx"));
    gx.sum().backward();
    check_close(x.grad(), values(r, "ggx"));
    CHECK(ts::autograd::gradgradcheck([](const V& v) { return std::get<0>(MyCube::apply(v[0])); },
                                      {x.detach().requires_grad_()}));
    CHECK(ts::autograd::gradgradcheck([](const V& v) { return std::get<1>(MyCube::apply(v[0])); },
                                      {x.detach().requires_grad_()}));
  }
  SECTION("SortFn: a non-differentiable output") {
    const auto& r = record("sort");
    const Tensor<double> x = tensor(r, "x").requires_grad_();
    auto [values_out, idx] = SortFn::apply(x);
    check_close(values_out, values(r, "values"));
    CHECK(idx.to_vector() == golden::ints(r.get("idx")));
    CHECK(idx.requires_grad() == (r.get("idx_requires_grad") == "1"));
    (values_out * ts::tensor<double>({1.0, 2.0, 3.0, 4.0})).sum().backward();
    check_close(x.grad(), values(r, "gx"));
  }
  SECTION("MulInplace: an input marked dirty takes the node as its history") {
    const auto& r = record("mul_inplace");
    const Tensor<double> x = tensor(r, "x").requires_grad_();
    const Tensor<double> a = x * 2;
    const Tensor<double> y = MulInplace::apply(a);
    check_close(y, values(r, "out"));
    CHECK((y.data_ptr() == a.data_ptr()) == (r.get("same") == "1"));
    CHECK(a.grad_fn_name() == r.get("grad_fn"));
    (y * ts::tensor<double>({1.0, 2.0, 3.0})).sum().backward();
    check_close(x.grad(), values(r, "gx"));
  }
  SECTION("MulInplace on a view: the base's history is rewritten through CopySlices") {
    const auto& r = record("mul_inplace_view");
    const Tensor<double> x = tensor(r, "x").requires_grad_();
    const Tensor<double> b = x * 2;
    const Tensor<double> v = MulInplace::apply(b.slice(0, 1, 3));
    check_close(b, values(r, "base"));
    CHECK(v.grad_fn_name() == r.get("view_grad_fn"));
    CHECK(b.grad_fn_name() == r.get("base_grad_fn"));
    (b * ts::tensor<double>({1.0, 2.0, 3.0, 4.0})).sum().backward();
    check_close(x.grad(), values(r, "gx"));
    CHECK(error_of([&] { MulInplace::apply(x.detach().requires_grad_().slice(0, 0, 2)); }) ==
          "a view of a leaf Variable that requires grad is being used in an in-place operation.");
  }
}

namespace {

struct Identity : ts::autograd::Function<Identity> {
  static Tensor<double> forward(AutogradContext*, const Tensor<double>& x) { return x; }
  static Tensor<double> backward(AutogradContext*, const Tensor<double>& g) { return g; }
};

struct ViewOut : ts::autograd::Function<ViewOut> {
  static Tensor<double> forward(AutogradContext*, const Tensor<double>& x) { return x.view({-1}); }
  static Tensor<double> backward(AutogradContext*, const Tensor<double>& g) { return g.view({2, 3}) * 10.0; }
};

struct SameOut : ts::autograd::Function<SameOut> {
  static Tensor<double> forward(AutogradContext*, const Tensor<double>& x) { return x; }
  static Tensor<double> backward(AutogradContext*, const Tensor<double>& g) { return g * 10.0; }
};

struct SaveInput : ts::autograd::Function<SaveInput> {
  static Tensor<double> forward(AutogradContext* ctx, const Tensor<double>& x) {
    ctx->save_for_backward(x);
    return x * x;
  }
  static Tensor<double> backward(AutogradContext* ctx, const Tensor<double>& g) {
    return g * 2 * ctx->saved_tensor<double>(0);
  }
};

struct TooFewGradients : ts::autograd::Function<TooFewGradients> {
  static Tensor<double> forward(AutogradContext*, const Tensor<double>& x, double k) { return x * k; }
  static Tensor<double> backward(AutogradContext*, const Tensor<double>& g) { return g; }
};

struct GradientForNumber : ts::autograd::Function<GradientForNumber> {
  static Tensor<double> forward(AutogradContext*, const Tensor<double>& x, double k) { return x * k; }
  static variable_list backward(AutogradContext*, variable_list g) { return {g[0], g[0]}; }
};

struct DirtyNotReturned : ts::autograd::Function<DirtyNotReturned> {
  static Tensor<double> forward(AutogradContext* ctx, const Tensor<double>& x) {
    x.add_(1.0);
    ctx->mark_dirty(x);
    return x * 2;
  }
  static Tensor<double> backward(AutogradContext*, const Tensor<double>& g) { return g * 2; }
};

struct NoMaterialize : ts::autograd::Function<NoMaterialize> {
  static inline int undefined_seen = 0;
  static std::tuple<Tensor<double>, Tensor<double>> forward(AutogradContext* ctx, const Tensor<double>& x) {
    ctx->set_materialize_grads(false);
    return {x * 2, x * 3};
  }
  static Tensor<double> backward(AutogradContext*, const Tensor<double>& a, const Tensor<double>& b) {
    undefined_seen += !a.defined() + !b.defined();
    Tensor<double> g;
    if (a.defined()) g = a * 2;
    if (b.defined()) g = g.defined() ? g + b * 3 : b * 3;
    return g;
  }
};

struct Materialize : ts::autograd::Function<Materialize> {
  static std::tuple<Tensor<double>, Tensor<double>> forward(AutogradContext*, const Tensor<double>& x) {
    return {x * 2, x * 3};
  }
  static Tensor<double> backward(AutogradContext*, const Tensor<double>& a, const Tensor<double>& b) {
    REQUIRE(a.defined());
    REQUIRE(b.defined());  // zeros for the output that got no gradient
    return a * 2 + b * 3;
  }
};

struct FloatFn : ts::autograd::Function<FloatFn> {
  static AnyTensor forward(AutogradContext* ctx, AnyTensor x) {
    ctx->save_for_backward(x);
    return AnyTensor(x.as<float>().sin());
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    return {AnyTensor(g[0].as<float>() * ctx->saved_tensors()[0].as<float>().cos())};
  }
};

}  // namespace

TEST_CASE("custom functions: PyTorch's rules") {
  SECTION("without grad mode or inputs that require grad, nothing is recorded") {
    const Tensor<double> x = ts::tensor<double>({1.0, 2.0});
    CHECK_FALSE(SaveInput::apply(x).requires_grad());
    const Tensor<double> xr = ts::tensor<double>({1.0, 2.0}, {.requires_grad = true});
    ts::NoGradGuard no_grad;
    CHECK_FALSE(SaveInput::apply(xr).requires_grad());
  }
  SECTION("an input returned as is comes back as a new tensor with the node as history") {
    const Tensor<double> x = ts::tensor<double>({1.0, 2.0}, {.requires_grad = true});
    const Tensor<double> y = Identity::apply(x);
    CHECK(y.impl_ptr() != x.impl_ptr());
    CHECK(y.data_ptr() == x.data_ptr());
    CHECK(x.is_leaf());
    CHECK(y.grad_fn_name() == "IdentityBackward");
    (y * 3).sum().backward();
    CHECK(x.grad().to_vector() == std::vector<double>{3, 3});
  }
  SECTION("a saved tensor modified in place throws at backward") {
    const Tensor<double> x = ts::tensor<double>({1.0, 2.0}, {.requires_grad = true});
    const Tensor<double> a = x * 1;
    const Tensor<double> y = SaveInput::apply(a);
    a.add_(1.0);
    CHECK(error_of([&] { y.sum().backward(); }) ==
          "backward: one of the variables needed for gradient computation has been modified by an inplace operation: "
          "[torch.DoubleTensor [2]], which is output 0 of AddBackward0, is at version 1; expected version 0 instead. "
          "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "
          "torch.autograd.set_detect_anomaly(True).");
  }
  SECTION("saved tensors are freed by backward without retain_graph") {
    const Tensor<double> x = ts::tensor<double>({1.0, 2.0}, {.requires_grad = true});
    const Tensor<double> y = SaveInput::apply(x).sum();
    y.backward(Tensor<double>(), /*retain_graph=*/true);
    y.backward();
    CHECK(x.grad().to_vector() == std::vector<double>{4, 8});
    CHECK_THROWS_WITH(y.backward(), Catch::StartsWith("backward: Trying to backward through the graph a second time"));
  }
  SECTION("backward returns one gradient per argument of forward") {
    const Tensor<double> x = ts::tensor<double>({1.0, 2.0}, {.requires_grad = true});
    CHECK(error_of([&] { TooFewGradients::apply(x, 2.0).sum().backward(); }) ==
          "function TooFewGradientsBackward returned an incorrect number of gradients (expected 2, got 1)");
    CHECK(error_of([&] { GradientForNumber::apply(x, 2.0).sum().backward(); }) ==
          "function GradientForNumberBackward returned a gradient different than None at position 2, but the "
          "corresponding forward input was not a Variable");
  }
  SECTION("inputs marked dirty must be returned; a leaf that requires grad cannot be") {
    const Tensor<double> x = ts::tensor<double>({1.0, 2.0}, {.requires_grad = true});
    CHECK(error_of([&] { DirtyNotReturned::apply(x * 1); }) ==
          "Some elements marked as dirty during the forward method were not returned as output. The inputs that are "
          "modified inplace must all be outputs of the Function.");
    CHECK(error_of([&] { MulInplace::apply(x); }) ==
          "a leaf Variable that requires grad has been used in an in-place operation.");
  }
  SECTION("materialized gradients: zeros for outputs without one, unless turned off") {
    const Tensor<double> x = ts::tensor<double>({1.0, 2.0}, {.requires_grad = true});
    std::get<0>(Materialize::apply(x)).sum().backward();
    CHECK(x.grad().to_vector() == std::vector<double>{2, 2});
    x.set_grad({});
    NoMaterialize::undefined_seen = 0;
    std::get<1>(NoMaterialize::apply(x)).sum().backward();
    CHECK(x.grad().to_vector() == std::vector<double>{3, 3});
    CHECK(NoMaterialize::undefined_seen == 1);
  }
  SECTION("AnyTensor arguments and a float graph") {
    const Tensor<float> x = ts::tensor({0.5f, 1.5f}, {.requires_grad = true});
    const Tensor<float> y = FloatFn::apply(AnyTensor(x)).as<float>();
    y.sum().backward();
    CHECK(ts::allclose(x.grad(), x.detach().cos()));
  }
}

TEST_CASE("tensor hooks") {
  SECTION("register_hook's documentation example, and remove()") {
    const auto& r = record("hook_doc");
    const Tensor<double> v = ts::tensor<double>({0.0, 0.0, 0.0}, {.requires_grad = true});
    auto h = v.register_hook([](const Tensor<double>& grad) { return grad * 2; });
    v.backward(ts::tensor<double>({1.0, 2.0, 3.0}));
    check_close(v.grad(), values(r, "grad"));
    h.remove();
    h.remove();  // twice: nothing
    v.set_grad({});
    v.backward(ts::tensor<double>({1.0, 2.0, 3.0}));
    check_close(v.grad(), values(r, "grad_after_remove"));
  }
  SECTION("a leaf used twice: its hook runs once, on the summed gradient") {
    const auto& r = record("hook_leaf_twice");
    const Tensor<double> x = ts::tensor<double>({1.0, 2.0}, {.requires_grad = true});
    std::vector<Tensor<double>> seen;
    x.register_hook([&](const Tensor<double>& g) {
      seen.push_back(g.clone());
      return g * 2;
    });
    (x * x).sum().backward();
    REQUIRE(seen.size() == static_cast<size_t>(std::stoi(r.get("calls"))));
    check_close(seen[0], values(r, "seen"));
    check_close(x.grad(), values(r, "grad"));
  }
  SECTION("retain_grad keeps the gradient as it is where retain_grad was called among the hooks") {
    for (const std::string order : {"retain_then_hook", "hook_then_retain"}) {
      const auto& r = record(order);
      const Tensor<double> x = ts::tensor<double>({1.0, 2.0}, {.requires_grad = true});
      const Tensor<double> y = x * 2;
      if (order == "retain_then_hook") {
        y.retain_grad();
        y.register_hook([](const Tensor<double>& g) { return g * 10; });
      } else {
        y.register_hook([](const Tensor<double>& g) { return g * 10; });
        y.retain_grad();
      }
      (y * 3).sum().backward();
      check_close(y.grad(), values(r, "ygrad"));
      check_close(x.grad(), values(r, "xgrad"));
    }
  }
  SECTION("in-place ops: hooks stay with the grad_fn they were registered on, retain_grad follows the tensor") {
    const auto& r = record("hook_inplace");
    const Tensor<double> x = ts::tensor<double>({1.0, 2.0}, {.requires_grad = true});
    const Tensor<double> y = x * 2;
    y.retain_grad();
    y.register_hook([](const Tensor<double>& g) { return g + 1; });
    y.mul_(3.0);
    y.register_hook([](const Tensor<double>& g) { return g + 100; });
    y.sum().backward();
    check_close(y.grad(), values(r, "ygrad"));
    check_close(x.grad(), values(r, "xgrad"));
    const auto& r2 = record("hook_after_inplace");
    const Tensor<double> x2 = ts::tensor<double>({1.0, 2.0}, {.requires_grad = true});
    const Tensor<double> y2 = x2 * 2;
    y2.mul_(3.0);
    y2.register_hook([](const Tensor<double>& g) { return g + 1; });
    y2.sum().backward();
    check_close(x2.grad(), values(r2, "xgrad"));
  }
  SECTION("hooks chain in registration order; void and nullopt keep the gradient") {
    const auto& r = record("hook_chain");
    const Tensor<double> x = tensor(r, "x").requires_grad_();
    const Tensor<double> y = x.exp();
    int calls = 0;
    y.register_hook([](const Tensor<double>& g) { return g + 1; });
    y.register_hook([&](const Tensor<double>&) { ++calls; });
    y.register_hook([](const Tensor<double>&) -> std::optional<Tensor<double>> { return std::nullopt; });
    y.register_hook([](const Tensor<double>& g) { return g * 3; });
    y.sum().backward();
    CHECK(calls == 1);
    check_close(x.grad(), values(r, "grad"));
  }
  SECTION("autograd::grad returns a gradient before the tensor's hooks; the hooked one flows on") {
    const auto& r = record("hook_autograd_grad");
    const Tensor<double> a = ts::tensor<double>({1.0, 2.0}, {.requires_grad = true});
    const Tensor<double> b = a * 2;
    b.register_hook([](const Tensor<double>& g) { return g * 100; });
    const auto g = ts::autograd::grad({(b * b).sum()}, {b, a});
    check_close(g[0].as<double>(), values(r, "gb"));
    check_close(g[1].as<double>(), values(r, "ga"));
  }
  SECTION("PyTorch's errors") {
    const Tensor<double> z = ts::tensor<double>({1.0});
    CHECK(error_of([&] { z.register_hook([](const Tensor<double>& g) { return g; }); }) ==
          "register_hook: cannot register a hook on a tensor that doesn't require gradient");
    const Tensor<double> a = ts::tensor<double>({1.0, 2.0}, {.requires_grad = true});
    a.register_hook([](const Tensor<double>& g) { return g.narrow(0, 0, 1); });
    CHECK(error_of([&] { (a * 2).sum().backward(); }) ==
          "backward: hook has changed the size of value (was [2] got [1])");
  }
}

TEST_CASE("backward(create_graph=true)") {
  const auto& r = record("backward_create_graph");
  const Tensor<double> x = tensor(r, "x").requires_grad_();
  (x.pow(3.0) * ts::tensor<double>({1.0, 2.0, 3.0})).sum().backward({}, std::nullopt, /*create_graph=*/true);
  const Tensor<double> g = x.grad();
  check_close(g, values(r, "g"));
  CHECK(g.requires_grad() == (r.get("has_grad_fn") == "1"));
  x.set_grad({});  // .grad's history holds x: PyTorch's reference cycle, broken here
  g.sum().backward();
  check_close(x.grad(), values(r, "gg"));
}

TEST_CASE("second derivatives of built-in ops against PyTorch, and gradgradcheck") {
  const Tensor<int64_t> idx = ts::tensor<int64_t>({2, 0, 2, 1});
  const std::vector<std::pair<std::string, std::function<Tensor<double>(const Tensor<double>&)>>> cases = {
      {"gelu", [](const Tensor<double>& x) { return x.gelu(); }},
      {"softplus", [](const Tensor<double>& x) { return (x * 3).softplus(); }},
      {"softplus_plain", [](const Tensor<double>& x) { return x.softplus(); }},
      {"gelu_softplus_threshold", [](const Tensor<double>& x) { return (x * 3).gelu() + (x * 14).softplus(); }},
      {"index", [&](const Tensor<double>& x) { return x.index({idx}); }},
      {"index_2d", [&](const Tensor<double>& x) { return x.index({idx, ts::tensor<int64_t>({0, 2, 1, 2})}); }},
      {"index_select", [&](const Tensor<double>& x) { return x.index_select(0, idx); }},
      {"gather",
       [](const Tensor<double>& x) {
         return x.gather(1, ts::from_vector<int64_t>({0, 0, 2, 1, 2, 0, 2, 2, 2, 0, 1, 1}, {4, 3}));
       }},
      {"scatter",
       [](const Tensor<double>& x) {
         const auto src = (x.narrow(1, 0, 2) * x.narrow(1, 1, 2)).contiguous();
         return x.scatter(1, ts::from_vector<int64_t>({2, 0, 1, 2, 0, 1, 2, 1}, {4, 2}), src);
       }},
      {"relu", [](const Tensor<double>& x) { return x.relu() * x; }},
      {"slice", [](const Tensor<double>& x) { return x.narrow(0, 1, 2).pow(2.0); }},
      {"select", [](const Tensor<double>& x) { return x.select(1, 2).exp(); }},
      {"diagonal", [](const Tensor<double>& x) { return x.diagonal().sin(); }},
      {"narrow_tanh", [](const Tensor<double>& x) { return x.narrow(0, 1, 2).tanh(); }},
      // One statement per op, in Python's order: the order nodes are recorded in decides the order
      // gradients are summed in, which rounds (C++ leaves the order of operands unspecified).
      {"to_float",
       [](const Tensor<double>& x) {
         const Tensor<float> a = x.to<float>(), b = x.to<float>(), c = x.to<float>();
         const Tensor<float> a3 = a * 3, bc = b * c;
         return (a3 + bc).to<double>();
       }},
      {"to_bfloat16",
       [](const Tensor<double>& x) {
         const Tensor<ts::bfloat16> a = x.to<ts::bfloat16>(), b = x.to<ts::bfloat16>();
         return (a * b).to<double>();
       }},
      {"mixed_mul", [](const Tensor<double>& x) { return x.to<float>() * x; }},
      {"copy_float_into_view",
       [](const Tensor<double>& x) {
         const Tensor<double> y = x.clone();
         const Tensor<float> a = x.narrow(0, 0, 2).to<float>(), b = x.narrow(0, 0, 2).to<float>();
         y.narrow(0, 1, 2).copy_(a * b);
         return y * x;
       }},
  };
  // Finite differences in double cannot see through a float or bfloat16 rounding.
  const std::set<std::string> rounded = {"to_float", "to_bfloat16", "mixed_mul", "copy_float_into_view"};
  for (const auto& [name, f] : cases) {
    SECTION(name) {
      const auto& r = record("gg_" + name);
      const Tensor<double> x = tensor(r, "x", "x_shape").requires_grad_();
      const Tensor<double> out = f(x);
      check_close(out.reshape({-1}), values(r, "out"));
      const Tensor<double> w = tensor(r, "w", "out_shape").requires_grad_();
      const Tensor<double> v = tensor(r, "v", "x_shape");
      const Tensor<double> gx = ts::autograd::grad((out * w).sum(), x, {}, std::nullopt, /*create_graph=*/true);
      check_close(gx.reshape({-1}), values(r, "gx"));
      CHECK(gx.grad_fn_name() == r.get("gx_grad_fn"));
      (gx * v).sum().backward();
      if (r.get("ggx") == "none")
        CHECK_FALSE(x.grad().defined());
      else
        check_close(x.grad().reshape({-1}), values(r, "ggx"));
      check_close(w.grad().reshape({-1}), values(r, "ggw"));
      if (!rounded.contains(name))
        CHECK(ts::autograd::gradgradcheck([&f = f](const V& in) { return f(in[0]); }, {x.detach().requires_grad_()}));
    }
  }
}

TEST_CASE("relu's gradient for a constant output gradient can be differentiated again") {
  const auto& r = record("ggc_relu");
  const Tensor<double> x = tensor(r, "x").reshape({2, 3}).requires_grad_();
  const Tensor<double> gx = ts::autograd::grad(x.relu().sum(), x, {}, std::nullopt, /*create_graph=*/true);
  check_close(gx.reshape({-1}), values(r, "gx"));
  CHECK(gx.grad_fn_name() == r.get("gx_grad_fn"));
  gx.sum().backward();
  check_close(x.grad().reshape({-1}), values(r, "ggx"));
}

TEST_CASE("half and bfloat16 gradients are summed, added and accumulated as PyTorch rounds them") {
  const auto run = [&]<class T>(std::type_identity<T>, const std::string& name) {
    const auto& r = record("low_precision_" + name);
    const auto in = [&](const std::string& key, ts::Shape shape) {
      return tensor(r, key).reshape(std::move(shape)).template to<T>();
    };
    const Tensor<T> x = in("x", {3, 1}).requires_grad_(), w = in("w", {5}).requires_grad_();
    const Tensor<T> y = in("y", {3, 5}), g = in("g", {3, 5});
    const Tensor<T> xy = x * y, xx = x * x, xx3 = xx * 3, wy = w * y;
    const Tensor<T> out = ((xy + xx3 + wy) * g).sum();
    const auto exact = [](const Tensor<T>& got, const std::vector<double>& want) {
      CHECK(got.template to<double>().to_vector() == want);
    };
    const auto gx = ts::autograd::grad({out}, {x}, {}, std::nullopt, /*create_graph=*/true);
    exact(gx[0].template as<T>(), values(r, "gx_create_graph"));
    out.backward();
    exact(x.grad(), values(r, "gx1"));
    exact(w.grad(), values(r, "gw1"));
    ((x * g + w) * y).sum().backward();
    exact(x.grad(), values(r, "gx2"));
    exact(w.grad(), values(r, "gw2"));
  };
  SECTION("half") { run(std::type_identity<ts::half>{}, "half"); }
  SECTION("bfloat16") { run(std::type_identity<ts::bfloat16>{}, "bfloat16"); }
}

TEST_CASE("anomaly detection names the node whose backward produced NaN") {
  const Tensor<double> x = ts::tensor<double>({-1.0, 2.0}, {.requires_grad = true});
  CHECK_FALSE(ts::autograd::is_anomaly_enabled());
  {
    const Tensor<double> y = (x * 0.0).log().sum();  // log(0) = -inf, and 0 * inf = NaN in MulBackward0
    ts::autograd::detect_anomaly anomaly;
    CHECK(ts::autograd::is_anomaly_enabled());
    CHECK(error_of([&] { y.backward(); }) == "Function 'MulBackward0' returned nan values in its 0th output.");
  }
  CHECK_FALSE(ts::autograd::is_anomaly_enabled());
  {
    const Tensor<double> y = x.sqrt().sum();  // sqrt(-1) = NaN: its gradient too
    ts::autograd::set_detect_anomaly(true);
    CHECK(error_of([&] { y.backward(); }) == "Function 'SqrtBackward0' returned nan values in its 0th output.");
    ts::autograd::set_detect_anomaly(false);
  }
  // Off, the same backward runs through.
  const Tensor<double> y = x.sqrt().sum();
  y.backward();
  CHECK(std::isnan(x.grad().to_vector()[0]));
}

TEST_CASE("gradgradcheck through ops outside the catalogue of test_autograd") {
  namespace F = ts::nn::functional;
  const Tensor<int64_t> classes = ts::tensor<int64_t>({2, 0, 1});
  const std::vector<std::tuple<std::string, std::vector<ts::Shape>, std::function<Tensor<double>(const V&)>>> cases = {
      {"sort", {{3, 4}}, [](const V& x) { return x[0].sort(1).values; }},
      {"topk", {{3, 4}}, [](const V& x) { return x[0].topk(2, 1).values; }},
      {"flip_roll", {{3, 4}}, [](const V& x) { return ts::flip(x[0], {0}) * ts::roll(x[0], {1}, {1}); }},
      {"tril_repeat", {{3, 3}}, [](const V& x) { return ts::tril(x[0]).repeat({2, 1}).pow(2.0); }},
      {"conv2d", {{1, 2, 4, 4}, {3, 2, 2, 2}, {3}},
       [](const V& x) { return F::conv2d(x[0], x[1], x[2], {.stride = 1, .padding = 1}).tanh(); }},
      {"max_pool2d", {{1, 2, 4, 4}}, [](const V& x) { return F::max_pool2d(x[0].exp(), 2); }},
      {"avg_pool2d", {{1, 2, 4, 4}}, [](const V& x) { return F::avg_pool2d(x[0].pow(2.0), 2); }},
      {"cross_entropy", {{3, 4}}, [&](const V& x) { return F::cross_entropy(x[0], classes); }},
      {"layer_norm", {{3, 4}, {4}, {4}}, [](const V& x) { return F::layer_norm(x[0], {4}, x[1], x[2]); }},
      {"group_norm", {{2, 4, 3}, {4}, {4}}, [](const V& x) { return F::group_norm(x[0], 2, x[1], x[2]); }},
      {"embedding", {{5, 3}}, [](const V& x) { return F::embedding(ts::tensor<int64_t>({4, 0, 4}), x[0]).sin(); }},
      {"bce_with_logits", {{3, 4}, {3, 4}},
       [](const V& x) { return F::binary_cross_entropy_with_logits(x[0], x[1].sigmoid()); }},
  };
  ts::Generator gen(5);
  for (const auto& [name, shapes, f] : cases) {
    SECTION(name) {
      V xs;
      for (const auto& shape : shapes) xs.push_back((ts::rand<double>(shape, gen) * 2 - 1).requires_grad_());
      CHECK(ts::autograd::gradcheck(f, xs));
      CHECK(ts::autograd::gradgradcheck(f, xs));
    }
  }
}

TEST_CASE("views taken before an in-place op take their history from the base again") {
  using ts::NoGradGuard;
  const golden::Record& first = record("stale_select");
  const Tensor<double> a0 = tensor(first, "a").reshape({2, 3}), w = tensor(first, "w");
  auto leaf = [&] { return a0.clone().requires_grad_(); };
  SECTION("the base changed") {
    const Tensor<double> a = leaf(), x = a.clone(), v = x.select(0, 0);
    CHECK(v.grad_fn_name() == "SelectBackward0");
    x.mul_(2.0);
    CHECK(v.grad_fn_name() == first.get("grad_fn"));
    (v * w).sum().backward();
    check_close(a.grad(), values(first, "ga"));
  }
  SECTION("another view of the base changed") {
    const auto& r = record("stale_other_view");
    const Tensor<double> a = leaf(), x = a.clone(), v1 = x.select(0, 0), v2 = x.select(0, 1);
    v2.mul_(3.0);
    CHECK(v1.grad_fn_name() == r.get("grad_fn"));
    ((v1 * w).sum() + (v2 * v2).sum()).backward();
    check_close(a.grad(), values(r, "ga"));
  }
  SECTION("a view of a view") {
    const auto& r = record("stale_view_of_view");
    const Tensor<double> a = leaf(), x = a.clone(), vv = x.select(0, 0).slice(0, 1);
    x.mul_(w);
    CHECK(vv.grad_fn_name() == r.get("grad_fn"));
    (vv * vv).sum().backward();
    check_close(a.grad(), values(r, "ga"));
  }
  SECTION("the base changed with grad mode off") {
    const auto& r = record("stale_no_grad_write");
    const Tensor<double> a = tensor(r, "a").requires_grad_(), x = a.clone(), v = x.slice(0, 1);
    {
      NoGradGuard no_grad;
      x.mul_(2.0);
    }
    CHECK(v.grad_fn_name() == r.get("grad_fn"));
    (v * v).sum().backward();
    check_close(a.grad(), values(r, "ga"));
  }
  SECTION("the base requires grad after the view was taken") {
    const auto& r = record("base_gains_grad");
    const Tensor<double> wg = tensor(r, "w").requires_grad_(), x = ts::zeros<double>({3}), v = x.slice(0, 0, 2);
    CHECK(int(v.requires_grad()) == std::stoi(r.get("before")));
    x.add_(wg);
    CHECK(int(v.requires_grad()) == std::stoi(r.get("after")));
    CHECK(v.grad_fn_name() == r.get("grad_fn"));
    (v * v).sum().backward();
    check_close(wg.grad(), values(r, "gw"));
  }
  SECTION("a view taken with grad mode off requires grad with its base") {
    const auto& r = record("no_grad_view");
    const Tensor<double> a = leaf();
    Tensor<double> v;
    {
      NoGradGuard no_grad;
      v = a.select(0, 1);
    }
    CHECK(int(v.requires_grad()) == std::stoi(r.get("requires_grad")));
    CHECK(int(v.is_leaf()) == std::stoi(r.get("is_leaf")));
    const Tensor<double> y = v * 2.0;
    CHECK(int(y.requires_grad()) == std::stoi(r.get("y_requires_grad")));
    CHECK(y.grad_fn_name() == r.get("y_grad_fn"));
  }
  SECTION("unbind records one node") {
    const auto& r = record("unbind");
    const Tensor<double> a = leaf();
    const std::vector<Tensor<double>> pieces = a.clone().unbind(1);
    CHECK(pieces[2].grad_fn_name() == r.get("grad_fn"));
    (pieces[0] * 2.0 + pieces[2] * pieces[2]).sum().backward();
    check_close(a.grad(), values(r, "ga"));
  }
  SECTION("the pieces of unbind and split may not be changed in place") {
    const auto& r = record("multi_output_views");
    const Tensor<double> a = leaf(), wg = w.clone().requires_grad_();
    CHECK(error_of([&] { a.clone().unbind(0)[1].mul_(2.0); }) == r.get("direct"));
    Tensor<double> x = a.clone();
    std::vector<Tensor<double>> pieces = ts::split(x, {1, 2}, 1);
    x.mul_(2.0);
    CHECK(error_of([&] { (void)pieces[1].grad_fn_name(); }) == r.get("indirect"));
    x = ts::zeros<double>({2, 3});
    CHECK(error_of([&] { x.unbind(0)[0].add_(wg); }) == r.get("no_history"));
    x = ts::zeros<double>({2, 3});
    pieces = x.unbind(0);
    x.add_(wg);
    CHECK(error_of([&] { (void)pieces[0].grad_fn_name(); }) == r.get("no_history_indirect"));
    x = ts::zeros<double>({2, 3});
    pieces = x.unbind(0);
    x.add_(1.0);
    pieces[0].add_(1.0);  // nothing requires grad: allowed
    check_close(x, values(r, "untracked"));
  }
  SECTION("a custom Function's output that views its input keeps its backward, or is refused") {
    const auto& r = record("custom_function_views");
    const Tensor<double> a = leaf();
    CHECK(error_of([&] { ViewOut::apply(a * 1.0).mul_(2.0); }) == r.get("direct"));
    Tensor<double> x = a * 1.0, y = ViewOut::apply(x);
    x.mul_(2.0);
    CHECK(error_of([&] { (void)y.grad_fn_name(); }) == r.get("indirect"));
    x = a * 1.0;
    y = SameOut::apply(x);
    x.mul_(2.0);
    CHECK(error_of([&] { (void)y.grad_fn_name(); }) == r.get("same"));
    x = a * 1.0;
    y = ViewOut::apply(x);
    (y * y).sum().backward();
    check_close(a.grad(), values(r, "ga"));
  }
  SECTION("a view of a piece of unbind or split is such a piece too") {
    const auto& r = record("views_of_pieces");
    const Tensor<double> a = leaf();
    CHECK(error_of([&] { a.clone().unbind(0)[0].view({-1}).mul_(2.0); }) == r.get("view"));
    CHECK(error_of([&] { ts::split(a.clone(), 1)[0].select(0, 0).mul_(2.0); }) == r.get("select"));
  }
  SECTION("results that ops make from scratch tensors keep their history when changed in place") {
    const auto& r = record("scratch_results");
    const Tensor<double> W = tensor(r, "W").reshape({4, 2}).requires_grad_();
    const Tensor<int64_t> rows = ts::tensor<int64_t>({1, 3});
    Tensor<double> y = ts::index_select(W, 0, rows);
    {
      NoGradGuard no_grad;
      y.mul_(2.0);
    }
    (y * y).sum().backward();
    check_close(W.grad(), values(r, "gw_no_grad"));
    W.set_grad(Tensor<double>());
    y = ts::index_select(W, 0, rows);
    y.mul_(w.slice(0, 0, 2));
    CHECK(y.grad_fn_name() == r.get("grad_fn"));
    (y * y).sum().backward();
    check_close(W.grad(), values(r, "gw"));
    const Tensor<double> a = tensor(r, "a").requires_grad_(), b = w.clone().requires_grad_();
    const Tensor<double> d = ts::dot(a, b);
    d.mul_(2.0);
    d.backward();
    check_close(a.grad(), values(r, "ga"));
    check_close(b.grad(), values(r, "gb"));
    const Tensor<double> M = tensor(r, "M").reshape({2, 3}).requires_grad_();
    const Tensor<double> m = ts::mv(M, w);
    m.add_(1.0);
    CHECK(m.grad_fn_name() == r.get("mv_grad_fn"));
    (m * m).sum().backward();
    check_close(M.grad(), values(r, "gm"));
  }
  SECTION("split's node names; unsafe_split's pieces are no views to autograd") {
    const auto& r = record("split_names");
    const Tensor<double> x = ts::ones<double>({2, 4}).requires_grad_() * 1.0;
    const Tensor<double> e = ts::ones<double>({0, 3}).requires_grad_() * 1.0;
    CHECK(ts::split(x, 2, 1)[1].grad_fn_name() == r.get("split"));
    CHECK(ts::split(x, {1, 3}, 1)[0].grad_fn_name() == r.get("split_with_sizes"));
    CHECK(ts::chunk(x, 2, 1)[0].grad_fn_name() == r.get("chunk"));
    CHECK(ts::chunk(e, 2, 0)[0].grad_fn_name() == r.get("chunk_empty"));
    CHECK(ts::unsafe_split(x, 2, 1)[0].grad_fn_name() == r.get("unsafe_split"));
    CHECK(ts::unsafe_split_with_sizes(x, {1, 3}, 1)[0].grad_fn_name() == r.get("unsafe_split_with_sizes"));
    CHECK(ts::unsafe_chunk(x, 2, 1)[0].grad_fn_name() == r.get("unsafe_chunk"));
    CHECK(ts::unsafe_chunk(e, 2, 0)[1].grad_fn_name() == r.get("unsafe_chunk_empty"));
    const std::vector<Tensor<double>> pieces = ts::unsafe_split(x, 2, 1);
    pieces[0].mul_(2.0);
    CHECK(pieces[0].grad_fn_name() == r.get("unsafe_inplace"));
    CHECK(x.grad_fn_name() == r.get("unsafe_base"));
  }
}

}  // namespace test_autograd_ext
