#pragma once
// Every derivative formula: the backward nodes declared in functions.hpp. Formulas follow
// PyTorch's tools/autograd/derivatives.yaml (1.13) operation for operation, so gradients match
// PyTorch's bits where the forward kernels do, and they are written with tensor ops, so a
// backward run with create_graph records itself and can be differentiated again.
//
// The engine sums each returned gradient down to its input's shape (undoing broadcasting) and
// casts it to its input's dtype (undoing promotion); formulas need not.

#include "../core/algorithm.hpp"

#include "../ops/elementwise.hpp"
#include "../ops/index_update.hpp"
#include "../ops/indexing.hpp"
#include "../ops/join.hpp"
#include "../ops/linalg.hpp"
#include "../ops/pointwise.hpp"
#include "../ops/reduce.hpp"
#include "../ops/selection.hpp"
#include "../ops/sort.hpp"
#include "../ops/view.hpp"
#include "functions.hpp"

namespace tessera::detail {

#define TS_NODE_NAME(text) \
  const char* name() const override { return text; }

// The saved tensors a node frees once backward has run through it (Note [Saved tensors and
// versions]), as PyTorch's generated release_variables.
#define TS_RELEASE_SAVED(...)          \
  void release_saved() override {      \
    Node::release_saved();             \
    release_all(__VA_ARGS__);          \
  }

/** at::sum_to: sums leading dims and dims where `shape` has size 1. */
template <class T>
Tensor<T> sum_to(const Tensor<T>& g, const Shape& shape) {
  const int64_t lead = g.dim() - static_cast<int64_t>(shape.size());
  Shape dims;
  for (int64_t d = 0; d < lead; ++d) dims.push_back(d);
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] == 1 && g.sizes()[lead + static_cast<int64_t>(i)] != 1) dims.push_back(lead + static_cast<int64_t>(i));
  if (dims.empty()) return g;
  const Tensor<T> r = g.sum(dims, true);
  return lead > 0 ? r.view(shape) : r;
}

/** The reduced dims of a reduction, wrapped and sorted; an empty list means all dims. */
inline Shape normalize_dims(const Shape& dims, int64_t ndim, const char* op) {
  Shape out;
  if (dims.empty()) {
    for (int64_t d = 0; d < ndim; ++d) out.push_back(d);
    return out;
  }
  for (int64_t d : dims) out.push_back(ndim == 0 ? 0 : wrap_dim(d, ndim, op));
  std::sort(out.begin(), out.end());
  return out;
}

/** A reduction's gradient (or result) with the reduced dims put back as size 1. */
template <class T>
Tensor<T> restore_dims(Tensor<T> g, const Shape& dims, bool keepdim, int64_t ndim) {
  if (keepdim || ndim == 0) return g;
  for (int64_t d : dims) g = g.unsqueeze(d);
  return g;
}

inline int64_t reduced_count(const Shape& sizes, const Shape& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= sizes.empty() ? 1 : sizes[d];
  return n;
}

// Note [Linear backward formulas]
// Formulas that write the gradient into zeros (the backward of slice, select, diagonal, unfold,
// as_strided, advanced indexing, index_select, gather, index_put_) run without recording, as one
// copy or one accumulating kernel. Under create_graph they then record an AdjointBackward node on
// their result: the formula is linear in the gradient, so its own backward is the adjoint map,
// which is the forward op applied to the incoming gradient (a slice, an index, a gather), itself
// written with differentiable ops, so derivatives of any order follow. Node names are PyTorch's
// for the double-backward node (SliceBackwardBackward0, IndexPutBackward0 for index's backward...).

/** The backward of a linear formula: returns `adjoint(grad)` for its one input. */
template <class A, class F>
struct AdjointBackward final : Node {
  const char* node_name;
  F adjoint;
  AdjointBackward(const char* n, F f) : node_name(n), adjoint(std::move(f)) {}
  const char* name() const override { return node_name; }
  variable_list apply(variable_list&& grads) override { return {adjoint(grads[0].as<A>())}; }
};

/** Whether a formula's result must be recorded (create_graph, and `g` has history). */
template <class T>
bool recording(const Tensor<T>& g) {
  return GradMode::is_enabled() && g.requires_grad();
}

/** Makes `out`, computed from `g` without recording, the output of an AdjointBackward node when
 *  `record` (Note [Linear backward formulas]). */
template <class A, class F>
Tensor<A> linear_in(bool record, const char* name, const Tensor<A>& g, Tensor<A> out, F adjoint) {
  if (record) detail::record<AdjointBackward<A, F>>({g}, {out}, name, std::move(adjoint));
  return out;
}

/** Elementwise f(a, b) over two same-shaped tensors, for backward formulas PyTorch computes in
 *  one kernel (gelu, softplus). Not recorded. */
template <class Op, class T>
Tensor<T> map2(const Tensor<T>& a, const Tensor<T>& b) {
  Tensor<T> out = empty_like_preserving<T>(a.impl());
  dispatch_plan(ElementwisePlan{.op = Op::name, .out = &out.impl(), .fresh_out = true, .inputs = {&a.impl(), &b.impl()},
                                .num_inputs = 2},
                [&] { binary_kernel<Op, T, opmath_t<T>, T, T, T>(out.impl(), a.impl(), b.impl(), true, false); });
  return out;
}

/** gelu's derivative times the gradient dy, at x (the exact, erf form). */
struct GeluBackwardOp {
  static constexpr const char* name = "gelu_backward";
  template <class C> C operator()(C dy, C x) const {
    const C alpha = C(M_2_SQRTPI * M_SQRT1_2 * 0.5);
    const C cdf = C(0.5) * (C(1) + std::erf(x * C(M_SQRT1_2)));
    const C pdf = alpha * std::exp(x * x * C(-0.5));
    return dy * (cdf + x * pdf);
  }
  template <class V> [[gnu::always_inline]] static void vec(V& r, const V& dy, const V& x) requires(sizeof(x[0]) == 4) {
    vec_gelu_backward(r, dy, x);
  }
};
/** softplus's derivative (beta 1, threshold 20) times the gradient dy, at x. */
struct SoftplusBackwardOp {
  static constexpr const char* name = "softplus_backward";
  template <class C> C operator()(C dy, C x) const {
    const C z = std::exp(x);
    return x > C(20) ? dy : dy * z / (z + C(1));
  }
};

/** The index tensors of an advanced index, saved as SavedTensor is (version-checked, released
 *  after backward). */
class SavedIndices {
 public:
  explicit SavedIndices(const AdvancedIndices& indices) {
    saved_.reserve(indices.size());
    for (const auto& [dim, index] : indices) saved_.push_back({dim, SavedTensor<int64_t>(index, false)});
  }
  void release() {
    for (auto& [dim, index] : saved_) index.release();
  }
  AdvancedIndices unpack(Node& owner) const {
    AdvancedIndices out;
    out.reserve(saved_.size());
    for (const auto& [dim, index] : saved_) out.push_back({dim, index.unpack(owner)});
    return out;
  }

 private:
  std::vector<std::pair<int64_t, SavedTensor<int64_t>>> saved_;
};

// --- elementwise ----------------------------------------------------------------------------------

template <class A>
Tensor<A> gelu_backward(const Tensor<A>& g, const Tensor<A>& x);

/** gelu_backward(g, x) recorded under create_graph: its gradients are gelu_backward(gg, x) for g
 *  and gg g pdf(x) (2 - x^2) for x (PyTorch's gelu_double_backward, exact form). */
template <class A>
struct GeluBackwardBackward0 final : Node {
  SavedTensor<A> grad_output, self;
  GeluBackwardBackward0(const Tensor<A>& g, const Tensor<A>& x) : grad_output(g, false), self(x, false) {}
  TS_NODE_NAME("GeluBackwardBackward0")
  TS_RELEASE_SAVED(grad_output, self)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> gg = grads[0].as<A>();
    const Tensor<A> g = grad_output.unpack(*this), x = self.unpack(*this);
    AnyTensor dg, dx;
    if (needs_input_grad(0)) dg = gelu_backward(gg, x);
    if (needs_input_grad(1)) {
      const Tensor<A> pdf = (x * x * -0.5).exp() * (M_2_SQRTPI * M_SQRT1_2 * 0.5);
      dx = gg * g * pdf * (2 - x * x);
    }
    return {dg, dx};
  }
};

template <class A>
Tensor<A> softplus_backward(const Tensor<A>& g, const Tensor<A>& x);

/** softplus_backward(g, x) recorded under create_graph (beta 1, threshold 20): its gradients are
 *  softplus_backward(gg, x) for g and gg g s (1 - s) for x, s = sigmoid(x), 0 above the threshold
 *  (PyTorch's softplus_double_backward). */
template <class A>
struct SoftplusBackwardBackward0 final : Node {
  SavedTensor<A> grad_output, self;
  SoftplusBackwardBackward0(const Tensor<A>& g, const Tensor<A>& x) : grad_output(g, false), self(x, false) {}
  TS_NODE_NAME("SoftplusBackwardBackward0")
  TS_RELEASE_SAVED(grad_output, self)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> gg = grads[0].as<A>();
    const Tensor<A> g = grad_output.unpack(*this), x = self.unpack(*this);
    AnyTensor dg, dx;
    if (needs_input_grad(0)) dg = softplus_backward(gg, x);
    if (needs_input_grad(1)) {
      const Tensor<A> sig = x.sigmoid();
      dx = (gg * g * sig * (1 - sig)).masked_fill(x > 20, 0);
    }
    return {dg, dx};
  }
};

template <class A>
Tensor<A> softplus_backward(const Tensor<A>& g, const Tensor<A>& x) {
  const bool record = GradMode::is_enabled() && (g.requires_grad() || x.requires_grad());
  Tensor<A> out = map2<SoftplusBackwardOp>(g, x);
  if (record) detail::record<SoftplusBackwardBackward0<A>>({g, x}, {out}, g, x);
  return out;
}

/** relu's gradient, threshold_backward(g, result, 0), recorded under create_graph: its gradients
 *  are the same for gg and zeros for the result, which makes the second derivative of relu 0
 *  rather than absent (PyTorch's ThresholdBackwardBackward0). */
template <class A>
struct ThresholdBackwardBackward0 final : Node {
  SavedTensor<A> self;  // relu's result
  explicit ThresholdBackwardBackward0(const Tensor<A>& result) : self(result, false) {}
  TS_NODE_NAME("ThresholdBackwardBackward0")
  TS_RELEASE_SAVED(self)
  variable_list apply(variable_list&& grads) override;
};

/** g where relu's `result` is positive, else 0 (NaN passes g), recorded when differentiable. */
template <class A>
Tensor<A> threshold_backward(const Tensor<A>& g, const Tensor<A>& result) {
  const bool record = GradMode::is_enabled() && (g.requires_grad() || result.requires_grad());
  Tensor<A> out;
  {
    NoGradGuard no_grad;
    out = binary<ThresholdBackwardOp>(g, result);  // one vectorised pass
  }
  if (record) detail::record<ThresholdBackwardBackward0<A>>({g, result}, {out}, result);
  return out;
}

