#pragma once
// The Metal runtime: the system's default Metal device, one command queue, a library per kernel
// variant built from the generated MSL, cached pipelines, command buffers committed in batches,
// and the shared-storage buffers tensors live in (docs/metal.md). Compiled on Apple platforms
// only (TESSERA_METAL, backend/metal/platform.hpp); elsewhere this header declares nothing.

#include "platform.hpp"

#if TESSERA_METAL

#include <Foundation/Foundation.hpp>
#include <Metal/Metal.hpp>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "../../core/allocator.hpp"
#include "../../core/config.hpp"
#include "../../core/device.hpp"
#include "../../core/error.hpp"
#include "../../parallel/atomic.hpp"
#include "../../parallel/mutex.hpp"
#include "../gpu/deferred_error.hpp"
#include "../gpu/kernel.hpp"

namespace tessera::metal::detail {

using ::tessera::detail::Atomic;
using ::tessera::detail::LockGuard;
using ::tessera::detail::MemoryOrder;
using ::tessera::detail::Mutex;
using gpu::BufferArg;

// Note [Metal autorelease pools]
// metal-cpp hands out two kinds of objects: those from new..., alloc()->init() and Create...
// functions, which the runtime owns (+1) and releases, and autoreleased ones (command buffers,
// encoders, strings, errors), which live until the innermost NS::AutoreleasePool drains. A
// tensor program has no Cocoa run loop and so no pool: every function of the runtime that makes
// Objective-C objects opens its own (Pool below), and retains what it keeps beyond it (the open
// batch's command buffer and encoder).
class Pool {
 public:
  Pool() : pool_(NS::AutoreleasePool::alloc()->init()) {}
  ~Pool() { pool_->release(); }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

 private:
  NS::AutoreleasePool* pool_;
};

/** The text of an NSError (autoreleased or not), for messages. */
inline std::string describe(const NS::Error* error) {
  if (!error) return "no reason given";
  const NS::String* text = error->localizedDescription();
  return text && text->utf8String() ? std::string(text->utf8String()) : std::string("no reason given");
}

/** A Metal buffer in shared storage: the context of a tensor's DataPtr, and of upload buffers. */
struct Buffer {
  MTL::Buffer* buffer = nullptr;  // owned (+1)
  void* contents = nullptr;       // its host address (unified memory: the same bytes the GPU sees)
  size_t capacity = 0;
  int device = 0;
  uint64_t last_use = 0;  // serial of the last batch that binds it (Note [Metal batches])
};

// Note [Metal batches]
// As on Vulkan (Note [Batches]), launches go into the command buffer of the open batch, through
// one serial compute encoder (each dispatch sees what the ones before it wrote), and the batch
// is committed when the host needs a result (synchronize(), which the allocator's host access
// and copies call) or when it holds kBatchLaunches launches. Command buffers of one queue run in
// commit order. Every batch has a serial; a buffer remembers the serial of the last batch that
// binds it and is idle once `completed` has reached it. What a batch uses stays alive until its
// command buffer has completed: its upload buffers (back to the cache then) and tensor memory
// freed while it was queued (on `deferred` until then). A command buffer that ends in error is
// reported by the next wait, as a ts::Error with Metal's reason.
struct Batch {
  MTL::CommandBuffer* commands = nullptr;        // retained
  MTL::ComputeCommandEncoder* encoder = nullptr;  // retained, open until the batch is committed
  std::vector<Buffer*> uploads;  // host data over setBytes' 4 KB; the last one is being filled
  size_t upload_offset = 0;
  uint32_t launches = 0;
  uint64_t serial = 0;
};

/** One kernel variant's library and function-constant types, built at its first launch. */
struct Library {
  MTL::Library* library = nullptr;   // owned
  std::vector<MTL::DataType> types;  // of each of the kernel's spec constants, in id order
};

/** The type of the Metal function constant `id` as the MSL declares it
 *  (`constant int OP_tmp [[function_constant(0)]];`, spirv-cross's form); int when absent. */
inline MTL::DataType function_constant_type(std::string_view msl, uint32_t id) {
  const std::string tag = "[[function_constant(" + std::to_string(id) + ")]]";
  const size_t at = msl.find(tag);
  if (at == std::string_view::npos) return MTL::DataTypeInt;
  const size_t line = msl.rfind('\n', at);
  std::string_view decl = msl.substr(line == std::string_view::npos ? 0 : line + 1, at - (line == std::string_view::npos ? 0 : line + 1));
  if (decl.starts_with("constant ")) decl.remove_prefix(9);
  const std::string_view type = decl.substr(0, decl.find(' '));
  if (type == "uint") return MTL::DataTypeUInt;
  if (type == "bool") return MTL::DataTypeBool;
  if (type == "short") return MTL::DataTypeShort;
  if (type == "ushort") return MTL::DataTypeUShort;
  if (type == "float") return MTL::DataTypeFloat;
  return MTL::DataTypeInt;
}

/** The Metal device: its queue, libraries, pipelines, open and queued batches and buffer cache,
 *  all behind one mutex. Made at the first use, never destroyed (tensors may outlive static
 *  objects). */
struct Gpu {
  static constexpr uint32_t kBatchLaunches = 128;  // commit a batch this long without waiting
  static constexpr size_t kMaxInFlight = 16;        // batches queued before the host waits for one
  static constexpr size_t kUploadBytes = size_t{64} << 10;
  static constexpr size_t kSetBytesLimit = 4096;    // Metal's limit for setBytes
  static constexpr size_t kUploadAlign = 256;       // buffer offsets of constant arguments (macOS)

