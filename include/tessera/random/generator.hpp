#pragma once
// Generator: a position in a random stream, Philox (the default) or PyTorch's MT19937; the
// default generator and the choice of its algorithm.

#include <cstdint>
#include <vector>

#include "../core/config.hpp"
#include "mt19937.hpp"
#include "philox.hpp"
#include "../parallel/mutex.hpp"

namespace tessera {

/** The algorithm behind a Generator. philox4x32_10 is counter based: values are a documented
 *  function of (seed, offset, index), the same on every device and thread count. mt19937 is
 *  PyTorch's CPU generator: samplers draw in PyTorch's order and give torch 1.13's CPU values
 *  (docs/random.md). */
enum class RngAlgorithm { philox4x32_10, mt19937 };

/** A generator's whole state: restoring it restores the exact stream. */
struct GeneratorState {
  uint64_t seed = 0;
  uint64_t offset = 0;  // Philox only
  RngAlgorithm algorithm = RngAlgorithm::philox4x32_10;
  // mt19937 only (empty for Philox): the 624 state words, then PyTorch's `left` and `next`.
  std::vector<uint32_t> mt19937;
  // mt19937 only: the second value of the last Box-Muller pair, kept for the next draw.
  bool has_next_float_normal = false, has_next_double_normal = false;
  float next_float_normal = 0;
  double next_double_normal = 0;
  bool operator==(const GeneratorState&) const = default;
};

namespace detail {
/** PyTorch's CPU generator: the engine and the cached second normal of a Box-Muller pair
 *  (Note [MT19937 stream]). */
struct Mt19937Stream {
  Mt19937 engine;
  bool has_float_normal = false, has_double_normal = false;
  float float_normal = 0;
  double double_normal = 0;
};
}  // namespace detail

// Note [Random streams]
// A Philox generator is (seed, offset). Draw number b of a generator, a 128-bit block, is
// philox4x32_10(counter = {lo(offset + b), hi(offset + b), 0, 0}, key = {lo(seed), hi(seed)}).
// A sampler that needs n blocks reserves them (the offset advances by exactly n) and element i
// of its result is a pure function of (seed, offset, i): threads only decide who computes it.
// Extra attempts of a rejection sampler use the same counter with the third word set to the
// attempt number, so they never collide with other draws. docs/random.md is the contract.
// An mt19937 generator is a sequential stream instead: a sampler locks it and draws in PyTorch's
// order (backend/cpu/mt19937_random.hpp), so it has no offset.
/** A random generator. Pass it by reference; copy its state with get_state(). */
class Generator {
 public:
  /** PyTorch's default seed. */
  static constexpr uint64_t kDefaultSeed = 67280421310721ull;

