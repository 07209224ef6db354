// ops/rearrange.hpp: repeat, tile, flip, roll, rot90, tril/triu, diag, trace and the triangle
// indices print as torch 1.13 prints them (tests/golden/rearrange.txt from
// tests/golden/generate_rearrange.py); gradients by gradcheck; in-place forms; errors.

#include <functional>
#include <map>
#include <sstream>

#include "error_of.hpp"
#include "golden.hpp"

namespace test_rearrange {

namespace {

template <class T>
std::string text(const ts::Tensor<T>& t) {
  std::ostringstream out;
  out << t;
  return out.str();
}

}  // namespace

TEST_CASE("rearrangements print as PyTorch's", "[rearrange][golden]") {
  const auto a = ts::arange<float>(0, 6).reshape({2, 3});
  const auto b = ts::arange(24).reshape({2, 3, 4});
  const auto m = ts::tensor({{true, false, false, true}, {false, false, true, false}, {false, true, false, false}});  // arange(12) % 3 == 0
  const auto v = ts::tensor({1.0f, 2.0f, 3.0f});
  const std::map<std::string, std::function<std::string()>> calls = {
      {"a.repeat(2, 1, 2)", [&] { return text(a.repeat({2, 1, 2})); }},
      {"a.repeat(1, 1)", [&] { return text(a.repeat({1, 1})); }},
      {"b.repeat(1, 2, 1)", [&] { return text(b.repeat({1, 2, 1})); }},
      {"m.repeat(2, 1)", [&] { return text(m.repeat({2, 1})); }},
      {"v.repeat(2)", [&] { return text(v.repeat({2})); }},
      {"a.repeat(0, 2)", [&] { return text(a.repeat({0, 2})); }},
      {"torch.tile(a, (2,))", [&] { return text(ts::tile(a, {2})); }},
      {"torch.tile(b, (2, 1, 1, 1))", [&] { return text(b.tile({2, 1, 1, 1})); }},
      {"torch.tile(v, (2, 2))", [&] { return text(ts::tile(v, {2, 2})); }},
      {"torch.flip(a, [0, 1])", [&] { return text(ts::flip(a, {0, 1})); }},
      {"torch.flip(b, [-1])", [&] { return text(b.flip({-1})); }},
      {"torch.flip(m, [0])", [&] { return text(ts::flip(m, {0})); }},
      {"torch.fliplr(a)", [&] { return text(ts::fliplr(a)); }},
      {"torch.flipud(b)", [&] { return text(ts::flipud(b)); }},
      {"torch.roll(a, 1, 1)", [&] { return text(ts::roll(a, {1}, {1})); }},
      {"torch.roll(a, 2)", [&] { return text(a.roll({2})); }},
      {"torch.roll(b, (1, -1), (0, 2))", [&] { return text(ts::roll(b, {1, -1}, {0, 2})); }},
      {"torch.roll(v, -4, 0)", [&] { return text(v.roll({-4}, {0})); }},
      {"torch.roll(m, (5,), (1,))", [&] { return text(ts::roll(m, {5}, {1})); }},
      {"torch.rot90(a)", [&] { return text(ts::rot90(a)); }},
      {"torch.rot90(a, -1)", [&] { return text(a.rot90(-1)); }},
      {"torch.rot90(a, 2)", [&] { return text(ts::rot90(a, 2)); }},
      {"torch.rot90(b, 3, [1, 2])", [&] { return text(ts::rot90(b, 3, {1, 2})); }},
      {"torch.rot90(m, 1, [1, 0])", [&] { return text(m.rot90(1, {1, 0})); }},
      {"torch.tril(a)", [&] { return text(ts::tril(a)); }},
      {"torch.triu(a, 1)", [&] { return text(a.triu(1)); }},
      {"torch.tril(b, -1)", [&] { return text(ts::tril(b, -1)); }},
      {"torch.triu(b, -1)", [&] { return text(ts::triu(b, -1)); }},
      {"torch.tril(m, 1)", [&] { return text(m.tril(1)); }},
      {"torch.triu(a, 5)", [&] { return text(ts::triu(a, 5)); }},
      {"torch.tril_indices(3, 3)", [&] { return text(ts::tril_indices(3, 3)); }},
      {"torch.tril_indices(4, 3, 1)", [&] { return text(ts::tril_indices(4, 3, 1)); }},
      {"torch.triu_indices(3, 4, 1)", [&] { return text(ts::triu_indices(3, 4, 1)); }},
      {"torch.triu_indices(3, 2, -1)", [&] { return text(ts::triu_indices(3, 2, -1)); }},
      {"torch.diag(v)", [&] { return text(ts::diag(v)); }},
      {"torch.diag(v, 1)", [&] { return text(v.diag(1)); }},
      {"torch.diag(v, -2)", [&] { return text(ts::diag(v, -2)); }},
      {"torch.diag(a)", [&] { return text(ts::diag(a)); }},
      {"torch.diag(a, 1)", [&] { return text(a.diag(1)); }},
      {"torch.diag(b[0], -1)", [&] { return text(ts::diag(b[0], -1)); }},
      {"torch.trace(a)", [&] { return text(ts::trace(a)); }},
      {"torch.trace(b[1])", [&] { return text(b[1].trace()); }},
  };
  int cases = 0;
  for (const auto& r : golden::load("rearrange.txt")) {
    const std::string call = r.get("call");
    INFO(call);
    REQUIRE(calls.count(call));
    CHECK(calls.at(call)() == r.expect);
    ++cases;
  }
  CHECK(cases == static_cast<int>(calls.size()));
}

TEST_CASE("rearrangements pass gradcheck and write in place", "[rearrange][gradcheck]") {
  const ts::Tensor<double> x = ts::randn({2, 3, 4}).to<double>().requires_grad_();
  const ts::Tensor<double> v = ts::randn({3}).to<double>().requires_grad_();
  using In = std::vector<ts::Tensor<double>>;
  CHECK(ts::autograd::gradcheck([](const In& t) { return t[0].repeat({2, 1, 1, 2}); }, {x}));
  CHECK(ts::autograd::gradcheck([](const In& t) { return ts::flip(t[0], {0, 2}); }, {x}));
  CHECK(ts::autograd::gradcheck([](const In& t) { return ts::roll(t[0], {1, -2}, {1, 2}); }, {x}));
  CHECK(ts::autograd::gradcheck([](const In& t) { return ts::rot90(t[0], 1, {1, 2}); }, {x}));
  CHECK(ts::autograd::gradcheck([](const In& t) { return ts::triu(t[0], -1) + ts::tril(t[0], 1); }, {x}));
  CHECK(ts::autograd::gradcheck([](const In& t) { return ts::diag(t[0], -1); }, {v}));
  CHECK(ts::autograd::gradcheck([](const In& t) { return ts::trace(t[0][0]); }, {x}));

  ts::Tensor<float> y = ts::ones<float>({3, 3});
  const ts::Tensor<float>& same = y.triu_(1);
  CHECK(&same == &y);
  CHECK(y.to_vector() == std::vector<float>{0, 1, 1, 0, 0, 1, 0, 0, 0});
  ts::Tensor<float> z = ts::ones<float>({2, 3});
  z.tril_();
  CHECK(z.to_vector() == std::vector<float>{1, 0, 0, 1, 1, 0});
  // Results are new tensors, also where nothing moves (PyTorch copies there too).
  const ts::Tensor<float> w = ts::arange(6.0f).view({2, 3});
  for (const ts::Tensor<float>& copy : {w.repeat({1, 1}), w.roll({0}), w.rot90(0), w.flip({}), w.tile({1})}) {
    copy.fill_(-1.0f);
    CHECK(w.to_vector() == std::vector<float>{0, 1, 2, 3, 4, 5});
  }
}

TEST_CASE("rearrangements refuse what PyTorch refuses", "[rearrange]") {
  const auto a = ts::zeros<float>({2, 3});
  CHECK(error_of([&] { a.repeat({2}); }) == "repeat: Number of dimensions of repeat dims can not be smaller than number "
                                            "of dimensions of tensor (repeat dims [2], tensor [2, 3])");
  CHECK(error_of([&] { ts::flip(a, {0, -2}); }) == "flip: dim 0 appears multiple times in the list of dims");
  CHECK(error_of([&] { ts::fliplr(ts::zeros<float>({3})); }) == "fliplr: Input must be >= 2-d.");
  CHECK(error_of([&] { ts::roll(a, {1, 2}); }) == "roll: shifts must be a single value when dims is not given, got [1, 2]");
  CHECK(error_of([&] { ts::roll(a, {1, 2}, {0}); }) == "roll: shifts and dimensions must align. shifts: 2, dims:1");
  CHECK(error_of([&] { ts::rot90(a, 1, {0, 0}); }) == "rot90: expected rotation dims to be different, but got dim0 = 0 and dim1 = 0");
  CHECK(error_of([&] { ts::tril(ts::zeros<float>({3})); }) == "tril: input tensor must have at least 2 dimensions, got shape [3]");
  CHECK(error_of([&] { ts::diag(ts::zeros<float>({2, 2, 2})); }) == "diag: matrix or a vector expected, got shape [2, 2, 2]");
  CHECK(error_of([&] { ts::trace(ts::zeros<float>({3})); }) == "trace: expected a matrix, but got tensor with dim 1");
}

}  // namespace test_rearrange
