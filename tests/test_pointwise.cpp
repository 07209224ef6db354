// Pointwise special functions (ops/pointwise.hpp) against PyTorch: values over edge cases in
// every dtype, gradients in float64 (PyTorch's and gradcheck's), errors.

#include <cfloat>
#include <map>

#include "elementwise_golden.hpp"
#include "error_of.hpp"

namespace test_pointwise {

namespace {

/** The record's parameter `key` ("n=2 eps=0.125"), if given. */
std::optional<double> param(const golden::Record& r, const std::string& key) {
  for (const auto& t : golden::tokens(r.get("params"))) {
    const auto eq = t.find('=');
    if (t.substr(0, eq) == key) return std::stod(t.substr(eq + 1));
  }
  return std::nullopt;
}

/** Runs the record's op on x and hands the result to f. */
template <class A, class F>
void run(const golden::Record& r, const ts::Tensor<A>& x, F&& f) {
  const std::string op = r.get("op");
  if (op == "log10") return f(ts::log10(x));
  if (op == "erf") return f(x.erf());
  if (op == "erfc") return f(ts::erfc(x));
  if (op == "erfinv") return f(x.erfinv());
  if (op == "lgamma") return f(ts::lgamma(x));
  if (op == "digamma") return f(x.digamma());
  if (op == "polygamma") return f(ts::polygamma(static_cast<int64_t>(*param(r, "n")), x));
  if (op == "sinc") return f(ts::sinc(x));
  if (op == "deg2rad") return f(ts::deg2rad(x));
  if (op == "rad2deg") return f(x.rad2deg());
  if (op == "reciprocal") return f(x.reciprocal());
  if (op == "exp2") return f(ts::exp2(x));
  if (op == "sgn") return f(ts::sgn(x));
  if (op == "signbit") return f(x.signbit());
  if (op == "square") return f(ts::square(x));
  if (op == "logit") return f(x.logit(param(r, "eps")));
  if (op == "nan_to_num") return f(ts::nan_to_num(x, param(r, "nan"), param(r, "posinf"), param(r, "neginf")));
  if constexpr (!ts::is_floating_v<A>) {
    if (op == "bitwise_not") return f(~x);
  }
  if constexpr (!std::is_same_v<A, bool>) {
    if (op == "trunc") return f(ts::trunc(x));
    if (op == "fix") return f(x.fix());
    if (op == "positive") return f(ts::positive(x));
  }
  if constexpr (ts::is_floating_v<A>) {
    if (op == "frac") return f(x.frac());
  }
  FAIL("unknown op " << op << " for " << r.name);
}

template <class R>
double ulp_of(double w) {
  if constexpr (std::is_same_v<R, double>) return std::max(std::fabs(w), DBL_MIN) * DBL_EPSILON;
  else if constexpr (std::is_same_v<R, float>) return std::max(std::fabs(w), double(FLT_MIN)) * FLT_EPSILON;
  else if constexpr (std::is_same_v<R, ts::half>) return std::max(std::fabs(w), 6.1e-5) * 0x1p-10;
  else return std::max(std::fabs(w), double(FLT_MIN)) * 0x1p-7;
}

// PyTorch's float erf and erfc are vector polynomials, and several functions cancel near their
// zeros (digamma at 1.46..., sinc at integers, lgamma at 1 and 2), so values are compared to a
// few units in the last place plus a small absolute term; integer and bool results exactly.
template <class R>
void check_values(const golden::Record& r, const std::vector<R>& got, const std::vector<R>& want) {
  REQUIRE(got.size() == want.size());
  if constexpr (!ts::is_floating_v<R>) {
    CHECK(got == want);
  } else {
    const double abs_tol = std::is_same_v<R, double> ? 1e-15 : std::is_same_v<R, float> ? 1e-6 : 1e-2;
    for (size_t i = 0; i < got.size(); ++i) {
      const double g = static_cast<double>(got[i]), w = static_cast<double>(want[i]);
      INFO(r.name << " element " << i << ": got " << g << ", want " << w);
      if (std::isnan(w) || std::isinf(w)) {
        CHECK(((std::isnan(g) && std::isnan(w)) || g == w));
      } else {
        CHECK(std::fabs(g - w) <= 4 * ulp_of<R>(w) + abs_tol);
      }
    }
  }
}

template <class R>
void check_result(const golden::Record& r, const ts::Tensor<R>& out) {
  INFO("case " << r.name << ": got " << out);
  REQUIRE(out.dtype() == golden::dtype(r.get("result_dtype")));
  REQUIRE(out.sizes() == ts::Shape(golden::ints(r.get("result_shape"))));
  check_values(r, out.to_vector(), golden::values<R>(r.get("result")));
}

/** The float64 gradient for the record's incoming gradient, against PyTorch's. */
void check_grad(const golden::Record& r) {
  const auto x = golden::operand<double>(r, "a_").requires_grad_(true);
  const auto g = ts::from_vector(golden::values<double>(r.get("g_values")), x.sizes());
  run(r, x, [&]<class R>(const ts::Tensor<R>& y) {
    if constexpr (std::is_same_v<R, double>) {
      const std::string op = r.get("op");
      // deg2rad and rad2deg are a product with a constant here (MulBackward0).
      if (op != "deg2rad" && op != "rad2deg") CHECK(y.grad_fn_name() == r.get("grad_fn"));
      const auto grad = ts::autograd::grad(y, x, g);
      check_values(r, grad.to_vector(), golden::values<double>(r.get("grad")));
    } else {
      FAIL("no float64 result for " << r.name);
    }
  });
}

}  // namespace

TEST_CASE("pointwise functions match PyTorch over edge values in every dtype", "[pointwise]") {
  int checked = 0, grads = 0;
  for (const auto& r : golden::load("pointwise.txt")) {
    if (r.has("b_dtype") || r.has("scalar") || r.get("op") == "diff") continue;
    ts::dispatch(golden::dtype(r.get("a_dtype")), [&]<class A>(std::type_identity<A>) {
      const auto x = golden::operand<A>(r, "a_");
      run(r, x, [&](const auto& out) { check_result(r, out); });
      // Non-contiguous input, same values.
      const auto xt = x.unsqueeze(1).expand({x.size(0), 2}).t()[1];
      run(r, xt, [&](const auto& out) { check_result(r, out); });
    });
    ++checked;
    if (r.has("grad")) {
      check_grad(r);
      ++grads;
    }
  }
  CHECK(checked >= 200);
  CHECK(grads >= 20);
}

namespace {

/** Runs the record's binary op on a and b and hands the result to f. */
template <class A, class B, class F>
void run_binary(const golden::Record& r, const ts::Tensor<A>& a, const ts::Tensor<B>& b, F&& f) {
  const std::string op = r.get("op");
  if (op == "atan2") return f(ts::atan2(a, b));
  if (op == "arctan2") return f(a.arctan2(b));
  if (op == "xlogy") return f(ts::xlogy(a, b));
  if (op == "copysign") return f(a.copysign(b));
  if (op == "float_power") return f(ts::float_power(a, b));
  if constexpr (ts::is_floating_v<ts::promote_t<A, B>>) {
    if (op == "hypot") return f(ts::hypot(a, b));
    if (op == "logaddexp") return f(a.logaddexp(b));
    if (op == "logaddexp2") return f(ts::logaddexp2(a, b));
    if (op == "nextafter") return f(ts::nextafter(a, b));
  } else {
    if (op == "bitwise_and") return f(ts::bitwise_and(a, b));
    if (op == "bitwise_or") return f(a | b);
    if (op == "bitwise_xor") return f(a ^ b);
  }
  if constexpr (std::is_integral_v<ts::promote_t<A, B>> && !std::is_same_v<ts::promote_t<A, B>, bool>) {
    if (op == "bitwise_left_shift") return f(a << b);
    if (op == "bitwise_right_shift") return f(a.bitwise_right_shift(b));
  }
  if constexpr (std::is_same_v<A, B>) {
    if (op == "heaviside") return f(ts::heaviside(a, b));
  }
  if constexpr (!std::is_same_v<ts::promote_t<A, B>, bool>) {
    if (op == "fmod") return f(ts::fmod(a, b));
    if (op == "remainder") return f(a.remainder(b));
  }
  FAIL("unknown binary op " << op << " for " << r.name);
}

/** Runs the record's op with its C++ scalar operand ("tensor_scalar 2.5", "scalar_tensor 3"). */
template <class A, class F>
void run_scalar(const golden::Record& r, const ts::Tensor<A>& x, F&& f) {
  const auto parts = golden::tokens(r.get("scalar"));
  const bool first = parts[0] == "scalar_tensor";
  const std::string op = r.get("op");
  auto with = [&](auto s) {
    if (op == "xlogy") return first ? f(ts::xlogy(s, x)) : f(x.xlogy(s));
    if (op == "copysign") return f(ts::copysign(x, s));
    if (op == "float_power") return first ? f(ts::float_power(s, x)) : f(x.float_power(s));
    if constexpr (!ts::is_floating_v<A>) {
      if (op == "bitwise_and") return first ? f(s & x) : f(x & s);
      if (op == "bitwise_or") return first ? f(s | x) : f(x | s);
      if (op == "bitwise_xor") return first ? f(s ^ x) : f(x ^ s);
      if (op == "bitwise_left_shift") return first ? f(s << x) : f(x << s);
      if (op == "bitwise_right_shift") return first ? f(s >> x) : f(x >> s);
    }
    FAIL("unknown scalar op " << op << " for " << r.name);
  };
  // A Python int is an integral scalar, a Python float a floating one.
  if (parts[1].find('.') == std::string::npos) with(static_cast<int64_t>(std::stoll(parts[1])));
  else with(std::stod(parts[1]));
}

/** Gradients of both operands in float64 against PyTorch's. */
void check_binary_grad(const golden::Record& r) {
  const auto a = golden::operand<double>(r, "a_").requires_grad_(true);
  const auto b = golden::operand<double>(r, "b_").requires_grad_(true);
  run_binary(r, a, b, [&]<class R>(const ts::Tensor<R>& y) {
    if constexpr (std::is_same_v<R, double>) {
      // float_power is pow of float64 copies here (PowBackward1 either way).
      CHECK(y.grad_fn_name() == (r.get("op") == "arctan2" ? std::string("Atan2Backward0") : r.get("grad_fn")));
      const auto g = ts::from_vector(golden::values<double>(r.get("g_values")), y.sizes());
      const auto grads = ts::autograd::grad({y}, {a, b}, {g});
      check_values(r, grads[0].template as<double>().to_vector(), golden::values<double>(r.get("grad")));
      check_values(r, grads[1].template as<double>().to_vector(), golden::values<double>(r.get("grad_b")));
    }
  });
}

}  // namespace

TEST_CASE("binary pointwise functions match PyTorch over every pair of edge values", "[pointwise]") {
  int checked = 0, grads = 0;
  for (const auto& r : golden::load("pointwise.txt")) {
    if (r.has("c_dtype") || r.get("op") == "isclose") continue;
    if (r.has("scalar")) {
      ts::dispatch(golden::dtype(r.get("a_dtype")), [&]<class A>(std::type_identity<A>) {
        run_scalar(r, golden::operand<A>(r, "a_"), [&](const auto& out) { check_result(r, out); });
      });
      ++checked;
      continue;
    }
    if (!r.has("b_dtype")) continue;
    golden::with_pair(golden::dtype(r.get("a_dtype")), golden::dtype(r.get("b_dtype")), [&]<class P>(P) {
      using A = typename P::first;
      using B = typename P::second;
      const auto a = golden::operand<A>(r, "a_");
      const auto b = golden::operand<B>(r, "b_");
      run_binary(r, a, b, [&](const auto& out) { check_result(r, out); });
      if (a.dim() == 1) {  // strided operands, same values
        const auto at = a.unsqueeze(1).expand({a.size(0), 2}).t()[0];
        const auto bt = b.unsqueeze(0).expand({3, b.size(0)})[2];
        run_binary(r, at, bt, [&](const auto& out) { check_result(r, out); });
      }
    });
    ++checked;
    if (r.has("grad")) {
      check_binary_grad(r);
      ++grads;
    }
  }
  CHECK(checked >= 200);
  CHECK(grads >= 8);
}

TEST_CASE("addcmul and addcdiv match PyTorch, gradients included", "[pointwise]") {
  int checked = 0;
  for (const auto& r : golden::load("pointwise.txt")) {
    if (!r.has("c_dtype") || r.name.find("_mixed_") != std::string::npos) continue;
    const double value = *param(r, "value");
    const bool mul = r.get("op") == "addcmul";
    ts::dispatch(golden::dtype(r.get("a_dtype")), [&]<class A>(std::type_identity<A>) {
      if constexpr (!std::is_same_v<A, bool>) {
        auto a = golden::operand<A>(r, "a_"), b = golden::operand<A>(r, "b_"), c = golden::operand<A>(r, "c_");
        if (mul) check_result(r, ts::addcmul(a, b, c, value));
        else if constexpr (ts::is_floating_v<A>) check_result(r, a.addcdiv(b, c, value));
        if constexpr (std::is_same_v<A, double>) {
          a.requires_grad_(true), b.requires_grad_(true), c.requires_grad_(true);
          const auto y = mul ? a.addcmul(b, c, value) : ts::addcdiv(a, b, c, value);
          const auto g = ts::from_vector(golden::values<double>(r.get("g_values")), y.sizes());
          const auto grads = ts::autograd::grad({y}, {a, b, c}, {g});
          check_values(r, grads[0].template as<double>().to_vector(), golden::values<double>(r.get("grad")));
          check_values(r, grads[1].template as<double>().to_vector(), golden::values<double>(r.get("grad_b")));
          check_values(r, grads[2].template as<double>().to_vector(), golden::values<double>(r.get("grad_c")));
        }
      }
    });
    ++checked;
  }
  CHECK(checked == 9);
}

TEST_CASE("addcmul and addcdiv convert operands of three dtypes to the result's first", "[pointwise]") {
  std::map<std::string, golden::Record> cases;
  for (const auto& r : golden::load("pointwise.txt"))
    if (r.name.find("_mixed_") != std::string::npos) cases.emplace(r.name, r);
  REQUIRE(cases.size() == 5);
  const auto run = [&]<class A, class B, class C>(const std::string& name, std::type_identity<A>, std::type_identity<B>,
                                                  std::type_identity<C>) {
    const golden::Record& r = cases.at(name);
    const auto a = golden::operand<A>(r, "a_");
    const auto b = golden::operand<B>(r, "b_");
    const auto c = golden::operand<C>(r, "c_");
    const double value = *param(r, "value");
    if (r.get("op") == "addcmul") check_result(r, ts::addcmul(a, b, c, value));
    else if constexpr (ts::is_floating_v<B> || ts::is_floating_v<C>) check_result(r, ts::addcdiv(a, b, c, value));
  };
  using ts::bfloat16;
  run("addcmul_mixed_0", std::type_identity<bfloat16>{}, std::type_identity<int64_t>{}, std::type_identity<bfloat16>{});
  run("addcmul_mixed_1", std::type_identity<float>{}, std::type_identity<int64_t>{}, std::type_identity<double>{});
  run("addcdiv_mixed_2", std::type_identity<bfloat16>{}, std::type_identity<int64_t>{}, std::type_identity<bfloat16>{});
  run("addcdiv_mixed_3", std::type_identity<float>{}, std::type_identity<int32_t>{}, std::type_identity<double>{});
  run("addcmul_mixed_4", std::type_identity<int32_t>{}, std::type_identity<int64_t>{}, std::type_identity<uint8_t>{});
}

TEST_CASE("pointwise gradients pass gradcheck in float64", "[pointwise][autograd]") {
  using V = std::vector<ts::Tensor<double>>;
  // Points away from poles and kinks.
  const auto x = ts::tensor({0.3, 1.7, 2.6, 0.45}).to<double>().requires_grad_(true);
  const auto u = ts::tensor({-0.6, 0.1, 0.35, 0.8}).to<double>().requires_grad_(true);  // inside (-1, 1)
  const auto p = ts::tensor({0.2, 0.4, 0.65, 0.9}).to<double>().requires_grad_(true);   // inside (0, 1)
  CHECK(ts::autograd::gradcheck([](const V& in) { return in[0].log10(); }, {x}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return ts::erf(in[0]); }, {u}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return ts::erfc(in[0]); }, {u}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return in[0].erfinv(); }, {u}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return ts::lgamma(in[0]); }, {x}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return in[0].digamma(); }, {x}));
  for (int64_t n : {0, 1, 2, 3})
    CHECK(ts::autograd::gradcheck([n](const V& in) { return ts::polygamma(n, in[0]); }, {x}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return ts::sinc(in[0]); }, {u}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return in[0].deg2rad() + ts::rad2deg(in[0]); }, {u}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return in[0].reciprocal() * ts::exp2(in[0]); }, {x}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return in[0].frac() + ts::square(in[0]); }, {x}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return in[0].logit() + ts::logit(in[0], 0.3); }, {p}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return ts::nan_to_num(in[0].log()); }, {x}));
  // Second order through digamma -> polygamma(1) -> polygamma(2).
  const auto y = ts::lgamma(x);
  const auto g1 = ts::autograd::grad({y.sum()}, {x}, {}, std::nullopt, /*create_graph=*/true)[0].as<double>();
  const auto g2 = ts::autograd::grad(g1.sum(), x);
  const auto want = ts::polygamma(1, x.detach()).to_vector();
  for (size_t i = 0; i < want.size(); ++i) CHECK(g2.to_vector()[i] == Approx(want[i]).epsilon(1e-14));
}