template <class A>
variable_list ThresholdBackwardBackward0<A>::apply(variable_list&& grads) {
  const Tensor<A> r = self.unpack(*this);
  AnyTensor dg, dr;
  if (needs_input_grad(0)) dg = threshold_backward(grads[0].as<A>(), r);
  if (needs_input_grad(1)) dr = zeros_like(r);
  return {dg, dr};
}

template <class A>
Tensor<A> gelu_backward(const Tensor<A>& g, const Tensor<A>& x) {
  const bool record = GradMode::is_enabled() && (g.requires_grad() || x.requires_grad());
  Tensor<A> out = map2<GeluBackwardOp>(g, x);
  if (record) detail::record<GeluBackwardBackward0<A>>({g, x}, {out}, g, x);
  return out;
}

template <class Op> inline constexpr bool unary_uses_result =
    std::is_same_v<Op, ReluOp> || std::is_same_v<Op, SqrtOp> || std::is_same_v<Op, RsqrtOp> ||
    std::is_same_v<Op, ExpOp> || std::is_same_v<Op, Expm1Op> || std::is_same_v<Op, TanOp> ||
    std::is_same_v<Op, TanhOp> || std::is_same_v<Op, SigmoidOp> || std::is_same_v<Op, ErfinvOp> ||
    std::is_same_v<Op, ReciprocalOp> || std::is_same_v<Op, Exp2Op>;
template <class Op> inline constexpr bool unary_uses_self =
    std::is_same_v<Op, AbsOp> || std::is_same_v<Op, LogOp> || std::is_same_v<Op, Log1pOp> ||
    std::is_same_v<Op, Log2Op> || std::is_same_v<Op, SinOp> || std::is_same_v<Op, CosOp> ||
    std::is_same_v<Op, GeluOp> || std::is_same_v<Op, SoftplusOp> || std::is_same_v<Op, Log10Op> ||
    std::is_same_v<Op, ErfOp> || std::is_same_v<Op, ErfcOp> || std::is_same_v<Op, LgammaOp> ||
    std::is_same_v<Op, DigammaOp> || std::is_same_v<Op, SincOp> || std::is_same_v<Op, AsinOp> ||
    std::is_same_v<Op, AcosOp> || std::is_same_v<Op, AtanOp> || std::is_same_v<Op, SinhOp> ||
    std::is_same_v<Op, CoshOp> || std::is_same_v<Op, AsinhOp> || std::is_same_v<Op, AcoshOp> ||
    std::is_same_v<Op, AtanhOp> || std::is_same_v<Op, I0Op> || std::is_same_v<Op, I1Op>;

template <class Op>
const char* unary_node_name() {
  static const std::string name = [] {
    std::string n = Op::name;
    if (n == "log1p") return std::string("Log1PBackward0");
    n[0] = static_cast<char>(n[0] - 'a' + 'A');
    return n + "Backward0";
  }();
  return name.c_str();
}

template <class Op, class A>
struct UnaryBackward final : Node {
  SavedTensor<A> self, result;
  explicit UnaryBackward(const Tensor<A>& x) {
    if constexpr (unary_uses_self<Op>) self = SavedTensor<A>(x, false);
  }
  void set_result(const Tensor<A>& out) {
    if constexpr (unary_uses_result<Op>) result = SavedTensor<A>(out, true);
  }
  const char* name() const override { return unary_node_name<Op>(); }
  TS_RELEASE_SAVED(self, result)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    const Tensor<A> s = self.unpack(*this), r = result.unpack(*this);
    if constexpr (std::is_same_v<Op, NegOp>) return {g.neg()};
    else if constexpr (std::is_same_v<Op, AbsOp>) return {g * s.sign()};
    else if constexpr (std::is_same_v<Op, SignOp> || std::is_same_v<Op, FloorOp> || std::is_same_v<Op, CeilOp> ||
                       std::is_same_v<Op, RoundOp> || std::is_same_v<Op, TruncOp> || std::is_same_v<Op, SgnOp>)
      return {zeros_like(g)};  // sgn of real tensors too
    else if constexpr (std::is_same_v<Op, FracOp>) return {g};
    else if constexpr (std::is_same_v<Op, Log10Op>) return {g / (s * 2.3025850929940456)};
    else if constexpr (std::is_same_v<Op, ErfOp>) return {1.1283791670955126 * (-s.pow(2)).exp() * g};
    else if constexpr (std::is_same_v<Op, ErfcOp>) return {-1.1283791670955126 * (-s.pow(2)).exp() * g};
    else if constexpr (std::is_same_v<Op, ErfinvOp>) return {0.88622692545275801 * r.pow(2).exp() * g};
    else if constexpr (std::is_same_v<Op, LgammaOp>) return {g * s.digamma()};
    else if constexpr (std::is_same_v<Op, I0Op>) return {g * unary<I1Op>(s)};
    else if constexpr (std::is_same_v<Op, I1Op>)  // I1' = I0 - I1 / x, 1/2 at 0 (PyTorch's i1_backward)
      return {g * where(s == 0, full<A>({}, A(0.5), {.device = s.device()}), unary<I0Op>(s) - unary<I1Op>(s) / s)};
    else if constexpr (std::is_same_v<Op, DigammaOp>) return {g * s.polygamma(1)};
    else if constexpr (std::is_same_v<Op, SincOp>) {
      const Tensor<A> spi = s * math::kPi, sq = s * s * math::kPi;
      return {where(sq == 0, zeros<A>({}, {.device = g.device()}), g * (spi * spi.cos() - spi.sin()) / sq)};
    }
    else if constexpr (std::is_same_v<Op, ReciprocalOp>) return {g.neg() * (r * r)};
    else if constexpr (std::is_same_v<Op, AsinOp>) return {g * (1 - s * s).rsqrt()};
    else if constexpr (std::is_same_v<Op, AcosOp>) return {g.neg() * (1 - s * s).rsqrt()};
    else if constexpr (std::is_same_v<Op, AtanOp>) return {g / (s * s + 1)};
    else if constexpr (std::is_same_v<Op, SinhOp>) return {g * s.cosh()};
    else if constexpr (std::is_same_v<Op, CoshOp>) return {g * s.sinh()};
    else if constexpr (std::is_same_v<Op, AsinhOp>) return {g * (s * s + 1).rsqrt()};
    else if constexpr (std::is_same_v<Op, AcoshOp>) return {g * (s * s - 1).rsqrt()};
    else if constexpr (std::is_same_v<Op, AtanhOp>) return {g / (1 - s * s)};
    else if constexpr (std::is_same_v<Op, Exp2Op>) return {g * r * 0.6931471805599453};
    else if constexpr (std::is_same_v<Op, ReluOp>) return {threshold_backward(g, r)};
    else if constexpr (std::is_same_v<Op, SqrtOp>) return {g / (2 * r)};
    else if constexpr (std::is_same_v<Op, RsqrtOp>) return {-0.5 * g * r.pow(3)};
    else if constexpr (std::is_same_v<Op, ExpOp>) return {g * r};
    else if constexpr (std::is_same_v<Op, Expm1Op>) return {g * (r + 1)};
    else if constexpr (std::is_same_v<Op, LogOp>) return {g.div(s)};
    else if constexpr (std::is_same_v<Op, Log1pOp>) return {g / (s + 1)};
    else if constexpr (std::is_same_v<Op, Log2Op>) return {g / (s * 0.6931471805599453)};
    else if constexpr (std::is_same_v<Op, SinOp>) return {g * s.cos()};
    else if constexpr (std::is_same_v<Op, CosOp>) return {g * s.sin().neg()};
    else if constexpr (std::is_same_v<Op, TanOp>) return {g * (1 + r.pow(2))};
    else if constexpr (std::is_same_v<Op, TanhOp>) return {g * (1 - r * r)};
    else if constexpr (std::is_same_v<Op, SigmoidOp>) return {g * (1 - r) * r};
    else if constexpr (std::is_same_v<Op, GeluOp>) {
      return {gelu_backward(g, s)};
    } else if constexpr (std::is_same_v<Op, SoftplusOp>) {
      return {softplus_backward(g, s)};
    } else {
      static_assert(sizeof(Op) == 0, "no derivative for this unary op");
    }
  }
};

/** polygamma(n, x): the next order, grad * polygamma(n + 1, x). */
template <class A>
struct PolygammaBackward0 final : Node {
  SavedTensor<A> self;
  int64_t n;
  PolygammaBackward0(const Tensor<A>& x, int64_t order) : self(x, false), n(order) {}
  const char* name() const override { return "PolygammaBackward0"; }
  TS_RELEASE_SAVED(self)
  variable_list apply(variable_list&& grads) override {
    return {grads[0].as<A>() * self.unpack(*this).polygamma(n + 1)};
  }
};

/** logit: grad / (x (1 - x)); outside [0, 1] NaN, or with eps 0 outside [eps, 1 - eps]. */
template <class A>
struct LogitBackward0 final : Node {
  SavedTensor<A> self;
  std::optional<double> eps;
  LogitBackward0(const Tensor<A>& x, std::optional<double> e) : self(x, false), eps(e) {}
  const char* name() const override { return "LogitBackward0"; }
  TS_RELEASE_SAVED(self)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>(), x = self.unpack(*this);
    const Tensor<A> d = g / (x * (1 - x));
    const double lo = eps ? *eps : 0.0, hi = eps ? 1.0 - *eps : 1.0;
    const double fill = eps ? 0.0 : std::numeric_limits<double>::quiet_NaN();
    return {d.masked_fill((x < lo) || (x > hi), fill)};
  }
};

/** nan_to_num: the gradient where x is finite, else 0. */
template <class A>
struct NanToNumBackward0 final : Node {
  SavedTensor<A> self;
  explicit NanToNumBackward0(const Tensor<A>& x) : self(x, false) {}
  const char* name() const override { return "NanToNumBackward0"; }
  TS_RELEASE_SAVED(self)
  variable_list apply(variable_list&& grads) override {
    return {grads[0].as<A>() * self.unpack(*this).isfinite()};
  }
};

