#pragma once
// Elementwise ops: arithmetic, comparisons, logic, unary math, with broadcasting, PyTorch's
// promotion, C++ scalars on either side, in-place (`add_`) and `_out` forms.

#include "../backend/cpu/elementwise.hpp"
#include "../backend/cpu/math.hpp"
#include "../backend/dispatch.hpp"
#include "../core/warning.hpp"
#include "copy.hpp"
#include "creation.hpp"

namespace tessera {
namespace detail {

// Note [Elementwise ops]
// Every elementwise op is a functor on its compute type C (float for half and bfloat16, else
// the result type) plus traits saying how results and scalars are typed. The drivers below
// broadcast, promote, allocate the result with PyTorch's memory layout and run the functor in
// cpu_kernel; the same functor serves tensor-tensor, tensor-scalar, scalar-tensor, in-place and
// `_out` calls, so each formula is written once (backend/cpu/math.hpp).
//
// A C++ scalar is first converted to the op's common type, then to the compute type, as PyTorch's
// CPU kernels do: half(x) * 0.1 multiplies by half(0.1), uint8 + 1000 adds uint8(1000), and
// uint8 / -1 divides by -1.0f.

enum class ResultKind { Promoted, TrueDivide, Bool };


struct ArithTraits {
  static constexpr ResultKind result = ResultKind::Promoted;
  static constexpr bool integer_zero_check = false;
  static constexpr bool supports_bool = true;  // when computing on bool (both operands bool)
};
using PlainTraits = ArithTraits;
struct IntegerDivisionTraits : PlainTraits {
  static constexpr bool integer_zero_check = true;
  static constexpr bool supports_bool = false;
};
struct CompareTraits : PlainTraits {
  static constexpr ResultKind result = ResultKind::Bool;
};

struct AddOp : ArithTraits {
  static constexpr const char* name = "add";
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& a, const V& b) { r = a + b; }
  template <class C> C operator()(C a, C b) const {
    if constexpr (std::is_same_v<C, bool>) return a || b;
    else return math::add(a, b);  // Note [Wrapping integer arithmetic]
  }
};
struct SubOp : ArithTraits {
  static constexpr const char* name = "sub";
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& a, const V& b) { r = a - b; }
  static constexpr bool supports_bool = false;
  template <class C> C operator()(C a, C b) const { return math::sub(a, b); }
};
struct MulOp : ArithTraits {
  static constexpr const char* name = "mul";
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& a, const V& b) { r = a * b; }
  template <class C> C operator()(C a, C b) const {
    if constexpr (std::is_same_v<C, bool>) return a && b;
    else return math::mul(a, b);
  }
};
struct DivOp : ArithTraits {
  static constexpr const char* name = "div";
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& a, const V& b) { r = a / b; }
  static constexpr ResultKind result = ResultKind::TrueDivide;
  template <class C> C operator()(C a, C b) const { return a / b; }
};
struct PowOp : PlainTraits {
  static constexpr bool supports_bool = false;
  static constexpr const char* name = "pow";
  template <class C> C operator()(C a, C b) const { return math::pow(a, b); }
};
struct RemainderOp : IntegerDivisionTraits {
  static constexpr const char* name = "remainder";
  template <class C> C operator()(C a, C b) const { return math::remainder(a, b); }
};
struct FmodOp : IntegerDivisionTraits {
  static constexpr const char* name = "fmod";
  template <class C> C operator()(C a, C b) const { return math::fmod(a, b); }
};
struct FloorDivideOp : IntegerDivisionTraits {
  static constexpr const char* name = "floor_divide";
  template <class C> C operator()(C a, C b) const { return math::floor_divide(a, b); }
};
/** torch.div with rounding_mode "trunc" and "floor" (the second floor_divide's values and GPU
 *  kernel): unlike floor_divide, both have a gradient, zero (Note [Division with a rounding mode]). */
template <class R>
struct DivTruncOp : IntegerDivisionTraits {
  static constexpr const char* name = "div_trunc";
  template <class C> C operator()(C a, C b) const {
    if constexpr (std::is_integral_v<C>) return math::trunc_divide(a, b);
    else return std::trunc(convert<C>(convert<R>(a / b)));  // a half or bfloat16 quotient rounds first, as PyTorch's
  }
};
struct DivFloorOp : FloorDivideOp {};
template <class Op>
inline constexpr bool is_rounded_div = std::is_same_v<Op, DivFloorOp>;
template <class R>
inline constexpr bool is_rounded_div<DivTruncOp<R>> = true;
struct MinimumOp : PlainTraits {
  static constexpr const char* name = "minimum";
  template <class C> C operator()(C a, C b) const { return math::minimum(a, b); }
};
struct MaximumOp : PlainTraits {
  static constexpr const char* name = "maximum";
  template <class C> C operator()(C a, C b) const { return math::maximum(a, b); }
};
/** ReLU's derivative: the gradient `a` where the result `b` is positive, else 0 (NaN passes `a`). */
struct ThresholdBackwardOp : PlainTraits {
  static constexpr const char* name = "threshold_backward";
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& a, const V& b) { r = b <= V{} ? V{} : a; }
  template <class C> C operator()(C a, C b) const { return b <= C(0) ? C(0) : a; }
};
#define TS_COMPARE_OP(Name, opname, expr)                      \
  struct Name : CompareTraits {                                \
    static constexpr const char* name = opname;                \
    template <class C> bool operator()(C a, C b) const { return expr; } \
  };
TS_COMPARE_OP(EqOp, "eq", a == b)
TS_COMPARE_OP(NeOp, "ne", a != b)
TS_COMPARE_OP(LtOp, "lt", a < b)
TS_COMPARE_OP(LeOp, "le", a <= b)
TS_COMPARE_OP(GtOp, "gt", a > b)
TS_COMPARE_OP(GeOp, "ge", a >= b)
TS_COMPARE_OP(LogicalAndOp, "logical_and", static_cast<bool>(a) && static_cast<bool>(b))
TS_COMPARE_OP(LogicalOrOp, "logical_or", static_cast<bool>(a) || static_cast<bool>(b))
#undef TS_COMPARE_OP

/** start + weight * (end - start), as PyTorch computes it for accuracy at both ends. */
struct LerpOp {
  static constexpr const char* name = "lerp";
  template <class C> C operator()(C start, C end, C weight) const { return math::lerp(start, end, weight); }
};
/** cond ? a : b (cond converted to the compute type: 1 or 0). */
struct WhereOp {
  static constexpr const char* name = "where";
  template <class C> C operator()(C cond, C a, C b) const { return cond != C(0) ? a : b; }
};
template <class T>
struct MaskedFillOp {
  static constexpr const char* name = "masked_fill_";
  T value;
  T operator()(T x, bool mask) const { return mask ? value : x; }
};
template <class Op, class R0>
using op_result_t = std::conditional_t<Op::result == ResultKind::Bool, bool,
                                       std::conditional_t<Op::result == ResultKind::TrueDivide, true_divide_t<R0>, R0>>;

/** The type operands are converted to before computing (PyTorch's common dtype): the promoted
 *  type for comparisons, the result type otherwise (so true division converts to float). */
template <class Op, class R0>
using op_common_t = std::conditional_t<Op::result == ResultKind::Bool, R0, op_result_t<Op, R0>>;
template <class Op, class R0>
using op_compute_t = opmath_t<op_common_t<Op, R0>>;

template <class T>
void check_no_integer_zero(const char* op, const Tensor<T>& divisor) {
  if constexpr (std::is_integral_v<T>) {
    NoGradGuard no_grad;
    TS_CHECK(!(divisor == T(0)).any().item(), op, ": ZeroDivisionError (integer division by zero)");
  }
}

/** `input` itself, or a snapshot of it when it may share bytes with the tensor being written in
 *  a way PyTorch does not check (Note [Overlap of inputs and outputs]; a partial overlap of dense
 *  views is refused by the plan). A freshly allocated `out` overlaps nothing, and skipping the
 *  check keeps the snapshot's copy kernels out of programs that never write into existing tensors. */
template <class T>
Tensor<T> snapshot_if_overlapping(const TensorImpl& out, const Tensor<T>& input) {
  const TensorImpl& in = input.impl();
  if (overlap_status(out, in) != Overlap::TooHard || !may_overlap(out, in)) return input;
  if (out.data() == in.data() && out.sizes == in.sizes && out.strides == in.strides) return input;
  return input.clone();
}
template <bool fresh_out = false, class T>
decltype(auto) resolve_overlap(const TensorImpl& out, const Tensor<T>& input) {
  if constexpr (fresh_out) return (input);  // a reference: a small op pays no reference count
  else return snapshot_if_overlapping(out, input);
}

/** Refuses, for types alone, an in-place op whose result type R the tensor's type O cannot hold. */
template <class R, class O>
[[noreturn]] void refuse_result_type(const char* op) {
  throw_error(op, ": result type ", dtype_of<R>, " can't be cast to the desired output type ", dtype_of<O>);
}

template <class Op>
inline constexpr bool has_derivative = !std::is_same_v<Op, FloorDivideOp> && !std::is_same_v<Op, ThresholdBackwardOp> &&
                                       !requires { requires !Op::differentiable; };  // ops that say so (bitwise_and, ...)

