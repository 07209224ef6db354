#pragma once
// Vulkan kernels: the GPU kernels of every family (backend/gpu/gpu_kernels.hpp) launched through
// the Vulkan runtime.

#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "../gpu/gpu_kernels.hpp"
#include "runtime.hpp"

namespace tessera::vulkan::detail {

using ::tessera::detail::PlanKind;

/** What GpuKernels launches through (Note [GPU runtime]). */
struct VulkanRuntime {
  static constexpr DeviceType kType = DeviceType::Vulkan;
  static void dispatch(int device, const gpu::Kernel& kernel, std::span<const uint32_t> spec_constants,
                       std::span<const BufferArg> buffers, const void* push_constants, uint32_t groups_x,
                       uint32_t groups_y, uint32_t groups_z) {
    detail::dispatch(device, kernel, spec_constants, buffers, push_constants, groups_x, groups_y, groups_z);
  }
  static void synchronize(int device) { detail::synchronize(device); }
  static void host_fallback(int device, std::span<const std::pair<const DataPtr*, bool>> tensors) {
    detail::host_fallback(device, tensors);
  }
  static const DataPtr& error_status(int device) { return detail::error_status(device); }
  static bool has_float64(int device) { return detail::has_float64(device); }
  static std::string device_name(int device) { return detail::device_name(device); }
};

using VulkanKernels = gpu::detail::GpuKernels<VulkanRuntime>;

/** How many plans of `family` ran on the host since the program started (Note [Host fallbacks]). */
inline uint64_t host_fallbacks(PlanKind family) { return VulkanKernels::host_fallbacks(family); }

}  // namespace tessera::vulkan::detail