template <class Op, class A, class B>
struct BinaryBackward final : Node {
  SavedTensor<A> self;
  SavedTensor<B> other;
  using R = op_result_t<Op, promote_t<A, B>>;
  SavedTensor<R> result;
  // add and sub need neither operand (PyTorch saves none for them either).
  static constexpr bool saves_operands = !std::is_same_v<Op, AddOp> && !std::is_same_v<Op, SubOp>;
  BinaryBackward(const Tensor<A>& x, const Tensor<B>& y) {
    if constexpr (saves_operands) self = SavedTensor<A>(x, false), other = SavedTensor<B>(y, false);
  }
  template <class X>
  void set_result(const Tensor<X>& out) {  // X differs from the result type for some in-place ops
    if constexpr ((std::is_same_v<Op, PowOp> || std::is_same_v<Op, HypotOp> || std::is_same_v<Op, CopysignOp>) &&
                  std::is_same_v<X, R>)
      result = SavedTensor<X>(out, true);
  }
  const char* name() const override {
    if constexpr (std::is_same_v<Op, AddOp>) return "AddBackward0";
    else if constexpr (std::is_same_v<Op, SubOp>) return "SubBackward0";
    else if constexpr (std::is_same_v<Op, MulOp>) return "MulBackward0";
    else if constexpr (std::is_same_v<Op, DivOp>) return "DivBackward0";
    else if constexpr (is_rounded_div<Op>) return "DivBackward2";
    else if constexpr (std::is_same_v<Op, PowOp>) return "PowBackward1";
    else if constexpr (std::is_same_v<Op, RemainderOp>) return "RemainderBackward1";
    else if constexpr (std::is_same_v<Op, FmodOp>) return "FmodBackward1";
    else if constexpr (std::is_same_v<Op, MinimumOp>) return "MinimumBackward0";
    else if constexpr (std::is_same_v<Op, Atan2Op>) return "Atan2Backward0";
    else if constexpr (std::is_same_v<Op, HypotOp>) return "HypotBackward0";
    else if constexpr (std::is_same_v<Op, LogaddexpOp>) return "LogaddexpBackward0";
    else if constexpr (std::is_same_v<Op, Logaddexp2Op>) return "Logaddexp2Backward0";
    else if constexpr (std::is_same_v<Op, XlogyOp>) return "XlogyBackward0";
    else if constexpr (std::is_same_v<Op, CopysignOp>) return "CopysignBackward0";
    else return "MaximumBackward0";
  }
  TS_RELEASE_SAVED(self, other, result)
  variable_list apply(variable_list&& grads) override {
    // PyTorch saves an operand of these whatever gradients are wanted: a second backward throws
    // even when this call would unpack nothing (remainder and fmod save only for `other`).
    if constexpr (saves_operands && !std::is_same_v<Op, RemainderOp> && !std::is_same_v<Op, FmodOp>)
      check_not_released();
    const Tensor<R> g = cast_grad<R>(grads[0]);
    const bool want_self = needs_input_grad(0), want_other = needs_input_grad(1);
    AnyTensor gs, go;
    if constexpr (std::is_same_v<Op, AddOp>) {
      gs = g, go = g;
    } else if constexpr (std::is_same_v<Op, SubOp>) {
      gs = g;
      if (want_other) go = g.neg();
    } else if constexpr (std::is_same_v<Op, MulOp>) {
      if (want_self) gs = g * other.unpack(*this);
      if (want_other) go = g * self.unpack(*this);
    } else if constexpr (is_rounded_div<Op>) {
      if (want_self) gs = zeros_like(g);  // Note [Division with a rounding mode]
      if (want_other) go = zeros_like(g);
    } else if constexpr (std::is_same_v<Op, DivOp>) {
      const Tensor<B> o = other.unpack(*this);
      if (want_self) gs = g / o;
      if (want_other) go = g.neg() * ((self.unpack(*this) / o) / o);
    } else if constexpr (std::is_same_v<Op, PowOp>) {
      const Tensor<A> s = self.unpack(*this);
      const Tensor<B> e = other.unpack(*this);
      if (want_self) gs = where(e == 0, zeros<R>({}, {.device = g.device()}), g * (e * s.pow(e - 1)));
      if (want_other) {
        const Tensor<R> r = result.defined() ? result.unpack(*this) : s.pow(e);
        go = g * where((s == 0) && (e >= 0), zeros<R>({}, {.device = g.device()}), r * s.log());
      }
    } else if constexpr (std::is_same_v<Op, RemainderOp> || std::is_same_v<Op, FmodOp>) {
      gs = g;
      if (want_other) {
        const Tensor<A> s = self.unpack(*this);
        const Tensor<B> o = other.unpack(*this);
        if constexpr (std::is_same_v<Op, RemainderOp>) {
          go = g.neg() * s.floor_divide(o);
        } else {
          const Tensor<R> q = s / o;
          go = g.neg() * (q.sign() * q.abs().floor());
        }
      }
    } else if constexpr (std::is_same_v<Op, Atan2Op>) {
      const Tensor<A> s = self.unpack(*this);
      const Tensor<B> o = other.unpack(*this);
      const Tensor<R> recip = (s * s + o * o).reciprocal();
      if (want_self) gs = g * o * recip;
      if (want_other) go = g.neg() * s * recip;
    } else if constexpr (std::is_same_v<Op, HypotOp>) {
      const Tensor<A> s = self.unpack(*this);
      const Tensor<B> o = other.unpack(*this);
      const Tensor<R> r = result.defined() ? result.unpack(*this) : hypot(s, o);
      if (want_self) gs = g * s / r;
      if (want_other) go = g * o / r;
    } else if constexpr (std::is_same_v<Op, LogaddexpOp> || std::is_same_v<Op, Logaddexp2Op>) {
      const Tensor<A> s = self.unpack(*this);
      const Tensor<B> o = other.unpack(*this);
      constexpr bool base2 = std::is_same_v<Op, Logaddexp2Op>;
      if (want_self) gs = g / (base2 ? (o - s).exp2() : (o - s).exp()).add(1);
      if (want_other) go = g / (base2 ? (s - o).exp2() : (s - o).exp()).add(1);
    } else if constexpr (std::is_same_v<Op, XlogyOp>) {
      const Tensor<A> s = self.unpack(*this);
      const Tensor<B> o = other.unpack(*this);
      if (want_self) gs = xlogy(g, o).masked_fill((s == 0) && (o <= 0), 0);
      if (want_other) go = g * s / o;
    } else if constexpr (std::is_same_v<Op, CopysignOp>) {
      const Tensor<A> s = self.unpack(*this);
      const Tensor<R> r = result.defined() ? result.unpack(*this) : copysign(s, other.unpack(*this));
      if (want_self) gs = g * (r / s).masked_fill(s == 0, 0);
      if (want_other) go = zeros_like(g);
    } else {  // minimum, maximum: ties share the gradient
      const Tensor<A> s = self.unpack(*this);
      const Tensor<B> o = other.unpack(*this);
      const Tensor<R> shared = where(s == o, g / 2, g);
      constexpr bool is_min = std::is_same_v<Op, MinimumOp>;
      if (want_self) gs = shared.masked_fill(is_min ? s > o : s < o, 0);
      if (want_other) go = shared.masked_fill(is_min ? s < o : s > o, 0);
    }
    return {gs, go};
  }
};

/** tensor op scalar, or scalar op tensor when `reversed`; the scalar is kept as a double. */
template <class Op, class A, bool reversed>
struct ScalarBackward final : Node {
  SavedTensor<A> self, result;
  double c;
  ScalarBackward(const Tensor<A>& x, double scalar) : c(scalar) {
    if constexpr (!std::is_same_v<Op, AddOp> && !std::is_same_v<Op, SubOp> && !std::is_same_v<Op, MulOp>)
      self = SavedTensor<A>(x, false);
  }
  void set_result(const Tensor<A>& out) {
    if constexpr (reversed && std::is_same_v<Op, PowOp>) result = SavedTensor<A>(out, true);
  }
  const char* name() const override {
    if constexpr (std::is_same_v<Op, AddOp>) return "AddBackward0";
    else if constexpr (std::is_same_v<Op, SubOp>) return reversed ? "RsubBackward1" : "SubBackward0";
    else if constexpr (std::is_same_v<Op, MulOp>) return "MulBackward0";
    else if constexpr (std::is_same_v<Op, DivOp>) return reversed ? "MulBackward0" : "DivBackward0";
    else if constexpr (is_rounded_div<Op>) return "DivBackward2";
    else if constexpr (std::is_same_v<Op, PowOp>) return reversed ? "PowBackward2" : "PowBackward0";
    else if constexpr (std::is_same_v<Op, RemainderOp>) return "RemainderBackward0";
    else if constexpr (std::is_same_v<Op, FmodOp>) return "FmodBackward0";
    else if constexpr (std::is_same_v<Op, MinimumOp>) return "MinimumBackward0";
    else return "MaximumBackward0";
  }
  TS_RELEASE_SAVED(self, result)
  variable_list apply(variable_list&& grads) override {
    // PyTorch saves the scalar of mul and div as a tensor, and self for pow even when the
    // exponent is 0: a second backward throws there too.
    if constexpr (!std::is_same_v<Op, AddOp> && !std::is_same_v<Op, SubOp> && !std::is_same_v<Op, RemainderOp> &&
                  !std::is_same_v<Op, FmodOp>)
      check_not_released();
    const Tensor<A> g = grads[0].as<A>();
    if constexpr (std::is_same_v<Op, AddOp> || std::is_same_v<Op, RemainderOp> || std::is_same_v<Op, FmodOp>) {
      return {g};
    } else if constexpr (std::is_same_v<Op, SubOp>) {
      return {reversed ? g.neg() : g};
    } else if constexpr (std::is_same_v<Op, MulOp>) {
      return {g * c};
    } else if constexpr (is_rounded_div<Op>) {
      return {zeros_like(g)};
    } else if constexpr (std::is_same_v<Op, DivOp>) {
      if constexpr (!reversed) return {g / c};
      else {  // c / x is reciprocal(x) * c in PyTorch
        const Tensor<A> r = 1.0 / self.unpack(*this);
        return {(g * c).neg() * (r * r)};
      }
    } else if constexpr (std::is_same_v<Op, PowOp>) {
      if constexpr (!reversed) {
        if (c == 0) return {zeros_like(g)};
        return {g * (c * self.unpack(*this).pow(c - 1))};
      } else {
        const Tensor<A> r = result.unpack(*this);
        if (c == 0) return {g * where(self.unpack(*this) >= 0, zeros<A>({}, {.device = g.device()}), r * std::log(c))};
        return {g * (r * std::log(c))};
      }
    } else {  // minimum, maximum against a constant
      const Tensor<A> s = self.unpack(*this);
      const Tensor<A> shared = where(s == c, g / 2, g);
      return {shared.masked_fill(std::is_same_v<Op, MinimumOp> ? s > c : s < c, 0)};
    }
  }
};

/** An op PyTorch records but cannot differentiate: backward through it throws. */
struct NotImplemented final : Node {
  std::string op;
  explicit NotImplemented(std::string op_name) : op(std::move(op_name)) {}
  TS_NODE_NAME("torch::autograd::NotImplemented")
  variable_list apply(variable_list&&) override { throw_error("derivative for aten::", op, " is not implemented"); }
};

/** clamp's node with scalar bounds: PyTorch's ClampBackward1, or ClampMinBackward0 and
 *  ClampMaxBackward0 as clamp_min and clamp_max name it. */
