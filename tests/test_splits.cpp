// PyTorch's splitting functions (ops/join.hpp: tensor_split, hsplit, vsplit, dsplit, unsafe_chunk,
// unsafe_split, unsafe_split_with_sizes) and its copies with one view written (ops/view.hpp:
// select_scatter, slice_scatter, diagonal_scatter, as_strided_scatter), scatter_add, index_put,
// index_reduce, the in-place view ops (squeeze_, t_, transpose_, as_strided_, ...), detach_,
// fill_diagonal_ and ops/combine.hpp (block_diag, cartesian_prod, combinations) against PyTorch
// 1.13: values, dtypes, gradients and error messages from tests/golden/splits.txt
// (tests/golden/generate_splits.py), gradcheck of each differentiable call, that split pieces
// are views and that in-place view ops change the tensor itself.

#include <cmath>
#include <functional>
#include <map>

#include "call_cases.hpp"
#include "error_of.hpp"
#include "golden.hpp"

namespace test_splits {

namespace {

using ts::Shape;
using ts::Tensor;

using call_cases::Got;
using call_cases::got;
using call_cases::same_values;

// The generator's inputs.
struct Inputs {
  Tensor<float> a = ts::arange<float>(0, 10).reshape({2, 5}) - 2.5f;
  Tensor<int64_t> b = ts::arange<int64_t>(0, 24).reshape({2, 3, 4});
  Tensor<float> t = a.t();
  Tensor<float> v = ts::tensor({1.0f, -2.0f, 3.5f, 0.0f, 7.0f, -0.5f, 2.0f});
  Tensor<float> z = ts::tensor(-2.0f);
  Tensor<bool> m = ts::tensor({true, false, true, true});
  Tensor<float> e = ts::zeros<float>({0, 3});
  Tensor<float> s3 = ts::tensor({10.0f, 20.0f, 30.0f});
  Tensor<float> s2 = ts::tensor<float>({{10, 20}, {30, 40}});
  Tensor<int64_t> ti = ts::tensor<int64_t>({{1, 2, 3}, {4, 5, 6}});
  Tensor<float> q = ts::tensor<float>({{2.0f, 3.0f, 4.0f, 5.0f}, {1.0f, -1.0f, 7.0f, 0.5f}});
  Tensor<int64_t> ia = ts::tensor<int64_t>({{0, 1, 1, 0}, {1, 1, 0, 1}});
  Tensor<int64_t> i2 = ts::tensor<int64_t>({0, 2});
  Tensor<int64_t> i11 = ts::tensor<int64_t>({1, 1});
  Tensor<float> c = [] {
    Tensor<float> x = ts::arange<float>(0, 12).reshape({3, 4});
    x.index_put_({2, 1}, -1.0f);
    return x;
  }();
};

using I = std::vector<int64_t>;
namespace F = ts::nn::functional;
const Tensor<float> p4 = ts::arange<float>(0, 32).reshape({1, 8, 2, 2});

}  // namespace

TEST_CASE("splits give PyTorch's values and dtypes", "[splits][golden]") {
  const Inputs in;
  const auto& [a, b, t, v, z, m, e, s3, s2, ti, q, ia, i2, i11, c] = in;
  const auto zf = [](const Shape& s) { return ts::zeros<float>(s); };
  const std::optional<int64_t> none;
  const std::map<std::string, std::function<Got()>> calls = {
      {"torch.tensor_split(v, 3)", [&] { return got(ts::tensor_split(v, 3)); }},
      {"torch.tensor_split(v, 7)", [&] { return got(ts::tensor_split(v, 7)); }},
      {"torch.tensor_split(v, 9)", [&] { return got(ts::tensor_split(v, 9)); }},
      {"a.tensor_split(2, 1)", [&] { return got(a.tensor_split(2, 1)); }},
      {"torch.tensor_split(a, 3, -1)", [&] { return got(ts::tensor_split(a, 3, -1)); }},
      {"torch.tensor_split(t, 4)", [&] { return got(ts::tensor_split(t, 4)); }},
      {"torch.tensor_split(b, 2, 2)", [&] { return got(ts::tensor_split(b, 2, 2)); }},
      {"m.tensor_split(3)", [&] { return got(m.tensor_split(3)); }},
      {"torch.tensor_split(e, 2)", [&] { return got(ts::tensor_split(e, 2)); }},
      {"torch.tensor_split(e, 2, 1)", [&] { return got(ts::tensor_split(e, 2, 1)); }},
      {"torch.tensor_split(v, [2, 5])", [&] { return got(ts::tensor_split(v, I{2, 5})); }},
      {"torch.tensor_split(v, [-2])", [&] { return got(ts::tensor_split(v, I{-2})); }},
      {"torch.tensor_split(v, [4, 2, 9])", [&] { return got(ts::tensor_split(v, I{4, 2, 9})); }},
      {"torch.tensor_split(a, [1, -1, 4, 2], 1)", [&] { return got(ts::tensor_split(a, I{1, -1, 4, 2}, 1)); }},
      {"t.tensor_split([1, 3])", [&] { return got(t.tensor_split(I{1, 3})); }},
      {"torch.tensor_split(b, [], 1)", [&] { return got(ts::tensor_split(b, I{}, 1)); }},
      {"torch.tensor_split(v, [0, 0, 7])", [&] { return got(ts::tensor_split(v, I{0, 0, 7})); }},
      {"b.tensor_split([1], -1)", [&] { return got(b.tensor_split(I{1}, -1)); }},
      {"torch.tensor_split(v, torch.tensor(3))", [&] { return got(ts::tensor_split(v, ts::tensor<int64_t>(3))); }},
      {"torch.tensor_split(a, torch.tensor([1, 3]), 1)",
       [&] { return got(ts::tensor_split(a, ts::tensor<int64_t>({1, 3}), 1)); }},
      {"a.tensor_split(torch.tensor(2))", [&] { return got(a.tensor_split(ts::tensor<int64_t>(2))); }},
      {"torch.tensor_split(v, torch.tensor([-3, 6]))",
       [&] { return got(ts::tensor_split(v, ts::tensor<int64_t>({-3, 6}))); }},
      {"torch.hsplit(v, 7)", [&] { return got(ts::hsplit(v, 7)); }},
      {"torch.hsplit(a, 5)", [&] { return got(ts::hsplit(a, 5)); }},
      {"a.hsplit([2, 3])", [&] { return got(a.hsplit(I{2, 3})); }},
      {"torch.hsplit(b, 3)", [&] { return got(ts::hsplit(b, 3)); }},
      {"torch.hsplit(b, [1])", [&] { return got(ts::hsplit(b, I{1})); }},
      {"torch.hsplit(v, [3, -1])", [&] { return got(ts::hsplit(v, I{3, -1})); }},
      {"torch.vsplit(a, 2)", [&] { return got(ts::vsplit(a, 2)); }},
      {"a.vsplit([1])", [&] { return got(a.vsplit(I{1})); }},
      {"torch.vsplit(t, [2, 3])", [&] { return got(ts::vsplit(t, I{2, 3})); }},
      {"torch.vsplit(b, 1)", [&] { return got(ts::vsplit(b, 1)); }},
      {"torch.dsplit(b, 2)", [&] { return got(ts::dsplit(b, 2)); }},
      {"b.dsplit([1, 3])", [&] { return got(b.dsplit(I{1, 3})); }},
      {"torch.dsplit(b.transpose(0, 2), 2)", [&] { return got(ts::dsplit(b.transpose(0, 2), 2)); }},
      {"torch.dsplit(b, 4)", [&] { return got(ts::dsplit(b, 4)); }},
      {"torch.unsafe_chunk(v, 3)", [&] { return got(ts::unsafe_chunk(v, 3)); }},
      {"a.unsafe_chunk(2, 1)", [&] { return got(a.unsafe_chunk(2, 1)); }},
      {"torch.unsafe_chunk(b, 4, -1)", [&] { return got(ts::unsafe_chunk(b, 4, -1)); }},
      {"torch.unsafe_split(v, 3)", [&] { return got(ts::unsafe_split(v, 3)); }},
      {"a.unsafe_split(2, 1)", [&] { return got(a.unsafe_split(2, 1)); }},
      {"torch.unsafe_split_with_sizes(v, [2, 0, 5])", [&] { return got(ts::unsafe_split_with_sizes(v, {2, 0, 5})); }},
      {"b.unsafe_split_with_sizes([1, 2], 1)", [&] { return got(b.unsafe_split_with_sizes({1, 2}, 1)); }},
      {"torch.select_scatter(t, s2[0], 0, 3)", [&] { return got(ts::select_scatter(t, s2[0], 0, 3)); }},
      {"a.select_scatter(a[1] * 2, 0, -1)", [&] { return got(a.select_scatter(a[1] * 2, 0, -1)); }},
      {"torch.select_scatter(t, s3[:2].double(), 0, -5)",
       [&] { return got(ts::select_scatter(t, s3.slice(0, 0, 2).to<double>(), 0, -5)); }},
      {"torch.select_scatter(ti, torch.tensor([1.5, 2.5]), 1, 2)",
       [&] { return got(ts::select_scatter(ti, ts::tensor({1.5f, 2.5f}), 1, 2)); }},
      {"torch.select_scatter(v, torch.tensor(9.0), 0, 2)", [&] { return got(ts::select_scatter(v, ts::tensor(9.0f), 0, 2)); }},
      {"b.select_scatter(torch.zeros(2, 3, dtype=torch.long), 2, 1)",
       [&] { return got(b.select_scatter(ts::zeros<int64_t>({2, 3}), 2, 1)); }},
      {"torch.select_scatter(a, torch.tensor([True, False]), 1, 1)",
       [&] { return got(ts::select_scatter(a, ts::tensor({true, false}), 1, 1)); }},
      {"torch.slice_scatter(a, torch.ones(2, 2), 1, 1, 3, 1)",
       [&] { return got(ts::slice_scatter(a, ts::ones<float>({2, 2}), 1, 1, 3, 1)); }},
      {"torch.slice_scatter(t, s2 + 0.5, 0, None, None, 3)", [&] { return got(ts::slice_scatter(t, s2 + 0.5f, 0, none, none, 3)); }},
      {"torch.slice_scatter(v, s3, 0, -3, None, 1)", [&] { return got(ts::slice_scatter(v, s3, 0, -3)); }},
      {"a.slice_scatter(torch.zeros(2, 3), 1, 0, 10, 2)", [&] { return got(a.slice_scatter(zf({2, 3}), 1, 0, 10, 2)); }},
      {"torch.slice_scatter(a, torch.zeros(2, 0), 1, 4, 2, 1)", [&] { return got(ts::slice_scatter(a, zf({2, 0}), 1, 4, 2)); }},
      {"torch.slice_scatter(ti, torch.tensor([[7], [8]]), -1, 2, 3, 1)",
       [&] { return got(ts::slice_scatter(ti, ts::tensor<int64_t>({{7}, {8}}), -1, 2, 3, 1)); }},
      {"torch.diagonal_scatter(a, s2[0])", [&] { return got(ts::diagonal_scatter(a, s2[0])); }},
      {"torch.diagonal_scatter(a, s2[1], 3)", [&] { return got(ts::diagonal_scatter(a, s2[1], 3)); }},
      {"a.diagonal_scatter(torch.ones(1), -1)", [&] { return got(a.diagonal_scatter(ts::ones<float>({1}), -1)); }},
      {"torch.diagonal_scatter(t, s2[0], 0, 1, 0)", [&] { return got(ts::diagonal_scatter(t, s2[0], 0, 1, 0)); }},
      {"torch.diagonal_scatter(b, torch.ones(3, 2, dtype=torch.long), 1, 0, 2)",
       [&] { return got(ts::diagonal_scatter(b, ts::ones<int64_t>({3, 2}), 1, 0, 2)); }},
      {"torch.diagonal_scatter(a, torch.ones(0), 5)", [&] { return got(ts::diagonal_scatter(a, ts::ones<float>({0}), 5)); }},
      {"torch.as_strided_scatter(a, s3, (3,), (3,))", [&] { return got(ts::as_strided_scatter(a, s3, {3}, {3})); }},
      {"a.as_strided_scatter(s2, (2, 2), (1, 5), 1)", [&] { return got(a.as_strided_scatter(s2, {2, 2}, {1, 5}, 1)); }},
      {"torch.as_strided_scatter(t, s3, (3,), (1,), 2)", [&] { return got(ts::as_strided_scatter(t, s3, {3}, {1}, 2)); }},
      {"torch.as_strided_scatter(a[:, 1:], s2, (2, 2), (1, 2))",
       [&] { return got(ts::as_strided_scatter(a.slice(1, 1), s2, {2, 2}, {1, 2})); }},
      {"torch.as_strided_scatter(ti, torch.tensor([0.5, 9.5]), (2,), (4,), 0)",
       [&] { return got(ts::as_strided_scatter(ti, ts::tensor({0.5f, 9.5f}), {2}, {4}, 0)); }},
      {"torch.scatter_add(c, 0, ia, q)", [&] { return got(ts::scatter_add(c, 0, ia, q)); }},
      {"c.scatter_add(1, ia, q)", [&] { return got(c.scatter_add(1, ia, q)); }},
      {"c.clone().scatter_add_(0, ia[:1, :3], q)",
       [&] { return got(c.clone().scatter_add_(0, ia.slice(0, 0, 1).slice(1, 0, 3), q)); }},
      {"torch.scatter_add(ti, 1, torch.tensor([[0, 0], [2, 2]]), ti)",
       [&] { return got(ts::scatter_add(ti, 1, ts::tensor<int64_t>({{0, 0}, {2, 2}}), ti)); }},
      {"torch.scatter_add(z, 0, torch.tensor([0, 0]), s3[:2])",
       [&] { return got(ts::scatter_add(z, 0, ts::tensor<int64_t>({0, 0}), s3.slice(0, 0, 2))); }},
      {"torch.scatter_add(c, 0, torch.zeros(0, 4, dtype=torch.long), q)",
       [&] { return got(ts::scatter_add(c, 0, ts::zeros<int64_t>({0, 4}), q)); }},
      {"torch.scatter_add(c.t(), -1, ia.t(), q.t())", [&] { return got(ts::scatter_add(c.t(), -1, ia.t(), q.t())); }},
      {"torch.index_put(c, (i11,), q[0])", [&] { return got(ts::index_put(c, {i11}, q[0])); }},
      {"c.index_put((i2, torch.tensor([1, 3])), s3[:2], True)",
       [&] { return got(c.index_put({i2, ts::tensor<int64_t>({1, 3})}, s3.slice(0, 0, 2), true)); }},
      {"torch.index_put(c, (torch.tensor([0, 2, 0]),), torch.tensor(1.0), True)",
       [&] { return got(ts::index_put(c, {ts::tensor<int64_t>({0, 2, 0})}, ts::tensor(1.0f), true)); }},
      {"c.index_put((i11, i2), s3[:2] * 2)", [&] { return got(c.index_put({i11, i2}, s3.slice(0, 0, 2) * 2)); }},
      {"torch.index_put(ti, (torch.tensor([True, False]),), torch.tensor([7, 8, 9]), True)",
       [&] { return got(ts::index_put(ti, {ts::tensor({true, false})}, ts::tensor<int64_t>({7, 8, 9}), true)); }},
      {"torch.index_put(c.t(), (i2,), q[1, :3], False)",
       [&] { return got(ts::index_put(c.t(), {i2}, q[1].slice(0, 0, 3), false)); }},
      {"c.index_reduce(0, i2, q, 'prod')", [&] { return got(c.index_reduce(0, i2, q, "prod")); }},
      {"torch.index_reduce(c, 0, i11, q, 'mean')", [&] { return got(ts::index_reduce(c, 0, i11, q, "mean")); }},
      {"c.index_reduce(0, i11, q, 'mean', include_self=False)", [&] { return got(c.index_reduce(0, i11, q, "mean", false)); }},
      {"c.index_reduce(0, i2, q, 'amax')", [&] { return got(c.index_reduce(0, i2, q, "amax")); }},
      {"c.index_reduce(0, i11, q, 'amin', include_self=False)", [&] { return got(c.index_reduce(0, i11, q, "amin", false)); }},
      {"torch.index_reduce(c, 1, torch.tensor([3, 0, 3, 1]), c.flip(0) * 0.5, 'amax')",
       [&] { return got(ts::index_reduce(c, 1, ts::tensor<int64_t>({3, 0, 3, 1}), c.flip({0}) * 0.5f, "amax")); }},
      {"c.clone().index_reduce_(0, i2, q, 'amin')", [&] { return got(c.clone().index_reduce_(0, i2, q, "amin")); }},
      {"c.long().index_reduce(0, i11, q.long(), 'mean')",
       [&] { return got(c.to<int64_t>().index_reduce(0, i11, q.to<int64_t>(), "mean")); }},
      {"c.long().index_reduce(1, torch.tensor([1, 1, 2, 0]), c.long().flip(0) - 5, 'prod', include_self=False)",
       [&] {
         const Tensor<int64_t> cl = c.to<int64_t>();
         return got(cl.index_reduce(1, ts::tensor<int64_t>({1, 1, 2, 0}), cl.flip({0}) - 5, "prod", false));
       }},
      {"c.index_reduce(0, torch.zeros(0, dtype=torch.long), q[:0], 'prod')",
       [&] { return got(c.index_reduce(0, ts::zeros<int64_t>({0}), q.slice(0, 0, 0), "prod")); }},
      {"z.index_reduce(0, torch.tensor([0]), torch.tensor(3.0), 'prod')",
       [&] { return got(z.index_reduce(0, ts::tensor<int64_t>({0}), ts::tensor(3.0f), "prod")); }},
      {"c.t().index_reduce(-1, i2, q.t(), 'amax', include_self=False)",
       [&] { return got(c.t().index_reduce(-1, i2, q.t(), "amax", false)); }},
      {"a.clone().unsqueeze(1).squeeze_()", [&] { return got(a.clone().unsqueeze(1).squeeze_()); }},
      {"b.clone()[:, :1].squeeze_()", [&] { return got(b.clone().slice(1, 0, 1).squeeze_()); }},
      {"z.clone().squeeze_()", [&] { return got(z.clone().squeeze_()); }},
      {"b.clone()[:1].squeeze_(0)", [&] { return got(b.clone().slice(0, 0, 1).squeeze_(0)); }},
      {"a.clone().squeeze_(-1)", [&] { return got(a.clone().squeeze_(-1)); }},
      {"a.clone().unsqueeze_(0)", [&] { return got(a.clone().unsqueeze_(0)); }},
      {"a.clone().unsqueeze_(-1)", [&] { return got(a.clone().unsqueeze_(-1)); }},
      {"z.clone().unsqueeze_(0)", [&] { return got(z.clone().unsqueeze_(0)); }},
      {"a.clone().t_()", [&] { return got(a.clone().t_()); }},
      {"v.clone().t_()", [&] { return got(v.clone().t_()); }},
      {"t.clone().t_()", [&] { return got(t.clone().t_()); }},
      {"b.clone().transpose_(0, 2)", [&] { return got(b.clone().transpose_(0, 2)); }},
      {"b.clone().transpose_(-1, 1)", [&] { return got(b.clone().transpose_(-1, 1)); }},
      {"a.clone().swapaxes_(0, 1)", [&] { return got(a.clone().swapaxes_(0, 1)); }},
      {"b.clone().swapdims_(2, 0)", [&] { return got(b.clone().swapdims_(2, 0)); }},
      {"torch.arange(6.0).as_strided_((2, 2), (1, 2), 1)",
       [&] { return got(ts::arange<float>(0, 6).as_strided_({2, 2}, {1, 2}, 1)); }},
      {"a.clone().as_strided_((3,), (4,))", [&] { return got(a.clone().as_strided_({3}, {4})); }},
      {"b.clone().as_strided_((2, 2), (12, 1), 5)", [&] { return got(b.clone().as_strided_({2, 2}, {12, 1}, 5)); }},
      {"a.clone().detach_()", [&] { return got(a.clone().detach_()); }},
      {"torch.zeros(3, 3).fill_diagonal_(5)", [&] { return got(zf({3, 3}).fill_diagonal_(5)); }},
      {"torch.zeros(7, 3).fill_diagonal_(1, wrap=True)", [&] { return got(zf({7, 3}).fill_diagonal_(1, true)); }},
      {"torch.zeros(7, 3).fill_diagonal_(1)", [&] { return got(zf({7, 3}).fill_diagonal_(1)); }},
      {"torch.zeros(3, 7).fill_diagonal_(2, True)", [&] { return got(zf({3, 7}).fill_diagonal_(2, true)); }},
      {"a.clone().t().fill_diagonal_(-1.5)", [&] { return got(a.clone().t().fill_diagonal_(-1.5)); }},
      {"torch.zeros(3, 3, 3, dtype=torch.long).fill_diagonal_(4)",
       [&] { return got(ts::zeros<int64_t>({3, 3, 3}).fill_diagonal_(4)); }},
      {"torch.zeros(2, 4, dtype=torch.bool).fill_diagonal_(True)",
       [&] { return got(ts::zeros<bool>({2, 4}).fill_diagonal_(true)); }},
      {"torch.zeros(4, 1).fill_diagonal_(3, True)", [&] { return got(zf({4, 1}).fill_diagonal_(3, true)); }},
      {"torch.zeros(8, 2).fill_diagonal_(1, True)", [&] { return got(zf({8, 2}).fill_diagonal_(1, true)); }},
      {"torch.block_diag(a, v, z, e)", [&] { return got(ts::block_diag({a, v, z, e})); }},
      {"torch.block_diag(b[0], b[1, :2])", [&] { return got(ts::block_diag({b[0], b[1].slice(0, 0, 2)})); }},
      {"torch.block_diag(v)", [&] { return got(ts::block_diag({v})); }},
      {"torch.block_diag(t, torch.zeros(0))", [&] { return got(ts::block_diag({t, zf({0})})); }},
      {"torch.block_diag(m, m[:2].reshape(2, 1))", [&] { return got(ts::block_diag({m, m.slice(0, 0, 2).reshape({2, 1})})); }},
      {"torch.cartesian_prod(v[:2], s3)", [&] { return got(ts::cartesian_prod({v.slice(0, 0, 2), s3})); }},
      {"torch.cartesian_prod(i2, i11, i2)", [&] { return got(ts::cartesian_prod({i2, i11, i2})); }},
      {"torch.cartesian_prod(v)", [&] { return got(ts::cartesian_prod({v})); }},
      {"torch.cartesian_prod(s3, torch.zeros(0))", [&] { return got(ts::cartesian_prod({s3, zf({0})})); }},
      {"torch.combinations(v[:4])", [&] { return got(ts::combinations(v.slice(0, 0, 4))); }},
      {"torch.combinations(s3, 3)", [&] { return got(ts::combinations(s3, 3)); }},
      {"torch.combinations(s3, 2, with_replacement=True)", [&] { return got(ts::combinations(s3, 2, true)); }},
      {"torch.combinations(i2, 1)", [&] { return got(ts::combinations(i2, 1)); }},
      {"torch.combinations(v[:3], 0)", [&] { return got(ts::combinations(v.slice(0, 0, 3), 0)); }},
      {"torch.combinations(v[:2], 4)", [&] { return got(ts::combinations(v.slice(0, 0, 2), 4)); }},
      {"torch.combinations(m, 2, True)", [&] { return got(ts::combinations(m, 2, true)); }},
      {"torch.combinations(v[:4], 3, True)", [&] { return got(ts::combinations(v.slice(0, 0, 4), 3, true)); }},
      {"torch.pixel_shuffle(p4, 2)", [&] { return got(ts::pixel_shuffle(p4, 2)); }},
      {"F.pixel_shuffle(p4.reshape(2, 4, 2, 2), 2)", [&] { return got(F::pixel_shuffle(p4.reshape({2, 4, 2, 2}), 2)); }},
      {"F.pixel_shuffle(p4.reshape(8, 2, 2), 1)", [&] { return got(F::pixel_shuffle(p4.reshape({8, 2, 2}), 1)); }},
      {"F.pixel_shuffle(p4.reshape(2, 1, 4, 2, 2).long(), 2)",
       [&] { return got(F::pixel_shuffle(p4.reshape({2, 1, 4, 2, 2}).to<int64_t>(), 2)); }},
      {"F.pixel_shuffle(p4.transpose(2, 3), 2)", [&] { return got(F::pixel_shuffle(p4.transpose(2, 3), 2)); }},
      {"torch.pixel_unshuffle(p4.reshape(1, 2, 4, 4), 2)", [&] { return got(ts::pixel_unshuffle(p4.reshape({1, 2, 4, 4}), 2)); }},
      {"F.pixel_unshuffle(p4.reshape(2, 4, 4), 4)", [&] { return got(F::pixel_unshuffle(p4.reshape({2, 4, 4}), 4)); }},
      {"F.pixel_unshuffle(p4.reshape(1, 2, 2, 4, 2), 2)", [&] { return got(F::pixel_unshuffle(p4.reshape({1, 2, 2, 4, 2}), 2)); }},
      {"F.pixel_unshuffle(p4.reshape(2, 1, 4, 4).transpose(2, 3), 2)",
       [&] { return got(F::pixel_unshuffle(p4.reshape({2, 1, 4, 4}).transpose(2, 3), 2)); }},
      {"torch.channel_shuffle(p4, 2)", [&] { return got(ts::channel_shuffle(p4, 2)); }},
      {"F.channel_shuffle(p4.reshape(2, 4, 4), 4)", [&] { return got(F::channel_shuffle(p4.reshape({2, 4, 4}), 4)); }},
      {"F.channel_shuffle(p4.reshape(2, 16, 1), 4)", [&] { return got(F::channel_shuffle(p4.reshape({2, 16, 1}), 4)); }},
      {"F.channel_shuffle(p4.reshape(1, 8, 4).long(), 1)",
       [&] { return got(F::channel_shuffle(p4.reshape({1, 8, 4}).to<int64_t>(), 1)); }},
  };
  call_cases::check_value_cases("splits.txt", calls, [](const auto& have, const auto& want, const auto&) {
    CHECK(same_values(have.values, want.values));
  });
}

TEST_CASE("split pieces are views of the input", "[splits]") {
  const Tensor<float> x = ts::arange<float>(0, 12).reshape({3, 4});
  for (const auto& pieces : {ts::tensor_split(x, 3, 1), ts::tensor_split(x, std::vector<int64_t>{1, 3}, 1),
                             ts::hsplit(x, 2), ts::vsplit(x, 3), ts::unsafe_chunk(x, 2), ts::unsafe_split(x, 2, 1)}) {
    int64_t total = 0;
    for (const auto& p : pieces) {
      CHECK(p.storage().data() == x.storage().data());
      total += p.numel();
    }
    CHECK(total == x.numel());
  }
  // Note [One-element index lists]: a braced list is indices, as a Python list.
  CHECK(ts::hsplit(x, {2}).size() == 2);
  CHECK(x.hsplit({2})[0].sizes() == Shape{3, 2});
  CHECK(ts::vsplit(x, {1, 2}).size() == 3);
  CHECK(ts::tensor_split(x, {3}, 1)[1].sizes() == Shape{3, 1});
  CHECK(x.tensor_split({1}).size() == 2);
  CHECK(ts::dsplit(x.reshape({1, 3, 4}), {1})[1].sizes() == Shape{1, 3, 3});
  CHECK(x.reshape({1, 3, 4}).dsplit({1}).size() == 2);
  CHECK(x.vsplit({2})[1].sizes() == Shape{1, 4});
  CHECK(ts::hsplit(x, 2).size() == 2);  // an integer is sections
  const auto pieces = x.tensor_split(std::vector<int64_t>{2}, 1);
  pieces[1].fill_(-1.0f);  // writes through to x
  CHECK(x.to_vector() == std::vector<float>{0, 1, -1, -1, 4, 5, -1, -1, 8, 9, -1, -1});
}

TEST_CASE("in-place view ops change self's sizes and strides, as PyTorch's", "[splits]") {
  // torch 1.13: x = torch.zeros(2, 3); x.t_() gives sizes [3, 2], strides (1, 3), version 1.
  const Tensor<float> x = ts::arange<float>(0, 6).reshape({2, 3});
  const Tensor<float> alias = x;  // another handle on the same tensor sees the change
  const uint64_t version = x.storage().version();
  CHECK(&x.t_() == &x);
  CHECK(alias.sizes() == Shape{3, 2});
  CHECK(alias.strides() == Shape{1, 3});
  CHECK(!x.is_contiguous());
  CHECK(x.storage().version() == version + 1);
  CHECK(x.to_vector() == std::vector<float>{0, 3, 1, 4, 2, 5});
  x.unsqueeze_(1).transpose_(0, 2).squeeze_();
  CHECK(x.sizes() == Shape{2, 3});
  CHECK(x.is_contiguous());
  x.as_strided_({2}, {2}, 1);
  CHECK(x.numel() == 2);
  CHECK(x.to_vector() == std::vector<float>{1, 3});
  // A non-leaf keeps its history, chained: the gradient flows through every in-place view op.
  const Tensor<double> leaf = ts::ones<double>({2, 1, 3}).requires_grad_();
  const Tensor<double> y = leaf * 2;
  y.squeeze_(1).t_();
  CHECK(!y.is_leaf());
  CHECK(y.grad_fn_name() == "TBackward0");  // t()'s node (PyTorch names t_'s TBackward1)
  (y * ts::arange<double>(0, 6).reshape({3, 2})).sum().backward();
  CHECK(leaf.grad().to_vector() == std::vector<double>{0, 4, 8, 2, 6, 10});
  // detach_ drops the history in place; the leaf is untouched.
  const Tensor<double> w = leaf * 3;
  CHECK(&w.detach_() == &w);
  CHECK(!w.requires_grad());
  CHECK(w.is_leaf());
  CHECK(leaf.requires_grad());
  // Under no_grad a leaf that requires grad may change shape (PyTorch allows it too).
  const Tensor<double> l2 = ts::zeros<double>({2, 3}).requires_grad_();
  {
    ts::NoGradGuard no_grad;
    l2.t_();
  }
  CHECK(l2.sizes() == Shape{3, 2});
}

TEST_CASE("PixelShuffle, PixelUnshuffle and ChannelShuffle modules call the functions", "[splits]") {
  const Tensor<float> x = ts::randn({2, 8, 3, 3});
  CHECK(ts::equal(ts::nn::PixelShuffle(2)(x), F::pixel_shuffle(x, 2)));
  CHECK(ts::equal(ts::nn::PixelUnshuffle(3)(x), F::pixel_unshuffle(x, 3)));
  CHECK(ts::equal(ts::nn::ChannelShuffle(4)(x), F::channel_shuffle(x, 4)));
  CHECK(ts::equal(ts::nn::PixelUnshuffle(2)(ts::nn::PixelShuffle(2)(x)), x));
  // torch 1.13: "derivative for channel_shuffle is not implemented" at backward.
  const Tensor<double> leaf = ts::ones<double>({1, 4, 2}).requires_grad_();
  const std::string message = error_of([&] { F::channel_shuffle(leaf, 2).sum().backward(); });
  CHECK(message.find("derivative for") != std::string::npos);
  CHECK(message.find("channel_shuffle is not implemented") != std::string::npos);
}

namespace {
using Fn = call_cases::GradFn;
const Tensor<int64_t> ia = ts::tensor<int64_t>({{0, 1, 1, 0}, {1, 1, 0, 1}});
const Tensor<int64_t> i2 = ts::tensor<int64_t>({0, 2});
const Tensor<int64_t> i11 = ts::tensor<int64_t>({1, 1});
const std::map<std::string, Fn>& grad_calls() {
  static const std::map<std::string, Fn> calls = {
      {"torch.tensor_split(X, 3)[1]", [](const Tensor<double>& x) { return ts::tensor_split(x, 3)[1]; }},
      {"torch.tensor_split(X, 2, 1)[0]", [](const Tensor<double>& x) { return ts::tensor_split(x, 2, 1)[0]; }},
      {"torch.tensor_split(X, [1, 3], 1)[1]", [](const Tensor<double>& x) { return ts::tensor_split(x, I{1, 3}, 1)[1]; }},
      {"X.tensor_split([-2])[1]", [](const Tensor<double>& x) { return x.tensor_split(I{-2})[1]; }},
      {"torch.tensor_split(X, torch.tensor([1, 3]), 1)[2]",
       [](const Tensor<double>& x) { return ts::tensor_split(x, ts::tensor<int64_t>({1, 3}), 1)[2]; }},
      {"torch.hsplit(X, 5)[3]", [](const Tensor<double>& x) { return ts::hsplit(x, 5)[3]; }},
      {"torch.vsplit(X, [1])[1]", [](const Tensor<double>& x) { return ts::vsplit(x, I{1})[1]; }},
      {"torch.dsplit(X, 2)[1]", [](const Tensor<double>& x) { return ts::dsplit(x, 2)[1]; }},
      {"torch.unsafe_chunk(X, 2, 1)[1]", [](const Tensor<double>& x) { return ts::unsafe_chunk(x, 2, 1)[1]; }},
      {"torch.unsafe_split(X, 2)[1]", [](const Tensor<double>& x) { return ts::unsafe_split(x, 2)[1]; }},
      {"torch.unsafe_split_with_sizes(X, [1, 2], 1)[1]",
       [](const Tensor<double>& x) { return ts::unsafe_split_with_sizes(x, {1, 2}, 1)[1]; }},
      {"torch.select_scatter(X, X[0] * X[1], 0, 1)", [](const Tensor<double>& x) { return ts::select_scatter(x, x[0] * x[1], 0, 1); }},
      {"torch.select_scatter(X * 2, X[:, 0], 1, -1)",
       [](const Tensor<double>& x) { return ts::select_scatter(x * 2, x.select(1, 0), 1, -1); }},
      {"torch.select_scatter(torch.zeros(2, 3, dtype=torch.float64), X, 0, 0)",
       [](const Tensor<double>& x) { return ts::select_scatter(ts::zeros<double>({2, 3}), x, 0, 0); }},
      {"torch.slice_scatter(X, X[:, :2] ** 2, 1, 1, None, 1)",
       [](const Tensor<double>& x) { return ts::slice_scatter(x, x.slice(1, 0, 2).pow(2), 1, 1); }},
      {"torch.slice_scatter(X, X[::2] * 3, 0, 0, None, 2)",
       [](const Tensor<double>& x) { return ts::slice_scatter(x, x.slice(0, std::nullopt, std::nullopt, 2) * 3, 0, 0, std::nullopt, 2); }},
      {"torch.diagonal_scatter(X, X[0] * X[1], 0)", [](const Tensor<double>& x) { return ts::diagonal_scatter(x, x[0] * x[1], 0); }},
      {"torch.diagonal_scatter(X, X[1, :2] * 3, 1)",
       [](const Tensor<double>& x) { return ts::diagonal_scatter(x, x[1].slice(0, 0, 2) * 3, 1); }},
      {"asscatter(X, X[0] * 2, (3,), (2,), 1)",
       [](const Tensor<double>& x) { return ts::as_strided_scatter(x, x[0] * 2, {3}, {2}, 1); }},
      {"asscatter(X, X[1] ** 2, (3,), (3,), 0)",
       [](const Tensor<double>& x) { return ts::as_strided_scatter(x, x[1].pow(2), {3}, {3}, 0); }},
      {"torch.scatter_add(X, 0, ia[:, :3], X[:2] * X[1:])",
       [](const Tensor<double>& x) { return ts::scatter_add(x, 0, ia.slice(1, 0, 3), x.slice(0, 0, 2) * x.slice(0, 1)); }},
      {"torch.scatter_add(X * 2, 1, ia, X[:, :4] ** 2)",
       [](const Tensor<double>& x) { return ts::scatter_add(x * 2, 1, ia, x.slice(1, 0, 4).pow(2)); }},
      {"torch.index_put(X, (i2,), X[0] * 3)", [](const Tensor<double>& x) { return ts::index_put(x, {i2}, x[0] * 3); }},
      {"torch.index_put(X, (i2, i11), X[1, :2] ** 2, True)",
       [](const Tensor<double>& x) { return ts::index_put(x, {i2, i11}, x[1].slice(0, 0, 2).pow(2), true); }},
      {"torch.index_reduce(X, 0, i2, X[:2] * 2, 'prod')",
       [](const Tensor<double>& x) { return ts::index_reduce(x, 0, i2, x.slice(0, 0, 2) * 2, "prod"); }},
      {"X.index_reduce(0, i11, X[1:] ** 2, 'mean')",
       [](const Tensor<double>& x) { return x.index_reduce(0, i11, x.slice(0, 1).pow(2), "mean"); }},
      {"X.index_reduce(0, i11, X[:2] * -1, 'amax', include_self=False)",
       [](const Tensor<double>& x) { return x.index_reduce(0, i11, x.slice(0, 0, 2) * -1, "amax", false); }},
      {"X.index_reduce(1, i2, X[:, :2] + 1, 'amin')",
       [](const Tensor<double>& x) { return x.index_reduce(1, i2, x.slice(1, 0, 2) + 1, "amin"); }},
      {"(X * 1).squeeze_()", [](const Tensor<double>& x) { return (x * 1).squeeze_(); }},
      {"(X * 2).unsqueeze_(1)", [](const Tensor<double>& x) { return (x * 2).unsqueeze_(1); }},
      {"(X * X).t_()", [](const Tensor<double>& x) { return (x * x).t_(); }},
      {"(X + 1).transpose_(0, 2)", [](const Tensor<double>& x) { return (x + 1).transpose_(0, 2); }},
      {"(X * 3).swapaxes_(1, 0)", [](const Tensor<double>& x) { return (x * 3).swapaxes_(1, 0); }},
      {"(X * 1).as_strided_((2, 2), (1, 3), 1)", [](const Tensor<double>& x) { return (x * 1).as_strided_({2, 2}, {1, 3}, 1); }},
      {"(X * X).fill_diagonal_(0.5)", [](const Tensor<double>& x) { return (x * x).fill_diagonal_(0.5); }},
      {"(X * 2).fill_diagonal_(1, wrap=True)", [](const Tensor<double>& x) { return (x * 2).fill_diagonal_(1, true); }},
      {"(X * 1).squeeze_(1).t_().unsqueeze_(0)", [](const Tensor<double>& x) { return (x * 1).squeeze_(1).t_().unsqueeze_(0); }},
      {"torch.block_diag(X, X[0] * 2, X[1, 1])", [](const Tensor<double>& x) { return ts::block_diag({x, x[0] * 2, x[1][1]}); }},
      {"torch.cartesian_prod(X, X[:2] ** 2)",
       [](const Tensor<double>& x) { return ts::cartesian_prod({x, x.slice(0, 0, 2).pow(2)}); }},
      {"torch.combinations(X, 3)", [](const Tensor<double>& x) { return ts::combinations(x, 3); }},
      {"torch.combinations(X * X, with_replacement=True)", [](const Tensor<double>& x) { return ts::combinations(x * x, 2, true); }},
      {"F.pixel_shuffle(X * X, 2)", [](const Tensor<double>& x) { return F::pixel_shuffle(x * x, 2); }},
      {"F.pixel_unshuffle(X * 2, 2)", [](const Tensor<double>& x) { return F::pixel_unshuffle(x * 2, 2); }},
  };
  return calls;
}
}  // namespace

TEST_CASE("splits give PyTorch's gradients and pass gradcheck", "[splits][golden][gradcheck]") {
  call_cases::check_grad_cases("splits.txt", grad_calls());
}

TEST_CASE("pixel_shuffle and pixel_unshuffle record PyTorch's nodes, whose gradients differentiate again",
          "[splits][golden][gradcheck]") {
  const Tensor<float> pg = p4.detach().requires_grad_();
  const std::map<std::string, std::function<std::string()>> calls = {
      {"F.pixel_shuffle(pg, 2)", [&] { return F::pixel_shuffle(pg, 2).grad_fn_name(); }},
      {"F.pixel_unshuffle(pg.reshape(1, 2, 4, 4), 2)",
       [&] { return F::pixel_unshuffle(pg.reshape({1, 2, 4, 4}), 2).grad_fn_name(); }},
      {"torch.nn.PixelShuffle(2)(pg)", [&] { return ts::nn::PixelShuffle(2)(pg).grad_fn_name(); }},
      {"torch.nn.PixelUnshuffle(2)(pg.reshape(1, 2, 4, 4))",
       [&] { return ts::nn::PixelUnshuffle(2)(pg.reshape({1, 2, 4, 4})).grad_fn_name(); }},
  };
  call_cases::check_node_cases("splits.txt", calls);
  const Tensor<double> x = ts::randn({2, 8, 2, 3}).to<double>().requires_grad_();
  CHECK(ts::autograd::gradgradcheck([](const std::vector<Tensor<double>>& in) { return F::pixel_shuffle(in[0], 2); }, {x}));
  const auto unshuffle = [](const std::vector<Tensor<double>>& in) { return F::pixel_unshuffle(in[0].reshape({2, 2, 4, 6}), 2); };
  CHECK(ts::autograd::gradgradcheck(unshuffle, {x}));
}

TEST_CASE("splits refuse what PyTorch refuses", "[splits][golden]") {
  const Inputs in;
  const auto& [a, b, t, v, z, m, e, s3, s2, ti, q, ia, i2, i11, c] = in;
  const std::optional<int64_t> none;
  using Call = call_cases::ErrorCall;
  const std::map<std::string, Call> calls = {
      {"torch.tensor_split(z, 2)", {"tensor_split", [&] { ts::tensor_split(z, 2); }}},
      {"torch.tensor_split(z, [1])", {"tensor_split", [&] { ts::tensor_split(z, I{1}); }}},
      {"torch.tensor_split(a, 0)", {"tensor_split", [&] { ts::tensor_split(a, 0); }}},
      {"torch.tensor_split(a, -1)", {"tensor_split", [&] { ts::tensor_split(a, -1); }}},
      {"torch.tensor_split(a, 2, 2)", {"tensor_split", [&] { ts::tensor_split(a, 2, 2); }}},
      {"torch.tensor_split(a, torch.zeros(2, 2, dtype=torch.long))",
       {"tensor_split", [&] { ts::tensor_split(a, ts::zeros<int64_t>({2, 2})); }}},
      {"torch.hsplit(z, 2)", {"hsplit", [&] { ts::hsplit(z, 2); }}},
      {"torch.hsplit(a, 2)", {"hsplit", [&] { ts::hsplit(a, 2); }}},
      {"torch.hsplit(a, 0)", {"hsplit", [&] { ts::hsplit(a, 0); }}},
      {"torch.hsplit(z, [1])", {"hsplit", [&] { ts::hsplit(z, I{1}); }}},
      {"torch.vsplit(v, 2)", {"vsplit", [&] { ts::vsplit(v, 2); }}},
      {"torch.vsplit(a, 3)", {"vsplit", [&] { ts::vsplit(a, 3); }}},
      {"torch.vsplit(v, [1])", {"vsplit", [&] { ts::vsplit(v, I{1}); }}},
      {"torch.dsplit(a, 2)", {"dsplit", [&] { ts::dsplit(a, 2); }}},
      {"torch.dsplit(b, 3)", {"dsplit", [&] { ts::dsplit(b, 3); }}},
      {"torch.dsplit(a, [1])", {"dsplit", [&] { ts::dsplit(a, I{1}); }}},
      {"torch.unsafe_chunk(a, 0)", {"chunk", [&] { ts::unsafe_chunk(a, 0); }}},
      {"torch.unsafe_chunk(z, 1)", {"chunk", [&] { ts::unsafe_chunk(z, 1); }}},
      {"torch.unsafe_split(a, -1)", {"split", [&] { ts::unsafe_split(a, -1); }}},
      {"torch.unsafe_split_with_sizes(a, [1, 2])", {"split", [&] { ts::unsafe_split_with_sizes(a, {1, 2}); }}},
      {"torch.unsafe_split_with_sizes(v, [8, -1])", {"split", [&] { ts::unsafe_split_with_sizes(v, {8, -1}); }}},
      {"torch.select_scatter(a, s3, 0, 0)", {"select_scatter", [&] { ts::select_scatter(a, s3, 0, 0); }}},
      {"torch.select_scatter(a, s3, 1, 5)", {"select", [&] { ts::select_scatter(a, s3, 1, 5); }}},
      {"torch.select_scatter(a, s3, 2, 0)", {"select", [&] { ts::select_scatter(a, s3, 2, 0); }}},
      {"torch.select_scatter(z, z, 0, 0)", {"select", [&] { ts::select_scatter(z, z, 0, 0); }}},
      {"torch.slice_scatter(a, s3, 0, None, None, 1)", {"slice_scatter", [&] { ts::slice_scatter(a, s3, 0); }}},
      {"torch.slice_scatter(a, a, 1, None, None, 0)", {"slice", [&] { ts::slice_scatter(a, a, 1, none, none, 0); }}},
      {"torch.slice_scatter(z, z, 0, None, None, 1)", {"slice", [&] { ts::slice_scatter(z, z); }}},
      {"torch.diagonal_scatter(a, s3, 0, 0, 1)", {"diagonal_scatter", [&] { ts::diagonal_scatter(a, s3, 0, 0, 1); }}},
      {"torch.diagonal_scatter(a, s2[0], 0, 0, 0)", {"diagonal", [&] { ts::diagonal_scatter(a, s2[0], 0, 0, 0); }}},
      {"torch.diagonal_scatter(v, v, 0, 0, 1)", {"diagonal", [&] { ts::diagonal_scatter(v, v); }}},
      {"torch.as_strided_scatter(a, s2[0], (3,), (1,))", {"as_strided_scatter", [&] { ts::as_strided_scatter(a, s2[0], {3}, {1}); }}},
      {"torch.as_strided_scatter(a, s3, (3,), (1, 1))", {"as_strided", [&] { ts::as_strided_scatter(a, s3, {3}, {1, 1}); }}},
      {"torch.as_strided_scatter(a[1:], s3, (3,), (4,))", {"as_strided", [&] { ts::as_strided_scatter(a.slice(0, 1), s3, {3}, {4}); }}},
      {"torch.as_strided_scatter(t.detach().requires_grad_(), s3, (3,), (1,))",
       {"as_strided_scatter", [&] { ts::as_strided_scatter(t.detach().requires_grad_(), s3, {3}, {1}); }}},
      {"torch.scatter_add(c, 0, ia, q[:1])", {"scatter_add_", [&] { ts::scatter_add(c, 0, ia, q.slice(0, 0, 1)); }}},
      {"torch.scatter_add(c, 0, ia[0], q)", {"scatter_add_", [&] { ts::scatter_add(c, 0, ia[0], q); }}},
      {"torch.scatter_add(c, 0, ia + 2, q)", {"scatter_add_", [&] { ts::scatter_add(c, 0, ia + 2, q); }}},
      {"torch.scatter_add(c, 2, ia, q)", {"scatter_add_", [&] { ts::scatter_add(c, 2, ia, q); }}},
      {"c[:1].scatter_add(0, ia, q)", {"scatter_add_", [&] { c.slice(0, 0, 1).scatter_add(0, ia, q); }}},
      {"torch.index_put(c, (torch.tensor([5]),), q[0])", {"index_put_", [&] { ts::index_put(c, {ts::tensor<int64_t>({5})}, q[0]); }}},
      {"torch.index_put(c, (i2,), q[:, :3])", {"index_put_", [&] { ts::index_put(c, {i2}, q.slice(1, 0, 3)); }}},
      {"c.index_put((i2, i2, i2), q[0])", {"index_put_", [&] { c.index_put({i2, i2, i2}, q[0]); }}},
      {"c.index_reduce(0, i2, q, 'sum')", {"index_reduce", [&] { c.index_reduce(0, i2, q, "sum"); }}},
      {"torch.index_reduce(c, 0, i2.reshape(2, 1), q, 'prod')",
       {"index_reduce_", [&] { ts::index_reduce(c, 0, i2.reshape({2, 1}), q, "prod"); }}},
      {"c.index_reduce(0, torch.tensor([0, 1, 2]), q, 'prod')",
       {"index_reduce_", [&] { c.index_reduce(0, ts::tensor<int64_t>({0, 1, 2}), q, "prod"); }}},
      {"c.index_reduce(0, torch.tensor([0, 5]), q, 'amax')",
       {"index_reduce_", [&] { c.index_reduce(0, ts::tensor<int64_t>({0, 5}), q, "amax"); }}},
      {"c.index_reduce(0, torch.tensor([0, -1]), q, 'amax')",
       {"index_reduce_", [&] { c.index_reduce(0, ts::tensor<int64_t>({0, -1}), q, "amax"); }}},
      {"c.index_reduce(1, i2, q, 'amax')", {"index_reduce_", [&] { c.index_reduce(1, i2, q, "amax"); }}},
      {"c.index_reduce(2, i2, q, 'amax')", {"index_reduce_", [&] { c.index_reduce(2, i2, q, "amax"); }}},
      {"c.bool().index_reduce(0, i2, q.bool(), 'mean')",
       {"index_reduce_", [&] { c.to<bool>().index_reduce(0, i2, q.to<bool>(), "mean"); }}},
      {"a.clone().squeeze_(2)", {"squeeze", [&] { a.clone().squeeze_(2); }}},
      {"a.clone().unsqueeze_(3)", {"unsqueeze", [&] { a.clone().unsqueeze_(3); }}},
      {"b.clone().t_()", {"t_", [&] { b.clone().t_(); }}},
      {"a.clone().transpose_(0, 2)", {"transpose", [&] { a.clone().transpose_(0, 2); }}},
      {"torch.zeros(3).as_strided_((2, 2), (1, 2), 5)", {"as_strided", [&] { ts::zeros<float>({3}).as_strided_({2, 2}, {1, 2}, 5); }}},
      {"a.clone().as_strided_((2,), (1, 1))", {"as_strided", [&] { a.clone().as_strided_({2}, {1, 1}); }}},
      {"a.detach().requires_grad_().t_()", {"", [&] { a.detach().requires_grad_().t_(); }}},
      {"a.detach().requires_grad_().squeeze_()", {"", [&] { a.detach().requires_grad_().squeeze_(); }}},
      {"a.detach().requires_grad_()[0].unsqueeze_(0)", {"", [&] { a.detach().requires_grad_()[0].unsqueeze_(0); }}},
      {"torch.zeros(3)[0].detach_()", {"detach_", [&] { ts::zeros<float>({3})[0].detach_(); }}},
      {"torch.zeros(3).fill_diagonal_(1)", {"fill_diagonal_", [&] { ts::zeros<float>({3}).fill_diagonal_(1); }}},
      {"torch.zeros(2, 2, 3).fill_diagonal_(1)", {"fill_diagonal_", [&] { ts::zeros<float>({2, 2, 3}).fill_diagonal_(1); }}},
      {"torch.zeros(3, 3, dtype=torch.int8).fill_diagonal_(300)",
       {"fill_", [&] { ts::zeros<int8_t>({3, 3}).fill_diagonal_(300); }}},
      {"a.detach().requires_grad_().fill_diagonal_(1)", {"", [&] { a.detach().requires_grad_().fill_diagonal_(1); }}},
      {"torch.block_diag(a, b)", {"block_diag", [&] { ts::block_diag({a, b.to<float>()}); }}},
      {"torch.cartesian_prod(v, a)", {"cartesian_prod", [&] { ts::cartesian_prod({v, a}); }}},
      {"torch.combinations(a)", {"combinations", [&] { ts::combinations(a); }}},
      {"torch.combinations(v, -1)", {"combinations", [&] { ts::combinations(v, -1); }}},
      {"F.pixel_shuffle(torch.zeros(4, 3), 2)", {"pixel_shuffle", [&] { F::pixel_shuffle(ts::zeros<float>({4, 3}), 2); }}},
      {"F.pixel_shuffle(p4, 0)", {"pixel_shuffle", [&] { F::pixel_shuffle(p4, 0); }}},
      {"F.pixel_shuffle(p4, 3)", {"pixel_shuffle", [&] { F::pixel_shuffle(p4, 3); }}},
      {"F.pixel_unshuffle(torch.zeros(4, 3), 2)", {"pixel_unshuffle", [&] { F::pixel_unshuffle(ts::zeros<float>({4, 3}), 2); }}},
      {"F.pixel_unshuffle(p4, 0)", {"pixel_unshuffle", [&] { F::pixel_unshuffle(p4, 0); }}},
      {"F.pixel_unshuffle(torch.zeros(1, 5, 4), 2)", {"pixel_unshuffle", [&] { F::pixel_unshuffle(ts::zeros<float>({1, 5, 4}), 2); }}},
      {"F.pixel_unshuffle(torch.zeros(1, 4, 3), 2)", {"pixel_unshuffle", [&] { F::pixel_unshuffle(ts::zeros<float>({1, 4, 3}), 2); }}},
      {"F.channel_shuffle(p4, 3)", {"channel_shuffle", [&] { F::channel_shuffle(p4, 3); }}},
      {"F.channel_shuffle(p4, 0)", {"channel_shuffle", [&] { F::channel_shuffle(p4, 0); }}},
      {"F.channel_shuffle(torch.zeros(2, 4), 2)", {"channel_shuffle", [&] { F::channel_shuffle(ts::zeros<float>({2, 4}), 2); }}},
  };
  call_cases::check_error_cases("splits.txt", calls);
}

}  // namespace test_splits