  Mutex mutex;
  int index = 0;
  MTL::Device* device = nullptr;        // owned
  MTL::CommandQueue* queue = nullptr;   // owned
  std::string name;

  std::unordered_map<std::string_view, Library> libraries;  // by kernel name (static strings)
  std::unordered_map<std::string, MTL::ComputePipelineState*> pipelines;
  Batch* open = nullptr;
  std::deque<Batch*> queued;  // committed, in commit order
  std::vector<Batch*> spare;
  uint64_t next_serial = 1, completed = 0;
  std::string failure;  // the first command buffer error not yet reported

  // Note [Metal buffer cache]
  // As on Vulkan (Note [Vulkan buffer cache]): freed buffers are kept by capacity and handed
  // back for the next request of the same rounded size. Capacities are powers of two from 256
  // bytes to 1 MiB, then multiples of 1 MiB; the cache holds at most max_cached bytes (1 GiB, or
  // a quarter of the device's recommended working set); empty_cache() frees it.
  std::unordered_map<size_t, std::vector<Buffer*>> free_buffers;
  size_t cached_bytes = 0, max_cached = size_t{1} << 30;
  std::vector<Buffer*> deferred;  // freed while a queued batch still binds them
  size_t live_buffers = 0;

  static size_t capacity_for(size_t nbytes) {
    constexpr size_t kMiB = size_t{1} << 20;
    if (nbytes <= kMiB) return std::bit_ceil(std::max<size_t>(nbytes, 256));
    return (nbytes + kMiB - 1) / kMiB * kMiB;
  }

  Buffer* create_buffer(size_t capacity) {
    Pool pool;
    MTL::Buffer* made = device->newBuffer(static_cast<NS::UInteger>(capacity), MTL::ResourceStorageModeShared);
    TS_CHECK(made != nullptr, "metal: could not allocate ", capacity, " bytes on ", Device::metal(index), " (", name,
             ")");
    auto record = std::make_unique<Buffer>();
    record->buffer = made;
    record->contents = made->contents();
    record->capacity = capacity;
    record->device = index;
    ++live_buffers;
    return record.release();
  }

  void destroy_buffer(Buffer* b) {
    if (b->buffer) b->buffer->release();
    --live_buffers;
    delete b;
  }

  /** A buffer of at least `nbytes`, from the cache when it holds one. */
  Buffer* take_buffer(size_t nbytes) {
    const size_t capacity = capacity_for(nbytes);
    if (auto it = free_buffers.find(capacity); it != free_buffers.end() && !it->second.empty()) {
      Buffer* b = it->second.back();
      it->second.pop_back();
      cached_bytes -= capacity;
      return b;
    }
    try {
      return create_buffer(capacity);
    } catch (const Error&) {
      if (cached_bytes == 0) throw;  // out of memory with buffers cached: free them, try once more
      empty_cache();
      return create_buffer(capacity);
    }
  }