template <class A>
struct ClampBackward1 final : Node {
  SavedTensor<A> self;
  std::optional<double> min, max;
  const char* node_name;
  ClampBackward1(const Tensor<A>& x, std::optional<double> lo, std::optional<double> hi, const char* n)
      : self(x, false), min(lo), max(hi), node_name(n) {}
  const char* name() const override { return node_name; }
  TS_RELEASE_SAVED(self)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    const Tensor<A> s = self.unpack(*this);
    // PyTorch's clamp_backward: where(in range, g, 0), +0 outside whatever g's sign
    if (min && max) return {where((s >= *min) && (s <= *max), g, A(0))};
    if (min) return {where(s >= *min, g, A(0))};
    if (max) return {where(s <= *max, g, A(0))};
    return {g};
  }
};

template <class A, class B>
struct LerpBackward0 final : Node {
  double weight;
  explicit LerpBackward0(double w) : weight(w) {}
  TS_NODE_NAME("LerpBackward0")
  variable_list apply(variable_list&& grads) override {
    const Tensor<promote_t<A, B>> g = grads[0].as<promote_t<A, B>>();
    return {g * (1 - weight), g * weight};
  }
};

template <class A, class B, class W>
struct LerpBackward1 final : Node {
  SavedTensor<A> self;
  SavedTensor<B> end;
  SavedTensor<W> weight;
  LerpBackward1(const Tensor<A>& s, const Tensor<B>& e, const Tensor<W>& w) : self(s, false), end(e, false), weight(w, false) {}
  TS_NODE_NAME("LerpBackward1")
  TS_RELEASE_SAVED(self, end, weight)
  variable_list apply(variable_list&& grads) override {
    const Tensor<promote_t<A, B>> g = grads[0].as<promote_t<A, B>>();
    const Tensor<W> w = weight.unpack(*this);
    AnyTensor gw;
    if (needs_input_grad(2)) gw = g * (end.unpack(*this) - self.unpack(*this));
    return {g * (1 - w), g * w, gw};
  }
};

template <class A, class B>
struct WhereBackward0 final : Node {
  SavedTensor<bool> condition;
  explicit WhereBackward0(const Tensor<bool>& cond) : condition(cond, false) {}
  TS_NODE_NAME("WhereBackward0")
  TS_RELEASE_SAVED(condition)
  variable_list apply(variable_list&& grads) override {
    using R = promote_t<A, B>;
    const Tensor<R> g = grads[0].as<R>();
    const Tensor<bool> c = condition.unpack(*this);
    const Tensor<R> zero = zeros<R>({}, {.device = g.device()});
    AnyTensor ga, gb;
    if (needs_input_grad(0)) ga = where(c, g, zero);
    if (needs_input_grad(1)) gb = where(c, zero, g);
    return {ga, gb};
  }
};

template <class A>
struct MaskedFillBackward0 final : Node {
  SavedTensor<bool> mask;
  explicit MaskedFillBackward0(const Tensor<bool>& m) : mask(m, false) {}
  TS_NODE_NAME("MaskedFillBackward0")
  TS_RELEASE_SAVED(mask)
  variable_list apply(variable_list&& grads) override { return {grads[0].as<A>().masked_fill(mask.unpack(*this), 0)}; }
};

// --- reductions ---------------------------------------------------------------------------------

/** What every reduction node remembers of its input and dims. */
struct Reduction {
  Shape in_sizes;
  Shape dims;  // wrapped and sorted; all dims when the op reduced everything
  bool keepdim = false;
  bool all = false;  // called without dims: PyTorch's overload 0
  Reduction(const Shape& sizes, const Shape& d, bool keep, const char* op)
      : in_sizes(sizes), dims(normalize_dims(d, static_cast<int64_t>(sizes.size()), op)), keepdim(keep),
        all(d.empty()) {}
  int64_t ndim() const { return static_cast<int64_t>(in_sizes.size()); }
  template <class T>
  Tensor<T> restore(const Tensor<T>& g) const { return restore_dims(g, dims, keepdim, ndim()); }
  template <class T>
  Tensor<T> expand(const Tensor<T>& g) const { return restore(g).expand(in_sizes); }
};

template <class A>
struct SumBackward final : Node, Reduction {
  using Reduction::Reduction;
  const char* name() const override { return all ? "SumBackward0" : "SumBackward1"; }
  variable_list apply(variable_list&& grads) override { return {expand(grads[0].as<A>())}; }
};

template <class A>
struct MeanBackward final : Node, Reduction {
  using Reduction::Reduction;
  const char* name() const override { return all ? "MeanBackward0" : "MeanBackward1"; }
  variable_list apply(variable_list&& grads) override {
    return {expand(grads[0].as<A>()) / reduced_count(in_sizes, dims)};
  }
};

template <class A>
struct ProdBackward final : Node, Reduction {
  SavedTensor<A> self, result;
  ProdBackward(const Tensor<A>& x, const Tensor<A>& out, const Shape& d, bool keep)
      : Reduction(x.sizes(), d, keep, "prod"), self(x, false), result(out, true) {}
  const char* name() const override { return all ? "ProdBackward0" : "ProdBackward1"; }
  TS_RELEASE_SAVED(self, result)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = restore(grads[0].as<A>()), r = restore(result.unpack(*this)), s = self.unpack(*this);
    const Tensor<bool> is_zero = s == 0;
    if (!is_zero.any().item()) return {g * (r / s)};
    // With zeros: an element's gradient is the product of the others, nonzero only where it
    // is the single zero of its slice.
    const Tensor<int64_t> zeros_in_slice = is_zero.sum(dims, true);
    const Tensor<A> others = where(is_zero, ones<A>({}, {.device = s.device()}), s).prod(dims, true);
    const Tensor<A> no_zero = where(zeros_in_slice == 0, g * (r / s), zeros<A>({}, {.device = g.device()}));
    return {where(is_zero && (zeros_in_slice == 1), g * others, no_zero)};
  }
};

/** amax and amin: the gradient is shared evenly among the elements equal to the result. */
template <class A>
struct AmaxBackward final : Node, Reduction {
  SavedTensor<A> self, result;
  bool is_max;
  AmaxBackward(const Tensor<A>& x, const Tensor<A>& out, const Shape& d, bool keep, bool max)
      : Reduction(x.sizes(), d, keep, max ? "amax" : "amin"), self(x, false), result(out, true), is_max(max) {}
  const char* name() const override { return is_max ? "AmaxBackward0" : "AminBackward0"; }
  TS_RELEASE_SAVED(self, result)
  variable_list apply(variable_list&& grads) override {
    const Tensor<bool> mask = self.unpack(*this) == restore(result.unpack(*this));
    return {(restore(grads[0].as<A>()) / mask.sum(dims, true)) * mask};
  }
};

/** max(dim) and min(dim): the gradient goes to the selected index. */
template <class A>
struct MaxDimBackward final : Node {
  Shape in_sizes;
  int64_t dim;
  bool keepdim, is_max;
  SavedTensor<int64_t> indices;
  MaxDimBackward(const Shape& sizes, int64_t d, bool keep, const Tensor<int64_t>& idx, bool max)
      : in_sizes(sizes), dim(d), keepdim(keep), is_max(max), indices(idx, false) {}
  const char* name() const override { return is_max ? "MaxBackward0" : "MinBackward0"; }
  TS_RELEASE_SAVED(indices)
  variable_list apply(variable_list&& grads) override {
    Tensor<A> g = grads[0].as<A>();
    Tensor<int64_t> idx = indices.unpack(*this);
    if (in_sizes.empty()) return {g};
    if (!keepdim) g = g.unsqueeze(dim), idx = idx.unsqueeze(dim);
    return {zeros<A>(in_sizes, {.device = g.device()}).scatter(dim, idx, g)};
  }
};

/** sort, topk, kthvalue, median(dim), nanmedian(dim), mode: each value's gradient goes back to
 *  the position it was selected from (PyTorch's value_selecting_reduction_backward). */
template <class A>
struct ValueSelectingBackward final : Node {
  const char* node_name;
  Shape in_sizes;
  int64_t dim;
  bool keepdim;
  SavedTensor<int64_t> indices;
  ValueSelectingBackward(const char* node, const Shape& sizes, int64_t d, bool keep, const Tensor<int64_t>& idx)
      : node_name(node), in_sizes(sizes), dim(d), keepdim(keep), indices(idx, false) {}
  const char* name() const override { return node_name; }
  TS_RELEASE_SAVED(indices)
  variable_list apply(variable_list&& grads) override {
    Tensor<A> g = grads[0].as<A>();
    Tensor<int64_t> idx = indices.unpack(*this);
    if (in_sizes.empty()) return {g};
    if (!keepdim) g = g.unsqueeze(dim), idx = idx.unsqueeze(dim);
    return {zeros<A>(in_sizes, {.device = g.device()}).scatter(dim, idx, g)};
  }
};

/** max(), min(), median() and nanmedian() over all elements: the gradient is shared evenly by the
 *  elements equal to the result (the NaNs when it is NaN), as PyTorch's evenly_distribute_backward
 *  on the CPU: zeros elsewhere (+0, whatever the gradient's sign). */
template <class A>
struct EvenlyDistributeBackward final : Node {
  SavedTensor<A> self, result;
  const char* node_name;
  EvenlyDistributeBackward(const Tensor<A>& x, const Tensor<A>& out, const char* node)
      : self(x, false), result(out, true), node_name(node) {}
  const char* name() const override { return node_name; }
  TS_RELEASE_SAVED(self, result)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> s = self.unpack(*this), r = result.unpack(*this), g = grads[0].as<A>();
    const Tensor<bool> mask = r.isnan().item() ? s.isnan() : s == r;
    return {where(mask, g / mask.sum(), A(0))};
  }
};

template <class A>
struct NormBackward1 final : Node, Reduction {
  SavedTensor<A> self, result;
  double p;
  NormBackward1(const Tensor<A>& x, const Tensor<A>& out, const Shape& d, bool keep, double order = 2)
      : Reduction(x.sizes(), d, keep, "norm"), self(x, false), result(out, true), p(order) {}
  TS_NODE_NAME("NormBackward1")
  TS_RELEASE_SAVED(self, result)
  /** PyTorch's norm_backward, branch by branch: 0 where the norm is 0, no gradient for p = 0. */
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> x = self.unpack(*this), r = restore(result.unpack(*this)), g = restore(grads[0].as<A>());
    if (p == 2) return {x * (g / r).masked_fill(r == 0, 0)};
    if (p == 0) return {AnyTensor()};
    if (p == 1) return {x.sgn() * g};
    if (std::isinf(p)) {
      const Tensor<A> magnitude = x.abs();
      const Tensor<bool> mask = (magnitude == r) || magnitude.isnan();
      return {x.sgn() * ((g / mask.sum(dims, true)) * mask)};
    }
    if (p < 1) return {x.sgn() * x.abs().pow(p - 1).masked_fill(x == 0, 0) * g * r.pow(1 - p)};
    const Tensor<A> scale = (g / r.pow(p - 1)).masked_fill(r == 0, 0);
    if (p < 2) return {x.sgn() * x.abs().pow(p - 1) * scale};
    return {x * x.abs().pow(p - 2) * scale};
  }
};

