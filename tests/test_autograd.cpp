// Autograd: gradients against PyTorch's (tests/golden/autograd.txt), finite-difference
// gradchecks, second derivatives, and the engine's rules (accumulation, retain_grad, in-place
// checks, version counters, NoGradGuard, freeing the graph).

#include <functional>

#include "golden.hpp"

using ts::Tensor;
using Fn = std::function<Tensor<double>(const std::vector<Tensor<double>>&)>;

namespace {

Tensor<int64_t> idx(std::vector<int64_t> v, ts::Shape shape) { return ts::from_vector(v, shape); }
Tensor<int64_t> idx(std::vector<int64_t> v) { return idx(v, {static_cast<int64_t>(v.size())}); }

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
      {"norm_dim", [](const V& x) { return x[0].norm(1); }},
      {"logsumexp", [](const V& x) { return x[0].logsumexp(1); }},
      {"var", [](const V& x) { return x[0].var(); }},
      {"var_dim", [](const V& x) { return x[0].var(1); }},
      {"std_dim", [](const V& x) { return x[0].std(0, true); }},
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
         auto var = x[0].var(-1, true, 0);
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