/** Records a binary op's node; `a` is what the node saves as self (a copy for in-place ops). */
template <class Op, class R, class A, class B>
std::shared_ptr<Node> record_binary(const Tensor<R>& out, const Tensor<A>& a, const Tensor<B>& b,
                                    const Tensor<A>& saved_a = {}) {
  const AnyTensor inputs[] = {a, b}, result = out;
  const std::span<const AnyTensor> outputs(&result, out.defined() ? 1 : 0);  // none yet for in-place ops
  if constexpr (!has_derivative<Op>) {
    return record_lists<NotImplemented>(inputs, outputs, Op::name);
  } else {
    auto node = record_lists<BinaryBackward<Op, A, B>>(inputs, outputs, saved_a.defined() ? saved_a : a, b);
    if (out.defined()) node->set_result(out);
    return node;
  }
}

/** A copy of `t` outside the graph: what an in-place op saves of its input's old values. */
template <class T>
Tensor<T> saved_copy(const Tensor<T>& t) {
  NoGradGuard no_grad;
  return t.clone();
}

// Note [Operands of mixed dtypes]
// An op on tensors of two dtypes first converts each operand to the common dtype (op_common_t),
// as PyTorch's CPU ops do (TensorIterator's promote_inputs_to_common_dtype), then computes as
// for one dtype: int64 2049 + half 0.5 rounds 2049 to half 2048 first, and gives 2048, not the
// 2050 that converting straight to the compute type float would give. Kernels are then compiled
// for each op and common dtype only, not for each pair of operand dtypes.

/** PyTorch's sub_check (sub and rsub): no bool operand in a subtraction; `a_bool` and `b_bool`
 *  say whether each operand is bool. */
inline void check_no_bool_subtraction(const char* op, bool a_bool, bool b_bool) {
  TS_CHECK(!(a_bool && b_bool), op, ": Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
           "`^` or `logical_xor()` operator instead.");
  TS_CHECK(!(a_bool || b_bool), op, ": Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
           "trying to invert a mask, use the `~` or `logical_not()` operator instead.");
}

/** Runs the binary op into `out` (already checked), converting the result to O. `same_layout`:
 *  the caller knows out, a and b are contiguous tensors of one shape. */
template <class Op, bool fresh_out = false, class O, class A, class B>
void binary_into(const Tensor<O>& out, const Tensor<A>& a_in, const Tensor<B>& b_in, bool same_layout = false) {
  using R = op_result_t<Op, promote_t<A, B>>;
  using C = op_compute_t<Op, promote_t<A, B>>;
  using Common = op_common_t<Op, promote_t<A, B>>;
  if constexpr (std::is_same_v<Op, SubOp>)
    check_no_bool_subtraction(Op::name, std::is_same_v<A, bool>, std::is_same_v<B, bool>);
  if constexpr (std::is_same_v<C, bool> && !Op::supports_bool) {
    throw_error(Op::name, ": not supported for bool tensors (", dtype_of<A>, " and ", dtype_of<B>, ")");
  } else if constexpr (!std::is_same_v<A, B>) {  // Note [Operands of mixed dtypes]
    binary_into<Op, fresh_out>(out, as_dtype<Common>(a_in, Op::name), as_dtype<Common>(b_in, Op::name), same_layout);
  } else {
  if constexpr (Op::integer_zero_check) check_no_integer_zero(Op::name, b_in);
  const Tensor<A>& a = resolve_overlap<fresh_out>(out.impl(), a_in);
  const Tensor<B>& b = resolve_overlap<fresh_out>(out.impl(), b_in);
  dispatch_plan(ElementwisePlan{.op = Op::name, .out = &out.impl(), .fresh_out = fresh_out,
                                .inputs = {&a.impl(), &b.impl()}, .num_inputs = 2, .result_dtype = dtype_of<R>},
                [&]() __attribute__((always_inline)) { binary_kernel<Op, R, C, O, A, B>(out.impl(), a.impl(), b.impl(), fresh_out, same_layout); });
  }
}

template <class Op, class A, class B>
Tensor<op_result_t<Op, promote_t<A, B>>> binary(const Tensor<A>& a, const Tensor<B>& b) {
  using R = op_result_t<Op, promote_t<A, B>>;
  check_same_device(Op::name, a.device(), b.device());
  Tensor<R> out;
  const bool same_layout = a.sizes() == b.sizes() && a.is_contiguous() && b.is_contiguous();
  if (same_layout) {  // no broadcasting, no layout to keep
    out = empty_tensor<R>(a.sizes(), {.device = a.device()}, Op::name);
  } else {
    const Shape shape = broadcast_shapes(a.sizes(), b.sizes(), Op::name);
    const Shape sa = broadcast_strides(a.sizes(), a.strides(), shape, Op::name);
    const Shape sb = broadcast_strides(b.sizes(), b.strides(), shape, Op::name);
    const Shape* inputs[] = {&sa, &sb};
    out = empty_strided_tensor<R>(shape, result_strides(shape, inputs), a.device());
  }
  binary_into<Op, true>(out, a, b, same_layout);
  if constexpr ((is_floating_v<A> || is_floating_v<B>) && is_floating_v<R>)
    if (needs_grad(a, b)) record_binary<Op>(out, a, b);
  return out;
}

/** The scalar as the compute type sees it (Note [Elementwise ops]). */
template <class Op, class R0, class S>
auto scalar_value(S s) {
  using Common = op_common_t<Op, R0>;
  return convert<opmath_t<Common>>(convert<Common>(s));
}

template <class R, class C, class O, class A>
bool pow_by_special_scalar(const TensorImpl& out, const TensorImpl& a, C exponent, bool fresh);

/** tensor op scalar (or scalar op tensor when `reversed`), written into `out`. */
template <class Op, bool reversed, bool fresh_out = false, class O, class A, class S>
void scalar_into(const Tensor<O>& out, const Tensor<A>& a_in, S s) {
  using R0 = scalar_promote_t<A, S>;
  using R = op_result_t<Op, R0>;
  using C = op_compute_t<Op, R0>;
  if constexpr (std::is_same_v<Op, SubOp>)
    check_no_bool_subtraction(Op::name, std::is_same_v<A, bool>, std::is_same_v<S, bool>);
  if constexpr (std::is_same_v<C, bool> && !Op::supports_bool) {
    throw_error(Op::name, ": not supported for bool tensors (", dtype_of<A>, " and a bool scalar)");
  } else {
  const auto c = scalar_value<Op, R0>(s);
  // PyTorch refuses an integral tensor to a negative integral scalar power (tensors of exponents
  // compute it: 0 unless the base is 1 or -1); the scalar is checked before any conversion.
  if constexpr (std::is_same_v<Op, PowOp> && !reversed && std::is_integral_v<A> && std::is_integral_v<S> &&
                std::is_signed_v<S>) {
    TS_CHECK(!(s < 0), "pow: Integers to negative integer powers are not allowed.");
  }
  if constexpr (Op::integer_zero_check && std::is_integral_v<C>) {
    if constexpr (reversed) check_no_integer_zero(Op::name, a_in);
    else TS_CHECK(c != 0, Op::name, ": ZeroDivisionError (integer division by zero)");
  }
  const Tensor<A>& a = resolve_overlap<fresh_out>(out.impl(), a_in);
  dispatch_plan(ElementwisePlan{.op = Op::name, .out = &out.impl(), .fresh_out = fresh_out, .inputs = {&a.impl()},
                                .num_inputs = 1, .result_dtype = dtype_of<R>, .has_scalar = true, .scalar_first = reversed,
                                .scalar = convert<double>(c)},
                [&]() __attribute__((always_inline)) {
                  if constexpr (std::is_same_v<Op, PowOp> && !reversed && std::is_floating_point_v<C>)
                    if (pow_by_special_scalar<R, C, O, A>(out.impl(), a.impl(), c, fresh_out)) return;
                  scalar_kernel<Op, reversed, R, C, O, A>(out.impl(), a.impl(), c, fresh_out);
                });
  }
}

template <class Op, bool reversed, class A, class S>
std::shared_ptr<Node> record_scalar(const Tensor<A>& out, const Tensor<A>& a, S s, const Tensor<A>& saved_a = {}) {
  const AnyTensor input = a, result = out;
  const std::span<const AnyTensor> inputs(&input, 1), outputs(&result, out.defined() ? 1 : 0);
  if constexpr (!has_derivative<Op> ||
                (reversed && (std::is_same_v<Op, RemainderOp> || std::is_same_v<Op, FmodOp>))) {
    return record_lists<NotImplemented>(inputs, outputs, Op::name);
  } else {
    auto node = record_lists<ScalarBackward<Op, A, reversed>>(inputs, outputs, saved_a.defined() ? saved_a : a,
                                                              convert<double>(s));
    if (out.defined()) node->set_result(out);
    return node;
  }
}

template <class Op, bool reversed = false, class A, class S>
Tensor<op_result_t<Op, scalar_promote_t<A, S>>> binary_scalar(const Tensor<A>& a, S s) {
  using R = op_result_t<Op, scalar_promote_t<A, S>>;
  Tensor<R> out = empty_like_preserving<R>(a.impl());
  scalar_into<Op, reversed, true>(out, a, s);
  if constexpr (is_floating_v<A> && std::is_same_v<R, A>)
    if (needs_grad(a)) record_scalar<Op, reversed>(out, a, s);
  return out;
}

