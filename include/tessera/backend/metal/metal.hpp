#pragma once
// The Metal backend's public face: whether an Apple GPU can be used by this program.

#include "../../core/allocator.hpp"

namespace tessera::metal {

/** How many Metal devices this program can use: 0 unless the Metal backend is registered (it is
 *  compiled on Apple platforms only). */
inline int device_count() { return detail::registered_device_count(DeviceType::Metal); }

/** True when this program can run tensors on `Device::metal()`; false, never an error, elsewhere. */
inline bool is_available() { return device_count() > 0; }

}  // namespace tessera::metal
