#pragma once
// Plans: what a kernel family is asked to do, described without the device that will do it.

#include <array>
#include <cstdint>

#include "../core/tensor_impl.hpp"

namespace tessera::detail {

// Note [Plans]
// An op that has checked its arguments describes the work for its kernel family in a plan:
// the op's name (with the dtypes it names a kernel variant: "add" on float32), the tensors it
// writes and reads (their sizes, strides and devices), and the scalars it takes. The dispatch
// point (backend/dispatch.hpp) runs the CPU kernel inline and hands any other device the plan.
// A plan also carries its CPU kernel as `run_on_host`, so that a device whose memory the host
// can address (the test device of tests/test_device.cpp, a unified-memory GPU without a kernel
// for a variant yet) can run it there. Plans live on the caller's stack for one call.

/** Calls a callable the plan does not know the type of (its host kernel). */
struct HostKernel {
  const void* callable = nullptr;
  void (*call)(const void* callable) = nullptr;

  template <class F>
  static HostKernel of(const F& f) {
    return {&f, [](const void* c) { (*static_cast<const F*>(c))(); }};
  }
  void operator()() const { call(callable); }
};

/** out = op(inputs..., scalar): elementwise with broadcasting (unary, binary, ternary). */
struct ElementwisePlan {
  const char* op;
  const TensorImpl* out;
  std::array<const TensorImpl*, 3> inputs{};
  int num_inputs = 0;
  bool has_scalar = false;  // a C++ scalar operand, converted to the op's compute type
  bool scalar_first = false;  // scalar op tensor rather than tensor op scalar
  double scalar = 0;
  HostKernel run_on_host{};
};

/** out = convert(input): a converting, broadcasting, strided copy between tensors on one device. */
struct CopyPlan {
  const char* op;
  const TensorImpl* out;
  const TensorImpl* input;
  HostKernel run_on_host{};
};

/** Every element of out = value. */
struct FillPlan {
  const char* op;
  const TensorImpl* out;
  double value;  // as the element type holds it
  HostKernel run_on_host{};
};

}  // namespace tessera::detail
