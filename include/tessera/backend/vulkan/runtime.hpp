#pragma once
// The Vulkan runtime: the loader opened at run time, one logical device and compute queue per
// physical device, cached pipelines, command buffers submitted in batches, and the buffers
// tensors live in (docs/gpu.md, "Vulkan runtime").

#ifndef VK_NO_PROTOTYPES
#define VK_NO_PROTOTYPES
#endif
#include <vulkan/vulkan_core.h>

#if defined(_WIN32)
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#else
#include <dlfcn.h>
#endif

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "../../core/config.hpp"
#include "../../core/device.hpp"
#include "../../core/allocator.hpp"
#include "../../parallel/atomic.hpp"
#include "../../parallel/mutex.hpp"
#include "../gpu/deferred_error.hpp"
#include "../gpu/kernel.hpp"
#include "vulkan.hpp"

namespace tessera::vulkan::detail {

using ::tessera::detail::Atomic;
using ::tessera::detail::LockGuard;
using ::tessera::detail::MemoryOrder;
using ::tessera::detail::Mutex;
using ::tessera::vulkan::MemoryKind;

// Note [Vulkan loader at run time]
// No program that includes tessera links against Vulkan: the loader is opened with dlopen
// (LoadLibrary on Windows) the first time a Vulkan device is asked for, and every function comes
// from vkGetInstanceProcAddr or vkGetDeviceProcAddr into the tables below. Without a loader, or
// without a device that has a compute queue and Vulkan 1.1, there are 0 devices, never an error.

// clang-format off
#define TESSERA_VK_INSTANCE_FUNCTIONS(X) \
  X(vkDestroyInstance) X(vkEnumeratePhysicalDevices) X(vkGetPhysicalDeviceProperties) \
  X(vkGetPhysicalDeviceQueueFamilyProperties) X(vkGetPhysicalDeviceMemoryProperties) \
  X(vkGetPhysicalDeviceFeatures2) X(vkEnumerateDeviceExtensionProperties) X(vkCreateDevice) \
  X(vkGetDeviceProcAddr)
#define TESSERA_VK_DEVICE_FUNCTIONS(X) \
  X(vkGetDeviceQueue) X(vkCreateBuffer) X(vkDestroyBuffer) X(vkGetBufferMemoryRequirements) \
  X(vkAllocateMemory) X(vkFreeMemory) X(vkBindBufferMemory) X(vkMapMemory) \
  X(vkCreateShaderModule) X(vkCreateDescriptorSetLayout) X(vkCreatePipelineLayout) \
  X(vkCreateComputePipelines) X(vkCreateDescriptorPool) X(vkResetDescriptorPool) \
  X(vkAllocateDescriptorSets) X(vkUpdateDescriptorSets) X(vkCreateCommandPool) \
  X(vkAllocateCommandBuffers) X(vkBeginCommandBuffer) X(vkEndCommandBuffer) X(vkResetCommandBuffer) \
  X(vkCmdBindPipeline) X(vkCmdBindDescriptorSets) X(vkCmdPushConstants) X(vkCmdDispatch) \
  X(vkCmdPipelineBarrier) X(vkCmdCopyBuffer) X(vkQueueSubmit) X(vkCreateFence) X(vkResetFences) X(vkWaitForFences) \
  X(vkGetFenceStatus)
// clang-format on

#define TESSERA_VK_DECLARE(name) PFN_##name name = nullptr;
struct InstanceFunctions {
  TESSERA_VK_INSTANCE_FUNCTIONS(TESSERA_VK_DECLARE)
};
struct DeviceFunctions {
  TESSERA_VK_DEVICE_FUNCTIONS(TESSERA_VK_DECLARE)
};
#undef TESSERA_VK_DECLARE

/** The name of a VkResult, for error messages. */
inline const char* result_name(VkResult result) {
  switch (result) {
    case VK_SUCCESS: return "VK_SUCCESS";
    case VK_NOT_READY: return "VK_NOT_READY";
    case VK_TIMEOUT: return "VK_TIMEOUT";
    case VK_ERROR_OUT_OF_HOST_MEMORY: return "VK_ERROR_OUT_OF_HOST_MEMORY";
    case VK_ERROR_OUT_OF_DEVICE_MEMORY: return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
    case VK_ERROR_INITIALIZATION_FAILED: return "VK_ERROR_INITIALIZATION_FAILED";
    case VK_ERROR_DEVICE_LOST: return "VK_ERROR_DEVICE_LOST";
    case VK_ERROR_MEMORY_MAP_FAILED: return "VK_ERROR_MEMORY_MAP_FAILED";
    case VK_ERROR_EXTENSION_NOT_PRESENT: return "VK_ERROR_EXTENSION_NOT_PRESENT";
    case VK_ERROR_FEATURE_NOT_PRESENT: return "VK_ERROR_FEATURE_NOT_PRESENT";
    case VK_ERROR_INCOMPATIBLE_DRIVER: return "VK_ERROR_INCOMPATIBLE_DRIVER";
    case VK_ERROR_TOO_MANY_OBJECTS: return "VK_ERROR_TOO_MANY_OBJECTS";
    case VK_ERROR_FRAGMENTED_POOL: return "VK_ERROR_FRAGMENTED_POOL";
    case VK_ERROR_OUT_OF_POOL_MEMORY: return "VK_ERROR_OUT_OF_POOL_MEMORY";
    case VK_ERROR_INVALID_SHADER_NV: return "VK_ERROR_INVALID_SHADER_NV";
    default: return "an unknown VkResult";
  }
}

inline void check(VkResult result, const char* what) {
  if (result != VK_SUCCESS) [[unlikely]]
    ::tessera::detail::throw_error("vulkan: ", what, " failed with ", result_name(result), " (", static_cast<int>(result), ")");
}

/** A Vulkan structure of `type`, every other field zero. */
template <class T>
T make(VkStructureType type) {
  T t{};
  t.sType = type;
  return t;
}

inline bool has_extension(const std::vector<VkExtensionProperties>& extensions, const char* name) {
  return std::any_of(extensions.begin(), extensions.end(),
                     [&](const VkExtensionProperties& e) { return std::strcmp(e.extensionName, name) == 0; });
}

/** A buffer of device memory: the context of a tensor's DataPtr, and of upload and staging
 *  buffers. */
struct Buffer {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  void* mapped = nullptr;  // persistently mapped host address (host-visible memory)
  void* shadow = nullptr;  // staged memory: its host copy (Note [Staged memory]); else null
  size_t capacity = 0;     // the VkBuffer's size
  size_t size = 0;         // the bytes asked for: what a staged buffer's copies move
  int device = 0;
  uint64_t last_use = 0;   // serial of the last batch that binds it (Note [Batches])
  bool host_valid = true;  // staged: the shadow holds the device's bytes (Note [Staged memory])
  bool host_dirty = false; // staged: the shadow may have been written and is to be uploaded

