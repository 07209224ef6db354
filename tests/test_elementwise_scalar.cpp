// Tensor-scalar ops against PyTorch: C++ scalars on either side follow Python scalar rules.

#include "elementwise_golden.hpp"

namespace test_elementwise_scalar {

namespace {

template <bool right, class A, class S>
void run_scalar(const golden::Record& r, const ts::Tensor<A>& a, S s) {
  const std::string op = r.get("op");
  auto call = [&](auto f) {
    if constexpr (right) golden::check(r, f(a, s));
    else golden::check(r, f(s, a));
  };
  if (op == "add") call([](auto x, auto y) { return x + y; });
  else if (op == "sub") call([](auto x, auto y) { return x - y; });
  else if (op == "mul") call([](auto x, auto y) { return x * y; });
  else if (op == "div") call([](auto x, auto y) { return x / y; });
  else if (op == "remainder") call([](auto x, auto y) { return ts::remainder(x, y); });
  else if (op == "fmod") call([](auto x, auto y) { return ts::fmod(x, y); });
  else if (op == "floor_divide") call([](auto x, auto y) { return ts::floor_divide(x, y); });
  else if (op == "pow") call([](auto x, auto y) { return ts::pow(x, y); });
  else if (op == "minimum") call([](auto x, auto y) { return ts::minimum(x, y); });
  else if (op == "maximum") call([](auto x, auto y) { return ts::maximum(x, y); });
  else if (op == "eq") call([](auto x, auto y) { return x == y; });
  else if (op == "ne") call([](auto x, auto y) { return x != y; });
  else if (op == "lt") call([](auto x, auto y) { return x < y; });
  else if (op == "le") call([](auto x, auto y) { return x <= y; });
  else if (op == "gt") call([](auto x, auto y) { return x > y; });
  else if (op == "ge") call([](auto x, auto y) { return x >= y; });
  else if (op == "logical_and") call([](auto x, auto y) { return ts::logical_and(x, y); });
  else if (op == "logical_or") call([](auto x, auto y) { return ts::logical_or(x, y); });
  else FAIL("unknown op " << op);
}

template <class A>
void run(const golden::Record& r) {
  const auto a = golden::operand<A>(r, "a_");
  const auto scalar = golden::tokens(r.get("scalar"));
  const bool right = r.get("side") == "right";
  auto with = [&](auto s) { right ? run_scalar<true>(r, a, s) : run_scalar<false>(r, a, s); };
  if (scalar[0] == "bool") with(scalar[1] == "True");
  else if (scalar[0] == "int") with(static_cast<int>(std::stoll(scalar[1])));
  else with(std::stod(scalar[1]));
}

}  // namespace

TEST_CASE("tensor-scalar ops match PyTorch's Python-scalar rules", "[elementwise]") {
  int checked = 0;
  for (const auto& r : golden::load("elementwise.txt")) {
    if (!r.has("scalar")) continue;
    ts::dispatch(golden::dtype(r.get("a_dtype")), [&]<class A>(std::type_identity<A>) {
      if constexpr (std::is_same_v<A, int8_t> || std::is_same_v<A, int16_t>) FAIL("no scalar cases for " << r.name);
      else run<A>(r);
    });
    ++checked;
  }
  CHECK(checked > 900);
}

TEST_CASE("scalar result types follow API.md", "[elementwise]") {
  STATIC_REQUIRE(std::is_same_v<decltype(ts::zeros<int32_t>({1}) * 2.5), ts::Tensor<float>>);
  STATIC_REQUIRE(std::is_same_v<decltype(ts::zeros<uint8_t>({1}) + 1000), ts::Tensor<uint8_t>>);
  STATIC_REQUIRE(std::is_same_v<decltype(ts::zeros<float>({1}) * 2.0), ts::Tensor<float>>);
  STATIC_REQUIRE(std::is_same_v<decltype(ts::zeros<ts::half>({1}) * 2.0), ts::Tensor<ts::half>>);
  STATIC_REQUIRE(std::is_same_v<decltype(ts::zeros<bool>({1}) + 1), ts::Tensor<int64_t>>);
  STATIC_REQUIRE(std::is_same_v<decltype(ts::zeros<int64_t>({1}) / 2), ts::Tensor<float>>);
  STATIC_REQUIRE(std::is_same_v<decltype(ts::zeros<int32_t>({1}) / ts::zeros<int64_t>({1})), ts::Tensor<float>>);
  STATIC_REQUIRE(std::is_same_v<decltype(ts::zeros<double>({1}) < 1), ts::Tensor<bool>>);
  STATIC_REQUIRE(std::is_same_v<decltype(1.0 - ts::zeros<double>({1})), ts::Tensor<double>>);
  CHECK((ts::tensor<uint8_t>({250}) + 1000).item() == 226);
}

TEST_CASE("an integral tensor to a negative integral scalar power is an error, as in PyTorch", "[elementwise][errors]") {
  // torch 1.13: tensor([2, -1, 1, 0]).pow(-1) raises; a tensor of exponents, a floating exponent
  // and a scalar base compute (0 unless the base is 1 or -1)
  const auto x = ts::tensor({2, -1, 1, 0});
  CHECK_THROWS_WITH(x.pow(-1), "pow: Integers to negative integer powers are not allowed.");
  CHECK_THROWS_WITH(x.pow(-2), "pow: Integers to negative integer powers are not allowed.");
  CHECK_THROWS_WITH(ts::tensor({2, 3}).pow_(-1), "pow: Integers to negative integer powers are not allowed.");
  CHECK_THROWS_WITH(ts::tensor({true}).pow(-1), "pow: Integers to negative integer powers are not allowed.");
  CHECK_THROWS_WITH(ts::tensor<int8_t>({2}).pow(int8_t{-1}), Catch::Contains("negative integer powers"));
  CHECK(x.pow(ts::tensor({-1, 1, 1, 1})).to_vector() == std::vector<int64_t>{0, -1, 1, 0});
  CHECK(ts::pow(2, ts::tensor({-1, 1})).to_vector() == std::vector<int64_t>{0, 2});
  CHECK(x.pow(-1.0).to_vector() == std::vector<float>{0.5f, -1.0f, 1.0f, INFINITY});
  CHECK(ts::tensor<int32_t>({2, 0}).pow(0).to_vector() == std::vector<int32_t>{1, 1});
}

TEST_CASE("clamp_ cannot change an integral tensor to float, and bounds must fit", "[elementwise][errors]") {
  // torch 1.13: an int32 tensor's clamp_(1.5) or clamp_(nan) raises; int8's clamp(max=300) raises
  const auto i = ts::tensor<int32_t>({1, 5});
  CHECK_THROWS_WITH(i.clamp_(1.5), "clamp_: result type torch.float32 can't be cast to the desired output type torch.int32");
  CHECK_THROWS_WITH(i.clamp_(NAN), Catch::Contains("can't be cast"));
  CHECK(i.clamp_(2, 3).to_vector() == std::vector<int32_t>{2, 3});
  CHECK_THROWS_WITH(ts::tensor<int8_t>({1}).clamp_(std::nullopt, 300), "clamp: value cannot be converted to type int8_t without overflow");
  STATIC_REQUIRE(std::is_same_v<decltype(i.clamp(1.5)), ts::Tensor<float>>);
  STATIC_REQUIRE(std::is_same_v<decltype(i.clamp(1, std::optional<int>(2))), ts::Tensor<int32_t>>);
  STATIC_REQUIRE(std::is_same_v<decltype(ts::tensor({true}).clamp(0)), ts::Tensor<int64_t>>);
}

}  // namespace test_elementwise_scalar
