#pragma once
// Generator: a (seed, offset) pair naming a position in the Philox stream; the default one.

#include <cstdint>

#include "philox.hpp"
#include "../parallel/mutex.hpp"

namespace tessera {

/** A generator's whole state: restoring it restores the exact stream. */
struct GeneratorState {
  uint64_t seed = 0;
  uint64_t offset = 0;
  bool operator==(const GeneratorState&) const = default;
};

// Note [Random streams]
// A generator is (seed, offset). Draw number b of a generator, a 128-bit block, is
// philox4x32_10(counter = {lo(offset + b), hi(offset + b), 0, 0}, key = {lo(seed), hi(seed)}).
// A sampler that needs n blocks reserves them (the offset advances by exactly n) and element i
// of its result is a pure function of (seed, offset, i): threads only decide who computes it.
// Extra attempts of a rejection sampler use the same counter with the third word set to the
// attempt number, so they never collide with other draws. docs/random.md is the contract.
/** A counter-based random generator. Pass it by reference; copy its state with get_state(). */
class Generator {
 public:
  /** PyTorch's default seed. */
  static constexpr uint64_t kDefaultSeed = 67280421310721ull;

  explicit Generator(uint64_t seed = kDefaultSeed) : seed_(seed) {}
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  /** Sets the seed and rewinds the offset to 0. Returns the generator. */
  Generator& manual_seed(uint64_t seed) {
    detail::LockGuard lock(mutex_);
    seed_ = seed;
    offset_ = 0;
    return *this;
  }
  uint64_t seed() const {
    detail::LockGuard lock(mutex_);
    return seed_;
  }
  /** The number of 128-bit blocks drawn since seeding (or set with set_offset). */
  uint64_t offset() const {
    detail::LockGuard lock(mutex_);
    return offset_;
  }
  void set_offset(uint64_t offset) {
    detail::LockGuard lock(mutex_);
    offset_ = offset;
  }
  GeneratorState get_state() const {
    detail::LockGuard lock(mutex_);
    return {seed_, offset_};
  }
  void set_state(const GeneratorState& state) {
    detail::LockGuard lock(mutex_);
    seed_ = state.seed;
    offset_ = state.offset;
  }

  /** Reserves `blocks` consecutive blocks; returns (seed, first offset). Thread-safe. */
  GeneratorState reserve(uint64_t blocks) {
    detail::LockGuard lock(mutex_);
    const GeneratorState start{seed_, offset_};
    offset_ += blocks;
    return start;
  }

 private:
  mutable detail::Mutex mutex_;
  uint64_t seed_;
  uint64_t offset_ = 0;
};

/** The generator used when none is passed; safe to use from several threads. */
inline Generator& default_generator() {
  static Generator* generator = new Generator();  // never destroyed: may be used by static destructors
  return *generator;
}

/** Seeds the default generator (and rewinds it), as torch.manual_seed. */
inline void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

namespace detail {
/** Block `index` of the stream started at `state`, for rejection attempt `attempt`. */
inline void random_block(const GeneratorState& state, uint64_t index, uint32_t attempt, uint32_t out[4]) {
  const uint64_t c = state.offset + index;
  const uint32_t counter[4] = {static_cast<uint32_t>(c), static_cast<uint32_t>(c >> 32), attempt, 0};
  const uint32_t key[2] = {static_cast<uint32_t>(state.seed), static_cast<uint32_t>(state.seed >> 32)};
  philox_block(counter, key, out);
}
}  // namespace detail

}  // namespace tessera
