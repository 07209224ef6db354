#pragma once
// GPU kernels behind the device seam: each plan as launches of the generated kernels
// (docs/gpu.md), or as its host kernel for the families and variants that have no GPU kernel
// yet. Written once for every GPU backend; a backend supplies the runtime that launches.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../../core/convert.hpp"
#include "../../parallel/atomic.hpp"
#include "../cpu/range.hpp"
#include "../dispatch.hpp"
#include "index.hpp"
#include "kernels.hpp"
#include "launch.hpp"
#include "moments.hpp"
#include "random.hpp"
#include "scan.hpp"
#include "sort.hpp"
#include "window.hpp"

namespace tessera::gpu::detail {

// Push-constant blocks, as the GLSL declares them (docs/gpu.md lists every family's).
struct FillPush {
  uint32_t lo, hi, offset, n;
};
struct RangePush {
  uint64_t a, b, c;
  uint32_t offset, n, halfway, pad;
};
struct CopyPush {
  uint32_t n, out_offset, in_offset;
};
/** The most workgroups a matmul launch has along one dimension of its grid: the
 *  maxComputeWorkGroupCount every Vulkan device supports. A variable so that a test can split
 *  small products into several launches. */
inline uint32_t matmul_max_groups = 65535;

struct MatmulPush {
  uint32_t m, n, k;
  uint32_t a_offset, a_batch, a_row, a_col;
  uint32_t b_offset, b_batch, b_row, b_col;
  uint32_t out_offset, out_batch, out_row, out_col;
};
struct SoftmaxPush {
  uint32_t rows, len, in_offset, out_offset, in_stride, out_stride;
};
struct ReducePush {
  uint32_t outputs, reduced, in_offset, out_offset, idx_offset;
};
struct ElementwisePush {
  uint32_t n, out_offset, a_offset, b_offset, w_offset, scalar_lo, scalar_hi;
};

// Note [Elementwise op codes]
// The OP specialization constant of elementwise.comp, by the plan's op name, with what the
// kernels support; docs/gpu.md has the same table. Any op not listed runs on the host.
// clamp's bounds travel in the unary kernel's scalar (min) and b_offset, w_offset (max), with
// SCALAR_AT saying which are given (Note [clamp on the GPU] in elementwise.comp), and so do
// nan_to_num's values (for NaN, +inf, -inf).
enum ElementwiseFlags : uint32_t {
  kCompare = 1,      // the compare family: writes bool, computes in the promoted type
  kPredicate = 2,    // unary, writes bool
  kFloating = 4,     // the result is floating (an integer input computes in float32)
  kNoInteger = 16,   // no integer or bool kernel
  kBoolOk = 32,      // has a bool kernel (or, and, identities)
  kIntegerOnly = 64, // no floating kernel (gcd, lcm, the shifts)
  kParameter = 128,  // the plan's scalar is a parameter, not an operand (logit's eps, polygamma's n)
  kMath = 256,       // in the unary_math and binary_math families (Note [Math variants])
};
struct ElementwiseOp {
  std::string_view name;
  int arity;
  uint32_t code;
  uint32_t flags;
};
// clang-format off
inline constexpr ElementwiseOp kElementwiseOps[] = {
    {"neg", 1, 0, 0}, {"abs", 1, 1, kBoolOk}, {"sign", 1, 2, kBoolOk}, {"floor", 1, 3, kBoolOk},
    {"ceil", 1, 4, kBoolOk}, {"round", 1, 5, kBoolOk}, {"relu", 1, 6, kBoolOk},
    {"sqrt", 1, 7, kFloating}, {"rsqrt", 1, 8, kFloating},
    {"exp", 1, 9, kFloating}, {"expm1", 1, 10, kFloating},
    {"log", 1, 11, kFloating}, {"log1p", 1, 12, kFloating},
    {"log2", 1, 13, kFloating}, {"sin", 1, 14, kFloating},
    {"cos", 1, 15, kFloating}, {"tan", 1, 16, kFloating},
    {"tanh", 1, 17, kFloating}, {"sigmoid", 1, 18, kFloating},
    {"gelu", 1, 19, kFloating}, {"softplus", 1, 20, kFloating},
    {"isnan", 1, 21, kPredicate}, {"isinf", 1, 22, kPredicate}, {"isfinite", 1, 23, kPredicate},
    {"logical_not", 1, 24, kPredicate}, {"clamp", 1, 25, 0},
    {"trunc", 1, 26, 0}, {"frac", 1, 27, kNoInteger}, {"reciprocal", 1, 28, kFloating},
    {"exp2", 1, 29, kFloating}, {"log10", 1, 30, kFloating},
    {"asin", 1, 31, kFloating}, {"acos", 1, 32, kFloating},
    {"atan", 1, 33, kFloating}, {"sinh", 1, 34, kFloating},
    {"cosh", 1, 35, kFloating}, {"asinh", 1, 36, kFloating},
    {"acosh", 1, 37, kFloating}, {"atanh", 1, 38, kFloating},
    {"signbit", 1, 39, kPredicate}, {"erf", 1, 40, kFloating},
    {"erfc", 1, 41, kFloating}, {"bitwise_not", 1, 42, kBoolOk}, {"sgn", 1, 2, kBoolOk},
    {"sinc", 1, 43, kFloating}, {"logit", 1, 44, kFloating | kParameter},
    {"nan_to_num", 1, 45, kNoInteger | kParameter},
    {"erfinv", 1, 46, kFloating | kMath}, {"lgamma", 1, 47, kFloating | kMath},
    {"digamma", 1, 48, kFloating | kMath},
    {"frexp", 1, 49, kNoInteger}, {"frexp_exponent", 1, 50, kNoInteger},
    {"i0", 1, 51, kFloating | kMath}, {"special_i1", 1, 52, kFloating | kMath},
    {"polygamma", 1, 53, kFloating | kMath | kParameter},
    {"add", 2, 0, kBoolOk}, {"sub", 2, 1, 0}, {"mul", 2, 2, kBoolOk}, {"div", 2, 3, kFloating},
    {"pow", 2, 4, 0}, {"remainder", 2, 5, 0}, {"fmod", 2, 6, 0},
    {"floor_divide", 2, 7, 0}, {"minimum", 2, 8, kBoolOk}, {"maximum", 2, 9, kBoolOk},
    {"threshold_backward", 2, 10, kBoolOk},
    {"eq", 2, 11, kCompare}, {"ne", 2, 12, kCompare}, {"lt", 2, 13, kCompare}, {"le", 2, 14, kCompare},
    {"gt", 2, 15, kCompare}, {"ge", 2, 16, kCompare}, {"logical_and", 2, 17, kCompare},
    {"logical_or", 2, 18, kCompare}, {"masked_fill_", 2, 19, kBoolOk},
    {"gelu_backward", 2, 20, kFloating}, {"softplus_backward", 2, 21, kFloating},
    {"atan2", 2, 22, kFloating | kMath}, {"hypot", 2, 23, kFloating | kMath},
    {"logaddexp", 2, 24, kFloating | kMath}, {"copysign", 2, 25, kFloating},
    {"heaviside", 2, 26, kBoolOk}, {"bitwise_and", 2, 27, kBoolOk}, {"bitwise_or", 2, 28, kBoolOk},
    {"bitwise_xor", 2, 29, kBoolOk}, {"gcd", 2, 30, kIntegerOnly}, {"lcm", 2, 31, kIntegerOnly},
    {"bitwise_left_shift", 2, 32, kIntegerOnly}, {"bitwise_right_shift", 2, 33, kIntegerOnly},
    {"logaddexp2", 2, 34, kFloating | kMath}, {"xlogy", 2, 35, kFloating | kMath},
    {"nextafter", 2, 36, kNoInteger | kMath}, {"div_trunc", 2, 37, 0},
    {"igamma", 2, 38, kFloating | kMath}, {"igammac", 2, 39, kFloating | kMath},
    {"where", 3, 0, kBoolOk}, {"lerp", 3, 1, kNoInteger},
};
// clang-format on

inline const ElementwiseOp* find_elementwise_op(std::string_view name) {
  for (const ElementwiseOp& op : kElementwiseOps)
    if (op.name == name) return &op;
  return nullptr;
}

/** Every kernel family of a GPU device: the generated kernels where they exist (docs/gpu.md),
 *  launched through `Runtime` (Note [GPU runtime]). */
template <class Runtime>
class GpuKernels final : public DeviceKernels {
  using Launch = ::tessera::gpu::detail::Launch<Runtime>;