  /** Back to the cache, or to `deferred` while a queued batch binds it (Note [Metal batches]). */
  void release_buffer(Buffer* b) {
    if (b->last_use > completed) {
      deferred.push_back(b);
      return;
    }
    if (cached_bytes + b->capacity > max_cached) return destroy_buffer(b);
    free_buffers[b->capacity].push_back(b);
    cached_bytes += b->capacity;
  }

  void empty_cache() {
    for (auto& [capacity, buffers] : free_buffers) {
      for (Buffer* b : buffers) destroy_buffer(b);
      buffers.clear();
    }
    cached_bytes = 0;
  }

  // ---- batches

  /** The batch launches are encoded into, begun when there is none. */
  Batch& open_batch() {
    if (open) return *open;
    retire(false);
    Batch* batch;
    if (!spare.empty()) {
      batch = spare.back();
      spare.pop_back();
    } else {
      batch = new Batch;
    }
    Pool pool;
    MTL::CommandBuffer* commands = queue->commandBuffer();  // autoreleased
    MTL::ComputeCommandEncoder* encoder = commands ? commands->computeCommandEncoder() : nullptr;
    if (!encoder) {
      spare.push_back(batch);
      ::tessera::detail::throw_error("metal: ", Device::metal(index), " (", name, ") could not make a command buffer");
    }
    batch->commands = commands->retain();
    batch->encoder = encoder->retain();
    batch->serial = next_serial++;
    batch->launches = 0;
    open = batch;
    return *batch;
  }

  /** Commits the open batch, if it holds launches. */
  void submit() {
    if (!open || open->launches == 0) return;
    Batch* batch = open;
    open = nullptr;
    batch->encoder->endEncoding();
    batch->commands->commit();
    queued.push_back(batch);
    if (queued.size() > kMaxInFlight) wait_for(queued.size() - kMaxInFlight);
  }

  static bool finished(const Batch* batch) {
    const MTL::CommandBufferStatus status = batch->commands->status();
    return status == MTL::CommandBufferStatusCompleted || status == MTL::CommandBufferStatusError;
  }

  /** Recycles the queued batches that have finished; with `wait`, waits for all of them. */
  void retire(bool wait) {
    if (wait && !queued.empty()) return wait_for(queued.size());
    while (!queued.empty() && finished(queued.front())) finish_front();
    release_deferred();
  }

  /** Waits until the first `n` queued batches have finished and recycles them. */
  void wait_for(size_t n) {
    g_host_waits.fetch_add(1, MemoryOrder::Relaxed);
    for (size_t i = 0; i < n; ++i) {
      queued.front()->commands->waitUntilCompleted();
      finish_front();
    }
    release_deferred();
  }

  void finish_front() {
    Batch* batch = queued.front();
    queued.pop_front();
    completed = batch->serial;
    if (batch->commands->status() == MTL::CommandBufferStatusError && failure.empty()) {
      Pool pool;
      failure = describe(batch->commands->error());
    }
    recycle(batch);
  }

