#pragma once
// The Vulkan backend's public face: whether a GPU can be used through Vulkan by this program.

#include <cstdint>

#include "../../core/allocator.hpp"
#include "../../core/config.hpp"

namespace tessera::vulkan {

/** How the host reaches the tensors of a Vulkan device (docs/gpu.md, "Memory"). */
enum class MemoryKind : uint8_t {
  Mapped,  // host-visible memory mapped for the buffer's lifetime: the host reads it in place
  Staged,  // device-local memory the host never maps, reached through staging copies
};

namespace detail {
// Set by the backend's registration (backend.hpp), so that this header needs no Vulkan headers.
using MemoryKindOf = MemoryKind (*)(int device);
inline constinit MemoryKindOf g_memory_kind = nullptr;
}  // namespace detail

/** How many Vulkan devices this program can use: 0 unless a Vulkan backend is registered. */
inline int device_count() { return ::tessera::detail::registered_device_count(DeviceType::Vulkan); }

/** True when this program can run tensors on `Device::vulkan()`; false, never an error, elsewhere. */
inline bool is_available() { return device_count() > 0; }

/** The kind of memory tensors on `Device::vulkan(device)` live in: MemoryKind::Mapped, or
 *  MemoryKind::Staged (device-local memory reached through staging copies: a GPU whose memory the
 *  host cannot map, or any device with TESSERA_VULKAN_MEMORY=staging). */
inline MemoryKind memory_kind(int device = 0) {
  const int count = device_count();
  TS_CHECK(device >= 0 && device < count && detail::g_memory_kind, "memory_kind: ", Device::vulkan(device),
           " does not exist (", count, " vulkan devices)");
  return detail::g_memory_kind(device);
}

}  // namespace tessera::vulkan
