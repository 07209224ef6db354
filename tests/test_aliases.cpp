// PyTorch's aliases and one-bound forms (ops/elementwise.hpp, ops/join.hpp, ops/view.hpp, Tensor
// methods) and the in-place comparisons against PyTorch 1.13: values, dtypes, gradients and error
// messages from tests/golden/aliases.txt (tests/golden/generate_aliases.py), and gradcheck of each
// differentiable call.

#include <cmath>
#include <functional>
#include <map>

#include "call_cases.hpp"
#include "error_of.hpp"
#include "golden.hpp"

namespace test_aliases {

namespace {

using ts::Shape;
using ts::Tensor;

using call_cases::Part;
using call_cases::Got;
using call_cases::got;
using call_cases::same_values;

/** Equal within a few units in the last place of the dtype (NaN equals NaN). */
bool close_values(const std::vector<double>& a, const std::vector<double>& b, ts::DType dtype) {
  const double ulp = dtype == ts::DType::Float64 ? 0x1p-52 : dtype == ts::DType::Float32 ? 0x1p-23 : 0x1p-7;
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) && std::isnan(b[i])) continue;
    if (std::isnan(a[i]) || std::isnan(b[i]) || std::abs(a[i] - b[i]) > 4 * ulp * std::max(std::abs(b[i]), 1e-300))
      return false;
  }
  return true;
}


// The generator's inputs.
struct Inputs {
  Tensor<float> a = ts::arange<float>(0, 6).reshape({2, 3}) - 2.5f;
  Tensor<int64_t> b = ts::tensor<int64_t>({{1, -2, 3}, {0, 5, -6}});
  Tensor<float> t = a.t();
  Tensor<float> v = ts::tensor({1.0f, NAN, -0.0f, 4.0f});
  Tensor<ts::half> h = ts::tensor({0.5f, -1.5f, 2.0f}).to<ts::half>();
  Tensor<bool> m = ts::tensor({true, false, true});
  Tensor<float> z = ts::tensor(-2.0f);
  Tensor<float> u = ts::tensor({-0.9f, -0.25f, 0.0f, 0.5f, 0.75f, 2.0f, NAN});
  Tensor<float> g = ts::tensor({1.0f, 1.5f, 3.0f, 10.0f, 0.5f});
};

}  // namespace