 public:
  /** How many plans of `family` ran on the host since the program started. */
  static uint64_t host_fallbacks(PlanKind family) {
    return host_fallbacks_[static_cast<int>(family)].load(MemoryOrder::Relaxed);
  }

  void elementwise(const ::tessera::detail::ElementwisePlan& plan) override {
    if (plan.out->numel == 0) return;
    if (!elementwise_on_gpu(plan)) host(plan, PlanKind::Elementwise);
  }
  void copy(const ::tessera::detail::CopyPlan& plan) override { copy_values(*plan.out, *plan.input, plan.op); }
  void fill(const ::tessera::detail::FillPlan& plan) override { fill_bits(*plan.out, plan.bits, plan.op); }
  void reduce(const ::tessera::detail::ReductionPlan& plan) override {
    if (!reduce_on_gpu(plan) && !moments_on_gpu<Runtime>(plan)) host(plan, PlanKind::Reduction);
  }
  void rows(const ::tessera::detail::RowPlan& plan) override {
    if (!softmax_on_gpu(plan) && !scan_on_gpu<Runtime>(plan, device_has_float64<Runtime>(device_of(*plan.out))))
      host(plan, PlanKind::Rows);
  }
  void matmul(const ::tessera::detail::MatmulPlan& plan) override {
    if (!matmul_on_gpu(plan)) host(plan, PlanKind::Matmul);
  }
  void random(const ::tessera::detail::RandomPlan& plan) override {
    if (!random_on_gpu<Runtime>(plan)) host(plan, PlanKind::Random);
  }
  void index(const ::tessera::detail::IndexPlan& plan) override {
    if (!index_on_gpu<Runtime>(plan)) host(plan, PlanKind::Index);
  }
  void range(const ::tessera::detail::RangePlan& plan) override {
    if (!range_on_gpu(plan)) host(plan, PlanKind::Range);
  }
  void window(const ::tessera::detail::WindowPlan& plan) override {
    if (!window_on_gpu<Runtime>(plan)) host(plan, PlanKind::Window);
  }
  void sort(const ::tessera::detail::SortPlan& plan) override {
    if (!sort_on_gpu<Runtime>(plan)) host(plan, PlanKind::Sort);
  }

