// Factories against PyTorch: tensor, arange, linspace, logspace, eye, full, stack, split, ...

#include "golden.hpp"

namespace test_creation {

namespace {

template <class T>
void check_result(const golden::Record& r, const ts::Tensor<T>& t) {
  INFO("case " << r.name << ": got " << t);
  CHECK(t.dtype() == golden::dtype(r.get("dtype")));
  CHECK(t.sizes() == ts::Shape(golden::ints(r.get("sizes"))));
  CHECK(golden::same_bits(t.to_vector(), golden::values<T>(r.get("result"))));
}

}  // namespace

TEST_CASE("factories match PyTorch", "[creation]") {
  const auto A = ts::tensor({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}});
  const auto B = ts::tensor({{10, 11, 12}, {13, 14, 15}, {16, 17, 18}});
  const auto x = ts::arange(10);
  int checked = 0;
  for (const auto& r : golden::load("creation.txt")) {
    const auto call = golden::tokens(r.get("call"));
    const std::string& f = call[0];
    auto num = [&](size_t i) { return std::stod(call.at(i)); };
    auto integer = [&](size_t i) { return std::stoll(call.at(i)); };
    ++checked;
    if (f == "arange") {
      if (call.size() == 2) check_result(r, ts::arange(integer(1)));
      else if (call.size() == 3) check_result(r, ts::arange(integer(1), integer(2)));
      else check_result(r, ts::arange(integer(1), integer(2), integer(3)));
    } else if (f == "arangef") {
      if (call.size() == 2) check_result(r, ts::arange(num(1)));
      else check_result(r, ts::arange(num(1), num(2), num(3)));
    } else if (f == "arange_double") {
      check_result(r, ts::arange<double>(num(1), num(2), num(3)));
    } else if (f == "linspace") {
      check_result(r, ts::linspace(num(1), num(2), integer(3)));
    } else if (f == "linspace_double") {
      check_result(r, ts::linspace<double>(num(1), num(2), integer(3)));
    } else if (f == "linspace_float16") {
      check_result(r, ts::linspace<ts::half>(num(1), num(2), integer(3)));
    } else if (f == "linspace_bfloat16") {
      check_result(r, ts::linspace<ts::bfloat16>(num(1), num(2), integer(3)));
    } else if (f == "linspace_int64") {
      check_result(r, ts::linspace<int64_t>(num(1), num(2), integer(3)));
    } else if (f == "logspace") {
      check_result(r, ts::logspace(num(1), num(2), integer(3)));
    } else if (f == "logspace_base2") {
      check_result(r, ts::logspace(num(1), num(2), integer(3), 2.0));
    } else if (f == "logspace_float32") {
      check_result(r, ts::logspace<float>(num(1), num(2), integer(3), num(4)));
    } else if (f == "logspace_float64") {
      check_result(r, ts::logspace<double>(num(1), num(2), integer(3), num(4)));
    } else if (f == "logspace_int64") {
      check_result(r, ts::logspace<int64_t>(num(1), num(2), integer(3), num(4)));
    } else if (f == "arange_int64") {
      check_result(r, ts::arange<int64_t>(num(1), num(2), num(3)));
    } else if (f == "arange_int32") {
      check_result(r, ts::arange<int32_t>(num(1), num(2), num(3)));
    } else if (f == "eye") {
      check_result(r, ts::eye(integer(1), integer(2)));
    } else if (f == "full_int") {
      check_result(r, ts::full({integer(1), integer(2)}, 7));
    } else if (f == "full_float") {
      check_result(r, ts::full({integer(1), integer(2)}, 7.5));
    } else if (f == "full_bool") {
      check_result(r, ts::full({integer(1)}, true));
    } else if (f == "tensor_nested") {
      check_result(r, ts::tensor({{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}}));
    } else if (f == "tensor_float") {
      check_result(r, ts::tensor({{1.5, 2.0}, {3.0, 4.0}}));
    } else if (f == "tensor_bool") {
      check_result(r, ts::tensor({true, false}));
    } else if (f == "tensor_scalar") {
      check_result(r, ts::tensor(7.0));
    } else if (f == "tensor_4d") {
      check_result(r, ts::tensor({{{{1.0}, {2.0}}}, {{{3.0}, {4.0}}}}));
    } else if (f == "stack") {
      check_result(r, ts::stack({A, B}, integer(1)));
    } else if (f == "cat") {
      check_result(r, ts::cat({A, B}, integer(1)));
    } else if (f == "vstack") {
      check_result(r, ts::vstack({A, B}));
    } else if (f == "hstack") {
      check_result(r, ts::hstack({A, B}));
    } else if (f == "vstack_1d") {
      check_result(r, ts::vstack({ts::tensor({1, 2}), ts::tensor({3, 4})}));
    } else if (f == "hstack_1d") {
      check_result(r, ts::hstack({ts::tensor({1, 2}), ts::tensor({3, 4, 5})}));
    } else if (f == "cat_skip_empty") {
      check_result(r, ts::cat({ts::empty<int64_t>({0}), A}));
    } else if (f == "split3") {
      check_result(r, ts::split(x, 3).at(integer(1)));
    } else if (f == "split_sizes") {
      check_result(r, ts::split(x, std::vector<int64_t>{1, 4, 5}).at(integer(1)));
    } else if (f == "chunk4") {
      check_result(r, ts::chunk(x, 4).at(integer(1)));
    } else if (f == "chunk5_3") {
      check_result(r, ts::chunk(ts::arange(5), 3).at(integer(1)));
    } else if (f == "chunk_count") {
      check_result(r, ts::tensor(static_cast<int64_t>(ts::chunk(ts::arange(6), 4).size())));
    } else {
      FAIL("unknown creation call " << f);
    }
  }
  CHECK(checked >= 60);
}

