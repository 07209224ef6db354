#pragma once
// The Metal backend's memory: cached MTLBuffers in shared storage (unified memory), as the
// DeviceAllocator of the Metal device. Compiled on Apple platforms only (backend/metal/platform.hpp).

#include "runtime.hpp"

#if TESSERA_METAL

#include <cstring>
#include <string>

namespace tessera::metal {
namespace detail {

/** Frees the buffers the Metal device keeps cached; buffers that queued work still binds are
 *  freed by the cache once it has finished. */
inline void empty_caches() {
  if (Gpu* gpu = Runtime::get().made_gpu(0)) {
    LockGuard lock(gpu->mutex);
    Pool pool;
    gpu->retire(false);
    gpu->empty_cache();
  }
}

/** Bytes the buffer cache of `device` holds. */
inline size_t cached_bytes(int device) {
  Gpu* gpu = Runtime::get().made_gpu(device);
  if (!gpu) return 0;
  LockGuard lock(gpu->mutex);
  return gpu->cached_bytes;
}

// Note [Metal memory]
// Tensors live in MTLBuffers of MTLResourceStorageModeShared: on Apple silicon the CPU and GPU
// share one memory, so a DataPtr's `data` is the buffer's contents() and the host reads and
// writes tensors in place (printing, item(), data_ptr(), to(Device::cpu()) copy nothing across a
// bus, and a family without a GPU kernel runs its CPU kernel on the same bytes). Host access
// only waits for the command buffers that bind the buffer (Note [Metal batches]).
/** Tensor storage on the Metal device: `data` is the buffer's contents, `context` its Buffer. */
class MetalAllocator final : public DeviceAllocator {
 public:
  DataPtr allocate(size_t nbytes, Device device) override {
    Gpu& gpu = Runtime::get().gpu(device.index());
    LockGuard lock(gpu.mutex);
    Buffer* b = gpu.take_buffer(nbytes);
    return {b->contents, b, &release, device};
  }
  void* host_address(const DataPtr& data) override {
    wait_for(data);
    return data.data;
  }
  void copy_from_host(const DataPtr& dst, size_t offset, const void* src, size_t nbytes) override {
    wait_for(dst);
    if (nbytes) std::memcpy(static_cast<char*>(dst.data) + offset, src, nbytes);
  }
  void copy_to_host(void* dst, const DataPtr& src, size_t offset, size_t nbytes) override {
    wait_for(src);
    if (nbytes) std::memcpy(dst, static_cast<const char*>(src.data) + offset, nbytes);
  }
  int device_count() override { return detail::device_count(); }
  std::string no_device_reason() override {
    return "no Metal device found (" + Runtime::get().absence() + "): Metal needs a Mac with a Metal GPU; use the CPU";
  }
  void empty_cache() override { empty_caches(); }

 private:
  static void wait_for(const DataPtr& data) {
    const Buffer* b = static_cast<const Buffer*>(data.context);
    if (!b) return synchronize(data.device.index());  // memory from_blob wrapped: no record of its use
    Gpu& gpu = Runtime::get().gpu(b->device);
    LockGuard lock(gpu.mutex);
    if (b->last_use > gpu.completed || !gpu.failure.empty()) {
      Pool pool;
      gpu.synchronize();
    } else {
      gpu.report_errors();  // reported by a batch the host found finished (Note [Deferred errors])
    }
  }
  static void release(void*, void* context) {
    Buffer* b = static_cast<Buffer*>(context);
    Gpu& gpu = Runtime::get().gpu(b->device);
    LockGuard lock(gpu.mutex);
    gpu.release_buffer(b);
  }
};

}  // namespace detail

/** Frees the buffers the Metal device keeps cached (Note [Metal buffer cache]); ts::empty_cache()
 *  does it too. */
inline void empty_cache() { detail::empty_caches(); }

}  // namespace tessera::metal

#endif  // TESSERA_METAL
