#pragma once
// The Vulkan device the GPU tests run on, and whether they may run: without a device they say so
// and pass, unless TESSERA_REQUIRE_VULKAN=1 (CI), where a missing device fails them.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include <tessera/backend/vulkan/backend.hpp>
#include <tessera/tessera.hpp>

namespace vulkan_test {

inline const ts::Device kGpu = ts::Device::vulkan(0);

inline bool have_device() {
  if (ts::vulkan::device_count() > 0) return true;
  const char* require = std::getenv("TESSERA_REQUIRE_VULKAN");
  if (require && std::string(require) == "1") {
    FAIL("no Vulkan device, and TESSERA_REQUIRE_VULKAN=1");
  } else {
    WARN("no Vulkan device: GPU tests skipped");
  }
  return false;
}

}  // namespace vulkan_test
