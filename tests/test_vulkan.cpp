// The Vulkan backend on a real device (lavapipe in CI): memory, copies, views, printing, device
// checks, ops through the backend's kernels, the buffer cache, and launches of a SPIR-V kernel
// through the runtime with the host waiting once per read. Without a device the tests are
// skipped, unless TESSERA_REQUIRE_VULKAN=1.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <tessera/backend/gpu/generated/fill.hpp>
#include <tessera/backend/vulkan/backend.hpp>
#include <tessera/tessera.hpp>

#include "vulkan_device.hpp"
#include "error_of.hpp"

namespace test_vulkan {

namespace {

namespace vk = ts::vulkan::detail;
using vulkan_test::kGpu;

using vulkan_test::have_device;

// A compute shader compiled with glslc -O --target-env=vulkan1.1 from:
//   layout(local_size_x = 64) in;
//   layout(constant_id = 0) const uint kMode = 0;
//   layout(std430, binding = 0) buffer Out { uint values[]; };
//   layout(std430, binding = 1) readonly buffer Params { uint n; uint add; };
//   layout(push_constant) uniform Push { uint value; } push;
//   void main() {
//     uint i = gl_GlobalInvocationID.x;
//     if (i >= n) return;
//     if (kMode == 0) values[i] = push.value + i;
//     else values[i] = values[i] * 2u + add;
//   }
// clang-format off
const uint32_t kSpirv[] = {
    0x07230203, 0x00010300, 0x000d000b, 0x00000041, 0x00000000, 0x00020011, 0x00000001, 0x0006000b,
    0x00000001, 0x4c534c47, 0x6474732e, 0x3035342e, 0x00000000, 0x0003000e, 0x00000000, 0x00000001,
    0x0006000f, 0x00000005, 0x00000004, 0x6e69616d, 0x00000000, 0x0000000b, 0x00060010, 0x00000004,
    0x00000011, 0x00000040, 0x00000001, 0x00000001, 0x00040047, 0x0000000b, 0x0000000b, 0x0000001c,
    0x00040048, 0x00000011, 0x00000000, 0x00000018, 0x00050048, 0x00000011, 0x00000000, 0x00000023,
    0x00000000, 0x00040048, 0x00000011, 0x00000001, 0x00000018, 0x00050048, 0x00000011, 0x00000001,
    0x00000023, 0x00000004, 0x00030047, 0x00000011, 0x00000002, 0x00040047, 0x00000013, 0x00000022,
    0x00000000, 0x00040047, 0x00000013, 0x00000021, 0x00000001, 0x00040047, 0x0000001e, 0x00000001,
    0x00000000, 0x00040047, 0x00000022, 0x00000006, 0x00000004, 0x00050048, 0x00000023, 0x00000000,
    0x00000023, 0x00000000, 0x00030047, 0x00000023, 0x00000002, 0x00040047, 0x00000025, 0x00000022,
    0x00000000, 0x00040047, 0x00000025, 0x00000021, 0x00000000, 0x00050048, 0x00000027, 0x00000000,
    0x00000023, 0x00000000, 0x00030047, 0x00000027, 0x00000002, 0x00040047, 0x0000003e, 0x0000000b,
    0x00000019, 0x00020013, 0x00000002, 0x00030021, 0x00000003, 0x00000002, 0x00040015, 0x00000006,
    0x00000020, 0x00000000, 0x00040017, 0x00000009, 0x00000006, 0x00000003, 0x00040020, 0x0000000a,
    0x00000001, 0x00000009, 0x0004003b, 0x0000000a, 0x0000000b, 0x00000001, 0x0004002b, 0x00000006,
    0x0000000c, 0x00000000, 0x00040020, 0x0000000d, 0x00000001, 0x00000006, 0x0004001e, 0x00000011,
    0x00000006, 0x00000006, 0x00040020, 0x00000012, 0x0000000c, 0x00000011, 0x0004003b, 0x00000012,
    0x00000013, 0x0000000c, 0x00040015, 0x00000014, 0x00000020, 0x00000001, 0x0004002b, 0x00000014,
    0x00000015, 0x00000000, 0x00040020, 0x00000016, 0x0000000c, 0x00000006, 0x00020014, 0x00000019,
    0x00040032, 0x00000006, 0x0000001e, 0x00000000, 0x00060034, 0x00000019, 0x0000001f, 0x000000aa,
    0x0000001e, 0x0000000c, 0x0003001d, 0x00000022, 0x00000006, 0x0003001e, 0x00000023, 0x00000022,
    0x00040020, 0x00000024, 0x0000000c, 0x00000023, 0x0004003b, 0x00000024, 0x00000025, 0x0000000c,
    0x0003001e, 0x00000027, 0x00000006, 0x00040020, 0x00000028, 0x00000009, 0x00000027, 0x0004003b,
    0x00000028, 0x00000029, 0x00000009, 0x00040020, 0x0000002a, 0x00000009, 0x00000006, 0x0004002b,
    0x00000006, 0x00000035, 0x00000002, 0x0004002b, 0x00000014, 0x00000037, 0x00000001, 0x0004002b,
    0x00000006, 0x0000003c, 0x00000040, 0x0004002b, 0x00000006, 0x0000003d, 0x00000001, 0x0006002c,
    0x00000009, 0x0000003e, 0x0000003c, 0x0000003d, 0x0000003d, 0x00050036, 0x00000002, 0x00000004,
    0x00000000, 0x00000003, 0x000200f8, 0x00000005, 0x000300f7, 0x0000003f, 0x00000000, 0x000300fb,
    0x0000000c, 0x00000040, 0x000200f8, 0x00000040, 0x00050041, 0x0000000d, 0x0000000e, 0x0000000b,
    0x0000000c, 0x0004003d, 0x00000006, 0x0000000f, 0x0000000e, 0x00050041, 0x00000016, 0x00000017,
    0x00000013, 0x00000015, 0x0004003d, 0x00000006, 0x00000018, 0x00000017, 0x000500ae, 0x00000019,
    0x0000001a, 0x0000000f, 0x00000018, 0x000300f7, 0x0000001c, 0x00000000, 0x000400fa, 0x0000001a,
    0x0000001b, 0x0000001c, 0x000200f8, 0x0000001b, 0x000200f9, 0x0000003f, 0x000200f8, 0x0000001c,
    0x000300f7, 0x00000021, 0x00000000, 0x000400fa, 0x0000001f, 0x00000020, 0x00000030, 0x000200f8,
    0x00000020, 0x00050041, 0x0000002a, 0x0000002b, 0x00000029, 0x00000015, 0x0004003d, 0x00000006,
    0x0000002c, 0x0000002b, 0x00050080, 0x00000006, 0x0000002e, 0x0000002c, 0x0000000f, 0x00060041,
    0x00000016, 0x0000002f, 0x00000025, 0x00000015, 0x0000000f, 0x0003003e, 0x0000002f, 0x0000002e,
    0x000200f9, 0x00000021, 0x000200f8, 0x00000030, 0x00060041, 0x00000016, 0x00000033, 0x00000025,
    0x00000015, 0x0000000f, 0x0004003d, 0x00000006, 0x00000034, 0x00000033, 0x00050084, 0x00000006,
    0x00000036, 0x00000034, 0x00000035, 0x00050041, 0x00000016, 0x00000038, 0x00000013, 0x00000037,
    0x0004003d, 0x00000006, 0x00000039, 0x00000038, 0x00050080, 0x00000006, 0x0000003a, 0x00000036,
    0x00000039, 0x0003003e, 0x00000033, 0x0000003a, 0x000200f9, 0x00000021, 0x000200f8, 0x00000021,
    0x000200f9, 0x0000003f, 0x000200f8, 0x0000003f, 0x000100fd, 0x00010038,
};
// clang-format on
const ts::gpu::KernelBuffer kBuffers[] = {{"values", 0, 0, true}, {"params", 1, 1, false}};
const uint32_t kSpecIds[] = {0};
const ts::gpu::Kernel kKernel{"test.fill_or_step", kSpirv, sizeof kSpirv / sizeof kSpirv[0], "", "main", "main0",
                              {64, 1, 1}, kBuffers, 2, 4, 2, kSpecIds, 1};

// Launches the test kernel on `out` (uint32 elements): kMode 0 writes value + i, kMode 1 doubles
// and adds `add`.
void launch(const ts::Tensor<int32_t>& out, uint32_t mode, uint32_t value, uint32_t add = 0) {
  const uint32_t n = static_cast<uint32_t>(out.numel());
  const uint32_t params[2] = {n, add};
  const uint32_t spec[1] = {mode};
  const vk::BufferArg args[2] = {{.data = &out.storage().data_ptr()}, {.bytes = params, .nbytes = sizeof params}};
  vk::dispatch(0, kKernel, spec, args, &value, (n + 63) / 64);
}

// ctest's vulkan_staging runs the Vulkan tests again with TESSERA_VULKAN_MEMORY=staging: tensors
// then live in device-local memory the host never maps (Note [Staged memory]).
bool staged() {
  const char* mode = std::getenv("TESSERA_VULKAN_MEMORY");
  return mode && std::string(mode) == "staging";
}

template <class T>
ts::Tensor<T> pattern(int64_t n) {
  auto t = ts::empty<T>({n});
  auto* bytes = reinterpret_cast<unsigned char*>(t.data_ptr());
  for (size_t i = 0; i < static_cast<size_t>(n) * sizeof(T); ++i) bytes[i] = static_cast<unsigned char>(i * 131 + 7);
  if constexpr (std::is_same_v<T, bool>)
    for (int64_t i = 0; i < n; ++i) t.data_ptr()[i] = i % 3 == 0;
  return t;
}

}  // namespace

// Run by ctest as "vulkan_absent", with the loader pointed at no driver.
TEST_CASE("vulkan: without a device, using one says what to install") {
  if (ts::vulkan::device_count() > 0) return;
  CHECK_FALSE(ts::vulkan::is_available());
  CHECK(vk::device_count() == 0);
  CHECK_FALSE(vk::has_float64(0));
  const std::string message = error_of([] { ts::zeros({2}, {.device = kGpu}); });
  CHECK(message.rfind("zeros: vulkan:0 cannot be used: no Vulkan device found (", 0) == 0);
  CHECK(message.find("install a Vulkan driver (on Debian: mesa-vulkan-drivers for a CPU device) or use the CPU") !=
        std::string::npos);
  CHECK(error_of([] { ts::ones({2}).to(kGpu); }).find("no Vulkan device found") != std::string::npos);
  vk::synchronize(0);  // nothing to wait for, no error
}

TEST_CASE("vulkan: devices are found and named") {
  if (!have_device()) return;
  CHECK(ts::vulkan::is_available());
  CHECK(ts::vulkan::device_count() == vk::device_count());
  CHECK_FALSE(vk::device_name(0).empty());
  INFO(vk::device_name(0));
  CHECK(error_of([] { ts::zeros({2}, {.device = ts::Device::vulkan(7)}); }).find("zeros: vulkan:7 does not exist") !=
        std::string::npos);
  CHECK(error_of([] { vk::device_name(7); }).find("vulkan:7 does not exist") != std::string::npos);
}

TEST_CASE("vulkan: every dtype goes to the device and back bit for bit") {
  if (!have_device()) return;
  const auto round_trip = [&]<class T>(std::type_identity<T>) {
    INFO(ts::dtype_of<T>);
    for (int64_t n : {0, 1, 7, 1000, 70000}) {
      const auto cpu = pattern<T>(n);
      const auto on_gpu = cpu.to(kGpu);
      CHECK(on_gpu.device() == kGpu);
      CHECK(on_gpu.sizes() == cpu.sizes());
      const auto back = on_gpu.to(ts::Device::cpu());
      CHECK(back.device() == ts::Device::cpu());
      if (n > 0) CHECK(std::memcmp(back.data_ptr(), cpu.data_ptr(), static_cast<size_t>(n) * sizeof(T)) == 0);
      const auto values = on_gpu.to_vector(), expected = cpu.to_vector();
      if constexpr (std::is_same_v<T, bool>) CHECK(values == expected);
      else if (n > 0) CHECK(std::memcmp(values.data(), expected.data(), values.size() * sizeof(T)) == 0);  // NaN bits too
    }
  };
  round_trip(std::type_identity<bool>{});
  round_trip(std::type_identity<uint8_t>{});
  round_trip(std::type_identity<int8_t>{});
  round_trip(std::type_identity<int16_t>{});
  round_trip(std::type_identity<int32_t>{});
  round_trip(std::type_identity<int64_t>{});
  round_trip(std::type_identity<ts::half>{});
  round_trip(std::type_identity<ts::bfloat16>{});
  round_trip(std::type_identity<float>{});
  round_trip(std::type_identity<double>{});
}

TEST_CASE("vulkan: views move to the device with their values") {
  if (!have_device()) return;
  const auto x = ts::arange(60.0).reshape({3, 4, 5});
  const auto sliced = x.slice(2, 1, 5, 2).select(0, 1);
  const auto transposed = x.transpose(0, 2);
  CHECK(ts::equal(sliced.to(kGpu).to(ts::Device::cpu()), sliced));
  CHECK(ts::equal(transposed.to(kGpu).to(ts::Device::cpu()), transposed));
  const auto on_gpu = x.to(kGpu);
  CHECK(ts::equal(on_gpu.transpose(0, 2).to(ts::Device::cpu()), transposed));
  CHECK(ts::equal(on_gpu.slice(2, 1, 5, 2).select(0, 1).to(ts::Device::cpu()), sliced));
  CHECK(ts::equal(on_gpu.transpose(0, 2).contiguous().to(ts::Device::cpu()), transposed));
}

TEST_CASE("vulkan: printing names the device") {
  if (!have_device()) return;
  CHECK(ts::to_string(ts::tensor({1.5f, 2.0f}).to(kGpu)) == "tensor([1.5000, 2.0000], device='vulkan:0')");
  const auto i = ts::arange(3).to(kGpu);
  CHECK(ts::to_string(i) == "tensor([0, 1, 2], device='vulkan:0')");
  CHECK(i.index({2}).item() == 2);
}

TEST_CASE("vulkan: ops mixing devices are refused") {
  if (!have_device()) return;
  const auto a = ts::ones({3}, {.device = kGpu});
  const auto b = ts::ones({3});
  CHECK(error_of([&] { a + b; }).find("add: expected all tensors to be on the same device, but found at least two "
                                      "devices, vulkan:0 and cpu") != std::string::npos);
  CHECK(error_of([&] { ts::matmul(b.reshape({1, 3}), a.reshape({3, 1})); }).find("vulkan:0") != std::string::npos);
}

TEST_CASE("vulkan: ops on the device give the CPU's values") {
  if (!have_device()) return;
  const auto x = ts::linspace(-2, 3, 24).reshape({2, 3, 4});
  const auto y = ts::linspace(0.5, 4, 12).reshape({3, 4});
  const auto xd = x.to(kGpu), yd = y.to(kGpu);
  // Exact where the GPU computes as the CPU does; math functions and float sums (another order
  // of additions) agree within a tolerance (docs/gpu.md).
  const auto check = [](const auto& on_gpu, const auto& on_cpu) {
    CHECK(on_gpu.device() == kGpu);
    CHECK(ts::allclose(on_gpu.to(ts::Device::cpu()), on_cpu, 1e-5, 1e-6));
  };
  check((xd.exp() + yd * 2.0f).sum(1), (x.exp() + y * 2.0f).sum(1));
  check(ts::matmul(xd, yd.t()).softmax(-1), ts::matmul(x, y.t()).softmax(-1));
  check(ts::zeros({5}, {.device = kGpu}) + ts::arange(5.0f, {.device = kGpu}), ts::arange(5.0f));
  check(xd.index({ts::Slice(), ts::tensor({2, 0}).to(kGpu)}), x.index({ts::Slice(), ts::tensor({2, 0})}));
  ts::manual_seed(3);
  const auto r = ts::randn({4, 4});
  ts::manual_seed(3);
  check(ts::randn({4, 4}, {.device = kGpu}), r);
  auto z = yd.clone();
  z += 1.0f;
  check(z, y + 1.0f);
  CHECK(z.sum().item() == Approx((y + 1.0f).sum().item()).epsilon(1e-6));

  auto w = y.clone().requires_grad_();
  auto wd = w.to(kGpu);
  (wd * wd).sum().backward();
  CHECK(ts::equal(w.grad(), 2 * y));
}

TEST_CASE("vulkan: freed buffers are reused from the cache") {
  if (!have_device()) return;
  const void* first;
  {
    const auto a = ts::empty<float>({1000}, {.device = kGpu});
    first = a.storage().data();
  }
  const size_t cached = vk::cached_bytes(0);
  CHECK(cached >= 4000);
  const auto b = ts::empty<float>({900}, {.device = kGpu});  // rounds to the same capacity
  CHECK(b.storage().data() == first);
  CHECK(vk::cached_bytes(0) < cached);
  const auto empty = ts::empty<float>({0}, {.device = kGpu});
  CHECK(empty.storage().data() != nullptr);  // a zero-size tensor still has a buffer
  ts::vulkan::empty_cache();
  CHECK(vk::cached_bytes(0) == 0);
  { const auto dropped = ts::empty<float>({1000}, {.device = kGpu}); }
  CHECK(vk::cached_bytes(0) > 0);
  ts::empty_cache();  // the CPU's and every registered device's
  CHECK(vk::cached_bytes(0) == 0);
}

TEST_CASE("vulkan: a SPIR-V kernel runs through the runtime, and the host waits once per read") {
  if (!have_device()) return;
  auto out = ts::empty<int32_t>({1000}, {.device = kGpu});
  vk::synchronize(0);
  const uint64_t waits = vk::host_waits();
  launch(out, 0, 100);
  for (int k = 0; k < 5; ++k) launch(out, 1, 0, static_cast<uint32_t>(k));
  CHECK(vk::host_waits() == waits);  // launches queue, nothing waits
  std::vector<int32_t> expected(1000);
  for (int32_t i = 0; i < 1000; ++i) {
    uint32_t v = 100u + static_cast<uint32_t>(i);
    for (uint32_t k = 0; k < 5; ++k) v = v * 2 + k;
    expected[static_cast<size_t>(i)] = static_cast<int32_t>(v);
  }
  CHECK(out.to_vector() == expected);
  CHECK(vk::host_waits() == waits + 1);  // one wait at the read
  CHECK(out.to_vector() == expected);
  // Nothing queued since: mapped memory is read in place, staged memory downloaded again
  // (to_vector keeps no host copy).
  CHECK(vk::host_waits() == waits + (staged() ? 2 : 1));

  // More launches than one batch holds: batches are submitted as they fill, in order.
  launch(out, 0, 0);
  for (int k = 0; k < 300; ++k) launch(out, 1, 0, 1);  // v = 2v + 1, 300 times, wraps mod 2^32
  for (int32_t i = 0; i < 1000; ++i) {
    uint32_t v = static_cast<uint32_t>(i);
    for (int k = 0; k < 300; ++k) v = v * 2 + 1;
    expected[static_cast<size_t>(i)] = static_cast<int32_t>(v);
  }
  CHECK(out.data_ptr()[999] == expected[999]);  // host access waits
  CHECK(out.to_vector() == expected);

  // An op of the backend after a launch sees what the launch wrote.
  launch(out, 0, 7);
  CHECK(ts::equal((out + 1).to(ts::Device::cpu()), ts::arange(8, 1008).to<int32_t>()));
}

// The generated fill kernel (backend/gpu/glsl/fill.comp), launched directly: push constants
// {value low word, high word, offset, n}, WG_SIZE 256 threads a group, a grid-stride loop.
TEST_CASE("vulkan: the generated fill kernels write the value's bits") {
  if (!have_device()) return;
  namespace gen = ts::gpu::generated;
  const auto fill = [&]<class T>(const ts::gpu::Kernel& kernel, uint64_t bits) {
    INFO(kernel.name);
    const int64_t n = 3000, offset = 17, count = 2500;
    auto out = ts::zeros<T>({n}, {.device = kGpu});
    const uint32_t push[4] = {static_cast<uint32_t>(bits), static_cast<uint32_t>(bits >> 32),
                              static_cast<uint32_t>(offset), static_cast<uint32_t>(count)};
    const vk::BufferArg args[1] = {{.data = &out.storage().data_ptr()}};
    const uint64_t waits = vk::host_waits();
    // Two groups for 2500 elements: the grid-stride loop covers the rest.
    vk::dispatch(0, kernel, {}, args, push, 2);
    CHECK(vk::host_waits() == waits);
    std::vector<T> expected(static_cast<size_t>(n), T{});
    T value;
    std::memcpy(&value, &bits, sizeof(T));
    std::fill(expected.begin() + offset, expected.begin() + offset + count, value);
    const auto values = out.to_vector();
    CHECK(vk::host_waits() == waits + 1);
    CHECK(std::memcmp(values.data(), expected.data(), values.size() * sizeof(T)) == 0);
  };
  fill.operator()<uint8_t>(gen::fill_x8, 0xa5);
  fill.operator()<int16_t>(gen::fill_x16, 0xbeef);
  fill.operator()<int32_t>(gen::fill_x32, 0xdeadbeef);
  fill.operator()<int64_t>(gen::fill_x64, 0x0123456789abcdefull);
  fill.operator()<float>(gen::fill_x32, 0x7fc00001);  // a NaN payload survives
}

TEST_CASE("vulkan: memory freed while a launch is queued is reused only after it ran") {
  if (!have_device()) return;
  ts::vulkan::empty_cache();
  const uint64_t waits = vk::host_waits();
  {
    auto scratch = ts::empty<int32_t>({4096}, {.device = kGpu});
    launch(scratch, 0, 1);
  }
  CHECK(vk::cached_bytes(0) == 0);  // still bound by the queued launch, as is its upload memory
  CHECK(vk::host_waits() == waits);
  vk::synchronize(0);
  CHECK(vk::host_waits() == waits + 1);
  const size_t cached = vk::cached_bytes(0);
  CHECK(cached >= 4096 * 4);
  auto again = ts::empty<int32_t>({4096}, {.device = kGpu});  // the freed buffer, now idle
  CHECK(vk::cached_bytes(0) == cached - 4096 * 4);
  launch(again, 0, 5);
  CHECK(again.to_vector()[4095] == 5 + 4095);
}

TEST_CASE("vulkan: launches, reads and frees from several threads") {
  if (!have_device()) return;
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failures] {
      for (int round = 0; round < 20; ++round) {
        auto out = ts::empty<int32_t>({257 + 64 * t}, {.device = kGpu});
        launch(out, 0, static_cast<uint32_t>(1000 * t + round));
        launch(out, 1, 0, 3);
        const auto values = out.to_vector();
        for (size_t i = 0; i < values.size(); ++i)
          if (values[i] != static_cast<int32_t>((1000 * t + round + static_cast<int>(i)) * 2 + 3)) ++failures[t];
        auto host = (out.to<float>() * 2.0f).to(ts::Device::cpu());
        if (host.index({0}).item() != static_cast<float>(values[0] * 2)) ++failures[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == std::vector<int>(4, 0));
}

TEST_CASE("vulkan: a launch with the wrong arguments is refused") {
  if (!have_device()) return;
  auto out = ts::empty<int32_t>({8}, {.device = kGpu});
  const vk::BufferArg one[1] = {{.data = &out.storage().data_ptr()}};
  const uint32_t spec[1] = {0};
  const uint32_t value = 0;
  CHECK(error_of([&] { vk::dispatch(0, kKernel, spec, one, &value, 1); }).find("takes 2 buffers, got 1") !=
        std::string::npos);
  const auto cpu = ts::empty<int32_t>({8});
  const vk::BufferArg mixed[2] = {{.data = &cpu.storage().data_ptr()}, {.bytes = &value, .nbytes = 4}};
  CHECK(error_of([&] { vk::dispatch(0, kKernel, spec, mixed, &value, 1); }).find("got buffer 0 on cpu") !=
        std::string::npos);
}

TEST_CASE("vulkan: staged memory is unmapped and reached through staging copies") {
  if (!have_device()) return;
  namespace tv = ts::vulkan;
  auto x = ts::arange(0, 1000).to<float>().to(kGpu);
  const ts::DataPtr& data = x.storage().data_ptr();
  const auto* buffer = static_cast<const vk::Buffer*>(data.context);
  if (!staged()) {
    // lavapipe's memory is the system's: mapped (a discrete GPU may choose staged memory itself).
    CHECK(vk::is_mapped(data) == (tv::memory_kind(0) == tv::MemoryKind::Mapped));
    CHECK((buffer->mapped == data.data) == vk::is_mapped(data));
    if (vk::is_mapped(data)) {  // read in place: no staging copy
      const uint64_t copies = vk::staging_copies();
      CHECK((x * 2.0f).to_vector()[3] == 6.0f);
      CHECK(x.data_ptr()[999] == 999.0f);
      CHECK(vk::staging_copies() == copies);
    }
    return;
  }
  REQUIRE(tv::memory_kind(0) == tv::MemoryKind::Staged);
  CHECK_FALSE(vk::is_mapped(data));
  CHECK(buffer->mapped == nullptr);  // never mapped: the host works on a shadow
  CHECK(buffer->shadow == data.data);
  CHECK(error_of([] { tv::memory_kind(7); }) == "memory_kind: vulkan:7 does not exist (1 vulkan devices)");

  vk::synchronize(0);
  uint64_t copies = vk::staging_copies(), waits = vk::host_waits();
  auto y = x * 2.0f;  // x's upload was recorded by to(); the kernel binds it as it is
  CHECK(vk::staging_copies() == copies);
  CHECK(y.data_ptr()[3] == 6.0f);  // downloaded in the one wait for the kernel
  CHECK(vk::staging_copies() == copies + 1);
  CHECK(vk::host_waits() == waits + 1);
  CHECK(y.data_ptr()[999] == 1998.0f);  // the shadow is current: no copy, no wait
  CHECK(vk::staging_copies() == copies + 1);
  CHECK(vk::host_waits() == waits + 1);

  // A write through the host address reaches the next kernel that binds the buffer.
  y.data_ptr()[0] = 42.0f;
  auto z = y + 1.0f;
  CHECK(vk::staging_copies() == copies + 2);  // y's shadow uploaded before the launch
  CHECK(vk::host_waits() == waits + 1);
  CHECK(z.to(ts::Device::cpu()).index({0}).item() == 43.0f);
  CHECK(z.to_vector()[5] == 11.0f);
  CHECK(vk::host_waits() == waits + 3);  // each read downloads what it copies out

  // Copies on the device never pass through the host.
  copies = vk::staging_copies();
  auto w = z.clone();
  auto t = z.view({40, 25}).t().contiguous();
  w.copy_(z + 1.0f);
  CHECK(vk::staging_copies() == copies);
  CHECK(ts::equal(w.to(ts::Device::cpu()), z.to(ts::Device::cpu()) + 1.0f));
  CHECK(ts::equal(t.to(ts::Device::cpu()), z.to(ts::Device::cpu()).view({40, 25}).t()));

  // A host fallback (an int64 scalar beyond 2^53, which the plan's double cannot hold) reads its
  // inputs' bytes and writes its output's, which the next kernel uploads.
  const auto zi = z.to<int32_t>(), yi = y.to<int32_t>();
  const uint64_t fallbacks = vk::host_fallbacks(vk::PlanKind::Elementwise);
  const int64_t big = (int64_t(1) << 60) + 1;
  const auto shifted = z.to<int64_t>() + big;
  CHECK(vk::host_fallbacks(vk::PlanKind::Elementwise) == fallbacks + 1);
  CHECK(ts::equal((shifted + 1).to(ts::Device::cpu()), z.to(ts::Device::cpu()).to<int64_t>() + big + 1));
  // isclose is made of elementwise ops, integers too: it runs on the device.
  CHECK(ts::allclose(zi, yi + 1));
  CHECK_FALSE(ts::allclose(zi, yi));
  CHECK(ts::allclose(z, y + 1.0f));
  CHECK_FALSE(ts::allclose(z, y));
  CHECK(ts::isclose(z, y, 0.5, 1.0).to_vector() ==
        ts::isclose(z.to(ts::Device::cpu()), y.to(ts::Device::cpu()), 0.5, 1.0).to_vector());
  CHECK(ts::isclose(zi, yi, 0.1, 2.0).to_vector() ==
        ts::isclose(zi.to(ts::Device::cpu()), yi.to(ts::Device::cpu()), 0.1, 2.0).to_vector());
  CHECK(vk::host_fallbacks(vk::PlanKind::Elementwise) == fallbacks + 1);

  // A copy from the host into part of a tensor is queued after the kernels that read it: no wait.
  auto v = ts::zeros<int32_t>({8}, {.device = kGpu});
  auto u = v + 1;
  waits = vk::host_waits();
  const int32_t part[2] = {7, 8};
  ts::detail::copy_from_host(v.storage().data_ptr(), 2 * sizeof(int32_t), part, sizeof part, "test");
  auto s = v * 2;
  CHECK(vk::host_waits() == waits);
  CHECK(u.to_vector() == std::vector<int32_t>(8, 1));
  CHECK(s.to_vector() == std::vector<int32_t>{0, 0, 14, 16, 0, 0, 0, 0});
  // Into a shadow the host has written, it lands in the shadow, uploaded with it.
  v.data_ptr()[0] = 5;
  ts::detail::copy_from_host(v.storage().data_ptr(), 4 * sizeof(int32_t), part, sizeof part, "test");
  CHECK((v + 0).to_vector() == std::vector<int32_t>{5, 0, 7, 8, 7, 8, 0, 0});
}

// Note [Vulkan memory] on the memory a few kinds of GPU report (no device needed).
TEST_CASE("vulkan: the memory kind follows the device's memory types and TESSERA_VULKAN_MEMORY") {
  constexpr VkMemoryPropertyFlags local = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
  constexpr VkMemoryPropertyFlags visible = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  constexpr VkMemoryPropertyFlags cached = visible | VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
  constexpr VkDeviceSize GiB = VkDeviceSize{1} << 30;
  const auto props = [](std::vector<VkDeviceSize> heaps, std::vector<std::pair<VkMemoryPropertyFlags, uint32_t>> types) {
    VkPhysicalDeviceMemoryProperties p{};
    p.memoryHeapCount = static_cast<uint32_t>(heaps.size());
    for (size_t h = 0; h < heaps.size(); ++h) p.memoryHeaps[h] = {heaps[h], h == 0 ? VkMemoryHeapFlags{VK_MEMORY_HEAP_DEVICE_LOCAL_BIT} : VkMemoryHeapFlags{0}};
    p.memoryTypeCount = static_cast<uint32_t>(types.size());
    for (size_t t = 0; t < types.size(); ++t) p.memoryTypes[t] = {types[t].first, types[t].second};
    return p;
  };
  using K = ts::vulkan::MemoryKind;
  const auto kind = [](const vk::MemoryChoice& c) { return c.kind; };
  constexpr auto discrete = VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU;

  // A discrete GPU whose memory the host cannot map: staged, with cached system memory to stage through.
  const auto no_bar = props({8 * GiB, 16 * GiB}, {{local, 0}, {visible, 1}, {cached, 1}});
  auto c = vk::choose_memory_types(no_bar, discrete, "");
  CHECK((kind(c) == K::Staged && c.tensor_type == 0 && c.host_type == 2 && c.error == nullptr));
  c = vk::choose_memory_types(no_bar, discrete, "mapped");
  CHECK(c.tensor_type == -1);
  CHECK(std::string(c.error).find("TESSERA_VULKAN_MEMORY=mapped asks for it") != std::string::npos);

  // A 256 MiB window of it (BAR): staged by default, mapped on request.
  const auto bar = props({8 * GiB, 16 * GiB, GiB / 4}, {{local, 0}, {visible, 1}, {local | visible, 2}, {cached, 1}});
  c = vk::choose_memory_types(bar, discrete, "auto");
  CHECK((kind(c) == K::Staged && c.tensor_type == 0 && c.host_type == 3));
  c = vk::choose_memory_types(bar, discrete, "mapped");
  CHECK((kind(c) == K::Mapped && c.tensor_type == 2 && c.host_type == 2));

  // All of it mappable (resizable BAR): mapped, unless staging is asked for.
  const auto rebar = props({8 * GiB, 16 * GiB}, {{local, 0}, {local | visible, 0}, {cached, 1}});
  c = vk::choose_memory_types(rebar, discrete, "");
  CHECK((kind(c) == K::Mapped && c.tensor_type == 1 && c.host_type == 1));
  c = vk::choose_memory_types(rebar, discrete, "staging");
  CHECK((kind(c) == K::Staged && c.tensor_type == 0 && c.host_type == 2));

  // lavapipe and integrated GPUs: one memory, the system's.
  const auto unified = props({16 * GiB}, {{local | cached, 0}});
  for (auto type : {VK_PHYSICAL_DEVICE_TYPE_CPU, VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU}) {
    c = vk::choose_memory_types(unified, type, "");
    CHECK((kind(c) == K::Mapped && c.tensor_type == 0 && c.host_type == 0));
    c = vk::choose_memory_types(unified, type, "staging");
    CHECK((kind(c) == K::Staged && c.tensor_type == 0 && c.host_type == 0));
  }
}

// Run by ctest as "vulkan_memory_unknown", with TESSERA_VULKAN_MEMORY=bogus.
TEST_CASE("vulkan: an unknown TESSERA_VULKAN_MEMORY is refused, naming the values") {
  const char* mode = std::getenv("TESSERA_VULKAN_MEMORY");
  if (!mode || std::string(mode) != "bogus" || !have_device()) return;
  CHECK(error_of([] { ts::zeros({2}, {.device = kGpu}); }) ==
        "vulkan: TESSERA_VULKAN_MEMORY=bogus is not one of auto, mapped or staging");
  CHECK(error_of([] { ts::vulkan::memory_kind(0); }) ==
        "vulkan: TESSERA_VULKAN_MEMORY=bogus is not one of auto, mapped or staging");
}

}  // namespace test_vulkan