  bool staged() const { return shadow != nullptr; }
  /** The address the host reads and writes: the mapping, or the shadow of staged memory. */
  void* host() const { return shadow ? shadow : mapped; }
};

/** A compute pipeline with its layouts, made once per (kernel name, specialization constants). */
struct Pipeline {
  VkShaderModule module = VK_NULL_HANDLE;
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VkPipeline pipeline = VK_NULL_HANDLE;
};

// Note [Batches]
// Launches (and the copies of staged memory, Note [Staged memory]) are recorded into the command
// buffer of the open batch, each after a memory barrier on the launches and copies before it,
// and the batch is submitted when the host needs a result (synchronize(), which the allocator's
// host access and copies call) or when it holds kBatchLaunches launches and copies. Every
// batch has a serial; a buffer remembers the serial of the last batch that binds it, and the
// batches finish in submission order, so a buffer is idle once `completed` has reached its
// serial. What a batch uses stays alive until its fence signals: its descriptor sets (its own
// pools, reset then), its upload buffers (returned to the cache then) and any tensor memory freed
// while it was queued (kept on `deferred` until then).
struct Batch {
  VkCommandBuffer commands = VK_NULL_HANDLE;
  VkFence fence = VK_NULL_HANDLE;
  std::vector<VkDescriptorPool> pools;
  size_t pool = 0;               // the pool sets come from now
  std::vector<Buffer*> uploads;  // host data of this batch's launches; the last one is being filled
  std::vector<Buffer*> staging;  // staging buffers of this batch's copies into staged memory
  size_t upload_offset = 0;
  uint32_t launches = 0;
  uint64_t serial = 0;
};

/** One physical device with a compute queue, as enumerated (no logical device yet). */
struct PhysicalDevice {
  VkPhysicalDevice handle = VK_NULL_HANDLE;
  VkPhysicalDeviceProperties properties{};
  uint32_t queue_family = 0;
  bool float64 = false;
};

/** A logical device: its queue, pipelines, open and queued batches and buffer cache, all behind
 *  one mutex. Made at the first allocation or launch on it, never destroyed (tensors may outlive
 *  static objects). */
struct Gpu {
  static constexpr uint32_t kBatchLaunches = 128;   // submit a batch this long without waiting
  static constexpr size_t kMaxInFlight = 16;         // batches queued before the host waits for one
  static constexpr uint32_t kSetsPerPool = 64;
  static constexpr uint32_t kBuffersPerSet = 8;      // average; a pool that runs out is followed by another
  static constexpr size_t kUploadBytes = size_t{64} << 10;

  Mutex mutex;
  int index = 0;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue queue = VK_NULL_HANDLE;
  VkCommandPool command_pool = VK_NULL_HANDLE;
  DeviceFunctions vk;
  VkPhysicalDeviceLimits limits{};
  int32_t memory_type = -1;  // of tensors (Note [Vulkan memory]); -1 when there is none usable
  int32_t host_type = -1;    // host-visible and host-coherent: uploads, staging, status words
  MemoryKind kind = MemoryKind::Mapped;
  std::string memory_error;  // why tensors cannot be allocated, when memory_type is -1
  std::string name;

  std::unordered_map<std::string, Pipeline> pipelines;
  Batch* open = nullptr;
  std::deque<Batch*> queued;  // submitted, in submission order
  std::vector<Batch*> spare;
  uint64_t next_serial = 1, completed = 0;

  // Note [Vulkan buffer cache]
  // As on the CPU (Note [CPU block cache]), freed buffers are kept by capacity and handed back
  // for the next request of the same rounded size: creating a buffer and its memory costs far
  // more than a launch. Capacities are powers of two from 256 bytes to 1 MiB, then multiples of
  // 1 MiB; the cache holds at most max_cached bytes; empty_cache() frees it. Staged tensor
  // buffers (Note [Staged memory]) and host-visible ones (uploads, staging) have a free list
  // each, under the same limit; with mapped memory both kinds are the same memory.
  std::unordered_map<size_t, std::vector<Buffer*>> free_buffers, free_staged;
  size_t cached_bytes = 0, max_cached = size_t{1} << 30;
  std::vector<Buffer*> deferred;  // freed while a queued batch still binds them
  size_t live_buffers = 0;        // created and not destroyed, cached ones included

  static size_t capacity_for(size_t nbytes) {
    constexpr size_t kMiB = size_t{1} << 20;
    if (nbytes <= kMiB) return std::bit_ceil(std::max<size_t>(nbytes, 256));
    return (nbytes + kMiB - 1) / kMiB * kMiB;
  }

  /** A new buffer of tensor memory (`staged`: device-local, unmapped, with a host shadow) or of
   *  host-visible memory, mapped. */
  Buffer* create_buffer(size_t capacity, bool staged) {
    const int32_t type = staged ? memory_type : host_type;
    TS_CHECK(type >= 0, "vulkan: ", Device::vulkan(index), " (", name, ") ", memory_error);
    auto info = make<VkBufferCreateInfo>(VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO);
    info.size = capacity;
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    auto record = std::make_unique<Buffer>();
    record->capacity = capacity;
    record->device = index;
    check(vk.vkCreateBuffer(device, &info, nullptr, &record->buffer), "vkCreateBuffer");
    VkMemoryRequirements needs;
    vk.vkGetBufferMemoryRequirements(device, record->buffer, &needs);
    VkResult result = VK_ERROR_OUT_OF_DEVICE_MEMORY;
    if (needs.memoryTypeBits & (1u << type)) {
      auto allocate = make<VkMemoryAllocateInfo>(VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO);
      allocate.allocationSize = needs.size;
      allocate.memoryTypeIndex = static_cast<uint32_t>(type);
      result = vk.vkAllocateMemory(device, &allocate, nullptr, &record->memory);
      if (result == VK_SUCCESS) result = vk.vkBindBufferMemory(device, record->buffer, record->memory, 0);
      if (result == VK_SUCCESS && !staged)
        result = vk.vkMapMemory(device, record->memory, 0, VK_WHOLE_SIZE, 0, &record->mapped);
    }
    if (result == VK_SUCCESS && staged) {
      // Host memory the operating system commits page by page, when the host first touches it.
      record->shadow = ::operator new(capacity, std::align_val_t{64}, std::nothrow);
      if (!record->shadow) result = VK_ERROR_OUT_OF_HOST_MEMORY;
    }
    if (result != VK_SUCCESS) {
      destroy_buffer(record.release(), false);
      check(result, "allocating a buffer");
    }
    ++live_buffers;
    return record.release();
  }

  void destroy_buffer(Buffer* b, bool counted = true) {
    // Freeing the memory unmaps it.
    if (b->buffer) vk.vkDestroyBuffer(device, b->buffer, nullptr);
    if (b->memory) vk.vkFreeMemory(device, b->memory, nullptr);
    if (b->shadow) ::operator delete(b->shadow, std::align_val_t{64});
    if (counted) --live_buffers;
    delete b;
  }

  /** A buffer of at least `nbytes` of tensor memory (`tensor`) or of host-visible memory, from
   *  the cache when it holds one. */
  Buffer* take_buffer(size_t nbytes, bool tensor = false) {
    const bool staged = tensor && kind == MemoryKind::Staged;
    const size_t capacity = capacity_for(nbytes);
    auto& cache = staged ? free_staged : free_buffers;
    Buffer* b = nullptr;
    if (auto it = cache.find(capacity); it != cache.end() && !it->second.empty()) {
      b = it->second.back();
      it->second.pop_back();
      cached_bytes -= capacity;
    } else {
      try {
        b = create_buffer(capacity, staged);
      } catch (const Error&) {
        // Out of memory with buffers cached: free them and try once more.
        if (cached_bytes == 0) throw;
        empty_cache();
        b = create_buffer(capacity, staged);
      }
    }
    // Fresh bytes: the shadow holds them as well as the device does (they are undefined).
    b->size = nbytes;
    b->host_valid = true;
    b->host_dirty = false;
    return b;
  }

