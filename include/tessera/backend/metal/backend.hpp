#pragma once
// Registers the Metal backend: include this header in one translation unit of a program that
// runs tensors on Device::metal() (docs/metal.md). The device is looked for at the first
// device_count() or allocation. On platforms other than Apple's (TESSERA_METAL 0) it registers
// nothing and ts::metal::is_available() stays false.
//
// Note [metal-cpp implementation]
// metal-cpp needs one translation unit of the program to define NS_PRIVATE_IMPLEMENTATION,
// MTL_PRIVATE_IMPLEMENTATION and CA_PRIVATE_IMPLEMENTATION before including its headers (it
// then defines its selector and class tables there). This header does it, so it must come
// before any other metal-cpp include of its translation unit, and only one translation unit may
// include it that way. A program that provides metal-cpp's implementation itself, or includes
// this header in more than one unit, defines TESSERA_METAL_NO_PRIVATE_IMPLEMENTATION (in every
// unit but the one that provides it). The CMake option TESSERA_METAL does that for every target
// and compiles one unit with the implementation itself.

#include "metal.hpp"
#include "platform.hpp"

#if TESSERA_METAL

#if !defined(TESSERA_METAL_NO_PRIVATE_IMPLEMENTATION)
#if (defined(_NS_PRIVATE_CLS) && !defined(NS_PRIVATE_IMPLEMENTATION)) || \
    (defined(_MTL_PRIVATE_CLS) && !defined(MTL_PRIVATE_IMPLEMENTATION))
#error "include <tessera/backend/metal/backend.hpp> before any metal-cpp header, or define TESSERA_METAL_NO_PRIVATE_IMPLEMENTATION and provide metal-cpp's implementation in one translation unit (docs/metal.md)"
#endif
#ifndef NS_PRIVATE_IMPLEMENTATION
#define NS_PRIVATE_IMPLEMENTATION
#endif
#ifndef MTL_PRIVATE_IMPLEMENTATION
#define MTL_PRIVATE_IMPLEMENTATION
#endif
#ifndef CA_PRIVATE_IMPLEMENTATION
#define CA_PRIVATE_IMPLEMENTATION
#endif
#include <Foundation/Foundation.hpp>
#include <Metal/Metal.hpp>
#include <QuartzCore/QuartzCore.hpp>
#endif

#include "../dispatch.hpp"
#include "allocator.hpp"
#include "kernels.hpp"  // the kernels of every family: MetalKernels

namespace tessera::metal::detail {

// Registering stores two pointers: the device is looked for at the first device_count() or
// allocation (Note [Metal device]).
inline constinit MetalAllocator g_allocator;
inline constinit MetalKernels g_kernels;
inline const bool g_registered = (register_device_backend(DeviceType::Metal, &g_allocator, &g_kernels), true);

}  // namespace tessera::metal::detail

#endif  // TESSERA_METAL
