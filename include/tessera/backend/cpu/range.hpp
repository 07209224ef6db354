#pragma once
// CPU range kernels: arange, linspace and logspace with PyTorch's rounding, bit for bit.

#include <cmath>
#include <string_view>

#include "../../core/convert.hpp"
#include "../../iter/plan.hpp"
#include "math.hpp"

namespace tessera::detail {

// Note [Range rounding]
// A range value is a formula of its index, and PyTorch 1.13's CPU kernels evaluate that formula
// in two ways: a scalar path, compiled with fused multiply-add, and a vector path that takes the
// scalar formula at the start of each 32-byte vector and adds k * step for lane k without
// fusing. The vector path runs two vectors at a time while at least two fit, then the scalar
// path finishes. tessera reproduces both so that arange and linspace give PyTorch's bits,
// which tests/golden checks. (PyTorch splits ranges over 32768 elements across threads, which
// moves the vector boundaries with the thread count; tessera keeps the one-thread layout.)
template <class T, class Scalar, class Lane>
void fill_range(T* out, int64_t n, Scalar&& scalar, Lane&& lane) {
  constexpr int64_t lanes = 32 / static_cast<int64_t>(sizeof(T));
  int64_t i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    for (int64_t v = i; v < i + 2 * lanes; v += lanes) {
      const auto base = scalar(v);
      for (int64_t k = 0; k < lanes; ++k) out[v + k] = lane(base, k);
    }
  }
  for (; i < n; ++i) out[i] = scalar(i);
}

// a + b, rounded on its own even where the compiler would contract a multiply into it.
template <class F>
F add_unfused(F a, F b) {
  volatile F kept = b;
  return a + kept;
}
// Half and bfloat16 arithmetic as c10 does it: each operation computes in float and rounds.
template <class T>
T round_op(float v) {
  return T(v);
}

// linspace's values (Note [Range rounding]): from the start in the first half and from the end
// in the second, so that both ends are exact. The step has the output's type for floating
// outputs and is double for integral ones, as in PyTorch.
template <class T>
void linspace_fill(T* p, double start, double end, int64_t steps) {
  const int64_t halfway = steps / 2;
  if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) {
    const T s = convert<T>(start), e = convert<T>(end);
    const T step = round_op<T>(float(round_op<T>(float(e) - float(s))) / float(T(static_cast<float>(steps - 1))));
    auto times = [&](int64_t k) { return round_op<T>(float(step) * float(T(static_cast<float>(k)))); };
    auto scalar = [&](int64_t i) {
      return i < halfway ? round_op<T>(float(s) + float(times(i))) : round_op<T>(float(e) - float(times(steps - i - 1)));
    };
    fill_range(p, steps, scalar, [&](T base, int64_t k) { return round_op<T>(float(base) + float(times(k))); });
  } else {
    using Step = std::conditional_t<std::is_integral_v<T>, double, T>;
    const Step s = static_cast<Step>(convert<T>(start)), e = static_cast<Step>(convert<T>(end));
    const Step step = (e - s) / static_cast<Step>(steps - 1);
    auto scalar = [&](int64_t i) {
      return i < halfway ? std::fma(step, static_cast<Step>(i), s) : std::fma(-step, static_cast<Step>(steps - i - 1), e);
    };
    if constexpr (std::is_integral_v<T>) {
      for (int64_t i = 0; i < steps; ++i) p[i] = convert<T>(scalar(i));
    } else {
      fill_range(p, steps, scalar, [&](T base, int64_t k) { return add_unfused(base, static_cast<Step>(k) * step); });
    }
  }
}
/** base ** linspace(start, end, steps) as PyTorch computes it (the exponent in the output's
 *  precision, the power in double). */
// PyTorch 1.13's logspace_out: the ends in T and their difference in T's arithmetic, the step and
// the exponents in double (a product rounded, then a sum: volatile keeps a compiler from fusing
// them), base^x in double, with the base rounded to float for integral types.
template <class T>
void logspace_fill(T* p, double start, double end, int64_t steps, double base) {
  const T s = convert<T>(start), e = convert<T>(end);
  double difference;
  if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) difference = float(round_op<T>(float(e) - float(s)));
  else difference = static_cast<double>(e - s);
  const double step = difference / static_cast<double>(steps - 1);
  const double b = std::is_integral_v<T> ? static_cast<double>(static_cast<float>(base)) : base;
  const int64_t halfway = steps / 2;
  for (int64_t i = 0; i < steps; ++i) {
    volatile double product = step * static_cast<double>(i < halfway ? i : steps - i - 1);
    const double x = i < halfway ? static_cast<double>(s) + product : static_cast<double>(e) - product;
    p[i] = convert<T>(std::pow(b, x));
  }
}

/** The CPU kernel of a range plan. */
template <class T>
void fill_range_plan(T* p, const RangePlan& plan) {
  const int64_t n = plan.out->numel;
  const std::string_view op = plan.op;
  if (op == "arange") {
    if constexpr (std::is_integral_v<T>) {
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(math::add(plan.int_start, math::mul(plan.int_step, i)));
    } else {  // Note [Range rounding]; the arithmetic is in double, as PyTorch's accumulate type
      const double s = plan.start, st = plan.step;
      auto scalar = [&](int64_t i) { return convert<T>(std::fma(st, static_cast<double>(i), s)); };
      auto lane = [&](T base, int64_t k) { return convert<T>(std::fma(static_cast<double>(k), st, static_cast<double>(base))); };
      fill_range(p, n, scalar, lane);
    }
  } else if (n == 1) {
    p[0] = convert<T>(op == "logspace" ? std::pow(plan.base, plan.start) : plan.start);
  } else if (n > 1) {
    if (op == "linspace") linspace_fill(p, plan.start, plan.end, n);
    else logspace_fill(p, plan.start, plan.end, n, plan.base);
  }
}

}  // namespace tessera::detail