template <class Op, class A, class B>
const Tensor<A>& binary_inplace(const Tensor<A>& self, const Tensor<B>& other) {
  check_same_device(Op::name, self.device(), other.device());
  std::shared_ptr<Node> node;
  if constexpr (is_floating_v<A>)
    if (needs_grad(self, other)) {
      check_inplace(self);
      node = record_binary<Op>(Tensor<A>(), self, other, other.requires_grad() ? saved_copy(self) : self);
    }
  binary_into<Op>(self, self, other);
  if (node) {
    if constexpr (has_derivative<Op>) std::static_pointer_cast<BinaryBackward<Op, A, B>>(node)->set_result(self);
    finish_inplace(self, node);
  }
  return self;
}

template <class Op, class A, class S>
const Tensor<A>& scalar_inplace(const Tensor<A>& self, S s) {
  std::shared_ptr<Node> node;
  if constexpr (is_floating_v<A>)
    if (needs_grad(self)) {
      check_inplace(self);
      node = record_scalar<Op, false>(Tensor<A>(), self, s, saved_copy(self));
    }
  scalar_into<Op, false>(self, self, s);
  if (node) finish_inplace(self, node);
  return self;
}

template <class Op, class O, class A, class B>
const Tensor<O>& binary_out(const Tensor<O>& out, const Tensor<A>& a, const Tensor<B>& b) {
  check_same_device(Op::name, a.device(), b.device());
  check_same_device(Op::name, out.device(), a.device());
  check_out_not_differentiable(Op::name, out, a, b);
  binary_into<Op>(out, a, b);
  return out;
}

// --- unary ops --------------------------------------------------------------------------------

struct UnaryTraits {
  static constexpr bool floating_only = false;
  static constexpr bool predicate = false;
};
struct FloatingTraits : UnaryTraits {
  static constexpr bool floating_only = true;
};
struct PredicateTraits : UnaryTraits {
  static constexpr bool predicate = true;
};
#define TS_UNARY_OP(Name, opname, Traits, expr)                        \
  struct Name : Traits {                                               \
    static constexpr const char* name = opname;                        \
    template <class C> auto operator()(C x) const { return expr; }    \
  };
TS_UNARY_OP(NegOp, "neg", UnaryTraits, math::neg(x))
TS_UNARY_OP(AbsOp, "abs", UnaryTraits, math::abs(x))
TS_UNARY_OP(SignOp, "sign", UnaryTraits, math::sign(x))
TS_UNARY_OP(FloorOp, "floor", UnaryTraits, [](C v) { if constexpr (std::is_integral_v<C>) return v; else return std::floor(v); }(x))
TS_UNARY_OP(CeilOp, "ceil", UnaryTraits, [](C v) { if constexpr (std::is_integral_v<C>) return v; else return std::ceil(v); }(x))
TS_UNARY_OP(RoundOp, "round", UnaryTraits, [](C v) { if constexpr (std::is_integral_v<C>) return v; else return std::nearbyint(v); }(x))
struct ReluOp : UnaryTraits {
  static constexpr const char* name = "relu";
  template <class C> auto operator()(C x) const { return math::relu(x); }
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& x) { r = x < V{} ? V{} : x; }
};
struct SqrtOp : FloatingTraits {
  static constexpr const char* name = "sqrt";
  template <class C> auto operator()(C x) const { return std::sqrt(x); }
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  // The vector square root instruction, correctly rounded like std::sqrt (which the compiler
  // will not vectorise while it may set errno).
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& x) requires(sizeof(x[0]) == 4) {
    if constexpr (sizeof(V) == 64) asm("vsqrtps %1, %0" : "=v"(r) : "v"(x));
    else if constexpr (sizeof(V) == 32) asm("vsqrtps %1, %0" : "=x"(r) : "x"(x));
    else asm("sqrtps %1, %0" : "=x"(r) : "x"(x));
  }
#endif
};
TS_UNARY_OP(RsqrtOp, "rsqrt", FloatingTraits, math::rsqrt(x))
struct ReciprocalOp : FloatingTraits {
  static constexpr const char* name = "reciprocal";
  template <class C> C operator()(C x) const { return C(1) / x; }
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& x) { r = 1 / x; }
};

// Note [pow by a scalar]
// PyTorch computes x ** e for a scalar e of 0.5, -0.5, -1, 2, 3 or -2 as sqrt(x), 1 / sqrt(x),
// 1 / x, x * x, x * x * x and 1 / (x * x), not by pow: the results differ in the last bit (powf
// of x and 2 is not always x * x) and at the edges (pow(-inf, 0.5) is inf, sqrt(-inf) NaN; pow(-0,
// 0.5) is 0, sqrt(-0) -0). tessera does the same for a floating tensor on every device (the GPU's
// pow kernel checks for these exponents when its exponent is the scalar); a tensor of exponents is pow.
struct PowByOtherOps {
  static constexpr const char* name = "pow";
};
struct PowTwoOp : PowByOtherOps {
  template <class C> C operator()(C x) const { return x * x; }
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& x) { r = x * x; }
};
struct PowThreeOp : PowByOtherOps {
  template <class C> C operator()(C x) const { return x * x * x; }
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& x) { r = x * x * x; }
};
struct PowMinusTwoOp : PowByOtherOps {
  template <class C> C operator()(C x) const { return C(1) / (x * x); }
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& x) { r = 1 / (x * x); }
};
/** out = a ** exponent by the op PyTorch uses for that exponent; false for the other exponents. */
template <class R, class C, class O, class A>
bool pow_by_special_scalar(const TensorImpl& out, const TensorImpl& a, C exponent, bool fresh) {
  if (exponent == C(2)) unary_kernel<PowTwoOp, R, C, O, A>(out, a, fresh);
  else if (exponent == C(3)) unary_kernel<PowThreeOp, R, C, O, A>(out, a, fresh);
  else if (exponent == C(-2)) unary_kernel<PowMinusTwoOp, R, C, O, A>(out, a, fresh);
  else if (exponent == C(-1)) unary_kernel<ReciprocalOp, R, C, O, A>(out, a, fresh);
  else if (exponent == C(0.5)) unary_kernel<SqrtOp, R, C, O, A>(out, a, fresh);
  else if (exponent == C(-0.5)) unary_kernel<RsqrtOp, R, C, O, A>(out, a, fresh);
  else return false;
  return true;
}
struct ExpOp : FloatingTraits {
  static constexpr const char* name = "exp";
  template <class C> auto operator()(C x) const { return std::exp(x); }
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& x) requires(sizeof(x[0]) == 4) { vec_exp(r, x); }
};
TS_UNARY_OP(Expm1Op, "expm1", FloatingTraits, std::expm1(x))
TS_UNARY_OP(LogOp, "log", FloatingTraits, std::log(x))
TS_UNARY_OP(Log1pOp, "log1p", FloatingTraits, std::log1p(x))
TS_UNARY_OP(Log2Op, "log2", FloatingTraits, std::log2(x))
TS_UNARY_OP(SinOp, "sin", FloatingTraits, std::sin(x))
TS_UNARY_OP(CosOp, "cos", FloatingTraits, std::cos(x))
TS_UNARY_OP(TanOp, "tan", FloatingTraits, std::tan(x))
struct TanhOp : FloatingTraits {
  static constexpr const char* name = "tanh";
  template <class C> auto operator()(C x) const { return std::tanh(x); }
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& x) requires(sizeof(x[0]) == 4) { vec_tanh(r, x); }
};
TS_UNARY_OP(SigmoidOp, "sigmoid", FloatingTraits, math::sigmoid(x))
struct GeluOp : FloatingTraits {
  static constexpr const char* name = "gelu";
  template <class C> auto operator()(C x) const { return math::gelu(x); }
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& x) requires(sizeof(x[0]) == 4) { vec_gelu(r, x); }
};
TS_UNARY_OP(SoftplusOp, "softplus", FloatingTraits, math::softplus(x))
TS_UNARY_OP(IsnanOp, "isnan", PredicateTraits, [](C v) { if constexpr (std::is_integral_v<C>) return false; else return std::isnan(v); }(x))
TS_UNARY_OP(IsinfOp, "isinf", PredicateTraits, [](C v) { if constexpr (std::is_integral_v<C>) return false; else return std::isinf(v); }(x))
TS_UNARY_OP(IsfiniteOp, "isfinite", PredicateTraits, [](C v) { if constexpr (std::is_integral_v<C>) return true; else return std::isfinite(v); }(x))
TS_UNARY_OP(LogicalNotOp, "logical_not", PredicateTraits, !static_cast<bool>(x))
#undef TS_UNARY_OP

template <class Op, class A>
using unary_result_t = std::conditional_t<Op::predicate, bool, std::conditional_t<Op::floating_only, floating_t<A>, A>>;