TEST_CASE("pointwise in-place and out= forms, and PyTorch's errors", "[pointwise]") {
  const auto x = ts::tensor({0.25, -0.5, 2.0});
  auto y = x.clone();
  y.erf_();
  CHECK(ts::equal(y, ts::erf(x)));
  y = x.clone();
  y.polygamma_(2).trunc_();
  CHECK(ts::equal(y, ts::polygamma(2, x).trunc()));
  y = x.clone();
  y.logit_(0.25);
  CHECK(ts::equal(y, x.logit(0.25)));
  y = ts::tensor({NAN, INFINITY, -INFINITY, 1.f});
  y.nan_to_num_(1, 2, 3);
  CHECK(y.to_vector() == std::vector<float>{1, 2, 3, 1});
  auto out = ts::empty<double>({3});
  ts::lgamma_out(out, x.to<double>());
  CHECK(ts::equal(out, ts::lgamma(x.to<double>())));
  ts::polygamma_out(out, 1, ts::tensor({1, 2, 3}));  // int input, float64 out
  CHECK(out.to_vector()[0] == Approx(1.6449340668482264));
  auto b = ts::empty<bool>({3});
  ts::signbit_out(b, ts::tensor({-0.0, 0.0, -1.0}));
  CHECK(b.to_vector() == std::vector<bool>{true, false, true});
  CHECK(ts::square(ts::tensor({true, false})).dtype() == ts::DType::Int64);
  CHECK(ts::deg2rad(ts::tensor({180})).item() == Approx(3.14159265f));
  CHECK(ts::nan_to_num(ts::tensor({1, 2})).to_vector() == std::vector<int64_t>{1, 2});
  // The same tensor: positive is the input itself.
  CHECK(ts::positive(x).data_ptr() == x.data_ptr());

  CHECK(error_of([] { ts::polygamma(-1, ts::ones({2})); }) == "polygamma(n, x) does not support negative n.");
  CHECK(error_of([] { ts::frac(ts::tensor({1, 2})); }) == "\"frac_cpu\" not implemented for 'Long'");
  CHECK(error_of([] { ts::tensor({1, 2}).frac_(); }) == "\"frac_cpu\" not implemented for 'Long'");
  CHECK(error_of([] { ts::trunc(ts::tensor({true})); }) == "\"trunc_vml_cpu\" not implemented for 'Bool'");
  CHECK(error_of([] { ts::positive(ts::tensor({true})); }) == "The `+` operator, on a bool tensor is not supported.");
  CHECK(error_of([] { ts::tensor({1, 2}).erf_(); }) ==
        "erf: result type torch.float32 can't be cast to the desired output type torch.int64");
  CHECK(error_of([] { ts::tensor({1, 2}).deg2rad_(); }) ==
        "deg2rad_: result type torch.float32 can't be cast to the desired output type torch.int64");
  CHECK(error_of([] { ts::erf_out(ts::empty({3}), ts::ones({2})); }) ==
        "erf: output with shape [3] doesn't match the broadcast shape [2]");
  CHECK(error_of([] { ts::polygamma_out(ts::empty<int64_t>({2}), 1, ts::ones({2})); }) ==
        "polygamma: result type torch.float32 can't be cast to the desired output type torch.int64");
}