template <class A>
struct LogsumexpBackward0 final : Node, Reduction {
  SavedTensor<A> self, result;
  LogsumexpBackward0(const Tensor<A>& x, const Tensor<A>& out, const Shape& d, bool keep)
      : Reduction(x.sizes(), d, keep, "logsumexp"), self(x, false), result(out, true) {}
  TS_NODE_NAME("LogsumexpBackward0")
  TS_RELEASE_SAVED(self, result)
  variable_list apply(variable_list&& grads) override {
    return {restore(grads[0].as<A>()) * (self.unpack(*this) - restore(result.unpack(*this))).exp()};
  }
};

template <class A>
Tensor<A> var_backward(const Tensor<A>& g, const Tensor<A>& s, const Reduction& red, int64_t correction) {
  const double dof = static_cast<double>(reduced_count(red.in_sizes, red.dims) - correction);
  return (2.0 / dof) * red.restore(g) * (s - s.mean(red.dims, true));
}

template <class A>
struct VarBackward0 final : Node, Reduction {
  SavedTensor<A> self;
  int64_t correction;
  VarBackward0(const Tensor<A>& x, const Shape& d, bool keep, int64_t corr)
      : Reduction(x.sizes(), d, keep, "var"), self(x, false), correction(corr) {}
  TS_NODE_NAME("VarBackward0")
  TS_RELEASE_SAVED(self)
  variable_list apply(variable_list&& grads) override {
    return {var_backward(grads[0].as<A>(), self.unpack(*this), *this, correction)};
  }
};

template <class A>
struct StdBackward0 final : Node, Reduction {
  SavedTensor<A> self, result;
  int64_t correction;
  StdBackward0(const Tensor<A>& x, const Tensor<A>& out, const Shape& d, bool keep, int64_t corr)
      : Reduction(x.sizes(), d, keep, "std"), self(x, false), result(out, true), correction(corr) {}
  TS_NODE_NAME("StdBackward0")
  TS_RELEASE_SAVED(self, result)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> r = result.unpack(*this);
    const Tensor<A> grad_var = (grads[0].as<A>() / (r * 2)).masked_fill(r == 0, 0);
    return {var_backward(grad_var, self.unpack(*this), *this, correction)};
  }
};

template <class A>
struct SoftmaxBackward0 final : Node {
  SavedTensor<A> result;
  int64_t dim;
  SoftmaxBackward0(const Tensor<A>& out, int64_t d) : result(out, true), dim(d) {}
  TS_NODE_NAME("SoftmaxBackward0")
  TS_RELEASE_SAVED(result)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>(), r = result.unpack(*this);
    return {r * (g - (g * r).sum(dim, true))};
  }
};

template <class A>
struct LogSoftmaxBackward0 final : Node {
  SavedTensor<A> result;
  int64_t dim;
  LogSoftmaxBackward0(const Tensor<A>& out, int64_t d) : result(out, true), dim(d) {}
  TS_NODE_NAME("LogSoftmaxBackward0")
  TS_RELEASE_SAVED(result)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    return {g - result.unpack(*this).exp() * g.sum(dim, true)};
  }
};

template <class A>
struct CumsumBackward0 final : Node {
  int64_t dim;
  explicit CumsumBackward0(int64_t d) : dim(d) {}
  TS_NODE_NAME("CumsumBackward0")
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    if (g.numel() <= 1 || g.size(dim) == 1) return {g};
    // The reversed cumulative sum: flip, cumsum, flip.
    const Tensor<int64_t> reversed = arange(g.size(dim) - 1, int64_t{-1}, int64_t{-1}, {.device = g.device()});
    return {g.index_select(dim, reversed).cumsum(dim).index_select(dim, reversed)};
  }
};

namespace cumulative {
/** sum_{j >= i} t_j along dim. */
template <class A>
Tensor<A> reversed_cumsum(const Tensor<A>& t, int64_t dim) {
  return t.flip({dim}).cumsum(dim).flip({dim});
}
}  // namespace cumulative

/** cumprod, as PyTorch's cumprod_backward: sum_{j >= i} g_j out_j / x_i without zeros; with
 *  zeros, the elements before a row's first zero take that formula, the first zero takes the
 *  sum of g_j times the product of the others up to j, and later elements get 0. */
template <class A>
struct CumprodBackward0 final : Node {
  SavedTensor<A> self, result;
  int64_t dim;
  CumprodBackward0(const Tensor<A>& x, const Tensor<A>& out, int64_t d) : self(x, false), result(out, true), dim(d) {}
  TS_NODE_NAME("CumprodBackward0")
  TS_RELEASE_SAVED(self, result)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>(), x = self.unpack(*this), out = result.unpack(*this);
    if (x.numel() <= 1 || x.size(dim) == 1) return {g};
    const Tensor<bool> is_zero = x == 0;
    if (!is_zero.any().item()) return {cumulative::reversed_cumsum(g * out, dim) / x};
    const Tensor<int64_t> zeros_so_far = is_zero.cumsum(dim);
    const Tensor<bool> before = zeros_so_far == 0, first_zero = is_zero && (zeros_so_far == 1);
    const Tensor<A> one = ones<A>({}, {.device = x.device()}), zero = zeros<A>({}, {.device = x.device()});
    const Tensor<A> before_grad = where(before, cumulative::reversed_cumsum(g * out, dim) / where(before, x, one), zero);
    // The products with the first zero left out: prod_{m <= j, m != z} x_m.
    const Tensor<A> others = where(first_zero, one, x).cumprod(dim);
    return {before_grad + where(first_zero, cumulative::reversed_cumsum(g * others, dim), zero)};
  }
};

/** logcumsumexp, as PyTorch's logcumsumexp_backward: the positive and negative parts of the
 *  gradient each through a reversed logcumsumexp, so that nothing overflows. */
template <class A>
struct LogcumsumexpBackward0 final : Node {
  SavedTensor<A> self, result;
  int64_t dim;
  LogcumsumexpBackward0(const Tensor<A>& x, const Tensor<A>& out, int64_t d) : self(x, false), result(out, true), dim(d) {}
  TS_NODE_NAME("LogcumsumexpBackward0")
  TS_RELEASE_SAVED(self, result)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>(), x = self.unpack(*this), out = result.unpack(*this);
    if (g.dim() == 0 || g.numel() == 0) return {g};
    const Tensor<A> lowest = full<A>({}, -largest_finite<A>(), {.device = g.device()});
    const Tensor<A> log_abs = g.abs().log();
    const auto reversed = [&](const Tensor<A>& t) { return t.flip({dim}).logcumsumexp(dim).flip({dim}); };
    const Tensor<A> pos = (reversed(where(g > 0, log_abs, lowest) - out) + x).exp();
    const Tensor<A> neg = (reversed(where(g < 0, log_abs, lowest) - out) + x).exp();
    return {pos - neg};
  }
};

// --- linear algebra ---------------------------------------------------------------------------------

template <class A, class B>
struct MmBackward0 final : Node {
  SavedTensor<A> self;
  SavedTensor<B> mat2;
  // As PyTorch: the gradient of a transposed matrix (w.t() in a linear layer's x @ w.t()) is
  // computed transposed, so it reaches the parameter contiguous and needs no copy.
  bool self_column_major, mat2_column_major;
  MmBackward0(const Tensor<A>& a, const Tensor<B>& b)
      : self(a, false), mat2(b, false), self_column_major(column_major(a)), mat2_column_major(column_major(b)) {}
  TS_NODE_NAME("MmBackward0")
  TS_RELEASE_SAVED(self, mat2)
  template <class T>
  static bool column_major(const Tensor<T>& m) {
    return m.size(1) > 1 && m.strides()[0] == 1 && m.strides()[1] == m.size(0);
  }
  variable_list apply(variable_list&& grads) override {
    const Tensor<promote_t<A, B>> g = grads[0].as<promote_t<A, B>>();
    AnyTensor ga, gb;
    if (needs_input_grad(0)) {
      const Tensor<B> b = mat2.unpack(*this);
      ga = self_column_major ? b.mm(g.t()).t() : g.mm(b.t());
    }
    if (needs_input_grad(1)) {
      const Tensor<A> a = self.unpack(*this);
      gb = mat2_column_major ? g.t().mm(a).t() : a.t().mm(g);
    }
    return {ga, gb};
  }
};

/** addmm's node: beta g, summed to the input's shape, for the input, and mm's gradients times
 *  alpha for mat1 and mat2 (computed transposed for a transposed matrix, as MmBackward0). */
template <class A>
struct AddmmBackward0 final : Node {
  SavedTensor<A> mat1, mat2;
  Shape input_shape;
  double beta, alpha;
  bool mat1_column_major, mat2_column_major;
  AddmmBackward0(Shape input, const Tensor<A>& a, const Tensor<A>& b, double beta_, double alpha_)
      : mat1(a, false), mat2(b, false), input_shape(std::move(input)), beta(beta_), alpha(alpha_),
        mat1_column_major(MmBackward0<A, A>::column_major(a)), mat2_column_major(MmBackward0<A, A>::column_major(b)) {}
  TS_NODE_NAME("AddmmBackward0")
  TS_RELEASE_SAVED(mat1, mat2)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    const auto scaled = [](const Tensor<A>& t, double k) { return k == 1 ? t : t * k; };
    AnyTensor gi, ga, gb;
    if (needs_input_grad(0)) gi = sum_to(scaled(g, beta), input_shape);
    if (needs_input_grad(1)) {
      const Tensor<A> b = mat2.unpack(*this);
      ga = scaled(mat1_column_major ? b.mm(g.t()).t() : g.mm(b.t()), alpha);
    }
    if (needs_input_grad(2)) {
      const Tensor<A> a = mat1.unpack(*this);
      gb = scaled(mat2_column_major ? g.t().mm(a).t() : a.t().mm(g), alpha);
    }
    return {gi, ga, gb};
  }
};

template <class A, class B>
struct BmmBackward0 final : Node {
  SavedTensor<A> self;
  SavedTensor<B> mat2;
  BmmBackward0(const Tensor<A>& a, const Tensor<B>& b) : self(a, false), mat2(b, false) {}
  TS_NODE_NAME("BmmBackward0")
  TS_RELEASE_SAVED(self, mat2)
  variable_list apply(variable_list&& grads) override {
    const Tensor<promote_t<A, B>> g = grads[0].as<promote_t<A, B>>();
    AnyTensor ga, gb;
    if (needs_input_grad(0)) ga = g.bmm(mat2.unpack(*this).transpose(1, 2));
    if (needs_input_grad(1)) gb = self.unpack(*this).transpose(1, 2).bmm(g);
    return {ga, gb};
  }
};

template <class A, class B>
struct MvBackward0 final : Node {
  SavedTensor<A> self;
  SavedTensor<B> vec;
  MvBackward0(const Tensor<A>& a, const Tensor<B>& v) : self(a, false), vec(v, false) {}
  TS_NODE_NAME("MvBackward0")
  TS_RELEASE_SAVED(self, vec)
  variable_list apply(variable_list&& grads) override {
    const Tensor<promote_t<A, B>> g = grads[0].as<promote_t<A, B>>();
    AnyTensor ga, gv;
    if (needs_input_grad(0)) ga = outer(g, vec.unpack(*this));
    if (needs_input_grad(1)) gv = self.unpack(*this).t().mv(g);
    return {ga, gv};
  }
};