template <class Op, bool fresh_out = false, class O, class A>
void unary_into(const Tensor<O>& out, const Tensor<A>& a_in) {
  using R = unary_result_t<Op, A>;
  using C = opmath_t<std::conditional_t<Op::predicate, A, R>>;
  const Tensor<A>& a = resolve_overlap<fresh_out>(out.impl(), a_in);
  dispatch_plan(ElementwisePlan{.op = Op::name, .out = &out.impl(), .fresh_out = fresh_out, .inputs = {&a.impl()},
                                .num_inputs = 1, .result_dtype = dtype_of<R>},
                [&]() __attribute__((always_inline)) { unary_kernel<Op, R, C, O, A>(out.impl(), a.impl(), fresh_out); });
}

template <class Op, class A>
Tensor<unary_result_t<Op, A>> unary(const Tensor<A>& a) {
  Tensor<unary_result_t<Op, A>> out = empty_like_preserving<unary_result_t<Op, A>>(a.impl());
  unary_into<Op, true>(out, a);
  if constexpr (is_floating_v<A> && !Op::predicate)
    if (needs_grad(a)) record<UnaryBackward<Op, A>>({a}, {out}, a)->set_result(out);
  return out;
}

template <class Op, class A>
const Tensor<A>& unary_inplace(const Tensor<A>& self) {
  std::shared_ptr<UnaryBackward<Op, A>> node;
  if constexpr (is_floating_v<A> && !Op::predicate)
    if (needs_grad(self)) node = begin_inplace<UnaryBackward<Op, A>>(self, {self}, saved_copy(self));
  unary_into<Op>(self, self);
  if constexpr (is_floating_v<A> && !Op::predicate)
    if (node) {
      node->set_result(self);
      finish_inplace(self, node);
    }
  return self;
}

template <class Op, class O, class A>
const Tensor<O>& unary_out(const Tensor<O>& out, const Tensor<A>& a) {
  check_same_device(Op::name, out.device(), a.device());
  check_out_not_differentiable(Op::name, out, a);
  unary_into<Op>(out, a);
  return out;
}

}  // namespace detail

// --- binary ops: functions, `_out` forms, methods ------------------------------------------------

#define TS_DEFINE_BINARY(name, Op, wrap)                                                                \
  template <class A, class B>                                                                           \
  Tensor<wrap<promote_t<A, B>>> name(const Tensor<A>& a, const Tensor<B>& b) {                          \
    return detail::binary<detail::Op>(a, b);                                                            \
  }                                                                                                     \
  template <class A, Scalar S>                                                                          \
  Tensor<wrap<scalar_promote_t<A, S>>> name(const Tensor<A>& a, S s) {                                  \
    return detail::binary_scalar<detail::Op>(a, s);                                                     \
  }                                                                                                     \
  template <Scalar S, class B>                                                                          \
  Tensor<wrap<scalar_promote_t<B, S>>> name(S s, const Tensor<B>& b) {                                  \
    return detail::binary_scalar<detail::Op, true>(b, s);                                               \
  }                                                                                                     \
  template <class O, class A, class B>                                                                  \
  const Tensor<O>& name##_out(const Tensor<O>& out, const Tensor<A>& a, const Tensor<B>& b) {           \
    return detail::binary_out<detail::Op>(out, a, b);                                                   \
  }                                                                                                     \
  template <class O, class A, Scalar S>                                                                 \
  const Tensor<O>& name##_out(const Tensor<O>& out, const Tensor<A>& a, S s) {                          \
    detail::check_same_device(#name, out.device(), a.device());                                         \
    detail::check_out_not_differentiable(#name, out, a);                                                \
    detail::scalar_into<detail::Op, false>(out, a, s);                                                  \
    return out;                                                                                         \
  }

#define TS_DEFINE_BINARY_METHODS(name, Op, wrap)                                                        \
  TS_DEFINE_BINARY(name, Op, wrap)                                                                      \
  template <class T>                                                                                    \
  template <class U>                                                                                    \
  Tensor<wrap<promote_t<T, U>>> Tensor<T>::name(const Tensor<U>& other) const {                         \
    return detail::binary<detail::Op>(*this, other);                                                    \
  }                                                                                                     \
  template <class T>                                                                                    \
  template <Scalar S>                                                                                   \
  Tensor<wrap<scalar_promote_t<T, S>>> Tensor<T>::name(S other) const {                                 \
    return detail::binary_scalar<detail::Op>(*this, other);                                             \
  }                                                                                                     \
  template <class T>                                                                                    \
  template <class U>                                                                                    \
  const Tensor<T>& Tensor<T>::name##_(const Tensor<U>& other) const {                                   \
    return detail::binary_inplace<detail::Op>(*this, other);                                            \
  }                                                                                                     \
  template <class T>                                                                                    \
  template <Scalar S>                                                                                   \
  const Tensor<T>& Tensor<T>::name##_(S other) const {                                                  \
    return detail::scalar_inplace<detail::Op>(*this, other);                                            \
  }

TS_DEFINE_BINARY_METHODS(add, AddOp, std::type_identity_t)
TS_DEFINE_BINARY_METHODS(sub, SubOp, std::type_identity_t)
TS_DEFINE_BINARY_METHODS(mul, MulOp, std::type_identity_t)
TS_DEFINE_BINARY_METHODS(div, DivOp, true_divide_t)
TS_DEFINE_BINARY_METHODS(pow, PowOp, std::type_identity_t)
TS_DEFINE_BINARY_METHODS(remainder, RemainderOp, std::type_identity_t)
TS_DEFINE_BINARY_METHODS(fmod, FmodOp, std::type_identity_t)
TS_DEFINE_BINARY_METHODS(floor_divide, FloorDivideOp, std::type_identity_t)
TS_DEFINE_BINARY_METHODS(minimum, MinimumOp, std::type_identity_t)
TS_DEFINE_BINARY_METHODS(maximum, MaximumOp, std::type_identity_t)

namespace detail {
template <class>
using bool_t = bool;
}
#define TS_DEFINE_COMPARE(name, Op)                                                          \
  TS_DEFINE_BINARY(name, Op, detail::bool_t)                                                 \
  template <class T>                                                                         \
  template <class U>                                                                         \
  Tensor<bool> Tensor<T>::name(const Tensor<U>& other) const {                               \
    return detail::binary<detail::Op>(*this, other);                                         \
  }                                                                                          \
  template <class T>                                                                         \
  template <Scalar S>                                                                        \
  Tensor<bool> Tensor<T>::name(S other) const {                                              \
    return detail::binary_scalar<detail::Op>(*this, other);                                  \
  }
TS_DEFINE_COMPARE(eq, EqOp)
TS_DEFINE_COMPARE(ne, NeOp)
TS_DEFINE_COMPARE(lt, LtOp)
TS_DEFINE_COMPARE(le, LeOp)
TS_DEFINE_COMPARE(gt, GtOp)
TS_DEFINE_COMPARE(ge, GeOp)
TS_DEFINE_COMPARE(logical_and, LogicalAndOp)
TS_DEFINE_COMPARE(logical_or, LogicalOrOp)
#undef TS_DEFINE_COMPARE
#undef TS_DEFINE_BINARY_METHODS
#undef TS_DEFINE_BINARY

// Note [Division with a rounding mode]
// torch.div(a, b, rounding_mode="trunc") rounds the quotient toward zero and "floor" rounds it
// down (floor_divide's values); either keeps the promoted type, so integers stay integers (no true
// division), integer division by zero throws, and the gradient is zero for both operands (PyTorch's
// DivBackward2), where floor_divide has none. C++ cannot return another type for another string,
// so true division is div(a, b) and rounding_mode names only the two roundings.
namespace detail {
/** True for "trunc", false for "floor"; PyTorch's error for any other mode. */
inline bool rounds_toward_zero(std::string_view rounding_mode) {
  TS_CHECK(rounding_mode == "trunc" || rounding_mode == "floor",
           "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '", rounding_mode, "'");
  return rounding_mode == "trunc";
}
}  // namespace detail
template <class A, class B>
Tensor<promote_t<A, B>> div(const Tensor<A>& a, const Tensor<B>& b, std::string_view rounding_mode) {
  return detail::rounds_toward_zero(rounding_mode) ? detail::binary<detail::DivTruncOp<promote_t<A, B>>>(a, b)
                                                   : detail::binary<detail::DivFloorOp>(a, b);
}
template <class A, Scalar S>
Tensor<scalar_promote_t<A, S>> div(const Tensor<A>& a, S b, std::string_view rounding_mode) {
  return detail::rounds_toward_zero(rounding_mode)
             ? detail::binary_scalar<detail::DivTruncOp<scalar_promote_t<A, S>>>(a, b)
             : detail::binary_scalar<detail::DivFloorOp>(a, b);
}
template <class T>
template <class U>
Tensor<promote_t<T, U>> Tensor<T>::div(const Tensor<U>& other, std::string_view rounding_mode) const {
  return tessera::div(*this, other, rounding_mode);
}
template <class T>
template <Scalar S>
Tensor<scalar_promote_t<T, S>> Tensor<T>::div(S other, std::string_view rounding_mode) const {
  return tessera::div(*this, other, rounding_mode);
}
template <class T>
template <class U>
const Tensor<T>& Tensor<T>::div_(const Tensor<U>& other, std::string_view rounding_mode) const {
  return detail::rounds_toward_zero(rounding_mode) ? detail::binary_inplace<detail::DivTruncOp<promote_t<T, U>>>(*this, other)
                                                   : detail::binary_inplace<detail::DivFloorOp>(*this, other);
}
template <class T>
template <Scalar S>
const Tensor<T>& Tensor<T>::div_(S other, std::string_view rounding_mode) const {
  return detail::rounds_toward_zero(rounding_mode) ? detail::scalar_inplace<detail::DivTruncOp<scalar_promote_t<T, S>>>(*this, other)
                                                   : detail::scalar_inplace<detail::DivFloorOp>(*this, other);
}

