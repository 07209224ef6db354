// The Metal backend's host code as a program would compile it: the one translation unit that
// registers the backend (and so holds metal-cpp's implementation), plus tensors on the Metal
// device through every kind of entry the runtime has. It is compiled, never run, on Linux by
// .ci/run against Apple's metal-cpp headers (../shared/metal/syntax_check.sh, with __APPLE__ and
// TESSERA_METAL=1), so every metal-cpp class, method, enum and overload the backend uses is
// checked to exist with those argument types. On a Mac it also builds and runs:
//   clang++ -std=c++20 -I include -I /path/to/metal-cpp -I /path/to/eigen3 tests/metal_host_check.cpp \
//       -framework Metal -framework Foundation -framework QuartzCore -o metal_host_check

#include <tessera/backend/metal/backend.hpp>  // first: it provides metal-cpp's implementation
#include <tessera/tessera.hpp>

#include <cstdio>

#if !TESSERA_METAL
#error "compile with TESSERA_METAL=1 (on Apple platforms it is the default)"
#endif

namespace {

namespace mtl = ts::metal::detail;

// Every function of the runtime and allocator, so that each is instantiated and checked.
[[maybe_unused]] int touch_runtime() {
  int used = mtl::device_count();
  if (used == 0) return 0;
  std::printf("%s, float64 %d\n", mtl::device_name(0).c_str(), mtl::has_float64(0) ? 1 : 0);
  const ts::gpu::Kernel* kernel = ts::gpu::find_kernel("fill.x32");
  if (!kernel) return 1;
  ts::Tensor<float> t = ts::empty<float>({1000}, {.device = ts::Device::metal()});
  const uint32_t push[4] = {0x3f800000u, 0u, 0u, 1000u};
  const ts::gpu::BufferArg args[] = {{.data = &t.storage().data_ptr()}};
  mtl::dispatch(0, *kernel, {}, args, push, 4, 1, 1);
  mtl::synchronize(0);
  used += static_cast<int>(mtl::host_waits() + mtl::cached_bytes(0) + mtl::host_fallbacks(mtl::PlanKind::Fill));
  ts::metal::empty_cache();
  return used;
}

}  // namespace

int main() {
  std::printf("metal available: %d, %d device(s)\n", ts::metal::is_available() ? 1 : 0, ts::metal::device_count());
  if (!ts::metal::is_available()) return 0;
  const ts::Device gpu("mps");
  auto x = ts::randn({64, 32}, {.device = gpu});
  auto w = ts::randn({32, 16}, {.device = gpu});
  auto y = ts::softmax(ts::matmul(x, w).relu(), 1).sum(0);
  std::printf("%lld values on %s: %g\n", static_cast<long long>(y.numel()), y.device().str().c_str(),
              static_cast<double>(y.to(ts::Device::cpu()).sum().item()));
  return touch_runtime() > 0 ? 0 : 1;
}
