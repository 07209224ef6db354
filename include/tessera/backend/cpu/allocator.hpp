#pragma once
// The CPU allocator: 64-byte aligned blocks, with large blocks cached for reuse.

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>

#include "../../core/config.hpp"

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

  static CpuAllocator& instance() {
    static CpuAllocator* allocator = new CpuAllocator;  // never destroyed: tensors may outlive statics
    return *allocator;
  }

  /** Returns the block and sets `capacity` to the size to pass back to deallocate(). */
  void* allocate(size_t nbytes, size_t& capacity) {
    if (nbytes < kCachedBlockBytes) {
      capacity = round_up(std::max<size_t>(nbytes, 1), kAlignment);
      void* p = std::aligned_alloc(kAlignment, capacity);
      if (!p) throw std::bad_alloc();
      return p;
    }
    const bool huge = nbytes >= kHugePage;
    capacity = round_up(nbytes, huge ? kHugePage : kPage);
    {
      std::lock_guard lock(mutex_);
      if (auto it = free_.find(capacity); it != free_.end()) {
        void* p = it->second;
        free_.erase(it);
        cached_bytes_ -= capacity;
        return p;
      }
    }
    void* p = std::aligned_alloc(huge ? kHugePage : kPage, capacity);
    if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    if (huge) madvise(p, capacity, MADV_HUGEPAGE);
#endif
    return p;
  }

  void deallocate(void* p, size_t capacity) {
    if (capacity >= kCachedBlockBytes) {
      std::lock_guard lock(mutex_);
      if (cached_bytes_ + capacity <= kMaxCachedBytes) {
        free_.emplace(capacity, p);
        cached_bytes_ += capacity;
        return;
      }
    }
    std::free(p);
  }

  /** Frees every cached block. */
  void empty_cache() {
    std::lock_guard lock(mutex_);
    for (auto& [size, p] : free_) std::free(p);
    free_.clear();
    cached_bytes_ = 0;
  }

  size_t cached_bytes() {
    std::lock_guard lock(mutex_);
    return cached_bytes_;
  }

 private:
  static size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }
  std::mutex mutex_;
  std::multimap<size_t, void*> free_;
  size_t cached_bytes_ = 0;
};

}  // namespace detail

/** Returns the CPU allocator's cached blocks to the system (see docs/memory.md). */
inline void empty_cache() { detail::CpuAllocator::instance().empty_cache(); }

}  // namespace tessera