// --- PyTorch's other names for the binary ops and comparisons ------------------------------------

#define TS_DEFINE_ALIAS(alias, name, wrap)                                                       \
  template <class A, class B>                                                                    \
  Tensor<wrap<promote_t<A, B>>> alias(const Tensor<A>& a, const Tensor<B>& b) {                  \
    return name(a, b);                                                                           \
  }                                                                                              \
  template <class A, Scalar S>                                                                   \
  Tensor<wrap<scalar_promote_t<A, S>>> alias(const Tensor<A>& a, S s) {                          \
    return name(a, s);                                                                           \
  }
TS_DEFINE_ALIAS(subtract, sub, std::type_identity_t)
TS_DEFINE_ALIAS(multiply, mul, std::type_identity_t)
TS_DEFINE_ALIAS(divide, div, true_divide_t)
template <class A, class B>
Tensor<promote_t<A, B>> divide(const Tensor<A>& a, const Tensor<B>& b, std::string_view rounding_mode) {
  return div(a, b, rounding_mode);
}
template <class A, Scalar S>
Tensor<scalar_promote_t<A, S>> divide(const Tensor<A>& a, S b, std::string_view rounding_mode) {
  return div(a, b, rounding_mode);
}
TS_DEFINE_ALIAS(true_divide, div, true_divide_t)
TS_DEFINE_ALIAS(greater, gt, detail::bool_t)
TS_DEFINE_ALIAS(greater_equal, ge, detail::bool_t)
TS_DEFINE_ALIAS(less, lt, detail::bool_t)
TS_DEFINE_ALIAS(less_equal, le, detail::bool_t)
TS_DEFINE_ALIAS(not_equal, ne, detail::bool_t)
#undef TS_DEFINE_ALIAS

namespace detail {
/** x.eq_(y) and the like: the comparison computed out of place, its 0/1 copied into self
 *  (PyTorch writes them in self's dtype; self's shape must be the broadcast shape). */
template <class T>
const Tensor<T>& compare_inplace(const Tensor<T>& self, const Tensor<bool>& result, const char* op) {
  return copy_result(op, self, result);
}
}  // namespace detail

#define TS_DEFINE_COMPARE_INPLACE(name)                                                        \
  template <class T>                                                                           \
  template <class U>                                                                           \
  const Tensor<T>& Tensor<T>::name##_(const Tensor<U>& other) const {                          \
    return detail::compare_inplace(*this, tessera::name(*this, other), #name "_");             \
  }                                                                                            \
  template <class T>                                                                           \
  template <Scalar S>                                                                          \
  const Tensor<T>& Tensor<T>::name##_(S other) const {                                         \
    return detail::compare_inplace(*this, tessera::name(*this, other), #name "_");             \
  }
TS_DEFINE_COMPARE_INPLACE(eq)
TS_DEFINE_COMPARE_INPLACE(ne)
TS_DEFINE_COMPARE_INPLACE(lt)
TS_DEFINE_COMPARE_INPLACE(le)
TS_DEFINE_COMPARE_INPLACE(gt)
TS_DEFINE_COMPARE_INPLACE(ge)
TS_DEFINE_COMPARE_INPLACE(logical_and)
TS_DEFINE_COMPARE_INPLACE(logical_or)
#undef TS_DEFINE_COMPARE_INPLACE

// --- operators ------------------------------------------------------------------------------------

// Note [Declared result types]
// Operators and ops name their result type rather than deduce it (`auto`): a deduced type makes
// the compiler instantiate the whole op, kernels and derivative included, wherever a template
// merely mentions it, which costs every program that includes tessera compile time.
#define TS_DEFINE_OPERATOR(op, name)                                                                    \
  template <class A, class B>                                                                            \
  auto operator op(const Tensor<A>& a, const Tensor<B>& b) -> decltype(name(a, b)) { return name(a, b); } \
  template <class A, Scalar S>                                                                           \
  auto operator op(const Tensor<A>& a, S s) -> decltype(name(a, s)) { return name(a, s); }               \
  template <Scalar S, class B>                                                                           \
  auto operator op(S s, const Tensor<B>& b) -> decltype(name(s, b)) { return name(s, b); }
TS_DEFINE_OPERATOR(+, add)
TS_DEFINE_OPERATOR(-, sub)
TS_DEFINE_OPERATOR(*, mul)
TS_DEFINE_OPERATOR(/, div)
TS_DEFINE_OPERATOR(==, eq)
TS_DEFINE_OPERATOR(!=, ne)
TS_DEFINE_OPERATOR(<, lt)
TS_DEFINE_OPERATOR(<=, le)
TS_DEFINE_OPERATOR(>, gt)
TS_DEFINE_OPERATOR(>=, ge)
#undef TS_DEFINE_OPERATOR

/** Logical and/or/not of bool tensors (elementwise). */
template <std::same_as<bool> B>
Tensor<bool> operator&&(const Tensor<B>& a, const Tensor<B>& b) { return logical_and(a, b); }
template <std::same_as<bool> B>
Tensor<bool> operator||(const Tensor<B>& a, const Tensor<B>& b) { return logical_or(a, b); }
template <std::same_as<bool> B>
Tensor<bool> operator!(const Tensor<B>& a) { return detail::unary<detail::LogicalNotOp>(a); }
template <class T>
Tensor<bool> logical_not(const Tensor<T>& a) {
  return detail::unary<detail::LogicalNotOp>(a);
}
template <class T>
const Tensor<T>& Tensor<T>::logical_not_() const {
  return detail::compare_inplace(*this, logical_not(*this), "logical_not_");
}

/** Unary minus; does not compile for Tensor<bool> (PyTorch raises at run time). */
template <class T>
  requires(!std::is_same_v<T, bool>)
Tensor<T> operator-(const Tensor<T>& a) {
  return a.neg();
}

#define TS_DEFINE_COMPOUND(op, method)                                                         \
  template <class A, class B>                                                                   \
  const Tensor<A>& operator op(const Tensor<A>& a, const Tensor<B>& b) { return a.method(b); }  \
  template <class A, Scalar S>                                                                  \
  const Tensor<A>& operator op(const Tensor<A>& a, S s) { return a.method(s); }
TS_DEFINE_COMPOUND(+=, add_)
TS_DEFINE_COMPOUND(-=, sub_)
TS_DEFINE_COMPOUND(*=, mul_)
TS_DEFINE_COMPOUND(/=, div_)
#undef TS_DEFINE_COMPOUND

// --- unary ops ------------------------------------------------------------------------------------

#define TS_DEFINE_UNARY(name, Op, result)                                                    \
  template <class A>                                                                         \
  auto name(const Tensor<A>& a) {                                                            \
    return detail::unary<detail::Op>(a);                                                     \
  }                                                                                          \
  template <class O, class A>                                                                \
  const Tensor<O>& name##_out(const Tensor<O>& out, const Tensor<A>& a) {                    \
    return detail::unary_out<detail::Op>(out, a);                                            \
  }                                                                                          \
  template <class T>                                                                         \
  Tensor<result> Tensor<T>::name() const {                                                   \
    return detail::unary<detail::Op>(*this);                                                 \
  }                                                                                          \
  template <class T>                                                                         \
  const Tensor<T>& Tensor<T>::name##_() const {                                              \
    return detail::unary_inplace<detail::Op>(*this);                                         \
  }
TS_DEFINE_UNARY(neg, NegOp, T)
TS_DEFINE_UNARY(abs, AbsOp, T)
TS_DEFINE_UNARY(sign, SignOp, T)
TS_DEFINE_UNARY(floor, FloorOp, T)
TS_DEFINE_UNARY(ceil, CeilOp, T)
TS_DEFINE_UNARY(round, RoundOp, T)
TS_DEFINE_UNARY(relu, ReluOp, T)
TS_DEFINE_UNARY(sqrt, SqrtOp, floating_t<T>)
TS_DEFINE_UNARY(rsqrt, RsqrtOp, floating_t<T>)
TS_DEFINE_UNARY(exp, ExpOp, floating_t<T>)
TS_DEFINE_UNARY(expm1, Expm1Op, floating_t<T>)
TS_DEFINE_UNARY(log, LogOp, floating_t<T>)
TS_DEFINE_UNARY(log1p, Log1pOp, floating_t<T>)
TS_DEFINE_UNARY(log2, Log2Op, floating_t<T>)
TS_DEFINE_UNARY(sin, SinOp, floating_t<T>)
TS_DEFINE_UNARY(cos, CosOp, floating_t<T>)
TS_DEFINE_UNARY(tan, TanOp, floating_t<T>)
TS_DEFINE_UNARY(tanh, TanhOp, floating_t<T>)
TS_DEFINE_UNARY(sigmoid, SigmoidOp, floating_t<T>)
TS_DEFINE_UNARY(gelu, GeluOp, floating_t<T>)
TS_DEFINE_UNARY(softplus, SoftplusOp, floating_t<T>)
#undef TS_DEFINE_UNARY
/** torch.absolute and torch.negative: aliases of abs and neg. */
template <class T>
Tensor<T> absolute(const Tensor<T>& x) {
  return x.abs();
}
template <class T>
Tensor<T> negative(const Tensor<T>& x) {
  return x.neg();
}

