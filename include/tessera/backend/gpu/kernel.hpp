#pragma once
// A GPU kernel variant as the generator writes it: SPIR-V for Vulkan, MSL for Metal, and the
// reflection a host needs to bind and launch it (docs/gpu.md).

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tessera {
struct DataPtr;
}

namespace tessera::gpu {

/** One storage buffer of a kernel: its Vulkan binding (descriptor set 0) and its Metal index. */
struct KernelBuffer {
  std::string_view name;  // the buffer block's instance name in the GLSL source
  uint32_t binding;       // layout(binding = n) in set 0
  uint32_t metal_index;   // [[buffer(n)]] in the MSL
  bool writable;          // false when the GLSL declares it readonly
};

/** One kernel variant: a compute shader compiled for one set of element types. Its
 *  specialization constants (Metal function constants of the same ids) pick the op within the
 *  family when the pipeline is created; its push-constant block carries sizes and scalars. */
struct Kernel {
  std::string_view name;           // "<family>.<variant>", e.g. "binary.f32"
  const uint32_t* spirv;           // the validated SPIR-V module
  size_t spirv_words;
  std::string_view msl;            // the MSL translation; empty for Vulkan-only variants (float64)
  std::string_view spirv_entry;    // entry point in the SPIR-V ("main")
  std::string_view msl_entry;      // entry point in the MSL ("main0")
  uint32_t local_size[3];          // threads per workgroup (threadgroup on Metal)
  const KernelBuffer* buffers;     // in binding order
  uint32_t num_buffers;
  uint32_t push_constant_bytes;    // size of the push-constant block, 0 when there is none
  uint32_t push_constant_metal_index;  // its [[buffer(n)]] in the MSL (set with setBytes)
  const uint32_t* spec_constant_ids;   // constant_id of each specialization constant
  uint32_t num_spec_constants;
};

/** One buffer of a launch, in the kernel's buffer order. */
struct BufferArg {
  const DataPtr* data = nullptr;  // a tensor's storage on the device, bound whole at offset 0
  const void* bytes = nullptr;    // or small host data (sizes, strides) uploaded for this launch
  size_t nbytes = 0;
};

/** A small zero buffer for a binding the launch does not read (every binding needs a buffer). */
inline BufferArg placeholder_buffer() {
  static constexpr uint32_t words[4] = {};
  return {.bytes = words, .nbytes = sizeof words};
}

}  // namespace tessera::gpu
