#pragma once
// The 32-bit Mersenne Twister (Matsumoto and Nishimura, 1998) as PyTorch's CPU generator runs it:
// the engine behind ts::RngAlgorithm::mt19937.

#include <cstdint>

namespace tessera::detail {

// Note [MT19937 stream]
// The engine is the reference MT19937 (init_genrand seeding), so its words equal those of
// std::mt19937 and of PyTorch's at::mt19937 for the same 32-bit seed. A 64-bit seed is kept
// whole (seed() returns it) but only its low 32 bits seed the state, as PyTorch does. `left_`
// and `next_` follow PyTorch's bookkeeping (left_ is 1 right after seeding, and a word is
// produced after decrementing it), so a saved state round-trips with torch.get_rng_state's
// fields. Samplers take words one at a time (operator()) or in runs (fill), with the same result.
class Mt19937 {
 public:
  static constexpr int kWords = 624;
  static constexpr int kShift = 397;

  /** Unseeded (all-zero words) until seed_with. */
  Mt19937() = default;
  explicit Mt19937(uint64_t seed) { seed_with(seed); }

  void seed_with(uint64_t seed) {
    seed_ = seed;
    state_[0] = static_cast<uint32_t>(seed);
    for (int j = 1; j < kWords; ++j) state_[j] = 1812433253u * (state_[j - 1] ^ (state_[j - 1] >> 30)) + static_cast<uint32_t>(j);
    left_ = 1;
    next_ = 0;
  }

  /** The next 32-bit word. */
  uint32_t operator()() {
    if (--left_ == 0) {
      twist();
      left_ = kWords;
      next_ = 0;
    }
    return temper(state_[next_++]);
  }
  /** Two words as one: the first is the high half (PyTorch's random64). */
  uint64_t next64() {
    const uint64_t hi = (*this)();
    return (hi << 32) | (*this)();
  }

  /** Calls f(words, count) on runs of consecutive raw (untempered) words until n are used; the
   *  caller tempers them (temper()). Same words as n calls of operator(). */
  template <class F>
  void for_runs(int64_t n, F&& f) {
    while (n > 0) {
      if (left_ == 1) {
        twist();
        next_ = 0;
        left_ = kWords + 1;
      }
      const int64_t m = n < left_ - 1 ? n : left_ - 1;
      f(state_ + next_, m);
      next_ += static_cast<uint32_t>(m);
      left_ -= static_cast<int>(m);
      n -= m;
    }
  }

  static uint32_t temper(uint32_t y) {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    return y ^ (y >> 18);
  }

  uint64_t seed() const { return seed_; }
  const uint32_t* words() const { return state_; }
  int left() const { return left_; }
  uint32_t next() const { return next_; }
  /** Restores a state read with words(), left() and next(); false (unchanged) if it is invalid. */
  bool restore(uint64_t seed, const uint32_t* words, int left, uint32_t next) {
    if (left <= 0 || left > kWords || next > static_cast<uint32_t>(kWords)) return false;
    seed_ = seed;
    for (int j = 0; j < kWords; ++j) state_[j] = words[j];
    left_ = left;
    next_ = next;
    return true;
  }

 private:
  static uint32_t mix(uint32_t u, uint32_t v) {
    const uint32_t y = (u & 0x80000000u) | (v & 0x7fffffffu);
    return (y >> 1) ^ ((v & 1u) ? 0x9908b0dfu : 0u);
  }
  // Four words at a time where the recurrence allows it: word j reads j + 1 (not yet rewritten)
  // and j + 397 or j - 227 (rewritten at least 227 words earlier), so lanes never depend on
  // each other; the same words as the one-at-a-time loop.
  using U4 = uint32_t __attribute__((vector_size(16)));
  U4 load4(int i) const {
    U4 v;
    __builtin_memcpy(&v, state_ + i, sizeof v);
    return v;
  }
  static U4 mix4(U4 u, U4 v) {
    const U4 y = (u & 0x80000000u) | (v & 0x7fffffffu);
    return (y >> 1) ^ ((U4{} - (v & 1u)) & 0x9908b0dfu);
  }
  void twist() {
    int j = 0;
    for (; j + 4 <= kWords - kShift; j += 4) {
      const U4 w = load4(j + kShift) ^ mix4(load4(j), load4(j + 1));
      __builtin_memcpy(state_ + j, &w, sizeof w);
    }
    for (; j < kWords - kShift; ++j) state_[j] = state_[j + kShift] ^ mix(state_[j], state_[j + 1]);
    for (; j + 4 <= kWords - 1; j += 4) {
      const U4 w = load4(j + kShift - kWords) ^ mix4(load4(j), load4(j + 1));
      __builtin_memcpy(state_ + j, &w, sizeof w);
    }
    for (; j < kWords - 1; ++j) state_[j] = state_[j + kShift - kWords] ^ mix(state_[j], state_[j + 1]);
    state_[kWords - 1] = state_[kShift - 1] ^ mix(state_[kWords - 1], state_[0]);
  }

  uint64_t seed_ = 0;
  int left_ = 1;
  uint32_t next_ = 0;
  uint32_t state_[kWords] = {};
};

}  // namespace tessera::detail