  void recycle(Batch* batch) {
    for (Buffer* b : batch->uploads) release_buffer(b);
    batch->uploads.clear();
    batch->upload_offset = 0;
    if (batch->encoder) batch->encoder->release();
    if (batch->commands) batch->commands->release();
    batch->encoder = nullptr;
    batch->commands = nullptr;
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

  /** Commits the open batch and waits for every queued one; reports a command buffer that
   *  failed since the last report, then what a kernel reported. */
  void synchronize() {
    submit();
    retire(true);
    if (!failure.empty()) {
      std::string reason;
      reason.swap(failure);
      ::tessera::detail::throw_error("metal: a command buffer on ", Device::metal(index), " (", name,
                                     ") failed: ", reason);
    }
    report_errors();
  }

  // ---- deferred errors (Note [Deferred errors] in backend/gpu/deferred_error.hpp)

  Buffer* status = nullptr;  // the status words, made at their first use, never freed
  DataPtr status_data;

  const DataPtr& error_status() {
    if (!status) {
      Buffer* b = take_buffer(sizeof(gpu::detail::DeferredError));
      std::memset(b->contents, 0, b->capacity);
      status = b;
      status_data = {b->contents, b, nullptr, Device::metal(index)};
    }
    return status_data;
  }

  /** Throws (and clears) the error the status words hold, once no queued launch may still write
   *  them; the caller holds the mutex. */
  void report_errors() {
    if (!status || status->last_use > completed) return;
    auto* words = static_cast<gpu::detail::DeferredError*>(status->contents);
    if (words->check == 0) return;
    const gpu::detail::DeferredError error = *words;
    *words = gpu::detail::DeferredError{};
    throw Error(gpu::detail::deferred_error_message(error, Device::metal(index)));
  }

  // ---- launches

  /** The library of `kernel`, compiled from its MSL at its first use with fast math off. */
  Library& library(const gpu::Kernel& kernel) {
    if (auto it = libraries.find(kernel.name); it != libraries.end()) return it->second;
    Pool pool;
    MTL::CompileOptions* options = MTL::CompileOptions::alloc()->init();
    // The kernels rely on IEEE addition and multiplication (docs/gpu.md, "Metal"): fast math
    // off, which every macOS has (MTLCompileOptions.mathMode, macOS 15, says the same).
    options->setFastMathEnabled(false);
    options->setLanguageVersion(MTL::LanguageVersion2_3);
    NS::Error* error = nullptr;  // autoreleased
    const std::string source(kernel.msl);
    MTL::Library* made = device->newLibrary(NS::String::string(source.c_str(), NS::UTF8StringEncoding), options, &error);
    options->release();
    TS_CHECK(made != nullptr, "metal: the MSL of kernel ", kernel.name, " did not compile on ", Device::metal(index),
             " (", name, "): ", describe(error));
    Library lib;
    lib.library = made;
    for (uint32_t i = 0; i < kernel.num_spec_constants; ++i)
      lib.types.push_back(function_constant_type(kernel.msl, kernel.spec_constant_ids[i]));
    return libraries.emplace(kernel.name, lib).first->second;
  }

  /** The pipeline of (kernel, function-constant values), made once. */
  MTL::ComputePipelineState* pipeline(const gpu::Kernel& kernel, std::span<const uint32_t> spec_constants) {
    std::string key(kernel.name);
    key.push_back('\0');
    key.append(reinterpret_cast<const char*>(spec_constants.data()), spec_constants.size_bytes());
    if (auto it = pipelines.find(key); it != pipelines.end()) return it->second;

    Library& lib = library(kernel);
    Pool pool;
    MTL::FunctionConstantValues* values = MTL::FunctionConstantValues::alloc()->init();
    for (size_t i = 0; i < spec_constants.size(); ++i) {
      // Each value as the constant's type: every type the kernels use is at most 32 bits, and
      // the host passes it as a uint32 (a bool or short takes the low bytes on little-endian).
      values->setConstantValue(&spec_constants[i], lib.types[i], static_cast<NS::UInteger>(kernel.spec_constant_ids[i]));
    }
    NS::Error* error = nullptr;
    const std::string entry(kernel.msl_entry);
    MTL::Function* function =
        lib.library->newFunction(NS::String::string(entry.c_str(), NS::UTF8StringEncoding), values, &error);
    values->release();
    TS_CHECK(function != nullptr, "metal: kernel ", kernel.name, " has no function ", kernel.msl_entry,
             " with these constants: ", describe(error));
    MTL::ComputePipelineState* made = device->newComputePipelineState(function, &error);
    function->release();
    TS_CHECK(made != nullptr, "metal: the pipeline of kernel ", kernel.name, " could not be made: ", describe(error));
    const NS::UInteger threads = static_cast<NS::UInteger>(kernel.local_size[0]) * kernel.local_size[1] * kernel.local_size[2];
    if (made->maxTotalThreadsPerThreadgroup() < threads) {
      const NS::UInteger most = made->maxTotalThreadsPerThreadgroup();
      made->release();
      ::tessera::detail::throw_error("metal: kernel ", kernel.name, " needs threadgroups of ", threads, " threads and ",
                                     Device::metal(index), " (", name, ") runs at most ", most, " of its pipeline");
    }
    return pipelines.emplace(std::move(key), made).first->second;
  }

  /** Copies `nbytes` of host data into the batch's upload memory; returns the buffer and sets
   *  `offset`. */
  Buffer* upload(Batch& batch, const void* bytes, size_t nbytes, size_t& offset) {
    size_t at = (batch.upload_offset + kUploadAlign - 1) / kUploadAlign * kUploadAlign;
    if (batch.uploads.empty() || at + nbytes > batch.uploads.back()->capacity) {
      batch.uploads.push_back(take_buffer(std::max(nbytes, kUploadBytes)));
      at = 0;
    }
    Buffer* b = batch.uploads.back();
    b->last_use = batch.serial;
    if (nbytes) std::memcpy(static_cast<char*>(b->contents) + at, bytes, nbytes);
    batch.upload_offset = at + nbytes;
    offset = at;
    return b;
  }

  inline static Atomic<uint64_t> g_host_waits{0};
};

/** The system's default Metal device, found once; never destroyed. */
class Runtime {
 public:
  static Runtime& get() {
    static Runtime* runtime = new Runtime;  // never destroyed: tensors may outlive static objects
    return *runtime;
  }

