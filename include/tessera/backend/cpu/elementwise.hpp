#pragma once
// CPU elementwise kernels: unary, binary (with a tensor or a scalar), ternary and the maps of
// clamp, lerp, where and masked_fill, over broadcast, strided operands.

#include "../../core/convert.hpp"
#include "loops.hpp"

namespace tessera::detail {

// Note [Small ops]
// An op on a few contiguous elements costs more in set-up (broadcast strides, the strided
// loop's dimension sorting) than in arithmetic. When a fresh output and its inputs are
// contiguous with the same shape and small enough for one thread, the vector loop runs on
// them directly: the same loop, and so the same bits, as the general path's contiguous case.
inline bool small_contiguous(const TensorImpl& out, const TensorImpl& in) {
  return out.numel <= kGrainSize && in.sizes == out.sizes && in.is_contiguous() && out.is_contiguous();
}

/** True when a kernel can take Op's vector form: one float or double type throughout. */
template <class Op, class O, size_t N, class... In>
consteval bool simd_friendly_impl() {
  if constexpr ((std::is_same_v<O, float> || std::is_same_v<O, double>) && (std::is_same_v<O, In> && ...))
    return VectorOp<Op, typename VecOf<O, 16>::type, N>;
  else
    return false;
}
template <class Op, class O, size_t N, class... In>
inline constexpr bool simd_friendly = simd_friendly_impl<Op, O, N, In...>();

/** t's first element as T (no dtype switch: the caller knows it). */
template <class T>
T* typed(const TensorImpl& t) {
  return reinterpret_cast<T*>(static_cast<char*>(t.storage.data()) + t.offset * static_cast<int64_t>(sizeof(T)));
}

// Note [Small kernels inline]
// Each kernel below is split in two: the small-op path (Note [Small ops]) is inlined into the op,
// and the strided path, which needs a large frame, is a function of its own, so that a 4-element
// add pays neither its prologue nor its stack.

/** out = Op(a, b), computed in C, rounded to the op's result type R, converted to O: the strided path. */
template <class Op, class R, class C, class O, class A, class B>
[[gnu::noinline]] void binary_strided(const TensorImpl& out, const TensorImpl& a, const TensorImpl& b) {
  auto f = [](A x, B y) { return convert<O>(convert<R>(Op{}(convert<C>(x), convert<C>(y)))); };
  const std::array<Operand, 2> operands = {operand_of(a, out.sizes, Op::name), operand_of(b, out.sizes, Op::name)};
  if constexpr (simd_friendly<Op, O, 2, A, B>) cpu_kernel<O, A, B>(out, operands, f, Op{});
  else cpu_kernel<O, A, B>(out, operands, f);
}
/** out = Op(a, b). `fresh`: out is a new tensor; `same_layout`: out, a and b are contiguous of one shape. */
template <class Op, class R, class C, class O, class A, class B>
[[gnu::always_inline]] inline void binary_kernel(const TensorImpl& out, const TensorImpl& a, const TensorImpl& b,
                                                 bool fresh, bool same_layout) {
  if constexpr (simd_friendly<Op, O, 2, A, B>) {
    if (fresh && (same_layout ? out.numel <= kGrainSize : small_contiguous(out, a) && small_contiguous(out, b))) {
      vector_run<O, 2, Op>(typed<O>(out), {typed<const A>(a), typed<const B>(b)}, {false, false}, out.numel);
      return;
    }
  }
  binary_strided<Op, R, C, O, A, B>(out, a, b);
}

/** out = Op(a, c) (or Op(c, a) when `reversed`): the strided path. */
template <class Op, bool reversed, class R, class C, class O, class A>
[[gnu::noinline]] void scalar_strided(const TensorImpl& out, const TensorImpl& a, C c) {
  if constexpr (simd_friendly<Op, O, 2, A, A> && std::is_same_v<C, A>) {  // the scalar as a repeated operand
    auto f = [](A x, A y) { return Op{}(x, y); };
    const std::array<Operand, 2> operands = {operand_of(a, out.sizes, Op::name), scalar_operand(c, out.sizes.size())};
    if constexpr (reversed) cpu_kernel<O, A, A>(out, {operands[1], operands[0]}, f, Op{});
    else cpu_kernel<O, A, A>(out, operands, f, Op{});
  } else {
    cpu_kernel<O, A>(out, {operand_of(a, out.sizes, Op::name)}, [c](A x) {
      if constexpr (reversed) return convert<O>(convert<R>(Op{}(c, convert<C>(x))));
      else return convert<O>(convert<R>(Op{}(convert<C>(x), c)));
    });
  }
}
/** out = Op(a, c) (or Op(c, a) when `reversed`) for the scalar c of the compute type C. */
template <class Op, bool reversed, class R, class C, class O, class A>
[[gnu::always_inline]] inline void scalar_kernel(const TensorImpl& out, const TensorImpl& a, C c, bool fresh) {
  if constexpr (simd_friendly<Op, O, 2, A, A> && std::is_same_v<C, A>) {
    if (fresh && small_contiguous(out, a)) {
      const A* x = typed<const A>(a);
      if constexpr (reversed) vector_run<O, 2, Op>(typed<O>(out), {&c, x}, {true, false}, out.numel);
      else vector_run<O, 2, Op>(typed<O>(out), {x, &c}, {false, true}, out.numel);
      return;
    }
  }
  scalar_strided<Op, reversed, R, C, O, A>(out, a, c);
}

/** out = Op(a), computed in C, rounded to R, converted to O: the strided path. */
template <class Op, class R, class C, class O, class A>
[[gnu::noinline]] void unary_strided(const TensorImpl& out, const TensorImpl& a) {
  auto f = [](A x) { return convert<O>(convert<R>(Op{}(convert<C>(x)))); };
  if constexpr (simd_friendly<Op, O, 1, A>) cpu_kernel<O, A>(out, {operand_of(a, out.sizes, Op::name)}, f, Op{});
  else cpu_kernel<O, A>(out, {operand_of(a, out.sizes, Op::name)}, f);
}
/** out = Op(a). */
template <class Op, class R, class C, class O, class A>
[[gnu::always_inline]] inline void unary_kernel(const TensorImpl& out, const TensorImpl& a, bool fresh) {
  if constexpr (simd_friendly<Op, O, 1, A>) {
    if (fresh && small_contiguous(out, a)) {
      vector_run<O, 1, Op>(typed<O>(out), {typed<const A>(a)}, {false}, out.numel);
      return;
    }
  }
  unary_strided<Op, R, C, O, A>(out, a);
}

/** out = x limited to [lo, hi] (each bound only when given), computed in C, rounded to the
 *  result type R. NaN stays NaN; a NaN bound alone is ignored, and with both bounds given it
 *  makes every element NaN (PyTorch's clamp_min, clamp_max and clamp). */
template <class O, class T, class R, class C>
void clamp_kernel(const TensorImpl& out, const TensorImpl& x, bool has_lo, C lo, bool has_hi, C hi) {
  bool nan_bound = false;
  if constexpr (std::is_floating_point_v<C>) nan_bound = has_lo && has_hi && (std::isnan(lo) || std::isnan(hi));
  cpu_kernel<O, T>(out, {operand_of(x, out.sizes, "clamp")}, [=](T v) {
    C c = convert<C>(v);
    if constexpr (std::is_floating_point_v<C>) {
      if (nan_bound) return convert<O>(convert<R>(std::numeric_limits<C>::quiet_NaN()));
      if (std::isnan(c)) return convert<O>(convert<R>(c));
    }
    if (has_lo) c = c < lo ? lo : c;
    if (has_hi) c = c > hi ? hi : c;
    return convert<O>(convert<R>(c));
  });
}

/** out = op(a, b) for an op object that converts for itself (it may hold values: masked_fill's). */
template <class O, class A, class B, class Op>
void binary_map_kernel(const TensorImpl& out, const TensorImpl& a, const TensorImpl& b, const Op& op) {
  cpu_kernel<O, A, B>(out, {operand_of(a, out.sizes, Op::name), operand_of(b, out.sizes, Op::name)},
                      [&op](A x, B y) { return op(x, y); });
}

/** out = f(a) for a function that converts for itself and may hold values (polygamma's order). */
template <class O, class A, class F>
void unary_map_kernel(const TensorImpl& out, const TensorImpl& a, const char* name, const F& f) {
  cpu_kernel<O, A>(out, {operand_of(a, out.sizes, name)}, [&f](A x) { return f(x); });
}

/** out = Op(a, b, c), computed in C, rounded to R, converted to O. */
template <class Op, class R, class C, class O, class A, class B, class W>
void ternary_kernel(const TensorImpl& out, const TensorImpl& a, const TensorImpl& b, const TensorImpl& c) {
  cpu_kernel<O, A, B, W>(out, {operand_of(a, out.sizes, Op::name), operand_of(b, out.sizes, Op::name),
                               operand_of(c, out.sizes, Op::name)},
                         [](A x, B y, W z) { return convert<O>(convert<R>(Op{}(convert<C>(x), convert<C>(y), convert<C>(z)))); });
}

}  // namespace tessera::detail
