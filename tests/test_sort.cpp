// ops/sort.hpp: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode against PyTorch
// (golden/sort.txt, written by golden/generate_sort.py), their gradients, errors and edges.

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <optional>
#include <random>
#include <set>

#include "call_cases.hpp"
#include "error_of.hpp"
#include "golden.hpp"

namespace test_sort {

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
    if (op == "topk") return x.topk(arg("k"), arg("dim"), arg("largest"), r.has("sorted") ? arg("sorted") : true);
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

const std::set<std::string> kCountOps = {"unique", "unique_consecutive", "bincount", "histc", "count_nonzero",
                                         "searchsorted", "bucketize"};

/** Checks `t` against the record's `out_<key>`, `out_<key>_shape` and `out_<key>_dtype`. */
template <class R>
void check_output(const golden::Record& r, const std::string& key, const Tensor<R>& t) {
  INFO(key);
  CHECK(ts::dtype_of<R> == golden::dtype(r.get("out_" + key + "_dtype")));
  if (r.name.rfind("unique_nan", 0) != 0) CHECK(t.sizes() == ts::Shape(golden::ints(r.get("out_" + key + "_shape"))));
  const std::vector<R> want = golden::values<R>(r.get("out_" + key));
  if (r.name.rfind("unique_nan", 0) == 0) {
    // PyTorch 1.13 sorts for unique with std::sort and `<`, which leaves NaNs anywhere (and
    // gives them the inverse of another group); tessera puts them last, each distinct. The
    // numbers and how many NaNs there are must agree.
    if constexpr (ts::is_floating_v<R>) {
      auto split = [](const std::vector<R>& v) {
        std::vector<R> numbers;
        int64_t nans = 0;
        for (R e : v) std::isnan(static_cast<double>(e)) ? ++nans : (numbers.push_back(e), 0);
        return std::pair{numbers, nans};
      };
      const auto [got_numbers, got_nans] = split(t.to_vector());
      const auto [want_numbers, want_nans] = split(want);
      // (bfloat16's sort even leaves 0 and -0 apart.)
      std::vector<double> got(got_numbers.begin(), got_numbers.end()), distinct(want_numbers.begin(), want_numbers.end());
      std::sort(distinct.begin(), distinct.end());
      distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
      CHECK(got == distinct);
      CHECK(got_nans == want_nans);
    }
    return;
  }
  CHECK(golden::same_bits(t.to_vector(), want));
}

template <class T>
Tensor<T> other_tensor(const golden::Record& r) {
  return ts::from_vector(golden::values<T>(r.get("other_values")), ts::Shape(golden::ints(r.get("other_shape"))));
}

template <class T>
void check_count_record(const golden::Record& r) {
  const Tensor<T> base = golden::source<T>(r);
  const Tensor<T> x = r.get("transpose") == "1" ? base.t() : base;
  const std::string op = r.get("op");
  auto arg = [&](const char* key) { return std::stoll(r.get(key)); };
  auto opt_dim = [&]() -> std::optional<int64_t> {
    if (r.get("dim") == "none") return std::nullopt;
    return arg("dim");
  };
  if (op == "unique" || op == "unique_consecutive") {
    if constexpr (!std::is_same_v<T, ts::half>) {
      const auto u = op == "unique" ? x.unique(true, arg("inverse"), arg("counts"), opt_dim())
                                    : x.unique_consecutive(arg("inverse"), arg("counts"), opt_dim());
      check_output(r, "values", u.values);
      CHECK(u.inverse.has_value() == r.has("out_inverse"));
      CHECK(u.counts.has_value() == r.has("out_counts"));
      if (u.inverse && r.name.rfind("unique_nan", 0) != 0) check_output(r, "inverse", *u.inverse);
      if (u.counts && r.name.rfind("unique_nan", 0) != 0) check_output(r, "counts", *u.counts);
    }
  } else if (op == "count_nonzero") {
    if (r.get("dim") == "none") check_output(r, "values", ts::count_nonzero(x));
    else check_output(r, "values", ts::count_nonzero(x, ts::Shape(golden::ints(r.get("dim")))));
  } else if (op == "bincount") {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if (!r.has("other_dtype")) {
        check_output(r, "values", ts::bincount(x, std::nullopt, arg("minlength")));
      } else {
        const std::string w = r.get("other_dtype");
        if (w == "float32") check_output(r, "values", ts::bincount(x, other_tensor<float>(r), arg("minlength")));
        else if (w == "float64") check_output(r, "values", ts::bincount(x, other_tensor<double>(r), arg("minlength")));
        else check_output(r, "values", ts::bincount(x, other_tensor<int64_t>(r), arg("minlength")));
      }
    }
  } else if (op == "histc") {
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>)
      check_output(r, "values", ts::histc(x, arg("bins"), std::stod(r.get("min")), std::stod(r.get("max"))));
  } else if (op == "searchsorted" || op == "bucketize") {
    REQUIRE((!r.has("other_dtype") || r.get("other_dtype") == r.get("dtype")));
    const bool int32 = r.get("out_int32") == "1";
    std::optional<std::string_view> side;
    const std::string side_arg = op == "searchsorted" ? r.get("side") : "none";
    if (side_arg != "none") side = side_arg;
    std::optional<Tensor<int64_t>> sorter;
    if (op == "searchsorted" && r.get("sorter") != "none") {
      std::string list = r.get("sorter");
      std::replace(list.begin(), list.end(), ',', ' ');
      sorter = ts::from_vector(golden::ints(list), x.sizes());
    }
    if (op == "bucketize") {
      if (int32) check_output(r, "values", ts::bucketize<int32_t>(x, other_tensor<T>(r), true, arg("right")));
      else check_output(r, "values", ts::bucketize(x, other_tensor<T>(r), false, arg("right")));
    } else if (r.has("scalar")) {
      check_output(r, "values", ts::searchsorted(x, arg("scalar"), false, arg("right"), side, sorter));
    } else if (int32) {
      check_output(r, "values", ts::searchsorted<int32_t>(x, other_tensor<T>(r), true, arg("right"), side, sorter));
    } else {
      check_output(r, "values", ts::searchsorted(x, other_tensor<T>(r), false, arg("right"), side, sorter));
    }
  }
}

}  // namespace

