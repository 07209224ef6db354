#pragma once
// The CPU allocator: 64-byte aligned blocks, small ones cached per thread, large ones cached
// for every thread; storage's CPU memory.

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#include "../../core/allocator.hpp"
#include "../../core/small_blocks.hpp"
#include "../../parallel/mutex.hpp"

namespace tessera {
namespace detail {

// Note [CPU block cache]
// A fresh large block costs a page fault per 4 KiB page when first touched (about 200 ms for
// 64 MiB on the reference machine), which would dominate every out-of-place op on large
// tensors. Blocks of at least kCachedBlockBytes (64 KiB, where glibc starts to map fresh pages)
// are therefore rounded up to a multiple of 4 KiB, or of 2 MiB and advised to use transparent
// huge pages from 2 MiB on, and kept on free lists when released; the next request of the same
// rounded size reuses one (a training step allocates the same sizes every time). The cache holds at most
// kMaxCachedBytes; ts::empty_cache() returns all of it to the system.
class CpuAllocator {
 public:
  static constexpr size_t kAlignment = 64;
  static constexpr size_t kCachedBlockBytes = size_t{64} << 10;
  static constexpr size_t kPage = size_t{4} << 10;
  static constexpr size_t kHugePage = size_t{2} << 20;
  static constexpr size_t kMaxCachedBytes = size_t{2} << 30;
  static constexpr size_t kMaxBlockBytes = size_t{1} << 62;

  [[noreturn, gnu::cold, gnu::noinline]] static void throw_out_of_memory(const char* op, size_t nbytes) {
    throw_error(op, ": can't allocate memory: you tried to allocate ", nbytes, " bytes");
  }

  static CpuAllocator& instance() {
    static CpuAllocator* allocator = new CpuAllocator;  // never destroyed: tensors may outlive statics
    return *allocator;
  }

  /** Returns the block and sets `capacity` to the size to pass back to deallocate(); a ts::Error
   *  naming `op` and the bytes when the system has none to give. */
  void* allocate(size_t nbytes, size_t& capacity, const char* op = "allocate") {
    if (nbytes < kCachedBlockBytes) {
      if (nbytes <= SmallBlockCache::kMaxBlock) {
        const int c = SmallBlockCache::class_of(std::max<size_t>(nbytes, 1));
        capacity = SmallBlockCache::class_bytes(c);
        return SmallBlockCache::allocate(c);
      }
      capacity = round_up(nbytes, kAlignment);
      void* p = std::aligned_alloc(kAlignment, capacity);
      if (!p) throw_out_of_memory(op, nbytes);
      return p;
    }
    const bool huge = nbytes >= kHugePage;
    if (nbytes > kMaxBlockBytes) throw_out_of_memory(op, nbytes);  // rounding it up would overflow
    capacity = round_up(nbytes, huge ? kHugePage : kPage);
    {
      LockGuard lock(mutex_);
      for (CachedBlock** link = &free_[bucket_of(capacity)]; *link; link = &(*link)->next) {
        if (CachedBlock* block = *link; block->capacity == capacity) {
          *link = block->next;
          cached_bytes_ -= capacity;
          return block;
        }
      }
    }
    void* p = std::aligned_alloc(huge ? kHugePage : kPage, capacity);
    if (!p) throw_out_of_memory(op, nbytes);
#ifdef MADV_HUGEPAGE
    if (huge) madvise(p, capacity, MADV_HUGEPAGE);
#endif
    return p;
  }

  void deallocate(void* p, size_t capacity) {
    if (capacity <= SmallBlockCache::kMaxBlock) return SmallBlockCache::deallocate(p, SmallBlockCache::class_of(capacity));
    if (capacity >= kCachedBlockBytes) {
      LockGuard lock(mutex_);
      if (cached_bytes_ + capacity <= kMaxCachedBytes) {
        CachedBlock*& head = free_[bucket_of(capacity)];
        head = new (p) CachedBlock{head, capacity};
        cached_bytes_ += capacity;
        return;
      }
    }
    std::free(p);
  }

  /** Frees every cached large block and the calling thread's small ones. */
  void empty_cache() {
    SmallBlockCache::release();
    LockGuard lock(mutex_);
    for (CachedBlock*& head : free_) {
      while (CachedBlock* block = head) {
        head = block->next;
        std::free(block);
      }
    }
    cached_bytes_ = 0;
  }

  size_t cached_bytes() {
    LockGuard lock(mutex_);
    return cached_bytes_;
  }

 private:
  static size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

  // A cached block keeps its free-list link in its own first bytes; blocks are hashed by size
  // into a few lists, so a lookup walks only blocks of sizes with the same hash.
  struct CachedBlock {
    CachedBlock* next;
    size_t capacity;
  };
  static constexpr size_t kBuckets = 64;
  static size_t bucket_of(size_t capacity) { return (capacity / kPage) % kBuckets; }

  Mutex mutex_;
  CachedBlock* free_[kBuckets] = {};
  size_t cached_bytes_ = 0;
};

/** Bytes from the CPU allocator for the length of a scope: working memory of a kernel, which
 *  the large-block cache hands back without page faults when the kernel runs again. Zero
 *  bytes allocate nothing. */
class ScratchBuffer {
 public:
  explicit ScratchBuffer(size_t bytes)
      : data_(bytes ? CpuAllocator::instance().allocate(bytes, capacity_) : nullptr) {}
  ~ScratchBuffer() {
    if (data_) CpuAllocator::instance().deallocate(data_, capacity_);
  }
  ScratchBuffer(const ScratchBuffer&) = delete;
  ScratchBuffer& operator=(const ScratchBuffer&) = delete;
  template <class T>
  T* as() const { return static_cast<T*>(data_); }

 private:
  size_t capacity_ = 0;  // before data_: allocate() sets it
  void* data_;
};

/** The CPU's memory as storage takes it: a block from CpuAllocator, whose address is the host
 *  address, freed back to it. */
inline DataPtr cpu_allocate(size_t nbytes, const char* op) {
  size_t capacity = 0;
  void* p = CpuAllocator::instance().allocate(nbytes, capacity, op);
  return {p, reinterpret_cast<void*>(capacity),
          [](void* block, void* block_capacity) {
            CpuAllocator::instance().deallocate(block, reinterpret_cast<size_t>(block_capacity));
          },
          Device::cpu()};
}

inline const bool g_cpu_allocator_registered = (g_cpu_allocate = &cpu_allocate, true);

}  // namespace detail

/** Returns the CPU allocator's cached blocks to the system, and the caches of every other
 *  registered device to that device (see docs/memory.md). */
inline void empty_cache() {
  detail::CpuAllocator::instance().empty_cache();
  for (DeviceAllocator* allocator : detail::g_device_allocators)  // the CPU has none: its memory is built in
    if (allocator) allocator->empty_cache();
}

}  // namespace tessera