TEST_CASE("binary pointwise gradients pass gradcheck in float64", "[pointwise][autograd]") {
  using V = std::vector<ts::Tensor<double>>;
  const auto a = ts::tensor({0.3, -1.7, 2.6, 0.45, -0.8, 1.1}).to<double>().reshape({2, 3}).requires_grad_(true);
  const auto b = ts::tensor({1.2, -0.4, 0.9}).to<double>().requires_grad_(true);  // broadcast over rows
  const auto pos = ts::tensor({0.7, 1.3, 2.2}).to<double>().requires_grad_(true);
  CHECK(ts::autograd::gradcheck([](const V& in) { return ts::atan2(in[0], in[1]); }, {a, b}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return in[0].hypot(in[1]); }, {a, b}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return ts::logaddexp(in[0], in[1]); }, {a, b}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return ts::logaddexp2(in[0], in[1]); }, {a, b}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return ts::xlogy(in[0], in[1]); }, {a, pos}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return ts::xlogy(in[0], 2.5) + ts::xlogy(3, in[1]); }, {a, pos}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return ts::copysign(in[0], in[1]); }, {a, b}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return ts::float_power(in[0].abs(), in[1]); }, {a, b}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return ts::addcmul(in[0], in[1], in[0], 0.5); }, {a, b}));
  CHECK(ts::autograd::gradcheck([](const V& in) { return ts::addcdiv(in[0], in[0], in[1], -2.0); }, {a, b}));
}

