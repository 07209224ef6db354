#pragma once
// The random family on a GPU: rand, randn and randint plans as launches of random.comp, with
// the CPU's values bit for bit (docs/gpu.md, "random"); what it cannot draw stays on the host.

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "../../iter/plan.hpp"
#include "launch.hpp"

namespace tessera::gpu::detail {

/** random.comp's push constants. */
struct RandomPush {
  uint64_t seed, offset, a, b, c;
  uint32_t n, out_offset, standard, pad;
};

// Note [GPU random streams]
// random.comp computes tessera's Philox stream (Note [Random streams]): element i of a plan is
// a function of (plan.seed, plan.offset, i). A plan is drawn on the GPU only when it names one
// of the Philox samplers below by its op ("uniform", "normal", "randint") and carries no other
// generator algorithm: should RandomPlan gain a member `algorithm` (an enum whose Philox value
// is 0, the first enumerator), a plan whose algorithm is not 0 runs on the host. Any other op
// (randperm, which sorts; a sampler added later) runs on the host too.
template <class Plan>
constexpr bool is_philox_plan(const Plan& plan) {
  if constexpr (requires { plan.algorithm; }) {
    if (static_cast<int>(plan.algorithm) != 0) return false;
  }
  const std::string_view op = plan.op;
  return op == "uniform" || op == "normal" || op == "randint";
}

/** Queues `plan` on the GPU; false when the host must draw it: not a Philox plan
 *  (Note [GPU random streams]), randperm, float64 normals (GLSL has no double log or sin), a
 *  non-contiguous output, or normal_'s mean or stddev beyond 2^1000 or not finite (the kernel's
 *  exact double arithmetic assumes no overflow). */
template <class Runtime>
bool random_on_gpu(const ::tessera::detail::RandomPlan& plan) {
  const TensorImpl& out = *plan.out;
  if (out.numel == 0) return true;  // nothing to draw, on any device
  if (!is_philox_plan(plan) || !out.contiguous) return false;
  const std::string_view op = plan.op;
  const DType dtype = out.dtype;
  uint32_t code;
  RandomPush push{plan.seed, plan.offset, 0, 0, 0, 0, 0, 1, 0};
  const int device = device_of(out);
  // random.f64 computes in integers (it needs no shaderFloat64), but float64 variants are
  // Vulkan only (docs/gpu.md): a device without float64 draws them on the host, as before.
  if (dtype == DType::Float64 && !Runtime::has_float64(device)) return false;
  if (op == "uniform") {
    if (!is_float_dtype(dtype)) return false;
    code = 0;
  } else if (op == "normal") {
    if (!is_float_dtype(dtype) || dtype == DType::Float64) return false;
    const bool finite = std::isfinite(plan.mean) && std::isfinite(plan.stddev);
    if (!finite || std::abs(plan.mean) >= 0x1p1000 || std::abs(plan.stddev) >= 0x1p1000) return false;
    code = 1;
    push.a = bits_of(plan.mean), push.b = bits_of(plan.stddev);
    push.standard = plan.mean == 0.0 && plan.stddev == 1.0;  // as random_groups decides
  } else {  // randint: any output type, Lemire's threshold as bounded_u64 computes it
    if (plan.range == 0) return false;
    code = 2;
    push.a = static_cast<uint64_t>(plan.low), push.b = plan.range, push.c = (0 - plan.range) % plan.range;
  }
  check_index_range(out, plan.op);
  push.n = static_cast<uint32_t>(out.numel);
  push.out_offset = static_cast<uint32_t>(out.offset);
  // Threads: one per block of four uniforms or normals (two uniforms for float64), or per
  // randint element; the kernel strides over what 65535 groups do not cover.
  const uint64_t n = push.n;
  const uint64_t units = code == 2 ? n : dtype == DType::Float64 ? (n + 1) / 2 : (n + 3) / 4;
  const Kernel& kernel =
      Launch<Runtime>::kernel_for("random." + std::string(variant_suffix(dtype)), plan.op, dtype, device);
  Launch<Runtime>::launch_groups(device, kernel, {{0, code}}, {{.data = &out.storage.data_ptr()}}, &push,
                                 static_cast<uint32_t>((units + 255) / 256));
  return true;
}

}  // namespace tessera::gpu::detail