  /** Back to the cache, or to `deferred` while a queued batch binds it (Note [Batches]). */
  void release_buffer(Buffer* b) {
    if (b->last_use > completed) {
      deferred.push_back(b);
      return;
    }
    if (cached_bytes + b->capacity > max_cached) return destroy_buffer(b);
    (b->staged() ? free_staged : free_buffers)[b->capacity].push_back(b);
    cached_bytes += b->capacity;
  }

  void empty_cache() {
    for (auto* cache : {&free_buffers, &free_staged}) {
      for (auto& [capacity, buffers] : *cache) {
        for (Buffer* b : buffers) destroy_buffer(b);
        buffers.clear();
      }
    }
    cached_bytes = 0;
  }

  // ---- batches

  /** The batch launches are recorded into, begun when there is none. */
  Batch& open_batch() {
    if (open) return *open;
    retire(false);
    Batch* batch;
    if (!spare.empty()) {
      batch = spare.back();
      spare.pop_back();
    } else {
      auto fresh = std::make_unique<Batch>();
      auto allocate = make<VkCommandBufferAllocateInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO);
      allocate.commandPool = command_pool;
      allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
      allocate.commandBufferCount = 1;
      check(vk.vkAllocateCommandBuffers(device, &allocate, &fresh->commands), "vkAllocateCommandBuffers");
      auto fence = make<VkFenceCreateInfo>(VK_STRUCTURE_TYPE_FENCE_CREATE_INFO);
      check(vk.vkCreateFence(device, &fence, nullptr, &fresh->fence), "vkCreateFence");
      batch = fresh.release();
    }
    auto begin = make<VkCommandBufferBeginInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO);
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    if (const VkResult result = vk.vkBeginCommandBuffer(batch->commands, &begin); result != VK_SUCCESS) {
      spare.push_back(batch);
      check(result, "vkBeginCommandBuffer");
    }
    batch->serial = next_serial++;
    batch->launches = 0;
    open = batch;
    return *batch;
  }

  /** Submits the open batch, if it holds launches. */
  void submit() {
    if (!open || open->launches == 0) return;
    Batch* batch = open;
    open = nullptr;
    // The host reads what the batch's launches and copies wrote once its fence has signalled.
    auto to_host = make<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
    to_host.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    to_host.dstAccessMask = VK_ACCESS_HOST_READ_BIT | VK_ACCESS_HOST_WRITE_BIT;
    vk.vkCmdPipelineBarrier(batch->commands, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                            VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &to_host, 0, nullptr, 0, nullptr);
    VkResult result = vk.vkEndCommandBuffer(batch->commands);
    if (result == VK_SUCCESS) {
      auto submit = make<VkSubmitInfo>(VK_STRUCTURE_TYPE_SUBMIT_INFO);
      submit.commandBufferCount = 1;
      submit.pCommandBuffers = &batch->commands;
      result = vk.vkQueueSubmit(queue, 1, &submit, batch->fence);
    }
    if (result != VK_SUCCESS) {
      // The batch never ran: once the batches before it have finished, what it binds is idle.
      if (!queued.empty()) wait_for(queued.size());
      completed = batch->serial;
      recycle(batch);
      release_deferred();
      check(result, "submitting a batch");
    }
    queued.push_back(batch);
    if (queued.size() > kMaxInFlight) wait_for(queued.size() - kMaxInFlight);
  }

  /** Recycles the queued batches that have finished; with `wait`, waits for all of them. */
  void retire(bool wait) {
    if (wait && !queued.empty()) {
      wait_for(queued.size());
      return;
    }
    while (!queued.empty() && vk.vkGetFenceStatus(device, queued.front()->fence) == VK_SUCCESS) {
      Batch* batch = queued.front();
      queued.pop_front();
      completed = batch->serial;
      recycle(batch);
    }
    release_deferred();
  }

  /** Waits until the first `n` queued batches have finished (one host wait) and recycles them. */
  void wait_for(size_t n) {
    std::vector<VkFence> fences;
    for (size_t i = 0; i < n; ++i) fences.push_back(queued[i]->fence);
    g_host_waits.fetch_add(1, MemoryOrder::Relaxed);
    check(vk.vkWaitForFences(device, static_cast<uint32_t>(fences.size()), fences.data(), VK_TRUE, UINT64_MAX),
          "vkWaitForFences");
    for (size_t i = 0; i < n; ++i) {
      Batch* batch = queued.front();
      queued.pop_front();
      completed = batch->serial;
      recycle(batch);
    }
    release_deferred();
  }

  void recycle(Batch* batch) {
    for (VkDescriptorPool pool : batch->pools) vk.vkResetDescriptorPool(device, pool, 0);
    batch->pool = 0;
    for (Buffer* b : batch->uploads) release_buffer(b);
    batch->uploads.clear();
    for (Buffer* b : batch->staging) release_buffer(b);
    batch->staging.clear();
    batch->upload_offset = 0;
    vk.vkResetFences(device, 1, &batch->fence);
    vk.vkResetCommandBuffer(batch->commands, 0);
    spare.push_back(batch);
  }

  void release_deferred() {
    std::vector<Buffer*> still;
    for (Buffer* b : deferred) {
      if (b->last_use > completed) still.push_back(b);
      else release_buffer(b);
    }
    deferred.swap(still);
  }

  /** Submits the open batch and waits for every queued one; throws what a kernel reported. */
  void synchronize() {
    submit();
    retire(true);
    report_errors();
  }

  // ---- staged memory

  // Note [Staged memory]
  // Device-local memory the host never maps (Note [Vulkan memory]) is reached through staging
  // buffers: host-visible buffers from the cache (Note [Vulkan buffer cache]) that a
  // vkCmdCopyBuffer, recorded into the open batch after a barrier like any launch, fills or
  // empties. Each staged buffer has a host shadow of its capacity (plain host memory, which the
  // operating system commits only where the host touches it); the DataPtr's `data` is the
  // shadow, so host addresses stay put and the CPU kernels of host fallbacks run on it. Two flags
  // say which copy is current:
  //   host_valid  the shadow holds the device's bytes; cleared when a launch binds the buffer
  //               writable (the kernel's reflection says which bindings are) or a copy from the
  //               host is recorded into the device's bytes; a fresh buffer is valid (undefined
  //               on both sides);
  //   host_dirty  the host may have written the shadow (host_address hands out a writable
  //               pointer; a host fallback writes its output): the next launch binding the buffer
  //               first records an upload of the shadow, and clears it. Dirty implies valid.
  // Host access (host_address, a host fallback) downloads a stale shadow: the copy goes into the
  // open batch, so a read after launches costs one wait, as with mapped memory; a valid shadow
  // needs no wait at all. Writes through a host address reach the device at the next launch that
  // binds the buffer; writes made after that launch was queued are not seen (with mapped memory
  // they would race with it), so a pointer is written before the next op on its tensor. copy_to_host downloads just the range asked for, through a staging
  // buffer, without touching the shadow; copy_from_host records an upload of its range without
  // waiting (into the shadow instead while it is dirty). Copies between tensors on the device
  // (clone, contiguous, copy_) are launches and never pass through the host.

  /** Records a copy between two buffers into `batch`, after every launch and copy recorded or
   *  submitted before it. */
  void record_copy(Batch& batch, const Buffer& src, VkDeviceSize src_offset, const Buffer& dst, VkDeviceSize dst_offset,
                   VkDeviceSize size) {
    auto barrier = make<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    vk.vkCmdPipelineBarrier(batch.commands, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                            VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &barrier, 0, nullptr, 0, nullptr);
    const VkBufferCopy region{src_offset, dst_offset, size};
    vk.vkCmdCopyBuffer(batch.commands, src.buffer, dst.buffer, 1, &region);
    ++batch.launches;  // a copy counts towards the batch's length, as a launch does
  }

  /** Records the upload of `bytes` into `dst` at `offset` through a staging buffer, which the
   *  batch frees when it has run. */
  void record_upload(Batch& batch, Buffer& dst, size_t offset, const void* bytes, size_t nbytes) {
    Buffer* s = take_buffer(nbytes);
    s->last_use = batch.serial;
    batch.staging.push_back(s);
    std::memcpy(s->mapped, bytes, nbytes);
    dst.last_use = batch.serial;
    record_copy(batch, *s, 0, dst, offset, nbytes);
    g_staging_copies.fetch_add(1, MemoryOrder::Relaxed);
  }

  /** Before a launch binds staged `b`: uploads its shadow when the host may have written it. */
  void write_back(Batch& batch, Buffer& b) {
    if (!b.host_dirty) return;
    if (b.size) record_upload(batch, b, 0, b.shadow, b.size);
    b.host_dirty = false;
  }

  /** Makes the host addresses of `buffers` hold their bytes (Note [Host access]): waits once
   *  for queued work binding a mapped one, downloads the stale shadows of staged ones in the same
   *  wait; `write` marks what the host may write (Note [Staged memory]). With `wait_all`, waits
   *  for everything queued on the device (synchronize) in any case. */
  void host_current(std::span<const std::pair<Buffer*, bool>> buffers, bool wait_all = false) {
    std::vector<std::pair<Buffer*, Buffer*>> downloads;  // (buffer, its staging buffer)
    bool wait = wait_all;
    try {
      for (const auto& entry : buffers) {  // not a structured binding: clang 14 can't capture one
        Buffer* const b = entry.first;
        if (!b->staged()) {
          wait = wait || b->last_use > completed;
          continue;
        }
        if (b->host_valid || b->size == 0 ||
            std::any_of(downloads.begin(), downloads.end(), [&](const auto& d) { return d.first == b; }))
          continue;
        Batch& batch = open_batch();
        Buffer* s = take_buffer(b->size);
        s->last_use = b->last_use = batch.serial;
        downloads.emplace_back(b, s);
        record_copy(batch, *b, 0, *s, 0, b->size);
        g_staging_copies.fetch_add(1, MemoryOrder::Relaxed);
      }
      if (wait || !downloads.empty()) synchronize();
      else report_errors();  // reported by a batch the host found finished (Note [Deferred errors])
    } catch (...) {
      for (const auto& d : downloads) release_buffer(d.second);
      throw;
    }
    for (const auto& [b, s] : downloads) {
      std::memcpy(b->shadow, s->mapped, b->size);
      release_buffer(s);
    }
    for (const auto& [b, write] : buffers) {
      if (!b->staged()) continue;
      b->host_valid = true;
      b->host_dirty = b->host_dirty || write;
    }
  }

  /** Copies `nbytes` of `b` at `offset` to host memory: from the shadow when it is current, else
   *  through a staging buffer, waiting once. */
  void read(Buffer& b, size_t offset, void* dst, size_t nbytes) {
    if (!b.staged() || b.host_valid || nbytes == 0) {
      const std::pair<Buffer*, bool> one{&b, false};
      host_current(std::span(&one, 1));
      if (nbytes) std::memcpy(dst, static_cast<const char*>(b.host()) + offset, nbytes);
      return;
    }
    Batch& batch = open_batch();
    Buffer* s = take_buffer(nbytes);
    s->last_use = b.last_use = batch.serial;
    record_copy(batch, b, offset, *s, 0, nbytes);
    g_staging_copies.fetch_add(1, MemoryOrder::Relaxed);
    try {
      synchronize();
    } catch (...) {
      release_buffer(s);
      throw;
    }
    std::memcpy(dst, s->mapped, nbytes);
    release_buffer(s);
  }

  /** Copies `nbytes` from host memory into `b` at `offset`: into mapped memory once no queued
   *  work binds it, into a dirty shadow, or as an upload queued after what binds it (no wait). */
  void write(Buffer& b, size_t offset, const void* src, size_t nbytes) {
    if (!b.staged() || b.host_dirty) {
      const std::pair<Buffer*, bool> one{&b, b.staged()};
      host_current(std::span(&one, 1));
      if (nbytes) std::memcpy(static_cast<char*>(b.host()) + offset, src, nbytes);
      return;
    }
    if (nbytes == 0) return;
    Batch& batch = open_batch();
    record_upload(batch, b, offset, src, nbytes);
    b.host_valid = false;
    if (batch.launches >= kBatchLaunches) submit();
  }

  inline static Atomic<uint64_t> g_staging_copies{0};

  // ---- deferred errors (Note [Deferred errors] in backend/gpu/deferred_error.hpp)

  Buffer* status = nullptr;  // the status words, made at their first use, never freed
  DataPtr status_data;

  const DataPtr& error_status() {
    if (!status) {
      Buffer* b = take_buffer(sizeof(gpu::detail::DeferredError));
      std::memset(b->mapped, 0, b->capacity);
      status = b;
      status_data = {b->mapped, b, nullptr, Device::vulkan(index)};
    }
    return status_data;
  }

  /** Throws (and clears) the error the status words hold, once no queued launch may still write
   *  them; the caller holds the mutex. */
  void report_errors() {
    if (!status || status->last_use > completed) return;
    auto* words = static_cast<gpu::detail::DeferredError*>(status->mapped);
    if (words->check == 0) return;
    const gpu::detail::DeferredError error = *words;
    *words = gpu::detail::DeferredError{};
    throw Error(gpu::detail::deferred_error_message(error, Device::vulkan(index)));
  }

  // ---- launches

  Pipeline& pipeline(const gpu::Kernel& kernel, std::span<const uint32_t> spec_constants) {
    std::string key(kernel.name);
    key.push_back('\0');
    key.append(reinterpret_cast<const char*>(spec_constants.data()), spec_constants.size_bytes());
    if (auto it = pipelines.find(key); it != pipelines.end()) return it->second;

    Pipeline p;
    std::vector<VkDescriptorSetLayoutBinding> bindings(kernel.num_buffers);
    for (uint32_t i = 0; i < kernel.num_buffers; ++i) {
      bindings[i].binding = kernel.buffers[i].binding;
      bindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      bindings[i].descriptorCount = 1;
      bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    auto set_info = make<VkDescriptorSetLayoutCreateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO);
    set_info.bindingCount = kernel.num_buffers;
    set_info.pBindings = bindings.data();
    check(vk.vkCreateDescriptorSetLayout(device, &set_info, nullptr, &p.set_layout), "vkCreateDescriptorSetLayout");

    VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, kernel.push_constant_bytes};
    auto layout_info = make<VkPipelineLayoutCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO);
    layout_info.setLayoutCount = 1;
    layout_info.pSetLayouts = &p.set_layout;
    layout_info.pushConstantRangeCount = kernel.push_constant_bytes ? 1 : 0;
    layout_info.pPushConstantRanges = &push;
    check(vk.vkCreatePipelineLayout(device, &layout_info, nullptr, &p.layout), "vkCreatePipelineLayout");

    // The pipeline no longer needs its shader module once made; it is kept with it anyway, as
    // the device keeps everything it made until the process exits.
    auto module_info = make<VkShaderModuleCreateInfo>(VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO);
    module_info.codeSize = kernel.spirv_words * sizeof(uint32_t);
    module_info.pCode = kernel.spirv;
    check(vk.vkCreateShaderModule(device, &module_info, nullptr, &p.module), "vkCreateShaderModule");

    std::vector<VkSpecializationMapEntry> entries(spec_constants.size());
    for (size_t i = 0; i < entries.size(); ++i)
      entries[i] = {kernel.spec_constant_ids[i], static_cast<uint32_t>(i * sizeof(uint32_t)), sizeof(uint32_t)};
    VkSpecializationInfo specialization{static_cast<uint32_t>(entries.size()), entries.data(),
                                        spec_constants.size_bytes(), spec_constants.data()};
    const std::string entry(kernel.spirv_entry);
    auto info = make<VkComputePipelineCreateInfo>(VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO);
    info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    info.stage.module = p.module;
    info.stage.pName = entry.c_str();
    info.stage.pSpecializationInfo = entries.empty() ? nullptr : &specialization;
    info.layout = p.layout;
    check(vk.vkCreateComputePipelines(device, VK_NULL_HANDLE, 1, &info, nullptr, &p.pipeline),
          "creating the pipeline of a kernel");
    return pipelines.emplace(std::move(key), p).first->second;
  }

  VkDescriptorSet descriptor_set(Batch& batch, VkDescriptorSetLayout layout) {
    for (;; ++batch.pool) {
      const bool fresh = batch.pool == batch.pools.size();
      if (fresh) {
        VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kSetsPerPool * kBuffersPerSet};
        auto info = make<VkDescriptorPoolCreateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO);
        info.maxSets = kSetsPerPool;
        info.poolSizeCount = 1;
        info.pPoolSizes = &size;
        VkDescriptorPool pool;
        check(vk.vkCreateDescriptorPool(device, &info, nullptr, &pool), "vkCreateDescriptorPool");
        batch.pools.push_back(pool);
      }
      auto info = make<VkDescriptorSetAllocateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO);
      info.descriptorPool = batch.pools[batch.pool];
      info.descriptorSetCount = 1;
      info.pSetLayouts = &layout;
      VkDescriptorSet set;
      const VkResult result = vk.vkAllocateDescriptorSets(device, &info, &set);
      if (result == VK_SUCCESS) return set;
      // A full pool sends the set to the next one; a set that does not fit a fresh pool never will.
      if (fresh || (result != VK_ERROR_OUT_OF_POOL_MEMORY && result != VK_ERROR_FRAGMENTED_POOL))
        check(result, "vkAllocateDescriptorSets");
    }
  }

  /** Copies `bytes` into the batch's upload memory; returns the buffer and sets `offset`. */
  Buffer* upload(Batch& batch, const void* bytes, size_t nbytes, size_t range, VkDeviceSize& offset) {
    const size_t align = std::max<size_t>(limits.minStorageBufferOffsetAlignment, 16);
    size_t at = (batch.upload_offset + align - 1) / align * align;
    if (batch.uploads.empty() || at + range > batch.uploads.back()->capacity) {
      Buffer* b = take_buffer(std::max(range, kUploadBytes));
      batch.uploads.push_back(b);
      at = 0;
    }
    Buffer* b = batch.uploads.back();
    b->last_use = batch.serial;
    if (nbytes) std::memcpy(static_cast<char*>(b->mapped) + at, bytes, nbytes);
    batch.upload_offset = at + range;
    offset = at;
    return b;
  }

  inline static Atomic<uint64_t> g_host_waits{0};
};

