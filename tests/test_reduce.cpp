// Reductions against PyTorch: values, dtypes and shapes over all/one/several dims with keepdim,
// strided inputs, ties and NaN, empty and 0-dim inputs; thread-count invariance; errors.

#include "elementwise_golden.hpp"

namespace test_reduce {

namespace {

// Float sums may add in a different order than PyTorch; with cancellation the difference is
// bounded by the input's magnitude, not the result's.
template <class R>
void check_result(const golden::Record& r, const ts::Tensor<R>& out, int k, bool exact, double scale = 0) {
  const std::string key = "result" + std::to_string(k);
  INFO("case " << r.name << " (" << key << "): got " << out);
  REQUIRE(out.dtype() == golden::dtype(r.get(key + "_dtype")));
  REQUIRE(out.sizes() == ts::Shape(golden::ints(r.get(key + "_shape"))));
  const auto got = out.to_vector();
  const auto want = golden::values<R>(r.get(key));
  INFO("want " << ts::from_vector(want, out.sizes()));
  if constexpr (ts::is_floating_v<R>) {
    if (!exact) {
      const double rtol = std::is_same_v<R, double> ? 1e-12 : std::is_same_v<R, float> ? 2e-5 : 1e-2;
      REQUIRE(got.size() == want.size());
      for (size_t i = 0; i < got.size(); ++i) {
        const double g = static_cast<double>(got[i]), w = static_cast<double>(want[i]);
        INFO("element " << i << ": " << g << " vs " << w);
        if (std::isnan(w) || std::isinf(w)) {
          CHECK(((std::isnan(g) && std::isnan(w)) || g == w));
        } else {
          CHECK(std::fabs(g - w) <= rtol * (std::fabs(w) + scale) + rtol * 1e-2);
        }
      }
      return;
    }
  }
  CHECK(golden::same_bits(got, want));
}

template <class T>
void run(const golden::Record& r) {
  auto x = golden::operand<T>(r, "a_");
  if (r.has("a_op")) x = x.transpose(0, 2).contiguous().transpose(0, 2);  // same values, strided
  const std::string op = r.get("op");
  const auto args = golden::tokens(r.get("args"));
  const bool all = args[0] == "all";
  const bool keepdim = args.back() == "keepdim";
  ts::Shape dims;
  if (!all)
    for (const auto& a : args)
      if (a != "keepdim") dims.push_back(std::stoll(a));
  double scale = 0;  // the largest input magnitude, for sums with cancellation
  for (T v : x.to_vector())
    if (std::isfinite(static_cast<double>(v))) scale = std::max(scale, std::fabs(static_cast<double>(v)));
  auto check = [&](const auto& out, bool exact = true) { check_result(r, out, 0, exact, scale); };
  constexpr bool floating = ts::is_floating_v<T>;
  if (op == "sum") return check(all ? x.sum() : x.sum(dims, keepdim), !floating);
  if (op == "prod") return check(all ? x.prod() : x.prod(dims, keepdim), !floating);
  if (op == "amax") return check(all ? x.amax() : x.amax(dims, keepdim));
  if (op == "amin") return check(all ? x.amin() : x.amin(dims, keepdim));
  if (op == "all") return check(all ? x.all() : x.all(dims, keepdim));
  if (op == "any") return check(all ? x.any() : x.any(dims, keepdim));
  if (op == "logsumexp") return check(all ? x.logsumexp() : x.logsumexp(dims, keepdim), false);
  if (op == "cumsum") return check(x.cumsum(dims[0]));
  if (op == "argmax") return check(all ? x.argmax() : x.argmax(dims[0]));
  if (op == "argmin") return check(all ? x.argmin() : x.argmin(dims[0]));
  if (op == "max" || op == "min") {
    if (all) return check(op == "max" ? x.max() : x.min());
    auto [values, indices] = op == "max" ? x.max(dims[0], keepdim) : x.min(dims[0], keepdim);
    check_result(r, values, 0, true);
    check_result(r, indices, 1, true);
    return;
  }
  if constexpr (floating) {
    if (op == "mean") return check(all ? x.mean() : x.mean(dims, keepdim), false);
    if (op == "mean_exact") return check(all ? x.mean() : x.mean(dims, keepdim), true);
    if (op == "norm") return check(all ? x.norm() : x.norm(2, dims, keepdim), false);
    if (op == "var") return check(all ? x.var() : x.var(dims, true, keepdim), false);
    if (op == "std") return check(all ? x.std() : x.std(dims, true, keepdim), false);
    // PyTorch's positional signatures (Note [var and std signatures]).
    if (op == "var_biased") return check(all ? x.var(false) : x.var(dims, false, keepdim), false);
    if (op == "std_biased") return check(all ? x.std(false) : x.std(dims, false, keepdim), false);
    if (op == "var_correction2") return check(x.var(dims, {.correction = 2, .keepdim = keepdim}), false);
    if (op == "std_correction2") return check(x.std(dims, {.correction = 2, .keepdim = keepdim}), false);
    if (op == "var_mean" || op == "std_mean") {
      auto [spread, mean] = op == "var_mean" ? ts::var_mean(x, dims, false, keepdim) : ts::std_mean(x, dims, false, keepdim);
      check_result(r, spread, 0, false, scale);
      check_result(r, mean, 1, false, scale);
      return;
    }
    if (op.starts_with("norm_p")) {
      const double p = std::stod(op.substr(6));
      return check(all ? x.norm(p) : x.norm(p, dims, keepdim), false);
    }
    if (op == "norm_fro") return check(x.norm("fro", dims, keepdim), false);
    if (op == "softmax") return check(x.softmax(dims[0]), false);
    if (op == "log_softmax") return check(x.log_softmax(dims[0]), false);
  }
  FAIL("unknown reduction " << op << " in " << r.name);
}

}  // namespace

TEST_CASE("reductions match PyTorch", "[reduce]") {
  int checked = 0;
  for (const auto& r : golden::load("reductions.txt")) {
    ts::dispatch(golden::dtype(r.get("a_dtype")), [&]<class T>(std::type_identity<T>) { run<T>(r); });
    ++checked;
  }
  CHECK(checked > 1000);
}

TEST_CASE("reductions are bit-identical for any number of threads", "[reduce][threads]") {
  const auto x = ts::arange(3000000.0).reshape({1000, 3000}) * 1.0001 + 0.37;
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2, 3, 4}) {
    ts::set_num_threads(threads);
    std::vector<float> r;
    for (auto t : {x.sum(), x.mean(), x.norm()}) r.push_back(t.item());
    for (float v : x.sum(0).to_vector()) r.push_back(v);
    for (float v : x.sum(1).to_vector()) r.push_back(v);
    for (float v : x.var(1).to_vector()) r.push_back(v);
    results.push_back(r);
  }
  ts::set_num_threads(2);
  for (const auto& r : results) CHECK(std::memcmp(r.data(), results[0].data(), r.size() * sizeof(float)) == 0);
}

