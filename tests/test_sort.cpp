// ops/sort.hpp: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode against PyTorch
// (golden/sort.txt, written by golden/generate_sort.py), their gradients, errors and edges.

#include <numeric>
#include <random>

#include "error_of.hpp"
#include "golden.hpp"

using ts::Tensor;

namespace {

template <class T>
ts::ValuesIndices<T> run_op(const golden::Record& r, const Tensor<T>& x) {
  const std::string op = r.get("op");
  auto arg = [&](const char* key) { return std::stoll(r.get(key)); };
  if (op == "sort") return x.sort(arg("dim"), arg("descending"), arg("stable"));
  if (op == "argsort") return {Tensor<T>(), x.argsort(arg("dim"), arg("descending"))};
  if (op == "msort") return {x.msort(), {}};
  if constexpr (!std::is_same_v<T, bool> && !std::is_same_v<T, ts::half>) {
    if (op == "topk") return x.topk(arg("k"), arg("dim"), arg("largest"));
    if (op == "kthvalue") return x.kthvalue(arg("k"), arg("dim"), arg("keepdim"));
    if (op == "median_all") return {x.median(), {}};
    if (op == "nanmedian_all") return {x.nanmedian(), {}};
    if (op == "median") return x.median(arg("dim"), arg("keepdim"));
    if (op == "nanmedian") return x.nanmedian(arg("dim"), arg("keepdim"));
  }
  if (op == "mode") return x.mode(arg("dim"), arg("keepdim"));
  FAIL("unknown op " << op);
  return {};
}

template <class T>
void check_record(const golden::Record& r) {
  Tensor<T> base = golden::source<T>(r);
  const bool transpose = r.get("transpose") == "1";
  const bool grad = r.has("grad");
  if constexpr (std::is_same_v<T, double>)
    if (grad) base.requires_grad_();
  const Tensor<T> x = transpose ? base.t() : base;
  const auto result = run_op(r, x);
  const bool argsort = r.get("op") == "argsort";
  const ts::Shape shape(golden::ints(r.get("out_shape")));
  const std::vector<int64_t> indices = result.indices.defined() ? result.indices.to_vector() : std::vector<int64_t>{};
  if (argsort) {  // PyTorch's values are argsort's indices
    CHECK(indices == golden::ints(r.get("out_values")));
  } else {
    CHECK(result.values.sizes() == shape);
    const auto got = result.values.to_vector(), want = golden::values<T>(r.get("out_values"));
    if (r.has("indices_match") && r.get("indices_match") == "0") {
      // Ties picked differently may differ in the sign of a zero.
      REQUIRE(got.size() == want.size());
      for (size_t i = 0; i < got.size(); ++i) {
        const double a = static_cast<double>(got[i]), b = static_cast<double>(want[i]);
        CHECK((a == b || (std::isnan(a) && std::isnan(b))));
      }
    } else {
      CHECK(golden::same_bits(got, want));
    }
  }
  if (r.has("rule_indices")) {
    // Where PyTorch's index among ties is its algorithm's accident, tessera's is the stable
    // order (Note [Sort keys]); where they agree, the golden holds both.
    CHECK(indices == golden::ints(r.get("rule_indices")));
    if (r.get("indices_match") == "1" && r.has("out_indices")) CHECK(indices == golden::ints(r.get("out_indices")));
  } else if (r.has("out_indices")) {
    CHECK(indices == golden::ints(r.get("out_indices")));
  }
  if (result.indices.defined()) CHECK(result.indices.sizes() == shape);
  if constexpr (std::is_same_v<T, double>) {
    if (grad) {
      const auto w = ts::arange(1.0, static_cast<double>(result.values.numel()) + 1).view(result.values.sizes());
      (result.values * w).sum().backward();
      CHECK(golden::same_bits(base.grad().to_vector(), golden::values<double>(r.get("grad"))));
    }
  }
}

}  // namespace

TEST_CASE("sort family: PyTorch's values and indices") {
  const auto records = golden::load("sort.txt");
  for (const auto& r : records) {
    INFO(r.name);
    ts::dispatch(golden::dtype(r.get("dtype")), [&]<class T>(std::type_identity<T>) { check_record<T>(r); });
  }
}

