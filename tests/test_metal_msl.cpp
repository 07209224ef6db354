// What the Metal host binds, checked on any platform against the MSL it would compile: every
// generated kernel's MSL has the entry `kernel void main0(`, an argument `name [[buffer(n)]]` for
// each of Kernel::buffers at its metal_index, the push constants at push_constant_metal_index, a
// function constant for each specialization-constant id, and a first line stamping the SPIR-V it
// was translated from (the words Vulkan runs, hashed again here); float64 variants have no MSL
// (but compare.f64, which compares doubles as their bits and so has MSL, docs/gpu.md).
// Then GpuKernels drives a recording Metal runtime (a stand-in registered as the Metal device,
// its memory host memory, its dispatches recorded and not run) through every family and dtype
// Metal has: each dispatched kernel must have MSL that passes the checks above, get its buffers
// in its order, and no float64 tensor may reach it (Metal refuses them at creation).

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <tessera/backend/gpu/gpu_kernels.hpp>
#include <tessera/tessera.hpp>

namespace test_metal_msl {

namespace {

namespace gpu = ts::gpu;
namespace gd = ts::gpu::detail;

/** FNV-1a 64 of the SPIR-V words' little-endian bytes, as tools/gen_gpu_kernels.py stamps it. */
uint64_t spirv_hash(const gpu::Kernel& k) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < k.spirv_words; ++i)
    for (int b = 0; b < 4; ++b) h = (h ^ ((k.spirv[i] >> (8 * b)) & 0xffu)) * 0x100000001b3ull;
  return h;
}

struct Argument {
  int index;             // its [[buffer(n)]]
  std::string_view text;  // its declaration
};

/** The [[buffer(n)]] arguments of the MSL's kernel function, by argument name. */
std::map<std::string, Argument> buffer_arguments(std::string_view msl, std::string_view entry, std::string& problem) {
  std::map<std::string, Argument> found;
  const std::string head = "kernel void " + std::string(entry) + "(";
  const size_t at = msl.find(head);
  if (at == std::string_view::npos) {
    problem = "no `" + head + "`";
    return found;
  }
  const size_t end = msl.find(")\n{", at);
  if (end == std::string_view::npos) {
    problem = "the kernel function's arguments do not end";
    return found;
  }
  std::string_view args = msl.substr(at + head.size(), end - at - head.size());
  while (!args.empty()) {
    const size_t comma = args.find(',');
    std::string_view arg = args.substr(0, comma);
    args = comma == std::string_view::npos ? std::string_view() : args.substr(comma + 1);
    const size_t tag = arg.find("[[buffer(");
    if (tag == std::string_view::npos) continue;
    std::string_view name = arg.substr(0, tag);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    name = name.substr(name.find_last_of(" &*") + 1);
    found[std::string(name)] = {std::atoi(std::string(arg.substr(tag + 9)).c_str()), arg};
  }
  return found;
}

/** A variant whose output or operands are float64: Vulkan only (docs/gpu.md). */
bool float64_variant(const gpu::Kernel& k) { return k.name.ends_with(".f64") || gd::uses_float64(k); }

/** Every problem of one kernel's MSL against its record; empty when it is right. */
std::string msl_problems(const gpu::Kernel& k) {
  if (float64_variant(k) && !k.name.starts_with("compare.")) return k.msl.empty() ? "" : "a float64 variant has MSL";
  if (k.msl.empty()) return "no MSL";
  char stamp[128];
  std::snprintf(stamp, sizeof stamp, "// translated from SPIR-V of %zu words, FNV-1a 64 0x%016llx\n", k.spirv_words,
                static_cast<unsigned long long>(spirv_hash(k)));
  if (!k.msl.starts_with(stamp)) return "the MSL does not start with `" + std::string(stamp) + "`";
  if (k.msl_entry != "main0") return "entry " + std::string(k.msl_entry);
  std::string problem;
  const std::map<std::string, Argument> args = buffer_arguments(k.msl, k.msl_entry, problem);
  if (!problem.empty()) return problem;
  std::set<int> bound;
  for (uint32_t i = 0; i < k.num_buffers; ++i) {
    const auto it = args.find(std::string(k.buffers[i].name));
    if (it == args.end()) return "buffer " + std::string(k.buffers[i].name) + " is no argument";
    if (it->second.index != static_cast<int>(k.buffers[i].metal_index))
      return "buffer " + std::string(k.buffers[i].name) + " is [[buffer(" + std::to_string(it->second.index) +
             ")]], the record says " + std::to_string(k.buffers[i].metal_index);
    if (it->second.text.find("device ") == std::string_view::npos)
      return "buffer " + std::string(k.buffers[i].name) + " is not in the device address space";
    bound.insert(it->second.index);
  }
  if (k.push_constant_bytes) {
    const int index = static_cast<int>(k.push_constant_metal_index);
    bool found = false;
    for (const auto& [name, arg] : args)
      found = found || (arg.index == index && arg.text.find("constant ") != std::string_view::npos);
    if (!found || bound.count(index)) return "no constant push-constant argument at [[buffer(" + std::to_string(index) + ")]]";
    bound.insert(index);
  }
  if (bound.size() != args.size()) return "the kernel function has arguments the host does not bind";
  for (uint32_t i = 0; i < k.num_spec_constants; ++i)
    if (k.msl.find("[[function_constant(" + std::to_string(k.spec_constant_ids[i]) + ")]]") == std::string_view::npos)
      return "no function constant " + std::to_string(k.spec_constant_ids[i]);
  for (size_t at = k.msl.find("[[function_constant("); at != std::string_view::npos;
       at = k.msl.find("[[function_constant(", at + 1)) {
    const uint32_t id = static_cast<uint32_t>(std::atoi(std::string(k.msl.substr(at + 20, 4)).c_str()));
    bool listed = false;
    for (uint32_t i = 0; i < k.num_spec_constants; ++i) listed = listed || k.spec_constant_ids[i] == id;
    if (!listed) return "function constant " + std::to_string(id) + " is not in the record";
  }
  const std::string size = "uint3(" + std::to_string(k.local_size[0]) + "u, " + std::to_string(k.local_size[1]) + "u, " +
                           std::to_string(k.local_size[2]) + "u)";
  if (k.msl.find("gl_WorkGroupSize") != std::string_view::npos && k.msl.find(size) == std::string_view::npos)
    return "the MSL's gl_WorkGroupSize is not " + size;
  return "";
}