template <class A, class B>
struct DotBackward0 final : Node {
  SavedTensor<A> self;
  SavedTensor<B> other;
  DotBackward0(const Tensor<A>& a, const Tensor<B>& b) : self(a, false), other(b, false) {}
  TS_NODE_NAME("DotBackward0")
  TS_RELEASE_SAVED(self, other)
  variable_list apply(variable_list&& grads) override {
    const Tensor<promote_t<A, B>> g = grads[0].as<promote_t<A, B>>();
    AnyTensor ga, gb;
    if (needs_input_grad(0)) ga = g * other.unpack(*this);
    if (needs_input_grad(1)) gb = g * self.unpack(*this);
    return {ga, gb};
  }
};

// --- views ------------------------------------------------------------------------------------------

/** view, reshape, flatten, squeeze: the gradient takes the input's shape back. */
template <class A>
struct ReshapeBackward final : Node {
  Shape in_sizes;
  const char* label;
  ReshapeBackward(const Shape& sizes, const char* name) : in_sizes(sizes), label(name) {}
  const char* name() const override { return label; }
  variable_list apply(variable_list&& grads) override { return {grads[0].as<A>().reshape(in_sizes)}; }
};

template <class A>
struct TransposeBackward0 final : Node {
  int64_t d0, d1;
  const char* label;
  TransposeBackward0(int64_t a, int64_t b, const char* name) : d0(a), d1(b), label(name) {}
  const char* name() const override { return label; }
  variable_list apply(variable_list&& grads) override { return {grads[0].as<A>().transpose(d0, d1)}; }
};

template <class A>
struct PermuteBackward0 final : Node {
  Shape inverse;
  explicit PermuteBackward0(const Shape& dims) : inverse(Shape::filled(dims.size(), 0)) {
    for (size_t i = 0; i < dims.size(); ++i) inverse[static_cast<size_t>(dims[i])] = static_cast<int64_t>(i);
  }
  TS_NODE_NAME("PermuteBackward0")
  variable_list apply(variable_list&& grads) override { return {grads[0].as<A>().permute(inverse)}; }
};

template <class A>
struct UnsqueezeBackward0 final : Node {
  int64_t dim;
  explicit UnsqueezeBackward0(int64_t d) : dim(d) {}
  TS_NODE_NAME("UnsqueezeBackward0")
  variable_list apply(variable_list&& grads) override { return {grads[0].as<A>().squeeze(dim)}; }
};

template <class A>
struct ExpandBackward0 final : Node {
  Shape in_sizes;
  explicit ExpandBackward0(const Shape& sizes) : in_sizes(sizes) {}
  TS_NODE_NAME("ExpandBackward0")
  variable_list apply(variable_list&& grads) override { return {sum_to(grads[0].as<A>(), in_sizes)}; }
};

/** Views that pick part of the input (slice, select, diagonal, as_strided, unfold): the
 *  gradient is written into zeros through the same view. */
template <class A>
struct SliceBackward0 final : Node {
  Shape in_sizes;
  int64_t dim, start, end, step;
  SliceBackward0(const Shape& sizes, int64_t d, int64_t s, int64_t e, int64_t st)
      : in_sizes(sizes), dim(d), start(s), end(e), step(st) {}
  TS_NODE_NAME("SliceBackward0")
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    const bool record = recording(g);
    NoGradGuard no_grad;
    Tensor<A> out = zeros<A>(in_sizes, {.device = g.device()});
    out.slice(dim, start, end, step).copy_(g);
    return {linear_in(record, "SliceBackwardBackward0", g, out,
                      [d = dim, s = start, e = end, st = step](const Tensor<A>& gg) { return gg.slice(d, s, e, st); })};
  }
};

template <class A>
struct SelectBackward0 final : Node {
  Shape in_sizes;
  int64_t dim, index;
  SelectBackward0(const Shape& sizes, int64_t d, int64_t i) : in_sizes(sizes), dim(d), index(i) {}
  TS_NODE_NAME("SelectBackward0")
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    const bool record = recording(g);
    NoGradGuard no_grad;
    Tensor<A> out = zeros<A>(in_sizes, {.device = g.device()});
    out.select(dim, index).copy_(g);
    return {linear_in(record, "SelectBackwardBackward0", g, out,
                      [d = dim, i = index](const Tensor<A>& gg) { return gg.select(d, i); })};
  }
};

template <class A>
struct DiagonalBackward0 final : Node {
  Shape in_sizes;
  int64_t offset, d0, d1;
  DiagonalBackward0(const Shape& sizes, int64_t off, int64_t a, int64_t b) : in_sizes(sizes), offset(off), d0(a), d1(b) {}
  TS_NODE_NAME("DiagonalBackward0")
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    const bool record = recording(g);
    NoGradGuard no_grad;
    Tensor<A> out = zeros<A>(in_sizes, {.device = g.device()});
    out.diagonal(offset, d0, d1).copy_(g);
    return {linear_in(record, "DiagonalBackwardBackward0", g, out,
                      [o = offset, a = d0, b = d1](const Tensor<A>& gg) { return gg.diagonal(o, a, b); })};
  }
};

/** diag_embed: the gradient is the diagonal it wrote (a view, so double backward works). */
template <class A>
struct DiagEmbedBackward0 final : Node {
  int64_t offset, d0, d1;
  DiagEmbedBackward0(int64_t off, int64_t a, int64_t b) : offset(off), d0(a), d1(b) {}
  TS_NODE_NAME("DiagEmbedBackward0")
  variable_list apply(variable_list&& grads) override { return {grads[0].as<A>().diagonal(offset, d0, d1)}; }
};

template <class A>
struct UnfoldBackward0 final : Node {
  Shape in_sizes;
  int64_t dim, size, step;
  UnfoldBackward0(const Shape& sizes, int64_t d, int64_t sz, int64_t st) : in_sizes(sizes), dim(d), size(sz), step(st) {}
  TS_NODE_NAME("UnfoldBackward0")
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    const bool record = recording(g);
    NoGradGuard no_grad;
    auto adjoint = [d = dim, sz = size, st = step, gs = g.sizes()](const Tensor<A>& gg) {
      return gg.dim() == 0 ? gg.view(gs) : gg.unfold(d, sz, st);
    };
    Tensor<A> out = zeros<A>(in_sizes, {.device = g.device()});
    if (in_sizes.empty()) return {linear_in(record, "UnfoldBackwardBackward0", g, out.add_(g.view({})), adjoint)};
    // Window i of the result covers input positions [i*step, i*step + size) along `dim`; its
    // elements sit in the last dim of the result, which moves back to `dim`.
    const int64_t nd = static_cast<int64_t>(in_sizes.size());
    Shape perm;
    for (int64_t d = 0; d < nd; ++d) perm.push_back(d == dim ? nd - 1 : d < dim ? d : d - 1);
    for (int64_t i = 0; i < g.size(dim); ++i) out.narrow(dim, i * step, size).add_(g.select(dim, i).permute(perm));
    return {linear_in(record, "UnfoldBackwardBackward0", g, out, adjoint)};
  }
};

template <class A>
struct AsStridedBackward0 final : Node {
  Shape in_sizes, in_strides, out_sizes, out_strides;
  int64_t in_offset, out_offset;
  AsStridedBackward0(const TensorImpl& in, const Shape& sizes, const Shape& strides, int64_t offset)
      : in_sizes(in.sizes), in_strides(in.strides), out_sizes(sizes), out_strides(strides), in_offset(in.offset),
        out_offset(offset) {}
  TS_NODE_NAME("AsStridedBackward0")
  variable_list apply(variable_list&& grads) override {
    const bool record = recording(grads[0].as<A>());
    NoGradGuard no_grad;
    const Tensor<A> g = grads[0].as<A>().contiguous();
    // Sum each gradient element into the storage position it was read from, then view that
    // storage with the input's geometry.
    auto extent = [](const Shape& sizes, const Shape& strides, int64_t offset) {
      int64_t last = offset;
      for (size_t d = 0; d < sizes.size(); ++d) {
        if (sizes[d] == 0) return offset;
        last += (sizes[d] - 1) * strides[d];
      }
      return last + 1;
    };
    const int64_t base = std::min(in_offset, out_offset);
    const int64_t end = std::max(extent(in_sizes, in_strides, in_offset), extent(out_sizes, out_strides, out_offset));
    Tensor<A> storage = zeros<A>({end - base}, {.device = g.device()});
    dispatch_plan(IndexPlan{.op = "as_strided_backward", .out = &storage.impl(), .fresh_out = true, .input = &g.impl(),
                            .rest_sizes = &out_sizes, .rest_strides = &out_strides, .offset = out_offset - base},
                  [&] {
      strided_accumulate(storage.kernel_data(), g.kernel_data(), out_sizes, out_strides, out_offset - base);
    });
    // The adjoint lays a gradient of the input's geometry into the same storage and reads it
    // back with the output's (differentiable: a copy into a view of zeros, then a view).
    auto adjoint = [n = end - base, is = in_sizes, ist = in_strides, io = in_offset - base, os = out_sizes,
                    ost = out_strides, oo = out_offset - base](const Tensor<A>& gg) {
      Tensor<A> st = zeros<A>({n}, {.device = gg.device()});
      st.as_strided(is, ist, io).copy_(gg);
      return st.as_strided(os, ost, oo);
    };
    return {linear_in(record, "AsStridedBackward0", grads[0].as<A>(),
                      storage.as_strided(in_sizes, in_strides, in_offset - base).clone(), adjoint)};
  }
};

// --- indexing, joins, copies ---------------------------------------------------------------------------

template <class A> struct IndexBackward0;

/** v[indices], recorded (Tensor::index after its basic indexing). */
template <class A>
Tensor<A> index_with_grad(const Tensor<A>& v, const AdvancedIndices& ix) {
  Tensor<A> out = index_advanced(v, ix, "index");
  if (needs_grad(v)) record<IndexBackward0<A>>({v}, {out}, v.sizes(), ix);
  return out;
}

/** g with the indexed positions zeroed: index_put_'s gradient for its input, its own adjoint. */
template <class A>
Tensor<A> zero_indexed(const Tensor<A>& g, const AdvancedIndices& ix) {
  const bool record = recording(g);
  NoGradGuard no_grad;
  Tensor<A> out = g.clone();
  index_put_advanced(out, ix, zeros<A>({}, {.device = g.device()}), false, "index_put_");
  return linear_in(record, "IndexPutBackward0", g, out, [ix](const Tensor<A>& gg) { return zero_indexed(gg, ix); });
}

/** x[index tensors]: the gradient is summed back into the indexed positions. */
/** Also masked_select's (over the broadcast shape, which the engine sums back) and take's (over
 *  the flattened input, `grad_sizes` the input's shape), under their PyTorch names. */