 private:
  template <class Plan>
  static void host(const Plan& plan, PlanKind family) {
    // Note [Host fallbacks]: the host kernel reads and writes the buffers' host addresses, after
    // the launches queued on them.
    const int device = plan.out->storage.device().index();
    if constexpr (requires { Runtime::host_fallback(device, std::span<const std::pair<const DataPtr*, bool>>()); }) {
      // The tensors the host kernel reads, and writes (true), for a runtime whose memory the host
      // reaches through copies (Note [GPU runtime]).
      std::array<std::pair<const DataPtr*, bool>, 5> tensors{};
      size_t n = 0;
      const auto use = [&](const TensorImpl* t, bool writes) {
        if (t) tensors[n++] = {&t->storage.data_ptr(), writes};
      };
      use(plan.out, true);
      if constexpr (requires { plan.inputs; })
        for (int k = 0; k < plan.num_inputs; ++k) use(plan.inputs[static_cast<size_t>(k)], false);
      if constexpr (requires { plan.input; }) use(plan.input, false);
      if constexpr (requires { plan.other; }) use(plan.other, false);
      if constexpr (requires { plan.index; }) use(plan.index, false);
      if constexpr (requires { plan.indices; }) use(plan.indices, true);
      Runtime::host_fallback(device, std::span<const std::pair<const DataPtr*, bool>>(tensors.data(), n));
    } else {
      Runtime::synchronize(device);
    }
    plan.run_on_host();
    host_fallbacks_[static_cast<int>(family)].fetch_add(1, MemoryOrder::Relaxed);
  }