// Note [Vulkan memory]
// Tensors live in one of two kinds of memory, chosen per device when it is first used:
// - Mapped: host-visible, host-coherent memory that stays mapped, so a DataPtr's `data` is a
//   host address (Note [Host access]) and host reads need no copy. The memory type is the
//   device-local one the host can map, from the largest such heap (unified memory on integrated
//   GPUs, Apple silicon and lavapipe; resizable BAR on a discrete GPU); a CPU or integrated
//   device may use any host-visible memory, since all of its memory is the system's.
// - Staged: device-local memory the host never maps, reached by copies (Note [Staged memory]),
//   preferring a type the host cannot see (its fastest memory). A discrete GPU gets it when
//   the host can map none of its own memory, or only a window smaller than half of its largest
//   device-local heap (a 256 MiB BAR); any device does with TESSERA_VULKAN_MEMORY=staging.
// TESSERA_VULKAN_MEMORY=mapped keeps mapped memory where there is some; unset or "auto" lets
// the device decide. Uploads of launch data, staging buffers and the status words are always
// host-visible (host_type): with mapped memory, the tensors' type.

/** TESSERA_VULKAN_MEMORY, or empty. */
inline std::string_view memory_mode() {
#if defined(_MSC_VER)
#pragma warning(suppress : 4996)  // getenv: read once per device, never set
#endif
  const char* mode = std::getenv("TESSERA_VULKAN_MEMORY");
  return mode ? std::string_view(mode) : std::string_view();
}

