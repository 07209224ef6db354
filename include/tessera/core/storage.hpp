#pragma once
// Storage: refcounted bytes with their allocator and device; no shape, no dtype.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

#include "../parallel/atomic.hpp"
#include "allocator.hpp"
#include "small_blocks.hpp"

namespace tessera {
namespace detail {

// Note [Storage owns bytes only]
// As in c10::StorageImpl, a storage knows how many bytes it holds, how to free them and on
// which device they live; sizes, strides, offset and dtype belong to the tensors viewing it.
// The version counter lives here so that every view of the same bytes sees one count:
// autograd records it when it saves a tensor and compares at backward time.
struct StorageImpl {
  // Note [Inline bytes]
  // A CPU storage of at most kInlineBytes keeps its bytes here, in the block that holds its
  // metadata, 64-byte aligned like every other: a small op's result then costs two small
  // blocks (tensor and storage) instead of three.
  static constexpr size_t kInlineBytes = 64;
  alignas(64) unsigned char inline_bytes[kInlineBytes];
  DataPtr data;            // data.deleter is null for inline bytes and memory owned elsewhere
  size_t nbytes = 0;
  std::shared_ptr<void> release;  // runs a from_blob deleter when the last user is gone
  Atomic<uint64_t> version{0};

  StorageImpl() = default;
  StorageImpl(const StorageImpl&) = delete;
  StorageImpl& operator=(const StorageImpl&) = delete;
  ~StorageImpl() {
    if (data.deleter) data.deleter(data.data, data.context);
  }
};

}  // namespace detail

/** A refcounted block of bytes shared by every tensor that views it. */
class Storage {
 public:
  Storage() = default;
  explicit Storage(std::shared_ptr<detail::StorageImpl> impl) : impl_(std::move(impl)) {}

  /** Fresh, uninitialised bytes on `device`, from its allocator; errors name `op`. */
  static Storage allocate(size_t nbytes, Device device = Device::cpu(), const char* op = "Storage") {
    auto impl = std::allocate_shared<detail::StorageImpl>(detail::SmallObjectAllocator<detail::StorageImpl>{});
    if (device.is_cpu() && nbytes <= detail::StorageImpl::kInlineBytes) impl->data = {impl->inline_bytes, nullptr, nullptr, device};
    else impl->data = detail::allocate_on(device, nbytes, op);
    impl->nbytes = nbytes;
    return Storage(std::move(impl));
  }

  /** Wraps memory owned elsewhere (device memory when `device` is not the CPU); `deleter(data)`,
   *  when given (a callable, or nullptr or an empty std::function for none), runs when the last
   *  user is gone. */
  template <class Deleter = std::nullptr_t>
    requires std::is_same_v<Deleter, std::nullptr_t> || std::is_invocable_v<Deleter&, void*>
  static Storage from_blob(void* data, size_t nbytes, Deleter deleter = nullptr, Device device = Device::cpu()) {
    if (!device.is_cpu()) detail::device_allocator(device, "from_blob");  // throws when there is no backend
    auto impl = std::allocate_shared<detail::StorageImpl>(detail::SmallObjectAllocator<detail::StorageImpl>{});
    impl->data = {data, nullptr, nullptr, device};
    impl->nbytes = nbytes;
    if constexpr (!std::is_same_v<Deleter, std::nullptr_t>) {
      bool given = true;
      if constexpr (std::is_pointer_v<Deleter>) given = deleter != nullptr;
      else if constexpr (requires { deleter.operator bool(); }) given = static_cast<bool>(deleter);  // std::function
      if (given) impl->release = std::shared_ptr<void>(data, std::move(deleter));
    }
    return Storage(std::move(impl));
  }

  /** The bytes' address as the device's kernels see it; read or write them on the host through
   *  host_data() (Note [Host access]). */
  void* data() const { return impl_ ? impl_->data.data : nullptr; }
  /** The bytes' host address, once the device has finished writing them (Note [Host access]). */
  void* host_data() const {
    if (!impl_ || impl_->data.device.is_cpu()) [[likely]] return data();
    return detail::device_allocator(impl_->data.device, "host access").host_address(impl_->data);
  }
  const DataPtr& data_ptr() const { return impl_->data; }
  size_t nbytes() const { return impl_ ? impl_->nbytes : 0; }
  Device device() const { return impl_ ? impl_->data.device : Device::cpu(); }
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
