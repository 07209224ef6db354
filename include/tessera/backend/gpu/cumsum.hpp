#pragma once
// cumsum on a GPU (glsl/cumsum.comp): one thread per row, adding in the CPU's order. Integer
// and float64 sums are the CPU's bits; float, half and bfloat16 accumulate in double where the
// device has it (the CPU's bits again), else in float (Note [Float cumsum]).

#include <cstdint>
#include <string>
#include <vector>

#include "../../iter/plan.hpp"
#include "launch.hpp"

namespace tessera::gpu::detail {

struct CumsumPush {
  uint32_t rows, len, in_offset, out_offset, in_stride, out_stride;
};

/** Launches a cumsum plan, or returns false for another op. `double_sums` picks the variants
 *  that accumulate float, half and bfloat16 in double (Vulkan devices with float64). */
template <class Runtime>
bool cumsum_on_gpu(const ::tessera::detail::RowPlan& plan, bool double_sums) {
  const TensorImpl& out = *plan.out;
  const TensorImpl& in = *plan.input;
  if (std::string_view(plan.op) != "cumsum") return false;
  // The plan's result type: int64 for integers and bool, the input's type for floats.
  const bool float_in = is_float_dtype(in.dtype);
  if (out.dtype != (float_in ? in.dtype : DType::Int64)) return false;
  if (out.numel == 0) return true;
  check_index_range(in, plan.op);
  check_index_range(out, plan.op);
  const bool scalar = in.sizes.empty();
  const size_t dim = scalar ? 0 : static_cast<size_t>(plan.dim);
  // The rows: every dim but `dim`, with the out and in strides (a meta buffer, docs/gpu.md).
  Shape sizes, out_strides, in_strides;
  for (size_t d = 0; d < in.sizes.size(); ++d)
    if (d != dim) sizes.push_back(in.sizes[d]), out_strides.push_back(out.strides[d]), in_strides.push_back(in.strides[d]);
  std::vector<int32_t> meta;
  {
    // Coalesced as strided_layout does: size-1 dims dropped, chaining dims merged.
    std::vector<int64_t> sz, so, si;
    for (size_t d = 0; d < sizes.size(); ++d) {
      if (sizes[d] == 1) continue;
      if (!sz.empty() && so.back() == out_strides[d] * sizes[d] && si.back() == in_strides[d] * sizes[d]) {
        sz.back() *= sizes[d], so.back() = out_strides[d], si.back() = in_strides[d];
      } else {
        sz.push_back(sizes[d]), so.push_back(out_strides[d]), si.push_back(in_strides[d]);
      }
    }
    meta.push_back(static_cast<int32_t>(sz.size()));
    for (int64_t v : sz) meta.push_back(static_cast<int32_t>(v));
    for (int64_t v : so) meta.push_back(static_cast<int32_t>(v));
    for (int64_t v : si) meta.push_back(static_cast<int32_t>(v));
  }
  const int64_t len = scalar ? 1 : in.sizes[dim];
  const CumsumPush push{static_cast<uint32_t>(in.numel / len), static_cast<uint32_t>(len),
                        static_cast<uint32_t>(in.offset),      static_cast<uint32_t>(out.offset),
                        scalar ? 1u : static_cast<uint32_t>(in.strides[dim]),
                        scalar ? 1u : static_cast<uint32_t>(out.strides[dim])};
  const int device = device_of(out);
  std::string variant(variant_suffix(out.dtype));
  if (float_in && out.dtype != DType::Float64 && double_sums) variant += "_dacc";
  const Kernel& kernel = Launch<Runtime>::kernel_for("cumsum." + variant, plan.op, out.dtype, device);
  Launch<Runtime>::launch(device, kernel, {{1, static_cast<uint32_t>(in.dtype)}},
                          {{.data = &out.storage.data_ptr()}, {.data = &in.storage.data_ptr()},
                           {.bytes = meta.data(), .nbytes = meta.size() * sizeof(int32_t)}},
                          &push, push.rows);
  return true;
}

}  // namespace tessera::gpu::detail