template <class A>
struct IndexBackward0 final : Node {
  Shape in_sizes;
  SavedIndices indexed;
  const char* label;
  std::optional<Shape> grad_sizes;
  IndexBackward0(const Shape& sizes, const AdvancedIndices& ix, const char* node_name = "IndexBackward0",
                 std::optional<Shape> reshape_to = std::nullopt)
      : in_sizes(sizes), indexed(ix), label(node_name), grad_sizes(std::move(reshape_to)) {}
  const char* name() const override { return label; }
  TS_RELEASE_SAVED(indexed)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    const bool record = recording(g);
    const AdvancedIndices ix = indexed.unpack(*this);
    NoGradGuard no_grad;
    Tensor<A> out = zeros<A>(in_sizes, {.device = g.device()});
    index_put_advanced(out, ix, g, /*accumulate=*/true, "index_put_");
    Tensor<A> result = linear_in(record, "IndexPutImplBackward0", g, out,
                                 [ix](const Tensor<A>& gg) { return index_with_grad(gg, ix); });
    if (grad_sizes) return {result.view(*grad_sizes)};
    return {result};
  }
};

/** x.index_put_(indices, values, accumulate): indexed positions of x lose their gradient to
 *  `values` (with accumulate, x keeps all of it and `values` gets a copy). */
template <class A>
struct IndexPutBackward0 final : Node {
  SavedIndices indexed;
  bool accumulate;
  explicit IndexPutBackward0(const AdvancedIndices& ix, bool acc = false) : indexed(ix), accumulate(acc) {}
  TS_NODE_NAME("IndexPutBackward0")
  TS_RELEASE_SAVED(indexed)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    const AdvancedIndices ix = indexed.unpack(*this);
    AnyTensor gs, gv;
    if (needs_input_grad(0)) gs = accumulate ? g : zero_indexed(g, ix);
    if (needs_input_grad(1)) gv = index_with_grad(g, ix);
    return {gs, gv};
  }
};

/** put_'s node: self's gradient where nothing was written over (all of it with accumulate),
 *  source's the gradient taken at `index`. */
template <class A>
struct PutBackward0 final : Node {
  SavedTensor<int64_t> index;
  Shape source_shape;
  bool accumulate;
  PutBackward0(const Tensor<int64_t>& i, Shape shape, bool acc) : index(i, false), source_shape(std::move(shape)), accumulate(acc) {}
  TS_NODE_NAME("PutBackward0")
  TS_RELEASE_SAVED(index)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    const Tensor<int64_t> i = index.unpack(*this);
    AnyTensor dself, dsource;
    if (needs_input_grad(0)) dself = accumulate ? g : g.put(i, zeros<A>(source_shape, {.device = g.device()}));
    if (needs_input_grad(1)) dsource = g.take(i).reshape(source_shape);
    return {dself, dsource};
  }
};

/** x.masked_scatter_(mask, source): masked positions of x lose their gradient to source's
 *  first elements; source's others get zeros. */
template <class A>
struct MaskedScatterBackward0 final : Node {
  Tensor<bool> mask;  // broadcast to self's shape
  Shape source_sizes;
  MaskedScatterBackward0(const Tensor<bool>& m, const Shape& sizes) : mask(m), source_sizes(sizes) {}
  TS_NODE_NAME("MaskedScatterBackward0")
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    AnyTensor gs, gsrc;
    if (needs_input_grad(0)) gs = g.masked_fill(mask, 0);
    if (needs_input_grad(1)) {
      Tensor<A> selected = masked_select(g, mask);
      const int64_t missing = checked_numel(source_sizes, "masked_scatter_backward") - selected.numel();
      if (missing > 0) selected = cat(std::vector<Tensor<A>>{selected, zeros<A>({missing}, {.device = g.device()})});
      gsrc = selected.view(source_sizes);
    }
    return {gs, gsrc};
  }
};

/** base with src summed in at index along dim (scatter_add), not recorded. */
template <class A>
Tensor<A> scatter_added(const Tensor<A>& base, int64_t dim, const Tensor<int64_t>& index, const Tensor<A>& src) {
  Tensor<A> out = base.clone();
  scatter_add_into(out, dim, index, src);
  return out;
}

/** x.scatter_add_(dim, index, src): self keeps the gradient, src gathers it at index (zeros where
 *  src reaches past index). */
template <class A>
struct ScatterAddBackward0 final : Node {
  int64_t dim;
  SavedTensor<int64_t> index;
  Shape src_sizes;
  ScatterAddBackward0(int64_t d, const Tensor<int64_t>& idx, const Shape& sizes)
      : dim(d), index(idx, false), src_sizes(sizes) {}
  TS_NODE_NAME("ScatterAddBackward0")
  TS_RELEASE_SAVED(index)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    AnyTensor gs, gsrc;
    if (needs_input_grad(0)) gs = g;
    if (needs_input_grad(1)) {
      const Tensor<A> picked = g.gather(dim, index.unpack(*this));
      if (picked.sizes() == src_sizes) {
        gsrc = picked;
      } else {
        Tensor<A> padded = zeros<A>(src_sizes, {.device = g.device()});
        Tensor<A> part = padded;
        for (int64_t d = 0; d < picked.dim(); ++d) part = part.narrow(d, 0, picked.size(d));
        part.copy_(picked);
        gsrc = padded;
      }
    }
    return {gs, gsrc};
  }
};

/** x.scatter_reduce_(dim, index, src, reduce, include_self): PyTorch's scatter_reduce_backward. */
template <class A>
struct ScatterReduceBackward0 final : Node {
  int64_t dim;
  SavedTensor<int64_t> index;
  Tensor<A> self;  // self's values before the op (a copy)
  SavedTensor<A> src;
  std::string reduce;
  bool include_self;
  Tensor<A> result;  // a copy, set after the op ran
  ScatterReduceBackward0(int64_t d, const Tensor<int64_t>& idx, const Tensor<A>& original, const Tensor<A>& s,
                         std::string r, bool inc)
      : dim(d), index(idx, false), self(original), src(s, false), reduce(std::move(r)), include_self(inc) {}
  TS_NODE_NAME("ScatterReduceBackward0")
  TS_RELEASE_SAVED(index, src)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    const Tensor<int64_t> i = index.unpack(*this);
    const Tensor<A> full_src = src.unpack(*this);
    // Only the part of src that index covers takes part.
    Tensor<A> s = full_src;
    for (int64_t d = 0; d < i.dim() && d < s.dim(); ++d) s = s.narrow(d, 0, i.size(d));
    const Tensor<A>& x = self;
    const Tensor<A>& r = result;
    Tensor<A> gs, gsrc;
    if (reduce == "sum") {
      gs = g;
      gsrc = g.gather(dim, i);
    } else if (reduce == "prod") {
      // Products without the zeros, so that a single zero still passes a gradient.
      const Tensor<A> masked_self = x.masked_fill(x == A(0), 1);
      gs = g * masked_self.scatter_reduce(dim, i, s, "prod", include_self) / masked_self;
      const Tensor<bool> src_zero = s == A(0);
      const Tensor<A> zeros_at = scatter_added(zeros_like(x), dim, i, src_zero.template to<A>()).gather(dim, i);
      const Tensor<bool> single_zero = src_zero && (zeros_at == A(1));
      const Tensor<A> masked_src_result = x.scatter_reduce(dim, i, s.masked_fill(single_zero, 1), "prod", include_self);
      gsrc = where(single_zero, (g * masked_src_result).gather(dim, i), (g * r).gather(dim, i) / s.masked_fill(src_zero, 1));
    } else if (reduce == "mean") {
      Tensor<A> n = scatter_added(include_self ? ones_like(g) : zeros_like(g), dim, i, ones_like(s));
      n.masked_fill_(n == A(0), 1);
      gs = g / n;
      gsrc = g.gather(dim, i) / n.gather(dim, i);
    } else {  // amax, amin: the gradient is shared evenly among the values equal to the result
      const Tensor<A> value = r.gather(dim, i);
      const Tensor<A> self_is_result = (x == r).template to<A>(), src_is_result = (s == value).template to<A>();
      const Tensor<A> distributed = g / scatter_added(self_is_result, dim, i, src_is_result);
      gs = self_is_result * distributed;
      gsrc = src_is_result * distributed.gather(dim, i);
    }
    if (!include_self) gs = gs.scatter(dim, i, 0);
    AnyTensor out_self, out_src;
    if (needs_input_grad(0)) out_self = gs;
    if (needs_input_grad(1)) {
      if (gsrc.sizes() == full_src.sizes()) {
        out_src = gsrc;
      } else {
        Tensor<A> padded = zeros<A>(full_src.sizes(), {.device = g.device()});
        Tensor<A> part = padded;
        for (int64_t d = 0; d < gsrc.dim(); ++d) part = part.narrow(d, 0, gsrc.size(d));
        part.copy_(gsrc);
        out_src = padded;
      }
    }
    return {out_self, out_src};
  }
};

/** source's gradient for index_add_ and index_copy_: the gradient's slices at index, in source's shape. */
template <class A>
Tensor<A> index_slices_grad(const Tensor<A>& g, int64_t dim, const Tensor<int64_t>& index, const Shape& source_sizes) {
  const Tensor<A> picked = g.index_select(dim, index.reshape({-1}));
  return picked.numel() == checked_numel(source_sizes, "index_select") ? picked.reshape(source_sizes)
                                                                        : picked.expand(source_sizes);
}

template <class A>
struct IndexAddBackward0 final : Node {
  int64_t dim;
  SavedTensor<int64_t> index;
  A alpha;
  Shape source_sizes;
  IndexAddBackward0(int64_t d, const Tensor<int64_t>& idx, A a, const Shape& sizes)
      : dim(d), index(idx, false), alpha(a), source_sizes(sizes) {}
  TS_NODE_NAME("IndexAddBackward0")
  TS_RELEASE_SAVED(index)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    AnyTensor gs, gsrc;
    if (needs_input_grad(0)) gs = g;
    if (needs_input_grad(1)) {
      const Tensor<A> picked = index_slices_grad(g, dim, index.unpack(*this), source_sizes);
      gsrc = alpha == A(1) ? picked : picked * alpha;
    }
    return {gs, gsrc};
  }
};

template <class A>
struct IndexCopyBackward0 final : Node {
  int64_t dim;
  SavedTensor<int64_t> index;
  Shape source_sizes;
  IndexCopyBackward0(int64_t d, const Tensor<int64_t>& idx, const Shape& sizes) : dim(d), index(idx, false), source_sizes(sizes) {}
  TS_NODE_NAME("IndexCopyBackward0")
  TS_RELEASE_SAVED(index)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    const Tensor<int64_t> i = index.unpack(*this);
    AnyTensor gs, gsrc;
    if (needs_input_grad(0)) gs = g.index_fill(dim, i, 0);
    if (needs_input_grad(1)) gsrc = index_slices_grad(g, dim, i, source_sizes);
    return {gs, gsrc};
  }
};