TEST_CASE("aliases give PyTorch's values and dtypes", "[aliases][golden]") {
  const Inputs in;
  const auto& [a, b, t, v, h, m, z, u, g] = in;
  const auto zf = [](const Shape& s) { return ts::zeros<float>(s); };
  const std::map<std::string, std::function<Got()>> calls = {
      {"torch.absolute(a)", [&] { return got(ts::absolute(a)); }},
      {"b.absolute()", [&] { return got(b.absolute()); }},
      {"a.clone().absolute_()", [&] { return got(a.clone().absolute_()); }},
      {"torch.absolute(h)", [&] { return got(ts::absolute(h)); }},
      {"torch.negative(b)", [&] { return got(ts::negative(b)); }},
      {"a.negative()", [&] { return got(a.negative()); }},
      {"b.clone().negative_()", [&] { return got(b.clone().negative_()); }},
      {"torch.negative(v)", [&] { return got(ts::negative(v)); }},
      {"torch.divide(b, 4)", [&] { return got(ts::divide(b, 4)); }},
      {"torch.divide(a, b)", [&] { return got(ts::divide(a, b)); }},
      {"b.divide(b)", [&] { return got(b.divide(b)); }},
      {"a.clone().divide_(b)", [&] { return got(a.clone().divide_(b)); }},
      {"torch.true_divide(b, 2)", [&] { return got(ts::true_divide(b, 2)); }},
      {"b.true_divide(a)", [&] { return got(b.true_divide(a)); }},
      {"a.clone().true_divide_(2)", [&] { return got(a.clone().true_divide_(2)); }},
      {"torch.multiply(b, 2.5)", [&] { return got(ts::multiply(b, 2.5)); }},
      {"a.multiply(b)", [&] { return got(a.multiply(b)); }},
      {"b.clone().multiply_(3)", [&] { return got(b.clone().multiply_(3)); }},
      {"torch.multiply(m, m)", [&] { return got(ts::multiply(m, m)); }},
      {"torch.subtract(b, a)", [&] { return got(ts::subtract(b, a)); }},
      {"a.subtract(1)", [&] { return got(a.subtract(1)); }},
      {"a.clone().subtract_(b)", [&] { return got(a.clone().subtract_(b)); }},
      {"torch.subtract(h, 1)", [&] { return got(ts::subtract(h, 1)); }},
      {"torch.greater(a, 0)", [&] { return got(ts::greater(a, 0)); }},
      {"torch.greater_equal(b, a)", [&] { return got(ts::greater_equal(b, a)); }},
      {"torch.less(a, b)", [&] { return got(ts::less(a, b)); }},
      {"torch.less_equal(b, 0)", [&] { return got(ts::less_equal(b, 0)); }},
      {"torch.not_equal(b, 0)", [&] { return got(ts::not_equal(b, 0)); }},
      {"a.greater(b)", [&] { return got(a.greater(b)); }},
      {"b.less_equal(1)", [&] { return got(b.less_equal(1)); }},
      {"v.not_equal(v)", [&] { return got(v.not_equal(v)); }},
      {"a.greater_equal(z)", [&] { return got(a.greater_equal(z)); }},
      {"b.clone().greater_(0)", [&] { return got(b.clone().greater_(0)); }},
      {"a.clone().less_(b)", [&] { return got(a.clone().less_(b)); }},
      {"a.clone().less_equal_(-0.5)", [&] { return got(a.clone().less_equal_(-0.5)); }},
      {"b.clone().greater_equal_(a)", [&] { return got(b.clone().greater_equal_(a)); }},
      {"a.clone().not_equal_(z)", [&] { return got(a.clone().not_equal_(z)); }},
      {"a.clone().eq_(b)", [&] { return got(a.clone().eq_(b)); }},
      {"b.clone().ne_(0)", [&] { return got(b.clone().ne_(0)); }},
      {"a.clone().lt_(0.5)", [&] { return got(a.clone().lt_(0.5)); }},
      {"b.clone().le_(a)", [&] { return got(b.clone().le_(a)); }},
      {"a.clone().gt_(b)", [&] { return got(a.clone().gt_(b)); }},
      {"b.clone().ge_(3)", [&] { return got(b.clone().ge_(3)); }},
      {"v.clone().eq_(v)", [&] { return got(v.clone().eq_(v)); }},
      {"h.clone().lt_(1)", [&] { return got(h.clone().lt_(1)); }},
      {"m.clone().ne_(torch.tensor([True, True, False]))",
       [&] { return got(m.clone().ne_(ts::tensor({true, true, false}))); }},
      {"a.clone().logical_and_(b)", [&] { return got(a.clone().logical_and_(b)); }},
      {"b.clone().logical_or_(a)", [&] { return got(b.clone().logical_or_(a)); }},
      {"a.clone().logical_not_()", [&] { return got(a.clone().logical_not_()); }},
      {"b.clone().logical_not_()", [&] { return got(b.clone().logical_not_()); }},
      {"v.clone().logical_not_()", [&] { return got(v.clone().logical_not_()); }},
      {"h.clone().logical_and_(m)", [&] { return got(h.clone().logical_and_(m)); }},
      {"torch.clip(a, -1, 1)", [&] { return got(ts::clip(a, -1, 1)); }},
      {"a.clip(0.5)", [&] { return got(a.clip(0.5)); }},
      {"b.clip(-1, 2.5)", [&] { return got(b.clip(-1, 2.5)); }},
      {"a.clone().clip_(-1, 1)", [&] { return got(a.clone().clip_(-1, 1)); }},
      {"b.clip(max=2)", [&] { return got(b.clip(std::nullopt, 2)); }},
      {"torch.clip(v, -1, 1)", [&] { return got(ts::clip(v, -1, 1)); }},
      {"torch.clamp_min(b, 0)", [&] { return got(ts::clamp_min(b, 0)); }},
      {"torch.clamp_max(a, 0)", [&] { return got(ts::clamp_max(a, 0)); }},
      {"b.clamp_max(2)", [&] { return got(b.clamp_max(2)); }},
      {"b.clamp_min(0.5)", [&] { return got(b.clamp_min(0.5)); }},
      {"a.clone().clamp_min_(0)", [&] { return got(a.clone().clamp_min_(0)); }},
      {"a.clone().clamp_max_(-1)", [&] { return got(a.clone().clamp_max_(-1)); }},
      {"torch.clamp_max(v, 2)", [&] { return got(ts::clamp_max(v, 2)); }},
      {"torch.concat((a, a), 1)", [&] { return got(ts::concat({a, a}, 1)); }},
      {"torch.concat([b, b])", [&] { return got(ts::concat(std::vector<Tensor<int64_t>>{b, b})); }},
      {"torch.concatenate([a, t.t()], -2)", [&] { return got(ts::concatenate({a, t.t()}, -2)); }},
      {"torch.row_stack((v, v))", [&] { return got(ts::row_stack({v, v})); }},
      {"torch.row_stack([a, a])", [&] { return got(ts::row_stack(std::vector<Tensor<float>>{a, a})); }},
      {"torch.ravel(t)", [&] { return got(ts::ravel(t)); }},
      {"a.ravel()", [&] { return got(a.ravel()); }},
      {"z.ravel()", [&] { return got(z.ravel()); }},
      {"a.view_as(torch.zeros(3, 2))", [&] { return got(a.view_as(zf({3, 2}))); }},
      {"t.reshape_as(torch.zeros(6))", [&] { return got(t.reshape_as(zf({6}))); }},
      {"b.view_as(torch.zeros(6, 1))", [&] { return got(b.view_as(zf({6, 1}))); }},
      {"b.byte()", [&] { return got(b.byte()); }},
      {"torch.tensor([0.5, 3.7, 255.]).byte()", [&] { return got(ts::tensor({0.5f, 3.7f, 255.0f}).byte()); }},
      {"m.byte()", [&] { return got(m.byte()); }},
      {"torch.tensor(a.ndimension())", [&] { return got(ts::tensor(a.ndimension())); }},
      {"torch.tensor(z.ndimension())", [&] { return got(ts::tensor(z.ndimension())); }},
      {"torch.tensor(a.nelement())", [&] { return got(ts::tensor(a.nelement())); }},
      {"torch.tensor(torch.zeros(0, 3).nelement())", [&] { return got(ts::tensor(zf({0, 3}).nelement())); }},
      {"torch.asin(u)", [&] { return got(ts::asin(u)); }},
      {"torch.acos(u)", [&] { return got(ts::acos(u)); }},
      {"torch.atan(u)", [&] { return got(ts::atan(u)); }},
      {"torch.sinh(u)", [&] { return got(ts::sinh(u)); }},
      {"torch.cosh(u)", [&] { return got(ts::cosh(u)); }},
      {"torch.asinh(u)", [&] { return got(ts::asinh(u)); }},
      {"torch.acosh(g)", [&] { return got(ts::acosh(g)); }},
      {"torch.atanh(u)", [&] { return got(ts::atanh(u)); }},
      {"u.asin()", [&] { return got(u.asin()); }},
      {"u.double().acos()", [&] { return got(u.to<double>().acos()); }},
      {"b.atan()", [&] { return got(b.atan()); }},
      {"torch.sinh(b)", [&] { return got(ts::sinh(b)); }},
      {"m.cosh()", [&] { return got(m.cosh()); }},
      {"torch.asinh(h.bfloat16())", [&] { return got(ts::asinh(h.to<ts::bfloat16>())); }},
      {"g.bfloat16().acosh()", [&] { return got(g.to<ts::bfloat16>().acosh()); }},
      {"torch.atanh(h.bfloat16())", [&] { return got(ts::atanh(h.to<ts::bfloat16>())); }},
      {"u.clone().asin_()", [&] { return got(u.clone().asin_()); }},
      {"u.clone().acos_()", [&] { return got(u.clone().acos_()); }},
      {"a.clone().atan_()", [&] { return got(a.clone().atan_()); }},
      {"a.clone().sinh_()", [&] { return got(a.clone().sinh_()); }},
      {"a.clone().cosh_()", [&] { return got(a.clone().cosh_()); }},
      {"a.clone().asinh_()", [&] { return got(a.clone().asinh_()); }},
      {"g.clone().acosh_()", [&] { return got(g.clone().acosh_()); }},
      {"u.double().atanh_()", [&] { return got(u.to<double>().atanh_()); }},
      {"torch.arcsin(u)", [&] { return got(ts::arcsin(u)); }},
      {"u.arccos()", [&] { return got(u.arccos()); }},
      {"torch.arctan(b)", [&] { return got(ts::arctan(b)); }},
      {"torch.arcsinh(a)", [&] { return got(ts::arcsinh(a)); }},
      {"g.arccosh()", [&] { return got(g.arccosh()); }},
      {"torch.arctanh(u)", [&] { return got(ts::arctanh(u)); }},
      {"u.clone().arcsin_()", [&] { return got(u.clone().arcsin_()); }},
      {"u.clone().arccos_()", [&] { return got(u.clone().arccos_()); }},
      {"a.clone().arctan_()", [&] { return got(a.clone().arctan_()); }},
      {"a.clone().arcsinh_()", [&] { return got(a.clone().arcsinh_()); }},
      {"g.clone().arccosh_()", [&] { return got(g.clone().arccosh_()); }},
      {"u.clone().arctanh_()", [&] { return got(u.clone().arctanh_()); }},
      {"torch.asin(torch.zeros(0, 2))", [&] { return got(ts::asin(zf({0, 2}))); }},
      {"torch.atan(z)", [&] { return got(ts::atan(z)); }},
      {"torch.broadcast_to(v, (2, 4))", [&] { return got(ts::broadcast_to(v, {2, 4})); }},
      {"a.broadcast_to((3, 2, 3))", [&] { return got(a.broadcast_to({3, 2, 3})); }},
      {"torch.broadcast_to(z, (2,))", [&] { return got(ts::broadcast_to(z, {2})); }},
      {"torch.unbind(a)", [&] { return got(ts::unbind(a)); }},
      {"a.unbind(1)", [&] { return got(a.unbind(1)); }},
      {"torch.unbind(t, -1)", [&] { return got(ts::unbind(t, -1)); }},
      {"torch.unbind(torch.zeros(0, 2), 1)", [&] { return got(ts::unbind(zf({0, 2}), 1)); }},
      {"torch.atleast_1d(z)", [&] { return got(ts::atleast_1d(z)); }},
      {"torch.atleast_1d(v)", [&] { return got(ts::atleast_1d(v)); }},
      {"torch.atleast_2d(z)", [&] { return got(ts::atleast_2d(z)); }},
      {"torch.atleast_2d(v)", [&] { return got(ts::atleast_2d(v)); }},
      {"torch.atleast_2d(a)", [&] { return got(ts::atleast_2d(a)); }},
      {"torch.atleast_3d(z)", [&] { return got(ts::atleast_3d(z)); }},
      {"torch.atleast_3d(v)", [&] { return got(ts::atleast_3d(v)); }},
      {"torch.atleast_3d(a)", [&] { return got(ts::atleast_3d(a)); }},
      {"torch.atleast_3d(a.unsqueeze(0))", [&] { return got(ts::atleast_3d(a.unsqueeze(0))); }},
      {"torch.dstack((a, a))", [&] { return got(ts::dstack({a, a})); }},
      {"torch.dstack([v, v])", [&] { return got(ts::dstack(std::vector<Tensor<float>>{v, v})); }},
      {"torch.dstack((z, z))", [&] { return got(ts::dstack({z, z})); }},
      {"torch.column_stack((v, v))", [&] { return got(ts::column_stack({v, v})); }},
      {"torch.column_stack([a.t(), t, a[0]])", [&] { return got(ts::column_stack({a.t(), t, a[0]})); }},
      {"torch.column_stack((z, z))", [&] { return got(ts::column_stack({z, z})); }},
      {"torch.broadcast_tensors(v, a[:, :1])", [&] { return got(ts::broadcast_tensors<float>({v, a.slice(1, 0, 1)})); }},
      {"torch.broadcast_tensors(z, a)", [&] { return got(ts::broadcast_tensors<float>({z, a})); }},
      {"torch.split_with_sizes(a, [1, 2], 1)", [&] { return got(ts::split_with_sizes(a, {1, 2}, 1)); }},
      {"a.split_with_sizes([2, 0])", [&] { return got(ts::split_with_sizes(a, {2, 0})); }},
      {"torch.fmax(v, torch.tensor([0.5, 2.0, float('nan'), float('nan')]))",
       [&] { return got(ts::fmax(v, ts::tensor({0.5f, 2.0f, NAN, NAN}))); }},
      {"torch.fmin(v, torch.tensor([0.5, 2.0, float('nan'), float('nan')]))",
       [&] { return got(ts::fmin(v, ts::tensor({0.5f, 2.0f, NAN, NAN}))); }},
      {"torch.fmax(b, a)", [&] { return got(ts::fmax(b, a)); }},
      {"b.fmin(a)", [&] { return got(b.fmin(a)); }},
      {"torch.fmax(b, b.flip(0))", [&] { return got(ts::fmax(b, b.flip({0}))); }},
      {"torch.logical_xor(a, b)", [&] { return got(ts::logical_xor(a, b)); }},
      {"b.logical_xor(v[:3])", [&] { return got(b.logical_xor(v.slice(0, 0, 3))); }},
      {"torch.logical_xor(m, m.flip(0))", [&] { return got(ts::logical_xor(m, m.flip({0}))); }},
      {"a.clone().logical_xor_(b)", [&] { return got(a.clone().logical_xor_(b)); }},
      {"torch.isposinf(torch.tensor([1.0, float('inf'), -float('inf'), float('nan')]))",
       [&] { return got(ts::isposinf(ts::tensor({1.0f, INFINITY, -INFINITY, NAN}))); }},
      {"torch.isneginf(torch.tensor([1.0, float('inf'), -float('inf'), float('nan')]))",
       [&] { return got(ts::isneginf(ts::tensor({1.0f, INFINITY, -INFINITY, NAN}))); }},
      {"torch.isposinf(b)", [&] { return got(ts::isposinf(b)); }},
      {"b.isneginf()", [&] { return got(b.isneginf()); }},
      {"torch.isreal(a)", [&] { return got(ts::isreal(a)); }},
      {"b.isreal()", [&] { return got(b.isreal()); }},
      {"torch.tensor(torch.is_signed(a))", [&] { return got(ts::tensor(ts::is_signed(a))); }},
      {"torch.tensor(b.is_signed())", [&] { return got(ts::tensor(b.is_signed())); }},
      {"torch.tensor(b.byte().is_signed())", [&] { return got(ts::tensor(b.byte().is_signed())); }},
      {"torch.tensor(m.is_signed())", [&] { return got(ts::tensor(m.is_signed())); }},
      {"torch.tensor(torch.is_nonzero(z))", [&] { return got(ts::tensor(ts::is_nonzero(z))); }},
      {"torch.tensor(torch.tensor([0]).is_nonzero())", [&] { return got(ts::tensor(ts::tensor({int64_t{0}}).is_nonzero())); }},
      {"torch.tensor(torch.tensor([[float('nan')]]).is_nonzero())",
       [&] { return got(ts::tensor(ts::tensor({NAN}).reshape({1, 1}).is_nonzero())); }},
      {"torch.nansum(v)", [&] { return got(ts::nansum(v)); }},
      {"torch.nansum(b)", [&] { return got(ts::nansum(b)); }},
      {"torch.nansum(v.reshape(2, 2), 1)", [&] { return got(ts::nansum(v.reshape({2, 2}), {1})); }},
      {"torch.nansum(v.reshape(2, 2), (0,), True)", [&] { return got(ts::nansum(v.reshape({2, 2}), {0}, true)); }},
      {"torch.nanmean(v)", [&] { return got(ts::nanmean(v)); }},
      {"torch.nanmean(v.reshape(2, 2), 0)", [&] { return got(ts::nanmean(v.reshape({2, 2}), {0})); }},
      {"torch.nanmean(torch.tensor([float('nan')]))", [&] { return got(ts::nanmean(ts::tensor({NAN}))); }},
      {"torch.nanmean(a.double(), (0, 1), True)", [&] { return got(ts::nanmean(a.to<double>(), {0, 1}, true)); }},
      {"torch.diagflat(v)", [&] { return got(ts::diagflat(v)); }},
      {"a.diagflat(1)", [&] { return got(a.diagflat(1)); }},
      {"torch.diagflat(z, -1)", [&] { return got(ts::diagflat(z, -1)); }},
      {"torch.diagflat(t, -2)", [&] { return got(ts::diagflat(t, -2)); }},
      {"torch.aminmax(a)", [&] { auto [lo, hi] = ts::aminmax(a); return got(std::vector<Tensor<float>>{lo, hi}); }},
      {"torch.aminmax(b, dim=1)", [&] { auto [lo, hi] = ts::aminmax(b, 1); return got(std::vector<Tensor<int64_t>>{lo, hi}); }},
      {"a.aminmax(dim=0, keepdim=True)",
       [&] { auto [lo, hi] = ts::aminmax(a, 0, true); return got(std::vector<Tensor<float>>{lo, hi}); }},
      {"torch.aminmax(v)", [&] { auto [lo, hi] = ts::aminmax(v); return got(std::vector<Tensor<float>>{lo, hi}); }},
      {"torch.inner(a, a)", [&] { return got(ts::inner(a, a)); }},
      {"torch.inner(v, v.flip(0))", [&] { return got(ts::inner(v, v.flip({0}))); }},
      {"torch.inner(a, z)", [&] { return got(ts::inner(a, z)); }},
      {"torch.inner(t, a[:, :2])", [&] { return got(ts::inner(t, a.slice(1, 0, 2))); }},
      {"torch.meshgrid(v, a[0], indexing='ij')", [&] { return got(ts::meshgrid({v, a[0]}, "ij")); }},
      {"torch.meshgrid(v, a[0], indexing='xy')", [&] { return got(ts::meshgrid({v, a[0]}, "xy")); }},
      {"torch.meshgrid(z, v, indexing='ij')", [&] { return got(ts::meshgrid({z, v})); }},
      {"torch.meshgrid(v[:2], a[0], z, indexing='xy')", [&] { return got(ts::meshgrid({v.slice(0, 0, 2), a[0], z}, "xy")); }},
      {"torch.meshgrid(v, indexing='xy')", [&] { return got(ts::meshgrid({v}, "xy")); }},
      {"torch.dist(a, b)", [&] { return got(ts::dist(a, b)); }},
      {"torch.dist(a, torch.zeros(3), 1)", [&] { return got(ts::dist(a, zf({3}), 1)); }},
      {"torch.dist(a, a.flip(0), 0)", [&] { return got(ts::dist(a, a.flip({0}), 0)); }},
      {"torch.dist(a.double(), z, float('inf'))", [&] { return got(ts::dist(a.to<double>(), z, INFINITY)); }},
  };
  call_cases::check_value_cases("aliases.txt", calls, [](const Part& have, const Part& want, const golden::Record& r) {
    // PyTorch's CPU computes these with SLEEF's vector functions (1 ulp), tessera with std::.
    if (r.name.find("sin") != std::string::npos || r.name.find("cos") != std::string::npos ||
        r.name.find("tan") != std::string::npos)
      CHECK(close_values(have.values, want.values, want.dtype));
    else
      CHECK(same_values(have.values, want.values));
  });
}