  int device_count() const { return gpu_ ? 1 : 0; }
  /** Why there is no device, when there is none. */
  const std::string& absence() const { return absence_; }

  Gpu& gpu(int index) {
    TS_CHECK(index >= 0 && index < device_count(), "metal: ", Device::metal(index), " does not exist (",
             device_count(), " metal devices)");
    return *gpu_;
  }
  Gpu* made_gpu(int index) { return index >= 0 && index < device_count() ? gpu_.get() : nullptr; }

 private:
  Runtime() {
    Pool pool;
    // Note [Metal device]: the system default device (MTLCreateSystemDefaultDevice), the GPU
    // of an Apple-silicon Mac; one device, metal:0. None on a Mac without a Metal GPU (some
    // virtual machines): 0 devices, never an error.
    MTL::Device* device = MTL::CreateSystemDefaultDevice();
    if (!device) {
      absence_ = "MTLCreateSystemDefaultDevice() returned no device";
      return;
    }
    MTL::CommandQueue* queue = device->newCommandQueue();
    if (!queue) {
      device->release();
      absence_ = "the Metal device could not make a command queue";
      return;
    }
    gpu_ = std::make_unique<Gpu>();
    gpu_->device = device;
    gpu_->queue = queue;
    const NS::String* name = device->name();
    gpu_->name = name && name->utf8String() ? name->utf8String() : "Metal device";
    const uint64_t working_set = device->recommendedMaxWorkingSetSize();
    if (working_set) gpu_->max_cached = std::min<size_t>(gpu_->max_cached, static_cast<size_t>(working_set / 4));
  }