#define TS_DEFINE_PREDICATE(name, Op)                                             \
  template <class A>                                                              \
  Tensor<bool> name(const Tensor<A>& a) {                                         \
    return detail::unary<detail::Op>(a);                                          \
  }                                                                               \
  template <class A>                                                              \
  const Tensor<bool>& name##_out(const Tensor<bool>& out, const Tensor<A>& a) {   \
    return detail::unary_out<detail::Op>(out, a);                                 \
  }                                                                               \
  template <class T>                                                              \
  Tensor<bool> Tensor<T>::name() const {                                          \
    return detail::unary<detail::Op>(*this);                                      \
  }
TS_DEFINE_PREDICATE(isnan, IsnanOp)
TS_DEFINE_PREDICATE(isinf, IsinfOp)
TS_DEFINE_PREDICATE(isfinite, IsfiniteOp)
#undef TS_DEFINE_PREDICATE

// --- clamp, lerp, where, masked_fill, equal, allclose ------------------------------------------------

namespace detail {
/** A clamp bound converted to the result type R, which it must fit (Note [Scalar conversion
 *  checks], judged with the bound's own type: uint8 takes -1 but not -1.0). */
template <class R, class B>
std::optional<R> clamp_bound_value(const B& b) {
  if constexpr (std::is_same_v<B, std::nullopt_t>) return std::nullopt;
  else if constexpr (Scalar<B>) return checked_convert<R>(b, "clamp");
  else return b ? std::optional<R>(checked_convert<R>(*b, "clamp")) : std::nullopt;
}
/** A bound as the autograd node keeps it. */
template <class R>
std::optional<double> as_double(const std::optional<R>& b) {
  return b ? std::optional<double>(convert<double>(*b)) : std::nullopt;
}

/** out = x clamped, computed in R (clamp_t: the tensor's type, or float for a floating bound on
 *  an integral tensor). */
template <class R, class O, class T>
void clamp_into(const Tensor<O>& out, const Tensor<T>& x_in, std::optional<R> lo_, std::optional<R> hi_) {
  TS_CHECK(lo_ || hi_, "clamp: at least one of 'min' or 'max' must not be None");
  TS_CHECK(!(std::is_same_v<R, bool>), "\"", lo_ && hi_ ? "clamp_scalar_cpu" : lo_ ? "clamp_min_cpu" : "clamp_max_scalar_cpu",
           "\" not implemented for 'Bool'");  // as PyTorch
  if constexpr (!std::is_same_v<T, R>) {
    // Integers clamped by floating bounds, or bools by integers: the values as R, clamped there.
    // The same result (rounding to R is monotone and keeps the bounds), one kernel on every device.
    NoGradGuard no_grad;
    return clamp_into<R>(out, x_in.template to<R>(), lo_, hi_);
  }
  using C = opmath_t<R>;
  const C lo = lo_ ? convert<C>(*lo_) : C(0), hi = hi_ ? convert<C>(*hi_) : C(0);
  const bool has_lo = lo_.has_value(), has_hi = hi_.has_value();
  const Tensor<T> x = resolve_overlap(out.impl(), x_in);
  dispatch_plan(ElementwisePlan{.op = "clamp", .out = &out.impl(), .inputs = {&x.impl()}, .num_inputs = 1,
                                .result_dtype = dtype_of<R>, .bounds = {convert<double>(lo), convert<double>(hi)}, .has_bound = {has_lo, has_hi}},
                [&] { clamp_kernel<O, T, R>(out.impl(), x.impl(), has_lo, lo, has_hi, hi); });
}

/** clamp, clamp_min and clamp_max, their node named `node`. */
template <class T, detail::ClampBound Lo, detail::ClampBound Hi>
Tensor<clamp_t<T, Lo, Hi>> clamp_named(const Tensor<T>& x, Lo min, Hi max, const char* node) {
  using R = clamp_t<T, Lo, Hi>;
  const std::optional<R> lo = clamp_bound_value<R>(min), hi = clamp_bound_value<R>(max);
  Tensor<R> out = empty_like_preserving<R>(x.impl());
  clamp_into<R>(out, x, lo, hi);
  if constexpr (std::is_same_v<R, T>)
    if (needs_grad(x)) record<ClampBackward1<T>>({x}, {out}, x, as_double(lo), as_double(hi), node);
  return out;
}
/** clamp_, clamp_min_ and clamp_max_, their node named `node`. */
template <class T, detail::ClampBound Lo, detail::ClampBound Hi>
const Tensor<T>& clamp_named_(const Tensor<T>& x, Lo min, Hi max, const char* node) {
  using R = clamp_t<T, Lo, Hi>;
  if constexpr (!can_cast_v<R, T>) refuse_result_type<R, T>("clamp_");
  const std::optional<R> lo = clamp_bound_value<R>(min), hi = clamp_bound_value<R>(max);
  std::shared_ptr<Node> recorded;
  if (needs_grad(x)) recorded = begin_inplace<ClampBackward1<T>>(x, {x}, saved_copy(x), as_double(lo), as_double(hi), node);
  clamp_into<R>(x, x, lo, hi);
  if (recorded) finish_inplace(x, recorded);
  return x;
}
}  // namespace detail

/** Limits every element to [min, max]; a missing bound is std::nullopt (Tensor::clamp). */
template <class T, detail::ClampBound Lo, detail::ClampBound Hi = std::nullopt_t>
Tensor<clamp_t<T, Lo, Hi>> clamp(const Tensor<T>& x, Lo min, Hi max = std::nullopt) {
  return detail::clamp_named(x, min, max, "ClampBackward1");
}
/** torch.clip (an alias of clamp), torch.clamp_min and torch.clamp_max (one bound). */
template <class T, detail::ClampBound Lo, detail::ClampBound Hi = std::nullopt_t>
Tensor<clamp_t<T, Lo, Hi>> clip(const Tensor<T>& x, Lo min, Hi max = std::nullopt) {
  return clamp(x, min, max);
}
template <class T, Scalar S>
Tensor<clamp_t<T, S, std::nullopt_t>> clamp_min(const Tensor<T>& x, S min) {
  return detail::clamp_named(x, min, std::nullopt, "ClampMinBackward0");
}
template <class T, Scalar S>
Tensor<clamp_t<T, std::nullopt_t, S>> clamp_max(const Tensor<T>& x, S max) {
  return detail::clamp_named(x, std::nullopt, max, "ClampMaxBackward0");
}
template <class O, class T, detail::ClampBound Lo, detail::ClampBound Hi = std::nullopt_t>
const Tensor<O>& clamp_out(const Tensor<O>& out, const Tensor<T>& x, Lo min, Hi max = std::nullopt) {
  using R = clamp_t<T, Lo, Hi>;
  detail::check_out_not_differentiable("clamp", out, x);
  detail::clamp_into<R>(out, x, detail::clamp_bound_value<R>(min), detail::clamp_bound_value<R>(max));
  return out;
}
template <class T>
template <detail::ClampBound Lo, detail::ClampBound Hi>
Tensor<clamp_t<T, Lo, Hi>> Tensor<T>::clamp(Lo min, Hi max) const {
  return tessera::clamp(*this, min, max);
}
template <class T>
template <detail::ClampBound Lo, detail::ClampBound Hi>
const Tensor<T>& Tensor<T>::clamp_(Lo min, Hi max) const {
  return detail::clamp_named_(*this, min, max, "ClampBackward1");
}
template <class T>
template <Scalar S>
Tensor<clamp_t<T, S, std::nullopt_t>> Tensor<T>::clamp_min(S min) const {
  return tessera::clamp_min(*this, min);
}
template <class T>
template <Scalar S>
const Tensor<T>& Tensor<T>::clamp_min_(S min) const {
  return detail::clamp_named_(*this, min, std::nullopt, "ClampMinBackward0");
}
template <class T>
template <Scalar S>
Tensor<clamp_t<T, std::nullopt_t, S>> Tensor<T>::clamp_max(S max) const {
  return tessera::clamp_max(*this, max);
}
template <class T>
template <Scalar S>
const Tensor<T>& Tensor<T>::clamp_max_(S max) const {
  return detail::clamp_named_(*this, std::nullopt, max, "ClampMaxBackward0");
}