TEST_CASE("in-place comparisons write into self, not a copy", "[aliases]") {
  const Tensor<float> x = ts::tensor({1.0f, 2.0f, 3.0f});
  const Tensor<float> view = x.slice(0, 1);
  CHECK(&view.gt_(2.5f) == &view);
  CHECK(x.to_vector() == std::vector<float>{1.0f, 0.0f, 1.0f});
  const Tensor<double> leaf = ts::ones<double>({2}).requires_grad_();
  CHECK(!error_of([&] { leaf.eq_(1.0); }).empty());  // a leaf that requires grad refuses in-place ops
}

namespace {
using Fn = call_cases::GradFn;
Tensor<double> S() { return ts::tensor<double>({0.5, std::nan(""), -1.25}); }
const std::map<std::string, Fn>& grad_calls() {
  static const std::map<std::string, Fn> calls = {
      {"torch.absolute(X)", [](const Tensor<double>& x) { return ts::absolute(x); }},
      {"X.negative()", [](const Tensor<double>& x) { return x.negative(); }},
      {"torch.divide(X, 2)", [](const Tensor<double>& x) { return ts::divide(x, 2); }},
      {"torch.divide(X, X + 10)", [](const Tensor<double>& x) { return ts::divide(x, x + 10); }},
      {"X.true_divide(3)", [](const Tensor<double>& x) { return x.true_divide(3); }},
      {"torch.multiply(X, X)", [](const Tensor<double>& x) { return ts::multiply(x, x); }},
      {"X.multiply(2.5)", [](const Tensor<double>& x) { return x.multiply(2.5); }},
      {"torch.subtract(X, X * X)", [](const Tensor<double>& x) { return ts::subtract(x, x * x); }},
      {"X.subtract(1)", [](const Tensor<double>& x) { return x.subtract(1); }},
      {"torch.clip(X, -1, 1)", [](const Tensor<double>& x) { return ts::clip(x, -1, 1); }},
      {"X.clip(0.5)", [](const Tensor<double>& x) { return x.clip(0.5); }},
      {"torch.clamp_min(X, 0)", [](const Tensor<double>& x) { return ts::clamp_min(x, 0); }},
      {"torch.clamp_max(X, 0)", [](const Tensor<double>& x) { return ts::clamp_max(x, 0); }},
      {"X.clamp_max(-1)", [](const Tensor<double>& x) { return x.clamp_max(-1); }},
      {"torch.concat((X, X * 2), 1)", [](const Tensor<double>& x) { return ts::concat({x, x * 2}, 1); }},
      {"torch.concatenate([X, X], 0)", [](const Tensor<double>& x) { return ts::concatenate({x, x}, 0); }},
      {"torch.row_stack((X, X))", [](const Tensor<double>& x) { return ts::row_stack({x, x}); }},
      {"torch.ravel(X.t())", [](const Tensor<double>& x) { return ts::ravel(x.t()); }},
      {"X.ravel()", [](const Tensor<double>& x) { return x.ravel(); }},
      {"X.view_as(torch.zeros(3, 2))", [](const Tensor<double>& x) { return x.view_as(ts::zeros<float>({3, 2})); }},
      {"X.t().reshape_as(torch.zeros(6))", [](const Tensor<double>& x) { return x.t().reshape_as(ts::zeros<float>({6})); }},
      {"torch.asin(X * 0.1)", [](const Tensor<double>& x) { return ts::asin(x * 0.1); }},
      {"torch.acos(X * 0.1)", [](const Tensor<double>& x) { return ts::acos(x * 0.1); }},
      {"torch.atan(X)", [](const Tensor<double>& x) { return ts::atan(x); }},
      {"torch.sinh(X)", [](const Tensor<double>& x) { return ts::sinh(x); }},
      {"torch.cosh(X)", [](const Tensor<double>& x) { return ts::cosh(x); }},
      {"torch.asinh(X)", [](const Tensor<double>& x) { return ts::asinh(x); }},
      {"torch.acosh(X * X + 1.5)", [](const Tensor<double>& x) { return ts::acosh(x * x + 1.5); }},
      {"torch.atanh(X * 0.1)", [](const Tensor<double>& x) { return ts::atanh(x * 0.1); }},
      {"torch.arcsin(X * 0.1)", [](const Tensor<double>& x) { return ts::arcsin(x * 0.1); }},
      {"(X * 0.1).arccos()", [](const Tensor<double>& x) { return (x * 0.1).arccos(); }},
      {"torch.arctan(X)", [](const Tensor<double>& x) { return ts::arctan(x); }},
      {"torch.broadcast_to(X, (2, 3))", [](const Tensor<double>& x) { return ts::broadcast_to(x, {2, 3}); }},
      {"X.unbind(1)[1]", [](const Tensor<double>& x) { return x.unbind(1)[1]; }},
      {"torch.atleast_3d(X)", [](const Tensor<double>& x) { return ts::atleast_3d(x); }},
      {"torch.dstack((X, X * 2))", [](const Tensor<double>& x) { return ts::dstack({x, x * 2}); }},
      {"torch.column_stack((X, X))", [](const Tensor<double>& x) { return ts::column_stack({x, x}); }},
      {"torch.broadcast_tensors(X, S)[0]", [](const Tensor<double>& x) { return ts::broadcast_tensors<double>({x, S()})[0]; }},
      {"torch.split_with_sizes(X, [1, 2], 1)[1]", [](const Tensor<double>& x) { return ts::split_with_sizes(x, {1, 2}, 1)[1]; }},
      {"torch.fmax(X, S)", [](const Tensor<double>& x) { return ts::fmax(x, S()); }},
      {"torch.fmin(X, S)", [](const Tensor<double>& x) { return ts::fmin(x, S()); }},
      {"torch.fmax(X, X.flip(0))", [](const Tensor<double>& x) { return ts::fmax(x, x.flip({0})); }},
      {"torch.nansum(torch.log(X + 1.5))", [](const Tensor<double>& x) { return ts::nansum(ts::log(x + 1.5)); }},
      {"torch.nanmean(X)", [](const Tensor<double>& x) { return ts::nanmean(x); }},
      {"torch.nanmean(X, (1,))", [](const Tensor<double>& x) { return ts::nanmean(x, {1}); }},
      {"torch.dist(X, S.nan_to_num())", [](const Tensor<double>& x) { return ts::dist(x, S().nan_to_num()); }},
      {"torch.dist(X, S.nan_to_num(), 1)", [](const Tensor<double>& x) { return ts::dist(x, S().nan_to_num(), 1); }},
      {"torch.diagflat(X, 1)", [](const Tensor<double>& x) { return ts::diagflat(x, 1); }},
      {"torch.inner(X, X.flip(1))", [](const Tensor<double>& x) { return ts::inner(x, x.flip({1})); }},
      {"torch.meshgrid(X, X[:2] * 2, indexing='xy')[1]",
       [](const Tensor<double>& x) { return ts::meshgrid({x, x.slice(0, 0, 2) * 2}, "xy")[1]; }},
      {"torch.meshgrid(X, X[:2], indexing='ij')[0]",
       [](const Tensor<double>& x) { return ts::meshgrid({x, x.slice(0, 0, 2)}, "ij")[0]; }},
      {"X.arcsinh()", [](const Tensor<double>& x) { return x.arcsinh(); }},
      {"torch.arccosh(X + 5)", [](const Tensor<double>& x) { return ts::arccosh(x + 5); }},
      {"(X * 0.1).arctanh()", [](const Tensor<double>& x) { return (x * 0.1).arctanh(); }},
  };
  return calls;
}
}  // namespace