  std::unique_ptr<Gpu> gpu_;
  std::string absence_;
};

/** How many Metal devices there are: 1 when the system has a default Metal device, else 0. */
inline int device_count() { return Runtime::get().device_count(); }

/** Metal has no 64-bit floating point type (as in PyTorch's MPS): float64 kernels never run. */
inline bool has_float64(int) { return false; }

/** The driver's name for `device` ("Apple M2", ...). */
inline std::string device_name(int device) { return Runtime::get().gpu(device).name; }

/** Queues a launch of `kernel` on `device` with `groups_x * groups_y * groups_z` threadgroups of
 *  kernel.local_size threads; it runs when its batch is committed (Note [Metal batches]).
 *  Buffers are bound at their kernel.buffers[i].metal_index, the push constants with setBytes at
 *  kernel.push_constant_metal_index. */
inline void dispatch(int device, const gpu::Kernel& kernel, std::span<const uint32_t> spec_constants,
                     std::span<const BufferArg> buffers, const void* push_constants, uint32_t groups_x,
                     uint32_t groups_y = 1, uint32_t groups_z = 1) {
  TS_CHECK(!kernel.msl.empty(), "metal: kernel ", kernel.name,
           " has no MSL (its variant uses float64, which Metal does not have)");
  TS_CHECK(buffers.size() == kernel.num_buffers, "metal: kernel ", kernel.name, " takes ", kernel.num_buffers,
           " buffers, got ", buffers.size());
  TS_CHECK(spec_constants.size() == kernel.num_spec_constants, "metal: kernel ", kernel.name, " takes ",
           kernel.num_spec_constants, " function constants, got ", spec_constants.size());
  TS_CHECK(kernel.push_constant_bytes == 0 || push_constants, "metal: kernel ", kernel.name, " takes ",
           kernel.push_constant_bytes, " bytes of push constants, got none");
  TS_CHECK(kernel.push_constant_bytes <= 128, "metal: kernel ", kernel.name, " has ", kernel.push_constant_bytes,
           " bytes of push constants, more than 128");
  for (size_t i = 0; i < buffers.size(); ++i) {
    const BufferArg& arg = buffers[i];
    if (!arg.data) {
      TS_CHECK(arg.bytes || arg.nbytes == 0, "metal: kernel ", kernel.name, " got buffer ", i, " of ", arg.nbytes,
               " bytes at a null address");
      continue;
    }
    TS_CHECK(arg.data->device == Device::metal(device), "metal: kernel ", kernel.name, " on ", Device::metal(device),
             " got buffer ", i, " on ", arg.data->device);
    TS_CHECK(arg.data->context != nullptr, "metal: kernel ", kernel.name, " got buffer ", i,
             " that the Metal allocator did not make");
  }
  Gpu& gpu = Runtime::get().gpu(device);
  if (groups_x == 0 || groups_y == 0 || groups_z == 0) return;

  LockGuard lock(gpu.mutex);
  Pool pool;
  MTL::ComputePipelineState* pipeline = gpu.pipeline(kernel, spec_constants);
  Batch& batch = gpu.open_batch();
  MTL::ComputeCommandEncoder* encoder = batch.encoder;
  // Host data first: an upload may fail, and a tensor's buffer is marked as used by the batch
  // only once the launch is certain to be encoded.
  struct Upload {
    Buffer* buffer;
    size_t offset;
  };
  std::vector<Upload> uploads(buffers.size(), Upload{nullptr, 0});
  for (size_t i = 0; i < buffers.size(); ++i) {
    const BufferArg& arg = buffers[i];
    if (!arg.data && arg.nbytes > Gpu::kSetBytesLimit) uploads[i].buffer = gpu.upload(batch, arg.bytes, arg.nbytes, uploads[i].offset);
  }
  encoder->setComputePipelineState(pipeline);
  for (size_t i = 0; i < buffers.size(); ++i) {
    const BufferArg& arg = buffers[i];
    const NS::UInteger index = kernel.buffers[i].metal_index;
    if (arg.data) {
      Buffer* b = static_cast<Buffer*>(arg.data->context);
      b->last_use = batch.serial;
      encoder->setBuffer(b->buffer, 0, index);
    } else if (uploads[i].buffer) {
      encoder->setBuffer(uploads[i].buffer->buffer, static_cast<NS::UInteger>(uploads[i].offset), index);
    } else {
      // setBytes copies now. A whole number of 16-byte units, never empty: the MSL's runtime
      // arrays and structs are read in 16-byte-aligned pieces.
      alignas(16) unsigned char padded[Gpu::kSetBytesLimit] = {};
      if (arg.nbytes) std::memcpy(padded, arg.bytes, arg.nbytes);
      encoder->setBytes(padded, std::max<NS::UInteger>((arg.nbytes + 15) / 16 * 16, 16), index);
    }
  }
  if (kernel.push_constant_bytes) {
    // The MSL struct may be padded to its alignment (16 at most): pass a multiple of 16 bytes.
    alignas(16) unsigned char push[128] = {};
    std::memcpy(push, push_constants, kernel.push_constant_bytes);
    encoder->setBytes(push, (kernel.push_constant_bytes + 15) / 16 * 16, kernel.push_constant_metal_index);
  }
  encoder->dispatchThreadgroups(MTL::Size(groups_x, groups_y, groups_z),
                                MTL::Size(kernel.local_size[0], kernel.local_size[1], kernel.local_size[2]));
  if (++batch.launches >= Gpu::kBatchLaunches) gpu.submit();
}

/** Commits what is queued on `device` and waits for it (the host-access point calls it). */
inline void synchronize(int device) {
  if (Gpu* gpu = Runtime::get().made_gpu(device)) {
    LockGuard lock(gpu->mutex);
    Pool pool;
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

/** How many times the host has waited on the Metal queue. */
inline uint64_t host_waits() { return Gpu::g_host_waits.load(MemoryOrder::Relaxed); }

}  // namespace tessera::metal::detail

#endif  // TESSERA_METAL