TEST_CASE("unique, bincount, histc, count_nonzero, searchsorted, bucketize: PyTorch's results") {
  for (const auto& r : golden::load("sort.txt")) {
    if (!kCountOps.count(r.get("op"))) continue;
    INFO(r.name);
    ts::dispatch(golden::dtype(r.get("dtype")), [&]<class T>(std::type_identity<T>) { check_count_record<T>(r); });
  }
}

TEST_CASE("sort family: PyTorch's values and indices") {
  const auto records = golden::load("sort.txt");
  for (const auto& r : records) {
    if (kCountOps.count(r.get("op"))) continue;
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
  std::vector<float> data(70000);
  for (auto& v : data) v = static_cast<float>(static_cast<int>(rng() % 50) - 25) * 0.5f;
  data[17] = NAN, data[400] = -0.0f;
  const auto x = ts::from_vector(data, {70000});
  // A reference: std::stable_sort of the positions with PyTorch's comparison (NaN largest).
  std::vector<int64_t> order(data.size());
  std::iota(order.begin(), order.end(), 0);
  auto less = [&](int64_t a, int64_t b) {
    return (!std::isnan(data[a]) && std::isnan(data[b])) || data[a] < data[b];
  };
  std::stable_sort(order.begin(), order.end(), less);
  CHECK(x.sort(0, false, true).indices.to_vector() == order);
  CHECK(x.sort(0, false, false).indices.to_vector() == order);
  std::vector<float> in_order;  // the values themselves: -0 stays -0, NaN stays NaN
  for (int64_t j : order) in_order.push_back(data[static_cast<size_t>(j)]);
  CHECK(golden::same_bits(x.sort().values.to_vector(), in_order));
  CHECK(std::signbit(x.sort().values.to_vector()[static_cast<size_t>(std::find(order.begin(), order.end(), 400) - order.begin())]));
  std::vector<int64_t> desc(data.size());
  std::iota(desc.begin(), desc.end(), 0);
  std::stable_sort(desc.begin(), desc.end(), [&](int64_t a, int64_t b) { return less(b, a); });
  CHECK(x.argsort(0, true, true).to_vector() == desc);
  // topk's reference among ties: PyTorch's CPU algorithm (aten/src/ATen/native/TopKImpl.h) on
  // (value, index) pairs, with its comparisons of values.
  auto pytorch_topk = [&](int64_t k, bool largest, bool sorted) {
    std::vector<std::pair<double, int64_t>> queue;
    for (size_t j = 0; j < data.size(); ++j) queue.emplace_back(data[j], static_cast<int64_t>(j));
    auto before = [&](const std::pair<double, int64_t>& a, const std::pair<double, int64_t>& b) {
      return largest ? (std::isnan(a.first) && !std::isnan(b.first)) || a.first > b.first
                     : (!std::isnan(a.first) && std::isnan(b.first)) || a.first < b.first;
    };
    if (k * 64 <= static_cast<int64_t>(queue.size())) {
      std::partial_sort(queue.begin(), queue.begin() + k, queue.end(), before);
    } else {
      std::nth_element(queue.begin(), queue.begin() + (k - 1), queue.end(), before);
      if (sorted) std::sort(queue.begin(), queue.begin() + (k - 1), before);
    }
    std::vector<int64_t> indices;
    for (int64_t j = 0; j < k; ++j) indices.push_back(queue[static_cast<size_t>(j)].second);
    return indices;
  };
  const auto top = x.topk(100);
  CHECK(top.indices.to_vector() == pytorch_topk(100, true, true));
  CHECK(top.indices.to_vector() != std::vector<int64_t>(desc.begin(), desc.begin() + 100));  // not the stable order
  CHECK(golden::same_bits(x.topk(100, 0, true, false).values.to_vector(), top.values.to_vector()));
  const auto bottom = x.topk(30, -1, false);
  CHECK(bottom.indices.to_vector() == pytorch_topk(30, false, true));
  CHECK(x.topk(5000, 0, false, false).indices.to_vector() == pytorch_topk(5000, false, false));
  CHECK(x.kthvalue(9000).indices.item() == order[8999]);
  CHECK(x.nanmedian().item() == data[static_cast<size_t>(order[34999])]);
  CHECK(std::isnan(x.median().item()));
  // A row whose every 64th element is the smallest: the sampled threshold passes too few, and
  // topk counts the keys' top bits instead.
  std::vector<double> skewed(70000);
  for (size_t j = 0; j < skewed.size(); ++j) skewed[j] = j % 64 == 0 ? static_cast<double>(j) : 1e6 - static_cast<double>(j % 977);
  const auto sk = ts::from_vector(skewed, {70000});
  std::vector<int64_t> sk_order(skewed.size());
  std::iota(sk_order.begin(), sk_order.end(), 0);
  std::stable_sort(sk_order.begin(), sk_order.end(), [&](int64_t a, int64_t b) { return skewed[a] < skewed[b]; });
  CHECK(sk.topk(1000, 0, false).indices.to_vector() == std::vector<int64_t>(sk_order.begin(), sk_order.begin() + 1000));
  // Rows sort independently of the thread count, and a long row's topk gathers its candidates
  // in fixed ranges of the row, whatever the thread count.
  const auto rows = ts::from_vector(data, {700, 100});
  ts::set_num_threads(1);
  const auto one = rows.sort(1, true);
  const auto top_one = x.topk(100);
  ts::set_num_threads(3);
  const auto three = rows.sort(1, true);
  const auto top_three = x.topk(100);
  ts::set_num_threads(2);
  CHECK(ts::equal(one.indices, three.indices));
  CHECK(ts::equal(top_one.indices, top_three.indices));
  CHECK(ts::equal(top_one.indices, top.indices));
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

TEST_CASE("unique and friends: PyTorch's errors and spellings") {
  const auto i = ts::tensor({0, 2, 2, 5});
  CHECK(error_of([&] { ts::bincount(ts::tensor({0, -2})); }) == "bincount only supports 1-d non-negative integral inputs.");
  CHECK(error_of([&] { ts::bincount(ts::tensor({{0, 2}})); }) == "bincount only supports 1-d non-negative integral inputs.");
  CHECK(error_of([&] { ts::bincount(ts::tensor({0.0f, 2.0f})); }) == "\"bincount_cpu\" not implemented for 'Float'");
  CHECK(error_of([&] { ts::bincount(i, std::nullopt, -1); }) == "bincount: minlength should be >= 0");
  CHECK(error_of([&] { ts::bincount(i, ts::tensor({1.0f})); }) ==
        "bincount: weights should be 1-d and have the same length as input");
  const auto f = ts::tensor({1.0f, 2.0f, 1.0f});
  CHECK(error_of([&] { ts::histc(i); }) == "\"histogram_cpu\" not implemented for 'Long'");
  CHECK(error_of([&] { ts::histc(f, 0); }) == "torch.histogram(): bins must be > 0, but got 0 for dimension 0");
  CHECK(error_of([&] { ts::histc(f, 4, 3, 0); }) == "torch.histc: max must be larger than min");
  CHECK(error_of([&] { ts::histc(ts::tensor({1.0f, INFINITY})); }) == "torch.histc: range of [1, inf] is not finite");
  const auto seq = ts::tensor({1, 3, 5, 7, 9});
  CHECK(error_of([&] { ts::searchsorted(seq, i, false, true, "left"); }) ==
        "torch.searchsorted(): side and right can't be set to opposites, got side of left while right was True");
  CHECK(error_of([&] { ts::searchsorted(seq, i, false, false, "middle"); }) ==
        "torch.searchsorted(): side can only be 'left' or 'right' but got middle");
  CHECK(error_of([&] { ts::searchsorted(ts::tensor({{1, 3}, {5, 7}}), ts::tensor({5})); }) ==
        "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries "
        "tensor and input value tensor must match, but we got boundaries tensor [2, 2] and input value tensor [1]");
  CHECK(error_of([&] { ts::searchsorted(ts::tensor({{1, 3}, {5, 7}}), 5); }) ==
        "torch.searchsorted(): input value can be a scalar only when boundaries tensor dimension is 1, but we got "
        "boundaries tensor dim(2) and input value's dim(0) numel(1)");
  CHECK(error_of([&] { ts::searchsorted(ts::tensor({1, 3}), ts::tensor({5}), false, false, std::nullopt, ts::tensor({0})); }) ==
        "torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor [2]and got sorter "
        "tensor [1]");
  // PyTorch 1.13 reads outside the boundaries here; PyTorch 2 refuses, and so does tessera.
  for (const int64_t bad : {int64_t{2}, int64_t{-1}, int64_t{1} << 40})
    CHECK(error_of([&] { ts::searchsorted(ts::tensor({1, 3}), ts::tensor({5}), false, false, std::nullopt, ts::tensor({int64_t{0}, bad})); }) ==
          "torch.searchsorted(): sorter index out of range");
  CHECK(error_of([&] { ts::bucketize(ts::tensor({1, 3}), ts::tensor({{1, 3}})); }) ==
        "bucketize: boundaries tensor must be 1 dimension, but got dim(2)");
  CHECK(error_of([&] { ts::searchsorted(seq, i, true); }).find("searchsorted: out_int32 = true needs the result type int32_t") == 0);
  CHECK(error_of([&] { ts::searchsorted(ts::tensor({true, false}), ts::tensor({true})); }) ==
        "\"searchsorted_out_cpu\" not implemented for 'Bool'");
  const auto h = ts::tensor({1.0f, 1.0f}).to<ts::half>();
  CHECK(error_of([&] { h.unique(); }) == "\"unique\" not implemented for 'Half'");
  CHECK(error_of([&] { h.unique(true, false, false, 0); }) == "\"unique_dim\" not implemented for 'Half'");
  CHECK(error_of([&] { h.unique_consecutive(); }) == "\"unique\" not implemented for 'Half'");
  // Results not asked for are absent (Note [unique's results]).
  const auto u = ts::unique(i);
  CHECK(!u.inverse.has_value());
  CHECK(!u.counts.has_value());
  CHECK_THROWS_AS(u.inverse.value(), std::bad_optional_access);
  auto [values, inverse, counts] = ts::unique(i, true, true, true);
  CHECK(values.to_vector() == std::vector<int64_t>{0, 2, 5});
  CHECK(inverse->to_vector() == std::vector<int64_t>{0, 1, 1, 2});
  CHECK(counts->to_vector() == std::vector<int64_t>{1, 2, 1});
  CHECK(i.unique(false).values.to_vector() == std::vector<int64_t>{0, 2, 5});  // sorted either way
  CHECK(ts::count_nonzero(i).item() == 3);
  CHECK(i.count_nonzero().item() == 3);
  CHECK(ts::equal(i.bincount(std::nullopt, 7), ts::bincount(i, std::nullopt, 7)));
  CHECK(ts::equal(i.bincount(ts::tensor({1.0, 2.0, 3.0, 4.0})), ts::tensor({1.0, 0.0, 5.0, 0.0, 0.0, 4.0})));
  CHECK(ts::equal(f.histc(3), ts::histc(f, 3)));
  CHECK(ts::count_nonzero(ts::tensor({{0, 1}, {2, 0}}), 0).to_vector() == std::vector<int64_t>{1, 1});
}


TEST_CASE("histogram gives PyTorch's counts, edges, densities and messages", "[sort][golden]") {
  using call_cases::got;
  const Tensor<float> x = ts::tensor({1.0f, 2.0f, 1.0f, 2.5f, 4.0f, -1.0f, 5.0f}), w = ts::arange<float>(0, 7);
  // the generator's inputs, of exactly rounded operations
  const Tensor<float> u = (ts::arange(200) * 37).remainder(101).to<float>() / 101.0f * 6.0f - 3.0f;
  const Tensor<double> d = (ts::arange(50) * 13).remainder(29).to<double>() / 14.5;
  const Tensor<float> ut = u.reshape({10, 20}).t();
  // histogramdd's points and weights; its (hist, bin_edges) as hist then each dim's edges
  const Tensor<float> p = ts::tensor({{0.0f, 1.0f}, {0.5f, 0.2f}, {1.0f, 1.0f}, {0.25f, 0.75f}, {2.0f, -1.0f}});
  const Tensor<float> pw = ts::arange<float>(1, 6);
  const Tensor<float> v = ((ts::arange(300) * 37).remainder(101).to<float>() / 101.0f * 6.0f - 3.0f).reshape({100, 3});
  const auto dd = []<class T>(const std::tuple<Tensor<T>, std::vector<Tensor<T>>>& r) {
    std::vector<Tensor<T>> parts{std::get<0>(r)};
    for (const auto& e : std::get<1>(r)) parts.push_back(e);
    return got(parts);
  };
  const std::map<std::string, std::function<call_cases::Got()>> values = {
      {"dd(p, bins=2)", [&] { return dd(ts::histogramdd(p, 2)); }},
      {"dd(p, bins=[2, 3])", [&] { return dd(ts::histogramdd(p, std::vector<int64_t>{2, 3})); }},
      {"dd(p, bins=[2, 3], range=[0., 1., 0., 1.])",
       [&] { return dd(ts::histogramdd(p, std::vector<int64_t>{2, 3}, std::vector<double>{0, 1, 0, 1})); }},
      {"dd(p, bins=[2, 3], weight=pw, density=True)",
       [&] { return dd(ts::histogramdd(p, std::vector<int64_t>{2, 3}, std::nullopt, pw, true)); }},
      {"dd(p, bins=[torch.tensor([0., 0.5, 2.]), torch.tensor([-1., 0., 1.])])",
       [&] { return dd(ts::histogramdd(p, std::vector<Tensor<float>>{ts::tensor({0.0f, 0.5f, 2.0f}), ts::tensor({-1.0f, 0.0f, 1.0f})})); }},
      {"dd(p.unsqueeze(0), bins=2)", [&] { return dd(ts::histogramdd(p.unsqueeze(0), 2)); }},
      {"dd(p[:0], bins=2)", [&] { return dd(ts::histogramdd(p.narrow(0, 0, 0), 2)); }},
      {"dd(torch.tensor([[1., 1.], [1., 2.]]), bins=2)", [&] { return dd(ts::histogramdd(ts::tensor({{1.0f, 1.0f}, {1.0f, 2.0f}}), 2)); }},
      {"dd(v, bins=[4, 3, 5])", [&] { return dd(ts::histogramdd(v, std::vector<int64_t>{4, 3, 5})); }},
      {"dd(v, bins=3, range=[-1., 1., -2., 2., 0., 3.], weight=v[:, 0].abs(), density=True)",
       [&] { return dd(ts::histogramdd(v, 3, std::vector<double>{-1, 1, -2, 2, 0, 3}, v.select(1, 0).abs(), true)); }},
      {"dd(v.double(), bins=[2, 6, 3])", [&] { return dd(ts::histogramdd(v.to<double>(), std::vector<int64_t>{2, 6, 3})); }},
      {"dd(p, bins=[2, 3, 4])", [&] { return dd(ts::histogramdd(p, std::vector<int64_t>{2, 3, 4})); }},
      {"torch.histogram(x, 4)", [&] { return got(ts::histogram(x, 4)); }},
      {"torch.histogram(x, 4, range=(0., 4.))", [&] { return got(ts::histogram(x, 4, {{0.0, 4.0}})); }},
      {"torch.histogram(torch.tensor([3., 3.]), 2)", [&] { return got(ts::histogram(ts::tensor({3.0f, 3.0f}), 2)); }},
      {"torch.histogram(x, torch.tensor([0., 1., 3., 4.]), weight=w, density=True)",
       [&] { return got(ts::histogram(x, ts::tensor({0.0f, 1.0f, 3.0f, 4.0f}), w, true)); }},
      {"torch.histogram(x, torch.tensor([0., 1., 3., 4.]))",
       [&] { return got(ts::histogram(x, ts::tensor({0.0f, 1.0f, 3.0f, 4.0f}))); }},
      {"torch.histogram(torch.zeros(0), 3)", [&] { return got(ts::histogram(ts::zeros<float>({0}), 3)); }},
      {"torch.histogram(torch.zeros(0), 3, range=(1., 2.))",
       [&] { return got(ts::histogram(ts::zeros<float>({0}), 3, {{1.0, 2.0}})); }},
      {"torch.histogram(x, torch.tensor([1., 0.]))", [&] { return got(ts::histogram(x, ts::tensor({1.0f, 0.0f}))); }},
      {"torch.histogram(u, 17)", [&] { return got(ts::histogram(u, 17)); }},
      {"torch.histogram(u, 10, range=(-1., 2.))", [&] { return got(ts::histogram(u, 10, {{-1.0, 2.0}})); }},
      {"torch.histogram(u, 7, density=True)", [&] { return got(ts::histogram(u, 7, std::nullopt, {}, true)); }},
      {"torch.histogram(u.reshape(10, 20).T, 9, weight=u.reshape(10, 20).T.abs())",
       [&] { return got(ts::histogram(ut, 9, std::nullopt, ut.abs())); }},
      {"torch.histogram(d, 11)", [&] { return got(ts::histogram(d, 11)); }},
      {"torch.histogram(d, 5, range=(0.5, 1.5), density=True)", [&] { return got(ts::histogram(d, 5, {{0.5, 1.5}}, {}, true)); }},
      {"torch.histogram(x, 3, range=(1., 1.))", [&] { return got(ts::histogram(x, 3, {{1.0, 1.0}})); }},
      {"x.histogram(3)", [&] { return got(x.histogram(3)); }},
      {"x.histogram(torch.tensor([-1., 2., 5.]), weight=w)", [&] { return got(x.histogram(ts::tensor({-1.0f, 2.0f, 5.0f}), w)); }},
      {"torch.histogram(u.reshape(10, 20), 4, weight=u.abs())",
       [&] { return got(ts::histogram(u.reshape({10, 20}), 4, std::nullopt, u.abs())); }},
  };
  call_cases::check_value_cases("histogram.txt", values, [](const auto& have, const auto& want, const auto&) {
    CHECK(call_cases::same_values(have.values, want.values));
  });
  const Tensor<float> edges = ts::tensor({0.0f, 1.0f, 3.0f});
  std::get<1>(ts::histogram(x, edges)).zero_();  // the returned edges are a copy, as PyTorch's
  CHECK(edges.to_vector() == std::vector<float>{0.0f, 1.0f, 3.0f});
  call_cases::check_error_cases(
      "histogram.txt",
      std::map<std::string, std::function<void()>>{
          {"torch.histogram(x, 0)", [&] { ts::histogram(x, 0); }},
          {"torch.histogram(x, 3, range=(2., 1.))", [&] { ts::histogram(x, 3, {{2.0, 1.0}}); }},
          {"torch.histogram(x.long(), 3)", [&] { ts::histogram(x.to<int64_t>(), 3); }},
          {"torch.histogram(x, torch.tensor([[0., 1.]]))", [&] { ts::histogram(x, ts::tensor({{0.0f, 1.0f}})); }},
          {"torch.histogram(x, 3, weight=torch.ones(3))", [&] { ts::histogram(x, 3, std::nullopt, ts::ones<float>({3})); }},
          {"torch.histogram(x, torch.tensor([0.]))", [&] { ts::histogram(x, ts::tensor({0.0f})); }},
          {"torch.histogram(torch.tensor([float('nan')]), 2)", [&] { ts::histogram(ts::tensor({NAN}), 2); }},
          {"dd(p[0], bins=2)", [&] { ts::histogramdd(p[0], 2); }},
          {"dd(p, bins=[2])", [&] { ts::histogramdd(p, std::vector<int64_t>{2}); }},
          {"dd(p, bins=0)", [&] { ts::histogramdd(p, 0); }},
          {"dd(p, bins=2, range=[0., 1.])", [&] { ts::histogramdd(p, 2, std::vector<double>{0, 1}); }},
          {"dd(p, bins=2, weight=pw[:3])", [&] { ts::histogramdd(p, 2, std::nullopt, pw.narrow(0, 0, 3)); }},
          {"dd(p.int(), bins=2)", [&] { ts::histogramdd(p.to<int32_t>(), 2); }},
          {"dd(p, bins=2, range=[1., 0., 0., 1.])", [&] { ts::histogramdd(p, 2, std::vector<double>{1, 0, 0, 1}); }},
          {"dd(p, bins=[torch.tensor([0., 0.5, 2.]), torch.tensor([1.])])",
           [&] { ts::histogramdd(p, std::vector<Tensor<float>>{ts::tensor({0.0f, 0.5f, 2.0f}), ts::tensor({1.0f})}); }},
          {"dd(p, bins=[torch.tensor([0., 0.5, 2.]), torch.tensor([[1., 2.]])])",
           [&] { ts::histogramdd(p, std::vector<Tensor<float>>{ts::tensor({0.0f, 0.5f, 2.0f}), ts::tensor({{1.0f, 2.0f}})}); }},
          {"dd(p, bins=[torch.tensor([0., 0.5, 2.])])",
           [&] { ts::histogramdd(p, std::vector<Tensor<float>>{ts::tensor({0.0f, 0.5f, 2.0f})}); }},
          {"dd(torch.tensor([[float('nan'), 1.]]), bins=2)", [&] { ts::histogramdd(ts::tensor({{NAN, 1.0f}}), 2); }},
          {"dd(p, bins=2, range=[0., float('inf'), 0., 1.])",
           [&] { ts::histogramdd(p, 2, std::vector<double>{0, INFINITY, 0, 1}); }},
          {"torch.histogram(x, 3, range=(0., float('inf')))", [&] { ts::histogram(x, 3, {{0.0, INFINITY}}); }},
          {"torch.histogram(x, torch.tensor([]))", [&] { ts::histogram(x, ts::zeros<float>({0})); }},
          {"torch.histogram(x, 3, range=(float('inf'), 0.))", [&] { ts::histogram(x, 3, {{INFINITY, 0.0}}); }},
      });
}

}  // namespace test_sort