TEST_CASE("literal rules pick PyTorch's dtypes", "[creation]") {
  STATIC_REQUIRE(std::is_same_v<decltype(ts::tensor(7.0)), ts::Tensor<float>>);
  STATIC_REQUIRE(std::is_same_v<decltype(ts::tensor(7)), ts::Tensor<int64_t>>);
  STATIC_REQUIRE(std::is_same_v<decltype(ts::tensor({true})), ts::Tensor<bool>>);
  STATIC_REQUIRE(std::is_same_v<decltype(ts::tensor<double>({1, 2})), ts::Tensor<double>>);
  STATIC_REQUIRE(std::is_same_v<decltype(ts::arange(5)), ts::Tensor<int64_t>>);
  STATIC_REQUIRE(std::is_same_v<decltype(ts::arange(0, 5.0)), ts::Tensor<float>>);
  STATIC_REQUIRE(std::is_same_v<decltype(ts::full({2}, 1)), ts::Tensor<int64_t>>);
  STATIC_REQUIRE(std::is_same_v<decltype(ts::zeros({2})), ts::Tensor<float>>);
  auto h = ts::tensor<ts::half>({1.0, 2.0});
  CHECK(h.dtype() == ts::DType::Float16);
}

TEST_CASE("ragged braces throw naming the dimension and both lengths", "[creation][errors]") {
  CHECK_THROWS_WITH(ts::tensor({{1, 2}, {3}}), "tensor: expected sequence of length 2 at dim 1 (got 1)");
  CHECK_THROWS_WITH(ts::tensor({{{1, 2}, {3, 4}}, {{5, 6}}}), "tensor: expected sequence of length 2 at dim 1 (got 1)");
  CHECK_THROWS_WITH(ts::tensor({{1.0}, {}}), Catch::Contains("expected sequence of length 1 at dim 1 (got 0)"));
}

TEST_CASE("from_vector checks the element count; options apply", "[creation][errors]") {
  auto t = ts::from_vector(std::vector<int16_t>{1, 2, 3, 4, 5, 6}, {3, 2});
  CHECK(t.sizes() == ts::Shape{3, 2});
  CHECK(t.to_vector() == std::vector<int16_t>{1, 2, 3, 4, 5, 6});
  auto b = ts::from_vector(std::vector<bool>{true, false}, {2});
  CHECK(b.to_vector() == std::vector<bool>{true, false});
  CHECK_THROWS_WITH(ts::from_vector(std::vector<float>{1, 2, 3}, {2, 2}),
                    "from_vector: shape [2, 2] has 4 elements but the vector has 3");
  CHECK(ts::zeros({2}, {.requires_grad = true}).requires_grad());
  CHECK(ts::ones_like(ts::arange(3)).to_vector() == std::vector<int64_t>{1, 1, 1});
  CHECK(ts::full_like(ts::zeros<double>({2}), 2.5).to_vector() == std::vector<double>{2.5, 2.5});
  CHECK(ts::eye<int32_t>(2).to_vector() == std::vector<int32_t>{1, 0, 0, 1});
}

