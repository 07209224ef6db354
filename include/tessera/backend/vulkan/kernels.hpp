#pragma once
// Vulkan kernels: each plan as launches of the generated GPU kernels (docs/gpu.md), and the
// plan's host kernel for the families and variants that have no GPU kernel yet.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "../../core/convert.hpp"
#include "../../parallel/atomic.hpp"
#include "../cpu/range.hpp"
#include "../dispatch.hpp"
#include "../gpu/kernels.hpp"
#include "runtime.hpp"

namespace tessera::vulkan::detail {

using ::tessera::detail::TensorImpl;

/** The kernel families of DeviceKernels, to count the plans each ran on the host. */
enum class KernelFamily { Elementwise, Copy, Fill, Reduce, Rows, Matmul, Random, Index, Range, Window };
inline constexpr int kKernelFamilies = 10;

// Note [Host fallbacks]
// A plan that no GPU kernel runs yet (a family without kernels, or a variant such as logspace)
// runs its CPU kernel on the mapped device memory after the queue drains, which is correct
// because the runtime's memory is host-visible (Note [Vulkan memory]). Tests read the counts
// to check that a family they expect on the GPU did not quietly fall back.
inline Atomic<uint64_t> g_host_fallbacks[kKernelFamilies] = {};

/** How many plans of `family` ran on the host since the program started. */
inline uint64_t host_fallbacks(KernelFamily family) {
  return g_host_fallbacks[static_cast<int>(family)].load(MemoryOrder::Relaxed);
}

/** The name of a dtype in kernel variant names ("f32", "bf16", ...). */
constexpr std::string_view variant_suffix(DType d) {
  constexpr std::string_view names[kNumDTypes] = {"b8", "u8", "i8", "i16", "i32", "i64", "f16", "bf16", "f32", "f64"};
  return names[static_cast<int>(d)];
}

/** The sizes and strides of a strided launch: the meta buffer's words (Note [Meta buffer] in
 *  docs/gpu.md) and the element count. */
struct StridedLayout {
  std::vector<int32_t> meta;
  uint32_t numel = 0;
};

// Note [Largest GPU tensor]
// Kernels index in 32 bits: every tensor a launch touches must have fewer than 2^31 elements,
// and its offset plus its largest index must stay below 2^31, else the launch is refused.
inline void check_index_range(const TensorImpl& t, const char* op) {
  int64_t last = t.offset;
  for (size_t d = 0; d < t.sizes.size(); ++d)
    if (t.sizes[d] > 0) last += (t.sizes[d] - 1) * t.strides[d];
  TS_CHECK(t.numel < (int64_t{1} << 31) && last < (int64_t{1} << 31), op, ": tensors of 2^31 elements or more (",
           t.numel, " elements of ", t.dtype, ") are not supported on ", t.storage.device());
}

/** The layout of `out` and `inputs` (broadcast to out's shape) with size-1 dims dropped and
 *  dims whose strides chain in every operand merged, as the CPU's strided loop does. */
inline StridedLayout strided_layout(const TensorImpl& out, std::initializer_list<const TensorImpl*> inputs,
                                    const char* op) {
  const size_t nd = out.sizes.size(), ops = 1 + inputs.size();
  check_index_range(out, op);
  for (const TensorImpl* in : inputs) check_index_range(*in, op);
  // strides[k][d]: operand k's stride along out's dim d, 0 where it broadcasts.
  std::vector<std::vector<int64_t>> strides(ops, std::vector<int64_t>(nd, 0));
  for (size_t d = 0; d < nd; ++d) strides[0][d] = out.strides[d];
  size_t k = 1;
  for (const TensorImpl* in : inputs) {
    const size_t shift = nd - in->sizes.size();
    for (size_t d = 0; d < in->sizes.size(); ++d)
      if (in->sizes[d] != 1) strides[k][shift + d] = in->strides[d];
    ++k;
  }
  std::vector<int64_t> sizes;
  std::vector<std::vector<int64_t>> kept(ops);
  for (size_t d = 0; d < nd; ++d) {
    if (out.sizes[d] == 1) continue;
    bool merge = !sizes.empty();
    for (size_t o = 0; o < ops && merge; ++o) merge = kept[o].back() == strides[o][d] * out.sizes[d];
    if (merge) {
      sizes.back() *= out.sizes[d];
      for (size_t o = 0; o < ops; ++o) kept[o].back() = strides[o][d];
    } else {
      sizes.push_back(out.sizes[d]);
      for (size_t o = 0; o < ops; ++o) kept[o].push_back(strides[o][d]);
    }
  }
  if (sizes.empty()) {  // one element
    sizes.push_back(1);
    for (size_t o = 0; o < ops; ++o) kept[o].push_back(0);
  }
  StridedLayout layout;
  layout.numel = static_cast<uint32_t>(out.numel);
  layout.meta.push_back(static_cast<int32_t>(sizes.size()));
  for (int64_t s : sizes) layout.meta.push_back(static_cast<int32_t>(s));
  for (size_t o = 0; o < ops; ++o)
    for (int64_t s : kept[o]) layout.meta.push_back(static_cast<int32_t>(s));
  return layout;
}

/** Whether a kernel's SPIR-V declares the Float64 capability (its capabilities come first). */
inline bool uses_float64(const gpu::Kernel& kernel) {
  for (size_t i = 5; i < kernel.spirv_words;) {
    const uint32_t count = kernel.spirv[i] >> 16, opcode = kernel.spirv[i] & 0xffffu;
    if (opcode != 17 /* OpCapability */) break;
    if (kernel.spirv[i + 1] == 10 /* Float64 */) return true;
    i += count;
  }
  return false;
}

/** The generated kernel `name`, refused with the op and dtype when the device cannot run it. */
inline const gpu::Kernel& kernel_for(const std::string& name, const char* op, DType dtype, int device) {
  const gpu::Kernel* kernel = gpu::find_kernel(name);
  TS_CHECK(kernel != nullptr, op, ": no GPU kernel ", name, " for ", dtype);
  TS_CHECK(!uses_float64(*kernel) || has_float64(device), op, ": ", dtype, " is not supported on ",
           Device::vulkan(device), " (", device_name(device), " has no shaderFloat64)");
  return *kernel;
}

/** Queues `kernel` over n elements (one thread each, strided over at most 65535 groups). */
inline void launch(int device, const gpu::Kernel& kernel, std::initializer_list<std::pair<uint32_t, uint32_t>> spec,
                   std::initializer_list<BufferArg> buffers, const void* push, uint32_t n) {
  // Values in the order of the kernel's constant ids; an id the optimizer removed is dropped.
  std::array<uint32_t, 8> values{};
  for (uint32_t i = 0; i < kernel.num_spec_constants; ++i)
    for (const auto& [id, value] : spec)
      if (id == kernel.spec_constant_ids[i]) values[i] = value;
  const uint32_t per_group = kernel.local_size[0];
  const uint32_t groups = std::min<uint32_t>((n + per_group - 1) / per_group, 65535);
  dispatch(device, kernel, std::span<const uint32_t>(values.data(), kernel.num_spec_constants),
           std::span<const BufferArg>(buffers.begin(), buffers.size()), push, groups);
}

template <class T>
uint64_t bits_of(T value) {
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(T));
  return bits;
}