/** The memory types of a device's buffers (Note [Vulkan memory]); `error` says why there are
 *  none for tensors when tensor_type is -1. */
struct MemoryChoice {
  MemoryKind kind = MemoryKind::Mapped;
  int32_t tensor_type = -1, host_type = -1;
  const char* error = nullptr;
};

inline MemoryChoice choose_memory_types(const VkPhysicalDeviceMemoryProperties& memory, VkPhysicalDeviceType type,
                                        std::string_view mode) {
  constexpr VkMemoryPropertyFlags mappable = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  const bool shared = type == VK_PHYSICAL_DEVICE_TYPE_CPU || type == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU;
  const auto heap_of = [&](int32_t t) { return memory.memoryHeaps[memory.memoryTypes[t].heapIndex].size; };
  // The type of the highest score, 0 for unusable; ties keep the first, as drivers list types by
  // preference.
  const auto best = [&](auto score) {
    int32_t chosen = -1;
    VkDeviceSize top = 0;
    for (uint32_t t = 0; t < memory.memoryTypeCount; ++t) {
      const VkDeviceSize s = score(memory.memoryTypes[t].propertyFlags, heap_of(static_cast<int32_t>(t)));
      if (s > top) chosen = static_cast<int32_t>(t), top = s;
    }
    return chosen;
  };
  constexpr VkDeviceSize kFirst = VkDeviceSize{1} << 62, kSecond = VkDeviceSize{1} << 61;
  const int32_t mapped = best([&](VkMemoryPropertyFlags flags, VkDeviceSize heap) -> VkDeviceSize {
    const bool local = flags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
    if ((flags & mappable) != mappable || (!local && !shared)) return 0;
    return 1 + heap + (local ? kFirst : 0);
  });
  const int32_t local = best([&](VkMemoryPropertyFlags flags, VkDeviceSize heap) -> VkDeviceSize {
    if (!(flags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)) return 0;
    return 1 + heap + (flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT ? 0 : kFirst);
  });
  // Staging buffers are read by the host after downloads: cached system memory first.
  const int32_t host = best([&](VkMemoryPropertyFlags flags, VkDeviceSize heap) -> VkDeviceSize {
    if ((flags & mappable) != mappable) return 0;
    return 1 + heap + (flags & VK_MEMORY_PROPERTY_HOST_CACHED_BIT ? kFirst : 0) +
           (flags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT ? 0 : kSecond);
  });
  bool staged = mode == "staging";
  if (mode.empty() || mode == "auto")
    staged = local >= 0 && (mapped < 0 || (!shared && heap_of(mapped) < heap_of(local) / 2));
  MemoryChoice choice;
  if (staged && local >= 0 && host >= 0) {
    choice.kind = MemoryKind::Staged;
    choice.tensor_type = local;
    choice.host_type = host;
  } else if (!staged && mapped >= 0) {
    choice.tensor_type = choice.host_type = mapped;
  } else {
    choice.error = mode == "mapped" ? "has no host-visible memory, and TESSERA_VULKAN_MEMORY=mapped asks for it: unset "
                                      "it to reach device-local memory through staging copies"
                                    : "has no device-local memory with host-visible memory to stage it through: use "
                                      "the CPU";
  }
  return choice;
}

