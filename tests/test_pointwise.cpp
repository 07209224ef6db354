// Pointwise special functions (ops/pointwise.hpp) against PyTorch: values over edge cases in
// every dtype, gradients in float64 (PyTorch's and gradcheck's), errors.

#include <cfloat>

#include "elementwise_golden.hpp"
#include "error_of.hpp"

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
