// Unary math, clamp, where, lerp and masked_fill against PyTorch, for every dtype.

#include "elementwise_golden.hpp"

namespace test_elementwise_unary {

namespace {

template <class A>
void run_unary(const golden::Record& r) {
  const auto a = golden::operand<A>(r, "a_");
  const std::string op = r.get("op");
  if (op == "isnan") return golden::check(r, a.isnan());
  if (op == "isinf") return golden::check(r, ts::isinf(a));
  if (op == "isfinite") return golden::check(r, a.isfinite());
  if (op == "logical_not") return golden::check(r, ts::logical_not(a));
  if constexpr (!std::is_same_v<A, bool>) {
    if (op == "neg") return golden::check(r, -a);
  }
  if (op == "sign") return golden::check(r, a.sign());
  if (op == "abs") return golden::check(r, a.abs());
  if (op == "floor") return golden::check(r, ts::floor(a));
  if (op == "ceil") return golden::check(r, a.ceil());
  if (op == "round") return golden::check(r, a.round());
  if (op == "relu") return golden::check(r, a.relu());
  if (op == "sqrt") return golden::check(r, a.sqrt());
  if (op == "rsqrt") return golden::check(r, a.rsqrt());
  if (op == "exp") return golden::check(r, a.exp());
  if (op == "expm1") return golden::check(r, a.expm1());
  if (op == "log") return golden::check(r, a.log());
  if (op == "log1p") return golden::check(r, a.log1p());
  if (op == "log2") return golden::check(r, a.log2());
  if (op == "sin") return golden::check(r, a.sin());
  if (op == "cos") return golden::check(r, a.cos());
  if (op == "tan") return golden::check(r, a.tan());
  if (op == "tanh") return golden::check(r, a.tanh());
  if (op == "sigmoid") return golden::check(r, a.sigmoid());
  if (op == "gelu") return golden::check(r, a.gelu());
  if (op == "softplus") return golden::check(r, a.softplus());
  FAIL("unknown op " << op << " for " << r.name);
}

// The golden bounds are integers, as in the generator: an integral bound keeps an integral
// tensor's type (a floating one would give float, as torch.clamp).
std::optional<int64_t> bound(const std::string& s) {
  if (s == "none") return std::nullopt;
  return std::stoll(s);
}

}  // namespace

TEST_CASE("unary ops match PyTorch for every dtype", "[elementwise]") {
  int checked = 0;
  for (const auto& r : golden::load("elementwise.txt")) {
    if (r.has("b_dtype") || r.has("c_dtype") || r.has("scalar") || r.has("bounds")) continue;
    ts::dispatch(golden::dtype(r.get("a_dtype")), [&]<class A>(std::type_identity<A>) { run_unary<A>(r); });
    ++checked;
  }
  CHECK(checked > 300);
}

TEST_CASE("clamp, where, lerp and masked_fill match PyTorch", "[elementwise]") {
  int checked = 0;
  for (const auto& r : golden::load("elementwise.txt")) {
    const std::string op = r.get("op");
    if (op == "clamp") {
      const auto b = golden::tokens(r.get("bounds"));
      ts::dispatch(golden::dtype(r.get("a_dtype")), [&]<class A>(std::type_identity<A>) {
        if constexpr (!std::is_same_v<A, bool>) golden::check(r, golden::operand<A>(r, "a_").clamp(bound(b[0]), bound(b[1])));
      });
    } else if (op == "where") {
      golden::with_pair(golden::dtype(r.get("a_dtype")), golden::dtype(r.get("b_dtype")), [&]<class P>(P) {
        golden::check(r, ts::where(golden::operand<bool>(r, "c_"), golden::operand<typename P::first>(r, "a_"),
                                   golden::operand<typename P::second>(r, "b_")));
      });
    } else if (op == "lerp") {
      ts::dispatch(golden::dtype(r.get("a_dtype")), [&]<class A>(std::type_identity<A>) {
        if constexpr (ts::is_floating_v<A>)
          golden::check(r, golden::operand<A>(r, "a_").lerp(golden::operand<A>(r, "b_"), std::stod(r.get("weight"))));
      });
    } else if (op == "masked_fill") {
      ts::dispatch(golden::dtype(r.get("a_dtype")), [&]<class A>(std::type_identity<A>) {
        golden::check(r, golden::operand<A>(r, "a_").masked_fill(golden::operand<bool>(r, "c_"), 1));
      });
    } else {
      continue;
    }
    ++checked;
  }
  CHECK(checked > 30);
}

TEST_CASE("unary in-place and _out forms", "[elementwise]") {
  auto x = ts::tensor({-1.5, 2.25});
  x.abs_().sqrt_();
  CHECK(x.to_vector() == std::vector<float>{std::sqrt(1.5f), 1.5f});
  auto out = ts::empty<double>({2});
  ts::exp_out(out, ts::tensor({0.0, 1.0}));
  CHECK(out.to_vector()[1] == Approx(std::exp(1.0)));
  CHECK_THROWS_WITH(ts::tensor({1, 2}).sqrt_(), Catch::Contains("can't be cast to the desired output type torch.int64"));
  CHECK(ts::equal(ts::tensor({1, 2}), ts::tensor({1, 2})));
  CHECK_FALSE(ts::equal(ts::tensor({1, 2}), ts::tensor({{1, 2}})));
  CHECK_FALSE(ts::equal(ts::tensor({NAN}), ts::tensor({NAN})));
  CHECK(ts::allclose(ts::tensor({1.0, 2.0}), ts::tensor({1.0, 2.00001})));
  CHECK_FALSE(ts::allclose(ts::tensor({1.0}), ts::tensor({1.1})));
  CHECK_THROWS_WITH(ts::where(ts::tensor({true, false}), ts::zeros({3}), ts::zeros({3})),
                    Catch::Contains("where: shapes [2] and [3] cannot be broadcast"));
  CHECK_THROWS_WITH(ts::zeros({2}).clamp(std::nullopt, std::nullopt), Catch::Contains("at least one of"));
}

TEST_CASE("vector exp and tanh give the same bits wherever threads and runs cut", "[elementwise][threads]") {
  // Note [Whole-vector elementwise runs]: an element computed at the edge of a run (a thread's
  // chunk, a short tensor, a row) goes through the same vector arithmetic as one in the middle.
  const auto x = ts::linspace(-20, 20, 1000003);
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2, 3}) {
    ts::set_num_threads(threads);
    results.push_back(x.exp().to_vector());
    results.push_back(x.tanh().to_vector());
  }
  ts::set_num_threads(2);
  for (size_t r = 2; r < results.size(); ++r)
    CHECK(std::memcmp(results[r].data(), results[r % 2].data(), results[r].size() * sizeof(float)) == 0);
  for (int64_t begin : {0, 3, 17, 1000}) {  // short runs, one row of a 2-D tensor each
    const auto part = x.slice(0, begin, begin + 7);
    const auto rows = x.slice(0, begin, begin + 21).reshape({3, 7});
    const auto whole = results[0];
    const auto e = part.exp().to_vector(), r = rows.exp().to_vector();
    CHECK(std::memcmp(e.data(), whole.data() + begin, e.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(r.data(), whole.data() + begin, r.size() * sizeof(float)) == 0);
  }
}

}  // namespace test_elementwise_unary