TEST_CASE("binary pointwise errors, in-place forms, isclose and allclose", "[pointwise]") {
  const auto i = ts::tensor({5, -3, 0});
  const auto f = ts::tensor({1.5f, -2.f, 0.f});
  CHECK(error_of([&] { ts::hypot(i, i); }) == "\"hypot_cpu\" not implemented for 'Long'");
  CHECK(error_of([&] { ts::logaddexp(i, i); }) == "\"logaddexp_cpu\" not implemented for 'Long'");
  CHECK(error_of([&] { ts::nextafter(f.to<ts::half>(), f.to<ts::half>()); }) ==
        "\"nextafter_cpu\" not implemented for 'Half'");
  CHECK(error_of([&] { (void)(f & f); }) == "\"bitwise_and_cpu\" not implemented for 'Float'");
  CHECK(error_of([&] { (void)(i | f); }) == "\"bitwise_or_cpu\" not implemented for 'Float'");
  CHECK(error_of([&] { (void)(i & 2.5); }) == "\"bitwise_and_cpu\" not implemented for 'Float'");
  CHECK(error_of([&] { (void)~f; }) == "\"bitwise_not_cpu\" not implemented for 'Float'");
  CHECK(error_of([&] { (void)(f << 1); }) == "\"lshift_cpu\" not implemented for 'Float'");
  CHECK(error_of([] { (void)(ts::tensor({true}) >> ts::tensor({true})); }) ==
        "\"rshift_cpu\" not implemented for 'Bool'");
  CHECK(error_of([&] { ts::heaviside(i, f); }) == "heaviside is not yet implemented for tensors with different dtypes.");
  CHECK(error_of([&] { ts::addcdiv(f, i, i); }).rfind("Integer division with addcdiv is no longer supported", 0) == 0);
  CHECK(error_of([] { ts::addcmul(ts::tensor({true}), ts::tensor({true}), ts::tensor({true})); }) ==
        "\"addcmul_cpu_out\" not implemented for 'Bool'");
  CHECK(error_of([&] { f.clone().float_power_(2); }) ==
        "the base given to float_power_ has dtype Float but the operation's result requires dtype Double");
  CHECK(error_of([&] { i.clone().atan2_(i); }) ==
        "atan2: result type torch.float32 can't be cast to the desired output type torch.int64");
  CHECK(error_of([&] { ts::isclose(i, f); }) == "Long did not match Float");
  CHECK(error_of([&] { ts::allclose(f, i); }) == "Float did not match Long");
  CHECK(error_of([&] { ts::isclose(f, f, -1.0); }) == "rtol must be greater than or equal to zero, but got -1");
  CHECK(error_of([&] { ts::isclose(f, f, 1e-5, -1.0); }) == "atol must be greater than or equal to zero, but got -1");

  // In place and operators with assignment.
  auto x = i.clone();
  x &= 6;
  x |= ts::tensor({1, 1, 1});
  x ^= 2;
  x <<= 1;
  x >>= ts::tensor({1, 0, 2});
  CHECK(x.to_vector() == std::vector<int64_t>{((((5 & 6) | 1) ^ 2) << 1) >> 1, (((-3 & 6) | 1) ^ 2) << 1,
                                              ((((0 & 6) | 1) ^ 2) << 1) >> 2});
  auto y = f.clone();
  y.atan2_(ts::tensor({1.f, 1.f, -1.f})).hypot_(ts::ones({3})).logaddexp_(f).copysign_(-1.0);
  CHECK(ts::allclose(y, ts::copysign(ts::logaddexp(ts::hypot(ts::atan2(f, ts::tensor({1.f, 1.f, -1.f})), ts::ones({3})), f), -1.0)));
  auto d = ts::tensor({2.0, 3.0}).to<double>();
  d.float_power_(ts::tensor({2, 3})).addcmul_(d, d, 0.5).addcdiv_(d, ts::tensor({2.0, 4.0}), 2.0);
  CHECK(d.to_vector() == std::vector<double>{24, 587.25});  // [4, 27], then [12, 391.5], then addcdiv_

  // isclose as torch.isclose: integers, infinities, NaN with and without equal_nan.
  const double inf = INFINITY, nan = NAN;
  const auto u = ts::tensor<double>({1.0, inf, nan, 1e10, -inf, 1.0});
  const auto v = ts::tensor<double>({1.0 + 1e-9, inf, nan, 1.00001e10, inf, inf});
  CHECK(ts::isclose(u, v).to_vector() == std::vector<bool>{true, true, false, true, false, false});
  CHECK(ts::isclose(u, v, 1e-5, 1e-8, true).to_vector() == std::vector<bool>{true, true, true, true, false, false});
  CHECK(ts::isclose(ts::tensor({10, 20}), ts::tensor({11, 20}), 0.1).to_vector() == std::vector<bool>{true, true});
  CHECK_FALSE(ts::allclose(u.slice(0, 0, 3), v.slice(0, 0, 3)));
  CHECK(ts::allclose(u.slice(0, 0, 3), v.slice(0, 0, 3), 1e-5, 1e-8, true));
}

