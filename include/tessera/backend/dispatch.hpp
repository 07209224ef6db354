#pragma once
// The dispatch point of every kernel family, keyed by the device: CPU kernels inline, every
// other device through the kernels its backend registered.

#include <type_traits>

#include "../core/allocator.hpp"
#include "../core/shape.hpp"
#include "../core/type_rules.hpp"
#include "../iter/overlap.hpp"
#include "../iter/plan.hpp"
#include "../parallel/atomic.hpp"

namespace tessera {

// Note [Device dispatch]
// A CPU tensor's op calls its CPU kernel directly, inlined: while no other device is registered
// the seam costs one load (Note [Only the CPU]), after that a device check, and nothing of
// another backend, nor of the device checks, is compiled into a program that does not register one.
// Another device type registers, from one translation unit, a DeviceAllocator (memory, host
// access, copies to and from the host: core/allocator.hpp) and a DeviceKernels: one virtual
// function per kernel family, each taking that family's plan (iter/plan.hpp). Every function
// must either run the plan on the device or throw a ts::Error naming the op and the device, except
// the fused ones (convolution), which may decline: the op is then composed from the others.

/** The kernel families a device backend provides (docs/design.md lists them). */
class DeviceKernels {
 public:
  virtual ~DeviceKernels() = default;
  virtual void elementwise(const detail::ElementwisePlan& plan) = 0;
  virtual void copy(const detail::CopyPlan& plan) = 0;
  virtual void fill(const detail::FillPlan& plan) = 0;
  virtual void reduce(const detail::ReductionPlan& plan) = 0;
  virtual void rows(const detail::RowPlan& plan) = 0;
  virtual void matmul(const detail::MatmulPlan& plan) = 0;
  virtual void random(const detail::RandomPlan& plan) = 0;
  virtual void index(const detail::IndexPlan& plan) = 0;
  virtual void range(const detail::RangePlan& plan) = 0;
  virtual void window(const detail::WindowPlan& plan) = 0;
  virtual void sort(const detail::SortPlan& plan) = 0;
  /** Runs the plan and returns true, or returns false (the default): the op is then composed
   *  from im2col and matmul (Note [Fused convolution]). */
  virtual bool convolution(const detail::ConvolutionPlan& plan) {
    (void)plan;
    return false;
  }
};

namespace detail {
inline constinit DeviceKernels* g_device_kernels[kDeviceTypes] = {};

// Note [Only the CPU]
// Storage can only be allocated on a device whose backend is registered, so until one is every
// tensor is a CPU tensor and dispatch skips its device checks: a small op then pays one load for
// the seam. The checks and the hand-over to other devices are reached through a function pointer
// that registering a backend sets, so a program that registers none does not compile them.
using DeviceDispatch = void (*)(PlanKind kind, const void* plan, HostKernel host);
inline constinit Atomic<DeviceDispatch> g_device_dispatch{nullptr};

template <class = void>
void dispatch_to_devices(PlanKind kind, const void* plan, HostKernel host);
}  // namespace detail

/** Registers a backend for every device of `type` (not the CPU): its memory and its kernels.
 *  One call, from one translation unit of the program, before its first tensor on the device. */
inline void register_device_backend(DeviceType type, DeviceAllocator* allocator, DeviceKernels* kernels) {
  TS_CHECK(type != DeviceType::CPU, "register_device_backend: the CPU backend is built in");
  detail::g_device_allocators[static_cast<int>(type)] = allocator;
  detail::g_device_kernels[static_cast<int>(type)] = kernels;
  detail::g_device_dispatch.store(&detail::dispatch_to_devices<>, detail::MemoryOrder::Release);
}

namespace detail {

/** The kernels registered for `device` (not the CPU), or a ts::Error naming `op` and the device. */
inline DeviceKernels& device_kernels(Device device, const char* op) {
  DeviceKernels* kernels = g_device_kernels[static_cast<int>(device.type())];
  TS_CHECK(kernels != nullptr, op, ": no ", device_type_name(device.type()),
           " backend is registered in this program, so ", device, " cannot be used");
  return *kernels;
}

/** PyTorch's refusal of an op on tensors of two devices. */
[[gnu::noinline, gnu::cold]] inline void throw_device_mismatch(const char* op, Device a, Device b) {
  throw_error(op, ": expected all tensors to be on the same device, but found at least two devices, ", a, " and ", b);
}
inline void check_same_device(const char* op, Device a, Device b) {
  if (!(a == b)) [[unlikely]] throw_device_mismatch(op, a, b);
}

/** A plan on a program with another device registered: checks that every tensor the plan reads
 *  is on the device of the one it writes, then runs the CPU kernel `host` or hands the plan,
 *  with `host` as its host kernel, to the kernels registered for the device. */
template <class>
void dispatch_to_devices(PlanKind kind, const void* any_plan, HostKernel host) {
  auto run = [&]<class Plan>(const Plan& plan) {
    const Device device = plan.out->storage.device();
    if constexpr (std::is_same_v<Plan, ElementwisePlan>) {
      for (size_t k = 0; k < static_cast<size_t>(plan.num_inputs); ++k) check_same_device(plan.op, device, plan.inputs[k]->storage.device());
    } else if constexpr (!std::is_same_v<Plan, FillPlan> && !std::is_same_v<Plan, RandomPlan> &&
                         !std::is_same_v<Plan, RangePlan>) {
      check_same_device(plan.op, device, plan.input->storage.device());
    }
    if constexpr (std::is_same_v<Plan, MatmulPlan>) check_same_device(plan.op, device, plan.other->storage.device());
    if constexpr (std::is_same_v<Plan, IndexPlan>)
      if (plan.index) check_same_device(plan.op, device, plan.index->storage.device());
    if constexpr (std::is_same_v<Plan, RandomPlan>)
      if (plan.input) check_same_device(plan.op, device, plan.input->storage.device());
    if constexpr (std::is_same_v<Plan, SortPlan>)
      for (const TensorImpl* t : {plan.indices, plan.other, plan.sorter})
        if (t) check_same_device(plan.op, device, t->storage.device());
    if (device.is_cpu()) return host();
    Plan on_device = plan;
    on_device.run_on_host = host;
    DeviceKernels& kernels = device_kernels(device, plan.op);
    if constexpr (std::is_same_v<Plan, ElementwisePlan>) kernels.elementwise(on_device);
    else if constexpr (std::is_same_v<Plan, CopyPlan>) kernels.copy(on_device);
    else if constexpr (std::is_same_v<Plan, FillPlan>) kernels.fill(on_device);
    else if constexpr (std::is_same_v<Plan, ReductionPlan>) kernels.reduce(on_device);
    else if constexpr (std::is_same_v<Plan, RowPlan>) kernels.rows(on_device);
    else if constexpr (std::is_same_v<Plan, MatmulPlan>) kernels.matmul(on_device);
    else if constexpr (std::is_same_v<Plan, RandomPlan>) kernels.random(on_device);
    else if constexpr (std::is_same_v<Plan, IndexPlan>) kernels.index(on_device);
    else if constexpr (std::is_same_v<Plan, RangePlan>) kernels.range(on_device);
    else if constexpr (std::is_same_v<Plan, WindowPlan>) kernels.window(on_device);
    else kernels.sort(on_device);
  };
  switch (kind) {
    case PlanKind::Elementwise: return run(*static_cast<const ElementwisePlan*>(any_plan));
    case PlanKind::Copy: return run(*static_cast<const CopyPlan*>(any_plan));
    case PlanKind::Fill: return run(*static_cast<const FillPlan*>(any_plan));
    case PlanKind::Reduction: return run(*static_cast<const ReductionPlan*>(any_plan));
    case PlanKind::Rows: return run(*static_cast<const RowPlan*>(any_plan));
    case PlanKind::Matmul: return run(*static_cast<const MatmulPlan*>(any_plan));
    case PlanKind::Random: return run(*static_cast<const RandomPlan*>(any_plan));
    case PlanKind::Index: return run(*static_cast<const IndexPlan*>(any_plan));
    case PlanKind::Range: return run(*static_cast<const RangePlan*>(any_plan));
    case PlanKind::Window: return run(*static_cast<const WindowPlan*>(any_plan));
    case PlanKind::Sort: return run(*static_cast<const SortPlan*>(any_plan));
    case PlanKind::Convolution: return;  // not reached: dispatch_fused hands fused plans over
  }
}

/** Refuses an existing output that cannot hold an op's result of dtype `result` and shape `shape`
 *  (Note [Plans]), with PyTorch's messages. */
inline void check_result_fits(const char* op, const TensorImpl& out, DType result, const Shape& shape,
                              bool may_overlap = false) {
  TS_CHECK(can_cast(result, out.dtype), op, ": result type ", result, " can't be cast to the desired output type ",
           out.dtype);
  TS_CHECK(out.sizes == shape, op, ": output with shape ", shape_str(out.sizes),
           " doesn't match the broadcast shape ", shape_str(shape));
  if (!may_overlap) check_no_internal_overlap(op, out);
}
inline void check_result_fits(const ElementwisePlan& plan) {
  Shape shape = plan.inputs[0]->sizes;
  for (int i = 1; i < plan.num_inputs; ++i) shape = broadcast_shapes(shape, plan.inputs[static_cast<size_t>(i)]->sizes, plan.op);
  check_result_fits(plan.op, *plan.out, plan.result_dtype, shape, plan.out_may_overlap);
}

/** Runs the plan: its CPU kernel `cpu()` when it writes a CPU tensor, else the kernels of its
 *  device (Note [Device dispatch]), with PyTorch's device and overlap checks; then bumps the
 *  version of an existing output (Note [Plans]). While only the CPU exists (Note [Only the CPU])
 *  it is one load and a call of the kernel, inlined into the op. */
template <class Plan, class F>
[[gnu::always_inline]] inline void dispatch_plan(const Plan& plan, const F& cpu) {
  if (!plan.fresh_out) {  // Note [Plans], Note [Overlap of inputs and outputs]
    if constexpr (std::is_same_v<Plan, ElementwisePlan>) {
      check_result_fits(plan);
      for (size_t i = 0; i < static_cast<size_t>(plan.num_inputs); ++i)
        check_no_partial_overlap(plan.op, *plan.out, *plan.inputs[i]);
    } else if constexpr (std::is_same_v<Plan, CopyPlan>) {
      check_no_partial_overlap(plan.op, *plan.out, *plan.input);
    }
  }
  const DeviceDispatch other_devices = g_device_dispatch.load(MemoryOrder::Relaxed);
  if (!other_devices) [[likely]] cpu();
  else other_devices(Plan::kind, &plan, HostKernel::of(cpu));
  if (!plan.fresh_out) plan.out->storage.bump_version();
}

/** Runs a fused plan (Note [Fused convolution]): its CPU kernel `cpu()` for a CPU output, else,
 *  after the device checks, the device's kernel. Returns false when the device has none: the
 *  caller then composes the op from the other families. */
template <class F>
bool dispatch_fused(const ConvolutionPlan& plan, const F& cpu) {
  if (g_device_dispatch.load(MemoryOrder::Relaxed)) {  // Note [Only the CPU]
    const Device device = plan.out->storage.device();
    for (const TensorImpl* t : {plan.input, plan.weight, plan.bias, plan.grad})
      if (t) check_same_device(plan.op, device, t->storage.device());
    if (!device.is_cpu()) {
      ConvolutionPlan on_device = plan;
      on_device.run_on_host = HostKernel::of(cpu);
      return device_kernels(device, plan.op).convolution(on_device);
    }
  }
  cpu();
  return true;
}

}  // namespace detail
}  // namespace tessera
