#pragma once
// Storage: refcounted bytes with their allocator and device; no shape, no dtype.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

#include "../backend/cpu/allocator.hpp"
#include "../parallel/atomic.hpp"
#include "device.hpp"

namespace tessera {
namespace detail {

// Note [Storage owns bytes only]
// As in c10::StorageImpl, a storage knows how many bytes it holds, how to free them and on
// which device they live; sizes, strides, offset and dtype belong to the tensors viewing it.
// The version counter lives here so that every view of the same bytes sees one count:
// autograd records it when it saves a tensor and compares at backward time.
struct StorageImpl {
  // Note [Inline bytes]
  // A storage of at most kInlineBytes keeps its bytes here, in the block that holds its
  // metadata, 64-byte aligned like every other: a small op's result then costs two small
  // blocks (tensor and storage) instead of three.
  static constexpr size_t kInlineBytes = 64;
  alignas(64) unsigned char inline_bytes[kInlineBytes];
  void* data = nullptr;
  size_t nbytes = 0;
  Device device;
  size_t capacity = 0;     // of a block from CpuAllocator
  bool borrowed = false;   // memory owned elsewhere (from_blob): never freed here
  std::shared_ptr<void> release;  // runs a from_blob deleter when the last user is gone
  Atomic<uint64_t> version{0};

  StorageImpl() = default;
  StorageImpl(const StorageImpl&) = delete;
  StorageImpl& operator=(const StorageImpl&) = delete;
  ~StorageImpl() {
    if (!borrowed && data && data != inline_bytes) CpuAllocator::instance().deallocate(data, capacity);
  }
};

}  // namespace detail

/** A refcounted block of bytes shared by every tensor that views it. */
class Storage {
 public:
  Storage() = default;
  explicit Storage(std::shared_ptr<detail::StorageImpl> impl) : impl_(std::move(impl)) {}

  /** Fresh, uninitialised CPU bytes. */
  static Storage allocate(size_t nbytes, Device device = Device::cpu()) {
    TS_CHECK(device.is_cpu(), "Storage: cannot allocate on ", device, ": no Metal device is available");
    auto impl = std::allocate_shared<detail::StorageImpl>(detail::SmallObjectAllocator<detail::StorageImpl>{});
    if (nbytes <= detail::StorageImpl::kInlineBytes) impl->data = impl->inline_bytes;
    else impl->data = detail::CpuAllocator::instance().allocate(nbytes, impl->capacity);
    impl->nbytes = nbytes;
    impl->device = device;
    return Storage(std::move(impl));
  }

  /** Wraps memory owned elsewhere; `deleter(data)`, when given (a callable, or nullptr or an
   *  empty std::function for none), runs when the last user is gone. */
  template <class Deleter = std::nullptr_t>
    requires std::is_same_v<Deleter, std::nullptr_t> || std::is_invocable_v<Deleter&, void*>
  static Storage from_blob(void* data, size_t nbytes, Deleter deleter = nullptr, Device device = Device::cpu()) {
    auto impl = std::allocate_shared<detail::StorageImpl>(detail::SmallObjectAllocator<detail::StorageImpl>{});
    impl->data = data;
    impl->nbytes = nbytes;
    impl->device = device;
    impl->borrowed = true;
    if constexpr (!std::is_same_v<Deleter, std::nullptr_t>) {
      bool given = true;
      if constexpr (requires { static_cast<bool>(deleter); }) given = static_cast<bool>(deleter);
      if (given) impl->release = std::shared_ptr<void>(data, std::move(deleter));
    }
    return Storage(std::move(impl));
  }

  void* data() const { return impl_ ? impl_->data : nullptr; }
  size_t nbytes() const { return impl_ ? impl_->nbytes : 0; }
  Device device() const { return impl_ ? impl_->device : Device::cpu(); }
  /** How many tensors (and Storage handles) share these bytes. */
  long use_count() const { return impl_.use_count(); }
  bool defined() const { return impl_ != nullptr; }
  bool is_alias_of(const Storage& other) const { return impl_ == other.impl_; }

  uint64_t version() const { return impl_->version.load(detail::MemoryOrder::Relaxed); }
  void bump_version() const { impl_->version.fetch_add(1, detail::MemoryOrder::Relaxed); }

 private:
  std::shared_ptr<detail::StorageImpl> impl_;
};

}  // namespace tessera
