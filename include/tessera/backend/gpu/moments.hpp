#pragma once
// var and std on a GPU (glsl/moments.comp, Note [Variance on the GPU]): reductions with a
// correction, float, half and bfloat16 computed in float, float64 in double (Vulkan only).

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "../../iter/plan.hpp"
#include "launch.hpp"

namespace tessera::gpu::detail {

struct MomentsPush {
  uint32_t outputs, reduced, in_offset, out_offset, inv_n_lo, inv_n_hi, divisor_lo, divisor_hi;
};

/** Launches a var or std plan (the correction in plan.scalar), or returns false when the host
 *  must run it: another op, or a layout the reduction helpers never make. */
template <class Runtime>
bool moments_on_gpu(const ::tessera::detail::ReductionPlan& plan) {
  const TensorImpl& out = *plan.out;
  const TensorImpl& in = *plan.input;
  const std::string_view op = plan.op;
  if ((op != "var" && op != "std") || plan.indices || !is_float_dtype(out.dtype) || in.dtype != out.dtype ||
      !out.contiguous)
    return false;
  if (out.numel == 0) return true;
  check_index_range(in, plan.op);
  check_index_range(out, plan.op);
  const ::tessera::detail::ReduceLayout& layout = *plan.layout;
  const std::vector<int32_t> meta = reduction_meta(layout);
  // The divisor as the CPU's WelfordReducer computes it, rounded once to the kernel's type.
  const double n = static_cast<double>(layout.reduced);
  const double inv_n = layout.reduced == 0 ? 0.0 : 1.0 / n, divisor = std::max(0.0, n - plan.scalar);
  const bool f64 = out.dtype == DType::Float64;
  const uint64_t inv_bits = f64 ? bits_of(inv_n) : bits_of(static_cast<float>(inv_n));
  const uint64_t div_bits = f64 ? bits_of(divisor) : bits_of(static_cast<float>(divisor));
  const MomentsPush push{static_cast<uint32_t>(layout.outputs), static_cast<uint32_t>(layout.reduced),
                         static_cast<uint32_t>(in.offset),      static_cast<uint32_t>(out.offset),
                         static_cast<uint32_t>(inv_bits),       static_cast<uint32_t>(inv_bits >> 32),
                         static_cast<uint32_t>(div_bits),       static_cast<uint32_t>(div_bits >> 32)};
  const int device = device_of(out);
  const Kernel& kernel = Launch<Runtime>::kernel_for("moments." + std::string(variant_suffix(out.dtype)), plan.op,
                                                     out.dtype, device);
  Launch<Runtime>::launch_groups(device, kernel, {{0, op == "var" ? 0u : 1u}},  // one workgroup per output
                                 {{.data = &out.storage.data_ptr()}, {.data = &in.storage.data_ptr()},
                                  {.bytes = meta.data(), .nbytes = meta.size() * sizeof(int32_t)}},
                                 &push, push.outputs);
  return true;
}

}  // namespace tessera::gpu::detail
