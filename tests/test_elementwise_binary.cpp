// Binary elementwise ops between tensors against PyTorch: values, result dtypes, broadcasting,
// strided operands; in-place and _out forms; errors.

#include "elementwise_golden.hpp"

namespace test_elementwise_binary {

namespace {

template <class A, class B>
void run_binary(const golden::Record& r) {
  const auto a = golden::operand<A>(r, "a_");
  const auto b = golden::operand<B>(r, "b_");
  const std::string op = r.get("op");
  if (op == "add") golden::check(r, ts::add(a, b));
  else if (op == "sub") golden::check(r, a - b);
  else if (op == "mul") golden::check(r, a * b);
  else if (op == "div") golden::check(r, a / b);
  else if (op == "remainder") golden::check(r, ts::remainder(a, b));
  else if (op == "fmod") golden::check(r, ts::fmod(a, b));
  else if (op == "floor_divide") golden::check(r, ts::floor_divide(a, b));
  else if (op == "minimum") golden::check(r, ts::minimum(a, b));
  else if (op == "maximum") golden::check(r, ts::maximum(a, b));
  else if (op == "pow") golden::check(r, ts::pow(a, b));
  else if (op == "eq") golden::check(r, a == b);
  else if (op == "ne") golden::check(r, a != b);
  else if (op == "lt") golden::check(r, a < b);
  else if (op == "le") golden::check(r, a <= b);
  else if (op == "gt") golden::check(r, a > b);
  else if (op == "ge") golden::check(r, a >= b);
  else if (op == "logical_and") golden::check(r, ts::logical_and(a, b));
  else if (op == "logical_or") golden::check(r, ts::logical_or(a, b));
  else FAIL("unknown op " << op);
}

}  // namespace

TEST_CASE("binary ops between tensors match PyTorch", "[elementwise]") {
  int checked = 0;
  for (const auto& r : golden::load("elementwise.txt")) {
    if (!r.has("b_dtype") || r.has("c_dtype") || r.has("weight")) continue;
    golden::with_pair(golden::dtype(r.get("a_dtype")), golden::dtype(r.get("b_dtype")),
                      [&]<class P>(P) { run_binary<typename P::first, typename P::second>(r); });
    ++checked;
  }
  CHECK(checked > 1000);
}

TEST_CASE("in-place ops write into the left operand and keep its dtype", "[elementwise]") {
  auto x = ts::tensor({{1.0, 2.0}, {3.0, 4.0}});
  const void* data = x.data_ptr();
  x += ts::tensor({10, 20});
  x *= 2;
  x -= 1.0;
  x /= ts::tensor(2.0);
  CHECK(x.data_ptr() == data);
  CHECK(x.to_vector() == std::vector<float>{10.5, 21.5, 12.5, 23.5});
  auto i = ts::tensor({1, 2, 3});
  i.add_(ts::tensor<uint8_t>({1, 1, 1}));
  CHECK(i.to_vector() == std::vector<int64_t>{2, 3, 4});
  CHECK_THROWS_WITH(i.add_(ts::tensor({0.5})), "add: result type torch.float32 can't be cast to the desired output "
                                                "type torch.int64");
  CHECK_THROWS_WITH(i.div_(2), Catch::Contains("can't be cast"));
  CHECK_THROWS_WITH(ts::zeros({3}).add_(ts::zeros({2, 3})),
                    "add: output with shape [3] doesn't match the broadcast shape [2, 3]");
  auto v = ts::arange(6.0).reshape({2, 3});
  v.t().add_(v.t());  // aliasing the same elements is fine
  CHECK(v.to_vector() == std::vector<float>{0, 2, 4, 6, 8, 10});
  // Note [Overlap of inputs and outputs]: dense views sharing part of their bytes are refused,
  // as PyTorch refuses them; views PyTorch cannot check (gaps) are read from a snapshot.
  const std::string partial = "add: unsupported operation: some elements of the input tensor and the written-to "
                              "tensor refer to a single memory location. Please clone() the tensor before performing "
                              "the operation.";
  auto w = ts::arange(4.0);
  CHECK_THROWS_WITH(w.slice(0, 1).add_(w.slice(0, 0, 3)), partial);
  CHECK_THROWS_WITH(w.add_(w[0]), partial);
  CHECK_THROWS_WITH(ts::add_out(w.slice(0, 1), w.slice(0, 0, 3), 1), partial);
  auto q = ts::arange(9.0).reshape({3, 3});
  CHECK_THROWS_WITH(q.t().add_(q), partial);
  CHECK_THROWS_WITH(ts::exp_out(w.slice(0, 1), w.slice(0, 0, 3)), Catch::StartsWith("exp: unsupported operation"));
  CHECK(w.to_vector() == std::vector<float>{0, 1, 2, 3});
  auto g = ts::arange(8.0);
  g.slice(0, 0, 4).add_(g.slice(0, 0, 8, 2));  // [0, 2, 4, 6] read before [0, 4) is written
  CHECK(g.to_vector() == std::vector<float>{0, 3, 6, 9, 4, 5, 6, 7});
  g.slice(0, 0, 8, 2).add_(g.slice(0, 1, 8, 2));  // no element shared
  CHECK(g.to_vector() == std::vector<float>{3, 3, 15, 9, 9, 5, 13, 7});
}

TEST_CASE("_out forms write into an existing tensor of the right shape", "[elementwise]") {
  auto a = ts::arange(6.0).reshape({2, 3});
  auto out = ts::empty({2, 3});
  const void* data = out.data_ptr();
  ts::add_out(out, a, ts::ones({3}));
  CHECK(out.data_ptr() == data);
  CHECK(out.to_vector() == std::vector<float>{1, 2, 3, 4, 5, 6});
  auto d = ts::empty<double>({2, 3});
  ts::mul_out(d, a, 2);
  CHECK(d.to_vector() == std::vector<double>{0, 2, 4, 6, 8, 10});
  auto b = ts::empty<bool>({2, 3});
  ts::gt_out(b, a, 2.0);
  CHECK(b.to_vector() == std::vector<bool>{false, false, false, true, true, true});
  CHECK_THROWS_WITH(ts::add_out(ts::empty({3}), a, a), Catch::Contains("doesn't match the broadcast shape"));
  CHECK_THROWS_WITH(ts::add_out(ts::empty<int64_t>({2, 3}), a, a), Catch::Contains("can't be cast"));
  CHECK_THROWS_WITH(ts::add_out(ts::zeros({1}).expand({2, 3}), a, a), Catch::Contains("more than one element"));
}

TEST_CASE("binary op errors name the op and the shapes", "[elementwise][errors]") {
  CHECK_THROWS_WITH(ts::zeros({2, 3}) + ts::zeros({4}), "add: shapes [2, 3] and [4] cannot be broadcast");
  CHECK_THROWS_WITH(ts::remainder(ts::tensor({5, 6}), ts::tensor({1, 0})), Catch::Contains("remainder: ZeroDivisionError"));
  CHECK_THROWS_WITH(ts::floor_divide(ts::tensor({5}), 0), Catch::Contains("floor_divide: ZeroDivisionError"));
  CHECK_THROWS_WITH(ts::fmod(0, ts::tensor({0})), Catch::Contains("fmod: ZeroDivisionError"));
  CHECK((ts::tensor({1.0}) / ts::tensor({0.0})).item() == INFINITY);
}

TEST_CASE("large outputs, written with streaming stores, aligned or not", "[elementwise]") {
  constexpr int64_t n = (int64_t{16} << 20) / 4 + 7;  // past the streaming threshold
  const auto a = ts::arange(n).to<float>(), b = ts::full({n}, 0.5f);
  auto check = [&](const ts::Tensor<float>& c) {
    const float* p = c.data_ptr();
    for (int64_t i : {int64_t{0}, int64_t{1}, int64_t{15}, int64_t{16}, n / 3, n - 8, n - 1})
      CHECK(p[i] == static_cast<float>(i) + 0.5f);
  };
  check(a + b);
  auto storage = ts::empty({n + 3});
  for (int64_t shift : {1, 2, 3}) {  // outputs 4, 8 and 12 bytes past a 64-byte boundary
    auto out = storage.slice(0, shift, n + shift);
    ts::add_out(out, a, b);
    check(out);
  }
  const auto d = ts::arange(n).to<double>();
  const auto e = (d * 2.0).to_vector();
  for (int64_t i : {int64_t{0}, int64_t{9}, n - 1}) CHECK(e[i] == 2.0 * static_cast<double>(i));
}

TEST_CASE("integer arithmetic wraps in two's complement, as PyTorch's", "[elementwise][overflow]") {
  // Note [Wrapping integer arithmetic]; values from torch 1.13. Run under UBSan
  // (-DTESSERA_SANITIZE=ON) this also checks that no signed overflow is evaluated.
  constexpr int64_t M = INT64_MAX, m = INT64_MIN;
  CHECK((ts::tensor({M}) + 1).to_vector() == std::vector<int64_t>{m});
  CHECK((ts::tensor({M}) + M).to_vector() == std::vector<int64_t>{-2});
  CHECK((ts::tensor({M}) + ts::tensor({M})).to_vector() == std::vector<int64_t>{-2});
  CHECK((ts::tensor({m}) - 1).to_vector() == std::vector<int64_t>{M});
  CHECK((ts::tensor({m}) - ts::tensor({1})).to_vector() == std::vector<int64_t>{M});
  CHECK((1 - ts::tensor({m})).to_vector() == std::vector<int64_t>{-M});
  CHECK((ts::tensor({M}) * 2).to_vector() == std::vector<int64_t>{-2});
  CHECK((-ts::tensor({m})).to_vector() == std::vector<int64_t>{m});
  CHECK(ts::tensor({m}).abs().to_vector() == std::vector<int64_t>{m});
  CHECK((ts::tensor<int32_t>({INT32_MAX}) + 1).to_vector() == std::vector<int32_t>{INT32_MIN});
  CHECK((ts::tensor<int32_t>({INT32_MAX}) * ts::tensor<int32_t>({3})).to_vector() == std::vector<int32_t>{2147483645});
  CHECK((ts::tensor<int8_t>({127}) + 1).to_vector() == std::vector<int8_t>{-128});
  CHECK((ts::tensor<int8_t>({-128}) * ts::tensor<int8_t>({-1})).to_vector() == std::vector<int8_t>{-128});
  // strided and in-place forms go through the same functors
  auto x = ts::full<int64_t>({4, 3}, M).t();
  x.add_(1);
  CHECK(x.contiguous().to_vector() == std::vector<int64_t>(12, m));
  x.mul_(ts::full<int64_t>({3, 4}, -1));
  CHECK(x.contiguous().to_vector() == std::vector<int64_t>(12, m));
}

TEST_CASE("a broadcast -0 keeps its sign in the vector loops", "[elementwise]") {
  // PyTorch 1.13: torch.full((37,), 2571.) * torch.full((1,), -0.) is -0. everywhere, and the
  // quotient -inf; 37 elements reach the whole-vector steps of every SIMD width.
  const auto a = ts::full({37}, 2571.0f);
  const auto z = ts::full({1}, -0.0f);
  for (float v : (a * z).to_vector()) CHECK(std::signbit(v));
  for (float v : (a / z).to_vector()) CHECK(v == -INFINITY);
  for (float v : (z * a).to_vector()) CHECK(std::signbit(v));
  for (double v : (ts::full({37}, 3.0) * -0.0).to_vector()) CHECK(std::signbit(v));
}

}  // namespace test_elementwise_binary
