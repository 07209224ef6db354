// Autograd: gradients against PyTorch's (tests/golden/autograd.txt), finite-difference
// gradchecks, second derivatives, and the engine's rules (accumulation, retain_grad, in-place
// checks, version counters, NoGradGuard, freeing the graph).

#include <cmath>
#include <functional>
#include <memory>
#include <random>
#include <tuple>

#include "error_of.hpp"
#include "golden.hpp"

namespace test_autograd {

using ts::Tensor;
using Fn = std::function<Tensor<double>(const std::vector<Tensor<double>>&)>;

namespace {

Tensor<int64_t> idx(std::vector<int64_t> v, ts::Shape shape) { return ts::from_vector(v, shape); }
Tensor<int64_t> idx(std::vector<int64_t> v) { return idx(v, {static_cast<int64_t>(v.size())}); }

// PyTorch's message for a backward through freed saved tensors, after tessera's operation prefix.
const std::string backward_twice =
    "Trying to backward through the graph a second time (or directly access saved tensors after they have "
    "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
    "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you "
    "need to access saved tensors after calling backward.";

// The catalogue of tests/golden/generate.py's autograd_cases, case for case.
const std::map<std::string, Fn>& catalogue() {
  using V = std::vector<Tensor<double>>;
  static const std::map<std::string, Fn> cases = {
      {"add", [](const V& x) { return x[0] + x[1]; }},
      {"sub", [](const V& x) { return x[0] - x[1]; }},
      {"mul", [](const V& x) { return x[0] * x[1]; }},
      {"div", [](const V& x) { return x[0] / x[1]; }},
      {"pow_tt", [](const V& x) { return x[0].pow(x[1]); }},
      {"pow_ts", [](const V& x) { return x[0].pow(3.0); }},
      {"pow_st", [](const V& x) { return ts::pow(2.0, x[0]); }},
      {"rsub", [](const V& x) { return 1.0 - x[0]; }},
      {"rdiv", [](const V& x) { return 2.0 / x[0]; }},
      {"add_s", [](const V& x) { return x[0] + 1.5; }},
      {"mul_s", [](const V& x) { return x[0] * 2.5; }},
      {"div_s", [](const V& x) { return x[0] / 4.0; }},
      {"minimum", [](const V& x) { return ts::minimum(x[0], x[1]); }},
      {"maximum", [](const V& x) { return ts::maximum(x[0], x[1]); }},
      {"maximum_ties", [](const V& x) { return ts::maximum(x[0], x[0].round()); }},
      {"remainder", [](const V& x) { return ts::remainder(x[0] * 3, x[1]); }},
      {"fmod", [](const V& x) { return ts::fmod(x[0] * 3, x[1]); }},
      {"neg", [](const V& x) { return -x[0]; }},
      {"abs", [](const V& x) { return x[0].abs(); }},
      {"sign", [](const V& x) { return x[0].sign() + x[0]; }},
      {"floor", [](const V& x) { return x[0].floor() + x[0].ceil() + x[0].round() + x[0]; }},
      {"relu", [](const V& x) { return x[0].relu(); }},
      {"sqrt", [](const V& x) { return x[0].sqrt(); }},
      {"rsqrt", [](const V& x) { return x[0].rsqrt(); }},
      {"exp", [](const V& x) { return x[0].exp(); }},
      {"expm1", [](const V& x) { return x[0].expm1(); }},
      {"log", [](const V& x) { return x[0].log(); }},
      {"log1p", [](const V& x) { return x[0].log1p(); }},
      {"log2", [](const V& x) { return x[0].log2(); }},
      {"sin", [](const V& x) { return x[0].sin(); }},
      {"cos", [](const V& x) { return x[0].cos(); }},
      {"tan", [](const V& x) { return (x[0] / 2).tan(); }},
      {"tanh", [](const V& x) { return x[0].tanh(); }},
      {"sigmoid", [](const V& x) { return x[0].sigmoid(); }},
      {"gelu", [](const V& x) { return x[0].gelu(); }},
      {"softplus", [](const V& x) { return (x[0] * 15).softplus(); }},
      {"clamp", [](const V& x) { return x[0].clamp(-0.5, 0.5); }},
      {"clamp_min", [](const V& x) { return x[0].clamp(0.25); }},
      {"clamp_max", [](const V& x) { return x[0].clamp(std::nullopt, 0.25); }},
      {"lerp_s", [](const V& x) { return ts::lerp(x[0], x[1], 0.3); }},
      {"lerp_t", [](const V& x) { return ts::lerp(x[0], x[1], x[2]); }},
      {"where", [](const V& x) { return ts::where(x[0] > 0, x[0], x[1]); }},
      {"masked_fill", [](const V& x) { return x[0].masked_fill(x[0] > 0.5, 0.0); }},
      {"sum", [](const V& x) { return x[0].sum(); }},
      {"sum_dim", [](const V& x) { return x[0].sum(1); }},
      {"sum_dims_keep", [](const V& x) { return x[0].sum({0, 2}, true); }},
      {"mean", [](const V& x) { return x[0].mean(); }},
      {"mean_dim", [](const V& x) { return x[0].mean(-1); }},
      {"prod", [](const V& x) { return x[0].prod(); }},
      {"prod_dim", [](const V& x) { return x[0].prod(1); }},
      {"prod_zero", [](const V& x) { return x[0].prod(1); }},
      {"amax", [](const V& x) { return ts::cat({x[0], x[0].slice(1, 0, 2)}, 1).amax(1, true) + x[0].amax(0); }},
      {"amin", [](const V& x) { return x[0].amin(); }},
      {"max", [](const V& x) { return x[0].max(); }},
      {"min", [](const V& x) { return x[0].min(); }},
      {"max_dim", [](const V& x) { return std::get<0>(x[0].max(1)); }},
      {"min_dim_keep", [](const V& x) { return std::get<0>(x[0].min(0, true)); }},
      {"norm", [](const V& x) { return x[0].norm(); }},
      {"norm_dim", [](const V& x) { return x[0].norm(2, 1); }},
      {"norm_p3_dim", [](const V& x) { return x[0].norm(3, 1); }},
      {"norm_p1", [](const V& x) { return x[0].norm(1); }},
      {"norm_p1_5_keep", [](const V& x) { return x[0].norm(1.5, 0, true); }},
      {"norm_p0_5", [](const V& x) { return x[0].norm(0.5, 1); }},
      {"norm_inf_dim", [](const V& x) { return x[0].norm(INFINITY, 1); }},
      {"clamp_min_fn", [](const V& x) { return x[0].clamp_min(0.25); }},
      {"clamp_max_fn", [](const V& x) { return ts::clamp_max(x[0], 0.25); }},
      {"flip", [](const V& x) { return x[0].flip({0, 1}); }},
      {"fliplr", [](const V& x) { return ts::fliplr(x[0]); }},
      {"roll", [](const V& x) { return x[0].roll({1, -2}, {0, 1}); }},
      {"roll_flat", [](const V& x) { return x[0].roll({5}); }},
      {"repeat", [](const V& x) { return x[0].repeat({2, 1, 3}); }},
      {"repeat_ones", [](const V& x) { return x[0].repeat({1, 1}); }},
      {"tile", [](const V& x) { return x[0].tile({2}); }},
      {"rot90", [](const V& x) { return x[0].rot90(); }},
      {"rot90_2", [](const V& x) { return x[0].rot90(2); }},
      {"rot90_3", [](const V& x) { return x[0].rot90(-1, {1, 0}); }},
      {"tril", [](const V& x) { return x[0].tril(); }},
      {"triu_1", [](const V& x) { return x[0].triu(1); }},
      {"diag_vector", [](const V& x) { return x[0].diag(1); }},
      {"diag_matrix", [](const V& x) { return x[0].diag(-1); }},
      {"trace", [](const V& x) { return x[0].trace(); }},
      {"addmm", [](const V& x) { return ts::addmm(x[0], x[1], x[2], 0.5, 2); }},
      {"linear", [](const V& x) { return ts::nn::functional::linear(x[0], x[1], x[2]); }},
      {"linear_3d", [](const V& x) { return ts::nn::functional::linear(x[0], x[1], x[2]); }},
      {"logsumexp", [](const V& x) { return x[0].logsumexp(1); }},
      {"var", [](const V& x) { return x[0].var(); }},
      {"var_dim", [](const V& x) { return x[0].var(1); }},
      {"std_dim", [](const V& x) { return x[0].std(0, true, true); }},
      {"softmax", [](const V& x) { return x[0].softmax(1); }},
      {"log_softmax", [](const V& x) { return x[0].log_softmax(0); }},
      {"cumsum", [](const V& x) { return x[0].cumsum(1); }},
      {"mm", [](const V& x) { return x[0].mm(x[1]); }},
      {"bmm", [](const V& x) { return x[0].bmm(x[1]); }},
      {"mv", [](const V& x) { return x[0].mv(x[1]); }},
      {"dot", [](const V& x) { return x[0].dot(x[1]); }},
      {"outer", [](const V& x) { return ts::outer(x[0], x[1]); }},
      {"matmul_1d2d", [](const V& x) { return x[0].matmul(x[1]); }},
      {"matmul_3d2d", [](const V& x) { return x[0].matmul(x[1]); }},
      {"matmul_bcast", [](const V& x) { return x[0].matmul(x[1]); }},
      {"einsum_mm", [](const V& x) { return ts::einsum("ij,jk->ik", {x[0], x[1]}); }},
      {"einsum_batch", [](const V& x) { return ts::einsum("bij,bjk->bik", {x[0], x[1]}); }},
      {"einsum_trace", [](const V& x) { return ts::einsum("ii->", {x[0]}); }},
      {"einsum_ellipsis", [](const V& x) { return ts::einsum("...j,j->...", {x[0], x[1]}); }},
      {"view", [](const V& x) { return x[0].view({2, 6}); }},
      {"reshape_copy", [](const V& x) { return x[0].t().reshape({12}); }},
      {"transpose", [](const V& x) { return x[0].transpose(0, 2); }},
      {"permute", [](const V& x) { return x[0].permute({2, 0, 1}); }},
      {"squeeze", [](const V& x) { return x[0].squeeze() * x[0].squeeze(1); }},
      {"unsqueeze", [](const V& x) { return x[0].unsqueeze(1); }},
      {"expand", [](const V& x) { return x[0].expand({2, 3, 4}); }},
      {"flatten", [](const V& x) { return x[0].flatten(1); }},
      {"narrow", [](const V& x) { return x[0].narrow(1, 1, 3); }},
      {"select", [](const V& x) { return x[0][1] * x[0].select(1, 2).slice(0, std::nullopt, 4).sum(); }},
      {"slice_step", [](const V& x) { return x[0].slice(1, 1, std::nullopt, 3); }},
      {"unfold", [](const V& x) { return x[0].unfold(1, 3, 2); }},
      {"as_strided", [](const V& x) { return x[0].as_strided({3, 3}, {1, 1}); }},
      {"diagonal", [](const V& x) { return x[0].diagonal(1); }},
      {"index_tensor", [](const V& x) { return x[0].index({idx({0, 2, 0, 3})}); }},
      {"index_mask", [](const V& x) { return x[0].index({x[0] > 0}); }},
      {"index_select", [](const V& x) { return x[0].index_select(1, idx({2, 0, 2})); }},
      {"gather", [](const V& x) { return x[0].gather(1, idx({0, 0, 3, 1, 2, 2}, {3, 2})); }},
      {"scatter", [](const V& x) { return x[0].scatter(1, idx({0, 1, 3, 1, 2, 0}, {3, 2}), x[1]); }},
      {"scatter_value", [](const V& x) { return x[0].scatter(1, idx({0, 1, 3, 1, 2, 0}, {3, 2}), 1.5); }},
      {"cat", [](const V& x) { return ts::cat({x[0], x[1], x[2]}); }},
      {"stack", [](const V& x) { return ts::stack({x[0], x[1]}, 1); }},
      {"split", [](const V& x) {
         auto p = ts::split(x[0], 2, 1);
         return p[0] * 1 + p[1] * 2 + p[2] * 3;
       }},
      {"chunk", [](const V& x) { return ts::chunk(x[0], 2)[1]; }},
      {"clone", [](const V& x) { return x[0].clone() * x[0].t().contiguous().t(); }},
      {"inplace_chain", [](const V& x) {
         auto y = x[0] * 1;
         y.add_(x[1]);
         y.mul_(2.0);
         y.exp_();
         return y;
       }},
      {"setitem", [](const V& x) {
         auto y = x[0] * 1;
         y[1] = x[1];
         return y;
       }},
      {"index_put", [](const V& x) {
         auto y = x[0] * 1;
         y.index_put_({idx({2, 0})}, x[1]);
         return y;
       }},
      {"masked_fill_", [](const V& x) {
         auto y = x[0] * 1;
         y.masked_fill_(x[0] > 0, 2.0);
         return y;
       }},
      {"mlp_ce", [](const V& x) {
         auto h = (x[0].matmul(x[1]) + x[2]).relu();
         auto logits = h.matmul(x[3]) + x[4];
         return -(logits.log_softmax(1).gather(1, idx({0, 2, 1, 2}, {4, 1})).mean());
       }},
      {"attention", [](const V& x) {
         return (x[0].matmul(x[1].transpose(1, 2)) / 2.0).softmax(-1).matmul(x[2]);
       }},
      {"layer_norm", [](const V& x) {
         auto mu = x[0].mean(-1, true);
         auto var = x[0].var(ts::Shape{-1}, {.correction = 0, .keepdim = true});
         return (x[0] - mu) / (var + 1e-5).sqrt() * x[1] + x[2];
       }},
      {"strided_views", [](const V& x) {
         return x[0].slice(1, std::nullopt, std::nullopt, 2) * x[0].t().slice(0, 1, 4).t().slice(1, std::nullopt, 3) +
                x[0].narrow(1, 1, 3).transpose(0, 1).t();
       }},
  };
  return cases;
}

Tensor<double> read(const std::string& shape, const std::string& values) {
  return ts::from_vector(golden::values<double>(values), ts::Shape(golden::ints(shape)));
}

void check_close(const Tensor<double>& got, const std::vector<double>& want, const std::string& what) {
  const std::vector<double> g = got.to_vector();
  REQUIRE(g.size() == want.size());
  for (size_t i = 0; i < g.size(); ++i) {
    INFO(what << " element " << i << ": got " << g[i] << ", PyTorch " << want[i]);
    CHECK(std::fabs(g[i] - want[i]) <= 1e-12 + 1e-10 * std::fabs(want[i]));
  }
}

}  // namespace

TEST_CASE("gradients match PyTorch's on the whole catalogue") {
  const auto records = golden::load("autograd.txt");
  REQUIRE(records.size() == catalogue().size());
  for (const auto& r : records) {
    SECTION(r.name) {
      INFO("case " << r.name);
      const auto shapes = r.all("input_shape"), values = r.all("input"), grads = r.all("grad");
      std::vector<Tensor<double>> xs;
      for (size_t i = 0; i < shapes.size(); ++i) xs.push_back(read(shapes[i], values[i]).requires_grad_());
      const Tensor<double> out = catalogue().at(r.name)(xs);
      CHECK(out.grad_fn_name() == r.get("grad_fn"));
      REQUIRE(out.sizes() == ts::Shape(golden::ints(r.get("out_shape"))));
      check_close(out.detach(), golden::values<double>(r.get("out")), "output");
      out.backward(read(r.get("out_shape"), r.get("gout")));
      for (size_t i = 0; i < xs.size(); ++i) {
        if (grads[i] == "none") {
          CHECK_FALSE(xs[i].grad().defined());
        } else {
          REQUIRE(xs[i].grad().defined());
          check_close(xs[i].grad(), golden::values<double>(grads[i]), "grad of input " + std::to_string(i));
        }
      }
    }
  }
}

TEST_CASE("gradcheck passes for every differentiable op in the catalogue") {
  // Inputs away from kinks and ties, positive where the op needs it; the records give shapes.
  const auto records = golden::load("autograd.txt");
  const std::set<std::string> skip = {"maximum_ties", "abs", "relu", "prod_zero", "amax", "floor", "sign", "remainder",
                                      "fmod", "index_mask", "masked_fill_", "where", "masked_fill"};
  ts::Generator gen(7);
  for (const auto& r : records) {
    if (skip.count(r.name)) continue;
    SECTION(r.name) {
      std::vector<Tensor<double>> xs;
      for (const auto& shape : r.all("input_shape"))
        xs.push_back((ts::rand<double>(ts::Shape(golden::ints(shape)), gen) + 0.5).requires_grad_());
      CHECK(ts::autograd::gradcheck(catalogue().at(r.name), xs));
    }
  }
}

TEST_CASE("gradgradcheck passes for every differentiable op in the catalogue") {
  // Second derivatives (and derivatives of the gradient with respect to the output gradient) of
  // every op, on the inputs of the gradcheck above.
  const auto records = golden::load("autograd.txt");
  const std::set<std::string> skip = {"maximum_ties", "abs", "relu", "prod_zero", "amax", "floor", "sign", "remainder",
                                      "fmod", "index_mask", "masked_fill_", "where", "masked_fill"};
  ts::Generator gen(11);
  for (const auto& r : records) {
    if (skip.count(r.name)) continue;
    SECTION(r.name) {
      std::vector<Tensor<double>> xs;
      for (const auto& shape : r.all("input_shape"))
        xs.push_back((ts::rand<double>(ts::Shape(golden::ints(shape)), gen) + 0.5).requires_grad_());
      const Tensor<double> grad_output = ts::randn<double>(ts::Shape(golden::ints(r.get("out_shape"))), gen);
      CHECK(ts::autograd::gradgradcheck(catalogue().at(r.name), xs, grad_output));
    }
  }
}

TEST_CASE("second derivatives through create_graph") {
  // gradcheck of x -> d/dx f(x), for the ops the backward itself is built from.
  const std::vector<std::pair<std::string, Fn>> fns = {
      {"mul_add", [](const std::vector<Tensor<double>>& x) { return (x[0] * x[0] * x[1] + x[1]).sum(); }},
      {"div_sub", [](const std::vector<Tensor<double>>& x) { return ((x[0] - x[1]) / x[1]).mean(); }},
      {"exp_log", [](const std::vector<Tensor<double>>& x) { return (x[0].exp() * x[1].log()).sum(); }},
      {"tanh_sigmoid", [](const std::vector<Tensor<double>>& x) { return (x[0].tanh() + x[1].sigmoid()).sum(); }},
      {"pow_sqrt", [](const std::vector<Tensor<double>>& x) { return (x[0].pow(3.0) + x[1].sqrt()).sum(); }},
      {"matmul", [](const std::vector<Tensor<double>>& x) { return x[0].matmul(x[1].t()).pow(2.0).sum(); }},
      {"mean_dim", [](const std::vector<Tensor<double>>& x) { return (x[0] * x[1]).mean(1).pow(2.0).sum(); }},
  };
  ts::Generator gen(3);
  for (const auto& [name, f] : fns) {
    SECTION(name) {
      std::vector<Tensor<double>> xs = {(ts::rand<double>({3, 4}, gen) + 0.5).requires_grad_(),
                                        (ts::rand<double>({3, 4}, gen) + 0.5).requires_grad_()};
      Fn first_derivative = [f = f](const std::vector<Tensor<double>>& x) {
        const auto g = ts::autograd::grad({f(x)}, {x[0], x[1]}, {}, std::nullopt, /*create_graph=*/true);
        return ts::cat({g[0].as<double>().flatten(), g[1].as<double>().flatten()});
      };
      CHECK(ts::autograd::gradcheck(first_derivative, xs));
    }
  }
}

TEST_CASE("the engine's rules") {
  SECTION("gradients accumulate into leaves across backward calls") {
    auto x = ts::tensor({1.0, 2.0, 3.0}, {.requires_grad = true});
    (x * 2).sum().backward();
    (x * x).sum().backward();
    CHECK(x.grad().to_vector() == std::vector<float>{4, 6, 8});
  }
  SECTION("a leaf used twice gets the sum of both paths") {
    auto x = ts::tensor({1.0, 2.0}, {.requires_grad = true});
    (x * x + x.exp()).sum().backward();
    CHECK(x.grad().to_vector() == (x.detach() * 2 + x.detach().exp()).to_vector());
  }
  SECTION("promotion is undone: a float leaf gets a float gradient through double") {
    auto x = ts::tensor({1.0f, 2.0f}, {.requires_grad = true});
    auto w = ts::tensor<double>({0.5, 0.25});
    auto y = (x * w).sum();
    static_assert(std::is_same_v<decltype(y)::value_type, double>);
    y.backward();
    STATIC_REQUIRE(std::is_same_v<decltype(x.grad())::value_type, float>);
    CHECK(x.grad().to_vector() == std::vector<float>{0.5f, 0.25f});
    auto z = x.to<double>().pow(2.0).sum();
    CHECK(z.grad_fn_name() == "SumBackward0");
    z.backward();
    CHECK(x.grad().to_vector() == std::vector<float>{2.5f, 4.25f});
  }
  SECTION("backward needs a gradient for non-scalar outputs, of the output's shape") {
    auto x = ts::ones<float>({3}, {.requires_grad = true});
    CHECK_THROWS_WITH((x * 2).backward(), Catch::Contains("grad can be implicitly created only for scalar outputs"));
    CHECK_THROWS_WITH((x * 2).backward(ts::ones<float>({2})), Catch::Contains("Mismatch in shape"));
    CHECK_THROWS_WITH(ts::ones<float>({1}).backward(), Catch::Contains("does not require grad"));
    (x * 2).backward(ts::tensor({1.0f, 2.0f, 3.0f}));
    CHECK(x.grad().to_vector() == std::vector<float>{2, 4, 6});
  }
  SECTION("saved tensors are freed after backward unless the graph is retained") {
    auto x = ts::tensor({1.0, 2.0}, {.requires_grad = true});
    auto y = (x.exp() * x).sum();
    y.backward(ts::Tensor<float>(), /*retain_graph=*/true);
    y.backward();
    CHECK(x.grad().to_vector() == (x.detach().exp() * (x.detach() + 1) * 2).to_vector());
    CHECK_THROWS_WITH(y.backward(), "backward: " + backward_twice);
  }
  SECTION("retain_grad keeps the gradient of a non-leaf") {
    auto x = ts::tensor({1.0, -2.0}, {.requires_grad = true});
    auto h = x * 3;
    h.retain_grad();
    auto mid = h.relu();
    mid.sum().backward();
    CHECK(h.grad().to_vector() == std::vector<float>{1, 0});
    CHECK_FALSE(mid.grad().defined());
    CHECK(x.grad().to_vector() == std::vector<float>{3, 0});
    CHECK(h.requires_grad());
    CHECK_FALSE(h.is_leaf());
  }
  SECTION("NoGradGuard records nothing, and detach cuts the graph") {
    auto x = ts::tensor({1.0, 2.0}, {.requires_grad = true});
    {
      ts::NoGradGuard no_grad;
      CHECK_FALSE(ts::GradMode::is_enabled());
      auto y = x * 2;
      CHECK_FALSE(y.requires_grad());
      CHECK(y.grad_fn_name().empty());
    }
    CHECK(ts::GradMode::is_enabled());
    auto d = x.detach();
    CHECK_FALSE(d.requires_grad());
    CHECK(d.data_ptr() == x.data_ptr());
    CHECK(ts::to_string((x * 2)) == "tensor([2., 4.], grad_fn=<MulBackward0>)");
    CHECK(ts::to_string(x) == "tensor([1., 2.], requires_grad=True)");
  }
  SECTION("in-place ops: leaves refuse, non-leaves rebase, views of leaves work under NoGradGuard") {
    auto leaf = ts::tensor({1.0, 2.0, 3.0}, {.requires_grad = true});
    CHECK_THROWS_WITH(leaf.add_(1), "a leaf Variable that requires grad is being used in an in-place operation.");
    CHECK_THROWS_WITH(leaf[0].mul_(2), "a view of a leaf Variable that requires grad is being used in an in-place operation.");
    {
      ts::NoGradGuard no_grad;
      leaf[0].mul_(10);
      leaf.add_(1);
    }
    CHECK(leaf.to_vector() == std::vector<float>{11, 3, 4});
    CHECK(leaf.is_leaf());
    auto y = leaf * 1;
    y.mul_(leaf);
    CHECK(y.grad_fn_name() == "MulBackward0");
    y.sum().backward();
    CHECK(leaf.grad().to_vector() == std::vector<float>{22, 6, 8});
  }
  SECTION("an in-place change to a saved tensor throws at backward, naming the node that made it") {
    // PyTorch's words: the saved output of exp; a leaf, made by no node; an input made by the in-place op
    const std::string head = "backward: one of the variables needed for gradient computation has been modified by an "
                             "inplace operation: [torch.FloatTensor [2]]";
    const std::string tail = " is at version 1; expected version 0 instead. Hint: enable anomaly detection to find the "
                             "operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).";
    auto x = ts::tensor({1.0, 2.0}, {.requires_grad = true});
    auto e = x.exp();
    auto y = (e * 2).sum();  // MulBackward0 needs nothing of e, ExpBackward0 needs e itself
    e.add_(1);
    CHECK(error_of([&] { y.backward(); }) == head + ", which is output 0 of ExpBackward0," + tail);
    auto x2 = ts::tensor({1.0, 2.0}, {.requires_grad = true});
    auto z = (x2 * x2).sum();
    {
      ts::NoGradGuard no_grad;
      x2.add_(1);
    }
    CHECK(error_of([&] { z.backward(); }) == head + tail);
    auto m = x * 1;
    auto s = m.sin().sum();  // SinBackward0 saves its input m
    m.mul_(2);
    CHECK(error_of([&] { s.backward(); }) == head + ", which is output 0 of MulBackward0," + tail);
  }
  SECTION("gradients that are zero outside a selection are +0, as PyTorch's (they print as 0., not -0.)") {
    // torch: (x.max() * -1).backward() and (x.clamp(0, 2.5) * -1).sum().backward() give [0., -1., 0.]
    auto x = ts::tensor({1.0, 3.0, 2.0}, {.requires_grad = true});
    (x.max() * -1.0f).backward();
    CHECK(ts::to_string(x.grad()) == "tensor([ 0., -1.,  0.])");
    auto w = ts::tensor({-1.0, 3.0, 2.0}, {.requires_grad = true});
    (w.clamp(0.0, 2.5) * -1.0f).sum().backward();
    CHECK(ts::to_string(w.grad()) == "tensor([ 0.,  0., -1.])");
  }
  SECTION("p-norms where the norm is 0, and of order 0, differentiate as PyTorch's norm_backward") {
    // torch: zeros(3).norm(3) gives [0, 0, 0], [0., 2.].norm(0.5) gives [0, 0.99999994], x.norm(0) no gradient
    auto z = ts::zeros({3}).requires_grad_();
    z.norm(3).backward();
    CHECK(z.grad().to_vector() == std::vector<float>{0, 0, 0});
    auto h = ts::tensor({0.0, 2.0}, {.requires_grad = true});
    h.norm(0.5).backward();
    CHECK(h.grad().to_vector() == std::vector<float>{0, 0x1.fffffep-1f});
    auto c = ts::tensor({1.0, -2.0, 3.0}, {.requires_grad = true});
    const auto count = c.norm(0);
    CHECK(count.grad_fn_name() == "NormBackward1");
    count.backward();
    CHECK_FALSE(c.grad().defined());
  }
  SECTION("writing into a view of a non-leaf rebases the base's history") {
    auto x = ts::tensor({1.0, 2.0, 3.0}, {.requires_grad = true});
    auto v = ts::tensor({5.0}, {.requires_grad = true});
    auto y = x * 2;
    y.narrow(0, 1, 1).copy_(v * 3);
    CHECK(y.grad_fn_name() == "torch::autograd::CopySlices");  // C++'s name; Python prints the class name
    CHECK(ts::to_string(y).ends_with("grad_fn=<CopySlices>)"));
    (y * ts::tensor({1.0, 10.0, 100.0})).sum().backward();
    CHECK(x.grad().to_vector() == std::vector<float>{2, 0, 200});
    CHECK(v.grad().to_vector() == std::vector<float>{30});
  }
  SECTION("autograd::grad leaves .grad alone and reports unused inputs") {
    auto x = ts::tensor({1.0, 2.0}, {.requires_grad = true});
    auto u = ts::tensor({1.0}, {.requires_grad = true});
    auto g = ts::autograd::grad((x * x).sum(), x);
    CHECK(g.to_vector() == std::vector<float>{2, 4});
    CHECK_FALSE(x.grad().defined());
    CHECK_THROWS_WITH(ts::autograd::grad({(x * 2).sum()}, {x, u}), Catch::Contains("appears to not have been used"));
    auto both = ts::autograd::grad({(x * 2).sum()}, {x, u}, {}, std::nullopt, false, /*allow_unused=*/true);
    CHECK_FALSE(both[1].defined());
  }
  SECTION("floor_divide has no derivative, as in PyTorch") {
    auto x = ts::tensor({3.0, 4.0}, {.requires_grad = true});
    auto y = ts::floor_divide(x, 2.0);
    CHECK(y.grad_fn_name() == "torch::autograd::NotImplemented");
    CHECK_THROWS_WITH(y.sum().backward(), "derivative for aten::floor_divide is not implemented");
  }
  SECTION("out= forms refuse inputs that require grad") {
    auto x = ts::ones<float>({2}, {.requires_grad = true});
    auto out = ts::empty<float>({2});
    CHECK_THROWS_WITH(ts::add_out(out, x, x), Catch::Contains("don't support automatic differentiation"));
  }
}

TEST_CASE("backward frees each node's saved tensors as it runs, as PyTorch does") {
  SECTION("an activation saved by the graph dies at backward, while the output still holds the graph") {
    auto x = ts::ones<float>({1000}, {.requires_grad = true});
    auto w = ts::full<float>({1000}, 0.5, {.requires_grad = true});
    std::weak_ptr<ts::detail::TensorImpl> h_impl;
    ts::Storage h_storage;
    Tensor<float> loss;
    {
      const auto h = (x * w).exp();  // ExpBackward0 saves h's bytes, MulBackward0 below saves h
      h_impl = h.impl_ptr();
      h_storage = h.storage();
      loss = (h * w).tanh().sum();
    }
    // Held by: this test, ExpBackward0's saved result, h (saved by MulBackward0).
    CHECK(h_storage.use_count() == 3);
    CHECK_FALSE(h_impl.expired());
    loss.backward();
    CHECK(loss.grad_fn_name() == "SumBackward0");  // the graph itself lives on with its output
    CHECK(h_impl.expired());
    CHECK(h_storage.use_count() == 1);
    CHECK(x.grad().defined());
    CHECK(w.grad().defined());
  }
  SECTION("retain_graph=true keeps them for a second backward, which gives the same gradient") {
    auto x = ts::tensor({0.5, -1.0, 2.0}, {.requires_grad = true});
    std::weak_ptr<ts::detail::TensorImpl> h_impl;
    Tensor<float> y;
    {
      const auto h = x.sigmoid();
      h_impl = h.impl_ptr();
      y = (h * h).sum();
    }
    y.backward({}, /*retain_graph=*/true);
    CHECK_FALSE(h_impl.expired());
    const auto first = x.grad().clone();
    x.set_grad({});
    y.backward();
    CHECK(x.grad().to_vector() == first.to_vector());
    CHECK(h_impl.expired());
    CHECK_THROWS_WITH(y.backward(), "backward: " + backward_twice);
  }
  SECTION("autograd::grad frees them too; retain_graph defaults to create_graph") {
    auto x = ts::tensor({1.0, 2.0}, {.requires_grad = true});
    auto y = (x.exp() * x).sum();
    const auto g1 = ts::autograd::grad(y, x, {}, std::nullopt, /*create_graph=*/true);  // retains
    const auto g2 = ts::autograd::grad(y, x, {}, /*retain_graph=*/true);
    CHECK(g1.detach().to_vector() == g2.to_vector());
    // The first derivative's graph runs through y's nodes, which create_graph kept.
    const auto h = ts::autograd::grad(g1.sum(), x);  // frees them
    const std::vector<float> want = {8.154845237731934f, 29.556224822998047f};  // torch 1.13
    for (size_t i = 0; i < want.size(); ++i) CHECK(h.to_vector()[i] == Approx(want[i]).epsilon(1e-6));
    CHECK_THROWS_WITH(ts::autograd::grad(y, x), "autograd::grad: " + backward_twice);
    CHECK_THROWS_WITH(y.backward(), "backward: " + backward_twice);
    auto x2 = ts::tensor({1.0, 2.0}, {.requires_grad = true});
    auto y2 = (x2.exp() * x2).sum();
    CHECK(ts::autograd::grad(y2, x2).to_vector() == g2.to_vector());  // frees
    CHECK_THROWS_WITH(ts::autograd::grad(y2, x2), "autograd::grad: " + backward_twice);
  }
  SECTION("a second backward throws exactly where PyTorch's nodes saved a tensor") {
    // Results of torch 1.13: y.backward() twice on each expression of x (4 elements).
    const auto o = ts::tensor({2.0f, 3.0f, 4.0f, 5.0f});
    const std::vector<std::tuple<std::string, std::function<Tensor<float>(const Tensor<float>&)>, bool>> cases = {
        {"add_s", [&](const Tensor<float>& x) { return (x + 1).sum(); }, false},
        {"sub_s", [&](const Tensor<float>& x) { return (x - 1).sum(); }, false},
        {"rsub", [&](const Tensor<float>& x) { return (1 - x).sum(); }, false},
        {"mul_s", [&](const Tensor<float>& x) { return (x * 2).sum(); }, true},
        {"rmul_s", [&](const Tensor<float>& x) { return (2 * x).sum(); }, true},
        {"div_s", [&](const Tensor<float>& x) { return (x / 4).sum(); }, true},
        {"pow_0", [&](const Tensor<float>& x) { return x.pow(0.0).sum(); }, true},
        {"add_t", [&](const Tensor<float>& x) { return (x + o).sum(); }, false},
        {"sub_t", [&](const Tensor<float>& x) { return (x - o).sum(); }, false},
        {"mul_t", [&](const Tensor<float>& x) { return (x * o).sum(); }, true},
        {"remainder_t", [&](const Tensor<float>& x) { return ts::remainder(x, o).sum(); }, false},
        {"remainder_s", [&](const Tensor<float>& x) { return ts::remainder(x, 2.0).sum(); }, false},
        {"mean_view_cat", [&](const Tensor<float>& x) { return ts::cat({x.view({2, 2}).t().reshape({4}), x}).mean(); }, false},
        {"neg_sign", [&](const Tensor<float>& x) { return (-x + x.sign()).sum(); }, false},
        {"cumsum", [&](const Tensor<float>& x) { return x.cumsum(0).sum(); }, false},
        {"exp", [&](const Tensor<float>& x) { return x.exp().sum(); }, true},
        {"where", [&](const Tensor<float>& x) { return ts::where(x > 0, x, o).sum(); }, true},
        {"masked_fill", [&](const Tensor<float>& x) { return x.masked_fill(x > 0, 0.0).sum(); }, true},
        {"max_dim", [&](const Tensor<float>& x) { return std::get<0>(x.view({2, 2}).max(1)).sum(); }, true},
        {"index", [&](const Tensor<float>& x) { return x.index({idx({0, 2})}).sum(); }, true},
        {"index_select", [&](const Tensor<float>& x) { return x.index_select(0, idx({3, 1})).sum(); }, true},
        {"gather", [&](const Tensor<float>& x) { return x.gather(0, idx({1, 1})).sum(); }, true},
        {"scatter", [&](const Tensor<float>& x) { return x.scatter(0, idx({0}), 5.0).sum(); }, true},
        {"lerp_s", [&](const Tensor<float>& x) { return ts::lerp(x, o, 0.3).sum(); }, false},
        {"clamp", [&](const Tensor<float>& x) { return x.clamp(-1, 1).sum(); }, true},
        {"mm", [&](const Tensor<float>& x) { return x.view({2, 2}).mm(o.view({2, 2})).sum(); }, true},
        {"softmax", [&](const Tensor<float>& x) { return x.softmax(0)[0]; }, true},
    };
    for (const auto& [name, f, throws] : cases) {
      INFO(name);
      auto x = ts::tensor({1.0f, -2.0f, 3.0f, 0.5f}, {.requires_grad = true});
      const auto y = f(x);
      y.backward();
      if (throws) {
        CHECK_THROWS_WITH(y.backward(), "backward: " + backward_twice);
      } else {
        const auto first = x.grad().clone();
        CHECK_NOTHROW(y.backward());
        CHECK(x.grad().to_vector() == (first * 2).to_vector());
      }
    }
  }
  SECTION("an in-place write into a view frees the op's saved tensors through CopySlices") {
    auto x = ts::tensor({1.0, 2.0, 3.0}, {.requires_grad = true});
    std::weak_ptr<ts::detail::TensorImpl> v_impl;
    Tensor<float> y;
    {
      auto v = x.exp();
      v_impl = v.impl_ptr();
      y = x * 1;
      y.narrow(0, 1, 2).mul_(v.narrow(0, 0, 2));  // MulBackward0 saves the narrowed view of v
    }
    CHECK(y.grad_fn_name() == "torch::autograd::CopySlices");
    CHECK_FALSE(v_impl.expired());  // through the view MulBackward0 saved
    y.sum().backward();
    CHECK(v_impl.expired());
    const std::vector<float> want = {6.436563491821289f, 24.885448455810547f, 7.389056205749512f};  // torch 1.13
    const std::vector<float> got = x.grad().to_vector();
    for (size_t i = 0; i < want.size(); ++i) CHECK(got[i] == Approx(want[i]).epsilon(1e-6));
    CHECK_THROWS_WITH(y.sum().backward(), "backward: " + backward_twice);
  }
}

TEST_CASE("graphs are freed: long chains, and many graphs built and dropped") {
  auto x = ts::ones<float>({4}, {.requires_grad = true});
  {
    auto y = x;
    for (int i = 0; i < 200000; ++i) y = y * 1.0f;  // dropping this chain must not recurse 200000 deep
  }
  std::weak_ptr<ts::detail::Node> node;
  for (int i = 0; i < 100; ++i) {
    auto y = (x.exp() * x).sum();
    node = y.impl().autograd->grad_fn;
    y.backward();
  }
  CHECK(node.expired());
  CHECK(x.grad().defined());
}

TEST_CASE("gradcheck of broadcasting binary ops on random shapes") {
  // Shapes drawn at random, then dims of one side set to 1 or dropped, so every broadcasting
  // pattern (leading dims, size-1 dims on either side) meets every op.
  ts::Generator gen(11);
  std::mt19937 rng(5);
  const std::vector<std::pair<std::string, Fn>> ops = {
      {"add", [](const std::vector<Tensor<double>>& x) { return x[0] + x[1]; }},
      {"sub", [](const std::vector<Tensor<double>>& x) { return x[0] - x[1]; }},
      {"mul", [](const std::vector<Tensor<double>>& x) { return x[0] * x[1]; }},
      {"div", [](const std::vector<Tensor<double>>& x) { return x[0] / x[1]; }},
      {"pow", [](const std::vector<Tensor<double>>& x) { return x[0].pow(x[1]); }},
      {"minimum", [](const std::vector<Tensor<double>>& x) { return ts::minimum(x[0], x[1]); }},
      {"maximum", [](const std::vector<Tensor<double>>& x) { return ts::maximum(x[0], x[1]); }},
      {"lerp", [](const std::vector<Tensor<double>>& x) { return ts::lerp(x[0], x[1], x[1].sigmoid()); }},
      {"where", [](const std::vector<Tensor<double>>& x) { return ts::where(x[1] > 1.0, x[0], x[1]); }},
      {"matmul", [](const std::vector<Tensor<double>>& x) { return x[0].matmul(x[1].transpose(-1, -2)); }},
  };
  for (int trial = 0; trial < 4; ++trial) {
    for (const auto& [name, f] : ops) {
      std::vector<int64_t> a, b;
      const int nd = (name == "matmul" ? 2 : 1) + static_cast<int>(rng() % 2);
      for (int d = 0; d < nd; ++d) a.push_back(1 + static_cast<int64_t>(rng() % 3));
      b = a;
      if (name != "matmul") {
        for (auto& s : b)
          if (rng() % 3 == 0) s = 1;
        if (rng() % 2 && b.size() > 1) b.erase(b.begin());
        if (rng() % 2) std::swap(a, b);
      }
      INFO(name << " " << ts::Shape(a) << " and " << ts::Shape(b));
      std::vector<Tensor<double>> xs = {(ts::rand<double>(ts::Shape(a), gen) + 0.5).requires_grad_(),
                                        (ts::rand<double>(ts::Shape(b), gen) + 0.5).requires_grad_()};
      CHECK(ts::autograd::gradcheck(f, xs));
    }
  }
}

}  // namespace test_autograd
