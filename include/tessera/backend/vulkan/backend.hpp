#pragma once
// Registers the Vulkan backend: include this header in one translation unit of a program that
// runs tensors on Device::vulkan() (docs/gpu.md). Nothing of Vulkan is loaded until first use.

#include "../dispatch.hpp"
#include "allocator.hpp"
#include "kernels.hpp"  // the kernels of every family: VulkanKernels
#include "vulkan.hpp"

namespace tessera::vulkan::detail {

// Registering stores two pointers: the loader is opened, and the instance made, at the first
// device_count() or allocation (Note [Vulkan loader at run time]).
inline constinit VulkanAllocator g_allocator;
inline constinit VulkanKernels g_kernels;
inline const bool g_registered = (register_device_backend(DeviceType::Vulkan, &g_allocator, &g_kernels),
                                   g_memory_kind = &memory_kind, true);

}  // namespace tessera::vulkan::detail