namespace detail {
/** out = Op(a, b, c) computed in C, rounded to R (lerp, where); inputs that partially overlap out
 *  are read from a snapshot, taken before the plan is built. */
template <class Op, class R, class C, class O, class A, class B, class W>
void ternary_into(const Tensor<O>& out, const Tensor<A>& a_in, const Tensor<B>& b_in, const Tensor<W>& c_in) {
  const Tensor<A> a = resolve_overlap(out.impl(), a_in);
  const Tensor<B> b = resolve_overlap(out.impl(), b_in);
  const Tensor<W> c = resolve_overlap(out.impl(), c_in);
  dispatch_plan(ElementwisePlan{.op = Op::name, .out = &out.impl(), .inputs = {&a.impl(), &b.impl(), &c.impl()},
                                .num_inputs = 3, .result_dtype = dtype_of<R>},
                [&] { ternary_kernel<Op, R, C, O, A, B, W>(out.impl(), a.impl(), b.impl(), c.impl()); });
}

template <class O, class A, class B, class W>
void lerp_into(const Tensor<O>& out, const Tensor<A>& start, const Tensor<B>& end, const Tensor<W>& weight) {
  using R = promote_t<A, B>;
  static_assert(is_floating_v<R>, "lerp: needs floating tensors");
  ternary_into<LerpOp, R, opmath_t<R>>(out, start, end, weight);
}
}  // namespace detail

/** start + weight * (end - start), computed as PyTorch does for accuracy at both ends. Like
 *  PyTorch's, it does not promote: start, end and a tensor weight have one dtype. */
template <class A, class B, class W>
Tensor<promote_t<A, B>> lerp(const Tensor<A>& start, const Tensor<B>& end, const Tensor<W>& weight) {
  static_assert(std::is_same_v<A, B> && std::is_same_v<A, W>,
                "lerp: start, end and weight must have the same dtype, as in PyTorch");
  using R = promote_t<A, B>;
  const Shape shape =
      broadcast_shapes(broadcast_shapes(start.sizes(), end.sizes(), "lerp"), weight.sizes(), "lerp");
  Tensor<R> out = detail::empty_tensor<R>(shape, {.device = start.device()}, "lerp");
  detail::lerp_into(out, start, end, weight);
  if (detail::needs_grad(start, end, weight))
    detail::record<detail::LerpBackward1<A, B, W>>({start, end, weight}, {out}, start, end, weight);
  return out;
}
template <class A, class B>
Tensor<promote_t<A, B>> lerp(const Tensor<A>& start, const Tensor<B>& end, double weight) {
  static_assert(std::is_same_v<A, B>, "lerp: start, end and weight must have the same dtype, as in PyTorch");
  using R = promote_t<A, B>;
  Tensor<R> out = detail::empty_tensor<R>(broadcast_shapes(start.sizes(), end.sizes(), "lerp"),
                                          {.device = start.device()}, "lerp");
  // The weight in the compute type, as PyTorch's kernel takes it (float for half and bfloat16).
  using C = detail::opmath_t<R>;
  detail::lerp_into(out, start, end, full<C>({}, detail::checked_convert<C>(weight, "lerp"), {.device = start.device()}));
  if (detail::needs_grad(start, end)) detail::record<detail::LerpBackward0<A, B>>({start, end}, {out}, weight);
  return out;
}
template <class O, class A, class B, class W>
const Tensor<O>& lerp_out(const Tensor<O>& out, const Tensor<A>& start, const Tensor<B>& end, const Tensor<W>& weight) {
  static_assert(std::is_same_v<A, B> && std::is_same_v<A, W>,
                "lerp: start, end and weight must have the same dtype, as in PyTorch");
  detail::check_out_not_differentiable("lerp", out, start, end, weight);
  detail::lerp_into(out, start, end, weight);
  return out;
}
template <class T>
template <class U>
Tensor<promote_t<T, U>> Tensor<T>::lerp(const Tensor<U>& end, double weight) const {
  return tessera::lerp(*this, end, weight);
}
template <class T>
template <class U, class W>
Tensor<promote_t<T, U>> Tensor<T>::lerp(const Tensor<U>& end, const Tensor<W>& weight) const {
  return tessera::lerp(*this, end, weight);
}

template <class T>
const Tensor<T>& Tensor<T>::lerp_(const Tensor<T>& end, double weight) const {
  std::shared_ptr<detail::Node> node;
  if (detail::needs_grad(*this, end)) node = detail::begin_inplace<detail::LerpBackward0<T, T>>(*this, {*this, end}, weight);
  using C = detail::opmath_t<T>;  // the weight in the compute type, as lerp's
  detail::lerp_into(*this, *this, end, full<C>({}, detail::checked_convert<C>(weight, "lerp"), {.device = device()}));
  if (node) detail::finish_inplace(*this, node);
  return *this;
}
template <class T>
const Tensor<T>& Tensor<T>::lerp_(const Tensor<T>& end, const Tensor<T>& weight) const {
  std::shared_ptr<detail::Node> node;
  if (detail::needs_grad(*this, end, weight))  // weight's gradient reads self before the write
    node = detail::begin_inplace<detail::LerpBackward1<T, T, T>>(
        *this, {*this, end, weight}, detail::needs_grad(weight) ? detail::saved_copy(*this) : Tensor<T>(), end, weight);
  detail::lerp_into(*this, *this, end, weight);
  if (node) detail::finish_inplace(*this, node);
  return *this;
}

/** torch.ldexp: a * 2^b, computed as PyTorch's mul(a, pow(2.0, b)), so integers give floats (and
 *  the node is MulBackward0, as PyTorch's). */
template <class A, class B>
Tensor<promote_t<A, scalar_promote_t<B, double>>> ldexp(const Tensor<A>& a, const Tensor<B>& b) {
  return mul(a, pow(2.0, b));
}
template <class T>
template <class U>
Tensor<promote_t<T, scalar_promote_t<U, double>>> Tensor<T>::ldexp(const Tensor<U>& other) const {
  return tessera::ldexp(*this, other);
}
/** PyTorch's ldexp_ is mul(..., out=self): not differentiable, with mul's message. */
template <class T>
template <class U>
const Tensor<T>& Tensor<T>::ldexp_(const Tensor<U>& other) const {
  detail::check_out_not_differentiable("mul", *this, other);
  return mul_(tessera::pow(2.0, other));
}

namespace detail {
template <class O, class A, class B>
void where_into(const Tensor<O>& out, const Tensor<bool>& cond, const Tensor<A>& a, const Tensor<B>& b) {
  using R = promote_t<A, B>;
  ternary_into<WhereOp, R, R>(out, cond, a, b);
}
template <class T, class S>
Tensor<scalar_promote_t<T, S>> scalar_like(S s, Device device) {
  return full<scalar_promote_t<T, S>>({}, checked_convert<scalar_promote_t<T, S>>(s, "where"), {.device = device});
}
}  // namespace detail

/** Elements of `a` where `cond` holds, else of `b`; all three broadcast. */
template <class A, class B>
Tensor<promote_t<A, B>> where(const Tensor<bool>& cond, const Tensor<A>& a, const Tensor<B>& b) {
  using R = promote_t<A, B>;
  detail::check_same_device("where", a.device(), b.device());
  detail::check_same_device("where", cond.device(), a.device());
  const Shape shape = broadcast_shapes(broadcast_shapes(cond.sizes(), a.sizes(), "where"), b.sizes(), "where");
  Tensor<R> out = detail::empty_tensor<R>(shape, {.device = a.device()}, "where");
  detail::where_into(out, cond, a, b);
  if constexpr (is_floating_v<R>)
    if (detail::needs_grad(a, b)) detail::record<detail::WhereBackward0<A, B>>({a, b}, {out}, cond);
  return out;
}
template <class A, Scalar S>
Tensor<promote_t<A, scalar_promote_t<A, S>>> where(const Tensor<bool>& cond, const Tensor<A>& a, S b) {
  return where(cond, a, detail::scalar_like<A>(b, a.device()));
}
template <Scalar S, class B>
Tensor<promote_t<scalar_promote_t<B, S>, B>> where(const Tensor<bool>& cond, S a, const Tensor<B>& b) {
  return where(cond, detail::scalar_like<B>(a, b.device()), b);
}
namespace detail {
/** A uint8 condition or mask as bool (nonzero is true), warning as PyTorch 1.13 does. */
inline Tensor<bool> uint8_mask(const Tensor<uint8_t>& mask, const char* op) {
  if (std::string_view(op) == "where")
    warn("where received a uint8 condition tensor. This behavior is deprecated and will be removed in a future "
         "version of PyTorch. Use a boolean condition instead.");
  else
    warn(std::string(op) + " received a mask with dtype torch.uint8, this behavior is now deprecated,please use a "
         "mask with dtype torch.bool instead.");
  NoGradGuard no_grad;
  return mask.template to<bool>();
}
}  // namespace detail

template <class A, class B>
Tensor<promote_t<A, B>> where(const Tensor<uint8_t>& cond, const Tensor<A>& a, const Tensor<B>& b) {
  return where(detail::uint8_mask(cond, "where"), a, b);
}
template <class A, Scalar S>
auto where(const Tensor<uint8_t>& cond, const Tensor<A>& a, S b) {
  return where(detail::uint8_mask(cond, "where"), a, b);
}
template <Scalar S, class B>
auto where(const Tensor<uint8_t>& cond, S a, const Tensor<B>& b) {
  return where(detail::uint8_mask(cond, "where"), a, b);
}
template <class O, class A, class B>
const Tensor<O>& where_out(const Tensor<O>& out, const Tensor<bool>& cond, const Tensor<A>& a, const Tensor<B>& b) {
  detail::check_out_not_differentiable("where", out, a, b);
  detail::where_into(out, cond, a, b);
  return out;
}

