#pragma once
// The random family on a GPU: rand, uniform_, randn, normal_, randint, bernoulli and
// exponential_ plans as launches of random.comp, randperm as a sort of index_sort.comp, with the
// CPU's values bit for bit (float64 normals and exponential draws in double, with f64math.glsl's
// log, sin and cos, which the CPU runs too) (docs/gpu.md, "random"); what it cannot draw stays
// on the host.

#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "../../iter/plan.hpp"
#include "bitonic.hpp"
#include "launch.hpp"

namespace tessera::gpu::detail {

/** random.comp's push constants. */
struct RandomPush {
  uint64_t seed, offset, a, b, c;
  uint32_t n, out_offset, standard, in_offset;
};

// Note [GPU random streams]
// random.comp computes tessera's Philox stream (Note [Random streams]): element i of a plan is
// a function of (plan.seed, plan.offset, i). A plan is drawn on the GPU only when it names one
// of the Philox samplers below by its op ("uniform", "normal", "randint", "bernoulli",
// "randperm") and carries no other generator algorithm: should RandomPlan gain a member
// `algorithm` (an enum whose Philox value is 0, the first enumerator), a plan whose algorithm is
// not 0 runs on the host. Any other op (a sampler added later) runs on the host too.
template <class Plan>
constexpr bool is_philox_plan(const Plan& plan) {
  if constexpr (requires { plan.algorithm; }) {
    if (static_cast<int>(plan.algorithm) != 0) return false;
  }
  const std::string_view op = plan.op;
  return op == "uniform" || op == "normal" || op == "randint" || op == "bernoulli" || op == "randperm" ||
         op == "exponential";
}

// Note [randperm on the GPU]
// randperm orders 0..n-1 by (key, index), the key of i being the 64 bits of block i / 2 that a
// double uniform would take (fill_randperm). index_sort sorts such pairs: OP 2 fills them from
// the Philox stream, each key's top bit flipped so that its signed order is the unsigned order of
// the key, padded to a power of two with (INT64_MAX, i >= n), which sort last; sort_pairs runs
// the bitonic network; OP 3 writes the sorted indices into out. Pairs are a total order, so the
// result is the CPU's, bit for bit.
template <class Runtime>
bool randperm_on_gpu(const ::tessera::detail::RandomPlan& plan) {
  using L = Launch<Runtime>;
  const TensorImpl& out = *plan.out;
  if (out.dtype != DType::Int64 || out.numel >= (int64_t{1} << 30)) return false;
  check_index_range(out, plan.op);
  const uint32_t n = static_cast<uint32_t>(out.numel), p = std::bit_ceil(n);
  const int device = device_of(out);
  const Storage pairs = Storage::allocate(size_t{2} * p * sizeof(int64_t), out.storage.device(), plan.op);
  const Kernel& sort = L::kernel_for("index_sort.i64", plan.op, DType::Int64, device);
  const uint64_t stream[2] = {plan.seed, plan.offset};  // OP 2 reads them from the source buffer
  SortPush push{p, n, 0, 0, 0, p};
  launch_index_sort<Runtime>(device, sort, 2, push, pairs.data_ptr(), p, {.bytes = stream, .nbytes = sizeof stream});
  sort_pairs<Runtime>(device, sort, push, pairs.data_ptr());
  push.src_offset = static_cast<uint32_t>(out.offset);
  launch_index_sort<Runtime>(device, sort, 3, push, out.storage.data_ptr(), n, {.data = &pairs.data_ptr()});
  return true;
}

/** Queues `plan` on the GPU; false when the host must draw it: not a Philox plan
 *  (Note [GPU random streams]), float64 normals and exponential draws on a device without
 *  float64 (they compute in double), a non-contiguous output, normal_'s mean or stddev beyond
 *  2^1000 or not finite for the narrower types (their exact soft arithmetic assumes no
 *  overflow), uniform_'s ends not finite, randperm of 2^30 elements or more. */
template <class Runtime>
bool random_on_gpu(const ::tessera::detail::RandomPlan& plan) {
  const TensorImpl& out = *plan.out;
  if (out.numel == 0) return true;  // nothing to draw, on any device
  if (!is_philox_plan(plan) || !out.contiguous) return false;
  const std::string_view op = plan.op;
  if (op == "randperm") return randperm_on_gpu<Runtime>(plan);
  const DType dtype = out.dtype;
  uint32_t code;
  RandomPush push{plan.seed, plan.offset, 0, 0, 0, 0, 0, 1, 0};
  const int device = device_of(out);
  // random.f64 computes in integers (it needs no shaderFloat64), but float64 variants are
  // Vulkan only (docs/gpu.md): a device without float64 draws them on the host, as before.
  if (dtype == DType::Float64 && !device_has_float64<Runtime>(device)) return false;
  const TensorImpl* probs = nullptr;
  std::string variant(variant_suffix(dtype));
  if (op == "exponential") {  // c log(1 - u) in double, c = -1 / lambd as the CPU computes it
    if (!is_float_dtype(dtype) || !device_has_float64<Runtime>(device)) return false;
    code = 4;
    push.a = bits_of(-1.0 / plan.lambd);
    if (dtype != DType::Float64) variant += "_dmath";
  } else if (op == "normal" && dtype == DType::Float64) {  // Box-Muller in double, as fill_normal<double>
    code = 1;
    push.a = bits_of(plan.mean), push.b = bits_of(plan.stddev), push.standard = 0;
  } else if (op == "uniform") {
    if (!is_float_dtype(dtype)) return false;
    code = 0;
    if (plan.from != 0 || plan.to != 1) {  // uniform_(from, to): from + (to - from) * u
      const double span = plan.to - plan.from;
      if (!std::isfinite(plan.from) || !std::isfinite(span)) return false;
      push.a = bits_of(plan.from), push.b = bits_of(span), push.standard = 0;
    }
  } else if (op == "normal") {
    if (!is_float_dtype(dtype)) return false;
    const bool finite = std::isfinite(plan.mean) && std::isfinite(plan.stddev);
    if (!finite || std::abs(plan.mean) >= 0x1p1000 || std::abs(plan.stddev) >= 0x1p1000) return false;
    code = 1;
    push.a = bits_of(plan.mean), push.b = bits_of(plan.stddev);
    push.standard = plan.mean == 0.0 && plan.stddev == 1.0;  // as random_groups decides
  } else if (op == "bernoulli") {  // Note [Bernoulli in integers]
    code = 3;
    if (plan.input) {
      probs = plan.input;
      if (!probs->contiguous || probs->dtype != dtype || !is_float_dtype(dtype) || probs->numel != out.numel) return false;
      check_index_range(*probs, plan.op);
      push.b = 1, push.in_offset = static_cast<uint32_t>(probs->offset);
    } else {
      if (!(plan.p >= 0 && plan.p <= 1)) return false;
      push.a = static_cast<uint64_t>(std::ceil(std::ldexp(plan.p, 53)));  // exact: p 2^53 <= 2^53
    }
  } else {  // randint: any output type, Lemire's threshold as bounded_u64 computes it
    if (plan.range == 0) return false;
    code = 2;
    push.a = static_cast<uint64_t>(plan.low), push.b = plan.range, push.c = (0 - plan.range) % plan.range;
  }
  check_index_range(out, plan.op);
  push.n = static_cast<uint32_t>(out.numel);
  push.out_offset = static_cast<uint32_t>(out.offset);
  // Threads: one per block of four uniforms or normals (two for float64 and bernoulli), or per
  // randint element; the kernel strides over what 65535 groups do not cover.
  const uint64_t n = push.n;
  const uint64_t units = code == 2 ? n : (dtype == DType::Float64 || code == 3 || code == 4) ? (n + 1) / 2 : (n + 3) / 4;
  const Kernel& kernel = Launch<Runtime>::kernel_for("random." + variant, plan.op, dtype, device);
  // p_buf, a placeholder when the plan reads no probabilities
  const BufferArg p_arg = probs ? BufferArg{.data = &probs->storage.data_ptr()} : placeholder_buffer();
  const uint32_t groups = static_cast<uint32_t>((units + 255) / 256);
  const BufferArg out_arg{.data = &out.storage.data_ptr()};
  if (kernel.num_buffers == 1)  // integer variants read no probabilities: p_buf is compiled out
    Launch<Runtime>::launch_groups(device, kernel, {{0, code}}, {out_arg}, &push, groups);
  else
    Launch<Runtime>::launch_groups(device, kernel, {{0, code}}, {out_arg, p_arg}, &push, groups);
  return true;
}

}  // namespace tessera::gpu::detail