// ---- a recording Metal device

struct Dispatch {
  const gpu::Kernel* kernel;
  std::string problem;
};
std::vector<Dispatch> g_dispatches;

struct RecordingRuntime {
  static constexpr ts::DeviceType kType = ts::DeviceType::Metal;
  static void dispatch(int device, const gpu::Kernel& kernel, std::span<const uint32_t> spec,
                       std::span<const gpu::BufferArg> buffers, const void* push, uint32_t gx, uint32_t gy, uint32_t gz) {
    std::string problem;
    if (device != 0) problem = "device " + std::to_string(device);
    if (buffers.size() != kernel.num_buffers) problem = "buffers " + std::to_string(buffers.size());
    if (spec.size() != kernel.num_spec_constants) problem = "spec constants " + std::to_string(spec.size());
    if (kernel.push_constant_bytes && !push) problem = "no push constants";
    if (gx == 0 || gy == 0 || gz == 0 || gx > 65535 || gy > 65535 || gz > 65535) problem = "groups";
    for (const gpu::BufferArg& b : buffers) {
      if (b.data && b.data->device != ts::Device::metal()) problem = "a buffer on " + b.data->device.str();
      if (!b.data && b.nbytes == 0) problem = "an empty host buffer";
    }
    g_dispatches.push_back({&kernel, problem});
  }
  static void synchronize(int) {}
#if __has_include(<tessera/backend/gpu/deferred_error.hpp>)
  static const ts::DataPtr& error_status(int) {  // Note [Deferred errors]: never set here
    alignas(16) static uint32_t words[8] = {};
    static const ts::DataPtr status{words, nullptr, nullptr, ts::Device::metal()};
    return status;
  }
#endif
  static bool has_float64(int) { return false; }
  static std::string device_name(int) { return "recording Metal device"; }
};

class HostMemory final : public ts::DeviceAllocator {
 public:
  ts::DataPtr allocate(size_t nbytes, ts::Device device) override {
    void* p = std::calloc(std::max<size_t>(nbytes, 16), 1);
    return {p, p, [](void*, void* c) { std::free(c); }, device};
  }
  void* host_address(const ts::DataPtr& d) override { return d.data; }
  void copy_from_host(const ts::DataPtr& dst, size_t offset, const void* src, size_t n) override {
    if (n) std::memcpy(static_cast<char*>(dst.data) + offset, src, n);
  }
  void copy_to_host(void* dst, const ts::DataPtr& src, size_t offset, size_t n) override {
    if (n) std::memcpy(dst, static_cast<const char*>(src.data) + offset, n);
  }
  int device_count() override { return 1; }
};

HostMemory g_memory;
gd::GpuKernels<RecordingRuntime> g_kernels;
const bool g_registered = (ts::register_device_backend(ts::DeviceType::Metal, &g_memory, &g_kernels), true);

const ts::Device kMetal = ts::Device::metal();