  /** Every element of out = the element whose bits are `bits`. */
  static void fill_bits(const TensorImpl& out, uint64_t bits, const char* op) {
    if (out.numel == 0) return;
    const int device = device_of(out);
    if (!out.contiguous) {  // a strided fill is a copy from one broadcast element
      const StridedLayout layout = strided_layout(out, {}, op);
      std::vector<int32_t> meta = layout.meta;
      meta.insert(meta.end(), static_cast<size_t>(meta[0]), 0);  // the value's strides: 0
      const Kernel& kernel = Launch::kernel_for("copy." + std::string(variant_suffix(out.dtype)), op, out.dtype, device);
      const CopyPush push{layout.numel, static_cast<uint32_t>(out.offset), 0};
      Launch::launch(device, kernel, {{1, static_cast<uint32_t>(out.dtype)}},
             {{.data = &out.storage.data_ptr()}, {.bytes = &bits, .nbytes = sizeof bits},
              {.bytes = meta.data(), .nbytes = meta.size() * sizeof(int32_t)}},
             &push, layout.numel);
      return;
    }
    check_index_range(out, op);
    const int64_t size = element_size(out.dtype);
    const Kernel& kernel = Launch::kernel_for("fill.x" + std::to_string(8 * size), op, out.dtype, device);
    const FillPush push{static_cast<uint32_t>(bits), static_cast<uint32_t>(bits >> 32), static_cast<uint32_t>(out.offset),
                        static_cast<uint32_t>(out.numel)};
    Launch::launch(device, kernel, {}, {{.data = &out.storage.data_ptr()}}, &push, push.n);
  }

  static void copy_values(const TensorImpl& out, const TensorImpl& in, const char* op) {
    if (out.numel == 0) return;
    const int device = device_of(out);
    const StridedLayout layout = strided_layout(out, {&in}, op);
    const Kernel& kernel = Launch::kernel_for("copy." + std::string(variant_suffix(out.dtype)), op, out.dtype, device);
    const CopyPush push{layout.numel, static_cast<uint32_t>(out.offset), static_cast<uint32_t>(in.offset)};
    Launch::launch(device, kernel, {{1, static_cast<uint32_t>(in.dtype)}},
           {{.data = &out.storage.data_ptr()}, {.data = &in.storage.data_ptr()},
            {.bytes = layout.meta.data(), .nbytes = layout.meta.size() * sizeof(int32_t)}},
           &push, layout.numel);
  }