TEST_CASE("column sums: blocks of rows and strips of columns, any thread count", "[reduce][threads]") {
  // [outer, reduced, inner] with several row blocks, several column strips and a partial strip.
  const auto x = ts::sin(ts::arange(3 * 300 * 5000.0).reshape({3, 300, 5000})) + 0.25;
  const auto exact = x.to<double>().sum(1);
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2, 3}) {
    ts::set_num_threads(threads);
    const auto s = x.sum(1);
    REQUIRE(s.sizes() == ts::Shape{3, 5000});
    CHECK(ts::allclose(s.to<double>(), exact, 1e-5, 1e-4));
    results.push_back(s.to_vector());
    CHECK(x.sum(std::vector<int64_t>{1}, /*keepdim=*/true).sizes() == ts::Shape{3, 1, 5000});
  }
  ts::set_num_threads(2);
  for (const auto& r : results) CHECK(std::memcmp(r.data(), results[0].data(), r.size() * sizeof(float)) == 0);
  CHECK(ts::zeros({0, 7}).sum(0).to_vector() == std::vector<float>(7, 0.0f));
}

TEST_CASE("float sums are accurate: pairwise within blocks, blocks combined pairwise", "[reduce]") {
  CHECK(ts::ones({1 << 24}).sum().item() == 16777216.0f);
  const int64_t n = 10000000;
  auto x = ts::arange(n).to<double>() * 0.6180339887 - ts::floor(ts::arange(n).to<double>() * 0.6180339887);
  const double exact = x.sum().item();
  const double got = x.to<float>().sum().item();
  CHECK(std::fabs(got - exact) <= 1e-6 * exact);
}

