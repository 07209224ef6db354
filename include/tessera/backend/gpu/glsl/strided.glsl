// Element offsets of the operands of a strided kernel, from the sizes and strides in the meta
// buffer (docs/gpu.md, "Meta buffer"). Define META_BINDING before including.
#ifndef TESSERA_STRIDED_GLSL
#define TESSERA_STRIDED_GLSL

// meta.v: [ndim, sizes[ndim], strides of operand 0 [ndim], strides of operand 1 [ndim], ...],
// outermost dim first, in elements; operand 0 is the output. The host coalesces dims first, so
// a contiguous operand is one dim of stride 1, and broadcasting is a stride of 0.
layout(std430, binding = META_BINDING) readonly buffer Meta { int v[]; } meta;

/** The offsets (before the storage offsets) of element i of the output's shape, for the first
 *  `operands` operands. */
uvec4 strided_offsets(uint i, int operands) {
  const int ndim = meta.v[0];
  uvec4 off = uvec4(0u);
  uint rest = i;
  for (int d = ndim - 1; d >= 0; --d) {
    const uint size = uint(meta.v[1 + d]);
    const uint index = rest % size;
    rest /= size;
    for (int k = 0; k < operands; ++k) off[k] += index * uint(meta.v[1 + ndim * (1 + k) + d]);
  }
  return off;
}

#endif