template <class A>
struct IndexFillBackward0 final : Node {
  int64_t dim;
  SavedTensor<int64_t> index;
  IndexFillBackward0(int64_t d, const Tensor<int64_t>& idx) : dim(d), index(idx, false) {}
  TS_NODE_NAME("IndexFillBackward0")
  TS_RELEASE_SAVED(index)
  variable_list apply(variable_list&& grads) override { return {grads[0].as<A>().index_fill(dim, index.unpack(*this), 0)}; }
};

/** index_fill_ with a tensor value: the value gets the gradient of every filled element, each
 *  position once however often index names it. */
template <class A>
struct IndexFillBackward1 final : Node {
  int64_t dim;
  SavedTensor<int64_t> index;
  IndexFillBackward1(int64_t d, const Tensor<int64_t>& idx) : dim(d), index(idx, false) {}
  TS_NODE_NAME("IndexFillBackward1")
  TS_RELEASE_SAVED(index)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    const Tensor<int64_t> i = index.unpack(*this);
    AnyTensor gs, gv;
    if (needs_input_grad(0)) gs = g.index_fill(dim, i, 0);
    if (needs_input_grad(1)) {
      // Wrapped first, so that -1 and size - 1 count as one position.
      const int64_t size = g.dim() == 0 ? 1 : g.size(dim);
      const Tensor<int64_t> positions = unique(i.reshape({-1}).remainder(size)).values;
      gv = g.dim() == 0 ? g : g.index_select(dim, positions).sum();
    }
    return {gs, gv};
  }
};

template <class A>
struct IndexSelectBackward0 final : Node {
  Shape in_sizes;
  int64_t dim;
  SavedTensor<int64_t> index;
  IndexSelectBackward0(const Shape& sizes, int64_t d, const Tensor<int64_t>& idx)
      : in_sizes(sizes), dim(d), index(idx, false) {}
  TS_NODE_NAME("IndexSelectBackward0")
  TS_RELEASE_SAVED(index)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    const bool record = recording(g);
    const Tensor<int64_t> i = index.unpack(*this);
    NoGradGuard no_grad;
    Tensor<A> out = zeros<A>(in_sizes, {.device = g.device()});
    auto adjoint = [d = dim, i, gs = g.sizes()](const Tensor<A>& gg) {
      return gg.dim() == 0 ? gg.expand(gs) : gg.index_select(d, i.reshape({-1})).view(gs);
    };
    if (in_sizes.empty()) return {linear_in(record, "IndexAddBackward0", g, out.add_(g.sum()), adjoint)};
    AdvancedIndices ix = {{dim, i.reshape({-1})}};
    index_put_advanced(out, ix, g, /*accumulate=*/true, "index_add_");
    return {linear_in(record, "IndexAddBackward0", g, out, adjoint)};
  }
};

template <class A>
struct GatherBackward0 final : Node {
  Shape in_sizes;
  int64_t dim;
  SavedTensor<int64_t> index;
  GatherBackward0(const Shape& sizes, int64_t d, const Tensor<int64_t>& idx) : in_sizes(sizes), dim(d), index(idx, false) {}
  TS_NODE_NAME("GatherBackward0")
  TS_RELEASE_SAVED(index)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    const bool record = recording(g);
    const Tensor<int64_t> i = index.unpack(*this);
    NoGradGuard no_grad;
    Tensor<A> out = zeros<A>(in_sizes, {.device = g.device()});
    scatter_add_into(out, dim, i, g);
    return {linear_in(record, "ScatterAddBackward0", g, out, [d = dim, i](const Tensor<A>& gg) { return gg.gather(d, i); })};
  }
};

/** scatter_ of a tensor (ScatterBackward0) or of a value (ScatterBackward1, U = void). */
template <class A, class U>
struct ScatterBackward final : Node {
  int64_t dim;
  SavedTensor<int64_t> index;
  ScatterBackward(int64_t d, const Tensor<int64_t>& idx) : dim(d), index(idx, false) {}
  const char* name() const override { return std::is_void_v<U> ? "ScatterBackward1" : "ScatterBackward0"; }
  TS_RELEASE_SAVED(index)
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    const Tensor<int64_t> i = index.unpack(*this);
    AnyTensor gs, gsrc;
    if (needs_input_grad(0)) gs = g.scatter(dim, i, 0);
    if constexpr (!std::is_void_v<U>)
      if (needs_input_grad(1)) gsrc = g.gather(dim, i);
    if constexpr (std::is_void_v<U>) return {gs};
    else return {gs, gsrc};
  }
};

template <class A>
struct CatBackward0 final : Node {
  std::vector<int64_t> sizes;  // each input's extent along dim (0 for skipped empty 1-D inputs)
  int64_t dim;
  CatBackward0(std::vector<int64_t> s, int64_t d) : sizes(std::move(s)), dim(d) {}
  TS_NODE_NAME("CatBackward0")
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    variable_list out;
    int64_t offset = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      const Shape& shape = next_edges[i].meta.shape;
      const bool skipped = shape.size() == 1 && shape[0] == 0 && g.dim() != 1;
      out.push_back(needs_input_grad(i) && !skipped ? AnyTensor(g.narrow(dim, offset, sizes[i])) : AnyTensor());
      offset += sizes[i];
    }
    return out;
  }
};

template <class A>
struct StackBackward0 final : Node {
  int64_t dim;
  explicit StackBackward0(int64_t d) : dim(d) {}
  TS_NODE_NAME("StackBackward0")
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    variable_list out;
    for (size_t i = 0; i < next_edges.size(); ++i)
      out.push_back(needs_input_grad(i) ? AnyTensor(g.select(dim, static_cast<int64_t>(i))) : AnyTensor());
    return out;
  }
};

/** The gradients of split's or unbind's pieces: zeros of `shape_of(i)` for the pieces that got
 *  none, on the device of those that did (the input's). */
template <class A, class ShapeOf>
std::vector<Tensor<A>> piece_gradients(const variable_list& grads, ShapeOf&& shape_of) {
  Device device;
  for (const AnyTensor& g : grads)
    if (g.defined()) device = g.device();
  std::vector<Tensor<A>> pieces;
  for (size_t i = 0; i < grads.size(); ++i)
    pieces.push_back(grads[i].defined() ? grads[i].as<A>() : zeros<A>(shape_of(i), {.device = device}));
  return pieces;
}

/** split and chunk: one node, one output per piece; missing pieces count as zeros. */
template <class A>
struct SplitBackward0 final : Node {
  Shape in_sizes;
  std::vector<int64_t> sizes;
  int64_t dim;
  const char* label;  // SplitBackward0, SplitWithSizesBackward0 or their unsafe_ forms
  SplitBackward0(const Shape& in, std::vector<int64_t> s, int64_t d, const char* name)
      : in_sizes(in), sizes(std::move(s)), dim(d), label(name) {}
  const char* name() const override { return label; }
  variable_list apply(variable_list&& grads) override {
    return {cat(piece_gradients<A>(grads, [&](size_t i) {
                  Shape s = in_sizes;
                  s[static_cast<size_t>(dim)] = sizes[i];
                  return s;
                }),
                dim)};
  }
};

/** unbind: the gradients of the slices stacked back (zeros for those that got none). */
template <class A>
struct UnbindBackward0 final : Node {
  Shape sizes;  // of a slice
  int64_t dim;
  UnbindBackward0(Shape slice_sizes, int64_t d) : sizes(std::move(slice_sizes)), dim(d) {}
  TS_NODE_NAME("UnbindBackward0")
  variable_list apply(variable_list&& grads) override {
    return {stack(piece_gradients<A>(grads, [&](size_t) { return sizes; }), dim)};
  }
};

template <class A>
struct CloneBackward0 final : Node {
  TS_NODE_NAME("CloneBackward0")
  variable_list apply(variable_list&& grads) override { return {grads[0]}; }
};

/** self.copy_(src): self's old values are gone (zero gradient); src gets the gradient. */
template <class A, class U>
struct CopyBackwards final : Node {
  TS_NODE_NAME("torch::autograd::CopyBackwards")
  variable_list apply(variable_list&& grads) override {
    const Tensor<A> g = grads[0].as<A>();
    AnyTensor gs, gsrc;
    if (needs_input_grad(0)) gs = zeros_like(g);
    if (needs_input_grad(1)) gsrc = g.template to<U>();
    return {gs, gsrc};
  }
};

/** fill_ and zero_: the old values no longer matter. */
template <class A>
struct FillBackward final : Node {
  const char* label;
  explicit FillBackward(const char* name) : label(name) {}
  const char* name() const override { return label; }
  variable_list apply(variable_list&& grads) override { return {zeros_like(grads[0].as<A>())}; }
};

// Note [In-place ops on views]
// An in-place op on a view changes its base too, so the base's history must change: as PyTorch's
// CopySlices, the base gets a node that takes the base's gradient, hands the view's part of it
// to the op's own backward and puts the result back in place. The view itself then reads its
// history from the base through an as_strided node.
template <class T>
struct CopySlices final : Node {
  Shape base_sizes, base_strides, view_sizes, view_strides;
  int64_t base_offset, view_offset;
  std::shared_ptr<Node> fn;
  CopySlices(const TensorImpl& base, const TensorImpl& view, std::shared_ptr<Node> op)
      : base_sizes(base.sizes), base_strides(base.strides), view_sizes(view.sizes), view_strides(view.strides),
        base_offset(base.offset), view_offset(view.offset), fn(std::move(op)) {}
  TS_NODE_NAME("torch::autograd::CopySlices")
  void release_saved() override {
    Node::release_saved();
    fn->release_saved();
  }
  variable_list apply(variable_list&& grads) override {
    const Tensor<T> g = grads[0].as<T>();
    int64_t end = base_offset + 1, view_end = view_offset + 1;
    for (size_t d = 0; d < base_sizes.size(); ++d) end += (base_sizes[d] - 1) * base_strides[d];
    for (size_t d = 0; d < view_sizes.size(); ++d) view_end += (view_sizes[d] - 1) * view_strides[d];
    Tensor<T> storage = zeros<T>({std::max(end, view_end) - base_offset}, {.device = g.device()});
    Tensor<T> result = storage.as_strided(base_sizes, base_strides, 0);
    result.copy_(g);
    const Tensor<T> grad_slice = storage.as_strided(view_sizes, view_strides, view_offset - base_offset);
    variable_list inner = fn->apply({AnyTensor(grad_slice.clone())});
    variable_list out(next_edges.size());
    if (inner[0].defined()) {
      grad_slice.copy_(cast_grad<T>(inner[0]));
    } else {
      grad_slice.zero_();
    }
    // A view taken now, not `result`: under create_graph, a view taken before the copy into
    // grad_slice would keep the history from before it (second derivatives would miss it).
    out[0] = GradMode::is_enabled() ? storage.as_strided(base_sizes, base_strides, 0) : result;
    for (size_t i = 1; i < inner.size(); ++i) out[i] = std::move(inner[i]);
    return out;
  }
};

#undef TS_RELEASE_SAVED
#undef TS_NODE_NAME

}  // namespace tessera::detail