/** The loader, the instance and the devices it found; made once, never destroyed. */
class Runtime {
 public:
  static Runtime& get() {
    static Runtime* runtime = new Runtime;  // never destroyed: tensors may outlive static objects
    return *runtime;
  }

  int device_count() const { return static_cast<int>(physical_.size()); }
  const PhysicalDevice& physical(int index) const { return physical_[static_cast<size_t>(index)]; }
  /** Why there is no device, when there is none. */
  const std::string& absence() const { return absence_; }

  /** The logical device `index`, made at its first use. */
  Gpu& gpu(int index) {
    TS_CHECK(index >= 0 && index < device_count(), "vulkan: ", Device::vulkan(index), " does not exist (",
             device_count(), " vulkan devices)");
    LockGuard lock(mutex_);
    auto& slot = gpus_[static_cast<size_t>(index)];
    if (!slot) slot = make_gpu(index);
    return *slot;
  }
  /** The logical device `index` when it has been made, else nullptr. */
  Gpu* made_gpu(int index) {
    if (index < 0 || index >= device_count()) return nullptr;
    LockGuard lock(mutex_);
    return gpus_[static_cast<size_t>(index)].get();
  }

 private:
  Runtime() {
    try {
      open_loader();
      if (get_instance_proc_) find_devices();
    } catch (const std::exception& e) {
      absence_ = e.what();
      physical_.clear();
    }
    if (physical_.empty() && absence_.empty()) absence_ = "the Vulkan loader found no device with a compute queue";
    gpus_.resize(physical_.size());
  }

  void open_loader() {
#if defined(_WIN32)
    const char* names[] = {"vulkan-1.dll"};
#elif defined(__APPLE__)
    const char* names[] = {"libvulkan.1.dylib", "libvulkan.dylib", "libMoltenVK.dylib"};
#else
    const char* names[] = {"libvulkan.so.1", "libvulkan.so"};
#endif
    for (const char* name : names) {
#if defined(_WIN32)
      if (HMODULE library = LoadLibraryA(name)) {
        get_instance_proc_ = reinterpret_cast<PFN_vkGetInstanceProcAddr>(
            reinterpret_cast<void (*)()>(GetProcAddress(library, "vkGetInstanceProcAddr")));
      }
#else
      if (void* library = dlopen(name, RTLD_NOW | RTLD_LOCAL)) {
        get_instance_proc_ = reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(library, "vkGetInstanceProcAddr"));
      }
#endif
      if (get_instance_proc_) return;
    }
    absence_ = std::string("no Vulkan loader (") + names[0] + " could not be opened)";
  }

  template <class F>
  F global(const char* name) {
    return reinterpret_cast<F>(get_instance_proc_(VK_NULL_HANDLE, name));
  }

  void find_devices() {
    auto enumerate_version = global<PFN_vkEnumerateInstanceVersion>("vkEnumerateInstanceVersion");
    auto enumerate_extensions =
        global<PFN_vkEnumerateInstanceExtensionProperties>("vkEnumerateInstanceExtensionProperties");
    auto create_instance = global<PFN_vkCreateInstance>("vkCreateInstance");
    uint32_t loader_version = VK_API_VERSION_1_0;
    if (enumerate_version) enumerate_version(&loader_version);
    if (!create_instance || !enumerate_extensions || loader_version < VK_API_VERSION_1_1) {
      absence_ = "the Vulkan loader is older than Vulkan 1.1";
      return;
    }
    uint32_t count = 0;
    check(enumerate_extensions(nullptr, &count, nullptr), "vkEnumerateInstanceExtensionProperties");
    std::vector<VkExtensionProperties> extensions(count);
    check(enumerate_extensions(nullptr, &count, extensions.data()), "vkEnumerateInstanceExtensionProperties");
    extensions.resize(count);

    auto app = make<VkApplicationInfo>(VK_STRUCTURE_TYPE_APPLICATION_INFO);
    app.pApplicationName = "tessera";
    app.pEngineName = "tessera";
    app.apiVersion = std::min<uint32_t>(loader_version, VK_API_VERSION_1_3);
    api_version_ = app.apiVersion;
    std::vector<const char*> enabled;
    auto info = make<VkInstanceCreateInfo>(VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO);
    info.pApplicationInfo = &app;
    // MoltenVK is a portability implementation: listed only when the instance asks for them.
    if (has_extension(extensions, VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME)) {
      enabled.push_back(VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME);
      info.flags |= VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR;
    }
    info.enabledExtensionCount = static_cast<uint32_t>(enabled.size());
    info.ppEnabledExtensionNames = enabled.data();
    check(create_instance(&info, nullptr, &instance_), "vkCreateInstance");

#define TESSERA_VK_LOAD(name) vk_.name = reinterpret_cast<PFN_##name>(get_instance_proc_(instance_, #name));
    TESSERA_VK_INSTANCE_FUNCTIONS(TESSERA_VK_LOAD)
#undef TESSERA_VK_LOAD
    TS_CHECK(vk_.vkEnumeratePhysicalDevices && vk_.vkGetPhysicalDeviceFeatures2 && vk_.vkCreateDevice,
             "vulkan: the loader lacks Vulkan 1.1 instance functions");

    count = 0;
    check(vk_.vkEnumeratePhysicalDevices(instance_, &count, nullptr), "vkEnumeratePhysicalDevices");
    std::vector<VkPhysicalDevice> handles(count);
    if (count) check(vk_.vkEnumeratePhysicalDevices(instance_, &count, handles.data()), "vkEnumeratePhysicalDevices");
    handles.resize(count);
    for (VkPhysicalDevice handle : handles) {
      PhysicalDevice p;
      p.handle = handle;
      vk_.vkGetPhysicalDeviceProperties(handle, &p.properties);
      if (p.properties.apiVersion < VK_API_VERSION_1_1) continue;
      uint32_t families = 0;
      vk_.vkGetPhysicalDeviceQueueFamilyProperties(handle, &families, nullptr);
      std::vector<VkQueueFamilyProperties> family(families);
      vk_.vkGetPhysicalDeviceQueueFamilyProperties(handle, &families, family.data());
      // A compute-only family (an asynchronous compute queue) first, else any with compute.
      int chosen = -1;
      for (uint32_t f = 0; f < families; ++f) {
        if (!(family[f].queueFlags & VK_QUEUE_COMPUTE_BIT) || family[f].queueCount == 0) continue;
        if (chosen < 0 || !(family[f].queueFlags & VK_QUEUE_GRAPHICS_BIT)) chosen = static_cast<int>(f);
        if (!(family[f].queueFlags & VK_QUEUE_GRAPHICS_BIT)) break;
      }
      if (chosen < 0) continue;
      p.queue_family = static_cast<uint32_t>(chosen);
      auto features = make<VkPhysicalDeviceFeatures2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2);
      vk_.vkGetPhysicalDeviceFeatures2(handle, &features);
      p.float64 = features.features.shaderFloat64 == VK_TRUE;
      physical_.push_back(p);
    }
  }

  std::unique_ptr<Gpu> make_gpu(int index) {
    const std::string_view mode = memory_mode();
    TS_CHECK(mode.empty() || mode == "auto" || mode == "mapped" || mode == "staging", "vulkan: TESSERA_VULKAN_MEMORY=",
             mode, " is not one of auto, mapped or staging");
    const PhysicalDevice& p = physical(index);
    auto gpu = std::make_unique<Gpu>();
    gpu->index = index;
    gpu->name = p.properties.deviceName;
    gpu->limits = p.properties.limits;
    const uint32_t version = std::min(api_version_, p.properties.apiVersion);

    uint32_t count = 0;
    check(vk_.vkEnumerateDeviceExtensionProperties(p.handle, nullptr, &count, nullptr),
          "vkEnumerateDeviceExtensionProperties");
    std::vector<VkExtensionProperties> extensions(count);
    check(vk_.vkEnumerateDeviceExtensionProperties(p.handle, nullptr, &count, extensions.data()),
          "vkEnumerateDeviceExtensionProperties");
    extensions.resize(count);
    const bool core12 = version >= VK_API_VERSION_1_2;
    const bool storage8 = core12 || has_extension(extensions, VK_KHR_8BIT_STORAGE_EXTENSION_NAME);
    const bool float16_int8 = core12 || has_extension(extensions, VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME);

    // Note [Vulkan features]
    // The kernels use 64-bit floats and integers, 16-bit and 8-bit types in storage buffers and
    // in arithmetic when the device has them (a kernel variant that needs a missing one is not
    // launched). Each is queried, and enabled when supported; nothing else is enabled, so no
    // robustness feature slows the kernels down.
    auto supported = make<VkPhysicalDeviceFeatures2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2);
    auto s16 = make<VkPhysicalDevice16BitStorageFeatures>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES);
    auto s8 = make<VkPhysicalDevice8BitStorageFeatures>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES);
    auto f16 = make<VkPhysicalDeviceShaderFloat16Int8Features>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES);
    void** tail = &supported.pNext;
    const auto link = [&](auto& s) {
      *tail = &s;
      tail = &s.pNext;
    };
    link(s16);
    if (storage8) link(s8);
    if (float16_int8) link(f16);
    vk_.vkGetPhysicalDeviceFeatures2(p.handle, &supported);

    auto enabled = make<VkPhysicalDeviceFeatures2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2);
    enabled.features.shaderFloat64 = supported.features.shaderFloat64;
    enabled.features.shaderInt64 = supported.features.shaderInt64;
    enabled.features.shaderInt16 = supported.features.shaderInt16;
    auto e16 = make<VkPhysicalDevice16BitStorageFeatures>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES);
    e16.storageBuffer16BitAccess = s16.storageBuffer16BitAccess;
    e16.uniformAndStorageBuffer16BitAccess = s16.uniformAndStorageBuffer16BitAccess;
    e16.storagePushConstant16 = s16.storagePushConstant16;
    auto e8 = make<VkPhysicalDevice8BitStorageFeatures>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES);
    e8.storageBuffer8BitAccess = s8.storageBuffer8BitAccess;
    e8.uniformAndStorageBuffer8BitAccess = s8.uniformAndStorageBuffer8BitAccess;
    e8.storagePushConstant8 = s8.storagePushConstant8;
    auto ef16 = make<VkPhysicalDeviceShaderFloat16Int8Features>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES);
    ef16.shaderFloat16 = f16.shaderFloat16;
    ef16.shaderInt8 = f16.shaderInt8;
    tail = &enabled.pNext;
    link(e16);
    if (storage8) link(e8);
    if (float16_int8) link(ef16);

    std::vector<const char*> enabled_extensions;
    if (!core12 && storage8) enabled_extensions.push_back(VK_KHR_8BIT_STORAGE_EXTENSION_NAME);
    if (!core12 && float16_int8) enabled_extensions.push_back(VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME);
    // A portability implementation (MoltenVK) must be told the application knows it is one.
    if (has_extension(extensions, "VK_KHR_portability_subset")) enabled_extensions.push_back("VK_KHR_portability_subset");

    const float priority = 1.0f;
    auto queue = make<VkDeviceQueueCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO);
    queue.queueFamilyIndex = p.queue_family;
    queue.queueCount = 1;
    queue.pQueuePriorities = &priority;
    auto info = make<VkDeviceCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO);
    info.pNext = &enabled;
    info.queueCreateInfoCount = 1;
    info.pQueueCreateInfos = &queue;
    info.enabledExtensionCount = static_cast<uint32_t>(enabled_extensions.size());
    info.ppEnabledExtensionNames = enabled_extensions.data();
    check(vk_.vkCreateDevice(p.handle, &info, nullptr, &gpu->device), "vkCreateDevice");

