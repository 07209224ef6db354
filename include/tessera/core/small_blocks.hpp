#pragma once
// Host memory for small objects (tensor, storage and node metadata, inline bytes): 64-byte
// aligned blocks in power-of-two size classes, cached per thread.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#include "config.hpp"

namespace tessera {
namespace detail {

// Note [Small block cache]
// A small op's cost is mostly its allocations: the result's bytes and the tensor and storage
// metadata, three blocks freed again a few nanoseconds later. glibc serves a 64-byte-aligned
// request through its slow memalign path, which alone made a 4-element add twice as slow. So
// blocks of at most 32 KiB come in power-of-two size classes (64 B to 32 KiB) from per-thread free
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
  static int class_of(size_t n) { return n <= kMinBlock ? 0 : static_cast<int>(std::bit_width(n - 1)) - 6; }
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
}  // namespace tessera