TEST_CASE("sort: structured bindings and free functions") {
  const auto x = ts::tensor({3.0f, 1.0f, 2.0f});
  auto [values, indices] = x.sort();
  CHECK(values.to_vector() == std::vector<float>{1, 2, 3});
  CHECK(indices.to_vector() == std::vector<int64_t>{1, 2, 0});
  const auto r = ts::sort(x, 0, true);
  CHECK(r.values.to_vector() == std::vector<float>{3, 2, 1});
  CHECK(ts::argsort(x).to_vector() == std::vector<int64_t>{1, 2, 0});
  CHECK(ts::msort(x).to_vector() == std::vector<float>{1, 2, 3});
  auto [tv, ti] = ts::topk(x, 2);
  CHECK(ti.to_vector() == std::vector<int64_t>{0, 2});
  CHECK(ts::kthvalue(x, 1).values.item() == 1.0f);
  CHECK(ts::median(x).item() == 2.0f);
  CHECK(ts::nanmedian(x, 0).indices.item() == 2);
  CHECK(ts::mode(ts::tensor({1, 2, 2})).values.item() == 2);
}

TEST_CASE("sort: stable and unstable agree, topk sorted or not, on long rows") {
  std::mt19937 rng(5);
  std::vector<float> data(20000);
  for (auto& v : data) v = static_cast<float>(static_cast<int>(rng() % 50) - 25) * 0.5f;
  data[17] = NAN, data[400] = -0.0f;
  const auto x = ts::from_vector(data, {20000});
  // A reference: std::stable_sort of the positions with PyTorch's comparison (NaN largest).
  std::vector<int64_t> order(data.size());
  std::iota(order.begin(), order.end(), 0);
  auto less = [&](int64_t a, int64_t b) {
    return (!std::isnan(data[a]) && std::isnan(data[b])) || data[a] < data[b];
  };
  std::stable_sort(order.begin(), order.end(), less);
  CHECK(x.sort(0, false, true).indices.to_vector() == order);
  CHECK(x.sort(0, false, false).indices.to_vector() == order);
  std::vector<int64_t> desc(data.size());
  std::iota(desc.begin(), desc.end(), 0);
  std::stable_sort(desc.begin(), desc.end(), [&](int64_t a, int64_t b) { return less(b, a); });
  CHECK(x.argsort(0, true, true).to_vector() == desc);
  const auto top = x.topk(100);
  CHECK(top.indices.to_vector() == std::vector<int64_t>(desc.begin(), desc.begin() + 100));
  CHECK(golden::same_bits(x.topk(100, 0, true, false).values.to_vector(), top.values.to_vector()));
  const auto bottom = x.topk(30, -1, false);
  CHECK(bottom.indices.to_vector() == std::vector<int64_t>(order.begin(), order.begin() + 30));
  CHECK(x.kthvalue(9000).indices.item() == order[8999]);
  // Rows sort independently of the thread count.
  const auto rows = ts::from_vector(data, {200, 100});
  ts::set_num_threads(1);
  const auto one = rows.sort(1, true);
  ts::set_num_threads(3);
  const auto three = rows.sort(1, true);
  ts::set_num_threads(2);
  CHECK(ts::equal(one.indices, three.indices));
}

TEST_CASE("sort: results are new contiguous tensors of the input's shape") {
  const auto x = ts::arange(0.0f, 24.0f).view({2, 3, 4}).permute({2, 0, 1});
  const auto r = x.sort(1);
  CHECK(r.values.sizes() == ts::Shape{4, 2, 3});
  CHECK(r.values.is_contiguous());
  CHECK(r.indices.is_contiguous());
  const auto m = x.median(2);
  CHECK(m.values.sizes() == ts::Shape{4, 2});
  CHECK(m.values.is_contiguous());
}