#define TESSERA_VK_LOAD(name) \
  gpu->vk.name = reinterpret_cast<PFN_##name>(vk_.vkGetDeviceProcAddr(gpu->device, #name));
    TESSERA_VK_DEVICE_FUNCTIONS(TESSERA_VK_LOAD)
#undef TESSERA_VK_LOAD
    gpu->vk.vkGetDeviceQueue(gpu->device, p.queue_family, 0, &gpu->queue);
    auto pool = make<VkCommandPoolCreateInfo>(VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO);
    pool.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pool.queueFamilyIndex = p.queue_family;
    check(gpu->vk.vkCreateCommandPool(gpu->device, &pool, nullptr, &gpu->command_pool), "vkCreateCommandPool");

    choose_memory(*gpu, p);
    return gpu;
  }

  void choose_memory(Gpu& gpu, const PhysicalDevice& p) {
    VkPhysicalDeviceMemoryProperties memory;
    vk_.vkGetPhysicalDeviceMemoryProperties(p.handle, &memory);
    const MemoryChoice choice = choose_memory_types(memory, p.properties.deviceType, memory_mode());
    gpu.kind = choice.kind;
    gpu.memory_type = choice.tensor_type;
    gpu.host_type = choice.host_type;
    if (choice.error) gpu.memory_error = choice.error;
    if (gpu.memory_type >= 0) {
      const VkDeviceSize heap = memory.memoryHeaps[memory.memoryTypes[gpu.memory_type].heapIndex].size;
      gpu.max_cached = std::min<size_t>(gpu.max_cached, static_cast<size_t>(heap / 4));
    }
  }

  Mutex mutex_;
  PFN_vkGetInstanceProcAddr get_instance_proc_ = nullptr;
  VkInstance instance_ = VK_NULL_HANDLE;
  uint32_t api_version_ = VK_API_VERSION_1_1;
  InstanceFunctions vk_;
  std::vector<PhysicalDevice> physical_;
  std::vector<std::unique_ptr<Gpu>> gpus_;
  std::string absence_;
};

#undef TESSERA_VK_INSTANCE_FUNCTIONS
#undef TESSERA_VK_DEVICE_FUNCTIONS

using gpu::BufferArg;

/** How many Vulkan devices have a compute queue: loads the loader at the first call; 0 when
 *  there is no loader or no device. */
inline int device_count() { return Runtime::get().device_count(); }

/** Whether kernels on `device` can use 64-bit floats. */
inline bool has_float64(int device) {
  return device >= 0 && device < device_count() && Runtime::get().physical(device).float64;
}

/** The driver's name for `device`. */
inline std::string device_name(int device) {
  TS_CHECK(device >= 0 && device < device_count(), "vulkan: ", Device::vulkan(device), " does not exist (",
           device_count(), " vulkan devices)");
  return Runtime::get().physical(device).properties.deviceName;
}

