#pragma once
// The dispatch point of every kernel family, keyed by the device: CPU kernels inline, every
// other device through the kernels its backend registered.

#include <type_traits>

#include "../core/allocator.hpp"
#include "../iter/plan.hpp"

namespace tessera {

// Note [Device dispatch]
// A CPU tensor's op calls its CPU kernel directly, inlined: while no other device is registered
// the seam costs one load (Note [Only the CPU]), after that a device check, and nothing of
// another backend is compiled into a program that does not register one.
// Another device type registers, from one translation unit, a DeviceAllocator (memory, host
// access, copies to and from the host: core/allocator.hpp) and a DeviceKernels: one virtual
// function per kernel family, each taking that family's plan (iter/plan.hpp). Every function
// must either run the plan on the device or throw a ts::Error naming the op and the device.

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
};

namespace detail {
inline constinit DeviceKernels* g_device_kernels[kDeviceTypes] = {};
}  // namespace detail

/** Registers a backend for every device of `type`: its memory and its kernels. */
inline void register_device_backend(DeviceType type, DeviceAllocator* allocator, DeviceKernels* kernels) {
  register_device_allocator(type, allocator);
  detail::g_device_kernels[static_cast<int>(type)] = kernels;
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

/** Hands `plan` (with `host` as its host kernel) to the kernels registered for `device`. */
template <class Plan>
[[gnu::noinline, gnu::cold]] void run_on_device(Device device, const Plan& plan, HostKernel host) {
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
  else kernels.window(on_device);
}

/** The plan on a program with another device registered: checks that every tensor the plan reads
 *  is on the device of the one it writes, then runs the CPU kernel or hands the plan over. */
template <class Plan>
[[gnu::noinline]] void dispatch_checked(const Plan& plan, HostKernel host) {
  const Device device = plan.out->storage.device();
  if constexpr (std::is_same_v<Plan, ElementwisePlan>) {
    for (int k = 0; k < plan.num_inputs; ++k) check_same_device(plan.op, device, plan.inputs[k]->storage.device());
  } else if constexpr (!std::is_same_v<Plan, FillPlan> && !std::is_same_v<Plan, RandomPlan> &&
                       !std::is_same_v<Plan, RangePlan>) {
    check_same_device(plan.op, device, plan.input->storage.device());
  }
  if constexpr (std::is_same_v<Plan, MatmulPlan>) check_same_device(plan.op, device, plan.other->storage.device());
  if constexpr (std::is_same_v<Plan, IndexPlan>)
    if (plan.index) check_same_device(plan.op, device, plan.index->storage.device());
  if (device.is_cpu()) host();
  else run_on_device(device, plan, host);
}

/** Runs the plan: its CPU kernel `cpu()` when it writes a CPU tensor, else the kernels of its
 *  device (Note [Device dispatch]), with PyTorch's device check; then bumps the version of an
 *  existing output (Note [Plans]). While only the CPU exists (Note [Only the CPU]) it is one load
 *  and a call of the kernel, inlined into the op. */
template <class Plan, class F>
[[gnu::always_inline]] inline void dispatch_plan(const Plan& plan, const F& cpu) {
  if (!g_other_devices.load(MemoryOrder::Relaxed)) [[likely]] cpu();
  else dispatch_checked(plan, HostKernel::of(cpu));
  if (!plan.fresh_out) plan.out->storage.bump_version();
}

}  // namespace detail
}  // namespace tessera
