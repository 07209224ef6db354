#pragma once
// Tensor hooks: functions run on a tensor's gradient during backward (Tensor::register_hook), and
// the handles that remove them.

#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>
// std::function alone (see optim/scheduler.hpp).
#if defined(__GLIBCXX__) && __has_include(<bits/std_function.h>)
#include <bits/std_function.h>
#else
#include <functional>
#endif

#include "../core/any_tensor.hpp"
#include "../parallel/mutex.hpp"

namespace tessera {
namespace detail {

// Note [Tensor hooks]
// A tensor's hooks live in one list on its autograd state, in registration order, shared with the
// node that runs them: a leaf's AccumulateGrad reads the leaf's list, and a non-leaf's list is
// registered on its grad_fn with the output number (Node::pre_hooks), as PyTorch 1.13 does. They
// run when the node runs, on the gradient summed over all uses of the tensor, each on the result
// of the one before. retain_grad() is an entry of the same list (PyTorch 1.13: hooks registered
// after it do not change the retained .grad). As in 1.13, the list stays with the grad_fn it was
// made for when an in-place op gives the tensor a new one (later hooks join it there), while
// retain_grad's entry moves to the new grad_fn (set_history). Entries are read under the list's
// mutex and run outside it, so backward passes on several threads may run one tensor's hooks at
// once.
/** A list of hooks that a RemovableHandle can take one out of. */
struct HookList {
  virtual ~HookList() = default;
  virtual void remove(uint64_t id) = 0;
};

struct TensorHooks final : HookList {
  struct Entry {
    uint64_t id = 0;
    std::function<AnyTensor(const AnyTensor&)> fn;  // undefined result: the gradient is kept
    std::weak_ptr<TensorImpl> retain;               // set for retain_grad's entry instead of fn
  };
  Mutex mutex;
  std::vector<Entry> entries;
  uint64_t next_id = 0;

  uint64_t add(Entry e) {
    LockGuard lock(mutex);
    e.id = next_id++;
    entries.push_back(std::move(e));
    return entries.back().id;
  }
  void remove(uint64_t id) override {
    LockGuard lock(mutex);
    for (size_t i = 0; i < entries.size(); ++i)
      if (entries[i].id == id) {
        entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(i));
        return;
      }
  }
  /** Takes out retain_grad's entry for `target` (its history moves to a new node). */
  void remove_retain(const TensorImpl* target) {
    LockGuard lock(mutex);
    for (size_t i = 0; i < entries.size(); ++i)
      if (!entries[i].fn && entries[i].retain.lock().get() == target) {
        entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(i));
        return;
      }
  }
  std::vector<Entry> snapshot() {
    LockGuard lock(mutex);
    return entries;
  }
};

/** The tensor's hook list, made on first use. */
inline const std::shared_ptr<TensorHooks>& tensor_hooks(AutogradMeta& meta) {
  if (!meta.hooks) meta.hooks = std::make_shared<TensorHooks>();
  return meta.hooks;
}

}  // namespace detail

namespace autograd {

/** What register_hook (and a module's register_forward_hook) returns
 *  (torch.utils.hooks.RemovableHandle): remove() unregisters the hook; removing twice, or after
 *  the tensor or module died, does nothing. */
class RemovableHandle {
 public:
  RemovableHandle() = default;
  RemovableHandle(std::weak_ptr<detail::HookList> hooks, uint64_t id) : hooks_(std::move(hooks)), id_(id) {}
  void remove() {
    if (auto h = hooks_.lock()) h->remove(id_);
    hooks_.reset();
  }

 private:
  std::weak_ptr<detail::HookList> hooks_;
  uint64_t id_ = 0;
};

}  // namespace autograd
}  // namespace tessera
