#pragma once
// Vulkan kernels that run every plan's CPU kernel on the host, on the mapped device memory:
// correct on host-visible memory (Note [Vulkan memory]) until GPU kernels replace them.

#include "../dispatch.hpp"
#include "runtime.hpp"

namespace tessera::vulkan::detail {

/** Every kernel family through the plan's host kernel, after the device's queued work. */
class VulkanKernels final : public DeviceKernels {
 public:
  void elementwise(const ::tessera::detail::ElementwisePlan& plan) override { run(plan); }
  void copy(const ::tessera::detail::CopyPlan& plan) override { run(plan); }
  void fill(const ::tessera::detail::FillPlan& plan) override { run(plan); }
  void reduce(const ::tessera::detail::ReductionPlan& plan) override { run(plan); }
  void rows(const ::tessera::detail::RowPlan& plan) override { run(plan); }
  void matmul(const ::tessera::detail::MatmulPlan& plan) override { run(plan); }
  void random(const ::tessera::detail::RandomPlan& plan) override { run(plan); }
  void index(const ::tessera::detail::IndexPlan& plan) override { run(plan); }
  void range(const ::tessera::detail::RangePlan& plan) override { run(plan); }
  void window(const ::tessera::detail::WindowPlan& plan) override { run(plan); }

 private:
  template <class Plan>
  static void run(const Plan& plan) {
    // The host kernel reads and writes the buffers directly: launches queued on them first.
    synchronize(plan.out->storage.device().index());
    plan.run_on_host();
  }
};

}  // namespace tessera::vulkan::detail