template <class T>
template <Scalar S>
const Tensor<T>& Tensor<T>::masked_fill_(const Tensor<bool>& mask, S value) const {
  TS_CHECK(broadcast_shapes(sizes(), mask.sizes(), "masked_fill_") == sizes(), "masked_fill_: mask of shape ",
           detail::shape_str(mask.sizes()), " cannot be broadcast to the tensor's shape ", detail::shape_str(sizes()));
  const T v = detail::checked_convert<T>(value, "masked_fill_");
  std::shared_ptr<detail::Node> node;
  if (detail::needs_grad(*this)) node = detail::begin_inplace<detail::MaskedFillBackward0<T>>(*this, {*this}, mask);
  const Tensor<bool> m = detail::resolve_overlap(impl(), mask);
  if (detail::has_internal_overlap(impl()))
    detail::warn("Use of masked_fill_ on expanded tensors is deprecated. Please clone() the tensor before performing "
                 "this operation. This also applies to advanced indexing e.g. tensor[mask] = scalar");
  detail::dispatch_plan(detail::ElementwisePlan{.op = "masked_fill_", .out = &impl(), .inputs = {&impl(), &m.impl()},
                                                .num_inputs = 2, .result_dtype = dtype_of<T>, .has_scalar = true,
                                                .scalar = detail::convert<double>(v), .out_may_overlap = true},
                        [&] { detail::binary_map_kernel<T, T, bool>(impl(), impl(), m.impl(), detail::MaskedFillOp<T>{v}); });
  if (node) detail::finish_inplace(*this, node);
  return *this;
}
template <class T>
template <Scalar S>
Tensor<T> Tensor<T>::masked_fill(const Tensor<bool>& mask, S value) const {
  const Shape shape = broadcast_shapes(sizes(), mask.sizes(), "masked_fill");
  Tensor<T> out = detail::empty_tensor<T>(shape, {.device = device()}, "masked_fill");
  {
    NoGradGuard no_grad;
    out.copy_(*this);
    out.masked_fill_(mask, value);
  }
  if (detail::needs_grad(*this)) detail::record<detail::MaskedFillBackward0<T>>({*this}, {out}, mask);
  return out;
}
template <class T>
template <Scalar S>
Tensor<T> Tensor<T>::masked_fill(const Tensor<uint8_t>& mask, S value) const {
  return masked_fill(detail::uint8_mask(mask, "masked_fill_"), value);
}
template <class T>
template <Scalar S>
const Tensor<T>& Tensor<T>::masked_fill_(const Tensor<uint8_t>& mask, S value) const {
  return masked_fill_(detail::uint8_mask(mask, "masked_fill_"), value);
}
template <class T, Scalar S>
Tensor<T> masked_fill(const Tensor<T>& x, const Tensor<bool>& mask, S value) {
  return x.masked_fill(mask, value);
}

/** True when both have the same shape and equal elements (NaN is never equal). */
template <class A, class B>
bool equal(const Tensor<A>& a, const Tensor<B>& b) {
  detail::check_same_device("equal", a.device(), b.device());
  if (a.sizes() != b.sizes()) return false;
  return eq(a, b).all().item();
}

namespace detail {
/** PyTorch's isclose on floating tensors of one dtype, in that dtype: atol + |rtol * b| and
 *  |a - b| rounded as those tensor ops round them, and a difference that overflows is close to
 *  nothing. Made of elementwise ops, so it runs on any device. */
template <class T>
Tensor<bool> isclose_in_dtype(const Tensor<T>& a, const Tensor<T>& b, double rtol, double atol, bool equal_nan) {
  NoGradGuard no_grad;
  Tensor<bool> close = eq(a, b);
  if (equal_nan) close = logical_or(close, logical_and(isnan(a), isnan(b)));
  if (rtol == 0 && atol == 0) return close;
  const Tensor<T> allowed = (b * rtol).abs() + atol;
  const Tensor<T> actual = (a - b).abs();
  return logical_or(close, logical_and(isfinite(actual), le(actual, allowed)));
}

/** isclose of two tensors of one dtype (checked by the callers, as PyTorch's): floating ones in
 *  their dtype; integers and bools equal, or close as floats (PyTorch's default dtype), so
 *  neighbours beyond 2^24 round to one float and are close. */
template <class T>
Tensor<bool> isclose_same_dtype(const Tensor<T>& a, const Tensor<T>& b, double rtol, double atol, bool equal_nan) {
  if constexpr (is_floating_v<T>) {
    return isclose_in_dtype(a, b, rtol, atol, equal_nan);
  } else {
    if (rtol == 0 && atol == 0) return eq(a, b);
    NoGradGuard no_grad;
    return isclose_in_dtype(a.template to<float>(), b.template to<float>(), rtol, atol, false);
  }
}

/** PyTorch's checks of isclose and allclose: one dtype, tolerances that are not negative. */
template <class A, class B>
void check_isclose_args(const char* op, const Tensor<A>& a, const Tensor<B>& b, double rtol, double atol) {
  TS_CHECK((std::is_same_v<A, B>), detail::aten_type_name(dtype_of<A>), " did not match ",
           detail::aten_type_name(dtype_of<B>));
  TS_CHECK(rtol >= 0, "rtol must be greater than or equal to zero, but got ", rtol);
  TS_CHECK(atol >= 0, "atol must be greater than or equal to zero, but got ", atol);
  check_same_device(op, a.device(), b.device());
}
}  // namespace detail

/** |a - b| <= atol + rtol * |b| for every (broadcast) element; NaN is close to NaN only with
 *  equal_nan. Both tensors must have one dtype, as in PyTorch. */
template <class A, class B>
bool allclose(const Tensor<A>& a, const Tensor<B>& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false) {
  detail::check_isclose_args("allclose", a, b, rtol, atol);
  if constexpr (std::is_same_v<A, B>) return detail::isclose_same_dtype(a, b, rtol, atol, equal_nan).all().item();
  return false;
}

/** Elementwise |a - b| <= atol + rtol * |b| (torch.isclose): equal values, infinities too, are
 *  close; NaN only with equal_nan. Both tensors must have one dtype, as in PyTorch. */
template <class A, class B>
Tensor<bool> isclose(const Tensor<A>& a, const Tensor<B>& b, double rtol = 1e-5, double atol = 1e-8,
                     bool equal_nan = false) {
  detail::check_isclose_args("isclose", a, b, rtol, atol);
  if constexpr (std::is_same_v<A, B>) return detail::isclose_same_dtype(a, b, rtol, atol, equal_nan);
  return {};
}

// --- rsub: other - alpha * input -----------------------------------------------------------------

namespace detail {
/** PyTorch's sub_check and alpha_check for rsub: bool operands and alphas that do not fit R. */
template <class R, class Alpha>
void check_rsub(bool input_bool, bool other_bool) {
  check_no_bool_subtraction("rsub", input_bool, other_bool);
  TS_CHECK((!std::is_same_v<Alpha, bool> || std::is_same_v<R, bool>), "rsub: Boolean alpha only supported for Boolean results.");
  TS_CHECK((!(is_floating_v<Alpha> && !is_floating_v<R>)),
           "rsub: For integral input tensors, argument alpha must not be a floating point number.");
}
}  // namespace detail

/** torch.rsub(input, other, alpha=1): other - alpha * input (sub with the operands swapped). */
template <class A, class B, Scalar S = int64_t>
Tensor<promote_t<A, B>> rsub(const Tensor<A>& input, const Tensor<B>& other, S alpha = 1) {
  using R = promote_t<A, B>;
  detail::check_rsub<R, S>(std::is_same_v<A, bool>, std::is_same_v<B, bool>);
  if constexpr (std::is_same_v<A, bool> || std::is_same_v<B, bool> || std::is_same_v<S, bool> ||
                (is_floating_v<S> && !is_floating_v<R>)) {
    return {};  // refused above
  } else {
    if (alpha == S(1)) return sub(other, input);
    return sub(other, mul(input.template to<R>(), alpha).template to<R>());
  }
}
/** torch.rsub(input, other: Scalar, alpha=1): other - alpha * input. */
template <class A, Scalar S, Scalar SA = int64_t>
Tensor<scalar_promote_t<A, S>> rsub(const Tensor<A>& input, S other, SA alpha = 1) {
  using R = scalar_promote_t<A, S>;
  detail::check_rsub<R, SA>(std::is_same_v<A, bool>, std::is_same_v<S, bool>);
  if constexpr (std::is_same_v<A, bool> || std::is_same_v<S, bool> || std::is_same_v<SA, bool> ||
                (is_floating_v<SA> && !is_floating_v<R>)) {
    return {};  // refused above
  } else {
    if (alpha == SA(1)) return sub(other, input).template to<R>();
    return sub(other, mul(input.template to<R>(), alpha).template to<R>()).template to<R>();
  }
}

}  // namespace tessera
