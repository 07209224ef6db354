#pragma once
// The dispatch point of every kernel family, keyed by the device: CPU kernels inline, every
// other device through the kernels its backend registered.

#include <type_traits>

#include "../core/allocator.hpp"
#include "../iter/plan.hpp"

namespace tessera {

// Note [Device dispatch]
// A CPU tensor's op calls its CPU kernel directly: the check is one comparison of the device
// type, and nothing of another backend is compiled into a program that does not register one.
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
inline void check_same_device(const char* op, Device a, Device b) {
  TS_CHECK(a == b, op, ": expected all tensors to be on the same device, but found at least two devices, ", a,
           " and ", b);
}

/** Checks the plan's devices, runs `cpu()` when it writes a CPU tensor or hands the plan (with
 *  `cpu` as its host kernel) to the backend of that tensor's device, then bumps the version of
 *  an existing output (Note [Plans]). */
template <class Plan, class F>
void dispatch_plan(Plan plan, const F& cpu) {
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
  if (device.is_cpu()) [[likely]] {
    cpu();
  } else {
    plan.run_on_host = HostKernel::of(cpu);
    DeviceKernels& kernels = device_kernels(device, plan.op);
    if constexpr (std::is_same_v<Plan, ElementwisePlan>) kernels.elementwise(plan);
    else if constexpr (std::is_same_v<Plan, CopyPlan>) kernels.copy(plan);
    else if constexpr (std::is_same_v<Plan, FillPlan>) kernels.fill(plan);
    else if constexpr (std::is_same_v<Plan, ReductionPlan>) kernels.reduce(plan);
    else if constexpr (std::is_same_v<Plan, RowPlan>) kernels.rows(plan);
    else if constexpr (std::is_same_v<Plan, MatmulPlan>) kernels.matmul(plan);
    else if constexpr (std::is_same_v<Plan, RandomPlan>) kernels.random(plan);
    else if constexpr (std::is_same_v<Plan, IndexPlan>) kernels.index(plan);
    else if constexpr (std::is_same_v<Plan, RangePlan>) kernels.range(plan);
    else kernels.window(plan);
  }
  if (!plan.fresh_out) plan.out->storage.bump_version();
}

}  // namespace detail
}  // namespace tessera