/** The bits of `value` converted to `dtype`, as convert<T> does. */
inline uint64_t value_bits(double value, DType dtype) {
  return dispatch(dtype, [&](auto t) {
    using T = typename decltype(t)::type;
    return bits_of(::tessera::detail::convert<T>(value));
  });
}

// Push-constant blocks, as the GLSL declares them (docs/gpu.md lists every family's).
struct FillPush {
  uint32_t lo, hi, offset, n;
};
struct RangePush {
  uint64_t a, b, c;
  uint32_t offset, n, halfway, pad;
};
struct CopyPush {
  uint32_t n, out_offset, in_offset;
};

/** Every kernel family of a Vulkan device: GPU kernels where they exist (docs/gpu.md). */
class VulkanKernels final : public DeviceKernels {
 public:
  void elementwise(const ::tessera::detail::ElementwisePlan& plan) override { host(plan, KernelFamily::Elementwise); }
  void copy(const ::tessera::detail::CopyPlan& plan) override { copy_values(*plan.out, *plan.input, plan.op); }
  void fill(const ::tessera::detail::FillPlan& plan) override {
    // The plan holds the value as a double: an int64 value of 2^53 or more may have lost bits
    // there, so the host kernel (which has it exactly) writes those.
    if (plan.out->numel == 0) return;
    if (plan.out->dtype == DType::Int64 && std::abs(plan.value) >= 0x1p53) return host(plan, KernelFamily::Fill);
    fill_value(*plan.out, plan.value, plan.op);
  }
  void reduce(const ::tessera::detail::ReductionPlan& plan) override { host(plan, KernelFamily::Reduce); }
  void rows(const ::tessera::detail::RowPlan& plan) override { host(plan, KernelFamily::Rows); }
  void matmul(const ::tessera::detail::MatmulPlan& plan) override { host(plan, KernelFamily::Matmul); }
  void random(const ::tessera::detail::RandomPlan& plan) override { host(plan, KernelFamily::Random); }
  void index(const ::tessera::detail::IndexPlan& plan) override { host(plan, KernelFamily::Index); }
  void range(const ::tessera::detail::RangePlan& plan) override {
    if (!range_on_gpu(plan)) host(plan, KernelFamily::Range);
  }
  void window(const ::tessera::detail::WindowPlan& plan) override { host(plan, KernelFamily::Window); }

 private:
  template <class Plan>
  static void host(const Plan& plan, KernelFamily family) {
    // Note [Host fallbacks]: the host kernel reads and writes the buffers directly, after the
    // launches queued on them.
    synchronize(plan.out->storage.device().index());
    plan.run_on_host();
    g_host_fallbacks[static_cast<int>(family)].fetch_add(1, MemoryOrder::Relaxed);
  }

  static int device_of(const TensorImpl& t) { return t.storage.device().index(); }