  // The kernel for an elementwise plan, or false when the host must run it. The result type R
  // and compute type C follow ops/elementwise.hpp (Note [Elementwise ops]); a variant is
  // launched only when out has the type R (an out= of a wider type runs on the host).
  static bool elementwise_on_gpu(const ::tessera::detail::ElementwisePlan& plan) {
    const ElementwiseOp* op = find_elementwise_op(plan.op);
    const bool masked_fill = op && op->name == "masked_fill_";
    // masked_fill_'s value and an op's parameter are no operands
    const bool scalar_operand = plan.has_scalar && !masked_fill && !(op && (op->flags & kParameter));
    if (!op || op->arity != plan.num_inputs + (scalar_operand ? 1 : 0)) return false;
    const TensorImpl& out = *plan.out;
    const DType a = plan.inputs[0]->dtype;
    const DType b = plan.num_inputs >= 2 ? plan.inputs[1]->dtype : a;
    DType result, compute;
    if (op->arity == 1) {
      if (op->flags & kPredicate) result = DType::Bool, compute = a;
      else if (op->flags & kFloating) result = compute = is_float_dtype(a) ? a : DType::Float32;
      else result = compute = a;
    } else if (op->arity == 3) {
      result = compute = promote_types(b, plan.inputs[2]->dtype);
    } else if (masked_fill) {
      result = compute = a;
    } else if (scalar_operand) {
      // The scalar's own type is not in the plan: out has the result type when it was made
      // for the op or is the tensor operand itself (check_out allowed the result into it).
      if (op->flags & kCompare) {
        result = DType::Bool;
        const bool integral_value = std::nearbyint(plan.scalar) == plan.scalar;
        compute = is_float_dtype(a) || integral_value ? a : DType::Float32;
        if (a == DType::Bool) compute = integral_value ? DType::Int64 : DType::Float32;
      } else {
        if (!plan.fresh_out && out.dtype != a) return false;
        result = compute = out.dtype;
      }
    } else {
      const DType promoted = promote_types(a, b);
      if (op->flags & kCompare) result = DType::Bool, compute = promoted;
      else if (op->flags & kFloating) result = compute = is_float_dtype(promoted) ? promoted : DType::Float32;
      else result = compute = promoted;
    }
    if (out.dtype != result) return false;
    const bool compute_float = is_float_dtype(compute);
    if (!compute_float && (op->flags & kNoInteger)) return false;
    if (compute_float && (op->flags & kIntegerOnly)) return false;
    if (compute == DType::Bool && !(op->flags & (kBoolOk | kCompare | kPredicate))) return false;
    // Note [Input types of a variant]: a float32-class kernel reads no float64, an integer one
    // no float (promotion guarantees it; checked so that a surprise runs on the host).
    for (size_t k = 0; k < static_cast<size_t>(plan.num_inputs); ++k) {
      const DType d = plan.inputs[k]->dtype;
      if (op->flags & kPredicate) break;
      if (d == DType::Float64 && compute != DType::Float64) return false;
      if (is_float_dtype(d) && !compute_float && !(op->arity == 3 && k == 0)) return false;
    }
    // The scalar in the compute type (float for half and bfloat16); int64 beyond 2^53 may have
    // lost bits in the plan's double.
    uint64_t scalar = 0;
    if (plan.has_scalar) {
      const DType kind = masked_fill ? a : compute;
      if (kind == DType::Float64) scalar = bits_of(plan.scalar);
      else if (op->name == "logit") scalar = bits_of(rounded_to(out.dtype, plan.scalar));  // eps in the tensor's type, as the CPU's
      else if (is_float_dtype(kind)) scalar = bits_of(static_cast<float>(plan.scalar));
      else if (std::abs(plan.scalar) >= 0x1p53) return false;
      else scalar = static_cast<uint64_t>(static_cast<int64_t>(plan.scalar));
    }
    // Note [clamp on the GPU]: the bounds in the compute type, which a clamp always has (its
    // result is its input's type when out has it, since float results never go into integers).
    uint64_t max_bits = 0;
    uint32_t clamp_given = 0;
    if (op->name == "clamp") {
      if (a == DType::Bool) return false;
      uint64_t bound_bits[2] = {};
      for (unsigned k = 0; k < 2; ++k) {
        if (!plan.has_bound[k]) continue;
        clamp_given |= 1u << k;
        const double v = plan.bounds[k];
        if (compute == DType::Float64) bound_bits[k] = bits_of(v);
        else if (compute_float) bound_bits[k] = bits_of(static_cast<float>(v));
        else if (std::abs(v) >= 0x1p53) return false;
        else bound_bits[k] = static_cast<uint64_t>(static_cast<int64_t>(v));
      }
      scalar = bound_bits[0], max_bits = bound_bits[1];
    } else if (op->name == "nan_to_num" && compute != DType::Float64) {  // the values for +inf and -inf, in the input's type
      max_bits = bits_of(static_cast<float>(plan.bounds[0])) | (bits_of(static_cast<float>(plan.bounds[1])) << 32);
    }
    std::string name;
    if (op->flags & kCompare) {
      name = compute == DType::Float64 ? "compare.f64" : (compute_float ? "compare.f32" : "compare.i64");
    } else {
      name = std::string(op->arity == 1 ? "unary" : (op->arity == 2 ? "binary" : "ternary")) +
             (op->flags & kMath ? "_math." : ".") + std::string(variant_suffix(out.dtype));
    }
    const int device = device_of(out);
    const Kernel& kernel = Launch::kernel_for(name, plan.op, compute, device);
    const TensorImpl* in0 = plan.inputs[0];
    const TensorImpl* in1 = plan.num_inputs >= 2 ? plan.inputs[1] : nullptr;
    const TensorImpl* in2 = plan.num_inputs >= 3 ? plan.inputs[2] : nullptr;
    StridedLayout layout = op->arity == 1   ? strided_layout(out, {in0}, plan.op)
                           : op->arity == 2 ? strided_layout(out, {in0, in1}, plan.op)
                                            : strided_layout(out, {in0, in1, in2}, plan.op);
    if (op->name == "nan_to_num" && compute == DType::Float64) {  // Note [float64 nan_to_num] in elementwise.comp
      for (const double v : plan.bounds) {
        const uint64_t bits = bits_of(v);
        layout.meta.push_back(static_cast<int32_t>(static_cast<uint32_t>(bits)));
        layout.meta.push_back(static_cast<int32_t>(static_cast<uint32_t>(bits >> 32)));
      }
    }
    const uint32_t scalar_at = scalar_operand ? (plan.scalar_first ? 1u : 2u) : clamp_given;
    const ElementwisePush push{layout.numel,
                               static_cast<uint32_t>(out.offset),
                               static_cast<uint32_t>(in0->offset),
                               in1 ? static_cast<uint32_t>(in1->offset) : static_cast<uint32_t>(max_bits),
                               in2 ? static_cast<uint32_t>(in2->offset) : static_cast<uint32_t>(max_bits >> 32),
                               static_cast<uint32_t>(scalar),
                               static_cast<uint32_t>(scalar >> 32)};
    const BufferArg meta{.bytes = layout.meta.data(), .nbytes = layout.meta.size() * sizeof(int32_t)};
    const BufferArg b_arg = in1 ? BufferArg{.data = &in1->storage.data_ptr()} : placeholder_buffer();  // a scalar op's
    const std::initializer_list<std::pair<uint32_t, uint32_t>> spec = {
        {0, op->code},
        {1, static_cast<uint32_t>(a)},
        {2, static_cast<uint32_t>(in1 ? in1->dtype : a)},
        {3, static_cast<uint32_t>(in2 ? in2->dtype : a)},
        {4, static_cast<uint32_t>(compute)},
        {5, scalar_at}};
    const BufferArg out_arg{.data = &out.storage.data_ptr()}, a_arg{.data = &in0->storage.data_ptr()};
    if (op->arity == 1) Launch::launch(device, kernel, spec, {out_arg, a_arg, meta}, &push, layout.numel);
    else if (op->arity == 2) Launch::launch(device, kernel, spec, {out_arg, a_arg, b_arg, meta}, &push, layout.numel);
    else Launch::launch(device, kernel, spec, {out_arg, a_arg, b_arg, {.data = &in2->storage.data_ptr()}, meta}, &push, layout.numel);
    return true;
  }


