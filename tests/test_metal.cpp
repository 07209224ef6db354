// The Metal backend as a program sees it, on every platform: "mps" parses as metal and prints as
// metal:0, float64 tensors are refused on a Metal device when they would be made, and without
// Metal (any platform but Apple's, or a Mac without a Metal GPU) is_available() is false and a
// tensor on Device::metal() is a ts::Error saying why. With the backend and a device (a Mac),
// tensors run there and agree with the CPU; the kernels of every family are tested by
// test_metal_vulkan_kernels (tests/CMakeLists.txt), and TESSERA_REQUIRE_METAL=1 fails the
// tests that need a device when there is none.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>
#include <string>

#include <tessera/backend/metal/backend.hpp>  // registers nothing where TESSERA_METAL is 0
#include <tessera/tessera.hpp>

namespace test_metal {

namespace {

std::string error_of(auto&& f) {
  try {
    f();
  } catch (const ts::Error& e) {
    return e.what();
  }
  return "";
}

[[maybe_unused]] bool have_device() {
  if (ts::metal::is_available()) return true;
  const char* require = std::getenv("TESSERA_REQUIRE_METAL");
  if (require && std::string(require) == "1") FAIL("no Metal device, and TESSERA_REQUIRE_METAL=1");
  WARN("no Metal device: Metal tests skipped");
  return false;
}

}  // namespace

TEST_CASE("metal: \"mps\" is metal, and prints as metal") {
  CHECK(ts::Device("mps") == ts::Device::metal());
  CHECK(ts::Device("mps:0") == ts::Device::metal(0));
  CHECK(ts::Device("mps:1") == ts::Device::metal(1));
  CHECK(ts::Device("mps").type() == ts::DeviceType::Metal);
  CHECK(ts::Device("mps").is_metal());
  CHECK(ts::Device("mps").str() == "metal:0");
  std::ostringstream os;
  os << ts::Device("mps") << " " << ts::Device("metal:2");
  CHECK(os.str() == "metal:0 metal:2");
  CHECK(error_of([] { ts::Device("mps:x"); }).find("invalid device string 'mps:x'") != std::string::npos);
  CHECK(error_of([] { ts::Device("cuda"); }).find("mps") != std::string::npos);  // the message lists it
}

TEST_CASE("metal: float64 tensors are refused on a Metal device when they would be made") {
  const ts::Device metal = ts::Device::metal();
  CHECK(error_of([&] { ts::zeros<double>({2, 3}, {.device = metal}); }) ==
        "zeros: metal:0 cannot hold a float64 tensor: Metal has no float64 (as in PyTorch's MPS); use float32, or "
        "keep float64 tensors on the CPU");
  CHECK(error_of([&] { ts::ones<double>({2}).to(ts::Device("mps")); }).find("to: metal:0 cannot hold a float64 tensor") !=
        std::string::npos);
  double x[2] = {1, 2};
  CHECK(error_of([&] { ts::from_blob(x, {2}, nullptr, {.device = metal}); }).find("from_blob: metal:0 cannot hold a float64") !=
        std::string::npos);
  CHECK(error_of([&] { ts::empty<double>({0}, {.device = metal}); }).find("Metal has no float64") != std::string::npos);
  // Other devices are not affected.
  CHECK(ts::zeros<double>({2}).device() == ts::Device::cpu());
}

TEST_CASE("metal: without Metal, is_available() is false and a Metal tensor is a clear error") {
#if TESSERA_METAL
  if (ts::metal::is_available()) return;  // a Mac with a Metal GPU: the case below
  CHECK(ts::metal::device_count() == 0);
  CHECK(error_of([] { ts::zeros({2}, {.device = ts::Device::metal()}); })
            .find("zeros: metal:0 cannot be used: no Metal device found") != std::string::npos);
#else
  CHECK_FALSE(ts::metal::is_available());
  CHECK(ts::metal::device_count() == 0);
  CHECK(error_of([] { ts::zeros({2}, {.device = ts::Device::metal()}); }) ==
        "zeros: no metal backend is registered in this program, so metal:0 cannot be used (Metal runs on Apple "
        "platforms only, where one file of the program includes <tessera/backend/metal/backend.hpp>: docs/metal.md)");
  CHECK(error_of([] { ts::ones({3}).to(ts::Device("mps")); }).find("to: no metal backend is registered") != std::string::npos);
#endif
}

#if TESSERA_METAL
TEST_CASE("metal: tensors on the Metal device agree with the CPU") {
  if (!have_device()) return;
  namespace mtl = ts::metal::detail;
  const ts::Device gpu = ts::Device::metal();
  INFO(mtl::device_name(0));
  CHECK_FALSE(mtl::has_float64(0));
  CHECK(ts::metal::device_count() == 1);

  auto a = ts::arange(12.0f).reshape({3, 4});
  auto b = ts::linspace(-1, 1, 4);
  auto ga = a.to(ts::Device("mps")), gb = b.to(gpu);
  CHECK(ga.device() == gpu);
  auto want = ts::softmax(ts::matmul(a, a.t()) + b.sum(), 1);
  auto got = ts::softmax(ts::matmul(ga, ga.t()) + gb.sum(), 1);
  CHECK(got.device() == gpu);
  CHECK(ts::allclose(got.to(ts::Device::cpu()), want, 1e-5, 1e-6));
  CHECK(((ga + 1) * 2).to(ts::Device::cpu()).to_vector() == ((a + 1) * 2).to_vector());

  // Several launches, one wait when the result is read.
  ts::metal::detail::synchronize(0);
  const uint64_t waits = mtl::host_waits();
  auto c = ga;
  for (int i = 0; i < 5; ++i) c = c + 1;
  CHECK(c.sum().item() == (a + 5).sum().item());
  CHECK(mtl::host_waits() == waits + 1);

  // Printing names the device as PyTorch's MPS tensors name theirs.
  std::ostringstream os;
  os << ga;
  CHECK(os.str().find("device='metal:0'") != std::string::npos);

  CHECK(error_of([&] { (void)ga.to<double>(); }).find("Metal has no float64") != std::string::npos);
  ts::metal::empty_cache();
  CHECK(mtl::cached_bytes(0) == 0);
}
#endif

}  // namespace test_metal