  static void fill_value(const TensorImpl& out, double value, const char* op) {
    if (out.numel == 0) return;
    const int device = device_of(out);
    const uint64_t bits = value_bits(value, out.dtype);
    if (!out.contiguous) {  // a strided fill is a copy from one broadcast element
      const StridedLayout layout = strided_layout(out, {}, op);
      std::vector<int32_t> meta = layout.meta;
      meta.insert(meta.end(), static_cast<size_t>(meta[0]), 0);  // the value's strides: 0
      const gpu::Kernel& kernel = kernel_for("copy." + std::string(variant_suffix(out.dtype)), op, out.dtype, device);
      const CopyPush push{layout.numel, static_cast<uint32_t>(out.offset), 0};
      launch(device, kernel, {{1, static_cast<uint32_t>(out.dtype)}},
             {{.data = &out.storage.data_ptr()}, {.bytes = &bits, .nbytes = sizeof bits},
              {.bytes = meta.data(), .nbytes = meta.size() * sizeof(int32_t)}},
             &push, layout.numel);
      return;
    }
    check_index_range(out, op);
    const int64_t size = element_size(out.dtype);
    const gpu::Kernel& kernel = kernel_for("fill.x" + std::to_string(8 * size), op, out.dtype, device);
    const FillPush push{static_cast<uint32_t>(bits), static_cast<uint32_t>(bits >> 32), static_cast<uint32_t>(out.offset),
                        static_cast<uint32_t>(out.numel)};
    launch(device, kernel, {}, {{.data = &out.storage.data_ptr()}}, &push, push.n);
  }

  static void copy_values(const TensorImpl& out, const TensorImpl& in, const char* op) {
    if (out.numel == 0) return;
    const int device = device_of(out);
    const StridedLayout layout = strided_layout(out, {&in}, op);
    const gpu::Kernel& kernel = kernel_for("copy." + std::string(variant_suffix(out.dtype)), op, out.dtype, device);
    const CopyPush push{layout.numel, static_cast<uint32_t>(out.offset), static_cast<uint32_t>(in.offset)};
    launch(device, kernel, {{1, static_cast<uint32_t>(in.dtype)}},
           {{.data = &out.storage.data_ptr()}, {.data = &in.storage.data_ptr()},
            {.bytes = layout.meta.data(), .nbytes = layout.meta.size() * sizeof(int32_t)}},
           &push, layout.numel);
  }

  // range.comp's constants, computed as backend/cpu/range.hpp computes them. False when the
  // plan needs the host (logspace: its power is in double; values beyond the type's range).
  static bool range_on_gpu(const ::tessera::detail::RangePlan& plan) {
    using ::tessera::detail::convert;
    const TensorImpl& out = *plan.out;
    const std::string_view op = plan.op;
    if (op != "arange" && op != "linspace") return false;
    if (out.numel == 0) return true;
    const int device = device_of(out);
    if (op == "linspace" && out.numel == 1) {
      fill_value(out, plan.start, plan.op);  // convert<T>(start), as the CPU writes it
      return true;
    }
    check_index_range(out, plan.op);
    const int64_t n = out.numel;
    RangePush push{0, 0, 0, static_cast<uint32_t>(out.offset), static_cast<uint32_t>(n), static_cast<uint32_t>(n / 2), 0};
    const bool ok = dispatch(out.dtype, [&](auto t) {
      using T = typename decltype(t)::type;
      if (op == "arange") {
        if constexpr (std::is_integral_v<T>) {
          push.a = static_cast<uint64_t>(plan.int_start), push.b = static_cast<uint64_t>(plan.int_step);
          return true;
        } else {
          push.a = bits_of(plan.start), push.b = bits_of(plan.step);
          return std::isfinite(plan.start) && std::isfinite(plan.step);
        }
      }
      double s, e, step;  // linspace
      if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) {
        using ::tessera::detail::round_op;
        const T ts = convert<T>(plan.start), te = convert<T>(plan.end);
        const T tstep = round_op<T>(float(round_op<T>(float(te) - float(ts))) / float(T(static_cast<float>(n - 1))));
        s = float(ts), e = float(te), step = float(tstep);
        // T(float(k)) must stay finite for every multiple of the step the kernel forms.
        if (std::is_same_v<T, half> && n > 65504) return false;
      } else {
        using Step = std::conditional_t<std::is_integral_v<T>, double, T>;
        const Step ss = static_cast<Step>(convert<T>(plan.start)), se = static_cast<Step>(convert<T>(plan.end));
        const Step sstep = (se - ss) / static_cast<Step>(n - 1);
        s = static_cast<double>(ss), e = static_cast<double>(se), step = static_cast<double>(sstep);
      }
      push.a = bits_of(s), push.b = bits_of(step), push.c = bits_of(e);
      return std::isfinite(s) && std::isfinite(e) && std::isfinite(step);  // Note [Soft rounding]
    });
    if (!ok) return false;
    const gpu::Kernel& kernel = kernel_for("range." + std::string(variant_suffix(out.dtype)), plan.op, out.dtype, device);
    launch(device, kernel, {{0, op == "arange" ? 0u : 1u}}, {{.data = &out.storage.data_ptr()}}, &push, push.n);
    return true;
  }
};

}  // namespace tessera::vulkan::detail