  // mm and bmm of one dtype (not bool, which they refuse), one workgroup per 64 x 64 block of
  // out (glsl/matmul.comp), the batch along z; more than matmul_max_groups blocks or batches
  // along a dimension are several launches, each on its part of the operands through the push
  // constants' offsets.
  static bool matmul_on_gpu(const ::tessera::detail::MatmulPlan& plan) {
    const TensorImpl& out = *plan.out;
    const TensorImpl& a = *plan.input;
    const TensorImpl& b = *plan.other;
    const std::string_view op = plan.op;
    const size_t nd = op == "bmm" ? 3 : 2;
    if ((op != "mm" && op != "bmm") || out.dtype == DType::Bool || a.dtype != out.dtype || b.dtype != out.dtype ||
        a.sizes.size() != nd || b.sizes.size() != nd || out.sizes.size() != nd)
      return false;
    if (out.numel == 0) return true;
    if (a.numel == 0) {  // k == 0: a sum of no products
      fill_bits(out, 0, plan.op);
      return true;
    }
    check_index_range(a, plan.op);
    check_index_range(b, plan.op);
    check_index_range(out, plan.op);
    const size_t r = nd - 2;  // the row dim
    const auto u = [](int64_t v) { return static_cast<uint32_t>(v); };
    const MatmulPush push{u(a.sizes[r]),      u(b.sizes[r + 1]),   u(a.sizes[r + 1]),
                          u(a.offset),        nd == 3 ? u(a.strides[0]) : 0u, u(a.strides[r]), u(a.strides[r + 1]),
                          u(b.offset),        nd == 3 ? u(b.strides[0]) : 0u, u(b.strides[r]), u(b.strides[r + 1]),
                          u(out.offset),      nd == 3 ? u(out.strides[0]) : 0u, u(out.strides[r]), u(out.strides[r + 1])};
    const uint32_t tile = 64, batches = nd == 3 ? u(a.sizes[0]) : 1u;
    const uint32_t gx = (push.n + tile - 1) / tile, gy = (push.m + tile - 1) / tile, most = matmul_max_groups;
    const int device = device_of(out);
    const Kernel& kernel = Launch::kernel_for("matmul." + std::string(variant_suffix(out.dtype)), plan.op, out.dtype, device);
    std::array<uint32_t, 8> spec{};
    for (uint32_t i = 0; i < kernel.num_spec_constants; ++i)
      if (kernel.spec_constant_ids[i] == 1) spec[i] = static_cast<uint32_t>(a.dtype);
    const BufferArg buffers[] = {{.data = &out.storage.data_ptr()}, {.data = &a.storage.data_ptr()},
                                 {.data = &b.storage.data_ptr()}};
    // Offsets stay below 2^31: check_index_range bounds every element's.
    for (uint32_t z = 0; z < batches; z += most)
      for (uint32_t y = 0; y < gy; y += most)
        for (uint32_t x = 0; x < gx; x += most) {
          const uint32_t row = y * tile, col = x * tile;
          MatmulPush part = push;
          part.m = std::min(push.m - row, most * tile);
          part.n = std::min(push.n - col, most * tile);
          part.a_offset += z * push.a_batch + row * push.a_row;
          part.b_offset += z * push.b_batch + col * push.b_col;
          part.out_offset += z * push.out_batch + row * push.out_row + col * push.out_col;
          Runtime::dispatch(device, kernel, std::span<const uint32_t>(spec.data(), kernel.num_spec_constants), buffers,
                            &part, std::min(gx - x, most), std::min(gy - y, most), std::min(batches - z, most));
        }
    return true;
  }

