// Philox4x32-10 (random/philox.hpp, Note [Philox]) and tessera's stream of blocks
// (Note [Random streams] in random/generator.hpp), for the random kernels.
// Plain C++ as well as GLSL (with the built-ins uvec2, uvec4 and umulExtended supplied), so that
// tests compare it with ts::philox4x32_10 where no device exists.
#ifndef TESSERA_PHILOX_GLSL
#define TESSERA_PHILOX_GLSL

/** philox4x32_10(counter, key): the same 128 bits as Random123's philox4x32_R(10, ...). Each
 *  round needs both halves of two 32 x 32 -> 64-bit products: umulExtended gives them without
 *  64-bit multiplies (spirv-cross writes Metal's mulhi and a multiply for it). */
uvec4 philox4x32_10(uvec4 counter, uvec2 key) {
  uint c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
  uint k0 = key[0], k1 = key[1];
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    uint hi0, lo0, hi1, lo1;
    umulExtended(0xD2511F53u, c0, hi0, lo0);
    umulExtended(0xCD9E8D57u, c2, hi1, lo1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  return uvec4(c0, c1, c2, c3);
}

/** Block `index` of the stream that starts at (seed, offset), for rejection attempt `attempt`:
 *  counter {lo(offset + index), hi(offset + index), attempt, 0}, key {lo(seed), hi(seed)}, as
 *  detail::random_block computes it. */
uvec4 random_block(uint64_t seed, uint64_t offset, uint index, uint attempt) {
  const uint64_t c = offset + uint64_t(index);
  return philox4x32_10(uvec4(uint(c), uint(c >> 32), attempt, 0u), uvec2(uint(seed), uint(seed >> 32)));
}

#endif
