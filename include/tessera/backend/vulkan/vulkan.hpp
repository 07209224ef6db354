#pragma once
// The Vulkan backend's public face: whether a GPU can be used through Vulkan by this program.

#include "../../core/allocator.hpp"

namespace tessera::vulkan {

/** How many Vulkan devices this program can use: 0 unless a Vulkan backend is registered. */
inline int device_count() { return ::tessera::detail::registered_device_count(DeviceType::Vulkan); }

/** True when this program can run tensors on `Device::vulkan()`; false, never an error, elsewhere. */
inline bool is_available() { return device_count() > 0; }

}  // namespace tessera::vulkan