  // softmax and log_softmax of float, half and bfloat16 results; float64 runs on the host (GLSL
  // has no double exp or log).
  static bool softmax_on_gpu(const ::tessera::detail::RowPlan& plan) {
    const TensorImpl& out = *plan.out;
    const TensorImpl& in = *plan.input;
    const std::string_view op = plan.op;
    if ((op != "softmax" && op != "log_softmax") || !is_float_dtype(out.dtype)) return false;
    // The float variants read no float64 (Note [Input types of a variant]).
    if (in.dtype == DType::Float64 && out.dtype != DType::Float64) return false;
    if (out.numel == 0) return true;
    check_index_range(in, plan.op);
    check_index_range(out, plan.op);
    const bool scalar = in.sizes.empty();
    const size_t dim = scalar ? 0 : static_cast<size_t>(plan.dim);
    const int64_t len = scalar ? 1 : in.sizes[dim];
    const std::vector<int32_t> meta = row_meta({&out, &in}, dim);  // the rows (docs/gpu.md)
    const SoftmaxPush push{static_cast<uint32_t>(in.numel / len),
                           static_cast<uint32_t>(len),
                           static_cast<uint32_t>(in.offset),
                           static_cast<uint32_t>(out.offset),
                           scalar ? 1u : static_cast<uint32_t>(in.strides[dim]),
                           scalar ? 1u : static_cast<uint32_t>(out.strides[dim])};
    const int device = device_of(out);
    const Kernel& kernel = Launch::kernel_for("softmax." + std::string(variant_suffix(out.dtype)), plan.op, out.dtype, device);
    Launch::launch_groups(device, kernel, {{0, op == "softmax" ? 0u : 1u}, {1, static_cast<uint32_t>(in.dtype)}},
                  {{.data = &out.storage.data_ptr()}, {.data = &in.storage.data_ptr()},
                   {.bytes = meta.data(), .nbytes = meta.size() * sizeof(int32_t)}},
                  &push, push.rows);  // one workgroup per row
    return true;
  }

  // reduce.comp's OP by the plan's op name; var, std and logsumexp's parts not listed run on
  // the host (var and std accumulate in double, which Metal has not).
  static bool reduce_on_gpu(const ::tessera::detail::ReductionPlan& plan) {
    const TensorImpl& out = *plan.out;
    const TensorImpl& in = *plan.input;
    const std::string_view op = plan.op;
    uint32_t code;
    if (plan.indices) code = op.find("max") != std::string_view::npos ? 8 : 9;
    else if (op == "sum") code = 0;
    else if (op == "mean") code = 1;
    else if (op == "prod") code = 2;
    else if (op == "amax" || op == "max") code = 3;
    else if (op == "amin" || op == "min") code = 4;
    else if (op == "all") code = 5;
    else if (op == "any") code = 6;
    else if (op == "norm") code = 7;
    else return false;
    if (!out.contiguous || (plan.indices && !plan.indices->contiguous)) return false;
    // Note [Input types of a variant]: floats into float outputs, integers into integer ones.
    const bool out_float = is_float_dtype(out.dtype), in_float = is_float_dtype(in.dtype);
    if (out.dtype != DType::Bool && ((in_float && !out_float) || (in.dtype == DType::Float64 && out.dtype != DType::Float64)))
      return false;
    if (out.numel == 0) return true;
    check_index_range(in, plan.op);
    check_index_range(out, plan.op);
    const ::tessera::detail::ReduceLayout& layout = *plan.layout;
    const std::vector<int32_t> meta = reduction_meta(layout);
    const int device = device_of(out);
    const Kernel& kernel = Launch::kernel_for("reduce." + std::string(variant_suffix(out.dtype)), plan.op, out.dtype, device);
    const ReducePush push{static_cast<uint32_t>(layout.outputs), static_cast<uint32_t>(layout.reduced),
                          static_cast<uint32_t>(in.offset), static_cast<uint32_t>(out.offset),
                          plan.indices ? static_cast<uint32_t>(plan.indices->offset) : 0u};
    const BufferArg indices = plan.indices ? BufferArg{.data = &plan.indices->storage.data_ptr()} : placeholder_buffer();
    const std::initializer_list<std::pair<uint32_t, uint32_t>> spec = {{0, code}, {1, static_cast<uint32_t>(in.dtype)}};
    Launch::launch_groups(device, kernel, spec,  // one workgroup per output
                  {{.data = &out.storage.data_ptr()}, indices, {.data = &in.storage.data_ptr()},
                   {.bytes = meta.data(), .nbytes = meta.size() * sizeof(int32_t)}},
                  &push, push.outputs);
    return true;
  }

