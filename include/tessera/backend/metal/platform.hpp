#pragma once
// Whether the Metal backend's code is compiled: TESSERA_METAL is 1 on Apple platforms and 0
// elsewhere unless the build defines it (docs/metal.md). With 0 the backend's headers hold
// nothing but ts::metal::is_available(), which is then false.

#ifndef TESSERA_METAL
#if defined(__APPLE__)
#define TESSERA_METAL 1
#else
#define TESSERA_METAL 0
#endif
#endif

#if TESSERA_METAL
#if defined(__has_include)
#if !__has_include(<Metal/Metal.hpp>)
#error "tessera's Metal backend needs Apple's metal-cpp: add the folder holding Foundation/, Metal/ and QuartzCore/ to the include path (CMake: -DTESSERA_METAL=ON fetches it; docs/metal.md), or define TESSERA_METAL=0"
#endif
#endif
#endif
