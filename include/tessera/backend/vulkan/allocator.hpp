#pragma once
// The Vulkan backend's memory: cached buffers of host-visible memory mapped for their lifetime,
// or of device-local memory reached through staging copies (Note [Vulkan memory]), as the
// DeviceAllocator of every Vulkan device.

#include <cstring>
#include <string>

#include "runtime.hpp"

namespace tessera::vulkan {
namespace detail {

/** Frees the buffers cached by every device made so far; buffers that queued work still binds
 *  are freed by the cache once it has finished. */
inline void empty_caches() {
  Runtime& runtime = Runtime::get();
  for (int d = 0; d < runtime.device_count(); ++d) {
    if (Gpu* gpu = runtime.made_gpu(d)) {
      LockGuard lock(gpu->mutex);
      gpu->retire(false);
      gpu->empty_cache();
    }
  }
}

/** Bytes the buffer cache of `device` holds (0 before the device is first used). */
inline size_t cached_bytes(int device) {
  Gpu* gpu = Runtime::get().made_gpu(device);
  if (!gpu) return 0;
  LockGuard lock(gpu->mutex);
  return gpu->cached_bytes;
}

/** Tensor storage on Vulkan devices: a DataPtr's `data` is the buffer's host address (its
 *  mapping, or the shadow of staged memory: Note [Staged memory]) and its `context` the Buffer.
 *  Host access and copies wait only when queued work binds the buffer or a staging copy must run
 *  (Note [Batches]); freeing never waits. */
class VulkanAllocator final : public DeviceAllocator {
 public:
  DataPtr allocate(size_t nbytes, Device device) override {
    Gpu& gpu = Runtime::get().gpu(device.index());
    LockGuard lock(gpu.mutex);
    Buffer* b = gpu.take_buffer(nbytes, true);
    return {b->host(), b, &release, device};
  }
  void* host_address(const DataPtr& data) override {
    Buffer* b = static_cast<Buffer*>(data.context);
    if (!b) {  // memory from_blob wrapped: no record of its use
      synchronize(data.device.index());
      return data.data;
    }
    Gpu& gpu = Runtime::get().gpu(b->device);
    LockGuard lock(gpu.mutex);
    const std::pair<Buffer*, bool> use{b, true};  // the caller may write through the address
    gpu.host_current(std::span(&use, 1));
    return data.data;
  }
  void copy_from_host(const DataPtr& dst, size_t offset, const void* src, size_t nbytes) override {
    Buffer* b = static_cast<Buffer*>(dst.context);
    if (!b) {
      synchronize(dst.device.index());
      if (nbytes) std::memcpy(static_cast<char*>(dst.data) + offset, src, nbytes);
      return;
    }
    Gpu& gpu = Runtime::get().gpu(b->device);
    LockGuard lock(gpu.mutex);
    gpu.write(*b, offset, src, nbytes);
  }
  void copy_to_host(void* dst, const DataPtr& src, size_t offset, size_t nbytes) override {
    Buffer* b = static_cast<Buffer*>(src.context);
    if (!b) {
      synchronize(src.device.index());
      if (nbytes) std::memcpy(dst, static_cast<const char*>(src.data) + offset, nbytes);
      return;
    }
    Gpu& gpu = Runtime::get().gpu(b->device);
    LockGuard lock(gpu.mutex);
    gpu.read(*b, offset, dst, nbytes);
  }
  int device_count() override { return detail::device_count(); }
  std::string no_device_reason() override {
    return "no Vulkan device found (" + Runtime::get().absence() +
           "): install a Vulkan driver (on Debian: mesa-vulkan-drivers for a CPU device) or use the CPU";
  }
  void empty_cache() override { empty_caches(); }

 private:
  static void release(void*, void* context) {
    Buffer* b = static_cast<Buffer*>(context);
    Gpu& gpu = Runtime::get().gpu(b->device);
    LockGuard lock(gpu.mutex);
    gpu.release_buffer(b);
  }
};

}  // namespace detail

/** Frees the buffers the Vulkan devices keep cached (Note [Vulkan buffer cache]); ts::empty_cache()
 *  does it too. */
inline void empty_cache() { detail::empty_caches(); }

}  // namespace tessera::vulkan