  // range.comp's constants, computed as backend/cpu/range.hpp computes them. False when the
  // plan needs the host (logspace: its power is in double; values beyond the type's range).
  static bool range_on_gpu(const ::tessera::detail::RangePlan& plan) {
    using ::tessera::detail::convert;
    const TensorImpl& out = *plan.out;
    const std::string_view op = plan.op;
    if (op != "arange" && op != "linspace") return false;
    if (out.numel == 0) return true;
    const int device = device_of(out);
    if (op == "linspace" && out.numel == 1) {
      fill_bits(out, value_bits(plan.start, out.dtype), plan.op);  // convert<T>(start), as the CPU writes it
      return true;
    }
    check_index_range(out, plan.op);
    const int64_t n = out.numel;
    RangePush push{0, 0, 0, static_cast<uint32_t>(out.offset), static_cast<uint32_t>(n), static_cast<uint32_t>(n / 2), 0};
    const bool ok = dispatch(out.dtype, [&](auto t) {
      using T = typename decltype(t)::type;
      if (op == "arange") {
        if constexpr (std::is_integral_v<T>) {
          push.a = static_cast<uint64_t>(plan.int_start), push.b = static_cast<uint64_t>(plan.int_step);
          return true;
        } else {
          push.a = bits_of(plan.start), push.b = bits_of(plan.step);
          return std::isfinite(plan.start) && std::isfinite(plan.step);
        }
      }
      double s, e, step;  // linspace
      if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) {
        using ::tessera::detail::round_op;
        const T ts = convert<T>(plan.start), te = convert<T>(plan.end);
        const T tstep = round_op<T>(float(round_op<T>(float(te) - float(ts))) / float(T(static_cast<float>(n - 1))));
        s = float(ts), e = float(te), step = float(tstep);
        // T(float(k)) must stay finite for every multiple of the step the kernel forms.
        if (std::is_same_v<T, half> && n > 65504) return false;
      } else {
        using Step = std::conditional_t<std::is_integral_v<T>, double, T>;
        const Step ss = static_cast<Step>(convert<T>(plan.start)), se = static_cast<Step>(convert<T>(plan.end));
        const Step sstep = (se - ss) / static_cast<Step>(n - 1);
        s = static_cast<double>(ss), e = static_cast<double>(se), step = static_cast<double>(sstep);
      }
      push.a = bits_of(s), push.b = bits_of(step), push.c = bits_of(e);
      return std::isfinite(s) && std::isfinite(e) && std::isfinite(step);  // Note [Soft rounding]
    });
    if (!ok) return false;
    const Kernel& kernel = Launch::kernel_for("range." + std::string(variant_suffix(out.dtype)), plan.op, out.dtype, device);
    Launch::launch(device, kernel, {{0, op == "arange" ? 0u : 1u}}, {{.data = &out.storage.data_ptr()}}, &push, push.n);
    return true;
  }

  // Note [Host fallbacks]
  // A plan that no GPU kernel runs yet (a family without kernels, or a variant such as logspace)
  // runs its CPU kernel on the tensors' host addresses after the queue drains: mapped device
  // memory, or host copies the runtime brings up to date first and uploads again before the next
  // launch that binds them (host_fallback, Note [GPU runtime]). Tests read the counts
  // to check that a family they expect on the GPU did not quietly fall back.
  static inline Atomic<uint64_t> host_fallbacks_[kKernelFamilies] = {};
};

}  // namespace tessera::gpu::detail
