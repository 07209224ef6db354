#pragma once
// The CPU allocator: 64-byte aligned blocks, small ones cached per thread, large ones cached
// for every thread.

#include <sys/mman.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>

#include "../../core/config.hpp"
#include "../../parallel/mutex.hpp"

namespace tessera {
namespace detail {

// Note [Small block cache]
// A small op's cost is mostly its allocations: the result's bytes and the tensor and storage
// metadata, three blocks freed again a few nanoseconds later. glibc serves a 64-byte-aligned
// request through its slow memalign path, which alone made a 4-element add twice as slow. So
// blocks under 64 KiB come in power-of-two size classes (64 B to 32 KiB) from per-thread free
// lists: popping one is a load and a store. A block freed on another thread joins that thread's
// list. Each list keeps at most 256 KiB, so a thread holds at most 2.5 MiB; a thread's lists
// are returned to the system when it exits or calls ts::empty_cache(). Under AddressSanitizer
// nothing is cached, so that a use after free is still caught.
class SmallBlockCache {
 public:
  static constexpr size_t kMinBlock = 64;
  static constexpr int kClasses = 10;  // 64 B << 0 .. 64 B << 9 = 32 KiB
  static constexpr size_t kMaxBlock = kMinBlock << (kClasses - 1);
  static constexpr size_t kBytesPerClass = size_t{256} << 10;

  /** The size class of a request of n bytes (0 < n <= kMaxBlock). */
  static int class_of(size_t n) { return n <= kMinBlock ? 0 : std::bit_width(n - 1) - 6; }
  static size_t class_bytes(int c) { return kMinBlock << c; }

  /** A 64-byte aligned block of class_bytes(c) bytes. */
  static void* allocate(int c) {
    Lists& lists = lists_;
    if constexpr (kEnabled) {
      if (FreeBlock* block = lists.head[c]) {
        lists.head[c] = block->next;
        --lists.count[c];
        return block;
      }
    }
    void* p = std::aligned_alloc(kMinBlock, class_bytes(c));
    if (!p) throw std::bad_alloc();
    return p;
  }

  static void deallocate(void* p, int c) {
    Lists& lists = lists_;
    if constexpr (kEnabled) {
      if (lists.count[c] < kBytesPerClass / class_bytes(c) && !lists.dead) {
        if (lists.count[c] == 0) touch_flusher();
        auto* block = static_cast<FreeBlock*>(p);
        block->next = lists.head[c];
        lists.head[c] = block;
        ++lists.count[c];
        return;
      }
    }
    std::free(p);
  }

  /** A 64-byte aligned block of at least n bytes: from size class class_of(n) up to kMaxBlock,
   *  else from operator new. */
  static void* allocate_bytes(size_t n) {
    if (n > kMaxBlock) return ::operator new(n, std::align_val_t{kMinBlock});
    return allocate(class_of(n));
  }
  /** Frees a block from allocate_bytes(n). */
  static void deallocate_bytes(void* p, size_t n) {
    if (n > kMaxBlock) return ::operator delete(p, std::align_val_t{kMinBlock});
    deallocate(p, class_of(n));
  }

  /** Frees the calling thread's cached blocks. */
  static void release() {
    Lists& lists = lists_;
    for (int c = 0; c < kClasses; ++c) {
      while (FreeBlock* block = lists.head[c]) {
        lists.head[c] = block->next;
        std::free(block);
      }
      lists.count[c] = 0;
    }
  }

  /** Bytes the calling thread holds in its lists. */
  static size_t cached_bytes() {
    size_t total = 0;
    for (int c = 0; c < kClasses; ++c) total += lists_.count[c] * class_bytes(c);
    return total;
  }

 private:
#if defined(__SANITIZE_ADDRESS__)
  static constexpr bool kEnabled = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  static constexpr bool kEnabled = false;
#else
  static constexpr bool kEnabled = true;
#endif
#else
  static constexpr bool kEnabled = true;
#endif

  struct FreeBlock {
    FreeBlock* next;
  };
  // Trivially destructible, so it stays usable while other thread_locals are destroyed; the
  // flusher empties it at thread exit and marks it dead, after which blocks go straight back.
  struct Lists {
    FreeBlock* head[kClasses];
    uint32_t count[kClasses];
    bool dead;
  };
  struct Flusher {
    ~Flusher() {
      release();
      lists_.dead = true;
    }
  };
  static void touch_flusher() {
    static thread_local Flusher flusher;
    (void)flusher;
  }
  static inline thread_local constinit Lists lists_{};
};

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
      if (nbytes <= SmallBlockCache::kMaxBlock) {
        const int c = SmallBlockCache::class_of(std::max<size_t>(nbytes, 1));
        capacity = SmallBlockCache::class_bytes(c);
        return SmallBlockCache::allocate(c);
      }
      capacity = round_up(nbytes, kAlignment);
      void* p = std::aligned_alloc(kAlignment, capacity);
      if (!p) throw std::bad_alloc();
      return p;
    }
    const bool huge = nbytes >= kHugePage;
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
    if (!p) throw std::bad_alloc();
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

/** An STL allocator drawing from the small block cache: tensor and storage metadata use it. */
template <class T>
struct SmallObjectAllocator {
  using value_type = T;
  static_assert(alignof(T) <= SmallBlockCache::kMinBlock);
  SmallObjectAllocator() = default;
  template <class U>
  SmallObjectAllocator(const SmallObjectAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(SmallBlockCache::allocate_bytes(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { SmallBlockCache::deallocate_bytes(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const SmallObjectAllocator<U>&) const { return true; }
};

}  // namespace detail

/** Returns the CPU allocator's cached blocks to the system (see docs/memory.md). */
inline void empty_cache() { detail::CpuAllocator::instance().empty_cache(); }

}  // namespace tessera
