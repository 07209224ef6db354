#pragma once
// The C++ side of tests/golden/call_cases.py, the golden format of the generators that evaluate
// lists of PyTorch expressions: a value case's results as (dtype, shape, values) parts, and the
// runner of the gradient cases.

#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "golden.hpp"

namespace call_cases {

using ts::Shape;
using ts::Tensor;

/** One result tensor as the golden file writes it. */
struct Part {
  ts::DType dtype;
  Shape shape;
  std::vector<double> values;
};
using Got = std::vector<Part>;

template <class T>
Got got(const Tensor<T>& t) {
  return {{t.dtype(), t.sizes(), t.template to<double>().to_vector()}};
}
template <class T>
Got got(const std::vector<Tensor<T>>& results) {
  Got out;
  for (const auto& t : results) out.push_back(got(t)[0]);
  return out;
}
template <class T, class U>
Got got(const std::tuple<Tensor<T>, Tensor<U>>& r) {
  return {got(std::get<0>(r))[0], got(std::get<1>(r))[0]};
}
template <class T>
Got got(const ts::ValuesIndices<T>& r) {
  return {got(r.values)[0], got(r.indices)[0]};
}

/** The record's parts (dtype, shape, values repeated per result). */
inline Got expected_parts(const golden::Record& r) {
  const auto dtypes = r.all("dtype"), shapes = r.all("shape"), values = r.all("values");
  Got out;
  for (size_t i = 0; i < dtypes.size(); ++i)
    out.push_back({golden::dtype(dtypes[i]), Shape(golden::ints(shapes[i])), golden::values<double>(values[i])});
  return out;
}

/** Bit-equal up to NaN payloads: the same values with the same signs of zero. */
inline bool same_values(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i] && std::signbit(a[i]) == std::signbit(b[i])) && !(std::isnan(a[i]) && std::isnan(b[i])))
      return false;
  return true;
}

using GradFn = std::function<Tensor<double>(const Tensor<double>&)>;

/** Runs every "grad" record of `file` through its call: X = arange * 0.75 - 2 in the record's shape,
 *  backward from sum(result * w), w = 1, 2, 3, ..., X's gradient against PyTorch's; then gradcheck at
 *  randn * probe_scale + probe_shift (away from the kinks some calls have). Every call must have a record. */
inline void check_grad_cases(const std::string& file, const std::map<std::string, GradFn>& calls,
                             double probe_scale = 1.0, double probe_shift = 0.0) {
  int cases = 0;
  for (const auto& r : golden::load(file)) {
    if (r.name.rfind("grad ", 0) != 0) continue;
    const std::string call = r.name.substr(5);
    INFO(call);
    REQUIRE(calls.count(call));
    const Shape shape(golden::ints(r.get("shape")));
    const Tensor<double> x = (ts::arange<double>(0, ts::detail::checked_numel(shape, "test")).reshape(shape) * 0.75 - 2)
                                 .detach()
                                 .requires_grad_();
    const Tensor<double> out = calls.at(call)(x);
    (out * ts::arange<double>(1, out.numel() + 1).reshape(out.sizes())).sum().backward();
    const auto want = golden::values<double>(r.get("grad")), have = x.grad().to_vector();
    REQUIRE(have.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) CHECK(have[i] == Approx(want[i]).margin(1e-12));
    const Tensor<double> probe = (ts::randn(shape).to<double>() * probe_scale + probe_shift).detach().requires_grad_();
    CHECK(ts::autograd::gradcheck([&](const std::vector<Tensor<double>>& in) { return calls.at(call)(in[0]); }, {probe}));
    ++cases;
  }
  CHECK(cases == static_cast<int>(calls.size()));
}

}  // namespace call_cases