TEST_CASE("arange rejects empty or inconsistent ranges", "[creation][errors]") {
  CHECK_THROWS_WITH(ts::arange(0, 10, 0), Catch::Contains("step must be nonzero"));
  CHECK_THROWS_WITH(ts::arange(10, 0), Catch::Contains("inconsistent with step sign"));
  CHECK_THROWS_WITH(ts::arange(0.0, INFINITY), Catch::Contains("unsupported range"));
  CHECK_THROWS_AS(ts::linspace(0, 1, -1), ts::Error);
}

// Note [Sizes that overflow]. PyTorch 1.13 raises RuntimeError for both allocations ("Storage
// size calculation overflowed" and "can't allocate memory: you tried to allocate ... bytes"),
// and torch.arange(-2**63, 2**63 - 1, 2**63 - 1) is empty (the difference wraps around).
TEST_CASE("allocations too large for the machine or for size_t are ts::Errors naming the bytes", "[creation][errors]") {
  CHECK_THROWS_WITH(ts::zeros<float>({int64_t{1} << 62}),
                    "zeros: shape [4611686018427387904] needs more than 9223372036854775807 bytes");
  CHECK_THROWS_WITH(ts::zeros<float>({int64_t{1} << 50}),
                    "zeros: can't allocate memory: you tried to allocate 4503599627370496 bytes");
  CHECK_THROWS_WITH(ts::empty<double>({int64_t{1} << 20, int64_t{1} << 30}),
                    "empty: can't allocate memory: you tried to allocate 9007199254740992 bytes");
  const int64_t max = std::numeric_limits<int64_t>::max(), min = std::numeric_limits<int64_t>::min();
  CHECK(ts::arange(min, max, max).numel() == 0);
}

namespace {

// A record of scalars.txt: the op's error (PyTorch's message after "<op>: ") or its result.
template <class F>
void expect_scalar_case(const golden::Record& r, const std::string& op, F&& f) {
  INFO("case " << r.name);
  if (r.has("error")) {
    CHECK_THROWS_WITH(f(), Catch::StartsWith(op + ": ") && Catch::Contains(r.get("error")));
  } else {
    const auto out = f();
    using R = typename std::decay_t<decltype(out)>::value_type;
    INFO("got " << out);
    CHECK(out.dtype() == golden::dtype(r.has("result_dtype") ? r.get("result_dtype") : r.get("dtype")));
    CHECK(golden::same_bits(out.to_vector(), golden::values<R>(r.get("values"))));
  }
}

template <class T, class S>
void run_scalar_case(const golden::Record& r, const std::string& op, S v) {
  const auto mask = ts::tensor({true, false});
  const auto z = [] { return ts::zeros<T>({2}); };
  if (op == "fill_") return expect_scalar_case(r, op, [&] { return z().fill_(v); });
  if (op == "full") return expect_scalar_case(r, op, [&] { return ts::full<T>({2}, v); });
  if (op == "full_like") return expect_scalar_case(r, op, [&] { return ts::full_like(z(), v); });
  if (op == "masked_fill") return expect_scalar_case(r, "masked_fill_", [&] { return z().masked_fill(mask, v); });
  if (op == "index_put_") return expect_scalar_case(r, op, [&] { return z().index_put_({ts::tensor({0})}, v); });
  if (op == "scatter_") return expect_scalar_case(r, op, [&] { return z().scatter_(0, ts::tensor({0}), v); });
  if (op == "where") return expect_scalar_case(r, op, [&] { return ts::where(mask, z(), v); });
  if (op == "clamp_max") return expect_scalar_case(r, "clamp", [&] { return z().clamp(std::nullopt, v); });
  if (op == "tensor") return expect_scalar_case(r, op, [&] { return ts::tensor<T>({v}); });
  FAIL("unknown op " << op);
}

template <class F>
void with_bound(const std::string& token, F&& f) {
  if (token == "none") return f(std::nullopt);
  const auto t = golden::tokens(token);
  if (t[0] == "int") return f(static_cast<int64_t>(std::stoll(t[1])));
  return f(std::strtod(t[1].c_str(), nullptr));
}

}  // namespace

