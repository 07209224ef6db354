#pragma once
// What launching a generated GPU kernel takes, on any GPU backend: the runtime a backend
// supplies (Note [GPU runtime]), the meta buffer of a strided launch, 32-bit index limits,
// kernel lookup with the device's float64 check, and grid-stride launches.

#include <algorithm>
#include <array>
#include <cstring>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../../core/convert.hpp"
#include "../../core/tensor_impl.hpp"
#include "../../parallel/atomic.hpp"
#include "../dispatch.hpp"
#include "kernels.hpp"

namespace tessera::gpu::detail {

// Note [GPU runtime]
// GpuKernels<Runtime> needs of a backend only this (Vulkan's is in backend/vulkan/kernels.hpp):
//   static constexpr DeviceType kType;
//   static void dispatch(int device, const Kernel&, std::span<const uint32_t> spec_constants,
//                        std::span<const BufferArg> buffers, const void* push_constants,
//                        uint32_t groups_x, uint32_t groups_y, uint32_t groups_z);
//       queues a launch; buffers in the kernel's buffer order, spec constants in its id order
//   static void synchronize(int device);  runs what is queued and waits for it
//   static const DataPtr& error_status(int device);  the device's status words: 32 bytes of
//       device memory, zero, that a kernel checking tensor values (index_check) writes a
//       DeferredError into; after every wait for the queue (synchronize, host access) the runtime
//       reads them once the launches binding them have finished, and when they are set clears
//       them and throws ts::Error(deferred_error_message(...)) (Note [Deferred errors] in
//       backend/gpu/deferred_error.hpp)
//   static bool has_float64(int device);
//   static std::string device_name(int device);
// and a DataPtr whose `data` is a host address, so that a plan without a GPU kernel can run its
// host kernel there. Where that address is the memory itself (unified memory: Metal, mapped
// Vulkan memory) nothing more is needed; a runtime whose memory the host reaches through copies
// (staged Vulkan memory, Note [Staged memory]) also provides
//   static void host_fallback(int device, std::span<const std::pair<const DataPtr*, bool>> tensors);
//       instead of synchronize before a host kernel: waits for the queue and makes the host
//       addresses of the plan's tensors hold their bytes; `true` marks those the kernel writes.

using ::tessera::detail::Atomic;
using ::tessera::detail::MemoryOrder;
using ::tessera::detail::TensorImpl;

using ::tessera::detail::PlanKind;
inline constexpr int kKernelFamilies = 11;  // the values of PlanKind

/** The name of a dtype in kernel variant names ("f32", "bf16", ...). */
constexpr std::string_view variant_suffix(DType d) {
  constexpr std::string_view names[kNumDTypes] = {"b8", "u8", "i8", "i16", "i32", "i64", "f16", "bf16", "f32", "f64"};
  return names[static_cast<int>(d)];
}

/** The sizes and strides of a strided launch: the meta buffer's words (docs/gpu.md, "Meta
 *  buffer") and the element count. */
struct StridedLayout {
  std::vector<int32_t> meta;
  uint32_t numel = 0;
};

/** The meta words (docs/gpu.md, "Meta buffer") of `sizes` and each operand's strides along
 *  them: size-1 dims dropped and dims whose strides chain in every operand merged, as the CPU's
 *  strided loop does. No dim is left for one element. */
inline std::vector<int32_t> coalesced_meta(const Shape& sizes, const std::vector<Shape>& strides) {
  std::vector<int64_t> kept_sizes;
  std::vector<std::vector<int64_t>> kept(strides.size());
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 1) continue;
    bool merge = !kept_sizes.empty();
    for (size_t o = 0; o < strides.size() && merge; ++o) merge = kept[o].back() == strides[o][d] * sizes[d];
    if (merge) kept_sizes.back() *= sizes[d];
    else kept_sizes.push_back(sizes[d]);
    for (size_t o = 0; o < strides.size(); ++o) {
      if (merge) kept[o].back() = strides[o][d];
      else kept[o].push_back(strides[o][d]);
    }
  }
  std::vector<int32_t> meta{static_cast<int32_t>(kept_sizes.size())};
  for (int64_t v : kept_sizes) meta.push_back(static_cast<int32_t>(v));
  for (const auto& k : kept)
    for (int64_t v : k) meta.push_back(static_cast<int32_t>(v));
  return meta;
}

/** The meta buffer of a row kernel: the rows of the operands (of one shape) along every dim but
 *  `dim` (none for a 0-dim tensor), with each operand's strides, coalesced. */
inline std::vector<int32_t> row_meta(std::initializer_list<const TensorImpl*> operands, size_t dim) {
  Shape rows = (*operands.begin())->sizes;
  if (!rows.empty()) rows[dim] = 1;  // dropped
  std::vector<Shape> strides;
  for (const TensorImpl* t : operands) strides.push_back(t->strides);
  return coalesced_meta(rows, strides);
}

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

/** The layout of `out` and `inputs` (broadcast to out's shape; nullptr for a scalar operand)
 *  with size-1 dims dropped and dims whose strides chain in every operand merged, as the CPU's
 *  strided loop does. */
inline StridedLayout strided_layout(const TensorImpl& out, std::initializer_list<const TensorImpl*> inputs,
                                    const char* op) {
  const size_t nd = out.sizes.size(), ops = 1 + inputs.size();
  check_index_range(out, op);
  for (const TensorImpl* in : inputs)
    if (in) check_index_range(*in, op);
  // strides[k][d]: operand k's stride along out's dim d, 0 where it broadcasts.
  std::vector<Shape> strides(ops, Shape::filled(nd, 0));
  strides[0] = out.strides;
  size_t k = 1;
  for (const TensorImpl* in : inputs) {
    if (!in) {  // a scalar operand: every stride 0
      ++k;
      continue;
    }
    const size_t shift = nd - in->sizes.size();
    for (size_t d = 0; d < in->sizes.size(); ++d)
      if (in->sizes[d] != 1) strides[k][shift + d] = in->strides[d];
    ++k;
  }
  StridedLayout layout;
  layout.numel = static_cast<uint32_t>(out.numel);
  layout.meta = coalesced_meta(out.sizes, strides);
  if (layout.meta[0] == 0) {  // one element: one dim of size 1
    layout.meta = {1, 1};
    layout.meta.insert(layout.meta.end(), ops, 0);
  }
  return layout;
}

