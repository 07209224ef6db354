#pragma once
// Philox4x32-10 (Salmon, Moraes, Dror, Shaw, SC'11): the counter-based bijection behind every
// random number in tessera. The core is plain C++ with fixed-width types and no library calls,
// the subset a Metal kernel compiles too.

#include <array>
#include <cstdint>

namespace tessera {
namespace detail {

// Note [Philox]
// philox_block maps a 128-bit counter and a 64-bit key to 128 random bits in 10 rounds; each
// round multiplies two words by fixed constants, mixes the high halves with the other words and
// the key, and the key is bumped by the Weyl constants between rounds. It matches Random123's
// philox4x32_R(10, ...) bit for bit (tests/test_random.cpp checks against librandom123-dev).
inline void philox_block(const uint32_t counter[4], const uint32_t key_in[2], uint32_t out[4]) {
  uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
  uint32_t k0 = key_in[0], k1 = key_in[1];
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    const uint64_t p0 = static_cast<uint64_t>(0xD2511F53u) * c0;
    const uint64_t p1 = static_cast<uint64_t>(0xCD9E8D57u) * c2;
    const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

}  // namespace detail

/** The raw Philox4x32-10 bijection, identical to Random123's philox4x32_R(10, counter, key). */
inline std::array<uint32_t, 4> philox4x32_10(std::array<uint32_t, 4> counter, std::array<uint32_t, 2> key) {
  std::array<uint32_t, 4> out;
  detail::philox_block(counter.data(), key.data(), out.data());
  return out;
}

}  // namespace tessera
