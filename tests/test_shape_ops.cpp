// Shape and indexing functions (ops/view.hpp, ops/creation.hpp, ops/rearrange.hpp,
// ops/selection.hpp, ops/indexing.hpp) against PyTorch 1.13: values, dtypes, gradients and
// error messages from tests/golden/shape.txt (tests/golden/generate_shape.py), gradcheck of each
// differentiable call, and the in-place and device behaviour the golden file cannot show.

#include <cmath>
#include <functional>
#include <map>

#include "call_cases.hpp"
#include "error_of.hpp"
#include "golden.hpp"

namespace test_shape_ops {

namespace {

using ts::Shape;
using ts::Tensor;

using call_cases::Got;
using call_cases::got;
using call_cases::same_values;

// The generator's inputs.
struct Inputs {
  Tensor<float> a = ts::arange<float>(0, 24).reshape({2, 3, 4});
  Tensor<int64_t> b = ts::arange(6).reshape({2, 3});
  Tensor<float> z = ts::tensor(3.0f);
  Tensor<float> v = ts::arange<float>(0, 4);
  Tensor<bool> m = ts::tensor({{true, false, true, false}, {false, false, true, true}, {true, true, false, false}});
  Tensor<ts::half> h = ts::arange<float>(0, 12).reshape({3, 4}).div(4).to<ts::half>();
  Tensor<float> e = ts::zeros<float>({0, 3});
  Tensor<float> t = a.transpose(0, 2);
  Tensor<float> f = ts::tensor({0.0f, NAN, -0.0f, 2.5f, INFINITY});
  Tensor<int8_t> i8 = ts::arange(-3, 3).to<int8_t>();
  Tensor<float> s34 = ts::tensor({{5.0f, -1.0f, 2.0f, 7.0f}, {0.5f, 3.0f, -2.0f, 1.0f}, {4.0f, 4.0f, 6.0f, -3.0f}});
  Tensor<int64_t> n34 = ts::arange(12).reshape({3, 4});
  Tensor<float> x34 = ts::arange<float>(0, 12).reshape({3, 4});
  Tensor<int64_t> ix = ts::tensor({{0, 2, 1, 2}, {1, 0, 0, 2}});
  Tensor<float> src = ts::arange<float>(0, 8).reshape({2, 4}) + 1;
  Tensor<int64_t> srci = ts::arange(8).reshape({2, 4}) + 1;
  Tensor<int64_t> ixs = ts::tensor({{0, 1, 1, 0}, {1, 0, 0, 1}});
  Tensor<double> S = ts::tensor<double>({{0.5, -1.5, 2.0, 1.25}, {3.0, 0.75, -2.5, 1.5}});
  Tensor<double> S3 = ts::tensor<double>({{1.0, -2.0, 0.5, 3.0}, {0.25, 1.5, -1.0, 2.0}, {-0.5, 4.0, 1.0, -3.0}});
  Tensor<double> Z = ts::tensor<double>({{0.0, 2.0, 1.0, 0.0}, {1.5, 0.0, -1.0, 2.0}, {1.0, 1.0, 0.0, 3.0}});
};

// Group 4's inputs: the layouts of gather's and scatter's loops.
struct Layouts {
  Tensor<int64_t> i5 = ts::tensor<int64_t>({4, 0, 4, 2, 0, 4});
  Tensor<float> big = ts::tensor({1e8f, 1.0f, -1e8f, 1.0f, 0.5f, 3.0f});
  Tensor<float> w46 = ts::arange<float>(0, 24).reshape({4, 6}).div(4) - 2;
  Tensor<int64_t> j46 = (ts::arange(24).reshape({4, 6}) * 7).remainder(4);
  Tensor<int64_t> k46 = (ts::arange(24).reshape({4, 6}) * 5).remainder(6);
  Tensor<int64_t> n46 = ts::arange(24).reshape({4, 6}) - 7;
  Tensor<int64_t> j3 = (ts::arange(72).reshape({3, 4, 6}) * 5).remainder(4);
  Tensor<float> w3 = ts::arange<float>(0, 72).reshape({3, 4, 6}).div(8);
  Tensor<int64_t> L = ts::arange(65536).reshape({64, 1024});
  Tensor<int64_t> IL = (L * 7919).remainder(1024);
  Tensor<int64_t> IL0 = (L * 7919).remainder(64);
  Tensor<int64_t> SL = L.remainder(13);
};

/** x.flatten()[::61]: a sample of a large result. */
template <class T>
Tensor<T> every61(const Tensor<T>& x) {
  return x.flatten().slice(0, std::nullopt, std::nullopt, 61);
}

Tensor<int64_t> ints(std::initializer_list<int64_t> values) { return ts::tensor(values); }
Tensor<int64_t> ints2(std::initializer_list<std::initializer_list<int64_t>> values) { return ts::tensor(values); }

}  // namespace

TEST_CASE("shape and selection functions give PyTorch's values and dtypes", "[shape_ops][golden]") {
  const Inputs in;
  const auto& [a, b, z, v, m, h, e, t, f, i8, s34, n34, x34, ix, src, srci, ixs, S, S3, Z] = in;
  const auto bools = [](std::initializer_list<bool> values) { return ts::tensor(values); };
  const auto rng = [](int64_t n) { return ts::arange<float>(0, n); };
  const Layouts lay;
  const auto& [i5, big, w46, j46, k46, n46, j3, w3, L, IL, IL0, SL] = lay;
  const std::map<std::string, std::function<Got()>> calls = {
      // group 1
      {"torch.movedim(a, 0, 2)", [&] { return got(ts::movedim(a, 0, 2)); }},
      {"torch.movedim(a, -1, 0)", [&] { return got(ts::movedim(a, -1, 0)); }},
      {"torch.movedim(a, (0, 1), (2, 0))", [&] { return got(ts::movedim(a, {0, 1}, {2, 0})); }},
      {"torch.moveaxis(t, (2,), (0,))", [&] { return got(ts::moveaxis(t, Shape{2}, Shape{0})); }},
      {"a.movedim(1, 1)", [&] { return got(a.movedim(1, 1)); }},
      {"torch.movedim(z, 0, 0)", [&] { return got(ts::movedim(z, 0, 0)); }},
      {"torch.movedim(b, (0, 1), (1, 0))", [&] { return got(b.moveaxis({0, 1}, {1, 0})); }},
      {"torch.swapaxes(a, 0, 2)", [&] { return got(ts::swapaxes(a, 0, 2)); }},
      {"a.swapdims(-1, 1)", [&] { return got(a.swapdims(-1, 1)); }},
      {"torch.swapdims(m, 0, 1)", [&] { return got(ts::swapdims(m, 0, 1)); }},
      {"z.swapaxes(0, -1)", [&] { return got(z.swapaxes(0, -1)); }},
      {"a.unflatten(1, (3, 1))", [&] { return got(a.unflatten(1, {3, 1})); }},
      {"a.unflatten(2, (-1, 2))", [&] { return got(a.unflatten(2, {-1, 2})); }},
      {"a.unflatten(-1, (2, 1, 2))", [&] { return got(ts::unflatten(a, -1, {2, 1, 2})); }},
      {"e.unflatten(1, (1, 3))", [&] { return got(e.unflatten(1, {1, 3})); }},
      {"t.unflatten(0, (2, 2))", [&] { return got(t.unflatten(0, {2, 2})); }},
      {"b.unflatten(1, (-1,))", [&] { return got(b.unflatten(1, {-1})); }},
      {"a.narrow_copy(2, 1, 2)", [&] { return got(a.narrow_copy(2, 1, 2)); }},
      {"a.narrow_copy(0, -1, 1)", [&] { return got(a.narrow_copy(0, -1, 1)); }},
      {"t.narrow_copy(1, 1, 2)", [&] { return got(t.narrow_copy(1, 1, 2)); }},
      {"b.narrow_copy(1, 0, 0)", [&] { return got(b.narrow_copy(1, 0, 0)); }},
      {"torch.narrow_copy(h, 1, 2, 2)", [&] { return got(ts::narrow_copy(h, 1, 2, 2)); }},
      {"a.T", [&] { return got(a.numpy_T()); }},
      {"b.T", [&] { return got(b.numpy_T()); }},
      {"v.T", [&] { return got(v.numpy_T()); }},
      {"z.T", [&] { return got(z.numpy_T()); }},
      {"t.T", [&] { return got(t.numpy_T()); }},
      {"a.mT", [&] { return got(a.mT()); }},
      {"b.mT", [&] { return got(b.mT()); }},
      {"z.mT", [&] { return got(z.mT()); }},
      {"a.mH", [&] { return got(a.mH()); }},
      {"m.mH", [&] { return got(m.mH()); }},
      {"t.mT", [&] { return got(t.mT()); }},
      {"a.new_zeros((2, 1))", [&] { return got(a.new_zeros({2, 1})); }},
      {"b.new_ones((3,))", [&] { return got(b.new_ones({3})); }},
      {"a.new_full((2,), 7)", [&] { return got(a.new_full({2}, 7)); }},
      {"b.new_full((2, 2), 2.7)", [&] { return got(b.new_full({2, 2}, 2.7)); }},
      {"torch.arange(3, dtype=torch.uint8).new_full((2,), -1)",
       [&] { return got(ts::arange(3).to<uint8_t>().new_full({2}, -1)); }},
      {"m.new_full((2,), 5)", [&] { return got(m.new_full({2}, 5)); }},
      {"h.new_full((1,), 0.1)", [&] { return got(h.new_full({1}, 0.1)); }},
      {"a.new_zeros(())", [&] { return got(a.new_zeros({})); }},
      {"b.new_ones((0, 2))", [&] { return got(b.new_ones({0, 2})); }},
      {"torch.diagonal(a)", [&] { return got(ts::diagonal(a)); }},
      {"torch.diagonal(a, 1, 2, 0)", [&] { return got(ts::diagonal(a, 1, 2, 0)); }},
      {"torch.diagonal(t, -1, -1, -2)", [&] { return got(ts::diagonal(t, -1, -1, -2)); }},
      {"torch.diag_embed(torch.arange(6.).reshape(2, 3))", [&] { return got(ts::diag_embed(rng(6).reshape({2, 3}))); }},
      {"torch.diag_embed(torch.arange(6.).reshape(2, 3), 1, 0, 2)",
       [&] { return got(ts::diag_embed(rng(6).reshape({2, 3}), 1, 0, 2)); }},
      {"torch.diag_embed(v, -2)", [&] { return got(v.diag_embed(-2)); }},
      {"torch.diag_embed(b, 0, -1, 0)", [&] { return got(ts::diag_embed(b, 0, -1, 0)); }},
      {"torch.diag_embed(m[0])", [&] { return got(ts::diag_embed(m[0])); }},
      {"torch.diag_embed(t, 1)", [&] { return got(ts::diag_embed(t, 1)); }},
      {"torch.diag_embed(e)", [&] { return got(ts::diag_embed(e)); }},
      // group 2
      {"torch.nonzero(m)", [&] { return got(ts::nonzero(m)); }},
      {"torch.nonzero(z)", [&] { return got(ts::nonzero(z)); }},
      {"torch.nonzero(torch.tensor(0.))", [&] { return got(ts::nonzero(ts::tensor(0.0f))); }},
      {"torch.nonzero(e)", [&] { return got(ts::nonzero(e)); }},
      {"torch.nonzero(f)", [&] { return got(ts::nonzero(f)); }},
      {"torch.nonzero(i8)", [&] { return got(ts::nonzero(i8)); }},
      {"t.nonzero()", [&] { return got(t.nonzero()); }},
      {"torch.nonzero(b > 2)", [&] { return got(ts::nonzero(b > 2)); }},
      {"torch.nonzero(h)", [&] { return got(ts::nonzero(h)); }},
      {"torch.nonzero(m, as_tuple=True)", [&] { return got(ts::nonzero_numpy(m)); }},
      {"torch.nonzero(z, as_tuple=True)", [&] { return got(z.nonzero_numpy()); }},
      {"torch.nonzero(torch.tensor(0), as_tuple=True)", [&] { return got(ts::nonzero_numpy(ts::tensor(0))); }},
      {"torch.nonzero(e, as_tuple=True)", [&] { return got(ts::nonzero_numpy(e)); }},
      {"torch.argwhere(m)", [&] { return got(ts::argwhere(m)); }},
      {"torch.argwhere(z)", [&] { return got(z.argwhere()); }},
      {"torch.argwhere(t - 5)", [&] { return got(ts::argwhere(t - 5)); }},
      {"torch.where(m)", [&] { return got(ts::where(m)); }},
      {"torch.where(b)", [&] { return got(ts::where(b)); }},
      {"torch.where(z)", [&] { return got(ts::where(z)); }},
      {"a.masked_select(m)", [&] { return got(a.masked_select(m)); }},
      {"torch.masked_select(a, m[0])", [&] { return got(ts::masked_select(a, m[0])); }},
      {"torch.masked_select(z, torch.tensor(True))", [&] { return got(ts::masked_select(z, ts::tensor(true))); }},
      {"torch.masked_select(v, m)", [&] { return got(ts::masked_select(v, m)); }},
      {"torch.masked_select(b, torch.tensor([True, False, True]))",
       [&] { return got(ts::masked_select(b, ts::tensor({true, false, true}))); }},
      {"torch.masked_select(t, torch.tensor([True, False]))", [&] { return got(ts::masked_select(t, ts::tensor({true, false}))); }},
      {"torch.masked_select(h, m)", [&] { return got(ts::masked_select(h, m)); }},
      {"torch.masked_select(e, torch.tensor(True))", [&] { return got(ts::masked_select(e, ts::tensor(true))); }},
      {"m.masked_select(m)", [&] { return got(m.masked_select(m)); }},
      {"torch.zeros(3, 4).masked_scatter(m, torch.arange(10.))",
       [&] { return got(ts::zeros<float>({3, 4}).masked_scatter(m, rng(10))); }},
      {"torch.zeros(3, 4).masked_scatter(m[0], torch.arange(10.))",
       [&] { return got(ts::zeros<float>({3, 4}).masked_scatter(m[0], rng(10))); }},
      {"torch.zeros(4).masked_scatter(m, torch.arange(12.).reshape(3, 4))",
       [&] { return got(ts::masked_scatter(ts::zeros<float>({4}), m, rng(12).reshape({3, 4}))); }},
      {"n34.masked_scatter(m, -n34)", [&] { return got(n34.masked_scatter(m, -n34)); }},
      {"torch.masked_scatter(a, m, -t)", [&] { return got(ts::masked_scatter(a, m, -t)); }},
      {"torch.zeros(2, 2, dtype=torch.bool).masked_scatter(torch.tensor([True, False]), torch.tensor([True, True]))",
       [&] { return got(ts::zeros<bool>({2, 2}).masked_scatter(ts::tensor({true, false}), ts::tensor({true, true}))); }},
      {"a.take(torch.tensor([[0, 23], [-1, -24]]))", [&] { return got(a.take(ints2({{0, 23}, {-1, -24}}))); }},
      {"torch.take(t, torch.tensor([1, 2, 3]))", [&] { return got(ts::take(t, ints({1, 2, 3}))); }},
      {"z.take(torch.tensor([0, -1]))", [&] { return got(z.take(ints({0, -1}))); }},
      {"torch.take(b, torch.tensor(5))", [&] { return got(ts::take(b, ts::tensor(int64_t{5}))); }},
      {"torch.take(m, torch.tensor([[0], [5]]))", [&] { return got(ts::take(m, ints2({{0}, {5}}))); }},
      {"torch.take(a, torch.zeros(0, dtype=torch.long))", [&] { return got(ts::take(a, ts::zeros<int64_t>({0}))); }},
      {"torch.take_along_dim(a, torch.tensor([[[0], [3], [1]]]), 2)",
       [&] { return got(ts::take_along_dim(a, ts::tensor({{{int64_t{0}}, {int64_t{3}}, {int64_t{1}}}}), 2)); }},
      {"torch.take_along_dim(a, torch.tensor([5, 1]))", [&] { return got(ts::take_along_dim(a, ints({5, 1}))); }},
      {"torch.take_along_dim(s34, torch.argsort(s34, 1), 1)",
       [&] { return got(ts::take_along_dim(s34, ts::argsort(s34, 1), 1)); }},
      {"torch.take_along_dim(s34, torch.argmax(s34, 0, keepdim=True), 0)",
       [&] { return got(s34.take_along_dim(s34.argmax(0, true), 0)); }},
      {"torch.take_along_dim(t, torch.tensor([[[1, 0]]]), -1)",
       [&] { return got(ts::take_along_dim(t, ts::tensor({{{int64_t{1}, int64_t{0}}}}), -1)); }},
      {"torch.take_along_dim(b, torch.tensor([[2], [0]]), 1)", [&] { return got(ts::take_along_dim(b, ints2({{2}, {0}}), 1)); }},
      {"torch.take_along_dim(z, torch.tensor(0))", [&] { return got(ts::take_along_dim(z, ts::tensor(int64_t{0}))); }},
      {"torch.take_along_dim(s34, torch.tensor([[0], [2]]), 0)", [&] { return got(ts::take_along_dim(s34, ints2({{0}, {2}}), 0)); }},
      {"torch.take_along_dim(torch.tensor([1., 2., 3.]).reshape(3, 1), torch.tensor([[0, 2, 1]]), 0)",
       [&] { return got(ts::take_along_dim(ts::tensor({1.0f, 2.0f, 3.0f}).reshape({3, 1}), ints2({{0, 2, 1}}), 0)); }},
      {"torch.repeat_interleave(torch.tensor([1, 0, 2]))", [&] { return got(ts::repeat_interleave(ints({1, 0, 2}))); }},
      {"torch.repeat_interleave(torch.tensor([0, 0]))", [&] { return got(ts::repeat_interleave(ints({0, 0}))); }},
      {"torch.repeat_interleave(torch.tensor([2, 1]), output_size=3)",
       [&] { return got(ts::repeat_interleave(ints({2, 1}), std::optional<int64_t>(3))); }},
      {"v.repeat_interleave(2)", [&] { return got(v.repeat_interleave(2)); }},
      {"a.repeat_interleave(2, 1)", [&] { return got(a.repeat_interleave(2, 1)); }},
      {"a.repeat_interleave(torch.tensor([1, 0, 2]), 1)", [&] { return got(a.repeat_interleave(ints({1, 0, 2}), 1)); }},
      {"a.repeat_interleave(torch.tensor([2]), 1)", [&] { return got(a.repeat_interleave(ints({2}), 1)); }},
      {"a.repeat_interleave(torch.tensor(2), -1)", [&] { return got(a.repeat_interleave(ts::tensor(int64_t{2}), -1)); }},
      {"z.repeat_interleave(3)", [&] { return got(z.repeat_interleave(3)); }},
      {"a.repeat_interleave(torch.tensor([1, 0, 2]), 1, output_size=3)",
       [&] { return got(a.repeat_interleave(ints({1, 0, 2}), 1, 3)); }},
      {"v.repeat_interleave(torch.tensor([1, 2, 3, 4]))", [&] { return got(v.repeat_interleave(ints({1, 2, 3, 4}))); }},
      {"torch.repeat_interleave(b, 2)", [&] { return got(ts::repeat_interleave(b, 2)); }},
      {"torch.repeat_interleave(m, torch.tensor([1, 0, 3]), 0)", [&] { return got(ts::repeat_interleave(m, ints({1, 0, 3}), 0)); }},
      {"t.repeat_interleave(0, 1)", [&] { return got(t.repeat_interleave(0, 1)); }},
      {"torch.repeat_interleave(h, 2, 0, output_size=6)", [&] { return got(ts::repeat_interleave(h, 2, 0, 6)); }},
      // group 3
      {"x34.scatter_reduce(0, ix, src, 'sum')", [&] { return got(x34.scatter_reduce(0, ix, src, "sum")); }},
      {"x34.scatter_reduce(0, ix, src, 'sum', include_self=False)", [&] { return got(x34.scatter_reduce(0, ix, src, "sum", false)); }},
      {"x34.scatter_reduce(0, ix, src, 'prod')", [&] { return got(ts::scatter_reduce(x34, 0, ix, src, "prod")); }},
      {"x34.scatter_reduce(0, ix, src, 'prod', include_self=False)", [&] { return got(x34.scatter_reduce(0, ix, src, "prod", false)); }},
      {"x34.scatter_reduce(0, ix, src, 'mean')", [&] { return got(x34.scatter_reduce(0, ix, src, "mean")); }},
      {"x34.scatter_reduce(0, ix, src, 'mean', include_self=False)", [&] { return got(x34.scatter_reduce(0, ix, src, "mean", false)); }},
      {"x34.scatter_reduce(0, ix, src, 'amax')", [&] { return got(x34.scatter_reduce(0, ix, src, "amax")); }},
      {"x34.scatter_reduce(0, ix, -src, 'amax', include_self=False)", [&] { return got(x34.scatter_reduce(0, ix, -src, "amax", false)); }},
      {"x34.scatter_reduce(0, ix, src, 'amin')", [&] { return got(x34.scatter_reduce(0, ix, src, "amin")); }},
      {"x34.scatter_reduce(0, ix, -src, 'amin', include_self=False)", [&] { return got(x34.scatter_reduce(0, ix, -src, "amin", false)); }},
      {"n34.scatter_reduce(0, ix, srci, 'mean')", [&] { return got(n34.scatter_reduce(0, ix, srci, "mean")); }},
      {"n34.scatter_reduce(0, ix, -srci, 'mean')", [&] { return got(n34.scatter_reduce(0, ix, -srci, "mean")); }},
      {"n34.scatter_reduce(0, ix, -srci, 'mean', include_self=False)", [&] { return got(n34.scatter_reduce(0, ix, -srci, "mean", false)); }},
      {"n34.scatter_reduce(1, ix.T[:3, :2], -srci.T[:3, :2], 'amax', include_self=False)",
       [&] { return got(n34.scatter_reduce(1, ix.t().slice(0, 0, 3).slice(1, 0, 2), -srci.t().slice(0, 0, 3).slice(1, 0, 2), "amax", false)); }},
      {"torch.ones(3, dtype=torch.uint8).scatter_reduce(0, torch.tensor([0, 0, 1]), torch.tensor([1, 2, 4]).byte(), 'mean', include_self=False)",
       [&] { return got(ts::ones<uint8_t>({3}).scatter_reduce(0, ints({0, 0, 1}), ints({1, 2, 4}).to<uint8_t>(), "mean", false)); }},
      {"torch.tensor([1., float('nan'), 0.]).scatter_reduce(0, torch.tensor([0, 0, 1]), torch.tensor([float('nan'), 2., 1.]), 'amax')",
       [&] { return got(ts::tensor({1.0f, NAN, 0.0f}).scatter_reduce(0, ints({0, 0, 1}), ts::tensor({NAN, 2.0f, 1.0f}), "amax")); }},
      {"torch.zeros(3, dtype=torch.bool).scatter_reduce(0, torch.tensor([0, 0, 1]), torch.tensor([True, False, True]), 'sum')",
       [&] { return got(ts::zeros<bool>({3}).scatter_reduce(0, ints({0, 0, 1}), bools({true, false, true}), "sum")); }},
      {"torch.zeros(3, dtype=torch.bool).scatter_reduce(0, torch.tensor([0, 0, 1]), torch.tensor([True, False, True]), 'amin', include_self=False)",
       [&] { return got(ts::zeros<bool>({3}).scatter_reduce(0, ints({0, 0, 1}), bools({true, false, true}), "amin", false)); }},
      {"torch.zeros(3, dtype=torch.float16).scatter_reduce(0, torch.tensor([0, 0, 1]), torch.tensor([1., 2., 3.]).half(), 'mean')",
       [&] { return got(ts::zeros<ts::half>({3}).scatter_reduce(0, ints({0, 0, 1}), ts::tensor({1.0f, 2.0f, 3.0f}).to<ts::half>(), "mean")); }},
      {"torch.scatter_reduce(t, 2, torch.tensor([[[1], [0], [1]]]), -t[:1, :, :1], 'prod')",
       [&] { return got(ts::scatter_reduce(t, 2, ints({1, 0, 1}).reshape({1, 3, 1}), -t.slice(0, 0, 1).slice(2, 0, 1), "prod")); }},
      {"torch.tensor(3.).scatter_reduce(0, torch.tensor(0), torch.tensor(2.), 'prod')",
       [&] { return got(z.scatter_reduce(0, ts::tensor(int64_t{0}), ts::tensor(2.0f), "prod")); }},
      {"x34.scatter_reduce(1, torch.zeros(3, 0, dtype=torch.long), src, 'amax')",
       [&] { return got(x34.scatter_reduce(1, ts::zeros<int64_t>({3, 0}), src, "amax")); }},
      {"x34.scatter(0, ix, src, reduce='add')", [&] { return got(x34.scatter(0, ix, src, "add")); }},
      {"x34.scatter(0, ix, src, reduce='multiply')", [&] { return got(ts::scatter(x34, 0, ix, src, "multiply")); }},
      {"x34.scatter(0, ix, 2.0, reduce='multiply')", [&] { return got(x34.scatter(0, ix, 2.0, "multiply")); }},
      {"n34.scatter(1, ix[:, :2], 5, reduce='add')", [&] { return got(ts::scatter(n34, 1, ix.slice(1, 0, 2), 5, "add")); }},
      {"x34.index_add(0, torch.tensor([0, 2, 0]), torch.ones(3, 4), alpha=2)",
       [&] { return got(x34.index_add(0, ints({0, 2, 0}), ts::ones<float>({3, 4}), 2)); }},
      {"n34.index_add(1, torch.tensor([0, 3]), torch.ones(3, 2, dtype=torch.long), alpha=2)",
       [&] { return got(ts::index_add(n34, 1, ints({0, 3}), ts::ones<int64_t>({3, 2}), 2)); }},
      {"x34.index_add(0, torch.tensor([0, 1]), torch.ones(2, 4), alpha=1.5)",
       [&] { return got(x34.index_add(0, ints({0, 1}), ts::ones<float>({2, 4}), 1.5)); }},
      {"n34.index_add(0, torch.tensor([0, 1]), torch.ones(2, 4).long(), alpha=1.5)",
       [&] { return got(n34.index_add(0, ints({0, 1}), ts::ones<int64_t>({2, 4}), 1.5)); }},
      {"torch.tensor(3.).index_add(0, torch.tensor([0, 0]), torch.tensor([1., 2.]))",
       [&] { return got(z.index_add(0, ints({0, 0}), ts::tensor({1.0f, 2.0f}))); }},
      {"torch.index_add(t, 1, torch.tensor([2, 2]), torch.ones(4, 2, 2))",
       [&] { return got(ts::index_add(t, 1, ints({2, 2}), ts::ones<float>({4, 2, 2}))); }},
      {"h.index_add(1, torch.tensor([3]), h[:, :1])", [&] { return got(h.index_add(1, ints({3}), h.slice(1, 0, 1))); }},
      {"x34.index_copy(0, torch.tensor([2, 0]), torch.ones(2, 4))", [&] { return got(x34.index_copy(0, ints({2, 0}), ts::ones<float>({2, 4}))); }},
      {"x34.index_copy(0, torch.tensor([0, 0]), torch.arange(8.).reshape(2, 4))",
       [&] { return got(x34.index_copy(0, ints({0, 0}), rng(8).reshape({2, 4}))); }},
      {"torch.index_copy(t, 2, torch.tensor([1]), -t[:, :, :1])",
       [&] { return got(ts::index_copy(t, 2, ints({1}), -t.slice(2, 0, 1))); }},
      {"m.index_copy(1, torch.tensor([1, 0]), m[:, 2:])", [&] { return got(m.index_copy(1, ints({1, 0}), m.slice(1, 2))); }},
      {"torch.tensor(3.).index_copy(0, torch.tensor([0]), torch.tensor([7.]))",
       [&] { return got(z.index_copy(0, ints({0}), ts::tensor({7.0f}))); }},
      {"x34.index_fill(1, torch.tensor([0, 2]), -1)", [&] { return got(x34.index_fill(1, ints({0, 2}), -1)); }},
      {"x34.index_fill(1, torch.tensor([0, -1]), -1)", [&] { return got(x34.index_fill(1, ints({0, -1}), -1)); }},
      {"n34.index_fill(1, torch.tensor([0, 2]), 2.5)", [&] { return got(n34.index_fill(1, ints({0, 2}), 2.5)); }},
      {"torch.index_fill(t, 0, torch.tensor(3), 9)", [&] { return got(ts::index_fill(t, 0, ts::tensor(int64_t{3}), 9)); }},
      {"torch.ones(3).bool().index_fill(0, torch.tensor([1]), False)",
       [&] { return got(ts::ones<bool>({3}).index_fill(0, ints({1}), false)); }},
      {"torch.tensor(3.).index_fill(0, torch.tensor([0, 0]), 1)", [&] { return got(z.index_fill(0, ints({0, 0}), 1)); }},
      {"e.index_fill(1, torch.tensor([2]), 1)", [&] { return got(e.index_fill(1, ints({2}), 1)); }},
      {"n34.index_fill(1, torch.tensor([0]), torch.tensor(2.5))", [&] { return got(n34.index_fill(1, ints({0}), ts::tensor(2.5))); }},
      {"x34.index_fill(0, torch.tensor([2, 0]), torch.tensor(-3, dtype=torch.int8))",
       [&] { return got(ts::index_fill(x34, 0, ints({2, 0}), ts::tensor<int8_t>(-3))); }},
      // group 4
      {"torch.zeros(5).scatter_add(0, i5, big)", [&] { return got(ts::zeros<float>({5}).scatter_add(0, i5, big)); }},
      {"torch.zeros(5).scatter(0, i5, big)", [&] { return got(ts::zeros<float>({5}).scatter(0, i5, big)); }},
      {"torch.arange(5.).gather(0, i5)", [&] { return got(ts::arange<float>(0, 5).gather(0, i5)); }},
      {"torch.zeros(4, 6).scatter_add(1, k46, w46)", [&] { return got(ts::zeros<float>({4, 6}).scatter_add(1, k46, w46)); }},
      {"torch.zeros(4, 6).scatter_add(0, j46, w46)", [&] { return got(ts::zeros<float>({4, 6}).scatter_add(0, j46, w46)); }},
      {"torch.zeros(3, 4, 6).scatter_add(1, j3, w3)", [&] { return got(ts::zeros<float>({3, 4, 6}).scatter_add(1, j3, w3)); }},
      {"torch.zeros(3, 4, 6).scatter_add(2, j3, w3)", [&] { return got(ts::zeros<float>({3, 4, 6}).scatter_add(2, j3, w3)); }},
      {"torch.zeros(4, 6).scatter_add(1, k46[:, :3], w46)",
       [&] { return got(ts::zeros<float>({4, 6}).scatter_add(1, k46.slice(1, 0, 3), w46)); }},
      {"torch.zeros(5, 6).scatter_add(1, k46[:3], w46)",
       [&] { return got(ts::zeros<float>({5, 6}).scatter_add(1, k46.slice(0, 0, 3), w46)); }},
      {"torch.zeros(4, 6).scatter_add(0, j46[:2, 1:], w46)",
       [&] { return got(ts::zeros<float>({4, 6}).scatter_add(0, j46.slice(0, 0, 2).slice(1, 1), w46)); }},
      {"torch.zeros(6, 4).scatter_add(0, k46.T, w46.T)",
       [&] { return got(ts::zeros<float>({6, 4}).scatter_add(0, k46.t(), w46.t())); }},
      {"torch.zeros(6, 4).T.scatter_add(1, k46, w46)", [&] { return got(ts::zeros<float>({6, 4}).t().scatter_add(1, k46, w46)); }},
      {"torch.zeros(4, 12)[:, ::2].scatter_add_(1, k46, w46)",
       [&] { return got(ts::zeros<float>({4, 12}).slice(1, std::nullopt, std::nullopt, 2).scatter_add_(1, k46, w46)); }},
      {"torch.zeros(4, 6).scatter(1, k46, 2.5)", [&] { return got(ts::zeros<float>({4, 6}).scatter(1, k46, 2.5)); }},
      {"torch.zeros(4, 6).scatter(0, j46, w46)", [&] { return got(ts::zeros<float>({4, 6}).scatter(0, j46, w46)); }},
      {"n46.scatter(1, k46, -n46)", [&] { return got(n46.scatter(1, k46, -n46)); }},
      {"torch.zeros(4, 6).scatter_reduce(0, j46, w46, 'amax')",
       [&] { return got(ts::zeros<float>({4, 6}).scatter_reduce(0, j46, w46, "amax")); }},
      {"torch.ones(4, 6).scatter_reduce(1, k46, w46, 'prod')",
       [&] { return got(ts::ones<float>({4, 6}).scatter_reduce(1, k46, w46, "prod")); }},
      {"w46.gather(1, k46)", [&] { return got(w46.gather(1, k46)); }},
      {"w46.gather(0, j46)", [&] { return got(ts::gather(w46, 0, j46)); }},
      {"w46.T.gather(0, k46.T)", [&] { return got(w46.t().gather(0, k46.t())); }},
      {"w3.gather(2, j3 + 1)", [&] { return got(w3.gather(2, j3 + 1)); }},
      {"w3.gather(0, j3[:, :2] % 3)", [&] { return got(w3.gather(0, j3.slice(1, 0, 2).remainder(3))); }},
      {"w46.gather(1, k46[:, :2])", [&] { return got(w46.gather(1, k46.slice(1, 0, 2))); }},
      {"n46.gather(1, k46[1:, 2:])", [&] { return got(n46.gather(1, k46.slice(0, 1).slice(1, 2))); }},
      {"torch.zeros(3, 6).index_add(0, torch.tensor([2, 0, 2, 1]), w46)",
       [&] { return got(ts::zeros<float>({3, 6}).index_add(0, ints({2, 0, 2, 1}), w46)); }},
      {"torch.zeros(4, 3).index_add(1, torch.tensor([2, 0, 2, 1, 0, 2]), w46)",
       [&] { return got(ts::zeros<float>({4, 3}).index_add(1, ints({2, 0, 2, 1, 0, 2}), w46)); }},
      {"torch.zeros(6, 3).T.index_add(0, torch.tensor([2, 0, 2, 1]), w46)",
       [&] { return got(ts::zeros<float>({6, 3}).t().index_add(0, ints({2, 0, 2, 1}), w46)); }},
      {"torch.zeros(3, 6, dtype=torch.long).index_add(0, torch.tensor([1, 1, 0, 1]), n46, alpha=3)",
       [&] { return got(ts::zeros<int64_t>({3, 6}).index_add(0, ints({1, 1, 0, 1}), n46, 3)); }},
      {"torch.zeros(5).index_add(0, i5, big)", [&] { return got(ts::zeros<float>({5}).index_add(0, i5, big)); }},
      {"torch.zeros(64, 1024, dtype=torch.long).scatter_add(1, IL, SL).flatten()[::61]",
       [&] { return got(every61(ts::zeros<int64_t>({64, 1024}).scatter_add(1, IL, SL))); }},
      {"torch.zeros(64, 1024, dtype=torch.long).scatter_add(0, IL0, SL).flatten()[::61]",
       [&] { return got(every61(ts::zeros<int64_t>({64, 1024}).scatter_add(0, IL0, SL))); }},
      {"torch.zeros(64, 1024, dtype=torch.long).scatter(1, IL, L).flatten()[::61]",
       [&] { return got(every61(ts::zeros<int64_t>({64, 1024}).scatter(1, IL, L))); }},
      {"torch.zeros(64, 1024).scatter_add(1, IL, SL / 8.).flatten()[::61]",
       [&] { return got(every61(ts::zeros<float>({64, 1024}).scatter_add(1, IL, SL.to<float>().div(8)))); }},
      {"L.gather(1, IL).flatten()[::61]", [&] { return got(every61(L.gather(1, IL))); }},
      {"L.gather(0, IL0).flatten()[::61]", [&] { return got(every61(L.gather(0, IL0))); }},
      {"torch.zeros(64, 1024, dtype=torch.long).index_add(0, (torch.arange(512) * 37) % 64, SL.repeat(8, 1)).flatten()[::61]",
       [&] { return got(every61(ts::zeros<int64_t>({64, 1024}).index_add(0, (ts::arange(512) * 37).remainder(64), SL.repeat({8, 1})))); }},
      {"torch.zeros(4, 20000, dtype=torch.long).index_add(0, i5 % 4, torch.arange(120000).reshape(6, 20000) % 13 - 6).flatten()[::61]",
       [&] { return got(every61(ts::zeros<int64_t>({4, 20000}).index_add(0, i5.remainder(4), ts::arange(120000).reshape({6, 20000}).remainder(13) - 6))); }},
      {"torch.zeros(4, 20000).index_add(0, i5 % 4, (torch.arange(120000).reshape(6, 20000) % 13) / 8.).flatten()[::61]",
       [&] { return got(every61(ts::zeros<float>({4, 20000}).index_add(0, i5.remainder(4), ts::arange(120000).reshape({6, 20000}).remainder(13).to<float>().div(8)))); }},
      // group 5: put, ldexp, lerp_
      {"x34.put(torch.tensor([0, 11, -1, 5]), torch.tensor([1., 2., 3., 4.]))",
       [&] { return got(x34.put(ints({0, 11, -1, 5}), ts::tensor({1.0f, 2.0f, 3.0f, 4.0f}))); }},
      {"x34.put(torch.tensor([[0, 11], [-1, 0]]), torch.tensor([[1., 2.], [3., 4.]]), accumulate=True)",
       [&] { return got(x34.put(ints2({{0, 11}, {-1, 0}}), ts::tensor({{1.0f, 2.0f}, {3.0f, 4.0f}}), true)); }},
      {"x34.T.put(torch.tensor([1, 4, -2]), torch.tensor([7., 8., 9.]))",
       [&] { return got(x34.t().put(ints({1, 4, -2}), ts::tensor({7.0f, 8.0f, 9.0f}))); }},
      {"torch.put(x34, torch.tensor([0]), torch.tensor([-5.]))", [&] { return got(ts::put(x34, ints({0}), ts::tensor({-5.0f}))); }},
      {"torch.tensor(3.).put(torch.tensor([0]), torch.tensor([5.]))",
       [&] { return got(ts::tensor(3.0f).put(ints({0}), ts::tensor({5.0f}))); }},
      {"n34.put(torch.tensor([2, 2, 7]), torch.tensor([1, 2, 3]), accumulate=True)",
       [&] { return got(n34.put(ints({2, 2, 7}), ints({1, 2, 3}), true)); }},
      {"x34.put(torch.zeros(0, dtype=torch.long), torch.zeros(0))",
       [&] { return got(x34.put(ts::zeros<int64_t>({0}), ts::zeros<float>({0}))); }},
      {"torch.zeros(0).put(torch.zeros(0, dtype=torch.long), torch.zeros(0))",
       [&] { return got(ts::zeros<float>({0}).put(ts::zeros<int64_t>({0}), ts::zeros<float>({0}))); }},
      {"torch.ldexp(torch.tensor([1, 2, -3]), torch.tensor([1, 2, 3]))", [&] { return got(ts::ldexp(ints({1, 2, -3}), ints({1, 2, 3}))); }},
      {"torch.tensor([1., 2.]).ldexp(torch.tensor([1.5, -2.]))",
       [&] { return got(ts::tensor({1.0f, 2.0f}).ldexp(ts::tensor({1.5f, -2.0f}))); }},
      {"torch.tensor([1., 2.]).half().ldexp(torch.tensor([3, 4]))",
       [&] { return got(ts::tensor({1.0f, 2.0f}).to<ts::half>().ldexp(ints({3, 4}))); }},
      {"torch.tensor([1., 2.]).ldexp(torch.tensor([3, 4], dtype=torch.float64))",
       [&] { return got(ts::tensor({1.0f, 2.0f}).ldexp(ts::tensor({3.0, 4.0}).to<double>())); }},
      {"torch.tensor([1., 2.]).ldexp_(torch.tensor([3, 4]))", [&] { return got(ts::tensor({1.0f, 2.0f}).ldexp_(ints({3, 4}))); }},
      {"torch.tensor([1., 3.]).ldexp_(torch.tensor([-1., 0.5]))",
       [&] { return got(ts::tensor({1.0f, 3.0f}).ldexp_(ts::tensor({-1.0f, 0.5f}))); }},
      {"torch.tensor([1., 2.]).lerp_(torch.tensor([3., 5.]), 0.25)",
       [&] { return got(ts::tensor({1.0f, 2.0f}).lerp_(ts::tensor({3.0f, 5.0f}), 0.25)); }},
      {"x34.clone().lerp_(torch.ones(4), torch.full((3, 1), 0.5))",
       [&] { return got(x34.clone().lerp_(ts::ones<float>({4}), ts::full<float>({3, 1}, 0.5f))); }},
  };
  call_cases::check_value_cases("shape.txt", calls, [](const auto& have, const auto& want, const auto&) {
    CHECK(same_values(have.values, want.values));
  });
}

namespace {
using Fn = call_cases::GradFn;
const Inputs& inputs() {
  static const Inputs in;
  return in;
}
const Layouts& layouts() {
  static const Layouts lay;
  return lay;
}
#define in inputs()
const std::map<std::string, Fn>& grad_calls() {
  const auto& m = inputs().m;
  static const std::map<std::string, Fn> calls = {
      {"torch.movedim(X, (0, 1), (2, 0))", [](const Tensor<double>& x) { return ts::movedim(x, {0, 1}, {2, 0}); }},
      {"X.swapaxes(0, 2)", [](const Tensor<double>& x) { return x.swapaxes(0, 2); }},
      {"X.unflatten(1, (3, 1))", [](const Tensor<double>& x) { return x.unflatten(1, {3, 1}); }},
      {"X.T", [](const Tensor<double>& x) { return x.numpy_T(); }},
      {"X.mT", [](const Tensor<double>& x) { return x.mT(); }},
      {"X.mH", [](const Tensor<double>& x) { return x.mH(); }},
      {"torch.diag_embed(X, 1, 0, 2)", [](const Tensor<double>& x) { return ts::diag_embed(x, 1, 0, 2); }},
      {"torch.diag_embed(X)", [](const Tensor<double>& x) { return ts::diag_embed(x); }},
      {"X.masked_select(m)", [m](const Tensor<double>& x) { return x.masked_select(m); }},
      {"torch.masked_select(X, m)", [m](const Tensor<double>& x) { return ts::masked_select(x, m); }},
      {"torch.masked_select(X, m[0])", [m](const Tensor<double>& x) { return ts::masked_select(x, m[0]); }},
      {"X.masked_scatter(m, torch.arange(20.).double())",
       [m](const Tensor<double>& x) { return x.masked_scatter(m, ts::arange<double>(0, 20)); }},
      {"torch.zeros(3, 4).double().masked_scatter(m, X)",
       [m](const Tensor<double>& x) { return ts::zeros<double>({3, 4}).masked_scatter(m, x); }},
      {"torch.zeros(3, 4).double().masked_scatter(m[0], X)",
       [m](const Tensor<double>& x) { return ts::zeros<double>({3, 4}).masked_scatter(m[0], x); }},
      {"X.take(torch.tensor([[0, 11], [-1, 5], [0, 0]]))",
       [](const Tensor<double>& x) { return x.take(ints2({{0, 11}, {-1, 5}, {0, 0}})); }},
      {"torch.take_along_dim(X, torch.tensor([[0, 2, 1, 2], [0, 0, 0, 2]]), 0)",
       [](const Tensor<double>& x) { return ts::take_along_dim(x, ints2({{0, 2, 1, 2}, {0, 0, 0, 2}}), 0); }},
      {"torch.take_along_dim(X, torch.tensor([5, 1, 5]))",
       [](const Tensor<double>& x) { return ts::take_along_dim(x, ints({5, 1, 5})); }},
      {"torch.take_along_dim(X, torch.tensor([[1], [0], [1]]), 1)",
       [](const Tensor<double>& x) { return ts::take_along_dim(x, ints2({{1}, {0}, {1}}), 1); }},
      {"X.repeat_interleave(2, 1)", [](const Tensor<double>& x) { return x.repeat_interleave(2, 1); }},
      {"X.repeat_interleave(torch.tensor([1, 0, 2]), 0)",
       [](const Tensor<double>& x) { return x.repeat_interleave(ints({1, 0, 2}), 0); }},
      {"X.repeat_interleave(3)", [](const Tensor<double>& x) { return x.repeat_interleave(3); }},
      {"X.scatter_reduce(0, ix, S, 'sum')", [](const Tensor<double>& x) { return x.scatter_reduce(0, in.ix, in.S, "sum"); }},
      {"X.scatter_reduce(0, ix, S, 'sum', include_self=False)",
       [](const Tensor<double>& x) { return x.scatter_reduce(0, in.ix, in.S, "sum", false); }},
      {"X.scatter_reduce(0, ix, S, 'prod')", [](const Tensor<double>& x) { return x.scatter_reduce(0, in.ix, in.S, "prod"); }},
      {"X.scatter_reduce(0, ix, S, 'prod', include_self=False)",
       [](const Tensor<double>& x) { return x.scatter_reduce(0, in.ix, in.S, "prod", false); }},
      {"X.scatter_reduce(0, ix, S, 'mean')", [](const Tensor<double>& x) { return x.scatter_reduce(0, in.ix, in.S, "mean"); }},
      {"X.scatter_reduce(0, ix, S, 'mean', include_self=False)",
       [](const Tensor<double>& x) { return x.scatter_reduce(0, in.ix, in.S, "mean", false); }},
      {"X.scatter_reduce(0, ix, S, 'amax')", [](const Tensor<double>& x) { return x.scatter_reduce(0, in.ix, in.S, "amax"); }},
      {"X.scatter_reduce(0, ix, S, 'amin', include_self=False)",
       [](const Tensor<double>& x) { return x.scatter_reduce(0, in.ix, in.S, "amin", false); }},
      {"S.scatter_reduce(0, ixs, X, 'sum')", [](const Tensor<double>& x) { return in.S.scatter_reduce(0, in.ixs, x, "sum"); }},
      {"S.scatter_reduce(0, ixs, X, 'prod')", [](const Tensor<double>& x) { return in.S.scatter_reduce(0, in.ixs, x, "prod"); }},
      {"S.scatter_reduce(0, ixs, X, 'mean', include_self=False)",
       [](const Tensor<double>& x) { return in.S.scatter_reduce(0, in.ixs, x, "mean", false); }},
      {"S.scatter_reduce(0, ixs, X, 'amax')", [](const Tensor<double>& x) { return in.S.scatter_reduce(0, in.ixs, x, "amax"); }},
      {"S.scatter_reduce(0, ixs, X.round(), 'amin')",
       [](const Tensor<double>& x) { return in.S.scatter_reduce(0, in.ixs, x.round(), "amin"); }},
      {"Z.scatter_reduce(0, ix, X, 'prod')", [](const Tensor<double>& x) { return in.Z.scatter_reduce(0, in.ix, x, "prod"); }},
      {"Z.scatter_reduce(0, ix, X * (X != -0.5), 'prod', include_self=False)",
       [](const Tensor<double>& x) { return in.Z.scatter_reduce(0, in.ix, x * (x != -0.5), "prod", false); }},
      {"X.index_add(0, torch.tensor([0, 2, 0]), S3, alpha=2)",
       [](const Tensor<double>& x) { return x.index_add(0, ints({0, 2, 0}), in.S3, 2); }},
      {"S3.index_add(1, torch.tensor([3, 0]), X, alpha=-1.5)",
       [](const Tensor<double>& x) { return in.S3.index_add(1, ints({3, 0}), x, -1.5); }},
      {"X.index_copy(0, torch.tensor([2, 0]), S3[:2])",
       [](const Tensor<double>& x) { return x.index_copy(0, ints({2, 0}), in.S3.slice(0, 0, 2)); }},
      {"S3.index_copy(1, torch.tensor([3, 0]), X)", [](const Tensor<double>& x) { return in.S3.index_copy(1, ints({3, 0}), x); }},
      {"X.index_fill(1, torch.tensor([0, -1]), 5)", [](const Tensor<double>& x) { return x.index_fill(1, ints({0, -1}), 5); }},
      {"S3.index_fill(1, torch.tensor([0, 2, 0]), X[0])",
       [](const Tensor<double>& x) { return in.S3.index_fill(1, ints({0, 2, 0}), x[0]); }},
      {"X.index_fill(0, torch.tensor([1]), X[2, 3])", [](const Tensor<double>& x) { return x.index_fill(0, ints({1}), x[2][3]); }},
      {"X.gather(0, j46)", [](const Tensor<double>& x) { return x.gather(0, layouts().j46); }},
      {"torch.zeros(4, 6).double().scatter_add(0, j46, X)",
       [](const Tensor<double>& x) { return ts::zeros<double>({4, 6}).scatter_add(0, layouts().j46, x); }},
      {"X.scatter_add(1, k46[:, :3], w46.double())",
       [](const Tensor<double>& x) { return x.scatter_add(1, layouts().k46.slice(1, 0, 3), layouts().w46.to<double>()); }},
      {"X.T.gather(0, k46.T)", [](const Tensor<double>& x) { return x.t().gather(0, layouts().k46.t()); }},
      {"X.put(torch.tensor([0, 10, -1, 5]), torch.arange(4.).double())",
       [](const Tensor<double>& x) { return x.put(ints({0, 10, -1, 5}), ts::arange<double>(0, 4)); }},
      {"torch.zeros(3, 4).double().put(torch.tensor([0, 10, 0, 5]), X, accumulate=True)",
       [](const Tensor<double>& x) { return ts::zeros<double>({3, 4}).put(ints({0, 10, 0, 5}), x, true); }},
      {"torch.zeros(3, 4).double().put(torch.tensor([[0, 10], [1, 5]]), X)",
       [](const Tensor<double>& x) { return ts::zeros<double>({3, 4}).put(ints2({{0, 10}, {1, 5}}), x); }},
      {"X.put(torch.tensor([1, 1]), torch.ones(2).double(), accumulate=True)",
       [](const Tensor<double>& x) { return x.put(ints({1, 1}), ts::ones<double>({2}), true); }},
      {"X.T.put(torch.tensor([1, 4]), torch.ones(2).double())",
       [](const Tensor<double>& x) { return x.t().put(ints({1, 4}), ts::ones<double>({2})); }},
      {"torch.ldexp(X, torch.tensor([1, -2, 3]))", [](const Tensor<double>& x) { return ts::ldexp(x, ints({1, -2, 3})); }},
      {"X.ldexp(torch.tensor([0.5, 2.]).double())", [](const Tensor<double>& x) { return x.ldexp(ts::tensor({0.5, 2.0}).to<double>()); }},
      {"X.clone().lerp_(torch.ones(4).double(), 0.25)",
       [](const Tensor<double>& x) { return x.clone().lerp_(ts::ones<double>({4}), 0.25); }},
      {"torch.ones(3, 4).double().lerp_(X, 0.25)", [](const Tensor<double>& x) { return ts::ones<double>({3, 4}).lerp_(x, 0.25); }},
      {"torch.ones(3, 4).double().lerp_(torch.zeros(4).double(), X)",
       [](const Tensor<double>& x) { return ts::ones<double>({3, 4}).lerp_(ts::zeros<double>({4}), x); }},
      {"X.clone().lerp_(torch.zeros(4).double(), torch.full((3, 1), 0.5).double())",
       [](const Tensor<double>& x) { return x.clone().lerp_(ts::zeros<double>({4}), ts::full<double>({3, 1}, 0.5)); }},
  };
  return calls;
}
#undef in
}  // namespace

TEST_CASE("shape and selection functions give PyTorch's gradients and pass gradcheck", "[shape_ops][golden][gradcheck]") {
  call_cases::check_grad_cases("shape.txt", grad_calls());
}

TEST_CASE("shape and selection functions refuse what PyTorch refuses", "[shape_ops][golden]") {
  const Inputs in;
  const auto& [a, b, z, v, m, h, e, t, f, i8, s34, n34, x34, ix, src, srci, ixs, S, S3, Z] = in;
  const Layouts lay;
  using Call = call_cases::ErrorCall;
  const std::map<std::string, Call> calls = {
      {"torch.movedim(a, (0, 1), (2,))", {"movedim", [&] { ts::movedim(a, {0, 1}, {2}); }}},
      {"torch.movedim(a, (0, 0), (1, 2))", {"movedim", [&] { ts::movedim(a, {0, 0}, {1, 2}); }}},
      {"torch.movedim(a, (0, 1), (1, 1))", {"movedim", [&] { ts::movedim(a, {0, 1}, {1, 1}); }}},
      {"torch.movedim(a, (0, -3), (1, 2))", {"movedim", [&] { ts::movedim(a, {0, -3}, {1, 2}); }}},
      {"a.unflatten(2, (5, 1))", {"unflatten", [&] { a.unflatten(2, {5, 1}); }}},
      {"a.unflatten(2, ())", {"unflatten", [&] { a.unflatten(2, {}); }}},
      {"a.unflatten(2, (-1, 0))", {"unflatten", [&] { a.unflatten(2, {-1, 0}); }}},
      {"a.unflatten(2, (-2, 2))", {"unflatten", [&] { a.unflatten(2, {-2, 2}); }}},
      {"z.unflatten(0, (1,))", {"unflatten", [&] { z.unflatten(0, {1}); }}},
      {"a.narrow_copy(2, 3, 2)", {"narrow_copy", [&] { a.narrow_copy(2, 3, 2); }}},
      {"a.narrow_copy(2, -5, 1)", {"narrow_copy", [&] { a.narrow_copy(2, -5, 1); }}},
      {"z.narrow_copy(0, 0, 1)", {"narrow_copy", [&] { z.narrow_copy(0, 0, 1); }}},
      {"v.mT", {"mT", [&] { v.mT(); }}},
      {"v.mH", {"mH", [&] { v.mH(); }}},
      {"torch.arange(3, dtype=torch.int8).new_full((2,), 300)", {"new_full", [&] { i8.new_full({2}, 300); }}},
      {"torch.diag_embed(v, 0, 0, 0)", {"diag_embed", [&] { ts::diag_embed(v, 0, 0, 0); }}},
      {"torch.diag_embed(v, 0, 0, 2)", {"diag_embed", [&] { ts::diag_embed(v, 0, 0, 2); }}},
      {"torch.diag_embed(z)", {"diag_embed", [&] { ts::diag_embed(z); }}},
      {"torch.masked_select(a[0], m[:2])", {"masked_select", [&] { ts::masked_select(a[0], m.slice(0, 0, 2)); }}},
      {"torch.masked_select(a, m[:2])", {"masked_select", [&] { ts::masked_select(a, m.slice(0, 0, 2)); }}},
      {"torch.zeros(3, 4).masked_scatter(m, torch.arange(3.))",
       {"masked_scatter_", [&] { ts::zeros<float>({3, 4}).masked_scatter(m, ts::arange<float>(0, 3)); }}},
      {"a.take(torch.tensor([24]))", {"take", [&] { a.take(ints({24})); }}},
      {"a.take(torch.tensor([-25]))", {"take", [&] { a.take(ints({-25})); }}},
      {"torch.zeros(0).take(torch.tensor([0]))", {"take", [&] { ts::zeros<float>({0}).take(ints({0})); }}},
      {"torch.take_along_dim(a, torch.tensor([5, -1]))", {"take_along_dim", [&] { ts::take_along_dim(a, ints({5, -1})); }}},
      {"torch.take_along_dim(a, torch.tensor([[0]]), 2)", {"take_along_dim", [&] { ts::take_along_dim(a, ints2({{0}}), 2); }}},
      {"torch.take_along_dim(a, torch.tensor([[[4]]]), 2)",
       {"take_along_dim", [&] { ts::take_along_dim(a, ints2({{4}}).unsqueeze(0), 2); }}},
      {"torch.take_along_dim(a, torch.tensor([[[-1]]]), 2)",
       {"take_along_dim", [&] { ts::take_along_dim(a, ints2({{-1}}).unsqueeze(0), 2); }}},
      {"torch.take_along_dim(a, torch.tensor([[[0]], [[1]], [[2]]]), 2)",
       {"take_along_dim", [&] { ts::take_along_dim(a, ints({0, 1, 2}).reshape({3, 1, 1}), 2); }}},
      {"torch.repeat_interleave(torch.tensor([1, -1, 2]))", {"repeat_interleave", [&] { ts::repeat_interleave(ints({1, -1, 2})); }}},
      {"torch.repeat_interleave(torch.tensor([[1]]))", {"repeat_interleave", [&] { ts::repeat_interleave(ints2({{1}})); }}},
      {"torch.repeat_interleave(torch.tensor(2))", {"repeat_interleave", [&] { ts::repeat_interleave(ts::tensor(int64_t{2})); }}},
      {"a.repeat_interleave(torch.tensor([1, 0]), 1)", {"repeat_interleave", [&] { a.repeat_interleave(ints({1, 0}), 1); }}},
      {"a.repeat_interleave(torch.tensor([1, -1, 2]), 1)",
       {"repeat_interleave", [&] { a.repeat_interleave(ints({1, -1, 2}), 1); }}},
      {"v.repeat_interleave(-1)", {"repeat_interleave", [&] { v.repeat_interleave(-1); }}},
      {"a.repeat_interleave(torch.tensor([1, 0, 2]), 1, output_size=4)",
       {"repeat_interleave", [&] { a.repeat_interleave(ints({1, 0, 2}), 1, 4); }}},
      {"a.repeat_interleave(2, 1, output_size=5)", {"repeat_interleave", [&] { a.repeat_interleave(2, 1, 5); }}},
      {"a.repeat_interleave(torch.tensor([[1, 0, 2]]), 1)",
       {"repeat_interleave", [&] { a.repeat_interleave(ints2({{1, 0, 2}}), 1); }}},
      {"a.repeat_interleave(2, 3)", {"repeat_interleave", [&] { a.repeat_interleave(2, 3); }}},
      {"x34.scatter_reduce(0, ix, src, 'foo')", {"scatter_reduce", [&] { x34.scatter_reduce(0, ix, src, "foo"); }}},
      {"x34.scatter_reduce(0, torch.tensor([[3]]), src, 'sum')", {"scatter_reduce_", [&] { x34.scatter_reduce(0, ints2({{3}}), src, "sum"); }}},
      {"x34.scatter_reduce(0, torch.tensor([[-1]]), src, 'amax')", {"scatter_reduce_", [&] { x34.scatter_reduce(0, ints2({{-1}}), src, "amax"); }}},
      {"x34.scatter_reduce(0, torch.zeros(4, 1).long(), src, 'sum')",
       {"scatter_reduce_", [&] { x34.scatter_reduce(0, ts::zeros<int64_t>({4, 1}), src, "sum"); }}},
      {"x34.scatter_reduce(0, torch.zeros(1, 5).long(), torch.ones(3, 5), 'sum')",
       {"scatter_reduce_", [&] { x34.scatter_reduce(0, ts::zeros<int64_t>({1, 5}), ts::ones<float>({3, 5}), "sum"); }}},
      {"torch.zeros(3, dtype=torch.bool).scatter_reduce(0, torch.tensor([0, 0, 1]), torch.tensor([True, False, True]), 'mean')",
       {"scatter_reduce_", [&] { ts::zeros<bool>({3}).scatter_reduce(0, ints({0, 0, 1}), ts::tensor({true, false, true}), "mean"); }}},
      {"x34.scatter(0, ix, 2.0, reduce='sum')", {"scatter_", [&] { x34.scatter(0, ix, 2.0, "sum"); }}},
      {"x34.scatter(0, torch.tensor([[3]]), src, reduce='multiply')", {"scatter_", [&] { x34.scatter(0, ints2({{3}}), src, "multiply"); }}},
      {"x34.index_add(0, torch.tensor([0, 3]), torch.ones(2, 4))", {"index_add_", [&] { x34.index_add(0, ints({0, 3}), ts::ones<float>({2, 4})); }}},
      {"x34.index_add(0, torch.tensor([0, -1]), torch.ones(2, 4))", {"index_add_", [&] { x34.index_add(0, ints({0, -1}), ts::ones<float>({2, 4})); }}},
      {"x34.index_add(0, torch.tensor([0, 1]), torch.ones(3, 4))", {"index_add_", [&] { x34.index_add(0, ints({0, 1}), ts::ones<float>({3, 4})); }}},
      {"x34.index_add(0, torch.tensor([[0, 1]]), torch.ones(2, 4))", {"index_add_", [&] { x34.index_add(0, ints2({{0, 1}}), ts::ones<float>({2, 4})); }}},
      {"x34.index_copy(0, torch.tensor([3, 0]), torch.ones(2, 4))", {"index_copy_", [&] { x34.index_copy(0, ints({3, 0}), ts::ones<float>({2, 4})); }}},
      {"x34.index_copy(0, torch.tensor([-1, 0]), torch.ones(2, 4))", {"index_copy_", [&] { x34.index_copy(0, ints({-1, 0}), ts::ones<float>({2, 4})); }}},
      {"x34.index_copy(0, torch.tensor([0, 1]), torch.ones(3, 4))", {"index_copy_", [&] { x34.index_copy(0, ints({0, 1}), ts::ones<float>({3, 4})); }}},
      {"x34.index_copy(1, torch.tensor([0, 1]), torch.ones(3, 4))", {"index_copy_", [&] { x34.index_copy(1, ints({0, 1}), ts::ones<float>({3, 4})); }}},
      {"x34.index_fill(1, torch.tensor([0, 4]), -1)", {"index_fill_", [&] { x34.index_fill(1, ints({0, 4}), -1); }}},
      {"x34.index_fill(1, torch.tensor([-5]), -1)", {"index_fill_", [&] { x34.index_fill(1, ints({-5}), -1); }}},
      {"x34.index_fill(2, torch.tensor([0]), 1)", {"index_fill_", [&] { x34.index_fill(2, ints({0}), 1); }}},
      {"torch.arange(3, dtype=torch.int8).index_fill(0, torch.tensor([0]), 300)", {"index_fill_", [&] { i8.index_fill(0, ints({0}), 300); }}},
      {"x34.index_fill(1, torch.tensor([0]), torch.tensor([2.]))", {"index_fill_", [&] { x34.index_fill(1, ints({0}), ts::tensor({2.0f})); }}},
      // group 4: the first index out of range in row-major order, whichever thread meets it
      {"torch.zeros(5).scatter_add(0, torch.tensor([0, 5, -1]), torch.ones(3))",
       {"scatter_add_", [&] { ts::zeros<float>({5}).scatter_add(0, ints({0, 5, -1}), ts::ones<float>({3})); }}},
      {"w46.gather(0, j46 - 1)", {"gather", [&] { lay.w46.gather(0, lay.j46 - 1); }}},
      {"torch.zeros(64, 1024, dtype=torch.long).scatter_add(1, IL + L // 1024, SL)",
       {"scatter_add_", [&] { ts::zeros<int64_t>({64, 1024}).scatter_add(1, lay.IL + lay.L.floor_divide(1024), lay.SL); }}},
      {"L.gather(1, IL + L // 1024)", {"gather", [&] { lay.L.gather(1, lay.IL + lay.L.floor_divide(1024)); }}},
      {"torch.zeros(64, 1024, dtype=torch.long).scatter_add(0, IL0 + L % 1024 // 16, SL)",
       {"scatter_add_", [&] { ts::zeros<int64_t>({64, 1024}).scatter_add(0, lay.IL0 + lay.L.remainder(1024).floor_divide(16), lay.SL); }}},
      {"L.gather(0, IL0 + L % 1024 // 16)", {"gather", [&] { lay.L.gather(0, lay.IL0 + lay.L.remainder(1024).floor_divide(16)); }}},
      // group 5
      {"x34.put(torch.tensor([12]), torch.tensor([1.]))", {"put_", [&] { x34.put(ints({12}), ts::tensor({1.0f})); }}},
      {"x34.put(torch.tensor([-13]), torch.tensor([1.]))", {"put_", [&] { x34.put(ints({-13}), ts::tensor({1.0f})); }}},
      {"x34.put(torch.tensor([0, 1]), torch.tensor([1.]))", {"put_", [&] { x34.put(ints({0, 1}), ts::tensor({1.0f})); }}},
      {"torch.zeros(0).put(torch.tensor([0]), torch.tensor([1.]))",
       {"put_", [&] { ts::zeros<float>({0}).put(ints({0}), ts::tensor({1.0f})); }}},
      {"torch.zeros(3).expand(2, 3).put_(torch.tensor([0]), torch.tensor([1.]))",
       {"put_", [&] { ts::zeros<float>({3}).expand({2, 3}).put_(ints({0}), ts::tensor({1.0f})); }}},
      {"(lambda t: t.put_(torch.tensor([0, 1]), t.view(-1)[:2]))(torch.zeros(2, 3))",
       {"put_", [&] {
          const Tensor<float> t = ts::zeros<float>({2, 3});
          t.put_(ints({0, 1}), t.view({-1}).slice(0, 0, 2));
        }}},
      {"torch.tensor([1, 2]).ldexp_(torch.tensor([1, 2]))", {"mul", [&] { ints({1, 2}).ldexp_(ints({1, 2})); }}},
      {"torch.tensor([1., 2.]).lerp_(torch.tensor([[1.5, 2.]]), 0.5)",
       {"lerp", [&] { ts::tensor({1.0f, 2.0f}).lerp_(ts::tensor({{1.5f, 2.0f}}), 0.5); }}},
      {"torch.tensor([1., 2.]).lerp_(torch.tensor([1.5, 2.]), torch.ones(2, 2))",
       {"lerp", [&] { ts::tensor({1.0f, 2.0f}).lerp_(ts::tensor({1.5f, 2.0f}), ts::ones<float>({2, 2})); }}},
      {"torch.ones(2, requires_grad=True).clone().ldexp_(torch.tensor([1, 2]))",
       {"", [&] { ts::ones<float>({2}).requires_grad_().clone().ldexp_(ints({1, 2})); }}},
  };
  call_cases::check_error_cases("shape.txt", calls);
}

TEST_CASE("gather, scatter and index_add give the same bits on any number of threads", "[shape_ops][threads]") {
  // Note [Scatter and gather loops]: threads take apart the dims other than the scatter dim, so
  // each element sums its values in the serial order; a strided x or src takes the serial loop.
  ts::Generator gen(7, ts::RngAlgorithm::mt19937);
  const Tensor<float> src = ts::randn({256, 512}, gen);
  const Tensor<int64_t> along1 = (ts::rand({256, 512}, gen) * 512.0f).to<int64_t>();
  const Tensor<int64_t> along0 = (ts::rand({256, 512}, gen) * 16.0f).to<int64_t>();  // into 16 rows: many repeats
  const Tensor<int64_t> slices = (ts::rand({256}, gen) * 8.0f).to<int64_t>();
  const Tensor<float> long_rows = ts::randn({8, 40000}, gen);  // index_add splits slices this long
  const Tensor<int64_t> few = ts::tensor<int64_t>({3, 0, 3, 1, 0, 3, 3, 2});
  const Tensor<float> strided_src = src.t().contiguous().t();
  const auto run = [&] {
    return std::vector<Tensor<float>>{
        ts::zeros<float>({256, 512}).scatter_add(1, along1, src), ts::zeros<float>({16, 512}).scatter_add(0, along0, src),
        ts::zeros<float>({256, 512}).scatter(1, along1, src), ts::zeros<float>({16, 512}).scatter(0, along0, src),
        src.gather(1, along1), src.gather(0, along0), ts::zeros<float>({8, 512}).index_add(0, slices, src),
        ts::zeros<float>({4, 40000}).index_add(0, few, long_rows),
        // the serial loops: x strided, src strided
        ts::zeros<float>({512, 256}).t().scatter_add(1, along1, src), ts::zeros<float>({512, 16}).t().scatter_add(0, along0, src),
        ts::zeros<float>({256, 512}).scatter_add(1, along1, strided_src), strided_src.gather(0, along0),
        ts::zeros<float>({512, 8}).t().index_add(0, slices, src), ts::zeros<float>({40000, 4}).t().index_add(0, few, long_rows)};
  };
  const int threads = ts::get_num_threads();
  ts::set_num_threads(1);
  const auto serial = run();
  ts::set_num_threads(2);
  const auto split = run();
  ts::set_num_threads(threads);
  const size_t same_as[] = {0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 0, 5, 6, 7};  // the serial loops' results equal the first ones'
  REQUIRE(split.size() == std::size(same_as));
  for (size_t k = 0; k < split.size(); ++k) {
    INFO(k);
    const auto want = serial[same_as[k]].to_vector();
    CHECK(serial[k].to_vector() == want);
    CHECK(split[k].to_vector() == want);
  }
  // the sums depend on their order: a different one would show
  CHECK(ts::zeros<float>({16, 512}).scatter_add(0, along0.flip({0}), src.flip({0})).to_vector() != serial[1].to_vector());
}

TEST_CASE("a long 1-D scatter_add sums in fixed chunks: the same bits on any number of threads", "[shape_ops][threads]") {
  // Note [A long 1-D scatter_add]: an index at least 2^18 long and 8 times x's size.
  ts::Generator gen(9, ts::RngAlgorithm::mt19937);
  const int64_t n = int64_t{1} << 19, bins = 4096;
  const Tensor<float> src = ts::randn({n}, gen);
  const Tensor<int64_t> index = (ts::rand({n}, gen) * static_cast<float>(bins)).to<int64_t>();
  const Tensor<float> x = ts::randn({bins}, gen);
  const int threads = ts::get_num_threads();
  std::vector<std::vector<float>> results;
  for (int t : {1, 2, 3}) {
    ts::set_num_threads(t);
    results.push_back(x.scatter_add(0, index, src).to_vector());
  }
  ts::set_num_threads(threads);
  CHECK(results[1] == results[0]);
  CHECK(results[2] == results[0]);
  // Close to the serial sum, in double.
  const auto xv = x.to_vector();
  std::vector<double> want(xv.begin(), xv.end());
  const auto iv = index.to_vector();
  const auto sv = src.to_vector();
  for (size_t p = 0; p < iv.size(); ++p) want[static_cast<size_t>(iv[p])] += sv[p];
  double worst = 0;
  for (size_t j = 0; j < want.size(); ++j) worst = std::max(worst, std::abs(results[0][j] - want[j]));
  CHECK(worst < 1e-3);
  // An index out of range: the first one in order is named, and x is left as it was.
  Tensor<int64_t> bad = index.clone();
  bad.index_put_({ts::tensor<int64_t>({300000})}, ts::tensor<int64_t>({bins}));
  bad.index_put_({ts::tensor<int64_t>({400000})}, ts::tensor<int64_t>({-1}));
  Tensor<float> y = x.clone();
  CHECK_THROWS_WITH(y.scatter_add_(0, bad, src), Catch::Contains("index 4096 is out of bounds for dimension 0 with size 4096"));
  CHECK(y.to_vector() == x.to_vector());
}

TEST_CASE("in-place forms write into self and record PyTorch's nodes", "[shape_ops]") {
  // The `_` forms return self, write through views, and record backward nodes PyTorch names.
  Tensor<float> x = ts::zeros<float>({3, 4});
  const Tensor<bool> m = ts::tensor({true, false, true, false});
  const Tensor<float>& same = x.masked_scatter_(m, ts::arange<float>(0, 6));
  CHECK(&same == &x);
  CHECK(x.to_vector() == std::vector<float>{0, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0});
  Tensor<float> base = ts::zeros<float>({2, 4});
  base[1].index_fill_(0, ints({0, 3}), 7.0);  // through a view
  CHECK(base.to_vector() == std::vector<float>{0, 0, 0, 0, 7, 0, 0, 7});
  CHECK(&x.index_add_(0, ints({2}), ts::ones<float>({1, 4}), 2) == &x);
  CHECK(x[2].to_vector() == std::vector<float>{6, 2, 7, 2});
  CHECK(&x.index_copy_(1, ints({1}), ts::full<float>({3, 1}, -1)) == &x);
  CHECK(x.select(1, 1).to_vector() == std::vector<float>{-1, -1, -1});
  CHECK(&x.scatter_reduce_(0, ints2({{0, 0, 0, 0}}), ts::full<float>({1, 4}, 9), "amax", false) == &x);
  CHECK(x[0].to_vector() == std::vector<float>{9, 9, 9, 9});
  CHECK(&x.scatter_(1, ints2({{0}, {0}, {0}}), 2.0, "multiply") == &x);
  CHECK(x.select(1, 0).to_vector() == std::vector<float>{18, 4, 12});

  // Nodes: names as PyTorch's; narrow_copy and scatter with reduce have none.
  const Tensor<double> y = ts::arange<double>(0, 12).reshape({3, 4}).requires_grad_();
  const Tensor<int64_t> ix = ints2({{0, 2, 1, 2}});
  CHECK(y.scatter_reduce(0, ix, y.slice(0, 0, 1), "amax").grad_fn_name() == "ScatterReduceBackward0");
  CHECK(y.index_add(0, ints({1}), y.slice(0, 0, 1)).grad_fn_name() == "IndexAddBackward0");
  CHECK(y.index_copy(0, ints({1}), y.slice(0, 0, 1)).grad_fn_name() == "IndexCopyBackward0");
  CHECK(y.index_fill(0, ints({1}), 1).grad_fn_name() == "IndexFillBackward0");
  CHECK(y.masked_scatter(y > 3.0, y).grad_fn_name() == "MaskedScatterBackward0");
  CHECK(y.masked_select(y > 3.0).grad_fn_name() == "MaskedSelectBackward0");
  CHECK(y.take(ints({1})).grad_fn_name() == "TakeBackward0");
  const Tensor<double> scalar = ts::tensor(2.0).to<double>().requires_grad_();
  (ts::masked_select(scalar, ts::tensor(true)) * 3.0).sum().backward();
  CHECK(scalar.grad().sizes() == Shape{});
  CHECK(scalar.grad().item() == 3.0);
  CHECK(ts::diag_embed(y).grad_fn_name() == "DiagEmbedBackward0");
  CHECK(ts::movedim(y, 0, 1).grad_fn_name() == "PermuteBackward0");
  CHECK(y.numpy_T().grad_fn_name() == "PermuteBackward0");
  CHECK(y.mT().grad_fn_name() == "TransposeBackward0");
  CHECK(y.unflatten(1, {2, 2}).grad_fn_name() == "ViewBackward0");
  CHECK(y.repeat_interleave(2).grad_fn_name() == "IndexSelectBackward0");
  CHECK(ts::take_along_dim(y, ix, 0).grad_fn_name() == "GatherBackward0");
  CHECK(y.put(ints({1}), y.view({-1}).slice(0, 0, 1)).grad_fn_name() == "PutBackward0");
  CHECK((y * 1.0).put_(ts::zeros<int64_t>({0}), ts::zeros<double>({0})).grad_fn_name() == "PutBackward0");  // nothing put
  CHECK(error_of([&] { y.put_(ts::zeros<int64_t>({0}), ts::zeros<double>({0})); }) ==
        "a leaf Variable that requires grad is being used in an in-place operation.");
  const Tensor<int64_t> positions = ints({0, 1});
  CHECK(error_of([&] { positions.put_(positions, ints({1, 0})); }).find("refer to a single memory location") != std::string::npos);
  CHECK(y.clone()[0].put_(ints({1}), y.view({-1}).slice(0, 0, 1)).grad_fn_name() == "AsStridedBackward0");
  CHECK(y.clone().lerp_(y, 0.5).grad_fn_name() == "LerpBackward0");
  CHECK(y.clone().lerp_(y, y).grad_fn_name() == "LerpBackward1");
  CHECK(ts::ldexp(y, ints({1})).grad_fn_name() == "MulBackward0");
  CHECK(error_of([&] { y.narrow_copy(0, 0, 1).sum().backward(); }) == "derivative for aten::narrow_copy is not implemented");
  CHECK(error_of([&] { y.scatter(0, ix, y.slice(0, 0, 1), "add").sum().backward(); }) ==
        "derivative for aten::scatter is not implemented");
  CHECK(error_of([&] { y.index_fill_(0, ints({0}), 1); }) ==
        "a leaf Variable that requires grad is being used in an in-place operation.");

  // Views share storage; narrow_copy, take and the new_* factories do not.
  const Tensor<float> a = ts::arange<float>(0, 24).reshape({2, 3, 4});
  CHECK(ts::movedim(a, 0, 2).storage().data() == a.storage().data());
  CHECK(a.unflatten(2, {2, 2}).storage().data() == a.storage().data());
  CHECK(a.narrow_copy(2, 0, 2).storage().data() != a.storage().data());
  const auto n = a.new_full<double>({2}, 0.5, {.requires_grad = true});
  CHECK(n.dtype() == ts::DType::Float64);
  CHECK(n.requires_grad());
  CHECK(a.new_empty({2, 0}).sizes() == Shape{2, 0});
  CHECK(a.new_zeros<int8_t>({3}).to_vector() == std::vector<int8_t>{0, 0, 0});

  // masked_scatter_ refuses a mask that does not broadcast to self (PyTorch refuses it in expand).
  CHECK(error_of([&] { ts::zeros<float>({4}).masked_scatter_(ts::ones<bool>({3, 4}), ts::arange<float>(0, 12)); }) ==
        "masked_scatter_: mask of shape [3, 4] cannot be broadcast to the shape of self [4]");
}

TEST_CASE("out= forms write the result into out", "[shape_ops]") {
  const Tensor<float> x = ts::arange<float>(0, 12).reshape({3, 4});
  const Tensor<int64_t> ix = ints2({{0, 2, 1, 2}, {1, 0, 0, 2}});
  const Tensor<float> src = ts::arange<float>(0, 8).reshape({2, 4}) + 1;
  const auto same = [](const auto& a, const auto& b) { return a.sizes() == b.sizes() && a.to_vector() == b.to_vector(); };
  Tensor<float> o34 = ts::empty<float>({3, 4});
  CHECK(&ts::scatter_reduce_out(o34, x, 0, ix, src, "amin", false) == &o34);
  CHECK(same(o34, x.scatter_reduce(0, ix, src, "amin", false)));
  CHECK(same(ts::scatter_out(o34, x, 0, ix, src, "multiply"), x.scatter(0, ix, src, "multiply")));
  CHECK(same(ts::index_add_out(o34, x, 1, ints({3, 0}), src.t().slice(0, 0, 3).slice(1, 0, 2), 2),
             x.index_add(1, ints({3, 0}), src.t().slice(0, 0, 3).slice(1, 0, 2), 2)));
  CHECK(same(ts::index_copy_out(o34, x, 0, ints({1}), src.slice(0, 0, 1)), x.index_copy(0, ints({1}), src.slice(0, 0, 1))));
  Tensor<float> o2 = ts::empty<float>({2});
  CHECK(same(ts::take_out(o2, x, ints({11, -12})), x.take(ints({11, -12}))));
  Tensor<float> o31 = ts::empty<float>({3, 1});
  CHECK(same(ts::take_along_dim_out(o31, x, ints2({{2}, {0}, {3}}), 1), x.take_along_dim(ints2({{2}, {0}, {3}}), 1)));
  CHECK(same(ts::narrow_copy_out(o31, x, 1, 3, 1), x.narrow_copy(1, 3, 1)));
  Tensor<float> o8 = ts::empty<float>({8});
  CHECK(same(ts::masked_select_out(o8, x, x > 3.0f), x.masked_select(x > 3.0f)));
  Tensor<int64_t> o112 = ts::empty<int64_t>({11, 2});
  CHECK(same(ts::nonzero_out(o112, x), x.nonzero()));
  // out keeps its shape: a wrong one is refused, as tessera's other _out forms.
  CHECK(error_of([&] { ts::take_out(o31, x, ints({0})); }) == "take: output with shape [3, 1] doesn't match the broadcast shape [1]");
  // out may be self; an out that shares part of self's bytes is refused, as PyTorch does.
  const Tensor<float> x2 = x.clone();
  CHECK(same(ts::scatter_out(x2, x2, 0, ix, src, "multiply"), x.scatter(0, ix, src, "multiply")));
  const Tensor<float> big = ts::arange<float>(0, 16);
  CHECK(error_of([&] { ts::scatter_out(big.slice(0, 0, 12).view({3, 4}), big.slice(0, 4, 16).view({3, 4}), 0, ix, src, "multiply"); }) ==
        "scatter: unsupported operation: some elements of the input tensor and the written-to tensor refer to a single "
        "memory location. Please clone() the tensor before performing the operation.");
  CHECK(big.to_vector() == ts::arange<float>(0, 16).to_vector());
  const Tensor<double> y = ts::ones<double>({2}).requires_grad_();
  Tensor<double> od = ts::empty<double>({1});
  CHECK(error_of([&] { ts::take_out(od, y, ints({0})); }) == "take(): functions with out=... arguments don't support "
                                                               "automatic differentiation, but one of the arguments requires grad.");
}

}  // namespace test_shape_ops
