#pragma once
// The C++ side of tests/golden/call_cases.py, the golden format of the generators that evaluate
// lists of PyTorch expressions: a value case's results as (dtype, shape, values) parts, and the
// runners of the gradient and error cases.

#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "error_of.hpp"
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

/** A layer as a generator's layer(seed, ...) builds one: `Layer(args...)` constructed after
 *  manual_seed(seed) with PyTorch's mt19937 generator. Its weight, its bias when it has one, and
 *  its output for `input`. */
template <class Layer, class... Args>
Got seeded_layer(uint64_t seed, const Tensor<float>& input, const Args&... args) {
  golden::DefaultMt19937 mt;
  ts::manual_seed(seed);
  const Layer m(args...);
  const ts::NoGradGuard no_grad;
  std::vector<Tensor<float>> parts{m.weight()};
  if (m.bias().defined()) parts.push_back(m.bias());
  parts.push_back(m(input));
  return got(parts);
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

/** The call that a record named `name` holds if it is of `kind`: "grad <call>", "error <call>" and
 *  "node <call>" for the gradient, error and node cases, the bare call for the value cases (kind ""). */
inline std::optional<std::string> call_of(const std::string& name, const std::string& kind) {
  if (kind.empty()) {
    for (const char* other : {"grad ", "error ", "node "})
      if (name.rfind(other, 0) == 0) return std::nullopt;
    return name;
  }
  if (name.rfind(kind + " ", 0) != 0) return std::nullopt;
  return name.substr(kind.size() + 1);
}

/** Runs f(calls[call], record) for each record of `file` of `kind` (see call_of); every call of
 *  `calls` must have its record. */
template <class Calls, class F>
void for_each_case(const std::string& file, const std::string& kind, const Calls& calls, const F& f) {
  int cases = 0;
  for (const auto& r : golden::load(file)) {
    const std::optional<std::string> call = call_of(r.name, kind);
    if (!call) continue;
    INFO(*call);
    REQUIRE(calls.count(*call));
    f(calls.at(*call), r);
    ++cases;
  }
  CHECK(cases == static_cast<int>(calls.size()));
}

/** Runs every value record of `file` through its call, which returns a Got: each result must have
 *  PyTorch's dtype and shape, and `compare(have, want, record)` checks its values. Every call must
 *  have its record. */
template <class Calls, class Compare>
void check_value_cases(const std::string& file, const Calls& calls, const Compare& compare) {
  for_each_case(file, "", calls, [&](const auto& call, const golden::Record& r) {
    const Got have = call(), want = expected_parts(r);
    REQUIRE(have.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      INFO("result " << i);
      CHECK(have[i].dtype == want[i].dtype);
      REQUIRE(have[i].shape == want[i].shape);
      compare(have[i], want[i], r);
    }
  });
}

using GradFn = std::function<Tensor<double>(const Tensor<double>&)>;

/** Runs every "grad" record of `file` through its call: X = arange * 0.75 - 2 in the record's shape,
 *  backward from sum(result * w), w = 1, 2, 3, ..., X's gradient against PyTorch's; then gradcheck at
 *  randn * probe_scale + probe_shift (away from the kinks some calls have). Every call must have a record. */
inline void check_grad_cases(const std::string& file, const std::map<std::string, GradFn>& calls,
                             double probe_scale = 1.0, double probe_shift = 0.0) {
  for_each_case(file, "grad", calls, [&](const GradFn& call, const golden::Record& r) {
    const Shape shape(golden::ints(r.get("shape")));
    const Tensor<double> x = (ts::arange<double>(0, ts::detail::checked_numel(shape, "test")).reshape(shape) * 0.75 - 2)
                                 .detach()
                                 .requires_grad_();
    const Tensor<double> out = call(x);
    (out * ts::arange<double>(1, out.numel() + 1).reshape(out.sizes())).sum().backward();
    const auto want = golden::values<double>(r.get("grad")), have = x.grad().to_vector();
    REQUIRE(have.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) CHECK(have[i] == Approx(want[i]).margin(1e-12));
    const Tensor<double> probe = (ts::randn(shape).to<double>() * probe_scale + probe_shift).detach().requires_grad_();
    CHECK(ts::autograd::gradcheck([&](const std::vector<Tensor<double>>& in) { return call(in[0]); }, {probe}));
  });
}

/** Whether tessera's message `got` says what PyTorch's `torch` says: "op: " + PyTorch's message
 *  (which may begin with the op already; tessera may write its first letter in lower case),
 *  perhaps followed by " (...)" or ", got ..." naming the values; PyTorch's message itself where
 *  `op` is empty (PyTorch's "not implemented for" and autograd's refusals name no op). Of PyTorch's
 *  internal asserts, the sentence after "please report a bug to PyTorch." is compared; tessera
 *  names dtypes as torch.float32 where PyTorch's casting messages say Float. */
inline bool same_message(const std::string& got, const std::string& op, std::string torch) {
  const std::string report = "please report a bug to PyTorch. ";
  if (const auto at = torch.find(report); at != std::string::npos) torch = torch.substr(at + report.size());
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{{"type Float ", "type torch.float32 "},
                                                                                 {"type Long", "type torch.int64"},
                                                                                 {"type long int", "type torch.int64"},
                                                                                 {"output type Int", "output type torch.int32"}})
    if (const auto at = torch.find(from); at != std::string::npos) torch.replace(at, from.size(), to);
  const std::string want = op.empty() || torch.rfind(op + ": ", 0) == 0 ? torch : op + ": " + torch;
  if (want.empty() || got.size() < want.size()) return false;
  if (got.size() > want.size() && got.compare(want.size(), 2, " (") != 0 && got.compare(want.size(), 6, ", got ") != 0)
    return false;
  for (size_t i = 0; i < want.size(); ++i) {
    const bool first = !op.empty() && i == op.size() + 2;
    if (got[i] != want[i] && !(first && std::tolower(got[i]) == std::tolower(want[i]))) return false;
  }
  return true;
}

/** A call the error cases make, and the op its message names (see same_message). */
struct ErrorCall {
  std::string op;
  std::function<void()> call;
};

/** Each call in `calls` must throw PyTorch's message (same_message, with the call's op). */
inline void check_error_cases(const std::string& file, const std::map<std::string, ErrorCall>& calls) {
  for_each_case(file, "error", calls, [](const ErrorCall& c, const golden::Record& r) {
    const std::string torch = r.get("error");
    const std::string message = error_of(c.call);
    INFO(message);
    CHECK(same_message(message, c.op, torch));
  });
}

/** The same for calls whose message may name any op: PyTorch's message itself, or after "op: ". */
inline void check_error_cases(const std::string& file, const std::map<std::string, std::function<void()>>& calls) {
  for_each_case(file, "error", calls, [](const std::function<void()>& call, const golden::Record& r) {
    const std::string torch = r.get("error");
    const std::string message = error_of(call);
    INFO(message);
    CHECK((message == torch || message.ends_with(": " + torch)));
  });
}

/** Each call in `calls` must record PyTorch's node: the grad_fn name of the tensor it returns. */
inline void check_node_cases(const std::string& file, const std::map<std::string, std::function<std::string()>>& calls) {
  for_each_case(file, "node", calls, [](const std::function<std::string()>& call, const golden::Record& r) {
    CHECK(call() == r.get("node"));
  });
}

}  // namespace call_cases
