#pragma once
// Scans on a GPU, one thread per row in the CPU's order: cumsum, cumprod and logcumsumexp
// (glsl/scan.comp), cummax and cummin (glsl/cumextreme.comp). Integer and float64 sums and
// products are the CPU's bits; float, half and bfloat16 ones accumulate in double where the
// device has it (the CPU's bits again), else in float (Note [Float cumsum]); logcumsumexp
// computes in float (float64 in double) as the CPU does, with the GPU's exp and log (f64math's
// for float64); cummax and cummin are the CPU's bits.

#include <cstdint>
#include <string>
#include <vector>

#include "../../iter/plan.hpp"
#include "launch.hpp"

namespace tessera::gpu::detail {

struct ScanPush {
  uint32_t rows, len, in_offset, out_offset, in_stride, out_stride;
};

struct CumextremePush {
  uint32_t rows, len, values_offset, indices_offset, in_offset, values_stride, indices_stride, in_stride;
};

/** Launches a cumsum, cumprod, logcumsumexp, cummax or cummin plan, or returns false for
 *  another op or for one this kernel does not serve. `double_acc` picks the variants that accumulate float, half and bfloat16 sums
 *  and products in double (Vulkan devices with float64). */
template <class Runtime>
bool scan_on_gpu(const ::tessera::detail::RowPlan& plan, bool double_acc) {
  const TensorImpl& out = *plan.out;
  const TensorImpl& in = *plan.input;
  const std::string_view op = plan.op;
  const int extreme = op == "cummax" ? 0 : op == "cummin" ? 1 : -1;
  const int scan = op == "cumsum" ? 0 : op == "cumprod" ? 1 : op == "logcumsumexp" ? 2 : -1;
  if (extreme < 0 && scan < 0) return false;
  const bool float_in = is_float_dtype(in.dtype);
  // The plans' result types: cummax and cummin the input's; cumsum and cumprod int64 for
  // integers and bool, the input's type for floats; logcumsumexp floats only.
  if (out.dtype != (float_in || extreme >= 0 ? in.dtype : DType::Int64)) return false;
  if (scan == 2 && !float_in) return false;
  if (out.numel == 0) return true;
  check_index_range(in, plan.op);
  check_index_range(out, plan.op);
  const bool scalar = in.sizes.empty();
  const size_t dim = scalar ? 0 : static_cast<size_t>(plan.dim);
  const int64_t len = scalar ? 1 : in.sizes[dim];
  const auto rows = static_cast<uint32_t>(in.numel / len);
  const auto stride = [&](const TensorImpl& t) { return scalar ? 1u : static_cast<uint32_t>(t.strides[dim]); };
  const int device = device_of(out);
  if (extreme >= 0) {
    const TensorImpl& indices = *plan.indices;
    check_index_range(indices, plan.op);
    const std::vector<int32_t> meta = row_meta({&out, &indices, &in}, dim);
    const CumextremePush push{rows,
                              static_cast<uint32_t>(len),
                              static_cast<uint32_t>(out.offset),
                              static_cast<uint32_t>(indices.offset),
                              static_cast<uint32_t>(in.offset),
                              stride(out),
                              stride(indices),
                              stride(in)};
    const std::string variant = "cumextreme.x" + std::to_string(8 * element_size(in.dtype));
    const Kernel& kernel = Launch<Runtime>::kernel_for(variant, plan.op, out.dtype, device);
    Launch<Runtime>::launch(device, kernel, {{0, static_cast<uint32_t>(extreme)}, {1, static_cast<uint32_t>(in.dtype)}},
                            {{.data = &out.storage.data_ptr()}, {.data = &indices.storage.data_ptr()},
                             {.data = &in.storage.data_ptr()}, {.bytes = meta.data(), .nbytes = meta.size() * sizeof(int32_t)}},
                            &push, rows);
    return true;
  }
  const std::vector<int32_t> meta = row_meta({&out, &in}, dim);
  const ScanPush push{rows, static_cast<uint32_t>(len), static_cast<uint32_t>(in.offset), static_cast<uint32_t>(out.offset),
                      stride(in), stride(out)};
  std::string variant(variant_suffix(out.dtype));
  if (float_in && out.dtype != DType::Float64 && double_acc && scan != 2) variant += "_dacc";
  const Kernel& kernel = Launch<Runtime>::kernel_for("scan." + variant, plan.op, out.dtype, device);
  Launch<Runtime>::launch(device, kernel, {{0, static_cast<uint32_t>(scan)}, {1, static_cast<uint32_t>(in.dtype)}},
                          {{.data = &out.storage.data_ptr()}, {.data = &in.storage.data_ptr()},
                           {.bytes = meta.data(), .nbytes = meta.size() * sizeof(int32_t)}},
                          &push, rows);
  return true;
}

}  // namespace tessera::gpu::detail
