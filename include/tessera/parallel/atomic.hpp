#pragma once
// Atomic<T>: the atomic loads, stores and counters tessera uses, on the compiler's builtins.

namespace tessera::detail {

// std::atomic would do the same, but each of its members checks its memory-order argument in
// code that every program including tessera compiles; each member here is one builtin.
// A memory order that is not a compile-time constant is taken as sequentially consistent.
enum class MemoryOrder : int {
  Relaxed = __ATOMIC_RELAXED,
  Acquire = __ATOMIC_ACQUIRE,
  Release = __ATOMIC_RELEASE,
  AcqRel = __ATOMIC_ACQ_REL,
};

template <class T>
class Atomic {
 public:
  constexpr Atomic(T value = T{}) : value_(value) {}  // NOLINT: initialises like std::atomic
  Atomic(const Atomic&) = delete;
  Atomic& operator=(const Atomic&) = delete;

  T load(MemoryOrder order) const { return __atomic_load_n(&value_, static_cast<int>(order)); }
  void store(T value, MemoryOrder order) { __atomic_store_n(&value_, value, static_cast<int>(order)); }
  T fetch_add(T delta, MemoryOrder order) { return __atomic_fetch_add(&value_, delta, static_cast<int>(order)); }
  T fetch_sub(T delta, MemoryOrder order) { return __atomic_fetch_sub(&value_, delta, static_cast<int>(order)); }

 private:
  T value_;
};

}  // namespace tessera::detail