TEST_CASE("sort family: gradients by gradcheck") {
  using Fn = std::function<Tensor<double>(const std::vector<Tensor<double>>&)>;
  const std::vector<std::pair<std::string, Fn>> fns = {
      {"sort", [](const auto& x) { return x[0].sort(1, true).values * ts::arange(1.0, 6.0); }},
      {"sort_dim0", [](const auto& x) { return x[0].sort(0).values.pow(2.0); }},
      {"msort", [](const auto& x) { return x[0].msort().exp(); }},
      {"topk", [](const auto& x) { return x[0].topk(2, 1, false).values; }},
      {"kthvalue", [](const auto& x) { return x[0].kthvalue(2, 0).values; }},
      {"median", [](const auto& x) { return x[0].median(1, true).values; }},
      {"median_all", [](const auto& x) { return x[0].median(); }},
      {"nanmedian", [](const auto& x) { return x[0].nanmedian(0).values; }},
      {"mode", [](const auto& x) { return x[0].mode(1).values; }},
  };
  ts::Generator gen(11);
  for (const auto& [name, f] : fns) {
    SECTION(name) {
      // Distinct values spread far apart: no tie and no reordering under a finite difference.
      const auto x = (ts::randperm(20, gen).to<double>().view({4, 5}) + ts::rand<double>({4, 5}, gen) * 0.1)
                         .requires_grad_();
      CHECK(ts::autograd::gradcheck(f, {x}));
    }
  }
  SECTION("second derivative of sort") {
    const auto x = (ts::randperm(12, gen).to<double>().view({3, 4})).requires_grad_();
    Fn first = [](const std::vector<Tensor<double>>& in) {
      const auto y = in[0].sort(1).values;
      const auto g = ts::autograd::grad({(y * y * ts::arange(1.0, 5.0)).sum()}, {in[0]}, {}, std::nullopt, true);
      return g[0].as<double>();
    };
    CHECK(ts::autograd::gradcheck(first, {x}));
  }
  SECTION("node names") {
    const auto x = ts::tensor({1.0, 3.0, 2.0}).requires_grad_();
    CHECK(x.sort().values.grad_fn_name() == "SortBackward0");
    CHECK(x.topk(1).values.grad_fn_name() == "TopkBackward0");
    CHECK(x.median().grad_fn_name() == "MedianBackward0");
    CHECK(x.median(0).values.grad_fn_name() == "MedianBackward1");
    CHECK(x.mode().values.grad_fn_name() == "ModeBackward0");
    CHECK(x.kthvalue(1).values.grad_fn_name() == "KthvalueBackward0");
    CHECK(!x.sort().indices.requires_grad());
  }
}

TEST_CASE("sort family: PyTorch's errors") {
  const auto x = ts::arange(0.0f, 6.0f).view({2, 3});
  CHECK(error_of([&] { x.topk(4); }) == "topk: selected index k out of range");
  CHECK(error_of([&] { x.topk(-1); }) == "topk: selected index k out of range");
  CHECK(error_of([&] { ts::tensor(5.0f).topk(2); }) == "topk: selected index k out of range");
  CHECK(error_of([&] { x.kthvalue(4); }) == "kthvalue(): selected number k out of range for dimension 1");
  CHECK(error_of([&] { x.kthvalue(0, 0); }) == "kthvalue(): selected number k out of range for dimension 0");
  CHECK(error_of([&] { x.sort(2); }) == "sort: dimension out of range (expected to be in range of [-2, 1], but got 2)");
  CHECK(error_of([&] { x.topk(1, 5); }) == "topk: dimension out of range (expected to be in range of [-2, 1], but got 5)");
  const auto empty = ts::empty({2, 0});
  CHECK(error_of([&] { empty.median(1); }) == "median(): Expected reduction dim 1 to have non-zero size.");
  CHECK(error_of([&] { empty.nanmedian(1); }) == "nanmedian(): Expected reduction dim 1 to have non-zero size.");
  CHECK(error_of([&] { empty.mode(1); }) == "mode(): Expected reduction dim 1 to have non-zero size.");
  CHECK(error_of([&] { empty.kthvalue(1, 1); }) == "kthvalue(): Expected reduction dim 1 to have non-zero size.");
  CHECK(error_of([&] { empty.topk(1, 1); }) == "topk: selected index k out of range");
  const auto b = ts::tensor({true, false});
  CHECK(error_of([&] { ts::topk(b, 1); }) == "\"topk_cpu\" not implemented for 'Bool'");
  CHECK(error_of([&] { ts::median(b); }) == "\"median_cpu\" not implemented for 'Bool'");
  const auto h = ts::tensor({1.0f, 2.0f}).to<ts::half>();
  CHECK(error_of([&] { h.kthvalue(1); }) == "\"kthvalue_cpu\" not implemented for 'Half'");
  CHECK(error_of([&] { h.median(0); }) == "\"median_out\" not implemented for 'Half'");
  CHECK(error_of([&] { h.nanmedian(); }) == "\"median_cpu\" not implemented for 'Half'");
  CHECK(h.sort().indices.to_vector() == std::vector<int64_t>{0, 1});
  CHECK(h.mode().values.item() == ts::half(1.0f));
}