  explicit Generator(uint64_t seed = kDefaultSeed, RngAlgorithm algorithm = RngAlgorithm::philox4x32_10)
      : seed_(seed), algorithm_(algorithm) {
    if (algorithm_ == RngAlgorithm::mt19937) mt_.engine.seed_with(seed);
  }
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  /** Sets the seed and rewinds the stream (as torch.Generator.manual_seed for mt19937). */
  Generator& manual_seed(uint64_t seed) {
    detail::LockGuard lock(mutex_);
    seed_ = seed;
    offset_ = 0;
    if (algorithm_ == RngAlgorithm::mt19937) {
      mt_.engine.seed_with(seed);
      mt_.has_float_normal = mt_.has_double_normal = false;
    }
    return *this;
  }
  uint64_t seed() const {
    detail::LockGuard lock(mutex_);
    return seed_;
  }
  RngAlgorithm algorithm() const {
    detail::LockGuard lock(mutex_);
    return algorithm_;
  }
  /** Switches the algorithm and reseeds with the current seed. */
  Generator& set_algorithm(RngAlgorithm algorithm) {
    {
      detail::LockGuard lock(mutex_);
      algorithm_ = algorithm;
    }
    return manual_seed(seed());
  }
  /** The number of 128-bit blocks drawn since seeding (or set with set_offset); Philox only. */
  uint64_t offset() const {
    detail::LockGuard lock(mutex_);
    TS_CHECK(algorithm_ == RngAlgorithm::philox4x32_10, "Generator::offset: an mt19937 generator has no offset");
    return offset_;
  }
  void set_offset(uint64_t offset) {
    detail::LockGuard lock(mutex_);
    TS_CHECK(algorithm_ == RngAlgorithm::philox4x32_10, "Generator::set_offset: an mt19937 generator has no offset");
    offset_ = offset;
  }
  GeneratorState get_state() const {
    detail::LockGuard lock(mutex_);
    GeneratorState s;
    s.seed = seed_;
    s.offset = offset_;
    s.algorithm = algorithm_;
    if (algorithm_ == RngAlgorithm::mt19937) {
      const uint32_t* w = mt_.engine.words();
      s.mt19937.assign(w, w + detail::Mt19937::kWords);
      s.mt19937.push_back(static_cast<uint32_t>(mt_.engine.left()));
      s.mt19937.push_back(mt_.engine.next());
      s.has_next_float_normal = mt_.has_float_normal;
      s.next_float_normal = mt_.float_normal;
      s.has_next_double_normal = mt_.has_double_normal;
      s.next_double_normal = mt_.double_normal;
    }
    return s;
  }
  /** Restores a state from get_state(), of either algorithm (the generator takes its algorithm). */
  void set_state(const GeneratorState& state) {
    detail::LockGuard lock(mutex_);
    if (state.algorithm == RngAlgorithm::mt19937) {
      constexpr size_t n = detail::Mt19937::kWords;
      TS_CHECK(state.mt19937.size() == n + 2, "Generator::set_state: an mt19937 state holds ", n + 2, " words, got ",
               state.mt19937.size());
      detail::Mt19937Stream mt;
      TS_CHECK(mt.engine.restore(state.seed, state.mt19937.data(), static_cast<int>(state.mt19937[n]), state.mt19937[n + 1]),
               "Generator::set_state: Invalid mt19937 state");
      mt.has_float_normal = state.has_next_float_normal;
      mt.float_normal = state.next_float_normal;
      mt.has_double_normal = state.has_next_double_normal;
      mt.double_normal = state.next_double_normal;
      mt_ = mt;
    }
    algorithm_ = state.algorithm;
    seed_ = state.seed;
    offset_ = state.offset;
  }

  /** Reserves `blocks` consecutive Philox blocks; returns (seed, first offset). Thread-safe. */
  GeneratorState reserve(uint64_t blocks) {
    detail::LockGuard lock(mutex_);
    TS_CHECK(algorithm_ == RngAlgorithm::philox4x32_10, "Generator: this sampler needs a Philox generator");
    GeneratorState start;
    start.seed = seed_;
    start.offset = offset_;
    offset_ += blocks;
    return start;
  }

  /** Runs f(stream) on the mt19937 stream with the generator locked; returns what f returns. */
  template <class F>
  decltype(auto) with_mt19937(F&& f) {
    detail::LockGuard lock(mutex_);
    TS_CHECK(algorithm_ == RngAlgorithm::mt19937, "Generator: expected an mt19937 generator");
    return f(mt_);
  }

 private:
  mutable detail::Mutex mutex_;
  uint64_t seed_;
  uint64_t offset_ = 0;
  RngAlgorithm algorithm_;
  detail::Mt19937Stream mt_;
};

/** The generator used when none is passed; safe to use from several threads. */
inline Generator& default_generator() {
  static Generator* generator = new Generator();  // never destroyed: may be used by static destructors
  return *generator;
}

/** Seeds the default generator (and rewinds it), as torch.manual_seed. */
inline void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

/** Chooses the default generator's algorithm (Philox unless changed) and reseeds it with its
 *  current seed. After set_default_rng_algorithm(RngAlgorithm::mt19937), manual_seed(s) seeds it
 *  as torch.manual_seed(s) seeds PyTorch's CPU generator. */
inline void set_default_rng_algorithm(RngAlgorithm algorithm) { default_generator().set_algorithm(algorithm); }

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