TEST_CASE("aliases give PyTorch's gradients and pass gradcheck", "[aliases][golden][gradcheck]") {
  call_cases::check_grad_cases("aliases.txt", grad_calls(), 0.1, 0.25);
}

TEST_CASE("aliases refuse what PyTorch refuses", "[aliases][golden]") {
  const Inputs in;
  const auto& [a, b, t, v, h, m, z, u, g] = in;
  const auto zf = [](const Shape& s) { return ts::zeros<float>(s); };
  using Call = call_cases::ErrorCall;
  const std::map<std::string, Call> calls = {
      {"a.clone().eq_(torch.zeros(2, 2, 3))", {"eq_", [&] { a.clone().eq_(ts::zeros<float>({2, 2, 3})); }}},
      {"a.clone().logical_and_(torch.ones(3, 2, 3))",
       {"logical_and_", [&] { a.clone().logical_and_(ts::ones<float>({3, 2, 3})); }}},
      {"a.clone().greater_(torch.zeros(3, 2, 3))", {"gt_", [&] { a.clone().greater_(ts::zeros<float>({3, 2, 3})); }}},
      {"b.clone().divide_(2)", {"div", [&] { b.clone().divide_(2); }}},
      {"b.clone().true_divide_(a)", {"div", [&] { b.clone().true_divide_(a); }}},
      {"b.clone().multiply_(a)", {"mul", [&] { b.clone().multiply_(a); }}},
      {"b.clone().subtract_(1.5)", {"sub", [&] { b.clone().subtract_(1.5); }}},
      {"b.clone().clip_(0.5)", {"clamp_", [&] { b.clone().clip_(0.5); }}},
      {"b.clone().clamp_min_(0.5)", {"clamp_", [&] { b.clone().clamp_min_(0.5); }}},
      {"torch.tensor([1, 2], dtype=torch.int8).clamp_max(300)",
       {"clamp", [&] { ts::tensor<int8_t>({1, 2}).clamp_max(300); }}},
      {"torch.concat((a, b[:, :2].float()), 0)", {"cat", [&] { ts::concat({a, b.slice(1, 0, 2).to<float>()}, 0); }}},
      {"torch.concat((a, a), 2)", {"cat", [&] { ts::concat({a, a}, 2); }}},
      {"b.clone().asin_()", {"asin", [&] { b.clone().asin_(); }}},
      {"b.clone().arccosh_()", {"acosh", [&] { b.clone().arccosh_(); }}},
      {"torch.asin(h)", {"", [&] { ts::asin(h); }}},
      {"h.acos()", {"", [&] { h.acos(); }}},
      {"torch.atan(h)", {"", [&] { ts::atan(h); }}},
      {"h.sinh()", {"", [&] { h.sinh(); }}},
      {"torch.cosh(h)", {"", [&] { ts::cosh(h); }}},
      {"torch.asinh(h)", {"", [&] { ts::asinh(h); }}},
      {"torch.acosh(h)", {"", [&] { ts::acosh(h); }}},
      {"h.clone().atanh_()", {"", [&] { h.clone().atanh_(); }}},
      {"torch.arctanh(h)", {"", [&] { ts::arctanh(h); }}},
      {"torch.inner(a, v)", {"inner", [&] { ts::inner(a, v); }}},
      {"torch.meshgrid(v, v, indexing='foo')", {"meshgrid", [&] { ts::meshgrid({v, v}, "foo"); }}},
      {"torch.unbind(z)", {"unbind", [&] { ts::unbind(z); }}},
      {"torch.unbind(a, 2)", {"unbind", [&] { ts::unbind(a, 2); }}},
      {"torch.is_nonzero(a)", {"is_nonzero", [&] { ts::is_nonzero(a); }}},
      {"torch.is_nonzero(torch.zeros(0))", {"is_nonzero", [&] { ts::is_nonzero(zf({0})); }}},
      {"torch.split_with_sizes(a, [1, 1], 1)", {"split", [&] { ts::split_with_sizes(a, {1, 1}, 1); }}},
      {"torch.column_stack((v, a))", {"column_stack", [&] { ts::column_stack({v, a}); }}},
      {"torch.dstack((v, a))", {"dstack", [&] { ts::dstack({v, a}); }}},
      {"a.view_as(torch.zeros(4))", {"view", [&] { a.view_as(ts::zeros<float>({4})); }}},
      {"t.view_as(torch.zeros(6))", {"view", [&] { t.view_as(ts::zeros<float>({6})); }}},
      {"a.reshape_as(torch.zeros(5))", {"reshape", [&] { a.reshape_as(ts::zeros<float>({5})); }}},
  };
  call_cases::check_error_cases("aliases.txt", calls);
}

}  // namespace test_aliases
