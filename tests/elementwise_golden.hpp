#pragma once
// Shared by the elementwise golden tests: building operands and comparing results with PyTorch.

#include <set>
#include <tuple>

#include "golden.hpp"

namespace golden {

/** Builds the record's tensor named by `prefix` ("a_", "b_", "c_"), applying its view op. */
template <class T>
ts::Tensor<T> operand(const Record& r, const std::string& prefix) {
  auto t = ts::from_vector(values<T>(r.get(prefix + "values")), ts::Shape(ints(r.get(prefix + "shape"))));
  if (r.has(prefix + "op")) {
    const std::string op = r.get(prefix + "op");
    // The same values, laid out transposed in memory: a non-contiguous operand.
    if (op == "t" || op == "strided") return t.t().contiguous().t();
  }
  return t;
}

inline bool is_transcendental(const std::string& op) {
  static const std::set<std::string> ops = {"exp",     "expm1", "log",  "log1p", "log2",     "sin", "cos",
                                            "tan",     "tanh",  "sigmoid", "gelu", "softplus", "pow", "lerp"};
  return ops.count(op) > 0;
}

// PyTorch's half and bfloat16 kernels for these ops round some intermediates to the storage type,
// which moves results by up to one unit in the last place; tessera rounds once.
inline bool rounds_intermediates(const std::string& op) {
  static const std::set<std::string> ops = {"rsqrt", "floor_divide", "remainder", "fmod"};
  return is_transcendental(op) || ops.count(op) > 0;
}

/** Checks dtype, shape and values; transcendental results within a few units in the last place. */
template <class R>
void check(const Record& r, const ts::Tensor<R>& out) {
  INFO("case " << r.name << ": got " << out);
  REQUIRE(out.dtype() == dtype(r.get("result_dtype")));
  REQUIRE(out.sizes() == ts::Shape(ints(r.get("result_shape"))));
  const auto got = out.to_vector();
  const auto want = values<R>(r.get("result"));
  INFO("want " << ts::from_vector(want, out.sizes()));
  if constexpr (ts::is_floating_v<R>) {
    constexpr bool reduced = std::is_same_v<R, ts::half> || std::is_same_v<R, ts::bfloat16>;
    if (is_transcendental(r.get("op")) || (reduced && rounds_intermediates(r.get("op")))) {
      const double rtol = std::is_same_v<R, double>  ? 1e-13
                          : std::is_same_v<R, float> ? 4e-6
                          : std::is_same_v<R, ts::half> ? 2e-3
                                                        : 1e-2;
      const double atol = reduced ? 1e-3 : rtol * 1e-3;
      REQUIRE(got.size() == want.size());
      for (size_t i = 0; i < got.size(); ++i) {
        const double g = static_cast<double>(got[i]), w = static_cast<double>(want[i]);
        if (std::isnan(w) || std::isinf(w)) {
          CHECK(((std::isnan(g) && std::isnan(w)) || g == w));
        } else {
          CHECK(std::fabs(g - w) <= rtol * std::fabs(w) + atol);
        }
      }
      return;
    }
  }
  CHECK(same_bits(got, want));
}

template <class A, class B>
struct Pair {
  using first = A;
  using second = B;
};

/** Calls f(Pair<A, B>{}) for the dtype pair the generator uses (BINARY_PAIRS in generate.py). */
template <class F>
void with_pair(ts::DType a, ts::DType b, F&& f) {
  using namespace ts;
  using Pairs = std::tuple<Pair<float, float>, Pair<double, double>, Pair<half, half>, Pair<bfloat16, bfloat16>,
                           Pair<int64_t, int64_t>, Pair<int32_t, int32_t>, Pair<uint8_t, uint8_t>,
                           Pair<int8_t, int8_t>, Pair<int16_t, int16_t>, Pair<bool, bool>, Pair<float, double>,
                           Pair<int32_t, float>, Pair<uint8_t, int8_t>, Pair<int64_t, half>, Pair<bool, float>,
                           Pair<bool, int64_t>, Pair<half, bfloat16>, Pair<uint8_t, int64_t>>;
  bool found = false;
  std::apply(
      [&](auto... pairs) {
        (([&]<class P>(P) {
           if (!found && ts::dtype_of<typename P::first> == a && ts::dtype_of<typename P::second> == b) {
             found = true;
             f(P{});
           }
         }(pairs)),
         ...);
      },
      Pairs{});
  REQUIRE(found);
}

}  // namespace golden