TEST_CASE("reduction errors", "[reduce][errors]") {
  auto x = ts::zeros({2, 3});
  CHECK_THROWS_WITH(x.sum(2), Catch::Contains("sum: dimension out of range"));
  CHECK_THROWS_WITH(x.sum({0, 0}), Catch::Contains("dim 0 appears multiple times"));
  CHECK_THROWS_WITH(ts::zeros({0}).max(), Catch::Contains("max: Expected reduction dim to be specified"));
  CHECK_THROWS_WITH(ts::zeros({0, 2}).amax(0), Catch::Contains("Expected reduction dim 0 to have non-zero size"));
  CHECK_THROWS_WITH(ts::zeros({0}).argmax(), Catch::Contains("argmax"));
  CHECK_THROWS_WITH(x.softmax(2), Catch::Contains("softmax: dimension out of range"));
}

TEST_CASE("integer sums, products and cumsums wrap in two's complement, as PyTorch's", "[reduce][overflow]") {
  // Note [Wrapping integer arithmetic]; values from torch 1.13, UBSan-clean under TESSERA_SANITIZE
  constexpr int64_t M = INT64_MAX, m = INT64_MIN;
  const auto x = ts::tensor({M, M, int64_t{5}});
  CHECK(x.sum().item() == 3);
  CHECK(x.prod().item() == 5);
  CHECK(x.cumsum(0).to_vector() == std::vector<int64_t>{M, -2, 3});
  CHECK(ts::full<int64_t>({100}, int64_t{1} << 62).sum().item() == 0);  // the pairwise tree
  CHECK(ts::full<int64_t>({70}, 3).prod().item() == 2293070008301402073);
  const auto z = ts::tensor<int32_t>({INT32_MAX, INT32_MAX});  // int32 sums in int64
  CHECK(z.sum().item() == 4294967294);
  CHECK(z.cumsum(0).to_vector() == std::vector<int64_t>{2147483647, 4294967294});
  CHECK(z.prod().item() == 4611686014132420609);
  const auto w = ts::tensor({{M, int64_t{1}}, {int64_t{1}, M}});
  CHECK(w.sum(0).to_vector() == std::vector<int64_t>{m, m});
  CHECK(w.sum(1).to_vector() == std::vector<int64_t>{m, m});
}

// The old spellings that meant something else in tessera.
template <class X>
concept norm_of_dims_keepdim = requires(const X& t) { t.norm(ts::Shape{0}, true); };
template <class X>
concept var_keepdim_then_correction = requires(const X& t) { t.var(ts::Shape{0}, true, true, 0); };

TEST_CASE("var, std and norm take PyTorch's positional arguments", "[reduce]") {
  const auto x = ts::tensor({{1., 2., 4.}, {3., 5., 9.}});
  // var(dim, unbiased, keepdim): the second argument is `unbiased`, never keepdim.
  CHECK(ts::allclose(x.var(1, false), ts::tensor({14. / 9, 56. / 9})));
  CHECK(ts::allclose(x.var(1), ts::tensor({7. / 3, 28. / 3})));
  CHECK(x.var(1, true, true).sizes() == ts::Shape{2, 1});
  CHECK(ts::allclose(x.var(false), ts::var(x, false)));
  // norm(p, dim, keepdim): norm(x, 1) is the L1 norm of every element.
  CHECK(ts::norm(x, 1).item() == 24.f);
  CHECK(ts::allclose(x.norm(1, 1), ts::tensor({7., 17.})));
  // The old spellings that meant something else do not compile.
  STATIC_REQUIRE(!norm_of_dims_keepdim<ts::Tensor<float>>);
  STATIC_REQUIRE(!var_keepdim_then_correction<ts::Tensor<float>>);
  CHECK_THROWS_WITH(x.norm("nuc", {0, 1}), Catch::Contains("norm: p = \"nuc\" is not supported"));
}

TEST_CASE("a half mean rounds its sum to half, as PyTorch's; the norms and pooling keep theirs in float") {
  const auto x = ts::ones<ts::half>({64, 1, 32, 32});  // 65536 ones: their sum overflows half
  CHECK(std::isnan(static_cast<float>(x.mean().item())));  // as torch.mean gives
  namespace F = ts::nn::functional;
  CHECK(ts::equal(F::adaptive_avg_pool2d(x, 1), ts::ones<ts::half>({64, 1, 1, 1})));
  CHECK(static_cast<float>(F::batch_norm(x, {}, {}, {}, {}, true).abs().max().item()) == 0.0f);
  CHECK(static_cast<float>(F::group_norm(x, 1).abs().max().item()) == 0.0f);
}

}  // namespace test_reduce