/** Whether a kernel's SPIR-V declares the Float64 capability (its capabilities come first). */
inline bool uses_float64(const Kernel& kernel) {
  for (size_t i = 5; i < kernel.spirv_words;) {
    const uint32_t count = kernel.spirv[i] >> 16, opcode = kernel.spirv[i] & 0xffffu;
    if (opcode != 17 /* OpCapability */) break;
    if (kernel.spirv[i + 1] == 10 /* Float64 */) return true;
    i += count;
  }
  return false;
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

/** `value` rounded to the floating type `dtype`, as a float (the compute type of float, half and
 *  bfloat16 kernels). */
inline float rounded_to(DType dtype, double value) {
  if (dtype == DType::Float16) return static_cast<float>(::tessera::detail::convert<half>(value));
  if (dtype == DType::BFloat16) return static_cast<float>(::tessera::detail::convert<bfloat16>(value));
  return static_cast<float>(value);
}

constexpr bool is_float_dtype(DType d) {
  return d == DType::Float16 || d == DType::BFloat16 || d == DType::Float32 || d == DType::Float64;
}

/** Appends the meta words of one operand's sizes and strides, coalesced (coalesced_meta). */
inline void append_coalesced(std::vector<int32_t>& meta, const Shape& sizes, const Shape& strides) {
  const std::vector<int32_t> words = coalesced_meta(sizes, {strides});
  meta.insert(meta.end(), words.begin(), words.end());
}

/** The meta buffer of a reduction (docs/gpu.md, "reduce"): its kept dims, then its reduced dims,
 *  each coalesced. */
inline std::vector<int32_t> reduction_meta(const ::tessera::detail::ReduceLayout& layout) {
  std::vector<int32_t> meta;
  append_coalesced(meta, layout.kept_sizes, layout.kept_strides);
  append_coalesced(meta, layout.reduced_sizes, layout.reduced_strides);
  return meta;
}

// Note [Testing without float64]
// Metal devices have no float64, and the kernels that serve them (every variant with MSL) must
// be exercised somewhere Metal is not: when this flag is set, every GPU device is treated as one
// without float64 (`device_has_float64` is false), so lavapipe runs the paths of a Metal device
// (float64 variants refused, the float64-free kernels of uniform_, bernoulli and cumsum chosen).
// Only tests set it, while no other thread launches.
inline Atomic<bool> g_testing_without_float64{false};

/** Whether kernels on `device` may use float64 (Note [Testing without float64]). */
template <class Runtime>
bool device_has_float64(int device) {
  return Runtime::has_float64(device) && !g_testing_without_float64.load(MemoryOrder::Relaxed);
}

/** The index of the device `t` lives on. */
inline int device_of(const TensorImpl& t) { return t.storage.device().index(); }

/** Launches through a backend's runtime (Note [GPU runtime]). */
template <class Runtime>
struct Launch {
  /** The generated kernel `name`, refused with the op and dtype when the device cannot run it. */
  static const Kernel& kernel_for(const std::string& name, const char* op, DType dtype, int device) {
    const Kernel* kernel = find_kernel(name);
    TS_CHECK(kernel != nullptr, op, ": no GPU kernel ", name, " for ", dtype);
    // Note [Testing without float64]: a Vulkan-only variant (no MSL) is refused too, as on Metal.
    const bool vulkan_only =
        uses_float64(*kernel) || (kernel->msl.empty() && g_testing_without_float64.load(MemoryOrder::Relaxed));
    TS_CHECK(!vulkan_only || device_has_float64<Runtime>(device), op, ": ", dtype, " is not supported on ",
             Device(Runtime::kType, device), " (", Runtime::device_name(device), " has no float64 arithmetic)");
    return *kernel;
  }

  /** Queues `kernel` with `groups` workgroups along x (at most 65535: kernels stride over the
   *  rest, Note [Grid stride] in docs/gpu.md). */
  static void launch_groups(int device, const Kernel& kernel, std::initializer_list<std::pair<uint32_t, uint32_t>> spec,
                              std::initializer_list<BufferArg> buffers, const void* push, uint32_t groups) {
    // Values in the order of the kernel's constant ids; an id the optimizer removed is dropped.
    std::array<uint32_t, 8> values{};
    for (uint32_t i = 0; i < kernel.num_spec_constants; ++i)
      for (const auto& [id, value] : spec)
        if (id == kernel.spec_constant_ids[i]) values[i] = value;
    Runtime::dispatch(device, kernel, std::span<const uint32_t>(values.data(), kernel.num_spec_constants),
             std::span<const BufferArg>(buffers.begin(), buffers.size()), push, std::min<uint32_t>(groups, 65535), 1, 1);
  }

  /** Queues `kernel` over n elements, one thread each. */
  static void launch(int device, const Kernel& kernel, std::initializer_list<std::pair<uint32_t, uint32_t>> spec,
                       std::initializer_list<BufferArg> buffers, const void* push, uint32_t n) {
    const uint32_t per_group = kernel.local_size[0];
    launch_groups(device, kernel, spec, buffers, push, n / per_group + (n % per_group != 0));
  }
};

}  // namespace tessera::gpu::detail