template <class T>
void drive_every_family() {
  auto x = ts::zeros<T>({6, 5}, {.device = kMetal});                       // fill
  x.transpose(0, 1).fill_(1);                                             // strided fill: copy
  auto c = ts::ones<bool>({6, 5}, {.device = kMetal});
  (void)ts::arange<T>(0, 5, 1, {.device = kMetal});                       // range
  if constexpr (!std::is_same_v<T, bool>) (void)ts::linspace<T>(0, 4, 5, {.device = kMetal});
  (void)x.template to<float>(), (void)x.template to<int64_t>(), (void)x.template to<bool>();  // copy
  (void)x.template to<ts::half>(), (void)x.template to<ts::bfloat16>(), (void)x.template to<uint8_t>();
  (void)x.template to<int8_t>(), (void)x.template to<int16_t>(), (void)x.template to<int32_t>();
  (void)ts::abs(x), (void)ts::isnan(x), (void)ts::exp(x);                 // unary
  if constexpr (!std::is_same_v<T, bool>) (void)(-x);
  (void)(x + x), (void)(x * 3), (void)ts::maximum(x, x);                  // binary
  (void)ts::lt(x, x), (void)ts::eq(x, 1), (void)ts::lt(x, 2.5);           // compare
  (void)ts::where(c, x, x);                                               // ternary
  if constexpr (ts::is_floating_v<T>) (void)ts::lerp(x, x, 0.5f);
  (void)x.sum(), (void)x.sum(1), (void)x.amax(0), (void)x.all(), (void)x.any();  // reduce
  if constexpr (!std::is_same_v<T, bool>) (void)x.argmax(1);
  if constexpr (ts::is_floating_v<T>) (void)ts::softmax(x, 1), (void)ts::log_softmax(x, 0), (void)x.mean(1);
  if constexpr (!std::is_same_v<T, bool>) (void)ts::matmul(x, x.t()), (void)ts::matmul(x.reshape({2, 3, 5}), x.reshape({2, 5, 3}));
}

}  // namespace

TEST_CASE("metal msl: every kernel's MSL binds what its record says, from the SPIR-V Vulkan runs") {
  int with_msl = 0;
  for (const gpu::Kernel* k : gpu::all_kernels) {
    INFO(k->name);
    CHECK(msl_problems(*k) == "");
    if (!k->msl.empty()) ++with_msl;
  }
  CHECK(with_msl > 0);
  // One SPIR-V word changed gives another stamp: the MSL could not pass for another module's.
  const gpu::Kernel& fill = *gpu::find_kernel("fill.x32");
  std::vector<uint32_t> changed(fill.spirv, fill.spirv + fill.spirv_words);
  changed.back() ^= 1;
  gpu::Kernel other = fill;
  other.spirv = changed.data();
  CHECK(msl_problems(other).find("does not start with") != std::string::npos);
  // A buffer index or push-constant index the MSL does not have is caught.
  const gpu::Kernel& copy = *gpu::find_kernel("copy.f32");
  std::vector<gpu::KernelBuffer> buffers(copy.buffers, copy.buffers + copy.num_buffers);
  std::swap(buffers[0].metal_index, buffers[1].metal_index);
  other = copy;
  other.buffers = buffers.data();
  CHECK(msl_problems(other).find("the record says") != std::string::npos);
  other = copy;
  other.push_constant_metal_index = copy.buffers[0].metal_index;
  CHECK(msl_problems(other).find("no constant push-constant argument") != std::string::npos);
}

TEST_CASE("metal msl: every kernel the Metal host dispatches has MSL with the buffers it binds; no float64") {
  REQUIRE(g_registered);
  g_dispatches.clear();
  drive_every_family<bool>();
  drive_every_family<uint8_t>();
  drive_every_family<int8_t>();
  drive_every_family<int16_t>();
  drive_every_family<int32_t>();
  drive_every_family<int64_t>();
  drive_every_family<ts::half>();
  drive_every_family<ts::bfloat16>();
  drive_every_family<float>();
  std::set<std::string_view> dispatched;
  for (const Dispatch& d : g_dispatches) {
    INFO(d.kernel->name);
    CHECK(d.problem == "");
    CHECK(!float64_variant(*d.kernel));
    CHECK(msl_problems(*d.kernel) == "");
    dispatched.insert(d.kernel->name);
  }
  // Every variant with MSL of these families is reached (families added later are checked by
  // the first test case only).
  const std::set<std::string_view> families = {"fill", "range", "copy", "unary", "binary", "compare", "ternary",
                                               "reduce", "softmax", "matmul"};
  for (const gpu::Kernel* k : gpu::all_kernels) {
    if (k->msl.empty() || float64_variant(*k) || !families.count(k->name.substr(0, k->name.find('.')))) continue;
    INFO(k->name << " was never dispatched");
    CHECK(dispatched.count(k->name) == 1);
  }
}

TEST_CASE("metal msl: float64 never reaches a Metal kernel: refused when a tensor would be made") {
  REQUIRE(g_registered);
  CHECK_THROWS_WITH((ts::zeros<double>({2}, {.device = kMetal})), Catch::Contains("Metal has no float64"));
  CHECK_THROWS_WITH(ts::ones<float>({2}, {.device = kMetal}).to<double>(), Catch::Contains("Metal has no float64"));
  CHECK_THROWS_WITH(ts::ones<double>({2}).to(kMetal), Catch::Contains("to: metal:0 cannot hold a float64 tensor"));
  CHECK_THROWS_WITH((ts::randn<double>({2}, {.device = kMetal})), Catch::Contains("Metal has no float64"));
  // A tensor on "mps" is on metal:0 and prints so, as PyTorch prints device='mps:0'.
  const auto t = ts::zeros<float>({2}, {.device = ts::Device("mps")});
  CHECK(t.device() == ts::Device::metal(0));
  std::ostringstream os;
  os << t;
  CHECK(os.str() == "tensor([0., 0.], device='metal:0')");
}

}  // namespace test_metal_msl
