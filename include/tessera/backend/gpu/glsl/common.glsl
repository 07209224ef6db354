// Shared by every kernel family: extensions, the workgroup size, element types and their
// conversions to and from the type a kernel computes in (docs/gpu.md).
#ifndef TESSERA_COMMON_GLSL
#define TESSERA_COMMON_GLSL

#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require

// Threads per workgroup of the one-dimensional kernels. The host launches
// min(ceil(n / WG_SIZE), 65535) groups along x and every kernel strides over the rest
// (Note [Grid stride] in docs/gpu.md), so no launch exceeds Vulkan's minimum group count limit.
#define WG_SIZE 256

// Index math is 32-bit (the host refuses tensors of 2^31 elements or more); the grid-stride
// counter is unsigned so that i + stride cannot overflow below 2^32.
#define GRID_STRIDE_LOOP(i, n) \
  for (uint i = gl_GlobalInvocationID.x; i < uint(n); i += gl_NumWorkGroups.x * WG_SIZE)

#endif
