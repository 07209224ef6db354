#pragma once
// Device memory as storage sees it: a data pointer that knows its device and how to free
// itself, and the allocator each device type registers.

#include <cstddef>
#include <cstring>
#include <string>

#include "device.hpp"
#include "error.hpp"

namespace tessera {

/** Bytes on a device: `data` is their address as the device's kernels take it (a host address
 *  on the CPU and on unified memory), `deleter(data, context)` frees them. */
struct DataPtr {
  void* data = nullptr;
  void* context = nullptr;
  void (*deleter)(void* data, void* context) = nullptr;
  Device device;
};

// Note [Host access]
// Code outside a backend reads or writes tensor bytes only through Storage::host_data()
// (Tensor::data_ptr(), item(), to_vector(), printing, the Eigen, npy, safetensors and IDX
// code). On the CPU it is the data pointer itself. Another device makes its bytes readable
// and writable on the host there: a GPU backend waits for the work queued on them, on memory
// the host maps (unified memory), or brings a host copy up to date and uploads it before the
// next kernel that uses it (Vulkan's staged memory, Note [Staged memory]); `to(Device::cpu())`
// copies from any memory.
// Kernels never call it: they run where the bytes live.

/** What a device type other than the CPU provides to storage: memory, host access and copies to
 *  and from the host. A backend registers one per device type (register_device_backend). */
class DeviceAllocator {
 public:
  virtual ~DeviceAllocator() = default;
  /** `nbytes` fresh bytes on `device`; throws ts::Error when it cannot. */
  virtual DataPtr allocate(size_t nbytes, Device device) = 0;
  /** The host address of `data`'s bytes, after every write queued on them has finished
   *  (Note [Host access]); throws ts::Error when the memory is not host-visible. */
  virtual void* host_address(const DataPtr& data) = 0;
  /** Copies `nbytes` from host memory into device memory at `offset`. */
  virtual void copy_from_host(const DataPtr& dst, size_t offset, const void* src, size_t nbytes) = 0;
  /** Copies `nbytes` of device memory at `offset` into host memory. */
  virtual void copy_to_host(void* dst, const DataPtr& src, size_t offset, size_t nbytes) = 0;
  /** How many devices of this type can be used. */
  virtual int device_count() = 0;
  /** Why no device of this type can be used and what would give one, when device_count() is 0;
   *  empty for the generic message. */
  virtual std::string no_device_reason() { return {}; }
  /** Frees the memory this allocator keeps cached for reuse (ts::empty_cache()); none by default. */
  virtual void empty_cache() {}
};

namespace detail {
inline constinit DeviceAllocator* g_device_allocators[kDeviceTypes] = {};
// The CPU's memory needs no virtual allocator (whose every function each program would compile):
// backend/cpu/allocator.hpp sets this function, and host access and copies are the address and
// memcpy.
using CpuAllocate = DataPtr (*)(size_t nbytes, const char* op);
inline constinit CpuAllocate g_cpu_allocate = nullptr;

/** How many devices of `type` this program can use: 0 when no backend is registered for it. */
inline int registered_device_count(DeviceType type) {
  DeviceAllocator* allocator = g_device_allocators[static_cast<int>(type)];
  return allocator ? allocator->device_count() : 0;
}

/** The allocator registered for `device` (not the CPU), or a ts::Error naming `op` and the device. */
inline DeviceAllocator& device_allocator(Device device, const char* op) {
  DeviceAllocator* allocator = g_device_allocators[static_cast<int>(device.type())];
  if (!allocator) [[unlikely]]
    throw_error(op, ": no ", device_type_name(device.type()), " backend is registered in this program, so ", device,
                " cannot be used",
                device.is_metal() ? " (Metal runs on Apple platforms only, where one file of the program includes "
                                    "<tessera/backend/metal/backend.hpp>: docs/metal.md)"
                                  : "");
  const int count = allocator->device_count();
  if (device.index() >= count) [[unlikely]] {
    if (count == 0)
      if (const std::string reason = allocator->no_device_reason(); !reason.empty())
        throw_error(op, ": ", device, " cannot be used: ", reason);
    throw_error(op, ": ", device, " does not exist (", count, " ", device_type_name(device.type()), " devices)");
  }
  return *allocator;
}

/** `nbytes` fresh bytes on `device`; errors name `op`. */
inline DataPtr allocate_on(Device device, size_t nbytes, const char* op) {
  if (!device.is_cpu()) return device_allocator(device, op).allocate(nbytes, device);
  if (!g_cpu_allocate) [[unlikely]]
    throw_error(op, ": the CPU allocator is not registered (include <tessera/tessera.hpp>)");
  return g_cpu_allocate(nbytes, op);
}

/** Copies `nbytes` from host memory into `dst`'s bytes at `offset`, on any device. */
inline void copy_from_host(const DataPtr& dst, size_t offset, const void* src, size_t nbytes, const char* op) {
  if (!dst.device.is_cpu()) device_allocator(dst.device, op).copy_from_host(dst, offset, src, nbytes);
  else if (nbytes) std::memcpy(static_cast<char*>(dst.data) + offset, src, nbytes);
}

/** Copies `nbytes` of `src`'s bytes at `offset`, on any device, into host memory. */
inline void copy_to_host(void* dst, const DataPtr& src, size_t offset, size_t nbytes, const char* op) {
  if (!src.device.is_cpu()) device_allocator(src.device, op).copy_to_host(dst, src, offset, nbytes);
  else if (nbytes) std::memcpy(dst, static_cast<const char*>(src.data) + offset, nbytes);
}

}  // namespace detail
}  // namespace tessera