TEST_CASE("scalars written into tensors must fit the type, as PyTorch checks them", "[creation][errors]") {
  // Note [Scalar conversion checks]; tests/golden/scalars.txt holds torch 1.13's result or error
  // for each op, dtype and value (integral values as Python ints, floating ones as floats).
  int checked = 0;
  for (const auto& r : golden::load("scalars.txt")) {
    const std::string op = r.get("op");
    if (r.has("error") && r.get("error").find("not implemented") != std::string::npos) continue;  // linspace on bool
    ts::dispatch(golden::dtype(r.get("dtype")), [&]<class T>(std::type_identity<T>) {
      if (op == "linspace") {
        const double start = std::strtod(r.get("start").c_str(), nullptr), end = std::strtod(r.get("end").c_str(), nullptr);
        expect_scalar_case(r, op, [&] { return ts::linspace<T>(start, end, std::stoll(r.get("steps"))); });
      } else if (op == "clamp") {
        if constexpr (!std::is_same_v<T, bool>) {
          with_bound(r.get("lo"), [&](auto lo) {
            with_bound(r.get("hi"), [&](auto hi) {
              const auto x = ts::from_vector(golden::values<T>(r.get("x")), {4});
              expect_scalar_case(r, op, [&] { return x.clamp(lo, hi); });
            });
          });
        }
      } else if (r.get("kind") == "int") {
        run_scalar_case<T>(r, op, static_cast<int64_t>(std::stoll(r.get("value"))));
      } else {
        run_scalar_case<T>(r, op, std::strtod(r.get("value").c_str(), nullptr));
      }
    });
    ++checked;
  }
  CHECK(checked > 3000);
}

TEST_CASE("eye refuses negative sizes", "[creation][errors]") {
  // torch 1.13: torch.eye(2, -5) and torch.eye(-2) raise; torch.eye(2, 0) is empty
  CHECK_THROWS_WITH(ts::eye(2, -5), "eye: m must be greater or equal to 0, got -5");
  CHECK_THROWS_WITH(ts::eye(0, -1), "eye: m must be greater or equal to 0, got -1");
  CHECK_THROWS_WITH(ts::eye(-2), "eye: n must be greater or equal to 0, got -2");
  CHECK(ts::eye(2, 0).sizes() == ts::Shape{2, 0});
  CHECK(ts::eye<int32_t>(2, 3).to_vector() == std::vector<int32_t>{1, 0, 0, 0, 1, 0});
}

TEST_CASE("integral arange near the end of int64 computes without overflow", "[creation][overflow]") {
  // torch 1.13: torch.arange(2**63 - 3, 2**63 - 1) is [2**63 - 3, 2**63 - 2]
  CHECK(ts::arange(INT64_MAX - 2, INT64_MAX).to_vector() == std::vector<int64_t>{INT64_MAX - 2, INT64_MAX - 1});
}

TEST_CASE("arange and logspace check their ends as PyTorch does", "[creation][errors]") {
  // torch 1.13: an integral arange counts in int64_t; logspace converts its ends to the dtype
  CHECK_THROWS_WITH(ts::arange<int64_t>(0.0, 1e30, 1e29), "arange: value cannot be converted to type int64_t without overflow");
  CHECK_THROWS_WITH(ts::arange<int32_t>(0, 10, 1e20), "arange: value cannot be converted to type int64_t without overflow");
  CHECK_THROWS_WITH(ts::arange<int32_t>(0.0, NAN), "arange: value cannot be converted to type int64_t without overflow");
  CHECK(ts::arange<int8_t>(0, 300, 100).to_vector() == std::vector<int8_t>{0, 100, -56});  // wraps, as torch
  CHECK(ts::arange(0.0, 1e30, 1e29).numel() == 11);
  CHECK_THROWS_WITH(ts::logspace<int8_t>(0, NAN, 2), "logspace: value cannot be converted to type int8_t without overflow");
  // torch.logspace(-1, 2, 20, dtype=torch.float16) and torch.arange(0, 2.5, 0.5, dtype=torch.int64) raise
  CHECK_THROWS_WITH(ts::logspace<ts::half>(-1, 2, 20), "logspace: \"logspace_cpu\" not implemented for 'Half'");
  CHECK_THROWS_WITH(ts::arange<int64_t>(0, 2.5, 0.5), "arange: step must be nonzero");
  CHECK_THROWS_WITH(ts::arange<int32_t>(0, 1.5, 0.5), "arange: step must be nonzero");
  CHECK_THROWS_WITH(ts::logspace<int8_t>(0, 300, 2), "logspace: value cannot be converted to type int8_t without overflow");
  CHECK_THROWS_WITH(ts::logspace<int8_t>(300, 0, 1), "logspace: value cannot be converted to type int8_t without overflow");
  CHECK(ts::logspace<int8_t>(0, 300, 1).to_vector() == std::vector<int8_t>{1});
  CHECK(ts::logspace<int8_t>(0, 3, 2).to_vector() == std::vector<int8_t>{1, -24});
  CHECK(ts::logspace<int8_t>(0, 300, 0).numel() == 0);
}

}  // namespace test_creation