TEST_CASE("isclose and allclose match PyTorch in every dtype, at the edge of the tolerance", "[pointwise]") {
  int checked = 0;
  for (const auto& r : golden::load("pointwise.txt")) {
    if (r.get("op") != "isclose") continue;
    const double rtol = *param(r, "rtol"), atol = *param(r, "atol");
    const bool equal_nan = *param(r, "equal_nan") != 0;
    ts::dispatch(golden::dtype(r.get("a_dtype")), [&]<class A>(std::type_identity<A>) {
      const auto a = golden::operand<A>(r, "a_"), b = golden::operand<A>(r, "b_");
      const auto close = ts::isclose(a, b, rtol, atol, equal_nan);
      check_result(r, close);
      CHECK(ts::allclose(a, b, rtol, atol, equal_nan) == close.all().item());
    });
    ++checked;
  }
  CHECK(checked == 52);
}

TEST_CASE("diff matches PyTorch: orders, dims, prepend and append, bool, gradients", "[pointwise]") {
  int checked = 0;
  for (const auto& r : golden::load("pointwise.txt")) {
    if (r.get("op") != "diff") continue;
    const auto n = static_cast<int64_t>(*param(r, "n"));
    const auto dim = static_cast<int64_t>(*param(r, "dim"));
    ts::dispatch(golden::dtype(r.get("a_dtype")), [&]<class A>(std::type_identity<A>) {
      auto x = golden::operand<A>(r, "a_");
      const auto extra = [&](const std::string& key) {
        return r.has(key + "values") ? golden::operand<A>(r, key) : ts::Tensor<A>();
      };
      check_result(r, ts::diff(x, n, dim, extra("p_"), extra("q_")));
      if constexpr (std::is_same_v<A, double>) {
        if (r.has("grad")) {
          x.requires_grad_(true);
          const auto y = x.diff(n, dim, extra("p_"), extra("q_"));
          const auto g = ts::from_vector(golden::values<double>(r.get("g_values")), y.sizes());
          check_values(r, ts::autograd::grad(y, x, g).to_vector(), golden::values<double>(r.get("grad")));
        }
      }
    });
    ++checked;
  }
  CHECK(checked == 13);
  CHECK(error_of([] { ts::diff(ts::tensor(1.f)); }) == "diff expects input to be at least one-dimensional");
  CHECK(error_of([] { ts::diff(ts::zeros({2, 3}), 1, -1, ts::zeros({2})); }) ==
        "diff expects prepend or append to be the same dimension as input");
  CHECK(error_of([] { ts::diff(ts::zeros({2, 3}), 1, 2); }) ==
        "diff: dimension out of range (expected to be in range of [-2, 1], but got 2)");
}

}  // namespace test_pointwise
