#pragma once
// The GPU device the GPU tests run on, and whether they may run: without a device they say so
// and pass, unless TESSERA_REQUIRE_VULKAN=1 (CI), where a missing device fails them.
//
// The same tests run on Metal when compiled with TESSERA_TEST_METAL=1 (tests/CMakeLists.txt does
// it when the CMake option TESSERA_METAL is on): kGpu is then metal:0, `vulkan_test::backend` is
// ts::metal::detail (the same has_float64, host_fallbacks, PlanKind, host_waits and synchronize
// as ts::vulkan::detail), `vulkan_test::Runtime` its runtime for GpuKernels' family functions,
// and TESSERA_REQUIRE_METAL=1 makes a missing device fail them.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#if defined(TESSERA_TEST_METAL) && TESSERA_TEST_METAL
#include <tessera/backend/metal/backend.hpp>
#else
#include <tessera/backend/vulkan/backend.hpp>
#endif
#include <tessera/tessera.hpp>

namespace vulkan_test {

#if defined(TESSERA_TEST_METAL) && TESSERA_TEST_METAL
namespace backend = ::tessera::metal::detail;
using Runtime = backend::MetalRuntime;
inline const ts::Device kGpu = ts::Device::metal(0);
inline constexpr const char* kBackend = "Metal";
inline constexpr const char* kRequire = "TESSERA_REQUIRE_METAL";
inline int gpu_count() { return ts::metal::device_count(); }
#else
namespace backend = ::tessera::vulkan::detail;
using Runtime = backend::VulkanRuntime;
inline const ts::Device kGpu = ts::Device::vulkan(0);
inline constexpr const char* kBackend = "Vulkan";
inline constexpr const char* kRequire = "TESSERA_REQUIRE_VULKAN";
inline int gpu_count() { return ts::vulkan::device_count(); }
#endif

inline bool have_device() {
  if (gpu_count() > 0) return true;
  const char* require = std::getenv(kRequire);
  if (require && std::string(require) == "1") {
    FAIL("no " << kBackend << " device, and " << kRequire << "=1");
  } else {
    WARN("no " << kBackend << " device: GPU tests skipped");
  }
  return false;
}

}  // namespace vulkan_test