/** Queues a launch of `kernel` on `device` with `groups_x * groups_y * groups_z` workgroups;
 *  it runs when its batch is submitted (Note [Batches]). `push_constants` points to
 *  kernel.push_constant_bytes bytes. Buffers are bound in the kernel's buffer order. */
inline void dispatch(int device, const gpu::Kernel& kernel, std::span<const uint32_t> spec_constants,
                     std::span<const BufferArg> buffers, const void* push_constants, uint32_t groups_x,
                     uint32_t groups_y = 1, uint32_t groups_z = 1) {
  TS_CHECK(buffers.size() == kernel.num_buffers, "vulkan: kernel ", kernel.name, " takes ", kernel.num_buffers,
           " buffers, got ", buffers.size());
  TS_CHECK(spec_constants.size() == kernel.num_spec_constants, "vulkan: kernel ", kernel.name, " takes ",
           kernel.num_spec_constants, " specialization constants, got ", spec_constants.size());
  TS_CHECK(kernel.push_constant_bytes == 0 || push_constants, "vulkan: kernel ", kernel.name, " takes ",
           kernel.push_constant_bytes, " bytes of push constants, got none");
  Gpu& gpu = Runtime::get().gpu(device);
  TS_CHECK(groups_x <= gpu.limits.maxComputeWorkGroupCount[0] && groups_y <= gpu.limits.maxComputeWorkGroupCount[1] &&
               groups_z <= gpu.limits.maxComputeWorkGroupCount[2],
           "vulkan: kernel ", kernel.name, " launched with ", groups_x, "x", groups_y, "x", groups_z,
           " workgroups, more than ", Device::vulkan(device), " can run");
  for (size_t i = 0; i < buffers.size(); ++i) {
    const BufferArg& arg = buffers[i];
    if (!arg.data) {
      TS_CHECK(arg.bytes || arg.nbytes == 0, "vulkan: kernel ", kernel.name, " got buffer ", i, " of ", arg.nbytes,
               " bytes at a null address");
      continue;
    }
    TS_CHECK(arg.data->device == Device::vulkan(device), "vulkan: kernel ", kernel.name, " on ",
             Device::vulkan(device), " got buffer ", i, " on ", arg.data->device);
    TS_CHECK(arg.data->context != nullptr, "vulkan: kernel ", kernel.name, " got buffer ", i,
             " that the Vulkan allocator did not make");
  }

  LockGuard lock(gpu.mutex);
  Pipeline& pipeline = gpu.pipeline(kernel, spec_constants);
  Batch& batch = gpu.open_batch();
  const VkDescriptorSet set = gpu.descriptor_set(batch, pipeline.set_layout);
  std::vector<VkDescriptorBufferInfo> infos(buffers.size());
  std::vector<VkWriteDescriptorSet> writes(buffers.size());
  // Host data first: uploading may fail, and a tensor's buffer is marked as used by the batch
  // only once the launch is certain to be recorded.
  for (size_t i = 0; i < buffers.size(); ++i) {
    const BufferArg& arg = buffers[i];
    if (arg.data) continue;
    // A whole number of 16-byte units, never empty: a descriptor's range cannot be 0.
    const size_t range = std::max<size_t>((arg.nbytes + 15) / 16 * 16, 16);
    VkDeviceSize offset = 0;
    Buffer* b = gpu.upload(batch, arg.bytes, arg.nbytes, range, offset);
    infos[i] = {b->buffer, offset, range};
  }
  // Note [Staged memory]: shadows the host may have written go to the device first.
  for (const BufferArg& arg : buffers)
    if (arg.data) gpu.write_back(batch, *static_cast<Buffer*>(arg.data->context));
  for (size_t i = 0; i < buffers.size(); ++i) {
    if (const BufferArg& arg = buffers[i]; arg.data) {
      Buffer* b = static_cast<Buffer*>(arg.data->context);
      b->last_use = batch.serial;
      if (kernel.buffers[i].writable) b->host_valid = false;  // the shadow of staged memory is stale
      infos[i] = {b->buffer, 0, VK_WHOLE_SIZE};
    }
    writes[i] = make<VkWriteDescriptorSet>(VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET);
    writes[i].dstSet = set;
    writes[i].dstBinding = kernel.buffers[i].binding;
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[i].pBufferInfo = &infos[i];
  }
  gpu.vk.vkUpdateDescriptorSets(gpu.device, static_cast<uint32_t>(writes.size()), writes.data(), 0, nullptr);

  // Every launch waits for the writes of the launches and copies before it, in this batch and in
  // batches submitted earlier (a barrier's first scope reaches back through the queue's
  // submission order).
  auto barrier = make<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
  barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT;
  gpu.vk.vkCmdPipelineBarrier(batch.commands, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                              VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &barrier, 0, nullptr, 0, nullptr);
  gpu.vk.vkCmdBindPipeline(batch.commands, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.pipeline);
  gpu.vk.vkCmdBindDescriptorSets(batch.commands, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout, 0, 1, &set, 0,
                                 nullptr);
  if (kernel.push_constant_bytes)
    gpu.vk.vkCmdPushConstants(batch.commands, pipeline.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
                              kernel.push_constant_bytes, push_constants);
  gpu.vk.vkCmdDispatch(batch.commands, groups_x, groups_y, groups_z);
  if (++batch.launches >= Gpu::kBatchLaunches) gpu.submit();
}

/** Submits what is queued on `device` and waits for it (the host-access point calls it). */
inline void synchronize(int device) {
  if (Gpu* gpu = Runtime::get().made_gpu(device)) {
    LockGuard lock(gpu->mutex);
    gpu->synchronize();
  }
}

/** The status words of `device` that kernels checking tensor values write (Note [Deferred
 *  errors]); their errors are thrown by the next wait for the queue. */
inline const DataPtr& error_status(int device) {
  Gpu& gpu = Runtime::get().gpu(device);
  LockGuard lock(gpu.mutex);
  return gpu.error_status();
}

/** How many times the host has waited on a Vulkan queue. */
inline uint64_t host_waits() { return Gpu::g_host_waits.load(MemoryOrder::Relaxed); }

/** How many copies between staged memory and staging buffers have been recorded (Note [Staged
 *  memory]): uploads and downloads, on every device. */
inline uint64_t staging_copies() { return Gpu::g_staging_copies.load(MemoryOrder::Relaxed); }

/** The kind of memory tensors on `device` live in (Note [Vulkan memory]); makes its logical
 *  device. */
inline MemoryKind memory_kind(int device) {
  Gpu& gpu = Runtime::get().gpu(device);
  return gpu.kind;
}

/** Whether the host reads `data`'s bytes in place (mapped memory), rather than through a shadow
 *  and staging copies. */
inline bool is_mapped(const DataPtr& data) {
  const Buffer* b = static_cast<const Buffer*>(data.context);
  return !b || !b->staged();
}

/** Before a host fallback (Note [Host fallbacks]): makes the host addresses of the plan's tensors
 *  hold their bytes, with one wait, and marks those the host kernel writes (Note [Staged memory]). */
inline void host_fallback(int device, std::span<const std::pair<const DataPtr*, bool>> tensors) {
  Gpu& gpu = Runtime::get().gpu(device);
  std::vector<std::pair<Buffer*, bool>> buffers;
  for (const auto& [data, write] : tensors)
    if (data->context) buffers.emplace_back(static_cast<Buffer*>(data->context), write);
  LockGuard lock(gpu.mutex);
  gpu.host_current(buffers, true);  // the host kernel runs after everything queued, as synchronize()
}

}  // namespace tessera::vulkan::detail
